"""`.sens` for diodes and MOSFETs (levels 1-3): the parameters ngspice 39 lists for them and
the change of the device's DC currents when one of them is perturbed (re-derived from
cktsens.c/cktsgen.c and measured against ngspice 39.3; no code copied).

ngspice walks every real, settable, askable parameter of a device's model table and then of
its instance table, skipping AC-only ones and those whose value is below 1e-30; for each it
runs the device's set-up, its temperature update and its load at the operating point, sets
p + 1e-6 p, re-runs temperature and load, and solves the difference with the operating
point's matrix. The set-up is not re-run after the change, so whatever the set-up derives is
frozen, and the change can leave a "given" flag behind. Measured consequences, reproduced
here on purpose (docs/decisions.md, ".sens for diodes ..."):

- diode RS, model AREA and instance M come out 0 (the set-up derives 1/RS, the instance area
  and the area times M);
- every set-up call multiplies a diode's area by M again, so the k-th listed parameter of an
  instance with M != 1 sees area * M^(k+1) (ngspice's own operating point used area * M);
- ISR (not given) defaults to 1e-14 but its recombination current only flows once ISR is
  "given": perturbing ISR sets that flag for good, so the ISR value is the whole
  recombination current over 1e-20, and NR, the instance parameters and every later instance
  of the same model see the recombination current.

The terminal currents come from our own device kernels (devices.noise.terminal_currents on
a copy of the parameter row) for MOSFETs; the diode's DC current is written out here, as
ngspice 39's load computes it, because the recombination term exists only in this artefact.
"""

from __future__ import annotations

import math

from edapipe.analog.devices.physics import BOLTZ, CHARGE, CTOK, _egap

_DELTA = 1e-6
_KOQ = BOLTZ / CHARGE
_REFTEMP = 300.15

# ngspice 39's diode model table (dio.c) as `.sens` walks it: name, default. The AC-only
# (TT, CJO and their temperature coefficients) and integer (LEVEL, TLEV, TLEVC) entries
# are not walked; LM/LP/WM/WP cannot be asked when they are not given.
_D_MODEL = (("is", 1e-14), ("jsw", 0.0), ("tnom", None), ("rs", 0.0), ("trs", 0.0),
            ("trs2", 0.0), ("n", 1.0), ("ns", 1.0), ("vj", 1.0), ("m", 0.5), ("tm1", 0.0),
            ("tm2", 0.0), ("cjp", 0.0), ("php", 1.0), ("mjsw", 0.33), ("ikf", 0.0),
            ("ikr", 0.0), ("nbv", 1.0), ("area", 1.0), ("pj", 0.0), ("eg", 1.11),
            ("xti", 3.0), ("cta", 0.0), ("ctp", 0.0), ("tpb", 0.0), ("tphp", 0.0),
            ("jtun", 0.0), ("jtunsw", 0.0), ("ntun", 30.0), ("xtitun", 3.0), ("keg", 1.0),
            ("kf", 0.0), ("af", 1.0), ("fc", 0.5), ("fcs", 0.5), ("bv", 0.0), ("ibv", 1e-3),
            ("tcv", 0.0), ("isr", 1e-14), ("nr", 1.0), ("fv_max", 1e99), ("bv_max", 1e99),
            ("id_max", 1e99), ("te_max", 1e99), ("pd_max", 1e99), ("rth0", 0.0),
            ("cth0", 1e-5), ("xom", 1e-6), ("xoi", 1e-6), ("xm", 0.0), ("xp", 0.0))
_D_INST = ("temp", "dtemp", "area", "pj", "w", "l", "m")
_D_ALIAS = {"js": "is", "tref": "tnom", "cj0": "cjo", "cj": "cjo", "pb": "vj", "mj": "m",
            "ib": "ibv", "ik": "ikf", "trs1": "trs", "ctc": "cta", "tvj": "tpb",
            "cjsw": "cjp"}


