"""The studio answers every request with a status, never a crash or a traceback: bodies bounded in
size and depth, the Host header checked, the picks file validated for every reader, sampling values
named in their errors, and a text edit that says what it changes (or asks first).

Requests go through Starlette's TestClient at the address the studio prints; the studio's worker is
not started, so actions only write files and queue renders (no model runs here).
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from pathlib import Path

import pytest
from helpers import ANY_JSON, REPO, project_config, render
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from barkflow.errors import BarkflowError
from barkflow.planning.overrides import check_lines_entries
from barkflow.publishing import publish
from barkflow.studio import app as studio_app
from barkflow.studio.app import make_app
from barkflow.studio.session import Studio

SCRIPT = """The lamp turned all night.
ALICE: Is that you?
BOB: It is only the wind.
"""
TOKEN = "test-token-123"
ADDRESS = "http://127.0.0.1:8765"  # what the studio prints: the Host the app serves
AUTH = {"X-Studio-Token": TOKEN}


def make_project(tmp: Path, *extra: str):
    script = tmp / "script.txt"
    if not script.exists():
        script.write_text(SCRIPT, encoding="utf-8")
    return project_config(tmp, f"project.script={script}", *extra)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The tiny project rendered once for the module: its cache and outputs (each test copies them)."""
    tmp = tmp_path_factory.mktemp("trust")
    render(make_project(tmp))
    return tmp


def copy_project(rendered: Path, tmp: Path):
    shutil.copytree(rendered / "cache", tmp / "cache")
    shutil.copytree(rendered / "out", tmp / "out")
    shutil.copy(rendered / "script.txt", tmp / "script.txt")
    return make_project(tmp)


@pytest.fixture(scope="module")
def served(rendered, tmp_path_factory):
    """(Studio, TestClient, tmp folder): a studio over a copy of the rendered project, its worker idle."""
    tmp = tmp_path_factory.mktemp("served")
    config = copy_project(rendered, tmp)
    studio = Studio(config, [REPO / "conf"])
    with TestClient(make_app(studio, TOKEN), base_url=ADDRESS, raise_server_exceptions=False) as client:
        yield studio, client, tmp


def manifest(tmp: Path) -> dict:
    return json.loads((tmp / "out" / "manifest.json").read_text(encoding="utf-8"))


def one_line_error(response, *statuses) -> str:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    error = response.json()["error"]
    assert error and "\n" not in error and "Traceback" not in error
    return error


# --- 1. every request answers with a status ----------------------------------------------------------


def test_a_nul_in_a_file_path_is_refused_not_a_crash(served):
    studio, client, tmp = served
    assert client.get("/files/%00", params={"token": TOKEN}).status_code in (403, 404)
    assert client.get("/files/a%00b/c", params={"token": TOKEN}).status_code in (403, 404)


def test_a_deeply_nested_body_is_a_400(served):
    studio, client, tmp = served
    body = b"[" * 100_000 + b"]" * 100_000
    error = one_line_error(client.post("/api/pick", content=body, headers=AUTH), 400)
    assert "nested" in error
    assert one_line_error(client.post("/api/pick", content=b"{not json", headers=AUTH), 400)


def test_a_body_past_the_limit_is_a_413_without_reading_it_whole(served):
    studio, client, tmp = served
    chunk, offered = 65536, 64  # 4 MiB offered in chunks, without a Content-Length: the app counts
    given, sent = [], []

    async def receive():
        given.append(chunk)
        return {"type": "http.request", "body": b" " * chunk, "more_body": len(given) < offered}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/pick", "raw_path": b"/api/pick", "root_path": "", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8765"), (b"x-studio-token", TOKEN.encode())],
             "server": ("127.0.0.1", 8765), "client": ("127.0.0.1", 5000)}
    asyncio.run(client.app(scope, receive, send))
    assert sent[0]["status"] == 413 and b"at most" in sent[1]["body"]
    assert sum(given) <= studio_app.MAX_BODY_BYTES + chunk  # it stopped reading past the limit
    declared = client.post("/api/pick", content=b"{}", headers={**AUTH, "Content-Length": str(400 * 2**20)})
    one_line_error(declared, 413)
    for length, status in (("9" * 5000, 413), ("\u00b2", 400), ("-1", 400)):  # huge, a Unicode digit, signed
        scope["headers"] = [*scope["headers"][:2], (b"content-length", length.encode("latin-1"))]
        sent.clear()
        asyncio.run(client.app(scope, receive, send))
        assert sent[0]["status"] == status, length[:10]


def test_an_error_in_a_handler_is_one_line_json(served, monkeypatch):
    studio, client, tmp = served
    monkeypatch.setattr(studio, "restitch", lambda: 1 / 0)
    error = one_line_error(client.post("/api/restitch", headers=AUTH), 500)
    assert "ZeroDivisionError" in error


