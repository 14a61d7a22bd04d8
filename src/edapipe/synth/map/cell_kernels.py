"""Numba kernels of the standard-cell mapper: the match table and the mapping passes.

Both phases of every node are mapped (ABC's `map`): phase 0 is the node's function, phase 1
its complement. A phase is either a matched cell over one of the node's cuts, whose inputs
are leaves in either phase (a negated leaf uses that leaf's phase 1), or an inverter on the
other phase of the same node. Combinational inputs have phase 0 for free and phase 1 by an
inverter.

Delays are load-dependent straight lines per cell input (intercept + slope * load), the load of
a node's phase being its estimated fanout times a nominal pin capacitance; the netlist's real
timing is the timing engine's business. Passes: one delay pass (arrival, then area flow),
then area-flow passes under the required times of the delay mapping, then exact-area passes
(the area a choice adds to the current mapping, by reference counting), as lut_kernels.py.

Choice codes: ch[v, p] >= 0 is a match-table entry over cut ch_cut[v, p]; CH_INV is an
inverter on phase 1 - p; CH_FREE is a combinational input's own phase 0.
"""

import numpy as np

from edapipe.synth.map.lut_kernels import _shrink
from edapipe.util.jit import njit

CH_INV = -1
CH_FREE = -2
CH_NONE = -3
BIG = 1e30


@njit(cache=True)
def expand_group(truth, n, perms):
    """Every function of a cell over n cut leaves: for each pin permutation (pin i reads leaf
    perms[k, i]) and each negated-leaf mask, the table; returns (tables, masks, perm index)."""
    n_perm = perms.shape[0]
    size = 1 << n
    total = n_perm * size
    out = np.zeros(total, dtype=np.uint64)
    masks = np.zeros(total, dtype=np.int32)
    pidx = np.zeros(total, dtype=np.int32)
    r = 0
    for k in range(n_perm):
        for m in range(size):
            t = np.uint64(0)
            for x in range(size):
                y = 0
                for i in range(n):
                    j = perms[k, i]
                    bit = ((x >> j) & 1) ^ ((m >> j) & 1)
                    y |= bit << i
                if (truth >> np.uint64(y)) & np.uint64(1):
                    t |= np.uint64(1) << np.uint64(x)
            out[r] = t
            masks[r] = m
            pidx[r] = k
            r += 1
    return out, masks, pidx


@njit(cache=True)
def shrink_cuts(leaves, sizes, tts, ncuts):
    """Drop leaves a cut's function does not depend on (cut tables are full 64-bit form)."""
    for v in range(leaves.shape[0]):
        for c in range(ncuts[v]):
            tts[v, c] = _shrink(tts[v, c], leaves[v, c], sizes[v], c)


@njit(cache=True)
def _lower_bound(keys, lo, hi, x):
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always")
def _better(delay_mode, a1, f1, a2, f2):
    if delay_mode:
        if abs(a1 - a2) > 1e-15:
            return a1 < a2
        return f1 < f2 - 1e-12
    if abs(f1 - f2) > 1e-12:
        return f1 < f2
    return a1 < a2 - 1e-15


@njit(cache=True)
def _walk(v, p, delta, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n, g_area, refs,
          stack, first_and, inv_area):
    """Reference (delta 1) or dereference (-1) the choice of phase p of v and, recursively,
    every choice that enters or leaves the mapping with it; returns that area."""
    area = 0.0
    top = 0
    stack[0] = v
    stack[1] = p
    top = 2
    first = True
    while top:
        top -= 2
        u = stack[top]
        q = stack[top + 1]
        if not first:
            refs[u, q] += delta
            if refs[u, q] != (1 if delta > 0 else 0):
                continue
        first = False
        c = ch[u, q]
        if c == CH_INV:
            area += inv_area
            stack[top] = u
            stack[top + 1] = 1 - q
            top += 2
        elif c >= 0:
            g = e_group[c]
            area += g_area[g]
            m = e_mask[c]
            for i in range(g_n[g]):
                j = e_perm[c, i]
                stack[top] = cut_leaves[u, ch_cut[u, q], j]
                stack[top + 1] = (m >> j) & 1
                top += 2
    return area


