"""One person split across two cast entries (joins.py): each test a passage written for it."""

from __future__ import annotations

from barkflow.text.characters import find_characters


def owner(cast, alias: str):
    found = [c for c in cast.characters if alias in c.aliases]
    return found[0].id if len(found) == 1 else None


def test_mr_and_surname_is_the_man_named_in_full_beside_a_stray_full_name():
    """'Mr. Thorne' and bare 'Thorne' are Michael Thorne, the one man the book names in full with
    the surname, however a single stray 'Barnsby Thorne' (a sentence run on) leaves its sex unknown;
    his wife Susan Thorne is a woman, and 'Miss Thorne' stays no one's but her own."""
    text = ("Michael Thorne came in. Thorne sat down. Mr. Thorne spoke. Michael Thorne laughed. "
            "Susan Thorne was there. Susan Thorne smiled. Thorne was quiet. Mr. Thorne rose. "
            "Michael Thorne left. Thorne came back. They rode to Barnsby. All of Barnsby slept. At last Barnsby Thorne was quiet. Mr. Thorne said no. "
            "Michael looked up. Susan nodded. Thorne went on.")
    cast = find_characters(text)
    michael = owner(cast, "Michael Thorne")
    assert michael is not None
    assert owner(cast, "Mr. Thorne") == michael
    assert owner(cast, "Thorne") == michael
    assert owner(cast, "Susan Thorne") != michael


def test_mr_and_surname_is_the_man_the_book_names_in_full_more_often():
    """'Mr. Vane' is Robert Vane where the book names him in full ('Robert Vane', 'Mr. Robert
    Vane') more often than 'Mr. Vane': the full name is how it calls him, not a way to tell him
    from another Mr. Vane; his uncle is only ever 'Sir Hugh Vane', a rank no Mr. wears, and the
    servants' 'Mr. Robert' is Robert himself."""
    text = ("Robert Vane sat down. Mr. Robert Vane rose. Robert Vane smiled. Sir Hugh Vane slept. "
            "Mr. Robert Vane spoke. Robert Vane left. Mr. Vane returned. Alicia Vane laughed. "
            "Mr. Robert Vane wrote. Robert Vane read. Robert walked. Mr. Vane waited. Sir Hugh Vane woke. "
            "Alicia Vane sang. Mr. Robert came in. Robert Vane went out. Mr. Robert was late. Robert sighed.")
    cast = find_characters(text)
    robert = owner(cast, "Robert Vane")
    assert robert is not None
    assert owner(cast, "Mr. Vane") == robert
    assert owner(cast, "Sir Hugh Vane") != robert


def test_mr_and_surname_is_a_man_named_in_full_only_once():
    """A man of known sex named in full once ('Richard Grove', beside his sister Bertha Grove) is
    still the one 'Mr. Grove' is: only a stray pair of words of no known sex is left out."""
    text = ("At noon Richard Grove came in. Then Richard sat. Bertha Grove sang. Then Richard rose. Mr. Grove sat. Bertha Grove wept. Mr. Grove rose. "
            "Bertha Grove slept. Mr. Grove left. Grove came back. Bertha smiled. Mr. Grove frowned.")
    cast = find_characters(text)
    richard = owner(cast, "Richard Grove")
    assert richard is not None
    assert owner(cast, "Mr. Grove") == richard


def test_mr_and_surname_is_not_the_one_brother_named_in_full_beside_the_captains():
    """'The Captains Hale' are two men of the surname, so 'Mr. Hale', never named in full, may be
    the brother of Captain Frank Hale: the two stay apart; nor is 'General Hale' the captain."""
    text = ("Captain Hale came in. Frank Hale sat. Captain Hale rose. Frank Hale laughed. Captain Hale left. "
            "Mr. Hale preached. Once the Captains Hale had sailed with the Captains Morley. Mr. Hale prayed. Captain Hale smiled. "
            "Frank Hale read. Mr. Hale slept. Captain Frank Hale wrote. Captain Hale sang.")
    cast = find_characters(text)
    frank = owner(cast, "Frank Hale")
    assert frank is not None
    assert owner(cast, "Mr. Hale") != frank


def test_the_first_part_of_a_hyphenated_given_name_is_its_bearer():
    """'Annie' alone, and 'Annie Rose' where the hyphen fell out, are Annie-Rose, the one person the
    book gives that first name; where another woman is Annie Blake, bare 'Annie' is not Annie-Rose."""
    text = ("Then Annie-Rose came in. Then Annie sat down. Then Annie-Rose smiled. Then Annie laughed. "
            "Then Annie Rose left. Then Annie-Rose came back. Then Annie sang.")
    cast = find_characters(text)
    annie = owner(cast, "Annie-Rose")
    assert annie is not None
    assert owner(cast, "Annie") == annie
    assert not any("Annie Rose" in c.aliases for c in cast.characters)
    other = find_characters(text + " Then Annie Blake came. Then Annie Blake went. Then Annie Blake sat.")
    assert owner(other, "Annie") != owner(other, "Annie-Rose")
