"""Numba kernels of `rewrite`: DAG-aware 4-input cut rewriting in one topological sweep.

The result graph grows as the old nodes are visited in order (ABC's Gia_ManDup shape): each
old AND becomes either a copy AND(a', b') of its mapped fanins, or the best library structure
of one of its 4-input cuts when that saves nodes. Result nodes never change once made; a node
whose reference count drops to zero dies (it leaves the hash table and frees its fanins).

Reference counts of result nodes include the references still pending from old nodes and
outputs not yet visited, so the MFFC measured when an old node is visited is exactly what
replacing it frees (ABC's Rwr/Dar gain: nodes freed minus nodes added, with hash lookups
finding the nodes a structure can share).
"""

import numpy as np

from edapipe.aig.cuts_kernels import node_cuts
from edapipe.aig.strash_kernels import hash_slot as _slot
from edapipe.synth.window_kernels import fold as _fold
from edapipe.util.jit import njit

K_LEAVES = 4
TT_MASK = np.uint64(0xFFFF)

ZERO_GAIN_MAX_SINGLE_LEAVES = 2
"""With levels kept, a zero-gain replacement is taken only from a cut with at most this many
leaves whose single fanout lies inside the cone (ABC's Rwr_NodeRewrite filters every cut so)."""

ZERO_GAIN_CRITICAL_SLACK = 2
"""With levels kept, zero-gain ties go to the shallowest structure only at nodes within this
many levels of their required level; elsewhere the first structure found wins, as in ABC.
Taking the shallowest everywhere reshapes the divider's subtract-and-select chains and hides
from the following resubstitution what ABC's order leaves visible (resyn2rs div64 1.093x ABC
against 0.995x); taking the first found everywhere gives up the depth resyn2 gains on
critical paths (levels geomean 0.969 -> 0.999 of ABC's) and, through the next `rfz`, ANDs on
chains (priority 1.012 -> 1.062). docs/synthesis_refactor_resub.md, issue 21."""


@njit(cache=True)
def _lookup(a, b, head, nxt, gf0, gf1):
    """Literal of a live AND(a, b) (a >= b) or -1."""
    var = head[_slot(a, b, head.shape[0] - 1)]
    while var >= 0:
        if gf0[var] == a and gf1[var] == b:
            return 2 * var
        var = nxt[var]
    return -1


@njit(cache=True)
def _unlink(var, head, nxt, gf0, gf1):
    h = _slot(gf0[var], gf1[var], head.shape[0] - 1)
    cur = head[h]
    if cur == var:
        head[h] = nxt[var]
        return
    while cur >= 0:
        if nxt[cur] == var:
            nxt[cur] = nxt[var]
            return
        cur = nxt[cur]