@njit(cache=True)
def map_cells(num_cis, fanin0, fanin1, co_lits, cut_leaves, cut_size, cut_tt, ncut,
              e_truth, e_group, e_mask, e_perm, n_start,
              g_area, g_n, g_d0, g_slope, inv_group, nominal_cin,
              n_flow, n_exact, delay_mode, relax):
    n_and = fanin0.shape[0]
    first = 1 + num_cis
    nv = first + n_and
    ch = np.full((nv, 2), CH_NONE, dtype=np.int32)
    ch_cut = np.zeros((nv, 2), dtype=np.int32)
    arr = np.zeros((nv, 2), dtype=np.float64)
    af = np.zeros((nv, 2), dtype=np.float64)
    refs = np.zeros((nv, 2), dtype=np.int32)
    req = np.full((nv, 2), BIG, dtype=np.float64)
    est = np.ones((nv, 2), dtype=np.float64)
    for g in range(n_and):
        est[fanin0[g] >> 1, 0] += 1.0
        est[fanin1[g] >> 1, 0] += 1.0
    for lit in co_lits:
        est[lit >> 1, 0] += 1.0
    for v in range(nv):
        est[v, 0] = max(1.0, est[v, 0] - 1.0)
        est[v, 1] = est[v, 0]
    # fanout for loads: structural in the delay pass, then the delay mapping's own, frozen so
    # the delays behind the required times do not move under area recovery
    fan = est.copy()
    inv_d0 = g_d0[inv_group, 0]
    inv_slope = g_slope[inv_group, 0]
    inv_area = g_area[inv_group]
    stack = np.zeros(4 * (nv * 8 + 16), dtype=np.int32)
    target = BIG
    n_passes = 1 + n_flow + n_exact
    for pas in range(n_passes):
        exact = pas > n_flow
        use_delay = delay_mode and pas == 0
        for v in range(1, first):
            ch[v, 0] = CH_FREE
            ch[v, 1] = CH_INV
            arr[v, 0] = 0.0
            af[v, 0] = 0.0
            arr[v, 1] = inv_d0 + inv_slope * fan[v, 1] * nominal_cin
            af[v, 1] = inv_area / est[v, 1]
        for g in range(n_and):
            v = first + g
            if exact:
                for p in range(2):
                    if refs[v, p] > 0:
                        _walk(v, p, -1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                              g_area, refs, stack, first, inv_area)
            for p in range(2):
                load = fan[v, p] * nominal_cin
                best = -1
                best_c = 0
                best_a = BIG
                best_f = BIG
                fast = -1
                fast_c = 0
                fast_a = BIG
                fast_f = BIG
                for c in range(ncut[v]):
                    n = cut_size[v, c]
                    if n < 2:
                        continue
                    mask = np.uint64(0xFFFFFFFFFFFFFFFF) if n == 6 else \
                        (np.uint64(1) << np.uint64(1 << n)) - np.uint64(1)
                    f = cut_tt[v, c] & mask
                    if p == 1:
                        f = ~f & mask
                    e = _lower_bound(e_truth, n_start[n], n_start[n + 1], f)
                    while e < n_start[n + 1] and e_truth[e] == f:
                        grp = e_group[e]
                        m = e_mask[e]
                        a = 0.0
                        fl = g_area[grp]
                        for i in range(g_n[grp]):
                            j = e_perm[e, i]
                            u = cut_leaves[v, c, j]
                            q = (m >> j) & 1
                            t = arr[u, q] + g_d0[grp, i] + g_slope[grp, i] * load
                            if t > a:
                                a = t
                            fl += af[u, q]
                        if exact:
                            ch[v, p] = e
                            ch_cut[v, p] = c
                            fl = _walk(v, p, 1, ch, ch_cut, cut_leaves, e_group, e_mask,
                                       e_perm, g_n, g_area, refs, stack, first, inv_area)
                            _walk(v, p, -1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm,
                                  g_n, g_area, refs, stack, first, inv_area)
                        if a < fast_a - 1e-15 or (abs(a - fast_a) <= 1e-15 and fl < fast_f):
                            fast, fast_c, fast_a, fast_f = e, c, a, fl
                        if a <= req[v, p] + 1e-15 and (best < 0 or _better(
                                use_delay, a, fl, best_a, best_f)):
                            best, best_c, best_a, best_f = e, c, a, fl
                        e += 1
                if best < 0:
                    best, best_c, best_a, best_f = fast, fast_c, fast_a, fast_f
                ch[v, p] = best
                ch_cut[v, p] = best_c
                arr[v, p] = best_a
                af[v, p] = best_f if exact else best_f / est[v, p]
            # a phase by an inverter on the other one, where that is better
            for p in range(2):
                o = 1 - p
                if ch[v, o] == CH_NONE or ch[v, o] == CH_INV:
                    continue
                load = fan[v, p] * nominal_cin
                a = arr[v, o] + inv_d0 + inv_slope * load
                if exact:
                    saved = ch[v, p]
                    saved_c = ch_cut[v, p]
                    ch[v, p] = CH_INV
                    fl = _walk(v, p, 1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                               g_area, refs, stack, first, inv_area)
                    _walk(v, p, -1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                          g_area, refs, stack, first, inv_area)
                    ch[v, p] = saved
                    ch_cut[v, p] = saved_c
                else:
                    fl = (inv_area + af[v, o] * est[v, o]) / est[v, p]
                take = False
                if ch[v, p] == CH_NONE:
                    take = True
                elif a <= req[v, p] + 1e-15:
                    if arr[v, p] > req[v, p] + 1e-15:
                        take = True
                    else:
                        take = _better(use_delay, a, fl, arr[v, p], af[v, p])
                if take:
                    ch[v, p] = CH_INV
                    arr[v, p] = a
                    af[v, p] = fl
                    break
            if exact:
                for p in range(2):
                    if refs[v, p] > 0:
                        _walk(v, p, 1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                              g_area, refs, stack, first, inv_area)
        # references of the mapping, its worst arrival and required times
        _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                           g_d0, g_slope, inv_d0, inv_slope, fan, nominal_cin, refs, req,
                           BIG)
        worst = 0.0
        for lit in co_lits:
            if arr[lit >> 1, lit & 1] > worst:
                worst = arr[lit >> 1, lit & 1]
        if pas == 0:
            target = worst * (1.0 + relax) if delay_mode else BIG
            for v in range(1, nv):
                for p in range(2):
                    if refs[v, p] > 0:
                        fan[v, p] = refs[v, p]
            # the arrivals under the frozen loads, and the target no earlier than they
            # allow (a node whose inputs all arrive later than its required time would
            # otherwise fall back to its fastest, costliest match)
            worst = _arrivals(nv, first, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask,
                              e_perm, g_n, g_d0, g_slope, inv_d0, inv_slope, fan,
                              nominal_cin, arr)
            if delay_mode:
                target = worst * (1.0 + relax)
        _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                           g_d0, g_slope, inv_d0, inv_slope, fan, nominal_cin, refs, req,
                           target)
        for v in range(first, nv):
            for p in range(2):
                x = (2.0 * est[v, p] + refs[v, p]) / 3.0
                est[v, p] = x if x > 1.0 else 1.0
    worst = 0.0
    for lit in co_lits:
        if arr[lit >> 1, lit & 1] > worst:
            worst = arr[lit >> 1, lit & 1]
    return ch, ch_cut, refs, worst


