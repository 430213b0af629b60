"""bench/novel.py --quick runs end to end (the whole-novel bench's smoke test: a few minutes on 2 cores)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_novel_bench_runs_every_phase(tmp_path):
    out = tmp_path / "novel.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "novel.py"), "--quick", "--workdir", str(tmp_path / "work"), "--json", str(out)],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    figures = json.loads(out.read_text())
    assert set(figures["phases"]) == {"plan cold", "plan memo", "render x1", "stitch+export x1", "render x2",
                                      "stitch+export x2", "review page", "studio start", "no-op rerun"}
    assert all(p["wall_s"] > 0 and p["peak_rss_mb"] > 0 for p in figures["phases"].values())
    assert figures["same_audio_across_workers"] and figures["segments"] > 10
    assert {"semantic", "coarse", "fine", "decode"} <= set(figures["cache"])
    assert any(name.endswith(".m4b") for name in figures["outputs"]) and "review.html" in figures["outputs"]
    assert figures["manifest_bytes"] > 0 and figures["review_page_bytes"] > 0
