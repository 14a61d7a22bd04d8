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
import math
import importlib.util
import os
import sys
from typing import NamedTuple

import numpy as np

from edapipe.util.jit import njit


_SUPERLU = "scipy.sparse.linalg._dsolve._superlu"


PIVREL = 1e-5   # relative pivot floor before we re-pivot (Sparse re-orders only near zero)


class LUFactors(NamedTuple):
    """B = Pr A Pc = L U over fixed patterns (StaticLU keeps one; numba takes it whole).
    L is unit lower with the diagonal first in each column, U has the diagonal last."""

    perm_r: np.ndarray   # row i of A is row perm_r[i] of B
    perm_c: np.ndarray   # column perm_c[i] of B is column i of A
    bmap: np.ndarray     # B.data[p] = A.data[bmap[p]]
    bp: np.ndarray       # CSC pattern of B
    bi: np.ndarray
    lp: np.ndarray       # CSC pattern and values of L
    li: np.ndarray
    lx: np.ndarray
    up: np.ndarray       # CSC pattern and values of U
    ui: np.ndarray
    ux: np.ndarray
    work: np.ndarray     # kept zero between refactorisations
    swork: np.ndarray    # scratch of lu_solve
    pivtol: float        # PIVREL
    lo: int              # pivots are tested in columns lo..hi-1 (StaticLU's singletons
    hi: int              # sit outside: their pivots are exact and their rows no candidates)

# The kernels below take LUFactors or the plain tuple of its fields (what StaticLU passes:
# numba types a plain tuple in C, a NamedTuple through Python, see newton_kernels).


# inlined: called per column, it would otherwise receive the factors' 13 arrays by value
# at every call (refactor_cols runs once per Newton iteration)
@njit(cache=True, inline="always")
def _factor_column(f, adata, j):
    """Column j of L and U (left-looking); False when its pivot is zero or, in columns
    lo..hi-1, below pivtol times the largest entry under it in rows before hi."""
    work, lp, li, lx, up, ui, ux = f.work, f.lp, f.li, f.lx, f.up, f.ui, f.ux
    # scatter column j of B
    for p in range(f.bp[j], f.bp[j + 1]):
        work[f.bi[p]] = adata[f.bmap[p]]
    # U(:, j) rows above the diagonal in increasing order: left-looking update
    for p in range(up[j], up[j + 1] - 1):
        k = ui[p]
        ukj = work[k]
        ux[p] = ukj
        if ukj != 0.0:
            for q in range(lp[k] + 1, lp[k + 1]):
                work[li[q]] -= lx[q] * ukj
    pivot = work[j]
    ux[up[j + 1] - 1] = pivot
    # partial-pivoting test against the candidates below the diagonal (ngspice's PIVREL
    # idea): too small a pivot means the old order no longer suits the values
    cmax = 0.0
    if j >= f.lo and j < f.hi:
        for p in range(lp[j] + 1, lp[j + 1]):
            if li[p] < f.hi and abs(work[li[p]]) > cmax:
                cmax = abs(work[li[p]])
    ok = not (abs(pivot) < f.pivtol * cmax or pivot == 0.0)
    if ok:
        lx[lp[j]] = 1.0
        for p in range(lp[j] + 1, lp[j + 1]):
            lx[p] = work[li[p]] / pivot
    for p in range(up[j], up[j + 1]):
        work[ui[p]] = 0.0
    for p in range(lp[j], lp[j + 1]):
        work[li[p]] = 0.0
    return ok


@njit(cache=True)
def refactor(f, adata):
    """Numeric LU of B (values gathered from adata through bmap) over the fixed patterns;
    False when a pivot fails (see _factor_column): the pivot order must change."""
    f = LUFactors(*f)
    for j in range(f.perm_c.shape[0]):
        if not _factor_column(f, adata, j):
            return False
    return True


@njit(cache=True)
def refactor_cols(f, adata, dirty):
    """refactor() of only the columns whose values can have changed since the last
    refactor over the same pivot order: those of B marked in dirty (cleared on return) and
    every column whose U pattern reaches one of them (left-looking: column j reads B(:, j)
    and the L columns of U(:, j)). The others would be recomputed from identical inputs."""
    f = LUFactors(*f)
    n = f.perm_c.shape[0]
    up, ui = f.up, f.ui
    ok = True
    for j in range(n):
        if not dirty[j]:
            for p in range(up[j], up[j + 1] - 1):
                if dirty[ui[p]]:
                    dirty[j] = True
                    break
            if not dirty[j]:
                continue
        if not _factor_column(f, adata, j):
            ok = False
            break
    for j in range(n):
        dirty[j] = False
    return ok


