"""RC delay calculation on nets with parasitics (SPEF), as OpenSTA's default calculator
(`dmp_ceff_elmore`):

1. Each driver's RC tree is reduced to a pi model (c2 near, rpi, c1 far) from the first
   three moments of its driving-point admittance (O'Brien and Savarino, DAC 1989), with the
   load pins' Liberty capacitance (and ports' `set_load`) added at their nodes, per edge,
   once for both analyses with the min analysis' capacitances (as OpenSTA, which reduces a
   net once per corner at its min delay calculation point); each load gets its Elmore
   delay (sum of resistance times downstream capacitance along its path).
2. The driver's delay and slew come from the Liberty table at an *effective* capacitance
   found with the Dartu-Menezes-Pileggi method (IEEE TCAD 15(5), 1996): a ramp source
   behind the table's drive resistance into the pi model, whose 50 % and low-threshold
   crossings and charge must agree with the table at Ceff (Newton-Raphson on t0, dt, Ceff).
3. A load's wire delay and slew are the crossings of the single-pole (Elmore) response to
   the driver's waveform, measured from the driver's own crossing: slew degradation.

The equations are the papers'; the iteration (starting points, tolerances, fall-backs and
the exp() approximation) follows OpenSTA's so the numbers agree to well under a picosecond.

The iteration runs in numpy, one level of the graph at a time: every driver arc of a level
(whose input slews are known) is solved at once (`dmp`), the scalar iteration's steps on
arrays with a mask of the arcs still iterating, so each arc stops where it would alone
(bit for bit: `test_batched_dmp_is_each_arc_alone`); the min and max analyses share a
solution when arc, slew and pi model agree. gcd (288 RC nets, 1988 solves in 16 levels):
0.135 s in scalar Python, 0.045 s batched. Not numba: importing it and loading one
cached kernel costs 0.44 s CPU, more than the whole pass on gcd. Numerical failures of
hostile parasitics (zero or out-of-range moments, no convergence: a non-finite number or a
flag here, an exception in the scalar form) fall back as the scalar form did: to the
table at the lumped load (or, for a failed crossing, the table's slew).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np


DRIVER_TOL = 0.01     # relative tolerance of t0, dt, Ceff in the Newton iteration
CROSS_TOL = 0.01      # relative tolerance of threshold crossing times
MAX_NEWTON = 100
MAX_ROOT = 20


_F32 = struct.Struct("f")


# -- pi model reduction ----------------------------------------------------------------------
def rc_tree(n_nodes: int, res: list[tuple[int, int, float]], driver: int):
    """(order, parent, parent resistance) of the RC tree seen from `driver`: the nodes it
    reaches in depth-first order (iterative), each one's parent and the resistor to it; a
    resistor that would close a loop is ignored."""
    adj: list[list[tuple[int, float]]] = [[] for _ in range(n_nodes)]
    for a, b, r in res:
        if a != b:
            adj[a].append((b, r))
            adj[b].append((a, r))
    parent = [-1] * n_nodes
    parent_r = [0.0] * n_nodes
    seen = [False] * n_nodes
    order: list[int] = []
    stack = [driver]
    seen[driver] = True
    while stack:
        v = stack.pop()
        order.append(v)
        for w, r in reversed(adj[v]):
            if not seen[w]:
                seen[w] = True
                parent[w] = v
                parent_r[w] = r
                stack.append(w)
    return order, parent, parent_r


def reduce_pi_elmore(n_nodes: int, res: list[tuple[int, int, float]], cap: list[float],
                     driver: int, tree=None) -> tuple[float, float, float, list[float]]:
    """(c2, rpi, c1, elmore per node) of the RC tree seen from `driver` (`tree`: its
    rc_tree, when known). A resistor that would close a loop is ignored (the tree it
    leaves is reduced)."""
    order, parent, parent_r = tree or rc_tree(n_nodes, res, driver)
    y1 = [0.0] * n_nodes
    y2 = [0.0] * n_nodes
    y3 = [0.0] * n_nodes
    for v in order:
        y1[v] = cap[v]
    for v in reversed(order):   # children before parents
        p = parent[v]
        if p < 0:
            continue
        r = parent_r[v]
        a1, a2, a3 = y1[v], y2[v], y3[v]
        y1[p] += a1
        y2[p] += a2 - r * a1 * a1
        y3[p] += a3 - 2 * r * a1 * a2 + r * r * a1 * a1 * a1
    Y1, Y2, Y3 = y1[driver], y2[driver], y3[driver]
    if Y2 == 0.0 or Y3 == 0.0:   # no resistance (or moments below the float range): lumped
        c2, rpi, c1 = 0.0, 0.0, Y1
    else:
        c1 = Y2 * Y2 / Y3
        c2 = Y1 - c1
        rpi = -Y3 * Y3 / (Y2 * Y2 * Y2)
    elmore = [0.0] * n_nodes
    for v in order:   # parents before children; y1 is the downstream capacitance
        p = parent[v]
        if p >= 0:
            elmore[v] = elmore[p] + parent_r[v] * y1[v]
    # OpenSTA keeps the pi model in single precision
    return _f32(c2), _f32(rpi), _f32(c1), elmore


def _f32(x: float) -> float:
    """x rounded to single precision (as OpenSTA keeps it); struct is twice numpy's speed
    on one scalar, numpy takes what struct refuses (beyond the float32 range: inf)."""
    try:
        return _F32.unpack(_F32.pack(x))[0]
    except (OverflowError, struct.error):
        return float(np.float32(x))


# -- Dartu / Menezes / Pileggi, batched -------------------------------------------------------
@dataclass(repr=False, eq=False)
class Thresholds:
    vth: float = 0.5
    vl: float = 0.2
    vh: float = 0.8
    derate: float = 1.0


def dmp(tables, th: Thresholds, td, ts, s_in, c2, rpi, c1, load_job, elmore):
    """The DMP delay calculation of many driver arcs at once: arc k is Liberty delay table
    td[k] (slew table ts[k], or -1 for none) at input slew s_in[k] into the pi model
    (c2[k], rpi[k], c1[k]); load i of the arcs' nets hangs on arc load_job[i] with Elmore
    delay elmore[i]. Returns (gate delay, gate slew) per arc and (wire delay, load slew)
    per load, as arrays.

    Each arc goes through the steps of OpenSTA's DmpCeff one after the other: drive
    resistance and model choice (lumped, c2 = 0 or full pi), Newton on (t0, dt, Ceff),
    threshold crossings of the driver's and the loads' waveforms, with the same fall-backs.
    Every step runs on all arcs at once with a mask of the arcs still iterating: a loop
    stops for an arc exactly where the scalar iteration would, so the numbers are the
    scalar iteration's. Failures (a Python exception in the scalar form: zero division,
    overflow, no convergence, a bracket without root) are a non-finite value or a flag
    here, and take the same fall-back."""
    m = len(td)
    with np.errstate(all="ignore"):
        return _dmp(tables, th, np.asarray(td, np.int64), np.asarray(ts, np.int64),
                    np.asarray(s_in, float), np.asarray(c2, float), np.asarray(rpi, float),
                    np.asarray(c1, float), np.asarray(load_job, np.int64),
                    np.asarray(elmore, float), m)


def _lookup(tables, td, ts, s_in):
    """(delay, slew) of every arc's tables at its input slew, as a function of the load
    capacitances (one lookup for both tables; the slew clipped at 0, 0 without a slew
    table)."""
    m = len(td)
    has_s = ts >= 0
    at = _AtSlew(tables, np.concatenate([td, np.where(has_s, ts, td)]),
                 np.concatenate([s_in, s_in]))

    def both(cap):
        v = at(np.concatenate([cap, cap]))
        return v[:m], np.where(has_s, np.maximum(v[m:], 0.0), 0.0)
    return both


class _AtSlew:
    """Liberty tables, each at its own fixed input slew, as a function of the load
    capacitance: OpenSTA's bilinear lookup (extrapolated beyond the axes), the rule of the
    kernels' table_value (without their clamp: the DMP iteration sees a table's numbers as
    they are). The slew axis is located once; each call locates the capacitances on their
    axes (_Axis) and reads the four corners, or, where every table has the load on one
    axis only (the usual delay and slew tables), two points of its row interpolated once
    at the slew (`at_slew`)."""

    def __init__(self, tables, tids, s_in):
        tab_n, tab_var, tab_off, axes, vals = tables
        self.vals = vals
        n, var, off = tab_n[tids], tab_var[tids], tab_off[tids]
        # the capacitance axis ("c") is axis 1 where its variable is the load, else axis 2;
        # the other ("f") is fixed: at the input slew, or 0 for another variable
        c_first = var[:, 0] == 1
        nc, nf = np.where(c_first, n[:, 0], n[:, 1]), np.where(c_first, n[:, 1], n[:, 0])
        vc, vf = np.where(c_first, var[:, 0], var[:, 1]), np.where(c_first, var[:, 1], var[:, 0])
        oc, of = np.where(c_first, off[:, 0], off[:, 1]), np.where(c_first, off[:, 1], off[:, 0])
        self.stride_c = np.where(nc > 1, np.where(c_first, n[:, 1], 1), 0)
        self.stride_f = np.where(nf > 1, np.where(c_first, 1, n[:, 1]), 0)
        fax = _Axis(axes, of, nf)
        i, df = fax.locate(np.where(vf == 0, s_in, 0.0))
        self.base = off[:, 2]
        self.fixed = i, df, 1.0 - df, self.base + i * self.stride_f
        # (a table whose both variables are the load: its other axis follows it too)
        self.both = None if not (vf == 1).any() else (vf == 1, fax)
        self.cax = _Axis(axes, oc, nc)
        self.dynamic = None if (vc == 1).all() else (vc == 1, np.where(vc == 0, s_in, 0.0))
        self.at_slew = None
        if self.both is None and self.dynamic is None:
            # every table's row at its fixed slew, interpolated once along the slew axis:
            # a call interpolates along the capacitance alone (the DMP iteration calls
            # this a hundred times per level; the sum's order differs from the four-corner
            # form by rounding only)
            w = max(int(nc.max(initial=1)), 2)
            col = np.minimum(np.arange(w), np.maximum(nc - 1, 0)[:, None])
            k = col * self.stride_c[:, None]
            b0 = self.fixed[3][:, None]
            rows = self.fixed[2][:, None] * vals[b0 + k] \
                + df[:, None] * vals[b0 + self.stride_f[:, None] + k]
            self.at_slew = rows.reshape(-1), np.arange(0, rows.size, w)

    def __call__(self, cap):
        if self.at_slew is not None:
            flat, start = self.at_slew
            j, d = self.cax.locate(cap)
            at = start + j
            r0 = flat[at]
            return r0 + d * (flat[at + 1] - r0)
        i, df, w0, b0 = self.fixed
        if self.both is not None:
            sel, fax = self.both
            i2, df2 = fax.locate(cap)
            i, df = np.where(sel, i2, i), np.where(sel, df2, df)
            w0, b0 = 1.0 - df, self.base + i * self.stride_f
        if self.dynamic is not None:
            cap = np.where(self.dynamic[0], cap, self.dynamic[1])
        j, d = self.cax.locate(cap)
        e = 1.0 - d
        b1 = b0 + self.stride_f
        k0 = j * self.stride_c
        k1 = k0 + self.stride_c
        vs = self.vals
        return w0 * e * vs[b0 + k0] + df * e * vs[b1 + k0] + df * d * vs[b1 + k1] \
            + w0 * d * vs[b0 + k1]


class _Axis:
    """Rows of axis points (row k: n[k] points from axes[off[k]], strictly increasing),
    ready to locate one value per row: the segment is the count of the row's interior
    points at or below the value (the first or last segment beyond the ends)."""

    def __init__(self, axes, off, n):
        w = max(int(n.max(initial=1)), 2)
        cols = np.arange(w)
        pts = np.where(cols < n[:, None], axes[np.minimum(off[:, None] + cols, len(axes) - 1)],
                       np.inf)
        self.flat = pts.reshape(-1)
        self.rows = np.arange(0, pts.size, w)
        self.inner = np.where(cols[1:w - 1] < (n - 1)[:, None], pts[:, 1:w - 1], np.inf) \
            if w > 2 else None
        self.single = None if (n > 1).all() else n > 1

    def locate(self, x):
        """(segment, fraction along it) of x[k] on row k."""
        if self.inner is None:
            at = self.rows
            j = np.zeros(len(x), np.int64)
        else:
            # (the ufunc directly: count_nonzero adds a Python layer per call)
            j = np.add.reduce(self.inner <= x[:, None], axis=1)
            at = self.rows + j
        a0 = self.flat[at]
        d = (x - a0) / (self.flat[at + 1] - a0)
        return j, d if self.single is None else np.where(self.single, d, 0.0)


def _f32a(x: np.ndarray) -> np.ndarray:
    """x rounded to single precision (as OpenSTA keeps it)."""
    return x.astype(np.float32).astype(np.float64)


def _dmp(tables, th, td, ts, s_in, c2, rpi, c1, load_job, elmore, m):
    vth, vl, vh, derate = th.vth, th.vl, th.vh, th.derate
    table = _lookup(tables, td, ts, s_in)
    ctot = c1 + c2
    # drive resistance: the table's delay slope between 75 % and 82.5 % of the total
    # capacitance (Debian's 2019 OpenSTA; current OpenSTA uses the slope at the total
    # capacitance, times -ln(vth)), in single precision as OpenSTA
    cap1 = _f32a(ctot * 0.75)
    cap2 = (cap1.astype(np.float32) * np.float32(1.1)).astype(np.float64)
    d1 = table(cap1)[0]
    d2 = table(cap2)[0]
    rd = np.where(cap2 != cap1, np.abs(d1 - d2) / (cap2 - cap1), 0.0)
    lumped = (rd < 1e-2) | (rpi < rd * 1e-3) | (c1 == 0.0) | (c1 < c2 * 1e-3) | (rpi == 0.0)
    c2zero = ~lumped & (c2 < c1 * 1e-3)
    pi = ~lumped & ~c2zero
    # the unit-ramp response of the driver node: k0 (k1 + k2 t + k3 e^-p1t + k4 e^-p2t)
    z1 = 1.0 / (rpi * c1)
    a = rpi * rd * c1 * c2
    b = rd * ctot + rpi * c1
    root = np.sqrt(b * b - 4 * a)
    p1 = np.where(pi, (b + root) / (2 * a), 1.0 / (c1 * (rd + rpi)))
    p2 = np.where(pi, (b - root) / (2 * a), 1.0)
    p1p2 = p1 * p2
    k0 = np.where(pi, 1.0 / (rd * c2), p1 / z1)
    k2 = np.where(pi, z1 / p1p2, 1.0 / k0)
    k1 = np.where(pi, (1.0 - k2 * (p1 + p2)) / p1p2, (p1 - z1) / (p1 * p1))
    k4 = np.where(pi, (k1 * p1 + k2) / (p2 - p1), 0.0)
    k3 = -k1 - k4
    # the current into the pi model (its charge equation)
    z = ctot / (rpi * c1 * c2)
    A = z / p1p2
    B = (z - p1) / (p1 * (p1 - p2))
    D = (z - p2) / (p2 * (p2 - p1))
    model_ok = np.isfinite(k0) & np.isfinite(k1) & np.isfinite(k2) & np.isfinite(k3) & \
        np.isfinite(k4) & np.isfinite(p1) & np.isfinite(p2)
    model_ok &= ~pi | (np.isfinite(A) & np.isfinite(B) & np.isfinite(D))
    newton = (pi | c2zero) & model_ok
    t0, dt, ceff, ok = _driver_params(table, th, rd, c1, ctot, pi, newton, A, B, D, p1, p2)
    ok &= newton
    # the table at the final effective capacitance (or the fall-back's)
    c_at = np.where(pi & ok, ceff, np.where(c2zero, c1, ctot))
    t_delay, t_slew = table(c_at)
    # threshold crossings of the driver's and (on speculation: they need only the driver's
    # parameters) every load's waveform, in one batch
    vo_ub = t0 + dt + np.where(pi, ctot, c1) * (rd + rpi) * 2.0
    lj = load_job
    p3 = 1.0 / elmore
    ld = ok[lj] & (elmore != 0.0)
    k0l, k1l, k2l, k3l, k4l, p1l, p2l = (k0[lj], k1[lj], k2[lj], k3[lj], k4[lj], p1[lj],
                                         p2[lj])
    pil = pi[lj]
    d3 = -p3 * k0l * k3l / (p1l - p3)
    d4 = np.where(pil, -p3 * k0l * k4l / (p2l - p3), 0.0)
    d5 = k0l * (k2l / p3 - k1l + p3 * k3l / (p1l - p3)
                + np.where(pil, p3 * k4l / (p2l - p3), 0.0))
    drv = np.flatnonzero(ok)
    lds = np.flatnonzero(ld)
    n_d = len(drv)
    ld_job = lj[lds]
    # wave k: K (a + b u + c1 e^-p1u + c3 e^-p3u + c2 e^-p2u) at u = t - t0, minus the same
    # at u - dt beyond dt, over dt (rows t0, dt, K, a, b, c1, c2, c3, p1, p2, p3)
    none, ones = np.zeros(m), np.ones(len(lj))
    waves = _Waves(np.concatenate([
        np.array([t0, dt, k0, k1, k2, k3, k4, none, p1, p2, none])[:, drv],
        np.array([t0[lj], dt[lj], ones, k0l * (k1l - k2l / p3), ones, d3, d4, d5, p1l, p2l,
                  p3])[:, lds]], axis=1))
    hi = np.concatenate([vo_ub[drv], vo_ub[ld_job] + elmore[lds]])
    (t_th, t_lo, t_hi), found = _crossings(waves, (vth, vl, vh), waves.t0, hi)
    cross_slew = (t_hi - t_lo) / derate
    # the driver: pi model valid with its crossings, else the table's slew; c2 = 0: its
    # crossings are delay and slew, else the table's at c1 (the arc stays valid)
    d_ok = np.zeros(m, bool)
    d_ok[drv] = found[:n_d]
    d_t = np.zeros(m)
    d_t[drv] = t_th[:n_d]
    d_s = np.zeros(m)
    d_s[drv] = cross_slew[:n_d]
    use_cross = ok & d_ok
    delay = np.where(c2zero & use_cross, d_t, t_delay)
    slew = np.where(use_cross, d_s, t_slew)
    valid = ok & (c2zero | d_ok)
    vo_delay = np.where(use_cross, d_t, np.where(c2zero, t_delay, 0.0))
    # the loads: the single-pole response's crossings from the driver's, else the Elmore
    # delay and the driver's slew
    drvr_slew = slew[lj]
    l_ok = np.zeros(len(lj), bool)
    l_ok[lds] = found[n_d:]
    l_t = np.zeros(len(lj))
    l_t[lds] = t_th[n_d:]
    l_s = np.zeros(len(lj))
    l_s[lds] = cross_slew[n_d:]
    l_delay = l_t - vo_delay[lj]
    l_delay = np.where(l_delay < 0.0, elmore, l_delay)
    l_slew = np.where(l_s < drvr_slew, drvr_slew, l_s)
    crossed = valid[lj] & l_ok & (elmore != 0.0) & ~(elmore < drvr_slew * 1e-3)
    wire = np.where(crossed, _f32a(l_delay), elmore)
    load_slew = np.where(crossed, _f32a(l_slew), drvr_slew)
    return delay, slew, wire, load_slew


def _driver_params(table, th, rd, c1, ctot, pi, active, A, B, D, p1, p2):
    """(t0, dt, Ceff, converged) of the ramp that matches the table's 50 % and low
    crossings (and, for the full pi model, its charge) by Newton-Raphson: three equations
    for the pi model, two with Ceff = c1 for c2 = 0 (a third row x2' = 0 makes one 3x3
    step of both)."""
    vth, vl, vh, derate = th.vth, th.vl, th.vh, th.derate
    m = len(rd)
    c2zero = ~pi
    ceff = np.where(pi, ctot, c1)
    t_vth, t_slew = table(ceff)
    slew = t_slew * derate
    dt = slew / (vh - vl)
    t0 = t_vth + math.log(1.0 - vth) * rd * ceff - vth * dt
    fail = np.zeros(m, bool)
    active = active.copy()
    zero = np.zeros(m)
    one = np.ones(m)
    neg_p = np.array([-p1, -p2])
    b_p1, d_p2, b2_p1, d2_p2 = B / p1, D / p2, 2 * B / p1, 2 * D / p2
    all_pi = bool(pi.all())
    any_c2zero = not all_pi

    def pi_or(value, other):   # (no select when every arc has the full pi model)
        return value if all_pi else np.where(pi, value, other)
    for it in range(MAX_NEWTON):
        if not active.any():
            break
        if it > 0:
            t_vth, t_slew = table(ceff)   # (c2 = 0: at c1 every time, the same numbers)
            slew = t_slew * derate
        t_vl = t_vth - slew * (vth - vl) / (vh - vl)
        if any_c2zero:   # c2 = 0 restarts a non-positive ramp width from the crossings
            dt = np.where(c2zero & (dt <= 0.0), (t_vl - t_vth) / 100, dt)
        bad = (dt <= 0.0) | (pi & ((ceff < 0.0) | (ceff > ctot) | (slew == 0.0)))
        rc_ = rd * ceff
        (y_vl, y_vth), (j00, j10), (j01, j11), (j02, j12) = _ramp_rc(
            np.array([t_vl, t_vth]), t0, dt, rd, rc_)
        ct = np.minimum(slew / (vh - vl), 1.4 * dt)
        ex = np.exp(np.concatenate([neg_p * dt, [-dt / rc_], neg_p * ct, [-ct / rc_]]))
        e1, e2, er = ex[:3]
        om1, om2, omr, omc1, omc2, omcr = 1.0 - ex   # (1 - each)
        rd_ct_dt = rd * ct * dt
        two_rc = 2 * rd * ceff
        ipi = (A * ct + b_p1 * omc1 + d_p2 * omc2) / rd_ct_dt
        iceff = (rc_ * ct - rc_ ** 2 * omcr) / rd_ct_dt
        j21 = ((-A * dt + B * dt * e1 - b2_p1 * om1 + D * dt * e2
                - d2_p2 * om2 + rc_ * (dt + dt * er - two_rc * omr))
               / (rd * dt * dt * dt))
        j22 = (two_rc - dt - (two_rc + dt) * er) / (dt * dt)
        p, singular = _solve3(np.array([
            [j00, j01, pi_or(j02, zero), vl - y_vl],
            [j10, j11, pi_or(j12, zero), vth - y_vth],
            [zero, pi_or(j21, zero), pi_or(j22, one), pi_or(iceff - ipi, zero)]]))
        x = np.array([t0, dt, ceff])
        # (ufunc reductions: the ndarray methods add a Python layer per call)
        done = ~np.logical_or.reduce(np.abs(p) > np.abs(x) * DRIVER_TOL)
        bad |= singular | ~np.logical_and.reduce(np.isfinite(p))
        step = active & ~bad
        t0, dt, ceff = np.where(step, x + p, x)
        fail |= active & bad
        active &= ~bad & ~done
    fail |= active   # no convergence
    return t0, dt, ceff, ~fail


def _ramp_rc(t, t0, dt, rd, rc_):
    """A ramp from t0 over dt through rd into the capacitance cl (rc_ = rd cl): its value
    at t and the value's derivatives by t0, dt and cl (the Newton iteration's Jacobian
    row). t: (points, arcs); the ramp's start (t1) and end (t2) are worked out together."""
    t1 = t - t0
    tt = np.array([t1, t1 - dt])
    q = tt / rc_
    ex = np.exp(-q)
    om = 1.0 - ex
    (y0, z0), (y0dcl, z0dcl) = tt - rc_ * om, rd * ((1.0 + q) * ex - 1)
    (om1, om2), dt2 = om, dt * dt
    ramp = t1 <= dt
    # (y0 + z0 in the dt derivative, as OpenSTA's dy/ddt)
    out = np.where(ramp, [y0 / dt, -om1 / dt, -y0 / dt2, y0dcl / dt],
                   [(y0 - z0) / dt, -(om1 - om2) / dt, -(y0 + z0) / dt2 + om2 / dt,
                    (y0dcl - z0dcl) / dt])
    return np.where(t1 > 0.0, out, 0.0)


