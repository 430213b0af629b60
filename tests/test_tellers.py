"""barkflow.text.tellers: another 'I' telling a stretch of a first-person book (a journal inside
the narrator's story), on passages written for these tests."""

from __future__ import annotations

from barkflow.text.attribution import attribute

FRAME = ('Mary Vane came to the gate at noon, and Mary looked tired.\n\n"Good morning, Tom," said Mary.\n\n'
         '"Good morning," said I.\n\n"Will it rain, Tom?"\n\n"Not today," said I.\n\n')
JOURNAL = ('Ned sat by the hearth with his book.\n\n"Are you cold, Mary?" said Ned.\n\n"A little," said I.\n\n'
           '"Then sit nearer the fire, Mary."\n\n"I will," said I.\n\n')


def said_i(text: str) -> list[str | None]:
    """The speaker of each quotation tagged 'said I', by name."""
    result = attribute(text)
    return [None if q.speaker is None else result.characters[q.speaker].name
            for q in result.quotations if text[q.end - 1:q.end + 8] == ',"' + " said I"]


def test_a_journal_inside_the_narrators_story_is_its_writers_telling():
    """Mary, whom the narrator talks with and the narration names, keeps a journal where she says
    'I' and Ned calls her Mary: its 'said I' is hers, the story around it the narrator's."""
    text = FRAME * 12 + "CHAPTER IX\n\nMARY'S JOURNAL\n\n" + JOURNAL * 12 + "CHAPTER XX\n\n" + FRAME * 12
    assert said_i(text) == ["Tom"] * 24 + ["Mary"] * 24 + ["Tom"] * 24


def test_the_narrators_second_name_is_no_other_teller():
    """Called 'Davy' as a boy and 'Copperfield' as a man, in stretches, by people who never hear
    another name for him and whom the narration never names otherwise: one narrator throughout."""
    young = ('Aunt Bet looked up from her sewing.\n\n"Davy, come here," said Aunt Bet.\n\n"Yes, aunt," said I.\n\n'
             '"Did you feed the hens, Davy?"\n\n"I did," said I.\n\n')
    grown = ('Steer leaned on the rail.\n\n"Well, Copperfield," said Steer.\n\n"Well," said I.\n\n'
             '"Dine with me, Copperfield?"\n\n"Gladly," said I.\n\n')
    text = young * 12 + "CHAPTER XX\n\n" + grown * 12
    assert len(set(said_i(text))) == 1


def test_a_telling_begins_at_the_heading_that_parts_its_tellers_namings():
    """Before the calls that mark Mary's journal come quiet pages of it ('"Shut the door," said I'),
    after the chapter heading that opens it; her name once in its narration does not move its
    start past them: the heading after which the narration stops naming her is where it begins."""
    musing = 'I walked by the river and thought of Mary.\n\n"It is cold," said I.\n\n'
    quiet = 'The wind rose in the night.\n\n"Shut the door," said I.\n\n'
    stray = "Ned laughed at Mary for it.\n\n"
    text = (FRAME * 12 + "CHAPTER VIII\n\n" + musing * 3 + "CHAPTER IX\n\nMARY'S JOURNAL\n\n" + quiet * 5 + stray
            + quiet + JOURNAL * 12 + "CHAPTER XX\n\n" + FRAME * 12)
    assert said_i(text)[24:24 + 3 + 6] == ["Tom"] * 3 + ["Mary"] * 6


def test_a_journal_novels_heads_say_who_writes_each_part():
    """'TOM HALE'S JOURNAL', then 'MARY VANE'S JOURNAL': a book of journals names the writer at the
    head of each part, and each part's 'said I' is its writer's, though no one there calls them."""
    tom = ("TOM HALE'S JOURNAL\n\nMary Vane came by the yard at noon.\n\n"
           + 'Rain all day.\n\n"The boat is sound," said I.\n\n"Sound enough," said Ned.\n\n' * 6)
    mary = ("MARY VANE'S JOURNAL\n\nTom Hale has gone to the yard again.\n\n"
            + 'A quiet morning.\n\n"Ned is out," said I.\n\n"Gone to the boat," said Tom.\n\n' * 6)
    writers = said_i(tom + mary + tom + mary)
    assert [w and w.split()[0] for w in writers] == ["Tom"] * 6 + ["Mary"] * 6 + ["Tom"] * 6 + ["Mary"] * 6
