""".model cards read as ngspice 39 reads them (analog/devices/model_cards.py): aliases,
instance defaults, parameters refused because ngspice would use them, unrecognized ones
warned about and dropped; live against ngspice where it is installed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.devices import model_cards as mc
from edapipe.analog.parser import parse_deck
from edapipe.errors import EdapipeError
from tests.conftest import require_tool


def test_aliases_become_the_names_the_device_reads():
    model, inst, notes, _ = mc.split_card("d", {"pb": 0.6, "mj": 0.4, "cj0": 1e-12, "js": 2e-14,
                                             "tref": 50.0})
    assert model == {"vj": 0.6, "m": 0.4, "cjo": 1e-12, "is": 2e-14, "tnom": 50.0}
    assert inst == {} and notes == []


def test_instance_parameters_on_a_card_are_instance_defaults():
    model, inst, _, _ = mc.split_card("npn", {"bf": 50.0, "area": 2.0, "m": 3.0})
    assert model == {"bf": 50.0} and inst == {"area": 2.0, "m": 3.0}
    model, inst, _, _ = mc.split_card("r", {"resistance": 2e3, "tc1": 1e-3})
    assert model == {"tc1": 1e-3} and inst == {"resistance": 2e3}


def test_a_parameter_ngspice_uses_and_we_do_not_is_refused():
    with pytest.raises(ValueError, match="'isr' is not supported"):
        mc.split_card("d", {"isr": 1e-10})
    with pytest.raises(ValueError, match="'ibe' is not supported"):
        mc.split_card("npn", {"ibe": 1e-15})
    with pytest.raises(ValueError, match="BJT level 4"):
        mc.split_card("npn", {"level": 4.0})


def test_unused_parameters_at_their_default_or_switched_off_are_accepted():
    # ISR = 0 is no recombination current; PHP and MJSW act only with a sidewall CJP
    model, _, notes, dc_only = mc.split_card("d", {"isr": 0.0, "php": 0.7, "mjsw": 0.5,
                                                   "trs": 0.0})
    assert model == {} and notes == [] and dc_only == {}
    with pytest.raises(ValueError, match="'nbv'"):
        mc.split_card("d", {"bv": 10.0, "nbv": 2.0})


def test_charge_only_parameters_are_refused_only_where_they_act(tmp_path):
    card = mc.split_card("npn", {"bf": 50.0, "ptf": 21.0})
    assert card.model == {"bf": 50.0} and card.dc_only == {"ptf": 21.0}
    deck = ("t\nv1 1 0 1 ac 1\nr1 1 2 1k\nq1 2 2 0 qm\n.model qm npn(bf=50 ptf=21)\n"
            ".{analysis}\n.end\n")
    _op(deck.format(analysis="op"), tmp_path)
    with pytest.raises(EdapipeError, match=r"d\.cir:5.*'ptf' is not supported in \.ac"):
        _op(deck.format(analysis="ac dec 1 1k 1k"), tmp_path)


def test_limits_and_unknown_names_are_warnings():
    model, _, notes, _ = mc.split_card("d", {"is": 1e-14, "bv_max": 10.0, "iave": 0.2})
    assert model == {"is": 1e-14}
    assert any("BV_MAX" in n and "not checked" in n for n in notes)
    assert any("unrecognized parameter (iave) - ignored" in n for n in notes)


def test_families_with_their_own_checks_are_left_to_them():
    params = {"level": 8.0, "vth0": 0.5}
    assert mc.split_card("nmos", params) == (params, {}, [], {})
    model, inst, _, _ = mc.split_card("nmos", {"level": 3.0, "vto": 0.7, "w": 2e-6})
    assert model == {"level": 3.0, "vto": 0.7} and inst == {"w": 2e-6}


def _op(text: str, tmp_path) -> tuple[dict, list[str]]:
    deck = tmp_path / "d.cir"
    deck.write_text(text)
    circ = flatten(parse_deck(text, str(deck)))
    spec = next(parse_analysis(c) for c in circ.analyses)
    res = run_analysis(Simulator(circ), spec)
    return ({n: float(res.data[0, k].real) for k, n in enumerate(res.names)},
            circ.warnings)


def test_located_messages(tmp_path):
    text = "t\nv1 1 0 1\nd1 1 0 dm\n.model dm d(is=1e-14 isr=1e-10)\n.op\n.end\n"
    with pytest.raises(EdapipeError, match=r"d\.cir:4.*model dm: diode model parameter 'isr'"):
        _op(text, tmp_path)
    text = "t\nv1 1 0 1\nr1 1 0 rm\n.model rm r(r=1k foo=3)\n.op\n.end\n"
    _, warnings = _op(text, tmp_path)
    assert any(re.search(r"d\.cir:4.*unrecognized parameter \(foo\)", w) for w in warnings)


@pytest.mark.parametrize("card, message", [
    ("r1 1 0 1k foo=3", "unknown parameter 'foo'"),
    ("c1 1 0 1p foo=2", "unknown parameter 'foo'"),
    ("c1 1 0 1p tc1=0.01", "TC1=0.01 is not supported"),
    ("l1 1 0 1u scale=2", "SCALE=2 is not supported"),
])
def test_passive_instance_parameters_are_checked(tmp_path, card, message):
    with pytest.raises(EdapipeError, match=rf"d\.cir:3.*{message}"):
        _op(f"t\nv1 1 0 1\n{card}\nr9 1 0 1k\n.op\n.end\n", tmp_path)


# --- live: the same numbers as ngspice 39 -----------------------------------------------

CASES = {
    # ngspice's own regression deck tests/regression/model/instance-defaults.cir
    "r_instance_default": "t\nv1 1 0 dc=1\nr1 1 0 myres\n.model myres r(resistance=2k)\n",
    "r_model_without_value": "t\nv1 1 0 dc=1\nr1 1 0 myres\n.model myres r(tc1=0.01)\n",
    "r_value_after_model_wins": "t\nv1 1 0 dc=1\nr1 1 0 myres 3k\n.model myres r(resistance=2k)\n",
    # ngspice 39 quirk, kept: with the value before the model name the model's wins
    "r_value_before_model": "t\nv1 1 0 dc=1\nr1 1 0 3k myres\n.model myres r(resistance=2k)\n",
    "r_model_r_and_value": "t\nv1 1 0 dc=1\nr1 1 0 3k myres\n.model myres r(r=2k)\n",
    "bjt_area_on_model": "t\nv1 1 0 dc=1\nr9 1 0 1k\nq1 1 1 0 qm\n.model qm npn(area=2)\n",
    "bjt_tnom": ("t\nv1 1 0 0.7\nr1 1 2 1k\nq1 2 1 0 qm\nv2 2 0 2\n"
                 ".model qm npn(is=1e-15 bf=80 tnom=45)\n"),
    "diode_tref": "t\nv1 1 0 dc=0.7\nd1 1 0 dm\n.model dm d(is=1e-14 tref=50)\n",
    "diode_js_and_unknown": "t\nv1 1 0 dc=0.6\nd1 1 0 dm\n.model dm d(js=3e-14 iave=1)\n",
    "r_instance_temp": "t\nv1 1 0 dc=1\nr1 1 0 1k temp=100 dtemp=5 tc1=0.01\n",
    "r_tc_is_tc1": "t\nv1 1 0 dc=1\nr9 1 0 1k\nr1 1 0 1k tc=0.01\n.temp 50\n",
    # ngspice 39's breakdown knee current is IBV*M, not IBV*AREA*M
    "diode_breakdown_area": ("t\nv1 1 0 -5.12\nr1 1 2 1k\nd1 2 0 dz area=3 m=2\n"
                             ".model dz d(is=1e-14 bv=5.1 ibv=1m)\n"),
    "c_model_cap": ("t\nv1 1 0 dc=0 pulse(0 1 0 1n 1n 1u 2u)\nr1 1 2 1k\nc1 2 0 cm\n"
                    ".model cm c(cap=1n)\n"),
}


def _ngspice(tmp_path, text: str) -> str:
    """ngspice -b on a deck: its standard output (the test skips without ngspice)."""
    ng = require_tool("ngspice")
    deck = tmp_path / "ng.cir"
    deck.write_text(text)
    return subprocess.run([ng, "-b", str(deck)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path).stdout


def _ngspice_op(tmp_path, text: str) -> dict:
    out = _ngspice(tmp_path, text + ".op\n.end\n")
    got = {}
    for name, value in re.findall(r"^\s+(\S+#branch)\s+(\S+)\s*$", out, re.M):
        got["i(" + name.split("#")[0].lower() + ")"] = float(value)
    return got


@pytest.mark.parametrize("case", [c for c in CASES if c != "c_model_cap"])
def test_op_matches_ngspice(tmp_path, case):
    ref = _ngspice_op(tmp_path, CASES[case])
    assert ref, "ngspice printed no branch currents"
    ours, _ = _op(CASES[case] + ".op\n.end\n", tmp_path)
    for name, value in ref.items():
        assert ours[name] == pytest.approx(value, rel=1e-5, abs=1e-15), name


def test_model_capacitance_in_a_transient_matches_ngspice(tmp_path):
    text = CASES["c_model_cap"] + ".tran 10n 2u\n.meas tran v2 find v(2) at=1u\n.end\n"
    out = _ngspice(tmp_path, text)
    ref = float(re.search(r"^v2\s*=\s*(\S+)", out, re.M).group(1))
    deck = tmp_path / "c.cir"
    deck.write_text(text)
    ours = subprocess.run([sys.executable, "-m", "edapipe.cli.main", "spice", str(deck)],
                          capture_output=True, text=True, timeout=300).stdout
    got = float(re.search(r"^v2\s*=\s*(\S+)", ours, re.M).group(1))
    assert got == pytest.approx(ref, rel=1e-4)


_PROBE_LINES = {"d": "d1 1 0 mm", "npn": "q1 1 1 0 mm", "nmos level=1": "m1 1 1 0 0 mm",
                "nmos level=2": "m1 1 1 0 0 mm", "r": "r2 1 0 mm", "c": "c2 1 0 mm",
                "l": "l2 1 0 mm"}
_RULES = {"d": mc.DIODE, "npn": mc.BJT, "nmos level=1": mc.MOS1, "nmos level=2": mc.MOS2,
          "r": mc.RESISTOR, "c": mc.CAPACITOR, "l": mc.INDUCTOR}


@pytest.mark.slow
@pytest.mark.parametrize("family", list(_RULES))
def test_every_name_in_the_tables_is_one_ngspice_knows(tmp_path, family):
    """The tables were read off ngspice's sources: each name must be one ngspice 39 takes
    on a card of that type, and a made-up one must not be."""
    ng = require_tool("ngspice")
    rules = _RULES[family]
    kind, extra = family.split()[0], " ".join(family.split()[1:])
    names = (set(rules.used) | set(rules.aliases) | set(rules.defaults)
             | set(rules.switched_by) | set(rules.limits) | set(rules.instance))
    names -= {"level", "nmos", "pmos", "npn", "pnp"}
    unknown = []
    for name in sorted(names) + ["zzfoo"]:
        deck = tmp_path / "p.cir"
        deck.write_text(f"t\nv1 1 0 1\nr1 1 0 1k\n{_PROBE_LINES[family]}\n"
                        f".model mm {kind}({extra} {name}=1)\n.op\n.end\n")
        out = subprocess.run([ng, "-b", str(deck)], capture_output=True, text=True,
                             timeout=60, cwd=tmp_path)
        if f"unrecognized parameter ({name})" in out.stdout + out.stderr:
            unknown.append(name)
    assert unknown == ["zzfoo"]


def test_level1_sidewall_capacitance_runs_in_dc_only(tmp_path):
    """ngspice's level 1 has CJSW/MJSW on PD/PS; our level-1 kernel has no sidewall
    junction: DC analyses run (it changes nothing there), AC is refused at the card."""
    deck = ("t\nvd 1 0 2 ac 1\nrd 1 3 1k\nvg 2 0 0\n"
            "m1 3 2 0 0 nm w=10u l=1u ad=10p as=10p pd=40u ps=40u\n"
            ".model nm nmos level=1 vto=0.7 kp=50u cj=1e-4 cjsw=1e-9 mjsw=0.3\n.{a}\n.end\n")
    _op(deck.format(a="op"), tmp_path)
    with pytest.raises(EdapipeError, match=r"d\.cir:6.*'cjsw' is not supported in \.ac"):
        _op(deck.format(a="ac lin 1 100meg 100meg"), tmp_path)


@pytest.mark.parametrize("temp", [-20, 50, 100])
@pytest.mark.parametrize("card", ["vto=0.7 kp=50u lambda=0.02 phi=0.65 gamma=0.4",
                                  "tox=20n nsub=1e16 uo=500 lambda=0.01 is=1e-12",
                                  "vto=0.7 kp=50u tnom=50"])
def test_level1_mos_moves_with_temperature_as_ngspice(tmp_path, temp, card):
    """mos1temp.c: KP, PHI, VBI and the bulk junctions follow the circuit temperature
    from the model's TNOM (our level 1 stayed at TNOM before)."""
    text = (f"t\n.temp {temp}\nvd 1 0 2\nvg 2 0 1.5\nvb 3 0 -1\nm1 1 2 0 3 nm w=10u l=1u\n"
            f".model nm nmos level=1 {card}\n")
    ref = _ngspice_op(tmp_path, text)
    ours, _ = _op(text + ".op\n.end\n", tmp_path)
    for name in ("i(vd)", "i(vb)"):
        assert ours[name] == pytest.approx(ref[name], rel=1e-5), name   # 6 printed digits


