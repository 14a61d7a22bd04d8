"""JFETs (letter J, level 1): model parameters, set-up, noise and the family entry of the
device table. Defaults and temperature scaling are ngspice's (jfettemp.c); the load kernel
is jfet_kernels.jfet_load."""

from __future__ import annotations

import math

import numpy as np

from edapipe.analog.devices import jfet_kernels as K
from edapipe.analog.devices.noise import flicker, terminal_currents, thermal
from edapipe.analog.devices.physics import BOLTZ, CHARGE, CTOK, REFTEMP, pbfact
from edapipe.analog.devices.table import (
    PARAM_ERRORS, Family, no_branch, nonlinear_group, param_error)

# ngspice's JFET level-1 model parameters (jfet.c), with their defaults
DEFAULTS = {"vto": -2.0, "beta": 1e-4, "lambda": 0.0, "rd": 0.0, "rs": 0.0, "cgs": 0.0,
            "cgd": 0.0, "pb": 1.0, "is": 1e-14, "fc": 0.5, "b": 1.0, "kf": 0.0, "af": 1.0,
            "tcv": 0.0, "bex": 0.0}
ALIASES = {"vt0": "vto"}
OTHER_KEYS = {"tnom", "level", "njf", "pjf"}


def _params(model) -> dict:
    """The model card's parameters by their canonical names; an unknown one is an error
    (ngspice would read it, so it cannot be dropped)."""
    p = dict(DEFAULTS)
    for key, val in model.params.items():
        key = ALIASES.get(key, key)
        if key not in DEFAULTS and key not in OTHER_KEYS:
            raise ValueError(f"JFET model parameter '{key}' is not supported")
        p[key] = val
    if p.get("level", 1.0) != 1.0:
        raise ValueError(f"JFET level {p['level']:g} is not supported (level 1 only)")
    return p


def _junction_temperature(pb: float, t: float, tn: float) -> tuple[float, float]:
    """The gate potential at t and the capacitance factor from tnom to t (grading 1/2),
    as jfettemp.c."""
    fact1 = tn / REFTEMP
    pbo = (pb - pbfact(tn)) / fact1
    gmaold = (pb - pbo) / pbo
    cjfact = 1.0 / (1.0 + 0.5 * (4e-4 * (tn - REFTEMP) - gmaold))
    tpb = t / REFTEMP * pbo + pbfact(t)
    gmanew = (tpb - pbo) / pbo
    return tpb, cjfact * (1.0 + 0.5 * (4e-4 * (t - REFTEMP) - gmanew))


def jfet_row(model, inst: dict, temp: float, tnom: float):
    p = _params(model)
    tn = p.get("tnom", tnom) + CTOK
    t = temp + CTOK
    area = inst.get("area", 1.0) * inst.get("m", 1.0)
    vt = BOLTZ * t / CHARGE
    is_t = p["is"] * math.exp((t / tn - 1.0) * 1.11 / vt)
    tpb, cfact = _junction_temperature(p["pb"], t, tn)
    fc = min(p["fc"], 0.95)
    row = np.zeros(K.J_NPAR)
    row[K.J_TYPE] = -1.0 if model.kind == "pjf" else 1.0
    row[K.J_VTO] = p["vto"] - p["tcv"] * (t - tn)
    row[K.J_BETA] = p["beta"] * (t / tn) ** p["bex"] * area
    row[K.J_LAMBDA] = p["lambda"]
    row[K.J_B] = p["b"]
    # the doping-tail factor uses the model's own PB and VTO (not the scaled ones)
    row[K.J_BFAC] = (1.0 - p["b"]) / (p["pb"] - p["vto"])
    row[K.J_IS] = is_t * area
    row[K.J_VT] = vt
    row[K.J_VCRIT] = vt * math.log(vt / (math.sqrt(2.0) * is_t))
    row[K.J_CGS] = p["cgs"] * cfact * area
    row[K.J_CGD] = p["cgd"] * cfact * area
    row[K.J_PB] = tpb
    row[K.J_FC] = fc
    rd = p["rd"] / area if p["rd"] else 0.0
    rs = p["rs"] / area if p["rs"] else 0.0
    return row, rd, rs, p


def setup(e, bld, ctx):
    """Parameter row; internal drain and source nodes for RD and RS."""
    try:
        row, rd, rs, p = jfet_row(e.model, e.params, ctx.temp, ctx.tnom)
    except PARAM_ERRORS as exc:
        raise param_error(e, exc) from None
    nodes = [bld.node(n) for n in e.nodes]
    d, g, s = nodes
    di = bld.new_node(e.name + "#drain") if rd > 0 else d
    si = bld.new_node(e.name + "#source") if rs > 0 else s
    return (e, [di, g, si], row, (rd, rs, p), nodes)


def _series(item, bld):
    _, term, _, (rd, rs, _p), ext = item
    if rd > 0:
        bld.conductance(ext[0], term[0], 1.0 / rd)
    if rs > 0:
        bld.conductance(ext[2], term[2], 1.0 / rs)


def stamp(items, bld, sysm):
    return nonlinear_group(FAMILY, items, bld, _series)


def noise(grp, x, temp_k, gmin):
    """ngspice's jfetnoi.c: RD and RS thermal, channel thermal 4kT (2/3)|gm|, flicker
    KF |Id/M|^AF M / f between d' and s'."""
    out = []
    for d, (e, term, _, (rd, rs, p), ext) in enumerate(grp.items):
        cur, g = terminal_currents(grp, d, x, gmin)
        if rd > 0:
            out.append(thermal(f"{e.name}_rd", term[0], ext[0], 1.0 / rd, temp_k))
        if rs > 0:
            out.append(thermal(f"{e.name}_rs", term[2], ext[2], 1.0 / rs, temp_k))
        # gm: the drain current against the gate, without the gate-drain junction's part
        gm = g[0, 1] - g[1, 0]
        out.append(thermal(f"{e.name}_id", term[0], term[2], 2.0 / 3.0 * abs(gm), temp_k))
        if p["kf"]:
            # the drain terminal current carries the gate-drain junction's, as ngspice's
            # cd; per parallel device, times M
            m = e.params.get("m", 1.0)
            out.append(flicker(f"{e.name}_1overf", term[0], term[2], p["kf"], p["af"],
                               cur[0] / m, m))
    return out


FAMILY = Family("jfet", "J", setup, no_branch, stamp, kind="j", load=K.jfet_load,
                terminals=3, npar=K.J_NPAR, nstate=K.J_NSTATE, off_col=K.J_OFF,
                noise=noise)
