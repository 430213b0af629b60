"""Whom a paragraph's speech is spoken to: the names it calls ('Come, Lizzy,'), and the one its
narration says it is told to ('Brenda said to Allan').

The addressees of a speech are, for the attribution (attribution.py), the people who are not
speaking it and, in a conversation, the ones who answer next. The functions take the attribution's
context: the text, the character mentions inside quotations (`ctx.inside`, sorted (start, end,
character)), the mentions by end position (`ctx.at`), the quotations retold from elsewhere
(`ctx.retold`) and the paragraphs (`ctx.scan`).
"""

from __future__ import annotations

import bisect

from barkflow.text import cues


def inside(ctx, quotes: list) -> list[tuple[int, int, int]]:
    """The mentions (start, end, character) from a paragraph's first quote to the end of its last."""
    i = bisect.bisect_left(ctx.inside, (quotes[0].start, -1, -1))
    j = bisect.bisect_left(ctx.inside, (quotes[-1].end, -1, -1), i)
    return ctx.inside[i:j]


def named(ctx, quotes: list) -> set[int]:
    """Everyone a paragraph's quotes name, in address or not."""
    return {cid for _, _, cid in inside(ctx, quotes)}


def vocatives(ctx, quotes: list, own: frozenset[int] = frozenset()) -> tuple[int, ...]:
    """Names used in address inside a paragraph's quotes ('Come, Lizzy,', 'But, Cecil--'): its
    addressees; not the speech's own speaker naming themself (the mention starts in `own`)."""
    text, voc = ctx.text, []
    for q in quotes:
        i = bisect.bisect_left(ctx.inside, (q.start, -1, -1))
        while i < len(ctx.inside) and ctx.inside[i][0] < q.end:
            s, e, cid = ctx.inside[i]
            after = text[e:e + 1]
            addressed = s not in ctx.retold and s not in own \
                and (s == q.start or cues.ADDRESS_BEFORE.search(text, max(q.start, s - 6), s)) and not _listed(text, s, e, q) \
                and not cues.RELATIVE_AFTER.match(text, e, min(q.end, e + cues.CLAUSE))
            # A name alone opening a speech as a question echoes what was just said ('Richard?
            # What's his other name?'), it does not call on anyone.
            # So does one opening it with '!' or '.' where the speech before spoke of them (dev PDNC
            # all 16969 -> 16991 right, answered 83.09 -> 83.18%; with ',' too, 16993 but implicit down 1).
            echo = s == q.start and (after == "?" or after in "!." and _echoed(ctx, q, cid))
            if addressed and not echo and after in (",", "!", "?", ".", ";", "-", "—", ":"):
                voc.append(cid)
            i += 1
    return tuple(voc)


def _echoed(ctx, q, cid: int) -> bool:
    """Whether the speech of the paragraph before `q`'s names `cid`: a speech opening on that name
    ('"Perhaps Mrs. Hale sent it." / "Mrs. Hale! I never thought of her."') takes it up, calling
    no one."""
    before = ctx.scan.in_paragraph(q.paragraph - 1) if q.paragraph else []
    return bool(before) and cid in named(ctx, before)


def _listed(text: str, s: int, e: int, q) -> bool:
    """Whether the name at s..e is an item of an address or a list read out ('13, Duncan Street,
    Houndsditch.'): no one addressed. A name said again ('Jane, Jane!') is still a call."""
    name = text[s:e]
    for m in (cues.LIST_ITEM_BEFORE.search(text, max(q.start, s - 60), s), cues.LIST_ITEM_AFTER.match(text, e, q.end)):
        if m and m.group("item") != name:
            return True
    return False


def told(ctx, quotes: list) -> tuple[int, ...]:
    """Whom the paragraph's narration says its speech is spoken to ('Brenda said to Allan'): an
    addressee like a name in the speech (dev PDNC all 15573 -> 15589 right)."""
    p = ctx.scan.paragraphs[quotes[0].paragraph]
    out = []
    for m in cues.TOLD.finditer(ctx.text, p.start, p.end):
        if any(q.start <= m.start() < q.end for q in quotes):
            continue
        hit = ctx.at.get(m.end())
        if hit is None:
            ep = cues.EPITHET.match(ctx.text, m.end(), p.end)
            hit = ctx.at.get(ep.end()) if ep else None
        if hit and hit[1] is not None:  # not 'said to my aunt' where the book never names her
            out.append(hit[1])
    return tuple(out)


def called_since(ctx, gender: str, start: int, pos: int, avoid: frozenset[int]) -> int | None:
    """The latest character of `gender` a speech in [start, pos) called by name (ctx.called: every
    turn's addressees, (its first quotation's start, character), sorted), not one in `avoid` (those
    the turn being decided cannot be); else None."""
    i = bisect.bisect_left(ctx.called, (pos, -1)) - 1
    while i >= 0 and ctx.called[i][0] >= start:
        cid = ctx.called[i][1]
        if cid not in avoid and ctx.cast.characters[cid].gender == gender:
            return cid
        i -= 1
    return None