def _solve3(M):
    """Solve 3x3 systems side by side, M (3 rows, [a_i0 a_i1 a_i2 b_i], systems): Crout LU
    with implicit row scaling and partial pivoting as OpenSTA's (ties go to the later row,
    a zero pivot becomes 1e-20). Returns (x (3, systems), singular: a row of zeros)."""
    mag = np.abs(M[:, :3])
    big = np.maximum(np.maximum(mag[:, 0], mag[:, 1]), mag[:, 2])
    singular = np.minimum.reduce(big) == 0.0
    scale = 1.0 / big
    # column 0: the pivot row is the last of the largest scaled magnitudes
    imax = 2 - np.argmax((scale * mag[:, 0])[::-1], axis=0)
    r0 = M[imax, :, np.arange(len(imax))].T
    top1, top2 = imax == 1, imax == 2
    rest = np.array([np.where(top1, M[0], M[1]), np.where(top2, M[0], M[2])])   # rows 1, 2
    s1 = np.where(top1, scale[0], scale[1])
    s2 = np.where(top2, scale[0], scale[2])
    a00 = np.where(r0[0] == 0.0, 1e-20, r0[0])
    low = rest[:, 0] * (1.0 / a00)
    up = rest[:, 1] - low * r0[1]
    # column 1: rows 1 and 2 swap when row 2's scaled magnitude is at least row 1's
    swap = s2 * np.abs(up[1]) >= s1 * np.abs(up[0])
    R = np.array([low, up, rest[:, 2], rest[:, 3]])
    (a10, a20), (a11, a21), (a12, a22), (b1, b2) = np.where(swap, R[:, ::-1], R)
    a11 = np.where(a11 == 0.0, 1e-20, a11)
    a21 = a21 * (1.0 / a11)
    # column 2
    a12 = a12 - a10 * r0[2]
    s = a22 - a20 * r0[2]
    s = s - a21 * a12
    a22 = np.where(s == 0.0, 1e-20, s)
    # forward and back substitution
    y0 = r0[3]
    y1 = b1 - a10 * y0
    y2 = b2 - a20 * y0
    y2 = y2 - a21 * y1
    x2 = y2 / a22
    x1 = (y1 - a12 * x2) / a11
    x0 = ((y0 - r0[1] * x1) - r0[2] * x2) / a00
    return np.array([x0, x1, x2]), singular


