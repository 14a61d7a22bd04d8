""".model cards of the built-in families, read as ngspice 39 reads them.

ngspice's device tables (dio.c, bjt.c, mos1.c, mos2.c, res.c, cap.c, ind.c) decide what a
model card may say; the names below were taken from them and checked one by one against
ngspice 39 itself (a card with the single parameter, "unrecognized parameter" or not;
tests/analog/test_model_cards.py repeats that check live). Each name on a card is one of:

- a parameter this simulator uses (aliases are renamed to the name the device code reads);
- a parameter ngspice uses and this simulator does not: refused, located, because ngspice's
  answer would differ; accepted when it has ngspice's default value, or when the parameter
  that switches its effect on is absent (PHP without CJP), since then it cannot matter;
  one that acts only on charges or phase (a BJT's PTF, a diode's sidewall CJP) is accepted
  for DC analyses and refused, at the card, when .ac, .tran, .noise or .pz runs;
- a safe-operating-area limit (BV_MAX, ...): ngspice only reports a violation when asked
  to; accepted with a located warning that it is not checked;
- an instance parameter (AREA on a BJT card, RESISTANCE on an R card): since ngspice 39 a
  default for every instance of the model that does not give it;
- anything else: ngspice warns "unrecognized parameter (x) - ignored" and goes on; so do we.

MOS level 3, JFET, switches and BSIM keep their own checks (their modules refuse what they
do not know); for level 3 only the instance defaults are taken here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class CardRules:
    family: str                          # how messages name the device
    used: frozenset                      # names the device code reads (after aliases)
    aliases: dict                        # ngspice's other names -> the name read
    defaults: dict = field(default_factory=dict)   # known, unused: accepted at this value
    switched_by: dict = field(default_factory=dict)  # known, unused: no effect without
    limits: frozenset = frozenset()      # safe-operating-area limits: warned, not checked
    instance: frozenset = frozenset()    # instance parameters: defaults from the model
    # known, unused, and acting only on charges and phase: accepted for DC analyses (op,
    # dc, tf, sens), refused when an analysis they change runs (Model.dc_only)
    dc_only: frozenset = frozenset()


_T12 = lambda *names: {f"{n}{i}": 0.0 for n in names for i in (1, 2)}  # noqa: E731

DIODE = CardRules(
    "diode",
    used=frozenset({"level", "is", "rs", "n", "tt", "cjo", "vj", "m", "eg", "xti", "kf", "af",
                    "fc", "bv", "ibv", "area", "tnom"}),
    aliases={"js": "is", "tref": "tnom", "cj0": "cjo", "cj": "cjo", "pb": "vj", "mj": "m",
             "ib": "ibv", "ik": "ikf", "trs1": "trs", "ctc": "cta", "tvj": "tpb",
             "cjsw": "cjp"},
    defaults={"jsw": 0.0, "trs": 0.0, "trs2": 0.0, "ttt1": 0.0, "ttt2": 0.0, "tm1": 0.0,
              "tm2": 0.0, "cjp": 0.0, "ikf": 0.0, "ikr": 0.0, "tlev": 0.0, "tlevc": 0.0,
              "cta": 0.0, "ctp": 0.0, "tpb": 0.0, "tphp": 0.0, "jtun": 0.0, "jtunsw": 0.0,
              "tcv": 0.0, "isr": 0.0, "rth0": 0.0, "pj": 1.0},
    switched_by={"ns": ("jsw",), "php": ("cjp",), "mjsw": ("cjp",), "fcs": ("cjp",),
                 "nbv": ("bv",), "ntun": ("jtun", "jtunsw"), "xtitun": ("jtun", "jtunsw"),
                 "keg": ("jtun", "jtunsw"), "nr": ("isr",), "cth0": ("rth0",),
                 "lm": ("level3",), "lp": ("level3",), "wm": ("level3",),
                 "wp": ("level3",), "xom": ("level3",), "xoi": ("level3",),
                 "xm": ("level3",), "xp": ("level3",), "d": ("level3",)},
    limits=frozenset({"fv_max", "bv_max", "id_max", "te_max", "pd_max"}),
    instance=frozenset({"off", "temp", "dtemp", "ic", "pj", "w", "l", "m"}),
    dc_only=frozenset({"cjp", "php", "mjsw", "fcs", "ctp", "tphp", "cta", "tpb", "tm1",
                       "tm2", "ttt1", "ttt2"}),
)

BJT = CardRules(
    "BJT",
    used=frozenset({"level", "npn", "pnp", "subs", "is", "bf", "nf", "vaf", "ikf", "ise",
                    "ne", "br", "nr", "var", "ikr", "isc", "nc", "rb", "irb", "rbm", "re",
                    "rc", "cje", "vje", "mje", "tf", "xtf", "vtf", "itf", "cjc", "vjc",
                    "mjc", "xcjc", "tr", "cjs", "vjs", "mjs", "xtb", "eg", "xti", "fc",
                    "kf", "af", "nkf", "tnom"}),
    aliases={"va": "vaf", "ik": "ikf", "c2": "ise", "vb": "var", "c4": "isc", "pe": "vje",
             "me": "mje", "pc": "vjc", "mc": "mjc", "csub": "cjs", "ccs": "cjs",
             "ps": "vjs", "ms": "mjs", "nk": "nkf", "tref": "tnom", "trb": "trb1",
             "trc": "trc1", "tre": "tre1"},
    defaults={"ibe": 0.0, "ibc": 0.0, "ptf": 0.0, "iss": 0.0, "rco": 0.0, "tlev": 0.0,
              "tlevc": 0.0, "quasimod": 0.0, "ctc": 0.0, "cte": 0.0, "cts": 0.0,
              "tvjc": 0.0, "tvje": 0.0, "tvjs": 0.0, "rth0": 0.0,
              **_T12("tbf", "tbr", "tikf", "tikr", "tirb", "tnc", "tne", "tnf", "tnr", "trb",
                     "trc", "tre", "trm", "tvaf", "tvar", "titf", "ttf", "ttr", "tmje",
                     "tmjc", "tmjs", "tns", "tis", "tise", "tisc", "tiss")},
    switched_by={"ns": ("iss",), "vo": ("rco",), "gamma": ("rco",), "qco": ("rco",),
                 "vg": ("quasimod",), "cn": ("quasimod",), "d": ("quasimod",)},
    limits=frozenset({"vbe_max", "vbc_max", "vce_max", "pd_max", "ic_max", "ib_max",
                      "te_max"}),
    instance=frozenset({"off", "icvbe", "icvce", "area", "areab", "areac", "m", "ic",
                        "temp", "dtemp"}),
    dc_only=frozenset({"ptf", "ctc", "cte", "cts", "tvjc", "tvje", "tvjs", "tmje1", "tmje2",
                       "tmjc1", "tmjc2", "tmjs1", "tmjs2", "ttf1", "ttf2", "ttr1", "ttr2",
                       "titf1", "titf2"}),
)

_MOS_INSTANCE = frozenset({"l", "w", "ad", "as", "pd", "ps", "nrd", "nrs", "m", "off",
                           "icvds", "icvgs", "icvbs", "temp", "dtemp", "ic"})
_MOS1_USED = frozenset({"level", "nmos", "pmos", "vto", "kp", "gamma", "phi", "lambda", "rd",
                        "rs", "cbd", "cbs", "is", "pb", "cgso", "cgdo", "cgbo", "rsh", "cj",
                        "mj", "js", "tox", "ld", "uo", "fc", "nsub", "tpg", "nss", "tnom",
                        "kf", "af"})
# NLEV and GDSNOI: ngspice 39 ignores them, later versions select noise models with them;
# a card that sets them is refused where they would act (docs/decisions.md, issue 16)
_NOISE_LEVELS = frozenset({"nlev", "gdsnoi"})
# MOS1/MOS2 read L and W from the model card themselves (as instance defaults). Level 1's
# sidewall junction capacitance (CJSW, MJSW with PD/PS) is not in its kernel: it only acts
# on charges, so DC analyses run with it and the others refuse it
MOS1 = CardRules("MOS level-1", used=_MOS1_USED, aliases={"vt0": "vto", "u0": "uo"},
                 defaults={"cjsw": 0.0}, switched_by={"mjsw": ("cjsw",)},
                 instance=_MOS_INSTANCE, dc_only=_NOISE_LEVELS | {"cjsw", "mjsw"})
MOS2 = CardRules("MOS level-2",
                 used=_MOS1_USED | {"cjsw", "mjsw", "delta", "uexp", "ucrit", "vmax", "xj",
                                    "neff", "nfs"},
                 aliases={"vt0": "vto", "u0": "uo"}, instance=_MOS_INSTANCE,
                 dc_only=_NOISE_LEVELS)

RESISTOR = CardRules(
    "resistor",
    used=frozenset({"rsh", "narrow", "short", "defw", "l", "r", "tc1", "tc2", "tce",
                    "tnom", "kf", "af", "lf", "wf", "ef"}),
    aliases={"dw": "narrow", "dlr": "short", "w": "defw", "res": "r", "tc": "tc1"},
    limits=frozenset({"bv_max"}),
    instance=frozenset({"resistance", "ac", "temp", "dtemp", "m", "scale", "noisy"}),
)

CAPACITOR = CardRules(
    "capacitor",
    used=frozenset({"cap", "cj", "cjsw", "defw", "narrow", "l", "w"}),
    aliases={"c": "cap"},
    defaults={"tc1": 0.0, "tc2": 0.0, "short": 0.0, "del": 0.0},
    switched_by={"di": ("thick",), "defl": ("cj", "cjsw")},
    limits=frozenset({"bv_max"}),
    instance=frozenset({"capacitance", "ic", "m", "scale", "temp", "dtemp"}),
)

INDUCTOR = CardRules(
    "inductor",
    used=frozenset({"ind"}),
    aliases={"l": "ind"},
    defaults={"tc1": 0.0, "tc2": 0.0},
    switched_by={"csect": ("nt",), "dia": ("nt",), "length": ("nt",), "mu": ("nt",)},
    instance=frozenset({"inductance", "ic", "m", "scale", "nt", "temp", "dtemp"}),
)


def rules_for(kind: str, params: dict) -> CardRules | None:
    """The rules of a model card of type `kind`, or None when its device checks it."""
    if kind == "d":
        return DIODE
    if kind in ("npn", "pnp"):
        return BJT
    if kind in ("nmos", "pmos"):
        return {1.0: MOS1, 2.0: MOS2}.get(float(params.get("level", 1.0)))
    return {"r": RESISTOR, "res": RESISTOR, "c": CAPACITOR, "l": INDUCTOR}.get(kind)


class Card(NamedTuple):
    model: dict          # model parameters under the names the device code reads
    instance: dict       # instance defaults
    warnings: list       # texts for located warnings
    dc_only: dict        # ngspice name -> value: refused when an AC/transient-like runs


def split_card(kind: str, params: dict) -> Card:
    """A model card's parameters sorted by the module docstring's rules. Raises ValueError
    for a parameter ngspice would use and this simulator does not."""
    rules = rules_for(kind, params)
    if rules is None:
        if kind in ("nmos", "pmos") and params.get("level") == 3.0:
            inst = {k: v for k, v in params.items() if k in _MOS_INSTANCE}
            return Card({k: v for k, v in params.items() if k not in inst}, inst, [], {})
        return Card(params, {}, [], {})
    dc_only: dict = {}
    model: dict = {}
    inst: dict = {}
    warnings: list[str] = []
    unused: dict = {}
    for key, value in params.items():
        name = rules.aliases.get(key, key)
        if name in rules.used:
            model[name] = value
        elif name in rules.defaults or name in rules.switched_by:
            unused[name] = (key, value)
        elif name in rules.limits:
            warnings.append(f"{key.upper()} is a safe-operating-area limit; it is not "
                            f"checked (ngspice checks it only with .options warn=1)")
        elif name in rules.instance:
            inst[name] = value
        elif name in rules.dc_only:
            dc_only[key] = value
        else:
            warnings.append(f"unrecognized parameter ({key}) - ignored (as ngspice 39)")
    level3 = float(params.get("level", 1.0)) == 3.0
    for name, (key, value) in unused.items():
        if name in rules.defaults and value == rules.defaults[name]:
            continue
        drivers = rules.switched_by.get(name)
        if drivers is not None and not any(
                (level3 if d == "level3" else
                 d in model or (d in unused and unused[d][1] != rules.defaults.get(d)))
                for d in drivers):
            continue
        if name in rules.dc_only:
            dc_only[key] = value
            continue
        raise ValueError(f"{rules.family} model parameter '{key}' is not supported (ngspice "
                         f"uses it; the result would differ)")
    if kind == "d" and float(params.get("level", 1.0)) != 1.0:
        raise ValueError(f"diode level {params['level']:g} is not supported (level 1 only)")
    if kind in ("npn", "pnp") and float(params.get("level", 1.0)) != 1.0:
        raise ValueError(f"BJT level {params['level']:g} is not supported (the Gummel-Poon "
                         f"level 1 only)")
    return Card(model, inst, warnings, dc_only)
