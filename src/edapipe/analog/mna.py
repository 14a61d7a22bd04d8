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

from edapipe.analog import device_kernels as K
from edapipe.analog import devices as D
from edapipe.analog.circuit import Circuit, Element, Source
from edapipe.errors import InputError


@dataclass
class DeviceGroup:
    kind: str
    kernel: object
    names: list[str]
    nodes: np.ndarray      # (n, k) unknown indices, -1 = ground
    par: np.ndarray
    state: np.ndarray
    pos: np.ndarray = None  # (n, k*k) positions in the CSC data
    qdev: np.ndarray = None  # (n, k) terminal charges from the last evaluation


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

    @property
    def linear(self) -> bool:
        return not self.groups and not self.bsrc


class _Builder:
    def __init__(self, circ: Circuit):
        self.circ = circ
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


# what a model's parameters can raise while its row is computed (a zero where a parameter
# divides, the logarithm of a negative saturation current, an exponent out of range)
_PARAM_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


def _param_error(e: Element, exc: Exception):
    reason = str(exc)
    if isinstance(exc, ZeroDivisionError):
        reason = "a parameter that divides is zero"
    elif reason == "math domain error":
        reason = ("a parameter is out of its range (zero or negative where the model takes "
                  "a logarithm or a root)")
    elif isinstance(exc, OverflowError):
        reason = "a parameter is too large"
    return e.card.error(f"element {e.name} (model {e.model.name}): {reason}")


