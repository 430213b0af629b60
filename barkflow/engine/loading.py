"""Load Bark's stages, codec, tokenizer and voice presets (docs/bark.md §9, §12, §7).

Where files come from (source strings, hub, identities) is sources.py; the layouts and the key
map are layouts.py; the safe file readers are checkpoints.py. What is read:
- HF layout: config.json (the stage's sub-config, §9 aliases), then ONLY that stage's tensors from
  model.safetensors, or the shards of model.safetensors.index.json that hold them, or
  pytorch_model.bin (mmap'd, weights_only). HF names map to the reference names through the
  layouts' key map; the causal-mask buffers `*.attn.bias` are ignored and the fine model's tied
  heads (HF saves only `input_embeds_layers`) are rebuilt: lm_heads.i = wtes.i+1.
- Suno .pt: read allowing only the numpy globals of §12, so a forged checkpoint is refused
  without running anything; `_orig_mod.` is stripped, the `vocab_size` hack is applied,
  `*.attn.bias` is ignored, anything else missing or extra is an error.
- Codec (§6): the `codec_config` + `codec_model.*` tensors of an HF Bark layout, an Encodec
  layout folder/repo, or else facebook/encodec_24khz; its tensors go through the same readers.
  Tokenizer (§2): the HF Bark layout's tokenizer files, or else google-bert/bert-base-multilingual-cased.
  A Suno layout has neither, so like the reference it takes them from those defaults ("tiny-suno"
  from the tiny HF folder).

Every stage's config passes one gate (`_stage_config`) before a model is built; `check_stage_config`
runs that gate alone, reading only the config, so a bad one is reported before anything renders.
Identity (`LoadedModel.identity`, `Codec.identity`, `BarkTokenizer.identity`, and the same string
from `source_identity` without loading anything): see sources.py.

Every user-facing failure is a one-line BarkflowError: what, where, how to fix.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np

from barkflow.errors import BarkflowError

from .checkpoints import few, numpy_safe_globals, one_line, read_json_object, read_safetensors, read_torch
from .configs import FineGPTConfig, GPTConfig
from .constants import DEFAULT_CODEC_REPO, DEFAULT_TOKENIZER_REPO, N_FINE_CODEBOOKS, PROMPT_KEYS
from .layouts import (
    HF_CODEC_PREFIX,
    HF_CONFIG_DEFAULTS,
    HF_CONFIG_FIELDS,
    HF_CONFIG_KEY,
    HF_PREFIX,
    HF_WEIGHT_FILES,
    PRESETS_FILE,
    PROMPT_NDIM,
    PROMPT_ROWS,
    STAGE_VOCABS,
    STAGES,
    SUNO_COMPILED_PREFIX,
    SUNO_FILES,
    TOKENIZER_FILES,
    hf_to_reference_name,
    is_mask_buffer,
)
from .prompts import MAX_PROMPT_ELEMENTS, MAX_TOKEN_BYTES
from .sources import HubRepo, LocalRepo, Repo, Source, companions, repo_identity, resolve_source

if TYPE_CHECKING:
    import torch

    from .model import GPT, FineGPT

# torch is imported where tensors are read and models built, not with this module: a source's
# identity and its config check (planning) need neither.
logger = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    model: GPT | FineGPT  # eval mode, on the requested device and dtype
    config: GPTConfig | FineGPTConfig
    identity: str  # changes whenever the weights change (see the module docstring)
    stage: str
    source: str  # where it came from, for logs and messages


# --------------------------------------------------------------------------------------------
# Reading tensors
# --------------------------------------------------------------------------------------------


def _hf_weight_files(repo: Repo, prefix: str, where: str) -> list[Path]:
    """The weight files holding the tensors named `prefix`*: model.safetensors, else the shards of
    model.safetensors.index.json that hold them, else pytorch_model.bin (or its shards)."""
    for name in HF_WEIGHT_FILES:
        path = repo.file(name, required=False, where=where)
        if path is None:
            continue
        if name.endswith(".index.json"):
            return [repo.file(shard, where=where) for shard in _shards_with_prefix(path, prefix, where)]
        return [path]
    if repo.unavailable:  # could not even check the hub: say so rather than "no weights"
        raise repo.missing(HF_WEIGHT_FILES[0], where)
    raise BarkflowError(
        f"{repo.label} has config.json but no weights (model.safetensors or pytorch_model.bin) ({where}); "
        f"download the whole repo, e.g. `hf download suno/bark-small`"
    )


def _read_hf_tensors(repo: Repo, prefix: str, where: str) -> tuple[dict[str, torch.Tensor], list[Path]]:
    """The tensors whose names start with `prefix` (prefix stripped) and the files they came from.

    Only those tensors are read: safetensors by key, shards by the index's weight map, a .bin
    through mmap so the other stages' tensors are never paged in.
    """
    paths = _hf_weight_files(repo, prefix, where)
    tensors: dict[str, torch.Tensor] = {}
    for path in paths:
        if path.name.endswith(".safetensors"):
            tensors.update(read_safetensors(path, where, prefix))
        else:
            tensors.update(_read_torch_bin(path, prefix, where))
    return tensors, paths


def _shards_with_prefix(index: Path, prefix: str, where: str) -> list[str]:
    try:
        weight_map = json.loads(index.read_text())["weight_map"]
    except (ValueError, KeyError, TypeError) as e:
        raise BarkflowError(f"{index} is not a valid weight index ({where}): {one_line(e)}; re-download it") from e
    return sorted({shard for key, shard in weight_map.items() if key.startswith(prefix)})


def _read_torch_bin(path: Path, prefix: str, where: str) -> dict[str, torch.Tensor]:
    state = read_torch(path, where)
    if not isinstance(state, dict):
        raise BarkflowError(f"{path} does not hold a state dict ({where}); download the checkpoint again")
    return {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}


# --------------------------------------------------------------------------------------------
# Building a stage's model
# --------------------------------------------------------------------------------------------


@dataclass
class _ConfigOrigin:
    """Where a stage's config came from, so errors name the file and the key as the user sees them."""

    label: str  # the file and section, e.g. ".../config.json (semantic_config)"
    keys: dict[str, str]  # config field -> the key that file spells it with