@njit(cache=True)
def lu_solve(f, b, out):
    """Solve A x = b with Pr A Pc = L U."""
    f = LUFactors(*f)
    n = f.perm_c.shape[0]
    work, lp, li, lx, up, ui, ux = f.swork, f.lp, f.li, f.lx, f.up, f.ui, f.ux
    for i in range(n):
        work[f.perm_r[i]] = b[i]
    for j in range(n):            # L y = Pr b (unit diagonal)
        yj = work[j]
        if yj != 0.0:
            for p in range(lp[j] + 1, lp[j + 1]):
                work[li[p]] -= lx[p] * yj
    for j in range(n - 1, -1, -1):  # U z = y
        d = up[j + 1] - 1
        zj = work[j] / ux[d]
        work[j] = zj
        if zj != 0.0:
            for p in range(up[j], d):
                work[ui[p]] -= ux[p] * zj
    for i in range(n):            # x = Pc z
        out[i] = work[f.perm_c[i]]



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
def _peel(n, ptr, idx, vpos, optr, oidx, data, cnt, done, odone, out, oout):
    """Take singletons on one side (rows, or columns): a line with one open entry is
    paired with that entry's line on the other side (unless its value is 0), both are
    closed, and the lines of the same side crossing the closed one lose an entry, which
    may make them singletons in turn. ptr/idx/vpos list each line's entries (and their
    positions in data), optr/oidx the other side's. Fills out/oout in the order taken
    and returns how many."""
    stack = np.empty(n, np.int64)
    top = 0
    for i in range(n):
        if not done[i] and cnt[i] == 1:
            stack[top] = i
            top += 1
    taken = 0
    while top > 0:
        top -= 1
        r = stack[top]
        if done[r] or cnt[r] != 1:
            continue
        c = -1
        for q in range(ptr[r], ptr[r + 1]):
            if not odone[idx[q]]:
                c = idx[q]
                if data[vpos[q]] == 0.0:
                    c = -2
                break
        if c < 0:
            continue
        done[r] = True
        odone[c] = True
        out[taken] = r
        oout[taken] = c
        taken += 1
        for p in range(optr[c], optr[c + 1]):
            i = oidx[p]
            if not done[i]:
                cnt[i] -= 1
                if cnt[i] == 1:
                    stack[top] = i
                    top += 1
    return taken


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
    rcnt = np.empty(n, np.int64)    # (not np.diff: see _shellsort)
    for i in range(n):
        rcnt[i] = rp[i + 1] - rp[i]
    ccnt = np.zeros(n, np.int64)
    rdone = np.zeros(n, np.bool_)
    cdone = np.zeros(n, np.bool_)
    front_r = np.empty(n, np.int64)
    front_c = np.empty(n, np.int64)
    # row singletons: found through the rows (CSR), counts updated through the columns
    nf = _peel(n, rp, rc, rv, indptr, indices, data, rcnt, rdone, cdone, front_r, front_c)
    # column counts over the rows still open
    for j in range(n):
        ccnt[j] = 0
        if not cdone[j]:
            for p in range(indptr[j], indptr[j + 1]):
                if not rdone[indices[p]]:
                    ccnt[j] += 1
    tail_r = np.empty(n, np.int64)
    tail_c = np.empty(n, np.int64)
    cv = np.arange(nnz)            # a column entry's position in A is its own
    nt = _peel(n, indptr, indices, cv, rp, rc, data, ccnt, cdone, rdone, tail_c, tail_r)
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
def _shellsort(a):
    """Sort in place (numba's np.sort would make it import scipy.linalg when these
    kernels load from its cache: 0.12 s per process)."""
    m = a.shape[0]
    gap = 1
    while gap < m // 3:
        gap = 3 * gap + 1
    while gap >= 1:
        for t in range(gap, m):
            v = a[t]
            u = t
            while u >= gap and a[u - gap] > v:
                a[u] = a[u - gap]
                u -= gap
            a[u] = v
        gap //= 3


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
    mark = np.empty(n, np.int64)
    mark[:] = -1
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
        rows = found[:nfound]
        _shellsort(rows)
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


