"""Checking a take against its text: normalise both, align them, count the errors.

The normaliser is transformers' Whisper English normaliser (it drops bracketed cues such as
[laughs], symbols such as ♪, and writes numbers as digits), built without its British-to-American
spelling map: that map ships with the Whisper hub repositories, and the check must work offline.
Both sides go through the same normaliser, so a spelling is only an error if the speaker changed it.

`align` uses jiwer for the word and character error rates and the word diff (missing: in the text
but not heard; extra: heard but not in the text; substituted: (text word, heard word) pairs).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import jiwer

# Bump when normalising or scoring changes: the verify step's cache key includes it.
SCORING_VERSION = 1


@functools.lru_cache(maxsize=1)
def _english_normalizer():
    from transformers.models.whisper.english_normalizer import EnglishTextNormalizer

    return EnglishTextNormalizer({})  # {}: no spelling map (see the module docstring)


def normalise(text: str) -> str:
    """Lower case words separated by single spaces, without punctuation, cues or symbols."""
    return " ".join(_english_normalizer()(text).split())


@dataclass
class VerifyResult:
    transcript: str  # what the recogniser heard, as it wrote it
    wer: float  # word error rate against the normalised text (may exceed 1: extra words)
    cer: float  # character error rate
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    substituted: list[tuple[str, str]] = field(default_factory=list)  # (text word, heard word)

    def passes(self, max_wer: float) -> bool:
        return self.wer <= max_wer

    def to_json(self) -> dict:
        return {
            "transcript": self.transcript, "wer": round(self.wer, 4), "cer": round(self.cer, 4),
            "missing": self.missing, "extra": self.extra, "substituted": [list(p) for p in self.substituted],
        }


def align(text: str, transcript: str) -> VerifyResult:
    """Score `transcript` (what was heard) against `text` (what the take should say)."""
    reference, heard = normalise(text), normalise(transcript)
    if not reference:  # nothing to say (a cue-only segment): every heard word is extra
        words = heard.split()
        return VerifyResult(transcript, float(len(words)), float(len(heard)), extra=words)
    if not heard:  # jiwer refuses an empty hypothesis
        words = reference.split()
        return VerifyResult(transcript, 1.0, 1.0, missing=words)
    out = jiwer.process_words(reference, heard)
    ref_words, hyp_words = out.references[0], out.hypotheses[0]
    missing, extra, substituted = [], [], []
    for chunk in out.alignments[0]:
        said = ref_words[chunk.ref_start_idx : chunk.ref_end_idx]
        got = hyp_words[chunk.hyp_start_idx : chunk.hyp_end_idx]
        if chunk.type == "delete":
            missing += said
        elif chunk.type == "insert":
            extra += got
        elif chunk.type == "substitute":
            substituted += list(zip(said, got))
    return VerifyResult(transcript, float(out.wer), float(jiwer.cer(reference, heard)), missing, extra, substituted)
