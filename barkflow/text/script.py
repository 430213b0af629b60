"""Script files: parse prose, `NAME: text` dialogue or Fountain screenplays into spoken lines.

A `Script` is a flat tuple of `ScriptLine`s (who says what, in which chapter and paragraph, from
which line of the file) plus the chapter titles. Bark's own cues ([laughs], ♪, —, CAPS, [MAN])
are kept verbatim; only the markup of the format itself is removed.

Formats (`fmt`):
  prose     paragraphs (blank-line separated) read by the narrator; `#` headings start chapters
  dialogue  one line per `NAME: text` or `NAME (direction): text`; other lines go to the narrator;
            a leading backslash escapes a line (`\\Note: narration`); `#` headings start chapters
  fountain  screenplay markup (https://fountain.io): character cues, parentheticals, dialogue,
            action (narrated or skipped), `#` sections as chapters; headings, transitions,
            title page, notes, boneyard and synopses are not spoken
  auto      `.fountain`/`.spmd` → fountain; otherwise dialogue when most text lines look like
            `NAME: text`, else prose

What is not spoken (so the words of the lines are the file's words minus these): headings and
section titles, speaker prefixes and directions, escape backslashes, emphasis markup in every
format (`_italics_` of plain-text books, Markdown's `*`/`**`/`_`), and in Fountain all markup
(scene headings, cues, transitions, title page, notes, boneyard, synopses, emphasis `*`/`_`,
forcing characters `! @ . > ~`); and in every format a Project Gutenberg book's header and licence
(before its START and after its END marker line: text/gutenberg.py), whose words `Script.skipped`
counts for the word report. Fountain lyrics (`~text`) become `♪ text ♪`, Bark's singing cue.

Directions (`NAME (laughing): ...`, Fountain parentheticals) that Bark has a cue for are performed
with it (`direction_cue`): "(laughing) Hi" → "[laughs] Hi", "(singing) La" → "♪ La ♪", "(beat) So"
→ "... So"; a sound cue with no words after it is a line of its own. The others (whispering,
angrily...) cannot be performed: they are kept in `ScriptLine.dropped_directions` so the plan can
say so. A parenthetical with no words after it is recorded on the block's last line.

Files are UTF-8 (with or without a BOM), UTF-16 or UTF-32 with a BOM, or UTF-16 without one when
its zero bytes show it (`decode_script`); `project.encoding` names any other codec. Control
characters are refused with a one-line error at their line (a NUL usually means a wrongly saved
file), except tab, the line breaks and those that are whitespace (form feed, vertical tab, NEL...),
which are read as spaces.

Which characters Bark gets is decided once, by Unicode category, in `bark_characters`: the
script's text before it is parsed and every line and title that `ScriptBuilder` takes (so the
EPUB/HTML reader too) pass through it. A line without a word character or a Bark cue (`* * *`,
a lone "...") is not spoken, and a chapter that ends up with no spoken line (two headings in a
row) is dropped.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field, fields, replace
from typing import Optional

from barkflow.errors import BarkflowError
from barkflow.text.decoding import (
    bark_characters,
    check_characters,
    has_words,
    split_lines,
)
from barkflow.text.fates import count_words
from barkflow.text.gutenberg import SKIPPED as GUTENBERG, outside_lines

log = logging.getLogger(__name__)

TEXT_FORMATS = ("auto", "prose", "dialogue", "fountain")  # what parse_script reads; a book: text/formats.py
FOUNTAIN_ACTIONS = ("narrate", "skip")
FOUNTAIN_EXTENSIONS = (".fountain", ".spmd")
SUNG = "♪"  # Bark sings the words between two of these


@dataclass(frozen=True)
class BookTags:
    """What the outputs are tagged with besides the chapter titles: a book's metadata and cover."""

    title: str = ""
    author: str = ""
    read_by: str = ""  # the narrator credit (project.read_by)
    language: str = ""
    publisher: str = ""
    date: str = ""
    cover: bytes = field(default=b"", repr=False)  # JPEG or PNG bytes
    cover_type: str = ""  # image/jpeg | image/png

    def over(self, other: Optional["BookTags"]) -> "BookTags":
        """These tags, with `other`'s filling those left empty (the cover and its type go together)."""
        if other is None:
            return self
        values = {f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        if not self.cover:
            values["cover_type"] = other.cover_type
        return BookTags(**values)

    @property
    def has_extras(self) -> bool:
        """Anything beyond title and author: only then are mp3s tagged through mutagen."""
        return any((self.read_by, self.language, self.publisher, self.date, self.cover))

    def identity(self) -> tuple:
        """For a render key: every field, the cover as its digest."""
        return tuple(hashlib.sha256(self.cover).hexdigest() if f.name == "cover" else getattr(self, f.name)
                     for f in fields(self))


@dataclass(frozen=True)
class ScriptLine:
    index: int  # 0-based position among all lines of the script
    speaker: str  # the narrator's name for prose / unnamed lines
    text: str  # the spoken text, Bark cues kept verbatim
    chapter: int  # 0-based chapter index
    paragraph: int  # 0-based paragraph index over the whole script
    source_line: int  # 1-based line number in the file, for error messages
    direction: str | None = None  # "whispering" from `NAME (whispering): ...` or a Fountain parenthetical
    dual: bool = False  # Fountain dual dialogue (the ^ cue)
    # Directions Bark has no cue for, so they are not performed (see `direction_cue`): for the plan.
    dropped_directions: tuple[str, ...] = ()
    # A quotation given its speaker by attribution (text/fullcast.py), split from its paragraph.
    attributed: bool = False


@dataclass(frozen=True)
class Script:
    lines: tuple[ScriptLine, ...]
    chapter_titles: tuple[str, ...]  # one per chapter; "" for an untitled first chapter
    source: str  # path or "<string>"
    metadata: Optional[BookTags] = None  # a book's title, author, cover...; None for plain scripts
    skipped: tuple[tuple[str, int], ...] = ()  # (why, the book's words left unread), for the word report

    def speakers(self) -> list[str]:
        """Every speaker, in order of first appearance."""
        return list(dict.fromkeys(line.speaker for line in self.lines))


def parse_script(text: str, fmt: str = "auto", *, narrator: str = "narrator",
                 fountain_action: str = "narrate", source: str = "<string>") -> Script:
    """Parse script text; `source` names it in errors and, for fmt="auto", gives the extension."""
    if fmt not in TEXT_FORMATS:  # a book is read from its file (text/formats.py load_script)
        raise BarkflowError(f"{source}: unknown script format {fmt!r} for text; use one of {', '.join(TEXT_FORMATS)} "
                            "(a book's format is read from its file: give its path as project.script)")
    if fountain_action not in FOUNTAIN_ACTIONS:
        raise BarkflowError(f"{source}: unknown fountain_action {fountain_action!r}; "
                            f"use {' or '.join(FOUNTAIN_ACTIONS)}")
    if not isinstance(narrator, str) or not narrator.strip():
        raise BarkflowError(f"{source}: the narrator name is empty; give a speaker name such as 'narrator'")
    # Project Gutenberg's header and licence are blanked (not removed: line numbers stay put) before
    # anything else, so they neither sway the format's detection nor are read.
    lines, boilerplate = outside_lines(split_lines(check_characters(text, source)))
    if fmt == "auto":
        fmt = _detect_format(lines, source)
    builder = ScriptBuilder(source, narrator.strip())
    if fmt == "prose":
        _parse_prose(lines, builder)
    elif fmt == "dialogue":
        _parse_dialogue(lines, builder)
    else:
        _parse_fountain(lines, builder, fountain_action)
    script = builder.build(fmt)
    skipped = count_words(boilerplate)
    return replace(script, skipped=((GUTENBERG, skipped),)) if skipped else script


# --- building the Script ---


class ScriptBuilder:
    """Collects lines under raw chapter/paragraph keys, then numbers only those with spoken lines."""

    def __init__(self, source: str, narrator: str) -> None:
        self.source = source
        self.narrator = narrator
        self.titles: list[str] = [""]  # chapter 0 is untitled until a heading comes first
        self.paragraph = 0
        self.lines: list[ScriptLine] = []
        self.skipped_actions = 0

    def chapter(self, title: str) -> None:
        self.titles.append(" ".join(bark_characters(title).split()))
        self.next_paragraph()

    def next_paragraph(self) -> None:
        if self.lines and self.lines[-1].paragraph == self.paragraph:
            self.paragraph += 1

    def add(self, speaker: str, text: str, line_number: int, direction: str | None = None,
            dual: bool = False, dropped: tuple[str, ...] = ()) -> bool:
        """Add a line, with its direction's Bark cue; False when there is nothing to say."""
        text = bark_characters(text).strip()  # every format's lines come through here, books' too
        direction = " ".join(bark_characters(direction or "").split()) or None
        cue = direction_cue(direction)
        if not has_words(text) and cue in (None, "...", SUNG):
            return False  # a sound ([laughs]) can stand alone; a pause, a song or punctuation needs words
        if cue == SUNG:
            text = f"{SUNG} {text} {SUNG}"
        elif cue:
            text = f"{cue} {text}".rstrip()
        if direction and cue is None:
            dropped = (*dropped, direction)
        self.lines.append(ScriptLine(index=len(self.lines), speaker=speaker, text=text,
                                     chapter=len(self.titles) - 1, paragraph=self.paragraph,
                                     source_line=line_number, direction=direction, dual=dual,
                                     dropped_directions=tuple(dropped)))
        return True

    def build(self, fmt: str) -> Script:
        if not self.lines:
            hint = ("it has only action lines, which fountain_action='skip' leaves out; use 'narrate'"
                    if self.skipped_actions else "add text to speak, or check the format")
            raise BarkflowError(f"{self.source}: no spoken lines found when read as {fmt}; {hint}")
        # Renumber chapters and paragraphs 0, 1, 2... over those that hold lines.
        chapters = {old: new for new, old in enumerate(dict.fromkeys(line.chapter for line in self.lines))}
        paragraphs = {old: new for new, old in enumerate(dict.fromkeys(line.paragraph for line in self.lines))}
        lines = tuple(replace(line, chapter=chapters[line.chapter], paragraph=paragraphs[line.paragraph])
                      for line in self.lines)
        return Script(lines=lines, chapter_titles=tuple(self.titles[old] for old in chapters), source=self.source)


# --- directions ---

# Directions Bark can perform, by the cue that performs them; a direction is matched whole,
# lower-cased, without end punctuation. "♪" wraps the line (Bark sings what is between ♪).
_CUE_DIRECTIONS = {
    "[laughs]": ("laughs", "laughing", "laugh", "chuckles", "chuckling", "giggles", "giggling"),
    "[laughter]": ("laughter",),
    "[sighs]": ("sighs", "sighing", "sigh"),
    "[gasps]": ("gasps", "gasping", "gasp"),
    "[clears throat]": ("clears throat", "clearing throat", "clears his throat", "clears her throat",
                        "clears their throat"),
    "[music]": ("music",),
    "...": ("hesitates", "hesitating", "hesitantly", "hesitant", "beat", "pause", "pauses"),
    SUNG: ("singing", "sings", "sing", "sung"),
}
_DIRECTION_CUES = {direction: cue for cue, directions in _CUE_DIRECTIONS.items() for direction in directions}


def direction_cue(direction: str | None) -> str | None:
    """The Bark cue that performs a direction ("(laughing)" → "[laughs]"), or None when Bark has none."""
    if not direction:
        return None
    return _DIRECTION_CUES.get(" ".join(direction.strip("()").strip(" .!,;").lower().split()))


# --- prose and dialogue ---

_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?=[ \t]|$)")
# NAME (direction): text. NAME: 1-40 characters, a letter first, then letters, digits, combining
# marks or _NAME_PUNCTUATION (checked by _is_name_character).
_DIALOGUE = re.compile(
    r"(?P<name>[^\W\d_][^:()\n]{0,39}?)[ \t]*"
    r"(?:\((?P<direction>[^()]*)\)[ \t]*)?"  # (whispering)
    r":(?:\s+(?P<text>.*))?",  # a colon, then whitespace before the text
    re.DOTALL)
