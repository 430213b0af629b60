"""The cast's entries while characters.py merges a book's name forms: a list in the order found,
indexed so that a form looks only at the entries it could name. Every form looking at every entry
made the merge quadratic: a text naming thousands of people once each ('"...," said Mr. Abel.' and
so on) took minutes (bench/attribution_scaling.py's names).

A form with a surname can name only an entry bearing that surname, or one whose given names are
the whole form ('Tall Ned'). A bare first name can name only an entry one of whose names it shares
its first two letters with, or whose pet or formal names do (characters._merge_target's relations
are equality, a word of a longer name, a clipping or diminutive of three letters or more, a
hyphenated whole, and the pet-name table); other first names (short, hyphenated, after a rank,
whose relation spells 'th' as 't') look at every entry.
"""

from __future__ import annotations

from collections import defaultdict

from barkflow.text.givennames import formal, formals
from barkflow.text.rankednames import RANKS


class Entries(list):
    """characters._Entry objects: append() and name() keep the index; nothing else may change an
    entry's first or last name while it is in here."""

    def __init__(self):
        super().__init__()
        self._order: dict[int, int] = {}  # id(entry) -> its place in the list
        self._by_last: dict[str, list] = defaultdict(list)
        self._by_given: dict[str, list] = defaultdict(list)  # 'Tall Ned' -> Tall Ned Crook
        self._by_key: dict[str, list] = defaultdict(list)  # _keys() of each of its names -> entry

    def append(self, entry) -> None:
        self._order[id(entry)] = len(self)
        super().append(entry)
        self._index(entry, entry.first, entry.last)

    def name(self, entry, first: str | None, last: str | None) -> None:
        """Gives the entry the first and last name it lacks."""
        new_first, new_last = None if entry.first else first, None if entry.last else last
        entry.first, entry.last = entry.first or first, entry.last or last
        self._index(entry, new_first, new_last)

    def give(self, entry, first: str, titled: bool) -> None:
        """Adds a first name the entry is called by, after a rank (`titled`: Sir Thomas) or not."""
        (entry.titled_givens if titled else entry.givens).add(first)
        self._key(entry, first)

    def _index(self, entry, first: str | None, last: str | None) -> None:
        if last:
            self._by_last[last].append(entry)
            self._key(entry, last)
        if first:
            self._key(entry, first)
            if " " in first:
                self._by_given[first].append(entry)

    def _key(self, entry, name: str) -> None:
        for word in name.replace("-", " ").split():
            for key in _keys(word):
                if not self._by_key[key] or self._by_key[key][-1] is not entry:
                    self._by_key[key].append(entry)

    def bearing(self, last: str) -> list:
        """The entries with this surname, in the order found."""
        return self._by_last.get(last, [])

    def could_name(self, title: str | None, first: str | None, last: str | None) -> list:
        """The entries a form could name (characters._merge_target), in the order found; see the
        module docstring."""
        if last:
            found = self.bearing(last)
            return self._ordered(found + self._by_given.get(f"{first} {last}", [])) if first else found
        if not first or title in RANKS or len(first) < 3 or not first.isalpha():
            return self
        return self._ordered([e for key in _keys(first) for e in self._by_key.get(key, [])])

    def _ordered(self, entries: list) -> list:
        return sorted({id(e): e for e in entries}.values(), key=lambda e: self._order[id(e)])


def _keys(word: str) -> set[str]:
    """A name's first two letters, and those of the formal names it is a pet name of (Bob: Bo, Ro;
    Robert is found from Bob's keys)."""
    return {name[:2] for name in (word, formal(word), *formals(word))}
