"""The review clips: each take of each segment as a 16-bit WAV beside the outputs, with its audio
checks and waveform envelope, and those checks set on the manifest's segments (publish.py calls
`write_clips` and `add_checks` before it writes the manifest; the review page and the studio read
the clips' index).

- `review/<segment id>-t<take>.wav`: made from the cached decode audio, rewritten only when the
  take's decode entry (key and checksum) changed;
- `review/index.json`: every clip's decode key, checks and envelope.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.planning.plan import SEGMENT_ID
from barkflow.publishing.stitch import atomic_sound_file, prepare_out_dir
from barkflow.steps.checks import CHECKS_VERSION, checks_from, measure_audio
from barkflow.store.files import read_json_object, write_text_atomic

log = logging.getLogger(__name__)

REVIEW_DIR = "review"
INDEX = "index.json"
ENVELOPE_POINTS = 120
_CLIP_NAME = re.compile(rf"{SEGMENT_ID.pattern}-t\d+\.wav")


def peak_envelope(audio: np.ndarray, points: int = ENVELOPE_POINTS) -> list[float]:
    """The peak |sample| of each of `points` equal stretches of the clip, capped at 1."""
    audio = np.abs(np.asarray(audio, dtype=np.float64).reshape(-1))
    if not audio.size:
        return []
    bins = np.array_split(audio, min(points, audio.size))
    return [round(min(1.0, float(b.max())), 3) for b in bins]


def add_checks(segments: list[dict], takes: Iterable, clips: dict) -> None:
    """Set each manifest segment's `review_takes` (every take's clip and checks) and `checks` (the
    picked take's), from the clips `write_clips` made of `takes` (the runner's Units)."""
    by_uid: dict[str, list[dict]] = {}
    for unit in takes:
        name = _clip_name(unit.segment_id, unit.take)
        if name in clips:
            entry = {"take": unit.take, "clip": f"{REVIEW_DIR}/{name}", "checks": clips[name]["checks"]}
            by_uid.setdefault(unit.uid, []).append(entry)
    for segment in segments:
        segment["review_takes"] = by_uid.get(segment["uid"], [])
        picked = [t for t in segment["review_takes"] if t["take"] == segment["take"]]
        segment["checks"] = picked[0]["checks"] if picked else None


def _clip_name(segment_id: str, take: int) -> str:
    return f"{segment_id}-t{take}.wav"


def write_clips(folder: Path, units: list, store, measures: Optional[dict] = None) -> dict:
    """Each take's clip, checks and envelope ({clip name: entry}, also kept in the folder's index):
    reused from the index while its decode key is unchanged. `measures`: (uid, take) -> the audio
    measures the verify step took (VerifyResult.measures), so they are not taken again."""
    measures = measures or {}
    prepare_out_dir(folder)
    known = read_clip_index(folder / INDEX)
    present = {entry.name for entry in os.scandir(folder) if entry.is_file()}  # one listing, not a stat a take
    clips = {}
    for unit in units:
        name, key = _clip_name(unit.segment_id, unit.take), unit.keys["decode"]
        entry = known.get(name)
        # The entry's checksum too: a clip made from an entry that was since repaired is made again.
        checksum = store.checksum("decode", key)
        if not (entry and entry.get("key") == key and entry.get("checksum") == checksum and name in present):
            arrays = store.load("decode", key)
            if arrays is None:
                log.warning("review: no decoded audio for %s take %d; it is left off the page",
                            unit.segment_id, unit.take)
                continue
            audio = np.asarray(arrays["audio"], dtype=np.float32).reshape(-1)
            stop_reason = (store.meta("semantic", unit.keys["semantic"]) or {}).get("stop_reason")
            entry = {
                "key": key, "checksum": store.checksum("decode", key),
                "checks": checks_from(measures.get((unit.uid, unit.take)) or measure_audio(audio), unit.text, stop_reason),
                "peaks": peak_envelope(audio),
            }
            with atomic_sound_file(folder / name, SAMPLE_RATE, format="WAV", subtype="PCM_16") as sound_file:
                sound_file.write(np.clip(audio, -1.0, 1.0))
        clips[name] = entry
    for stale in present - clips.keys():  # clips of segments this render no longer has
        if _CLIP_NAME.fullmatch(stale):
            (folder / stale).unlink(missing_ok=True)
    if clips != known:
        write_text_atomic(folder / INDEX, json.dumps({"version": CHECKS_VERSION, "clips": clips}))
    return clips


def read_clip_index(path: Path) -> dict:
    """The clips `index.json` remembers, {clip name: entry}; a damaged index counts as none (clips are remade)."""
    index = read_json_object(path)
    clips = index.get("clips") if index and index.get("version") == CHECKS_VERSION else None
    if isinstance(clips, dict) and all(isinstance(entry, dict) for entry in clips.values()):
        return clips
    if path.exists() and not (index and index.get("version") != CHECKS_VERSION):
        log.warning("review: %s is damaged; the clips are made again", path)
    return {}


def clip_peaks(out_dir: Path) -> dict:
    """The waveform envelope of each clip of the render in `out_dir`, by its path there (as the
    manifest's `review_takes` name it), from the clips' index."""
    clips = read_clip_index(Path(out_dir) / REVIEW_DIR / INDEX)
    return {f"{REVIEW_DIR}/{name}": entry.get("peaks", []) for name, entry in clips.items()}
