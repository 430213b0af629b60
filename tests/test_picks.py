"""Picks never drop or duplicate a segment: whatever the picks file holds, the book keeps every segment once."""

import json
import logging
from pathlib import Path

import pytest
from helpers import ANY_JSON, project_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow import runner
from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.planning.config import VerifyConfig
from barkflow.publishing import publish
from barkflow.steps.checks import CHECKS
from barkflow.steps.scoring import VerifyResult
from barkflow.store.cache import Store

REPO = Path(__file__).resolve().parents[1]


def render(config):
    return runner.render(config, [REPO / "conf"])


def manifest(tmp_path):
    return json.loads((tmp_path / "out" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The demo's plan with two takes per segment (no model is loaded to plan)."""
    folder = tmp_path_factory.mktemp("plan")
    config = project_config(folder, "project.takes=2")
    engine = build.make_engine(config)
    return plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])




@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_picks_file_keeps_every_segment_exactly_once(planned, tmp_path, data):
    uids = sorted({u.uid for u in planned.units})
    ids = st.sampled_from(uids) | st.text(max_size=8)
    picks = data.draw(st.dictionaries(ids, ANY_JSON | st.integers(-3, 5), max_size=8))
    wrapped = data.draw(st.booleans())
    path = tmp_path / "picks.json"
    path.write_text(json.dumps({"picks": picks} if wrapped else picks))
    config = project_config(tmp_path, "project.takes=2", f"project.picks={path}")
    # verify.pick=best: some takes scored (any error rate and audio flags, some passing), or no scores at all
    wers = st.floats(0, 10, allow_nan=False)
    flags = st.lists(st.sampled_from(CHECKS), unique=True)
    takes = [(u.uid, u.take) for u in planned.units]
    stubs = st.builds(align_stub, wers, flags)
    scores = data.draw(st.none() | st.dictionaries(st.sampled_from(takes), stubs))
    verify = VerifyConfig(max_wer=data.draw(wers), fail_on=data.draw(flags))

    chosen = publish.choose_takes(planned.units, publish.read_picks(config), None, scores, verify)

    assert [u.number for u in chosen] == sorted({u.number for u in planned.units})
    assert [u.text for u in chosen] == [u.text for u in planned.segments()]
    for unit in chosen:
        picked = picks.get(unit.uid)
        valid = isinstance(picked, int) and not isinstance(picked, bool) and picked in (0, 1)
        assert unit.take == (picked if valid else best_of(unit.uid, scores, verify))


def align_stub(wer: float, flags=()) -> VerifyResult:
    return VerifyResult("", wer, wer, flags={name: "flagged" for name in flags})


def best_of(uid: str, scores, verify: VerifyConfig) -> int:
    """Without a pick: take 0, or with scores the passing take (error rate within max_wer, no flag
    in fail_on) with the lowest error rate (ties: the lower take), else the lowest error rate,
    unscored takes last."""
    if scores is None:
        return 0
    scored = {take: scores[uid, take].wer for take in (0, 1) if (uid, take) in scores}
    passing = {
        take: wer for take, wer in scored.items()
        if wer <= verify.max_wer and not set(scores[uid, take].flags) & set(verify.fail_on)
    }
    pool = passing or scored
    return min(pool, key=lambda take: (pool[take], take)) if pool else 0


@pytest.mark.parametrize("content", ["[1, 2]", "not json", '{"picks": 3}'])
def test_a_picks_file_that_is_not_an_object_of_picks_is_one_line(tmp_path, content):
    path = tmp_path / "picks.json"
    path.write_text(content)
    with pytest.raises(BarkflowError) as error:
        publish.read_picks(project_config(tmp_path, f"project.picks={path}"))
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_stale_pick_falls_back_to_take_0_and_keeps_the_line(tmp_path, caplog):
    render(project_config(tmp_path, "project.takes=2"))
    segment = manifest(tmp_path)["segments"][1]
    picks = tmp_path / "out" / "picks.json"
    picks.write_text(json.dumps({"picks": {segment["uid"]: 1, "no-such-segment": 0}}))
    render(project_config(tmp_path, "project.takes=2"))
    assert manifest(tmp_path)["segments"][1]["take"] == 1

    with caplog.at_level(logging.WARNING, logger="barkflow.runner"):
        summary = render(project_config(tmp_path, "project.takes=1"))
    segments = manifest(tmp_path)["segments"]
    assert len(segments) == summary.segments == 4
    assert segments[1]["uid"] == segment["uid"] and segments[1]["take"] == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any(segment["id"] in m and "no take 1" in m for m in messages)
    assert any("no-such-segment" in m for m in messages)

    # a preview that stops before the picked segment does not call its pick unknown
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="barkflow.runner"):
        render(project_config(tmp_path, "project.takes=1", "limit=1"))
    assert not any(segment["uid"] in r.getMessage() for r in caplog.records)

    for value in ("1e400", "5", '"1"', "1.0", "true"):
        picks.write_text('{"picks": {"%s": %s}}' % (segment["uid"], value))
        render(project_config(tmp_path, "project.takes=2"))
        assert [s["uid"] for s in manifest(tmp_path)["segments"]] == [s["uid"] for s in segments], value
