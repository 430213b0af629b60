"""Forms of address in a cast (foreign.py, rankednames.py, read by characters.py): passages
written for these tests."""

from __future__ import annotations

from barkflow.text.attribution import attribute
from barkflow.text.characters import find_characters


def _owner(cast, alias: str):
    (c,) = [c for c in cast.characters if alias in c.aliases]
    return c


def _speakers(text: str) -> list[str | None]:
    result = attribute(text)
    return [None if q.speaker is None else result.characters[q.speaker].name for q in result.quotations]


def test_a_clipped_french_title_is_the_full_one():
    """'M. Dufour' is Monsieur Dufour, a man; 'Mme. Dufour' and 'Madame Dufour' are one woman."""
    text = ("M. Dufour opened the shop. Then M. Dufour sat. Mme. Dufour sighed, and Madame Dufour "
            "counted the coins. Mme Dufour slept.\n\n\"Close the door,\" said M. Dufour.\n\n"
            "\"It is closed,\" said Mme. Dufour.\n")
    cast = find_characters(text)
    man, woman = _owner(cast, "Monsieur Dufour"), _owner(cast, "Madame Dufour")
    assert man.gender == "M" and woman.gender == "F" and man is not woman
    assert not any(a.startswith(("M ", "Mme")) for c in cast.characters for a in c.aliases)
    assert _speakers(text) == ["Monsieur Dufour", "Madame Dufour"]


def test_an_initial_m_is_no_monsieur():
    """'J. M. Pike' has initials: 'M. Pike' there is no Monsieur Pike."""
    text = "J. M. Pike wrote to us. Then J. M. Pike came. Pike sat down, and Pike spoke.\n"
    assert not any("Monsieur" in a for c in find_characters(text).characters for a in c.aliases)


def test_a_name_elided_with_d_is_a_name():
    """'d’Aubrac' (lower-case d and an apostrophe) is a name: its tags are his."""
    text = ("Then d’Aubrac rode in. Then d’Aubrac laughed. Then Marcel saw him, and Marcel waved.\n\n"
            "“Good day,” said d’Aubrac.\n\n“Good day,” said Marcel.\n\n“We ride,” d’Aubrac said.\n")
    assert _speakers(text) == ["d’Aubrac", "Marcel", "d’Aubrac"]


def test_a_particle_after_a_title_leaves_the_surname():
    """'M. de Bréville', 'Monsieur de Bréville' and bare 'Bréville' are one man, shown with his
    particle; 'Lord de Walden' is no first name 'de'."""
    text = ("M. de Bréville bowed. Monsieur de Bréville smiled. Bréville sat. Bréville rose. Lord de "
            "Walden came. Lord de Walden went.\n\n\"Sit,\" said M. de Bréville.\n\n\"No,\" said Lord "
            "de Walden.\n")
    cast = find_characters(text)
    assert {"Monsieur de Bréville", "Bréville"} <= set(_owner(cast, "Monsieur de Bréville").aliases)
    assert _speakers(text) == ["Monsieur de Bréville", "Lord de Walden"]


def test_a_plural_title_is_no_first_name():
    """'Messieurs Gaston and Roche' address two men: 'Messieurs Gaston' is no third one, and
    'Monsieur Gaston' is Gaston."""
    text = ("Messieurs Gaston and Roche came. Messieurs Gaston and Roche sat. Gaston laughed. Gaston "
            "ate. Monsieur Gaston slept. Monsieur Gaston woke.\n")
    cast = find_characters(text)
    assert "Monsieur Gaston" in _owner(cast, "Gaston").aliases
    assert not any(a.startswith("Messieurs") for c in cast.characters for a in c.aliases)


def test_two_ranks_of_nobility_on_one_surname_are_two_men():
    """The Comte de Lavalle and the Vicomte de Lavalle, his son, are two men, though the book writes
    them after 'the' as it would an inn."""
    text = ("The Comte de Lavalle was old. The Comte de Lavalle slept. The Vicomte de Lavalle rode. "
            "The Vicomte de Lavalle laughed.\n")
    cast = find_characters(text)
    assert _owner(cast, "Comte de Lavalle") is not _owner(cast, "Vicomte de Lavalle")


def test_a_rank_before_a_first_name_is_no_one_the_book_never_gives_that_rank():
    """'Princess Clara' is a royal, no Clara Hobb, whom the book never titles so; 'Sir Roger' is the
    Sir Roger Vane the book names in full."""
    text = ("Clara Hobb sang. Clara Hobb laughed. Then Clara sat, and Clara ate. They toasted Princess "
            "Clara twice, and Princess Clara smiled. Sir Roger Vane rode by. Then Sir Roger waved, and "
            "Roger Vane went.\n")
    cast = find_characters(text)
    assert "Princess Clara" not in _owner(cast, "Clara Hobb").aliases
    assert "Sir Roger" in _owner(cast, "Sir Roger Vane").aliases


