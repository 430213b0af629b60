"""The cache's one promise, as a property: whatever bytes an entry file holds, `Store.load` returns
either exactly what was saved under that key, or nothing (and moves the file aside so it is
recomputed). Damaged bytes, a truncated or extended file, and another key's perfectly valid entry
copied over this one are all "nothing"; none of them is ever handed to a step. Forged entries
(genuine checksums over members of any name, dtype and declared size, sizes in the ZIP that lie,
compressed members) load as declared only when their step could have written them, and either way
cost little memory and time."""

import logging
import time
import tracemalloc
import zlib

import forged
import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from barkflow.steps.bounds import ENTRY_BOUNDS
from barkflow.store.cache import Store

NS = "decode"
SAVED = {"audio": np.linspace(-0.5, 0.5, 2400, dtype=np.float32)}
OTHER = {"audio": np.linspace(0.5, -0.5, 2400, dtype=np.float32)}


def _flipped(data: bytes):
    """`data` with one to four bytes changed."""
    changes = st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)), min_size=1, max_size=4)

    def apply(pairs) -> bytes:
        out = bytearray(data)
        for offset, mask in pairs:
            out[offset] ^= mask
        return bytes(out)

    return changes.map(apply)


def _mutations(valid: bytes, other_entry: bytes):
    """Ways the bytes of an entry file can go wrong: a disk, a copy, an editor, a half-finished write."""
    return st.one_of(
        _flipped(valid),
        st.integers(0, len(valid) - 1).map(lambda n: valid[:n]),
        st.binary(min_size=1, max_size=64).map(lambda tail: valid + tail),
        st.binary(max_size=4096),
        st.just(other_entry),  # a valid entry, but of another key
    )


def _entry_bytes(tmp_path_factory, key: str, arrays: dict) -> bytes:
    store = Store(tmp_path_factory.mktemp("cache"), ENTRY_BOUNDS)
    return store.save(NS, key, arrays, {"segment": "l0001-s01"}).read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_bytes_in_an_entry_load_as_saved_or_not_at_all(tmp_path_factory, data):
    valid = _entry_bytes(tmp_path_factory, "aa01", SAVED)
    other_entry = _entry_bytes(tmp_path_factory, "bb02", OTHER)
    content = data.draw(_mutations(valid, other_entry))

    store = Store(tmp_path_factory.mktemp("cache"), ENTRY_BOUNDS)
    path = store.path(NS, "aa01")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    logging.getLogger("barkflow.store.cache").disabled = True
    try:
        loaded = store.load(NS, "aa01")
    finally:
        logging.getLogger("barkflow.store.cache").disabled = False
    if loaded is None:
        assert not store.has(NS, "aa01")  # moved aside: the next run computes it again
    else:
        assert content == valid or set(loaded) == set(SAVED)
        for name, array in SAVED.items():
            np.testing.assert_array_equal(loaded[name], array)
            assert loaded[name].dtype == array.dtype


# --------------------------------------------------------------------------- forged entries

_DTYPES = ("<f4", "<f4", "<f4", "<f8", "<i8", "<i2", "|u1", "<U4", "|b1")  # weighted toward what decode writes
_HUGE = 1 << 31  # elements a forged header may declare (16 GiB of float64)


@st.composite
def _forged_member(draw):
    """(member as stored, the array it declares or None when its data is not all there)."""
    name = draw(st.sampled_from(["audio"] * 3 + ["tokens", "codes", "transcript", "x", "__origin__"]))
    dtype = np.dtype(draw(st.sampled_from(_DTYPES)))
    small = draw(st.booleans())
    count = draw(st.integers(0, 64)) if small else draw(st.integers(1 << 20, _HUGE))
    header = forged.npy_header(dtype.str, (count,))
    body = np.zeros(count, dtype).tobytes() if small else bytes(draw(st.integers(0, 4096)))  # huge: a stub
    declared = len(header) + count * dtype.itemsize
    declared += draw(st.sampled_from([0] * 6 + [-1, 1, 1 << 30]))  # what the ZIP says can lie
    data, method = header + body, draw(st.sampled_from([0, 0, 0, 8]))
    if method == 8:
        deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = deflate.compress(data) + deflate.flush()
    declared = min(max(0, declared), (1 << 32) - 1)  # forged.zip_bytes writes no ZIP64 records
    member = forged.Member(f"{name}.npy", data, zlib.crc32(header + body), declared, method)
    return member, np.zeros(count, dtype) if small else None


def _warm_up(store: Store) -> None:
    """Refuse one damaged entry untimed first: what a first refusal imports or caches once per
    process (the quarantine's modules) is not the entry's cost, and made the first example flaky."""
    path = store.path(NS, "warm")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 not an entry")
    store.load(NS, "warm")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(_forged_member(), max_size=2, unique_by=lambda m: m[0].name))
def test_a_forged_entry_loads_only_what_its_step_can_write_and_costs_little(tmp_path_factory, members):
    declared = {m.name.removesuffix(".npy"): array for m, array in members}
    content = forged.entry(NS, "aa01", [m for m, _ in members], {k: v for k, v in declared.items() if v is not None})
    store = Store(tmp_path_factory.mktemp("cache"), ENTRY_BOUNDS)
    path = store.path(NS, "aa01")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    logging.getLogger("barkflow.store.cache").disabled = True
    _warm_up(store)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        loaded = store.load(NS, "aa01")
    finally:
        seconds, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        logging.getLogger("barkflow.store.cache").disabled = False
    assert seconds < 2.0 and peak < 4 * len(content) + 2_000_000, (seconds, peak)
    event("refused" if loaded is None else "loaded")
    if loaded is None:
        assert not store.has(NS, "aa01")
    else:  # exactly the declared arrays, each one its step can write
        assert set(loaded) == set(declared) <= set(ENTRY_BOUNDS[NS])
        for name, array in loaded.items():
            assert array.dtype.kind in ENTRY_BOUNDS[NS][name].kinds
            np.testing.assert_array_equal(array, declared[name])
            assert array.dtype == declared[name].dtype
