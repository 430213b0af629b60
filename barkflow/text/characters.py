"""A book's characters from its text alone: names, aliases merged, a gender guess.

find_characters(text) reads the capitalised names a book uses (a word counts as a name where it is
capitalised in mid-sentence and rarely seen in lower case), with their titles (Mr., Mrs., Miss,
Lady, Sir, Dr., Colonel, Captain, ...), and merges the forms that name one person:
'Miss Elizabeth Bennet', 'Elizabeth Bennet', 'Elizabeth', and her pet names ('Lizzy', 'Eliza',
from a small table of English hypocorisms) become one Character, as do a first name's clear
clipping or diminutive before the same surname or alone ('Huck', 'Hucky', 'Huck Finn' and
'Huckleberry Finn'), unless the book names the two side by side; 'Mr. Darcy' joins 'Fitzwilliam
Darcy' where he is the only male Darcy; 'Miss Bennet', shared by several sisters, stays its own.
A patronymic ('Rodion Romanovitch Raskolnikov') is part of the first name, and tells the sex.
Gender comes from titles and pet names, else from the pronouns that follow the name in narration,
else from the first name's sex in the 1990 US Census (given_names.tsv: Cecil, Rachael, Joan).
A person the book calls by a title alone ('the Admiral', 'the Duchess') is a character too.

Mentions (Cast.mentions) are every place a known alias occurs, which attribution.py needs for
explicit tags, pronouns and vocatives. Plain regular expressions: linear in the text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from barkflow.text import cues, epithets, foreign, joins, rankednames
from barkflow.text.clipped import join_clipped
from barkflow.text.entries import Entries
from barkflow.text.epithets import joined_epithets, with_epithets
from barkflow.text.givennames import (
    FORMAL_GENDER,
    PET,
    RUSSIAN_PETS,
    diminutive,
    familiar,
    formal,
    formals,
    given_names,
    given_sex,
    one_given_name,
)
from barkflow.text.homenames import home_names
from barkflow.text.patronymics import patronymic_sex
from barkflow.text.petsex import pet_sex, pronoun_votes
from barkflow.text.places import no_person
from barkflow.text.quotes import find_quotes
from barkflow.text.saints import SAINT as _SAINT
from barkflow.text.saints import saint_surname, with_given_saints, with_saints
from barkflow.text.surnamed import boy_and_man, fathers_surnames, shared_surname
from barkflow.text.titles import (
    ANYONES,
    DOCTOR,
    FEMALE_TITLES,
    FIRST_NAME_TITLES,
    MALE_OR_NEUTRAL,
    MALE_TITLES,
    MARRIED,
    MOSTLY_MALE,
    NEUTRAL_TITLES,
    SHORT_TITLES,
    STOP,
    TITLES,
    WORD_SURNAMES,
    full_title,
)

# Only a clipped title takes a stop ('Mr. Darcy'): after 'the Station Master.' or 'fetch the
# Doctor.' the sentence has ended, and 'Bobbie' or 'He' that opens the next is no Master Bobbie.
_CLIPPED = {"Mr", "Mrs", "Ms", "Dr", "Col", "Capt", "Rev", "Prof", "Mme", "Mlle"}
_TITLE_RE = rf"(?:{foreign.MONSIEUR}|(?:" + "|".join(sorted(_CLIPPED, key=len, reverse=True)) + r")\.?|" + \
    "|".join(sorted(TITLES - _CLIPPED, key=len, reverse=True)) + r")"
# An Irish or Scots prefix with either apostrophe, straight or curly as most e-texts print it:
# 'O’Connor', 'D’Arcy', 'M’Coy' (Dubliners, explicit-tag check 356 -> 421/422; dev unchanged).
# And a French elided particle: 'd’Artagnan' (foreign.py; Three Musketeers' tag check 1350 -> 1902/1905).
_WORD = r"(?:Mc|Mac|[ODM]['’]|d['’])?\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)?"
_PARTICLE = r"(?:de|de la|van|von|du|le|la|di|da|del|van der|ten)"
# A name's words run on over a line's end, never a blank line: 'The Death of Boggs\n\nSherburn steps
# out', a list of pictures, is no 'Boggs Sherburn'.
_GAP = r"(?:[ \t]+\n?|\n)[ \t]*"
# A name's words are never a title: 'Then Mr. Crane' is 'Mr. Crane' after a stray word, not 'Crane'.
_NOT_TITLE = rf"(?!{_TITLE_RE}(?![\p{{L}}]))"
_NAME = regex.compile(
    rf"(?<![\p{{L}}'’])(?:(?P<title>{_TITLE_RE})\s+(?P<initials>(?:\p{{Lu}}\.[ \t]*){{1,3}}[ \t])?(?:{_PARTICLE}\s+)?)?(?P<name>(?:{_SAINT})?{_WORD}(?:{_GAP}(?:{_PARTICLE}\s+|{_SAINT})?{_NOT_TITLE}{_WORD}){{0,2}})(?![\p{{L}}])")
_CAPITAL = regex.compile(rf"(?<![\p{{L}}'’])({_WORD})(?![\p{{L}}'’])")
_SENTENCE_START = regex.compile(r"(?:^|[.!?:\"“”‘’'(\[—_-]|\n\s*\n)\s*$")
_TITLED = regex.compile(rf"\b{_TITLE_RE}\s+(?:{_PARTICLE}\s+)?({_WORD})")
_AFTER_TITLE = regex.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Mme|Mlle|Col|Capt|Rev|Prof|M)\.\s+$")
_FIRST_OF_TWO = regex.compile(rf"(?<![\p{{L}}'’])({_WORD})[ \t]+({_WORD})(?![\p{{L}}'’])")
# Titles a book may call one person by alone ('the Admiral'): not Mr./Mrs./Miss, which never stand alone.
_ROLE_TITLES = sorted((NEUTRAL_TITLES | {"King", "Queen", "Prince", "Princess", "Duke", "Duchess", "Count",
                                         "Countess", "Baron", "Baroness", "Marquis", "Squire", "Abbe"} | foreign.ROLE_RANKS)
                      - {"Col", "Capt", "Rev", "Prof", "Mister", "Cousin"}, key=len, reverse=True)
_TITLE_ROLE = regex.compile(rf"\b[Tt]he[ \t\n]+({'|'.join(_ROLE_TITLES)})\b(?![ \t\n]*(?:\p{{Lu}}|['’]s\b|d(?:e|u)\b|d['’]))")


@dataclass
class Character:
    id: int
    name: str                        # the fullest form the book uses
    aliases: tuple[str, ...] = ()    # every form found for this character, the name included
    gender: str = "?"                # "F", "M" or "?"
    lines: int = 0                   # quotations attributed to the character (attribution fills it)
    mentions: int = 0                # occurrences of any alias in the text
    gender_from: str = ""            # "title", "name" (a given or pet name), "pronouns" or "census" (given_names())
    narrator: bool = False           # the book's first-person narrator ('"...," said I'): the narrator's voice


@dataclass
class Cast:
    characters: list[Character]
    mentions: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, character id)

    def by_id(self, cid: int) -> Character:
        return self.characters[cid]


@dataclass
class _Entry:
    title: str | None
    first: str | None
    last: str | None
    gender: str
    forms: Counter
    givens: set = field(default_factory=set)        # every first name its forms use (Huck, Huckleberry)
    titled_givens: set = field(default_factory=set)  # those worn after Sir/Lady/Aunt... (Sir Thomas)

    @property
    def mentioned(self) -> int:
        """How often the book names this entry, in any of its forms."""
        return sum(self.forms.values())


# How many times as often as any other the book names the one man of a surname 'Mr. X' is.
FAR_COMMONER = 10


def _far_commonest(entries, ratio: float) -> _Entry | None:
    """The one of `entries`, or the one the book names `ratio` times as often as the next."""
    ranked = sorted(entries, key=lambda e: -e.mentioned)
    if len(ranked) == 1 or len(ranked) > 1 and ranked[0].mentioned >= ratio * ranked[1].mentioned:
        return ranked[0]
    return None


def _gender_of_title(title: str | None) -> str:
    if not title:
        return "?"
    title = title.rstrip(".")
    if title in MALE_TITLES or title in MOSTLY_MALE:
        return "M"
    if title in FEMALE_TITLES:
        return "F"
    return "?"


# A tag's word after the verb, with or without 'the' ('said the Mouse', 'said Baby'): a whole word,
# not the head of a longer one ('said Ma'am', 'said Good-bye').
_TAG_VERB = r"(?:said|says|cried|replied|asked|answered|exclaimed|added|continued|remarked|shouted|whispered|called\s+out)"
_TAGGED = regex.compile(rf"\b{_TAG_VERB}\s+(?:the\s+)?(\p{{Lu}}\p{{Ll}}+)\b(?![\p{{L}}'’-]|{epithets.OPENS_DESCRIPTION})")
# A word in a tag's name position, right after its verb or right before it ('said March', 'May said').
_TAG_BEFORE = regex.compile(rf"\b{cues.VERB}[ \t\n]+$")
_TAG_AFTER = regex.compile(rf"[ \t\n]+{cues.VERB}\b")


def _name_words(text: str, titled: Counter) -> set[str]:
    """Capitalised words used as names: capitalised mid-sentence at least twice, rarely lower case.
    `titled`: how often the book writes each word right after a title (_titled_words)."""
    mid, lower = Counter(), Counter()
    for m in _CAPITAL.finditer(text):
        start = m.start()
        # After 'Mr.' a word is mid-sentence: the period is the title's, not a sentence's.
        if not _SENTENCE_START.search(text, max(0, start - 4), start) or \
                _AFTER_TITLE.search(text, max(0, start - 12), start):
            mid[m.group(1)] += 1
    for w in regex.findall(r"(?<![\p{L}'’])\p{Ll}+(?:-\p{Ll}+)?(?![\p{L}])", text):
        lower[w] += 1
    # Once is enough for a known given name or pet name, or a word right after a title.
    names = {w for w, n in mid.items()
             if (n >= 2 or w in FORMAL_GENDER or w in PET or titled[w])
             and w not in STOP and len(w) > 1 and lower[w.lower()] * 4 < n}
    # 'said the Mouse', 'cried the Duck', 'said Baby' twice or more: a capitalised word a speech tag
    # names is a character, however often the word is written in lower case elsewhere ('a mouse',
    # 'a baby'): a nickname may be seen nowhere but in its tags.
    tagged = Counter(_TAGGED.findall(text))
    names |= {w for w, n in tagged.items() if n >= 2 and (w not in STOP or w in WORD_SURNAMES or w in PET)}
    # A given name that is also a common word (Rose, Grace, Will) is a name where the book puts it
    # before a surname it knows, twice or more: 'Rose Maylie'. Mostly before the one name: not a word
    # opening sentences before whichever name comes next ('Presently Tony', 'Presently Milly'), nor one
    # no census knows before a given name ('Presently Jo'); 'Harold June' is one before one.
    pairs = Counter((m.group(1), m.group(2)) for m in _FIRST_OF_TWO.finditer(text) if m.group(2) in names)
    before_name, top = Counter(), {}
    for (w, after), n in pairs.items():
        before_name[w] += n
        top[w] = max(top.get(w, (0, "")), (n, after))
    return names | {w for w, n in before_name.items() if n >= 2 and top[w][0] * 4 >= n * 3
                    and (given_sex(w) != "?" or given_sex(top[w][1]) == "?") and w not in STOP and len(w) > 1}


# Short forms of titles that name one person with the full one (Col. Brandon is Colonel Brandon).
_TITLE_FULL = SHORT_TITLES | {"Mister": "Mr"} | foreign.CLIPPED
FormKey = tuple[str | None, str]   # (title, name words): one form a character is called by


def _common_word_named(text: str, m: regex.Match, words: list[str], word: str, names: set[str]) -> bool:
    """Whether a month, another common-word surname (WORD_SURNAMES) or a pet name that is a common
    word ('Will') in name match m is someone's name: one the tags name ('said March', 'said Good',
    twice or more: `names` holds it) beside another name ('Harold March', 'Will Ladislaw') or in a
    tag's name position ('asked March', 'Good said'); never 'in March', 'Good heavens' or 'May I
    come?' (dev all 16452 -> 16458; tag check: Harold March 292 -> 329/332; King Solomon's Mines'
    'said Good' 110 -> 145/145; Middlemarch's 'said Will' 1427 -> 1523/1526)."""
    if word not in WORD_SURNAMES and word not in PET or word not in names:
        return False
    if len(words) > 1:
        return True
    start = m.start() + m.group().find(word)
    end = start + len(word)
    return bool(_TAG_BEFORE.search(text, max(0, start - 20), start) or _TAG_AFTER.match(text, end, end + 20))


