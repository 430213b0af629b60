"""The text's front door: which characters reach Bark, the script's encoding, pause cues and
wordless segments, and lexicon regexes held to a time bound."""

from __future__ import annotations

import codecs
import re
import time
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.planning.config import ProjectConfig
from barkflow.text import spoken
from barkflow.text.decoding import bark_characters, decode_script, has_words
from barkflow.text.formats import load_script
from barkflow.text.script import parse_script
from barkflow.text.split import SplitOptions, split_text
from barkflow.text.spoken import Lexicon, cut_at_pauses, parse_lexicon, spoken_text

FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

INVISIBLE = ("\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\ufeff", "\u2060",
             "\u00ad", "\ufe0f", "\U000e0100", "\U000e0041", "\U000e007f", "\ue000", "\U000f0000", "\u0378",
             "\ufdd0", "\uffff", "\ud800", "\u200c", "\u200d", "\u2028", "\u2029")
JOINERS = "\u200c\u200d"


def leftovers(text: str) -> list[str]:
    """Characters that must not reach Bark: C* other than tab/newline, variation selectors, and a
    joiner that is not between two visible characters."""
    bad = [c for c in text if unicodedata.category(c) in ("Cf", "Co", "Cn", "Cs", "Zl", "Zp") and c not in JOINERS
           or unicodedata.category(c) == "Cc" and c not in "\t\n"
           or unicodedata.name(c, "").startswith("VARIATION SELECTOR")]
    bad += [m.group() for m in re.finditer(rf"(?<!\S)[{JOINERS}]|[{JOINERS}](?!\S)", text)]
    return bad


words_with_invisibles = st.lists(
    st.one_of(st.sampled_from(INVISIBLE), st.sampled_from(["Hello", " ", "world.", "\n", "JOHN: ", "# Title\n",
                                                           "👩", "می", "[laughs]"]),
              st.text(st.characters(exclude_categories=("Cc",)), max_size=8)),
    min_size=1, max_size=30).map("".join)


def html_page(body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.replace("&", "&amp;").replace("<", "&lt;").split("\n"))
    return f"<html><head><meta charset='utf-8'><title>T</title></head><body><h1>Ch</h1>{paragraphs}</body></html>".encode(
        "utf-8", "surrogatepass")


@FUZZ
@given(text=words_with_invisibles)
def test_no_invisible_character_reaches_a_segment_in_any_format(text, tmp_path):
    scripts = []
    for fmt in ("prose", "dialogue", "fountain"):
        try:
            scripts.append(parse_script(text, fmt))
        except BarkflowError as error:
            assert "\n" not in str(error)
    page = tmp_path / "page.html"
    page.write_bytes(html_page(text))
    try:
        scripts.append(load_script(page, "html"))
    except BarkflowError as error:
        assert "\n" not in str(error)
    for script in scripts:
        for title in script.chapter_titles:
            assert not leftovers(title), title
        for line in script.lines:
            assert not leftovers(line.text) and not leftovers(line.speaker), line
            assert has_words(line.text), line  # no line of punctuation alone
            for segment in split_text(line.text, SplitOptions(), where="t"):
                assert not leftovers(segment), segment


def test_the_policy_per_class():
    assert bark_characters("a\u202eb\u200bc\ufeffd\u2060e\u00adf\ufe0fg\U000e0041h\ue000i\u0378j\ud800k") == "abcdefghijk"
    assert bark_characters("one\u2028two\u2029three") == "one two three"  # line/paragraph separators: spaces
    assert bark_characters("a\x0cb\x85c") == "a b c"
    # joiners between visible characters stay (emoji sequences, Persian and Indic spelling)
    assert bark_characters("👩\u200d👩\u200d👧 می\u200cخواهم") == "👩\u200d👩\u200d👧 می\u200cخواهم"
    assert bark_characters("\u200dword\u200c end\u200d") == "word end"
    assert bark_characters("naïve\u00a0café\tx\ny") == "naïve\u00a0café\tx\ny"  # no-break space, tab, newline kept


