"""Modified nodal analysis: unknowns, the sparsity pattern (built once), linear stamps, sources.

Unknowns: node voltages (circuit nodes, then internal nodes of series resistances) followed by
branch currents of V, L, E and H elements. The system solved is
    G x + i(x) + d/dt (C x + q(x)) = b(t)
with G, C the linear parts as data arrays over one CSC pattern and i, q from the device kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from edapipe.analog.circuit import Circuit, Element, Source
from edapipe.analog.devices import BY_LETTER, FAMILIES
from edapipe.analog.devices.table import Context, DeviceGroup
from edapipe.errors import InputError


@dataclass
class System:
    circuit: Circuit
    size: int
    unknowns: list[str]          # output names: v(node) / i(name)
    is_node: np.ndarray          # bool per unknown: a voltage (VNTOL) or a current (ABSTOL)
    n_visible_nodes: int
    indptr: np.ndarray = None
    indices: np.ndarray = None
    gdata: np.ndarray = None
    cdata: np.ndarray = None
    gdata_ac: np.ndarray = None  # linear G with R ac= values
    vsrc: list[tuple[int, Source, str]] = field(default_factory=list)   # branch row
    isrc: list[tuple[int, int, Source, str]] = field(default_factory=list)
    groups: list[DeviceGroup] = field(default_factory=list)
    branch: dict[str, int] = field(default_factory=dict)
    ind_ic: dict[int, float] = field(default_factory=dict)   # inductor branch -> IC
    cap_ic: list[tuple[int, int, float, float]] = field(default_factory=list)
    diag_pos: np.ndarray = None  # positions of the node (then inductor) diagonals: gmin stepping
    cap_a: np.ndarray = None         # capacitors (linear, incl. MOS overlap): nodes, value
    cap_b: np.ndarray = None
    cap_c: np.ndarray = None
    inductor_rows: np.ndarray = None  # branch rows of inductors (their flux is -(C x)[row])

    bsrc: list = field(default_factory=list)   # behavioural sources, see stamp_behavioural
    tlines: object = None        # devices/tline.Lines: transmission lines (delay tables)
    gdata_tran: np.ndarray = None  # with T lines: G without their DC-only couplings

    @property
    def linear(self) -> bool:
        return not self.groups and not self.bsrc


class _Builder:
    """Collects the stamps (row, column, G, C, G for AC) the families make; the CSC
    pattern is built from them once, duplicates summed in stamping order."""

    def __init__(self, circ: Circuit, ctx: Context):
        self.circ = circ
        self.ctx = ctx
        self.by_name = {e.name: e for e in circ.elements}
        self.inductors: dict[str, tuple[int, float]] = {}   # name -> (branch row, L)
        self.n_nodes = len(circ.nodes) - 1
        self.extra_nodes: list[str] = []
        self.branches: list[str] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.gv: list[float] = []
        self.cv: list[float] = []
        self.gac: list[float] = []
        self.caps: list[tuple[int, int, float]] = []

    def node(self, n: int) -> int:
        return n - 1

    def new_node(self, name: str) -> int:
        self.extra_nodes.append(name)
        return self.n_nodes + len(self.extra_nodes) - 1

    def entry(self, r, c, g=0.0, cap=0.0, gac=None):
        if r < 0 or c < 0:
            return
        self.rows.append(r)
        self.cols.append(c)
        self.gv.append(g)
        self.cv.append(cap)
        self.gac.append(g if gac is None else gac)

    def conductance(self, a, b, g, gac=None):
        ga = g if gac is None else gac
        self.entry(a, a, g, 0.0, ga)
        self.entry(b, b, g, 0.0, ga)
        self.entry(a, b, -g, 0.0, -ga)
        self.entry(b, a, -g, 0.0, -ga)

    def capacitance(self, a, b, c, lte=True):
        if c and lte:
            self.caps.append((a, b, c))
        self.entry(a, a, 0.0, c)
        self.entry(b, b, 0.0, c)
        self.entry(a, b, 0.0, -c)
        self.entry(b, a, 0.0, -c)


def build(circ: Circuit) -> System:
    """Number the unknowns, stamp the linear parts, prepare the device groups: every
    element goes through its family in the device table (devices/__init__.py)."""
    opts = circ.options
    ctx = Context(circ.temp, float(opts.get("tnom", 27.0)), float(opts.get("reltol", 1e-3)),
                  opts)
    bld = _Builder(circ, ctx)
    items: dict[str, list] = {fam.name: [] for fam in FAMILIES}
    branch_elems = []
    # parameters and internal nodes, in netlist order; branch currents are numbered after
    # every node exists
    for e in circ.elements:
        fam = BY_LETTER.get(e.letter)
        if fam is None:
            raise e.card.error(f"element {e.name}: no device family simulates '{e.letter}' "
                               f"elements")
        items[fam.name].append(fam.setup(e, bld, ctx))
        if fam.branch(e):
            branch_elems.append(e)
    n_all_nodes = bld.n_nodes + len(bld.extra_nodes)
    branch_index = {e.name: n_all_nodes + i for i, e in enumerate(branch_elems)}
    size = n_all_nodes + len(branch_index)
    sysm = System(circ, size, [], np.zeros(size, dtype=bool), bld.n_nodes)
    sysm.branch = branch_index
    stamped = [(fam, fam.stamp(items[fam.name], bld, sysm)) for fam in FAMILIES]
    sysm.groups = [grp for fam, grp in stamped if fam.load is not None and grp is not None]
    # the diagonals gmin stepping adds to: every node's and every inductor branch's, as in
    # ngspice (a voltage source's branch row has no diagonal; with one, its row would no
    # longer be a singleton for StaticLU)
    diag_rows = list(range(n_all_nodes)) + [br for br, _ in bld.inductors.values()]
    for i in diag_rows:
        bld.entry(i, i)
    sysm.inductor_rows = np.array([br for br, _ in bld.inductors.values()], dtype=np.int64)
    sysm.cap_a = np.array([c[0] for c in bld.caps], dtype=np.int64)
    sysm.cap_b = np.array([c[1] for c in bld.caps], dtype=np.int64)
    sysm.cap_c = np.array([c[2] for c in bld.caps], dtype=float)
    ukeys = _pattern(sysm, bld, np.array(diag_rows, dtype=np.int64))

    def position(r, c):
        return int(np.searchsorted(ukeys, c * size + r)) if r >= 0 and c >= 0 else -1

    for grp in sysm.groups:
        n, k = grp.nodes.shape
        pos = np.full((n, k * k), -1, dtype=np.int64)
        rr = np.repeat(grp.nodes, k, axis=1)
        cc = np.tile(grp.nodes, (1, k))
        ok = (rr >= 0) & (cc >= 0)
        pos[ok] = np.searchsorted(ukeys, cc[ok] * size + rr[ok])
        grp.pos = pos
    for fam, pending in stamped:
        if fam.finish is not None:
            fam.finish(pending, sysm, position)
    names = [f"v({n})" for n in circ.nodes[1:]] + [f"v({n})" for n in bld.extra_nodes]
    for e in branch_elems:
        names.append(f"i({_ngspice_name(e)})")
    sysm.unknowns = names
    sysm.is_node[:n_all_nodes] = True
    return sysm


def _pattern(sysm: System, bld: _Builder, diag_rows: np.ndarray) -> np.ndarray:
    """The CSC pattern of every stamp (duplicates summed) and the G, C, G-for-AC values;
    returns the sorted keys col*size+row of the entries."""
    size = sysm.size
    rows = np.array(bld.rows, dtype=np.int64)
    cols = np.array(bld.cols, dtype=np.int64)
    keys = cols * size + rows
    ukeys, inv = np.unique(keys, return_inverse=True)
    nnz = len(ukeys)
    sysm.indices = (ukeys % size).astype(np.int32)
    counts = np.bincount(ukeys // size, minlength=size)
    sysm.indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    sysm.gdata = np.bincount(inv, weights=np.array(bld.gv), minlength=nnz)
    sysm.cdata = np.bincount(inv, weights=np.array(bld.cv), minlength=nnz)
    sysm.gdata_ac = np.bincount(inv, weights=np.array(bld.gac), minlength=nnz)
    sysm.diag_pos = np.searchsorted(ukeys, diag_rows * size + diag_rows)
    return ukeys


def _ngspice_name(e: Element) -> str:
    # ngspice spells a subcircuit element's vector with the letter first: v.x1.vdd
    if "." in e.name:
        return f"{e.letter.lower()}.{e.name}"
    return e.name


# ---- source waveforms ----------------------------------------------------------------------

def source_value(src: Source, t: float | None, tstep: float, tstop: float) -> float:
    """Value at time t; t=None means the DC/operating-point value."""
    if t is None:
        if src.dc is not None or not src.kind:
            return src.dc or 0.0
        t = 0.0
    if not src.kind:
        return src.dc or 0.0
    a = src.args
    kind = src.kind

    def arg(i, default):
        return a[i] if i < len(a) else default

    if kind == "pulse":
        v1, v2 = arg(0, 0.0), arg(1, 0.0)
        td, tr, tf = arg(2, 0.0), arg(3, 0.0) or tstep, arg(4, 0.0) or tstep
        pw, per = arg(5, 0.0) or tstop, arg(6, 0.0) or tstop
        # ngspice's PULSE: the period wraps only strictly after `per`, so t == per is
        # still inside the first pulse (rc.cir ends exactly there)
        tt = t - td
        if per > 0 and tt > per:
            tt -= per * math.floor(tt / per)
        if tt <= 0 or tt >= tr + pw + tf:
            return v1
        if tr <= tt <= tr + pw:
            return v2
        if tt < tr:
            return v1 + (v2 - v1) * tt / tr
        return v2 + (v1 - v2) * (tt - tr - pw) / tf
    if kind == "sin":
        vo, va = arg(0, 0.0), arg(1, 0.0)
        freq = arg(2, 0.0) or (1.0 / tstop if tstop else 0.0)
        td, theta, phase = arg(3, 0.0), arg(4, 0.0), arg(5, 0.0)
        ph = math.radians(phase)
        if t <= td:
            return vo + va * math.sin(ph)
        return vo + va * math.sin(2 * math.pi * freq * (t - td) + ph) * math.exp(
            -(t - td) * theta)
    if kind == "pwl":
        ts = a[0::2]
        vs = a[1::2]
        if t <= ts[0]:
            return vs[0]
        for i in range(1, len(ts)):
            if t <= ts[i]:
                if ts[i] == ts[i - 1]:
                    return vs[i]
                if (t == ts[i] and src.pwl_repeat is not None and i + 1 < len(ts)
                        and ts[i + 1] == t):
                    return vs[i + 1]    # PWL r=: the new value at a repeat's jump (ngspice)
                return vs[i - 1] + (vs[i] - vs[i - 1]) * (t - ts[i - 1]) / (ts[i] - ts[i - 1])
        return vs[-1]
    if kind == "exp":
        v1, v2 = arg(0, 0.0), arg(1, 0.0)
        td1 = arg(2, 0.0)
        tau1 = arg(3, 0.0) or tstep
        td2 = arg(4, 0.0) or td1 + tstep
        tau2 = arg(5, 0.0) or tstep
        v = v1
        if t > td1:
            v += (v2 - v1) * (1 - math.exp(-(t - td1) / tau1))
        if t > td2:
            v += (v1 - v2) * (1 - math.exp(-(t - td2) / tau2))
        return v
    if kind == "am":
        # ngspice 39: AM(VA VO MF FC TD ...), zero before TD; its 6th argument changes
        # nothing and its 7th is, in degrees, the phase of both the modulation and the
        # carrier (matched against ngspice 39 point for point; later versions differ)
        va, vo = arg(0, 0.0), arg(1, 0.0)
        mf = arg(2, 0.0) or (1.0 / tstop if tstop else 0.0)
        fc = arg(3, 0.0) or (1.0 / tstop if tstop else 0.0)
        tt = t - arg(4, 0.0)
        if tt <= 0.0:
            return 0.0
        ph = math.radians(arg(6, 0.0))
        return va * (vo + math.sin(2 * math.pi * mf * tt + ph)) * math.sin(
            2 * math.pi * fc * tt + ph)
    if kind == "sffm":
        vo, va = arg(0, 0.0), arg(1, 0.0)
        fc = arg(2, 0.0) or (1.0 / tstop if tstop else 0.0)
        mdi = arg(3, 0.0)
        fs = arg(4, 0.0) or (1.0 / tstop if tstop else 0.0)
        # ngspice 39: the 6th and 7th arguments are the carrier's and the signal's phases in
        # degrees (matched against it); further ones are ignored, as there
        phc, phs = math.radians(arg(5, 0.0)), math.radians(arg(6, 0.0))
        return vo + va * math.sin(2 * math.pi * fc * t + phc
                                  + mdi * math.sin(2 * math.pi * fs * t + phs))
    return src.dc or 0.0


def source_breakpoints(src: Source, tstep: float, tstop: float) -> list[float]:
    """Corners of a waveform where the step must land (PULSE edges, PWL points, delays)."""
    a = src.args
    out: list[float] = []

    def arg(i, default):
        return a[i] if i < len(a) else default

    if src.kind == "pulse":
        td, tr, tf = arg(2, 0.0), arg(3, 0.0) or tstep, arg(4, 0.0) or tstep
        pw, per = arg(5, 0.0) or tstop, arg(6, 0.0) or tstop
        start = td
        while start < tstop:
            out += [start, start + tr, start + tr + pw, start + tr + pw + tf]
            if per <= 0:
                break
            start += per
            if len(out) > 400000:
                break
    elif src.kind == "pwl":
        # with td= or r=, ngspice 39 sets breakpoints at the times as written only (not
        # delayed by td, not repeated)
        out += list(src.pwl_breaks if src.pwl_breaks is not None else a[0::2])
    # SIN: no breakpoint at its delay (ngspice 39 sets none; rca3040's steps show it)
    elif src.kind == "exp":
        td1 = arg(2, 0.0)
        out += [td1, arg(4, 0.0) or td1 + tstep]
    return [t for t in out if 0.0 < t < tstop]


def rhs_sources(sysm: System, t: float | None, tstep: float, tstop: float,
                scale: float = 1.0) -> np.ndarray:
    b = np.zeros(sysm.size)
    name = ""
    try:
        for br, src, name in sysm.vsrc:
            b[br] += scale * source_value(src, t, tstep, tstop)
        for a, c, src, name in sysm.isrc:
            val = scale * source_value(src, t, tstep, tstop)
            if a >= 0:
                b[a] -= val
            if c >= 0:
                b[c] += val
    except (ValueError, OverflowError, ZeroDivisionError) as exc:
        # a waveform whose arguments overflow (sin of a frequency of 1e308, an exponential
        # with a negative time constant): the source's card, not a traceback
        card = next((e.card for e in sysm.circuit.elements if e.name == name), None)
        when = "the operating point" if t is None else f"t={t:g} s"
        reason = f"element {name}: its value cannot be computed at {when} ({exc})"
        if card is None:
            raise InputError(reason, file=sysm.circuit.path) from None
        raise card.error(reason) from None
    return b


def rhs_ac(sysm: System) -> np.ndarray:
    b = np.zeros(sysm.size, dtype=complex)
    for br, src, _ in sysm.vsrc:
        b[br] += src.ac_mag * np.exp(1j * math.radians(src.ac_phase))
    for a, c, src, _ in sysm.isrc:
        val = src.ac_mag * np.exp(1j * math.radians(src.ac_phase))
        if a >= 0:
            b[a] -= val
        if c >= 0:
            b[c] += val
    return b


def check_topology(sysm: System) -> None:
    """Nodes that touch only one element terminal or have no DC path to ground are reported
    by the solver as singular; here we catch the common 'dangling node' case early."""
    circ = sysm.circuit
    count = np.zeros(len(circ.nodes), dtype=np.int64)
    for e in circ.elements:
        for n in e.nodes:
            count[n] += 1
    for i in range(1, len(circ.nodes)):
        if count[i] == 0:
            raise InputError(f"node '{circ.nodes[i]}' is not connected", file=circ.path)
