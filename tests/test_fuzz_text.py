"""Fuzz tests: any text through parse_script and split_text gives a valid result or a BarkflowError.

Properties checked:
  split_text    segments are stripped, whitespace-normalised, within max_chars / max_tokens, and
                their words are the input's words in order (or, where a warning says a single
                word had to be cut, the input's non-space characters in order).
  parse_script  lines are well formed and numbered; for prose and dialogue the words of the
                lines are a subsequence of the input's words (escape backslashes removed).
                Fountain is only checked for shape: its markup (cues, headings, title page,
                notes, emphasis, forcing characters) is removed or rewritten by design. No line
                holds a control character other than tab.
  decode_script any text in any supported encoding (with and without a byte order mark) reads
                back as the text; any bytes give text or a one-line BarkflowError.
"""

from __future__ import annotations

import codecs
import logging
import re
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.text.decoding import bark_characters, decode_script, has_words
from barkflow.text.script import Script, direction_cue, parse_script
from barkflow.text.split import SplitOptions, split_text

FRAGMENTS = [
    "Hello world. ", "Mr. Smith went to Washington, D.C. on Jan. 5th! ", "Really?! ", "...", " — ", "–",
    "[laughs] ", "[clears throat]", "[MAN] ", "♪ la la ♪", "CAPS FOR EMPHASIS ", "\n", "\n\n", "\r\n", "\r",
    "# Chapter\n", "## ", "\\", "\\Note: ", "HOST: ", "GUEST (whispering): ", "ANN (laughs): ", "BOB (singing): ",
    "Zoë: ", ": ", "NAME:", "\nJOHN\n", "\nMARY (V.O.) ^\n", "(softly)\n", "(sighs)\n", "(beat)\n", "@McCLANE\n", "INT. HOUSE - DAY\n", ".FORCED\n",
    "CUT TO:\n", "> FADE OUT.\n", ">centered<\n", "Title: X\nAuthor: Y\n\n", "[[note]]", "[[", "]]",
    "/* bone */", "*/", "= synopsis\n", "===\n", "~lyric\n", "!action\n", "*bold*", "_under_", "  \n",
    "مرحبا بالعالم. كيف حالك؟ ", "\u200f\u202e", "שלום עולם. ",  # RTL, bidi controls
    "我们今天去公园。天气很好！", "日本語の文です。",  # no spaces
    "👩‍👩‍👧 🎉🎉 ", "\x00\x07\x1b", "\x1c\x1d\x1e\x1f\x85\u2028\u2029\x0b\x0c", "\u00a0\u3000\t",
    "x" * 300, "a" * 45 + "[clears throat]" + "b" * 45, "aa[clears throat]" * 12, "word," * 80,
    "Привет. Как дела? ",
]

fragment_texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40), st.text(alphabet=" .,;!?\n[]", max_size=10)),
    max_size=40,
).map("".join)

languages = st.sampled_from(["en", "de", "fr", "ru", "zh", "ja", "ar", "hi", "el"])
regexes = st.sampled_from([r"\n", r"[.!?]", r"\bChapter\b", r"x*", r"(?=H)", r"\s+", r"\d"])


@st.composite
def split_options(draw) -> SplitOptions:
    mode = draw(st.sampled_from(["sentence", "sentence", "line", "regex", "string", "none"]))
    max_chars = draw(st.integers(40, 300))
    pattern = ""
    if mode == "regex":
        pattern = draw(regexes)
    elif mode == "string":
        pattern = draw(st.text(min_size=1, max_size=3))
    return SplitOptions(mode=mode, goal_chars=draw(st.integers(1, max_chars)), max_chars=max_chars,
                        pattern=pattern, jitter=draw(st.floats(0, 0.5)), language=draw(languages),
                        max_tokens=draw(st.integers(8, 256)))


def words_per_char(text: str) -> int:
    """A crude token counter: about one token per two characters, plus one per word."""
    return len(text) // 2 + len(text.split())


