"""`.tf OUTPUT INSRC`: the DC small-signal transfer function, input and output resistance,
as ngspice 39 computes them (spicelib/analysis/tfanal.c).

At the operating point the circuit is linearised (the Jacobian of the DC equations); one
solve with a unit excitation of the input source (a unit branch voltage for a V source, a
unit current from n+ to n- through an I source) gives the transfer function (the output
voltage v(a[,b]) or the current of the output V source) and the input resistance
(-1/i for a V source, 1e20 when i is below 1e-20; v(n-) - v(n+) for an I source); a second
solve with a unit current out of the output node (a unit branch voltage in the output
source) gives the output resistance (1/max(1e-20, i) for a current output, ngspice's rule:
1e20 for the usual source that drives a passive load).
"""

from __future__ import annotations

import math
import re

import numpy as np

from edapipe.analog.devices.physics import BOLTZ
from edapipe.errors import excerpt

_OUT_RE = re.compile(r"^([vi])\(\s*([^,()\s]+)\s*(?:,\s*([^,()\s]+)\s*)?\)$", re.I)


def parse_tf(card, toks: list[str]) -> dict:
    """.tf v(a[,b])|i(vsrc) insrc"""
    whole = re.match(r"\s*\S+\s+(.+?)\s+(\S+)\s*$", card.text, re.DOTALL)
    if whole is None:
        raise card.error(".tf needs an output (v(node), v(a,b) or i(vsource)) and an input "
                         "source")
    out = whole.group(1)
    toks = [whole.group(2)]
    m = _OUT_RE.match(out)
    if m is None or (m.group(1).lower() == "i" and m.group(3)):
        raise card.error(f".tf: cannot read the output '{card.quote(out)}' (v(node), v(a,b) "
                         f"or i(vsource))")
    return {"out_kind": m.group(1).lower(), "a": m.group(2).lower(),
            "b": (m.group(3) or "").lower(), "src": toks[-1].lower(),
            "label": re.sub(r"\s+", "", out.lower())}


def run_tf(sim, args: dict, card=None):
    from edapipe.analog.results import Result
    from edapipe.analog.results import Singular as _Singular

    s = sim.sys
    circ = sim.circ

    def error(reason):
        return card.error(reason) if card is not None else ValueError(reason)

    insrc = next((e for e in circ.elements if e.name == args["src"] and e.letter in "VI"),
                 None)
    if insrc is None:
        raise error(f".tf: no independent source '{excerpt(args['src'], 40)}'")
    x = sim.operating_point()
    g = _tf_jacobian(sim, x)
    try:
        lu = sim._factor(g.astype(complex), dtype=complex)
    except _Singular:
        raise sim._singular() from None
    index = {n: k for k, n in enumerate(s.unknowns)}
    branch = {name: br for br, _, name in s.vsrc}

    def node_row(name):
        if name in ("0", "gnd", ""):
            return -1
        k = index.get(f"v({name})")
        if k is None:
            raise error(f".tf: no node '{excerpt(name, 40)}'")
        return k

    def val(sol, k):
        return 0.0 if k < 0 else float(sol[k].real)

    def src_branch(name):
        br = branch.get(name)
        if br is None:
            m = re.fullmatch(r"[a-z]\.(.+)", name)
            br = branch.get(m.group(1)) if m else None
        if br is None:
            raise error(f".tf: '{excerpt(name, 40)}' is not a voltage source")
        return br

    b = np.zeros(s.size, dtype=complex)
    if insrc.letter == "I":
        n1 = insrc.nodes[0] - 1
        n2 = insrc.nodes[1] - 1
        if n1 >= 0:
            b[n1] -= 1.0
        if n2 >= 0:
            b[n2] += 1.0
    else:
        inb = src_branch(insrc.name)
        b[inb] += 1.0
    sol = lu.solve(b)
    if args["out_kind"] == "v":
        pos, neg = node_row(args["a"]), node_row(args["b"])
        transfer = val(sol, pos) - val(sol, neg)
    else:
        outb = src_branch(args["a"])
        transfer = float(sol[outb].real)
    if insrc.letter == "I":
        rin = val(sol, n2) - val(sol, n1)
    else:
        i_in = float(sol[inb].real)
        rin = 1e20 if abs(i_in) < 1e-20 else -1.0 / i_in
    if args["out_kind"] == "i" and args["a"] == args["src"]:
        rout = rin
    else:
        b = np.zeros(s.size, dtype=complex)
        if args["out_kind"] == "v":
            if pos >= 0:
                b[pos] -= 1.0
            if neg >= 0:
                b[neg] += 1.0
            sol = lu.solve(b)
            rout = val(sol, neg) - val(sol, pos)
        else:
            b[outb] += 1.0
            sol = lu.solve(b)
            rout = 1.0 / max(1e-20, float(sol[outb].real))
    in_name = f"{args['src']}#input_impedance"
    out_name = (f"{args['a']}#output_impedance" if args["out_kind"] == "i"
                else f"output_impedance_at_{args['label']}")
    names = ["transfer_function", in_name, out_name]
    data = np.array([[transfer, rin, rout]])
    return Result("tf", "", np.zeros(1), names, data, "Transfer Function")


