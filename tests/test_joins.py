"""Forms of one person the cast merge joins (joins.py): a surname after Lady, a pet name before a
surname whose Mr. is a third man, a first name after Uncle."""

from __future__ import annotations

from barkflow.text.characters import find_characters


def _owner(cast, alias: str):
    (c,) = [c for c in cast.characters if alias in c.aliases]
    return c


def test_a_word_after_lady_that_ends_full_names_is_a_surname():
    """'Lady Ormond' of a book naming Sir Giles Ormond and his wife Harriet Ormond in full: Ormond
    is a surname, so bare 'Ormond' is Sir Giles, not Lady Ormond read as a first name."""
    text = " ".join(["Then Sir Giles Ormond rode by."] * 4 + ["Then Harriet Ormond sang."] * 3
                    + ["Then Lady Ormond sighed."] * 9 + ["Then Ormond laughed."] * 5)
    cast = find_characters(text)
    assert "Ormond" in _owner(cast, "Sir Giles Ormond").aliases
    assert "Ormond" not in _owner(cast, "Lady Ormond").aliases


def test_a_pet_name_is_the_formal_one_where_the_mister_is_a_third_man():
    """'Jos Crane' is 'Joseph Crane' where the book's Mr. Crane is Mr. John Crane, their father;
    'Uncle Jos' is him too. 'Tom Pell' stays apart from 'Thomas Pell', who may be the Mr. Pell
    he is named for."""
    text = " ".join(["Then Mr. John Crane came."] * 2 + ["Then Mr. Crane sat."] * 4
                    + ["Then Mr. Joseph Crane rose."] * 3 + ["Then Joseph Crane ate."] * 3
                    + ["Then Jos Crane slept."] * 3 + ["Then Jos ran."] * 6 + ["Then Uncle Jos came."] * 2
                    + ["Then Thomas Pell came."] * 3 + ["Then Mr. Pell sat."] * 4 + ["Then Tom Pell ran."] * 3)
    cast = find_characters(text)
    jos = _owner(cast, "Joseph Crane")
    assert {"Jos", "Jos Crane", "Uncle Jos", "Mr. Joseph Crane"} <= set(jos.aliases)
    assert "Mr. Crane" not in jos.aliases
    assert "Tom Pell" not in _owner(cast, "Thomas Pell").aliases


def test_miss_and_a_surname_one_woman_bears_is_her_though_named_in_full():
    """'Miss Vane' is Harriet Vane, whom the book also calls 'Miss Harriet Vane': no other woman
    is a Vane. 'Miss Pole' beside 'Miss Matilda Pole' and a Mrs. Pole may be her sister: apart."""
    text = " ".join(["Then Miss Harriet Vane came."] * 3 + ["Then Miss Vane sat."] * 6
                    + ["Then Harriet laughed."] * 4 + ["Then Mr. Vane rose."] * 2
                    + ["Then Miss Matilda Pole came."] * 3 + ["Then Miss Matty wept."] * 6
                    + ["Then Miss Pole sat."] * 5 + ["Then Mrs. Pole slept."] * 2)
    cast = find_characters(text)
    assert "Miss Vane" in _owner(cast, "Harriet").aliases
    assert "Miss Pole" not in _owner(cast, "Miss Matilda Pole").aliases


def test_a_first_name_is_the_one_of_two_namesakes_the_book_calls_by_it_far_more():
    """'Rebecca' where Miss Rebecca Sharp (called 'Miss Sharp' mostly, 'Rebecca Sharp' often) and a
    Mrs. Rebecca Crawley (called 'Mrs. Crawley', once in full) are both named so: Rebecca Sharp,
    with her 'Miss Sharp', though both are called by surname five times as often as by first name."""
    text = " ".join(["Then Miss Rebecca Sharp came."] * 3 + ["Then Miss Sharp sat."] * 40
                    + ["Then Rebecca Sharp ran."] * 4 + ["Then Mrs. Rebecca Crawley bowed."]
                    + ["Then Mrs. Crawley sang."] * 12 + ["Then Rebecca laughed."] * 8)
    cast = find_characters(text)
    assert {"Rebecca", "Miss Sharp"} <= set(_owner(cast, "Rebecca Sharp").aliases)


def test_a_name_never_runs_over_a_blank_line():
    """A list of chapters or pictures, one title a paragraph: 'The Fall of Hobbs' then 'Carver
    Rides Out' is no 'Hobbs Carver'; a name broken at a line's end is still one ('Tom\\nHobbs')."""
    text = ("The Fall of Hobbs\n\nCarver rides out\n\nThen Hobbs came. Then Hobbs sat. Then Carver rose. "
            "Then Carver ran. Then Tom\nHobbs smiled. Then Tom Hobbs wept.")
    names = {a for c in find_characters(text).characters for a in c.aliases}
    assert "Hobbs Carver" not in names and "Tom Hobbs" in names


def test_a_bare_first_name_is_one_the_entry_already_wears():
    """'Mick' is Sir Michael Garrow, whom the book also calls 'Mick Garrow', not Michael Hart,
    named twice: the pet name's formal owner is titled by first name, its plain wearer is not."""
    text = " ".join(["Then Sir Michael Garrow came."] * 4 + ["Then Michael Garrow sat."] * 5
                    + ["Then Mick Garrow ran."] + ["Then Michael Hart came."] * 2 + ["Then Mick laughed."] * 6)
    cast = find_characters(text)
    assert "Mick" in _owner(cast, "Mick Garrow").aliases
    assert "Mick" not in _owner(cast, "Michael Hart").aliases


def test_a_wife_title_is_the_woman_named_in_full_under_it_and_her_maiden_name():
    """'Lady Tremayne' is Celia Tremayne, whom the book also names 'Celia Vallon' (her maiden
    name), so bare 'Celia' is her. 'Lady Ashby' is not Alice Ashby, named under no second surname:
    a daughter more likely."""
    text = " ".join(["Then Celia Tremayne came."] * 3 + ["Then Celia Vallon sang."] * 2
                    + ["Then Lady Tremayne sat."] * 8 + ["Then Sir Hugh Tremayne rose."] * 3
                    + ["Then Celia laughed."] * 20 + ["Then Alice Ashby came."] * 3
                    + ["Then Lady Ashby sat."] * 5 + ["Then Sir John Ashby rose."] * 3)
    cast = find_characters(text)
    assert {"Celia", "Lady Tremayne"} <= set(_owner(cast, "Celia Tremayne").aliases)
    assert "Lady Ashby" not in _owner(cast, "Alice Ashby").aliases
