"""Model cards -> parameter rows for the device kernels (defaults, aliases, area, temperature).

Defaults are ngspice's (see the peer notes). Temperature: the thermal voltage uses the circuit
temperature; saturation currents, the diode breakdown voltage and junction potentials are
scaled from TNOM as SPICE3 does (IS with XTI/EG, VJ with the silicon band gap).
"""

from __future__ import annotations

import math

import numpy as np

from edapipe.analog import device_kernels as K

BOLTZ = 1.38064852e-23
CHARGE = 1.6021766208e-19
CTOK = 273.15
EPS_OX = 3.9 * 8.854214871e-12
EPS_SI = 11.7 * 8.854214871e-12
NI = 1.45e16  # intrinsic carrier density of silicon at 300 K, m^-3

_ALIASES = {"cj0": "cjo", "cj": "cjo", "va": "vaf", "vb": "var", "ccs": "cjs", "pe": "vje",
            "me": "mje", "pc": "vjc", "mc": "mjc", "ps": "vjs", "ms": "mjs", "u0": "uo",
            "ik": "ikf", "ikr": "ikr", "tt": "tt"}

INF = float("inf")


def vt_of(temp_c: float) -> float:
    return BOLTZ * (temp_c + CTOK) / CHARGE


def _egap(t_k: float) -> float:
    return 1.16 - (7.02e-4 * t_k * t_k) / (t_k + 1108.0)


def _get(params: dict, name: str, default: float) -> float:
    return params.get(name, default)


def norm_model(params: dict, kind: str) -> dict:
    out = {}
    for k, v in params.items():
        if kind == "d" and k in ("cj", "cj0"):
            out["cjo"] = v
            continue
        if kind in ("nmos", "pmos") and k in ("cj", "u0"):
            out["cj" if k == "cj" else "uo"] = v
            continue
        out[_ALIASES.get(k, k)] = v
    return out


def _scale_is(is_, n, eg, xti, t, tnom):
    ratio = t / tnom
    vt = BOLTZ * t / CHARGE
    factor = math.exp((ratio - 1.0) * eg / (n * vt)) * ratio ** (xti / n)
    return is_ * factor


def diode_row(model_params: dict, inst: dict, temp: float, tnom: float, reltol: float):
    p = norm_model(model_params, "d")
    area = inst.get("area", p.get("area", 1.0)) * inst.get("m", 1.0)
    t = temp + CTOK
    tn = tnom + CTOK
    vt = BOLTZ * t / CHARGE
    n = _get(p, "n", 1.0)
    is_ = _scale_is(_get(p, "is", 1e-14), n, _get(p, "eg", 1.11), _get(p, "xti", 3.0), t, tn)
    is_ *= area
    vte = n * vt
    vj = _get(p, "vj", 1.0)
    bv = _get(p, "bv", 0.0)
    xbv = 0.0
    if bv > 0.0 and math.isfinite(bv):
        # breakdown knee placed so that the current at -BV equals IBV (ngspice's DIOtemp)
        cbv = _get(p, "ibv", 1e-3) * area
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
    row[K.D_CJ] = _get(p, "cjo", 0.0) * area
    row[K.D_VJ] = vj
    row[K.D_M] = _get(p, "m", 0.5)
    row[K.D_FC] = _get(p, "fc", 0.5)
    row[K.D_BV] = xbv
    row[K.D_VT] = vt
    row[K.D_VCRIT] = vte * math.log(vte / (math.sqrt(2.0) * is_))
    rs = _get(p, "rs", 0.0) / area if area else 0.0
    return row, rs


def bjt_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float):
    p = norm_model(model_params, kind)
    area = inst.get("area", 1.0) * inst.get("m", 1.0)
    t = temp + CTOK
    tn = tnom + CTOK
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
    row[K.B_ISC] = _get(p, "isc", 0.0) * math.exp(factlog / nc) / bfactor * area
    row[K.B_NC] = nc
    rb = _get(p, "rb", 0.0)
    row[K.B_RB] = rb / area
    row[K.B_RBM] = _get(p, "rbm", rb) / area
    row[K.B_IRB] = _get(p, "irb", 0.0) * area
    row[K.B_CJE] = _get(p, "cje", 0.0) * area
    row[K.B_VJE] = _get(p, "vje", 0.75)
    row[K.B_MJE] = _get(p, "mje", 0.33)
    row[K.B_CJC] = _get(p, "cjc", 0.0) * area
    row[K.B_VJC] = _get(p, "vjc", 0.75)
    row[K.B_MJC] = _get(p, "mjc", 0.33)
    row[K.B_XCJC] = _get(p, "xcjc", 1.0)
    row[K.B_CJS] = _get(p, "cjs", 0.0) * area
    row[K.B_VJS] = _get(p, "vjs", 0.75)
    row[K.B_MJS] = _get(p, "mjs", 0.0)
    row[K.B_FC] = _get(p, "fc", 0.5)
    row[K.B_TF] = _get(p, "tf", 0.0)
    row[K.B_XTF] = _get(p, "xtf", 0.0)
    vtf = _get(p, "vtf", 0.0)
    row[K.B_VTF] = vtf if math.isfinite(vtf) else 0.0
    row[K.B_ITF] = _get(p, "itf", 0.0) * area
    row[K.B_TR] = _get(p, "tr", 0.0)
    row[K.B_VT] = vt
    row[K.B_VCRIT] = vt * math.log(vt / (math.sqrt(2.0) * is_t * area))
    row[K.B_NKF] = _get(p, "nkf", 0.5)
    # substrate junction: collector-substrate for NPN (vertical), base-substrate for PNP
    subs = p.get("subs")
    lateral = (subs == -1) if subs is not None else (kind == "pnp")
    row[K.B_SUBLAT] = 1.0 if lateral else 0.0
    rc = _get(p, "rc", 0.0) / area
    re = _get(p, "re", 0.0) / area
    return row, rc, re


