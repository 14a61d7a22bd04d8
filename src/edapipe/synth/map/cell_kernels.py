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

State and steps: `map_cells(Subject, CellTables, Passes)` keeps a Mapping (choices, area
flows, references, estimates) and a Timing (arrivals, slews, required times, loads);
`_delay_passes` then, per relax, the recovery passes, each a `_map_pass` followed by
`_refs_and_required` (and in the delay passes `_sink_loads`, `_arrivals`). `_map_pass` reads
the NamedTuples' fields into locals once and keeps the match scan in its own loop; the calls
it makes per match or walk take plain arrays (a NamedTuple argument costs a reference count
per array it holds at every call: docs/decisions.md). Two per-node steps take the tuples:
`_inverter_phases`, and `_fastest_match` (only for a phase no match meets in time).
"""

from typing import NamedTuple

import numpy as np

from edapipe.synth.map.lut_kernels import _shrink
from edapipe.timing.search_kernels import table_value
from edapipe.util.jit import njit

CH_INV = -1
CH_FREE = -2
CH_NONE = -3
BIG = 1e30


class CellTables(NamedTuple):
    """The match library as the kernels read it (cell_tables): the match table's rows
    (library.MatchTable), per row its cell's area and inputs, per group its area, inputs,
    pin capacitances (rise, fall) and pin delay lines, the NLDM tables of the delay model."""

    e_truth: np.ndarray
    e_group: np.ndarray
    e_mask: np.ndarray
    e_perm: np.ndarray
    n_start: np.ndarray
    s_lo: np.ndarray
    s_hi: np.ndarray
    e_area: np.ndarray       # per row: its group's area; one more, last: the inverter's
    e_pins: np.ndarray       # per row: its group's inputs
    g_area: np.ndarray
    g_n: np.ndarray
    g_cin: np.ndarray
    g_d0: np.ndarray
    g_slope: np.ndarray
    nl: object               # library.Nldm
    inv_group: int
    nominal_cin: float


class Subject(NamedTuple):
    """The AIG being mapped and its cuts (cut c of v: cut_leaves[v, c, :cut_size[v, c]],
    its function cut_tt[v, c]); co_lits: the outputs' and latch inputs' literals."""

    num_cis: int
    fanin0: np.ndarray
    fanin1: np.ndarray
    co_lits: np.ndarray
    cut_leaves: np.ndarray
    cut_size: np.ndarray
    cut_tt: np.ndarray
    ncut: np.ndarray


class Passes(NamedTuple):
    """The settings of a mapping: passes, delay mode, relaxes, the delay model's fixed slew
    (0: propagated) and output-port load, pin order by arrival."""

    n_delay: int
    n_flow: int
    n_exact: int
    delay_mode: bool
    relaxes: np.ndarray
    slew0: float
    co_load: float
    pick: bool


class Mapping(NamedTuple):
    """Per node and phase: the choice (module docstring), its cut, area flow, references
    and fanout estimate."""

    ch: np.ndarray
    ch_cut: np.ndarray
    af: np.ndarray
    refs: np.ndarray
    est: np.ndarray


class Timing(NamedTuple):
    """Per node and phase: arrival and slew (rise, fall), the later arrival, the required
    time and the load (rise, fall) it drives."""

    at: np.ndarray
    sl: np.ndarray
    arr: np.ndarray
    req: np.ndarray
    fan: np.ndarray


class Scratch(NamedTuple):
    """Work arrays of the passes: the reference walk's stack, two matches' pins (node,
    phase), two gates' timing (rise, fall arrival; rise, fall slew)."""

    stack: np.ndarray
    pin_u: np.ndarray
    pin_q: np.ndarray
    pin_u2: np.ndarray
    pin_q2: np.ndarray
    out: np.ndarray
    best_out: np.ndarray


_ROWS: dict = {}


