"""A character's sex from the pronouns the book puts after their name, and where those overrule
a pet name's.

A pet name tells a sex by the table (givennames.PET: Jacky is John's, Charlie Charlotte's), but
nicknames cross over: Jacky may be a woman, Charlie a boy, Tony a girl. The book's own pronouns
then say otherwise, though the plain count after every mention (pronoun_votes) is too noisy to
trust against the table: after a name in speech or in another's sentence comes whoever is spoken
of next. Counted only after a name that opens a sentence, up to that sentence's end ('Jacky
opened her eyes', 'Charlie pulled his cap down'), the pronoun is mostly the name's own.
"""

from __future__ import annotations

import regex

from barkflow.text.givennames import FORMAL_GENDER, PET

_PRONOUN = regex.compile(r"\b(?:(he|him|his|himself)|(she|her|hers|herself))\b", regex.I)
_SENTENCE_START = regex.compile(r"(?:^|[.!?]\s+|\n\s*)$")
_SENTENCE_END = regex.compile(r"[.!?;:\"“”]")


def pronoun_votes(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(he, she) counts for the first pronoun in the 80 characters after each mention."""
    he = she = 0
    for _, end in spans[:400]:
        m = _PRONOUN.search(text, end, min(len(text), end + 80))
        if m:
            if m.group(1):
                he += 1
            else:
                she += 1
    return he, she


def sentence_votes(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(he, she) counts for the first pronoun in the sentence each mention opens, if any."""
    he = she = 0
    for start, end in spans[:400]:
        if not _SENTENCE_START.search(text, max(0, start - 4), start):
            continue
        stop = _SENTENCE_END.search(text, end, min(len(text), end + 120))
        m = _PRONOUN.search(text, end, stop.start() if stop else min(len(text), end + 120))
        if m:
            he, she = (he + 1, she) if m.group(1) else (he, she + 1)
    return he, she


def pet_sex(first: str | None, gender: str, text: str, spans: list[tuple[int, int]]) -> str:
    """`gender`, the sex a pet name `first` gave, unless the sentences it opens say the other one
    plainly (at least 3 and more than twice the pronouns of its own sex, plus 3). Formal names
    (Henry, Evelyn) keep theirs: the census there outweighs the book's crossing pronouns."""
    if gender not in ("M", "F") or first not in PET or first in FORMAL_GENDER:
        return gender
    he, she = sentence_votes(text, spans)
    own, other = (he, she) if gender == "M" else (she, he)
    return ("F" if gender == "M" else "M") if other >= 2 * own + 3 else gender
