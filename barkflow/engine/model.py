"""Bark's three transformers in one file: the causal GPT (semantic, coarse) and the fine model.

Follows Suno's `bark/model.py` and `bark/model_fine.py` (themselves nanoGPT) and the spec,
docs/bark.md §8. Parameter names are the reference's (wte, wpe, h, ln_f,
c_attn, c_proj, c_fc, lm_head), so the original checkpoints load after stripping their
`_orig_mod.` prefix; the Hugging Face key map lives in `layouts.py`.
`build` is the one place a model of a config is made (tied fine heads, optional init).

Three things differ from the reference, none of which changes the math:
- keys and values go into a preallocated `KVCache` instead of growing by `torch.cat`;
- a batch may hold rows of different prompt lengths: they are left-padded, each row gets its
  own positions, and padded keys are masked out of attention;
- on CPU, products use a oneDNN-packed copy of each weight (`Linear`) and a decoding step's
  attention is two plain products (`_one_query_attention`): faster, and an unpadded row's bits
  do not depend on which rows share its batch.
"""

from __future__ import annotations

import contextlib
import math

import torch
import torch.nn as nn
from torch.nn import functional as F

from .configs import FineGPTConfig, GPTConfig  # noqa: F401 (re-exported)
from .constants import SEMANTIC_HISTORY, TEXT_CONTEXT


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (nn.LayerNorm cannot drop only the bias)."""

    def __init__(self, ndim: int, bias: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class Linear(nn.Linear):
    """nn.Linear that, on CPU in fp32, multiplies by a oneDNN-packed copy of its weight.

    F.linear on CPU calls MKL's sgemm, which runs the (8 x 768) @ (768 x 2304) products of a
    decoding step at a third of memory bandwidth; oneDNN on the weight reordered into its blocked
    layout does those 1.3-2x faster and the fine model's large products as fast (2 AVX2 cores).
    It also computes each row the same way however many rows share the call, which sgemm does
    not, so a segment's products do not depend on its batch. The copy costs as much memory as
    the weight; moving the module (`.to()`, which offloading does) drops it, and the next call
    remakes it.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        packed = self._packed_weight()
        if packed is not None:
            return torch.ops.mkldnn._linear_pointwise(x, packed, self.bias, "none", [], "")
        return F.linear(x, self.weight, self.bias)

    def _packed_weight(self) -> torch.Tensor | None:
        weight = self.weight
        usable = _HAS_ONEDNN_LINEAR and torch.backends.mkldnn.enabled
        if not usable or weight.device.type != "cpu" or weight.dtype != torch.float32:
            return None
        # Remade when the weight is replaced or written in place (load_state_dict copies into it).
        key = (weight.data_ptr(), None if weight.is_inference() else weight._version)
        if self.__dict__.get("_packed_key") != key:
            self._packed = torch.ops.mkldnn._reorder_linear_weight(weight.detach(), None)
            self._packed_key = key
        return self._packed

    def _apply(self, fn, *args, **kwargs):
        # .to()/.cuda()/.half(): drop the packed copy rather than keep a stale one in memory.
        self.__dict__.pop("_packed", None)
        self.__dict__.pop("_packed_key", None)
        return super()._apply(fn, *args, **kwargs)


_HAS_ONEDNN_LINEAR = torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")


