"""Do the speakers agree with the book's own name tags? A check that needs no gold, on any book.

    python bench/tag_agreement.py BOOK.txt [BOOK.txt ...] [--show N]

A quotation closed by `, said Elizabeth` / `, Elizabeth replied` or opened by `Elizabeth said, "`
names its speaker in the plainest way; the attribution should give it to the character whose name
or alias that is. This finds such tags with its own small regexes (not barkflow's tag reading, so
the two can disagree) and counts, per book: the tags found, those whose quotation has that
character's voice ("agree"), another character's ("other") or none. It scores only the easy
tags, so a low figure is a bug (a cast entry split or merged, a tag read from the wrong side, a name
the cast missed), and a high one is no accuracy figure: bench/attribution.py and
bench/hand_checked.py give those. --show N prints N disagreements per book.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

import regex

from barkflow.errors import BarkflowError
from barkflow.text.attribution import Attribution, attribute

MAX_TEXT = 16 * 1024 * 1024
VERB = r"(?:said|replied|asked|cried|answered|returned|exclaimed|continued|added|observed|remarked|whispered|shouted)"
TITLE = r"(?:(?:Mr|Mrs|Miss|Dr|Sir|Lady|Lord|Captain|Colonel|Major|Aunt|Uncle)\.?\s+)?"
WORD = r"(?:\p{Lu}['’])?\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
NAME = rf"(?P<name>{TITLE}{WORD}(?:[ \t]+{WORD})?)"
# Capitalised words that open a sentence or a clause, never a speaker's name.
NOT_NAMES = set("""The He She I It They We You But And Then There This That What When Oh Yes No His Her A An
One Well So If Now Here Why How Who Nobody Somebody Everybody""".split())
CLOSE = "\"”"
AFTER = [regex.compile(rf"[ \t]*\n?[ \t]*{VERB}[ \t]+{NAME}\b(?!['’]s)"),
         regex.compile(rf"[ \t]*\n?[ \t]*{NAME}[ \t]+{VERB}\b")]
BEFORE = regex.compile(rf"(?:^|[.!?][ \t]+|\n){NAME}[ \t]+{VERB}[,:][ \t]*$")


def tag_name(text: str, start: int, end: int) -> str | None:
    """The name a plain tag gives the quotation text[start:end] (its marks just outside), if any."""
    if end < len(text) and text[end] in CLOSE and text[end - 1] in ",?!":
        for pattern in AFTER:
            if m := pattern.match(text, end + 1, end + 61):
                return m.group("name")
    if m := BEFORE.search(text, max(0, start - 61), max(0, start - 1)):
        return m.group("name")
    return None


def is_named(name: str, aliases: set[str]) -> bool:
    """Whether the tag's `name` is one of a character's names, with or without its title."""
    bare = regex.sub(rf"^{TITLE}", "", name)
    words = {w for alias in aliases for w in regex.split(r"[\s.]+", alias)}
    return name in aliases or bare in aliases or bare in words


def agreement(text: str, result: Attribution, show: int = 0) -> tuple[Counter, list[str]]:
    counts, shown = Counter(), []
    for q in sorted(result.quotations, key=lambda q: q.start):
        name = tag_name(text, q.start, q.end)
        if name is None or name.split()[0] in NOT_NAMES:
            continue
        counts["tags"] += 1
        if q.speaker is None:
            counts["none"] += 1
            continue
        character = result.characters[q.speaker]
        if is_named(name, {character.name, *character.aliases}):
            counts["agree"] += 1
            continue
        counts["other"] += 1
        if len(shown) < show:
            context = regex.sub(r"\s+", " ", text[max(0, q.start - 60):q.end + 60])
            shown.append(f"  {q.start}\ttag {name!r}\tgiven {character.name!r}\t{context}")
    return counts, shown


def read_book(path: str) -> str:
    if not os.path.isfile(path):
        raise BarkflowError(f"{path}: no such file")
    if os.path.getsize(path) > MAX_TEXT:
        raise BarkflowError(f"{path} is over {MAX_TEXT:,} bytes: split it, or check it is a book")
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return f.read().replace("\r\n", "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="+")
    parser.add_argument("--show", type=int, default=0, help="disagreements to print per book")
    args = parser.parse_args(argv)
    total = Counter()
    try:
        for path in args.books:
            text = read_book(path)
            counts, shown = agreement(text, attribute(text), args.show)
            total.update(counts)
            print(f"{os.path.basename(path):40s} {line(counts)}", *shown, sep="\n")
    except BarkflowError as e:
        print(f"tag_agreement: {e}", file=sys.stderr)
        return 2
    print(f"{'all':40s} {line(total)}")
    return 0


def line(counts: Counter) -> str:
    tags = counts["tags"]
    share = f"{counts['agree'] / tags:.1%}" if tags else "-"
    return f"tags {tags}  agree {counts['agree']} ({share})  other {counts['other']}  none {counts['none']}"


if __name__ == "__main__":
    sys.exit(main())
