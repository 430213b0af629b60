"""The content-addressed cache: every intermediate (token arrays, audio) lives under a key.

Keys
    Every entry lives under a key made by barkflow/store/keys.py: a hash of everything that
    determines the result (text, seed, model id, settings, input arrays), by named fields.

Layout on disk (one root, shared by all processes and machines that use the cache)::

    <root>/<namespace>/<key[:2]>/<key>.npz            one entry: arrays + meta + checksum
    <root>/<namespace>/<key[:2]>/.<key>.<pid>.<hex>.tmp  a write in progress (or a killed one)
    <root>/<namespace>/<key[:2]>/<key>.npz.corrupt    an entry load() found broken, kept for a look
    <root>/.locks/<namespace>/<key>.lock              claim locks (empty files, left in place)
    <root>/.checksums/<namespace>.json                entries' checksums by file stamp (store/checksums.py)

An entry is an uncompressed ``.npz`` (a ZIP of ``.npy`` members) holding the caller's arrays plus
three reserved members: ``__meta__`` (a JSON string), ``__checksum__`` (a content key over the
namespace, key, arrays and meta) and ``__origin__`` (JSON: the process id and host name that
computed the entry, read with ``Store.origin``; who made an entry in a shared cache). The origin
is not content: the checksum leaves it out, so an entry recomputed elsewhere has the same checksum.

Guarantees
    * Atomic writes: an entry is written to a temp file in its own folder, fsynced and renamed over
      the final name, so a writer killed at any moment (SIGKILL included) leaves either no entry or
      a complete one. Stale temps are invisible to has()/load() and removed lazily (older than
      ``TEMP_MAX_AGE``) or by ``Store.gc_temps()``.
    * Verified reads: load() checks the ZIP CRC-32 of every member, the npy headers against the
      member sizes, and the checksum, so truncation, bit flips and a valid archive with the wrong
      content are all caught. A broken entry is logged, moved aside and reported as missing, so
      the caller recomputes it.
    * No unpickling, ever: members are read with barkflow.store.npz, which refuses any object array.
    * Bounded reads: every member's header is checked against what its step can write
      (barkflow/steps/bounds.py, given to the Store) before its data is read, so a forged entry that declares
      gigabytes (even with a recomputed checksum) is refused in milliseconds, like any damage.
    * Links stay inside: the root may be a link (a cache on another disk), but a folder whose real
      path leaves the root's real path is refused with a one-line error, so a link planted in a
      shared cache never makes barkflow write, rename or delete files elsewhere.
    * Claims: ``Store.claim`` takes OS-level file locks (flock) so two processes never render the
      same key at once; the kernel drops the locks of a process that dies. Locks only save
      duplicate work: correctness rests on the atomic writes, so a filesystem whose locks do not
      reach other machines costs time, never correctness.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import secrets
import socket
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Optional

import filelock
import numpy as np

from barkflow.errors import BarkflowError, user_path
from barkflow.store import checksums
from barkflow.store.checksums import ChecksumMemo
from barkflow.store.keys import KEY_HEX_CHARS, content_key
from barkflow.store.npz import MemberBound, NpyHeader, NpzError, read_array, read_header

log = logging.getLogger(__name__)

TEMP_MAX_AGE = 3600.0  # seconds; a temp this old belongs to a dead writer (no write takes an hour)
LOCKS_DIR = ".locks"
META = "__meta__"
CHECKSUM = "__checksum__"
ORIGIN = "__origin__"

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: equal entries are equal bytes
_NAMESPACE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")  # no separators; "." names are ours
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{2,}")  # the first two characters name the shard folder
_TEMP_RE = re.compile(r"\..+\.tmp")
_ZIP_MAGIC = b"PK"  # a first member or an empty archive (an .npy or anything else is not an entry)


def _checksum(namespace: str, key: str, arrays: Mapping[str, np.ndarray], meta_json: str) -> str:
    # Covers the entry's own name too, so an entry copied to the wrong key is caught.
    return content_key("barkflow.cache.entry", namespace, key, dict(arrays), meta_json)


# --------------------------------------------------------------------------- the store


class ClaimTimeout(BarkflowError, TimeoutError):
    """``Store.wait_for`` gave up on entries another process is still rendering."""


class _Corrupt(Exception):
    """An entry that cannot be trusted; the message says why."""


class Store:
    """A cache folder shared by any number of processes; see the module docstring for the layout."""

    def __init__(self, root: Path | str, bounds: Optional[Mapping[str, Mapping[str, MemberBound]]] = None):
        """`bounds`: namespace -> {member: the most it may hold} (the steps', barkflow/steps/bounds.py);
        an entry of a namespace with bounds holds only those members. Any other member is held to
        DEFAULT_MEMBER_BYTES."""
        self.root = Path(os.path.abspath(user_path(root)))  # immune to later chdir
        self.bounds = dict(bounds or {})
        self._swept: set[Path] = set()  # folders whose stale temps this instance already removed
        self._inside: set[Path] = set()  # existing folders whose real path is known to be in the cache
        self._folders: dict[tuple[str, str], Path] = {}  # (namespace, key[:2]) -> one of those folders
        self._checksums = ChecksumMemo(self.root)  # entries' checksums by file stamp, kept across runs
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # The root may itself be a link (a cache on another disk); resolved once, it bounds
            # every folder the store writes or deletes in.
            self._real_root = os.path.realpath(self.root)
            # Prove we can write: a cache we cannot write would fail only after the first render.
            fd, probe = tempfile.mkstemp(prefix=".probe-", suffix=".tmp", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise BarkflowError(
                f"cache folder {self.root} is not writable ({_strerror(exc)}): "
                f"{_fix_hint(exc)}, or choose another cache folder"
            ) from exc

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # ---- entries

    def path(self, namespace: str, key: str) -> Path:
        """Where the entry lives: ``<root>/<namespace>/<key[:2]>/<key>.npz``."""
        return self._folder(namespace, key) / f"{key}.npz"

    def _folder(self, namespace: str, key: str) -> Path:
        _check_name(namespace, key)
        known = self._folders.get((namespace, key[:2]))
        if known is not None:  # a plan asks four steps' entries per segment: no path joins, no realpath
            return known
        folder = self.root / namespace / key[:2]
        self._check_inside(folder)
        if folder in self._inside:  # an existing folder, inside the cache
            self._folders[namespace, key[:2]] = folder
        return folder

    def _check_inside(self, folder: Path) -> None:
        """Refuse a folder whose real path leaves the cache: a link in a shared cache must not make
        us write, rename or delete files elsewhere (e.g. another user's old .tmp files)."""
        if folder in self._inside:
            return
        real = os.path.realpath(folder)
        if os.path.commonpath([self._real_root, real]) != self._real_root:
            link, here = folder, self.root
            for part in folder.relative_to(self.root).parts:  # name the link the user has to fix
                here = here / part
                if here.is_symlink():
                    link = here
                    break
            raise BarkflowError(
                f"cache folder {link} is a link to {os.path.realpath(link)}, outside the cache folder {self.root}: "
                f"barkflow does not write or delete through it; replace the link by a plain folder "
                f"(to keep the cache on another disk, link the whole cache folder instead)"
            )
        if os.path.isdir(folder):  # one not yet made could still become a link: check it again then
            self._inside.add(folder)

    def has(self, namespace: str, key: str) -> bool:
        """Whether the entry exists (a stat, no load: a corrupt entry still counts until loaded)."""
        return os.path.isfile(os.path.join(self._folder(namespace, key), f"{key}.npz"))

    def existing(self, namespace: str, keys: Iterable[str]) -> set[str]:
        """Which of `keys` have an entry, as `has` tells, by one listing per key folder instead of a
        stat per key: a book's rerun asks for every segment's entry at every step."""
        by_folder: dict[str, list[str]] = {}
        for key in keys:
            _check_name(namespace, key)
            by_folder.setdefault(key[:2], []).append(key)
        found: set[str] = set()
        for group in by_folder.values():
            try:
                with os.scandir(self._folder(namespace, group[0])) as listing:
                    files = {entry.name for entry in listing if entry.is_file()}
            except OSError:  # no such folder yet: none of these entries
                continue
            found.update(key for key in group if f"{key}.npz" in files)
        return found

    def save(
        self,
        namespace: str,
        key: str,
        arrays: Mapping[str, np.ndarray],
        meta: Mapping | None = None,
    ) -> Path:
        """Write an entry atomically (replacing any previous one) and return its path.

        ``arrays`` maps names to plain numeric/string arrays (no object or structured dtypes;
        names starting with "__" are reserved). ``meta`` is a small JSON-able dict (step, text,
        seed, model id...). A full disk or an unwritable folder raises BarkflowError; the temp
        file is removed and every other entry, including an older version of this one, is kept.
        """
        path = self.path(namespace, key)
        checked = _check_arrays(namespace, key, arrays)
        meta_json = _meta_json(namespace, key, meta)
        members = {
            **checked,
            META: np.array(meta_json),
            CHECKSUM: np.array(_checksum(namespace, key, checked, meta_json)),
            ORIGIN: np.array(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}, sort_keys=True)),
        }
        folder = path.parent
        temp: Path | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._sweep_once(folder)
            temp = folder / f".{key}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
                _write_npz(file, members)
                file.flush()
                os.fsync(file.fileno())  # the data is on disk before the name points at it
            os.replace(temp, path)
            temp = None
        except OSError as exc:
            raise BarkflowError(
                f"could not write cache entry {path.name} in {folder} ({_strerror(exc)}): "
                f"{_fix_hint(exc)}, or choose another cache folder"
            ) from exc
        finally:
            if temp is not None:
                with suppress(OSError):
                    os.unlink(temp)
        _fsync_dir(folder)  # makes the rename itself survive a power cut
        return path

    def load(self, namespace: str, key: str) -> dict[str, np.ndarray] | None:
        """The entry's arrays, or None if it is missing or corrupt (then it is moved aside)."""
        entry = self._read(namespace, key, arrays=True)
        return None if entry is None else entry[0]

    def meta(self, namespace: str, key: str) -> dict | None:
        """The entry's meta dict, or None if missing or corrupt.

        Reads only the member headers and the meta member (CRC-checked), so listing many entries
        stays cheap; the array data and the checksum are verified by ``load``.
        """
        entry = self._read(namespace, key, arrays=False)
        return None if entry is None else entry[1]

    def shapes(self, namespace: str, key: str) -> dict[str, tuple[int, ...]] | None:
        """The shapes of the entry's arrays, from their headers as ``meta`` reads them (no array data
        is read, nor verified): a decoded take's length without loading its audio. None if missing or corrupt."""
        entry = self._read(namespace, key, arrays=False)
        return None if entry is None else entry[0]

    def origin(self, namespace: str, key: str) -> dict | None:
        """Who computed the entry: {"pid", "host", "time"} (time: when its file was written, in seconds
        since the epoch); None if it is missing or unreadable. Entries written before barkflow recorded
        the origin have only the time."""
        try:
            path = self.path(namespace, key)
            with open(path, "rb") as file, _checked_entry(file, namespace, self.bounds) as (archive, headers):
                origin = json.loads(_string_member(archive, headers, ORIGIN)) if ORIGIN in headers else {}
            return {**origin, "time": path.stat().st_mtime} if isinstance(origin, dict) else None
        except Exception:  # noqa: BLE001 - missing or broken: load() reports and moves it aside
            return None

    def checksum(self, namespace: str, key: str) -> str | None:
        """The checksum the entry records, or None if it is missing or unreadable.

        Cheap (one small member, not verified against the data; load() does that). Entries with
        equal checksums hold equal verified content, so comparing checksums tells whether the
        inputs of an output changed, a repaired or recomputed entry included. Remembered per file
        while its inode, size and times stay the same, in this process and, once `save_checksums`
        has run, in the next (barkflow/store/checksums.py): a no-op rerun asks for every decode
        entry's checksum twice (the render key, the review clips), and every write is a new file.
        """
        try:
            path = self.path(namespace, key)
            known = self._checksums.get(namespace, key, checksums.stamp(os.stat(path)))
            if known is not None:
                return known
            with open(path, "rb") as file:
                file_stamp = checksums.stamp(os.fstat(file.fileno()))
                value = _checksum_member(file, namespace, self.bounds)
        except Exception:  # noqa: BLE001 - missing or broken: load() reports and moves it aside
            return None
        self._checksums.put(namespace, key, file_stamp, value)
        return value

    def save_checksums(self) -> None:
        """Keep the checksums read so far for the next process (a failure to is a warning)."""
        self._checksums.save(self.path, self._check_inside)

    def _read(self, namespace: str, key: str, *, arrays: bool):
        path = self.path(namespace, key)
        try:
            file = open(path, "rb")
        except FileNotFoundError:
            return None
        except PermissionError as exc:
            raise BarkflowError(
                f"cannot read cache entry {path} ({_strerror(exc)}): fix the permissions of {path.parent}"
            ) from exc
        with file:
            opened = os.fstat(file.fileno())
            try:
                return _read_npz(file, namespace, key, self.bounds, arrays=arrays)
            # A broken file can fail in many ways (BadZipFile, ValueError, EOFError, OSError,
            # NotImplementedError for a garbled compression method...): all of them mean "recompute".
            except Exception as exc:  # noqa: BLE001
                reason = str(exc) or type(exc).__name__
        self._move_aside(path, opened, reason)
        return None

    def _move_aside(self, path: Path, opened: os.stat_result, reason: str) -> None:
        aside = path.with_name(path.name + ".corrupt")
        moved = False
        with suppress(OSError):  # already gone (another process moved it), or a read-only folder
            # Another process may have replaced the broken file with a good one meanwhile: keep that.
            now = os.stat(path)
            if (now.st_ino, now.st_mtime_ns, now.st_size) == (opened.st_ino, opened.st_mtime_ns, opened.st_size):
                os.replace(path, aside)
                moved = True
        where = f"moved it to {aside.name}" if moved else "left it in place"
        log.warning("corrupt cache entry %s (%s): %s; it will be recomputed", path, reason, where)

    # ---- temp files

    def gc_temps(self, max_age: float = TEMP_MAX_AGE) -> int:
        """Remove temp files older than ``max_age`` seconds (left by killed writers); returns how many.

        ``max_age=0`` removes all of them: only do that when no other process is writing.
        """
        removed = 0
        for folder, subfolders, files in os.walk(self.root):  # never into linked folders (followlinks=False)
            if Path(folder) == self.root:
                subfolders[:] = [name for name in subfolders if name != LOCKS_DIR]
            removed += _remove_stale_temps(Path(folder), files, max_age)
        return removed

    def _sweep_once(self, folder: Path) -> None:
        # Lazy cleanup: the first write into a folder also removes its long-dead temps.
        if folder not in self._swept:
            self._check_inside(folder)
            self._swept.add(folder)
            with suppress(OSError):
                _remove_stale_temps(folder, os.listdir(folder), TEMP_MAX_AGE)

    # ---- claims

    @contextmanager
    def claim(
        self,
        namespace: str,
        keys: Iterable[str],
        *,
        wait: bool = False,
        timeout: float | None = None,
    ) -> Iterator[list[str]]:
        """Lock the keys this process will render; yields the subset it now holds (in input order).

        With ``wait=False`` each key gets one non-blocking attempt and keys held elsewhere are
        skipped. With ``wait=True`` it waits for each key, up to ``timeout`` seconds in all (None:
        no limit); keys still held elsewhere then are skipped. All locks are released on exit,
        also on an exception, and by the OS if the process dies.

        Claiming does not mean the entry is still missing: another process may have finished it
        between your ``has()`` and the claim. Use the double-checked pattern::

            todo = [k for k in keys if not store.has(ns, k)]
            while todo:
                with store.claim(ns, todo) as mine:
                    for k in mine:
                        if not store.has(ns, k):          # re-check now that we hold it
                            store.save(ns, k, render(k))
                store.wait_for(ns, todo)                  # the rest are rendered elsewhere
                todo = [k for k in todo if not store.has(ns, k)]   # their claimer died

        Call ``wait_for`` after leaving the ``with`` block: inside it, it would wait on this
        thread's own locks.
        """
        wanted = list(dict.fromkeys(keys))  # deduplicated, in the caller's order
        deadline = None if timeout is None else time.monotonic() + timeout
        held: set[str] = set()
        with ExitStack() as release_all:
            # One global order (sorted) means two waiting claimers never hold what the other waits for.
            for key in sorted(wanted):
                lock = self._lock(namespace, key)
                if wait:
                    budget = -1 if deadline is None else max(0.0, deadline - time.monotonic())
                    acquired = self._acquire(lock, timeout=budget)
                else:
                    acquired = self._acquire(lock, blocking=False)
                if acquired:
                    release_all.callback(lock.release)
                    held.add(key)
            yield [key for key in wanted if key in held]

    def wait_for(
        self,
        namespace: str,
        keys: Iterable[str],
        poll: float = 0.2,
        timeout: float | None = None,
    ) -> None:
        """Block until each key exists or nobody claims it any more.

        A key that is missing and unclaimed afterwards belonged to a process that died (or gave
        up): render it yourself. Raises ClaimTimeout after ``timeout`` seconds (None: no limit).
        """
        pending = list(dict.fromkeys(keys))
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pending = [k for k in pending if not self.has(namespace, k) and self._is_claimed(namespace, k)]
            if not pending:
                return
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise ClaimTimeout(
                    f"timed out after {timeout:g}s waiting for {len(pending)} cache entries in "
                    f"{self.root / namespace} that another process is still rendering (first: {pending[0]}): "
                    "check that process, or wait longer"
                )
            time.sleep(poll if deadline is None else min(poll, deadline - now))

    def _is_claimed(self, namespace: str, key: str) -> bool:
        lock = self._lock(namespace, key)
        if not self._acquire(lock, blocking=False):
            return True
        lock.release()
        return False

    def _lock(self, namespace: str, key: str) -> filelock.BaseFileLock:
        _check_name(namespace, key)
        folder = self.root / LOCKS_DIR / namespace
        try:
            self._check_inside(folder)
            folder.mkdir(parents=True, exist_ok=True)
            self._check_inside(folder)
        except OSError as exc:
            raise BarkflowError(
                f"cannot create lock folder {folder} ({_strerror(exc)}): "
                f"{_fix_hint(exc)}, or choose another cache folder"
            ) from exc
        return _os_lock(folder / f"{key}.lock")

    @staticmethod
    def _acquire(lock: filelock.BaseFileLock, **how) -> bool:
        try:
            lock.acquire(**how)
        except filelock.Timeout:
            return False
        except OSError as exc:
            raise BarkflowError(
                f"cannot lock {lock.lock_file} ({_strerror(exc)}): {_fix_hint(exc)}, or choose another cache folder"
            ) from exc
        return True


