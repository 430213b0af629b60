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
    assert figures["manifest_bytes"] > 0 and figures["review_page_bytes"] > 0 and figures["review_clips_bytes"] > 0
    noop = figures["phases"]["no-op rerun"]
    assert noop["runs"] == 5 and noop["wall_min_s"] <= noop["wall_s"] <= noop["wall_max_s"]

    again = tmp_path / "again.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "novel.py"), "--workdir", str(tmp_path / "work"), "--rerun", "--repeat", "2",
         "--json", str(again)], capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert set(json.loads(again.read_text())["phases"]) == {"plan memo", "no-op rerun"}
