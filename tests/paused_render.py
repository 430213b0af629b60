"""The barkflow command, held at one phase of the render so a test can kill it there.

    python tests/paused_render.py PHASE [barkflow arguments ...]

PHASE is semantic, coarse, fine or decode (after that step's first batch is stored), stitch (before
stitching) or export (after the book files are written, before the segment voices and the
manifest). There the process prints "barkflow-phase PHASE" to stderr and sleeps for an hour.
"""

from __future__ import annotations

import sys
import time

from barkflow import cli
from barkflow.publishing import publish
from barkflow.running import schedule

STEPS = ("semantic", "coarse", "fine", "decode")
PHASES = STEPS + ("stitch", "export")
MARKER = "barkflow-phase {}"
PAUSE_S = 3600


def pause(phase: str) -> None:
    print(MARKER.format(phase), file=sys.stderr, flush=True)
    time.sleep(PAUSE_S)


def hold_at(phase: str) -> None:
    """Patch the function that runs the phase so that it pauses there."""
    if phase in STEPS:
        run_batch = schedule.run_batch

        def run_batch_then_pause(step, *args, **kwargs):
            run_batch(step, *args, **kwargs)
            if step.NAME == phase:
                pause(phase)

        schedule.run_batch = run_batch_then_pause
    elif phase == "stitch":
        stitch = publish.stitch

        def pause_then_stitch(*args, **kwargs):
            pause(phase)
            return stitch(*args, **kwargs)

        publish.stitch = pause_then_stitch
    elif phase == "export":
        export = publish.export

        def export_then_pause(*args, **kwargs):
            written = export(*args, **kwargs)
            pause(phase)
            return written

        publish.export = export_then_pause
    else:
        sys.exit(f"paused_render: unknown phase {phase!r}; use one of {', '.join(PHASES)}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    hold_at(sys.argv.pop(1))
    cli.main()
