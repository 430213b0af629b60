"""Derive barkflow/text/given_names.tsv, the given-name genders characters.py falls back on.

    python scripts/given_names.py CENSUS_DIR [--ratio 10] [--out barkflow/text/given_names.tsv]

CENSUS_DIR holds the 1990 US Census first-name files dist.male.first and dist.female.first (public
domain; the MIT-licensed `names` package on PyPI carries them: `pip download names --no-deps`, then
unpack names-0.3.0.tar.gz and point at its names/ folder). Each line is NAME, the percent of that
sex's population with it, a cumulative percent and a rank. A name goes in with the sex whose
percent is at least `ratio` times the other's (a name one list lacks counts as 0 there), so names
both sexes wear (Leslie, Marion, Jean) stay out and the book's pronouns decide them.
barkflow never needs the package: this is run once, by hand, and its output is committed.
"""

from __future__ import annotations

import argparse
import os
import sys

MAX_FILE = 1_000_000  # the census files are about 100 KB each


def read(path: str) -> dict[str, float]:
    if os.path.getsize(path) > MAX_FILE:
        sys.exit(f"{path} is over {MAX_FILE:,} bytes: not a census first-name file")
    out = {}
    with open(path, encoding="ascii") as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4 or not parts[0].isalpha():
                sys.exit(f"{path}:{n}: expected 'NAME PERCENT CUMULATIVE RANK', got {line.strip()!r}")
            out[parts[0].capitalize()] = float(parts[1])
    return out


def derive(male: dict[str, float], female: dict[str, float], ratio: float) -> list[tuple[str, str, float]]:
    """(name, 'M' or 'F', percent) for each name one sex wears `ratio` times as often as the other."""
    rows = []
    for name in sorted(male.keys() | female.keys()):
        m, f = male.get(name, 0.0), female.get(name, 0.0)
        if m >= ratio * f and m > 0:
            rows.append((name, "M", m))
        elif f >= ratio * m and f > 0:
            rows.append((name, "F", f))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("census_dir")
    parser.add_argument("--ratio", type=float, default=10.0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "barkflow", "text",
                                                      "given_names.tsv"))
    args = parser.parse_args(argv)
    male = read(os.path.join(args.census_dir, "dist.male.first"))
    female = read(os.path.join(args.census_dir, "dist.female.first"))
    rows = derive(male, female, args.ratio)
    with open(args.out, "w", encoding="ascii") as f:
        f.write("# Given names and the sex that wears each, derived by scripts/given_names.py from the 1990 US\n"
                "# Census first-name files (dist.male.first, dist.female.first; US government work, public\n"
                f"# domain): a name one sex wears at least {args.ratio:g} times as often as the other.\n"
                "# name<TAB>M or F\n")
        for name, sex, _ in rows:
            f.write(f"{name}\t{sex}\n")
    print(f"{len(rows)} names ({sum(s == 'M' for _, s, _ in rows)} male) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
