"""Export: every format opens with the right length, m4b chapters and tags, per-chapter and per-line
files, subtitles that match the stitched offsets exactly, one-line errors, and levels: every
format's decoded true peak under the ceiling and its loudness that of the WAV."""

import io
import logging
import re
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
import soxr
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.mp4 import MP4
from scipy.signal import resample_poly

from barkflow.errors import BarkflowError
from barkflow.planning.outputs import ExportOptions, StitchOptions
from barkflow.publishing.export import chapter_starts_ms, export, true_peak_dbfs
from barkflow.publishing.stitch import StitchPiece, stitch
from barkflow.publishing.subtitles import samples_to_ms
from barkflow.text.script import BookTags

SR = 24_000
TITLES = ["Chapter One", "Part 2; a = #1 \\ end"]  # FFMETADATA's special characters must survive
# How far a lossy file's length may stray: one codec frame of padding.
FRAME_TOLERANCE = {"wav": 0, "flac": 0, "ogg": 2048, "mp3": 1152, "m4b": 1024}


def tone(seconds: float, frequency: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 * np.sin(2 * np.pi * frequency * t) * rng.uniform(0.6, 1.0, t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def stitched(tmp_path_factory):
    """A two-chapter book, ~4 s: lines 0-1 in chapter 1 (line 0 has two pieces), lines 2-3 in chapter 2."""
    folder = tmp_path_factory.mktemp("pieces")
    spec = [  # (seconds, chapter, line, speaker, text, boundary)
        (0.6, 0, 0, "Ann", "Hello there.", "sentence"),
        (0.9, 0, 0, "Ann", "This second sentence is long enough that its subtitle needs more than two lines, so it is split.", "speaker"),
        (0.5, 0, 1, "Bob", "Hi.", "chapter"),
        (0.8, 1, 2, "Ann", "Chapter two begins.", "paragraph"),
        (0.7, 1, 3, "Bob", "And ends.", "end"),
    ]
    pieces = []
    for index, (seconds, chapter, line, speaker, text, boundary) in enumerate(spec):
        path = folder / f"p{index}.npz"
        np.savez(path, audio=tone(seconds, 200 + 50 * index, index))
        pieces.append(StitchPiece(f"l{line:04d}-s{index:02d}", path, chapter, line, speaker, text, boundary))
    return stitch(pieces, TITLES, StitchOptions(pause_chapter_s=0.5), folder / "masters")


def frames_of(path: Path) -> int:
    if path.suffix == ".m4b":
        return round(MP4(str(path)).info.length * SR)
    return sf.info(str(path)).frames


def master(stitched, chapter: int) -> np.ndarray:
    return sf.read(str(stitched.chapter_files[chapter]), dtype="float32")[0]


def test_every_format_opens_with_the_right_duration(stitched, tmp_path):
    options = ExportOptions(formats=("wav", "flac", "ogg", "mp3", "m4b"), subtitles=())
    written = export(stitched, TITLES, options, tmp_path, "book", BookTags(title="T", author="A"))
    assert [p.name for p in written] == ["book.wav", "book.flac", "book.ogg", "book.mp3", "book.m4b"]
    for path in written:
        assert abs(frames_of(path) - stitched.total_samples) <= FRAME_TOLERANCE[path.suffix[1:]], path.name
        if path.suffix != ".m4b":
            assert sf.info(str(path)).samplerate == SR
    # Lossless files hold the masters to 16-bit precision.
    book = np.concatenate([master(stitched, 0), master(stitched, 1)])
    for name in ("book.wav", "book.flac"):
        np.testing.assert_allclose(sf.read(str(tmp_path / name), dtype="float32")[0], book, atol=1 / 32767)
    assert sf.info(str(tmp_path / "book.wav")).subtype == "PCM_16"
    assert sf.SoundFile(str(tmp_path / "book.flac")).title == "T"
    assert not list(tmp_path.glob(".*partial"))


def test_m4b_has_chapter_markers_at_the_stitched_starts_and_tags(stitched, tmp_path):
    options = ExportOptions(formats=("m4b",), bitrate_kbps=48)
    written = export(stitched, TITLES, options, tmp_path, "book", BookTags(title="My Book", author="Jane Doe"))
    assert [p.name for p in written] == ["book.m4b", "book.srt", "book.vtt"]  # m4b brings book subtitles

    expected_ms = [0, samples_to_ms(stitched.chapter_samples[0], SR)]
    assert chapter_starts_ms(stitched.chapter_samples, SR) == expected_ms
    audio = MP4(str(tmp_path / "book.m4b"))
    assert [(round(c.start * 1000), c.title) for c in audio.chapters] == list(zip(expected_ms, TITLES))
    assert audio["©nam"] == ["My Book"] and audio["©alb"] == ["My Book"] and audio["©ART"] == ["Jane Doe"]

    # ffmpeg reads the same chapters back.
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(tmp_path / "book.m4b")],
        capture_output=True, text=True,
    )  # fmt: skip
    starts = [float(s) for s in re.findall(r"Chapter #0:\d+: start (\d+\.\d+)", probe.stderr)]
    assert [round(s * 1000) for s in starts] == expected_ms


