"""The words of address and rank a cast is read by: titles of men, women and either, the titles
that come before a first name ('Sir William') or a surname ('Mr. Darcy'), and the capitalised words
that are never a name alone (STOP). Lexicons only: characters.py decides what they mean."""

from __future__ import annotations

from barkflow.text import foreign

MALE_TITLES = {"Mr", "Master", "Sir", "Lord", "Monsieur", "Signor", "Herr", "Father", "Uncle",
               "King", "Prince", "Duke", "Count", "Baron", "Brother", "Don", "Cardinal", "Archdeacon",
               "Bishop"} | foreign.MALE_TITLES
FEMALE_TITLES = {"Mrs", "Miss", "Ms", "Lady", "Madam", "Madame", "Mme", "Mlle", "Mademoiselle",
                 "Signora", "Frau", "Fraulein", "Mother", "Aunt", "Queen", "Princess", "Duchess",
                 "Countess", "Baroness", "Dame", "Sister", "Mistress", "Donna"} | foreign.FEMALE_TITLES
NEUTRAL_TITLES = {"Dr", "Doctor", "Colonel", "Col", "Captain", "Capt", "Major", "General",
                  "Lieutenant", "Admiral", "Rev", "Reverend", "Professor", "Prof", "Inspector",
                  "Sergeant", "Judge", "Cousin", "Commander", "Mister"}
TITLES = MALE_TITLES | FEMALE_TITLES | NEUTRAL_TITLES
# Titles followed by a first name (Sir William, Lady Catherine), not a surname (Mr. Darcy).
FIRST_NAME_TITLES = {"Sir", "Lady", "Lord", "Dame", "Aunt", "Uncle", "Cousin", "Father", "Mother",
                     "Brother", "Sister", "King", "Queen", "Prince", "Princess", "Don", "Donna"}
# Military and professional titles are worn by men in the novels this reads.
MOSTLY_MALE = {"Colonel", "Col", "Captain", "Capt", "Major", "General", "Lieutenant", "Admiral",
                "Rev", "Reverend", "Inspector", "Sergeant", "Judge", "Commander", "Mister"}

# A title's clipped forms and the long one they stand for: Col. Brandon is Colonel Brandon.
SHORT_TITLES = {"Col": "Colonel", "Capt": "Captain", "Prof": "Professor", "Rev": "Reverend"}
# Dr and Doctor: one title, which a book's forms keep as written ('Dr. Sloper'), 'the Doctor' too.
DOCTOR = {"Dr", "Doctor"}


def full_title(title: str) -> str:
    """The long form of a title ('Dr' or 'Dr.' -> 'Doctor', 'Col' -> 'Colonel'), else the title."""
    title = title.rstrip(".")
    return "Doctor" if title in DOCTOR else SHORT_TITLES.get(title, title)


MALE_OR_NEUTRAL = (MALE_TITLES | NEUTRAL_TITLES) - {"Cousin"}
ANYONES = {"Mr", "Master", "Miss", "Ms"}  # titles that tell a sex, not a rank
MARRIED = {"Mrs", "Madame", "Mme", "Frau", "Signora"}  # a wife's titles: never a first-named daughter's

# Capitalised words that are never a person's name however often they appear mid-sentence.
# 'his Lordship', 'her Ladyship' too: a peer's style, not a name (Evelina's cast had a 'Lordship' who
# spoke 17 lines of two lords; dev unchanged).
STOP = set("""
I I'm I'll I've I'd Oh O Ah Aye Yes No Nay Sir Madam Ma'am Mr Mrs Miss Ms Dr Lady Lord God Heaven
Heavens Lord's Christ Jesus Providence Monday Tuesday Wednesday Thursday Friday Saturday Sunday
January February March April May June July August September October November December Christmas
Easter English England French France London Paris Rome Italy Italian German Germany America American
Europe Scotch Scotland Irish Ireland Indian India British Britain Bath Street Road Park Square Hall
House Court Abbey Church Chapter CHAPTER Volume Book Part The A An And But Then When What Why How
Who Where Which There Here This That These Those It Its If In On At Of To For With By From As So Not
Do Does Did Is Are Was Were Be Been Have Has Had Will Would Shall Should Can Could May Might Must Well
Now Yes Mamma Mama Papa Pa Ma Mother Father Aunt Uncle Cousin Grandmother Grandfather Grandmamma
Dear Darling Good Poor Old Young Little Great Saint St Mount Lake River Hotel Mister Missis Master
Colonel Captain Major General Lieutenant Admiral Doctor Professor Inspector Sergeant Judge Queen King
Prince Princess Duke Duchess Count Countess Baron Baroness Dame Sister Brother Father's Mother's
My Your His Her Our Their He She We You They Him Them Me Us Lordship Ladyship
OK Ok Ha Hm Hum Hush Hallo Hello Goodbye Good-bye Thank Thanks Please Pray Alas Hurrah Bravo Indeed
Esquire Esq Cardinal Archdeacon Bishop
""".split()) | foreign.ADDRESS_WORDS | foreign.ROLE_RANKS

MONTHS = set("January February March April May June July August September October November December".split())
# Days a book may name someone by: Robinson Crusoe's Friday ('says Friday').
DAYS = set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
# Common words in STOP that are also surnames: after a surname title they name someone ('Mr.
# Darling', 'Mrs. Hall', 'Miss Young'), where alone they are an endearment, an adjective, a place;
# and days, which like months are a name where the tags name them (characters._common_word_named).
WORD_SURNAMES = MONTHS | DAYS | set("""
Darling Dear Good Young Little Great Hall House Street Park Court Church Lake River Mount Bath
English French London Christmas Easter
""".split())
