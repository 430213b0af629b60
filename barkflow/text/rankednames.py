"""A first name after a rank, for characters.py: 'Lady Amelia', 'Lord Tony', 'Prince Charles'.

A rank before a first name is worn by the one the book gives that rank: 'Princess Amelia' or 'Lady
Amelia' is no Amelia Sedley whom the book never titles so (a royal, a peer's daughter in passing),
and 'King Charles' no Charles Raggles. The same rank before a pet name is the same person: 'Lord
Tony' is 'Lord Antony', where a bare pet name is not a titled formal one ('Tom' is not Sir Thomas,
his son more likely)."""

from __future__ import annotations

from barkflow.text.givennames import formals

RANKS = {"Sir", "Lady", "Lord", "Dame", "King", "Queen", "Prince", "Princess"}


def rank_fits(title: str | None, forms) -> bool:
    """Whether a first name after `title` may name the entry with these (title, name) forms."""
    return title not in RANKS or any(t == title for t, _ in forms)


def same_rank_pet(title: str | None, first: str, e_title: str | None, e_first: str | None) -> bool:
    """Whether `title first` is a pet name of `e_title e_first` after the same rank."""
    return title in RANKS and title == e_title and bool(e_first) and \
        any(_spelled_alike(formal, e_first) for formal in formals(first))


def _spelled_alike(a: str, b: str) -> bool:
    """One formal name spelt with or without an h after t ('Anthony', 'Antony'; 'Matthew', 'Mathew')."""
    return a.replace("th", "t").replace("tt", "t") == b.replace("th", "t").replace("tt", "t")


def beside_ranked(entries: list, title: str | None) -> list:
    """Of the entries a bare first name may name, all but those the book only ever calls by that
    name after a rank and names less often than another: bare 'Peter' is Mr. Peter (33 times), not
    Sir Peter Arley (8), whom a narration calls by his rank; but 'Winter' is still Lord de Winter."""
    if title is not None:
        return entries
    plain = [e for e in entries if not e.titled_givens or e.givens]
    most = max((e.mentioned for e in plain), default=0)
    return [e for e in entries if e in plain or e.mentioned > most]
