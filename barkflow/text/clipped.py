"""Clipped names said only in address: 'Matt' for Mattie, 'Ethe' for Ethan, and pet names of a
given name the narration titles: 'Harry' for Lord Henry; and clipped surnames after a title the full
one wears too: 'Mr. Mac' for Mr. MacDonald.

A speech may call someone by the first letters of their given name ('"Think I'd forgotten you,
Matt?"'), a form the narration never uses. The cast reads the clipping as a person of its own
(the pet-name table makes 'Matt' a man, Matthew), so the speech's address names nobody on stage
and the turn may go to the very person it calls. Here a one-word entry whose every mention has the
shape of a call (after a comma, quotation mark or 'Oh', before a comma or a stop) and which opens
the given name of exactly one other entry, one to three letters longer, is that entry. So is one
whose word is a pet name of the given name of exactly one entry the narration titles by it ('"Harry,
you are wrong."' where the narration says 'Lord Henry'); the cast keeps a pet name the narration
uses itself apart from the title's ('Tom' is Sir Thomas's son in Mansfield Park).
"""

from __future__ import annotations

from dataclasses import replace

import regex

from barkflow.text.givennames import formals
from barkflow.text.titles import TITLES

_CALL_BEFORE = regex.compile(r"(?:[,\"“‘'—-]|\b(?:Oh|O|Ah|Say|Why|Well|Hello|Dear|dear|my))\s*$")
_CALL_AFTER = regex.compile(r"[,!?.;—-]")


def _called_only(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the mentions in `spans` are calls ('..., Matt?', '"Matt, ...'), all but one in ten
    ('This is Matt's')."""
    calls = sum(1 for s, e in spans if _CALL_BEFORE.search(text, max(0, s - 8), s) and _CALL_AFTER.match(text, e, e + 1))
    return len(spans) >= 2 and calls >= max(len(spans) - 1, 0.9 * len(spans))


def _given(c) -> set[str]:
    """The first words of c's untitled forms of more than one word, or its one word."""
    return {a.split()[0] for a in c.aliases if "." not in a.split()[0]}


def _the_one(fits: list):
    """The one entry that fits, or None where none or several do."""
    return fits[0] if len(fits) == 1 else None


def _full_entry(clip: str, c, characters: list):
    """The one other entry whose given name the clipping opens, one to three letters longer."""
    fits = [d for d in characters if d is not c and d.gender != "?" and
            any(g.startswith(clip) and 1 <= len(g) - len(clip) <= 3 for g in _given(d))]
    return _the_one(fits)


# The styles of a knight's or a peer's child, before a given name ('Sir Thomas', 'Lord Henry'), whose
# equals call them by a pet name; not a queen's or an aunt's.
_STYLES = frozenset(("Sir", "Lord", "Lady", "Dame"))


def _titled_given(pet: str, c, characters: list):
    """The one other entry styled before the given name `pet` stands for ('Lord Henry' of 'Harry'),
    of the pet's sex or none known."""
    given = set(formals(pet))
    fits = [d for d in characters if d is not c and d.gender in (c.gender, "?") and any(
        len(words) == 2 and words[0] in _STYLES and words[1] in given for words in map(str.split, d.aliases))]
    return _the_one(fits)


# What makes a name a family's or a possessive, not a longer name ('the Pipchinses').
PLURAL = {"s", "es", "ses"}


def _titled(c) -> set[tuple[str, str]]:
    """(title, last word) of each of c's names that opens with a title ('Inspector MacDonald')."""
    return {(words[0], words[-1]) for words in map(str.split, c.aliases)
            if len(words) > 1 and words[0].rstrip(".") in TITLES}


def _full_surname(c, titled: dict[int, set], opening: dict[tuple[str, str], list]):
    """The one other entry whose surname c's one word opens, two letters longer or more, named with
    a title c is named with too: 'Mr. Mac', 'Inspector Mac' of Inspector MacDonald, Mr. MacDonald.
    `titled`: each entry's _titled(); `opening`: the entries by (title, first three letters of the
    last word), looked up rather than every entry scanned for each (a cast of thousands)."""
    words = {a.split()[-1] for a in c.aliases}
    titles = {title for title, _ in titled[c.id]}
    if len(words) != 1 or not titles or len(clip := next(iter(words))) < 3:
        return None
    near = {id(d): d for title in titles for d in opening.get((title, clip[:3]), [])}.values()
    fits = [d for d in near if d is not c and d.gender in (c.gender, "?") and any(
        title in titles and last.startswith(clip) and len(last) >= len(clip) + 2 and last[len(clip):] not in PLURAL
        for title, last in titled[d.id])]
    return _the_one(fits)


def join_clipped(text: str, characters: list, mentions: list[tuple[int, int, int]]) -> tuple[list, list]:
    """A cast's characters (characters.Character, ids their places) and mentions (start, end,
    character) with each clipped name said only in address joined to its full entry."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for s, e, cid in mentions:
        spans.setdefault(cid, []).append((s, e))
    into: dict[int, int] = {}
    titled = {c.id: _titled(c) for c in characters}
    opening: dict[tuple[str, str], list] = {}
    for c in characters:
        for title, last in titled[c.id]:
            opening.setdefault((title, last[:3]), []).append(c)
    for c in characters:
        if full := _full_surname(c, titled, opening):
            into[c.id] = full.id
        if len(c.aliases) != 1 or " " in c.aliases[0] or len(c.aliases[0]) < 3:
            continue
        if _called_only(text, spans.get(c.id, [])) and \
                (full := _full_entry(c.aliases[0], c, characters) or _titled_given(c.aliases[0], c, characters)):
            into[c.id] = full.id
    if not into:
        return characters, mentions
    kept = [c for c in characters if c.id not in into]
    new_id = {c.id: i for i, c in enumerate(kept)}
    added: dict[int, list] = {}
    for old, full in into.items():
        added.setdefault(full, []).append(characters[old])
    joined = [replace(c, id=new_id[c.id],
                      aliases=tuple(sorted(c.aliases + tuple(a for x in added.get(c.id, []) for a in x.aliases))),
                      mentions=c.mentions + sum(x.mentions for x in added.get(c.id, [])))
              for c in kept]
    return joined, sorted((s, e, new_id[into.get(cid, cid)]) for s, e, cid in mentions)
