"""Lossless transmission lines (letter T, ngspice's TRA device), re-derived from the
two-port's travelling-wave equations:

    T1 p1 n1 p2 n2 Z0=50 TD=1n          (or F=freq NL=length in wavelengths at F;
                                          defaults F=1 GHz, NL=0.25, so TD = NL/F)
    [IC=v1,i1,v2,i2] or V1= I1= V2= I2= (initial port values, read with UIC)

Each port is a resistor Z0 in series with a voltage source that carries the wave arriving
from the other end: port 1 sees E1(t) = v2(t-TD) + Z0 i2(t-TD), port 2 sees
E2(t) = v1(t-TD) + Z0 i1(t-TD). As in ngspice, every line has four unknowns of its own,
internal nodes named `t1#i1`, `t1#i2` (the port currents) and `t1#int1`, `t1#int2` (between
the resistor and the source), hidden from the outputs like every `#` unknown.

* DC (op, dc sweeps, a transient's initial point): the delayed terms are the present ones,
  so the line is a pair of wires: v1 - Z0 i1 = v2 + (1-GMIN) Z0 i2 and vice versa (GMIN's
  factor as ngspice's traload.c).
* AC: the exact phasor model, the delay as exp(-j w TD).
* Transient: a table of the past waves (time, E1, E2); at each new time point E1, E2 are
  interpolated quadratically through the three entries around t - TD; when an accepted
  point shows the slope of a wave changing (ngspice's test with its fixed REL=ABS=1), a
  breakpoint is set one delay after the previous point, and the step is cut so as not to
  pass it (ngspice's TRAaccept and TRAtrunc).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from edapipe.analog.devices.table import Family, no_branch

# ngspice's TRAreltol/TRAabstol: output-only parameters, always 1
_REL = 1.0
_ABS = 1.0


class TLine:
    """One line's unknowns, parameters and delay table."""

    def __init__(self, e, nodes, internal, z0, td, ic):
        self.name = e.name
        self.card = e.card
        self.p1, self.n1, self.p2, self.n2 = nodes
        self.ibr1, self.ibr2, self.int1, self.int2 = internal
        self.z0 = z0
        self.td = td
        self.ic = ic               # (v1, i1, v2, i2) for UIC
        self.dc_pos: list[int] = []
        self.dc_val: list[float] = []
        self.ac_pos = np.zeros(0, np.int64)
        self.ac_coef = np.zeros(0)
        self.reset()

    def reset(self):
        self.times: list[float] = []
        self.in1: list[float] = []
        self.in2: list[float] = []

    def _v(self, x, k):
        return x[k] if k >= 0 else 0.0

    def waves(self, x) -> tuple[float, float]:
        """The waves each port sends to the other end at solution x: (E1 for port 1 from
        port 2's values, E2 for port 2 from port 1's)."""
        e1 = self._v(x, self.p2) - self._v(x, self.n2) + x[self.ibr2] * self.z0
        e2 = self._v(x, self.p1) - self._v(x, self.n1) + x[self.ibr1] * self.z0
        return float(e1), float(e2)

    # ---- transient ----------------------------------------------------------------------
    def start(self, x, uic: bool) -> None:
        """The table at the first time point: the operating point's waves (UIC: the IC
        values) held for all t <= 0."""
        if uic:
            v1, i1, v2, i2 = self.ic
            e1, e2 = v2 + i2 * self.z0, v1 + i1 * self.z0
        else:
            e1, e2 = self.waves(x)
        self.times = [-2.0 * self.td, -self.td, 0.0]
        self.in1 = [e1, e1, e1]
        self.in2 = [e2, e2, e2]

    def inputs(self, t: float) -> tuple[float, float]:
        """E1, E2 at time t: quadratic interpolation through the table entries around
        t - TD (extrapolation past the last one when a step is longer than TD)."""
        ts = self.times
        tau = t - self.td
        i = 2
        last = len(ts) - 1
        while i < last and ts[i] <= tau:
            i += 1
        t1, t2, t3 = ts[i - 2], ts[i - 1], ts[i]
        a, b = self.in1, self.in2
        try:
            f1 = (tau - t2) / (t1 - t2) * ((tau - t3) / (t1 - t3))
            f2 = (tau - t1) / (t2 - t1) * ((tau - t3) / (t2 - t3))
            f3 = (tau - t1) / (t3 - t1) * ((tau - t2) / (t3 - t2))
        except ZeroDivisionError:
            f1 = math.nan
        if not (math.isfinite(f1) and math.isfinite(f2) and math.isfinite(f3)):
            # entries closer than a double can tell apart (a TD of 1e-320 s): hold the
            # newest waves (ngspice skips the point's update)
            return a[i], b[i]
        return (f1 * a[i - 2] + f2 * a[i - 1] + f3 * a[i],
                f1 * b[i - 2] + f2 * b[i - 1] + f3 * b[i])

    def _bends(self, d1, d2, d3, d4) -> bool:
        return (abs(d1 - d2) >= _REL * max(abs(d1), abs(d2)) + _ABS
                or abs(d3 - d4) >= _REL * max(abs(d3), abs(d4)) + _ABS)

    def step_limit(self, waves, t: float, h_prev: float, h_prev2: float) -> float:
        """The longest step allowed at the tentative point t whose solution sends `waves`:
        when their slope changes, no further than one delay past the last accepted point
        (TRAtrunc; its slopes divide by the previous two steps, as ngspice's do)."""
        e1, e2 = waves
        a, b = self.in1, self.in2
        d1 = (e1 - a[-1]) / h_prev
        d2 = (a[-1] - a[-2]) / h_prev2
        d3 = (e2 - b[-1]) / h_prev
        d4 = (b[-1] - b[-2]) / h_prev2
        if self._bends(d1, d2, d3, d4):
            return self.times[-1] + self.td - t
        return math.inf

    def accept(self, waves, t: float, h: float, h_prev: float, minbreak: float,
               set_break):
        """An accepted point: entries older than needed are dropped, the point's waves are
        added, and a bend in their slope sets a breakpoint one delay after the previous
        point (TRAaccept)."""
        ts = self.times
        if t - self.td > ts[2]:
            i = 2
            last = len(ts) - 1
            while i < last and t - self.td > ts[i]:
                i += 1
            i -= 2
            if i > 0:
                del ts[:i], self.in1[:i], self.in2[:i]
        if t - ts[-1] > minbreak:
            e1, e2 = waves
            ts.append(t)
            self.in1.append(e1)
            self.in2.append(e2)
            a, b = self.in1, self.in2
            d1 = (a[-1] - a[-2]) / h
            d2 = (a[-2] - a[-3]) / h_prev
            d3 = (b[-1] - b[-2]) / h
            d4 = (b[-2] - b[-3]) / h_prev
            if self._bends(d1, d2, d3, d4):
                set_break(ts[-2] + self.td)


