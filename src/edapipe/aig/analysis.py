"""Derived facts about an AIG: levels, depth, reference counts and fanouts (mockturtle's views).

Computed on demand, never stored on the Aig.
"""

from __future__ import annotations

import numpy as np

from edapipe.aig.core import Aig


NUMBA_LEVELS_MIN_ANDS = 200_000
"""Below this size a Python loop beats importing numba (about 0.6 s) for one sweep."""


def levels(aig: Aig) -> np.ndarray:
    """int32 level per variable (constant and combinational inputs are at level 0)."""
    if aig.num_ands >= NUMBA_LEVELS_MIN_ANDS:
        from edapipe.aig import analysis_kernels as K

        return K.levels(aig.num_cis, aig.fanin0, aig.fanin1)
    lev = [0] * aig.num_vars
    g = aig.first_and_var
    for a, b in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        la, lb = lev[a >> 1], lev[b >> 1]
        lev[g] = (la if la > lb else lb) + 1
        g += 1
    return np.asarray(lev, dtype=np.int32)


def depth(aig: Aig, lev: np.ndarray | None = None) -> int:
    """The largest level of any combinational output (ABC's `lev` in print_stats)."""
    cos = aig.co_literals()
    if cos.size == 0:
        return 0
    if lev is None:
        lev = levels(aig)
    return int(lev[cos >> 1].max())


def reference_counts(aig: Aig) -> np.ndarray:
    """How many AND fanins and combinational outputs use each variable."""
    n = aig.num_vars
    refs = np.bincount(aig.fanin0 >> 1, minlength=n) + np.bincount(aig.fanin1 >> 1, minlength=n)
    cos = aig.co_literals()
    if cos.size:
        refs = refs + np.bincount(cos >> 1, minlength=n)
    return refs.astype(np.int32)


def fanouts(aig: Aig) -> tuple[np.ndarray, np.ndarray]:
    """Fanout CSR among AND nodes: fanouts of var v are out[offsets[v]:offsets[v+1]]."""
    from edapipe.aig import analysis_kernels as K

    return K.fanout_csr(aig.num_vars, aig.num_cis, aig.fanin0, aig.fanin1)
