"""The review page: see, hear and pick takes in a browser, from a static `review.html`.

Every render writes, beside its outputs and the review clips (publishing/clips.py):
- `review.html`: the script's segments in book order, grouped by chapter, with speaker, text and
  duration, a player for the segment as stitched and one per take, a waveform per take, the
  automatic checks, and radio buttons that build the picks file the runner reads
  (`{"picks": {segment_uid: take}}`): Download or Copy it, save it as `picks.json` in the output
  folder, run barkflow again, and it re-stitches with the picked takes without rendering;
- the page reads the checks from `manifest.json` (publishing/clips.py sets them; this module only
  reads the manifest): `segments[i]["checks"]` (the picked take's checks) and
  `segments[i]["review_takes"]` (every take's clip and checks).
- with the transcript check on (publish.py sets `verify` on segments and `review_takes`), each
  take also shows what was heard (extra words marked), the missing words struck out and its WER;
  segments whose picked take failed get a "failed" badge, and the page can show only those or
  sort the segments by worst WER.

A sweep gets one page comparing its jobs' takes of the same segments side by side:
`write_sweep_review(sweep_dir)`, run at the end of a multirun by `SweepReviewCallback`
(conf/hydra/callbacks/review.yaml), or by hand: `python -m barkflow.reviewing.review SWEEP_DIR`. With the
transcript check on, each take there shows it as on a render's page, and each job's header how many
segments passed and fail.

The automatic checks on each take are barkflow/steps/checks.py's.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import sys
from pathlib import Path
from typing import Optional
from urllib.parse import quote

import numpy as np
from hydra.experimental.callback import Callback

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.errors import BarkflowError
from barkflow.publishing import clips
from barkflow.publishing.clips import INDEX as CLIP_INDEX
from barkflow.publishing.clips import REVIEW_DIR, clip_peaks
from barkflow.reviewing import window
from barkflow.reviewing.window import LIST_SCRIPT, WINDOW_CSS
from barkflow.steps import checks
from barkflow.steps.checks import CLIP_LEVEL, EDGE_SILENCE_S, INNER_SILENCE_S, SILENCE_DB, TOO_LONG, TOO_SHORT
from barkflow.store.files import parse_yaml, read_json_object, write_text_atomic
from barkflow.store.keys import code_key

log = logging.getLogger(__name__)

PAGE = "review.html"
WAVE_POINTS = 60  # the page's waveforms: 240 px wide, a point every 4 px
_PAGE_CODE = tuple(Path(module.__file__) for module in (sys.modules[__name__], window, clips, checks))  # in the page's stamp


# --- waveform ------------------------------------------------------------------------------


def waveform_svg(peaks: list[float], width: int = 240, height: int = 36) -> str:
    """An inline SVG of the envelope, mirrored around the middle line."""
    mid = height / 2
    if peaks:
        step = width / max(1, len(peaks) - 1)
        top = [f"{i * step:.1f},{mid - p * mid:.1f}" for i, p in enumerate(peaks)]
        bottom = [f"{i * step:.1f},{mid + p * mid:.1f}" for i, p in reversed(list(enumerate(peaks)))]
        shape = f'<polygon points="{" ".join(top + bottom)}"/>'
    else:
        shape = ""
    return (
        f'<svg class="wave" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="waveform"><line x1="0" y1="{mid}" x2="{width}" y2="{mid}"/>{shape}</svg>'
    )


# --- writing a render's review ------------------------------------------------------------


def write_page(out_dir: Path) -> Path:
    """`review.html` for the render in `out_dir`, from its manifest and its clips' index (read only).
    A page whose stamp says it was made from the same inputs by the same code is kept as it is: a
    novel's page takes half a second to make, and a rerun that changed nothing should not."""
    out_dir = Path(out_dir)
    manifest_path, path = out_dir / "manifest.json", out_dir / PAGE
    stamp = _inputs_stamp(out_dir)
    if stamp is not None and _stamp_of(path) == stamp:
        log.info("review page: %s (up to date)", path)
        return path
    manifest = read_json_object(manifest_path)
    if not manifest:
        raise BarkflowError(f"review: {manifest_path} is missing or unreadable; run barkflow again")
    page = render_page(manifest, clip_peaks(out_dir), line_audio_sources(manifest, out_dir))
    if stamp is not None:  # after the doctype: a comment before it puts old browsers in quirks mode
        doctype, _, rest = page.partition("\n")
        page = f"{doctype}\n{_STAMP_OPEN}{stamp} -->\n{rest}"
    write_text_atomic(path, page)
    log.info("review page: %s", path)
    return path


