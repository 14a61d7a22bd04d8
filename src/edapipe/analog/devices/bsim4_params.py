"""The BSIM4.8 model card (ngspice's b4.c names, b4set.c's defaults), without numba: the
flattener reads it to warn about parameters that change nothing here, devices/bsim4.py to
build the parameter rows."""

from __future__ import annotations

from edapipe.analog.devices.bsim_common_params import (
    canonical_key, check_modes, unused_parts)

LEVELS = (14, 54)
# ngspice 39 runs 4.8.x cards (and cards without VERSION) with its BSIM4.8 code; older
# versions go to its bsim4v5/v6/v7 code, which differs (not implemented here)
VERSIONS = ("4.8", "4.8.0", "4.8.1", "4.8.2", "4.80", "4.81", "4.82")

# size-dependent parameters: each also takes L*, W*, P* binning coefficients (b4temp.c).
# None: the default depends on other parameters or on the type (see bsim4._defaults).
BINNED = {
    "cdsc": 2.4e-4, "cdscb": 0.0, "cdscd": 0.0, "cit": 0.0, "nfactor": 1.0,
    "tnfactor": 0.0, "xj": 0.15e-6, "vsat": 8.0e4, "at": 3.3e4, "a0": 1.0, "ags": 0.0,
    "a1": 0.0, "a2": 1.0, "keta": -0.047, "nsub": 6.0e16, "ndep": 1.7e17, "nsd": 1.0e20,
    "phin": 0.0, "ngate": 0.0, "gamma1": 0.0, "gamma2": 0.0, "vbx": 0.0, "vbm": -3.0,
    "xt": 1.55e-7, "vfb": -1.0, "k1": 0.0, "kt1": -0.11, "kt1l": 0.0, "k2": 0.0,
    "kt2": 0.022, "k3": 80.0, "k3b": 0.0, "w0": 2.5e-6, "lpe0": 1.74e-7, "lpeb": 0.0,
    "dvtp0": 0.0, "dvtp1": 0.0, "dvtp2": 0.0, "dvtp3": 0.0, "dvtp4": 0.0, "dvtp5": 0.0,
    "dvt0": 2.2, "dvt1": 0.53, "dvt2": -0.032, "dvt0w": 0.0, "dvt1w": 5.3e6,
    "dvt2w": -0.032, "drout": 0.56, "dsub": None, "vth0": None, "ua": None, "ua1": 1.0e-9,
    "ub": 1.0e-19, "ub1": -1.0e-18, "uc": None, "uc1": None, "ud": 0.0, "ud1": 0.0,
    "up": 0.0, "lp": 1.0e-8, "eu": None, "ucs": None, "ucste": -4.775e-3, "u0": None,
    "ute": -1.5, "voff": -0.08, "tvoff": 0.0, "minv": 0.0, "minvcv": 0.0, "fprout": 0.0,
    "pdits": 0.0, "pditsd": 0.0, "delta": 0.01, "rdsw": 200.0, "rdw": 100.0, "rsw": 100.0,
    "prwg": 1.0, "prwb": 0.0, "prt": 0.0, "eta0": 0.08, "teta0": 0.0, "etab": -0.07,
    "pclm": 1.3, "pdiblc1": 0.39, "pdiblc2": 0.0086, "pdiblcb": 0.0, "pscbe1": 4.24e8,
    "pscbe2": 1.0e-5, "pvag": 0.0, "wr": 1.0, "dwg": 0.0, "dwb": 0.0, "b0": 0.0, "b1": 0.0,
    "alpha0": 0.0, "alpha1": 0.0, "beta0": 0.0, "agidl": 0.0, "bgidl": 2.3e9,
    "cgidl": 0.5, "egidl": 0.8, "rgidl": 1.0, "kgidl": 0.0, "fgidl": 1.0, "agisl": None,
    "bgisl": None, "cgisl": None, "egisl": None, "rgisl": None, "kgisl": None,
    "fgisl": None, "aigc": None, "bigc": None, "cigc": None, "aigs": None, "bigs": None,
    "cigs": None, "aigd": None, "bigd": None, "cigd": None, "aigbacc": 1.36e-2,
    "bigbacc": 1.71e-3, "cigbacc": 0.075, "aigbinv": 1.11e-2, "bigbinv": 9.49e-4,
    "cigbinv": 0.006, "nigc": 1.0, "nigbacc": 1.0, "nigbinv": 3.0, "ntox": 1.0,
    "eigbinv": 1.1, "pigcd": 1.0, "poxedge": 1.0, "xrcrg1": 12.0, "xrcrg2": 1.0,
    "lambda": 0.0, "vtl": 2.0e5, "xn": 3.0, "vfbsdoff": 0.0, "tvfbsdoff": 0.0,
    "cgsl": 0.0, "cgdl": 0.0, "ckappas": 0.6, "ckappad": None, "cf": None, "clc": 0.1e-6,
    "cle": 0.6, "vfbcv": -1.0, "acde": 1.0, "moin": 15.0, "noff": 1.0, "voffcv": 0.0,
    "tvoffcv": 0.0, "kvth0we": 0.0, "k2we": 0.0, "ku0we": 0.0,
}
# model-wide parameters (None: derived from others)
MODEL = {
    "mobmod": 0.0, "binunit": 1.0, "paramchk": 1.0, "diomod": 1.0, "cvchargemod": 0.0,
    "capmod": 2.0, "rdsmod": 0.0, "rbodymod": 0.0, "rgatemod": 0.0, "permod": 1.0,
    "geomod": 0.0, "rgeomod": 0.0, "fnoimod": 1.0, "tnoimod": 0.0, "trnqsmod": 0.0,
    "acnqsmod": 0.0, "mtrlmod": 0.0, "mtrlcompatmod": 0.0, "igcmod": 0.0, "igbmod": 0.0,
    "tempmod": 0.0, "gidlmod": 0.0, "wpemod": 0.0, "level": 14.0,
    "toxref": 30.0e-10, "toxe": 30.0e-10, "toxp": None, "toxm": None, "dtox": 0.0,
    "epsrox": 3.9, "ados": 1.0, "bdos": 1.0, "voffl": 0.0, "voffcvl": 0.0, "pditsl": 0.0,
    "rdswmin": 0.0, "rdwmin": 0.0, "rswmin": 0.0, "lc": 5.0e-9, "dlcig": None,
    "dlcigd": None, "tnom": None, "lint": 0.0, "ll": 0.0, "llc": None, "lln": 1.0,
    "lw": 0.0, "lwc": None, "lwn": 1.0, "lwl": 0.0, "lwlc": None, "lmin": 0.0, "lmax": 1.0,
    "wint": 0.0, "wl": 0.0, "wlc": None, "wln": 1.0, "ww": 0.0, "wwc": None, "wwn": 1.0,
    "wwl": 0.0, "wwlc": None, "wmin": 0.0, "wmax": 1.0, "dwc": None, "dlc": None,
    "xl": 0.0, "xw": 0.0, "dwj": None, "xpart": 0.0, "rsh": 0.0, "cgso": None,
    "cgdo": None, "cgbo": None,
    # junctions (source; drain defaults to the source value)
    "cjs": 5.0e-4, "cjd": None, "cjsws": 5.0e-10, "cjswd": None, "cjswgs": None,
    "cjswgd": None, "jss": 1.0e-4, "jsd": None, "jsws": 0.0, "jswd": None, "jswgs": 0.0,
    "jswgd": None, "pbs": 1.0, "pbd": None, "pbsws": 1.0, "pbswd": None, "pbswgs": None,
    "pbswgd": None, "mjs": 0.5, "mjd": None, "mjsws": 0.33, "mjswd": None,
    "mjswgs": None, "mjswgd": None, "njs": 1.0, "njd": None, "xtis": 3.0, "xtid": None,
    "jtss": 0.0, "jtsd": None, "jtssws": 0.0, "jtsswd": None, "jtsswgs": 0.0,
    "jtsswgd": None, "jtweff": 0.0, "njts": 20.0, "njtssw": 20.0, "njtsswg": 20.0,
    "njtsd": None, "njtsswd": None, "njtsswgd": None, "xtss": 0.02, "xtsd": None,
    "xtssws": 0.02, "xtsswd": None, "xtsswgs": 0.02, "xtsswgd": None, "tnjts": 0.0,
    "tnjtssw": 0.0, "tnjtsswg": 0.0, "tnjtsd": None, "tnjtsswd": None, "tnjtsswgd": None,
    "vtss": 10.0, "vtsd": None, "vtssws": 10.0, "vtsswd": None, "vtsswgs": 10.0,
    "vtsswgd": None, "tpb": 0.0, "tcj": 0.0, "tpbsw": 0.0, "tcjsw": 0.0, "tpbswg": 0.0,
    "tcjswg": 0.0, "ijthsfwd": 0.1, "ijthdfwd": None, "ijthsrev": 0.1, "ijthdrev": None,
    "xjbvs": 1.0, "xjbvd": None, "bvs": 10.0, "bvd": None,
    # layout (geoMod) and stress / well-proximity
    "xgw": 0.0, "xgl": 0.0, "rshg": 0.1, "ngcon": 1.0, "gbmin": 1.0e-12, "rbdb": 50.0,
    "rbpb": 50.0, "rbsb": 50.0, "rbps": 50.0, "rbpd": 50.0, "dmcg": 0.0, "dmci": None,
    "dmdg": 0.0, "dmcgt": 0.0, "saref": 1.0e-6,
    "sbref": 1.0e-6, "wlod": 0.0, "ku0": 0.0, "kvsat": 0.0, "kvth0": 0.0, "tku0": 0.0,
    "llodku0": 0.0, "wlodku0": 0.0, "llodvth": 0.0, "wlodvth": 0.0, "lku0": 0.0,
    "wku0": 0.0, "pku0": 0.0, "lkvth0": 0.0, "wkvth0": 0.0, "pkvth0": 0.0, "stk2": 0.0,
    "lodk2": 1.0, "steta0": 0.0, "lodeta0": 1.0, "web": 0.0, "wec": 0.0, "scref": 1.0e-6,
}
# read by no analysis we run: noise (.noise with a BSIM4 device is refused), the
# safe-operating-area limits (ngspice only warns), and what only the gate/body resistance
# modes when off, RBODYMOD 2 and the material modes (refused when on) read
NOISE = {"noia", "noib", "noic", "em", "ef", "af", "kf", "tnoia", "tnoib", "tnoic",
         "rnoia", "rnoib", "rnoic", "ntnoi", "lintnoi"}
