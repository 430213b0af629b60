"""topics: where a mention's sentence starts, for 'the only one of that sex named in it so far'."""

from barkflow.text.topics import _SENTENCE_START


def test_a_title_abbreviation_ends_no_sentence():
    """'said Mr. Crane, looking at Tom's coat': the sentence holding Tom starts before the quote,
    not after 'Mr.', so Mr. Crane is named in it ahead of Tom."""
    text = "He came in.\n\n\"It is,\" said Mr. Crane, looking hard at Tom's coat."
    at = text.index("Tom")
    head = _SENTENCE_START.search(text, 0, at)
    assert text[head.end():at].startswith("\"It is,\" said Mr. Crane")
