"""Numba kernels of the LUT mapper: priority cuts, delay-optimal mapping, area recovery.

The algorithm is ABC's `if` (Mishchenko, Cho, Chatterjee, Brayton, "Combinational and
sequential mapping with priority cuts", ICCAD'07), written from the paper:

- Every pass walks the ANDs in topological order and recomputes each node's priority cuts
  (at most C non-dominated K-feasible cuts) from its fanins' cuts, ordered by the pass's cost;
  the node's best cut from the previous pass is always among the candidates, so a pass never
  loses what the previous one had.
- Pass 1 (delay): cost (arrival, area flow, leaves): a depth-optimal mapping for the cuts kept.
- Area-flow passes: (area flow, arrival, leaves) among cuts whose arrival meets the node's
  required time; required times come from the previous pass's mapping and the depth target.
- Exact-area passes: (exact local area, arrival, leaves): the LUTs a cut adds to the current
  mapping (reference counting, as ABC's If_CutAreaDerefed), same required times.

Unit delay per LUT. State is flat arrays indexed by variable (AIGER numbering); cut c of
variable v is cut_leaves[v, c, :cut_size[v, c]], sorted. The trivial cut {v} is implicit.
Reference counting walks with explicit stacks (no recursion: depth is unbounded).
"""

from typing import NamedTuple

import numpy as np

from edapipe.aig.cuts_kernels import (VAR_TT, _merge_leaves, _popcount, _sig, _subset,
                                      tt_swap_adjacent)
from edapipe.util.jit import njit

INF = 1 << 29
MODE_DELAY = 0
MODE_FLOW = 1
MODE_EXACT = 2
MODE_DELAY_LEAVES = 3


@njit(cache=True)
def _walk_refs(best_leaves, best_size, refs, first, leaves, n, stack, delta):
    """Reference (delta 1) or dereference (delta -1) a cut's leaves in the mapping; returns
    the number of LUTs that enter or leave the mapping with it, the cut's own included."""
    area = 1
    top = 0
    for i in range(n):
        stack[top] = leaves[i]
        top += 1
    edge = 1 if delta > 0 else 0       # refs[u] after the step when u enters or leaves
    while top:
        top -= 1
        u = stack[top]
        refs[u] += delta
        if refs[u] == edge and u >= first:
            area += 1
            for i in range(best_size[u]):
                stack[top] = best_leaves[u, i]
                top += 1
    return area


@njit(cache=True)
def _ref_cut(best_leaves, best_size, refs, first, leaves, n, stack):
    return _walk_refs(best_leaves, best_size, refs, first, leaves, n, stack, 1)


@njit(cache=True)
def _deref_cut(best_leaves, best_size, refs, first, leaves, n, stack):
    return _walk_refs(best_leaves, best_size, refs, first, leaves, n, stack, -1)


@njit(cache=True, inline="always")
def _better(mode, a1, f1, n1, a2, f2, n2):
    """Cut 1 before cut 2 in the pass's order (arrival a, area f, leaves n)."""
    if mode == MODE_DELAY:
        if a1 != a2:
            return a1 < a2
        if abs(f1 - f2) > 1e-9:
            return f1 < f2
        return n1 < n2
    if mode == MODE_DELAY_LEAVES:
        if a1 != a2:
            return a1 < a2
        if n1 != n2:
            return n1 < n2
        return f1 < f2 - 1e-9
    if abs(f1 - f2) > 1e-9:
        return f1 < f2
    if a1 != a2:
        return a1 < a2
    return n1 < n2


@njit(cache=True)
def _mapping_refs(best_leaves, best_size, co_vars, first, nv, refs):
    """refs[v]: how many mapped LUTs and COs use v in the current best-cut mapping."""
    refs[:] = 0
    for v in co_vars:
        refs[v] += 1
    for v in range(nv - 1, first - 1, -1):
        if refs[v] > 0:
            for i in range(best_size[v]):
                refs[best_leaves[v, i]] += 1


