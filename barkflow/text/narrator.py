"""A first-person narrator: whether the book has one who speaks in its dialogue ('"...," said I'),
and who 'I' is, from the names the people answering the narrator call them by. `ctx` below is
attribution's context: the cast, the narration's mentions (ctx.events) and ctx.narrator."""

from __future__ import annotations

from collections import Counter

import regex

from barkflow.text import cues
from barkflow.text.namesake import give_name_tags_to_namesakes
from barkflow.text.tellers import hand_to_tellers, name_words
from barkflow.text.turns import EXPLICIT, IMPLICIT, Turn

# Calls in the speeches next to a first-person narrator's that make a name theirs beside the one
# they are named by, where the narration hardly names it ('Handel' for Pip, 'Davie' for David).
NICKNAME_CALLS = 5
# Calls that make another entry sharing a name with the narrator's one of its split forms.
SPLIT_CALLS = 2
# A speech's own 'said I' tag: as sure as the narrator's turns come.
SAID_I = 0.9


def first_person(text: str) -> bool:
    """Whether the book's narrator speaks in its dialogue ('"...," said I'): first-person tags are
    common, not a stray one in a letter or a story told inside the book."""
    mine = len(cues.I_TAG.findall(text))
    return mine >= 20 and mine * 4 >= len(cues.HE_SHE_TAG.findall(text))


def _same_named(characters, cid: int, called: Counter, narrated: Counter) -> set[int]:
    """The other entries called next to the narrator's speeches that share a name with `cid`, more
    often called so than named in the narration ('Miss Summerson' beside 'Esther Summerson',
    'Master Copperfield' beside 'Copperfield', 'Nelly Dean' beside 'Ellen Dean'): the cast's split
    forms of the one name, whose calls are one vote. Not a father or an uncle who shares the
    surname: the narration names them ('Ebenezer Balfour'), or they are hardly ever called. (Dev
    PDNC unchanged, none told in the first person; Bleak House's narrator named Esther, David
    Copperfield's Copperfield, Wuthering Heights' Ellen, where none was; eleven other first-person
    books' narrators unchanged.)"""
    words = name_words(characters[cid])
    return {o for o, k in called.items() if o != cid and k >= SPLIT_CALLS and k > narrated[o] and words & name_words(characters[o])}


# A front page naming whose account the book is ('Being a reprint from the reminiscences of JOHN H.
# WATSON, M.D.', 'The Memoirs of Barry Lyndon, Esq.'), read in the book's first FRONT characters.
FRONT = 20_000
ACCOUNT = regex.compile(r"\b(?i:reminiscences|recollections|memoirs|autobiography|confessions|journal|diary|"
                        r"narrative)\s+(?i:of)[\W_]+(?:the\s+late\s+)?((?:\p{Lu}[\p{L}'’]*\.?\s+){0,3}\p{Lu}[\p{L}'’]+)")


def title_page_teller(ctx) -> int | None:
    """The character a front page names as the teller, where no one's calls name the narrator: the
    one cast entry whose names hold the account's surname (Watson, of 'John H. Watson'; nobody calls
    him by it in A Study in Scarlet's first half, where Holmes says 'Doctor')."""
    found = ACCOUNT.findall(ctx.text, 0, FRONT)
    if len(found) != 1:
        return None  # a contents page listing several tellers' narratives (The Woman in White)
    surname = found[0].split()[-1].title()
    owners = [c.id for c in ctx.cast.characters if not c.narrator and surname in name_words(c)]
    return owners[0] if len(owners) == 1 else None


# Calls of one name, in the whole book, that make it the narrator's where it is never a tag's.
UNTAGGED_CALLS = 8


def _never_said(turns: list[Turn], ctx, narrated: Counter) -> int | None:
    """The narrator's name where the speeches beside theirs hardly call it (The Great Gatsby: Nick,
    called 16 times, twice next to a 'said I'): the name the book calls most, UNTAGGED_CALLS times
    or more, that no tag gives a speech to and the narration, which says 'I', hardly names."""
    tagged = {t.speaker for t in turns if t.type == EXPLICIT}
    calls = Counter(cid for t in turns for cid in t.vocatives)
    fits = [(k, cid) for cid, k in calls.items() if k >= UNTAGGED_CALLS and cid not in tagged and 4 * narrated[cid] <= k]
    return max(fits)[1] if fits else None


