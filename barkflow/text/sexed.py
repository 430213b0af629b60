"""Whom a speech addresses by a word carrying a sex rather than a name ('Yes, sir.', 'Oh, mother,
do come'): in a two-person exchange of a man and a woman, the speech is the other one's."""

from __future__ import annotations

import regex

# A word of address and the sex of the one it is spoken to.
ADDRESS_WORDS = {"sir": "M", "ma'am": "F", "ma’am": "F", "madam": "F", "mamma": "F", "mama": "F",
                 "mother": "F", "mummy": "F", "papa": "M", "father": "M", "daddy": "M"}
_WORDS = "|".join(regex.escape(w) for w in sorted(ADDRESS_WORDS, key=len, reverse=True))
# Set off as address: at the speech's start or after a comma, an exclamation or 'Oh', 'Yes', 'my'
# ..., and before a stop, a comma or a dash.
ADDRESS = regex.compile(rf"(?:^|[,!?;]\s*|\b(?:[Oo]h|[Yy]es|[Nn]o|[Dd]ear|[Mm]y)\s+)(?P<w>{_WORDS})"
                        r"(?=\s*(?:[,.!?;:]|--|—|$))", regex.I)


def addressed_sex(text: str, quotes: list) -> str | None:
    """The sex of the one a paragraph's speech addresses by such a word, where all such words agree."""
    found = {ADDRESS_WORDS[m.group("w").lower()] for q in quotes for m in ADDRESS.finditer(text, q.start, q.end)}
    return found.pop() if len(found) == 1 else None


def speaker_by_address(ctx, quotes: list, people: set[int]) -> int | None:
    """The one of a man and a woman who speaks a paragraph addressing the other by such a word."""
    sex = addressed_sex(ctx.text, quotes)
    if sex is None:
        return None
    sexes = [ctx.cast.characters[p].gender for p in people]
    if sorted(sexes) != ["F", "M"]:
        return None
    return next(p for p in people if ctx.cast.characters[p].gender != sex)
