"""A speech that names its own speaker: 'It's me, Huck!', 'I am Jane', 'My name is Ben', 'Ben's my
name', or a name opening the answer to 'Who are you?' ('Becky Thatcher. What's yours?'). A reader
takes such a name for the one talking, so attribution.py neither reads it as whom the speech
addresses nor rules that person out as its speaker; where the words are clear it names the speaker.
'It's only Huck Finn!' is softer (the one at the door, but a third person may say it of him): it
only stops ruling him out. Patterns only, each matched at one place: linear in the text."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from barkflow.text import cues

_APOS = "['’]"
# The words before a name that announce the speaker as that person. Not 'I am not X' (Meg says
# 'I'm not Meg tonight'), nor 'This is X' (in a novel's rooms, an introduction of someone else).
_CLEAR_BEFORE = regex.compile(rf"(?:\bI(?:\s+am|{_APOS}m)\s+(?:only\s+|just\s+)?|\b[Mm]y\s+name(?:\s+is|{_APOS}s)\s+|"
                              r"\b[Cc]all\s+me\s+)$")
# 'It is I, Pip.' names the speaker, but 'It is I, Aunt Reed.' calls on the listener: one names
# oneself by a bare name and others by their title, so after these words only a bare name counts.
_ME_BEFORE = regex.compile(rf"\b(?:[Ii]t{_APOS}s|[Ii]t\s+is|{_APOS}[Tt]is)\s+(?:me|I)\s*[,—–-]+\s*$")
_TITLED = regex.compile(r"(?:Mr|Mrs|Ms|Miss|Master|Dr|Sir|Lady|Lord|Madam|Madame|Aunt|Uncle|Cousin|Captain|Colonel|"
                        r"Father|Mother|Sister|Brother)\b")
_SOFT_BEFORE = regex.compile(rf"\b(?:[Ii]t{_APOS}s|[Ii]t\s+is|{_APOS}[Tt]is)\s+(?:only|just|on{_APOS}y)\s+$")
_CLEAR_AFTER = regex.compile(rf"(?:{_APOS}s|\s+is)\s+my\s+name\b")
# 'I am Peter Wilks's brother', 'it's only Tom's giddy way': someone else, of theirs.
_POSSESSIVE = regex.compile(rf"{_APOS}s\b|\x20s\b")
# A name repeated in full right after ('Eyre--Jane Eyre.', 'Blodgett--Elexander Blodgett').
_REPEATED = regex.compile(r"[\s,—–-]{1,3}")
# A question asking the listener who they are; the answer opening with a name gives that name.
# Not 'Who is it?' or 'Who's that?', which may ask about a third person.
WHO_ASKED = regex.compile(rf"\b(?:[Ww]ho(?:\s+are\s+you|\s+art\s+thou|\s+goes\s+there|{_APOS}s\s+there|\s+is\s+there)|"
                          rf"[Ww]hat(?:{_APOS}s|\s+is)\s+(?:your|thy)\s+name)\b[^?!.]*\?")
# How far before a name its announcing words may start.
_REACH = 24


@dataclass(frozen=True)
class SelfNamed:
    """The people a paragraph's speech names as its own speaker."""

    speaker: int | None = None          # the one clearly named as the speaker, else None
    mentions: frozenset[int] = frozenset()  # start offsets of the self-naming mentions


def self_named(text: str, inside: list[tuple[int, int, int]], quotes: list, asked: bool,
               speakers: set[int] | frozenset[int] = frozenset()) -> SelfNamed:
    """The self-naming names among `inside` (the mentions (start, end, character) within `quotes`,
    in order). `asked`: the speech just before asked the listener who they are. The speaker named
    is the fullest clear name, and only one of `speakers` (people the book shows talking): a name
    worn in a game or a lie ('I am Robin Hood', 'my name's Blodgett') is no one else who talks."""
    best, starts, chain = None, set(), -1
    for s, e, cid in inside:
        q = next((q for q in quotes if q.start <= s < q.end), None)
        if q is None:
            continue
        clear = _CLEAR_AFTER.match(text, e, e + cues.AHEAD) is not None
        if not clear and _POSSESSIVE.match(text, e, e + cues.AHEAD):
            continue
        head = max(q.start, s - _REACH)
        clear = clear or bool(_CLEAR_BEFORE.search(text, head, s)) \
            or (bool(_ME_BEFORE.search(text, head, s)) and not _TITLED.match(text, s, s + cues.AHEAD)) \
            or (asked and q is quotes[0] and (s == q.start or s == chain))
        if clear or _SOFT_BEFORE.search(text, head, s):
            starts.add(s)
        if clear:
            gap = _REPEATED.match(text, e, e + cues.AHEAD)
            chain = gap.end() if gap else -1
            if cid in speakers and (best is None or e - s > best[1] - best[0]):
                best = (s, e, cid)
    return SelfNamed(best[2] if best else None, frozenset(starts))
