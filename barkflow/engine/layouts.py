"""Bark's checkpoint layouts on disk, as tables (docs/bark.md §9, §7).

Two layouts hold the same weights:
- Hugging Face (§9b): one config.json with a sub-config per stage, and one set of weight files
  whose tensor names start with the stage's prefix (`semantic.`, `coarse_acoustics.`, ...).
- Suno (§9a): one .pt file per stage (large and small names), its config in `model_args`.

Reference (Suno/nanoGPT) and HF tensor names differ part by part; `_KEY_PARTS` is the one map
between them. Nothing here reads a file: loading.py reads, bundles.py writes, both by these tables.
"""

from __future__ import annotations

from .constants import COARSE_VOCAB, FINE_VOCAB, N_FINE_CODEBOOKS, SEMANTIC_INPUT_VOCAB, SEMANTIC_OUTPUT_VOCAB

STAGES = ("semantic", "coarse", "fine")

# --- Hugging Face layout (§9b)
# Weight-name prefix and config.json key of each stage.
HF_PREFIX = {"semantic": "semantic.", "coarse": "coarse_acoustics.", "fine": "fine_acoustics."}
HF_CONFIG_KEY = {"semantic": "semantic_config", "coarse": "coarse_acoustics_config", "fine": "fine_acoustics_config"}
HF_CODEC_PREFIX = "codec_model."
# Where a stage's tensors may be, in the order they are looked for.
HF_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
PRESETS_FILE = "speaker_embeddings_path.json"  # voice presets (§7): name -> {prompt key: .npy path}

# HF's names for our config fields: first the one its current configs write, then older aliases.
HF_CONFIG_FIELDS = {
    "n_layer": ("num_layers", "num_hidden_layers"),
    "n_head": ("num_heads", "num_attention_heads"),
    "n_embd": ("hidden_size",),
    "block_size": ("block_size", "window_size"),
    "input_vocab_size": ("input_vocab_size", "vocab_size"),
    "output_vocab_size": ("output_vocab_size",),
    "bias": ("bias",),
    "dropout": ("dropout",),
    "n_codes_total": ("n_codes_total",),
    "n_codes_given": ("n_codes_given",),
}
HF_CONFIG_DEFAULTS = {"bias": True}  # HF's default (real configs say false); the others are the reference's

# --- Suno layout (§9a): checkpoint file of each stage, (large, small).
SUNO_FILES = {
    "semantic": ("text_2.pt", "text.pt"),
    "coarse": ("coarse_2.pt", "coarse.pt"),
    "fine": ("fine_2.pt", "fine.pt"),
}
SUNO_COMPILED_PREFIX = "_orig_mod."  # tensor names saved from torch.compile; stripped when present

# §1 token layouts: (input vocab, output vocab) every stage's checkpoint must have.
STAGE_VOCABS = {
    "semantic": (SEMANTIC_INPUT_VOCAB, SEMANTIC_OUTPUT_VOCAB),
    "coarse": (COARSE_VOCAB, COARSE_VOCAB),
    "fine": (FINE_VOCAB, FINE_VOCAB),
}
# Voice presets (§7): how each prompt array of a preset is shaped.
PROMPT_NDIM = {"semantic_prompt": 1, "coarse_prompt": 2, "fine_prompt": 2}
PROMPT_ROWS = {"coarse_prompt": 2, "fine_prompt": N_FINE_CODEBOOKS}

# The one key map (§9): reference (Suno/nanoGPT) name part -> HF name part. Reference names nest
# everything but the heads under "transformer."; HF names do not. `lm_head(s)` and the final
# `weight`/`bias` parts are the same in both. The inverse (`_HF_PARTS`) is complete (§9).
_KEY_PARTS = {
    "wte": "input_embeds_layer",
    "wtes": "input_embeds_layers",
    "wpe": "position_embeds_layer",
    "h": "layers",
    "ln_1": "layernorm_1",
    "ln_2": "layernorm_2",
    "ln_f": "layernorm_final",
    "c_attn": "att_proj",
    "c_proj": "out_proj",  # both attn.c_proj and mlp.c_proj
    "c_fc": "in_proj",
}
_HF_PARTS = {hf: ref for ref, hf in _KEY_PARTS.items()}
_HEADS = ("lm_head", "lm_heads")


def hf_to_reference_name(name: str) -> str:
    """'layers.0.attn.att_proj.weight' -> 'transformer.h.0.attn.c_attn.weight'."""
    parts = [_HF_PARTS.get(part, part) for part in name.split(".")]
    return ".".join(parts if parts[0] in _HEADS else ["transformer", *parts])


def reference_to_hf_name(name: str) -> str:
    """'transformer.h.0.attn.c_attn.weight' -> 'layers.0.attn.att_proj.weight'."""
    parts = name.split(".")
    if parts[0] == "transformer":
        parts = parts[1:]
    return ".".join(_KEY_PARTS.get(part, part) for part in parts)


def is_mask_buffer(name: str) -> bool:
    """The causal-mask buffer of the reference (without SDPA) and of HF; never a weight (§9)."""
    return name.endswith(".attn.bias")
