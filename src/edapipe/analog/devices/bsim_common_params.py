"""What BSIM3 and BSIM4 do alike with a model card, written once (without numba: the
flattener reads the *_params modules, which use this): the canonical parameter names, the
refused modes, the note on parameters that change nothing, the model values with the
defaults of b3set.c/b4set.c that the two share, the length and width offsets and the binning
of b3temp.c/b4temp.c, the intrinsic carrier density at TNOM and the fatal checks b3check.c
and b4check.c have in common. Each takes the family's own tables (BINNED, MODEL, ...) and
its name for the messages ("BSIM3", "BSIM4").
"""

from __future__ import annotations

import math

from edapipe.analog.devices.physics import CTOK

KBOQ = 8.617087e-5


def canonical_key(key: str, aliases: dict, binned: dict, model: dict, inert,
                  family: str) -> str:
    """A card parameter's canonical name (aliases resolved; L/W/P binning coefficients of
    binned parameters kept with their prefix); unknown: ValueError."""
    if key in binned or key in model or key in inert or key == "version":
        return key
    if key[0] in "lwp" and aliases.get(key[1:], key[1:]) in binned:
        return key[0] + aliases.get(key[1:], key[1:])
    raise ValueError(f"{family} model parameter '{key}' is not supported")


def check_modes(family: str, given: dict, allowed: dict, why: dict) -> None:
    """ValueError for a model switch set to a value not implemented (why: what the
    switch's refused values are, for the message)."""
    for key, values in allowed.items():
        if key in given and given[key] not in values:
            what = f" ({why[key]})" if key in why else ""
            raise ValueError(f"{family} {key.upper()} = {given[key]:g}{what} is not "
                             f"implemented ({', '.join(f'{a:g}' for a in values)} only)")


def unused_parts(family: str, keys: list, noise, soa) -> list:
    """The inert-parameter note's noise and safe-operating-area parts (keys: the inert
    parameters the card gives, sorted)."""
    noise_keys = [k.upper() for k in keys if k in noise]
    soa_keys = [k.upper() for k in keys if k in soa]
    parts = []
    if noise_keys:
        parts.append(f"noise parameters {', '.join(noise_keys)} are not used (.noise with "
                     f"a {family} device is refused)")
    if soa_keys:
        parts.append(f"safe-operating-area limits {', '.join(soa_keys)} are not checked "
                     f"(ngspice only warns when they are exceeded)")
    return parts


def model_values(model: dict, binned: dict, given: dict) -> dict:
    """The card over the defaults that need no other parameter, binning coefficients 0."""
    p = {k: v for k, v in model.items() if v is not None}
    p.update({k: v for k, v in binned.items() if v is not None})
    for key in binned:
        for pre in "lwp":
            p[pre + key] = 0.0
    p.update(given)
    return p


def geometry_defaults(p: dict, given: dict, tnom_c: float) -> None:
    """TNOM in kelvin and the defaults of the length/width offset coefficients (the
    capacitance ones default to the current ones)."""
    p["tnom"] = (given["tnom"] if "tnom" in given else tnom_c) + CTOK
    for short, long_ in (("ll", "llc"), ("lw", "lwc"), ("lwl", "lwlc"), ("wl", "wlc"),
                         ("ww", "wwc"), ("wwl", "wwlc")):
        p.setdefault(long_, p[short])
    p.setdefault("dwc", p["wint"])
    p.setdefault("dlc", p["lint"])


def length_width_offsets(p: dict, length: float, width: float):
    """(dL, dLc, dW, L^WLN, W^WWN): the channel length and width reductions for current
    and capacitance (the width's capacitance one is the caller's: BSIM3 and BSIM4 sum it
    in different orders)."""
    t0 = length ** p["lln"]
    t1 = width ** p["lwn"]
    dl = p["lint"] + p["ll"] / t0 + p["lw"] / t1 + p["lwl"] / (t0 * t1)
    dlc = p["dlc"] + p["llc"] / t0 + p["lwc"] / t1 + p["lwlc"] / (t0 * t1)
    t2 = length ** p["wln"]
    t3 = width ** p["wwn"]
    dw = p["wint"] + p["wl"] / t2 + p["ww"] / t3 + p["wwl"] / (t2 * t3)
    return dl, dlc, dw, t2, t3


def bin_values(p: dict, s: dict, binned: dict, inv_l: float, inv_w: float,
               inv_lw: float) -> None:
    """Each binned parameter at this size, into s: P + PL/Leff + PW/Weff + PP/(Leff Weff)
    (inv_*: those reciprocals in the card's BINUNIT)."""
    for key in binned:
        s[key] = p[key] + p["l" + key] * inv_l + p["w" + key] * inv_w + p["p" + key] * inv_lw


def intrinsic_at(tnom: float):
    """(Vtm0, Eg0, ni) at TNOM (kelvin): thermal voltage, band gap and the intrinsic
    carrier density."""
    vtm0 = KBOQ * tnom
    eg0 = 1.16 - 7.02e-4 * tnom * tnom / (tnom + 1108.0)
    ni = 1.45e10 * (tnom / 300.15) * math.sqrt(tnom / 300.15) * math.exp(
        21.5565981 - eg0 / (2.0 * vtm0))
    return vtm0, eg0, ni


def common_fatal(s: dict) -> list:
    """The (failed, why) checks b3check.c and b4check.c share, in their order."""
    return [
        (s["nsub"] <= 0.0, f"NSUB = {s['nsub']:g} is not positive"),
        (s["ngate"] < 0.0, f"NGATE = {s['ngate']:g} is negative"),
        (s["ngate"] > 1.0e25, f"NGATE = {s['ngate']:g} is too high"),
        (s["xj"] <= 0.0, f"XJ = {s['xj']:g} is not positive"),
        (s["dvt1"] < 0.0, f"DVT1 = {s['dvt1']:g} is negative"),
        (s["dvt1w"] < 0.0, f"DVT1W = {s['dvt1w']:g} is negative"),
        (s["w0"] == -s["weff"], "W0 = -Weff (division by zero)"),
        (s["dsub"] < 0.0, f"DSUB = {s['dsub']:g} is negative"),
        (s["b1"] == -s["weff"], "B1 = -Weff (division by zero)"),
        (s["u0temp"] <= 0.0, f"U0 at temperature = {s['u0temp']:g} is not positive"),
        (s["delta"] < 0.0, f"DELTA = {s['delta']:g} is negative"),
        (s["vsattemp"] <= 0.0, f"VSAT at temperature = {s['vsattemp']:g} is not positive"),
        (s["pclm"] <= 0.0, f"PCLM = {s['pclm']:g} is not positive"),
        (s["drout"] < 0.0, f"DROUT = {s['drout']:g} is negative"),
    ]


def raise_fatal(family: str, fatal: list) -> None:
    """ValueError for the first failed check of (failed, why) pairs."""
    for bad, why in fatal:
        if bad:
            raise ValueError(f"{family} parameter check: {why}")
