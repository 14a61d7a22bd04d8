"""Numba kernels of SAT sweeping: miter construction, signature classes, the sweep, cut proofs,
CNF of cones and counter-example simulation. Arrays and scalars only (DESIGN.md).

The sweep follows ABC's &fraig / mockturtle's functional_reduction: nodes are visited in
topological order and rebuilt into a new, structurally hashed AIG; a node whose simulation
signature matches an earlier node (its class leader) is merged into it once the two are proven
equal. Most proofs here are local: the two new literals are expanded together, largest variable
first, until their frontier closes into a cut of at most K leaves; equal truth tables over that
cut prove the two equal for every value of the leaves (so in the whole circuit). What a cut
cannot prove is left to the SAT solver (edapipe.verify.sweep).
"""

import numpy as np

from edapipe.aig.sim_kernels import simulate
from edapipe.aig.strash_kernels import strash_and, table_size
from edapipe.util.jit import njit

__all__ = ["simulate"]  # the sweep's simulator is the core's (callers use K.simulate)

_FULL = np.uint64(0xFFFFFFFFFFFFFFFF)
_PROJ = (np.uint64(0xAAAAAAAAAAAAAAAA), np.uint64(0xCCCCCCCCCCCCCCCC),
         np.uint64(0xF0F0F0F0F0F0F0F0), np.uint64(0xFF00FF00FF00FF00),
         np.uint64(0xFFFF0000FFFF0000), np.uint64(0xFFFFFFFF00000000))


# ---- miter -------------------------------------------------------------------------------
@njit(cache=True)
def miter_build(num_ci, fa0, fa1, a_ci, fb0, fb1, b_ci):
    """Both AIGs hashed into one over `num_ci` shared inputs.

    a_ci[k] / b_ci[k]: the shared input variable (1-based) of CI k of A / B.
    Returns (nf0, nf1, n_ands, map_a, map_b), map_x[old var] = new literal.
    """
    base = num_ci + 1
    na = fa0.shape[0]
    nb = fb0.shape[0]
    cap = na + nb
    nf0 = np.empty(cap, dtype=np.int32)
    nf1 = np.empty(cap, dtype=np.int32)
    count = np.zeros(1, dtype=np.int64)
    table = np.full(table_size(cap), -1, dtype=np.int32)
    map_a = np.zeros(a_ci.shape[0] + 1 + na, dtype=np.int64)
    map_b = np.zeros(b_ci.shape[0] + 1 + nb, dtype=np.int64)
    for k in range(a_ci.shape[0]):
        map_a[k + 1] = 2 * a_ci[k]
    for k in range(b_ci.shape[0]):
        map_b[k + 1] = 2 * b_ci[k]
    ba = a_ci.shape[0] + 1
    for g in range(na):
        a = fa0[g]
        b = fa1[g]
        map_a[ba + g] = strash_and(map_a[a >> 1] ^ (a & 1), map_a[b >> 1] ^ (b & 1),
                                   table, nf0, nf1, count, base)
    bb = b_ci.shape[0] + 1
    for g in range(nb):
        a = fb0[g]
        b = fb1[g]
        map_b[bb + g] = strash_and(map_b[a >> 1] ^ (a & 1), map_b[b >> 1] ^ (b & 1),
                                   table, nf0, nf1, count, base)
    return nf0, nf1, count[0], map_a, map_b


# ---- simulation and classes --------------------------------------------------------------
@njit(cache=True)
def update_hash(hsh, val, phase, mask_last):
    """Fold the phase-normalized words of every variable into its running 64-bit hash.

    phase[v] is the value of v under the very first pattern; normalizing by it makes a node
    and its complement hash alike. Bits outside mask_last in the last word are ignored.
    """
    n_words = val.shape[1]
    for v in range(val.shape[0]):
        m = _FULL if phase[v] else np.uint64(0)
        h = hsh[v]
        for w in range(n_words):
            x = val[v, w] ^ m
            if w == n_words - 1:
                x &= mask_last
            h ^= x + np.uint64(0x9E3779B97F4A7C15) + (h << np.uint64(6)) + (h >> np.uint64(2))
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
        hsh[v] = h


