"""Planning: the script turned into render units, every cache key worked out, no model loaded.

A unit is one take of one segment: what Bark reads, with which voice, options and seeds. Units
that take their voice prompt from another unit (chain mode, and the voice a random-voiced speaker
gets locked to) sit in a later wave than that unit. `conditioning(unit, step)` is the history
policy, the one source of both a unit's cache keys and (in schedule.py) its prompts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

import numpy as np

from barkflow import steps
from barkflow.engine.api import Bark
from barkflow.engine.layouts import STAGES
from barkflow.errors import BarkflowError, user_path
from barkflow.planning.build import make_voice_resolver
from barkflow.planning.config import HISTORY_POLICIES, BarkflowConfig, LineConfig, SamplingConfig, VoiceConfig
from barkflow.planning.memo import SplitMemo, TokenCounter, read_script
from barkflow.planning.outputs import resolve_tags
from barkflow.planning.overrides import apply_overrides, check_cast, check_line_overrides, line_overrides
from barkflow.planning.voices import ResolvedVoice
from barkflow.store.cache import Store
from barkflow.store.keys import Key, reusing_encodings
from barkflow.text.fates import WordFates, segment_fates
from barkflow.text.normalize import note_for, wfst
from barkflow.text.script import SUNG, BookTags, Script, ScriptLine
from barkflow.text.split import estimate_seconds, split_text
from barkflow.text.spoken import DEFAULT_LANGUAGE, Speller, cut_at_pauses, load_lexicon

log = logging.getLogger(__name__)

TOKEN_STEPS = (steps.semantic, steps.coarse, steps.fine, steps.decode)
STEPS_BY_NAME = {step.NAME: step for step in TOKEN_STEPS}
SPLIT_VERSION = 3  # bump when splitting changes for the same inputs (2: no part of a cut cue is bare space; 3: no segment of punctuation alone)
SEEDED_STAGES = STAGES  # each model stage draws from its own derived seed
SEGMENT_ID = re.compile(r"l\d{4,}-s\d{2,}")  # what segment_id() makes
# The plan's own keys (the steps' are in their modules). Seeds and segment ids come from a
# segment's content, never its position, so edits elsewhere keep them.
SEED_KEY = Key("seed", 0, ("base", "stage", "uid", "take"))
SPLIT_SEED_KEY = Key("split-seed", 0, ("seed", "text"))
SEGMENT_KEY = Key("segment", 0, ("speaker", "voice", "text", "occurrence"))
# What a split depends on; with a speller that can change the text, the token limit is checked
# on the spoken text, so the speller is in it too.
SPLIT_KEY = Key("split", SPLIT_VERSION, ("options", "text", "prefix", "suffix", "tokenizer", "seed"),
                optional={"speller": None})


def segment_id(source_line: int, part: int) -> str:
    """What users see: the script file's line number and the part within the line, from 1 ("l0012-s01").
    Not part of any cache key, so renumbering never re-renders."""
    return f"l{source_line:04d}-s{part + 1:02d}"


@dataclass
class Unit:
    """One take of one segment: what Bark reads, with which voice, options and seeds."""

    uid: str  # the segment's identity: speaker, voice, text and occurrence (stable across edits elsewhere)
    number: int  # the segment's position in the book
    line: ScriptLine
    part: int  # the segment's index within its line (0 for the first)
    text: str  # what Bark reads: the segment's spoken text plus prefixes and suffixes
    voice: ResolvedVoice
    history: str  # voice | chain | semantic-only
    take: int
    seeds: dict
    options: SamplingConfig  # the sampling group, with the voice's and the line's overrides over it
    prompt_from: Optional["Unit"] = None  # the unit whose tokens condition this one
    wave: int = 0
    keys: dict = field(default_factory=dict)
    seed_bases: dict = field(default_factory=dict)  # stage -> the base seed its takes' seeds derive from
    negative_voice: Optional[ResolvedVoice] = None  # the anti-speaker of options.semantic.negative_text
    semantic_tokens: Optional[np.ndarray] = None  # re-voicing: the semantic tokens, given, not generated
    semantic_source: Optional["Unit"] = None  # re-voicing: the unit (same take) whose semantic tokens this one uses
    shown: str = ""  # the book's words of the segment (with prefixes and suffixes): subtitles, review; "" = text
    pause_before: float = 0.0  # seconds of silence a pause cue puts before it (only at the book's start)
    pause_after: float = 0.0  # seconds of silence pause cues put after it, instead of the boundary's pause
    part_base: int = 0  # segments of earlier lines from the same source line (a paragraph split at its quotations)

    def __post_init__(self) -> None:
        self.shown = self.shown or self.text

    @property
    def segment_id(self) -> str:
        return segment_id(self.line.source_line, self.part_base + self.part)

    @property
    def chapter_number(self) -> int:
        """The chapter as users see it, counted from 1."""
        return self.line.chapter + 1


@dataclass
class Plan:
    script: Script
    units: list[Unit]  # every take of every segment, in book order
    takes: int
    tags: BookTags = field(default_factory=BookTags)  # what the outputs are tagged with (resolve_tags)
    words: WordFates = field(default_factory=WordFates)  # the book's words by fate (the word report)

    def segments(self) -> list[Unit]:
        """Take 0 of each segment, in book order."""
        return [u for u in self.units if u.take == 0]

    def retake(self, segment: Unit, take: int, engine: Bark) -> Unit:
        """Take `take` of `segment` (its take 0) beyond the planned ones, with its keys (the plan's
        own list of units is left as it is: the caller holds the retakes it runs).

        Seeds derive as for planned takes. The retake keeps take 0's conditioning: the same
        `prompt_from` unit (the previous segment of a chain, or the unit a random voice locks to),
        so it is a new take of this segment only and no later segment's keys change. The segment a
        random voice locks to is itself retaken locked to its take 0, so the retake keeps the voice
        every later segment of the speaker has.
        """
        unit = replace(segment, take=take, seeds=_take_seeds(segment.seed_bases, segment.uid, take), keys={})
        if segment.prompt_from is None and segment.voice.prompt is None:  # a random voice's anchor
            unit.prompt_from, unit.wave = segment, segment.wave + 1
        _assign_keys([unit], engine)
        return unit



# ----------------------------------------------------------------------------------------------
# planning


PACKAGE_SCHEME = "pkg://"  # pkg://PACKAGE/PATH: a file shipped inside an installed package (the demo's script)


def find_file(path: str, config_dirs: list[Path]) -> Path:
    """A user path: as given (relative to the working dir), else relative to a config dir; or
    pkg://PACKAGE/PATH, a file inside an importable package, from a checkout or installed alike."""
    if path.startswith(PACKAGE_SCHEME):
        return _package_file(path)
    candidate = user_path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    for folder in config_dirs:
        for base in (folder, folder.parent):
            if (base / candidate).exists():
                return base / candidate
    return candidate  # the loader reports it missing, with the path as given


