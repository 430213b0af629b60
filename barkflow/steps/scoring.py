"""Checking a take against its text: normalise both, align them, count the errors.

For English the normaliser is transformers' Whisper English normaliser (it drops bracketed cues
such as [laughs], symbols such as ♪, and writes numbers as digits), built without its
British-to-American spelling map: that map ships with the Whisper hub repositories, and the check
must work offline. Other languages get Whisper's basic normaliser (lower case, no punctuation,
cues or symbols); for languages written without spaces (Chinese, Japanese) it splits the text into
characters, so the "word" error rate is a character error rate there. Both sides go through the
same normaliser, so a spelling is only an error if the speaker changed it.

`align` uses jiwer for the word and character error rates and the word diff (missing: in the text
but not heard; extra: heard but not in the text; substituted: (text word, heard word) pairs).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

ENGLISH = "en"
UNSPACED_LANGUAGES = ("zh", "ja")  # written without spaces between words


def language_or_english(language: str) -> str:
    """A voice's language code as the check uses it: English when the voice does not say."""
    return (language or ENGLISH).lower()


@functools.lru_cache(maxsize=None)
def _normalizer(language: str):
    from transformers.models.whisper.english_normalizer import BasicTextNormalizer, EnglishTextNormalizer

    if language == ENGLISH:
        return EnglishTextNormalizer({})  # {}: no spelling map (see the module docstring)
    return BasicTextNormalizer(split_letters=language in UNSPACED_LANGUAGES)


def normalise(text: str, language: str = ENGLISH) -> str:
    """Lower case words separated by single spaces, without punctuation, cues or symbols."""
    return " ".join(_normalizer(language_or_english(language))(text).split())


@dataclass
class VerifyResult:
    transcript: str  # what the recogniser heard, as it wrote it
    wer: float  # word error rate against the normalised text (may exceed 1: extra words)
    cer: float  # character error rate
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    substituted: list[tuple[str, str]] = field(default_factory=list)  # (text word, heard word)
    flags: dict = field(default_factory=dict)  # the audio checks it fails (barkflow/steps/checks.py): {name: message}
    measures: dict = field(default_factory=dict)  # the audio's measures the flags come from (checks.measure_audio)

    def failures(self, max_wer: float, fail_on) -> list[str]:
        """Why the take fails: "wer" above `max_wer`, then each flagged check named in `fail_on`."""
        return (["wer"] if self.wer > max_wer else []) + [name for name in self.flags if name in fail_on]

    def passes(self, max_wer: float, fail_on=()) -> bool:
        return not self.failures(max_wer, fail_on)

    def to_json(self) -> dict:
        return {
            "transcript": self.transcript, "wer": round(self.wer, 4), "cer": round(self.cer, 4),
            "missing": self.missing, "extra": self.extra, "substituted": [list(p) for p in self.substituted],
            "flags": self.flags,
        }


def align(text: str, transcript: str, language: str = ENGLISH) -> VerifyResult:
    """Score `transcript` (what was heard) against `text` (what the take should say, in `language`)."""
    import jiwer  # here: a rerun with nothing to verify need not load it (and rapidfuzz)

    reference, heard = normalise(text, language), normalise(transcript, language)
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
