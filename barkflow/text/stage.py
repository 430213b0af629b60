"""A name two characters share, read inside a speech as the one of them on stage.

The cast (characters.py) gives each name form one owner for the whole book: 'John' is John Andrew,
the child the book calls by his first name, though John Beaver's mother calls her son 'John' too.
Inside a speech, where the owner is not on stage (named in the narration just before) and exactly
one other character who bears every word of the name is, the name is that one's: 'Beaver was
usually dressed by then. ... "John, darling, ..."' calls John Beaver. Only names inside quotations:
a speech calls the people in the room, where the narration may bring in anyone (read the same way
there too, dev PDNC all 16468 -> 16404 right, explicit 6860 -> 6824).
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from barkflow.text.characters import Cast
from barkflow.text.titles import FEMALE_TITLES, MALE_TITLES, TITLES

# Narration this far back names who is on stage (dev PDNC all 16452 -> 16468 right at 1500, 16466
# at 800, 16467 at 3000).
STAGE = 1500

_WORDS = regex.compile(r"[\p{L}'’-]+")


def _name_words(name: str) -> tuple[str | None, frozenset[str]]:
    """The title a name opens with (if any) and its other words."""
    words = [w.rstrip(".") for w in _WORDS.findall(name)]
    title = words[0] if len(words) > 1 and words[0] in TITLES else None
    return title, frozenset(words[1:] if title else words) - {"the"}


def _fits(title: str | None, character) -> bool:
    """Whether a name's title can be this character's: of their sex; 'Mrs.' only a married woman's."""
    if title in MALE_TITLES and character.gender == "F" or title in FEMALE_TITLES and character.gender == "M":
        return False
    return title != "Mrs" or any(a.startswith("Mrs") for a in character.aliases)


def resolve(text: str, cast: Cast, quoted: Callable[[int], bool]) -> list[tuple[int, int, int]]:
    """cast.mentions, each shared name inside a quotation whose owner is off stage given to the
    one other bearer on stage."""
    titled: dict[str, set[int]] = {}  # name word -> the characters any of whose names has it
    plain: dict[str, set[int]] = {}   # ... one of whose names without a title has it
    for c in cast.characters:
        for alias in c.aliases:
            title, words = _name_words(alias)
            for word in words:
                titled.setdefault(word, set()).add(c.id)
                if title is None:
                    plain.setdefault(word, set()).add(c.id)
    out, stage = [], []  # stage: (position, character) of the narration's mentions so far
    for s, e, cid in cast.mentions:
        if not quoted(s):
            stage.append((s, cid))
        else:
            title, words = _name_words(text[s:e])
            # A bare 'Jane' is no one the book names only as 'Miss Jane Bates' (dev PDNC all 16463
            # -> 16468 right: Emma's Miss Bates calling Jane Fairfax).
            bearers = titled if title else plain
            sharers = set.intersection(*(bearers.get(w, set()) for w in words)) - {cid} if words else set()
            here = {c for p, c in stage[-100:] if s - p < STAGE} if sharers else set()
            on = [c for c in sharers if c in here and _fits(title, cast.characters[c])]
            if cid not in here and len(on) == 1:
                cid = on[0]
        out.append((s, e, cid))
    return out
