"""Physical constants and the temperature helpers the device families share.

Defaults are ngspice's (see the peer notes). Temperature: the thermal voltage uses the circuit
temperature; saturation currents, the diode breakdown voltage and junction potentials are
scaled from TNOM as SPICE3 does (IS with XTI/EG, VJ with the silicon band gap).
"""

from __future__ import annotations

import math

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


REFTEMP = 300.15                # SPICE's reference temperature for junction potentials (K)


def pbfact(t_k: float) -> float:
    """SPICE's temperature shift of junction potentials at t_k (K)."""
    vt = BOLTZ * t_k / CHARGE
    arg = -_egap(t_k) / (2.0 * BOLTZ * t_k) + 1.1150877 / (BOLTZ * 2.0 * REFTEMP)
    return -2.0 * vt * (1.5 * math.log(t_k / REFTEMP) + CHARGE * arg)


def junction_at(pb: float, grading: float, t: float, tn: float) -> tuple[float, float]:
    """A depletion junction moved from tn to t (K), as diotemp.c and bjttemp.c do: its
    built-in potential at t and the factor on its zero-bias capacitance."""
    fact1, fact2 = tn / REFTEMP, t / REFTEMP
    pbo = (pb - pbfact(tn)) / fact1
    gmaold = (pb - pbo) / pbo
    pb_t = fact2 * pbo + pbfact(t)
    gmanew = (pb_t - pbo) / pbo
    cap = ((1.0 + grading * (4e-4 * (t - REFTEMP) - gmanew))
           / (1.0 + grading * (4e-4 * (tn - REFTEMP) - gmaold)))
    return pb_t, cap
