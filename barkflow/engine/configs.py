"""The shape of a Bark GPT (model.py builds it): plain frozen dataclasses, no torch, so a stage's
config can be read and checked (loading.check_stage_config) without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

from .constants import BLOCK_SIZE


@dataclass(frozen=True)
class GPTConfig:
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    block_size: int = BLOCK_SIZE
    input_vocab_size: int = 10_048
    output_vocab_size: int = 10_048
    bias: bool = False  # Bark's checkpoints: no bias in Linears (and in the causal LayerNorms)
    dropout: float = 0.0  # inference only; kept so checkpoint model_args load unchanged


@dataclass(frozen=True)
class FineGPTConfig(GPTConfig):
    n_codes_total: int = 8  # codebooks in the input
    n_codes_given: int = 1  # codebooks the model never predicts (heads exist for the rest)
