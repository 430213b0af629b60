"""Cache keys: what a step's result depends on, hashed into 32 hex characters.

`Key` declares one kind of key: its name, its version and its fields, in a fixed order. Calling it
with every field by name gives the key; a field missing or unknown is an error, so what a key
covers is written in one place and read at a glance (each step module's KEY). Fields declared
`optional` (ones added after keys were in use) are hashed by name and value, and left out while
they hold their default, so adding one keeps every existing key, and two optional fields can
never stand in for each other. Changing what a key covers otherwise is a version bump.

`content_key(*parts)` is the typed encoding underneath: equal inputs give equal keys in every
process and Python run; inputs that differ in value *or type* give different keys.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import enum
import functools
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, Optional

import numpy as np

KEY_HEX_CHARS = 32  # 128 bits of sha256: collisions are not a practical concern

# Bump the version if the encoding below changes: every key changes with it, so old entries
# are simply never found again (no stale hit can ever mix two encodings).
_KEY_PREFIX = b"barkflow.content_key/1\0"


class Key:
    """One kind of key: `Key("coarse", 1, ("semantic", "prompt", "options", "seed", "model"))`.

    Hashed as (name, version, *fields in order, *(optional name, value) pairs set). Version 0 is
    for keys older than versions (seeds, segment ids): it is not hashed, so their values stand.
    """

    def __init__(self, name: str, version: int, fields: Sequence[str], optional: Mapping[str, Any] = None,
                 tag: str = ""):
        self.name, self.version, self.fields, self.tag = name, version, tuple(fields), tag
        self.optional = dict(optional or {})  # field -> its default (left out of the hash)
        clash = set(self.fields) & set(self.optional)
        assert not clash and len(set(self.fields)) == len(self.fields), f"key {name}: a field is named twice"
        # Worked out once: a plan makes ~10 keys a segment.
        self._required = frozenset(self.fields)
        self._allowed = self._required | frozenset(self.optional)
        self._head = [name] + ([version] if version else []) + ([tag] if tag else [])

    def __call__(self, **values: Any) -> str:
        given = values.keys()
        if not self._required <= given <= self._allowed:
            unknown, missing = given - self._allowed, self._required - given
            raise TypeError(f"key {self.name!r}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        parts = self._head + [values[name] for name in self.fields]
        if self.optional:
            parts += [(name, values[name]) for name, default in self.optional.items()
                      if name in values and values[name] != default]
        return content_key(*parts)

    def __repr__(self) -> str:
        return f"Key({self.name!r}, {self.version}, {self.fields}, optional={self.optional})"


def content_key(*parts: object) -> str:
    """A stable 32-hex-character key for ``parts`` (sha256 of a typed, unambiguous encoding).

    Accepted values: None, bool, int, float, str, bytes, lists/tuples/other sequences (all the
    same: a YAML list and a Python tuple agree), sets, dicts (key order does not matter),
    dataclass instances (class name + fields), Enum members (class name + member name), paths
    (as POSIX strings), numpy arrays (dtype + shape + bytes) and numpy scalars (as the equal
    Python number).

    Floats are hashed by ``repr``, so 0.7 and 0.70 agree while 0.7 and 0.7000001 differ.
    Values that print alike but differ in type ("1", 1, 1.0, True, Path("1")) give different keys.
    Raises TypeError for anything else (an object array, an arbitrary object): a key must never
    depend on ``id()`` or ``hash()``, which change from run to run.
    """
    digest = hashlib.sha256(_KEY_PREFIX)
    _feed(digest, list(parts))
    return digest.hexdigest()[:KEY_HEX_CHARS]


def code_key(files: Sequence, packages: Sequence[str] = (), *extra: object) -> str:
    """A key over the bytes of source `files`, the installed versions of `packages` (None where one
    is missing) and `extra` values: for what is kept across runs and made by code rather than by a
    step, so that a changed reader, normaliser or page is never served its older result."""
    import importlib.metadata

    versions = []
    for package in packages:
        try:
            versions.append(importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:
            versions.append(None)
    return content_key(versions, list(extra), *(Path(path).read_bytes() for path in files))


class _Collector:
    """Stands in for a hash object to capture one value's encoding (to sort dict keys and sets)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def update(self, data: bytes) -> None:
        self.chunks.append(bytes(data))


def _encoded(value: object) -> bytes:
    out = _Collector()
    _feed(out, value)
    return b"".join(out.chunks)


def _atom(out, tag: bytes, payload: bytes) -> None:
    # tag + length + payload: no value's encoding is a prefix of another's.
    out.update(b"%s%d:" % (tag, len(payload)))
    out.update(payload)


def _feed(out, value: object) -> None:
    """Write ``value``'s typed encoding into ``out`` (anything with ``update(bytes)``)."""
    # The exact built-in types first, by identity of their type (a plan hashes ~100 values per unit
    # and step): the same bytes as the general branches below, which subclasses still take.
    kind = type(value)
    if kind is str:
        payload = value.encode("utf-8", "surrogatepass")
        out.update(b"S%d:%s" % (len(payload), payload))
    elif kind is list or kind is tuple:
        out.update(b"L%d:" % len(value))
        for item in value:
            _feed(out, item)
    elif kind is int:
        payload = format(value, "x").encode()
        out.update(b"I%d:%s" % (len(payload), payload))
    elif kind is float:
        payload = float.__repr__(value).encode()
        out.update(b"F%d:%s" % (len(payload), payload))
    elif kind is dict:
        _feed_mapping(out, value)
    else:
        _feed_other(out, value)