def model_key(e) -> int:
    """One model of ngspice's: our flattening copies a model per subcircuit instance (its
    parameters may depend on the instance's), ngspice keeps one per .model card. (A card
    inside a subcircuit is one model per instance in ngspice; here it stays one.)"""
    return id(e.model.card)


def _instance_defaults(e, error) -> None:
    """Instance parameters on a model card (ngspice 39 takes them as the instances'
    defaults) are not followed through ngspice's walk here."""
    if getattr(e.model, "instance", None):
        names = ", ".join(sorted(e.model.instance))
        raise error(f".sens: {e.name}: instance parameters on model {e.model.name}'s card "
                    f"({names}) are not covered by .sens")


def check_diode(e, error) -> None:
    """The card itself is checked where it is read (devices/model_cards.py refuses what
    ngspice would use and we do not); every other name of ngspice's table is either at
    its default or without effect at DC, and is walked as ngspice walks it."""
    _instance_defaults(e, error)


def _diode_values(e, tnom: float) -> dict:
    """The model parameters as ngspice's set-up leaves them (TNOM in Celsius, as asked)."""
    got = {_D_ALIAS.get(k, k): v for k, v in e.model.params.items()}
    vals = {}
    for name, default in _D_MODEL:
        vals[name] = got.get(name, tnom if default is None else default)
    return vals


def _diode_temp(p: dict, area: float, mult: float, t: float, tn: float,
                reltol: float) -> dict:
    """DIOtemp at t (K) from tn (K): saturation currents, junction potential, breakdown."""
    vt = _KOQ * t
    vte, vtr = p["n"] * vt, p["nr"] * vt
    ln = math.log(t / tn)
    csat = p["is"] * area * math.exp((t / tn - 1.0) * p["eg"] / vte + p["xti"] / p["n"] * ln)
    crec = p["isr"] * area * math.exp((t / tn - 1.0) * p["eg"] / vtr + p["xti"] / p["nr"] * ln)

    def pbfact(tk):
        arg = -_egap(tk) / (2.0 * BOLTZ * tk) + 1.1150877 / (BOLTZ * (2.0 * _REFTEMP))
        return -2.0 * _KOQ * tk * (1.5 * math.log(tk / _REFTEMP) + CHARGE * arg)

    pbo = (p["vj"] - pbfact(tn)) / (tn / _REFTEMP)
    pot = pbfact(t) + t / _REFTEMP * pbo
    xbv = 0.0
    if p["bv"] != 0.0:
        # the breakdown knee where the reverse current reaches IBV (DIOtemp's iteration)
        bv, vtb = p["bv"], p["nbv"] * vt
        cbv = p["ibv"] * mult             # level 1: IBV times M, not the area
        if cbv < csat * bv / vt:
            xbv = bv
        else:
            xbv = bv - vtb * math.log(1.0 + cbv / csat)
            for _ in range(25):
                xbv = bv - vtb * math.log(cbv / csat + 1.0 - xbv / vt)
                xcbv = csat * (math.exp((bv - xbv) / vtb) - 1.0 + xbv / vt)
                if abs(xcbv - cbv) <= reltol * cbv:
                    break
    return {"vt": vt, "csat": csat, "crec": crec, "pot": pot, "xbv": xbv}


def _diode_current(p: dict, tv: dict, vd: float, rec: bool) -> float:
    """The junction's DC current at vd as DIOload computes it (gmin left out: it cancels)."""
    vt = tv["vt"]
    vte = p["n"] * vt
    if vd >= -3.0 * vte:
        cd = tv["csat"] * (math.exp(vd / vte) - 1.0)
        if rec:
            gen = ((1.0 - vd / tv["pot"]) ** 2 + 0.005) ** (p["m"] / 2.0)
            cd += tv["crec"] * (math.exp(vd / (p["nr"] * vt)) - 1.0) * gen
        return cd
    if p["bv"] == 0.0 or vd >= -tv["xbv"]:
        arg = (3.0 * vte / (vd * math.e)) ** 3
        return -tv["csat"] * (1.0 + arg)
    return -tv["csat"] * math.exp(-(tv["xbv"] + vd) / (p["nbv"] * vt))


