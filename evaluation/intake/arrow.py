"""Arrow arrays built without pyarrow's pandas probe.

`pyarrow.array()` imports pandas the first time it is called, to check whether
its input is a pandas object: a quarter of a second of every command that
imports a file, which needs no pandas. The import paths build their arrays here
instead, from numpy buffers and Python lists directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

_NUMBERS = {np.dtype(np.int32): pa.int32(), np.dtype(np.int64): pa.int64(),
            np.dtype(np.float64): pa.float64()}


def numbers(values: np.ndarray) -> pa.Array:
    """An int32, int64 or float64 array of a numpy array's values (no nulls)."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(_NUMBERS[values.dtype], len(values),
                                 [None, pa.py_buffer(values)])


def texts(values: Sequence[str | None]) -> pa.Array:
    """A string array of Python texts (None: null)."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    valid = None
    if any(v is None for v in values):
        bits = np.packbits(np.array([v is not None for v in values]), bitorder="little")
        valid = pa.py_buffer(bits)
    return pa.Array.from_buffers(pa.large_string(), len(encoded),
                                 [valid, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
                                 ).cast(pa.string())


_NUMPY = {pa.int32(): np.int32, pa.int64(): np.int64, pa.float64(): np.float64}


def array(values: Sequence, type_: pa.DataType) -> pa.Array:
    """A string, int32, int64 or float64 array of Python values (None: null)."""
    if pa.types.is_string(type_):
        return texts(values)
    valid = [v is not None for v in values]
    data = np.array([0 if v is None else v for v in values], dtype=_NUMPY[type_])
    bits = None if all(valid) else pa.py_buffer(np.packbits(np.array(valid, dtype=bool),
                                                            bitorder="little"))
    return pa.Array.from_buffers(type_, len(data), [bits, pa.py_buffer(data)],
                                 null_count=valid.count(False))
