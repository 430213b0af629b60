"""Step: a take's decoded audio → what a speech recogniser hears in it (barkflow/engine/asr.py),
and the audio checks' measures (barkflow/steps/checks.py).

The entry holds the transcript and the measures only. Scoring the transcript against the
segment's text (barkflow/steps/scoring.py), flagging the measures, and judging both against
`verify.max_wer` and `verify.fail_on` happen when it is read, so a new threshold re-scores every
take without transcribing again. The key covers the audio (the decode key), the language the take
is heard in (its voice's), and the recogniser's identity in that language, which names its
weights and every option that changes what it hears.
"""

import numpy as np

from barkflow.errors import BarkflowError
from barkflow.steps.checks import CHECKS_VERSION, MEASURES, flag, measure_audio
from barkflow.steps.scoring import VerifyResult, align, language_or_english
from barkflow.store.keys import Key

NAME = "verify"
VERSION = 2  # 2: the audio checks' measures stored beside the transcript; the language in the key
NEEDS = ("decode",)
KEY = Key(NAME, VERSION, ("checks", "decode", "language", "recogniser"))


def language(unit) -> str:
    """The language a take is heard and scored in: its voice's (English when the voice does not say)."""
    return language_or_english(unit.voice.language)


def cache_key(unit, recogniser) -> str:
    spoken = language(unit)
    return KEY(checks=CHECKS_VERSION, decode=unit.keys["decode"], language=spoken, recogniser=recogniser.identity(spoken))


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, recogniser):
    audios = [inputs["decode"][i]["audio"] for i in range(len(units))]
    transcripts = [""] * len(units)
    for spoken in dict.fromkeys(map(language, units)):  # one call per language in the batch
        indices = [i for i, unit in enumerate(units) if language(unit) == spoken]
        for i, heard in zip(indices, recogniser.transcribe([audios[i] for i in indices], spoken)):
            transcripts[i] = heard
    results = []
    for unit, audio, transcript in zip(units, audios, transcripts):
        arrays = {"transcript": np.array(transcript)}
        arrays.update({name: np.array(value) for name, value in measure_audio(audio).items()})
        scores = align(unit.text, transcript, language(unit))  # in the meta for a look at the cache
        results.append((arrays, {"wer": scores.wer, "cer": scores.cer}))
    return results


def result(arrays: dict, unit, stop_reason=None) -> VerifyResult:
    """The scores of a stored transcript against the unit's text, with the checks its audio fails
    (`stop_reason`: why the unit's semantic stage stopped, from its entry's meta)."""
    scores = align(unit.text, str(arrays["transcript"]), language(unit))
    scores.measures = {name: arrays[name].item() for name in MEASURES}
    scores.flags = flag(scores.measures, unit.text, stop_reason)
    return scores


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
        """Each unit's verify key, beside the token steps' keys the plan gave it. A language the
        recogniser cannot hear stops here, before anything renders."""
        for unit in units:
            try:
                unit.keys[NAME] = self.cache_key(unit)
            except BarkflowError as error:
                raise BarkflowError(f"voice {unit.voice.name} (segment {unit.segment_id}): {error}") from None

    def run(self, units, prompts, inputs, engine, progress=None):
        return run(units, prompts, inputs, engine, self.recogniser)