def _titled_words(text: str) -> Counter:
    """How often the book writes each capitalised word right after a title ('Miss Hope': Hope)."""
    return Counter(m.group(1) for m in _TITLED.finditer(text))


def _name_forms(text: str, names: set[str], titled: Counter) -> tuple[Counter, dict[FormKey, list[tuple[int, int]]]]:
    """Every titled or untitled name form in `text`: how often each occurs, and where."""
    forms: Counter = Counter()
    spans: dict[FormKey, list[tuple[int, int]]] = defaultdict(list)
    for m in _NAME.finditer(text):
        if (title := m.group("title")) == "M." and foreign.middle_initial(text, m.start(), names):
            continue
        # 'Reggie St Cloud': 'St Cloud' one surname word (dev all 16694 -> 16729, answered 81.8 -> 81.9%).
        words = with_saints(cues.BLANKS.split(m.group("name")), title)
        words = joined_epithets(words, names)  # 'Little Dorrit' (epithets.py)
        # Drop sentence-initial words that are not names (But Elizabeth -> Elizabeth).
        while words and words[0] not in names and not (title and len(words) == 1):
            words = words[1:]
            title = None
        while words and words[-1] not in names and not (title and len(words) == 1) and not saint_surname(words, title) \
                and not (len(words) == 2 and words[0] in names and given_sex(words[0]) != "?" and words[1] in titled):
            words = words[:-1]  # but 'Laura Hope' of a Miss Hope: a common word that is a titled surname
        if not words:
            continue
        if title:
            title = title.rstrip(".")
            title = _TITLE_FULL.get(title, title)
        # A month or a common word after a surname title is a surname ('Mrs. March', 'Mr.
        # Darling', 'Dr. Hall'); alone it is a date, an endearment; a month the tags name is a name.
        if len(words) > 3 or any(w in STOP and not (_titled_surname(title, words) or _common_word_named(text, m, words, w, names)
                                                    or title in _SURNAME_TITLES and len(words) == 1 and w not in _NOT_SURNAMES)
                                 for w in words):
            continue
        key = (title, " ".join(words))
        if m.group("initials") and title and len(words) == 1:
            # 'Mr. E. W. B. Childers': initials before a surname are one name with it.
            key = (title, " ".join(m.group("initials").split() + words))
        forms[key] += 1
        matched = m.group()
        start = m.start() if title else m.start() + matched.find(words[0])
        last_word = words[-1].split()[-1]  # 'St Cloud' may be broken across a line
        end = m.start() + matched.rfind(last_word) + len(last_word)
        spans[key].append((start, end))
    # A title word the book gives someone as a first name after another title ('Mrs. Donna Crane')
    # is that first name wherever it stands: 'Donna Crane' is her, not a title and a surname.
    for title, name in [key for key in forms if key[0] in TITLES]:
        if any((other, f"{title} {name}") in forms for other in TITLES):
            forms[(None, f"{title} {name}")] += forms.pop((title, name))
            spans[(None, f"{title} {name}")] += spans.pop((title, name))
    return forms, spans


