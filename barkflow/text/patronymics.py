"""Patronymics: the father's name worn as a middle name ('Rodion Romanovitch', 'Avdotya Romanovna',
'Pyotr Ilyitch', 'Darya Alexandrovna'), as translations from Russian and the like write them.

A patronymic tells its bearer's sex by its ending, and with the given name before it makes one
given name, never a surname, however often it ends a two-word name (characters.py). Read from the
word's ending alone: -vitch/-vich/-itch/-ich for a man (not -ich after d, n, r or w: Shoreditch,
Munich, Ulrich, Norwich), -ovna/-evna/-ichna/-inishna for a woman.
"""

from __future__ import annotations

import regex

_PATRONYMIC_SEX = (("M", regex.compile(r"\p{Lu}\p{Ll}{2,}?(?:vi?t?ch|(?<![dnrw])it?ch)")),
                   ("F", regex.compile(r"\p{Lu}\p{Ll}{2,}?(?:[oe]vna|it?chna|inishna)")))


def patronymic_sex(word: str) -> str | None:
    """"M" or "F" where `word` is a patronymic by its ending, else None."""
    return next((sex for sex, form in _PATRONYMIC_SEX if form.fullmatch(word)), None)
