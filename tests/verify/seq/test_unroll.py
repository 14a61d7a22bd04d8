"""The hashed unrolling under BMC: what it folds and shares, and that its shortest traces are
the explicit-state search's (random designs with X inits and constraints)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X
from edapipe.verify.seq.bmc import bmc
from edapipe.verify.seq.model import problem
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, witness_text
from edapipe.verify.seq.unroll import HashedUnroller
from tests.verify.seq.oracle import random_design, reachable_bad, replay_witness


def shift_register(n: int):
    """n latches reset to 0 shifting input i in; bad when all are 1 (first in frame n)."""
    b = AigBuilder("shift")
    i = b.add_input("i")
    idx = [b.add_latch(f"s{k}", 0) for k in range(n)]
    prev = i
    for k in idx:
        b.set_latch_next(k, prev)
        prev = b.latch_lit(k)
    b.add_bad(b.and_n([b.latch_lit(k) for k in idx]))
    return b.build()


def test_reset_constants_fold_and_nothing_is_encoded_before_the_bad_frame():
    u = HashedUnroller(problem(shift_register(6), 0))
    try:
        for t in range(6):
            u.add_frame()
            assert u.bad_lits[t] == 0          # the zeros have not been shifted out yet
            assert not u.bad_reachable()
        assert u.top == 0                      # no solver variable so far
        u.add_frame()
        assert u.bad_reachable()
        trace = u.trace(6)
        assert trace.inputs[:6, 0].tolist() == [1] * 6
    finally:
        u.delete()


def test_logic_alike_in_two_frames_is_one_node():
    """Two X-initialized latches swapping each cycle: frame 2 computes frame 0's functions
    of the same free values, so it adds no node."""
    b = AigBuilder("swap")
    x, y = b.add_latch("x", LATCH_INIT_X), b.add_latch("y", LATCH_INIT_X)
    b.set_latch_next(x, b.latch_lit(y))
    b.set_latch_next(y, b.latch_lit(x))
    b.add_bad(b.and_(b.latch_lit(x), b.latch_lit(y) ^ 1))
    u = HashedUnroller(problem(b.build(), 0))
    try:
        u.add_frame()
        assert u.bad_reachable()
        assert u.trace(0).init.tolist() == [1, 0]      # the X latches chosen by the solver
        u.add_frame()
        nodes = u.g.num_vars
        u.add_frame()
        assert u.g.num_vars == nodes and u.bad_lits[2] == u.bad_lits[0] != u.bad_lits[1]
    finally:
        u.delete()


def _constant_bad(contradict: bool):
    """bad is constant true; the constraints: input i (and not i when `contradict`), and
    not (l and j), which puts latch l in the cone."""
    b = AigBuilder("always")
    i, j = b.add_input("i"), b.add_input("j")
    k = b.add_latch("l", 0)
    b.set_latch_next(k, j)
    b.add_constraint(i)
    if contradict:
        b.add_constraint(i ^ 1)
    b.add_constraint(b.and_(b.latch_lit(k), j) ^ 1)
    b.add_bad(1)
    return b.build()


def test_a_constant_bad_fails_where_the_constraints_allow_a_frame():
    prob = problem(_constant_bad(False), 0)
    assert prob.latches.size == 1
    res = bmc(prob, max_frames=5)
    assert res.status == FAILS and res.depth == 0
    assert res.trace.inputs[0, 0] == 1                 # the constraint holds in that frame
    res = bmc(problem(_constant_bad(True), 0), max_frames=5)   # i and not i: no frame
    assert res.status == UNDECIDED and res.depth == 1


def test_a_constraint_false_from_reset_leaves_bmc_undecided_not_failing():
    b = AigBuilder("never")
    i = b.add_input("i")
    k = b.add_latch("z", 0)
    b.set_latch_next(k, b.latch_lit(k))
    b.add_constraint(b.latch_lit(k))          # constant 0: no frame satisfies it
    b.add_bad(i)
    res = bmc(problem(b.build(), 0), max_frames=10)
    assert res.status == UNDECIDED and res.depth == 1       # frame 0 checked, no deeper


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_lat=st.integers(1, 7), n_and=st.integers(4, 40),
       constraints=st.integers(0, 2))
def test_bmc_finds_the_shortest_trace_of_the_explicit_search(seed, n_lat, n_and, constraints):
    rng = np.random.default_rng(seed)
    aig = random_design(rng, n_in=int(rng.integers(0, 3)), n_lat=n_lat, n_and=n_and,
                        constraints=constraints)
    depth = reachable_bad(aig)
    prob = problem(aig, 0)
    res = bmc(prob, max_frames=(depth + 1) if depth is not None else 12)
    if depth is None:
        # frame 0 decides a property whose cone has no latch
        assert res.status == (HOLDS if prob.latches.size == 0 else UNDECIDED)
        return
    assert res.status == FAILS and res.trace.length == depth + 1
    assert replay_witness(aig, witness_text(res.trace, 0)) == [0]
