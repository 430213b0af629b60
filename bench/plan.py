"""Plan and cache-check a large project with everything cached: the cost of a no-op rerun.

    python bench/plan.py                 # a 2,000-line dialogue script
    python bench/plan.py --lines 20000
    python bench/plan.py --normalize     # a 120,000-word novel planned cold with normalisation off and on

Writes a dialogue script, plans it once to learn every cache key, fills the cache with small
valid entries for all of them (no model runs), then times a fresh plan plus the cache check the
way a rerun does it, and checks that no model was loaded.

With --normalize it writes a generated novel (bench/novel.py's, with numbers, sums, years and
abbreviations) as prose and plans it cold (a fresh cache each time: no split memo) with
`project.normalize` false and true, alternating in one process so a loaded machine weighs on both
alike, and prints the ratio of the best times (the target: normalisation within 1.5x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hydra import compose, initialize_config_module  # noqa: E402

from barkflow.planning import build, plan  # noqa: E402
from barkflow.planning.config import register_configs, to_config  # noqa: E402
from barkflow.store.cache import Store  # noqa: E402
from bench.processes import peak_rss_mb  # noqa: E402

SENTENCES = [
    "The lamp turned all night over the grey water.",
    "Did you hear that? Something is moving on the rocks.",
    "It is only the wind, and it is always the wind.",
    "Then why is the door open, and who left the light on?",
    "Nobody had climbed the stairs in years, or so they said.",
]


def write_script(path: Path, lines: int) -> Path:
    speakers = ["narrator", "ALICE", "BOB"]
    rows = []
    for i in range(lines):
        speaker = speakers[i % 3]
        text = f"{SENTENCES[i % len(SENTENCES)]} This is line {i}."
        rows.append(text if speaker == "narrator" else f"{speaker}: {text}")
        if i % 40 == 39:
            rows.append(f"\n# Chapter {i // 40 + 2}\n")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def make_config(tmp: Path, script: Path, extra=()):
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=[
                "projects=demo", f"project.script={script}", "project.format=dialogue", f"paths.cache_dir={tmp / 'cache'}",
                f"paths.output_dir={tmp / 'out'}", f"paths.voices_dir={tmp / 'voices'}", "device=cpu", *extra,
            ],
        )
    return to_config(cfg)


def fill_cache(the_plan: plan.Plan, store: Store) -> None:
    """Small but valid artifacts under every key, as if the project had been rendered."""
    frames = 15
    arrays = {
        "semantic": {"tokens": np.arange(10, dtype=np.int64)},
        "coarse": {"codes": np.zeros((2, frames), dtype=np.int64)},
        "fine": {"codes": np.zeros((8, frames), dtype=np.int64)},
        "decode": {"audio": np.zeros(frames * 320, dtype=np.float32)},
    }
    for unit in the_plan.units:
        for step, key in unit.keys.items():
            store.save(step, key, arrays[step], {"stop_reason": "eos"} if step == "semantic" else None)


def normalize_ratio(words: int, rounds: int) -> float:
    """The best cold plan's seconds with normalisation on over off (see the module's docstring)."""
    from bench.novel import novel_text

    best = {False: float("inf"), True: float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chapters = novel_text(words, max(1, words // 2000))
        script = tmp / "novel.txt"
        script.write_text("\n\n".join(f"# {title}\n\n" + "\n\n".join(paragraphs) for title, paragraphs in chapters)
                          + "\n", encoding="utf-8")
        warm = tmp / "warm.txt"  # load the tokenizer, pysbd and the normaliser outside the timing
        warm.write_text(" ".join(chapters[0][1][:3]) + "\n", encoding="utf-8")
        plan.make_plan(make_config(tmp / "warm", warm, ["project.format=prose", "project.normalize=true"]),
                       build.make_engine(make_config(tmp / "warm", warm)), Store(tmp / "warm" / "cache"), [REPO / "conf"])
        for run in range(2 * rounds):
            normalize = bool(run % 2)
            config = make_config(tmp / f"run{run}", script, ["project.format=prose", f"project.normalize={normalize}"])
            engine = build.make_engine(config)
            start = time.perf_counter()
            the_plan = plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])
            seconds = time.perf_counter() - start
            best[normalize] = min(best[normalize], seconds)
            print(f"normalize={str(normalize).lower():5} {seconds:6.2f} s, {len(the_plan.segments())} segments; "
                  f"{the_plan.words.line()}", flush=True)
    ratio = best[True] / best[False]
    print(f"{words:,} words, cold plans, best of {rounds}: off {best[False]:.2f} s, on {best[True]:.2f} s, "
          f"ratio {ratio:.2f}x (target: within 1.5x)")
    return ratio


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--normalize", action="store_true", help="time cold plans with normalisation off and on")
    parser.add_argument("--words", type=int, default=120_000, help="the novel's words (with --normalize)")
    parser.add_argument("--rounds", type=int, default=2, help="plans of each kind, alternating (with --normalize)")
    args = parser.parse_args(argv)
    if args.normalize:
        normalize_ratio(args.words, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        script = write_script(tmp / "script.txt", args.lines)
        config = make_config(tmp, script)
        store = Store(config.paths.cache_dir)
        start = time.perf_counter()
        fill_cache(plan.make_plan(config, build.make_engine(config), store, [REPO / "conf"]), store)
        print(f"filled the cache in {time.perf_counter() - start:.1f} s", flush=True)

        engine = build.make_engine(config)  # fresh: nothing loaded yet
        start = time.perf_counter()
        the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
        planned = time.perf_counter() - start
        rows = plan.plan_table(the_plan, store)
        total = time.perf_counter() - start
        cached = sum(len(r["cached"]) == 4 for r in rows)
        peak_mb = peak_rss_mb()
        print(
            f"{args.lines} lines -> {len(rows)} segments: plan {planned:.2f} s, plan + cache check {total:.2f} s "
            f"({total / len(rows) * 1000:.2f} ms per segment); fully cached {cached}/{len(rows)}; "
            f"loaded: {', '.join(engine.loads) or 'nothing'} (no model); peak RSS {peak_mb:.0f} MB"
        )
        assert cached == len(rows) and not set(engine.loads) - {"tokenizer"}


if __name__ == "__main__":
    main()
