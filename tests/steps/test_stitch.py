"""Stitching: exact layout, trimming, crossfades, loudness, limiting, determinism and memory."""

import logging
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from barkflow.errors import BarkflowError
from barkflow.planning.outputs import StitchOptions
from barkflow.publishing import stitch as stitch_module
from barkflow.publishing.stitch import (
    LIMITER_KNEE_DB,
    TRIM_MARGIN_S,
    StitchPiece,
    StreamingLoudnessMeter,
    soft_limit,
    stitch,
)

SR = 24_000
RAW = dict(trim_silence=False, loudness_lufs=None)  # layout only: no trimming, no gain


def loud(n: int, amplitude: float = 0.1, seed: int = 0) -> np.ndarray:
    """Noise whose every sample is between amplitude/2 and amplitude in magnitude (nothing to trim)."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.5, 1.0, n) * rng.choice([-1.0, 1.0], n) * amplitude).astype(np.float32)


def speechlike(seconds: float, amplitude: float, seed: int) -> np.ndarray:
    """Noise bursts with gaps, so gating and trimming have something to do."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    n_hops = n // 2400 + 1
    levels = rng.uniform(0.2, 1.0, n_hops) * (rng.random(n_hops) > 0.2)  # about one 100 ms hop in 5 silent
    envelope = np.repeat(levels, 2400)[:n]
    return (rng.standard_normal(n) * envelope * amplitude).astype(np.float32)