def test_per_chapter_and_per_line_files(stitched, tmp_path):
    options = ExportOptions(formats=("wav", "mp3"), book=False, per_chapter=True, per_line=True)
    written = {p.relative_to(tmp_path).as_posix() for p in export(stitched, TITLES, options, tmp_path, "b", BookTags(title="B", author="A"))}
    chapter_files = {f"b-chapters/b-ch00{n}.{ext}" for n in (1, 2) for ext in ("wav", "mp3", "srt", "vtt")}
    line_files = {f"b-lines/b-l000{n}.{ext}" for n in range(4) for ext in ("wav", "mp3")}
    assert written == chapter_files | line_files  # book=False: no whole-book files

    for index in (0, 1):
        wav = tmp_path / f"b-chapters/b-ch00{index + 1}.wav"
        np.testing.assert_allclose(sf.read(str(wav), dtype="float32")[0], master(stitched, index), atol=1 / 32767)
        assert sf.SoundFile(str(wav)).title == " ".join(TITLES[index].split())
        mp3 = tmp_path / f"b-chapters/b-ch00{index + 1}.mp3"
        assert abs(frames_of(mp3) - stitched.chapter_samples[index]) <= FRAME_TOLERANCE["mp3"]

    line_pieces = {line: [p for p in stitched.pieces if p.line == line] for line in range(4)}
    for line, pieces in line_pieces.items():
        start, end = pieces[0].chapter_start, pieces[-1].chapter_end  # line 0 spans both its pieces
        audio = sf.read(str(tmp_path / f"b-lines/b-l000{line}.wav"), dtype="float32")[0]
        np.testing.assert_allclose(audio, master(stitched, pieces[0].chapter)[start:end], atol=1 / 32767)


def parse_cues(text: str, separator: str) -> list[tuple[int, int]]:
    pattern = rf"(\d+):(\d\d):(\d\d){re.escape(separator)}(\d\d\d) --> (\d+):(\d\d):(\d\d){re.escape(separator)}(\d\d\d)"
    cues = []
    for match in re.finditer(pattern, text):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
        cues.append(((h1 * 60 + m1) * 60_000 + s1 * 1000 + ms1, (h2 * 60 + m2) * 60_000 + s2 * 1000 + ms2))
    return cues


def expected_cue_times(pieces, clock: str) -> list[tuple[int, int]]:
    """Each piece's span on the given clock, in ms."""
    times = []
    for piece in pieces:
        start = samples_to_ms(getattr(piece, f"{clock}_start"), SR)
        end = samples_to_ms(getattr(piece, f"{clock}_end"), SR)
        times.append((start, end))
    return times


