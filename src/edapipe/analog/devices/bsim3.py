"""BSIM3v3.3.0 MOSFETs (letter M, LEVEL=8 or 49): the model card with ngspice's defaults
(b3set.c), the size-dependent parameters with L/W/P binning coefficients and the
temperature (b3temp.c), ngspice's fatal parameter checks (b3check.c), and the family
entry. The load kernel is bsim3_kernels.bsim3_load.

M elements are read by the MOS family (devices/mos.py), whose set-up hands LEVEL 8/49
cards to `setup` here. This family shares the MOS family's name, so the device table gives
both the same list of set-up items; each family stamps its own rows (`is_bsim3`) into its
own group (kind "b3"), with its own parameter-row layout.
"""

from __future__ import annotations

import math

import numpy as np

from edapipe.analog.devices import bsim3_kernels as K
from edapipe.analog.devices.bsim3_params import (  # noqa: F401 (LEVELS, is_bsim3: mos.py)
    BINNED, LEVELS, MODEL, card_params, is_bsim3)
from edapipe.analog.devices.physics import CTOK
from edapipe.analog.devices.bsim_common_params import (
    KBOQ, bin_values, common_fatal, geometry_defaults, intrinsic_at,
    length_width_offsets, model_values, raise_fatal)
from edapipe.analog.devices.table import (
    PARAM_ERRORS, Family, no_branch, nonlinear_group, param_error)

EPSOX = 3.453133e-11
EPSSI = 1.03594e-10
CHARGE_Q = 1.60219e-19
MIN_EXP = 1.713908431e-15
EXP_THRESHOLD = 34.0
CONSTVT0 = 1.3806226e-23 * 300.15 / 1.6021918e-19   # ngspice's CONSTvt0 (27 C)


def _defaults(given: dict, nmos: bool, tnom_c: float) -> dict:
    """Model values with b3set.c's defaults, including those derived from others."""
    p = model_values(MODEL, BINNED, given)
    mobmod = p["mobmod"]
    if p["tox"] <= 0.0:
        raise ValueError(f"BSIM3 parameter check: TOX = {p['tox']:g} is not positive")
    p.setdefault("toxm", p["tox"])
    geometry_defaults(p, given, tnom_c)
    p.setdefault("cjswg", p["cjsw"])
    p.setdefault("pbswg", p["pbsw"])
    p.setdefault("mjswg", p["mjsw"])
    p.setdefault("dsub", p["drout"])
    p.setdefault("vth0", 0.7 if nmos else -0.7)
    p.setdefault("uc", -0.0465 if mobmod == 3.0 else -0.0465e-9)
    p.setdefault("uc1", -0.056 if mobmod == 3.0 else -0.056e-9)
    p.setdefault("u0", 0.067 if nmos else 0.025)
    cox = EPSOX / p["tox"]
    p.setdefault("cf", 2.0 * EPSOX / math.pi * math.log(1.0 + 0.4e-6 / p["tox"]))
    dlc_pos = "dlc" in given and given["dlc"] > 0.0
    p.setdefault("cgdo", p["dlc"] * cox - p["cgdl"] if dlc_pos else 0.6 * p["xj"] * cox)
    p.setdefault("cgso", p["dlc"] * cox - p["cgsl"] if dlc_pos else 0.6 * p["xj"] * cox)
    p.setdefault("cgbo", 2.0 * p["dwc"] * cox)
    for key in ("pb", "pbsw", "pbswg"):          # b3temp.c's floor
        p[key] = max(p[key], 0.1)
    return p


