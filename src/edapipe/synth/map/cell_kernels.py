"""Numba kernels of the standard-cell mapper: the match table and the mapping passes.

Both phases of every node are mapped (ABC's `map`): phase 0 is the node's function, phase 1
its complement. A phase is either a matched cell over one of the node's cuts, whose inputs
are leaves in either phase (a negated leaf uses that leaf's phase 1), or an inverter on the
other phase of the same node. Combinational inputs have phase 0 for free and phase 1 by an
inverter.

Delays are the timing engine's: the NLDM tables of each group's smallest cell, rise and
fall by each arc's sense, slews propagated (or fixed at slew0), the load of a phase the
rise/fall capacitance of the pins the mapping makes it drive (a nominal pin per structural
fanout before the first mapping). Passes: delay passes (each under the loads of the
previous mapping; the best kept and its loads frozen), then area-flow passes under the
required times of the delay mapping, then exact-area passes (the area a choice adds to the
current mapping, by reference counting), as lut_kernels.py.

Choice codes: ch[v, p] >= 0 is a match-table entry over cut ch_cut[v, p]; CH_INV is an
inverter on phase 1 - p; CH_FREE is a combinational input's own phase 0.
"""

import numpy as np

from edapipe.synth.map.lut_kernels import _shrink
from edapipe.timing.search_kernels import table_value
from edapipe.util.jit import njit

CH_INV = -1
CH_FREE = -2
CH_NONE = -3
BIG = 1e30


@njit(cache=True)
def expand_group(truth, n, assign, m):
    """Every function of a cell over m cut leaves: for each assignment of the cell's pins to
    the leaves (pin i reads leaf assign[k, i]; with m < n a leaf feeds several pins) and each
    set of negated pins, the table over the leaves. Returns (tables, pin masks, assignment
    index, leaf usage: bit 2j for leaf j read positive, 2j + 1 negative, -1 where two pins
    read the same leaf in the same phase or the function ignores a leaf: never a match)."""
    n_assign = assign.shape[0]
    size = 1 << n
    total = n_assign * size
    out = np.zeros(total, dtype=np.uint64)
    masks = np.zeros(total, dtype=np.int32)
    aidx = np.zeros(total, dtype=np.int32)
    usage = np.zeros(total, dtype=np.int64)
    r = 0
    for k in range(n_assign):
        for mask in range(size):
            use = 0
            for i in range(n):
                b = 1 << (2 * assign[k, i] + ((mask >> i) & 1))
                if use & b:
                    use = -1
                    break
                use |= b
            t = np.uint64(0)
            for x in range(1 << m):
                y = 0
                for i in range(n):
                    bit = ((x >> assign[k, i]) & 1) ^ ((mask >> i) & 1)
                    y |= bit << i
                if (truth >> np.uint64(y)) & np.uint64(1):
                    t |= np.uint64(1) << np.uint64(x)
            if use >= 0 and not _depends_on_all(t, m):
                use = -1
            out[r] = t
            masks[r] = mask
            aidx[r] = k
            usage[r] = use
            r += 1
    return out, masks, aidx, usage


@njit(cache=True)
def _depends_on_all(t, m):
    for j in range(m):
        depends = False
        for x in range(1 << m):
            if not (x >> j) & 1:
                a = (t >> np.uint64(x)) & np.uint64(1)
                b = (t >> np.uint64(x | (1 << j))) & np.uint64(1)
                if a != b:
                    depends = True
                    break
        if not depends:
            return False
    return True


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
                stack[top + 1] = (m >> i) & 1
                top += 2
    return area


