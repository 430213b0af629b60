"""Text splitting: cut long text into segments Bark can speak in one generation.

Bark reads at most 256 text tokens and speaks about 15 s per call, so long text is cut into
segments of about `goal_chars` characters (never more than `max_chars`, nor more than
`max_tokens` tokens when a token counter is given).

Everything here works on *words* (whitespace-separated runs, as `str.split()` sees them), so
that the one promise this module makes is easy to keep and to test:

    " ".join(split_text(text, ...)).split() == text.split()

Nothing is dropped, duplicated or reordered, and a word is only ever cut when it alone is over
the limits (a "word" of hundreds of characters). Every segment has a word or a Bark cue
(`has_words`): a segment of punctuation alone ("!!!", ". . .") joins its neighbour, or, where
that would go over the limits, is dropped with a warning (the one exception to the promise). Bark cues that contain spaces, such as
`[clears throat]`, are glued into one word so that they are never cut in the middle.

Modes (`SplitOptions.mode`):
  sentence  pysbd sentences, packed greedily up to about goal_chars (paragraphs are never merged)
  line      one segment per line
  regex     cut at the start of every match of `pattern` (the match stays in the text)
  string    cut at the start of every occurrence of the literal `pattern` (kept, likewise)
  none      the whole text as one segment
In every mode a piece over the limits is cut at clause punctuation, then between words, then
(a single huge word) between characters, and a warning is logged.

This file is the functional core; the pipeline step that calls it lives elsewhere.
"""

from __future__ import annotations

import bisect
import functools
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import pysbd
from pysbd.languages import LANGUAGE_CODES

from barkflow.engine.constants import TEXT_CONTEXT
from barkflow.errors import BarkflowError
from barkflow.text.decoding import has_words

log = logging.getLogger(__name__)

MODES = ("sentence", "line", "regex", "string", "none")
MIN_MAX_CHARS = 40  # room for the longest Bark cue plus a few words
MAX_MAX_CHARS = 100_000
MIN_MAX_TOKENS = 8
MAX_JITTER = 0.5

# Bark speaks roughly 13-15 characters of English per second (about 150 words a minute);
# 14 is the middle. Only used for plan estimates, never for cutting.
BARK_CHARS_PER_SECOND = 14.0

# pysbd's run time grows faster than linearly with its input, so it never sees more than
# about this many characters at once (measured: ~0.25 MB/s at 1-2.5 k chars, 0.1 MB/s at 10 k).
PYSBD_CHUNK_CHARS = 2_000

# A Bark cue: a short bracketed tag on one line, e.g. [laughs], [clears throat], [MAN].
# Its length is capped well below MIN_MAX_CHARS so a cue always fits in a segment.
_CUE = re.compile(r"\[[^\[\]\n\r]{1,30}\]")
_WORD = re.compile(r"\S+")
_MUSIC_NOTES = set("\u266a\u266b\u266c\u2669")  # ♪ ♫ ♬ ♩, Bark's singing marks
# Characters that can end a sentence in some pysbd language; a chunk without any is one sentence.
_SENTENCE_END_CHARS = ".!?\u2026\u203c\u2047\u2048\u2049\u3002\uff01\uff1f\uff61\u061f\u06d4\u0964\u0965" \
                      "\u0589\u1362\u1367\u1368\u104a\u104b\u2e2e"
_SENTENCE_END = re.compile(f"[{re.escape(_SENTENCE_END_CHARS)}]")
_CLAUSE_END = (",", ";", ":", "\u2014", "\u2013", "\u3001", "\uff0c", "\uff1b", "\uff1a", "\u060c")
_DASHES = ("-", "--", "\u2014", "\u2013")


