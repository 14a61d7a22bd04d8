"""Numba kernels shared by `refactor` and `resub`: a mutable working AIG and windows on it.

The working graph holds the input AIG's nodes, then new nodes appended as passes create them
(ABC's in-place Abc_Ntk update, in flat arrays):

    f0, f1      fanin literals as created (rewritten only by resub's propagation,
                fanout_kernels, which re-hashes a node under its resolved fanins)
    repl        -1, or the literal a replaced node now stands for; fanins are read through
                `resolve`, so a replacement redirects every fanout at once
    refs        references from live nodes and combinational outputs (by resolved fanins)
    dead        1 once a node lost all references or was replaced
    lev         current level; an original node's level is refreshed when it is visited
    head, nxt   structural hash: chains of nodes keyed by their created fanins; only live
                nodes whose fanins are not replaced can match a lookup of resolved literals

A pass visits the original nodes in topological order. Everything it reads of node n's
transitive fanin is current then (those nodes were visited before n), so the level of the
transitive fanin is exact and the required level from the input's reverse levels stays valid.
`compact` ends a pass: a depth-first sweep from the outputs, re-hashed into a new AIG.
"""

import numpy as np

from edapipe.aig.strash_kernels import strash_and, table_size
from edapipe.synth.sop_kernels import ALL, projection
from edapipe.util.jit import njit


@njit(cache=True, inline="always")
def resolve(lit, repl):
    while repl[lit >> 1] >= 0:
        lit = repl[lit >> 1] ^ (lit & 1)
    return lit


@njit(cache=True, inline="always")
def _bucket(a, b, mask):
    h = (np.uint64(a) * np.uint64(0x9E3779B97F4A7C15)) ^ (np.uint64(b) * np.uint64(0xC2B2AE3D27D4EB4F))
    h ^= h >> np.uint64(29)
    return np.int64(h & np.uint64(mask))


@njit(cache=True)
def init_graph(num_ci, f0, f1, cos, extra):
    """Working arrays for an AIG plus room for `extra` new nodes.

    Returns (wf0, wf1, repl, refs, dead, lev, head, nxt, count) with count[0] the number of
    variables in use. Nodes not reachable from the outputs start dead.
    """
    n_and = f0.shape[0]
    base = num_ci + 1
    cap = base + n_and + extra
    wf0 = np.zeros(cap, dtype=np.int32)
    wf1 = np.zeros(cap, dtype=np.int32)
    wf0[base:base + n_and] = f0
    wf1[base:base + n_and] = f1
    repl = np.full(cap, -1, dtype=np.int32)
    refs = np.zeros(cap, dtype=np.int32)
    dead = np.zeros(cap, dtype=np.uint8)
    lev = np.zeros(cap, dtype=np.int32)
    live = np.zeros(cap, dtype=np.bool_)
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
    for v in range(base, base + n_and):
        la = lev[wf0[v] >> 1]
        lb = lev[wf1[v] >> 1]
        lev[v] = (la if la > lb else lb) + 1
    head = np.full(table_size(cap), -1, dtype=np.int32)
    nxt = np.full(cap, -1, dtype=np.int32)
    mask = head.shape[0] - 1
    for v in range(base, base + n_and):
        if not dead[v]:
            h = _bucket(wf0[v], wf1[v], mask)
            nxt[v] = head[h]
            head[h] = v
    count = np.zeros(1, dtype=np.int64)
    count[0] = base + n_and
    return wf0, wf1, repl, refs, dead, lev, head, nxt, count


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


