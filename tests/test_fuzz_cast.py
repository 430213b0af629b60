"""Fuzz tests: any cast, speaker names and voice references give a plan or a one-line BarkflowError.

`plan.make_plan` runs on the tiny model's tokenizer (no model is loaded) with random
- speaker names in a dialogue script (unicode, case variants that casefold alike, colons, brackets);
- `project.cast` dicts naming those speakers, other names, or none;
- voice references: presets, `random`/empty, library entries (good, broken YAML, wrong schema, a
  cycle, a good / garbage / pickled `.npz`), inline voices (pointing anywhere, with random sampling
  overrides and history policies), `.npz` paths that exist or not, and arbitrary text;
- per-line voice overrides (`project.lines`).
Properties: no exception but BarkflowError, whose message is one line; a plan gives every segment a
voice the cast (or its line override) names, and 32-hex cache keys for every step.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from helpers import REPO, demo_config, overrides, write_script
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.planning.config import LineConfig, VoiceConfig
from barkflow.store.cache import Store

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
KEY = re.compile(r"[0-9a-f]{32}")

TRICKY_NAMES = [
    "ALICE", "alice", "Alice", "BOB", "narrator", "NARRATOR", "Zoë", "ZOË", "straße", "STRASSE", "İstanbul",
    "\u212aELVIN", "KELVIN", "Ǆ", "ǅ", "ǆ", "名前", "O'BRIEN", "DR. NO", "A (V.O.)", "X:Y", "  padded  ", "ﬁ", "FI",
    "NAME\u200b", "\u00a0", "-", "_", "1", "[MAN]",
]
PRESETS = ["v2/en_speaker_0", "v2/en_speaker_1", "v2/en_speaker_2", "announcer"]
LIBRARY = ["good", "typo", "loop_a", "saved", "junk", "evil", "broken", "tiny_a", "narrator_en"]
NO_VOICE = ["random", "", "RANDOM", " random "]
OPTIONS = {"temp": [0.7, -1.0, "hot", None], "top_k": [None, 50, 0, -3], "min_eos_p": [0.2, 2.0], "nonsense": [1]}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A config, an engine (tokenizer only), a store and a voice library with good and bad entries."""
    folder = tmp_path_factory.mktemp("fuzz_cast")
    script = write_script(folder)
    config = demo_config(overrides(script, folder / "cache", folder / "out"))
    library = folder / "voices"
    library.mkdir()
    (library / "good.yaml").write_text("source: v2/en_speaker_0\nprefix: '[MAN]'\n")
    (library / "broken.yaml").write_text("source: [unclosed\n: : :\n")
    (library / "typo.yaml").write_text("sourse: v2/en_speaker_0\n")
    (library / "loop_a.yaml").write_text("source: loop_b\n")
    (library / "loop_b.yaml").write_text("source: loop_a\n")
    engine = build.make_engine(config)
    store = Store(folder / "cache")
    from barkflow.engine.prompts import save_npz
    from barkflow.planning.voices import resolve_voice

    good = resolve_voice("v2/en_speaker_1", inline={}, library_dirs=[], preset_source=engine.tokenizer_source, store=store)
    save_npz(good.prompt, library / "saved.npz")
    (library / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip file")
    np.savez(library / "evil.npz", semantic_prompt=np.array([object()], dtype=object))
    config = dataclasses.replace(config, paths=dataclasses.replace(config.paths, voices_dir=str(library)))
    return {"folder": folder, "script": folder / "fuzz.txt", "config": config, "engine": engine, "store": store,
            "npz": str(library / "saved.npz")}


names = st.one_of(st.sampled_from(TRICKY_NAMES), st.text(min_size=0, max_size=12))


def spellings(name: str):
    """The ways a cast may spell a speaker's name (the cast matches names case-insensitively)."""
    return st.sampled_from([name, name.upper(), name.lower(), name.casefold()])


@st.composite
def voice_refs(draw, inline_names=()):
    kinds = [st.sampled_from(PRESETS)] * 3 + [st.sampled_from(NO_VOICE), st.sampled_from(LIBRARY),
             st.sampled_from(["missing.npz", "/no/such/voice.npz", "../voices/saved.npz", "v2/en_speaker_99",
                              "v3/en_speaker_0", "v2/", ".", "..", "/", "~", "voices/saved", "\x00"]),
             st.text(max_size=20)]
    if inline_names:
        kinds.append(st.sampled_from(sorted(inline_names)))
    return draw(st.one_of(*kinds))


@st.composite
def sampling_overrides(draw):
    stages = draw(st.lists(st.sampled_from(["semantic", "coarse", "fine", "fin", ""]), max_size=2, unique=True))
    return {
        stage: {option: draw(st.sampled_from(values))
                for option, values in draw(st.lists(st.sampled_from(sorted(OPTIONS.items())), max_size=2))}
        for stage in stages
    }


@st.composite
def projects(draw):
    inline_names = draw(st.lists(st.one_of(st.sampled_from(["host", "guest", "good", "v2/en_speaker_0"]), names),
                                 max_size=3, unique=True))
    inline = {}
    for name in inline_names:
        source = draw(voice_refs(tuple(inline_names)))
        inline[name] = VoiceConfig(
            source=source, prefix=draw(st.sampled_from(["", "♪", "[WOMAN]", "x" * 300])),
            history=draw(st.sampled_from(["", "voice", "chain", "semantic-only", "bogus"])),
            sampling=draw(st.one_of(st.just({}), sampling_overrides())),
        )
    speakers = draw(st.lists(names, min_size=1, max_size=4))
    narrator = draw(st.sampled_from(["narrator", "narrator", "NARRATOR", "ALICE", ""]))
    cast = {}
    for name in draw(st.lists(st.one_of(st.sampled_from(speakers), names), max_size=3)):
        cast[draw(spellings(name))] = draw(voice_refs(tuple(inline)))
    lines = draw(st.lists(st.tuples(st.sampled_from(speakers + ["", "narrator"]), st.sampled_from(
        ["Hello there.", "[laughs] Fine.", "♪ la la ♪", "Wait: what?", "", "A much longer sentence, with a clause. And another one!"]
    )), min_size=1, max_size=6))
    script = "\n".join(f"{speaker}: {text}" if speaker else text for speaker, text in lines) + "\n"
    line_overrides = {}
    if draw(st.booleans()):
        line_overrides[draw(st.integers(0, len(lines) + 1))] = LineConfig(voice=draw(voice_refs(tuple(inline))))
    return {
        "script": script, "cast": cast, "voices": inline, "lines": line_overrides,
        "narrator": narrator,
        "history": draw(st.sampled_from(["voice", "chain", "semantic-only"])),
        "takes": draw(st.integers(1, 2)),
    }


def plan_or_error(world, project: dict):
    world["script"].write_text(project["script"], encoding="utf-8")
    config = world["config"]
    config = dataclasses.replace(config, project=dataclasses.replace(
        config.project, script=str(world["script"]), format="dialogue", cast=project["cast"],
        voices=project["voices"], lines=project["lines"], narrator=project["narrator"], history=project["history"],
        takes=project["takes"],
    ))
    try:
        the_plan = plan.make_plan(config, world["engine"], world["store"], [REPO / "conf"])
    except BarkflowError as error:
        message = str(error)
        assert message and "\n" not in message, message
        _event("error: " + re.sub(r"'.*?'|\(.*?\)|\S*/\S*|\d+", "_", message)[:40])  # --hypothesis-show-statistics
        return None
    _event("plan")
    return the_plan


def _event(label: str) -> None:
    """Hypothesis statistics, when called from inside a hypothesis test."""
    try:
        event(label)
    except InvalidArgument:
        pass


def speakers_of(world, script: str, narrator: str) -> list[str]:
    """The speakers the dialogue parser finds in `script` ([] if it is not a valid script)."""
    from barkflow.text.formats import load_script

    world["script"].write_text(script, encoding="utf-8")
    try:
        return sorted({line.speaker for line in load_script(world["script"], "dialogue", narrator=narrator).lines})
    except BarkflowError:
        return []


@FUZZ
@given(project=projects(), data=st.data())
def test_any_cast_gives_a_plan_or_one_line_error(world, project, data):
    if data.draw(st.integers(0, 4), label="cast the speakers the parser finds (unless 0)"):
        for speaker in speakers_of(world, project["script"], project["narrator"]):
            project["cast"][data.draw(spellings(speaker))] = data.draw(voice_refs(tuple(project["voices"])))
    the_plan = plan_or_error(world, project)
    if the_plan is None:
        return
    cast = {name.casefold() for name in project["cast"]}
    for unit in the_plan.units:
        override = project["lines"].get(unit.line.source_line)
        assert unit.line.speaker.casefold() in cast or (override is not None and override.voice)
        assert unit.voice is not None and unit.history in ("voice", "chain", "semantic-only")
        assert all(KEY.fullmatch(unit.keys[step]) for step in ("semantic", "coarse", "fine", "decode"))
    assert len(the_plan.units) == project["takes"] * len(the_plan.segments())


@FUZZ
@given(speakers=st.lists(names, min_size=1, max_size=4, unique=True), data=st.data())
def test_a_full_cast_of_good_voices_always_plans(world, speakers, data):
    """Every speaker cast (under any case variant) to a voice that exists: always a plan, never an error."""
    lines = [f"{s}: Hello from {i}." for i, s in enumerate(speakers)]
    script = "\n".join(lines) + "\n"
    found = speakers_of(world, script, "narrator")
    if not found:
        return  # the script itself is not valid dialogue (e.g. only a colon): the script fuzzers cover that
    good = PRESETS + ["good", "saved", "tiny_a", "random", world["npz"]]  # narrator_en needs a preset tiny lacks
    cast = {data.draw(spellings(speaker)): data.draw(st.sampled_from(good)) for speaker in found}
    if len({name.casefold() for name in cast}) < len(cast):
        return  # two spellings of one speaker: which voice wins is not defined
    the_plan = plan_or_error(world, {"script": script, "cast": cast, "voices": {}, "lines": {}, "narrator": "narrator",
                                     "history": "voice", "takes": 1})
    assert the_plan is not None and the_plan.units


def test_a_library_entry_with_invalid_yaml_is_a_one_line_error(world):
    project = {"script": "ALICE: Hello.\n", "cast": {"ALICE": "broken"}, "voices": {}, "lines": {},
               "narrator": "narrator", "history": "voice", "takes": 1}
    assert plan_or_error(world, project) is None