class _Waves:
    """Driver and load waveforms side by side: wave k at time t is
    K (a + b u + c1 e^-p1u + c3 e^-p3u + c2 e^-p2u) at u = t - t0 (0 before t0), minus the
    same at u - dt beyond the ramp's end, over dt; with its time derivative. The
    parameters are the rows of one array (picking some waves is one indexing)."""

    def __init__(self, params):
        self.params = params   # rows t0, dt, K, a, b, c1, c2, c3, p1, p2, p3
        self.t0 = params[0]

    def at(self, t, k=None):
        """(value, slope) at t (of the waves k, or all)."""
        t0, dt, K, a, b, c1, c2, c3, p1, p2, p3 = \
            self.params if k is None else self.params[:, k]
        t1 = t - t0
        u = np.array([t1, t1 - dt])   # (the ramp's start and end together)
        e1, e3, e2 = np.exp(np.array([-p1, -p3, -p2])[:, None] * u)   # (one exp for all)
        (f, f2) = K * (a + b * u + c1 * e1 + c3 * e3 + c2 * e2)
        (df, df2) = K * (b - c1 * p1 * e1 - c3 * p3 * e3 - c2 * p2 * e2)
        after = t1 > dt
        v = np.where(after, (f - f2) / dt, f / dt)
        dv = np.where(after, (df - df2) / dt, df / dt)
        started = t1 > 0.0
        return np.where(started, v, 0.0), np.where(started, dv, 0.0)


