"""The `barkflow` command: a thin @hydra.main over `runner.render`.

    barkflow project=audiobook                       render a project (conf/projects/audiobook.yaml)
    barkflow project=audiobook plan=true             the segment table, no model loaded
    barkflow project=audiobook verify=sphinx verify.report=true
                                                     the segments that fail their checks, from the cache
    barkflow -m project=dialogue sampling.semantic.temp=0.5,0.7 seed=1,2
    barkflow project=audiobook --cfg job             the composed config

`project=NAME` is short for `projects=NAME`: the group's folder is conf/projects/.
User errors (BarkflowError) print one line and exit with status 2.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import NoReturn, Optional

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from barkflow.errors import BarkflowError
from barkflow.planning.config import BarkflowConfig, check_writable_folders, register_configs, suggest, to_config

log = logging.getLogger("barkflow")
register_configs()


def _config_dirs() -> list[Path]:
    """Folders on Hydra's search path that are plain directories (the user's projects live there)."""
    dirs = []
    for source in HydraConfig.get().runtime.config_sources:
        if source.schema == "file" and source.path:
            dirs.append(Path(source.path))
    return dirs


def _console(stderr: bool = True):
    """stderr: progress and messages; stdout (stderr=False): the command's data (a plan, a report,
    what a render wrote), so that `barkflow plan=true > plan.tsv` keeps the table."""
    from rich.console import Console

    return Console(stderr=stderr)


PLAIN_EVERY_S = 60.0  # how often a log file (no terminal: SLURM, nohup) gets the book's line


class _ProgressDisplay:
    """The render's progress on stderr. On a terminal: each step's bar with the whole book's line
    under it (running/progress.py). Elsewhere (a log file, SLURM), where a bar is drawn only once as
    its step ends: plain lines, the book's at the start and every PLAIN_EVERY_S seconds, and each
    step's count and time with the book's line as it ends."""

    def __init__(self, console, clock=None):
        import time

        self.console, self.clock = console, clock or time.monotonic
        self.book_line, self._printed_at = "", None

    def book(self, status) -> None:
        """runner.render's on_book: the book's status after each batch."""
        self.book_line = status.line()
        now = self.clock()
        if not self.console.is_terminal and (self._printed_at is None or now - self._printed_at >= PLAIN_EVERY_S):
            self._plain(self.book_line)

    def _plain(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)
        self._printed_at = self.clock()

    def step(self, step: str, total: int):
        """runner.render's progress_factory: one step's advance(n, done=False)."""
        if not self.console.is_terminal:
            return self._plain_step(step, total)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        display = self

        class WithBook(Progress):
            def get_renderables(self):
                yield self.make_tasks_table(self.tasks)
                if display.book_line:
                    yield Text(display.book_line)

        progress = WithBook(
            TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), console=self.console, transient=False,
        )
        progress.start()
        task = progress.add_task(step, total=total)

        def advance(n: int, done: bool = False):
            progress.advance(task, n)
            if done:
                progress.stop()

        return advance

    def _plain_step(self, step: str, total: int):
        from barkflow.running.progress import format_duration

        started, count = self.clock(), [0]

        def advance(n: int, done: bool = False):
            count[0] += n
            if done:
                self._plain(f"{step}: {count[0]}/{total} in {format_duration(self.clock() - started)}")
                if self.book_line:
                    self._plain(self.book_line)

        return advance


PLAN_COLUMNS = ("id", "ch", "speaker", "voice", "chars", "~s", "cached", "text")


def _print_plan(rows, console, chapters=(), words: str = "") -> None:
    """A table on a terminal; tab-separated lines elsewhere (logs, pipes), where a table would wrap.
    Then one line per chapter (`plan.chapter_table`) when there is more than one, or a titled one."""
    from rich.table import Table
    from rich.text import Text

    title = f"{len(rows)} segment{'' if len(rows) == 1 else 's'}"
    # The spoken text beside the book's, when normalisation or the lexicon changed any
    columns = PLAN_COLUMNS + (("spoken",) if any(r.get("spoken") for r in rows) else ())
    cells = [
        (r["id"], str(r["chapter"]), r["speaker"], r["voice"], str(r["chars"]), f"{r['seconds']:.1f}",
         ",".join(r["cached"]) or "-", r["text"], *([r.get("spoken") or "="] if len(columns) > len(PLAN_COLUMNS) else []))
        for r in rows
    ]
    total = sum(r["seconds"] for r in rows)
    notes = [
        f"note: {r['id']} {r['speaker']}: ({direction}) is not performed; Bark has no cue for it"
        for r in rows for direction in r["dropped"]
    ]
    summary = f"estimated audio: {total / 60:.1f} min; fully cached: {sum(len(r['cached']) == 4 for r in rows)}"
    if words:  # every word of the book accounted for (text/fates.py)
        notes.append(words)
    if len(chapters) > 1 or any(c["title"] for c in chapters):
        notes += [f"chapter {c['chapter']}: {c['title'] or '(untitled)'}: {c['segments']} segment"
                  f"{'' if c['segments'] == 1 else 's'}, ~{c['seconds']:.1f} s" for c in chapters]
    if not console.is_terminal:
        lines = [title, "\t".join(columns)] + ["\t".join(" ".join(c.split()) for c in row) for row in cells]
        console.file.write("\n".join(lines + notes + [summary]) + "\n")
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    texts = len(columns) - len(PLAN_COLUMNS) + 1  # the text columns, last
    for row in cells:
        shortened = [t if len(t) <= 60 else t[:57] + "..." for t in row[-texts:]]
        table.add_row(*(Text(c) for c in (*row[:-texts], *shortened)))  # Text: a Bark cue such as [laughs] is not markup
    console.print(table)
    for line in [*notes, summary]:
        console.print(line, markup=False, highlight=False)


def run(cfg: DictConfig):
    """The task: compose → dataclasses → render (or plan). Returns seconds of audio."""
    from barkflow import runner
    from barkflow.planning import build, plan

    config = checked_config(cfg)
    console, data = _console(), _console(stderr=False)
    dirs = _config_dirs()
    if config.plan:
        engine, store = build.make_engine(config), build.make_store(config)
        the_plan = plan.make_plan(config, engine, store, dirs)
        _print_plan(plan.plan_table(the_plan, store), data, plan.chapter_table(the_plan), the_plan.words.line())
        return 0.0
    if config.verify.report:
        _print_verify_report(runner.verify_report(config, dirs), config, data)
        return 0.0
    display = _ProgressDisplay(console)
    summary = runner.render(config, dirs, progress_factory=display.step, on_book=display.book)
    line = f"{config.project.name}: {summary_line(summary, config.shard)}"
    _log_to_file(line, logging.INFO)  # sweep jobs keep their summary in their own log
    # The render's result, on stdout: its summary and the files it wrote, one a line as they are
    lines = [line] + ([f"  {summary.words}"] if summary.words else []) + [f"  {path}" for path in summary.outputs[:8]]
    if len(summary.outputs) > 8:
        lines.append(f"  … and {len(summary.outputs) - 8} more in {config.paths.output_dir}")
    for text in lines:
        data.print(text, highlight=False, markup=False, soft_wrap=True)
    return summary.audio_seconds


def checked_config(cfg: DictConfig) -> BarkflowConfig:
    """The composed config as dataclasses, its folders checked before a command does anything."""
    config = to_config(cfg)
    check_writable_folders(config)
    return config


def _print_verify_report(outcome, config, console) -> None:
    """The verify counts, then one tab-separated line per failing segment (failed.txt's lines)."""
    from barkflow.running.retakes import failure_lines

    counts = outcome.counts()
    console.print(
        f"{config.project.name}: verify: {counts['passed first']} passed first time, {counts['fixed by retakes']} "
        f"fixed by retakes, {counts['failing']} still failing", highlight=False, markup=False, soft_wrap=True,
    )
    lines = failure_lines(outcome, config.verify)
    console.file.write("".join(f"{line}\n" for line in lines))  # as they are: tab-separated for tools and pipes


def summary_line(summary, shard: str = "") -> str:
    """What the render did: per step, entries computed, found cached, and rendered by other processes."""
    steps = ", ".join(
        f"{s} {summary.rendered[s]} new/{summary.reused[s]} cached"
        + (f"/{summary.waited[s]} from other processes" if summary.waited.get(s) else "")
        for s in summary.rendered
    )
    audio = (
        f"{summary.audio_seconds:.1f} s of audio" if summary.stitched
        else f"shard {shard}, not stitched: {summary.audio_seconds:.1f} s of its audio in the cache"
    )
    verified = getattr(summary, "verified", None)
    checked = (
        f"; verify: {verified['passed first']} passed first time, {verified['fixed by retakes']} fixed by retakes, "
        f"{verified['failing']} still failing" + (" (failed.txt)" if verified["failing"] and summary.stitched else "")
        if verified else ""
    )
    return (
        f"{summary.segments} segments ({steps}); {audio} in {summary.wall_seconds:.1f} s "
        f"(real-time factor {summary.real_time_factor:.2f}); models loaded: {', '.join(summary.loaded) or 'none'}"
        + checked
    )


_task_started = False  # exceptions before the task are about the command line or the config files


@hydra.main(version_base="1.3", config_path="pkg://barkflow.conf", config_name="config")
def _hydra_main(cfg: DictConfig):
    return run_task(run, cfg)


def run_task(task, cfg: DictConfig, prog: str = "barkflow"):
    """Run a command's task on the composed config; a user error is one line and exit status 2."""
    global _task_started
    _task_started = True
    try:
        return task(cfg)
    except BarkflowError as e:
        _log_to_file(f"error: {e}")  # the job's log file keeps a trace of a failed sweep job
        exit_with_error(prog, str(e))


def exit_with_error(prog: str, message: str) -> NoReturn:
    """A user error, as a command reports it: one line on stderr, exit status 2."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


def _log_to_file(message: str, level: int = logging.ERROR) -> None:
    """Write to the job's log file only: the console gets the line once, from us."""
    record = logging.LogRecord("barkflow", level, __file__, 0, message, None, None)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)