@njit(cache=True)
def _bfs(start, lo, hi, ptr, adj, where, level, stamp, tag, queue):
    """Breadth-first search from start over the vertices placed in where[lo:hi]; fills
    queue (visit order) and level (valid where stamp == tag). Returns (reached, height)."""
    stamp[start] = tag
    level[start] = 0
    queue[0] = start
    head = 0
    tail = 1
    height = 0
    while head < tail:
        v = queue[head]
        head += 1
        for q in range(ptr[v], ptr[v + 1]):
            u = adj[q]
            if stamp[u] != tag and where[u] >= lo and where[u] < hi:
                stamp[u] = tag
                level[u] = level[v] + 1
                if level[u] > height:
                    height = level[u]
                queue[tail] = u
                tail += 1
    return tail, height


@njit(cache=True)
def _sparse_first(m, ptr, verts, where):
    """Fills verts with the vertices of low degree first and those of high degree (over
    max(16, 10 sqrt(m)) neighbours) last, where with its inverse; returns how many are of
    low degree (only those are dissected)."""
    dense = max(16.0, 10.0 * math.sqrt(m))
    k = 0
    for v in range(m):
        if ptr[v + 1] - ptr[v] <= dense:
            verts[k] = v
            k += 1
    nsparse = k
    for v in range(m):
        if ptr[v + 1] - ptr[v] > dense:
            verts[k] = v
            k += 1
    for i in range(m):
        where[verts[i]] = i
    return nsparse


@njit(cache=True)
def _push_parts(tlo, thi, ntask, lo, mid, hi):
    """Pushes the parts [lo, mid) and [mid, hi) on the task stack; returns its new size."""
    tlo[ntask] = lo
    thi[ntask] = mid
    tlo[ntask + 1] = mid
    thi[ntask + 1] = hi
    return ntask + 2


@njit(cache=True)
def _split_components(lo, hi, reached, verts, where, stamp, tag, queue, side):
    """verts[lo:hi] holds several components: puts the one the last search reached
    (queue[:reached]) first and the rest after it; returns where the rest begins."""
    a = lo
    b = lo + reached
    for t in range(reached):
        side[t] = queue[t]
    w = lo
    for t in range(lo, hi):
        if stamp[verts[t]] != tag:
            queue[w - lo] = verts[t]
            w += 1
    for t in range(reached):
        verts[a + t] = side[t]
    for t in range(hi - b):
        verts[b + t] = queue[t]
    for t in range(lo, hi):
        where[verts[t]] = t
    return b


@njit(cache=True)
def _pseudo_peripheral(lo, hi, reached, height, ptr, adj, where, level, stamp, tag, queue):
    """Searches again from the last vertex reached, twice or until the height stops
    growing, so the levels run across the part; returns (reached, height, tag)."""
    for _ in range(2):
        tag += 1
        start = queue[reached - 1]
        reached, h2 = _bfs(start, lo, hi, ptr, adj, where, level, stamp, tag, queue)
        if h2 <= height:
            height = h2
            break
        height = h2
    return reached, height, tag


@njit(cache=True)
def _middle_level(reached, height, level, queue):
    """The level where half the vertices reached are behind, kept inside 1 .. height-1."""
    cnt = np.zeros(height + 1, np.int64)
    for t in range(reached):
        cnt[level[queue[t]]] += 1
    acc = 0
    mid = 1
    for lv in range(height + 1):
        acc += cnt[lv]
        if 2 * acc >= reached:
            mid = lv
            break
    if mid < 1:
        mid = 1
    if mid > height - 1:
        mid = height - 1
    return mid


@njit(cache=True)
def _mark_sides(reached, mid, tag, ptr, adj, level, stamp, queue, side):
    """side[v]: 0 left, 1 right, 2 separator (only the middle-level vertices that touch
    the right part; the others join the left). Returns (left count, right count)."""
    nl = 0
    nr = 0
    for t in range(reached):
        v = queue[t]
        lv = level[v]
        if lv < mid:
            side[v] = 0
        elif lv > mid:
            side[v] = 1
        else:
            side[v] = 0
            for q in range(ptr[v], ptr[v + 1]):
                u = adj[q]
                if stamp[u] == tag and level[u] == mid + 1:
                    side[v] = 2
                    break
        if side[v] == 0:
            nl += 1
        elif side[v] == 1:
            nr += 1
    return nl, nr


