"""Voice cloning: a reference recording → Bark voice prompts (docs/cloning.md §3.3, §4).

Pipeline (the gitmylo recipe that Bark Infinity, serp-ai and bark-gui all use)::

    audio file --soundfile--> mono float32 --soxr--> 16 kHz --HuBERT base, layer 9--> (N, 768) at 50 Hz
        --Quantizer (LSTM classifier)--> log-probs over 10,000 ids --argmax--> semantic_prompt (N,)
    mono --soxr--> 24 kHz --EnCodec 6 kbps--> fine_prompt (8, T) at 75 Hz; coarse_prompt = fine_prompt[:2]

HuBERT runs at 50 frames/s and EnCodec at 75, so T ≈ 1.5 N and Bark's alignment check passes once
both are trimmed to their common duration. Candidates: `whole` (the clip), `end` (its last 768
tokens ≈ 15.4 s, Bark Infinity's ENDCLIP: Bark continues from the *end* of a history) and
`pause-1..k` (the last 512 tokens before each natural pause found in the energy envelope).

The quantizer is gitmylo's `CustomTokenizer`, with its parameter names and checkpoint format, so
the published checkpoints load (both versions: LSTM → 10,000 and LSTM → 4,096 → 10,000), and
checkpoints trained here load in gitmylo's code. Checkpoints are read with
`torch.load(weights_only=True)` or safetensors only: a file holding any other pickled object is
refused without being executed.

Small models: `tiny_hubert` / `tiny_quantizer` write random weights in the real layouts. The tiny
HuBERT has a 32-d hidden size (the real one 768); the quantizer's input size always follows the
HuBERT it is paired with (the checkpoint's `.info` records it), and the v1 intermediate layer's
width is read from the weights (4,096 in every published file; 64 in the tiny one).

No Hydra here: the cached step is barkflow/steps/clone.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import torch.nn as nn

from barkflow.errors import BarkflowError

from .constants import (
    CODEBOOK_SIZE,
    MAX_SEMANTIC_STEPS,
    N_COARSE_CODEBOOKS,
    N_FINE_CODEBOOKS,
    SAMPLE_RATE,
    SEMANTIC_RATE_HZ,
    SEMANTIC_VOCAB_SIZE,
)
from .prompts import VoicePrompt, load_npz_meta, save_npz

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")

# --- HuBERT (facebook/hubert-base-ls960: 16 kHz in, 320-sample hop, 400-sample receptive field)
HUBERT_SAMPLE_RATE = 16_000
HUBERT_HOP = 320
HUBERT_RECEPTIVE_FIELD = 400
HUBERT_FRAME_RATE = HUBERT_SAMPLE_RATE / HUBERT_HOP  # 50.0 Hz: the clone's semantic token rate
HUBERT_LAYER = 9  # gitmylo's wrapper: output of transformer layer 9 (= HF hidden_states[9])
DEFAULT_HUBERT = "facebook/hubert-base-ls960"
HUBERT_CHUNK_S = 30.0  # longer clips run in chunks (attention is quadratic in length)
HUBERT_CONTEXT_FRAMES = 50  # 1 s of context on each side of a chunk, dropped afterwards

# --- quantizer (gitmylo CustomTokenizer)
QUANTIZER_HIDDEN = 1024
QUANTIZER_INTERMEDIATE = 4096  # version 1 only
QUANTIZER_LAYERS = 2
QUANTIZER_INFO_MEMBER = ".info"  # "<stem>/.info" appended to the torch zip: JSON sizes + version
QUANTIZER_INFO_METADATA = "quantizer_info"  # the same JSON in a safetensors header
# Published checkpoints, by short name (docs/cloning.md §4.4). Any "owner/repo/file" works.
KNOWN_QUANTIZERS = {
    "en": "GitMylo/bark-voice-cloning/quantifier_hubert_base_ls960_14.pth",
    "en-large": "GitMylo/bark-voice-cloning/quantifier_V1_hubert_base_ls960_23.pth",
    "de": "CountFloyd/bark-voice-cloning-german-HuBERT-quantizer/german-HuBERT-quantizer_14_epoch.pth",
    "pl": "Hobis/bark-voice-cloning-polish-HuBERT-quantizer/polish-HuBERT-quantizer_8_epoch.pth",
    "es": "Lancer1408/bark-es-tokenizer/es_tokenizer.pth",
}

# --- reference checks
MIN_REFERENCE_S = 2.0
SILENCE_DBFS = -50.0  # RMS below this: the clip is silent
CLIP_LEVEL = 0.999
CLIP_FRACTION = 0.005  # more than 0.5 % of samples at full scale: warn

# --- candidates (Bark Infinity's clone_voice)
END_TOKENS = MAX_SEMANTIC_STEPS  # `end`: the last 768 tokens (≈15.4 s)
PAUSE_WINDOW_TOKENS = 512  # `pause-N`: the last 512 tokens (≈10.3 s) before the pause
MIN_CANDIDATE_S = 2.0  # a pause window shorter than this is not offered
ENVELOPE_HOP_S = 0.020
PAUSE_MIN_S = 0.20  # a pause is at least this long under the threshold
PAUSE_KEEP_S = 0.10  # a pause window keeps this much of the pause (a clean, finished ending)
PAUSE_DROP_DB = 30.0  # threshold: this far under the speech level (95th percentile of the envelope)...
PAUSE_FLOOR_MARGIN_DB = 6.0  # ...but at least this far over the noise floor (5th percentile)
MAX_PAUSE_CANDIDATES = 8  # the longest pauses win, then they are numbered in time order

TINY_HUBERT_ID = "tiny-hubert/1"
TINY_QUANTIZER_ID = "tiny-quantizer/1"


# =========================================================================== reference audio


@dataclass(frozen=True, eq=False)
class Reference:
    """A reference recording, checked and resampled for both models."""

    path: Path
    sha256: str
    sample_rate: int  # of the file
    seconds: float
    audio_16k: np.ndarray  # float32 mono, for HuBERT
    audio_24k: np.ndarray  # float32 mono, for EnCodec


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


# =========================================================================== identities

_FINGERPRINTS: dict[tuple, str] = {}


def _file_fingerprint(path: Path) -> str:
    st = path.stat()
    memo = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if memo not in _FINGERPRINTS:
        _FINGERPRINTS[memo] = sha256_file(path)
    return _FINGERPRINTS[memo]


def _split_revision(source: str) -> tuple[str, Optional[str]]:
    if "@" in source and not Path(source).exists():
        name, rev = source.rsplit("@", 1)
        return name, rev or None
    return source, None


def hubert_identity(source: str) -> str:
    """What a cache key needs to know about a HuBERT source, without loading it.

    tiny → a fixed name; a local folder → sha256 of its config and weight files; a hub id → the id
    and revision (pin one with `id@revision` to be sure the weights cannot change under the cache).
    """
    if source == "tiny":
        return TINY_HUBERT_ID
    path = Path(source).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".json", ".safetensors", ".bin"))
        return "folder:" + hashlib.sha256(
            "".join(f"{p.name}={_file_fingerprint(p)};" for p in files).encode()
        ).hexdigest()[:32]
    name, rev = _split_revision(source)
    return f"hub:{name}@{rev or 'main'}"


# =========================================================================== HuBERT


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


_HUBERTS: dict[str, nn.Module] = {}


def _load_hubert(source: str) -> nn.Module:
    from transformers import HubertConfig, HubertModel

    if source in _HUBERTS:
        return _HUBERTS[source]
    if source == "tiny":
        torch.manual_seed(0)
        model = HubertModel(_tiny_hubert_config(HubertConfig))
    else:
        path = Path(source).expanduser()
        if path.is_file():
            raise BarkflowError(
                f"HuBERT source {source} is a file: give a folder in the transformers layout (config.json + "
                f"model.safetensors) or a hub id such as {DEFAULT_HUBERT}; fairseq .pt checkpoints need pickle and are not read"
            )
        name, rev = (str(path), None) if path.is_dir() else _split_revision(source)
        if not path.is_dir() and (source.startswith((".", "/", "~")) or source.count("/") > 1):
            raise BarkflowError(
                f"HuBERT folder {source} not found: give a folder with config.json and model.safetensors, or a hub id"
            )
        try:
            config = HubertConfig.from_pretrained(name, revision=rev)
            if config.model_type != "hubert":
                raise BarkflowError(f"{source} is a {config.model_type} model, not HuBERT: use {DEFAULT_HUBERT}")
            model = HubertModel.from_pretrained(name, revision=rev, config=config)
        except BarkflowError:
            raise
        except (OSError, ValueError, EnvironmentError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise BarkflowError(
                f"HuBERT model {source} could not be loaded ({first}): give a reachable hub id such as "
                f"{DEFAULT_HUBERT}, or a local folder with config.json and model.safetensors"
            ) from None
    model.eval()
    _HUBERTS[source] = model
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


# =========================================================================== quantizer


class CustomTokenizer(nn.Module):
    """gitmylo's quantizer; parameter names as in the published checkpoints.

    version 0: LSTM(input→hidden, 2 layers) → fc(hidden→10,000) → LogSoftmax
    version 1: LSTM(input→hidden, 2 layers) → intermediate(hidden→4,096) → fc(4,096→10,000) → LogSoftmax
    """

    def __init__(
        self,
        hidden_size: int = QUANTIZER_HIDDEN,
        input_size: int = 768,
        output_size: int = SEMANTIC_VOCAB_SIZE,
        version: int = 0,
        *,
        num_layers: int = QUANTIZER_LAYERS,
        intermediate_size: int = QUANTIZER_INTERMEDIATE,
    ):
        super().__init__()
        if version not in (0, 1):
            raise ValueError(f"quantizer version must be 0 or 1, got {version}")
        self.input_size, self.hidden_size, self.output_size, self.version = input_size, hidden_size, output_size, version
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        next_size = hidden_size
        if version == 1:
            self.intermediate = nn.Linear(hidden_size, intermediate_size)
            next_size = intermediate_size
        self.fc = nn.Linear(next_size, output_size)
        self.softmax = nn.LogSoftmax(dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(frames, input) or (batch, frames, input) → log-probs over the classes."""
        x, _ = self.lstm(x)
        if self.version == 1:
            x = self.intermediate(x)
        return self.softmax(self.fc(x))

    def info(self) -> dict:
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "output_size": self.output_size,
            "version": self.version,
        }