def mos1_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float,
             opts: dict):
    p = norm_model(model_params, kind)
    typ = 1.0 if kind == "nmos" else -1.0
    t = temp + CTOK
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
        nsub = p["nsub"] * 1e6
        tn = tnom + CTOK          # mos1temp.c derives PHI and the work functions at TNOM
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
    row = np.zeros(K.M_NPAR)
    row[K.M_TYPE] = typ
    row[K.M_VBI] = vto - typ * gamma * math.sqrt(phi)
    row[K.M_BETA] = kp * width / leff * m
    row[K.M_GAMMA] = gamma
    row[K.M_PHI] = phi
    row[K.M_LAMBDA] = _get(p, "lambda", 0.0)
    ad = inst.get("ad", float(opts.get("defad", 0.0)))
    as_ = inst.get("as", float(opts.get("defas", 0.0)))
    js = _get(p, "js", 0.0)
    if js == 0.0 or ad == 0.0 or as_ == 0.0:
        iss = isd = _get(p, "is", 1e-14) * m
    else:
        iss = js * as_ * m
        isd = js * ad * m
    row[K.M_ISS] = iss
    row[K.M_ISD] = isd
    cj = _get(p, "cj", 0.0)
    row[K.M_CBD] = (p["cbd"] if "cbd" in p else cj * ad) * m
    row[K.M_CBS] = (p["cbs"] if "cbs" in p else cj * as_) * m
    row[K.M_PB] = _get(p, "pb", 0.8)
    row[K.M_MJ] = _get(p, "mj", 0.5)
    row[K.M_FC] = _get(p, "fc", 0.5)
    row[K.M_VT] = vt
    row[K.M_VCRITS] = vt * math.log(vt / (math.sqrt(2.0) * iss)) if iss > 0 else 1.0
    row[K.M_VCRITD] = vt * math.log(vt / (math.sqrt(2.0) * isd)) if isd > 0 else 1.0
    row[K.M_COX] = cox * leff * width * m
    overlap = (_get(p, "cgso", 0.0) * width * m, _get(p, "cgdo", 0.0) * width * m,
               _get(p, "cgbo", 0.0) * leff * m)
    row[K.M_CGSO], row[K.M_CGDO], row[K.M_CGBO] = overlap
    rsh = _get(p, "rsh", 0.0)
    rd = p["rd"] if "rd" in p else rsh * inst.get("nrd", 1.0 if rsh else 0.0)
    rs = p["rs"] if "rs" in p else rsh * inst.get("nrs", 1.0 if rsh else 0.0)
    return row, rd / m if rd else 0.0, rs / m if rs else 0.0, overlap


REFTEMP = 300.15


def _pbfact(t_k: float) -> float:
    """SPICE's temperature shift of junction/surface potentials at t_k."""
    vt = BOLTZ * t_k / CHARGE
    kt = BOLTZ * t_k
    arg = -_egap(t_k) / (kt + kt) + 1.1150877 / (BOLTZ * (REFTEMP + REFTEMP))
    return -2.0 * vt * (1.5 * math.log(t_k / REFTEMP) + CHARGE * arg)


