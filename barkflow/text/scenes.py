"""Scene breaks: a line of asterisks or dashes ('*   *   *') or a chapter heading ends one scene and
opens another. The names read before a break belong to the scene it closed: the partner of a
speaker whose exchange opens the new scene is not picked from among them (turns.other_party)."""

from __future__ import annotations

import regex

BREAK = regex.compile(r"\n\n[ \t]*(?:\*[ \t]*){3,}\n\n|\n\n[ \t]*(?:CHAPTER|Chapter)[ \t]+[\dA-Z][^\n]{0,60}\n")
# How far back a break is looked for: as far as turns look for names (ctx.speakers_before).
LOOK_BACK = 1500


def scene_start(text: str, pos: int) -> int:
    """Where the scene holding `pos` starts: the end of the latest break in the LOOK_BACK characters
    before it, else LOOK_BACK characters back."""
    start = max(0, pos - LOOK_BACK)
    last = None
    for last in BREAK.finditer(text, start, pos):
        pass
    return last.end() if last else start
