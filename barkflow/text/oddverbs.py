"""Tags whose verb no speech-verb list holds ('"...," cheered Chet', '"...," Miss Villets reproved',
'Mrs. Clark lamented, "..."'): attribution.py reads them where cues.VERB_RE finds no verb beside a
quotation. A verb and a name there are a tag whatever the verb, where the quotation's closing mark
says its sentence goes on or ends in a question or cry, or the narration leads in with a comma or
colon. Takes the attribution's context (ctx.text, ctx.at, ctx.subject_at, ctx.subject_before).
"""

from __future__ import annotations

import bisect

import regex

from barkflow.text import cues
from barkflow.text.turns import ANAPHORIC, EXPLICIT

LEAD_TYPES = (EXPLICIT, ANAPHORIC)
SPEAKING = regex.compile(r"\s+was\s+(?:beginning|saying|going\s+on|continuing)\b")
# 'he' or 'she' and a past tense no speech-verb list holds ('"...?" she challenged', '"Susan!" he
# bawled'): the speaker, after a question, a cry or a speech broken off; after a comma the verb is
# as often what the speaker does next as a tag ('"...," he looked up') (dev PDNC all 16842 ->
# 16845 right, answered 20413 unchanged; with the comma too 16842, 5 fewer answered).
PRONOUN_PAST = regex.compile(rf"(?:he|she)\s+{cues.PAST}\b")
# A lead-in closing on 'with' and its mark ('He burst out with:', 'Mr. Weston accosted her with,',
# 'Aziz cut him short with:'): the verb's subject says the speech that follows. Its object may be a
# pronoun or a short noun phrase ('opened the discussion with:'), a particle or an adverb may follow.
# A named subject only (dev PDNC all 16862 -> 16865 right, explicit 6951 -> 6952/7202); 'He burst out
# with:' as well, 16862: its pronoun took the other man of the talk as often as the turns erred.
WITH_LEAD = regex.compile(r"\b\p{Ll}{2,}(?:\s+(?:him|her|them|me|us|it|(?:the|a|an|his|her|their)\s+\p{Ll}+))?"
                          r"(?:\s+(?:out|short|up|in|on|off|again|forth|\p{Ll}+ly))?\s+with[,:—-]+[ \t\n]*[\"“'‘]?$")
# A lead-in pointing at the speech to come ('Sleary communicated the following hint', 'Emma thus
# moralised to herself:', 'spoke as follows:', 'in these words:'): its clause's named subject speaks
# (dev PDNC all 16890 -> 16891 right, explicit 6959 -> 6960/7202, and 4 right ones now tags).
FORWARD = regex.compile(r"\b(?:thus|as\s+follows|the\s+following|these\s+words)\b[^.!?;\"“”]{0,80}[,:.—-]*[ \t\n]*[\"“'‘]?$")
FROM = regex.compile(r"(?:(?:burst|came|broke|escaped)\s+)?from\b")


def odd_verb_tag(ctx, closing: str, s: int, end: int) -> tuple[int, str, float] | None:
    """A tail tag whose verb no speech-verb list holds: 'cheered Chet' after a quotation's comma, '?',
    '!' or dash, 'Miss Villets reproved' after its comma or dash, where its sentence goes on (dev PDNC
    all 16458 -> 16459, explicit 6868 -> 6875/7202; Main Street's name-tag check 178 -> 188/197)."""
    text, found = ctx.text, None
    if m := FROM.match(text, s, end):
        # '"M--m--m!" from Mr. Wilcox', '"...!" burst from William': the speech comes from them
        # (dev PDNC all 16651 -> 16655 right, explicit 6933 -> 6936/7202).
        found = ctx.subject_at(m.end(), min(end, m.end() + 40))
    elif closing and closing in ",?!—-" and (m := cues.PAST_VERB.match(text, s, end)):
        found = ctx.subject_at(m.end(), min(end, m.end() + 40))
    elif closing in (",", "—", "-") and (hit := ctx.at.get(s)) and cues.PAST_VERB_AFTER.match(text, hit[0], end):
        found = hit[1], EXPLICIT, 0.95
    elif closing in ",?!—-" and (hit := ctx.at.get(s)) and SPEAKING.match(text, hit[0], end):
        found = hit[1], EXPLICIT, 0.95  # '"...!" Alice was beginning very angrily' (dev PDNC all 16655 -> 16656)
    elif closing and closing in "?!—-" and (m := PRONOUN_PAST.match(text, s, end)):
        found = ctx.subject_at(s, m.end())
        return found if found and found[0] is not None and found[1] == ANAPHORIC else None

    return found if found and found[0] is not None and found[1] == EXPLICIT else None


def odd_lead_in(ctx, s: int, e: int) -> tuple[int, str, float] | None:
    """A lead-in tag whose verb no speech-verb list holds, a name and a past tense ending the
    narration [s, e) in a comma or colon: 'Mrs. Clark lamented, "..."', 'she twittered:' (dev PDNC
    all 16493 -> 16494, answered unchanged; Main Street's name-tag check 189 -> 190/197); else a
    name and its verb closing on 'with:' ('Mr. Weston accosted her with,')."""
    m = cues.PAST_VERB_LEAD.search(ctx.text, s, e)
    found = ctx.subject_before(m.start(), s) if m else None
    if found is None and (m := FORWARD.search(ctx.text, s, e)):
        found = _named_ahead(ctx, s, m.start())
    if found is None and (m := WITH_LEAD.search(ctx.text, s, e)):
        found = ctx.subject_before(m.start(), s)
        found = found if found and found[1] == EXPLICIT else None
    return found if found and found[0] is not None and found[1] in LEAD_TYPES else None


def _named_ahead(ctx, s: int, at: int) -> tuple[int, str, float] | None:
    """The latest name heading a clause in [s, at), where no he or she comes after it ('Louisa stood
    by, while he proceeded thus:' is his)."""
    cid = ctx.clause_subject(s, at)
    if cid is None:
        return None
    i, j = bisect.bisect_left(ctx.event_pos, s), bisect.bisect_left(ctx.event_pos, at)
    last = max((p for p, c in ctx.events[i:j] if c == cid), default=s)
    return None if cues.SUBJECT_PRONOUN.search(ctx.text, last, at) else (cid, EXPLICIT, 0.8)