def _shorthand(arg: str) -> str:
    """`project=X` (also `+project=`, `project@…`) → the `projects` group."""
    for prefix in ("project=", "+project=", "++project="):
        if arg.startswith(prefix):
            return arg.replace("project=", "projects=", 1)
    return arg


def _first_line(error: BaseException) -> str:
    return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)


def _unknown_key(full_key: str) -> str:
    parent, _, name = full_key.rpartition(".")
    schema = OmegaConf.structured(BarkflowConfig)
    node = OmegaConf.select(schema, parent) if parent else schema
    if not isinstance(node, DictConfig):
        return f"{full_key} is not an option; see the Configuration reference in the README"
    known = [str(key) for key in node.keys()]
    return f"{full_key} is not an option; {suggest(name, known, f'{parent}.' if parent else '')}"


def describe_unfinished_job(error: BaseException) -> Optional[str]:
    """One line for a sweep job that ended without a result (cancelled, timed out, its node lost):
    not a bug, and what it finished stays in the cache. None for anything else."""
    from submitit.core.utils import UncompletedJobError

    if not isinstance(error, UncompletedJobError):
        return None
    # "Job <id> (task: 0) with path <its result file>" / "has not produced any output (state: CANCELLED ...)"
    what = " ".join(str(error).splitlines()[:2])
    return f"{what}; its log is beside that path; run the same command again to render what is missing"


