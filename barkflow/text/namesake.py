"""A name tag in a first-person book that names the narrator by a given name another character
also bears is that other character's.

'"...," said John' where the narrator, John Ridd, is 'I' in the narration and John Fry is also
John: the cast could not tell whose the bare 'John' is, and once the people answering the
narrator call them John, that entry became the narrator's. The narration would say 'I' for the
narrator; its 'John' is the one other character named in full with that given name, whose surname
is none of the narrator's ('John Fry', not 'John Ridd'), or the far commonest of them. Only there, so
a book that changes narrators ('said Betteredge' in another's part of The Moonstone) keeps its
tags: no one else is named Betteredge.

(dev PDNC unchanged, none told in the first person; hand-checked unchanged. Lorna Doone: 32 of
John Fry's tagged quotes, his long tale of the blacksmith among them, no longer the narrator's,
all right by reading; twenty other first-person books unchanged.)"""

from __future__ import annotations

from barkflow.text.turns import EXPLICIT

# Of several namesakes, the one named this many times as often as the next (John Fry, 127
# mentions, not John Odam, a farmer named in passing).
FAR = 3


def namesake(characters, cid: int, mine: set[int]) -> int | None:
    """The one character, not the narrator's, named in full with a one-word name of entry `cid`
    ('John Fry' for 'John') and a surname none of the narrator's names ends with."""
    given = {a for a in characters[cid].aliases if " " not in a and "." not in a}
    surnames = {a.split()[-1] for m in mine if m < len(characters) for a in characters[m].aliases if " " in a}
    others = sorted((c for c in characters if c.id not in mine and any(
        " " in a and a.split()[0] in given and a.split()[-1] not in surnames for a in c.aliases)),
        key=lambda c: -c.mentions)
    if not others or len(others) > 1 and others[0].mentions < FAR * others[1].mentions:
        return None
    return others[0].id


def give_name_tags_to_namesakes(turns: list, characters, me: int, mine: set[int]) -> None:
    """Turns a name tag gave to entry `me`, found to be the narrator, go to its namesake."""
    other = namesake(characters, me, mine)
    if other is None:
        return
    for turn in turns:
        if turn.speaker == me and turn.type == EXPLICIT:
            turn.speaker = other
        if turn.per_quote:
            turn.per_quote = [(other, *t[1:]) if t and t[0] == me and t[1] == EXPLICIT else t for t in turn.per_quote]