def _crossings(waves: _Waves, levels, lo, hi):
    """When each wave crosses each level between lo and hi: ([times per level], found:
    every level crossed). Newton-Raphson safeguarded by bisection, per wave and level, as
    OpenSTA's findRoot (the bracket's midpoint is the first point of every level)."""
    n = len(lo)
    L = len(levels)
    waves_k = np.arange(n)
    both, slopes = waves.at(np.concatenate([lo, hi, (lo + hi) * 0.5]),
                            np.concatenate([waves_k] * 3))
    w_lo, w_hi, y_mid = both[:n], both[n:2 * n], both[2 * n:]
    dy_mid = slopes[2 * n:]
    # all (level, wave) problems in one vector
    k_of = np.concatenate([waves_k] * L)
    v = np.repeat(np.asarray(levels, float), n)
    x1 = np.concatenate([lo] * L)
    x2 = np.concatenate([hi] * L)
    y1 = np.concatenate([w_lo] * L) - v
    y2 = np.concatenate([w_hi] * L) - v
    bad = ((y1 > 0.0) & (y2 > 0.0)) | ((y1 < 0.0) & (y2 < 0.0)) | np.isnan(y1) | np.isnan(y2)
    at_lo = ~bad & (y1 == 0.0)
    at_hi = ~bad & ~at_lo & (y2 == 0.0)
    root = np.where(at_lo, x1, x2)
    active = ~bad & ~at_lo & ~at_hi
    flip = y1 > 0.0
    x1, x2 = np.where(flip, x2, x1), np.where(flip, x1, x2)
    r = (x1 + x2) * 0.5
    root = np.where(active, r, root)
    y = np.concatenate([y_mid] * L) - v
    dy = np.concatenate([dy_mid] * L)
    dx_prev = np.abs(x2 - x1)
    # the problems' state as rows of one array (one gather and one scatter per step):
    # root, bracket (x1 below the level, x2 above), value and slope at the root, the last
    # two steps
    state = np.array([root, x1, x2, y, dy, dx_prev, dx_prev])
    for _ in range(MAX_ROOT):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        r, a1, a2, yy, dyy, dxp, dxx = state[:, idx]
        bis = (((r - a2) * dyy - yy) * ((r - a1) * dyy - yy) > 0.0) | \
            (np.abs(2.0 * yy) > np.abs(dxp * dyy))
        dxp = dxx
        dxx = np.where(bis, (a2 - a1) * 0.5, yy / dyy)
        r = np.where(bis, a1 + dxx, r - dxx)
        finite = np.isfinite(r)
        bad[idx] |= ~finite
        active[idx] = ~(np.abs(dxx) <= CROSS_TOL * np.abs(r)) & finite
        # (the converged ones too: their new bracket and value are not used)
        yy, dyy = waves.at(r, k_of[idx])
        yy = yy - v[idx]
        below = yy < 0.0
        state[:, idx] = np.array([r, np.where(below, r, a1), np.where(below, a2, r), yy, dyy,
                                  dxp, dxx])
    root = state[0]
    bad |= active   # no convergence
    found = ~np.logical_or.reduce(bad.reshape(L, n))
    return root.reshape(L, n), found


