"""Render a project: plan → run each token step → publish → summary.

- plan.py: the script into render units (segments × takes) with every cache key, no model loaded;
- schedule.py: each token step (semantic → coarse → fine → decode) over the units missing from the
  cache, in waves and batches, with claims so processes sharing a cache never do one key twice;
  then, with verify on, the verify step (each take transcribed: steps/verify.py) and rounds of
  retakes of the segments whose best take fails (retakes.py);
- publish.py: the picked takes stitched and exported, segment voices, review clips, manifest;
- review.py: the review page, from the manifest.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from barkflow.engine.api import Bark
from barkflow.engine.constants import SAMPLE_RATE
from barkflow.errors import BarkflowError
from barkflow.planning.build import make_engine, make_recogniser, make_store
from barkflow.planning.config import BarkflowConfig, parse_shard
from barkflow.planning.plan import TOKEN_STEPS, make_plan
from barkflow.publishing.publish import picks_path, publish, read_picks_file, read_takes
from barkflow.reviewing.review import write_page
from barkflow.running import retakes
from barkflow.running.progress import BookProgress, BookStatus
from barkflow.running.schedule import StepTally, in_shard, run_step, select_units, tallying
from barkflow.steps.verify import VerifyStep


@dataclass
class Summary:
    segments: int
    rendered: dict  # step -> entries this process computed (a corrupt entry recomputed included)
    reused: dict  # step -> entries found in the cache and used as they were
    audio_seconds: float  # the book's; a shard's: its lines' audio in the cache, decoded now or before
    wall_seconds: float
    outputs: list
    loaded: list  # models loaded, in order
    waited: dict = field(default_factory=dict)  # step -> entries another process rendered while this one waited
    stitched: bool = True  # False for a shard: it renders into the cache only
    verified: Optional[dict] = None  # with verify on: segments passed first time, fixed by retakes, failing
    words: str = ""  # the book's words by fate (text/fates.py WordFates.line)

    @property
    def real_time_factor(self) -> float:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else 0.0


def render(
    cfg: BarkflowConfig,
    config_dirs: list[Path] = (),
    *,
    engine: Optional[Bark] = None,
    progress_factory: Optional[Callable] = None,
    on_book: Optional[Callable[[BookStatus], None]] = None,
) -> Summary:
    """`progress_factory(step, total) -> advance(n, done=False)`: each step's own progress;
    `on_book(status)`: the whole book's (running/progress.py), after each batch this process finishes."""
    started = time.perf_counter()
    store = make_store(cfg)
    engine = engine or make_engine(cfg)
    the_plan = make_plan(cfg, engine, store, list(config_dirs))
    shard = parse_shard(cfg.shard)
    out_dir = output_folder(cfg)
    units = select_units(the_plan.units, cfg.limit, shard)
    # a bad picks file stops the render before any work; read once, so each warning is said once
    picks_file = read_picks_file(picks_path(cfg), required=bool(cfg.project.picks))
    picks = picks_file["picks"]
    # a shard retakes and counts its own lines' segments, not those it only borrows prompts from
    own = [u for u in units if in_shard(u, shard)]
    requested = retakes.requested_takes(the_plan, own, picks_file["takes"], engine)  # the studio's retakes
    units, own = units + requested, own + requested
    if on_book:  # the whole book, a shard's other lines included: what is done, from the cache
        book = BookProgress(select_units(the_plan.units, cfg.limit, None) + requested, store.has,
                            lambda key: _decoded_seconds(store, key), on_book)
        progress_factory = book.factory(progress_factory)
    steps = list(TOKEN_STEPS)
    if cfg.verify.recogniser != "none":  # after decode: each take's audio checked against its text
        checker = VerifyStep(make_recogniser(cfg.verify, cfg.device.threads), cfg.verify.batch_size)
        checker.assign_keys(units)
        steps.append(checker)
    verified = None
    with tallying() as tallies:
        for step in steps:
            run_step(step, units, store, engine, progress_factory)
        if cfg.verify.recogniser != "none":
            added = _retake_failing(the_plan, own, steps, store, engine, cfg, progress_factory)
            units, own = units + added, own + added
            verified = retakes.outcome(own, store, cfg.verify, the_plan.takes)
        outputs: list = []
        if shard:  # a shard renders into the cache only
            audio_seconds = _cached_audio_seconds(store, own)
        else:
            outputs, audio_seconds = publish(cfg, the_plan, units, picks, store, engine, out_dir)
            outputs.append(str(write_page(out_dir)))  # the review page, from the manifest publish wrote
            retakes.write_failed(out_dir, verified, cfg.verify)
    counts = {step.NAME: tallies.get(step.NAME, StepTally()).counts() for step in steps}
    return Summary(
        segments=len({u.number for u in units}),
        rendered={step: c[0] for step, c in counts.items()},
        reused={step: c[1] for step, c in counts.items()},
        audio_seconds=audio_seconds,
        wall_seconds=time.perf_counter() - started,
        outputs=outputs,
        loaded=list(engine.loads),
        waited={step: c[2] for step, c in counts.items()},
        stitched=not shard,
        verified=verified.counts() if verified else None,
        words=the_plan.words.line(),
    )