class KVCache:
    """Keys and values of every layer, preallocated for `max_len` positions.

    k, v: (n_layer, B, n_head, max_len, head_dim). `length` positions are filled.
    `valid`: (B, max_len) bool, False at left-padding positions, which no query may attend to;
    `pad_left`: (B,) padding per row, subtracted from the positions so each row starts at 0.
    """

    def __init__(self, config: GPTConfig, batch: int, max_len: int, device, dtype):
        head_dim = config.n_embd // config.n_head
        shape = (config.n_layer, batch, config.n_head, max_len, head_dim)
        self.k = torch.zeros(shape, device=device, dtype=dtype)
        self.v = torch.zeros(shape, device=device, dtype=dtype)
        self.valid = torch.ones(batch, max_len, dtype=torch.bool, device=device)
        self.pad_left = torch.zeros(batch, dtype=torch.long, device=device)
        self.has_padding = False
        self.length = 0

    @property
    def max_len(self) -> int:
        return self.k.shape[3]

    def left_pad(self, pad_left: torch.Tensor, width: int) -> None:
        """Right-align rows of different lengths in the first `width` columns: row j's first
        pad_left[j] columns are padding that no query attends to, and its positions start after them."""
        columns = torch.arange(width, device=self.valid.device)
        self.valid[:, :width] = columns >= pad_left[:, None]
        self.pad_left = pad_left
        self.has_padding = bool(pad_left.any())

    def row_slice(self, row: int, start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor]:
        """A copy of one row's keys and values in columns [start, stop): (n_layer, n_head, stop-start, hs) each."""
        return self.k[:, row, :, start:stop].clone(), self.v[:, row, :, start:stop].clone()

    def put_row_slice(self, row: int, start: int, kv: tuple[torch.Tensor, torch.Tensor]) -> None:
        k, v = kv
        self.k[:, row, :, start : start + k.shape[2]] = k
        self.v[:, row, :, start : start + v.shape[2]] = v

    def keep_rows(self, rows: torch.Tensor) -> None:
        """Drop finished rows so later steps compute only the live ones."""
        self.k = self.k[:, rows]
        self.v = self.v[:, rows]
        self.valid = self.valid[rows]
        self.pad_left = self.pad_left[rows]


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.c_attn = Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.n_head = config.n_head
        self.n_embd = config.n_embd

    def heads(self, x):
        """x: (B, T, C) -> q, k, v, each (B, nh, T, hs)."""
        B, T, C = x.size()  # batch, new positions, embedding width
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        return [t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v)]

    def merge(self, y):
        """(B, nh, T, hs) -> the output projection of the heads side by side, (B, T, C)."""
        B, _, T, _ = y.shape
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, self.n_embd))

    def forward(self, x, layer: int, cache: KVCache | None, attn_mask: torch.Tensor | None,
                position: torch.Tensor | None = None):
        """position: the graphed step's (graphs.static_step) cache column, a (1,) device tensor."""
        T = x.size(1)
        q, k, v = self.heads(x)
        if cache is None:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=attn_mask is None)
        elif position is not None:
            # Fixed shapes and addresses for a CUDA graph: written at a position the graph reads,
            # attending over all max_len columns (attn_mask hides the unwritten ones).
            cache.k[layer].index_copy_(2, position, k)
            cache.v[layer].index_copy_(2, position, v)
            y = _one_query_attention(q, cache.k[layer], cache.v[layer], attn_mask)
        else:
            start = cache.length
            cache.k[layer, :, :, start : start + T] = k
            cache.v[layer, :, :, start : start + T] = v
            k = cache.k[layer, :, :, : start + T]  # (B, nh, start+T, hs)
            v = cache.v[layer, :, :, : start + T]
            if T == 1 and q.device.type == "cpu":
                y = _one_query_attention(q, k, v, attn_mask)
            else:
                # Unmasked: a prefill into an empty cache is plain causal; one new query sees every key.
                causal = attn_mask is None and T > 1
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=causal)
        return self.merge(y)


def _one_query_attention(q, k, v, attn_mask):
    """A decoding step's attention as two plain products. SDPA's CPU kernel gives a row different
    bits depending on how many rows share the call; this does not, at about the same speed."""
    scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
    if attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, float("-inf"))
    return scores.softmax(dim=-1) @ v


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.c_proj = Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()  # exact (erf) GELU, as the reference

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x, layer, cache, attn_mask, position=None):
        x = x + self.attn(self.ln_1(x), layer, cache, attn_mask, position)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """The causal model of the semantic and coarse stages. Returns logits for the last position."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.input_vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            )
        )
        self.lm_head = Linear(config.n_embd, config.output_vocab_size, bias=False)

    def new_cache(self, batch: int, max_len: int) -> KVCache:
        weight = self.transformer.wpe.weight  # not lm_head's: an int8 head has no float weight
        return KVCache(self.config, batch, max_len, weight.device, weight.dtype)

    def embed_merged(self, idx: torch.Tensor) -> torch.Tensor:
        """The semantic stage's prefix (§3): text and voice history summed position-wise.

        idx: (B, 256 text + 256 history + n more) -> (B, 256 + n, C).
        """
        wte = self.transformer.wte
        text = idx[:, :TEXT_CONTEXT]
        history = idx[:, TEXT_CONTEXT : TEXT_CONTEXT + SEMANTIC_HISTORY]
        rest = idx[:, TEXT_CONTEXT + SEMANTIC_HISTORY :]
        return torch.cat([wte(text) + wte(history), wte(rest)], dim=1)

    def forward(self, idx: torch.Tensor, *, merge_context: bool = False, cache: KVCache | None = None) -> torch.Tensor:
        """idx: (B, T) new token ids -> (B, output_vocab) logits at the last position.

        merge_context: idx is the semantic prefix (see `embed_merged`); only valid with an empty cache.
        cache: keys/values of earlier positions; the new ones are appended to it. Rows it left-pads
            (`KVCache.left_pad`) have those columns masked and their positions start after them.
        """
        tok_emb = self.embed_merged(idx) if merge_context else self.transformer.wte(idx)
        B, T, _ = tok_emb.shape
        past = cache.length if cache is not None else 0
        assert past + T <= self.config.block_size, f"{past + T} positions exceed the block size"

        positions = torch.arange(past, past + T, device=idx.device).expand(B, T)
        attn_mask = None  # plain causal from an empty cache, or one new query that sees every key
        if cache is not None and (cache.has_padding or (past > 0 and T > 1)):
            columns = torch.arange(past + T, device=idx.device)
            query_columns = torch.arange(past, past + T, device=idx.device)[:, None]
            allowed = columns <= query_columns  # (T, past+T), causal after `past` cached columns
            if cache.has_padding:
                positions = (positions - cache.pad_left[:, None]).clamp(min=0)
                # a padding query sees only itself, so its softmax stays finite (its output is unused)
                allowed = (allowed & cache.valid[:, None, : past + T]) | (columns == query_columns)
            attn_mask = allowed.unsqueeze(-3)  # (B, 1, T, past+T) or (1, T, past+T); heads share it

        x = tok_emb + self.transformer.wpe(positions)
        for layer, block in enumerate(self.transformer.h):
            x = block(x, layer, cache, attn_mask)
        if cache is not None:
            cache.length += T
        x = self.transformer.ln_f(x[:, -1, :])  # only the last position is ever sampled from
        return self.lm_head(x)


class NonCausalSelfAttention(CausalSelfAttention):
    def forward(self, x, layer=None, cache=None, attn_mask=None):
        q, k, v = self.heads(x)
        return self.merge(F.scaled_dot_product_attention(q, k, v, is_causal=False))


class FineBlock(nn.Module):
    def __init__(self, config: FineGPTConfig):
        super().__init__()
        # The fine model's LayerNorms always carry a bias, whatever config.bias says (§8).
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = NonCausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class FineGPT(nn.Module):
    """The fine model: predicts codebook k from codebooks 0..k over a whole 1024-frame window."""

    def __init__(self, config: FineGPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wtes=nn.ModuleList(
                    [nn.Embedding(config.input_vocab_size, config.n_embd) for _ in range(config.n_codes_total)]
                ),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                h=nn.ModuleList([FineBlock(config) for _ in range(config.n_layer)]),
                ln_f=nn.LayerNorm(config.n_embd),
            )
        )
        self.lm_heads = nn.ModuleList(
            [
                Linear(config.n_embd, config.output_vocab_size, bias=False)
                for _ in range(config.n_codes_given, config.n_codes_total)
            ]
        )
        tie_fine_heads(self)

    def forward(self, pred_idx: int, idx: torch.Tensor) -> torch.Tensor:
        """idx: (B, T, n_codes_total) codes -> (B, T, output_vocab) logits for codebook pred_idx."""
        B, T, n_codes = idx.shape
        assert 0 < pred_idx < n_codes == self.config.n_codes_total
        positions = torch.arange(T, device=idx.device)
        # Sum of the embeddings of codebooks 0..pred_idx, pred_idx itself included (§5).
        tok_emb = torch.stack(
            [self.transformer.wtes[i](idx[:, :, i]) for i in range(pred_idx + 1)], dim=-1
        ).sum(dim=-1)  # (B, T, C)
        x = tok_emb + self.transformer.wpe(positions)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        return self.lm_heads[pred_idx - self.config.n_codes_given](x)


def count_parameters(model: nn.Module) -> int:
    """Unique parameters (tied fine-model weights counted once)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())


