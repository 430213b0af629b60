"""Stitch rendered segments into one master WAV per chapter.

Input: the rendered pieces in book order, each a float32 mono clip in a `.npz` (key "audio") and
the kind of boundary that follows it. Output: `chapter_001.wav`, `chapter_002.wav`, ... (32-bit
float, the masters that export encodes) and the exact sample span of every piece, which drives
subtitles and per-line files.

How a chapter is laid out:
- each piece is trimmed of leading/trailing silence (samples under `silence_threshold_db`), keeping
  TRIM_MARGIN_S on each side; a silent piece trims to nothing;
- after each piece comes the pause for its boundary (sentence, paragraph, speaker, chapter; none
  after the last piece of the book). The chapter pause ends the chapter's file, so the book is
  exactly the chapter files played back to back;
- pieces joined with no pause may overlap by a short equal-power crossfade (`crossfade_ms`); the
  overlap is shared, so the earlier piece's span ends after the later one's starts.

Loudness: one gain per chapter (or one for the whole book) brings the integrated loudness
(ITU-R BS.1770-4, computed exactly as pyloudnorm does) to `loudness_lufs`. After the gain a
memoryless soft-knee limiter keeps every sample at or under `peak_dbfs` (see `soft_limit`). It
is a safety net, not a mastering limiter: if the target needs a lot of it, the result lands a
little under the target, and a warning says so. Peaks between samples, and those lossy codecs add,
can still rise over the ceiling; export measures every file it writes and holds its true peak to
`peak_dbfs` (see `barkflow.publishing.export`).

Memory: nothing holds a chapter. Pass 1 loads the pieces one at a time and feeds the laid-out
stream to a streaming loudness meter (K-weighting filter state carried across pieces, one energy
per 100 ms hop kept). Pass 2 loads them again, one at a time, and writes gain-adjusted, limited
audio straight to the WAV. Without a loudness target there is only pass 2.

Same inputs, same bytes: the work is a fixed sequence of numpy operations, and the WAV's PEAK
chunk (which holds a timestamp) is switched off.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.errors import BarkflowError
from barkflow.planning.outputs import StitchOptions
from barkflow.store.files import atomic_output_path

log = logging.getLogger(__name__)

BOUNDARIES = ("sentence", "paragraph", "speaker", "chapter", "end")
TRIM_MARGIN_S = 0.010  # silence kept around trimmed speech, so consonant onsets and tails survive
LIMITER_KNEE_DB = 2.0  # the soft limiter leaves samples this far under the ceiling untouched

# BS.1770 gating, as in pyloudnorm.Meter
LOUDNESS_BLOCK_S = 0.400
LOUDNESS_HOP_S = 0.100  # 75 % block overlap
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LOUDNESS_OFFSET = -0.691

_SFC_SET_ADD_PEAK_CHUNK = 0x1050  # libsndfile command; see atomic_sound_file


# --- inputs and options -------------------------------------------------------------------


@dataclass(frozen=True)
class StitchPiece:
    """One rendered segment, in book order, and the kind of boundary that follows it."""

    segment_id: str  # stable id, e.g. "l0012-s01"
    audio_path: Path  # float32 mono .npz with key "audio" (named in messages)
    chapter: int  # 0-based index (messages say index + 1)
    line: int  # the script file's line number (names per-line files); equal for the pieces of one line
    speaker: str
    text: str
    boundary: str  # one of BOUNDARIES: what follows this piece
    # Silences a script's pause cues ask for: after the piece, instead of its boundary's pause (a
    # chapter's file then ends with it); before it, only for the first piece of the book.
    pause_before_s: Optional[float] = None
    pause_after_s: Optional[float] = None
    # The checked reader of a cached piece (the runner's: it verifies the entry's checksum and
    # recomputes a bad one); None reads audio_path as a plain file.
    load_audio: Optional[Callable[[], np.ndarray]] = field(default=None, compare=False, repr=False)


# --- results ------------------------------------------------------------------------------


@dataclass
class PlacedPiece:
    """Where a piece landed, in samples (end exclusive). Crossfaded neighbours overlap."""

    segment_id: str
    chapter: int
    line: int
    speaker: str
    text: str
    book_start: int
    book_end: int
    chapter_start: int
    chapter_end: int


@dataclass
class StitchResult:
    sample_rate: int
    chapter_files: list[Path]  # one float32 WAV per chapter: the masters export encodes
    chapter_samples: list[int]
    pieces: list[PlacedPiece]
    total_samples: int
    gains_db: list[float]  # gain applied per chapter
    loudness_lufs: list[float] = field(default_factory=list)  # measured on each written chapter
    peak_dbfs: float = -1.0  # the ceiling: the masters' sample peak; export holds every file's true peak to it


# --- the step -----------------------------------------------------------------------------


def stitch(
    pieces: Sequence[StitchPiece],
    chapter_titles: Sequence[str],
    options: StitchOptions,
    out_dir: Path,
    sample_rate: int = SAMPLE_RATE,
) -> StitchResult:
    """Lay the pieces out with pauses, normalise loudness, and write one master WAV per chapter."""
    chapters = _group_by_chapter(pieces, chapter_titles)
    out_dir = prepare_out_dir(out_dir)
    layout = _Layout.from_options(options, sample_rate)

    if options.loudness_lufs is None:
        gains_db = [0.0] * len(chapters)
    else:
        gains_db = _loudness_gains(chapters, chapter_titles, layout, options)

    chapter_files, chapter_samples, placed, output_lufs = [], [], [], []
    book_offset = 0
    for index, (chapter_pieces, gain_db) in enumerate(zip(chapters, gains_db)):
        path = out_dir / f"chapter_{index + 1:03d}.wav"
        spans, n_samples, lufs = _write_chapter(chapter_pieces, path, layout, gain_db, options.peak_dbfs)
        for piece, (start, end) in zip(chapter_pieces, spans):
            placed.append(
                PlacedPiece(
                    segment_id=piece.segment_id, chapter=piece.chapter, line=piece.line,
                    speaker=piece.speaker, text=piece.text,
                    book_start=book_offset + start, book_end=book_offset + end,
                    chapter_start=start, chapter_end=end,
                )
            )  # fmt: skip
        chapter_files.append(path)
        chapter_samples.append(n_samples)
        output_lufs.append(lufs)
        book_offset += n_samples

    return StitchResult(
        sample_rate=sample_rate,
        chapter_files=chapter_files,
        chapter_samples=chapter_samples,
        pieces=placed,
        total_samples=book_offset,
        gains_db=gains_db,
        loudness_lufs=output_lufs,
        peak_dbfs=options.peak_dbfs,
    )


def _group_by_chapter(pieces: Sequence[StitchPiece], chapter_titles: Sequence[str]) -> list[list[StitchPiece]]:
    """Check the pieces are in book order with consistent boundaries; split them by chapter.

    A malformed sequence is a bug upstream (ValueError); a chapter with nothing to say is the
    user's script (BarkflowError).
    """
    if not pieces:
        raise BarkflowError("stitch: there are no rendered pieces; the script has no text to read")
    chapters: list[list[StitchPiece]] = [[] for _ in chapter_titles]
    for i, piece in enumerate(pieces):
        if not 0 <= piece.chapter < len(chapter_titles):
            raise ValueError(f"piece {piece.segment_id}: chapter {piece.chapter} of {len(chapter_titles)}")
        following = pieces[i + 1] if i + 1 < len(pieces) else None
        if following is None:
            allowed = ("end",)
        elif following.chapter == piece.chapter:
            allowed = ("sentence", "paragraph", "speaker")
        elif following.chapter > piece.chapter:
            allowed = ("chapter",)
        else:
            raise ValueError(f"piece {following.segment_id}: chapter {following.chapter} after {piece.chapter}")
        if piece.boundary not in allowed:
            raise ValueError(f"piece {piece.segment_id}: boundary {piece.boundary!r} where {allowed} fits")
        chapters[piece.chapter].append(piece)
    for index, chapter_pieces in enumerate(chapters):
        if not chapter_pieces:
            raise BarkflowError(
                f"stitch: chapter {index + 1} ({chapter_titles[index]!r}) has no text to read; "
                "add text under its heading or remove the heading"
            )
    return chapters


def prepare_out_dir(out_dir: Path) -> Path:
    """Create the output folder, or say in one line why it cannot be used."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BarkflowError(
            f"cannot use output folder {out_dir}: {error.strerror or error}; choose a writable folder"
        ) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise BarkflowError(f"cannot write to output folder {out_dir}; fix its permissions or choose another")
    return out_dir


