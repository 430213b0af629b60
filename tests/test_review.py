"""The review page: clips, automatic checks, the page itself, picking in a real browser, sweeps.

One tiny render with two takes is shared by the module (about 10 s); the browser test works on a
copy of it. The browser test drives Debian's chromium through selenium and chromedriver; it is
skipped, with the reason, only where those are not installed.
"""

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
import soundfile as sf
from helpers import page_data, project_config, render
from omegaconf import OmegaConf

from barkflow.publishing import clips as review_clips
from barkflow.reviewing import review
from barkflow.steps import checks as audio_checks
from barkflow.text.split import estimate_seconds

RATE = 24_000
SCRIPT = """# Part <one> & "two"

The lamp turned all night over the grey water.

ALICE: Is that <script>alert(1)</script> & "you"?
BOB: It is only the wind.

# Second

ALICE: Then why is the door open?
"""


# --- the checks on synthetic audio ----------------------------------------------------------


def tone(seconds, level=0.5):
    t = np.arange(round(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds):
    return np.full(round(seconds * RATE), 0.001, dtype=np.float32)  # -60 dBFS: silence to the checks


def text_for(seconds):
    """A text whose estimated duration is `seconds`."""
    text = "a" * round(seconds * 14)
    assert abs(estimate_seconds(text) - seconds) < 0.1
    return text


def flags(audio, seconds_of_text=2.0, stop_reason="eos"):
    return audio_checks.check_audio(audio, text_for(seconds_of_text), stop_reason)["flags"]


def test_a_clean_take_passes_every_check():
    checks = audio_checks.check_audio(tone(2.0), text_for(2.0), "eos")
    assert checks["flags"] == {}
    assert checks["seconds"] == pytest.approx(2.0) and checks["speech_seconds"] == pytest.approx(2.0, abs=0.011)
    assert checks["leading_silence_s"] == 0 and checks["clipped_samples"] == 0


@pytest.mark.parametrize("gap, flagged", [(0.9, False), (1.2, True)])
def test_leading_and_trailing_silence(gap, flagged):
    lead = flags(np.concatenate([quiet(gap), tone(2.0)]))
    trail = flags(np.concatenate([tone(2.0), quiet(gap)]))
    assert ("leading_silence" in lead) is flagged and ("trailing_silence" in trail) is flagged
    assert "trailing_silence" not in lead and "leading_silence" not in trail


@pytest.mark.parametrize("gap, flagged", [(1.3, False), (1.7, True)])
def test_inner_silence(gap, flagged):
    found = flags(np.concatenate([tone(1.0), quiet(gap), tone(1.0)]), seconds_of_text=3.0)
    assert ("inner_silence" in found) is flagged
    assert "leading_silence" not in found and "trailing_silence" not in found


def test_clipping():
    audio = tone(2.0)
    assert "clipping" not in flags(audio)
    audio[100:103] = [1.0, -0.9995, 0.999]
    found = audio_checks.check_audio(audio, text_for(2.0), "eos")
    assert "clipping" in found["flags"] and found["clipped_samples"] == 3


def test_duration_against_the_text():
    assert "too short: words may be dropped" in flags(tone(1.0), seconds_of_text=3.0)["too_short"]
    assert "too long: rambling" in flags(tone(6.0), seconds_of_text=2.0)["too_long"]
    ok = flags(tone(2.0), seconds_of_text=4.0)  # 0.5x: within bounds
    assert "too_short" not in ok and "too_long" not in ok


@pytest.mark.parametrize("reason, flagged", [("max_length", True), ("max_duration", False), ("eos", False),
                                             ("min_eos_p", False), (None, False)])
def test_generation_that_hit_the_max_length(reason, flagged):
    assert ("max_length" in flags(tone(2.0), stop_reason=reason)) is flagged


def test_silent_and_empty_takes():
    assert set(flags(quiet(2.0))) == {"silent"}
    assert set(flags(np.zeros(0, dtype=np.float32))) == {"silent"}


def test_waveform_is_an_inline_svg_of_the_envelope():
    peaks = review_clips.peak_envelope(np.concatenate([tone(1.0, 0.2), tone(1.0, 0.8)]), points=10)
    assert len(peaks) == 10 and peaks[0] == pytest.approx(0.2, abs=0.01) and peaks[-1] == pytest.approx(0.8, abs=0.01)
    svg = review.waveform_svg(peaks)
    assert svg.startswith("<svg") and "<polygon points=" in svg and svg.count(",") == 20


# --- a real render ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The project rendered once with two takes: (tmp folder, overrides)."""
    tmp = tmp_path_factory.mktemp("review")
    script = tmp / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    overrides = ("project.takes=2", f"project.script={script}")
    first = render(project_config(tmp, *overrides))
    assert first.rendered["decode"] == 2 * first.segments
    return tmp, overrides


def read_manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_every_render_writes_the_review_page_clips_and_checks(rendered):
    tmp, overrides = rendered
    out = tmp / "out"
    page = (out / "review.html").read_text(encoding="utf-8")
    manifest = read_manifest(out)
    segments = manifest["segments"]
    assert len(segments) == 4
    rows = page_data(page)
    for s, row in zip(segments, rows, strict=True):
        assert "max_length" not in s["checks"]["flags"]  # the fast renders stop at max_gen_duration_s, by choice
        assert [t["take"] for t in s["review_takes"]] == [0, 1]
        assert s["checks"] == s["review_takes"][s["take"]]["checks"]
        assert row["x"] == s["text"] and row["u"] == s["uid"]
        for t, shown in zip(s["review_takes"], row["t"], strict=True):
            info = sf.info(out / t["clip"])
            assert info.samplerate == RATE and info.subtype == "PCM_16" and info.frames > 0
            assert shown["p"] == t["clip"] and shown["g"] == t["checks"]["flags"] and len(shown["w"]) == review.WAVE_POINTS
    # escaped inside the data block, chapters in order, no external resources
    assert "<script>alert" not in page and "\\u003cscript\\u003ealert(1)" in page
    assert page_data(page, "chapters-data") == [[1, 'Part <one> & "two"'], [2, "Second"]]
    assert not re.search(r'(src|href)="(https?:)?//', page)
    # the current picks, embedded and mirrored in the textarea
    picks = {s["uid"]: s["take"] for s in segments}
    embedded = re.search(r'<script type="application/json" id="picks-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(embedded) == picks
    mirror = re.search(r'<textarea id="picks-json"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert json.loads(html.unescape(mirror)) == {"picks": picks}

    # a rerun rewrites no clip and keeps the page and the checks
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "review").iterdir()}
    again = render(project_config(tmp, *overrides))
    assert sum(again.rendered.values()) == 0 and str(out / "review.html") in again.outputs
    assert {p.name: p.stat().st_mtime_ns for p in (out / "review").iterdir()} == stamps
    assert read_manifest(out)["segments"] == segments


def test_a_rerun_remakes_a_missing_clip_and_removes_one_of_no_segment(rendered):
    """The clips folder is listed once per render: a clip deleted by hand is made again, a clip of
    a segment the book no longer has is removed, and a file that is no clip is left alone."""
    tmp, overrides = rendered
    review_dir = tmp / "out" / "review"
    clip = sorted(review_dir.glob("*-t1.wav"))[0]
    made = clip.read_bytes()
    clip.unlink()
    stale, own = review_dir / "l9999-s01-t0.wav", review_dir / "notes.wav"
    stale.write_bytes(made)
    own.write_bytes(b"mine")
    again = render(project_config(tmp, *overrides))
    assert sum(again.rendered.values()) == 0
    assert clip.read_bytes() == made and not stale.exists() and own.read_bytes() == b"mine"
    own.unlink()


def test_picking_a_take_in_the_browser_restitches_without_rendering(rendered, tmp_path, chrome):
    source, overrides = rendered
    shutil.copytree(source, tmp_path, dirs_exist_ok=True)
    out = tmp_path / "out"
    before = read_manifest(out)["segments"]
    browser = chrome
    from selenium.webdriver.common.by import By

    browser.get((out / "review.html").as_uri())
    sources = [a.get_attribute("src") for a in browser.find_elements(By.TAG_NAME, "audio")]
    assert len(sources) == len(before) * 3  # the segment as stitched, and each of its two takes
    for src in sources:
        assert Path(unquote(src.split("#")[0].removeprefix("file://"))).is_file(), src
    for s in before:
        section = browser.find_element(By.ID, f"seg-{s['uid']}")
        assert s["text"] in section.text
        assert len(section.find_elements(By.CSS_SELECTOR, ".take audio")) == 2
    # the browser decodes every clip (16-bit takes, float master spans)
    errors = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(r => {"
        "  a.onloadedmetadata = () => r(null); a.onerror = () => r(a.src); a.preload = 'metadata'; a.load();"
        "}))).then(list => done(list.filter(x => x)));"
    )
    assert errors == []

    target = before[1]
    browser.find_element(By.CSS_SELECTOR, f"input[name='pick-{target['uid']}'][value='1']").click()
    picks = json.loads(browser.find_element(By.ID, "picks-json").get_attribute("value"))
    assert "differ" in browser.find_element(By.ID, "status").text
    assert picks == {"picks": {s["uid"]: (1 if s is target else s["take"]) for s in before}}
    (out / "picks.json").write_text(json.dumps(picks), encoding="utf-8")
    after = render(project_config(tmp_path, *overrides))
    assert after.rendered == {"semantic": 0, "coarse": 0, "fine": 0, "decode": 0}
    segments = read_manifest(out)["segments"]
    assert segments[1]["take"] == 1 and segments[1]["checks"] == segments[1]["review_takes"][1]["checks"]
    assert [s["take"] for i, s in enumerate(segments) if i != 1] == [s["take"] for i, s in enumerate(before) if i != 1]
    page = (out / "review.html").read_text(encoding="utf-8")
    assert [row["k"] for row in page_data(page) if row["u"] == target["uid"]] == [1]


# --- the transcript check on the page --------------------------------------------------------


@pytest.mark.parametrize("change", ["manifest", "clips", "master", "code", "stamp", "none"])
def test_the_page_is_made_again_exactly_when_what_it_is_made_from_changed(tmp_path, monkeypatch, change):
    """A rerun that changed nothing keeps the page as it is (a novel's takes half a second to make);
    a change to the manifest, the clips' index, the chapter masters or the page's code remakes it,
    as does a page without its stamp."""
    from bigbook import write_big_book

    out = tmp_path / "out"
    write_big_book(out, 12)
    page = review.write_page(out)
    made = page.read_text(encoding="utf-8")
    assert made.startswith("<!DOCTYPE html>\n<!-- barkflow review inputs: ")
    page.write_text(made.replace("Review: novel", "Review: kept"), encoding="utf-8")  # tells a rewrite apart
    if change == "manifest":
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["segments"][3]["text"] = "A changed line."
        (out / "manifest.json").write_text(json.dumps(manifest))
    elif change == "clips":
        index = json.loads((out / "review" / "index.json").read_text())
        next(iter(index["clips"].values()))["peaks"] = [0.5]
        (out / "review" / "index.json").write_text(json.dumps(index))
    elif change == "master":
        (out / "master" / "chapter_001.wav").unlink()
    elif change == "code":
        window = tmp_path / "window.py"
        window.write_text(Path(review.window.__file__).read_text() + "\n# changed\n")
        monkeypatch.setattr(review, "_PAGE_CODE", (*review._PAGE_CODE[:1], window, *review._PAGE_CODE[2:]))
    elif change == "stamp":
        page.write_text(made.replace("<!-- barkflow review inputs: ", "<!-- ").replace("Review: novel", "Review: kept"))
    review.write_page(out)
    again = page.read_text(encoding="utf-8")
    assert ("Review: kept" in again) == (change == "none")
    if change == "manifest":
        assert "A changed line." in again


def verified_manifest():
    """Three segments of one take each: one passes, one fails (with a word diff), one has no verify."""
    def seg(i, verify):
        s = {"id": f"l{i:04d}-s01", "uid": f"u{i}", "chapter": 1, "speaker": "ALICE", "text": f"line {i}",
             "take": 0, "takes": 1, "checks": None,
             "review_takes": [{"take": 0, "clip": f"review/l{i:04d}-s01-t0.wav", "checks": None}]}
        if verify is not None:
            s["verify"] = s["review_takes"][0]["verify"] = verify
        return s

    passing = {"transcript": "Line one.", "wer": 0.0, "cer": 0.0, "missing": [], "extra": [], "substituted": [],
               "passed": True}
    failing = {"transcript": "The <b>door</b> & so", "wer": 0.75, "cer": 0.5, "missing": ["<lamp>", "grey"],
               "extra": ["so"], "substituted": [["turned", "door"]], "failures": ["wer", "inner_silence"],
               "passed": False}
    return {"project": "demo", "segments": [seg(1, passing), seg(2, failing), seg(3, None)]}


def test_the_page_carries_each_takes_transcript_check_and_which_segments_failed():
    page = review.render_page(verified_manifest(), {}, {})
    rows = {row["u"]: row for row in page_data(page)}
    assert [rows[u].get("F") for u in ("u1", "u2", "u3")] == [None, 1, None] and rows["u2"]["w"] == 0.75
    verify = rows["u2"]["t"][0]["v"]
    assert verify["transcript"] == "The <b>door</b> & so" and verify["missing"] == ["<lamp>", "grey"]
    assert "cer" not in verify and "v" not in rows["u3"]["t"][0]  # only what the page shows
    assert "<b>door" not in page and "<lamp>" not in page  # escaped inside the JSON block
    assert 'id="only-failed"' in page and 'id="sort-wer"' in page


def test_without_transcript_checks_the_page_has_no_verify_controls():
    manifest = verified_manifest()
    for s in manifest["segments"]:
        s.pop("verify", None)
        s["review_takes"][0].pop("verify", None)
    page = review.render_page(manifest, {}, {})
    assert 'id="only-failed"' not in page and 'id="sort-wer"' not in page
    assert all("F" not in row and "w" not in row and "v" not in row["t"][0] for row in page_data(page))


def test_only_failed_and_sort_by_wer_in_the_browser(tmp_path, chrome):
    manifest = verified_manifest()
    manifest["segments"][0]["verify"]["wer"] = 0.1  # passes, but sorts after the failed one
    (tmp_path / "review.html").write_text(review.render_page(manifest, {}, {}), encoding="utf-8")
    browser = chrome
    from selenium.webdriver.common.by import By

    browser.get((tmp_path / "review.html").as_uri())
    def shown():
        return [s.get_attribute("data-uid") for s in browser.find_elements(By.CSS_SELECTOR, "section.seg")
                if s.is_displayed()]
    assert shown() == ["u1", "u2", "u3"]
    section = {uid: browser.find_element(By.ID, f"seg-{uid}").get_attribute("innerHTML") for uid in shown()}
    assert [">failed</span>" in section[u] for u in ("u1", "u2", "u3")] == [False, True, False]
    failed = section["u2"]
    assert "heard: The &lt;b&gt;door&lt;/b&gt; &amp; <ins>so</ins>" in failed  # escaped, the extra word marked
    assert "missing: <del>&lt;lamp&gt;</del> <del>grey</del>" in failed
    assert "<del>turned</del> → <ins>door</ins>" in failed and "WER 0.75 (failed: wer, inner_silence)" in failed
    assert "heard: Line one." in section["u1"] and "WER 0.10 (passed)" in section["u1"] and "<del>" not in section["u1"]
    assert 'class="verify"' not in section["u3"]
    browser.find_element(By.ID, "sort-wer").click()
    assert shown() == ["u2", "u1", "u3"]
    browser.find_element(By.ID, "only-failed").click()
    assert shown() == ["u2"]
    browser.find_element(By.ID, "only-failed").click()
    browser.find_element(By.ID, "sort-wer").click()
    assert shown() == ["u1", "u2", "u3"]
    assert browser.find_element(By.TAG_NAME, "h2").is_displayed()


# --- a sweep ------------------------------------------------------------------------------


def fake_job(folder, uids, overrides=None, takes=2):
    """A job folder as a render leaves it: manifest.json with review_takes, clips, index, overrides."""
    (folder / "review").mkdir(parents=True)
    segments, clips = [], {}
    for i, uid in enumerate(uids):
        sid = f"l{i + 1:04d}-s01"
        entries = []
        for take in range(takes):
            name = f"{sid}-t{take}.wav"
            audio = tone(0.5)
            sf.write(folder / "review" / name, audio, RATE, subtype="PCM_16")
            checks = audio_checks.check_audio(audio, f"line <{i}>", "eos")
            clips[name] = {"key": "k", "checks": checks, "peaks": review_clips.peak_envelope(audio)}
            entries.append({"take": take, "clip": f"review/{name}", "checks": checks})
        segments.append({"id": sid, "uid": uid, "chapter": 1, "speaker": "ALICE", "text": f"line <{i}>",
                         "take": takes - 1, "takes": takes, "review_takes": entries, "checks": entries[-1]["checks"]})
    (folder / "review" / "index.json").write_text(json.dumps({"version": audio_checks.CHECKS_VERSION, "clips": clips}))
    (folder / "manifest.json").write_text(json.dumps({"project": "demo", "segments": segments}))
    if overrides is not None:
        (folder / ".hydra").mkdir()
        (folder / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))


def test_the_sweep_page_compares_jobs_side_by_side(tmp_path):
    fake_job(tmp_path / "0", ["aaaa", "bbbb"], ["project=demo", "sampling.semantic.temp=0.5"])
    fake_job(tmp_path / "1", ["aaaa", "cccc"], ["project=demo", "sampling.semantic.temp=0.7"])
    fake_job(tmp_path / "10", ["aaaa"])  # no .hydra folder: no overrides shown
    (tmp_path / "stray").mkdir()  # not a job
    page_path = review.write_sweep_review(tmp_path)
    assert page_path == tmp_path / "review.html"
    page = page_path.read_text(encoding="utf-8")
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert [m for m in re.findall(r">job (\w+)<", head)] == ["0", "1", "10"]  # numeric order
    assert "sampling.semantic.temp=0.5" in head and "sampling.semantic.temp=0.7" in head and "(no overrides)" in head
    rows = re.findall(r'<tr id="seg-(\w+)">(.*?)</tr>', page, re.S)
    assert [uid for uid, _ in rows] == ["aaaa", "bbbb", "cccc"]
    cells = {uid: re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for uid, row in rows}
    assert all(len(c) == 3 for c in cells.values())
    assert cells["aaaa"][2].count("<audio") == 2 and cells["bbbb"][1] == "—" and cells["cccc"][0] == "—"
    for src in re.findall(r'<audio[^>]*src="([^"]+)"', page):
        assert (tmp_path / unquote(src)).is_file()
    assert "line &lt;1&gt;" in page and "Take 1 (picked)" in page and "<polygon" in page


def verified_sweep(with_verify=True):
    """Two jobs over verified_manifest()'s segments, in code: job 0 fails u2, job 1 passes it and
    lacks u3; overrides and peaks included. Without verify: as a render with verify=none has them."""
    first, second = verified_manifest(), verified_manifest()
    second["segments"].pop()
    fixed = {**second["segments"][1]["verify"], "transcript": "line two", "wer": 0.25, "missing": [], "extra": [],
             "substituted": [["<2>", "two"]], "passed": True}
    second["segments"][1]["verify"] = second["segments"][1]["review_takes"][0]["verify"] = fixed
    jobs = [
        {"name": "0", "manifest": first, "overrides": ["sampling.semantic.temp=0.5", "project.title=<b>&\"x\""]},
        {"name": "1", "manifest": second, "overrides": ["sampling.semantic.temp=0.7", "project.title=<b>&\"x\""]},
    ]
    for job in jobs:
        job["peaks"] = {t["clip"]: [0.1, 0.5, 0.2] for s in job["manifest"]["segments"] for t in s["review_takes"]}
        if not with_verify:
            for s in job["manifest"]["segments"]:
                s.pop("verify", None)
                s["review_takes"][0].pop("verify", None)
    return jobs


def sweep_cells(page):
    """{uid: [each job's cell]} of a sweep page."""
    rows = re.findall(r'<tr id="seg-(\w+)">(.*?)</tr>', page, re.S)
    return {uid: re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for uid, row in rows}


def test_the_sweep_page_shows_each_takes_transcript_check_and_each_jobs_failures():
    page = review.render_sweep_page(verified_sweep(), "temp <sweep>")
    head = page[page.index("<thead>") : page.index("</thead>")]
    summaries = re.findall(r'<p class="verify-summary">(.*?)</p>', head)
    assert summaries == ["1 of 3 segment(s) passed, 1 failing, 1 not checked", "2 of 2 segment(s) passed, 0 failing"]
    cells = sweep_cells(page)
    assert "WER 0.00 (passed)" in cells["u1"][0] and "WER 0.00 (passed)" in cells["u1"][1]
    failed, fixed = cells["u2"]
    assert "WER 0.75 (failed: wer, inner_silence)" in failed and "WER 0.25 (passed)" in fixed
    # the single page's diff, escaped: extra words marked, missing ones struck out
    assert "heard: The &lt;b&gt;door&lt;/b&gt; &amp; <ins>so</ins>" in failed
    assert "missing: <del>&lt;lamp&gt;</del> <del>grey</del>" in failed and "<del>turned</del> → <ins>door</ins>" in failed
    assert "<del>&lt;2&gt;</del> → <ins>two</ins>" in fixed
    assert 'class="verify"' not in cells["u3"][0] and cells["u3"][1] == "—"
    assert "<b>door" not in page and "<lamp>" not in page and "<2>" not in page and "<sweep>" not in page
    assert "project.title=&lt;b&gt;&amp;&quot;x&quot;" in head and "<b>&" not in page


def test_a_sweep_without_transcript_checks_shows_none():
    """verify=none: no transcript, WER or pass counts anywhere on the page."""
    page = review.render_sweep_page(verified_sweep(with_verify=False), "temp <sweep>")
    body = page.split("</style>", 1)[1]
    assert "verify" not in body and "WER" not in page and "heard:" not in body and "passed" not in body


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.pop("uid"),
        lambda s: s.update(take="1"),
        lambda s: s.update(review_takes=[{"take": 0}]),
        lambda s: s.update(review_takes="none"),
        lambda s: s["review_takes"][0].update(verify="wer 1"),
        lambda s: s.update(verify={"wer": "high", "passed": False}),
        lambda s: s["review_takes"][1].update(verify={"wer": 0.5, "substituted": ["a"]}),
        lambda s: s.update(verify={"wer": 0.5, "passed": "no"}),
    ],
    ids=["no uid", "take not a number", "a take without its clip", "takes not a list", "verify not an object",
         "wer not a number", "substituted not pairs", "passed not true or false"],
)
def test_a_job_with_a_damaged_manifest_is_skipped_with_a_warning(tmp_path, caplog, damage):
    fake_job(tmp_path / "0", ["aaaa", "bbbb"], ["seed=1"])
    fake_job(tmp_path / "1", ["aaaa"], ["seed=2"])
    manifest_path = tmp_path / "1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    damage(manifest["segments"][0])
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    page = review.write_sweep_review(tmp_path).read_text(encoding="utf-8")
    assert re.findall(r">job (\w+)<", page) == ["0"]
    assert any(str(manifest_path) in r.getMessage() and "damaged" in r.getMessage() for r in caplog.records)


