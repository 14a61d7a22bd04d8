"""Two-stage Miller op-amps of BSIM3 (Berkeley's 0.35 um cards from ngspice's examples) and
BSIM4 (ngspice's QA cards) transistors against live ngspice in op, DC, AC and transient,
with the analog tests' tolerances (tests/analog/refcompare.py): op within max(1e-4
relative, 10 uV / 1 nA), DC sweeps the same (or inside ngspice's own Newton window), AC
within 1e-3 of each vector's largest value, transients within 1 % of each signal's swing.

The amplifier: an NMOS differential pair with a PMOS mirror load, a PMOS common-source
second stage with Miller compensation (CC with a nulling resistor RZ), NMOS current
sources biased from one diode-connected transistor. For op, DC and AC the output feeds the
inverting input through 1 MOhm with 1 F to ground: closed at DC (a unity-gain buffer that
sets the bias) and open at every AC frequency (the AC result is the open-loop gain and
phase); the transient is the buffer's step response (slewing, then settling).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.analog import test_bsim3, test_bsim4
from tests.analog.test_live_ngspice import ngspice_run, read_ascii_raw
from tests.analog.test_mos2 import _ours

AMP = """{title}
{cards}vdd vdd 0 {vdd}
vinp inp 0 dc {vin} ac 1 pulse({lo} {hi} 20n 1n 1n 200n 400n)
ibias vdd nb {ib}
m8 nb nb 0 0 n1 w={w1} l={l} ad={a1} as={a1} pd={p1} ps={p1}
m5 tail nb 0 0 n1 w={w2} l={l} ad={a2} as={a2} pd={p2} ps={p2}
m1 d1 inn tail 0 n1 w={w3} l={l} ad={a3} as={a3} pd={p3} ps={p3}
m2 d2 inp tail 0 n1 w={w3} l={l} ad={a3} as={a3} pd={p3} ps={p3}
m3 d1 d1 vdd vdd p1 w={w3} l={l} ad={a3} as={a3} pd={p3} ps={p3}
m4 d2 d1 vdd vdd p1 w={w3} l={l} ad={a3} as={a3} pd={p3} ps={p3}
m6 out d2 vdd vdd p1 w={w4} l={l} ad={a4} as={a4} pd={p4} ps={p4}
m7 out nb 0 0 n1 w={w5} l={l} ad={a5} as={a5} pd={p5} ps={p5}
cc d2 x {cc}
rz x out 5k
cl out 0 {cl}
{feedback}
{analysis}
.end
"""


def _sizes(unit: float, l: str) -> dict:
    """Widths in multiples of `unit` (microns) with their drain/source areas and
    perimeters."""
    out = {"l": l}
    for k, mult in zip("12345", (2, 4, 5, 20, 8)):
        w = mult * unit
        out[f"w{k}"] = f"{w:g}u"
        out[f"a{k}"] = f"{w / 2:g}p"
        out[f"p{k}"] = f"{w + 1:g}u"
    return out


def deck(family: str, analysis: str) -> str:
    if family == "bsim3":
        cards = (f".include {test_bsim3.CARDS}/modelcard.nmos\n"
                 f".include {test_bsim3.CARDS}/modelcard.pmos\n")
        fam = dict(vdd=3.3, vin=1.4, lo=1.0, hi=2.0, ib="20u", cc="1p", cl="2p",
                   **_sizes(2.0, "1u"))
    else:
        cards = test_bsim4.qa_card("nmos", "n1") + test_bsim4.qa_card("pmos", "p1")
        fam = dict(vdd=1.2, vin=0.6, lo=0.4, hi=0.8, ib="10u", cc="0.5p", cl="1p",
                   **_sizes(1.0, "0.5u"))
    feedback = ("rf out inn 1" if analysis.startswith(".tran")
                else "rf out inn 1meg\ncf inn 0 1")
    return AMP.format(title=f"{family} two-stage miller op-amp", cards=cards,
                      feedback=feedback, analysis=analysis, **fam)


SWEEPS = {"bsim3": ".dc vinp 1.0 2.3 0.05", "bsim4": ".dc vinp 0.3 0.9 0.025"}


@pytest.mark.parametrize("family", ["bsim3", "bsim4"])
def test_opamp_operating_point(tmp_path, family):
    text = deck(family, ".op")
    ref = ngspice_run(tmp_path, text)
    res = _ours(text, "op")
    for name, val in zip(res.names, res.data[0]):
        r = ref[name][0]
        floor = 1e-5 if name.startswith("v(") else 1e-9
        assert abs(val - r) <= max(1e-4 * abs(r), floor), name
    got = dict(zip(res.names, res.data[0]))
    # a working buffer: the output follows the input, the second stage sinks its bias
    assert abs(got["v(out)"] - got["v(inp)"]) < 0.01


@pytest.mark.parametrize("family", ["bsim3", "bsim4"])
def test_opamp_dc_transfer(tmp_path, family):
    text = deck(family, SWEEPS[family])
    ref = ngspice_run(tmp_path, text)
    res = _ours(text, "dc")
    assert len(res.scale) == len(ref["v(v-sweep)"])
    for k, name in enumerate(res.names):
        r, g = ref[name], res.data[:, k]
        floor = 1e-5 if name.startswith("v(") else 1e-9
        err = np.abs(g - r)
        strict = err <= np.maximum(1e-4 * np.abs(r), floor)
        # ngspice's converged points carry its RELTOL*|v| + VNTOL (refcompare's window)
        window = err <= 1e-3 * np.abs(r) + 10 * (1e-6 if name.startswith("v(") else 1e-12)
        assert np.all(strict | window), name


@pytest.mark.parametrize("family", ["bsim3", "bsim4"])
def test_opamp_open_loop_ac(tmp_path, family):
    text = deck(family, ".ac dec 10 1 1g")
    ngspice_run(tmp_path, text)
    ref = read_ascii_raw(tmp_path / "out.raw", complex_values=True)
    res = _ours(text, "ac")
    for k, name in enumerate(res.names):
        r = ref[name]
        assert np.max(np.abs(res.data[:, k] - r)) <= 1e-3 * np.max(np.abs(r)) + 1e-30, name
    gain = np.abs(res.data[:, res.names.index("v(out)")])
    # an amplifier: a large low-frequency gain, unity crossing well below 1 GHz
    assert gain[0] > 100 and gain[-1] < 1


@pytest.mark.parametrize("family", ["bsim3", "bsim4"])
def test_opamp_step_response(tmp_path, family):
    text = deck(family, ".tran 1n 400n")
    ref = ngspice_run(tmp_path, text)
    res = _ours(text, "tran")
    for k, name in enumerate(res.names):
        r = ref[name]
        g = np.interp(ref["time"], res.scale, res.data[:, k])
        swing = r.max() - r.min()
        assert np.max(np.abs(g - r)) <= 0.01 * swing + 1e-3 * np.max(np.abs(r)), name
