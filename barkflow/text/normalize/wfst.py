"""English through NVIDIA's WFST grammars (nemo-text-processing, the field's standard), under a thin
layer of our own fixes for what they miss.

The grammars compile once (minutes on a small machine) into far files in barkflow's cache folder
(`<paths.cache_dir>/text/nemo-<version>`, set by `use_cache_dir`), never in the source tree, and
load from there in about a second. Only the pieces of text that need them (a digit, a symbol, an
abbreviation) go through them; the rest is passed over. The fixes run first and their words are
protected, as the lexicon's are (FIX_GROUPS: currency prefixes the grammars misread, US$, A$, C$,
¢; units after a number, which they read "1.5m" as "one point five M", "km/h" as "per H"; Roman
numerals, left as letters; and the others the evaluation set showed). Where the grammars fail on a
piece, barkflow's rules say it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import logging
import re
import threading
from pathlib import Path
from typing import Callable, Optional

from barkflow.text.chunks import Chunks
from barkflow.text.normalize.rules import RulesNormaliser

log = logging.getLogger(__name__)

# what the grammars are for: digits, symbols, abbreviations (a capitalised word or a letter with a period)
NEEDS_GRAMMARS = re.compile(r"[0-9%$€£¥¢&@#+=<>~§°]|\b[A-Z][a-z]{0,3}\.|\b[a-z]\.[a-z]\.")
MAX_CHARS = 2000  # a piece longer than this (never a Bark segment) is left to the rules: bounded time

# the fixes: what the grammars miss or garble (measured on eval/en.tsv), said by our rules first:
# phone numbers ("555-123-4567" read as a range once anything around it is fixed), a minus sign
# (−5), money with a currency prefix or scale (US$, A$, C$, ¢, "$1.5m"), titles they leave as
# written (Prof., Rd., No., approx.), 24-hour and "oh" times, ISO dates, units after a number,
# ranges ("ten-twenty"), Roman numerals (left as letters)
FIX_GROUPS = ("phones", "negatives", "money", "abbreviations", "times", "dates", "units", "ranges", "romans")

_cache_dir: Optional[Path] = None
_lock = threading.Lock()


def available() -> bool:
    """Whether nemo-text-processing (and pynini under it) is installed."""
    return importlib.util.find_spec("nemo_text_processing") is not None and importlib.util.find_spec("pynini") is not None


def version() -> str:
    try:
        return importlib.metadata.version("nemo-text-processing")
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def use_cache_dir(cache_dir) -> None:
    """Where the compiled grammars live: under barkflow's cache folder (paths.cache_dir)."""
    global _cache_dir
    _cache_dir = Path(cache_dir) / "text" / f"nemo-{version()}"


def grammar_dir() -> Path:
    return _cache_dir or Path(".barkflow-cache") / "text" / f"nemo-{version()}"


@functools.lru_cache(maxsize=None)
def _grammars(cache_dir: Path) -> Callable[[str], str]:
    """NeMo's English normaliser, its grammars built into `cache_dir` once (under a file lock, so
    that the jobs of a sweep build them once between them)."""
    from filelock import FileLock

    cache_dir.mkdir(parents=True, exist_ok=True)
    for name in ("NeMo-text-processing", "nemo_text_processing"):
        logging.getLogger(name).setLevel(logging.WARNING)  # it logs every grammar it builds
    with FileLock(str(cache_dir / ".lock")):
        if not any(cache_dir.glob("*.far")):
            log.warning("normalisation: building the English grammars in %s (once; a few minutes)", cache_dir)
        from nemo_text_processing.text_normalization.normalize import Normalizer

        normalizer = Normalizer(input_case="cased", lang="en", cache_dir=str(cache_dir), overwrite_cache=False)
    return lambda text: normalizer.normalize(text, punct_post_process=True)


class WfstNormaliser:
    """English: the fixes, then NeMo's grammars on what still needs them, else the rules."""

    language = "en"

    def __init__(self, rules: RulesNormaliser, grammars: Optional[Callable[[str], str]] = None):
        self.rules = rules
        self.fixes = RulesNormaliser("en", groups=FIX_GROUPS)
        self._given = grammars  # tests hand a stand-in
        self.name = f"wfst-nemo-{version()}" if grammars is None else "wfst-test"

    def grammars(self) -> Callable[[str], str]:
        if self._given is not None:
            return self._given
        with _lock:
            return _grammars(grammar_dir())

    def _say(self, text: str) -> str:
        core = text.strip()
        if not core or not NEEDS_GRAMMARS.search(core):
            return text
        if len(core) > MAX_CHARS:
            said = None
        else:
            try:
                said = self.grammars()(core)
            except Exception as e:  # noqa: BLE001 - any failure of the grammars falls back to the rules
                log.debug("normalisation: the grammars failed on %r (%s); the rules say it", core, e)
                said = None
        if not isinstance(said, str) or not said.strip():
            said = "".join(t for t, _ in self.rules([(core, False)]))
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        return lead + said + trail

    def __call__(self, chunks: Chunks) -> Chunks:
        chunks = self.fixes(chunks)
        return [(text, True) if protected else (self._say(text), True) for text, protected in chunks]

    def title_numeral(self, text: str) -> Optional[str]:
        return self.rules.title_numeral(text)