def diode_sens(e, item, ctx, ye, xe, rec_on: dict) -> list[tuple[str, float]]:
    """(vector suffix, sensitivity) for one diode, in ngspice's order. ye, xe: the adjoint
    and the operating point with a trailing 0 for ground; rec_on[model id]: whether ISR is
    already 'given' for the diode's model (ngspice's walk is stateful)."""
    _, term, _, _, ext = item
    p = _diode_values(e, ctx.tnom)
    mult = e.params.get("m", 1.0)
    area = e.params.get("area", p["area"]) * mult          # the operating point's area
    inst = {"temp": ctx.temp, "dtemp": 0.0, "area": area, "pj": 0.0, "w": 0.0, "l": 0.0,
            "m": mult}
    vd = xe[term[0]] - xe[term[1]]
    has_rs = p["rs"] != 0.0
    vrs = xe[ext[0]] - xe[term[0]]
    key = model_key(e)
    walk = [(":" + n, n, False) for n, _ in _D_MODEL] + [("_" + n, n, True) for n in _D_INST]
    out = []

    def residual(pp, ii):
        tv = _diode_temp(pp, ii["area"], ii["m"], ii["temp"] + CTOK, pp["tnom"] + CTOK,
                         ctx.reltol)
        return _diode_current(pp, tv, vd, rec_on.get(key, False)), ii["area"]

    for suffix, name, is_inst in walk:
        value = inst[name] if is_inst else p[name]
        if abs(value) < 1e-30:
            continue
        inst["area"] *= mult                  # the set-up ngspice runs for every parameter
        dp = value * _DELTA
        c0, a0 = residual(p, inst)
        p1, i1 = dict(p), dict(inst)
        (i1 if is_inst else p1)[name] = value + dp
        if not is_inst and name == "isr":
            rec_on[key] = True                # the perturbation leaves ISR 'given'
        if not is_inst and name in ("rs", "area"):
            p1 = p                            # frozen by the set-up: no effect
        c1, a1 = residual(p1, i1)
        # residual change at the junction and through RS (conductance area / RS)
        d = -(ye[term[0]] - ye[term[1]]) * (c1 - c0)
        if has_rs:
            d -= (ye[ext[0]] - ye[term[0]]) * (a1 / p["rs"] - a0 / p["rs"]) * vrs
        if is_inst and name == "area":
            inst["area"] = value              # restored to the value asked before set-up
        out.append((suffix, d / dp))
    return out


class _Ctx:
    """The circuit temperature and TNOM (Celsius) the devices were set up with."""

    def __init__(self, sim):
        self.temp = sim.circ.temp
        self.tnom = float(sim.circ.options.get("tnom", 27.0))
        self.options = sim.circ.options
        self.gmin = sim.opts.gmin
        self.reltol = sim.opts.reltol


def device_sens(e, item, sim, ye, xe, state: dict) -> list[tuple[str, float]]:
    """The sensitivities of one diode or MOSFET (level 1-3), in ngspice's order."""
    ctx = _Ctx(sim)
    if e.letter == "D":
        return diode_sens(e, item, ctx, ye, xe, state.setdefault("isr", {}))
    return mos_sens(e, item, sim, ctx, ye, xe, state.setdefault("mos", {}))


# ngspice 39's MOS model tables as `.sens` walks them (mos1.c, mos2.c, mos3.c): name and
# default (None: derived, see _mos_asked). AC-only entries (CBD, CBS on levels 1 and 3,
# the overlap and junction capacitances), TPG (an integer) and level 1's KF/AF (not
# askable there) are not walked.
_M1_MODEL = (("vto", 0.0), ("kp", None), ("gamma", None), ("phi", None), ("lambda", 0.0),
             ("rd", 0.0), ("rs", 0.0), ("is", 1e-14), ("pb", 0.8), ("rsh", 0.0),
             ("mj", 0.5), ("mjsw", 0.5), ("js", 0.0), ("tox", 0.0), ("ld", 0.0),
             ("u0", 0.0), ("fc", 0.5), ("nsub", 0.0), ("nss", 0.0), ("tnom", None))
