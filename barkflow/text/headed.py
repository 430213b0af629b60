"""Tellings a book heads with their writer's name: 'JONATHAN HARKER'S JOURNAL', 'Dr. Seward's Diary.',
'THE STORY CONTINUED BY MARIAN HALCOMBE', 'Contributed by Franklin Blake.', 'Letter, Lucy Westenra
to Mina Murray'. A journal novel or a book of narratives says who 'I' is at the head of each part;
where the heads name two or more of the cast, each part's 'I' is its writer; the narrator's speeches
left (before the first head, under a head naming no one in the cast) name the narrator as before.
`ctx` is attribution's context, as in narrator.py."""

from __future__ import annotations

import bisect
from collections import Counter

import regex

from barkflow.text.titles import TITLES

_NAME = r"(?P<name>(?:\p{Lu}[\p{L}'’]*\.?[ \t]+){0,3}\p{Lu}[\p{L}'’]*)"
HEAD = regex.compile(
    r"[ \t_]*(?:"
    rf"{_NAME}['’](?i:s)[ \t]+(?i:phonograph[ \t]+)?(?i:journal|diary|narrative|statement|memorandum)\b"
    rf"|(?i:(?:the[ \t]+)?(?:story|narrative)(?:[ \t]+(?:begun|continued|concluded|resumed))?[ \t]+by)[ \t]+{_NAME}"
    rf"|(?i:contributed|related|written|told)[ \t]+(?i:by)[ \t]+{_NAME}"
    rf"|(?i:(?:extracted[ \t]+from[ \t]+)?(?:the[ \t]+)?(?:journal|diary|narrative|statement)[ \t]+of)[ \t]+{_NAME}"
    rf"|(?i:letter),?[ \t]+(?i:from[ \t]+)?{_NAME}[ \t]+(?i:to)\b"
    r")[^\n]*")
# A head is a paragraph of one short line.
HEAD_LONGEST = 160


def _writer(characters, name: str, narrated: Counter) -> int | None:
    """The cast entry a head's name is: of those it names (a titled name's own entry; else all its words,
    or its first word and no word it lacks: 'Mr. Franklin' for 'Franklin Blake', 'Mina' for 'Mina
    Harker', not 'Mrs. Harker'), the one the narration names most, the writer's usual entry; else
    the only one with its surname ('Mr. Bruff' for 'Mathew Bruff')."""
    name = " ".join(w.title() if w.isupper() else w for w in name.split())
    words = [w for w in name.replace(".", " ").split() if w not in TITLES]
    if not words:
        return None
    named = [{w for a in c.aliases for w in a.replace(".", " ").split()} for c in characters]
    titled = name.split()[0].rstrip(".") in TITLES  # 'Mrs. Harker' is the one so called, not her husband
    fits = [c.id for c in characters if titled and name in c.aliases] or [
        c.id for c, ws in zip(characters, named) if set(words) <= ws or words[0] in ws and ws - set(TITLES) <= set(words)]
    if fits:
        return max(fits, key=lambda cid: narrated[cid])
    surnamed = [c.id for c, ws in zip(characters, named) if words[-1] in ws]
    return surnamed[0] if len(surnamed) == 1 else None


def headed_parts(turns, ctx) -> list[tuple[int, int, int]] | None:
    """(first turn, end turn, writer) for each part whose head names one of the cast; None where the
    heads name fewer than two of them."""
    narrated = Counter(cid for _, cid in ctx.events)
    found = (HEAD.fullmatch(ctx.text, p.start, p.end) for p in ctx.scan.paragraphs if p.end - p.start <= HEAD_LONGEST)
    heads = [(m.start(), _writer(ctx.cast.characters, m.group("name"), narrated)) for m in found if m]
    if len({cid for _, cid in heads if cid is not None}) < 2:
        return None
    starts = [t.quotes[0].start for t in turns]
    cuts = [bisect.bisect_left(starts, pos) for pos, _ in heads] + [len(turns)]
    return [(cuts[k], cuts[k + 1], cid) for k, (_, cid) in enumerate(heads) if cid is not None and cuts[k] < cuts[k + 1]]