# Not frozen: it doubles as a Hydra schema, and OmegaConf makes frozen nodes read-only.
@dataclass
class SplitOptions:
    """How to cut text into segments; every field is checked when the options are made."""

    mode: str = "sentence"  # sentence | line | regex | string | none
    goal_chars: int = 150  # pack sentences up to about this many characters
    max_chars: int = 250  # hard limit per segment
    pattern: str = ""  # the regex (mode=regex) or the literal separator (mode=string)
    jitter: float = 0.0  # 0..0.5: each segment's goal is goal_chars * (1 ± jitter), seeded
    language: str = "en"  # pysbd language code
    max_tokens: int = TEXT_CONTEXT  # Bark's text context; enforced when a token counter is given

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            _bad("mode", self.mode, f"one of {', '.join(MODES)}")
        if not _is_int(self.max_chars) or not MIN_MAX_CHARS <= self.max_chars <= MAX_MAX_CHARS:
            _bad("max_chars", self.max_chars, f"an integer from {MIN_MAX_CHARS} to {MAX_MAX_CHARS}")
        if not _is_int(self.goal_chars) or not 1 <= self.goal_chars <= self.max_chars:
            _bad("goal_chars", self.goal_chars, f"an integer from 1 to max_chars ({self.max_chars})")
        if not _is_int(self.max_tokens) or not MIN_MAX_TOKENS <= self.max_tokens <= TEXT_CONTEXT:
            _bad("max_tokens", self.max_tokens,
                 f"an integer from {MIN_MAX_TOKENS} to {TEXT_CONTEXT} "
                 f"(Bark reads at most {TEXT_CONTEXT} text tokens)")
        if (isinstance(self.jitter, bool) or not isinstance(self.jitter, (int, float))
                or not 0.0 <= self.jitter <= MAX_JITTER):
            _bad("jitter", self.jitter, f"a number from 0 to {MAX_JITTER}")
        if self.language not in LANGUAGE_CODES:
            _bad("language", self.language, f"a pysbd language code: {', '.join(sorted(LANGUAGE_CODES))}")
        if not isinstance(self.pattern, str):
            _bad("pattern", self.pattern, "a string")
        if self.mode in ("regex", "string") and not self.pattern:
            kind = "regular expression" if self.mode == "regex" else "separator"
            _bad("pattern", self.pattern, f"a non-empty {kind} when mode={self.mode}")
        if self.mode == "regex":
            try:
                re.compile(self.pattern)
            except (re.error, OverflowError, RecursionError, ValueError) as exc:
                _bad("pattern", self.pattern, f"a valid Python regular expression ({exc})")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad(field: str, value: object, allowed: str) -> None:
    raise BarkflowError(f"invalid split option {field}={value!r}: it must be {allowed}; "
                        f"fix it in the split settings")


def estimate_seconds(text: str) -> float:
    """A rough spoken duration for plans: whitespace-normalised characters / BARK_CHARS_PER_SECOND."""
    return len(" ".join(text.split())) / BARK_CHARS_PER_SECOND


def split_text(text: str, options: SplitOptions, *, count_tokens: Callable[[str], int] | None = None,
               seed: int = 0, where: str = "") -> list[str]:
    """Cut `text` into stripped, whitespace-normalised segments within the limits of `options`.

    `count_tokens` (the model tokenizer's count) enables the max_tokens limit. `seed` drives
    the jitter. `where` (e.g. "book.md:12") names the text in warnings and errors.
    """
    words = _Words(text)
    if not words.texts:
        return []
    limits = _Limits(options, count_tokens, where)
    rng = random.Random(seed)

    def next_target() -> int:
        if options.jitter <= 0:
            return options.goal_chars
        target = options.goal_chars * (1.0 + options.jitter * rng.uniform(-1.0, 1.0))
        return max(1, min(options.max_chars, round(target)))

    segments: list[list[str]] = []
    if options.mode == "sentence":
        for first, stop in words.paragraphs():
            units = [piece for sentence in _sentences(words, first, stop, options.language)
                     for piece in limits.fit(sentence)]
            segments += _pack(units, limits, next_target)
    else:
        for unit in _forced_units(words, options):
            segments += _pack(limits.fit(unit), limits, next_target)
    segments = _with_words(segments, limits)
    limits.report()
    return [" ".join(segment) for segment in segments]


def _with_words(segments: list[list[str]], limits: "_Limits") -> list[list[str]]:
    """Each segment of punctuation alone joined to the one before it (else after it) where that
    fits the limits, else dropped: Bark given only "!!!" makes noises, not speech."""
    if all(has_words(" ".join(segment)) for segment in segments):
        return segments
    result: list[list[str]] = []
    waiting: list[str] = []  # punctuation from before the first segment with words
    for segment in segments:
        if has_words(" ".join(segment)):
            if waiting and limits.fits(waiting + segment):
                segment = waiting + segment
            elif waiting:
                limits.dropped += waiting
            result.append(segment)
            waiting = []
        elif result and limits.fits(result[-1] + segment):
            result[-1] = result[-1] + segment
        elif not result and limits.fits(waiting + segment):
            waiting += segment
        else:
            limits.dropped += segment
    limits.dropped += waiting if not result else []
    return result


