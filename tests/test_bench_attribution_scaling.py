"""bench/attribution_scaling.py runs its three synthetic books and reports ratios (timing is the bench's, not this test's)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO


def test_the_scaling_bench_reports_each_shape(tmp_path):
    out = tmp_path / "scaling.json"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "attribution_scaling.py"), "--units", "5",
                           "--limit", "1000", "--json", str(out)], capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    assert set(figures) == {"exchanges", "names", "guillemets"}
    assert all(len(f["seconds"]) == 3 and len(f["ratios"]) == 2 for f in figures.values())
