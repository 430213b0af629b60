"""Quotations in prose: where each one starts and ends, as character offsets over the text.

find_quotes(text) splits the text into paragraphs (blank lines, or single lines where a text has
no blank lines) and matches quotation marks inside each paragraph:

- straight and curly double quotes ("..." and “...”), German low-high („...“), guillemets in
  either direction («...» French, »...« German: whichever comes first in a paragraph opens);
- single quotes ('...' and ‘...’) as the outer style where a book opens more paragraphs with them
  than with double quotes, else only nested inside a double quotation. An apostrophe is not a
  quote: a mark between letters (don't), at the start of an elision ('tis, 'em, '95), or at the
  end of a word followed by more lowercase words or by a hyphen (o' the, the Smiths' house,
  goin' home, jumpin'-off) is skipped, unless what follows is a speech tag ("...Smiths' said
  he"); one after such a word and before a stop or capital ('this mornin'. He ran') is skipped too
  where a sure closing mark follows in the paragraph before any sure opening one;
- a quotation that runs over several paragraphs (the opening mark repeated at the start of each,
  the closing one left out) becomes one Quote per paragraph sharing a `group`;
- dialogue dashes (Spanish, Russian, French): a paragraph that starts with a dash is speech up to
  the next spaced dash, then narration (the tag) up to the next dash, then speech again.

A quotation of one to four words that a word runs into inside a sentence (not opening its
paragraph, not after a comma, colon or stop), with no speech verb near and no , . ! ? ; : before
its closing mark, is a mention, not speech: a scare quote ('its "cure"'), a title, a word named ('the
word "home"'). It stays narration, so no character's voice reads it.

Each Quote's start/end cover the quoted words without their marks or surrounding spaces, the same
spans PDNC annotates. Everything outside the top-level quotes of a paragraph is narration
(narration() gives those spans): tags like 'said Elizabeth, laughing' stay with the narrator.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import regex

from barkflow.text import cues

# The longest text find_quotes reads: a long novel is ~2 MB; past this a caller split it wrong.
MAX_CHARS = 20_000_000

DOUBLE_OPEN = "“„"
DOUBLE_CLOSE = "”"
SINGLE_OPEN = "‘"
SINGLE_CLOSE = "’"
DASHES = "—―–"
_MARK_CHARS = "\"'“”„‘’«»‹›"
_MARKS = regex.compile(f"[{regex.escape(_MARK_CHARS)}]")
_BLANK_LINE = regex.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE = regex.compile(r"\n\s*")
# Words that start with an apostrophe: a mark before them is an elision, not an opening quote.
_ELISION = regex.compile(
    r"(?i)(?:tis|twas|twere|twill|twould|twixt|tween|em|bout|cause|cos|til|till|n|im|er|e|ad|ave|"
    r"alf|ere|ow|ome|oo|un|s|d|ll|re|ve|m|nt|t|ud|sblood|gainst|mongst|neath|pon|prentice|scuse)\b|\d")
# Words after a trailing apostrophe that make it a closing quote after all: a speech tag.
_TAG_AFTER = regex.compile(
    r"\s+(?:said|says|cried|asked|replied|answered|exclaimed|returned|continued|added|whispered|"
    r"muttered|murmured|shouted|called|began|thought|he|she|I|they|we)\b")
# Word endings that take a trailing apostrophe: plural possessives, dropped g's, o', th', an', and
# dialect's yo' (you), i' (in), mysel' (North and South: 264 quote spans put right, dev PDNC unchanged).
_APOSTROPHE_WORD = regex.compile(r"(?i)(?:s|in|\bo|\bth|\ban|\bwi|\ba|\bn|\byo|\bi|sel)$")
# After a trailing apostrophe, words that go on with the sentence: a lowercase word, or a hyphen and
# a word. Not after a comma or semicolon: 'calling her 'the young mistress'; it was' closes there.
_GOES_ON = regex.compile(r"\s+\p{Ll}|-\p{L}")
_SINGLE_MARK = regex.compile("['‘’]")
# The blanks a quotation's text is trimmed of, between it and its marks (singles.py finds the marks past them).
SPACE = " \t\n\r\f\v\u00a0\u202f\u2009"
# How near (characters) a speech verb makes a short quotation speech after all ('he said "yes"').
MENTION_VERB_REACH = 40
MENTION_WORDS = 4


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int


@dataclass(frozen=True)
class Quote:
    """One quotation inside one paragraph: start/end are the quoted words (no marks, no padding)."""

    start: int
    end: int
    paragraph: int        # index into QuoteScan.paragraphs
    style: str            # "double", "single", "guillemet", "dash"
    depth: int = 0        # 0 top level; 1 a quotation inside a quotation
    group: int = -1       # quotes of one quotation that runs over paragraphs share a group
    continues: bool = False  # the paragraph ended before a closing mark and the next one goes on


@dataclass(frozen=True)
class QuoteScan:
    text: str
    paragraphs: list[Paragraph]
    quotes: list[Quote]   # in text order, nested ones right after their outer quote

    def top(self) -> list[Quote]:
        return [q for q in self.quotes if q.depth == 0]

    @cached_property
    def quoted(self) -> Callable[[int], bool]:
        """Whether a position lies inside one of the top-level quotations (within)."""
        return within([(q.start, q.end) for q in self.quotes if q.depth == 0])

    @cached_property
    def _paragraph_keys(self) -> list[int]:
        return [q.paragraph for q in self.quotes]

    def in_paragraph(self, paragraph: int) -> list[Quote]:
        """The quotes of one paragraph, found by bisection: quotes in text order are in paragraph
        order (scanning them all for each paragraph was quadratic in a book of long dialogue)."""
        keys = self._paragraph_keys
        return self.quotes[bisect.bisect_left(keys, paragraph):bisect.bisect_right(keys, paragraph)]


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs at blank lines; at line breaks where a text has (almost) no blank lines."""
    blank = sum(1 for _ in _BLANK_LINE.finditer(text))
    lines = text.count("\n")
    splitter = _BLANK_LINE if blank * 20 >= lines else _LINE
    paragraphs, start = [], 0
    for match in splitter.finditer(text):
        if text[start:match.start()].strip():
            paragraphs.append(Paragraph(start, match.start()))
        start = match.end()
    if text[start:].strip():
        paragraphs.append(Paragraph(start, len(text)))
    return paragraphs