@njit(cache=True)
def _place_sides(lo, hi, nl, nr, reached, queue, side, verts, where):
    """Reorders verts[lo:hi] as left part, right part, separator (by side)."""
    a = lo
    b = lo + nl
    c = lo + nl + nr
    for t in range(reached):
        v = queue[t]
        if side[v] == 0:
            verts[a] = v
            a += 1
        elif side[v] == 1:
            verts[b] = v
            b += 1
        else:
            verts[c] = v
            c += 1
    for t in range(lo, hi):
        where[verts[t]] = t


@njit(cache=True)
def nested_dissection(m, ptr, adj, leaf):
    """An elimination order of the symmetric graph (ptr, adj) whose elimination tree is
    shallow: each part is split by the middle level of a breadth-first search from a
    pseudo-peripheral vertex, the two halves are ordered first and the separator last
    (George's automatic nested dissection); vertices of high degree go last of all. A
    shallow tree is what refactor_cols needs: a changed column reaches only its
    ancestors, and on a chain of stages ordered end to end that is half the matrix."""
    verts = np.empty(m, np.int64)
    where = np.empty(m, np.int64)
    level = np.zeros(m, np.int64)
    stamp = np.empty(m, np.int64)
    stamp[:] = -1
    queue = np.empty(m, np.int64)
    side = np.empty(m, np.int64)
    nsparse = _sparse_first(m, ptr, verts, where)
    # a stack of parts verts[tlo:thi] still to split
    tlo = np.empty(2 * m + 2, np.int64)
    thi = np.empty(2 * m + 2, np.int64)
    tlo[0] = 0
    thi[0] = nsparse
    ntask = 1
    tag = 0
    while ntask > 0:
        ntask -= 1
        lo = tlo[ntask]
        hi = thi[ntask]
        if hi - lo <= leaf:
            continue
        tag += 1
        reached, height = _bfs(verts[lo], lo, hi, ptr, adj, where, level, stamp, tag, queue)
        if reached < hi - lo:
            # several components: the one reached first, then the rest, each on its own
            rest = _split_components(lo, hi, reached, verts, where, stamp, tag, queue, side)
            ntask = _push_parts(tlo, thi, ntask, lo, rest, hi)
            continue
        reached, height, tag = _pseudo_peripheral(lo, hi, reached, height, ptr, adj, where,
                                                  level, stamp, tag, queue)
        if height < 2:
            continue
        mid = _middle_level(reached, height, level, queue)
        nl, nr = _mark_sides(reached, mid, tag, ptr, adj, level, stamp, queue, side)
        _place_sides(lo, hi, nl, nr, reached, queue, side, verts, where)
        ntask = _push_parts(tlo, thi, ntask, lo, lo + nl, lo + nl + nr)
    return verts


@njit(cache=True)
def mean_reach(n, up, ui):
    """Mean number of columns a changed column reaches through the elimination tree of
    the U pattern (what refactor_cols recomputes)."""
    parent = np.empty(n, np.int64)
    parent[:] = n
    for j in range(n):
        for p in range(up[j], up[j + 1] - 1):
            k = ui[p]
            if j < parent[k]:
                parent[k] = j
    depth = np.zeros(n + 1, np.int64)
    total = 0
    for j in range(n - 1, -1, -1):
        depth[j] = depth[parent[j]] + 1
        total += depth[j]
    return total / max(n, 1)


