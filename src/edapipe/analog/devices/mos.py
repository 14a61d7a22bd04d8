"""MOSFETs (letter M), levels 1 (Shichman-Hodges), 2 (Grove-Frohman) and 3 (SPICE2's
semi-empirical short-channel model): model parameters, set-up and the family entry of the
device table. The levels share one group (mos_common_kernels' columns and state layout); the
load kernel is mos_kernels.mos_load.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from edapipe.analog.devices import bsim3, bsim4
from edapipe.analog.devices import mos2_kernels as K2
from edapipe.analog.devices import mos3_kernels as K3
from edapipe.analog.devices import mos_common_kernels as K
from edapipe.analog.devices.mos_kernels import mos_load
from edapipe.analog.devices.noise import flicker, terminal_currents, thermal
from edapipe.analog.devices.physics import (
    BOLTZ, CHARGE, CTOK, EPS_OX, EPS_SI, NI, REFTEMP, _egap, _get, junction_at, norm_model,
    pbfact as _pbfact)
from edapipe.analog.devices.table import (
    PARAM_ERRORS, Family, no_branch, nonlinear_group, param_error)

LEVELS = {1: "mos1_row", 2: "mos2_row", 3: "mos3_row"}


def mos1_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float,
             opts: dict):
    p = norm_model(model_params, kind)
    typ = 1.0 if kind == "nmos" else -1.0
    t = temp + CTOK
    tn = (p["tnom"] if "tnom" in p else tnom) + CTOK
    vt = BOLTZ * t / CHARGE
    m = inst.get("m", 1.0)
    length = inst.get("l", p.get("l", float(opts.get("defl", 100e-6))))
    width = inst.get("w", p.get("w", float(opts.get("defw", 100e-6))))
    leff = length - 2.0 * _get(p, "ld", 0.0)
    if leff == 0.0:
        # ngspice warns "effective channel length less than zero" and divides by it
        raise ValueError("effective channel length L - 2*LD is zero")
    tox = p.get("tox", 0.0)
    cox = EPS_OX / tox if tox else 0.0
    if "kp" in p:
        kp = p["kp"]
    elif tox:
        kp = _get(p, "uo", 600.0) * 1e-4 * cox
    else:
        kp = 2e-5
    phi = _get(p, "phi", 0.6)
    gamma = _get(p, "gamma", 0.0)
    vto = _get(p, "vto", 0.0)
    if tox and "nsub" in p:
        nsub = p["nsub"] * 1e6    # mos1temp.c derives PHI and the work functions at TNOM
        if "phi" not in p:
            phi = max(2 * BOLTZ * tn / CHARGE * math.log(nsub / NI), 0.1)
        if "gamma" not in p:
            gamma = math.sqrt(2 * EPS_SI * CHARGE * nsub) / cox
        if "vto" not in p:
            tpg = _get(p, "tpg", 1.0)
            eg1 = _egap(tn)
            wkfng = 3.25 + 0.5 * eg1 - typ * tpg * 0.5 * eg1 if tpg != 0.0 else 3.2
            fermis = typ * 0.5 * phi
            wkfngs = wkfng - (3.25 + 0.5 * eg1 + fermis)
            vfb = wkfngs - _get(p, "nss", 0.0) * 1e4 * CHARGE / cox
            vto = vfb + typ * (gamma * math.sqrt(phi) + phi)
    # mos1temp.c moves KP, PHI, VBI, the junction saturation currents, PB and the bottom
    # junction capacitances from TNOM to the circuit temperature, as mos2temp.c does
    tp = _mos2_temperature(p, typ, t, tn, kp, phi, gamma, vto) if t != tn else None
    row = np.zeros(K.M_NPAR)
    row[K.M_TYPE] = typ
    row[K.M_VBI] = tp.vbi if tp else vto - typ * gamma * math.sqrt(phi)
    row[K.M_BETA] = (tp.kp if tp else kp) * width / leff * m
    row[K.M_GAMMA] = gamma
    row[K.M_PHI] = tp.phi if tp else phi
    row[K.M_LAMBDA] = _get(p, "lambda", 0.0)
    ad = inst.get("ad", float(opts.get("defad", 0.0)))
    as_ = inst.get("as", float(opts.get("defas", 0.0)))
    js = _get(p, "js", 0.0)
    satfact, capfact = (tp.satfact, tp.cf_bot) if tp else (1.0, 1.0)
    if js == 0.0 or ad == 0.0 or as_ == 0.0:
        iss = isd = _get(p, "is", 1e-14) * m * satfact
    else:
        iss = js * as_ * m * satfact
        isd = js * ad * m * satfact
    row[K.M_ISS] = iss
    row[K.M_ISD] = isd
    cj = _get(p, "cj", 0.0)
    row[K.M_CBD] = (p["cbd"] if "cbd" in p else cj * ad) * m * capfact
    row[K.M_CBS] = (p["cbs"] if "cbs" in p else cj * as_) * m * capfact
    row[K.M_PB] = tp.bulkpot if tp else _get(p, "pb", 0.8)
    row[K.M_MJ] = _get(p, "mj", 0.5)
    row[K.M_FC] = _get(p, "fc", 0.5)
    row[K.M_VT] = vt
    row[K.M_VCRITS] = vt * math.log(vt / (math.sqrt(2.0) * iss)) if iss > 0 else 1.0
    row[K.M_VCRITD] = vt * math.log(vt / (math.sqrt(2.0) * isd)) if isd > 0 else 1.0
    row[K.M_COX] = cox * leff * width * m
    overlap = (_get(p, "cgso", 0.0) * width * m, _get(p, "cgdo", 0.0) * width * m,
               _get(p, "cgbo", 0.0) * leff * m)
    row[K.M_CGSO], row[K.M_CGDO], row[K.M_CGBO] = overlap
    return row, *_series_resistances(p, inst, m), overlap




class _Mos2Temps(NamedTuple):
    """mos2temp.c's values at the circuit temperature."""
    vt: float           # thermal voltage
    kp: float           # transconductance
    phi: float          # surface potential
    vbi: float          # built-in voltage
    vto: float          # threshold
    satfact: float      # junction saturation current factor
    bulkpot: float      # junction potential
    cf_bot: float       # bottom junction capacitance factor
    cf_sw: float        # sidewall junction capacitance factor


