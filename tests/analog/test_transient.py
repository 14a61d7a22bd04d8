"""The named steps of the transient loop (analog/transient.py, dctran.c's sections):
landing on breakpoints and the breakpoint table."""

from __future__ import annotations

import math

import pytest

from edapipe.analog.spice import load_circuit, simulate
from edapipe.analog.transient import _breakpoints, _land_on_break, _Plan


def _plan(tstep=1e-9, tstop=1e-6, tmax=2e-8):
    return _Plan(tstep, tstop, 0.0, tmax, 1e-11 * tmax, tmax * 5e-5, "t.cir: ", 1, 10**6,
                 10**6)


def test_step_is_cut_to_land_on_the_next_breakpoint():
    plan = _plan()
    breaks = [1e-6, 5e-8]             # a stack: the next one last
    delta, save, order = _land_on_break(breaks, 4.5e-8, 1e-8, 7e-9, 2, False, plan)
    assert delta == 5e-8 - 4.5e-8 and save == 1e-8 and order == 2
    assert breaks == [1e-6, 5e-8]


def test_first_step_after_a_breakpoint_is_backward_euler_and_small():
    plan = _plan()
    breaks = [1e-6, 2e-7, 5e-8]
    delta, save, order = _land_on_break(breaks, 5e-8, 1.5e-8, 1e-8, 2, False, plan)
    assert order == 1 and breaks == [1e-6, 2e-7]          # the passed one is dropped
    assert delta == pytest.approx(0.1 * min(1e-8, 2e-7 - 5e-8))
    first, _, _ = _land_on_break([1e-6, 5e-8], 5e-8, 1.5e-8, 1e-8, 2, True, plan)
    assert first == pytest.approx(delta / 10.0)


def test_breakpoints_merge_corners_closer_than_minbreak(tmp_path):
    deck = tmp_path / "p.cir"
    deck.write_text("pulse corners\nV1 a 0 pulse(0 1 10n 1n 1n 20n 100n)\n"
                    "V2 b 0 pwl(0 0 10.0000001n 1 50n 1)\nR1 a b 1k\n.tran 1n 100n\n.end\n")
    circ = load_circuit(str(deck))
    from edapipe.analog.analyses import Simulator
    sim = Simulator(circ)
    plan = _plan(tstep=1e-9, tstop=1e-7, tmax=2e-9)
    breaks = _breakpoints(sim.sys, False, plan)[::-1]
    assert breaks[0] == 0.0 and breaks[-1] == 1e-7
    assert all(b - a > plan.minbreak for a, b in zip(breaks, breaks[1:]))
    # 10 ns (pulse) and 10.0000001 ns (pwl) are one breakpoint; both other corners stay
    assert sum(1 for b in breaks if abs(b - 1e-8) < 1e-12) == 1
    for corner in (1.1e-8, 3.1e-8, 3.2e-8, 5e-8):
        assert any(abs(b - corner) < 1e-15 for b in breaks), corner


def test_transient_lands_on_every_source_corner(tmp_path):
    """The stored time points include each corner of a pulse exactly (as ngspice's)."""
    deck = tmp_path / "rc.cir"
    deck.write_text("rc\nV1 a 0 pulse(0 1 10n 2n 3n 20n 100n)\nR1 a b 1k\nC1 b 0 10p\n"
                    ".tran 1n 150n\n.end\n")
    res = simulate(load_circuit(str(deck))).results[0]
    times = list(res.scale)
    for corner in (10e-9, 12e-9, 32e-9, 35e-9, 110e-9, 112e-9, 132e-9, 135e-9):
        assert any(t == pytest.approx(corner, rel=1e-12, abs=0) for t in times), corner
    assert times[-1] == pytest.approx(150e-9) and math.isfinite(res.data[-1, 0])
