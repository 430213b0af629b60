"""A whole novel, end to end on the tiny model: what the pipeline (not the model) costs at book scale.

    python bench/novel.py                      # a generated 120,000-word EPUB, 60 chapters (20+ minutes on 2 cores)
    python bench/novel.py --quick              # 1,200 words, 3 chapters: a smoke run (about 2 minutes)
    python bench/novel.py --words 30000        # a smaller book
    python bench/novel.py --text pg1342.txt    # a novel of your own (plain text; `#` or CHAPTER lines start chapters)
    python bench/novel.py --json novel.json    # the figures as JSON too
    python bench/novel.py --workdir W --rerun  # only the memo plan and the no-op rerun again, in W's finished run

It writes the book as an EPUB (ebooklib), a project for it (export=audiobook: an m4b with every
chapter, an mp3 per chapter, SRT and VTT; `sampling.semantic.max_gen_duration_s` tiny, so each
segment's model time is small) and runs each phase as its own `barkflow` process, timing its wall
time and reading its peak RSS from wait4():

  plan cold        `plan=true` on an empty cache: every line split by pysbd and the tokenizer
  plan memo        `plan=true` again: the split memo the first plan left answers every line
  render xW        W worker processes (`shard=i/W`) rendering into one cache, W = 1 and 2
  stitch+export    one plain run over the filled cache: stitch, m4b, mp3s, subtitles, manifest,
                   review clips and page (renders nothing)
  review page      the review page alone, from the manifest (barkflow.reviewing.review.write_page)
  studio start     Studio(...).start() until its first render (everything cached) is done
  no-op rerun      the plain run again: everything cached, every output up to date (--repeat
                   times: the median, with the fastest and slowest)

The package's bytecode is compiled first, as installing a wheel does (a checkout run with
PYTHONDONTWRITEBYTECODE set would otherwise compile every module in every phase, about 0.9 s on
the 2-core machine). With 2 workers the cache starts empty but for the split memo. Both worker counts must stitch the
same audio, byte for byte. Then it prints the cache's entries and bytes per step, the manifest's
size and the review page's weight.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from barkflow.publishing.clips import REVIEW_DIR  # noqa: E402
from bench.processes import peak_rss_mb, run_together  # noqa: E402

BARKFLOW = Path(sys.executable).with_name("barkflow")

NAMES = ["Hale", "Marlow", "Bennet", "Darcy", "Ashby", "Thorne", "Weston", "Price"]
FIRST = ["Anne", "Clara", "Edmund", "Henry", "Lydia", "Martha", "Robert", "Susan"]
NOUNS = ("harbour lamp door wind letter stair rope tide stone garden carriage window bell glass coat map "
         "fog field house road river bridge candle book chair table").split()
ADJ = "grey quiet old narrow bright cold heavy distant small broken warm silent".split()
VERBS = "watched crossed opened carried found remembered followed answered closed held".split()


def novel_text(words: int, chapters: int, seed: int = 7) -> list[tuple[str, list[str]]]:
    """Chapters of paragraphs, deterministic: narration, dialogue with attributions, numbers, years,
    sums and abbreviations, so splitting, quotes and normalisation all have work to do."""
    rng = random.Random(seed)

    def person() -> str:
        return rng.choice(["Mr.", "Mrs.", "Miss", "Dr."]) + " " + rng.choice(NAMES)

    def sentence() -> str:
        a, n = rng.choice(ADJ), rng.choice(NOUNS)
        kind = rng.randrange(6)
        if kind == 0:
            return f"{rng.choice(FIRST)} {rng.choice(VERBS)} the {a} {n} and the {rng.choice(NOUNS)} beyond it."
        if kind == 1:
            return (f"\u201cHave you seen the {n}?\u201d asked {person()}. \u201cIt was here at "
                    f"{rng.randrange(1, 12)} o'clock, and now it is gone.\u201d")
        if kind == 2:
            return f"In {rng.randrange(1780, 1830)} the {n} had cost {rng.randrange(2, 900)} pounds, or so {person()} said."
        if kind == 3:
            return f"\u201cNo,\u201d said {rng.choice(FIRST)}, \u201cthe {a} {n} is not mine to give.\u201d"
        if kind == 4:
            return (f"There were {rng.randrange(3, 60)} of them on the {n}, {rng.randrange(2, 9)} more by the "
                    f"{rng.choice(NOUNS)}, and nobody counted the rest.")
        return f"The {a} {n} {rng.choice(VERBS)} nothing, as it had for {rng.randrange(2, 40)} years."

    per_chapter = max(1, words // chapters)
    book = []
    for c in range(1, chapters + 1):
        paragraphs, count = [], 0
        while count < per_chapter:
            paragraph = " ".join(sentence() for _ in range(rng.randrange(2, 6)))
            paragraphs.append(paragraph)
            count += len(paragraph.split())
        book.append((f"Chapter {c}", paragraphs))
    return book


def text_file_chapters(path: Path, words: int) -> list[tuple[str, list[str]]]:
    """A plain-text novel: `# Title` or `CHAPTER ...` lines start chapters, blank lines part paragraphs;
    cut to about `words` words (0: all of it)."""
    book: list[tuple[str, list[str]]] = [("Opening", [])]
    count = 0
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8-sig")):
        block = " ".join(block.split())
        if not block:
            continue
        if block.startswith("#") or re.match(r"(?i)chapter\b\S*\s*\S{0,12}$", block):
            book.append((block.lstrip("# "), []))
            continue
        book[-1][1].append(block)
        count += len(block.split())
        if words and count >= words:
            break
    return [(title, paras) for title, paras in book if paras]


def write_epub(book: list[tuple[str, list[str]]], out: Path) -> Path:
    from xml.sax.saxutils import escape

    from ebooklib import epub

    e = epub.EpubBook()
    e.set_identifier("barkflow-bench-novel")
    e.set_title("The Bench Novel")
    e.set_language("en")
    e.add_author("barkflow bench")
    items = []
    for n, (title, paragraphs) in enumerate(book, start=1):
        item = epub.EpubHtml(uid=f"ch{n}", title=title, file_name=f"ch{n}.xhtml", lang="en")
        item.content = (f"<html><head><title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
                        + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</body></html>")
        e.add_item(item)
        items.append(item)
    e.toc = [epub.Link(i.file_name, i.title, i.id) for i in items]
    e.add_item(epub.EpubNcx())
    e.add_item(epub.EpubNav())
    e.spine = ["nav", *items]
    epub.write_epub(str(out), e, {"epub3_pages": False})
    return out


PROJECT = """# @package _global_
defaults:
  - override /export: audiobook
