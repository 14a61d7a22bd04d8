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
from edapipe.analog.jit import njit


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


@njit(cache=True)
def singletons(n, indptr, indices, data, row_of, col_of):
    """Row and column singletons of A (KLU's first step towards block triangular form).

    A row with one entry (r, c) among the rows and columns not yet taken is pivoted first:
    x_c follows from row r alone, with no update to any other row. A column with one entry
    (r, c) is pivoted last: x_c appears in row r only. Each taken pair uncovers more (a
    grounded voltage source: its branch row is a row singleton for its node's column, then
    its branch column a column singleton for the node's row - a supply row touching every
    gate then sits at the very end and can never be picked as a pivot for the others,
    which is what made pivoting fill the whole matrix). Entries whose value is 0 do not
    count as pivots. Fills row_of/col_of in pivot order (front pairs, then middle rows and
    columns in index order, then the tail pairs) and returns (front, tail) counts."""
    nnz = indptr[n]
    # rows as CSR
    rp = np.zeros(n + 1, np.int64)
    for p in range(nnz):
        rp[indices[p] + 1] += 1
    for i in range(n):
        rp[i + 1] += rp[i]
    rc = np.empty(nnz, np.int64)
    rv = np.empty(nnz, np.int64)      # position in A of each row entry
    fill = rp[:n].copy()
    for j in range(n):
        for p in range(indptr[j], indptr[j + 1]):
            i = indices[p]
            rc[fill[i]] = j
            rv[fill[i]] = p
            fill[i] += 1
    rcnt = np.diff(rp)
    ccnt = np.empty(n, np.int64)
    for j in range(n):
        ccnt[j] = indptr[j + 1] - indptr[j]
    rdone = np.zeros(n, np.bool_)
    cdone = np.zeros(n, np.bool_)
    stack = np.empty(n, np.int64)
    front_r = np.empty(n, np.int64)
    front_c = np.empty(n, np.int64)
    nf = 0
    top = 0
    for i in range(n):
        if rcnt[i] == 1:
            stack[top] = i
            top += 1
    while top > 0:
        top -= 1
        r = stack[top]
        if rdone[r] or rcnt[r] != 1:
            continue
        c = -1
        for q in range(rp[r], rp[r + 1]):
            if not cdone[rc[q]]:
                c = rc[q]
                if data[rv[q]] == 0.0:
                    c = -2
                break
        if c < 0:
            continue
        rdone[r] = True
        cdone[c] = True
        front_r[nf] = r
        front_c[nf] = c
        nf += 1
        for p in range(indptr[c], indptr[c + 1]):
            i = indices[p]
            if not rdone[i]:
                rcnt[i] -= 1
                if rcnt[i] == 1:
                    stack[top] = i
                    top += 1
    # column counts over the rows still open
    for j in range(n):
        ccnt[j] = 0
        if not cdone[j]:
            for p in range(indptr[j], indptr[j + 1]):
                if not rdone[indices[p]]:
                    ccnt[j] += 1
    tail_r = np.empty(n, np.int64)
    tail_c = np.empty(n, np.int64)
    nt = 0
    top = 0
    for j in range(n):
        if not cdone[j] and ccnt[j] == 1:
            stack[top] = j
            top += 1
    while top > 0:
        top -= 1
        c = stack[top]
        if cdone[c] or ccnt[c] != 1:
            continue
        r = -1
        for p in range(indptr[c], indptr[c + 1]):
            if not rdone[indices[p]]:
                r = indices[p]
                if data[p] == 0.0:
                    r = -2
                break
        if r < 0:
            continue
        rdone[r] = True
        cdone[c] = True
        tail_r[nt] = r
        tail_c[nt] = c
        nt += 1
        for q in range(rp[r], rp[r + 1]):
            k = rc[q]
            if not cdone[k]:
                ccnt[k] -= 1
                if ccnt[k] == 1:
                    stack[top] = k
                    top += 1
    for k in range(nf):
        row_of[k] = front_r[k]
        col_of[k] = front_c[k]
    k = nf
    for i in range(n):
        if not rdone[i]:
            row_of[k] = i
            k += 1
    k = nf
    for j in range(n):
        if not cdone[j]:
            col_of[k] = j
            k += 1
    for k in range(nt):            # the first found is pivoted last
        row_of[n - 1 - k] = tail_r[k]
        col_of[n - 1 - k] = tail_c[k]
    return nf, nt