@contextmanager
def captured_warnings(logger_name: str):
    """Collect log messages (caplog is function-scoped, which hypothesis does not allow)."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def check_split(text: str, options: SplitOptions, count_tokens=None, seed: int = 0) -> list[str]:
    with captured_warnings("barkflow.text.split") as warnings:
        try:
            segments = split_text(text, options, count_tokens=count_tokens, seed=seed, where="fuzz")
        except BarkflowError as error:
            assert "\n" not in str(error)
            return []
    for segment in segments:
        assert segment and segment == " ".join(segment.split())
        assert len(segment) <= options.max_chars
        if count_tokens is not None:
            assert count_tokens(segment) <= options.max_tokens
    if count_tokens is None:  # Bark cues are never cut (with a counter, a cue alone may be over the limit)
        assert " ".join(segments).count("[clears throat]") >= text.count("[clears throat]")
    words_cut = any("cut between characters" in message for message in warnings)
    for segment in segments:
        assert has_words(segment), segment  # never punctuation alone
    if any("punctuation alone" in message for message in warnings):  # dropped where it fit nowhere
        characters = iter("".join(text.split()))
        assert all(c in characters for c in "".join(" ".join(segments).split()))  # in order, nothing added
    elif words_cut:
        assert "".join(" ".join(segments).split()) == "".join(text.split())
    else:
        assert " ".join(segments).split() == text.split()
    return segments


def is_subsequence(found: list[str], source: list[str]) -> bool:
    """Whether `found` appears in order in `source` (a word may have lost an escape backslash)."""
    position = 0
    for word in found:
        while position < len(source) and word not in (source[position], source[position][1:]):
            position += 1
        if position == len(source):
            return False
        position += 1
    return True


CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # tab is allowed
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")  # those parse_script refuses


def without_direction_cue(line) -> list[str]:
    """The line's words without the cue its direction added ("(laughs)" → "[laughs] ...")."""
    words = line.text.split()
    cue = direction_cue(line.direction)
    if cue == "♪":
        return words[1:-1]
    if cue:
        return words[len(cue.split()):]
    return words


def check_script(text: str, fmt: str, action: str = "narrate") -> Script | None:
    try:
        script = parse_script(text, fmt, fountain_action=action, narrator="Nell")
    except BarkflowError as error:
        assert "\n" not in str(error)
        return None
    line_count = text.count("\n") + text.count("\r") + 1
    assert script.lines
    assert [line.index for line in script.lines] == list(range(len(script.lines)))
    chapters = [line.chapter for line in script.lines]
    paragraphs = [line.paragraph for line in script.lines]
    assert chapters[0] == 0 and paragraphs[0] == 0
    assert all(b - a in (0, 1) for a, b in zip(chapters, chapters[1:]))
    assert all(b - a in (0, 1) for a, b in zip(paragraphs, paragraphs[1:]))
    assert len(script.chapter_titles) == chapters[-1] + 1
    for line in script.lines:
        assert line.text and line.text == line.text.strip()
        assert not CONTROL.search(line.text), line.text  # a NUL never reaches Bark
        assert line.speaker and line.speaker == line.speaker.strip()
        assert 1 <= line.source_line <= line_count
    assert script.speakers() == list(dict.fromkeys(line.speaker for line in script.lines))
    if fmt in ("prose", "dialogue"):
        # the file's words in order, less the characters Bark never gets and emphasis markup (*, _)
        unmarked = lambda words: [w for w in (w.replace("*", "").replace("_", "") for w in words) if w]  # noqa: E731
        spoken = unmarked(word for line in script.lines for word in without_direction_cue(line))
        assert is_subsequence(spoken, unmarked(bark_characters(text).split()))
    return script


FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LARGE = settings(max_examples=3, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(text=fragment_texts, options=split_options(), seed=st.integers(0, 2**32), use_counter=st.booleans())
def test_split_text_any_text(text, options, seed, use_counter):
    check_split(text, options, words_per_char if use_counter else None, seed)


@FUZZ
@given(text=st.text(st.characters(exclude_categories=())), options=split_options())  # lone surrogates too
def test_plain_unicode(text, options):
    check_split(text, options)
    without_controls = FORBIDDEN_CONTROL.sub("", text)  # with them, parse_script stops at once
    for fmt in ("auto", "prose", "dialogue", "fountain"):
        check_script(text, fmt)
        check_script(without_controls, fmt)


@FUZZ
@given(text=fragment_texts, fmt=st.sampled_from(["auto", "prose", "dialogue", "fountain"]),
       action=st.sampled_from(["narrate", "skip"]))
def test_parse_script_any_text(text, fmt, action):
    script = check_script(text, fmt, action)
    if script is not None:
        for line in script.lines:  # every parsed line can be split
            check_split(line.text, SplitOptions())


@LARGE
@given(block=fragment_texts)
def test_large_text_about_100_kb(block):
    block = (block or "Filler text.") + "\n"
    text = (block * (100_000 // len(block) + 1))[:100_000]
    for fmt in ("prose", "dialogue", "fountain"):
        check_script(text, fmt)
    check_split(text, SplitOptions())
    check_split(text, SplitOptions(mode="line", max_chars=60, goal_chars=30))


def test_one_megabyte():
    paragraph = ("The keeper climbed the stairs, counting each step. Mr. Hale said: \"Not tonight!\" "
                 "[sighs] 我们今天去公园。 مرحبا بالعالم. " + "x" * 70 + " — silence?\n")
    text = (paragraph * 3 + "\n") * (1_000_000 // (len(paragraph) * 3 + 1))
    assert len(text) > 990_000
    segments = check_split(text, SplitOptions())  # its speed: bench/text.py
    assert len(segments) > 3_000
    script = check_script(text, "prose")
    assert script is not None and len(script.lines) > 1_500
    for fmt in ("dialogue", "fountain"):
        assert check_script(text, fmt) is not None


# --- encodings ---

SCRIPT_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufeff")
SCRIPT_TEXT = st.text(st.one_of(SCRIPT_CHARACTERS, st.sampled_from("\n\r\t ")), min_size=1)
WITH_BOM = [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
            ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)]


def lines_of(text: str) -> tuple | str:
    try:
        return parse_script(text, "dialogue", source="f").lines
    except BarkflowError as error:
        return str(error)


@FUZZ
@given(text=SCRIPT_TEXT, encoding=st.sampled_from(WITH_BOM))
def test_every_encoding_with_a_bom_reads_like_utf8(text, encoding):
    name, bom = encoding
    assert decode_script(bom + text.encode(name), "f") == text
    assert lines_of(decode_script(bom + text.encode(name), "f")) == lines_of(text)


@FUZZ
@given(ascii_words=st.lists(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1), min_size=1),
       other=st.lists(SCRIPT_TEXT, max_size=10), order=st.randoms(use_true_random=False),
       name=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_without_bom_reads_like_utf8_when_mostly_below_u0100(ascii_words, other, order, name):
    """Script-like text: at least two thirds of its UTF-16 units are ASCII (spaces, newlines, Latin)."""
    pieces = [*ascii_words, *other]
    order.shuffle(pieces)
    text = "\n".join(pieces)
    units = len(text.encode("utf-16-le")) // 2
    if sum(1 for c in text if ord(c) < 0x80) * 3 < units * 2:
        text += "\n" + "a" * (2 * units)  # pad with ASCII up to two thirds
    assert decode_script(text.encode(name), "f") == text
    assert lines_of(decode_script(text.encode(name), "f")) == lines_of(text)


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), SCRIPT_TEXT.map(lambda t: t.encode("utf-16-le")[1:])))
def test_any_bytes_give_text_or_a_one_line_error(data):
    try:
        text = decode_script(data, "f.txt")
    except BarkflowError as error:
        assert str(error).startswith("f.txt:") and "\n" not in str(error) and "save it as UTF-8" in str(error)
        return
    for fmt in ("prose", "dialogue", "fountain"):
        check_script(text, fmt)