def test_the_commands_stdout_holds_the_page_path_alone(tmp_path):
    """barkflow-review as a process: the page's path on stdout; its warnings (a damaged job) on stderr."""
    fake_job(tmp_path / "0", ["aaaa"], ["seed=1"])
    fake_job(tmp_path / "1", ["aaaa"], ["seed=2"])
    (tmp_path / "1" / "manifest.json").write_text("{", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "barkflow.reviewing.review", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{tmp_path / 'review.html'}\n"
    assert str(tmp_path / "1" / "manifest.json") in done.stderr


def test_a_preview_sweep_compares_the_jobs_previews(tmp_path):
    """With limit=N each job renders into its preview-N folder; the sweep page finds them there."""
    for job, seed in (("0", 1), ("1", 2)):
        fake_job(tmp_path / job / "preview-1", ["aaaa"])
        (tmp_path / job / ".hydra").mkdir()
        (tmp_path / job / ".hydra" / "overrides.yaml").write_text(f"- seed={seed}\n- limit=1\n")
    page = review.write_sweep_review(tmp_path).read_text(encoding="utf-8")
    assert re.findall(r">job ([\w/-]+)<", page) == ["0/preview-1", "1/preview-1"]
    assert "seed=1" in page and "seed=2" in page
    for src in re.findall(r'<audio[^>]*src="([^"]+)"', page):
        assert (tmp_path / unquote(src)).is_file()


def test_the_multirun_callback_writes_the_sweep_page(tmp_path):
    fake_job(tmp_path / "0", ["aaaa"], ["seed=1"])
    review.SweepReviewCallback().on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}))
    assert "seed=1" in (tmp_path / "review.html").read_text(encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    review.SweepReviewCallback().on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(empty)}}}))
    assert not (empty / "review.html").exists()  # nothing to compare: a warning, not an error


def test_the_callback_is_in_the_composed_config(tmp_path):
    from hydra import compose, initialize_config_module

    from barkflow.planning.config import register_configs

    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        cfg = compose(config_name="config", return_hydra_config=True)
    assert cfg.hydra.callbacks.sweep_review._target_ == "barkflow.reviewing.review.SweepReviewCallback"
