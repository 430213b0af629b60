"""The verify step: takes transcribed, normalised, aligned with their text, and cached.

Real speech comes from flite (rms, awb and kal16 voices), which PocketSphinx recognises well; the
recordings are put where decoded audio enters the step: the decode entries of the cache.
"""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf
import soxr
from helpers import project_config

from barkflow import runner
from barkflow.engine import asr
from barkflow.engine.constants import SAMPLE_RATE
from barkflow.errors import BarkflowError
from barkflow.planning.plan import TOKEN_STEPS
from barkflow.steps.scoring import align, normalise
from barkflow.steps.verify import VerifyStep
from barkflow.store.cache import Store

SENTENCE = "The old lighthouse keeper climbed the stairs and lit the lamp before the storm arrived."
OTHER = "Seven green bottles are standing on the kitchen wall today."
CLAUSE_DROPPED = "The old lighthouse keeper climbed the stairs."

needs_flite = pytest.mark.skipif(shutil.which("flite") is None, reason="flite is not installed (apt-get install flite)")


def _has_pocketsphinx() -> bool:
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        return False
    return True


needs_sphinx = pytest.mark.skipif(not _has_pocketsphinx(), reason="pocketsphinx is not installed (pip install pocketsphinx)")


def flite_recording(tmp_path, text: str, voice: str = "rms") -> np.ndarray:
    """`text` spoken by flite's `voice`, as decoded audio: 24 kHz mono float32."""
    path = tmp_path / f"{voice}-{abs(hash(text))}.wav"
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True, capture_output=True)
    audio, rate = sf.read(path, dtype="float32")
    return soxr.resample(audio, rate, SAMPLE_RATE).astype(np.float32)


# ---------------------------------------------------------------------------------------------- scoring


def test_normalise_drops_cues_symbols_case_and_punctuation():
    assert normalise("[laughs] Well, HELLO there! ♪ (sighs)") == "well hello there"


def test_a_dropped_clause_shows_its_words_as_missing():
    result = align(SENTENCE, CLAUSE_DROPPED)
    assert result.missing == ["and", "lit", "the", "lamp", "before", "the", "storm", "arrived"]
    assert result.extra == [] and result.substituted == []
    assert result.wer == pytest.approx(8 / 15)


def test_invented_words_are_extra_and_changed_words_substituted():
    result = align("Stay close to me.", "stay close to me now please")
    assert result.extra == ["now", "please"] and result.wer == pytest.approx(0.5)
    result = align("Stay close to me.", "stay clothes to me")
    assert result.substituted == [("close", "clothes")] and result.missing == []


def test_silence_misses_every_word_and_a_cue_only_segment_expects_none():
    assert align("Stay close.", "").missing == ["stay", "close"]
    assert align("Stay close.", "").wer == 1.0
    assert align("[laughs]", "").wer == 0.0


# ---------------------------------------------------------------------------------------------- sphinx on flite


@needs_flite
@needs_sphinx
@pytest.mark.parametrize("voice", ["rms", "awb", "kal16"])
def test_sphinx_passes_the_matching_recording_and_fails_other_words(tmp_path, voice):
    recogniser = asr.SphinxRecogniser()
    heard = recogniser.transcribe(
        [flite_recording(tmp_path, SENTENCE, voice), flite_recording(tmp_path, OTHER, voice)]
    )
    matching, other = align(SENTENCE, heard[0]), align(SENTENCE, heard[1])
    assert matching.passes(0.5), (voice, matching)
    assert not other.passes(0.5), (voice, other)
    assert matching.wer < other.wer


@needs_flite
@needs_sphinx
def test_sphinx_shows_the_words_of_a_dropped_clause_as_missing(tmp_path):
    heard = asr.SphinxRecogniser().transcribe([flite_recording(tmp_path, CLAUSE_DROPPED)])[0]
    missing = set(align(SENTENCE, heard).missing)
    assert {"lamp", "storm", "arrived"} <= missing