def _sized(p: dict, length: float, width: float) -> dict:
    """The size-dependent parameters of one L, W (b3temp.c's pParam)."""
    dl, dlc, dw, t2, t3 = length_width_offsets(p, length, width)
    dwc = p["dwc"] + p["wlc"] / t2 + p["wwc"] / t3 + p["wwlc"] / (t2 * t3)
    s = {"leff": length + p["xl"] - 2.0 * dl, "weff": width + p["xw"] - 2.0 * dw,
         "leffcv": length + p["xl"] - 2.0 * dlc, "weffcv": width + p["xw"] - 2.0 * dwc}
    for key, what in (("leff", "effective channel length"),
                      ("weff", "effective channel width"),
                      ("leffcv", "effective channel length for C-V"),
                      ("weffcv", "effective channel width for C-V")):
        if s[key] <= 0.0:
            raise ValueError(f"BSIM3: {what} {s[key]:g} m is not positive")
    scale = 1.0e-6 if p["binunit"] == 1.0 else 1.0
    inv_l = scale / s["leff"]
    inv_w = scale / s["weff"]
    inv_lw = scale * scale / (s["leff"] * s["weff"])
    bin_values(p, s, BINNED, inv_l, inv_w, inv_lw)
    return s


def _temperature(p: dict, s: dict, given: dict, nmos: bool, temp_k: float) -> None:
    """b3temp.c's temperature and doping-derived quantities, into s."""
    typ = 1.0 if nmos else -1.0
    tnom = p["tnom"]
    tratio = temp_k / tnom
    vtm0, eg0, ni = intrinsic_at(tnom)
    cox = EPSOX / p["tox"]
    s["abulkcv"] = 1.0 + (s["clc"] / s["leffcv"]) ** s["cle"]
    t0 = tratio - 1.0
    s["ua"] += s["ua1"] * t0
    s["ub"] += s["ub1"] * t0
    s["uc"] += s["uc1"] * t0
    if s["u0"] > 1.0:
        s["u0"] /= 1.0e4
    s["u0temp"] = s["u0"] * tratio ** s["ute"]
    s["vsattemp"] = s["vsat"] - s["at"] * t0
    s["rds0"] = (s["rdsw"] + s["prt"] * t0) / (s["weff"] * 1e6) ** s["wr"]
    _check(p, s)
    s["cgdo"] = (p["cgdo"] + s["cf"]) * s["weffcv"]
    s["cgso"] = (p["cgso"] + s["cf"]) * s["weffcv"]
    s["cgbo"] = p["cgbo"] * s["leffcv"]
    if "nch" not in given and "gamma1" in given:
        s["nch"] = 3.021e22 * (s["gamma1"] * cox) ** 2
    npeak = s["nch"]
    phi = s["phi"] = 2.0 * vtm0 * math.log(npeak / ni)
    sqrtphi = s["sqrtphi"] = math.sqrt(phi)
    s["phis3"] = sqrtphi * phi
    s["xdep0"] = math.sqrt(2.0 * EPSSI / (CHARGE_Q * npeak * 1.0e6)) * sqrtphi
    s["litl"] = math.sqrt(3.0 * s["xj"] * p["tox"])
    s["vbi"] = vtm0 * math.log(1.0e20 * npeak / (ni * ni))
    s["cdep0"] = math.sqrt(CHARGE_Q * EPSSI * npeak * 1.0e6 / 2.0 / phi)
    s["ldeb"] = math.sqrt(EPSSI * vtm0 / (CHARGE_Q * npeak * 1.0e6)) / 3.0
    s["acde"] *= (npeak / 2.0e16) ** -0.25
    body_effect_k1_k2(s, given, phi, sqrtphi, npeak, cox)
    if s["k2"] < 0.0:
        t0 = 0.5 * s["k1"] / s["k2"]
        vbsc = min(max(0.9 * (phi - t0 * t0), -30.0), -3.0)
    else:
        vbsc = -30.0
    s["vbsc"] = min(vbsc, s["vbm"])
    if "vfb" not in given:
        s["vfb"] = (typ * s["vth0"] - phi - s["k1"] * sqrtphi if "vth0" in given
                    else -1.0)
    if "vth0" not in given:
        s["vth0"] = typ * (s["vfb"] + phi + s["k1"] * sqrtphi)
    s["k1ox"] = s["k1"] * p["tox"] / p["toxm"]
    s["k2ox"] = s["k2"] * p["tox"] / p["toxm"]
    t1 = math.sqrt(EPSSI / EPSOX * p["tox"] * s["xdep0"])
    t0 = math.exp(-0.5 * s["dsub"] * s["leff"] / t1)
    s["theta0vb0"] = t0 + 2.0 * t0 * t0
    t0 = math.exp(-0.5 * s["drout"] * s["leff"] / t1)
    s["thetarout"] = s["pdiblc1"] * (t0 + 2.0 * t0 * t0) + s["pdiblc2"]
    factor1 = math.sqrt(EPSSI / EPSOX * p["tox"])
    tmp1 = s["vbi"] - phi
    tmp2 = factor1 * math.sqrt(s["xdep0"])

    def short_channel(arg):
        t = math.exp(arg) if arg > -EXP_THRESHOLD else MIN_EXP
        return t * (1.0 + 2.0 * t)

    t2 = s["dvt0w"] * short_channel(-0.5 * s["dvt1w"] * s["weff"] * s["leff"] / tmp2) * tmp1
    t3 = s["dvt0"] * short_channel(-0.5 * s["dvt1"] * s["leff"] / tmp2) * tmp1
    t4 = p["tox"] * phi / (s["weff"] + s["w0"])
    t0 = math.sqrt(1.0 + s["nlx"] / s["leff"])
    t5 = s["k1ox"] * (t0 - 1.0) * sqrtphi + (s["kt1"] + s["kt1l"] / s["leff"]) * (tratio - 1.0)
    tmp3 = typ * s["vth0"] - t2 - t3 + s["k3"] * t4 + t5
    s["vfbzb"] = tmp3 - phi - s["k1"] * sqrtphi
    s["factor1"] = factor1
    s["tratio"] = tratio - 1.0



