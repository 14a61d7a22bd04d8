"""Sparse LU refactorisation with a fixed pivot order, in numba.

SuperLU (scipy's splu) picks a good column ordering and stable pivots, but every call pays a
large fixed cost (about 15 ms for a 500-unknown MNA matrix here). Newton iterations and time
steps change only the values, never the pattern, so - like ngspice's Sparse 1.3, which keeps
its pivot order between iterations - we factor once with SuperLU, keep its row and column
permutations and the patterns of L and U, and then refactor numerically in a left-looking
loop over exactly those patterns. A pivot that becomes too small sends us back to SuperLU.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

import numpy as np

# The numeric kernels live in device_kernels.py with the Newton loop that inlines them:
# numba's on-disk cache tracks only the source file of each function, so code compiled
# together must sit in one file or a stale copy survives an edit.
from edapipe.analog.device_kernels import PIVREL, lu_solve, refactor  # noqa: F401


_SUPERLU = "scipy.sparse.linalg._dsolve._superlu"


def _superlu():
    """scipy's SuperLU extension module, without importing scipy.sparse (~0.15 s of
    start-up for its array-API layers, none of which the factorisation needs). Falls back
    to the ordinary import when the extension is not where scipy keeps it."""
    mod = sys.modules.get(_SUPERLU)
    if mod is not None:
        return mod
    spec = importlib.util.find_spec("scipy")   # located, not imported (~0.01 s)
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root, suffix in ((r, s) for r in roots for s in importlib.machinery.EXTENSION_SUFFIXES):
        folder = os.path.join(root, "sparse", "linalg", "_dsolve")
        path = os.path.join(folder, "_superlu" + suffix)
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location(_SUPERLU, path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            sys.modules[_SUPERLU] = mod
            return mod
    from scipy.sparse.linalg._dsolve import _superlu as mod  # noqa: PLC0415

    return mod


class _CSC:
    """What SuperLU's L and U become (scipy passes csc_array; only the arrays are used)."""

    def __init__(self, arrays, shape=None):
        self.data, self.indices, self.indptr = arrays
        self.shape = shape


def splu_csc(n, data, indices, indptr, **options):
    """scipy.sparse.linalg.splu on a canonical CSC matrix (sorted, no duplicates), the
    same call into SuperLU's gstrf; L and U come back as _CSC."""
    opts = {"DiagPivotThresh": 1.0, "ColPerm": "COLAMD", "PanelSize": None, "Relax": None}
    opts.update(options)
    if opts["ColPerm"] == "NATURAL":
        opts["SymmetricMode"] = True
    return _superlu().gstrf(n, len(data), np.ascontiguousarray(data, dtype=float),
                            indices, indptr, csc_construct_func=_CSC, ilu=False,
                            options=opts)


def permute_csc(n, indptr, indices, perm_r, perm_c):
    """Pattern of B = Pr A Pc (entry (i, j) of A moves to (perm_r[i], perm_c[j])) as sorted
    CSC, and for each entry of B the position of its entry in A."""
    counts = np.diff(indptr)
    rows = np.asarray(perm_r, dtype=np.int64)[indices]
    cols = np.repeat(np.asarray(perm_c, dtype=np.int64), counts)
    order = np.lexsort((rows, cols))
    bp = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=n), out=bp[1:])
    return bp, rows[order], order.astype(np.int64)


def _sorted_csc(m):
    """(indptr, indices) of a CSC matrix with the row indices of each column sorted."""
    indptr = np.asarray(m.indptr, dtype=np.int64)
    n = len(indptr) - 1
    indices = np.asarray(m.indices, dtype=np.int64)[:indptr[n]]   # SuperLU over-allocates
    cols = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    out = _CSC((None, indices[np.lexsort((indices, cols))], indptr))
    return out


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
        indptr = np.asarray(self.indptr, dtype=np.intc)
        indices = np.asarray(self.indices, dtype=np.intc)
        # 1. SuperLU on the actual values chooses the ordering and stable pivots
        # (Relax=1: no relaxed supernodes. SuperLU's default relaxation costs milliseconds
        # per call on MNA matrices with a few dense rows, e.g. a supply node touching
        # every gate of a chain; the numeric work here is microseconds)
        lu1 = splu_csc(n, data, indices, indptr, ColPerm="COLAMD", DiagPivotThresh=0.1,
                       Relax=1)
        r1, c1 = lu1.perm_r, lu1.perm_c
        # 2. the symbolic patterns of L and U for that pivot order: factor the permuted
        # pattern again with random values and diagonal pivots. (SuperLU drops entries that
        # cancel numerically, and MNA stamps of +g/-g cancel often, so the patterns of
        # step 1 can miss fill that later values need.)
        rng = np.random.default_rng(12345)
        rand = 1.0 + rng.random(len(data))
        bp1, bi1, order1 = permute_csc(n, indptr, indices, r1, c1)
        lu2 = splu_csc(n, rand[order1], bi1.astype(np.intc), bp1.astype(np.intc),
                       ColPerm="NATURAL", DiagPivotThresh=0.0, SymmetricMode=True, Relax=1)
        # Pr = Pr2 Pr1, Pc = Pc1 Pc2 (scipy's convention: Pr A Pc = L U)
        self.perm_r = np.asarray(lu2.perm_r, dtype=np.int64)[r1].astype(np.int64)
        self.perm_c = np.asarray(lu2.perm_c, dtype=np.int64)[c1].astype(np.int64)
        # B = Pr A Pc with B.data[p] = A.data[bmap[p]]
        self.bp, self.bi, self.bmap = permute_csc(n, indptr, indices, self.perm_r,
                                                  self.perm_c)
        L = _sorted_csc(lu2.L)
        U = _sorted_csc(lu2.U)
        self.lp, self.li = L.indptr, L.indices
        self.up, self.ui = U.indptr, U.indices
        self.lx = np.zeros(len(L.indices))
        self.ux = np.zeros(len(U.indices))
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