def test_sphinx_identity_names_the_release_and_model():
    pytest.importorskip("pocketsphinx")
    identity = asr.SphinxRecogniser().identity("en")
    assert identity.startswith("sphinx|pocketsphinx ") and identity.endswith("/en-us")
    with pytest.raises(BarkflowError, match="verify=sphinx hears English only.*'de': use verify=whisper") as error:
        asr.SphinxRecogniser().identity("de")
    assert "\n" not in str(error.value)


# ---------------------------------------------------------------------------------------------- the step in a render


class CountingRecogniser:
    """The configured recogniser, counting the takes it is asked to transcribe."""

    def __init__(self):
        self.inner = None
        self.transcribed = 0

    def identity(self, language: str) -> str:
        return self.inner.identity(language)

    def transcribe(self, audios, language: str):
        self.transcribed += len(audios)
        return self.inner.transcribe(audios, language)


@pytest.fixture
def counting(monkeypatch):
    recogniser = CountingRecogniser()
    make = asr.make_recogniser

    def counted(config, threads=0):
        recogniser.inner = make(config)
        return recogniser

    monkeypatch.setattr(runner, "make_recogniser", counted)
    return recogniser


def manifest(tmp_path) -> dict:
    return json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))


@needs_flite
@needs_sphinx
def test_verify_is_cached_and_a_new_threshold_rescores_without_transcribing(tmp_path, counting):
    first = runner.render(project_config(tmp_path))  # verify=none: tokens and audio into the cache
    assert "verify" not in first.rendered
    segments = manifest(tmp_path)["segments"]
    assert all("verify" not in s and "verify" not in s["keys"] for s in segments)
    # Each segment's decoded audio becomes flite speaking its text; the last one speaks other words.
    store = Store(tmp_path / "cache")
    for i, segment in enumerate(segments):
        text = OTHER if i == len(segments) - 1 else segment["text"]
        store.save("decode", segment["keys"]["decode"], {"audio": flite_recording(tmp_path, text)})

    summary = runner.render(project_config(tmp_path, "verify=sphinx", "verify.max_wer=0.5"))
    assert summary.rendered["verify"] == len(segments) == counting.transcribed
    verified = manifest(tmp_path)["segments"]
    assert [s["verify"]["passed"] for s in verified] == [True] * (len(segments) - 1) + [False]
    assert verified[-1]["verify"]["wer"] > 0.5 and verified[-1]["verify"]["missing"] + verified[-1]["verify"]["extra"]
    assert verified[0]["review_takes"][0]["verify"] == verified[0]["verify"]
    assert all(s["keys"]["decode"] == old["keys"]["decode"] for s, old in zip(verified, segments))

    again = runner.render(project_config(tmp_path, "verify=sphinx", "verify.max_wer=0.5"))
    assert counting.transcribed == len(segments) and again.rendered["verify"] == 0
    assert again.reused["verify"] == len(segments)

    runner.render(project_config(tmp_path, "verify=sphinx", "verify.max_wer=10"))
    assert counting.transcribed == len(segments)  # re-scored, not transcribed
    assert all(s["verify"]["passed"] for s in manifest(tmp_path)["segments"])


def test_verify_none_is_the_default_and_adds_no_step(tmp_path):
    config = project_config(tmp_path, "plan=true")
    assert config.verify.recogniser == "none"
    assert [step.NAME for step in TOKEN_STEPS] == ["semantic", "coarse", "fine", "decode"]


@pytest.mark.parametrize(
    "override, message",
    [
        ("verify.max_wer=11", "verify.max_wer is 11"),
        ("verify.max_wer=-0.1", "verify.max_wer is -0.1"),
        ("verify.recogniser=vosk", "verify.recogniser is 'vosk'"),
        ("verify.batch_size=0", "verify.batch_size is 0"),
    ],
)
def test_verify_options_out_of_range_are_one_line_errors(tmp_path, override, message):
    with pytest.raises(BarkflowError, match=message.replace(".", r"\.").replace("(", r"\(")) as error:
        project_config(tmp_path, override)
    assert "\n" not in str(error.value)


