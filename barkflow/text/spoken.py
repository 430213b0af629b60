"""The spoken text: what Bark reads for a piece of the book's text, and inline pause cues.

The script is split into segments on the book's own words (so segment ids and boundaries come
from the book), and each segment's spoken text is derived from its words here:

1. the pronunciation lexicon: whole words or phrases → respellings (case-insensitive unless
   `case_sensitive`), then its regex replacements in order;
2. normalisation (`project.normalize`), per language: barkflow.text.normalize, the front door to a
   back end per language (abbreviations, money, measures, dates, times, ordinals... as words).

The lexicon comes first so that an entry wins over the automatic rules (an entry for "007" sees
the digits), and a respelling is never normalised again. Bark's cues (`[laughs]`, `[MAN]`, ♪)
are never touched by either. The spoken text is what Bark reads and what the cache keys see;
subtitles and the review page keep the book's words.

Pause cues, `[pause]` and `[pause 1.5s]`, are cut out of the text before splitting
(`cut_at_pauses`) and become silence at the stitch step; Bark never sees them.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union

import regex

from barkflow.errors import BarkflowError
from barkflow.store.files import parse_yaml
from barkflow.store.keys import code_key, content_key
from barkflow.text.chunks import chunks_of as _chunks
from barkflow.text.chunks import replace_in as _replace_in
from barkflow.text.decoding import has_words
from barkflow.text.normalize import NORMALIZE_VERSION, normaliser_for

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
MAX_PAUSE_S = 60.0  # the longest pause, a cue's or a configured one (project.pause_s, stitch.pause_*)

# --------------------------------------------------------------------------------------------
# pause cues

# Anything shaped like a pause cue: "[pause" (any case, not "[pauses]") up to the next "]" on the line.
# It must read as one of the accepted forms (`_PAUSE_FORM`) or it is an error: never words for Bark.
_PAUSE = re.compile(r"\[\s*pause(?P<after>[^\[\]\n\r]*)\]", re.IGNORECASE)
_PAUSE_FORM = re.compile(
    r"\[\s*pause(?:\s+(?P<amount>[0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(?P<unit>ms|s|secs?|seconds?)?)?\s*\]", re.IGNORECASE
)
# After a cue, leading tokens of punctuation alone (". ", ", ", "?! ") belong to the words before it.
_LOOSE_PUNCTUATION = re.compile(r"(?:[^\w\s\u266a\u266b\u266c\u2669]+(?:\s+|$))+")


@dataclass(frozen=True)
class PiecesOfLine:
    """A line's text cut at its pause cues: the silence before its first words (cues before any
    words) and each piece of words with the silence after it (0.0: none)."""

    pause_before: float
    pieces: tuple[tuple[str, float], ...]


def cut_at_pauses(text: str, default_s: float, where: str = "") -> PiecesOfLine:
    """`text` cut at `[pause]` / `[pause N]` / `[pause Ns]` / `[pause Nms]`; a text without pause
    cues is one piece, unchanged (so its tokens and keys are too).

    Every piece has a word or a Bark cue (`has_words`): punctuation left alone after a cue joins
    the words before it ("Hello [pause]." → "Hello."), or is dropped when there are none."""
    cues = [match for match in _PAUSE.finditer(text) if not match.group("after")[:1].isalpha()]  # not [pauses]
    if not cues:
        return PiecesOfLine(0.0, ((text, 0.0),) if text.strip() else ())
    pause_before, pieces, position = 0.0, [], 0
    for match in [*cues, None]:
        words = text[position : match.start() if match else len(text)].strip()
        if position:  # after a cue
            loose = _LOOSE_PUNCTUATION.match(words)
            if loose:
                if pieces:
                    pieces[-1][0] += "".join(loose.group().split())
                words = words[loose.end() :]
        if words and not has_words(words):  # punctuation alone before the first cue: nothing to say
            words = ""
        seconds = _pause_seconds(match, default_s, where) if match else 0.0
        if words:
            pieces.append([words, seconds])
        elif pieces:
            pieces[-1][1] += seconds
        else:
            pause_before += seconds
        if match:
            position = match.end()
    return PiecesOfLine(pause_before, tuple((words, seconds) for words, seconds in pieces))


def _pause_seconds(match: re.Match, default_s: float, where: str) -> float:
    form = _PAUSE_FORM.fullmatch(match.group())
    if form is not None and form.group("amount") is None:
        return default_s
    if form is not None:
        seconds = float(form.group("amount")) / (1000 if (form.group("unit") or "").lower() == "ms" else 1)
        if 0 < seconds <= MAX_PAUSE_S:
            return seconds
    cue = match.group() if len(match.group()) <= 40 else match.group()[:37] + "...]"
    raise BarkflowError(
        f"{where or 'script'}: {cue} is not a pause barkflow can make; write [pause] (project.pause_s), "
        f"[pause 1.5s] or [pause 300ms], longer than 0 and at most {MAX_PAUSE_S:g} s (split a longer one in several)"
    )


# --------------------------------------------------------------------------------------------
# the lexicon


# Lexicon regexes are the user's, and a nested repeat such as (a|aa)+$ backtracks for ever on a
# long run of a's: they run in the `regex` package (re's syntax) with a time bound per text, and
# their number and length are bounded (the word list is one alternation of escaped phrases: linear).
LEXICON_TIMEOUT_S = 1.0  # per regex and text; a sane one takes microseconds on a segment
MAX_LEXICON_PATTERN_CHARS = 500
MAX_LEXICON_REGEXES = 500
MAX_LEXICON_WORDS = 20_000
MAX_LEXICON_PHRASE_CHARS = 200
MAX_LEXICON_FILE_BYTES = 8 << 20


@dataclass(frozen=True)
class Lexicon:
    """Respellings of words and phrases, then ordered regex replacements."""

    words: tuple[tuple[str, str], ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    case_sensitive: bool = False

    def __bool__(self) -> bool:
        return bool(self.words or self.patterns)

    def merged(self, inner: "Lexicon") -> "Lexicon":
        """This lexicon (a voice's) over `inner` (the project's): its words win, its regexes run first."""
        words = dict(inner.words)
        words.update(self.words)
        return Lexicon(tuple(words.items()), self.patterns + inner.patterns, self.case_sensitive or inner.case_sensitive)

    @functools.cached_property
    def _word_pattern(self) -> Optional[re.Pattern]:
        if not self.words:
            return None
        phrases = sorted((phrase for phrase, _ in self.words), key=len, reverse=True)  # longest first
        body = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", 0 if self.case_sensitive else re.IGNORECASE)

    @functools.cached_property
    def _respellings(self) -> dict[str, str]:
        return {self._fold(phrase): respelling for phrase, respelling in self.words}

    @functools.cached_property
    def _compiled(self) -> tuple[tuple[regex.Pattern, str], ...]:
        flags = 0 if self.case_sensitive else regex.IGNORECASE
        return tuple((regex.compile(pattern, flags), replacement) for pattern, replacement in self.patterns)

    def _fold(self, phrase: str) -> str:
        phrase = " ".join(phrase.split())
        return phrase if self.case_sensitive else phrase.casefold()

    def respell(self, chunks: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
        """Chunks of (text, protected): respellings become protected chunks; regexes run on the rest."""
        if self._word_pattern is not None:
            chunks = _replace_in(chunks, self._word_pattern, lambda m: self._respellings[self._fold(m.group())])
        for pattern, replacement in self._compiled:
            chunks = [(text if done else _bounded_sub(pattern, replacement, text), done) for text, done in chunks]
        return chunks


def _bounded_sub(pattern: regex.Pattern, replacement: str, text: str) -> str:
    try:
        return pattern.sub(replacement, text, timeout=LEXICON_TIMEOUT_S)
    except regex.error as e:  # a replacement the check could not see (a pattern only `regex` reads)
        raise BarkflowError(f"the lexicon regex {pattern.pattern!r} -> {replacement!r} is not a valid replacement "
                            f"({e}); fix the entry") from None
    except TimeoutError:
        raise BarkflowError(
            f"the lexicon regex {pattern.pattern!r} took over {LEXICON_TIMEOUT_S:g} s on a {len(text)}-character "
            f"text ({text[:30]!r}...); rewrite it without nested repeats such as (a+)+ or (a|aa)+, which backtrack "
            f"without end"
        ) from None


_LEXICON_KEYS = ("words", "regex", "case_sensitive")


def parse_lexicon(value: Any, where: str) -> Lexicon:
    """A lexicon from its config form: {words: {phrase: respelling}, regex: [[pattern, replacement]
    or {pattern:, replace:}], case_sensitive: bool}. A one-line error names `where` and the entry."""
    if value is None:
        return Lexicon()
    if not isinstance(value, dict):
        raise BarkflowError(f"{where} is {value!r}: give a mapping with words/regex, or the path of a YAML file")
    unknown = sorted(set(map(str, value)) - set(_LEXICON_KEYS))
    if unknown:
        raise BarkflowError(f"{where}.{unknown[0]} is not an option of a lexicon; the options are: {', '.join(_LEXICON_KEYS)}")
    case_sensitive = value.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise BarkflowError(f"{where}.case_sensitive is {case_sensitive!r}: set it to true or false")
    words = value.get("words") or {}
    if not isinstance(words, dict):
        raise BarkflowError(f"{where}.words: give a mapping of word or phrase → respelling, e.g. {{Hermione: her-MY-oh-nee}}")
    if len(words) > MAX_LEXICON_WORDS:
        raise BarkflowError(f"{where}.words has {len(words)} entries, over {MAX_LEXICON_WORDS}; keep the ones the book needs")
    checked_words = []
    for phrase, respelling in words.items():
        if not isinstance(phrase, str) or not phrase.strip() or not isinstance(respelling, str) or not respelling.strip():
            raise BarkflowError(
                f"{where}.words: the entry {phrase!r}: {respelling!r} needs a word or phrase and a respelling, both text"
            )
        if len(phrase) > MAX_LEXICON_PHRASE_CHARS or len(respelling) > MAX_LEXICON_PHRASE_CHARS:
            raise BarkflowError(f"{where}.words: the entry {phrase[:40]!r} is over {MAX_LEXICON_PHRASE_CHARS} "
                                f"characters; respell words or short phrases")
        checked_words.append((" ".join(phrase.split()), respelling.strip()))
    entries = value.get("regex") or []
    if isinstance(entries, (list, tuple)) and len(entries) > MAX_LEXICON_REGEXES:
        raise BarkflowError(f"{where}.regex has {len(entries)} entries, over {MAX_LEXICON_REGEXES}; "
                            f"put plain respellings under words")
    patterns = []
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and set(entry) == {"pattern", "replace"}:
            entry = (entry["pattern"], entry["replace"])
        if not (isinstance(entry, (list, tuple)) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise BarkflowError(f"{where}.regex[{index}] is {entry!r}: give [pattern, replacement] or {{pattern: ..., replace: ...}}")
        if len(entry[0]) > MAX_LEXICON_PATTERN_CHARS or len(entry[1]) > MAX_LEXICON_PATTERN_CHARS:
            raise BarkflowError(f"{where}.regex[{index}]: {entry[0][:40]!r} is over {MAX_LEXICON_PATTERN_CHARS} "
                                f"characters; split it in several simpler entries")
        try:
            regex.compile(entry[0])  # what runs it
            re.compile(entry[0]).sub(entry[1], "")  # a bad group reference shows here (regex checks at a match)
        except (regex.error, re.error, IndexError) as e:
            raise BarkflowError(f"{where}.regex[{index}]: {entry[0]!r} -> {entry[1]!r} is not a valid regex replacement ({e})") from None
        patterns.append((entry[0], entry[1]))
    return Lexicon(tuple(checked_words), tuple(patterns), case_sensitive)


def check_lexicon_setting(key: str, value: Any) -> None:
    """A lexicon setting as the config holds it: null, a YAML file's path, or an inline mapping."""
    if value is None or (isinstance(value, str) and value.strip()):
        return
    parse_lexicon(_plain(value), key)


