"""Scale: planning a very long project, and rendering one with several worker processes.

(a) Plan + cache check. A generated dialogue of N one-sentence lines (20,000 segments; 2,000 with
    --quick) is planned, and the cache is filled with small but valid entries for every key the plan
    names (so "everything is cached" holds). A fresh process then times `plan.make_plan` (first without
    the split memo an earlier plan leaves in the cache, so pysbd and the tokenizer split every line,
    then with it), the cache check (`Store.has` of every step's key), and a whole
    `runner.render(shard=0/1)`, which plans, finds everything cached and renders nothing. No model is
    loaded (only the tokenizer, for splitting). Peak RSS is the process's `ru_maxrss`, imports
    (torch, ...) included.
(b) Render. A 200-segment project (40 with --quick) of short segments (max_gen_duration_s=0.2) on
    the tiny model, with 1, 2 and 4 local workers: `barkflow ... shard=i/W` processes sharing one
    fresh cache, then one plain `barkflow` run that stitches and exports (rendering nothing). Wall
    time per phase, and peak RSS per process from wait4(); the stitched audio of every worker count
    must be bit-identical.

    python bench/scale.py                  # (a) 20,000 segments, (b) 200 segments x 1, 2, 4 workers
    python bench/scale.py --quick          # (a) 2,000 segments, (b) 40 segments
    python bench/scale.py --workdir /tmp/scale   # keep the generated scripts and filled cache for the next run

Filling the cache is not timed; it skips fsync (the entries are throwaway) and reuses a --workdir's
entries. Each worker runs torch with one thread (--threads to change it): on the tiny model, more threads per
process cost more in synchronisation than they give (one worker with 2 threads took 3x as long as with 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from barkflow import runner  # noqa: E402
from barkflow.planning import build, plan  # noqa: E402
from barkflow.store.cache import Store  # noqa: E402
from bench.processes import peak_rss_mb, run_together  # noqa: E402

WORDS = ("harbour lamp door wind gull stair rope tide stone salt boat night bell glass coat map fog reef key "
         "shell").split()
SPEAKERS = ("ALICE", "BOB", "")  # "" is the narrator
STEPS = ("semantic", "coarse", "fine", "decode")


def write_script(path: Path, lines: int) -> Path:
    """`lines` one-sentence dialogue lines, all different; each is one segment."""
    if path.exists() and path.read_text(encoding="utf-8").count("\n") == lines:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(lines):
        a, b = WORDS[i % len(WORDS)], WORDS[(i // len(WORDS)) % len(WORDS)]
        speaker = SPEAKERS[i % len(SPEAKERS)]
        text = f"Line {i} speaks of the {a} and the {b}."
        out.append(f"{speaker}: {text}" if speaker else text)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def overrides(script: Path, folder: Path, *extra: str) -> list[str]:
    return [
        "project.name=scale", f"project.script={script}", f"paths.cache_dir={folder / 'cache'}",
        f"paths.output_dir={folder / 'out'}", f"paths.voices_dir={folder / 'voices'}", "device=cpu", *extra,
    ]


def make_config(options: list[str]):
    from hydra import compose, initialize_config_module

    from barkflow.planning.config import register_configs, to_config

    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        return to_config(compose(config_name="config", overrides=["projects=demo", *options]))


# ---------------------------------------------------------------------------------------------- (a) plan


def fake_entries(unit) -> dict:
    """Small arrays of the shapes and dtypes each step stores."""
    return {
        "semantic": ({"tokens": np.arange(10, dtype=np.int64)}, {"stop_reason": "eos", "text": unit.text}),
        "coarse": ({"codes": np.zeros((2, 30), dtype=np.int64)}, {}),
        "fine": ({"codes": np.zeros((8, 30), dtype=np.int64)}, {}),
        "decode": ({"audio": np.zeros(9600, dtype=np.float32)}, {}),
    }


def fill_cache(folder: Path, script: Path) -> tuple[int, float]:
    """Store a valid entry under every key the plan names; returns (entries written, seconds)."""
    started = time.perf_counter()
    config = make_config(overrides(script, folder))
    engine = build.make_engine(config)
    store = Store(config.paths.cache_dir)
    the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
    written = 0
    real_fsync, os.fsync = os.fsync, lambda fd: None  # throwaway entries: no need to wait for the disk
    try:
        for unit in the_plan.units:
            for step, (arrays, meta) in fake_entries(unit).items():
                if not store.has(step, unit.keys[step]):
                    store.save(step, unit.keys[step], arrays, dict(meta, segment=unit.segment_id))
                    written += 1
    finally:
        os.fsync = real_fsync
    return written, time.perf_counter() - started


def measure_plan(folder: Path, script: Path) -> dict:
    """Run in a fresh process: time plan, the cache check and a render that finds everything cached."""
    config = make_config(overrides(script, folder))
    engine = build.make_engine(config)
    store = Store(config.paths.cache_dir)
    rss_before = peak_rss_mb()
    cold_s = None
    memo = store.root / "split-memo.json"  # planning/memo.py SplitMemo: split results of earlier plans
    if memo.exists():  # first without it: pysbd and the tokenizer split every line
        memo.rename(memo.with_name("split-memo.json.aside"))
        started = time.perf_counter()
        plan.make_plan(config, engine, store, [REPO / "conf"])
        cold_s = time.perf_counter() - started
    started = time.perf_counter()
    the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
    planned = time.perf_counter()
    cached = sum(store.has(step, unit.keys[step]) for unit in the_plan.units for step in STEPS)
    checked = time.perf_counter()
    import dataclasses

    summary = runner.render(dataclasses.replace(config, shard="0/1"), [REPO / "conf"], engine=engine)
    rendered = time.perf_counter()
    return {
        "segments": len(the_plan.segments()), "entries": len(the_plan.units) * len(STEPS), "cached": cached,
        "plan_cold_s": cold_s, "plan_s": planned - started, "check_s": checked - planned, "render_all_cached_s": rendered - checked,
        "rendered": sum(summary.rendered.values()), "models_loaded": sorted(set(engine.loads)),
        "rss_after_imports_mb": rss_before, "peak_rss_mb": peak_rss_mb(),
    }


def bench_plan(workdir: Path, segments: int) -> dict:
    folder = workdir / f"plan-{segments}"
    script = write_script(folder / "script.txt", segments)
    written, fill_s = fill_cache(folder, script)
    result = subprocess.run(
        [sys.executable, __file__, "--measure-plan", str(folder)], capture_output=True, text=True, check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    if result.returncode:
        sys.exit(f"plan measurement failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures.update(filled=written, fill_s=fill_s)
    assert figures["cached"] == figures["entries"] and figures["rendered"] == 0, figures
    return figures


# ---------------------------------------------------------------------------------------------- (b) render


def run_processes(commands: list[list[str]], env: dict, logs: Path, name: str) -> tuple[float, list[float]]:
    """Start the commands together, wait for all; (wall seconds, peak RSS MiB of each)."""
    wall, usages = run_together(commands, logs, name, logs, env)
    return wall, [peak_rss_mb(u) for u in usages]


def origins(cache: Path) -> dict:
    """(step, key) -> who wrote the entry and when, for every entry in the cache."""
    store = Store(cache)
    return {(s, p.stem): store.origin(s, p.stem) for s in STEPS for p in (cache / s).glob("*/*.npz")}


def _read_logs(logs: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(logs.glob("shard-*.log")))


def bench_render(workdir: Path, segments: int, workers: int, threads: int) -> dict:
    folder = workdir / f"render-{segments}-w{workers}"
    script = write_script(workdir / f"render-{segments}.txt", segments)
    if folder.exists():
        import shutil

        shutil.rmtree(folder)  # a fresh cache: every configuration renders everything
    logs = folder / "logs"
    logs.mkdir(parents=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    base = [sys.executable, "-m", "barkflow.cli", "project=demo",
            *overrides(script, folder, "sampling.semantic.max_gen_duration_s=0.2", f"device.threads={threads}")]
    shards = [base + [f"shard={i}/{workers}", f"hydra.run.dir={folder / 'hydra' / str(i)}"] for i in range(workers)]
    shard_s, shard_peaks = run_processes(shards, env, logs, "shard")
    # Who computed each entry (Store.origin), and how many entries each worker says it computed.
    computed = origins(folder / "cache")
    said = sum(int(n) for n in re.findall(r"\b(?:semantic|coarse|fine|decode)\s+(\d+)\s+new/", _read_logs(logs)))
    assert len(computed) == said == segments * len(STEPS), "an entry was computed twice, or is missing"
    stitch_s, (stitch_peak,) = run_processes([base + [f"hydra.run.dir={folder / 'hydra' / 'stitch'}"]], env, logs, "stitch")
    assert origins(folder / "cache") == computed, "the stitch run rendered"
    return {
        "workers": workers, "threads": threads, "shards_s": shard_s, "stitch_s": stitch_s, "total_s": shard_s + stitch_s,
        "worker_peak_rss_mb": max(shard_peaks), "workers_rss_sum_mb": sum(shard_peaks), "stitch_peak_rss_mb": stitch_peak,
        "audio": (folder / "out" / "scale.wav").read_bytes(),
    }


# ---------------------------------------------------------------------------------------------- main


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 segments to plan, 40 to render")
    parser.add_argument("--segments", type=int, help="segments to plan (default 20,000; 2,000 with --quick)")
    parser.add_argument("--render-segments", type=int, help="segments to render (default 200; 40 with --quick)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to render with, e.g. 1,2,4")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker (0: cores // workers)")
    parser.add_argument("--workdir", type=Path, help="keep scripts and the filled cache here (default: a temp folder)")
    parser.add_argument("--skip-plan", action="store_true")
    parser.add_argument("--skip-render", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--measure-plan", type=Path, help=argparse.SUPPRESS)  # the child of (a)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.measure_plan:
        print(json.dumps(measure_plan(args.measure_plan, args.measure_plan / "script.txt")))
        return

    segments = args.segments or (2_000 if args.quick else 20_000)
    render_segments = args.render_segments or (40 if args.quick else 200)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="barkflow-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    figures: dict = {"cores": os.cpu_count()}
    if not args.skip_plan:
        plan = figures["plan"] = bench_plan(workdir, segments)
        print(f"\n(a) plan + cache check, {plan['segments']:,} segments ({plan['entries']:,} cache entries; "
              f"{plan['filled']:,} filled in {plan['fill_s']:.0f} s, untimed)")
        if plan["plan_cold_s"] is not None:
            print(f"  {'plan, no split memo':<28}{plan['plan_cold_s']:>8.2f} s   (pysbd + tokenizer on every line)")
        print(f"  {'plan':<28}{plan['plan_s']:>8.2f} s")
        print(f"  {'cache check (has x4)':<28}{plan['check_s']:>8.2f} s")
        print(f"  {'render, all cached':<28}{plan['render_all_cached_s']:>8.2f} s   (rendered {plan['rendered']}, "
              f"loaded: {', '.join(plan['models_loaded']) or 'nothing'})")
        print(f"  {'peak RSS':<28}{plan['peak_rss_mb']:>8.0f} MiB (after imports: {plan['rss_after_imports_mb']:.0f} MiB)")
    if not args.skip_render:
        rows = []
        for workers in (int(w) for w in args.workers.split(",")):
            threads = args.threads or max(1, (os.cpu_count() or 1) // workers)
            rows.append(bench_render(workdir, render_segments, workers, threads))
            print(f"  ... {workers} worker(s) done in {rows[-1]['total_s']:.0f} s", file=sys.stderr)
        same = all(row["audio"] == rows[0]["audio"] for row in rows)
        print(f"\n(b) render {render_segments} segments (tiny model, max_gen_duration_s=0.2) on {os.cpu_count()} cores; "
              f"stitched audio identical across worker counts: {'yes' if same else 'NO'}")
        print(f"  {'workers':>7} {'threads':>7} {'shards s':>9} {'stitch s':>9} {'total s':>8} "
              f"{'worker RSS':>11} {'sum RSS':>8} {'stitch RSS':>11}")
        for r in rows:
            print(f"  {r['workers']:>7} {r['threads']:>7} {r['shards_s']:>9.1f} {r['stitch_s']:>9.1f} {r['total_s']:>8.1f} "
                  f"{r['worker_peak_rss_mb']:>8.0f} MiB {r['workers_rss_sum_mb']:>4.0f} MiB {r['stitch_peak_rss_mb']:>7.0f} MiB")
        figures["render"] = [{k: v for k, v in r.items() if k != "audio"} for r in rows]
        figures["render_identical"] = same
        if not same:
            sys.exit("the stitched audio differs between worker counts")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    print(f"\nworkdir: {workdir}")


if __name__ == "__main__":
    main()
