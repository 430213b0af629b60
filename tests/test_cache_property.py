"""The cache's one promise, as a property: whatever bytes an entry file holds, `Store.load` returns
either exactly what was saved under that key, or nothing (and moves the file aside so it is
recomputed). Damaged bytes, a truncated or extended file, and another key's perfectly valid entry
copied over this one are all "nothing"; none of them is ever handed to a step."""

import logging

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.store.cache import Store

NS = "decode"
SAVED = {"audio": np.linspace(-0.5, 0.5, 2400, dtype=np.float32), "tokens": np.arange(300, dtype=np.int64)}
OTHER = {"audio": np.linspace(0.5, -0.5, 2400, dtype=np.float32), "tokens": np.arange(300, dtype=np.int64) + 1}


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
    store = Store(tmp_path_factory.mktemp("cache"))
    return store.save(NS, key, arrays, {"segment": "l0001-s01"}).read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_bytes_in_an_entry_load_as_saved_or_not_at_all(tmp_path_factory, data):
    valid = _entry_bytes(tmp_path_factory, "aa01", SAVED)
    other_entry = _entry_bytes(tmp_path_factory, "bb02", OTHER)
    content = data.draw(_mutations(valid, other_entry))

    store = Store(tmp_path_factory.mktemp("cache"))
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
