"""Voice prompts: the three token arrays that condition Bark on a voice.

A prompt is what the reference calls a "history prompt": `semantic_prompt` (n,), `coarse_prompt`
(2, m) and `fine_prompt` (8, m) with m ≈ 1.5 n. They are validated as the reference validates
them, with one-line errors that name the check that failed, and loaded without ever unpickling.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from barkflow.errors import BarkflowError
from barkflow.store.files import atomic_output_path
from barkflow.store.npz import NpyHeader, NpzError, NpzObjectArray, file_kind, read_array, read_header

from .constants import (
    COARSE_RATE_HZ,
    CODEBOOK_SIZE,
    N_COARSE_CODEBOOKS,
    N_FINE_CODEBOOKS,
    PROMPT_KEYS,
    SEMANTIC_RATE_HZ,
    SEMANTIC_TO_COARSE_RATIO,
    SEMANTIC_VOCAB_SIZE,
)

# The reference's alignment check (generate_coarse): about 1.5 coarse frames per semantic token.
COARSE_FRAMES_PER_SEMANTIC_TOKEN = round(SEMANTIC_TO_COARSE_RATIO / N_COARSE_CODEBOOKS, 1)


def coarse_aligned(semantic_tokens: int, coarse_frames: int) -> bool:
    """Whether a history of this many semantic tokens and coarse frames passes the reference's check."""
    return semantic_tokens > 0 and round(coarse_frames / semantic_tokens, 1) == COARSE_FRAMES_PER_SEMANTIC_TOKEN


@dataclass(frozen=True, eq=False)
class VoicePrompt:
    """Token arrays of one voice: semantic (n,) int64, coarse (2, m) int64, fine (8, m) int64."""

    semantic: np.ndarray
    coarse: np.ndarray
    fine: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: dict, where: str = "voice prompt") -> "VoicePrompt":
        """Validate and cast (odd dtypes such as the uint16 `announcer` preset become int64)."""
        missing = [k for k in PROMPT_KEYS if k not in arrays]
        if missing:
            raise BarkflowError(
                f"{where}: missing {', '.join(missing)}; a Bark voice needs semantic_prompt, coarse_prompt and fine_prompt"
            )
        semantic, coarse, fine = (np.asarray(arrays[k]) for k in PROMPT_KEYS)
        for key, arr in zip(PROMPT_KEYS, (semantic, coarse, fine)):
            if arr.dtype.kind not in "iu":
                raise BarkflowError(f"{where}: {key} has dtype {arr.dtype}; token ids must be integers")
        _check(semantic.ndim == 1 and semantic.size > 0, where, f"semantic_prompt must be 1-D and non-empty, got shape {semantic.shape}")
        _check(
            int(semantic.min()) >= 0 and int(semantic.max()) < SEMANTIC_VOCAB_SIZE,
            where,
            f"semantic_prompt ids must be in 0..{SEMANTIC_VOCAB_SIZE - 1}, got {int(semantic.min())}..{int(semantic.max())}",
        )
        for key, arr, rows in (("coarse_prompt", coarse, N_COARSE_CODEBOOKS), ("fine_prompt", fine, N_FINE_CODEBOOKS)):
            _check(arr.ndim == 2 and arr.shape[0] == rows, where, f"{key} must have shape ({rows}, frames), got {arr.shape}")
            if arr.size:
                _check(
                    int(arr.min()) >= 0 and int(arr.max()) < CODEBOOK_SIZE,
                    where,
                    f"{key} codes must be in 0..{CODEBOOK_SIZE - 1}, got {int(arr.min())}..{int(arr.max())}",
                )
        _check(
            coarse_aligned(semantic.size, coarse.shape[1]),
            where,
            f"coarse_prompt has {coarse.shape[1]} frames for {semantic.size} semantic tokens; Bark needs a ratio of "
            f"{COARSE_FRAMES_PER_SEMANTIC_TOKEN}",
        )
        return cls(semantic.astype(np.int64), coarse.astype(np.int64), fine.astype(np.int64))

    def as_arrays(self) -> dict[str, np.ndarray]:
        return {"semantic_prompt": self.semantic, "coarse_prompt": self.coarse, "fine_prompt": self.fine}

    @property
    def seconds(self) -> float:
        return self.coarse.shape[1] / COARSE_RATE_HZ


