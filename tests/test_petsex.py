"""A pet name's sex from the table gives way to the book's own pronouns (petsex.py)."""

from __future__ import annotations

from barkflow.text.attribution import attribute
from barkflow.text.characters import find_characters
from barkflow.text.petsex import pet_sex, sentence_votes

# Jacky, by the table a pet name for John, is a woman here: the sentences she opens say so.
_JACKY = ("Leonard Hale came home late from the office, and Leonard was tired.\n\n"
          "Jacky sat up when the door opened. Jacky pushed her hair back from her face. "
          "Jacky was glad, though she would not say it. Jacky rose and went to her mirror, "
          "and Leonard watched her with Jacky beside him as he took his coat off.\n\n"
          '"You are late again," said Jacky.\n\n"The office kept me," said Leonard.\n\n'
          "Leonard sat down by the fire. Jacky stood at the window and drew her shawl close.\n\n"
          '"It always keeps you," she said.\n\n')


def _gender(text: str, name: str) -> str:
    return next(c.gender for c in find_characters(text).characters if c.name == name)


def test_a_pet_name_takes_the_sex_the_sentences_it_opens_give():
    assert _gender(_JACKY, "Jacky") == "F"
    result = attribute(_JACKY)
    assert [result.speaker_name(q) for q in result.quotations][-1] == "Jacky"


def test_a_few_crossing_pronouns_leave_the_table_sex():
    text = "Jacky came in. Jacky saw her friend at the door. Jacky sat down.\n\n"
    assert sentence_votes(text, [(0, 5), (15, 20)]) == (0, 1)
    assert pet_sex("Jacky", "M", text, [(0, 5), (15, 20)]) == "M"


def test_a_formal_name_keeps_its_sex_whatever_follows():
    text = "Henry met her. " * 6
    spans = [(i * 15, i * 15 + 5) for i in range(6)]
    assert sentence_votes(text, spans) == (0, 6)
    assert pet_sex("Henry", "M", text, spans) == "M"
    assert pet_sex("Jacky", "M", text.replace("Henry", "Jacky"), spans) == "F"


def test_charlie_is_no_womans_name_alone():
    """'Charlie' is Charles's pet name as well as Charlotte's: no sex by the table, the census's
    man where the pronouns say nothing, and one with 'Charles Dunn' where the book names both."""
    text = ('"Are you coming?" said Charlie.\n\n"Not yet," said Anne Dunn.\n\n'
            '"Then I shall go alone," said Charlie.\n\nCharles Dunn was waiting at the gate.\n\n'
            '"There you are," said Charles Dunn.\n\n')
    cast = find_characters(text).characters
    charlie = next(c for c in cast if "Charlie" in c.aliases)
    assert charlie.gender == "M" and "Charles Dunn" in charlie.aliases
