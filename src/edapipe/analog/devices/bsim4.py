"""BSIM4.8 MOSFETs (letter M, LEVEL=14 or 54): the model card with ngspice's defaults
(b4set.c), the size-dependent parameters with L/W/P binning coefficients, the temperature,
the stress (SA/SB/SD) and well-proximity (SCA/SCB/SCC/SC) adjustments and the junction
geometry (b4temp.c with b4geo.c's layouts, NF fingers), and the family entry. The load kernel is
bsim4_kernels.bsim4_load.

M elements are read by the MOS family (devices/mos.py), whose set-up hands LEVEL 14/54
cards to `setup` here. As with BSIM3, this family shares the MOS family's name, so the
device table gives both the same list of set-up items; each family stamps its own rows
(`is_bsim4`) into its own group (kind "b4").

Implemented modes beyond the defaults: IGCMOD 1/2 and IGBMOD 1 (gate tunnelling),
RGATEMOD 1 (gate electrode resistance), RBODYMOD 1 (substrate network), GEOMOD 0-10, DIOMOD
0-2, GIDLMOD 0/1, CAPMOD 0-2, MOBMOD 0-2, WPEMOD, stress. What a card may turn on that is not
implemented is a located error naming the parameter (bsim4_params.ALLOWED): RDSMOD 1,
RBODYMOD 2, RGATEMOD 2/3, TRNQSMOD/ACNQSMOD, MTRLMOD, TEMPMOD 1-3, RGEOMOD, MOBMOD 3-6.
"""

from __future__ import annotations

import math

import numpy as np

from edapipe.analog.devices import bsim4_kernels as K
from edapipe.analog.devices.bsim3 import body_effect_k1_k2
from edapipe.analog.devices.bsim4_params import (  # noqa: F401 (LEVELS, is_bsim4: mos.py)
    BINNED, LEVELS, MODEL, card_params, is_bsim4)
from edapipe.analog.devices.physics import CTOK
from edapipe.analog.devices.bsim_common_params import (
    KBOQ, bin_values, common_fatal, geometry_defaults, intrinsic_at,
    length_width_offsets, model_values, raise_fatal)
from edapipe.analog.devices.table import (
    PARAM_ERRORS, Family, no_branch, nonlinear_group, param_error)

EPS0 = 8.85418e-12
EPSSI = 1.03594e-10
CHARGE_Q = 1.60219e-19
MIN_EXP = 1.713908431e-15
MAX_EXP = 5.834617425e14
EXP_THRESHOLD = 34.0
PI = 3.141592654
CONSTVT0 = 1.3806226e-23 * 300.15 / 1.6021918e-19   # ngspice's CONSTvt0 (27 C)
# a drain parameter defaults to its source counterpart (b4set.c)
DRAIN_FROM_SOURCE = {"cjd": "cjs", "cjswd": "cjsws", "jsd": "jss", "jswd": "jsws",
                     "jswgd": "jswgs", "pbd": "pbs", "pbswd": "pbsws", "mjd": "mjs",
                     "mjswd": "mjsws", "njd": "njs", "xtid": "xtis", "jtsd": "jtss",
                     "jtsswd": "jtssws", "jtsswgd": "jtsswgs", "njtsd": "njts",
                     "njtsswd": "njtssw", "njtsswgd": "njtsswg", "xtsd": "xtss",
                     "xtsswd": "xtssws", "xtsswgd": "xtsswgs", "tnjtsd": "tnjts",
                     "tnjtsswd": "tnjtssw", "tnjtsswgd": "tnjtsswg", "vtsd": "vtss",
                     "vtsswd": "vtssws", "vtsswgd": "vtsswgs", "ijthdfwd": "ijthsfwd",
                     "ijthdrev": "ijthsrev", "xjbvd": "xjbvs", "bvd": "bvs"}
INSTANCE = {"l", "w", "m", "nf", "min", "ad", "as", "pd", "ps", "nrd", "nrs", "off", "sa",
            "sb", "sd", "sca", "scb", "scc", "sc", "delvto", "ic", "rbdb", "rbsb", "rbpb",
            "rbps", "rbpd",
            "geomod", "rgeomod", "rbodymod", "rgatemod", "trnqsmod", "acnqsmod", "icvds",
            "icvgs", "icvbs"}


