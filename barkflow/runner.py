"""Plan and render a project: split → semantic → coarse → fine → decode → stitch → export.

`plan` turns the script into render units (one per segment and take) with every cache key worked
out up front, without loading a model. `render` then runs each token step over the units whose
key is missing from the store, batched and sorted by length, and stitches the picked takes.

Units that take their voice prompt from another unit (chain mode, and the voice a random-voiced
speaker gets locked to) run in waves: a unit waits for the unit it is conditioned on, and every
unit of one wave runs as one batch.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from barkflow import review, steps
from barkflow.cache import Store, content_key
from barkflow.config import HISTORY_POLICIES, BarkflowConfig, VoiceConfig, apply_overrides, parse_shard
from barkflow.config import check_cast, check_line_overrides
from barkflow.engine.api import Bark
from barkflow.engine.constants import SAMPLE_RATE
from barkflow.engine.prompts import VoicePrompt, save_npz
from barkflow.engine.sampling import CoarseOptions, FineOptions, SemanticOptions
from barkflow.errors import BarkflowError
from barkflow.files import atomic_output_path, remove_stale_partials
from barkflow.script import Script, ScriptLine, load_script
from barkflow.steps.export import export
from barkflow.steps.split import estimate_seconds, split_text
from barkflow.steps.stitch import StitchPiece, stitch
from barkflow.steps import clone as clone_step
from barkflow.voices import ResolvedVoice, default_library_dirs, resolve_voice

log = logging.getLogger(__name__)

TOKEN_STEPS = (steps.semantic, steps.coarse, steps.fine, steps.decode)
SPLIT_VERSION = 1  # bump when splitting changes for the same inputs
STEPS_BY_NAME = {step.NAME: step for step in TOKEN_STEPS}
PICKS_FILE = "picks.json"

# Test hooks, read from the environment (tests/test_crash_safety.py, tests/test_concurrency.py, bench/scale.py):
#   BARKFLOW_RENDER_LOG=FILE    append "<step> <key> <pid>" to FILE for every artifact this process computes
#   BARKFLOW_TEST_PAUSE=PHASE   at PHASE print "barkflow-phase PHASE" to stderr, then sleep
#                               BARKFLOW_TEST_PAUSE_S seconds (default 3600) so a test can kill the process
#                               there. semantic/coarse/fine/decode: after that step's first batch is stored;
#                               stitch: before stitching; export: after the book files are written, before
#                               the segment voices and the manifest.
RENDER_LOG_ENV = "BARKFLOW_RENDER_LOG"
PAUSE_ENV = "BARKFLOW_TEST_PAUSE"
PAUSE_SECONDS_ENV = "BARKFLOW_TEST_PAUSE_S"


@dataclass
class StageOptions:
    semantic: SemanticOptions
    coarse: CoarseOptions
    fine: FineOptions


@dataclass
class Unit:
    """One take of one segment: what Bark reads, with which voice, options and seeds."""

    uid: str  # the segment's identity: speaker, voice, text and occurrence (stable across edits elsewhere)
    number: int  # the segment's position in the book
    line: ScriptLine
    part: int  # the segment's index within its line (0 for the first)
    text: str  # what Bark reads: split text plus prefixes and suffixes
    voice: ResolvedVoice
    history: str  # voice | chain | semantic-only
    take: int
    seeds: dict
    options: StageOptions
    prompt_from: Optional["Unit"] = None  # the unit whose tokens condition this one
    wave: int = 0
    keys: dict = field(default_factory=dict)

    @property
    def segment_id(self) -> str:
        """What users see: the script file's line number and the part within the line, from 1 ("l0012-s01").
        Not part of any cache key, so renumbering never re-renders."""
        return f"l{self.line.source_line:04d}-s{self.part + 1:02d}"

    @property
    def chapter_number(self) -> int:
        """The chapter as users see it, counted from 1."""
        return self.line.chapter + 1


@dataclass
class Plan:
    script: Script
    units: list[Unit]  # every take of every segment, in book order
    takes: int

    def segments(self) -> list[Unit]:
        """Take 0 of each segment, in book order."""
        return [u for u in self.units if u.take == 0]


@dataclass
class Summary:
    segments: int
    rendered: dict  # step -> entries this process computed (a corrupt entry recomputed included)
    reused: dict  # step -> entries found in the cache and used as they were
    audio_seconds: float  # the book's; a shard's: the audio it decoded into the cache
    wall_seconds: float
    outputs: list
    loaded: list  # models loaded, in order
    waited: dict = field(default_factory=dict)  # step -> entries another process rendered while this one waited
    stitched: bool = True  # False for a shard: it renders into the cache only

    @property
    def real_time_factor(self) -> float:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else 0.0


# ----------------------------------------------------------------------------------------------
# planning


def make_engine(cfg: BarkflowConfig) -> Bark:
    m, d = cfg.model, cfg.device
    if d.threads:
        import torch

        torch.set_num_threads(d.threads)
    return Bark(
        m.semantic.source, m.coarse.source, m.fine.source, codec=m.codec, tokenizer=m.tokenizer,
        device={"default": d.device, "semantic": m.semantic.device, "coarse": m.coarse.device, "fine": m.fine.device},
        dtype={"semantic": m.semantic.dtype, "coarse": m.coarse.dtype, "fine": m.fine.dtype},
        offload=d.offload, batch_size=d.batch_size,
    )


def find_file(path: str, config_dirs: list[Path]) -> Path:
    """A user path: as given (relative to the working dir), else relative to a config dir."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    for folder in config_dirs:
        for base in (folder, folder.parent):
            if (base / candidate).exists():
                return base / candidate
    return candidate  # the loader reports it missing, with the path as given


