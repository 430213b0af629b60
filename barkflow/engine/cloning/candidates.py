"""Clone candidates: aligned windows of a recording's tokens, as Bark voice prompts (docs/cloning.md §3.3).

HuBERT runs at 50 frames/s and EnCodec at 75, so T ≈ 1.5 N and Bark's alignment check passes once
both are trimmed to their common duration. Candidates: `whole` (the clip), `end` (its last 768
tokens ≈ 15.4 s, Bark Infinity's ENDCLIP: Bark continues from the *end* of a history) and
`pause-1..k` (the last 512 tokens before each natural pause found in the energy envelope).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from barkflow.errors import BarkflowError

from ..constants import CODEBOOK_SIZE, MAX_SEMANTIC_STEPS, N_COARSE_CODEBOOKS, N_FINE_CODEBOOKS, SAMPLE_RATE
from ..prompts import VoicePrompt, load_npz_meta, save_npz
from .audio import Reference, read_reference
from .hubert import HUBERT_FRAME_RATE, HubertFeatures
from .quantizer import Quantizer

END_TOKENS = MAX_SEMANTIC_STEPS  # `end`: the last 768 tokens (≈15.4 s)
PAUSE_WINDOW_TOKENS = 512  # `pause-N`: the last 512 tokens (≈10.3 s) before the pause
MIN_CANDIDATE_S = 2.0  # a pause window shorter than this is not offered
ENVELOPE_HOP_S = 0.020
PAUSE_MIN_S = 0.20  # a pause is at least this long under the threshold
PAUSE_KEEP_S = 0.10  # a pause window keeps this much of the pause (a clean, finished ending)
PAUSE_DROP_DB = 30.0  # threshold: this far under the speech level (95th percentile of the envelope)...
PAUSE_FLOOR_MARGIN_DB = 6.0  # ...but at least this far over the noise floor (5th percentile)
MAX_PAUSE_CANDIDATES = 8  # the longest pauses win, then they are numbered in time order


@dataclass(frozen=True, eq=False)
class Candidate:
    name: str  # whole | end | pause-N
    prompt: VoicePrompt
    start_s: float
    end_s: float


def frames_for_tokens(tokens: int) -> int:
    """Codec frames that go with `tokens` semantic tokens (1.5 per token, half rounded up)."""
    return (3 * tokens + 1) // 2


def align_tokens(semantic: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trim both streams to their common duration: n tokens (50 Hz) and 1.5 n frames (75 Hz)."""
    n = min(len(semantic), (2 * codes.shape[1]) // 3)
    return semantic[:n], codes[:, : frames_for_tokens(n)]


def find_pauses(audio_24k: np.ndarray) -> list[tuple[float, float]]:
    """(start_s, end_s) of the natural pauses: runs of ≥ PAUSE_MIN_S under the energy threshold.

    The envelope is the RMS of 20 ms hops; the threshold is PAUSE_DROP_DB under the speech level
    (95th percentile) but never closer than PAUSE_FLOOR_MARGIN_DB to the noise floor (5th).
    Pauses that touch the start or the end of the clip are not returned.
    """
    hop = int(round(ENVELOPE_HOP_S * SAMPLE_RATE))
    n = len(audio_24k) // hop
    if n < 3:
        return []
    frames = np.asarray(audio_24k[: n * hop], dtype=np.float64).reshape(n, hop)
    db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    speech, floor = np.percentile(db, 95), np.percentile(db, 5)
    threshold = min(speech - PAUSE_FLOOR_MARGIN_DB, max(speech - PAUSE_DROP_DB, floor + PAUSE_FLOOR_MARGIN_DB))
    quiet = np.concatenate([[False], db < threshold, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    min_len = int(math.ceil(PAUSE_MIN_S / ENVELOPE_HOP_S))
    pauses = []
    for a, b in zip(edges[::2], edges[1::2]):
        if b - a >= min_len and a > 0 and b < n:
            pauses.append((float(a * ENVELOPE_HOP_S), float(b * ENVELOPE_HOP_S)))
    return pauses


def candidate_windows(n_tokens: int, pauses: Sequence[tuple[float, float]]) -> list[tuple[str, int, int]]:
    """(name, first token, end token) of every candidate over an aligned clip of `n_tokens` tokens."""
    windows = [("whole", 0, n_tokens), ("end", max(0, n_tokens - END_TOKENS), n_tokens)]
    min_tokens = int(round(MIN_CANDIDATE_S * HUBERT_FRAME_RATE))
    cuts = []
    for start, end in pauses:
        cut = int(round((start + min(PAUSE_KEEP_S, (end - start) / 2)) * HUBERT_FRAME_RATE))
        if min_tokens <= cut < n_tokens - min_tokens // 4:  # a pause right at the end is the `end` candidate
            cuts.append((end - start, cut))
    chosen = sorted(cut for _, cut in sorted(cuts, reverse=True)[:MAX_PAUSE_CANDIDATES])
    for i, cut in enumerate(chosen, start=1):
        windows.append((f"pause-{i}", max(0, cut - PAUSE_WINDOW_TOKENS), cut))
    return windows


def encode_codes(codec, audio_24k: np.ndarray) -> np.ndarray:
    """(8, T) int64 EnCodec codes of 24 kHz audio, checked."""
    codes = codec.encode(np.asarray(audio_24k, dtype=np.float32))
    if isinstance(codes, torch.Tensor):
        codes = codes.detach().cpu().numpy()
    codes = np.asarray(codes)
    if codes.ndim == 3 and codes.shape[0] == 1:
        codes = codes[0]
    if codes.ndim != 2 or codes.shape[0] != N_FINE_CODEBOOKS:
        raise BarkflowError(
            f"the codec returned codes of shape {codes.shape}, not ({N_FINE_CODEBOOKS}, frames): "
            "use EnCodec 24 kHz at 6 kbps"
        )
    if codes.size and (codes.min() < 0 or codes.max() >= CODEBOOK_SIZE):
        raise BarkflowError(f"the codec returned codes outside 0..{CODEBOOK_SIZE - 1}: use EnCodec 24 kHz")
    return codes.astype(np.int64)


def clone_prompt(
    audio_path: str | Path,
    hubert: HubertFeatures,
    quantizer: Quantizer,
    codec,
    candidate: str = "end",
    *,
    reference: Optional[Reference] = None,
) -> list[Candidate]:
    """Voice prompts cloned from a recording: `candidate` = all | whole | end | pause-N.

    Returns every candidate for "all", else a one-element list. Each prompt is validated as a
    Bark voice (shapes, ranges, the 1.5 ratio).
    """
    ref = reference or read_reference(audio_path)
    where = f"clone of {ref.path}"
    feats = hubert(ref.audio_16k)
    if feats.shape[1] != quantizer.input_size:
        raise BarkflowError(
            f"{where}: HuBERT {hubert.source} gives {feats.shape[1]}-d features but quantizer "
            f"{quantizer.source or quantizer.model_id} takes {quantizer.input_size}-d: pair a quantizer with its HuBERT"
        )
    semantic = quantizer(feats)
    codes = encode_codes(codec, ref.audio_24k)
    semantic, codes = align_tokens(semantic, codes)
    windows = candidate_windows(len(semantic), find_pauses(ref.audio_24k))
    names = [w[0] for w in windows]
    if candidate != "all" and candidate not in names:
        raise BarkflowError(f"{where}: no candidate {candidate!r}; this clip has {', '.join(names)}")
    out = []
    for name, a, b in windows:
        if candidate not in ("all", name):
            continue
        fa, fb = frames_for_tokens(a), frames_for_tokens(b)
        fine = codes[:, fa:fb]
        prompt = VoicePrompt.from_arrays(
            {"semantic_prompt": semantic[a:b], "coarse_prompt": fine[:N_COARSE_CODEBOOKS], "fine_prompt": fine},
            where=f"{where} ({name})",
        )
        out.append(Candidate(name, prompt, a / HUBERT_FRAME_RATE, b / HUBERT_FRAME_RATE))
    return out


def write_candidate(candidate: Candidate, path: str | Path, meta: dict) -> Path:
    """A Suno-layout `.npz` (loadable by Bark) plus a `barkflow_meta` JSON string member; atomic."""
    full = {"candidate": candidate.name, "start_s": round(candidate.start_s, 3), "end_s": round(candidate.end_s, 3), **meta}
    return save_npz(candidate.prompt, path, barkflow_meta=np.array(json.dumps(full, sort_keys=True)))


def read_npz_meta(path: str | Path) -> dict:
    """The `barkflow_meta` of a voice file written by write_candidate ({} if none); never unpickles."""
    return load_npz_meta(path)  # bounded: a huge member is never inflated
