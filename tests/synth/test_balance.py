"""Pass `balance`: depth-optimal AND trees, equivalence, sharing, ABC's figures."""

import pytest
from hypothesis import given, settings

from edapipe.aig import io
from edapipe.aig.analysis import depth
from edapipe.aig.builder import AigBuilder
from edapipe.synth import balance
from tests.strategies import aigs
from tests.equivalence import (EPFL_ALL, EPFL_SMALL, ISCAS_ALL, ISCAS_SMALL,
                                   abc_cec, assert_equivalent, source)


def test_chain_becomes_tree():
    b = AigBuilder()
    xs = [b.add_input() for _ in range(8)]
    acc = xs[0]
    for x in xs[1:]:
        acc = b.and_(acc, x)
    b.add_output(acc)
    aig = b.build()
    assert depth(aig) == 7
    out, stats = balance.run(aig)
    assert (stats.levels_before, stats.levels_after) == (7, 3)
    assert out.num_ands == 7
    assert_equivalent(aig, out)


def test_late_operand_goes_on_top():
    # ((a & b) & c) & late, where `late` has level 3: the result must have depth 4, not 5
    b = AigBuilder()
    a, c, d, x, y, z, w = (b.add_input() for _ in range(7))
    late = b.or_(b.and_(x, b.or_(y, z)), w)   # level 3, complemented root: its own supergate
    top = b.and_(b.and_(b.and_(a, c), d), late)
    b.add_output(top)
    aig = b.build()
    out, _ = balance.run(aig)
    assert depth(out) == 4
    assert_equivalent(aig, out)


def test_duplicates_and_complements_collapse():
    b = AigBuilder()
    x, y, z = (b.add_input() for _ in range(3))
    g = b.and_(b.and_(x, y), b.and_(y, z))       # x & y & y & z
    h = b.and_(b.and_(x, z), b.and_(x ^ 1, y))   # x & z & ~x & y: constant 0
    b.add_output(g)
    b.add_output(h)
    aig = b.build()
    out, _ = balance.run(aig)
    assert out.outputs[1] == 0
    assert out.num_ands == 2
    assert_equivalent(aig, out)


def test_latches_pass_through():
    b = AigBuilder()
    x, y = b.add_input("x"), b.add_input("y")
    q = b.add_latch("q", init=1)
    ql = b.latch_lit(q)
    b.set_latch_next(q, b.and_(b.and_(b.and_(x, y), ql), x ^ 1 ^ 1))
    b.add_output(b.and_(ql, y), "o")
    aig = b.build()
    out, _ = balance.run(aig)
    assert out.num_latches == 1 and out.latch_names == ("q",)
    assert_equivalent(aig, out)


@settings(max_examples=100, deadline=None)
@given(aigs(max_inputs=8, max_ands=80))
def test_random_aigs_stay_equivalent(aig):
    for params in (balance.Params(), balance.Params(level_driven=False)):
        out, stats = balance.run(aig, params)
        assert_equivalent(aig, out)
        assert out.num_ands <= aig.num_ands
        if params.level_driven:
            assert stats.levels_after <= max(stats.levels_before, 0)


@pytest.mark.parametrize("name", EPFL_SMALL + ISCAS_SMALL)
def test_shared_circuits(name, tmp_path):
    aig = io.read(source(name))
    out, stats = balance.run(aig)
    assert stats.levels_after <= stats.levels_before
    assert out.num_ands <= aig.num_ands
    assert_equivalent(aig, out)
    abc_cec(aig, out, tmp_path)


def test_matches_abc_on_sin():
    # ABC 1.01 `strash; balance` gives 5392 ANDs and 186 levels
    aig = io.read(source("sin"))
    out, stats = balance.run(aig)
    assert stats.levels_after == 186
    assert out.num_ands <= 5392 * 1.01
    assert_equivalent(aig, out)


@pytest.mark.slow
@pytest.mark.parametrize("name", EPFL_ALL + ISCAS_ALL)
def test_every_shared_circuit_cec(name, tmp_path):
    aig = io.read(source(name))
    for params in (balance.Params(), balance.Params(level_driven=False)):
        out, stats = balance.run(aig, params)
        if params.level_driven:
            assert stats.levels_after <= stats.levels_before
        assert_equivalent(aig, out)
        abc_cec(aig, out, tmp_path)