def mos2_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float,
             opts: dict):
    """MOS level 2 (ngspice's mos2temp.c): a level-1 row plus the level-2 columns.
    Returns (row, rd, rs, overlap caps) like mos1_row; raises ValueError for parameters
    the model cannot use."""

    p = norm_model(model_params, kind)
    if "vt0" in p and "vto" not in p:
        p["vto"] = p["vt0"]
    typ = 1.0 if kind == "nmos" else -1.0
    t = temp + CTOK
    tn = (p["tnom"] if "tnom" in p else tnom) + CTOK
    m, width, leff = _mos2_geometry(p, inst, opts)
    tox = p.get("tox", 1e-7)
    if tox <= 0.0:
        raise ValueError(f"TOX = {tox:g} must be positive")
    coxa = EPS_OX / tox
    uo = _get(p, "uo", 600.0)
    kp = p["kp"] if "kp" in p else uo * 1e-4 * coxa
    phi, gamma, vto, nsub, xd = _mos2_doping(p, typ, tn, coxa)
    tp = _mos2_temperature(p, typ, t, tn, kp, phi, gamma, vto)
    iss, isd, czbd, czbs, cbssw, cbdsw = _mos2_junctions(p, inst, opts, m, tp)
    oxide = coxa * leff * width * m
    row = np.zeros(K.M_NPAR)
    row[K.M_TYPE] = typ
    row[K.M_LEVEL] = 2.0
    row[K.M_VBI] = tp.vbi
    row[K.M_BETA] = tp.kp * width * m / leff
    row[K.M_GAMMA] = gamma
    row[K.M_PHI] = tp.phi
    row[K.M_LAMBDA] = _get(p, "lambda", 0.0)
    _bulk_columns(row, p, tp, (iss, isd, czbd, czbs))
    row[K.M_COX] = oxide
    overlap = (_get(p, "cgso", 0.0) * width * m, _get(p, "cgdo", 0.0) * width * m,
               _get(p, "cgbo", 0.0) * leff * m)
    row[K.M_CGSO], row[K.M_CGDO], row[K.M_CGBO] = overlap
    _mos2_columns(row, p, tp, leff, xd, coxa, uo, oxide, nsub)
    row[K2.M2_CBSSW] = cbssw
    row[K2.M2_CBDSW] = cbdsw
    rd, rs = _series_resistances(p, inst, m)
    return row, rd, rs, overlap