def cell_tables(table, groups, pin_lines, nl, inv_group: int, nominal_cin: float) -> CellTables:
    """CellTables of a match table (library.MatchTable), the groups' (area, inputs, pin
    capacitance) and pin lines (MatchLibrary.group_arrays, pin_lines) and NLDM tables. The
    per-row area and inputs are made once per table (the walks of exact area read them for
    every match tried)."""
    g_area, g_n, g_cin = groups
    hit = _ROWS.get(id(table.e_group))
    if hit is None or hit[0] is not table.e_group or hit[1] != inv_group \
            or not np.array_equal(hit[2], g_area) or not np.array_equal(hit[3], g_n):
        e_area = np.append(g_area[table.e_group], g_area[inv_group])
        hit = (table.e_group, inv_group, g_area.copy(), g_n.copy(), e_area,
               np.ascontiguousarray(g_n[table.e_group]))
        _ROWS[id(table.e_group)] = hit
    g_d0, g_slope = pin_lines
    return CellTables(table.e_truth, table.e_group, table.e_mask, table.e_perm, table.n_start,
                      table.s_lo, table.s_hi, hit[4], hit[5], g_area, g_n, g_cin, g_d0, g_slope,
                      nl, int(inv_group), float(nominal_cin))


def subject(num_cis: int, fanin0, fanin1, co_lits, cuts) -> Subject:
    """The Subject of an AIG's arrays and its cuts (leaves, sizes, tables, counts)."""
    leaves, sizes, tts, ncuts = cuts
    return Subject(int(num_cis), fanin0, fanin1, co_lits, leaves, sizes, tts, ncuts)


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
def _walk(v, p, delta, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm, stack):
    """Reference (delta 1) or dereference (-1) the choice of phase p of v and, recursively,
    every choice that enters or leaves the mapping with it; returns that area (e_area: the
    row's cell area, its last entry the inverter's: CellTables)."""
    area = 0.0
    inv_area = e_area[e_area.shape[0] - 1]
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
            area += e_area[c]
            m = e_mask[c]
            for i in range(e_pins[c]):
                j = e_perm[c, i]
                stack[top] = cut_leaves[u, ch_cut[u, q], j]
                stack[top + 1] = (m >> i) & 1
                top += 2
    return area


@njit(cache=True)
def _exact_area(v, p, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm, stack):
    """The area the current choice of phase p of v adds to the mapping (referenced, then
    dereferenced again: refs are left as they were)."""
    fl = _walk(v, p, 1, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm, stack)
    _walk(v, p, -1, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm, stack)
    return fl


@njit(cache=True)
def _walk_node(v, delta, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm, stack):
    """_walk of each referenced phase of v (exact area: the node's choices leave the mapping
    while it is mapped again, and enter it after)."""
    for p in range(2):
        if refs[v, p] > 0:
            _walk(v, p, delta, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm,
                  stack)


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
def map_cells(sub, tab, run):
    """The mapping of `sub` (Subject) to the cells of `tab` (CellTables) for each relax of
    run.relaxes (Passes): (ch, ch_cut, refs), one row each. The delay passes do not depend
    on relax: they run once, and area recovery once per relax from the state they leave
    (the same mappings as one call per relax). run.pick: each match in the pin order of its
    siblings that _best_sibling ranks first (else the scanned one)."""
    mp, tm, sc = _new_state(sub, tab, run.slew0)
    first = 1 + sub.num_cis
    nv = mp.ch.shape[0]
    n_delay = run.n_delay if run.delay_mode else 1
    n_passes = n_delay + run.n_flow + run.n_exact
    n_relax = run.relaxes.shape[0]
    res_ch = np.empty((n_relax, nv, 2), dtype=np.int32)
    res_cut = np.empty((n_relax, nv, 2), dtype=np.int32)
    res_refs = np.empty((n_relax, nv, 2), dtype=np.int32)
    # the state after the delay passes, before the target of a relax is applied
    saved_m, saved_t = _copy_state(mp, tm)
    delay_worst, target = _delay_passes(sub, tab, run, n_delay, mp, tm, sc, saved_m, saved_t)
    for r in range(n_relax):
        if r > 0:
            _copy_into(saved_m, saved_t, mp, tm)
            target = delay_worst * (1.0 + run.relaxes[r]) if run.delay_mode else BIG
            _refs_and_required(sub, tab, mp.ch, mp.ch_cut, tm.sl, tm.fan, mp.refs, tm.req,
                               target)
            _update_estimates(first, nv, mp.est, mp.refs)
        for pas in range(n_delay, n_passes):
            _map_pass(sub, tab, mp, tm, sc, pas >= n_delay + run.n_flow, False, run.slew0,
                      run.pick)
            # references of the mapping and the required times under the target
            _refs_and_required(sub, tab, mp.ch, mp.ch_cut, tm.sl, tm.fan, mp.refs, tm.req,
                               target)
            _update_estimates(first, nv, mp.est, mp.refs)
        res_ch[r] = mp.ch
        res_cut[r] = mp.ch_cut
        res_refs[r] = mp.refs
    return res_ch, res_cut, res_refs


