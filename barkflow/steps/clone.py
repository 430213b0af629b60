"""Step: a reference recording → a voice prompt (engine: barkflow/engine/cloning/), cached.

Runs before semantic, once per cloned voice. The key covers the recording's *content* (sha256, so
moving or renaming the file keeps the entry), the chosen candidate, and the identities of HuBERT,
the quantizer and the codec. The entry holds the three prompt arrays plus metadata (source file,
its sha256, model ids, the candidate's window).
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from omegaconf import MISSING

from barkflow.engine.constants import DEFAULT_HUBERT
from barkflow.engine.prompts import VoicePrompt
from barkflow.engine.sources import sha256_file
from barkflow.errors import BarkflowError, user_path
from barkflow.store.keys import Key
from barkflow.store.npz import read_array, read_header

if TYPE_CHECKING:
    from barkflow.engine import cloning

# engine.cloning (torch, HuBERT) is imported where a clone is made or its models named, not with
# this module: the config schema imports CloneConfig, and a plan with no cloned voice needs no torch.
log = logging.getLogger(__name__)

NAME = "clone"
VERSION = 1
NEEDS = ()
KEY = Key(NAME, VERSION, ("audio", "candidate", "models"))  # the recording by content, not its path


@dataclass
class CloneConfig:
    """A voice's `clone` entry: the recording and the models that turn it into a prompt."""

    audio: str = MISSING  # reference recording (wav/flac/ogg/mp3), ideally 5-15 s of clean speech
    candidate: str = "end"  # which window becomes the voice: end | whole | pause-N
    hubert: str = DEFAULT_HUBERT  # HuBERT hub id or folder
    quantizer: str = "en"  # quantizer: en | en-large | de | pl | es, a path, a hub file (repo/file.pth), or tiny


def cache_key(clone: CloneConfig, audio_sha256: str, model_ids: dict) -> str:
    """Recording content, candidate and model identities: all that shapes the prompt (not the path)."""
    return KEY(audio=audio_sha256, candidate=clone.candidate, models=dict(model_ids))


def model_ids(clone: CloneConfig, codec_id: str) -> dict[str, str]:
    """Identities of the three models, without loading them (a hub quantizer is downloaded once)."""
    from barkflow.engine import cloning

    return {
        "hubert": cloning.hubert_identity(clone.hubert),
        "quantizer": cloning.quantizer_identity(clone.quantizer),
        "codec": codec_id,
    }


def resolve_audio(clone: CloneConfig, base_dir: Optional[Path] = None) -> Path:
    """The recording's path: as given, else relative to `base_dir` (the folder of the voice entry)."""
    path = user_path(clone.audio)
    if not path.is_absolute() and not path.exists() and base_dir is not None and (base_dir / path).exists():
        path = base_dir / path
    if not path.is_file():
        raise BarkflowError(f"clone.audio {clone.audio} not found: give the path of a wav, flac, ogg or mp3 recording")
    return path


def run(
    clone: CloneConfig,
    store,
    *,
    codec,
    codec_id: str,
    base_dir: Optional[Path] = None,
    hubert: Optional[cloning.HubertFeatures] = None,
    quantizer: Optional[cloning.Quantizer] = None,
    device: str = "cpu",
) -> VoicePrompt:
    """The cloned prompt for `clone`, from the store or computed and stored.

    `codec` is anything with `encode(audio_24k) -> (8, T)`; it is only used on a cache miss, so
    it may be a zero-argument callable returning the codec (loaded lazily). `hubert`/`quantizer`
    default to loading `clone.hubert`/`clone.quantizer`.
    """
    if clone.candidate == "all":
        raise BarkflowError("clone.candidate must name one window (end, whole, pause-N), not all")
    audio = resolve_audio(clone, base_dir)
    sha = sha256_file(audio)
    ids = model_ids(clone, codec_id)
    key = cache_key(clone, sha, ids)
    where = f"clone of {audio} ({clone.candidate})"

    cached = store.load(NAME, key)
    if cached is None:
        with store.claim(NAME, [key], wait=True) as mine:
            if mine and not store.has(NAME, key):
                prompt, meta = _compute(clone, audio, sha, ids, codec, hubert, quantizer, device)
                store.save(NAME, key, prompt.as_arrays(), meta)
        cached = store.load(NAME, key)
        if cached is None:
            raise BarkflowError(f"{where}: the clone entry {key} could not be written or read back: check the cache folder")
    return VoicePrompt.from_arrays(cached, where=where)


def _compute(clone, audio: Path, sha: str, ids: dict, codec, hubert, quantizer, device):
    from barkflow.engine import cloning

    log.info("cloning a voice from %s (candidate %s)", audio, clone.candidate)
    hubert = hubert or cloning.HubertFeatures(clone.hubert, device=device)
    quantizer = quantizer or cloning.Quantizer.load(clone.quantizer, input_size=hubert.hidden_size, device=device)
    if callable(codec) and not hasattr(codec, "encode"):
        codec = codec()
    (candidate,) = cloning.clone_prompt(audio, hubert, quantizer, codec, candidate=clone.candidate)
    meta = {
        "step": NAME,
        "audio": str(audio),
        "audio_sha256": sha,
        "candidate": candidate.name,
        "start_s": round(candidate.start_s, 3),
        "end_s": round(candidate.end_s, 3),
        "hubert": clone.hubert,
        "quantizer": clone.quantizer,
        "model_ids": ids,
    }
    return candidate.prompt, meta


