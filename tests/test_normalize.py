"""barkflow.text.normalize: the front door, the rules per language against the evaluation set, the
English WFST back end's layer of fixes (with a stand-in for NeMo's grammars), and the bounds."""

from __future__ import annotations

import logging
import time

import pytest
from helpers import project_config
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow.text.chunks import chunks_of
from barkflow.text.normalize import evaluation, normalise_text, normaliser_for, note_for, wfst
from barkflow.text.normalize.languages import BARK_LANGUAGES
from barkflow.text.normalize.rules import RulesNormaliser
from barkflow.text.spoken import parse_lexicon, spoken_text


def test_every_bark_language_has_an_evaluation_set_and_a_back_end():
    assert evaluation.languages() == sorted(BARK_LANGUAGES)
    for language in BARK_LANGUAGES:
        assert normaliser_for(language) is not None and note_for(language) in (None, note_for("en"))
        assert len(evaluation.cases(language)) >= 8


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_the_rules_say_the_evaluation_set_as_a_narrator_would(language):
    scores = evaluation.score(language, lambda text: normalise_text(text, language, "rules"))
    failures = [f"{case.written!r} -> {output!r}" for _, _, fails in scores.values() for case, output in fails]
    assert evaluation.rate(scores) >= 0.95, failures


@pytest.mark.parametrize(
    "language,written,spoken",
    [
        ("en", "The wall is 1.5m high.", "The wall is one point five meters high."),
        ("en", "US$20, A$5, 5¢ and ¥300.", "twenty dollars, five Australian dollars, five cents and three hundred yen."),
        ("en", "Add 1/2 cup at -12 degrees.", "Add one half cup at minus twelve degrees."),
        ("en", "He walked 2½ miles in ¾ of an hour.", "He walked two and a half miles in three quarters of an hour."),
        ("de", "Nimm 1/5 und ⅛ davon.", "Nimm ein Fünftel und ein Achtel davon."),
        ("en", "Call 555-123-4567 on 4 July.", "Call five five five, one two three, four five six seven on the fourth of July."),
        ("de", "Das war das 2. Mal, es kostet 3,5 €.", "Das war das zweite Mal, es kostet drei Euro und fünfzig Cent."),
        ("fr", "M. Dupont arrive à 18h30.", "Monsieur Dupont arrive à dix-huit heures trente."),
    ],
)
def test_the_cases_the_old_rules_garbled(language, written, spoken):
    assert normalise_text(written, language, "rules").endswith(spoken)


def test_a_language_without_a_back_end_is_said_once_and_its_text_kept():
    assert normaliser_for("sw") is None
    assert "no back end for language 'sw'" in note_for("sw")
    assert spoken_text("Nina 3", "sw") == "Nina 3"


def test_english_without_the_grammars_falls_back_to_the_rules_with_a_note(monkeypatch):
    monkeypatch.setenv("BARKFLOW_NORMALIZE_BACKEND", "auto")
    monkeypatch.setattr(wfst, "available", lambda: False)
    assert "pip install 'barkflow[nemo]'" in note_for("en")
    monkeypatch.setattr(wfst, "available", lambda: True)
    assert note_for("en") is None


def test_the_note_is_said_once_per_render(tmp_path, caplog, monkeypatch):
    from types import SimpleNamespace

    from barkflow.planning.plan import _SpellerFactory

    monkeypatch.setattr("barkflow.planning.plan.note_for", lambda language: f"note {language}")
    factory = _SpellerFactory(project_config(tmp_path, "project.normalize=true"), [])
    voices = [SimpleNamespace(name=name, language=language, config=SimpleNamespace(lexicon=None))
              for name, language in [("a", "sw"), ("b", "sw"), ("c", "en")]]
    with caplog.at_level(logging.WARNING):
        for voice in voices:
            factory(voice)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("note")] == ["note sw", "note en"]
    assert wfst.grammar_dir().is_relative_to(tmp_path)  # the grammars' cache is barkflow's, not the source tree


class Grammars:
    """A stand-in for NeMo's grammars: records what it is given, says digits as "N"."""

    def __init__(self, fail=False):
        self.seen, self.fail = [], fail

    def __call__(self, text: str) -> str:
        self.seen.append(text)
        if self.fail:
            raise RuntimeError("grammar failure")
        return "".join("N" if c.isdigit() else c for c in text)


def _wfst(grammars) -> wfst.WfstNormaliser:
    return wfst.WfstNormaliser(RulesNormaliser("en"), grammars)


def _say(normaliser, text: str, lexicon=None) -> str:
    chunks = chunks_of(text)
    if lexicon:
        chunks = lexicon.respell(chunks)
    return " ".join("".join(t for t, _ in normaliser(chunks)).split())


def test_the_fixes_say_what_the_grammars_miss_and_only_pieces_that_need_it_reach_them():
    grammars = Grammars()
    normaliser = _wfst(grammars)
    said = _say(normaliser, "It rose 1.5m, cost A$5 and 5¢ at 60 km/h under Henry VIII, in 1990. [laughs] Nothing here")
    assert said == ("It rose one point five meters, cost five Australian dollars and five cents at sixty kilometers "
                    "per hour under Henry the Eighth, in NNNN. [laughs] Nothing here")
    assert grammars.seen == [", in 1990."]  # not the cue, not the fixes' words, not the plain words
    lexicon = parse_lexicon({"words": {"1990": "the year of the cat"}}, "t")
    assert _say(normaliser, "In 1990.", lexicon) == "In the year of the cat."  # the lexicon still runs first


def test_a_grammar_failure_is_said_by_the_rules():
    assert _say(_wfst(Grammars(fail=True)), "In 1990 I was 3.") == "In nineteen ninety I was three."


@pytest.mark.skipif(not wfst.available(), reason="nemo-text-processing is not installed (pip install 'barkflow[nemo]')")
@pytest.mark.slow
def test_the_english_grammars_with_the_fixes_say_the_evaluation_set(tmp_path_factory):
    wfst.use_cache_dir(tmp_path_factory.getbasetemp() / "nemo")
    scores = evaluation.score("en", lambda text: normalise_text(text, "en", "wfst"))
    assert evaluation.rate(scores) >= 0.95


TEXT = st.text(alphabet=st.sampled_from("0123456789.,:/%-−$€£¥¢ +aAeMmhstkg°ºªIVX年元원\u00a0"), max_size=300)


@settings(max_examples=120, deadline=None)
@given(TEXT, st.sampled_from(sorted(BARK_LANGUAGES) + ["wfst"]))
def test_any_text_is_said_in_bounded_time_by_every_back_end(text, language):
    start = time.perf_counter()
    if language == "wfst":
        said = _say(_wfst(Grammars()), text)
    else:
        said = normalise_text(text, language, "rules")
    assert isinstance(said, str)
    assert time.perf_counter() - start < 2.0
