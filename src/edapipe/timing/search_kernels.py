"""Numba kernels of the timing engine: NLDM lookup, levelization, slew/delay, arrival and
required-time propagation. Arrays and scalars only; every loop is iterative.

Conventions: edge index 0 = rise, 1 = fall. `arc_mask[a, eo]` is a bit set of the input edges
that produce output edge `eo` through arc `a` (bit 0 rise, bit 1 fall). Arcs are sorted by
their target node, `in_start[v]:in_start[v+1]` are the arcs into node v.
"""

from __future__ import annotations

import numpy as np

from edapipe.timing.levels import VALUE_LIMIT  # (see there: lookups are clamped to it)
from edapipe.util.jit import njit

NEG_INF = -np.inf
POS_INF = np.inf


@njit(cache=True)
def _clamp(v):
    if v != v:  # nan: the pessimistic (large) value
        return VALUE_LIMIT
    if v > VALUE_LIMIT:
        return VALUE_LIMIT
    if v < -VALUE_LIMIT:
        return -VALUE_LIMIT
    return v


@njit(cache=True)
def _segment(axes, off, n, x):
    """Index i of the segment used for x, and the fraction d (may be <0 or >1: extrapolation)."""
    if n == 1:
        return 0, 0.0
    if x <= axes[off]:
        i = 0
    elif x >= axes[off + n - 1]:
        i = n - 2
    else:
        lo = 0
        hi = n - 1
        while hi - lo > 1:  # axes[lo] <= x < axes[hi]
            mid = (lo + hi) // 2
            if axes[off + mid] <= x:
                lo = mid
            else:
                hi = mid
        i = lo
    a0 = axes[off + i]
    a1 = axes[off + i + 1]
    return i, (x - a0) / (a1 - a0)


@njit(cache=True)
def table_value(t, x_slew, x_cap, x_con, tab_n, tab_var, tab_off, axes, vals):
    """Value of table t at the given axis quantities (OpenSTA's Table2::findValue rule)."""
    n1 = tab_n[t, 0]
    n2 = tab_n[t, 1]
    v1 = tab_var[t, 0]
    v2 = tab_var[t, 1]
    x1 = x_slew if v1 == 0 else (x_cap if v1 == 1 else x_con)
    x2 = x_slew if v2 == 0 else (x_cap if v2 == 1 else x_con)
    i, d1 = _segment(axes, tab_off[t, 0], n1, x1)
    j, d2 = _segment(axes, tab_off[t, 1], n2, x2)
    base = tab_off[t, 2]
    if n1 == 1 and n2 == 1:
        return vals[base]
    if n2 == 1:
        return _clamp((1.0 - d1) * vals[base + i] + d1 * vals[base + i + 1])
    if n1 == 1:
        return _clamp((1.0 - d2) * vals[base + j] + d2 * vals[base + j + 1])
    y00 = vals[base + i * n2 + j]
    y10 = vals[base + (i + 1) * n2 + j]
    y11 = vals[base + (i + 1) * n2 + j + 1]
    y01 = vals[base + i * n2 + j + 1]
    return _clamp((1.0 - d1) * (1.0 - d2) * y00 + d1 * (1.0 - d2) * y10
                  + d1 * d2 * y11 + (1.0 - d1) * d2 * y01)


@njit(cache=True)
def table_values(tids, x_slew, x_cap, x_con, tab_n, tab_var, tab_off, axes, vals):
    """Vectorised table_value; NaN where tids < 0."""
    out = np.empty(len(tids))
    for k in range(len(tids)):
        if tids[k] < 0:
            out[k] = np.nan
        else:
            out[k] = table_value(tids[k], x_slew[k], x_cap[k], x_con[k], tab_n, tab_var,
                                 tab_off, axes, vals)
    return out


@njit(cache=True)
def levelize(n_nodes, in_start, arc_from):
    """Kahn's topological order of all nodes and each node's level; count < n_nodes if the
    graph has a cycle (the nodes left out are on or behind a loop)."""
    n_arcs = len(arc_from)
    out_count = np.zeros(n_nodes + 1, np.int64)
    for a in range(n_arcs):
        out_count[arc_from[a] + 1] += 1
    out_start = np.cumsum(out_count)
    fill = out_start[:-1].copy()
    out_to = np.empty(n_arcs, np.int64)
    for v in range(n_nodes):
        for a in range(in_start[v], in_start[v + 1]):
            f = arc_from[a]
            out_to[fill[f]] = v
            fill[f] += 1
    indeg = np.empty(n_nodes, np.int64)
    for v in range(n_nodes):
        indeg[v] = in_start[v + 1] - in_start[v]
    order = np.empty(n_nodes, np.int64)
    level = np.zeros(n_nodes, np.int64)
    head = 0
    tail = 0
    for v in range(n_nodes):
        if indeg[v] == 0:
            order[tail] = v
            tail += 1
    while head < tail:
        v = order[head]
        head += 1
        for k in range(out_start[v], out_start[v + 1]):
            w = out_to[k]
            if level[v] + 1 > level[w]:
                level[w] = level[v] + 1
            indeg[w] -= 1
            if indeg[w] == 0:
                order[tail] = w
                tail += 1
    return order[:tail], level, tail


