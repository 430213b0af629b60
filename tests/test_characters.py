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


def test_a_title_alone_is_the_one_character_who_bears_it():
    """'the Major' in a book with one Major Callendar is him, not a second character."""
    text = ("Major Callendar came in. Major Callendar sat down. The Major smiled, and the Major "
            "spoke, and then the Major left with Mrs. Turton. Mrs. Turton stayed.")
    cast = find_characters(text)
    (major,) = [c for c in cast.characters if any("Major" in a for a in c.aliases)]
    assert "the Major" in major.aliases and major.mentions == 5


def test_a_title_alone_is_the_bearer_the_book_names_by_it_far_most():
    """'the Major' where Major Callendar is named so far more than a Major Roberts mentioned in
    passing is Callendar, not a character of its own."""
    text = " ".join(f"Major Callendar {verb}." for verb in "came sat rose frowned smiled left ran hid ate slept".split())
    text += " They spoke of Major Roberts, and Major Roberts was away. The Major smiled, the Major spoke, the Major left."
    cast = find_characters(text)
    (callendar,) = [c for c in cast.characters if "Major Callendar" in c.aliases]
    assert "the Major" in callendar.aliases
    assert not any(c.name == "the Major" for c in cast.characters)
