"""A speech that calls a first-person narrator by name is someone else's.

'When I drew up to the mill, the widow came out to meet me. I told her why I had come. / "You'll
stay the night, Jimmy?"': no tag, no exchange to count turns in, and the narration is about the
narrator; the speech calling the narrator by name is the one's the narration names before it, who
talks to them. Only turns left to no one: a tag or turn-taking that gave a speaker is not
second-guessed, nor is a tag describing someone the cast cannot name ('said my mother'), nor a speech
that narration in its own paragraph leads into ('saw a woman in the hall. ... crying, "..., Jim"'):
that narration named no one the cast knows, so the caller is a stranger.

(dev PDNC unchanged, no novel there told in the first person; hand-checked unchanged. First-person
books, 25 turns newly voiced, 20 right by reading: Tono-Bungay 12 of the uncle's, My Antonia 3 of
6, The Lost World 1 of 1, Villette 2 of 2, The Prisoner of Zenda 2 of 3, The Thirty-Nine Steps 0
of 1; without the lead-in rule 30 of which 21 right.)"""

from __future__ import annotations

from barkflow.text.quotes import narration
from barkflow.text.turns import IMPLICIT

# As sure as the narration's guess for an untagged speech (attribution's lead-in guess, 0.6).
CALLER = 0.6


def answer_the_narrator(turns: list, ctx) -> None:
    """Give each turn left to no one that calls the narrator by name to the latest other person
    named before it who speaks somewhere in the book (ctx.speakers_before)."""
    if ctx.narrator is None:
        return
    for turn in turns:
        if turn.speaker is not None or turn.nobody or turn.described or ctx.narrator not in turn.vocatives:
            continue
        if _led_in(ctx, turn):
            continue
        other = next(ctx.speakers_before(turn.quotes[0].start, ctx.narrator), None)
        if other is not None and other not in turn.vocatives:
            turn.speaker, turn.type, turn.confidence = other, IMPLICIT, CALLER


def _led_in(ctx, turn) -> bool:
    """Whether narration in the turn's own paragraph leads into its first speech."""
    spans = narration(ctx.scan, turn.paragraph)
    return bool(spans) and spans[0][0] < turn.quotes[0].start and spans[0][1] > spans[0][0]
