"""A story told inside a first-person book by another 'I': a diary, a written narrative, a tale that
takes over the telling for chapters (The Tenant of Wildfell Hall's Helen inside Gilbert's letters,
The Moonstone's narrators one after another). Each teller's stretch is where the people answering
the narrator call one name, for many speeches running; a stretch whose name is someone the rest of
the book speaks with and names in its narration is that person's telling, and its 'I' is theirs.

Nicknames of the one narrator ('Davy', 'Trotwood', then 'Copperfield'; 'Nelly' beside 'Ellen Dean')
also come in stretches, but the rest of the book neither names them in its narration nor gives them
speeches: the narration there says 'I'. `ctx` is attribution's context, as in narrator.py."""

from __future__ import annotations

import bisect
from collections import Counter
from itertools import pairwise

import regex

from barkflow.text.headed import headed_parts
from barkflow.text.titles import TITLES
from barkflow.text.turns import IMPLICIT

# Votes (calls in the speeches answering the narrator's) either side of one that make its window.
WINDOW = 12
# A window's leading name: called this often, and twice as often as any other in the window.
LEADS = 4
# Calls that make a stretch someone's telling, and speeches of theirs outside it that make them one
# of the people the rest of the book talks with.
TELLER_CALLS = 8
SPOKEN_ELSEWHERE = 5
# A heading where a telling may begin, a paragraph of its own: a part's ('THE STORY CONTINUED BY ...',
# 'Third Narrative', 'Book II', 'Journal of ...') before a chapter's ('CHAPTER XVI', 'XVI.').
PART = r"[\w ,.]*(?:STORY|NARRATIVE|Narrative|JOURNAL|Journal|DIARY|Diary|PERIOD|Period|EPOCH|Epoch)\b|(?:BOOK|Book|PART|Part)\b"
HEADINGS = [regex.compile(rf"(?<=\n[ \t]*\n)[ \t]*(?:{PART})[^\n]{{0,80}}\n"),
            regex.compile(r"(?<=\n[ \t]*\n)[ \t]*(?:(?:CHAPTER|Chapter)\b[^\n]{0,60}|[IVXLC]+\.?[ \t]*)\n")]
# A speech calling the teller by name only, and not tagged by them ('said I'): not theirs.
SAID_I = 0.9


def name_words(character) -> set[str]:
    """A character's name words, titles left out ('Mrs. Huntingdon' -> {'Huntingdon'})."""
    return {w for alias in character.aliases for w in alias.replace(".", "").split() if w not in TITLES}


def _votes(turns, narrator: int) -> list[tuple[int, int]]:
    """(turn index, character) for each name called in a speech next to one of the narrator's."""
    answers = set()
    for i, turn in enumerate(turns):
        if turn.speaker == narrator:
            answers.update(j for j in (i - 1, i + 1) if 0 <= j < len(turns) and turns[j].speaker != narrator
                           and abs(turns[j].paragraph - turn.paragraph) == 1)
    return [(j, cid) for j in sorted(answers) for cid in sorted(set(turns[j].vocatives))]


def _runs(votes: list[tuple[int, int]]) -> list[list]:
    """[first turn, last turn, name, calls] for each stretch of votes where one name leads."""
    runs: list[list] = []
    window = Counter(cid for _, cid in votes[:WINDOW])
    for k, (j, cid) in enumerate(votes):
        if k + WINDOW < len(votes):
            window[votes[k + WINDOW][1]] += 1
        if k - WINDOW - 1 >= 0:
            window[votes[k - WINDOW - 1][1]] -= 1
        top = window.most_common(2)
        if top[0][1] < LEADS or len(top) > 1 and top[0][1] < 2 * top[1][1]:
            continue
        lead = top[0][0]
        if runs and runs[-1][2] == lead:
            runs[-1][1] = j
        else:
            runs.append([j, j, lead, 0])
        runs[-1][3] += cid == lead
    return runs


def _one_person(characters, a: int, b: int) -> bool:
    """Whether two names are one person's: a shared name word ('Nelly Dean', 'Ellen Dean'), or both
    within one entry's names ('Mr. Franklin' and 'Mr. Blake' in 'Mr. Franklin Blake')."""
    wa, wb = name_words(characters[a]), name_words(characters[b])
    return bool(wa & wb) or any(wa | wb <= name_words(c) for c in characters)


