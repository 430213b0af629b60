"""SRT and WebVTT subtitles from exact sample offsets.

barkflow knows where every stitched piece starts and ends, to the sample, so cue times are not
estimated: a cue is (start_sample, end_sample, text, speaker) and its times are those offsets
converted to milliseconds.

Timing rule: a sample offset becomes milliseconds by rounding half up, in integer arithmetic
(`samples_to_ms`). Start and end use the same rule, so cues that touch in samples touch in the
file, and a cue is never more than half a millisecond away from its piece. A cue that rounds to
zero length is left out (a player cannot show it).

Layout rule: cue text is whitespace-collapsed and wrapped by word into lines of at most
MAX_LINE_CHARS characters (a single longer word keeps its own line). `split_long_cues` splits a
cue whose text needs more than MAX_CUE_LINES lines into consecutive cues inside the original
span, each getting a share of the time proportional to its characters.

Escaping rule: cue text is never taken as markup or structure. Control characters are left out,
and since whitespace collapses, no cue has an empty line (which would end it early). WebVTT
escapes `& < >` as `&amp; &lt; &gt;` (so `-->` and tags cannot appear). SubRip has no escapes,
and players read `<i>`-style tags, `{\\an8}` override blocks and `&lt;`-style entities in it, so
those characters are swapped for look-alikes: `< >` → `‹ ›` (which also breaks `-->`), `{ }` →
`｛ ｝`, and an `&` that would start an entity → `＆`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.store.files import write_text_atomic
from barkflow.text.decoding import NON_WHITESPACE_CONTROL

log = logging.getLogger(__name__)

MAX_LINE_CHARS = 42  # the usual subtitle line limit (BBC/Netflix guidelines)
MAX_CUE_LINES = 2


class Cue(NamedTuple):
    """One subtitle: a span of the audio, in samples, and what is said in it."""

    start_sample: int
    end_sample: int
    text: str
    speaker: str = ""


def samples_to_ms(samples: int, sample_rate: int = SAMPLE_RATE) -> int:
    """Sample offset to whole milliseconds, rounding half up (exact integer arithmetic)."""
    return (2 * 1000 * samples + sample_rate) // (2 * sample_rate)


def format_timestamp(ms: int, decimal_separator: str) -> str:
    """`HH:MM:SS<sep>mmm`; hours grow past two digits rather than wrap."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal_separator}{millis:03d}"


def wrap_text(text: str, max_chars: int = MAX_LINE_CHARS) -> list[str]:
    """Greedy word wrap; whitespace (including newlines) collapses to single spaces."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > max_chars:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def cues_from_pieces(pieces: Sequence, clock: str = "book") -> list[Cue]:
    """One cue per stitched piece with audio (anything with offsets, text and speaker: PlacedPiece).

    `clock` picks the offsets: "book" uses book_start/book_end, "chapter" chapter_start/chapter_end.
    """
    if clock not in ("book", "chapter"):
        raise ValueError(f"clock must be 'book' or 'chapter', not {clock!r}")
    cues = [Cue(getattr(p, f"{clock}_start"), getattr(p, f"{clock}_end"), p.text, p.speaker) for p in pieces]
    return [cue for cue in cues if cue.end_sample > cue.start_sample]


def split_long_cues(
    cues: Iterable[Cue], max_line_chars: int = MAX_LINE_CHARS, max_lines: int = MAX_CUE_LINES
) -> list[Cue]:
    """Split cues needing more than `max_lines` wrapped lines into consecutive shorter cues.

    The parts stay inside the original span: the first starts at its start, the last ends at its
    end, and the cut points divide the span in proportion to each part's characters.
    """
    result: list[Cue] = []
    for cue in cues:
        lines = wrap_text(cue.text, max_line_chars)
        if len(lines) <= max_lines:
            result.append(cue)
            continue
        parts = [" ".join(lines[i : i + max_lines]) for i in range(0, len(lines), max_lines)]
        total_chars = sum(len(part) for part in parts)
        duration = cue.end_sample - cue.start_sample
        chars_before = 0
        for part in parts:
            start = cue.start_sample + duration * chars_before // total_chars
            chars_before += len(part)
            end = cue.start_sample + duration * chars_before // total_chars
            result.append(Cue(start, end, part, cue.speaker))
    return result


def write_srt(
    cues: Iterable[Cue | tuple],
    path: Path,
    sample_rate: int = SAMPLE_RATE,
    max_line_chars: int = MAX_LINE_CHARS,
) -> Path:
    """Write SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, wrapped text, blank line."""
    blocks = []
    for start_ms, end_ms, lines, _speaker in _timed_cues(cues, sample_rate, max_line_chars):
        times = f"{format_timestamp(start_ms, ',')} --> {format_timestamp(end_ms, ',')}"
        blocks.append("\n".join([str(len(blocks) + 1), times, *map(_escape_srt, lines)]) + "\n")
    write_text_atomic(Path(path), "\n".join(blocks))
    return Path(path)


def write_vtt(
    cues: Iterable[Cue | tuple],
    path: Path,
    sample_rate: int = SAMPLE_RATE,
    voice_tags: bool = True,
    max_line_chars: int = MAX_LINE_CHARS,
) -> Path:
    """Write WebVTT: `WEBVTT` header, `HH:MM:SS.mmm` times, optional `<v Speaker>` voice spans."""
    blocks = ["WEBVTT\n"]
    for start_ms, end_ms, lines, speaker in _timed_cues(cues, sample_rate, max_line_chars):
        lines = [_escape_vtt(line) for line in lines]
        if voice_tags and speaker.strip():
            # An unclosed voice span runs to the end of the cue, across line breaks.
            lines[0] = f"<v {_escape_vtt(' '.join(speaker.split()))}>{lines[0]}"
        times = f"{format_timestamp(start_ms, '.')} --> {format_timestamp(end_ms, '.')}"
        blocks.append("\n".join([times, *lines]) + "\n")
    write_text_atomic(Path(path), "\n".join(blocks))
    return Path(path)


def _timed_cues(
    cues: Iterable[Cue | tuple], sample_rate: int, max_line_chars: int
) -> Iterable[tuple[int, int, list[str], str]]:
    """Cues as (start_ms, end_ms, wrapped lines, speaker), leaving out the ones nothing can show."""
    for cue in cues:
        cue = Cue(*cue)
        if cue.end_sample < cue.start_sample or cue.start_sample < 0:
            raise ValueError(f"cue has a bad span {cue.start_sample}..{cue.end_sample}: {cue.text!r}")
        lines = wrap_text(NON_WHITESPACE_CONTROL.sub("", cue.text), max_line_chars)  # whitespace ones collapse
        start_ms = samples_to_ms(cue.start_sample, sample_rate)
        end_ms = samples_to_ms(cue.end_sample, sample_rate)
        if not lines or end_ms <= start_ms:
            log.debug("subtitle cue left out (empty text or under 1 ms): %r", cue)
            continue
        yield start_ms, end_ms, lines, NON_WHITESPACE_CONTROL.sub("", cue.speaker)


_SRT_LOOK_ALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "{": "\uff5b", "}": "\uff5d"})
_SRT_ENTITY_START = re.compile(r"&(?=#?\w+;)")


def _escape_srt(text: str) -> str:
    # SubRip has no escapes: swap tag, override-block and entity starts for look-alikes.
    return _SRT_ENTITY_START.sub("\uff06", text).translate(_SRT_LOOK_ALIKES)


def _escape_vtt(text: str) -> str:
    # WebVTT cue text may not contain raw '&' or '<', and '-->' would end the cue's text early.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