def derive_seed(base: int, stage: str, uid: str, take: int) -> int:
    """A segment's seed for one stage: independent of its position, so edits elsewhere keep it."""
    return int(content_key("seed", base, stage, uid, take)[:8], 16)


def plan(cfg: BarkflowConfig, engine: Bark, store: Store, config_dirs: list[Path]) -> Plan:
    project = cfg.project
    script = load_script(
        find_file(project.script, config_dirs), project.format,
        narrator=project.narrator, fountain_action=project.fountain_action,
    )
    cast = {name.casefold(): ref for name, ref in project.cast.items()}
    if len(cast) < len(project.cast):
        raise BarkflowError(
            f"project.cast names a speaker twice, in different cases ({', '.join(map(repr, sorted(project.cast)))}); "
            "speakers match without regard to case, so keep one"
        )
    check_line_overrides(project.lines, script)
    check_cast(cast, project.lines, script)
    library_dirs = default_library_dirs(cfg.paths.voices_dir, config_dirs)
    voices: dict[str, ResolvedVoice] = {}

    def clone_runner(clone, base_dir=None):
        return clone_step.run(
            clone, store, codec=lambda: engine.codec, codec_id=engine.identity("codec"), base_dir=base_dir
        )

    def voice_for(ref: str) -> ResolvedVoice:
        if ref not in voices:
            voices[ref] = resolve_voice(
                ref, inline=project.voices, library_dirs=library_dirs, preset_source=engine.tokenizer_source,
                store=store, clone_runner=clone_runner,
            )
        return voices[ref]

    count_tokens = _TokenCounter(engine)
    memo = SplitMemo(store)
    tokenizer_id = count_tokens.identity()
    units: list[Unit] = []
    seen: dict[str, int] = {}
    anchors: dict[tuple[str, int], Unit] = {}  # (speaker, take) -> the unit a random voice locks to
    for line in script.lines:
        override = project.lines.get(line.source_line)
        ref = (override.voice if override and override.voice else None) or _cast_voice(cast, line, script)
        voice = voice_for(ref)
        prefix = " ".join(p for p in (project.prefix, voice.config.prefix, override.prefix if override else "") if p)
        suffix = " ".join(s for s in (override.suffix if override else "", voice.config.suffix, project.suffix) if s)
        where = f"{script.source}:{line.source_line}"
        split_seed = int(content_key("split-seed", cfg.seed, line.text)[:8], 16)  # not the position: edits elsewhere keep it
        split_key = content_key("split", SPLIT_VERSION, cfg.split, line.text, prefix, suffix, tokenizer_id, split_seed)
        parts = memo.get(split_key, line.text, where)
        if parts is None:
            budget = count_tokens(f"{prefix} {suffix}") if prefix or suffix else 0
            parts = split_text(
                line.text, cfg.split, count_tokens=lambda s, b=budget: count_tokens(s) + b, seed=split_seed, where=where
            )
            memo.put(split_key, line.text, parts)
        options = _stage_options(cfg, voice.config, override, where)
        history = voice.config.history or project.history
        if history not in HISTORY_POLICIES:  # the project's is checked with the config; a voice's only here
            raise BarkflowError(
                f"{where}: voice {voice.name!r} has history {history!r}; use one of {', '.join(HISTORY_POLICIES)}"
            )
        base_seed = override.seed if override and override.seed is not None else None
        previous: dict[int, Unit] = {}
        for part, text in enumerate(parts):
            text = " ".join(x for x in (prefix, text, suffix) if x)
            identity = (line.speaker, voice.key, text)  # the prompt's content: moving its file keeps the uid
            occurrence = seen.get(repr(identity), 0)
            seen[repr(identity)] = occurrence + 1
            uid = content_key("segment", *identity, occurrence)[:16]
            for take in range(project.takes):
                seeds = {
                    stage: derive_seed(
                        base_seed if base_seed is not None else _stage_seed(cfg, stage), stage, uid, take
                    )
                    for stage in ("semantic", "coarse", "fine")
                }
                unit = Unit(uid, len(units) // project.takes, line, part, text, voice, history, take, seeds, options)
                chained = history == "chain" and part > 0
                if chained and project.chain_reset_every and part % project.chain_reset_every == 0:
                    chained = False
                if chained:
                    unit.prompt_from = previous[take]
                elif voice.prompt is None:  # a random voice: every segment after the first locks to it
                    anchor = anchors.setdefault((line.speaker, take), unit)
                    unit.prompt_from = None if anchor is unit else anchor
                unit.wave = unit.prompt_from.wave + 1 if unit.prompt_from else 0
                previous[take] = unit
                units.append(unit)
    memo.save()
    _assign_keys(units, engine)
    return Plan(script, units, project.takes)


def _cast_voice(cast: dict, line: ScriptLine, script: Script) -> str:
    ref = cast.get(line.speaker.casefold())
    if ref is None:
        known = ", ".join(map(repr, sorted(cast))) or "none"
        raise BarkflowError(
            f"{script.source}:{line.source_line}: speaker {line.speaker!r} is not in project.cast (cast: {known}); "
            f"add it, e.g. project.cast.{line.speaker}=v2/en_speaker_6, or 'random' for a locked random voice"
        )
    return ref


def _stage_seed(cfg: BarkflowConfig, stage: str) -> int:
    explicit = getattr(cfg.seeds, stage)
    return cfg.seed if explicit is None else explicit


def _stage_options(cfg: BarkflowConfig, voice: VoiceConfig, override, where: str) -> StageOptions:
    """The sampling group, then the voice's overrides, then the line's."""
    resolved = {}
    for stage in ("semantic", "coarse", "fine"):
        options = getattr(cfg.sampling, stage)
        for layer, label in ((voice.sampling, "voice"), (override.sampling if override else {}, "line")):
            unknown = set(layer) - {"semantic", "coarse", "fine"}
            if unknown:
                raise BarkflowError(f"{where}: {label} sampling has unknown stage(s) {', '.join(sorted(unknown))}")
            if stage in layer:
                options = apply_overrides(options, dict(layer[stage]), f"{where} ({label} sampling.{stage})")
        resolved[stage] = options
    return StageOptions(**resolved)


class _TokenCounter:
    """The model's tokenizer count, loaded on first use; character limits only if it cannot be had."""

    def __init__(self, engine: Bark):
        self.engine = engine
        self.count: Optional[Callable[[str], int]] = None
        self.unavailable = False

    def identity(self) -> str:
        try:
            return self.engine.identity("tokenizer")
        except BarkflowError:
            return "characters only"

    def __call__(self, text: str) -> int:
        if self.count is None and not self.unavailable:
            try:
                self.count = self.engine.tokenizer.count
            except BarkflowError as e:
                log.warning("splitting by characters only: %s", e)
                self.unavailable = True
        return self.count(text) if self.count else 0


class SplitMemo:
    """Split results of earlier runs, one JSON file in the cache: a rerun skips pysbd and the tokenizer.

    Entries are keyed by everything the split depends on; concurrent writers merge, and a lost
    entry only costs a re-split. The file is not trusted: an entry is used only if its check (a
    content key over its key and parts) matches and its parts are non-empty strings that say
    exactly the line's words, so Bark never speaks what an edited or damaged memo says.
    """

    def __init__(self, store: Store):
        self.path = store.root / "split-memo.json"
        self.entries = _read_json(self.path) or {}
        self.new: dict[str, dict] = {}

    def get(self, key: str, text: str, where: str) -> Optional[list[str]]:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if isinstance(entry, dict) and self._holds(key, entry, text):
            return entry["parts"]
        if isinstance(entry, list):  # the format before entries carried a check: quietly replaced
            log.debug("%s: split memo entry in the old format; splitting again", where)
        else:
            log.warning("%s: the split memo's entry is damaged or does not match the line; splitting it again", where)
        return None

    def put(self, key: str, text: str, parts: list[str]) -> None:
        entry = {"parts": parts, "check": self._check(key, parts)}
        if self._holds(key, entry, text):  # a split that cuts inside a word (an over-long one) is not memoized
            self.entries[key] = self.new[key] = entry

    @staticmethod
    def _check(key: str, parts) -> str:
        return content_key("split-memo", key, parts)

    @classmethod
    def _holds(cls, key: str, entry: dict, text: str) -> bool:
        parts = entry.get("parts")
        return (
            isinstance(parts, list)
            and all(isinstance(part, str) and part.strip() for part in parts)
            and " ".join(parts).split() == text.split()
            and entry.get("check") == cls._check(key, parts)
        )

    def save(self) -> None:
        if self.new:
            try:
                _write_json_atomic(self.path, {**(_read_json(self.path) or {}), **self.new})
            except BarkflowError as e:  # the memo only saves time: never fail a render over it
                log.warning("split memo not saved: %s", e)


def _prompt_keys(unit: Unit, step: str) -> str:
    """The part of a cache key that says what conditions this unit at this step."""
    if step == "decode":
        return ""
    if unit.history == "semantic-only" and step in ("coarse", "fine"):
        return "none"
    if unit.prompt_from is not None:
        source = unit.prompt_from.keys
        needs = {"semantic": ("semantic",), "coarse": ("semantic", "coarse"), "fine": ("fine",)}[step]
        return "from:" + ",".join(source[s] for s in needs) + "|fallback:" + unit.voice.key
    return unit.voice.key


def _assign_keys(units: list[Unit], engine: Bark) -> None:
    for unit in sorted(units, key=lambda u: u.wave):  # a unit's keys need its prompt unit's keys
        for step in TOKEN_STEPS:
            unit.keys[step.NAME] = step.cache_key(unit, _prompt_keys(unit, step.NAME), engine)


# ----------------------------------------------------------------------------------------------
# rendering


@dataclass
class _StepTally:
    """What happened to one step's entries in this render, by key."""

    found: set = field(default_factory=set)  # in the cache when the step looked
    computed: set = field(default_factory=set)  # computed by this process (repairs included)
    waited: set = field(default_factory=set)  # rendered by another process while this one waited
    decoded_samples: int = 0  # audio this process decoded


# The running render's tally, step name -> _StepTally. Counted where the work happens (a repair
# deep inside another step's batch included), so the summary says what really happened.
_tally: contextvars.ContextVar[Optional[dict]] = contextvars.ContextVar("barkflow_render_tally", default=None)


def _step_tally(step: str) -> _StepTally:
    tallies = _tally.get()
    return _StepTally() if tallies is None else tallies.setdefault(step, _StepTally())


def render(
    cfg: BarkflowConfig,
    config_dirs: list[Path] = (),
    *,
    engine: Optional[Bark] = None,
    progress_factory: Optional[Callable] = None,
) -> Summary:
    tallies: dict[str, _StepTally] = {}
    token = _tally.set(tallies)
    try:
        return _render(cfg, config_dirs, engine, progress_factory, tallies)
    finally:
        _tally.reset(token)


def _render(cfg, config_dirs, engine, progress_factory, tallies: dict) -> Summary:
    started = time.perf_counter()
    store = Store(cfg.paths.cache_dir)
    engine = engine or make_engine(cfg)
    the_plan = plan(cfg, engine, store, list(config_dirs))
    units = the_plan.units
    shard = parse_shard(cfg.shard)
    out_dir = output_folder(cfg)
    if cfg.limit:
        units = [u for u in units if u.number < cfg.limit]
    if shard:
        units = _shard(units, *shard)
    picks = read_picks(cfg)
    for step in TOKEN_STEPS:
        run_step(step, units, store, engine, progress_factory)
    outputs: list = []
    audio_seconds = tallies.get("decode", _StepTally()).decoded_samples / SAMPLE_RATE
    if not shard:
        chosen = choose_takes(units, picks, the_plan.units)
        outputs, audio_seconds = _stitch_and_export(cfg, the_plan, chosen, store, engine, out_dir)
        outputs = outputs + [str(review.write_review(out_dir, units, store))]  # review.html
    rendered, reused, waited = {}, {}, {}
    for step in TOKEN_STEPS:
        tally = tallies.get(step.NAME, _StepTally())
        rendered[step.NAME] = len(tally.computed)
        waited[step.NAME] = len(tally.waited - tally.computed)
        reused[step.NAME] = len(tally.found - tally.computed - tally.waited)
    return Summary(
        len({u.number for u in units}), rendered, reused, audio_seconds, time.perf_counter() - started, outputs,
        list(engine.loads), waited, stitched=not shard,
    )


def output_folder(cfg: BarkflowConfig) -> Path:
    """Where this render's outputs go: the output folder, or for a preview (limit=N) its own
    `preview-N` folder inside it, so a preview never mixes with (or overwrites) the full book."""
    if cfg.limit < 0:
        raise BarkflowError(f"limit is {cfg.limit}: set it to the number of segments to preview, or 0 for all")
    out_dir = Path(cfg.paths.output_dir)
    return out_dir / f"preview-{cfg.limit}" if cfg.limit else out_dir


def _shard(units: list[Unit], index: int, count: int) -> list[Unit]:
    """Whole script lines per shard (chains stay together), plus the units they are conditioned on."""
    mine = {id(u): u for u in units if u.line.index % count == index}
    for unit in list(mine.values()):
        source = unit.prompt_from
        while source is not None and id(source) not in mine:
            mine[id(source)] = source
            source = source.prompt_from
    return sorted(mine.values(), key=lambda u: (u.number, u.take))


def run_step(step, units: list[Unit], store: Store, engine: Bark, progress_factory=None) -> tuple[int, int]:
    """Compute the step for every unit whose key is missing; return (computed, reused).

    Another process may be rendering some of the same keys (a sweep job, a shard): keys are
    claimed before work starts, the others are waited for, and anything a dead process left
    unfinished is claimed again.
    """
    by_key: dict[str, Unit] = {}
    for unit in units:
        by_key.setdefault(unit.keys[step.NAME], unit)
    missing = [u for k, u in by_key.items() if not store.has(step.NAME, k)]
    reused = len(by_key) - len(missing)
    tally = _step_tally(step.NAME)
    tally.found.update(by_key.keys() - {u.keys[step.NAME] for u in missing})
    computed = 0
    progress = progress_factory(step.NAME, len(missing)) if progress_factory and missing else None
    paused = False
    for wave in sorted({u.wave for u in missing}):
        todo = [u for u in missing if u.wave == wave]
        while todo:
            keys = [u.keys[step.NAME] for u in todo]
            with store.claim(step.NAME, keys) as claimed:
                claimed = set(claimed)
                mine = [u for u in todo if u.keys[step.NAME] in claimed and not store.has(step.NAME, u.keys[step.NAME])]
                for batch in _batches(mine, step.length, engine.batch_size):
                    _run_batch(step, batch, store, engine)
                    computed += len(batch)
                    if progress:
                        progress(len(batch))
                    if not paused:
                        paused = True
                        _test_pause(step.NAME)
            others = [k for k in keys if k not in claimed]
            if others:
                store.wait_for(step.NAME, others)
                tally.waited.update(k for k in others if store.has(step.NAME, k) and k not in tally.computed)
            todo = [u for u in todo if not store.has(step.NAME, u.keys[step.NAME])]
    if progress:
        progress(0, done=True)
    return computed, reused


def _batches(units: list[Unit], length, size: int):
    ordered = sorted(units, key=length)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _run_batch(step, batch: list[Unit], store: Store, engine: Bark) -> None:
    inputs = {need: [_load(store, need, u, engine) for u in batch] for need in step.NEEDS}
    prompts = [_prompt(store, u, step.NAME, engine) for u in batch]
    for unit, (arrays, meta) in zip(batch, step.run(batch, prompts, inputs, engine)):
        meta = dict(meta, segment=unit.segment_id, take=unit.take, speaker=unit.line.speaker)
        store.save(step.NAME, unit.keys[step.NAME], arrays, meta)
        _log_rendered(step.NAME, unit.keys[step.NAME])
        tally = _step_tally(step.NAME)
        tally.computed.add(unit.keys[step.NAME])
        if step.NAME == "decode":
            tally.decoded_samples += int(np.asarray(arrays["audio"]).size)


def _load(store: Store, step: str, unit: Unit, engine: Bark) -> dict:
    """A unit's cached artifact of `step`. A missing or corrupt entry (load() has logged it and moved it
    aside) is computed again, with whatever it needs upstream, so a damaged cache never stops a render."""
    arrays = store.load(step, unit.keys[step])
    if arrays is None:
        log.info("recomputing the %s result of segment %s", step, unit.segment_id)
        run_step(STEPS_BY_NAME[step], [unit], store, engine)
        arrays = store.load(step, unit.keys[step])
    if arrays is None:
        raise BarkflowError(
            f"the cached {step} result of segment {unit.segment_id} could not be recomputed "
            f"({store.path(step, unit.keys[step])}); check the cache folder and run again"
        )
    return arrays


def _load_audio(store: Store, unit: Unit, engine: Bark) -> np.ndarray:
    """Stitch's reader: the unit's decoded audio through the checked load (a bad entry is recomputed)."""
    return _load(store, "decode", unit, engine)["audio"]


def _log_rendered(step: str, key: str) -> None:
    path = os.environ.get(RENDER_LOG_ENV)
    if path:  # one O_APPEND write per line: lines from concurrent processes never interleave
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, f"{step} {key} {os.getpid()}\n".encode())
        finally:
            os.close(fd)


