"""The review page and the studio at the size of a whole novel: 5,000 synthetic segments
(tests/bigbook.py, no model). The page ships the segments as data and draws only the rows near the
viewport; the studio answers its actions without reading the whole manifest again. Timings are
printed and asserted loosely (this machine is shared): the aims are 2 s to first paint and 200 ms
per action."""

from __future__ import annotations

import http.client
import json
import time

import pytest
from bigbook import PER_CHAPTER, write_big_book
from helpers import REPO, project_config

from barkflow.reviewing import review
from barkflow.studio.app import Server, bind, make_app, url
from barkflow.studio.session import Studio

N = 5000
TOKEN = "scale-token"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("novel")
    write_big_book(tmp / "out", N)
    return tmp


def wait_for(browser, condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition(browser)
        except Exception:  # the element is being redrawn: ask again
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not true within {timeout} s")


def first_paint(browser, address) -> float:
    started = time.monotonic()
    browser.get(address)
    wait_for(browser, lambda b: b.execute_script("return !!document.querySelector('section.seg')"))
    return time.monotonic() - started


def audio_count(browser) -> int:
    return browser.execute_script("return document.querySelectorAll('audio').length")


def current(browser):
    return browser.execute_script("const s = document.querySelector('section.seg.current'); return s && s.dataset.uid")


def press(browser, keys):
    from selenium.webdriver.common.action_chains import ActionChains

    browser.execute_script("document.activeElement && document.activeElement.blur()")
    ActionChains(browser).send_keys(keys).perform()


def test_the_review_page_of_a_novel_is_data_drawn_near_the_viewport(book, chrome):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    path = review.write_page(book / "out")
    size = path.stat().st_size
    seconds = first_paint(chrome, path.as_uri())
    print(f"\nreview.html at {N} segments: {size / 1e6:.1f} MB, first row drawn after {seconds:.2f} s, "
          f"{audio_count(chrome)} <audio> elements")
    assert size < 6e6 and seconds < 5.0
    assert 0 < audio_count(chrome) < 100 and len(chrome.find_elements(By.CSS_SELECTOR, "section.seg")) < 100
    assert chrome.find_element(By.ID, "shown").text == f"{N} of {N} shown"

    # jump to chapter 50: its first segment is drawn and selected
    Select(chrome.find_element(By.ID, "chapter")).select_by_value("50")
    first = f"u{49 * PER_CHAPTER:05d}"
    wait_for(chrome, lambda b: b.find_element(By.ID, f"seg-{first}").is_displayed())
    assert current(chrome) == first and audio_count(chrome) < 100

    # search: a segment deep in the book
    chrome.find_element(By.ID, "search").send_keys("Line 4321 ")
    wait_for(chrome, lambda b: b.find_element(By.ID, "shown").text == f"1 of {N} shown")
    assert chrome.find_element(By.ID, "seg-u04321").is_displayed() and current(chrome) == "u04321"
    chrome.find_element(By.ID, "search").clear()
    chrome.execute_script("document.getElementById('search').dispatchEvent(new Event('input'))")
    wait_for(chrome, lambda b: b.find_element(By.ID, "shown").text == f"{N} of {N} shown")

    # only failed: every row shown failed, the count says how many
    chrome.find_element(By.ID, "only-failed").click()
    failed = len(range(0, N, 11))
    wait_for(chrome, lambda b: b.find_element(By.ID, "shown").text == f"{failed} of {N} shown")
    rows = chrome.find_elements(By.CSS_SELECTOR, "section.seg")
    assert rows and all("failed" in r.get_attribute("class").split() for r in rows)

    # keys: j/k walk the queue of what is shown (failed segments), a digit picks a take
    press(chrome, "j")
    assert current(chrome) == "u00000"
    press(chrome, "jj")
    assert current(chrome) == "u00022"
    press(chrome, "k")
    assert current(chrome) == "u00011"
    press(chrome, "2")
    picks = json.loads(chrome.find_element(By.ID, "picks-json").get_attribute("value"))["picks"]
    assert picks["u00011"] == 1 and sum(picks.values()) == 1 and len(picks) == N
    assert chrome.find_element(By.CSS_SELECTOR, "#seg-u00011 .take.picked").get_attribute("data-take") == "1"
    chrome.find_element(By.ID, "only-changed").click()
    wait_for(chrome, lambda b: b.find_element(By.ID, "shown").text == f"1 of {N} shown")


@pytest.fixture
def served(book, tmp_path):
    config = project_config(book, f"project.script={book / 'book.txt'}")
    studio = Studio(config, [REPO / "conf"], engine=object())  # no render: the folder is the book's
    studio.picks_path.unlink(missing_ok=True)  # each test starts with no picks
    sock = bind(0)
    server = Server(make_app(studio, TOKEN), sock).start()
    try:
        yield studio, url(sock, TOKEN), studio.picks_path
    finally:
        server.stop()


def timed(address, method, path, body=None):
    host, port = address.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    started = time.monotonic()
    connection.request(method, path, body=None if body is None else json.dumps(body),
                       headers={"X-Studio-Token": TOKEN, "Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    elapsed = time.monotonic() - started
    connection.close()
    assert response.status == 200, payload[:300]
    return elapsed, payload


def test_the_studios_actions_answer_quickly_at_a_novels_size(served):
    studio, address, picks = served
    page_first, page = timed(address, "GET", f"/?token={TOKEN}")
    page_again, _ = timed(address, "GET", f"/?token={TOKEN}")
    times = {}
    for name, method, path, body in [
        ("pick", "POST", "/api/pick", {"uid": "u04999", "take": 1}),
        ("pick again", "POST", "/api/pick", {"uid": "u00007", "take": 1}),
        ("voice and sampling", "POST", "/api/line", {"uid": "u04500", "voice": "", "sampling": "semantic.temp=0.6"}),
        ("status", "GET", "/api/status", None),
    ]:
        times[name] = timed(address, method, path, body)[0]
    page_after, _ = timed(address, "GET", f"/?token={TOKEN}")
    print(f"\nstudio at {N} segments: page {len(page) / 1e6:.1f} MB served in {page_first:.2f} s (then "
          f"{page_again:.2f} s, {page_after:.2f} s after a line's settings changed); "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in times.items()))
    assert json.loads(picks.read_text())["picks"] == {"u04999": 1, "u00007": 1}
    assert all(v < 1.0 for v in times.values()), times
    assert page_again < 2.0 and page_after < 2.0 and len(page) < 8e6


def test_the_studio_page_of_a_novel_is_drawn_near_the_viewport(served, chrome):
    from selenium.webdriver.common.by import By

    studio, address, picks = served
    studio.page_data()  # as the worker does after each render: the rows are ready when the page asks
    seconds = first_paint(chrome, address)
    print(f"\nstudio page at {N} segments: first row drawn after {seconds:.2f} s, {audio_count(chrome)} <audio> elements")
    assert seconds < 5.0 and 0 < audio_count(chrome) < 100
    chrome.find_element(By.ID, "search").send_keys("Line 3999 ")
    wait_for(chrome, lambda b: b.find_element(By.ID, "shown").text == f"1 of {N} shown")
    assert chrome.find_element(By.CSS_SELECTOR, "#seg-u03999 input.line-voice").is_displayed()
    press(chrome, "2")  # the search selected it: a digit picks its take through the API
    wait_for(chrome, lambda b: picks.exists() and json.loads(picks.read_text())["picks"] == {"u03999": 1})
    wait_for(chrome, lambda b: "not stitched" in b.find_element(By.ID, "pending").text)
