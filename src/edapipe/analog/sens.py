"""`.sens OUTPUT`: DC sensitivities of an output to every device parameter, as ngspice 39
prints them (spicelib/analysis/cktsens.c, cktsgen.c; re-derived).

ngspice perturbs one parameter p at a time by dp = 1e-6 p (1e-6 when p is 0), takes the
change of the device's linear stamps dY and of its sources dI, and solves
    dE = Y^-1 (dI - dY E)
with Y the operating point's matrix and E its solution; the sensitivity is the output's
change over dp (a one-sided difference: for R it is d/dR of 1/R over dp, not -1/R^2).
Here one transposed solve Y^T y = e_out gives every parameter's y . (dI - dY E), the same
numbers to rounding.

The parameters and their vector names follow ngspice's device tables: the device types in
ngspice's order (C, F, H, D, L, I, MOS levels 1, 2, 3, R, G, E, V), a type's models in
reverse order of first use, each model's instances last to first, for each instance its
model's parameters (`r1:bv_max`) then its own (`r1` for the principal one, `r1_m`);
parameters whose value is 0 are left out, as ngspice does, except the principal one.
Devices: R (no model, no temperature coefficients), C and L (no model; they do not act at
DC), V, I, linear E, F, G, H; diodes and MOSFETs of levels 1-3 in sens_devices.py (with
ngspice's artefacts reproduced on purpose, documented there). BJTs are a located error:
ngspice 39 crashes on .sens with any BJT, so there is nothing to match. JFETs, BSIM, B
sources, K, T and switches are located errors too.
"""

from __future__ import annotations

import re

import numpy as np

from edapipe.analog.sens_devices import (check_diode, check_mos, device_sens,
                                           model_key)
from edapipe.errors import excerpt

_OUT_RE = re.compile(r"^([vi])\(\s*([^,()\s]+)\s*(?:,\s*([^,()\s]+)\s*)?\)$", re.I)
_DELTA = 1e-6                     # ngspice's Sens_Delta and Sens_Abs_Delta
# ngspice's device table order (cap, cccs, ccvs, dio, ind, isrc, mos1-3, res, vccs, ...)
_TYPE_ORDER = ("C", "F", "H", "D", "L", "I", "M1", "M2", "M3", "R", "G", "E", "V")
_R_MODEL = ("bv_max", "lf", "wf", "ef")          # the default resistor model's nonzero ones
_R_QUIET = ("l", "w", "bv_max")                  # instance ones without effect at DC


def parse_sens(card, toks: list[str]) -> dict:
    """.sens v(a[,b]) | i(vsrc) [ac dec|oct|lin n f1 f2]"""
    m = re.match(r"\s*\S+\s+(\S+\(\s*[^)]*\))\s*(.*)$", card.text, re.DOTALL)
    if m is None:
        raise card.error(".sens needs an output: v(node), v(a,b) or i(vsource)")
    out = _OUT_RE.match(re.sub(r"\s+", "", m.group(1)))
    if out is None or (out.group(1).lower() == "i" and out.group(3)):
        raise card.error(f".sens: cannot read the output '{card.quote(m.group(1))}' "
                         f"(v(node), v(a,b) or i(vsource))")
    rest = m.group(2).split()
    if rest:
        if rest[0].lower() == "ac":
            raise card.error(".sens ... ac: AC sensitivities are not supported (the DC "
                             "form, .sens OUTPUT, is)")
        if rest[0].lower() != "dc":
            raise card.error(f".sens: unexpected '{card.quote(rest[0])}' after the output")
    return {"kind": out.group(1).lower(), "a": out.group(2).lower(),
            "b": (out.group(3) or "").lower()}


def _params(e) -> list[tuple[str, str, float, bool]]:
    """(vector suffix, parameter, value, model parameter?) in ngspice's order."""
    L = e.letter
    p = e.params
    if L == "R":
        m, scale = p.get("m", 1.0), p.get("scale", 1.0)
        raw = e.value * m / scale
        return ([(f":{k}", k, 1.0, True) for k in _R_MODEL]
                + [("", "r", raw, False), ("_l", "l", 1.0, False), ("_w", "w", 1.0, False),
                   ("_m", "m", m, False), ("_bv_max", "bv_max", 1.0, False),
                   ("_scale", "scale", scale, False)])
    if L == "C":
        return [(":bv_max", "bv_max", 1.0, True), ("_m", "m", 1.0, False),
                ("_bv_max", "bv_max", 1.0, False), ("_scale", "scale", 1.0, False)]
    if L == "L":
        return [("_m", "m", 1.0, False), ("_scale", "scale", 1.0, False)]
    if L == "V":
        return [("", "dc", e.source.dc or 0.0, False)]
    if L == "I":
        return [("", "dc", e.source.dc or 0.0, False), ("_m", "m", 1.0, False)]
    # E F G H: the gain, left out when it is 0 (not a principal parameter)
    return [("_gain", "gain", e.value, False)] if e.value != 0.0 else []


