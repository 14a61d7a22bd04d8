"""Bipolar transistors (letter Q, Gummel-Poon): model parameters, set-up and the family
entry of the device table. The load kernel is bjt_kernels.bjt_load."""

from __future__ import annotations

import math

import numpy as np

from edapipe.analog.devices import bjt_kernels as K
from edapipe.analog.devices.noise import flicker, shot, terminal_currents, thermal
from edapipe.analog.devices.physics import (
    BOLTZ, CHARGE, CTOK, _get, junction_at, norm_model)
from edapipe.analog.devices.table import (
    PARAM_ERRORS, Family, no_branch, nonlinear_group, param_error)


# How the base-collector saturation current scales with the instance's area.
# "ngspice" (the default, what users compare against): ngspice (up to its current master)
# derives it from the already area-scaled IS and multiplies by AREAB (vertical) or AREAC
# (lateral) again, which default to AREA: IS*AREA*AREAB, area squared (bjttemp.c).
# "textbook": IS*AREAB, area once, as the Gummel-Poon model and SPICE3 define it.
BC_AREA_RULES = ("ngspice", "textbook")
BC_AREA_OPTION = "edapipe.bjt_bc_area"      # set from `edapipe spice --bjt-area`


def bjt_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float,
            bc_area: str = "ngspice"):
    p = norm_model(model_params, kind)
    subs = p.get("subs")
    lateral = (subs == -1) if subs is not None else (kind == "pnp")
    m = inst.get("m", 1.0)
    area_e = inst.get("area", 1.0)
    # the collector side of a vertical device is AREAB's, of a lateral one AREAC's; the
    # substrate junction takes the other one (ngspice's bjttemp.c)
    area_c = inst.get("areac" if lateral else "areab", area_e)
    area_s = inst.get("areab" if lateral else "areac", area_e)
    area = area_e * m
    t = temp + CTOK
    tn = p.get("tnom", tnom) + CTOK      # the model's TNOM (or TREF) first
    vt = BOLTZ * t / CHARGE
    ratio = t / tn
    xti = _get(p, "xti", 3.0)
    eg = _get(p, "eg", 1.11)
    xtb = _get(p, "xtb", 0.0)
    is_ = _get(p, "is", 1e-16)
    factlog = (ratio - 1.0) * eg / vt + xti * math.log(ratio)
    is_t = is_ * math.exp(factlog)
    bfactor = math.exp(xtb * math.log(ratio))
    row = np.zeros(K.B_NPAR)
    row[K.B_TYPE] = 1.0 if kind == "npn" else -1.0
    row[K.B_IS] = is_t * area
    bc_scale = area_e * area_c if bc_area == "ngspice" else area_c
    row[K.B_ISBC] = is_t * bc_scale * m
    row[K.B_BF] = _get(p, "bf", 100.0) * bfactor
    row[K.B_NF] = _get(p, "nf", 1.0)
    row[K.B_BR] = _get(p, "br", 1.0) * bfactor
    row[K.B_NR] = _get(p, "nr", 1.0)

    def inv(name):
        val = _get(p, name, 0.0)
        return 1.0 / val if val and math.isfinite(val) else 0.0

    row[K.B_IVAF] = inv("vaf")
    row[K.B_IVAR] = inv("var")
    row[K.B_IIKF] = inv("ikf") / area
    row[K.B_IIKR] = inv("ikr") / area
    ne = _get(p, "ne", 1.5)
    nc = _get(p, "nc", 2.0)
    row[K.B_ISE] = _get(p, "ise", 0.0) * math.exp(factlog / ne) / bfactor * area
    row[K.B_NE] = ne
    row[K.B_ISC] = _get(p, "isc", 0.0) * math.exp(factlog / nc) / bfactor * area_c * m
    row[K.B_NC] = nc
    rb = _get(p, "rb", 0.0)
    row[K.B_RB] = rb / area
    row[K.B_RBM] = _get(p, "rbm", rb) / area
    row[K.B_IRB] = _get(p, "irb", 0.0) * area
    # bjttemp.c: each junction's potential and capacitance follow the temperature
    junctions = {}
    for j, default_m in (("e", 0.33), ("c", 0.33), ("s", 0.0)):
        vj, mj = _get(p, f"vj{j}", 0.75), _get(p, f"mj{j}", default_m)
        vj, capfact = junction_at(vj, mj, t, tn) if t != tn else (vj, 1.0)
        junctions[j] = (vj, mj, capfact)
    row[K.B_CJE] = _get(p, "cje", 0.0) * area * junctions["e"][2]
    row[K.B_VJE], row[K.B_MJE] = junctions["e"][:2]
    row[K.B_CJC] = _get(p, "cjc", 0.0) * area_c * m * junctions["c"][2]
    row[K.B_VJC], row[K.B_MJC] = junctions["c"][:2]
    row[K.B_XCJC] = _get(p, "xcjc", 1.0)
    row[K.B_CJS] = _get(p, "cjs", 0.0) * area_s * m * junctions["s"][2]
    row[K.B_VJS], row[K.B_MJS] = junctions["s"][:2]
    row[K.B_FC] = _get(p, "fc", 0.5)
    row[K.B_TF] = _get(p, "tf", 0.0)
    row[K.B_XTF] = _get(p, "xtf", 0.0)
    vtf = _get(p, "vtf", 0.0)
    row[K.B_VTF] = vtf if math.isfinite(vtf) else 0.0
    row[K.B_ITF] = _get(p, "itf", 0.0) * area
    row[K.B_TR] = _get(p, "tr", 0.0)
    row[K.B_VT] = vt
    row[K.B_VCRIT] = vt * math.log(vt / (math.sqrt(2.0) * is_t * area_e))
    row[K.B_NKF] = _get(p, "nkf", 0.5)
    # substrate junction: collector-substrate for NPN (vertical), base-substrate for PNP
    row[K.B_SUBLAT] = 1.0 if lateral else 0.0
    rc = _get(p, "rc", 0.0) / area
    re = _get(p, "re", 0.0) / area
    return row, rc, re


