"""Retakes, best-take picks, the verify summary and failed.txt, with a scripted recogniser.

The recogniser is a stand-in: what it "hears" depends on the segment and take it is given (the
verify step hands it the units of its batch), so a test chooses which takes fail and how badly.
The demo's segments: 0 the narrator's two sentences, 1 ALICE's "Did you hear that? ...",
2 BOB's "It is only the wind. [sighs] It is always the wind.", 3 ALICE's "Then why is the door open?".
"""

import io
import json
from pathlib import Path

import pytest
from helpers import project_config
from rich.console import Console

from barkflow import cli, runner
from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.running.retakes import FAILED_FILE
from barkflow.steps.verify import VerifyStep
from barkflow.store.cache import Store

REPO = Path(__file__).resolve().parents[1]


def heard(unit) -> str:
    """Segment 0 always passes; 1 fails its take 0 only; 2 always fails (all but "it is" missing);
    3's take 0 drops one word (wer 1/6, passes at 0.35) and its later takes are word perfect."""
    if unit.number == 1 and unit.take == 0:
        return ""
    if unit.number == 2:
        return "it is"
    if unit.number == 3 and unit.take == 0:
        return "then why is the door"
    return unit.text


class Killed(Exception):
    pass


class ScriptedRecogniser:
    def __init__(self):
        self.units = []
        self.transcribed = []  # (segment number, take) in the order asked
        self.fail_on_take = None  # a take number that raises, once: a kill inside the retake loop

    def identity(self, language: str) -> str:
        return "scripted|v1"

    def transcribe(self, audios, language: str):
        assert len(audios) == len(self.units)
        if self.fail_on_take is not None and any(u.take == self.fail_on_take for u in self.units):
            self.fail_on_take = None
            raise Killed
        self.transcribed += [(u.number, u.take) for u in self.units]
        return [heard(u) for u in self.units]


@pytest.fixture
def scripted(monkeypatch):
    recogniser = ScriptedRecogniser()
    run = VerifyStep.run

    def run_with_units(self, units, prompts, inputs, engine, progress=None):
        self.recogniser.units = units  # the stand-in hears by segment and take
        return run(self, units, prompts, inputs, engine, progress)

    monkeypatch.setattr(VerifyStep, "run", run_with_units)
    monkeypatch.setattr(runner, "make_recogniser", lambda config, threads=0: recogniser)
    return recogniser


def render(tmp_path, *overrides):
    # fail_on=[]: the tiny model's noise fails the audio checks; these tests decide pass and fail by WER
    return runner.render(project_config(tmp_path, "verify=sphinx", "verify.fail_on=[]", *overrides), [REPO / "conf"])


def cli_output(tmp_path, *overrides) -> list[str]:
    """What `barkflow` prints for this project, as lines."""
    console = Console(file=io.StringIO(), width=400)
    cli._print_verify_report(
        runner.verify_report(project_config(tmp_path, "verify=sphinx", "verify.fail_on=[]", *overrides), [REPO / "conf"]),
        project_config(tmp_path, "verify=sphinx", "verify.fail_on=[]", *overrides), console,
    )
    return console.file.getvalue().splitlines()


def manifest(tmp_path) -> dict:
    return json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))


def takes_of(tmp_path) -> list[list[int]]:
    return [[t["take"] for t in s["review_takes"]] for s in manifest(tmp_path)["segments"]]


def test_failing_segments_are_retaken_up_to_max_takes_and_a_rerun_computes_nothing(tmp_path, scripted):
    summary = render(tmp_path, "verify.max_takes=3")

    assert sorted(scripted.transcribed) == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2), (3, 0)]
    assert takes_of(tmp_path) == [[0], [0, 1], [0, 1, 2], [0]]
    assert summary.rendered["decode"] == summary.rendered["verify"] == 7
    assert summary.verified == {"passed first": 2, "fixed by retakes": 1, "failing": 1}
    line = cli.summary_line(summary)
    assert "2 passed first time, 1 fixed by retakes, 1 still failing (failed.txt)" in line
    segments = manifest(tmp_path)["segments"]
    assert [s["take"] for s in segments] == [0, 1, 0, 0]  # segment 2: all fail alike, the lower take
    assert [s["takes"] for s in segments] == [1, 2, 3, 1]
    assert segments[1]["verify"]["passed"] and not segments[2]["verify"]["passed"]
    failed = (tmp_path / "out" / FAILED_FILE).read_text(encoding="utf-8").splitlines()
    assert failed == [
        f"{segments[2]['id']}\tline 6\ttake 0\twer=0.80\tfails: wer\tmissing: only the wind it is always the wind"
    ]

    again = render(tmp_path, "verify.max_takes=3")
    assert set(again.rendered.values()) == {0} and len(scripted.transcribed) == 7
    assert again.verified == summary.verified and takes_of(tmp_path) == [[0], [0, 1], [0, 1, 2], [0]]

    # verify.report=true: the same counts and lines, from the cache, with nothing transcribed
    report = cli_output(tmp_path, "verify.max_takes=3", "verify.report=true")
    assert report[0].endswith("verify: 2 passed first time, 1 fixed by retakes, 1 still failing")
    assert report[1:] == failed and len(scripted.transcribed) == 7

    # a looser threshold: every segment passes, failed.txt goes, nothing is transcribed
    passed = render(tmp_path, "verify.max_takes=3", "verify.max_wer=1")
    assert passed.verified == {"passed first": 4, "fixed by retakes": 0, "failing": 0}
    assert not (tmp_path / "out" / FAILED_FILE).exists() and len(scripted.transcribed) == 7


