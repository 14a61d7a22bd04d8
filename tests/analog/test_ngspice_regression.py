"""Decks adapted from ngspice's own regression tests (tests/regression/, BSD licence): their
`.control` checks are replaced by the gold values they compare against, so these tests need
no ngspice. Each failed before the change that made it pass (silently wrong or refused)."""

from __future__ import annotations

import pytest

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck


def _run(text: str, tmp_path, kind: str = "op") -> dict:
    deck = tmp_path / "d.cir"
    deck.write_text(text)
    circ = flatten(parse_deck(text, str(deck)))
    spec = next(s for s in map(parse_analysis, circ.analyses) if s.kind == kind)
    res = run_analysis(Simulator(circ), spec)
    return {n: res.data[0, k] for k, n in enumerate(res.names)}


# tests/regression/func/func-1.cir: .func bodies that read v() and i() inside B sources
# (their names there are nodes and sources, not the parameters), ternaries such as
# `x<p?p:n` whose ':' touches a name
FUNC_1 = """* func-1
vncol1  n 0  101.0
vncol2  p 0  102.0
vncol3  x 0  103.0
vp  1 0  105.0
rp  1 0  1.0
.func foo0()  '1013.0'
v1001_t  n1001_t 0  '100*foo0()'
.func bar1(p) 'p'
v1002_t  n1002_t 0  'bar1(117.0)'
v1003_t  n1003_t 0  '2*bar1(117.0+2.0)'
.func bar2(p) 'v(p)+p'
b1004_t  n1004_t 0  v = 'bar2(17.0)'
.func bar3(p) 'p+v(p)'
b1005_t  n1005_t 0  v = 'bar3(17.0)'
.func bar4(p) 'p+v(p)+p'
b1006_t  n1006_t 0  v = 'bar4(17.0)'
.func baz1(n,vp) 'n+i(vp)+vp'
b1007_t  n1007_t 0  v = 'baz1(17.0,10000)'
.func baz2(p,n)  'v(p)+p+v(n)'
b1008_t  n1008_t 0  v = 'baz2(1000.0,1e20)'
.func baz3(x)  'x+x'
v1009_t  n1009_t 0  '17*baz3(100.0)'
.func moo1(x,p,n) 'x<p?p:n'
v1010_t  n1010_t 0  '10*moo1(2,3,5)'
v1011_t  n1011_t 0  '10*moo1(4,3,5)'
.func moo2(x,p,n) 'x<p?p:x>n?n:x'
v1012_t  n1012_t 0  '10*moo2(4,3,5)*100'
v1013_t  n1013_t 0  '10*moo2(2,3,5)*100'
v1014_t  n1014_t 0  '10*moo2(6,3,5)*100'
.param xoo = 100
.func fun1(a, xoo) 'a*xoo'
v1015_t  n1015_t 0  'fun1(xoo,2)'
.op
.end
"""
FUNC_1_GOLD = {1001: 101300.0, 1002: 117.0, 1003: 238.0, 1004: 119.0, 1005: 119.0,
               1006: 136.0, 1007: 9912.0, 1008: 1203.0, 1009: 3400.0, 1010: 30.0, 1011: 50.0,
               1012: 4000.0, 1013: 3000.0, 1014: 5000.0, 1015: 200.0}


def test_func_1(tmp_path):
    got = _run(FUNC_1, tmp_path)
    for n, gold in FUNC_1_GOLD.items():
        assert got[f"v(n{n}_t)"].real == pytest.approx(gold, abs=1e-9), n


# tests/regression/misc/asrc-tc-1.cir: TC1 on B sources, DC and AC at .temp 127
ASRC_TC = """* test ASRC temperature coeff
v1  1 0  dc=100 ac=1
b2  2 0  i=v(1) tc1=0.001
v2  0 2  0
b3  3 0  v=v(1) tc1=0.001
.temp 127.0
.op
.ac dec 1 1kHz 1kHz
.end
"""


def test_asrc_temperature_coefficient(tmp_path):
    dc = _run(ASRC_TC, tmp_path, "op")
    assert dc["i(v2)"].real == pytest.approx(100 * (1 + 100 * 0.001), rel=1e-9)
    assert dc["v(3)"].real == pytest.approx(100 * (1 + 100 * 0.001), rel=1e-9)
    ac = _run(ASRC_TC, tmp_path, "ac")
    assert abs(ac["i(v2)"]) == pytest.approx(1.1, rel=1e-9)
    assert abs(ac["v(3)"]) == pytest.approx(1.1, rel=1e-9)


# tests/regression/model/instance-defaults.cir
def test_model_instance_defaults(tmp_path):
    got = _run("* instance defaults\nv1  1 0  dc=1\nr1  1 0  myres\n"
               ".model myres r(resistance=2k)\n.op\n.end\n", tmp_path)
    assert got["i(v1)"].real == pytest.approx(-0.5e-3, rel=1e-9)


# tests/regression/misc/bugs-1.cir: unary signs in B expressions
def test_bugs_1(tmp_path):
    text = """bugs-1
b1001_t  n1001_t 0  V=(- (5))
v1002_aux aux1002 0 DC=3
b1002_t  n1002_t 0  V=(-(v(aux1002)))
.param aux1003=-2
b1003_t  n1003_t 0  V='aux1003**2'
b1004_t  n1004_t 0  V='-aux1003**2'
b1005_t  n1005_t 0  V=(+ (5))
b1006_t  n1006_t 0  V=(+(v(aux1002)))
b1007_t  n1007_t 0  V=+-(5)
b1008_t  n1008_t 0  V=-+(5)
.op
.end
"""
    gold = {1001: -5, 1002: -3, 1003: 4, 1004: -4, 1005: 5, 1006: 3, 1007: -5, 1008: -5}
    got = _run(text, tmp_path)
    for n, value in gold.items():
        assert got[f"v(n{n}_t)"].real == pytest.approx(value, abs=1e-9), n


