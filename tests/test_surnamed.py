"""barkflow.text.surnamed: a bare surname a father and his son share, on passages written for these tests."""

from __future__ import annotations

from barkflow.text.characters import find_characters


def _owners(text: str, *names: str) -> list[int]:
    cast = find_characters(text).characters
    return [next(c.id for c in cast if name in c.aliases) for name in names]


def _story(son_tags: int) -> str:
    """Mr. Crane the miller and his son Walter ('Mr. Walter' to the maid): the narration tags the
    father 'said Crane' four times and the son 'said Walter' `son_tags` times (three or more)."""
    scenes = [
        'Mr. Walter Crane came home late. "Mr. Walter, your supper is cold," the maid told him.',
        'Mr. Walter Crane ate it. Mr. Walter Crane was the miller\'s son.',
        'Mr. Crane sat by the fire. "You are late again," said Crane, frowning.',
        '"The cart broke down," said Walter. "It was not my fault."',
        '"It never is," said Crane. Mr. Crane rose and went to the window.',
        '"I shall mend it in the morning," said Walter.',
        '"See that you do," said Crane. "The mill will not wait for you."',
        'Walter laughed. "Nor for you, father," said Walter.',
        '"Enough," said Crane, and Mr. Crane went up to bed.',
    ]
    extra = ['"Good night," said Walter, and Walter went out to the yard.'] * (son_tags - 3)
    return " ".join(scenes + extra)


def test_the_bare_surname_of_the_narrations_tags_is_the_father_where_the_son_is_tagged_by_first_name():
    text = _story(son_tags=14)
    crane, father, son = _owners(text, "Crane", "Mr. Crane", "Walter")
    assert crane == father != son


def test_the_bare_surname_stays_with_the_son_where_the_narration_tags_him_by_it_as_often():
    """A narrator who tags the son 'said Walter' not three times as often as 'said Crane' may mean
    either by the surname (the son, or his father): the merge's choice stands."""
    text = _story(son_tags=4)
    crane, father, son = _owners(text, "Crane", "Mr. Crane", "Walter")
    assert crane == son != father


def test_a_boy_called_master_before_his_first_name_is_not_the_mister_of_his_surname():
    """'Master Edwin Ware' is the son of the house, not the 'Mr. Ware' the merge took Master for
    another title of (as Dr. Aziz is Mr. Aziz)."""
    text = ('Mr. Ware came in from the fields. "Where is the boy?" asked Mr. Ware. Master Edwin Ware '
            'was hiding in the loft. "Master Edwin Ware, come down!" the cook called. Edwin Ware did not '
            'answer. Mr. Ware laughed. "He will come down for his supper," said Mr. Ware. Edwin Ware did.')
    father, son = _owners(text, "Mr. Ware", "Edwin Ware")
    assert father != son


def test_the_father_named_in_full_too_still_takes_the_bare_surname():
    """Mr. Crane is also 'John Crane', where his son is 'Master Walter Crane': a first name, but not
    the son's."""
    text = "John Crane owned the mill. John Crane was old. " + _story(son_tags=14).replace("Mr. Walter Crane", "Master Walter Crane")
    crane, father, full, son = _owners(text, "Crane", "Mr. Crane", "John Crane", "Walter")
    assert crane == father == full != son


def test_a_bare_surname_far_commoner_than_its_only_miss_is_a_character_of_its_own():
    """The maid the narration calls 'Rudd', whom a visitor once calls 'Miss Rudd': the bare surname
    is her name, not one a Miss and a Mrs. share and no one owns."""
    lines = ['"The kettle is on," said Rudd, and then Rudd went down.', 'At noon Rudd came back.']
    text = ('The visitor bowed. "Good day, Miss Rudd," he said. ' + " ".join(lines * 8)
            + ' Mrs. Rudd, her aunt, came in.')
    cast = find_characters(text).characters
    assert any(c.aliases == ("Rudd",) for c in cast)
