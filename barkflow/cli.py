"""The `barkflow` command: a thin @hydra.main over `runner.render`.

    barkflow project=audiobook                       render a project (conf/projects/audiobook.yaml)
    barkflow project=audiobook plan=true             the segment table, no model loaded
    barkflow -m project=dialogue sampling.semantic.temp=0.5,0.7 seed=1,2
    barkflow project=audiobook --cfg job             the composed config

`project=NAME` is short for `projects=NAME`: the group's folder is conf/projects/.
User errors (BarkflowError) print one line and exit with status 2.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from barkflow.config import register_configs, to_config
from barkflow.errors import BarkflowError

log = logging.getLogger("barkflow")
register_configs()


def _config_dirs() -> list[Path]:
    """Folders on Hydra's search path that are plain directories (the user's projects live there)."""
    dirs = []
    for source in HydraConfig.get().runtime.config_sources:
        if source.schema == "file" and source.path:
            dirs.append(Path(source.path))
    return dirs


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _progress_factory(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    def factory(step: str, total: int):
        progress = Progress(
            TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), console=console, transient=False,
        )
        progress.start()
        task = progress.add_task(step, total=total)

        def advance(n: int, done: bool = False):
            progress.advance(task, n)
            if done:
                progress.stop()

        return advance

    return factory


def _print_plan(rows, console) -> None:
    from rich.table import Table

    table = Table(title=f"{len(rows)} segment{'' if len(rows) == 1 else 's'}", show_lines=False)
    for column in ("id", "ch", "speaker", "voice", "chars", "~s", "cached", "text"):
        table.add_column(column)
    for r in rows:
        text = r["text"] if len(r["text"]) <= 60 else r["text"][:57] + "..."
        table.add_row(
            r["id"], str(r["chapter"]), r["speaker"], r["voice"], str(r["chars"]), f"{r['seconds']:.1f}",
            ",".join(r["cached"]) or "-", text,
        )
    console.print(table)
    total = sum(r["seconds"] for r in rows)
    console.print(f"estimated audio: {total / 60:.1f} min; fully cached: {sum(len(r['cached']) == 4 for r in rows)}")


def run(cfg: DictConfig):
    """The task: compose → dataclasses → render (or plan). Returns seconds of audio."""
    from barkflow import runner
    from barkflow.cache import Store

    config = to_config(cfg)
    console = _console()
    dirs = _config_dirs()
    if config.plan:
        engine = runner.make_engine(config)
        store = Store(config.paths.cache_dir)
        the_plan = runner.plan(config, engine, store, dirs)
        _print_plan(runner.plan_table(the_plan, store), console)
        return 0.0
    summary = runner.render(config, dirs, progress_factory=_progress_factory(console))
    line = f"{config.project.name}: {summary_line(summary, config.shard)}"
    _log_to_file(line, logging.INFO)  # sweep jobs keep their summary in their own log
    console.print(line, highlight=False)
    for path in summary.outputs[:8]:
        console.print(f"  {path}")
    if len(summary.outputs) > 8:
        console.print(f"  … and {len(summary.outputs) - 8} more in {config.paths.output_dir}")
    return summary.audio_seconds


def summary_line(summary, shard: str = "") -> str:
    """What the render did: per step, entries computed, found cached, and rendered by other processes."""
    steps = ", ".join(
        f"{s} {summary.rendered[s]} new/{summary.reused[s]} cached"
        + (f"/{summary.waited[s]} from other processes" if summary.waited.get(s) else "")
        for s in summary.rendered
    )
    audio = (
        f"{summary.audio_seconds:.1f} s of audio" if summary.stitched
        else f"shard {shard}, not stitched: {summary.audio_seconds:.1f} s of audio decoded into the cache"
    )
    return (
        f"{summary.segments} segments ({steps}); {audio} in {summary.wall_seconds:.1f} s "
        f"(real-time factor {summary.real_time_factor:.2f}); models loaded: {', '.join(summary.loaded) or 'none'}"
    )


@hydra.main(version_base="1.3", config_path="pkg://barkflow.conf", config_name="config")
def _hydra_main(cfg: DictConfig):
    try:
        return run(cfg)
    except BarkflowError as e:
        _log_to_file(f"error: {e}")  # the job's log file keeps a trace of a failed sweep job
        print(f"barkflow: error: {e}", file=sys.stderr)
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


def main() -> None:
    # conf/ in the working directory is optional; Hydra warns when a search path entry is absent.
    warnings.filterwarnings("ignore", message=r"provider=hydra\.searchpath.*is not available")
    sys.argv = [sys.argv[0]] + [_shorthand(a) for a in sys.argv[1:]]
    _hydra_main()


if __name__ == "__main__":
    main()
