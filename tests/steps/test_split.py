"""Tests for barkflow.text.split: modes, packing, limits (chars and tokens), cues, jitter, options."""

from __future__ import annotations

import logging
import re

import pytest

from barkflow.errors import BarkflowError
from barkflow.text.decoding import has_words
from barkflow.text.split import SplitOptions, estimate_seconds, split_text

STORY = (
    "The keeper climbed the stairs. Mr. Hale followed him, slowly, step by step! "
    "Did anyone see the ship? Nobody did. [sighs] The lamp was lit at 9 p.m. as always.\n\n"
    "A new paragraph starts here. It is short."
)


def assert_valid(text: str, segments: list[str], options: SplitOptions, count_tokens=None) -> None:
    assert " ".join(segments).split() == text.split()
    for segment in segments:
        assert segment and segment == " ".join(segment.split())
        assert len(segment) <= options.max_chars
        if count_tokens is not None:
            assert count_tokens(segment) <= options.max_tokens


# --- modes ---


def test_sentence_mode_one_sentence_per_segment_when_goal_is_tiny():
    options = SplitOptions(goal_chars=1)
    segments = split_text(STORY, options)
    assert segments == [
        "The keeper climbed the stairs.",
        "Mr. Hale followed him, slowly, step by step!",
        "Did anyone see the ship?",
        "Nobody did.",
        "[sighs] The lamp was lit at 9 p.m. as always.",
        "A new paragraph starts here.",
        "It is short.",
    ]
    assert_valid(STORY, segments, options)


def test_sentence_mode_packs_up_to_goal_and_keeps_paragraphs_apart():
    options = SplitOptions(goal_chars=80, max_chars=120)
    segments = split_text(STORY, options)
    assert segments == [
        "The keeper climbed the stairs. Mr. Hale followed him, slowly, step by step!",
        "Did anyone see the ship? Nobody did.",
        "[sighs] The lamp was lit at 9 p.m. as always.",
        "A new paragraph starts here. It is short.",
    ]
    assert_valid(STORY, segments, options)


def test_a_cue_alone_after_a_sentence_stays_with_it():
    assert split_text("He left. ♪ ♪\n\nNobody did. [sighs]", SplitOptions(goal_chars=1)) == [
        "He left. ♪ ♪", "Nobody did. [sighs]"]


def test_short_sentence_is_not_left_alone():
    text = "Yes. " + "This sentence is fairly long and fills most of the goal by itself alone."
    assert split_text(text, SplitOptions(goal_chars=60, max_chars=100)) == [" ".join(text.split())]


def test_line_mode():
    text = "first line\n  second   line  \n\n\nthird\r\nfourth"
    assert split_text(text, SplitOptions(mode="line")) == ["first line", "second line", "third", "fourth"]


def test_regex_mode_cuts_at_match_start_and_keeps_words_whole():
    text = "Chapter 1 It begins. Chapter 2 It goes on. xChapter 3 stays whole"
    options = SplitOptions(mode="regex", pattern=r"Chapter \d")
    assert split_text(text, options) == [
        "Chapter 1 It begins.", "Chapter 2 It goes on.", "xChapter 3 stays whole"]


def test_string_mode_splits_on_the_literal():
    text = "one || two ||three|| four"
    assert split_text(text, SplitOptions(mode="string", pattern="||")) == ["one", "|| two", "||three|| four"]


def test_none_mode_keeps_the_whole_text_when_it_fits():
    text = "One. Two.\n\nThree."
    assert split_text(text, SplitOptions(mode="none")) == ["One. Two. Three."]


@pytest.mark.parametrize("mode", ["sentence", "line", "none"])
def test_empty_and_blank_text(mode):
    assert split_text("", SplitOptions(mode=mode)) == []
    assert split_text(" \n\t \n", SplitOptions(mode=mode)) == []


def test_chinese_without_spaces_is_cut_at_its_own_sentence_ends():
    text = "我们今天去公园。天气很好！" * 12
    segments = split_text(text, SplitOptions(language="zh", goal_chars=40, max_chars=60))
    assert "".join(segments) == text
    assert all(segment.endswith(("。", "！")) and len(segment) <= 60 for segment in segments)


class _FakeProcessor:
    def __init__(self, sentences):
        self.sentences = sentences

    def process(self):
        if isinstance(self.sentences, Exception):
            raise self.sentences
        return self.sentences


class _FakeSegmenter:
    def __init__(self, sentences):
        self.sentences = sentences

    def processor(self, text):
        return _FakeProcessor(self.sentences)