PATHS = st.sampled_from(["/", "/api/status", "/api/pick", "/api/retake", "/api/retake-flagged", "/api/text",
                         "/api/line", "/api/restitch", "/files/manifest.json", "/files/%00", "/files/../x"])
FIELDS = ("uid", "take", "count", "text", "hash", "voice", "sampling", "confirm")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_request_gets_a_status_and_never_a_500(served, data):
    studio, client, tmp = served
    uids = [s["uid"] for s in manifest(tmp)["segments"]]
    url_text = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#?"), max_size=20)
    path = data.draw(PATHS | url_text.map(lambda t: "/" + t))
    method = data.draw(st.sampled_from(["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS"]))
    headers = {}
    if data.draw(st.booleans()):
        headers.update(AUTH)
    printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
    headers.update(data.draw(st.dictionaries(st.sampled_from(["Content-Type", "Cookie", "X-Other", "Host"]),
                                             printable, max_size=2)))
    values = ANY_JSON | st.sampled_from(uids) | st.integers(-2, 200) | st.just("semantic.temp=abc")
    fields = st.dictionaries(st.sampled_from(FIELDS), values, max_size=4).map(lambda d: json.dumps(d).encode())
    body = data.draw(st.binary(max_size=64) | ANY_JSON.map(lambda v: json.dumps(v).encode()) | fields)
    params = {"token": TOKEN} if data.draw(st.booleans()) else {}
    started = time.monotonic()
    response = client.request(method, path, content=body, headers=headers, params=params)
    assert response.status_code < 500, (method, path, headers, body[:200], response.text[:300])
    assert time.monotonic() - started < 10
    json_error = response.headers.get("content-type", "").startswith("application/json")
    if method != "HEAD" and response.status_code >= 400 and json_error:
        assert "\n" not in response.json()["error"]


# --- 4. the Host header --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765"])
def test_the_loopback_names_with_the_port_are_served(served, host):
    studio, client, tmp = served
    assert client.get("/api/status", params={"token": TOKEN}, headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example:8765", "evil.example", "127.0.0.1:9999", "localhost", "",
                                  "127.0.0.1.nip.io:8765", "localhost.:8765"])
def test_another_host_is_refused(served, host):
    studio, client, tmp = served
    response = client.get("/api/status", params={"token": TOKEN}, headers={"Host": host})
    assert response.status_code in (403, 421) and "Traceback" not in response.text


# --- 2. the picks file, validated for every reader ------------------------------------------------------


BAD_TAKES = ["abc", -1, None, 10**30, 1.5, True, [1], {"a": 1}, 1e400]


@pytest.mark.parametrize("bad", BAD_TAKES, ids=repr)
def test_a_bad_takes_value_is_ignored_with_a_warning_by_every_reader(served, caplog, bad):
    studio, client, tmp = served
    uid = manifest(tmp)["segments"][0]["uid"]
    other = manifest(tmp)["segments"][1]["uid"]
    picks = tmp / "out" / "picks.json"
    picks.write_text(json.dumps({"picks": {uid: bad, other: 0}, "takes": {uid: bad, other: 2}}))
    with caplog.at_level(logging.WARNING):
        assert client.get("/", params={"token": TOKEN}).status_code == 200
        response = client.post("/api/retake", json={"uid": uid}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json() == {"takes": 2}
    assert f"{picks}: takes of {uid}" in caplog.text and "\n" not in caplog.records[-1].getMessage()
    assert json.loads(picks.read_text()) == {"picks": {other: 0}, "takes": {uid: 2, other: 2}}
    picks.unlink()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=ANY_JSON | st.dictionaries(st.sampled_from(["picks", "takes", "x"]), ANY_JSON | st.dictionaries(
    st.text(max_size=4), ANY_JSON | st.integers(-5, 200)), max_size=3))
def test_any_json_in_the_picks_file_is_a_picks_object_or_one_line(tmp_path, content):
    path = tmp_path / "picks.json"
    path.write_text(json.dumps(content))
    try:
        picks = publish.read_picks_file(path)
    except BarkflowError as e:
        assert str(path) in str(e) and "\n" not in str(e)
        return
    assert set(picks) == {"picks", "takes"}
    assert all(isinstance(k, str) and type(v) is int and 0 <= v < 100 for k, v in picks["picks"].items())
    assert all(isinstance(k, str) and type(v) is int and 1 <= v <= 100 for k, v in picks["takes"].items())


def test_a_deeply_nested_or_huge_picks_file_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "picks.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(BarkflowError, match="picks.json"):
        publish.read_picks_file(path)
    monkeypatch.setattr(publish, "MAX_PICKS_BYTES", 10)
    path.write_text(json.dumps({"picks": {"a" * 20: 0}}))
    with pytest.raises(BarkflowError, match="larger than"):
        publish.read_picks_file(path)


# --- 3. a sampling value that is not a number ---------------------------------------------------------