def _type_key(e) -> str:
    """ngspice's device type of an element: the letter, or M1/M2/M3 by MOS level (each
    level is its own device in ngspice's table)."""
    if e.letter == "M":
        return f"M{int(e.model.params.get('level', 1))}"
    return e.letter


def _check(e, error, circ) -> None:
    L = e.letter
    if L == "Q":
        raise error(f".sens: BJT {e.name}: not implemented: ngspice 39 itself crashes "
                    f"(segmentation fault) on .sens with any BJT, so there is no "
                    f"reference to match (edapipe's .sens covers R, C, L, V, I, E, F, G, "
                    f"H, D and MOS levels 1-3)")
    if L == "D":
        return check_diode(e, error)
    if L == "M":
        if _type_key(e) not in _TYPE_ORDER:
            raise error(f".sens: MOSFET {e.name}: level "
                        f"{e.model.params.get('level', 1):g} is not covered by .sens "
                        f"(levels 1, 2 and 3 are)")
        return check_mos(e, error, circ)
    if L not in _TYPE_ORDER:
        raise error(f".sens: the sensitivities of {L} devices ({e.name}) are not "
                    f"implemented (ngspice lists their model parameters; edapipe's .sens "
                    f"covers R, C, L, V, I, E, F, G, H, D and MOS levels 1-3)")
    if L in "RCL" and e.model is not None:
        raise error(f".sens: element {e.name} has a model: its model parameters are not "
                    f"covered by .sens")
    if L in "RCL":
        extra = [k for k in e.params if k not in ("m", "scale", "ac", "ic")]
        if extra:
            raise error(f".sens: element {e.name}: parameter '{extra[0]}' is not covered by "
                        f".sens (it would be listed by ngspice)")


def _walk(elements: list) -> list:
    """Elements in ngspice's sensitivity order: device types in its table's order; a type's
    models in reverse order of first use, each model's instances last to first."""
    out = []
    for t in _TYPE_ORDER:
        models: dict[int, list] = {}
        for e in elements:
            if _type_key(e) == t:
                models.setdefault(model_key(e) if e.model else 0, []).append(e)
        for group in reversed(list(models.values())):
            out.extend(reversed(group))
    return out


def _ngspice_name(e) -> str:
    return f"{e.letter.lower()}.{e.name}" if "." in e.name else e.name


def run_sens(sim, args: dict, card=None):
    from edapipe.analog.results import Result
    from edapipe.analog.results import Singular as _Singular
    from edapipe.analog.smallsignal import _tf_jacobian

    s = sim.sys
    circ = sim.circ

    def error(reason):
        return card.error(reason) if card is not None else ValueError(reason)

    for e in circ.elements:
        _check(e, e.card.error, circ)
    x = sim.operating_point()
    g = _tf_jacobian(sim, x)
    index = {n: k for k, n in enumerate(s.unknowns)}
    w = np.zeros(s.size, dtype=complex)
    if args["kind"] == "v":
        for name, sign in ((args["a"], 1.0), (args["b"], -1.0)):
            if name in ("", "0", "gnd"):
                continue
            k = index.get(f"v({name})")
            if k is None:
                raise error(f".sens: no node '{excerpt(name, 40)}'")
            w[k] += sign
    else:
        br = s.branch.get(args["a"])
        if br is None or not any(el.name == args["a"] and el.letter == "V"
                                 for el in circ.elements):
            raise error(f".sens: no voltage source '{excerpt(args['a'], 40)}'")
        w[br] = 1.0
    try:
        lu = sim._factor(g.astype(complex), dtype=complex)
    except _Singular:
        raise sim._singular() from None
    y = np.append(lu.solve(w, trans="T").real, 0.0)       # index -1: ground
    xe = np.append(x, 0.0)
    # ngspice's zeros: a parameter without effect leaves its delta vector at -0.0 (R, C)
    # or 0.0 (L), and the output subtracts the second node's entry (0.0 at ground)
    two = args["kind"] == "v" and args["b"] not in ("", "0", "gnd")

    def zero(base):
        return base - base if two else base - 0.0

    out_nodes = _output_nodes(args, index, two)
    groups = {g.kind: g for g in s.groups}
    rows = {g.kind: {n: k for k, n in enumerate(g.names)} for g in s.groups}
    state: dict = {}          # what ngspice's walk leaves behind (ISR, MOS 'given' flags)
    names, values = [], []
    for e in _walk(circ.elements):
        base = _ngspice_name(e)
        if e.letter in "DM":
            grp = groups["d" if e.letter == "D" else "m"]
            item = grp.items[rows[grp.kind][e.name]]
            nz = zero_at(out_nodes, set(item[1]))
            for suffix, val in device_sens(e, item, sim, y, xe, state):
                names.append(base + suffix)
                values.append(val if val != 0.0 else nz)
            continue
        for suffix, par, value, _ in _params(e):
            names.append(base + suffix)
            val = _one(e, par, value, y, xe, s, zero, sim)
            if val == 0.0 and e.letter != "L":
                val = zero(-0.0)       # no path to the output: ngspice's -0.0 as well
            values.append(val)
    if not names:
        raise error(".sens: the circuit has no device parameter to perturb")
    label = f"{args['kind']}({args['a']}{',' + args['b'] if args['b'] else ''})"
    return Result("sens", "", np.zeros(1), names, np.array([values]),
                  "Sensitivity Analysis", {"output": label})