_NAME_PUNCTUATION = " _-.'\u2019"  # ’ is the typographic apostrophe (O’Neil)


def _heading_title(line: str) -> str | None:
    """The title of a Markdown `#` heading line, "" for a bare `#`, None when it is not a heading."""
    match = _HEADING.match(line)
    if match is None:
        return None
    title = line[match.end():].strip()
    without_closing = title.rstrip("#")  # Markdown allows "## Title ##"
    if without_closing != title and (not without_closing or without_closing[-1] in " \t"):
        title = without_closing.strip()
    return title


def _dialogue_match(line: str) -> re.Match | None:
    match = _DIALOGUE.fullmatch(line.strip())
    if match is None or not all(_is_name_character(c) for c in match.group("name")):
        return None
    return match


def _is_name_character(character: str) -> bool:
    # Letters, digits and combining marks (needed for Hindi, Thai...), plus a few name marks.
    return (character.isalnum() or character in _NAME_PUNCTUATION
            or unicodedata.category(character).startswith("M"))


def _detect_format(lines: list[str], source: str) -> str:
    if source.lower().endswith(FOUNTAIN_EXTENSIONS):
        return "fountain"
    text_lines = [line for line in lines if line.strip() and _heading_title(line) is None]
    named = sum(1 for line in text_lines if (match := _dialogue_match(line)) and (match.group("text") or "").strip())
    return "dialogue" if text_lines and named * 2 > len(text_lines) else "prose"


