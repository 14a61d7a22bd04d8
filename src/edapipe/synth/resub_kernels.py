"""Numba kernel of `resub`: windowed resubstitution with exact truth tables (ABC's
Abc_NtkResubstitute / Abc_ManResubEval). Working graph and windows: window_kernels."""

import numpy as np

from edapipe.synth.fanout_kernels import (MAX_FANOUTS, Graph, candidates, new_fanouts,
                                          note_replaced, propagate, register_new, tighten)
from edapipe.synth.sop_kernels import ALL, num_words
from edapipe.synth.window_kernels import (compact, cone_order, drop_orphans, find_cut,
                                          init_graph, mffc, new_and, replace,
                                          required_levels, resolve, simulate_cone)
from edapipe.util.jit import njit

MAX_CONE = 1000
MAX_DIVS = 150
"""Divisors per window (ABC's ABC_RS_DIV1_MAX)."""
MAX_DIVS2 = 500
"""Two-input divisor pairs per window (ABC's ABC_RS_DIV2_MAX)."""


@njit(cache=True)
def _eq(tts, i, ci, f, nw):
    """Row i (complemented if ci) equals the root table f."""
    c = ALL if ci else np.uint64(0)
    for w in range(nw):
        if (tts[i, w] ^ c) != f[w]:
            return False
    return True


@njit(cache=True)
def _implies(tts, i, ci, f, cf, nw):
    """(row i ^ ci) implies (f ^ cf)."""
    a = ALL if ci else np.uint64(0)
    b = ALL if cf else np.uint64(0)
    for w in range(nw):
        if (tts[i, w] ^ a) & ~(f[w] ^ b):
            return False
    return True


@njit(cache=True)
def _or2_eq(tts, i, ci, j, cj, f, nw):
    a = ALL if ci else np.uint64(0)
    b = ALL if cj else np.uint64(0)
    for w in range(nw):
        if ((tts[i, w] ^ a) | (tts[j, w] ^ b)) != f[w]:
            return False
    return True


@njit(cache=True)
def _or3_eq(tts, i, ci, j, cj, k, ck, f, nw):
    a = ALL if ci else np.uint64(0)
    b = ALL if cj else np.uint64(0)
    c = ALL if ck else np.uint64(0)
    for w in range(nw):
        if ((tts[i, w] ^ a) | (tts[j, w] ^ b) | (tts[k, w] ^ c)) != f[w]:
            return False
    return True


