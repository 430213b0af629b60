"""What the sampling loops take and give (sampling.py): plain dataclasses, no torch, so planning,
scheduling and the steps can build and read rows without importing torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .options import CoarseOptions, FineOptions, SemanticOptions
from .prompts import VoicePrompt

Progress = Callable[[str, int, int], None]  # (stage, rows done, rows total)


@dataclass(frozen=True)
class SemanticRow:
    text: str
    prompt: Optional[VoicePrompt] = None
    options: SemanticOptions = field(default_factory=SemanticOptions)
    seed: int = 0
    negative_prompt: Optional[VoicePrompt] = None  # the anti-speaker, read with options.negative_text


@dataclass(frozen=True)
class SemanticResult:
    tokens: np.ndarray  # (n,) int64 semantic ids, 0 <= n <= 768
    stop_reason: str  # "eos", "min_eos_p", "max_duration" or "max_length"


@dataclass(frozen=True)
class CoarseRow:
    semantic: np.ndarray  # (n,) semantic ids
    prompt: Optional[VoicePrompt] = None
    options: CoarseOptions = field(default_factory=CoarseOptions)
    seed: int = 0


@dataclass(frozen=True)
class FineRow:
    coarse: np.ndarray  # (n_coarse, T) codes, normally n_coarse = 2
    prompt: Optional[VoicePrompt] = None
    options: FineOptions = field(default_factory=FineOptions)
    seed: int = 0
