"""RC delay calculation on nets with parasitics (SPEF), as OpenSTA's default calculator
(`dmp_ceff_elmore`):

1. Each driver's RC tree is reduced to a pi model (c2 near, rpi, c1 far) from the first
   three moments of its driving-point admittance (O'Brien and Savarino, DAC 1989), with the
   load pins' Liberty capacitance (and ports' `set_load`) added at their nodes, per edge and
   min/max; each load gets its Elmore delay (sum of resistance times downstream capacitance
   along its path).
2. The driver's delay and slew come from the Liberty table at an *effective* capacitance
   found with the Dartu-Menezes-Pileggi method (IEEE TCAD 15(5), 1996): a ramp source
   behind the table's drive resistance into the pi model, whose 50 % and low-threshold
   crossings and charge must agree with the table at Ceff (Newton-Raphson on t0, dt, Ceff).
3. A load's wire delay and slew are the crossings of the single-pole (Elmore) response to
   the driver's waveform, measured from the driver's own crossing: slew degradation.

The equations are the papers'; the iteration (starting points, tolerances, fall-backs and
the exp() approximation) follows OpenSTA's so the numbers agree to well under a picosecond.
Plain Python over scalars: called once per driver arc, edge and min/max.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DRIVER_TOL = 0.01     # relative tolerance of t0, dt, Ceff in the Newton iteration
CROSS_TOL = 0.01      # relative tolerance of threshold crossing times
MAX_NEWTON = 100
MAX_ROOT = 20


class DmpError(Exception):
    """The effective-capacitance iteration failed; the caller falls back."""


_exp = math.exp   # (OpenSTA after 2023 approximates it; Debian's 2019 build does not)


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
    if Y2 == 0.0 and Y3 == 0.0:
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
    capacitance ceff (F)."""

    def __init__(self, table, th: Thresholds, in_slew: float, c2: float, rpi: float,
                 c1: float):
        self.table = table
        self.vth, self.vl, self.vh, self.derate = th.vth, th.vl, th.vh, th.derate
        self.c2, self.rpi, self.c1 = c2, rpi, c1
        self.valid = False
        self.drvr_slew = 0.0
        self.vo_delay = 0.0
        # drive resistance: the table's delay slope between 75 % and 82.5 % of the total
        # capacitance (Debian's 2019 OpenSTA; current OpenSTA uses the slope at the total
        # capacitance, times -ln(vth))
        cap1 = _f32((c1 + c2) * 0.75)
        cap2 = _f32(cap1 * np.float32(1.1))
        d1 = table(cap1)[0]
        d2 = table(cap2)[0]
        self.rd = abs(d1 - d2) / (cap2 - cap1)
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

    def v0(self, t):
        if self.kind == "pi":
            return self.k0 * (self.k1 + self.k2 * t + self.k3 * _exp(-self.p1 * t)
                              + self.k4 * _exp(-self.p2 * t))
        return self.k0 * (self.k1 + self.k2 * t + self.k3 * _exp(-self.p1 * t))

    def dv0(self, t):
        if self.kind == "pi":
            return self.k0 * (self.k2 - self.k3 * self.p1 * _exp(-self.p1 * t)
                              - self.k4 * self.p2 * _exp(-self.p2 * t))
        return self.k0 * (self.k2 - self.k3 * self.p1 * _exp(-self.p1 * t))

    def _vl_terms(self):
        p3, k0, k1, k2, k3 = self.p3, self.k0, self.k1, self.k2, self.k3
        d1 = k0 * (k1 - k2 / p3)
        d3 = -p3 * k0 * k3 / (self.p1 - p3)
        if self.kind == "pi":
            d4 = -p3 * k0 * self.k4 / (self.p2 - p3)
            d5 = k0 * (k2 / p3 - k1 + p3 * k3 / (self.p1 - p3)
                       + p3 * self.k4 / (self.p2 - p3))
        else:
            d4 = 0.0
            d5 = k0 * (k2 / p3 - k1 + p3 * k3 / (self.p1 - p3))
        return d1, d3, d4, d5

    def vl0(self, t):
        d1, d3, d4, d5 = self._vl_terms()
        v = d1 + t + d3 * _exp(-self.p1 * t) + d5 * _exp(-self.p3 * t)
        if self.kind == "pi":
            v += d4 * _exp(-self.p2 * t)
        return v

    def dvl0(self, t):
        _, d3, d4, d5 = self._vl_terms()
        v = 1.0 - d3 * self.p1 * _exp(-self.p1 * t) - d5 * self.p3 * _exp(-self.p3 * t)
        if self.kind == "pi":
            v -= d4 * self.p2 * _exp(-self.p2 * t)
        return v

    def _ramp(self, f, t):
        """Response to a ramp from t0 over dt, from the unit-ramp response f."""
        t1 = t - self.t0
        if t1 <= 0.0:
            return 0.0
        if t1 <= self.dt:
            return f(t1) / self.dt
        return (f(t1) - f(t1 - self.dt)) / self.dt

    def vo_ub(self):
        if self.kind == "pi":
            return self.t0 + self.dt + (self.c1 + self.c2) * (self.rd + self.rpi) * 2.0
        return self.t0 + self.dt + self.c1 * (self.rd + self.rpi) * 2.0

    # capacitive-load ramp y(t) and its partial derivatives --------------------------------
    def _y0(self, t, cl):
        rc = self.rd * cl
        return t - rc * (1.0 - _exp(-t / rc))

    def _y0dt(self, t, cl):
        return 1.0 - _exp(-t / (self.rd * cl))

    def _y0dcl(self, t, cl):
        rc = self.rd * cl
        return self.rd * ((1.0 + t / rc) * _exp(-t / rc) - 1)

    def _y(self, t, t0, dt, cl):
        t1 = t - t0
        if t1 <= 0.0:
            return 0.0
        if t1 <= dt:
            return self._y0(t1, cl) / dt
        return (self._y0(t1, cl) - self._y0(t1 - dt, cl)) / dt

    def _dy(self, t, t0, dt, cl):
        t1 = t - t0
        if t1 <= 0.0:
            return 0.0, 0.0, 0.0
        if t1 <= dt:
            return (-self._y0dt(t1, cl) / dt, -self._y0(t1, cl) / (dt * dt),
                    self._y0dcl(t1, cl) / dt)
        return (-(self._y0dt(t1, cl) - self._y0dt(t1 - dt, cl)) / dt,
                -(self._y0(t1, cl) + self._y0(t1 - dt, cl)) / (dt * dt)
                + self._y0dt(t1 - dt, cl) / dt,
                (self._y0dcl(t1, cl) - self._y0dcl(t1 - dt, cl)) / dt)

    def _gate_delays(self, ceff):
        delay, table_slew = self.table(ceff)
        slew = table_slew * self.derate
        return delay, delay - slew * (self.vth - self.vl) / (self.vh - self.vl), slew

    # the Newton iteration --------------------------------------------------------------------
    def _eqns(self, x):
        """Residuals and Jacobian of the three (pi) or two (c2 = 0) driver equations."""
        vth, vl = self.vth, self.vl
        if self.kind == "pi":
            t0, dt, ceff = x
            if ceff < 0.0:
                raise DmpError("ceff < 0")
            if ceff > self.c1 + self.c2:
                raise DmpError("ceff > c1 + c2")
            t_vth, t_vl, slew = self._gate_delays(ceff)
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
            f = [self._y(t_vl, t0, dt, ceff) - vl, self._y(t_vth, t0, dt, ceff) - vth,
                 ipi - iceff]
            j_ipi = [0.0,
                     (-A * dt + B * dt * e1 - (2 * B / p1) * (1.0 - e1) + D * dt * e2
                      - (2 * D / p2) * (1.0 - e2)
                      + rd * ceff * (dt + dt * er - 2 * rd * ceff * (1.0 - er)))
                     / (rd * dt * dt * dt),
                     (2 * rd * ceff - dt - (2 * rd * ceff + dt) * _exp(-dt / (rd * ceff)))
                     / (dt * dt)]
            jac = [list(self._dy(t_vl, t0, dt, ceff)), list(self._dy(t_vth, t0, dt, ceff)),
                   j_ipi]
            return f, jac
        t0, dt = x
        ceff = self.ceff
        t_vth, t_vl, _ = self._gate_delays(ceff)
        if dt <= 0.0:
            dt = x[1] = (t_vl - t_vth) / 100
        f = [self._y(t_vl, t0, dt, ceff) - vl, self._y(t_vth, t0, dt, ceff) - vth]
        jac = [list(self._dy(t_vl, t0, dt, ceff)[:2]), list(self._dy(t_vth, t0, dt, ceff)[:2])]
        return f, jac

    def _driver_params(self, ceff):
        n = 3 if self.kind == "pi" else 2
        t_vth, _, slew = self._gate_delays(ceff)
        dt = slew / (self.vh - self.vl)
        t0 = t_vth + math.log(1.0 - self.vth) * self.rd * ceff - self.vth * dt
        x = [t0, dt, ceff][:n]
        for _ in range(MAX_NEWTON):
            f, jac = self._eqns(x)
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

    def _cross(self, f, df, v, ub):
        return _find_root(lambda t: (self._ramp(f, t) - v, self._ramp(df, t)), self.t0, ub)

    def _driver_delay_slew(self):
        ub = self.vo_ub()
        delay = self._cross(self.v0, self.dv0, self.vth, ub)
        tl = self._cross(self.v0, self.dv0, self.vl, ub)
        th = self._cross(self.v0, self.dv0, self.vh, ub)
        return delay, (th - tl) / self.derate

    def gate_delay_slew(self) -> tuple[float, float]:
        c1, c2 = self.c1, self.c2
        if self.kind == "cap":
            self.ceff = c1 + c2
            delay, slew = self.table(self.ceff)
        elif self.kind == "pi":
            self._init_pi()
            try:
                self._driver_params(c2 + c1)
                delay, table_slew = self.table(self.ceff)
                try:
                    self.vo_delay, slew = self._driver_delay_slew()
                    self.valid = True
                except DmpError:
                    slew = table_slew
            except DmpError:
                self.ceff = c1 + c2
                delay, slew = self.table(self.ceff)
        else:
            self._init_c2zero()
            self.ceff = c1
            try:
                self._driver_params(c1)
                self.valid = True
            except DmpError:
                self.valid = False
            try:
                delay, slew = self._driver_delay_slew()
            except DmpError:
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
            self.p3 = 1.0 / elmore
            ub = self.vo_ub() + elmore
            t = self._cross(self.vl0, self.dvl0, self.vth, ub)
            tl = self._cross(self.vl0, self.dvl0, self.vl, ub)
            th = self._cross(self.vl0, self.dvl0, self.vh, ub)
        except DmpError:
            return elmore, self.drvr_slew
        delay = t - self.vo_delay
        slew = (th - tl) / self.derate
        if delay < 0.0:
            delay = elmore
        if slew < self.drvr_slew:
            slew = self.drvr_slew
        return _f32(delay), _f32(slew)