@pytest.mark.parametrize("pysbd_output", [
    ["One two.", "Three four."],  # drops a sentence
    ["One two.", "Thrxx four!", "Five six."],  # changes characters
    ["One two. Three four. Five six. Extra words nobody wrote."],  # invents text
    ["One tw", "o. Three four.", "Five six."],  # cuts inside a word
    RuntimeError("pysbd bug"),
])
def test_pysbd_output_is_never_trusted(monkeypatch, pysbd_output):
    from barkflow.text import split

    monkeypatch.setattr(split, "_segmenter", lambda language: _FakeSegmenter(pysbd_output))
    text = "One two. Three four. Five six."
    segments = split_text(text, SplitOptions(goal_chars=1))
    assert " ".join(segments).split() == text.split()


def test_pysbd_never_gets_more_than_a_chunk(monkeypatch):
    from barkflow.text import split

    real = split._segmenter("en")
    lengths = []

    class Recording:
        def processor(self, text):
            lengths.append(len(text))
            return real.processor(text)

    monkeypatch.setattr(split, "_segmenter", lambda language: Recording())
    text = ("A sentence of words. " * 300 + "x" * 5_000 + " and more words here. ") * 5
    segments = split_text(text, SplitOptions())
    assert "".join("".join(segments).split()) == "".join(text.split())  # the 5,000 x's are cut
    assert lengths and max(lengths) <= split.PYSBD_CHUNK_CHARS


# --- limits ---


def test_long_unpunctuated_sentence_is_cut_between_words_with_a_warning(caplog):
    words = ["word%d" % i for i in range(900)]
    text = " ".join(words)[:5000].rsplit(" ", 1)[0]
    assert len(text) > 4900
    options = SplitOptions(goal_chars=150, max_chars=200)
    with caplog.at_level(logging.WARNING, logger="barkflow.text.split"):
        segments = split_text(text, options, where="book.md:7")
    assert_valid(text, segments, options)
    assert all(100 < len(segment) <= 150 for segment in segments[:-1])
    assert "book.md:7" in caplog.text and "max_chars" in caplog.text


def test_long_sentence_is_cut_at_clause_punctuation_first():
    text = ("the first clause runs on and on without a stop, the second clause does the same thing; "
            "then a third — and a fourth: done")
    segments = split_text(text, SplitOptions(goal_chars=40, max_chars=60))
    assert segments == [
        "the first clause runs on and on without a stop,",
        "the second clause does the same thing;",
        "then a third — and a fourth: done",
    ]


def test_huge_word_is_cut_between_characters(caplog):
    text = "start " + "x" * 500 + " end"
    options = SplitOptions(goal_chars=40, max_chars=50)
    with caplog.at_level(logging.WARNING):
        segments = split_text(text, options)
    assert all(len(segment) <= 50 for segment in segments)
    assert "".join(" ".join(segments).split()) == "".join(text.split())
    assert "cut between characters" in caplog.text


def test_cues_are_never_cut():
    cue = "[clears throat]"
    text = " ".join(f"word{i} {cue}" for i in range(60))
    for goal, limit in [(1, 40), (30, 41), (150, 250)]:
        options = SplitOptions(goal_chars=goal, max_chars=limit)
        segments = split_text(text, options)
        assert_valid(text, segments, options)
        assert " ".join(segments).count(cue) == 60
        for segment in segments:
            assert segment.count("[") == segment.count("]")


@pytest.mark.parametrize("text", ["a" * 30 + "[clears throat]" + "b" * 30, "aa[clears throat]" * 30])
def test_cues_inside_a_huge_word_are_not_cut(text):
    segments = split_text(text, SplitOptions(goal_chars=40, max_chars=40))
    assert "".join(segments) == text
    assert " ".join(segments).count("[clears throat]") == text.count("[clears throat]")


def fake_count_tokens(text: str) -> int:
    """One token per word plus one per punctuation mark: simple and predictable."""
    return len(text.split()) + len(re.findall(r"[^\w\s]", text))


def test_max_tokens_with_a_fake_counter():
    text = "a, b. " * 200
    options = SplitOptions(goal_chars=250, max_chars=1000, max_tokens=20)
    segments = split_text(text, options, count_tokens=fake_count_tokens)
    assert_valid(text, segments, options, fake_count_tokens)
    assert max(fake_count_tokens(segment) for segment in segments) == 20


def test_counter_is_not_needed_below_the_char_limit():
    calls = []

    def counting(text: str) -> int:
        calls.append(text)
        return 1

    split_text("Hello there. General Kenobi.", SplitOptions(goal_chars=1), count_tokens=counting)
    assert calls  # the counter is consulted when given
    assert split_text("Hello there.", SplitOptions()) == ["Hello there."]


@pytest.fixture(scope="module")
def bert_count_tokens(tmp_path_factory):
    """A real transformers BertTokenizer over a tiny vocabulary: unknown words become [UNK]."""
    transformers = pytest.importorskip("transformers")
    folder = tmp_path_factory.mktemp("vocab")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "?", "[", "]", "—",
             "the", "ship", "sea", "keeper", "lamp", "laughs", "s", "##s", "##ing", "a", "##b", "##c"]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer.from_pretrained(str(folder), do_lower_case=False)
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False))


