"""The engines on hand-built designs and random small ones, judged by an explicit-state
search and an independent replayer; every proof checked as a certificate."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X
from edapipe.verify.seq.bmc import bmc
from edapipe.verify.seq.certificate import build_certificate, check_certificate
from edapipe.verify.seq.kind import kind
from edapipe.verify.seq.model import problem, property_names
from edapipe.verify.seq.pdr import pdr
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, witness_text
from tests.verify.seq.oracle import random_design, reachable_bad, replay_witness

ENGINES = {"pdr": pdr, "kind": kind, "bmc": bmc}


def free_counter(b: AigBuilder, name: str, bits: int) -> list[int]:
    """A free-running `bits`-bit counter from 0 in `b`: its latch literals, low bit first."""
    idx = [b.add_latch(f"{name}{k}", 0) for k in range(bits)]
    q = [b.latch_lit(k) for k in idx]
    carry = 1
    for k in range(bits):
        b.set_latch_next(idx[k], b.xor_(q[k], carry))
        carry = b.and_(carry, q[k])
    return q


def counter(bits: int, wrap: int, bad_value: int, init: int = 0):
    """A binary counter counting 0..wrap-1 (enable input), bad when it equals bad_value."""
    b = AigBuilder("counter")
    en = b.add_input("en")
    idx = [b.add_latch(f"c{k}", (init >> k) & 1) for k in range(bits)]
    q = [b.latch_lit(k) for k in idx]
    at_top = b.and_n([q[k] ^ (1 - ((wrap - 1) >> k & 1)) for k in range(bits)])
    carry = en
    for k in range(bits):
        inc = b.xor_(q[k], carry)
        carry = b.and_(carry, q[k])
        b.set_latch_next(idx[k], b.and_(inc, b.and_(en, at_top) ^ 1))
    b.add_bad(b.and_n([q[k] ^ (1 - (bad_value >> k & 1)) for k in range(bits)]))
    return b.build()


def check(aig, engine, expect_depth):
    """Run an engine on property 0; judge its answer against the explicit-state depth."""
    # BMC alone never ends on a property that holds: bound it
    res = ENGINES[engine](problem(aig, 0), max_frames=40 if engine == "bmc" else 0)
    if expect_depth is None:
        if engine == "bmc":
            assert res.status in (UNDECIDED, HOLDS)
            return res
        assert res.status == HOLDS, res
        if res.invariant is not None:
            cert = build_certificate(aig, {0: res.invariant}, property_names(aig))
            assert all(r.ok for r in check_certificate(aig, cert))
        return res
    assert res.status == FAILS, res
    assert replay_witness(aig, witness_text(res.trace, 0)) == [0]
    if engine == "bmc":
        assert res.trace.length == expect_depth + 1      # BMC finds the shortest trace
    return res


@pytest.mark.parametrize("engine", ["pdr", "kind", "bmc"])
def test_counter_reaches_value(engine):
    check(counter(3, 8, 5), engine, 5)


@pytest.mark.parametrize("engine", ["pdr", "kind"])
def test_counter_never_passes_wrap(engine):
    res = check(counter(3, 6, 7), engine, None)
    if engine == "pdr":
        assert res.invariant                               # not provable without lemmas


def test_bmc_with_frame_bound_is_undecided():
    assert bmc(problem(counter(4, 16, 12), 0), max_frames=5).status == UNDECIDED


def toggle(init: int):
    b = AigBuilder("toggle")
    k = b.add_latch("t", init)
    t = b.latch_lit(k)
    b.set_latch_next(k, t ^ 1)
    b.add_bad(t)
    return b.build()


@pytest.mark.parametrize("engine", ["pdr", "kind", "bmc"])
@pytest.mark.parametrize("init,depth", [(0, 1), (1, 0), (LATCH_INIT_X, 0)])
def test_toggle_inits(engine, init, depth):
    res = check(toggle(init), engine, depth)
    if init == LATCH_INIT_X:
        assert res.trace.init.tolist() == [1]             # X chosen as 1 in the witness


def guarded(with_constraint: bool, in_bad_frame: bool):
    """l' = i, bad = l (or bad = i); the constraint !i forbids the input that gets there."""
    b = AigBuilder("guarded")
    i = b.add_input("i")
    k = b.add_latch("l", 0)
    b.set_latch_next(k, i)
    b.add_bad(i if in_bad_frame else b.latch_lit(k))
    if with_constraint:
        b.add_constraint(i ^ 1)
    return b.build()


@pytest.mark.parametrize("engine", ["pdr", "kind", "bmc"])
@pytest.mark.parametrize("in_bad_frame", [False, True])
def test_constraints_hold_in_every_frame(engine, in_bad_frame):
    check(guarded(False, in_bad_frame), engine, 0 if in_bad_frame else 1)
    check(guarded(True, in_bad_frame), engine, None)


@pytest.mark.parametrize("seed", range(60))
def test_random_designs_agree_with_explicit_search(seed):
    rng = np.random.default_rng(seed)
    aig = random_design(rng, n_in=int(rng.integers(1, 3)), n_lat=int(rng.integers(1, 6)),
                        n_and=int(rng.integers(4, 18)), constraints=int(rng.integers(0, 2)))
    depth = reachable_bad(aig)
    for engine in ("pdr", "kind"):
        check(aig, engine, depth)
    if depth is not None:
        check(aig, "bmc", depth)


def test_certificate_checker_rejects_wrong_invariants():
    aig = counter(3, 6, 7)
    names = property_names(aig)
    # "true" is inductive and holds initially but lets the bad state in
    (r,) = check_certificate(aig, build_certificate(aig, {0: []}, names))
    assert not r.ok and r.failed == "safe"
    # excluding the reset state (cube: all latches 0) breaks the init check
    (r,) = check_certificate(aig, build_certificate(aig, {0: [(1, 3, 5)]}, names))
    assert not r.ok and r.failed == "init"
    # "the counter is below 2" holds initially and is safe, but is not inductive
    (r,) = check_certificate(aig, build_certificate(aig, {0: [(2,), (4,)]}, names))
    assert not r.ok and r.failed == "inductive"