@njit(cache=True)
def _new_state(sub, tab, slew0):
    """The empty Mapping, Timing and Scratch of a mapping of `sub`: no choices, fanout
    estimates from the structure, loads from them at the nominal pin capacitance."""
    fanin0 = sub.fanin0
    fanin1 = sub.fanin1
    n_and = fanin0.shape[0]
    nv = 1 + sub.num_cis + n_and
    est = np.ones((nv, 2), dtype=np.float64)
    for g in range(n_and):
        est[fanin0[g] >> 1, 0] += 1.0
        est[fanin1[g] >> 1, 0] += 1.0
    for lit in sub.co_lits:
        est[lit >> 1, 0] += 1.0
    for v in range(nv):
        est[v, 0] = max(1.0, est[v, 0] - 1.0)
        est[v, 1] = est[v, 0]
    mp = Mapping(np.full((nv, 2), CH_NONE, dtype=np.int32), np.zeros((nv, 2), dtype=np.int32),
                 np.zeros((nv, 2), dtype=np.float64), np.zeros((nv, 2), dtype=np.int32), est)
    # fanout for loads: structural in the delay pass, then the delay mapping's own, frozen so
    # the delays behind the required times do not move under area recovery
    fan = np.empty((nv, 2, 2))
    fan[:, :, 0] = est * tab.nominal_cin
    fan[:, :, 1] = est * tab.nominal_cin
    sl = np.zeros((nv, 2, 2), dtype=np.float64)
    if slew0 > 0.0:
        sl[:, :, :] = slew0
    tm = Timing(np.zeros((nv, 2, 2), dtype=np.float64), sl, np.zeros((nv, 2), dtype=np.float64),
                np.full((nv, 2), BIG, dtype=np.float64), fan)
    sc = Scratch(np.zeros(4 * (nv * 8 + 16), dtype=np.int32), np.zeros(8, dtype=np.int64),
                 np.zeros(8, dtype=np.int64), np.zeros(8, dtype=np.int64),
                 np.zeros(8, dtype=np.int64), np.zeros(4), np.zeros(4))
    return mp, tm, sc


@njit(cache=True)
def _copy_state(mp, tm):
    return (Mapping(mp.ch.copy(), mp.ch_cut.copy(), mp.af.copy(), mp.refs.copy(),
                    mp.est.copy()),
            Timing(tm.at.copy(), tm.sl.copy(), tm.arr.copy(), tm.req.copy(), tm.fan.copy()))


@njit(cache=True)
def _copy_into(src_m, src_t, mp, tm):
    """The state a relax starts from, saved or restored: the choices, area flows, estimates,
    arrivals and slews (references and required times are recomputed from the choices, and
    the loads are frozen after the delay passes)."""
    mp.ch[:, :] = src_m.ch
    mp.ch_cut[:, :] = src_m.ch_cut
    mp.af[:, :] = src_m.af
    mp.est[:, :] = src_m.est
    tm.at[:, :, :] = src_t.at
    tm.sl[:, :, :] = src_t.sl
    tm.arr[:, :] = src_t.arr


