"""Numba kernels for k-feasible cuts (k <= 6) with their truth tables.

Cut sets live in flat per-node arrays (ABC's Dar cut manager, without its memory pools):
    leaves[v, c, :size[v, c]]   sorted leaf variables of cut c of variable v
    tts[v, c]                   uint64 truth table over those leaves, "full" form: bit m is
                                the value for minterm m (bit j of m = leaf j), replicated
                                over the unused high variables so tables stretch by swaps
    ncuts[v]                    number of stored cuts; the trivial cut {v} is implicit
Callers of `node_cuts` pass the arrays and the node's fanin literals, so the same kernel
serves a static AIG (`enumerate_cuts`) and a graph that grows while it is rewritten.
"""

import numpy as np

from edapipe.util.jit import njit

VAR_TT = np.array([0xAAAAAAAAAAAAAAAA, 0xCCCCCCCCCCCCCCCC, 0xF0F0F0F0F0F0F0F0,
                   0xFF00FF00FF00FF00, 0xFFFF0000FFFF0000, 0xFFFFFFFF00000000], dtype=np.uint64)
_PMASK = np.array([[0x9999999999999999, 0x2222222222222222, 0x4444444444444444],
                   [0xC3C3C3C3C3C3C3C3, 0x0C0C0C0C0C0C0C0C, 0x3030303030303030],
                   [0xF00FF00FF00FF00F, 0x00F000F000F000F0, 0x0F000F000F000F00],
                   [0xFF0000FFFF0000FF, 0x0000FF000000FF00, 0x00FF000000FF0000],
                   [0xFFFF00000000FFFF, 0x00000000FFFF0000, 0x0000FFFF00000000]],
                  dtype=np.uint64)
FULL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def tt_swap_adjacent(t, i):
    """Exchange variables i and i+1 of a 6-variable table (ABC's Abc_Tt6SwapAdjacent)."""
    s = np.uint64(1 << i)
    return ((t & _PMASK[i, 0]) | ((t & _PMASK[i, 1]) << s) | ((t & _PMASK[i, 2]) >> s))


@njit(cache=True)
def tt_stretch(t, sub, n_sub, sup, n_sup):
    """Re-express a table over the sorted leaves sub[:n_sub] on the sorted superset sup."""
    j = n_sup - 1
    for i in range(n_sub - 1, -1, -1):
        while sup[j] != sub[i]:
            j -= 1
        for p in range(i, j):
            t = tt_swap_adjacent(t, p)
        j -= 1
    return t


@njit(cache=True)
def _merge_leaves(a, na, b, nb, out, k):
    """Sorted union of two sorted leaf lists into out; its size, or -1 above k leaves."""
    i = 0
    j = 0
    n = 0
    while i < na or j < nb:
        if j >= nb or (i < na and a[i] < b[j]):
            v = a[i]
            i += 1
        elif i >= na or b[j] < a[i]:
            v = b[j]
            j += 1
        else:
            v = a[i]
            i += 1
            j += 1
        if n >= k:
            return -1
        out[n] = v
        n += 1
    return n


@njit(cache=True)
def _subset(a, na, b, nb):
    """Sorted a[:na] is a subset of sorted b[:nb]."""
    j = 0
    for i in range(na):
        while j < nb and b[j] < a[i]:
            j += 1
        if j >= nb or b[j] != a[i]:
            return False
        j += 1
    return True


@njit(cache=True, inline="always")
def _sig(leaves, n):
    s = np.uint64(0)
    for i in range(n):
        s |= np.uint64(1) << np.uint64(leaves[i] & 63)
    return s


@njit(cache=True, inline="always")
def _popcount(x):
    c = 0
    while x:
        x &= x - np.uint64(1)
        c += 1
    return c


