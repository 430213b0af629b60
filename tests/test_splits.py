"""One person split across two cast entries (joins.py): each test a passage written for it."""

from __future__ import annotations

from barkflow.text.characters import find_characters


def owner(cast, alias: str):
    found = [c for c in cast.characters if alias in c.aliases]
    return found[0].id if len(found) == 1 else None


def test_mr_and_surname_is_the_man_named_in_full_beside_a_stray_full_name():
    """'Mr. Thorne' and bare 'Thorne' are Michael Thorne, the one man the book names in full with
    the surname, however a single stray 'Barnsby Thorne' (a sentence run on) leaves its sex unknown;
    his wife Susan Thorne is a woman, and 'Miss Thorne' stays no one's but her own."""
    text = ("Michael Thorne came in. Thorne sat down. Mr. Thorne spoke. Michael Thorne laughed. "
            "Susan Thorne was there. Susan Thorne smiled. Thorne was quiet. Mr. Thorne rose. "
            "Michael Thorne left. Thorne came back. They rode to Barnsby. All of Barnsby slept. At last Barnsby Thorne was quiet. Mr. Thorne said no. "
            "Michael looked up. Susan nodded. Thorne went on.")
    cast = find_characters(text)
    michael = owner(cast, "Michael Thorne")
    assert michael is not None
    assert owner(cast, "Mr. Thorne") == michael
    assert owner(cast, "Thorne") == michael
    assert owner(cast, "Susan Thorne") != michael