def test_subtitle_times_match_the_stitched_offsets_exactly(stitched, tmp_path):
    options = ExportOptions(formats=("wav",), per_chapter=True)
    export(stitched, TITLES, options, tmp_path, "book")

    for clock, files, pieces in [
        ("book", ["book.srt", "book.vtt"], stitched.pieces),
        ("chapter", ["book-chapters/book-ch002.srt", "book-chapters/book-ch002.vtt"], stitched.pieces[3:]),
    ]:
        expected = expected_cue_times(pieces, clock)
        for name in files:
            text = (tmp_path / name).read_text(encoding="utf-8")
            cues = parse_cues(text, "," if name.endswith(".srt") else ".")
            if clock == "book":  # piece 1's text needs three lines, so it becomes two cues
                assert (cues[1][0], cues[2][1]) == expected[1] and cues[1][1] == cues[2][0]
                cues = [cues[0], (cues[1][0], cues[2][1]), *cues[3:]]
            assert cues == expected, name
    vtt = (tmp_path / "book.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n") and "<v Ann>Hello there." in vtt and "<v Bob>Hi." in vtt


@pytest.mark.parametrize(
    "options, field",
    [
        (dict(formats=("aiff",)), "export.formats"),
        (dict(subtitles=("ass",)), "export.subtitles"),
        (dict(bitrate_kbps=0), "export.bitrate_kbps"),
        (dict(bitrate_kbps=64.5), "export.bitrate_kbps"),
        (dict(per_chapter="yes"), "export.per_chapter"),
        (dict(title=3), "export.title"),
        (dict(formats=("m4b",), per_line=True), "export.per_line"),
        (dict(formats=("wav",), book=False), "export.formats"),
        (dict(formats=(), subtitles=()), "export"),
        (dict(formats=5), "export.formats"),
    ],
)
def test_bad_options_are_one_line_errors(options, field):
    with pytest.raises(BarkflowError) as error:
        ExportOptions(**options)
    assert field in str(error.value) and "\n" not in str(error.value)


def test_options_are_normalised():
    options = ExportOptions(formats=["WAV", ".mp3", "wav"], subtitles="srt")  # as Hydra may pass them
    assert options.formats == ["wav", "mp3"] and options.subtitles == ["srt"]


