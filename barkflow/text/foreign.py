"""Foreign forms of address, for characters.py: the titles a translated or continental novel puts
before a name ('Señora Ruiz', 'Fräulein Weber', 'the Comtesse'), the French clipped ones written
with a stop ('M. Dufour', 'Mme. Dufour', 'Mlle. Dufour') and read as the full title, and the
address words that are never a name alone ('Monsieur', 'Messieurs', 'Madame': a vocative, a plural
title), however often a book capitalises them mid-sentence."""

from __future__ import annotations

from collections import Counter, defaultdict

import regex

MALE_TITLES = {"Señor", "Senor", "Comte", "Vicomte", "Marquis", "Chevalier", "Duc"}
FEMALE_TITLES = {"Señora", "Senora", "Signorina", "Fräulein", "Comtesse", "Vicomtesse", "Marquise", "Duchesse"}
# Foreign ranks a book calls one person by alone, as it does 'the Countess' (characters' role
# titles): 'the Comtesse' is the one Comtesse de Tournay, 'the Signora' the one Signora Neroni; a
# rank alone is never a name ('Madame la Comtesse').
ROLE_RANKS = {"Comte", "Comtesse", "Vicomte", "Vicomtesse", "Marquise", "Duc", "Duchesse", "Chevalier",
              "Signor", "Signora"}

# 'M.' is Monsieur before a name, never an initial of one ('J. M. Dufour'): a stop is required,
# and no initial may come just before it.
MONSIEUR = r"(?<!\p{Lu}\.[ \t]?)M\.(?=[ \t\n]+(?:d['’]|de[ \t]|du[ \t])?\p{Lu})"
CLIPPED = {"M": "Monsieur", "Mme": "Madame", "Mlle": "Mademoiselle"}
_WORD_BEFORE = regex.compile(r"(\p{Lu}\p{Ll}+)[ \t]+$")


def middle_initial(text: str, start: int, names: set[str]) -> bool:
    """Whether the 'M.' at `start` is a middle initial after a given name the book knows ('James M.
    Barrie'), not Monsieur after a sentence's first word ('When M. Paul came')."""
    m = _WORD_BEFORE.search(text, max(0, start - 30), start)
    return bool(m) and m.group(1) in names

# Ranks of nobility or the church: two of them on one surname are two people, a father and a son
# ('the Comte de Tournay', 'the Vicomte de Tournay'; 'Bishop Grantly', 'Archdeacon Grantly'), where
# 'Monsieur' or 'Doctor' and a rank may be one man.
NOBLE_RANKS = {"Count", "Comte", "Vicomte", "Viscount", "Baron", "Marquis", "Duke", "Duc", "Earl", "Prince",
               "Cardinal", "Bishop", "Archdeacon"}


def two_ranks(a: str | None, b: str | None) -> bool:
    """Whether titles a and b are two different ranks of nobility."""
    return a != b and a in NOBLE_RANKS and b in NOBLE_RANKS


# One woman's titles in two tongues: 'Mrs. Neroni' is 'Madame Neroni' and 'Signora Neroni', 'Miss
# Vane' 'Mademoiselle Vane', where two English titles of a surname ('Mrs. Bates', 'Miss Bates') are two.
WIVES = {"Mrs", "Madame", "Signora", "Frau", "Señora", "Senora"}
MAIDS = {"Miss", "Mademoiselle", "Signorina", "Fräulein", "Fraulein", "Señorita", "Senorita"}


def one_address(a: str | None, b: str | None) -> bool:
    """Whether titles a and b address one woman in two tongues (one of them foreign)."""
    return a != b and ({a, b} <= WIVES or {a, b} <= MAIDS)


# Foreign ranks and titles, which an English narration writes after 'the' ('the Comte de Tournay',
# 'the Signora Neroni'): a person however seldom a tag names her, not an inn or a ship ('the
# Admiral Benbow', places.no_person).
STYLED_WITH_THE = {"Comte", "Comtesse", "Vicomte", "Vicomtesse", "Marquis", "Marquise", "Duc", "Duchesse",
                   "Signor", "Signora", "Madame", "Monsieur", "Mademoiselle"}


def styled_rank(forms) -> bool:
    """Whether every titled form of a cast entry ((title, name) keys) wears a foreign rank or title."""
    titles = {t for t, _ in forms if t}
    return bool(titles) and titles <= STYLED_WITH_THE


ADDRESS_WORDS = {"Monsieur", "Madame", "Mademoiselle", "Messieurs", "Mesdames", "Mesdemoiselles", "Messrs",
                 "Mme", "Mlle", "Monseigneur", "Signor", "Signora", "Signorina", "Herr", "Frau", "Fraulein",
                 "Fräulein", "Señor", "Señora", "Senor", "Senora"}


# The particle a book writes between a title and a surname ('M. de Treville', 'Lord de Winter'): the
# cast reads past it (characters' _NAME), and shows it again in the names it gives.
_PARTICLED = regex.compile(r"(?<![\p{L}])(\p{Lu}\p{Ll}+|M\.|Mme|Mlle)\.?[ \t\n]+(de la|de|du|d['’]|von|van der|van|di|da|del)"
                           r"[ \t\n]*(\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)(?![\p{L}])")
_FULL = CLIPPED | {"M.": "Monsieur"}


def with_particles(characters: list, text: str) -> list:
    """The characters, each 'Title Surname' alias shown with the particle the book writes between
    them, where it mostly does ('Monsieur de Treville', 'Comtesse du Barry'), names and aliases alike."""
    found: dict[str, Counter] = defaultdict(Counter)
    for m in _PARTICLED.finditer(text):
        found[f"{_FULL.get(m.group(1), m.group(1))} {m.group(3)}"][m.group(2)] += 1
    for c in characters:
        shown = {a: _with_particle(a, found.get(a), text) for a in c.aliases}
        if any(a != b for a, b in shown.items()):
            c.aliases = tuple(sorted(shown.values()))
            c.name = shown.get(c.name, c.name)
    return characters


def _with_particle(alias: str, particles: Counter | None, text: str) -> str:
    if not particles:
        return alias
    title, surname = alias.split()
    spelled = {"Monsieur": r"(?:Monsieur|M\.)", "Madame": r"Mme\.?|Madame", "Mademoiselle": r"Mlle\.?|Mademoiselle"}
    plain = regex.findall(rf"(?<![\p{{L}}])(?:{spelled.get(title, regex.escape(title))})\.?[ \t\n]+{surname}(?![\p{{L}}])", text)
    particle, n = particles.most_common(1)[0]
    if n <= len(plain):
        return alias
    gap = "" if particle.endswith(("’", "'")) else " "
    return f"{title} {particle}{gap}{surname}"
