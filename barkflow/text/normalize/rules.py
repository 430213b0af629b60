"""The rules back end: regexes per language over num2words (and words.py's readers), for every
language Bark speaks. Each rule's words are protected from the rules after it, so a number is said
once; what a rule cannot say is left as written. The order matters: the specific shapes (phone
numbers, money, times, dates, units, fractions, ranges) come before the plain number."""

from __future__ import annotations

import re
import unicodedata
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Callable, Optional

from barkflow.text.chunks import Chunks, replace_in
from barkflow.text.normalize import words
from barkflow.text.normalize.languages import CURRENCY_SYMBOLS, GENERIC, LANGUAGES, LOCAL_SYMBOLS, Language

Rule = tuple[re.Pattern, Callable[[re.Match], str]]

_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_FREE = r"(?<![\w.,\-/])"  # a number glued to letters (MP3, R2) stays as it is
_END = r"(?![\w%])"
_DASH = "-\u2013\u2011"  # hyphen, en dash, non-breaking hyphen
_MINUS = "-\u2212"


def roman_value(numeral: str) -> Optional[int]:
    """The value of a well-formed Roman numeral in capitals, else None."""
    if not numeral or not _ROMAN.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


_UNSPACED = ("ja", "ko", "zh")
_GERMAN_ARTICLES = frozenset(
    "der die das den dem des am im zum zur vom beim ein eine einem einen einer eines jeder jede jedes jedem jeden "
    "seit bis ab an in vor nach um".split())


def _alternation(options) -> str:
    return "|".join(map(re.escape, sorted(options, key=len, reverse=True)))