@njit(cache=True)
def symbolic_lu(n, bp, bi):
    """Patterns of L (unit lower, diagonal first) and U (diagonal last) of B = L U with
    diagonal pivots, each column sorted: column j of both is the set of rows reachable
    from B(:, j) through the L columns before j (Gilbert-Peierls). Structural, so no entry
    is lost to numerical cancellation."""
    cap_l = 2 * bp[n] + n
    cap_u = 2 * bp[n] + n
    lp = np.zeros(n + 1, np.int64)
    up = np.zeros(n + 1, np.int64)
    li = np.empty(cap_l, np.int64)
    ui = np.empty(cap_u, np.int64)
    mark = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    found = np.empty(n, np.int64)
    for j in range(n):
        nfound = 0
        top = 0
        mark[j] = j
        for p in range(bp[j], bp[j + 1]):
            i = bi[p]
            if mark[i] != j:
                mark[i] = j
                stack[top] = i
                top += 1
        while top > 0:
            top -= 1
            k = stack[top]
            found[nfound] = k
            nfound += 1
            if k < j:
                for q in range(lp[k] + 1, lp[k + 1]):
                    r = li[q]
                    if mark[r] != j:
                        mark[r] = j
                        stack[top] = r
                        top += 1
        rows = np.sort(found[:nfound])
        nu = 0
        for t in range(nfound):
            if rows[t] < j:
                nu += 1
        nl = nfound - nu - (1 if nu < nfound and rows[nu] == j else 0)
        if up[j] + nu + 1 > cap_u:
            cap_u = 2 * cap_u + nu + 1
            ui2 = np.empty(cap_u, np.int64)
            ui2[:up[j]] = ui[:up[j]]
            ui = ui2
        if lp[j] + nl + 1 > cap_l:
            cap_l = 2 * cap_l + nl + 1
            li2 = np.empty(cap_l, np.int64)
            li2[:lp[j]] = li[:lp[j]]
            li = li2
        q = up[j]
        for t in range(nu):
            ui[q] = rows[t]
            q += 1
        ui[q] = j
        up[j + 1] = q + 1
        q = lp[j]
        li[q] = j
        q += 1
        for t in range(nfound):
            if rows[t] > j:
                li[q] = rows[t]
                q += 1
        lp[j + 1] = q
    return lp, li[:lp[n]].copy(), up, ui[:up[n]].copy()


class StaticLU:
    """LU of matrices sharing one CSC pattern; refactor() reuses the pivot order."""

    def __init__(self, indptr, indices, data, n):
        self.n = n
        self.indptr = indptr
        self.indices = indices
        self._setup(data)

    def _setup(self, data):
        n = self.n
        data = np.ascontiguousarray(data, dtype=float)
        indptr = np.asarray(self.indptr, dtype=np.int64)
        indices = np.asarray(self.indices, dtype=np.int64)
        # 1. singletons first and last (their pivots are exact and cause no fill), so that
        # pivoting in the rest can never pick a dense supply row
        row_of = np.empty(n, np.int64)
        col_of = np.empty(n, np.int64)
        nf, nt = singletons(n, indptr, indices, data, row_of, col_of)
        hi = n - nt
        perm_r = np.empty(n, np.int64)
        perm_c = np.empty(n, np.int64)
        perm_r[row_of] = np.arange(n)
        perm_c[col_of] = np.arange(n)
        m = hi - nf
        if m > 0:
            # 2. SuperLU on the rest, with its values, chooses the ordering and stable
            # pivots (Relax=1: no relaxed supernodes. SuperLU's default relaxation costs
            # milliseconds per call on MNA matrices with a few dense rows; the numeric
            # work here is microseconds)
            cols = col_of[nf:hi]
            counts = indptr[cols + 1] - indptr[cols]
            pos = np.repeat(indptr[cols] - np.cumsum(counts) + counts, counts) + np.arange(
                counts.sum())
            rows = perm_r[indices[pos]] - nf
            keep = (rows >= 0) & (rows < m)
            mcol = np.repeat(np.arange(m), counts)[keep]
            mrow = rows[keep]
            mval = data[pos[keep]]
            order = np.lexsort((mrow, mcol))
            mp = np.zeros(m + 1, np.int64)
            np.cumsum(np.bincount(mcol, minlength=m), out=mp[1:])
            lu1 = splu_csc(m, mval[order], mrow[order].astype(np.intc), mp.astype(np.intc),
                           ColPerm="COLAMD", DiagPivotThresh=0.1, Relax=1)
            r1 = np.asarray(lu1.perm_r, dtype=np.int64)
            c1 = np.asarray(lu1.perm_c, dtype=np.int64)
            # middle row k (original row row_of[nf + k]) goes to nf + r1[k]
            perm_r[row_of[nf:hi]] = nf + r1
            perm_c[col_of[nf:hi]] = nf + c1
        self.perm_r, self.perm_c = perm_r, perm_c
        self.lo, self.hi = nf, hi
        # B = Pr A Pc with B.data[p] = A.data[bmap[p]]; 3. the patterns of its L and U
        self.bp, self.bi, self.bmap = permute_csc(n, indptr, indices, perm_r, perm_c)
        self.lp, self.li, self.up, self.ui = symbolic_lu(n, self.bp, self.bi)
        self.lx = np.zeros(len(self.li))
        self.ux = np.zeros(len(self.ui))
        self.work = np.zeros(n)       # refactor() keeps it zero between calls
        self.swork = np.zeros(n)
        self.ok = refactor(n, self.bmap, data, self.bp, self.bi, self.lp, self.li, self.lx,
                           self.up, self.ui, self.ux, self.work, PIVREL, self.lo, self.hi)
        # if these very values need other pivots, SuperLU's own factors of the whole
        # matrix answer this time
        self.fallback = None
        if not self.ok:
            self.fallback = splu_csc(n, data, indices.astype(np.intc), indptr.astype(np.intc),
                                     ColPerm="COLAMD", DiagPivotThresh=0.1, Relax=1)

    def factor(self, data):
        data = np.ascontiguousarray(data, dtype=float)
        if not refactor(self.n, self.bmap, data, self.bp, self.bi, self.lp, self.li, self.lx,
                        self.up, self.ui, self.ux, self.work, PIVREL, self.lo, self.hi):
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