# --- layout: pieces, pauses, crossfades ---------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The options turned into sample counts."""

    sample_rate: int
    pause_samples: dict[str, int]
    crossfade_samples: int
    trim: bool
    silence_amplitude: float
    trim_margin: int

    def samples(self, seconds: float) -> int:
        return int(round(seconds * self.sample_rate))

    @classmethod
    def from_options(cls, options: StitchOptions, sample_rate: int) -> _Layout:
        def samples(seconds: float) -> int:
            return int(round(seconds * sample_rate))

        return cls(
            sample_rate=sample_rate,
            pause_samples={
                "sentence": samples(options.pause_sentence_s),
                "paragraph": samples(options.pause_paragraph_s),
                "speaker": samples(options.pause_speaker_s),
                "chapter": samples(options.pause_chapter_s),
                "end": 0,
            },
            crossfade_samples=samples(options.crossfade_ms / 1000),
            trim=options.trim_silence,
            silence_amplitude=10 ** (options.silence_threshold_db / 20),
            trim_margin=samples(TRIM_MARGIN_S),
        )


def _lay_out_chapter(
    chapter_pieces: Sequence[StitchPiece], layout: _Layout, emit: Callable[[np.ndarray], None]
) -> tuple[list[tuple[int, int]], int]:
    """Load, trim and lay out one chapter, handing its audio to `emit` in order as it is produced.

    Only one piece is loaded at a time. Returns each piece's (start, end) in the chapter and the
    chapter's length in samples.
    """
    assembler = _Assembler(emit, layout.crossfade_samples)
    spans = []
    previous_pause = None
    for piece in chapter_pieces:
        if piece.pause_before_s:
            assembler.add_silence(layout.samples(piece.pause_before_s))
        audio = _trimmed(_load_piece_audio(piece), layout)
        spans.append(assembler.add_piece(audio, crossfade=previous_pause == 0))
        del audio  # so the next load never has this piece alive beside it
        if piece.pause_after_s is not None:
            previous_pause = layout.samples(piece.pause_after_s)
        else:
            previous_pause = layout.pause_samples[piece.boundary]
        assembler.add_silence(previous_pause)
    assembler.finish()
    return spans, assembler.position