_STAMP_OPEN = "<!-- barkflow review inputs: "


def _inputs_stamp(out_dir: Path) -> Optional[str]:
    """A digest of everything the page is made from: the manifest's and the clip index's bytes, which
    chapter masters exist (the segments' players point into them) and the code that draws the page."""
    digest = hashlib.sha256(code_key(_PAGE_CODE).encode())
    try:
        for path in (out_dir / "manifest.json", out_dir / REVIEW_DIR / CLIP_INDEX):
            data = path.read_bytes() if path.is_file() else b""
            digest.update(b"%d:" % len(data) + data)
    except OSError:
        return None
    masters = sorted(p.name for p in (out_dir / "master").glob("chapter_*.wav")) if (out_dir / "master").is_dir() else []
    digest.update("\0".join(masters).encode())
    return digest.hexdigest()


def _stamp_of(page: Path) -> Optional[str]:
    try:
        with page.open("rb") as f:
            head = f.read(256).decode("utf-8", "replace").split("\n")
    except OSError:
        return None
    if len(head) > 1 and head[1].startswith(_STAMP_OPEN) and head[1].endswith(" -->"):
        return head[1][len(_STAMP_OPEN):-4]
    return None


def line_audio_sources(manifest: dict, out_dir: Path) -> dict:
    """uid -> the segment as stitched: its span of the chapter master (a media fragment)."""
    rate = manifest.get("sample_rate", SAMPLE_RATE)
    offsets = np.cumsum([0] + [c["samples"] for c in manifest.get("chapters", [])]).tolist()
    sources = {}
    for s in manifest["segments"]:  # chapters count from 1, as on the page
        master = f"master/chapter_{s['chapter']:03d}.wav"
        if s.get("start_sample") is None or not 1 <= s["chapter"] < len(offsets) or not (out_dir / master).is_file():
            continue
        offset = offsets[s["chapter"] - 1]
        start, end = (s["start_sample"] - offset) / rate, (s["end_sample"] - offset) / rate
        sources[s["uid"]] = f"{master}#t={start:.3f},{end:.3f}"
    return sources


# --- the page -----------------------------------------------------------------------------


def escape_html(value) -> str:
    return html.escape(str(value), quote=True)


def file_url(path: str) -> str:
    """A relative URL for a file path (a media fragment after '#' is kept)."""
    path, _, fragment = path.partition("#")
    return escape_html(quote(path) + (f"#{fragment}" if fragment else ""))


def script_json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _flags_html(checks: Optional[dict]) -> str:
    if checks is None:
        return '<ul class="flags"><li class="bad">no audio</li></ul>'
    flags = checks.get("flags") or {}
    if not flags:
        return '<ul class="flags"><li class="ok">checks ok</li></ul>'
    items = "".join(f'<li class="bad" data-check="{escape_html(k)}">{escape_html(v)}</li>' for k, v in flags.items())
    return f'<ul class="flags">{items}</ul>'


