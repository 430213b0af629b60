"""One numbering users see: the script file's line numbers, parts and chapters counted from 1, everywhere."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import audiobook_config, page_data, project_config

from barkflow import runner
from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.store.cache import Store

REPO = Path(__file__).resolve().parents[1]
SPLIT = ["split.goal_chars=80", "split.max_chars=150"]  # several segments per paragraph


def test_plan_table_manifest_review_page_and_errors_agree(tmp_path):
    config = audiobook_config(tmp_path, *SPLIT)
    engine = build.make_engine(config)
    store = Store(config.paths.cache_dir)
    the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
    rows = plan.plan_table(the_plan, store)
    file_lines = (tmp_path / "book.md").read_text().splitlines()

    # ids name the file's line and the part within it, from 1; chapters count from 1
    assert rows[0]["id"].endswith("-s01") and rows[0]["chapter"] == 1
    for row in rows:
        line, part = map(int, re.fullmatch(r"l(\d{4})-s(\d{2})", row["id"]).groups())
        assert part >= 1 and row["text"].split()[0] in file_lines[line - 1]
    second_part = next(r for r in rows if r["id"].endswith("-s02") and r["chapter"] == 2)

    runner.render(config, [REPO / "conf"], engine=engine)
    out = tmp_path / "out"
    manifest = {s["id"]: s for s in json.loads((out / "manifest.json").read_text())["segments"]}
    assert [(r["id"], r["chapter"]) for r in rows] == [(i, s["chapter"]) for i, s in manifest.items()]
    segment = manifest[second_part["id"]]
    assert segment["line"] == int(second_part["id"][1:5])

    # the review page's data: the same ids in the same chapters, chapters titled as the plan has them
    page = (out / "review.html").read_text()
    segments, chapters = page_data(page, "segments-data"), page_data(page, "chapters-data")
    assert [(s["i"], s["c"]) for s in segments] == [(r["id"], r["chapter"]) for r in rows]
    assert [2, "Chapter Two: The Rain"] in [list(c[:2]) for c in chapters]

    # an error about the segment names it the same way
    unit = next(u for u in the_plan.segments() if u.segment_id == second_part["id"])
    store.save("decode", unit.keys["decode"], {"audio": np.full(100, np.nan, dtype=np.float32)}, {})
    with pytest.raises(BarkflowError, match=f"segment {second_part['id']}:"):
        runner.render(audiobook_config(tmp_path, *SPLIT, out="again"), [REPO / "conf"], engine=engine)


def test_segment_ids_are_not_part_of_cache_keys(tmp_path, monkeypatch):
    config = audiobook_config(tmp_path, *SPLIT)
    engine = build.make_engine(config)
    store = Store(config.paths.cache_dir)
    keys = [u.keys for u in plan.make_plan(config, engine, store, [REPO / "conf"]).units]
    monkeypatch.setattr(plan.Unit, "segment_id", property(lambda unit: "renumbered"))
    assert [u.keys for u in plan.make_plan(config, engine, store, [REPO / "conf"]).units] == keys


def test_renumbering_leaves_no_segment_voice_under_an_old_id(tmp_path):

    script = tmp_path / "script.txt"
    script.write_text((REPO / "barkflow/demo/script.txt").read_text(encoding="utf-8"), encoding="utf-8")
    runner.render(project_config(tmp_path, f"project.script={script}"), [REPO / "conf"])
    voices = tmp_path / "out" / "voices"
    before = sorted(p.name for p in voices.glob("*.npz"))
    (voices / "my-voice.npz").write_bytes((voices / before[0]).read_bytes())  # the user's own file there

    script.write_text("\n" + script.read_text(encoding="utf-8"), encoding="utf-8")  # every line one further down
    summary = runner.render(project_config(tmp_path, f"project.script={script}"), [REPO / "conf"])
    assert sum(summary.rendered.values()) == 0
    ids = [s["id"] for s in json.loads((tmp_path / "out" / "manifest.json").read_text())["segments"]]
    assert sorted(p.name for p in voices.glob("*.npz")) == sorted([f"{i}.npz" for i in ids] + ["my-voice.npz"])
    assert set(before) - {f"{i}.npz" for i in ids}  # some old ids are gone (and were removed above)