def _test_pause(phase: str) -> None:
    if os.environ.get(PAUSE_ENV) == phase:
        print(f"barkflow-phase {phase}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV) or 3600))


def _prompt(store: Store, unit: Unit, step: str, engine: Bark) -> Optional[VoicePrompt]:
    """The voice prompt for this unit at this step: its voice, or the tokens of its prompt unit."""
    if step == "decode" or (unit.history == "semantic-only" and step in ("coarse", "fine")):
        return None
    source = unit.prompt_from
    if source is None:
        return unit.voice.prompt
    semantic = _load(store, "semantic", source, engine)["tokens"]
    empty = np.zeros((2, 0), dtype=np.int64)
    if step == "semantic":
        return VoicePrompt(semantic, empty, empty) if len(semantic) else unit.voice.prompt
    if step == "coarse":
        if not len(semantic):
            return unit.voice.prompt
        coarse = _load(store, "coarse", source, engine)["codes"]
        try:  # a very short segment fails the reference's alignment check: fall back to the voice
            return VoicePrompt.from_arrays(
                {"semantic_prompt": semantic, "coarse_prompt": coarse, "fine_prompt": np.zeros((8, coarse.shape[1]))}
            )
        except BarkflowError:
            return unit.voice.prompt
    fine = _load(store, "fine", source, engine)["codes"] if len(semantic) else None
    return VoicePrompt(semantic, fine[:2], fine) if fine is not None and fine.shape[1] else unit.voice.prompt


# ----------------------------------------------------------------------------------------------
# stitch, export, manifest


def read_picks(cfg: BarkflowConfig) -> dict:
    """The picks file as {segment uid: whatever value it holds}; `choose_takes` judges the values.

    A file that is not a JSON object of picks is a one-line error (it is the user's input); a
    value that names no take of its segment only falls back to take 0, with a warning.
    """
    path = Path(cfg.project.picks) if cfg.project.picks else Path(cfg.paths.output_dir) / PICKS_FILE
    if not path.exists():
        if cfg.project.picks:
            raise BarkflowError(f"picks file {path} not found; set project.picks to the file the review page saved")
        return {}
    expected = 'expected {"picks": {"<segment uid>": <take number>}} as the review page saves it'
    try:
        picks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BarkflowError(f"picks file {path} cannot be read ({e}); {expected}") from None
    if isinstance(picks, dict) and "picks" in picks:
        picks = picks["picks"]
    if not isinstance(picks, dict):
        raise BarkflowError(f"picks file {path} holds {type(picks).__name__}, not an object of picks; {expected}")
    return picks


def choose_takes(units: list[Unit], picks: dict, book: Optional[list[Unit]] = None) -> list[Unit]:
    """Exactly one unit per segment, in book order: the picked take where it exists, else take 0.

    Every way of choosing takes goes through here, so no pick (stale, out of range, not a number,
    for a segment that is gone) can drop a segment from the book or add one twice. A pick for no
    segment of `book` (the whole plan; default `units`) is reported.
    """
    takes: dict[int, dict[int, Unit]] = {}
    for unit in units:
        takes.setdefault(unit.number, {})[unit.take] = unit
    uids = {unit.uid for unit in (units if book is None else book)}
    unknown = [str(uid) for uid in picks if uid not in uids]
    if unknown:
        log.warning(
            "picks: %d pick(s) name no segment of the script (%s); they are ignored",
            len(unknown), ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else ""),
        )
    chosen = []
    for number in sorted(takes):
        by_take = takes[number]
        fallback = by_take[min(by_take)]  # take 0 (a shard always carries it)
        wanted = picks.get(fallback.uid, fallback.take)
        unit = by_take.get(wanted) if isinstance(wanted, int) and not isinstance(wanted, bool) else None
        if unit is None:
            log.warning(
                "picks: segment %s (uid %s) has no take %s (takes: %s); using take %d",
                fallback.segment_id, fallback.uid, _short_repr(wanted), ", ".join(map(str, sorted(by_take))),
                fallback.take,
            )
            unit = fallback
        chosen.append(unit)
    return chosen