@njit(cache=True)
def lookup(a, b, wf0, wf1, dead, head, nxt, lo, hi):
    """Variable of the live node AND(a, b) (resolved literals, a >= b), or -1. Nodes lo < v <
    hi are skipped: with levels kept, a pass must not reuse original nodes it has not
    visited yet (their levels may be stale and their required levels would change)."""
    mask = head.shape[0] - 1
    v = head[_bucket(a, b, mask)]
    while v >= 0:
        if wf0[v] == a and wf1[v] == b and not dead[v] and not (lo < v < hi):
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
def new_and(a, b, wf0, wf1, repl, refs, dead, lev, head, nxt, count, lo, hi):
    """Literal of AND(a, b) over resolved literals: folded, found, or a new node (-1 if full)."""
    t = fold(a, b)
    if t >= 0:
        return t
    if a < b:
        a, b = b, a
    v = lookup(a, b, wf0, wf1, dead, head, nxt, lo, hi)
    if v >= 0:
        return 2 * v
    v = count[0]
    if v >= wf0.shape[0]:
        return -1
    count[0] = v + 1
    wf0[v] = a
    wf1[v] = b
    refs[v] = 0
    dead[v] = 0
    refs[a >> 1] += 1
    refs[b >> 1] += 1
    la = lev[a >> 1]
    lb = lev[b >> 1]
    lev[v] = (la if la > lb else lb) + 1
    h = _bucket(a, b, head.shape[0] - 1)
    nxt[v] = head[h]
    head[h] = v
    return 2 * v


@njit(cache=True)
def delete(v, num_ci, wf0, wf1, repl, refs, dead, stack):
    """Mark v dead and release its fanins, recursively freeing nodes left unreferenced."""
    dead[v] = 1
    sp = 0
    stack[0] = v
    sp = 1
    while sp > 0:
        sp -= 1
        x = stack[sp]
        for side in range(2):
            lit = wf0[x] if side == 0 else wf1[x]
            y = resolve(lit, repl) >> 1
            refs[y] -= 1
            if y > num_ci and refs[y] == 0 and not dead[y]:
                dead[y] = 1
                stack[sp] = y
                sp += 1


@njit(cache=True)
def replace(n, lit, num_ci, wf0, wf1, repl, refs, dead, stack):
    """Let node n stand for lit from now on (lit must not depend on n) and free n's MFFC."""
    refs[lit >> 1] += refs[n]
    refs[n] = 0
    repl[n] = lit
    delete(n, num_ci, wf0, wf1, repl, refs, dead, stack)


@njit(cache=True)
def drop_orphans(start, num_ci, wf0, wf1, repl, refs, dead, count, stack):
    """Free the nodes made since `start` that ended up unused."""
    for v in range(count[0] - 1, start - 1, -1):
        if refs[v] == 0 and not dead[v]:
            delete(v, num_ci, wf0, wf1, repl, refs, dead, stack)


@njit(cache=True)
def find_cut(n, max_leaves, fan_stop, max_cone, num_ci, wf0, wf1, repl, refs, lev, mark,
             trav, leaves):
    """Reconvergence-driven cut of node n (ABC's Abc_NodeFindCut).

    Marks the cut's nodes (leaves and interior) with trav in `mark`; fills `leaves`, returns
    their number. A leaf is expanded when that adds the fewest new leaves (ties: the higher
    level); leaves with more than fan_stop fanouts are expanded only when it adds none or one.
    """
    mark[n] = trav
    nl = _push_fanins(n, 0, wf0, wf1, repl, mark, trav, leaves)
    cone = 1
    while cone < max_cone:
        best = -1
        best_cost = 100
        for i in range(nl):
            v = leaves[i]
            if v <= num_ci:
                cost = 999
            else:
                a = resolve(wf0[v], repl) >> 1
                b = resolve(wf1[v], repl) >> 1
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
        nl = _push_fanins(v, nl, wf0, wf1, repl, mark, trav, leaves)
    return nl


@njit(cache=True, inline="always")
def _push_fanins(v, nl, wf0, wf1, repl, mark, trav, leaves):
    """Append v's unmarked fanins to the leaves, the lower variable first: ABC's AIG keeps
    the fanin of smaller id first, and the cut's ties go to the earlier leaf, so this order
    gives ABC's windows (on a divider it changed which constant nodes resub could see)."""
    a = resolve(wf0[v], repl) >> 1
    b = resolve(wf1[v], repl) >> 1
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


