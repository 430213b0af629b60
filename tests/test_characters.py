"""barkflow.text.characters: a book's cast from short passages written for these tests."""

from __future__ import annotations

from barkflow.text.characters import find_characters


def aliases(text: str) -> set[str]:
    return {a for c in find_characters(text).characters for a in c.aliases}


def test_a_sentence_opener_before_several_names_is_not_a_given_name():
    """'Presently Tony said' opens sentences before whichever name comes next: unlike Rose before
    Maylie, it is not a first name, and 'Presently Tony' is not a character."""
    text = ("Tony Last and Milly Blake sat down. Tony looked up. Milly smiled. Presently Tony said "
            "nothing. Presently Milly laughed. Presently Tony rose. Presently Milly rose too.")
    found = aliases(text)
    assert "Tony" in found and "Milly" in found
    assert not any(a.startswith("Presently") for a in found)