def name_the_narrator(turns: list[Turn], ctx, narrator: int) -> None:
    """Who 'I' is: the name the people answering the narrator call them by, where one name clearly
    leads ('..., Hastings?' in the turns next to the narrator's). That character becomes the
    narrator; else 'the narrator' stays a character of its own, spoken in the narrator's voice. A
    second name they answer to ('Handel' beside 'Pip') is the narrator's too."""
    hand_to_tellers(turns, ctx, narrator)  # another 'I' telling a stretch: a diary, a narrative
    # Each speech next to the narrator's votes once, though it sits between two of theirs.
    answers = set()
    for i, turn in enumerate(turns):
        if turn.speaker != narrator:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(turns) and abs(turns[j].paragraph - turn.paragraph) == 1 and turns[j].speaker != narrator:
                answers.add(j)
    called = Counter(cid for j in answers for cid in set(turns[j].vocatives))
    # Not one the narrator's own speeches call more often than they are called beside them: the
    # narrator talks to them ('Liza, ...' in Notes from Underground), and one untagged speech of
    # the narrator's read as the answer calls them too.
    own = Counter(cid for turn in turns if turn.speaker == narrator for cid in turn.vocatives)
    called = Counter({cid: k for cid, k in called.items() if own[cid] <= k})
    narrated = Counter(cid for _, cid in ctx.events)
    name = called.most_common(1)[0][0] if called else None  # nobody may call the narrator anything
    kin = _same_named(ctx.cast.characters, name, called, narrated) if called else set()
    n = sum(called[cid] for cid in {name, *kin})
    second = max((k for cid, k in called.items() if cid != name and cid not in kin), default=0)
    me = name if name is not None and n >= 3 and n >= 2 * second else narrator
    # Another name the narrator answers to ('..., Handel?' beside '..., Pip?'; 'Davie' beside
    # 'David'): one called often in the speeches next to theirs, hardly ever in the narration, which
    # says 'I'; its vocatives and turns are the narrator's, not a second character's.
    also = {cid for cid, k in called.items() if cid != me and k >= NICKNAME_CALLS and 2 * narrated[cid] < k}
    also |= kin if me == name else set()
    if me == narrator and name in also:
        # No name leads two to one, but the leader is one of the narrator's own (called often, hardly
        # narrated: 'Quatermain' beside 'Macumazahn'): the narrator goes by it, not by 'the narrator'.
        me, also = name, also - {name}
    if me == narrator and not also:
        me = title_page_teller(ctx)
        if me is None:
            me = _never_said(turns, ctx, narrated)
        if me is None:
            return
    mine = {narrator, *also}
    if me != narrator:
        ctx.cast.characters.pop()  # the stand-in, last in the list: nothing refers to it below
        give_name_tags_to_namesakes(turns, ctx.cast.characters, me, mine | {me})
    for cid in {me, *also}:
        ctx.cast.characters[cid].narrator = True
    ctx.narrator = me
    ctx.events = [(pos, me if cid in mine else cid) for pos, cid in ctx.events]
    for turn in turns:
        if also & set(turn.vocatives):
            # First, so that a call by another of the narrator's names ('..., Jack!' beside John) is
            # a call of the narrator's in the check below (dev PDNC unchanged; first-person books 11
            # quotes change: Lorna Doone 5, Bleak House 3, David Copperfield 3, about 9 better by
            # reading, 1 worse, Dora's speech to Doady no longer hers).
            turn.vocatives = tuple(me if v in also else v for v in turn.vocatives)
        if turn.speaker in mine:
            turn.speaker = me
        if turn.per_quote:
            turn.per_quote = [(me, *t[1:]) if t and t[0] in mine else t for t in turn.per_quote]
        if turn.speaker == me and turn.third_person:
            # A 'he asked' read as someone who turns out to be the narrator, who would say 'I': not
            # theirs, nor an anchor for the turns around it ('"How should they?" he asked' after
            # the narrator's question counted the exchange's turns the wrong way round); a step of
            # the exchange left to no one, as a stranger's is (dev PDNC unchanged; on 14 first-person
            # books 50 quotes change, read by hand about 35 better, 7 worse: Zenda's whole exchange
            # with Johann and Villette's Lucy with Paulina counted the right way round).
            turn.speaker, turn.confidence, turn.nobody = None, 0.0, True
        if turn.speaker == me and set(turn.vocatives) == {me} and turn.confidence < SAID_I:
            # A speech calling the narrator by the name just found, and no one else ('..., Rudolf.'
            # after 'I kissed her hand.'), is not theirs, as one calling anyone else is not: the
            # guess from the narration's 'I' was made before 'I' had that name; turn-taking decides
            # (dev PDNC unchanged, none told in the first person; read by hand on the first-person
            # books: Great Expectations 14 quotes change, 12 to right or none from wrong; Jane Eyre 32,
            # about 20 better, 9 worse; The Moonstone 10, 7 better, 3 worse; The Prisoner of Zenda 4
            # better; Treasure Island 1, The Thirty-Nine Steps 1 better; at 0.8, not 0.9, 11 of the
            # better ones are lost and none of the worse).
            turn.speaker, turn.confidence, turn.type = None, 0.0, IMPLICIT
