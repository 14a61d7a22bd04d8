"""S (voltage-controlled) and W (current-controlled) switches with hysteresis, as ngspice's
sw and csw: the state machine and the step limit by themselves, bad cards, and against live
ngspice (op, DC sweep, AC, noise, transients driven by pulses and sines, a relaxation
oscillator). ngspice-dependent tests are skipped when ngspice is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.devices import switch as SW
from edapipe.analog.devices import switch_kernels as K
from edapipe.analog.analyses import Simulator
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
from tests.analog.test_decks16 import test_noise_matches_ngspice as noise_matches
from tests.analog.test_live_ngspice import ngspice_run, read_ascii_raw
from tests.analog.test_mos2 import _ours

RELAX = """relaxation oscillator: the switch discharges C1 above 3.5 V, lets go below 1.5 V
V1 vdd 0 5
R1 vdd c 10k
C1 c 0 1n
S1 c d c 0 sw1
R2 d 0 100
.model sw1 sw(vt=2.5 vh=1 ron=10 roff=1meg)
.tran 0.1u 100u uic
.end
"""

DRIVEN = """switches driven by a pulse: W by the current through VS, S by a voltage, positive
* and negative hysteresis, ON flags, default ROFF
VIN in 0 pulse(-1 1 0 20u 20u 1u 42u)
RIN in 0 1k
VS in x 0
RX x 0 1k
V1 vdd 0 3
W1 vdd o2 VS csw1
R3 o2 0 2k
W2 vdd o3 VS csw2 ON
R4 o3 0 2k
S2 vdd o4 in 0 sw2
R5 o4 0 1k
S3 vdd o5 in 0 sw3 OFF
R6 o5 0 1k
.model csw1 csw(it=0.2m ih=0.3m ron=10 roff=1e6)
.model csw2 csw(it=-0.1m ih=-0.2m ron=20)
.model sw2 sw(vt=0.1 vh=-0.25 ron=3)
.model sw3 sw(vt=-0.2 vh=0.5)
{analysis}
.end
"""

SINE = """switch driven by a sine with hysteresis
VIN in 0 sin(0 2 10k)
V1 vdd 0 3
R1 vdd out 1k
C1 out 0 2n
S1 out 0 in 0 sw1
.model sw1 sw(vt=0.5 vh=0.3 ron=5 roff=100k)
.tran 1u 300u
.end
"""

AC = """switches in an ac analysis
VIN in 0 dc 0 ac 1
V1 ctl 0 1
R1 in a 1k
S1 a b ctl 0 sw1
C1 b 0 1n
S2 a c 0 ctl sw1 ON
C2 c 0 2n
R2 a 0 10k
.model sw1 sw(vt=0.5 vh=0.2 ron=50 roff=1meg)
{analysis}
.end
"""


# ---- reference-free ---------------------------------------------------------------------

def test_switch_follows_its_control_with_hysteresis():
    """A switch driven by a triangle: on above VT+VH, off below VT-VH, and inside the band
    it keeps the state it came in with (closed on the way down, open on the way up)."""
    deck = """triangle