def _parse_prose(lines: list[str], builder: ScriptBuilder) -> None:
    paragraph: list[str] = []
    first_line = 0

    def flush() -> None:
        if paragraph:
            builder.add(builder.narrator, strip_emphasis(" ".join(paragraph)), first_line)
            paragraph.clear()
        builder.next_paragraph()

    for number, line in enumerate(lines, start=1):
        title = _heading_title(line)
        if title is not None:
            flush()
            builder.chapter(title)
        elif not line.strip():
            flush()
        else:
            if not paragraph:
                first_line = number
            stripped = line.strip()
            paragraph.append(stripped[1:] if stripped.startswith("\\#") else stripped)
    flush()


def _parse_dialogue(lines: list[str], builder: ScriptBuilder) -> None:
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            builder.next_paragraph()
            continue
        if stripped.startswith("\\"):  # escaped: narration, whatever it looks like
            builder.add(builder.narrator, strip_emphasis(stripped[1:]), number)
            continue
        title = _heading_title(line)
        if title is not None:
            builder.chapter(title)
            continue
        match = _dialogue_match(stripped)
        if match is None:
            builder.add(builder.narrator, strip_emphasis(stripped), number)
        elif not (match.group("text") or "").strip():
            log.warning("%s:%d: %r has a speaker but no text, so the narrator reads it; put the words on the same "
                        "line ('%s: Hello') or escape it with a backslash", builder.source, number, stripped,
                        match.group("name").strip())
            builder.add(builder.narrator, stripped, number)
        else:
            builder.add(" ".join(match.group("name").split()), strip_emphasis(match.group("text")), number,
                        direction=(match.group("direction") or "").strip())


