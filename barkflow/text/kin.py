"""Speakers named by kinship in shapes the speech verbs miss, and the family of one known by a
first name only. A reader takes '"...," advised his wife' (any past verb, inverted before the kin,
closing its clause) and '"...," was her father's advice' for tags as plainly as 'said his wife'.
And a girl the book calls 'Nell' but once gives in full ('Nell May') shares her parents' surname:
'her mother' is the one married woman of that name. Patterns only, each matched at one place, and
the full names counted in one pass over the text: linear."""

from __future__ import annotations

from collections import Counter, defaultdict

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

    def parent(self, characters: list, whose: int, relation: str) -> int | None:
        """'her mother' of one the cast knows by first name only ('Nell', once 'Nell May'): the one
        married woman, or the one man, who bears a surname the text gives her; else None."""
        firsts = {a for a in characters[whose].aliases if " " not in a}
        names = self.surnames(firsts, {n for c in characters for n in _surnames(c)})
        gender = cues.KIN_WORDS[relation]
        # 'Uncle March' is titled by another relation than a parent's.
        kin = [c for c in characters if c.gender == gender and c.id != whose and _surnames(c) & names
               and not all(a.startswith(("Uncle ", "Aunt ", "Cousin ")) for a in c.aliases)
               and (gender == "M" or _married(c))]
        return kin[0].id if len(kin) == 1 else None


def kin_named(ctx, possessive: str, relation: str, pos: int) -> int | None:
    """'her father' at `pos` in attribution's context `ctx`: the character of the relation's gender
    who shares the surname of the one 'her' stands for (Emma Woodhouse's father is Mr. Woodhouse),
    the most named."""
    gender = "M" if possessive.lower() == "his" else "F"
    # '"Louisa," said her father': the one the speech addresses by name is whose kin speaks
    # first, then the one the pronoun stands for ('"Mr. Beebe?" said his mother' is Freddy's)
    # (dev PDNC all 15725 -> 15728 -> 15740 right).
    owners = [cid for cid in ctx.avoid if ctx.cast.characters[cid].gender == gender]
    owners.append(ctx.resolve("he" if gender == "M" else "she", pos)[0])
    for whose in owners:
        found = _kin_of(ctx, whose, relation) if whose is not None else None
        if found is not None:
            return found
    return None

def _kin_of(ctx, whose: int, relation: str) -> int | None:
    owner = ctx.cast.characters[whose]
    if relation == "father" and _married(owner):
        # Mrs. Sparsit's name is her husband's: Mr. Sparsit is no father of hers.
        return None
    names = _surnames(owner)
    family = [c for c in ctx.cast.characters if c.gender == cues.KIN_WORDS[relation] and _surnames(c) & names]
    # A mother or wife is the family's married woman ('Mrs. Gale', 'Lady Gale'), not a
    # daughter named more often; 'her mother' is her even where 'her' seemed to be herself
    # (dev PDNC all 15728 -> 15737 right).
    married = [c for c in family if cues.KIN_WORDS[relation] == "F" and _married(c)]
    family = married if cues.KIN_WORDS[relation] == "F" else family
    kin = [c for c in family if c.id != whose] or (married if relation == "mother" else [])
    if not kin and relation in ("mother", "father"):
        return ctx.full_names.parent(ctx.cast.characters, whose, relation)
    return max(kin, key=lambda c: c.mentions).id if kin else None


def _surnames(character) -> set[str]:
    """The last words of a character's names of two words or more: Mrs. Gradgrind -> Gradgrind."""
    return {a.split()[-1] for a in character.aliases if len(a.split()) > 1}


def _married(character) -> bool:
    """Whether a character is named as a wife ('Mrs. Gale', 'Lady Gale'): her surname is her husband's."""
    return any(a.startswith(cues.MARRIED) for a in character.aliases)
