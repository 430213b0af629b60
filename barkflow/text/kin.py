"""Speakers named by kinship in shapes the speech verbs miss, and the family of one known by a
first name only. A reader takes '"...," advised his wife' (any past verb, inverted before the kin,
closing its clause) and '"...," was her father's advice' for tags as plainly as 'said his wife'.
And a girl the book calls 'Nell' but once gives in full ('Nell May') shares her parents' surname:
'her mother' is the one married woman of that name. Patterns only, each matched at one place, and
the full names counted in one pass over the text: linear."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import regex

from barkflow.text import cues

# Matched where a tail tag's words start (after the quotation's closing mark). Groups 1 and 2 are
# cues.KIN's possessive and relation in either branch. Not 'followed his wife into the room' (the
# kin must close its clause), nor 'asked his wife's sister' (someone of hers).
INVERTED = regex.compile(rf"(?|\p{{Ll}}{{2,}}ed\s+(?:\p{{Ll}}+ly\s+)?{cues.KIN}(?!['’]s)(?=\s*(?:[,.;:!?—-]|$))"
                         rf"|was\s+{cues.KIN}['’]s\s+\p{{Ll}}+)")
# A first name and the capitalised word after it: 'Nell May', 'Jo March'.
_FULL = regex.compile(r"\b(\p{Lu}\p{Ll}+)[ \t]+(\p{Lu}\p{Ll}+)\b(?!\.)")


class FullNames:
    """The surnames the text gives after each first name ('Nell May' -> Nell: {May}), counted once
    over the whole text, on first need."""

    def __init__(self, text: str):
        self.text = text
        self._after: dict[str, Counter] | None = None

    def surnames(self, first_names: set[str], family_names: set[str]) -> set[str]:
        """The family names (surnames of the cast) the text writes after any of `first_names`."""
        if self._after is None:
            self._after = defaultdict(Counter)
            for m in _FULL.finditer(self.text, overlapped=False):
                self._after[m.group(1)][m.group(2)] += 1
        return {s for f in first_names for s in self._after.get(f, ()) if s in family_names}

    def parent(self, characters: list, whose: int, relation: str, surnames: Callable) -> int | None:
        """'her mother' of one the cast knows by first name only ('Nell', once 'Nell May'): the one
        married woman, or the one man, who bears a surname the text gives her; else None."""
        firsts = {a for a in characters[whose].aliases if " " not in a}
        names = self.surnames(firsts, {n for c in characters for n in surnames(c)})
        gender = cues.KIN_WORDS[relation]
        # 'Uncle March' is titled by another relation than a parent's.
        kin = [c for c in characters if c.gender == gender and c.id != whose and surnames(c) & names
               and not all(a.startswith(("Uncle ", "Aunt ", "Cousin ")) for a in c.aliases)
               and (gender == "M" or any(a.startswith(cues.MARRIED) for a in c.aliases))]
        return kin[0].id if len(kin) == 1 else None
