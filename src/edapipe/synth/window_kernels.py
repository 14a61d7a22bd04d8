"""Numba kernels of the work graph: one mutable AIG that a pass changes in place, and windows
on it (ABC's in-place Abc_Ntk/Dar update, mockturtle's views, in flat arrays). `refactor` and
`resub` run on it; the fanout half (fold and merge through fanouts after a replacement) is
fanout_kernels.

WorkGraph API (every operation takes the graph first; literals are 2 * variable + complement)

    g = init_graph(num_ci, f0, f1, cos, extra, required)   the input AIG + room for `extra`
                                    nodes; g.req from the input's reverse levels if `required`
    resolve(lit, g.repl)            the literal a (possibly replaced) literal stands for now
    refresh_level(g, n)             n's level from its resolved fanins (visit in topo order)
    fold(a, b)                      AND(a, b) when trivial (constant or a fanin), else -1
    lookup(g, a, b)                 live node AND(a, b) (resolved, a >= b), or -1
    new_and(g, a, b)                literal of AND(a, b): folded, found or made (-1: full)
    replace(g, n, lit)              n stands for lit from now on; its MFFC is freed
    delete(g, v)                    v dead, its fanins released recursively
    drop_orphans(g, start)          free the nodes made since count `start` left unused
    compact(g, cos)                 the live graph as a new AIG (nf0, nf1, n_ands, cos)
  windows (Window: marks, cut leaves, cone order, truth tables, MFFC members)
    w = new_window(g, max_leaves, extra_rows)
    nl, no, saved = open_window(g, w, n, max_leaves, fan_stop, min_leaves)
        = find_cut + cone_order + simulate_cone + mffc, w.trav[0] bumped per window
  fanouts (fanout_kernels.Fanouts): new_fanouts, candidates, register_new, note_replaced,
    propagate(g, fo, x0) (ABC's Abc_AigReplace), tighten(g, z, r, n) (required levels)

WorkGraph fields:

    f0, f1      fanin literals as created (rewritten only by fanout_kernels' propagation,
                which re-hashes a node under its resolved fanins)
    repl        -1, or the literal a replaced node now stands for; fanins are read through
                `resolve`, so a replacement redirects every fanout at once
    refs        references from live nodes and combinational outputs (by resolved fanins)
    dead        1 once a node lost all references or was replaced
    lev         current level; an original node's level is refreshed when it is visited
    req         required level of each original node (1 << 30 where unbounded); passes that
                keep the depth tighten it when an unvisited node gains a fanout
    head, nxt   structural hash: chains of nodes keyed by their created fanins (the project's
                one AND hash, aig.strash_kernels.hash_slot); only live nodes whose fanins are
                not replaced can match a lookup of resolved literals
    stack       scratch of delete and tighten (cap + 1)
    count       [variables in use]
    frozen      [lo, hi]: lookups skip original nodes lo < v < hi, i.e. with levels kept a
                pass does not reuse nodes it has not visited yet (their levels may be stale
                and their required levels would change); [0, 0] skips none
    num_ci, n_orig   constant inputs + 1 = first AND variable - 1; first variable made by the pass

A pass visits the original nodes in topological order. Everything it reads of node n's
transitive fanin is current then (those nodes were visited before n), so the level of the
transitive fanin is exact and the required level from the input's reverse levels stays valid.
`compact` ends a pass: a depth-first sweep from the outputs, re-hashed into a new AIG.

A port of rewrite onto this graph would replace its virtual nodes by `new_and` (nodes made
for a candidate and not taken are freed by `drop_orphans`), its required levels by g.req and
its `_make_and` hash by `lookup`; docs/decisions.md has what the virtual nodes buy today.
"""

from typing import NamedTuple

import numpy as np

from edapipe.aig.strash_kernels import hash_slot, strash_and, table_size
from edapipe.synth.sop_kernels import ALL, num_words, projection
from edapipe.util.jit import njit

MAX_CONE = 1000
"""Interior nodes a window's cone may span (the cut expansion stops there)."""

UNBOUNDED = 1 << 30
"""Required level of a node whose depth is free."""


class WorkGraph(NamedTuple):
    """The mutable AIG of a pass (module docstring: fields and operations)."""

    f0: np.ndarray
    f1: np.ndarray
    repl: np.ndarray
    refs: np.ndarray
    dead: np.ndarray
    lev: np.ndarray
    req: np.ndarray
    head: np.ndarray
    nxt: np.ndarray
    stack: np.ndarray
    count: np.ndarray
    frozen: np.ndarray
    num_ci: int
    n_orig: int


