"""The hardware floor and how close each stage gets to it; what int8 weights cost in agreement.

Used by bench/engine.py (and bench/barkcpp.py):
- `measure_floor`: this machine's fp32 GEMM peak (a large matmul) and memory bandwidth (a large
  copy), measured in the same run as the stages so both see the same load;
- `WorkCounter`: per stage, the weight bytes read and the FLOPs done, counted from the forward
  calls the stage made (a decoding step reads every Linear weight once, whatever its batch);
- `int8_agreement`: per stage, under teacher forcing (both models read the fp32 run's tokens),
  how often int8's top-1 matches fp32's and the mean KL(fp32 || int8) of the sampled distribution.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from barkflow.engine.constants import (
    COARSE_INFER_TOKEN,
    COARSE_SEMANTIC_PAD_TOKEN,
    COARSE_SEMANTIC_WINDOW,
    CODEBOOK_SIZE,
    FINE_PAD_TOKEN,
    FINE_WINDOW,
    SEMANTIC_VOCAB_SIZE,
)


def measure_floor(device: str = "cpu", seconds: float = 1.5) -> dict:
    """{'gflops': fp32 GEMM peak, 'gbps': copy bandwidth (bytes read + written)}, best of a few tries."""
    dev = torch.device(device)
    n = 2048 if dev.type == "cpu" else 8192
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    src = torch.empty(256 * 2**20 // 4 if dev.type == "cpu" else 2**30 // 4, device=dev)
    dst = torch.empty_like(src)

    def best(fn, work):
        fn()
        rate, deadline = 0.0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            _sync(dev)
            start = time.perf_counter()
            fn()
            _sync(dev)
            rate = max(rate, work / (time.perf_counter() - start))
        return rate

    gflops = best(lambda: a @ b, 2 * n**3 / 1e9)
    gbps = best(lambda: dst.copy_(src), 2 * src.numel() * 4 / 1e9)
    return {"gflops": gflops, "gbps": gbps}


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def weight_bytes(model: nn.Module) -> int:
    """Bytes of the matrices one forward reads in full: every Linear (float or int8), not the
    embeddings (a step reads one row of each)."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    total = 0
    for module in model.modules():
        if isinstance(module, DynamicLinear):
            total += module.in_features * module.out_features  # int8; the per-channel scales are noise
        elif isinstance(module, nn.Linear):
            total += module.weight.numel() * module.weight.element_size()
    return total


def linear_params(model: nn.Module) -> int:
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    return sum(m.in_features * m.out_features for m in model.modules() if isinstance(m, (nn.Linear, DynamicLinear)))


class WorkCounter:
    """Counts a model's forward calls and the positions they process (forward hooks)."""

    def __init__(self, model: nn.Module):
        self.model = model
        self.calls = 0
        self.positions = 0
        self.bytes_per_call = weight_bytes(model)
        self.params = linear_params(model)
        self._handle = model.register_forward_pre_hook(self._hook, with_kwargs=True)

    def _hook(self, module, args, kwargs):
        idx = args[-1] if args else kwargs["idx"]
        self.calls += 1
        self.positions += idx.shape[0] * idx.shape[1]  # (B, T) ids, or the fine model's (B, T, 8)

    def reset(self) -> None:
        self.calls = self.positions = 0

    def close(self) -> None:
        self._handle.remove()

    def rates(self, seconds: float, floor: dict) -> dict:
        """Achieved GB/s and GFLOP/s, and how many times the floor (the roofline time) it took."""
        gb = self.calls * self.bytes_per_call / 1e9
        gflop = 2 * self.params * self.positions / 1e9
        floor_s = max(gb / floor["gbps"], gflop / floor["gflops"])
        return {"gbps": gb / seconds, "gflops": gflop / seconds, "x_floor": seconds / floor_s if floor_s else 0.0}


def int8_model(model: nn.Module) -> nn.Module:
    from barkflow.engine.quantize import quantize_int8

    return quantize_int8(copy.deepcopy(model))