def _defaults(given: dict, nmos: bool, tnom_c: float) -> dict:
    """Model values with b4set.c's defaults, including those derived from others."""
    p = model_values(MODEL, BINNED, given)
    mobmod = p["mobmod"]
    p.setdefault("dsub", p["drout"])
    p.setdefault("vth0", 0.7 if nmos else -0.7)
    p.setdefault("eu", 1.67 if nmos else 1.0)
    p.setdefault("ucs", 1.67 if nmos else 1.0)
    p.setdefault("ua", 1.0e-15 if mobmod == 2.0 else 1.0e-9)
    p.setdefault("uc", -0.0465 if mobmod == 1.0 else -0.0465e-9)
    p.setdefault("uc1", -0.056 if mobmod == 1.0 else -0.056e-9)
    p.setdefault("u0", 0.067 if nmos else 0.025)
    for short in ("agisl", "bgisl", "cgisl", "egisl", "rgisl", "kgisl", "fgisl"):
        long_ = short.replace("gisl", "gidl")
        p.setdefault(short, p[long_])
        for pre in "lwp":
            if pre + short not in given:
                p[pre + short] = p[pre + long_]
    for key, nval, pval in (("aigc", 1.36e-2, 9.80e-3), ("bigc", 1.71e-3, 7.59e-4),
                            ("cigc", 0.075, 0.03), ("aigs", 1.36e-2, 9.80e-3),
                            ("bigs", 1.71e-3, 7.59e-4), ("cigs", 0.075, 0.03),
                            ("aigd", 1.36e-2, 9.80e-3), ("bigd", 1.71e-3, 7.59e-4),
                            ("cigd", 0.075, 0.03)):
        p.setdefault(key, nval if nmos else pval)
    p.setdefault("ckappad", p["ckappas"])
    if p["toxe"] <= 0.0:
        raise ValueError(f"BSIM4 parameter check: TOXE = {p['toxe']:g} is not positive")
    # b4temp.c: TOXE, TOXP and DTOX
    if "toxe" in given and "toxp" not in given:
        p["toxp"] = p["toxe"] - p["dtox"]
    elif "toxe" not in given and "toxp" in given:
        p["toxe"] = p["toxp"] + p["dtox"]
    p.setdefault("toxp", p["toxe"])
    p.setdefault("toxm", p["toxe"])
    geometry_defaults(p, given, tnom_c)
    p.setdefault("dwj", p["dwc"])
    p.setdefault("dmci", p["dmcg"])
    p.setdefault("cf", 2.0 * p["epsrox"] * EPS0 / PI * math.log(1.0 + 0.4e-6 / p["toxe"]))
    p.setdefault("cjswgs", p["cjsws"])
    p.setdefault("pbswgs", p["pbsws"])
    p.setdefault("mjswgs", p["mjsws"])
    for drain, source in DRAIN_FROM_SOURCE.items():
        p.setdefault(drain, p[source])
    p.setdefault("cjswgd", p["cjswgs"])
    p.setdefault("pbswgd", p["pbswgs"])
    p.setdefault("mjswgd", p["mjswgs"])
    coxe = p["epsrox"] * EPS0 / p["toxe"]
    dlc_pos = "dlc" in given and given["dlc"] > 0.0
    p.setdefault("cgdo", p["dlc"] * coxe - p["cgdl"] if dlc_pos else 0.6 * p["xj"] * coxe)
    p.setdefault("cgso", p["dlc"] * coxe - p["cgsl"] if dlc_pos else 0.6 * p["xj"] * coxe)
    p.setdefault("cgbo", 2.0 * p["dwc"] * coxe)
    for key in ("pbs", "pbsws", "pbswgs", "pbd", "pbswd", "pbswgd"):   # b4temp.c's floor
        p[key] = max(p[key], 0.1)
    for key in ("ijthsfwd", "ijthdfwd", "ijthsrev", "ijthdrev", "bvs", "bvd"):
        p[key] = max(p[key], 0.0)
    for key in ("xjbvs", "xjbvd"):
        if (p[key] <= 0.0 and p["diomod"] == 2.0) or (p[key] < 0.0 and p["diomod"] == 0.0):
            p[key] = 0.0
    p["coxe"] = coxe
    p["coxp"] = p["epsrox"] * EPS0 / p["toxp"]
    return p


def _sized(p: dict, length: float, width: float, nf: float) -> dict:
    """The size-dependent parameters of one L, W, NF (b4temp.c's pParam)."""
    lnew = length + p["xl"]
    wnew = width / nf + p["xw"]
    dl, dlc, dw, t2, t3 = length_width_offsets(p, lnew, wnew)
    tmp2 = p["wlc"] / t2 + p["wwc"] / t3 + p["wwlc"] / (t2 * t3)
    s = {"leff": lnew - 2.0 * dl, "weff": wnew - 2.0 * dw, "leffcv": lnew - 2.0 * dlc,
         "weffcv": wnew - 2.0 * (p["dwc"] + tmp2), "weffcj": wnew - 2.0 * (p["dwj"] + tmp2),
         "lnew": lnew, "wnew": wnew}
    for key, what in (("leff", "effective channel length"),
                      ("weff", "effective channel width"),
                      ("leffcv", "effective channel length for C-V"),
                      ("weffcv", "effective channel width for C-V"),
                      ("weffcj", "effective channel width for S/D junctions")):
        if s[key] <= 0.0:
            raise ValueError(f"BSIM4: {what} {s[key]:g} m is not positive")
    if p["binunit"] == 1.0:
        inv_l, inv_w = 1.0e-6 / s["leff"], 1.0e-6 / s["weff"]
        inv_lw = 1.0e-12 / (s["leff"] * s["weff"])
    else:
        inv_l, inv_w = 1.0 / s["leff"], 1.0 / s["weff"]
        inv_lw = 1.0 / (s["leff"] * s["weff"])
    bin_values(p, s, BINNED, inv_l, inv_w, inv_lw)
    return s