class Quantizer:
    """HuBERT features → Bark semantic ids (argmax per frame)."""

    def __init__(self, model: CustomTokenizer, model_id: str, source: str = ""):
        self.model = model.eval()
        self.model_id = model_id
        self.source = source

    @property
    def input_size(self) -> int:
        return self.model.input_size

    @classmethod
    def load(cls, source: str, *, input_size: int = 768, device: str | torch.device = "cpu") -> "Quantizer":
        """A checkpoint by path, `owner/repo[@rev]/file.pth` on the hub, a short name of KNOWN_QUANTIZERS, or "tiny".

        "tiny" is a random quantizer for HuBERT features of `input_size`.
        """
        if source == "tiny":
            return cls(_tiny_quantizer_model(input_size, version=0), TINY_QUANTIZER_ID, source).to(device)
        path = resolve_quantizer_path(source)
        model = load_quantizer_checkpoint(path)
        return cls(model, "sha256:" + _file_fingerprint(path), source).to(device)

    def to(self, device) -> "Quantizer":
        self.model.to(device)
        return self

    @torch.inference_mode()
    def log_probs(self, features: np.ndarray) -> torch.Tensor:
        feats = np.asarray(features, dtype=np.float32)
        if feats.ndim != 2 or feats.shape[1] != self.input_size:
            raise BarkflowError(
                f"quantizer {self.source or self.model_id} takes {self.input_size}-d HuBERT features, got shape "
                f"{feats.shape}: pair it with the HuBERT it was trained on"
            )
        device = next(self.model.parameters()).device
        return self.model(torch.from_numpy(feats).to(device))

    def __call__(self, features: np.ndarray) -> np.ndarray:
        return self.log_probs(features).argmax(dim=-1).cpu().numpy().astype(np.int64)

    def save(self, path: str | Path) -> Path:
        return save_quantizer(self.model, path)


