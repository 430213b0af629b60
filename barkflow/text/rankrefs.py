"""The narration's rank nouns as mentions of their one bearer: 'I met the baronet at the bottom.
His face was flushed ... "Halloa!" said he.' A reader takes 'the baronet' for Sir Henry there as
in a tag (text/ranks.py), so the 'he' that follows is Sir Henry, not the last man named by name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import regex

from barkflow.text import cues
from barkflow.text.ranks import NOUNS, Ranks, named_lately

_NOUN_WORDS = sorted({n for nouns in NOUNS.values() for n in nouns}, key=len, reverse=True)
# 'the [young] baronet', lower case (a capitalised 'the Admiral' is already a cast alias).
_REF = regex.compile(rf"\b[Tt]he\s+(?:\p{{Ll}}+\s+)?({'|'.join(_NOUN_WORDS)})\b(?!-)(['’]s\b)?")


def bearer(ranks: Ranks, noun: str, pos: int) -> int | None:
    """The one bearer of the noun's title who talks in the book, or the far commonest of those, if
    already named beside a speech verb before `pos`. Unlike a tag's Ranks.named, a bearer not met
    yet is not passed over: before Captain Smollett speaks, 'the captain' is no Captain Silver."""
    counts = ranks.bearers.get(noun, Counter())
    cid = Ranks.one_of(counts, [cid for cid in counts if cid in ranks.spoke])
    if cid is not None and ranks.spoke[cid] < pos:
        return cid
    # The book's one bearer, just named, though only in a speech ('Can you spare us a few minutes,
    # Dr. Hall?' ... 'The doctor looked at them all'): he, whom no tag has named yet.
    only = next(iter(counts)) if len(counts) == 1 else None
    return only if only is not None and named_lately(ranks.heard.get(only, ()), pos) else None


def mentions(text: str, ranks: Ranks, quoted: Callable[[int], bool]) -> Iterator[tuple[int, int, int]]:
    """(start, end, character) for each 'the [adjective] <rank noun>' outside quotation marks that
    names its bearer (start is the article's, end the noun's). Not a possessive inside a clause
    ('one of the doctor's books'): his things, not him, are about; 'The baronet's face fell' is him."""
    for m in _REF.finditer(text):
        s = m.start()
        if quoted(s) or (m.group(2) and not cues.CLAUSE_START.search(text, max(0, s - 8), s)):
            continue
        cid = bearer(ranks, m.group(1), s)
        # and only where a tag there would name the same one (Ranks.named: 'said the captain' just
        # after the book's far commoner captain is announced is he, not the minor one who spoke)
        if cid is not None and ranks.named(m.group(1), s) == cid:
            yield s, m.end(1), cid


def add_mentions(ctx, quoted: Callable[[int], bool]) -> None:
    """Adds the narration's rank nouns to attribution's context as its names are: an event, a
    mention, and a clause's subject or actor where one starts a clause or a finite verb follows."""
    text = ctx.text
    for s, e, cid in mentions(text, ctx.ranks, quoted):
        if s in ctx.at:
            continue
        ctx.add_mention(s, e, cid)
    ctx.events.sort()