def _temperature(p: dict, s: dict, given: dict, nmos: bool, temp_k: float, nf: float):
    """b4temp.c's temperature, doping and short-channel quantities (tempMod 0), into s."""
    typ = 1.0 if nmos else -1.0
    tnom = p["tnom"]
    tratio = temp_k / tnom
    deltemp = temp_k - tnom
    toxe = p["toxe"]
    coxe = p["coxe"]
    vtm0, eg0, ni = intrinsic_at(tnom)
    s["abulkcvfactor"] = 1.0 + (s["clc"] / s["leffcv"]) ** s["cle"]
    t0 = tratio - 1.0
    pow_weff_wr = (s["weffcj"] * 1.0e6) ** s["wr"] * nf
    s["ucs"] = s["ucs"] * tratio ** s["ucste"]
    s["ua"] += s["ua1"] * t0
    s["ub"] += s["ub1"] * t0
    s["uc"] += s["uc1"] * t0
    s["ud"] += s["ud1"] * t0
    s["vsattemp"] = s["vsat"] - s["at"] * t0
    t10 = s["prt"] * t0
    s["rds0"] = (s["rdsw"] + t10) * nf / pow_weff_wr
    s["rdswmin"] = (p["rdswmin"] + t10) * nf / pow_weff_wr
    if s["u0"] > 1.0:
        s["u0"] /= 1.0e4
    t5 = 1.0 - s["up"] * math.exp(-s["leff"] / s["lp"])
    s["u0temp"] = s["u0"] * t5 * tratio ** s["ute"]
    s["eu"] = max(s["eu"], 0.0)
    s["voff"] *= 1.0 + s["tvoff"] * deltemp
    s["nfactor"] += s["tnfactor"] * deltemp / tnom
    s["voffcv"] *= 1.0 + s["tvoffcv"] * deltemp
    s["eta0"] += s["teta0"] * deltemp / tnom
    if "vtl" in given and p["vtl"] > 0.0:
        lc = max(p["lc"], 0.0)
        t0 = s["leff"] / (s["xn"] * s["leff"] + lc)
        s["tfactor"] = (1.0 - t0) / (1.0 + t0)
    else:
        s["vtl"] = 0.0
        s["tfactor"] = 1.0
    if not ("lambda" in given and p["lambda"] > 0.0):
        s["lambda"] = 0.0
    s["cgdo"] = (p["cgdo"] + s["cf"]) * s["weffcv"]
    s["cgso"] = (p["cgso"] + s["cf"]) * s["weffcv"]
    s["cgbo"] = p["cgbo"] * s["leffcv"] * nf
    if "ndep" not in given and "gamma1" in given:
        s["ndep"] = 3.01248e22 * (s["gamma1"] * coxe) ** 2
    ndep = s["ndep"]
    for key in ("ndep", "nsd", "nsub"):
        if s[key] <= 0.0:
            raise ValueError(f"BSIM4 parameter check: {key.upper()} = {s[key]:g} is not "
                             f"positive")
    phi = s["phi"] = vtm0 * math.log(ndep / ni) + s["phin"] + 0.4
    sqrtphi = s["sqrtphi"] = math.sqrt(phi)
    s["xdep0"] = math.sqrt(2.0 * EPSSI / (CHARGE_Q * ndep * 1.0e6)) * sqrtphi
    s["litl"] = math.sqrt(3.0 * 3.9 / p["epsrox"] * s["xj"] * toxe)
    s["vbi"] = vtm0 * math.log(s["nsd"] * ndep / (ni * ni))
    s["cdep0"] = math.sqrt(CHARGE_Q * EPSSI * ndep * 1.0e6 / 2.0 / phi)
    s["mstar"] = 0.5 + math.atan(s["minv"]) / PI
    s["mstarcv"] = 0.5 + math.atan(s["minvcv"]) / PI
    s["voffcbn"] = s["voff"] + p["voffl"] / s["leff"]
    s["voffcbncv"] = s["voffcv"] + p["voffcvl"] / s["leff"]
    s["ldeb"] = math.sqrt(EPSSI * vtm0 / (CHARGE_Q * ndep * 1.0e6)) / 3.0
    s["acde"] *= (ndep / 2.0e16) ** -0.25
    body_effect_k1_k2(s, given, phi, sqrtphi, ndep, coxe)
    if "vfb" not in given:
        s["vfb"] = (typ * s["vth0"] - phi - s["k1"] * sqrtphi if "vth0" in given else -1.0)
    if "vth0" not in given:
        s["vth0"] = typ * (s["vfb"] + phi + s["k1"] * sqrtphi)
    s["k1ox"] = s["k1"] * toxe / p["toxm"]
    factor1 = s["factor1"] = math.sqrt(EPSSI / (p["epsrox"] * EPS0) * toxe)
    tmp = math.sqrt(EPSSI / (p["epsrox"] * EPS0) * toxe * s["xdep0"])
    s["theta0vb0"] = _theta(s["dsub"] * s["leff"] / tmp)
    s["thetarout"] = s["pdiblc1"] * _theta(s["drout"] * s["leff"] / tmp) + s["pdiblc2"]
    tmp2 = factor1 * math.sqrt(s["xdep0"])
    tmp1 = s["vbi"] - phi
    t8 = s["dvt0w"] * _theta(s["dvt1w"] * s["weff"] * s["leff"] / tmp2) * tmp1
    t9 = s["dvt0"] * _theta(s["dvt1"] * s["leff"] / tmp2) * tmp1
    t4 = toxe * phi / (s["weff"] + s["w0"])
    t0 = math.sqrt(1.0 + s["lpe0"] / s["leff"])
    t3 = (s["kt1"] + s["kt1l"] / s["leff"]) * (tratio - 1.0)
    t5 = s["k1ox"] * (t0 - 1.0) * sqrtphi + t3
    s["vfbzbfactor"] = -t8 - t9 + s["k3"] * t4 + t5 - phi - s["k1"] * sqrtphi
    t0 = -s["dvtp3"] * math.log(s["leff"])
    t1 = (MAX_EXP * (1.0 + t0 - EXP_THRESHOLD) if t0 > EXP_THRESHOLD
          else MIN_EXP if t0 < -EXP_THRESHOLD else math.exp(t0))
    s["dvtp2factor"] = s["dvtp5"] + s["dvtp2"] * t1
    # gate tunnelling (b4temp.c)
    toxref = p["toxref"]
    s["toxratio"] = math.exp(s["ntox"] * math.log(toxref / toxe)) / toxe / toxe
    toxratioedge = (math.exp(s["ntox"] * math.log(toxref / (toxe * s["poxedge"])))
                    / toxe / toxe / s["poxedge"] / s["poxedge"])
    aechvb = 4.97232e-7 if nmos else 3.42537e-7
    bechvb = 7.45669e11 if nmos else 1.16645e12
    dlcig = p["dlcig"] if p.get("dlcig") is not None else p["lint"]
    dlcigd = p["dlcigd"] if p.get("dlcigd") is not None else dlcig
    s["aechvbedges"] = aechvb * s["weff"] * dlcig * toxratioedge
    s["aechvbedged"] = aechvb * s["weff"] * dlcigd * toxratioedge
    s["bechvbedge"] = -bechvb * toxe * s["poxedge"]
    s["aechvb"] = aechvb * s["weff"] * s["leff"] * s["toxratio"]
    s["bechvb"] = -bechvb * toxe
    s["igba"] = 4.97232e-7 * s["weff"] * s["leff"] * s["toxratio"]
    vfbsd = vtm0 * math.log(s["ngate"] / s["nsd"]) if s["ngate"] > 0.0 else 0.0
    s["vfbsdt"] = vfbsd + s["vfbsdoff"] * (1.0 + s["tvfbsdoff"] * deltemp)
    s["tratio"] = tratio - 1.0
    s["vtm"] = KBOQ * temp_k
    s["vtm0"] = vtm0
    s["eg0"] = eg0
    _check(p, s)