# --- words ---


class _Words:
    """The words of a text with their character spans; a cue with spaces counts as one word."""

    def __init__(self, text: str) -> None:
        spans = [match.span() for match in _WORD.finditer(text)]
        glued = _glue_cues(text, spans)
        self.text = text
        self.starts = [start for start, _ in glued]
        self.ends = [end for _, end in glued]
        self.texts = [text[start:end] for start, end in glued]
        if len(glued) < len(spans):  # a glued cue keeps its inner words, one space apart
            self.texts = [" ".join(word.split()) for word in self.texts]
        # Line breaks in the gap before each word; a line break is never inside a word.
        line_breaks = {"\n": [0] * len(self.texts), "\r": [0] * len(self.texts)}
        for match in re.finditer(r"[\n\r]", text):
            index = bisect.bisect_left(self.starts, match.start())
            if 0 < index < len(self.texts):
                line_breaks[match.group()][index] += 1
        self.newlines = [max(pair) for pair in zip(line_breaks["\n"], line_breaks["\r"])]

    def breaks(self, min_newlines: int) -> list[tuple[int, int]]:
        """Word ranges separated by at least `min_newlines` line breaks (lines or paragraphs)."""
        cuts = [i for i, count in enumerate(self.newlines) if count >= min_newlines]
        return _ranges(cuts, len(self.texts))

    def paragraphs(self) -> list[tuple[int, int]]:
        return self.breaks(2)

    def index_at(self, position: int) -> int:
        """The word that contains `position`, or else the first word after it."""
        return bisect.bisect_right(self.ends, position)


def _has_space(chunk: str) -> bool:
    return len(chunk.split()) > 1


