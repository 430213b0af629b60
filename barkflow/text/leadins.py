"""Narration closing a paragraph that leads into the speech opening the next one: 'Mr. Elton
warmly added,' as a paragraph of its own, or the narration after a paragraph's last quotation
('"...," said Lucy. Miss Bartlett rose with a sigh, and said:' / '"..."'). Where it starts is
decided here; who speaks is the lead-in tag's (attribution._tag)."""

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
