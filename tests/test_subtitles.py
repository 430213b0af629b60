"""SRT/WebVTT writing: exact times from sample offsets, wrapping, splitting, escaping.

Property: whatever the text (timing lines, cue numbers, blank lines, tags, entities, controls),
the file parses back with a strict parser to the same cues, timings and words.
"""

import html
import re
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.publishing.subtitles import (
    MAX_LINE_CHARS,
    Cue,
    cues_from_pieces,
    format_timestamp,
    samples_to_ms,
    split_long_cues,
    wrap_text,
    write_srt,
    write_vtt,
)

SR = 24_000


@pytest.mark.parametrize(
    "samples, ms",
    [(0, 0), (11, 0), (12, 1), (13, 1), (24, 1), (36, 2), (24_000, 1000), (24_011, 1000), (24_012, 1001)],
)
def test_samples_round_half_up_to_milliseconds(samples, ms):
    assert samples_to_ms(samples, SR) == ms  # 24 samples per ms: 12 is exactly half


def test_rounding_is_exact_for_ten_hour_offsets():
    ten_hours = 10 * 3600 * SR
    assert samples_to_ms(ten_hours + 12, SR) == 36_000_001
    assert samples_to_ms(ten_hours + 11, SR) == 36_000_000


def test_timestamps():
    assert format_timestamp(3_723_004, ",") == "01:02:03,004"
    assert format_timestamp(0, ".") == "00:00:00.000"
    assert format_timestamp(100 * 3_600_000 + 1, ".") == "100:00:00.001"  # hours grow, never wrap


def test_wrap_text_by_words():
    text = "The quick brown fox jumps over the lazy dog and keeps running through the forest at night."
    lines = wrap_text(text)
    assert all(len(line) <= MAX_LINE_CHARS for line in lines)
    assert " ".join(lines) == text
    assert wrap_text("  several \n spaces\tand\nlines ") == ["several spaces and lines"]
    assert wrap_text("a " + "x" * 50 + " b", 10) == ["a", "x" * 50, "b"]  # a long word keeps its own line
    assert wrap_text("   ") == []


def test_long_cues_split_inside_their_span():
    words = " ".join(f"word{i}" for i in range(40))  # ~280 characters: several two-line cues
    cue = Cue(1000, 97_000, words, "Ann")
    parts = split_long_cues([cue, Cue(0, 10, "short", "Bob")])
    long_parts, short = parts[:-1], parts[-1]
    assert short == Cue(0, 10, "short", "Bob")
    assert len(long_parts) > 1
    assert long_parts[0].start_sample == 1000 and long_parts[-1].end_sample == 97_000
    for before, after in zip(long_parts, long_parts[1:]):
        assert before.end_sample == after.start_sample  # contiguous, no gaps, no overlap
    assert all(len(wrap_text(part.text)) <= 2 for part in long_parts)
    assert " ".join(part.text for part in long_parts) == words
    assert all(part.speaker == "Ann" for part in long_parts)


def test_srt_format(tmp_path):
    cues = [
        Cue(0, 24_012, "Hello there.", "Ann"),
        Cue(24_012, 24_012, "Empty span: left out.", "Ann"),
        (30_000, 60_000, "A tuple cue works too, and this one is long enough to wrap.", "Bob"),
        Cue(60_000, 70_000, "   ", "Bob"),  # nothing to show
    ]
    path = write_srt(cues, tmp_path / "book.srt", sample_rate=SR)
    assert path.read_text(encoding="utf-8") == (
        "1\n00:00:00,000 --> 00:00:01,001\nHello there.\n\n"
        "2\n00:00:01,250 --> 00:00:02,500\nA tuple cue works too, and this one is\nlong enough to wrap.\n"
    )


def test_vtt_format_with_voices_and_escaping(tmp_path):
    cues = [Cue(0, 12_000, "Fish & chips <now> --> later", "Dr. <Who>"), Cue(12_000, 24_000, "No speaker.", "")]
    path = write_vtt(cues, tmp_path / "book.vtt", sample_rate=SR)
    assert path.read_text(encoding="utf-8") == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:00.500\n<v Dr. &lt;Who&gt;>Fish &amp; chips &lt;now&gt; --&gt; later\n\n"
        "00:00:00.500 --> 00:00:01.000\nNo speaker.\n"
    )
    plain = write_vtt(cues[:1], tmp_path / "plain.vtt", sample_rate=SR, voice_tags=False).read_text()
    assert "<v" not in plain


def test_writers_replace_files_atomically(tmp_path):
    path = tmp_path / "book.srt"
    path.write_text("old")
    write_srt([Cue(0, 24_000, "new", "")], path, sample_rate=SR)
    assert "new" in path.read_text() and list(tmp_path.iterdir()) == [path]


def test_bad_cue_span_is_a_bug(tmp_path):
    with pytest.raises(ValueError):
        write_srt([Cue(100, 50, "backwards", "")], tmp_path / "x.srt", sample_rate=SR)


def test_cues_from_pieces_use_the_chosen_clock_and_skip_empty_pieces():
    pieces = [
        SimpleNamespace(book_start=100, book_end=200, chapter_start=0, chapter_end=100, text="a", speaker="x"),
        SimpleNamespace(book_start=300, book_end=300, chapter_start=200, chapter_end=200, text="b", speaker="x"),
    ]
    assert cues_from_pieces(pieces, "book") == [Cue(100, 200, "a", "x")]
    assert cues_from_pieces(pieces, "chapter") == [Cue(0, 100, "a", "x")]
    with pytest.raises(ValueError):
        cues_from_pieces(pieces, "line")


