"""pgvector's `vector` type for psycopg: numpy arrays sent and read in the binary format.

The binary form is two big-endian 16-bit integers (dimension, unused) and the float32 values,
big-endian. Written here rather than taken from the `pgvector` package: about twenty lines.
"""

from __future__ import annotations

import struct

import numpy as np
import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

_HEADER = struct.Struct(">HH")


class _VectorDumper(Dumper):
    format = Format.BINARY

    def dump(self, obj: np.ndarray) -> bytes:
        values = np.ascontiguousarray(obj, dtype=">f4").reshape(-1)
        return _HEADER.pack(values.shape[0], 0) + values.tobytes()


class _VectorBinaryLoader(Loader):
    format = Format.BINARY

    def load(self, data: bytes | bytearray | memoryview) -> np.ndarray:
        raw = bytes(data)
        dim, _ = _HEADER.unpack_from(raw)
        return np.frombuffer(raw, dtype=">f4", count=dim, offset=_HEADER.size).astype(np.float32)


class _VectorTextLoader(Loader):
    format = Format.TEXT

    def load(self, data: bytes | bytearray | memoryview) -> np.ndarray:
        return np.array(bytes(data).decode().strip("[]").split(","), dtype=np.float32)


def register_vector(conn: psycopg.Connection) -> None:
    """Numpy arrays are sent as `vector`; `vector` columns come back as float32 arrays."""
    info = TypeInfo.fetch(conn, "vector")
    if info is None:
        raise psycopg.ProgrammingError("the vector extension is not installed in this database")
    dumper = type("VectorDumper", (_VectorDumper,), {"oid": info.oid})
    conn.adapters.register_dumper(np.ndarray, dumper)
    conn.adapters.register_loader(info.oid, _VectorBinaryLoader)
    conn.adapters.register_loader(info.oid, _VectorTextLoader)
