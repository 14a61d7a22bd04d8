"""Numba kernel of `refactor`: cut functions resynthesized as factored forms (ABC's
Abc_NtkRefactor). Working graph and windows: window_kernels."""

import numpy as np

from edapipe.synth.sop_kernels import num_words, truth_to_forms
from edapipe.synth.window_kernels import (compact, cone_order, drop_orphans, find_cut, fold,
                                          init_graph, lookup, mffc, new_and, replace,
                                          resolve, simulate_cone)
from edapipe.util.jit import njit

MAX_CONE = 1000
"""Interior nodes a cut may span (the expansion stops there)."""

FAN_STOP = 2
"""A leaf with more fanouts is expanded only if that adds at most one leaf (ABC's value)."""


@njit(cache=True)
def _count_form(nl, leaves, g0, g1, gn, root, used, fl, flev, lev, wf0, wf1, dead, head, nxt,
                mmark, mtrav, limit, lo, hi):
    """New nodes the form needs (nodes found by hashing outside the MFFC are free) and the
    level of its root; stops counting past `limit` (returns limit + 1)."""
    used[:gn] = False
    used[root >> 1] = True
    for j in range(gn - 1, nl, -1):
        if used[j]:
            used[g0[j] >> 1] = True
            used[g1[j] >> 1] = True
    fl[0] = 0
    flev[0] = 0
    for i in range(nl):
        fl[i + 1] = 2 * leaves[i]
        flev[i + 1] = lev[leaves[i]]
    added = 0
    for j in range(nl + 1, gn):
        if not used[j]:
            continue
        a = g0[j]
        b = g1[j]
        la = fl[a >> 1]
        lb = fl[b >> 1]
        if la >= 0 and lb >= 0:
            la ^= a & 1
            lb ^= b & 1
            t = fold(la, lb)
            if t >= 0:
                fl[j] = t
                flev[j] = lev[t >> 1]
                continue
            if la < lb:
                la, lb = lb, la
            v = lookup(la, lb, wf0, wf1, dead, head, nxt, lo, hi)
            if v >= 0 and mmark[v] != mtrav:
                fl[j] = 2 * v
                flev[j] = lev[v]
                continue
        fl[j] = -1
        x = flev[a >> 1]
        y = flev[b >> 1]
        flev[j] = (x if x > y else y) + 1
        added += 1
        if added > limit:
            return limit + 1, 0
    return added, flev[root >> 1]