# --- Fountain ---

_SCENE_HEADING = re.compile(r"(?:INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[. ]", re.IGNORECASE)
_TITLE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9 _\-]*:.*")
_EMPHASIS = re.compile(r"(?<!\\)(\*{1,3})(?=\S)(.{1,300}?)(?<=[^\s\\])\1")
_UNDERLINE = re.compile(r"(?<![\w\\])(_{1,2})(?=\S)(.{1,300}?)(?<=[^\s\\])\1(?!\w)")
_EXTENSION = re.compile(r"\([^()]*\)")


def _remove_comments(lines: list[str], source: str) -> list[str | None]:
    """Remove boneyard /* */ and notes [[ ]]; a line that only held them becomes None.

    Line breaks inside a comment are kept, so that line numbers stay right; the lines inside a
    comment (blank ones too) become None, so a comment never splits a dialogue block.
    """
    text = "\n".join(lines)
    spans = []
    position = 0
    while (start := text.find("/*", position)) != -1:
        end = text.find("*/", start + 2)
        if end == -1:
            line = text.count("\n", 0, start) + 1
            raise BarkflowError(f"{source}:{line}: a boneyard comment '/*' is never closed; "
                                f"add '*/' where it ends")
        spans.append((start, end + 2))
        position = end + 2
    text, touched = _cut_spans(text, spans)
    text, touched_by_notes = _cut_spans(text, _note_spans(text))
    touched |= touched_by_notes
    return [None if number in touched and not line.strip() else line
            for number, line in enumerate(text.split("\n"))]


