"""The whole book's progress, for one line a user reads over hours of rendering:
`book: 1,234/5,539 segments · 41% · 12.3 min of audio · 3.1 s/segment · ETA 3 h 40 min`.

What is done comes from the cache, whoever did it (an earlier, killed run; another shard), so a
resumed run starts at its true position and a shard sees the whole book. The rate, and so the ETA,
comes only from what became done while this run watched: entries found at its start are not fast work.

Work is counted per step entry (each step's distinct keys, as the scheduler runs them), weighted by
what one entry of that step costs: this run's own seconds per entry where it has timed the step,
otherwise a prior of Bark's relative costs scaled to the timed steps. Steps run one after another
over the whole book (every semantic, then every coarse...), so without that partial credit the line
would sit at 0 segments for hours. A segment is finished when every take of it is decoded.

Pure functions (counts -> fraction, rate, ETA, text) and BookProgress, which keeps the counts from
the cache, re-counted now and then: torch-free, and the store is reached only through the callables
given to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Optional

# Seconds one entry of each step costs relative to the others on Bark (coarse writes ~3 tokens per
# semantic token; fine is a few non-causal passes; decode is the codec), until this run has timed them.
PRIOR_COST = {"semantic": 1.0, "coarse": 2.5, "fine": 0.5, "decode": 0.1}
# Re-count from the cache at most this often, and at least this many times the last count's own cost
# apart, so that counting stays a small share of the render whatever the book's size.
RECOUNT_EVERY_S = 15.0
RECOUNT_SHARE = 50


def step_weights(measured: Mapping[str, tuple[int, float]], prior: Mapping[str, float] = PRIOR_COST) -> dict[str, float]:
    """The cost of one entry of each step in `prior`: `measured` step -> (entries, seconds) this run
    timed; a step not timed (or timed at 0 entries or 0 s) gets its prior, scaled by how the timed
    steps compare with their priors. Weights are relative, in seconds where anything was timed."""
    timed = {s: secs / n for s, (n, secs) in measured.items() if s in prior and n > 0 and secs > 0}
    scale = sum(timed.values()) / sum(prior[s] for s in timed) if timed else 1.0
    return {s: timed.get(s, prior[s] * scale) for s in prior}


@dataclass(frozen=True)
class BookCounts:
    """The book as the cache holds it at one moment."""

    totals: Mapping[str, int]  # step -> the book's distinct keys of that step
    done: Mapping[str, int]  # step -> of those, the entries in the cache
    segments: int
    segments_done: int  # every take decoded
    audio_seconds: float = 0.0  # the finished segments' audio (each one's first take)


def work(counts: Mapping[str, int], weights: Mapping[str, float]) -> float:
    return sum(weights[s] * counts.get(s, 0) for s in weights)


@dataclass(frozen=True)
class BookStatus:
    segments: int
    segments_done: int
    fraction: float  # of the book's work, in [0, 1]
    audio_seconds: float
    seconds_per_segment: Optional[float]  # this run's pace, in segments' worth of work; None until measured
    eta_seconds: Optional[float]  # None until this run has seen work done

    @property
    def finished(self) -> bool:
        return self.segments_done >= self.segments

    def line(self) -> str:
        parts = [
            f"book: {self.segments_done:,}/{self.segments:,} segments",
            f"{self.fraction:.0%}",
            f"{_audio_length(self.audio_seconds)} of audio",
        ]
        if self.finished:
            return " · ".join(parts + ["done"])
        if self.seconds_per_segment is not None:
            parts.append(f"{self.seconds_per_segment:.1f} s/segment")
        parts.append("ETA " + (format_duration(self.eta_seconds) if self.eta_seconds is not None else "…"))
        return " · ".join(parts)


def book_status(start: BookCounts, now: BookCounts, elapsed: float, weights: Mapping[str, float]) -> BookStatus:
    """Where the book stands (`now`), and how fast this run is moving it: the work done since `start`
    (this run's first count) over `elapsed` seconds, so a cache found half full at start counts as
    done but not as speed. Other processes' work since then (shards) counts as speed: it is the rate
    the book is being finished at."""
    total = work(now.totals, weights)
    done = min(work(now.done, weights), total)
    fraction = done / total if total > 0 else 1.0
    gained = done - min(work(start.done, weights), total)
    rate = gained / elapsed if elapsed > 0 and gained > 0 else None  # work per second
    per_segment = total / now.segments if now.segments else 0.0
    return BookStatus(
        segments=now.segments, segments_done=now.segments_done, fraction=fraction, audio_seconds=now.audio_seconds,
        seconds_per_segment=per_segment / rate if rate else None,
        eta_seconds=(total - done) / rate if rate else None,
    )


def _audio_length(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def format_duration(seconds: float) -> str:
    """`45 s`, `12 min`, `3 h 40 min`, `2 d 5 h`: as precise as a reader of an ETA needs."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


class BookProgress:
    """The book's counts, kept from the cache, and this process's work between counts.

    `units`: the book's render units (anything with .number, .take and .keys {step: key}); `has(step,
    key)`: whether the cache holds the entry (a stat); `audio_seconds(key)`: a decode entry's length
    (headers only), asked once per key; `report(status)`: called after each batch this process
    finishes. Nothing is counted until the first batch starts, so a render with nothing to do never
    pays for a count.
    """

    def __init__(self, units: Iterable, has: Callable[[str, str], bool], audio_seconds: Callable[[str], Optional[float]],
                 report: Callable[[BookStatus], None], steps: tuple = tuple(PRIOR_COST), clock: Callable[[], float] = time.monotonic):
        self.steps, self._has, self._audio, self._report, self._clock = steps, has, audio_seconds, report, clock
        self._units = units  # indexed at the first count: a render with nothing to do pays nothing
        self.keys: dict[str, set] = {}
        self.segments: list[list[str]] = []  # each segment's decode keys, first take first
        # Entries do not leave the cache during a render: a key once seen is not asked about again,
        # so a count costs one stat per entry still missing
        self._present: dict[str, set] = {s: set() for s in steps}
        self._audio_of: dict[str, float] = {}  # decode key -> seconds
        self.start: Optional[BookCounts] = None
        self.started_at = 0.0
        self._counted: Optional[BookCounts] = None
        self._counted_at, self._count_cost = 0.0, 0.0
        self._since_count: dict[str, int] = {}  # step -> entries this process computed since the last count
        self._timed: dict[str, list] = {}  # step -> [entries, seconds] this process computed and timed
        self._step_clock: dict[str, float] = {}

    def recount(self) -> BookCounts:
        """Count the book from the cache: one stat per entry not yet seen, a header per new decode entry."""
        began = self._clock()
        if not self.keys:
            self._index()
        for s in self.steps:
            present = self._present[s]
            present.update([k for k in self.keys[s] - present if self._has(s, k)])
        decoded, segments_done, audio = self._present["decode"], 0, 0.0
        for takes in self.segments:
            if all(k in decoded for k in takes):
                segments_done += 1
                if takes[0] not in self._audio_of:
                    self._audio_of[takes[0]] = self._audio(takes[0]) or 0.0
                audio += self._audio_of[takes[0]]
        counts = BookCounts(
            totals={s: len(self.keys[s]) for s in self.steps},
            done={s: len(self._present[s]) for s in self.steps},
            segments=len(self.segments), segments_done=segments_done, audio_seconds=audio,
        )
        self._counted, self._since_count = counts, {}
        self._counted_at = self._clock()
        self._count_cost = self._counted_at - began
        if self.start is None:
            self.start, self.started_at = counts, self._counted_at
        return counts

    def _index(self) -> None:
        self.keys = {s: set() for s in self.steps}
        segments: dict[int, list] = {}
        for unit in sorted(self._units, key=lambda u: (u.number, u.take)):
            for s in self.steps:
                self.keys[s].add(unit.keys[s])
            segments.setdefault(unit.number, []).append(unit.keys["decode"])
        self.segments = list(segments.values())

    def status(self) -> BookStatus:
        """The last count plus what this process computed since (it was missing then)."""
        counted = self._counted or self.recount()
        done = {s: min(counted.done[s] + self._since_count.get(s, 0), counted.totals[s]) for s in self.steps}
        now = BookCounts(counted.totals, done, counted.segments, counted.segments_done, counted.audio_seconds)
        weights = step_weights({s: tuple(timed) for s, timed in self._timed.items()})
        return book_status(self.start, now, self._clock() - self.started_at, weights)

    def factory(self, inner: Optional[Callable] = None) -> Callable:
        """A progress factory for run_step (`factory(step, total) -> advance(n, done=False)`) that keeps
        the book's counts and reports the book's status, around `inner` (the per-step display) if given."""

        def make(step: str, total: int):
            advance_inner = inner(step, total) if inner else None
            if self._counted is None:  # the first step with work: where this run starts, said at once
                self.recount()
                self._report(self.status())
            self._step_clock[step] = self._clock()

            def advance(n: int, done: bool = False) -> None:
                self._note(step, n, done)  # first: a step's display, closing, shows the book as it ends
                if advance_inner:
                    advance_inner(n, done=done)

            return advance

        return make

    def _note(self, step: str, n: int, done: bool) -> None:
        if step in self.steps:  # a token step (verify's entries are not the book's work)
            now = self._clock()
            timed = self._timed.setdefault(step, [0, 0.0])
            timed[0], timed[1] = timed[0] + n, timed[1] + now - self._step_clock[step]
            self._step_clock[step] = now
            self._since_count[step] = self._since_count.get(step, 0) + n
        if done or self._clock() - self._counted_at >= max(RECOUNT_EVERY_S, RECOUNT_SHARE * self._count_cost):
            self.recount()
        self._report(self.status())