class RulesNormaliser:
    """Numbers, money, measures, dates, times, ordinals, fractions, phone numbers, ranges, Roman
    numerals and abbreviations as words, in one language."""

    name = "rules"

    GROUPS = ("phones", "negatives", "money", "abbreviations", "times", "dates", "ordinals", "units", "percents",
              "fractions", "ranges", "decades", "romans", "numbers")

    def __init__(self, language: str, groups: tuple[str, ...] = GROUPS, symbols: Optional[tuple[str, ...]] = None):
        """`groups`: the kinds of rules to use, in GROUPS' order (the WFST back end's fixes take a few);
        `symbols`: the currency symbols the money rules know (default all)."""
        self.language = language
        self.lang: Language = LANGUAGES.get(language, GENERIC)
        lang = self.lang
        number = rf"\d{{1,3}}(?:{lang.thousands}\d{{3}})+(?!\d)|\d+"
        self.number = rf"(?:{number})(?:{re.escape(lang.decimal)}\d+)?"
        self.symbols = dict(CURRENCY_SYMBOLS, **LOCAL_SYMBOLS.get(language, {}))
        if symbols is not None:
            self.symbols = {symbol: code for symbol, code in self.symbols.items() if symbol in symbols}
        if language in _UNSPACED:  # a number is glued to the characters around it ("3匹", "100元")
            self.free, self.end, self.before = r"(?<![A-Za-z0-9.,\-/])", r"(?![A-Za-z0-9%])", r"(?<![A-Za-z0-9])"
        else:
            self.free, self.end, self.before = _FREE, _END, r"(?<!\w)"
        self.rules: list[Rule] = []
        for group in self.GROUPS:
            if group in groups:
                getattr(self, f"_{group}")()
        # A plan calls the normaliser on every candidate segment, and most rules match nothing in
        # most texts: a rule is skipped where a digit or a character every match of it needs is not
        # in the text (read from its pattern, `needs_digit` and `needed_characters`).
        self._gated = [(pattern, _or_as_written(replace), needs_digit(pattern), needed_characters(pattern))
                       for pattern, replace in self.rules]

    def _numbers(self) -> None:
        if self.language in ("en", "de", "hi"):  # years said as years ("nineteen ninety", "neunzehnhundertneunzig")
            self.rules.append((re.compile(rf"{self.free}(?P<year>1[1-9]\d\d|10[1-9]\d|20\d\d){self.end}"),
                               lambda m: words.year(int(m["year"]), self.language)))
        self.rules.append((re.compile(rf"{self.free}(?P<amount>{self.number}){self.end}"), lambda m: self.amount(m["amount"])))
        # a house number with its letter ("221B"), a "4K": the number and the letter
        self.rules.append((re.compile(rf"{self.free}(?P<amount>\d{{1,4}})(?P<letter>[A-Z])(?!\w)"),
                           lambda m: f"{self.amount(m['amount'])} {m['letter']}"))

    # --- numbers

    def split(self, text: str) -> tuple[str, str]:
        whole, _, fraction = text.partition(self.lang.decimal)
        return re.sub(r"\D", "", whole), fraction

    def amount(self, text: str) -> str:
        return words.decimal(*self.split(text), self.language)

    def cardinal(self, n: int) -> str:
        return words.cardinal(n, self.language)

    def value(self, text: str) -> float:
        whole, fraction = self.split(text)
        return float(f"{whole or 0}.{fraction or 0}") if len(whole) < 300 else float("inf")

    # --- abbreviations

    def _abbreviations(self) -> None:
        lang = self.lang
        for regex, expansion in lang.abbreviations.items():
            ends = regex in lang.sentence_final
            if regex[:1].islower() and expansion[:1].islower():  # "vgl." and a sentence's "Vgl."
                capital = f"{regex[0].upper()}{regex[1:]}"
                self.rules.append((re.compile(rf"(?<![\w.]){capital}(?!\w)"),
                                   self._abbreviation(expansion[0].upper() + expansion[1:], ends)))
            self.rules.append((re.compile(rf"(?<![\w.]){regex}(?!\w)" if not regex.startswith("(?<=") else rf"{regex}(?!\w)"),
                               self._abbreviation(expansion, ends)))

    def _abbreviation(self, expansion: str, ends: bool):
        def replace(match: re.Match) -> str:
            spoken = expansion
            if expansion == "Saint/Street":  # "St. Paul" but "Baker St."
                before = match.string[: match.start()].rstrip().split()
                spoken = "Street" if before and before[-1][:1].isupper() and before[-1][-1:].isalpha() else "Saint"
                if spoken == "Saint":
                    return spoken
            after = match.string[match.end():]
            if ends and match.group().endswith(".") and (not after.strip() or re.match(r"\s+[A-ZÄÖÜ]", after)):
                spoken += "."  # the abbreviation's period also ended the sentence
            return spoken

        return replace

    # --- phone numbers: digit by digit in their groups (French: two digits at a time)

    def _phones(self) -> None:
        shapes = [r"\(\d{3}\)\s?\d{3}[-.\s]\d{4}", r"\d{3}-\d{3}-\d{4}", r"\+\d{1,3}(?:[\s-]\d{1,4}){2,5}",
                  r"0\d{1,4}(?:[\s-]\d{2,8}){1,4}"]
        if self.language in ("fr",):
            shapes.append(r"0\d(?:[\s.]\d\d){4}")
        if self.language in ("es", "pt"):
            shapes.append(r"[6789]\d\d\s\d{3}\s\d{3}")
        pattern = re.compile(rf"(?<![\w.,\-])(?:{'|'.join(shapes)})(?![\w,]|\.\d)")
        self.rules.append((pattern, self._phone))

    def _phone(self, match: re.Match) -> str:
        groups = re.findall(r"\+?\d+", match.group())
        if self.lang.phone_pairs:
            said = [" ".join((self.cardinal(int(g[i:i + 2])) if g[i] != "0" else words.digits(g[i:i + 2], self.language))
                             for i in range(0, len(g), 2)) for g in groups]
        else:
            said = [words.digits(g, self.language) for g in groups]
        if groups[0].startswith("+"):
            said[0] = "plus " + said[0]
        return ", ".join(said)

    # --- money

    def _money(self) -> None:
        symbols = _alternation(self.symbols)
        scales = _alternation(self.lang.scales) if self.lang.scales else None
        scale = rf"(?:\s?(?P<scale>{scales})(?!\w))?" if scales else ""
        amount = rf"(?P<amount>{self.number})"
        self.rules += [
            (re.compile(rf"{self.free}(?<!\$){amount}{scale}\s?(?P<symbol>{symbols})(?!\w)"), self._currency),
            (re.compile(rf"{self.before}(?P<symbol>{symbols})\s?{amount}{scale}{self.end}"), self._currency),
        ]

    def _currency(self, match: re.Match) -> str:
        code = self.symbols[match["symbol"]]
        forms = self.lang.money.get(code)
        if forms is None:
            raise LookupError(f"no words for {code} in {self.language}")
        one, many, cent, cents = forms
        whole, fraction = self.split(match["amount"])
        scale = match.groupdict().get("scale")
        if scale:
            spoken = f"{self.amount(match['amount'])} {self.lang.scales[scale]}"
            return self._join(spoken, many)
        value = self.value(match["amount"])
        if len(fraction) == 1:
            fraction += "0"  # "3,5 €" is three euros fifty
        if code == "CENT" or not fraction.strip("0") or len(fraction) != 2 or not cent:
            return self._join(self.amount(match["amount"]), one if value == 1 else many)
        spoken = self._join(self.cardinal(int(whole or 0)), one if int(whole or 0) == 1 else many)
        return f"{spoken}{self.lang.money_and}{self._join(self.cardinal(int(fraction)), cent if int(fraction) == 1 else cents)}"

    def _join(self, number: str, unit: str) -> str:
        if self.language in ("zh", "ja"):
            return f"{number}{unit}"
        if self.language == "fr" and number.split()[-1] in ("millions", "milliards", "million"):
            return f"{number} d'{unit}" if unit[0] in "aeiouy" else f"{number} de {unit}"
        if self.language == "es" and number.split()[-1] in ("millones", "millón"):
            return f"{number} de {unit}"
        return f"{number} {unit}"

    # --- times

    def _times(self) -> None:
        self.rules.append((re.compile(
            rf"{self.free}(?P<hours>[01]?\d|2[0-3])(?::|\.(?=\d\d\s?Uhr)|\s?h\s?)(?P<minutes>[0-5]\d)(?!\d)"
            rf"(?:\s?(?P<half>[ap])\.?\s?m\.?(?!\w)|\s?(?:Uhr|h)(?!\w))?", re.IGNORECASE), self._time))
        if self.language == "en":
            self.rules.append((re.compile(rf"{self.free}(?P<hours>1[0-2]|0?\d)\s?(?P<half>[ap])\.?\s?m\.?(?!\w)", re.IGNORECASE),
                               self._time))
        if self.language == "fr":
            self.rules.append((re.compile(rf"{self.free}(?P<hours>[01]?\d|2[0-3])\s?h(?!\w)"), self._time))

    def _time(self, match: re.Match) -> str:
        hours = int(match["hours"])
        minutes = int(match.groupdict().get("minutes") or 0)
        half = match.groupdict().get("half")
        if self.language == "en":
            spoken = self.cardinal(hours)
            if minutes == 0 and hours > 12 and not half:
                return f"{spoken} hundred"  # 24-hour time: "fourteen hundred"
            spoken += " o'clock" if minutes == 0 and not half else (
                "" if minutes == 0 else f" oh {self.cardinal(minutes)}" if minutes < 10 else f" {self.cardinal(minutes)}")
            return spoken + (f" {half.lower()}.m." if half else "")
        h = self.cardinal(hours)
        if self.language == "fr":
            h = "une" if hours == 1 else h
            if hours == 1:
                return "une heure" + (f" {self.cardinal(minutes)}" if minutes else "")
        if self.language == "es" and hours == 1:
            h = "una"
        with_minutes, on_the_hour = self.lang.time
        return with_minutes.format(h=h, m=self.cardinal(minutes)) if minutes else on_the_hour.format(h=h)

    # --- dates

    def _dates(self) -> None:
        lang = self.lang
        self.rules.append((re.compile(rf"{self.free}(?P<year>\d{{4}})-(?P<month>0?[1-9]|1[0-2])-(?P<day>0?[1-9]|[12]\d|3[01])(?!\d)"),
                           self._numeric_date))
        if self.language != "en":
            separator = r"\." if self.language in ("de", "pl", "ru", "tr") else "/"
            self.rules.append((re.compile(rf"{self.free}(?P<day>0?[1-9]|[12]\d|3[01]){separator}(?P<month>0?[1-9]|1[0-2])"
                                          rf"{separator}(?P<year>\d{{4}})(?!\d)"), self._numeric_date))
        if self.language == "en":
            months = "|".join(lang.months)
            year = r"(?:,?\s(?P<year>\d{4})(?!\d))?"
            self.rules += [
                (re.compile(rf"{self.free}(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s(?:of\s)?(?P<month>{months}){year}"),
                 self._english_date),
                (re.compile(rf"(?P<month>{months})\s(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d){year}(?![\d:])"),
                 self._english_date),
            ]

    def _english_date(self, match: re.Match) -> str:
        day = words.ordinal(int(match["day"]), "en")
        year = f", {words.year(int(match['year']), 'en')}" if match["year"] else ""
        if match.string.startswith(match["month"], match.start()):
            return f"{match['month']} {day}{year}"
        the = "" if re.search(r"\bthe\s+$", match.string[: match.start()], re.IGNORECASE) else "the "
        return f"{the}{day} of {match['month']}{year}"

    def _numeric_date(self, match: re.Match) -> str:
        day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
        year_words = words.year(year, self.language)
        if self.language == "en":
            return f"the {words.ordinal(day, 'en')} of {self.lang.months[month - 1]}, {year_words}"
        months = self.lang.months
        if not months:
            return match.group()  # ja/ko/zh write dates with their own characters
        if self.language == "de":
            return f"{self._german_ordinal(day, match)} {months[month - 1]} {year_words}"
        if self.language == "fr":
            return f"{'premier' if day == 1 else self.cardinal(day)} {months[month - 1]} {year_words}"
        if self.language in ("es", "pt"):
            return f"{self.cardinal(day)} de {months[month - 1]} de {year_words}"
        if self.language == "it":
            return f"{'primo' if day == 1 else self.cardinal(day)} {months[month - 1]} {year_words}"
        if self.language in ("pl", "ru"):
            return f"{words.ordinal(day, self.language)} {months[month - 1]} {year_words}"
        return f"{self.cardinal(day)} {months[month - 1]} {year_words}"

    # --- negative numbers: "-12" (a minus sign before a number, not inside a range)

    def _negatives(self) -> None:
        start = r"(?<![A-Za-z0-9.,])" if self.language in _UNSPACED else r"(?:(?<=^)|(?<=[\s(]))"
        sign = re.compile(rf"{start}[{_MINUS}](?=\d|[$€£¥]\d)")
        self.rules.append((sign, lambda m: words.MINUS.get(self.language, "minus") + " "))

    # --- units after a number ("1.5m", "60 km/h", "30 °C")

    def _units(self) -> None:
        if not self.lang.units:
            return
        units = _alternation(self.lang.units)
        letters = "A-Za-z" if self.language in _UNSPACED else r"\w"
        self.rules.append((re.compile(rf"{self.free}(?P<amount>{self.number})\s?(?P<unit>{units})(?![{letters}/])"), self._unit))

    def _unit(self, match: re.Match) -> str:
        one, many = self.lang.units[match["unit"]]
        value = self.value(match["amount"])
        if self.language in ("zh", "ja"):
            return f"{self.amount(match['amount'])}{one}"
        if self.language == "fr" and value >= 2 or self.language != "fr" and value != 1:
            return f"{self.amount(match['amount'])} {many}"
        return f"{self.amount(match['amount'])} {one}"

    # --- percentages

    def _percents(self) -> None:
        def percent(match: re.Match) -> str:
            if self.language == "zh":
                return f"百分之{self.amount(match['amount'])}"
            return f"{self.amount(match['amount'])} {self.lang.percent}"

        self.rules.append((re.compile(rf"{self.free}(?P<amount>{self.number})\s?%"), percent))
        if self.language == "tr":  # Turkish writes the sign first: "%25"
            self.rules.append((re.compile(rf"(?<!\w)%\s?(?P<amount>{self.number})"), lambda m: f"yüzde {self.amount(m['amount'])}"))

    # --- fractions ("1/2", "3/4", "2 1/2")

    def _fractions(self) -> None:
        self.rules.append((re.compile(rf"{self.free}(?:(?P<whole>\d+)\s)?(?P<num>\d)/(?P<den>[2-9]|10)(?![\d/])"), self._fraction))
        # '½', '2½', '1 ¾': the single characters of fractions a printed book uses
        self.rules.append((re.compile(rf"{self.free}(?:(?P<whole>\d+)\s?)?(?P<vulgar>[{_VULGAR}])"), self._vulgar))

    def _fraction(self, match: re.Match) -> str:
        return self._say_fraction(int(match["num"]), int(match["den"]), match["whole"])

    def _vulgar(self, match: re.Match) -> str:
        num, _, den = unicodedata.normalize("NFKC", match["vulgar"]).partition("\u2044")  # '½' -> '1⁄2'
        return self._say_fraction(int(num), int(den), match["whole"])

    def _say_fraction(self, num: int, den: int, whole: str | None) -> str:
        lang = self.language
        if whole and num == 1 and den == 2 and self.lang.half_and:
            return (self.cardinal(int(whole)) + self.lang.half_and) if lang != "de" else self.cardinal(int(whole)).removesuffix("s") + "einhalb"
        prefix = f"{self.cardinal(int(whole))} {'and' if lang == 'en' else ''} ".replace("  ", " ") if whole else ""
        if lang == "zh":
            return f"{prefix}{words.cardinal(den, lang)}分之{words.cardinal(num, lang)}"
        if lang == "ja":
            return f"{prefix}{words.cardinal(den, lang)}分の{words.cardinal(num, lang)}"
        if lang == "ko":
            return f"{prefix}{words.cardinal(den, lang)}분의 {words.cardinal(num, lang)}"
        names = self.lang.fractions
        if not names and lang not in ("en", "de", "fr", "es", "it", "pt"):
            return f"{prefix}{self.cardinal(num)} / {self.cardinal(den)}"
        if den in names:
            one, many = names[den]
        elif lang == "de":
            one = many = words.ordinal(den, lang).capitalize().removesuffix("e") + "el"  # fünfte → Fünftel
        else:
            one = words.ordinal(den, lang)
            many = one + "s" if lang in ("en", "fr", "es", "pt") else one[:-1] + "i" if lang == "it" else one
        if lang == "de" and num == 1:
            return prefix + ("einhalb" if den == 2 else f"ein {one}")
        if lang in ("es", "it", "pt", "hi") and num == 1 and den == 2:
            return prefix + names[2][0]  # "medio litro", "mezzo", "meio", "आधा"
        count = {"en": "one", "fr": "un", "es": "un", "it": "un", "pt": "um"}.get(lang, self.cardinal(1)) if num == 1 else self.cardinal(num)
        return f"{prefix}{count} {one if num == 1 else many}"

    # --- ranges ("10-20", "1939–1945")

    def _ranges(self) -> None:
        self.rules.append((re.compile(rf"{self.free}(?P<a>\d+)\s?[{_DASH}]\s?(?P<b>\d+){self.end}"), self._range))

    def _range(self, match: re.Match) -> str:
        a, b = match["a"], match["b"]
        both_years = len(a) == len(b) == 4 and a[:2] in ("1" + a[1], "20")
        say = (lambda n: words.year(int(n), self.language)) if both_years else (lambda n: self.cardinal(int(n)))
        return f"{say(a)} {self.lang.to} {say(b)}"

    # --- decades ("1990s", "'60s", "1990er", "80er")

    def _decades(self) -> None:
        if self.language == "en":
            self.rules.append((re.compile(r"(?:(?<=\s)|(?<=^))['’]?(?P<n>(?:1[1-9]|20)?\d0)['’]?s(?!\w)"), self._english_decade))
        elif self.language == "de":
            self.rules.append((re.compile(rf"{self.free}(?P<n>(?:1[1-9]|20)?\d0)er(?=\s|-|$|[.,;])"),
                               lambda m: (words.year(int(m["n"]), "de") if len(m["n"]) == 4 else self.cardinal(int(m["n"]))) + "er"))

        elif self.language in ("fr", "es", "it", "pt"):  # "gli anni '90"
            self.rules.append((re.compile(r"(?:(?<=\s)|(?<=^))['’](?P<n>\d0)(?!\d)"), lambda m: self.cardinal(int(m["n"]))))

    def _english_decade(self, match: re.Match) -> str:
        n = match["n"]
        spoken = words.year(int(n), "en") if len(n) == 4 else self.cardinal(int(n))
        return spoken[:-1] + "ies" if spoken.endswith("y") else spoken + "s"

    # --- ordinals

    def _ordinals(self) -> None:
        lang = self.language
        if lang == "en":
            self.rules.append((re.compile(rf"{self.free}(?P<n>\d+)(?:st|nd|rd|th)\b"), lambda m: words.ordinal(int(m["n"]), "en")))
        elif lang in ("de", "pl", "tr", "ru"):
            months = "|".join(self.lang.months)
            pattern = rf"{self.free}(?P<n>\d{{1,3}})\.(?=\s+[A-ZÄÖÜ]\w*[a-zäöüß])" if lang == "de" else r"(?!)"
            lowercase = rf"{self.free}(?P<n>\d{{1,3}})\.(?=\s+(?:{months})\b|\s+[a-zäöüßąćęłńóśźżçğıöşü])"
            self.rules.append((re.compile(pattern), self._ordinal_before_noun))
            self.rules.append((re.compile(lowercase), self._ordinal_dot))
            if lang == "ru":
                self.rules.append((re.compile(rf"{self.free}(?P<n>\d+)-(?:й|я|е|го|му|м|ю)(?!\w)"), lambda m: words.ordinal(int(m["n"]), "ru")))
        elif lang == "fr":
            def french(m: re.Match) -> str:
                n, suffix = (int(m["n"]) if m["n"].isdecimal() else roman_value(m["n"])), m["suffix"]
                if n is None:
                    return None
                if n == 1:
                    return "première" if suffix in ("re", "ère") else "premier"
                return words.ordinal(n, "fr")

            self.rules.append((re.compile(rf"{self.free}(?P<n>\d+|[IVX]+)(?P<suffix>er|re|ère|ème|eme|e)\b"), french))
        elif lang in ("es", "it", "pt"):
            def romance(m: re.Match) -> str:
                spoken = words.ordinal(int(m["n"]), lang)
                if m["mark"] == "ª" and spoken.endswith("o"):
                    spoken = " ".join(w[:-1] + "a" if w.endswith("o") else w for w in spoken.split())
                elif lang == "es" and spoken in ("primero", "tercero") and re.match(r"\s+(?!(?:de|del|y|o|e|a)\b)[a-záéíóúñ]", m.string[m.end():]):
                    spoken = spoken[:-1]  # "el tercer piso"
                return spoken

            months = "|".join(self.lang.months)
            self.rules.append((re.compile(rf"{self.free}(?P<n>\d+)\.?(?:(?P<mark>[ºª])|°(?=\s+(?:{months})\b))"), romance))

    def _ordinal_before_noun(self, match: re.Match) -> Optional[str]:
        """German "das 2. Mal", "der 2. Weltkrieg": an ordinal after an article or preposition (else
        the period may end a sentence: "Er war 2. Dann...")."""
        before = match.string[: match.start()].split()[-1:]
        if before and before[0].casefold() not in _GERMAN_ARTICLES:
            return None
        return self._ordinal_dot(match)

    def _ordinal_dot(self, match: re.Match) -> str:
        if self.language == "de":
            return self._german_ordinal(int(match["n"]), match)
        return words.ordinal(int(match["n"]), self.language)

    def _german_ordinal(self, n: int, match: re.Match) -> str:
        spoken = words.ordinal(n, "de")
        before = match.string[: match.start()]
        if re.search(r"(?:\b(?:am|im|zum|vom|beim|dem|den|des|einem|einen|eines|seit dem|bis zum))\s+$", before, re.IGNORECASE):
            return spoken + "n"
        return spoken

    # --- Roman numerals: after chapter words, regnal names, centuries

    def _romans(self) -> None:
        lang = self.lang
        self.rules.append((re.compile(rf"\b(?P<word>(?i:{lang.chapter_words}))(?P<space>\s+)(?P<roman>[IVXLCDM]+)\b(?!['’]\w)"),
                           self._chapter))
        if lang.regnal != "none":
            dot = r"\.?" if self.language == "de" else ""
            numeral = r"[IVX]{2,6}|V|X" if self.language == "en" else r"[IVX]{1,6}"  # English "Henry I saw" is a pronoun
            self.rules.append((re.compile(rf"(?<=[^\W\d_])(?P<space>\s+)(?P<roman>{numeral}){dot}(?![\w'’])"), self._regnal))

    def _chapter(self, match: re.Match) -> str:
        value = roman_value(match["roman"])
        if value is None:
            return None
        return f"{match['word']}{match['space']}{self.cardinal(value)}"

    def _regnal(self, match: re.Match) -> str:
        value = roman_value(match["roman"])
        name = match.string[: match.start()].split()[-1:]
        if value is None or value > 40 or not name or not name[0][:1].isupper():
            return None  # a king's or a pope's name comes first
        space, lang = match["space"], self.language
        if lang == "en":
            return f"{space}the {words.ordinal(value, 'en').capitalize()}"
        if self.lang.regnal == "der":
            return f"{space}der {words.ordinal(value, 'de').capitalize()}"
        if self.lang.regnal == "cardinal":
            return space + ("premier" if value == 1 else self.cardinal(value))
        if self.lang.regnal == "ordinal10" and value > 10:
            return space + self.cardinal(value)
        return space + words.ordinal(value, lang)

    # --- the whole text

    def __call__(self, chunks: Chunks) -> Chunks:
        # The text open to the rules only loses characters as rules protect their words, so what
        # it lacks now no later chunk of it has.
        text = "".join(t for t, protected in chunks if not protected)
        digits, present = _DIGIT.search(text) is not None, set(text)
        for pattern, replace, digit, characters in self._gated:
            if (digit and not digits) or any(needed.isdisjoint(present) for needed in characters):
                continue
            chunks = replace_in(chunks, pattern, replace)
        return chunks

    def title_numeral(self, text: str) -> Optional[str]:
        """A text that is only a Roman numeral ("IV.", a chapter title) as words, else None."""
        stripped = text.strip()
        value = roman_value(stripped.rstrip("."))
        if value is None or value < 1:
            return None
        return self.cardinal(value) + ("." if stripped.endswith(".") else "")