_M2_MODEL = (("vto", None), ("kp", None), ("gamma", None), ("phi", None), ("lambda", 0.0),
             ("rd", 0.0), ("rs", 0.0), ("cbd", 0.0), ("cbs", 0.0), ("is", 1e-14),
             ("pb", 0.8), ("rsh", 0.0), ("mj", 0.5), ("mjsw", 0.33), ("js", 0.0),
             ("tox", 1e-7), ("ld", 0.0), ("u0", 600.0), ("fc", 0.5), ("nsub", 0.0),
             ("nss", 0.0), ("delta", 0.0), ("uexp", 0.0), ("ucrit", 1e4), ("vmax", 0.0),
             ("xj", 0.0), ("neff", 1.0), ("nfs", 0.0), ("tnom", None), ("kf", 0.0),
             ("af", 1.0))
_M3_MODEL = (("vto", None), ("kp", None), ("gamma", None), ("phi", None), ("rd", 0.0),
             ("rs", 0.0), ("is", 1e-14), ("pb", 0.8), ("rsh", 0.0), ("mj", 0.5),
             ("mjsw", 0.33), ("js", 0.0), ("tox", 1e-7), ("ld", 0.0), ("xl", 0.0),
             ("wd", 0.0), ("xw", 0.0), ("u0", 600.0), ("fc", 0.5), ("nsub", 0.0),
             ("nss", 0.0), ("vmax", 0.0), ("xj", 0.0), ("nfs", 0.0), ("xd", None),
             ("alpha", None), ("eta", 0.0), ("delta", 0.0), ("input_delta", None),
             ("theta", 0.0), ("kappa", 0.2), ("tnom", None), ("kf", 0.0), ("af", 1.0))
_M_MODEL = {1: _M1_MODEL, 2: _M2_MODEL, 3: _M3_MODEL}
_M_INST = ("m", "l", "w", "ad", "as", "pd", "ps", "nrd", "nrs", "temp", "dtemp")
_M_ALIAS = {"uo": "u0", "vt0": "vto"}


def check_mos(e, error, circ) -> None:
    _instance_defaults(e, error)
    for key in ("xd", "alpha", "input_delta"):
        if key in e.model.params:
            raise error(f".sens: MOSFET {e.name}: model parameter '{key}' is not covered "
                        f"by .sens (level 3 derives it)")


def _mos_asked(p: dict, level: int, typ: float, tn: float) -> dict:
    """The values ngspice's model ask returns after set-up and temperature: given ones as
    given, the rest as its defaults or derived (KP from U0 and TOX, PHI/GAMMA/VTO from
    NSUB)."""
    from edapipe.analog.devices import mos as M
    from edapipe.analog.devices.physics import EPS_OX, EPS_SI

    out = {n: p.get(n, d) for n, d in _M_MODEL[level] if d is not None}
    tox = out["tox"]
    coxa = EPS_OX / tox if tox else 0.0
    if level == 1 and tox and "u0" not in p:
        out["u0"] = 600.0
    out["kp"] = p.get("kp", out["u0"] * 1e-4 * coxa if coxa else 2e-5)
    q = {k: v for k, v in p.items() if k != "tnom"}
    q["uo"] = out["u0"]
    if level == 3:
        phi, gamma, vto, alpha = M._mos3_doping(q, typ, tn, coxa)
        # level 3 asks DELTA as the derived narrow-width factor, INPUT_DELTA as the card
        # value (measured: see mos_sens)
        out.update(xd=math.sqrt(alpha), alpha=alpha, input_delta=p.get("delta", 0.0),
                   delta=p.get("delta", 0.0) * 0.5 * math.pi * EPS_SI / coxa)
    elif coxa:
        phi, gamma, vto = M._mos2_doping(q, typ, tn, coxa)[:3]
    else:
        phi, gamma, vto = p.get("phi", 0.6), p.get("gamma", 0.0), p.get("vto", 0.0)
    out.update(phi=phi, gamma=gamma, vto=vto, tnom=tn - CTOK)
    return out


