"""The cut CNF: covers, clauses and cuts."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.verify.seq.cutcnf import FULL, MASK, cut, cut_clauses, isop


def _cover_truth(cubes) -> int:
    t = 0
    for cube in cubes:
        c = FULL
        for leaf, value in cube:
            c &= MASK[leaf] if value else FULL ^ MASK[leaf]
        t |= c
    return t


def test_isop_of_every_three_leaf_function_and_random_four_leaf_ones():
    rng = random.Random(7)
    tables = [sum(((f >> (t & 7)) & 1) << t for t in range(16)) for f in range(256)]
    tables += [rng.randrange(1 << 16) for _ in range(3000)]
    for on in tables:
        dc = rng.randrange(1 << 16) & ~on & FULL
        for upper in (on, on | dc):
            cover, cubes = isop(on, upper)
            assert on & ~cover == 0 and cover & ~upper & FULL == 0
            assert _cover_truth(cubes) == cover
            # irredundant: no cube can go
            for i in range(len(cubes)):
                rest = _cover_truth(cubes[:i] + cubes[i + 1:])
                assert on & ~rest, (on, upper, cubes)


@settings(max_examples=200, deadline=None)
@given(tt=st.integers(0, FULL), n=st.integers(1, 4))
def test_clauses_hold_exactly_when_the_variable_is_the_function(tt, n):
    # a function of the first n leaves only
    tt = sum(((tt >> (t & ((1 << n) - 1))) & 1) << t for t in range(16))
    lits = [2, -3, 4, 5][:n]            # negated literals too
    clauses = cut_clauses(1, lits, tt)
    for bits in itertools.product((0, 1), repeat=6):
        value = {v: bits[v - 1] for v in range(1, 7)}

        def true(x: int) -> bool:
            return bool(value[abs(x)]) ^ (x < 0)

        leaves = sum(true(x) << i for i, x in enumerate(lits))
        holds = all(any(true(x) for x in c) for c in clauses)
        assert holds == (value[1] == (tt >> leaves) & 1)


def test_cut_expands_single_fanout_fanins_only():
    b = AigBuilder()
    x, y, z = b.add_input(), b.add_input(), b.add_input()
    xor = b.xor_(x, y)                          # three ANDs
    shared = b.and_(xor, z)
    top = b.and_(shared, b.and_(xor ^ 1, z ^ 1))
    refs = [0] * b.num_vars
    for v in range(b.num_vars):
        if b.is_and(v):
            for f in b.fanins(v):
                refs[f >> 1] += 1
    satvar = [0] * b.num_vars
    leaves, tt = cut(b, xor >> 1, satvar, refs)
    assert sorted(leaves) == [x >> 1, y >> 1]
    assert tt in (MASK[0] ^ MASK[1], FULL ^ MASK[0] ^ MASK[1])
    # the XOR has two fanouts: the top's cut stops there (its leaves: xor, z)
    leaves, _ = cut(b, top >> 1, satvar, refs)
    assert sorted(leaves) == sorted([xor >> 1, z >> 1])
    # a node with a solver variable is a leaf too
    satvar[shared >> 1] = 9
    leaves, _ = cut(b, top >> 1, satvar, refs)
    assert shared >> 1 in leaves