class _Assembler:
    """Appends pieces and silences to a stream, holding back a short tail for crossfades.

    `position` counts the samples laid so far; everything before `position - held` has been
    emitted. The held tail is at most one crossfade long once a piece has been added.
    """

    def __init__(self, emit: Callable[[np.ndarray], None], crossfade_samples: int):
        self._emit = emit
        self._crossfade = crossfade_samples
        self._held = np.zeros(0)
        self._previous_piece_samples = 0  # how far back a crossfade may reach
        self.position = 0

    def add_piece(self, audio: np.ndarray, crossfade: bool) -> tuple[int, int]:
        overlap = 0
        if crossfade:
            overlap = min(self._crossfade, self._previous_piece_samples, self._held.size, audio.size)
        start = self.position - overlap
        if overlap:
            fade_in, fade_out = _equal_power_fades(overlap)
            mixed = self._held[-overlap:] * fade_out + audio[:overlap] * fade_in
            self._held = np.concatenate([self._held[:-overlap], mixed, audio[overlap:]])
        else:
            self._held = np.concatenate([self._held, audio])
        self.position = start + audio.size
        if audio.size:
            self._previous_piece_samples = audio.size
        self._release(keep=self._crossfade)
        return start, self.position

    def add_silence(self, n_samples: int) -> None:
        if n_samples:
            self._held = np.concatenate([self._held, np.zeros(n_samples)])
            self.position += n_samples
            self._previous_piece_samples = 0
            self._release(keep=self._crossfade)

    def finish(self) -> None:
        self._release(keep=0)

    def _release(self, keep: int) -> None:
        ready = self._held.size - keep
        if ready > 0:
            self._emit(self._held[:ready])
            self._held = self._held[ready:].copy()  # a copy, so the piece's buffer can be freed


