"""Writing output files so that a crash or a full disk never leaves half a file behind.

Every output (audio, manifests, subtitles, voice .npz files) is written to a temporary
`.{name}.{pid}.partial` beside its target and renamed over it only when complete. A process
killed mid-write leaves its partial behind; `remove_stale_partials` clears those on the next run.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import soundfile as sf
import yaml

from barkflow.errors import BarkflowError

SPACE_HINT = "free some space or set paths.output_dir/paths.cache_dir elsewhere"
# libsndfile reports a failed write(2) as "System error." without its errno; a disk with less
# than this free (the partial file still on it) is taken to be the cause.
NEARLY_FULL_BYTES = 1 << 20
_OUT_OF_SPACE = (errno.ENOSPC, errno.EDQUOT)
_SFE_SYSTEM = 2  # libsndfile's "System error.": a failed system call, its errno lost
_PARTIAL = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.partial")
_PROCESS_START = time.time()  # before any partial this process writes (this module is imported first)
_swept: set[str] = set()  # folders whose stale partials this process has already removed


@contextmanager
def atomic_output_path(
    path: Path, write_errors: tuple[type[BaseException], ...] = (OSError, sf.LibsndfileError)
) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on failure it is removed.

    `write_errors` (disk full, permissions, libsndfile's failures; OSError and LibsndfileError
    unless a writer adds its own) become a one-line BarkflowError naming `path`. The first write
    into a folder also removes the partials that killed processes left there.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")  # two processes never share one
    if str(path.parent) not in _swept:
        _swept.add(str(path.parent))
        remove_stale_partials(path.parent)
    try:
        yield temporary
        os.replace(temporary, path)
    except write_errors as error:
        message = write_error_message(path, error)  # before removing the partial, which fills the disk
        temporary.unlink(missing_ok=True)
        raise BarkflowError(message) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """UTF-8 text with '\\n' line ends, written to a partial first so that readers never see half a file."""
    with atomic_output_path(Path(path)) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)


BACKUP_SUFFIX = ".bak"


def rewrite_user_file(path: Path, data: bytes, limit: int) -> None:
    """A file a person edits (the script, a cast or lines file) written again, atomically: through a
    symbolic link to the file it names (a link into a versioned folder stays a link), and the
    content it had, where it changes, kept as <name>.bak (their comments and layout, which a
    rewrite from parsed YAML loses). `limit`: the most of the old file read for the backup."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        raise BarkflowError(f"{path} is not a regular file (a folder, a pipe or a device): point the setting at a file")
    try:
        before = read_bounded(target, limit) if target.exists() else None
    except (OSError, TooLarge):
        before = None  # nothing it could have been read as
    if before is not None and before != data:
        with atomic_output_path(target.with_name(target.name + BACKUP_SUFFIX)) as temporary:
            temporary.write_bytes(before)
    with atomic_output_path(target) as temporary:
        temporary.write_bytes(data)


def write_json_atomic(path: Path, data) -> None:
    """`data` as indented JSON (values JSON lacks, such as paths, as their str), written atomically."""
    write_text_atomic(path, json.dumps(data, indent=1, default=str))


class TooLarge(ValueError):
    """A file over the size its reader allows."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, refusing (TooLarge) one over `limit` bytes before reading it whole. Reads
    the file's size + 1 at most (read(n) allocates n bytes first; +1: a file still growing)."""
    with open(path, "rb") as file:
        raw = file.read(min(os.fstat(file.fileno()).st_size, limit) + 1)
    if len(raw) > limit:
        raise TooLarge(f"over {limit:,} bytes")
    return raw


def read_json_object(path: Path) -> dict | None:
    """A JSON object from the file, or None if it is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: several times faster, same safe types
    """The safe loader, refusing a key given twice in one mapping: a second 'characters:' block
    would otherwise replace the first without a word, and the next rewrite of the file make it so."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"{key!r} is given twice", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


# What building the values can raise besides YAMLError: a date that is no date ('1999-99-99'),
# '!!int abc', nesting past the interpreter's recursion limit.
_VALUE_ERRORS = (yaml.YAMLError, ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError, RecursionError)


