"""Tests for barkflow.store.cache: content keys, verified atomic entries, cross-process claims."""

from __future__ import annotations

import copy
import dataclasses
import enum
import errno
import json
import logging
import multiprocessing
import os
import pickle
import random
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import barkflow
from barkflow.errors import BarkflowError
from barkflow.store.cache import ClaimTimeout, Store
from barkflow.store.keys import content_key

REPO = Path(barkflow.__file__).resolve().parent.parent
NS = "ns"


@dataclasses.dataclass(frozen=True)
class Voice:
    language: str
    temperature: float


@dataclasses.dataclass(frozen=True)
class OtherVoice:
    language: str
    temperature: float


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


class Level(enum.IntEnum):
    ONE = 1


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "cache")


def run_python(code: str, *args: str, **popen) -> subprocess.Popen:
    """Start a fresh interpreter (its own hash seed) that can import barkflow."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": str(random.randrange(1, 2**31))}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env, text=True, **popen)


def temps_under(root: Path) -> list[Path]:
    return list(root.rglob("*.tmp"))


# --------------------------------------------------------------------------- content_key

GOLDEN_PARTS = ("semantic", 42, 0.7, None, True, [1, "a"], {"b": 2, "a": 1}, np.arange(3, dtype=np.int16))


def test_key_is_32_hex_and_pinned():
    # Changing this value invalidates every user's cache: only ever on purpose, with a version bump.
    key = content_key(*GOLDEN_PARTS)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key == "7a32569a02345120028dacb6a8b0f85a"


STABILITY_VALUES = """[
    ("semantic", 42, 0.7, None, True, [1, "a"], {"b": 2, "a": 1}),
    {"zeta", "alpha", "mid", "x" * 40},          # set order follows the (random) string hash seed
    frozenset({("a", 1), ("b", 2)}),
    {("t", 1): "tuple key", "s": "str key", 3: "int key"},
    Voice("en", 0.7),
    Mode.FAST,
    Path("voices/en_speaker_6.npz"),
    np.arange(12, dtype=np.float32).reshape(3, 4).T,
    2**200,
]"""


def test_key_stable_across_processes():
    defs = """
        import dataclasses, enum, sys
        from pathlib import Path
        import numpy as np
        from barkflow.store.keys import content_key

        @dataclasses.dataclass(frozen=True)
        class Voice:
            language: str
            temperature: float

        class Mode(enum.Enum):
            FAST = "fast"
            SLOW = "slow"
    """
    code = textwrap.dedent(defs) + f"\nfor value in {STABILITY_VALUES}:\n    print(content_key(value))\n"
    here = [content_key(v) for v in eval(STABILITY_VALUES)]  # noqa: S307 (our own literal)
    for _ in range(2):  # two fresh interpreters, two different hash seeds
        proc = run_python(code, stdout=subprocess.PIPE)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert out.split() == here


BASE_PARTS = [
    "semantic",
    42,
    0.7,
    None,
    True,
    [1, "a"],
    {"a": 1, "b": 2},
    np.arange(3, dtype=np.int16),
    Voice("en", 0.7),
    Mode.FAST,
    Path("voices/a.npz"),
]
CHANGED_PARTS = [
    ["semantiC", "", b"semantic"],
    [43, -42, 42.0],
    [0.7000001, 0.69999999, 0.8],
    [False, 0, "None"],
    [False, 1],
    [[1, "b"], ["a", 1], [1, "a", None], [1]],
    [{"a": 1, "b": 3}, {"a": 1}, {"a": 1, "c": 2}, {"a": 1, "b": 2, "c": None}],
    [np.array([0, 1, 3], np.int16), np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int16).reshape(3, 1)],
    [Voice("de", 0.7), Voice("en", 0.71), OtherVoice("en", 0.7), {"language": "en", "temperature": 0.7}],
    [Mode.SLOW, "fast", "FAST"],
    [Path("voices/b.npz"), "voices/a.npz"],
]


@pytest.mark.parametrize("index", range(len(BASE_PARTS)))
def test_key_sensitive_to_every_part(index):
    base = content_key(*BASE_PARTS)
    for changed in CHANGED_PARTS[index]:
        parts = list(BASE_PARTS)
        parts[index] = changed
        assert content_key(*parts) != base, (index, changed)


def test_key_sensitive_to_order_and_count():
    keys = {
        content_key(*BASE_PARTS),
        content_key(*BASE_PARTS[::-1]),
        content_key(*BASE_PARTS[:-1]),
        content_key(*BASE_PARTS, None),
        content_key(BASE_PARTS),  # one list part, not many parts
    }
    assert len(keys) == 5


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1", 1),
        (1, 1.0),
        (True, 1),
        (False, 0),
        (None, "None"),
        (None, ""),
        (0.0, -0.0),
        (b"1", "1"),
        (Path("a"), "a"),
        (Mode.FAST, "fast"),
        (Level.ONE, 1),
        (["ab"], ["a", "b"]),
        (["a", "b"], "ab"),
        ([1, 2], [[1, 2]]),
        ({"a": 1}, [["a", 1]]),
        ({"1": 1}, {1: 1}),
        ({1, 2}, [1, 2]),
        (Voice("en", 0.7), OtherVoice("en", 0.7)),
        (np.array([1], np.int32), np.array([1], np.int64)),
        (np.array([1], np.int32), 1),
        (np.zeros((2, 1)), np.zeros((1, 2))),
        (np.zeros(0), np.zeros((0, 3))),
        (np.float32(0.7), 0.7),  # float32(0.7) is a different number
    ],
    ids=repr,
)
def test_key_type_distinctions(a, b):
    assert content_key(a) != content_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (0.7, 0.70),
        (1e-3, 0.001),
        ({"a": 1, "b": [2, {"c": 3, "d": 4}]}, {"b": [2, {"d": 4, "c": 3}], "a": 1}),
        ((1, 2), [1, 2]),
        (range(3), [0, 1, 2]),
        ({3, 1, 2}, {1, 2, 3}),
        (np.float64(0.7), 0.7),
        (np.int64(3), 3),
        (np.bool_(True), True),
        (Voice("en", 0.7), Voice("en", 0.70)),
        (Path("a/b"), PurePosixPath("a/b")),
        (np.arange(12).reshape(3, 4)[:, ::2], np.ascontiguousarray(np.arange(12).reshape(3, 4)[:, ::2])),
        (np.asfortranarray(np.arange(6).reshape(2, 3)), np.arange(6).reshape(2, 3)),
    ],
    ids=repr,
)
def test_key_equal_values_agree(a, b):
    assert content_key(a) == content_key(b)
    assert content_key(a) == content_key(copy.deepcopy(a))


@pytest.mark.parametrize("bad", [object(), np.array([1, None], dtype=object), [1, {"x": object()}], Voice])
def test_key_refuses_unstable_values(bad):
    with pytest.raises(TypeError):
        content_key(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, database=None)
@given(json_values, json_values)
def test_keys_agree_exactly_when_json_agrees(a, b):
    # JSON text keeps every distinction we want (1 vs 1.0 vs true vs "1") and ignores dict order.
    same = json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert (content_key(a) == content_key(b)) == same
    assert content_key(json.loads(json.dumps(a))) == content_key(a)


# --------------------------------------------------------------------------- save / load

SAMPLE_META = {"step": "semantic", "text": "Hallo ♪ wörld", "seed": 7, "model": "suno/bark", "temp": 0.7}


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16, np.float32])
def test_roundtrip(store, dtype):
    rng = np.random.default_rng(0)
    arrays = {
        "tokens": rng.integers(0, 1000, size=(2, 333)).astype(dtype),
        "scalar": np.array(5, dtype=dtype),
        "empty": np.zeros((0, 8), dtype=dtype),
        "fortran": np.asfortranarray(rng.integers(0, 9, size=(3, 4)).astype(dtype)),
    }
    if np.dtype(dtype).kind == "f":
        arrays["special"] = np.array([np.nan, np.inf, -0.0, 1e-30], dtype=dtype)
    key = content_key("roundtrip", str(dtype))
    assert not store.has(NS, key)
    path = store.save(NS, key, arrays, SAMPLE_META)
    assert path == store.root / NS / key[:2] / f"{key}.npz"
    assert store.has(NS, key)
    loaded = store.load(NS, key)
    assert loaded.keys() == arrays.keys()
    for name, array in arrays.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        assert loaded[name].tobytes() == array.tobytes()
    assert store.meta(NS, key) == SAMPLE_META


def test_meta_defaults_to_empty_and_missing_is_none(store, caplog):
    store.save(NS, "aa01", {"x": np.arange(3)})
    assert store.meta(NS, "aa01") == {}
    assert store.load(NS, "bb02") is None and store.meta(NS, "bb02") is None and not store.has(NS, "bb02")
    assert not caplog.records


def test_shapes_come_from_the_headers_without_loading_the_arrays(store, monkeypatch):
    store.save(NS, "aa01", {"audio": np.zeros(7, np.float32), "codes": np.zeros((2, 3), np.int64)}, {"seed": 1})
    monkeypatch.setattr(np.lib.npyio.NpzFile, "__getitem__", _only_strings(np.lib.npyio.NpzFile.__getitem__))
    assert store.shapes(NS, "aa01") == {"audio": (7,), "codes": (2, 3)}
    assert store.shapes(NS, "bb02") is None


def _only_strings(getitem):
    def checked(npz, name):  # the meta and checksum members are strings; any other read loads data
        value = getitem(npz, name)
        assert value.dtype.kind == "U", f"{name} was loaded"
        return value
    return checked


def test_equal_entries_are_equal_bytes(tmp_path):
    # Fixed zip timestamps and sorted members: a rerun writes byte-identical files.
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    arrays = {"y": np.arange(5.0), "x": np.arange(4)}
    pa = a.save(NS, "aa01", arrays, {"seed": 1, "text": "hi"})
    pb = b.save(NS, "aa01", dict(reversed(arrays.items())), {"text": "hi", "seed": 1})
    assert pa.read_bytes() == pb.read_bytes()
    with zipfile.ZipFile(pa) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_save_rejects_bad_input_and_writes_nothing(store):
    with pytest.raises(TypeError, match="object"):
        store.save(NS, "aa01", {"x": np.array([1, None], dtype=object)})
    with pytest.raises(ValueError, match="reserved"):
        store.save(NS, "aa01", {"__meta__": np.arange(2)})
    with pytest.raises(TypeError, match="JSON"):
        store.save(NS, "aa01", {"x": np.arange(2)}, {"when": object()})
    for namespace, key in [("../up", "aa01"), (".locks", "aa01"), (NS, "a"), (NS, "../aa"), (NS, "aa/01")]:
        with pytest.raises(ValueError):
            store.path(namespace, key)
    assert not store.has(NS, "aa01") and not temps_under(store.root)


def _corrupt_warning(caplog, path: Path) -> bool:
    return any(r.levelno == logging.WARNING and str(path) in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.99])
def test_truncated_entry_is_missing_and_recomputed(store, caplog, keep):
    arrays = {"x": np.arange(10_000, dtype=np.int64)}
    path = store.save(NS, "aa01", arrays)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    assert store.has(NS, "aa01")  # has() is a cheap stat: it cannot know
    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        assert store.load(NS, "aa01") is None
    assert _corrupt_warning(caplog, path)
    assert not path.exists() and path.with_name(path.name + ".corrupt").exists()  # moved aside
    assert not store.has(NS, "aa01")
    # The caller's recompute path: save again, load fine.
    store.save(NS, "aa01", arrays)
    np.testing.assert_array_equal(store.load(NS, "aa01")["x"], arrays["x"])


@pytest.mark.parametrize("where", ["data", "npy header", "meta"])
def test_flipped_byte_is_caught(store, caplog, where):
    array = np.arange(4096, dtype=np.int64)
    path = store.save(NS, "aa01", {"x": array}, {"text": "a unique meta text"})
    data = bytearray(path.read_bytes())
    needle = {
        "data": array[2000:2010].tobytes(),
        "npy header": b"'shape': (4096,)",
        "meta": "a unique meta text".encode("utf-32-le"),  # '<U' arrays are UTF-32
    }[where]
    offset = data.find(needle)
    assert offset > 0 and data.find(needle, offset + 1) == -1
    data[offset + 4] ^= 0x10
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        assert store.load(NS, "aa01") is None
    assert _corrupt_warning(caplog, path)


def _rewrite_members(path: Path, change) -> None:
    """Rebuild the entry as a perfectly valid npz whose members were changed by ``change``."""
    with np.load(path) as npz:
        members = {name: npz[name] for name in npz.files}
    change(members)
    path.unlink()
    np.savez(path, **members)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(y=m["y"] * 2),
        lambda m: m.update(__meta__=np.array('{"seed": 2}')),
        lambda m: m.pop("y"),
        lambda m: m.update(z=np.arange(2)),
        lambda m: m.pop("__checksum__"),
        lambda m: m.update(__checksum__=np.array([1, 2])),
    ],
    ids=["array", "meta", "dropped", "added", "no checksum", "bad checksum"],
)
def test_valid_zip_with_wrong_content_is_caught(store, caplog, change):
    path = store.save(NS, "aa01", {"x": np.arange(10), "y": np.ones(3)}, {"seed": 1})
    _rewrite_members(path, lambda m: None)
    assert store.load(NS, "aa01") is not None  # rewriting alone keeps a valid entry
    _rewrite_members(path, change)
    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        assert store.load(NS, "aa01") is None
    assert _corrupt_warning(caplog, path)


def test_entry_copied_to_another_key_is_caught(store):
    source = store.save(NS, "bb02", {"x": np.arange(10)})
    target = store.path(NS, "aa01")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    assert store.load(NS, "aa01") is None
    assert store.load(NS, "bb02") is not None


def test_object_array_is_refused(store):
    path = store.path(NS, "aa01")
    path.parent.mkdir(parents=True)
    np.savez(path, x=np.array([1, "a"], dtype=object), __meta__=np.array("{}"), __checksum__=np.array("0" * 32))
    assert store.meta(NS, "aa01") is None
    assert not path.exists()  # moved aside
    path.with_name(path.name + ".corrupt").rename(path)
    assert store.load(NS, "aa01") is None


@pytest.mark.parametrize("container", ["npz", "raw pickle"])
def test_pickled_payload_is_never_unpickled(store, tmp_path, container, pickle_payload):
    marker = tmp_path / "UNPICKLED"
    path = store.path(NS, "aa01")
    path.parent.mkdir(parents=True)
    if container == "npz":
        np.savez(path, x=np.array([pickle_payload(marker)], dtype=object), __meta__=np.array("{}"))
    else:
        path.write_bytes(pickle.dumps(pickle_payload(marker)))
    assert store.meta(NS, "aa01") is None
    path.with_name(path.name + ".corrupt").rename(path)
    assert store.load(NS, "aa01") is None
    assert not marker.exists()
    # The payload is live: anything that did unpickle it would have left the marker.
    if container == "npz":
        with np.load(path.with_name(path.name + ".corrupt"), allow_pickle=True) as npz:
            npz["x"]
        assert marker.exists()


def test_plain_npy_and_garbage_are_refused(store):
    path = store.path(NS, "aa01")
    path.parent.mkdir(parents=True)
    np.save(path.with_suffix(".tmpnpy"), np.arange(3))
    path.with_suffix(".tmpnpy.npy").rename(path)
    assert store.load(NS, "aa01") is None
    path.write_bytes(os.urandom(5000))
    assert store.load(NS, "aa01") is None


def test_lying_npy_header_is_refused_before_reading(store, caplog):
    path = store.save(NS, "aa01", {"x": np.arange(4, dtype=np.int64)})
    # Rebuild the zip around a header that claims 8 TB (same length: the shape eats padding).
    # The CRC is recomputed, so only the header check stands between np.load and the allocation.
    old = b"'shape': (4,), }" + b" " * 11
    new = b"'shape': (" + b"9" * 12 + b",), }"
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert len(old) == len(new) and members["x.npy"].count(old) == 1
    members["x.npy"] = members["x.npy"].replace(old, new)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        assert store.load(NS, "aa01") is None
    assert "header does not match" in caplog.text


def test_stale_temps_are_ignored_and_cleaned(store, caplog):
    folder = store.path(NS, "aa01").parent
    folder.mkdir(parents=True)
    stale = folder / ".aa01.999.deadbeef.tmp"
    fresh = folder / ".aa01.998.cafebabe.tmp"
    stale.write_bytes(b"PK partial")
    fresh.write_bytes(b"PK partial")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assert not store.has(NS, "aa01") and store.load(NS, "aa01") is None
    assert not caplog.records
    store.save(NS, "aa02", {"x": np.arange(2)})  # the first write into the folder sweeps it lazily
    assert not stale.exists() and fresh.exists()
    assert store.gc_temps() == 0  # fresh temps may belong to a live writer
    assert store.gc_temps(max_age=0) == 1 and not fresh.exists()
    assert store.load(NS, "aa02") is not None


def _old_temp(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / ".aa01.999.deadbeef.tmp"
    temp.write_bytes(b"someone else's file")
    two_hours_ago = time.time() - 7200
    os.utime(temp, (two_hours_ago, two_hours_ago))
    return temp


@pytest.mark.parametrize("linked", ["namespace", "shard", "locks"])
def test_links_out_of_the_cache_are_refused(tmp_path, linked):
    store = Store(tmp_path / "cache")
    outside = tmp_path / "elsewhere"
    temp = _old_temp(outside / "aa" if linked == "namespace" else outside)
    link = {"namespace": store.root / NS, "shard": store.root / NS / "aa", "locks": store.root / ".locks" / NS}[linked]
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    before = sorted(outside.rglob("*"))
    with pytest.raises(BarkflowError) as info:
        if linked == "locks":
            with store.claim(NS, ["aa01"]):
                pass
        else:
            store.save(NS, "aa01", {"x": np.arange(2)})
    message = str(info.value)
    assert "\n" not in message and f"{link} is a link to {outside}" in message and "plain folder" in message
    if linked != "locks":
        with pytest.raises(BarkflowError):
            store.has(NS, "aa01")
    store.gc_temps(max_age=0)
    assert temp.read_bytes() == b"someone else's file"  # never deleted through the link,
    assert sorted(outside.rglob("*")) == before  # and nothing written there


def test_links_that_stay_inside_the_cache_are_fine(tmp_path):
    store = Store(tmp_path / "cache")
    (store.root / "real").mkdir()
    (store.root / NS).symlink_to(store.root / "real", target_is_directory=True)
    store.save(NS, "aa01", {"x": np.arange(2)})
    assert (store.root / "real" / "aa" / "aa01.npz").is_file()


def test_cache_root_may_be_a_link(tmp_path):
    disk = tmp_path / "other-disk"
    temp = _old_temp(disk / NS / "aa")
    (tmp_path / "cache").symlink_to(disk, target_is_directory=True)
    store = Store(tmp_path / "cache")
    store.save(NS, "aa02", {"x": np.arange(3)})
    with store.claim(NS, ["aa02"]) as mine:
        assert mine == ["aa02"]
    assert np.array_equal(store.load(NS, "aa02")["x"], np.arange(3))
    assert not temp.exists()  # its own stale temps are swept as usual


# --------------------------------------------------------------------------- atomicity under SIGKILL

WRITER = """
    import os, signal, sys
    import numpy as np
    from barkflow.store.cache import Store

    store = Store(sys.argv[1])
    base = np.arange(1_000_000, dtype=np.int64)  # 8 MB per entry
    if sys.argv[2] == "die-mid-write":
        real = np.lib.format.write_array
        def write_half_then_die(fp, array, *args, **kwargs):
            if array.size > 1000:
                fp.write(array[: array.size // 2].tobytes())
                os.kill(os.getpid(), signal.SIGKILL)
            real(fp, array, *args, **kwargs)
        np.lib.format.write_array = write_half_then_die
    print("go", flush=True)
    for i in range(10_000):
        store.save("audio", f"k{i % 8:04d}", {"x": base + i % 8}, {"i": i % 8})
"""


def _check_all_entries(store: Store) -> int:
    """Every entry on disk loads and holds exactly what its key says; returns how many."""
    base = np.arange(1_000_000, dtype=np.int64)
    entries = sorted((store.root / "audio").rglob("*.npz"))
    for path in entries:
        i = int(path.stem[1:])
        loaded = store.load("audio", path.stem)
        assert loaded is not None, path
        assert np.array_equal(loaded["x"], base + i)
        assert store.meta("audio", path.stem) == {"i": i}
    return len(entries)


def test_killed_mid_write_leaves_old_entry_or_nothing(store):
    base = np.arange(1_000_000, dtype=np.int64)
    store.save("audio", "k0001", {"x": base + 1}, {"i": 1})  # an older complete version
    proc = run_python(WRITER, str(store.root), "die-mid-write", stdout=subprocess.PIPE)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert temps_under(store.root), "the writer should have died with its temp file half written"
    assert not store.has("audio", "k0000") and store.load("audio", "k0000") is None
    assert _check_all_entries(store) == 1  # k0001 untouched
    assert store.gc_temps(max_age=0) == 1 and not temps_under(store.root)


def test_sigkill_at_random_moments(store):
    rng = random.Random(1234)
    for _ in range(5):
        proc = run_python(WRITER, str(store.root), "normal", stdout=subprocess.PIPE)
        try:
            assert proc.stdout.readline().strip() == "go"
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
        _check_all_entries(store)
    assert _check_all_entries(store) >= 1
    store.gc_temps(max_age=0)
    assert not temps_under(store.root)


# --------------------------------------------------------------------------- claims


def _render_claimed(root: str, keys: list[str], log_path: str, barrier) -> None:
    """A worker: render what it claims, wait for the rest, take over keys of dead claimers."""
    store = Store(root)
    barrier.wait(timeout=120)  # start together, for maximal contention
    todo = [k for k in keys if not store.has(NS, k)]
    while todo:
        with store.claim(NS, todo) as mine:
            for key in mine:
                if not store.has(NS, key):
                    with open(log_path, "a") as log:  # one small O_APPEND write: atomic
                        log.write(f"{key} {os.getpid()}\n")
                    time.sleep(0.01)
                    store.save(NS, key, {"v": np.array([int(key[1:])])})
        store.wait_for(NS, todo, poll=0.01, timeout=120)
        todo = [k for k in todo if not store.has(NS, k)]


def test_four_processes_render_each_key_exactly_once(tmp_path):
    keys = [f"k{i:02d}" for i in range(24)]
    rng = random.Random(7)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    log_path = tmp_path / "rendered.log"
    shares = [rng.sample(keys, 18) for _ in range(4)]  # heavily overlapping, in different orders
    procs = [
        ctx.Process(target=_render_claimed, args=(str(tmp_path / "cache"), share, str(log_path), barrier))
        for share in shares
    ]
    for proc in procs:
        proc.start()
    try:
        for proc in procs:
            proc.join(timeout=180)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
    assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
    rendered = [line.split()[0] for line in log_path.read_text().splitlines()]
    assert sorted(rendered) == sorted(set(rendered))  # nothing rendered twice
    assert set(rendered) == set().union(*shares)  # and nothing left out
    store = Store(tmp_path / "cache")
    assert all(store.load(NS, k)["v"][0] == int(k[1:]) for k in rendered)
    assert len(set(line.split()[1] for line in log_path.read_text().splitlines())) >= 2  # real sharing


CLAIMER = """
    import sys, time
    from barkflow.store.cache import Store

    with Store(sys.argv[1]).claim("ns", sys.argv[2:]) as mine:
        print(" ".join(mine), flush=True)
        time.sleep(60)
"""


def test_killed_claimers_keys_become_claimable(store):
    keys = ["aa01", "bb02", "cc03"]
    proc = run_python(CLAIMER, str(store.root), *keys, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().split() == keys
        with store.claim(NS, keys + ["dd04"]) as mine:
            assert mine == ["dd04"]
        with pytest.raises(ClaimTimeout, match="3 cache entries"):
            store.wait_for(NS, keys, poll=0.02, timeout=0.2)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    store.wait_for(NS, keys, timeout=30)  # missing and unclaimed: returns, the caller renders them
    with store.claim(NS, keys) as mine:
        assert mine == keys


def test_claim_is_exclusive_released_on_exception_and_deduplicated(store):
    with pytest.raises(RuntimeError):
        with store.claim(NS, ["bb02", "aa01", "bb02"]) as mine:
            assert mine == ["bb02", "aa01"]
            with store.claim(NS, ["aa01", "cc03"]) as other:  # a second claimer, same process
                assert other == ["cc03"]
            raise RuntimeError("render failed")
    with store.claim(NS, ["aa01", "bb02"]) as mine:
        assert mine == ["aa01", "bb02"]
    assert (store.root / ".locks" / NS / "aa01.lock").exists()


def test_claim_wait_blocks_until_released_or_timeout(store):
    held = threading.Event()
    release = threading.Event()

    def holder():
        with store.claim(NS, ["aa01"]) as mine:
            assert mine == ["aa01"]
            held.set()
            release.wait(60)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        start = time.monotonic()
        with store.claim(NS, ["aa01", "bb02"], wait=True, timeout=0.2) as mine:
            assert mine == ["bb02"]
        assert time.monotonic() - start > 0.15
        threading.Timer(0.1, release.set).start()
        with store.claim(NS, ["aa01"], wait=True) as mine:
            assert mine == ["aa01"]
    finally:
        release.set()
        thread.join(10)


def test_wait_for_returns_once_saved_even_if_still_claimed(store):
    claimed = threading.Event()
    saved = threading.Event()
    release = threading.Event()

    def renderer():
        with store.claim(NS, ["aa01"]):
            claimed.set()
            time.sleep(0.1)
            store.save(NS, "aa01", {"x": np.arange(3)})
            saved.set()
            release.wait(60)

    thread = threading.Thread(target=renderer)
    thread.start()
    try:
        assert claimed.wait(10)
        store.wait_for(NS, ["aa01"], poll=0.01, timeout=30)
        # The entry exists once save() renames it, a moment before save() returns and sets `saved`.
        assert store.load(NS, "aa01") is not None and saved.wait(10)
    finally:
        release.set()
        thread.join(10)


# --------------------------------------------------------------------------- unwritable / full disk


def _chmod_is_effective(folder: Path) -> bool:
    """False when running as root (or with CAP_DAC_OVERRIDE): a read-only mode stops nobody."""
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return True
    (folder / "probe").unlink()
    return False


def test_unwritable_root_is_a_one_line_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    try:
        if _chmod_is_effective(locked):
            targets = [locked, locked / "cache"]
        else:  # simulate: nothing can be created under a regular file
            (tmp_path / "a_file").write_text("")
            targets = [tmp_path / "a_file", tmp_path / "a_file" / "cache"]
        for target in targets:
            with pytest.raises(BarkflowError) as err:
                Store(target)
            message = str(err.value)
            assert str(target) in message and "\n" not in message
    finally:
        locked.chmod(0o755)


def test_unwritable_folder_during_save(store):
    kept = store.save(NS, "aa01", {"x": np.arange(5)})
    blocked = store.path(NS, "bb02").parent
    if _chmod_is_effective(kept.parent):
        kept.parent.chmod(0o755)
        blocked.mkdir(parents=True)
        blocked.chmod(0o555)
    else:
        kept.parent.chmod(0o755)
        blocked.parent.mkdir(parents=True, exist_ok=True)
        blocked.write_text("")  # a file where the shard folder should be
    try:
        with pytest.raises(BarkflowError) as err:
            store.save(NS, "bb02", {"x": np.arange(5)})
        assert str(blocked) in str(err.value) and "\n" not in str(err.value)
    finally:
        if blocked.is_dir():
            blocked.chmod(0o755)
    np.testing.assert_array_equal(store.load(NS, "aa01")["x"], np.arange(5))


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_full_disk(store, monkeypatch, failing):
    store.save(NS, "aa01", {"x": np.arange(5)}, {"v": 1})
    store.save(NS, "bb02", {"x": np.arange(3)}, {"v": 1})
    if failing == "write":
        real_write = np.lib.format.write_array

        def write_some_then_fail(fp, array, *args, **kwargs):
            if array.dtype.kind != "U":  # the meta/checksum members get through, the data does not
                fp.write(b"\0" * 4096)
                _enospc()
            real_write(fp, array, *args, **kwargs)

        monkeypatch.setattr(np.lib.format, "write_array", write_some_then_fail)
    else:
        monkeypatch.setattr(os, "fsync", _enospc)
    for key in ["cc03", "bb02"]:  # a new entry, and an overwrite of an existing one
        with pytest.raises(BarkflowError) as err:
            store.save(NS, key, {"x": np.arange(100_000)}, {"v": 2})
        message = str(err.value)
        assert "no space left on device" in message.lower()
        assert str(store.path(NS, key).parent) in message and "\n" not in message
    monkeypatch.undo()
    assert not temps_under(store.root)
    assert not store.has(NS, "cc03")
    np.testing.assert_array_equal(store.load(NS, "aa01")["x"], np.arange(5))
    np.testing.assert_array_equal(store.load(NS, "bb02")["x"], np.arange(3))
    assert store.meta(NS, "bb02") == {"v": 1}


def test_a_checksum_is_read_once_per_file_until_the_file_changes(store, monkeypatch):
    """A no-op rerun asks every decode entry's checksum for the render key and again for the review
    clips: the second ask is a stat. A rewritten entry (a repair, a recompute) is a new file and is read."""
    store.save(NS, "aa01", {"audio": np.zeros(7, np.float32)})
    first = store.checksum(NS, "aa01")
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real(*a, **k))
    assert store.checksum(NS, "aa01") == first and not opened
    store.save(NS, "aa01", {"audio": np.ones(9, np.float32)})  # repaired with other content
    second = store.checksum(NS, "aa01")
    assert second != first and opened
    other = Store(store.root)  # another process's view agrees
    assert other.checksum(NS, "aa01") == second
    path = store.path(NS, "aa01")
    path.write_bytes(path.read_bytes()[:100])  # damaged in place: no checksum, not the remembered one
    assert store.checksum(NS, "aa01") is None


def _opened_archives(monkeypatch) -> list:
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real(*a, **k))
    return opened


def test_the_next_process_knows_the_checksums_saved_until_an_entry_changes(store, monkeypatch):
    """A no-op rerun of a novel opened every decode entry for its checksum: saved checksums are a stat
    each in the next process, and a rewritten entry (another file) is read again, not trusted."""
    for key, n in (("aa01", 7), ("bb02", 5), ("cc03", 3)):
        store.save(NS, key, {"audio": np.zeros(n, np.float32)})
    first = {key: store.checksum(NS, key) for key in ("aa01", "bb02", "cc03")}
    store.save_checksums()
    store.path(NS, "cc03").unlink()  # gone: dropped from the file at the next save
    opened = _opened_archives(monkeypatch)
    after = Store(store.root)
    assert after.checksum(NS, "aa01") == first["aa01"] and not opened
    store.save(NS, "bb02", {"audio": np.ones(5, np.float32)})  # repaired: same size, another file
    assert after.checksum(NS, "bb02") == Store(store.root).checksum(NS, "bb02") != first["bb02"] and opened
    after.save_checksums()
    saved = json.loads((store.root / ".checksums" / f"{NS}.json").read_text())
    assert set(saved) == {"aa01", "bb02"} and saved["bb02"][4] != first["bb02"]


@pytest.mark.parametrize("damage", ["not json", "[]", '{"aa01": [1, 2]}', '{"aa01": "x"}', '{"../x": [1, 1, 1, 1, "0"]}'])
def test_a_damaged_checksums_file_is_read_as_none(store, monkeypatch, damage):
    store.save(NS, "aa01", {"audio": np.zeros(7, np.float32)})
    expected = store.checksum(NS, "aa01")
    (store.root / ".checksums").mkdir()
    (store.root / ".checksums" / f"{NS}.json").write_text(damage)
    assert Store(store.root).checksum(NS, "aa01") == expected


def test_checksums_are_not_saved_through_a_link_out_of_the_cache(store, tmp_path, caplog):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (store.root / ".checksums").symlink_to(elsewhere)
    store.save(NS, "aa01", {"audio": np.zeros(7, np.float32)})
    store.checksum(NS, "aa01")
    with caplog.at_level(logging.WARNING):
        store.save_checksums()
    assert list(elsewhere.iterdir()) == [] and "not saved" in caplog.text


def test_a_forged_stamp_in_the_checksums_file_is_not_a_stale_entrys_pass(store, monkeypatch):
    """A row whose stamp no longer matches the file is not used: the entry is read."""
    store.save(NS, "aa01", {"audio": np.zeros(7, np.float32)})
    real = store.checksum(NS, "aa01")
    store.save_checksums()
    path = store.root / ".checksums" / f"{NS}.json"
    row = json.loads(path.read_text())["aa01"]
    path.write_text(json.dumps({"aa01": [row[0], row[1] + 1, *row[2:4], "f" * 32]}))
    opened = _opened_archives(monkeypatch)
    assert Store(store.root).checksum(NS, "aa01") == real and opened


@settings(max_examples=30, deadline=None)
@given(saved=st.sets(st.sampled_from(["aa01", "aa02", "ab01", "zz99", "zz98"])),
       asked=st.sets(st.sampled_from(["aa01", "aa02", "ab01", "zz99", "zz98", "qq00"])))
def test_existing_agrees_with_has(tmp_path_factory, saved, asked):
    """The listing per folder a rerun uses finds exactly the entries a stat per key would."""
    store = Store(tmp_path_factory.mktemp("existing"))
    for key in saved:
        store.save("semantic", key, {"tokens": np.zeros(2, dtype=np.int64)})
    (store.root / "semantic" / "aa").mkdir(parents=True, exist_ok=True)
    (store.root / "semantic" / "aa" / "aa03.npz").mkdir()  # a folder named like an entry is none
    assert store.existing("semantic", asked | {"aa03"}) == {k for k in asked | {"aa03"} if store.has("semantic", k)}
    assert store.existing("semantic", asked) == saved & asked