SOA = {"vgs_max", "vgd_max", "vgb_max", "vds_max", "vbs_max", "vbd_max", "vgsr_max",
       "vgdr_max", "vgbr_max", "vbsr_max", "vbdr_max"}
MODES_OFF = {"xgw", "xgl", "rshg", "ngcon", "gbmin", "rbdb", "rbpb", "rbsb", "rbps", "rbpd",
             "rbps0", "rbpsl", "rbpsw", "rbpsnf", "rbpd0", "rbpdl", "rbpdw", "rbpdnf",
             "rbpbx0", "rbpbxl", "rbpbxw", "rbpbxnf", "rbpby0", "rbpbyl", "rbpbyw",
             "rbpbynf", "rbsbx0", "rbsby0", "rbdbx0", "rbdby0", "rbsdbxl", "rbsdbxw",
             "rbsdbxnf", "rbsdbyl", "rbsdbyw", "rbsdbynf", "eot", "vddeot", "tempeot",
             "leffeot", "weffeot", "phig", "epsrgate", "easub",
             "epsrsub", "ni0sub", "bg0sub", "tbgasub", "tbgbsub"}
INERT = NOISE | SOA | MODES_OFF
ALIASES = {"nch": "ndep", "npeak": "ndep", "vtho": "vth0", "uo": "u0", "pdibl1": "pdiblc1",
           "pdibl2": "pdiblc2", "pdiblb": "pdiblcb", "pb": "pbs", "cj": "cjs",
           "cjsw": "cjsws", "cjswg": "cjswgs", "mj": "mjs", "mjsw": "mjsws",
           "mjswg": "mjswgs", "pbsw": "pbsws", "pbswg": "pbswgs", "js": "jss",
           "jsw": "jsws", "jswg": "jswgs", "nj": "njs", "xti": "xtis", "ijth": "ijthsfwd"}