# --------------------------------------------------------------------------- helpers


def _os_lock(path: Path) -> filelock.BaseFileLock:
    # Only a kernel lock (flock) vanishes with a killed process; a SoftFileLock's marker file
    # would block that key forever. So refuse the soft fallback rather than degrade silently.
    if issubclass(filelock.FileLock, filelock.SoftFileLock):
        raise BarkflowError("claims need OS file locks, which this platform lacks: run one process per cache")
    try:
        return filelock.FileLock(path, fallback_to_soft=False)
    except TypeError:  # filelock < 4 has no soft fallback to refuse
        return filelock.FileLock(path)


def _check_name(namespace: str, key: str) -> None:
    if not isinstance(namespace, str) or not _NAMESPACE_RE.fullmatch(namespace):
        raise ValueError(f"bad cache namespace {namespace!r}: use letters, digits, '_', '.', '-'")
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError(f"bad cache key {key!r}: use at least two of letters, digits, '_', '-'")


def _check_arrays(namespace: str, key: str, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    checked = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not name or name.startswith("__") or "/" in name or "\\" in name:
            raise ValueError(f"bad array name {name!r} for {namespace}/{key}: no '/', and '__' names are reserved")
        array = np.asarray(value)
        if array.dtype.hasobject or array.dtype.names is not None:
            raise TypeError(
                f"array {name!r} for {namespace}/{key} has dtype {array.dtype}: only plain "
                "numeric/string arrays can be cached (object arrays would need pickling)"
            )
        checked[name] = array
    return checked


def _meta_json(namespace: str, key: str, meta: Mapping | None) -> str:
    try:
        return json.dumps(dict(meta or {}), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"meta for {namespace}/{key} is not JSON-able: {exc}") from exc


def _write_npz(file, members: Mapping[str, np.ndarray]) -> None:
    # What np.savez writes, but with fixed timestamps and sorted members (equal entries are
    # equal bytes), and without savez's keyword arguments (an array named "file" would clash).
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, members[name], allow_pickle=False)