def _theta(t0: float) -> float:
    if t0 < EXP_THRESHOLD:
        t1 = math.exp(t0)
        return t1 / ((t1 - 1.0) ** 2 + 2.0 * t1 * MIN_EXP)
    return 1.0 / (MAX_EXP - 2.0)


def _stress(p: dict, s: dict, inst: dict, length: float, width: float, nf: float,
            nmos: bool) -> dict:
    """The instance values the layout moves: SA/SB/SD stress (LOD), the well proximity
    (WPEMOD 1) and DELVTO (b4temp.c)."""
    typ = 1.0 if nmos else -1.0
    ldrn, wdrn = length, width / nf
    lnew, wnew = s["lnew"], s["wnew"]
    wlod = max(p["wlod"], 0.0)
    w_tmp = wnew + wlod
    t0, t1 = lnew ** p["llodku0"], w_tmp ** p["wlodku0"]
    ku0 = 1.0 + p["lku0"] / t0 + p["wku0"] / t1 + p["pku0"] / (t0 * t1)
    t0, t1 = lnew ** p["llodvth"], w_tmp ** p["wlodvth"]
    kvth0 = 1.0 + p["lkvth0"] / t0 + p["wkvth0"] / t1 + p["pkvth0"] / (t0 * t1)
    kvth0 = math.sqrt(kvth0 * kvth0 + 1.0e-9)
    ku0temp = ku0 * (1.0 + p["tku0"] * s["tratio"]) + 1.0e-9
    inv_od_ref = 1.0 / (p["saref"] + 0.5 * ldrn) + 1.0 / (p["sbref"] + 0.5 * ldrn)
    rho_ref = p["ku0"] / ku0temp * inv_od_ref
    sa, sb = inst.get("sa", 0.0), inst.get("sb", 0.0)
    sd = inst.get("sd", 2.0 * p["dmcg"])
    out = {"u0temp": s["u0temp"], "vth0": s["vth0"], "vsattemp": s["vsattemp"],
           "eta0": s["eta0"], "k2": s["k2"]}
    if sa > 0.0 and sb > 0.0 and (nf == 1.0 or (nf > 1.0 and sd > 0.0)):
        kvsat = min(max(p["kvsat"], -1.0), 1.0)
        inv_sa = inv_sb = 0.0
        for i in range(int(nf)):
            inv_sa += 1.0 / nf / (sa + 0.5 * ldrn + i * (sd + ldrn))
            inv_sb += 1.0 / nf / (sb + 0.5 * ldrn + i * (sd + ldrn))
        inv_odeff = inv_sa + inv_sb
        rho = p["ku0"] / ku0temp * inv_odeff
        # b4temp.c scales the instance's U0 by (1 + rho)/(1 + rho_ref) too, but ngspice
        # 39's load reads the unscaled value: KU0 changes nothing there (measured), and
        # ngspice is the reference (docs/decisions.md)
        out["vsattemp"] *= (1.0 + kvsat * rho) / (1.0 + kvsat * rho_ref)
        od_offset = inv_odeff - inv_od_ref
        out["vth0"] += p["kvth0"] / kvth0 * od_offset
        out["eta0"] += p["steta0"] / kvth0 ** p["lodeta0"] * od_offset
        out["k2"] += p["stk2"] / kvth0 ** p["lodk2"] * od_offset
    if p["wpemod"]:
        sca, scb, scc = inst.get("sca"), inst.get("scb"), inst.get("scc")
        sc = inst.get("sc", 0.0)
        if sca is None and scb is None and scc is None and sc > 0.0:
            # (without SC either there is no well-proximity shift: ngspice warns only)
            t1 = sc + wdrn
            t2 = 1.0 / p["scref"]
            sca = p["scref"] ** 2 / (sc * t1)
            scb = ((0.1 * sc + 0.01 * p["scref"]) * math.exp(-10.0 * sc * t2)
                   - (0.1 * t1 + 0.01 * p["scref"]) * math.exp(-10.0 * t1 * t2)) / wdrn
            scc = ((0.05 * sc + 0.0025 * p["scref"]) * math.exp(-20.0 * sc * t2)
                   - (0.05 * t1 + 0.0025 * p["scref"]) * math.exp(-20.0 * t1 * t2)) / wdrn
        sceff = (max(sca or 0.0, 0.0) + p["web"] * max(scb or 0.0, 0.0)
                 + p["wec"] * max(scc or 0.0, 0.0))
        out["vth0"] += s["kvth0we"] * sceff
        out["k2"] += s["k2we"] * sceff
        # (KU0WE: as KU0 above, ngspice 39's load does not see it)
    delvto = inst.get("delvto", 0.0)
    out["vth0"] += delvto
    out["vfb"] = s["vfb"] + typ * delvto
    return out