def _bulk_columns(row, p: dict, tp, junctions) -> None:
    """Levels 2 and 3: the bulk-junction columns of a row (saturation currents, zero-bias
    bottom capacitances, PB, MJ, FC at temperature tp) and the junctions' critical
    voltages; junctions: (Is source, Is drain, Cbd, Cbs) from _mos2_junctions."""
    iss, isd, czbd, czbs = junctions
    row[K.M_ISS] = iss
    row[K.M_ISD] = isd
    row[K.M_CBD] = czbd
    row[K.M_CBS] = czbs
    row[K.M_PB] = tp.bulkpot
    row[K.M_MJ] = _get(p, "mj", 0.5)
    row[K.M_FC] = _get(p, "fc", 0.5)
    row[K.M_VT] = tp.vt
    row[K.M_VCRITS] = _vcrit(tp.vt, iss)
    row[K.M_VCRITD] = _vcrit(tp.vt, isd)


def _series_resistances(p: dict, inst: dict, m: float):
    """(drain, source) series resistances of M parallel devices, RD/RS or RSH times
    NRD/NRS (1 square by default; none without RSH)."""
    rsh = _get(p, "rsh", 0.0)
    rd = p["rd"] if "rd" in p else rsh * inst.get("nrd", 1.0)
    rs = p["rs"] if "rs" in p else rsh * inst.get("nrs", 1.0)
    return rd / m if rd else 0.0, rs / m if rs else 0.0


def _mos2_geometry(p: dict, inst: dict, opts: dict):
    """(multiplier M, width W, effective length L - 2 LD), checked positive."""
    m = inst.get("m", 1.0)
    length = inst.get("l", p.get("l", float(opts.get("defl", 100e-6))))
    width = inst.get("w", p.get("w", float(opts.get("defw", 100e-6))))
    leff = length - 2.0 * _get(p, "ld", 0.0)
    if leff <= 0.0:
        raise ValueError(f"effective channel length L - 2*LD = {leff:g} m is not positive")
    if width <= 0.0:
        raise ValueError(f"channel width W = {width:g} m is not positive")
    return m, width, leff


