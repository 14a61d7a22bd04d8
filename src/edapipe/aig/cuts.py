"""Cut enumeration with truth tables (k <= 6), for rewriting and other cut-based passes.

`enumerate_cuts(aig, k, max_cuts)` gives every AND's best `max_cuts` non-dominated k-feasible
cuts, fewest leaves first, each with its truth table; the trivial cut {v} is implicit. The
kernels in cuts_kernels.py also work on a graph that grows while a pass rewrites it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import Aig

MAX_CUT_SIZE = 6


@dataclass(frozen=True)
class CutSets:
    """Cut c of variable v: leaves[v, c, :sizes[v, c]] (sorted), table tts[v, c]."""

    leaves: np.ndarray
    sizes: np.ndarray
    tts: np.ndarray
    ncuts: np.ndarray

    def cuts(self, var: int) -> list[tuple[tuple[int, ...], int]]:
        """(leaves, truth table over them) of a variable's stored cuts."""
        out = []
        for c in range(int(self.ncuts[var])):
            n = int(self.sizes[var, c])
            mask = (1 << (1 << n)) - 1
            out.append((tuple(int(x) for x in self.leaves[var, c, :n]),
                        int(self.tts[var, c]) & mask))
        return out


def enumerate_cuts(aig: Aig, k: int = 4, max_cuts: int = 8) -> CutSets:
    if not 1 <= k <= MAX_CUT_SIZE:
        raise ValueError(f"cut size must be 1..{MAX_CUT_SIZE}, not {k}")
    from edapipe.aig import cuts_kernels as K

    return CutSets(*K.enumerate_cuts(aig.num_cis, aig.fanin0, aig.fanin1, k, max_cuts))