def build(circ: Circuit) -> System:
    """Number the unknowns, stamp the linear elements, prepare the device groups."""
    opts = circ.options
    tnom = float(opts.get("tnom", 27.0))
    temp = circ.temp
    reltol = float(opts.get("reltol", 1e-3))
    bld = _Builder(circ)
    by_name = {e.name: e for e in circ.elements}
    # branch currents first get their numbers after all nodes exist, so collect them
    branch_elems = [e for e in circ.elements if e.letter in "VLEH" or (
        e.letter == "B" and e.params["kind"] == "V")]
    pending_groups: dict[str, list] = {"d": [], "q": [], "m": []}
    # device internal nodes
    for e in circ.elements:
        nodes = [bld.node(n) for n in e.nodes]
        if e.letter == "D":
            try:
                row, rs = D.diode_row(e.model.params, e.params, temp, tnom, reltol)
            except _PARAM_ERRORS as exc:
                raise _param_error(e, exc) from None
            a = nodes[0]
            if rs > 0:
                a = bld.new_node(e.name + "#internal")
            pending_groups["d"].append((e, [a, nodes[1]], row, rs, nodes))
        elif e.letter == "Q":
            try:
                row, rc, re = D.bjt_row(e.model.params, e.model.kind, e.params, temp, tnom)
            except _PARAM_ERRORS as exc:
                raise _param_error(e, exc) from None
            c, b, em = nodes[:3]
            s = nodes[3] if len(nodes) > 3 else -1
            ci = bld.new_node(e.name + "#collector") if rc > 0 else c
            bi = bld.new_node(e.name + "#base") if row[K.B_RB] > 0 else b
            ei = bld.new_node(e.name + "#emitter") if re > 0 else em
            pending_groups["q"].append((e, [ci, b, bi, ei, s], row, (rc, re), nodes))
        elif e.letter == "M":
            level = int(e.model.params.get("level", 1))
            if level not in (1, 2):
                raise e.card.error(f"element {e.name}: MOS level {level} is not supported "
                                   f"(levels 1 and 2 only)")
            mos_row = D.mos2_row if level == 2 else D.mos1_row
            try:
                row, rd, rs, overlap = mos_row(e.model.params, e.model.kind, e.params, temp,
                                               tnom, opts)
            except _PARAM_ERRORS as exc:
                raise _param_error(e, exc) from None
            d, g, s, b = nodes
            di = bld.new_node(e.name + "#drain") if rd > 0 else d
            si = bld.new_node(e.name + "#source") if rs > 0 else s
            pending_groups["m"].append((e, [di, g, si, b], row, (rd, rs, overlap), nodes))
    n_all_nodes = bld.n_nodes + len(bld.extra_nodes)
    branch_index = {}
    for e in branch_elems:
        branch_index[e.name] = n_all_nodes + len(branch_index)
    size = n_all_nodes + len(branch_index)
    sysm = System(circ, size, [], np.zeros(size, dtype=bool), bld.n_nodes)
    sysm.branch = branch_index
    inductors = {}
    for e in circ.elements:
        nodes = [bld.node(n) for n in e.nodes]
        L = e.letter
        if L == "R":
            tf = _res_temp_factor(e, temp, tnom)
            g = 1.0 / (e.value * tf)
            gac = 1.0 / (e.params["ac"] * tf) if "ac" in e.params and e.params["ac"] else None
            bld.conductance(nodes[0], nodes[1], g, gac)
        elif L == "C":
            bld.capacitance(nodes[0], nodes[1], e.value)
            if "ic" in e.params:
                sysm.cap_ic.append((nodes[0], nodes[1], e.params["ic"], e.value))
        elif L in "VLEH":
            br = branch_index[e.name]
            a, b = nodes[0], nodes[1]
            bld.entry(a, br, 1.0)
            bld.entry(b, br, -1.0)
            bld.entry(br, a, 1.0)
            bld.entry(br, b, -1.0)
            if L == "V":
                sysm.vsrc.append((br, e.source, e.name))
            elif L == "L":
                bld.entry(br, br, 0.0, -e.value)
                inductors[e.name] = (br, e.value)
                if "ic" in e.params:
                    sysm.ind_ic[br] = e.params["ic"]
            elif L == "E":
                bld.entry(br, bld.node(e.nodes[2]), -e.value)
                bld.entry(br, bld.node(e.nodes[3]), e.value)
            elif L == "H":
                ctrl = _control(e, branch_index, by_name)
                bld.entry(br, ctrl, -e.value)
        elif L == "I":
            sysm.isrc.append((nodes[0], nodes[1], e.source, e.name))
        elif L == "G":
            cp, cn = bld.node(e.nodes[2]), bld.node(e.nodes[3])
            a, b = nodes[0], nodes[1]
            bld.entry(a, cp, e.value)
            bld.entry(a, cn, -e.value)
            bld.entry(b, cp, -e.value)
            bld.entry(b, cn, e.value)
        elif L == "F":
            ctrl = _control(e, branch_index, by_name)
            bld.entry(nodes[0], ctrl, e.value)
            bld.entry(nodes[1], ctrl, -e.value)
    bentries = []
    for e in circ.elements:
        if e.letter != "B":
            continue
        nodes = [bld.node(n) for n in e.nodes]
        cols = []
        for dep in e.params["deps"]:
            if dep[0] == "v":
                cols.append((bld.node(dep[1]), bld.node(dep[2])))
            else:
                if dep[1] not in branch_index:
                    raise e.card.error(f"element {e.name}: i({dep[1]}) needs a voltage source "
                                       f"or inductor named {dep[1]}")
                cols.append((branch_index[dep[1]], -1))
        br = branch_index.get(e.name, -1)
        if br >= 0:
            bld.entry(nodes[0], br, 1.0)
            bld.entry(nodes[1], br, -1.0)
            bld.entry(br, nodes[0], 1.0)
            bld.entry(br, nodes[1], -1.0)
            rows = [(br, 1.0)]
        else:
            rows = [(nodes[0], 1.0), (nodes[1], -1.0)]
        for cp, cn in cols:
            for r, _ in rows:
                bld.entry(r, cp)
                bld.entry(r, cn)
        bentries.append((e, rows, cols, br))
    for e in circ.elements:
        if e.letter == "K":
            names = e.control.split()
            got = []
            for n in names:
                if n not in inductors:
                    raise e.card.error(f"element {e.name}: '{n}' is not an inductor")
                got.append(inductors[n])
            (b1, l1), (b2, l2) = got
            mut = e.value * math.sqrt(l1 * l2)
            bld.entry(b1, b2, 0.0, -mut)
            bld.entry(b2, b1, 0.0, -mut)
    # nonlinear devices: series resistances are linear, the cores go to kernels
    groups = []
    for kind, kernel, k in (("d", K.diode_load, 2), ("q", K.bjt_load, 5), ("m", K.mos1_load, 4)):
        items = pending_groups[kind]
        if not items:
            continue
        for e, term, row, extra, ext in items:
            if kind == "d" and extra > 0:
                bld.conductance(ext[0], term[0], 1.0 / extra)
            elif kind == "q":
                rc, re = extra
                if rc > 0:
                    bld.conductance(ext[0], term[0], 1.0 / rc)
                if re > 0:
                    bld.conductance(ext[2], term[3], 1.0 / re)
            elif kind == "m":
                rd, rs, (cgs, cgd, cgb) = extra
                if rd > 0:
                    bld.conductance(ext[0], term[0], 1.0 / rd)
                if rs > 0:
                    bld.conductance(ext[2], term[2], 1.0 / rs)
                # with TOX the device's own gate charges (Meyer + overlap) carry the
                # truncation-error check, so the overlap capacitors stay out of that list
                lte = row[K.M_COX] == 0.0
                bld.capacitance(term[1], term[2], cgs, lte)
                bld.capacitance(term[1], term[0], cgd, lte)
                bld.capacitance(term[1], term[3], cgb, lte)
            for a in term:
                for b in term:
                    bld.entry(a, b)
        nodes = np.array([it[1] for it in items], dtype=np.int64)
        par = np.array([it[2] for it in items])
        nstate = {"d": 2, "q": 3, "m": K.M_NSTATE}[kind]
        off_col = {"d": 1, "q": 2, "m": 4}[kind]
        state = np.zeros((len(items), nstate))
        for i, it in enumerate(items):
            if it[0].params.get("off"):
                state[i, off_col] = 1.0
        groups.append(DeviceGroup(kind, kernel, [it[0].name for it in items], nodes, par,
                                  state, qdev=np.zeros((len(items), k))))
    # the diagonals gmin stepping adds to: every node's and every inductor branch's, as in
    # ngspice (a voltage source's branch row has no diagonal; with one, its row would no
    # longer be a singleton for StaticLU)
    diag_rows = list(range(n_all_nodes)) + [br for br, _ in inductors.values()]
    for i in diag_rows:
        bld.entry(i, i)
    sysm.inductor_rows = np.array([br for br, _ in inductors.values()], dtype=np.int64)
    sysm.cap_a = np.array([c[0] for c in bld.caps], dtype=np.int64)
    sysm.cap_b = np.array([c[1] for c in bld.caps], dtype=np.int64)
    sysm.cap_c = np.array([c[2] for c in bld.caps], dtype=float)
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
    diag_rows = np.array(diag_rows, dtype=np.int64)
    sysm.diag_pos = np.searchsorted(ukeys, diag_rows * size + diag_rows)

    def position(r, c):
        if r < 0 or c < 0:
            return -1
        return int(np.searchsorted(ukeys, c * size + r))

    for grp in groups:
        n, k = grp.nodes.shape
        pos = np.full((n, k * k), -1, dtype=np.int64)
        rr = np.repeat(grp.nodes, k, axis=1)
        cc = np.tile(grp.nodes, (1, k))
        ok = (rr >= 0) & (cc >= 0)
        pos[ok] = np.searchsorted(ukeys, cc[ok] * size + rr[ok])
        grp.pos = pos
    del position
    sysm.groups = groups
    for e, rows, cols, br in bentries:
        def pos(r, c):
            return int(np.searchsorted(ukeys, c * size + r)) if r >= 0 and c >= 0 else -1
        stamps = [[(pos(r, cp), pos(r, cn)) for cp, cn in cols] for r, _ in rows]
        sysm.bsrc.append({"elem": e, "rows": rows, "cols": cols, "branch": br,
                          "pos": stamps})
    names = [f"v({n})" for n in circ.nodes[1:]] + [f"v({n})" for n in bld.extra_nodes]
    for e in branch_elems:
        names.append(f"i({_ngspice_name(e)})")
    sysm.unknowns = names
    sysm.is_node[:n_all_nodes] = True
    return sysm


