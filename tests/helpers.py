"""Plain helpers the render tests share: a small project, its configs, and control of real processes.

Plain functions rather than fixtures: each test calls them with its own folders and options (and
tests/paused_render.py is a program of its own); the fixtures stay in conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module
from hypothesis import strategies as st

from barkflow import runner
from barkflow.planning.config import register_configs, to_config
from barkflow.store.cache import Store

REPO = Path(__file__).resolve().parents[1]
PAUSED_RENDER = Path(__file__).resolve().parent / "paused_render.py"
STEPS = ("semantic", "coarse", "fine", "decode")
PHASES = STEPS + ("stitch", "export")
FAST = ["sampling.semantic.max_gen_duration_s=0.3", "device=cpu"]
# batch_size=2: a token step takes several batches, so a kill after the first leaves it half done.
FAST_SMALL_BATCHES = [*FAST, "device.threads=1", "device.batch_size=2"]
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


# Any JSON value: what a hand-edited or damaged picks file or split memo may hold.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


# ---------------------------------------------------------------------------------------------- a project


def project_config(tmp_path: Path, *overrides: str, project: str = "demo", out: str = "out"):
    """A shipped project with its cache and outputs in `tmp_path`, rendering fast."""
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=[
                f"projects={project}", f"paths.cache_dir={tmp_path / 'cache'}",
                f"paths.output_dir={tmp_path / out}", f"paths.voices_dir={tmp_path / 'voices'}", *FAST, *overrides,
            ],
        )
    return to_config(cfg)


def audiobook_config(tmp_path: Path, *overrides: str, out: str = "out"):
    """The audiobook example (two chapters) with its script copied into `tmp_path`, rendering fast."""
    script = tmp_path / "book.md"
    if not script.exists():
        shutil.copy(REPO / "examples/audiobook/book.md", script)
    return project_config(tmp_path, f"project.script={script}", *overrides, project="audiobook", out=out)


def render(config):
    return runner.render(config, [REPO / "conf"])


def write_script(folder: Path, text: str = SCRIPT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "script.txt"
    script.write_text(text, encoding="utf-8")
    return script


def overrides(script: Path, cache: Path, out: Path, *extra: str) -> list[str]:
    """Project NAME: demo's cast (narrator, ALICE, BOB) reading `script`, in small batches."""
    return [
        f"project.name={NAME}", f"project.script={script}", f"paths.cache_dir={cache}", f"paths.output_dir={out}",
        f"paths.voices_dir={out.parent / 'voices'}", *FAST_SMALL_BATCHES, *extra,
    ]


def demo_config(options: list[str]):
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        return to_config(compose(config_name="config", overrides=["projects=demo", *options]))


# ---------------------------------------------------------------------------------------------- the cache


def entries(cache: Path, step: str) -> set[str]:
    return {p.stem for p in (cache / step).glob("*/*.npz")}


def origins(cache: Path) -> dict[tuple[str, str], dict]:
    """(step, key) -> who computed the entry and when (Store.origin), for every entry in the cache."""
    store = Store(cache)
    return {(step, key): store.origin(step, key) for step in STEPS for key in entries(cache, step)}


def recomputed(before: dict, after: dict) -> set[tuple[str, str]]:
    """The entries of `after` that are new or were written again since `before` (origins())."""
    return {entry for entry, origin in after.items() if before.get(entry) != origin}


def computed_counts(log_text: str) -> int:
    """Entries computed, from the summary lines of barkflow processes ("semantic 3 new/4 cached, ...")."""
    return sum(int(n) for n in re.findall(r"\b(?:semantic|coarse|fine|decode)\s+(\d+)\s+new/", log_text))


def segment_keys(out: Path) -> list[dict]:
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [s["keys"] for s in manifest["segments"]]


# ---------------------------------------------------------------------------------------------- processes


def cli(options: list[str], hydra_dir: Path) -> list[str]:
    return [sys.executable, "-m", "barkflow.cli", "project=demo", *options, f"hydra.run.dir={hydra_dir}"]


def start_paused(command: list[str], phase: str, cwd: Path) -> subprocess.Popen:
    """Start a barkflow command (`python -m barkflow.cli ...`) through tests/paused_render.py so that it
    stops at `phase`, and wait until it says it is there."""
    assert command[1:3] == ["-m", "barkflow.cli"], command
    proc = subprocess.Popen(
        [command[0], str(PAUSED_RENDER), phase, *command[3:]], cwd=cwd, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
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


@contextlib.contextmanager
def read_only_folder(folder: Path):
    """`folder` (which exists) made read-only for real, even for root: as root, a read-only tmpfs is
    mounted over it (root ignores permission bits); otherwise its permission bits. Skips the test
    when root may not mount here."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    with tmpfs_mounted(folder, "ro,size=64k"):
        yield folder


@contextlib.contextmanager
def tmpfs_mounted(folder: Path, options: str):
    """A real tmpfs mounted on `folder` for the block (a real full disk, a real read-only folder);
    skips the test where mounting is not permitted (it needs root)."""
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def page_data(page: str, name: str = "segments-data"):
    """A JSON block a review or studio page carries (the segments are data; the browser draws them)."""
    import json

    return json.loads(re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S).group(1))
