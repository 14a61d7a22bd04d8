"""BSIM4.8 (M elements with LEVEL=14 or 54): devices/bsim4.py and bsim4_kernels.py.

1. The model card: what is not implemented (RGATEMOD 2/3, RBODYMOD 2, TRNQSMOD, ACNQSMOD,
   RDSMOD 1, MTRLMOD, TEMPMOD 1-3, MOBMOD 3+, other versions) is a located error naming
   the parameter; binning picks the card ngspice picks; parameters that change nothing
   are located warnings.
2. The kernel: its conductances and capacitances (complex-step derivatives) against central
   finite differences of its own currents and charges, in every capacitance model.
3. ngspice's BSIM4 QA references (tests/bsim4: dcSweep_*, acFreq*) with the whole QA card.
4. Live ngspice (skipped without it): DC sweeps of the QA card over V(d), V(g), body bias,
   temperature, mobility and diode models, NF fingers, stress and well proximity;
   ngspice's example deck nmos_pmos_BSIM482.sp; AC admittances in every capMod/XPART; the
   layout formulas; an inverter transient; a five-stage ring oscillator (period and
   amplitude within 1 %); L/W/P binning coefficients.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.devices import bsim4_kernels as K
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
from tests.analog.test_live_ngspice import ngspice_run
from tests.conftest import BENCHMARKS, need

BSIM = BENCHMARKS / "spice" / "bsim"
QA = BSIM / "tests" / "bsim4"
CARDS = BSIM / "examples" / "mos"
# the QA card's modes that are not implemented here, off (the rest of the card as is:
# gate tunnelling IGCMOD/IGBMOD 1, the gate resistance RGATEMOD 1 and GEOMOD 1 stay on)
MODES_OFF: dict[str, str] = {}


def qa_card(kind: str = "nmos", name: str = "nch", extra: str = "") -> str:
    """The QA parameter file (`+ name = (value)` lines) as a .model card."""
    text = need(QA / kind / "parameters" / f"{kind}Parameters").read_text()
    pairs = re.findall(r"(\w+)\s*=\s*\(([^)]*)\)", text)
    body = "\n".join(f"+ {k}={MODES_OFF.get(k, v)}" for k, v in pairs)
    return f".model {name} {kind} level=14 version=4.8.1\n{body}\n+ {extra}\n"


def simulate(deck: str, kind: str):
    circ = flatten(parse_deck(deck, "bsim4.cir"))
    spec = next(parse_analysis(c) for c in circ.analyses if parse_analysis(c).kind == kind)
    res = run_analysis(Simulator(circ), spec)
    return dict(zip(res.names, np.asarray(res.data).T))


def error_of(deck: str, kind: str = "op") -> str:
    with pytest.raises(InputError) as exc:
        simulate(deck, kind)
    return str(exc.value)


SIMPLE = """bsim4
m1 d g 0 0 n1 w=1u l=0.1u {inst}
vd d 0 1
vg g 0 1.2
.model n1 nmos level=54 toxe=2n vth0=0.35 {card}
.op
.end
"""


# --- 1. the model card --------------------------------------------------------------

@pytest.mark.parametrize("card, inst, words", [
    ("bogus=1", "", ["'bogus'", "not supported"]),
    ("version=4.5.0", "", ["version 4.5.0", "not implemented"]),
    ("rgatemod=2", "", ["RGATEMOD", "bias-dependent gate resistance", "not implemented"]),
    ("rbodymod=2", "", ["RBODYMOD", "substrate resistance"]),
    ("igcmod=3", "", ["IGCMOD", "tunnelling"]),
    ("igbmod=2", "", ["IGBMOD"]),
    ("trnqsmod=1", "", ["TRNQSMOD"]),
    ("acnqsmod=1", "", ["ACNQSMOD"]),
    ("rdsmod=1", "", ["RDSMOD"]),
    ("mtrlmod=1", "", ["MTRLMOD"]),
    ("tempmod=2", "", ["TEMPMOD"]),
    ("mobmod=3", "", ["MOBMOD"]),
    ("capmod=3", "", ["CAPMOD"]),
    ("geomod=11", "", ["GEOMOD"]),
    ("", "rgatemod=3", ["RGATEMOD"]),
    ("", "nf=1.5", ["NF"]),
    ("", "bogus=2", ["'bogus'"]),
    ("lint=0.06u", "", ["effective channel length"]),
    ("ndep=-1e17", "", ["NDEP"]),
    ("toxe=-1n", "", ["TOXE"]),
    ("pclm=0", "", ["PCLM"]),
])
def test_refused_cards_are_located_errors(card, inst, words):
    msg = error_of(SIMPLE.format(card=card, inst=inst))
    assert "bsim4.cir:2" in msg and "m1" in msg, msg
    for w in words:
        assert w in msg, msg


def test_levels_and_version_spellings_ngspice_accepts():
    ref = simulate(SIMPLE.format(card="version=4.8.2", inst=""), "op")["i(vd)"][0]
    for v in ("4.8", "4.8.0", "4.81", "'4.8.1'"):
        assert simulate(SIMPLE.format(card=f"version={v}", inst=""), "op")["i(vd)"][0] == ref
    assert simulate(SIMPLE.format(card="", inst=""), "op")["i(vd)"][0] == ref
    deck14 = SIMPLE.format(card="", inst="").replace("level=54", "level=14")
    assert simulate(deck14, "op")["i(vd)"][0] == ref
    assert ref < -1e-5       # an NMOS drain current flows into the drain


def test_geomod_is_accepted_when_the_junctions_are_given():
    inst = "ad=1p as=1p pd=3u ps=3u"
    ref = simulate(SIMPLE.format(card="", inst=inst), "op")["i(vd)"][0]
    assert simulate(SIMPLE.format(card="geomod=1", inst=inst), "op")["i(vd)"][0] == ref


def test_parameters_that_change_nothing_are_located_warnings():
    circ = flatten(parse_deck(SIMPLE.format(card="kf=1e-28 af=1.2 vgs_max=4 rshg=0.2 rbpb=9",
                                            inst=""), "bsim4.cir"))
    (warn,) = circ.warnings
    assert warn.startswith("bsim4.cir:5: model n1: BSIM4:")
    assert "AF, KF are not used" in warn and "VGS_MAX are not checked" in warn
    assert "RBPB, RSHG change nothing" in warn
    rgate = SIMPLE.format(card="rgatemod=1 rshg=0.2", inst="")
    assert not flatten(parse_deck(rgate, "bsim4.cir")).warnings
    assert not flatten(parse_deck(SIMPLE.format(card="", inst=""), "bsim4.cir")).warnings


def test_noise_is_refused():
    deck = SIMPLE.format(card="", inst="").replace(
        ".op", "vin g2 0 0 ac 1\nr1 g2 g 1k\n.noise v(d) vin dec 1 1k 10k")
    deck = deck.replace("vg g 0 1.2", "vg gx 0 1.2\nrg gx g 1k")
    assert "BSIM4 noise" in error_of(deck, "noise")


BINS = """binning
m1 d g 0 0 nch l={l} w=1u
vd d 0 1
vg g 0 1.5
.model nch.1 nmos level=54 lmin=0.05u lmax=1u wmin=0.1u wmax=10u vth0=0.3
.model nch.2 nmos level=54 lmin=1u lmax=2u wmin=0.1u wmax=10u vth0=0.6
.op
.end
"""


def test_binning_selects_the_first_card_whose_limits_hold_l_and_w():
    def current(deck):
        return simulate(deck, "op")["i(vd)"][0]
    lone = """x\nm1 d g 0 0 n l={l} w=1u\nvd d 0 1\nvg g 0 1.5