def _verify_html(verify: Optional[dict]) -> str:
    """What the recogniser heard, its extra words marked <ins>, the missing words struck <del>, the WER."""
    if not verify:
        return ""
    extra = [str(w) for w in verify.get("extra") or []]
    words = []
    for word in str(verify.get("transcript", "")).split():
        # The diff's words are normalised; the nearest match in the raw transcript is marked.
        bare = re.sub(r"[^\w']", "", word.lower())
        if bare in extra:
            extra.remove(bare)
            words.append(f"<ins>{escape_html(word)}</ins>")
        else:
            words.append(escape_html(word))
    words += [f"<ins>{escape_html(w)}</ins>" for w in extra]  # extra words not found as written
    lines = [f'<p class="heard">heard: {" ".join(words) or "(nothing)"}</p>']
    if verify.get("missing"):
        lines.append(f'<p class="missing">missing: {" ".join(f"<del>{escape_html(w)}</del>" for w in verify["missing"])}</p>')
    if verify.get("substituted"):
        pairs = ", ".join(f"<del>{escape_html(said)}</del> → <ins>{escape_html(got)}</ins>" for said, got in verify["substituted"])
        lines.append(f'<p class="substituted">substituted: {pairs}</p>')
    passed, failures = verify.get("passed"), [str(f) for f in verify.get("failures") or []]
    outcome = "" if passed is None else " (passed)" if passed else f" (failed{': ' + ', '.join(failures) if failures else ''})"
    lines.append(f'<p class="wer {"ok" if passed else "bad"}">WER {float(verify.get("wer", 0)):.2f}{escape_html(outcome)}</p>')
    return f'<div class="verify">{"".join(lines)}</div>'


def verify_counts(segments: list[dict]) -> Optional[dict]:
    """How many segments' picked takes passed and failed the transcript check ({"passed", "failed",
    "unchecked"}), or None when no take carries a verify result (verify=none: the pages show nothing of it)."""
    if not any(s.get("verify") or any(t.get("verify") for t in s.get("review_takes", [])) for s in segments):
        return None
    outcomes = [(s.get("verify") or {}).get("passed") for s in segments]
    return {"passed": outcomes.count(True), "failed": outcomes.count(False),
            "unchecked": sum(1 for o in outcomes if o is None)}


def _seconds(segment: dict, rate: int) -> Optional[float]:
    if segment.get("start_sample") is not None and segment.get("end_sample") is not None:
        return (segment["end_sample"] - segment["start_sample"]) / rate
    return (segment.get("checks") or {}).get("seconds")


def render_page(manifest: dict, peaks: dict, line_audio: dict) -> str:
    """The review page of one render: a pure function of its manifest (with review_takes), the
    waveform envelope of each clip (clip path -> peaks) and the stitched span of each segment.
    The segments travel as data (`segment_data`); window.py's script draws the rows near the viewport."""
    segments = manifest["segments"]
    rate = manifest.get("sample_rate", SAMPLE_RATE)
    picks = {s["uid"]: s["take"] for s in segments}
    picks_text = json.dumps({"picks": picks}, indent=1)
    flagged = sum(1 for s in segments if (s.get("checks") or {}).get("flags"))
    name = manifest.get("project", "")
    counts = verify_counts(segments)
    verified, failed = counts is not None, (counts or {}).get("failed", 0)
    summary = (f"{len(segments)} segments, {segments[0]['takes'] if segments else 0} take(s) each, "
               f"{manifest.get('audio_seconds', 0):.1f} s of audio; {flagged} segment(s) flagged by the checks"
               + (f"; {failed} segment(s) failed the transcript check" if verified else ""))
    header = _REVIEW_HEADER.format(picks_text=escape_html(picks_text), thresholds=THRESHOLDS_HTML)
    return page_shell(
        title=f"Review: {name}", project=name, summary=summary, header=header, css=PAGE_CSS, verified=verified,
        changed_label="only picked (differs from this render)", script=_SCRIPT,
        data={"segments-data": [segment_data(s, peaks, line_audio.get(s["uid"]), rate) for s in segments],
              "chapters-data": chapters_data(manifest), "picks-data": picks},
    )


def chapters_data(manifest: dict) -> list:
    """[[number, title]] of each chapter the segments are in (chapters count from 1, as on the page)."""
    chapters = manifest.get("chapters", [])
    numbers = sorted({s["chapter"] for s in manifest.get("segments", [])})
    return [[n, str(chapters[n - 1].get("title", "")) if 1 <= n <= len(chapters) else ""] for n in numbers]


