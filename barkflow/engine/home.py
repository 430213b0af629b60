"""barkflow's home folder (BARKFLOW_HOME, else ~/.cache/barkflow) and the bundles built there once
(bundles.py: the tiny model; asr.py: the speech recogniser's). Finding a built bundle needs no
torch, so a source naming the tiny model resolves without it (sources.py); building one does."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from barkflow.errors import user_path

logger = logging.getLogger(__name__)

TINY_NAME = "tiny-v1"  # bump when the recipe changes, so cached bundles are rebuilt


def barkflow_home() -> Path:
    return user_path(os.environ.get("BARKFLOW_HOME") or "~/.cache/barkflow")


def is_built(root: Path) -> bool:
    """Whether the bundle at `root` is whole: built_once writes its bundle.json last."""
    return (root / "bundle.json").is_file()


def built_once(name: str, write: Callable[[Path], object], what: str) -> Path:
    """`barkflow_home()/name`, made by `write(folder)` (which writes a bundle.json last) on first use.

    Built in a temporary folder next to it and moved in place with os.replace, under a file lock,
    so concurrent processes (pytest-xdist, joblib workers) build it once and never see it half-written.
    """
    from filelock import FileLock

    home = barkflow_home()
    root = home / name
    if is_built(root):
        return root
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / f"{name}.lock")):
        if (root / "bundle.json").is_file():  # another process built it while we waited
            return root
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=home))
        try:
            logger.info("building the %s in %s", what, root)
            write(tmp)
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; the bundle is as shareable as its home
            if root.exists():  # a leftover without bundle.json: not ours to keep
                shutil.rmtree(root)
            os.replace(tmp, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return root