@njit(cache=True)
def _delay_passes(sub, tab, run, n_delay, mp, tm, sc, saved_m, saved_t):
    """The delay passes (without delay_mode, the one area-flow pass that starts recovery):
    each maps under the loads of the previous mapping, and the mapping of least worst
    arrival under its own loads is kept, its loads frozen and the state saved into
    saved_m/saved_t. Returns (that worst arrival, the first relax's target)."""
    ch = mp.ch
    ch_cut = mp.ch_cut
    best_ch = ch.copy()
    best_cut = ch_cut.copy()
    best_worst = BIG
    delay_worst = 0.0
    target = BIG
    for pas in range(n_delay):
        _map_pass(sub, tab, mp, tm, sc, False, run.delay_mode, run.slew0, run.pick)
        _refs_and_required(sub, tab, ch, ch_cut, tm.sl, tm.fan, mp.refs, tm.req, BIG)
        # loads from the fanout this mapping gives each phase; a later delay pass maps
        # again under them (a match duplicating logic loads its leaves: dec's inputs)
        _sink_loads(sub, tab, ch, ch_cut, mp.refs, run.co_load, tm.fan)
        worst = _arrivals(sub, tab, ch, ch_cut, tm.fan, tm.at, tm.sl, tm.arr, run.slew0)
        if worst < best_worst:
            best_worst = worst
            best_ch[:, :] = ch
            best_cut[:, :] = ch_cut
        if pas == n_delay - 1:
            ch[:, :] = best_ch
            ch_cut[:, :] = best_cut
            _refs_and_required(sub, tab, ch, ch_cut, tm.sl, tm.fan, mp.refs, tm.req, BIG)
            _sink_loads(sub, tab, ch, ch_cut, mp.refs, run.co_load, tm.fan)
            # the arrivals under the frozen loads, and the target no earlier than they
            # allow (a node whose inputs all arrive later than its required time would
            # otherwise fall back to its fastest, costliest match)
            delay_worst = _arrivals(sub, tab, ch, ch_cut, tm.fan, tm.at, tm.sl, tm.arr,
                                    run.slew0)
            _copy_into(mp, tm, saved_m, saved_t)
            target = delay_worst * (1.0 + run.relaxes[0]) if run.delay_mode else BIG
            # (earlier passes keep the references and untimed required times made above)
            _refs_and_required(sub, tab, ch, ch_cut, tm.sl, tm.fan, mp.refs, tm.req, target)
        _update_estimates(1 + sub.num_cis, ch.shape[0], mp.est, mp.refs)
    return delay_worst, target