@njit(cache=True)
def rewrite(num_ci, f0, f1, cos, req, preserve_levels, zero_gain, max_cuts,
            class_of, transform_of, transforms, class_struct_offset, struct_offset,
            struct_f0, struct_f1, struct_out):
    """Returns (gf0, gf1, first_and_var, n_vars, co_lits, n_rewrites, gain_total).

    gf0/gf1 are indexed by result variable (ANDs from num_ci + 1 to n_vars - 1, in creation
    order, dead ones included; the caller's cleanup drops them). req[old var] is the level an
    old node may reach without deepening the circuit (used when preserve_levels).
    """
    n = f0.shape[0]
    base = num_ci + 1
    # room: the copies still to make (n - g), one structure (<= 16), and for structures that
    # use virtual nodes the early copies they make (<= n - g more; see virt_ok)
    cap = base + 3 * n + 64
    gf0 = np.zeros(cap, dtype=np.int32)
    gf1 = np.zeros(cap, dtype=np.int32)
    refs = np.zeros(cap, dtype=np.int32)
    lev = np.zeros(cap, dtype=np.int32)
    dead = np.zeros(cap, dtype=np.bool_)
    mark = np.zeros(cap, dtype=np.int64)
    tsize = 64
    while tsize < 2 * cap:
        tsize *= 2
    head = np.full(tsize, -1, dtype=np.int32)
    nxt = np.full(cap, -1, dtype=np.int32)
    leaves = np.zeros((cap, max_cuts, K_LEAVES), dtype=np.int32)
    sizes = np.zeros((cap, max_cuts), dtype=np.int8)
    tts = np.zeros((cap, max_cuts), dtype=np.uint64)
    ncuts = np.zeros(cap, dtype=np.int32)
    rows = (max_cuts + 1) * (max_cuts + 1) + 1
    buf_leaves = np.zeros((rows, K_LEAVES), dtype=np.int32)
    buf_sizes = np.zeros(rows, dtype=np.int32)
    buf_tts = np.zeros(rows, dtype=np.uint64)
    # the root's own cut set is computed into slot `root_slot` (never a real variable)
    root_slot = cap - 1
    # old reference counts: what each old node will hand to its image when visited
    oldrefs = np.zeros(base + n, dtype=np.int32)
    for g in range(n):
        oldrefs[f0[g] >> 1] += 1
        oldrefs[f1[g] >> 1] += 1
    for r in range(cos.shape[0]):
        oldrefs[cos[r] >> 1] += 1
    lit_map = np.zeros(base + n, dtype=np.int64)
    for v in range(base):
        lit_map[v] = 2 * v
        refs[v] = oldrefs[v]
    count = base  # next free result variable
    stack = np.empty(cap, dtype=np.int64)
    dying = np.empty(cap, dtype=np.int64)
    s_lit = np.empty(64, dtype=np.int64)
    s_lev = np.empty(64, dtype=np.int32)
    best_leaves = np.zeros(K_LEAVES, dtype=np.int64)
    # ABC rewrites in place, so a structure may share any node of the graph, including ones
    # after the root in topological order. Here an old node not visited yet has a *virtual*
    # literal 2 * (vbase + g) standing for the copy it will get; the virtual nodes sit in a
    # second hash table keyed by their fanins' images (or virtual literals), re-keyed as
    # fanins are visited. A chosen structure that uses one makes its copy early.
    vbase = cap
    fo_start, fo_list = _old_fanouts(f0, f1, base)
    visited = np.zeros(base + n, dtype=np.bool_)
    visited[:base] = True
    vlev = np.zeros(n, dtype=np.int32)
    p_head = np.full(tsize, -1, dtype=np.int32)
    p_nxt = np.full(n, -1, dtype=np.int32)
    p_key0 = np.full(n, -1, dtype=np.int64)
    p_key1 = np.full(n, -1, dtype=np.int64)
    for h in range(n):
        _enter_virtual(h, f0, f1, lit_map, visited, oldrefs, base, vbase, lev, vlev, p_head,
                       p_nxt, p_key0, p_key1)
    mat = np.zeros(n, dtype=np.int64)
    mat_stamp = np.zeros(n, dtype=np.int64)
    mat_order = np.empty(n, dtype=np.int64)
    stamp = 0
    min_gain = 0 if zero_gain else 1
    n_rewrites = 0
    gain_total = 0
    for g in range(n):
        a = f0[g]
        b = f1[g]
        la = lit_map[a >> 1] ^ (a & 1)
        lb = lit_map[b >> 1] ^ (b & 1)
        if la < lb:
            la, lb = lb, la
        # the pending references of g to its fanins end here
        refs[la >> 1] -= 1
        refs[lb >> 1] -= 1
        if oldrefs[base + g] == 0:  # dangling: not rebuilt
            for x in (la >> 1, lb >> 1):
                if x >= base and refs[x] == 0 and not dead[x]:
                    _kill(x, base, refs, dead, head, nxt, gf0, gf1, stack)
            continue
        out = _fold(la, lb)
        if out < 0:
            out = _lookup(la, lb, head, nxt, gf0, gf1)
        best_gain = -1
        best_struct = -1
        best_t = 0
        best_lev = 0
        evaluated = out < 0 and count + 16 + (n - g) < root_slot
        # an early copy that dies is made again at its visit, so slots are only known to
        # suffice for one more batch of early copies while this holds
        virt_ok = count + 16 + 2 * (n - g) < root_slot
        if evaluated:
            # cuts of the would-be copy
            node_cuts(root_slot, la, lb, leaves, sizes, tts, ncuts, K_LEAVES, max_cuts,
                      (la >> 1) >= base, (lb >> 1) >= base, buf_leaves, buf_sizes, buf_tts)
            copy_lev = max(lev[la >> 1], lev[lb >> 1]) + 1
            limit = req[base + g] if preserve_levels else 1 << 30
            best_lev = copy_lev
            for c in range(ncuts[root_slot]):
                nl = sizes[root_slot, c]
                if nl == 2 and ((leaves[root_slot, c, 0] == (lb >> 1)
                                 and leaves[root_slot, c, 1] == (la >> 1))
                                or (leaves[root_slot, c, 0] == (la >> 1)
                                    and leaves[root_slot, c, 1] == (lb >> 1))):
                    continue  # the copy itself
                tt = np.int64(tts[root_slot, c] & TT_MASK)
                # leaves whose only fanout is inside the cone: ABC's Rwr_NodeRewrite skips a
                # cut with more than 2 (a larger cut through them would serve better)
                n_single = 0
                for i in range(nl):
                    x = leaves[root_slot, c, i]
                    fo = refs[x] + (1 if x == (la >> 1) else 0) + (1 if x == (lb >> 1) else 0)
                    if fo == 1:
                        n_single += 1
                # MFFC of the copy bounded by the cut: count what dies without it
                stamp += 1
                for i in range(nl):
                    refs[leaves[root_slot, c, i]] += 1
                n_dying = 0
                sp = 0
                for x in (la >> 1, lb >> 1):
                    if x >= base and refs[x] == 0 and mark[x] != stamp:
                        stack[sp] = x
                        sp += 1
                        mark[x] = stamp
                while sp > 0:
                    sp -= 1
                    x = stack[sp]
                    dying[n_dying] = x
                    n_dying += 1
                    for y in (gf0[x] >> 1, gf1[x] >> 1):
                        refs[y] -= 1
                        if y >= base and refs[y] == 0 and mark[y] != stamp:
                            mark[y] = stamp
                            stack[sp] = y
                            sp += 1
                saved = 1 + n_dying
                # evaluate the class's structures
                cls = class_of[tt]
                t = transform_of[tt]
                for s in range(class_struct_offset[cls], class_struct_offset[cls + 1]):
                    lo = struct_offset[s]
                    hi = struct_offset[s + 1]
                    added = 0
                    ok = True
                    last0 = -1
                    last1 = -1
                    n_virtual = 0
                    for k in range(hi - lo):
                        if saved - added < best_gain or saved - added < min_gain:
                            ok = False
                            break
                        x0 = _struct_lit(struct_f0[lo + k], k, s_lit, transforms, t,
                                         leaves[root_slot, c])
                        x1 = _struct_lit(struct_f1[lo + k], k, s_lit, transforms, t,
                                         leaves[root_slot, c])
                        if x0 < 0 or x1 < 0:
                            s_lit[k] = -1
                            l0 = _struct_lev(struct_f0[lo + k], s_lev, lev, transforms, t,
                                             leaves[root_slot, c])
                            l1 = _struct_lev(struct_f1[lo + k], s_lev, lev, transforms, t,
                                             leaves[root_slot, c])
                            s_lev[k] = max(l0, l1) + 1
                            added += 1
                            continue
                        if x0 < x1:
                            x0, x1 = x1, x0
                        if k == hi - lo - 1:
                            last0 = x0
                            last1 = x1
                        y = _fold(x0, x1)
                        if y < 0:
                            y = _lookup(x0, x1, head, nxt, gf0, gf1)
                            if y >= 0 and mark[y >> 1] == stamp:
                                added += 1  # kept alive by the structure
                        if y < 0:
                            h = -1
                            if virt_ok:
                                h = _virtual(x0, x1, g, p_head, p_nxt, p_key0, p_key1)
                            if h >= 0:
                                n_virtual += 1
                                y = 2 * (vbase + h)
                                s_lev[k] = vlev[h]
                            else:
                                added += 1
                                s_lev[k] = max(_lev(x0, lev, vlev, vbase),
                                               _lev(x1, lev, vlev, vbase)) + 1
                        elif y >= 2 * vbase:
                            s_lev[k] = vlev[(y >> 1) - vbase]
                        else:
                            s_lev[k] = lev[y >> 1]
                        s_lit[k] = y
                    if not ok:
                        continue
                    o = struct_out[s]
                    if ((o >> 1) == K_LEAVES + hi - lo and last0 == la and last1 == lb
                            and ((o & 1) ^ transforms[t, K_LEAVES + 1]) == 0):
                        continue  # the copy itself again (ABC rejects the root too)
                    if (o >> 1) > K_LEAVES:
                        olev = s_lev[(o >> 1) - K_LEAVES - 1]
                    else:
                        olev = _struct_lev(o, s_lev, lev, transforms, t, leaves[root_slot, c])
                    gain = saved - added
                    if gain == 0 and n_virtual > 0:
                        # a reshape onto virtual nodes: their early copies often die again
                        # when later nodes are reshaped, so the estimate would not hold
                        continue
                    if olev > limit or gain < min_gain:
                        continue
                    if (gain == 0 and preserve_levels
                            and n_single > ZERO_GAIN_MAX_SINGLE_LEAVES):
                        continue
                    better = gain > best_gain
                    if gain == best_gain and preserve_levels and olev < best_lev:
                        # ties: the shallowest, except zero-gain ties off the critical path,
                        # which keep the first found (see ZERO_GAIN_CRITICAL_SLACK)
                        better = gain > 0 or copy_lev >= limit - ZERO_GAIN_CRITICAL_SLACK
                    if better:
                        best_gain = gain
                        best_struct = s
                        best_t = t
                        best_lev = olev
                        for i in range(K_LEAVES):
                            best_leaves[i] = leaves[root_slot, c, i] if i < nl else 0
                # restore the references
                for i in range(n_dying):
                    x = dying[i]
                    refs[gf0[x] >> 1] += 1
                    refs[gf1[x] >> 1] += 1
                for i in range(nl):
                    refs[leaves[root_slot, c, i]] -= 1
        if out < 0 and best_struct >= 0 and (best_gain > 0 or (zero_gain and best_gain == 0)):
            # build the structure
            lo = struct_offset[best_struct]
            hi = struct_offset[best_struct + 1]
            for k in range(hi - lo):
                x0 = _struct_lit(struct_f0[lo + k], k, s_lit, transforms, best_t, best_leaves)
                x1 = _struct_lit(struct_f1[lo + k], k, s_lit, transforms, best_t, best_leaves)
                if x0 >= 2 * vbase:
                    stamp += 1
                    x0, count = _materialize(
                        x0, vbase, stamp, f0, f1, lit_map, visited, mat, mat_stamp,
                        mat_order, count, gf0, gf1, refs, lev, head, nxt, leaves, sizes, tts,
                        ncuts, max_cuts, base, buf_leaves, buf_sizes, buf_tts)
                if x1 >= 2 * vbase:
                    stamp += 1
                    x1, count = _materialize(
                        x1, vbase, stamp, f0, f1, lit_map, visited, mat, mat_stamp,
                        mat_order, count, gf0, gf1, refs, lev, head, nxt, leaves, sizes, tts,
                        ncuts, max_cuts, base, buf_leaves, buf_sizes, buf_tts)
                s_lit[k], count = _make_and(x0, x1, count, gf0, gf1, refs, lev, head, nxt,
                                            leaves, sizes, tts, ncuts, max_cuts, base,
                                            buf_leaves, buf_sizes, buf_tts, -1)
            out = _struct_lit(struct_out[best_struct], hi - lo, s_lit, transforms, best_t,
                              best_leaves) ^ transforms[best_t, K_LEAVES + 1]
            if out >= 2 * vbase:  # the structure is one virtual node: make it now
                stamp += 1
                out, count = _materialize(
                    out, vbase, stamp, f0, f1, lit_map, visited, mat, mat_stamp, mat_order,
                    count, gf0, gf1, refs, lev, head, nxt, leaves, sizes, tts, ncuts,
                    max_cuts, base, buf_leaves, buf_sizes, buf_tts)
            n_rewrites += 1
            gain_total += best_gain
        elif out < 0:
            out, count = _make_and(la, lb, count, gf0, gf1, refs, lev, head, nxt, leaves,
                                   sizes, tts, ncuts, max_cuts, base, buf_leaves, buf_sizes,
                                   buf_tts, root_slot if evaluated else -1)
        lit_map[base + g] = out
        refs[out >> 1] += oldrefs[base + g]
        visited[base + g] = True
        _unlink_virtual(g, p_head, p_nxt, p_key0, p_key1)
        for i in range(fo_start[g], fo_start[g + 1]):
            h = fo_list[i]
            _unlink_virtual(h, p_head, p_nxt, p_key0, p_key1)
            _enter_virtual(h, f0, f1, lit_map, visited, oldrefs, base, vbase, lev, vlev,
                           p_head, p_nxt, p_key0, p_key1)
        # fanins nobody references any more die, with their own dead cones
        for x in (la >> 1, lb >> 1):
            if x >= base and refs[x] == 0 and not dead[x]:
                _kill(x, base, refs, dead, head, nxt, gf0, gf1, stack)
    co_lits = np.empty(cos.shape[0], dtype=np.int64)
    for r in range(cos.shape[0]):
        co_lits[r] = lit_map[cos[r] >> 1] ^ (cos[r] & 1)
    return gf0, gf1, base, count, co_lits, n_rewrites, gain_total