@njit(cache=True)
def _required(best_leaves, best_size, refs, co_vars, first, nv, target, req):
    req[:] = INF
    for v in co_vars:
        req[v] = min(req[v], target)
    for v in range(nv - 1, first - 1, -1):
        if refs[v] > 0 and req[v] < INF:
            r = req[v] - 1
            for i in range(best_size[v]):
                u = best_leaves[v, i]
                if r < req[u]:
                    req[u] = r


class LutCuts(NamedTuple):
    """Every AND's priority cuts: cut c of v is leaves[v, c, :size[v, c]] (sorted), with
    signature sig[v, c]; n[v] of them (0 for the constant and the inputs)."""

    leaves: np.ndarray
    size: np.ndarray
    sig: np.ndarray
    n: np.ndarray


class LutMapping(NamedTuple):
    """Per variable: its best cut (leaves[v, :size[v]]), arrival, area flow, references in
    the mapping, required time and fanout estimate."""

    leaves: np.ndarray
    size: np.ndarray
    arrival: np.ndarray
    flow: np.ndarray
    refs: np.ndarray
    req: np.ndarray
    est: np.ndarray


class CutBuffer(NamedTuple):
    """A node's candidate cuts while it is mapped (leaves, size, signature, arrival, area
    and the priority order of the rest), and the walks' stack."""

    leaves: np.ndarray
    size: np.ndarray
    sig: np.ndarray
    arr: np.ndarray
    area: np.ndarray
    order: np.ndarray
    stack: np.ndarray


@njit(cache=True)
def map_luts(num_cis, fanin0, fanin1, co_vars, k, max_cuts, n_flow, n_exact, delay_mode,
             relax):
    """Map an AIG (COs given by their variables) to k-input LUTs.

    delay_mode: keep the depth of the delay pass (plus `relax` levels) during area
    recovery; otherwise area recovery has no depth bound. Returns (best_leaves, best_size,
    refs, arrival, depth): LUT v is used when refs[v] > 0 and v is an AND.
    """
    first = 1 + num_cis
    cuts, mp, buf = _lut_state(first, fanin0, fanin1, co_vars, k, max_cuts)
    target = INF
    # ABC's preprocessing: delay rounds with two cut orders, then an area-flow round under
    # the depth found; each keeps the best cut of the one before, so depth only improves
    n_delay = 3 if delay_mode else 1
    n_passes = n_delay + n_flow + n_exact
    for p in range(n_passes):
        if p < n_delay:
            mode = (MODE_DELAY, MODE_DELAY_LEAVES, MODE_FLOW)[p] if delay_mode else MODE_FLOW
        elif p < n_delay + n_flow:
            mode = MODE_FLOW
        else:
            mode = MODE_EXACT
        _lut_pass(mode, p > 0, first, fanin0, fanin1, cuts, mp, buf)
        # the mapping this pass made: references, depth, required times, reference estimates
        _mapping_refs(mp.leaves, mp.size, co_vars, first, mp.size.shape[0], mp.refs)
        if p < n_delay:
            if delay_mode:
                depth = _depth(mp.arrival, co_vars)
                if depth + relax < target:
                    target = depth + relax
            else:
                target = INF
        _required(mp.leaves, mp.size, mp.refs, co_vars, first, mp.size.shape[0], target, mp.req)
        _update_estimates(first, mp.est, mp.refs)
    return mp.leaves, mp.size, mp.refs, mp.arrival, _depth(mp.arrival, co_vars)


