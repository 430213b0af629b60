"""A prose script read by a full cast: each quotation in its speaker's line, the narration around it
in the narrator's.

attribute_script(script) runs attribution.attribute over the script's narrated paragraphs, joined
by blank lines (book_text); voice_lines(script, attribution, names) then splits each paragraph at
its quotations' boundaries into lines with speakers:

    "I am glad," said Elizabeth, "very glad."   ->   [Elizabeth] "I am glad,"
                                                     [narrator]  said Elizabeth,
                                                     [Elizabeth] "very glad."

The quote marks stay with the quotation (the text shown is the book's); punctuation alone never
makes a line of its own (it joins the piece before). Every piece keeps its paragraph's source_line
and chapter, so line overrides (project.lines.N) and segment ids still name the book's paragraph;
pieces that are quotations carry `attributed` (the plan gives them a line's voice override).
Quotations with no confident speaker are read by `unknown` (the narrator's name by default).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

import regex

from barkflow.text.attribution import Attribution, attribute
from barkflow.text.script import Script, ScriptLine

PARAGRAPH_GAP = "\n\n"
_MARK = "\"'“”„‘’«»‹›"
_DASHES = "—―–"
_WORDLESS = regex.compile(r"[^\p{L}\p{N}]*")


def narrated(script: Script, narrator: str) -> list[ScriptLine]:
    """The lines attribution reads: the narrator's (a dialogue script's named lines already have speakers)."""
    folded = narrator.casefold()
    return [line for line in script.lines if line.speaker.casefold() == folded]


def book_text(lines: list[ScriptLine]) -> tuple[str, list[int]]:
    """The lines as one text of paragraphs, and where each line starts in it."""
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line.text) + len(PARAGRAPH_GAP)
    return PARAGRAPH_GAP.join(line.text.replace("\n", " ") for line in lines), starts


def attribute_script(script: Script, narrator: str, *, threshold: float = 0.5) -> Attribution:
    """Every quotation of the narrated paragraphs with its speaker (offsets into book_text)."""
    text, _ = book_text(narrated(script, narrator))
    return attribute(text, threshold=threshold)


def speaker_names(attribution: Attribution, reserved: tuple[str, ...]) -> dict[int, str]:
    """Each speaking character's name as a script speaker: its fullest name, made unique (case
    aside) against the others and `reserved` (the narrator, unknown) with a number."""
    taken = {name.casefold() for name in reserved}
    names = {}
    for character in attribution.characters:
        if not character.lines or character.narrator:  # a first-person narrator speaks as the narrator
            continue
        name, n = " ".join(character.name.split()), 2
        while name.casefold() in taken:
            name, n = f"{' '.join(character.name.split())} {n}", n + 1
        taken.add(name.casefold())
        names[character.id] = name
    return names


def _pieces(text: str, spans: list[tuple[int, int, str]], narrator: str) -> list[tuple[str, str]]:
    """A paragraph's text cut at its quotations [(start, end, speaker)]: (speaker, text) in order,
    every character of the paragraph in exactly one piece."""
    cuts: list[tuple[int, int, str]] = []
    at = 0
    for n, (start, end, speaker) in enumerate(spans):
        # The marks belong to the quotation: an opening mark (or dialogue dash) just before it,
        # the closing one just after (never into the next quotation).
        start, limit = max(start, at), spans[n + 1][0] if n + 1 < len(spans) else len(text)
        end = max(start, min(end, limit))
        while start > at and text[start - 1] in _MARK + _DASHES + " ":
            start -= 1
        while start < end and text[start] == " ":
            start += 1
        while end < limit and text[end] in _MARK:
            end += 1
        if start > at:
            cuts.append((at, start, narrator))
        cuts.append((start, end, speaker))
        at = end
    if at < len(text):
        cuts.append((at, len(text), narrator))
    pieces: list[list] = []
    for start, end, speaker in cuts:
        piece = text[start:end]
        # Narration's leading punctuation ('", said' leaves ','): it stays with the quotation before.
        lead = _WORDLESS.match(piece).end() if speaker == narrator else 0
        if pieces and lead:
            pieces[-1][1] += piece[:lead]
            piece = piece[lead:]
        if pieces and (pieces[-1][0] == speaker or not _has_words(piece)):
            pieces[-1][1] += piece  # no words of its own (a quoted '...'): no line of its own
        elif piece:
            pieces.append([speaker, piece])
    if len(pieces) > 1 and not _has_words(pieces[0][1]):  # a wordless first piece joins the next
        first = pieces.pop(0)
        pieces[0][1] = first[1] + pieces[0][1]
    return [(speaker, piece.strip()) for speaker, piece in pieces if piece.strip()]


def _has_words(text: str) -> bool:
    return _WORDLESS.fullmatch(text) is None


def voice_lines(script: Script, attribution: Attribution, names: dict[int, str], *,
                narrator: str, unknown: str | None = None) -> Script:
    """The script with each narrated paragraph split into its quotations (spoken by their
    characters, `names`; a None speaker or a character not in `names` by `unknown`, default the
    narrator) and the narration around them (the narrator's). Other lines are kept as they are."""
    unknown = unknown or narrator
    lines = narrated(script, narrator)
    _, starts = book_text(lines)
    narrators = {c.id for c in attribution.characters if c.narrator}
    by_line: dict[int, list[tuple[int, int, str]]] = {}
    for q in attribution.quotations:
        i = bisect.bisect_right(starts, q.start) - 1
        if i < 0:
            continue
        base, line = starts[i], lines[i]
        if q.end - base > len(line.text):
            continue  # not inside one paragraph: the texts differ (never, from attribute_script)
        if q.speaker is None:
            speaker = unknown
        elif q.speaker in narrators:
            speaker = narrator  # '"...," said I': the narrator's own words, in the narrator's voice
        else:
            speaker = names.get(q.speaker, unknown)
        by_line.setdefault(line.index, []).append((q.start - base, q.end - base, speaker))
    out: list[ScriptLine] = []
    for line in script.lines:
        spans = sorted(by_line.get(line.index, []))
        if not spans:
            out.append(replace(line, index=len(out)))
            continue
        for speaker, piece in _pieces(line.text, spans, narrator):
            out.append(replace(line, index=len(out), speaker=speaker, text=piece, attributed=speaker != narrator))
    return replace(script, lines=tuple(out))