def _package_file(path: str) -> Path:
    import importlib.util

    shown = repr(path)  # one line, whatever the config holds
    package, _, inside = path[len(PACKAGE_SCHEME):].partition("/")
    parts = [p for p in inside.split("/") if p not in ("", ".")]
    if not package or not parts:
        raise BarkflowError(f"{shown}: write a packaged file as pkg://PACKAGE/PATH, e.g. pkg://barkflow/demo/script.txt")
    if ".." in parts:
        raise BarkflowError(f"{shown}: the path leads outside the package {package!r}; name a file inside it")
    try:
        spec = importlib.util.find_spec(package)  # imports the parents of a dotted name, not the package
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise BarkflowError(f"{shown}: there is no package {package!r} to find it in; check the name or install the package")
    if not spec.submodule_search_locations:
        raise BarkflowError(f"{shown}: {package!r} is not a package (a folder of modules); name the package that holds the file")
    for folder in spec.submodule_search_locations:
        found = Path(folder).joinpath(*parts)
        try:
            if found.is_file():
                return found
        except (OSError, ValueError):  # a name too long, a NUL: no such file either
            pass
    raise BarkflowError(f"{shown}: {package} has no file {'/'.join(parts)!r}; check the path inside the package")


def derive_seed(base: int, stage: str, uid: str, take: int) -> int:
    """A segment's seed for one stage: independent of its position, so edits elsewhere keep it."""
    return int(SEED_KEY(base=base, stage=stage, uid=uid, take=take)[:8], 16)


