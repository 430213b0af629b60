"""Forged cache entries: ZIPs written byte by byte, so a test can make one that no honest writer
would (a compressed member declaring gigabytes, a size in the ZIP that lies) yet that carries the
checksum barkflow would compute for the content it declares."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from barkflow.store.cache import CHECKSUM, META, _checksum

CHUNK = 1 << 26  # 64 MiB of zeros: the repeated unit of a huge member


@dataclass
class Member:
    name: str
    data: bytes  # as stored in the ZIP (compressed when method is deflate)
    crc: int
    size: int  # uncompressed size, as the ZIP declares it
    method: int = 0  # 0 stored, 8 deflate


def npy_header(dtype: str, shape: tuple[int, ...]) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": dtype, "fortran_order": False, "shape": shape})
    return out.getvalue()


def stored(name: str, array: np.ndarray) -> Member:
    out = io.BytesIO()
    np.lib.format.write_array(out, np.asarray(array), allow_pickle=False)
    data = out.getvalue()
    return Member(f"{name}.npy", data, zlib.crc32(data), len(data))


def huge_zeros(name: str, dtype: str, chunks: int) -> Member:
    """A deflated member of `chunks` × 64 MiB of zeros, built without holding them: after a full
    flush deflate forgets its history, so one compressed chunk repeated is the stream of them all."""
    header = npy_header(dtype, (chunks * CHUNK // np.dtype(dtype).itemsize,))
    zeros = bytes(CHUNK)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(header) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(header)
    for _ in range(chunks):
        crc = zlib.crc32(zeros, crc)
    data = start + block * chunks + deflate.flush()
    return Member(f"{name}.npy", data, crc, len(header) + chunks * CHUNK, method=8)


def zip_bytes(members: list[Member]) -> bytes:
    """A plain (not ZIP64) archive of the members, each declared exactly as given."""
    out, central = io.BytesIO(), io.BytesIO()
    for m in members:
        offset, name = out.tell(), m.name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, m.method, 0, 0x21, m.crc, len(m.data), m.size,
                              len(name), 0) + name + m.data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, m.method, 0, 0x21, m.crc, len(m.data),
                                  m.size, len(name), 0, 0, 0, 0, 0, offset) + name)
    cd = central.getvalue()
    return out.getvalue() + cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd),
                                            out.tell(), 0)


def entry(namespace: str, key: str, data: list[Member], declared: dict[str, np.ndarray], meta_json: str = "{}") -> bytes:
    """An entry of `data` members whose checksum is the genuine one of the `declared` arrays."""
    checksum = _checksum(namespace, key, declared, meta_json)
    return zip_bytes([*data, stored(META, np.array(meta_json)), stored(CHECKSUM, np.array(checksum))])
