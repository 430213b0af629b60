"""The quantizer: HuBERT features -> Bark semantic ids, and its training (docs/cloning.md §4).

gitmylo's `CustomTokenizer`, with its parameter names and checkpoint format, so the published
checkpoints load (both versions: LSTM -> 10,000 and LSTM -> 4,096 -> 10,000), and checkpoints
trained here load in gitmylo's code. Checkpoints are read by the engine's safe readers
(checkpoints.py): safetensors, or torch.load(weights_only=True) of tensors only, so a file holding
any other pickled object is refused without being executed. The quantizer's input size always
follows the HuBERT it is paired with (the checkpoint's `.info` records it); the v1 intermediate
layer's width is read from the weights (4,096 in every published file; 64 in the tiny one).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import torch.nn as nn

from barkflow.errors import BarkflowError, user_path

from ..checkpoints import one_line, read_safetensors, read_torch, safetensors_metadata
from ..constants import SAMPLE_RATE, SEMANTIC_RATE_HZ, SEMANTIC_VOCAB_SIZE
from ..sources import HubRepo, file_sha256, parse_hub_file
from .audio import resample
from .hubert import HUBERT_FRAME_RATE, HUBERT_RECEPTIVE_FIELD, HUBERT_SAMPLE_RATE, HubertFeatures

log = logging.getLogger(__name__)

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
TINY_QUANTIZER_ID = "tiny-quantizer/1"


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
            return cls(tiny_quantizer_model(input_size, version=0), TINY_QUANTIZER_ID, source).to(device)
        path = resolve_quantizer_path(source)
        model = load_quantizer_checkpoint(path)
        return cls(model, "sha256:" + file_sha256(path), source).to(device)

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
    return "sha256:" + file_sha256(resolve_quantizer_path(source))


QUANTIZER_SUFFIXES = (".pt", ".pth", ".safetensors")
MAX_INFO_BYTES = 1 << 16  # `.info` is a few dozen bytes of JSON; a bigger member is not one
_REFIT = "re-download or re-train it"


def resolve_quantizer_path(source: str) -> Path:
    """A local checkpoint path for `source` (a hub file comes through huggingface_hub and its cache)."""
    source = KNOWN_QUANTIZERS.get(source, source)
    path = user_path(source)
    if path.is_file():
        return path
    if hub_file := parse_hub_file(source, QUANTIZER_SUFFIXES):
        repo_id, revision, name = hub_file
        return HubRepo(repo_id, revision).file(name, where=f"quantizer {source}")
    known = ", ".join(KNOWN_QUANTIZERS)
    raise BarkflowError(
        f"quantizer {source} not found: give a checkpoint path (.pth or .safetensors), a hub file as owner/repo/file.pth, one of {known}, or tiny"
    )


def _read_info(path: Path) -> Optional[dict]:
    """The `.info` JSON of a torch zip or a safetensors header, if present."""
    where = "quantizer checkpoint"
    try:
        if path.suffix == ".safetensors":
            meta = safetensors_metadata(path, where, fix=_REFIT)
            return json.loads(meta[QUANTIZER_INFO_METADATA]) if QUANTIZER_INFO_METADATA in meta else None
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                infos = [i for i in z.infolist() if i.filename.endswith("/" + QUANTIZER_INFO_MEMBER) or i.filename == QUANTIZER_INFO_MEMBER]
                if not infos:
                    return None
                if infos[0].file_size > MAX_INFO_BYTES:
                    raise ValueError(f"{infos[0].file_size} bytes, more than {MAX_INFO_BYTES}")
                return json.loads(z.read(infos[0]).decode("utf-8"))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise BarkflowError(f"quantizer checkpoint {path} has an unreadable .info ({one_line(e)}): {_REFIT}") from None
    return None


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Tensors only, by the engine's safe readers: anything else is refused unexecuted."""
    where = "quantizer checkpoint"
    if path.suffix == ".safetensors":
        return read_safetensors(path, where, fix=_REFIT)
    state = read_torch(path, where, fix=_REFIT, refused="use a plain state_dict checkpoint or a .safetensors file")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BarkflowError(f"quantizer checkpoint {path} is not a state_dict of tensors: give a CustomTokenizer checkpoint")
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


def tiny_quantizer_model(input_size: int, version: int = 0, seed: int = 0) -> CustomTokenizer:
    torch.manual_seed(seed)
    return CustomTokenizer(hidden_size=32, input_size=input_size, version=version, intermediate_size=64).eval()


def tiny_quantizer(out_path: str | Path, variant: int = 0, *, input_size: int = 32, seed: int = 0) -> Path:
    """Write a random quantizer in the published layout (variant 0 or 1; input = the tiny HuBERT's 32)."""
    return save_quantizer(tiny_quantizer_model(input_size, version=variant, seed=seed), out_path)


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
