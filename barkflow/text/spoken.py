"""The spoken text: what Bark reads for a piece of the book's text, and inline pause cues.

The script is split into segments on the book's own words (so segment ids and boundaries come
from the book), and each segment's spoken text is derived from its words here:

1. the pronunciation lexicon: whole words or phrases → respellings (case-insensitive unless
   `case_sensitive`), then its regex replacements in order;
2. normalisation (`project.normalize`), per language: abbreviations, currency, percentages, times,
   ordinals, Roman numerals after chapter words, years and numbers become words (num2words).

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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional, Union

import regex
import yaml
from num2words import CONVERTER_CLASSES, num2words

from barkflow.store.keys import content_key
from barkflow.errors import BarkflowError
from barkflow.text.decoding import BARK_CUE, has_words

log = logging.getLogger(__name__)

NORMALIZE_VERSION = 1  # bump when the rules change what the same text becomes
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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BarkflowError(f"{key}: cannot read the lexicon file {path}: {e.strerror or e}; check the path") from None
    except yaml.YAMLError as e:
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
# chunks: Bark's cues are protected from every rewrite

_CUE = BARK_CUE


def _chunks(text: str) -> list[tuple[str, bool]]:
    """The text as chunks of (text, protected), its Bark cues protected as they are."""
    return _replace_in([(text, False)], _CUE, lambda cue: cue.group())


def _replace_in(chunks, pattern: re.Pattern, replace: Callable[[re.Match], str]) -> list[tuple[str, bool]]:
    """Each match in the unprotected chunks replaced, and the replacement protected from later rules."""
    result = []
    for text, protected in chunks:
        if protected:
            result.append((text, True))
            continue
        position = 0
        for match in pattern.finditer(text):
            result += [(text[position : match.start()], False), (replace(match), True)]
            position = match.end()
        result.append((text[position:], False))
    return result


# --------------------------------------------------------------------------------------------
# normalisation


@dataclass(frozen=True)
class _Language:
    thousands: str  # regex for the thousands separator
    decimal: str  # the decimal mark
    abbreviations: dict[str, str]  # regex → expansion, tried in this order
    sentence_final: frozenset[str]  # the abbreviations (regexes) whose period may also end a sentence
    percent: str
    chapter_words: str
    currency_after: bool  # "5 €" is the usual order


_EN_ABBREVIATIONS = {
    r"Mr\.": "Mister", r"Mrs\.": "Missus", r"Ms\.": "Miz", r"Dr\.": "Doctor", r"Prof\.": "Professor",
    r"Jr\.": "Junior", r"Sr\.": "Senior", r"St\.": "Saint/Street", r"Mt\.": "Mount", r"No\.(?=\s*\d)": "number",
    r"e\.g\.": "for example", r"i\.e\.": "that is", r"etc\.": "et cetera", r"vs\.": "versus",
    r"approx\.": "approximately",
}
_DE_ABBREVIATIONS = {
    r"Hr\.": "Herr", r"Hrn\.": "Herrn", r"Fr\.": "Frau", r"Dr\.": "Doktor", r"Prof\.": "Professor",
    r"St\.": "Sankt", r"Nr\.(?=\s*\d)": "Nummer", r"z\.\s?B\.": "zum Beispiel", r"d\.\s?h\.": "das heißt",
    r"u\.\s?a\.": "unter anderem", r"usw\.": "und so weiter", r"bzw\.": "beziehungsweise", r"ca\.": "circa",
    r"evtl\.": "eventuell", r"ggf\.": "gegebenenfalls",
}
_FR_ABBREVIATIONS = {
    r"M\.(?=\s+[A-Z])": "Monsieur", r"MM\.": "Messieurs", r"Mme": "Madame", r"Mlle": "Mademoiselle",
    r"Dr": "Docteur", r"Pr": "Professeur", r"St": "Saint", r"Ste": "Sainte", r"etc\.": "et cetera",
    r"p\.\s?ex\.": "par exemple", r"c\.-à-d\.": "c'est-à-dire", r"n°(?=\s*\d)": "numéro",
}
_ES_ABBREVIATIONS = {
    r"Sr\.": "señor", r"Sra\.": "señora", r"Srta\.": "señorita", r"Dr\.": "doctor", r"Dra\.": "doctora",
    r"Ud\.": "usted", r"Uds\.": "ustedes", r"etc\.": "etcétera", r"p\.\s?ej\.": "por ejemplo",
    r"núm\.(?=\s*\d)": "número",
}

_LANGUAGES = {
    "en": _Language(",", ".", _EN_ABBREVIATIONS, frozenset({r"Jr\.", r"Sr\.", r"St\.", r"etc\."}), "percent",
                    r"Chapter|Part|Book|Volume|Act|Scene", False),
    "de": _Language(r"\.", ",", _DE_ABBREVIATIONS, frozenset({r"u\.\s?a\.", r"usw\."}), "Prozent",
                    r"Kapitel|Teil|Buch|Band|Akt|Szene", True),
    "fr": _Language(r"[ \u00a0\u202f.]", ",", _FR_ABBREVIATIONS, frozenset({r"etc\."}), "pour cent",
                    r"Chapitre|Partie|Livre|Tome|Acte|Scène", True),
    "es": _Language(r"\.", ",", _ES_ABBREVIATIONS, frozenset({r"etc\."}), "por ciento",
                    r"Capítulo|Parte|Libro|Tomo|Acto|Escena", True),
}
SUPPORTED_LANGUAGES = tuple(_LANGUAGES)
_GENERIC = _Language(",", ".", {}, frozenset(), "%", r"Chapter", False)  # numbers only, for other num2words languages

_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP"}
_SCALES = r"thousand|million|billion|trillion|Tausend|Millionen|Million|Milliarden|Milliarde|mille|millions?|milliards?|mil|millones|millón"
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_MAX_WHOLE_DIGITS = 15  # longer whole numbers are read digit by digit (num2words overflows at 10**18 in some languages)
_POINT_WORDS = {"en": "point", "de": "Komma", "fr": "virgule", "es": "coma", "it": "virgola", "pt": "vírgula",
                "pl": "przecinek", "ru": "запятая", "tr": "virgül", "ja": "点", "ko": "점"}
_DE_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"


def roman_value(numeral: str) -> Optional[int]:
    """The value of a well-formed Roman numeral in capitals, else None."""
    if not numeral or not _ROMAN.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


class Normaliser:
    """Numbers, currency, percentages, times, ordinals, years and abbreviations as words, in one language."""

    def __init__(self, language: str):
        self.language = language
        self.rules = _LANGUAGES.get(language, _GENERIC)
        lang = self.rules
        number = rf"\d{{1,3}}(?:{lang.thousands}\d{{3}})+(?!\d)|\d+"
        self.number = rf"(?:{number})(?:{re.escape(lang.decimal)}\d+)?"
        free = r"(?<![\w.,])"  # a number glued to letters (MP3, R2) stays as it is
        end = r"(?![\w%])"
        symbols = "".join(map(re.escape, _CURRENCIES))
        self.patterns: list[tuple[re.Pattern, Callable[[re.Match], str]]] = []
        for regex, expansion in lang.abbreviations.items():
            ends = regex in lang.sentence_final
            self.patterns.append((re.compile(rf"(?<!\w){regex}(?!\w)"), self._abbreviation(expansion, ends)))
        scale = rf"(?:\s+(?P<scale>{_SCALES})\b)?"
        self.patterns += [
            (re.compile(rf"(?P<symbol>[{symbols}])\s?(?P<amount>{self.number}){scale}"), self._currency),
            (re.compile(rf"{free}(?P<amount>{self.number}){scale}\s?(?P<symbol>[{symbols}])"), self._currency),
            (re.compile(rf"{free}(?P<amount>{self.number})\s?%"), self._percent),
            (re.compile(rf"{free}(?P<hours>[01]?\d|2[0-3]):(?P<minutes>[0-5]\d)(?!\d)(?:\s?(?P<half>[ap])\.?\s?m\.?(?!\w)|\s?Uhr\b)?",
                        re.IGNORECASE), self._time),
        ]
        self.patterns += self._ordinal_patterns(free)
        self.patterns += [
            (re.compile(rf"\b(?P<word>{lang.chapter_words})(?P<space>\s+)(?P<roman>[IVXLCDM]+)\b", re.IGNORECASE),
             self._chapter),
            (re.compile(rf"{free}(?P<year>1[1-9]\d\d|20\d\d){end}"), self._year),
            (re.compile(rf"{free}(?P<amount>{self.number}){end}"), self._number),
        ]

    # --- the rules

    def _abbreviation(self, expansion: str, ends: bool):
        def replace(match: re.Match) -> str:
            words = expansion
            if expansion == "Saint/Street":  # "St. Paul" but "Baker St."
                before = match.string[: match.start()].rstrip().split()
                words = "Street" if before and before[-1][:1].isupper() and before[-1][-1:].isalpha() else "Saint"
                if words == "Saint":
                    return words
            after = match.string[match.end() :]
            if ends and match.group().endswith(".") and (not after.strip() or re.match(r"\s+[A-Z]", after)):
                words += "."  # the abbreviation's period also ended the sentence
            return words

        return replace

    def _words(self, value, to: str = "cardinal") -> str:
        return num2words(value, lang=self.language, to=to)

    def _value(self, text: str) -> Decimal:
        whole, _, fraction = text.partition(self.rules.decimal)
        whole = re.sub(r"\D", "", whole)
        return Decimal(f"{whole}.{fraction}" if fraction else whole)

    def _amount(self, text: str) -> str:
        """A number as words: the whole part as a cardinal, the decimals digit by digit (all of
        them: num2words rounds a long fraction), and a whole part too long to say as a number
        (num2words overflows) digit by digit."""
        whole, _, fraction = text.partition(self.rules.decimal)
        whole = re.sub(r"\D", "", whole)
        spoken = self._digits(whole) if len(whole) > _MAX_WHOLE_DIGITS else self._words(int(whole))
        if fraction:
            spoken += f" {_POINT_WORDS.get(self.language, 'point')} {self._digits(fraction)}"
        return spoken

    def _digits(self, digits: str) -> str:
        return " ".join(self._words(int(digit)) for digit in digits)

    def _currency(self, match: re.Match) -> str:
        code = _CURRENCIES[match.group("symbol")]
        scale = match.group("scale")
        converter = CONVERTER_CLASSES[self.language]
        forms = getattr(converter, "CURRENCY_FORMS", {}).get(code)
        if forms is None:
            return match.group()
        whole, _, fraction = match.group("amount").partition(self.rules.decimal)
        if scale or not fraction.strip("0") or len(fraction) > 2 or len(re.sub(r"\D", "", whole)) > _MAX_WHOLE_DIGITS:
            count = self._amount(match.group("amount")) + (f" {scale}" if scale else "")
            plural = 2 if scale or self._value(match.group("amount")) != 1 else 1
            return f"{count} {converter.pluralize(plural, forms[0])}"
        return num2words(self._value(match.group("amount")), lang=self.language, to="currency", currency=code)

    def _percent(self, match: re.Match) -> str:
        return f"{self._amount(match.group('amount'))} {self.rules.percent}"

    def _time(self, match: re.Match) -> str:
        hours, minutes = int(match.group("hours")), int(match.group("minutes"))
        half = match.group("half")
        if self.language == "en":
            spoken = self._words(hours)
            if minutes == 0 and hours > 12 and not half:
                return f"{spoken} hundred"  # 24-hour time: "fourteen hundred"
            spoken += " o'clock" if minutes == 0 and not half else (
                "" if minutes == 0 else f" oh {self._words(minutes)}" if minutes < 10 else f" {self._words(minutes)}")
            return spoken + (f" {half.lower()}.m." if half else "")
        if self.language == "de":
            return f"{self._words(hours)} Uhr" + (f" {self._words(minutes)}" if minutes else "")
        if self.language == "fr":
            hour_words = "une" if hours == 1 else self._words(hours)
            return f"{hour_words} heure{'' if hours == 1 else 's'}" + (f" {self._words(minutes)}" if minutes else "")
        if self.language == "es":
            hour_words = "una" if hours == 1 else self._words(hours)
            return f"{hour_words} en punto" if minutes == 0 else f"{hour_words} y {self._words(minutes)}"
        return match.group()

    def _ordinal_patterns(self, free: str) -> list:
        if self.language == "en":
            return [(re.compile(rf"{free}(?P<n>\d+)(?:st|nd|rd|th)\b"), lambda m: self._words(int(m["n"]), "ordinal"))]
        if self.language == "de":
            # "am 3. Oktober", "der 2. Teil": a number and a period before a month or a lowercase word
            pattern = rf"{free}(?P<n>\d{{1,3}})\.(?=\s+(?:{_DE_MONTHS}|[a-zäöüß]))"
            inflected = re.compile(r"(?:am|im|zum|vom|beim|dem|den)\s+$", re.IGNORECASE)

            def german(m: re.Match) -> str:
                words = self._words(int(m["n"]), "ordinal")
                return words + "n" if inflected.search(m.string[: m.start()]) else words

            return [(re.compile(pattern), german)]
        if self.language == "fr":
            def french(m: re.Match) -> str:
                n, suffix = int(m["n"]), m["suffix"]
                if n == 1:
                    return "première" if suffix in ("re", "ère") else "premier"
                return self._words(n, "ordinal")

            return [(re.compile(rf"{free}(?P<n>\d+)(?P<suffix>er|re|ère|ème|eme|e)\b"), french)]
        if self.language == "es":
            def spanish(m: re.Match) -> str:
                words = self._words(int(m["n"]), "ordinal")
                return words[:-1] + "a" if m["mark"] == "ª" and words.endswith("o") else words

            return [(re.compile(rf"{free}(?P<n>\d+)\.?(?P<mark>[ºª°])"), spanish)]
        return []

    def _chapter(self, match: re.Match) -> str:
        value = roman_value(match.group("roman"))
        if value is None:
            return match.group()
        return f"{match.group('word')}{match.group('space')}{self._words(value)}"

    def _year(self, match: re.Match) -> str:
        return self._words(int(match.group("year")), "year")

    def _number(self, match: re.Match) -> str:
        return self._amount(match.group("amount"))

    # --- the whole text

    def __call__(self, chunks: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
        for pattern, replace in self.patterns:
            chunks = _replace_in(chunks, pattern, _or_as_written(replace))
        return chunks

    def title_numeral(self, text: str) -> Optional[str]:
        """A text that is only a Roman numeral ("IV.", a chapter title) as words, else None."""
        stripped = text.strip()
        value = roman_value(stripped.rstrip("."))
        if value is None or value < 1:
            return None
        return self._words(value) + ("." if stripped.endswith(".") else "")


def _or_as_written(replace: Callable[[re.Match], str]) -> Callable[[re.Match], str]:
    """A rule that leaves what it cannot say (a number num2words rejects in this language) as written,
    so that no text makes the render fail."""

    def safe(match: re.Match) -> str:
        try:
            return replace(match)
        except (ArithmeticError, ValueError, TypeError, LookupError, NotImplementedError) as e:
            log.debug("normalisation: %r left as written (%s)", match.group(), e)
            return match.group()

    return safe


@functools.lru_cache(maxsize=None)
def _normaliser(language: str) -> Optional[Normaliser]:
    try:
        num2words(1, lang=language)
    except NotImplementedError:
        log.warning("normalisation: num2words has no language %r; its numbers are left as digits", language)
        return None
    return Normaliser(language)


# --------------------------------------------------------------------------------------------
# the speller: one voice's way from the book's words to the spoken text


@dataclass(frozen=True)
class Speller:
    language: str = DEFAULT_LANGUAGE
    normalize: bool = False
    lexicon: Lexicon = Lexicon()

    @property
    def active(self) -> bool:
        """Whether this speller can change any text (if not, the spoken text is the book's)."""
        return self.normalize or bool(self.lexicon)

    def identity(self) -> str:
        """What the spoken text depends on besides the words (for the split memo's key)."""
        return content_key("speller", NORMALIZE_VERSION, self.language, self.normalize, self.lexicon)

    def __call__(self, text: str) -> str:
        if not self.active:
            return text
        chunks = _chunks(text)
        if self.lexicon:
            chunks = self.lexicon.respell(chunks)
        normaliser = _normaliser(self.language) if self.normalize else None
        if normaliser is not None:
            whole = "".join(t for t, _ in chunks)
            title = normaliser.title_numeral(whole) if all(not p for _, p in chunks) else None
            if title is not None:
                return title
            chunks = normaliser(chunks)
        return " ".join("".join(t for t, _ in chunks).split())


def spoken_text(text: str, language: str = DEFAULT_LANGUAGE, *, normalize: bool = True,
                lexicon: Union[Lexicon, None] = None) -> str:
    """`text` as Bark should read it (see the module's docstring)."""
    return Speller(language, normalize, lexicon or Lexicon())(text)