def test_max_tokens_with_a_real_bert_tokenizer(bert_count_tokens):
    assert bert_count_tokens("the ships [laughs].") == 7  # the ship ##s [ laughs ] .
    text = "the keeper lights the lamp. " * 30 + "abcbcbcbcbcb " + "the sea [laughs], the ship! " * 30
    options = SplitOptions(goal_chars=250, max_chars=400, max_tokens=16)
    segments = split_text(text, options, count_tokens=bert_count_tokens)
    assert_valid(text, segments, options, bert_count_tokens)
    assert len(segments) > 10
    # A single word of 34 tokens (a ##b ##c ...) has to be cut inside the word.
    word = "a" + "bc" * 16 + "b"
    pieces = split_text(word, options, count_tokens=bert_count_tokens)
    assert "".join(pieces) == word and len(pieces) >= 2
    assert all(bert_count_tokens(piece) <= 16 for piece in pieces)


def test_token_limit_that_one_character_cannot_meet_is_an_error():
    with pytest.raises(BarkflowError, match="alone is over max_tokens=8"):
        split_text("x" * 300, SplitOptions(max_tokens=8), count_tokens=lambda text: 9)


# --- jitter ---


def test_jitter_varies_lengths_and_is_deterministic_per_seed():
    text = " ".join("This is sentence number %d." % i for i in range(200))
    options = SplitOptions(goal_chars=100, max_chars=200, jitter=0.5)
    first = split_text(text, options, seed=1)
    assert first == split_text(text, options, seed=1)
    assert first != split_text(text, options, seed=2)
    assert_valid(text, first, options)
    lengths = [len(segment) for segment in first[:-1]]
    assert min(lengths) < 80 and max(lengths) > 120
    plain = [len(segment) for segment in split_text(text, SplitOptions(goal_chars=100, max_chars=200))[:-1]]
    assert max(plain) - min(plain) < 30


# --- options ---


@pytest.mark.parametrize(("fields", "message"), [
    ({"mode": "words"}, r"mode='words'.*sentence, line, regex, string, none"),
    ({"goal_chars": 0}, r"goal_chars=0.*from 1 to max_chars \(250\)"),
    ({"goal_chars": 300}, r"goal_chars=300"),
    ({"goal_chars": 1.5}, r"goal_chars=1\.5.*integer"),
    ({"max_chars": 10, "goal_chars": 5}, r"max_chars=10.*from 40"),
    ({"max_chars": True}, r"max_chars=True"),
    ({"max_tokens": 1000}, r"max_tokens=1000.*256"),
    ({"jitter": 0.6}, r"jitter=0\.6.*0 to 0\.5"),
    ({"jitter": float("nan")}, r"jitter=nan"),
    ({"language": "xx"}, r"language='xx'.*en"),
    ({"mode": "regex"}, r"pattern=''.*non-empty regular expression"),
    ({"mode": "string"}, r"pattern=''.*separator"),
    ({"mode": "regex", "pattern": "(unclosed"}, r"pattern='\(unclosed'.*valid Python regular expression"),
])
def test_invalid_options(fields, message):
    with pytest.raises(BarkflowError, match=message) as info:
        SplitOptions(**fields)
    assert "\n" not in str(info.value) and "split settings" in str(info.value)


# --- estimate and speed ---


def test_estimate_seconds():
    assert estimate_seconds("") == 0.0
    # about 150 words a minute: a 14-character sentence takes a second, whitespace runs count once
    assert estimate_seconds("The lamp  is\non  ") == pytest.approx(1.0)
    assert estimate_seconds("x" * 140) == pytest.approx(10.0)


def test_two_thousand_lines_make_two_thousand_segments():  # its speed: bench/text.py
    text = "\n".join(f"Line {i}: the keeper lights the lamp, again." for i in range(2000))
    segments = split_text(text, SplitOptions(mode="line"))
    assert segments[0] == "Line 0: the keeper lights the lamp, again." and len(segments) == 2000


def test_a_cue_cut_between_characters_leaves_no_part_that_is_only_space():
    """Found by hypothesis: a cue-like word with a space before its bracket was cut into ' ]'."""
    options = SplitOptions(goal_chars=1, max_chars=40, jitter=0.0, max_tokens=8)
    parts = split_text("[Hello world. ]", options, count_tokens=lambda s: len(s) // 2 + len(s.split()), seed=0)
    assert all(part and part == " ".join(part.split()) for part in parts)
    # every word arrives; a bracket alone may not (punctuation that fits beside no segment is dropped)
    assert [w for w in " ".join(parts).split() if has_words(w)] == ["[Hello", "world."]