def _short_repr(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _boundary(unit: Unit, following: Optional[Unit]) -> str:
    if following is None:
        return "end"
    if following.line.index == unit.line.index:
        return "sentence"
    if following.line.chapter != unit.line.chapter:
        return "chapter"
    if following.line.speaker != unit.line.speaker:
        return "speaker"
    if following.line.paragraph != unit.line.paragraph:
        return "paragraph"
    return "sentence"


def _stitch_and_export(
    cfg: BarkflowConfig, the_plan: Plan, chosen: list[Unit], store: Store, engine: Bark, out_dir: Path
):
    remove_stale_partials(out_dir, out_dir / "master", out_dir / "voices")  # left by a killed run's writes
    # The chapters the chosen segments reach (a preview may stop in the first).
    chapter_titles = list(the_plan.script.chapter_titles[: max((u.line.chapter for u in chosen), default=-1) + 1])
    pieces = [
        StitchPiece(
            segment_id=u.segment_id, audio_path=store.path("decode", u.keys["decode"]), chapter=u.line.chapter,
            line=u.line.source_line, speaker=u.line.speaker, text=u.text,
            boundary=_boundary(u, chosen[i + 1] if i + 1 < len(chosen) else None),
            load_audio=functools.partial(_load_audio, store, u, engine),
        )
        for i, u in enumerate(chosen)
    ]

    def inputs_key() -> str:
        # The entries' checksums, not only their keys: a repaired or recomputed entry re-stitches.
        return content_key(
            "render",
            [
                (p.segment_id, p.audio_path.name, store.checksum("decode", u.keys["decode"]), p.boundary, p.chapter)
                for p, u in zip(pieces, chosen)
            ],
            chapter_titles, cfg.stitch, cfg.export, cfg.project.name, cfg.project.title, cfg.project.author,
        )

    render_key = inputs_key()
    manifest_path = out_dir / "manifest.json"
    previous = _read_manifest(manifest_path)
    if previous and previous["render_key"] == render_key and all(Path(p).exists() for p in previous["outputs"]):
        log.info("outputs are up to date in %s", out_dir)
        return previous["outputs"], previous["audio_seconds"]
    _test_pause("stitch")
    stitched = stitch(pieces, chapter_titles, cfg.stitch, out_dir / "master", SAMPLE_RATE)
    render_key = inputs_key()  # what was stitched: entries stitch found damaged were recomputed
    options = cfg.export
    if cfg.project.title or cfg.project.author:
        options = replace(options, title=options.title or cfg.project.title, author=options.author or cfg.project.author)
    outputs = [str(p) for p in export(stitched, chapter_titles, options, out_dir, cfg.project.name)]
    _test_pause("export")
    outputs += [str(p) for p in _export_segment_voices(chosen, store, engine, out_dir / "voices")]
    audio_seconds = stitched.total_samples / SAMPLE_RATE
    _write_manifest(
        manifest_path, cfg, the_plan, chosen, stitched, chapter_titles, engine, render_key, outputs, audio_seconds
    )
    return outputs, audio_seconds


def _export_segment_voices(units: list[Unit], store: Store, engine: Bark, folder: Path) -> list[Path]:
    """Each segment's tokens as a Bark voice .npz, so any line can become a voice."""
    written = []
    for unit in units:
        semantic = _load(store, "semantic", unit, engine)["tokens"]
        fine = _load(store, "fine", unit, engine)["codes"]
        if len(semantic) == 0 or fine.shape[1] == 0:
            continue
        path = folder / f"{unit.segment_id}.npz"
        written.append(save_npz(VoicePrompt(semantic, fine[:2], fine), path))
    return written


def _read_json(path: Path) -> Optional[dict]:
    """A JSON object from the file, or None if it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


_MANIFEST_SEGMENT_FIELDS = {"id": str, "uid": str, "chapter": int, "take": int, "takes": int}


def _read_manifest(path: Path) -> Optional[dict]:
    """The last render's manifest, or None if there is none or it is damaged (then the outputs are made again)."""
    manifest = _read_json(path)
    usable = (
        manifest is not None
        and isinstance(manifest.get("render_key"), str)
        and isinstance(manifest.get("outputs"), list) and all(isinstance(p, str) for p in manifest["outputs"])
        and isinstance(manifest.get("audio_seconds"), (int, float))
        and isinstance(manifest.get("segments"), list)
        and all(
            isinstance(s, dict) and all(isinstance(s.get(k), t) for k, t in _MANIFEST_SEGMENT_FIELDS.items())
            for s in manifest["segments"]
        )
    )
    if usable:
        return manifest
    if path.exists():
        log.warning("%s is damaged; the outputs are made again", path)
    return None


def _write_json_atomic(path: Path, data) -> None:
    with atomic_output_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


def _write_manifest(
    path, cfg, the_plan, chosen, stitched, chapter_titles, engine, render_key, outputs, audio_seconds
) -> None:
    from omegaconf import OmegaConf

    placed = {p.segment_id: p for p in stitched.pieces}
    segments = []
    for unit in chosen:
        p = placed.get(unit.segment_id)
        segments.append(
            {
                "id": unit.segment_id, "uid": unit.uid, "line": unit.line.source_line, "chapter": unit.chapter_number,
                "speaker": unit.line.speaker, "voice": unit.voice.name, "text": unit.text,
                "take": unit.take, "takes": the_plan.takes, "seeds": unit.seeds, "keys": unit.keys,
                "start_sample": p.book_start if p else None, "end_sample": p.book_end if p else None,
            }
        )
    manifest = {
        "project": cfg.project.name, "render_key": render_key, "sample_rate": SAMPLE_RATE,
        "audio_seconds": audio_seconds, "outputs": outputs,
        "chapters": [
            {"title": t, "samples": n, "gain_db": g}
            for t, n, g in zip(chapter_titles, stitched.chapter_samples, stitched.gains_db)
        ],
        "models": {stage: engine.identity(stage) for stage in ("semantic", "coarse", "fine", "codec", "tokenizer")},
        "config": OmegaConf.to_container(OmegaConf.structured(cfg), resolve=True),
        "segments": segments,
    }
    _write_json_atomic(path, manifest)


def plan_table(the_plan: Plan, store: Store) -> list[dict]:
    """One row per segment for plan mode: what would be rendered, and what is cached already."""
    rows = []
    for unit in the_plan.segments():
        rows.append(
            {
                "id": unit.segment_id, "chapter": unit.chapter_number, "speaker": unit.line.speaker,
                "voice": unit.voice.name, "chars": len(unit.text), "seconds": estimate_seconds(unit.text),
                "cached": [s.NAME for s in TOKEN_STEPS if store.has(s.NAME, unit.keys[s.NAME])], "text": unit.text,
            }
        )
    return rows

