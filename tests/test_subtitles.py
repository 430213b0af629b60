"""SRT/WebVTT writing: exact times from sample offsets, wrapping, splitting, escaping."""

from types import SimpleNamespace

import pytest

from barkflow.subtitles import (
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
