"""Numba kernels over the fanin arrays: levels and fanout CSR."""

import numpy as np

from edapipe.util.jit import njit


@njit(cache=True)
def levels(num_ci, f0, f1):
    """Level of every variable: 0 for constant and combinational inputs, 1 + max fanin for ANDs."""
    base = num_ci + 1
    lev = np.zeros(base + f0.shape[0], dtype=np.int32)
    for g in range(f0.shape[0]):
        a = lev[f0[g] >> 1]
        b = lev[f1[g] >> 1]
        lev[base + g] = (a if a > b else b) + 1
    return lev


@njit(cache=True)
def fanout_csr(num_vars, num_ci, f0, f1):
    """Fanout lists of every variable among the AND nodes: (offsets, fanout vars)."""
    base = num_ci + 1
    deg = np.zeros(num_vars + 1, dtype=np.int64)
    for g in range(f0.shape[0]):
        deg[(f0[g] >> 1) + 1] += 1
        deg[(f1[g] >> 1) + 1] += 1
    for v in range(num_vars):
        deg[v + 1] += deg[v]
    fill = deg[:-1].copy()
    out = np.empty(deg[num_vars], dtype=np.int32)
    for g in range(f0.shape[0]):
        for lit in (f0[g], f1[g]):
            v = lit >> 1
            out[fill[v]] = base + g
            fill[v] += 1
    return deg, out