def _mos2_doping(p: dict, typ: float, tn: float, coxa: float):
    """(PHI, GAMMA, VTO, NSUB, depletion factor xd): as given, or derived from the substrate
    doping NSUB at the nominal temperature tn (K) where the card leaves them out."""
    vtnom = BOLTZ * tn / CHARGE
    egfet1 = _egap(tn)
    phi = _get(p, "phi", 0.6)
    gamma = _get(p, "gamma", 0.0)
    vto = _get(p, "vto", 0.0)
    nsub = _get(p, "nsub", 0.0)
    xd = 0.0
    if "nsub" in p:
        if nsub * 1e6 <= NI:
            raise ValueError(f"NSUB = {nsub:g} cm^-3 is below the intrinsic density 1.45e10")
        if "phi" not in p:
            phi = max(0.1, 2.0 * vtnom * math.log(nsub * 1e6 / NI))
        fermis = typ * 0.5 * phi
        wkfng = 3.2
        tpg = _get(p, "tpg", 1.0)
        if tpg != 0.0:
            fermig = typ * tpg * 0.5 * egfet1
            wkfng = 3.25 + 0.5 * egfet1 - fermig
        wkfngs = wkfng - (3.25 + 0.5 * egfet1 + fermis)
        if "gamma" not in p:
            gamma = math.sqrt(2.0 * EPS_SI * CHARGE * nsub * 1e6) / coxa
        if "vto" not in p:
            vfb = wkfngs - _get(p, "nss", 0.0) * 1e4 * CHARGE / coxa
            vto = vfb + typ * (gamma * math.sqrt(phi) + phi)
        xd = math.sqrt(2.0 * EPS_SI / (CHARGE * nsub * 1e6))
    if phi <= 0.0:
        raise ValueError(f"PHI = {phi:g} must be positive")
    return phi, gamma, vto, nsub, xd


def _mos2_temperature(p: dict, typ: float, t: float, tn: float, kp: float, phi: float,
                      gamma: float, vto: float) -> _Mos2Temps:
    """mos2temp.c: the parameters moved from the nominal temperature tn to t (K)."""
    vt = BOLTZ * t / CHARGE
    vtnom = BOLTZ * tn / CHARGE
    fact1 = tn / REFTEMP
    fact2 = t / REFTEMP
    egfet1 = _egap(tn)
    egfet = _egap(t)
    pbfact1 = _pbfact(tn)
    pbfact = _pbfact(t)
    ratio = t / tn
    ratio4 = ratio * math.sqrt(ratio)
    tkp = kp / ratio4
    phio = (phi - pbfact1) / fact1
    tphi = fact2 * phio + pbfact
    tvbi = (vto - typ * gamma * math.sqrt(phi) + 0.5 * (egfet1 - egfet)
            + typ * 0.5 * (tphi - phi))
    tvto = tvbi + typ * gamma * math.sqrt(tphi)
    satfact = math.exp(-egfet / vt + egfet1 / vtnom)
    pb = _get(p, "pb", 0.8)
    tbulkpot, cap_bottom = junction_at(pb, _get(p, "mj", 0.5), t, tn)
    _, cap_side = junction_at(pb, _get(p, "mjsw", 0.33), t, tn)
    return _Mos2Temps(vt, tkp, tphi, tvbi, tvto, satfact, tbulkpot, cap_bottom, cap_side)


def _mos2_junctions(p: dict, inst: dict, opts: dict, m: float, tp: _Mos2Temps):
    """The bulk junctions at temperature: (iss, isd, bottom caps cbd, cbs, sidewall caps
    cbssw, cbdsw), from IS or JS x area and CBD/CBS or CJ x area, CJSW x perimeter."""
    tsat = _get(p, "is", 1e-14) * tp.satfact
    tsatd = _get(p, "js", 0.0) * tp.satfact
    ad = inst.get("ad", float(opts.get("defad", 0.0)))
    as_ = inst.get("as", float(opts.get("defas", 0.0)))
    pd = inst.get("pd", 0.0)
    ps = inst.get("ps", 0.0)
    if tsatd == 0.0 or ad == 0.0 or as_ == 0.0:
        iss = isd = m * tsat
    else:
        iss = m * tsatd * as_
        isd = m * tsatd * ad
    if "cbd" in p:
        czbd = p["cbd"] * tp.cf_bot * m
    else:
        czbd = p["cj"] * tp.cf_bot * ad * m if "cj" in p else 0.0
    if "cbs" in p:
        czbs = p["cbs"] * tp.cf_bot * m
    else:
        czbs = p["cj"] * tp.cf_bot * as_ * m if "cj" in p else 0.0
    cjsw = p["cjsw"] * tp.cf_sw if "cjsw" in p else 0.0
    return iss, isd, czbd, czbs, cjsw * ps * m, cjsw * pd * m


