"""Sampling one token, as small pure functions: the reference's filters (exactly as
`bark/generation.py` applies them to one row) and Bark Infinity's controls (repetition penalty,
inverted top-p, bottom-k, mirostat, negative guidance), each skipped entirely at its default so the
default path is the reference's, float for float. sampling.py's loops call them row by row."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from scipy.special import softmax as scipy_softmax

# ----------------------------------------------------------------------------------------------
# Sampling one token, exactly as the reference does for one row


def _top_p_mask(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """The reference's top-p: on the untempered softmax, via numpy float32 (kept for exactness)."""
    values = logits.detach().cpu().float().numpy()
    order = np.argsort(values)[::-1]
    remove = np.cumsum(scipy_softmax(values[order])) > top_p
    remove[1:] = remove[:-1].copy()  # keep the first token that crosses top_p
    remove[0] = False
    values[order[remove]] = -np.inf
    return torch.from_numpy(values).to(logits.device)


def filter_logits(
    logits: torch.Tensor, top_k: Optional[int], top_p: Optional[float],
    inverted_top_p: Optional[float] = None, bottom_k: Optional[int] = None,
) -> torch.Tensor:
    """The truncations, in a fixed order: top-p, inverted top-p, top-k, bottom-k (all untempered)."""
    if top_p is not None:
        logits = _top_p_mask(logits, top_p)
    if inverted_top_p is not None:
        logits = inverted_top_p_mask(logits, inverted_top_p)
    if top_k is not None:
        kth = torch.topk(logits, min(top_k, logits.size(-1))).values[-1]
        logits = logits.masked_fill(logits < kth, -float("inf"))  # ties with the k-th are kept
    if bottom_k is not None:
        logits = bottom_k_mask(logits, bottom_k)
    return logits


def sample_token(
    logits: torch.Tensor, temp: float, top_k: Optional[int], top_p: Optional[float], generator: torch.Generator,
    inverted_top_p: Optional[float] = None, bottom_k: Optional[int] = None,
) -> tuple[int, torch.Tensor]:
    """logits: (V,) float32 -> (sampled index, probabilities after the filters)."""
    probs = F.softmax(filter_logits(logits, top_k, top_p, inverted_top_p, bottom_k) / temp, dim=-1)
    return int(torch.multinomial(probs, num_samples=1, generator=generator)), probs


# ----------------------------------------------------------------------------------------------
# Bark Infinity's controls, as small pure functions. Each is skipped entirely at its default, so
# the default path is the reference's, float for float.


def inverted_top_p_mask(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Keep the *least* likely tokens whose probabilities add up to p, the mirror of top-p.

    Bark Infinity offers it to push a voice off its most obvious continuation. As in top-p, the
    token that crosses p is kept, so at least one token survives; tokens already at -inf stay out.
    """
    order = torch.argsort(logits)  # ascending: least likely first
    mass = torch.cumsum(F.softmax(logits[order], dim=-1), dim=-1)
    remove = torch.zeros_like(mass, dtype=torch.bool)
    remove[1:] = mass[:-1] > p  # removed once the tokens before it pass p, as in top-p
    out = logits.clone()
    out[order[remove]] = -float("inf")
    return out


def bottom_k_mask(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the k least likely tokens still in play (ties with the k-th are kept, as in top-k).

    Bark Infinity's bottom-k is a no-op (it takes a max where a min was meant); this one keeps
    exactly the k lowest finite logits.
    """
    finite = logits[torch.isfinite(logits)]
    if finite.numel() == 0:
        return logits
    kth = torch.topk(finite, min(k, finite.numel()), largest=False).values[-1]
    return logits.masked_fill(logits > kth, -float("inf"))


def repetition_bias(logits: torch.Tensor, counts: torch.Tensor, penalty: float) -> torch.Tensor:
    """Add log(penalty) x (times generated so far) to each token's logit, Bark Infinity's definition.

    counts covers the first counts.numel() logits (the semantic vocabulary; EOS is never counted).
    A penalty below 1 makes repeats less likely, which Bark speakers hear as faster speech; just
    above 1 makes them more likely and speech slower. Only tokens generated in this row count,
    not the voice's history.
    """
    bias = math.log(penalty) * counts
    return torch.cat([logits[: counts.numel()] + bias, logits[counts.numel() :]])


def mirostat_v2(probs: torch.Tensor, mu: float, generator: torch.Generator) -> tuple[int, torch.Tensor, float]:
    """One mirostat v2 draw: keep the tokens whose surprise -log2(p) is at most mu, sample among them.

    Returns (token, the kept probabilities renormalised, the token's surprise under `probs`).
    Mirostat (Basu et al., 2021) steers the surprise of what is sampled towards a target tau by
    moving mu after every draw: mu -= eta * (surprise - tau) (see `MirostatState`). The most
    likely token is always kept, so a low mu degrades to greedy rather than to nothing.
    """
    surprise = -torch.log2(probs)
    keep = surprise <= mu
    keep[torch.argmax(probs)] = True
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    kept = kept / kept.sum()
    token = int(torch.multinomial(kept, num_samples=1, generator=generator))
    return token, kept, float(surprise[token])


def negative_guidance(logits: torch.Tensor, negative: torch.Tensor, scale: float, weighting: str) -> torch.Tensor:
    """Push the logits away from a negative prompt's: logits - scale x negative (Bark Infinity's).

    With weighting "divergence" the scale is multiplied by the Jensen-Shannon divergence of the two
    distributions (in bits, so 0..1): where the negative prompt predicts what the row predicts
    (shared words, shared timing) nothing changes, and the push grows where they part. Plain
    subtraction flattens the distribution wherever the two agree, which is why it is experimental.
    """
    if weighting == "divergence":
        scale = scale * js_divergence_bits(F.softmax(logits, dim=-1), F.softmax(negative, dim=-1))
    return logits - scale * negative


def js_divergence_bits(p: torch.Tensor, q: torch.Tensor) -> float:
    """Jensen-Shannon divergence of two distributions, in bits: 0 when equal, 1 when disjoint."""
    m = (p + q) / 2

    def kl(a):
        nonzero = a > 0
        return float(torch.sum(a[nonzero] * torch.log2(a[nonzero] / m[nonzero])))

    return (kl(p) + kl(q)) / 2


@dataclass
class MirostatState:
    """One row's mirostat v2 state; rows never share it, so a batch stays row-independent."""

    tau: float
    eta: float
    mu: Optional[float] = None  # the surprise threshold; None starts it where the paper does, at 2 tau

    def __post_init__(self):
        if self.mu is None:
            self.mu = 2 * self.tau

    def sample(self, probs: torch.Tensor, generator: torch.Generator) -> tuple[int, torch.Tensor, float]:
        token, kept, surprise = mirostat_v2(probs, self.mu, generator)
        self.mu -= self.eta * (surprise - self.tau)
        return token, kept, surprise