# Nesting deeper than any barkflow file needs: past it, the code reading the data (OmegaConf, the
# cast file's rewrite) would exhaust the interpreter's recursion limit.
MAX_YAML_DEPTH = 32


def parse_yaml(text: str):
    """A user's YAML text as data: the one place it is parsed. Anything wrong is a ValueError whose
    message is one line (where, what), for the caller's BarkflowError."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except _VALUE_ERRORS as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(e, "problem", None) or (str(e).splitlines() or [type(e).__name__])[0]
        raise ValueError(f"{where}{problem}"[:200]) from None
    _check_depth(data)
    return data


def _check_depth(data) -> None:
    """Raises ValueError where lists and mappings nest deeper than MAX_YAML_DEPTH (walked without recursion)."""
    stack, seen = [(data, 0)], {}
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= MAX_YAML_DEPTH:
                raise ValueError(f"nested more than {MAX_YAML_DEPTH} levels deep")
            if seen.get(id(value), -1) >= depth:  # an alias shares a node: walked again only from deeper
                continue
            seen[id(value)] = depth
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))


def read_yaml_file(path: Path, limit: int, what: str, too_large: str):
    """A user's YAML file (a lines file, a cast file), bounded before it is parsed: no more than
    `limit` bytes are read, even of a file still growing. Over it: "<what> <path> is over N MiB"
    and `too_large`; unreadable: a one-line error naming the file."""
    try:
        return parse_yaml(read_bounded(path, limit).decode("utf-8"))
    except TooLarge:
        raise BarkflowError(f"{what} {path} is over {limit >> 20} MiB{too_large}") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BarkflowError(f"{what} {path} cannot be read ({(str(e).splitlines() or ['?'])[0]}); fix or remove it") from None


def write_error_message(path: Path, error: BaseException) -> str:
    """One line for a failed write of `path`: a full disk says so (and what to do), whoever reported it."""
    if _out_of_space(path.parent, error):
        code = error.errno if isinstance(error, OSError) and error.errno in _OUT_OF_SPACE else errno.ENOSPC
        return f"could not write {path}: {os.strerror(code).lower()} ({SPACE_HINT})"
    detail = os.strerror(error.errno) if isinstance(error, OSError) and error.errno else str(error)
    return f"could not write {path}: {detail}; check free space and permissions"


def _out_of_space(folder: Path, error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in _OUT_OF_SPACE:
        return True
    vague = isinstance(error, sf.LibsndfileError) and error.code == _SFE_SYSTEM
    if vague or (isinstance(error, OSError) and not error.errno):
        try:  # the writer could not say why: ask the disk
            return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
        except OSError:
            return False
    return False


def remove_stale_partials(*folders: Path) -> int:
    """Remove the `.{name}.{pid}.partial` files that killed processes left in `folders`; returns how many.

    A partial is stale when no process `pid` is running, or when that process started after the
    file was last written (the pid was reused, e.g. by this very process). Only regular files
    are removed: a link is never followed nor removed. Missing folders are skipped.
    """
    removed = 0
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            match = _PARTIAL.fullmatch(name)
            if match is None:
                continue
            path = Path(folder) / name
            with suppress(OSError):  # gone already (its writer finished), or not ours to remove
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode) and _is_stale(int(match["pid"]), info.st_mtime):
                    path.unlink()
                    removed += 1
    return removed


def _is_stale(pid: int, written_at: float) -> bool:
    started = _process_start_time(pid)
    if started is None:  # not running
        return True
    return written_at < started - 1.0  # a second of slack: /proc's boot time is in whole seconds


def _process_start_time(pid: int) -> float | None:
    """When process `pid` started (epoch seconds), 0.0 if running but unknown, None if not running."""
    if pid == os.getpid():
        return _PROCESS_START
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (or a number no pid can be)
        return None
    except PermissionError:  # running, as another user
        pass
    try:  # Linux: field 22 of /proc/<pid>/stat is the start in clock ticks after boot
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot_line = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
        return int(boot_line.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return 0.0