def _equal_power_fades(n: int) -> tuple[np.ndarray, np.ndarray]:
    """sin/cos ramps over n samples: the two gains' squares sum to 1, so the level stays even."""
    phase = (np.arange(n) + 0.5) / n * (np.pi / 2)
    return np.sin(phase), np.cos(phase)


def _load_piece_audio(piece: StitchPiece) -> np.ndarray:
    """A piece's samples as a 1-D float array; a missing or bad file is a one-line error."""
    path = Path(piece.audio_path)
    fix = "delete it and render again"
    if piece.load_audio is not None:
        return _checked_audio(piece, piece.load_audio(), path, fix)
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.ndarray):  # a plain .npy
            audio = loaded
        else:
            with loaded:
                audio = loaded["audio"]
    except FileNotFoundError:
        raise BarkflowError(f"segment {piece.segment_id}: audio file {path} is missing; render again") from None
    except (OSError, KeyError, ValueError, EOFError) as error:
        raise BarkflowError(f"segment {piece.segment_id}: cannot read audio {path} ({error}); {fix}") from None
    return _checked_audio(piece, audio, path, fix)


def _checked_audio(piece: StitchPiece, audio: np.ndarray, path: Path, fix: str) -> np.ndarray:
    audio = np.squeeze(audio)
    if audio.ndim > 1 or not np.issubdtype(audio.dtype, np.floating):
        raise BarkflowError(
            f"segment {piece.segment_id}: {path} holds {audio.dtype} audio of shape {audio.shape}, "
            f"not mono float; {fix}"
        )
    audio = audio.reshape(-1)
    if not np.isfinite(audio).all():
        raise BarkflowError(f"segment {piece.segment_id}: {path} contains NaN or infinite samples; {fix}")
    return audio


def _trimmed(audio: np.ndarray, layout: _Layout) -> np.ndarray:
    """The piece without leading/trailing silence (float64); empty if it is all silence."""
    if layout.trim and audio.size:
        loud = np.abs(audio) > layout.silence_amplitude
        if not loud.any():
            return np.zeros(0)
        first = int(np.argmax(loud))
        last = audio.size - int(np.argmax(loud[::-1]))  # exclusive
        audio = audio[max(0, first - layout.trim_margin) : min(audio.size, last + layout.trim_margin)]
    return audio.astype(np.float64)


# --- loudness -----------------------------------------------------------------------------


