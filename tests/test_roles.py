"""barkflow.text.roles: speakers a tag describes by a calling ('said the turnkey'), on passages
written for these tests."""

from __future__ import annotations

from barkflow.text.attribution import attribute

# Two named people, then a visit where a turnkey and a waiter speak between their tagged turns.
NAMED = ("Mr. Tobias Crane and Mrs. Harriet Pell lived in the town. Mr. Crane was a miller; Mrs. Pell "
         "kept the shop. \"Good day,\" said Mr. Crane. \"Good day,\" said Mrs. Pell.\n\n")


def voices(text: str) -> list[str | None]:
    result = attribute(text)
    return [result.speaker_name(q) for q in result.quotations]


def test_a_calling_in_the_tag_speaks_its_own_lines_not_the_named_ones_around_it():
    """'said the turnkey' between Mr. Crane's and Mrs. Pell's tagged turns is the turnkey's, not
    one of the pair's by counting turns; 'The waiter said, "..."' and '"...," said the waiter, "..."'
    are the waiter's, both quotes."""
    text = (NAMED + "Mr. Crane and Mrs. Pell went to the gaol together.\n\n"
            "\"We have come to see the prisoner,\" said Mr. Crane.\n\n"
            "\"Not today,\" said the turnkey, shaking his keys.\n\n"
            "\"But we have leave,\" said Mrs. Pell.\n\n"
            "\"Show me the paper,\" said the turnkey.\n\n"
            "\"Here it is,\" said Mr. Crane.\n\n"
            "Afterwards they dined at the inn.\n\n"
            "The waiter said, \"Will you take soup?\"\n\n"
            "\"Yes,\" said Mrs. Pell.\n\n"
            "\"Very good,\" said the waiter, \"and then the fish.\"\n")
    assert voices(text)[2:] == ["Mr. Crane", "the turnkey", "Mrs. Pell", "the turnkey", "Mr. Crane",
                                "the waiter", "Mrs. Pell", "the waiter", "the waiter"]


def test_a_calling_the_book_sets_beside_a_name_or_called_by_name_is_no_role():
    """'Dobbs, the porter' makes 'the porter' Dobbs's epithet; a speech calling Gill by name is
    answered by Gill even where the tag says 'the gardener'. Neither becomes a role's voice, while
    the cabman, named nowhere, does."""
    text = (NAMED + "Dobbs, the porter, carried the bags. Dobbs was slow. \"Heavy,\" said Dobbs. \"Very,\" said Dobbs. "
            "Dobbs sat down. Gill weeded the beds. "
            "\"Weeds,\" said Gill.\n\n"
            "\"Mind the step,\" said the porter.\n\n"
            "\"Thank you,\" said Mrs. Pell.\n\n"
            "\"Are the roses out, Gill?\" said Mr. Crane.\n\n"
            "\"Not yet, sir,\" said the gardener.\n\n"
            "\"Where to?\" said the cabman.\n\n"
            "\"Home,\" said Mr. Crane.\n")
    said = voices(text)[4:]
    assert "the porter" not in said and "the gardener" not in said
    assert said[-2:] == ["the cabman", "Mr. Crane"]


def test_a_threshold_above_a_roles_certainty_leaves_the_role_unvoiced():
    """project.cast_confidence above a role's confidence: the turnkey's line goes to the narrator
    (None), as any quotation less sure than the threshold does, and the role speaks no lines (the
    cast file lists none for it)."""
    text = (NAMED + "\"We have come,\" said Mr. Crane.\n\n\"Not today,\" said the turnkey.\n\n"
            "\"But we have leave,\" said Mrs. Pell.\n")
    assert voices(text)[-2] == "the turnkey"
    strict = attribute(text, threshold=0.94)
    assert strict.quotations[-2].speaker is None
    assert all(c.lines == 0 for c in strict.characters if c.name == "the turnkey")
    assert sum(c.lines for c in strict.characters) == sum(q.speaker is not None for q in strict.quotations)


def test_common_callings_of_a_hotel_a_street_or_a_house_speak_their_own_lines():
    """The concierge, the chauffeur and the charwoman, named nowhere, each speak the line their tag
    gives them, not a turn of the pair's; a '-woman' calling is a woman, not a man."""
    text = (NAMED + "Mr. Crane and Mrs. Pell drove to the hotel.\n\n"
            "\"We are expected,\" said Mr. Crane.\n\n"
            "\"Your rooms are ready, sir,\" said the concierge.\n\n"
            "\"Good,\" said Mrs. Pell.\n\n"
            "\"Shall I wait?\" asked the chauffeur.\n\n"
            "\"No,\" said Mr. Crane.\n\n"
            "Upstairs a woman was scrubbing the floor.\n\n"
            "\"Mind the wet boards,\" said the charwoman.\n\n"
            "\"We will,\" said Mrs. Pell.\n")
    result = attribute(text)
    said = [result.speaker_name(q) for q in result.quotations][2:]
    assert said == ["Mr. Crane", "the concierge", "Mrs. Pell", "the chauffeur", "Mr. Crane",
                    "the charwoman", "Mrs. Pell"]
    assert [c.gender for c in result.characters if c.name == "the charwoman"] == ["F"]