def _titled_surname(title: str | None, words: list[str]) -> bool:
    """Whether a common word is a surname here: alone after a title ('Mr. Darling', 'Aunt March')."""
    return bool(title) and len(words) == 1 and words[0] in WORD_SURNAMES


def _surname_uses(e: _Entry) -> tuple[int, int]:
    """(by surname alone or after Mr./Mrs./Miss, by a form with the first name): how the book calls e."""
    by_surname = sum(n for (t, name), n in e.forms.items() if name == e.last and t not in FIRST_NAME_TITLES)
    return by_surname, e.mentioned - by_surname


def _kin_given(e: _Entry, first: str, apart: frozenset, misters: set, familiar_only: bool = False) -> bool:
    """Whether `first` is one first name with one e is called by (only its familiar form, where
    familiar_only), one the book never names beside it ('Anna and Annabel': two people) nor after
    Sir/Lady ('Tom' is not 'Sir Thomas', his father). Not where the book also has a Mr. of e's
    surname: Tom may be the son of the Thomas Gradgrind he is named for, unless that Mr. is a third
    man (joins.py); no Mr. is Miss Matty Jenkyns, nor any woman's name of the census: 'Pen' is Silas
    Lapham's daughter Penelope (dev unchanged). A first name e already wears is its own (Jos Sedley)."""
    return joins.may_share_given(e, first) and any((first == g and not familiar_only or one_given_name(first, g) and (
        e.last not in misters or "F" in (e.gender, given_sex(g)) or joins.another_mister(misters[e.last], first, g)
        or not joins.pet_of(first, g)))
        and (first, g) not in apart and (not familiar_only or familiar(first, g)) for g in joins.plain_givens(e))


def _first_sex(e: _Entry) -> str:
    """The sex e's first name tells (a pet name, the census, a patronymic), else "?"."""
    if not e.first:
        return "?"
    words = e.first.split()
    return patronymic_sex(words[-1]) or given_sex(words[0])


def _one_word_familiar(e: _Entry, first: str, apart: frozenset) -> bool:
    """Whether `first` is the one word e is only ever called by, with or without Mr., with a
    diminutive ending: 'Ratty' and 'Toady' are the Rat and Mr. Toad of a book that gives them no
    other name. Not a clipping or a pet name of the table: 'Moor' is no 'Moorish', and a 'Bill'
    no 'Father William'."""
    word = e.first or e.last
    if not word or len(word) < 3 or not first.startswith(word) or (first, word) in apart or (word, first) in apart:
        return False
    if any(" " in name for _, name in e.forms):
        return False
    return diminutive(first, word) and one_given_name(first, word)


# Titles before a surname alone: after one, a word never a name elsewhere is a surname ('Dr. Hall',
# 'Doctor Prince', 'Mr. King'), not a title of address ('Mrs. Dr. Kennicott', 'Reverend Mr. Zitterel')
# (dev unchanged; ext explicit-tag check Secret Adversary 502 -> 503/503, Man Who Knew Too Much +1).
_SURNAME_TITLES = {"Mr", "Mrs", "Miss", "Ms", "Master"} | DOCTOR | MOSTLY_MALE
_NOT_SURNAMES = {"St", "Mr", "Mrs", "Ms", "Miss", "Master", "Mister", "Dr", "Rev", "Reverend", "Col", "Capt",
                 "Prof", "Sir", "Lady", "Lord", "Madam", "Madame", "Mme", "Mlle", "Monsieur"}
# Titles a man is called by before his surname alone ('Mr. Tilney', 'Dr. Kennicott', 'Captain
# Wentworth'): a bare surname his family shares is his (Main Street's 504 'Kennicott' had no owner
# beside Dr. Kennicott, Mrs. Kennicott, Carol Kennicott: explicit-tag check 138 -> 178/197; dev unchanged).
# A professor too: The Lost World's 'said Challenger' (24 tags) had no owner beside Professor
# Challenger, a Who's Who 'George Edward Challenger' and a sentence opener's 'Even Challenger'
# (ext name-tag check 73 -> 97/97; dev unchanged).
_MAN_SURNAME_TITLES = {"Mr", "Professor", "Prof"} | DOCTOR | MOSTLY_MALE
# What a family calls its own before a first name: 'Uncle Jos' is the Jos Sedley the book names.
_KIN_TITLES = {"Uncle", "Aunt", "Cousin"}


def _merge_target(entries: Entries, full_titled: Counter, title: str | None, first: str | None,
                  last: str | None, gender: str, apart: frozenset = frozenset(),
                  misters: set = frozenset(), uses: int = 0, women: tuple = (frozenset(), frozenset()),
                  she_named: frozenset = frozenset()) -> _Entry | None:
    """The one entry a form names the same person as, or None where none or several fit."""
    matches = []
    kin = []  # the entries a shorter or longer form of a bare first name names
    by_pet = []  # those named by a given name and patronymic whose given name the pet name stands for
    bearers = set()  # the given names of those a titled surname could name (Mr. Pell: Oswin, Jasper)
    told_apart = False
    for e in entries.could_name(title, first, last):
        if gender != "?" and e.gender != "?" and gender != e.gender:
            continue
        if first and last:
            # Mrs. Tobias Crane is Tobias Crane's wife, not him: where one side's sex is unknown,
            # the first name they share tells it (the census), as in 'Mrs. Charles Musgrove'.
            known = given_names().get(first, "?")
            mine, theirs = (gender if gender != "?" else known), (e.gender if e.gender != "?" else known)
            given = (e.first or "").split()
            # 'Ned Crook' and 'Tall Ned' are Tall Ned Crook: one of his given names and his
            # surname, or his given names alone.
            same = e.first == first and e.last == last or len(given) > 1 and (
                first in given and e.last == last or f"{first} {last}" == e.first) or (
                # 'Huck Finn' is 'Huckleberry Finn', 'Tom Sawyer' is 'Thomas Sawyer'.
                e.last == last and _kin_given(e, first, apart, misters))
            # 'Mrs. Champ Perry' is Champ Perry's wife where the census cannot tell his first name's
            # sex (Main Street's Champ Perry, Nat Hicks, Dr. Terry Gould, Dubliners' Ignatius Gallaher
            # were women; dev unchanged, hand-checked unchanged).
            wife = known == "?" and (title == "Mrs") != ("Mrs" in {t for t, _ in e.forms})
            if same and (mine == theirs or "?" in (mine, theirs)) and not wife:
                matches.append(e)
        elif last and title and e.last == last:  # another surname's entry: none of the below
            # Mr. Darcy joins Mr. Fitzwilliam Darcy or Fitzwilliam Darcy; Mrs. Bates does not
            # join Miss Jane Bates; Mr. Knightley does not join Mr. John Knightley, who is
            # called by his full name to tell him from his brother.
            # The titles a person is named with in full: Captain Frederick Tilney is no Mr. Tilney,
            # where Long John Silver, also called Captain Silver, may still be Mr. Silver (a title
            # anyone wears), but not Admiral Silver (a second rank: his uncle).
            # Nor does Madame Krassotkin join Kolya Krassotkin (her son): a wife's title.
            if joins.not_his(title, e, _first_sex, she_named):
                # Captain Johnson is not Tiare Johnson, his wife, whose name no census holds but the
                # book's 'she' after 'Tiare' tells; nor is Colonel Grangerford his daughter Emmeline
                # (dev unchanged; 47 ext books: only these two casts change).
                continue
            full = {t for t, name in e.forms if " " in name}
            if (e.title == title if not e.first else title in full or full <= {None} and (
                    e.title in (None, title) or title in ANYONES) and title not in MARRIED | {"Lady"}):
                if e.first and gender != "F":
                    bearers.add(formal(e.first))
                if full_titled[(e.first, e.last)] < 3 or title in MOSTLY_MALE and (title, f"{e.first} {e.last}") in e.forms \
                        or joins.called_in_full(e, uses, title):  # Mr. Audley is Robert Audley, named in full more
                    matches.append(e)  # a rank he is named in full with: Major Dobbin is Major William Dobbin
                elif (title, f"{e.first} {e.last}") in e.forms:
                    told_apart = True  # 'Miss Matilda Jenkyns', named in full to tell her from another
            elif e.title != title and not boy_and_man(e, title) and ({e.title, title} <= MALE_OR_NEUTRAL - FIRST_NAME_TITLES
                                       or foreign.one_address(e.title, title)) \
                    and (e.first is None or full_titled[(e.first, e.last)] < 3) and not foreign.two_ranks(e.title, title):
                # Dr. Aziz is Mr. Aziz; Mr. Vane is Edmund Vane, though he is also Captain Vane.
                matches.append(e)
            elif joins.wife_of_one(title, last, e, entries, women):
                matches.append(e)  # Lady Blakeney is Marguerite Blakeney, born Marguerite St. Just
        elif last:
            if e.last == last:
                matches.append(e)
        elif first:
            pet = PET.get(first)
            # Tom is not Sir Thomas: a pet name never names someone the book titles by first name
            # (his son, her niece, more likely than the baronet himself).
            given = (e.first or "").split()
            if e.first == first or len(given) > 1 and first in given or joins.hyphen_head(first, e, entries) or \
                    (pet and e.first in formals(first) and e.title not in FIRST_NAME_TITLES) or \
                    rankednames.same_rank_pet(title, first, e.title, e.first) or title is None and first in e.titled_givens or \
                    first in e.givens:  # 'Mick' is the Sir Michael O'Dowd the book also calls 'Mick O'Dowd'
                if (title is None or e.title in (None, title) or e.last is not None) and \
                        (e.last is None or rankednames.rank_fits(title, e.forms)):
                    matches.append(e)
            elif pet and title is None and e.first and e.first != joins.own_given(e.first) and joins.own_given(e.first) in formals(first):
                by_pet.append(e)  # 'Dounia', the pet name of Avdotya Romanovna's Avdotya
            elif e.last and (title in (None, e.title) or title in _KIN_TITLES) and \
                    _kin_given(e, first, apart, misters, familiar_only=True):
                kin.append(e)
            elif title is None and _one_word_familiar(e, first, apart):
                kin.append(e)
            elif uses >= 3 and title is None and not e.last and e.title is None and \
                    first in formals(e.first or ""):
                # 'Roberta' where the book says 'Bobbie' more: her pet name's entry came first. Not
                # a formal name said once or twice ('John' is not Jacky Bast).
                kin.append(e)
    if told_apart:
        # Then 'Miss Jenkyns' is a woman named otherwise, not 'Aga Jenkyns', of no known sex (Cranford).
        matches = [e for e in matches if "?" not in (e.gender, _first_sex(e))]
    if first and not last and len(matches) > 1 and first in RUSSIAN_PETS:
        # 'Alyosha' is the Alyosha Karamazov the book names, not an Alexey it also names; a new
        # table's pet names do not reach further than its own (dev PDNC: English ones, 100 worse).
        matches = [e for e in matches if first in (e.first or "").split()] or matches
    if first and not last and not matches and not kin and len(by_pet) == 1:
        # A pet name no one else bears is the one person whose given name, before a patronymic, it
        # stands for: Dounia is Avdotya Romanovna, Rodya Rodion Romanovitch (Crime and Punishment).
        return by_pet[0]
    if first and not last and not matches and len(kin) == 1:
        # 'Huck' or 'Hucky' alone is the one person the book calls Huckleberry Finn or Huck Finn.
        return kin[0]
    if last and title and not first and len(matches) > 1 and title not in ANYONES | MARRIED:
        # 'General Epanchin' is the one Epanchin named in full with that rank (General Ivan
        # Fedorovitch Epanchin), or named so five times as often as another (Prince Muishkin, not
        # his relative named once); a title anyone wears (Mr. Tom, Mr. Thomas) tells no one apart.
        if one := _far_commonest([e for e in matches if (title, f"{e.first} {e.last}") in e.forms], 5):
            return one
    if last and title and not first and gender != "?" and len(matches) > 1 and title not in FIRST_NAME_TITLES:
        # Mr. Garth is Caleb Garth, not his daughter Letty Garth: the one of those named in full
        # (Mr. Horne Fisher too, whom matches leave out) whose first name tells the title's sex, every
        # other's the other sex; not a son the book calls 'Mr. Fred' (Mr. Vincy is Fred Vincy's
        # father, never named in full) (Middlemarch's 78 'Mr. Garth'; dev unchanged).
        named = joins.named_in_full(entries, last, gender, title)
        sexes = [_first_sex(e) for e in named]
        if sexes.count(gender) == 1 and "?" not in sexes:
            one = named[sexes.index(gender)]
            if any(one is e for e in matches) and (one.first not in misters or joins.called_in_full(one, uses, title)):
                return one
    if last and title and not first and len(bearers) > 1:
        # Mr. Pell where Oswin Pell and Jasper Pell are both men: neither, whichever is named fuller;
        # but Mr. Churchill is Frank Churchill, named ten times as often as an uncle named twice.
        return _far_commonest([e for e in matches if e.first], FAR_COMMONER)
    if last and not first and not title and len(matches) > 1:
        # A bare surname several share ('his name was Tilney'): the man the book calls Mr. Tilney,
        # where one is named far more than any other; a book calls its women by title or first name.
        if man := _far_commonest([e for e in matches if any(t in _MAN_SURNAME_TITLES for t, _ in e.forms)], 2):
            return man
        # None titled Mr.: the one man among women ('Ferrier': John Ferrier, not his daughter Lucy
        # Ferrier), each sex from a title, a pet name or the census, none unknown; a title and
        # surname alone ('Brother Ferrier') names no one else.
        named = [e for e in matches if e.first]
        sexes = [e.gender if e.gender != "?" else given_names().get(e.first, "?") for e in named]
        if sexes.count("M") == 1 and "?" not in sexes:
            return named[sexes.index("M")]
    if first and not last and len(matches) > 1:
        matches = rankednames.beside_ranked(matches, title)
        # John: not John Beaver, whom the book calls 'Beaver' and 'Mr. Beaver' far more than by
        # his first name, where another John (John Andrew) is called by given names.
        # The same person is often both ('Miss Price', 'Fanny Price'): only five times as often by
        # surname, and only for a John called John more often than that one is.
        uses = {id(e): _surname_uses(e) for e in matches}
        by_surname = [e for e in matches if e.first and e.last and uses[id(e)][0] >= 5 * uses[id(e)][1]]
        if by_surname:
            most = max(uses[id(e)][1] for e in by_surname)
            given = [e for e in matches if e not in by_surname and uses[id(e)][1] > most]
            if given:
                matches = given
            elif len(by_surname) == len(matches) > 1 and (one := joins.far_first_named(matches, uses)):
                matches = [one]  # Rebecca: Miss (Rebecca) Sharp, not Mrs. (Rebecca) Crawley, named so a third as often
        # Charles: Charles Musgrove, whose wife is 'Mrs. Charles Musgrove', not Charles Hayter.
        husbands = [e for e in matches if e.last and e.title != "Mrs" and any(
            w.title == "Mrs" and w.first == e.first and w.last == e.last for w in entries)]
        if len(husbands) == 1:
            matches = husbands
    if len(matches) > 1 and (not title or not last):
        # Jane: Jane Fairfax (241 mentions) over Miss Jane Bates (once). Levin: the far commonest
        # (3x) man of those named in full with it 3 times or more: Konstantin, not Nikolay Levin,
        # nor Kitty Levin (once), however often 'Kitty' (dev PDNC all 16467 -> 16475, Howards End).
        if last and not first and not title:
            full = [e for e in matches if sum(n for (_, name), n in e.forms.items() if name.endswith(f" {last}")) >= 3]
            matches = [e for e in full or matches if "M" in (e.gender, _first_sex(e))] or full or matches
        if one := _far_commonest(matches, 3 if last else 5):
            return one
    if len(matches) == 1 and last and title and not first and matches[0].gender == "?" and \
            _first_sex(matches[0]) not in ("?", gender):
        # Mr. Marmeladov is not Sonia Marmeladov (his daughter) where she is the only Marmeladov
        # the book names in full: a first name of the other sex. (A veto, not a filter: Signor
        # Jupe is neither Sissy nor Cecilia Jupe, not Sissy because Cecilia is a woman's name.)
        # Not where a title tells the entry's sex: Mrs. Peter Blewett wears her husband's name.
        return None
    return matches[0] if len(matches) == 1 else None


def _merge_forms(forms: Counter, min_mentions: int, apart: frozenset = frozenset(),
                 she_named: frozenset = frozenset(), addressed: frozenset = frozenset()) -> list[_Entry]:
    """The forms grouped into one entry per person."""
    surnames = joins.surnames(forms)
    women = joins.titled_women(forms)  # Miss Honeychurch: 'Mrs. Honeychurch' may be her mother
    full_titled = joins.full_titled(forms, joins.lone_women(forms, women), addressed)
    misters = joins.misters(forms)  # Mr. Gradgrind, and the first names the book writes after Mr. before it
    ends_titled: dict[str, set] = defaultdict(set)  # words ending full names after Prince/Sir..., starting none
    starts = {name.split()[0] for _, name in forms if " " in name}
    for t, name in forms:
        if t in FIRST_NAME_TITLES and " " in name and name.split()[-1] not in starts:
            ends_titled[name.split()[-1]].add(t)
    by_title: dict[str, set[int | None]] = {}  # such a word -> the entries its titled forms joined
    words_in = Counter(w for _, name in forms for w in set(name.split()))
    elsewhere = {w for w, n in words_in.items() if n > 1}  # words in more than one of the book's names
    # Given names the book writes before a patronymic ('Pyotr' of Pyotr Petrovitch): never a surname.
    before_patronymics = {name.split()[0] for _, name in forms if len(name.split()) > 1 and patronymic_sex(name.split()[1])}
    entries = Entries()

    # Fullest forms first, so shorter ones can join them; within a size, the commonest first.
    def size(item):
        (title, name), n = item
        return (-len(name.split()), -(title is not None), -n, title or "", name)

    for (title, name), n in sorted(forms.items(), key=size):
        words = name.split()
        if len(words) > 1 and words[1] in before_patronymics and not patronymic_sex(words[1]):
            continue  # two names run together: 'show Rodya Pyotr Petrovitch's letter'
        if len(words) == 2 and words[0] in ("St", "St."):
            first, last = None, name  # Lady St Cloud: the saint's name is her surname
        elif len(words) > 1 and words[0].endswith("."):
            first, last = None, words[-1]  # Mr. E. W. B. Childers: initials, then the surname
        elif patronymic_sex(words[min(1, len(words) - 1)]):
            # Rodion Romanovitch (Raskolnikov): given name and patronymic are one first name.
            first, last = " ".join(words[:2]), " ".join(words[2:]) or None
        elif len(words) == 3 and words[2] in surnames and words[1] not in surnames and \
                (forms[(None, " ".join(words[:2]))] or words[1] not in elsewhere):
            # Tall Ned Crook: two given names, a surname; so John Turnbull Angus, his middle name
            # in no other of the book's names ('Mr. Angus' is him, not a Mr. Turnbull Angus).
            first, last = " ".join(words[:2]), words[2]
        elif len(words) > 1:
            first, last = words[0], " ".join(words[1:])
        elif words[0] in surnames or title in ends_titled.get(words[0], ()):
            # 'Prince Muishkin' of 'Prince Lef Nicolaievitch Muishkin': a surname after Prince.
            first, last = None, words[0]
        else:
            first, last = words[0], None
        gender = _gender_of_title(title)
        if gender == "?" and first:
            gender = FORMAL_GENDER.get(first) or PET.get(first, (None, "?"))[1]
            gender = gender if gender != "?" else patronymic_sex(first.split()[-1]) or "?"
        target = _merge_target(entries, full_titled, title, first, last, gender, apart, misters, n, women, she_named)
        if len(words) == 1 and words[0] in ends_titled:
            # 'Muishkin' alone is whoever 'Prince Muishkin' is (titled forms come first).
            if title in ends_titled[words[0]]:
                by_title.setdefault(words[0], set()).add(id(target) if target else None)
            elif not title and by_title.get(words[0], {None}) != {None} and len(by_title[words[0]]) == 1:
                target = next(e for e in entries if id(e) in by_title[words[0]])
            elif not title and (target is None or target.last is None):
                # Bare 'Chettam' is Sir James Chettam, the one the book names in full with it, not
                # Lady Chettam, whose 'Chettam' reads as a first name (Middlemarch: 47 'Chettam').
                full = [e for e in entries if any(" " in n and n.split()[-1] == words[0] for _, n in e.forms)]
                target = full[0] if len(full) == 1 else target
        # A bare surname several characters share, or a stray word: no character. A word counted
        # a surname only from a longer form no one else bears is still its own name ('Kaa', 59
        # times alone, once ending 'Seeonee Pack Kaa' where a contents line ran into the next).
        shared = last and shared_surname(entries.bearing(last), last, n)
        if target is None and len(words) == 1 and not title and (shared or n < min_mentions):
            continue
        if target is None:
            target = _Entry(title, first, last, gender, Counter())
            entries.append(target)
        else:
            if target.gender == "?" and gender != "?":
                target.gender = gender
            entries.name(target, first, last)
            target.title = target.title or title
        target.forms[(title, name)] += n
        if first:
            entries.give(target, first, titled=title in FIRST_NAME_TITLES)
    return joins.mister_to_bare(entries)


def _shown(title: str | None, name: str) -> str:
    """A form as the book writes it: 'Mr. Darcy', 'Lady Catherine', 'Emma'."""
    if title in ("Mr", "Mrs", "Ms", "Dr"):
        return f"{title}. {name}"
    return f"{title} {name}" if title else name


def _character(cid: int, e: _Entry, text: str, spans: dict[FormKey, list[tuple[int, int]]]) -> Character:
    """An entry as a Character: its commonest name, and its gender from pronouns where nothing else tells."""
    # The name the book uses most ('Emma', not 'Miss Emma Woodhouse'); the longer on a tie.
    best = max(e.forms, key=lambda f: (e.forms[f], len(f[1].split()) + (f[0] is not None)))
    gender = e.gender if e.gender != "?" else epithets.described_sex(e.last or "")
    source = "title" if any(_gender_of_title(t) != "?" for t, _ in e.forms) else "name" if gender != "?" else ""
    # A pet name whose sentences' pronouns say the other sex (Jacky a woman; dev PDNC all 17020 -> 17035 right).
    gender = pet_sex(e.first, gender, text, sorted(s for f in e.forms for s in spans[f])) if source == "name" else gender
    if gender == "?":
        he, she = pronoun_votes(text, sorted(s for f in e.forms for s in spans[f]))
        if he >= 1.5 * she + 2:
            gender, source = "M", "pronouns"
        elif she >= 1.5 * he + 2:
            gender, source = "F", "pronouns"
        elif e.first in given_names():
            # The book's own pronouns first (a name may have changed sex since the census: Evelyn),
            # then the census, where they are too few or split (a man's name followed by 'she', the
            # women he talks to, nearly as often as by 'he').
            gender, source = given_names()[e.first], "census"
        elif any(t in DOCTOR for t, _ in e.forms):
            # A doctor the pronouns after his name leave split, his wife's 'she' as often as his
            # own 'he' (Main Street's Dr. Kennicott: 104 to 129): a man, in the novels this reads.
            gender, source = "M", "title"
    aliases = tuple(sorted({_shown(t, n) for t, n in e.forms}))
    return Character(cid, _shown(*best), aliases, gender, 0, e.mentioned, source)


