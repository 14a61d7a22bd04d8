"""The same propagation as search_kernels.py, vectorised with numpy one *level* at a time.

Why two engines: numba's first call in a process costs about a second (importing numba,
scipy.linalg for its BLAS check, loading cached machine code), which on a 20k-cell design is
more than the whole analysis. Mapped netlists of that size are a few hundred levels deep, and
a level-at-a-time numpy sweep over the arcs of each level costs well under a millisecond per
level. Deep designs (thousands of levels, e.g. a mapped hyp) go to the numba kernels, where
per-level overhead would dominate. `search.analyze` picks one; tests check they agree.

All functions follow the kernels' conventions (edge 0 rise / 1 fall, arc_mask bit sets).
"""

from __future__ import annotations

import numpy as np

# Largest magnitude of a looked-up delay or slew (s), in both engines. Real values are
# nanoseconds; hostile tables (a slew that doubles at every stage of a 2000-cell chain)
# overflow to inf, and inf minus inf is nan, which the propagation cannot order (an
# IndexError). Clamped, every result stays finite; valid input never comes near it.
VALUE_LIMIT = 1e30

NEG_INF = -np.inf
POS_INF = np.inf


def levelize(n_nodes: int, in_start: np.ndarray, arc_from: np.ndarray, max_rounds: int):
    """Kahn's algorithm by frontiers: (order, level, count), or None after max_rounds
    frontiers (the caller then uses the numba kernel)."""
    arc_to = np.repeat(np.arange(n_nodes), np.diff(in_start))
    by_from = np.argsort(arc_from, kind="stable")
    out_to = arc_to[by_from]
    out_start = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(np.bincount(arc_from, minlength=n_nodes), out=out_start[1:])
    remaining = np.diff(in_start).astype(np.int64)
    level = np.zeros(n_nodes, np.int64)
    frontier = np.flatnonzero(remaining == 0)
    parts = []
    rounds = 0
    while frontier.size:
        rounds += 1
        if rounds > max_rounds:
            return None
        parts.append(frontier)
        starts = out_start[frontier]
        counts = out_start[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        idx = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        targets = out_to[idx]
        uniq, dec = np.unique(targets, return_counts=True)
        remaining[uniq] -= dec
        frontier = uniq[remaining[uniq] == 0]
        level[frontier] = rounds
    order = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    return order, level, len(order)


def _segment(axes, off, n, x):
    """Vectorised segment index and fraction (extrapolating past both ends)."""
    i = np.zeros(len(x), np.int64)
    maxn = int(n.max()) if len(n) else 1
    for k in range(1, maxn - 1):
        i += (k <= n - 2) & (axes[off + np.minimum(k, n - 1)] <= x)
    a0 = axes[off + i]
    a1 = axes[off + np.minimum(i + 1, n - 1)]
    span = np.where(n > 1, a1 - a0, 1.0)
    d = np.where(n > 1, (x - a0) / span, 0.0)
    return i, d


def table_values(tids, x_slew, x_cap, x_con, tab_n, tab_var, tab_off, axes, vals):
    """Vectorised table lookup; tids must all be valid (>= 0). Results are clamped to
    +-VALUE_LIMIT (nan to +VALUE_LIMIT), as the kernels' table_value."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        v = _table_values(tids, x_slew, x_cap, x_con, tab_n, tab_var, tab_off, axes, vals)
    return np.clip(np.nan_to_num(v, nan=VALUE_LIMIT), -VALUE_LIMIT, VALUE_LIMIT)


def _table_values(tids, x_slew, x_cap, x_con, tab_n, tab_var, tab_off, axes, vals):
    n1 = tab_n[tids, 0]
    n2 = tab_n[tids, 1]
    v1 = tab_var[tids, 0]
    v2 = tab_var[tids, 1]
    x1 = np.where(v1 == 0, x_slew, np.where(v1 == 1, x_cap, x_con))
    x2 = np.where(v2 == 0, x_slew, np.where(v2 == 1, x_cap, x_con))
    i, d1 = _segment(axes, tab_off[tids, 0], n1, x1)
    j, d2 = _segment(axes, tab_off[tids, 1], n2, x2)
    base = tab_off[tids, 2]
    i1 = np.minimum(i + 1, n1 - 1)
    j1 = np.minimum(j + 1, n2 - 1)
    y00 = vals[base + i * n2 + j]
    y10 = vals[base + i1 * n2 + j]
    y11 = vals[base + i1 * n2 + j1]
    y01 = vals[base + i * n2 + j1]
    return ((1.0 - d1) * (1.0 - d2) * y00 + d1 * (1.0 - d2) * y10
            + d1 * d2 * y11 + (1.0 - d1) * d2 * y01)


class LevelPlan:
    """Arcs grouped by the level of their target; within a level, sorted by target."""

    def __init__(self, level: np.ndarray, in_start: np.ndarray, arc_from: np.ndarray):
        n_nodes = len(level)
        arc_to = np.repeat(np.arange(n_nodes), np.diff(in_start))
        lv = level[arc_to]
        perm = np.lexsort((arc_to, lv))
        self.perm = perm
        self.arc_to = arc_to
        counts = np.bincount(lv, minlength=int(level.max()) + 1 if n_nodes else 1)
        self.start = np.zeros(len(counts) + 1, np.int64)
        np.cumsum(counts, out=self.start[1:])
        self.groups = []
        for L in range(len(counts)):
            a = perm[self.start[L]:self.start[L + 1]]
            if len(a) == 0:
                continue
            to = arc_to[a]
            seg = np.flatnonzero(np.r_[True, to[1:] != to[:-1]])
            self.groups.append((a, arc_from[a], to, seg, to[seg]))


def _valid(arc_mask, a):
    """(eo, ei, |a|) booleans: does input edge ei produce output edge eo through arc a."""
    m = arc_mask[a].T.astype(np.int64)  # (eo, |a|)
    return np.stack([(m & 1) != 0, (m & 2) != 0], axis=1)


def propagate_slews(plan: LevelPlan, arc_mask, arc_tab, load, load_min, slew_max, slew_min,
                    arc_dmax, arc_dmin, tab_n, tab_var, tab_off, axes, vals):
    tabs = (tab_n, tab_var, tab_off, axes, vals)
    for a, fr, to, seg, uto in plan.groups:
        k = len(a)
        valid = _valid(arc_mask, a)                                  # (eo, ei, k)
        tid = arc_tab[a].T.reshape(2, 2, k)                          # (kind, eo, k)
        # query grid (analysis, eo, ei, kind, k)
        s_in = np.stack([slew_max[fr].T, slew_min[fr].T])            # (an, ei, k)
        xs = np.broadcast_to(s_in[:, None, :, None, :], (2, 2, 2, 2, k))
        xc = np.broadcast_to(np.stack([load[to].T, load_min[to].T])[:, :, None, None, :],
                             (2, 2, 2, 2, k))
        tq = np.broadcast_to(tid.transpose(1, 0, 2)[None, :, None, :, :], (2, 2, 2, 2, k))
        ok = np.broadcast_to(valid[None, :, :, None, :], (2, 2, 2, 2, k)) & (tq >= 0)
        flat_ok = ok.ravel()
        out = np.zeros(flat_ok.shape)
        sel = np.flatnonzero(flat_ok)
        if len(sel):
            out[sel] = table_values(tq.ravel()[sel], xs.ravel()[sel], xc.ravel()[sel],
                                    np.zeros(len(sel)), *tabs)
        out = out.reshape(2, 2, 2, 2, k)
        arc_dmax[a] = out[0, :, :, 0, :].transpose(2, 0, 1)
        arc_dmin[a] = out[1, :, :, 0, :].transpose(2, 0, 1)
        slew = np.maximum(out[:, :, :, 1, :], 0.0)                   # (an, eo, ei, k)
        oks = ok[:, :, :, 1, :]
        smax = np.where(oks[0], slew[0], NEG_INF).max(axis=1)        # (eo, k)
        smin = np.where(oks[1], slew[1], POS_INF).min(axis=1)
        rmax = np.maximum.reduceat(smax, seg, axis=1)
        rmin = np.minimum.reduceat(smin, seg, axis=1)
        slew_max[uto] = np.where(rmax == NEG_INF, 0.0, rmax).T
        slew_min[uto] = np.where(rmin == POS_INF, 0.0, rmin).T


def propagate_arrivals(plan: LevelPlan, arc_mask, arc_on, arc_dmax, arc_dmin, at_max, at_min,
                       prev_max, prev_min, keep=False):
    """keep: a node's initial arrival (and prev) stays unless a fanin beats it (seeds of
    exception states, search.py); else every node with fanin is overwritten."""
    for a, fr, to, seg, uto in plan.groups:
        k = len(a)
        valid = _valid(arc_mask, a) & (arc_on[a] != 0)[None, None, :]  # (eo, ei, k)
        counts = np.diff(np.r_[seg, k])
        pos = np.arange(k)
        for at, prev, dl, worst, red, better in (
                (at_max, prev_max, arc_dmax, NEG_INF, np.maximum, np.argmax),
                (at_min, prev_min, arc_dmin, POS_INF, np.minimum, np.argmin)):
            src = at[fr].T                                             # (ei, k)
            cand = src[None, :, :] + dl[a].transpose(1, 2, 0)          # (eo, ei, k)
            cand = np.where(valid & (src[None] != worst), cand, worst)
            ei_best = better(cand, axis=1)                             # (eo, k)
            best = np.take_along_axis(cand, ei_best[:, None, :], axis=1)[:, 0, :]
            seg_best = red.reduceat(best, seg, axis=1)                 # (eo, nseg)
            hit = best == np.repeat(seg_best, counts, axis=1)
            first = np.minimum.reduceat(np.where(hit, pos, k), seg, axis=1)
            for eo in range(2):
                f = first[eo]
                p = 2 * a[f] + ei_best[eo, f]
                p = np.where(seg_best[eo] == worst, -1, p)
                if keep:
                    old = at[uto, eo]
                    won = red(seg_best[eo], old) != old
                    at[uto, eo] = np.where(won, seg_best[eo], old)
                    prev[uto, eo] = np.where(won, p, prev[uto, eo])
                else:
                    at[uto, eo] = seg_best[eo]
                    prev[uto, eo] = p


def propagate_required(plan: LevelPlan, arc_mask, arc_on, arc_dmax, arc_dmin, req_max,
                       req_min):
    for a, fr, to, seg, uto in reversed(plan.groups):
        valid = _valid(arc_mask, a) & (arc_on[a] != 0)[None, None, :]  # (eo, ei, k)
        for req, dl, worst, reduce_at in ((req_max, arc_dmax, POS_INF, np.minimum),
                                          (req_min, arc_dmin, NEG_INF, np.maximum)):
            r = req[to].T                                              # (eo, k)
            cand = r[:, None, :] - dl[a].transpose(1, 2, 0)            # (eo, ei, k)
            cand = np.where(valid & (r[:, None, :] != worst), cand, worst)
            best = cand.min(axis=0) if worst == POS_INF else cand.max(axis=0)  # (ei, k)
            for ei in range(2):
                reduce_at.at(req[:, ei], fr, best[ei])
