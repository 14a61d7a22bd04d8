"""The product reduced by proven equivalences reaches a bad state exactly when the product
does (explicit-state search as the judge), and its traces lift to traces of the product."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.aig.core import LATCH_INIT_X
from edapipe.verify.seq.reduce import merge
from edapipe.verify.seq.result import FAILS, HOLDS, Trace
from edapipe.verify.seq.scorr import correspondence, pairs_of
from edapipe.verify.seq.sec import SecParams, check_sec, product
from tests.verify.seq.oracle import evaluate, lit, random_design, reachable_bad


def as_outputs(aig):
    """The design's bad literal as its only output (sec compares outputs)."""
    return aig.replace(outputs=aig.bad, bad=[], output_names=("o",))


def flipped(aig, rng):
    """The same design with one AND fanin inverted (often still equal on reachable states)."""
    f0, f1 = aig.fanin0.copy(), aig.fanin1.copy()
    k = int(rng.integers(aig.num_ands))
    f0[k] ^= 1
    return aig.replace(fanin0=np.maximum(f0, f1), fanin1=np.minimum(f0, f1))


def pair(seed: int):
    rng = np.random.default_rng(seed)
    a = as_outputs(random_design(rng, n_in=int(rng.integers(1, 3)),
                                 n_lat=int(rng.integers(1, 5)), n_and=int(rng.integers(4, 14))))
    b = a if seed % 3 == 0 else flipped(a, rng)
    return a, b


@pytest.mark.parametrize("seed", range(40))
def test_reduced_product_keeps_reachability(seed):
    a, b = pair(seed)
    prod = product(a, b).aig
    sim = correspondence(prod, SecParams(), {})
    red = merge(prod, pairs_of(sim.cls), sim.phase)
    assert red.aig.num_latches <= prod.num_latches
    assert reachable_bad(red.aig) == reachable_bad(prod)


def trace_reaches_bad(aig, trace) -> bool:
    state = trace.init.tolist()
    val = None
    for row in trace.inputs.tolist():
        val = evaluate(aig, row, state)
        state = [lit(val, n) for n in aig.latch_next.tolist()]
    return bool(lit(val, int(aig.bad[0])))


@pytest.mark.parametrize("seed", range(40))
def test_sec_verdict_matches_explicit_search(seed):
    a, b = pair(seed)
    depth = reachable_bad(product(a, b).aig)
    # odd seeds: one frame of simulation, so more verdicts come from the engines
    res = check_sec(a, b, SecParams(sim_frames=1, sim_words=1) if seed % 2 else SecParams())
    assert res.status == (HOLDS if depth is None else FAILS)
    if res.status == FAILS:
        prod = product(a, b).aig
        init = np.concatenate([res.trace_a.init, res.init_b])
        assert trace_reaches_bad(prod, Trace(init, res.trace_a.inputs))


def test_merged_latches_disappear():
    """A design without X resets against itself: B's latches are copies of A's and go,
    and the bad output becomes constant 0."""
    checked = 0
    for seed in range(30):
        a, _ = pair(seed)
        if (a.latch_init == LATCH_INIT_X).any():
            continue                  # free in each design: not equal, and neither is what they feed
        prod = product(a, a).aig
        sim = correspondence(prod, SecParams(), {})
        red = merge(prod, pairs_of(sim.cls), sim.phase)
        assert (red.kept < a.num_latches).all()
        assert red.aig.bad.tolist() == [0]
        checked += 1
    assert checked >= 5