def verify_report(cfg: BarkflowConfig, config_dirs: list[Path] = ()) -> retakes.VerifyOutcome:
    """How every segment stands against the checks, from the cache alone: no model is loaded,
    nothing is rendered or transcribed (`verify.report=true`). A segment whose takes were never
    verified counts as failing, "not verified yet"."""
    if cfg.verify.recogniser == "none":
        raise BarkflowError("verify.report=true needs the recogniser the render used: add verify=sphinx or verify=whisper")
    store, engine = make_store(cfg), make_engine(cfg)
    the_plan = make_plan(cfg, engine, store, list(config_dirs))
    units = the_plan.units + retakes.requested_takes(the_plan, the_plan.units, read_takes(cfg), engine)
    checker = VerifyStep(make_recogniser(cfg.verify, cfg.device.threads), cfg.verify.batch_size)
    checker.assign_keys(units)
    units = units + retakes.retake_rounds(  # the retakes already rendered and verified: none is rendered here
        the_plan, units, store, engine, cfg.verify, checker,
        lambda new: [u for u in new if store.has(checker.NAME, u.keys[checker.NAME])],
    )
    return retakes.outcome(units, store, cfg.verify, the_plan.takes)


def _retake_failing(the_plan, units, steps, store, engine, cfg, progress_factory) -> list:
    """Round after round, a new take of every segment whose best take fails, through every step
    (batched across segments), until all pass or have `verify.max_takes` takes; returns the
    retakes it added. Each round follows from the cache alone, so a rerun continues the loop."""

    def render_round(new: list) -> list:
        for step in steps:
            run_step(step, new, store, engine, progress_factory)
        return new

    return retakes.retake_rounds(the_plan, units, store, engine, cfg.verify, steps[-1], render_round)


def _cached_audio_seconds(store, units) -> float:
    """Seconds of decoded audio the units have in the cache (every take), whoever decoded it: a shard
    rerun after an interrupted sweep reports its share of the book, not only what this run added."""
    return sum(_decoded_seconds(store, key) for key in {u.keys["decode"] for u in units})


def _decoded_seconds(store, key: str) -> float:
    """A decode entry's length in seconds, from its header only (0 when it is not in the cache)."""
    shape = store.shapes("decode", key)
    return math.prod(shape["audio"]) / SAMPLE_RATE if shape is not None else 0.0


def output_folder(cfg: BarkflowConfig) -> Path:
    """Where this render's outputs go: the output folder, or for a preview (limit=N) its own
    `preview-N` folder inside it, so a preview never mixes with (or overwrites) the full book."""
    if cfg.limit < 0:
        raise BarkflowError(f"limit is {cfg.limit}: set it to the number of segments to preview, or 0 for all")
    out_dir = Path(cfg.paths.output_dir)
    return out_dir / f"preview-{cfg.limit}" if cfg.limit else out_dir
