"""Numba kernel of `resub`: windowed resubstitution with exact truth tables (ABC's
Abc_NtkResubstitute / Abc_ManResubEval), on the work graph of window_kernels.

Per node, in named steps: open_window (cut, cone, truth tables, MFFC); _cone_divisors and
_fanout_divisors; _constant_or_divisor (0-resub); _find_match (1- and 2-resub, a Match kind
below with its divisor literals); _build_match; _commit (replace, propagate through fanouts).
"""

from typing import NamedTuple

import numpy as np

from edapipe.synth.fanout_kernels import (candidates, new_fanouts, note_replaced, propagate,
                                          register_new, tighten)
from edapipe.synth.sop_kernels import ALL, constant_table, num_words
from edapipe.synth.window_kernels import (compact, drop_orphans, init_graph, new_and,
                                          new_window, open_window, replace, resolve,
                                          skip_node)
from edapipe.util.jit import njit

MAX_DIVS = 150
"""Divisors per window (ABC's ABC_RS_DIV1_MAX)."""
MAX_DIVS2 = 500
"""Two-input divisor pairs per window (ABC's ABC_RS_DIV2_MAX)."""
NO_FAN_STOP = 100000
"""resub's cuts expand leaves whatever their fanout (ABC's Abc_NodeFindCut with no stop)."""
MAX_REFS = 1000
"""Nodes with more references are not tried (ABC's limit)."""

# Match kinds: how the node's function is made of divisor literals x0, x1, x2
NO_MATCH = 0
OR2 = 1        # x0 | x1             (1-resub)
AND2 = 2       # x0 & x1             (1-resub)
OR3 = 3        # x0 | x1 | x2        (2-resub)
AND3 = 4       # x0 & x1 & x2        (2-resub)
OR_AND = 5     # x0 | (x1 & x2)      (2-resub)
AND_OR = 6     # x0 & (x1 | x2)      (2-resub)

# Positions in the statistics array the kernel returns (resub.Stats reads them in order)
ST_TRIED, ST_RESUB0, ST_RESUB1, ST_RESUB2, ST_GAIN, ST_CONSTANTS, ST_CONST_GAIN, \
    ST_PROPAGATED = range(8)


class Divisors(NamedTuple):
    """The divisors of the current window and the candidate lists built from them. A divisor
    literal in the lists is 2 * divisor index + complement."""

    var: np.ndarray        # variable of each divisor
    row: np.ndarray        # its truth-table row in the window's tts
    mark: np.ndarray       # by variable: == trav for a divisor of the current window
    pos: np.ndarray        # literals that imply the function (OR candidates)
    neg: np.ndarray        # literals the function implies (AND candidates)
    binate: np.ndarray     # divisor indices in neither list
    and_pairs: np.ndarray  # (b1, b2) binate literals whose AND implies the function
    or_pairs: np.ndarray   # (b1, b2) binate literals whose OR the function implies
    f: np.ndarray          # the node's truth table
    pair: np.ndarray       # scratch row


@njit(cache=True)
def _new_divisors(g, max_leaves):
    cap = MAX_DIVS + max_leaves + 8
    nw = num_words(max_leaves)
    return Divisors(np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64),
                    np.zeros(g.f0.shape[0], dtype=np.int64), np.empty(cap, dtype=np.int64),
                    np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64),
                    np.empty((MAX_DIVS2, 2), dtype=np.int64),
                    np.empty((MAX_DIVS2, 2), dtype=np.int64),
                    np.empty(nw, dtype=np.uint64), np.empty(nw, dtype=np.uint64))


@njit(cache=True, inline="always")
def _mask(c):
    return ALL if c else np.uint64(0)


@njit(cache=True, inline="always")
def _eq(tts, i, ci, f, nw):
    """Row i (complemented if ci) equals the root table f."""
    c = _mask(ci)
    for w in range(nw):
        if (tts[i, w] ^ c) != f[w]:
            return False
    return True


@njit(cache=True, inline="always")
def _implies(tts, i, ci, f, cf, nw):
    """(row i ^ ci) implies (f ^ cf)."""
    a = _mask(ci)
    b = _mask(cf)
    for w in range(nw):
        if (tts[i, w] ^ a) & ~(f[w] ^ b):
            return False
    return True