def encode_peaks(peaks: list, points: int = WAVE_POINTS) -> str:
    """A waveform envelope as one base-36 digit per point (0..z for 0..1), `points` long at most:
    a 5,000-segment page carries its waveforms in a few hundred kilobytes."""
    try:
        values = np.asarray(peaks, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):  # a damaged index entry: no waveform, the rest of the page stands
        return ""
    values = np.clip(np.nan_to_num(values), 0.0, 1.0)
    if values.size > points:  # the loudest of each stretch, as the envelope itself is made
        values = np.maximum.reduceat(values, np.arange(points) * values.size // points)
    return _BASE36[np.rint(values * 35).astype(np.intp)].tobytes().decode("ascii")


_BASE36 = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype="S1")


def segment_data(s: dict, peaks: dict, line_src: Optional[str], rate: int) -> dict:
    """One segment as the page's script draws it, with only what the page shows, in short keys:
    u uid, i id, c chapter, s speaker, x text, d seconds, k the rendered take, a the player's source
    (the stitched span, or the rendered take's clip), f flagged, F failed the transcript check,
    w its WER; t the takes: n number, p clip, d seconds, g flags (null: no audio), w waveform, v verify."""
    seconds = _seconds(s, rate)
    line_src = line_src or next((t["clip"] for t in s.get("review_takes", []) if t["take"] == s["take"]), None)
    verify = s.get("verify") or {}
    row = {"u": s["uid"], "i": s["id"], "c": s["chapter"], "s": s["speaker"], "x": s["text"], "k": s["take"], "t": []}
    if seconds is not None:
        row["d"] = round(float(seconds), 1)
    if line_src:
        row["a"] = url_path(line_src)
    if (s.get("checks") or {}).get("flags"):
        row["f"] = 1
    if verify.get("passed") is False:
        row["F"] = 1
    if "wer" in verify:
        row["w"] = float(verify["wer"])
    for t in s.get("review_takes", []):
        checks = t.get("checks")
        take = {"n": t["take"], "p": url_path(t["clip"]), "g": None if checks is None else dict(checks.get("flags") or {}),
                "w": encode_peaks(peaks.get(t["clip"], []))}
        if (checks or {}).get("seconds") is not None:
            take["d"] = round(float(checks["seconds"]), 1)
        if t.get("verify"):
            take["v"] = {k: t["verify"][k] for k in _VERIFY_SHOWN if k in t["verify"]}
        row["t"].append(take)
    return row


_VERIFY_SHOWN = ("transcript", "wer", "missing", "extra", "substituted", "failures", "passed")


def page_shell(*, title: str, project: str, summary: str, header: str, css: str, script: str, data: dict,
               verified: bool, changed_label: str, base: str = "") -> str:
    """The one HTML document of the review page and the studio: the head, the header (the page's own
    `header` HTML, then the list's tools), an empty <main> the list is drawn in, each of `data` as a
    JSON block by its id, and window.py's list script followed by the page's `script`."""
    blocks = "".join(f'<script type="application/json" id="{escape_html(k)}">{script_json(v)}</script>\n'
                     for k, v in data.items())
    verify_tools = _VERIFY_CONTROLS if verified else ""
    return _SHELL.format(
        title=escape_html(title), project=escape_html(project), summary=escape_html(summary), header=header,
        css=css + WINDOW_CSS, base=f'<base href="{escape_html(base)}">' if base else "", verify_tools=verify_tools,
        changed_label=escape_html(changed_label), blocks=blocks, script=LIST_SCRIPT + script,
        heading=escape_html(title),
    )


def url_path(path: str) -> str:
    """A relative URL for a file path (a media fragment after '#' is kept), for the page's script."""
    path, _, fragment = path.partition("#")
    return quote(path) + (f"#{fragment}" if fragment else "")


THRESHOLDS_HTML = escape_html(
    f"Checks on each take's raw audio (10 ms frames under {SILENCE_DB:g} dBFS count as silence): leading or "
    f"trailing silence over {EDGE_SILENCE_S:g} s; a gap inside the speech over {INNER_SILENCE_S:g} s; samples at "
    f"or over {CLIP_LEVEL:g} (clipping); a speech span under {TOO_SHORT:g}x or over {TOO_LONG:g}x what the text "
    f"length predicts; a semantic stage stopped by its length limit."
)

