"""Linear elements and independent sources: R, C, L, V, I and the controlled sources E, F,
G, H (ngspice's RES, CAP, IND, VSRC, ISRC, VCVS, CCCS, VCCS, CCVS). Their stamps are the
linear G and C of the system; the sources' values are mna.rhs_sources (waveforms in
mna.source_value)."""

from __future__ import annotations

from edapipe.analog.devices.table import Family

BRANCH_LETTERS = "VLEH"     # elements with a branch-current unknown


def setup(e, bld, ctx):
    return e


def branch(e) -> bool:
    return e.letter in BRANCH_LETTERS


def stamp(items, bld, sysm):
    """Every element's stamp, in netlist order."""
    temp, tnom = bld.ctx.temp, bld.ctx.tnom
    branch_index = sysm.branch
    for e in items:
        nodes = [bld.node(n) for n in e.nodes]
        L = e.letter
        if L == "R":
            tf = res_temp_factor(e, temp, tnom)
            g = 1.0 / (e.value * tf)
            gac = 1.0 / (e.params["ac"] * tf) if "ac" in e.params and e.params["ac"] else None
            bld.conductance(nodes[0], nodes[1], g, gac)
        elif L == "C":
            bld.capacitance(nodes[0], nodes[1], e.value)
            if "ic" in e.params:
                sysm.cap_ic.append((nodes[0], nodes[1], e.params["ic"], e.value))
        elif L in BRANCH_LETTERS:
            _stamp_branch(e, nodes, bld, sysm)
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
            ctrl = control(e, branch_index, bld.by_name)
            bld.entry(nodes[0], ctrl, e.value)
            bld.entry(nodes[1], ctrl, -e.value)


def _stamp_branch(e, nodes, bld, sysm):
    """V, L, E, H: the branch current enters n+ and leaves n-; the branch row states the
    element's voltage law."""
    br = sysm.branch[e.name]
    a, b = nodes[0], nodes[1]
    bld.entry(a, br, 1.0)
    bld.entry(b, br, -1.0)
    bld.entry(br, a, 1.0)
    bld.entry(br, b, -1.0)
    L = e.letter
    if L == "V":
        sysm.vsrc.append((br, e.source, e.name))
    elif L == "L":
        bld.entry(br, br, 0.0, -e.value)
        bld.inductors[e.name] = (br, e.value)
        if "ic" in e.params:
            sysm.ind_ic[br] = e.params["ic"]
    elif L == "E":
        bld.entry(br, bld.node(e.nodes[2]), -e.value)
        bld.entry(br, bld.node(e.nodes[3]), e.value)
    elif L == "H":
        ctrl = control(e, sysm.branch, bld.by_name)
        bld.entry(br, ctrl, -e.value)


def res_temp_factor(e, temp: float, tnom: float) -> float:
    """ngspice's resistor temperature factor (restemp.c): dT = T - TNOM (the model's TNOM if
    given), T the instance TEMP, else the circuit's plus DTEMP; TCE given: 1.01^(TCE dT),
    else 1 + TC1 dT + TC2 dT^2. Instance TC1/TC2/TCE override the model's."""
    mp = e.model.params if e.model is not None else {}
    ip = e.params

    def par(name):
        return ip[name] if name in ip else mp.get(name)

    # an instance TEMP replaces the circuit's, and then DTEMP is not added (restemp.c)
    t = ip["temp"] if "temp" in ip else temp + ip.get("dtemp", 0.0)
    dt = t - mp.get("tnom", tnom)
    if dt == 0.0:
        return 1.0
    tce = par("tce")
    if tce is not None:
        return 1.01 ** (tce * dt)
    return 1.0 + (par("tc1") or 0.0) * dt + (par("tc2") or 0.0) * dt * dt


def control(e, branch_index: dict, by_name: dict) -> int:
    """The branch row of the voltage source (or L, E, H) whose current controls F or H."""
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


FAMILY = Family("passive", "RCLVIEFGH", setup, branch, stamp)