class StaticLU:
    """LU of matrices sharing one CSC pattern; refactor() reuses the pivot order.

    local=True (a Newton loop that refactors only the columns its changes reach) also
    tries a nested-dissection order for the part SuperLU pivots, and keeps it when its
    factors are about as sparse and a changed column reaches far fewer others. The
    pattern must be canonical CSC (sorted, no duplicate entries), as mna.build makes it."""

    def __init__(self, indptr, indices, data, n, local=False):
        self.n = n
        self.indptr = indptr
        self.indices = indices
        self.local = local
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
        best = None
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
            candidates = [(None, "COLAMD")]
            # (the graph of the block needs its rows and columns to be the same unknowns)
            if self.local and m >= 64 and np.array_equal(row_of[nf:hi], col_of[nf:hi]):
                candidates.append((self._dissection(m, mrow, mcol), "NATURAL"))
            for inv, colperm in candidates:
                r, c = (mrow, mcol) if inv is None else (inv[mrow], inv[mcol])
                order = np.lexsort((r, c))
                mp = np.zeros(m + 1, np.int64)
                np.cumsum(np.bincount(c, minlength=m), out=mp[1:])
                try:
                    lu1 = splu_csc(m, mval[order], r[order].astype(np.intc),
                                   mp.astype(np.intc), ColPerm=colperm, DiagPivotThresh=0.1,
                                   Relax=1)
                except RuntimeError:
                    if inv is None:
                        raise
                    continue      # the other order's pivots met an exact zero: keep COLAMD
                r1 = np.asarray(lu1.perm_r, dtype=np.int64)
                c1 = np.asarray(lu1.perm_c, dtype=np.int64)
                if inv is not None:
                    r1, c1 = r1[inv], c1[inv]
                # middle row k (original row row_of[nf + k]) goes to nf + r1[k]
                pr, pc = perm_r.copy(), perm_c.copy()
                pr[row_of[nf:hi]] = nf + r1
                pc[col_of[nf:hi]] = nf + c1
                bp, bi, bmap = permute_csc(n, indptr, indices, pr, pc)
                lp, li, up, ui = symbolic_lu(n, bp, bi)
                cand = (pr, pc, bp, bi, bmap, lp, li, up, ui)
                if best is None:
                    best = cand
                    base_nnz = len(li) + len(ui)
                    base_reach = mean_reach(n, up, ui)
                elif (len(li) + len(ui) <= 1.25 * base_nnz
                      and mean_reach(n, up, ui) < 0.5 * base_reach):
                    best = cand
        if best is None:
            bp, bi, bmap = permute_csc(n, indptr, indices, perm_r, perm_c)
            best = (perm_r, perm_c, bp, bi, bmap) + symbolic_lu(n, bp, bi)
        # B = Pr A Pc with B.data[p] = A.data[bmap[p]]; 3. the patterns of its L and U
        (self.perm_r, self.perm_c, self.bp, self.bi, self.bmap, self.lp, self.li, self.up,
         self.ui) = best
        self.lo, self.hi = nf, hi
        self.lx = np.zeros(len(self.li))
        self.ux = np.zeros(len(self.ui))
        self.work = np.zeros(n)       # refactor() keeps it zero between calls
        self.swork = np.zeros(n)
        self._factors = tuple(LUFactors(
            self.perm_r, self.perm_c, self.bmap, self.bp, self.bi, self.lp, self.li, self.lx,
            self.up, self.ui, self.ux, self.work, self.swork, PIVREL, int(self.lo),
            int(self.hi)))
        self.ok = refactor(self._factors, data)
        # if these very values need other pivots, SuperLU's own factors of the whole
        # matrix answer this time
        self.fallback = None
        if not self.ok:
            self.fallback = splu_csc(n, data, indices.astype(np.intc), indptr.astype(np.intc),
                                     ColPerm="COLAMD", DiagPivotThresh=0.1, Relax=1)

    def factors(self) -> tuple:
        """The fields of LUFactors as the kernels take them (rebuilt by every _setup)."""
        return self._factors

    @staticmethod
    def _dissection(m, mrow, mcol):
        """inv[k]: the place of middle row/column k in a nested-dissection order of the
        graph of M + M^T."""
        a = np.concatenate((mrow, mcol))
        b = np.concatenate((mcol, mrow))
        off = a != b
        key = np.unique(a[off] * m + b[off])
        src = key // m
        ptr = np.zeros(m + 1, np.int64)
        np.cumsum(np.bincount(src, minlength=m), out=ptr[1:])
        order = nested_dissection(m, ptr, key % m, 8)
        inv = np.empty(m, np.int64)
        inv[order] = np.arange(m)
        return inv

    def factor(self, data):
        data = np.ascontiguousarray(data, dtype=float)
        if not refactor(self.factors(), data):
            self._setup(data)   # values moved too far from the old pivots: pivot again
        else:
            self.fallback = None
        return self

    def solve(self, b):
        if self.fallback is not None:
            return self.fallback.solve(b)
        out = np.empty(self.n)
        lu_solve(self.factors(), np.ascontiguousarray(b, dtype=float), out)
        return out


def warm() -> None:
    indptr = np.array([0, 2, 4], dtype=np.int32)
    indices = np.array([0, 1, 0, 1], dtype=np.int32)
    lu = StaticLU(indptr, indices, np.array([2.0, 1.0, 1.0, 3.0]), 2)
    lu.factor(np.array([4.0, 1.0, 1.0, 3.0])).solve(np.ones(2))