def _check(p: dict, s: dict) -> None:
    """b4check.c's fatal parameter errors (its warnings change nothing)."""
    fatal = [
        (s["lpe0"] < -s["leff"], f"LPE0 = {s['lpe0']:g} is less than -Leff"),
        (s["lpeb"] < -s["leff"], f"LPEB = {s['lpeb']:g} is less than -Leff"),
        (s["phin"] < -0.4, f"PHIN = {s['phin']:g} is less than -0.4"),
        (s["ndep"] <= 0.0, f"NDEP = {s['ndep']:g} is not positive"),
    ]
    fatal += common_fatal(s)
    fatal += [
        (p["toxp"] <= 0.0, f"TOXP = {p['toxp']:g} is not positive"),
        (p["toxm"] <= 0.0, f"TOXM = {p['toxm']:g} is not positive"),
        (p["epsrox"] < 0.0, f"EPSROX = {p['epsrox']:g} is negative"),
    ]
    raise_fatal("BSIM4", fatal)


def _fingers(nf: float, min_sd: float):
    """(nuIntD, nuEndD, nuIntS, nuEndS): interior and end source/drain regions of NF
    fingers (b4geo.c)."""
    if int(nf) % 2:
        end = 1.0
        interior = 2.0 * max((nf - 1.0) / 2.0, 0.0)
        return interior, end, interior, end
    if min_sd == 1.0:
        return 2.0 * max(nf / 2.0 - 1.0, 0.0), 2.0, nf, 0.0
    return nf, 0.0, 2.0 * max(nf / 2.0 - 1.0, 0.0), 2.0


def _geometry(p: dict, s: dict, inst: dict, nf: float):
    """Effective source/drain areas and perimeters: the instance's, else the layout
    formulas of b4geo.c for geoMod 0-10 (isolated, shared or merged ends, NF fingers)."""
    geomod = inst.get("geomod", p["geomod"])
    weffcj = s["weffcj"]
    if geomod not in range(11):
        raise ValueError(f"BSIM4 GEOMOD = {geomod:g} is not one of 0-10")
    dmcg = p["dmcg"] - p["dmcgt"]
    dmdg = p["dmdg"] - p["dmcgt"]
    t0 = dmcg + p["dmci"]
    iso_p, sha_p, mer_p = t0 + t0 + weffcj, dmcg + dmcg, dmdg + dmdg
    iso_a, sha_a, mer_a = t0 * weffcj, dmcg * weffcj, dmdg * weffcj
    if geomod >= 9:
        # 9 and 10: an even number of fingers with one isolated end
        one = (iso_p + (nf - 1.0) * sha_p, iso_a + (nf - 1.0) * sha_a)
        all_ = (nf * sha_p, nf * sha_a)
        (ps, as_), (pd, ad) = (one, all_) if geomod == 9 else (all_, one)
    else:
        ni_d, ne_d, ni_s, ne_s = _fingers(nf, inst.get("min", 0.0))
        # the kind of each end: source by geoMod, drain by geoMod
        src = {0: "iso", 1: "iso", 2: "sha", 3: "sha", 4: "iso", 5: "sha", 6: "mer",
               7: "mer", 8: "mer"}[int(geomod)]
        drn = {0: "iso", 1: "sha", 2: "iso", 3: "sha", 4: "mer", 5: "mer", 6: "iso",
               7: "sha", 8: "mer"}[int(geomod)]
        end = {"iso": (iso_p, iso_a), "mer": (mer_p, mer_a)}

        def side(kind, n_end, n_int):
            if kind == "sha":
                return (n_end + n_int) * sha_p, (n_end + n_int) * sha_a
            return n_end * end[kind][0] + n_int * sha_p, n_end * end[kind][1] + n_int * sha_a

        ps, as_ = side(src, ne_s, ni_s)
        pd, ad = side(drn, ne_d, ni_d)
    geo = {"ps": ps, "pd": pd, "as": as_, "ad": ad}
    out = {}
    for key in ("ps", "pd"):
        if key in inst:
            val = inst[key]
            if val <= 0.0:
                out[key] = 0.0
            elif p["permod"] == 0.0:
                out[key] = val
            else:
                out[key] = val - weffcj * nf
        else:
            out[key] = geo[key]
        out[key] = max(out[key], 0.0)
    for key in ("as", "ad"):
        out[key] = max(inst[key] if key in inst else geo[key], 0.0)
    return out


def _ijth_vjm(nvtm, ijth, isb, xexpbv):
    tb = 1.0 + ijth / isb - xexpbv
    return nvtm * math.log(0.5 * (tb + math.sqrt(tb * tb + 4.0 * xexpbv)))