@njit(cache=True)
def _old_fanouts(f0, f1, base):
    """CSR of the AND fanouts of each old AND (by AND index)."""
    n = f0.shape[0]
    fo_start = np.zeros(n + 1, dtype=np.int64)
    for h in range(n):
        for lit in (f0[h], f1[h]):
            if (lit >> 1) >= base:
                fo_start[(lit >> 1) - base + 1] += 1
    for i in range(n):
        fo_start[i + 1] += fo_start[i]
    fill = fo_start[:n].copy()
    fo_list = np.empty(fo_start[n], dtype=np.int64)
    for h in range(n):
        for lit in (f0[h], f1[h]):
            v = lit >> 1
            if v >= base:
                fo_list[fill[v - base]] = h
                fill[v - base] += 1
    return fo_start, fo_list


@njit(cache=True, inline="always")
def _image(lit, lit_map, visited, base, vbase):
    """Result literal of an old literal, or the virtual literal of a node not visited yet."""
    v = lit >> 1
    if visited[v]:
        return lit_map[v] ^ (lit & 1)
    return 2 * (vbase + v - base) + (lit & 1)


@njit(cache=True, inline="always")
def _lev(x, lev, vlev, vbase):
    v = x >> 1
    return vlev[v - vbase] if v >= vbase else lev[v]


