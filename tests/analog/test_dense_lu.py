"""Small linear circuits are solved by numpy's dense LU (analyses.DENSE_MAX); the answers
are those of the sparse kernels."""

from __future__ import annotations

import numpy as np

from edapipe.analog import analyses
from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck

LADDER = ("ladder\nv1 1 0 dc 1 pulse(0 1 0 1n 1n 5u 10u)\nr1 1 2 1k\nc1 2 0 1n\n"
          "r2 2 3 2k\nc2 3 0 2n\nr3 3 0 3k\nl1 3 4 1m\nr4 4 0 50\n"
          ".op\n.dc v1 0 2 0.5\n.tran 0.1u 20u\n.end\n")


def _run(monkeypatch, dense_max):
    monkeypatch.setattr(analyses, "DENSE_MAX", dense_max)
    circ = flatten(parse_deck(LADDER, "ladder.cir"))
    out = []
    for card in circ.analyses:
        sim = Simulator(circ)
        out.append(run_analysis(sim, parse_analysis(card)))
        if dense_max:
            assert isinstance(sim._lin_lu, analyses._DenseLU)
    return out


def test_dense_and_sparse_solutions_agree(monkeypatch):
    dense = _run(monkeypatch, 32)
    sparse = _run(monkeypatch, 0)
    for d, s in zip(dense, sparse):
        assert d.data.shape == s.data.shape
        assert np.allclose(d.data, s.data, rtol=1e-9, atol=1e-12)   # (roundoff only)
        if d.scale is not None:     # (a transient's steps follow its values' last digits)
            assert np.allclose(d.scale, s.scale, rtol=1e-9, atol=0.0)


def test_a_singular_small_system_is_reported_as_singular():
    circ = flatten(parse_deck("t\nV1 1 0 1\nV2 1 0 2\nR1 1 0 1k\n.op\n.end\n", "t.cir"))
    sim = Simulator(circ)
    try:
        run_analysis(sim, parse_analysis(circ.analyses[0]))
    except Exception as exc:        # the same located error as the sparse path gives
        assert "singular" in str(exc).lower()
    else:
        raise AssertionError("a loop of voltage sources must not solve")
