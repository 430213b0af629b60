"""Pet names of two formal names, and a 'Miss Surname' told apart (characters.py, givennames.py):
passages written for these tests."""

from __future__ import annotations

from barkflow.text import givennames
from barkflow.text.characters import find_characters


def _owner(cast, alias: str):
    (c,) = [c for c in cast.characters if alias in c.aliases]
    return c


def test_a_pet_name_of_two_formal_names_tells_no_sex_and_joins_either():
    """'Matty' stands for Matilda or Matthew: Miss Matty is Miss Matilda Dunn, a woman, and so is bare
    'Matty', though the book has a Mr. Dunn (her father: no Mr. is she). 'Emmy' is Amelia."""
    assert givennames.PET["Matty"][1] == "?" and givennames.familiar("Matty", "Matilda")
    text = ("Then Miss Matilda Dunn came. Then Miss Matilda Dunn sat. Then Miss Matty Dunn rose. Then Miss "
            "Matty smiled, and Miss Matty sang. Then Matty wept, and Matty slept. Then Mr. Dunn read, and "
            "Mr. Dunn wrote. Then Amelia Vane ran, and Amelia Vane fell. Then Emmy laughed, and Emmy ate.")
    cast = find_characters(text)
    matty = _owner(cast, "Miss Matty")
    assert {"Matty", "Miss Matilda Dunn", "Miss Matty Dunn"} <= set(matty.aliases) and matty.gender == "F"
    assert "Mr. Dunn" not in matty.aliases
    assert "Emmy" in _owner(cast, "Amelia Vane").aliases


def test_miss_surname_told_apart_is_no_one_of_unknown_sex():
    """Where the book names Miss Matilda Dunn in full to tell her from Miss Dunn, her sister, 'Miss
    Dunn' is not 'Ozzo Dunn', of no known sex (her brother, by a nickname)."""
    text = ("Then Miss Matilda Dunn came. Then Miss Matilda Dunn sat. Then Miss Matilda Dunn rose. Then "
            "Ozzo Dunn ran, and Ozzo Dunn fell. Then Miss Dunn frowned, and Miss Dunn spoke.")
    cast = find_characters(text)
    assert "Miss Dunn" not in _owner(cast, "Ozzo Dunn").aliases