def quantizer_identity(source: str) -> str:
    """What a cache key needs to know about a quantizer source (tiny, or the checkpoint's sha256)."""
    if source == "tiny":
        return TINY_QUANTIZER_ID
    return "sha256:" + _file_fingerprint(resolve_quantizer_path(source))


# owner/repo/file.pth or owner/repo@revision/file.pth (the form loading.py uses for Suno files)
_HUB_FILE_RE = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)(?:@(?P<rev>[\w.-]+))?/(?P<file>.+\.(?:pth?|safetensors))$")


def resolve_quantizer_path(source: str) -> Path:
    """A local checkpoint path for `source` (downloading a hub file through huggingface_hub)."""
    source = KNOWN_QUANTIZERS.get(source, source)
    path = Path(source).expanduser()
    if path.is_file():
        return path
    match = _HUB_FILE_RE.match(source)
    if match and not source.startswith((".", "/", "~")):
        from huggingface_hub import hf_hub_download

        try:
            return Path(hf_hub_download(match["repo"], match["file"], revision=match["rev"]))
        except Exception as e:  # noqa: BLE001  (offline, 404, auth: all one message)
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise BarkflowError(
                f"quantizer {source} could not be downloaded ({first}): give a local checkpoint path, "
                "or check the repo/file name and your connection"
            ) from None
    known = ", ".join(KNOWN_QUANTIZERS)
    raise BarkflowError(
        f"quantizer {source} not found: give a checkpoint path (.pth or .safetensors), a hub file as owner/repo/file.pth, one of {known}, or tiny"
    )