INIT_STD = 0.02  # nanoGPT's


def build(config: GPTConfig, *, device: str | torch.device | None = None) -> GPT | FineGPT:
    """The model of `config`: a FineGPT for a FineGPTConfig, else a GPT, its fine heads tied.

    device="meta" gives the shapes only (no memory, no random init), for weights loaded or
    initialised right after (`empty_model`, loading.py).
    """
    with torch.device(device) if device is not None else contextlib.nullcontext():
        return FineGPT(config) if isinstance(config, FineGPTConfig) else GPT(config)


def tie_fine_heads(model: nn.Module) -> None:
    """Codebook k's input embedding is the head that predicts it (§8). Moving a model's storage
    (to_empty, load_state_dict(assign=True)) gives each its own Parameter again: call this after."""
    if isinstance(model, FineGPT):
        for i in range(model.config.n_codes_total - model.config.n_codes_given):
            model.transformer.wtes[i + 1].weight = model.lm_heads[i].weight


def empty_model(config: GPTConfig, device: str | torch.device = "cpu") -> GPT | FineGPT:
    """The model of `config` with allocated but uninitialised weights (fill them with `init_weights`)."""
    model = build(config, device="meta").to_empty(device=device)
    tie_fine_heads(model)
    return model


def init_weights(
    model: nn.Module,
    std: float = INIT_STD,
    *,
    attn_std: float | None = None,
    generator: torch.Generator | None = None,
) -> None:
    """nanoGPT's initialisation, for random-weight bundles and benchmarks: N(0, std), residual
    projections scaled by 1/sqrt(2 n_layer), norms 1, biases 0. attn_std: c_attn's own std
    instead. Tied parameters are drawn once."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("c_proj.weight"):
                p.normal_(0.0, std / math.sqrt(2 * model.config.n_layer), generator=generator)
            elif attn_std is not None and "c_attn" in name:
                p.normal_(0.0, attn_std, generator=generator)
            elif p.dim() >= 2:
                p.normal_(0.0, std, generator=generator)
            elif name.endswith("bias"):
                p.zero_()
            else:
                p.fill_(1.0)


def random_model(config: GPTConfig, seed: int = 0) -> nn.Module:
    """A model of `config`'s shape with deterministic random weights."""
    torch.manual_seed(seed)
    model = build(config)
    init_weights(model)
    return model.eval()