def _vcrit(vt: float, isat: float) -> float:
    """The junction voltage above which pnjlim limits steps (SPICE's vcrit)."""
    return vt * math.log(vt / (math.sqrt(2.0) * isat)) if isat > 0.0 else 1.0


def _mos2_columns(row, p: dict, tp: _Mos2Temps, leff: float, xd: float, coxa: float,
                  uo: float, oxide: float, nsub: float) -> None:
    """The level-2 columns of row but the sidewall capacitances."""
    row[K2.M2_VTO] = tp.vto
    row[K2.M2_FACTOR] = 0.125 * _get(p, "delta", 0.0) * 2.0 * math.pi * EPS_SI / oxide * leff
    row[K2.M2_XD] = xd
    row[K2.M2_XJ] = _get(p, "xj", 0.0)
    row[K2.M2_LEFF] = leff
    row[K2.M2_UCRITV] = _get(p, "ucrit", 1e4) * 100.0 * EPS_SI / coxa
    row[K2.M2_UEXP] = _get(p, "uexp", 0.0)
    row[K2.M2_UO] = uo * 1e-4
    row[K2.M2_VMAX] = _get(p, "vmax", 0.0)
    neff = _get(p, "neff", 1.0)
    if neff <= 0.0:
        raise ValueError(f"NEFF = {neff:g} must be positive")
    row[K2.M2_NEFF] = neff
    row[K2.M2_CFS] = CHARGE * _get(p, "nfs", 0.0) * 1e4 / coxa
    row[K2.M2_NFS] = _get(p, "nfs", 0.0)
    row[K2.M2_NSUB] = nsub
    row[K2.M2_SBIARG] = math.sqrt(tp.bulkpot)
    row[K2.M2_MJSW] = _get(p, "mjsw", 0.33)


# ngspice's level-3 model parameters (mos3.c); any other is refused: ngspice would use it
MOS3_PARAMS = {"level", "vto", "vt0", "kp", "gamma", "phi", "rd", "rs", "cbd", "cbs", "is",
               "pb", "cgso", "cgdo", "cgbo", "rsh", "cj", "mj", "cjsw", "mjsw", "js", "tox",
               "ld", "xl", "wd", "xw", "delvto", "delvt0", "u0", "uo", "fc", "nsub", "tpg",
               "nss", "vmax", "xj", "nfs", "eta", "delta", "theta", "kappa", "tnom", "kf",
               "af"}


