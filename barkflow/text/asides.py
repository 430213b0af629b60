"""A lead-in tag's speaker ahead of an aside set off by commas: 'Mr. Crawford, approaching Julia,
said,', 'At the same moment Mr. Crawford, ..., said,', 'Miss Crawford, who had been eyeing Dr. Grant
and Edmund, now observed,', 'Mr. Sowerberry, after several glances at his wife, said,'. The name or
kin just before the verb ends the aside; the speaker is the sentence's subject ahead of it (dev PDNC
all 16640 -> 16646 right, explicit 6927 -> 6930/7202). Takes the
attribution's context (ctx.text, ctx.at, ctx.events, ctx.event_pos, ctx.heads_clause)."""

from __future__ import annotations

import bisect

from barkflow.text import cues


def subject_ahead(ctx, s: int, verb: int, other: int | None) -> int | None:
    """The subject of the sentence [s, verb) whose narration ends in an aside's comma before the speech
    verb at `verb` ('..., said'): its first name, where it heads its clause or a comma follows it (the
    aside's opening), and is not `other` (the name ending the aside). None otherwise."""
    if not cues.CLAUSE_BEFORE_VERB.search(ctx.text, max(s, verb - 40), verb):
        return None
    i = bisect.bisect_left(ctx.event_pos, s)
    if i >= len(ctx.events) or ctx.event_pos[i] >= verb or ctx.events[i][1] == other:
        return None
    pos, cid = ctx.events[i]
    hit = ctx.at.get(pos)
    set_off = hit is not None and ctx.text[hit[0]:hit[0] + 1] == ","
    return cid if ctx.heads_clause(pos) or set_off else None