def dspf_wire(elmore: float, drvr_slew: float, th: Thresholds) -> tuple[float, float]:
    """Wire delay and load slew of an input port (no driving cell) through an RC net: the
    single-pole response to a step (OpenSTA's input-port rule)."""
    return (-elmore * math.log(1.0 - th.vth),
            drvr_slew + elmore * math.log((1.0 - th.vl) / (1.0 - th.vh)) / th.derate)


# -- annotation of a timing graph -------------------------------------------------------------
@dataclass(repr=False, eq=False)
class RcNet:
    """A driver's reduced net: pi model and Elmore delay of each load node, per
    (output edge, minmax)."""

    pi: dict[tuple[int, int], tuple[float, float, float]]
    elmore: dict[int, dict[tuple[int, int], float]]   # load node -> {(edge, mm): s}
    # the driver's load as `report_checks -fields cap` prints it (OpenSTA's
    # GraphDelayCalc::loadCap), F per (edge, mm); None where a port of the net has a
    # set_load for that edge and analysis (set_load takes precedence over parasitics: the
    # lumped load of the graph)
    cap: dict[tuple[int, int], float | None] = field(default_factory=dict)


def annotate(g, spef, sdc) -> list[str]:
    """Reduce the SPEF nets onto the graph's drivers (g.rc); returns warnings. Nets with
    `set_load` on them keep that load (as OpenSTA: set_load on a net overrides parasitics)."""
    warnings: list[str] = []
    n_pins = int(np.count_nonzero(g.node_inst >= 0))
    by_name: dict[str, int] = {g.node_name(v): v for v in range(n_pins)}
    by_name.update(g.port_node)
    explicit = set()
    if sdc.net_loads:
        index = {n: k for k, n in enumerate(g.netlist.net_names)}
        explicit = {index[n] for n in sdc.net_loads if n in index}
    n_ports = len(g.port_node)
    pin_cap = g.pin_cap if g.pin_cap_min is None else g.pin_cap_min
    rc: dict[int, RcNet] = {}
    unknown = 0
    net_pins = _net_pin_caps(g, n_pins).tolist()
    set_load = _port_set_loads(g, sdc)
    # (plain floats: numpy scalars cost a microsecond each here; pin capacitances in
    # single precision, as OpenSTA's)
    node_cap = pin_cap.astype(np.float32).astype(float)
    if n_ports:
        node_cap[n_pins:n_pins + n_ports] = g.port_ext[:, :, 1]
    node_cap = node_cap.tolist()
    node_net = g.node_net.tolist()
    for net in spef.nets:
        nodes = {}
        for pin in net.pins:
            v = by_name.get(pin)
            if v is None:
                unknown += 1
                continue
            nodes[pin] = v
        if not nodes:
            continue
        gnet = node_net[next(iter(nodes.values()))]
        if gnet < 0 or gnet in explicit:
            continue
        drv = int(g.net_driver[gnet])
        if drv < 0:
            continue
        drv_name = g.node_name(drv) if g.node_inst[drv] >= 0 else g.node_pin[drv]
        if net.reduced is not None:
            name, pi, loads = net.reduced
            if name != drv_name:
                continue
            pi = tuple(_f32(x) for x in pi)
            total = _f32(pi[0] + pi[2])   # a pi model holds the pins' capacitance too
            rc[drv] = RcNet({(e, mm): pi for e in range(2) for mm in range(2)},
                            {by_name[p]: {(e, mm): t for e in range(2) for mm in range(2)}
                             for p, t in loads.items() if p in by_name},
                            {(e, mm): None if (gnet, e, mm) in set_load else total
                             for e in range(2) for mm in range(2)})
            continue
        if drv_name not in net.nodes:
            warnings.append(f"SPEF net {excerpt_name(net.name)} (line {net.line}) does not "
                            f"contain its driver {excerpt_name(drv_name)}; its load is lumped")
            continue
        pis, elm = {}, {}
        n = len(net.node_names)
        at = [(net.nodes[pin], v) for pin, v in nodes.items()]
        tree = rc_tree(n, net.res, net.nodes[drv_name])   # (the same for both edges)
        last = None
        for e in range(2):
            # one reduction per edge for both analyses, with the pins' (and ports') loads
            # of the min analysis, as OpenSTA: it reduces a net once per corner (one
            # parasitic analysis point for min and max) at the first delay calculation
            # point, the min one (for ASAP7's pins: their capacitance range's low end)
            cap = list(net.cap)
            for k, v in at:
                cap[k] += node_cap[v][e]
            if last is None or cap != last[0]:   # (the edges' pin loads often agree)
                last = cap, reduce_pi_elmore(n, net.res, cap, net.nodes[drv_name], tree)
            c2, rpi, c1, el = last[1]
            for mm in range(2):
                pis[(e, mm)] = (c2, rpi, c1)
            for k, v in at:
                if v != drv:
                    t = _f32(el[k])
                    got = elm.setdefault(v, {})
                    got[(e, 0)] = got[(e, 1)] = t
        # a network's capacitance is its wire's alone: the report adds the net's pin
        # capacitances of its own analysis (not the reduction's min ones)
        # (the nodes the driver reaches through the net's resistors: a coupling capacitor's
        # end in another net is not part of this net's wire)
        net_cap = net.cap
        wire = sum(net_cap[v] for v in tree[0])
        caps = {(e, mm): None if (gnet, e, mm) in set_load
                else wire + net_pins[gnet][e][mm] for e in range(2) for mm in range(2)}
        rc[drv] = RcNet(pis, elm, caps)
    if unknown:
        warnings.append(f"{unknown} SPEF pin(s) are not in the design (ignored)")
    g.rc = rc
    return warnings