def test_unwritable_out_dir_is_named(stitched, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(BarkflowError, match="not-a-folder"):
        export(stitched, TITLES, ExportOptions(), blocker / "out", "book")


def test_bad_basename_and_missing_masters(stitched, tmp_path):
    with pytest.raises(BarkflowError, match="basename"):
        export(stitched, TITLES, ExportOptions(), tmp_path, "../book")
    broken = type(stitched)(**{**vars(stitched), "chapter_files": [tmp_path / "gone.wav", *stitched.chapter_files[1:]]})
    with pytest.raises(BarkflowError, match="gone.wav.*stitch"):
        export(broken, TITLES, ExportOptions(), tmp_path, "book")


def test_missing_encoders_fail_before_anything_is_written(stitched, tmp_path, monkeypatch):
    no_mp3 = {name: info for name, info in sf.available_formats().items() if name != "MP3"}
    monkeypatch.setattr(sf, "available_formats", lambda: no_mp3)
    with pytest.raises(BarkflowError, match="mp3 needs libsndfile"):
        export(stitched, TITLES, ExportOptions(formats=("wav", "mp3")), tmp_path / "a", "book")
    assert not (tmp_path / "a").exists()

    def no_ffmpeg():
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    with pytest.raises(BarkflowError, match="m4b export needs ffmpeg"):
        export(stitched, TITLES, ExportOptions(formats=("m4b",)), tmp_path / "b", "book")
    with pytest.raises(BarkflowError, match="ogg export needs ffmpeg"):  # it measures the decoded peak
        export(stitched, TITLES, ExportOptions(formats=("wav", "ogg")), tmp_path / "c", "book")
    assert not (tmp_path / "c").exists()


# --- levels -------------------------------------------------------------------------------

ALL_FORMATS = ("wav", "flac", "ogg", "mp3", "m4b")
PEAK_TOLERANCE_DB = 0.1  # our meter (soxr) and this one (scipy) oversample with different filters
LOUDNESS_TOLERANCE_LU = 0.5


def decoded(path: Path) -> np.ndarray:
    """What a player hears: soundfile for wav/flac/ogg/mp3, ffmpeg for m4b (AAC)."""
    if path.suffix == ".m4b":
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"]
        return np.frombuffer(subprocess.run(command, capture_output=True, check=True).stdout, "<f4").astype(np.float64)
    return sf.read(str(path), dtype="float64")[0]


def true_peak_of(audio: np.ndarray) -> float:
    """An independent meter: 4x polyphase oversampling (scipy), in dBFS."""
    return 20 * np.log10(max(np.abs(audio).max(), np.abs(resample_poly(audio, 4, 1)).max()))


def levels_per_format(result, tmp_path: Path) -> dict[str, tuple[float, float]]:
    """format -> (decoded true peak dBFS, integrated loudness LUFS) of the whole-book file."""
    export(result, [f"C{i}" for i in range(len(result.chapter_files))],
           ExportOptions(formats=ALL_FORMATS, subtitles=()), tmp_path, "book")  # fmt: skip
    levels = {}
    for name in ALL_FORMATS:
        audio = decoded(tmp_path / f"book.{name}")
        levels[name] = (true_peak_of(audio), pyloudnorm.Meter(SR).integrated_loudness(audio))
    return levels


def espeak(text: str) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "--stdout", "-s", "170", text], capture_output=True, check=True).stdout
    audio, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return soxr.resample(audio, rate, SR).astype(np.float32)  # Bark's rate


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """Two chapters of real speech (espeak-ng), about 7 s, stitched with the default loudness and ceiling."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); CI has it")
    folder = tmp_path_factory.mktemp("speech")
    spec = [
        ("The quick brown fox jumps over the lazy dog.", 0, "sentence"),
        ("She sells sea shells by the sea shore, every summer!", 0, "chapter"),
        ("Chapter two begins with a loud and clear voice.", 1, "end"),
    ]
    pieces = []
    for index, (text, chapter, boundary) in enumerate(spec):
        path = folder / f"p{index}.npz"
        np.savez(path, audio=espeak(text))
        pieces.append(StitchPiece(f"l{index:04d}-s00", path, chapter, index, "Ann", text, boundary))
    return stitch(pieces, ["One", "Two"], StitchOptions(), folder / "masters")


def test_speech_keeps_the_true_peak_ceiling_and_one_loudness_in_every_format(spoken, tmp_path):
    levels = levels_per_format(spoken, tmp_path)
    ceiling = StitchOptions().peak_dbfs
    wav_lufs = levels["wav"][1]
    for name, (peak, lufs) in levels.items():
        assert peak <= ceiling + PEAK_TOLERANCE_DB, f"{name} true peak {peak:+.2f} dBFS"
        assert abs(lufs - wav_lufs) <= LOUDNESS_TOLERANCE_LU, f"{name} {lufs:.2f} LUFS, wav {wav_lufs:.2f}"
    assert abs(wav_lufs - StitchOptions().loudness_lufs) <= LOUDNESS_TOLERANCE_LU


def test_a_signal_that_codecs_push_over_the_ceiling_is_encoded_again_under_it(tmp_path, caplog):
    """A square wave (harmonics up to 9 kHz) at full scale: the masters' samples sit at the ceiling,
    and every lossy codec's band limit rings over it (without the correction AAC, Vorbis and MP3
    all landed over)."""
    t = np.arange(int(1.5 * SR)) / SR
    harmonics = np.arange(1, int(9000 / 220), 2)
    square = sum(np.sin(2 * np.pi * 220.0 * k * t) / k for k in harmonics) * 4 / np.pi
    path = tmp_path / "square.npz"
    np.savez(path, audio=square.astype(np.float32))
    pieces = [StitchPiece("l0000-s00", path, 0, 0, "Ann", "Saw.", "end")]
    result = stitch(pieces, ["Only"], StitchOptions(loudness_lufs=None, peak_dbfs=-2.0), tmp_path / "masters")
    assert result.peak_dbfs == -2.0
    with caplog.at_level(logging.INFO, logger="barkflow.publishing.export"):
        levels = levels_per_format(result, tmp_path / "out")
    for name, (peak, _) in levels.items():
        assert peak <= -2.0 + PEAK_TOLERANCE_DB, f"{name} true peak {peak:+.2f} dBFS"
    corrected = {name for name in ALL_FORMATS if f"book.{name}: decoded true peak" in caplog.text}
    assert {"ogg", "mp3", "m4b"} <= corrected  # the case really needed the correction


def test_a_file_under_the_ceiling_is_written_as_before(stitched, tmp_path, caplog):
    """No correction, no change: the WAV is the masters in 16-bit PCM, sample for sample."""
    with caplog.at_level(logging.INFO, logger="barkflow.publishing.export"):
        export(stitched, TITLES, ExportOptions(formats=("wav",), subtitles=()), tmp_path, "book")
    assert "decoded true peak" not in caplog.text
    book = np.concatenate([master(stitched, 0), master(stitched, 1)])
    sf.write(str(tmp_path / "plain.wav"), book, SR, subtype="PCM_16")  # libsndfile's own conversion
    expected = sf.read(str(tmp_path / "plain.wav"), dtype="int16")[0]
    np.testing.assert_array_equal(sf.read(str(tmp_path / "book.wav"), dtype="int16")[0], expected)


def test_true_peak_finds_the_peak_between_samples():
    # A sine at a quarter of the rate, sampled 45 degrees off its crests: samples at 0.707, crests at 1.
    n = np.arange(SR)
    quarter_rate = np.sin(np.pi / 2 * n + np.pi / 4) * np.hanning(SR) ** 0.01  # eased in and out: no edge ringing
    assert 20 * np.log10(np.abs(quarter_rate).max()) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_dbfs([quarter_rate], SR) == pytest.approx(0.0, abs=0.05)
    assert true_peak_dbfs([np.zeros(100)], SR) == -np.inf


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(1, 3000),
    cuts=st.lists(st.integers(0, 3000), max_size=6),
)
def test_true_peak_does_not_depend_on_the_block_split(seed, n_samples, cuts):
    audio = np.random.default_rng(seed).uniform(-1, 1, n_samples)
    blocks = np.split(audio, sorted(min(cut, n_samples) for cut in cuts))
    whole = true_peak_dbfs([audio], SR)
    assert true_peak_dbfs(blocks, SR) == whole
    assert whole >= 20 * np.log10(np.abs(audio).max()) - 1e-9  # never under the sample peak (to rounding)


def _mdhd_language(path: Path) -> str:
    """The audio track's language, as MP4 keeps it: three letters packed into the mdhd box."""
    from mutagen.mp4 import Atoms

    with open(path, "rb") as f:
        atoms = Atoms(f)
        mdhd = atoms.path(b"moov", b"trak", b"mdia", b"mdhd")[-1]
        f.seek(mdhd.offset + 8)
        data = f.read(mdhd.length - 8)
    at = 20 if data[0] == 0 else 32  # after version/flags and the times (32-bit in version 0, 64-bit in 1)
    packed = int.from_bytes(data[at:at + 2], "big")
    return "".join(chr(((packed >> shift) & 31) + 0x60) for shift in (10, 5, 0))


