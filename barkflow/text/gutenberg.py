"""Project Gutenberg's header and licence: found by PG's markers, left unread, and counted.

A Project Gutenberg book opens with a header (title, licence lines, release date) up to a marker
line, `*** START OF THE PROJECT GUTENBERG EBOOK TITLE ***` (THIS/THE, with or without the title,
`***START...`, or the older small print's `*END*THE SMALL PRINT! ... *END*`), and closes with
`*** END OF THE PROJECT GUTENBERG EBOOK TITLE ***`, often after a line `End of the Project
Gutenberg EBook of ...` (or `End of Project Gutenberg's ...`), followed by some 3,000 words of
licence. A short producer's credit right after the START marker (`Produced by ...`,
`Transcribed from the 1897 edition by ...`) is PG's too.

`story_bounds` finds where the story starts and ends in a sequence of units: the lines of a text
file (a marker is a whole line) or the paragraphs of an EPUB/HTML book (where a <pre> may hold the
whole header, so the asterisk-bounded markers may sit inside a paragraph and split it; the `End
of ...` line must open one). Everything outside is the header and licence. A text with no marker
is untouched; a START without an END keeps the rest, an END without a START drops what follows.
The patterns need PG's own shape (asterisks, the phrase at a line's or paragraph's start), so a
novel that mentions Project Gutenberg in its text is untouched.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

SKIPPED = "Project Gutenberg header and licence"  # the word report's reason

_START_OF = r"\*{3}\s*START\s+OF\s+(?:THE\s+|THIS\s+)?PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)\b[^*]{0,400}"
_SMALL_PRINT = r"\*END\*?\s*THE\s+SMALL\s+PRINT!?[^\n]{0,200}?\*END\*"
_END_OF = r"\*{3}\s*END\s+OF\s+(?:THE\s+|THIS\s+)?PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)\b"
# "End of the Project Gutenberg EBook of X", "End of Project Gutenberg's X", "End of The Project Gutenberg Etext of X"
_SOFT_END_OF = r"End\s+of\s+(?:the\s+|this\s+)?Project\s+Gutenberg(?:['’]s\b|\s+E-?(?:book|text)\b)"
# A line is a marker whole (its closing asterisks may be lost to a wrapped title); a paragraph ends
# with its START marker (a <pre> header) and opens with its END.
_LINE_START = re.compile(rf"{_START_OF}\**|{_SMALL_PRINT}", re.IGNORECASE)
_PARAGRAPH_START = re.compile(rf"(?:{_START_OF}\*{{3}}|{_SMALL_PRINT})\s*\Z", re.IGNORECASE)
_LINE_END = re.compile(rf"{_END_OF}[^*]{{0,400}}\**", re.IGNORECASE)
_OPENING_END = re.compile(_END_OF, re.IGNORECASE)
_SOFT_END = re.compile(_SOFT_END_OF, re.IGNORECASE)
_CREDIT = re.compile(r"(?:(?:E-?text|E-?book)\s+)?(?:(?:Produced|Prepared|Transcribed|Digitized)\s+by|Transcribed\s+from)\b",
                     re.IGNORECASE)
_MAX_CREDIT_WORDS = 80  # a producer's credit is a line or two; a longer paragraph is the story's


def story_bounds(units: Sequence[str], *, whole_lines: bool) -> Optional[tuple[int, int]]:
    """Where the story lies in `units`: units[first:end]; None when there is no marker.
    `whole_lines`: the units are a text's lines, else a book's paragraphs."""
    starts: list[int] = []  # the unit after each START marker
    ends: list[int] = []  # each END marker's unit
    soft: list[int] = []  # units opening with "End of the Project Gutenberg EBook of"
    for index, text in enumerate(units):
        folded = text.casefold()
        if "gutenberg" not in folded and "small print" not in folded:
            continue  # the cheap test first: most units of a book
        stripped = text.strip()
        if _LINE_START.fullmatch(stripped) if whole_lines else _PARAGRAPH_START.search(text):
            starts.append(index + 1)
        if _LINE_END.fullmatch(stripped) if whole_lines else _OPENING_END.match(stripped):
            ends.append(index)
        if _SOFT_END.match(stripped):
            soft.append(index)
    if not starts and not ends:
        return None
    begin = starts[0] if starts else 0
    # An END counts after the START; an "End of..." line too, where the START or a later END vouches for it.
    strict = next((index for index in ends if index >= begin), None)
    vouched = [index for index in soft if index >= begin and (starts or (strict is not None and index < strict))]
    candidates = ([strict] if strict is not None else []) + vouched[:1]
    if not starts and not candidates:
        return None
    end = min(candidates, default=len(units))
    # Of several START markers (the small print, then *** START), the story follows the last before the end.
    begin = max((index for index in starts if index <= end), default=begin)
    return _after_credit(units, begin, end, whole_lines), end


def _after_credit(units: Sequence[str], begin: int, end: int, whole_lines: bool) -> int:
    """`begin`, moved past a producer's credit ("Produced by ...") that opens the story."""
    first = begin
    while first < end and not units[first].strip():
        first += 1
    last = first + 1
    while whole_lines and last < end and units[last].strip():  # a text's credit runs to a blank line
        last += 1
    credit = " ".join(units[first:last])
    return last if first < end and _is_credit(credit) else begin


def _is_credit(text: str) -> bool:
    """Whether the text is a producer's credit: the phrase, then names ('Produced by Judy Boss', 'by
    the Online Distributed Proofreading Team'), not a sentence ('Produced by a storm, the waves rose')."""
    match = _CREDIT.match(text.strip())
    if not match or len(text.split()) > _MAX_CREDIT_WORDS:
        return False
    after = text.strip()[match.end():].split()[:2]
    named = after[1:] if after[:1] == ["the"] else after
    return not named or not named[0][:1].islower()


def outside_lines(lines: list[str]) -> tuple[list[str], str]:
    """The lines with the header and licence blanked (so line numbers stay put), and what was blanked."""
    bounds = story_bounds(lines, whole_lines=True)
    if bounds is None:
        return lines, ""
    first, end = bounds
    blanked = "\n".join(lines[:first] + lines[end:])
    return [""] * first + lines[first:end] + [""] * (len(lines) - end), blanked
