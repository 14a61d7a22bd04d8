"""Lossless transmission lines (T, ngspice's TRA): op, dc, ac and transient against live
ngspice, and the located errors of bad cards."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.analyses import Simulator
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
from tests.analog.test_live_ngspice import ngspice_run, read_ascii_raw
from tests.analog.test_mos2 import _ours

MATCHED = """matched line: the pulse arrives TD later, no reflection
v1 in 0 pulse(0 1 1n 0.1n 0.1n 5n 20n)
rs in a 50
t1 a 0 b 0 z0=50 td=2n
rl b 0 50
.tran 0.05n 12n
.end
"""

# an open-ended line (full reflection: the near end steps to 2/3, then to 4/3 ...) beside
# a second line (F/NL form, ZO spelling) into a capacitive load: the step is cut at the
# reflected waves' bends (TRAtrunc / TRAaccept breakpoints) and by the capacitor's LTE
REFLECT = """open-ended line and a line into a capacitive load
v1 in 0 pulse(0 1 1.013n 0.21n 0.33n 3.07n 20n)
rs in a 25
t1 a 0 b 0 z0=50 td=1.5n
rb b 0 1meg
rs2 in c 50
t2 c 0 d 0 zo=75 f=100meg nl=0.1
cl d 0 2p
rl d 0 1k
.tran {tstep} 25n
.end
"""

UIC = """initial conditions of a line with UIC
v1 in 0 pulse(0 1 0.5n 0.1n 0.1n 2n 10n)
rs in a 10
t1 a 0 b 0 z0=50 td=1.1n ic=0.3,0.002,0.5,-0.001
cb b 0 1p
rb b 0 1k
.ic v(b)=0.5 v(a)=0.2
.tran 0.013n 10n uic
.end
"""

AC = """two lines in ac
v1 in 0 dc 0 ac 1
rs in a 30
t1 a 0 b 0 z0=50 td=1n
rl b 0 200
cl b 0 1p
t2 b 0 c 0 z0=100 td=0.37n
rc c 0 1k
.ac dec 50 1meg 10g
.end
"""

DC = """lines in a subcircuit at DC: wires, with a diode load
.subckt seg p q
t1 p 0 m 0 z0=50 td=1n
t2 m 0 q 0 z0=75 f=1g nl=0.5
.ends
v1 in 0 dc 0
rs in a 20
x1 a b seg
rl b 0 300
d1 b 0 dmod
.model dmod d is=1e-14
.options reltol=1e-6
{analysis}
.end
"""


def _tran(tmp_path, deck, exact=True, rel=1e-6, volts_only=False):
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "tran")
    if exact:
        # the same time points (the breakpoints the lines set, the step cuts) ...
        assert len(res.scale) == len(ref["time"])
        assert np.allclose(res.scale, ref["time"], rtol=1e-9, atol=1e-21)
    for k, name in enumerate(res.names):
        if name == "time" or name not in ref or (volts_only and not name.startswith("v(")):
            continue
        r = ref[name]
        g = np.interp(ref["time"], res.scale, res.data[:, k])
        # ... and the waveforms to far below the 1 % of the swing the analog tests use
        assert np.max(np.abs(g - r)) <= rel * (r.max() - r.min() + 1e-30), name
    return ref, res


def test_matched_line_delays_the_pulse(tmp_path):
    ref, res = _tran(tmp_path, MATCHED)
    b = res.data[:, res.names.index("v(b)")]
    t = res.scale
    # the far end stays at 0 until the edge has travelled 2 ns, then sits at half the swing
    assert np.all(np.abs(b[t < 3.0e-9]) < 1e-9)
    assert abs(np.interp(5e-9, t, b) - 0.5) < 1e-9


@pytest.mark.parametrize("tstep", ["0.0173n", "0.031n", "0.05n"])
def test_open_ended_line_reflections(tmp_path, tstep):
    ref, res = _tran(tmp_path, REFLECT.format(tstep=tstep))
    b = ref["v(b)"]
    # 25 ohm into 50: the incident wave is 2/3 V, the open end doubles it
    assert abs(b.max() - 4.0 / 3.0) < 0.01


def test_line_initial_conditions_with_uic(tmp_path):
    _tran(tmp_path, UIC, exact=False)


DRIVER = """cmos inverter driving a line into a diode clamp
vdd vdd 0 3.3
vin in 0 pulse(0 3.3 1.013n 0.21n 0.33n 4.07n 10n)
mp out in vdd vdd pm w=20u l=1u
mn out in 0 0 nm w=10u l=1u
.model nm nmos level=1 vto=0.7 kp=100u tox=20n
.model pm pmos level=1 vto=-0.7 kp=40u tox=20n
t1 out 0 far 0 z0=75 td=1.7n
rf far 0 10k
d1 far vdd dm
.model dm d is=1e-14 cjo=1p
.tran 0.0173n 20n
.end
"""


def test_line_between_nonlinear_devices(tmp_path):
    """Newton through the line's transient stamps (the fused loop with MOSFETs and a
    diode): the node voltages within the analog tests' 1 % of their swing (seen 0.4 %; the
    input's corners are where the time points part, see docs/analog.md, and there the
    supply current's spikes differ by a few % between the two grids)."""
    _tran(tmp_path, DRIVER, exact=False, rel=0.01, volts_only=True)