@njit(cache=True)
def _enter_virtual(h, f0, f1, lit_map, visited, oldrefs, base, vbase, lev, vlev, p_head,
                   p_nxt, p_key0, p_key1):
    """(Re-)enter old AND h in the virtual table under its fanins' current images."""
    if oldrefs[base + h] == 0:
        return  # dangling: never made
    a = _image(f0[h], lit_map, visited, base, vbase)
    b = _image(f1[h], lit_map, visited, base, vbase)
    if a < b:
        a, b = b, a
    vlev[h] = max(_lev(a, lev, vlev, vbase), _lev(b, lev, vlev, vbase)) + 1
    if _fold(a, b) >= 0:
        return
    slot = _slot(a, b, p_head.shape[0] - 1)
    p_nxt[h] = p_head[slot]
    p_head[slot] = h
    p_key0[h] = a
    p_key1[h] = b


@njit(cache=True)
def _unlink_virtual(h, p_head, p_nxt, p_key0, p_key1):
    if p_key0[h] < 0:
        return
    slot = _slot(p_key0[h], p_key1[h], p_head.shape[0] - 1)
    cur = p_head[slot]
    if cur == h:
        p_head[slot] = p_nxt[h]
    else:
        while cur >= 0:
            if p_nxt[cur] == h:
                p_nxt[cur] = p_nxt[h]
                break
            cur = p_nxt[cur]
    p_key0[h] = -1
    p_key1[h] = -1
    p_nxt[h] = -1