@njit(cache=True)
def _map_pass(sub, tab, mp, tm, sc, exact, use_delay, slew0, pick):
    """One pass over the nodes in topological order, both phases of each: a match chosen by
    arrival (use_delay) or area (area flow; with exact, exact area) that arrives by the
    required time, then an inverter on the other phase where that is better.

    Only what decides between a match and the best so far is computed: no arrival for a
    match of larger area, none for a smaller one without a delay bound (only a tie needs
    it), and an arrival stops as soon as it is later than what could win (_arrival_upto);
    the slews are those of the match chosen. The scan is this function's own loop: the
    NamedTuples' fields are read into locals once per pass (a call per node or cut would
    pay a reference count per array)."""
    cut_leaves, cut_size, cut_tt, ncut = sub.cut_leaves, sub.cut_size, sub.cut_tt, sub.ncut
    e_truth, e_group, e_mask, e_perm = tab.e_truth, tab.e_group, tab.e_mask, tab.e_perm
    n_start, s_lo, s_hi, g_area, g_n = tab.n_start, tab.s_lo, tab.s_hi, tab.g_area, tab.g_n
    e_area, e_pins, g_d0, g_slope, nl = tab.e_area, tab.e_pins, tab.g_d0, tab.g_slope, tab.nl
    ch, ch_cut, af, refs, est = mp
    at, sl, arr, req, fan = tm
    stack, pin_u, pin_q, pin_u2, pin_q2, out, best_out = sc
    first = 1 + sub.num_cis
    if use_delay:
        req[:, :] = BIG
    _map_inputs(first, tab, mp, tm, sc, slew0)
    for v in range(first, ch.shape[0]):
        if exact:
            _walk_node(v, -1, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm,
                       stack)
        for p in range(2):
            load = fan[v, p]
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
                leaves = cut_leaves[v, c]
                f = _cut_function(cut_tt[v, c], n, p)
                e = _lower_bound(e_truth, n_start[n], n_start[n + 1], f)
                while e < n_start[n + 1] and e_truth[e] == f:
                    grp = e_group[e]
                    # area flow and exact area are at least the cell's own, and a function's
                    # rows come smallest cell first: none left can win
                    if best >= 0 and not use_delay and g_area[grp] > best_f + 1e-12:
                        break
                    es = e
                    if pick:
                        es = _best_sibling(e, leaves, s_lo, s_hi, e_mask, e_perm, g_n[grp],
                                           grp, g_d0, g_slope, at, load)
                    _match_pins(es, leaves, g_n[grp], e_mask, e_perm, pin_u, pin_q)
                    if exact:
                        ch[v, p] = es          # left on it: the best is set below
                        ch_cut[v, p] = c
                        fl = _exact_area(v, p, ch, ch_cut, refs, cut_leaves, e_area, e_pins,
                                         e_mask, e_perm, stack)
                    else:
                        fl = _area_flow(g_area[grp], g_n[grp], pin_u, pin_q, af)
                    take = False
                    a = BIG
                    if use_delay:
                        bound = bound_req if best < 0 else min(bound_req, best_a + 1e-15)
                        a = _arrival_upto(nl, grp, g_n[grp], pin_u, pin_q, at, sl, load, bound)
                        take = a <= bound_req and (best < 0 or _better(True, a, fl, best_a,
                                                                       best_f))
                    elif best >= 0 and fl > best_f + 1e-12:
                        take = False
                    elif best >= 0 and fl >= best_f - 1e-12:
                        # equal area: the earlier arrival
                        if not known:
                            bg = e_group[best]
                            _match_pins(best, cut_leaves[v, best_c], g_n[bg], e_mask, e_perm,
                                        pin_u2, pin_q2)
                            best_a = _arrival_upto(nl, bg, g_n[bg], pin_u2, pin_q2, at, sl,
                                                   load, BIG)
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
                best, best_c, best_f = _fastest_match(v, p, exact, pick, sub, tab, mp, tm, sc)
            bg = e_group[best]
            _match_pins(best, cut_leaves[v, best_c], g_n[bg], e_mask, e_perm, pin_u2, pin_q2)
            _gate(nl, bg, g_n[bg], pin_u2, pin_q2, at, sl, load, best_out)
            ch[v, p] = best
            ch_cut[v, p] = best_c
            _set_timing(v, p, best_out, at, sl, arr, slew0)
            af[v, p] = best_f if exact else best_f / est[v, p]
        _inverter_phases(v, exact, use_delay, slew0, sub, tab, mp, tm, sc)
        if exact:
            _walk_node(v, 1, ch, ch_cut, refs, cut_leaves, e_area, e_pins, e_mask, e_perm,
                       stack)


@njit(cache=True, inline="always")
def _area_flow(cell_area, n_pins, pin_u, pin_q, af):
    """A match's area flow: its cell's area and the area flows of the phases on its pins."""
    fl = cell_area
    for i in range(n_pins):
        fl += af[pin_u[i], pin_q[i]]
    return fl


@njit(cache=True)
def _map_inputs(first, tab, mp, tm, sc, slew0):
    """The combinational inputs' phases: phase 0 free, phase 1 an inverter on it."""
    inv_group = tab.inv_group
    inv_area = tab.g_area[inv_group]
    pin_u = sc.pin_u
    pin_q = sc.pin_q
    for v in range(1, first):
        mp.ch[v, 0] = CH_FREE
        mp.ch[v, 1] = CH_INV
        mp.af[v, 0] = 0.0
        mp.af[v, 1] = inv_area / mp.est[v, 1]
        pin_u[0] = v
        pin_q[0] = 0
        _gate(tab.nl, inv_group, 1, pin_u, pin_q, tm.at, tm.sl, tm.fan[v, 1], sc.out)
        _set_timing(v, 1, sc.out, tm.at, tm.sl, tm.arr, slew0)