def _check(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise BarkflowError(f"{where}: {message}")


# A prompt longer than this is not a voice: Bark reads at most the last 256 semantic tokens and
# 630 coarse frames of it (about 8.4 s), and a clone's `whole` window is the recording itself.
# Generous, so long clones still load; bounded, so a file that declares more is refused before
# its data is read (a few MB at most, where a crafted .npz could otherwise inflate gigabytes).
MAX_PROMPT_SECONDS = 600
MAX_PROMPT_ELEMENTS = {
    "semantic_prompt": math.ceil(MAX_PROMPT_SECONDS * SEMANTIC_RATE_HZ),
    "coarse_prompt": N_COARSE_CODEBOOKS * MAX_PROMPT_SECONDS * COARSE_RATE_HZ,
    "fine_prompt": N_FINE_CODEBOOKS * MAX_PROMPT_SECONDS * COARSE_RATE_HZ,
}
MAX_TOKEN_BYTES = 8  # int64: the widest integer a prompt array may hold


def load_npz(path: str | Path) -> VoicePrompt:
    """Read a Suno-style `.npz` voice file safely and validate it.

    Only the three prompt members are read, and only after their `.npy` headers declare a plausible
    shape and integer dtype (barkflow.store.npz); other members are never opened, nothing is unpickled.
    """
    path = Path(path)
    if not path.is_file():
        raise BarkflowError(f"voice file {path} not found; give a path to a Bark .npz voice or a preset name")
    try:
        kind = file_kind(path)
        if kind != "zip":
            raise BarkflowError(_not_a_zip(path, kind))
        with zipfile.ZipFile(path) as archive:
            headers = {}
            for key in PROMPT_KEYS:
                try:
                    info = archive.getinfo(f"{key}.npy")
                except KeyError:
                    continue  # from_arrays names every missing member
                headers[key] = _checked_header(archive, info, path)
            arrays = {key: read_array(archive, header) for key, header in headers.items()}
    except NpzObjectArray as e:  # object arrays need pickle: refused, never executed
        raise BarkflowError(f"voice file {path} holds pickled objects ({e}); refusing to load it") from None
    except NpzError as e:
        raise BarkflowError(f"voice file {path} is not a readable .npz ({e}); re-export or re-download it") from None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as e:
        raise BarkflowError(f"voice file {path} is not a readable .npz ({e}); re-export or re-download it") from None
    return VoicePrompt.from_arrays(arrays, where=f"voice file {path}")


MAX_META_BYTES = 1 << 16  # a clone's barkflow_meta is a few hundred bytes of JSON


def load_npz_meta(path: str | Path, member: str = "barkflow_meta") -> dict:
    """The JSON object in a voice file's string `member` ({} if absent, too large or not JSON); bounded like load_npz."""
    try:
        with zipfile.ZipFile(path) as archive:
            header = read_header(archive, archive.getinfo(f"{member}.npy"))
            if header.dtype.kind != "U" or header.shape != () or header.dtype.itemsize > MAX_META_BYTES:
                return {}
            meta = json.loads(str(read_array(archive, header)[()]))
    except (KeyError, OSError, zipfile.BadZipFile, EOFError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _checked_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> NpyHeader:
    key = info.filename[: -len(".npy")]
    header = read_header(archive, info)
    if header.dtype.kind not in "iu" or header.dtype.itemsize > MAX_TOKEN_BYTES:
        raise BarkflowError(f"voice file {path}: {key} has dtype {header.dtype}; token ids must be integers")
    if header.size > MAX_PROMPT_ELEMENTS[key]:
        raise BarkflowError(
            f"voice file {path}: {key} declares shape {header.shape}, more than a {MAX_PROMPT_SECONDS} s prompt "
            f"(at most {MAX_PROMPT_ELEMENTS[key]:,} tokens); this is not a Bark voice: re-export it"
        )
    return header


def _not_a_zip(path: Path, kind: str) -> str:
    arrays = "semantic_prompt, coarse_prompt and fine_prompt"
    what = {
        "npy": f"is a .npy array, not an .npz voice; save {arrays} together with numpy.savez(path, semantic_prompt=..., coarse_prompt=..., fine_prompt=...)",
        "pickle": "is a Python pickle, not an .npz voice; refusing to load it (unpickling can run code): re-save its arrays with numpy.savez",
        "text": f"is a text file, not an .npz voice (a ZIP of the {arrays} arrays); give the .npz itself, e.g. one barkflow exported",
        "empty": "is empty; re-export or re-download it",
    }.get(kind, "is not an .npz voice (not a ZIP archive); re-export or re-download it")
    return f"voice file {path} {what}"


def save_npz(prompt: VoicePrompt, path: str | Path, **extra: np.ndarray) -> Path:
    """Write a prompt in the reference's layout (plus any `extra` members), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output_path(path) as temporary, open(temporary, "wb") as f:  # a file: savez adds no suffix
        np.savez(f, **prompt.as_arrays(), **extra)
    return path