def test_a_sampling_value_of_the_wrong_type_names_the_value_the_key_and_the_line(served):
    studio, client, tmp = served
    uid = manifest(tmp)["segments"][2]["uid"]  # line 3
    for sampling, words in (("semantic.temp=abc", "'abc'"), ("coarse.top_k=1.5", "1.5"),
                            ("semantic.allow_early_stop=3", "3"), ("semantic.temp=[1]", "[1]"),
                            ("semantic.temp=" + "9" * 400, "9999")):
        response = client.post("/api/line", json={"uid": uid, "voice": "", "sampling": sampling}, headers=AUTH)
        error = one_line_error(response, 400)
        key = sampling.split("=")[0]
        assert "line 3" in error and key.split(".")[1] in error and words in error, error
        assert "3.3" not in error and "unknown sampling option" not in error, error
    with pytest.raises(BarkflowError) as raised:
        check_lines_entries({4: {"sampling": {"semantic": {"temp": "abc"}}}}, "out/lines.yaml")
    message = str(raised.value)
    assert "out/lines.yaml" in message and "4" in message and "temp" in message and "'abc'" in message
    assert "unknown sampling option" not in message


# --- 5. a text edit says what it changes ----------------------------------------------------------------


def text_edit(client, tmp, index: int, text: str, **extra):
    uid = manifest(tmp)["segments"][index]["uid"]
    import hashlib

    script_hash = hashlib.sha256((tmp / "script.txt").read_bytes()).hexdigest()
    return client.post("/api/text", json={"uid": uid, "text": text, "hash": script_hash, **extra}, headers=AUTH)


def test_an_edit_that_changes_the_speaker_asks_first(rendered, tmp_path):
    config = copy_project(rendered, tmp_path)
    studio = Studio(config, [REPO / "conf"])
    client = TestClient(make_app(studio, TOKEN), base_url=ADDRESS, raise_server_exceptions=False)
    script = tmp_path / "script.txt"
    response = text_edit(client, tmp_path, 2, "It is only the wind.")  # BOB's tag removed
    error = one_line_error(response, 409)
    assert "BOB" in error and "narrator" in error and "confirm" in error
    assert response.json()["changes"]["speakers"] == [{"line": 3, "from": "BOB", "to": "narrator"}]
    assert script.read_text() == SCRIPT  # nothing written
    response = text_edit(client, tmp_path, 2, "It is only the wind.", confirm=True)
    assert response.status_code == 200, response.text
    assert script.read_text() == SCRIPT.replace("BOB: It is", "It is")
    changes = response.json()["changes"]
    assert changes["lines"] == [3] and changes["segments"] >= 1
    # the same speaker: saved at once, and the answer says what changed
    response = text_edit(client, tmp_path, 1, "ALICE: Is that really you?")
    assert response.status_code == 200 and response.json()["changes"]["speakers"] == []


def test_a_text_past_the_bound_is_refused_before_anything_is_written(served):
    studio, client, tmp = served
    before = (tmp / "script.txt").read_bytes()
    error = one_line_error(text_edit(client, tmp, 2, "BOB: " + "wind " * 3000, confirm=True), 413)
    assert "10000" in error or "10,000" in error
    assert (tmp / "script.txt").read_bytes() == before


def test_the_page_asks_before_an_edit_that_changes_the_speaker(rendered, tmp_path, chrome):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    config = copy_project(rendered, tmp_path)
    sock = studio_app.bind(0)
    server = studio_app.Server(make_app(Studio(config, [REPO / "conf"]), TOKEN), sock).start()
    try:
        bob = manifest(tmp_path)["segments"][2]["uid"]
        chrome.get(studio_app.url(sock, TOKEN))
        box = chrome.find_element(By.CSS_SELECTOR, f"input.line-text[data-uid='{bob}']")
        box.clear()
        box.send_keys("It is only the wind.")
        chrome.find_element(By.CSS_SELECTOR, f"button.save-text[data-uid='{bob}']").click()
        alert = WebDriverWait(chrome, 10).until(expected_conditions.alert_is_present())
        assert "from BOB to narrator" in alert.text
        alert.dismiss()  # not saved, and the page says why
        message = chrome.find_element(By.CSS_SELECTOR, f".message[data-uid='{bob}']")
        WebDriverWait(chrome, 10).until(lambda b: message.text.startswith("not saved"))
        assert (tmp_path / "script.txt").read_text() == SCRIPT
        chrome.find_element(By.CSS_SELECTOR, f"button.save-text[data-uid='{bob}']").click()
        WebDriverWait(chrome, 10).until(expected_conditions.alert_is_present()).accept()
        WebDriverWait(chrome, 10).until(lambda b: "saved; rendering: line(s) 3 changed" in message.text)
        assert "line 3 now narrator (was BOB)" in message.text
        assert (tmp_path / "script.txt").read_text() == SCRIPT.replace("BOB: It is", "It is")
    finally:
        server.stop()