@njit(cache=True, inline="always")
def _and2_eq(tts, i, ci, j, cj, f, cf, nw):
    """(row i ^ ci) & (row j ^ cj) equals f ^ cf; with every complement flipped, whether
    the OR of the rows equals f (De Morgan)."""
    a = _mask(ci)
    b = _mask(cj)
    af = _mask(cf)
    for w in range(nw):
        if ((tts[i, w] ^ a) & (tts[j, w] ^ b)) != (f[w] ^ af):
            return False
    return True


@njit(cache=True, inline="always")
def _or3_eq(tts, i, ci, j, cj, k, ck, f, cf, nw):
    """(row i ^ ci) | (row j ^ cj) | (row k ^ ck) equals f ^ cf."""
    a = _mask(ci)
    b = _mask(cj)
    c = _mask(ck)
    af = _mask(cf)
    for w in range(nw):
        if ((tts[i, w] ^ a) | (tts[j, w] ^ b) | (tts[k, w] ^ c)) != (f[w] ^ af):
            return False
    return True


@njit(cache=True)
def resub(num_ci, f0, f1, cos, fo_off, fo_idx, max_leaves, max_added, zero_gain,
          preserve_levels):
    """Resubstitute every node once. fo_off/fo_idx: fanout CSR of the input (by variable).
    Returns (nf0, nf1, n_ands, new COs, stats) with stats indexed by ST_*."""
    g = init_graph(num_ci, f0, f1, cos, f0.shape[0] + 64, preserve_levels)
    w = new_window(g, max_leaves, MAX_DIVS + 8)
    d = _new_divisors(g, max_leaves)
    fo = new_fanouts(fo_off, fo_idx, g.f0.shape[0])
    stats = np.zeros(8, dtype=np.int64)
    for n in range(num_ci + 1, g.n_orig):
        if skip_node(g, n, MAX_REFS):
            continue
        if preserve_levels:
            g.frozen[0] = n
            g.frozen[1] = g.n_orig
        nl, no, saved = open_window(g, w, n, max_leaves, NO_FAN_STOP, 0)
        # ABC's divisor budget (Abc_ManResubCollectDivs): the cone, MFFC included, must
        # leave room for K leaves in MAX_DIVS rows, else the node is skipped; fanouts of
        # divisors fill only what is left. It bounds the work on large windows.
        if no >= MAX_DIVS - max_leaves:
            continue
        stats[ST_TRIED] += 1
        rq = g.req[n]
        nd = _cone_divisors(g, w, d, nl, no, rq)
        nd = _fanout_divisors(g, w, fo, d, n, nl, no, nd, rq, MAX_DIVS - max_leaves - no)
        nw = num_words(nl)
        d.f[:nw] = w.tts[w.loc[n], :nw]
        kind, x0, x1, x2 = NO_MATCH, -1, -1, -1
        lit = _constant_or_divisor(w, d, nd, nw)
        if lit < 0 and max_added >= 1 and saved > 1:
            kind, x0, x1, x2 = _find_match(g, w, d, nd, nw, rq, max_added, saved)
            if kind != NO_MATCH:
                lit = _build_match(g, n, rq, kind, x0, x1, x2)
        if lit < 0:
            continue
        added = 0 if kind == NO_MATCH else (1 if kind <= AND2 else 2)
        gain = saved - added
        if gain < 0 or (gain == 0 and not zero_gain):
            continue
        if preserve_levels:
            _tighten_match(g, n, rq - added, lit, added, x0, x1, x2)
        stats[ST_PROPAGATED] += _commit(g, fo, n, lit)
        stats[ST_RESUB0 + added] += 1
        stats[ST_GAIN] += gain
        if lit < 2:
            stats[ST_CONSTANTS] += 1
            stats[ST_CONST_GAIN] += gain
    nf0, nf1, n_new, out = compact(g, cos)
    return nf0, nf1, n_new, out, stats


@njit(cache=True, inline="always")
def _cone_divisors(g, w, d, nl, no, rq):
    """Divisors from the window: the leaves, then interior nodes outside the MFFC, those
    within the required level rq. Returns their number."""
    lev = g.lev
    leaves = w.leaves
    var = d.var
    row = d.row
    dmark = d.mark
    trav = w.trav[0]
    nd = 0
    for i in range(nl):
        if lev[leaves[i]] <= rq:
            var[nd] = leaves[i]
            row[nd] = i
            dmark[leaves[i]] = trav
            nd += 1
    for k in range(no):
        v = w.order[k]
        if w.mmark[v] != trav and lev[v] <= rq and nd < MAX_DIVS:
            var[nd] = v
            row[nd] = nl + k
            dmark[v] = trav
            nd += 1
    return nd