@pytest.mark.parametrize("language, id3_code, mp4_code", [
    ("en", "eng", "eng"), ("en-US", "eng", "eng"), ("DE", "ger", "deu"), ("fr", "fre", "fra"), ("zh-Hans", "chi", "zho"),
])
def test_the_language_is_written_as_id3_and_mp4_expect(stitched, tmp_path, language, id3_code, mp4_code):
    from mutagen.id3 import ID3

    from barkflow.text.script import BookTags

    options = ExportOptions(formats=("mp3", "m4b"), title="T", author="A")
    export(stitched, TITLES, options, tmp_path, "b", BookTags(language=language))
    assert str(ID3(str(tmp_path / "b.mp3"))["TLAN"]) == id3_code  # ISO 639-2/B
    assert _mdhd_language(tmp_path / "b.m4b") == mp4_code  # ISO 639-2/T


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12) | st.sampled_from(["en", "pt-BR", "nb", "iw", "sr-Latn", "eng", "ger", "x-klingon"]))
def test_any_language_tag_becomes_a_639_2_code_or_none(tag):
    from barkflow.publishing.export import iso_639_2

    for terminology in (False, True):
        code = iso_639_2(tag, terminology=terminology)
        assert code == "" or (len(code) == 3 and code.isascii() and code.isalpha() and code.islower())
    if tag[:2].lower() in ("en", "de") and tag[2:3] in ("", "-", "_"):
        assert iso_639_2(tag)