def _outer_single(text: str, paragraphs: list[Paragraph]) -> bool:
    """Single quotes are the outer style where more paragraphs open with them than with doubles."""
    single = double = 0
    for p in paragraphs:
        first = text[p.start:p.start + 1]
        if first in "'‘" and not _ELISION.match(text, p.start + 1, p.start + 1 + cues.AHEAD):
            single += 1
        elif first in "\"“„«»":
            double += 1
    return single > double


def _dash_dialogue(text: str, paragraphs: list[Paragraph]) -> bool:
    dash = sum(1 for p in paragraphs if text[p.start] in DASHES)
    quoted = sum(1 for p in paragraphs if text[p.start] in "\"'“‘„«»")
    return dash > 0 and dash >= quoted


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in SPACE:
        start += 1
    while end > start and text[end - 1] in SPACE:
        end -= 1
    return start, end


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _single_opens(text: str, i: int, p: Paragraph) -> bool:
    before = text[i - 1] if i > p.start else " "
    after = text[i + 1] if i + 1 < p.end else " "
    if _is_word(before) or after in SPACE:
        return False
    return not _ELISION.match(text, i + 1, i + 1 + cues.AHEAD)


def _single_closes(text: str, i: int, p: Paragraph) -> bool:
    before = text[i - 1] if i > p.start else " "
    after = text[i + 1] if i + 1 < p.end else " "
    if before in SPACE or _is_word(after):
        return False
    if before.isalpha() and _APOSTROPHE_WORD.search(text, max(p.start, i - 12), i):
        # o' the, the Smiths' house, goin' home: an apostrophe, unless a speech tag follows.
        rest = text[i + 1:min(p.end, i + 40)]
        m = _GOES_ON.match(rest)  # 'the jumpin'-off place' goes on too
        if m and not _TAG_AFTER.match(rest):
            return False
        if _sure_closer_ahead(text, i, p):
            return False  # 'I saw him this mornin'. He ran.': the speech goes on to the sure closer
    return True