# modes implemented here (anything else: a located error naming the parameter)
ALLOWED = {"mobmod": (0.0, 1.0, 2.0), "capmod": (0.0, 1.0, 2.0), "diomod": (0.0, 1.0, 2.0),
           "rdsmod": (0.0,), "rbodymod": (0.0, 1.0), "rgatemod": (0.0, 1.0), "trnqsmod": (0.0,),
           "acnqsmod": (0.0,), "igcmod": (0.0, 1.0, 2.0), "igbmod": (0.0, 1.0),
           "mtrlmod": (0.0,),
           "tempmod": (0.0,), "rgeomod": (0.0,), "cvchargemod": (0.0, 1.0),
           "gidlmod": (0.0, 1.0), "wpemod": (0.0, 1.0), "permod": (0.0, 1.0),
           "binunit": (0.0, 1.0, 2.0)}
WHY = {"rdsmod": "the bias-dependent external source/drain resistance",
       "rbodymod": "the scalable substrate resistance network (RBODYMOD 2)",
       "rgatemod": "the bias-dependent gate resistance",
       "trnqsmod": "the transient NQS model", "acnqsmod": "the AC NQS model",
       "igcmod": "gate-to-channel tunnelling", "igbmod": "gate-to-body tunnelling",
       "mtrlmod": "the material model", "tempmod": "the temperature models 1-3",
       "rgeomod": "the layout-dependent source/drain resistance",
       "mobmod": "the mobility models 3-6", "capmod": "capacitance models above 2"}