def mos3_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float,
             opts: dict):
    """MOS level 3 (ngspice's mos3set.c defaults, mos3temp.c): the level-1 columns plus
    the level-3 ones. Returns (row, rd, rs, overlap caps) like mos1_row; raises ValueError
    for parameters the model cannot use or does not know."""
    for key in model_params:
        if key not in MOS3_PARAMS:
            raise ValueError(f"MOS level-3 model parameter '{key}' is not supported")
    if "badmos3" in opts:
        # SPICE3's discontinuous length modulation: ngspice's default is the continuous one
        raise ValueError("option badmos3 is not supported (the level-3 model here is "
                         "ngspice's default, continuous one)")
    p = norm_model(model_params, kind)
    for alias, name in (("vt0", "vto"), ("delvt0", "delvto")):
        if alias in p and name not in p:
            p[name] = p[alias]
    typ = 1.0 if kind == "nmos" else -1.0
    t = temp + CTOK
    tn = (p["tnom"] if "tnom" in p else tnom) + CTOK
    m = inst.get("m", 1.0)
    length = inst.get("l", float(opts.get("defl", 100e-6)))
    width = inst.get("w", float(opts.get("defw", 100e-6)))
    leff = length - 2.0 * _get(p, "ld", 0.0) + _get(p, "xl", 0.0)
    weff = width - 2.0 * _get(p, "wd", 0.0) + _get(p, "xw", 0.0)
    if leff <= 0.0:
        raise ValueError(f"effective channel length L - 2*LD + XL = {leff:g} m is not "
                         f"positive")
    if weff <= 0.0:
        raise ValueError(f"effective channel width W - 2*WD + XW = {weff:g} m is not "
                         f"positive")
    tox = p.get("tox", 1e-7)
    if tox <= 0.0:
        raise ValueError(f"TOX = {tox:g} must be positive")
    if _get(p, "kappa", 0.2) < 0.0:
        # its channel-length modulation takes the square root of KAPPA times a length
        raise ValueError(f"KAPPA = {p['kappa']:g} must not be negative")
    coxa = EPS_OX / tox
    uo = _get(p, "uo", 600.0)
    kp = p["kp"] if "kp" in p else uo * 1e-4 * coxa
    phi, gamma, vto, alpha = _mos3_doping(p, typ, tn, coxa)
    tp = _mos2_temperature(p, typ, t, tn, kp, phi, gamma, vto)
    delvto = _get(p, "delvto", 0.0)
    tp = tp._replace(vbi=tp.vbi + delvto, vto=tp.vto + delvto)
    iss, isd, czbd, czbs, cbssw, cbdsw = _mos2_junctions(p, inst, opts, m, tp)
    oxide = coxa * leff * m * weff
    row = np.zeros(K.M_NPAR)
    row[K.M_TYPE] = typ
    row[K.M_LEVEL] = 3.0
    row[K.M_VBI] = tp.vbi
    row[K.M_BETA] = tp.kp * m * weff / leff
    row[K.M_GAMMA] = gamma
    row[K.M_PHI] = tp.phi
    _bulk_columns(row, p, tp, (iss, isd, czbd, czbs))
    row[K.M_COX] = oxide
    overlap = (_get(p, "cgso", 0.0) * m * weff, _get(p, "cgdo", 0.0) * m * weff,
               _get(p, "cgbo", 0.0) * m * leff)
    row[K.M_CGSO], row[K.M_CGDO], row[K.M_CGBO] = overlap
    ratio = t / tn
    row[K3.M3_VTO] = tp.vto
    row[K3.M3_LEFF] = leff
    row[K3.M3_WEFF] = weff
    row[K3.M3_XD] = math.sqrt(alpha)
    row[K3.M3_XJ] = _get(p, "xj", 0.0)
    row[K3.M3_LD] = _get(p, "ld", 0.0)
    row[K3.M3_ETA] = _get(p, "eta", 0.0) * 8.15e-22 / (coxa * leff ** 3)
    row[K3.M3_NARROW] = _get(p, "delta", 0.0) * 0.5 * math.pi * EPS_SI / coxa / weff
    row[K3.M3_THETA] = _get(p, "theta", 0.0)
    row[K3.M3_US] = uo / (ratio * math.sqrt(ratio)) * 1e-4
    row[K3.M3_VMAX] = _get(p, "vmax", 0.0)
    row[K3.M3_CSONCO] = CHARGE * _get(p, "nfs", 0.0) * 1e4 / coxa
    row[K3.M3_ALPHA] = alpha
    row[K3.M3_KAPPA] = _get(p, "kappa", 0.2)
    row[K3.M3_CBSSW] = cbssw
    row[K3.M3_CBDSW] = cbdsw
    row[K3.M3_MJSW] = _get(p, "mjsw", 0.33)
    rd, rs = _series_resistances(p, inst, m)
    return row, rd, rs, overlap


