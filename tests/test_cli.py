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


def one_error_line(result) -> str:
    """The CLI's one line for a user error: exit status 2, no traceback, nothing of Hydra's report."""
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "HYDRA_FULL_ERROR" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("barkflow: error: "), result.stderr
    return errors[0]


@pytest.mark.parametrize("override, words", [
    ("sampling.semantic.tmp=0.5", "sampling.semantic.tmp is not an option; did you mean sampling.semantic.temp?"),
    ("project.takez=2", "project.takez is not an option; did you mean project.takes?"),
    ("model=nope", "model=nope: there is no such model in conf/model/; the choices are: bark, bark-small, local, tiny"),
    ("project=demmo", "project=demmo: there is no such project in conf/projects/; did you mean demo?"),
    ("seed=[", "cannot read an override"),
])
def test_a_misspelt_key_or_choice_is_one_line_with_a_fix(tmp_path, override, words):
    result = barkflow(tmp_path, "project=demo", override, f"hydra.run.dir={tmp_path / 'run'}")
    assert words in one_error_line(result)
    assert not (tmp_path / "cache" / "semantic").exists()


def test_flags_hydra_refuses_together_are_one_line(tmp_path):
    result = barkflow(tmp_path, "-m", "--cfg", "hydra", "project=demo", "seed=1,2")
    assert "Only one of --run, --multirun, --cfg" in one_error_line(result)


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
    assert "4 segments" in result.stdout and "ALICE" in result.stdout
    assert not (tmp_path / "cache" / "semantic").exists()


def test_plan_names_the_directions_bark_cannot_perform(tmp_path):
    script = tmp_path / "scene.txt"
    script.write_text("SAM (laughing): That is a good one.\nJO (whispering): Keep it down.\n", encoding="utf-8")
    result = barkflow(
        tmp_path, "project=dialogue", f"project.script={script}", "plan=true", f"hydra.run.dir={tmp_path / 'run'}"
    )
    assert result.returncode == 0, result.stderr
    assert "[laughs] That is a good one." in result.stdout  # a direction Bark has a cue for becomes the cue
    assert "note: l0002-s01 JO: (whispering) is not performed; Bark has no cue for it" in result.stdout


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
    assert "1 segment\n" in result.stdout and "grandpa" in result.stdout  # two short sentences, one segment


def test_help_still_works(tmp_path):
    result = barkflow(tmp_path, "--help")
    assert result.returncode == 0 and "Configuration groups" in result.stdout


def test_a_project_name_that_leaves_renders_is_refused_before_hydra_makes_a_folder(tmp_path):
    escaped = REPO / "renders-escape-test"  # where renders/../renders-escape-test would land
    try:
        result = barkflow(tmp_path, "project=demo", "project.name=../renders-escape-test", "plan=true")
        assert "project.name is '../renders-escape-test'" in one_error_line(result)
        assert not escaped.exists()
    finally:
        if escaped.exists():
            escaped.rmdir()


def test_an_output_folder_that_cannot_be_made_fails_before_the_plan(tmp_path):
    (tmp_path / "a-file").write_text("x")
    result = barkflow(tmp_path, "project=demo", "plan=true", f"paths.output_dir={tmp_path / 'a-file' / 'out'}",
                      f"hydra.run.dir={tmp_path / 'run'}")
    assert "paths.output_dir=" in one_error_line(result) and "a file is in the way" in result.stderr
    assert "segments" not in result.stdout + result.stderr


def test_line_overrides_on_the_command_line_reach_the_plan(tmp_path):
    run = f"hydra.run.dir={tmp_path / 'run'}"
    result = barkflow(tmp_path, "project=demo", "plan=true", run, "project.lines.5.prefix='[laughs]'")
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.startswith("l0")]
    assert rows and all(len(row) == 8 for row in rows)  # not a terminal: one tab-separated line per segment
    assert [row[-1] for row in rows if row[2] == "ALICE"][0].startswith("[laughs] Did you hear that?")
    result = barkflow(tmp_path, "project=demo", "plan=true", run, "project.lines.99.prefix=x")
    assert "project.lines.99:" in one_error_line(result) and "(lines with text: 3, 5-7)" in result.stderr


def test_a_sweep_job_that_never_finished_is_one_line_saying_to_run_again():
    from submitit.core.utils import UncompletedJobError

    from barkflow.cli import describe_unfinished_job

    error = UncompletedJobError(
        "Job 23_1 (task: 0) with path /sweep/.submitit/23_1/23_1_0_result.pkl\nhas not produced any output "
        "(state: CANCELLED by 0)\nError stream produced:\n----\nsrun: forcing job termination"
    )
    line = describe_unfinished_job(error)
    assert "\n" not in line and "Job 23_1" in line and "CANCELLED by 0" in line and "run the same command again" in line
    assert describe_unfinished_job(ValueError("a bug")) is None  # anything else keeps its traceback


def test_stdout_holds_the_data_and_logs_go_to_stderr(tmp_path):
    """`barkflow plan=true > plan.tsv` keeps the table; the logs and progress stay on the terminal."""
    script = tmp_path / "talk.txt"
    script.write_text("BOB:\nALICE: Hello there.\n")  # a speaker without text: a warning, logged
    run_dir = f"hydra.run.dir={tmp_path / 'out'}"
    planned = barkflow(tmp_path, "project=demo", "plan=true", f"project.script={script}", run_dir)
    assert planned.returncode == 0, planned.stderr
    lines = planned.stdout.splitlines()
    assert lines[:2] == ["2 segments", "id\tch\tspeaker\tvoice\tchars\t~s\tcached\ttext"]
    assert [line.split("\t")[2] for line in lines[2:4]] == ["narrator", "ALICE"]
    assert lines[-1].startswith("estimated audio: ") and len(lines) == 6
    assert lines[-2] == "words: 3 in the book: 3 spoken as written, 0 normalised, 0 respelled, 0 skipped"
    assert "talk.txt:1" in planned.stderr and "[WARNING]" in planned.stderr  # the log line, on stderr only

    rendered = barkflow(tmp_path, "project=demo", f"project.script={script}", *FAST, run_dir)
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    summary, words, *paths = [line for line in rendered.stdout.splitlines() if not line.startswith("  … and ")]
    assert words == "  words: 3 in the book: 3 spoken as written, 0 normalised, 0 respelled, 0 skipped"
    assert summary.startswith("demo: 2 segments (") and "[INFO]" not in rendered.stdout
    assert paths and all(Path(path.strip()).is_file() for path in paths)  # what it wrote, one per line
    assert "loading the semantic model" in rendered.stderr and "talk.txt:1" in rendered.stderr
    assert "loading" not in rendered.stdout
