"""JFET level 1 (letter J): the kernel's conductances against finite differences of its
currents (with the device's own terminal-current helper), and decks against live ngspice
(op, DC sweep, AC, transient, noise; skipped when ngspice is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.devices import jfet as J
from edapipe.analog.devices.noise import terminal_currents
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
from tests.analog.test_decks16 import test_noise_matches_ngspice as noise_matches
from tests.analog.test_live_ngspice import ngspice_run

MODELS = """.model jn njf(vto=-2 beta=1.3m lambda=0.02 rd=10 rs=5 cgs=3p cgd=1.5p is=1e-14 b=0.9)
.model jp pjf(vto=-1.5 beta=0.8m lambda=0.01 cgs=2p cgd=1p)
.model jn2 njf(vto=-1.8 beta=2m cgs=5p cgd=2p pb=0.8 fc=0.5 kf=1e-16 af=1.2)
"""

# a source follower / common-source stage, a P-channel device with area, a switch
DECK = """jfet stages
vdd vdd 0 15
vin in 0 dc 0 ac 1 sin(0 0.5 100k)
cin in g 1u
rg g 0 1meg
j1 d g s jn
rd vdd d 3.3k
rs s 0 1k
cs s 0 100u
j2 d2 g2 0 jp area=2
vg2 g2 0 dc 0.5
rd2 d2 vneg 2k
vneg vneg 0 -10
j3 d3 g3 s3 jn2 m=2
vg3 g3 0 dc -1 ac 1 pulse(-3 0.3 1u 0.1u 0.1u 3u 8u)
rd3 vdd d3 5k
rs3 s3 0 100
c3 d3 0 20p
{models}.options reltol=1e-7 vntol=1e-12 abstol=1e-18
{analysis}
.end
"""


def _ngspice(tmp_path, text, complex_values=False):
    return ngspice_run(tmp_path, text, "j.cir", complex_values)


def _ours(text):
    circ = flatten(parse_deck(text, "j.cir"))
    return run_analysis(Simulator(circ), parse_analysis(circ.analyses[0]))


def _compare(tmp_path, analysis, names, rtol, floor):
    text = DECK.format(models=MODELS, analysis=analysis)
    res = _ours(text)
    ref = _ngspice(tmp_path, text, complex_values=res.kind == "ac")
    for name in names:
        got = res.data[:, res.names.index(name)]
        want = ref[name]
        assert np.all(np.abs(got - want) <= np.maximum(rtol * np.abs(want), floor)), name


def test_conductances_are_the_derivatives_of_the_currents():
    circ = flatten(parse_deck(DECK.format(models=MODELS, analysis=".op"), "j.cir"))
    sim = Simulator(circ)
    x = sim.operating_point()
    grp = next(g for g in sim.sys.groups if g.kind == "j")
    rng = np.random.default_rng(1)
    for d in range(len(grp.names)):
        for _ in range(5):
            xp = x + rng.normal(0.0, 0.3, x.shape)     # away from the op: all regions
            cur, g = terminal_currents(grp, d, xp, 1e-12)
            for t, node in enumerate(grp.nodes[d]):
                if node < 0:
                    continue
                h = 1e-6
                xh = xp.copy()
                xh[node] += h
                num = (terminal_currents(grp, d, xh, 1e-12)[0] - cur) / h
                assert np.allclose(g[:, t], num, rtol=1e-3, atol=1e-9), (d, t)


def test_op_matches_ngspice(tmp_path):
    _compare(tmp_path, ".op", ["v(d)", "v(s)", "v(d2)", "v(d3)", "v(s3)", "i(vdd)",
                               "i(vneg)"], 1e-6, 1e-9)


@pytest.mark.parametrize("temp", [-20.0, 85.0])
def test_op_at_another_temperature_matches_ngspice(tmp_path, temp):
    models = MODELS.replace("b=0.9)", "b=0.9 tcv=2.5m bex=-1.2)")
    text = DECK.format(models=models, analysis=f".temp {temp}\n.op")
    res = _ours(text)
    ref = _ngspice(tmp_path, text)
    for name in ("v(d)", "v(s)", "v(d2)", "v(s3)", "i(vdd)"):
        want = ref[name][0]
        assert abs(res.data[0, res.names.index(name)] - want) <= max(1e-6 * abs(want), 1e-9)


def test_dc_sweep_matches_ngspice(tmp_path):
    # through cut-off, saturation, linear and inverse (vg2 drives j2 across its range)
    _compare(tmp_path, ".dc vg2 -3 3 0.05", ["v(d2)", "i(vneg)", "i(vg2)"], 1e-5, 1e-9)


def test_ac_matches_ngspice(tmp_path):
    _compare(tmp_path, ".ac dec 10 10 1g", ["v(d)", "v(s)"], 1e-5, 1e-12)


def test_transient_matches_ngspice(tmp_path):
    # ngspice's default tolerances: with reltol=1e-7 its own transient stops at the edge
    text = DECK.format(models=MODELS, analysis=".tran 10n 20u 0 2n").replace(
        ".options reltol=1e-7 vntol=1e-12 abstol=1e-18\n", "")
    ref = _ngspice(tmp_path, text)
    res = _ours(text)
    for name in ("v(d)", "v(d3)", "v(s3)"):
        r = ref[name]
        got = np.interp(ref["time"], res.scale, res.data[:, res.names.index(name)])
        assert np.max(np.abs(got - r)) <= 0.01 * (r.max() - r.min()) + 1e-6, name


@pytest.mark.parametrize("sweep", ["dec 5 10 100meg"])
def test_jfet_noise_matches_ngspice(tmp_path, sweep):
    deck = DECK.format(models=MODELS, analysis=".noise v(d3) vg3 {sweep}\n.print noise all")
    noise_matches(tmp_path, deck.replace(
        ".options reltol=1e-7 vntol=1e-12 abstol=1e-18\n", ""), sweep)


@pytest.mark.parametrize("card, reason", [
    (".model jx njf(vto=-2 foo=1)", "JFET model parameter 'foo' is not supported"),
    (".model jx njf(level=2)", "JFET level 2 is not supported"),
])
def test_bad_models_are_located_errors(card, reason):
    with pytest.raises(InputError) as err:
        _ours(f"t\nv1 d 0 5\nj1 d 0 0 jx\n{card}\n.op\n.end\n")
    assert err.value.line == 3 and reason in str(err.value)


def test_unsupported_instance_parameter_is_a_located_error():
    with pytest.raises(InputError) as err:
        _ours("t\nv1 d 0 5\nj1 d 0 0 jx ic=1,2\n.model jx njf\n.op\n.end\n")
    assert err.value.line == 3 and "'ic' is not supported" in str(err.value)


def test_row_scales_with_area_and_temperature():
    model = flatten(parse_deck("t\nj1 d 0 0 jx\n.model jx njf(beta=1m tcv=2m bex=-1.5)\n"
                               ".op\n.end\n", "j.cir")).elements[0].model
    row, rd, rs, _ = J.jfet_row(model, {"area": 2.0}, 77.0, 27.0)
    assert row[J.K.J_BETA] == pytest.approx(2e-3 * (350.15 / 300.15) ** -1.5)
    assert row[J.K.J_VTO] == pytest.approx(-2.0 - 2e-3 * 50.0)
