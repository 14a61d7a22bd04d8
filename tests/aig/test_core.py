"""The Aig value and its builders: invariants, hashing, folding, cycles."""

import numpy as np
import pytest
from hypothesis import given, settings

from edapipe.aig import LATCH_INIT_X, Aig
from edapipe.aig.builder import AigBuilder, CycleFound, from_raw, strash
from edapipe.aig.sim import truth_tables
from tests.strategies import aigs, evaluate


def test_builder_folds_and_hashes():
    b = AigBuilder()
    x, y = b.add_input("x"), b.add_input("y")
    assert b.and_(x, 0) == 0 and b.and_(x, 1) == x
    assert b.and_(x, x) == x and b.and_(x, x ^ 1) == 0
    g = b.and_(x, y)
    assert b.and_(y, x) == g
    b.add_output(g, "g")
    aig = b.build()
    assert aig.num_ands == 1 and aig.output_names == ("g",)
    assert aig.input_names == ("x", "y")


def test_aig_arrays_are_read_only():
    aig = Aig(num_inputs=2, fanin0=[4], fanin1=[2], outputs=[6])
    with pytest.raises(ValueError):
        aig.fanin0[0] = 2


@pytest.mark.parametrize("f0,f1,out", [([6], [2], [6]),      # fanin equals own literal
                                       ([2], [4], [6]),      # fanin0 < fanin1
                                       ([4], [2], [9])])     # output beyond max var
def test_aig_rejects_broken_structure(f0, f1, out):
    with pytest.raises(ValueError):
        Aig(num_inputs=2, fanin0=f0, fanin1=f1, outputs=out)


def test_xor_mux_truth_tables():
    b = AigBuilder()
    x, y, s = (b.add_input() for _ in range(3))
    b.add_output(b.xor_(x, y))
    b.add_output(b.mux(s, x, y))
    b.add_output(b.or_n([x, y, s]))
    tt = truth_tables(b.build())[:, 0].tolist()
    # minterm m has bit i = input i; x is bit 0, y bit 1, s bit 2
    xor = sum(1 << m for m in range(8) if (m & 1) ^ ((m >> 1) & 1))
    mux = sum(1 << m for m in range(8) if ((m & 1) if m & 4 else (m >> 1) & 1))
    orr = sum(1 << m for m in range(8) if m)
    assert tt == [xor, mux, orr]


def test_from_raw_resolves_forward_references_and_buffers():
    # raw: inputs 1,2; gate 0 (var 3) = AND(var4, x) ; gate 1 (var 4) = NOT y = AND(~y, ~y)
    aig = from_raw(2, 0, [8, 5], [2, 5], [6], output_names=["o"])
    assert aig.num_ands == 1
    assert truth_tables(aig)[0, 0] == 0b0010  # x & ~y: minterm x=1,y=0 is m=1


def test_from_raw_finds_cycles():
    with pytest.raises(CycleFound) as info:
        from_raw(1, 0, [6, 4], [2, 2], [4])  # gate 0 uses gate 1 and vice versa
    assert info.value.gate in (0, 1)


def test_from_raw_rejects_out_of_range():
    with pytest.raises(ValueError):
        from_raw(1, 0, [40], [2], [4])


def test_latches_keep_init_values():
    b = AigBuilder()
    x = b.add_input()
    q0 = b.add_latch("q0", init=1)
    q1 = b.add_latch("q1", init=LATCH_INIT_X)
    b.set_latch_next(q0, b.and_(x, b.latch_lit(q1)))
    b.set_latch_next(q1, b.latch_lit(q0) ^ 1)
    b.add_output(b.latch_lit(q0))
    aig = b.build()
    assert aig.latch_init.tolist() == [1, LATCH_INIT_X]
    assert aig.latch_names == ("q0", "q1")


@settings(max_examples=60, deadline=None)
@given(aigs())
def test_strash_keeps_function(aig):
    hashed = strash(aig)
    assert hashed.num_ands <= aig.num_ands
    rng = np.random.default_rng(1)
    for _ in range(8):
        bits = rng.integers(0, 2, aig.num_cis).tolist()
        assert evaluate(hashed, bits) == evaluate(aig, bits)
    assert strash(hashed).num_ands == hashed.num_ands
