"""Reference recordings for cloning: read, check, resample (docs/cloning.md §3.3).

A recording is read with soundfile (wav/flac/ogg/mp3), its channels averaged, checked (long enough,
not silent; a clipped one is a warning), and resampled with soxr to HuBERT's 16 kHz and EnCodec's
24 kHz.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from barkflow.errors import BarkflowError

from ..constants import CLIP_LEVEL, SAMPLE_RATE
from ..sources import sha256_file
from .hubert import HUBERT_SAMPLE_RATE

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
MIN_REFERENCE_S = 2.0
SILENCE_DBFS = -50.0  # RMS below this: the clip is silent
CLIP_FRACTION = 0.005  # more than 0.5 % of samples at full scale: warn


@dataclass(frozen=True, eq=False)
class Reference:
    """A reference recording, checked and resampled for both models."""

    path: Path
    sha256: str
    sample_rate: int  # of the file
    seconds: float
    audio_16k: np.ndarray  # float32 mono, for HuBERT
    audio_24k: np.ndarray  # float32 mono, for EnCodec



def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """float32 mono audio at `rate_out` (soxr, high quality)."""
    audio = np.asarray(audio, dtype=np.float32)
    if rate_in == rate_out:
        return audio
    import soxr

    return np.ascontiguousarray(soxr.resample(audio, rate_in, rate_out, quality="HQ"), dtype=np.float32)


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """(float32 mono samples, sample rate) of a wav/flac/ogg/mp3 file; channels are averaged."""
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise BarkflowError(f"reference audio {path} not found: give the path of a wav, flac, ogg or mp3 recording")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        raise BarkflowError(
            f"reference audio {path} could not be read ({str(e).splitlines()[0] if str(e) else type(e).__name__}): "
            f"use {', '.join(x.lstrip('.') for x in AUDIO_EXTENSIONS)}"
        ) from None
    if data.size == 0:
        raise BarkflowError(f"reference audio {path} is empty: record at least {MIN_REFERENCE_S:g} s of speech")
    mono = data.mean(axis=1, dtype=np.float32)
    if not np.all(np.isfinite(mono)):
        raise BarkflowError(f"reference audio {path} holds NaN or infinite samples: re-export it")
    return mono, int(rate)


def check_reference(audio: np.ndarray, rate: int, where: str) -> float:
    """Errors for a short or silent clip, a warning for a clipped one; returns the length in seconds."""
    seconds = audio.size / rate
    if seconds < MIN_REFERENCE_S:
        raise BarkflowError(
            f"{where} is {seconds:.2f} s long: a clone needs at least {MIN_REFERENCE_S:g} s of speech (5-15 s works best)"
        )
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    rms_db = 20 * math.log10(rms) if rms > 0 else -math.inf
    if rms_db < SILENCE_DBFS:
        raise BarkflowError(
            f"{where} is silent (RMS {rms_db:.1f} dBFS, under {SILENCE_DBFS:g}): check the file, or raise its level"
        )
    clipped = float(np.mean(np.abs(audio) >= CLIP_LEVEL))
    if clipped > CLIP_FRACTION:
        log.warning(
            "%s is clipped (%.2f%% of samples at full scale): the clone will copy the distortion; "
            "use a cleaner recording if you can",
            where,
            100 * clipped,
        )
    return seconds


def read_reference(path: str | Path) -> Reference:
    path = Path(path)
    audio, rate = read_audio(path)
    seconds = check_reference(audio, rate, f"reference audio {path}")
    return Reference(
        path=path,
        sha256=sha256_file(path),
        sample_rate=rate,
        seconds=seconds,
        audio_16k=resample(audio, rate, HUBERT_SAMPLE_RATE),
        audio_24k=resample(audio, rate, SAMPLE_RATE),
    )