@njit(cache=True)
def _through(nl, g, i, eo, a_r, a_f, s_r, s_f, load):
    """Arrival and slew of output edge eo (0 rise, 1 fall) through pin i of group g, its
    input's edges arriving at a_r / a_f with slews s_r / s_f (the timing engine's rule: the
    latest arrival and the largest slew over the arcs and input edges that make eo)."""
    a = -BIG
    s = 0.0
    for k in range(nl.tab.shape[2]):
        td = nl.tab[g, i, k, eo]
        ts = nl.tab[g, i, k, 2 + eo]
        m = nl.msk[g, i, k, eo]
        if td < 0:
            continue
        for ei in range(2):
            if not (m >> ei) & 1:
                continue
            s_in = s_r if ei == 0 else s_f
            t = (a_r if ei == 0 else a_f) + table_value(td, s_in, load[eo], 0.0, nl.tab_n,
                                                        nl.tab_var, nl.tab_off, nl.axes,
                                                        nl.vals)
            if t > a:
                a = t
            if ts >= 0:
                x = table_value(ts, s_in, load[eo], 0.0, nl.tab_n, nl.tab_var, nl.tab_off,
                                nl.axes, nl.vals)
                if x > s:
                    s = x
    return a, s


@njit(cache=True)
def _gate(nl, g, n_pins, pin_u, pin_q, at, sl, load, out):
    """Arrivals and slews (out: rise, fall arrival; rise, fall slew) of group g whose pin i
    reads phase pin_q[i] of pin_u[i], driving `load`; returns the later arrival."""
    out[0] = 0.0
    out[1] = 0.0
    out[2] = 0.0
    out[3] = 0.0
    for i in range(n_pins):
        u = pin_u[i]
        q = pin_q[i]
        for eo in range(2):
            a, s = _through(nl, g, i, eo, at[u, q, 0], at[u, q, 1], sl[u, q, 0], sl[u, q, 1],
                            load)
            if a > out[eo]:
                out[eo] = a
            if s > out[2 + eo]:
                out[2 + eo] = s
    return max(out[0], out[1])


@njit(cache=True)
def _arrival_upto(nl, g, n_pins, pin_u, pin_q, at, sl, load, bound):
    """The later output arrival of _gate without the slews (the chosen match's are computed
    once, by _gate), stopping as soon as it exceeds `bound`: what is returned is then only
    a lower bound of it. The pin of the latest leaf goes first, as it most often decides;
    maxima do not depend on the order, so a complete result is _gate's to the bit."""
    lead = 0
    late = -BIG
    for i in range(n_pins):
        x = max(at[pin_u[i], pin_q[i], 0], at[pin_u[i], pin_q[i], 1])
        if x > late:
            late = x
            lead = i
    worst = 0.0
    for k in range(n_pins):
        i = lead if k == 0 else (k - 1 if k <= lead else k)
        u = pin_u[i]
        q = pin_q[i]
        for eo in range(2):
            a = _through_arrival(nl, g, i, eo, at[u, q, 0], at[u, q, 1], sl[u, q, 0],
                                 sl[u, q, 1], load)
            if a > worst:
                worst = a
        if worst > bound:
            break
    return worst


@njit(cache=True)
def _through_arrival(nl, g, i, eo, a_r, a_f, s_r, s_f, load):
    """The arrival of _through alone."""
    a = -BIG
    for k in range(nl.tab.shape[2]):
        td = nl.tab[g, i, k, eo]
        m = nl.msk[g, i, k, eo]
        if td < 0:
            continue
        for ei in range(2):
            if not (m >> ei) & 1:
                continue
            t = (a_r if ei == 0 else a_f) + table_value(
                td, s_r if ei == 0 else s_f, load[eo], 0.0, nl.tab_n, nl.tab_var, nl.tab_off,
                nl.axes, nl.vals)
            if t > a:
                a = t
    return a


@njit(cache=True)
def _time_match(e, v, c, nl, cut_leaves, e_group, e_mask, e_perm, g_n, at, sl, load, pin_u,
                pin_q, out):
    g = e_group[e]
    _match_pins(e, cut_leaves[v, c], g_n[g], e_mask, e_perm, pin_u, pin_q)
    return _gate(nl, g, g_n[g], pin_u, pin_q, at, sl, load, out)