@njit(cache=True)
def propagate_slews(order, in_start, arc_from, arc_mask, arc_tab, load, load_min, slew_max,
                    slew_min, arc_dmax, arc_dmin, tab_n, tab_var, tab_off, axes, vals):
    """Delays of every arc and the worst slew at every driver, in topological order.

    A driver's slew per output edge is the max (max analysis) / min (min analysis) over all
    arcs and input edges into it, whichever arc sets the arrival (OpenSTA's rule). `load` is
    the max analysis' net load, `load_min` the min analysis' (set_load -min/-max)."""
    for k in range(len(order)):
        v = order[k]
        a0 = in_start[v]
        a1 = in_start[v + 1]
        if a0 == a1:
            continue
        for eo in range(2):
            smax = NEG_INF
            smin = POS_INF
            cap = load[v, eo]
            cap_min = load_min[v, eo]
            for a in range(a0, a1):
                m = arc_mask[a, eo]
                if m == 0:
                    continue
                f = arc_from[a]
                td = arc_tab[a, eo]
                ts = arc_tab[a, 2 + eo]
                for ei in range(2):
                    if (m >> ei) & 1 == 0:
                        continue
                    s_in = slew_max[f, ei]
                    arc_dmax[a, eo, ei] = table_value(td, s_in, cap, 0.0, tab_n, tab_var,
                                                      tab_off, axes, vals)
                    if ts >= 0:
                        s = table_value(ts, s_in, cap, 0.0, tab_n, tab_var, tab_off, axes, vals)
                        s = max(s, 0.0)
                        if s > smax:
                            smax = s
                    s_in = slew_min[f, ei]
                    arc_dmin[a, eo, ei] = table_value(td, s_in, cap_min, 0.0, tab_n, tab_var,
                                                      tab_off, axes, vals)
                    if ts >= 0:
                        s = table_value(ts, s_in, cap_min, 0.0, tab_n, tab_var, tab_off, axes,
                                        vals)
                        s = max(s, 0.0)
                        if s < smin:
                            smin = s
            slew_max[v, eo] = smax if smax != NEG_INF else 0.0
            slew_min[v, eo] = smin if smin != POS_INF else 0.0


@njit(cache=True)
def propagate_arrivals(order, in_start, arc_from, arc_mask, arc_on, arc_dmax, arc_dmin,
                       at_max, at_min, prev_max, prev_min, keep):
    """Latest (max) and earliest (min) arrivals; prev_* = 2*arc + input edge of the worst
    fanin (-1 at sources). Arcs with arc_on == 0 do not propagate (masked startpoints).
    keep: a node's initial arrival (and prev) stays unless a fanin beats it."""
    for k in range(len(order)):
        v = order[k]
        a0 = in_start[v]
        a1 = in_start[v + 1]
        if a0 == a1:
            continue
        for eo in range(2):
            best_max = NEG_INF
            best_min = POS_INF
            p_max = -1
            p_min = -1
            for a in range(a0, a1):
                m = arc_mask[a, eo]
                if m == 0 or arc_on[a] == 0:
                    continue
                f = arc_from[a]
                for ei in range(2):
                    if (m >> ei) & 1 == 0:
                        continue
                    x = at_max[f, ei]
                    if x != NEG_INF:
                        t = x + arc_dmax[a, eo, ei]
                        if t > best_max:
                            best_max = t
                            p_max = 2 * a + ei
                    x = at_min[f, ei]
                    if x != POS_INF:
                        t = x + arc_dmin[a, eo, ei]
                        if t < best_min:
                            best_min = t
                            p_min = 2 * a + ei
            if not keep or best_max > at_max[v, eo]:
                at_max[v, eo] = best_max
                prev_max[v, eo] = p_max
            if not keep or best_min < at_min[v, eo]:
                at_min[v, eo] = best_min
                prev_min[v, eo] = p_min


@njit(cache=True)
def propagate_required(order, in_start, arc_from, arc_mask, arc_on, arc_dmax, arc_dmin,
                       req_max, req_min):
    """Required times backwards from the endpoints' values already in req_max / req_min:
    setup requires arrival <= req_max, hold requires arrival >= req_min."""
    for k in range(len(order) - 1, -1, -1):
        v = order[k]
        for eo in range(2):
            r_max = req_max[v, eo]
            r_min = req_min[v, eo]
            if r_max == POS_INF and r_min == NEG_INF:
                continue
            for a in range(in_start[v], in_start[v + 1]):
                m = arc_mask[a, eo]
                if m == 0 or arc_on[a] == 0:
                    continue
                f = arc_from[a]
                for ei in range(2):
                    if (m >> ei) & 1 == 0:
                        continue
                    if r_max != POS_INF:
                        r = r_max - arc_dmax[a, eo, ei]
                        if r < req_max[f, ei]:
                            req_max[f, ei] = r
                    if r_min != NEG_INF:
                        r = r_min - arc_dmin[a, eo, ei]
                        if r > req_min[f, ei]:
                            req_min[f, ei] = r