@njit(cache=True)
def _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                       g_d0, g_slope, inv_d0, inv_slope, est, nominal_cin, refs, req, target):
    refs[:, :] = 0
    req[:, :] = BIG
    for lit in co_lits:
        refs[lit >> 1, lit & 1] += 1
        if target < req[lit >> 1, lit & 1]:
            req[lit >> 1, lit & 1] = target
    for v in range(nv - 1, 0, -1):
        for k in range(2):
            # the phase made by an inverter first: it references the other phase
            p = k if ch[v, 0] == CH_INV else 1 - k
            if refs[v, p] == 0:
                continue
            c = ch[v, p]
            load = est[v, p] * nominal_cin
            if c == CH_INV:
                refs[v, 1 - p] += 1
                r = req[v, p] - inv_d0 - inv_slope * load
                if r < req[v, 1 - p]:
                    req[v, 1 - p] = r
            elif c >= 0:
                g = e_group[c]
                m = e_mask[c]
                for i in range(g_n[g]):
                    j = e_perm[c, i]
                    u = cut_leaves[v, ch_cut[v, p], j]
                    q = (m >> j) & 1
                    refs[u, q] += 1
                    r = req[v, p] - g_d0[g, i] - g_slope[g, i] * load
                    if r < req[u, q]:
                        req[u, q] = r


@njit(cache=True)
def _arrivals(nv, first, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
              g_d0, g_slope, inv_d0, inv_slope, fan, nominal_cin, arr):
    """Arrival of every chosen phase in topological order; the worst at the outputs."""
    for v in range(1, nv):
        for k in range(2):
            # the matched phase before the one that inverts it
            p = 1 - k if ch[v, 0] == CH_INV else k
            c = ch[v, p]
            load = fan[v, p] * nominal_cin
            if c == CH_FREE:
                arr[v, p] = 0.0
            elif c == CH_INV:
                arr[v, p] = arr[v, 1 - p] + inv_d0 + inv_slope * load
            elif c >= 0:
                g = e_group[c]
                m = e_mask[c]
                a = 0.0
                for i in range(g_n[g]):
                    j = e_perm[c, i]
                    u = cut_leaves[v, ch_cut[v, p], j]
                    t = arr[u, (m >> j) & 1] + g_d0[g, i] + g_slope[g, i] * load
                    if t > a:
                        a = t
                arr[v, p] = a
    worst = 0.0
    for lit in co_lits:
        if arr[lit >> 1, lit & 1] > worst:
            worst = arr[lit >> 1, lit & 1]
    return worst
