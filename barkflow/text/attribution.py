"""Who speaks each quotation in a novel's prose, with a confidence; None when the text won't say.

attribute(text) finds the quotations (quotes.py) and the characters (characters.py), then decides
each paragraph's speaker in three passes, the surest first:

1. tags: a speech verb next to a quotation with a name ('said Elizabeth', 'Elizabeth said',
   'cried Mrs. Bennet': explicit) or a pronoun ('replied he', 'she answered': anaphoric, the most
   recent character of that gender named in the narration or speaking before it, not one the
   quotation addresses; 'said I' in a book whose narrator talks is that narrator; 'said her
   father' is the man who shares her surname);
2. the narration around a quotation without a speech verb: its subject ('Emma laughed. "..."',
   '"...," Emma laughed'): implicit;
3. conversation: in a run of quoted paragraphs, turns alternate between two people (A B A B),
   counted from the nearest tagged turn, and a name used in address ("..., Lizzy,") makes that
   person the next speaker: implicit. A speech running over paragraphs is one turn.

Every answer carries a confidence; below `threshold` the speaker is None, and the narrator's
voice reads it: a wrong character's voice is worse than the narrator's. Deterministic: the same
text gives the same result. Linear in the text (a 900,000-character novel in seconds).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, replace

import regex

from barkflow.text import addressees, cues, leadins, mykin, rankrefs, roles, stage
from barkflow.text.asides import subject_ahead
from barkflow.text.callsme import answer_the_narrator
from barkflow.text.characters import Cast, Character, find_characters
from barkflow.text.described import (
    described_before,
    described_one,
    described_sex,
    words_sex,
)
from barkflow.text.kin import INVERTED, FullNames, kin_named
from barkflow.text.narrator import first_person, name_the_narrator
from barkflow.text.oddverbs import odd_lead_in, odd_verb_tag
from barkflow.text.possessed import possessed_lead, possessed_tail
from barkflow.text.quotes import QuoteScan, find_quotes, narration, within
from barkflow.text.ranks import Ranks
from barkflow.text.selfnamed import WHO_ASKED, self_named
from barkflow.text.sexed import subject_sex, unplaced_pronoun
from barkflow.text.singles import as_double
from barkflow.text.topics import taken_up
from barkflow.text.turns import (
    ANAPHORIC,
    EXPLICIT,
    IMPLICIT,
    THIRD,
    UNNAMED,
    Turn,
    answer_in_kind,
    conversations,
    per_quote,
    speeches,
)

# An untagged paragraph whose narration has a name as its subject: that person's turn (dev PDNC
# all 15307 -> 15326 right, against 0.7, which alternation overrides).
NAMED_ACTOR = 0.8
# A tag naming its speaker by a rank only one character met so far holds ('said the baronet').
RANKED = 0.9
# A speech naming its own speaker ('It's me, Huck!', 'I am Jane'): as sure as a tag.
SELF_NAMED = 0.9
# A tag's type where it names one of a crowd ('said one', 'added another'): a turn left to no one.
NOBODY = "nobody"


@dataclass(frozen=True)
class Quotation:
    """One quotation span (as in quotes.Quote) and who speaks it."""

    start: int
    end: int
    speaker: int | None     # a Character id, or None: the narrator reads it
    confidence: float       # 0..1, how sure the speaker is (before the threshold)
    type: str               # "explicit", "anaphoric", "implicit": what decided it
    paragraph: int
    group: int              # quotes of one quotation running over paragraphs share a group


@dataclass
class Attribution:
    characters: list[Character]
    quotations: list[Quotation]

    def speaker_name(self, quotation: Quotation) -> str | None:
        return next((c.name for c in self.characters if c.id == quotation.speaker), None)  # BookNLP's ids: no positions


class _Context:
    def __init__(self, scan: QuoteScan, cast: Cast):
        self.text = scan.text
        self.scan = scan
        self.cast = cast
        quoted = self.quoted = scan.quoted
        self.subjects: set[int] = set()  # event positions where a name starts a sentence or clause
        # Where a name is followed by a finite verb: a subject for a tag's pronoun and a clause's
        # subject, not for the narration's own pronouns (dev PDNC implicit 5580 -> 5553 there).
        self.actors: set[int] = set()
        # Actors and subjects in a clause of another's sentence ('what Anne meant', 'as Anne spoke'): no
        # antecedent for a tag's pronoun, though one may lead into a speech ('so heartily that Emma
        # could not help saying,').
        self.dependent: set[int] = set()
        self.at = {}  # mention start -> (end, character) for every mention
        self.events: list[tuple[int, int]] = []  # (position, character): narration mentions, speakers
        self.inside: list[tuple[int, int, int]] = []
        # Names inside a quotation within a speech ('"She cried, 'Drive on, Wickham!'"'): said to
        # someone in the story the speaker tells, never to the speaker's listener. One that ends
        # in a stop or comma: dialect's dropped letters ('"'twarn't no use, Huck, ... de raf'"')
        # read as nested quotes end in a letter.
        retold_in = within([(q.start, q.end) for q in scan.quotes
                            if q.depth == 1 and self.text[q.end - 1:q.end] in tuple(",.!?;:-—")])
        # A name two characters share, inside a speech: the one on stage ('John' for John Beaver).
        cast.mentions = stage.resolve(self.text, cast, quoted)
        prev = None  # the mention before: (start, end)
        for s, e, cid in cast.mentions:
            self.at[s] = (e, cid)
            (self.inside.append((s, e, cid)) if quoted(s) else self.events.append((s, cid)))
            self.classify(s, e, prev)
            prev = s, e
        # mention starts inside a quotation within a speech
        self.retold = frozenset(s for s, _, _ in cast.mentions if retold_in(s))
        self.ranks = Ranks(self.text, cast, quoted)  # 'said the doctor': the one Dr. X met so far
        rankrefs.add_mentions(self, quoted)  # 'the baronet' in the narration is Sir Henry to a later 'he'
        self.first_person = first_person(self.text)  # the narrator speaks in the dialogue ('said I')
        if self.first_person:
            mykin.add_mentions(self, quoted)  # a first-person narrator's 'my sister', as the book names her
        self.event_pos = [p for p, _ in self.events]
        # Who the turn being decided cannot be: the people its quotes address. Set per turn.
        self.avoid: frozenset[int] = frozenset()
        # Whom the quoted paragraph just before the turn addressed by name. Set per turn.
        self.addressed: tuple[int, ...] = ()
        self.answered: int | None = None  # who spoke the quoted paragraph just before the turn. Set per turn.
        self.called: list[tuple[int, int]] = []  # addressees.called_since; set once turns are read
        self.turn_start = 0
        # Each speaker the turn's tags describe but the cast cannot name: (sex, the latest person
        # of that sex, as a pronoun would resolve). Set per turn.
        self.described: list[tuple[str, int | None]] = []
        # Who 'I' is in a tag ('"...," said I'): a first-person narrator's character, else nobody.
        self.narrator: int | None = None
        self.full_names = FullNames(self.text)
        # Characters named next to a speech verb somewhere: people, not places. A gender guessed
        # from pronouns alone counts only for them (Winthrop, 'as she felt', is not a woman), and
        # one from the census list of given names (Florence the city, Geneva, are no women).
        self.speakers = set()
        for s, e, cid in cast.mentions:
            if cues.beside_verb(self.text, s, e):
                self.speakers.add(cid)

    def classify(self, s: int, e: int, prev: tuple[int, int] | None = None) -> None:
        """Marks the mention at [s, e) a subject where it starts a sentence or clause, else an actor
        where a finite verb follows (in a dependent clause, apart). `prev`: the mention before it."""
        # 'The Rat said nothing', '; and the White Rabbit blew': a clause starts at the article.
        head = lead.start() if (lead := cues.ARTICLE_BEFORE.search(self.text, max(0, s - 30), s)) else s
        if prev and cues.JOINED.fullmatch(self.text, prev[1], head):
            # 'at Tom and Ann', 'Tom and Ann went': no one a tag's 'he' or 'she' stands for.
            self.subjects.discard(prev[0])
            self.actors.discard(prev[0])
        elif cues.COMPARED.search(self.text, max(0, head - 40), head):
            pass  # 'as tall as Ann', 'such as Ann'
        elif cues.CLAUSE_START.search(self.text, max(0, head - 8), head) or cues.OPENING.search(self.text, max(0, head - 60), head):
            self.subjects.add(s)
            if cues.ADVERBIAL_BEFORE.search(self.text, max(0, head - 8), head):  # ', as Katharine spoke,'
                self.dependent.add(s)
        elif cues.FINITE_AFTER.match(self.text, e, e + cues.AHEAD) \
                and not cues.PREPOSITION_BEFORE.search(self.text, max(0, s - 16), s):  # 'opinion of Fanny was'
            self.actors.add(s)
            # Not one who speaks there ('because Flanagan broke in impatiently.'): the 'he cried' next is his.
            if (cues.SUBORDINATE.search(self.text, max(0, s - 9), s) or cues.THINKING_BEFORE.search(self.text, max(0, head - 14), head)) \
                    and not cues.VERB_AFTER.match(self.text, e, e + cues.AHEAD):
                self.dependent.add(s)

    def add_mention(self, s: int, e: int, cid: int) -> None:
        """A narration mention found beside the cast's own (a rank noun, 'my sister'): a name at
        [s, e) for the tags, an event for the pronouns, classified as the cast's mentions are."""
        self.at[s] = (e, cid)
        self.events.append((s, cid))
        self.classify(s, e)

    def add_speaker(self, pos: int, cid: int) -> None:
        self.subjects.add(pos)
        i = bisect.bisect_left(self.event_pos, pos)
        self.event_pos.insert(i, pos)
        self.events.insert(i, (pos, cid))

    def resolve(self, pronoun: str, pos: int, tag: bool = False,
                avoid: frozenset[int] | None = None) -> tuple[int | None, float]:
        """The most recent character of the pronoun's gender before `pos`, passing over those the
        turn being decided cannot be (`avoid`, else self.avoid) while another fits. In a speech tag
        (`tag`), the one the previous paragraph's speech addressed by name comes first."""
        avoid = self.avoid if avoid is None else avoid
        if pronoun == "I":
            return (self.narrator, 0.9) if self.narrator is not None else (None, 0.0)
        gender = {"he": "M", "she": "F"}.get(pronoun.lower())
        if gender is None:
            return None, 0.0
        # The latest of that gender who was a subject (started a sentence or spoke) wins over a
        # later one only mentioned: 'He saw Charles. ... "I can't sleep," he said.'
        i = bisect.bisect_left(self.event_pos, pos) - 1
        # '"No, Henry; ..." / "I see," he said': the one the last speech spoke to answers, unless
        # the turn itself has named someone of that gender by now ('said Kate. "...," she added').
        named_here = (self.cast.characters[self.events[j][1]].gender == gender
                      for j in range(i, bisect.bisect_left(self.event_pos, self.turn_start) - 1, -1))
        if tag and self.addressed and not any(named_here):
            for cid in self.addressed:
                if cid not in avoid and self.cast.characters[cid].gender == gender:
                    return cid, 0.85
        seen = 0
        latest = avoided = None
        while i >= 0 and seen < 60 and pos - self.event_pos[i] < 6000:
            cid = self.events[i][1]
            c = self.cast.characters[cid]
            if cid in avoid:
                if avoided is None and c.gender == gender:
                    avoided = (cid, 0.55)
            elif c.gender == gender and (cid in self.speakers or c.gender_from not in ("pronouns", "census")):
                if latest is None:
                    latest = (cid, 0.85 if seen < 20 else 0.7)
                    latest_pos = self.event_pos[i]
                elif latest_pos >= self.turn_start > self.event_pos[i] and self.event_pos[i] not in self.subjects:
                    # 'A letter came for Miss Bell. "Who ...?" she said.': one of that gender named
                    # in the pronoun's own paragraph outweighs an older subject past a mention
                    # that is no subject (dev PDNC all 15633 -> 15659 right).
                    return latest
                at = self.event_pos[i]
                # The latest named as no subject but taken up by a pronoun after, the tag's own too ('the door
                # opened on Mr. Crane. He shook', 'lost upon Katharine. "..." she'; dev PDNC all 16727 -> 16803).
                subject = at in self.subjects and not (tag and at in self.dependent) or (tag and at in self.actors and at not in self.dependent) \
                    or tag and at == latest_pos and taken_up(self, at, self.at.get(at, (at,))[0], pos, gender)
                if subject and pos - self.event_pos[i] < 1500:
                    return cid, 0.85
                if seen > 12:
                    break
            i -= 1
            seen += 1
        if tag and (latest is None or pos - latest_pos >= 1500):
            # No one of that gender a subject nearby: the latest a speech since called by name ('"Gretta,
            # dear, ..."' / '"...," she said'; dev PDNC all 16459 -> 16482, 800: 16467, 3000: 16469).
            called = addressees.called_since(self, gender, latest_pos if latest else pos - 1500, pos, avoid)
            if called is not None:
                return called, 0.8
        return latest or avoided or (None, 0.0)

    def subject_at(self, pos: int, end: int) -> tuple[int | None, str, float] | None:
        """A name or pronoun starting at `pos` (spaces skipped): (character, type, confidence)."""
        while pos < end and self.text[pos] in " \t\n\r":
            pos += 1
        hit = self.at.get(pos)
        if hit is None:
            # said the Gryphon, said poor Alice, cried the little Princess
            m = cues.EPITHET.match(self.text, pos, end)
            hit = self.at.get(m.end()) if m else None
        if hit is None:
            # said the March Hare
            m = cues.NAMED_KIND.match(self.text, pos, end)
            hit = self.at.get(m.end()) if m else None
        if hit and hit[0] <= end:
            own = cues.POSSESSIVE.match(self.text, hit[0], hit[0] + cues.AHEAD)
            if own and not {own.group(1).lower(), (own.group(2) or "").lower()} & cues.OWN_VOICE:
                # 'said Margaret's young man': someone of hers the cast cannot name, not Margaret.
                return None, THIRD, 0.0
            return (hit[1], EXPLICIT, 0.95) if hit[1] is not None else (None, NOBODY, 0.0)  # 'my aunt', unnamed
        m = cues.PRONOUN_AT.match(self.text, pos, end)
        if m and (pos == 0 or not self.text[pos - 1].isalpha()):
            cid, conf = self.resolve(m.group(1), pos, tag=True)
            return cid, ANAPHORIC, conf
        return None

    def subject_before(self, pos: int, start: int) -> tuple[int | None, str, float] | None:
        """A name or pronoun ending just before `pos` (adverbs and a comma between allowed)."""
        m = cues.BEFORE_VERB.search(self.text, max(start, pos - 40), pos)
        end = m.start() if m else pos
        if self.text[end - 2:end] in ("'s", "’s", " s") and cues.GERUND.match(self.text, pos, pos + cues.AHEAD):
            end -= 2  # 'Sir Thomas's saying', 'Mrs. Croft's suddenly saying'
        if hit := self.mention_ending(end, start):
            return (hit[1], EXPLICIT, 0.95) if hit[1] is not None else (None, NOBODY, 0.0)
        m = cues.LAST_PRONOUN.search(self.text[max(start, end - 4):end])
        if m:
            cid, conf = self.resolve(m.group(1), end, tag=True)
            return cid, ANAPHORIC, conf
        return None

    def mention_ending(self, end: int, start: int) -> tuple[int, int | None] | None:
        """The mention (its end, its character) ending exactly at `end` and starting at `start` or
        after, within a name's length (40 characters)."""
        for s in range(max(start, end - 40), end):
            hit = self.at.get(s)
            if hit and hit[0] == end:
                return hit
        return None

    def heads_clause(self, pos: int) -> bool:
        """Whether the mention at `pos` is its clause's subject: it starts one, or a finite verb follows it."""
        return pos in self.subjects or pos in self.actors

    def clause_subject(self, s: int, e: int) -> int | None:
        """The latest name in [s, e) that starts a clause ('and James,') or a relative clause
        ('Mr. Allen, who')."""
        i = bisect.bisect_left(self.event_pos, e) - 1
        while i >= 0 and self.event_pos[i] >= s:
            pos, cid = self.events[i]
            hit = self.at.get(pos)
            if hit and (self.heads_clause(pos) or cues.RELATIVE.match(self.text, hit[0], hit[0] + cues.AHEAD)):
                return cid
            i -= 1
        return None

    def speakers_before(self, pos: int, other_than: int | None) -> Iterator[int]:
        """The people who speak somewhere named in the 1500 characters before `pos`, bar
        `other_than`: latest first, each once."""
        seen = set()
        i = bisect.bisect_left(self.event_pos, pos) - 1
        while i >= 0 and pos - self.event_pos[i] < 1500:
            cid = self.events[i][1]
            if cid != other_than and cid in self.speakers and cid not in seen:
                seen.add(cid)
                yield cid
            i -= 1

    def named_before(self, pos: int, since: int | None = None) -> set[int]:
        """Everyone the narration names from `since` (else 1500 characters back) to `pos`, tagged speakers included."""
        i, j = bisect.bisect_left(self.event_pos, pos - 1500 if since is None else since), bisect.bisect_left(self.event_pos, pos)
        return {cid for _, cid in self.events[i:j]}

    def other_named(self, pos: int, cid: int | None) -> tuple[int, str, float] | None:
        """The latest one named before `pos` who is not `cid` and speaks somewhere, as a guess."""
        other = next(self.speakers_before(pos, cid), None)
        return None if other is None else (other, IMPLICIT, 0.6)

    def first_subject(self, s: int, e: int, skip: frozenset = frozenset(), tag: bool = False) -> tuple[int | None, str, float] | None:
        """The first name or he/she (or a first-person narrator's I) in a span of narration, past
        the names in `skip`; `tag`: the span leads into a speech, its pronoun resolved as a tag's."""
        i = bisect.bisect_left(self.event_pos, s)
        while i < len(self.events) and self.event_pos[i] < e and self.events[i][1] in skip:
            i += 1
        name = self.events[i] if i < len(self.events) and self.event_pos[i] < e else None
        if (own := cues.OWN_BEAT.match(self.text, s, e)) and (name is None or own.start(1) < name[0]):
            cid, conf = self.resolve("he" if own.group(1) == "His" else "she", own.start(1), tag=tag)
            return cid, ANAPHORIC, conf * 0.8
        pm = (cues.SUBJECT_PRONOUN_I if self.narrator is not None else cues.SUBJECT_PRONOUN).search(self.text, s, e)
        if pm and (name is None or pm.start() < name[0]):
            if cues.HEARD_ONLY.match(self.text, pm.end(), e):
                return None  # '"...," she heard.': not hers
            pm = cues.HEARD.match(self.text, pm.end(), e) or pm  # 'she heard him urge': him
            cid, conf = self.resolve({"him": "he", "her": "she"}.get(pm.group(1), pm.group(1)), pm.start(), tag=tag)
            return cid, ANAPHORIC, conf * 0.8
        if name and name[1] in self.speakers:
            return name[1], IMPLICIT, 0.7
        return None