_VULGAR = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒"  # each NFKC-decomposes to digits, U+2044 and digits (den 2-10)
_DIGIT = re.compile(r"\d")  # what a pattern's \d and [0-9] need: a text without it cannot match them


def needs_digit(pattern: re.Pattern) -> bool:
    """Whether every match of `pattern` must contain a digit (\\d, [0-9], a digit literal): read
    from its parse tree, conservatively (an optional part, a lookaround or a negated set: no)."""
    return _sequence_needs_digit(sre_parse.parse(pattern.pattern, pattern.flags))


def needed_characters(pattern: re.Pattern) -> frozenset:
    """Sets of characters every match of `pattern` contains one of each of, conservatively: literals
    and small sets of literals outside optional parts and lookarounds, an alternation's by one set
    of each branch, and nothing with a case where the pattern ignores case."""
    return frozenset(_sequence_characters(sre_parse.parse(pattern.pattern, pattern.flags),
                                          bool(pattern.flags & re.IGNORECASE)))


def _sequence_characters(sequence, folded: bool) -> set:
    found: set = set()
    for op, value in sequence:
        found |= _item_characters(op, value, folded)
    return found


def _caseless(char: str) -> bool:
    return char.lower() == char.upper() == char.casefold()


def _item_characters(op, value, folded: bool) -> set:
    c = sre_constants
    if op is c.LITERAL:
        char = chr(value)
        return set() if folded and not _caseless(char) else {frozenset(char)}
    if op is c.IN:
        chars: set = set()
        for item_op, item in value:
            if item_op is c.LITERAL:
                chars.add(chr(item))
            elif item_op is c.RANGE and item[1] - item[0] < 64:
                chars.update(map(chr, range(item[0], item[1] + 1)))
            else:  # a category, a negation, a big range: any character may do
                return set()
        return set() if not chars or (folded and not all(map(_caseless, chars))) else {frozenset(chars)}
    if op is c.SUBPATTERN:
        add, remove = value[1], value[2]
        return _sequence_characters(value[-1], (folded or bool(add & c.SRE_FLAG_IGNORECASE))
                                    and not remove & c.SRE_FLAG_IGNORECASE)
    if op is c.ATOMIC_GROUP:
        return _sequence_characters(value, folded)
    if op is c.BRANCH:  # one needed set of each branch: a match holds one of their union
        needed = [_sequence_characters(alternative, folded) for alternative in value[1]]
        if not needed or not all(needed):
            return set()
        return {frozenset().union(*(min(sets, key=sorted) for sets in needed))}
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return _sequence_characters(value[2], folded) if value[0] >= 1 else set()
    return set()


