"""Narration closing a paragraph that leads into the speech opening the next one: 'Mr. Elton
warmly added,' as a paragraph of its own, or the narration after a paragraph's last quotation
('"...," said Lucy. Miss Bartlett rose with a sigh, and said:' / '"..."'). Where it starts is
decided here; who speaks is the lead-in tag's (attribution._tag). And a quotation a tag leads into
that closes with a stop keeps that tag: the sentence after it is no second tag of it."""

from __future__ import annotations

from barkflow.text import cues

LEAD_END = ",:-—"
# Marks ending a quotation whose tag follows it ('"...," said Emma'): not a stop.
TAGGED_END = ",!?-—"


def leads_into_next(text: str, start: int, end: int, after_quote: bool) -> bool:
    """Whether narration [start, end) closing a paragraph leads into the next paragraph's speech. It
    ends the way a lead-in does, in a comma, colon or dash; one that follows the paragraph's last
    quotation (`after_quote`: `start` at its closing mark) must be more than that quotation's own tag."""
    if start >= end or text[start:end].rstrip()[-1:] not in LEAD_END:
        return False
    return not (after_quote and _only_its_tail(text, start, end))


def _only_its_tail(text: str, s: int, e: int) -> bool:
    """Whether narration [s, e) after a quotation is no more than that quotation's own tag, cut off
    by a dash ('"...," said the gallant Mr. Elton--' / '"I have ..."' is someone breaking in): its
    last speech verb comes before any comma or stop."""
    if text[s - 1:s] not in TAGGED_END:
        return False
    verbs = list(cues.VERB_RE.finditer(text, s, e))
    if not verbs:
        return False
    return not any(c in ",.;:!?" for c in text[s + 1:verbs[-1].start()])


def drop_tails_after_a_stop(text: str, quotes: list, own: list[list], start: int, leads_in) -> None:
    """A quotation led in by a tag naming someone ('calling from the door, "Aziz, farewell for ever."')
    that closes with a full stop: the sentence after it is the next thing that happens ('The tumult
    increased, the invocation of Mrs. Moore continued'), not a second tag of that quotation naming
    someone else; its tail (own[i][1]) is dropped. `leads_in(text, s, e)`: whether narration [s, e)
    ends the way a lead-in does (dev PDNC all 16878 -> 16880 right, anaphoric 3646 -> 3648)."""
    for i, q in enumerate(quotes):
        head, tail = own[i]
        if head and tail and head[0] is not None and tail[0] not in (None, head[0]) and text[q.end - 1:q.end] == "." \
                and leads_in(text, quotes[i - 1].end if i else start, q.start):
            own[i][1] = None