@njit(cache=True)
def cone_order(n, nl, leaves, wf0, wf1, repl, mark, trav, loc, order, stack, state):
    """Interior nodes of the cut of n in topological order (n last); sets loc[] to local
    indices: leaves 0..nl-1, then the interior. Uses mark == trav from find_cut and leaves
    mark == -trav on the interior (restored to trav by the caller if needed)."""
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
            u = resolve(wf0[v] if s == 0 else wf1[v], repl) >> 1
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


@njit(cache=True)
def simulate_cone(nl, no, order, leaves, wf0, wf1, repl, loc, tts, nw):
    """Truth tables over the nl leaves (nw words): tts[i] for local index i (leaves, then
    the interior in order). A leaf that is the constant (a fanin replaced by a constant
    earlier in the pass) gets the constant table, not a variable's: so constants propagate
    through the windows of its fanouts, as ABC's in-place replacement propagates them."""
    for i in range(nl):
        if leaves[i] == 0:
            tts[i, :nw] = np.uint64(0)
        else:
            tts[i, :nw] = projection(i, nl)
    for k in range(no):
        v = order[k]
        a = resolve(wf0[v], repl)
        b = resolve(wf1[v], repl)
        ia = loc[a >> 1]
        ib = loc[b >> 1]
        ca = ALL if a & 1 else np.uint64(0)
        cb = ALL if b & 1 else np.uint64(0)
        t = nl + k
        for w in range(nw):
            tts[t, w] = (tts[ia, w] ^ ca) & (tts[ib, w] ^ cb)


@njit(cache=True)
def mffc(n, nl, leaves, num_ci, wf0, wf1, repl, refs, mmark, mtrav, members):
    """Size of n's maximum fanout-free cone inside the cut; its nodes get mmark = mtrav and
    are listed in members. Reference counts are left as they were."""
    for i in range(nl):
        refs[leaves[i]] += 1
    members[0] = n
    mmark[n] = mtrav
    size = 1
    i = 0
    while i < size:
        x = members[i]
        i += 1
        for side in range(2):
            y = resolve(wf0[x] if side == 0 else wf1[x], repl) >> 1
            refs[y] -= 1
            if y > num_ci and refs[y] == 0:
                mmark[y] = mtrav
                members[size] = y
                size += 1
    for i in range(size):
        x = members[i]
        for side in range(2):
            y = resolve(wf0[x] if side == 0 else wf1[x], repl) >> 1
            refs[y] += 1
    for i in range(nl):
        refs[leaves[i]] -= 1
    return size


@njit(cache=True)
def compact(num_ci, cos, wf0, wf1, repl, dead, count):
    """The live graph as a new AIG: (nf0, nf1, n_ands, new CO literals)."""
    base = num_ci + 1
    n = count[0]
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
                u = resolve(wf0[v] if s == 0 else wf1[v], repl) >> 1
                if u >= base and not seen[u]:
                    seen[u] = True
                    sp += 1
                    stack[sp] = u
                    state[sp] = 0
            else:
                order[no] = v
                no += 1
                sp -= 1
    lit_map = np.full(n, -1, dtype=np.int64)
    for v in range(base):
        lit_map[v] = 2 * v
    nf0 = np.empty(no, dtype=np.int32)
    nf1 = np.empty(no, dtype=np.int32)
    cnt = np.zeros(1, dtype=np.int64)
    table = np.full(table_size(no), -1, dtype=np.int32)
    for k in range(no):
        v = order[k]
        a = resolve(wf0[v], repl)
        b = resolve(wf1[v], repl)
        la = lit_map[a >> 1] ^ (a & 1)
        lb = lit_map[b >> 1] ^ (b & 1)
        lit_map[v] = strash_and(la, lb, table, nf0, nf1, cnt, base)
    out = np.empty(cos.shape[0], dtype=np.int32)
    for k in range(cos.shape[0]):
        c = resolve(cos[k], repl)
        out[k] = lit_map[c >> 1] ^ (c & 1)
    return nf0, nf1, cnt[0], out