def _net_pin_caps(g, n_pins: int) -> np.ndarray:
    """(nets, edge, mm) the Liberty capacitance of every pin on each net (the driver's
    too) plus the ports' set_load, per analysis (mm 0 max, 1 min): OpenSTA's `netCaps`
    pin part, without any wire-load estimate."""
    n_nets = len(g.netlist.net_names)
    out = np.zeros((n_nets, 2, 2))
    net = g.node_net[:n_pins]
    ok = net >= 0
    for mm, caps in enumerate((g.pin_cap, g.pin_cap if g.pin_cap_min is None
                               else g.pin_cap_min)):
        for e in range(2):
            out[:, e, mm] = np.bincount(net[ok], weights=caps[:n_pins][ok, e],
                                        minlength=n_nets)
    n_ports = len(g.port_node)
    if n_ports and g.port_ext is not None:
        pnet = g.node_net[n_pins:n_pins + n_ports]
        okp = pnet >= 0
        np.add.at(out, pnet[okp], g.port_ext[okp])
    return out


def _port_set_loads(g, sdc) -> set[tuple[int, int, int]]:
    """(net, edge, mm) where a port of the net has a set_load (pin or wire load) for that
    edge and analysis: OpenSTA's `has_set_load`."""
    out = set()
    for table in (sdc.port_loads, sdc.port_wire_loads):
        for name, per in table.items():
            v = g.port_node.get(name)
            if v is not None and g.node_net[v] >= 0:
                out.update((int(g.node_net[v]), e, mm) for e, mm in per)
    return out


