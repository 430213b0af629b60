"""barkflow/store/files.py: the one atomic writer of output files, its errors, and stale partials."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import tmpfs_mounted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.publishing.stitch import atomic_sound_file
from barkflow.store import files
from barkflow.store.files import atomic_output_path, remove_stale_partials

NO_SPACE = "no space left on device (free some space or set paths.output_dir/paths.cache_dir elsewhere)"


def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def _error(block) -> str:
    with pytest.raises(BarkflowError) as info:
        block()
    message = str(info.value)
    assert "\n" not in message
    return message


# ------------------------------------------------------------------------------------------
# atomic_output_path
# ------------------------------------------------------------------------------------------


def test_success_replaces_the_target(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_output_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary != target
        temporary.write_text("new")
        assert target.read_text() == "old"  # untouched until the block succeeds
    assert target.read_text() == "new" and _partials(tmp_path) == []


def test_a_failing_block_leaves_the_old_target_and_no_partial(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(ValueError, match="a bug"):  # not a write error: raised as it is
        with atomic_output_path(target) as temporary:
            temporary.write_text("half")
            raise ValueError("a bug")
    assert target.read_text() == "old" and _partials(tmp_path) == []


def _write(target: Path, data: bytes | None, fail: BaseException | None = None) -> None:
    with atomic_output_path(target) as temporary:
        if data is not None:
            temporary.write_bytes(data)
        if fail is not None:
            raise fail


def test_permission_error_names_the_path(tmp_path):
    message = _error(lambda: _write(tmp_path / "out.txt", b"x", PermissionError(errno.EACCES, "denied")))
    assert message == f"could not write {tmp_path / 'out.txt'}: Permission denied; check free space and permissions"
    assert _partials(tmp_path) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_says_so(tmp_path, code):
    message = _error(lambda: _write(tmp_path / "out.txt", b"x", OSError(code, os.strerror(code))))
    assert message.startswith(f"could not write {tmp_path / 'out.txt'}: ")
    assert message.endswith("(free some space or set paths.output_dir/paths.cache_dir elsewhere)")
    assert os.strerror(code).lower() in message and _partials(tmp_path) == []


@pytest.mark.parametrize("free, full", [(0, True), (10_000, True), (10 << 30, False)])
def test_libsndfile_system_error_on_a_full_disk(tmp_path, monkeypatch, free, full):
    """libsndfile reports ENOSPC as 'System error.': the free space tells a full disk apart."""

    def write_fails(self, data):
        raise sf.LibsndfileError(2)  # SFE_SYSTEM: str() is "System error."

    monkeypatch.setattr(sf.SoundFile, "write", write_fails)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(1 << 40, 1 << 40, free))
    target = tmp_path / "chapter.wav"
    target.write_bytes(b"old")

    def render():
        with atomic_sound_file(target, 24_000, format="WAV", subtype="FLOAT") as sound_file:
            sound_file.write(np.zeros(100, np.float32))

    message = _error(render)
    expected = f"could not write {target}: " + (NO_SPACE if full else "System error.; check free space and permissions")
    assert message == expected
    assert target.read_bytes() == b"old" and _partials(tmp_path) == []


def test_other_libsndfile_errors_are_not_blamed_on_the_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(1 << 40, 1 << 40, 0))
    error = sf.LibsndfileError(1, prefix="Error opening: ")  # SFE_UNRECOGNISED_FORMAT
    message = _error(lambda: _write(tmp_path / "book.wav", b"x", error))
    assert "Format not recognised" in message and "no space" not in message


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KiB filesystem (tmpfs), where writes really fail with ENOSPC."""
    mount_point = tmp_path / "tiny-disk"
    mount_point.mkdir()
    with tmpfs_mounted(mount_point, "size=64k"):
        yield mount_point


def test_a_real_full_disk_through_soundfile(tiny_disk):
    target = tiny_disk / "chapter.wav"
    target.write_bytes(b"old")
    audio = np.random.default_rng(0).standard_normal(24_000).astype(np.float32)  # 96 KB: more than fits

    def render():
        with atomic_sound_file(target, 24_000, format="WAV", subtype="FLOAT") as sound_file:
            sound_file.write(audio)

    assert _error(render) == f"could not write {target}: {NO_SPACE}"
    assert target.read_bytes() == b"old" and _partials(tiny_disk) == []


def test_a_real_full_disk_through_plain_writes(tiny_disk):
    target = tiny_disk / "manifest.json"
    message = _error(lambda: _write(target, b"x" * 200_000))
    assert message == f"could not write {target}: {NO_SPACE}"
    assert not target.exists() and _partials(tiny_disk) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    old=st.binary(max_size=64),
    new=st.binary(max_size=64),
    fail=st.sampled_from([None, OSError(errno.ENOSPC, "full"), KeyboardInterrupt(), RuntimeError("bug")]),
)
def test_the_target_is_always_old_or_new_never_half(tmp_path, old, new, fail):
    target = tmp_path / "out.bin"
    target.write_bytes(old)
    try:
        _write(target, new, fail)
    except (BarkflowError, KeyboardInterrupt, RuntimeError):
        assert fail is not None
    assert target.read_bytes() == (new if fail is None else old)
    assert _partials(tmp_path) == []