# ---------------------------------------------------------------------------------------------- whisper plumbing


def test_tiny_whisper_transcribes_a_batch_and_its_identity_pins_the_files(tmp_path):
    recogniser = asr.WhisperRecogniser("tiny-whisper", "tiny-whisper")
    heard = recogniser.transcribe([np.zeros(SAMPLE_RATE, np.float32), np.zeros(0, np.float32)], "de")
    assert len(heard) == 2 and all(isinstance(t, str) for t in heard)
    identity = recogniser.identity("en")
    assert identity.startswith("whisper|") and "model.safetensors" in identity
    assert recogniser.identity("de") != identity


def test_an_english_only_whisper_refuses_other_languages_before_anything_renders(tmp_path):
    english_only = tmp_path / "whisper-en"
    shutil.copytree(asr.tiny_whisper_dir(), english_only)
    generation = json.loads((english_only / "generation_config.json").read_text())
    (english_only / "generation_config.json").write_text(json.dumps({**generation, "is_multilingual": False}))
    recogniser = asr.WhisperRecogniser(str(english_only))
    assert recogniser.identity("en").startswith("whisper|")
    with pytest.raises(BarkflowError, match="verify.multilingual_source") as error:
        recogniser.identity("de")  # no multilingual source given
    assert "\n" not in str(error.value)
    with pytest.raises(BarkflowError, match="verify.multilingual_source is an English-only Whisper.*'de'"):
        asr.WhisperRecogniser(str(english_only), str(english_only)).identity("de")
    with pytest.raises(BarkflowError, match="does not know the language 'xx'"):
        asr.WhisperRecogniser("tiny-whisper", "tiny-whisper").identity("xx")


def test_whisper_needs_a_source_that_exists(tmp_path):
    with pytest.raises(BarkflowError, match="verify.source"):
        asr.WhisperRecogniser("")
    with pytest.raises(BarkflowError, match="config.json is missing"):
        asr.WhisperRecogniser(str(tmp_path))


def test_a_whisper_verified_render_reruns_without_recognition(tmp_path, counting):
    overrides = ("verify=whisper", "verify.source=tiny-whisper")
    first = runner.render(project_config(tmp_path, *overrides))
    segments = manifest(tmp_path)["segments"]
    assert first.rendered["verify"] == len(segments) == counting.transcribed
    assert all(isinstance(s["verify"]["transcript"], str) and "wer" in s["verify"] for s in segments)
    again = runner.render(project_config(tmp_path, *overrides))
    assert again.rendered["verify"] == 0 and counting.transcribed == len(segments)
    # Another recogniser is another key: the same audio is transcribed again.
    keys = {s["keys"]["verify"] for s in segments}
    runner.render(project_config(tmp_path, "verify=sphinx"))
    assert counting.transcribed == 2 * len(segments)
    assert keys.isdisjoint(s["keys"]["verify"] for s in manifest(tmp_path)["segments"])
    # Off again: the manifest (kept, as the audio is the same) drops the checks.
    runner.render(project_config(tmp_path))
    assert all("verify" not in s and "verify" not in s["keys"] for s in manifest(tmp_path)["segments"])


def test_each_take_is_measured_once_when_it_is_verified(tmp_path, monkeypatch):
    """The verify step measures a take's audio; the review clips take those measures, not new ones."""
    from barkflow.publishing import clips
    from barkflow.steps import checks, verify

    calls = []

    def counted(audio, *args, **kw):
        calls.append(len(audio))
        return checks.measure_audio(audio, *args, **kw)

    monkeypatch.setattr(verify, "measure_audio", counted)
    monkeypatch.setattr(clips, "measure_audio", counted)
    runner.render(project_config(tmp_path, "verify=whisper", "verify.source=tiny-whisper"))
    segments = manifest(tmp_path)["segments"]
    assert len(calls) == len(segments)
    assert all(s["checks"] is not None and "flags" in s["checks"] for s in segments)


# ---------------------------------------------------------------------------------------------- languages