def _junctions(row, p: dict, s: dict, g: dict, nf: float, temp_k: float) -> None:
    """The bulk diodes (b4temp.c): saturation currents, dioMod knees, trap-assisted
    tunnelling, capacitances."""
    c = {name: i for i, name in enumerate(K.COLUMNS)}
    tnom = p["tnom"]
    vtm = KBOQ * temp_k
    vtm0 = KBOQ * tnom
    eg0 = 1.16 - 7.02e-4 * tnom * tnom / (tnom + 1108.0)
    eg = 1.16 - 7.02e-4 * temp_k * temp_k / (temp_k + 1108.0)
    weffcj_nf = s["weffcj"] * nf
    diomod = p["diomod"]
    row[c["DIOMOD"]] = diomod
    for side, js, jsw, jswg, nj, xti, area, per, ijfwd, ijrev, bv, xjbv in (
            ("S", "jss", "jsws", "jswgs", "njs", "xtis", g["as"], g["ps"], "ijthsfwd",
             "ijthsrev", "bvs", "xjbvs"),
            ("D", "jsd", "jswd", "jswgd", "njd", "xtid", g["ad"], g["pd"], "ijthdfwd",
             "ijthdrev", "bvd", "xjbvd")):
        if temp_k != tnom:
            t0 = eg0 / vtm0 - eg / vtm
            t3 = math.exp((t0 + p[xti] * math.log(temp_k / tnom)) / p[nj])
        else:
            t3 = 1.0
        jst, jswt, jswgt = (max(p[js] * t3, 0.0), max(p[jsw] * t3, 0.0),
                            max(p[jswg] * t3, 0.0))
        nvtm = vtm * p[nj]
        isat = 0.0 if area <= 0.0 and per <= 0.0 else area * jst + per * jswt + weffcj_nf * jswgt
        lo = side.lower()
        row[c["NVTM" + side]] = nvtm
        row[c["ISB" + side]] = isat
        row[c["BV" + side]] = p[bv]
        row[c["XJBV" + side]] = p[xjbv]
        if isat > 0.0:
            if diomod == 0.0:
                row[c["XEXPBV" + side]] = p[xjbv] * (
                    MIN_EXP if p[bv] / nvtm > EXP_THRESHOLD else math.exp(-p[bv] / nvtm))
            elif diomod == 1.0:
                vjm = _ijth_vjm(nvtm, p[ijfwd], isat, 0.0)
                row[c[f"VJ{side}MFWD"]] = vjm
                row[c[f"IVJ{side}MFWD"]] = isat * math.exp(vjm / nvtm)
            else:
                if p[bv] / nvtm > EXP_THRESHOLD:
                    xexp = p[xjbv] * MIN_EXP
                else:
                    xexp = math.exp(-p[bv] / nvtm) * p[xjbv]
                row[c["XEXPBV" + side]] = xexp
                vjm = _ijth_vjm(nvtm, p[ijfwd], isat, xexp)
                t0 = math.exp(vjm / nvtm)
                row[c[f"VJ{side}MFWD"]] = vjm
                row[c[f"IVJ{side}MFWD"]] = isat * (t0 - xexp / t0 + xexp - 1.0)
                row[c[f"{side}SLPFWD"]] = isat * (t0 + xexp / t0) / nvtm
                t2 = p[ijrev] / isat
                if t2 < 1.0:
                    t2 = 10.0
                vjmrev = -p[bv] - nvtm * math.log((t2 - 1.0) / p[xjbv])
                t1 = p[xjbv] * math.exp(-(p[bv] + vjmrev) / nvtm)
                row[c[f"VJ{side}MREV"]] = vjmrev
                row[c[f"IVJ{side}MREV"]] = isat * (1.0 + t1)
                row[c[f"{side}SLPREV"]] = -isat * t1 / nvtm
        del lo
    # trap-assisted tunnelling (reverse bias)
    t0 = (temp_k / tnom) - 1.0
    t7 = eg0 / vtm * t0
    jtweff = max(p["jtweff"], 0.0)
    t11 = math.sqrt(jtweff / s["weffcj"]) + 1.0

    def dexp(a):
        return (MAX_EXP * (1.0 + a - EXP_THRESHOLD) if a > EXP_THRESHOLD
                else MIN_EXP if a < -EXP_THRESHOLD else math.exp(a))

    for col, jts, xts, njts, tnjts, vts, size in (
            ("SJREV", "jtss", "xtss", "njts", "tnjts", "vtss", g["as"]),
            ("DJREV", "jtsd", "xtsd", "njtsd", "tnjtsd", "vtsd", g["ad"]),
            ("SSWREV", "jtssws", "xtssws", "njtssw", "tnjtssw", "vtssws", g["ps"]),
            ("DSWREV", "jtsswd", "xtsswd", "njtsswd", "tnjtsswd", "vtsswd", g["pd"]),
            ("SSWGREV", "jtsswgs", "xtsswgs", "njtsswg", "tnjtsswg", "vtsswgs",
             weffcj_nf * t11),
            ("DSWGREV", "jtsswgd", "xtsswgd", "njtsswgd", "tnjtsswgd", "vtsswgd",
             weffcj_nf * t11)):
        row[c[col]] = dexp(p[xts] * t7) * size * p[jts]
        nvt_col = {"SJREV": "NVTMRSS", "DJREV": "NVTMRSD", "SSWREV": "NVTMRSSWS",
                   "DSWREV": "NVTMRSSWD", "SSWGREV": "NVTMRSSWGS",
                   "DSWGREV": "NVTMRSSWGD"}[col]
        row[c[nvt_col]] = vtm0 * p[njts] * (1.0 + p[tnjts] * t0)
        row[c[nvt_col.replace("NVTMRS", "VTS")]] = p[vts]
    # capacitances
    deltemp = temp_k - tnom

    def tempcap(cap, tc):
        t = tc * deltemp
        return cap * (1.0 + t) if t >= -1.0 else 0.0

    cjs, cjd = tempcap(p["cjs"], p["tcj"]), tempcap(p["cjd"], p["tcj"])
    cjsws = tempcap(max(p["cjsws"], 0.0), p["tcjsw"])
    cjswd = tempcap(max(p["cjswd"], 0.0), p["tcjsw"])
    cjswgs, cjswgd = tempcap(p["cjswgs"], p["tcjswg"]), tempcap(p["cjswgd"], p["tcjswg"])
    row[c["PHIBS"]] = max(p["pbs"] - p["tpb"] * deltemp, 0.01)
    row[c["PHIBD"]] = max(p["pbd"] - p["tpb"] * deltemp, 0.01)
    row[c["PHIBSWS"]] = max(p["pbsws"] - p["tpbsw"] * deltemp, 0.01)
    row[c["PHIBSWD"]] = max(p["pbswd"] - p["tpbsw"] * deltemp, 0.01)
    row[c["PHIBSWGS"]] = max(p["pbswgs"] - p["tpbswg"] * deltemp, 0.01)
    row[c["PHIBSWGD"]] = max(p["pbswgd"] - p["tpbswg"] * deltemp, 0.01)
    for key in ("mjs", "mjsws", "mjswgs", "mjd", "mjswd", "mjswgd"):
        row[c[key.upper()]] = p[key]
    row[c["CZBS"]] = cjs * g["as"]
    row[c["CZBD"]] = cjd * g["ad"]
    row[c["CZBSSW"]] = cjsws * g["ps"]
    row[c["CZBDSW"]] = cjswd * g["pd"]
    row[c["CZBSSWG"]] = cjswgs * weffcj_nf
    row[c["CZBDSWG"]] = cjswgd * weffcj_nf


