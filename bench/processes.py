"""What the benches measure of a process: peak RSS, and wall and CPU time of processes started together."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def peak_rss_mb(usage=None) -> float:
    """Peak RSS in MiB of this process, or of the one `usage` (a wait4() rusage) describes."""
    usage = usage or resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024  # Linux reports KiB


def run_together(commands: list[list[str]], logs: Path, name: str, cwd: Path, env: dict) -> tuple[float, list]:
    """Start the commands at once (output to logs/NAME-i.log), wait for all; (wall seconds, each one's
    rusage from wait4(), in order). A failure ends the bench with the failing command's log tail."""
    logs.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    procs = []
    for i, command in enumerate(commands):
        with open(logs / f"{name}-{i}.log", "w") as log:  # the child keeps its own descriptor
            procs.append((subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env), log.name))
    usages = []
    for proc, log in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            tail = Path(log).read_text(errors="replace")[-2000:]
            sys.exit(f"{name}: {' '.join(map(str, proc.args))} failed ({proc.returncode}), log {log}:\n{tail}")
        usages.append(usage)
    return time.perf_counter() - started, usages
