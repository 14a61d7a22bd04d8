"""The cut CNF: covers, clauses and cuts."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.verify.seq.cutcnf import FULL, MASK, cut, cut_clauses, isop
from tests.strategies import aigs, node_values


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


def _refs(b: AigBuilder) -> list[int]:
    refs = [0] * b.num_vars
    for v in range(b.num_vars):
        if b.is_and(v):
            for f in b.fanins(v):
                refs[f >> 1] += 1
    return refs


@settings(max_examples=60, deadline=None)
@given(aig=aigs(max_inputs=6, max_latches=0, max_ands=40))
def test_every_cut_computes_its_node(aig):
    """On random AIGs (read into a builder, as the unrolling is), each AND's cut and truth
    table agree with simulation of every input pattern."""
    b = AigBuilder()
    lit = [0] * aig.num_vars
    for k in range(aig.num_inputs):
        lit[1 + k] = b.add_input()
    for g, (p, q) in enumerate(zip(aig.fanin0.tolist(), aig.fanin1.tolist())):
        lit[aig.first_and_var + g] = b.and_(lit[p >> 1] ^ (p & 1), lit[q >> 1] ^ (q & 1))
    built = b.build()
    refs, satvar = _refs(b), [0] * b.num_vars
    cuts = {k: cut(b, k, satvar, refs) for k in range(b.num_vars) if b.is_and(k)}
    for pattern in range(1 << built.num_inputs):
        val = node_values(built, [(pattern >> i) & 1 for i in range(built.num_inputs)])
        for k, (leaves, tt) in cuts.items():
            assert len(leaves) <= 4
            t = sum(val[j] << i for i, j in enumerate(leaves))
            assert val[k] == (tt >> t) & 1


def test_a_long_single_fanout_chain_is_one_cut():
    """Thousands of ANDs of two inputs in a chain: one 2-leaf cut, no recursion limit, and
    BMC over it answers."""
    from edapipe.verify.seq.bmc import bmc
    from edapipe.verify.seq.model import problem

    b = AigBuilder()
    x, y = b.add_input(), b.add_input()
    q = b.add_latch(init=0)
    chain = b.and_(x, y ^ 1)
    for k in range(3000):
        chain = b.and_(chain, x if k % 2 else y ^ 1)
    b.set_latch_next(q, chain)
    b.add_bad(b.latch_lit(q))
    refs = _refs(b)
    leaves, tt = cut(b, chain >> 1, [0] * b.num_vars, refs)
    assert sorted(leaves) == [x >> 1, y >> 1]
    assert tt == MASK[leaves.index(x >> 1)] & (FULL ^ MASK[leaves.index(y >> 1)])
    res = bmc(problem(b.build(), 0), max_frames=3)
    assert res.status == "fails" and res.depth == 1
