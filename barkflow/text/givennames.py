"""First names: English pet names and Russian diminutives and the formal names they stand for
(Lizzy for Elizabeth, Rodya for Rodion), the sex a given name tells (the table, else the 1990 US
Census list in given_names.tsv), and whether two first names are one person's ('Huck' and
'Huckleberry'). characters.py merges a cast with them."""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

from barkflow.errors import BarkflowError

# Pet names -> the formal first name, with gender (a small table, not a model).
HYPOCORISMS = {
    "Elizabeth": ("F", "Lizzy Lizzie Liz Eliza Beth Betsy Betsey Bess Bessie Betty Libby Lisa Elsie"),
    "Margaret": ("F", "Meg Maggie Peggy Madge Margery Marge Daisy Greta"),
    "Catherine": ("F", "Kitty Kate Katie Cathy Kit Kathy"),
    "Katherine": ("F", "Kitty Kate Katie Kathy Kit"),
    "Frances": ("F", "Fanny Fan Frankie"),
    "Mary": ("F", "Polly Molly Mamie Mae"),
    "Anne": ("F", "Annie Nan Nancy Nanny"),
    "Ann": ("F", "Annie Nan Nancy"),
    "Susan": ("F", "Sue Susie Sukey"),
    "Sarah": ("F", "Sally Sal Sadie"),
    "Caroline": ("F", "Carrie Carol Lina"),
    "Charlotte": ("F", "Lottie Lotty Charlie"),
    "Harriet": ("F", "Hattie Hatty"),
    "Henrietta": ("F", "Hetty Etta"),
    "Isabella": ("F", "Bella Isabel Belle"),
    "Eleanor": ("F", "Nell Nellie Ellie"),
    "Helen": ("F", "Nell Nellie"),
    "Dorothy": ("F", "Dolly Dot Dora"),
    "Louisa": ("F", "Lou Lulu"),
    "Theodora": ("F", "Dora Teddy"),
    "Georgiana": ("F", "Georgie"),
    "Julia": ("F", "Julie"),
    "Lydia": ("F", "Liddy"),
    "Matilda": ("F", "Tilly Maud Matty"),
    "Amelia": ("F", "Emmy Milly"),
    "Rebecca": ("F", "Becky"),
    "Jane": ("F", "Jenny Jennie Janie"),
    "Josephine": ("F", "Josie Jo"),
    "Wilhelmina": ("F", "Mina Minnie"),
    "William": ("M", "Will Willy Willie Bill Billy"),
    "Robert": ("M", "Bob Bobby Rob Robin Bert"),
    "Roberta": ("F", "Bobbie Robbie Bertie"),
    "Richard": ("M", "Dick Dicky Rick Richie"),
    "Edward": ("M", "Ned Teddy Ted Ed Eddie"),
    "John": ("M", "Jack Johnny Jacky"),
    "Henry": ("M", "Harry Hal Hank"),
    "Thomas": ("M", "Tom Tommy"),
    "James": ("M", "Jim Jimmy Jem Jamie"),
    # Charlie is a man more often than a woman (Charlie Sloane, Charlie Johnson; ext casts: five
    # Charlies become men, two merge with their Charles; dev unchanged).
    "Charles": ("M", "Charley Charlie Chuck Chas"),
    "Christopher": ("M", "Kit Chris"),
    "Frederick": ("M", "Fred Freddy Freddie"),
    "Francis": ("M", "Frank Frankie"),
    "Benjamin": ("M", "Ben Benny"),
    "Joseph": ("M", "Joe Joey"),
    "Samuel": ("M", "Sam Sammy"),
    "Nicholas": ("M", "Nick Nicky"),
    "Michael": ("M", "Mike Mick Micky"),
    "Anthony": ("M", "Tony"),
    "Lawrence": ("M", "Larry Laurie"),
    "Theodore": ("M", "Ted Teddy Theo"),
    "Albert": ("M", "Al Bertie"),
    "Alexander": ("M", "Alec Alex Sandy"),
    "Daniel": ("M", "Dan Danny"),
    "David": ("M", "Dave Davy"),
    "Edmund": ("M", "Ned Ted"),
    "George": ("M", "Georgie"),
    "Gilbert": ("M", "Gil Bert"),
    "Matthew": ("M", "Matt Matty"),
    "Patrick": ("M", "Pat Paddy"),
    "Peter": ("M", "Pete"),
    "Philip": ("M", "Phil Pip"),
    "Reginald": ("M", "Reggie Reg"),
    "Walter": ("M", "Walt Wat"),
    "Timothy": ("M", "Tim Timmy"),
    "Leonard": ("M", "Len Lenny"),
}
# Russian diminutives, as translations spell them (Garnett's 'Dounia', 'Rodya', 'Alyosha'; later
# 'Dunya', 'Alesha'): Crime and Punishment's Dounia is its Avdotya Romanovna, and Rodya its Rodion
# Romanovitch Raskolnikov.
RUSSIAN = {
    "Avdotya": ("F", "Dounia Dunya Dunia Dunechka Dounetchka Dunyasha"),
    "Rodion": ("M", "Rodya Rodka"),
    "Alexey": ("M", "Alyosha Alyoshka Alesha Lyosha"),
    "Alexei": ("M", "Alyosha Alyoshka Alesha Lyosha"),
    "Aleksei": ("M", "Alyosha Alesha Lyosha"),
    "Dmitri": ("M", "Mitya Mitka Mitenka"),
    "Dmitry": ("M", "Mitya Mitka Mitenka"),
    "Ivan": ("M", "Vanya Vanka Vanechka"),
    "Pyotr": ("M", "Petya Petrusha Petenka"),
    "Nikolay": ("M", "Kolya Kolenka Nikolenka"),
    "Nikolai": ("M", "Kolya Kolenka Nikolenka"),
    "Sofya": ("F", "Sonya Sonia Sonechka Sonetchka"),
    "Sofia": ("F", "Sonya Sonia Sonechka"),
    "Katerina": ("F", "Katya Katka Katenka"),
    "Ekaterina": ("F", "Katya Katka Katenka"),
    "Anna": ("F", "Anya Anyuta Annushka"),
    "Natalya": ("F", "Natasha"),
    "Natalia": ("F", "Natasha"),
    "Marya": ("F", "Masha Mashenka Manya"),
    "Mikhail": ("M", "Misha Mishka"),
    "Pavel": ("M", "Pasha Pavlusha"),
    "Grigory": ("M", "Grisha"),
    "Agrafena": ("F", "Grushenka Grusha"),
    "Lizaveta": ("F", "Lise Lizanka"),
    "Fyodor": ("M", "Fedya Fedka"),
    "Vasily": ("M", "Vasya Vaska"),
    "Konstantin": ("M", "Kostya"),
    "Vladimir": ("M", "Volodya"),
    "Tatyana": ("F", "Tanya"),
    "Nastasya": ("F", "Nastya Nastenka"),
    "Arkady": ("M", "Arkasha"),
    "Sergey": ("M", "Seryozha Serezha"),
    "Sergei": ("M", "Seryozha Serezha"),
    "Ilya": ("M", "Ilyusha Ilusha"),
    "Varvara": ("F", "Varya"),
}
HYPOCORISMS.update(RUSSIAN)
RUSSIAN_PETS = frozenset(pet for _, pets in RUSSIAN.values() for pet in pets.split())
# A pet name may stand for several formal names ('Kitty': Catherine, Katherine; 'Matty': Matilda,
# Matthew); one of both sexes tells no sex ("?"): Cranford's Miss Matty, whom 'Matty' alone made a
# man, is Miss Matilda (ext cast check; dev unchanged).
_FORMALS: dict[str, tuple[str, ...]] = {}
for _formal, (_, _pets) in HYPOCORISMS.items():
    for _pet in _pets.split():
        _FORMALS[_pet] = _FORMALS.get(_pet, ()) + (_formal,)