# tests/regression/misc/test-noise-2.cir: a carbon resistor's flicker noise with its
# geometry (KF, AF, DLR, DW, L, W) and TC1 at TNOM
def test_resistor_flicker_noise_with_geometry(tmp_path):
    text = """Paolo's carbon resistor noise (Motchenbacher p. 290)
.temp 25
i1 1 0 dc 1e-3
r1 1 2 1k rmodel l=1u w=10u
v1 2 0 dc 0 ac 1
.model rmodel r tc1=0.01 kf=100e-18 af=1.1
+ dlr=0.01u dw=0.01u
+ tnom=25
.noise v(1) v1 dec 5 1k 100k
.end
"""
    wanted = [2.2637e-3, 1.7981e-3, 1.4283e-3, 1.1345e-3, 901.2011e-6, 715.8494e-6,
              568.6194e-6, 451.6705e-6, 358.7746e-6, 284.9848e-6, 226.3715e-6]
    deck = tmp_path / "n.cir"
    deck.write_text(text)
    circ = flatten(parse_deck(text, str(deck)))
    spec = next(map(parse_analysis, circ.analyses))
    res = run_analysis(Simulator(circ), spec)
    onoise = res.data[:, res.names.index("onoise_spectrum")].real
    assert len(onoise) == len(wanted)
    for got, want in zip(onoise, wanted):
        assert got == pytest.approx(want, rel=1e-4)


# tests/regression/misc/if-elseif.cir: nested .if/.elseif, '=' read as '=='
def test_if_elseif(tmp_path):
    text = """multiple .elseif, nested .if
.param select = 3
.param select2 = 3
V1 1 0 1
.if (select == 1)
    R1 1 0 1
.elseif (select == 2)
    R1 1 0 10
.elseif (select == 3)
    .if (select2 == 1)
        R1 1 0 100
    .elseif (select2 = 2)
        R1 1 0 200
    .elseif (select2 = 3) $ <----- selected
        R1 1 0 300
    .else
        R1 1 0 400
    .endif
.elseif (select == 4)
    R1 1 0 1000
.else
    R1 1 0 10000
.endif
.op
.end
"""
    got = _run(text, tmp_path)
    assert -1.0 / got["i(v1)"].real == pytest.approx(300.0, rel=1e-9)


AM_DECK = ("am\nv1 1 0 {src}\nr1 1 0 1k\n.tran 1u 1m\n.meas tran a1 find v(1) at=0.2345m\n"
           ".meas tran a2 find v(1) at=0.7771m\n.end\n")


@pytest.mark.parametrize("src, values", [
    # ngspice 39's `.meas` of the same deck (it interpolates between its time points, and
    # our time points are its)
    ("AM(1 2 100 20k 0 0 0)", (-1.993328, -0.6433770)),
    ("AM(2 0.5 1k 10k 0.1m)", (2.063693, 0.7866972)),
    ("AM(1 1 1k 10k)", (1.649681, -0.01433355)),
    ("AM(2 0.5 1k 10k 0 200)", (2.472559, 0.9623513)),      # the 6th: ignored, as ngspice
    ("AM(2 0.5 1k 10k 0 0 60)", (-0.1582915, -0.1174194)),  # the 7th: both phases
    ("AM(0.5 2 1.8 1k 100k 1m 0 0)", (0.0, 0.0)),           # v-i-sources-am-ffm: TD=100k
    ("SFFM(0.1 2 200 45 10k 1m 30)", (1.295135, 0.1742842)),  # phases of carrier, signal
])
def test_am_source_matches_ngspice(tmp_path, src, values):
    import re
    import subprocess
    import sys

    deck = tmp_path / "am.cir"
    deck.write_text(AM_DECK.format(src=src))
    out = subprocess.run([sys.executable, "-m", "edapipe.cli.main", "spice", str(deck)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = [float(re.search(rf"^{n}\s*=\s*(\S+)", out.stdout, re.M).group(1))
           for n in ("a1", "a2")]
    for g, want in zip(got, values):
        assert g == pytest.approx(want, rel=1e-5, abs=1e-7)


def test_sine_is_sin(tmp_path):
    circ = flatten(parse_deck(AM_DECK.format(src="SINE(0 1 1k)"), str(tmp_path / "s.cir")))
    assert next(e.source for e in circ.elements if e.name == "v1").kind == "sin"


def test_options_take_parameters(tmp_path):
    """`.options abstol={x}` (SpiceSharpParser's Example10) and `.options temp={t}`: values
    from the parameters, as ngspice reads them; a TEMP it cannot read is an error, not
    27 C."""
    from edapipe.errors import EdapipeError

    got = _run("t\n.param tt=77\n.options temp={tt} abstol={1e-12*2}\nv1 1 0 1\n"
               "r1 1 0 1k tc1=0.01\n.op\n.end\n", tmp_path)
    assert got["i(v1)"].real == pytest.approx(-1.0 / 1500.0, rel=1e-9)     # ngspice 39
    with pytest.raises(EdapipeError, match="temp=abc: needs a number"):
        _run("t\n.options temp=abc\nv1 1 0 1\nr1 1 0 1k\n.op\n.end\n", tmp_path)
