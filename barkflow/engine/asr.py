"""Speech recognisers for the verify step: one small interface, any backend.

A recogniser has `identity()` (a string that changes whenever its transcripts could: the cache
key of a transcript includes it) and `transcribe(audios)`: 24 kHz mono float arrays in, one
transcript each out. Models load on the first `transcribe`, so planning and a fully cached rerun
load nothing.

- `sphinx`: PocketSphinx and the English model its wheel ships; no download, rough but offline.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.errors import BarkflowError

SPHINX_RATE = 16_000  # the rate the bundled English acoustic model was trained at


class Recogniser(Protocol):
    def identity(self) -> str: ...

    def transcribe(self, audios: Sequence[np.ndarray]) -> list[str]: ...


def to_pcm16(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Float audio in [-1, 1] at `from_rate` as 16-bit PCM at `to_rate` (soxr's high-quality resampler)."""
    import soxr

    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if from_rate != to_rate:
        audio = soxr.resample(audio, from_rate, to_rate)
    return (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)


class SphinxRecogniser:
    """PocketSphinx with its bundled US English model (acoustic model, language model, dictionary)."""

    def __init__(self) -> None:
        try:
            import pocketsphinx
        except ImportError:
            raise BarkflowError(
                "verify=sphinx needs PocketSphinx: pip install pocketsphinx (or choose verify=whisper or none)"
            ) from None
        self._pocketsphinx = pocketsphinx
        self._decoder = None

    def identity(self) -> str:
        try:
            release = version("pocketsphinx")
        except PackageNotFoundError:
            release = "unknown"
        # The model ships inside the wheel, so the release pins its files; the folder name says which model.
        return f"sphinx|pocketsphinx {release}|{Path(self._pocketsphinx.get_model_path()).name}/en-us"

    def transcribe(self, audios: Sequence[np.ndarray]) -> list[str]:
        if self._decoder is None:
            self._decoder = self._pocketsphinx.Decoder(samprate=SPHINX_RATE, loglevel="FATAL")
        transcripts = []
        for audio in audios:
            pcm = to_pcm16(audio, SAMPLE_RATE, SPHINX_RATE)
            if not pcm.size:  # PocketSphinx fails on an empty buffer; nothing was said
                transcripts.append("")
                continue
            self._decoder.start_utt()
            self._decoder.process_raw(pcm.tobytes(), no_search=False, full_utt=True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
            transcripts.append(hypothesis.hypstr if hypothesis is not None else "")
        return transcripts


def make_recogniser(config) -> Recogniser:
    """The recogniser a VerifyConfig names."""
    if config.recogniser == "sphinx":
        return SphinxRecogniser()
    raise BarkflowError(f"verify.recogniser is {config.recogniser!r}: set it to sphinx, or none to skip verifying")
