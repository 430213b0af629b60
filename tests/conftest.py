"""Shared fixtures. The suite is hermetic: it never reaches the hub and never writes to the user's caches.

- HF_HUB_OFFLINE=1: no hub is reachable in CI, and an online miss costs ~25 s of retries.
- BARKFLOW_NORMALIZE_BACKEND=rules: what the tests expect does not depend on what is installed.
- BARKFLOW_HOME points at a fresh folder for the run, so "tiny" sources and the `tiny_bundle`
  fixture share one bundle built once (pytest-xdist workers inherit the folder; the bundle's
  file lock makes them build it once). Set BARKFLOW_TEST_HOME to keep that folder between runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

_TEST_HOME = "BARKFLOW_TEST_HOME"


def pytest_configure(config):
    os.environ["HF_HUB_OFFLINE"] = "1"
    if "huggingface_hub.constants" in sys.modules:  # read at import time: patch it if it is already in
        sys.modules["huggingface_hub.constants"].HF_HUB_OFFLINE = True
    if not os.environ.get(_TEST_HOME):
        os.environ[_TEST_HOME] = tempfile.mkdtemp(prefix="barkflow-test-home-")
        config._barkflow_made_home = True
    os.environ["BARKFLOW_HOME"] = os.environ[_TEST_HOME]
    # English normalisation by barkflow's rules, whether or not NeMo's grammars are installed (they
    # take minutes to build); tests of the grammars ask for them by name
    os.environ.setdefault("BARKFLOW_NORMALIZE_BACKEND", "rules")


class PicklePayload:
    """Unpickling this runs code (exec) that creates `marker`: proof that something unpickled it."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


@pytest.fixture
def pickle_payload():
    """PicklePayload(marker), for the tests that check a file never gets to run code."""
    return PicklePayload


def pytest_unconfigure(config):
    if getattr(config, "_barkflow_made_home", False):
        shutil.rmtree(os.environ.pop(_TEST_HOME), ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_bundle() -> Path:
    """Root of the tiny random Bark bundle (hf/, suno/, voices/; see barkflow/engine/bundles.py)."""
    from barkflow.engine.bundles import tiny_bundle_dir

    return tiny_bundle_dir()


@pytest.fixture(scope="session")
def hf_tiny_bark(tiny_bundle):
    """transformers' BarkModel loaded from the tiny bundle's HF layout: the oracle for parity tests."""
    from transformers import BarkModel

    return BarkModel.from_pretrained(tiny_bundle / "hf", local_files_only=True).eval()


@pytest.fixture
def chrome():
    """Headless chromium through selenium and chromedriver; skips, saying why, where they are missing."""
    import shutil as _shutil

    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    binary = _shutil.which("chromium") or _shutil.which("chromium-browser")
    driver = _shutil.which("chromedriver") or next((p for p in ["/usr/bin/chromedriver"] if Path(p).exists()), None)
    if not binary or not driver:
        pytest.skip("chromium and chromedriver are not installed (apt-get install -y chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="barkflow-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        _shutil.rmtree(profile, ignore_errors=True)
