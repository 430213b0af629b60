"""Normalisation, the front door: numbers, money, measures, dates, times, abbreviations... as the
words a narrator says, in the voice's language. One interface, a back end per language:

- English: NVIDIA's WFST grammars (nemo-text-processing, `pip install barkflow[nemo]`) under a
  thin layer of our own fixes for what they miss (wfst.py); without them, the rules.
- Bark's other languages (de, es, fr, hi, it, ja, ko, pl, pt, ru, tr, zh): regex rules over
  num2words, with readers of our own for Chinese and Hindi (rules.py).

A normaliser takes chunks of (text, protected) (barkflow.text.chunks) and returns them with its
words protected: Bark's cues and the lexicon's respellings, which come first, are never touched.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Optional, Protocol

from barkflow.text.chunks import Chunks, chunks_of
from barkflow.text.normalize import words
from barkflow.text.normalize.rules import RulesNormaliser, roman_value

log = logging.getLogger(__name__)

NORMALIZE_VERSION = 3  # bump when the rules change what the same text becomes

__all__ = ["NORMALIZE_VERSION", "Normaliser", "normaliser_for", "note_for", "normalise_text", "roman_value"]


class Normaliser(Protocol):
    language: str
    name: str  # the back end and its version: part of the spoken text's identity

    def __call__(self, chunks: Chunks) -> Chunks: ...

    def title_numeral(self, text: str) -> Optional[str]: ...


BACKEND_VARIABLE = "BARKFLOW_NORMALIZE_BACKEND"  # auto (default) or rules; the tests pin rules


def default_backend() -> str:
    return os.environ.get(BACKEND_VARIABLE) or "auto"


def normaliser_for(language: str, backend: Optional[str] = None) -> Optional[Normaliser]:
    """The normaliser for `language` (None: numbers cannot be said in it). `backend`: auto (the
    WFST grammars for English where installed, else the rules), rules, or wfst."""
    return _normaliser(language, backend or default_backend())


@functools.lru_cache(maxsize=None)
def _normaliser(language: str, backend: str) -> Optional[Normaliser]:
    if not words.has_numbers(language):
        return None
    if language == "en" and backend in ("auto", "wfst"):
        from barkflow.text.normalize import wfst

        if wfst.available() or backend == "wfst":
            return wfst.WfstNormaliser(RulesNormaliser(language))
    return RulesNormaliser(language)


def note_for(language: str) -> Optional[str]:
    """What to tell the user, once per render, about normalisation in `language` (None: nothing)."""
    if not words.has_numbers(language):
        return f"normalisation: there is no back end for language {language!r}; its numbers are read as written"
    if language == "en" and default_backend() == "auto":
        from barkflow.text.normalize import wfst

        if not wfst.available():
            return ("normalisation: English uses barkflow's rules; for NeMo's grammars (better dates, money and "
                    "measures) install them with pip install 'barkflow[nemo]'")
    return None


def normalise_text(text: str, language: str, backend: Optional[str] = None) -> str:
    """`text` normalised on its own (Bark's cues kept), for the evaluation and the bench."""
    normaliser = normaliser_for(language, backend)
    if normaliser is None:
        return text
    title = normaliser.title_numeral(text)
    if title is not None:
        return title
    return " ".join("".join(t for t, _ in normaliser(chunks_of(text))).split())