@njit(cache=True)
def leaders_from_order(hsh, order, leader):
    """leader[v] = smallest variable with v's hash (-1 for that variable itself).

    `order` sorts variables by (hash, variable).
    """
    n = order.shape[0]
    i = 0
    n_classes = 0
    while i < n:
        j = i + 1
        first = order[i]
        leader[first] = -1
        while j < n and hsh[order[j]] == hsh[first]:
            leader[order[j]] = first
            j += 1
        if j - i > 1:
            n_classes += 1
        i = j
    return n_classes


@njit(cache=True)
def pair_differs(val, lit_a, lit_b):
    """Index k of the first pair whose literals differ in val (and the word, bit), else -1."""
    for k in range(lit_a.shape[0]):
        a = lit_a[k]
        b = lit_b[k]
        ma = _FULL if (a & 1) else np.uint64(0)
        mb = _FULL if (b & 1) else np.uint64(0)
        for w in range(val.shape[1]):
            d = (val[a >> 1, w] ^ ma) ^ (val[b >> 1, w] ^ mb)
            if d != 0:
                bit = 0
                while not (d >> np.uint64(bit)) & np.uint64(1):
                    bit += 1
                return k, w, bit
    return -1, 0, 0


@njit(cache=True)
def pairs_differ_at(val, lit_a, lit_b, w, bit):
    """Flags of the pairs whose literals differ under pattern (w, bit)."""
    out = np.zeros(lit_a.shape[0], dtype=np.bool_)
    for k in range(lit_a.shape[0]):
        a = lit_a[k]
        b = lit_b[k]
        va = ((val[a >> 1, w] >> np.uint64(bit)) & np.uint64(1)) ^ np.uint64(a & 1)
        vb = ((val[b >> 1, w] >> np.uint64(bit)) & np.uint64(1)) ^ np.uint64(b & 1)
        out[k] = va != vb
    return out


# ---- the sweep ---------------------------------------------------------------------------
@njit(cache=True)
def _cut_prove(x, y, nf0, nf1, base, k_max, max_win, mark, stamp, front, expanded, slot, tt):
    """True if x == y is proven over a cut of at most k_max leaves of their joint cone."""
    vx = x >> 1
    vy = y >> 1
    if vx == vy:
        return x == y
    n_front = 2
    front[0] = vx
    front[1] = vy
    mark[vx] = stamp
    mark[vy] = stamp
    n_exp = 0
    best = 0 if n_front <= k_max else -1
    cap = front.shape[0] - 2
    while n_exp < max_win:
        im = -1
        mv = -1
        for i in range(n_front):
            if front[i] >= base and front[i] > mv:
                mv = front[i]
                im = i
        if im < 0:
            break
        front[im] = front[n_front - 1]
        n_front -= 1
        expanded[n_exp] = mv
        n_exp += 1
        g = mv - base
        c0 = nf0[g] >> 1
        c1 = nf1[g] >> 1
        if mark[c0] != stamp:
            mark[c0] = stamp
            front[n_front] = c0
            n_front += 1
        if mark[c1] != stamp:
            mark[c1] = stamp
            front[n_front] = c1
            n_front += 1
        if n_front <= k_max:
            best = n_exp
        if n_front > cap:
            break
    if best < 0:
        return False
    # The cut after `best` expansions: window = expanded[:best]; leaves = the rest it touches.
    s_win = stamp + 1
    s_leaf = stamp + 2
    for i in range(best):
        mark[expanded[i]] = s_win
    n_leaf = 0
    for r in (vx, vy):
        if mark[r] != s_win and mark[r] != s_leaf:
            mark[r] = s_leaf
            front[n_leaf] = r
            n_leaf += 1
    for i in range(best):
        g = expanded[i] - base
        for c in (nf0[g] >> 1, nf1[g] >> 1):
            if mark[c] != s_win and mark[c] != s_leaf:
                mark[c] = s_leaf
                front[n_leaf] = c
                n_leaf += 1
    n_words = 1
    if n_leaf > 6:
        n_words = 1 << (n_leaf - 6)
    row = 0
    for i in range(n_leaf):
        v = front[i]
        slot[v] = row
        for w in range(n_words):
            if v == 0:
                tt[row, w] = np.uint64(0)
            elif i < 6:
                tt[row, w] = _PROJ[i]
            else:
                tt[row, w] = _FULL if (w >> (i - 6)) & 1 else np.uint64(0)
        row += 1
    for i in range(best - 1, -1, -1):
        v = expanded[i]
        g = v - base
        a = nf0[g]
        b = nf1[g]
        ra = slot[a >> 1]
        rb = slot[b >> 1]
        ma = _FULL if (a & 1) else np.uint64(0)
        mb = _FULL if (b & 1) else np.uint64(0)
        slot[v] = row
        for w in range(n_words):
            tt[row, w] = (tt[ra, w] ^ ma) & (tt[rb, w] ^ mb)
        row += 1
    rx = slot[vx]
    ry = slot[vy]
    mx = _FULL if (x & 1) else np.uint64(0)
    my = _FULL if (y & 1) else np.uint64(0)
    mask = _FULL
    if n_leaf < 6:
        mask = (np.uint64(1) << np.uint64(1 << n_leaf)) - np.uint64(1)
    for w in range(n_words):
        if ((tt[rx, w] ^ mx) ^ (tt[ry, w] ^ my)) & mask:
            return False
    return True


