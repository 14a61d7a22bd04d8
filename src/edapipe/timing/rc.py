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

Plain Python over scalars, once per driver arc, edge and min/max (the min and max
analyses share a solution when arc, slew and pi model agree). Not numpy: each solve is a
short chain of dependent scalar steps (Newton on 3 unknowns, then threshold crossings),
and the arcs of a net wait for the slews of the nets before it. Not numba (yet): its
import alone (about 0.25 s CPU and 80 MB here) costs more than the whole RC pass of gcd
(288 RC nets, 0.14 s); from some thousands of RC nets on, a kernel would pay for itself.
What keeps it fast: waveforms are closures over floats returning value and slope from one
set of exp() calls, a table is specialised to the arc's input slew once per solve (a delay
and a slew table on the same capacitance points searched once), the three crossings of a
waveform share their bounds and first step, and the 3x3 Newton step is one function.
Numerical failures of hostile parasitics (zero or out-of-range moments) fall back to the
lumped load.
"""

from __future__ import annotations

import bisect
import math
import struct
from dataclasses import dataclass, field

import numpy as np

DRIVER_TOL = 0.01     # relative tolerance of t0, dt, Ceff in the Newton iteration
CROSS_TOL = 0.01      # relative tolerance of threshold crossing times
MAX_NEWTON = 100
MAX_ROOT = 20


class DmpError(Exception):
    """The effective-capacitance iteration failed; the caller falls back."""


# the iteration failed, or the model's numbers left the float range (hostile parasitics):
# the caller falls back to the lumped load
FAILED = (DmpError, ArithmeticError, ValueError)

_exp = math.exp   # (OpenSTA after 2023 approximates it; Debian's 2019 build does not)
_F32_1_1 = np.float32(1.1)
_F32 = struct.Struct("f")


# -- pi model reduction ----------------------------------------------------------------------
def reduce_pi_elmore(n_nodes: int, res: list[tuple[int, int, float]], cap: list[float],
                     driver: int) -> tuple[float, float, float, list[float]]:
    """(c2, rpi, c1, elmore per node) of the RC tree seen from `driver`. Iterative DFS;
    a resistor that would close a loop is ignored (the tree it leaves is reduced)."""
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


# -- Dartu / Menezes / Pileggi ----------------------------------------------------------------
@dataclass
class Thresholds:
    vth: float = 0.5
    vl: float = 0.2
    vh: float = 0.8
    derate: float = 1.0


class Dmp:
    """One driver arc into one pi model: gate_delay_slew(), then load_delay_slew() per load.

    `table(ceff)` returns the Liberty (delay, slew) of the arc at the input slew, for load
    capacitance ceff (F); `delay(ceff)`, if given, the delay alone.

    Speed: every waveform is a closure over plain floats that returns the value and its
    time derivative from one set of exp() calls (the root finder needs both), so a
    threshold crossing costs a handful of function calls, not dozens of method calls."""

    def __init__(self, table, th: Thresholds, in_slew: float, c2: float, rpi: float,
                 c1: float, delay=None):
        self.table = table
        self.vth, self.vl, self.vh, self.derate = th.vth, th.vl, th.vh, th.derate
        self.c2, self.rpi, self.c1 = c2, rpi, c1
        self.valid = False
        self.drvr_slew = 0.0
        self.vo_delay = 0.0
        self.t0 = self.dt = 0.0
        # drive resistance: the table's delay slope between 75 % and 82.5 % of the total
        # capacitance (Debian's 2019 OpenSTA; current OpenSTA uses the slope at the total
        # capacitance, times -ln(vth))
        cap1 = _f32((c1 + c2) * 0.75)
        cap2 = _f32(cap1 * _F32_1_1)
        if delay is None:
            d1, d2 = table(cap1)[0], table(cap2)[0]
        else:
            d1, d2 = delay(cap1), delay(cap2)
        # (no capacitance: no slope, and the table at zero load below)
        self.rd = abs(d1 - d2) / (cap2 - cap1) if cap2 != cap1 else 0.0
        rd = self.rd
        if rd < 1e-2 or rpi < rd * 1e-3 or c1 == 0.0 or c1 < c2 * 1e-3 or rpi == 0.0:
            self.kind = "cap"
        elif c2 < c1 * 1e-3:
            self.kind = "c2=0"
        else:
            self.kind = "pi"

    # waveforms -----------------------------------------------------------------------------
    def _init_pi(self):
        rd, rpi, c1, c2 = self.rd, self.rpi, self.c1, self.c2
        self.z1 = 1.0 / (rpi * c1)
        self.k0 = 1.0 / (rd * c2)
        a = rpi * rd * c1 * c2
        b = rd * (c1 + c2) + rpi * c1
        root = math.sqrt(b * b - 4 * a)
        self.p1 = (b + root) / (2 * a)
        self.p2 = (b - root) / (2 * a)
        p1p2 = self.p1 * self.p2
        self.k2 = self.z1 / p1p2
        self.k1 = (1.0 - self.k2 * (self.p1 + self.p2)) / p1p2
        self.k4 = (self.k1 * self.p1 + self.k2) / (self.p2 - self.p1)
        self.k3 = -self.k1 - self.k4
        z = (c1 + c2) / (rpi * c1 * c2)
        self.A = z / p1p2
        self.B = (z - self.p1) / (self.p1 * (self.p1 - self.p2))
        self.D = (z - self.p2) / (self.p2 * (self.p2 - self.p1))

    def _init_c2zero(self):
        rd, rpi, c1 = self.rd, self.rpi, self.c1
        self.z1 = 1.0 / (rpi * c1)
        self.p1 = 1.0 / (c1 * (rd + rpi))
        self.k0 = self.p1 / self.z1
        self.k2 = 1.0 / self.k0
        self.k1 = (self.p1 - self.z1) / (self.p1 * self.p1)
        self.k3 = -self.k1
        self.k4 = 0.0
        self.p2 = 1.0

    def _driver_wave(self):
        """The driver node's response to the ramp from t0 over dt: t -> (v, dv/dt). The
        unit-ramp response (k0..k4, p1, p2) is written out twice, at t - t0 and at
        t - t0 - dt, to save the root finder two calls per step."""
        k0, k1, k2, k3, k4, p1, p2 = self.k0, self.k1, self.k2, self.k3, self.k4, self.p1, \
            self.p2
        t0, dt = self.t0, self.dt
        if self.kind != "pi":
            def wave(t):
                t1 = t - t0
                if t1 <= 0.0:
                    return 0.0, 0.0
                e1 = _exp(-p1 * t1)
                f, df = k0 * (k1 + k2 * t1 + k3 * e1), k0 * (k2 - k3 * p1 * e1)
                if t1 <= dt:
                    return f / dt, df / dt
                u = t1 - dt
                e1 = _exp(-p1 * u)
                return ((f - k0 * (k1 + k2 * u + k3 * e1)) / dt,
                        (df - k0 * (k2 - k3 * p1 * e1)) / dt)
            return wave

        def wave_pi(t):
            t1 = t - t0
            if t1 <= 0.0:
                return 0.0, 0.0
            e1 = _exp(-p1 * t1)
            e2 = _exp(-p2 * t1)
            f = k0 * (k1 + k2 * t1 + k3 * e1 + k4 * e2)
            df = k0 * (k2 - k3 * p1 * e1 - k4 * p2 * e2)
            if t1 <= dt:
                return f / dt, df / dt
            u = t1 - dt
            e1 = _exp(-p1 * u)
            e2 = _exp(-p2 * u)
            return ((f - k0 * (k1 + k2 * u + k3 * e1 + k4 * e2)) / dt,
                    (df - k0 * (k2 - k3 * p1 * e1 - k4 * p2 * e2)) / dt)
        return wave_pi

    def _load_wave(self, p3: float):
        """A load's response to the driver's ramp through the one pole p3 (its Elmore
        delay's inverse): t -> (v, dv/dt), the unit response written out as above."""
        k0, k1, k2, k3, k4, p1, p2 = self.k0, self.k1, self.k2, self.k3, self.k4, self.p1, \
            self.p2
        t0, dt = self.t0, self.dt
        d1 = k0 * (k1 - k2 / p3)
        d3 = -p3 * k0 * k3 / (p1 - p3)
        if self.kind != "pi":
            d5 = k0 * (k2 / p3 - k1 + p3 * k3 / (p1 - p3))

            def wave(t):
                t1 = t - t0
                if t1 <= 0.0:
                    return 0.0, 0.0
                e1 = _exp(-p1 * t1)
                e3 = _exp(-p3 * t1)
                f, df = d1 + t1 + d3 * e1 + d5 * e3, 1.0 - d3 * p1 * e1 - d5 * p3 * e3
                if t1 <= dt:
                    return f / dt, df / dt
                u = t1 - dt
                e1 = _exp(-p1 * u)
                e3 = _exp(-p3 * u)
                return ((f - (d1 + u + d3 * e1 + d5 * e3)) / dt,
                        (df - (1.0 - d3 * p1 * e1 - d5 * p3 * e3)) / dt)
            return wave
        d4 = -p3 * k0 * k4 / (p2 - p3)
        d5 = k0 * (k2 / p3 - k1 + p3 * k3 / (p1 - p3) + p3 * k4 / (p2 - p3))

        def wave_pi(t):
            t1 = t - t0
            if t1 <= 0.0:
                return 0.0, 0.0
            e1 = _exp(-p1 * t1)
            e3 = _exp(-p3 * t1)
            e2 = _exp(-p2 * t1)
            f = d1 + t1 + d3 * e1 + d5 * e3
            f += d4 * e2
            df = 1.0 - d3 * p1 * e1 - d5 * p3 * e3
            df -= d4 * p2 * e2
            if t1 <= dt:
                return f / dt, df / dt
            u = t1 - dt
            e1 = _exp(-p1 * u)
            e3 = _exp(-p3 * u)
            e2 = _exp(-p2 * u)
            f2 = d1 + u + d3 * e1 + d5 * e3
            f2 += d4 * e2
            df2 = 1.0 - d3 * p1 * e1 - d5 * p3 * e3
            df2 -= d4 * p2 * e2
            return (f - f2) / dt, (df - df2) / dt
        return wave_pi

    def vo_ub(self):
        if self.kind == "pi":
            return self.t0 + self.dt + (self.c1 + self.c2) * (self.rd + self.rpi) * 2.0
        return self.t0 + self.dt + self.c1 * (self.rd + self.rpi) * 2.0

    def _gate_delays(self, ceff):
        delay, table_slew = self.table(ceff)
        slew = table_slew * self.derate
        return delay, delay - slew * (self.vth - self.vl) / (self.vh - self.vl), slew

    # the Newton iteration --------------------------------------------------------------------
    def _eqns_pi(self, x):
        """Residuals and Jacobian of the three driver equations (full pi model)."""
        vth, vl = self.vth, self.vl
        t0, dt, ceff = x
        if ceff < 0.0:
            raise DmpError("ceff < 0")
        if ceff > self.c1 + self.c2:
            raise DmpError("ceff > c1 + c2")
        t_vth, table_slew = self.table(ceff)   # (_gate_delays written out)
        slew = table_slew * self.derate
        t_vl = t_vth - slew * (vth - vl) / (self.vh - vl)
        if slew == 0.0:
            raise DmpError("slew = 0")
        ct = slew / (self.vh - vl)
        if ct > 1.4 * dt:
            ct = 1.4 * dt
        if dt <= 0.0:
            raise DmpError("dt <= 0")
        rd, A, B, D, p1, p2 = self.rd, self.A, self.B, self.D, self.p1, self.p2
        e1, e2, er = _exp(-p1 * dt), _exp(-p2 * dt), _exp(-dt / (rd * ceff))
        c1e, c2e, cre = _exp(-p1 * ct), _exp(-p2 * ct), _exp(-ct / (rd * ceff))
        ipi = (A * ct + (B / p1) * (1.0 - c1e) + (D / p2) * (1.0 - c2e)) / (rd * ct * dt)
        iceff = (rd * ceff * ct - (rd * ceff) ** 2 * (1.0 - cre)) / (rd * ct * dt)
        y_vl, *j_vl = _ramp_rc(t_vl, t0, dt, rd, ceff)
        y_vth, *j_vth = _ramp_rc(t_vth, t0, dt, rd, ceff)
        j_ipi = [0.0,
                 (-A * dt + B * dt * e1 - (2 * B / p1) * (1.0 - e1) + D * dt * e2
                  - (2 * D / p2) * (1.0 - e2)
                  + rd * ceff * (dt + dt * er - 2 * rd * ceff * (1.0 - er)))
                 / (rd * dt * dt * dt),
                 (2 * rd * ceff - dt - (2 * rd * ceff + dt) * er) / (dt * dt)]
        return [y_vl - vl, y_vth - vth, ipi - iceff], [j_vl, j_vth, j_ipi]

    def _eqns_c2zero(self, x, t_vth, t_vl):
        """Residuals and Jacobian of the two driver equations (c2 = 0, Ceff = c1)."""
        t0, dt = x
        ceff = self.ceff
        if dt <= 0.0:
            dt = x[1] = (t_vl - t_vth) / 100
            if dt <= 0.0:   # a zero table slew: no ramp to fit
                raise DmpError("dt <= 0")
        y_vl, j0, j1, _ = _ramp_rc(t_vl, t0, dt, self.rd, ceff)
        y_vth, k0, k1, _ = _ramp_rc(t_vth, t0, dt, self.rd, ceff)
        return [y_vl - self.vl, y_vth - self.vth], [[j0, j1], [k0, k1]]

    def _driver_params(self, ceff):
        pi = self.kind == "pi"
        n = 3 if pi else 2
        t_vth, t_vl, slew = self._gate_delays(ceff)
        dt = slew / (self.vh - self.vl)
        t0 = t_vth + math.log(1.0 - self.vth) * self.rd * ceff - self.vth * dt
        x = [t0, dt, ceff][:n]
        for _ in range(MAX_NEWTON):
            f, jac = self._eqns_pi(x) if pi else self._eqns_c2zero(x, t_vth, t_vl)
            p = _lu_solve(jac, [-v for v in f])
            done = True
            for i in range(n):
                if abs(p[i]) > abs(x[i]) * DRIVER_TOL:
                    done = False
                x[i] += p[i]
            if done:
                break
        else:
            raise DmpError("Newton-Raphson did not converge")
        self.t0, self.dt = x[0], x[1]
        if n == 3:
            self.ceff = x[2]

    def _driver_delay_slew(self):
        delay, tl, th = _crossings(self._driver_wave(), (self.vth, self.vl, self.vh),
                                   self.t0, self.vo_ub())
        return delay, (th - tl) / self.derate

    def gate_delay_slew(self) -> tuple[float, float]:
        c1, c2 = self.c1, self.c2
        if self.kind == "cap":
            self.ceff = c1 + c2
            delay, slew = self.table(self.ceff)
        elif self.kind == "pi":
            try:
                self._init_pi()
                self._driver_params(c2 + c1)
                delay, table_slew = self.table(self.ceff)
                try:
                    self.vo_delay, slew = self._driver_delay_slew()
                    self.valid = True
                except FAILED:
                    slew = table_slew
            except FAILED:
                self.ceff = c1 + c2
                delay, slew = self.table(self.ceff)
        else:
            self.ceff = c1
            try:
                self._init_c2zero()
                self._driver_params(c1)
                self.valid = True
                delay, slew = self._driver_delay_slew()
            except FAILED:   # (no driver waveform without its parameters)
                delay, slew = self.table(c1)
            self.vo_delay = delay
        self.drvr_slew = slew
        return delay, slew

    def load_delay_slew(self, elmore: float) -> tuple[float, float]:
        if elmore == 0.0:
            return 0.0, self.drvr_slew
        if self.kind == "cap" or not self.valid or elmore < self.drvr_slew * 1e-3:
            return elmore, self.drvr_slew
        try:
            t, tl, th = _crossings(self._load_wave(1.0 / elmore),
                                   (self.vth, self.vl, self.vh), self.t0,
                                   self.vo_ub() + elmore)
        except FAILED:
            return elmore, self.drvr_slew
        delay = t - self.vo_delay
        slew = (th - tl) / self.derate
        if delay < 0.0:
            delay = elmore
        if slew < self.drvr_slew:
            slew = self.drvr_slew
        return _f32(delay), _f32(slew)


def _ramp_rc(t: float, t0: float, dt: float, rd: float, cl: float):
    """A ramp from t0 over dt through rd into the capacitance cl: its value at t and the
    value's derivatives by t0, dt and cl (the Newton iteration's Jacobian row)."""
    t1 = t - t0
    if t1 <= 0.0:
        return 0.0, 0.0, 0.0, 0.0
    rc = rd * cl
    e = _exp(-t1 / rc)
    y0 = t1 - rc * (1.0 - e)
    y0dcl = rd * ((1.0 + t1 / rc) * e - 1)
    if t1 <= dt:
        return y0 / dt, -(1.0 - e) / dt, -y0 / (dt * dt), y0dcl / dt
    t2 = t1 - dt
    e2 = _exp(-t2 / rc)
    z0 = t2 - rc * (1.0 - e2)
    z0dcl = rd * ((1.0 + t2 / rc) * e2 - 1)
    # (y0 + z0 in the dt derivative, as OpenSTA's dy/ddt)
    return ((y0 - z0) / dt, -((1.0 - e) - (1.0 - e2)) / dt,
            -(y0 + z0) / (dt * dt) + (1.0 - e2) / dt, (y0dcl - z0dcl) / dt)


def _crossings(wave, levels, x1: float, x2: float) -> list[float]:
    """When wave(t)[0] crosses each level between x1 and x2."""
    w1 = wave(x1)[0]
    w2 = wave(x2)[0]
    mid: list = []   # every search starts at the bracket's midpoint: evaluated once
    return [_find_root(wave, v, x1, x2, w1, w2, mid) for v in levels]


def _find_root(wave, v: float, x1: float, x2: float, w1: float, w2: float,
               mid: list | None = None) -> float:
    """Where wave(t)[0] crosses v between x1 and x2 (where it is w1 and w2):
    Newton-Raphson safeguarded by bisection (wave returns the value and its
    derivative). `mid` keeps wave's value at (x1 + x2) / 2 for other levels."""
    y1 = w1 - v
    y2 = w2 - v
    if (y1 > 0.0 and y2 > 0.0) or (y1 < 0.0 and y2 < 0.0):
        raise DmpError("the bounds do not surround a root")
    if y1 == 0.0:
        return x1
    if y2 == 0.0:
        return x2
    if y1 > 0.0:
        x1, x2 = x2, x1
    root = (x1 + x2) * 0.5   # (the same for either order of x1 and x2)
    dx_prev = abs(x2 - x1)
    dx = dx_prev
    if mid:
        y, dy = mid
    else:
        y, dy = wave(root)
        if mid is not None:
            mid += (y, dy)
    y -= v
    for _ in range(MAX_ROOT):
        if (((root - x2) * dy - y) * ((root - x1) * dy - y) > 0.0
                or abs(2.0 * y) > abs(dx_prev * dy)):
            dx_prev = dx
            dx = (x2 - x1) * 0.5
            root = x1 + dx
        else:
            dx_prev = dx
            dx = y / dy
            root -= dx
        if abs(dx) <= CROSS_TOL * abs(root):
            return root
        y, dy = wave(root)
        y -= v
        if y < 0.0:
            x1 = root
        else:
            x2 = root
    raise DmpError("no convergence on a threshold crossing")


def _lu_solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b (n <= 3) by Crout LU with implicit row scaling and partial pivoting.
    Overwrites a and b (the caller's fresh Jacobian and residuals)."""
    scale = []
    for row in a:
        big = max(map(abs, row))
        if big == 0.0:
            raise DmpError("singular Jacobian")
        scale.append(1.0 / big)
    if len(b) == 3:
        return _solve3(a, scale, b)
    return _substitute(a, _crout(a, scale), b)


def _crout(a: list[list[float]], scale: list[float]) -> list[int]:
    """LU-decompose a in place (any n); returns the row permutation."""
    n = len(a)
    index = [0] * n
    for j in range(n):
        for i in range(1, j):   # (row 0 has nothing to subtract)
            ai = a[i]
            s = ai[j]
            for k in range(i):
                s -= ai[k] * a[k][j]
            ai[j] = s
        big, imax = 0.0, 0
        for i in range(j, n):
            ai = a[i]
            s = ai[j]
            for k in range(j):
                s -= ai[k] * a[k][j]
            ai[j] = s
            d = scale[i] * abs(s)
            if d >= big:
                big, imax = d, i
        _pivot(a, scale, index, j, imax)
    return index


def _solve3(a: list[list[float]], scale: list[float], x: list[float]) -> list[float]:
    """_crout and _substitute for n = 3 written out in one function (the pi model's
    Jacobian: most of the solves), the same operations in the same order."""
    index = [0, 0, 0]
    # column 0: pivot search, swap, multipliers
    big, imax = 0.0, 0
    for i in range(3):
        d = scale[i] * abs(a[i][0])
        if d >= big:
            big, imax = d, i
    if imax != 0:
        a[imax], a[0] = a[0], a[imax]
        scale[imax] = scale[0]
    index[0] = imax
    r0 = a[0]
    if r0[0] == 0.0:
        r0[0] = 1e-20
    pivot = 1.0 / r0[0]
    a[1][0] *= pivot
    a[2][0] *= pivot
    # column 1
    big, imax = 0.0, 0
    for i in (1, 2):
        ri = a[i]
        s = ri[1] - ri[0] * r0[1]
        ri[1] = s
        d = scale[i] * abs(s)
        if d >= big:
            big, imax = d, i
    if imax != 1:
        a[imax], a[1] = a[1], a[imax]
        scale[imax] = scale[1]
    index[1] = imax
    r1 = a[1]
    if r1[1] == 0.0:
        r1[1] = 1e-20
    a[2][1] *= 1.0 / r1[1]
    # column 2 (row 2 alone is searched: it is the pivot unless its scaled value is nan)
    r0, r1, r2 = a
    r1[2] = r1[2] - r1[0] * r0[2]
    s = r2[2] - r2[0] * r0[2]
    s -= r2[1] * r1[2]
    r2[2] = s
    imax = 2 if scale[2] * abs(s) >= 0.0 else 0
    if imax != 2:
        a[imax], a[2] = a[2], a[imax]
        scale[imax] = scale[2]
    index[2] = imax
    r2 = a[2]
    if r2[2] == 0.0:
        r2[2] = 1e-20
    # forward substitution (skipping leading zeros), then back substitution
    r0, r1, r2 = a
    nz = -1
    for i in range(3):
        ip = index[i]
        s = x[ip]
        x[ip] = x[i]
        if nz != -1:
            ai = a[i]
            for j in range(nz, i):
                s -= ai[j] * x[j]
        elif s != 0.0:
            nz = i
        x[i] = s
    x2 = x[2] / r2[2]
    x[2] = x2
    x1 = (x[1] - r1[2] * x2) / r1[1]
    x[1] = x1
    s = x[0] - r0[1] * x1
    s -= r0[2] * x2
    x[0] = s / r0[0]
    return x


def _pivot(a, scale, index, j: int, imax: int) -> None:
    """Swap the pivot row imax into place j, guard a zero pivot, scale the column below."""
    if j != imax:
        a[imax], a[j] = a[j], a[imax]
        scale[imax] = scale[j]
    index[j] = imax
    aj = a[j]
    if aj[j] == 0.0:
        aj[j] = 1e-20
    n = len(a)
    if j != n - 1:
        pivot = 1.0 / aj[j]
        for i in range(j + 1, n):
            a[i][j] *= pivot


def _substitute(a, index, x: list[float]) -> list[float]:
    """Forward and back substitution through the LU factors (x is overwritten)."""
    n = len(x)
    nz = -1
    for i in range(n):
        ip = index[i]
        s = x[ip]
        x[ip] = x[i]
        if nz != -1:
            ai = a[i]
            for j in range(nz, i):
                s -= ai[j] * x[j]
        elif s != 0.0:
            nz = i
        x[i] = s
    for i in range(n - 1, -1, -1):
        ai = a[i]
        s = x[i]
        for j in range(i + 1, n):
            s -= ai[j] * x[j]
        x[i] = s / ai[i]
    return x


def dspf_wire(elmore: float, drvr_slew: float, th: Thresholds) -> tuple[float, float]:
    """Wire delay and load slew of an input port (no driving cell) through an RC net: the
    single-pole response to a step (OpenSTA's input-port rule)."""
    return (-elmore * math.log(1.0 - th.vth),
            drvr_slew + elmore * math.log((1.0 - th.vl) / (1.0 - th.vh)) / th.derate)


# -- annotation of a timing graph -------------------------------------------------------------
@dataclass
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
    net_pins = _net_pin_caps(g, n_pins)
    set_load = _port_set_loads(g, sdc)
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
        gnet = int(g.node_net[next(iter(nodes.values()))])
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
        for e in range(2):
            # one reduction per edge for both analyses, with the pins' (and ports') loads
            # of the min analysis, as OpenSTA: it reduces a net once per corner (one
            # parasitic analysis point for min and max) at the first delay calculation
            # point, the min one (for ASAP7's pins: their capacitance range's low end)
            cap = list(net.cap)
            for pin, v in nodes.items():
                k = net.nodes[pin]
                if g.node_is_port[v]:
                    cap[k] += float(g.port_ext[v - n_pins, e, 1]) if n_ports else 0.0
                else:
                    cap[k] += float(np.float32(pin_cap[v, e]))
            c2, rpi, c1, el = reduce_pi_elmore(n, net.res, cap, net.nodes[drv_name])
            for mm in range(2):
                pis[(e, mm)] = (c2, rpi, c1)
            for pin, v in nodes.items():
                if v != drv:
                    t = _f32(el[net.nodes[pin]])
                    got = elm.setdefault(v, {})
                    got[(e, 0)] = got[(e, 1)] = t
        # a network's capacitance is its wire's alone: the report adds the net's pin
        # capacitances of its own analysis (not the reduction's min ones)
        wire = _connected_cap(n, net.res, net.cap, net.nodes[drv_name])
        caps = {(e, mm): None if (gnet, e, mm) in set_load
                else wire + float(net_pins[gnet, e, mm]) for e in range(2) for mm in range(2)}
        rc[drv] = RcNet(pis, elm, caps)
    if unknown:
        warnings.append(f"{unknown} SPEF pin(s) are not in the design (ignored)")
    g.rc = rc
    return warnings


def _connected_cap(n_nodes: int, res, cap: list[float], driver: int) -> float:
    """The capacitance of the nodes the driver reaches through the net's resistors (a
    coupling capacitor's end in another net is not part of this net's wire)."""
    adj: list[list[int]] = [[] for _ in range(n_nodes)]
    for a, b, _ in res:
        adj[a].append(b)
        adj[b].append(a)
    seen = [False] * n_nodes
    seen[driver] = True
    stack = [driver]
    total = 0.0
    while stack:
        v = stack.pop()
        total += cap[v]
        for w in adj[v]:
            if not seen[w]:
                seen[w] = True
                stack.append(w)
    return total


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


def _dmp_solve(tables, td, ts, s_in, th, pi, elmore, eo, mm):
    """(gate delay, gate slew, [(load, (wire delay, load slew))]) of one driver arc at
    input slew s_in into the pi model `pi` (the Dmp iteration)."""
    delay_at = tables.at_slew(td, s_in)
    table = tables.pair_at_slew(td, ts, s_in) if ts >= 0 else None
    if table is None and ts >= 0:
        slew_at = tables.at_slew(ts, s_in)

        def table(c):
            return delay_at(c), max(slew_at(c), 0.0)
    elif table is None:
        def table(c):
            return delay_at(c), 0.0

    dmp = Dmp(table, th, s_in, *pi, delay=delay_at)
    d, s = dmp.gate_delay_slew()
    return d, s, [(load, dmp.load_delay_slew(el[(eo, mm)])) for load, el in elmore.items()]


class _Tables:
    """The graph's Liberty tables (g.tables) for scalar lookups: bilinear interpolation,
    extrapolated beyond the axes, as the kernels."""

    def __init__(self, tables):
        tab_n, tab_var, tab_off, axes, vals = tables
        self.n = tab_n.tolist()
        self.var = tab_var.tolist()
        self.off = tab_off.tolist()
        self.ax = axes.tolist()
        self.vs = vals.tolist()

    def seg(self, off: int, n: int, x: float) -> tuple[int, float]:
        """(segment, fraction along it) of x on the axis at `off` with n points."""
        ax = self.ax
        if n == 1:
            return 0, 0.0
        if x <= ax[off]:
            i = 0
        elif x >= ax[off + n - 1]:
            i = n - 2
        else:
            i = bisect.bisect_right(ax, x, off, off + n) - off - 1
        a0 = ax[off + i]
        return i, (x - a0) / (ax[off + i + 1] - a0)

    def lookup(self, t: int, x_slew: float, x_cap: float) -> float:
        return self.at_slew(t, x_slew)(x_cap)

    def pair_at_slew(self, td: int, ts: int, x_slew: float):
        """(delay, slew clipped at 0) of tables td and ts at input slew x_slew as one
        function of the load capacitance, locating the capacitance on the axis once: when
        both are (slew, capacitance) tables on the same capacitance points, as a timing
        group's usually are (the same numbers as at_slew's); else None."""
        n = self.n
        if n[td] != n[ts] or self.var[td] != [0, 1] or self.var[ts] != [0, 1]:
            return None
        n1, n2 = n[td]
        if n1 < 2 or n2 < 2:
            return None
        (o1d, o2d, bd), (o1s, o2s, bs) = self.off[td], self.off[ts]
        ax, vs, seg = self.ax, self.vs, self.seg
        if ax[o2d:o2d + n2] != ax[o2s:o2s + n2]:
            return None
        i, d1 = seg(o1d, n1, x_slew)
        e1 = 1.0 - d1
        r0, r1 = bd + i * n2, bd + (i + 1) * n2
        i, f1 = seg(o1s, n1, x_slew)
        g1 = 1.0 - f1
        q0, q1 = bs + i * n2, bs + (i + 1) * n2

        def both(c):
            j, d2 = seg(o2d, n2, c)
            e2 = 1.0 - d2
            s = (g1 * e2 * vs[q0 + j] + f1 * e2 * vs[q1 + j]
                 + f1 * d2 * vs[q1 + j + 1] + g1 * d2 * vs[q0 + j + 1])
            return ((e1 * e2 * vs[r0 + j] + d1 * e2 * vs[r1 + j]
                     + d1 * d2 * vs[r1 + j + 1] + e1 * d2 * vs[r0 + j + 1]),
                    0.0 if 0.0 > s else s)   # (max(s, 0.0), which keeps -0.0)
        return both

    def at_slew(self, t: int, x_slew: float):
        """Table t at input slew x_slew as a function of the load capacitance (the DMP
        iteration evaluates one arc at one slew for many capacitances)."""
        n1, n2 = self.n[t]
        v1, v2 = self.var[t]
        o1, o2, b = self.off[t]
        vs, seg = self.vs, self.seg
        if n1 == 1 and n2 == 1:
            return lambda c: vs[b]
        fix1 = None if v1 == 1 else seg(o1, n1, x_slew if v1 == 0 else 0.0)
        fix2 = None if v2 == 1 else seg(o2, n2, x_slew if v2 == 0 else 0.0)
        if n2 > 1 and n1 > 1 and fix1 is not None and fix2 is None:   # (slew, cap): usual
            i, d1 = fix1
            e1 = 1.0 - d1
            r0, r1 = b + i * n2, b + (i + 1) * n2

            def by_cap(c):
                j, d2 = seg(o2, n2, c)
                e2 = 1.0 - d2
                return (e1 * e2 * vs[r0 + j] + d1 * e2 * vs[r1 + j]
                        + d1 * d2 * vs[r1 + j + 1] + e1 * d2 * vs[r0 + j + 1])
            return by_cap

        def general(c):
            i, d1 = fix1 if fix1 is not None else seg(o1, n1, c)
            j, d2 = fix2 if fix2 is not None else seg(o2, n2, c)
            if n2 == 1:
                return (1.0 - d1) * vs[b + i] + d1 * vs[b + i + 1]
            if n1 == 1:
                return (1.0 - d2) * vs[b + j] + d2 * vs[b + j + 1]
            return ((1.0 - d1) * (1.0 - d2) * vs[b + i * n2 + j]
                    + d1 * (1.0 - d2) * vs[b + (i + 1) * n2 + j]
                    + d1 * d2 * vs[b + (i + 1) * n2 + j + 1]
                    + (1.0 - d1) * d2 * vs[b + i * n2 + j + 1])
        return general


def delay_calc(g, order, th: Thresholds, slew_max, slew_min, arc_dmax, arc_dmin):
    """Arc delays and slews of the whole graph with the RC nets of g.rc (the others as
    lumped loads, as the kernels). Returns (wire, pin_slew, has_pin): per node the wire
    delay from its net's driver and the slew at the pin, per (edge, minmax); has_pin marks
    the load pins of RC nets (elsewhere the pin's slew is its driver's)."""
    from edapipe.timing.graph import EDGE

    tables = _Tables(g.tables)
    lookup = tables.lookup
    n = g.n_nodes
    wire = np.zeros((n, 2, 2))
    pin_slew = np.zeros((n, 2, 2))
    has_pin = np.zeros(n, bool)
    rc = g.rc or {}
    slews = (slew_max, slew_min)
    dls = (arc_dmax, arc_dmin)
    loads = (g.load, g.load_min)
    in_start = g.in_start.tolist()
    arc_from = g.arc_from.tolist()
    arc_pin = g.arc_pin.tolist()
    arc_kind = g.arc_kind.tolist()
    arc_mask = g.arc_mask.tolist()
    arc_tab = g.arc_tab.tolist()
    for v in order.tolist():
        a0, a1 = in_start[v], in_start[v + 1]
        info = rc.get(v)
        if a0 == a1:
            if info is not None:   # an input port driving an RC net
                for load, el in info.elmore.items():
                    has_pin[load] = True
                    for e in range(2):
                        for mm in range(2):
                            wire[load, e, mm], pin_slew[load, e, mm] = dspf_wire(
                                el[(e, mm)], slews[mm][v, e], th)
            continue
        memo: dict = {}
        elm = None
        for mm in range(2):
            sl = slews[mm]
            dl = dls[mm]
            worse = max if mm == 0 else min
            for eo in range(2):
                best = None
                merged: dict[int, list[float]] = {}
                cap = float(loads[mm][v, eo])
                pi = info.pi[(eo, mm)] if info is not None else None
                if pi is not None and elm is None:
                    elm = [[tuple(el[(e, k)] for el in info.elmore.values())
                            for k in range(2)] for e in range(2)]
                for a in range(a0, a1):
                    m = arc_mask[a][eo]
                    if not m:
                        continue
                    f, pin = arc_from[a], arc_pin[a]
                    td, ts = arc_tab[a][eo], arc_tab[a][2 + eo]
                    clock_arc = arc_kind[a] == EDGE
                    for ei in range(2):
                        if not (m >> ei) & 1:
                            continue
                        if clock_arc or not has_pin[pin]:
                            s_in, w_in = float(sl[f, ei]), 0.0
                        else:
                            s_in, w_in = float(pin_slew[pin, ei, mm]), float(wire[pin, ei, mm])
                        if pi is None:
                            d = lookup(td, s_in, cap)
                            s = max(lookup(ts, s_in, cap), 0.0) if ts >= 0 else 0.0
                        else:
                            # the min and max analyses often drive one pi model from one
                            # slew through one arc: solve the DMP iteration once for both
                            key = (td, ts, s_in, pi, elm[eo][mm])
                            got = memo.get(key)
                            if got is None:
                                got = memo[key] = _dmp_solve(tables, td, ts, s_in, th, pi,
                                                             info.elmore, eo, mm)
                            d, s, per_load = got
                            for load, (wd, ls) in per_load:
                                old = merged.get(load)
                                merged[load] = [wd, ls] if old is None else \
                                    [worse(old[0], wd), worse(old[1], ls)]
                        dl[a, eo, ei] = w_in + d
                        best = s if best is None else worse(best, s)
                sl[v, eo] = 0.0 if best is None else best
                for load, (wd, ls) in merged.items():
                    has_pin[load] = True
                    wire[load, eo, mm] = wd
                    pin_slew[load, eo, mm] = ls
    return wire, pin_slew, has_pin
