"""Narration closing a paragraph that leads into the speech opening the next one: 'Mr. Elton
warmly added,' as a paragraph of its own, or the narration after a paragraph's last quotation
('"...," said Lucy. Miss Bartlett rose with a sigh, and said:' / '"..."'). Where it starts is
decided here; who speaks is the lead-in tag's (attribution._tag). And a quotation a tag leads into
that closes with a stop keeps that tag: the sentence after it is no second tag of it."""

from __future__ import annotations

import regex

from barkflow.text import cues

LEAD_END = ",:-—"
# Marks ending a quotation whose tag follows it ('"...," said Emma'): not a stop.
TAGGED_END = ",!?-—"
# A last sentence ending on a verb that opens or carries on a speech, adverbs after it and a full
# stop ('Mr. Weston went on.', 'she began at once.', 'Mrs. Norris fetched breath, and went on again.'):
# it leads in as a comma does. Its subject a name or 'he'/'she', or left out after 'and'; not 'the
# tragedy began.' (dev PDNC all 16865 -> 16867 right, explicit 6952 -> 6954/7202).
ONWARD = regex.compile(rf"(?:\b\p{{Lu}}\p{{Ll}}+|\b[Hh]e|\b[Ss]he|\bI|\band)(?:\s+{cues.ADVERB})*\s+"
                       r"(?:went\s+on|broke\s+in|cut\s+in|put\s+in|began|continued|resumed|pursued|interposed)"
                       rf"(?:\s+(?:{cues.ADVERB}|aloud))*[.]$")


# A last sentence pointing at the speech to come ('Sleary communicated the following hint, apart to
# Mr. Bounderby.'): a lead-in too, its speaker oddverbs.FORWARD's.
FORWARD = regex.compile(r"\b(?:as\s+follows|the\s+following\s+\p{Ll}+)\b[^.!?;\"“”]{0,60}[.]$")


def leads_into_next(text: str, start: int, end: int, after_quote: bool) -> bool:
    """Whether narration [start, end) closing a paragraph leads into the next paragraph's speech. It
    ends the way a lead-in does, in a comma, colon or dash, or on a speech carried on or pointed at
    (ONWARD, FORWARD); one that follows the paragraph's last quotation (`after_quote`: `start` at its
    closing mark) must be more than that quotation's own tag."""
    lead = text[start:end].rstrip()
    if lead[-1:] in LEAD_END:
        return not (after_quote and _only_its_tail(text, start, end))
    # After a quotation, its own sentence is its tag ('"...," Mrs. Moore interposed.'): not a lead-in.
    onward = ONWARD.search(lead) or FORWARD.search(lead)
    return bool(onward) and not (after_quote and not cues.SENTENCE_END.search(text, start + 1, end))


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


def leads_in(text: str, s: int, e: int) -> bool:
    """Whether narration [s, e) ends the way a lead-in tag does: 'said,', 'replied:', 'cried--', or
    a speech verb with no stop ('the Gryphon added "..."')."""
    lead = text[s:e].rstrip(" \t\n\"'“‘")
    return lead.endswith((",", ":", "—", "-")) or cues.VERB_END.search(lead) is not None


def drop_tails_after_a_stop(text: str, quotes: list, own: list[list], start: int) -> None:
    """A quotation led in by a tag naming someone ('calling from the door, "Aziz, farewell for ever."')
    that closes with a full stop: the sentence after it is the next thing that happens ('The tumult
    increased, the invocation of Mrs. Moore continued'), not a second tag of that quotation naming
    someone else; its tail (own[i][1]) is dropped (dev PDNC all 16878 -> 16880 right, anaphoric
    3646 -> 3648)."""
    for i, q in enumerate(quotes):
        head, tail = own[i]
        if head and tail and head[0] is not None and tail[0] not in (None, head[0]) and text[q.end - 1:q.end] == "." \
                and leads_in(text, quotes[i - 1].end if i else start, q.start):
            own[i][1] = None