def _read_info(path: Path) -> Optional[dict]:
    """The `.info` JSON of a torch zip or a safetensors header, if present."""
    try:
        if path.suffix == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
            return json.loads(meta[QUANTIZER_INFO_METADATA]) if QUANTIZER_INFO_METADATA in meta else None
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                names = [n for n in z.namelist() if n.endswith("/" + QUANTIZER_INFO_MEMBER) or n == QUANTIZER_INFO_MEMBER]
                return json.loads(z.read(names[0]).decode("utf-8")) if names else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise BarkflowError(f"quantizer checkpoint {path} has an unreadable .info ({e}): re-download or re-train it") from None
    return None


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Tensors only: safetensors, or torch.load(weights_only=True). Anything else is refused unexecuted."""
    where = f"quantizer checkpoint {path}"
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path), device="cpu")
        except Exception as e:  # noqa: BLE001
            raise BarkflowError(f"{where} is not a readable safetensors file ({e}): re-download it") from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise BarkflowError(
            f"{where} holds pickled Python objects besides tensors; refusing to load it (it could run code): "
            "use a plain state_dict checkpoint or a .safetensors file"
        ) from None
    except (RuntimeError, OSError, EOFError, zipfile.BadZipFile, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BarkflowError(f"{where} is not a readable torch checkpoint ({first}): re-download or re-train it") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BarkflowError(f"{where} is not a state_dict of tensors: give a CustomTokenizer checkpoint")
    return state


def load_quantizer_checkpoint(path: str | Path) -> CustomTokenizer:
    """Build the architecture the weights describe (cross-checked with `.info`) and load them strictly."""
    path = Path(path)
    where = f"quantizer checkpoint {path}"
    info = _read_info(path)
    state = _read_state_dict(path)
    try:
        w_ih = state["lstm.weight_ih_l0"]
        input_size = int(w_ih.shape[1])
        hidden_size = int(state["lstm.weight_hh_l0"].shape[1])
        num_layers = len([k for k in state if re.fullmatch(r"lstm\.weight_ih_l\d+", k)])
        version = 1 if "intermediate.weight" in state else 0
        intermediate = int(state["intermediate.weight"].shape[0]) if version else QUANTIZER_INTERMEDIATE
        output_size = int(state["fc.weight"].shape[0])
    except KeyError as e:
        raise BarkflowError(f"{where} lacks {e.args[0]}: it is not a gitmylo CustomTokenizer checkpoint") from None
    if info is not None:
        expected = {"input_size": input_size, "hidden_size": hidden_size, "output_size": output_size, "version": version}
        wrong = {k: (info[k], v) for k, v in expected.items() if k in info and int(info[k]) != v}
        if wrong:
            raise BarkflowError(f"{where}: its .info disagrees with its weights ({wrong}): re-download or re-train it")
    if output_size > SEMANTIC_VOCAB_SIZE:
        raise BarkflowError(f"{where} predicts {output_size} classes; Bark's semantic vocabulary has {SEMANTIC_VOCAB_SIZE}")
    model = CustomTokenizer(
        hidden_size, input_size, output_size, version, num_layers=num_layers, intermediate_size=intermediate
    )
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise BarkflowError(f"{where} does not fit a CustomTokenizer ({str(e).splitlines()[0]}): re-download it") from None
    return model.eval()


def save_quantizer(model: CustomTokenizer, path: str | Path) -> Path:
    """Write gitmylo's format (torch zip + `<stem>/.info`), or safetensors with the info in its header.

    Written to a temp file and moved into place, so a crash never leaves half a checkpoint.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = json.dumps(model.info())
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix + ".tmp")
    os.close(fd)
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import save_file

            save_file(state, tmp, metadata={QUANTIZER_INFO_METADATA: info})
        else:
            with open(tmp, "wb") as f:
                torch.save(state, f)  # archive folder "archive/" for a file object
            with zipfile.ZipFile(tmp, "a") as z:
                folder = z.namelist()[0].split("/")[0]
                z.writestr(f"{folder}/{QUANTIZER_INFO_MEMBER}", info)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _tiny_quantizer_model(input_size: int, version: int = 0, seed: int = 0) -> CustomTokenizer:
    torch.manual_seed(seed)
    return CustomTokenizer(hidden_size=32, input_size=input_size, version=version, intermediate_size=64).eval()


def tiny_quantizer(out_path: str | Path, variant: int = 0, *, input_size: int = 32, seed: int = 0) -> Path:
    """Write a random quantizer in the published layout (variant 0 or 1; input = the tiny HuBERT's 32)."""
    return save_quantizer(_tiny_quantizer_model(input_size, version=variant, seed=seed), out_path)


