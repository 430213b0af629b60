"""barkflow.text.narrator: who a first-person narrator is, from the names the people answering
them call them by (turns written for these tests)."""

from __future__ import annotations

from types import SimpleNamespace

from barkflow.text.characters import Cast, Character
from barkflow.text.narrator import name_the_narrator
from barkflow.text.turns import EXPLICIT, Turn


def _context(cast: Cast, events: list[tuple[int, int]], narrator: int) -> SimpleNamespace:
    """The attribution context name_the_narrator reads: a book of no text, no paragraphs and so no
    part heads, its narration's names at `events`."""
    return SimpleNamespace(cast=cast, events=events, narrator=narrator, text="", scan=SimpleNamespace(paragraphs=[]))


def _talk(calls: list[tuple[int, int]], narrator: int) -> list[Turn]:
    """Each (speaker, called) a speech calling someone, answered by the narrator's."""
    turns = []
    for speaker, called in calls:
        turns.append(Turn(len(turns), [], speaker=speaker, vocatives=(called,)))
        turns.append(Turn(len(turns), [], speaker=narrator))
    return turns


def test_the_casts_split_forms_of_the_narrators_name_are_one_vote():
    """Mr. Jarvis calls the narrator 'Esther' and Mrs. Bell 'Miss Summerson', and the cast holds the
    two forms apart: one name, called nine times, not two names of which none clearly leads."""
    cast = Cast([Character(0, "Esther", ("Esther", "Esther Summerson"), "F"),
                 Character(1, "Miss Summerson", ("Miss Summerson",), "F"),
                 Character(2, "Mr. Jarvis", ("Mr. Jarvis",), "M"),
                 Character(3, "Mrs. Bell", ("Mrs. Bell",), "F"),
                 Character(4, "the narrator", ("I",), narrator=True)])
    ctx = _context(cast, [(0, 2), (10, 3)], 4)
    turns = _talk([(2, 0)] * 5 + [(3, 1)] * 4, 4)
    name_the_narrator(turns, ctx, 4)
    assert ctx.narrator == 0
    assert [c.name for c in cast.characters if c.narrator] == ["Esther", "Miss Summerson"]


def test_a_relative_sharing_the_narrators_surname_is_not_the_narrator():
    """The narrator's uncle, Ebenezer Balfour, is named in the narration far more than he is
    called: sharing 'Balfour' with the narrator does not make his calls the narrator's."""
    cast = Cast([Character(0, "David", ("David", "David Balfour"), "M"),
                 Character(1, "Ebenezer", ("Ebenezer", "Ebenezer Balfour"), "M"),
                 Character(2, "Alan", ("Alan",), "M"),
                 Character(3, "the narrator", ("I",), narrator=True)])
    ctx = _context(cast, [(i, 1) for i in range(20)] + [(30, 2)], 3)
    turns = _talk([(2, 0)] * 9 + [(2, 1)] * 4, 3)
    name_the_narrator(turns, ctx, 3)
    assert ctx.narrator == 0
    assert [c.name for c in cast.characters if c.narrator] == ["David"]


def test_one_the_narrator_calls_more_than_they_are_called_is_not_the_narrator():
    """Notes from Underground: the narrator calls Liza by name seven times; three untagged speeches
    beside theirs (the narrator's own, not yet attributed) call her too. That is someone the
    narrator talks to, not 'I': the narrator stays unnamed and Liza keeps her own voice."""
    cast = Cast([Character(0, "Liza", ("Liza",), "F"),
                 Character(1, "Simonov", ("Simonov",), "M"),
                 Character(2, "the narrator", ("I",), narrator=True)])
    ctx = _context(cast, [(0, 0), (10, 1)], 2)
    turns = [Turn(0, [], speaker=2, vocatives=(0,))]
    for p in range(1, 7):
        turns.append(Turn(len(turns), [], speaker=2, vocatives=(0,)) if p % 2 == 0
                     else Turn(len(turns), [], speaker=None, vocatives=(0,)))
    name_the_narrator(turns, ctx, 2)
    assert ctx.narrator == 2
    assert [c.name for c in cast.characters if c.narrator] == ["the narrator"]


def test_the_narrators_name_called_beside_their_turns_wins_over_their_own_few_calls_of_it():
    """The Prisoner of Zenda: the narrator and the King are both Rudolf, so the narrator's own
    speeches call 'Rudolf' too; called more often beside them, it is still the narrator's name."""
    cast = Cast([Character(0, "Rudolf", ("Rudolf",), "M"),
                 Character(1, "Sapt", ("Sapt",), "M"),
                 Character(2, "the narrator", ("I",), narrator=True)])
    ctx = _context(cast, [(0, 1)], 2)
    turns = _talk([(1, 0)] * 5, 2)
    turns[1].vocatives = turns[3].vocatives = (0,)
    name_the_narrator(turns, ctx, 2)
    assert ctx.narrator == 0


def _apart(calls: list[tuple[int | None, int]], narrator: int) -> list[Turn]:
    """Each (speaker, called) a speech calling someone, three paragraphs from any 'said I' of the
    narrator's (one every ten paragraphs): no call sits beside the narrator's turns."""
    turns = [Turn(p, [], speaker=narrator, type=EXPLICIT) for p in range(0, 10 * len(calls), 10)]
    turns += [Turn(10 * i + 3, [], speaker=s, vocatives=(c,)) for i, (s, c) in enumerate(calls)]
    return sorted(turns, key=lambda t: t.paragraph)


def test_a_name_called_often_but_never_tagged_or_narrated_is_the_narrators():
    """The Great Gatsby: Daisy and Tom call the narrator 'Nick' again and again, but seldom right
    beside a 'said I'; no tag ever gives Nick a speech, and the narration says 'I'. He is Nick."""
    cast = Cast([Character(0, "Nick", ("Nick",), "M"), Character(1, "Daisy", ("Daisy",), "F"),
                 Character(2, "Tom", ("Tom",), "M"), Character(3, "the narrator", ("I",), narrator=True)])
    ctx = _context(cast, [(0, 1), (5, 2), (9, 1)], 3)
    turns = _apart([(1, 0), (2, 0)] * 5, 3)
    name_the_narrator(turns, ctx, 3)
    assert ctx.narrator == 0


def test_a_name_a_tag_gives_speeches_to_is_not_the_narrators():
    """Called as often, but 'said Tom' gives Tom speeches of his own: not the one who says 'I'."""
    cast = Cast([Character(0, "Nick", ("Nick",), "M"), Character(1, "Daisy", ("Daisy",), "F"),
                 Character(2, "Tom", ("Tom",), "M"), Character(3, "the narrator", ("I",), narrator=True)])
    ctx = _context(cast, [(0, 1), (5, 2), (9, 1)], 3)
    turns = _apart([(1, 2)] * 10, 3) + [Turn(200, [], speaker=2, type=EXPLICIT)]
    name_the_narrator(turns, ctx, 3)
    assert ctx.narrator == 3