@njit(cache=True)
def _lut_state(first, fanin0, fanin1, co_vars, k, max_cuts):
    """The empty cut sets, mapping (fanout estimates from the structure) and buffers."""
    n_and = fanin0.shape[0]
    nv = first + n_and
    C = max_cuts
    cuts = LutCuts(np.zeros((nv, C, k), dtype=np.int32), np.zeros((nv, C), dtype=np.int32),
                   np.zeros((nv, C), dtype=np.uint64), np.zeros(nv, dtype=np.int32))
    est = np.zeros(nv, dtype=np.float64)
    for g in range(n_and):
        est[fanin0[g] >> 1] += 1.0
        est[fanin1[g] >> 1] += 1.0
    for v in co_vars:
        est[v] += 1.0
    for v in range(nv):
        if est[v] < 1.0:
            est[v] = 1.0
    mp = LutMapping(np.zeros((nv, k), dtype=np.int32), np.zeros(nv, dtype=np.int32),
                    np.zeros(nv, dtype=np.int32), np.zeros(nv, dtype=np.float64),
                    np.zeros(nv, dtype=np.int32), np.full(nv, INF, dtype=np.int32), est)
    rows = (C + 1) * (C + 1) + 2
    buf = CutBuffer(np.zeros((rows, k), dtype=np.int32), np.zeros(rows, dtype=np.int32),
                    np.zeros(rows, dtype=np.uint64), np.zeros(rows, dtype=np.int32),
                    np.zeros(rows, dtype=np.float64), np.zeros(rows, dtype=np.int32),
                    np.zeros(nv * k + 16, dtype=np.int32))
    return cuts, mp, buf


@njit(cache=True)
def _depth(arrival, co_vars):
    depth = 0
    for v in co_vars:
        if arrival[v] > depth:
            depth = arrival[v]
    return depth


@njit(cache=True)
def _update_estimates(first, est, refs):
    """Reference estimates for area flow: blended with the references of the last mapping."""
    for v in range(first, est.shape[0]):
        e = (2.0 * est[v] + refs[v]) / 3.0
        est[v] = e if e > 1.0 else 1.0


@njit(cache=True)
def _lut_pass(mode, keep_best, first, fanin0, fanin1, cuts, mp, buf):
    """One pass over the ANDs in topological order: each node's priority cuts recomputed from
    its fanins' (with keep_best, its best cut of the last pass first among the candidates),
    its best cut the first in the pass's order that meets its required time (else the
    fastest). The per-node steps take plain arrays: the NamedTuples' fields are read here,
    once per pass (a NamedTuple argument per node costs a reference count per array)."""
    cut_leaves, cut_size, cut_sig, ncut = cuts
    best_leaves, best_size, arrival, flow, refs, req, est = mp
    buf_leaves, buf_size, buf_sig, buf_arr, buf_area, order, stack = buf
    C = cut_size.shape[1]
    one = np.zeros(1, dtype=np.int32)
    two = np.zeros(1, dtype=np.int32)
    for g in range(fanin0.shape[0]):
        v = first + g
        if mode == MODE_EXACT and refs[v] > 0:
            _deref_cut(best_leaves, best_size, refs, first, best_leaves[v], best_size[v],
                       stack)
        nb = 0
        # the previous pass's best cut first, so it always stays a candidate
        n_prev = best_size[v] if keep_best else 0
        if n_prev > 0:
            buf_leaves[0, :n_prev] = best_leaves[v, :n_prev]
            buf_size[0] = n_prev
            buf_sig[0] = _sig(buf_leaves[0], n_prev)
            nb = 1
        nb = _merge_cuts(fanin0[g] >> 1, fanin1[g] >> 1, nb, cut_leaves, cut_size, cut_sig,
                         ncut, buf_leaves, buf_size, buf_sig, one, two)
        # costs; the exact area only for cuts that meet the required time
        limit = req[v]
        for m in range(nb):
            a = 0
            f = 1.0
            for i in range(buf_size[m]):
                u = buf_leaves[m, i]
                if arrival[u] > a:
                    a = arrival[u]
                f += flow[u]
            buf_arr[m] = a + 1
            if mode == MODE_EXACT and a + 1 > limit:
                buf_area[m] = f + 1e6      # cannot be picked: skip the exact area
            elif mode == MODE_EXACT:
                area = _ref_cut(best_leaves, best_size, refs, first, buf_leaves[m],
                                buf_size[m], stack)
                _deref_cut(best_leaves, best_size, refs, first, buf_leaves[m], buf_size[m],
                           stack)
                buf_area[m] = area
            else:
                buf_area[m] = f
        pick = _pick_cut(mode, nb, limit, buf_arr, buf_area, buf_size)
        t = _priority_order(mode, nb, pick, C, buf_arr, buf_area, buf_size, order)
        n = buf_size[pick]
        best_leaves[v, :n] = buf_leaves[pick, :n]
        best_size[v] = n
        arrival[v] = buf_arr[pick]
        f = 1.0
        for i in range(n):
            f += flow[best_leaves[v, i]]
        flow[v] = f / est[v]
        _store_cuts(v, pick, t, order, buf_leaves, buf_size, buf_sig, cut_leaves, cut_size,
                    cut_sig, ncut)
        if mode == MODE_EXACT and refs[v] > 0:
            _ref_cut(best_leaves, best_size, refs, first, best_leaves[v], best_size[v], stack)


