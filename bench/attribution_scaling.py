"""How attribution's time grows with a book: synthetic books of N, 2N and 4N units, CPU seconds each.

A rule that scans all it has seen at every quotation or name makes attribution quadratic; on a real
novel it hides as a fraction of a second, on a long or odd one it is minutes. Each shape here grows
one thing a real book has many of:

- exchanges: short two-person talks between paragraphs of narration (the turns' history);
- names: couples of distinct names, each tagged (the cast's merging of name forms);
- guillemets: French-style quotations with no English words (a regex looking for words that
  never come).

    python bench/attribution_scaling.py [--units 2000] [--json FILE]

Linear time gives a ratio near 2 per doubling; the bench prints each shape's ratios and flags one
above --limit (2.6 by default), with exit status 1 where any shape is flagged.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from itertools import pairwise

from barkflow.text.attribution import attribute

_SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vor", "bel", "dan", "ish", "ul", "per", "gon", "sa", "ti", "ve"]


def exchanges(n: int) -> str:
    talk = ('"Is it {i}?" said Mr. Crane.\n\n"It is {i}," said Mrs. Pell.\n\n"Good."\n\n"Yes."\n\n'
            "They walked on for a while along the road to the mill.\n\n")
    return "Mr. Tobias Crane met Mrs. Harriet Pell.\n\n" + "".join(talk.format(i=i) for i in range(n))


def names(n: int) -> str:
    rng = random.Random(0)

    def name() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()

    out = []
    for _ in range(n):
        a, b = name(), name()
        out.append(f'Mr. {a} met Miss {b}. Then {a} sat, and {b} laughed.\n\n'
                   f'"Good day, {b}," said {a}.\n\n"And to you," said Miss {b}.\n\n')
    return "".join(out)


def guillemets(n: int) -> str:
    return "\n\n".join("« Oui », dit Marie. « Non » " for _ in range(n * 5))


SHAPES = {"exchanges": exchanges, "names": names, "guillemets": guillemets}


def cpu_seconds(text: str) -> float:
    started = time.process_time()
    attribute(text)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000, help="N: the smallest book's units")
    parser.add_argument("--limit", type=float, default=2.6, help="the largest ratio per doubling taken as linear")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    figures, flagged = {}, []
    for shape, make in SHAPES.items():
        seconds = [cpu_seconds(make(args.units * k)) for k in (1, 2, 4)]
        ratios = [b / a if a else 0.0 for a, b in pairwise(seconds)]
        figures[shape] = {"units": args.units, "seconds": seconds, "ratios": ratios}
        mark = "  GROWS FASTER THAN LINEAR" if max(ratios) > args.limit else ""
        if mark:
            flagged.append(shape)
        print(f"{shape:11s} N={args.units}: " + " / ".join(f"{s:.2f} s" for s in seconds)
              + "  per doubling " + " ".join(f"x{r:.2f}" for r in ratios) + mark)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=1)
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
