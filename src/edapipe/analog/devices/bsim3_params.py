"""The BSIM3v3.3.0 model card (ngspice's b3.c names, b3set.c's defaults), without numba:
the flattener reads it to warn about parameters that change nothing here, devices/bsim3.py
to build the parameter rows."""

from __future__ import annotations

from edapipe.analog.devices.bsim_common_params import (
    canonical_key, check_modes, unused_parts)

LEVELS = (8, 49)
VERSIONS = ("3.3.0", "3.3", "3.30")

# size-dependent parameters: each also takes L*, W*, P* binning coefficients (b3temp.c).
# None: the default depends on other parameters (see _defaults).
BINNED = {
    "cdsc": 2.4e-4, "cdscb": 0.0, "cdscd": 0.0, "cit": 0.0, "nfactor": 1.0, "xj": 0.15e-6,
    "vsat": 8.0e4, "at": 3.3e4, "a0": 1.0, "ags": 0.0, "a1": 0.0, "a2": 1.0,
    "keta": -0.047, "nsub": 6.0e16, "nch": 1.7e17, "ngate": 0.0, "gamma1": 0.0,
    "gamma2": 0.0, "vbx": 0.0, "vbm": -3.0, "xt": 1.55e-7, "vfb": 0.0, "k1": 0.0,
    "kt1": -0.11, "kt1l": 0.0, "k2": 0.0, "kt2": 0.022, "k3": 80.0, "k3b": 0.0,
    "w0": 2.5e-6, "nlx": 1.74e-7, "dvt0": 2.2, "dvt1": 0.53, "dvt2": -0.032, "dvt0w": 0.0,
    "dvt1w": 5.3e6, "dvt2w": -0.032, "drout": 0.56, "dsub": None, "vth0": None,
    "ua": 2.25e-9, "ua1": 4.31e-9, "ub": 5.87e-19, "ub1": -7.61e-18, "uc": None,
    "uc1": None, "u0": None, "ute": -1.5, "voff": -0.08, "delta": 0.01, "rdsw": 0.0,
    "prwg": 0.0, "prwb": 0.0, "prt": 0.0, "eta0": 0.08, "etab": -0.07, "pclm": 1.3,
    "pdiblc1": 0.39, "pdiblc2": 0.0086, "pdiblcb": 0.0, "pscbe1": 4.24e8, "pscbe2": 1.0e-5,
    "pvag": 0.0, "wr": 1.0, "dwg": 0.0, "dwb": 0.0, "b0": 0.0, "b1": 0.0, "alpha0": 0.0,
    "alpha1": 0.0, "beta0": 30.0, "elm": 5.0, "cgsl": 0.0, "cgdl": 0.0, "ckappa": 0.6,
    "cf": None, "clc": 0.1e-6, "cle": 0.6, "vfbcv": -1.0, "acde": 1.0, "moin": 15.0,
    "noff": 1.0, "voffcv": 0.0,
}
# model-wide parameters (None: derived from others)
MODEL = {
    "mobmod": 1.0, "binunit": 1.0, "paramchk": 0.0, "capmod": 3.0, "acmmod": 0.0,
    "calcacm": 0.0, "nqsmod": 0.0, "acnqsmod": 0.0, "tox": 150.0e-10,
    "toxm": None, "tnom": None, "xpart": 0.0, "lint": 0.0, "ll": 0.0, "llc": None,
    "lln": 1.0, "lw": 0.0, "lwc": None, "lwn": 1.0, "lwl": 0.0, "lwlc": None, "lmin": 0.0,
    "lmax": 1.0, "wint": 0.0, "wl": 0.0, "wlc": None, "wln": 1.0, "ww": 0.0, "wwc": None,
    "wwn": 1.0, "wwl": 0.0, "wwlc": None, "wmin": 0.0, "wmax": 1.0, "dwc": None,
    "dlc": None, "xl": 0.0, "xw": 0.0, "cgso": None, "cgdo": None, "cgbo": None,
    "rsh": 0.0, "cj": 5.0e-4, "cjsw": 5.0e-10, "cjswg": None, "js": 1.0e-4, "jsw": 0.0,
    "pb": 1.0, "pbsw": 1.0, "pbswg": None, "mj": 0.5, "mjsw": 0.33, "mjswg": None,
    "nj": 1.0, "xti": 3.0, "tcj": 0.0, "tpb": 0.0, "tcjsw": 0.0, "tpbsw": 0.0,
    "tcjswg": 0.0, "tpbswg": 0.0, "ijth": 0.1, "level": 8.0,
}
# read by no analysis we run for BSIM3 (.noise with a BSIM3 device is refused; the
# safe-operating-area limits only make ngspice print warnings; the ACM geometry only
# matters with ACMMOD > 0, which is refused)
NOISE = {"noimod", "noia", "noib", "noic", "em", "ef", "af", "kf", "lintnoi"}
SOA = {"vgs_max", "vgd_max", "vgb_max", "vds_max", "vbs_max", "vbd_max", "vgsr_max",
       "vgdr_max", "vgbr_max", "vbsr_max", "vbdr_max"}
ACM = {"hdif", "ldif", "ld", "rd", "rs", "rdc", "rsc", "wmlt"}
INERT = NOISE | SOA | ACM
ALIASES = {"npeak": "nch", "vtho": "vth0", "pdibl1": "pdiblc1", "pdibl2": "pdiblc2",
           "pdiblb": "pdiblcb", "uo": "u0"}


def is_bsim3(e) -> bool:
    """Whether element e's model is a BSIM3 card (LEVEL 8 or 49)."""
    return int(e.model.params.get("level", 1)) in LEVELS


# the model switches with the values implemented (the others run other code in ngspice)
ALLOWED = {"nqsmod": (0.0,), "acnqsmod": (0.0,), "acmmod": (0.0,), "calcacm": (0.0,),
           "capmod": (0.0, 1.0, 2.0, 3.0), "mobmod": (1.0, 2.0, 3.0)}


def _canonical(key: str) -> str:
    return canonical_key(ALIASES.get(key, key), ALIASES, BINNED, MODEL, INERT, "BSIM3")


def card_params(model) -> dict:
    """The card's parameters by canonical name, checked: an unknown parameter, an
    unimplemented mode or version is a ValueError."""
    given = {}
    for key, val in model.params.items():
        given[_canonical(key)] = val
    version = str(given.pop("version", "3.3.0")).strip("'\"").lower()
    if version not in VERSIONS:
        raise ValueError(f"BSIM3 version {version} is not implemented (3.3.0 only; "
                         f"ngspice runs other versions with other code)")
    check_modes("BSIM3", given, ALLOWED, {})
    return given


def inert_note(params: dict) -> str | None:
    """For a BSIM3 card (LEVEL 8/49): the parameters read but not used, and why; None when
    there are none (the flattener turns this into a located warning)."""
    if int(params.get("level", 1)) not in LEVELS:
        return None
    keys = sorted(ALIASES.get(k, k) for k in params if ALIASES.get(k, k) in INERT)
    acm = [k.upper() for k in keys if k in ACM]
    parts = unused_parts("BSIM3", keys, NOISE, SOA)
    if acm:
        parts.append(f"ACM geometry {', '.join(acm)} is not used (ACMMOD = 0)")
    return "BSIM3: " + "; ".join(parts) if parts else None