def test_a_run_killed_inside_the_retake_loop_continues_it(tmp_path, scripted):
    scripted.fail_on_take = 2  # the second round of retakes is killed at its verify step
    with pytest.raises(Killed):
        render(tmp_path / "killed", "verify.max_takes=3")
    resumed = render(tmp_path / "killed", "verify.max_takes=3")
    # the second round's tokens and audio were cached before the kill: only its transcript is new
    assert resumed.rendered == {"semantic": 0, "coarse": 0, "fine": 0, "decode": 0, "verify": 1}

    render(tmp_path / "clean", "verify.max_takes=3")
    killed, clean = manifest(tmp_path / "killed"), manifest(tmp_path / "clean")
    assert [(s["take"], s["keys"]) for s in killed["segments"]] == [(s["take"], s["keys"]) for s in clean["segments"]]
    assert takes_of(tmp_path / "killed") == takes_of(tmp_path / "clean")


def test_best_pick_takes_the_passing_take_with_the_lowest_error_and_picks_json_wins(tmp_path, scripted):
    render(tmp_path, "project.takes=2")  # max_takes=1: no retakes, only scoring and the pick
    segments = manifest(tmp_path)["segments"]
    assert takes_of(tmp_path) == [[0, 1]] * 4
    # 1: take 1 passes and take 0 does not; 3: both pass, take 1 has no error; 0 and 2: a tie
    assert [s["take"] for s in segments] == [0, 1, 0, 1]
    assert (tmp_path / "out" / FAILED_FILE).read_text(encoding="utf-8").startswith(segments[2]["id"] + "\t")

    (tmp_path / "out" / "picks.json").write_text(json.dumps({"picks": {segments[3]["uid"]: 0}}))
    render(tmp_path, "project.takes=2")
    assert [s["take"] for s in manifest(tmp_path)["segments"]] == [0, 1, 0, 0]

    (tmp_path / "out" / "picks.json").unlink()
    render(tmp_path, "project.takes=2", "verify.pick=first")
    assert [s["take"] for s in manifest(tmp_path)["segments"]] == [0, 0, 0, 0]


def test_verify_off_writes_no_failed_list_and_removes_a_stale_one(tmp_path, scripted):
    render(tmp_path)
    assert (tmp_path / "out" / FAILED_FILE).exists()
    summary = runner.render(project_config(tmp_path), [REPO / "conf"])
    assert summary.verified is None and "verify:" not in cli.summary_line(summary)
    assert not (tmp_path / "out" / FAILED_FILE).exists()


@pytest.mark.parametrize("voice", ["v2/en_speaker_1", "random"])
def test_a_retake_is_planned_like_a_planned_take_and_keeps_take_0s_conditioning(tmp_path, voice):
    config = project_config(tmp_path, "project.takes=2", f"project.cast.ALICE={voice}")
    engine = build.make_engine(config)
    the_plan = plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])
    planned = {(u.number, u.take): u for u in the_plan.units}
    segments = the_plan.segments()
    before = {id(u): dict(u.keys) for u in the_plan.units}
    for segment in segments:
        retake = the_plan.retake(segment, 2, engine)
        anchor = segment.prompt_from is None and segment.voice.prompt is None  # a random voice's first segment
        if anchor:  # locked to its take 0, the voice the speaker's later segments have
            assert retake.prompt_from is segment and retake.wave == segment.wave + 1
        else:
            assert retake.prompt_from is segment.prompt_from and retake.wave == segment.wave
        assert retake.seeds == {s: plan.derive_seed(segment.seed_bases[s], s, segment.uid, 2) for s in segment.seeds}
        assert retake.keys["semantic"] != segment.keys["semantic"]
        again = the_plan.retake(segment, 1, engine)
        if segment.prompt_from is None and not anchor:  # take 1 made as a retake is the planned take 1
            assert again.keys == planned[segment.number, 1].keys and again.seeds == planned[segment.number, 1].seeds
    assert all(dict(u.keys) == before[id(u)] for u in planned.values())  # no other unit changed
    if voice == "random":  # ALICE's second line locks to her first: its retakes too
        assert any(s.prompt_from is not None for s in segments)
        assert any(s.prompt_from is None and s.voice.prompt is None for s in segments)


@pytest.mark.parametrize(
    "override, message",
    [("verify.max_takes=21", "verify.max_takes is 21"), ("verify.max_takes=0", "verify.max_takes is 0"),
     ("verify.pick=worst", "verify.pick is 'worst'")],
)
def test_retake_options_out_of_range_are_one_line_errors(tmp_path, override, message):
    with pytest.raises(BarkflowError, match=message) as error:
        project_config(tmp_path, override)
    assert "\n" not in str(error.value)


def test_the_segment_a_random_voice_locks_to_is_retaken_locked_to_its_take_0(tmp_path, scripted):
    summary = render(tmp_path, "verify.max_takes=2", "project.cast.ALICE=random")  # segment 1 is ALICE's first
    assert takes_of(tmp_path) == [[0], [0, 1], [0, 1], [0]]
    assert [s["take"] for s in manifest(tmp_path)["segments"]] == [0, 1, 0, 0]
    assert summary.verified == {"passed first": 2, "fixed by retakes": 1, "failing": 1}
    again = render(tmp_path, "verify.max_takes=2", "project.cast.ALICE=random")
    assert set(again.rendered.values()) == {0}


def test_a_shard_retakes_only_its_own_lines_not_the_units_it_borrows_prompts_from(tmp_path, scripted):
    # shard 0/3 holds lines 0 and 3; line 3 (ALICE, random) borrows line 1's take 0, which fails
    summary = render(tmp_path, "verify.max_takes=2", "project.cast.ALICE=random", "shard=0/3")
    assert (1, 0) in scripted.transcribed and (1, 1) not in scripted.transcribed
    assert summary.verified == {"passed first": 2, "fixed by retakes": 0, "failing": 0}