def _config_from_hf(stage: str, sub: dict, label: str, where: str) -> tuple[GPTConfig, _ConfigOrigin]:
    """§9b sub-config -> our config, with HF's aliases and HF's defaults for absent fields."""
    cls = FineGPTConfig if stage == "fine" else GPTConfig
    values, keys = {}, {}
    for field in fields(cls):
        names = HF_CONFIG_FIELDS[field.name]
        keys[field.name] = next((n for n in names if n in sub), names[0])
        values[field.name] = sub.get(keys[field.name], HF_CONFIG_DEFAULTS.get(field.name, field.default))
    origin = _ConfigOrigin(label, keys)
    return _stage_config(stage, cls, values, origin, where), origin


def _config_from_suno(stage: str, model_args, path: Path, where: str) -> tuple[GPTConfig, _ConfigOrigin]:
    if not isinstance(model_args, dict):
        raise BarkflowError(f"{path} has no model_args dict ({where}); it is not a Suno Bark checkpoint")
    args = dict(model_args)
    keys = {}
    if "input_vocab_size" not in args and "vocab_size" in args:  # the reference's "hack" (§9a)
        args["input_vocab_size"] = args["output_vocab_size"] = args.pop("vocab_size")
        keys = {"input_vocab_size": "vocab_size", "output_vocab_size": "vocab_size"}
    is_fine = "n_codes_total" in args
    cls = FineGPTConfig if is_fine else GPTConfig
    known = {f.name for f in fields(cls)}
    if unknown := sorted(set(args) - known):
        raise BarkflowError(
            f"{path} has unknown model_args {unknown} ({where}); it is not a Bark checkpoint this version can load"
        )
    values = {f.name: args.get(f.name, f.default) for f in fields(cls)}
    origin = _ConfigOrigin(f"{path} (model_args)", {f.name: keys.get(f.name, f.name) for f in fields(cls)})
    return _stage_config(stage, cls, values, origin, where), origin


# Config fields that size the model: whole numbers >= 1 (the rest are bias and dropout).
_CONFIG_SIZES = ("n_layer", "n_head", "n_embd", "block_size", "input_vocab_size", "output_vocab_size")
_FINE_SIZES = ("n_codes_total", "n_codes_given")


