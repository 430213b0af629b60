"""Never lose work: kill a real render anywhere, damage the cache, fill the disk; the rerun finishes the job.

- Kill-and-rerun: a `python -m barkflow.cli` process is SIGKILLed during each phase (the runner's
  BARKFLOW_TEST_PAUSE hook holds it there: after the first batch of a token step, before stitching,
  after the book is exported but before the segment voices and manifest). The rerun's audio must be
  bit-identical to an uninterrupted render with the same seeds, with the same segment keys.
- Corruption: a truncated or garbled cache entry is reported by name, moved aside and recomputed
  (upstream of a step that needs it, or a decode entry stitch cannot read); the output is unchanged.
- Disk and folder errors: a full disk in the cache or the output folder, a read-only output folder, a
  cache folder in the way: one-line BarkflowErrors, and every finished cache entry is kept.

Everything runs on the tiny model with short segments; the uninterrupted render is done once per module.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_module

from barkflow import runner
from barkflow.cache import Store
from barkflow.config import register_configs, to_config
from barkflow.errors import BarkflowError

REPO = Path(__file__).resolve().parents[1]
STEPS = ("semantic", "coarse", "fine", "decode")
PHASES = STEPS + ("stitch", "export")
# batch_size=2: a token step takes several batches, so a kill after the first leaves it half done.
FAST = ["sampling.semantic.max_gen_duration_s=0.3", "device=cpu", "device.threads=1", "device.batch_size=2"]
SCRIPT = """\
The harbour was quiet that night.
ALICE: Did you hear that?
BOB: It is only the wind.
ALICE: Then why is the door open?
The lamp swung once and went out.
BOB (whispering): Stay close to me.
ALICE: I am right here.
"""
NAME = "crash"
KILL_TIMEOUT_S = 90


def write_script(folder: Path, text: str = SCRIPT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "script.txt"
    script.write_text(text, encoding="utf-8")
    return script


def overrides(script: Path, cache: Path, out: Path, *extra: str) -> list[str]:
    """The project: demo's cast (narrator, ALICE, BOB) reading `script`."""
    return [
        f"project.name={NAME}", f"project.script={script}", f"paths.cache_dir={cache}", f"paths.output_dir={out}",
        f"paths.voices_dir={out.parent / 'voices'}", *FAST, *extra,
    ]


def make_config(options: list[str]):
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        return to_config(compose(config_name="config", overrides=["projects=demo", *options]))


def cli(options: list[str], hydra_dir: Path) -> list[str]:
    return [sys.executable, "-m", "barkflow.cli", "project=demo", *options, f"hydra.run.dir={hydra_dir}"]


def start_paused(command: list[str], phase: str, cwd: Path, **env) -> subprocess.Popen:
    """Start a barkflow process that stops at `phase` (runner.PAUSE_ENV) and wait until it says it is there."""
    proc = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, runner.PAUSE_ENV: phase, **env},
    )
    wait_for_marker(proc, f"barkflow-phase {phase}")
    return proc


def wait_for_marker(proc: subprocess.Popen, marker: str, timeout: float = KILL_TIMEOUT_S) -> None:
    seen = []
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            line = proc.stderr.readline()
            if not line:  # the process ended without reaching the phase
                break
            seen.append(line)
            if line.strip() == marker:
                return
    proc.kill()
    proc.wait()
    pytest.fail(f"never saw {marker!r} (exit {proc.returncode}); stderr tail:\n{''.join(seen[-20:])}")


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stderr.close()


def entries(cache: Path, step: str) -> set[str]:
    return {p.stem for p in (cache / step).glob("*/*.npz")}


def segment_keys(out: Path) -> list[dict]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [s["keys"] for s in manifest["segments"]]


def read_log(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split()[:2]) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine")
    config = make_config(overrides(write_script(folder), folder / "cache", folder / "out"))
    return runner.make_engine(config)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, engine):
    """The uninterrupted render: its cache, outputs, audio bytes and segment keys."""
    folder = tmp_path_factory.mktemp("baseline")
    script = write_script(folder)
    cache, out = folder / "cache", folder / "out"
    summary = runner.render(make_config(overrides(script, cache, out)), [REPO / "conf"], engine=engine)
    n = summary.segments
    assert n >= 7 and summary.rendered == dict.fromkeys(STEPS, n)
    return {
        "script": script, "cache": cache, "out": out, "n": n, "wav": (out / f"{NAME}.wav").read_bytes(),
        "keys": segment_keys(out), "voices": voices(out),
    }