def _tf_jacobian(sim, x) -> np.ndarray:
    """The Jacobian at the operating point x with every switch in the state that operating
    point left it in: ngspice's tfanal.c loads the matrix right after its op, so a switch
    the op closed is closed, where the small-signal load (.ac, .noise) takes the last
    accepted state (open after an op). The states are restored afterwards."""
    from edapipe.analog.devices import switch

    saved = [(grp, grp.state.copy()) for grp in sim.sys.groups
             if grp.kind == switch.FAMILY.kind]
    try:
        for grp, _ in saved:
            switch.commit(grp.state)
        g, _ = _jacobian(sim, x)
    finally:
        for grp, state in saved:
            grp.state[:] = state
    return g


def _jacobian(sim, x, ac: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The DC equations linearised at x (the matrix of Simulator.ac at f=0, with the DC
    values of the resistors, or with `ac` their ac= values): the device kernels in their
    small-signal mode. Returns the conductances and the devices' capacitances (over the
    CSC pattern; the linear ones are the system's cdata)."""
    from edapipe.analog.devices.behavioural import stamp_behavioural
    from edapipe.analog.devices.common_kernels import Stamps

    s = sim.sys
    sim._inc_warm = None          # the kernels below rewrite states and vectors
    g = (s.gdata_ac if ac else s.gdata).copy()
    cdev = np.zeros_like(g)
    for grp in s.groups:
        grp.kernel(x, grp.arrays(), 2, sim.opts.gmin,
                   Stamps(g, cdev, sim._ieq, sim._qeq, sim._qact))
    if s.bsrc:
        stamp_behavioural(s, x, 0.0, g, np.zeros(s.size))
    return g, cdev


def tf_table(res) -> str:
    """ngspice's print of a .tf: the transfer function, then the other two by name."""
    from edapipe.analog.output import _ngnum

    vals = dict(zip(res.names, res.data[0]))
    order = [res.names[0]] + sorted(res.names[1:])
    lines = ["Transfer function information:"]
    lines += [f"{n} = {_ngnum(np.array([vals[n]]))[0]}" for n in order]
    return "\n".join(lines) + "\n"


# --- .noise ---------------------------------------------------------------------------------

CTOK = 273.15
QUIET = "CLKVIEFGHBT"           # elements without noise of their own (ideal, as in ngspice)


def parse_noise(card, toks: list[str], num) -> dict:
    """.noise v(out[,ref]) src dec|oct|lin n fstart fstop [points per summary]"""
    m = re.match(r"\s*\S+\s+(v\s*\(\s*[^,()\s]+\s*(?:,\s*[^,()\s]+\s*)?\))\s+(\S+)\s+(.*)$",
                 card.text, re.IGNORECASE | re.DOTALL)
    if m is None:
        raise card.error(".noise needs v(out) or v(out,ref), an input source, and dec|oct|lin "
                         "N FSTART FSTOP")
    out = _OUT_RE.match(re.sub(r"\s+", "", m.group(1)))
    rest = m.group(3).split()
    if len(rest) < 4:
        raise card.error(".noise needs dec|oct|lin N FSTART FSTOP after the input source")
    return {"a": out.group(2).lower(), "b": (out.group(3) or "").lower(),
            "src": m.group(2).lower(), "kind": rest[0].lower(), "n": int(num(rest[1], "points")),
            "fstart": num(rest[2], "fstart"), "fstop": num(rest[3], "fstop"),
            "summary": len(rest) > 4}


def run_noise(sim, args: dict, card=None):
    """Output and input-referred noise densities (V/sqrt(Hz)) from the resistors' thermal
    and flicker noise (4kT/R, KF |I|^AF / f; T the circuit's temperature) and the device
    families' generators (diode, BJT and MOS: devices/*.noise), as ngspice's NOISEan: for
    each frequency the adjoint solve A^T y = e_out gives every source's transfer to the
    output; the input noise is the output noise over the gain from the input source. The
    totals integrate the densities' squares over the band with ngspice's power-law
    rule."""
    from edapipe.analog.devices import BY_LETTER
    from edapipe.analog.results import Result, ac_frequencies
    from edapipe.analog.results import Singular as _Singular

    s = sim.sys
    circ = sim.circ

    def error(reason):
        return card.error(reason) if card is not None else ValueError(reason)

    loud = next((e for e in circ.elements if e.letter not in QUIET + "R"
                 and BY_LETTER[e.letter].noise is None), None)
    if loud is not None:
        raise error(f".noise: the noise of {loud.letter} devices ({loud.name}) is not "
                    f"modelled")
    insrc = next((e for e in circ.elements if e.name == args["src"] and e.letter in "VI"),
                 None)
    if insrc is None:
        raise error(f".noise: no independent source '{excerpt(args['src'], 40)}'")
    where = f"{card.file}:{card.line}: " if card is not None else ""
    try:
        freqs = ac_frequencies(args["kind"], args["n"], args["fstart"], args["fstop"], 2,
                               where)
    except Exception as exc:
        raise error(str(getattr(exc, "reason", exc))) from None
    index = {n: k for k, n in enumerate(s.unknowns)}

    def row(name):
        if name in ("0", "gnd", ""):
            return -1
        k = index.get(f"v({name})")
        if k is None:
            raise error(f".noise: no node '{excerpt(name, 40)}'")
        return k

    pos, neg = row(args["a"]), row(args["b"])
    x = sim.operating_point()
    g, cdev = _jacobian(sim, x, ac=True)
    c = s.cdata + cdev
    sources = _resistor_noise(circ, x) + _device_noise(sim, x)
    ra = np.array([src.a for src in sources], dtype=np.int64)
    rb = np.array([src.b for src in sources], dtype=np.int64)
    therm = np.array([src.white for src in sources])
    flick = np.array([src.flicker for src in sources])
    fexp = np.array([src.fexp for src in sources])
    b_in = _excitation(s, insrc)
    e_out = np.zeros(s.size, dtype=complex)
    if pos >= 0:
        e_out[pos] += 1.0
    if neg >= 0:
        e_out[neg] -= 1.0
    onoise = np.empty(len(freqs))
    inoise = np.empty(len(freqs))
    out_total = in_total = 0.0
    last = None
    for i, f in enumerate(freqs):
        data = g + 2j * np.pi * f * c
        if s.tlines:
            data += s.tlines.ac_data(len(g), f)
        try:
            lu = sim._factor(data, dtype=complex)
        except _Singular:
            raise sim._singular() from None
        v = lu.solve(b_in)
        gain2 = abs((v[pos] if pos >= 0 else 0) - (v[neg] if neg >= 0 else 0)) ** 2
        y = np.append(lu.solve(e_out, trans="T"), 0.0)      # index -1: ground
        z2 = np.abs(y[ra] - y[rb]) ** 2
        dens = np.concatenate([therm * z2, flick * z2 / f ** fexp])  # each component apart
        onoise[i] = np.sqrt(dens.sum())
        gain_inv = 1.0 / gain2 if gain2 > 0 else math.inf
        inoise[i] = np.sqrt(dens.sum() * gain_inv)
        if last is not None:
            # ngspice integrates every component over the interval on its own, and the
            # input-referred part with this point's gain at both ends
            piece = _interval(last[0], f, last[1], dens)
            out_total += piece
            in_total += piece * gain_inv
        last = (f, dens)
    res = Result("noise", "frequency", freqs, ["inoise_spectrum", "onoise_spectrum"],
                 np.column_stack([inoise, onoise]), "Noise Spectral Density Curves")
    res.extra = {"onoise_total": math.sqrt(out_total), "inoise_total": math.sqrt(in_total)}
    return res


def _resistor_noise(circ, x) -> list:
    """Each noisy resistor's thermal noise 4kT g (with its dtemp) and flicker noise, as
    ngspice 39's resnoise.c (checked against it): KF |I|^AF / f^EF, divided by
    Leff^LF Weff^WF when the instance gives L or W (Leff = L - 2 SHORT, Weff = W - 2
    NARROW; L defaults to the model's L, W to its DEFW, 10 um each)."""
    from edapipe.analog.devices.noise import NoiseSource, flicker

    temp = circ.temp + CTOK
    out = []
    for e in circ.elements:
        if e.letter != "R" or e.params.get("noisy", 1.0) == 0.0:
            continue
        a, b = e.nodes[0] - 1, e.nodes[1] - 1
        white = 4.0 * BOLTZ * (temp + e.params.get("dtemp", 0.0)) / e.value
        mp = e.model.params if e.model is not None else {}
        kf = mp.get("kf", 0.0)
        cur = ((x[a] if a >= 0 else 0.0) - (x[b] if b >= 0 else 0.0)) / e.value
        fl = flicker(e.name, a, b, kf, mp.get("af", 1.0), cur).flicker if kf else 0.0
        if fl and ("l" in e.params or "w" in e.params):
            leff = e.params.get("l", mp.get("l", 10e-6)) - 2.0 * mp.get("short", 0.0)
            weff = e.params.get("w", mp.get("defw", 10e-6)) - 2.0 * mp.get("narrow", 0.0)
            fl /= leff ** mp.get("lf", 1.0) * weff ** mp.get("wf", 1.0)
        out.append(NoiseSource(e.name, a, b, white, fl, mp.get("ef", 1.0)))
    return out


def _device_noise(sim, x) -> list:
    """The nonlinear families' generators at the operating point x."""
    from edapipe.analog.devices import BY_KIND

    temp = sim.circ.temp + CTOK
    out = []
    for grp in sim.sys.groups:
        out += BY_KIND[grp.kind].noise(grp, x, temp, sim.opts.gmin)
    return out


N_MINLOG = 1e-38              # ngspice's noisedef.h
N_INTFTHRESH = 1e-10
N_INTUSELOG = 1e-10


def _interval(f1: float, f2: float, d1: np.ndarray, d2: np.ndarray) -> float:
    """ngspice's Nintegrate summed over components: each density a power law of the
    frequency between the two points (flat when the exponent is below 1e-10, the
    logarithm when it is -1)."""
    l1, l2 = math.log(f1), math.log(f2)
    ln1 = np.log(np.maximum(d1, N_MINLOG))
    ln2 = np.log(np.maximum(d2, N_MINLOG))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ex = (ln2 - ln1) / (l2 - l1)
        a = np.exp(ln2 - ex * l2)
        ex1 = ex + 1.0
        power = a * (np.exp(ex1 * l2) - np.exp(ex1 * l1)) / np.where(ex1 == 0.0, 1.0, ex1)
        terms = np.where(np.abs(ex) < N_INTFTHRESH, d2 * (f2 - f1),
                         np.where(np.abs(ex1) < N_INTUSELOG, a * (l2 - l1), power))
    total = float(terms.sum())
    return total


def _excitation(s, src) -> np.ndarray:
    """The right-hand side of a unit AC excitation of source `src` alone."""
    b = np.zeros(s.size, dtype=complex)
    if src.letter == "I":
        n1, n2 = src.nodes[0] - 1, src.nodes[1] - 1
        if n1 >= 0:
            b[n1] -= 1.0
        if n2 >= 0:
            b[n2] += 1.0
        return b
    br = next(br for br, source, _ in s.vsrc if source is src.source)
    b[br] += 1.0
    return b