def _tag(ctx: _Context, s: int, e: int, tail: bool):
    """A speech tag in narration [s, e): (character, type, confidence) or None."""
    text = ctx.text
    if tail:
        closing = text[s - 1:s]  # the quotation's own last mark ('",' -> ',')
        # The tag right after a quotation: its first clause.
        first = cues.CLAUSE_END.search(text, s, e)
        window_end = first.start() + 1 if first else e
        lead = cues.LEADING.match(text, s, window_end)
        s = lead.end()
        if found := possessed_tail(ctx, s, window_end):  # '"...," was Mary's reasoning'
            return found
        if cues.AND_VERB.match(text, s, window_end) or cues.AND_SOMEONE.match(text, s, window_end):
            return None  # '"..." and warned Aziz': the speaker goes on (dev PDNC all 16649 -> 16651)
        verbs = list(cues.VERB_RE.finditer(text, s, min(window_end, s + 60)))
        own_sentence = False
        found = None if verbs else odd_verb_tag(ctx, closing, s, window_end)
        if found:
            return found
        inverted = INVERTED.match(text, s, window_end) if not (verbs and verbs[0].start() == s) else None
        if inverted:
            # '"...," advised his wife', '"...," was her father's advice': no speech verb leads
            found = kin_named(ctx, inverted.group(1), inverted.group(2).lower(), inverted.start(1))
            if found is not None:
                return found, ANAPHORIC, 0.75
    else:
        # The tag right before a quotation: the last sentence of the narration ahead of it.
        starts = [m.end() for m in cues.SENTENCE_END.finditer(text, s, e)]
        # Narration opening with a quotation's closing mark: its first sentence is that one's tag.
        own_sentence = bool(starts) or text[s:s + 1] not in "\"'”’"
        s = starts[-1] if starts else s
        window_end = e
        if found := possessed_lead(ctx, s, e):  # "Mary's declaration was,"
            return found
        verbs = list(cues.VERB_RE.finditer(text, s, e))[-1:]
        found = None if verbs else odd_lead_in(ctx, s, e)
        if found:
            return found
    for v in verbs[:1]:
        after = ctx.subject_at(v.end(), min(window_end, v.end() + 40))
        before = ctx.subject_before(v.start(), s)
        if not tail and before and before[1] == EXPLICIT \
                and (ahead := subject_ahead(ctx, s, v.start(), before[0])) is not None:
            # 'Mr. Crawford, approaching Julia, said,': the subject ahead of an aside (dev PDNC all 16640 -> 16643).
            before = ahead, EXPLICIT, 0.9
        for found in (before, after) if tail and before and v.start() - s < 40 else (after, before):
            if found and (found[0] is not None or found[1] == NOBODY):
                return found
        if sex := unplaced_pronoun(text, v, s, window_end, before, after):
            ctx.described.append((sex, None))  # someone of that sex the cast cannot name
            return None, THIRD, 0.0
        rank = ctx.ranks.after(text, v.end(), window_end) if not after else None
        if rank is None and tail and not before:
            rank = ctx.ranks.before(text, s, v.start())
        if rank is not None:
            return rank, EXPLICIT, RANKED
        kin = cues.KIN_AFTER.match(text, v.end(), window_end) or cues.KIN_BEFORE.search(text, max(s, v.start() - 30), v.start())
        if kin and not tail and kin.start() < v.start() and (ahead := subject_ahead(ctx, s, v.start(), None)) is not None:
            return ahead, EXPLICIT, 0.9  # 'Mr. Dale, having kissed his wife, said,' (dev all 16643 -> 16646)
        if kin:
            found = kin_named(ctx, kin.group(1), kin.group(2).lower(), kin.start(1))
            if found is not None:
                return found, ANAPHORIC, 0.75
        indefinite = cues.INDEFINITE.match(text, v.end(), window_end) if tail and not (before or after) else None
        if indefinite and not indefinite.group("unseen"):
            # 'said one', 'added another', 'asked one of the men': one of a crowd the tag leaves
            # unnamed; turn-taking would count a named one of the talk there.
            return None, NOBODY, 0.0
        span = None if before or after else _described_ahead(ctx, s, v.start())
        if span and not tail and leadins.leads_in(text, v.end(), window_end) and own_sentence:
            # 'The old porter says:', 'One of them called out,': someone described ahead of the
            # verb, whom the cast cannot name; no sex fills it, nor do the turns around it.
            ctx.described.append((words_sex(text[span[0]:span[1]]), None))
            return UNNAMED_TAG
        if span and tail and span[0] == s and text[s].islower():
            # '"...," the young girl replied': read as 'replied the young girl' is (below), not
            # left to the turns around it.
            sex = words_sex(text[span[0]:span[1]])
            latest = described_one(ctx, sex, v.start(), v.group())
            ctx.described.append((sex, latest))
            return None, THIRD, 0.0
        if tail and (before or after or cues.DESCRIPTION.match(text, v.end(), window_end)):
            # 'said I' with no first-person narrator, 'she said' with no woman in sight, 'said
            # the gentleman': someone this tag names but the cast cannot; weaker clues (a later
            # quote's tag, the narration) would name someone else.
            if (after and after[1] == THIRD) or not (before or after):
                # 'said the old gentleman': someone described (turns.py fills it by their sex)
                sex = described_sex(text, v.end(), window_end)
                latest = described_one(ctx, sex, v.end(), v.group())
                ctx.described.append((sex, latest))
                return None, THIRD, 0.0
            return None, EXPLICIT, 0.0
        if not tail:
            # 'and James, as the door closed, said,', 'Mr. Allen, who, on hearing it, said,': the
            # nearest name that starts a clause or a relative clause.
            found = ctx.clause_subject(s, v.start())
            if found is not None:
                return found, EXPLICIT, 0.8
            # 'Emma then looked up, and ... replied,': the sentence's subject, a pronoun resolved as a tag's (dev all 16875 -> 16878).
            found = ctx.first_subject(s, v.start(), tag=True)
            if found and found[0] is not None:
                return found[0], found[1], min(0.8, found[2] + 0.1)
            if found and (sex := subject_sex(text, s, v.start())):  # 'She looked at me, and says:'
                ctx.described.append((sex, None))
                return None, THIRD, 0.0
    return None


