"""Step: a take's decoded audio → what a speech recogniser hears in it (barkflow/engine/asr.py).

The entry holds the transcript only. Scoring it against the segment's text (barkflow/verify.py)
and against `verify.max_wer` happens when it is read, so a new threshold re-scores every take
without transcribing again; the key covers the audio (the decode key) and the recogniser's
identity, which names its weights and every option that changes what it hears.
"""

import numpy as np

from barkflow.cache import content_key
from barkflow.verify import VerifyResult, align

NAME = "verify"
VERSION = 1
NEEDS = ("decode",)


def cache_key(unit, recogniser) -> str:
    return content_key(NAME, VERSION, unit.keys["decode"], recogniser.identity())


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, recogniser):
    transcripts = recogniser.transcribe([inputs["decode"][i]["audio"] for i in range(len(units))])
    results = []
    for unit, transcript in zip(units, transcripts):
        scores = align(unit.text, transcript)  # in the meta for a look at the cache; read back with `result`
        results.append(({"transcript": np.array(transcript)}, {"wer": scores.wer, "cer": scores.cer}))
    return results


def result(arrays: dict, unit) -> VerifyResult:
    """The scores of a stored transcript against the unit's text."""
    return align(unit.text, str(arrays["transcript"]))


class VerifyStep:
    """This step bound to one recogniser, in the shape the scheduler runs (NAME, NEEDS, length, run)."""

    NAME, NEEDS = NAME, NEEDS
    length = staticmethod(length)

    def __init__(self, recogniser, batch_size: int):
        self.recogniser = recogniser
        self.batch_size = batch_size

    def cache_key(self, unit) -> str:
        return cache_key(unit, self.recogniser)

    def assign_keys(self, units) -> None:
        """Each unit's verify key, beside the token steps' keys the plan gave it."""
        for unit in units:
            unit.keys[NAME] = self.cache_key(unit)

    def run(self, units, prompts, inputs, engine, progress=None):
        return run(units, prompts, inputs, engine, self.recogniser)