class StreamingLoudnessMeter:
    """Integrated loudness (ITU-R BS.1770-4) of a mono signal fed in blocks of any size.

    It reproduces `pyloudnorm.Meter(rate).integrated_loudness` on the concatenated blocks: the
    same K-weighting biquads (run with carried filter state), 400 ms blocks every 100 ms, the
    same block count rule and gates. Memory: one float per 100 ms of signal.
    """

    def __init__(self, sample_rate: int = SAMPLE_RATE):
        # here, not with the module: scipy.signal takes seconds to import, and a rerun with its
        # outputs up to date measures nothing
        from pyloudnorm.iirfilter import IIRfilter

        self.sample_rate = sample_rate
        # K-weighting exactly as pyloudnorm builds it: high shelf (+4 dB at 1.5 kHz), then high pass.
        stages = (
            IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass"),
        )
        self._filters = [(stage.b, stage.a) for stage in stages]
        self._filter_states = [np.zeros(max(len(a), len(b)) - 1) for b, a in self._filters]
        self._hop = int(round(LOUDNESS_HOP_S * sample_rate))
        self._hop_energies: list[np.ndarray] = []  # sum of squares per completed hop
        self._partial_energy = 0.0
        self._partial_samples = 0
        self.n_samples = 0

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import lfilter

        weighted = np.asarray(block, dtype=np.float64)
        for i, (b, a) in enumerate(self._filters):
            weighted, self._filter_states[i] = lfilter(b, a, weighted, zi=self._filter_states[i])
        squares = weighted * weighted
        self.n_samples += squares.size

        used = 0
        if self._partial_samples:
            used = min(self._hop - self._partial_samples, squares.size)
            self._partial_energy += float(squares[:used].sum())
            self._partial_samples += used
            if self._partial_samples == self._hop:
                self._hop_energies.append(np.array([self._partial_energy]))
                self._partial_energy, self._partial_samples = 0.0, 0
        full_hops = (squares.size - used) // self._hop
        if full_hops:
            end = used + full_hops * self._hop
            self._hop_energies.append(squares[used:end].reshape(full_hops, self._hop).sum(axis=1))
            used = end
        if used < squares.size:
            self._partial_energy += float(squares[used:].sum())
            self._partial_samples += squares.size - used

    def integrated_loudness(self) -> float:
        """LUFS; -inf when the signal is silent or shorter than one 400 ms block."""
        hops_per_block = int(round(LOUDNESS_BLOCK_S / LOUDNESS_HOP_S))
        block_samples = self._hop * hops_per_block
        if self.n_samples < block_samples:
            return -math.inf
        energies = list(self._hop_energies)
        if self._partial_samples:
            energies.append(np.array([self._partial_energy]))
        hop_energy = np.concatenate(energies)
        # pyloudnorm's block count: it rounds, so a final block may run past the end (zeros there).
        duration_s = self.n_samples / self.sample_rate
        n_blocks = int(np.round((duration_s - LOUDNESS_BLOCK_S) / LOUDNESS_HOP_S)) + 1
        padded = np.zeros(n_blocks + hops_per_block - 1)
        used = min(hop_energy.size, padded.size)
        padded[:used] = hop_energy[:used]
        block_power = np.convolve(padded, np.ones(hops_per_block), mode="valid") / block_samples

        with np.errstate(divide="ignore"):
            block_lufs = LOUDNESS_OFFSET + 10 * np.log10(block_power)
        above_absolute = block_lufs >= ABSOLUTE_GATE_LUFS
        if not above_absolute.any():
            return -math.inf
        relative_gate = LOUDNESS_OFFSET + 10 * np.log10(block_power[above_absolute].mean()) + RELATIVE_GATE_LU
        gated = (block_lufs > relative_gate) & (block_lufs > ABSOLUTE_GATE_LUFS)
        return float(LOUDNESS_OFFSET + 10 * np.log10(block_power[gated].mean()))


def _loudness_gains(
    chapters: list[list[StitchPiece]], chapter_titles: Sequence[str], layout: _Layout, options: StitchOptions
) -> list[float]:
    """Pass 1: measure the laid-out chapters (and book) and choose the gain for each chapter."""
    book_meter = StreamingLoudnessMeter(layout.sample_rate)
    chapter_lufs, chapter_peaks = [], []
    for chapter_pieces in chapters:
        chapter_meter = StreamingLoudnessMeter(layout.sample_rate)
        peak = 0.0

        def measure(block: np.ndarray) -> None:
            nonlocal peak
            chapter_meter.add(block)
            book_meter.add(block)
            if block.size:
                peak = max(peak, float(np.abs(block).max()))

        _lay_out_chapter(chapter_pieces, layout, measure)
        chapter_lufs.append(chapter_meter.integrated_loudness())
        chapter_peaks.append(peak)

    target = options.loudness_lufs
    if options.loudness_scope == "book":
        book_lufs = book_meter.integrated_loudness()
        if not math.isfinite(book_lufs):
            log.warning("the book is silent or under 0.4 s long; its loudness is left as it is")
            gains = [0.0] * len(chapters)
        else:
            gains = [target - book_lufs] * len(chapters)
    else:
        gains = []
        for index, lufs in enumerate(chapter_lufs):
            if math.isfinite(lufs):
                gains.append(target - lufs)
            else:
                log.warning(
                    "chapter %d (%r) is silent or under 0.4 s long; its loudness is left as it is",
                    index + 1, chapter_titles[index],
                )  # fmt: skip
                gains.append(0.0)

    ceiling_db = options.peak_dbfs
    for index, (gain, peak) in enumerate(zip(gains, chapter_peaks)):
        peak_after_gain_db = 20 * math.log10(peak) + gain if peak > 0 else -math.inf
        if peak_after_gain_db > ceiling_db:
            log.warning(
                "chapter %d (%r): reaching %g LUFS puts peaks at %+.1f dBFS; the limiter holds them at "
                "%g dBFS, so the chapter ends up slightly quieter (lower stitch.loudness_lufs to avoid it)",
                index + 1, chapter_titles[index], target, peak_after_gain_db, ceiling_db,
            )  # fmt: skip
    return gains


