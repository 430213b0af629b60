"""The sharded render on a real SLURM cluster (scripts/slurm-single-node.sh sets up one on this machine).

`barkflow -m hydra/launcher=slurm_cpu ... shard=0/3,1/3,2/3` submits one array job; its tasks fill
the shared cache. One task is cancelled (scancel) while it runs, the same multirun is submitted
again and renders what is missing, and a plain run then stitches and exports with nothing left to
render: the audio is byte for byte the one-process render's. Skipped, with the reason, where there is
no SLURM or its node is not up.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import helpers
import pytest
from helpers import NAME, REPO, STEPS, demo_config, entries, origins, overrides, write_script

from barkflow import runner
from barkflow.planning import build, plan
from barkflow.running.schedule import in_shard
from barkflow.store.cache import Store

PARTITION = "debug"
SHARDS = 3
TIMEOUT_S = 300
SCRIPT = helpers.SCRIPT + """\
Somewhere a bell began to ring.
BOB: Who rings a bell at this hour?
ALICE: Nobody I would like to meet.
The fog rolled in over the water.
BOB: Let us go back inside.
"""
# One CPU and a little memory per task, so that tasks run side by side on a small node.
SLURM = ["hydra/launcher=slurm_cpu", f"hydra.launcher.partition={PARTITION}", "hydra.launcher.cpus_per_task=1",
         "hydra.launcher.mem_gb=1", "hydra.launcher.timeout_min=10"]


def slurm_node_state() -> str:
    """'' when the partition's node accepts jobs, else why this test cannot run."""
    missing = [tool for tool in ("sinfo", "sbatch", "squeue", "scancel", "sacct") if not shutil.which(tool)]
    if missing:
        return f"no SLURM here ({', '.join(missing)} missing); scripts/slurm-single-node.sh sets one up"
    answer = subprocess.run(["sinfo", "-h", "-p", PARTITION, "-o", "%t"], capture_output=True, text=True, timeout=30)
    states = answer.stdout.split()
    if answer.returncode or not {"idle", "mix"} & set(states):
        return f"SLURM partition {PARTITION!r} has no idle node ({answer.stdout.strip() or answer.stderr.strip()})"
    # submitit follows its jobs with sacct: without accounting it would wait on them until its timeout
    accounting = subprocess.run(["sacct", "-n", "-X", "-S", "now"], capture_output=True, text=True, timeout=30)
    if accounting.returncode or accounting.stderr.strip():
        first = (accounting.stderr.strip().splitlines() or ["no answer"])[0]
        return f"SLURM accounting does not answer ({first}); scripts/slurm-single-node.sh starts it"
    return ""


WHY_NOT = slurm_node_state()
pytestmark = pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT or "SLURM is up")


def multirun(script: Path, cache: Path, sweep: Path) -> list[str]:
    shards = ",".join(f"{i}/{SHARDS}" for i in range(SHARDS))
    options = [o for o in overrides(script, cache, sweep.parent / "unused") if not o.startswith("paths.output_dir=")]
    return [sys.executable, "-m", "barkflow.cli", "-m", "project=demo", *SLURM, *options, f"shard={shards}",
            f"hydra.sweep.dir={sweep}"]


def environment() -> dict:
    # the tasks run this checkout's code, whatever is installed
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                PYTHONWARNINGS="ignore")


def array_tasks(sweep: Path) -> dict[int, str]:
    """Task number -> SLURM id (`<job>_<task>`) of every task submitit has started a folder for."""
    tasks = {}
    for folder in (sweep / ".submitit").glob("*_*"):
        if re.fullmatch(r"\d+_\d+", folder.name):
            tasks[int(folder.name.split("_")[1])] = folder.name
    return tasks


def sacct_state(task_id: str) -> str:
    answer = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "State", "-j", task_id], capture_output=True, text=True)
    return answer.stdout.strip()


def queued(task_id: str) -> str:
    """The task's state in the queue (COMPLETING while its processes are being killed); '' once it left."""
    answer = subprocess.run(["squeue", "-h", "-o", "%T", "-j", task_id], capture_output=True, text=True)
    return answer.stdout.strip() if answer.returncode == 0 else ""