def _glue_cues(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge the words that a multi-word Bark cue (`[clears throat]`) spans into one."""
    cues = [m.span() for m in _CUE.finditer(text) if _has_space(m.group())]
    if not cues:
        return spans
    glued: list[tuple[int, int]] = []
    cue_index = 0
    for start, end in spans:
        while cue_index < len(cues) and cues[cue_index][1] <= start:
            cue_index += 1
        overlaps_cue = cue_index < len(cues) and cues[cue_index][0] < end
        if glued and overlaps_cue and glued[-1][1] > cues[cue_index][0]:
            glued[-1] = (glued[-1][0], end)  # the previous word is inside the same cue
        else:
            glued.append((start, end))
    return glued


def _ranges(cuts: list[int], count: int, first: int = 0) -> list[tuple[int, int]]:
    """Turn sorted cut indices into consecutive (start, stop) ranges covering first..count."""
    bounds = [first] + [cut for cut in cuts if first < cut < count] + [count]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]


def _forced_units(words: _Words, options: SplitOptions) -> list[list[str]]:
    """Units for the modes that cut at fixed places (line, regex, string, none)."""
    count = len(words.texts)
    if options.mode == "line":
        ranges = words.breaks(1)
    elif options.mode == "none":
        ranges = [(0, count)]
    else:
        if options.mode == "regex":
            positions = (m.start() for m in re.finditer(options.pattern, words.text))
        else:
            positions = _find_all(words.text, options.pattern)
        # A cut inside a word moves to that word's start, so words stay whole.
        cuts = sorted({words.index_at(position) for position in positions})
        ranges = _ranges(cuts, count)
    return [words.texts[a:b] for a, b in ranges]


def _find_all(text: str, literal: str):
    position = text.find(literal)
    while position != -1:
        yield position
        position = text.find(literal, position + len(literal))


# --- sentences ---


@functools.lru_cache(maxsize=None)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def _sentences(words: _Words, first: int, stop: int, language: str) -> list[list[str]]:
    """The sentences of one paragraph (words first..stop), each a list of words."""
    sentences: list[list[str]] = []
    for chunk_first, chunk_stop in _pysbd_chunks(words, first, stop):
        chunk = words.texts[chunk_first:chunk_stop]
        for a, b in _ranges(_sentence_starts(chunk, language), len(chunk)):
            if sentences and all(_is_cue(word) for word in chunk[a:b]):
                sentences[-1] = sentences[-1] + chunk[a:b]  # "Nobody did. [sighs]" stays together
            else:
                sentences.append(chunk[a:b])
    return sentences


def _is_cue(word: str) -> bool:
    return bool(_CUE.fullmatch(word)) or set(word) <= _MUSIC_NOTES


def _pysbd_chunks(words: _Words, first: int, stop: int) -> list[tuple[int, int]]:
    """Cut a paragraph into pieces of at most ~PYSBD_CHUNK_CHARS, at the last line or sentence end.

    A word too long to share a chunk is a chunk of its own (it will be cut by `_Limits` anyway).
    """
    cuts: list[int] = []
    chunk_start, length, best_cut = first, 0, None
    for index in range(first, stop):
        word_length = len(words.texts[index]) + 1
        giant = word_length > PYSBD_CHUNK_CHARS // 2
        if index > chunk_start and (giant or length + word_length > PYSBD_CHUNK_CHARS):
            cut = index if giant or best_cut is None else best_cut
            cuts.append(cut)
            chunk_start, best_cut = cut, None
            length = sum(len(word) + 1 for word in words.texts[cut:index])
            if index > chunk_start and length + word_length > PYSBD_CHUNK_CHARS:
                cuts.append(index)  # the rest after the best cut is still too long with this word
                chunk_start, length = index, 0
        if index > chunk_start and (words.newlines[index] or _SENTENCE_END.search(words.texts[index - 1][-1:])):
            best_cut = index
        length += word_length
        if giant:
            cuts.append(index + 1)
            chunk_start, length, best_cut = index + 1, 0, None
    return _ranges(cuts, stop, first)


def _sentence_starts(chunk: list[str], language: str) -> list[int]:
    """Indices of the words in `chunk` where pysbd starts a new sentence.

    pysbd only proposes cut places: each sentence it returns is looked up in the text near where
    the previous one ended, and a start that is not a word start is ignored. So pysbd can never
    drop or change text. (pysbd's own `segment()` does a similar look-up, but with a fresh regex
    per sentence over the whole text: half of its run time, and it silently drops a sentence
    it cannot find.)
    """
    joined = " ".join(chunk)
    if len(chunk) < 2 or not _SENTENCE_END.search(joined):
        return []
    word_at_offset, offset = {}, 0
    for index, word in enumerate(chunk):
        word_at_offset[offset] = index
        offset += len(word) + 1
    try:
        sentences = _segmenter(language).processor(joined).process()
    except Exception:  # noqa: BLE001 - a pysbd bug on odd input must not stop a render
        log.debug("pysbd failed on a %d-character chunk; keeping it as one sentence", len(joined), exc_info=True)
        return []
    starts: list[int] = []
    position = 0
    for sentence in sentences:
        sentence = sentence.strip()
        head = sentence[:20]
        found = joined.find(head, max(0, position - 16), position + len(head) + 64) if head else -1
        if found == -1:
            position += len(sentence) + 1
            continue
        if found in word_at_offset:
            starts.append(word_at_offset[found])
        position = found + len(sentence)
    return sorted({start for start in starts if start})


# --- limits ---


class _Limits:
    """Checks segments against max_chars / max_tokens and cuts pieces that are too long."""

    def __init__(self, options: SplitOptions, count_tokens: Callable[[str], int] | None, where: str) -> None:
        self.max_chars = options.max_chars
        self.goal_chars = options.goal_chars
        self.max_tokens = options.max_tokens
        self.count_tokens = count_tokens
        self.where = where or "text"
        self.long_pieces: list[str] = []  # previews of pieces that had to be cut, for one warning
        self.cut_words = 0
        self.dropped: list[str] = []  # punctuation alone that fit next to no segment

    def fits(self, words: list[str], length: int | None = None) -> bool:
        if length is None:
            length = _joined_length(words)
        if length > self.max_chars:
            return False
        return self.count_tokens is None or self.count_tokens(" ".join(words)) <= self.max_tokens

    def fit(self, piece: list[str]) -> list[list[str]]:
        """`piece` itself if it fits, else smaller pieces: clauses, then words, then word parts."""
        if self.fits(piece):
            return [piece]
        self.long_pieces.append(" ".join(piece)[:60])
        result: list[list[str]] = []
        for clause in _clauses(piece):
            if self.fits(clause):
                result.append(clause)
                continue
            for word in clause:
                result += [[word]] if self.fits([word]) else [[part] for part in self._cut_word(word)]
        return result

    def _cut_word(self, word: str) -> list[str]:
        """Cut one over-long word into parts that fit, at its punctuation if it has any, never
        inside a Bark cue (unless the cue alone is over the limits)."""
        self.cut_words += 1
        cues = [match.span() for match in _CUE.finditer(word)]
        cue_index = 0
        parts: list[str] = []
        start = 0
        while start < len(word):
            window = word[start:start + self.max_chars]  # no part is longer than this
            if start + len(window) == len(word) and self.fits([window]):
                parts.append(window)
                break
            cut = start + _natural_cut(window, self._longest_fitting_prefix(window), self.goal_chars)
            while cue_index < len(cues) and cues[cue_index][1] <= cut:
                cue_index += 1  # this cue ends before the cut: no later part can cut it either
            if cue_index < len(cues):
                cue_start, cue_end = cues[cue_index]
                if cue_start < cut < cue_end:
                    if cue_start > start:
                        cut = cue_start
                    elif self.fits([word[start:cue_end]]):
                        cut = cue_end
            parts.append(word[start:cut])
            start = cut
        # A cue is one "word" with spaces inside ("[clears throat]"): a cut there must not leave a
        # part that starts or ends with a space, or is nothing but one.
        return [part.strip() for part in parts if part.strip()]

    def _longest_fitting_prefix(self, word: str) -> int:
        if not self.fits([word[:1]]):
            raise BarkflowError(
                f"{self.where}: the character {word[:1]!r} alone is over max_tokens={self.max_tokens} "
                f"by the model's tokenizer; raise max_tokens or remove the character")
        low, high = 1, min(len(word), self.max_chars)  # word[:low] fits
        while low < high:
            middle = (low + high + 1) // 2
            if self.fits([word[:middle]]):
                low = middle
            else:
                high = middle - 1
        return low

    def report(self) -> None:
        if self.dropped:
            log.warning("%s: %d word(s) of punctuation alone (first: %r) fit beside no segment within the limits "
                        "and are not read; raise max_chars to keep them", self.where, len(self.dropped), self.dropped[0])
        if not self.long_pieces:
            return
        token_note = f" / {self.max_tokens} tokens" if self.count_tokens else ""
        word_note = f"; {self.cut_words} single word(s) were cut between characters" if self.cut_words else ""
        log.warning("%s: %d piece(s) longer than %d characters%s were cut at commas, dashes or between words "
                    "(first: %r)%s; add punctuation there or raise max_chars",
                    self.where, len(self.long_pieces), self.max_chars, token_note,
                    self.long_pieces[0], word_note)


def _natural_cut(word: str, cut: int, goal: int) -> int:
    """Move a cut inside a word to just after a sentence end (else a clause mark) near `goal`.

    Only places in word[:cut] past half the goal count. This is how text without spaces
    (Chinese, Japanese) gets cut at its own punctuation.
    """
    low = min(cut, goal) // 2
    for marks in (_SENTENCE_END_CHARS, "".join(_CLAUSE_END)):
        ends = [position + 1 for position in range(low, cut) if word[position] in marks]
        if ends:
            return min(ends, key=lambda end: abs(end - goal))
    return cut


def _joined_length(words: list[str]) -> int:
    return sum(map(len, words)) + len(words) - 1


def _clauses(words: list[str]) -> list[list[str]]:
    """Cut after words that end a clause (, ; : — –) and after free-standing dashes."""
    cuts = [i + 1 for i, word in enumerate(words) if word.endswith(_CLAUSE_END) or word in _DASHES]
    return [words[a:b] for a, b in _ranges(cuts, len(words))]


def _pack(units: list[list[str]], limits: _Limits, next_target: Callable[[], int]) -> list[list[str]]:
    """Greedily join consecutive units while the segment stays within its target and the limits.

    A short segment (under a third of its target) may take the next unit even past the target,
    up to the limits, so that a short sentence is not left alone between two long ones.
    """
    segments: list[list[str]] = []
    current: list[str] = []
    current_length, target = 0, next_target()
    for unit in units:
        unit_length = _joined_length(unit)
        if current:
            combined = current_length + 1 + unit_length
            wanted = combined <= target or current_length * 3 < target
            if wanted and limits.fits(current + unit, combined):
                current += unit
                current_length = combined
                continue
            segments.append(current)
            target = next_target()
        current, current_length = list(unit), unit_length
    if current:
        segments.append(current)
    return segments


__all__ = ["BARK_CHARS_PER_SECOND", "MODES", "SplitOptions", "estimate_seconds", "split_text"]
