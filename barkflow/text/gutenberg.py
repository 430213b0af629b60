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

_START = re.compile(r"\*{3}\s*START\s+OF\s+(?:THE\s+|THIS\s+)?PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)\b[^*]{0,400}"
                    r"(?:\*{3,}|$)"
                    r"|\*END\*?\s*THE\s+SMALL\s+PRINT!?[^\n]{0,200}?\*END\*", re.IGNORECASE)
_END = re.compile(r"\*{3}\s*END\s+OF\s+(?:THE\s+|THIS\s+)?PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)\b[^*]{0,400}"
                  r"(?:\*{3,}|$)", re.IGNORECASE)
# "End of the Project Gutenberg EBook of X", "End of Project Gutenberg's X", "End of The Project Gutenberg Etext of X"
_SOFT_END = re.compile(r"End\s+of\s+(?:the\s+|this\s+)?Project\s+Gutenberg(?:['’]s\b|\s+E-?(?:book|text)\b)",
                       re.IGNORECASE)
_CREDIT = re.compile(r"(?:(?:E-?text|E-?book)\s+)?(?:(?:Produced|Prepared|Transcribed|Digitized)\s+by|Transcribed\s+from)\b", re.IGNORECASE)
_MAX_CREDIT_WORDS = 80  # a producer's credit is a line or two; a longer paragraph is the story's

Position = tuple[int, int]  # (unit, character offset in it)


def story_bounds(units: Sequence[str], *, whole_lines: bool) -> Optional[tuple[Position, Position]]:
    """Where the story lies in `units`: from (unit, offset) up to (unit, offset), the end exclusive;
    None when there is no marker. `whole_lines`: units are lines and a marker must be a whole line."""
    starts: list[Position] = []  # just after each START marker
    ends: list[Position] = []  # at each END marker
    soft: list[int] = []  # units opening with "End of the Project Gutenberg EBook of"
    for index, text in enumerate(units):
        if "gutenberg" not in text.casefold() and "small print" not in text.casefold():
            continue  # the cheap test first: most units of a book
        stripped = text.strip()
        start = _START.fullmatch(stripped) if whole_lines else _START.search(text)
        if start is not None:
            starts.append((index + 1, 0) if whole_lines else (index, start.end()))
        end = _END.fullmatch(stripped) if whole_lines else _END.search(text)
        if end is not None:
            ends.append((index, 0 if whole_lines else end.start()))
        if _SOFT_END.match(text.lstrip()):
            soft.append(index)
    if not starts and not ends:
        return None
    begin: Position = starts[0] if starts else (0, 0)
    # An END counts after the START; an "End of..." line too, where the START or an END vouches for it.
    after = [position for position in ends if position >= begin]
    last_end = after[0] if after else None
    soft_after = [index for index in soft if (index, 0) >= begin and (starts or (last_end and (index, 0) < last_end))]
    candidates = after[:1] + [(index, 0) for index in soft_after[:1]]
    finish = min(candidates) if candidates else (len(units), 0)
    if not starts and finish == (len(units), 0):
        return None
    # Of several START markers (the small print, then *** START), the story follows the last before the end.
    begin = max((position for position in starts if position < finish), default=begin)
    return _after_credit(units, begin, finish, whole_lines), finish


def _after_credit(units: Sequence[str], begin: Position, finish: Position, whole_lines: bool) -> Position:
    """`begin`, moved past a producer's credit ("Produced by ...") that opens the story."""
    index, offset = begin
    if whole_lines:
        while index < finish[0] and not units[index].strip():
            index += 1
        end = index
        while end < finish[0] and units[end].strip():
            end += 1
        credit = " ".join(units[index:end])
        return (end, 0) if _is_credit(credit) else begin
    rest = units[index][offset:] if index < len(units) else ""
    if not rest.strip():  # the marker ended its paragraph: the credit would be the next
        index, offset = index + 1, 0
        while index < finish[0] and not units[index].strip():
            index += 1
        rest = units[index] if index < finish[0] else ""
    if rest.strip() and (index, len(units[index])) <= finish and _is_credit(rest):
        return index, len(units[index])
    return begin


def _is_credit(text: str) -> bool:
    return bool(_CREDIT.match(text.strip())) and len(text.split()) <= _MAX_CREDIT_WORDS


def outside_lines(lines: list[str]) -> tuple[list[str], str]:
    """The lines with the header and licence blanked (so line numbers stay put), and what was blanked."""
    bounds = story_bounds(lines, whole_lines=True)
    if bounds is None:
        return lines, ""
    (first, _), (end, _) = bounds
    blanked = "\n".join(lines[:first] + lines[end:])
    return [""] * first + lines[first:end] + [""] * (len(lines) - end), blanked
