"""Reading `.npz` files (ZIPs of `.npy` members) without trusting them.

np.load allocates whatever shape a member's header declares and inflates whatever a compressed
member holds, so a 2 MB file can cost gigabytes. Here a member's `.npy` header is read first and
checked against the size the ZIP declares for it, so the caller can refuse a shape before a byte
of data is inflated; object arrays (which would need unpickling) are refused outright.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a first member, or an empty archive
MAX_HEADER_BYTES = 10_000 + 16  # numpy's own cap on an .npy header (max_header_size), plus magic and length


class NpzError(ValueError):
    """A member that cannot be trusted; the message names it and says why."""


class NpzObjectArray(NpzError):
    """A member of Python objects: reading it would mean unpickling, so it is refused."""


# What a damaged member can raise while it is inflated: a bad CRC or a truncated file (BadZipFile,
# EOFError, OSError), garbled deflate data (zlib.error), an unknown compression method
# (NotImplementedError), an encrypted member (RuntimeError).
_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


@contextmanager
def _reading(info: zipfile.ZipInfo) -> Iterator[None]:
    try:
        yield
    except _READ_ERRORS as e:
        raise NpzError(f"{info.filename}: unreadable ({e})") from None


@dataclass(frozen=True)
class MemberBound:
    """The most a member may hold: its dtype's kind (numpy kind letters, e.g. "iu") and its data bytes."""

    kinds: str
    max_bytes: int


@dataclass(frozen=True)
class NpyHeader:
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_offset: int  # where the array data starts inside the member

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bound: MemberBound | None = None) -> NpyHeader:
    """The member's `.npy` header, checked: a known version, no objects, data size == the ZIP's file_size,
    and within `bound` if given (the ZIP's declared size is checked before a byte is read).

    Only the first few hundred bytes of the member are inflated.
    """
    if bound is not None and info.file_size > bound.max_bytes + MAX_HEADER_BYTES:
        raise NpzError(f"{info.filename}: declares {info.file_size} bytes, more than the {bound.max_bytes} it can hold")
    with _reading(info), archive.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            if version not in _HEADER_READERS:
                raise NpzError(f"{info.filename}: unsupported npy version {version}")
            shape, fortran_order, dtype = _HEADER_READERS[version](member)
        except NpzError:
            raise
        except ValueError as e:
            raise NpzError(f"{info.filename}: not an .npy member ({e})") from None
        header = NpyHeader(info, tuple(shape), dtype, fortran_order, member.tell())
    if dtype.hasobject:
        raise NpzObjectArray(f"{info.filename}: object array (loading it would mean unpickling)")
    if header.data_offset + header.size * dtype.itemsize != info.file_size:
        raise NpzError(f"{info.filename}: header does not match the member size")
    if bound is not None and dtype.kind not in bound.kinds:
        raise NpzError(f"{info.filename}: dtype {dtype} is not one it can hold (kinds {bound.kinds!r})")
    if bound is not None and header.size * dtype.itemsize > bound.max_bytes:
        raise NpzError(f"{info.filename}: shape {header.shape} of {dtype} is more than the {bound.max_bytes} bytes it can hold")
    return header


def read_array(archive: zipfile.ZipFile, header: NpyHeader) -> np.ndarray:
    """The member's data; reads exactly the checked size (zipfile verifies the CRC-32 at its end).

    A compressed member is inflated no further than that size, whatever its stream holds: zipfile
    inflates at most what each read asks for and stops at the size the ZIP declares."""
    with _reading(header.info), archive.open(header.info) as member:
        member.seek(header.data_offset)
        data = member.read(header.size * header.dtype.itemsize)
    if len(data) != header.size * header.dtype.itemsize:
        raise NpzError(f"{header.info.filename}: truncated")
    order = "F" if header.fortran_order else "C"
    return np.frombuffer(data, dtype=header.dtype).reshape(header.shape, order=order).copy()


def file_kind(path: str | Path) -> str:
    """What a file looks like from its first bytes: zip | npy | pickle | text | empty | binary."""
    with open(path, "rb") as f:
        head = f.read(512)
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGICS):
        return "zip"
    if head.startswith(np.lib.format.MAGIC_PREFIX):
        return "npy"
    if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:  # pickle protocol 2+ opcode
        return "pickle"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a character cut off at the end of the sample
            return "binary"
    return "text" if b"\0" not in head else "binary"