@njit(cache=True)
def sweep_step(num_ci, f0, f1, leader, phase, state, partner, order, pos, max_alt, k_max,
               max_win, g_start, nf0, nf1, count, table, lit_map, mark, slot, front, expanded,
               tt, stamp, cex_val, cex_mask, dirty, cval, trail, jq, frames, bt_limit, model,
               use_sat, stats):
    """Continue the sweep at AND g_start; stop at a candidate the cut cannot prove.

    The new AIG (nf0, nf1, count, table; lit_map old var -> new literal) grows in place.
    state[v]: 0 unknown, 1 proven equal to partner[v], 2 given up. Candidates that the
    pending counter-examples (cex_val rows masked by cex_mask) already separate are skipped.
    dirty[w] marks new nodes above a candidate that SAT gave up on in this pass; a candidate
    whose one side is dirty and the other not is deferred (state 2) rather than sent to SAT,
    since it most likely needs the same hard proof again.
    Then the circuit solver (cbs_solve, bt_limit backtracks) tries each direction.
    Returns (g, x, y, kind): kind 1, AND g has a counter-example in `model`; kind 2, AND g
    needs x == y proven by the CDCL solver (only with use_sat; else it is given up);
    g == number of ANDs when done.
    When the cut fails against the leader, up to max_alt other earlier members of the class
    (order/pos: variables sorted by class, then variable) are tried by cuts too: a false
    leader that random patterns cannot split must not hide a true partner.
    stats: [cut proofs, skipped by counter-examples, deferred as dirty, cut proofs against
    other members].
    """
    base = num_ci + 1
    n = f0.shape[0]
    for g in range(g_start, n):
        v = base + g
        a = f0[g]
        b = f1[g]
        la = lit_map[a >> 1] ^ (a & 1)
        lb = lit_map[b >> 1] ^ (b & 1)
        x = strash_and(la, lb, table, nf0, nf1, count, base)
        lit_map[v] = x
        if x >= 2 * base and (dirty[la >> 1] or dirty[lb >> 1]):
            dirty[x >> 1] = 1
        r = leader[v]
        if r < 0:
            continue
        flip = np.int64(phase[v] ^ phase[r])
        y = lit_map[r] ^ flip
        st = state[v]
        if st == 1:
            u = partner[v]
            lit_map[v] = lit_map[u] ^ np.int64(phase[v] ^ phase[u])
            continue
        if x == y:
            state[v] = 1
            partner[v] = r
            continue
        if st != 0:
            continue
        if cex_mask != 0:
            fm = _FULL if flip else np.uint64(0)
            if (cex_val[v, 0] ^ cex_val[r, 0] ^ fm) & cex_mask:
                stats[1] += 1
                continue
        ok = _cut_prove(x, y, nf0, nf1, base, k_max, max_win, mark, stamp[0], front, expanded,
                        slot, tt)
        stamp[0] += 3
        if ok:
            state[v] = 1
            partner[v] = r
            lit_map[v] = y
            stats[0] += 1
            continue
        j = pos[v] - 1
        tried = 0
        lo = pos[r]
        while j > lo and tried < max_alt:
            u = order[j]
            j -= 1
            tried += 1
            yu = lit_map[u] ^ np.int64(phase[v] ^ phase[u])
            if yu == x or _cut_prove(x, yu, nf0, nf1, base, k_max, max_win, mark, stamp[0],
                                     front, expanded, slot, tt):
                ok = True
                state[v] = 1
                partner[v] = u
                lit_map[v] = yu
                stats[3] += 1
                stamp[0] += 3
                break
            stamp[0] += 3
        if ok:
            continue
        if dirty[x >> 1] != dirty[y >> 1]:
            state[v] = 2
            stats[2] += 1
            continue
        if bt_limit > 0:
            r1 = cbs_solve(x, y ^ 1, nf0, nf1, base, cval, trail, jq, frames, bt_limit, model)
            if r1 == 1:
                return g, x, y, 1
            r2 = 2
            if r1 == 0:
                r2 = cbs_solve(x ^ 1, y, nf0, nf1, base, cval, trail, jq, frames, bt_limit,
                               model)
                if r2 == 1:
                    return g, x, y, 1
            if r1 == 0 and r2 == 0:
                state[v] = 1
                partner[v] = r
                lit_map[v] = y
                stats[4] += 1
                continue
            stats[5] += 1
        if not use_sat:
            state[v] = 2
            dirty[x >> 1] = 1
            continue
        return g, x, y, 2
    return n, 0, 0, 0