def body_effect_k1_k2(s: dict, given: dict, phi: float, sqrtphi: float, ndep: float,
                      cox: float) -> None:
    """K1 and K2 into s: as given (the missing one at its default), else from GAMMA1/GAMMA2,
    VBX and VBM as b3temp.c and b4temp.c both derive them (ndep: NPEAK in BSIM3, NDEP in
    BSIM4; cox: the oxide capacitance per area each uses)."""
    if "k1" in given or "k2" in given:
        if "k1" not in given:
            s["k1"] = 0.53
        if "k2" not in given:
            s["k2"] = -0.0186
    else:
        if "vbx" not in given:
            s["vbx"] = phi - 7.7348e-4 * ndep * s["xt"] * s["xt"]
        if s["vbx"] > 0.0:
            s["vbx"] = -s["vbx"]
        if s["vbm"] > 0.0:
            s["vbm"] = -s["vbm"]
        if "gamma1" not in given:
            s["gamma1"] = 5.753e-12 * math.sqrt(ndep) / cox
        if "gamma2" not in given:
            s["gamma2"] = 5.753e-12 * math.sqrt(s["nsub"]) / cox
        t0 = s["gamma1"] - s["gamma2"]
        t1 = math.sqrt(phi - s["vbx"]) - sqrtphi
        t2 = math.sqrt(phi * (phi - s["vbm"])) - phi
        s["k2"] = t0 * t1 / (2.0 * t2 + s["vbm"])
        s["k1"] = s["gamma2"] - 2.0 * s["k2"] * math.sqrt(phi - s["vbm"])

def _check(p: dict, s: dict) -> None:
    """b3check.c's fatal parameter errors (its warnings change nothing)."""
    fatal = [
        (s["nlx"] < -s["leff"], f"NLX = {s['nlx']:g} is less than -Leff"),
        (p["tox"] <= 0.0, f"TOX = {p['tox']:g} is not positive"),
        (p["toxm"] <= 0.0, f"TOXM = {p['toxm']:g} is not positive"),
        (s["nch"] <= 0.0, f"NCH = {s['nch']:g} is not positive"),
    ]
    raise_fatal("BSIM3", fatal + common_fatal(s))