def mos_sens(e, item, sim, ctx, ye, xe, state: dict) -> list[tuple[str, float]]:
    """Levels 1-3: each parameter's change of the drain, gate, source and bulk currents
    (our load kernel on a perturbed row, at the operating point) and of the RD/RS
    conductances' currents. state[model]: the model card as ngspice's walk has left it
    (perturbed parameters stay 'given', for the model's later instances too)."""
    from edapipe.analog.devices import mos as M
    from edapipe.analog.devices.noise import terminal_currents

    level = int(e.model.params.get("level", 1))
    kind = e.model.kind
    typ = 1.0 if kind == "nmos" else -1.0
    row_of = getattr(M, M.LEVELS[level])
    given = state.setdefault(model_key(e), {_M_ALIAS.get(k, k): v
                                             for k, v in e.model.params.items()})
    tn = given.get("tnom", ctx.tnom) + CTOK
    opts = ctx.options
    inst = {"m": 1.0, "l": float(opts.get("defl", 100e-6)), "w": float(opts.get("defw", 100e-6)),
            "ad": float(opts.get("defad", 0.0)), "as": float(opts.get("defas", 0.0)),
            "pd": 0.0, "ps": 0.0, "nrd": 1.0, "nrs": 1.0, "temp": ctx.temp, "dtemp": 0.0}
    inst.update({k: v for k, v in e.params.items() if k in inst})
    grp = next(g for g in sim.sys.groups if g.kind == "m")
    d = next(k for k, it in enumerate(grp.items) if it is item)
    _, term, _, _, ext = item

    def evaluate(model: dict, ins: dict):
        # XD, ALPHA and INPUT_DELTA: level 3's set-up derives them (XD, ALPHA from NSUB);
        # set from outside they change nothing ngspice loads (measured)
        q = {("uo" if k == "u0" else k): v for k, v in model.items()
             if k not in ("xd", "alpha", "input_delta")}
        if level == 1:
            q.pop("tnom", None)
        geo = {k: ins[k] for k in ("m", "l", "w", "ad", "as", "pd", "ps", "nrd", "nrs")}
        row, rd, rs, _ = row_of(q, kind, geo, ins["temp"] + ins["dtemp"],
                                model.get("tnom", ctx.tnom), opts)
        par = grp.par
        saved = par[d].copy()
        par[d] = row
        try:
            cur, _ = terminal_currents(grp, d, xe[:-1], ctx.gmin)
        finally:
            par[d] = saved
        return cur, rd, rs

    def residual(model, ins):
        cur, rd, rs = evaluate(model, ins)
        r = -sum(ye[n] * cur[k] for k, n in enumerate(term))
        for k, res in ((0, rd), (2, rs)):
            if res > 0.0 and ext[k] != term[k]:
                i = (xe[ext[k]] - xe[term[k]]) / res
                r -= (ye[ext[k]] - ye[term[k]]) * i
        return r

    out = []
    walk = ([(":" + n, n, False) for n, _ in _M_MODEL[level]]
            + [("_" + n, n, True) for n in _M_INST])
    for suffix, name, is_inst in walk:
        value = inst[name] if is_inst else _mos_asked(given, level, typ, tn)[name]
        if abs(value) < 1e-30:
            continue
        dp = value * _DELTA
        r0 = residual(given, inst)
        g1, i1 = dict(given), dict(inst)
        # level 3 asks DELTA as the derived narrow-width factor but sets the card's DELTA
        # with it: perturbing DELTA puts the (tiny) factor there, which removes the
        # narrow-width effect for every later parameter of the model (ngspice: -3.4e11 for
        # DELTA = 0.1); INPUT_DELTA changes nothing (measured)
        (i1 if is_inst else g1)[name] = value + dp
        r1 = residual(g1, i1)
        if not is_inst:
            given[name] = value               # the perturbation leaves the parameter given
        out.append((suffix, (r1 - r0) / dp))
    return out
