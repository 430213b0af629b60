"""What a rerun need not work out again, kept in the cache and checked before use: the book memo
(the script a book file was read into), the split memo (split results of earlier runs, and each
part's spoken text, so a rerun skips pysbd, the tokenizer and the normaliser), and the tokenizer's
count the split and the memo's check use."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np

from barkflow.engine.api import Bark
from barkflow.errors import BarkflowError, user_path
from barkflow.store.cache import Store
from barkflow.store.files import TooLarge, read_json_object, write_json_atomic
from barkflow.store.keys import Key, code_key
from barkflow.text.formats import MAX_BOOK_FILE_BYTES, SNIFF_BYTES, book_format, load_script
from barkflow.text.script import BookTags, Script, ScriptLine

log = logging.getLogger(__name__)


class TokenCounter:
    """The model's tokenizer count, loaded on first use; character limits only if it cannot be had."""

    def __init__(self, engine: Bark):
        self.engine = engine
        self.count: Optional[Callable[[str], int]] = None
        self.unavailable = False

    def identity(self) -> str:
        try:
            return self.engine.identity("tokenizer")
        except BarkflowError:
            return "characters only"

    def __call__(self, text: str) -> int:
        if self.count is None and not self.unavailable:
            try:
                self.count = self.engine.tokenizer.count
            except BarkflowError as e:
                log.warning("splitting by characters only: %s", e)
                self.unavailable = True
        return self.count(text) if self.count else 0


# An entry's check: the memo file is not trusted. `spellings` came later (optional: older checks stand).
MEMO_CHECK = Key("split-memo", 0, ("key", "parts"), optional={"spellings": None})

# A part's (lexicon's text, spoken text) (text/spoken.py Speller), then its words' fates (as written,
# normalised, respelled: text/fates.py).
Spelling = tuple[str, str, int, int, int]


class SplitMemo:
    """Split results of earlier runs, one JSON file in the cache: a rerun skips pysbd, the tokenizer
    and, with each part's spelling kept, the normaliser (most of a memo plan's time).

    Entries are keyed by everything the split and the spelling depend on (the speller's identity
    covers the normaliser's code); concurrent writers merge, and a lost entry only costs a re-split.
    The file is not trusted: an entry is used only if its check (a content key over its key, parts
    and spellings) matches and its parts are non-empty strings that say exactly the line's words,
    so Bark never speaks what an edited or damaged memo says.

    Every run reads the whole file, and a new barkflow (a changed normaliser) or a changed option
    makes every line's key anew; so a save keeps only the entries this run used and those seen in
    the last KEEP_DAYS (another project's, in a shared cache), and the file does not grow forever.
    An entry's `seen` is the day a run that saved the memo last made or used it.
    """

    KEEP_DAYS = 30

    def __init__(self, store: Store):
        self.path = store.root / "split-memo.json"
        self.entries = read_json_object(self.path) or {}
        self.new: dict[str, dict] = {}
        self.used: set[str] = set()

    def get(self, key: str, text: str, where: str, fits: Callable[[str], bool],
            learn: Callable[[str, Spelling], None] = lambda part, spelling: None) -> Optional[list[str]]:
        """The memoized parts of `text`, if they say its words and each `fits` the split's limits: a
        check can be recomputed by anyone, so a forged entry must never make a segment Bark would cut.
        Each part's memoized spelling is handed to `learn` first, so `fits` need not normalise it."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        if isinstance(entry, dict) and self._holds(key, entry, text):
            for part, spelling in zip(entry["parts"], entry.get("spellings") or ()):
                learn(part, tuple(spelling))
            if all(map(fits, entry["parts"])):
                self.used.add(key)
                return entry["parts"]
        if isinstance(entry, list):  # the format before entries carried a check: quietly replaced
            log.debug("%s: split memo entry in the old format; splitting again", where)
        else:
            log.warning("%s: the split memo's entry is damaged, does not match the line or has a part over the "
                        "split limits; splitting it again", where)
        return None

    def put(self, key: str, text: str, parts: list[str], spellings: Optional[list[Spelling]] = None) -> None:
        """`spellings`: each part's (with its fates), when the speller changes any text (else they are the parts)."""
        spellings = [list(s) for s in spellings] if spellings else None
        entry = {"parts": parts, "check": self._check(key, parts, spellings), "seen": _today()}
        if spellings:
            entry["spellings"] = spellings
        if self._holds(key, entry, text):  # a split that cuts inside a word (an over-long one) is not memoized
            self.entries[key] = self.new[key] = entry

    def has_spellings(self, key: str) -> bool:
        entry = self.entries.get(key)
        return isinstance(entry, dict) and bool(entry.get("spellings"))

    @staticmethod
    def _check(key: str, parts, spellings) -> str:
        return MEMO_CHECK(key=key, parts=parts, spellings=spellings)

    @classmethod
    def _holds(cls, key: str, entry: dict, text: str) -> bool:
        parts, spellings = entry.get("parts"), entry.get("spellings")
        return (
            isinstance(parts, list)
            and all(isinstance(part, str) and part.strip() for part in parts)
            and " ".join(parts).split() == text.split()
            and (spellings is None or (
                isinstance(spellings, list) and len(spellings) == len(parts)
                and all(isinstance(s, list) and len(s) == 5 and all(isinstance(t, str) for t in s[:2])
                        and all(type(n) is int and n >= 0 for n in s[2:]) for s in spellings)
            ))
            and entry.get("check") == cls._check(key, parts, spellings)
        )

    def save(self) -> None:
        if self.new:
            today = _today()
            kept = {}
            for key, entry in (read_json_object(self.path) or {}).items():
                if not isinstance(entry, dict):
                    continue
                if key in self.used:
                    kept[key] = {**entry, "seen": today}
                elif type(entry.get("seen")) is int and entry["seen"] >= today - self.KEEP_DAYS:
                    kept[key] = entry
            try:
                write_json_atomic(self.path, {**kept, **self.new})
            except BarkflowError as e:  # the memo only saves time: never fail a render over it
                log.warning("split memo not saved: %s", e)