def load_lexicon(value: Any, key: str, find: Callable[[str], Path]) -> Lexicon:
    """The lexicon a setting names: inline, or read from the YAML file at a path (`find` locates it)."""
    if not isinstance(value, str):
        return parse_lexicon(_plain(value), key)
    path = find(value)
    try:
        if path.stat().st_size > MAX_LEXICON_FILE_BYTES:
            raise BarkflowError(f"{key}: the lexicon file {path} is over {MAX_LEXICON_FILE_BYTES >> 20} MB; "
                                f"is it the right file?")
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BarkflowError(f"{key}: cannot read the lexicon file {path}: {e.strerror or e}; check the path") from None
    except ValueError as e:  # UnicodeDecodeError too
        raise BarkflowError(f"{key}: {path} is not valid YAML ({(str(e).splitlines() or ['?'])[0]}); fix the file") from None
    return parse_lexicon(data, f"{key} ({path})")


def _plain(value: Any) -> Any:
    """A DictConfig/ListConfig as plain containers (the config may hand either)."""
    try:
        from omegaconf import OmegaConf

        if OmegaConf.is_config(value):
            return OmegaConf.to_container(value, resolve=True)
    except ImportError:  # pragma: no cover
        pass
    return value


# --------------------------------------------------------------------------------------------
# the speller: one voice's way from the book's words to the spoken text

