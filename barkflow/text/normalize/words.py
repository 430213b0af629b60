"""Numbers as words per language: num2words where it has the language, small readers of our own
for Chinese and Hindi (num2words has neither), and the bounds every reader keeps: a whole number
too long to say as a number is read digit by digit, and every digit of a decimal is read."""

from __future__ import annotations

import functools

from num2words import CONVERTER_CLASSES, num2words

MAX_WHOLE_DIGITS = 15  # longer whole numbers are read digit by digit (num2words overflows at 10**18 in some languages)

POINT_WORDS = {"en": "point", "de": "Komma", "fr": "virgule", "es": "coma", "it": "virgola", "pt": "vírgula",
               "pl": "przecinek", "ru": "запятая", "tr": "virgül", "ja": "点", "ko": "점", "zh": "点",
               "hi": "दशमलव"}

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_SMALL = ((1000, "千"), (100, "百"), (10, "十"))


def _zh_below_10000(n: int) -> str:
    out, zero = "", False
    for value, name in _ZH_SMALL:
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero and out else "") + _ZH_DIGITS[digit] + name
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero and out else "") + _ZH_DIGITS[n]
    return out


def zh_cardinal(n: int) -> str:
    """Chinese numerals: 21 → 二十一, 10 → 十, 10005 → 一万零五, 2023 → 二千零二十三."""
    if n == 0:
        return "零"
    parts, scale_names, index = [], ("", "万", "亿", "万亿"), 0
    while n:
        n, group = divmod(n, 10000)
        if group:
            words = _zh_below_10000(group) + scale_names[index]
            if parts and group < 1000:
                words += "零"
            parts.insert(0, words)
        elif parts and not parts[0].startswith("零"):
            parts.insert(0, "零")
        index += 1
    text = "".join(parts).rstrip("零")
    text = text.replace("零零", "零")
    return text[1:] if text.startswith("一十") else text


_HI_0_99 = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस बीस इक्कीस बाईस "
    "तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस "
    "उनतालीस चालीस इकतालीस बयालीस तैंतालीस चवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास पचास इक्यावन बावन "
    "तिरेपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ साठ इकसठ बासठ तिरसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर "
    "सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी अस्सी इक्यासी बयासी तिरासी "
    "चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी नब्बे इक्यानबे बानबे तिरानबे चौरानबे पंचानबे छियानबे सत्तानबे "
    "अट्ठानबे निन्यानबे"
).split()
_HI_SCALES = ((10**7, "करोड़"), (10**5, "लाख"), (1000, "हज़ार"), (100, "सौ"))


def hi_cardinal(n: int) -> str:
    """Hindi numerals in the Indian system: 125000 → एक लाख पच्चीस हज़ार."""
    if n < 100:
        return _HI_0_99[n]
    words = []
    for value, name in _HI_SCALES:
        count, n = divmod(n, value)
        if count:
            words += [hi_cardinal(count), name]
    if n:
        words.append(_HI_0_99[n])
    return " ".join(words)


_TR_ONES = ("", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TR_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_TR_SCALES = ((10**12, "trilyon"), (10**9, "milyar"), (10**6, "milyon"), (1000, "bin"))


def tr_cardinal(n: int) -> str:
    """Turkish numerals as they are written, word by word (num2words glues them: "yirmidokuz"):
    1923 → bin dokuz yüz yirmi üç."""
    if n == 0:
        return "sıfır"
    out = []
    for value, name in _TR_SCALES:
        count, n = divmod(n, value)
        if count:
            out += ([] if count == 1 and value == 1000 else [tr_cardinal(count)]) + [name]
    hundreds, n = divmod(n, 100)
    if hundreds:
        out += ([] if hundreds == 1 else [_TR_ONES[hundreds]]) + ["yüz"]
    out += [w for w in (_TR_TENS[n // 10], _TR_ONES[n % 10]) if w]
    return " ".join(out)


_TR_ORDINAL = dict(zip(
    "bir iki üç dört beş altı yedi sekiz dokuz on yirmi otuz kırk elli altmış yetmiş seksen doksan yüz bin milyon milyar".split(),
    "birinci ikinci üçüncü dördüncü beşinci altıncı yedinci sekizinci dokuzuncu onuncu yirminci otuzuncu kırkıncı "
    "ellinci altmışıncı yetmişinci sekseninci doksanıncı yüzüncü bininci milyonuncu milyarıncı".split()))

_OWN = {"zh": zh_cardinal, "hi": hi_cardinal, "tr": tr_cardinal}


@functools.lru_cache(maxsize=None)
def has_numbers(language: str) -> bool:
    """Whether numbers can be said in `language` (num2words or a reader of our own)."""
    return language in _OWN or language in CONVERTER_CLASSES


def cardinal(n: int, language: str) -> str:
    if n < 0:
        return f"{MINUS.get(language, 'minus')} {cardinal(-n, language)}"
    if len(str(n)) > MAX_WHOLE_DIGITS:
        return digits(str(n), language)
    if language in _OWN:
        return _OWN[language](n)
    return num2words(n, lang=language)


def ordinal(n: int, language: str) -> str:
    if language == "tr":  # the suffix goes on the last word: yirmi üçüncü
        said = tr_cardinal(n).split()
        return " ".join(said[:-1] + [_TR_ORDINAL.get(said[-1], said[-1])])
    if language == "zh":
        return "第" + zh_cardinal(n)
    if language == "hi":
        return {1: "पहला", 2: "दूसरा", 3: "तीसरा", 4: "चौथा", 6: "छठा"}.get(n, hi_cardinal(n) + "वाँ")
    return num2words(n, lang=language, to="ordinal")


def year(n: int, language: str) -> str:
    if language in ("en", "de"):
        return num2words(n, lang=language, to="year")
    if language == "hi" and 1100 <= n < 2000:  # 1947: उन्नीस सौ सैंतालीस, "nineteen hundred forty-seven"
        rest = n % 100
        return f"{hi_cardinal(n // 100)} सौ" + (f" {hi_cardinal(rest)}" if rest else "")
    return cardinal(n, language)


def digits(text: str, language: str) -> str:
    """Each digit on its own: "007" → "zero zero seven"."""
    return " ".join(cardinal(int(digit), language) for digit in text if digit.isdecimal())


def decimal(whole: str, fraction: str, language: str) -> str:
    """A number from its digits: the whole part as a number, every decimal digit on its own."""
    spoken = cardinal(int(whole or "0"), language)
    if fraction:
        spoken += f" {POINT_WORDS.get(language, 'point')} {digits(fraction, language)}"
    return spoken


MINUS = {"en": "minus", "de": "minus", "fr": "moins", "es": "menos", "it": "meno", "pt": "menos", "pl": "minus",
         "ru": "минус", "tr": "eksi", "ja": "マイナス", "ko": "마이너스", "zh": "负", "hi": "ऋण"}
