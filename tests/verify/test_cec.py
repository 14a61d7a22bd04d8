"""Equivalence checking: right answers on hand-made, random and mutated circuits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.aig.sim import truth_tables
from edapipe.errors import InputError
from edapipe.verify.cec import CecParams, check_equivalence, witness
from tests.strategies import aigs
from tests.verify.helpers import mutant, replay_differs, restructure


def xor_two_ways():
    a = AigBuilder()
    x, y = a.add_input("x"), a.add_input("y")
    a.add_output(a.xor_(x, y), "f")
    b = AigBuilder()
    x, y = b.add_input("x"), b.add_input("y")
    b.add_output(b.and_(b.or_(x, y), b.and_(x, y) ^ 1), "f")
    return a.build(), b.build()


def test_xor_built_two_ways_is_equivalent():
    a, b = xor_two_ways()
    res = check_equivalence(a, b)
    assert res.equivalent is True and res.cex is None


def test_inverted_output_is_refuted_with_a_real_counter_example():
    a, b = xor_two_ways()
    b = b.replace(outputs=b.outputs ^ 1)
    res = check_equivalence(a, b)
    assert res.equivalent is False and res.failing == ["f"]
    assert replay_differs(a, b, res.cex_a(), res.cex_b())


def test_a_hard_to_simulate_difference_is_found_by_sat():
    # f = x0 & !x1 & x2 & ... (40 inputs) vs constant 0: no random pattern, uniform or
    # biased, hits the one minterm; the circuit solver or CDCL must find it.
    a = AigBuilder()
    xs = [a.add_input(f"x{i}") ^ (i & 1) for i in range(40)]
    a.add_output(a.and_n(xs), "f")
    b = AigBuilder()
    for i in range(40):
        b.add_input(f"x{i}")
    b.add_output(0, "f")
    a, b = a.build(), b.build()
    res = check_equivalence(a, b)
    assert res.equivalent is False
    ia, _ = res.cex_a()
    assert ia.tolist() == [1 - (i & 1) for i in range(40)]
    assert res.stats.sat_cex >= 1


def test_names_match_regardless_of_order():
    a = AigBuilder()
    x, y = a.add_input("x"), a.add_input("y")
    a.add_output(a.and_(x, y ^ 1), "p")
    a.add_output(x, "q")
    b = AigBuilder()
    y2, x2 = b.add_input("y"), b.add_input("x")
    b.add_output(x2, "q")
    b.add_output(b.and_(x2, y2 ^ 1), "p")
    assert check_equivalence(a.build(), b.build()).equivalent is True
    with pytest.raises(AssertionError):
        assert check_equivalence(a.build(), b.build(),
                                 CecParams(by_position=True)).equivalent is True


def test_interface_mismatch_lists_what_differs():
    a = AigBuilder()
    a.add_output(a.add_input("x"), "f")
    b = AigBuilder()
    b.add_output(b.add_input("z"), "g")
    with pytest.raises(InputError) as err:
        check_equivalence(a.build(), b.build())
    text = str(err.value)
    assert "inputs only in A: x" in text and "inputs only in B: z" in text
    assert "outputs only in A: f" in text and "outputs only in B: g" in text


def test_latch_boundaries_are_matched_by_name():
    def make(order, flip):
        b = AigBuilder()
        x = b.add_input("x")
        idx = {name: b.add_latch(name) for name in order}
        q, r = b.latch_lit(idx["q"]), b.latch_lit(idx["r"])
        b.set_latch_next(idx["q"], b.xor_(x, r))
        b.set_latch_next(idx["r"], b.and_(x, q) ^ flip)
        b.add_output(b.or_(q, r), "o")
        return b.build()

    assert check_equivalence(make("qr", 0), make("rq", 0)).equivalent is True
    res = check_equivalence(make("qr", 0), make("rq", 1))
    assert res.equivalent is False and res.failing == ["r.next"]
    a, b = make("qr", 0), make("rq", 1)
    assert replay_differs(a, b, res.cex_a(), res.cex_b())


def test_conflict_limit_gives_undecided_or_answer():
    a, b = xor_two_ways()
    res = check_equivalence(a, b, CecParams(conflict_limit=1))
    assert res.equivalent in (True, None)


def test_witness_format():
    text = witness(np.array([1, 0, 1], dtype=np.uint8), np.array([0], dtype=np.uint8))
    assert text == "1\nb0\n0\n101\n.\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(max_inputs=10, max_latches=2, max_ands=50), st.integers(0, 2**32 - 1),
       st.booleans())
def test_random_pairs_agree_with_truth_tables(a, seed, mutate):
    rng = np.random.default_rng(seed)
    b = restructure(a, rng)
    if mutate:
        b, _ = mutant(b, rng)
    res = check_equivalence(a, b, CecParams())
    same = np.array_equal(truth_tables(a), truth_tables(b))
    assert res.equivalent is same
    if not same:
        assert replay_differs(a, b, res.cex_a(), res.cex_b())


@settings(max_examples=30, deadline=None)
@given(aigs(max_inputs=8, max_latches=0, max_ands=40), st.integers(0, 2**32 - 1))
def test_random_pairs_with_tiny_simulation_still_right(a, seed):
    """One word of simulation and small cuts leave the work to SAT and refinement."""
    from edapipe.verify.sweep import SweepParams

    rng = np.random.default_rng(seed)
    b, _ = mutant(restructure(a, rng), rng, "complement")
    res = check_equivalence(a, b, CecParams(sweep=SweepParams(sim_words=1, cut_size=2,
                                                               seed=seed)))
    same = np.array_equal(truth_tables(a), truth_tables(b))
    assert res.equivalent is same
    if not same:
        assert replay_differs(a, b, res.cex_a(), res.cex_b())
