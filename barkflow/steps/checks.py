"""The automatic checks on a take's raw decoded audio (before stitch trims or normalises it).

Two halves, so each can be stored where it belongs:
- `measure_audio(audio)`: numbers that depend on the audio alone (the verify step stores them with
  the transcript, under a key that covers the audio);
- `flag(measures, text, stop_reason)`: which checks those numbers fail, given the segment's text and
  why its semantic stage stopped. Cheap, so it is recomputed whenever it is needed.

Silence is 10 ms frames whose peak is under SILENCE_DB. The checks:
- leading_silence / trailing_silence: longer than EDGE_SILENCE_S (1.0 s);
- inner_silence: a quiet stretch between the first and last sound longer than INNER_SILENCE_S (1.5 s);
- silent: no frame above SILENCE_DB at all;
- clipping: any sample with |x| >= CLIP_LEVEL (0.999, the level cloning also checks);
- too_short / too_long: the speech span (first to last sound) against `estimate_seconds(text)`:
  under TOO_SHORT (0.4x) words may be dropped, over TOO_LONG (2.5x) the take rambles;
- max_length: the semantic stage ran to its 768-token limit because end-of-speech never came: the
  end may be cut off, or the take rambles. (A stop at the user's own
  `sampling.semantic.max_gen_duration_s` is a choice, not a defect, and is not flagged.)
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from barkflow.engine.constants import CLIP_LEVEL, SAMPLE_RATE
from barkflow.text.split import estimate_seconds

CHECKS_VERSION = 1  # bump when a check changes: stored measures and clips' checks are recomputed

SILENCE_DB = -45.0
FRAME_S = 0.010
EDGE_SILENCE_S = 1.0
INNER_SILENCE_S = 1.5
TOO_SHORT = 0.4
TOO_LONG = 2.5

CHECKS = ("silent", "leading_silence", "trailing_silence", "inner_silence", "clipping", "too_short", "too_long",
          "max_length")  # fmt: skip
MEASURES = ("seconds", "speech_seconds", "leading_silence_s", "trailing_silence_s", "inner_silence_s",
            "clipped_samples", "peak")  # fmt: skip


def measure_audio(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> dict:
    """The take's length, speech span, silences, clipped samples and peak: {name in MEASURES: number}."""
    audio = np.asarray(audio, dtype=np.float64).reshape(-1)
    seconds = audio.size / sample_rate
    frame = max(1, round(FRAME_S * sample_rate))
    n_frames = -(-audio.size // frame)
    padded = np.zeros(n_frames * frame)
    padded[: audio.size] = np.abs(audio)
    loud = padded.reshape(n_frames, frame).max(axis=1) > 10 ** (SILENCE_DB / 20)
    if loud.any():
        first, last = int(np.argmax(loud)), n_frames - int(np.argmax(loud[::-1]))  # frames [first, last)
        start, end = first * frame, min(last * frame, audio.size)  # samples
        leading, trailing = start / sample_rate, (audio.size - end) / sample_rate
        inner = _longest_run(~loud[first:last]) * frame / sample_rate
        speech = (end - start) / sample_rate
    else:  # silent: speech_seconds 0 says so
        leading = trailing = seconds
        inner = speech = 0.0
    return {
        "seconds": round(seconds, 3), "speech_seconds": round(speech, 3),
        "leading_silence_s": round(leading, 3), "trailing_silence_s": round(trailing, 3),
        "inner_silence_s": round(inner, 3), "clipped_samples": int(np.count_nonzero(np.abs(audio) >= CLIP_LEVEL)),
        "peak": round(float(np.abs(audio).max()) if audio.size else 0.0, 4),
    }


def flag(measures: dict, text: str, stop_reason: Optional[str] = None) -> dict:
    """{check name: message} for each check the take fails."""
    flags = {}
    sounds = measures["speech_seconds"] > 0
    leading, trailing, inner = measures["leading_silence_s"], measures["trailing_silence_s"], measures["inner_silence_s"]
    if not sounds:
        flags["silent"] = f"no sound above {SILENCE_DB:g} dBFS"
    if sounds and leading > EDGE_SILENCE_S:
        flags["leading_silence"] = f"{leading:.1f} s of silence before speech (> {EDGE_SILENCE_S:g} s)"
    if sounds and trailing > EDGE_SILENCE_S:
        flags["trailing_silence"] = f"{trailing:.1f} s of silence after speech (> {EDGE_SILENCE_S:g} s)"
    if inner > INNER_SILENCE_S:
        flags["inner_silence"] = f"a {inner:.1f} s gap inside the speech (> {INNER_SILENCE_S:g} s)"
    clipped = measures["clipped_samples"]
    if clipped:
        flags["clipping"] = f"{clipped} clipped sample{'s' if clipped != 1 else ''} (|x| >= {CLIP_LEVEL:g})"
    speech, expected = measures["speech_seconds"], estimate_seconds(text)
    ratio = speech / expected if expected else None
    if ratio is not None and sounds and ratio < TOO_SHORT:
        flags["too_short"] = f"too short: words may be dropped ({speech:.1f} s for ~{expected:.1f} s of text)"
    if ratio is not None and ratio > TOO_LONG:
        flags["too_long"] = f"too long: rambling ({speech:.1f} s for ~{expected:.1f} s of text)"
    if stop_reason == "max_length":
        flags["max_length"] = "generation hit the 768-token limit without end-of-speech: the end may be cut off"
    return flags


def check_audio(
    audio: np.ndarray, text: str, stop_reason: Optional[str] = None, sample_rate: int = SAMPLE_RATE
) -> dict:
    """The take's measures, the text's expected seconds, the stop reason and `flags` (see `flag`)."""
    return checks_from(measure_audio(audio, sample_rate), text, stop_reason)


def checks_from(measures: dict, text: str, stop_reason: Optional[str] = None) -> dict:
    """`check_audio` from measures taken before (the verify step stores them): no audio is read."""
    return {
        **measures, "expected_seconds": round(estimate_seconds(text), 3), "stop_reason": stop_reason,
        "flags": flag(measures, text, stop_reason),
    }


def _longest_run(mask: np.ndarray) -> int:
    """The length of the longest run of True in a 1-D boolean array."""
    if not mask.any():
        return 0
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())