def test_line_ac_against_ngspice(tmp_path):
    ngspice_run(tmp_path, AC)
    ref = read_ascii_raw(tmp_path / "out.raw", complex_values=True)
    res = _ours(AC, "ac")
    for k, name in enumerate(res.names):
        r = ref[name]
        assert np.max(np.abs(res.data[:, k] - r)) <= 1e-9 * np.max(np.abs(r)), name


@pytest.mark.parametrize("analysis", [".op", ".dc v1 0 2 0.1"])
def test_line_is_a_wire_pair_at_dc(tmp_path, analysis):
    deck = DC.format(analysis=analysis)
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, analysis[1:3])
    for k, name in enumerate(res.names):
        r = ref[name]
        assert np.all(np.abs(res.data[:, k] - r) <= 1e-5 * np.abs(r) + 1e-12), name
    # a line is two wires at DC: both ends of x1 at the same voltage
    assert np.allclose(res.data[:, res.names.index("v(a)")],
                       res.data[:, res.names.index("v(b)")], rtol=1e-9)


@pytest.mark.parametrize("card,message", [
    ("T1 a 0 b 0 td=1n", "z0 must be given"),
    ("T1 a 0 b 0 z0=0 td=1n", "must be positive"),
    ("T1 a 0 b 0 z0=50 td=-1n", "td = -1e-09 must be positive"),
    ("T1 a 0 b 0 z0=50 f=0", "f and nl must be positive"),
    ("T1 a 0 b 0 z0=50 td=1n len=3", "'len' is unknown"),
    ("T1 a 0 b 0 z0=50 td=1n lossy", "unexpected 'lossy'"),
    ("T1 a 0 b z0=50 td=1n", "needs 4 nodes"),
])
def test_bad_line_cards_are_located_errors(card, message):
    deck = f"bad\nV1 a 0 1\nR1 b 0 1k\n{card}\n.op\n.end\n"
    with pytest.raises(InputError) as info:
        Simulator(flatten(parse_deck(deck, "bad.cir")))
    assert message in str(info.value).lower()
    assert info.value.line == 4


def test_line_default_delay_is_quarter_wave_at_1ghz():
    deck = "d\nV1 a 0 1\nT1 a 0 b 0 z0=50\nR1 b 0 50\n.op\n.end\n"
    sim = Simulator(flatten(parse_deck(deck, "d.cir")))
    assert sim.sys.tlines.lines[0].td == pytest.approx(0.25e-9)


@pytest.mark.parametrize("params", ["z0=1e-300 td=1n", "z0=1e300 td=1n", "z0=50 td=1e-320",
                                    "z0=50 td=1e300", "z0=50 f=1e-300"])
def test_extreme_lines_finish_with_finite_values(params):
    """Hostile values: no traceback, no NaN (a TD below what doubles resolve holds the
    newest waves)."""
    deck = (f"h\nv1 a 0 pulse(0 1 1n 1n 1n 5n 20n)\nr1 a b 50\nt1 b 0 c 0 {params}\n"
            f"r2 c 0 50\n.tran 0.1n 20n\n.end\n")
    res = _ours(deck, "tran")
    assert np.all(np.isfinite(res.data))
