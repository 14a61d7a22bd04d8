"""Every shared netlist in scope against ngspice 39's reference results (peers/analog/ref).

The decks are the exact ones the references came from (ref/decks); include files resolve
against benchmarks/spice. Each case states its expectation; netlists with out-of-scope
features are listed in OUT_OF_SCOPE and must fail cleanly (exit 3), not silently."""

from __future__ import annotations

import functools

import pytest

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
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


OP = ["lowpass", "param-example", "global-1", "ex1a", "bjt-audio-preamplifier"]
AC = ["lowpass", "param-example", "res_array", "rca3040", "positive-definite-4",
      "rc-meas-ac", "active-anti-alias-filter", "bjt-audio-preamplifier"]
DC_STRICT = ["MOS1_out", "diode_ac_par", "pintest"]
# high-gain sweeps: a few points carry ngspice's own Newton error (see compare_sweep);
# test_live_ngspice.py checks them against a tightly converged ngspice run
DC_NEWTON = ["bjt_ac_par", "rtlinv", "rca3040"]
# (name, allowed error as a multiple of the 1 %-of-swing tolerance, slow?)
TRAN = [
    ("rc", 1.0, False), ("cntrl-sources", 1.0, False), ("simple-meas-tran", 1.0, False),
    ("spice3", 1.0, False), ("mosmem", 1.0, False), ("fourbitadder", 1.0, False),
    ("rca3040", 1.5, False), ("rtlinv", 4.0, False),
    ("res_array", 1.0, False),
    ("active-anti-alias-filter", 1.0, True), ("set1", 1.0, True), ("bjt-audio-preamplifier", 1.0, True),
]
# vectors ngspice writes that we do not: currents of R, G, F, I (ngspice needs
# `.options savecurrents` / .probe for them)
TRAN_SKIP = {"cntrl-sources": {"i(i1)", "i(rh)", "i(rf)", "i(f1)", "i(re)", "i(rg)", "i(g1)"},
             # ngspice adds a node and a B source of its own for `.measure ... param`
             "simple-meas-tran": {"v(pa_00)", "i(bpa_00)"}}
# res_array R3 uses a semiconductor resistor model (RSH, NARROW, L, W): we compute
# RSH*(L-SHORT)/(W-NARROW) = 11 kOhm; ngspice 39 reports no DC current through it at all
# (its AC resistance ac=2.5k is honoured by both). Listed as out of scope in the peer notes.
KNOWN_DIFF = {"res_array": {"i(vr3)", "i(vin)"}}   # i(vin) is the sum of the branch currents
OUT_OF_SCOPE = {"mosamp": "MOS level 2"}


@pytest.mark.parametrize("name", OP)
def test_op(name):
    assert rc.compare_op(run(name, "op"), REF / f"{name}__op.csv") == []


def test_op_res_array_except_model_resistor():
    res = run("res_array", "op")
    bad = rc.compare_op(res, REF / "res_array__op.csv")
    assert [b for b in bad if b.split(":")[0] not in KNOWN_DIFF["res_array"]] == []
    assert any(b.startswith("i(vr3)") for b in bad), "res_array R3 now matches: update test"


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
    assert window <= 0.05 * res.data.size


@pytest.mark.parametrize("name,factor,slow", [pytest.param(
    n, f, s, marks=[pytest.mark.slow] if s else []) for n, f, s in TRAN])
def test_tran(name, factor, slow):
    skip = TRAN_SKIP.get(name, set()) | KNOWN_DIFF.get(name, set())
    errs = rc.tran_errors(run(name, "tran"), REF / f"{name}__tran.csv", skip)
    worst = max(errs, key=errs.get)
    assert errs[worst] <= factor, f"{worst}: {errs[worst]:.2f} x tolerance"


@pytest.mark.slow
def test_tran_relay_driver_outside_the_switching_edge():
    """UIC + Gear + flyback diode. At the 6.001 ms turn-off edge the collector jumps ~10 V
    within a few time steps whose positions differ between the simulators, so pointwise
    comparison there measures the grid, not the answer: elsewhere 1 %, at the edge 10 %."""
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
        assert err[edge].max() <= 10.0, name


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


@pytest.mark.parametrize("name", sorted(OUT_OF_SCOPE))
def test_out_of_scope_netlists_fail_cleanly(name):
    text = (DECKS / f"{name}.cir").read_text(encoding="utf-8", errors="replace")
    with pytest.raises(InputError) as info:
        Simulator(flatten(parse_deck(text, str(SPICE / f"{name}.cir"))))
    assert OUT_OF_SCOPE[name].split()[0].lower() in str(info.value).lower()
