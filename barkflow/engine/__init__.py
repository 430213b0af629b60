"""Bark inference: models, sampling loops, loading, codec and tokenizer. Imports no Hydra.

    from barkflow.engine import Bark
"""

from .options import CoarseOptions, FineOptions, SemanticOptions
from .prompts import VoicePrompt, load_npz, save_npz
from .rows import (
    CoarseRow,
    FineRow,
    SemanticResult,
    SemanticRow,
)


def __getattr__(name):
    # Bark pulls in transformers (codec, tokenizer); load it only when asked for.
    if name == "Bark":
        from .api import Bark

        return Bark
    raise AttributeError(name)


__all__ = [
    "Bark", "CoarseOptions", "CoarseRow", "FineOptions", "FineRow", "SemanticOptions", "SemanticResult",
    "SemanticRow", "VoicePrompt", "load_npz", "save_npz",
]
