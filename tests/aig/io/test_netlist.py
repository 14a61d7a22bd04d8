"""The batch path shared by the netlist readers: `aig.builder.from_raw` (ordered gates keep
their order, unordered ones are built depth-first; both strash) and its numpy fast path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig import sim
from edapipe.aig.builder import CycleFound, from_raw


def test_ordered_gates_keep_their_order_and_unreachable_ones_go():
    # inputs 1, 2; gates: var 3 = 1&2 (unused), var 4 = ~1 & 2, var 5 = 4 & ~1... output 5
    aig = from_raw(2, 0, [2, 3, 8], [4, 4, 3], [10], output_names=["y"])
    assert aig.num_ands == 2
    assert aig.fanin0.tolist() == [4, 6] and aig.fanin1.tolist() == [3, 3]
    assert aig.outputs.tolist() == [8]


def test_ordered_gates_are_strashed_when_they_need_it():
    # two equal gates, a buffer AND(x, x), a constant fanin and x & ~x
    aig = from_raw(2, 0, [2, 4, 2, 6, 2, 2], [4, 2, 2, 1, 3, 0],
                   [6, 8, 10, 12, 14, 16])
    assert aig.num_ands == 1
    assert aig.outputs.tolist() == [6, 6, 2, 6, 0, 0]


def test_unordered_gates_are_built_depth_first():
    # gate 0 (var 3) uses gate 1 (var 4): a forward reference
    aig = from_raw(2, 0, [8, 2], [2, 4], [6])
    assert aig.num_ands == 2
    assert aig.fanin0.tolist() == [4, 6] and aig.fanin1.tolist() == [2, 2]


def test_cycles_and_range_errors():
    with pytest.raises(CycleFound):
        from_raw(1, 0, [6, 4], [2, 2], [4])
    with pytest.raises(ValueError):
        from_raw(1, 0, [2], [2], [40])
    with pytest.raises(ValueError):
        from_raw(1, 0, [2], [-2], [4])


def test_no_gates():
    aig = from_raw(2, 1, [], [], [2, 5, 1], [4], input_names=["a", "b"])
    assert aig.num_ands == 0
    assert aig.outputs.tolist() == [2, 5, 1]
    assert aig.latch_next.tolist() == [4]


@st.composite
def raw_netlists(draw):
    n_in = draw(st.integers(1, 4))
    n_lat = draw(st.integers(0, 2))
    base = n_in + n_lat + 1
    n = draw(st.integers(0, 25))
    f0, f1 = [], []
    for g in range(n):
        lits = st.integers(0, 2 * (base + g) - 1)
        f0.append(draw(lits))
        f1.append(draw(lits))
    roots = st.lists(st.integers(0, 2 * (base + n) - 1), min_size=0, max_size=4)
    outs = draw(roots)
    nxt = [draw(st.integers(0, 2 * (base + n) - 1)) for _ in range(n_lat)]
    return n_in, n_lat, f0, f1, outs, nxt


@settings(max_examples=300, deadline=None)
@given(raw_netlists(), st.randoms())
def test_ordered_and_shuffled_gates_give_the_same_circuit(net, rnd):
    """The ordered path (numpy or the hashing loop) and the depth-first one agree."""
    n_in, n_lat, f0, f1, outs, nxt = net
    base = n_in + n_lat + 1
    ordered = from_raw(n_in, n_lat, f0, f1, outs, nxt)
    perm = list(range(len(f0)))
    rnd.shuffle(perm)                      # new position of raw gate g is perm[g]
    where = list(range(base)) + [base + perm[g] for g in range(len(f0))]

    def move(lit):
        return 2 * where[lit >> 1] + (lit & 1)

    sf0, sf1 = [0] * len(f0), [0] * len(f0)
    for g in range(len(f0)):
        sf0[perm[g]], sf1[perm[g]] = move(f0[g]), move(f1[g])
    shuffled = from_raw(n_in, n_lat, sf0, sf1, [move(x) for x in outs],
                        [move(x) for x in nxt])
    assert ordered.num_ands == shuffled.num_ands
    assert np.array_equal(sim.truth_tables(ordered), sim.truth_tables(shuffled))
    # strashed: no two ANDs alike, no constant or repeated fanins
    pairs = set(zip(ordered.fanin0.tolist(), ordered.fanin1.tolist()))
    assert len(pairs) == ordered.num_ands
    assert all(b >= 2 and a >> 1 != b >> 1 for a, b in pairs)