# =========================================================================== prompts and candidates


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


# =========================================================================== training


def align_targets(n_frames: int, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(frame indices, target ids): HuBERT frame i (50 Hz) ↔ the nearest semantic token (49.9 Hz).

    Frames whose nearest token is past the end of `tokens` are dropped.
    """
    idx = np.floor(np.arange(n_frames) * (SEMANTIC_RATE_HZ / HUBERT_FRAME_RATE) + 0.5).astype(np.int64)
    keep = idx < len(tokens)
    return np.flatnonzero(keep), np.asarray(tokens, dtype=np.int64)[idx[keep]]


def train_quantizer(
    pairs: Iterable[tuple[np.ndarray, np.ndarray]],
    out_path: str | Path,
    steps: int,
    *,
    hubert: HubertFeatures,
    version: int = 1,
    hidden_size: int = QUANTIZER_HIDDEN,
    intermediate_size: int = QUANTIZER_INTERMEDIATE,
    lr: float = 1e-3,
    resume: str | Path | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    log_every: int = 50,
) -> list[float]:
    """Train a quantizer on (24 kHz float32 audio, semantic tokens) pairs that Bark produced.

    gitmylo's recipe (docs/cloning.md §4.6): Adam, one utterance per step, per-frame cross-entropy on the log-softmax
    output; HuBERT frames are matched to tokens by nearest index (gitmylo trims the ends instead). Returns the loss of every step and
    saves a checkpoint Quantizer.load (and gitmylo's loader) reads.
    """
    if steps < 1:
        raise BarkflowError(f"train-quantizer: steps must be >= 1, got {steps}")
    data = []
    for i, (audio, tokens) in enumerate(pairs):
        tokens = np.asarray(tokens)
        if tokens.ndim != 1 or tokens.size == 0 or tokens.min() < 0 or tokens.max() >= SEMANTIC_VOCAB_SIZE:
            raise BarkflowError(f"training pair {i}: semantic tokens must be 1-D ids in 0..{SEMANTIC_VOCAB_SIZE - 1}")
        audio16 = resample(np.asarray(audio, dtype=np.float32), SAMPLE_RATE, HUBERT_SAMPLE_RATE)
        if audio16.size < HUBERT_RECEPTIVE_FIELD:
            continue
        feats = hubert(audio16)
        frames, targets = align_targets(len(feats), tokens)
        if len(frames):
            data.append((torch.from_numpy(feats[frames]), torch.from_numpy(targets)))
    if not data:
        raise BarkflowError("train-quantizer: no usable (audio, semantic tokens) pairs: render some lines first")
    device = torch.device(device)
    if resume:
        model = load_quantizer_checkpoint(resolve_quantizer_path(str(resume)))
        if model.input_size != hubert.hidden_size:
            raise BarkflowError(
                f"train-quantizer: {resume} takes {model.input_size}-d features, HuBERT {hubert.source} gives {hubert.hidden_size}"
            )
    else:
        torch.manual_seed(seed)
        model = CustomTokenizer(hidden_size, hubert.hidden_size, SEMANTIC_VOCAB_SIZE, version, intermediate_size=intermediate_size)
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.NLLLoss()  # on log-probs: the same as gitmylo's CrossEntropyLoss on LogSoftmax output
    rng = np.random.default_rng(seed)
    order: list[int] = []
    losses: list[float] = []
    for step in range(steps):
        if not order:
            order = list(rng.permutation(len(data)))
        feats, targets = data[order.pop()]
        optimizer.zero_grad()
        loss = loss_fn(model(feats.to(device)), targets.to(device))
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        if log_every and (step + 1) % log_every == 0:
            log.info("quantizer step %d/%d: loss %.4f", step + 1, steps, losses[-1])
    model.eval().cpu()
    save_quantizer(model, out_path)
    return losses


__all__ = [
    "AUDIO_EXTENSIONS", "Candidate", "CustomTokenizer", "DEFAULT_HUBERT", "HubertFeatures", "KNOWN_QUANTIZERS",
    "Quantizer", "Reference", "align_targets", "align_tokens", "candidate_windows", "check_reference", "clone_prompt",
    "encode_codes", "find_pauses", "frames_for_tokens", "hubert_identity", "load_quantizer_checkpoint",
    "quantizer_identity", "read_audio", "read_npz_meta", "read_reference", "resample", "resolve_quantizer_path",
    "save_quantizer", "sha256_file", "tiny_hubert", "tiny_quantizer", "train_quantizer", "write_candidate",
]
