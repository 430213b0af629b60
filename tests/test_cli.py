"""The `barkflow` command itself: Hydra composition, one-line errors, plan mode and sweeps."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
FAST = ["sampling.semantic.max_gen_duration_s=0.3", "device=cpu"]


def barkflow(tmp_path, *args):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    flags, overrides, rest = [], [], iter(args)  # Hydra wants its flags (and their values) before the overrides
    for arg in rest:
        if arg.startswith("-"):
            flags += [arg, next(rest)] if arg in ("--cfg", "--config-dir") else [arg]
        else:
            overrides.append(arg)
    cmd = [sys.executable, "-c", "from barkflow.cli import main; main()", *flags,
           f"paths.cache_dir={tmp_path / 'cache'}", f"paths.voices_dir={tmp_path / 'voices'}", *overrides]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_a_typo_in_an_override_fails_with_hydras_error(tmp_path):
    result = barkflow(tmp_path, "project=demo", "sampling.semantic.tmp=0.5", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    assert "Key 'tmp' not in 'SemanticOptions'" in result.stderr
    assert not (tmp_path / "cache" / "semantic").exists()


def test_a_bad_value_is_one_line(tmp_path):
    result = barkflow(tmp_path, "project=demo", "sampling.semantic.top_p=3", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("barkflow: error:")]
    assert len(errors) == 1 and "top_p" in errors[0]
    assert "Traceback" not in result.stderr


def test_cfg_job_shows_the_composed_config(tmp_path):
    result = barkflow(tmp_path, "project=audiobook", "--cfg", "job")
    assert result.returncode == 0, result.stderr
    assert "script: examples/audiobook/book.md" in result.stdout
    assert "formats:\n  - m4b" in result.stdout  # the project picked export=audiobook


def test_plan_prints_the_segments_without_rendering(tmp_path):
    result = barkflow(tmp_path, "project=demo", "plan=true", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode == 0, result.stderr
    assert "4 segments" in result.stderr and "ALICE" in result.stderr
    assert not (tmp_path / "cache" / "semantic").exists()


def test_a_joblib_sweep_shares_one_cache(tmp_path):
    """Two jobs differ only in the fine seed: the semantic and coarse tokens are made once."""
    sweep = tmp_path / "sweep"
    result = barkflow(
        tmp_path, "-m", "hydra/launcher=parallel", "project=demo", "seeds.fine=1,2", *FAST,
        f"hydra.sweep.dir={sweep}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = sorted(p for p in sweep.iterdir() if p.is_dir() and p.name.isdigit())
    assert [j.name for j in jobs] == ["0", "1"]
    for job in jobs:
        assert sf.info(job / "demo.wav").frames > 0
    cache = tmp_path / "cache"
    assert len(list((cache / "semantic").rglob("*.npz"))) == 4
    assert len(list((cache / "coarse").rglob("*.npz"))) == 4
    assert len(list((cache / "fine").rglob("*.npz"))) == 8
    summaries = [line for job in jobs for line in (job / "cli.log").read_text().splitlines() if "segments (" in line]
    made = [int(m) for line in summaries for m in re.findall(r"semantic (\d+) new", line)]
    assert sorted(made) == [0, 4] or sum(made) == 4  # each semantic key computed exactly once across jobs


def test_a_project_kept_outside_barkflow_via_config_dir(tmp_path):
    """--config-dir adds the user's folder: its projects, its voice entries and its script are found."""
    mine = tmp_path / "mine"
    (mine / "projects").mkdir(parents=True)
    (mine / "voices").mkdir()
    (mine / "book.txt").write_text("# One\n\nThe first line of my book. And a second one.\n")
    (mine / "voices" / "grandpa.yaml").write_text("source: v2/en_speaker_1\ndescription: a warm old voice\n")
    (mine / "projects" / "mybook.yaml").write_text(
        "# @package _global_\nproject:\n  name: mybook\n  script: book.txt\n  cast:\n    narrator: grandpa\n"
    )
    result = barkflow(tmp_path, "--config-dir", str(mine), "project=mybook", "plan=true", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode == 0, result.stderr
    assert "1 segment " in result.stderr and "grandpa" in result.stderr  # two short sentences, one segment