@njit(cache=True)
def resub(num_ci, f0, f1, cos, fo_off, fo_idx, max_leaves, max_added, zero_gain,
          preserve_levels):
    """Resubstitute every node once. fo_off/fo_idx: fanout CSR of the input (by variable).
    Returns (nf0, nf1, n_ands, new COs, stats) with stats = [nodes tried, 0-resubs,
    1-resubs, 2-resubs, estimated gain]."""
    n_and = f0.shape[0]
    base = num_ci + 1
    n_orig = base + n_and
    wf0, wf1, repl, refs, dead, lev, head, nxt, count = init_graph(num_ci, f0, f1, cos,
                                                                   n_and + 64)
    if preserve_levels:
        req = required_levels(num_ci, f0, f1, cos)
    else:
        req = np.full(n_orig, 1 << 30, dtype=np.int32)
    cap = wf0.shape[0]
    mark = np.zeros(cap, dtype=np.int64)
    mmark = np.zeros(cap, dtype=np.int64)
    dmark = np.zeros(cap, dtype=np.int64)
    loc = np.zeros(cap, dtype=np.int32)
    delstack = np.empty(cap + 1, dtype=np.int64)
    leaves = np.empty(max_leaves + 4, dtype=np.int64)
    order = np.empty(MAX_CONE + 4, dtype=np.int64)
    stack = np.empty(MAX_CONE + 4, dtype=np.int64)
    state = np.empty(MAX_CONE + 4, dtype=np.int8)
    members = np.empty(MAX_CONE + 4, dtype=np.int64)
    nw_max = num_words(max_leaves)
    nrows = max_leaves + MAX_CONE + MAX_DIVS + 8
    tts = np.empty((nrows, nw_max), dtype=np.uint64)
    divs = np.empty(MAX_DIVS + max_leaves + 8, dtype=np.int64)    # variables
    dloc = np.empty(MAX_DIVS + max_leaves + 8, dtype=np.int64)    # rows in tts
    nd_cap = divs.shape[0]
    up = np.empty(nd_cap, dtype=np.int64)    # divisor index * 2 + complement
    un = np.empty(nd_cap, dtype=np.int64)
    bi = np.empty(nd_cap, dtype=np.int64)
    p2up = np.empty((MAX_DIVS2, 2), dtype=np.int64)   # (div*2+c, div*2+c) pairs: AND pair
    p2un = np.empty((MAX_DIVS2, 2), dtype=np.int64)   # OR pair
    f = np.empty(nw_max, dtype=np.uint64)
    pair = np.empty(nw_max, dtype=np.uint64)
    stats = np.zeros(8, dtype=np.int64)
    g = Graph(wf0, wf1, repl, refs, dead, lev, head, nxt, count)
    fo = new_fanouts(fo_off, fo_idx, cap)
    work = np.empty(cap + 1, dtype=np.int64)
    fstack = np.empty(MAX_FANOUTS + 1, dtype=np.int64)
    fouts = np.empty(MAX_FANOUTS + 1, dtype=np.int64)
    trav = 0
    for n in range(base, n_orig):
        if dead[n]:
            continue
        a = resolve(wf0[n], repl) >> 1
        b = resolve(wf1[n], repl) >> 1
        lev[n] = (lev[a] if lev[a] > lev[b] else lev[b]) + 1
        if refs[n] > 1000:
            continue
        lo = n if preserve_levels else 0
        hi = n_orig if preserve_levels else 0
        trav += 1
        nl = find_cut(n, max_leaves, 100000, MAX_CONE, num_ci, wf0, wf1, repl, refs, lev,
                      mark, trav, leaves)
        no = cone_order(n, nl, leaves, wf0, wf1, repl, mark, trav, loc, order, stack, state)
        nw = num_words(nl)
        simulate_cone(nl, no, order, leaves, wf0, wf1, repl, loc, tts, nw)
        saved = mffc(n, nl, leaves, num_ci, wf0, wf1, repl, refs, mmark, trav, members)
        # ABC's divisor budget (Abc_ManResubCollectDivs): the cone, MFFC included, must
        # leave room for K leaves in MAX_DIVS rows, else the node is skipped; fanouts of
        # divisors fill only what is left. It bounds the work on large windows.
        if no >= MAX_DIVS - max_leaves:
            continue
        fan_limit = MAX_DIVS - max_leaves - no
        stats[0] += 1
        rq = req[n]
        # divisors: leaves, interior nodes outside the MFFC, then fanouts of divisors
        nd = 0
        for i in range(nl):
            if lev[leaves[i]] <= rq:
                divs[nd] = leaves[i]
                dloc[nd] = i
                dmark[leaves[i]] = trav
                nd += 1
        for k in range(no):
            v = order[k]
            if mmark[v] != trav and lev[v] <= rq and nd < MAX_DIVS:
                divs[nd] = v
                dloc[nd] = nl + k
                dmark[v] = trav
                nd += 1
        nrow = nl + no
        nd_cone = nd
        i = 0
        while i < nd and nd - nd_cone < fan_limit and nrow < nrows:
            d = divs[i]
            i += 1
            if refs[d] > 100:
                continue
            nfo = candidates(d, fo, fstack, fouts)
            for e in range(nfo):
                z = fouts[e]
                if (z == n or dead[z] or mark[z] == -trav or dmark[z] == trav
                        or mmark[z] == trav):
                    continue
                za = resolve(wf0[z], repl)
                zb = resolve(wf1[z], repl)
                if dmark[za >> 1] != trav or dmark[zb >> 1] != trav:
                    continue
                la = lev[za >> 1]
                lb = lev[zb >> 1]
                lz = (la if la > lb else lb) + 1
                if lz > rq:
                    continue
                lev[z] = lz
                ra = loc[za >> 1]
                rb = loc[zb >> 1]
                ca = ALL if za & 1 else np.uint64(0)
                cb = ALL if zb & 1 else np.uint64(0)
                for w in range(nw):
                    tts[nrow, w] = (tts[ra, w] ^ ca) & (tts[rb, w] ^ cb)
                loc[z] = nrow
                divs[nd] = z
                dloc[nd] = nrow
                dmark[z] = trav
                nd += 1
                nrow += 1
                if nd - nd_cone >= fan_limit or nrow >= nrows:
                    break
        f[:nw] = tts[loc[n], :nw]
        lit = -1
        added = 0
        x0 = -1
        x1 = -1
        x2 = -1
        # constant
        zero = True
        one = True
        for w in range(nw):
            if f[w] != 0:
                zero = False
            if f[w] != ALL:
                one = False
        if zero:
            lit = 0
        elif one:
            lit = 1
        # 0-resub: an existing divisor, maybe complemented
        if lit < 0:
            for k in range(nd):
                if _eq(tts, dloc[k], False, f, nw):
                    lit = 2 * divs[k]
                    break
                if _eq(tts, dloc[k], True, f, nw):
                    lit = 2 * divs[k] + 1
                    break
        kind = 0
        if lit < 0 and max_added >= 1 and saved > 1:
            # unate divisors: d -> f (OR candidates), f -> d (AND candidates)
            nup = 0
            nun = 0
            nbi = 0
            for k in range(nd):
                r = dloc[k]
                if _implies(tts, r, False, f, False, nw):
                    up[nup] = 2 * k
                    nup += 1
                elif _implies(tts, r, True, f, False, nw):
                    up[nup] = 2 * k + 1
                    nup += 1
                elif _implies(tts, r, False, f, True, nw):
                    un[nun] = 2 * k + 1
                    nun += 1
                elif _implies(tts, r, True, f, True, nw):
                    un[nun] = 2 * k
                    nun += 1
                else:
                    bi[nbi] = k
                    nbi += 1
            # 1-resub: f = u1 | u2, or ~f = ~v1 | ~v2 (f = v1 & v2)
            x0 = -1
            x1 = -1
            for pol in range(2):
                lst = up if pol == 0 else un
                m = nup if pol == 0 else nun
                for p in range(m):
                    for q in range(p + 1, m):
                        i1 = lst[p]
                        i2 = lst[q]
                        l1 = lev[divs[i1 >> 1]]
                        l2 = lev[divs[i2 >> 1]]
                        if (l1 if l1 > l2 else l2) + 1 > rq:
                            continue
                        if pol == 0:
                            ok = _or2_eq(tts, dloc[i1 >> 1], i1 & 1, dloc[i2 >> 1], i2 & 1,
                                         f, nw)
                        else:
                            # ~f == ~v1 | ~v2
                            ok = True
                            c1 = ALL if i1 & 1 else np.uint64(0)
                            c2 = ALL if i2 & 1 else np.uint64(0)
                            for w in range(nw):
                                if ((tts[dloc[i1 >> 1], w] ^ c1) & (tts[dloc[i2 >> 1], w] ^ c2)
                                        ) != f[w]:
                                    ok = False
                                    break
                        if ok:
                            x0 = 2 * divs[i1 >> 1] + (i1 & 1)
                            x1 = 2 * divs[i2 >> 1] + (i2 & 1)
                            kind = 1 if pol == 0 else 2
                            break
                    if kind:
                        break
                if kind:
                    break
            if kind:
                added = 1
            elif max_added >= 2 and saved > 2:
                # 12-resub: three unate divisors
                x2 = -1
                for pol in range(2):
                    lst = up if pol == 0 else un
                    m = nup if pol == 0 else nun
                    cf = pol == 1
                    for p in range(m):
                        for q in range(p + 1, m):
                            for r in range(q + 1, m):
                                i1 = lst[p]
                                i2 = lst[q]
                                i3 = lst[r]
                                l1 = max(lev[divs[i1 >> 1]], lev[divs[i2 >> 1]])
                                l1 = max(l1, lev[divs[i3 >> 1]])
                                if l1 + 2 > rq:
                                    continue
                                # pol 1: ~f = ~v1 | ~v2 | ~v3
                                c1 = (i1 & 1) ^ pol
                                c2 = (i2 & 1) ^ pol
                                c3 = (i3 & 1) ^ pol
                                okk = True
                                a1 = ALL if c1 else np.uint64(0)
                                a2 = ALL if c2 else np.uint64(0)
                                a3 = ALL if c3 else np.uint64(0)
                                af = ALL if cf else np.uint64(0)
                                for w in range(nw):
                                    if ((tts[dloc[i1 >> 1], w] ^ a1) | (tts[dloc[i2 >> 1], w] ^ a2)
                                            | (tts[dloc[i3 >> 1], w] ^ a3)) != (f[w] ^ af):
                                        okk = False
                                        break
                                if okk:
                                    x0 = 2 * divs[i1 >> 1] + (i1 & 1)
                                    x1 = 2 * divs[i2 >> 1] + (i2 & 1)
                                    x2 = 2 * divs[i3 >> 1] + (i3 & 1)
                                    kind = 3 if pol == 0 else 4
                                    break
                            if kind:
                                break
                        if kind:
                            break
                    if kind:
                        break
                if kind == 0:
                    # 2-resub: f = u | (b1 & b2), or f = v & (b1 | b2)
                    n2up = 0
                    n2un = 0
                    for p in range(nbi):
                        for q in range(p + 1, nbi):
                            k1 = bi[p]
                            k2 = bi[q]
                            for c in range(4):
                                c1 = c & 1
                                c2 = c >> 1
                                a1 = ALL if c1 else np.uint64(0)
                                a2 = ALL if c2 else np.uint64(0)
                                for w in range(nw):
                                    pair[w] = (tts[dloc[k1], w] ^ a1) & (tts[dloc[k2], w] ^ a2)
                                # AND pair implies f
                                imp = True
                                for w in range(nw):
                                    if pair[w] & ~f[w]:
                                        imp = False
                                        break
                                if imp and n2up < MAX_DIVS2:
                                    p2up[n2up, 0] = 2 * k1 + c1
                                    p2up[n2up, 1] = 2 * k2 + c2
                                    n2up += 1
                                # f implies the OR pair ~(~b1 & ~b2): f & pair' == 0 with
                                # pair' = AND of the complements
                                imp = True
                                for w in range(nw):
                                    if pair[w] & f[w]:
                                        imp = False
                                        break
                                if imp and n2un < MAX_DIVS2:
                                    p2un[n2un, 0] = 2 * k1 + (c1 ^ 1)
                                    p2un[n2un, 1] = 2 * k2 + (c2 ^ 1)
                                    n2un += 1
                    for pol in range(2):
                        lst = up if pol == 0 else un
                        m = nup if pol == 0 else nun
                        pl = p2up if pol == 0 else p2un
                        mp = n2up if pol == 0 else n2un
                        for p in range(m):
                            i1 = lst[p]
                            r1 = dloc[i1 >> 1]
                            a1 = ALL if i1 & 1 else np.uint64(0)
                            for q in range(mp):
                                j1 = pl[q, 0]
                                j2 = pl[q, 1]
                                l1 = max(lev[divs[j1 >> 1]], lev[divs[j2 >> 1]]) + 1
                                l1 = max(l1, lev[divs[i1 >> 1]]) + 1
                                if l1 > rq:
                                    continue
                                b1 = ALL if j1 & 1 else np.uint64(0)
                                b2 = ALL if j2 & 1 else np.uint64(0)
                                okk = True
                                for w in range(nw):
                                    if pol == 0:
                                        val = (tts[r1, w] ^ a1) | ((tts[dloc[j1 >> 1], w] ^ b1)
                                                                   & (tts[dloc[j2 >> 1], w] ^ b2))
                                    else:
                                        val = (tts[r1, w] ^ a1) & ((tts[dloc[j1 >> 1], w] ^ b1)
                                                                   | (tts[dloc[j2 >> 1], w] ^ b2))
                                    if val != f[w]:
                                        okk = False
                                        break
                                if okk:
                                    x0 = 2 * divs[i1 >> 1] + (i1 & 1)
                                    x1 = 2 * divs[j1 >> 1] + (j1 & 1)
                                    x2 = 2 * divs[j2 >> 1] + (j2 & 1)
                                    kind = 5 if pol == 0 else 6
                                    break
                            if kind:
                                break
                        if kind:
                            break
                if kind:
                    added = 2
            if kind:
                start = count[0]
                if kind == 1:      # x0 | x1
                    t = new_and(x0 ^ 1, x1 ^ 1, wf0, wf1, repl, refs, dead, lev, head, nxt,
                                count, lo, hi)
                    lit = t ^ 1 if t >= 0 else -1
                elif kind == 2:    # x0 & x1
                    lit = new_and(x0, x1, wf0, wf1, repl, refs, dead, lev, head, nxt, count, lo, hi)
                elif kind == 3:    # x0 | x1 | x2
                    t = new_and(x0 ^ 1, x1 ^ 1, wf0, wf1, repl, refs, dead, lev, head, nxt,
                                count, lo, hi)
                    lit = -1
                    if t >= 0 and t >> 1 != n:
                        t2 = new_and(t, x2 ^ 1, wf0, wf1, repl, refs, dead, lev, head, nxt,
                                     count, lo, hi)
                        lit = t2 ^ 1 if t2 >= 0 else -1
                elif kind == 4:    # x0 & x1 & x2
                    t = new_and(x0, x1, wf0, wf1, repl, refs, dead, lev, head, nxt, count, lo, hi)
                    lit = -1
                    if t >= 0 and t >> 1 != n:
                        lit = new_and(t, x2, wf0, wf1, repl, refs, dead, lev, head, nxt,
                                      count, lo, hi)
                elif kind == 5:    # x0 | (x1 & x2)
                    t = new_and(x1, x2, wf0, wf1, repl, refs, dead, lev, head, nxt, count, lo, hi)
                    lit = -1
                    if t >= 0 and t >> 1 != n:
                        t2 = new_and(x0 ^ 1, t ^ 1, wf0, wf1, repl, refs, dead, lev, head,
                                     nxt, count, lo, hi)
                        lit = t2 ^ 1 if t2 >= 0 else -1
                else:              # x0 & (x1 | x2)
                    t = new_and(x1 ^ 1, x2 ^ 1, wf0, wf1, repl, refs, dead, lev, head, nxt,
                                count, lo, hi)
                    lit = -1
                    if t >= 0 and t >> 1 != n:
                        lit = new_and(x0, t ^ 1, wf0, wf1, repl, refs, dead, lev, head, nxt,
                                      count, lo, hi)
                if lit >= 0 and (lit >> 1 == n or lev[lit >> 1] > rq):
                    lit = -1
                if lit < 0:
                    drop_orphans(start, num_ci, wf0, wf1, repl, refs, dead, count, delstack)
        if lit < 0:
            continue
        gain = saved - added
        if gain < 0 or (gain == 0 and not zero_gain):
            continue
        if preserve_levels:
            # divisors not visited yet (fanouts of the window) get a new fanout path here:
            # tighten their required levels, and those of their unvisited fanins
            tighten(lit >> 1, rq - added, n, n_orig, req, wf0, wf1, repl, delstack)
            if added:
                tighten(x0 >> 1, rq - added, n, n_orig, req, wf0, wf1, repl, delstack)
                tighten(x1 >> 1, rq - added, n, n_orig, req, wf0, wf1, repl, delstack)
            if added == 2:
                tighten(x2 >> 1, rq - added, n, n_orig, req, wf0, wf1, repl, delstack)
        start = count[0]
        replace(n, lit, num_ci, wf0, wf1, repl, refs, dead, delstack)
        drop_orphans(start, num_ci, wf0, wf1, repl, refs, dead, count, delstack)
        # keep fanouts current (nodes made for this replacement, n's fanouts now at lit),
        # then fold and merge the fanouts the replacement made trivial, as ABC does
        register_new(fo, g)
        note_replaced(fo, n, lit >> 1)
        stats[7] += propagate(n, g, fo, num_ci, req, lo, hi, work, fstack, fouts, delstack)
        stats[1 + added] += 1
        stats[4] += gain
        if lit < 2:
            stats[5] += 1
            stats[6] += gain
    nf0, nf1, n_new, out = compact(num_ci, cos, wf0, wf1, repl, dead, count)
    return nf0, nf1, n_new, out, stats