class Window(NamedTuple):
    """A cut of one node, its cone and their truth tables (open_window)."""

    mark: np.ndarray      # trav: in the cut; -trav: interior after cone_order
    mmark: np.ndarray     # trav: in the node's MFFC
    loc: np.ndarray       # row in tts of a leaf / interior node
    leaves: np.ndarray
    order: np.ndarray     # interior in topological order, the node last
    stack: np.ndarray
    state: np.ndarray
    members: np.ndarray   # the MFFC
    tts: np.ndarray       # truth tables over the leaves, one row per local index
    trav: np.ndarray      # [traversal id of the current window]


@njit(cache=True, inline="always")
def resolve(lit, repl):
    while repl[lit >> 1] >= 0:
        lit = repl[lit >> 1] ^ (lit & 1)
    return lit


@njit(cache=True)
def init_graph(num_ci, f0, f1, cos, extra, required):
    """The work graph of an AIG plus room for `extra` new nodes. Nodes not reachable from the
    outputs start dead. g.req: required_levels when `required`, else unbounded."""
    n_and = f0.shape[0]
    base = num_ci + 1
    cap = base + n_and + extra
    wf0 = np.zeros(cap, dtype=np.int32)
    wf1 = np.zeros(cap, dtype=np.int32)
    wf0[base:base + n_and] = f0
    wf1[base:base + n_and] = f1
    refs = np.zeros(cap, dtype=np.int32)
    dead = np.zeros(cap, dtype=np.uint8)
    _count_references(base, n_and, cos, wf0, wf1, refs, dead)
    lev = np.zeros(cap, dtype=np.int32)
    for v in range(base, base + n_and):
        la = lev[wf0[v] >> 1]
        lb = lev[wf1[v] >> 1]
        lev[v] = (la if la > lb else lb) + 1
    head = np.full(table_size(cap), -1, dtype=np.int32)
    nxt = np.full(cap, -1, dtype=np.int32)
    mask = head.shape[0] - 1
    for v in range(base, base + n_and):
        if not dead[v]:
            h = hash_slot(wf0[v], wf1[v], mask)
            nxt[v] = head[h]
            head[h] = v
    if required:
        req = required_levels(num_ci, f0, f1, cos)
    else:
        req = np.full(base + n_and, UNBOUNDED, dtype=np.int32)
    count = np.zeros(1, dtype=np.int64)
    count[0] = base + n_and
    return WorkGraph(wf0, wf1, np.full(cap, -1, dtype=np.int32), refs, dead, lev, req, head,
                     nxt, np.empty(cap + 1, dtype=np.int64), count,
                     np.zeros(2, dtype=np.int64), num_ci, base + n_and)


@njit(cache=True)
def _count_references(base, n_and, cos, wf0, wf1, refs, dead):
    """References of the nodes reachable from the outputs; the others are marked dead."""
    live = np.zeros(refs.shape[0], dtype=np.bool_)
    for k in range(cos.shape[0]):
        live[cos[k] >> 1] = True
        refs[cos[k] >> 1] += 1
    for v in range(base + n_and - 1, base - 1, -1):
        if live[v]:
            a = wf0[v] >> 1
            b = wf1[v] >> 1
            live[a] = True
            live[b] = True
            refs[a] += 1
            refs[b] += 1
        else:
            dead[v] = 1


@njit(cache=True)
def required_levels(num_ci, f0, f1, cos):
    """Required level per variable so that the depth does not grow (depth - reverse level)."""
    base = num_ci + 1
    n_and = f0.shape[0]
    n = base + n_and
    lev = np.zeros(n, dtype=np.int32)
    for v in range(base, n):
        la = lev[f0[v - base] >> 1]
        lb = lev[f1[v - base] >> 1]
        lev[v] = (la if la > lb else lb) + 1
    depth = 0
    for k in range(cos.shape[0]):
        if lev[cos[k] >> 1] > depth:
            depth = lev[cos[k] >> 1]
    req = np.full(n, depth, dtype=np.int32)
    for v in range(n - 1, base - 1, -1):
        r = req[v] - 1
        a = f0[v - base] >> 1
        b = f1[v - base] >> 1
        if r < req[a]:
            req[a] = r
        if r < req[b]:
            req[b] = r
    return req


@njit(cache=True, inline="always")
def refresh_level(g, n):
    """Level of n from its resolved fanins (exact when n's fanin cone was visited)."""
    a = resolve(g.f0[n], g.repl) >> 1
    b = resolve(g.f1[n], g.repl) >> 1
    g.lev[n] = (g.lev[a] if g.lev[a] > g.lev[b] else g.lev[b]) + 1


