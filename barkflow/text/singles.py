"""Books that quote speech with single marks ('I know,' said Dixon), read as if they used doubles.

Every rule downstream of find_quotes (names, vocatives, tags, elisions) was written and measured on
books whose speech sits in double quotes, where a single mark is an apostrophe ('em, o', Smiths')
or a quotation inside a quotation. In a book whose speech sits in single marks the same rules meet
an apostrophe-like mark before each speech's first word: the name pattern refuses 'Dixon, come
here' (a name after an apostrophe is a clipped word, O'Brien, 'Arry), and the regexes that expect
a closing " before a tag miss 'I know,' said Dixon.

as_double(scan) swaps the marks of the quotations find_quotes found, and only those, one character
for one: a single-quoted speech's marks become double (' -> ", ‘ -> “, ’ -> ”) and a double-quoted
quotation inside it becomes single, so the text every later pass reads is the one the book would
have in a double-quote edition, at the same offsets. Apostrophes stay as they are, and so does a
quotation the book puts in double quotes at the top level (a letter, a title). A book whose speech
is already in double quotes comes back unchanged.
"""

from __future__ import annotations

from dataclasses import replace

from barkflow.text.quotes import SPACE, Quote, QuoteScan

_SINGLES = "'‘’"
_DOUBLES = "\"“”„"
_OPEN_SWAP = {"'": "\"", "‘": "“", "’": "“", "\"": "'", "“": "‘", "„": "‘", "”": "‘"}
_CLOSE_SWAP = {"'": "\"", "’": "”", "‘": "”", "\"": "'", "”": "’", "“": "’", "„": "’"}


def quote_marks(scan: QuoteScan, q: Quote) -> tuple[int | None, int | None]:
    """The offsets of q's opening and closing marks (None where the paragraph has none: a
    quotation left open, a dialogue dash)."""
    family = {"single": _SINGLES, "double": _DOUBLES}.get(q.style)
    if family is None:
        return None, None
    text, p = scan.text, scan.paragraphs[q.paragraph]
    i = q.start - 1
    while i > p.start and text[i] in SPACE:
        i -= 1
    j = q.end
    while j < p.end - 1 and text[j] in SPACE:
        j += 1
    opening = i if i >= p.start and text[i] in family else None
    closing = j if j < p.end and text[j] in family else None
    return opening, closing


def _single_outer(scan: QuoteScan) -> bool:
    top = [q.style for q in scan.quotes if q.depth == 0]
    return top.count("single") > top.count("double")


def swapped_marks(scan: QuoteScan, outer: str) -> str:
    """scan's text with the marks of each quotation of style `outer` ("single" or "double") and of
    the quotations inside it swapped between single and double; other quotations keep theirs."""
    chars, top = list(scan.text), None
    for q in scan.quotes:  # a nested quote comes right after its outer one
        top = q.style if q.depth == 0 else top
        if top != outer:
            continue
        for at, swap in zip(quote_marks(scan, q), (_OPEN_SWAP, _CLOSE_SWAP)):
            if at is not None:
                chars[at] = swap[chars[at]]
    return "".join(chars)


def as_double(scan: QuoteScan) -> QuoteScan:
    """The scan of a single-quote book over its text with its single-quoted speeches' marks made
    double (the quotes' offsets unchanged); a speech it puts in double quotes stays as it is (dev
    PDNC, all double-quote books, unchanged). Any other book's scan as it is."""
    if not _single_outer(scan):
        return scan
    return replace(scan, text=swapped_marks(scan, "single"))