def _mos3_doping(p: dict, typ: float, tn: float, coxa: float):
    """(PHI, GAMMA, VTO, ALPHA = 2 eps_si / (q NSUB)): as given, or derived from NSUB at
    the nominal temperature tn (K) as mos3temp.c does, with the intrinsic density at tn."""
    vtnom = BOLTZ * tn / CHARGE
    egfet1 = _egap(tn)
    phi = _get(p, "phi", 0.6)
    gamma = _get(p, "gamma", 0.0)
    vto = _get(p, "vto", 0.0)
    alpha = 0.0
    if "nsub" in p:
        nsub = p["nsub"] * 1e6
        nifact = (tn / 300.0) * math.sqrt(tn / 300.0)
        nifact *= math.exp(0.5 * egfet1 * (1.0 / 300.0 - 1.0 / tn) / (BOLTZ / CHARGE))
        ni_t = NI * nifact
        if nsub <= ni_t:
            raise ValueError(f"NSUB = {p['nsub']:g} cm^-3 is below the intrinsic density "
                             f"{ni_t * 1e-6:.3g}")
        if "phi" not in p:
            phi = max(0.1, 2.0 * vtnom * math.log(nsub / ni_t))
        fermis = typ * 0.5 * phi
        wkfng = 3.2
        tpg = _get(p, "tpg", 1.0)
        if tpg != 0.0:
            wkfng = 3.25 + 0.5 * egfet1 - typ * tpg * 0.5 * egfet1
        wkfngs = wkfng - (3.25 + 0.5 * egfet1 + fermis)
        if "gamma" not in p:
            gamma = math.sqrt(2.0 * EPS_SI * CHARGE * nsub) / coxa
        if "vto" not in p:
            vfb = wkfngs - _get(p, "nss", 0.0) * 1e4 * CHARGE / coxa
            vto = vfb + typ * (gamma * math.sqrt(phi) + phi)
        alpha = (EPS_SI + EPS_SI) / (CHARGE * nsub)
    if phi <= 0.0:
        raise ValueError(f"PHI = {phi:g} must be positive")
    return phi, gamma, vto, alpha


def setup(e, bld, ctx):
    """Parameter row of the model's level; internal drain and source nodes for RD, RS.
    BSIM3 cards (LEVEL 8, 49) are set up by devices/bsim3.py, whose family stamps them."""
    level = int(e.model.params.get("level", 1))
    if level in bsim3.LEVELS:
        return bsim3.setup(e, bld, ctx)
    if level in bsim4.LEVELS:
        return bsim4.setup(e, bld, ctx)
    if level not in LEVELS:
        raise e.card.error(f"element {e.name}: MOS level {level} is not supported "
                           f"(levels 1, 2, 3, 8, 14, 49 and 54 only)")
    mos_row = globals()[LEVELS[level]]
    try:
        row, rd, rs, overlap = mos_row(e.model.params, e.model.kind, e.params, ctx.temp,
                                       ctx.tnom, ctx.options)
    except PARAM_ERRORS as exc:
        raise param_error(e, exc) from None
    nodes = [bld.node(n) for n in e.nodes]
    d, g, s, b = nodes
    di = bld.new_node(e.name + "#drain") if rd > 0 else d
    si = bld.new_node(e.name + "#source") if rs > 0 else s
    return (e, [di, g, si, b], row, (rd, rs, overlap), nodes)


def _series(item, bld):
    _, term, row, (rd, rs, (cgs, cgd, cgb)), ext = item
    if rd > 0:
        bld.conductance(ext[0], term[0], 1.0 / rd)
    if rs > 0:
        bld.conductance(ext[2], term[2], 1.0 / rs)
    # with TOX the device's own gate charges (Meyer + overlap) carry the truncation-error
    # check, so the overlap capacitors stay out of that list
    lte = row[K.M_COX] == 0.0
    bld.capacitance(term[1], term[2], cgs, lte)
    bld.capacitance(term[1], term[0], cgd, lte)
    bld.capacitance(term[1], term[3], cgb, lte)


def stamp(items, bld, sysm):
    return nonlinear_group(FAMILY, [it for it in items if not bsim3.is_bsim3(it[0])
                                    and not bsim4.is_bsim4(it[0])], bld,
                           _series)