@njit(cache=True)
def _virtual(a, b, g, p_head, p_nxt, p_key0, p_key1):
    """An old AND after g that will be made as AND(a, b) (a >= b) when visited, or -1."""
    h = p_head[_slot(a, b, p_head.shape[0] - 1)]
    while h >= 0:
        if h > g and p_key0[h] == a and p_key1[h] == b:
            return h
        h = p_nxt[h]
    return -1


@njit(cache=True)
def _materialize(vlit, vbase, stamp, f0, f1, lit_map, visited, mat, mat_stamp, mat_order,
                 count, gf0, gf1, refs, lev, head, nxt, leaves, sizes, tts, ncuts, max_cuts,
                 base, buf_leaves, buf_sizes, buf_tts):
    """Make the copy of the old AND behind virtual literal vlit (and of the old ANDs it needs
    that are not visited yet) ahead of its visit; returns (its real literal, count). The
    visit then finds it by hash lookup."""
    h = (vlit >> 1) - vbase
    n_order = 0
    mat_order[n_order] = h
    n_order += 1
    mat_stamp[h] = stamp
    i = 0
    while i < n_order:
        x = mat_order[i]
        i += 1
        for lit in (f0[x], f1[x]):
            v = lit >> 1
            if not visited[v] and mat_stamp[v - base] != stamp:
                mat_stamp[v - base] = stamp
                mat_order[n_order] = v - base
                n_order += 1
    order = np.sort(mat_order[:n_order])
    for i in range(n_order):
        x = order[i]
        lits = np.empty(2, dtype=np.int64)
        for side in range(2):
            lit = f0[x] if side == 0 else f1[x]
            v = lit >> 1
            lits[side] = (lit_map[v] if visited[v] else mat[v - base]) ^ (lit & 1)
        mat[x], count = _make_and(lits[0], lits[1], count, gf0, gf1, refs, lev, head, nxt,
                                  leaves, sizes, tts, ncuts, max_cuts, base, buf_leaves,
                                  buf_sizes, buf_tts, -1)
    return mat[h] ^ (vlit & 1), count