@njit(cache=True)
def refactor(num_ci, f0, f1, cos, max_leaves, zero_gain, preserve_levels, max_cubes,
             min_added):
    """Refactor every node once. Returns (nf0, nf1, n_ands, new COs, stats) with stats =
    [nodes tried, nodes replaced, estimated gain]."""
    n_and = f0.shape[0]
    base = num_ci + 1
    wf0, wf1, repl, refs, dead, lev, head, nxt, count = init_graph(num_ci, f0, f1, cos,
                                                                   n_and + 64)
    cap = wf0.shape[0]
    mark = np.zeros(cap, dtype=np.int64)
    mmark = np.zeros(cap, dtype=np.int64)
    loc = np.zeros(cap, dtype=np.int32)
    delstack = np.empty(cap + 1, dtype=np.int64)
    leaves = np.empty(max_leaves + 4, dtype=np.int64)
    order = np.empty(MAX_CONE + 4, dtype=np.int64)
    stack = np.empty(MAX_CONE + 4, dtype=np.int64)
    state = np.empty(MAX_CONE + 4, dtype=np.int8)
    members = np.empty(MAX_CONE + 4, dtype=np.int64)
    nw_max = num_words(max_leaves)
    tts = np.empty((max_leaves + MAX_CONE + 4, nw_max), dtype=np.uint64)
    fcap = max_leaves + 8 + 4 * (max_leaves + 1) * max_cubes
    g0 = np.empty(fcap, dtype=np.int64)
    g1 = np.empty(fcap, dtype=np.int64)
    gn = np.zeros(1, dtype=np.int64)
    h0 = np.empty(fcap, dtype=np.int64)
    h1 = np.empty(fcap, dtype=np.int64)
    hn = np.zeros(1, dtype=np.int64)
    fl = np.empty(fcap, dtype=np.int64)
    flev = np.empty(fcap, dtype=np.int64)
    used = np.zeros(fcap, dtype=np.bool_)
    stats = np.zeros(5, dtype=np.int64)
    trav = 0
    for n in range(base, base + n_and):
        if dead[n]:
            continue
        a = resolve(wf0[n], repl) >> 1
        b = resolve(wf1[n], repl) >> 1
        lev[n] = (lev[a] if lev[a] > lev[b] else lev[b]) + 1
        if refs[n] > 1000:
            continue
        lo = 0
        hi = 0
        # with levels kept no node's level may grow: every stored level then bounds the real
        # one from above, so nodes found by hashing anywhere can be priced safely
        rq = lev[n] if preserve_levels else 1 << 30
        trav += 1
        nl = find_cut(n, max_leaves, FAN_STOP, MAX_CONE, num_ci, wf0, wf1, repl, refs, lev,
                      mark, trav, leaves)
        if nl < 2:
            continue
        no = cone_order(n, nl, leaves, wf0, wf1, repl, mark, trav, loc, order, stack, state)
        nw = num_words(nl)
        stats[3] += no
        stats[4] += nl
        simulate_cone(nl, no, order, leaves, wf0, wf1, repl, loc, tts, nw)
        saved = mffc(n, nl, leaves, num_ci, wf0, wf1, repl, refs, mmark, trav, members)
        limit = saved if zero_gain else saved - 1
        if limit < min_added:
            continue
        tt = tts[nl + no - 1, :nw].copy()
        root, root_b = truth_to_forms(tt, nl, max_cubes, g0, g1, gn, h0, h1, hn)
        if root < 0:
            continue
        stats[0] += 1
        if root_b >= 0:
            # price the other polarity's form too; keep it if it adds fewer nodes
            added_b, lev_b = _count_form(nl, leaves, h0, h1, hn[0], root_b, used, fl, flev,
                                         lev, wf0, wf1, dead, head, nxt, mmark, trav, limit,
                                         lo, hi)
            added_a, lev_a = _count_form(nl, leaves, g0, g1, gn[0], root, used, fl, flev,
                                         lev, wf0, wf1, dead, head, nxt, mmark, trav, limit,
                                         lo, hi)
            if (added_b < added_a and lev_b <= rq) or (lev_a > rq and lev_b <= rq
                                                           and added_b <= limit):
                g0, h0 = h0, g0
                g1, h1 = h1, g1
                gn, hn = hn, gn
                root = root_b
        added, root_lev = _count_form(nl, leaves, g0, g1, gn[0], root, used, fl, flev, lev,
                                      wf0, wf1, dead, head, nxt, mmark, trav, limit, lo, hi)
        if added > limit or root_lev > rq:
            continue
        # build the form (hashing reuses what exists)
        start = count[0]
        ok = True
        for j in range(nl + 1, gn[0]):
            if not used[j]:
                continue
            x = g0[j]
            y = g1[j]
            lx = fl[x >> 1] ^ (x & 1)
            ly = fl[y >> 1] ^ (y & 1)
            r = new_and(lx, ly, wf0, wf1, repl, refs, dead, lev, head, nxt, count, lo, hi)
            if r < 0 or (r >> 1 == n and j != root >> 1):
                ok = False
                break
            fl[j] = r
        if ok:
            lit = fl[root >> 1] ^ (root & 1)
            if lit >> 1 != n and lev[lit >> 1] <= rq:
                replace(n, lit, num_ci, wf0, wf1, repl, refs, dead, delstack)
                stats[1] += 1
                stats[2] += saved - added
        drop_orphans(start, num_ci, wf0, wf1, repl, refs, dead, count, delstack)
    nf0, nf1, n_new, out = compact(num_ci, cos, wf0, wf1, repl, dead, count)
    return nf0, nf1, n_new, out, stats