@njit(cache=True)
def _fastest_match(v, p, exact, pick, sub, tab, mp, tm, sc):
    """When no match of phase p of v meets its required time: the fastest, the smaller on
    a tie (as _map_pass scans them). Returns (row, cut, area)."""
    cut_leaves = sub.cut_leaves
    e_truth, e_group, n_start, g_n = tab.e_truth, tab.e_group, tab.n_start, tab.g_n
    pin_u = sc.pin_u
    pin_q = sc.pin_q
    load = tm.fan[v, p]
    best = -1
    best_c = 0
    best_a = BIG
    best_f = BIG
    for c in range(sub.ncut[v]):
        n = sub.cut_size[v, c]
        if n < 2:
            continue
        leaves = cut_leaves[v, c]
        f = _cut_function(sub.cut_tt[v, c], n, p)
        e = _lower_bound(e_truth, n_start[n], n_start[n + 1], f)
        while e < n_start[n + 1] and e_truth[e] == f:
            grp = e_group[e]
            es = e
            if pick:
                es = _best_sibling(e, leaves, tab.s_lo, tab.s_hi, tab.e_mask, tab.e_perm,
                                   g_n[grp], grp, tab.g_d0, tab.g_slope, tm.at, load)
            _match_pins(es, leaves, g_n[grp], tab.e_mask, tab.e_perm, pin_u, pin_q)
            if exact:
                mp.ch[v, p] = es
                mp.ch_cut[v, p] = c
                fl = _exact_area(v, p, mp.ch, mp.ch_cut, mp.refs, cut_leaves, tab.e_area,
                                 tab.e_pins, tab.e_mask, tab.e_perm, sc.stack)
            else:
                fl = _area_flow(tab.g_area[grp], g_n[grp], pin_u, pin_q, mp.af)
            a = _arrival_upto(tab.nl, grp, g_n[grp], pin_u, pin_q, tm.at, tm.sl, load, BIG)
            if a < best_a - 1e-15 or (abs(a - best_a) <= 1e-15 and fl < best_f):
                best, best_c, best_a, best_f = es, c, a, fl
            e += 1
    return best, best_c, best_f


@njit(cache=True)
def _inverter_phases(v, exact, use_delay, slew0, sub, tab, mp, tm, sc):
    """A phase of v by an inverter on the other one, where that is better (at most one)."""
    ch, ch_cut, af, refs, est = mp
    at, sl, arr, req, fan = tm
    pin_u = sc.pin_u
    pin_q = sc.pin_q
    out = sc.out
    inv_group = tab.inv_group
    for p in range(2):
        o = 1 - p
        if ch[v, o] == CH_NONE or ch[v, o] == CH_INV:
            continue
        pin_u[0] = v
        pin_q[0] = o
        a = _gate(tab.nl, inv_group, 1, pin_u, pin_q, at, sl, fan[v, p], out)
        if exact:
            saved = ch[v, p]
            saved_c = ch_cut[v, p]
            ch[v, p] = CH_INV
            fl = _exact_area(v, p, ch, ch_cut, refs, sub.cut_leaves, tab.e_area, tab.e_pins,
                             tab.e_mask, tab.e_perm, sc.stack)
            ch[v, p] = saved
            ch_cut[v, p] = saved_c
        else:
            fl = (tab.g_area[inv_group] + af[v, o] * est[v, o]) / est[v, p]
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


@njit(cache=True)
def _update_estimates(first, nv, est, refs):
    """Fanout estimates for area flow: blended with the references of the last mapping."""
    for v in range(first, nv):
        for p in range(2):
            x = (2.0 * est[v, p] + refs[v, p]) / 3.0
            est[v, p] = x if x > 1.0 else 1.0


