"""The whole book's progress line (barkflow/running/progress.py): what is done comes from the cache,
whoever did it; the rate and ETA only from what became done during this run."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barkflow import runner
from barkflow.running.progress import (
    PRIOR_COST,
    BookCounts,
    BookProgress,
    book_status,
    format_duration,
    step_weights,
)

STEPS = tuple(PRIOR_COST)
EVEN = {s: 1.0 for s in STEPS}  # every step's entry costs the same: fractions easy to read


def counts(total: int, done: dict, segments_done: int = 0, audio: float = 0.0) -> BookCounts:
    return BookCounts({s: total for s in STEPS}, {s: done.get(s, 0) for s in STEPS}, total, segments_done, audio)


def test_a_resumed_run_starts_at_its_true_position_with_no_eta_yet():
    half = counts(100, {s: 50 for s in STEPS}, segments_done=50, audio=300.0)
    status = book_status(half, half, elapsed=0.0, weights=EVEN)
    assert status.fraction == 0.5 and status.segments_done == 50 and status.eta_seconds is None
    assert status.line() == "book: 50/100 segments · 50% · 5.0 min of audio · ETA …"
    assert book_status(half, counts(100, {}, audio=59.0), 0.0, EVEN).line() == "book: 0/100 segments · 0% · 59.0 s of audio · ETA …"
    assert "2.5 h of audio" in book_status(half, counts(100, {}, audio=9000.0), 0.0, EVEN).line()


def test_the_eta_comes_from_this_runs_rate_only():
    """Half the book was in the cache at start; this run decoded 10 more segments in 100 s: 40 remain,
    so 400 s, not the 83 s that counting the cached half as this run's work would promise."""
    start = counts(100, {s: 50 for s in STEPS}, segments_done=50)
    now = counts(100, {s: 60 for s in STEPS}, segments_done=60)
    status = book_status(start, now, elapsed=100.0, weights=EVEN)
    assert status.fraction == pytest.approx(0.6)
    assert status.eta_seconds == pytest.approx(400.0) and status.seconds_per_segment == pytest.approx(10.0)
    assert status.line().endswith("· 10.0 s/segment · ETA 7 min")


def test_a_shard_sees_the_book_and_the_rate_of_every_shard():
    """Shard 0 of 2 computed 10 entries per step in 100 s; the cache shows 20 more (shard 1's too):
    the book's rate is both shards', and its count is the book's, not the shard's."""
    start = counts(100, {})
    now = counts(100, {s: 20 for s in STEPS}, segments_done=20)
    status = book_status(start, now, elapsed=100.0, weights=EVEN)
    assert status.segments == 100 and status.segments_done == 20
    assert status.eta_seconds == pytest.approx(400.0)


def test_earlier_steps_count_by_their_cost_before_any_segment_is_decoded():
    """Steps run over the whole book one after another: every semantic done, no segment decoded yet,
    is semantic's share of the work, not 0."""
    weights = {"semantic": 1.0, "coarse": 2.0, "fine": 0.5, "decode": 0.5}
    status = book_status(counts(10, {}), counts(10, {"semantic": 10}), elapsed=50.0, weights=weights)
    assert status.segments_done == 0 and status.fraction == pytest.approx(0.25)
    assert status.eta_seconds == pytest.approx(150.0)


def test_step_weights_are_this_runs_timings_and_the_prior_scaled_to_them():
    assert step_weights({}) == PRIOR_COST
    weights = step_weights({"semantic": (10, 20.0)})  # 2 s per entry where the prior says 1
    assert weights == {s: pytest.approx(2 * PRIOR_COST[s]) for s in STEPS}
    weights = step_weights({"semantic": (10, 20.0), "coarse": (10, 30.0), "fine": (0, 0.0)})
    assert weights["semantic"] == 2.0 and weights["coarse"] == 3.0
    assert weights["fine"] == pytest.approx(PRIOR_COST["fine"] * 5.0 / (PRIOR_COST["semantic"] + PRIOR_COST["coarse"]))


@pytest.mark.parametrize("seconds,text", [
    (0, "0 s"), (59.4, "59 s"), (60, "1 min"), (754, "13 min"), (3 * 3600 + 40 * 60, "3 h 40 min"),
    (2 * 3600, "2 h"), (49 * 3600, "2 d 1 h"), (-5, "0 s"),
])
def test_durations_read_as_an_eta(seconds, text):
    assert format_duration(seconds) == text


@given(
    total=st.integers(1, 6000), first=st.integers(0, 6000), second=st.integers(0, 6000),
    elapsed=st.floats(0, 1e6), weight=st.dictionaries(st.sampled_from(STEPS), st.floats(1e-3, 1e3), min_size=4),
)
def test_any_counts_give_a_fraction_in_range_and_no_eta_without_progress(total, first, second, elapsed, weight):
    before, after = sorted((min(first, total), min(second, total)))
    status = book_status(counts(total, {"coarse": before}), counts(total, {"coarse": after}), elapsed, weight)
    assert 0.0 <= status.fraction <= 1.0
    assert (status.eta_seconds is None) == (after == before or elapsed == 0)
    assert status.eta_seconds is None or status.eta_seconds >= 0
    assert "\n" not in status.line()