@njit(cache=True, inline="always")
def _fanout_divisors(g, w, fo, d, n, nl, no, nd, rq, fan_limit):
    """Add fanouts of divisors whose two fanins are divisors (never in n's fanout cone: not
    in the window, not n's), simulated into the rows after the cone; at most fan_limit of
    them. Their levels are refreshed. Returns the number of divisors."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    lev = g.lev
    dead = g.dead
    mark = w.mark
    mmark = w.mmark
    loc = w.loc
    var = d.var
    dmark = d.mark
    found = fo.found
    trav = w.trav[0]
    tts = w.tts
    nw = num_words(nl)
    nrows = tts.shape[0]
    nrow = nl + no
    nd_cone = nd
    i = 0
    while i < nd and nd - nd_cone < fan_limit and nrow < nrows:
        dv = var[i]
        i += 1
        if g.refs[dv] > 100:
            continue
        nfo = candidates(fo, dv)
        for e in range(nfo):
            z = found[e]
            if (z == n or dead[z] or mark[z] == -trav or dmark[z] == trav
                    or mmark[z] == trav):
                continue
            za = resolve(f0[z], repl)
            zb = resolve(f1[z], repl)
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
            ca = _mask(za & 1)
            cb = _mask(zb & 1)
            for k in range(nw):
                tts[nrow, k] = (tts[ra, k] ^ ca) & (tts[rb, k] ^ cb)
            loc[z] = nrow
            var[nd] = z
            d.row[nd] = nrow
            dmark[z] = trav
            nd += 1
            nrow += 1
            if nd - nd_cone >= fan_limit or nrow >= nrows:
                break
    return nd


@njit(cache=True, inline="always")
def _constant_or_divisor(w, d, nd, nw):
    """0-resub: the literal of a constant or a divisor equal to the function d.f (maybe
    complemented), or -1."""
    f = d.f
    tts = w.tts
    row = d.row
    const = constant_table(f, nw)
    if const >= 0:
        return const
    for k in range(nd):
        if _eq(tts, row[k], False, f, nw):
            return 2 * d.var[k]
        if _eq(tts, row[k], True, f, nw):
            return 2 * d.var[k] + 1
    return -1


@njit(cache=True, inline="always")
def _find_match(g, w, d, nd, nw, rq, max_added, saved):
    """1-resub, then (max_added >= 2, MFFC over 2) OR3/AND3, then OR_AND/AND_OR, in ABC's
    order: (kind, x0, x1, x2) with graph literals, or (NO_MATCH, -1, -1, -1)."""
    nup, nun, nbi = _split_unate(w, d, nd, nw)
    kind, x0, x1 = _match_two(g, w, d, nup, nun, nw, rq)
    if kind != NO_MATCH:
        return kind, x0, x1, -1
    if max_added < 2 or saved <= 2:
        return NO_MATCH, -1, -1, -1
    kind, x0, x1, x2 = _match_three_unate(g, w, d, nup, nun, nw, rq)
    if kind != NO_MATCH:
        return kind, x0, x1, x2
    n_and, n_or = _binate_pairs(w, d, nbi, nw)
    return _match_with_pair(g, w, d, nup, nun, n_and, n_or, nw, rq)


@njit(cache=True, inline="always")
def _split_unate(w, d, nd, nw):
    """Divisor literals that imply the function into d.pos (OR candidates), those it
    implies into d.neg (AND candidates), the other divisors into d.binate: the counts."""
    nup = 0
    nun = 0
    nbi = 0
    f = d.f
    tts = w.tts
    row = d.row
    pos = d.pos
    neg = d.neg
    binate = d.binate
    for k in range(nd):
        r = row[k]
        if _implies(tts, r, False, f, False, nw):
            pos[nup] = 2 * k
            nup += 1
        elif _implies(tts, r, True, f, False, nw):
            pos[nup] = 2 * k + 1
            nup += 1
        elif _implies(tts, r, False, f, True, nw):
            neg[nun] = 2 * k + 1
            nun += 1
        elif _implies(tts, r, True, f, True, nw):
            neg[nun] = 2 * k
            nun += 1
        else:
            binate[nbi] = k
            nbi += 1
    return nup, nun, nbi


@njit(cache=True, inline="always")
def _graph_lit(d, i):
    """Graph literal of divisor literal i."""
    return 2 * d.var[i >> 1] + (i & 1)


@njit(cache=True, inline="always")
def _match_two(g, w, d, nup, nun, nw, rq):
    """1-resub: f = u1 | u2 over OR candidates, or f = v1 & v2 over AND candidates, within
    the required level: (OR2 or AND2, x0, x1), or (NO_MATCH, -1, -1)."""
    tts = w.tts
    f = d.f
    var = d.var
    row = d.row
    lev = g.lev
    for pol in range(2):
        lst = d.pos if pol == 0 else d.neg
        m = nup if pol == 0 else nun
        for p in range(m):
            for q in range(p + 1, m):
                i1 = lst[p]
                i2 = lst[q]
                l1 = lev[var[i1 >> 1]]
                l2 = lev[var[i2 >> 1]]
                if (l1 if l1 > l2 else l2) + 1 > rq:
                    continue
                # u1 | u2 == f as ~u1 & ~u2 == ~f: c = 1 complements all three for OR2
                c = 1 - pol
                if _and2_eq(tts, row[i1 >> 1], (i1 & 1) ^ c, row[i2 >> 1], (i2 & 1) ^ c, f,
                            c, nw):
                    return (OR2 if pol == 0 else AND2), _graph_lit(d, i1), _graph_lit(d, i2)
    return NO_MATCH, -1, -1


@njit(cache=True, inline="always")
def _match_three_unate(g, w, d, nup, nun, nw, rq):
    """f = u1 | u2 | u3 over OR candidates, or ~f = ~v1 | ~v2 | ~v3 over AND candidates:
    (OR3 or AND3, x0, x1, x2), or NO_MATCH."""
    tts = w.tts
    var = d.var
    row = d.row
    lev = g.lev
    for pol in range(2):
        lst = d.pos if pol == 0 else d.neg
        m = nup if pol == 0 else nun
        for p in range(m):
            for q in range(p + 1, m):
                for r in range(q + 1, m):
                    i1 = lst[p]
                    i2 = lst[q]
                    i3 = lst[r]
                    l1 = max(lev[var[i1 >> 1]], lev[var[i2 >> 1]])
                    l1 = max(l1, lev[var[i3 >> 1]])
                    if l1 + 2 > rq:
                        continue
                    if _or3_eq(tts, row[i1 >> 1], (i1 & 1) ^ pol, row[i2 >> 1],
                               (i2 & 1) ^ pol, row[i3 >> 1], (i3 & 1) ^ pol, d.f, pol == 1,
                               nw):
                        return ((OR3 if pol == 0 else AND3), _graph_lit(d, i1),
                                _graph_lit(d, i2), _graph_lit(d, i3))
    return NO_MATCH, -1, -1, -1


@njit(cache=True, inline="always")
def _binate_pairs(w, d, nbi, nw):
    """Pairs of binate divisor literals whose AND implies f (d.and_pairs) or whose OR f
    implies (d.or_pairs), at most MAX_DIVS2 each: their counts."""
    tts = w.tts
    f = d.f
    pair = d.pair
    row = d.row
    binate = d.binate
    n_and = 0
    n_or = 0
    for p in range(nbi):
        for q in range(p + 1, nbi):
            k1 = binate[p]
            k2 = binate[q]
            for c in range(4):
                c1 = c & 1
                c2 = c >> 1
                a1 = _mask(c1)
                a2 = _mask(c2)
                for i in range(nw):
                    pair[i] = (tts[row[k1], i] ^ a1) & (tts[row[k2], i] ^ a2)
                # AND pair implies f
                imp = True
                for i in range(nw):
                    if pair[i] & ~f[i]:
                        imp = False
                        break
                if imp and n_and < MAX_DIVS2:
                    d.and_pairs[n_and, 0] = 2 * k1 + c1
                    d.and_pairs[n_and, 1] = 2 * k2 + c2
                    n_and += 1
                # f implies the OR pair ~(~b1 & ~b2): f & pair' == 0 with
                # pair' = AND of the complements
                imp = True
                for i in range(nw):
                    if pair[i] & f[i]:
                        imp = False
                        break
                if imp and n_or < MAX_DIVS2:
                    d.or_pairs[n_or, 0] = 2 * k1 + (c1 ^ 1)
                    d.or_pairs[n_or, 1] = 2 * k2 + (c2 ^ 1)
                    n_or += 1
    return n_and, n_or


@njit(cache=True, inline="always")
def _match_with_pair(g, w, d, nup, nun, n_and, n_or, nw, rq):
    """2-resub: f = u | (b1 & b2) or f = v & (b1 | b2): (OR_AND or AND_OR, x0, x1, x2), or
    NO_MATCH."""
    tts = w.tts
    f = d.f
    var = d.var
    row = d.row
    lev = g.lev
    for pol in range(2):
        lst = d.pos if pol == 0 else d.neg
        m = nup if pol == 0 else nun
        pl = d.and_pairs if pol == 0 else d.or_pairs
        mp = n_and if pol == 0 else n_or
        for p in range(m):
            i1 = lst[p]
            r1 = row[i1 >> 1]
            a1 = _mask(i1 & 1)
            for q in range(mp):
                j1 = pl[q, 0]
                j2 = pl[q, 1]
                l1 = max(lev[var[j1 >> 1]], lev[var[j2 >> 1]]) + 1
                l1 = max(l1, lev[var[i1 >> 1]]) + 1
                if l1 > rq:
                    continue
                s1 = row[j1 >> 1]
                s2 = row[j2 >> 1]
                b1 = _mask(j1 & 1)
                b2 = _mask(j2 & 1)
                ok = True
                for i in range(nw):
                    if pol == 0:
                        val = (tts[r1, i] ^ a1) | ((tts[s1, i] ^ b1) & (tts[s2, i] ^ b2))
                    else:
                        val = (tts[r1, i] ^ a1) & ((tts[s1, i] ^ b1) | (tts[s2, i] ^ b2))
                    if val != f[i]:
                        ok = False
                        break
                if ok:
                    return ((OR_AND if pol == 0 else AND_OR), _graph_lit(d, i1),
                            _graph_lit(d, j1), _graph_lit(d, j2))
    return NO_MATCH, -1, -1, -1


@njit(cache=True, inline="always")
def _build_match(g, n, rq, kind, x0, x1, x2):
    """The match built in g by hashing: its literal, or -1 (the graph is full, a step lands
    on n, or the root misses the required level rq; nodes made for it are then freed)."""
    start = g.count[0]
    lit = _make(g, n, kind, x0, x1, x2)
    if lit >= 0 and (lit >> 1 == n or g.lev[lit >> 1] > rq):
        lit = -1
    if lit < 0:
        drop_orphans(g, start)
    return lit


@njit(cache=True, inline="always")
def _make(g, n, kind, x0, x1, x2):
    """The match's AND nodes in g: its literal, or -1. Each OR kind is its AND kind with
    every literal complemented, inputs and output (De Morgan), so one builder makes both:
    c = 1 for OR2, OR3 and OR_AND."""
    c = 1 if kind == OR2 or kind == OR3 or kind == OR_AND else 0
    if kind <= AND2:
        return _and_out(g, x0 ^ c, x1 ^ c, c)
    # two nodes: the inner one first; it must not be n itself
    if kind <= AND3:
        t = new_and(g, x0 ^ c, x1 ^ c)
    else:
        t = new_and(g, x1 ^ c ^ 1, x2 ^ c ^ 1)
    if t < 0 or t >> 1 == n:
        return -1
    if kind <= AND3:
        return _and_out(g, t, x2 ^ c, c)
    return _and_out(g, x0 ^ c, t ^ 1, c)


@njit(cache=True, inline="always")
def _and_out(g, a, b, c):
    """The AND of literals a and b made in g, complemented when c: its literal, or -1
    when the graph is full."""
    t = new_and(g, a, b)
    return t ^ c if t >= 0 else -1


@njit(cache=True, inline="always")
def _tighten_match(g, n, r, lit, added, x0, x1, x2):
    """Divisors not visited yet (fanouts of the window) get a new fanout path through n's
    replacement: lower their required levels, and those of their unvisited fanins, to r."""
    tighten(g, lit >> 1, r, n)
    if added:
        tighten(g, x0 >> 1, r, n)
        tighten(g, x1 >> 1, r, n)
    if added == 2:
        tighten(g, x2 >> 1, r, n)


@njit(cache=True, inline="always")
def _commit(g, fo, n, lit):
    """Replace n by lit, then keep fanouts current (nodes made for this replacement, n's
    fanouts now at lit) and fold and merge the fanouts the replacement made trivial, as ABC
    does. Returns the number of nodes the propagation removed."""
    start = g.count[0]
    replace(g, n, lit)
    drop_orphans(g, start)
    register_new(fo, g)
    note_replaced(fo, n, lit >> 1)
    return propagate(g, fo, n)