@njit(cache=True)
def _struct_lit(slit, k, s_lit, transforms, t, leaves):
    """Result literal of a structure literal (-1: a node the structure still has to make)."""
    v = slit >> 1
    c = slit & 1
    if v == 0:
        return c
    if v <= K_LEAVES:
        i = v - 1
        leaf = leaves[transforms[t, i]]
        return (2 * leaf) ^ ((transforms[t, K_LEAVES] >> i) & 1) ^ c
    x = s_lit[v - K_LEAVES - 1]
    if x < 0:
        return -1
    return x ^ c


@njit(cache=True)
def _struct_lev(slit, s_lev, lev, transforms, t, leaves):
    v = slit >> 1
    if v == 0:
        return 0
    if v <= K_LEAVES:
        return lev[leaves[transforms[t, v - 1]]]
    return s_lev[v - K_LEAVES - 1]


@njit(cache=True)
def _make_and(a, b, count, gf0, gf1, refs, lev, head, nxt, leaves, sizes, tts, ncuts,
              max_cuts, base, buf_leaves, buf_sizes, buf_tts, cuts_from):
    """Literal of AND(a, b), made if no live node has it; cuts_from >= 0 names a slot that
    already holds its cut set."""
    if a < b:
        a, b = b, a
    y = _fold(a, b)
    if y >= 0:
        return y, count
    y = _lookup(a, b, head, nxt, gf0, gf1)
    if y >= 0:
        return y, count
    v = count
    gf0[v] = a
    gf1[v] = b
    refs[v] = 0
    refs[a >> 1] += 1
    refs[b >> 1] += 1
    lev[v] = max(lev[a >> 1], lev[b >> 1]) + 1
    h = _slot(a, b, head.shape[0] - 1)
    nxt[v] = head[h]
    head[h] = v
    if cuts_from >= 0:
        nc = ncuts[cuts_from]
        leaves[v, :nc] = leaves[cuts_from, :nc]
        sizes[v, :nc] = sizes[cuts_from, :nc]
        tts[v, :nc] = tts[cuts_from, :nc]
        ncuts[v] = nc
    else:
        node_cuts(v, a, b, leaves, sizes, tts, ncuts, K_LEAVES, max_cuts, (a >> 1) >= base,
                  (b >> 1) >= base, buf_leaves, buf_sizes, buf_tts)
    return 2 * v, count + 1


@njit(cache=True)
def _kill(x, base, refs, dead, head, nxt, gf0, gf1, stack):
    sp = 0
    stack[sp] = x
    sp += 1
    dead[x] = True
    while sp > 0:
        sp -= 1
        v = stack[sp]
        _unlink(v, head, nxt, gf0, gf1)
        for y in (gf0[v] >> 1, gf1[v] >> 1):
            refs[y] -= 1
            if y >= base and refs[y] == 0 and not dead[y]:
                dead[y] = True
                stack[sp] = y
                sp += 1
