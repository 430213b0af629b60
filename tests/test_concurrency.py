"""Several barkflow processes on one cache: every artifact is computed exactly once, outputs are right.

- Four concurrent `barkflow` processes on overlapping projects (one script with different export and
  stitch options, and a second script that shares some lines and all voices) share one cache.
- Shards: `barkflow -m shard=0/2,1/2` with the basic launcher and with `hydra/launcher=local_jobs`
  (submitit_local) fills the cache; a plain run then stitches and exports without rendering or loading
  a model. Killing the multirun half way and running the same command again renders only what is missing.

Who computed what comes from the cache entries' origin (Store.origin: the process id and host that
wrote each entry), and how much each process computed from its summary line ("semantic N new/...");
together they show each key computed exactly once. The reference audio is one uninterrupted
single-process render.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    NAME,
    REPO,
    STEPS,
    computed_counts,
    demo_config,
    entries,
    kill,
    origins,
    overrides,
    recomputed,
    segment_keys,
    start_paused,
    write_script,
)

from barkflow import runner
from barkflow.planning import build, plan

OTHER_SCRIPT = """\
The harbour was quiet that night.
ALICE: Did you hear that?
BOB: Nobody comes here after dark.
ALICE: Then why is the door open?
A gull cried somewhere above them.
"""
TIMEOUT_S = 240


def manifest_keys(out: Path) -> set[tuple[str, str]]:
    return {(step, keys[step]) for keys in segment_keys(out) for step in STEPS}


def plan_keys(config, engine) -> set[tuple[str, str]]:
    from barkflow.store.cache import Store

    the_plan = plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])
    return {(step, u.keys[step]) for u in the_plan.units for step in STEPS}


def assert_each_key_once(cache: Path, computed: int, wanted: set[tuple[str, str]]) -> None:
    """Every wanted key has its one entry, and the processes computed that many entries in all: none twice."""
    assert {(step, key) for step in STEPS for key in entries(cache, step)} == wanted  # one file per key
    assert computed == len(wanted), f"{computed} entries computed for {len(wanted)} keys"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine")
    return build.make_engine(demo_config(overrides(write_script(folder), folder / "cache", folder / "out")))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, engine):
    """SCRIPT rendered by one process, uninterrupted: the audio every other way must reproduce."""
    folder = tmp_path_factory.mktemp("reference")
    out = folder / "out"
    runner.render(demo_config(overrides(write_script(folder), folder / "cache", out)), [REPO / "conf"], engine=engine)
    return (out / f"{NAME}.wav").read_bytes()


def barkflow(*args: str, multirun: bool = False) -> list[str]:
    return [sys.executable, "-m", "barkflow.cli", *(["-m"] if multirun else []), "project=demo", *args]


def test_four_processes_on_overlapping_projects_compute_each_key_once(tmp_path, engine, reference):
    cache = tmp_path / "cache"
    script = write_script(tmp_path / "one")
    other = write_script(tmp_path / "two", OTHER_SCRIPT)
    jobs = {
        "plain": (script, []),
        "flac": (script, ["export.formats=[flac]", "export.subtitles=[]"]),
        "raw": (script, ["stitch=raw"]),
        "other": (other, []),
    }
    procs = {
        name: subprocess.Popen(
            barkflow(*overrides(path, cache, tmp_path / name, *extra), f"hydra.run.dir={tmp_path / 'hydra' / name}"),
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name, (path, extra) in jobs.items()
    }
    computed = 0
    try:
        for name, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
            assert proc.returncode == 0, f"{name} failed:\n{stderr[-3000:]}"
            computed += computed_counts(stdout)  # each process's summary line
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    wanted = set().union(*(manifest_keys(tmp_path / name) for name in jobs))
    assert_each_key_once(cache, computed, wanted)
    shared = manifest_keys(tmp_path / "plain") & manifest_keys(tmp_path / "other")
    assert len(shared) == 3 * len(STEPS)  # the three lines both scripts have
    assert (tmp_path / "plain" / f"{NAME}.wav").read_bytes() == reference
    assert (tmp_path / "flac" / f"{NAME}.flac").exists() and not (tmp_path / "flac" / f"{NAME}.srt").exists()
    assert (tmp_path / "raw" / f"{NAME}.wav").read_bytes() != reference  # stitched differently, same tokens
    assert manifest_keys(tmp_path / "raw") == manifest_keys(tmp_path / "plain")


def finish_with_a_plain_run(tmp_path, cache, script, reference) -> None:
    """After the shards: a run without shard stitches and exports, rendering nothing and loading no model."""
    before = origins(cache)
    config = demo_config(overrides(script, cache, tmp_path / "out"))
    summary = runner.render(config, [REPO / "conf"], engine=build.make_engine(config))  # a fresh engine: no model yet
    out = tmp_path / "out"
    assert summary.rendered == dict.fromkeys(STEPS, 0)
    assert set(summary.loaded) <= {"tokenizer"}
    assert origins(cache) == before  # no entry written again
    assert (out / f"{NAME}.wav").read_bytes() == reference


def test_sharded_multirun_killed_and_rerun_renders_only_what_is_missing(tmp_path, engine, reference):
    cache = tmp_path / "cache"
    script = write_script(tmp_path)
    command = barkflow(
        *overrides(script, cache, tmp_path / "unused"), "shard=0/2,1/2", f"hydra.sweep.dir={tmp_path / 'sweep'}",
        multirun=True,
    )
    command.remove(f"paths.output_dir={tmp_path / 'unused'}")  # each sweep job gets its own folder
    wanted = plan_keys(demo_config(overrides(script, cache, tmp_path / "out")), engine)

    # the basic launcher runs the jobs one after the other: kill it half way through shard 0's coarse step
    killed = start_paused(command, "coarse", cwd=tmp_path)
    kill(killed)
    first = origins(cache)
    assert {origin["pid"] for origin in first.values()} == {killed.pid}
    done = {step: len(entries(cache, step)) for step in STEPS}
    assert 0 < done["coarse"] < done["semantic"] < len(wanted) // len(STEPS)  # shard 0 half done, shard 1 not begun

    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-3000:]
    second = recomputed(first, origins(cache))
    assert second == wanted - set(first)  # exactly what was missing: nothing the killed run stored was redone
    assert_each_key_once(cache, len(first) + computed_counts(result.stdout), wanted)
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.is_dir()) == ["0", "1"]

    finish_with_a_plain_run(tmp_path, cache, script, reference)


def test_sharded_multirun_with_local_jobs_then_a_plain_run(tmp_path, engine, reference):
    cache = tmp_path / "cache"
    script = write_script(tmp_path)
    command = barkflow(
        "hydra/launcher=local_jobs", *overrides(script, cache, tmp_path / "unused"), "shard=0/2,1/2",
        f"hydra.sweep.dir={tmp_path / 'sweep'}", multirun=True,
    )
    command.remove(f"paths.output_dir={tmp_path / 'unused'}")
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-3000:]
    pids = {origin["pid"] for origin in origins(cache).values()}
    assert len(pids) == 2 and os.getpid() not in pids  # one submitit job process per shard
    job_logs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "sweep").glob("*/*.log"))
    wanted = plan_keys(demo_config(overrides(script, cache, tmp_path / "out")), engine)
    assert_each_key_once(cache, computed_counts(job_logs), wanted)

    finish_with_a_plain_run(tmp_path, cache, script, reference)
