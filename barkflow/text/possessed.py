"""A speech given as someone's saying, with no speech verb: '"...," was Mary's reasoning', '"..."
was an artless exclamation of Catherine's', 'Mary's declaration was, "..."'. The name owning a
noun of saying is the speaker (dev PDNC all 16622 -> 16636 right, explicit 6916 -> 6924/7202); a
possessive 'his' or 'her' is the person a tag's pronoun would be ('"...," was his answer').
Takes the attribution's context (ctx.text, ctx.at, ctx.mention_ending)."""

from __future__ import annotations

import regex

from barkflow.text.turns import ANAPHORIC, EXPLICIT

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


# 'was his answer', 'was all her answer', 'was therefore his reply': the person the pronoun stands for,
# as a tag's 'he' would (dev PDNC all 16869 -> 16882 right, answered 20412 -> 20420; the turns alone
# had most of them, their pronoun answers the rest and the turns counted on from them).
_WAS_HIS = regex.compile(r"(?:was|were)\s+(?:(?:then|therefore|all|only|now)\s+)?([Hh]is|[Hh]er)\s+(?:\p{Ll}+\s+){0,2}?(?P<noun>\p{Ll}+)\b")


def _owner(ctx, m: regex.Match) -> tuple[int, str, float] | None:
    """The person the possessive in `m`'s first group stands for, as a tag's 'he' or 'she' resolves."""
    cid, conf = ctx.resolve("he" if m.group(1).lower() == "his" else "she", m.start(1), tag=True)
    return (cid, ANAPHORIC, conf) if cid is not None else None


def possessed_tail(ctx, s: int, end: int) -> tuple[int, str, float] | None:
    """'was Mary's reasoning' / 'was an exclamation of Catherine's' starting at `s`, after a quotation."""
    if (m := _WAS_HIS.match(ctx.text, s, end)) and m.group("noun") in NOUNS:
        return _owner(ctx, m)
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


# 'His answer was puzzling: "..."', 'to which his prompt reply was,' (dev PDNC all 16882 -> 16883).
_HIS_LEAD = regex.compile(r"\b([Hh]is|[Hh]er)\s+(?:\p{Ll}+\s+)?(?P<noun>\p{Ll}+)\s+(?:was|were)\b[^.!?;\"“”]{0,30}[,:—-]+[ \t\n]*[\"“'‘]?$")


def possessed_lead(ctx, s: int, e: int) -> tuple[int, str, float] | None:
    """'Mary's declaration was,' ending the narration [s, e) before a quotation."""
    if (m := _HIS_LEAD.search(ctx.text, s, e)) and m.group("noun") in NOUNS:
        return _owner(ctx, m)
    m = _LEAD.search(ctx.text, s, e)
    if not m or m.group("noun") not in (*NOUNS, None):
        return None
    hit = ctx.mention_ending(m.start(), s)
    return (hit[1], EXPLICIT, 0.9) if hit and hit[1] is not None else None
