"""A speech tag's rank noun ('said the doctor', 'cried the young baronet', 'the captain said') as
the one named character the book gives that rank's title (Dr. Livesey, Sir Henry, Captain
Smollett). A reader takes 'the doctor' for the only doctor already met; where two fit, or none
has come on stage yet (the old sea-captain of a book's first chapters is no Captain Smollett), the
tag stays a description, as before. On stage is named beside a speech verb so far, or named in the
narration of the page or two before the tag: the squire who is only ever 'the squire' in tags is
still the one the book calls Squire Trelawney, even where it does so only twice. Where no bearer
is on stage, the one met by now (named anywhere before the tag) or the far commoner of those:
a hero the book calls 'the prince' for chapters before any tag names him."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict

import regex

from barkflow.text import cues
from barkflow.text.characters import Cast

# Titles of a rank or office, and the noun a tag calls their bearer by. Not Mr./Mrs./Miss/Lady (a
# sex or courtesy, 'said the lady' is anyone) nor kin (Aunt, Father); Lord for the peer's rank only
# ('said the earl' is the Lord Marshmoreton met, never 'the lord').
NOUNS = {"Dr": ("doctor",), "Doctor": ("doctor",), "Sir": ("baronet", "knight"), "Captain": ("captain",),
          "Capt": ("captain",), "Colonel": ("colonel",), "Col": ("colonel",), "Major": ("major",),
          "General": ("general",), "Lieutenant": ("lieutenant",), "Admiral": ("admiral",),
          "Commander": ("commander",), "Professor": ("professor",), "Prof": ("professor",),
          "Inspector": ("inspector",), "Sergeant": ("sergeant",), "Judge": ("judge",), "Squire": ("squire",),
          "King": ("king",), "Queen": ("queen",), "Prince": ("prince",), "Princess": ("princess",),
          "Duke": ("duke",), "Duchess": ("duchess",), "Count": ("count",), "Countess": ("countess",),
          "Baron": ("baron",), "Baroness": ("baroness",), "Marquis": ("marquis",), "Cardinal": ("cardinal",),
          "Lord": ("earl", "viscount", "peer"),
          "Archdeacon": ("archdeacon",)}
# One far commoner bearer of a title is the one meant ('Captain Smollett' 29 times against a
# 'Captain Silver' of 3), as characters.py does for 'the Admiral'.
DOMINANT = 5
# How far back a bearer named in narration is still on the scene: a page or two.
RECENT = 3000
# A rank's title written before a name the cast holds without it ('Squire Trelawney' as Trelawney,
# where 'Squire' is too often lower case to be read as a title).
_TITLE_BEFORE = regex.compile(rf"\b({'|'.join(sorted(NOUNS, key=len, reverse=True))})\.?[ \t\n]+$")
# 'said the [young] doctor', after a tag's verb; 'the [young] doctor [slowly] said', before one.
_AFTER = regex.compile(r"\s+the\s+(?:(\p{Ll}+)\s+)?(\p{L}[\p{L}-]*)\b(?!['’]s\b)", regex.I)
_BEFORE = regex.compile(rf"\b[Tt]he\s+(?:(\p{{Ll}}+)\s+)?(\p{{L}}[\p{{L}}-]*){cues.BEFORE_VERB.pattern}")


class Ranks:
    """Each rank noun's bearers in a cast: who the book names with its title, how often, from where
    on they have been named beside a speech verb outside quotation marks, and where named at all."""

    def __init__(self, text: str, cast: Cast, quoted):
        self.bearers: dict[str, Counter] = defaultdict(Counter)
        self.spoke: dict[int, int] = {}  # character -> where it is first named beside a speech verb
        self.seen: dict[int, list[int]] = defaultdict(list)  # character -> where named in narration
        self.heard: dict[int, list[int]] = defaultdict(list)  # character -> where named, speech too
        for s, e, cid in cast.mentions:
            words = text[s:e].split()
            title = words[0] if len(words) > 1 and words[0].rstrip(".") in NOUNS else None
            if title is None and (m := _TITLE_BEFORE.search(text, max(0, s - 12), s)):
                title = m.group(1)  # 'Squire' before 'Trelawney'
            for noun in NOUNS.get(title.rstrip("."), ()) if title else ():
                self.bearers[noun][cid] += 1
            self.heard[cid].append(s)
            if quoted(s):
                continue
            self.seen[cid].append(s)
            if cid not in self.spoke and cues.beside_verb(text, s, e):
                self.spoke[cid] = s

    def named(self, noun: str, pos: int) -> int | None:
        """The one character 'the <noun>' at `pos` is, else None."""
        counts = self.bearers.get(noun.lower())
        if not counts:
            return None
        spoke = [cid for cid in counts if self.spoke.get(cid, pos) < pos]
        first = self.one_of(counts, spoke)
        if first is not None:
            # A minor bearer who has spoken ('Captain Silver', 3 times) is not 'the captain' just
            # after the book's far commoner one is named, even in a speech ('Captain Smollett, sir,
            # axing to speak with you'): that one is.
            big = [cid for cid in counts if cid not in spoke and counts[cid] >= DOMINANT * counts[first]
                   and named_lately(self.heard.get(cid, ()), pos)]
            return first if not big else big[0] if len(big) == 1 else None
        if spoke:
            # Two who have spoken, neither far commoner: the one named in the narration of the page
            # or two before, as below ('Dr Fillgrave' of a few scenes is no 'the doctor' of the rest).
            # Not one named with the title far less often than another ('Dr Thorne' read once as his niece).
            recent = self.one_of(counts, [cid for cid in spoke if named_lately(self.seen.get(cid, ()), pos)])
            return None if recent is None or any(counts[cid] >= DOMINANT * counts[recent] for cid in counts) else recent
        # None has spoken: the one named in the narration of the page or two before.
        recent = self.one_of(counts, [cid for cid in counts if named_lately(self.seen.get(cid, ()), pos)])
        if recent is not None:
            return recent
        # Else the one met by now, or named with the title five times as often as any other met:
        # a book may call its hero 'the prince' for chapters before a tag names him (The Idiot's
        # Prince Lef Nicolaievitch Muishkin), its surgeon 'the doctor' (Oliver Twist's Losberne).
        # The old captain who dies before Captain Smollett is met is still no Smollett (dev PDNC
        # all 16451 -> 16467 right: Oliver Twist +10, Northanger Abbey +6).
        return self.one_of(counts, [cid for cid in counts if self.heard.get(cid) and self.heard[cid][0] < pos])

    @staticmethod
    def one_of(counts: Counter, fits: list[int]) -> int | None:
        """The one of `fits`, or the one named with the title five times as often as any other."""
        fits = sorted(fits, key=lambda cid: -counts[cid])
        if len(fits) == 1 or (len(fits) > 1 and counts[fits[0]] >= DOMINANT * counts[fits[1]]):
            return fits[0]
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


def named_lately(starts: list[int], pos: int) -> bool:
    """Whether one of `starts` (sorted) lies within RECENT characters before `pos`."""
    i = bisect.bisect_left(starts, pos)
    return i > 0 and pos - starts[i - 1] <= RECENT