@njit(cache=True, inline="always")
def skip_node(g, n, max_refs):
    """Whether a per-node pass (resub, refactor) leaves n alone: replaced earlier in the
    pass, or referenced more than max_refs times (ABC's limit). A live node's level is
    refreshed first, as both passes need it."""
    if g.dead[n]:
        return True
    refresh_level(g, n)
    return g.refs[n] > max_refs


@njit(cache=True, inline="always")
def lookup(g, a, b):
    """Variable of the live node AND(a, b) (resolved literals, a >= b), or -1; skips the
    frozen original nodes (WorkGraph.frozen)."""
    f0 = g.f0
    f1 = g.f1
    dead = g.dead
    nxt = g.nxt
    lo = g.frozen[0]
    hi = g.frozen[1]
    v = g.head[hash_slot(a, b, g.head.shape[0] - 1)]
    while v >= 0:
        if f0[v] == a and f1[v] == b and not dead[v] and not (lo < v < hi):
            return v
        v = nxt[v]
    return -1


@njit(cache=True)
def fold(a, b):
    """Literal of AND(a, b) when it is trivial (constant or a fanin), else -1."""
    if a == 0 or b == 0 or a == (b ^ 1):
        return 0
    if a == 1 or a == b:
        return b
    if b == 1:
        return a
    return -1


@njit(cache=True)
def new_and(g, a, b):
    """Literal of AND(a, b) over resolved literals: folded, found, or a new node (-1 if full)."""
    t = fold(a, b)
    if t >= 0:
        return t
    if a < b:
        a, b = b, a
    v = lookup(g, a, b)
    if v >= 0:
        return 2 * v
    v = g.count[0]
    if v >= g.f0.shape[0]:
        return -1
    g.count[0] = v + 1
    g.f0[v] = a
    g.f1[v] = b
    g.refs[v] = 0
    g.dead[v] = 0
    g.refs[a >> 1] += 1
    g.refs[b >> 1] += 1
    la = g.lev[a >> 1]
    lb = g.lev[b >> 1]
    g.lev[v] = (la if la > lb else lb) + 1
    h = hash_slot(a, b, g.head.shape[0] - 1)
    g.nxt[v] = g.head[h]
    g.head[h] = v
    return 2 * v


@njit(cache=True)
def delete(g, v):
    """Mark v dead and release its fanins, recursively freeing nodes left unreferenced."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    refs = g.refs
    dead = g.dead
    num_ci = g.num_ci
    stack = g.stack
    dead[v] = 1
    stack[0] = v
    sp = 1
    while sp > 0:
        sp -= 1
        x = stack[sp]
        for side in range(2):
            lit = f0[x] if side == 0 else f1[x]
            y = resolve(lit, repl) >> 1
            refs[y] -= 1
            if y > num_ci and refs[y] == 0 and not dead[y]:
                dead[y] = 1
                stack[sp] = y
                sp += 1


@njit(cache=True)
def replace(g, n, lit):
    """Let node n stand for lit from now on (lit must not depend on n) and free n's MFFC."""
    g.refs[lit >> 1] += g.refs[n]
    g.refs[n] = 0
    g.repl[n] = lit
    delete(g, n)


@njit(cache=True)
def drop_orphans(g, start):
    """Free the nodes made since `start` that ended up unused."""
    refs = g.refs
    dead = g.dead
    for v in range(g.count[0] - 1, start - 1, -1):
        if refs[v] == 0 and not dead[v]:
            delete(g, v)


@njit(cache=True)
def new_window(g, max_leaves, extra_rows):
    """Window scratch for cuts of up to max_leaves leaves over g, with truth-table rows for
    the leaves, the cone and `extra_rows` more (resub's fanout divisors)."""
    cap = g.f0.shape[0]
    return Window(np.zeros(cap, dtype=np.int64), np.zeros(cap, dtype=np.int64),
                  np.zeros(cap, dtype=np.int32), np.empty(max_leaves + 4, dtype=np.int64),
                  np.empty(MAX_CONE + 4, dtype=np.int64), np.empty(MAX_CONE + 4, dtype=np.int64),
                  np.empty(MAX_CONE + 4, dtype=np.int8), np.empty(MAX_CONE + 4, dtype=np.int64),
                  np.empty((max_leaves + MAX_CONE + extra_rows, num_words(max_leaves)),
                           dtype=np.uint64),
                  np.zeros(1, dtype=np.int64))


