"""Whether the narration takes up someone named as no subject as the one it goes on about: 'she
found Nicholas already home from his work', 'she said to Lord Steyne. He thought a trap had been
laid', 'It was not in Miss Thorne's heart to insult her own guests': a pronoun of that sex right
after the only one of that sex named in the sentence is theirs, so a tag's 'he' or 'she' after it
is theirs too, not an older subject's (attribution.py's _Context.resolve)."""

from __future__ import annotations

import bisect

import regex

# Any word of that sex: ahead of the mention in its own sentence, someone else it could be; after
# it, the narration going on about the one named.
_SEXED_WORDS = {"M": regex.compile(r"\b(?:[Hh]e|[Hh]is|[Hh]im|[Hh]imself)\b"),
                "F": regex.compile(r"\b(?:[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b")}
_SENTENCE_START = regex.compile(r"(?:[.!?][\"'”’)]*\s+|\n\s*\n)(?=[^.!?]*$)")
# A mention joined to another ('Marilla and Matthew adopting a boy!'): no one a 'he' or 'she' takes up.
_JOINED = regex.compile(r"\s+(?:and|or)\s")
# How far back the mention's sentence may start, and how far on the pronoun taking it up may come.
_REACH = 300


def taken_up(ctx, at: int, end: int, pos: int, gender: str) -> bool:
    """Whether the mention at [at, end), the only one of `gender` in its sentence so far and not
    joined to another, is taken up by a pronoun of that sex in the narration before `pos` (not the
    tag's own pronoun, which may end at `pos`: 'She put her hand to it, "..."')."""
    text = ctx.text
    head = _SENTENCE_START.search(text, max(0, at - _REACH), at)
    start = head.end() if head else max(0, at - _REACH)
    if _SEXED_WORDS[gender].search(text, start, at) or _named(ctx, start, at, gender) \
            or _JOINED.match(text, end):
        return False
    return any(m.end() < pos and not ctx.quoted(m.start())
               for m in _SEXED_WORDS[gender].finditer(text, end, min(pos, end + _REACH)))


def _named(ctx, start: int, end: int, gender: str) -> bool:
    """Whether the narration in [start, end) names someone of `gender`."""
    i = bisect.bisect_left(ctx.event_pos, start)
    while i < len(ctx.events) and ctx.event_pos[i] < end:
        if ctx.cast.characters[ctx.events[i][1]].gender == gender:
            return True
        i += 1
    return False