# ---- CNF ---------------------------------------------------------------------------------
@njit(cache=True)
def cone_clauses(roots, nf0, nf1, base, sat_var, next_var):
    """Tseitin clauses of the not yet loaded part of the cones of `roots` (new literals).

    sat_var[v] is the solver variable of new AIG variable v (0: not loaded); next_var[0] is
    the next free solver variable. Returns clauses as rows of 3 literals, 0-padded.
    """
    stack = np.empty(64, dtype=np.int64)
    out = np.zeros((64, 3), dtype=np.int64)
    n_out = 0
    for i in range(roots.shape[0]):
        r = roots[i] >> 1
        if sat_var[r] != 0:
            continue
        sp = 0
        stack[sp] = r
        sp += 1
        while sp > 0:
            v = stack[sp - 1]
            if sat_var[v] != 0:
                sp -= 1
                continue
            if v < base:
                sat_var[v] = next_var[0]
                next_var[0] += 1
                sp -= 1
                continue
            g = v - base
            c0 = nf0[g] >> 1
            c1 = nf1[g] >> 1
            pushed = False
            for c in (c0, c1):
                if sat_var[c] == 0:
                    if sp + 1 >= stack.shape[0]:
                        bigger = np.empty(2 * stack.shape[0], dtype=np.int64)
                        bigger[:sp] = stack[:sp]
                        stack = bigger
                    stack[sp] = c
                    sp += 1
                    pushed = True
            if pushed:
                continue
            sp -= 1
            z = next_var[0]
            next_var[0] += 1
            sat_var[v] = z
            a = nf0[g]
            b = nf1[g]
            la = sat_var[a >> 1] * (-1 if (a & 1) else 1)
            lb = sat_var[b >> 1] * (-1 if (b & 1) else 1)
            if n_out + 3 > out.shape[0]:
                bigger2 = np.zeros((2 * out.shape[0], 3), dtype=np.int64)
                bigger2[:n_out] = out[:n_out]
                out = bigger2
            out[n_out, 0] = -z
            out[n_out, 1] = la
            out[n_out + 1, 0] = -z
            out[n_out + 1, 1] = lb
            out[n_out + 2, 0] = z
            out[n_out + 2, 1] = -la
            out[n_out + 2, 2] = -lb
            n_out += 3
    return out[:n_out]


@njit(cache=True)
def cone_near(roots, nf0, nf1, base, sat_var, mark, stamp, limit):
    """The first `limit` variables met breadth-first from `roots` (new literals) through
    fanins, as (solver variables, distance from the roots). mark[v] == stamp marks a visited
    variable; every variable met must be loaded (sat_var > 0)."""
    q = np.empty(limit, dtype=np.int64)
    d = np.empty(limit, dtype=np.int64)
    n = 0
    for i in range(roots.shape[0]):
        v = roots[i] >> 1
        if v > 0 and mark[v] != stamp and n < limit:
            mark[v] = stamp
            q[n] = v
            d[n] = 0
            n += 1
    h = 0
    while h < n and n < limit:
        v = q[h]
        dv = d[h]
        h += 1
        if v < base:
            continue
        g = v - base
        for c in (nf0[g] >> 1, nf1[g] >> 1):
            if c > 0 and mark[c] != stamp and n < limit:
                mark[c] = stamp
                q[n] = c
                d[n] = dv + 1
                n += 1
    sv = np.empty(n, dtype=np.int64)
    for i in range(n):
        sv[i] = sat_var[q[i]]
    return sv, d[:n].copy()


@njit(cache=True)
def nodes_differ(val, vs, rs, flips, mask):
    """Flags: old var vs[i] differs from rs[i] (xor flips[i]) in some pattern of mask."""
    out = np.zeros(vs.shape[0], dtype=np.bool_)
    for i in range(vs.shape[0]):
        m = _FULL if flips[i] else np.uint64(0)
        for w in range(val.shape[1]):
            if ((val[vs[i], w] ^ val[rs[i], w] ^ m) & mask[w]) != 0:
                out[i] = True
                break
    return out


# ---- circuit-based SAT -------------------------------------------------------------------
# A small DPLL on the AIG itself (after ABC's Cbs, giaCSat.c): values live on nodes,
# implications go from a node to its fanins, and a node at 0 whose fanins are both open waits
# in the justification queue J. Decisions justify J nodes; backtracking is chronological, and a
# backtrack limit makes it give up. It touches only the cones it needs, so a failing check
# costs its limit, not a sweep over every variable as in a CDCL solver holding everything.

@njit(cache=True, inline="always")
def _lit_value(val, lit):
    v = val[lit >> 1]
    if v == 2:
        return 2
    return v ^ (lit & 1)


@njit(cache=True, inline="always")
def _assign(val, trail, n_trail, lit, value):
    """Give `lit` the value `value`: (new trail length, False on a conflict)."""
    var = lit >> 1
    want = value ^ (lit & 1)
    cur = val[var]
    if cur != 2:
        return n_trail, cur == want
    val[var] = want
    trail[n_trail] = var
    return n_trail + 1, True


@njit(cache=True, inline="always")
def _justify(val, nf0, nf1, base, v, trail, n_trail):
    """Node v is 0: (n_trail, status) with status 0 justified, 1 open, 2 conflict."""
    g = v - base
    a = nf0[g]
    b = nf1[g]
    va = _lit_value(val, a)
    vb = _lit_value(val, b)
    if va == 0 or vb == 0:
        return n_trail, 0
    if va == 1 and vb == 1:
        return n_trail, 2
    if va == 1:
        n_trail, ok = _assign(val, trail, n_trail, b, 0)
        return n_trail, 0 if ok else 2
    if vb == 1:
        n_trail, ok = _assign(val, trail, n_trail, a, 0)
        return n_trail, 0 if ok else 2
    return n_trail, 1


