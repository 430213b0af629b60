"""A first-person narrator's kin: 'my sister', 'my uncle', 'my guardian' in the narration and in its
tags ('"...," said my sister', 'my uncle said'). The book says once who that is, in apposition: 'My
sister, Mrs. Joe, was ...', 'my uncle Ebenezer unlocked', 'Mr. Eyre, my uncle,'. Where the
narration sets one character beside the noun so (and no other clearly as often), each 'my <noun>'
outside quotation marks is a mention of them, for the tags and the pronouns after it as a name is.
Where the narration never does, the narrator's own speech may ('"Do you know my--guardian, Mr.
Jarndyce, ma'am?" I asked'); where neither does, the tag names someone the cast cannot: no one, not
the latest of that sex. Inside a speech 'my sister' is the speaker's and is no mention."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import regex

from barkflow.text import cues
from barkflow.text.quotes import within

# Kin nouns and the sex they give; a guardian or cousin may be either.
NOUNS = {"mother": "F", "father": "M", "sister": "F", "brother": "M", "uncle": "M", "aunt": "F",
         "wife": "F", "husband": "M", "son": "M", "daughter": "F", "niece": "F", "nephew": "M",
         "grandmother": "F", "grandfather": "M", "stepmother": "F", "stepfather": "M", "godmother": "F",
         "godfather": "M", "mamma": "F", "mama": "F", "papa": "M", "cousin": "?", "guardian": "?"}
# 'my [poor] sister'; not 'my other sister' (a second one), nor 'my sister's' inside a clause.
_MY = regex.compile(rf"\b[Mm]y(?:\s+|--|—)(?:(?!other\b|second\b|third\b)\p{{Ll}}+\s+)?({'|'.join(NOUNS)})\b(?!-)(['’]s\b)?")
# A name set beside 'my sister': after it, with a comma and closing its clause ('my sister, Mrs.
# Joe Gargery, was'), or without one ('my uncle Ebenezer'); before it, closed ('Mr. Eyre, my uncle,').
# Not one of a list ('my aunt, Mr. Dick, and Janet', 'Mr. Dick, my aunt, and I', 'my mother,
# Peggotty, and I'): there each is someone else.
_CLOSES = regex.compile(r"(?:[ \t]+\p{Lu}\p{Ll}+)*\s*(?:[.;:!?)—]|,(?!\s*(?:and|or|nor|I)\b))")
_COMMA = regex.compile(r",[ \t\n]+")
_NAME_BEFORE = regex.compile(r",[ \t\n]+$")
# One named at least this many times as often as any other is the one the noun means.
LEAD = 2


def _apposed(text: str, m: regex.Match, starts: dict, ends: dict) -> int | None:
    """The character named in apposition to the 'my <noun>' matched at `m`, else None."""
    after = _COMMA.match(text, m.end(), m.end() + cues.AHEAD)
    if after and (hit := starts.get(after.end())):
        return hit[1] if _CLOSES.match(text, hit[0], hit[0] + cues.AHEAD) else None
    if text[m.end():m.end() + 1] == " " and (hit := starts.get(m.end() + 1)):
        return hit[1]
    before = _NAME_BEFORE.search(text, max(0, m.start() - 4), m.start())
    if before and _CLOSES.match(text, m.end(), m.end() + cues.AHEAD) and text[m.end()] in ",.;":
        return ends.get(before.start())
    return None


def _apposed_in_speech(text: str, m: regex.Match, starts: dict, quoted: Callable[[int], bool]) -> int | None:
    """The name set off by commas after 'my <noun>' inside a speech that goes on after it ('my--
    guardian, Mr. Jarndyce, ma'am?'); not one that ends the speech ('for my guardian, Mr. Peggotty,'
    said I), whom it calls."""
    after = _COMMA.match(text, m.end(), m.end() + cues.AHEAD)
    hit = starts.get(after.end()) if after else None
    close = _CLOSES.match(text, hit[0], hit[0] + cues.AHEAD) if hit else None
    return hit[1] if close and quoted(close.end()) else None


def _fits(noun: str, character) -> bool:
    """Whether a character may be 'my <noun>': not 'my sister' beside a man's name."""
    return "?" in (NOUNS[noun], character.gender) or NOUNS[noun] == character.gender


def _one_named(votes: Counter) -> int | None:
    """The one character named beside a noun, or named clearly most often; else None."""
    ranked = votes.most_common(2) + [(None, 0)] * 2
    (cid, n), (_, second) = ranked[0], ranked[1]
    return cid if n and n >= LEAD * second and n > second else None


def named_kin(text: str, cast, quoted: Callable[[int], bool], mine: Callable[[int], bool] = lambda pos: False
              ) -> tuple[list[regex.Match], dict[str, int | None]]:
    """The narration's 'my <noun>' matches, and for each noun the one character the book sets
    beside it (None where it names none, or no one clearly most often). Where the narration never
    does, the narrator's own speeches may (`mine`: '"Do you know my--guardian, Mr. Jarndyce?" I
    asked'); not another's, whose 'my sister' is theirs."""
    starts = {s: (e, cid) for s, e, cid in cast.mentions}
    ends = {e: cid for s, e, cid in cast.mentions}
    found, votes, said = [], defaultdict(Counter), defaultdict(Counter)
    for m in _MY.finditer(text):
        told = quoted(m.start())
        if told and not mine(m.start()):
            continue
        if not told:
            found.append(m)
        noun = m.group(1)
        cid = None if m.group(2) else (_apposed_in_speech(text, m, starts, quoted) if told else _apposed(text, m, starts, ends))
        if cid is not None and _fits(noun, cast.characters[cid]):
            (said if told else votes)[noun][cid] += 1
    return found, {noun: _one_named(votes[noun]) if votes[noun] else _one_named(said[noun])
                   for noun in {m.group(1) for m in found}}


def said_by_me(text: str, quotes) -> Callable[[int], bool]:
    """Whether a position is inside one of the narrator's speeches, tagged '"...," said I'."""
    return within([(q.start, q.end) for q in quotes if q.depth == 0 and cues.I_TAG.match(text, q.end - 1, q.end + cues.AHEAD)])


def add_mentions(ctx, quoted: Callable[[int], bool]) -> None:
    """In a book told in the first person (attribution calls this only for one), each 'my <noun>'
    of the narration becomes a mention of the one the book names so (an event, a clause's subject
    or actor, as rankrefs' are), and one the book never names stands in the tags as a name the
    cast cannot place (no speaker)."""
    text = ctx.text
    found, who = named_kin(text, ctx.cast, quoted, said_by_me(text, ctx.scan.quotes))
    for m in found:
        s, e, cid = m.start(), m.end(1), who[m.group(1)]
        if s in ctx.at:
            continue
        if cid is None or (m.group(2) and not cues.CLAUSE_START.search(text, max(0, s - 8), s)):
            ctx.at[s] = (e, cid)  # a tag's name, no one's: the pronouns pass it by
            continue
        ctx.add_mention(s, e, cid)
    ctx.events.sort()