def test_dialogue_names_are_read_without_invisible_characters():
    script = parse_script("JOHN\u200b: Hi\u202e there.\n\u2066MARY\u2069: Bye.", "dialogue")
    assert [(line.speaker, line.text) for line in script.lines] == [("JOHN", "Hi there."), ("MARY", "Bye.")]


def test_book_and_script_share_the_policy(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(html_page("Soft\u00adly\ufe0f \u202ewent\u2028on."))
    assert [line.text for line in load_script(page, "html").lines] == ["Softly went on."]


# --- encodings ---


def test_utf16_cjk_without_bom_names_the_encoding_option():
    data = "日本語の文です。\n今日は。".encode("utf-16-le")
    with pytest.raises(BarkflowError, match="project.encoding") as error:
        decode_script(data, "book.txt")
    assert "\n" not in str(error.value)
    assert decode_script(data, "book.txt", "utf-16-le") == "日本語の文です。\n今日は。"
    assert decode_script(codecs.BOM_UTF16_LE + data, "book.txt", "utf-16") == "日本語の文です。\n今日は。"
    assert decode_script("Grüße".encode("cp1252"), "x.txt", "cp1252") == "Grüße"


def test_an_explicit_encoding_that_does_not_fit_is_a_one_line_error():
    with pytest.raises(BarkflowError, match=r"x.txt:2: the script is not valid SHIFT_JIS.*project.encoding"):
        decode_script("ok\n".encode() + b"\x81\x20", "x.txt", "shift_jis")


def test_project_encoding_is_checked_at_compose():
    assert ProjectConfig(script="x.txt").encoding == "auto"
    assert ProjectConfig(script="x.txt", encoding="UTF-16-LE").encoding == "UTF-16-LE"
    for bad in ("klingon", "rot13", "base64", ""):
        with pytest.raises(BarkflowError, match="project.encoding"):
            ProjectConfig(script="x.txt", encoding=bad)


def test_load_script_and_html_use_the_encoding(tmp_path):
    path = tmp_path / "cjk.txt"
    path.write_bytes("我们今天去公园。".encode("utf-16-be"))
    assert load_script(path, encoding="utf-16-be").lines[0].text == "我们今天去公园。"
    page = tmp_path / "page.html"
    page.write_bytes("<html><body><p>Grüße aus Köln.</p></body></html>".encode("cp1252"))
    assert load_script(page, "html", encoding="cp1252").lines[0].text == "Grüße aus Köln."


# --- pause cues ---


@pytest.mark.parametrize("cue", ["[pause 1e9s]", "[pause -1s]", "[pause nans]", "[pause infs]", "[pause 1,5s]",
                                 "[PAUSE 0s]", "[pause 0]", "[pause 61s]", "[pause for effect]", "[pause 2 hours]",
                                 "[pause1s]", "[ pause 1.5.5s ]"])
def test_a_malformed_or_unbounded_pause_cue_is_a_one_line_error(cue):
    with pytest.raises(BarkflowError) as error:
        cut_at_pauses(f"Wait {cue} then go.", 1.0, "book.md:7")
    message = str(error.value)
    assert message.startswith("book.md:7: ") and "\n" not in message and "[pause 1.5s]" in message


@pytest.mark.parametrize("cue, seconds", [("[pause]", 1.0), ("[Pause 2s]", 2.0), ("[pause 250ms]", 0.25),
                                          ("[ pause 0.5 seconds ]", 0.5), ("[pause 60s]", 60.0), ("[pause 3]", 3.0)])
def test_valid_pause_cues(cue, seconds):
    assert cut_at_pauses(f"Wait {cue} go.", 1.0).pieces == (("Wait", seconds), ("go.", 0.0))


@FUZZ
@given(amount=st.text(st.characters(exclude_characters="[]\n\r"), max_size=12))
def test_anything_shaped_like_a_pause_cue_is_a_bounded_pause_or_an_error(amount):
    assume(not amount[:1].isalpha())  # [pauses], [paused]: other words
    try:
        cut = cut_at_pauses(f"A [pause{amount}] b", 1.0, "s:1")
    except BarkflowError as error:
        assert "\n" not in str(error)
        return
    assert not any("pause" in words.lower() for words, _ in cut.pieces)
    assert all(0 <= s <= spoken.MAX_PAUSE_S for _, s in cut.pieces)


def test_punctuation_after_a_cue_attaches_to_the_words_before_it():
    assert cut_at_pauses("Hello [pause 0.5s].", 1.0).pieces == (("Hello.", 0.5),)
    assert cut_at_pauses("[pause 0.5s].", 1.0).pieces == ()
    assert cut_at_pauses("Hello [pause] , world [pause] ?! [pause 2s] ... ok", 1.0).pieces == (
        ("Hello,", 1.0), ("world?!...", 3.0), ("ok", 0.0))
    # a cue or a quote glued to a word stays with its words
    assert cut_at_pauses('Hi [pause] "Go," she said [pause] ♪ la ♪', 1.0).pieces == (
        ("Hi", 1.0), ('"Go," she said', 1.0), ("♪ la ♪", 0.0))
    assert cut_at_pauses("... [pause 1s] Hello", 1.0) == spoken.PiecesOfLine(1.0, (("Hello", 0.0),))


@FUZZ
@given(text=st.lists(st.sampled_from(["Hi", " ", ".", "!", "…", "—", "[pause]", "[pause 2s]", "[laughs]", "♪", ","]),
                     max_size=14).map("".join))
def test_no_piece_between_pause_cues_is_punctuation_alone(text):
    assume(has_words(text))  # a script line has words (ScriptBuilder.add): its pieces must too
    for words, _ in cut_at_pauses(text, 1.0).pieces:
        assert has_words(words), words


def test_a_line_of_punctuation_alone_is_not_spoken():
    script = parse_script("Hello there.\n\n* * *\n\n...\n\nBOB: !!!\n\nThe end.", "dialogue")
    assert [line.text for line in script.lines] == ["Hello there.", "The end."]


# --- the lexicon ---


def test_a_catastrophic_lexicon_regex_is_a_one_line_error_naming_it(monkeypatch):
    monkeypatch.setattr(spoken, "LEXICON_TIMEOUT_S", 0.05)
    lexicon = parse_lexicon({"regex": [["x", "y"], ["(a|aa)+$", "b"]]}, "project.lexicon")
    started = time.monotonic()
    with pytest.raises(BarkflowError, match=r"project.lexicon.regex\[1\]|'\(a\|aa\)\+\$'") as error:
        spoken_text("a" * 5000 + "!", lexicon=lexicon, normalize=False)
    assert time.monotonic() - started < 5 and "\n" not in str(error.value)


def test_the_classic_nested_repeat_finishes():
    lexicon = parse_lexicon({"regex": [["(a+)+$", "b"]]}, "project.lexicon")
    started = time.monotonic()
    assert spoken_text("a" * 40 + "!", lexicon=lexicon, normalize=False) == "a" * 40 + "!"
    assert time.monotonic() - started < 2


def test_lexicon_sizes_are_bounded():
    with pytest.raises(BarkflowError, match=r"project.lexicon.regex\[0\].*characters"):
        parse_lexicon({"regex": [["a" * 2000, "b"]]}, "project.lexicon")
    with pytest.raises(BarkflowError, match=r"project.lexicon.regex.*entries"):
        parse_lexicon({"regex": [["a", "b"]] * (spoken.MAX_LEXICON_REGEXES + 1)}, "project.lexicon")
    with pytest.raises(BarkflowError, match=r"project.lexicon.words.*entries"):
        parse_lexicon({"words": {f"w{i}": "x" for i in range(spoken.MAX_LEXICON_WORDS + 1)}}, "project.lexicon")
    with pytest.raises(BarkflowError, match=r"project.lexicon.words.*characters"):
        parse_lexicon({"words": {"w" * 1000: "x"}}, "project.lexicon")


def test_lexicon_regexes_keep_their_meaning():
    lexicon = parse_lexicon({"regex": [[r"(?<!\w)Dr\.(?=\s)", "Doctor"], [r"(\d+)kg", r"\1 kilograms"]]}, "l")
    assert spoken_text("Dr. Who lifts 5kg", lexicon=lexicon, normalize=False) == "Doctor Who lifts 5 kilograms"
    assert isinstance(lexicon, Lexicon)
