"""HuBERT features of a recording: (frames, hidden) at 50 Hz (docs/cloning.md §4).

The source is a hub id (default facebook/hubert-base-ls960, optionally `id@revision`), a local folder
in the transformers layout (config.json + model.safetensors), or "tiny". A hub id's branch is
resolved to its commit through huggingface_hub's cache, like every Bark source (sources.py), so the
identity names the commit and the model loads from that same commit: a moved branch is a cache miss,
never a stale hit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import torch.nn as nn

from barkflow.errors import BarkflowError, user_path

from ..checkpoints import one_line
from ..constants import DEFAULT_HUBERT
from ..sources import HubRepo, file_sha256

HUBERT_SAMPLE_RATE = 16_000
HUBERT_HOP = 320
HUBERT_RECEPTIVE_FIELD = 400
HUBERT_FRAME_RATE = HUBERT_SAMPLE_RATE / HUBERT_HOP  # 50.0 Hz: the clone's semantic token rate
HUBERT_LAYER = 9  # gitmylo's wrapper: output of transformer layer 9 (= HF hidden_states[9])
HUBERT_CHUNK_S = 30.0  # longer clips run in chunks (attention is quadratic in length)
HUBERT_CONTEXT_FRAMES = 50  # 1 s of context on each side of a chunk, dropped afterwards
TINY_HUBERT_ID = "tiny-hubert/1"


def _split_revision(source: str) -> tuple[str, Optional[str]]:
    if "@" in source and not Path(source).exists():
        name, rev = source.rsplit("@", 1)
        return name, rev or None
    return source, None


def _hub_commit(source: str) -> tuple[str, str]:
    """(repo id, commit) of a hub HuBERT source: its revision (default main) resolved once per
    process through huggingface_hub and its cache, as for every Bark source (sources.py)."""
    if source.startswith((".", "/", "~")) or source.count("/") > 1:
        raise BarkflowError(
            f"HuBERT folder {source} not found: give a folder with config.json and model.safetensors, or a hub id"
        )
    name, rev = _split_revision(source)
    repo = HubRepo(name, rev, download="")  # `hf download <repo>`: the whole model
    return name, repo.commit_for("config.json", f"HuBERT source {source}")


def hubert_identity(source: str) -> str:
    """What a cache key needs to know about a HuBERT source, without loading it.

    tiny → a fixed name; a local folder → sha256 of its config and weight files; a hub id → the id
    and the commit its revision resolves to (one HEAD request, or offline the cache's refs), so a
    moved branch is a new identity.
    """
    if source == "tiny":
        return TINY_HUBERT_ID
    path = user_path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".json", ".safetensors", ".bin"))
        return "folder:" + hashlib.sha256(
            "".join(f"{p.name}={file_sha256(p)};" for p in files).encode()
        ).hexdigest()[:32]
    name, commit = _hub_commit(source)
    return f"hub:{name}@{commit}"


class HubertFeatures:
    """HuBERT layer-`layer` features of 16 kHz audio: (frames, hidden) float32 at 50 Hz.

    source: a hub id (default facebook/hubert-base-ls960, optionally `id@revision`), a local folder
    in the transformers layout (config.json + model.safetensors), or "tiny". The waveform is fed
    unnormalised, as gitmylo's fairseq wrapper feeds it (the quantizers were trained that way).
    """

    def __init__(self, source: str = DEFAULT_HUBERT, *, layer: int = HUBERT_LAYER, device: str | torch.device = "cpu"):
        self.source = source
        self.layer = layer
        self.device = torch.device(device)
        self.model = _load_hubert(source).to(self.device).eval()
        n_layers = self.model.config.num_hidden_layers
        if not 0 <= layer <= n_layers:
            raise BarkflowError(
                f"HuBERT {source} has {n_layers} layers, so its layer {layer} does not exist: use a HuBERT base model"
            )
        self.hidden_size = int(self.model.config.hidden_size)
        self.model_id = hubert_identity(source)

    @torch.inference_mode()
    def __call__(self, audio_16k: np.ndarray) -> np.ndarray:
        audio = np.asarray(audio_16k, dtype=np.float32)
        if audio.size < HUBERT_RECEPTIVE_FIELD:
            raise BarkflowError(f"audio of {audio.size} samples is too short for HuBERT (needs {HUBERT_RECEPTIVE_FIELD})")
        n_frames = (audio.size - HUBERT_RECEPTIVE_FIELD) // HUBERT_HOP + 1
        chunk = max(1, int(HUBERT_CHUNK_S * HUBERT_FRAME_RATE))
        out = []
        for f0 in range(0, n_frames, chunk):
            f1 = min(n_frames, f0 + chunk)
            a = max(0, f0 - HUBERT_CONTEXT_FRAMES)
            b = min(n_frames, f1 + HUBERT_CONTEXT_FRAMES)
            piece = audio[a * HUBERT_HOP : (b - 1) * HUBERT_HOP + HUBERT_RECEPTIVE_FIELD]
            x = torch.from_numpy(np.ascontiguousarray(piece))[None].to(self.device)
            hidden = self.model(x, output_hidden_states=True).hidden_states[self.layer][0]
            out.append(hidden[f0 - a : f1 - a].float().cpu().numpy())
        feats = np.concatenate(out, axis=0)
        assert feats.shape[0] == n_frames, (feats.shape, n_frames)
        return feats


_HUBERTS: dict[tuple, nn.Module] = {}  # (folder or hub id, commit) -> model, for this process


def _load_hubert(source: str) -> nn.Module:
    from transformers import HubertConfig, HubertModel

    if source == "tiny":
        key = (source, None)
    else:
        path = user_path(source)
        if path.is_file():
            raise BarkflowError(
                f"HuBERT source {source} is a file: give a folder in the transformers layout (config.json + "
                f"model.safetensors) or a hub id such as {DEFAULT_HUBERT}; fairseq .pt checkpoints need pickle and are not read"
            )
        # A hub id loads from the commit its identity names.
        key = (str(path), None) if path.is_dir() else _hub_commit(source)
    if key in _HUBERTS:
        return _HUBERTS[key]
    if source == "tiny":
        torch.manual_seed(0)
        model = HubertModel(_tiny_hubert_config(HubertConfig))
    else:
        name, rev = key
        try:
            config = HubertConfig.from_pretrained(name, revision=rev)
            if config.model_type != "hubert":
                raise BarkflowError(f"{source} is a {config.model_type} model, not HuBERT: use {DEFAULT_HUBERT}")
            model = HubertModel.from_pretrained(name, revision=rev, config=config)
        except BarkflowError:
            raise
        except (OSError, ValueError, EnvironmentError) as e:
            raise BarkflowError(
                f"HuBERT model {source} could not be loaded ({one_line(e) or type(e).__name__}): give a reachable hub "
                f"id such as {DEFAULT_HUBERT}, or a local folder with config.json and model.safetensors"
            ) from None
    model.eval()
    _HUBERTS[key] = model
    return model


def _tiny_hubert_config(HubertConfig):
    # Real strides (320-sample hop → 50 Hz) and 9+ layers (layer 9 is read); everything else tiny.
    return HubertConfig(
        hidden_size=32,
        num_hidden_layers=HUBERT_LAYER,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(32,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
    )


def tiny_hubert(out_dir: str | Path, seed: int = 0) -> Path:
    """Write a random-weight HuBERT in the transformers layout (config.json + model.safetensors)."""
    from transformers import HubertConfig, HubertModel

    torch.manual_seed(seed)
    model = HubertModel(_tiny_hubert_config(HubertConfig)).eval()
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir
