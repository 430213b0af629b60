"""Forms of one person that characters.py's merge would keep apart, and the kin it must not join;
and the counts over all the book's name forms it reads first (which words are surnames, how often
a full name follows Mr. or Miss, which full names the speeches say more than the narration).

- A word after Lady, Lord or Sir that ends the book's full names three times or more and starts
  none, and is no first name of the pet-name table, is a surname: 'Lady Blakeney' of a book that
  names 'Sir Percy Blakeney' and 'Marguerite Blakeney', so bare 'Blakeney' is a surname the family
  shares (the man's), not Lady Blakeney's first name. Lady and a surname is a wife's title, like
  Mrs.: characters.py never joins it to a woman named in full ('Lady Bertram' is no Maria Bertram).
- A pet name and the formal one before a surname the book also gives a bare Mr. ('Jos Sedley',
  'Joseph Sedley', 'Mr. Sedley') are one man where that Mr. is a third one, named in full after
  Mr. ('Mr. John Sedley'); else the Mr. may be the father the son is named for (Tom Gradgrind and
  Mr. Thomas Gradgrind).
- A first name the entry wears more often without Sir, Lady or Lord than with is its own: one
  'Lord Joseph Sedley' in a speech does not make Joseph Sedley a lord whom 'Jos' cannot name.
- 'Miss Rebecca Sharp', named in full, tells her from no one where the book gives the surname to
  no other woman: 'Miss Sharp' is her (Cranford's Miss Jenkyns, beside Mrs. Jenkyns and Miss
  Matilda Jenkyns, is not). A first name two namesakes wear, both called mostly by surname, is
  the one the book calls by it three times as often (Rebecca Sharp, not Mrs. Rebecca Crawley).
- A wife's title and surname ('Lady Blakeney', 'Signora Neroni') is the one woman named in full
  with that surname where the book also names her in full under another, her maiden name
  ('Marguerite St. Just'). Without that, 'Mrs. X' beside one 'First X' is her mother as often as
  herself (Becky Thatcher, Lise Hohlakov, Aglaya Epanchin against Anna Karenina, Carry Fisher).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from barkflow.text import foreign
from barkflow.text.givennames import (
    FORMAL_GENDER,
    PET,
    formals,
    given_sex,
    one_given_name,
)
from barkflow.text.patronymics import patronymic_sex
from barkflow.text.titles import (
    DOCTOR,
    FEMALE_TITLES,
    FIRST_NAME_TITLES,
    MALE_OR_NEUTRAL,
    MARRIED,
    MOSTLY_MALE,
    TITLES,
)


def full_name_ends(forms: Counter) -> set[str]:
    """Words that end the book's full names ((title, name) forms) three times or more and start
    none, and are no known first name: surnames, however often the book writes them after Lady."""
    ends, starts = Counter(), set()
    for (_, name), n in forms.items():
        words = name.split()
        if len(words) > 1:
            ends[words[-1]] += n
            starts.add(words[0])
    return {w for w, n in ends.items() if n >= 3 and w not in starts and w not in FORMAL_GENDER and w not in PET}


def surnames(forms: Counter) -> set[str]:
    """A word is a surname where it ends multi-word names or follows Mr./Mrs./Miss more often than
    it starts a name or follows Sir/Lady: 'Miss Emma' once does not make Emma a surname."""
    firstness, lastness = Counter(), Counter()
    for (title, name), n in forms.items():
        words = name.split()
        if len(words) > 1:
            firstness[words[0]] += n
            lastness[words[-1]] += n
        elif title and title in FIRST_NAME_TITLES:
            firstness[words[0]] += n
        elif title:
            lastness[words[0]] += n
    return {w for w in lastness if lastness[w] > 2 * firstness[w] and w not in FORMAL_GENDER and w not in PET
            and not patronymic_sex(w)} | {w for w in full_name_ends(forms) if not patronymic_sex(w)} | peerages(forms)


def full_titled(forms: Counter, lone: set = frozenset(), addressed: frozenset = frozenset()) -> Counter:
    """(first, last) -> how often the book says it after a surname title (Mr. John Knightley), not
    counting Miss before the surname of the book's one woman of it (joins.lone_women), nor a form
    said mostly in the speeches (`addressed`: 'Mr. Sherlock Holmes, I presume?' is formal address,
    where Emma's narration names Mr. John Knightley in full to tell him from his brother)."""
    full_titled = Counter()
    for (title, name), n in forms.items():
        words = name.split()
        if title and title not in FIRST_NAME_TITLES and len(words) > 1 and not (title == "Miss" and words[-1] in lone) \
                and (title, name) not in addressed:
            full_titled[(words[0], " ".join(words[1:]))] += n
    return full_titled


def misters(forms: Counter) -> dict[str, set[str]]:
    """Every word the book writes after a bare 'Mr.' (Mr. Gradgrind, Mr. Fred), with the first
    names it writes between Mr. and that word ('Mr. John Sedley')."""
    mr = {name for t, name in forms if t == "Mr" and " " not in name}
    named: dict[str, set[str]] = {w: set() for w in mr}
    for t, name in forms:
        words = name.split()
        if t == "Mr" and len(words) == 2 and words[1] in mr:
            named[words[1]].add(words[0])
    return named


def another_mister(named: set[str], first: str, given: str) -> bool:
    """Whether the book names a third man 'Mr. F X' beside the pet name `first` and the formal
    `given` of surname X: Vanity Fair's Mr. Sedley is Mr. John Sedley, the father, so 'Jos Sedley'
    is Joseph Sedley, where Tom Gradgrind may be the son of the Thomas who is Mr. Gradgrind."""
    return any(f not in (first, given) and not one_given_name(f, first) and not one_given_name(f, given)
               and given_sex(f) == "M" for f in named)


def pet_of(a: str, b: str) -> bool:
    """Whether one first name is the other's pet name in the table (Tom, Thomas), the kind a son
    named for his father goes by; a clipping ('Verg' of Vergil Gunch) is the man's own."""
    return a in formals(b) or b in formals(a)


def plain_givens(e) -> set[str]:
    """The first names a cast entry wears more often bare or after Mr. than after Sir, Lady, Lord
    ('Tom' is not Sir Thomas, named so; but a stray 'Lord Joseph Sedley' in a speech does not make
    Joseph Sedley, named so 70 times without it, a lord)."""
    plain, titled = Counter(), Counter()
    for (t, name), n in e.forms.items():
        (titled if t in FIRST_NAME_TITLES else plain)[name.split()[0]] += n
    return {g for g in map(own_given, e.givens | e.titled_givens) if plain[g] > titled[g]}


def own_given(first: str) -> str:
    """A first name without the patronymic after it ('Sofya' of Sofya Semyonovna), whose pet names
    ('Sonia') are the bearer's."""
    words = first.split()
    return words[0] if len(words) == 2 and patronymic_sex(words[1]) else first


def may_share_given(e, first: str) -> bool:
    """Whether `first` is, or is one given name with, any first name e wears (its first word: Sofya of
    Sofya Semyonovna, whose patronymic follows, as plain_givens read them): plain_givens(e) keep
    some of those, so where none is, no plain given is either, and the forms need no counting
    (41783 calls on two long books: 0.38 s of 9.6)."""
    return any(first == g or one_given_name(first, g.split()[0]) for g in e.givens | e.titled_givens)


def lone_women(forms: Counter, titled: tuple[set[str], set[str]]) -> set[str]:
    """Surnames the book gives one woman only: written after Miss, never after a wife's title
    (Mrs., Lady, Madame), never as a plural ('the Miss Alans'), and named in full with one first
    name and its familiar forms at most ('Rebecca Sharp', 'Becky Sharp'). 'Miss Rebecca Sharp' then
    tells her from no one, and 'Miss Sharp' is her; Cranford's Miss Jenkyns, beside a Mrs. Jenkyns
    and Miss Matilda Jenkyns, may be her sister."""
    misses, wives = titled  # titled_women(forms)
    firsts: dict[str, set[str]] = {}
    for t, name in forms:
        words = name.split()
        if len(words) == 2 and (t in FEMALE_TITLES or given_sex(words[0]) == "F"):
            firsts.setdefault(words[1], set()).add(words[0])
    return {x for x in misses - wives if f"{x}s" not in misses and
            all(a == b or one_given_name(a, b) for a in firsts.get(x, ()) for b in firsts.get(x, ()))}


def far_first_named(entries: list, uses: dict) -> object | None:
    """Of entries the book calls mostly by surname (uses: id -> (by surname, by a form with the
    first name)), the one it names with the first name three times as often as any other."""
    ranked = sorted(entries, key=lambda e: -uses[id(e)][1])
    return ranked[0] if uses[id(ranked[0])][1] >= 3 * uses[id(ranked[1])][1] else None


def titled_women(forms: Counter) -> tuple[set[str], set[str]]:
    """The surnames the book writes after Miss (or Mademoiselle...), some daughter's, and those it
    writes after a wife's title (Mrs., Lady, Madame...)."""
    single = [(t, name) for t, name in forms if " " not in name]
    return ({name for t, name in single if t in foreign.MAIDS},
            {name for t, name in single if t in FEMALE_TITLES and t not in foreign.MAIDS})


def wife_of_one(title: str | None, last: str, e, entries: list, titled: tuple[set[str], set[str]]) -> bool:
    """Whether 'Lady X' or 'Mrs. X' (a wife's title and surname `last`) is entry e, a woman the book
    also names in full under another surname, her maiden name ('Marguerite Blakeney', 'Marguerite
    St. Just'), where it names no other woman of X in full, no Miss X, and no wife of the other
    surname: a daughter is named in full under one surname (Lady Otway is not Cassandra Otway);
    Little Women's Sallie Gardiner, later Sallie Moffat, beside a Mrs. Moffat, is no Mrs. Gardiner."""
    maids, wives = titled
    if title not in foreign.WIVES | {"Lady"} or last in maids or e.last != last or not e.first or not _woman(e):
        return False
    if any(t for t, name in e.forms if " " in name):
        return False
    women = [o for o in entries if o.last == last and o.first and _woman(o)]
    maiden = [o for o in entries if o.first == e.first and o.last not in (None, last) and _woman(o)
              and given_sex(o.last) == "?" and o.last not in wives]
    return len(women) == 1 and len(maiden) == 1


def _woman(e) -> bool:
    return e.gender == "F" or e.gender == "?" and given_sex(e.first.split()[0]) == "F"


def named_in_full(entries: list, last: str, gender: str, title: str) -> list:
    """The entries named in full with surname `last` whose first names tell who a title of sex
    `gender` and that surname is (characters.py: Mr. Garth is the one man among them). For Mr.,
    not those that tell no second man: a full name given once whose first word has no known sex,
    most often a stray pair of words ('Casterbridge Henchard' where a sentence runs on) or a
    daughter named in passing ('Elizabeth-Jane Henchard'); a wife named after her husband ('Mrs.
    Donald Farfrae'); one named in full only after another rank ('Sir Michael Audley', the uncle of
    'Robert Audley'; 'Captain Frederick Tilney', Henry's brother, though he may be General
    Tilney's son). Miss is still the daughter named once, not her mother."""
    return [e for e in entries if e.last == last and e.first and (gender != "M" or _may_be_mister(e, title))]


def _may_be_mister(e, title: str) -> bool:
    """Whether entry e (its full-name forms) may be a man the book also calls `title` (Mr.) and a surname."""
    word = e.first.split()[0]
    stray = e.mentioned == 1 and given_sex(word) == "?" and not _plural_title(word)
    return not stray and not all(t in FIRST_NAME_TITLES or t in MARRIED or t in MOSTLY_MALE and title not in MOSTLY_MALE
                                 for t, _ in e.forms)


def _plural_title(word: str) -> bool:
    """'Captains', 'Misses', 'Messrs': 'the Captains Wentworth' are two men of the surname, one
    perhaps the Mr. the book never names in full (Persuasion's curate; Jane Eyre's dead uncle)."""
    return word == "Messrs" or word.endswith("s") and (word[:-1] in TITLES or word[:-2] in TITLES)


def called_in_full(e, uses: int, title: str) -> bool:
    """Whether the book names entry e in full after `title` ('Mr. Robert Audley') and the narration
    names it in full untitled ('Robert Audley') at least as often as the book writes the title
    and surname alone (`uses` times: 'Mr. Audley'). Then the full name is how the book calls him,
    not a way to tell him from another Mr. Audley: Emma's 'Mr. John Knightley' is named so beside
    295 'Mr. Knightley', his brother, and Middlemarch's 'Mr. Ned Plymdale' (7, untitled once)
    beside 'Mr. Plymdale', his father."""
    full = f"{e.first} {e.last}"
    return (title, full) in e.forms and e.forms[(None, full)] >= uses


def unhyphenated(forms: Counter, spans: dict) -> tuple[Counter, dict]:
    """The name forms with a hyphenated given name written without its hyphen ('Elizabeth Jane',
    where a line broke or a printer dropped it) counted as the hyphenated one the book uses
    ('Elizabeth-Jane'): not a first name and a surname 'Jane'. Not where the second word is a
    surname elsewhere ('Harcourt Talboys' of a book with George Talboys and Mr. Talboys)."""
    hyphened = {name for _, name in forms if "-" in name and " " not in name}
    surnames = {name.split()[-1] for t, name in forms if t or name.count(" ") and name.replace(" ", "-") not in hyphened}
    for title, name in [key for key in forms if key[1].replace(" ", "-") in hyphened and key[1].count(" ") == 1
                        and key[1].split()[1] not in surnames]:
        key = (title, name.replace(" ", "-"))
        forms[key] += forms.pop((title, name))
        spans[key] = sorted(spans.get(key, []) + spans.pop((title, name), []))
    return forms, spans


def hyphen_head(first: str, e, entries: list) -> bool:
    """Whether a bare first name and entry e's are one given name and its hyphenated whole
    ('Elizabeth' and 'Elizabeth-Jane', either way round: e may be the bare one, where the book says
    it more often), where no other entry wears the bare first name: her short name, not a second
    woman."""
    if not e.first:
        return False
    if e.first.startswith(f"{first}-"):
        head = first
    elif first.startswith(f"{e.first}-") and e.last is None:
        head = e.first
    else:
        return False
    return not any(o is not e and (o.first == head or head in o.givens) for o in entries)


def not_his(title: str | None, e, first_sex, she_named: frozenset) -> bool:
    """Whether a surname after a man's rank (`title`) cannot be entry e of that surname: a woman
    named in full, by a woman's first name (the census, `first_sex`) or one the book's 'she' follows
    ('Captain Johnson' is not Tiare Johnson, his wife; 'Dr. Thorne' is not Mary Thorne, his niece),
    or a plural title's several ('Dr. Proudie' is not 'the Misses Proudie', his daughters)."""
    if not _man_by_rank(title, e):
        return False
    if e.gender == "F" or _plural_title(e.first or ""):
        return True
    sex = first_sex(e)
    return e.gender == "?" and (sex == "F" or sex == "?" and e.first in she_named)


def _man_by_rank(title: str | None, e) -> bool:
    """Whether a surname with `title` names a man before entry e of that surname: a military or
    clerical rank does; a doctor's title does where the book never gives e that title (Framley
    Parsonage's 'said the doctor' went to Mary Thorne, his niece, with whom 'Dr. Thorne' had
    merged), a woman doctor being named so in full ('Dr. Mary Thorne')."""
    if title in MOSTLY_MALE:
        return True
    return title in DOCTOR and not any(t in DOCTOR for t, _ in e.forms)


def peerages(forms: Counter) -> set[str]:
    """Words the book writes after both Lord and Lady ('Lord Lufton', 'Lady Lufton'): a peerage's
    name, which a lord and his mother or wife share, so a surname, not a first name ('Lord John'
    and 'Lady Mary' are never the same word): then 'Lufton' alone is the lord, as 'Ludovic Lufton'
    is (Framley Parsonage split him into three). Not a given name ('Lord George', 'Lady George':
    a younger son and his wife)."""
    return {name for title, name in forms if title == "Lord" and " " not in name and ("Lady", name) in forms
            and given_sex(name) == "?"}


def addressed(quoted, spans: dict) -> frozenset:
    """Full names after a man's title said more often in the speeches (`quoted(pos)`: inside one)
    than in the narration: formal address ('Mr. Sherlock Holmes, I presume?'), not a name telling
    one apart from a namesake. Not a woman's: 'Miss Anne Elliot' tells the younger sister from
    Miss Elliot in speech too."""
    return frozenset(f for f, found in spans.items() if f[0] in MALE_OR_NEUTRAL and " " in f[1]
                     and 2 * sum(quoted(s) for s, _ in found) > len(found))


def mister_to_bare(entries: list) -> list:
    """The entries with each one of 'Mr. X' alone joined to the one man the book calls 'X' alone,
    where two men are named in full with the surname (Sherlock and Mycroft Holmes): 'Mr. Holmes'
    was told apart before the bare 'Holmes' of the narration, 800 times Sherlock's, could say whose
    the name is (The Memoirs of Sherlock Holmes: 36 speeches in a second voice). Not where one man
    is: a 'Mr. Wentworth' kept apart from Captain Frederick Wentworth is his brother."""
    by_last = defaultdict(list)  # looked up, not scanned: a book may name thousands of Mr. X once each
    for e in entries:
        by_last[e.last].append(e)
    for e in [e for e in entries if e.first is None and e.last and e.forms and {t for t, _ in e.forms} == {"Mr"}]:
        men = [f for f in by_last[e.last] if f is not e and f.first and f.gender == "M"]
        bare = [f for f in men if f.forms[(None, e.last)]]
        if len(men) > 1 and len(bare) == 1 and bare[0].forms[(None, e.last)] >= e.mentioned:
            bare[0].forms.update(e.forms)
            entries = [x for x in entries if x is not e]
    return entries
