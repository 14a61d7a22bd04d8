"""Pass `dch`: structural choices proven equal to their representatives, without cycles; the
merged AIG is equivalent to the input."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import read
from edapipe.aig.sim import literal_words, simulate_words
from edapipe.aig.sim_kernels import projections
from edapipe.synth import dch
from edapipe.synth.script import run_script
from tests.conftest import bench
from tests.equivalence import assert_equivalent
from tests.strategies import aigs


def choice_pairs(ch: dch.Choices) -> list[tuple[int, int]]:
    """(representative literal, choice literal) for every choice, phase applied."""
    return [(2 * int(ch.repr[v]) ^ int(ch.phase[v]), 2 * v)
            for v in np.flatnonzero(ch.repr >= 0).tolist()]


def assert_choices_simulate_equal(ch: dch.Choices) -> None:
    """Exhaustively (<= 16 inputs): every choice computes its representative's function."""
    pairs = choice_pairs(ch)
    if not pairs:
        return
    words = simulate_words(ch.aig, projections(ch.aig.num_cis))
    lits = np.array([x for p in pairs for x in p], dtype=np.int64)
    tables = literal_words(ch.aig, words, lits)
    if ch.aig.num_cis < 6:
        tables &= np.uint64((1 << (1 << ch.aig.num_cis)) - 1)
    assert np.array_equal(tables[0::2], tables[1::2])


def in_fanin_cone(ch: dch.Choices, start: int, target: int) -> bool:
    base = ch.aig.num_cis + 1
    seen, stack = set(), [start]
    while stack:
        x = stack.pop()
        if x == target:
            return True
        if x < base or x in seen:
            continue
        seen.add(x)
        stack += [int(ch.aig.fanin0[x - base]) >> 1, int(ch.aig.fanin1[x - base]) >> 1]
    return False


def assert_acyclic(ch: dch.Choices) -> None:
    for rep_lit, v_lit in choice_pairs(ch):
        assert not in_fanin_cone(ch, v_lit >> 1, rep_lit >> 1)


def test_rewritten_structure_becomes_a_choice():
    b = AigBuilder()
    a, c, d = (b.add_input() for _ in range(3))
    b.add_output(b.or_(b.and_(a, c), b.and_(a, d)))   # rewriting makes a & (c | d)
    aig = b.build()
    ch, stats, plain = dch.compute(aig)
    assert stats.choices >= 1 and ch.num_choices == stats.choices
    root = int(ch.aig.outputs[0]) >> 1               # a & (c | d), from the snapshot
    assert [v for v, _ in ch.members(root)]          # has the input's form as a choice
    assert_choices_simulate_equal(ch)
    assert_acyclic(ch)
    assert plain.num_ands <= aig.num_ands
    assert_equivalent(aig, plain)


def test_union_keeps_the_input_interface():
    aig = read(bench("epfl", "ctrl.aig"))
    ch, stats, plain = dch.compute(aig)
    assert ch.aig.num_cis == aig.num_cis and np.array_equal(ch.aig.outputs.shape,
                                                            aig.outputs.shape)
    assert stats.union_ands == ch.aig.num_ands >= aig.num_ands
    assert stats.choices > 0
    assert aig.num_cis <= 16
    assert_choices_simulate_equal(ch)
    assert_acyclic(ch)
    assert_equivalent(aig, plain)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(max_inputs=7, max_ands=50))
def test_random_circuits(aig):
    ch, _, plain = dch.compute(aig)
    assert_choices_simulate_equal(ch)
    assert_acyclic(ch)
    assert_equivalent(aig, ch.aig)      # the union's outputs are the input's
    assert_equivalent(aig, plain)


@pytest.mark.parametrize("suite,name", [("iscas85", "c432.bench"), ("epfl", "int2float.aig")])
def test_choices_proven_by_sat_on_benchmarks(suite, name):
    from edapipe.verify.sweep import ConeSolver

    aig = read(bench(suite, name))
    ch, stats, plain = dch.compute(aig)
    assert stats.choices > 0
    solver = ConeSolver(ch.aig.fanin0.astype(np.int32), ch.aig.fanin1.astype(np.int32),
                        ch.aig.num_cis + 1)
    try:
        for rep_lit, v_lit in choice_pairs(ch):
            assert solver.prove_equal(rep_lit, v_lit, 0) == (True, None)
    finally:
        solver.delete()
    assert_acyclic(ch)
    assert_equivalent(aig, plain)


def test_dch_runs_in_a_script():
    aig = read(bench("iscas85", "c880.bench"))
    out, steps = run_script(aig, "dch -C 100; b")
    assert steps[0].text == "dch -C 100" and steps[0].stats["choices"] > 0
    assert_equivalent(aig, out)