def stamp_behavioural(sysm: System, x: np.ndarray, time: float, data: np.ndarray,
                      rhs: np.ndarray) -> None:
    """Linearise every B source at x: derivatives by central differences (B sources are
    few; their expressions are interpreted). I=: current n+ -> n- through the source.
    V=: branch row v(n+) - v(n-) = f(x)."""
    from edapipe.analog.expr import ExprError, evaluate

    for b in sysm.bsrc:
        e = b["elem"]
        p = e.params
        env = {"time": time}           # in front of the parameters (see evaluate)
        outer = p["env"]
        vals = []
        for cp, cn in b["cols"]:
            vals.append((x[cp] if cp >= 0 else 0.0) - (x[cn] if cn >= 0 else 0.0))
        for k, v in enumerate(vals):
            env[f"__d{k}"] = v
        try:
            f0 = evaluate(p["tree"], env, p["funcs"], outer)
            grads = []
            for k, v in enumerate(vals):
                h = 1e-6 * max(abs(v), 1e-3)
                env[f"__d{k}"] = v + h
                fp = evaluate(p["tree"], env, p["funcs"], outer)
                env[f"__d{k}"] = v - h
                fm = evaluate(p["tree"], env, p["funcs"], outer)
                env[f"__d{k}"] = v
                grads.append((fp - fm) / (2 * h))
        except (ExprError, OverflowError, ZeroDivisionError) as exc:
            raise e.card.error(f"element {e.name}: {exc}") from None
        lin = f0 - sum(g * v for g, v in zip(grads, vals))
        if b["branch"] >= 0:
            # v(n+) - v(n-) - sum g*x = lin
            row_pos = b["pos"][0]
            for (pp, pn), g in zip(row_pos, grads):
                if pp >= 0:
                    data[pp] -= g
                if pn >= 0:
                    data[pn] += g
            rhs[b["branch"]] += lin
        else:
            for (r, sign), row_pos in zip(b["rows"], b["pos"]):
                for (pp, pn), g in zip(row_pos, grads):
                    if pp >= 0:
                        data[pp] += sign * g
                    if pn >= 0:
                        data[pn] -= sign * g
                if r >= 0:
                    rhs[r] -= sign * lin