class Lines:
    """Every line of a circuit, as the analyses use them."""

    def __init__(self, lines: list[TLine]):
        self.lines = lines
        # unknown indices of every line's terminals (-1: ground, the appended zero)
        self._idx = np.array([[ln.p1, ln.n1, ln.p2, ln.n2, ln.ibr1, ln.ibr2]
                              for ln in lines], dtype=np.int64).reshape(-1, 6)
        self._z0 = np.array([ln.z0 for ln in lines])
        self._cache = None

    def __bool__(self):
        return bool(self.lines)

    def ac_data(self, nnz: int, freq: float) -> np.ndarray:
        """The frequency-dependent entries of the AC matrix (the delayed couplings)."""
        out = np.zeros(nnz, dtype=complex)
        for ln in self.lines:
            rot = complex(math.cos(-2 * math.pi * freq * ln.td),
                          math.sin(-2 * math.pi * freq * ln.td))
            np.add.at(out, ln.ac_pos, ln.ac_coef * rot)
        return out

    def start(self, x, uic: bool) -> None:
        for ln in self.lines:
            ln.start(x, uic)

    def add_inputs(self, t: float, b: np.ndarray) -> None:
        self._cache = None            # a new point: its solution will be a new array
        for ln in self.lines:
            e1, e2 = ln.inputs(t)
            b[ln.ibr1] += e1
            b[ln.ibr2] += e2

    def _waves(self, x) -> list[tuple[float, float]]:
        """Every line's (E1, E2) at x, at once (the accepted point's are those of its
        step-limit test: kept for the same array)."""
        if self._cache is not None and self._cache[0] is x:
            return self._cache[1]
        xe = np.append(x, 0.0)
        v = xe[self._idx]
        e1 = v[:, 2] - v[:, 3] + v[:, 5] * self._z0
        e2 = v[:, 0] - v[:, 1] + v[:, 4] * self._z0
        waves = list(zip(e1.tolist(), e2.tolist()))
        self._cache = (x, waves)
        return waves

    def step_limit(self, x, t, h_prev, h_prev2) -> float:
        return min((ln.step_limit(w, t, h_prev, h_prev2)
                    for ln, w in zip(self.lines, self._waves(x))), default=math.inf)

    def accept(self, x, t, h, h_prev, minbreak, set_break) -> None:
        for ln, w in zip(self.lines, self._waves(x)):
            ln.accept(w, t, h, h_prev, minbreak, set_break)