def _stage_config(stage: str, cls: type, values: dict, origin: _ConfigOrigin, where: str) -> GPTConfig:
    """The one gate every layout's config passes (HF config.json, Suno model_args, and so the tiny
    bundles): each value has the type and range the model needs, and the vocab sizes are the stage's.
    A bad value is a one-line error naming the key, the value and the file, before any model is built."""

    def bad(field: str, problem: str) -> BarkflowError:
        return BarkflowError(
            f"{origin.keys[field]} = {values[field]!r} in {origin.label} {problem} ({where}); "
            f"correct that value, or download the checkpoint again"
        )

    for field in _CONFIG_SIZES + (_FINE_SIZES if cls is FineGPTConfig else ()):
        value = values[field]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(field, "must be a whole number >= 1")
    if not isinstance(values["bias"], bool):
        raise bad("bias", "must be true or false")
    dropout = values["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise bad("dropout", "must be a number in [0, 1)")
    if values["n_embd"] % values["n_head"]:
        raise bad("n_embd", f"is not divisible by {origin.keys['n_head']} = {values['n_head']}")
    if cls is FineGPTConfig and values["n_codes_given"] >= values["n_codes_total"]:
        raise bad("n_codes_given", f"must be less than {origin.keys['n_codes_total']} = {values['n_codes_total']}")
    config = cls(**{**values, "dropout": float(dropout)})
    _check_stage(stage, config, origin.label, where)
    return config


def _check_stage(stage: str, config: GPTConfig, label: str, where: str) -> None:
    """The engine hard-codes §1's token layouts: a checkpoint of another stage must not load."""
    vocabs = (config.input_vocab_size, config.output_vocab_size)
    is_fine = isinstance(config, FineGPTConfig)
    if vocabs == STAGE_VOCABS[stage] and is_fine == (stage == "fine"):
        if not is_fine or config.n_codes_total == N_FINE_CODEBOOKS:
            return
    found = next((s for s, v in STAGE_VOCABS.items() if v == vocabs and (s == "fine") == is_fine), None)
    holds = f"Bark's {found} model" if found else f"a model with vocab sizes {vocabs}"
    raise BarkflowError(
        f"{label} holds {holds}, not Bark's {stage} model (expected vocab sizes {STAGE_VOCABS[stage]}) ({where}); "
        f"point the {stage} source at the {stage} checkpoint ({SUNO_FILES[stage][0]}, or a Hugging Face layout folder)"
    )


def _check_weights(config: GPTConfig, origin: _ConfigOrigin, state: dict[str, torch.Tensor], label: str, where: str):
    """Before building: every tensor is floating point and finite, and the config's sizes are the
    weights' (a config that disagrees would otherwise build a model of the wrong size, or a huge one)."""
    import torch

    for name, tensor in state.items():
        if is_mask_buffer(name):
            continue
        if not torch.is_tensor(tensor):
            raise BarkflowError(
                f"{name} in {label} is a {type(tensor).__name__}, not a tensor ({where}); "
                f"the file is damaged or not a Bark checkpoint: download it again"
            )
        if not tensor.is_floating_point():
            raise BarkflowError(
                f"{name} in {label} is {str(tensor.dtype).removeprefix('torch.')}, not floating point ({where}); "
                f"quantized or integer checkpoints are not supported: use the original float16/float32 weights"
            )
        if not bool(torch.isfinite(tensor).all()):
            raise BarkflowError(
                f"{name} in {label} holds NaN or infinite values ({where}); "
                f"the file is damaged: download the checkpoint again"
            )
    layers = {int(part) for k in state
              if k.startswith("transformer.h.") and (part := k.split(".")[2]).isascii() and part.isdecimal()}
    fine = isinstance(config, FineGPTConfig)
    embedding = state.get("transformer.wtes.0.weight" if fine else "transformer.wte.weight")
    head = state.get("lm_heads.0.weight" if fine else "lm_head.weight")
    positions = state.get("transformer.wpe.weight")
    found = {  # field -> its size in the weights (absent tensors are reported as missing by _build)
        "n_layer": len(layers) if layers else None,
        "n_embd": embedding.shape[-1] if embedding is not None and embedding.dim() == 2 else None,
        "input_vocab_size": embedding.shape[0] if embedding is not None and embedding.dim() == 2 else None,
        "output_vocab_size": head.shape[0] if head is not None and head.dim() == 2 else None,
        "block_size": positions.shape[0] if positions is not None and positions.dim() == 2 else None,
    }
    for field, size in found.items():
        if size is not None and size != getattr(config, field):
            raise BarkflowError(
                f"{origin.keys[field]} = {getattr(config, field)} in {origin.label}, but the weights in {label} "
                f"have {size} ({where}); the config and weights disagree: correct the config or download the "
                f"checkpoint again"
            )


def _build(stage: str, config: GPTConfig, state: dict[str, torch.Tensor], label: str, where: str, device, dtype):
    """Check `state` (reference names) against the model, key for key and shape for shape, and load it."""
    from .model import build, tie_fine_heads

    model = build(config, device="meta")  # no random init of hundreds of MB that would be overwritten
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    state = {k: v for k, v in state.items() if not is_mask_buffer(k)}
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if not state:
        raise BarkflowError(
            f"{label} has none of the weights of Bark's {stage} model ({where}); "
            f"the file is incomplete or holds other models: download the checkpoint again"
        )
    if missing or extra:
        parts = ([f"missing {few(missing)}"] if missing else []) + ([f"unexpected {few(extra)}"] if extra else [])
        raise BarkflowError(
            f"{label} does not match Bark's {stage} model ({', '.join(parts)}) ({where}); "
            f"the file is damaged or from another model: download the checkpoint again"
        )
    wrong = [f"{k} {tuple(state[k].shape)} != {expected[k]}" for k in expected if tuple(state[k].shape) != expected[k]]
    if wrong:
        raise BarkflowError(
            f"{label} has tensors of the wrong shape for its config ({few(wrong)}) ({where}); "
            f"its config and weights disagree: download the checkpoint again"
        )
    model.load_state_dict(state, strict=True, assign=True)
    tie_fine_heads(model)  # assign=True replaced the tied Parameters
    model.requires_grad_(False)
    return model.to(device=device, dtype=dtype).eval()


def _fill_tied_heads(state: dict[str, torch.Tensor], config: FineGPTConfig, label: str) -> None:
    import torch

    """HF saves only the input embeddings of the fine model's tied pairs (§8, §9b)."""
    for i in range(config.n_codes_total - config.n_codes_given):
        emb, head = f"transformer.wtes.{i + 1}.weight", f"lm_heads.{i}.weight"
        if emb not in state:
            continue  # reported as missing by _build
        if head in state and not torch.equal(state[head], state[emb]):
            logger.warning(
                "%s: %s differs from its tied %s; using the embedding, as transformers does", label, head, emb
            )
        state[head] = state[emb]


def _float32_unless(dtype):
    import torch

    return torch.float32 if dtype is None else dtype


def load_stage(
    stage: str,
    source: str | os.PathLike,
    *,
    device: str | torch.device = "cpu",
    dtype: torch.dtype | None = None,  # None: float32
    small: bool | None = None,
    setting: str | None = None,
) -> LoadedModel:
    """Load one Bark stage ("semantic", "coarse" or "fine") from `source` (see the module docstring).

    small: for a folder of Suno .pt files holding both sizes, take the small ones (text.pt,
        coarse.pt, fine.pt); by default the large ones (*_2.pt), or the small ones if alone.
    setting: the config key that holds `source`, named in error messages (e.g. "model.semantic.source").
    """
    src, where = _stage_source(stage, source, setting)
    if src.layout == "hf":
        if small:
            logger.warning("small=True is ignored for %s: a Hugging Face layout holds one size", src.repo.label)
        config, origin, state, files = _load_hf_stage(stage, src.repo, where)
        label, name = f"{src.repo.label} ({HF_PREFIX[stage]}*)", None
    else:
        name = _suno_name(stage, src, small)
        config, origin, state, files = _load_suno_stage(stage, src.repo, name, where)
        label = str(files[0]) if isinstance(src.repo, LocalRepo) else f"{src.repo.label}/{name}"
    _check_weights(config, origin, state, label, where)
    model = _build(stage, config, state, label, where, device, _float32_unless(dtype))
    n_params = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
    logger.info("loaded %s model from %s: %.1fM parameters", stage, label, n_params / 1e6)
    identity = repo_identity(stage, src.repo, files, name, where)
    return LoadedModel(model=model, config=config, identity=identity, stage=stage, source=label)


def _read_hf_config(repo: Repo, where: str) -> dict:
    return read_json_object(repo.file("config.json", where=where), "a config object", where)


def _hf_stage_config(stage: str, repo: Repo, where: str) -> tuple[GPTConfig, _ConfigOrigin]:
    full = _read_hf_config(repo, where)
    sub = full.get(HF_CONFIG_KEY[stage])
    if full.get("model_type") not in (None, "bark") or not isinstance(sub, dict):
        raise BarkflowError(
            f"config.json of {repo.label} is not a Bark config (model_type {full.get('model_type')!r}, "
            f"no {HF_CONFIG_KEY[stage]}) ({where}); point the source at suno/bark, suno/bark-small or a copy"
        )
    label = f"{repo.file('config.json', where=where)} ({HF_CONFIG_KEY[stage]})"
    return _config_from_hf(stage, sub, label, where)


def _load_hf_stage(stage: str, repo: Repo, where: str):
    config, origin = _hf_stage_config(stage, repo, where)
    tensors, files = _read_hf_tensors(repo, HF_PREFIX[stage], where)
    state = {hf_to_reference_name(k): v for k, v in tensors.items()}
    if isinstance(config, FineGPTConfig):
        _fill_tied_heads(state, config, repo.label)
    return config, origin, state, files


def _suno_name(stage: str, src: Source, small: bool | None) -> str:
    """The Suno checkpoint of `stage` in `src`: named explicitly, or large/small by `small` (§9a)."""
    large, small_name = SUNO_FILES[stage]
    if src.file is not None:
        return src.file
    if small:
        return small_name
    if small is None and src.repo.file(large, required=False) is None and src.repo.file(small_name, required=False):
        logger.info("%s has no %s: using the small model, %s", src.repo.label, large, small_name)
        return small_name
    return large


def _read_suno_checkpoint(path: Path, where: str) -> dict:
    """A Suno checkpoint's dict, read safely (memory-mapped: tensors nobody reads stay on disk)."""
    ckpt = read_torch(path, where, allowed=numpy_safe_globals())
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("model"), dict):
        raise BarkflowError(f"{path} has no 'model' state dict ({where}); it is not a Suno Bark checkpoint")
    return ckpt