@njit(cache=True)
def _sink_loads(sub, tab, ch, ch_cut, refs, co_load, load):
    """The load of every phase the mapping uses: the input capacitance of the cells it
    drives; a phase the mapping does not use keeps its estimate; an output port adds
    co_load."""
    cut_leaves = sub.cut_leaves
    e_group, e_mask, e_perm, g_n, g_cin = tab.e_group, tab.e_mask, tab.e_perm, tab.g_n, tab.g_cin
    nv = ch.shape[0]
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
                load[v, 1 - p, :] += g_cin[tab.inv_group, 0, :]
            elif c >= 0:
                g = e_group[c]
                m = e_mask[c]
                for i in range(g_n[g]):
                    u = cut_leaves[v, ch_cut[v, p], e_perm[c, i]]
                    load[u, (m >> i) & 1, :] += g_cin[g, i, :]
    for lit in sub.co_lits:
        load[lit >> 1, lit & 1, :] += co_load


@njit(cache=True)
def _refs_and_required(sub, tab, ch, ch_cut, sl, fan, refs, req, target):
    """References of the mapping's phases and, under `target` (BIG: none), required times
    (each phase driving fan[v, p]); without a target every required time is BIG, with no
    delay looked up."""
    cut_leaves = sub.cut_leaves
    e_group, e_mask, e_perm, g_n, nl = tab.e_group, tab.e_mask, tab.e_perm, tab.g_n, tab.nl
    refs[:, :] = 0
    req[:, :] = BIG
    timed = target < BIG
    for lit in sub.co_lits:
        refs[lit >> 1, lit & 1] += 1
        if target < req[lit >> 1, lit & 1]:
            req[lit >> 1, lit & 1] = target
    for v in range(ch.shape[0] - 1, 0, -1):
        for k in range(2):
            # the phase made by an inverter first: it references the other phase
            p = k if ch[v, 0] == CH_INV else 1 - k
            if refs[v, p] == 0:
                continue
            c = ch[v, p]
            load = fan[v, p]
            if c == CH_INV:
                refs[v, 1 - p] += 1
                if not timed:
                    continue
                r = req[v, p] - _pin_delay(nl, tab.inv_group, 0, sl[v, 1 - p, 0],
                                           sl[v, 1 - p, 1], load)
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
def _arrivals(sub, tab, ch, ch_cut, fan, at, sl, arr, slew0):
    """Arrival of every chosen phase in topological order; the worst at the outputs."""
    cut_leaves = sub.cut_leaves
    e_group, e_mask, e_perm, g_n, nl = tab.e_group, tab.e_mask, tab.e_perm, tab.g_n, tab.nl
    pin_u = np.zeros(8, dtype=np.int64)
    pin_q = np.zeros(8, dtype=np.int64)
    out = np.zeros(4)
    for v in range(1, ch.shape[0]):
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
                _gate(nl, tab.inv_group, 1, pin_u, pin_q, at, sl, load, out)
                _set_timing(v, p, out, at, sl, arr, slew0)
            elif c >= 0:
                g = e_group[c]
                _match_pins(c, cut_leaves[v, ch_cut[v, p]], g_n[g], e_mask, e_perm, pin_u,
                            pin_q)
                _gate(nl, g, g_n[g], pin_u, pin_q, at, sl, load, out)
                _set_timing(v, p, out, at, sl, arr, slew0)
    worst = 0.0
    for lit in sub.co_lits:
        if arr[lit >> 1, lit & 1] > worst:
            worst = arr[lit >> 1, lit & 1]
    return worst


@njit(cache=True)
def estimate(sub, tab, ch, ch_cut, refs):
    """The worst arrival of a mapping as the timing engine times its netlist under the
    virtual clock (ideal inputs, unloaded outputs): the loads of its own cells' pins, rise
    and fall by sense, slews propagated (tab: with the engine's unate tables)."""
    nv = ch.shape[0]
    load = np.zeros((nv, 2, 2))
    _sink_loads(sub, tab, ch, ch_cut, refs, 0.0, load)
    at = np.zeros((nv, 2, 2))
    sl = np.zeros((nv, 2, 2))
    arr = np.zeros((nv, 2))
    return _arrivals(sub, tab, ch, ch_cut, load, at, sl, arr, 0.0)