def _sure_closer_ahead(text: str, i: int, p: Paragraph) -> bool:
    """Whether the next single mark after i that is surely a quotation mark closes one (after a stop
    or comma, or after a word no apostrophe ends, before no word: 'Grande'--he swept') rather than
    opens one (after a space, before a word), within the paragraph."""
    for m in _SINGLE_MARK.finditer(text, i + 1, min(p.end, i + 1 + 15 * cues.AHEAD)):
        k = m.start()
        before = text[k - 1]
        after = text[k + 1] if k + 1 < p.end else " "
        if not _is_word(after) and (before in ".,!?;:-—" or before.isalpha() and not _APOSTROPHE_WORD.search(
                text, max(p.start, k - 12), k)):
            return True
        if before in SPACE + "(—-" and _is_word(after) and not _ELISION.match(text, k + 1, k + 1 + cues.AHEAD):
            return False
    return False


def _scan_paragraph(text: str, p: Paragraph, outer_single: bool,
                    out: list[tuple[int, int, str, int, bool]]) -> bool:
    """Appends (start, end, style, depth, closed) for the paragraph's quotes; True if one is left open."""
    stack: list[tuple[str, int, str]] = []  # (closing marks, content start, style), innermost last
    opener = None  # the guillemet that opens in this paragraph: « (French) or » (German)

    def close(depth: int, at: int) -> None:
        while len(stack) > depth:  # an unclosed inner quotation ends with its outer one
            closers, start, style = stack.pop()
            out.append((start, at, style, len(stack), True))

    def find(style: str) -> int:
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][2] == style:
                return depth
        return -1

    for m in _MARKS.finditer(text, p.start, p.end):
        i, c = m.start(), m.group()
        if c in "«»‹›":
            opener = opener or c
            opens = c == opener or c == {"«": "‹", "»": "›", "‹": "‹", "›": "›"}[opener]
            depth = find("guillemet")
            if opens and (depth < 0 or c in "‹›"):
                stack.append(({"«": "»", "»": "«", "‹": "›", "›": "‹"}[c], i + 1, "guillemet"))
            elif depth >= 0 and c in stack[depth][0]:
                close(depth, i)
            continue
        if c in "\"“”„":
            depth = find("double")
            if depth >= 0 and c in stack[depth][0]:
                close(depth, i)
            elif depth < 0 and c != "”":
                if c == "\"" and i > p.start and text[i - 1] not in SPACE and text[i + 1:i + 2] in SPACE + "":
                    continue  # a stray closing straight quote with nothing open
                stack.append(({"\"": "\"", "“": "”\"", "„": "“”\""}[c], i + 1, "double"))
            continue
        depth = find("single")
        if depth >= 0 and c in "'’" and _single_closes(text, i, p):
            close(depth, i)
        elif depth < 0 and c in "'‘" and (outer_single or stack) and _single_opens(text, i, p):
            stack.append(("'’", i + 1, "single"))
    for depth, (closers, start, style) in enumerate(stack):
        out.append((start, p.end, style, depth, False))
    return bool(stack)


def _mention(text: str, p: Paragraph, start: int, end: int) -> bool:
    """Whether the closed quotation text[start:end] (marks just outside) is mentioned, not spoken:
    short, run into by a word mid-sentence, no speech verb near, no punctuation at its end
    (dev PDNC: 188 of the 1,372 found quotations no one speaks, 6 of 28,189 spoken ones)."""
    words = text[start:end].split()
    if not words or len(words) > MENTION_WORDS or words[-1][-1] in ",.!?;:":
        return False
    # Windows, not the whole paragraph: a book with no paragraph breaks stays linear.
    before = text[max(p.start, start - 1 - 2 * MENTION_VERB_REACH):start - 1].rstrip(SPACE + _MARK_CHARS)
    if not before or not before[-1].isalpha():
        return False
    after = text[end + 1:min(p.end, end + 1 + 2 * MENTION_VERB_REACH)].lstrip(SPACE + _MARK_CHARS)
    return not (cues.VERB_RE.search(before[-MENTION_VERB_REACH:])
                or cues.VERB_RE.search(after[:MENTION_VERB_REACH]))