def _sequence_needs_digit(sequence) -> bool:
    return any(_item_needs_digit(op, value) for op, value in sequence)


def _item_needs_digit(op, value) -> bool:
    c = sre_constants
    if op is c.LITERAL:
        return _DIGIT.fullmatch(chr(value)) is not None
    if op is c.IN:
        return bool(value) and all(_set_item_is_digit(item_op, item) for item_op, item in value)
    if op is c.SUBPATTERN:
        return _sequence_needs_digit(value[-1])
    if op is c.ATOMIC_GROUP:
        return _sequence_needs_digit(value)
    if op is c.BRANCH:
        return all(_sequence_needs_digit(alternative) for alternative in value[1])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return value[0] >= 1 and _sequence_needs_digit(value[2])
    return False


def _set_item_is_digit(op, value) -> bool:
    c = sre_constants
    if op is c.CATEGORY:
        return value is c.CATEGORY_DIGIT
    if op is c.LITERAL:
        return _DIGIT.fullmatch(chr(value)) is not None
    if op is c.RANGE:
        return all(_DIGIT.fullmatch(chr(code)) for code in range(value[0], value[1] + 1)) if value[1] - value[0] < 10 else False
    return False


def _or_as_written(replace: Callable[[re.Match], str]) -> Callable[[re.Match], Optional[str]]:
    """A rule that cannot say a match (a currency without words in this language, a number num2words
    rejects) leaves it to the rules after it (None), so that no text makes the render fail."""

    def safe(match: re.Match) -> Optional[str]:
        try:
            return replace(match)
        except (ArithmeticError, ValueError, TypeError, LookupError, NotImplementedError, RecursionError):
            return None

    return safe