def voices(out: Path) -> dict:
    """The exported segment voices' arrays (np.savez stamps the time into the file, so not its bytes)."""
    found = {}
    for path in sorted((out / "voices").glob("*.npz")):
        with np.load(path) as npz:
            found[path.name] = {name: npz[name].tolist() for name in npz.files}
    return found


def assert_same_as_baseline(out: Path, baseline: dict) -> None:
    assert (out / f"{NAME}.wav").read_bytes() == baseline["wav"]
    assert segment_keys(out) == baseline["keys"]
    assert voices(out) == baseline["voices"]


def copy_cache(baseline: dict, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    shutil.copytree(baseline["cache"], cache)
    return cache


# ---------------------------------------------------------------------------------------------- kill and rerun


@pytest.mark.parametrize("phase", PHASES)
def test_killed_render_reruns_to_identical_audio(tmp_path, phase, baseline, engine):
    script = write_script(tmp_path)
    cache, out = tmp_path / "cache", tmp_path / "out"
    options = overrides(script, cache, out)
    # The steps before the phase, finished (the baseline's entries: the killed process would have made
    # the same ones), so the process spends its time on the phase it is killed in.
    for step in STEPS[: STEPS.index(phase)] if phase in STEPS else STEPS:
        shutil.copytree(baseline["cache"] / step, cache / step)
    proc = start_paused(cli(options, tmp_path / "hydra"), phase, cwd=tmp_path)
    kill(proc)

    n = baseline["n"]
    done = {step: len(entries(cache, step)) for step in STEPS}
    if phase in STEPS:  # killed half way through the step: some entries stored, the rest not yet
        assert 0 < done[phase] < n
        assert all(done[s] == n for s in STEPS[: STEPS.index(phase)])
        assert all(done[s] == 0 for s in STEPS[STEPS.index(phase) + 1 :])
    else:
        assert done == dict.fromkeys(STEPS, n)
        assert (out / f"{NAME}.wav").exists() == (phase == "export")
        assert not (out / "manifest.json").exists()

    summary = runner.render(make_config(options), [REPO / "conf"], engine=engine)
    assert summary.rendered == {s: n - done[s] for s in STEPS}  # finished work was kept, nothing redone
    assert_same_as_baseline(out, baseline)


# ---------------------------------------------------------------------------------------------- corruption


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble(path: Path) -> None:
    """Flip bytes in the middle of the entry's largest array (not in ZIP header fields nobody reads)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = max(archive.infolist(), key=lambda info: info.file_size)
    name_length, extra_length = struct.unpack("<HH", data[member.header_offset + 26 : member.header_offset + 30])
    middle = member.header_offset + 30 + name_length + extra_length + member.compress_size // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "step, damage, needed_by",
    [
        # the segment voices (exported again into an empty output folder) read the semantic tokens
        ("semantic", truncate, "export"),
        # the fine step (its entry deleted) reads the coarse codes
        ("coarse", garble, "fine"),
        ("coarse", truncate, "fine"),
        # stitch reads the decoded audio
        ("decode", garble, "stitch"),
    ],
)
def test_a_damaged_cache_entry_is_reported_and_recomputed(tmp_path, monkeypatch, caplog, baseline, engine, step, damage, needed_by):
    cache = copy_cache(baseline, tmp_path)
    out = tmp_path / "out"
    store = Store(cache)
    config = make_config(overrides(baseline["script"], cache, out))
    the_plan = runner.plan(config, engine, store, [REPO / "conf"])
    unit = the_plan.units[2]
    victim = store.path(step, unit.keys[step])
    damage(victim)
    if needed_by == "fine":
        store.path("fine", unit.keys["fine"]).unlink()
    log = tmp_path / "render.log"
    monkeypatch.setenv(runner.RENDER_LOG_ENV, str(log))

    with caplog.at_level(logging.WARNING, logger="barkflow.cache"):
        runner.render(config, [REPO / "conf"], engine=engine)

    warnings = [r.getMessage() for r in caplog.records if str(victim) in r.getMessage()]
    assert warnings and "corrupt cache entry" in warnings[0]
    assert victim.with_name(victim.name + ".corrupt").exists()  # kept aside for a look
    expected = [(step, unit.keys[step])] + ([("fine", unit.keys["fine"])] if needed_by == "fine" else [])
    assert sorted(read_log(log)) == sorted(expected)  # that entry (and what was deleted), nothing else
    assert store.load(step, unit.keys[step]) is not None
    assert_same_as_baseline(out, baseline)


# ---------------------------------------------------------------------------------------------- disks and folders


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert message and "\n" not in message
    return message


def test_a_full_disk_in_the_cache_keeps_finished_entries(tmp_path, monkeypatch, baseline, engine):
    cache = copy_cache(baseline, tmp_path)
    for step in ("fine", "decode"):  # leave the fine and decode steps to do
        shutil.rmtree(cache / step)
    out = tmp_path / "out"
    config = make_config(overrides(baseline["script"], cache, out))
    from barkflow import cache as cache_module

    real_write, writes = cache_module._write_npz, []

    def write_until_full(file, members):
        if len(writes) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        writes.append(1)
        real_write(file, members)

    monkeypatch.setattr(cache_module, "_write_npz", write_until_full)
    with pytest.raises(BarkflowError) as error:
        runner.render(config, [REPO / "conf"], engine=engine)
    message = one_line(error)
    assert os.strerror(errno.ENOSPC) in message and "free some disk space" in message
    assert len(entries(cache, "fine")) == 3 and not list(cache.rglob("*.tmp"))

    monkeypatch.setattr(cache_module, "_write_npz", real_write)
    n = baseline["n"]
    summary = runner.render(config, [REPO / "conf"], engine=engine)
    assert summary.rendered == {"semantic": 0, "coarse": 0, "fine": n - 3, "decode": n}
    assert_same_as_baseline(out, baseline)


@pytest.mark.parametrize(
    "target",
    ["chapter_001.wav", f"{NAME}.wav", f"{NAME}.srt", "l0003-s01.npz", "manifest.json"],
)
def test_a_full_disk_in_the_output_folder_is_one_line_and_keeps_the_cache(tmp_path, monkeypatch, baseline, engine, target):
    cache = copy_cache(baseline, tmp_path)
    before = {step: entries(cache, step) for step in STEPS}
    out = tmp_path / "out"
    config = make_config(overrides(baseline["script"], cache, out))
    real_replace = os.replace

    def replace(src, dst, **kwargs):
        if Path(dst).name == target:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(BarkflowError) as error:
        runner.render(config, [REPO / "conf"], engine=engine)
    message = one_line(error)
    assert target in message and os.strerror(errno.ENOSPC).lower() in message.lower()
    assert {step: entries(cache, step) for step in STEPS} == before
    assert not (out / "manifest.json").exists()

    monkeypatch.setattr(os, "replace", real_replace)
    summary = runner.render(config, [REPO / "conf"], engine=engine)
    assert sum(summary.rendered.values()) == 0
    assert_same_as_baseline(out, baseline)


def test_a_read_only_output_folder_is_one_line_and_keeps_the_cache(tmp_path, monkeypatch, baseline, engine):
    cache = copy_cache(baseline, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the folder look read-only the way the runner checks
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == out else real_access(p, mode, **kw))
    else:
        out.chmod(0o555)
    try:
        with pytest.raises(BarkflowError) as error:
            runner.render(make_config(overrides(baseline["script"], cache, out)), [REPO / "conf"], engine=engine)
    finally:
        out.chmod(0o755)
    assert str(out) in one_line(error)
    assert {step: len(entries(cache, step)) for step in STEPS} == dict.fromkeys(STEPS, baseline["n"])


def test_a_missing_cache_folder_is_created(tmp_path, baseline, engine):
    cache = tmp_path / "not" / "there" / "yet"
    out = tmp_path / "out"
    summary = runner.render(make_config(overrides(baseline["script"], cache, out, "limit=1")), [REPO / "conf"], engine=engine)
    assert summary.rendered == dict.fromkeys(STEPS, 1)
    assert all(len(entries(cache, step)) == 1 for step in STEPS)


def test_a_cache_folder_in_the_way_is_one_line_from_the_cli(tmp_path, baseline):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    options = overrides(baseline["script"], blocker / "inner", tmp_path / "out")
    result = subprocess.run(cli(options, tmp_path / "hydra"), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("barkflow: error:")]
    assert len(errors) == 1 and str(blocker) in errors[0] and "a file is in the way" in errors[0]