@njit(cache=True)
def _merge_cuts(v0, v1, nb, cut_leaves, cut_size, cut_sig, ncut, buf_leaves, buf_size, buf_sig,
                one, two):
    """The candidates of an AND of v0 and v1 after the nb already in the buffer (0, or 1:
    the best cut of the last pass, which stays): every merge of a cut of each (their
    priority cuts and trivial cuts; an input has only its trivial cut, ncut 0) of at most k
    leaves, dominated candidates dropped (a candidate with a subset of another's leaves
    replaces it). Returns the number of candidates."""
    k = buf_leaves.shape[1]
    kept = nb
    n0 = ncut[v0] + 1
    n1 = ncut[v1] + 1
    for i in range(n0):
        if i == n0 - 1:
            one[0] = v0
            la = one
            na = 1 if v0 != 0 else 0
            sa = _sig(la, na)
        else:
            la = cut_leaves[v0, i]
            na = cut_size[v0, i]
            sa = cut_sig[v0, i]
        for j in range(n1):
            if j == n1 - 1:
                two[0] = v1
                lb = two
                nbb = 1 if v1 != 0 else 0
                sig = sa | _sig(lb, nbb)
            else:
                lb = cut_leaves[v1, j]
                nbb = cut_size[v1, j]
                sig = sa | cut_sig[v1, j]
            if _popcount(sig) > k:
                continue
            n = _merge_leaves(la, na, lb, nbb, buf_leaves[nb], k)
            if n < 0:
                continue
            skip = False
            m = 0
            while m < nb:
                sm = buf_sig[m]
                if (buf_size[m] <= n and (sm & ~sig) == 0
                        and _subset(buf_leaves[m], buf_size[m], buf_leaves[nb], n)):
                    skip = True
                    break
                if m >= kept and n < buf_size[m] and (sig & ~sm) == 0 \
                        and _subset(buf_leaves[nb], n, buf_leaves[m], buf_size[m]):
                    last = nb - 1
                    if m != last:
                        buf_leaves[m, :] = buf_leaves[last, :]
                        buf_size[m] = buf_size[last]
                        buf_sig[m] = buf_sig[last]
                    buf_leaves[last, :n] = buf_leaves[nb, :n]
                    nb -= 1
                    continue
                m += 1
            if skip:
                continue
            buf_size[nb] = n
            buf_sig[nb] = sig
            nb += 1
    return nb


@njit(cache=True)
def _pick_cut(mode, nb, limit, buf_arr, buf_area, buf_size):
    """The best candidate in the pass's order that meets the required time `limit`, else
    the fastest."""
    pick = -1
    fastest = 0
    for m in range(nb):
        if buf_arr[m] <= limit and (pick < 0 or _better(
                mode, buf_arr[m], buf_area[m], buf_size[m],
                buf_arr[pick], buf_area[pick], buf_size[pick])):
            pick = m
        if buf_arr[m] < buf_arr[fastest]:
            fastest = m
    return fastest if pick < 0 else pick


@njit(cache=True)
def _priority_order(mode, nb, pick, C, buf_arr, buf_area, buf_size, order):
    """The other priority cuts: the best C - 1 candidates but `pick` in the pass's order,
    into order[:t] (insertion into a short sorted list, as ABC's cut sets); returns t."""
    t = 0
    for m in range(nb):
        if m == pick:
            continue
        q = t
        while q > 0 and _better(mode, buf_arr[m], buf_area[m], buf_size[m],
                                buf_arr[order[q - 1]], buf_area[order[q - 1]],
                                buf_size[order[q - 1]]):
            q -= 1
        if q >= C - 1:
            continue
        last = t if t < C - 1 else C - 2
        for z in range(last, q, -1):
            order[z] = order[z - 1]
        order[q] = m
        if t < C - 1:
            t += 1
    return t


