"""Text as chunks of (text, protected): Bark's cues, and words a rule has already written, are
protected from every later rewrite (the lexicon's and the normaliser's)."""

from __future__ import annotations

import re
from typing import Callable, Optional

from barkflow.text.decoding import BARK_CUE as CUE  # one definition of a Bark cue

Chunks = list[tuple[str, bool]]


def chunks_of(text: str) -> Chunks:
    """The text as chunks of (text, protected), its Bark cues protected as they are."""
    return replace_in([(text, False)], CUE, lambda cue: cue.group())


def replace_in(chunks: Chunks, pattern: re.Pattern, replace: Callable[[re.Match], Optional[str]]) -> Chunks:
    """Each match in the unprotected chunks replaced, and the replacement protected from later
    rules; a match `replace` returns None for stays as it is, open to the next rules."""
    if not any(not protected and pattern.search(text) for text, protected in chunks):
        return chunks  # most rules match nothing in most texts: no new list
    result = []
    for text, protected in chunks:
        if protected:
            result.append((text, True))
            continue
        position = 0
        for match in pattern.finditer(text):
            spoken = replace(match)
            if spoken is None:
                continue
            result += [(text[position : match.start()], False), (spoken, True)]
            position = match.end()
        result.append((text[position:], False))
    return result
