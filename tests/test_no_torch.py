"""Planning and a rerun with nothing to render import no torch (nor transformers, nor the hub client): at book scale
importing torch was a third of a no-op rerun's time. The engine is imported lazily where a model
is actually loaded; planning, scheduling and publishing need only its torch-free modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import FAST

HEAVY = ("torch", "transformers", "scipy.signal", "huggingface_hub")  # the hub client: a tenth of a second
# The barkflow command, reporting at exit which heavy modules the process imported.
PROBE = f"""
import atexit, sys
atexit.register(lambda: print("imported:", [m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr))
from barkflow.cli import main
sys.argv[0] = "barkflow"
main()
"""


def barkflow(tmp_path: Path, *options: str) -> str:
    """Run the command on the demo project in `tmp_path`; the heavy modules it imported."""
    args = ["project=demo", f"paths.cache_dir={tmp_path / 'cache'}", f"hydra.run.dir={tmp_path / 'out'}",
            f"paths.voices_dir={tmp_path / 'voices'}", *FAST, *options]
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=300,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr.strip().splitlines()[-1]


def test_planning_and_a_no_op_rerun_import_no_torch(tmp_path):
    barkflow(tmp_path, "plan=true")  # a cold plan: transformers' tokenizer (and torch with it) counts tokens
    assert "torch" in barkflow(tmp_path)  # the render loads the models
    assert barkflow(tmp_path, "plan=true") == "imported: []"  # the split memo answers every line
    assert barkflow(tmp_path) == "imported: []"  # everything cached, every output up to date
