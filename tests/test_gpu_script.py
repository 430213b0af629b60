"""bench/gpu.sh --dry-run: the GPU readiness script runs end to end on the CPU in tiny shapes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_gpu_script_dry_run_writes_every_figure(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(ROOT / "bench" / "gpu.sh"), str(tmp_path), "--dry-run"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for name in ("batch1_eager", "batch1_graphs", "batch2_eager", "batch2_graphs"):
        rows = json.loads((tmp_path / f"{name}.json").read_text())
        assert rows[0]["variant"] == "floor" and rows[0]["gbps"] > 0
        assert any(r["variant"].startswith("barkflow") and r["wall_per_audio_s"] > 0 for r in rows)