project:
  name: novel
  script: novel.epub
  normalize: true
  cast:
    narrator: v2/en_speaker_0
export:
  subtitles: [srt, vtt]
"""


def overrides(work: Path, cache: str, out: str, threads: int, max_gen: float) -> list[str]:
    return ["project=novel", f"paths.cache_dir={work / cache}", f"hydra.run.dir={work / out}",
            f"paths.voices_dir={work / 'voices'}", "device=cpu", f"device.threads={threads}",
            f"sampling.semantic.max_gen_duration_s={max_gen}"]


def run_phases(commands: list[list[str]], work: Path, name: str) -> tuple[float, float, float]:
    """Run the commands at once, in `work`; (wall seconds, the largest peak RSS in MB of any of them,
    CPU seconds of them all: on a loaded machine the CPU time says more than the wall time)."""
    wall, usages = run_together(commands, work / "logs", name, work, dict(os.environ, PYTHONUNBUFFERED="1"))
    return wall, max(map(peak_rss_mb, usages)), sum(u.ru_utime + u.ru_stime for u in usages)


def cache_stats(cache: Path) -> dict:
    stats = {}
    for folder in sorted(p for p in cache.iterdir() if p.is_dir()):
        files = [p for p in folder.rglob("*") if p.is_file()]
        stats[folder.name] = {"entries": sum(p.suffix == ".npz" for p in files), "bytes": sum(p.stat().st_size for p in files)}
    memo = cache / "split-memo.json"
    if memo.exists():
        stats["split-memo.json"] = {"entries": 1, "bytes": memo.stat().st_size}
    return stats


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


STUDIO_PROBE = """
import sys, time, json
started = time.perf_counter()
from hydra import compose, initialize_config_module
from barkflow.planning.config import register_configs, to_config
from barkflow.studio.session import Studio
register_configs()
with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
    cfg = compose(config_name="config", overrides=sys.argv[1:])