_SPELLER_MEMO = 4096  # texts a speller remembers


@dataclass(frozen=True)
class Speller:
    language: str = DEFAULT_LANGUAGE
    normalize: bool = False
    lexicon: Lexicon = Lexicon()
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @property
    def active(self) -> bool:
        """Whether this speller can change any text (if not, the spoken text is the book's)."""
        return self.normalize or bool(self.lexicon)

    def identity(self) -> str:
        """What the spoken text depends on besides the words (for the split memo's key, which keeps
        each part's spoken text): the options, the lexicon, and the code that spells."""
        return self._identity

    @functools.cached_property
    def _identity(self) -> str:  # asked per piece of every line; a lexicon can be large
        backend = self._normaliser.name if self._normaliser is not None else None
        return content_key("speller", NORMALIZE_VERSION, backend, self.language, self.normalize, self.lexicon,
                           _spelling_code())

    def learn(self, text: str, spelling: tuple[str, str]) -> None:
        """Take `text`'s spelling as given (the split memo's, made by a speller of the same identity)."""
        if len(self._memo) >= _SPELLER_MEMO:
            self._memo.clear()
        self._memo[text] = spelling

    @property
    def _normaliser(self):
        return normaliser_for(self.language) if self.normalize else None

    def respelled(self, text: str) -> str:
        """`text` through the lexicon alone (for the word report: which words the lexicon changed)."""
        return self._spelled(text)[0]

    def __call__(self, text: str) -> str:
        return self._spelled(text)[1]

    def _spelled(self, text: str) -> tuple[str, str]:
        """(the lexicon's text, the spoken text), made once per text: a plan asks for a segment's
        spelling when it checks a split memo's parts, when it counts tokens and when it plans the
        segment, and normalising is most of a plan's time."""
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= _SPELLER_MEMO:  # bounded: a book's texts pass through once each
                self._memo.clear()
            found = self._memo[text] = self._spell(text)
        return found

    def _spell(self, text: str) -> tuple[str, str]:
        if not self.active:
            return text, text
        chunks, respelled = _chunks(text), text
        if self.lexicon:
            chunks = self.lexicon.respell(chunks)
            respelled = " ".join("".join(t for t, _ in chunks).split())
        normaliser = self._normaliser
        if normaliser is not None:
            whole = "".join(t for t, _ in chunks)
            title = normaliser.title_numeral(whole) if all(not p for _, p in chunks) else None
            if title is not None:
                return respelled, title
            chunks = normaliser(chunks)
        return respelled, " ".join("".join(t for t, _ in chunks).split())


@functools.lru_cache(maxsize=1)
def _spelling_code() -> str:
    """The source of the modules that turn words into spoken text (and count their fates), and
    num2words' version: a memoized spelling is reused only by the code that made it, whether or not
    NORMALIZE_VERSION was bumped."""
    from barkflow.text import chunks, decoding, fates, normalize

    # fates.py too: the split memo keeps each part's words' fates beside its spelling
    return code_key([__file__, chunks.__file__, decoding.__file__, fates.__file__,
                     *sorted(Path(normalize.__file__).parent.glob("*.py"))], ["num2words"])


def spoken_text(text: str, language: str = DEFAULT_LANGUAGE, *, normalize: bool = True,
                lexicon: Union[Lexicon, None] = None) -> str:
    """`text` as Bark should read it (see the module's docstring)."""
    return Speller(language, normalize, lexicon or Lexicon())(text)