def _take_seeds(seed_bases: dict, uid: str, take: int) -> dict:
    """The seeds of one take of a segment, per stage, from the stage's base seed."""
    return {stage: derive_seed(seed_bases[stage], stage, uid, take) for stage in SEEDED_STAGES}


MAX_REVOICE_DEPTH = 8  # voices re-voiced from voices re-voiced from ...: deeper is a cycle


def quoted_lines(script: Script) -> set[int]:
    """The source lines (paragraphs) split at their quotations (text/fullcast.py)."""
    return {line.source_line for line in script.lines if line.attributed}


def line_voice(line: ScriptLine, override, quoted: set[int]) -> Optional[str]:
    """The voice a line override (project.lines.N.voice, the studio's) gives this line: on a
    paragraph split at its quotations it recasts the quotations, and the narration stays the narrator's."""
    if not (override and override.voice) or (line.source_line in quoted and not line.attributed):
        return None
    return override.voice


def make_plan(
    cfg: BarkflowConfig, engine: Bark, store: Store, config_dirs: list[Path],
    _depth: int = 0, _lines: Optional[dict] = None,
) -> Plan:
    """Every take of every segment of the project's script, in book order, with its keys.
    (`_lines`: the line overrides to plan with instead of the project's; for re-voicing.)"""
    project = cfg.project
    engine.check_sources()  # a bad model config is one line now, not after the earlier stages have rendered
    script = read_script(
        store, find_file(project.script, config_dirs), project.format,
        narrator=project.narrator, fountain_action=project.fountain_action, book=project.book,
        encoding=project.encoding,
    )
    tags = resolve_tags(script.metadata, cfg.export, title=project.title, author=project.author,
                        read_by=project.read_by, cover=project.cover, find=lambda path: find_file(path, config_dirs))
    cast = {name.casefold(): ref for name, ref in project.cast.items()}
    if len(cast) < len(project.cast):
        raise BarkflowError(
            f"project.cast names a speaker twice, in different cases ({', '.join(map(repr, sorted(project.cast)))}); "
            "speakers match without regard to case, so keep one"
        )
    voice_for = make_voice_resolver(cfg, engine, store, config_dirs)
    if project.cast_from_book:  # the quotations in their speakers' voices, from the cast file
        from barkflow.planning.castfile import cast_from_book  # here: attribution is not every plan's start-up

        booknlp = find_file(project.booknlp, config_dirs) if project.booknlp else None
        script, book_voices = cast_from_book(cfg, script, engine.tokenizer_source, voice_for, booknlp)
        cast = {**{name.casefold(): ref for name, ref in book_voices.items()}, **cast}
    # project.lines and the lines file (the studio's voice and sampling changes)
    lines = line_overrides(cfg) if _lines is None else _lines
    check_line_overrides(lines, script, cfg)
    check_cast(cast, lines, script)
    planner = _Planner(cfg, engine, store, config_dirs, script, cast, lines, _depth, voice_for)
    for line in script.lines:
        planner.add_line(line)
    planner.memo.save()
    _assign_keys(planner.units, engine)
    planner.words.skipped.update(script.skipped)
    return Plan(script, planner.units, project.takes, tags, planner.words)


@dataclass
class _LinePlan:
    """What every segment of one script line shares."""

    line: ScriptLine
    where: str  # "script.txt:12", for messages
    voice: ResolvedVoice
    speller: Speller
    prefix: str
    suffix: str
    options: SamplingConfig
    history: str
    negative_voice: Optional[ResolvedVoice]
    base_seed: Optional[int]  # the line's own seed (project.lines.N.seed), else None
    semantic_tokens: Optional[np.ndarray]  # given by a voice (semantic_from), saying the whole line
    lent_by: dict  # (part, take) -> the unit whose semantic tokens this line's segment re-voices
    part_base: int = 0  # segments of the same source line before this line's (a paragraph split at its quotations)
    budget: Optional[int] = None  # the tokens the prefix and suffix take, counted once when first needed