from pathlib import Path
studio = Studio(to_config(cfg), [Path("conf").resolve()]).start()
up = time.perf_counter() - started
assert studio.wait_idle(3600)
studio.stop()
print(json.dumps({"up_s": up, "first_render_s": time.perf_counter() - started, "status": studio.status}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=120_000)
    parser.add_argument("--chapters", type=int, default=60)
    parser.add_argument("--text", type=Path, help="a plain-text novel to read instead of the generated one")
    parser.add_argument("--quick", action="store_true", help="1,200 words in 3 chapters")
    parser.add_argument("--workers", default="1,2", help="worker counts to render with (default 1,2)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker")
    parser.add_argument("--max-gen", type=float, default=0.2, help="sampling.semantic.max_gen_duration_s")
    parser.add_argument("--workdir", type=Path, help="keep the book, caches and outputs here")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--repeat", type=int, default=5, help="no-op reruns timed (default 5)")
    parser.add_argument("--rerun", action="store_true",
                        help="in --workdir's finished run, time only the memo plan and the no-op rerun again")
    args = parser.parse_args()
    if args.quick:
        args.words, args.chapters = 1_200, 3
    if args.rerun and not (args.workdir and (args.workdir / "out-1" / "manifest.json").exists()):
        sys.exit("--rerun needs --workdir of a finished run (its out-1/manifest.json)")
    compileall.compile_dir(REPO / "barkflow", quiet=1)  # what installing the wheel does
    work = args.workdir or Path(tempfile.mkdtemp(prefix="barkflow-novel-"))
    work.mkdir(parents=True, exist_ok=True)
    phases: dict = {}

    def phase(name: str, *commands: list[str], repeat: int = 1) -> None:
        runs = [run_phases(list(commands), work, name) for _ in range(repeat)]
        wall, peak, cpu = (statistics.median(run[i] for run in runs) for i in range(3))
        phases[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak)}
        spread = ""
        if repeat > 1:
            walls = [run[0] for run in runs]
            phases[name].update(runs=repeat, wall_min_s=round(min(walls), 2), wall_max_s=round(max(walls), 2))
            spread = f" (median of {repeat}: {min(walls):.1f} to {max(walls):.1f} s)"
        print(f"  {name:<20} {wall:8.1f} s wall {cpu:8.1f} s CPU {peak:6.0f} MB peak RSS   "
              f"(load {os.getloadavg()[0]:.1f}){spread}", flush=True)

    bark = [str(BARKFLOW)]
    if args.rerun:
        base = overrides(work, "cache-1", "out-1", args.threads, args.max_gen)
        run_phases([bark + base], work, "warm-up")  # not timed: brings the run up to date with this code
        phase("plan memo", bark + base + ["plan=true"], repeat=args.repeat)
        phase("no-op rerun", bark + base, repeat=args.repeat)
        if args.json:
            args.json.write_text(json.dumps({"phases": phases}, indent=2), encoding="utf-8")
        return
    for stale in ("cache-1", "cache-2", "out-1", "out-2", "logs"):
        shutil.rmtree(work / stale, ignore_errors=True)
    book = text_file_chapters(args.text, args.words) if args.text else novel_text(args.words, args.chapters)
    write_epub(book, work / "novel.epub")
    (work / "conf" / "projects").mkdir(parents=True, exist_ok=True)
    (work / "conf" / "projects" / "novel.yaml").write_text(PROJECT, encoding="utf-8")
    words = sum(len(p.split()) for _, ps in book for p in ps)
    print(f"book: {words:,} words, {len(book)} chapters, EPUB {(work / 'novel.epub').stat().st_size:,} bytes; "
          f"work folder {work}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)

    workers = [int(w) for w in args.workers.split(",")]
    for w in workers:
        cache, out = f"cache-{w}", f"out-{w}"
        base = overrides(work, cache, out, args.threads, args.max_gen)
        if w == workers[0]:
            phase("plan cold", bark + base + ["plan=true"])
            phase("plan memo", bark + base + ["plan=true"])
            first_cache = work / cache
        else:  # the split memo carries over: this measures rendering, not splitting again
            (work / cache).mkdir()
            shutil.copy(first_cache / "split-memo.json", work / cache / "split-memo.json")
        phase(f"render x{w}", *(bark + base + [f"shard={i}/{w}"] for i in range(w)))
        phase(f"stitch+export x{w}", bark + base)
    base = overrides(work, f"cache-{workers[0]}", f"out-{workers[0]}", args.threads, args.max_gen)
    out_dir = work / f"out-{workers[0]}"
    phase("review page", [sys.executable, "-c", f"from barkflow.reviewing.review import write_page; write_page({str(out_dir)!r})"])
    # compose() takes the group's own name, and there is no Hydra run here to name the output folder
    probe = [a.replace("hydra.run.dir=", "paths.output_dir=").replace("project=", "projects=") for a in base]
    phase("studio start", [sys.executable, "-c", STUDIO_PROBE, *probe])
    phase("no-op rerun", bark + base, repeat=args.repeat)
    studio = json.loads((work / "logs" / "studio start-0.log").read_text().strip().splitlines()[-1])
    phases["studio start"]["up_s"] = round(studio["up_s"], 2)

    digests = {w: hashlib.sha256(b"".join(p.read_bytes() for p in sorted((work / f"out-{w}").glob("*.m4b")))).hexdigest()
               for w in workers}
    same = len(set(digests.values())) == 1
    manifest = out_dir / "manifest.json"
    review = out_dir / "review.html"
    figures = {
        "words": words, "chapters": len(book), "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
        "phases": phases, "cache": cache_stats(work / f"cache-{workers[0]}"),
        "manifest_bytes": manifest.stat().st_size, "review_page_bytes": review.stat().st_size,
        "review_clips_bytes": folder_bytes(out_dir / REVIEW_DIR), "outputs": sorted(p.name for p in out_dir.iterdir()),
        "same_audio_across_workers": same,
    }
    segments = len(json.loads(manifest.read_text())["segments"])
    figures["segments"] = segments
    print(f"segments: {segments:,}; same m4b with {' and '.join(map(str, workers))} workers: {same}")
    for step, s in figures["cache"].items():
        print(f"  cache {step:<16} {s['entries']:7,} entries {s['bytes'] / 1e6:9.1f} MB")
    print(f"  manifest.json {figures['manifest_bytes'] / 1e6:.2f} MB; review.html {figures['review_page_bytes'] / 1e6:.2f} MB "
          f"(+ clips {figures['review_clips_bytes'] / 1e6:.1f} MB); studio up in {studio['up_s']:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if not same:
        sys.exit("the stitched audio differs between worker counts")


if __name__ == "__main__":
    main()