# ------------------------------------------------------------------------------------------
# Stale partials
# ------------------------------------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _partial(folder: Path, name: str, pid: int, age: float = 0.0) -> Path:
    path = folder / f".{name}.{pid}.partial"
    path.write_bytes(b"half")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_only_partials_of_dead_processes_are_removed(tmp_path):
    stale = _partial(tmp_path, "book.wav", _dead_pid())
    live = _partial(tmp_path, "book.m4b", os.getpid())  # being written by this very process
    parent = _partial(tmp_path, "notes.srt", os.getppid())  # a running process, alive before this file
    other = tmp_path / "book.wav.partial"  # not one of ours: no leading dot and pid
    other.write_bytes(b"keep")
    assert remove_stale_partials(tmp_path) == 1
    assert not stale.exists() and live.exists() and parent.exists() and other.exists()


def test_a_reused_pid_does_not_keep_a_partial(tmp_path):
    # This process got the pid of the one that was killed: the file predates this process.
    mine_from_before = _partial(tmp_path, "book.wav", os.getpid(), age=time.time() - files._PROCESS_START + 60)
    init_would_not_write = _partial(tmp_path, "book.m4b", 1, age=0)
    assert remove_stale_partials(tmp_path) == 1 and not mine_from_before.exists()
    assert init_would_not_write.exists()  # pid 1 started before the file: cannot tell, so kept


def test_links_are_never_followed_or_removed(tmp_path):
    outside = tmp_path / "outside.wav"
    outside.write_bytes(b"precious")
    folder = tmp_path / "out"
    folder.mkdir()
    link = folder / f".book.wav.{_dead_pid()}.partial"
    link.symlink_to(outside)
    assert remove_stale_partials(folder, tmp_path / "missing") == 0
    assert link.is_symlink() and outside.read_bytes() == b"precious"


def test_the_first_write_into_a_folder_sweeps_it(tmp_path):
    stale = _partial(tmp_path, "book.wav", _dead_pid())
    _write(tmp_path / "subtitles.srt", b"1")
    assert not stale.exists() and (tmp_path / "subtitles.srt").read_bytes() == b"1"


def test_write_text_atomic_writes_utf8_with_newline_line_ends_and_leaves_no_partial(tmp_path):
    target = tmp_path / "out.srt"
    files.write_text_atomic(target, "1\r\nHé ♪\nend")
    assert target.read_bytes() == "1\r\nHé ♪\nend".encode("utf-8")
    files.write_text_atomic(target, "two\n")  # replaces
    assert target.read_text(encoding="utf-8") == "two\n" and _partials(tmp_path) == []


def test_write_text_atomic_keeps_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "manifest.json"
    target.write_text("old", encoding="utf-8")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(BarkflowError, match="no space left on device"):
        files.write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old" and _partials(tmp_path) == []


@pytest.mark.parametrize("content, expected", [
    ('{"a": 1}', {"a": 1}),
    ("[1, 2]", None),  # not an object
    ("{broken", None),
    (b"\xff\xfe{", None),  # not UTF-8
    (None, None),  # missing
])
def test_read_json_object_gives_an_object_or_none(tmp_path, content, expected):
    path = tmp_path / "data.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert files.read_json_object(path) == expected


# A file a person edits, written again.

def test_a_rewrite_keeps_a_link_a_link_and_the_old_content_as_a_backup(tmp_path):
    real = tmp_path / "versioned" / "cast.yaml"
    real.parent.mkdir()
    real.write_text("# my notes\nnarrator: v2/en_speaker_6\n")
    link = tmp_path / "cast.yaml"
    link.symlink_to(real)
    files.rewrite_user_file(link, b"narrator: v2/en_speaker_1\n", 1 << 20)
    assert link.is_symlink() and real.read_bytes() == b"narrator: v2/en_speaker_1\n"
    assert (real.parent / "cast.yaml.bak").read_text() == "# my notes\nnarrator: v2/en_speaker_6\n"
    files.rewrite_user_file(link, b"narrator: v2/en_speaker_1\n", 1 << 20)  # unchanged: the backup stays
    assert (real.parent / "cast.yaml.bak").read_text().startswith("# my notes")


def test_a_rewrite_refuses_a_pipe_or_folder_in_the_files_place(tmp_path):
    pipe = tmp_path / "cast.yaml"
    os.mkfifo(pipe)
    with pytest.raises(BarkflowError, match="not a regular file"):
        files.rewrite_user_file(pipe, b"x: 1\n", 1 << 20)
    assert pipe.exists() and not pipe.is_file()


# A user's YAML, parsed in one place.

@pytest.mark.parametrize("text, message", [
    ("characters:\n  A: {voice: x}\ncharacters:\n  B: {voice: y}\n", "line 3: 'characters' is given twice"),
    ("narrator: 1999-99-99\n", "month must be in 1..12"),
    ("x: !!int abc\n", "invalid literal"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nested more than 32 levels deep"),
])
def test_yaml_a_loader_would_crash_on_or_read_wrong_is_a_one_line_value_error(text, message):
    with pytest.raises(ValueError, match=message) as error:
        files.parse_yaml(text)
    assert "\n" not in str(error.value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab:-[]{},!&*?|>'\"\n #0129.%@`"), max_size=60))
def test_any_yaml_text_is_data_or_one_value_error(text):
    try:
        files.parse_yaml(text)
    except ValueError as error:
        assert "\n" not in str(error)