def _today() -> int:
    """Days since the epoch: when a memo entry was last seen."""
    return int(time.time() // 86400)


# ----------------------------------------------------------------------------------------------
# the book memo

def read_script(store: Store, path, fmt: str, **options) -> Script:
    """`text.formats.load_script(path, fmt, **options)`, through the book memo for a book file."""
    path = user_path(path)
    read = functools.partial(load_script, path, fmt, **options)
    try:
        with open(path, "rb") as file:
            kind = book_format(path, fmt, file.read(SNIFF_BYTES))
    except (OSError, BarkflowError):  # load_script says what is wrong
        return read()
    if kind not in MEMOIZED_FORMATS:
        return read()
    return BookMemo(store).load(path, kind, read, narrator=options.get("narrator", "narrator"),
                                options=options.get("book"), encoding=options.get("encoding"))


# The formats whose reading depends on the file alone (an HTML page may take its cover from beside it).
MEMOIZED_FORMATS = ("epub", "pdf", "docx", "fb2", "mobi", "calibre")
BOOK_KEY = Key("book-memo", 1, ("book", "format", "narrator", "options", "encoding", "reader"))


class BookMemo:
    """Scripts read from book files, each a cache entry (namespace `book-memo`) keyed by the file's
    bytes, the reading options and the readers' code: a rerun skips the reader (a third of a second
    for a 120,000-word EPUB; for a MOBI, Calibre's conversion). The warnings the reader gave are kept
    and said again. An entry is checked as every cache entry is (its checksum, its bounds) and must
    hold a well-formed script; anything else is read from the book again."""

    NAMESPACE = "book-memo"

    def __init__(self, store: Store):
        self.store = store

    def load(self, path: Path, fmt: str, read: Callable[[], Script], **options) -> Script:
        """`read()` (the book at `path`, read as `fmt` with `options`), or what an earlier read of the
        same bytes the same way made."""
        try:
            book = _file_digest(path)
        except (OSError, TooLarge):  # the reader says what is wrong with the file
            return read()
        key = BOOK_KEY(book=book, format=fmt, reader=_reader_code(), **options)
        known = self._get(key, str(path))
        if known is not None:
            script, warnings = known
            for name, level, message in warnings:
                logging.getLogger(name).log(level, "%s", message)
            return script
        with _warnings_kept() as warnings:
            script = read()
        payload = json.dumps({"script": _script_json(script), "warnings": warnings}).encode("utf-8")
        try:
            self.store.save(self.NAMESPACE, key, {"script": np.frombuffer(payload, dtype=np.uint8)})
        except BarkflowError as e:  # the memo only saves time: never fail a render over it
            log.warning("book memo not saved: %s", e)
        return script

    def _get(self, key: str, source: str) -> Optional[tuple[Script, list]]:
        arrays = self.store.load(self.NAMESPACE, key)  # a damaged entry is moved aside, with a warning
        if arrays is None:
            return None
        try:
            data = json.loads(arrays["script"].tobytes())
            warnings = [(str(name), int(level), str(message)) for name, level, message in data["warnings"]]
            return _script_from_json(data["script"], source), warnings
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as e:
            log.warning("the book memo's entry %s does not hold a script (%s); reading the book again",
                        key, str(e)[:80])
            return None


def _file_digest(path: Path) -> str:
    """The book file's sha256, a MiB at a time (a book may be hundreds of MiB), bounded as its reader is."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size > MAX_BOOK_FILE_BYTES:
            raise TooLarge(f"over {MAX_BOOK_FILE_BYTES:,} bytes")
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _reader_code() -> str:
    """The source of barkflow's text readers and the versions of the libraries they read with: a
    memoized script is reused only by the code that read it. (Calibre by its program's file stamp:
    asking its version takes a second.)"""
    from barkflow import text

    calibre = shutil.which("ebook-convert")
    info = os.stat(calibre) if calibre else None
    stamp = [calibre, info.st_size, info.st_mtime_ns] if info else None
    return code_key(sorted(Path(text.__file__).parent.rglob("*.py")),
                    ["beautifulsoup4", "lxml", "pypdf", "pdfminer.six", "python-docx", "mobi"], stamp)


@contextlib.contextmanager
def _warnings_kept() -> Iterator[list]:
    """The warnings barkflow's loggers give meanwhile, as [logger name, level, message]."""
    kept: list = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append([record.name, record.levelno, record.getMessage()])

    handler, root = Keep(logging.WARNING), logging.getLogger("barkflow")
    root.addHandler(handler)
    try:
        yield kept
    finally:
        root.removeHandler(handler)


def _script_json(script: Script) -> dict:
    tags = script.metadata
    return {
        "lines": [[line.index, line.speaker, line.text, line.chapter, line.paragraph, line.source_line,
                   line.direction, line.dual, list(line.dropped_directions), line.attributed] for line in script.lines],
        "chapter_titles": list(script.chapter_titles),
        "metadata": None if tags is None else {
            **{f.name: getattr(tags, f.name) for f in dataclasses.fields(tags) if f.name != "cover"},
            "cover": base64.b64encode(tags.cover).decode("ascii"),
        },
        "skipped": [list(pair) for pair in script.skipped],
    }


def _script_from_json(data: dict, source: str) -> Script:
    """The script `_script_json` wrote, every field checked for its type (TypeError otherwise)."""

    def typed(value, kind):
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            raise TypeError(f"{value!r:.40} is not {kind.__name__}")
        return value

    lines = tuple(
        ScriptLine(typed(i, int), typed(speaker, str), typed(text_, str), typed(chapter, int), typed(paragraph, int),
                   typed(line, int), direction if direction is None else typed(direction, str), typed(dual, bool),
                   tuple(typed(d, str) for d in typed(dropped, list)), typed(attributed, bool))
        for i, speaker, text_, chapter, paragraph, line, direction, dual, dropped, attributed
        in typed(data["lines"], list)
    )
    titles = tuple(typed(t, str) for t in typed(data["chapter_titles"], list))
    if any(line.index != i or not 0 <= line.chapter < len(titles) or line.paragraph < 0
           for i, line in enumerate(lines)):
        raise ValueError("its lines are not numbered as a script's are")
    tags = data["metadata"]
    if tags is not None:
        tags = dict(typed(tags, dict))
        tags["cover"] = base64.b64decode(typed(tags.get("cover", ""), str), validate=True)
        tags = BookTags(**{k: v if k == "cover" else typed(v, str) for k, v in tags.items()})
    return Script(
        lines, titles, source, tags,
        tuple((typed(why, str), typed(words, int)) for why, words in typed(data["skipped"], list)),
    )