def insert_break(breaks: list[float], tb: float, now: float, minbreak: float) -> None:
    """A breakpoint into `breaks` (descending: the next one last), as ngspice's
    CKTsetBreak: within MINBREAK of a later one it replaces it (the earlier is kept), within
    MINBREAK after an earlier one it is dropped; one in the past is dropped."""
    if tb < now:
        return
    asc = breaks[::-1]
    i = bisect.bisect_right(asc, tb)
    if i < len(asc):
        if asc[i] - tb <= minbreak:
            asc[i] = tb
        elif i > 0 and tb - asc[i - 1] <= minbreak:
            return
        else:
            asc.insert(i, tb)
    else:
        if asc and tb - asc[-1] <= minbreak:
            return
        asc.append(tb)
    breaks[:] = asc[::-1]


# ---- the device table's entries ----------------------------------------------------------

def setup(e, bld, ctx):
    nodes = [bld.node(n) for n in e.nodes]
    internal = [bld.new_node(f"{e.name}#{s}") for s in ("i1", "i2", "int1", "int2")]
    p = e.params
    td = p["td"] if "td" in p else p.get("nl", 0.25) / p.get("f", 1e9)
    ic = (p.get("v1", 0.0), p.get("i1", 0.0), p.get("v2", 0.0), p.get("i2", 0.0))
    gmin = float(ctx.options.get("gmin", 1e-12))
    return TLine(e, nodes, internal, p["z0"], td, ic), gmin


def stamp(items, bld, sysm):
    """The lines' linear stamps (ngspice's traload.c pattern). The four couplings that
    exist only at DC go into G alone (gac 0): `finish` removes them for the transient."""
    lines = []
    for ln, gmin in items:
        g = 1.0 / ln.z0
        p1, n1, p2, n2 = ln.p1, ln.n1, ln.p2, ln.n2
        b1, b2, i1, i2 = ln.ibr1, ln.ibr2, ln.int1, ln.int2
        e = bld.entry
        e(p1, p1, g)
        e(p1, i1, -g)
        e(n1, b1, -1.0)
        e(p2, p2, g)
        e(n2, b2, -1.0)
        e(i1, p1, -g)
        e(i1, i1, g)
        e(i1, b1, 1.0)
        e(i2, i2, g)
        e(i2, b2, 1.0)
        e(b1, n1, -1.0)
        e(b1, i1, 1.0)
        e(b2, n2, -1.0)
        e(b2, i2, 1.0)
        e(p2, i2, -g)
        e(i2, p2, -g)
        zg = (1.0 - gmin) * ln.z0
        dc = [(b1, p2, -1.0, -1.0), (b1, n2, 1.0, 1.0), (b1, b2, -zg, -ln.z0),
              (b2, p1, -1.0, -1.0), (b2, n1, 1.0, 1.0), (b2, b1, -zg, -ln.z0)]
        ln.dc_entries = [(r, c, v, a) for r, c, v, a in dc if r >= 0 and c >= 0]
        for r, c, v, _ in ln.dc_entries:
            e(r, c, v, 0.0, 0.0)
        lines.append(ln)
    sysm.tlines = Lines(lines)
    return lines or None


def finish(pending, sysm, position):
    """The transient's G (the DC couplings taken out) and the AC couplings' positions."""
    if not pending:
        return
    gt = sysm.gdata.copy()
    for ln in pending:
        pos = [position(r, c) for r, c, _, _ in ln.dc_entries]
        for k, (_, _, v, _) in zip(pos, ln.dc_entries):
            gt[k] -= v
        ln.ac_pos = np.array(pos, dtype=np.int64)
        ln.ac_coef = np.array([a for _, _, _, a in ln.dc_entries])
    sysm.gdata_tran = gt


FAMILY = Family("tline", "T", setup, no_branch, stamp, finish)