def test_srt_neutralises_markup_timing_lines_and_entities(tmp_path):
    text = "<i>Hi</i> {\\an8} 00:00:09,000 --> 00:00:10,000 &amp; Fish & chips"
    path = write_srt([Cue(0, 24_000, text, "")], tmp_path / "book.srt", sample_rate=SR, max_line_chars=200)
    assert path.read_text(encoding="utf-8") == (
        "1\n00:00:00,000 --> 00:00:01,000\n"
        "\u2039i\u203aHi\u2039/i\u203a \uff5b\\an8\uff5d 00:00:09,000 --\u203a 00:00:10,000 \uff06amp; Fish & chips\n"
    )


def test_control_characters_are_left_out_of_cues(tmp_path):
    path = write_vtt([Cue(0, 24_000, "a\x00b\x1b[0m c\x0cd", "")], tmp_path / "book.vtt", sample_rate=SR)
    assert path.read_text(encoding="utf-8").splitlines()[-1] == "ab[0m c d"


# --- property: what is written parses back, cue for cue, with a strict parser ---

SRT_TIMING = re.compile(r"(\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3})")
VTT_TIMING = re.compile(r"(\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3})")
SRT_UNESCAPE = str.maketrans({"\u2039": "<", "\u203a": ">", "\uff5b": "{", "\uff5d": "}", "\uff06": "&"})
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def to_ms(groups) -> int:
    hours, minutes, seconds, millis = map(int, groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def parse_strictly(content: str, fmt: str) -> list[tuple[int, int, str, str]]:
    """(start_ms, end_ms, text, speaker) per cue; fails on anything a strict player would misread."""
    if fmt == "srt" and not content:
        return []  # no cues
    assert content.endswith("\n") and "\r" not in content
    blocks = content[:-1].split("\n\n")
    if fmt == "vtt":
        assert blocks.pop(0) == "WEBVTT"
    cues = []
    for number, block in enumerate(blocks, start=1):
        lines = block.split("\n")
        if fmt == "srt":
            assert lines.pop(0) == str(number)
        timing = (SRT_TIMING if fmt == "srt" else VTT_TIMING).fullmatch(lines.pop(0))
        assert timing, block
        assert lines and all(line.strip() for line in lines), block  # no empty line inside a cue
        text = "\n".join(lines)
        assert "-->" not in text and not CONTROL.search(text)
        speaker = ""
        if fmt == "srt":
            assert not re.search(r"<[^>]*>|\{[^}]*\}|&#?\w+;", text), text  # no tag, override block, entity
            text = text.translate(SRT_UNESCAPE)
        else:
            voice = re.match(r"<v ([^>]*)>", text)
            if voice:
                speaker, text = voice.group(1), text[voice.end():]
            for escaped in (text, speaker):
                assert "<" not in escaped and ">" not in escaped
                assert re.fullmatch(r"(?:[^&]|&amp;|&lt;|&gt;)*", escaped, re.DOTALL), escaped
            text, speaker = (html.unescape(part) for part in (text, speaker))
        cues.append((to_ms(timing.groups()[:4]), to_ms(timing.groups()[4:]), text, speaker))
    return cues


tricky_text = st.lists(st.one_of(
    st.text(max_size=30),
    st.sampled_from(["00:00:09,000 --> 00:00:10,000", "00:00:09.000 --> 00:00:10.000", "-->", "\n\n", "\r\n",
                     "12", "\n12\n", "<i>", "</i>", "<b>bold</b>", "{\\an8}", "{x}", "&", "&amp;", "&lt;", "&#38;",
                     "<", ">", "<v Bob>", "WEBVTT", "NOTE", " \u2028 ", "\x00", "\x85"]),
), max_size=12).map("".join)


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.tuples(tricky_text, st.sampled_from(["", "Ann", "Dr. <Who> & co", "a\nb", "\x00", "x\x1by"])),
                      min_size=1, max_size=6),
       durations=st.lists(st.integers(0, 100_000), min_size=6, max_size=6))
def test_written_cues_parse_back_with_their_timings_and_words(tmp_path, texts, durations):
    cues, start = [], 0
    for (text, speaker), duration in zip(texts, durations):
        cues.append(Cue(start, start + duration, text, speaker))
        start += duration
    expected = [(samples_to_ms(c.start_sample, SR), samples_to_ms(c.end_sample, SR), c.text, c.speaker)
                for c in cues]
    expected = [(s, e, text, speaker) for s, e, text, speaker in expected
                if e > s and CONTROL.sub("", text).split()]
    for fmt, writer in (("srt", write_srt), ("vtt", write_vtt)):
        path = writer(cues, tmp_path / f"book.{fmt}", sample_rate=SR)
        parsed = parse_strictly(path.read_text(encoding="utf-8"), fmt)
        assert [(s, e) for s, e, _, _ in parsed] == [(s, e) for s, e, _, _ in expected]
        for (_, _, text, speaker), (_, _, original, original_speaker) in zip(parsed, expected):
            if fmt == "srt":  # SRT's stand-ins ('‹' for '<'...) read back as what they stand for, whoever wrote them
                original = original.translate(SRT_UNESCAPE)
            assert text.split() == CONTROL.sub("", original).split()
            if fmt == "vtt":
                assert speaker == " ".join(CONTROL.sub("", original_speaker).split())
