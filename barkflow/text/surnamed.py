"""Whose a bare surname is: a father's or his son's, a servant's; and the son called Master.

The son is named by his first name ('Philip', 'Philip Wakem', 'Mr. Philip', as servants call the
son of the house); the father by title and surname ('Mr. Wakem', maybe 'John Wakem' too), an entry
of its own that the merge kept apart from the son's. characters.py gives the bare
surname to the far commoner man with a man's title among his forms: the son. Where the narration
tags speeches with the bare surname ('"...," said Wakem'), it is the father's: the narrator calls
the son by his first name. Only there: in dialogue a young man's friends call him by his surname
('Hullo, Emerson!'), the son, and a surname the narration never puts to a speech tells nothing.

Master before a first name is a boy's title: 'Master George Shelby' is the son of the 'Mr. Shelby'
whose household calls him so, whom the merge, taking Master and Mr. for one man's two titles
(as Dr. Aziz is Mr. Aziz), made one person with his father.

A bare surname that only women called Miss or Mrs. share, said ten times as often as all of them,
is someone's own name (a servant's, or an untitled husband's), not a shared one that names no one.
"""

from __future__ import annotations

from barkflow.text.cues import beside_verb

# Speech tags by the bare surname that make it the narrator's name for the father (The Mill on the
# Floss: 17 'said Wakem', 4 'said Tulliver'; Howards End and A Room with a View, whose bare 'Wilcox'
# and 'Emerson' are the sons' in dialogue, have none).
_TAGS = 3
_SONS_TITLES = {"Mr", "Master"}
# And the son's own first name tags speeches this many times as often as the surname does: the
# narrator's name for him (Philip 71 to Wakem's 18, Tom 190 to Tulliver's 4). Where the two are
# nearer, the narrator calls the son by either (Vanity Fair's George 53, Osborne 24, the son and
# his father both), or by his surname (Babbitt's 19 'said Babbitt', none 'said George').
_FIRST_NAMED = 3


def _tags(text: str, spans: list[tuple[int, int]]) -> int:
    """How many of a name's mentions are a speech tag's subject: 'said Wakem', 'Wakem said'."""
    return sum(beside_verb(text, s, e, back=40) for s, e in spans)


def _son_of_the_house(e) -> bool:
    """Whether the book calls e by Mr. or Master before his first name alone ('Mr. Philip', 'Master
    Tom'), as a household tells the son from his father, Mr. Wakem."""
    return any(t in _SONS_TITLES and name == e.first for t, name in e.forms)


def fathers_surnames(entries: list, text: str, spans: dict, man_titles: set[str]) -> list:
    """`entries` with a bare surname a son's entry took moved to the one man the book calls by a
    man's title and that surname alone and by no first name of the son's (his father), where the narration
    tags speeches with that bare surname."""
    for son in entries:
        if not son.first or not son.last or (None, son.last) not in son.forms or not _son_of_the_house(son):
            continue
        last = son.last
        fathers = [e for e in entries if e is not son and e.first != son.first and e.last == last and e.gender != "F"
                   and any(t in man_titles and name == last for t, name in e.forms)]
        by_surname = _tags(text, spans.get((None, last), []))
        if len(fathers) == 1 and by_surname >= _TAGS and _tags(text, spans.get((None, son.first), [])) >= _FIRST_NAMED * by_surname:
            fathers[0].forms[(None, last)] += son.forms.pop((None, last))
    return entries


def boy_and_man(e, title: str | None) -> bool:
    """Whether e is a boy the book calls Master before his first name ('Master George Shelby'), and
    `title` a grown man's: the son of the 'Mr. Shelby' whose house calls him so, not Mr. Shelby.
    Not Master before a surname alone, an older style's address to a grown commoner ('Master
    Stickles', 'Master Planchet')."""
    return bool(e.first) and title != "Master" and any(
        t == "Master" and name.split()[0] == e.first for t, name in e.forms)


# A bare surname said this many times as often as every Miss and Mrs. of it together is a person of
# its own: North and South's servant 'Dixon' (222 times; 'Miss Dixon' 4, 'Mrs. Dixon' 2, each the
# same woman in another's mouth), or a man the book never titles beside his wife and daughter.
_OWN_SURNAME = 10


def shared_surname(entries: list, last: str, n: int) -> bool:
    """Whether a bare surname said `n` times names no one of its own, being shared by the entries
    that bear it: not where they are only women named by Miss or Mrs. and the surname, far rarer."""
    bearers = [e for e in entries if e.last == last]
    if not bearers:
        return False
    titled_women = all(e.first is None and e.gender == "F" for e in bearers)
    return not (titled_women and n >= _OWN_SURNAME * sum(e.mentioned for e in bearers))