# ---------------------------------------------------------------------------------------------
# training data for the quantizer: (24 kHz audio, semantic tokens) pairs that Bark produced

SEMANTIC_NAMESPACE = "semantic"  # runner: arrays {"tokens": (n,) int}
DECODE_NAMESPACE = "decode"  # runner: arrays {"audio": float32 24 kHz}; meta {"semantic_key": ...}


def _semantic_key_of(meta: dict) -> Optional[str]:
    key = meta.get("semantic_key")
    if key is None and isinstance(meta.get("keys"), dict):
        key = meta["keys"].get(SEMANTIC_NAMESPACE)
    return key if isinstance(key, str) else None


def training_pairs_from_store(store) -> list[tuple]:
    """Every decoded segment in the cache with the semantic tokens it was rendered from.

    A decode entry names its semantic entry in its meta (`semantic_key`); entries without one,
    or whose semantic entry is gone, are skipped.
    """
    folder = store.root / DECODE_NAMESPACE
    keys = sorted(p.stem for p in folder.glob("*/*.npz")) if folder.is_dir() else []
    pairs, unlinked = [], 0
    for key in keys:
        meta = store.meta(DECODE_NAMESPACE, key) or {}
        sem_key = _semantic_key_of(meta)
        if sem_key is None:
            unlinked += 1
            continue
        audio, tokens = store.load(DECODE_NAMESPACE, key), store.load(SEMANTIC_NAMESPACE, sem_key)
        if audio is None or tokens is None or "audio" not in audio or "tokens" not in tokens:
            continue
        pairs.append((audio["audio"].astype("float32"), tokens["tokens"]))
    if not pairs:
        detail = f" ({unlinked} decode entries do not name their semantic entry)" if unlinked else ""
        raise BarkflowError(
            f"no (audio, semantic tokens) pairs in the cache {store.root}{detail}: render a project into it first, "
            "or give a folder of audio files with .npy token files beside them"
        )
    return pairs


MAX_TRAINING_TOKENS = 180_000  # an hour of semantic tokens (49.9 Hz): more is not one clip's tokens


def _training_tokens(audio_path: Path):
    """The tokens beside `audio_path` (`.npy`, else `.npz` member semantic_prompt or tokens), or None.

    Sizes are checked against what the file holds before anything is allocated: an `.npy` is mapped
    (numpy checks its header against the file's length), an `.npz` member's header is checked first.
    """
    import numpy as np

    npy, npz = audio_path.with_suffix(".npy"), audio_path.with_suffix(".npz")
    if npy.is_file():
        mapped = np.load(npy, mmap_mode="r", allow_pickle=False)
        if not isinstance(mapped, np.ndarray) or mapped.ndim != 1 or mapped.dtype.kind not in "iu" or mapped.size > MAX_TRAINING_TOKENS:
            raise ValueError(f"{npy.name} holds shape {getattr(mapped, 'shape', '?')} {getattr(mapped, 'dtype', '')}")
        return np.array(mapped)
    if not npz.is_file():
        return None
    with zipfile.ZipFile(npz) as archive:
        names = [n for n in ("semantic_prompt", "tokens") if f"{n}.npy" in archive.namelist()]
        if not names:
            return None
        header = read_header(archive, archive.getinfo(f"{names[0]}.npy"))
        if len(header.shape) != 1 or header.dtype.kind not in "iu" or header.size > MAX_TRAINING_TOKENS:
            raise ValueError(f"{npz.name}: {names[0]} declares shape {header.shape} {header.dtype}")
        return read_array(archive, header)


def training_pairs_from_folder(folder: Path) -> list[tuple]:
    """`<stem>.wav|flac|ogg|mp3` next to `<stem>.npy` (1-D tokens) or `<stem>.npz` (semantic_prompt or tokens).

    This is bark-data-gen's layout; barkflow's exported line voices (`.npz`) with their audio fit it too.
    """
    from barkflow.engine import cloning

    pairs = []
    for audio_path in sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in cloning.AUDIO_EXTENSIONS):
        try:
            tokens = _training_tokens(audio_path)
        except (ValueError, OSError, zipfile.BadZipFile) as e:
            raise BarkflowError(
                f"training tokens beside {audio_path} could not be read ({e}): they must be 1-D integer arrays of "
                f"at most {MAX_TRAINING_TOKENS:,} tokens (an hour of audio)"
            ) from None
        if tokens is None:
            continue
        audio, rate = cloning.read_audio(audio_path)
        pairs.append((cloning.resample(audio, rate, cloning.SAMPLE_RATE), tokens))
    if not pairs:
        raise BarkflowError(
            f"no training pairs in {folder}: put each audio file next to a .npy of its semantic tokens, or give a barkflow cache folder"
        )
    return pairs


def training_pairs(data: str | Path) -> list[tuple]:
    """Pairs from a barkflow cache folder (it has a decode/ namespace) or a folder of files."""
    path = user_path(data)
    if not path.is_dir():
        raise BarkflowError(f"training data {data} is not a folder: give a barkflow cache folder or a folder of audio + .npy files")
    if (path / DECODE_NAMESPACE).is_dir():
        from barkflow.store.cache import Store

        return training_pairs_from_store(Store(path))
    return training_pairs_from_folder(path)
