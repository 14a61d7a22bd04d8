"""Sparse LU refactorisation with a fixed pivot order, in numba.

SuperLU (scipy's splu) picks a good column ordering and stable pivots, but every call pays a
large fixed cost (about 15 ms for a 500-unknown MNA matrix here). Newton iterations and time
steps change only the values, never the pattern, so - like ngspice's Sparse 1.3, which keeps
its pivot order between iterations - we factor once with SuperLU, keep its row and column
permutations and the patterns of L and U, and then refactor numerically in a left-looking
loop over exactly those patterns. A pivot that becomes too small sends us back to SuperLU.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

# The numeric kernels live in device_kernels.py with the Newton loop that inlines them:
# numba's on-disk cache tracks only the source file of each function, so code compiled
# together must sit in one file or a stale copy survives an edit.
from edapipe.analog.device_kernels import PIVREL, lu_solve, refactor  # noqa: F401


class StaticLU:
    """LU of matrices sharing one CSC pattern; refactor() reuses the pivot order."""

    def __init__(self, indptr, indices, data, n):
        self.n = n
        self.indptr = indptr
        self.indices = indices
        self._setup(data)

    def _setup(self, data):
        n = self.n
        data = np.asarray(data, dtype=float)
        a = sp.csc_matrix((data, self.indices, self.indptr), shape=(n, n))
        # 1. SuperLU on the actual values chooses the ordering and stable pivots
        # (Relax=1: no relaxed supernodes. SuperLU's default relaxation costs milliseconds
        # per call on MNA matrices with a few dense rows, e.g. a supply node touching
        # every gate of a chain; the numeric work here is microseconds)
        lu1 = splu(a, permc_spec="COLAMD", diag_pivot_thresh=0.1, options={"Relax": 1})
        pr1 = sp.csr_matrix((np.ones(n), (lu1.perm_r, np.arange(n))), shape=(n, n))
        pc1 = sp.csr_matrix((np.ones(n), (np.arange(n), lu1.perm_c)), shape=(n, n))
        # 2. the symbolic patterns of L and U for that pivot order: factor the permuted
        # pattern again with random values and diagonal pivots. (SuperLU drops entries that
        # cancel numerically, and MNA stamps of +g/-g cancel often, so the patterns of
        # step 1 can miss fill that later values need.)
        rng = np.random.default_rng(12345)
        rand = sp.csc_matrix((1.0 + rng.random(len(data)), self.indices, self.indptr),
                             shape=(n, n))
        b_rand = (pr1 @ rand @ pc1).tocsc()
        lu2 = splu(b_rand, permc_spec="NATURAL", diag_pivot_thresh=0.0,
                   options={"SymmetricMode": True, "Relax": 1})
        pr2 = sp.csr_matrix((np.ones(n), (lu2.perm_r, np.arange(n))), shape=(n, n))
        pc2 = sp.csr_matrix((np.ones(n), (np.arange(n), lu2.perm_c)), shape=(n, n))
        pr = (pr2 @ pr1).tocsc()
        pc = (pc1 @ pc2).tocsr()
        self.perm_r = pr.indices.astype(np.int64)       # pr[perm_r[i], i] = 1
        self.perm_c = pc.indices.astype(np.int64)       # pc[i, perm_c[i]] = 1
        # B = Pr A Pc with B.data[p] = A.data[bmap[p]]
        tag = sp.csc_matrix((np.arange(1, len(data) + 1, dtype=float), self.indices,
                             self.indptr), shape=(n, n))
        b = (pr @ tag @ pc).tocsc()
        b.sort_indices()
        self.bp = b.indptr.astype(np.int64)
        self.bi = b.indices.astype(np.int64)
        self.bmap = (np.rint(b.data).astype(np.int64) - 1)
        L = lu2.L.tocsc()
        U = lu2.U.tocsc()
        L.sort_indices()
        U.sort_indices()
        self.lp, self.li = L.indptr.astype(np.int64), L.indices.astype(np.int64)
        self.up, self.ui = U.indptr.astype(np.int64), U.indices.astype(np.int64)
        self.lx = np.zeros(L.nnz)
        self.ux = np.zeros(U.nnz)
        self.work = np.zeros(n)       # refactor() keeps it zero between calls
        self.swork = np.zeros(n)
        self.ok = refactor(n, self.bmap, np.ascontiguousarray(data), self.bp, self.bi,
                           self.lp, self.li, self.lx, self.up, self.ui, self.ux, self.work,
                           PIVREL)
        # if these very values need other pivots, SuperLU's own factors answer this time
        self.fallback = None if self.ok else lu1

    def factor(self, data):
        data = np.ascontiguousarray(data, dtype=float)
        if not refactor(self.n, self.bmap, data, self.bp, self.bi, self.lp, self.li, self.lx,
                        self.up, self.ui, self.ux, self.work, PIVREL):
            self._setup(data)   # values moved too far from the old pivots: pivot again
        else:
            self.fallback = None
        return self

    def solve(self, b):
        if self.fallback is not None:
            return self.fallback.solve(b)
        out = np.empty(self.n)
        lu_solve(self.n, self.perm_r, self.perm_c, self.lp, self.li, self.lx, self.up,
                 self.ui, self.ux, np.ascontiguousarray(b, dtype=float), out, self.swork)
        return out


def warm() -> None:
    indptr = np.array([0, 2, 4], dtype=np.int32)
    indices = np.array([0, 1, 0, 1], dtype=np.int32)
    lu = StaticLU(indptr, indices, np.array([2.0, 1.0, 1.0, 3.0]), 2)
    lu.factor(np.array([4.0, 1.0, 1.0, 3.0])).solve(np.ones(2))
