"""CUDA graphs for the one-token decoding step (`device.cuda_graphs`, off by default).

At batch 1 on a GPU a Bark step is launch-bound: ~15 small kernels per layer, each a few
microseconds of work behind tens of microseconds of Python and launch. A CUDA graph replays the
whole step as one launch. A graph needs fixed shapes and addresses, so the graphed step
(`static_step`) differs from the eager one in two ways that do not change the math:
- it attends over the cache's whole `max_len` columns, the ones not yet written masked out
  (exp(-inf) = 0), instead of a slice that grows every step;
- the position and the token come from device buffers the graph reads, and keys/values are
  written with index_copy_ at that position.
Masking more columns can change a float reduction's order, so graphed logits may differ from the
eager path's in the last bits; tests/engine/test_cuda.py checks the replay equals the same static
step run eagerly, bit for bit, and that greedy tokens match the eager path.

A graph is captured per (cache storage, batch): rows leaving the batch (`KVCache.keep_rows`) make
new cache tensors, so the next step captures again (one capture per batch size change).
"""

from __future__ import annotations

import torch

from .model import GPT, KVCache


def static_step(model: GPT, tokens: torch.Tensor, position: torch.Tensor, cache: KVCache) -> torch.Tensor:
    """tokens (B, 1) fed at cache column `position` (a (1,) long tensor) -> (B, vocab) logits.

    Shapes and addresses depend only on the cache, so the step can be captured in a graph.
    Does not advance cache.length (the caller does).
    """
    B = tokens.shape[0]
    columns = torch.arange(cache.max_len, device=tokens.device)
    allowed = (columns <= position) & cache.valid  # (B, max_len): written, non-padding columns
    allowed = allowed | (columns == position)  # a padding row's query still sees itself
    mask = allowed[:, None, None, :]  # (B, 1, 1, max_len)
    pos = (position - cache.pad_left).clamp(min=0)[:, None]  # (B, 1)
    x = model.transformer.wte(tokens) + model.transformer.wpe(pos)
    for layer, block in enumerate(model.transformer.h):
        x = block(x, layer, cache, mask, position)
    return model.lm_head(model.transformer.ln_f(x[:, -1, :])).reshape(B, -1)


class GraphedStep:
    """Replays `static_step` from CUDA graphs; `__call__` has the eager step's contract
    (tokens (B, 1) -> logits, cache.length advanced). One graph per cache (the semantic stage's
    negative pass has its own), the oldest dropped past MAX_GRAPHS."""

    MAX_GRAPHS = 8

    def __init__(self, model: GPT):
        self.model = model
        self.graphs: dict[tuple, tuple] = {}

    def _capture(self, cache: KVCache, batch: int) -> tuple:
        device = cache.k.device
        tokens = torch.zeros(batch, 1, dtype=torch.long, device=device)
        position = torch.full((1,), cache.length, dtype=torch.long, device=device)
        # Warm-up on a side stream (cuBLAS workspaces, lazy inits) as torch.cuda.graphs asks; it
        # writes this step's column, which the replay overwrites with the same values.
        stream = torch.cuda.Stream(device)
        stream.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(stream):
            static_step(self.model, tokens, position, cache)
        torch.cuda.current_stream(device).wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            logits = static_step(self.model, tokens, position, cache)
        return graph, tokens, position, logits

    def __call__(self, tokens: torch.Tensor, cache: KVCache) -> torch.Tensor:
        # Addresses and shapes are all a graph depends on: a new cache at an old one's addresses
        # and shape replays correctly on the same graph.
        key = (cache.k.data_ptr(), cache.v.data_ptr(), cache.valid.data_ptr(), cache.pad_left.data_ptr(),
               tuple(cache.k.shape), tokens.shape[0])
        if key not in self.graphs:
            if len(self.graphs) >= self.MAX_GRAPHS:
                self.graphs.pop(next(iter(self.graphs)))
            self.graphs[key] = self._capture(cache, tokens.shape[0])
        graph, static_tokens, position, logits = self.graphs[key]
        static_tokens.copy_(tokens)
        position.fill_(cache.length)
        graph.replay()
        cache.length += 1
        return logits.clone()  # the next replay overwrites the graph's output


def decode_step(model: GPT, tokens: torch.Tensor, cache: KVCache) -> torch.Tensor:
    """One decoding step: graphed where the model asks for it (`use_cuda_graphs`) and runs on CUDA."""
    graphed = getattr(model, "_graphed_step", None)
    if graphed is not None and tokens.device.type == "cuda":
        return graphed(tokens, cache)
    return model(tokens, cache=cache)


def use_cuda_graphs(model: GPT, enabled: bool = True) -> None:
    """Route the model's decoding steps through a CUDA graph (no effect off CUDA or on the fine model)."""
    if isinstance(model, GPT):
        model._graphed_step = GraphedStep(model) if enabled else None


