"""Never lose work: kill a real render anywhere, damage the cache, fill the disk; the rerun finishes the job.

- Kill-and-rerun: a barkflow process is SIGKILLed during each phase (tests/paused_render.py holds it
  there: after the first batch of a token step, before stitching, after the book is exported but
  before the segment voices and manifest). The rerun's audio must be
  bit-identical to an uninterrupted render with the same seeds, with the same segment keys.
- Corruption: a truncated or garbled cache entry is reported by name, moved aside and recomputed
  (upstream of a step that needs it, or a decode entry stitch cannot read); the output is unchanged.
- Disk and folder errors: a full disk in the cache or the output folder, a read-only output folder, a
  cache folder in the way: one-line BarkflowErrors, and every finished cache entry is kept.

Everything runs on the tiny model with short segments; the uninterrupted render is done once per module.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    NAME,
    PHASES,
    REPO,
    STEPS,
    cli,
    demo_config,
    entries,
    kill,
    origins,
    overrides,
    read_only_folder,
    recomputed,
    segment_keys,
    start_paused,
    write_script,
)

from barkflow import runner
from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.store.cache import Store


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine")
    config = demo_config(overrides(write_script(folder), folder / "cache", folder / "out"))
    return build.make_engine(config)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, engine):
    """The uninterrupted render: its cache, outputs, audio bytes and segment keys."""
    folder = tmp_path_factory.mktemp("baseline")
    script = write_script(folder)
    cache, out = folder / "cache", folder / "out"
    summary = runner.render(demo_config(overrides(script, cache, out)), [REPO / "conf"], engine=engine)
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

    summary = runner.render(demo_config(options), [REPO / "conf"], engine=engine)
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
    config = demo_config(overrides(baseline["script"], cache, out))
    the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
    unit = the_plan.units[2]
    victim = store.path(step, unit.keys[step])
    damage(victim)
    if needed_by == "fine":
        store.path("fine", unit.keys["fine"]).unlink()
    before = origins(cache)

    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        runner.render(config, [REPO / "conf"], engine=engine)

    warnings = [r.getMessage() for r in caplog.records if str(victim) in r.getMessage()]
    assert warnings and "corrupt cache entry" in warnings[0]
    assert victim.with_name(victim.name + ".corrupt").exists()  # kept aside for a look
    expected = [(step, unit.keys[step])] + ([("fine", unit.keys["fine"])] if needed_by == "fine" else [])
    assert recomputed(before, origins(cache)) == set(expected)  # that entry (and what was deleted), nothing else
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
    config = demo_config(overrides(baseline["script"], cache, out))
    from barkflow.store import cache as cache_module

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
    config = demo_config(overrides(baseline["script"], cache, out))
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


def test_a_read_only_output_folder_is_one_line_and_keeps_the_cache(tmp_path, baseline, engine):
    cache = copy_cache(baseline, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with read_only_folder(out), pytest.raises(BarkflowError) as error:
        runner.render(demo_config(overrides(baseline["script"], cache, out)), [REPO / "conf"], engine=engine)
    assert str(out) in one_line(error)
    assert {step: len(entries(cache, step)) for step in STEPS} == dict.fromkeys(STEPS, baseline["n"])


def test_a_missing_cache_folder_is_created(tmp_path, baseline, engine):
    cache = tmp_path / "not" / "there" / "yet"
    out = tmp_path / "out"
    summary = runner.render(demo_config(overrides(baseline["script"], cache, out, "limit=1")), [REPO / "conf"], engine=engine)
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