@njit(cache=True, inline="always")
def _cut_function(tt, n, p):
    """The function of a cut of n leaves (phase 1: its complement), as the table keys it."""
    mask = np.uint64(0xFFFFFFFFFFFFFFFF) if n == 6 else \
        (np.uint64(1) << np.uint64(1 << n)) - np.uint64(1)
    f = tt & mask
    if p == 1:
        f = ~f & mask
    return f


@njit(cache=True)
def _match_area(v, p, e, c, grp, exact, pin_u, pin_q, af, ch, ch_cut, cut_leaves, e_group,
                e_mask, e_perm, g_n, g_area, refs, stack, first, inv_area):
    """Area flow of match e over cut c of phase p of v, or with exact its exact area (what
    it adds to the current mapping; ch[v, p] is left on it)."""
    if exact:
        ch[v, p] = e
        ch_cut[v, p] = c
        fl = _walk(v, p, 1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n, g_area,
                   refs, stack, first, inv_area)
        _walk(v, p, -1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n, g_area, refs,
              stack, first, inv_area)
        return fl
    fl = g_area[grp]
    for i in range(g_n[grp]):
        fl += af[pin_u[i], pin_q[i]]
    return fl


@njit(cache=True)
def _pin_delay(nl, g, i, s_r, s_f, load):
    """The longest delay through pin i of group g (for required times)."""
    d = 0.0
    for eo in range(2):
        a, _ = _through(nl, g, i, eo, 0.0, 0.0, s_r, s_f, load)
        if a > d:
            d = a
    return d


@njit(cache=True)
def _best_sibling(e, leaves_row, s_lo, s_hi, e_mask, e_perm, n, g, g_d0, g_slope, at, load):
    """The pin assignment among scanned row e's siblings (the same function of the same
    leaves in the same phases, pins of a symmetric function swapped) whose latest pin
    arrives first by the pins' delay lines: the latest leaf on the fastest pin, as ABC's
    `map` permutes its supergates' pins. Those lines rank the pins well enough; what is
    chosen is then timed by the tables."""
    lo = s_lo[e]
    hi = s_hi[e]
    if hi - lo <= 1:
        return e
    cap = max(load[0], load[1])
    best = e
    best_s = BIG
    for s in range(lo, hi):
        m = e_mask[s]
        worst = -BIG
        for i in range(n):
            u = leaves_row[e_perm[s, i]]
            q = (m >> i) & 1
            x = max(at[u, q, 0], at[u, q, 1]) + g_d0[g, i] + g_slope[g, i] * cap
            if x > worst:
                worst = x
                if worst >= best_s - 1e-15:
                    break
        if worst < best_s - 1e-15:
            best_s = worst
            best = s
    return best


@njit(cache=True)
def _match_pins(e, leaves_row, g_n_e, e_mask, e_perm, pin_u, pin_q):
    m = e_mask[e]
    for i in range(g_n_e):
        pin_u[i] = leaves_row[e_perm[e, i]]
        pin_q[i] = (m >> i) & 1


@njit(cache=True)
def _set_timing(v, p, out, at, sl, arr, slew0):
    at[v, p, 0] = out[0]
    at[v, p, 1] = out[1]
    sl[v, p, 0] = out[2] if slew0 <= 0.0 else slew0
    sl[v, p, 1] = out[3] if slew0 <= 0.0 else slew0
    arr[v, p] = max(out[0], out[1])


@njit(cache=True)
def map_cells(num_cis, fanin0, fanin1, co_lits, cut_leaves, cut_size, cut_tt, ncut,
              e_truth, e_group, e_mask, e_perm, n_start, s_lo, s_hi,
              g_area, g_n, g_cin, g_d0, g_slope, nl, inv_group, nominal_cin,
              n_delay, n_flow, n_exact, delay_mode, relaxes, slew0, co_load, pick):
    """The mapping for each relax of `relaxes` (ch, ch_cut, refs: one row each). The delay
    passes do not depend on relax: they run once, and area recovery once per relax from
    the state they leave (the same mappings as one call per relax). `pick`: each match in
    the pin order of its siblings that _best_sibling ranks first (else the scanned one)."""
    n_and = fanin0.shape[0]
    first = 1 + num_cis
    nv = first + n_and
    ch = np.full((nv, 2), CH_NONE, dtype=np.int32)
    ch_cut = np.zeros((nv, 2), dtype=np.int32)
    arr = np.zeros((nv, 2), dtype=np.float64)
    at = np.zeros((nv, 2, 2), dtype=np.float64)
    sl = np.zeros((nv, 2, 2), dtype=np.float64)
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
    fan = np.empty((nv, 2, 2))
    fan[:, :, 0] = est * nominal_cin
    fan[:, :, 1] = est * nominal_cin
    inv_area = g_area[inv_group]
    stack = np.zeros(4 * (nv * 8 + 16), dtype=np.int32)
    pin_u = np.zeros(8, dtype=np.int64)
    pin_q = np.zeros(8, dtype=np.int64)
    pin_u2 = np.zeros(8, dtype=np.int64)
    pin_q2 = np.zeros(8, dtype=np.int64)
    out = np.zeros(4)
    best_out = np.zeros(4)
    target = BIG
    if not delay_mode:
        n_delay = 1
    best_ch = ch.copy()
    best_cut = ch_cut.copy()
    best_worst = BIG
    if slew0 > 0.0:
        sl[:, :, :] = slew0
    n_passes = n_delay + n_flow + n_exact
    n_relax = relaxes.shape[0]
    res_ch = np.empty((n_relax, nv, 2), dtype=np.int32)
    res_cut = np.empty((n_relax, nv, 2), dtype=np.int32)
    res_refs = np.empty((n_relax, nv, 2), dtype=np.int32)
    # the state after the delay passes, before the target of a relax is applied
    s_ch = ch.copy()
    s_cut = ch_cut.copy()
    s_at = at.copy()
    s_sl = sl.copy()
    s_arr = arr.copy()
    s_af = af.copy()
    s_est = est.copy()
    delay_worst = 0.0
    r = 0
    pas = 0
    while True:
        if pas == n_passes:
            res_ch[r] = ch
            res_cut[r] = ch_cut
            res_refs[r] = refs
            r += 1
            if r == n_relax:
                break
            ch[:, :] = s_ch
            ch_cut[:, :] = s_cut
            at[:, :, :] = s_at
            sl[:, :, :] = s_sl
            arr[:, :] = s_arr
            af[:, :] = s_af
            est[:, :] = s_est
            target = delay_worst * (1.0 + relaxes[r]) if delay_mode else BIG
            _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm,
                               g_n, nl, inv_group, sl, fan, refs, req, target)
            _update_estimates(first, nv, est, refs)
            pas = n_delay
            continue
        exact = pas >= n_delay + n_flow
        use_delay = delay_mode and pas < n_delay
        if use_delay:
            req[:, :] = BIG
        for v in range(1, first):
            ch[v, 0] = CH_FREE
            ch[v, 1] = CH_INV
            af[v, 0] = 0.0
            af[v, 1] = inv_area / est[v, 1]
            pin_u[0] = v
            pin_q[0] = 0
            _gate(nl, inv_group, 1, pin_u, pin_q, at, sl, fan[v, 1], out)
            _set_timing(v, 1, out, at, sl, arr, slew0)
        for g in range(n_and):
            v = first + g
            if exact:
                for p in range(2):
                    if refs[v, p] > 0:
                        _walk(v, p, -1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                              g_area, refs, stack, first, inv_area)
            for p in range(2):
                load = fan[v, p]
                # a match is chosen by arrival (delay passes) or area (recovery), and must
                # arrive by the required time; only what decides between it and the best so
                # far is computed: no arrival for a match of larger area, none for a smaller
                # one without a delay bound (only a tie needs it), and an arrival stops as
                # soon as it is later than what could win (_arrival_upto); the slews are
                # those of the match chosen
                bound_req = req[v, p] + 1e-15
                unbounded = req[v, p] > 0.5 * BIG
                best = -1
                best_c = 0
                best_a = BIG
                best_f = BIG
                known = False            # best_a is best's arrival
                for c in range(ncut[v]):
                    n = cut_size[v, c]
                    if n < 2:
                        continue
                    f = _cut_function(cut_tt[v, c], n, p)
                    e = _lower_bound(e_truth, n_start[n], n_start[n + 1], f)
                    while e < n_start[n + 1] and e_truth[e] == f:
                        grp = e_group[e]
                        # area flow and exact area are at least the cell's own, and a
                        # function's rows come smallest cell first: none left can win
                        if best >= 0 and not use_delay and g_area[grp] > best_f + 1e-12:
                            break
                        es = e
                        if pick:
                            es = _best_sibling(e, cut_leaves[v, c], s_lo, s_hi, e_mask, e_perm,
                                               g_n[grp], grp, g_d0, g_slope, at, load)
                        _match_pins(es, cut_leaves[v, c], g_n[grp], e_mask, e_perm, pin_u,
                                    pin_q)
                        fl = _match_area(v, p, es, c, grp, exact, pin_u, pin_q, af, ch, ch_cut,
                                         cut_leaves, e_group, e_mask, e_perm, g_n, g_area,
                                         refs, stack, first, inv_area)
                        take = False
                        a = BIG
                        if use_delay:
                            bound = bound_req if best < 0 else min(bound_req, best_a + 1e-15)
                            a = _arrival_upto(nl, grp, g_n[grp], pin_u, pin_q, at, sl, load,
                                              bound)
                            take = a <= bound_req and (best < 0 or _better(
                                True, a, fl, best_a, best_f))
                        elif best >= 0 and fl > best_f + 1e-12:
                            take = False
                        elif best >= 0 and fl >= best_f - 1e-12:
                            # equal area: the earlier arrival
                            if not known:
                                _match_pins(best, cut_leaves[v, best_c], g_n[e_group[best]],
                                            e_mask, e_perm, pin_u2, pin_q2)
                                best_a = _arrival_upto(nl, e_group[best], g_n[e_group[best]],
                                                       pin_u2, pin_q2, at, sl, load, BIG)
                                known = True
                            a = _arrival_upto(nl, grp, g_n[grp], pin_u, pin_q, at, sl, load,
                                              min(bound_req, best_a))
                            take = a <= bound_req and a < best_a - 1e-15
                        elif unbounded:
                            take = True
                        else:
                            a = _arrival_upto(nl, grp, g_n[grp], pin_u, pin_q, at, sl, load,
                                              bound_req)
                            take = a <= bound_req
                        if take:
                            best, best_c, best_a, best_f = es, c, a, fl
                            known = a < BIG
                        e += 1
                if best < 0:
                    # nothing meets the required time: the fastest match, the smaller on a tie
                    best_a = BIG
                    for c in range(ncut[v]):
                        n = cut_size[v, c]
                        if n < 2:
                            continue
                        f = _cut_function(cut_tt[v, c], n, p)
                        e = _lower_bound(e_truth, n_start[n], n_start[n + 1], f)
                        while e < n_start[n + 1] and e_truth[e] == f:
                            grp = e_group[e]
                            es = e
                            if pick:
                                es = _best_sibling(e, cut_leaves[v, c], s_lo, s_hi, e_mask,
                                                   e_perm, g_n[grp], grp, g_d0, g_slope, at,
                                                   load)
                            _match_pins(es, cut_leaves[v, c], g_n[grp], e_mask, e_perm, pin_u,
                                        pin_q)
                            fl = _match_area(v, p, es, c, grp, exact, pin_u, pin_q, af, ch,
                                             ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                                             g_area, refs, stack, first, inv_area)
                            a = _arrival_upto(nl, grp, g_n[grp], pin_u, pin_q, at, sl, load,
                                              BIG)
                            if a < best_a - 1e-15 or (abs(a - best_a) <= 1e-15 and fl < best_f):
                                best, best_c, best_a, best_f = es, c, a, fl
                            e += 1
                _time_match(best, v, best_c, nl, cut_leaves, e_group, e_mask, e_perm, g_n, at,
                            sl, load, pin_u2, pin_q2, best_out)
                ch[v, p] = best
                ch_cut[v, p] = best_c
                _set_timing(v, p, best_out, at, sl, arr, slew0)
                af[v, p] = best_f if exact else best_f / est[v, p]
            # a phase by an inverter on the other one, where that is better
            for p in range(2):
                o = 1 - p
                if ch[v, o] == CH_NONE or ch[v, o] == CH_INV:
                    continue
                pin_u[0] = v
                pin_q[0] = o
                a = _gate(nl, inv_group, 1, pin_u, pin_q, at, sl, fan[v, p], out)
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
                    _set_timing(v, p, out, at, sl, arr, slew0)
                    af[v, p] = fl
                    break
            if exact:
                for p in range(2):
                    if refs[v, p] > 0:
                        _walk(v, p, 1, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                              g_area, refs, stack, first, inv_area)
        # references of the mapping, its worst arrival and required times
        _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                           nl, inv_group, sl, fan, refs, req, BIG)
        if pas < n_delay:
            # loads from the fanout this mapping gives each phase; a later delay pass maps
            # again under them (a match duplicating logic loads its leaves: dec's inputs),
            # and the mapping of least worst arrival under its own loads is kept
            _sink_loads(nv, co_lits, co_load, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm,
                        g_n, g_cin,
                        inv_group, refs, fan)
            worst = _arrivals(nv, first, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask,
                              e_perm, g_n, nl, inv_group, fan, at, sl, arr,
                              slew0)
            if worst < best_worst:
                best_worst = worst
                best_ch[:, :] = ch
                best_cut[:, :] = ch_cut
            if pas == n_delay - 1:
                ch[:, :] = best_ch
                ch_cut[:, :] = best_cut
                _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask,
                                   e_perm, g_n, nl, inv_group, sl, fan, refs,
                                   req, BIG)
                _sink_loads(nv, co_lits, co_load, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm,
                        g_n, g_cin,
                            inv_group, refs, fan)
                # the arrivals under the frozen loads, and the target no earlier than they
                # allow (a node whose inputs all arrive later than its required time would
                # otherwise fall back to its fastest, costliest match)
                worst = _arrivals(nv, first, co_lits, ch, ch_cut, cut_leaves, e_group,
                                  e_mask, e_perm, g_n, nl, inv_group, fan, at,
                                  sl, arr, slew0)
                delay_worst = worst
                s_ch[:, :] = ch
                s_cut[:, :] = ch_cut
                s_at[:, :, :] = at
                s_sl[:, :, :] = sl
                s_arr[:, :] = arr
                s_af[:, :] = af
                s_est[:, :] = est
                target = worst * (1.0 + relaxes[r]) if delay_mode else BIG
        _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                           nl, inv_group, sl, fan, refs, req, target)
        _update_estimates(first, nv, est, refs)
        pas += 1
    return res_ch, res_cut, res_refs


@njit(cache=True)
def _update_estimates(first, nv, est, refs):
    """Fanout estimates for area flow: blended with the references of the last mapping."""
    for v in range(first, nv):
        for p in range(2):
            x = (2.0 * est[v, p] + refs[v, p]) / 3.0
            est[v, p] = x if x > 1.0 else 1.0


@njit(cache=True)
def _sink_loads(nv, co_lits, co_load, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                g_cin, inv_group, refs, load):
    """The load of every phase the mapping uses: the input capacitance of the cells it
    drives; a phase the mapping
    does not use keeps its estimate; an output port adds co_load."""
    for v in range(1, nv):
        for p in range(2):
            if refs[v, p] > 0:
                load[v, p, :] = 0.0
    for v in range(1, nv):
        for p in range(2):
            if refs[v, p] == 0:
                continue
            c = ch[v, p]
            if c == CH_INV:
                load[v, 1 - p, :] += g_cin[inv_group, 0, :]
            elif c >= 0:
                g = e_group[c]
                m = e_mask[c]
                for i in range(g_n[g]):
                    u = cut_leaves[v, ch_cut[v, p], e_perm[c, i]]
                    load[u, (m >> i) & 1, :] += g_cin[g, i, :]
    for lit in co_lits:
        load[lit >> 1, lit & 1, :] += co_load


@njit(cache=True)
def _refs_and_required(nv, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                       nl, inv_group, sl, est, refs, req, target):
    """References of the mapping's phases and, under `target` (BIG: none), required times;
    without a target every required time is BIG, with no delay looked up."""
    refs[:, :] = 0
    req[:, :] = BIG
    timed = target < BIG
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
            load = est[v, p]
            if c == CH_INV:
                refs[v, 1 - p] += 1
                if not timed:
                    continue
                r = req[v, p] - _pin_delay(nl, inv_group, 0, sl[v, 1 - p, 0], sl[v, 1 - p, 1],
                                           load)
                if r < req[v, 1 - p]:
                    req[v, 1 - p] = r
            elif c >= 0:
                g = e_group[c]
                m = e_mask[c]
                for i in range(g_n[g]):
                    j = e_perm[c, i]
                    u = cut_leaves[v, ch_cut[v, p], j]
                    q = (m >> i) & 1
                    refs[u, q] += 1
                    if not timed:
                        continue
                    r = req[v, p] - _pin_delay(nl, g, i, sl[u, q, 0], sl[u, q, 1], load)
                    if r < req[u, q]:
                        req[u, q] = r


@njit(cache=True)
def _arrivals(nv, first, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
              nl, inv_group, fan, at, sl, arr, slew0):
    """Arrival of every chosen phase in topological order; the worst at the outputs."""
    pin_u = np.zeros(8, dtype=np.int64)
    pin_q = np.zeros(8, dtype=np.int64)
    out = np.zeros(4)
    for v in range(1, nv):
        for k in range(2):
            # the matched phase before the one that inverts it
            p = 1 - k if ch[v, 0] == CH_INV else k
            c = ch[v, p]
            load = fan[v, p]
            if c == CH_FREE:
                at[v, p, :] = 0.0
                sl[v, p, :] = slew0 if slew0 > 0.0 else 0.0
                arr[v, p] = 0.0
            elif c == CH_INV:
                pin_u[0] = v
                pin_q[0] = 1 - p
                _gate(nl, inv_group, 1, pin_u, pin_q, at, sl, load, out)
                _set_timing(v, p, out, at, sl, arr, slew0)
            elif c >= 0:
                g = e_group[c]
                _match_pins(c, cut_leaves[v, ch_cut[v, p]], g_n[g], e_mask, e_perm, pin_u,
                            pin_q)
                _gate(nl, g, g_n[g], pin_u, pin_q, at, sl, load, out)
                _set_timing(v, p, out, at, sl, arr, slew0)
    worst = 0.0
    for lit in co_lits:
        if arr[lit >> 1, lit & 1] > worst:
            worst = arr[lit >> 1, lit & 1]
    return worst


@njit(cache=True)
def estimate(num_cis, n_and, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
             g_cin, nl, inv_group, refs):
    """The worst arrival of a mapping as the timing engine times its netlist under the
    virtual clock (ideal inputs, unloaded outputs): the loads of its own cells' pins, rise
    and fall by sense, slews propagated."""
    nv = 1 + num_cis + n_and
    load = np.zeros((nv, 2, 2))
    _sink_loads(nv, co_lits, 0.0, ch, ch_cut, cut_leaves, e_group, e_mask, e_perm, g_n,
                g_cin, inv_group, refs, load)
    at = np.zeros((nv, 2, 2))
    sl = np.zeros((nv, 2, 2))
    arr = np.zeros((nv, 2))
    return _arrivals(nv, 1 + num_cis, co_lits, ch, ch_cut, cut_leaves, e_group, e_mask,
                     e_perm, g_n, nl, inv_group, load, at, sl, arr, 0.0)