def _find_root(func, x1: float, x2: float) -> float:
    """Newton-Raphson safeguarded by bisection between x1 and x2."""
    y1, _ = func(x1)
    y2, _ = func(x2)
    if (y1 > 0.0 and y2 > 0.0) or (y1 < 0.0 and y2 < 0.0):
        raise DmpError("the bounds do not surround a root")
    if y1 == 0.0:
        return x1
    if y2 == 0.0:
        return x2
    if y1 > 0.0:
        x1, x2 = x2, x1
    root = (x1 + x2) * 0.5
    dx_prev = abs(x2 - x1)
    dx = dx_prev
    y, dy = func(root)
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
        y, dy = func(root)
        if y < 0.0:
            x1 = root
        else:
            x2 = root
    raise DmpError("no convergence on a threshold crossing")


def _lu_solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b (n <= 3) by Crout LU with implicit row scaling and partial pivoting."""
    n = len(b)
    a = [row[:] for row in a]
    scale = []
    for i in range(n):
        big = max(abs(v) for v in a[i])
        if big == 0.0:
            raise DmpError("singular Jacobian")
        scale.append(1.0 / big)
    index = [0] * n
    for j in range(n):
        for i in range(j):
            s = a[i][j]
            for k in range(i):
                s -= a[i][k] * a[k][j]
            a[i][j] = s
        big, imax = 0.0, 0
        for i in range(j, n):
            s = a[i][j]
            for k in range(j):
                s -= a[i][k] * a[k][j]
            a[i][j] = s
            d = scale[i] * abs(s)
            if d >= big:
                big, imax = d, i
        if j != imax:
            a[imax], a[j] = a[j], a[imax]
            scale[imax] = scale[j]
        index[j] = imax
        if a[j][j] == 0.0:
            a[j][j] = 1e-20
        if j != n - 1:
            pivot = 1.0 / a[j][j]
            for i in range(j + 1, n):
                a[i][j] *= pivot
    x = b[:]
    nz = -1
    for i in range(n):
        ip = index[i]
        s = x[ip]
        x[ip] = x[i]
        if nz != -1:
            for j in range(nz, i):
                s -= a[i][j] * x[j]
        elif s != 0.0:
            nz = i
        x[i] = s
    for i in range(n - 1, -1, -1):
        s = x[i]
        for j in range(i + 1, n):
            s -= a[i][j] * x[j]
        x[i] = s / a[i][i]
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
    rc: dict[int, RcNet] = {}
    unknown = 0
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
            rc[drv] = RcNet({(e, mm): pi for e in range(2) for mm in range(2)},
                            {by_name[p]: {(e, mm): t for e in range(2) for mm in range(2)}
                             for p, t in loads.items() if p in by_name})
            continue
        if drv_name not in net.nodes:
            warnings.append(f"SPEF net {excerpt_name(net.name)} (line {net.line}) does not "
                            f"contain its driver {excerpt_name(drv_name)}; its load is lumped")
            continue
        pis, elm = {}, {}
        n = len(net.node_names)
        for e in range(2):
            for mm in range(2):
                cap = list(net.cap)
                for pin, v in nodes.items():
                    k = net.nodes[pin]
                    if g.node_is_port[v]:
                        cap[k] += float(g.port_ext[v - n_pins, e, mm]) if n_ports else 0.0
                    else:
                        cap[k] += float(np.float32(g.pin_cap[v, e]))
                c2, rpi, c1, el = reduce_pi_elmore(n, net.res, cap, net.nodes[drv_name])
                pis[(e, mm)] = (c2, rpi, c1)
                for pin, v in nodes.items():
                    if v != drv:
                        elm.setdefault(v, {})[(e, mm)] = _f32(el[net.nodes[pin]])
        rc[drv] = RcNet(pis, elm)
    if unknown:
        warnings.append(f"{unknown} SPEF pin(s) are not in the design (ignored)")
    g.rc = rc
    return warnings


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


def _dmp_solve(lookup, td, ts, s_in, th, pi, elmore, eo, mm):
    """(gate delay, gate slew, [(load, (wire delay, load slew))]) of one driver arc at
    input slew s_in into the pi model `pi` (the Dmp iteration)."""
    def table(c):
        return (lookup(td, s_in, c), max(lookup(ts, s_in, c), 0.0) if ts >= 0 else 0.0)

    dmp = Dmp(table, th, s_in, *pi)
    d, s = dmp.gate_delay_slew()
    return d, s, [(load, dmp.load_delay_slew(el[(eo, mm)])) for load, el in elmore.items()]


def delay_calc(g, order, th: Thresholds, slew_max, slew_min, arc_dmax, arc_dmin):
    """Arc delays and slews of the whole graph with the RC nets of g.rc (the others as
    lumped loads, as the kernels). Returns (wire, pin_slew, has_pin): per node the wire
    delay from its net's driver and the slew at the pin, per (edge, minmax); has_pin marks
    the load pins of RC nets (elsewhere the pin's slew is its driver's)."""
    from edapipe.timing.graph import EDGE

    tab_n, tab_var, tab_off, axes, vals = g.tables
    tn = tab_n.tolist()
    tv = tab_var.tolist()
    to = tab_off.tolist()
    ax = axes.tolist()
    vs = vals.tolist()

    def seg(off, n, x):
        if n == 1:
            return 0, 0.0
        if x <= ax[off]:
            i = 0
        elif x >= ax[off + n - 1]:
            i = n - 2
        else:
            i = 0
            while ax[off + i + 1] <= x:
                i += 1
        a0 = ax[off + i]
        return i, (x - a0) / (ax[off + i + 1] - a0)

    def lookup(t, x_slew, x_cap):
        n1, n2 = tn[t]
        v1, v2 = tv[t]
        x1 = x_slew if v1 == 0 else (x_cap if v1 == 1 else 0.0)
        x2 = x_slew if v2 == 0 else (x_cap if v2 == 1 else 0.0)
        i, d1 = seg(to[t][0], n1, x1)
        j, d2 = seg(to[t][1], n2, x2)
        b = to[t][2]
        if n1 == 1 and n2 == 1:
            return vs[b]
        if n2 == 1:
            return (1.0 - d1) * vs[b + i] + d1 * vs[b + i + 1]
        if n1 == 1:
            return (1.0 - d2) * vs[b + j] + d2 * vs[b + j + 1]
        return ((1.0 - d1) * (1.0 - d2) * vs[b + i * n2 + j]
                + d1 * (1.0 - d2) * vs[b + (i + 1) * n2 + j]
                + d1 * d2 * vs[b + (i + 1) * n2 + j + 1]
                + (1.0 - d1) * d2 * vs[b + i * n2 + j + 1])

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
                                got = memo[key] = _dmp_solve(lookup, td, ts, s_in, th, pi,
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