@njit(cache=True)
def node_cuts(v, lit0, lit1, leaves, sizes, tts, ncuts, k, max_cuts, is_and0, is_and1,
              buf_leaves, buf_sizes, buf_tts, keep_dominated=False):
    """Compute the cut set of AND v = lit0 & lit1 from its fanins' stored cuts.

    is_and0/1 say whether the fanin variables carry cut sets (ANDs) or only the trivial cut
    (inputs). The best max_cuts non-dominated cuts (fewest leaves first) are stored for v;
    with keep_dominated, a cut with a sub-cut is kept too (cell matching: the extra leaf is
    logic a gate can share, as the AND inside an XOR shared with a carry).
    buf_* are scratch arrays of at least (max_cuts + 1)^2 rows.
    """
    v0 = lit0 >> 1
    v1 = lit1 >> 1
    c0 = lit0 & 1
    c1 = lit1 & 1
    n0 = (ncuts[v0] if is_and0 else 0) + 1
    n1 = (ncuts[v1] if is_and1 else 0) + 1
    one = np.empty(1, dtype=np.int32)
    two = np.empty(1, dtype=np.int32)
    buf_sigs = np.empty(buf_sizes.shape[0], dtype=np.uint64)
    nb = 0
    for i in range(n0):
        if i == n0 - 1:
            one[0] = v0
            la = one
            na = 1 if v0 != 0 else 0
            ta = VAR_TT[0] if v0 != 0 else np.uint64(0)
        else:
            la = leaves[v0, i]
            na = sizes[v0, i]
            ta = tts[v0, i]
        if c0:
            ta = ~ta
        for j in range(n1):
            if j == n1 - 1:
                two[0] = v1
                lb = two
                nbb = 1 if v1 != 0 else 0
                tb = VAR_TT[0] if v1 != 0 else np.uint64(0)
            else:
                lb = leaves[v1, j]
                nbb = sizes[v1, j]
                tb = tts[v1, j]
            if c1:
                tb = ~tb
            sig = _sig(la, na) | _sig(lb, nbb)
            if _popcount(sig) > k:
                continue
            n = _merge_leaves(la, na, lb, nbb, buf_leaves[nb], k)
            if n < 0:
                continue
            # drop duplicates and dominated candidates
            skip = False
            m = 0
            while m < nb:
                sm = buf_sigs[m]
                if ((buf_sizes[m] == n or (buf_sizes[m] < n and not keep_dominated))
                        and (sm & ~sig) == 0
                        and _subset(buf_leaves[m], buf_sizes[m], buf_leaves[nb], n)):
                    skip = True
                    break
                if (n < buf_sizes[m] and not keep_dominated and (sig & ~sm) == 0
                        and _subset(buf_leaves[nb], n, buf_leaves[m], buf_sizes[m])):
                    # the new cut dominates m: remove m by moving the last one into its place
                    last = nb - 1
                    if m != last:
                        buf_leaves[m, :] = buf_leaves[last, :]
                        buf_sizes[m] = buf_sizes[last]
                        buf_tts[m] = buf_tts[last]
                        buf_sigs[m] = buf_sigs[last]
                    buf_leaves[last, :n] = buf_leaves[nb, :n]
                    nb -= 1
                    continue
                m += 1
            if skip:
                continue
            buf_sizes[nb] = n
            buf_sigs[nb] = sig
            buf_tts[nb] = (tt_stretch(ta, la, na, buf_leaves[nb], n)
                           & tt_stretch(tb, lb, nbb, buf_leaves[nb], n))
            nb += 1
    # keep the smallest cuts (a stable selection by size)
    kept = 0
    for size in range(0, k + 1):
        for m in range(nb):
            if buf_sizes[m] == size and kept < max_cuts:
                leaves[v, kept, :size] = buf_leaves[m, :size]
                sizes[v, kept] = size
                tts[v, kept] = buf_tts[m]
                kept += 1
    ncuts[v] = kept


@njit(cache=True)
def cut_arrays(n_vars, k, max_cuts):
    """The cut sets of n_vars variables (leaves, sizes, tts, ncuts) and node_cuts' merge
    buffers (buf_leaves, buf_sizes, buf_tts), zeroed."""
    rows = (max_cuts + 1) * (max_cuts + 1) + 1
    return (np.zeros((n_vars, max_cuts, k), dtype=np.int32),
            np.zeros((n_vars, max_cuts), dtype=np.int8),
            np.zeros((n_vars, max_cuts), dtype=np.uint64),
            np.zeros(n_vars, dtype=np.int32),
            np.zeros((rows, k), dtype=np.int32),
            np.zeros(rows, dtype=np.int32),
            np.zeros(rows, dtype=np.uint64))


@njit(cache=True)
def enumerate_cuts(num_ci, f0, f1, k, max_cuts, keep_dominated=False):
    """Cut sets of every variable of a static AIG: (leaves, sizes, tts, ncuts)."""
    base = num_ci + 1
    leaves, sizes, tts, ncuts, buf_leaves, buf_sizes, buf_tts = \
        cut_arrays(base + f0.shape[0], k, max_cuts)
    for g in range(f0.shape[0]):
        a = f0[g]
        b = f1[g]
        node_cuts(base + g, a, b, leaves, sizes, tts, ncuts, k, max_cuts,
                  (a >> 1) >= base, (b >> 1) >= base, buf_leaves, buf_sizes, buf_tts,
                  keep_dominated)
    return leaves, sizes, tts, ncuts