def _ngspice_ac(tmp_path, text: str) -> complex:
    out = _ngspice(tmp_path, text + ".ac lin 1 1g 1g\n.print ac vr(2) vi(2)\n.end\n")
    row = re.search(r"^0\s+\S+\s+(\S+)\s+(\S+)", out, re.M)
    return complex(float(row.group(1)), float(row.group(2)))


@pytest.mark.parametrize("temp", [-30, 27, 100])
@pytest.mark.parametrize("circuit", [
    "v1 1 0 -3 ac 1\nr1 1 2 1k\nd1 0 2 dm\n.model dm d(is=1e-14 cjo=2p vj=0.7 m=0.4)\n",
    ("v1 1 0 0.5 ac 1\nr1 1 2 1k\nq1 3 2 0 qm\nv2 3 0 2\n"
     ".model qm npn(is=1e-15 bf=80 cje=1p cjc=1p vje=0.8 mje=0.4 cjs=2p)\n"),
])
def test_junction_capacitances_follow_the_temperature(tmp_path, temp, circuit):
    """diotemp.c/bjttemp.c move VJ and CJ from TNOM (a diode's and a BJT's depletion
    capacitances stayed at their TNOM values before): AC at 1 GHz against ngspice."""
    text = f"t\n.temp {temp}\n{circuit}"
    ref = _ngspice_ac(tmp_path, text)
    deck = tmp_path / "d.cir"
    full = text + ".ac lin 1 1g 1g\n.end\n"
    deck.write_text(full)
    circ = flatten(parse_deck(full, str(deck)))
    res = run_analysis(Simulator(circ), next(map(parse_analysis, circ.analyses)))
    ours = res.data[0, res.names.index("v(2)")]
    assert abs(ours - ref) <= 1e-4 * abs(ref)