@njit(cache=True, inline="always")
def open_window(g, w, n, max_leaves, fan_stop, min_leaves):
    """The window of n under a new traversal id: cut leaves, cone in order, truth tables
    (rows 0..nl+no-1, n's last) and the MFFC. Returns (leaves nl, interior no, MFFC size);
    a cut of fewer than min_leaves leaves stops after the cut: (nl, 0, 0)."""
    w.trav[0] += 1
    nl = find_cut(g, w, n, max_leaves, fan_stop)
    if nl < min_leaves:
        return nl, 0, 0
    no = cone_order(g, w, n, nl)
    simulate_cone(g, w, nl, no, num_words(nl))
    return nl, no, mffc(g, w, n, nl)


@njit(cache=True, inline="always")
def find_cut(g, w, n, max_leaves, fan_stop):
    """Reconvergence-driven cut of node n (ABC's Abc_NodeFindCut).

    Marks the cut's nodes (leaves and interior) with w.trav[0] in w.mark; fills w.leaves,
    returns their number. A leaf is expanded when that adds the fewest new leaves (ties: the
    higher level); leaves with more than fan_stop fanouts are expanded only when it adds none
    or one. The cone stops growing at MAX_CONE nodes.
    """
    # the hot loops read local arrays, not the NamedTuples' fields (measured faster)
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    refs = g.refs
    lev = g.lev
    num_ci = g.num_ci
    mark = w.mark
    leaves = w.leaves
    trav = w.trav[0]
    mark[n] = trav
    nl = _push_fanins(f0, f1, repl, mark, leaves, n, 0, trav)
    cone = 1
    while cone < MAX_CONE:
        best = -1
        best_cost = 100
        for i in range(nl):
            v = leaves[i]
            if v <= num_ci:
                cost = 999
            else:
                a = resolve(f0[v], repl) >> 1
                b = resolve(f1[v], repl) >> 1
                cost = 0
                if mark[a] != trav:
                    cost += 1
                if mark[b] != trav and b != a:
                    cost += 1
                if cost >= 2 and refs[v] > fan_stop:
                    cost = 999
            if cost < best_cost or (cost == best_cost and best >= 0
                                    and lev[v] > lev[leaves[best]]):
                best_cost = cost
                best = i
            if best_cost == 0:
                break
        if best < 0 or best_cost >= 999 or nl - 1 + best_cost > max_leaves:
            break
        v = leaves[best]
        for i in range(best, nl - 1):      # keep the order, as ABC's Vec_PtrRemove does
            leaves[i] = leaves[i + 1]
        nl -= 1
        cone += 1
        nl = _push_fanins(f0, f1, repl, mark, leaves, v, nl, trav)
    return nl


@njit(cache=True, inline="always")
def _push_fanins(f0, f1, repl, mark, leaves, v, nl, trav):
    """Append v's unmarked fanins to the leaves, the lower variable first: ABC's AIG keeps
    the fanin of smaller id first, and the cut's ties go to the earlier leaf, so this order
    gives ABC's windows (on a divider it changed which constant nodes resub could see)."""
    a = resolve(f0[v], repl) >> 1
    b = resolve(f1[v], repl) >> 1
    if a > b:
        a, b = b, a
    if mark[a] != trav:
        mark[a] = trav
        leaves[nl] = a
        nl += 1
    if mark[b] != trav:
        mark[b] = trav
        leaves[nl] = b
        nl += 1
    return nl


@njit(cache=True, inline="always")
def cone_order(g, w, n, nl):
    """Interior nodes of the cut of n in topological order (n last) into w.order; sets w.loc
    to local indices: leaves 0..nl-1, then the interior. Uses mark == trav from find_cut and
    leaves mark == -trav on the leaves and the interior. Returns the interior's size."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    mark = w.mark
    loc = w.loc
    leaves = w.leaves
    order = w.order
    stack = w.stack
    state = w.state
    trav = w.trav[0]
    for i in range(nl):
        loc[leaves[i]] = i
        mark[leaves[i]] = -trav
    no = 0
    sp = 0
    stack[0] = n
    state[0] = 0
    mark[n] = -trav
    while sp >= 0:
        v = stack[sp]
        s = state[sp]
        if s < 2:
            state[sp] = s + 1
            u = resolve(f0[v] if s == 0 else f1[v], repl) >> 1
            if mark[u] == trav:
                mark[u] = -trav
                sp += 1
                stack[sp] = u
                state[sp] = 0
        else:
            loc[v] = nl + no
            order[no] = v
            no += 1
            sp -= 1
    return no


@njit(cache=True, inline="always")
def simulate_cone(g, w, nl, no, nw):
    """Truth tables over the nl leaves (nw words): w.tts[i] for local index i (leaves, then
    the interior in order). A leaf that is the constant (a fanin replaced by a constant
    earlier in the pass) gets the constant table, not a variable's: so constants propagate
    through the windows of its fanouts, as ABC's in-place replacement propagates them."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    leaves = w.leaves
    order = w.order
    loc = w.loc
    tts = w.tts
    for i in range(nl):
        if leaves[i] == 0:
            tts[i, :nw] = np.uint64(0)
        else:
            tts[i, :nw] = projection(i, nl)
    for k in range(no):
        v = order[k]
        a = resolve(f0[v], repl)
        b = resolve(f1[v], repl)
        ia = loc[a >> 1]
        ib = loc[b >> 1]
        ca = ALL if a & 1 else np.uint64(0)
        cb = ALL if b & 1 else np.uint64(0)
        t = nl + k
        for i in range(nw):
            tts[t, i] = (tts[ia, i] ^ ca) & (tts[ib, i] ^ cb)