def make_pieces(tmp_path: Path, spec: list[tuple[np.ndarray, int, str]], speaker: str = "narrator") -> list[StitchPiece]:
    """spec: (audio, chapter, boundary) per piece, in order; each piece is its own script line."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    pieces = []
    for index, (audio, chapter, boundary) in enumerate(spec):
        path = tmp_path / f"piece{index:03d}.npz"
        np.savez(path, audio=np.asarray(audio, dtype=np.float32))
        pieces.append(
            StitchPiece(f"l{index:04d}-s01", path, chapter, index, speaker, f"Sentence number {index}.", boundary)
        )
    return pieces


def read(path: Path) -> np.ndarray:
    audio, rate = sf.read(path, dtype="float32")
    assert rate == SR
    return audio


def test_pauses_and_offsets_are_exact(tmp_path):
    a, b, c, d, e = loud(1000, seed=1), loud(2000, seed=2), loud(1500, seed=3), loud(700, seed=4), loud(900, seed=5)
    pieces = make_pieces(
        tmp_path,
        [(a, 0, "sentence"), (b, 0, "paragraph"), (c, 0, "speaker"), (d, 0, "chapter"), (e, 1, "end")],
    )
    options = StitchOptions(pause_sentence_s=0.1, pause_paragraph_s=0.5, pause_speaker_s=0.25, pause_chapter_s=1.0, **RAW)
    result = stitch(pieces, ["One", "Two"], options, tmp_path / "out")

    pause = {"sentence": 2400, "paragraph": 12000, "speaker": 6000, "chapter": 24000}
    chapter_one = np.concatenate(
        [a, np.zeros(pause["sentence"]), b, np.zeros(pause["paragraph"]), c, np.zeros(pause["speaker"]),
         d, np.zeros(pause["chapter"])]
    ).astype(np.float32)  # fmt: skip
    np.testing.assert_array_equal(read(result.chapter_files[0]), chapter_one)
    np.testing.assert_array_equal(read(result.chapter_files[1]), e)  # nothing follows the book's last piece

    starts = [0, 1000 + 2400, 3400 + 2000 + 12000, 17400 + 1500 + 6000]
    for piece, start, audio in zip(result.pieces[:4], starts, (a, b, c, d)):
        assert (piece.chapter_start, piece.chapter_end) == (start, start + audio.size)
        assert (piece.book_start, piece.book_end) == (start, start + audio.size)
    last = result.pieces[4]
    assert (last.chapter_start, last.chapter_end) == (0, 900)
    assert (last.book_start, last.book_end) == (chapter_one.size, chapter_one.size + 900)
    assert result.chapter_samples == [chapter_one.size, 900]
    assert result.total_samples == chapter_one.size + 900
    assert result.gains_db == [0.0, 0.0]
    assert [p.segment_id for p in result.pieces] == [p.segment_id for p in pieces]
    assert [f.name for f in result.chapter_files] == ["chapter_001.wav", "chapter_002.wav"]
    assert sf.info(result.chapter_files[0]).subtype == "FLOAT"


def test_trimming_keeps_a_margin_and_treats_quiet_noise_as_silence(tmp_path):
    margin = round(TRIM_MARGIN_S * SR)
    hiss = loud(3000, amplitude=10 ** (-60 / 20), seed=7)  # under the -45 dBFS threshold
    speech = loud(5000, seed=8)
    padded = np.concatenate([hiss[:1000], speech, hiss[1000:]])
    pieces = make_pieces(tmp_path, [(padded, 0, "sentence"), (speech, 0, "end")])
    options = StitchOptions(pause_sentence_s=0.1, loudness_lufs=None)
    result = stitch(pieces, ["Only"], options, tmp_path / "out")

    first, second = result.pieces
    assert first.chapter_end - first.chapter_start == speech.size + 2 * margin
    assert second.chapter_start == first.chapter_end + 2400
    assert second.chapter_end - second.chapter_start == speech.size  # nothing to trim: no margin added
    audio = read(result.chapter_files[0])
    np.testing.assert_array_equal(audio[: first.chapter_end], padded[1000 - margin : 1000 + speech.size + margin])


def test_zero_length_and_silent_pieces_contribute_only_their_pause(tmp_path):
    a, b = loud(1000, seed=1), loud(1000, seed=2)
    silent = np.zeros(5000, dtype=np.float32)
    empty = np.zeros(0, dtype=np.float32)
    pieces = make_pieces(
        tmp_path, [(a, 0, "sentence"), (empty, 0, "paragraph"), (silent, 0, "sentence"), (b, 0, "end")]
    )
    result = stitch(pieces, ["Only"], StitchOptions(loudness_lufs=None), tmp_path / "out")
    spans = [(p.chapter_start, p.chapter_end) for p in result.pieces]
    sentence, paragraph = 4800, 14400  # the default pauses
    assert spans == [
        (0, 1000),
        (1000 + sentence,) * 2,
        (1000 + sentence + paragraph,) * 2,
        (1000 + 2 * sentence + paragraph, 2000 + 2 * sentence + paragraph),
    ]
    assert result.total_samples == 2000 + 2 * sentence + paragraph


def test_a_chapter_of_only_silence_is_written_without_gain(tmp_path, caplog):
    pieces = make_pieces(tmp_path, [(loud(SR, seed=1), 0, "chapter"), (np.zeros(SR), 1, "end")])
    with caplog.at_level(logging.WARNING):
        result = stitch(pieces, ["Speech", "Silence"], StitchOptions(), tmp_path / "out")
    assert result.gains_db[1] == 0.0 and result.chapter_samples[1] == 0
    assert "chapter 2 ('Silence') is silent" in caplog.text


def test_crossfade_overlaps_pieces_joined_without_pause(tmp_path):
    a = np.full(1000, 0.1, dtype=np.float32)
    b = np.full(800, -0.05, dtype=np.float32)
    c = np.full(600, 0.07, dtype=np.float32)
    pieces = make_pieces(tmp_path, [(a, 0, "sentence"), (b, 0, "paragraph"), (c, 0, "end")])
    options = StitchOptions(pause_sentence_s=0.0, pause_paragraph_s=0.1, crossfade_ms=10.0, **RAW)
    result = stitch(pieces, ["Only"], options, tmp_path / "out")

    overlap = 240
    first, second, third = result.pieces
    assert (first.chapter_start, first.chapter_end) == (0, 1000)
    assert (second.chapter_start, second.chapter_end) == (1000 - overlap, 1000 - overlap + 800)
    assert third.chapter_start == second.chapter_end + 2400  # a pause: no crossfade
    assert result.total_samples == 1000 + 800 - overlap + 2400 + 600

    audio = read(result.chapter_files[0])
    phase = (np.arange(overlap) + 0.5) / overlap * np.pi / 2
    expected = 0.1 * np.cos(phase) - 0.05 * np.sin(phase)  # equal power: cos² + sin² = 1
    np.testing.assert_allclose(audio[1000 - overlap : 1000], expected, atol=1e-7)
    np.testing.assert_array_equal(audio[: 1000 - overlap], a[: 1000 - overlap])
    np.testing.assert_array_equal(audio[1000 : second.chapter_end], b[overlap:])


def test_crossfade_is_never_longer_than_the_shorter_piece(tmp_path):
    pieces = make_pieces(tmp_path, [(loud(1000, seed=1), 0, "sentence"), (loud(100, seed=2), 0, "end")])
    options = StitchOptions(pause_sentence_s=0.0, crossfade_ms=20.0, **RAW)
    result = stitch(pieces, ["Only"], options, tmp_path / "out")
    assert result.pieces[1].chapter_start == 900
    assert result.total_samples == 1000


def chapters_at_two_levels(tmp_path: Path) -> list[StitchPiece]:
    return make_pieces(
        tmp_path,
        [
            (speechlike(1.5, 0.02, seed=1), 0, "sentence"),
            (speechlike(1.0, 0.03, seed=2), 0, "chapter"),
            (speechlike(1.2, 0.1, seed=3), 1, "speaker"),
            (speechlike(1.3, 0.08, seed=4), 1, "end"),
        ],
    )


def test_chapter_scope_brings_each_chapter_to_the_target(tmp_path):
    pieces = chapters_at_two_levels(tmp_path)
    result = stitch(pieces, ["Quiet", "Loud"], StitchOptions(loudness_lufs=-20.0), tmp_path / "out")
    meter = pyloudnorm.Meter(SR)
    for path, reported in zip(result.chapter_files, result.loudness_lufs):
        measured = meter.integrated_loudness(read(path).astype(np.float64))
        assert measured == pytest.approx(-20.0, abs=0.1)
        assert reported == pytest.approx(measured, abs=0.05)
    assert result.gains_db[0] - result.gains_db[1] > 10  # the quiet chapter got much more gain


def test_book_scope_uses_one_gain_and_keeps_chapters_relative_levels(tmp_path):
    pieces = chapters_at_two_levels(tmp_path)
    raw = stitch(pieces, ["Quiet", "Loud"], StitchOptions(loudness_lufs=None), tmp_path / "raw")
    result = stitch(pieces, ["Quiet", "Loud"], StitchOptions(loudness_lufs=-23.0, loudness_scope="book"), tmp_path / "out")

    assert result.gains_db[0] == result.gains_db[1]
    book = np.concatenate([read(path) for path in result.chapter_files]).astype(np.float64)
    assert pyloudnorm.Meter(SR).integrated_loudness(book) == pytest.approx(-23.0, abs=0.1)
    raw_difference = raw.loudness_lufs[1] - raw.loudness_lufs[0]
    assert result.loudness_lufs[1] - result.loudness_lufs[0] == pytest.approx(raw_difference, abs=0.05)


def test_streaming_meter_equals_pyloudnorm_on_the_whole_signal():
    rng = np.random.default_rng(3)
    parts = [speechlike(s, a, seed) for s, a, seed in [(1.3, 0.05, 1), (0.7, 0.2, 2), (2.1, 0.01, 3)]]
    whole = np.concatenate([parts[0], np.zeros(7000), parts[1], np.zeros(SR), parts[2]]).astype(np.float64)

    meter = StreamingLoudnessMeter(SR)
    position = 0
    for size in [0, 1, 2399, 2401, 9600, *rng.integers(1, 30_000, 20)]:  # block sizes unrelated to the 100 ms hop
        meter.add(whole[position : position + size])
        position += size
    meter.add(whole[position:])

    expected = pyloudnorm.Meter(SR).integrated_loudness(whole)
    assert meter.integrated_loudness() == pytest.approx(expected, abs=0.05)
    assert meter.integrated_loudness() == pytest.approx(expected, abs=1e-4)  # the same algorithm, not merely close


def test_streaming_meter_on_silence_and_too_short_signals_is_minus_infinity():
    silent, short = StreamingLoudnessMeter(SR), StreamingLoudnessMeter(SR)
    silent.add(np.zeros(SR))
    short.add(loud(SR // 4))
    assert silent.integrated_loudness() == -np.inf
    assert short.integrated_loudness() == -np.inf


def test_stitched_loudness_measurement_matches_pyloudnorm_across_pieces(tmp_path):
    pieces = chapters_at_two_levels(tmp_path)
    result = stitch(pieces, ["Quiet", "Loud"], StitchOptions(loudness_lufs=None), tmp_path / "out")
    for path, reported in zip(result.chapter_files, result.loudness_lufs):
        assert reported == pytest.approx(pyloudnorm.Meter(SR).integrated_loudness(read(path).astype(np.float64)), abs=0.05)


def test_peaks_never_exceed_the_ceiling(tmp_path, caplog):
    spiky = speechlike(2.0, 0.05, seed=5)
    spiky[::997] = 0.9  # sparse clicks far above the speech
    pieces = make_pieces(tmp_path, [(spiky, 0, "end")])
    with caplog.at_level(logging.WARNING):
        result = stitch(pieces, ["Only"], StitchOptions(loudness_lufs=-10.0, peak_dbfs=-1.0), tmp_path / "out")
    assert np.abs(read(result.chapter_files[0])).max() <= 10 ** (-1.0 / 20)
    assert "limiter" in caplog.text


def test_soft_limit_is_transparent_under_the_knee_and_bounded_above():
    ceiling = 10 ** (-1 / 20)
    knee = ceiling * 10 ** (-LIMITER_KNEE_DB / 20)
    x = np.linspace(-1e6, 1e6, 200_001)
    x = np.concatenate([x, np.linspace(-1.5, 1.5, 30_001)])
    x.sort()
    y = soft_limit(x.copy(), ceiling)
    assert np.abs(y).max() <= ceiling
    under = np.abs(x) <= knee
    np.testing.assert_array_equal(y[under], x[under])
    assert np.all(np.diff(y) >= 0)  # monotonic: no fold-over distortion


def test_same_inputs_give_bit_identical_files(tmp_path):
    pieces = chapters_at_two_levels(tmp_path)
    options = StitchOptions(crossfade_ms=5.0, pause_sentence_s=0.0)
    first = stitch(pieces, ["Quiet", "Loud"], options, tmp_path / "first")
    second = stitch(pieces, ["Quiet", "Loud"], options, tmp_path / "second")
    for a, b in zip(first.chapter_files, second.chapter_files):
        assert a.read_bytes() == b.read_bytes()
    assert first.pieces == second.pieces and first.gains_db == second.gains_db
    assert not list((tmp_path / "first").glob(".*partial"))  # no temporary files left behind


def test_only_one_piece_is_ever_loaded_at_a_time(tmp_path, monkeypatch):
    boundaries = ["chapter" if i % 10 == 9 else "sentence" for i in range(29)] + ["end"]
    pieces = make_pieces(tmp_path, [(loud(SR // 2, seed=i), i // 10, b) for i, b in enumerate(boundaries)])

    # Watch every array made from a piece: the loaded one and its trimmed copy.
    piece_arrays: list[weakref.ref] = []
    alive_at_each_load = []

    def watch(function):
        def watched(*args):
            array = function(*args)
            piece_arrays.append(weakref.ref(array))
            return array

        return watched

    watched_load = watch(stitch_module._load_piece_audio)

    def load(piece):  # no gc.collect(): a piece must be freed by reference counting, straight away
        alive_at_each_load.append(sum(ref() is not None for ref in piece_arrays))
        return watched_load(piece)

    monkeypatch.setattr(stitch_module, "_load_piece_audio", load)
    monkeypatch.setattr(stitch_module, "_trimmed", watch(stitch_module._trimmed))
    stitch(pieces, ["A", "B", "C"], StitchOptions(crossfade_ms=10.0, pause_sentence_s=0.0), tmp_path / "out")
    assert len(alive_at_each_load) == 60  # two passes: measure, then write
    assert max(alive_at_each_load) == 0


def test_peak_memory_is_far_below_the_book_size(tmp_path):
    pieces = make_pieces(tmp_path, [(loud(SR, seed=i), 0, "sentence") for i in range(59)] + [(loud(SR), 0, "end")])
    tracemalloc.start()
    try:
        result = stitch(pieces, ["Only"], StitchOptions(), tmp_path / "out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    book_bytes = result.total_samples * 4  # the book as float32: ~6.9 MB for 60 s plus pauses
    assert peak < book_bytes / 3


@pytest.mark.parametrize(
    "field, value",
    [
        ("pause_sentence_s", -0.1),
        ("pause_chapter_s", float("nan")),
        ("pause_paragraph_s", "long"),
        ("crossfade_ms", 10_000),
        ("trim_silence", "yes"),
        ("silence_threshold_db", 3.0),
        ("loudness_lufs", 5.0),
        ("loudness_scope", "album"),
        ("peak_dbfs", 1.0),
        ("peak_dbfs", True),
    ],
)
def test_bad_options_name_the_field(field, value):
    with pytest.raises(BarkflowError) as error:
        StitchOptions(**{field: value})
    message = str(error.value)
    assert f"stitch.{field}" in message and "\n" not in message


def test_user_problems_are_one_line_errors(tmp_path):
    gap = make_pieces(tmp_path / "gap", [(loud(1000), 0, "chapter"), (loud(1000), 2, "end")])
    with pytest.raises(BarkflowError, match="chapter 2 \\('Empty'\\) has no text"):
        stitch(gap, ["A", "Empty", "C"], StitchOptions(), tmp_path / "out")
    with pytest.raises(BarkflowError, match="no rendered pieces"):
        stitch([], ["A"], StitchOptions(), tmp_path / "out")

    missing = [StitchPiece("l0000-s01", tmp_path / "gone.npz", 0, 0, "n", "t", "end")]
    with pytest.raises(BarkflowError, match="l0000-s01.*gone.npz.*missing"):
        stitch(missing, ["A"], StitchOptions(), tmp_path / "out")

    nan_audio = loud(1000)
    nan_audio[5] = np.nan
    with pytest.raises(BarkflowError, match="NaN"):
        stitch(make_pieces(tmp_path / "nan", [(nan_audio, 0, "end")]), ["A"], StitchOptions(), tmp_path / "out")

    np.savez(tmp_path / "wrong_key.npz", samples=loud(100))
    wrong_key = [StitchPiece("l0000-s01", tmp_path / "wrong_key.npz", 0, 0, "n", "t", "end")]
    with pytest.raises(BarkflowError, match="cannot read audio"):
        stitch(wrong_key, ["A"], StitchOptions(), tmp_path / "out")

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    good = make_pieces(tmp_path / "good", [(loud(1000), 0, "end")])
    with pytest.raises(BarkflowError, match="a-file"):
        stitch(good, ["A"], StitchOptions(), blocker / "out")


@pytest.mark.parametrize(
    "boundaries, chapters",
    [
        (["sentence", "sentence"], [0, 0]),  # the last piece must end the book
        (["end", "end"], [0, 0]),  # "end" in the middle
        (["sentence", "end"], [0, 1]),  # chapter changes without a "chapter" boundary
        (["chapter", "end"], [0, 0]),  # "chapter" but the chapter goes on
        (["chapter", "end"], [1, 0]),  # chapters out of order
        (["whisper", "end"], [0, 0]),
    ],
)
def test_inconsistent_piece_sequences_are_bugs(tmp_path, boundaries, chapters):
    pieces = make_pieces(tmp_path, [(loud(100), c, b) for b, c in zip(boundaries, chapters)])
    with pytest.raises(ValueError):
        stitch(pieces, ["A", "B"], StitchOptions(), tmp_path / "out")