# --- writing ------------------------------------------------------------------------------


def soft_limit(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """Memoryless soft-knee peak limiter (in place): |output| <= ceiling for any input.

    Samples within LIMITER_KNEE_DB of the ceiling or below pass unchanged. Above the knee the
    magnitude follows knee + span * tanh((|x| - knee) / span), which joins the identity with the
    same slope and approaches the ceiling without reaching it. No look-ahead and no release: it
    shapes individual samples, so it is cheap, stateless and deterministic, but heavy use
    distorts (a warning is logged when the chosen gain needs it).
    """
    knee = ceiling * 10 ** (-LIMITER_KNEE_DB / 20)
    span = ceiling - knee
    magnitude = np.abs(samples)
    over = magnitude > knee
    if over.any():
        curve = knee + span * np.tanh((magnitude[over] - knee) / span)
        limited = np.minimum(curve, ceiling)  # tanh rounds to exactly 1 for large inputs
        samples[over] = np.sign(samples[over]) * limited
    return samples


def _float32_ceiling(ceiling: float) -> np.float32:
    """The largest float32 not above `ceiling`, so rounding to float32 cannot cross it."""
    as_float32 = np.float32(ceiling)
    return np.nextafter(as_float32, np.float32(0)) if as_float32 > ceiling else as_float32


def _write_chapter(
    chapter_pieces: Sequence[StitchPiece], path: Path, layout: _Layout, gain_db: float, peak_dbfs: float
) -> tuple[list[tuple[int, int]], int, float]:
    """Pass 2: lay the chapter out again, apply gain and limiter, write the master WAV."""
    gain = 10 ** (gain_db / 20)
    ceiling = 10 ** (peak_dbfs / 20)
    ceiling32 = _float32_ceiling(ceiling)
    meter = StreamingLoudnessMeter(layout.sample_rate)
    written = 0

    with atomic_sound_file(path, layout.sample_rate, format="WAV", subtype="FLOAT") as wav:

        def write(block: np.ndarray) -> None:
            nonlocal written
            out = soft_limit(block * gain, ceiling).astype(np.float32)
            np.clip(out, -ceiling32, ceiling32, out=out)
            meter.add(out)
            wav.write(out)
            written += out.size

        spans, n_samples = _lay_out_chapter(chapter_pieces, layout, write)

    assert written == n_samples, f"laid out {n_samples} samples but wrote {written}"
    return spans, n_samples, meter.integrated_loudness()


@contextmanager
def atomic_sound_file(path: Path, sample_rate: int, *, format: str, subtype: str) -> Iterator[sf.SoundFile]:
    """A mono SoundFile open on a temporary name, moved onto `path` only if the block succeeds."""
    with atomic_output_path(path, write_errors=(OSError, sf.LibsndfileError)) as temporary:
        with sound_file_writer(temporary, sample_rate, format=format, subtype=subtype) as sound_file:
            yield sound_file


@contextmanager
def sound_file_writer(path: Path, sample_rate: int, *, format: str, subtype: str) -> Iterator[sf.SoundFile]:
    """A mono SoundFile open for writing at `path`, with no timestamp in it (see _disable_peak_chunk)."""
    with sf.SoundFile(path, "w", sample_rate, 1, subtype=subtype, format=format) as sound_file:
        if format.upper() in ("WAV", "WAVEX"):
            _disable_peak_chunk(sound_file)
        yield sound_file


def _disable_peak_chunk(sound_file: sf.SoundFile) -> None:
    """libsndfile stamps float WAVs with a PEAK chunk holding the wall-clock time; leave it out so
    reruns are bit-identical. soundfile has no public call for this, so use its libsndfile handle."""
    try:
        sf._snd.sf_command(sound_file._file, _SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, 0)
    except AttributeError:  # a future soundfile without these internals: still correct, not bit-stable
        log.warning("could not disable the WAV PEAK chunk; reruns may differ in that chunk's timestamp")