def hand_to_tellers(turns, ctx, narrator: int) -> None:
    """Give the narrator's turns in each other teller's stretch to that teller (see the docstring)."""
    parts = headed_parts(turns, ctx)
    if parts is not None:  # the book's heads say who writes each part ('MINA MURRAY'S JOURNAL')
        _give(turns, ctx, narrator, parts)
        return
    characters = ctx.cast.characters
    runs = _runs(_votes(turns, narrator))
    if len({r[2] for r in runs}) < 2:
        return
    mine = Counter()
    for first, last, lead, _ in runs:
        mine[lead] += sum(t.speaker == narrator for t in turns[first:last + 1])
    main = max(mine, key=mine.get)
    spans = [(first, last, lead) for first, last, lead, _ in runs]
    calls = Counter()
    for _, _, lead, n in runs:
        calls[lead] += n
    tellers = {lead for lead in calls if not _one_person(characters, lead, main) and calls[lead] >= TELLER_CALLS
               and _known_elsewhere(turns, ctx, spans, lead, calls[lead])}
    if not tellers:
        return
    # A name of a teller's own in their stretch ('Mr. Blake' beside 'Mr. Franklin') is their telling
    # too; next stretches of one teller are one.
    merged: list[tuple[int, int, int]] = []
    for first, last, lead in spans:
        lead = next((t for t in tellers if _one_person(characters, lead, t)), lead)
        if merged and merged[-1][2] == lead:
            first = merged.pop()[0]
        merged.append((first, last, lead))
    starts = [t.quotes[0].start for t in turns]
    named = sorted((pos, cid) for pos, cid in ctx.events if cid in tellers)
    cuts = [0] + [_boundary(turns, ctx, starts, named, a, b, tellers) if a[2] in tellers or b[2] in tellers else 0
                  for a, b in pairwise(merged)] + [len(turns)]
    _give(turns, ctx, narrator, [(cuts[k], cuts[k + 1], lead) for k, (_, _, lead) in enumerate(merged) if lead in tellers])


def _give(turns, ctx, narrator: int, stretches: list[tuple[int, int, int]]) -> None:
    """Each stretch (first turn, end turn, teller) to its teller: the narrator's turns there and the
    narration's 'I'."""
    for start, end, lead in stretches:
        _hand_over(turns[start:end], narrator, lead)
    # The narration's 'I' in a teller's stretch is the teller.
    edges = [(turns[start].quotes[0].start, turns[end - 1].quotes[-1].end, lead) for start, end, lead in stretches if end > start]
    los = [lo for lo, _, _ in edges]

    def whose(pos: int, cid: int) -> int:
        k = bisect.bisect_right(los, pos) - 1
        return edges[k][2] if cid == narrator and k >= 0 and pos <= edges[k][1] else cid
    ctx.events = [(pos, whose(pos, cid)) for pos, cid in ctx.events]


def _boundary(turns, ctx, starts: list[int], named: list[tuple[int, int]], before, after, tellers: set[int]) -> int:
    """The first turn of `after`'s telling, where `before`'s ends: the heading between them (a part's
    before a chapter's) that best parts the narration's namings of a teller (`named`: position, teller),
    who says 'I' in their own telling and is named in the others' (the next teller's before it, the
    last one's after it); else halfway."""
    lo, hi = turns[before[1]].quotes[-1].end, turns[after[0]].quotes[0].start
    gap = named[bisect.bisect_left(named, (lo, -1)):bisect.bisect_left(named, (hi, -1))]
    signs = [(pos, 1 if cid == after[2] else -1) for pos, cid in gap if cid in (after[2], before[2])]
    for heading in HEADINGS:
        cuts = [m.start() for m in heading.finditer(ctx.text, lo, hi)]
        if cuts:
            score = {cut: sum(sign if pos < cut else -sign for pos, sign in signs) for cut in cuts}
            best = [cut for cut in cuts if score[cut] == max(score.values())]
            # Ties: a telling starts at the first heading past its teller's last naming, and runs
            # on to the last before the next one names them.
            return bisect.bisect_left(starts, best[0] if after[2] in tellers else best[-1])
    return bisect.bisect_left(starts, (lo + hi) // 2)


def _known_elsewhere(turns, ctx, spans, cid: int, calls: int) -> bool:
    """Whether the rest of the book talks with `cid` (their speeches) and names them in its narration
    at least as often as they are called in their own stretches (`calls`): someone else, not the
    narrator's nickname."""
    own = [(turns[first].quotes[0].start, turns[last].quotes[-1].end) for first, last, lead in spans if lead == cid]
    los = [s for s, _ in own]

    def inside(pos: int) -> bool:
        k = bisect.bisect_right(los, pos) - 1
        return k >= 0 and pos <= own[k][1]
    spoken = sum(t.speaker == cid and t.confidence >= 0.5 and not inside(t.quotes[0].start) for t in turns)
    named = sum(c == cid and not inside(pos) for pos, c in ctx.events)
    return spoken >= SPOKEN_ELSEWHERE and named >= calls


def _hand_over(stretch, narrator: int, teller: int) -> None:
    """The narrator's turns in a teller's stretch are the teller's; a speech there calling the teller
    by name alone, or tagged in the third person, is someone else's."""
    for turn in stretch:
        if turn.per_quote:
            turn.per_quote = [(teller, *t[1:]) if t and t[0] == narrator else t for t in turn.per_quote]
        if turn.speaker != narrator:
            continue
        turn.speaker = teller
        if turn.third_person:
            turn.speaker, turn.confidence, turn.nobody = None, 0.0, True
        elif set(turn.vocatives) == {teller} and turn.confidence < SAID_I:
            turn.speaker, turn.confidence, turn.type = None, 0.0, IMPLICIT