def _read_npz(file, namespace: str, key: str, bounds: Mapping, *, arrays: bool):
    """(arrays, or without them their shapes; meta) from an open entry file; raises on anything untrustworthy."""
    with _checked_entry(file, namespace, bounds) as (archive, headers):
        if META not in headers or CHECKSUM not in headers:
            raise _Corrupt("no meta or checksum member")
        meta_json = _string_member(archive, headers, META)
        meta = json.loads(meta_json)
        if not isinstance(meta, dict):
            raise _Corrupt("meta is not a JSON object")
        contents = {name: header for name, header in headers.items() if name not in _RESERVED}
        if not arrays:
            return {name: header.shape for name, header in contents.items()}, meta
        # Reading a member to its end makes zipfile check its CRC-32.
        data = {name: _array(archive, header) for name, header in contents.items()}
        if _checksum(namespace, key, data, meta_json) != _string_member(archive, headers, CHECKSUM):
            raise _Corrupt("checksum mismatch")
        return data, meta


# What barkflow's own members can hold: meta is a small JSON object (a segment's text, a clone's
# source...), the checksum 32 hex characters, the origin a host name and a process id.
_UCS4 = 4  # bytes per character of a numpy str
# A member of a namespace without bounds: no array barkflow writes is larger (the longest decode
# audio, ten minutes of float64, is about 115 MB).
DEFAULT_BOUND = MemberBound("biufcUS", 1 << 27)
_RESERVED = {
    META: MemberBound("U", _UCS4 * (1 << 18)),
    CHECKSUM: MemberBound("U", _UCS4 * KEY_HEX_CHARS),
    ORIGIN: MemberBound("U", _UCS4 * 4096),
}
_ZIP_SLACK = 1 << 17  # a ZIP's own records per entry: headers, the central directory, at most a 64 KiB comment