PAGE_CSS = """
body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 1em 4em;color:#222}
header{border-bottom:1px solid #ccc;padding:.5em 0}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1.5em 0 .5em}
#picks-json{width:100%;font:12px monospace;height:4.5em}
.seg{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;margin:.6em 0}
.seg.flagged{border-left:5px solid #d66}.seg.changed{background:#fffbe6}
.sid{font:12px monospace;color:#777}.dur{color:#555}.text{margin:.3em 0}
.takes{display:flex;flex-wrap:wrap;gap:.8em}
.take{border:1px solid #eee;border-radius:4px;padding:.3em;width:250px}
.take.picked{border-color:#3a7;background:#f3fbf6}
.wave{display:block;background:#fafafa}.wave polygon{fill:#58a}.wave line{stroke:#ccc}
audio{width:100%;height:32px}.stitched{display:flex;align-items:center;gap:.5em;color:#777;font-size:12px}
.flags{list-style:none;margin:.2em 0;padding:0;font-size:12px}.flags .bad{color:#b22}.flags .ok{color:#383}
.badge{background:#b22;color:#fff;border-radius:3px;padding:0 .4em;font-size:12px}
.verify{font-size:12px}.verify p{margin:.1em 0}.verify ins{background:#dfd}.verify del{background:#fdd}
.wer.bad{color:#b22}.wer.ok{color:#383}
"""

_SCRIPT = """
const picks = JSON.parse(document.getElementById('picks-data').textContent);
const box = document.getElementById('picks-json'), status = document.getElementById('status');
function picksText() { return JSON.stringify({picks: picks}, null, 1); }
function refresh() {
  box.value = picksText();
  const changed = List.segs.filter(s => picks[s.u] !== s.k).length;
  status.textContent = changed ? changed + ' pick(s) differ from this render: save picks.json and run barkflow again' : '';
}
List.hooks.take = s => picks[s.u];
List.hooks.edited = s => picks[s.u] !== s.k;
List.hooks.choose = (i, take) => { picks[List.segs[i].u] = take; List.mark(i); refresh(); };
document.getElementById('download').addEventListener('click', () => {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([picksText()], {type: 'application/json'}));
  link.download = 'picks.json';
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});
document.getElementById('copy').addEventListener('click', () => {
  const fallback = () => { box.select(); document.execCommand('copy'); status.textContent = 'copied'; };
  if (navigator.clipboard) navigator.clipboard.writeText(picksText()).then(() => { status.textContent = 'copied'; }, fallback);
  else fallback();
});
List.build();
refresh();
"""

_VERIFY_CONTROLS = (
    ' <label><input type="checkbox" id="only-failed"> only failed</label>'
    ' <label><input type="checkbox" id="sort-wer"> sort by worst WER</label>'
)

_REVIEW_HEADER = """<p>Pick a take per segment, then save <b>picks.json</b> in this folder, or as the file project.picks names
(Download, or Copy into the file), and run barkflow again: it re-stitches with the picked takes without rendering. <span id="status"></span></p>
<p><button id="download" type="button">Download picks.json</button> <button id="copy" type="button">Copy</button></p>
<textarea id="picks-json" readonly aria-label="picks.json">{picks_text}</textarea>
<details><summary>About the checks</summary><p>{thresholds}</p></details>"""