def _load_suno_stage(stage: str, repo: Repo, name: str, where: str):
    path = repo.file(name, where=where)
    ckpt = _read_suno_checkpoint(path, where)
    config, origin = _config_from_suno(stage, ckpt.get("model_args"), path, where)
    state = {k.removeprefix(SUNO_COMPILED_PREFIX): v for k, v in ckpt["model"].items()}
    if (loss := ckpt.get("best_val_loss")) is not None:
        logger.debug("%s: best_val_loss %.3f", path, float(loss))
    return config, origin, state, [path]


def _stage_source(stage: str, source: str, setting: str) -> tuple:
    """(resolved source, the name errors give it) of one stage's weights."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    where = setting or f"{stage} model source"
    return resolve_source(source, where), where


def check_stage_config(
    stage: str, source: str | os.PathLike, *, small: bool | None = None, setting: str | None = None
) -> None:
    """Read `stage`'s config from `source` and pass it through the gate every load passes, without
    building a model or reading a tensor, so a bad config is reported before anything renders.

    HF layout: config.json. Suno: the checkpoint's model_args (the file is memory-mapped, so its
    tensors stay on disk). A hub .pt that is not in the local cache yet is left to its load (this
    check never downloads gigabytes).
    """
    src, where = _stage_source(stage, source, setting)
    if src.layout == "hf":
        _hf_stage_config(stage, src.repo, where)
        return
    name = _suno_name(stage, src, small)
    path = src.repo.cached(name) if isinstance(src.repo, HubRepo) else src.repo.file(name, where=where)
    if path is not None:
        _config_from_suno(stage, _read_suno_checkpoint(path, where).get("model_args"), path, where)


# --------------------------------------------------------------------------------------------
# Identity: the same string before loading (source_identity) and after (.identity)
# --------------------------------------------------------------------------------------------


def source_identity(kind: str, source: str | os.PathLike, *, small: bool | None = None) -> str:
    """What a cache key needs to know about the weights `source` gives `kind` (a stage, "codec" or
    "tokenizer"), without loading them: equal to the `.identity` of what loading it returns.

    Local files are only stat'ed; a hub source costs one HEAD request, or nothing offline (the
    cache's refs). An empty codec or tokenizer source means the default repo.
    """
    where = f"{kind} source"
    text = os.fspath(source).strip() if source else ""
    if kind in STAGES:
        src = resolve_source(text, where)
        if src.layout == "hf":
            files = [] if isinstance(src.repo, HubRepo) else _hf_weight_files(src.repo, HF_PREFIX[kind], where)
            return repo_identity(kind, src.repo, files, None, where)
        name = _suno_name(kind, src, small)
        files = [] if isinstance(src.repo, HubRepo) else [src.repo.file(name, where=where)]
        return repo_identity(kind, src.repo, files, name, where)
    if kind == "codec":
        repo, files = _codec_repo(text or DEFAULT_CODEC_REPO, where, fetch=False)
        return repo_identity(kind, repo, files, None, where)
    if kind == "tokenizer":
        repo = _tokenizer_repo(text or DEFAULT_TOKENIZER_REPO, where)
        files = [] if isinstance(repo, HubRepo) else list(_tokenizer_files(repo, where).values())
        return repo_identity(kind, repo, files, None, where)
    raise ValueError(f"kind must be one of {(*STAGES, 'codec', 'tokenizer')}, got {kind!r}")


# --------------------------------------------------------------------------------------------
# Codec and tokenizer
# --------------------------------------------------------------------------------------------

# transformers' own legacy renaming for weight-normed convs, needed for HF Bark files saved by
# transformers 4.x (which stored weight_g/weight_v).
_WEIGHT_NORM_RENAMES = (
    (".weight_g", ".parametrizations.weight.original0"),
    (".weight_v", ".parametrizations.weight.original1"),
)
# Codebook training statistics: not needed to encode or decode.
_CODEC_OPTIONAL = (".cluster_size", ".embed_avg", ".inited")


def _codec_repo(text: str, where: str, *, fetch: bool = True) -> tuple[Repo, list[Path]]:
    """Where the codec of `text` lives and (for local folders, or with fetch) its weight files."""
    src = resolve_source(text, where, any_folder=True)
    repo = companions(src)
    if src.layout == "suno" and src.companions is None:
        logger.info("%s has no codec; using %s (as the reference does)", src.repo.label, DEFAULT_CODEC_REPO)
        repo = resolve_source(DEFAULT_CODEC_REPO, where).repo
    if isinstance(repo, HubRepo) and not fetch:
        return repo, []
    config = _read_hf_config(repo, where)
    prefix = "" if config.get("model_type") == "encodec" else HF_CODEC_PREFIX
    return repo, _hf_weight_files(repo, prefix, where)


def load_codec(
    source: str | os.PathLike = DEFAULT_CODEC_REPO,
    *,
    device: str | torch.device = "cpu",
    dtype: torch.dtype | None = None,  # None: float32
    setting: str | None = None,
):
    """The EnCodec model of §6 from `source`: a Bark HF layout (its codec_config + codec_model.*
    tensors), an Encodec layout (e.g. facebook/encodec_24khz), or a Suno layout (which has no
    codec: facebook/encodec_24khz, as the reference). Its weights are read by the same safe readers
    as the GPT checkpoints, so a pickled object is refused unexecuted."""
    from .codec import Codec

    where = setting or "codec source"
    text = os.fspath(source).strip() if source else DEFAULT_CODEC_REPO
    repo, files = _codec_repo(text, where)
    config = _read_hf_config(repo, where)
    if config.get("model_type") == "encodec":
        model = _encodec_model(repo, config, "", "config.json", where)
    elif isinstance(config.get("codec_config"), dict):
        model = _encodec_model(repo, config["codec_config"], HF_CODEC_PREFIX, "codec_config", where)
    else:
        raise BarkflowError(
            f"config.json of {repo.label} is neither a Bark nor an Encodec config ({where}); "
            f"point the codec source at suno/bark or {DEFAULT_CODEC_REPO}"
        )
    identity = repo_identity("codec", repo, files, None, where)
    return Codec(model.to(device=device, dtype=_float32_unless(dtype)).eval(), identity=identity, where=f"{repo.label} ({where})")


def _encodec_model(repo: Repo, codec_config: dict, prefix: str, config_name: str, where: str):
    """EnCodec from its config and the `prefix`* tensors of `repo`, both layouts (an Encodec folder,
    prefix "", or a Bark one, "codec_model."), read by our safe readers like the GPT weights."""
    from transformers import EncodecConfig, EncodecModel

    try:
        config = EncodecConfig.from_dict(codec_config)
    except Exception as e:  # transformers raises several types for a bad config
        raise BarkflowError(
            f"{config_name} of {repo.label} is invalid ({where}): {one_line(e)}; download it again"
        ) from e
    tensors, _ = _read_hf_tensors(repo, prefix, where)
    state = {}
    for key, value in tensors.items():
        for old, new in _WEIGHT_NORM_RENAMES:
            if key.endswith(old):
                key = key[: -len(old)] + new
        state[key] = value
    with _no_init_weights():  # every weight is overwritten below; skip transformers' slow init
        model = EncodecModel(config)
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith(_CODEC_OPTIONAL)]
    if missing or result.unexpected_keys:
        parts = ([f"missing {few(missing)}"] if missing else []) + (
            [f"unexpected {few(result.unexpected_keys)}"] if result.unexpected_keys else []
        )
        raise BarkflowError(
            f"the codec weights ({prefix or 'all'}*) of {repo.label} do not match its {config_name} "
            f"({', '.join(parts)}) ({where}); download the checkpoint again, or use {DEFAULT_CODEC_REPO} "
            f"as the codec source"
        )
    return model


def _no_init_weights():
    try:
        from transformers.initialization import no_init_weights  # transformers 5
    except ImportError:
        from transformers.modeling_utils import no_init_weights  # transformers 4
    return no_init_weights()


def _tokenizer_repo(text: str, where: str) -> Repo:
    src = resolve_source(text, where, any_folder=True)
    if src.layout == "suno" and src.companions is None:
        logger.info("%s has no tokenizer; using %s (as the reference does)", src.repo.label, DEFAULT_TOKENIZER_REPO)
        repo = resolve_source(DEFAULT_TOKENIZER_REPO, where).repo
        repo.download = " ".join(TOKENIZER_FILES[:3])
        return repo
    return companions(src)


def _tokenizer_files(repo: Repo, where: str) -> dict[str, Path]:
    found = {}
    for name in TOKENIZER_FILES:
        if (path := repo.file(name, required=False, where=where)) is not None:
            found[name] = path
    if "vocab.txt" not in found and "tokenizer.json" not in found:  # a config alone loads an empty vocab
        raise repo.missing("vocab.txt", where)
    return found


def load_tokenizer(source: str | os.PathLike = DEFAULT_TOKENIZER_REPO, *, setting: str | None = None):
    """Bark's text tokenizer (§2) from `source`: the tokenizer files of an HF Bark layout or a
    BERT folder/repo, or for a Suno layout (which has none) google-bert/bert-base-multilingual-cased."""
    from .tokenizer import BarkTokenizer

    where = setting or "tokenizer source"
    repo = _tokenizer_repo(os.fspath(source).strip() if source else DEFAULT_TOKENIZER_REPO, where)
    files = _tokenizer_files(repo, where)
    folder = next(iter(files.values())).parent  # one folder (one hub commit) holds them all
    identity = repo_identity("tokenizer", repo, list(files.values()), None, where)
    return BarkTokenizer.from_dir(folder, identity=identity, where=f"{repo.label} ({where})")


# --------------------------------------------------------------------------------------------
# Voice presets (§7)
# --------------------------------------------------------------------------------------------


def resolve_voice_presets(source: str | os.PathLike, *, setting: str | None = None) -> dict[str, dict[str, Path]]:
    """The presets listed in the source's speaker_embeddings_path.json: name -> {key: path}.

    Paths are relative to the source's root (a local folder or hub repo); only the JSON is read
    here, the .npy files are fetched by `load_preset_arrays`. A source without the JSON (a folder
    of Suno .pt files) has no presets: {}.
    """
    where = setting or "voice presets"
    repo = companions(resolve_source(source, where))
    return _read_presets_json(repo, where)


def _read_presets_json(repo: Repo, where: str) -> dict[str, dict[str, Path]]:
    path = repo.file(PRESETS_FILE, required=False, where=where)
    if path is None:
        if PRESETS_FILE in repo.unavailable:
            raise repo.missing(PRESETS_FILE, where)
        return {}
    table = read_json_object(path, "a JSON object of presets", where)
    presets = {}
    for name, entry in table.items():
        if name == "repo_or_path":  # where the files were when it was written; we use the source itself
            continue
        if not isinstance(entry, dict) or any(not isinstance(entry.get(k), str) for k in PROMPT_KEYS):
            raise BarkflowError(
                f"preset {name!r} in {path} does not name the files {', '.join(PROMPT_KEYS)} ({where}); "
                f"fix or re-download {PRESETS_FILE}"
            )
        paths = {}
        for key in PROMPT_KEYS:
            rel = PurePosixPath(entry[key])
            # The JSON is data from the repo: a path must stay inside it (no absolute, no "..").
            if rel.is_absolute() or ".." in rel.parts or re.match(r"^[A-Za-z]:", entry[key]):
                raise BarkflowError(
                    f"preset {name!r} in {path} points outside its folder ({entry[key]!r}) ({where}); "
                    f"the file is damaged or malicious: re-download it"
                )
            paths[key] = Path(*rel.parts)
        presets[name] = paths
    return presets


def load_preset_arrays(source: str | os.PathLike, name: str, *, setting: str | None = None) -> dict[str, np.ndarray]:
    """The three prompt arrays of preset `name` (§7), as stored (e.g. uint16 for "announcer")."""
    where = setting or "voice presets"
    repo = companions(resolve_source(source, where))
    presets = _read_presets_json(repo, where)
    if name not in presets:
        known = sorted(presets)
        hint = f"known presets: {few(known, 8)}" if known else f"{repo.label} has no {PRESETS_FILE}"
        raise BarkflowError(f"no voice preset {name!r} in {repo.label} ({where}); {hint}")
    arrays = {}
    for key, rel in presets[name].items():
        arrays[key] = _read_preset_array(repo.file(rel.as_posix(), where=where), key, name, where)
    return arrays


def _read_preset_array(path: Path, key: str, name: str, where: str) -> np.ndarray:
    """One prompt array of a preset, its header checked before any data is read: the file is
    memory-mapped (a header declaring more than the file holds fails there), and only an integer
    array of a prompt's shape and at most a prompt's size (the bound of voice .npz files) is copied in."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise BarkflowError(
            f"{path} is not a plain .npy array ({where}): {one_line(e)}; re-download preset {name!r}"
        ) from e
    if not isinstance(mapped, np.ndarray):  # an .npz archive under a .npy name
        mapped.close()
        raise BarkflowError(f"{path} is not a plain .npy array ({where}); re-download preset {name!r}")
    ok = mapped.ndim == PROMPT_NDIM[key] and mapped.dtype.kind in "iu" and mapped.dtype.itemsize <= MAX_TOKEN_BYTES
    ok = ok and 0 < mapped.size <= MAX_PROMPT_ELEMENTS[key]
    if ok and key in PROMPT_ROWS:
        ok = mapped.shape[0] == PROMPT_ROWS[key]
    if not ok:
        raise BarkflowError(
            f"{key} of preset {name!r} ({path}) has shape {mapped.shape} and dtype {mapped.dtype}, expected "
            f"{PROMPT_NDIM[key]}-D integers, at most {MAX_PROMPT_ELEMENTS[key]:,} of them ({where}); "
            f"re-download preset {name!r}"
        )
    return np.array(mapped)  # a copy in memory: the file is not kept open