# A tag whose speaker is described ahead of its verb, someone the cast cannot name ('The old porter
# says:'): its quotes are left to no one, neither filled by sex nor counted to one of a pair.
UNNAMED_TAG = (None, THIRD, 0.0)


def _described_ahead(ctx: _Context, s: int, verb: int) -> tuple[int, int] | None:
    """Where narration [s, verb) ends in a description heading its clause and naming no one in the
    cast, the subject of the speech verb at `verb` ('the old porter said'): its span, else None."""
    span = described_before(ctx.text, s, verb)
    if span is None:
        return None
    i = bisect.bisect_left(ctx.event_pos, span[0])
    return None if i < len(ctx.events) and ctx.event_pos[i] < span[1] else span


def _own_tags(ctx: _Context, quotes: list, paragraph_end: int) -> list[list]:
    """Each quotation's [lead-in tag, tag after it]. The narration between two quotations is the
    first one's tag ('"Well," said Emma, "I..."') unless the first already has a lead-in tag of its
    own ('Milly said, "..." Babs said, "..."'): then it leads into the second. Where it holds two
    sentences or clauses a semicolon parts, its first clause follows the one and its last, ending in
    a comma or colon, leads into the other ('"...," said Lady Bertram. After a pause Sir Thomas added,
    "..."'; 'said Lord Hubert; and Mrs. Bry added:' dev PDNC all 16482 -> 16483, House of Mirth)."""
    text = ctx.text
    own = [[None, None] for _ in quotes]
    start = ctx.scan.paragraphs[quotes[0].paragraph].start
    led = False  # the quotation has a lead-in tag of its own, ending in a comma or colon
    if quotes[0].start - start > 2:
        own[0][0] = _tag(ctx, start, quotes[0].start, tail=False)
        led = bool(own[0][0] and own[0][0][0] is not None and leadins.leads_in(text, start, quotes[0].start))
    for i, q in enumerate(quotes):
        s, e = q.end, quotes[i + 1].start if i + 1 < len(quotes) else paragraph_end
        if i + 1 == len(quotes):
            own[i][1] = _tag(ctx, s, e, tail=True)
            break
        leads_in = leadins.leads_in(text, s, e)
        two = cues.SENTENCE_END.search(text, s, e) is not None or ";" in text[s:e]
        # After a semicolon outside the marks a new clause starts: no tag of this quotation's.
        if not (leads_in and not two and led) and not cues.NEW_CLAUSE.match(text, s, e):
            own[i][1] = _tag(ctx, s, e, tail=True)
        # Who spoke this quotation is the latest speaker for a pronoun in the next one's tag.
        mine = own[i][1] or own[i][0]
        if mine and mine[0] is not None:
            ctx.add_speaker(q.start, mine[0])
        led = False
        if leads_in and (two or own[i][1] is None):
            own[i + 1][0] = _tag(ctx, s, e, tail=False)
            led = bool(own[i + 1][0] and own[i + 1][0][0] is not None)
        elif leads_in:
            own[i + 1][0] = _second_speaker(ctx, s, e, own[i][1])
            # '"...," I says, "..." She smiled, and I says, "..."': the speech the tag leads on
            # into is the tag's speaker's, so the narration after it leads into the next (dev
            # PDNC all 16729 -> 16730 right, explicit 6944 -> 6945; Huckleberry Finn +2, Bleak
            # House +2, David Copperfield -1).
            led = own[i + 1][0] is not None or bool(own[i][1] and own[i][1][0] is not None)
    return own


