"""A synthetic render of a whole novel, for the review page and the studio at scale: a manifest of
N segments (two takes each, some flagged, some failing the transcript check), the clips' index with
every take's envelope, a few real clips, the master spans, and a script of one line per segment.
No model: what a render leaves in its output folder, written directly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from barkflow.steps.checks import CHECKS_VERSION

RATE = 24_000
PER_CHAPTER = 60
WORDS = "the lamp turned all night over grey water and she said nothing to him until morning came".split()


def line_text(i: int) -> str:
    rng = np.random.default_rng(i)
    words = [WORDS[j] for j in rng.integers(0, len(WORDS), 8 + i % 30)]
    return f"Line {i} " + " ".join(words) + "."


def write_big_book(out: Path, n: int = 5000, takes: int = 2, real_clips: int = 4) -> dict:
    """`out` as a render of an n-segment book leaves it; returns the manifest. Segment i says
    `line_text(i)` and comes from line i + 1 of `out.parent / "book.txt"`."""
    review = out / "review"
    review.mkdir(parents=True, exist_ok=True)
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(RATE // 2) / RATE)).astype(np.float32)
    segments, clips, sample = [], {}, 0
    for i in range(n):
        sid = f"l{i + 1:05d}-s01"
        entries = []
        for take in range(takes):
            name = f"{sid}-t{take}.wav"
            if i < real_clips:
                sf.write(review / name, tone, RATE, subtype="PCM_16")
            flags = {"too_long": "too long: rambling"} if (i + take) % 7 == 0 else {}
            checks = {"seconds": 2.0 + take, "flags": flags}
            peaks = [round(abs(np.sin(i + k / 9)), 3) for k in range(120)]
            clips[name] = {"key": f"k{i}-{take}", "checksum": "c", "checks": checks, "peaks": peaks}
            entry = {"take": take, "clip": f"review/{name}", "checks": checks}
            if i % 11 == 0:
                entry["verify"] = {"transcript": line_text(i) + " so", "wer": 0.4 + take / 10, "cer": 0.2,
                                   "missing": ["lamp"], "extra": ["so"], "substituted": [], "failures": ["wer"],
                                   "passed": False}
            entries.append(entry)
        length = RATE * 2
        segment = {"id": sid, "uid": f"u{i:05d}", "line": i + 1, "chapter": i // PER_CHAPTER + 1,
                   "speaker": "ALICE" if i % 3 else "NARRATOR", "voice": "v2/en_speaker_1", "text": line_text(i),
                   "take": 0, "takes": takes, "start_sample": sample, "end_sample": sample + length,
                   "review_takes": entries, "checks": entries[0]["checks"]}
        if "verify" in entries[0]:
            segment["verify"] = entries[0]["verify"]
        segments.append(segment)
        sample += length
    chapters, count = [], (n + PER_CHAPTER - 1) // PER_CHAPTER
    for c in range(count):
        in_chapter = [s for s in segments[c * PER_CHAPTER:(c + 1) * PER_CHAPTER]]
        chapters.append({"title": f"Chapter title {c + 1}",
                         "samples": in_chapter[-1]["end_sample"] - in_chapter[0]["start_sample"]})
    (out / "master").mkdir(exist_ok=True)
    sf.write(out / "master" / "chapter_001.wav", np.zeros(RATE, dtype=np.float32), RATE, subtype="FLOAT")
    manifest = {"project": "novel", "sample_rate": RATE, "audio_seconds": sample / RATE, "chapters": chapters,
                "segments": segments, "outputs": []}
    (review / "index.json").write_text(json.dumps({"version": CHECKS_VERSION, "clips": clips}))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (out.parent / "book.txt").write_text("".join(f"{s['speaker']}: {s['text']}\n" for s in segments), encoding="utf-8")
    return manifest