PET = {pet: (names[-1], "".join({HYPOCORISMS[n][0] for n in names}) if len({HYPOCORISMS[n][0] for n in names}) == 1
             else "?") for pet, names in _FORMALS.items()}
FORMAL_GENDER = {formal: g for formal, (g, _) in HYPOCORISMS.items()}

_GIVEN_NAMES_FILE = "given_names.tsv"
_GIVEN_NAMES_MAX = 200_000  # bytes; the file is about 45 KB


@lru_cache(maxsize=1)
def given_names() -> dict[str, str]:
    """Given name -> "M" or "F", for names the 1990 US Census finds worn by one sex at least ten
    times as often as by the other (scripts/given_names.py derives the file). Read once, on first use."""
    resource = importlib.resources.files("barkflow.text") / _GIVEN_NAMES_FILE
    try:
        with resource.open("rb") as f:
            data = f.read(_GIVEN_NAMES_MAX + 1)
    except OSError as e:
        raise BarkflowError(f"barkflow/text/{_GIVEN_NAMES_FILE} cannot be read ({e}): reinstall barkflow") from None
    if len(data) > _GIVEN_NAMES_MAX:
        raise BarkflowError(f"barkflow/text/{_GIVEN_NAMES_FILE} is over {_GIVEN_NAMES_MAX:,} bytes: "
                            "regenerate it with scripts/given_names.py")
    out = {}
    for n, line in enumerate(data.decode("ascii", "replace").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, sex = line.partition("\t")
        if sex not in ("M", "F") or not name.isalpha():
            raise BarkflowError(f"barkflow/text/{_GIVEN_NAMES_FILE}:{n}: expected 'Name<TAB>M|F', got {line!r}: "
                                "regenerate it with scripts/given_names.py")
        out[name] = sex
    return out


def formal(first: str) -> str:
    """A first given name as its formal form: Bill -> William."""
    word = first.split()[0]
    return PET.get(word, (word,))[0]


def formals(pet: str) -> tuple[str, ...]:
    """The formal names a pet name stands for: Kitty -> Catherine, Katherine."""
    return _FORMALS.get(pet, ())


def given_sex(name: str) -> str:
    pet_sex = PET.get(name, (None, "?"))[1]
    return FORMAL_GENDER.get(name) or (pet_sex if pet_sex != "?" else None) or given_names().get(name, "?")


def familiar(a: str, b: str) -> bool:
    """Whether first name a is a familiar form of b: its pet name (Tom, Thomas; Becky, Rebecca),
    a clear clipping, three letters or more that drop two or more (Huck, Huckleberry), or b with
    a diminutive ending (Hucky, Huck; Benny, Ben). Two pet names of one formal name are not
    (Bessie and Eliza are two women), nor is a formal name a pet name's (John is not Jack)."""
    if b in formals(a):
        return True
    if len(b) >= len(a) + 2 and len(a) >= 3 and b.startswith(a):
        return True
    return diminutive(a, b)


def diminutive(a: str, b: str) -> bool:
    """Whether a is b (three letters or more) with a diminutive ending: Hucky, Huck; Benny, Ben."""
    rest = a[len(b):] if a.startswith(b) and len(b) >= 3 else ""
    return rest in ("y", "ie", "ey") or len(rest) > 1 and rest[0] == b[-1] and rest[1:] in ("y", "ie", "ey")


def one_given_name(a: str, b: str) -> bool:
    """Whether a and b are one first name, one a familiar form of the other, neither a name of the
    other sex (Louis is not Louisa)."""
    if a == b or " " in a or " " in b or not (familiar(a, b) or familiar(b, a)):
        return False
    return len({given_sex(a), given_sex(b)} - {"?"}) < 2
