"""Numba kernels: fanouts of the work graph (window_kernels.WorkGraph) and the in-place
propagation of a replacement through them, as ABC's Abc_AigReplace does.

The work graph has no fanout lists of its own. A node's fanouts are found from three
sources, some entries stale (callers check the resolved fanins):
    off, idx        the input's fanout CSR (by variable), for the original nodes
    dhead/dnext/dnode   fanouts of nodes made by the pass, registered by created fanin
    rhead/rnext     the nodes replaced by a variable: their fanouts now read it

Why propagation matters: when resub replaces a node by a constant or a divisor, the fanouts
can become trivial (AND(0, x), AND(x, x), AND(x, !x)) or copies of nodes that exist. ABC
folds and merges them at once, so the windows of later nodes see the simplified graph and
constants keep flowing; without it a constant fanin stays a window leaf and the cascade
stops (on a 32-bit divider `rs -K 12 -l` removed 243 ANDs without it, 302 with it as ABC).
"""

from typing import NamedTuple

import numpy as np

from edapipe.aig.strash_kernels import hash_slot
from edapipe.synth.window_kernels import fold, lookup, replace, resolve
from edapipe.util.jit import njit

MAX_FANOUTS = 256
"""Fanouts looked at per node."""


class Fanouts(NamedTuple):
    off: np.ndarray
    idx: np.ndarray
    dhead: np.ndarray
    dnext: np.ndarray
    dnode: np.ndarray
    ne: np.ndarray       # [edges used, first variable not registered yet]
    rhead: np.ndarray
    rnext: np.ndarray
    found: np.ndarray    # candidates' result (MAX_FANOUTS + 1)
    fstack: np.ndarray   # candidates' scratch (MAX_FANOUTS + 1)
    work: np.ndarray     # propagate's worklist (cap + 1)


@njit(cache=True)
def new_fanouts(fo_off, fo_idx, cap):
    """Fanout bookkeeping for a work graph of capacity cap over an input whose fanout
    CSR is fo_off/fo_idx (int64, by variable)."""
    n_orig = fo_off.shape[0] - 1
    n_edges = 2 * (cap - n_orig) + 2
    ne = np.zeros(2, dtype=np.int64)
    ne[1] = n_orig
    return Fanouts(fo_off, fo_idx, np.full(cap, -1, dtype=np.int64),
                   np.empty(n_edges, dtype=np.int64), np.empty(n_edges, dtype=np.int64), ne,
                   np.full(cap, -1, dtype=np.int64), np.full(cap, -1, dtype=np.int64),
                   np.empty(MAX_FANOUTS + 1, dtype=np.int64),
                   np.empty(MAX_FANOUTS + 1, dtype=np.int64),
                   np.empty(cap + 1, dtype=np.int64))


@njit(cache=True, inline="always")
def candidates(fo, d):
    """Candidate fanouts of d into fo.found (some stale), at most MAX_FANOUTS; their number."""
    fstack = fo.fstack
    fouts = fo.found
    off = fo.off
    idx = fo.idx
    dnode = fo.dnode
    dnext = fo.dnext
    rnext = fo.rnext
    n_orig = off.shape[0] - 1
    nf = 0
    sp = 1
    fstack[0] = d
    while sp > 0 and nf < MAX_FANOUTS:
        sp -= 1
        x = fstack[sp]
        if x < n_orig:
            for e in range(off[x], off[x + 1]):
                if nf < MAX_FANOUTS:
                    fouts[nf] = idx[e]
                    nf += 1
        e = fo.dhead[x]
        while e >= 0 and nf < MAX_FANOUTS:
            fouts[nf] = dnode[e]
            nf += 1
            e = dnext[e]
        r = fo.rhead[x]
        while r >= 0 and sp < MAX_FANOUTS:
            fstack[sp] = r
            sp += 1
            r = rnext[r]
    return nf


@njit(cache=True)
def register_new(fo, g):
    """Register the fanins of the live nodes made since the last call."""
    for v in range(fo.ne[1], g.count[0]):
        if g.dead[v]:
            continue
        for side in range(2):
            u = (g.f0[v] if side == 0 else g.f1[v]) >> 1
            k = fo.ne[0]
            if k < fo.dnode.shape[0]:
                fo.dnode[k] = v
                fo.dnext[k] = fo.dhead[u]
                fo.dhead[u] = k
                fo.ne[0] = k + 1
    fo.ne[1] = g.count[0]


@njit(cache=True, inline="always")
def note_replaced(fo, z, var):
    """z now stands for a literal of var: z's fanouts are var's."""
    fo.rnext[z] = fo.rhead[var]
    fo.rhead[var] = z


@njit(cache=True)
def tighten(g, z, r, n):
    """Lower the required level of an unvisited original node z (n < z < g.n_orig) to r and
    push the bound down through its unvisited fanins."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    n_orig = g.n_orig
    req = g.req
    stack = g.stack
    if not (n < z < n_orig) or req[z] <= r:
        return
    req[z] = r
    sp = 1
    stack[0] = z
    while sp > 0:
        sp -= 1
        x = stack[sp]
        for side in range(2):
            y = resolve(f0[x] if side == 0 else f1[x], repl) >> 1
            if n < y < n_orig and req[y] > req[x] - 1:
                req[y] = req[x] - 1
                stack[sp] = y
                sp += 1


@njit(cache=True)
def _rehash(z, a, b, g):
    """Move z in the structural hash from its old fanins to (a, b), its resolved ones."""
    mask = g.head.shape[0] - 1
    h = hash_slot(g.f0[z], g.f1[z], mask)
    if g.head[h] == z:
        g.head[h] = g.nxt[z]
    else:
        v = g.head[h]
        while v >= 0 and g.nxt[v] != z:
            v = g.nxt[v]
        if v >= 0:
            g.nxt[v] = g.nxt[z]
    g.f0[z] = a
    g.f1[z] = b
    h = hash_slot(a, b, mask)
    g.nxt[z] = g.head[h]
    g.head[h] = z


@njit(cache=True)
def propagate(g, fo, x0):
    """After x0, the node being visited, was replaced: fold each fanout that became trivial,
    merge each that became a copy of a live node (lookup skips g.frozen, as the pass's own
    lookups), re-hash the others under their resolved fanins; then the same for the fanouts
    of what was folded or merged. Required levels of nodes not visited yet (above x0) that
    gain fanouts are tightened. Returns the number of nodes removed."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    dead = g.dead
    n_orig = g.n_orig
    work = fo.work
    fouts = fo.found
    removed = 0
    work[0] = x0
    sp = 1
    while sp > 0:
        sp -= 1
        nf = candidates(fo, work[sp])
        for e in range(nf):
            z = fouts[e]
            if dead[z]:
                continue
            a = resolve(f0[z], repl)
            b = resolve(f1[z], repl)
            if a < b:
                a, b = b, a
            if a == f0[z] and b == f1[z]:
                continue
            t = fold(a, b)
            if t < 0:
                w = lookup(g, a, b)
                if w >= 0 and w != z:
                    t = 2 * w
            if t < 0:
                _rehash(z, a, b, g)
                continue
            r = g.req[z] if z < n_orig else g.lev[z]
            tighten(g, t >> 1, r, x0)
            replace(g, z, t)
            note_replaced(fo, z, t >> 1)
            removed += 1
            if sp < work.shape[0]:
                work[sp] = z
                sp += 1
    return removed
