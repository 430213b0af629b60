"""Where the book's words went: spoken as written, normalised (numbers, abbreviations... read as
words), respelled by the lexicon, or skipped (front and back matter, footnotes, markers), so a
plan and a render can show that every word of the book is accounted for.

A word is a whitespace token with a letter or digit in it, compared without its punctuation and
case ("Hello," is "hello"): punctuation the normaliser tidies is not a changed word. A segment's
fates come from two word-level alignments (difflib) of its book words, against the lexicon's text
and against the spoken text; a segment the speller left alone costs one split.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_NOT_WORD = re.compile(r"[^\w\s]+|_+")  # removed from a word; a token left empty was no word

FRONT_MATTER = "front and back matter"
FOOTNOTES = "footnotes"
MARKERS = "note markers"
EXCLUDED = "excluded"


def _keys(text: str) -> list[str]:
    return _NOT_WORD.sub("", text.casefold()).split()


def count_words(text: str) -> int:
    """The book's words in `text`, counted as the report counts them."""
    return len(_keys(text))


def _kept(before: list[str], after: list[str]) -> set[int]:
    """Indices of `before`'s words that `after` still has, in order. The common start and end are
    kept as they are and only the middle aligned: a changed number is a short middle."""
    start, limit = 0, min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    kept = set(range(start)) | set(range(len(before) - end, len(before)))
    middle, other = before[start : len(before) - end], after[start : len(after) - end]
    if middle:
        # The words both sides have, in order: where they agree (a normaliser replaces words, it does
        # not move them), that is the alignment, and difflib (most of a plan's report) is not needed.
        common = set(middle).intersection(other)
        shared = [i for i, word in enumerate(middle) if word in common]
        if [middle[i] for i in shared] == [word for word in other if word in common]:
            return kept | {start + i for i in shared}
        kept |= {start + i for i in _matched(middle, other)}
        # difflib's longest-block-first alignment is no longest common subsequence: over the whole
        # lines it may keep more than the common start and end plus the middle's ('a a b c a b' to
        # 'a b a'), so the longer of the two is the answer.
        whole = _matched(before, after)
        if len(whole) > len(kept):
            return whole
    return kept


def _matched(before: list[str], after: list[str]) -> set[int]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return {i for block in matcher.get_matching_blocks() for i in range(block.a, block.a + block.size)}


def segment_fates(book: str, respelled: str, spoken: str) -> tuple[int, int, int]:
    """(as written, normalised, respelled) words of `book`, given the lexicon's text (`respelled`)
    and the spoken text: a word the lexicon changed is respelled; one kept to the spoken text is as
    written; the rest the normaliser changed."""
    words = _keys(book)
    if spoken == book:
        return len(words), 0, 0
    by_lexicon = set(range(len(words))) - _kept(words, _keys(respelled)) if respelled != book else set()
    written = len(_kept(words, _keys(spoken)) - by_lexicon)
    return written, len(words) - written - len(by_lexicon), len(by_lexicon)


@dataclass
class WordFates:
    """The book's words by fate, summed over a plan's segments, and the skipped ones by reason."""

    as_written: int = 0
    normalised: int = 0
    respelled: int = 0
    skipped: dict = field(default_factory=dict)  # reason -> words

    def add(self, written: int, normalised: int, by_lexicon: int) -> None:
        """One segment's words by fate (`segment_fates`)."""
        self.as_written += written
        self.normalised += normalised
        self.respelled += by_lexicon

    @property
    def total(self) -> int:
        return self.as_written + self.normalised + self.respelled + sum(self.skipped.values())

    def line(self) -> str:
        """One line for the plan and the render's summary."""
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason} {words:,}" for reason, words in self.skipped.items() if words)
        return (f"words: {self.total:,} in the book: {self.as_written:,} spoken as written, {self.normalised:,} "
                f"normalised, {self.respelled:,} respelled, {skipped:,} skipped" + (f" ({reasons})" if reasons else ""))
