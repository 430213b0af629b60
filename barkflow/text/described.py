"""The sex of a speaker a tag describes rather than names ('said the girl', 'replied the old
gentleman'): a reader knows a described girl is a woman, so in a talk between a man and a woman
she is the woman (turns.py)."""

from __future__ import annotations

import regex

# Nouns that say one person's sex ('doctor', 'stranger', 'child' do not).
_FEMALE = frozenset("""girl lady woman matron mother wife sister daughter aunt widow maid maiden damsel
landlady hostess mistress queen duchess princess countess governess spinster dame grandmother niece
bride lass wench actress madam""".split())
_MALE = frozenset("""man gentleman boy fellow father husband brother son uncle lad youth nephew
grandfather king duke prince lord squire chap gent bachelor bridegroom""".split())
# The description right after a tag's verb: its determiner and up to three words.
_AFTER = regex.compile(r"\s+(?:the|his|her|their|my|our|your|a|an|one|another|some|that|this)((?:\s+[\p{L}-]+){1,3})",
                       regex.I)


def described_sex(text: str, pos: int, end: int) -> str:
    """'F' or 'M' where a description right after a tag's verb at `pos` (before `end`) names a
    woman or a man ('said the old lady', 'cried the young man, rising'), else '?'."""
    m = _AFTER.match(text, pos, end)
    return words_sex(m.group(1)) if m else "?"


# Right after a quote: its closing mark, the tag's verb (an adverb may follow) and 'the' + a noun
# naming a role ('said the doctor', 'replied the officer'), not one of those present ('the other').
_ROLE = regex.compile(r"[\"'”’]?[\s,;:!?.—-]*\p{L}+(?:\s+\p{L}+ly)?\s+the\s+(?!(?:other|latter|former|person|one)\b)\p{L}",
                      regex.I)


def a_role(text: str, pos: int, end: int) -> bool:
    """Whether the tag right after a quote ending at `pos` (before `end`) describes its speaker by
    a role ('said the doctor', 'cried the stranger'): someone the cast cannot name."""
    return _ROLE.match(text, pos, end) is not None


# Words that never belong to a described speaker's noun phrase: pronouns, joining and relative
# words, auxiliaries ('the door opened and said', 'a smile which said', 'the men were saying'),
# and the words that point back at one of those present ('the other said', 'the former cried').
_NOT_DESCRIPTION = frozenset("""he she it they we i you his her their its him them me us my our your
who whom which that what whose and or but nor then so as if when while than to in on at by for with
from into upon was were is are be been had has have would could should will shall did do does might
must may can not never always also too only just still even other others latter former first second
last same rest""".split())
# A described speaker before a tag's verb: a determiner ('the', 'a', 'one of the', 'somebody') and
# up to three lower-case words, then a manner adverb or a clause set off by commas ('The old porter,
# leaning on his barrow, said:'), right up to the verb.
_DESCRIBED_BEFORE = regex.compile(
    r"(?P<d>\b(?:[Tt]he|[Aa]n?|[Oo]ne(?:\s+of\s+(?:them|us|the|these|those))?|[Aa]nother|[Ss]ome(?:body|one)|"
    r"[Ee]very(?:body|one)|[Nn]obody)(?P<w>(?:\s+\p{Ll}[\p{Ll}-]*){0,3}))"
    r"(?:,[^,.!?;:\"“”]{1,60},)?(?:\s+\p{Ll}+ly)?\s+$")
# What starts the clause a described speaker heads: a sentence's or clause's stop, or a joining
# word ('Then the duke says:', 'So one of them called out:', 'and the porter said,').
_CLAUSE_OPENS = regex.compile(r"(?:[.!?;:,—-][\"'”’]*\s*|\b(?:[Tt]hen|[Ss]o|[Bb]ut|[Aa]nd|[Nn]ow|[Ww]hen|[Tt]ill|[Uu]ntil|[Ww]hile)\s+)$")


def described_before(text: str, start: int, verb: int) -> tuple[int, int] | None:
    """The span of a description heading its clause in narration [start, verb), as the subject of
    the speech verb at `verb` ('The old porter says', 'One of them called out', 'the butler broke
    in'), else None."""
    m = _DESCRIBED_BEFORE.search(text, max(start, verb - 140), verb)
    if m is None:
        return None
    words = m.group("w").lower().split()
    if not words and m.group("d").split()[0].lower() in ("the", "a", "an", "one"):
        return None  # 'and the said', 'one says': no description at all
    if any(w in _NOT_DESCRIPTION for w in words):
        return None
    if words and " of " not in m.group("d") and regex.search(r"[^s]s$", words[-1]):
        return None  # 'the boulders said', 'the girls say': a chorus, not one speaker's turn
    opening = text[start:m.start()].strip(" \t\n\"'“‘”’")
    if opening and not _CLAUSE_OPENS.search(text, max(start, m.start() - 8), m.start()):
        return None  # 'he told the porter said': no clause of its own
    return m.start("d"), m.end("d")


def words_sex(words: str) -> str:
    """'F' or 'M' where a description's words name a woman or a man, else '?'."""
    for word in words.lower().split():
        if word in _FEMALE:
            return "F"
        if word in _MALE:
            return "M"
    return "?"


# Verbs of a speaker going on: 'continued the man' is the one who spoke last, not one answering.
_GOING_ON = regex.compile(r"(?:continued|continues|went\s+on|goes\s+on|added|adds|resumed|repeated|pursued)\b")


def described_one(ctx, sex: str, pos: int, verb: str) -> int | None:
    """The one a tag's description of that sex ('replied the man', at `pos`) stands for, as its
    pronoun would resolve, passing over the speaker of the speech just before (ctx.answered), whom
    it answers ('"Good morning," he said. / "Good morning," replied the man.'); not where its verb
    goes on speaking ('continued the man')."""
    if sex not in ("F", "M"):
        return None
    answered = ctx.answered if not _GOING_ON.match(verb) else None
    avoid = ctx.avoid | {answered} if answered is not None else ctx.avoid
    found = ctx.resolve("she" if sex == "F" else "he", pos, tag=True, avoid=avoid)[0]
    return None if found == answered else found  # no one else of that sex: someone the cast cannot name