_SHELL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">{base}<style>{css}</style></head>
<body data-project="{project}">
<header>
<h1>{heading}</h1>
<p>{summary}</p>
{header}
</header>
<nav id="tools"><select id="chapter" aria-label="jump to a chapter"><option value="">jump to chapter…</option></select>
<input type="search" id="search" placeholder="search the text" aria-label="search the text">
<label><input type="checkbox" id="only-flagged"> only flagged</label>{verify_tools}
<label><input type="checkbox" id="only-changed"> {changed_label}</label>
<label><input type="checkbox" id="only-unheard"> only unheard</label>
<span id="shown"></span> <span class="keys">keys: j/k next/previous, 1-9 pick take, space play</span></nav>
<main></main>
{blocks}<script>{script}</script>
</body></html>
"""


# --- a sweep's page -----------------------------------------------------------------------


def write_sweep_review(sweep_dir) -> Path:
    """`<sweep_dir>/review.html`: every job's takes of each segment side by side, one column per job."""
    sweep_dir = Path(sweep_dir)
    jobs = []
    job_dirs = sorted((d for d in sweep_dir.iterdir() if d.is_dir()), key=lambda d: _job_order(d.name))
    for job_dir, folder in ((d, _render_folder(d)) for d in job_dirs):
        if folder is None:
            continue
        manifest_path = folder / "manifest.json"
        manifest = read_json_object(manifest_path)
        if not _usable_for_sweep(manifest):
            log.warning("sweep review: skipping %s (unreadable or damaged)", manifest_path)
            continue
        jobs.append(
            {
                "name": folder.relative_to(sweep_dir).as_posix(), "manifest": manifest, "overrides": _overrides(job_dir),
                "peaks": clip_peaks(folder),
            }
        )
    if not jobs:
        raise BarkflowError(f"sweep review: no job folder with a manifest.json in {sweep_dir}")
    path = sweep_dir / PAGE
    write_text_atomic(path, render_sweep_page(jobs, sweep_dir.name))
    log.info("sweep review page: %s", path)
    return path


_SWEEP_SEGMENT_FIELDS = {"uid": str, "id": str, "speaker": str, "text": str, "take": int}


def _usable_for_sweep(manifest: Optional[dict]) -> bool:
    """Whether a job's manifest has every field the sweep page reads (a damaged one is skipped)."""
    segments = (manifest or {}).get("segments")
    return isinstance(segments, list) and all(
        isinstance(s, dict)
        and all(isinstance(s.get(k), t) for k, t in _SWEEP_SEGMENT_FIELDS.items())
        and isinstance(s.get("review_takes", []), list)
        and all(
            isinstance(t, dict) and isinstance(t.get("take"), int) and isinstance(t.get("clip"), str)
            and isinstance(t.get("checks"), (dict, type(None))) and _usable_verify(t.get("verify"))
            for t in s.get("review_takes", [])
        )
        and _usable_verify(s.get("verify"))
        for s in segments
    )


def _usable_verify(verify) -> bool:
    """Whether a transcript check result (absent with verify=none) has the types the pages read."""
    if verify is None:
        return True
    return (
        isinstance(verify, dict)
        and isinstance(verify.get("wer", 0), (int, float))
        and isinstance(verify.get("passed"), (bool, type(None)))
        and all(isinstance(verify.get(k, []), list) for k in ("missing", "extra", "substituted", "failures"))
        and all(isinstance(pair, list) and len(pair) == 2 for pair in verify.get("substituted", []))
    )


def _render_folder(job_dir: Path) -> Optional[Path]:
    """Where a sweep job's render is: the job folder, or for a preview sweep (limit=N) its newest
    preview-N folder; None for a folder without a manifest (not a job)."""
    if (job_dir / "manifest.json").exists():
        return job_dir
    previews = [p.parent for p in job_dir.glob("preview-*/manifest.json")]
    return max(previews, key=lambda p: p.stat().st_mtime_ns) if previews else None


def _job_order(name: str):
    return (0, int(name), "") if name.isascii() and name.isdecimal() else (1, 0, name)


