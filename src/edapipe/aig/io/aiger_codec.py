"""The binary AIGER AND section (7-bit little-endian varint deltas), vectorized in numpy.

Not numba on purpose: importing numba costs about 0.6 s of a process's life, and reading or
writing AIGER is on the path of every pipeline stage, including the ones that need no kernel
(`stats`, `write`). numpy decodes the EPFL multiplier in a few milliseconds.
"""

from __future__ import annotations

import numpy as np


class DecodeError(Exception):
    def __init__(self, gate: int, offset: int, why: str):
        super().__init__(why)
        self.gate, self.offset, self.why = gate, offset, why


def decode_ands(data: bytes, pos: int, n_ands: int, first_var: int):
    """Fanins (f0, f1) of n_ands gates starting at byte `pos`; returns (f0, f1, end)."""
    if n_ands == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), pos
    pos = min(pos, len(data))  # a last text line without its newline leaves pos one past
    body = np.frombuffer(data, dtype=np.uint8, offset=pos)
    term = np.flatnonzero(body < 0x80)
    n_deltas = 2 * n_ands
    if len(term) < n_deltas:
        raise DecodeError(len(term) // 2, len(data), "the file ends inside the AND section")
    term = term[:n_deltas]
    end = int(term[-1]) + 1
    starts = np.empty(n_deltas, dtype=np.int64)
    starts[0] = 0
    starts[1:] = term[:-1] + 1
    lengths = term - starts + 1
    if lengths.max() > 5:
        k = int(np.flatnonzero(lengths > 5)[0])
        raise DecodeError(k // 2, pos + int(starts[k]), "a delta does not fit in 32 bits")
    seg = body[:end].astype(np.int64) & 0x7F
    shift = 7 * (np.arange(end, dtype=np.int64) - np.repeat(starts, lengths))
    deltas = np.add.reduceat(seg << shift, starts)
    lhs = 2 * (first_var + np.arange(n_ands, dtype=np.int64))
    r0 = lhs - deltas[0::2]
    r1 = r0 - deltas[1::2]
    bad0 = (deltas[0::2] == 0) | (r0 < 0)
    if bad0.any():
        k = int(np.flatnonzero(bad0)[0])
        raise DecodeError(k, pos + int(starts[2 * k]),
                          "first delta is 0 or larger than the gate's own literal")
    if (r1 < 0).any():
        k = int(np.flatnonzero(r1 < 0)[0])
        raise DecodeError(k, pos + int(starts[2 * k + 1]),
                          "second delta is larger than the first fanin")
    return r0.astype(np.int32), r1.astype(np.int32), pos + end


def encode_ands(f0: np.ndarray, f1: np.ndarray, first_var: int) -> bytes:
    """Bytes of the AND section for gates with lhs 2*(first_var+k) and f0[k] >= f1[k]."""
    n = len(f0)
    if n == 0:
        return b""
    deltas = np.empty(2 * n, dtype=np.int64)
    deltas[0::2] = 2 * (first_var + np.arange(n, dtype=np.int64)) - f0
    deltas[1::2] = f0.astype(np.int64) - f1
    nbytes = 1 + sum((deltas >= (1 << (7 * j))).astype(np.int64) for j in range(1, 5))
    offsets = np.cumsum(nbytes) - nbytes
    out = np.empty(int(nbytes.sum()), dtype=np.uint8)
    for j in range(5):
        sel = nbytes > j
        if not sel.any():
            break
        byte = (deltas[sel] >> (7 * j)) & 0x7F
        more = (nbytes[sel] > j + 1).astype(np.int64) << 7
        out[offsets[sel] + j] = byte | more
    return out.tobytes()