@njit(cache=True)
def _store_cuts(v, pick, t, order, buf_leaves, buf_size, buf_sig, cut_leaves, cut_size,
                cut_sig, ncut):
    """v's priority cuts: the pick first, then order[:t]."""
    n = buf_size[pick]
    cut_leaves[v, 0, :n] = buf_leaves[pick, :n]
    cut_size[v, 0] = n
    cut_sig[v, 0] = buf_sig[pick]
    kept = 1
    for q in range(t):
        x = order[q]
        cut_leaves[v, kept, :buf_size[x]] = buf_leaves[x, :buf_size[x]]
        cut_size[v, kept] = buf_size[x]
        cut_sig[v, kept] = buf_sig[x]
        kept += 1
    ncut[v] = kept


@njit(cache=True)
def cut_truths(fanin0, fanin1, first, roots, leaves, sizes):
    """Truth table (uint64, bit m = value at minterm m, leaf i = bit i of m) of each root
    over its cut leaves, by simulating the cone between them."""
    nl = roots.shape[0]
    nv = first + fanin0.shape[0]
    out = np.zeros(nl, dtype=np.uint64)
    val = np.zeros(nv, dtype=np.uint64)
    stamp = np.zeros(nv, dtype=np.int32)
    cone = np.zeros(nv, dtype=np.int32)
    stack = np.zeros(nv + 2, dtype=np.int32)
    for r in range(nl):
        tag = r + 1
        n = sizes[r]
        for i in range(n):
            u = leaves[r, i]
            stamp[u] = tag
            val[u] = VAR_TT[i]
        stamp[0] = tag
        val[0] = np.uint64(0)
        nc = 0
        top = 0
        root = roots[r]
        if stamp[root] != tag:
            stack[0] = root
            top = 1
            stamp[root] = tag
        while top:
            top -= 1
            u = stack[top]
            cone[nc] = u
            nc += 1
            g = u - first
            for lit in (fanin0[g], fanin1[g]):
                w = lit >> 1
                if stamp[w] != tag:
                    stamp[w] = tag
                    stack[top] = w
                    top += 1
        part = np.sort(cone[:nc])
        for u in part:
            g = u - first
            a = val[fanin0[g] >> 1]
            if fanin0[g] & 1:
                a = ~a
            b = val[fanin1[g] >> 1]
            if fanin1[g] & 1:
                b = ~b
            val[u] = a & b
        out[r] = _shrink(val[root], leaves[r], sizes, r)
    return out


@njit(cache=True)
def _shrink(tt, leaves, sizes, r):
    """Drop the leaves a LUT's function does not depend on (redundant logic in the cone can
    leave some): the table is re-expressed over the rest and sizes[r] updated."""
    n = sizes[r]
    i = 0
    while i < n:
        shift = np.uint64(1 << i)
        lo = tt & ~VAR_TT[i]
        hi = (tt & VAR_TT[i]) >> shift
        if lo != hi:
            i += 1
            continue
        # tt does not depend on leaf i: move leaves i+1.. down one place, and the variables
        # of the table with them (each swap moves variable i one place up)
        for j in range(i, n - 1):
            tt = tt_swap_adjacent(tt, j)
            leaves[j] = leaves[j + 1]
        n -= 1
    sizes[r] = n
    return tt


@njit(cache=True)
def network_depth(nv, roots, leaves, sizes, co_vars):
    """Depth of a LUT network: a LUT of two or more inputs is a level; a LUT that lost all
    but one leaf (redundant logic) is a wire or an inverter."""
    level = np.zeros(nv, dtype=np.int32)
    for r in range(roots.shape[0]):
        top = 0
        for i in range(sizes[r]):
            if level[leaves[r, i]] > top:
                top = level[leaves[r, i]]
        level[roots[r]] = top + (1 if sizes[r] >= 2 else 0)
    depth = 0
    for v in co_vars:
        if level[v] > depth:
            depth = level[v]
    return depth
