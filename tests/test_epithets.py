"""barkflow.text.epithets: a name an epithet opens, on passages written for these tests."""

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