def find_characters(text: str, *, min_mentions: int = 2, quoted: Callable[[int], bool] | None = None) -> Cast:
    """The characters named in `text`, aliases merged; see the module docstring. `quoted(pos)`:
    whether pos is inside a quotation (attribution passes its scan's; else the text is scanned)."""
    quoted = quoted or find_quotes(text).quoted
    # 'Little Dorrit' (epithets.py); 'Elizabeth Jane' is Elizabeth-Jane (joins.py)
    titled_words = _titled_words(text)
    forms, spans = joins.unhyphenated(*_name_forms(text, with_epithets(text, _name_words(text, titled_words)), titled_words))
    characters: list[Character] = []
    alias_owner: dict[FormKey, int] = {}
    titled: dict[int, Counter] = {}  # character -> how often the book names them with each title
    merged = _merge_forms(forms, min_mentions, _named_apart(text), _she_named(text, forms, spans), joins.addressed(quoted, spans))
    for e in fathers_surnames(merged, text, spans, _MAN_SURNAME_TITLES):
        if e.mentioned < min_mentions or not foreign.styled_rank(e.forms) and \
                no_person(text, any(t for t, _ in e.forms), [s for f in e.forms for s in spans[f]]):
            continue
        cid = len(characters)
        characters.append(_character(cid, e, text, spans))
        titled[cid] = Counter()
        for (t, name), n in e.forms.items():
            titled[cid][full_title(t) if t else t] += n if t and name else 0
        for f in e.forms:
            alias_owner[f] = cid
    mentions = [(s, e, alias_owner[f]) for f, ss in spans.items() if f in alias_owner for s, e in ss]
    for title, found in _title_roles(text).items():
        # The one character the book names with this title ('Major Callendar') is 'the Major'.
        bearers = sorted((c for c in characters if any(full_title(a.split()[0]) == title and len(a.split()) > 1 for a in c.aliases)),
                         key=lambda c: -titled.get(c.id, Counter())[title])
        # Or the one named with it five times as often as any other ('Major Callendar' against a
        # 'Major Roberts' mentioned in passing), as a first name goes to its far commonest bearer.
        if len(bearers) > 1 and titled[bearers[0].id][title] >= 5 * titled[bearers[1].id][title]:
            bearers = bearers[:1]
        if len(bearers) == 1:
            c = bearers[0]
            c.aliases = tuple(sorted(c.aliases + (f"the {title}",)))
            c.mentions += len(found)
            mentions += [(s, e, c.id) for s, e in found]
            continue
        cid = len(characters)
        characters.append(Character(cid, f"the {title}", (f"the {title}",), _gender_of_title(title), 0, len(found),
                                    "title" if _gender_of_title(title) != "?" else ""))
        mentions += [(s, e, cid) for s, e in found]
    taken = {s for s, _, _ in mentions}
    for word, sex, found in home_names(text):
        # 'said Mother': the children's mother, a character under that word alone (homenames.py).
        if not any(word in c.aliases for c in characters):
            characters.append(Character(len(characters), word, (word,), sex, 0, len(found), "title"))
            mentions += [(s, e, characters[-1].id) for s, e in found if s not in taken]
    # 'Matt' said only in address is Mattie
    return Cast(*join_clipped(text, foreign.with_particles(characters, text), with_given_saints(text, mentions)))


_BESIDE = regex.compile(rf"(?<![\p{{L}}'’])({_WORD})(?:\s*,\s*|\s+(?:and|&|with)\s+)({_WORD})(?![\p{{L}}'’])")


def _she_named(text: str, forms: Counter, spans: dict[FormKey, list[tuple[int, int]]]) -> frozenset:
    """The first names said alone that the pronouns after them make a woman's, as _character does."""
    votes = {name: pronoun_votes(text, spans[(t, name)]) for t, name in forms if t is None and " " not in name}
    return frozenset(name for name, (he, she) in votes.items() if she >= 1.5 * he + 2)


def _named_apart(text: str) -> frozenset:
    """First names the book names side by side ('Anna and Annabel', 'Louis, Louisa'), both ways
    round: two people, however alike the names."""
    pairs = {(m.group(1), m.group(2)) for m in _BESIDE.finditer(text, overlapped=True)}
    return frozenset(p for a, b in pairs if one_given_name(a, b) for p in ((a, b), (b, a)))


def _title_roles(text: str, min_mentions: int = 3) -> dict[str, list[tuple[int, int]]]:
    """People the book names by a title alone, 'the Admiral', 'the Duchess' (never 'the Admiral
    Croft'): each title's mentions, the title word's span, where it is used often enough."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in _TITLE_ROLE.finditer(text):
        found[m.group(1)].append(m.span(1))
    return {t: spans for t, spans in found.items() if len(spans) >= min_mentions}