def excerpt_name(name: str) -> str:
    from edapipe.errors import excerpt
    return excerpt(name, 60)


def thresholds(lib) -> Thresholds:
    a = lib.attrs

    def pct(key, default):
        try:
            return float(a.get(key, default * 100)) / 100.0
        except (TypeError, ValueError):
            return default
    try:
        derate = float(a.get("slew_derate_from_library", 1.0))
    except (TypeError, ValueError):
        derate = 1.0
    return Thresholds(pct("output_threshold_pct_rise", 0.5),
                      pct("slew_lower_threshold_pct_rise", 0.2),
                      pct("slew_upper_threshold_pct_rise", 0.8), derate)


_EDGE_MM = ((0, 0), (0, 1), (1, 0), (1, 1))   # (output edge, minmax) in slot order


def delay_calc(g, order, level, th: Thresholds, slew_max, slew_min, arc_dmax, arc_dmin):
    """Arc delays and slews of the whole graph with the RC nets of g.rc (the others as
    lumped loads, as the kernels). Returns (wire, pin_slew, has_pin): per node the wire
    delay from its net's driver and the slew at the pin, per (edge, minmax); has_pin marks
    the load pins of RC nets (elsewhere the pin's slew is its driver's).

    One level of the graph at a time (`level`: each node's, arcs go to higher levels), all
    arcs of a level at once: every (arc, output edge, input edge, min/max) of the level
    with its input slew (the load pin's where an RC net delivered one), lumped arcs by a
    table lookup, RC arcs by one batched DMP solve (one solve per distinct driver, model,
    tables and input slew: the min and max analyses often share one)."""
    from edapipe.timing.graph import EDGE

    n = g.n_nodes
    wire = np.zeros((n, 2, 2))
    pin_slew = np.zeros((n, 2, 2))
    has_pin = np.zeros(n, bool)
    rc = g.rc or {}
    slews = (slew_max, slew_min)
    in_start = g.in_start
    n_in = np.diff(in_start)
    # the RC drivers' (driver, output edge, minmax) slots: pi model, loads, Elmore delays
    slot_of = np.full((n, 2, 2), -1, np.int64)
    pis, l_start, l_node, l_elm, gid = [], [0], [], [], []
    groups: dict = {}
    sv, se, sm = [], [], []   # each slot's (driver, edge, minmax), in slot order
    for v, info in rc.items():
        load_nodes = list(info.elmore)
        if n_in[v] == 0:   # an input port driving an RC net (no driving cell)
            for e in range(2):
                for mm in range(2):
                    for load in load_nodes:
                        has_pin[load] = True
                        wire[load, e, mm], pin_slew[load, e, mm] = dspf_wire(
                            info.elmore[load][(e, mm)], slews[mm][v, e], th)
            continue
        per_load = [info.elmore[load] for load in load_nodes]
        for key in _EDGE_MM:
            pi = info.pi[key]
            if pi is None:
                continue
            elm = tuple([got[key] for got in per_load])
            sv.append(v)
            se.append(key[0])
            sm.append(key[1])
            gid.append(groups.setdefault((v, pi, elm), len(groups)))
            pis.append(pi)
            l_node += load_nodes
            l_elm += elm
            l_start.append(len(l_node))
    slot_of[sv, se, sm] = np.arange(len(sv))
    pis = np.array(pis, float).reshape(-1, 3)
    l_start = np.array(l_start, np.int64)
    l_node = np.array(l_node, np.int64)
    l_elm = np.array(l_elm, float)
    gid = np.array(gid, np.int64)
    # every (arc, eo, ei, mm) the arc masks allow, grouped by the level of the arc's target
    n_arcs = len(g.arc_from)
    arc_to = np.repeat(np.arange(n), n_in)
    a = np.repeat(np.arange(n_arcs), 8)
    combo = np.tile(np.arange(8), n_arcs)
    mm, eo, ei = combo >> 2, (combo >> 1) & 1, combo & 1
    keep = ((g.arc_mask[a, eo] >> ei) & 1).astype(bool)
    a, mm, eo, ei = a[keep], mm[keep], eo[keep], ei[keep]
    v = arc_to[a]
    by_level = np.argsort(level[v], kind="stable")
    a, mm, eo, ei, v = a[by_level], mm[by_level], eo[by_level], ei[by_level], v[by_level]
    f = g.arc_from[a]
    pin = g.arc_pin[a]
    own_slew = g.arc_kind[a] == EDGE   # clock arcs start at the clock node's slew
    td = g.arc_tab[a, eo]
    ts = g.arc_tab[a, 2 + eo]
    slot = slot_of[v, eo, mm]
    cap = np.where(mm == 0, g.load[v, eo], g.load_min[v, eo])
    # each level's slice of those and its nodes (a node with arcs but none of them making
    # an edge still gets its slews: 0)
    n_levels = int(level.max(initial=-1)) + 1
    cuts = np.searchsorted(level[v], np.arange(n_levels + 1))
    level_nodes = np.argsort(level, kind="stable")
    node_cuts = np.searchsorted(level[level_nodes], np.arange(n_levels + 1))
    with np.errstate(all="ignore"):
        for L in range(n_levels):
            nodes = level_nodes[node_cuts[L]:node_cuts[L + 1]]
            nodes = nodes[n_in[nodes] > 0]
            if not len(nodes):
                continue
            k = slice(cuts[L], cuts[L + 1])
            _level(g, th, a[k], mm[k], eo[k], ei[k], v[k], f[k], pin[k], own_slew[k], td[k],
                   ts[k], slot[k], cap[k], slews, arc_dmax, arc_dmin, wire,
                   pin_slew, has_pin, pis, l_start, l_node, l_elm, gid, nodes)
    return wire, pin_slew, has_pin