def _note_spans(text: str) -> list[tuple[int, int]]:
    """Spans of [[notes]]; a note may span lines but not a blank line. Linear in the text length."""
    blank_lines = [match.start() for match in re.finditer(r"\n[ \t]*\n", text)]
    spans = []
    search_from, close = 0, -1
    while (start := text.find("[[", search_from)) != -1:
        if close < start + 2:
            close = text.find("]]", start + 2)
        if close == -1:
            break
        next_blank = bisect.bisect_left(blank_lines, start)
        if next_blank < len(blank_lines) and blank_lines[next_blank] < close:
            search_from = start + 2  # a blank line comes first: this "[[" is not a note
            continue
        spans.append((start, close + 2))
        search_from = close + 2
    return spans


def _cut_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, set[int]]:
    """Remove the spans but keep their line breaks; also return the 0-based lines they touched."""
    pieces, touched = [], set()
    position = line = 0  # `line` is the line number at `position`
    for start, end in spans:
        line += text.count("\n", position, start)
        breaks = text.count("\n", start, end)
        touched.update(range(line, line + breaks + 1))
        pieces += [text[position:start], "\n" * breaks]
        line += breaks
        position = end
    return "".join(pieces) + text[position:], touched


def strip_emphasis(text: str) -> str:
    """The words without their emphasis markup (*italic*, **bold**, _underline_ or a plain-text
    book's _italics_, __bold__): markup, not words, in every format that has it."""
    if "*" in text:
        text = _EMPHASIS.sub(r"\2", text)
    if "_" in text:
        text = _UNDERLINE.sub(r"\2", text)
    return text


def _clean_fountain_text(text: str) -> str:
    """Remove emphasis markup and its escapes."""
    return strip_emphasis(text).replace("\\*", "*").replace("\\_", "_")


def _lyric(line: str) -> str:
    return f"{SUNG} {line[1:].strip()} {SUNG}"


def _character_cue(line: str) -> tuple[str, bool] | None:
    """(name, dual) when `line` looks like a character cue, else None. Extensions are dropped."""
    cue = line.strip()
    dual = cue.endswith("^")
    if dual:
        cue = cue[:-1].rstrip()
    if cue.startswith("@"):
        name = " ".join(_EXTENSION.sub("", cue[1:]).split())
        return (name, dual) if name else None
    name = " ".join(_EXTENSION.sub("", cue).split())
    # "Entirely uppercase": at least one cased letter and no lowercase one (CJK has no case).
    if not name or not any(c.isupper() for c in name) or any(c.islower() for c in name):
        return None
    if name[0] in "!.>~=#[(" or name.endswith(":"):
        return None
    return name, dual


