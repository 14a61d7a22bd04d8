"""Every shared netlist in scope against ngspice 39's reference results (peers/analog/ref).

The decks are the exact ones the references came from (ref/decks); include files resolve
against benchmarks/spice. Each case states its expectation; netlists with out-of-scope
features (MOS levels above 2, ...) must fail cleanly (exit 3): see test_errors.py and
test_mos2.py."""

from __future__ import annotations

import functools

import pytest

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from tests.analog import refcompare as rc
from tests.conftest import BENCHMARKS, PEERS

REF = PEERS / "analog" / "ref"
DECKS = REF / "decks"
SPICE = BENCHMARKS / "spice"

pytestmark = pytest.mark.skipif(not REF.is_dir(), reason="peers/analog/ref is not there")


@functools.lru_cache(maxsize=None)
def run(name: str, kind: str):
    text = (DECKS / f"{name}.cir").read_text(encoding="utf-8", errors="replace")
    circ = flatten(parse_deck(text, str(SPICE / f"{name}.cir")))
    for card in circ.analyses:
        spec = parse_analysis(card)
        if spec.kind == kind:
            return run_analysis(Simulator(circ), spec)
    raise AssertionError(f"{name} has no .{kind}")


OP = ["lowpass", "param-example", "global-1", "ex1a", "bjt-audio-preamplifier", "res_array"]
AC = ["lowpass", "param-example", "res_array", "rca3040", "positive-definite-4",
      "rc-meas-ac", "active-anti-alias-filter", "bjt-audio-preamplifier"]
DC_STRICT = ["MOS1_out", "diode_ac_par", "pintest"]
# High-gain sweeps: at a few steep points the reference carries ngspice's own Newton error
# (compare_sweep). Evidence, ngspice 39 re-run on the same decks against our default run,
# worst error in units of the strict tolerance (points over it):
#   ngspice reltol   1e-3 (reference)  1e-4       1e-5       1e-7 (+vntol/abstol)
#   rtlinv           9.45 (21)         0.78 (0)   0.10 (0)   0.00 (0)
#   rca3040          6.26 (15)         1.08 (1)   0.14 (0)   0.00 (0)
#   bjt_ac_par       5.90 (3)          0.35 (0)   0.12 (0)   0.03 (0)
# ngspice's deviation shrinks with its own RELTOL while our values stay put: they are the
# converged solution. `.options bypass=0` changes nothing in ngspice. So those points are
# allowed ngspice's convergence window (1e-3 relative), at most 3 % of the values (rtlinv:
# 2.6 %); test_live_ngspice.py runs the reltol=1e-7 comparison at the strict tolerance.
DC_NEWTON = ["bjt_ac_par", "rtlinv", "rca3040"]
# (name, allowed error as a multiple of the 1 %-of-swing tolerance, slow?)
TRAN = [
    ("rc", 1.0, False), ("cntrl-sources", 1.0, False), ("simple-meas-tran", 1.0, False),
    ("spice3", 1.0, False), ("mosmem", 1.0, False), ("fourbitadder", 1.0, False),
    ("rca3040", 1.0, False), ("rtlinv", 1.0, False),
    # MOS level 2. One point beyond 1 %: v(6) at 5.504 us, where the reference steps 50 ns
    # across a 2 V swing (ngspice itself with TMAX=0.5 ns differs from its reference there by
    # 5 % of the swing); test_mos2.py compares fine grids on both sides to 1 %
    ("mosamp", 2.5, False),
    ("res_array", 1.0, False),
    ("active-anti-alias-filter", 1.0, True), ("set1", 1.0, True), ("bjt-audio-preamplifier", 1.0, True),
]
# vectors ngspice writes that we do not: currents of R, G, F, I (ngspice needs
# `.options savecurrents` / .probe for them)
TRAN_SKIP = {"cntrl-sources": {"i(i1)", "i(rh)", "i(rf)", "i(f1)", "i(re)", "i(rg)", "i(g1)"},
             # ngspice adds a node and a B source of its own for `.measure ... param`
             "simple-meas-tran": {"v(pa_00)", "i(bpa_00)"}}


@pytest.mark.parametrize("name", OP)
def test_op(name):
    assert rc.compare_op(run(name, "op"), REF / f"{name}__op.csv") == []


@pytest.mark.parametrize("name", AC)
def test_ac(name):
    assert rc.compare_ac(run(name, "ac"), REF / f"{name}__ac.csv") == []


@pytest.mark.parametrize("name", DC_STRICT)
def test_dc_strict(name):
    bad, _ = rc.compare_sweep(run(name, "dc"), REF / f"{name}__dc.csv")
    assert bad == []


@pytest.mark.parametrize("name", DC_NEWTON)
def test_dc_within_ngspice_newton_tolerance(name):
    res = run(name, "dc")
    bad, window = rc.compare_sweep(res, REF / f"{name}__dc.csv", newton_window=True)
    assert bad == []
    # only a handful of values (steep transitions) are outside the strict tolerance
    assert window <= 0.03 * res.data.size


@pytest.mark.parametrize("name,factor,slow", [pytest.param(
    n, f, s, marks=[pytest.mark.slow] if s else []) for n, f, s in TRAN])
def test_tran(name, factor, slow):
    skip = TRAN_SKIP.get(name, set())
    errs = rc.tran_errors(run(name, "tran"), REF / f"{name}__tran.csv", skip)
    worst = max(errs, key=errs.get)
    assert errs[worst] <= factor, f"{worst}: {errs[worst]:.2f} x tolerance"


@pytest.mark.slow
def test_tran_relay_driver_outside_the_switching_edge():
    """UIC + Gear + flyback diode: 1 % of the swing everywhere except in the 20 us after the
    6.001 ms turn-off, where 2x that is allowed. Our time grid and ngspice's differ in
    the last digits from the first points on (~3e-8 relative at the second point; 1175
    of our points before 1 ms against ngspice's 1173), and the base's stored charge,
    which collapses by 0.55 V within ~60 ns near 6.0019 ms, lands a few ns earlier or
    later: at the worst reference point v(base) differs by 1.4x the tolerance (measured
    1.37x; elsewhere at most 0.47x). The points of that collapse depend on the grid,
    not on the model."""
    import numpy as np
    from scipy.interpolate import PchipInterpolator

    res = run("bjt-relay-driver", "tran")
    head, rows = rc.read_ref(REF / "bjt-relay-driver__tran.csv")
    ref = np.array([[float(v) for v in r] for r in rows])
    t = ref[:, 0]
    edge = (t > 6.0e-3) & (t < 6.02e-3)
    for j, name in enumerate(head[1:], 1):
        r = ref[:, j]
        g = PchipInterpolator(res.scale, res.data[:, res.names.index(name)])(t)
        tol = max(0.01 * (r.max() - r.min()), 1e-3 * np.abs(r).max())
        err = np.abs(g - r) / tol
        assert err[~edge].max() <= 1.0, name
        assert err[edge].max() <= 2.0, name


@pytest.mark.slow
def test_tran_colpitts_oscillator_period_and_amplitude():
    import numpy as np

    res = run("colpitt_osc", "tran")
    head, rows = rc.read_ref(REF / "colpitt_osc__tran.csv")
    ref = np.array([[float(v) for v in r] for r in rows])
    for node in ("v(2)", "i(l1)"):
        p_ref, a_ref = rc.oscillation(ref[:, 0], ref[:, head.index(node)])
        p, a = rc.oscillation(res.scale, res.data[:, res.names.index(node)])
        assert abs(p - p_ref) <= 0.01 * p_ref
        assert abs(a - a_ref) <= 0.01 * a_ref