def test_the_same_rank_before_a_pet_name_is_the_same_person():
    """'Lord Tony' is 'Lord Antony Fenwick' (Antony spelt without an h), and so is bare 'Tony'."""
    text = ("Lord Antony Fenwick bowed. Then Lord Antony laughed, and Lord Antony sat. Then Lord Tony "
            "rose, and Lord Tony ran. Then Tony fell, and Tony rose.\n")
    cast = find_characters(text)
    assert {"Lord Tony", "Tony"} <= set(_owner(cast, "Lord Antony").aliases)


def test_one_woman_titled_in_two_tongues_is_one_woman():
    """'the Signora Bassi', whom the book writes after 'the' as it would an inn, is a woman, and
    'Madame Bassi' is she; 'Mrs. Orme' and 'Miss Orme' stay two."""
    text = ("The Signora Bassi sang. The Signora Bassi laughed, and the Signora Bassi sat. Then Madame "
            "Bassi rose, and Madame Bassi left. Then Mrs. Orme came, and Mrs. Orme spoke. Then Miss "
            "Orme ran, and Miss Orme fell.\n")
    cast = find_characters(text)
    assert "Madame Bassi" in _owner(cast, "Signora Bassi").aliases
    assert _owner(cast, "Mrs. Orme") is not _owner(cast, "Miss Orme")


def test_a_church_rank_is_a_title_and_its_tag_noun_names_the_one_bearer():
    """'Cardinal Mazarel' is a man the tags call 'the cardinal'; 'Archdeacon Grew' is Dr. Grew, not
    Bishop Grew, his father (two ranks on one surname)."""
    text = ("Cardinal Mazarel sat at his desk. Then Cardinal Mazarel smiled, and Mazarel rang. Paul bowed.\n\n"
            "\"You called?\" said Paul.\n\n\"I did,\" said the cardinal.\n\n"
            "Then Bishop Grew died. Dr. Grew wept, and Dr. Grew prayed. Then Archdeacon Grew rose, and "
            "Archdeacon Grew spoke.\n")
    cast = find_characters(text)
    assert _owner(cast, "Cardinal Mazarel").gender == "M"
    assert "Archdeacon Grew" in _owner(cast, "Dr. Grew").aliases
    assert _speakers(text)[-1] == "Cardinal Mazarel"


def test_a_foreign_rank_alone_is_its_one_bearer():
    """'the Comtesse' is the one Comtesse de Varenne, not a character 'Comtesse' of its own, and
    'Madame la Comtesse' names no one new; 'the Comtesse de Varenne' is her name, not 'the Comtesse'
    twice over."""
    text = ("The Comtesse de Varenne came in. Then the Comtesse de Varenne sat. Then the Comtesse rose, "
            "and the Comtesse spoke. Marcel bowed to Madame la Comtesse, and Madame la Comtesse smiled.\n\n"
            "\"Sit,\" said the Comtesse.\n")
    cast = find_characters(text)
    her = _owner(cast, "Comtesse de Varenne")
    assert "the Comtesse" in her.aliases and her.gender == "F"
    assert not any(a in ("Comtesse", "Madame Comtesse") for c in cast.characters for a in c.aliases)
    assert _speakers(text) == ["Comtesse de Varenne"]


def test_a_bare_first_name_is_not_the_lesser_one_only_named_after_a_rank():
    """Bare 'Hugh' is Hugh Bell, named oftener, not Sir Hugh Tarrant, whom the book only ever calls
    by 'Hugh' after his rank; 'Walden' is still Lord Walden, far the commoner."""
    text = " ".join(["Then Hugh Bell laughed."] * 8 + ["Then Sir Hugh Tarrant rode by, and Sir Hugh waved."] * 2
                    + ["Then Hugh sat."] * 4 + ["Then Lord Walden came."] * 10 + ["Then Walden Pike sang."] * 2
                    + ["Then Walden spoke."] * 3)
    cast = find_characters(text)
    assert "Hugh" in _owner(cast, "Hugh Bell").aliases
    assert "Walden" in _owner(cast, "Lord Walden").aliases


def test_a_middle_initial_m_after_a_given_name_is_no_monsieur():
    """'Henry M. Pike' has a middle initial: no Monsieur Pike; 'When M. Dufour came' is Monsieur."""
    text = ("Henry Pike wrote. Then Henry M. Pike came, and Henry M. Pike sat. When M. Dufour came, "
            "M. Dufour bowed.\n")
    names = {a for c in find_characters(text).characters for a in c.aliases}
    assert "Monsieur Pike" not in names and "Monsieur Dufour" in names


def test_a_rank_and_surname_is_the_one_named_in_full_with_that_rank():
    """'Major Hale' is Major Arthur Hale, though the book names him in full three times and more
    (Captain Arthur Hale, Major Arthur Hale); 'Mr. Hale' stays apart from Mr. Arthur Hale, named in
    full to tell him from his father."""
    text = ("Then Captain Arthur Hale rode. Then Major Arthur Hale rode. Then Major Arthur Hale sat. Then "
            "Mr. Arthur Hale wrote. Then Major Hale laughed, and Major Hale slept. Then Mr. Hale "
            "frowned, and Mr. Hale read.\n")
    cast = find_characters(text)
    arthur = _owner(cast, "Major Arthur Hale")
    assert "Major Hale" in arthur.aliases and "Mr. Hale" not in arthur.aliases
