"""Whether the narration takes up someone named as no subject as the one it goes on about: 'she
found Nicholas already home from his work', 'she said to Lord Steyne. He thought a trap had been
laid', 'It was not in Miss Thorne's heart to insult her own guests', 'The glance was not lost upon
Katharine. "...," she remarked': a pronoun of that sex after the only one of that sex named in the
sentence so far is theirs, and so is a tag's 'he' or 'she' after it, or that tag's own, not an
older subject's (attribution.py's _Context.resolve)."""

from __future__ import annotations

import bisect

import regex

from barkflow.text import cues

# Any word of that sex: ahead of the mention in its own sentence, someone else it could be; after
# it, the narration going on about the one named.
_SEXED_WORDS = {"M": regex.compile(r"\b(?:[Hh]e|[Hh]is|[Hh]im|[Hh]imself)\b"),
                "F": regex.compile(r"\b(?:[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b")}
# A sentence's start: after a stop that ends no title ('Mr. Thornton'), or a blank line.
_SENTENCE_START = regex.compile(rf"(?:(?<!\b(?:{cues.TITLE_STOPS}))[.!?][\"'”’)]*\s+|\n\s*\n)"
                                rf"(?=(?:[^.!?]|(?<=\b(?:{cues.TITLE_STOPS}))\.)*$)")
# A mention joined to another ('Marilla and Matthew adopting a boy!'): no one a 'he' or 'she' takes
# up. Not to the narrator ('either for Holmes or myself. His quiet manner'), whom no 'he' names.
_JOINED = regex.compile(r"\s+(?:and|or)\s(?!\s*(?:I|me|myself)\b)")
# A sentence opening with a phrase ahead of its subject ('Beside Mr. Bell the old dog lay ...'): the
# name is in the phrase, the sentence is about someone or something after it.
_FRONTED = regex.compile(r"[\W_]*\p{Lu}\p{Ll}+\s+(?:\p{Lu}\p{Ll}*\.?\s+)?")
# A stop or a quotation mark: the tag's pronoun in a later sentence than the name, not one whose
# subject it is and the name in a phrase ahead of it ('Leaning toward Paul he grunted, "..."').
_BREAK = regex.compile(r"[.!?;\"“”]|\n\s*\n")
# How far back the mention's sentence may start, and how far on the pronoun taking it up may come.
_REACH = 300


def taken_up(ctx, at: int, end: int, pos: int, gender: str) -> bool:
    """Whether the mention at [at, end), the only one of `gender` in its sentence so far and not
    joined to another, is taken up by a pronoun of that sex in the narration up to the tag's own at
    `pos`, within _REACH: 'The glance was not lost upon Katharine. "...," she remarked.'"""
    text = ctx.text
    head = _SENTENCE_START.search(text, max(0, at - _REACH), at)
    if head is None:
        # The sentence starts further back than _REACH: someone of that sex may head it ('She had long
        # given up ..., which was all that was left to the family of Miss Vane'), unseen (dev PDNC
        # all 16862 -> 16864 right, anaphoric 3635 -> 3637).
        return False
    start = head.end()
    if _SEXED_WORDS[gender].search(text, start, at) or _named(ctx, start, at, gender) \
            or _JOINED.match(text, end, end + cues.AHEAD):
        return False
    # The tag's own pronoun takes one up too ('lost upon Katharine. "...," she'), but not one in a
    # phrase ahead of the sentence's own subject ('Beside Mr. Bell the old dog lay ...').
    own_counts = not _FRONTED.fullmatch(text, start, at) and _BREAK.search(text, end, pos) is not None
    return any((m.start() <= pos if own_counts else m.end() < pos) and not ctx.quoted(m.start())
               for m in _SEXED_WORDS[gender].finditer(text, end, min(pos + 3, end + _REACH)))


def _named(ctx, start: int, end: int, gender: str) -> bool:
    """Whether the narration in [start, end) names someone of `gender`."""
    i = bisect.bisect_left(ctx.event_pos, start)
    while i < len(ctx.events) and ctx.event_pos[i] < end:
        if ctx.cast.characters[ctx.events[i][1]].gender == gender:
            return True
        i += 1
    return False
