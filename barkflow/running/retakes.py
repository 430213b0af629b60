"""Retakes and verify outcomes: segments whose best take fails get more takes.

A take fails when its word error rate is above `verify.max_wer` or its audio fails one of the
checks named in `verify.fail_on` (barkflow/steps/checks.py: silence, clipping, a take far too short or
too long for its text, a semantic stage that hit its length limit).

After the verify step has scored every take that exists, each segment whose best take fails gets
one more take (the next take number, seeds derived as for planned takes), up to `verify.max_takes`
in all; the new takes run through every step together, batched across segments, and the loop goes
on wave by wave until every segment passes or has its takes. Each round is worked out from the
cached verify entries only, so a run killed inside the loop, run again, finds the same failing
segments and the retakes it already rendered in the cache: it continues, it does not restart.

A retake is conditioned like the segment's take 0 (the same `prompt_from` unit: the previous
segment of a chain, or the unit a random voice locks to; the unit a random voice locks to is
retaken locked to its own take 0). It is a new take of that segment only: no later segment is
conditioned on it, so no other key changes and nothing else re-renders (see `Plan.retake`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from barkflow.engine.api import Bark
from barkflow.planning.config import VerifyConfig
from barkflow.planning.plan import Plan, Unit
from barkflow.steps import verify as verify_step
from barkflow.steps.scoring import VerifyResult
from barkflow.store.cache import Store
from barkflow.store.files import write_text_atomic

FAILED_FILE = "failed.txt"


def read_scores(units: list[Unit], store: Store, scores: Optional[dict] = None) -> dict[tuple[str, int], VerifyResult]:
    """(segment uid, take) -> the take's scores and flags, for the takes whose verify entry is in the
    cache. `scores`, those read before, is added to: only the takes it lacks are read."""
    scores = {} if scores is None else scores
    for unit in units:
        if (unit.uid, unit.take) in scores:
            continue
        arrays = store.load(verify_step.NAME, unit.keys[verify_step.NAME])
        if arrays is not None:  # damaged (load logged it): unscored, it ranks last
            stop_reason = (store.meta("semantic", unit.keys["semantic"]) or {}).get("stop_reason")
            scores[unit.uid, unit.take] = verify_step.result(arrays, unit, stop_reason)
    return scores


def best_take(takes: list[Unit], scores: dict, verify: VerifyConfig) -> Unit:
    """The passing take with the lowest word error rate (ties: the lower take number); if none
    passes, the lowest error rate; unscored takes last. Deterministic: the same scores, the same pick."""

    def rank(unit: Unit):
        result = scores.get((unit.uid, unit.take))
        wer = math.inf if result is None else result.wer
        return (not _passes(scores, unit, verify), wer, unit.take)

    return min(takes, key=rank)


def takes_by_segment(units: list[Unit]) -> dict[int, list[Unit]]:
    """Segment number -> its takes, in take order."""
    by_number: dict[int, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: (u.number, u.take)):
        by_number.setdefault(unit.number, []).append(unit)
    return by_number


def next_retakes(the_plan: Plan, units: list[Unit], store: Store, engine: Bark, verify: VerifyConfig,
                 scores: Optional[dict] = None) -> list[Unit]:
    """The next round: one new take of each segment whose best take fails and that has fewer than
    `verify.max_takes` takes, with their token keys (the caller adds verify's). `scores`: as for
    `read_scores`, so that a loop reads each take's entry once."""
    scores = read_scores(units, store, scores)
    retakes = []
    for takes in takes_by_segment(units).values():
        best = best_take(takes, scores, verify)
        if not _passes(scores, best, verify) and len(takes) < verify.max_takes:
            segment = next(u for u in takes if u.take == 0)
            retakes.append(the_plan.retake(segment, max(u.take for u in takes) + 1, engine))
    return retakes


def retake_rounds(the_plan: Plan, units: list[Unit], store: Store, engine: Bark, verify: VerifyConfig,
                  checker, take_round) -> list[Unit]:
    """The retakes the loop adds to `units`, round by round: each round's new takes (verify's keys
    given by `checker`) go to `take_round`, which returns those the round adds: a render renders
    them all, a report keeps those already in the cache. The loop ends at a round that adds none."""
    added: list[Unit] = []
    scores: dict = {}  # each take's entry is read once over all the rounds
    while True:
        new = next_retakes(the_plan, units + added, store, engine, verify, scores)
        checker.assign_keys(new)
        new = take_round(new)
        if not new:
            return added
        added += new


def requested_takes(the_plan: Plan, units: list[Unit], wanted: dict[str, int], engine: Bark) -> list[Unit]:
    """The takes beyond the plan's that `wanted` ({segment uid: takes in all}, the picks file's
    `takes`) asks for, of the segments in `units`: retakes, keyed as `Plan.retake` keys any retake."""
    new = []
    for takes in takes_by_segment(units).values():
        segment = next((u for u in takes if u.take == 0), None)
        if segment is None or segment.uid not in wanted:
            continue
        have = max(u.take for u in takes) + 1
        new += [the_plan.retake(segment, take, engine) for take in range(have, wanted[segment.uid])]
    return new


@dataclass
class VerifyOutcome:
    """How the segments came out: passed with a planned take, fixed by a retake, or still failing."""

    passed_first: int = 0
    fixed: int = 0
    failing: list[tuple[Unit, Optional[VerifyResult]]] = field(default_factory=list)  # each one's best take

    def counts(self) -> dict:
        return {"passed first": self.passed_first, "fixed by retakes": self.fixed, "failing": len(self.failing)}


def outcome(units: list[Unit], store: Store, verify: VerifyConfig, planned_takes: int) -> VerifyOutcome:
    """Per segment: passed (a planned take passes), fixed (only a retake passes), or failing."""
    scores = read_scores(units, store)
    result = VerifyOutcome()
    for takes in takes_by_segment(units).values():
        best = best_take(takes, scores, verify)
        score = scores.get((best.uid, best.take))
        if not _passes(scores, best, verify):
            result.failing.append((best, score))
        elif any(u.take < planned_takes and _passes(scores, u, verify) for u in takes):
            result.passed_first += 1
        else:
            result.fixed += 1
    return result


def _passes(scores: dict, unit: Unit, verify: VerifyConfig) -> bool:
    score = scores.get((unit.uid, unit.take))
    return score is not None and score.passes(verify.max_wer, verify.fail_on)


def write_failed(out_dir: Path, verify_outcome: Optional[VerifyOutcome], verify: VerifyConfig) -> None:
    """`failed.txt` beside the outputs: one line per segment that still fails (see `failure_lines`);
    removed when none fails or verify is off, so a stale list never outlives the failures it named."""
    path = out_dir / FAILED_FILE
    if verify_outcome is None or not verify_outcome.failing:
        path.unlink(missing_ok=True)
        return
    write_text_atomic(path, "\n".join(failure_lines(verify_outcome, verify)) + "\n")


def failure_lines(verify_outcome: VerifyOutcome, verify: VerifyConfig) -> list[str]:
    """Per failing segment, tab-separated: its id, its script line, its best take's word error
    rate, what fails it (wer and the checks in `verify.fail_on`), and the words it misses."""
    lines = []
    for unit, score in verify_outcome.failing:
        where = f"{unit.segment_id}\tline {unit.line.source_line}\ttake {unit.take}"
        if score is None:
            lines.append(f"{where}\twer=unscored\tfails: not verified yet\tmissing: ?")
        else:
            fails = ", ".join(score.failures(verify.max_wer, verify.fail_on))
            lines.append(f"{where}\twer={score.wer:.2f}\tfails: {fails}\tmissing: {' '.join(score.missing) or '-'}")
    return lines