def setup(e, bld, ctx):
    """Parameter row; internal collector, base and emitter nodes for RC, RB and RE."""
    try:
        row, rc, re = bjt_row(e.model.params, e.model.kind, e.params, ctx.temp, ctx.tnom,
                              ctx.options.get(BC_AREA_OPTION, "ngspice"))
    except PARAM_ERRORS as exc:
        raise param_error(e, exc) from None
    nodes = [bld.node(n) for n in e.nodes]
    c, b, em = nodes[:3]
    s = nodes[3] if len(nodes) > 3 else -1
    ci = bld.new_node(e.name + "#collector") if rc > 0 else c
    bi = bld.new_node(e.name + "#base") if row[K.B_RB] > 0 else b
    ei = bld.new_node(e.name + "#emitter") if re > 0 else em
    return (e, [ci, b, bi, ei, s], row, (rc, re), nodes)


def _series(item, bld):
    _, term, _, (rc, re), ext = item
    if rc > 0:
        bld.conductance(ext[0], term[0], 1.0 / rc)
    if re > 0:
        bld.conductance(ext[2], term[3], 1.0 / re)


def stamp(items, bld, sysm):
    return nonlinear_group(FAMILY, items, bld, _series)


def noise(grp, x, temp_k, gmin):
    """ngspice's bjtnoise.c: RC, RB (its bias-dependent conductance) and RE thermal, shot
    noise of the collector and base currents, flicker KF |Ib|^AF / f across b'-e'."""
    out = []
    for d, (e, term, _, (rc, re), ext) in enumerate(grp.items):
        cur, g = terminal_currents(grp, d, x, gmin)
        ci, b, bi, ei, _s = term
        cc = cur[0]
        cb = cur[1] + cur[2]       # through RB (terminal b) plus straight into b'
        name = e.name
        if rc > 0:
            out.append(thermal(f"{name}_rc", ci, ext[0], 1.0 / rc, temp_k))
        out.append(thermal(f"{name}_rb", bi, b, -g[1, 2], temp_k))
        if re > 0:
            out.append(thermal(f"{name}_re", ei, ext[2], 1.0 / re, temp_k))
        out.append(shot(f"{name}_ic", ci, ei, cc))
        out.append(shot(f"{name}_ib", bi, ei, cb))
        p = norm_model(e.model.params, e.model.kind)
        kf = _get(p, "kf", 0.0)
        if kf:
            m = e.params.get("m", 1.0)
            out.append(flicker(f"{name}_1overf", bi, ei, kf, _get(p, "af", 1.0), cb / m, m))
    return out


FAMILY = Family("bjt", "Q", setup, no_branch, stamp, kind="q", load=K.bjt_load,
                terminals=5, npar=K.B_NPAR, nstate=K.B_NSTATE, off_col=K.B_OFF,
                noise=noise)
