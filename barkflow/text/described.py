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
    for word in m.group(1).lower().split() if m else ():
        if word in _FEMALE:
            return "F"
        if word in _MALE:
            return "M"
    return "?"


# Right after a quote: its closing mark, the tag's verb (an adverb may follow) and 'the' + a noun
# naming a role ('said the doctor', 'replied the officer'), not one of those present ('the other').
_ROLE = regex.compile(r"[\"'”’]?[\s,;:!?.—-]*\p{L}+(?:\s+\p{L}+ly)?\s+the\s+(?!(?:other|latter|former|person|one)\b)\p{L}",
                      regex.I)


def a_role(text: str, pos: int, end: int) -> bool:
    """Whether the tag right after a quote ending at `pos` (before `end`) describes its speaker by
    a role ('said the doctor', 'cried the stranger'): someone the cast cannot name."""
    return _ROLE.match(text, pos, end) is not None