def _output_nodes(args: dict, index: dict, two: bool):
    """The unknowns the output reads: (positive, negative or None); -1 is ground, None
    for the second of a single-node output; a current output reads its branch row."""
    if args["kind"] == "i":
        return ("branch", None)
    pos = index.get(f"v({args['a']})", -1) if args["a"] not in ("0", "gnd") else -1
    neg = None
    if two:
        neg = index.get(f"v({args['b']})", -1)
    return (pos, neg)


def zero_at(out_nodes, stamped: set) -> float:
    """The signed zero ngspice prints for a device parameter without effect: its delta
    vector is -0.0 where nothing was stamped and +0.0 where the device's two loads
    cancelled (measured: a diode's anode with or without RS, a MOSFET's drain); the output
    subtracts the second node's entry; a current output reads +0.0 (measured, a diode)."""
    pos, neg = out_nodes

    def at(n):
        return 0.0 if n in (-1, "branch") or n in stamped else -0.0

    if neg is None:
        return at(pos) - 0.0
    return at(pos) - at(neg)


def _node(n: int) -> int:
    return n - 1                       # ground (0) -> -1: the appended 0 of y and x


def _one(e, par, value, y, xe, s, zero, sim) -> float:
    """y . (dI - dY E) / dp for one parameter of one element."""
    L = e.letter
    dp = value * _DELTA if value != 0.0 else _DELTA
    if L == "C":
        return zero(-0.0)
    if L == "L":
        return zero(0.0)
    a, b = _node(e.nodes[0]), _node(e.nodes[1])
    if L == "R":
        if par not in ("r", "m", "scale"):
            return zero(-0.0)
        m, scale = e.params.get("m", 1.0), e.params.get("scale", 1.0)
        r = e.value * m / scale

        def cond(r_, m_, s_):
            return 1.0 / (r_ * s_) * m_

        g0 = cond(r, m, scale)
        g1 = cond(r + dp if par == "r" else r, m + dp if par == "m" else m,
                  scale + dp if par == "scale" else scale)
        dg = g1 - g0
        vab = xe[a] - xe[b]
        return (y[a] * (-dg * vab) + y[b] * (dg * vab)) / dp
    if L == "V":
        if e.source.dc is None and e.source.kind:
            return zero(-0.0)          # the op reads the waveform at t=0, not DC
        br = s.branch[e.name]
        return y[br] * ((value + dp) - value) / dp
    if L == "I":
        if e.source.dc is None and e.source.kind:
            return zero(-0.0)
        cur = e.source.dc or 0.0
        di = ((value + dp) - value) if par == "dc" else cur * (1.0 + dp) - cur
        # the current leaves n+ and enters n- (b[a] -= I, b[c] += I)
        return (-y[a] * di + y[b] * di) / dp
    dg = (value + dp) - value
    if L == "E":
        br = s.branch[e.name]
        cp, cn = _node(e.nodes[2]), _node(e.nodes[3])
        return y[br] * dg * (xe[cp] - xe[cn]) / dp
    if L == "G":
        cp, cn = _node(e.nodes[2]), _node(e.nodes[3])
        d = dg * (xe[cp] - xe[cn])
        return (-y[a] * d + y[b] * d) / dp
    from edapipe.analog.devices.passive import control

    ctrl = control(e, s.branch, {el.name: el for el in sim.circ.elements})
    if L == "F":
        return (-y[a] * dg * xe[ctrl] + y[b] * dg * xe[ctrl]) / dp
    br = s.branch[e.name]                                   # H
    return y[br] * dg * xe[ctrl] / dp


def sens_table(res, names: list[str] | None = None) -> str:
    """ngspice's `.print sens all`: the vectors sorted by name, one row (without page
    headers: one table)."""
    from edapipe.analog.output import _ngnum

    vals = dict(zip(res.names, res.data[0]))
    order = sorted(vals) if not names else [n for n in names if n in vals]
    heads = [f"{'Index':<8}"] + [f"{n:<15} " for n in order]
    row = ["0"] + _ngnum(np.array([vals[n] for n in order]))
    return "".join(heads).rstrip() + "\n" + "\t".join(row) + "\t\n"