def _bounds(namespace: str, bounds: Mapping):
    """(bounds by member name, or None: any name; the bound of a member not named) for the namespace."""
    named = bounds.get(namespace)
    return (named, None) if named is not None else (None, DEFAULT_BOUND)


@contextmanager
def _entry_archive(file, namespace: str, bounds: Mapping) -> Iterator[zipfile.ZipFile]:
    """The entry's ZIP archive, once the file's size is within what a `namespace` entry can hold
    and it starts as an archive does."""
    named, _ = _bounds(namespace, bounds)
    if named is not None:
        limit = sum(b.max_bytes for b in (*named.values(), *_RESERVED.values())) + _ZIP_SLACK
        size = os.fstat(file.fileno()).st_size
        if size > limit:
            raise _Corrupt(f"{size} bytes, more than a {namespace} entry can hold ({limit})")
    if not file.read(4).startswith(_ZIP_MAGIC):
        raise _Corrupt("not an .npz archive")
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        yield archive


def _checked_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bound: MemberBound) -> NpyHeader:
    """One member's `.npy` header within its bound, the member stored as barkflow writes it."""
    try:
        header = read_header(archive, info, bound)  # first: what it declares is the first thing to refuse
    except NpzError as e:
        raise _Corrupt(str(e)) from None
    if info.compress_type != zipfile.ZIP_STORED:
        raise _Corrupt(f"{info.filename}: compressed (barkflow writes entries uncompressed)")
    return header


