"""Surnames that open with a saint's abbreviation: 'Reggie St Cloud', 'Augustine St. Clare'.

'St' is a stop word (St Paul's, St James's Street), so a full name holding it was dropped whole
and its bearer kept only his bare first name, while 'Lady St Cloud' left a stray 'Cloud'. Here
'St'/'St.' and the word after it are one surname word, kept where a first name or a title comes
before it; 'St Paul' opening an untitled form is still a place.
"""

from __future__ import annotations

import regex

SAINT = r"St\.?[ \t]*\n?[ \t]*"  # 'St Cloud', 'St. Clare', or broken across a line


def _is_saint(word: str) -> bool:
    return word in ("St", "St.")


def with_saints(words: list[str], title: str | None) -> list[str]:
    """Whitespace-split name words with 'St'/'St.' joined to the word after it ('St Cloud'); a
    saint word opening an untitled name is no surname, and stays apart to be dropped."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if _is_saint(words[i]) and i + 1 < len(words) and (out or title):
            out.append(f"{words[i]} {words[i + 1]}")
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def saint_surname(words: list[str], title: str | None) -> bool:
    """Whether a name ends in a saint-surname ('St Cloud') after a first name or a title."""
    return bool(words) and (len(words) > 1 or bool(title)) and _is_saint(words[-1].split()[0]) \
        and len(words[-1].split()) == 2


# A saint's abbreviation right before a mention: 'St. John' is a given name ('said St. John',
# 'St. John Hirst'), the abbreviation part of the name's own span.
_SAINT_BEFORE = regex.compile(r"(?<![\p{L}.])St\.?[ \t]*\n?[ \t]*$")


def with_given_saints(text: str, mentions: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Mentions (start, end, character) with a saint's abbreviation before a name taken into its
    span: 'said St. John' names its speaker at the verb, where the bare 'John' left 'St.' between
    (The Voyage Out: 14 tags 'said St. John' unread, their quotes given to the one before)."""
    out = []
    for s, e, cid in mentions:
        m = _SAINT_BEFORE.search(text, max(0, s - 8), s)
        out.append((m.start() if m else s, e, cid))
    return sorted(out)
