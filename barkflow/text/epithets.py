"""Names an epithet opens: 'Little Dorrit', 'Young John', 'Big Toomai' and 'Little Toomai'; and
people the book names by a capitalised description ending in a person noun: 'the Medical Man', 'the
Very Young Man', 'the Invisible Man'.

'Little', 'Young' and 'Old' are never names alone (titles.STOP), so characters.py dropped them
from the front of a name and read 'Little Dorrit' as 'Dorrit': the heroine became her father, Mr.
Dorrit, and the two Toomais, father and son, one man. Where the narration tags speeches with the
epithet and a name three times or more ('"...," said Little Dorrit'), the two words are one name
word, as 'St Cloud' is (saints.py). Only there: 'Old Orlick' in Orlick's own mouth, 'Old Harry'
for the devil, 'Little Britain' for a street stay as they were. The epithet stands as the first
name before the surname, so a bare 'Chandler' still joins Little Chandler; a 'Mr. Wren' joins a
'Little Wren' where she is the only Wren named in full, as he would join any (a known limit: the
merge cannot tell her sex from an epithet).

'Man' is written in lower case far more often than not, so it is no name word either, and 'the
Medical Man' was cast as 'Medical' (a name no reader would know him by) and 'the Very Young Man' as
'Very'. Where the book writes such a description, after 'the', capitalised at least ROLE_NAMED
times, its words are one name word too.
"""

from __future__ import annotations

from collections import Counter

import regex

from barkflow.text.cues import AHEAD, SPEECH_VERBS, VERB
from barkflow.text.titles import STOP

EPITHETS = ("Little", "Young", "Old", "Big", "Tiny")
_PAIR = rf"(?:{'|'.join(EPITHETS)})[ \t]*\n?[ \t]*\p{{Lu}}\p{{Ll}}+"
_TAGGED = regex.compile(rf"\b{VERB}[ \t]*\n?[ \t]*({_PAIR})(?![\p{{L}}])|(?<![\p{{L}}'’])({_PAIR})[ \t]*\n?[ \t]*{VERB}\b")
# Tags that make an epithet and a name one name ('said Little Dorrit' 124 times, 'said Young John'
# 24, 'said Little Chandler' 15, 'said Big Toomai' 6; no dev novel has one).
MIN_TAGS = 3


# 'the Medical Man', 'the Very Young Man': one to two capitalised words, then a person noun.
PERSON_NOUNS = {"Man": "M", "Woman": "F", "Lady": "F", "Gentleman": "M", "Boy": "M", "Girl": "F", "Fellow": "M",
                "Person": "?"}
_ROLE = regex.compile(rf"(?<![\p{{L}}])[Tt]he[ \t]*\n?[ \t]*"
                      rf"((?:\p{{Lu}}\p{{Ll}}+[ \t]*\n?[ \t]*){{1,2}}(?:{'|'.join(PERSON_NOUNS)}))(?![\p{{L}}'’-])")
ROLE_NAMED = 3
# What follows a word that opens such a description ('said the Very Young Man'): no name of its own.
OPENS_DESCRIPTION = rf"\s+(?:\p{{Lu}}\p{{Ll}}+\s+)?(?:{'|'.join(PERSON_NOUNS)})\b"

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
    """`names` and the epithet names the narration tags speeches with ('Little Dorrit'), and the
    capitalised descriptions it names people by ('the Medical Man')."""
    tags = Counter(" ".join((m.group(1) or m.group(2)).split()) for m in _tags(text))
    roles = Counter(" ".join(m.group(1).split()) for m in _ROLE.finditer(text))
    return names | {pair for pair, n in tags.items() if n >= MIN_TAGS and pair.split()[1] in names} \
        | {role for role, n in roles.items() if n >= ROLE_NAMED and role.split()[0] not in STOP}


def described_sex(last: str) -> str:
    """The sex a description's person noun, the last word of a name, gives ('Man': M), else '?'."""
    return PERSON_NOUNS.get(last, "?")


def joined_epithets(words: list[str], names: set[str]) -> list[str]:
    """A name's words with an epithet name's two made one ('Little', 'Dorrit' -> 'Little Dorrit'),
    or a description's ('Very', 'Young', 'Man' -> 'Very Young Man')."""
    for n in (3, 2):
        if len(words) >= n and (words[0] in EPITHETS or words[n - 1] in PERSON_NOUNS) and " ".join(words[:n]) in names:
            return [" ".join(words[:n]), *words[n:]]
    return words
