"""barkflow.text.epithets: a name an epithet opens, and a capitalised description as a name, on
passages written for these tests."""

from __future__ import annotations

from barkflow.text.characters import find_characters


def test_an_epithet_the_narration_tags_speeches_with_is_part_of_the_name():
    """'Little Wren' is the daughter the narration tags by that name, not her father Mr. Wren, where
    the family's others are named in full too (Tom Wren, Fanny Wren): Mr. Wren is none of them."""
    text = ('Mr. Wren mended chairs, and Fanny Wren sewed. Then Tom Wren and Fanny Wren went out, and Tom Wren '
            'came back. "Is it done?" said Little Wren. "Nearly," said Mr. Wren, and Mr. Wren '
            'sighed. "Then I will wait," said Little Wren, and she sat down. "Go to bed," said Mr. Wren. '
            '"Not yet," said Little Wren, and she smiled at him.')
    cast = find_characters(text).characters
    daughter = next(c for c in cast if "Little Wren" in c.aliases)
    father = next(c for c in cast if "Mr. Wren" in c.aliases)
    assert daughter.id != father.id and daughter.gender == "F"


def test_an_epithet_said_only_in_speech_is_not_part_of_the_name():
    """'Old Wren' only in what people say stays a way of speaking of Mr. Wren."""
    text = ('Mr. Wren mended chairs. "Old Wren is slow," Tom told Ann. "Old Wren is kind," said Ann. '
            '"Old Wren will finish," said Tom. Mr. Wren nodded, and Mr. Wren went on working.')
    assert not any(a.startswith("Old") for c in find_characters(text).characters for a in c.aliases)


def test_a_capitalised_description_is_the_name_a_person_goes_by():
    """'the Medical Man', 'the Very Young Man' (The Time Machine): 'Man' is mostly a lower-case word,
    but a description the book writes capitalised is the name its reader knows the person by, with
    the sex its noun gives; not 'Medical', nor 'Very' from 'Very soon I left.'"""
    text = ("'But,' said the Medical Man, staring at the fire. 'Not so,' said the Very Young Man.\n\n"
            "The Medical Man rose. 'Well,' said the Very Young Man. 'No,' said the Medical Man.\n\n"
            "A man came in, and the man sat down. Very soon I left. The Very Young Man followed me.\n\n"
            "'Good night,' said the Medical Man.\n")
    cast = {c.name: c for c in find_characters(text).characters}
    assert {"Medical Man", "Very Young Man"} <= set(cast)
    assert cast["Medical Man"].gender == cast["Very Young Man"].gender == "M"
    assert not {"Medical", "Very", "Man"} & set(cast)


def test_a_description_said_twice_is_no_name():
    """'the Old Man' twice is a phrase, not someone's name: no cast entry joins its words."""
    text = ("Tom Hale looked at the Old Man of the hills. 'Yes,' said Tom. Tom went up to the Old Man again.\n\n"
            "'Tom!' said Ann Hale. Ann smiled at Tom. A man passed, and the man was old; no man spoke.\n")
    assert all("Man" not in c.name for c in find_characters(text).characters)