def _feed_other(out, value: object) -> None:
    # Order matters: IntEnum/StrEnum are also int/str, bool is also int, np.float64 is also float.
    if value is None:
        _atom(out, b"N", b"")
    elif isinstance(value, enum.Enum):
        out.update(b"E")
        _feed(out, type(value).__qualname__)
        _feed(out, value.name)
    elif isinstance(value, bool):
        _atom(out, b"B", b"1" if value else b"0")
    elif isinstance(value, int):
        _atom(out, b"I", format(int(value), "x").encode())  # hex: no str() digit limit on huge ints
    elif isinstance(value, float):
        _atom(out, b"F", float.__repr__(value).encode())  # not repr(): np.float64 prints differently
    elif isinstance(value, str):
        _atom(out, b"S", value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        _atom(out, b"Y", bytes(value))
    elif isinstance(value, PurePath):
        _atom(out, b"P", value.as_posix().encode("utf-8", "surrogateescape"))
    elif isinstance(value, np.ndarray):
        _feed_array(out, value)
    elif isinstance(value, np.generic):
        # A numpy number hashes like the Python number it equals (a seed from rng.integers
        # must find the entry made with the literal); other scalars hash as 0-d arrays.
        _feed(out, value.item() if value.dtype.kind in "biuf" else np.asarray(value))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Like dataclasses.asdict, but without its deep copy and keeping nested class names: "C",
        # the class name, then its fields as the Mapping branch below writes a dict of them. A field
        # added after keys were in use is marked `key_omits_default`: at its default it is left out,
        # so adding it keeps every existing key.
        reused = _REUSED.get()
        if reused is None:
            _feed_dataclass(out, value)
            return
        known = reused.get(id(value))
        if known is None or known[0] is not value:
            known = reused[id(value)] = (value, _encoded_dataclass(value))  # held: its id stays its own
        out.update(known[1])
    elif isinstance(value, Mapping):
        _feed_mapping(out, value)
    elif isinstance(value, Sequence):  # list, tuple, and list-likes such as a config's ListConfig
        out.update(b"L%d:" % len(value))
        for item in value:
            _feed(out, item)
    elif isinstance(value, (set, frozenset)):
        members = sorted(_encoded(item) for item in value)
        out.update(b"T%d:" % len(members))
        for member in members:
            out.update(member)
    else:
        raise TypeError(
            f"content_key cannot hash a {type(value).__qualname__}: pass JSON-like values, "
            "dataclasses, enums, paths or numpy arrays"
        )


def _feed_mapping(out, value: Mapping) -> None:
    items = sorted(((_encoded_key(k), v) for k, v in value.items()), key=lambda item: item[0])
    out.update(b"D%d:" % len(items))
    for encoded_key, item in items:
        out.update(encoded_key)
        _feed(out, item)


@functools.lru_cache(maxsize=4096)  # a book's dicts share a few field names (the render key's pieces: 8)
def _encoded_name(name: str) -> bytes:
    return _encoded(name)


def _encoded_key(key: object) -> bytes:
    return _encoded_name(key) if type(key) is str else _encoded(key)


def _feed_dataclass(out, value) -> None:
    name, layout = _dataclass_layout(type(value))
    present = [(encoded, getattr(value, field)) for encoded, field, default in layout
               if default is _KEPT or not getattr(value, field) == default]
    out.update(b"C" + name + b"D%d:" % len(present))
    for encoded, field_value in present:
        out.update(encoded)
        _feed(out, field_value)


def _encoded_dataclass(value) -> bytes:
    out = _Collector()
    _feed_dataclass(out, value)
    return b"".join(out.chunks)


# id(dataclass) -> (it, its encoding) inside `reusing_encodings`, else None
_REUSED: contextvars.ContextVar[Optional[dict]] = contextvars.ContextVar("barkflow_key_encodings", default=None)


@contextlib.contextmanager
def reusing_encodings() -> Iterator[None]:
    """Within it, each dataclass instance hashed is encoded once, by identity, and its bytes reused:
    for hashing many keys over the same options objects (a plan: every unit's every step), which
    nothing may change meanwhile. The same bytes as without it."""
    token = _REUSED.set({})
    try:
        yield
    finally:
        _REUSED.reset(token)


_KEPT = object()  # a field hashed whatever its value


@functools.lru_cache(maxsize=None)  # one entry per dataclass type hashed: a handful
def _dataclass_layout(cls: type) -> tuple[bytes, list[tuple[bytes, str, object]]]:
    """A dataclass's encoded name, and its fields as (encoded name, name, the default at which it is
    left out, else _KEPT) in the order a dict of them is hashed: worked out once per class, since
    a plan hashes the same options dataclasses for every segment's every step."""
    fields = [(_encoded(f.name), f.name, f.default if f.metadata.get("key_omits_default") else _KEPT)
              for f in dataclasses.fields(cls)]
    return _encoded(cls.__qualname__), sorted(fields, key=lambda f: f[0])


def _feed_array(out, array: np.ndarray) -> None:
    if array.dtype.hasobject:
        raise TypeError("content_key cannot hash an object array: its bytes are pointers")
    out.update(b"A")
    _feed(out, repr(np.lib.format.dtype_to_descr(array.dtype)))  # what an .npy header records
    _feed(out, list(array.shape))
    flat = np.ascontiguousarray(array).reshape(-1)  # C order, whatever the strides
    out.update(b"%d:" % flat.nbytes)
    if flat.nbytes:
        out.update(flat.view(np.uint8))  # no copy: hashlib reads the buffer