def _overrides(job_dir: Path) -> list[str]:
    try:
        loaded = parse_yaml((job_dir / ".hydra" / "overrides.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(o) for o in loaded] if isinstance(loaded, list) else []


def render_sweep_page(jobs: list[dict], title: str = "sweep") -> str:
    """Rows = segments by uid (in the order jobs first have them); one column per job.

    Each job: {"name": folder name, "manifest": its manifest, "overrides": [str], "peaks": {clip: peaks}}.
    """
    rows: dict[str, dict] = {}
    for job in jobs:
        for s in job["manifest"]["segments"]:
            rows.setdefault(s["uid"], s)
    shared = set.intersection(*(set(job["overrides"]) for job in jobs)) if len(jobs) > 1 else set()
    head = "".join(
        f'<th><a href="{file_url(job["name"] + "/" + PAGE)}">job {escape_html(job["name"])}</a><ul class="ov">'
        + ("".join(f'<li{" class=same" if o in shared else ""}>{escape_html(o)}</li>' for o in job["overrides"])
           or "<li>(no overrides)</li>")
        + "</ul>" + _verify_summary_html(job["manifest"]["segments"]) + "</th>"
        for job in jobs
    )
    by_job = [{s["uid"]: s for s in job["manifest"]["segments"]} for job in jobs]
    body = []
    for uid, first in rows.items():
        cells = []
        for job, segments in zip(jobs, by_job):
            s = segments.get(uid)
            if s is None:
                cells.append('<td class="missing">—</td>')
                continue
            takes = "".join(
                f'<div class="take{" picked" if t["take"] == s["take"] else ""}">Take {t["take"]}'
                f'{" (picked)" if t["take"] == s["take"] else ""}'
                f'{waveform_svg(job["peaks"].get(t["clip"], []), width=200)}'
                f'<audio controls preload="none" src="{file_url(job["name"] + "/" + t["clip"])}"></audio>'
                f'{_flags_html(t.get("checks"))}{_verify_html(t.get("verify"))}</div>'
                for t in s.get("review_takes", [])
            )
            cells.append(f"<td>{takes or 'no takes'}</td>")
        body.append(
            f'<tr id="seg-{escape_html(uid)}"><th class="line"><span class="sid">{escape_html(first["id"])}</span> '
            f'<b>{escape_html(first["speaker"])}</b><p class="text">{escape_html(first["text"])}</p></th>{"".join(cells)}</tr>'
        )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape_html("Sweep review: " + title)}</title>'
        f"<style>{PAGE_CSS}{_SWEEP_CSS}</style></head><body><h1>Sweep review: {escape_html(title)}</h1>"
        f"<p>{len(jobs)} job(s), {len(rows)} segment(s). Each job's own page (linked above its column) picks takes.</p>"
        f'<table><thead><tr><th>segment</th>{head}</tr></thead><tbody>\n{chr(10).join(body)}\n</tbody></table>'
        f"<details><summary>About the checks</summary><p>{THRESHOLDS_HTML}</p></details></body></html>\n"
    )


def _verify_summary_html(segments: list[dict]) -> str:
    """A job's transcript check at a glance, for its column's header; nothing with verify=none."""
    counts = verify_counts(segments)
    if counts is None:
        return ""
    unchecked = f", {counts['unchecked']} not checked" if counts["unchecked"] else ""
    return (
        f'<p class="verify-summary">{counts["passed"]} of {len(segments)} segment(s) passed, '
        f'{counts["failed"]} failing{unchecked}</p>'
    )


_SWEEP_CSS = """
body{max-width:none}table{border-collapse:collapse}td,th{border:1px solid #ddd;vertical-align:top;padding:.4em}
th.line{text-align:left;width:18em;font-weight:normal}
.ov{margin:0;padding-left:1em;font:12px monospace;text-align:left}.ov .same{color:#999}.ov li:not(.same){font-weight:bold}
.take{width:210px;margin-bottom:.4em}.missing{color:#aaa;text-align:center}
"""


class SweepReviewCallback(Callback):
    """Hydra callback: after a multirun, write the sweep's comparison page."""

    def on_multirun_end(self, config, **kwargs) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            write_sweep_review(sweep_dir)
        except BarkflowError as e:
            log.warning("%s", e)


def main(argv: Optional[list[str]] = None) -> None:
    """`python -m barkflow.reviewing.review SWEEP_DIR`: (re)write a sweep's comparison page."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m barkflow.reviewing.review SWEEP_DIR", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr)  # stdout: data
    try:
        print(write_sweep_review(Path(args[0])))
    except BarkflowError as e:
        print(f"barkflow-review: error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
