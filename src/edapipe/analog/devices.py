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
        if "phi" not in p:
            phi = max(2 * vt * math.log(nsub / NI), 0.1)
        if "gamma" not in p:
            gamma = math.sqrt(2 * EPS_SI * CHARGE * nsub) / cox
        if "vto" not in p:
            tpg = _get(p, "tpg", 1.0)
            fermig = typ * tpg * 0.5 * _egap(t)
            wkfng = 3.2 - fermig
            fermis = typ * 0.5 * phi
            wkfngs = wkfng - (3.25 + 0.5 * _egap(t) + fermis)
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