def _flicker_area(e, row, p) -> float:
    """W (L - 2 LD) Cox^2, times M on levels 1 and 2, as ngspice 39's mos1noi.c,
    mos2noi.c and mos3noi.c divide the flicker term by (level 3 narrows W by 2 WD and
    leaves XL, XW out; level 1 without TOX takes Cox of a 100 nm oxide), from the row the
    load kernel uses: its oxide capacitance is Cox W Leff M, its beta KP W/Leff M."""
    level = int(row[K.M_LEVEL]) or 1
    m = e.params.get("m", 1.0)
    if level == 1 and not p.get("tox"):
        cox = EPS_OX / 1e-7
        ratio = row[K.M_BETA] / (_get(p, "kp", 2e-5) * m)      # W / Leff
        length = e.params.get("l", p.get("l"))
        width = e.params.get("w", p.get("w"))
        if length is not None:
            leff = length - 2.0 * _get(p, "ld", 0.0)
            return ratio * leff * leff * m * cox * cox
        if width is None:
            # the default L and W come from .options DEFL/DEFW, which the row does not keep
            raise e.card.error(f".noise: element {e.name} (model {e.model.name}): MOS "
                               f"flicker noise (KF) of a level-1 model without TOX needs L "
                               f"or W on the element or its model")
        return width * width / ratio * m * cox * cox
    cox = EPS_OX / p.get("tox", 1e-7)
    area = row[K.M_COX] / cox                # W Leff M (level 3: with XL and XW)
    if level == 3:
        area /= m
        leff, weff = row[K3.M3_LEFF], row[K3.M3_WEFF]
        area *= (leff - _get(p, "xl", 0.0)) / leff * (weff - _get(p, "xw", 0.0)) / weff
    return area * cox * cox


def noise(grp, x, temp_k, gmin):
    """ngspice 39's mos1noi.c/mos2noi.c/mos3noi.c: RD and RS thermal, channel thermal
    noise 4kT (2/3)|gm| between d' and s', and flicker noise KF |Id|^AF / (f W Leff Cox^2)
    across the channel. ngspice 39 has no noise levels for these models (NLEV and GDSNOI
    arrived later, with different answers), so a card that sets them is refused."""
    out = []
    for d, (e, term, row, (rd, rs, _overlap), ext) in enumerate(grp.items):
        p = norm_model(e.model.params, e.model.kind)
        for key in ("nlev", "gdsnoi"):
            if key in p:
                raise e.model.card.error(
                    f".noise: model {e.model.name} (element {e.name}): {key.upper()} is "
                    f"not a parameter of ngspice 39's MOS levels 1-3 (its noise levels are "
                    f"not modelled)")
        kf = _get(p, "kf", 0.0)
        cur, g = terminal_currents(grp, d, x, gmin)
        if rd > 0:
            out.append(thermal(f"{e.name}_rd", term[0], ext[0], 1.0 / rd, temp_k))
        if rs > 0:
            out.append(thermal(f"{e.name}_rs", term[2], ext[2], 1.0 / rs, temp_k))
        # d I(d') / d V(g) is gm in either orientation of the channel (the junctions do
        # not depend on the gate)
        out.append(thermal(f"{e.name}_id", term[0], term[2], 2.0 / 3.0 * abs(g[0, 1]),
                           temp_k))
        if kf:
            # I(d') is ngspice's cd: the channel current less the drain junction's
            out.append(flicker(f"{e.name}_1overf", term[0], term[2], kf,
                               _get(p, "af", 1.0), cur[0],
                               1.0 / _flicker_area(e, row, p)))
    return out


FAMILY = Family("mos", "M", setup, no_branch, stamp, kind="m", load=mos_load,
                terminals=4, npar=K.M_NPAR, nstate=K.M_NSTATE, off_col=K.M_OFF,
                noise=noise)
