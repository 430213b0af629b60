"""A speech given as someone's saying, with no speech verb: '"...," was Mary's reasoning', '"..."
was an artless exclamation of Catherine's', 'Mary's declaration was, "..."'. The name owning a
noun of saying is the speaker (dev PDNC all 16622 -> 16636 right, explicit 6916 -> 6924/7202).
Takes the attribution's context (ctx.text, ctx.at, ctx.mention_ending)."""

from __future__ import annotations

import regex

from barkflow.text.turns import EXPLICIT

# Nouns of saying that a speech can be named as ('was her reply'): a small lexicon of English.
NOUNS = frozenset((
    "answer", "reply", "rejoinder", "response", "retort", "remark", "comment", "observation",
    "exclamation", "question", "inquiry", "enquiry", "opinion", "reasoning", "language",
    "declaration", "words", "cry", "greeting", "assurance", "advice", "apology", "admission",
    "conclusion", "injunction", "amendment", "consolation", "explanation", "verdict", "protest",
    "objection", "whisper", "entreaty", "request", "contribution", "sentiment", "salutation",
    "apostrophe", "exhortation", "suggestion", "proposal", "word",
))
_OWNS = r"(?:['’]s|\x20s)"  # the possessive, its apostrophe sometimes lost ('Margaret s')
# After the quotation: 'was ' and, in the 'of' form, 'an artless exclamation of '.
_WAS = regex.compile(r"(?:was|were)\s+(?:(?:an?|the|one|his|her)\s+(?:\p{Ll}+\s+){0,2}(?P<noun>\p{Ll}+)\s+(?:of|from)\s+)?")
_OWNED_NOUN = regex.compile(rf"{_OWNS}\s+(?:\p{{Ll}}+\s+)?(?P<noun>\p{{Ll}}+)\b")
# Before the quotation: "Mary's declaration was," / "Sir Walter's remark was, soon afterwards--".
# The noun may be left to the one before ('Emma's remark was-- "..." Harriet's was-- "...").
_LEAD = regex.compile(rf"{_OWNS}\s+(?:(?:\p{{Ll}}+\s+)?(?P<noun>\p{{Ll}}+)\s+(?:was|were)\b[^.!?;\"“”]{{0,30}}|(?:was|were))"
                      rf"[,:—-]+[ \t\n]*$")


def possessed_tail(ctx, s: int, end: int) -> tuple[int, str, float] | None:
    """'was Mary's reasoning' / 'was an exclamation of Catherine's' starting at `s`, after a quotation."""
    m = _WAS.match(ctx.text, s, end)
    hit = ctx.at.get(m.end()) if m else None
    if not hit or hit[1] is None:
        return None
    if m.group("noun"):
        ok = m.group("noun") in NOUNS
    else:
        own = _OWNED_NOUN.match(ctx.text, hit[0], end)
        ok = bool(own and own.group("noun") in NOUNS)
    return (hit[1], EXPLICIT, 0.9) if ok else None


def possessed_lead(ctx, s: int, e: int) -> tuple[int, str, float] | None:
    """'Mary's declaration was,' ending the narration [s, e) before a quotation."""
    m = _LEAD.search(ctx.text, s, e)
    if not m or m.group("noun") not in (*NOUNS, None):
        return None
    hit = ctx.mention_ending(m.start(), s)
    return (hit[1], EXPLICIT, 0.9) if hit and hit[1] is not None else None