def _level(g, th, a, mm, eo, ei, v, f, pin, own_slew, td, ts, slot, cap, slews,
           arc_dmax, arc_dmin, wire, pin_slew, has_pin, pis, l_start, l_node, l_elm, gid,
           nodes):
    """The delays and slews of one level's arcs (see delay_calc); `nodes`: the level's
    nodes with arcs into them."""
    slew_max, slew_min = slews
    lumped_in = own_slew | ~has_pin[pin]
    s_in = np.where(lumped_in, np.where(mm == 0, slew_max[f, ei], slew_min[f, ei]),
                    pin_slew[pin, ei, mm])
    w_in = np.where(lumped_in, 0.0, wire[pin, ei, mm])
    d = np.empty(len(a))
    s = np.empty(len(a))
    lump = slot < 0
    li = np.flatnonzero(lump)
    if len(li):
        d[li], s[li] = _lookup(g.tables, td[li], ts[li], s_in[li])(cap[li])
    ri = np.flatnonzero(~lump)
    if len(ri):
        # one solve per distinct (driver model, tables, input slew): rows as opaque bytes
        # (np.unique of rows with axis=0 costs five times as much)
        key = np.column_stack([gid[slot[ri]], td[ri], ts[ri], s_in[ri].view(np.int64)])
        _, first, inv = np.unique(key.view(np.dtype((np.void, 32))).ravel(),
                                  return_index=True, return_inverse=True)
        inv = inv.reshape(-1)
        job = ri[first]
        jslot = slot[job]
        cnt = l_start[jslot + 1] - l_start[jslot]
        lidx = _ranges(l_start[jslot], cnt)
        load_job = np.repeat(np.arange(len(job)), cnt)
        pi = pis[jslot]
        jd, js, lw, ls = dmp(g.tables, th, td[job], ts[job], s_in[job], pi[:, 0], pi[:, 1],
                             pi[:, 2], load_job, l_elm[lidx])
        d[ri], s[ri] = jd[inv], js[inv]
        # each arc's loads: the worst over the arcs of the driver, per edge and minmax
        jstart = np.concatenate([[0], np.cumsum(cnt)])
        u_job = inv
        u_cnt = cnt[u_job]
        u_idx = _ranges(jstart[u_job], u_cnt)
        u_of = np.repeat(ri, u_cnt)
        node = l_node[lidx][u_idx]
        has_pin[node] = True
        for k, reduce in ((0, np.maximum), (1, np.minimum)):
            sel = mm[u_of] == k
            nd, e = node[sel], eo[u_of][sel]
            init = -np.inf if k == 0 else np.inf
            wire[nd, e, k] = init
            pin_slew[nd, e, k] = init
            reduce.at(wire[:, :, k], (nd, e), lw[u_idx][sel])
            reduce.at(pin_slew[:, :, k], (nd, e), ls[u_idx][sel])
    delay = w_in + d
    for k, dl in ((0, arc_dmax), (1, arc_dmin)):
        sel = mm == k
        dl[a[sel], eo[sel], ei[sel]] = delay[sel]
    # each node's slew: the worst over its arcs, per edge; 0 where no arc makes the edge
    for k, sl, reduce, init in ((0, slew_max, np.maximum, -np.inf),
                                (1, slew_min, np.minimum, np.inf)):
        sel = mm == k
        sl[nodes] = init
        reduce.at(sl, (v[sel], eo[sel]), s[sel])
        got = sl[nodes]
        sl[nodes] = np.where(np.isinf(got) & (got == init), 0.0, got)


def _ranges(start, count):
    """The indices start[i] .. start[i] + count[i] - 1 of every i, concatenated."""
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offs = np.repeat(start - np.cumsum(count) + count, count)
    return offs + np.arange(total)