def _parse_fountain(raw_lines: list[str], builder: ScriptBuilder, action_mode: str) -> None:
    lines = _remove_comments(raw_lines, builder.source)
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line is not None]
    position = _skip_title_page(numbered)

    def is_blank(index: int) -> bool:
        return index >= len(numbered) or not numbered[index][1].strip()

    action: list[str] = []
    action_line = 0

    def flush_action() -> None:
        if action:
            if action_mode == "narrate":
                builder.add(builder.narrator, _clean_fountain_text(" ".join(action)), action_line)
            else:
                builder.skipped_actions += 1
            action.clear()

    def add_action(text: str, number: int) -> None:
        nonlocal action_line
        if not action:
            action_line = number
        action.append(text)

    index = position
    while index < len(numbered):
        number, line = numbered[index]
        stripped = line.strip()
        block_start = index == position or is_blank(index - 1)
        index += 1
        if not stripped:
            flush_action()
            builder.next_paragraph()
            continue
        if re.fullmatch(r"={3,}", stripped):  # page break
            continue
        if stripped.startswith("#"):
            flush_action()
            builder.chapter(stripped.lstrip("#").strip())
            continue
        if stripped.startswith("="):  # synopsis
            continue
        if stripped.startswith("~"):  # lyrics: Bark sings text between ♪
            if stripped[1:].strip():
                add_action(_lyric(stripped), number)
            continue
        if stripped.startswith("!"):
            add_action(stripped[1:], number)
            continue
        if stripped.startswith(">") and stripped.endswith("<") and len(stripped) > 1:
            add_action(stripped[1:-1], number)  # centered text
            continue
        if not block_start or action:
            add_action(stripped, number)
            continue
        # The first line of a block: heading, transition, character cue or action.
        if (stripped.startswith(".") and not stripped.startswith("..")) or _SCENE_HEADING.match(stripped):
            builder.next_paragraph()
            continue
        if stripped.startswith(">") or (stripped.endswith("TO:") and stripped == stripped.upper()
                                        and is_blank(index)):
            continue  # transition
        cue = _character_cue(stripped) if not is_blank(index) else None
        if cue is None:
            add_action(stripped, number)
            continue
        index = _read_dialogue(numbered, index, cue, builder)
    flush_action()


def _skip_title_page(numbered: list[tuple[int, str]]) -> int:
    """Index of the first line after the title page (`Key: value` lines at the top), or 0."""
    first = next((i for i, (_, line) in enumerate(numbered) if line.strip()), len(numbered))
    if first == len(numbered) or not _TITLE_KEY.fullmatch(numbered[first][1]):
        return 0
    end = first
    while end < len(numbered) and numbered[end][1].strip():
        end += 1
    return end


def _read_dialogue(numbered: list[tuple[int, str]], index: int, cue: tuple[str, bool], builder: ScriptBuilder) -> int:
    """Read the dialogue block after a cue; returns the index of the line after the block."""
    speaker, dual = cue
    builder.next_paragraph()
    spoken: list[str] = []
    direction: str | None = None
    direction_unused = False  # a parenthetical came since the last line was added
    first_line = direction_line = 0
    first_index = len(builder.lines)
    unplaced: list[str] = []  # directions without a cue, waiting for a line to be recorded on

    def flush() -> None:
        nonlocal direction_unused
        if spoken or direction_unused:  # a cue alone ("(laughs)" at the end) is a line of its own
            text = _clean_fountain_text(" ".join(spoken))
            if builder.add(speaker, text, first_line if spoken else direction_line, direction, dual, tuple(unplaced)):
                unplaced.clear()
            elif direction:
                unplaced.append(direction)
        spoken.clear()
        direction_unused = False

    while index < len(numbered):
        number, line = numbered[index]
        if line == "  ":  # two spaces: an intentional blank line inside dialogue
            index += 1
            continue
        stripped = line.strip()
        if not stripped:
            break
        index += 1
        if stripped.startswith("(") and stripped.endswith(")"):
            flush()
            direction = stripped[1:-1].strip() or None
            direction_unused, direction_line = True, number
            continue
        if stripped.startswith("~"):
            if not stripped[1:].strip():
                continue
            stripped = _lyric(stripped)
        if not spoken:
            first_line = number
        spoken.append(stripped)
    flush()
    if unplaced:  # directions after the block's last words: recorded on its last line
        if len(builder.lines) > first_index:
            last = builder.lines[-1]
            builder.lines[-1] = replace(last, dropped_directions=(*last.dropped_directions, *unplaced))
        else:
            log.warning("%s:%d: %s has only the direction(s) %s and no words, so nothing is said",
                        builder.source, direction_line, speaker, ", ".join(f"({d})" for d in unplaced))
    builder.next_paragraph()
    return index