def describe_setup_error(error: BaseException) -> Optional[str]:
    """One line for an error Hydra raised while reading the command line and the config files; None
    for anything else (a bug keeps its traceback)."""
    chain, cause = [], error
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    for link in chain:
        if isinstance(link, BarkflowError):
            return str(link)
    if isinstance(error, MissingConfigException):
        group, _, choice = (error.missing_cfg_file or "").rpartition("/")
        shown = "project" if group == "projects" else group
        choices = sorted(name for name in error.options or () if not name.startswith("base_"))  # base_*: schemas
        if group and choices:
            close = suggest(choice, choices)
            if not close.startswith("did you mean"):
                close = f"the choices are: {', '.join(choices)}"
            return f"{shown}={choice}: there is no such {shown} in conf/{group}/; {close}"
        return f"{_first_line(error)} (check the defaults lists and --config-dir)"
    for link in chain:
        if isinstance(link, (ConfigKeyError, ConfigAttributeError)) and getattr(link, "full_key", None):
            return _unknown_key(link.full_key)
    if isinstance(error, OverrideParseException):
        return f"cannot read an override: {_first_line(error)}; write overrides as key=value, e.g. seed=3"
    if isinstance(error, (HydraException, OmegaConfBaseException)):
        detail = next((link for link in chain[1:] if isinstance(link, OmegaConfBaseException)), None)
        where = f" ({detail.full_key})" if detail is not None and getattr(detail, "full_key", None) else ""
        return _first_line(error) + (f": {_first_line(detail)}{where}" if detail is not None else "")
    if isinstance(error, OSError) and error.filename:  # e.g. Hydra could not make hydra.run.dir
        return f"cannot write {error.filename} ({error.strerror}); fix its permissions or choose another folder"
    if isinstance(error, ValueError) and _raised_in_hydra(error):  # its own flag checks, e.g. -m with --cfg
        return f"{_first_line(error)} (see barkflow --help)"
    return None


def _raised_in_hydra(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and f"{os.sep}hydra{os.sep}" in frames[-1].filename


def main(hydra_main=None, prog: str = "barkflow") -> None:
    """`barkflow`; another command composed the same way passes its own @hydra.main task."""
    hydra_main = hydra_main or _hydra_main
    # conf/ in the working directory is optional; Hydra warns when a search path entry is absent.
    warnings.filterwarnings("ignore", message=r"provider=hydra\.searchpath.*is not available")
    sys.argv = [sys.argv[0]] + [_shorthand(a) for a in sys.argv[1:]]
    if os.environ.get("HYDRA_FULL_ERROR"):  # the user asked for Hydra's full tracebacks
        hydra_main()
        return
    # Hydra prints its own multi-line report and exits 1 unless HYDRA_FULL_ERROR lets the error
    # through to us; we turn errors in the command line or config files into one line and exit 2.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        hydra_main()
    except Exception as error:
        message = describe_unfinished_job(error) or (None if _task_started else describe_setup_error(error))
        if message is None:
            raise
        exit_with_error(prog, message)
    finally:
        os.environ.pop("HYDRA_FULL_ERROR", None)


if __name__ == "__main__":
    main()
