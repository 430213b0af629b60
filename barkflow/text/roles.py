"""Speakers a book never names, only describes by a role in the tag: '"Steady," said the turnkey',
'replied the genial passenger'. A reader hears the turnkey's lines in the turnkey's voice, not in
that of whoever turn-taking counts there (Fagin, talked to across the bars).

A role noun is also an epithet for a named person ('the beadle' is Mr. Bumble, 'the butler'
Barrymore, 'the sea-cook' Silver), so a role gets a voice of its own only where the book gives no
sign of that: its noun is a calling (_CALLINGS: waiters, turnkeys, clerks, cabmen; not ranks,
which ranks.py gives their named bearer), no name in the cast holds it, the book never sets it
beside a name ('Barrymore, the butler', 'the housekeeper, Mrs. Bedwin'), the book's 'the <noun>'
stays within SCENE characters (an epithet runs through the book), and the speech before does not
call someone by name (the one called answers: '"Thank you, Bitzer." / "...," returned the light
porter'). Only the tagged speech (and the rest of its quotation) takes the role's voice, after
every other pass: the role is no character for pronouns or turn-taking, which would carry it into
the turns around it (a role in the cast itself: dev PDNC all 16562 -> 16561, answered 81.25 ->
80.97%).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import regex

from barkflow.text import cues
from barkflow.text.characters import Character
from barkflow.text.described import words_sex
from barkflow.text.ranks import NOUNS as RANK_NOUNS
from barkflow.text.turns import ANAPHORIC, EXPLICIT

# '"...," said the turnkey,' right after a quotation's closing mark: the verb, an adverb allowed,
# 'the', up to two describing words and the role noun, which ends the description.
_TAG = regex.compile(
    rf"[\"”’'][ \t]*\n?[ \t]*(?:{cues.VERB})(?:\s+\p{{Ll}}+ly)?\s+the\s+((?:\p{{Ll}}[\p{{Ll}}-]*\s+){{0,2}}(\p{{Ll}}[\p{{Ll}}-]{{2,}}))"
    r"(?=\s*[,.;:!?—)]|\s+(?:in|with|who|as|and|at|from|to|on|of|for|by|looking|\p{Ll}+ly|\p{Ll}+ing)\b)")
# '"...," the waiter said', and 'The waiter said, "..."' leading into a quotation as its
# paragraph's first sentence or one after a stop.
_TAG_AFTER = regex.compile(
    rf"[\"”’'][ \t]*\n?[ \t]*the\s+((?:\p{{Ll}}[\p{{Ll}}-]*\s+){{0,2}}\p{{Ll}}[\p{{Ll}}-]{{2,}})(?:\s+\p{{Ll}}+ly)?\s+(?:{cues.VERB})\b")
_TAG_BEFORE = regex.compile(
    rf"(?:^|\n|[.!?][\"”’']?\s+)The\s+((?:\p{{Ll}}[\p{{Ll}}-]*\s+){{0,2}}\p{{Ll}}[\p{{Ll}}-]{{2,}})(?:\s+\p{{Ll}}+ly)?"
    rf"\s+(?:{cues.VERB})(?:\s+(?:out|up))?[,:]?[ \t]*\n?[ \t]*[\"“‘']$")


def _described(text: str, q) -> str | None:
    """The description in the tag a quotation has ('said the turnkey', 'the waiter said'), if any."""
    m = _TAG.match(text, q.end, min(len(text), q.end + 80)) or _TAG_AFTER.match(text, q.end, min(len(text), q.end + 80)) \
        or _TAG_BEFORE.search(text, max(0, q.start - 100), q.start)
    return m.group(1) if m else None


# Callings a book's passers-by are known by, who serve, guard, carry or judge the named people for
# a scene. Not nouns a book as often gives its named people for a while ('the schoolmaster', 'the
# clergyman', 'the housekeeper', 'the butler', 'the merchant', 'the traveller'), nor ranks
# (ranks.py: 'the doctor' is the Dr. X met so far). The second block, common callings of hotels,
# streets, trains and houses: dev PDNC all 16694 unchanged, answered 20404 -> 20405 quotes;
# 18 quotes of 27 external novels change voice, 18 right.
_CALLINGS = frozenset("""waiter turnkey jailer jailor gaoler warder clerk cabman coachman driver porter
footman maid housemaid parlourmaid parlour-maid chambermaid servant manservant cook landlord
innkeeper publican barman shopman shopkeeper attendant constable policeman officer magistrate
solicitor lawyer attorney detective chairman game-keeper gamekeeper keeper pauper beggar conductor
guard steward sailor boatman ferryman postman sentry sentinel official usher barber
grocer butcher gardener groom ostler hostler tinker pedlar peddler hawker newsboy doorkeeper
door-keeper watchman fireman carpenter labourer stationmaster station-master passenger
concierge chauffeur bartender doorman hall-porter commissionaire liftman lift-boy bellboy cabby cabbie
soldier trooper guardsman gendarme nurse waitress barmaid shopgirl shopwoman cashier messenger
ticket-collector engine-driver signalman postboy post-boy postilion postillion janitor caretaker
sexton verger helmsman pilot fisherman bargeman milkman workman bailiff auctioneer pawnbroker
tobacconist blacksmith locksmith cobbler carter carrier drover waggoner crossing-sweeper
charwoman washerwoman laundress seamstress dressmaker milliner stewardess wardress""".split())
# Words no description of one person holds: joining words, pronouns.
_NOT_DESCRIBING = frozenset("""at in with of to on for by from as and or but who his her him them their its
the a an this that""".split())
_RANKS = frozenset(n for nouns in RANK_NOUNS.values() for n in nouns)
# How far apart the book's first and last 'the <noun>' may be for it to be no named person's
# epithet running through the book ('the cook' is Silver in Treasure Island, 'the landlord' of
# Great Expectations' later chapters someone else's): dev PDNC all 16562 -> 16583 right at 100,000
# characters (60,000: 16581, 150,000: 16583), 16592 with no limit but answered 81.30% -> 81.27%
# and, in external novels, Silver, Lestrade and a named lawyer given voices of roles.
SCENE = 100_000
# Tags of one calling this far apart are two people (the turnkey of one prison visit is not the
# one of another): dev PDNC unchanged (its bench maps both to one), but the voices differ.
GAP = 20_000
# How sure a role's voice is: a tag's, short of a name's (a threshold above it leaves roles unvoiced).
CONFIDENCE = 0.9
# A name's apposition: 'Name, the [old] magistrate', 'the [head] housekeeper, Name'.
_APPOSITIVE_AFTER = regex.compile(r",?\s+(?:the|our|his|her|their|a|an)((?:\s+\p{Ll}[\p{Ll}-]*){1,2})\b")
_APPOSITIVE_BEFORE = regex.compile(r"\b[Tt]he((?:\s+\p{Ll}[\p{Ll}-]*){1,2}),?\s+$")
# Callings one person is called by in turn: a name set beside one is set beside them all.
_LAW = frozenset(("lawyer", "solicitor", "attorney"))
_SAME_CALLING = {w: _LAW for w in _LAW}


def _a_role(words: list[str]) -> bool:
    """Whether a tag's description ('old pauper', 'genial passenger') is a calling's, heading it."""
    if any(w in _NOT_DESCRIBING or w.endswith(("ly", "ing")) for w in words):
        return False  # 'said the doctor supporting her', 'said the master at length'
    return words[-1] in _CALLINGS and all(words_sex(w) == "?" and w not in _RANKS for w in words)


def _key(words: list[str]) -> str:
    """Which role a description names: its noun, and a word that tells two of a calling apart
    ('the senior detective' and 'the junior detective', 'the first housemaid')."""
    return " ".join(w for w in words if w == words[-1] or w in _APART)


_APART = frozenset("senior junior head chief under first second third fourth fifth other".split())


def _epithets(text: str, mentions: list[tuple[int, int, int]], heads: set[str]) -> set[str]:
    """Role nouns the book sets beside a name ('Mr. Eshton, the magistrate of the district', 'the
    housekeeper, Mrs. Bedwin', 'Briggs, a solicitor'): a named character's epithet, not a role."""
    out = set()
    for s, e, _ in mentions:
        after = _APPOSITIVE_AFTER.match(text, e, min(len(text), e + 50))
        before = _APPOSITIVE_BEFORE.search(text, max(0, s - 50), s)
        for words in (after and after.group(1), before and before.group(1)):
            for word in (words or "").split():
                out |= _SAME_CALLING.get(word, {word}) & heads
    return out


# 'Mr. Sowerberry, the parochial undertaker.', 'Barrymore the butler, who': a name's apposition
# that ends where the phrase does (not 'To Konstantin the peasant was').
_TIE = regex.compile(r"(?:,\s+the((?:\s+\p{Ll}[\p{Ll}-]*){1,2})\b(?=\s*[,.;:!?)]|\s+(?:who|of|and|at|in|was|had)\b)"
                     r"|\s+the((?:\s+\p{Ll}[\p{Ll}-]*){1,2})\b(?=\s*[,.;:!?)]|\s+who\b))")


_OF_TWO = frozenset("younger elder older former latter youngest eldest".split())


def _epithet_head(words: list[str]) -> str | None:
    """The noun of a tag's description ('the butler', 'the old housekeeper') that may stand for a
    named person: no calling of passers-by, rank, word of sex, 'the other' or 'the younger'."""
    head = words[-1]
    if any(w in _NOT_DESCRIBING or w.endswith(("ly", "ing")) for w in words) \
            or head in _CALLINGS | _RANKS | _APART | _OF_TWO:
        return None
    return head if words_sex(head) == "?" or head in _SEXED_POSTS else None


# Posts of one sex a book gives one named person ('Mrs. Corney, the matron of the workhouse'),
# unlike 'the girl' or 'the gentleman', which any of a book's women or men may be.
_SEXED_POSTS = frozenset("matron landlady hostess governess housekeeper widow spinster bachelor bride bridegroom".split())


def _tied(text: str, mentions: list[tuple[int, int, int]], heads: set[str]) -> dict[str, tuple[int, int]]:
    """Epithets the book sets beside one character's name only, as the noun of an apposition
    ('Mr. Bumble, the beadle'): noun -> (that character, where the book first does so)."""
    ties: dict[str, tuple[set[int], int]] = {}
    for s, e, cid in mentions:
        m = _TIE.match(text, e, min(len(text), e + 50))
        if m and (head := (m.group(1) or m.group(2)).split()[-1]) in heads:
            ties.setdefault(head, (set(), s))[0].add(cid)
    return {head: (next(iter(cids)), first) for head, (cids, first) in ties.items() if len(cids) == 1}


def _one_scene(text: str, head: str) -> bool:
    """Whether the book's first and last 'the [adjective] <head>' are within SCENE characters: the
    first found forwards, the last backwards ((?r)), not every one in between."""
    pattern = rf"\b[Tt]he\s+(?:\p{{Ll}}[\p{{Ll}}-]*\s+)?{head}\b"
    first, last = regex.search(pattern, text), regex.search(f"(?r){pattern}", text)
    return first is None or last.start() - first.start() <= SCENE


def voice_roles(text: str, characters: list[Character], mentions: list[tuple[int, int, int]],
                quotations: list, calls: Callable[[object], bool]) -> tuple[list[Character], list]:
    """(characters, quotations) with a character for each safe role a tag describes, speaking the
    quotations that tag is on; `calls(q)`: whether quotation q calls someone by name (addressees).
    Before the threshold: attribution keeps a role's voice only where CONFIDENCE is as sure as it
    asks, as it does every speaker's."""
    tagged: dict[str, list[int]] = {}  # role noun -> indices of the quotations its tags follow
    phrase: dict[str, str] = {}
    epithets: dict[str, list[int]] = {}  # a named person's epithet, maybe -> the same
    for i, q in enumerate(quotations):
        described = _described(text, q)
        if described and (head := _epithet_head(described.split())):
            epithets.setdefault(head, []).append(i)
        if described and _a_role(described.split()) and not _answers_a_name(quotations, i, calls):
            key = _key(described.split())
            tagged.setdefault(key, []).append(i)
            phrase.setdefault(key, " ".join(described.split()))
    characters, quotations = list(characters), list(quotations)
    # '"...," said the undertaker' after 'Mr. Sowerberry, the parochial undertaker': he speaks
    # (dev PDNC all 16729 -> 16741 right, none lost; hand-checked 358 -> 360, 'the butler' Barrymore;
    # external novels 45 quotes changed, 38 right by reading: Karamazov's prosecutor, Bleak House's
    # housekeeper; without the comma, 'the peasant' was Levin; ties after the tag, a later 'student').
    tied = _tied(text, mentions, set(epithets))
    for head, (cid, first) in tied.items():
        for i in epithets[head]:
            if quotations[i].start > first:
                _give(text, quotations, i, characters[cid])
    _running_epithets(quotations, [where for head, where in epithets.items() if head not in tied])
    if not tagged:
        return characters, quotations
    known = {w for c in characters for a in c.aliases for w in a.lower().split()}
    known |= _epithets(text, mentions, set(tagged))
    for key, where in tagged.items():
        head = key.split()[-1]
        if head in known or not _one_scene(text, head):
            continue
        for scene in _scenes(quotations, where):
            names = tuple(dict.fromkeys((f"the {phrase[key]}", f"the {key}")))
            role = Character(len(characters), names[0], names, _sex(head))
            characters.append(role)
            for i in scene:
                _give(text, quotations, i, role)
    return characters, quotations


def _sex(head: str) -> str:
    """A calling's sex where its noun says it ('parlourmaid', 'coachman'), else '?'."""
    return "F" if head.endswith(("maid", "ess", "woman", "girl")) else "M" if head.endswith("man") else "?"


def _scenes(quotations: list, where: list[int]) -> list[list[int]]:
    """The tags of one role noun parted where GAP characters pass between two: the turnkey of one
    prison visit is not the one of another."""
    out = [[where[0]]]
    for i in where[1:]:
        if quotations[i].start - quotations[out[-1][-1]].start > GAP:
            out.append([])
        out[-1].append(i)
    return out


def _answers_a_name(quotations: list, i: int, calls: Callable[[object], bool]) -> bool:
    """Whether the speech just before the quotation at `i` calls someone by name ('"Thank you,
    Bitzer," said Mrs. Sparsit. / "Thank you, ma'am," returned the light porter.'): the one
    called answers, and the role is their epithet."""
    before = quotations[i - 1] if i else None
    return before is not None and before.paragraph == quotations[i].paragraph - 1 and calls(before)


def _give(text: str, quotations: list, i: int, role: Character) -> None:
    """The quotation at `i`, and the rest of its speech, to `role`: the quotes of its quotation
    over paragraphs, and the next one where the tag only interrupts it ('"Steady," said the
    turnkey, "steady."') and no tag of its own follows it."""
    q = quotations[i]
    same = [j for j in range(max(0, i - 29), min(len(quotations), i + 30)) if quotations[j].group == q.group]
    if i + 1 < len(quotations) and quotations[i + 1].paragraph == q.paragraph \
            and not regex.search(r"[.!?;]", text[q.end + 1:quotations[i + 1].start - 1]) \
            and not _TAGGED.match(text, quotations[i + 1].end, quotations[i + 1].end + cues.AHEAD):
        same.append(i + 1)
    for j in same:
        quotations[j] = replace(quotations[j], speaker=role.id, confidence=CONFIDENCE, type=EXPLICIT)


_TAGGED = regex.compile(rf"[\"”’'][ \t]*\n?[ \t]*(?:{cues.VERB})\b")


# A description the other passes give one character nearly every time they give it anyone ('said
# the dwarf' Quilp's 64 times of 69 in The Old Curiosity Shop) is that character's running epithet:
# its tags left to no one are theirs too. At least RUNNING of them so, and SHARE of those given
# anyone; not a word of sex ('the woman' is most often one woman of a book, not every time).
RUNNING, SHARE = 5, 0.8
EPITHET_CONFIDENCE = 0.6
_SURE = 0.5  # attribution's default threshold: a speaker less sure is no one's


def _running_epithets(quotations: list, epithets: list[list[int]]) -> None:
    """Gives the tags of each running epithet (the indices of the quotations one description's tags
    follow) that no pass gave a speaker to its one bearer."""
    for where in epithets:
        given = Counter(quotations[i].speaker for i in where
                        if quotations[i].speaker is not None and quotations[i].confidence >= _SURE)
        if not given:
            continue
        cid, n = given.most_common(1)[0]
        if n < RUNNING or n < SHARE * sum(given.values()):
            continue
        for i in where:
            if quotations[i].speaker is None or quotations[i].confidence < _SURE:
                quotations[i] = replace(quotations[i], speaker=cid, confidence=EPITHET_CONFIDENCE, type=ANAPHORIC)
