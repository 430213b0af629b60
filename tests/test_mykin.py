"""barkflow.text.mykin: who a first-person narrator's 'my <kin>' is, from the narration's appositions."""

from __future__ import annotations

import re

from barkflow.text.characters import find_characters
from barkflow.text.mykin import named_kin, said_by_me
from barkflow.text.quotes import find_quotes


def _kin(text: str, quoted=lambda pos: False) -> dict[str, str | None]:
    cast = find_characters(text)
    _, who = named_kin(text, cast, quoted)
    return {noun: None if cid is None else cast.characters[cid].name for noun, cid in who.items()}


def test_the_name_beside_my_kin_with_or_without_a_comma_and_before_it_closed():
    text = ("My uncle Mr. Hale kept the mill. Mr. Hale was old. Mrs. Webb, my aunt, kept the shop. Mrs. Webb "
            "was kind. My sister, Nell, was away. Nell wrote often. My cousin sat with Tom Reed. Tom Reed ate.")
    who = _kin(text)
    assert (who["uncle"], who["aunt"], who["sister"]) == ("Mr. Hale", "Mrs. Webb", "Nell")
    assert who["cousin"] is None  # 'with Tom Reed' is no apposition


def test_a_name_before_my_kin_that_goes_on_is_no_apposition_nor_one_of_the_wrong_sex():
    text = ("I told Joe, my sister went out. Joe Hale laughed. Joe went home. My brother, Mrs. Dale, "
            "had heard nothing of. Mrs. Dale came. Mrs. Dale sat.")
    who = _kin(text)
    assert who["sister"] is None and who["brother"] is None


def test_a_list_beside_my_kin_is_no_apposition():
    text = ("We went home, my aunt, Mrs. Webb, and I. Mrs. Webb was tired. Then Mrs. Webb, my aunt, and I "
            "sat down.")
    assert _kin(text)["aunt"] is None


def test_my_kin_inside_a_speech_is_the_speakers_and_left_alone():
    text = "\"My uncle, Mr. Stone, is here,\" said Ann. Mr. Stone bowed. Mr. Stone sat. My uncle smiled."
    end = text.index("\" said")
    who = _kin(text, quoted=lambda pos: pos < end)
    assert who["uncle"] is None


def _speeches(text: str):
    """`quoted` for the double-quoted speeches of a passage."""
    spans = [(m.start(), m.end() - 1) for m in re.finditer(r'"[^"]*"', text)]
    return lambda pos: any(s <= pos < e for s, e in spans)


def test_where_the_narration_never_says_the_narrators_own_speech_may():
    """'"Is my guardian, Mr. Lowe, at home?" said I' names the guardian where the narration only
    ever says 'my guardian'; a name ending the speech ('for my guardian, Mr. Pike,' said I) is
    the one it calls, and another's speech ('my guardian, Mr. Pike,' said Ann) is hers."""
    text = ("Mr. Lowe and Mr. Pike lived in the town. Mr. Lowe was rich and Mr. Pike was poor.\n\n"
            "\"Is my guardian, Mr. Lowe, at home?\" said I.\n\n"
            "\"I wish I had you for my guardian, Mr. Pike,\" said I.\n\n"
            "\"Tell my guardian, Mr. Pike, I came,\" said Ann.\n\n"
            "My guardian was out.\n")
    cast = find_characters(text)
    _, who = named_kin(text, cast, _speeches(text), said_by_me(text, find_quotes(text).quotes))
    assert cast.characters[who["guardian"]].name == "Mr. Lowe"