@njit(cache=True, inline="always")
def mffc(g, w, n, nl):
    """Size of n's maximum fanout-free cone inside the cut; its nodes get w.mmark = trav and
    are listed in w.members. Reference counts are left as they were."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    refs = g.refs
    num_ci = g.num_ci
    leaves = w.leaves
    members = w.members
    mmark = w.mmark
    trav = w.trav[0]
    for i in range(nl):
        refs[leaves[i]] += 1
    members[0] = n
    mmark[n] = trav
    size = 1
    i = 0
    while i < size:
        x = members[i]
        i += 1
        for side in range(2):
            y = resolve(f0[x] if side == 0 else f1[x], repl) >> 1
            refs[y] -= 1
            if y > num_ci and refs[y] == 0:
                mmark[y] = trav
                members[size] = y
                size += 1
    for i in range(size):
        x = members[i]
        for side in range(2):
            y = resolve(f0[x] if side == 0 else f1[x], repl) >> 1
            refs[y] += 1
    for i in range(nl):
        refs[leaves[i]] -= 1
    return size


@njit(cache=True)
def compact(g, cos):
    """The live graph as a new AIG: (nf0, nf1, n_ands, new CO literals)."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    base = g.num_ci + 1
    order, no = _live_order(g, cos)
    lit_map = np.full(g.count[0], -1, dtype=np.int64)
    for v in range(base):
        lit_map[v] = 2 * v
    nf0 = np.empty(no, dtype=np.int32)
    nf1 = np.empty(no, dtype=np.int32)
    cnt = np.zeros(1, dtype=np.int64)
    table = np.full(table_size(no), -1, dtype=np.int32)
    for k in range(no):
        v = order[k]
        a = resolve(f0[v], repl)
        b = resolve(f1[v], repl)
        la = lit_map[a >> 1] ^ (a & 1)
        lb = lit_map[b >> 1] ^ (b & 1)
        lit_map[v] = strash_and(la, lb, table, nf0, nf1, cnt, base)
    out = np.empty(cos.shape[0], dtype=np.int32)
    for k in range(cos.shape[0]):
        c = resolve(cos[k], repl)
        out[k] = lit_map[c >> 1] ^ (c & 1)
    return nf0, nf1, cnt[0], out


@njit(cache=True)
def _live_order(g, cos):
    """The AND nodes reachable from the outputs through resolved fanins, depth-first in
    topological order: (order, their number)."""
    f0 = g.f0
    f1 = g.f1
    repl = g.repl
    base = g.num_ci + 1
    n = g.count[0]
    order = np.empty(n, dtype=np.int64)
    stack = np.empty(n + 1, dtype=np.int64)
    state = np.zeros(n + 1, dtype=np.int8)
    seen = np.zeros(n, dtype=np.bool_)
    no = 0
    for k in range(cos.shape[0]):
        r = resolve(cos[k], repl) >> 1
        if r < base or seen[r]:
            continue
        seen[r] = True
        sp = 0
        stack[0] = r
        state[0] = 0
        while sp >= 0:
            v = stack[sp]
            s = state[sp]
            if s < 2:
                state[sp] = s + 1
                u = resolve(f0[v] if s == 0 else f1[v], repl) >> 1
                if u >= base and not seen[u]:
                    seen[u] = True
                    sp += 1
                    stack[sp] = u
                    state[sp] = 0
            else:
                order[no] = v
                no += 1
                sp -= 1
    return order, no
