"""What the cache and the output folder hold is checked before it reaches the book.

- a valid entry copied under another key never reaches the book, and "up to date" means the
  inputs' content is unchanged, not only their keys;
- a damaged manifest.json or review/index.json counts as absent: the outputs are made again.
"""

import json
import logging
import shutil
from pathlib import Path

import pytest
from helpers import project_config

from barkflow import runner
from barkflow.cli import summary_line
from barkflow.planning import build, plan
from barkflow.store.cache import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """One uninterrupted render: its cache, config maker, book bytes and plan."""
    folder = tmp_path_factory.mktemp("clean")
    config = project_config(folder)
    engine = build.make_engine(config)
    runner.render(config, [REPO / "conf"], engine=engine)
    store = Store(folder / "cache")
    the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
    return {"folder": folder, "engine": engine, "wav": (folder / "out" / "demo.wav").read_bytes(), "plan": the_plan}


def fresh(clean, tmp_path, copy_outputs=False):
    """A copy of the clean render's cache (and outputs), and the config that renders into it."""
    shutil.copytree(clean["folder"] / "cache", tmp_path / "cache")
    if copy_outputs:
        shutil.copytree(clean["folder"] / "out", tmp_path / "out")
    return project_config(tmp_path), Store(tmp_path / "cache")


def render(config, clean):
    return runner.render(config, [REPO / "conf"], engine=clean["engine"])


def decode_keys(clean):
    segments = clean["plan"].segments()
    return segments[0].keys["decode"], segments[1].keys["decode"]


def test_an_entry_copied_under_another_key_is_recomputed_not_stitched(tmp_path, clean, caplog):
    config, store = fresh(clean, tmp_path)
    key_a, key_b = decode_keys(clean)
    shutil.copy(store.path("decode", key_a), store.path("decode", key_b))

    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        summary = render(config, clean)

    assert any("checksum mismatch" in r.getMessage() for r in caplog.records)
    assert summary.rendered["decode"] == 1 and summary.reused["decode"] == summary.segments - 1  # B, recomputed
    assert (tmp_path / "out" / "demo.wav").read_bytes() == clean["wav"]
    # the manifest records what was stitched (B repaired): the next run has nothing to re-stitch
    master = tmp_path / "out" / "master" / "chapter_001.wav"
    stamp = master.stat().st_mtime_ns
    render(config, clean)
    assert master.stat().st_mtime_ns == stamp


def test_a_changed_entry_restitches_and_a_repair_restitches_again(tmp_path, clean):
    config, store = fresh(clean, tmp_path, copy_outputs=True)
    key_a, key_b = decode_keys(clean)
    original = store.load("decode", key_b), store.meta("decode", key_b)
    # A valid entry with other content under B's key (what a recompute that differs would leave).
    store.save("decode", key_b, store.load("decode", key_a), original[1])
    render(config, clean)
    changed = (tmp_path / "out" / "demo.wav").read_bytes()
    assert changed != clean["wav"]  # not "outputs are up to date"
    index = json.loads((tmp_path / "out" / "review" / "index.json").read_text())
    clip_b = next(e for e in index["clips"].values() if e["key"] == key_b)
    assert clip_b["checksum"] == store.checksum("decode", key_b)  # the review clip follows it too

    store.save("decode", key_b, *original)  # the repair
    render(config, clean)
    assert (tmp_path / "out" / "demo.wav").read_bytes() == clean["wav"]


@pytest.mark.parametrize(
    "damage",
    ["not json {", "[]", '{"render_key": 1}', '{"render_key": "k", "outputs": "x", "audio_seconds": 1}',
     '{"render_key": "k", "outputs": [], "audio_seconds": 1, "segments": [{"uid": 1}]}'],
)
def test_a_damaged_manifest_counts_as_absent(tmp_path, clean, caplog, damage):
    config, _ = fresh(clean, tmp_path, copy_outputs=True)
    manifest = tmp_path / "out" / "manifest.json"
    manifest.write_text(damage)
    with caplog.at_level(logging.WARNING, logger="barkflow.runner"):
        summary = render(config, clean)
    assert any("damaged" in r.getMessage() and str(manifest) in r.getMessage() for r in caplog.records)
    assert summary.audio_seconds > 0
    assert len(json.loads(manifest.read_text())["segments"]) == summary.segments
    assert (tmp_path / "out" / "demo.wav").read_bytes() == clean["wav"]


@pytest.mark.parametrize(
    "damage", ["not json {", "[1]", '{"version": 1, "clips": [1]}', '{"version": 1, "clips": {"l0002-s01-t0.wav": 3}}']
)
def test_a_damaged_review_index_counts_as_absent(tmp_path, clean, caplog, damage):
    config, _ = fresh(clean, tmp_path, copy_outputs=True)
    index = tmp_path / "out" / "review" / "index.json"
    index.write_text(damage)
    with caplog.at_level(logging.WARNING, logger="barkflow.reviewing.review"):
        summary = render(config, clean)
    assert any("damaged" in r.getMessage() for r in caplog.records)
    clips = json.loads(index.read_text())["clips"]
    assert len(clips) == summary.segments and all("checks" in e for e in clips.values())


# ---------------------------------------------------------------------------------------------- the summary


def test_entries_another_process_rendered_count_as_such(tmp_path, clean, monkeypatch):
    config, store = fresh(clean, tmp_path)
    shutil.rmtree(tmp_path / "cache" / "decode")
    real_claim = Store.claim

    def claim_nothing(self, namespace, keys, **kwargs):  # another process holds every decode key...
        return real_claim(self, namespace, [] if namespace == "decode" else keys, **kwargs)

    def wait_for(self, namespace, keys, **kwargs):  # ...and finishes them while this one waits
        for key in keys:
            self.path(namespace, key).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(clean["folder"] / "cache" / namespace / key[:2] / f"{key}.npz", self.path(namespace, key))

    monkeypatch.setattr(Store, "claim", claim_nothing)
    monkeypatch.setattr(Store, "wait_for", wait_for)
    summary = render(config, clean)
    n = summary.segments
    assert (summary.rendered["decode"], summary.reused["decode"], summary.waited["decode"]) == (0, 0, n)
    assert summary.reused["fine"] == n and summary.waited["fine"] == 0
    assert f"decode 0 new/0 cached/{n} from other processes" in summary_line(summary)


def test_a_shard_reports_its_audio_and_that_it_did_not_stitch_also_when_rerun(tmp_path, clean):
    _, store = fresh(clean, tmp_path)
    shutil.rmtree(tmp_path / "cache" / "decode")
    summary = render(project_config(tmp_path, "shard=0/2"), clean)
    decoded = sum(store.load("decode", k)["audio"].size for k in (tmp_path / "cache" / "decode").glob("*/*.npz")
                  for k in [k.stem])
    assert not summary.stitched and summary.rendered["decode"] > 0
    assert summary.audio_seconds == pytest.approx(decoded / 24_000)
    assert "shard 0/2, not stitched" in summary_line(summary, "0/2")
    again = render(project_config(tmp_path, "shard=0/2"), clean)  # a rerun after a sweep: all of it cached
    assert again.rendered["decode"] == 0 and again.audio_seconds == summary.audio_seconds