def wait_until(condition, what: str, timeout: float = TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def held_back_unit(config, shard: int):
    """A unit of the shard's own lines that no other unit is conditioned on: while its decode key is
    claimed elsewhere, only that shard's task waits for it."""
    the_plan = plan.make_plan(config, build.make_engine(config), Store(config.paths.cache_dir), [REPO / "conf"])
    sources = {id(u.prompt_from) for u in the_plan.units if u.prompt_from is not None}
    return next(u for u in the_plan.units if in_shard(u, (shard, SHARDS)) and id(u) not in sources)


def test_a_sharded_slurm_array_cancelled_and_resubmitted_matches_one_process(tmp_path):
    script = write_script(tmp_path, SCRIPT)
    cache, sweep = tmp_path / "cache", tmp_path / "sweep"

    started = time.perf_counter()  # the reference: one process, uninterrupted
    config = demo_config(overrides(script, tmp_path / "one-cache", tmp_path / "one"))
    runner.render(config, [REPO / "conf"])
    one_process_s = time.perf_counter() - started
    reference = (tmp_path / "one" / f"{NAME}.wav").read_bytes()

    submitted: set[str] = set()
    first = None
    held = held_back_unit(demo_config(overrides(script, cache, tmp_path / "out")), shard=1)
    try:
        # This process claims one decode entry of shard 1, so task 1 renders the rest and then waits for it:
        # it is cancelled mid-render, for certain, however fast the machine.
        with Store(cache).claim("decode", [held.keys["decode"]]) as claimed:
            assert claimed
            first = subprocess.Popen(multirun(script, cache, sweep), cwd=tmp_path, env=environment(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wait_until(lambda: held.keys["fine"] in entries(cache, "fine"), "task 1 to reach the held-back entry")
            tasks = array_tasks(sweep)
            submitted |= set(tasks.values())
            cancelled = tasks[1]
            subprocess.run(["scancel", cancelled], check=True)  # SIGTERM, which submitit ignores; SIGKILL after KillWait
            _, stderr = first.communicate(timeout=TIMEOUT_S)
            wait_until(lambda: not queued(cancelled), f"{cancelled} to leave the queue")  # its processes are gone
        errors = [line for line in stderr.splitlines() if line.startswith("barkflow: error: ")]
        assert first.returncode == 2 and "Traceback" not in stderr, stderr[-3000:]
        assert len(errors) == 1 and f"Job {cancelled}" in errors[0] and "run the same command again" in errors[0]
        wait_until(lambda: sacct_state(cancelled).startswith("CANCELLED"), f"{cancelled} to be cancelled")
        assert "shard 1/3" not in (sweep / "1" / "cli.log").read_text(encoding="utf-8")  # it never finished
        assert held.keys["decode"] not in entries(cache, "decode")

        started = time.perf_counter()
        second = subprocess.run(multirun(script, cache, sweep), cwd=tmp_path, env=environment(),
                                capture_output=True, text=True, timeout=TIMEOUT_S)
        slurm_s = time.perf_counter() - started
        submitted |= set(array_tasks(sweep).values())
        assert second.returncode == 0, second.stderr[-3000:]
        assert "Bypassing sacct error" not in second.stderr  # accounting answers submitit's polls
    finally:
        for task in submitted:  # nothing of this test left queued or running
            subprocess.run(["scancel", task], capture_output=True)
        if first is not None and first.poll() is None:
            first.kill()
            first.wait()
    print(f"\none process: {one_process_s:.1f} s; {SHARDS} SLURM tasks, resubmitted after a cancel: {slurm_s:.1f} s")

    # each task's log lands in its sweep folder, with its summary
    for number in range(SHARDS):
        log = (sweep / str(number) / "cli.log").read_text(encoding="utf-8")
        assert f"shard {number}/{SHARDS}, not stitched" in log
    assert {int(n) for n in array_tasks(sweep)} >= set(range(SHARDS))

    # a plain run stitches and exports from the shared cache, rendering nothing
    before = origins(cache)
    assert {origin["pid"] for origin in before.values()} - {os.getpid()}  # the entries were made by the tasks
    config = demo_config(overrides(script, cache, tmp_path / "out"))
    summary = runner.render(config, [REPO / "conf"], engine=build.make_engine(config))
    assert summary.rendered == dict.fromkeys(STEPS, 0)
    assert origins(cache) == before
    assert all(entries(cache, step) for step in STEPS)
    assert (tmp_path / "out" / f"{NAME}.wav").read_bytes() == reference
