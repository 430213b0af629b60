"""Books that quote speech in single marks read as their double-quote editions would (singles.py)."""

from __future__ import annotations

from barkflow.text.attribution import attribute
from barkflow.text.quotes import find_quotes
from barkflow.text.singles import as_double

DOUBLE = ('Mrs. Pell sat by the window with her sewing, and Dixon came in with the tray.\n\n'
          '"Dixon, bring the lamp," said Mrs. Pell.\n\n'
          '"Yes, ma\'am," said Dixon.\n\n'
          '"And Dixon, you may go out when Mr. Weller has come."\n\n'
          '"Thank you, ma\'am."\n\n'
          '"Dixon!"\n\n"Ma\'am?"\n\n"Tell Mr. Weller I am in the garden."\n\n'
          '"Yes, ma\'am."\n\n')


def _single(text: str) -> str:
    return text.replace("'", "\u2019").replace('"', "'")


def test_a_name_right_after_an_opening_single_quote_is_a_mention():
    """'Dixon, bring the lamp,': the name pattern refuses a name after an apostrophe-like mark
    (O'Brien, 'Arry), so each speech opening with a name lost that mention and that vocative."""
    def dixon(text: str) -> int:
        return next(c.mentions for c in attribute(text).characters if c.name == "Dixon")
    assert dixon(_single(DOUBLE)) == dixon(DOUBLE) == 5


def test_the_single_quote_edition_reads_as_the_double_quote_one():
    """Only the quotations' own marks swap, one character for one: apostrophes ('em, o', the
    Smiths', goin', don't) stay, and a quotation inside a speech takes the other marks."""
    double = ('"Don\'t tell \'em," said Ann. "The Smiths\' dog ran off o\' the road, goin\' home."\n\n'
              '"He said \'never\' to me," said Ned.')
    single = ("'Don't tell 'em,' said Ann. 'The Smiths' dog ran off o' the road, goin' home.'\n\n"
              "'He said \"never\" to me,' said Ned.")
    assert as_double(find_quotes(single)).text == double
    assert as_double(find_quotes(double)).text == double



def test_a_dropped_g_before_a_stop_does_not_end_a_single_quoted_speech():
    """'I saw him this mornin'. He ran.': a mark after a dropped g and before a stop closes the
    speech only where no sure closing mark follows it in the paragraph."""
    text = "'I saw him this mornin'. He ran off before I could speak.'\n\n'Did he?' said Ann."
    spans = [text[q.start:q.end] for q in find_quotes(text).top()]
    assert spans == ["I saw him this mornin'. He ran off before I could speak.", "Did he?"]
    came = "'Come in', he said, 'and sit down.'\n\n'Thank you,' said Ann."
    assert [came[q.start:q.end] for q in find_quotes(came).top()] == ["Come in", "and sit down.", "Thank you,"]
    tuesday = "'The dog ran off o' Tuesday, goin' home.' said Ann."
    assert [tuesday[q.start:q.end] for q in find_quotes(tuesday).top()] == ["The dog ran off o' Tuesday, goin' home."]



def test_a_dropped_g_before_a_hyphen_is_an_apostrophe():
    """'the jumpin'-off place': a hyphen and a word go on, so the mark is an apostrophe, even in a
    speech that runs on into the next paragraph with no closing mark to look ahead to; a mark
    before a semicolon still closes ('calling her 'the young mistress'; it was')."""
    text = "'We stood at the jumpin'-off place.\n\n'Then the rain came,' said Ann."
    spans = [text[q.start:q.end] for q in find_quotes(text).top()]
    assert spans == ["We stood at the jumpin'-off place.", "Then the rain came,"]
    named = "'Ann,' said Tom, calling her 'the young mistress'; it was not meant unkindly.\n\n'No,' said Ann."
    assert [named[q.start:q.end] for q in find_quotes(named).top()] == ["Ann,", "the young mistress", "No,"]


def test_a_speech_broken_by_narration_between_dashes_closes_before_the_dashes():
    """'... my heiress'--here he turned--'my heiress, Ruth.': the mark after the dashes opens the
    speech again, so the one before them closes it though a sure closing mark comes later."""
    text = "'This is my heiress'--here he turned to Ann--'my heiress, little Ruth Pell.'\n\n'Good day,' said Ann."
    spans = [text[q.start:q.end] for q in find_quotes(text).top()]
    assert spans == ["This is my heiress", "my heiress, little Ruth Pell.", "Good day,"]


def test_a_double_quoted_quotation_in_a_single_quote_book_keeps_its_marks():
    """A single-quote book's speeches swap to double; a title or letter it sets in double quotes at
    the top level stays double rather than turning single (where the rules read it as nested)."""
    single = ("'Come in,' said Ann.\n\n'Thank you,' said Tom.\n\n"
              "\"Dear Tom, the mill is sold, and we leave in May,\" ran the letter.")
    double = ('"Come in," said Ann.\n\n"Thank you," said Tom.\n\n'
              '"Dear Tom, the mill is sold, and we leave in May," ran the letter.')
    assert as_double(find_quotes(single)).text == double


def test_dialect_apostrophes_do_not_end_a_single_quoted_speech():
    """'Yo' needn't trouble yoursel', sir,' / 'a book i' his hand': yo' (you), i' (in) and mysel'
    (myself) end in an apostrophe that is no closing mark."""
    text = ("'Yo' needn't trouble yoursel', sir,' said Ned. 'He had a book i' his hand.'\n\n"
            "'So he had,' said Ann.")
    spans = [text[q.start:q.end] for q in find_quotes(text).top()]
    assert spans == ["Yo' needn't trouble yoursel', sir,", "He had a book i' his hand.", "So he had,"]


def test_a_dropped_g_before_a_stop_goes_on_to_a_closing_mark_after_a_word():
    """'... anythin'! Down in the Grande'--he waved--'it is all dark.': the mark after Grande, a word
    no apostrophe ends, is the sure closing one, so the one after anythin' is an apostrophe."""
    text = ("'The more you knew, the more was possible--anythin'!  Down in the Grande'--he waved his "
            "pipe--'it is all dark.'\n\n'Is it?' said Ann.")
    spans = [text[q.start:q.end] for q in find_quotes(text).top()]
    assert spans == ["The more you knew, the more was possible--anythin'!  Down in the Grande",
                     "it is all dark.", "Is it?"]
