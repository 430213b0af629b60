"""Whether the narration takes up someone named as no subject as the one it goes on about: 'she
found Nicholas already home. He too seemed quieter.' or 'she said to Lord Steyne. He thought a trap
had been laid': the next sentence's 'He' is the man just named, the only man in his sentence, so a
tag's 'he' after it is his too, not an older subject's (attribution.py's _Context.resolve)."""

from __future__ import annotations

import bisect

import regex

# A sentence opening with a subject pronoun: after a stop (and a closing mark) or a blank line.
_OPENING_PRONOUN = regex.compile(r"(?:[.!?;:][\"'”’)]*\s+|\n\s*\n\s*)(He|She)\b")
# Any word of that sex ahead of the mention in its own sentence: someone else it could be.
_SEXED_WORDS = {"M": regex.compile(r"\b(?:[Hh]e|[Hh]is|[Hh]im|[Hh]imself)\b"),
                "F": regex.compile(r"\b(?:[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b")}
_SENTENCE_START = regex.compile(r"(?:[.!?][\"'”’)]*\s+|\n\s*\n)(?=[^.!?]*$)")
# A mention joined to another ('Marilla and Matthew adopting a boy!'): no one a 'he' or 'she' takes up.
_JOINED = regex.compile(r"\s+(?:and|or)\s")
# How far back the mention's sentence may start, and how far on the pronoun taking it up may come.
_REACH = 300


def taken_up(ctx, at: int, end: int, pos: int, gender: str) -> bool:
    """Whether the mention at [at, end), the only one of `gender` in its sentence and not joined
    to another, is taken up by a later sentence's own 'He'/'She' before `pos` in the narration."""
    text = ctx.text
    head = _SENTENCE_START.search(text, max(0, at - _REACH), at)
    start = head.end() if head else max(0, at - _REACH)
    if _SEXED_WORDS[gender].search(text, start, at) or _named(ctx, start, at, gender) \
            or _JOINED.match(text, end):
        return False
    word = "He" if gender == "M" else "She"
    # (not the tag's own pronoun, which may end at `pos`: 'She put her hand to it, "..."')
    return any(m.group(1) == word and m.end(1) < pos and not ctx.quoted(m.start(1))
               for m in _OPENING_PRONOUN.finditer(text, end, min(pos, end + _REACH)))


def _named(ctx, start: int, end: int, gender: str) -> bool:
    """Whether the narration in [start, end) names someone of `gender`."""
    i = bisect.bisect_left(ctx.event_pos, start)
    while i < len(ctx.events) and ctx.event_pos[i] < end:
        if ctx.cast.characters[ctx.events[i][1]].gender == gender:
            return True
        i += 1
    return False