def bsim4_row(model, inst: dict, temp_c: float, tnom_c: float):
    """(parameter row, drain resistance, source resistance) of one instance."""
    for key in inst:
        if key not in INSTANCE:
            raise ValueError(f"BSIM4 instance parameter '{key}' is not supported")
    if inst.get("rgatemod", 0.0) not in (0.0, 1.0):
        raise ValueError(f"BSIM4 instance RGATEMOD = {inst['rgatemod']:g} (the "
                         f"bias-dependent gate resistance) is not implemented (0, 1 only)")
    if inst.get("rbodymod", 0.0) not in (0.0, 1.0):
        raise ValueError(f"BSIM4 instance RBODYMOD = {inst['rbodymod']:g} (the scalable "
                         f"substrate network) is not implemented (0, 1 only)")
    for key in ("trnqsmod", "acnqsmod", "rgeomod"):
        if inst.get(key, 0.0) != 0.0:
            raise ValueError(f"BSIM4 instance {key.upper()} = {inst[key]:g} is not "
                             f"implemented (0 only)")
    given = card_params(model)
    nmos = model.kind == "nmos"
    p = _defaults(given, nmos, tnom_c)
    m = inst.get("m", 1.0)
    nf = inst.get("nf", 1.0)
    length = inst.get("l", 5.0e-6)
    width = inst.get("w", 5.0e-6)
    if m <= 0.0:
        raise ValueError(f"multiplier M = {m:g} is not positive")
    if nf < 1.0 or nf != int(nf):
        raise ValueError(f"number of fingers NF = {nf:g} is not a positive integer")
    s = _sized(p, length, width, nf)
    temp_k = temp_c + CTOK
    _temperature(p, s, given, nmos, temp_k, nf)
    layout = _stress(p, s, inst, length, width, nf, nmos)
    typ = 1.0 if nmos else -1.0
    vth0, k2 = layout["vth0"], layout["k2"]
    t3 = typ * vth0 - layout["vfb"] - s["phi"]
    vtfbphi1 = max(2.0 * t3 if nmos else 2.5 * t3, 0.0)
    vtfbphi2 = max(4.0 * t3, 0.0)
    if k2 < 0.0:
        t0 = 0.5 * s["k1"] / k2
        vbsc = min(max(0.9 * (s["phi"] - t0 * t0), -30.0), -3.0)
    else:
        vbsc = -30.0
    vbsc = min(vbsc, s["vbm"])
    row = np.zeros(K.B4_NPAR)
    col = {name: i for i, name in enumerate(K.COLUMNS)}
    vals = {
        "TYPE": typ, "VTH0": vth0, "VFB": layout["vfb"],
        "VFBZB": s["vfbzbfactor"] + typ * vth0, "K1": s["k1"], "K1OX": s["k1ox"],
        "K2OX": k2 * p["toxe"] / p["toxm"], "PHI": s["phi"], "SQRTPHI": s["sqrtphi"],
        "XDEP0": s["xdep0"], "VBI": s["vbi"], "VBSC": vbsc, "FACTOR1": s["factor1"],
        "LEFF": s["leff"], "WEFF": s["weff"], "LEFFCV": s["leffcv"], "WEFFCV": s["weffcv"],
        "WEFFCJ": s["weffcj"], "NF": nf, "TRATIO": s["tratio"], "TOXE": p["toxe"],
        "ETA0": layout["eta0"], "ETAB": s["etab"], "THETA0VB0": s["theta0vb0"],
        "COXE": p["coxe"], "DVTP2F": s["dvtp2factor"], "VTM": s["vtm"], "VTM0": s["vtm0"],
        "MSTAR": s["mstar"], "VOFFCBN": s["voffcbn"], "RDSWMIN": s["rdswmin"],
        "RDS0": s["rds0"], "MOBMOD": p["mobmod"], "VTFBPHI1": vtfbphi1,
        "VTFBPHI2": vtfbphi2, "U0TEMP": layout["u0temp"], "VSAT": layout["vsattemp"],
        "TOXP": p["toxp"], "COXP": p["coxp"], "ADOS": p["ados"], "BDOS": p["bdos"],
        "THETAROUT": s["thetarout"], "PDIBLB": s["pdiblcb"], "PDITSL": p["pditsl"],
        "GIDLMOD": p["gidlmod"], "CAPMOD": p["capmod"], "XPART": p["xpart"],
        "CVCHARGEMOD": p["cvchargemod"], "MSTARCV": s["mstarcv"],
        "VOFFCBNCV": s["voffcbncv"], "ABULKCVF": s["abulkcvfactor"], "MULT": m,
        "VTMCONST": CONSTVT0, "IGCMOD": p["igcmod"], "IGBMOD": p["igbmod"],
        "PIGCDGIVEN": 1.0 if "pigcd" in given else 0.0, "NIGBACC": s["nigbacc"],
        "RBODYMOD": inst.get("rbodymod", p["rbodymod"]),
        "VCRIT": CONSTVT0 * math.log(CONSTVT0 / (math.sqrt(2.0) * 1.0e-14)),
    }
    for name in ("DVT0 DVT1 DVT2 DVT0W DVT1W DVT2W LPE0 LPEB KT1 KT1L KT2 W0 K3 K3B NFACTOR "
                 "CDSC CDSCB CDSCD CIT DVTP0 DVTP1 DVTP4 NGATE CDEP0 DWG DWB PRWG PRWB XJ A0 "
                 "B0 B1 AGS KETA UA UB UC UD EU A1 A2 DELTA LAMBDA LITL FPROUT PVAG PCLM "
                 "PDITSD PDITS PSCBE1 PSCBE2 ALPHA0 ALPHA1 BETA0 VTL TFACTOR AGIDL BGIDL "
                 "CGIDL EGIDL RGIDL KGIDL FGIDL AGISL BGISL CGISL EGISL RGISL KGISL FGISL "
                 "NOFF VOFFCV VFBCV ACDE LDEB MOIN CGSO CGDO CGBO CGSL CGDL CKAPPAS "
                 "CKAPPAD AIGC BIGC CIGC AIGS BIGS CIGS AIGD BIGD CIGD NIGC PIGCD AECHVB "
                 "BECHVB AECHVBEDGES AECHVBEDGED BECHVBEDGE VFBSDT AIGBACC BIGBACC CIGBACC "
                 "AIGBINV BIGBINV CIGBINV NIGBINV EIGBINV IGBA").split():
        vals[name] = s[name.lower()]
    for name, val in vals.items():
        row[col[name]] = val
    geo = _geometry(p, s, inst, nf)
    _junctions(row, p, s, geo, nf, temp_k)
    # source/drain sheet resistance: internal nodes only for NRD/NRS given (b4set.c)
    rsh = p["rsh"]
    rd = rsh * inst["nrd"] if rsh > 0.0 and inst.get("nrd", 0.0) > 0.0 else 0.0
    rs = rsh * inst["nrs"] if rsh > 0.0 and inst.get("nrs", 0.0) > 0.0 else 0.0
    # the gate electrode resistance of RGATEMOD 1, a fixed conductance (b4temp.c)
    ggate = 0.0
    if inst.get("rgatemod", p["rgatemod"]) == 1.0:
        r = p["rshg"] * (p["xgw"] + s["weffcj"] / 3.0 / p["ngcon"]) / (
            p["ngcon"] * nf * (s["lnew"] - p["xgl"]))
        ggate = (1.0 / r if r > 0.0 else 1.0e3) * m
    # the substrate network of RBODYMOD 1: b'-db, b'-sb, b'-b, db-b, sb-b (b4temp.c)
    gbody = ()
    if row[col["RBODYMOD"]] == 1.0:
        def g(name):
            r = inst.get(name, p[name])
            return (1.0e3 if r < 1.0e-3 else p["gbmin"] + 1.0 / r) * m
        gbody = (g("rbpd"), g("rbps"), g("rbpb"), g("rbdb"), g("rbsb"))
    return (row, rd / m if rd > 0.0 else 0.0, rs / m if rs > 0.0 else 0.0, ggate, gbody)