@njit(cache=True)
def cbs_solve(lit_a, lit_b, nf0, nf1, base, val, trail, jq, frames, bt_limit, model):
    """Is there an input assignment with lit_a = 1 and lit_b = 1?

    val (int8 per variable, 2 = open, val[0] = 0) is left as it was found. Returns 1 (yes;
    model[1..base-1] holds input values, 2 where free), 0 (no) or 2 (gave up).
    frames[depth, 4]: saved trail length, J head, J tail, decision literal, branch.
    """
    cap_j = jq.shape[0]
    n_trail = 0
    n_trail, ok = _assign(val, trail, n_trail, lit_a, 1)
    if ok:
        n_trail, ok = _assign(val, trail, n_trail, lit_b, 1)
    prop = 0
    jhead = 0
    jtail = 0
    depth = 0
    backtracks = 0
    result = 2
    conflict = not ok
    while True:
        # ---- propagate to a fixed point (unless the last step already conflicted) ----
        full = False
        while not conflict:
            while prop < n_trail and not conflict:
                v = trail[prop]
                prop += 1
                if v < base:
                    continue
                if val[v] == 1:
                    g = v - base
                    n_trail, ok = _assign(val, trail, n_trail, nf0[g], 1)
                    if ok:
                        n_trail, ok = _assign(val, trail, n_trail, nf1[g], 1)
                    conflict = not ok
                else:
                    n_trail, st = _justify(val, nf0, nf1, base, v, trail, n_trail)
                    if st == 2:
                        conflict = True
                    elif st == 1:
                        if jtail >= cap_j:
                            full = True
                            break
                        jq[jtail] = v
                        jtail += 1
            if conflict or full:
                break
            new_tail = jtail
            for k in range(jhead, jtail):
                v = jq[k]
                n_trail, st = _justify(val, nf0, nf1, base, v, trail, n_trail)
                if st == 2:
                    conflict = True
                    break
                if st == 1:
                    if new_tail >= cap_j:
                        full = True
                        break
                    jq[new_tail] = v
                    new_tail += 1
            if conflict or full:
                break
            jhead = jtail
            jtail = new_tail
            if prop >= n_trail:
                break
        if full:
            result = 2
            break
        if not conflict:
            if jhead == jtail:
                result = 1
                break
            if backtracks >= bt_limit or depth >= frames.shape[0]:
                result = 2
                break
            best = -1
            for k in range(jhead, jtail):
                if jq[k] > best:
                    best = jq[k]
            dec = nf0[best - base]
            frames[depth, 0] = n_trail
            frames[depth, 1] = jhead
            frames[depth, 2] = jtail
            frames[depth, 3] = dec
            frames[depth, 4] = 0
            depth += 1
            n_trail, ok = _assign(val, trail, n_trail, dec, 0)
            conflict = not ok
            continue
        # ---- backtrack: undo to the last open branch and take its other side ----
        conflict = False
        resumed = False
        while depth > 0:
            d = depth - 1
            keep = frames[d, 0]
            for i in range(keep, n_trail):
                val[trail[i]] = 2
            n_trail = keep
            prop = keep
            jhead = frames[d, 1]
            jtail = frames[d, 2]
            if frames[d, 4] == 0:
                frames[d, 4] = 1
                backtracks += 1
                n_trail, ok = _assign(val, trail, n_trail, frames[d, 3], 1)
                conflict = not ok
                resumed = True
                break
            depth -= 1
        if not resumed:
            result = 0
            break
    if result == 1:
        for v in range(1, base):
            model[v] = val[v]
    for i in range(n_trail):
        val[trail[i]] = 2
    return result