class _Planner:
    """Plans the script line by line: each line split into segments (through the split memo), each
    segment's takes made into units with their seeds, conditioning and pauses."""

    def __init__(self, cfg: BarkflowConfig, engine: Bark, store: Store, config_dirs: list[Path], script: Script,
                 cast: dict, lines: dict, depth: int, voice_for):
        self.cfg, self.project, self.script, self.cast, self.lines = cfg, cfg.project, script, cast, lines
        self.voice_for = voice_for
        self.count_tokens = TokenCounter(engine)
        self.memo = SplitMemo(store)
        self.tokenizer_id = self.count_tokens.identity()
        self.speller_for = _SpellerFactory(cfg, config_dirs)
        self.revoiced = _revoiced_lines(cfg, engine, store, config_dirs, script, cast, lines, self.voice_for, depth)
        self.units: list[Unit] = []
        self.seen: dict[str, int] = {}  # a segment's identity -> how often it came so far (its uid's occurrence)
        self.anchors: dict[tuple[str, int], Unit] = {}  # (speaker, take) -> the unit a random voice locks to
        self.previous_segment: list[Unit] = []  # every take of the last segment planned, for a pause cue after it
        self.pending_pause = 0.0  # pause cues with no segment before them yet (the book's start)
        self.parts_used: dict[int, int] = {}  # source line -> its segments so far (distinct ids for its pieces)
        self.quoted = quoted_lines(script)
        self.words = WordFates()
        self.fates: dict[str, tuple] = {}  # the line's parts' words' fates, until their segments are planned

    def add_line(self, line: ScriptLine) -> None:
        project, override = self.project, self.lines.get(line.source_line)
        # check_cast has reported every speaker without a voice, so the cast has this one
        voice = self.voice_for(line_voice(line, override, self.quoted) or self.cast[line.speaker.casefold()])
        prefix = " ".join(p for p in (project.prefix, voice.config.prefix, override.prefix if override else "") if p)
        suffix = " ".join(s for s in (override.suffix if override else "", voice.config.suffix, project.suffix) if s)
        words = line.text
        sung = _sung_words(line.text)
        if sung is not None:  # every segment of a sung line is sung, not only its first and last
            words, prefix, suffix = sung, f"{prefix} {SUNG}".strip(), f"{SUNG} {suffix}".strip()
        where = f"{self.script.source}:{line.source_line}"
        plan = _LinePlan(
            line, where, voice, self.speller_for(voice), prefix, suffix,
            options=_stage_options(self.cfg, voice.config, override, where),
            history=voice.config.history or project.history, negative_voice=None,
            base_seed=override.seed if override and override.seed is not None else None,
            semantic_tokens=None, lent_by=self.revoiced.get(line.source_line, {}),
        )
        if plan.history not in HISTORY_POLICIES:  # the project's is checked with the config; a voice's only here
            raise BarkflowError(
                f"{where}: voice {voice.name!r} has history {plan.history!r}; use one of {', '.join(HISTORY_POLICIES)}"
            )
        if plan.options.semantic.negative_text is not None:  # the anti-speaker, resolved like a cast entry
            try:
                plan.negative_voice = self.voice_for(plan.options.semantic.negative_voice)
            except BarkflowError as e:
                raise BarkflowError(f"{where}: sampling.semantic.negative_voice: {e}") from None
        parts = self._split(words, plan)
        if override and override.semantic_from:
            plan.lent_by = _segments_of_line(self.units, override.semantic_from, where)
            if not plan.lent_by:  # the given tokens say the whole line: one segment (pauses inside it are not kept)
                plan.semantic_tokens = _semantic_from(self.voice_for, override.semantic_from, where)
                parts = [(" ".join(words for words, _ in parts), parts[-1][1])]
        if plan.lent_by:  # re-voicing another line, or this line in another voice: its segments, words and takes
            parts = [(plan.lent_by[(part, 0)].shown, plan.lent_by[(part, 0)].pause_after)
                     for part in range(len(plan.lent_by) // project.takes)]
        previous: dict[int, Unit] = {}  # take -> that take's unit of the line's previous segment (chain)
        plan.part_base = self.parts_used.get(line.source_line, 0)
        self.parts_used[line.source_line] = plan.part_base + len(parts)
        for part, (book_words, pause_after) in enumerate(parts):
            previous = self._add_segment(plan, part, book_words, pause_after, previous)

    def _split(self, words: str, plan: _LinePlan) -> list[tuple[str, float]]:
        """The line cut at its pause cues, each piece split into segments (the book's words, so ids
        and boundaries come from the book): [(a segment's words, the pause after it)]."""
        line_pieces = cut_at_pauses(words, self.project.pause_s, plan.where)
        if line_pieces.pause_before:
            if self.previous_segment:
                for unit in self.previous_segment:
                    unit.pause_after += line_pieces.pause_before
            else:
                self.pending_pause += line_pieces.pause_before
        split_seed = int(SPLIT_SEED_KEY(seed=self.cfg.seed, text=plan.line.text)[:8], 16)
        speller = plan.speller
        self.fates.clear()  # this line's parts' only: another line may spell the same words otherwise
        parts: list[tuple[str, float]] = []
        for piece, pause_after in line_pieces.pieces:
            split_key = SPLIT_KEY(options=self.cfg.split, text=piece, prefix=plan.prefix, suffix=plan.suffix,
                                  tokenizer=self.tokenizer_id, seed=split_seed,
                                  speller=speller.identity() if speller.active else None)
            piece_parts = self.memo.get(split_key, piece, plan.where, fits=lambda part: self._fits(part, plan),
                                        learn=lambda part, spelled: self._learn(speller, part, spelled))
            if piece_parts is None or (speller.active and not self.memo.has_spellings(split_key)):
                if piece_parts is None:
                    budget = self._budget(plan)
                    piece_parts = split_text(
                        piece, self.cfg.split, count_tokens=lambda s, b=budget: self.count_tokens(speller(s)) + b,
                        seed=split_seed, where=plan.where,
                    )
                spellings = [self._spell(speller, part) for part in piece_parts] if speller.active else None
                self.memo.put(split_key, piece, piece_parts, spellings)
            parts += [(part, pause_after if i == len(piece_parts) - 1 else 0.0) for i, part in enumerate(piece_parts)]
        return parts

    def _spell(self, speller: Speller, part: str) -> tuple:
        """`part`'s spelling and its words' fates, for the memo and, kept, for its segment."""
        respelled, spoken = speller.respelled(part), speller(part)
        self.fates[part] = segment_fates(part, respelled, spoken)
        return (respelled, spoken, *self.fates[part])

    def _learn(self, speller: Speller, part: str, spelled: tuple) -> None:
        """A memo entry's spelling of `part`, and its words' fates."""
        speller.learn(part, spelled[:2])
        self.fates[part] = spelled[2:]

    def _budget(self, plan: _LinePlan) -> int:
        """The tokens the prefix and suffix take from every segment of the line."""
        if plan.budget is None:
            plan.budget = self.count_tokens(f"{plan.prefix} {plan.suffix}") if plan.prefix or plan.suffix else 0
        return plan.budget

    def _fits(self, part: str, plan: _LinePlan) -> bool:
        """Whether a memo's segment is within the limits (the memo file is not trusted). The
        tokenizer is asked only when the characters could exceed them: every token covers at least
        one character, so a plan with a full memo of ordinary segments loads no tokenizer."""
        limits = self.cfg.split
        if len(part) > limits.max_chars:
            return False
        spoken = plan.speller(part)
        if len(spoken) + len(plan.prefix) + len(plan.suffix) + 2 <= limits.max_tokens:
            return True
        return self.count_tokens(spoken) + self._budget(plan) <= limits.max_tokens

    def _add_segment(self, plan: _LinePlan, part: int, book_words: str, pause_after: float,
                     previous: dict[int, Unit]) -> dict[int, Unit]:
        """Every take of one segment, conditioned by its history policy; returns them by take."""
        project, line = self.project, plan.line
        spoken = plan.speller(book_words)
        fates = self.fates.pop(book_words, None) or segment_fates(book_words, plan.speller.respelled(book_words), spoken)
        self.words.add(*fates)
        text = " ".join(x for x in (plan.prefix, spoken, plan.suffix) if x)
        shown = " ".join(x for x in (plan.prefix, book_words, plan.suffix) if x)
        if plan.lent_by:  # the source's texts, with its prefixes and spelling, as they are
            text, shown = plan.lent_by[(part, 0)].text, book_words
        identity = (line.speaker, plan.voice.key, text)  # the prompt's content: moving its file keeps the uid
        occurrence = self.seen.get(repr(identity), 0)
        self.seen[repr(identity)] = occurrence + 1
        uid = SEGMENT_KEY(speaker=line.speaker, voice=plan.voice.key, text=text, occurrence=occurrence)[:16]
        seed_bases = {stage: plan.base_seed if plan.base_seed is not None else _stage_seed(self.cfg, stage)
                      for stage in SEEDED_STAGES}
        takes: dict[int, Unit] = {}
        for take in range(project.takes):
            unit = Unit(
                uid, len(self.units) // project.takes, line, part, text, plan.voice, plan.history, take,
                _take_seeds(seed_bases, uid, take), plan.options, seed_bases=seed_bases, shown=shown,
                pause_before=self.pending_pause, pause_after=pause_after, negative_voice=plan.negative_voice,
                semantic_tokens=plan.semantic_tokens, semantic_source=plan.lent_by.get((part, take)),
                part_base=plan.part_base,
            )
            chained = plan.history == "chain" and part > 0
            if chained and project.chain_reset_every and part % project.chain_reset_every == 0:
                chained = False
            if chained:
                unit.prompt_from = previous[take]
            elif plan.voice.prompt is None:  # a random voice: every segment after the first locks to it
                anchor = self.anchors.setdefault((line.speaker, take), unit)
                unit.prompt_from = None if anchor is unit else anchor
            unit.wave = unit.prompt_from.wave + 1 if unit.prompt_from else 0
            if unit.semantic_source:  # it renders its source's semantic tokens, in the same wave
                unit.wave = max(unit.wave, unit.semantic_source.wave)
            takes[take] = unit
            self.units.append(unit)
        self.previous_segment = list(takes.values())
        self.pending_pause = 0.0
        return takes


class _SpellerFactory:
    """Each voice's speller: its language (the voice's, else its preset's, else English), the
    project's normalize switch, and its lexicon over the project's; lexicon files are read once.
    What normalisation cannot do in a language (no back end; English without NeMo's grammars) is
    said once per render, with the first voice in that language."""

    def __init__(self, cfg: BarkflowConfig, config_dirs: list[Path]):
        self.normalize = cfg.project.normalize
        if self.normalize:
            wfst.use_cache_dir(cfg.paths.cache_dir)  # the English grammars are built there, once
        self.find = lambda path: find_file(path, config_dirs)
        self.project_lexicon = load_lexicon(cfg.project.lexicon, "project.lexicon", self.find)
        self.spellers: dict[str, Speller] = {}

    def __call__(self, voice: ResolvedVoice) -> Speller:
        if voice.name not in self.spellers:
            lexicon = self.project_lexicon
            if voice.config.lexicon is not None:
                lexicon = load_lexicon(voice.config.lexicon, f"voice {voice.name} lexicon", self.find).merged(lexicon)
            language = voice.language or DEFAULT_LANGUAGE
            if self.normalize and all(s.language != language for s in self.spellers.values()):
                note = note_for(language)
                if note:
                    log.warning(note)
            self.spellers[voice.name] = Speller(language, self.normalize, lexicon)
        return self.spellers[voice.name]


def _revoiced_lines(cfg, engine, store, config_dirs, script, cast, lines, voice_for, depth: int) -> dict[int, dict]:
    """For the lines of voices with `revoice_from` (and no line `semantic_from` of their own): the
    units that line gets when voiced by that voice, by (part, take), planned as the whole book
    with those lines recast. Their semantic tokens are the ones the re-voiced lines render from,
    under the same keys: a book rendered in one voice re-voices into another with no semantic work."""
    recast, quoted = {}, quoted_lines(script)
    for line in script.lines:
        override = lines.get(line.source_line)
        voice = voice_for(line_voice(line, override, quoted) or cast[line.speaker.casefold()])
        if voice.config.revoice_from and not (override and override.semantic_from):
            recast[line.source_line] = (override, voice.config.revoice_from)
    if not recast:
        return {}
    if depth >= MAX_REVOICE_DEPTH:
        raise BarkflowError(f"voices' revoice_from go round in a cycle (through {recast[min(recast)][1]!r}); "
                            "point one of them at a voice that is not re-voiced")
    recast_lines = dict(lines)
    for number, (override, source) in recast.items():
        recast_lines[number] = replace(override or LineConfig(), voice=source)
    source = make_plan(cfg, engine, store, config_dirs, depth + 1, recast_lines)
    lent: dict[int, dict] = {}
    for unit in source.units:
        if unit.line.source_line in recast:
            lent.setdefault(unit.line.source_line, {})[unit.part, unit.take] = unit.semantic_source or unit
    return lent


_LINE_REFERENCE = re.compile(r"line:([0-9]+)")


def _segments_of_line(units: list[Unit], ref: str, where: str) -> dict:
    """For `semantic_from: line:N`, the units of script line N by (part, take); {} for a voice."""
    match = _LINE_REFERENCE.fullmatch(ref.strip())
    if match is None:
        return {}
    # A line that is itself re-voiced lends its own source: every source is a unit that makes its tokens.
    lent = {(u.part_base + u.part, u.take): u.semantic_source or u for u in units
            if u.line.source_line == int(match.group(1))}
    if not lent:
        raise BarkflowError(f"{where}: semantic_from {ref!r} names no earlier line of the script; name a line above this one")
    return lent


def semantic_maker(unit: Unit, step: str) -> Unit:
    """The unit whose render makes `unit`'s result at `step`: a re-voiced unit's semantic tokens
    are its source's, made exactly as the source makes them (same key, one entry)."""
    return unit.semantic_source if step == "semantic" and unit.semantic_source is not None else unit


def _semantic_from(voice_for, ref: str, where: str) -> np.ndarray:
    """A line's re-voicing source: the semantic prompt of the voice `ref` names."""
    try:
        source = voice_for(ref)
    except BarkflowError as e:
        raise BarkflowError(f"{where}: semantic_from: {e}") from None
    if source.prompt is None or not len(source.prompt.semantic):
        raise BarkflowError(f"{where}: semantic_from {ref!r} has no semantic tokens; name a voice .npz, preset or library entry")
    return source.prompt.semantic.astype(np.int64)


def _sung_words(text: str) -> Optional[str]:
    """The words of a line sung whole ("♪ words ♪", as the script marks lyrics and "(singing)"), else None."""
    if text.startswith(SUNG) and text.endswith(SUNG) and len(text) > 2 * len(SUNG):
        inner = text[len(SUNG) : -len(SUNG)].strip()
        if inner and SUNG not in inner:
            return inner
    return None


def _stage_seed(cfg: BarkflowConfig, stage: str) -> int:
    explicit = getattr(cfg.seeds, stage)
    return cfg.seed if explicit is None else explicit


def _stage_options(cfg: BarkflowConfig, voice: VoiceConfig, override, where: str) -> SamplingConfig:
    """The sampling group, then the voice's overrides, then the line's."""
    resolved = {}
    for stage in STAGES:
        options = getattr(cfg.sampling, stage)
        for layer, label in ((voice.sampling, "voice"), (override.sampling if override else {}, "line")):
            unknown = set(layer) - set(STAGES)
            if unknown:
                raise BarkflowError(f"{where}: {label} sampling has unknown stage(s) {', '.join(sorted(unknown))}")
            if stage in layer:
                options = apply_overrides(options, dict(layer[stage]), f"{where} ({label} sampling.{stage})")
        resolved[stage] = options
    return SamplingConfig(**resolved)


# ----------------------------------------------------------------------------------------------
# the history policy: what conditions a unit at each step

# The prompt unit's steps whose tokens make the prompt at each step, the steps whose keys name them
# in this unit's key (a fine key already covers the semantic tokens it was made from), and the tag
# that starts that key part. Coarse's is "from-v2": before it, a coarse prompt taken from another
# unit failed its own dtype check and silently fell back to the voice, so entries under the old
# keys hold voice-conditioned tokens and must not be reused.
_PROMPT_TOKENS = {
    "semantic": (("semantic",), ("semantic",), "from"),
    "coarse": (("semantic", "coarse"), ("semantic", "coarse"), "from-v2"),
    "fine": (("semantic", "fine"), ("fine",), "from"),
}


@dataclass(frozen=True)
class Conditioning:
    """What conditions a unit at one step: nothing, its voice, or another unit's tokens.

    With `source`, the prompt is built from `tokens` (the source unit's steps), falling back to
    the unit's voice when those tokens are empty or too short to align.
    """

    kind: str  # "none" | "voice" | "tokens"
    voice_key: str = ""
    source: Optional["Unit"] = None
    tokens: tuple = ()
    keyed_by: tuple = ()
    tag: str = "from"

    def key_part(self) -> str:
        """The part of the unit's cache key that says what conditions it at this step."""
        if self.kind == "none":
            return "none"
        if self.kind == "voice":
            return self.voice_key
        return f"{self.tag}:" + ",".join(self.source.keys[s] for s in self.keyed_by) + "|fallback:" + self.voice_key


def conditioning(unit: Unit, step: str) -> Conditioning:
    """The history policy: the one source of a unit's prompt keys (here) and prompts (schedule.py)."""
    unit = semantic_maker(unit, step)
    if step not in _PROMPT_TOKENS or (unit.history == "semantic-only" and step in ("coarse", "fine")):
        return Conditioning("none")  # decode's and verify's keys do not read it
    if unit.prompt_from is None:
        return Conditioning("voice", unit.voice.key)
    tokens, keyed_by, tag = _PROMPT_TOKENS[step]
    return Conditioning("tokens", unit.voice.key, unit.prompt_from, tokens, keyed_by, tag)


def _assign_keys(units: list[Unit], engine: Bark) -> None:
    with reusing_encodings():  # a line's options objects are shared by its units: each encoded once
        for unit in sorted(units, key=lambda u: u.wave):  # a unit's keys need its prompt unit's keys
            for step in TOKEN_STEPS:
                unit.keys[step.NAME] = step.cache_key(unit, conditioning(unit, step.NAME).key_part(), engine)


def chapter_table(the_plan: Plan) -> list[dict]:
    """One row per chapter for plan mode: its number (from 1), title, segments and estimated seconds."""
    rows: dict[int, dict] = {}
    for unit in the_plan.segments():
        title = the_plan.script.chapter_titles[unit.line.chapter]
        row = rows.setdefault(unit.chapter_number, {"chapter": unit.chapter_number, "title": title, "segments": 0,
                                                    "seconds": 0.0})
        row["segments"] += 1
        row["seconds"] += estimate_seconds(unit.text)
    return list(rows.values())


def plan_table(the_plan: Plan, store: Store) -> list[dict]:
    """One row per segment for plan mode: what would be rendered, and what is cached already."""
    rows, segments = [], the_plan.segments()
    cached = {s.NAME: store.existing(s.NAME, [u.keys[s.NAME] for u in segments]) for s in TOKEN_STEPS}
    for unit in segments:
        rows.append(
            {
                "id": unit.segment_id, "chapter": unit.chapter_number, "speaker": unit.line.speaker,
                "voice": unit.voice.name, "chars": len(unit.text), "seconds": estimate_seconds(unit.text),
                "cached": [s.NAME for s in TOKEN_STEPS if unit.keys[s.NAME] in cached[s.NAME]], "text": unit.shown,
                "spoken": unit.text if unit.text != unit.shown else "",  # what Bark reads, where it differs
                "pause_after": unit.pause_after,
                # stage directions Bark has no cue for, once per line (on its first segment)
                "dropped": list(unit.line.dropped_directions) if unit.part == 0 else [],
            }
        )
    return rows