def _scan_dashes(text: str, p: Paragraph, out: list[tuple[int, int, str, int, bool]]) -> None:
    """—Speech —tag—. Speech again.  /  — Speech, — tag. — Speech."""
    i = p.start + 1
    speaking = True
    start = i
    dash = regex.compile(r"[" + DASHES + r"]")
    while i < p.end:
        m = dash.search(text, i, p.end)
        if m is None:
            break
        j = m.start()
        if speaking:
            # Speech ends at a dash with a space before it (—Hola —dijo; — Привет, — сказал).
            if j > start and text[j - 1] in SPACE:
                out.append((start, j, "dash", 0, True))
                speaking = False
            i = j + 1
        else:
            k = j + 1
            while k < p.end and (text[k] in ".,;:" or text[k] in SPACE):
                k += 1
            if k < p.end:
                start, speaking = k, True
            i = k
    if speaking and start < p.end:
        out.append((start, p.end, "dash", 0, True))


def find_quotes(text: str) -> QuoteScan:
    """Every quotation in `text`, in order, with its paragraph; see the module docstring."""
    if len(text) > MAX_CHARS:
        from barkflow.errors import BarkflowError
        raise BarkflowError(f"text is {len(text):,} characters: find_quotes reads up to {MAX_CHARS:,}; "
                            "split the book into chapters first")
    paragraphs = split_paragraphs(text)
    outer_single = _outer_single(text, paragraphs)
    dashes = _dash_dialogue(text, paragraphs)
    quotes: list[Quote] = []
    group = 0
    carried = False  # the previous paragraph left a quotation open
    for index, p in enumerate(paragraphs):
        found: list[tuple[int, int, str, int, bool]] = []
        if dashes and text[p.start] in DASHES:
            _scan_dashes(text, p, found)
        else:
            _scan_paragraph(text, p, outer_single, found)
        found.sort(key=lambda f: (f[0], f[3]))
        opens_with_quote = bool(found) and found[0][3] == 0 and found[0][0] == p.start + 1
        mentioned = -1  # the end of a mention just left out: quotations inside it go with it
        for n, (start, end, style, depth, closed) in enumerate(found):
            s, e = _trim(text, start, end)
            if s >= e or start < mentioned:
                continue
            if depth == 0 and closed and style != "dash" and _mention(text, p, start, end):
                mentioned = end
                continue
            if depth == 0:
                if not (n == 0 and carried and opens_with_quote):
                    group += 1
            nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            goes_on = (not closed and depth == 0 and nxt is not None
                       and text[nxt.start] in "\"'“‘„«»")
            quotes.append(Quote(s, e, index, style, depth, group, goes_on))
        carried = any(q.continues for q in quotes[-len(found):] if q.paragraph == index) if found else False
    return QuoteScan(text, paragraphs, quotes)


def within(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether a position lies inside one of `spans` ((start, end), none overlapping another): the
    quotations of a book, the nested ones, the narrator's own speeches. A bisection per call."""
    spans = sorted(spans)
    starts = [s for s, _ in spans]

    def inside(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < spans[i][1]
    return inside


def narration(scan: QuoteScan, paragraph: int) -> list[tuple[int, int]]:
    """The spans of a paragraph outside its top-level quotations (marks dropped, spaces trimmed)."""
    p = scan.paragraphs[paragraph]
    spans, at = [], p.start
    for q in scan.in_paragraph(paragraph):
        if q.depth:
            continue
        spans.append((at, q.start))
        at = q.end
    spans.append((at, p.end))
    out = []
    for s, e in spans:
        while s < e and (scan.text[s] in SPACE or scan.text[s] in ",.;:\"'“”„‘’«»" + DASHES):
            s += 1
        while e > s and (scan.text[e - 1] in SPACE or scan.text[e - 1] in ",;:\"'“”„‘’«»" + DASHES):
            e -= 1
        if s < e:
            out.append((s, e))
    return out