def is_bsim4(e) -> bool:
    """Whether element e's model is a BSIM4 card (LEVEL 14 or 54)."""
    return int(e.model.params.get("level", 1)) in LEVELS


SD_PAIRS = {"aigsd": ("aigs", "aigd"), "bigsd": ("bigs", "bigd"), "cigsd": ("cigs", "cigd")}


def _canonical(key: str) -> str:
    key = ALIASES.get(key, key)
    if key in SD_PAIRS or (key[0] in "lwp" and key[1:] in SD_PAIRS):
        return key
    return canonical_key(key, ALIASES, BINNED, MODEL, INERT, "BSIM4")


def card_params(model) -> dict:
    """The card's parameters by canonical name, checked: an unknown parameter, an
    unimplemented mode or version is a ValueError naming it."""
    given = {}
    for key, val in model.params.items():
        given[_canonical(key)] = val
    # AIGSD (and its L/W/P coefficients) sets the source and drain edge values together
    for key in [k for k in given if k in SD_PAIRS or k[1:] in SD_PAIRS]:
        pre, base = ("", key) if key in SD_PAIRS else (key[0], key[1:])
        val = given.pop(key)
        for side in SD_PAIRS[base]:
            given[pre + side] = val
    version = str(given.pop("version", "4.8.0")).strip("'\"").lower()
    if version not in VERSIONS:
        raise ValueError(f"BSIM4 version {version} is not implemented (4.8 only; ngspice "
                         f"runs other versions with other code)")
    check_modes("BSIM4", given, ALLOWED, WHY)
    return given


def inert_note(params: dict) -> str | None:
    """For a BSIM4 card (LEVEL 14/54): the parameters read but not used, and why; None when
    there are none (the flattener turns this into a located warning)."""
    if int(params.get("level", 1)) not in LEVELS:
        return None
    keys = sorted(ALIASES.get(k, k) for k in params if ALIASES.get(k, k) in INERT)
    used = set()
    if params.get("rgatemod", 0.0):
        used |= {"xgw", "xgl", "rshg", "ngcon"}
    if params.get("rbodymod", 0.0):
        used |= {"gbmin", "rbdb", "rbpb", "rbsb", "rbps", "rbpd"}
    off = [k.upper() for k in keys if k in MODES_OFF - used]
    parts = unused_parts("BSIM4", keys, NOISE, SOA)
    if off:
        parts.append(f"{', '.join(off)} change nothing here (RBODYMOD 2, MTRLMOD; the "
                     f"gate and body resistances with RGATEMOD, RBODYMOD = 0)")
    return "BSIM4: " + "; ".join(parts) if parts else None


# instance parameters BSIM4 reads beyond L W AD AS PD PS NRD NRS M OFF (circuit.py)
INSTANCE_EXTRA = frozenset({"nf", "min", "sa", "sb", "sd", "sca", "scb", "scc", "sc",
                            "delvto", "geomod", "rgeomod", "rbodymod", "rbdb", "rbsb",
                            "rbpb", "rbps", "rbpd",
                            "rgatemod", "trnqsmod", "acnqsmod"})
