"""Diodes (letter D): model parameters, set-up and the family entry of the device table.

Defaults are ngspice's. Temperature: the thermal voltage uses the circuit temperature; the
saturation current (XTI, EG), breakdown voltage and junction potential are scaled from TNOM
as SPICE3 does. The load kernel is diode_kernels.diode_load.
"""

from __future__ import annotations

import math

import numpy as np

from edapipe.analog.devices import diode_kernels as K
from edapipe.analog.devices.noise import flicker, shot, terminal_currents, thermal
from edapipe.analog.devices.physics import (
    BOLTZ, CHARGE, CTOK, _get, _scale_is, junction_at, norm_model)
from edapipe.analog.devices.table import (
    PARAM_ERRORS, Family, no_branch, nonlinear_group, param_error)


def diode_row(model_params: dict, inst: dict, temp: float, tnom: float, reltol: float):
    p = norm_model(model_params, "d")
    area = inst.get("area", p.get("area", 1.0)) * inst.get("m", 1.0)
    t = temp + CTOK
    tn = p.get("tnom", tnom) + CTOK      # the model's TNOM (or TREF) first
    vt = BOLTZ * t / CHARGE
    n = _get(p, "n", 1.0)
    is_ = _scale_is(_get(p, "is", 1e-14), n, _get(p, "eg", 1.11), _get(p, "xti", 3.0), t, tn)
    is_ *= area
    vte = n * vt
    vj = _get(p, "vj", 1.0)
    bv = _get(p, "bv", 0.0)
    xbv = 0.0
    if bv > 0.0 and math.isfinite(bv):
        # breakdown knee placed so that the current at -BV equals IBV (ngspice's DIOtemp);
        # ngspice 39 scales IBV by M but not by AREA, so breakdown does not depend on AREA
        # (checked: a zener's voltage at 84 uA is the same for AREA 1, 1.5 and 3)
        cbv = _get(p, "ibv", 1e-3) * inst.get("m", 1.0)
        if cbv < is_ * bv / vt:
            xbv = bv
        else:
            tol = reltol * cbv
            xbv = bv - vte * math.log(1.0 + cbv / is_)
            for _ in range(25):
                xbv = bv - vte * math.log(cbv / is_ + 1.0 - xbv / vte)
                xcbv = is_ * (math.exp((bv - xbv) / vte) - 1.0 + xbv / vte)
                if abs(xcbv - cbv) <= tol:
                    break
    row = np.zeros(K.D_NPAR)
    row[K.D_IS] = is_
    row[K.D_N] = n
    row[K.D_TT] = _get(p, "tt", 0.0)
    grading = _get(p, "m", 0.5)
    capfact = 1.0
    if t != tn:
        # diotemp.c: the junction potential and capacitance follow the temperature
        vj, capfact = junction_at(vj, grading, t, tn)
    row[K.D_CJ] = _get(p, "cjo", 0.0) * area * capfact
    row[K.D_VJ] = vj
    row[K.D_M] = grading
    row[K.D_FC] = _get(p, "fc", 0.5)
    row[K.D_BV] = xbv
    row[K.D_VT] = vt
    row[K.D_VCRIT] = vte * math.log(vte / (math.sqrt(2.0) * is_))
    rs = _get(p, "rs", 0.0) / area if area else 0.0
    return row, rs


def setup(e, bld, ctx):
    """Parameter row; an internal anode node when RS > 0."""
    try:
        row, rs = diode_row(e.model.params, e.params, ctx.temp, ctx.tnom, ctx.reltol)
    except PARAM_ERRORS as exc:
        raise param_error(e, exc) from None
    nodes = [bld.node(n) for n in e.nodes]
    a = bld.new_node(e.name + "#internal") if rs > 0 else nodes[0]
    return (e, [a, nodes[1]], row, rs, nodes)


def _series(item, bld):
    _, term, _, rs, ext = item
    if rs > 0:
        bld.conductance(ext[0], term[0], 1.0 / rs)


def stamp(items, bld, sysm):
    return nonlinear_group(FAMILY, items, bld, _series)


def noise(grp, x, temp_k, gmin):
    """ngspice's dionoise.c: RS thermal, junction shot 2q|Id| and flicker KF |Id|^AF / f
    (per parallel device, times M)."""
    out = []
    for d, (e, term, _, rs, ext) in enumerate(grp.items):
        cd = terminal_currents(grp, d, x, gmin)[0][0]
        if rs > 0:
            out.append(thermal(f"{e.name}_rs", term[0], ext[0], 1.0 / rs, temp_k))
        out.append(shot(f"{e.name}_id", term[0], term[1], cd))
        p = norm_model(e.model.params, "d")
        kf = _get(p, "kf", 0.0)
        if kf:
            m = e.params.get("m", 1.0)
            out.append(flicker(f"{e.name}_1overf", term[0], term[1], kf, _get(p, "af", 1.0),
                               cd / m, m))
    return out


FAMILY = Family("diode", "D", setup, no_branch, stamp, kind="d", load=K.diode_load,
                terminals=2, npar=K.D_NPAR, nstate=K.D_NSTATE, off_col=K.D_OFF,
                noise=noise)
