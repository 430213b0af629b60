"""A cache entry can hold no more than its step can produce (barkflow/steps/bounds.py): a forged entry
that declares more, even with a genuine checksum, is refused before its data is read, fast and in
little memory, and recomputed like any damaged entry."""

import io
import logging
import time
import tracemalloc
import zipfile
import zlib

import forged
import numpy as np
import pytest

from barkflow.steps.bounds import ENTRY_BOUNDS
from barkflow.store import npz
from barkflow.store.cache import Store

NS, KEY = "decode", "aa01"
HUGE_CHUNKS = 32  # 32 × 64 MiB = 2 GiB of declared audio, about 2 MB on disk


@pytest.fixture(scope="module")
def huge_entry() -> bytes:
    member = forged.huge_zeros("audio", "<f4", HUGE_CHUNKS)
    declared = {"audio": np.zeros(HUGE_CHUNKS * forged.CHUNK // 4, np.float32)}  # calloc: zero pages, no memory
    return forged.entry(NS, KEY, [member], declared)


def _load(store: Store, content: bytes, caplog):
    path = store.path(NS, KEY)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    tracemalloc.start()
    start = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        loaded = store.load(NS, KEY)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return loaded, seconds, peak


def test_an_entry_declaring_gigabytes_is_refused_fast_in_little_memory(tmp_path, huge_entry, caplog):
    assert len(huge_entry) < 4_000_000  # a small file...
    store = Store(tmp_path, ENTRY_BOUNDS)
    loaded, seconds, peak = _load(store, huge_entry, caplog)
    assert loaded is None
    assert seconds < 1.0 and peak < 10_000_000, (seconds, peak)  # ...never inflated
    assert not store.has(NS, KEY) and store.path(NS, KEY).with_name(f"{KEY}.npz.corrupt").exists()
    assert "corrupt cache entry" in caplog.text and "audio.npy: declares 2147483776 bytes" in caplog.text


def test_a_file_larger_than_its_step_can_write_is_refused_before_it_is_opened(tmp_path, caplog):
    store = Store(tmp_path, ENTRY_BOUNDS)
    valid = store.save("semantic", KEY, {"tokens": np.arange(10)}).read_bytes()
    store.path("semantic", KEY).write_bytes(valid + bytes(2_000_000))
    with caplog.at_level(logging.WARNING, logger="barkflow.store.cache"):
        assert store.load("semantic", KEY) is None
    assert "more than a semantic entry can hold" in caplog.text


def test_meta_shapes_and_checksum_refuse_it_too(tmp_path, huge_entry):
    store = Store(tmp_path, ENTRY_BOUNDS)
    path = store.path(NS, KEY)
    path.parent.mkdir(parents=True, exist_ok=True)
    for read in (store.meta, store.shapes, store.checksum, store.origin):
        path.write_bytes(huge_entry)
        tracemalloc.start()
        read(NS, KEY)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 10_000_000, (read.__name__, peak)


def test_a_huge_reserved_member_is_refused(tmp_path, caplog):
    member = forged.huge_zeros("__meta__", "<U1", 1)  # a 64 MiB "meta string" in ~64 kB
    content = forged.zip_bytes([member, forged.stored("__checksum__", np.array("0" * 32))])
    loaded, seconds, peak = _load(Store(tmp_path, ENTRY_BOUNDS), content, caplog)
    assert loaded is None and peak < 10_000_000, peak


def test_the_largest_entry_a_step_can_produce_still_loads(tmp_path):
    """The bounds are what the steps can produce, not less: a 600 s re-voiced segment's audio loads."""
    store = Store(tmp_path, ENTRY_BOUNDS)
    limit = ENTRY_BOUNDS["decode"]["audio"].max_bytes // 8
    audio = np.zeros(limit, np.float32)
    store.save("decode", "dd01", {"audio": audio})
    assert store.load("decode", "dd01")["audio"].shape == (limit,)
    store.save("decode", "dd02", {"audio": np.zeros(limit + 1, np.float64)})  # one sample over
    assert store.load("decode", "dd02") is None


@pytest.mark.parametrize("namespace,arrays", [
    ("semantic", {"codes": np.zeros(3, np.int64)}),  # a member its step never writes
    ("semantic", {"tokens": np.zeros(3, np.float32)}),  # tokens are integers
    ("decode", {"audio": np.zeros(3, np.int16)}),  # audio is float
])
def test_a_member_its_step_never_writes_is_refused(tmp_path, namespace, arrays):
    store = Store(tmp_path, ENTRY_BOUNDS)
    store.save(namespace, "ee01", arrays)
    logging.getLogger("barkflow.store.cache").disabled = True
    try:
        assert store.load(namespace, "ee01") is None
    finally:
        logging.getLogger("barkflow.store.cache").disabled = False


def test_a_compressed_member_is_refused(tmp_path, caplog):
    store = Store(tmp_path, ENTRY_BOUNDS)
    member = forged.stored("audio", np.zeros(10, np.float32))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    member.data, member.method = deflate.compress(member.data) + deflate.flush(), 8
    declared = {"audio": np.zeros(10, np.float32)}
    loaded, _, _ = _load(store, forged.entry(NS, KEY, [member], declared), caplog)
    assert loaded is None and "audio.npy: compressed" in caplog.text


def test_a_member_whose_stream_holds_more_than_it_declares_is_inflated_only_as_far_as_declared():
    """Voice files may be compressed (np.savez_compressed): reading one stops at the size the ZIP
    and the header declare, however much its deflate stream would give."""
    header = forged.npy_header("<f4", (16,))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(header) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(bytes(forged.CHUNK)) + deflate.flush(zlib.Z_FULL_FLUSH)
    data = start + block * 4 + deflate.flush()  # a 256 MiB stream...
    member = forged.Member("audio.npy", data, zlib.crc32(header + bytes(64)), len(header) + 64, method=8)  # ...declared 64 bytes
    archive = zipfile.ZipFile(io.BytesIO(forged.zip_bytes([member])))
    tracemalloc.start()
    array = npz.read_array(archive, npz.read_header(archive, archive.getinfo("audio.npy")))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert array.shape == (16,) and peak < 1_000_000, peak
