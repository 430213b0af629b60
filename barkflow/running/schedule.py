"""Scheduling: run each token step over the units whose entry is missing, and count what happened.

Units run in waves (a unit waits for the unit whose tokens condition it), batched and sorted by
length. Keys are claimed in the store before work starts, so processes sharing a cache (sweep jobs,
shards) never compute one key twice; a damaged entry is recomputed where it is read.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from dataclasses import dataclass, field
from typing import Iterator, Optional

import numpy as np

from barkflow.engine.api import Bark
from barkflow.engine.constants import N_FINE_CODEBOOKS, PROMPT_KEYS
from barkflow.engine.prompts import VoicePrompt, coarse_aligned
from barkflow.errors import BarkflowError
from barkflow.planning.plan import STEPS_BY_NAME, Unit, conditioning, semantic_maker
from barkflow.store.cache import Store

log = logging.getLogger(__name__)


@dataclass
class StepTally:
    """What happened to one step's entries in this render, by key."""

    found: set = field(default_factory=set)  # in the cache when the step looked
    computed: set = field(default_factory=set)  # computed by this process (repairs included)
    waited: set = field(default_factory=set)  # rendered by another process while this one waited

    def counts(self) -> tuple[int, int, int]:
        """(computed, reused, waited for): each entry counted once, under what this process did."""
        waited = self.waited - self.computed
        return len(self.computed), len(self.found - self.computed - self.waited), len(waited)


# The running render's tally, step name -> StepTally. Counted where the work happens (a repair
# deep inside another step's batch included), so the summary says what really happened.
_tally: contextvars.ContextVar[Optional[dict]] = contextvars.ContextVar("barkflow_render_tally", default=None)


@contextlib.contextmanager
def tallying() -> Iterator[dict]:
    """Count the steps run inside the block: yields {step name: StepTally}, filled as they run."""
    tallies: dict[str, StepTally] = {}
    token = _tally.set(tallies)
    try:
        yield tallies
    finally:
        _tally.reset(token)


def _step_tally(step: str) -> StepTally:
    tallies = _tally.get()
    return StepTally() if tallies is None else tallies.setdefault(step, StepTally())


def select_units(units: list[Unit], limit: int, shard: Optional[tuple[int, int]]) -> list[Unit]:
    """The units this render runs: the first `limit` segments (0: all), and of those one shard's."""
    if limit:
        units = [u for u in units if u.number < limit]
    return _shard(units, *shard) if shard else units


def in_shard(unit: Unit, shard: Optional[tuple[int, int]]) -> bool:
    """Whether the unit's script line is the shard's (every line is without a shard)."""
    return shard is None or unit.line.index % shard[1] == shard[0]


def _shard(units: list[Unit], index: int, count: int) -> list[Unit]:
    """Whole script lines per shard (chains stay together), plus the units they are conditioned on."""
    mine = {id(u): u for u in units if in_shard(u, (index, count))}
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
    present = store.existing(step.NAME, by_key)
    missing = [u for k, u in by_key.items() if k not in present]
    reused = len(by_key) - len(missing)
    tally = _step_tally(step.NAME)
    tally.found.update(by_key.keys() - {u.keys[step.NAME] for u in missing})
    computed = 0
    progress = progress_factory(step.NAME, len(missing)) if progress_factory and missing else None
    for wave in sorted({u.wave for u in missing}):
        todo = [u for u in missing if u.wave == wave]
        while todo:
            keys = [u.keys[step.NAME] for u in todo]
            with store.claim(step.NAME, keys) as claimed:
                claimed = set(claimed)
                mine = [u for u in todo if u.keys[step.NAME] in claimed and not store.has(step.NAME, u.keys[step.NAME])]
                for batch in _batches(mine, step.length, getattr(step, "batch_size", engine.batch_size)):
                    run_batch(step, batch, store, engine)
                    computed += len(batch)
                    if progress:
                        progress(len(batch))
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


def run_batch(step, batch: list[Unit], store: Store, engine: Bark) -> None:
    """Compute one batch of the step and store each unit's entry."""
    inputs = {need: [load(store, need, u, engine) for u in batch] for need in step.NEEDS}
    prompts = [prompt(store, u, step.NAME, engine) for u in batch]
    for unit, (arrays, meta) in zip(batch, step.run(batch, prompts, inputs, engine)):
        meta = dict(meta, segment=unit.segment_id, take=unit.take, speaker=unit.line.speaker)
        store.save(step.NAME, unit.keys[step.NAME], arrays, meta)
        tally = _step_tally(step.NAME)
        tally.computed.add(unit.keys[step.NAME])


def load(store: Store, step: str, unit: Unit, engine: Bark) -> dict:
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


def load_audio(store: Store, unit: Unit, engine: Bark) -> np.ndarray:
    """Stitch's reader: the unit's decoded audio through the checked load (a bad entry is recomputed)."""
    return load(store, "decode", unit, engine)["audio"]


def prompt(store: Store, unit: Unit, step: str, engine: Bark) -> Optional[VoicePrompt]:
    """The voice prompt for this unit at this step, as `conditioning` says: none, its voice, or the
    tokens of its prompt unit (its voice when those are empty or too short to align)."""
    unit = semantic_maker(unit, step)
    how = conditioning(unit, step)
    if how.kind == "none":
        return None
    if how.kind == "voice":
        return unit.voice.prompt
    semantic = load(store, "semantic", how.source, engine)["tokens"]  # how.tokens[0]: every prompt starts with it
    if not len(semantic):
        return unit.voice.prompt
    if len(how.tokens) == 1:
        empty = np.zeros((2, 0), dtype=np.int64)
        return VoicePrompt(semantic, empty, empty)
    codes = load(store, how.tokens[1], how.source, engine)["codes"]
    if how.tokens[1] == "coarse":
        if not coarse_aligned(len(semantic), codes.shape[1]):  # a very short segment: the reference refuses it
            return unit.voice.prompt
        fine = np.zeros((N_FINE_CODEBOOKS, codes.shape[1]), dtype=np.int64)  # unused by coarse
        return VoicePrompt.from_arrays(dict(zip(PROMPT_KEYS, (semantic, codes, fine))))  # anything else is a bug: raise
    return VoicePrompt(semantic, codes[:2], codes) if codes.shape[1] else unit.voice.prompt