def _kl_top1(ref_logits: torch.Tensor, q_logits: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Per row: does top-1 agree, and KL(ref || q) in nats of the softmax."""
    agree = (ref_logits.argmax(-1) == q_logits.argmax(-1)).cpu().numpy()
    ref_logp, q_logp = F.log_softmax(ref_logits.double(), -1), F.log_softmax(q_logits.double(), -1)
    kl = (ref_logp.exp() * (ref_logp - q_logp)).sum(-1).cpu().numpy()
    return agree, kl


@torch.inference_mode()
def _causal_forced(model, prefix: np.ndarray, tokens: list[int], relevant, merge_context: bool) -> torch.Tensor:
    """Logits (len(tokens), V') a causal model gives at each step when fed `prefix` then `tokens`."""
    cache = model.new_cache(1, len(prefix) + len(tokens) + 1)
    logits = model(torch.from_numpy(prefix)[None], merge_context=merge_context, cache=cache)
    out = []
    for i, token in enumerate(tokens):
        out.append(relevant(logits[0].float(), i))
        if i + 1 < len(tokens):
            logits = model(torch.tensor([[token]]), cache=cache)
    return torch.stack(out)


@torch.inference_mode()
def int8_agreement(models: dict, encode, texts, semantic, coarse, fine, max_steps: int = 60) -> dict:
    """Per stage {'top1': share of steps where int8's argmax is fp32's, 'kl': mean KL nats, 'steps'}.

    models: stage -> fp32 model. semantic/coarse/fine: the fp32 run's outputs per segment, which
    both models read (teacher forcing). Coarse: the first window (<= max_steps tokens) of each
    segment; fine: every predicted codebook of each segment's first window.
    """
    from barkflow.engine.sampling import _semantic_prefix

    results = {}
    for stage, fp32 in models.items():
        q = int8_model(fp32)
        agree, kl = [], []
        for i, text in enumerate(texts):
            if stage == "semantic":
                prefix = _semantic_prefix(encode, text, None)
                tokens = [int(t) for t in semantic[i][:max_steps]]
                pick = lambda lg, _: lg[:SEMANTIC_VOCAB_SIZE]  # noqa: E731
                pairs = [_causal_forced(m, prefix, tokens, pick, True) for m in (fp32, q)]
            elif stage == "coarse":
                window = np.asarray(semantic[i][:COARSE_SEMANTIC_WINDOW], dtype=np.int64)
                window = np.pad(window, (0, COARSE_SEMANTIC_WINDOW - len(window)), constant_values=COARSE_SEMANTIC_PAD_TOKEN)
                prefix = np.concatenate([window, [COARSE_INFER_TOKEN]])
                codes = coarse[i]  # (2, frames)
                flat = (codes + (np.arange(2) * CODEBOOK_SIZE)[:, None]).ravel("F") + SEMANTIC_VOCAB_SIZE
                tokens = [int(t) for t in flat[:max_steps]]

                def pick(lg, step):
                    offset = SEMANTIC_VOCAB_SIZE + (step % 2) * CODEBOOK_SIZE
                    return lg[offset : offset + CODEBOOK_SIZE]

                pairs = [_causal_forced(m, prefix, tokens, pick, False) for m in (fp32, q)]
            else:
                codes = np.asarray(fine[i], dtype=np.int64)[:, :FINE_WINDOW]
                n = codes.shape[1]
                buffer = np.full((FINE_WINDOW, 8), FINE_PAD_TOKEN, dtype=np.int64)
                buffer[:n] = codes.T
                idx = torch.from_numpy(buffer)[None]
                pairs = [
                    torch.cat([m(k, idx)[0, :n, :CODEBOOK_SIZE].float() for k in range(2, 8)]) for m in (fp32, q)
                ]
            a, d = _kl_top1(*pairs)
            agree.append(a)
            kl.append(d)
        agree, kl = np.concatenate(agree), np.concatenate(kl)
        results[stage] = {"top1": float(agree.mean()), "kl": float(kl.mean()), "steps": int(len(agree))}
    return results