.model n nmos level=54 vth0={v}\n.op\n.end\n"""
    assert current(BINS.format(l="0.5u")) == current(lone.format(l="0.5u", v=0.3))
    assert current(BINS.format(l="2u")) == current(lone.format(l="2u", v=0.6))
    assert current(BINS.format(l="1u")) == current(lone.format(l="1u", v=0.3))
    msg = error_of(BINS.format(l="2.5u"))
    assert "bsim4.cir:2" in msg and "no bin of model 'nch' (nch.1, nch.2)" in msg


# --- 2. the kernel's derivatives ----------------------------------------------------

def _group(card: str, inst: str = "w=2u l=0.1u ad=2p as=2p pd=6u ps=6u"):
    deck = f"k\nm1 d g s b n1 {inst}\nvd d 0 0\nvg g 0 0\nvs s 0 0\nvb b 0 0\n{card}.op\n.end\n"
    sim = Simulator(flatten(parse_deck(deck, "k.cir")))
    return next(g for g in sim.sys.groups if g.kind == "b4")


def _eval(par, v):
    buf = np.zeros(12, dtype=complex)
    K._terminal(par, 0, *(complex(x) for x in v), 1e-12, buf)
    return buf.real


@pytest.mark.parametrize("capmod", [0, 1, 2])
@pytest.mark.parametrize("kind", ["nmos", "pmos"])
def test_complex_step_derivatives_match_finite_differences(capmod, kind):
    """The Newton and AC matrices hold the exact derivatives of the currents and charges
    the kernel computes (GIDL, gate tunnelling, diodes with breakdown and trap-assisted
    tunnelling on), with respect to vds, vgs, vbs and the body-network junction ends."""
    extra = (f"capmod={capmod} xpart={[0, 0.5, 1][capmod]} diomod={capmod} "
             f"jtss=1e-6 jtssws=1e-11 gidlmod={capmod % 2} lambda=0.1 vtl=2e5 minv=0.2 "
             f"igcmod={capmod} igbmod=1")
    grp = _group(qa_card(kind, "n1", extra))
    par = grp.par
    biases = [(1.2, 1.0, -0.3), (0.05, 1.1, -0.01), (-0.4, 0.9, -0.2), (0.8, 0.3, 0.1),
              (1.1, 1.2, -1.0), (-1.2, 0.2, -0.5), (1.2, -0.6, -0.2)]
    h = 1e-6
    buf = np.zeros(12, dtype=complex)
    for vds, vgs, vbs in biases:
        v = (vds, vgs, vbs, vbs - 0.05, vbs + 0.03)
        base = np.abs(_eval(par, v))
        for b in range(5):
            step = [0j] * 5
            step[b] = 1e-30j
            K._terminal(par, 0, *(x + dx for x, dx in zip(v, step)), 1e-12, buf)
            exact = buf.imag / 1e-30
            up = list(v)
            dn = list(v)
            up[b] += h
            dn[b] -= h
            fd = (_eval(par, up) - _eval(par, dn)) / (2 * h)
            for a in range(12):
                part = slice(0, 6) if a < 6 else slice(6, 12)
                scale = np.max(np.abs(exact[part])) + 1e-30
                # the difference quotient's own rounding: a few ulps of the values over h
                rounding = 4e-16 * np.max(base[part]) / h
                assert abs(exact[a] - fd[a]) <= 1e-5 * scale + rounding, (v, b, a, exact, fd)


# --- 3. the CMC QA references -------------------------------------------------------

WPE = ("wpemod=1 kvth0we=4.11e-03 lkvth0we=-2.1e-10 wkvth0we=-1.66e-10 pkvth0we=1.2e-17 "
       "k2we=1.77e-03 lk2we=1.89e-11 wk2we=-1.5e-10")


@pytest.mark.parametrize("kind", ["nmos", "pmos"])
@pytest.mark.parametrize("test, inst, vb, extra", [
    ("dcSweep_lw1", "w=10u l=0.06u", 0.0, ""), ("dcSweep_lw1_vb2", "w=10u l=0.06u", -0.2, ""),
    ("dcSweep_lw5", "w=1u l=0.1u", 0.0, ""), ("dcSweep_lw9", "w=0.6u l=0.24u", 0.0, ""),
    ("dcSweep_sa", "w=10u l=0.06u sa=0.3u", 0.0, ""),
    ("dcSweep_sb", "w=10u l=0.06u sb=0.4u", 0.0, ""),
    ("dcSweep_sca", "w=10u l=0.06u sca=5", 0.0, WPE),
    ("dcSweep_scc", "w=10u l=0.06u scc=1e-4", 0.0, WPE),
    ("dcSweep_nrd", "w=10u l=0.06u nrd=2", 0.0, ""),
    ("dcSweep_nrs", "w=10u l=0.06u nrs=2", 0.0, "")])
def test_qa_dc_sweeps(kind, test, inst, vb, extra):
    """ngspice's BSIM4 QA references (tests/bsim4/*/reference, the whole QA card: IGCMOD and
    IGBMOD 1, RGATEMOD 1, RBODYMOD 1, GEOMOD 1, DIOMOD 1): I(d) over V(d) for 12 V(g) at
    27, -50 and 150 C within 1e-6 relative or 1 nA (seen: 5e-7; with NRD/NRS, whose
    internal node converges at the references' RELTOL, 1e-3)."""
    s = 1.0 if kind == "nmos" else -1.0
    rows = np.loadtxt(need(QA / kind / "reference" / f"{test}.standard"), skiprows=1)
    ref = rows.reshape(-1, 12, 2)
    tol = 1e-3 if "nr" in test else 1e-6
    k = 0
    for temp in (27, -50, 150):
        deck = (f"qa\n{qa_card(kind, extra=extra)}m1 d g 0 b nch {inst}\nvd d 0 0\n"
                f"vg g 0 0\nvb b 0 {vb}\n.temp {temp}\n"
                f".dc vd {s * 0.1} {s * 1.2} {s * 0.1} vg {s * 0.1} {s * 1.2} {s * 0.1}\n"
                f".end\n")
        got = -simulate(deck, "dc")["i(vd)"].reshape(-1, 12)
        for blk in got:
            r = ref[k]
            assert np.allclose(r[:, 0], s * np.arange(1, 13) * 0.1, atol=1e-9)
            err = np.abs(blk - r[:, 1])
            assert np.all(err <= np.maximum(tol * np.abs(r[:, 1]), 1e-9)), (temp, k, err)
            k += 1


def _gate_capacitances(card: str, kind: str, f: float):
    """C(g,g), C(g,s), C(g,d) at V(d) = V(g) = +-1.2 V from the gate current's imaginary
    part, one driven terminal at a time."""
    s = 1.0 if kind == "nmos" else -1.0
    w = 2 * np.pi * f
    out = []
    for on, sign in (("g", 1.0), ("s", -1.0), ("d", -1.0)):
        ac = {t: (" ac 1" if t == on else "") for t in "dgsb"}
        deck = (f"qa\n{card}m1 d g s b nch w=10u l=0.06u\nvd d 0 {s * 1.2}{ac['d']}\n"
                f"vg g 0 {s * 1.2}{ac['g']}\nvs s 0 0{ac['s']}\nvb b 0 0{ac['b']}\n"
                f".ac lin 1 {f} {f}\n.end\n")
        got = simulate(deck, "ac")
        out.append(sign * (-got["i(vg)"][0]).imag / w)
    return np.array(out)


@pytest.mark.parametrize("kind", ["nmos", "pmos"])
@pytest.mark.parametrize("test, extra", [("acFreq", ""), ("acFreq_mobmod", "mobmod=1"),
                                         ("acFreq_capmod", "capmod=1"),
                                         ("acFreq_xpart", "xpart=1"),
                                         ("acFreq_geomod", "geomod=0"),
                                         ("acFreq_wpemod", WPE),
                                         ("acFreq_igcmod", "igcmod=0"),
                                         ("acFreq_diomod", "diomod=2")])
def test_qa_gate_capacitances(kind, test, extra):
    """The QA references' C(g,g), C(g,s), C(g,d) at V(d) = V(g) = 1.2 V (their first
    frequency) within 5e-5 (seen: 1.2e-5 with the gate tunnelling on, 2e-7 without)."""
    rows = np.loadtxt(need(QA / kind / "reference" / f"{test}.standard"), skiprows=1)
    got = _gate_capacitances(qa_card(kind, extra=extra), kind, rows[0, 0])
    assert np.allclose(got, rows[0, 1:], rtol=5e-5, atol=0), (got, rows[0, 1:])


# --- 4. live ngspice ----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["nmos", "pmos"])
@pytest.mark.parametrize("extra, inst, temp, vb", [
    ("", "w=10u l=0.06u", 27, 0.0),
    ("", "w=1u l=1u ad=1p as=1p pd=3u ps=3u", -50, -0.3),
    ("mobmod=1 gidlmod=1", "w=3u l=0.1u", 150, 0.2),
    ("mobmod=2 jtss=1e-4 jtssws=1e-10", "w=3u l=0.1u nf=2", 27, -0.2),
    ("diomod=2 capmod=1 ku0=1e-7 kvsat=0.5 kvth0=1e-8 stk2=1e-8 steta0=1e-8",
     "w=2u l=0.2u sa=1u sb=2u", 80, 0.5),
    ("wpemod=1 kvth0we=1e-3 k2we=1e-3 ku0we=0.01 web=1 wec=1", "w=2u l=0.2u sc=1u", 27, 0),
    ("wpemod=1 kvth0we=1e-3 k2we=1e-3", "w=2u l=0.2u sca=10 scb=0.1 scc=0.01", 27, 0),
    ("lambda=0.2 vtl=2e5 minv=0.3 rsh=20", "w=2u l=0.07u nrd=2 nrs=1 delvto=0.02", 27, -0.1),
])
def test_dc_sweeps_against_tightly_converged_ngspice(tmp_path, kind, extra, inst, temp, vb):
    """Drain, bulk and gate currents over V(d) and V(g): within 1e-4 relative (or 1 pA;
    seen: 2e-6) of ngspice run with RELTOL=1e-7 (ours runs at the default RELTOL and
    carries its own Newton error, as BSIM3's test allows)."""
    s = 1.0 if kind == "nmos" else -1.0
    card = qa_card(kind, extra=extra)
    deck = (f"live\n{card}m1 d g 0 b nch {inst}\n"
            f"vd d 0 0\nvg g 0 0\nvb b 0 {s * vb}\n.temp {temp}\n"
            f".options reltol=1e-7 abstol=1e-15\n"
            f".dc vd {-s * 0.5} {s * 1.2} {s * 0.1} vg {s * 0.1} {s * 1.2} {s * 0.2}\n.end\n")
    ref = ngspice_run(tmp_path, deck)
    got = simulate(deck.replace(".options reltol=1e-7 abstol=1e-15\n", ""), "dc")
    for name in ("i(vd)", "i(vb)", "i(vg)"):
        err = np.abs(got[name] - ref[name])
        assert np.all(err <= np.maximum(1e-4 * np.abs(ref[name]), 1e-12)), name


@pytest.mark.parametrize("sweep", ["dc vgsn 0 1.5 0.05 vbsn 0 -2.5 -0.5",
                                   "dc vdsn 0 2 0.05 vgsn 0 2 0.4",
                                   "dc vgsp 0 -1.5 -0.05 temp -40 160 40"])
def test_ngspice_example_deck_sweeps(tmp_path, sweep):
    """ngspice's examples/mos/nmos_pmos_BSIM482.sp (default BSIM4 cards; its .control
    sweeps as .dc cards), both at RELTOL=1e-7: the source currents within 1e-6."""
    text = need(CARDS / "nmos_pmos_BSIM482.sp").read_text()
    deck = (text[:text.index(".control")] + ".options reltol=1e-7 abstol=1e-15\n."
            + sweep + "\n.end\n")
    ref = ngspice_run(tmp_path, deck)
    got = simulate(deck, "dc")
    for name in ("i(vssn)", "i(vssp)"):
        err = np.abs(got[name] - ref[name])
        assert np.all(err <= np.maximum(1e-6 * np.abs(ref[name]), 1e-12)), name


@pytest.mark.parametrize("kind", ["nmos", "pmos"])
@pytest.mark.parametrize("capmod, xpart", [(0, 0), (1, 0.5), (2, 1), (2, 0), (2, 0.5)])
def test_ac_admittances_against_ngspice(tmp_path, kind, capmod, xpart):
    """Drain, gate and bulk small-signal currents (gate or drain driven) from 1 MHz to
    1 GHz at biases across accumulation, subthreshold, linear, saturation and reverse
    mode: within 1e-5 of the largest."""
    s = 1.0 if kind == "nmos" else -1.0
    card = qa_card(kind, extra=f"capmod={capmod} xpart={xpart}")
    for vd, vg, vb in ((0.05, 1.2, 0.0), (1.0, 0.5, -0.4), (-0.3, 1.2, 0.0),
                       (1.0, 0.0, -0.4), (1.0, 1.2, 0.0)):
        for on in "gd":
            acs = {t: (" ac 1" if t == on else "") for t in "dgb"}
            deck = (f"ac\n{card}m1 d g 0 b nch w=2u l=0.1u ad=2p as=2p pd=6u ps=6u\n"
                    f"vd d 0 {s * vd}{acs['d']}\nvg g 0 {s * vg}{acs['g']}\n"
                    f"vb b 0 {s * vb}{acs['b']}\n.options reltol=1e-7 abstol=1e-15\n"
                    f".ac dec 1 1e6 1e9\n.end\n")
            ref = ngspice_run(tmp_path, deck, complex_values=True)
            got = simulate(deck.replace(".options reltol=1e-7 abstol=1e-15\n", ""), "ac")
            for name in ("i(vd)", "i(vg)", "i(vb)"):
                r, g = np.asarray(ref[name]), np.asarray(got[name])
                assert np.max(np.abs(g - r)) <= 1e-5 * np.max(np.abs(r)), (vd, vg, vb, name)


def _cards():
    return qa_card("nmos", "n1") + qa_card("pmos", "p1")


INVERTER = """bsim4 inverter
{cards}vdd vdd 0 1.2
vin in 0 pulse(0 1.2 0.1n 50p 50p 0.5n 1.2n)
mp out in vdd vdd p1 w=2u l=0.1u ad=1p as=1p pd=3u ps=3u
mn out in 0 0 n1 w=1u l=0.1u ad=0.5p as=0.5p pd=2u ps=2u
cl out 0 5f
.tran 5p 3n
.end
"""


def test_inverter_transient_against_ngspice(tmp_path):
    """The output over two input pulses: within 0.1 % of the 1.2 V swing at ngspice's
    time points (interpolated)."""
    deck = INVERTER.format(cards=_cards())
    ref = ngspice_run(tmp_path, deck)
    circ = flatten(parse_deck(deck, str(tmp_path / "inv.cir")))
    res = run_analysis(Simulator(circ), next(parse_analysis(c) for c in circ.analyses))
    got = dict(zip(res.names, res.data.T))
    ours = np.interp(ref["time"], res.scale, got["v(out)"])
    assert np.max(np.abs(ours - ref["v(out)"])) <= 0.001 * 1.2


def _ring(stages: int, tran: str) -> str:
    lines = [f"bsim4 ring oscillator\n{_cards()}vdd vdd 0 1.2"]
    for k in range(1, stages + 1):
        a, y = k, k % stages + 1
        lines.append(f"mp{k} {y} {a} vdd vdd p1 l=0.1u w=2u ad=1p pd=3u as=1p ps=3u")
        lines.append(f"mn{k} {y} {a} 0 0 n1 l=0.1u w=1u ad=0.5p pd=2u as=0.5p ps=2u")
    ics = " ".join(f"v({k})={0 if k % 2 else 1.2}" for k in range(1, stages + 1))
    return "\n".join(lines) + f"\n.ic {ics}\n.tran {tran} uic\n.end\n"


def _period_amplitude(t, v, level=0.6):
    up = np.where((v[:-1] < level) & (v[1:] >= level))[0]
    tc = t[up] + (level - v[up]) * (t[up + 1] - t[up]) / (v[up + 1] - v[up])
    tc = tc[tc > 0.3 * t[-1]]
    late = t > 0.3 * t[-1]
    return np.mean(np.diff(tc)), np.ptp(v[late]), len(tc)


@pytest.mark.parametrize("tran", ["1p 1n", "10p 2n"])
def test_ring_oscillator_period_and_amplitude_against_ngspice(tmp_path, tran):
    """Five BSIM4 inverters in a ring, from .ic with UIC: period and amplitude within 1 %
    of ngspice's (with the coarse TSTEP the truncation error of the BSIM4 charges sets
    the steps, as in ngspice)."""
    deck = _ring(5, tran)
    ref = ngspice_run(tmp_path, deck)
    circ = flatten(parse_deck(deck, str(tmp_path / "ro.cir")))
    res = run_analysis(Simulator(circ), next(parse_analysis(c) for c in circ.analyses))
    got = dict(zip(res.names, res.data.T))
    p_ref, a_ref, n_ref = _period_amplitude(ref["time"], ref["v(1)"])
    p, a, n = _period_amplitude(res.scale, got["v(1)"])
    assert n >= 3 and n_ref >= 3
    assert abs(p - p_ref) <= 0.01 * p_ref and abs(a - a_ref) <= 0.01 * a_ref


def test_binning_coefficients_against_ngspice(tmp_path):
    """Bins with L, W and P coefficients (BINUNIT 1): three lengths, two bins."""
    deck = """bins
m1 d g 0 0 nch l=0.1u w=1u
m2 d g 0 0 nch l=0.5u w=2u
m3 d g 0 0 nch l=1.5u w=1u
vd d 0 1
vg g 0 1.1
.model nch.1 nmos level=54 lmin=0.05u lmax=1u wmin=0.1u wmax=10u vth0=0.3 lvth0=0.01
+ wu0=0.001 pk2=1e-3 lua=1e-10 toxe=2n
.model nch.2 nmos level=54 lmin=1u lmax=2u wmin=0.1u wmax=10u vth0=0.4 lvth0=-0.02
+ wvsat=1e3 toxe=2n
.op
.end
"""
    ref = ngspice_run(tmp_path, deck)
    got = simulate(deck, "op")
    assert abs(got["i(vd)"][0] - ref["i(vd)"][0]) <= 1e-6 * abs(ref["i(vd)"][0])


@pytest.mark.parametrize("geomod, nf, extra", [(0, 3, ""), (1, 2, "min=1"), (4, 3, ""),
                                               (6, 2, ""), (9, 4, ""), (10, 2, "")])
def test_layout_geometry_against_ngspice(tmp_path, geomod, nf, extra):
    """Junction areas and perimeters from the layout formulas (GEOMOD, NF, MIN, DMCG,
    DMCI, DMDG): the drain and bulk admittances at 1 GHz with the junctions reverse
    biased, and the drain current, within 1e-5 of ngspice's."""
    card = qa_card("nmos", extra=f"geomod={geomod} dmcg=0.2u dmci=0.15u dmdg=0.1u "
                                 f"dmcgt=0.02u jsws=1e-10 cjsws=3e-10")
    deck = (f"geo\n{card}m1 d g 0 b nch w=4u l=0.1u nf={nf} {extra}\n"
            f"vd d 0 1.0 ac 1\nvg g 0 0.8\nvb b 0 -0.3\n"
            f".options reltol=1e-7 abstol=1e-15\n.ac lin 1 1e9 1e9\n.end\n")
    ref = ngspice_run(tmp_path, deck, complex_values=True)
    got = simulate(deck.replace(".options reltol=1e-7 abstol=1e-15\n", ""), "ac")
    for name in ("i(vd)", "i(vb)"):
        r, g = np.asarray(ref[name]), np.asarray(got[name])
        assert np.max(np.abs(g - r)) <= 1e-5 * np.max(np.abs(r)), name


def test_other_mos_levels_stay_located_errors():
    deck = SIMPLE.format(card="", inst="").replace("level=54 toxe=2n vth0=0.35", "level=9")
    msg = error_of(deck)
    assert "bsim4.cir:2" in msg and "MOS level 9 is not supported" in msg
    assert "14, 49 and 54" in msg
