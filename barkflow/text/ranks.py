"""A speech tag's rank noun ('said the doctor', 'cried the young baronet', 'the captain said') as
the one named character the book gives that rank's title (Dr. Livesey, Sir Henry, Captain
Smollett). A reader takes 'the doctor' for the only doctor already met; where two fit, or none
has spoken yet (the old sea-captain of a book's first chapters is no Captain Smollett), the tag
stays a description, as before."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict

import regex

from barkflow.text import cues
from barkflow.text.characters import Cast

# Titles of a rank or office, and the noun a tag calls their bearer by. Not Mr./Mrs./Miss/Lady/
# Lord (a sex or courtesy, 'said the lady' is anyone) nor kin (Aunt, Father).
_NOUNS = {"Dr": ("doctor",), "Doctor": ("doctor",), "Sir": ("baronet", "knight"), "Captain": ("captain",),
          "Capt": ("captain",), "Colonel": ("colonel",), "Col": ("colonel",), "Major": ("major",),
          "General": ("general",), "Lieutenant": ("lieutenant",), "Admiral": ("admiral",),
          "Commander": ("commander",), "Professor": ("professor",), "Prof": ("professor",),
          "Inspector": ("inspector",), "Sergeant": ("sergeant",), "Judge": ("judge",), "Squire": ("squire",),
          "King": ("king",), "Queen": ("queen",), "Prince": ("prince",), "Princess": ("princess",),
          "Duke": ("duke",), "Duchess": ("duchess",), "Count": ("count",), "Countess": ("countess",),
          "Baron": ("baron",), "Baroness": ("baroness",), "Marquis": ("marquis",)}
# One far commoner bearer of a title is the one meant ('Captain Smollett' 29 times against a
# 'Captain Silver' of 3), as characters.py does for 'the Admiral'.
DOMINANT = 5
# 'said the [young] doctor', after a tag's verb; 'the [young] doctor [slowly] said', before one.
_AFTER = regex.compile(r"\s+the\s+(?:(\p{Ll}+)\s+)?(\p{L}[\p{L}-]*)\b(?!['’]s\b)", regex.I)
_BEFORE = regex.compile(rf"\b[Tt]he\s+(?:(\p{{Ll}}+)\s+)?(\p{{L}}[\p{{L}}-]*){cues.BEFORE_VERB.pattern}")


class Ranks:
    """Each rank noun's bearers in a cast: who the book names with its title, how often, and from
    where on they have been named beside a speech verb outside quotation marks."""

    def __init__(self, text: str, cast: Cast, quoted, narrator: int | None = None):
        self.bearers: dict[str, Counter] = defaultdict(Counter)
        titles = {}
        for c in cast.characters:
            for alias in c.aliases:
                words = alias.split()
                title = words[0].rstrip(".")
                if len(words) > 1 and title in _NOUNS and c.id != narrator:
                    titles.setdefault(c.id, set()).add(words[0])
        self.spoke: dict[int, int] = {}  # character -> where it is first named beside a speech verb
        for s, e, cid in cast.mentions:
            if cid in titles:
                word = text[s:e].split(maxsplit=1)[0]
                if word in titles[cid]:
                    for noun in _NOUNS[word.rstrip(".")]:
                        self.bearers[noun][cid] += 1
                if cid not in self.spoke and not quoted(s) and (
                        cues.VERB_BEFORE.search(text, max(0, s - 25), s) or cues.VERB_AFTER.match(text, e)):
                    self.spoke[cid] = s

    def named(self, noun: str, pos: int) -> int | None:
        """The one character 'the <noun>' at `pos` is, else None."""
        counts = self.bearers.get(noun.lower())
        if not counts:
            return None
        fits = sorted(((n, cid) for cid, n in counts.items() if self.spoke.get(cid, pos) < pos), reverse=True)
        if len(fits) == 1 or (len(fits) > 1 and fits[0][0] >= DOMINANT * fits[1][0]):
            return fits[0][1]
        return None

    def after(self, text: str, pos: int, end: int) -> int | None:
        """'said the [young] baronet': the rank noun's character, the tag's verb ending at `pos`."""
        m = _AFTER.match(text, pos, end)
        return next((cid for w in (m.group(2), m.group(1)) if w and (cid := self.named(w, pos)) is not None), None) \
            if m else None

    def before(self, text: str, start: int, pos: int) -> int | None:
        """'the [young] doctor [slowly] said': the rank noun's character, the tag's verb at `pos`."""
        m = _BEFORE.search(text, max(start, pos - 50), pos)
        if m is None or m.end() != pos:
            return None
        return next((cid for w in (m.group(2), m.group(1)) if w and (cid := self.named(w, pos)) is not None), None)
