"""Numba kernel of `refactor`: cut functions resynthesized as factored forms (ABC's
Abc_NtkRefactor), on the work graph of window_kernels.

Per node, in named steps: open_window (cut, cone, truth table, MFFC); truth_to_forms (both
polarities factored, sop_kernels); _count_form prices a form against the graph (ABC's
Dec_GraphToNetworkCount); _build_form builds the cheaper one by hashing; replace.
"""

from typing import NamedTuple

import numpy as np

from edapipe.synth.sop_kernels import num_words, truth_to_forms
from edapipe.synth.window_kernels import (UNBOUNDED, compact, drop_orphans, fold, init_graph,
                                          lookup, new_and, new_window, open_window, replace,
                                          skip_node)
from edapipe.util.jit import njit

FAN_STOP = 2
"""A leaf with more fanouts is expanded only if that adds at most one leaf (ABC's value)."""
MAX_REFS = 1000
"""Nodes with more references are not tried (ABC's limit)."""


class Form(NamedTuple):
    """A factored form as truth_to_forms writes it: nodes j = nvars + 1 .. n[0] - 1 with
    fanin literals (f0[j], f1[j]) over local variables 1..nvars (the cut's leaves), 0 the
    constant."""

    f0: np.ndarray
    f1: np.ndarray
    n: np.ndarray


class Pricing(NamedTuple):
    """Per form node j: `used` (in the root's cone), `lit` (the graph literal it hashes to, -1
    if it needs a new node) and `lev` (its level)."""

    used: np.ndarray
    lit: np.ndarray
    lev: np.ndarray


@njit(cache=True)
def _new_form(cap):
    return Form(np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64),
                np.zeros(1, dtype=np.int64))


@njit(cache=True)
def refactor(num_ci, f0, f1, cos, max_leaves, zero_gain, preserve_levels, max_cubes,
             min_added):
    """Refactor every node once. Returns (nf0, nf1, n_ands, new COs, stats) with stats =
    [nodes tried, nodes replaced, estimated gain, interior nodes seen, leaves seen]."""
    g = init_graph(num_ci, f0, f1, cos, f0.shape[0] + 64, False)
    w = new_window(g, max_leaves, 4)
    fcap = max_leaves + 8 + 4 * (max_leaves + 1) * max_cubes
    fa = _new_form(fcap)
    fb = _new_form(fcap)
    pr = Pricing(np.zeros(fcap, dtype=np.bool_), np.empty(fcap, dtype=np.int64),
                 np.empty(fcap, dtype=np.int64))
    stats = np.zeros(5, dtype=np.int64)
    for n in range(num_ci + 1, g.n_orig):
        if skip_node(g, n, MAX_REFS):
            continue
        # with levels kept no node's level may grow: every stored level then bounds the real
        # one from above, so nodes found by hashing anywhere can be priced safely
        rq = g.lev[n] if preserve_levels else UNBOUNDED
        nl, no, saved = open_window(g, w, n, max_leaves, FAN_STOP, 2)
        if nl < 2:
            continue
        stats[3] += no
        stats[4] += nl
        limit = saved if zero_gain else saved - 1
        if limit < min_added:
            continue
        tt = w.tts[nl + no - 1, :num_words(nl)].copy()
        root, root_b = truth_to_forms(tt, nl, max_cubes, fa.f0, fa.f1, fa.n, fb.f0, fb.f1,
                                      fb.n)
        if root < 0:
            continue
        stats[0] += 1
        if root_b >= 0 and _other_is_better(g, w, nl, fa, root, fb, root_b, pr, limit, rq):
            fa, fb = fb, fa
            root = root_b
        added, root_lev = _count_form(g, w, nl, fa, root, pr, limit)
        if added > limit or root_lev > rq:
            continue
        start = g.count[0]
        lit = _build_form(g, n, nl, fa, root, pr)
        if lit >= 0 and lit >> 1 != n and g.lev[lit >> 1] <= rq:
            replace(g, n, lit)
            stats[1] += 1
            stats[2] += saved - added
        drop_orphans(g, start)
    nf0, nf1, n_new, out = compact(g, cos)
    return nf0, nf1, n_new, out, stats


@njit(cache=True, inline="always")
def _other_is_better(g, w, nl, fa, root, fb, root_b, pr, limit, rq):
    """Price the other polarity's form too: it wins if it adds fewer nodes within the
    required level, or if only it meets the required level within the limit."""
    added_b, lev_b = _count_form(g, w, nl, fb, root_b, pr, limit)
    added_a, lev_a = _count_form(g, w, nl, fa, root, pr, limit)
    return (added_b < added_a and lev_b <= rq) or (lev_a > rq and lev_b <= rq
                                                   and added_b <= limit)


@njit(cache=True, inline="always")
def _count_form(g, w, nl, form, root, pr, limit):
    """New nodes the form needs (nodes found by hashing outside the MFFC are free) and the
    level of its root; stops counting past `limit` (returns limit + 1). Leaves pr.used and
    pr.lit set for _build_form."""
    used = pr.used
    fl = pr.lit
    flev = pr.lev
    g0 = form.f0
    g1 = form.f1
    gn = form.n[0]
    lev = g.lev
    leaves = w.leaves
    mmark = w.mmark
    trav = w.trav[0]
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
            v = lookup(g, la, lb)
            if v >= 0 and mmark[v] != trav:
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


@njit(cache=True, inline="always")
def _build_form(g, n, nl, form, root, pr):
    """Build the priced form's used nodes in g (hashing reuses what exists): the root's
    literal, or -1 if the graph is full or an inner node lands on n."""
    fl = pr.lit
    used = pr.used
    g0 = form.f0
    g1 = form.f1
    for j in range(nl + 1, form.n[0]):
        if not used[j]:
            continue
        x = g0[j]
        y = g1[j]
        r = new_and(g, fl[x >> 1] ^ (x & 1), fl[y >> 1] ^ (y & 1))
        if r < 0 or (r >> 1 == n and j != root >> 1):
            return -1
        fl[j] = r
    return fl[root >> 1] ^ (root & 1)
