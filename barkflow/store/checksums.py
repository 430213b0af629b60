"""Entries' checksums remembered by file stamp, across runs: a no-op rerun of a novel asks every
decode entry's checksum (the render key, the review clips), and opening 5,700 archives for it was a
third of the rerun; a stat per entry answers now.

A checksum is remembered with the stamp of the file it was read from: (inode, size, mtime_ns,
ctime_ns). Every write of an entry is a new file (a temp renamed over it), so a repaired, recomputed
or replaced entry has another stamp and is read again; and no one sets a ctime back (utime sets it
to now). The file is trusted as far as the entries' own checksum members are (`Store.checksum` reads
those unverified; load() verifies): one that is damaged, over-large or of the wrong shape counts as
empty, and costs reading the entries again, never an error.

    <root>/.checksums/<namespace>.json    {key: [inode, size, mtime_ns, ctime_ns, checksum]}
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Callable, Optional

from barkflow.errors import BarkflowError
from barkflow.store.files import read_bounded, write_text_atomic

log = logging.getLogger(__name__)

FOLDER = ".checksums"
MAX_FILE_BYTES = 1 << 26  # ~110 bytes an entry: 600,000 entries, far past any cache's decode entries
MAX_REMEMBERED = 1 << 20  # checksums kept in memory (~250 bytes each): a long-lived studio over a growing cache
_KEY = re.compile(r"[A-Za-z0-9_-]{2,}")
_CHECKSUM = re.compile(r"[0-9a-f]{32}")

Stamp = tuple  # (st_ino, st_size, st_mtime_ns, st_ctime_ns)


def stamp(st: os.stat_result) -> Stamp:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class ChecksumMemo:
    """(namespace, key) -> (stamp, checksum): loaded per namespace on first use, and what this
    process read saved (merged with the file) by `save`."""

    def __init__(self, root: Path):
        self.folder = Path(root) / FOLDER
        self.known: dict[tuple[str, str], tuple[Stamp, str]] = {}
        self.loaded: set[str] = set()
        self.learned: dict[str, dict[str, list]] = {}

    def get(self, namespace: str, key: str, file_stamp: Stamp) -> Optional[str]:
        """The checksum remembered for the entry, if its file still has `file_stamp`."""
        if namespace not in self.loaded:
            self.loaded.add(namespace)
            for k, row in self._read(namespace).items():
                self._remember(namespace, k, tuple(row[:4]), row[4])
        known = self.known.get((namespace, key))
        return known[1] if known is not None and known[0] == file_stamp else None

    def put(self, namespace: str, key: str, file_stamp: Stamp, checksum: str) -> None:
        self._remember(namespace, key, file_stamp, checksum)
        learned = self.learned.setdefault(namespace, {})
        if len(learned) < MAX_REMEMBERED:
            learned[key] = [*file_stamp, checksum]

    def save(self, entry_path: Callable[[str, str], Path], check_inside: Callable[[Path], None]) -> None:
        """Write what was read since the last save, with the file's entries whose files are still
        there unchanged (so the file holds no more than the cache's entries). Only saves time: a
        failure is a warning. `check_inside`: the Store's refusal of a folder linked out of the cache."""
        for namespace, learned in self.learned.items():
            kept = {key: row for key, row in self._read(namespace).items()
                    if key not in learned and _still(entry_path, namespace, key, tuple(row[:4]))}
            try:
                self.folder.mkdir(exist_ok=True)
                check_inside(self.folder)  # a planted link must not make us write elsewhere
                write_text_atomic(self.folder / f"{namespace}.json", json.dumps({**kept, **learned}))
            except (OSError, BarkflowError) as e:
                log.warning("cache checksums not saved (%s); the next run reads the entries again", e)
        self.learned.clear()

    def _remember(self, namespace: str, key: str, file_stamp: Stamp, checksum: str) -> None:
        if len(self.known) >= MAX_REMEMBERED:
            self.known.clear()
        self.known[(namespace, key)] = (file_stamp, checksum)

    def _read(self, namespace: str) -> dict[str, list]:
        """The namespace's file, only its well-formed rows; {} if it is missing, damaged or too large."""
        path = self.folder / f"{namespace}.json"
        try:
            data = json.loads(read_bounded(path, MAX_FILE_BYTES))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as e:
            log.debug("cache checksums %s ignored: %s", path, e)
            return {}
        if not isinstance(data, dict):
            return {}
        return {key: row for key, row in data.items() if _KEY.fullmatch(key) and _well_formed(row)}


def _well_formed(row) -> bool:
    return (isinstance(row, list) and len(row) == 5
            and all(type(n) is int and n >= 0 for n in row[:4])
            and isinstance(row[4], str) and _CHECKSUM.fullmatch(row[4]) is not None)


def _still(entry_path: Callable[[str, str], Path], namespace: str, key: str, file_stamp: Stamp) -> bool:
    try:
        return stamp(os.stat(entry_path(namespace, key))) == file_stamp
    except (OSError, BarkflowError):
        return False