def mos2_row(model_params: dict, kind: str, inst: dict, temp: float, tnom: float,
             opts: dict):
    """MOS level 2 (ngspice's mos2temp.c): a level-1 row plus the level-2 columns.
    Returns (row, rd, rs, overlap caps) like mos1_row; raises ValueError for parameters
    the model cannot use."""
    from edapipe.analog import mos2_kernels as K2

    p = norm_model(model_params, kind)
    if "vt0" in p and "vto" not in p:
        p["vto"] = p["vt0"]
    typ = 1.0 if kind == "nmos" else -1.0
    t = temp + CTOK
    tn = (p["tnom"] if "tnom" in p else tnom) + CTOK
    vt = BOLTZ * t / CHARGE
    vtnom = BOLTZ * tn / CHARGE
    fact1 = tn / REFTEMP
    fact2 = t / REFTEMP
    egfet1 = _egap(tn)
    egfet = _egap(t)
    pbfact1 = _pbfact(tn)
    pbfact = _pbfact(t)
    m = inst.get("m", 1.0)
    length = inst.get("l", p.get("l", float(opts.get("defl", 100e-6))))
    width = inst.get("w", p.get("w", float(opts.get("defw", 100e-6))))
    leff = length - 2.0 * _get(p, "ld", 0.0)
    if leff <= 0.0:
        raise ValueError(f"effective channel length L - 2*LD = {leff:g} m is not positive")
    if width <= 0.0:
        raise ValueError(f"channel width W = {width:g} m is not positive")
    tox = p.get("tox", 1e-7)
    if tox <= 0.0:
        raise ValueError(f"TOX = {tox:g} must be positive")
    coxa = EPS_OX / tox
    uo = _get(p, "uo", 600.0)
    kp = p["kp"] if "kp" in p else uo * 1e-4 * coxa
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
    # temperature (mos2temp.c)
    ratio = t / tn
    ratio4 = ratio * math.sqrt(ratio)
    tkp = kp / ratio4
    phio = (phi - pbfact1) / fact1
    tphi = fact2 * phio + pbfact
    tvbi = (vto - typ * gamma * math.sqrt(phi) + 0.5 * (egfet1 - egfet)
            + typ * 0.5 * (tphi - phi))
    tvto = tvbi + typ * gamma * math.sqrt(tphi)
    satfact = math.exp(-egfet / vt + egfet1 / vtnom)
    tsat = _get(p, "is", 1e-14) * satfact
    tsatd = _get(p, "js", 0.0) * satfact
    pb = _get(p, "pb", 0.8)
    mj = _get(p, "mj", 0.5)
    mjsw = _get(p, "mjsw", 0.33)
    pbo = (pb - pbfact1) / fact1
    gmaold = (pb - pbo) / pbo
    tbulkpot = fact2 * pbo + pbfact
    gmanew = (tbulkpot - pbo) / pbo

    def capfact(grading):
        return ((1.0 + grading * (4e-4 * (t - REFTEMP) - gmanew))
                / (1.0 + grading * (4e-4 * (tn - REFTEMP) - gmaold)))

    cf_bot = capfact(mj)
    cf_sw = capfact(mjsw)
    ad = inst.get("ad", float(opts.get("defad", 0.0)))
    as_ = inst.get("as", float(opts.get("defas", 0.0)))
    pd = inst.get("pd", 0.0)
    ps = inst.get("ps", 0.0)
    if tsatd == 0.0 or ad == 0.0 or as_ == 0.0:
        iss = isd = m * tsat
    else:
        iss = m * tsatd * as_
        isd = m * tsatd * ad

    def vcrit(i):
        return vt * math.log(vt / (math.sqrt(2.0) * i)) if i > 0.0 else 1.0

    if "cbd" in p:
        czbd = p["cbd"] * cf_bot * m
    else:
        czbd = p["cj"] * cf_bot * ad * m if "cj" in p else 0.0
    if "cbs" in p:
        czbs = p["cbs"] * cf_bot * m
    else:
        czbs = p["cj"] * cf_bot * as_ * m if "cj" in p else 0.0
    cjsw = p["cjsw"] * cf_sw if "cjsw" in p else 0.0
    oxide = coxa * leff * width * m
    row = np.zeros(K.M_NPAR)
    row[K.M_TYPE] = typ
    row[K.M_LEVEL] = 2.0
    row[K.M_VBI] = tvbi
    row[K.M_BETA] = tkp * width * m / leff
    row[K.M_GAMMA] = gamma
    row[K.M_PHI] = tphi
    row[K.M_LAMBDA] = _get(p, "lambda", 0.0)
    row[K.M_ISS] = iss
    row[K.M_ISD] = isd
    row[K.M_CBD] = czbd
    row[K.M_CBS] = czbs
    row[K.M_PB] = tbulkpot
    row[K.M_MJ] = mj
    row[K.M_FC] = _get(p, "fc", 0.5)
    row[K.M_VT] = vt
    row[K.M_VCRITS] = vcrit(iss)
    row[K.M_VCRITD] = vcrit(isd)
    row[K.M_COX] = oxide
    overlap = (_get(p, "cgso", 0.0) * width * m, _get(p, "cgdo", 0.0) * width * m,
               _get(p, "cgbo", 0.0) * leff * m)
    row[K.M_CGSO], row[K.M_CGDO], row[K.M_CGBO] = overlap
    row[K2.M2_VTO] = tvto
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
    row[K2.M2_SBIARG] = math.sqrt(tbulkpot)
    row[K2.M2_CBSSW] = cjsw * ps * m
    row[K2.M2_CBDSW] = cjsw * pd * m
    row[K2.M2_MJSW] = mjsw
    rsh = _get(p, "rsh", 0.0)
    rd = p["rd"] if "rd" in p else rsh * inst.get("nrd", 1.0)
    rs = p["rs"] if "rs" in p else rsh * inst.get("nrs", 1.0)
    return row, rd / m if rd else 0.0, rs / m if rs else 0.0, overlap
