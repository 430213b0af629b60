"""The sampling options of Bark's three stages, one dataclass per stage (docs/sampling-controls.md
for the controls beyond the reference's). They double as Hydra config schemas, which is why they
are not frozen (OmegaConf makes frozen nodes read-only, refusing overrides); treat them as values
and derive variants with dataclasses.replace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .constants import (
    DEFAULT_MAX_COARSE_HISTORY,
    DEFAULT_SLIDING_WINDOW_LEN,
    MAX_COARSE_HISTORY_PLUS_WINDOW,
    MAX_MAX_COARSE_HISTORY,
    MIN_MAX_COARSE_HISTORY,
)

# Below MIN_TEMP sampling is greedy in practice (top_k=1 is greedy exactly) and logits/temp nears
# float32 overflow; above MAX_TEMP every token is about equally likely.
MIN_TEMP, MAX_TEMP = 1e-3, 100.0


def _check_sampling(temp, top_k, top_p, stage: str) -> None:
    if temp is not None and not MIN_TEMP <= temp <= MAX_TEMP:  # also refuses NaN
        raise ValueError(f"{stage}.temp must be in [{MIN_TEMP:g}, {MAX_TEMP:g}], got {temp}")
    _check_k(top_k, f"{stage}.top_k")
    _check_p(top_p, f"{stage}.top_p")


def _check_k(k, key: str) -> None:
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
        raise ValueError(f"{key} must be a whole number >= 1 or null, got {k}")


def _check_p(p, key: str) -> None:
    if p is not None and not 0 < p <= 1:
        raise ValueError(f"{key} must be in (0, 1] or null, got {p}")


# Repetition penalties outside this range push log(penalty) past ±4.6 per repeat: a few repeats
# then decide every token, which is no longer a pace control.
MIN_REPETITION_PENALTY, MAX_REPETITION_PENALTY = 0.01, 100.0
NEGATIVE_WEIGHTINGS = ("constant", "divergence")
MAX_NEGATIVE_SCALE = 10.0  # past a few, the negative logits alone decide every token
MAX_MIROSTAT_TAU = 20.0  # bits; the semantic vocabulary's uniform surprise is log2(10001), about 13.3


def _extra(default):
    """A control added after cache keys were in use (Bark Infinity's). While it holds its default
    the cache leaves it out of keys (barkflow/store/cache.py reads this mark), so existing caches stay valid."""
    return field(default=default, metadata={"key_omits_default": True})


@dataclass
class SemanticOptions:
    # sampling (applied in the reference's order: top_p, top_k, temperature)
    temp: float = 0.7
    top_k: Optional[int] = None  # 1 = greedy
    top_p: Optional[float] = None
    # stopping
    min_eos_p: Optional[float] = 0.2  # stop once P(EOS) >= this; lower (0.05) trims rambling tails
    allow_early_stop: bool = True  # False: never stop at EOS, always run to the length limit
    max_gen_duration_s: Optional[float] = None  # stop after this many seconds of tokens
    # Bark Infinity's controls (docs/sampling-controls.md); at their defaults the tokens are Suno's.
    repetition_penalty: float = _extra(1.0)  # < 1: faster speech, fewer repeats; > 1: slower
    inverted_top_p: Optional[float] = _extra(None)  # keep the least likely tokens up to this mass
    bottom_k: Optional[int] = _extra(None)  # keep the k least likely tokens
    mirostat_tau: Optional[float] = _extra(None)  # mirostat v2 target surprise in bits; null = off
    mirostat_eta: float = _extra(0.1)  # mirostat v2 learning rate
    # Experimental, as in Bark Infinity: steer away from what `negative_text` under the row's
    # negative prompt (an anti-speaker voice) would say. Costs a second forward pass per row.
    negative_text: Optional[str] = _extra(None)  # null = off
    negative_voice: str = _extra("")  # the anti-speaker: a voice reference, as in the cast ("" = none)
    negative_scale: float = _extra(1.0)  # how hard to push away
    negative_weighting: str = _extra("constant")  # constant | divergence (push only where they differ)

    def __post_init__(self):
        _check_sampling(self.temp, self.top_k, self.top_p, "semantic")
        if self.min_eos_p is not None and not 0 <= self.min_eos_p <= 1:
            raise ValueError(f"semantic.min_eos_p must be in [0, 1] or null, got {self.min_eos_p}")
        if self.max_gen_duration_s is not None and not self.max_gen_duration_s > 0:
            raise ValueError(f"semantic.max_gen_duration_s must be > 0 or null, got {self.max_gen_duration_s}")
        _check_extra_filters(self.inverted_top_p, self.bottom_k, "semantic")
        if not MIN_REPETITION_PENALTY <= self.repetition_penalty <= MAX_REPETITION_PENALTY:
            raise ValueError(
                f"semantic.repetition_penalty must be in [{MIN_REPETITION_PENALTY:g}, {MAX_REPETITION_PENALTY:g}] "
                f"(1 = off), got {self.repetition_penalty}"
            )
        if self.mirostat_tau is not None and not 0 < self.mirostat_tau <= MAX_MIROSTAT_TAU:
            raise ValueError(f"semantic.mirostat_tau must be in (0, {MAX_MIROSTAT_TAU:g}] bits or null, got {self.mirostat_tau}")
        if not 0 < self.mirostat_eta <= 1:
            raise ValueError(f"semantic.mirostat_eta must be in (0, 1], got {self.mirostat_eta}")
        if not 0 <= self.negative_scale <= MAX_NEGATIVE_SCALE:
            raise ValueError(f"semantic.negative_scale must be in [0, {MAX_NEGATIVE_SCALE:g}], got {self.negative_scale}")
        if self.negative_weighting not in NEGATIVE_WEIGHTINGS:
            raise ValueError(
                f"semantic.negative_weighting must be one of {', '.join(NEGATIVE_WEIGHTINGS)}, got {self.negative_weighting!r}"
            )


def _check_extra_filters(inverted_top_p, bottom_k, stage: str) -> None:
    _check_p(inverted_top_p, f"{stage}.inverted_top_p")
    _check_k(bottom_k, f"{stage}.bottom_k")


@dataclass
class CoarseOptions:
    temp: float = 0.7
    top_k: Optional[int] = None
    top_p: Optional[float] = None
    max_coarse_history: int = DEFAULT_MAX_COARSE_HISTORY  # 60..630 coarse tokens of context
    sliding_window_len: int = DEFAULT_SLIDING_WINDOW_LEN  # tokens per window (fresh KV cache each)
    inverted_top_p: Optional[float] = _extra(None)  # as in SemanticOptions
    bottom_k: Optional[int] = _extra(None)

    def __post_init__(self):
        _check_sampling(self.temp, self.top_k, self.top_p, "coarse")
        _check_extra_filters(self.inverted_top_p, self.bottom_k, "coarse")
        if not isinstance(self.max_coarse_history, int) or not isinstance(self.sliding_window_len, int):
            raise ValueError(f"coarse.max_coarse_history and sliding_window_len must be whole numbers, got "
                             f"{self.max_coarse_history} and {self.sliding_window_len}")
        if not MIN_MAX_COARSE_HISTORY <= self.max_coarse_history <= MAX_MAX_COARSE_HISTORY:
            raise ValueError(
                f"coarse.max_coarse_history must be in {MIN_MAX_COARSE_HISTORY}..{MAX_MAX_COARSE_HISTORY}, "
                f"got {self.max_coarse_history}"
            )
        if not 1 <= self.sliding_window_len <= MAX_COARSE_HISTORY_PLUS_WINDOW - self.max_coarse_history:
            raise ValueError(
                f"coarse.sliding_window_len must be >= 1 and max_coarse_history + sliding_window_len "
                f"<= {MAX_COARSE_HISTORY_PLUS_WINDOW}, got {self.sliding_window_len}"
            )


@dataclass
class FineOptions:
    temp: Optional[float] = 0.5  # None = argmax (deterministic)

    def __post_init__(self):
        _check_sampling(self.temp, None, None, "fine")