def bsim3_row(model, inst: dict, temp_c: float, tnom_c: float):
    """(parameter row, drain resistance, source resistance) of one instance."""
    given = card_params(model)
    nmos = model.kind == "nmos"
    p = _defaults(given, nmos, tnom_c)
    m = inst.get("m", 1.0)
    length = inst.get("l", 5.0e-6)
    width = inst.get("w", 5.0e-6)
    if m <= 0.0:
        raise ValueError(f"multiplier M = {m:g} is not positive")
    s = _sized(p, length, width)
    temp_k = temp_c + CTOK
    _temperature(p, s, given, nmos, temp_k)
    row = np.zeros(K.B3_NPAR)
    col = {name: i for i, name in enumerate(K.COLUMNS)}
    for name in ("vth0", "vfb", "vfbzb", "leff", "weff", "leffcv", "weffcv", "vbsc", "phi",
                 "phis3", "sqrtphi", "xdep0", "vbi", "dvt0", "dvt1", "dvt2", "dvt0w", "dvt1w",
                 "dvt2w", "nlx", "k1", "k1ox", "k2ox", "kt1", "kt1l", "kt2", "w0", "eta0",
                 "etab", "theta0vb0", "k3", "k3b", "nfactor", "cdsc", "cdscb", "cdscd", "cit",
                 "ngate", "voff", "cdep0", "dwg", "dwb", "prwg", "prwb", "rds0", "xj", "a0",
                 "b0", "b1", "ags", "keta", "ua", "ub", "uc", "a1", "a2", "delta", "pclm",
                 "litl", "thetarout", "pvag", "pscbe1", "pscbe2", "alpha0", "alpha1",
                 "beta0", "vfbcv", "abulkcv", "noff", "voffcv", "acde", "ldeb", "moin",
                 "cgso", "cgdo", "cgbo", "cgsl", "cgdl", "ckappa", "factor1", "tratio"):
        row[col[name.upper()]] = s[name]
    row[K.B3_PDIBLB] = s["pdiblcb"]
    row[K.B3_VSAT] = s["vsattemp"]
    row[K.B3_U0TEMP] = s["u0temp"]
    row[K.B3_TYPE] = 1.0 if nmos else -1.0
    row[K.B3_MOBMOD] = p["mobmod"]
    row[K.B3_CAPMOD] = p["capmod"]
    row[K.B3_XPART] = p["xpart"]
    row[K.B3_COX] = EPSOX / p["tox"]
    row[K.B3_TOX] = p["tox"]
    row[K.B3_VTM] = KBOQ * temp_k
    row[K.B3_MULT] = m
    row[K.B3_VTMCONST] = CONSTVT0
    row[K.B3_VCRIT] = CONSTVT0 * math.log(CONSTVT0 / (math.sqrt(2.0) * 1.0e-14))
    _junctions(row, p, s, inst, temp_k)
    rsh = p["rsh"]
    rd = rsh * inst.get("nrd", 1.0)
    rs = rsh * inst.get("nrs", 1.0)
    return row, rd / m if rd > 0.0 else 0.0, rs / m if rs > 0.0 else 0.0


