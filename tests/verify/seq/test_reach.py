"""Explicit-state reachability (reach.py), judged by the independent explicit search and
replayer of oracle.py; every reachable set checked as a certificate."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X
from edapipe.aig.io import read
from edapipe.verify.seq.certificate import build_certificate, check_certificate
from edapipe.verify.seq.model import problem, property_names
from edapipe.verify.seq.prove import ProveParams, prove
from edapipe.verify.seq.reach import ReachLimits, StateSet, reach
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, witness_text
from tests.conftest import BENCHMARKS, need
from tests.verify.seq.oracle import random_design, reachable_bad, replay_witness
from tests.verify.seq.test_engines import counter, free_counter, guarded, toggle


def judge(aig, expect_depth, limits: ReachLimits = ReachLimits()):
    res = reach(problem(aig, 0), limits=limits)
    if expect_depth is None:
        assert res.status == HOLDS, res
        assert isinstance(res.invariant, StateSet)
        cert = build_certificate(aig, {0: res.invariant}, property_names(aig))
        assert all(r.ok for r in check_certificate(aig, cert))
    else:
        assert res.status == FAILS, res
        assert replay_witness(aig, witness_text(res.trace, 0)) == [0]
        assert res.trace.length == expect_depth + 1       # breadth first: the shortest
    return res


@pytest.mark.parametrize("seed", range(80))
def test_random_designs_agree_with_explicit_search(seed):
    rng = np.random.default_rng(1000 + seed)
    aig = random_design(rng, n_in=int(rng.integers(0, 4)), n_lat=int(rng.integers(1, 7)),
                        n_and=int(rng.integers(4, 24)), constraints=int(rng.integers(0, 3)))
    judge(aig, reachable_bad(aig))


@pytest.mark.parametrize("seed", range(20))
def test_input_enumeration_in_small_batches(seed):
    """Batches of a few patterns split the frontier and the input combinations
    differently; the answer and the trace length must not change."""
    rng = np.random.default_rng(2000 + seed)
    aig = random_design(rng, n_in=3, n_lat=5, n_and=20, constraints=int(rng.integers(0, 2)))
    judge(aig, reachable_bad(aig), ReachLimits(batch_patterns=8))


def test_hand_built_designs():
    judge(counter(3, 8, 5), 5)
    res = judge(counter(3, 6, 7), None)
    assert len(res.invariant.rows) == 6                   # exactly the reachable counts
    judge(toggle(0), 1)
    assert judge(toggle(LATCH_INIT_X), 0).trace.init.tolist() == [1]
    judge(guarded(False, True), 0)
    judge(guarded(False, False), 1)
    judge(guarded(True, False), None)
    judge(guarded(True, True), None)


def test_wide_counter_with_inputs_that_do_not_matter():
    """20 inputs (too many to enumerate) but none reaches the state: the ternary pass
    settles every state, so a 12-bit counter is walked to its bad value."""
    b = AigBuilder("wide")
    ins = [b.add_input(f"i{k}") for k in range(20)]
    q = free_counter(b, "c", 12)
    b.add_output(b.and_n(ins), "unused")
    b.add_bad(b.and_n([q[k] ^ (1 - (3000 >> k & 1)) for k in range(12)]))
    aig = b.build()
    res = reach(problem(aig, 0))
    assert res.status == FAILS and res.trace.length == 3001
    assert replay_witness(aig, witness_text(res.trace, 0)) == [0]


def test_limits_give_undecided():
    aig = counter(6, 40, 63)                               # 40 states, never bad
    assert reach(problem(aig, 0), limits=ReachLimits(max_states=10)).status == UNDECIDED
    assert reach(problem(aig, 0), max_frames=5).status == UNDECIDED
    b = AigBuilder("inputs")
    ins = [b.add_input(f"i{k}") for k in range(5)]
    k = b.add_latch("l", 0)
    b.set_latch_next(k, b.xor_n(ins))                      # the inputs decide the state
    b.add_bad(b.and_(b.latch_lit(k), ins[0]))
    res = reach(problem(b.build(), 0), limits=ReachLimits(max_input_bits=4))
    assert res.status == UNDECIDED and "inputs" in res.stats["reason"]


def test_a_layer_that_cannot_end_within_the_search_limit_gives_up_at_once():
    """16 latches loaded from 16 inputs: the second layer has 65,536 states of 65,536 input
    patterns each, far beyond 2 s; the search sees that early and stops."""
    import time

    b = AigBuilder("load")
    ins = [b.add_input(f"i{k}") for k in range(16)]
    lat = [b.add_latch(f"l{k}", 0) for k in range(16)]
    for k, x in zip(lat, ins):
        b.set_latch_next(k, x)
    z = b.add_latch("z", 0)                               # stays 0: bad is never reached
    b.set_latch_next(z, b.latch_lit(z))
    b.add_bad(b.and_(b.latch_lit(z), b.and_n([b.latch_lit(k) for k in lat])))
    prob = problem(b.build(), 0)
    start = time.process_time()
    res = reach(prob, limits=ReachLimits(search_cpu=2.0))
    assert res.status == UNDECIDED and res.stats["reason"] == "search CPU limit (projected)"
    assert time.process_time() - start < 1.5


def test_certificate_of_a_wrong_set_is_rejected():
    """The certificate built from a state set is judged, not trusted: dropping a
    reachable state breaks induction, adding the bad state breaks safety."""
    aig = counter(3, 6, 7)
    res = reach(problem(aig, 0))
    rows = res.invariant.rows
    names = property_names(aig)
    keep = rows[~np.all(rows == [1, 0, 1], axis=1)]        # drop the count 5
    (r,) = check_certificate(aig, build_certificate(
        aig, {0: StateSet(res.invariant.latches, keep)}, names))
    assert not r.ok and r.failed == "inductive"
    more = np.vstack([rows, [[1, 1, 1]]])
    (r,) = check_certificate(aig, build_certificate(
        aig, {0: StateSet(res.invariant.latches, more)}, names))
    assert not r.ok and r.failed in ("safe", "inductive")


MC = BENCHMARKS / "mc"


@pytest.mark.parametrize("name,status,frames", [
    ("collatz-sequence-16-29", FAILS, 117),      # ABC pdr: undecided in 60 s
    ("fibonacci-08-0xb8", HOLDS, None),          # ABC pdr: undecided in 60 s
    ("multiplication-commutativity-4", HOLDS, None),
])
def test_shared_instances_beyond_pdr(name, status, frames):
    aig = read(need(MC / f"{name}.aig"))
    res = judge(aig, None if status == HOLDS else frames - 1)
    assert res.status == status
    # the portfolio gives the same verdict (which engine wins depends on the machine)
    (r,) = prove(aig, ProveParams(engine="auto", cpu_limit=60.0, need_invariant=True))
    assert r.status == status