@contextmanager
def _checked_entry(file, namespace: str, bounds: Mapping) -> Iterator[tuple[zipfile.ZipFile, dict[str, NpyHeader]]]:
    """The entry's archive and its members' `.npy` headers, each checked against what its step can
    write (barkflow/steps/bounds.py, given to the Store) before a byte of its data is read: a file
    or member that declares more, an unknown member, a compressed one (barkflow writes none) or an
    object array is refused, so a forged 2 MB file never becomes 2 GB in memory."""
    named, other = _bounds(namespace, bounds)
    with _entry_archive(file, namespace, bounds) as archive:
        headers: dict[str, NpyHeader] = {}
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            bound = _RESERVED.get(name) or (named.get(name) if named is not None else other)
            if bound is None or name == info.filename or name in headers:
                raise _Corrupt(f"{info.filename}: not a member a {namespace} entry holds")
            headers[name] = _checked_header(archive, info, bound)
        yield archive, headers


def _checksum_member(file, namespace: str, bounds: Mapping) -> str:
    """The entry's checksum member alone: the file's size and that member's header checked against
    their bounds, the other members' headers not read (load() checks them all)."""
    with _entry_archive(file, namespace, bounds) as archive:
        header = _checked_header(archive, archive.getinfo(CHECKSUM + ".npy"), _RESERVED[CHECKSUM])
        return _string_member(archive, {CHECKSUM: header}, CHECKSUM)


def _array(archive: zipfile.ZipFile, header: NpyHeader) -> np.ndarray:
    try:
        return read_array(archive, header)
    except NpzError as e:
        raise _Corrupt(str(e)) from None


def _string_member(archive: zipfile.ZipFile, headers: dict[str, NpyHeader], name: str) -> str:
    value = _array(archive, headers[name])
    if value.dtype.kind != "U" or value.shape != ():
        raise _Corrupt(f"{name} is not a string")
    return str(value[()])


def _remove_stale_temps(folder: Path, names: Iterable[str], max_age: float) -> int:
    removed = 0
    cutoff = time.time() - max_age
    for name in names:
        if not _TEMP_RE.fullmatch(name):
            continue
        with suppress(FileNotFoundError):  # another process may be cleaning up too
            if os.lstat(folder / name).st_mtime <= cutoff:  # unlinking a link removes the link alone
                os.unlink(folder / name)
                removed += 1
    return removed


def _fsync_dir(folder: Path) -> None:
    with suppress(OSError):  # not every filesystem lets a folder be opened or fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _strerror(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc)


def _fix_hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some disk space there"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "make it writable"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file is in the way of that folder; move it"
    return "check that folder"