def _junctions(row, p: dict, s: dict, inst: dict, temp_k: float) -> None:
    """The bulk diodes (b3temp.c, b3ld.c): saturation currents, IJTH knee, capacitances."""
    tnom = p["tnom"]
    vtm = KBOQ * temp_k
    if temp_k != tnom:
        vtm0 = KBOQ * tnom
        eg0 = 1.16 - 7.02e-4 * tnom * tnom / (tnom + 1108.0)
        eg = 1.16 - 7.02e-4 * temp_k * temp_k / (temp_k + 1108.0)
        t1 = math.exp((eg0 / vtm0 - eg / vtm + p["xti"] * math.log(temp_k / tnom)) / p["nj"])
    else:
        t1 = 1.0
    js = max(p["js"] * t1, 0.0)
    jsw = max(p["jsw"] * t1, 0.0)
    nvtm = vtm * p["nj"]
    ijth = p["ijth"]
    area_s, area_d = inst.get("as", 0.0), inst.get("ad", 0.0)
    per_s, per_d = inst.get("ps", 0.0), inst.get("pd", 0.0)
    row[K.B3_NVTM] = nvtm
    row[K.B3_IJTH] = ijth
    for area, per, c_is, c_vjm, c_isev in ((area_s, per_s, K.B3_ISS, K.B3_VJSM, K.B3_ISEVJSM),
                                           (area_d, per_d, K.B3_ISD, K.B3_VJDM, K.B3_ISEVJDM)):
        isat = 1.0e-14 if area <= 0.0 and per <= 0.0 else area * js + per * jsw
        row[c_is] = isat
        if isat > 0.0 and ijth > 0.0:
            vjm = nvtm * math.log(ijth / isat + 1.0)
            row[c_vjm] = vjm
            row[c_isev] = isat * math.exp(vjm / nvtm)
    dtemp = temp_k - tnom

    def tempcap(c, tc):
        t = tc * dtemp
        return c * (1.0 + t) if t >= -1.0 else 0.0

    cj = tempcap(p["cj"], p["tcj"])
    cjsw = tempcap(p["cjsw"], p["tcjsw"])
    cjswg = tempcap(p["cjswg"], p["tcjswg"])
    row[K.B3_PHIB] = max(p["pb"] - p["tpb"] * dtemp, 0.01)
    row[K.B3_PHIBSW] = max(p["pbsw"] - p["tpbsw"] * dtemp, 0.01)
    row[K.B3_PHIBSWG] = max(p["pbswg"] - p["tpbswg"] * dtemp, 0.01)
    row[K.B3_MJ] = p["mj"]
    row[K.B3_MJSW] = p["mjsw"]
    row[K.B3_MJSWG] = p["mjswg"]
    weff = s["weff"]
    for area, per, c_b, c_sw, c_swg in ((area_s, per_s, K.B3_CZBS, K.B3_CZBSSW, K.B3_CZBSSWG),
                                        (area_d, per_d, K.B3_CZBD, K.B3_CZBDSW, K.B3_CZBDSWG)):
        row[c_b] = cj * area
        if per < weff:
            row[c_sw] = 0.0
            row[c_swg] = cjswg * per
        else:
            row[c_sw] = cjsw * (per - weff)
            row[c_swg] = cjswg * weff


def setup(e, bld, ctx):
    """Parameter row; internal drain and source nodes for RSH x NRD, NRS."""
    try:
        row, rd, rs = bsim3_row(e.model, e.params, ctx.temp, ctx.tnom)
    except PARAM_ERRORS as exc:
        raise param_error(e, exc) from None
    nodes = [bld.node(n) for n in e.nodes]
    d, g, s, b = nodes
    di = bld.new_node(e.name + "#drain") if rd > 0 else d
    si = bld.new_node(e.name + "#source") if rs > 0 else s
    return (e, [di, g, si, b], row, (rd, rs), nodes)


def _series(item, bld):
    _, term, _, (rd, rs), ext = item
    if rd > 0:
        bld.conductance(ext[0], term[0], 1.0 / rd)
    if rs > 0:
        bld.conductance(ext[2], term[2], 1.0 / rs)


def stamp(items, bld, sysm):
    return nonlinear_group(FAMILY, [it for it in items if is_bsim3(it[0])], bld, _series)


def noise(grp, x, temp_k, gmin):
    e = grp.items[0][0]
    raise e.card.error(f".noise: element {e.name} (model {e.model.name}): BSIM3 noise "
                       f"(NOIMOD 1-4, flicker and channel thermal noise) is not modelled")


FAMILY = Family("mos", "", setup, no_branch, stamp, kind="b3", load=K.bsim3_load,
                terminals=4, npar=K.B3_NPAR, nstate=K.B3_NSTATE, off_col=K.B3_OFF,
                noise=noise)
