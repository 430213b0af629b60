"""int8 weights for a CPU stage (`model.<stage>.dtype=int8`): PyTorch's dynamic quantization.

Every Linear of the transformer (attention, MLP, output heads) becomes torch.ao's
`DynamicQuantizedLinear`: weights stored as int8 with one scale per output channel, activations
quantized on the fly per call. Embeddings and LayerNorms stay fp32. A decoding step then reads a
quarter of the bytes, which is what bounds it at batch 1 on a CPU.

What it costs (measured by bench/engine.py --int8, figures in README "Speed"): tokens are no
longer the reference's, and a row's activations are quantized with a scale taken over the whole
batch, so a row's tokens may depend on which rows share its batch. That is why it is opt-in per
stage, and why a stage's cache identity carries its dtype (Bark.identity): int8 tokens never
stand in for fp32 ones.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn as nn

from .constants import INT8  # noqa: F401 (re-exported)


def quantize_int8(model: nn.Module) -> nn.Module:
    """model's Linear layers (barkflow's packed `Linear` included) as int8 dynamic-quantized ones, in place (CPU only)."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    check_int8_device(next(model.parameters()).device)
    _as_plain_linears(model)
    with warnings.catch_warnings():
        # torch.ao.quantization warns that it moves to torchao; it is still the stock CPU path.
        warnings.simplefilter("ignore")
        quantize_dynamic(model, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True)
    model._barkflow_dtype = INT8
    return model


def check_int8_device(device: torch.device, what: str = "int8 weights") -> None:
    """torch.ao's quantized kernels (fbgemm/oneDNN) have no CUDA or MPS implementation."""
    if device.type != "cpu":
        raise ValueError(f"{what} run on the CPU only, not on {device}: use float32 or bfloat16 there")


def _as_plain_linears(model: nn.Module) -> None:
    """torch.ao converts only exact nn.Linear modules: swap each subclass (the oneDNN-packed
    `model.Linear`) for an nn.Linear holding the same parameters (tied fine heads stay tied)."""
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Linear) and type(child) is not nn.Linear:
                plain = nn.Linear(child.in_features, child.out_features, bias=child.bias is not None, device="meta")
                plain.weight = child.weight
                plain.bias = child.bias
                setattr(parent, name, plain)


def is_int8(model: nn.Module) -> bool:
    return getattr(model, "_barkflow_dtype", None) == INT8
