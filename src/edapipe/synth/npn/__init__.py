"""The NPN library of 4-input functions: classes, transforms and minimum-AND structures.

The data (npn4.npz) is made by `python -m edapipe.synth.npn.generate` (exact synthesis with
python-sat) and shipped with the package. For a truth table f over inputs x0..x3,
    f(x) = out_neg ^ canon(y),   y_i = x[perm[i]] ^ ((neg >> i) & 1)
with (perm, neg, out_neg) = transforms[transform_of[f]] and canon = class_tt[class_of[f]].
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).with_name("npn4.npz")


@dataclass(frozen=True)
class Library:
    class_of: np.ndarray             # uint8[65536]
    transform_of: np.ndarray         # uint16[65536]
    transforms: np.ndarray           # int8[768, 6]: perm[4], neg mask, out_neg
    class_tt: np.ndarray             # uint16[222]: representative of each class
    class_proven: np.ndarray         # bool[222]: structure size proven minimal
    class_struct_offset: np.ndarray  # int32[223]: structures of class c
    struct_offset: np.ndarray        # int32[S+1]: nodes of structure s
    struct_f0: np.ndarray            # int16: node fanin literals (2*v+c; v 1..4 inputs,
    struct_f1: np.ndarray            #        v >= 5 the structure's own nodes)
    struct_out: np.ndarray           # int16[S]: output literal

    @property
    def num_classes(self) -> int:
        return len(self.class_tt)

    def structures(self, cls: int) -> list[tuple[list[tuple[int, int]], int]]:
        """(nodes, output literal) of each structure of a class."""
        out = []
        for s in range(int(self.class_struct_offset[cls]), int(self.class_struct_offset[cls + 1])):
            lo, hi = int(self.struct_offset[s]), int(self.struct_offset[s + 1])
            nodes = [(int(a), int(b)) for a, b in zip(self.struct_f0[lo:hi], self.struct_f1[lo:hi])]
            out.append((nodes, int(self.struct_out[s])))
        return out


@lru_cache(maxsize=1)
def library() -> Library:
    """The shipped library (read once; the arrays are read-only)."""
    with np.load(DATA) as data:
        arrays = {name: data[name] for name in data.files}
    for arr in arrays.values():
        arr.flags.writeable = False
    return Library(**arrays)