def _second_speaker(ctx: _Context, s: int, e: int, tail: tuple | None):
    """The next quotation's lead-in where a second speech verb in one sentence between two has its own
    named subject ahead of it ('"...," began Meg, but Jo cut in, "..."', '"...?" she asked the Gryphon,
    and the Gryphon answered, "..."'; not 'which Emma thought')."""
    verbs = list(cues.VERB_RE.finditer(ctx.text, s, e))
    if len(verbs) < 2 or not tail or tail[1] not in (EXPLICIT, ANAPHORIC) or tail[0] is None or \
            verbs[-1].group().split()[0] in cues.THINKING or _TO_AFTER.match(ctx.text, verbs[-1].end(), e):
        return None
    found = ctx.subject_before(verbs[-1].start(), verbs[-2].end())
    if found is None and tail[1] == EXPLICIT:  # 'while Margaret, thoughtful again, said:'
        cid = ctx.clause_subject(verbs[-2].end(), verbs[-1].start())
        found = (cid, EXPLICIT, 0.9) if cid is not None else None
    return found if found and found[1] == EXPLICIT and found[0] not in (None, tail[0]) else None


_TO_AFTER = regex.compile(r"\s+to\b")  # 'as Lady Bertram began to nod': no speech


def attribute(text: str, *, threshold: float = 0.5, cast: Cast | None = None) -> Attribution:
    """Every quotation in `text` with its speaker (None below `threshold`); see the module docstring."""
    scan = as_double(find_quotes(text))  # a book quoting in single marks reads as a double-quote one
    text = scan.text
    cast = cast or find_characters(text, quoted=scan.quoted)
    ctx = _Context(scan, cast)
    if ctx.first_person:
        ctx.narrator = len(cast.characters)
        cast.characters.append(Character(ctx.narrator, "the narrator", ("I",), narrator=True))
    by_paragraph: dict[int, list] = {}
    for q in scan.quotes:
        if q.depth == 0:
            by_paragraph.setdefault(q.paragraph, []).append(q)
    turns, selves = [], []
    for p, qs in sorted(by_paragraph.items()):
        # 'Who are you?' / 'Becky Thatcher. ...': the answer's opening name is its speaker's own.
        before = turns[-1] if turns and turns[-1].paragraph + 1 == p else None
        asked = bool(before and WHO_ASKED.search(text, before.quotes[-1].start, before.quotes[-1].end))
        selves.append(self_named(text, addressees.inside(ctx, qs), qs, asked, ctx.speakers))
        turns.append(Turn(p, qs, vocatives=addressees.vocatives(ctx, qs, selves[-1].mentions) + addressees.told(ctx, qs)))

    ctx.called = sorted((t.quotes[0].start, cid) for t in turns for cid in t.vocatives)
    told: dict[int, int] = {}  # quotation group -> its speaker so far
    for k, turn in enumerate(turns):
        p = scan.paragraphs[turn.paragraph]
        ctx.avoid = frozenset(turn.vocatives)
        last = turns[k - 1] if k else None
        ctx.addressed, ctx.answered = (last.vocatives, last.speaker) if last and last.paragraph + 1 == turn.paragraph else ((), None)
        ctx.turn_start = p.start
        ctx.described = []
        quotes = turn.quotes
        head = (p.start, quotes[0].start)
        own = _own_tags(ctx, quotes, p.end)
        leadins.drop_tails_after_a_stop(text, quotes, own, p.start)  # '..., calling, "... ever." The tumult'
        # The paragraph's speaker: the first tag after a quotation, else the first lead-in tag.
        own_first = own[0][1] or own[0][0]
        found = next((t for _, t in own if t), None) or next((t for t, _ in own if t), None)
        if found and found[0] is None and found[1] != NOBODY and found is not UNNAMED_TAG:
            # A tail naming no one yields to a lead-in naming someone ('Kennicott said, "..." She looked
            # polite, and observed the oiled floors'; dev PDNC all 16483 -> 16493, answered 80.97%).
            found = next((t for t, _ in own if t and t[0] is not None), found)
        speakers = {t[0] for pair in own for t in pair if t and t[0] is not None}
        turn.led = bool(found and found is own[0][0] and found[0] is not None and leadins.leads_in(text, *head))
        # A tag naming one of a crowd, or someone else the cast cannot name, beside one naming
        # someone: each quote its own tag's ('"Aye," said one. "Who?" said Ned.').
        nobody = any(t is UNNAMED_TAG or t and t[1] == NOBODY for pair in own for t in pair)
        if len(speakers) > 1 or speakers and nobody:
            turn.per_quote = per_quote(own)
            last = turn.per_quote[-1]
            if last and last[0] is not None:
                ctx.add_speaker(quotes[-1].start, last[0])
        before = scan.paragraphs[turn.paragraph - 1] if turn.paragraph else None
        lead_in = before is not None and turn.paragraph - 1 not in by_paragraph
        # 'Mr. Elton warmly added,' as a paragraph of its own, or ending one after its speech ('"...,"
        # said Lucy. Miss Bartlett rose, and said:'; dev PDNC all 16601 -> 16612), the speech in the next one.
        if not found and before is not None and head[1] - head[0] <= 2:
            lead = before.start if lead_in else by_paragraph[turn.paragraph - 1][-1].end
            if leadins.leads_into_next(text, lead, before.end, after_quote=not lead_in):
                found = _tag(ctx, lead, before.end, tail=False)
                turn.led = bool(found and found[0] is not None)
                turn.led_on = turn.led and not lead_in
        # A speech is not spoken by someone it names ('"Mr. Crane never listens."'): the narration's
        # guess passes over them to the next name, and a pronoun standing for one guesses nobody
        # (dev PDNC all 16293 -> 16310 right; a pronoun kept from them too, 16297).
        mine = selves[k]
        named = frozenset(addressees.named(ctx, quotes)) - {cid for s, _, cid in addressees.inside(ctx, quotes) if s in mine.mentions}
        if (not found or found[0] is None) and mine.speaker is not None:
            # A speech naming its speaker ('It's me, Huck!') outweighs the narration's guess and
            # a tag that only describes them ('"I'm Dickon," the boy said').
            found = (mine.speaker, EXPLICIT, SELF_NAMED)
        if not found:
            # No speech verb: who the narration in the paragraph is about.
            for s, e in narration(scan, turn.paragraph):
                if e < quotes[-1].start:
                    # Narration leading into a quotation: its last sentence is about the speaker
                    # ('Catherine coloured. Isabella laughed. "..."'; dev PDNC all 15602 -> 15608).
                    ends = [m.end() for m in cues.SENTENCE_END.finditer(text, s, e)]
                    # One opening with someone described ('The stationmaster came out.') is about
                    # them, whom the cast cannot name, not about the paragraph's first name.
                    if ends and (ctx.first_subject(ends[-1], e, named) or cues.DESCRIBED_START.match(text, ends[-1], e)):
                        s = ends[-1]
                found = ctx.first_subject(s, min(e, s + 200), named)
                if found:
                    # A name as the subject ('Emma looked up. "..."') outweighs turn counting
                    # (above WEAK_GUESS); a pronoun's guess does not.
                    found = (found[0], IMPLICIT, NAMED_ACTOR if found[1] == IMPLICIT else min(found[2], 0.7))
                    break
        if not found and lead_in:
            # 'Here Mr. Weston joined them ...' then the speech: the last sentence's subject.
            ends = [m.end() for m in cues.SENTENCE_END.finditer(text, before.start, before.end)]
            found = ctx.first_subject(ends[-1] if ends else before.start, before.end, named)
            if found and cues.REPORTED.search(text, ends[-1] if ends else before.start, before.end):
                # 'Emma asked what they had told her.' then the speech: the answer, someone else's
                # (dev PDNC all 16310 -> 16331 right, answered 79.79 -> 79.89%).
                found = ctx.other_named(before.end, found[0])
            if found:
                found = (found[0], IMPLICIT, min(found[2], 0.6))
        if found is UNNAMED_TAG and ctx.addressed:
            # '"Evie, my pet--" / The girl called, "..."': the one just called by name answers.
            sex = ctx.described[0][0] if ctx.described else "?"
            called = ctx.addressed[-1]
            if called not in named and sex in ("?", cast.characters[called].gender):
                found = (called, ANAPHORIC, 0.75)
        if found and found[1] == IMPLICIT and found[0] in named:
            found = None
        if found and found[1] == ANAPHORIC and found is own[0][1] and head[1] - head[0] <= 2:
            found = answer_in_kind(turns, k, ctx, found)
        # A tag in the third person ('says she', 'said the other'), naming no one in the cast or
        # someone later found to be the narrator by another name, says who does not speak: a
        # first-person narrator, who would be 'I'.
        turn.third_person = bool(found and (found[0] is None or found[1] in (ANAPHORIC, THIRD) and found[0] != ctx.narrator))
        if found and found[0] is not None:
            told[quotes[-1].group] = found[0]
            turn.speaker, turn.type, turn.confidence = found
            # (_own_tags has already recorded the first quotation's own speaker in a longer paragraph)
            if not turn.per_quote and (len(quotes) == 1 or found is not own_first):
                ctx.add_speaker(quotes[0].start, found[0])
        elif found and found[1] == NOBODY:
            turn.type, turn.nobody = THIRD, True
        elif not found and quotes[0].group in told:
            # A tale told in one quotation over paragraphs keeps its teller the latest to speak ('He was silent.')
            ctx.add_speaker(quotes[0].start, told[quotes[0].group])
        elif found and found[1] == THIRD:
            turn.type, (turn.described, turn.described_as) = THIRD, (ctx.described or [("?", None)])[0]
            if found is UNNAMED_TAG:
                turn.nobody, turn.described = True, UNNAMED
    ctx.avoid, ctx.addressed = frozenset(), ()
    if ctx.narrator is not None:
        name_the_narrator(turns, ctx, ctx.narrator)

    talks = speeches(turns)
    conversations([speech[0] for speech in talks], ctx)
    answer_the_narrator([speech[0] for speech in talks], ctx)
    for head, *rest in talks:
        if head.speaker is not None and head.speaker == ctx.narrator and any(t.third_person for t in (head, *rest)):
            head.speaker, head.confidence = None, 0.0
        for turn in rest:
            turn.speaker, turn.confidence, turn.type = head.speaker, head.confidence, head.type

    quotations = []
    for turn in turns:
        for i, q in enumerate(turn.quotes):
            speaker, conf, kind = turn.speaker, turn.confidence, turn.type
            if turn.per_quote and turn.per_quote[i]:
                speaker, kind, conf = turn.per_quote[i]
            quotations.append(Quotation(q.start, q.end, speaker, conf, kind, q.paragraph, q.group))
    # A role's tag right after a speech calling someone by name is that one's answer (addressees').
    voiced = roles.voice_roles(text, cast.characters, cast.mentions, quotations,
                               calls=lambda q: bool(addressees.vocatives(ctx, [q])))
    return _sure(*voiced, threshold)


def _sure(characters: list[Character], quotations: list[Quotation], threshold: float) -> Attribution:
    """Every pass's speakers through the one threshold: a quotation less sure is the narrator's."""
    kept = [replace(q, speaker=q.speaker if q.confidence >= threshold else None, confidence=round(q.confidence, 3))
            for q in quotations]
    for q in kept:
        if q.speaker is not None:
            characters[q.speaker].lines += 1
    return Attribution(characters, kept)