GERMAN_BOB = ("project.voices.bob_de.source=v2/en_speaker_2", "project.voices.bob_de.language=de", "project.cast.BOB=bob_de")


def test_takes_are_heard_in_their_voices_language(tmp_path, monkeypatch):
    heard_in = []
    transcribe = asr.WhisperRecogniser.transcribe

    def recording_languages(self, audios, language):
        heard_in.extend([language] * len(audios))
        return transcribe(self, audios, language)

    monkeypatch.setattr(asr.WhisperRecogniser, "transcribe", recording_languages)
    whisper = ("verify=whisper", "verify.source=tiny-whisper", "verify.multilingual_source=tiny-whisper")
    runner.render(project_config(tmp_path, *whisper, *GERMAN_BOB))
    segments = manifest(tmp_path)["segments"]
    assert sorted(heard_in) == sorted("de" if s["speaker"] == "BOB" else "en" for s in segments)

    # The language is in the key: the same audio heard in English is another entry.
    german_keys = {s["keys"]["verify"] for s in segments if s["speaker"] == "BOB"}
    runner.render(project_config(tmp_path, *whisper))
    assert german_keys.isdisjoint(s["keys"]["verify"] for s in manifest(tmp_path)["segments"])


def test_sphinx_refuses_a_voice_of_another_language_before_anything_renders(tmp_path):
    pytest.importorskip("pocketsphinx")
    with pytest.raises(BarkflowError, match=r"voice bob_de \(segment l\d+-s01\): verify=sphinx hears English only") as error:
        runner.render(project_config(tmp_path, "verify=sphinx", *GERMAN_BOB))
    assert "\n" not in str(error.value)
    assert not list((tmp_path / "cache").glob("semantic/**/*.npz"))


# ---------------------------------------------------------------------------------------------- retakes on real speech


def _spoken(text: str) -> str:
    """The words of a segment as flite should say them: without Bark's cues."""
    return re.sub(r"\[[^\]]*\]", " ", text)


@needs_flite
@needs_sphinx
def test_real_speech_through_the_retake_loop(tmp_path, monkeypatch):
    """Each take's recording replaces its decoded audio where it enters the verify step: segment 1
    first speaks other words, segment 2 first has a 2 s gap in the middle of its words; both are
    retaken, and the retakes (speaking the text) pass and are picked."""
    gap = np.zeros(2 * SAMPLE_RATE, np.float32)

    def recording(unit) -> np.ndarray:
        words = _spoken(unit.text)
        if unit.number == 1 and unit.take == 0:
            return flite_recording(tmp_path, OTHER)
        if unit.number == 2 and unit.take == 0:
            first, second = words.split(".", 1)
            return np.concatenate([flite_recording(tmp_path, first), gap, flite_recording(tmp_path, second)])
        return flite_recording(tmp_path, words)

    transcribed = []
    run = VerifyStep.run

    def run_on_recordings(self, units, prompts, inputs, engine, progress=None):
        transcribed.extend((u.number, u.take) for u in units)
        return run(self, units, prompts, {"decode": [{"audio": recording(u)} for u in units]}, engine, progress)

    monkeypatch.setattr(VerifyStep, "run", run_on_recordings)
    summary = runner.render(project_config(tmp_path, "verify=sphinx", "verify.max_wer=0.5", "verify.max_takes=3"))

    assert sorted(transcribed) == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0)]
    assert summary.verified == {"passed first": 2, "fixed by retakes": 2, "failing": 0}
    segments = manifest(tmp_path)["segments"]
    assert [s["take"] for s in segments] == [0, 1, 1, 0]
    other_words, with_gap = segments[1]["review_takes"][0]["verify"], segments[2]["review_takes"][0]["verify"]
    assert other_words["failures"] == ["wer"]
    assert with_gap["failures"] == ["inner_silence"] and "inner_silence" in with_gap["flags"]
    assert all(s["verify"]["passed"] for s in segments)
    assert not (tmp_path / "out" / "failed.txt").exists()