VIN in 0 pwl(0 0 10u 2 20u 0)
V1 vdd 0 1
R1 vdd out 1k
S1 out 0 in 0 sw1
.model sw1 sw(vt=1 vh=0.4 ron=1 roff=1e9)
.tran 0.05u 20u
.end
"""
    res = _ours(deck, "tran")
    vin = res.data[:, res.names.index("v(in)")]
    out = res.data[:, res.names.index("v(out)")]
    closed = out < 0.01
    rising = res.scale <= 10e-6
    assert not np.any(closed[rising & (vin < 1.4 - 1e-3)])
    assert np.all(closed[rising & (vin > 1.4 + 0.05)])
    falling = ~rising
    assert np.all(closed[falling & (vin > 0.6 + 1e-3)])
    assert not np.any(closed[falling & (vin < 0.6 - 0.05)])
    # the band is crossed both ways: both states occur inside it
    band = (vin > 0.7) & (vin < 1.3)
    assert np.any(closed & band) and np.any(~closed & band)


def test_step_limit_approaching_the_switching_level():
    """swtrunc.c: an open switch whose control rose by 1 V in the last step, 2 V below its
    level VT+VH, may take 0.75*2 + 0.05 V more: 1.55 steps; falling controls do not limit."""
    par = np.zeros((2, K.SW_NPAR))
    par[:, K.SW_VT], par[:, K.SW_VH] = 2.5, 0.5
    st = np.zeros((2, K.SW_NSTATE))
    st[:, K.ST_CTRL1] = 0.0
    st[:, K.ST_CTRL] = 1.0
    assert SW.max_step(par, st, 1e-6) == pytest.approx(1.55e-6)
    st[:, K.ST_CTRL] = -1.0
    assert SW.max_step(par, st, 1e-6) == np.inf
    # closed and falling towards VT-VH = 2: from 4 after -1 V: 0.75*2 + 0.05 V
    st[:, K.ST_STATE] = K.REALLY_ON
    st[:, K.ST_CTRL1], st[:, K.ST_CTRL] = 5.0, 4.0
    assert SW.max_step(par, st, 1e-6) == pytest.approx(1.55e-6)
    par[:, K.SW_KIND] = K.KIND_W      # W switches do not limit the step (as cswload.c)
    assert SW.max_step(par, st, 1e-6) == np.inf


@pytest.mark.parametrize("card,message", [
    ("S1 a 0 c 0 sx\n.model sx sw(vt=1 foo=2)", "'foo' is not supported"),
    ("S1 a 0 c 0 sx\n.model sx sw(ron=0)", "ron = 0 must be positive"),
    ("S1 a 0 c 0 sx\n.model sx csw(it=1)", "is csw, not sw"),
    ("S1 a 0 c 0 sx on off\n.model sx sw", "both on and off"),
    ("S1 a 0 c 0 sx maybe\n.model sx sw", "unexpected 'maybe'"),
    ("S1 a 0 c 0 sx m=2\n.model sx sw", "'m' is unknown"),
    ("S1 a 0 c 0 nosuch", "unknown model 'nosuch'"),
    ("W1 a 0 vnone wx\n.model wx csw(it=1m)", "controlling source 'vnone'"),
    ("W1 a 0 r1 wx\n.model wx csw(it=1m)", "'r1' is not a voltage source"),
    ("W1 a 0 v1 wx\n.model wx csw(vt=1)", "'vt' is not supported"),
    ("W1 a 0 v1\n.model wx csw", "names no model"),
])
def test_bad_switch_cards_are_located_errors(card, message):
    deck = f"bad\nV1 c 0 1\nR1 a c 1k\n{card}\n.op\n.end\n"
    with pytest.raises(InputError) as info:
        Simulator(flatten(parse_deck(deck, "bad.cir")))
    assert message in str(info.value).lower()
    assert info.value.line == 4


# ---- against ngspice --------------------------------------------------------------------

def _tran_against_ngspice(tmp_path, deck, names, rel=0.01):
    from scipy.interpolate import PchipInterpolator

    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "tran")
    for name in names:
        r = ref[name]
        g = PchipInterpolator(res.scale, res.data[:, res.names.index(name)])(ref["time"])
        assert np.max(np.abs(g - r)) <= rel * (r.max() - r.min()), name
    return ref, res


def test_relaxation_oscillator_against_ngspice(tmp_path):
    """The switch's state decides every cycle; the step limit near the switching level
    (SWtrunc) gives ngspice's time points: the same count to one point and the waveform to
    1e-6 of its swing (it agrees to ~1e-10)."""
    ref, res = _tran_against_ngspice(tmp_path, RELAX, ["v(c)", "v(d)", "i(v1)"], 1e-6)
    assert abs(len(res.scale) - len(ref["time"])) <= 2
    c = ref["v(c)"]
    # it oscillates: charged to ~3.5 V, discharged within a step, ~9 us per cycle
    assert c.max() > 3.4 and np.sum(np.diff(c) < -0.5) >= 8


def test_driven_switches_against_ngspice(tmp_path):
    """W and S switches driven by a pulse, positive and negative hysteresis, ON/OFF flags."""
    deck = DRIVEN.format(analysis=".tran 0.2u 100u")
    _tran_against_ngspice(tmp_path, deck, ["v(o2)", "v(o3)", "v(o4)", "v(o5)", "i(v1)"],
                          1e-6)


def test_sine_driven_switch_against_ngspice(tmp_path):
    _tran_against_ngspice(tmp_path, SINE, ["v(out)", "i(v1)"])


@pytest.mark.parametrize("analysis", [".op", ".dc VIN -1 1 0.02", ".dc VIN 1 -1 -0.02",
                                      ".dc VIN 1 -1 -0.05 V1 3 2 -0.5"])
def test_switch_op_and_dc_sweep_against_ngspice(tmp_path, analysis):
    """Each sweep point starts from the last one's switch states, so the up and down
    sweeps differ inside the hysteresis bands (both as ngspice)."""
    deck = DRIVEN.format(analysis=analysis).replace(
        "VIN in 0 pulse(-1 1 0 20u 20u 1u 42u)", "VIN in 0 0.15")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, analysis[1:3])
    for k, name in enumerate(res.names):
        r = ref[name]
        assert np.all(np.abs(res.data[:, k] - r) <= np.maximum(1e-6 * np.abs(r), 1e-12)), \
            name


def test_switch_ac_against_ngspice(tmp_path):
    """The small-signal conductance is that of the last accepted time point's state, which
    ngspice leaves open after an operating point (both switches here)."""
    deck = AC.format(analysis=".ac dec 5 1k 100meg")
    ngspice_run(tmp_path, deck)
    ref = read_ascii_raw(tmp_path / "out.raw", complex_values=True)
    res = _ours(deck, "ac")
    for name in ("v(a)", "v(b)", "v(c)", "i(vin)"):
        r = ref[name]
        g = res.data[:, res.names.index(name)]
        assert np.all(np.abs(g - r) <= 1e-6 * np.abs(r)), name


def test_switch_noise_against_ngspice(tmp_path):
    noise_matches(tmp_path, AC.format(analysis=".noise v(a) VIN {sweep}\n.print noise all"),
                  "dec 5 1k 100meg")


def _random_deck(rng) -> str:
    """Two S and two W switches with random thresholds, hysteresis of either sign, RON,
    ROFF and flags, driven by a triangle that crosses their bands both ways."""
    lines = ["random switches", "VIN in 0 pwl(0 -2 20u 2 40u -1.5 60u 1.8 80u -2)",
             "RIN in 0 1k", "VS in x 0", "RX x 0 1k", "V1 vdd 0 3"]
    for k in range(4):
        letter = "S" if k < 2 else "W"
        scale = 1.0 if letter == "S" else 1e-3
        vt = rng.uniform(-1.2, 1.2) * scale
        vh = rng.uniform(-0.6, 0.6) * scale
        ron = 10 ** rng.uniform(0, 3)
        flag = rng.choice(["", " ON", " OFF"])
        ctrl = "in 0" if letter == "S" else "VS"
        lines += [f"{letter}{k} vdd o{k} {ctrl} m{k}{flag}", f"R{k} o{k} 0 1k",
                  f".model m{k} {'sw' if letter == 'S' else 'csw'}("
                  f"{'vt' if letter == 'S' else 'it'}={vt:.6g} "
                  f"{'vh' if letter == 'S' else 'ih'}={vh:.6g} ron={ron:.6g})"]
    return "\n".join(lines + [".tran 0.2u 80u", ".end", ""])


@pytest.mark.parametrize("seed", range(3))
def test_random_switches_against_ngspice(tmp_path, seed):
    deck = _random_deck(np.random.default_rng(200 + seed))
    _tran_against_ngspice(tmp_path, deck, [f"v(o{k})" for k in range(4)] + ["i(v1)"], 1e-6)


TF = """.tf through switches the operating point closed (S by a voltage, W by a current
* beyond its band) and one it left open
v1 1 0 dc 1
r1 1 2 1k
s1 2 3 c 0 sw1
r3 3 0 2k
r2 2 0 5k
vc c 0 dc 3
vs c y 0
ry y 0 1k
w1 2 4 vs csw1
r4 4 0 3k
s2 2 5 c 0 sw2
r5 5 0 4k
.model sw1 sw(vt=1 vh=0.5 ron=10 roff=1meg)
.model csw1 csw(it=2m ih=0.5m ron=20 roff=1e6)
.model sw2 sw(vt=5 vh=0.5 ron=1 roff=1e4)
.tf {out} {src}
.end
"""


@pytest.mark.parametrize("out, src", [("v(2)", "v1"), ("i(vs)", "v1"), ("v(4,2)", "v1")])
def test_tf_uses_the_operating_points_switch_states(tmp_path, out, src):
    """ngspice's tfanal.c loads its matrix right after the op, so S1 and W1 are closed
    there (an .ac after an .op would see them open); the states stay as they were."""
    import re
    import subprocess

    from tests.analog.test_decks16 import ours
    from tests.conftest import require_tool

    ng = require_tool("ngspice")
    text = TF.format(out=out, src=src)
    deck = tmp_path / "tf.cir"
    deck.write_text(text)
    printed = subprocess.run([ng, "-b", str(deck)], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60).stdout
    ref = dict(re.findall(r"^(\S+) = (\S+)$", printed, re.M))
    res = ours(text).results[0]
    got = dict(zip(res.names, res.data[0]))
    assert set(got) == set(ref) and len(ref) == 3
    for name, val in ref.items():
        assert got[name] == pytest.approx(float(val), rel=2e-6, abs=1e-12), name
    # closed switches: the input sees r1 + (r2 || r3 || r4 || r5 with their RON)
    if out == "v(2)":
        par = 1.0 / (1 / 5e3 + 1 / 2010.0 + 1 / 3020.0 + 1 / (4e3 + 1e4))
        assert got["v1#input_impedance"] == pytest.approx(1e3 + par, rel=1e-6)
