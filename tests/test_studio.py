"""The studio: the token, the output folder as the only files served, picks, retakes and text edits
written to the files a plain run reads, and a plain run afterwards that renders nothing and writes
the same bytes. HTTP tests talk to a real uvicorn server on 127.0.0.1; the browser test drives
chromium through selenium as tests/test_review.py does (skipped where those are not installed).
"""

from __future__ import annotations

import codecs
import hashlib
import http.client
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import FAST, REPO, STEPS, computed_counts, entries, project_config, render

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.planning.config import VerifyConfig
from barkflow.planning.overrides import line_overrides
from barkflow.publishing import publish
from barkflow.running import retakes
from barkflow.store.cache import Store
from barkflow.studio.app import Server, bind, make_app, url
from barkflow.studio.page import render_studio_page
from barkflow.studio.session import Studio, is_flagged

SCRIPT = """The lamp turned all night.
ALICE: Is that <b>you</b> & "him"?
BOB: It is only the wind.
"""
RENDER_TIMEOUT_S = 300


def make_project(tmp: Path, *extra: str):
    script = tmp / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    return project_config(tmp, f"project.script={script}", *extra)


class Client:
    """Plain HTTP to the studio (http.client sends the path as written: no '..' is tidied away)."""

    def __init__(self, address: str, token: str):
        parts = urlsplit(address)
        self.host, self.port, self.token = parts.hostname, parts.port, token

    def request(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        data = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        return response.status, payload

    def get(self, path: str, token: bool = True):
        return self.request("GET", path + (("&" if "?" in path else "?") + f"token={self.token}" if token else ""))

    def post(self, path: str, body: dict, token: bool = True):
        headers = {"Content-Type": "application/json", **({"X-Studio-Token": self.token} if token else {})}
        status, payload = self.request("POST", path, body, headers)
        try:
            return status, json.loads(payload or b"{}")
        except ValueError:
            return status, payload.decode()


@pytest.fixture(scope="module")
def rendered_cache(tmp_path_factory) -> Path:
    """The tiny project's cache, rendered once for the module (each studio starts from a copy)."""
    tmp = tmp_path_factory.mktemp("studio-cache")
    render(make_project(tmp))
    return tmp / "cache"


@pytest.fixture
def studio(tmp_path, rendered_cache):
    """A tiny project's studio after its first render: (Studio, Client, config, tmp folder)."""
    shutil.copytree(rendered_cache, tmp_path / "cache")
    config = make_project(tmp_path)
    session = Studio(config, [REPO / "conf"]).start()
    token = "test-token-123"
    sock = bind(0)
    server = Server(make_app(session, token), sock).start()
    try:
        assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
        yield session, Client(url(sock, token), token), config, tmp_path
    finally:
        server.stop()
        session.stop()


def page_block(page: str, name: str):
    """A JSON block of the page (the segments, the studio's state)."""
    import re

    return json.loads(re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S).group(1))


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def file_bytes(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


# --- the retake machinery the studio writes into the picks file -----------------------------------


def test_a_requested_take_has_the_key_of_a_planned_take(tmp_path):
    one, two = make_project(tmp_path), make_project(tmp_path, "project.takes=2")
    engine = build.make_engine(one)
    store = Store(one.paths.cache_dir)
    plan_one = plan.make_plan(one, engine, store, [REPO / "conf"])
    plan_two = plan.make_plan(two, engine, store, [REPO / "conf"])
    wanted = {u.uid: 2 for u in plan_one.segments()}
    extra = retakes.requested_takes(plan_one, plan_one.units, wanted, engine)
    assert [(u.uid, u.take, u.keys) for u in extra] == [(u.uid, u.take, u.keys) for u in plan_two.units if u.take == 1]
    assert retakes.requested_takes(plan_two, plan_two.units, wanted, engine) == []  # it has them already


def test_a_plain_run_renders_the_takes_the_picks_file_asks_for(tmp_path, caplog):
    config = make_project(tmp_path)
    first = render(config)
    uid = manifest(tmp_path / "out")["segments"][1]["uid"]
    (tmp_path / "out" / "picks.json").write_text(json.dumps({"picks": {uid: 2}, "takes": {uid: 3, "x": "bad"}}))
    again = render(config)
    assert again.rendered["decode"] == 2 and first.rendered["decode"] == 3
    segments = manifest(tmp_path / "out")["segments"]
    assert [t["take"] for t in segments[1]["review_takes"]] == [0, 1, 2] and segments[1]["take"] == 2
    assert [s["takes"] for s in segments] == [1, 3, 1]
    assert "takes of x is 'bad'" in caplog.text
    assert publish.read_takes(config) == {uid: 3}


# --- HTTP ---------------------------------------------------------------------------------------


def test_a_request_without_the_token_is_refused(studio):
    session, client, config, tmp = studio
    assert client.get("/", token=False)[0] == 403
    assert client.get("/?token=wrong", token=False)[0] == 403
    assert client.get("/api/status", token=False)[0] == 403
    assert client.get("/files/manifest.json", token=False)[0] == 403
    assert client.post("/api/restitch", {}, token=False)[0] == 403
    # the cookie the page sets lets the players load clips, but it cannot change anything
    cookie = {"Cookie": f"barkflow_studio_token={client.token}"}
    assert client.request("GET", "/files/manifest.json", headers=cookie)[0] == 200
    assert client.request("POST", "/api/restitch", {}, headers=cookie)[0] == 403
    status, page = client.get("/")
    assert status == 200 and b"Studio: demo" in page


def test_the_page_escapes_every_text(studio):
    session, client, config, tmp = studio
    page = client.get("/")[1].decode()
    assert "<b>you</b>" not in page
    rows = page_block(page, "segments-data")  # the segments are data, drawn by the page's script
    said = 'Is that <b>you</b> & "him"?'
    assert any(row["x"] == said for row in rows) and any(row.get("E") == "ALICE: " + said for row in rows)


def test_a_path_outside_the_output_folder_is_refused(studio, tmp_path):
    session, client, config, tmp = studio
    secret = tmp / "secret.txt"
    secret.write_text("secret")
    (tmp / "out" / "link.txt").symlink_to(secret)
    assert client.get("/files/review/index.json")[0] == 200
    for path in ("/files/../secret.txt", "/files/%2e%2e/secret.txt", f"/files/{secret}", "/files//etc/passwd",
                 "/files/link.txt", "/files/review", "/files/../cache/split-memo.json"):
        status, payload = client.get(path)
        assert status in (403, 404) and b"secret" not in payload, path


def test_a_pick_writes_the_picks_file(studio):
    session, client, config, tmp = studio
    uid = manifest(tmp / "out")["segments"][0]["uid"]
    assert client.post("/api/pick", {"uid": uid, "take": 0}) == (200, {"ok": True})
    assert json.loads((tmp / "out" / "picks.json").read_text()) == {"picks": {uid: 0}, "takes": {}}
    status, answer = client.post("/api/pick", {"uid": uid, "take": 5})
    assert status == 400 and "has no take 5" in answer["error"]
    assert client.post("/api/pick", {"uid": "nope", "take": 0})[0] == 400
    status, answer = client.post("/api/pick", {"uid": "u" * 500_000, "take": 0})
    assert status == 400 and len(answer["error"]) < 500  # the uid is not echoed whole


def test_a_retake_adds_a_take_with_the_next_seed(studio):
    session, client, config, tmp = studio
    out = tmp / "out"
    before = manifest(out)["segments"]
    uid = before[2]["uid"]
    assert client.post("/api/retake", {"uid": uid}) == (200, {"takes": 2})
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    assert "decode 1 new/3 cached" in session.status["summary"]
    after = manifest(out)["segments"]
    assert [t["take"] for t in after[2]["review_takes"]] == [0, 1]
    assert [s["keys"] for s in after] == [s["keys"] for s in before]  # nothing else changed
    assert session.engine.loads.count("semantic") == 1  # the engine stayed loaded between renders


def test_a_segment_is_flagged_by_its_stitched_take_against_fail_on_and_verify():
    verify = VerifyConfig(fail_on=["too_short", "clipping"])
    too_short = {"checks": {"flags": {"too_short": "..."}}}
    assert is_flagged(too_short, verify)
    assert not is_flagged(too_short, VerifyConfig(fail_on=["clipping"]))
    assert not is_flagged({"checks": {"flags": {"leading_silence": "..."}}}, verify)  # flagged, not failing
    assert not is_flagged({"checks": None}, verify)
    assert is_flagged({"checks": {"flags": {}}, "verify": {"passed": False, "failures": ["wer"]}}, verify)
    assert not is_flagged({"checks": {"flags": {}}, "verify": {"passed": True, "failures": []}}, verify)


def test_retake_all_flagged_adds_one_take_to_each_flagged_segment_in_one_render(studio):
    session, client, config, tmp = studio
    out = tmp / "out"
    before = manifest(out)["segments"]
    flagged = {s["uid"] for s in before if is_flagged(s, config.verify)}
    assert flagged == {s["uid"] for s in before}  # the tiny model's takes are all too short
    renders = session.status["finished"]
    assert client.post("/api/retake-flagged", {}) == (200, {"takes": {uid: 2 for uid in flagged}})
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    assert session.status["finished"] == renders + 1  # one render made every retake
    assert "decode 3 new/3 cached" in session.status["summary"]
    assert json.loads((out / "picks.json").read_text())["takes"] == {uid: 2 for uid in flagged}
    assert [[t["take"] for t in s["review_takes"]] for s in manifest(out)["segments"]] == [[0, 1]] * 3
    # where none is flagged, nothing is asked for and the picks file is left as it is
    calm = Studio(make_project(tmp, "verify.fail_on=[clipping]"), [REPO / "conf"], engine=session.engine)
    with pytest.raises(BarkflowError, match="nothing to retake"):
        calm.retake_flagged()
    assert json.loads((out / "picks.json").read_text())["takes"] == {uid: 2 for uid in flagged}


def test_a_text_edit_rewrites_the_script_with_a_backup_and_refuses_a_stale_page(studio):
    session, client, config, tmp = studio
    script, out = tmp / "script.txt", tmp / "out"
    uid = manifest(out)["segments"][2]["uid"]
    old_hash = hashlib.sha256(script.read_bytes()).hexdigest()
    status, answer = client.post("/api/text", {"uid": uid, "text": "BOB: Only the wind, Alice.", "hash": old_hash})
    assert status == 200
    assert script.read_text() == SCRIPT.replace("BOB: It is only the wind.", "BOB: Only the wind, Alice.")
    assert (tmp / "script.txt.bak").read_text() == SCRIPT
    assert answer["hash"] == hashlib.sha256(script.read_bytes()).hexdigest()
    # the page that sent old_hash is stale now: refused, the file untouched
    edited = script.read_bytes()
    status, answer = client.post("/api/text", {"uid": manifest(out)["segments"][1]["uid"], "text": "ALICE: Hm?",
                                               "hash": old_hash})
    assert status == 409 and "changed on disk" in answer["error"] and script.read_bytes() == edited
    assert client.post("/api/text", {"uid": uid, "text": "two\nlines", "hash": answer and old_hash})[0] == 400
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    assert "semantic 1 new/2 cached" in session.status["summary"]  # exactly that segment re-rendered
    assert manifest(out)["segments"][2]["text"] == "Only the wind, Alice."


def test_a_voice_change_rerenders_that_line_and_a_plain_run_then_renders_nothing(studio):
    session, client, config, tmp = studio
    out = tmp / "out"
    before = manifest(out)["segments"]
    status, answer = client.post("/api/line", {"uid": before[2]["uid"], "voice": "v2/en_speaker_1", "sampling": ""})
    assert (status, answer) == (200, {"entry": {"voice": "v2/en_speaker_1"}})
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    assert "semantic 1 new/2 cached" in session.status["summary"]  # exactly that line's segment
    after = manifest(out)["segments"]
    assert after[2]["voice"] != before[2]["voice"] and after[2]["keys"] != before[2]["keys"]
    assert [s["keys"] for s in after[:2]] == [s["keys"] for s in before[:2]]
    # a sampling change of another line: its coarse stage on, its semantic tokens kept
    status, answer = client.post("/api/line", {"uid": before[0]["uid"], "voice": "", "sampling": "coarse.temp=0.5"})
    assert (status, answer) == (200, {"entry": {"sampling": {"coarse": {"temp": 0.5}}}})
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    last = manifest(out)["segments"]
    assert last[0]["keys"]["semantic"] == before[0]["keys"]["semantic"]
    assert last[0]["keys"]["coarse"] != before[0]["keys"]["coarse"]
    written = (out / "lines.yaml").read_text()
    assert line_overrides(config)[3].voice == "v2/en_speaker_1" and line_overrides(config)[1].sampling == {
        "coarse": {"temp": 0.5}}
    # bad input: one line, the file untouched
    for body, words in (({"sampling": "coarse.tmep=0.5"}, "unknown sampling option(s) tmep"),
                        ({"sampling": "temp=0.5"}, "not stage.option=value"),
                        ({"sampling": "voice.temp=1"}, "set it to one of semantic, coarse, fine"),
                        ({"voice": "v2/en_speakr_1"}, "v2/en_speakr_1")):
        status, answer = client.post("/api/line", {"uid": before[1]["uid"], "voice": "", "sampling": "", **body})
        assert status == 400 and words in answer["error"] and "\n" not in answer["error"], answer
    assert (out / "lines.yaml").read_text() == written
    lines = page_block(client.get("/")[1].decode(), "studio-state")["lines"]  # the page shows the line's setting
    assert "coarse.temp=0.5" in [setting["sampling"] for setting in lines.values()]
    # a plain run reads the lines file from the output folder: nothing to render, the same bytes
    shown = file_bytes(out)
    summary = render(config)
    assert sum(summary.rendered.values()) == 0 and file_bytes(out) == shown


def test_the_lines_file_is_read_over_project_lines_and_checked(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "lines.yaml").write_text("3: {voice: v2/en_speaker_1}\n2: {sampling: {coarse: {temp: 0.5}}}\n")
    config = make_project(tmp_path, "project.lines.3.prefix='[sighs]'", "project.lines.3.voice=v2/en_speaker_0")
    lines = line_overrides(config)
    assert (lines[3].voice, lines[3].prefix) == ("v2/en_speaker_1", "[sighs]")  # the file's fields win
    assert lines[2].sampling == {"coarse": {"temp": 0.5}}
    engine = build.make_engine(config)
    store = Store(config.paths.cache_dir)
    units = plan.make_plan(config, engine, store, [REPO / "conf"]).units
    voices = {u.line.source_line: u.voice.name for u in units}
    assert voices[3] == voices[2] != voices[1]  # line 3 in ALICE's voice (v2/en_speaker_1), from the file
    for text, words in (("3: {voic: x}\n", "lines.yaml.3.voic is not an option"),
                        ("9: {voice: v2/en_speaker_1}\n", "lines.yaml: line 9: "),  # where it is: the file
                        ("3: [1, 2]\n", "expected {line number"),
                        ("3: {sampling: {coarse: {temp: x}}}\n", "sampling.coarse")):
        (out / "lines.yaml").write_text(text)
        with pytest.raises(BarkflowError) as error:
            plan.make_plan(make_project(tmp_path), engine, store, [REPO / "conf"])
        assert words in str(error.value) and "\n" not in str(error.value), str(error.value)
    missing = make_project(tmp_path, f"project.lines_file={tmp_path / 'nope.yaml'}")
    with pytest.raises(BarkflowError, match="lines file .*nope.yaml not found"):
        line_overrides(missing)


def test_a_paragraph_over_several_lines_is_refused_by_the_text_box(tmp_path, rendered_cache):
    script = tmp_path / "story.txt"
    script.write_text("The lamp turned\nall night long.\n\nThe wind blew.\n", encoding="utf-8")
    config = project_config(tmp_path, f"project.script={script}", "project.format=prose")
    render(config)
    session = Studio(config, [REPO / "conf"])
    data = session.page_data()
    assert session.editable_lines(session.script_text()[0]) == {4}  # the one-line paragraph; not lines 1-2
    page = render_studio_page(data, "token")
    first, second = manifest(tmp_path / "out")["segments"]
    rows = {row["u"]: row for row in page_block(page, "segments-data")}
    assert rows[second["uid"]]["E"] == "The wind blew." and "E" not in rows[first["uid"]]
    with pytest.raises(BarkflowError, match="more than that line of the file"):
        session.edit_line(first["uid"], "The lamp turned.", data["script_hash"])
    assert script.read_text() == "The lamp turned\nall night long.\n\nThe wind blew.\n"
    session.edit_line(second["uid"], "The wind blew hard.", data["script_hash"])
    assert script.read_text().endswith("\nThe wind blew hard.\n")


def test_a_slow_request_does_not_hold_up_the_status(studio, monkeypatch):
    """The studio's work runs off the event loop: while one voice edit is still working (a lines
    file of thousands took a second each), /api/status answers."""
    import threading

    session, client, _, _ = studio
    working, release = threading.Event(), threading.Event()

    def slow_set_line(uid, voice, sampling):
        working.set()
        release.wait(60)
        return {}

    monkeypatch.setattr(session, "set_line", slow_set_line)
    edit = threading.Thread(target=client.post, args=("/api/line", {"uid": "x", "voice": "v"}))
    edit.start()
    try:
        assert working.wait(30)
        connection = http.client.HTTPConnection(client.host, client.port, timeout=10)  # the loop held: timeout
        connection.request("GET", f"/api/status?token={client.token}")
        assert connection.getresponse().status == 200 and not release.is_set()  # answered while the edit worked
        connection.close()
    finally:
        release.set()
        edit.join(30)


def test_the_text_box_shows_its_own_line_after_a_form_feed(tmp_path, rendered_cache):
    """A form feed (a Gutenberg page break) ends no line for the parser: str.splitlines, which
    counts it, once showed each later box its neighbour's line, and saving it wrote that over."""
    script = tmp_path / "story.txt"
    script.write_text("The lamp turned.\n\x0c\nThe wind blew.\n", encoding="utf-8")
    config = project_config(tmp_path, f"project.script={script}", "project.format=prose")
    render(config)
    session = Studio(config, [REPO / "conf"])
    rows = {row["u"]: row for row in page_block(render_studio_page(session.page_data(), "token"), "segments-data")}
    wind = next(s for s in manifest(tmp_path / "out")["segments"] if "wind" in s["text"])
    assert rows[wind["uid"]]["E"] == "The wind blew."


def test_a_text_edit_keeps_the_files_encoding_mark_and_other_lines(tmp_path):
    """A UTF-16 script with a byte order mark, CRLF endings and a page break (form feed) inside its
    first line: the edit changes exactly the one line, in the file's own encoding and mark."""
    lines = ["The lamp turned all night.\x0cIt turned till dawn.\r\n", "ALICE: Did you hear that?\r\n",
             "BOB: It is only the wind.\r\n"]
    script = tmp_path / "script.txt"
    original = ("\ufeff" + "".join(lines)).encode("utf-16-le")
    script.write_bytes(original)
    config = project_config(tmp_path, f"project.script={script}")
    render(config)
    session = Studio(config, [REPO / "conf"])
    data = session.page_data()
    bob = manifest(tmp_path / "out")["segments"][2]
    with pytest.raises(BarkflowError, match="control character"):  # refused before the file is touched
        session.edit_line(bob["uid"], "BOB: It is \x07only the wind.", data["script_hash"])
    assert script.read_bytes() == original

    session.edit_line(bob["uid"], "BOB: Only the wind.", data["script_hash"])
    after = script.read_bytes()
    assert after.startswith(codecs.BOM_UTF16_LE)
    assert after[2:].decode("utf-16-le") == "".join(lines[:2]) + "BOB: Only the wind.\r\n"
    assert (tmp_path / "script.txt.bak").read_bytes() == original


def test_a_plain_run_afterwards_renders_nothing_and_writes_the_same_bytes(studio):
    session, client, config, tmp = studio
    out = tmp / "out"
    segments = manifest(out)["segments"]
    client.post("/api/retake", {"uid": segments[0]["uid"], "count": 2})
    assert session.wait_idle(RENDER_TIMEOUT_S)
    client.post("/api/pick", {"uid": segments[0]["uid"], "take": 2})
    client.post("/api/restitch", {})
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    assert manifest(out)["segments"][0]["take"] == 2
    shown = file_bytes(out)
    summary = render(config)  # a fresh engine, as `barkflow project=...` would have
    assert sum(summary.rendered.values()) == 0 and summary.loaded == []
    assert file_bytes(out) == shown


def test_a_studio_retake_and_a_cli_render_on_one_cache_do_each_key_once(studio):
    session, client, config, tmp = studio
    uid = manifest(tmp / "out")["segments"][1]["uid"]
    before = {step: entries(tmp / "cache", step) for step in STEPS}
    assert client.post("/api/retake", {"uid": uid})[0] == 200
    # the CLI reads the same picks file, so it wants the same new take, with its own output folder
    done = subprocess.run(
        [sys.executable, "-m", "barkflow.cli", "project=demo", f"project.script={tmp / 'script.txt'}",
         f"project.picks={tmp / 'out' / 'picks.json'}", f"paths.cache_dir={tmp / 'cache'}",
         f"paths.voices_dir={tmp / 'voices'}", *FAST, f"hydra.run.dir={tmp / 'cli-out'}"],
        capture_output=True, text=True, cwd=tmp, timeout=RENDER_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr
    assert session.wait_idle(RENDER_TIMEOUT_S) and session.status["error"] == ""
    # one new take: four entries, computed once between the two processes
    assert computed_counts(done.stdout) + computed_counts(session.status["summary"]) == len(STEPS)
    assert all(len(entries(tmp / "cache", step) - before[step]) == 1 for step in STEPS)
    assert manifest(tmp / "cli-out")["segments"][1]["takes"] == 2


def test_the_command_prints_a_url_with_a_token(tmp_path, rendered_cache):
    shutil.copytree(rendered_cache, tmp_path / "cache")
    config_args = [f"project.script={tmp_path / 'script.txt'}", f"paths.cache_dir={tmp_path / 'cache'}",
                   f"paths.voices_dir={tmp_path / 'voices'}", "sampling.semantic.max_gen_duration_s=0.3",
                   "device=cpu", f"hydra.run.dir={tmp_path / 'out'}"]
    (tmp_path / "script.txt").write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "barkflow.studio.cli", "project=demo", *config_args, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        lines = [proc.stdout.readline()]  # the address, the one line it prints on stdout
        address = lines[0].strip()
        assert address.startswith("http://127.0.0.1:") and "?token=" in address, lines
        assert address == lines[0].rstrip("\n")
        token = address.split("?token=")[1]
        client = Client(address, token)
        assert client.get("/", token=False)[0] == 403
        deadline = time.monotonic() + RENDER_TIMEOUT_S
        while json.loads(client.get("/api/status")[1])["finished"] < 1 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert (tmp_path / "out" / "manifest.json").is_file()  # the same output folder as `barkflow`
        assert b"It is only the wind." in client.get("/")[1]
    finally:
        proc.terminate()
        rest, logs = proc.communicate(timeout=30)
    assert rest == "" and "barkflow-studio: demo: open this address" in logs  # logs on stderr, data on stdout


def test_a_bad_port_is_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "barkflow.studio.cli", "project=demo", "--port", "x"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "--port" in done.stderr


# --- in the browser -------------------------------------------------------------------------------


def test_the_fix_loop_in_the_browser(studio, chrome):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    session, client, config, tmp = studio
    out = tmp / "out"
    first = manifest(out)["segments"]
    target, edited = first[0]["uid"], first[2]["uid"]

    def until(condition, timeout=RENDER_TIMEOUT_S):
        def check(browser):
            try:
                return condition(browser)
            except WebDriverException:  # the page reloaded under us: ask again
                return False

        return WebDriverWait(chrome, timeout, poll_frequency=0.2).until(check)

    def act(action):
        """Do `action(browser)` until it goes through: the page reloads itself when a render ends, and
        an element found before a reload is stale after it."""
        return until(lambda b: action(b) or True)

    def takes_of(uid):
        return [t.get_attribute("data-take") for t in chrome.find_elements(By.CSS_SELECTOR, f"#seg-{uid} .take")]

    chrome.get(f"http://{client.host}:{client.port}/?token={client.token}")
    assert until(lambda b: takes_of(target) == ["0"])
    # the players load their clips through the cookie the page set
    errors = chrome.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(r => {"
        "  a.onloadedmetadata = () => r(null); a.onerror = () => r(a.src); a.preload = 'metadata'; a.load();"
        "}))).then(list => done(list.filter(x => x)));"
    )
    assert errors == []

    # retake: the new take appears
    act(lambda b: b.find_element(By.CSS_SELECTOR, f"button.retake[data-uid='{target}']").click())
    assert until(lambda b: takes_of(target) == ["0", "1"])

    # pick it: the picks file has it, the page says it is not stitched yet
    act(lambda b: b.find_element(By.CSS_SELECTOR, f"input[name='pick-{target}'][value='1']").click())
    assert until(lambda b: json.loads((out / "picks.json").read_text())["picks"].get(target) == 1, timeout=10)
    assert until(lambda b: "not stitched" in b.find_element(By.ID, "pending").text, timeout=10)

    # edit a line: exactly that segment re-renders
    def edit(browser):
        box = browser.find_element(By.CSS_SELECTOR, f"input.line-text[data-uid='{edited}']")
        box.clear()
        box.send_keys("BOB: Only the wind, Alice.")
        browser.find_element(By.CSS_SELECTOR, f"button.save-text[data-uid='{edited}']").click()

    act(edit)
    assert until(lambda b: "Only the wind, Alice." in b.find_element(By.TAG_NAME, "main").text)
    assert "semantic 1 new/" in session.status["summary"] and "decode 1 new/" in session.status["summary"]
    assert (tmp / "script.txt.bak").read_text() == SCRIPT

    # re-stitch and export: the pick is in the book, the outputs are listed
    act(lambda b: b.find_element(By.ID, "restitch").click())
    assert until(lambda b: manifest(out)["segments"][0]["take"] == 1 and session.wait_idle(0)
                 and b.find_element(By.ID, "pending").text == "" and "ready" in b.find_element(By.ID, "status").text)
    links = until(lambda b: [a.get_attribute("href") for a in b.find_elements(By.CSS_SELECTOR, "#outputs a")])
    assert any(link.endswith("/files/demo.wav") for link in links)

    # retake all flagged (the tiny model's takes all are): one more take of each segment
    counts = until(lambda b: {s["uid"]: len(takes_of(s["uid"])) for s in manifest(out)["segments"]})
    act(lambda b: b.find_element(By.ID, "retake-flagged").click())
    assert until(lambda b: all(len(takes_of(uid)) == n + 1 for uid, n in counts.items()) and session.wait_idle(0))

    # a plain run renders nothing and writes the same bytes
    shown = file_bytes(out)
    summary = render(config)
    assert sum(summary.rendered.values()) == 0 and file_bytes(out) == shown