# ------------------------------------------------------------------------------------- the tracker, faked


@dataclass
class FakeUnit:
    number: int
    take: int = 0
    keys: dict = field(default_factory=dict)


def book(n: int, takes: int = 1) -> list[FakeUnit]:
    return [FakeUnit(i, t, {s: f"{s}-{i}-{t}" for s in STEPS}) for i in range(n) for t in range(takes)]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def tracker(units, cache: set, clock, reports: list, stats: Optional[list] = None) -> BookProgress:
    def has(step, key):
        if stats is not None:
            stats.append(key)
        return (step, key) in cache

    return BookProgress(units, has, lambda key: 2.0, reports.append, clock=clock)


def test_the_tracker_counts_the_cache_once_work_starts_and_adds_this_runs_batches():
    units, clock, reports = book(10), Clock(), []
    cache = {(s, u.keys[s]) for u in units[:5] for s in STEPS}  # a killed run finished half the book
    progress = tracker(units, cache, clock, reports)
    assert progress.start is None  # nothing counted before any step has work
    advance = progress.factory()("semantic", 5)
    assert progress.start.segments_done == 5 and progress.start.done["semantic"] == 5
    clock.now = 10.0
    advance(5)  # this run's semantic batch: counted without asking the cache again (too soon)
    status = reports[-1]
    assert status.segments_done == 5 and status.audio_seconds == 10.0
    assert status.fraction == pytest.approx(0.5 + 0.5 * PRIOR_COST["semantic"] / sum(PRIOR_COST.values()))
    assert status.eta_seconds is not None  # from this run's 5 semantic entries in 10 s


def test_the_tracker_recounts_other_processes_work_now_and_then_asking_only_about_missing_keys():
    units, clock, reports, stats = book(4, takes=2), Clock(), [], []
    cache: set = set()
    progress = tracker(units, cache, clock, reports, stats)
    advance = progress.factory()("decode", 8)
    assert len(stats) == 4 * 2 * len(STEPS)
    cache.update((s, u.keys[s]) for u in units for s in STEPS if u.number < 2)  # another shard's segments
    cache.add(("decode", units[4].keys["decode"]))  # segment 2: one take of two decoded, not finished
    clock.now = 1000.0
    stats.clear()
    advance(0)
    assert reports[-1].segments_done == 2 and reports[-1].audio_seconds == 4.0  # each segment's first take
    assert len(stats) == 4 * 2 * len(STEPS)  # a recount: every key was missing
    stats.clear()
    clock.now = 2000.0
    advance(0, done=True)
    assert len(stats) == 2 * len(STEPS) * 2 - 1  # only the keys still missing are asked about again


def test_a_render_with_nothing_to_do_never_counts():
    stats: list = []
    tracker(book(100), set(), Clock(), [], stats)
    assert stats == []


# ------------------------------------------------------------------------------------- a real render


def test_a_render_after_a_shard_starts_at_the_shards_segments_and_ends_on_the_whole_book(tmp_path):
    """Shard 0/2 rendered its lines into the cache; the full render's log (no terminal) says so from
    its first line, and ends with the whole book done and its audio."""
    from rich.console import Console

    from barkflow.cli import _ProgressDisplay
    from barkflow.engine.constants import SAMPLE_RATE
    from barkflow.store.cache import Store
    from tests.helpers import REPO, entries, project_config

    shard = runner.render(project_config(tmp_path, "shard=0/2"), [REPO / "conf"])
    assert not shard.stitched
    decoded = len(entries(tmp_path / "cache", "decode"))
    log = io.StringIO()
    display = _ProgressDisplay(Console(file=log, width=200))
    summary = runner.render(project_config(tmp_path), [REPO / "conf"], progress_factory=display.step, on_book=display.book)
    lines = log.getvalue().splitlines()
    books = [line for line in lines if line.startswith("book: ")]
    n = summary.segments
    assert 0 < decoded < n
    assert books[0].startswith(f"book: {decoded}/{n} segments · ") and books[0].endswith("ETA …")
    store = Store(tmp_path / "cache")  # the segments' own audio: the stitched book's pauses are not rendered work
    audio = sum(math.prod(store.shapes("decode", key)["audio"]) for key in entries(tmp_path / "cache", "decode")) / SAMPLE_RATE
    assert books[-1] == f"book: {n}/{n} segments · 100% · {audio:.1f} s of audio · done"
    steps = [line.split(":")[0] for line in lines if not line.startswith("book: ")]
    assert steps == ["semantic", "coarse", "fine", "decode"]  # each step's plain line, no bar
    assert "━" not in log.getvalue()


def test_a_terminal_gets_the_book_line_under_the_steps_bar():
    from rich.console import Console

    from barkflow.cli import _ProgressDisplay

    screen = io.StringIO()
    display = _ProgressDisplay(Console(file=screen, width=200, force_terminal=True))
    half = counts(10, {s: 5 for s in STEPS}, segments_done=5, audio=90.0)
    advance = display.step("coarse", 5)
    display.book(book_status(half, half, 0.0, EVEN))
    advance(5, done=True)
    assert "book: 5/10 segments · 50% · 1.5 min of audio · ETA …" in screen.getvalue()
    assert "5/5" in screen.getvalue()