def _res_temp_factor(e: Element, temp: float, tnom: float) -> float:
    """ngspice's resistor temperature factor (restemp.c): dT = TEMP + DTEMP - TNOM (the
    model's TNOM if given); TCE given: 1.01^(TCE dT), else 1 + TC1 dT + TC2 dT^2. Instance
    TC1/TC2/TCE override the model's."""
    mp = e.model.params if e.model is not None else {}
    ip = e.params

    def par(name):
        return ip[name] if name in ip else mp.get(name)

    dt = temp + ip.get("dtemp", 0.0) - mp.get("tnom", tnom)
    if dt == 0.0:
        return 1.0
    tce = par("tce")
    if tce is not None:
        return 1.01 ** (tce * dt)
    return 1.0 + (par("tc1") or 0.0) * dt + (par("tc2") or 0.0) * dt * dt


def _ngspice_name(e: Element) -> str:
    # ngspice spells a subcircuit element's vector with the letter first: v.x1.vdd
    if "." in e.name:
        return f"{e.letter.lower()}.{e.name}"
    return e.name


def _control(e: Element, branch_index: dict, by_name: dict) -> int:
    ctrl = e.control
    if ctrl not in branch_index:
        if ctrl.split(".")[-1] in branch_index:
            ctrl = ctrl.split(".")[-1]
        else:
            raise e.card.error(f"element {e.name}: controlling source '{ctrl}' is not a "
                               f"voltage source")
    if by_name.get(ctrl) is not None and by_name[ctrl].letter not in "VLEH":
        raise e.card.error(f"element {e.name}: '{ctrl}' cannot control a current")
    return branch_index[ctrl]


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
    if kind == "sffm":
        vo, va = arg(0, 0.0), arg(1, 0.0)
        fc = arg(2, 0.0) or (1.0 / tstop if tstop else 0.0)
        mdi = arg(3, 0.0)
        fs = arg(4, 0.0) or (1.0 / tstop if tstop else 0.0)
        return vo + va * math.sin(2 * math.pi * fc * t + mdi * math.sin(2 * math.pi * fs * t))
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
        out += list(a[0::2])
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
