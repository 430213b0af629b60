"""Text speed: splitting and parsing large scripts (CPU time, so a shared machine's load does not count).

    python bench/text.py

A quadratic step in the splitter or the parsers shows here as minutes instead of seconds. The
targets (2,000 lines split in under 0.5 s; 1 MB split in under 20 s, about 5 s on the 2-core CI
machine) used to be assertions inside the unit tests, where a busy machine made them flaky.
"""

from __future__ import annotations

import time

from barkflow.text.script import parse_script
from barkflow.text.split import SplitOptions, split_text

LINES_TARGET_S = 0.5
MEGABYTE_TARGET_S = 20.0


def cpu_seconds(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main() -> int:
    lines = "\n".join(f"Line {i}: the keeper lights the lamp, again." for i in range(2000))
    paragraph = ("The keeper climbed the stairs, counting each step. Mr. Hale said: \"Not tonight!\" "
                 "[sighs] 我们今天去公园。 مرحبا بالعالم. " + "x" * 70 + " — silence?\n")
    megabyte = (paragraph * 3 + "\n") * (1_000_000 // (len(paragraph) * 3 + 1))
    results = [
        ("split 2,000 lines (mode=line)", cpu_seconds(lambda: split_text(lines, SplitOptions(mode="line"))), LINES_TARGET_S),
        ("split 1 MB (sentences)", cpu_seconds(lambda: split_text(megabyte, SplitOptions())), MEGABYTE_TARGET_S),
        ("parse 1 MB (prose)", cpu_seconds(lambda: parse_script(megabyte, "prose")), None),
    ]
    over = 0
    for name, seconds, target in results:
        verdict = "" if target is None else (" ok" if seconds < target else f" OVER the {target:g} s target")
        over += bool(target is not None and seconds >= target)
        print(f"{name:32} {seconds:6.2f} s CPU{verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
