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
