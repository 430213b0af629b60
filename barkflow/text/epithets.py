"""Names an epithet opens: 'Little Dorrit', 'Young John', 'Big Toomai' and 'Little Toomai'.

'Little', 'Young' and 'Old' are never names alone (titles.STOP), so characters.py dropped them
from the front of a name and read 'Little Dorrit' as 'Dorrit': the heroine became her father, Mr.
Dorrit, and the two Toomais, father and son, one man. Where the narration tags speeches with the
epithet and a name three times or more ('"...," said Little Dorrit'), the two words are one name
word, as 'St Cloud' is (saints.py). Only there: 'Old Orlick' in Orlick's own mouth, 'Old Harry'
for the devil, 'Little Britain' for a street stay as they were. The epithet stands as the first
name before the surname, so a bare 'Chandler' still joins Little Chandler; a 'Mr. Wren' joins a
'Little Wren' where she is the only Wren named in full, as he would join any (a known limit: the
merge cannot tell her sex from an epithet).
"""

from __future__ import annotations

from collections import Counter

import regex

from barkflow.text.cues import AHEAD, SPEECH_VERBS, VERB

EPITHETS = ("Little", "Young", "Old", "Big", "Tiny")
_PAIR = rf"(?:{'|'.join(EPITHETS)})[ \t]*\n?[ \t]*\p{{Lu}}\p{{Ll}}+"
_TAGGED = regex.compile(rf"\b{VERB}[ \t]*\n?[ \t]*({_PAIR})(?![\p{{L}}])|(?<![\p{{L}}'’])({_PAIR})[ \t]*\n?[ \t]*{VERB}\b")
# Tags that make an epithet and a name one name ('said Little Dorrit' 124 times, 'said Young John'
# 24, 'said Little Chandler' 15, 'said Big Toomai' 6; no dev novel has one).
MIN_TAGS = 3


_PAIR_RE = regex.compile(_PAIR)
_LONGEST_VERB = max(map(len, SPEECH_VERBS.split()))


def _tag_starts(text: str) -> list[int]:
    """Every place a _TAGGED match can start: at an epithet pair ('Little Dorrit said'), or at a
    speech verb ending in the blanks before one ('said Little Dorrit'). Finding the rare pairs first
    spares trying the verbs' alternation at every character of the book (0.47 s of 4 s a long book)."""
    starts = set()
    for m in _PAIR_RE.finditer(text, overlapped=True):
        blanks = m.start()
        while blanks > 0 and text[blanks - 1] in " \t\n":
            blanks -= 1
        starts.update(range(max(0, blanks - _LONGEST_VERB), m.start() + 1))
    return sorted(starts)


def _tags(text: str):
    """_TAGGED.finditer(text), tried only where a match can start: left to right, none overlapping."""
    done = 0
    for start in _tag_starts(text):
        if start >= done and (m := _TAGGED.match(text, start, start + AHEAD)):
            done = m.end()
            yield m


def with_epithets(text: str, names: set[str]) -> set[str]:
    """`names` and the epithet names the narration tags speeches with: 'Little Dorrit'."""
    tags = Counter(" ".join((m.group(1) or m.group(2)).split()) for m in _tags(text))
    return names | {pair for pair, n in tags.items() if n >= MIN_TAGS and pair.split()[1] in names}


def joined_epithets(words: list[str], names: set[str]) -> list[str]:
    """A name's words with an epithet name's two made one ('Little', 'Dorrit' -> 'Little Dorrit')."""
    if len(words) > 1 and words[0] in EPITHETS and f"{words[0]} {words[1]}" in names:
        return [f"{words[0]} {words[1]}", *words[2:]]
    return words