def setup(e, bld, ctx):
    """Parameter row; internal drain and source nodes for RSH x NRD, NRS, an internal
    gate node for RGATEMOD 1, internal body, drain-body and source-body nodes for
    RBODYMOD 1. Terminals: d', g', s', b', db, sb (db = sb = b' without the network)."""
    try:
        row, rd, rs, ggate, gbody = bsim4_row(e.model, e.params, ctx.temp, ctx.tnom)
    except PARAM_ERRORS as exc:
        raise param_error(e, exc) from None
    nodes = [bld.node(n) for n in e.nodes]
    d, g, s, b = nodes
    di = bld.new_node(e.name + "#drain") if rd > 0 else d
    gi = bld.new_node(e.name + "#gate") if ggate > 0 else g
    si = bld.new_node(e.name + "#source") if rs > 0 else s
    if gbody:
        bi = bld.new_node(e.name + "#body")
        dbi = bld.new_node(e.name + "#dbody")
        sbi = bld.new_node(e.name + "#sbody")
    else:
        bi = dbi = sbi = b
    return (e, [di, gi, si, bi, dbi, sbi], row, (rd, rs, ggate, gbody), nodes)


def _series(item, bld):
    _, term, _, (rd, rs, ggate, gbody), ext = item
    if gbody:
        bp, db, sb, b = term[3], term[4], term[5], ext[3]
        for (u, w), gval in zip(((bp, db), (bp, sb), (bp, b), (db, b), (sb, b)), gbody):
            bld.conductance(u, w, gval)
    if rd > 0:
        bld.conductance(ext[0], term[0], 1.0 / rd)
    if rs > 0:
        bld.conductance(ext[2], term[2], 1.0 / rs)
    if ggate > 0:
        bld.conductance(ext[1], term[1], ggate)


def stamp(items, bld, sysm):
    return nonlinear_group(FAMILY, [it for it in items if is_bsim4(it[0])], bld, _series)


def noise(grp, x, temp_k, gmin):
    e = grp.items[0][0]
    raise e.card.error(f".noise: element {e.name} (model {e.model.name}): BSIM4 noise "
                       f"(FNOIMOD/TNOIMOD flicker and channel thermal noise) is not "
                       f"modelled")


FAMILY = Family("mos", "", setup, no_branch, stamp, kind="b4", load=K.bsim4_load,
                terminals=K.B4_K, npar=K.B4_NPAR, nstate=K.B4_NSTATE, off_col=K.B4_OFF,
                noise=noise)
