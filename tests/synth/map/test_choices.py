"""Mapping over structural choices (synth/map/choices.py): the choice AIG is ordered for the
mapper, its classes' merged cuts compute their representative, and the mapped netlists read
back equal to the input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.aig.sim import truth_tables
from edapipe.synth.map.cells import CellParams, map_cells
from edapipe.synth.map.choices import choice_aig, choice_cuts
from edapipe.synth.map.readback import read_mapped
from edapipe.synth.map.timing import analyze_netlist, worst_arrival
from edapipe.verify.cec import CecParams, check_equivalence
from tests.equivalence import source, strashed
from tests.strategies import aigs
from tests.synth.map.test_cells import assert_same_function, sky130  # noqa: F401 (fixture)


def _node_values(aig, rng, words=4):
    """Random simulation of every variable: (num_vars, words) uint64."""
    val = np.zeros((aig.num_vars, words), dtype=np.uint64)
    val[1:aig.num_cis + 1] = rng.integers(0, 2**63, size=(aig.num_cis, words),
                                          dtype=np.uint64) * np.uint64(2) + \
        rng.integers(0, 2, size=(aig.num_cis, words), dtype=np.uint64)
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    for g, (a, b) in enumerate(zip(aig.fanin0.tolist(), aig.fanin1.tolist())):
        x = val[a >> 1] ^ (full if a & 1 else np.uint64(0))
        y = val[b >> 1] ^ (full if b & 1 else np.uint64(0))
        val[aig.first_and_var + g] = x & y
    return val


def _cut_value(tt, leaf_vals):
    """The value of a cut's function (full 64-bit table) on simulated leaf values."""
    n = len(leaf_vals)
    out = np.zeros_like(leaf_vals[0]) if n else np.zeros(1, dtype=np.uint64)
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    for m in range(1 << n):
        if not (int(tt) >> m) & 1:
            continue
        term = np.full_like(out, full)
        for j in range(n):
            term &= leaf_vals[j] if (m >> j) & 1 else ~leaf_vals[j]
        out |= term
    return out


def _check_choice_aig(aig):
    cha = choice_aig(aig)
    c = cha.aig
    if aig.num_cis <= 16:
        assert np.array_equal(truth_tables(aig), truth_tables(c))
    else:
        assert check_equivalence(aig, c, CecParams()).equivalent
    # topological, and every choice before its representative
    first = c.first_and_var
    for g, (a, b) in enumerate(zip(c.fanin0.tolist(), c.fanin1.tolist())):
        assert (a >> 1) < first + g and (b >> 1) < first + g
    val = _node_values(c, np.random.default_rng(1))
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    for r in np.flatnonzero(cha.head >= 0).tolist():
        y = int(cha.head[r])
        while y >= 0:
            assert y < r
            want = val[r] ^ (full if cha.phase[y] else np.uint64(0))
            assert np.array_equal(val[y], want)
            y = int(cha.next[y])
    # every cut of every node, merged ones included, computes the node
    for dominated in (False, True):
        leaves, sizes, tts, ncuts = choice_cuts(cha, 5, 16, dominated)
        for v in range(first, c.num_vars):
            for k in range(int(ncuts[v])):
                row = [val[int(u)] for u in leaves[v, k, :int(sizes[v, k])]]
                assert np.array_equal(_cut_value(tts[v, k], row), val[v]), (v, k)
    return cha


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aig=aigs(max_inputs=8, max_ands=80, max_latches=2))
def test_choice_aig_is_ordered_and_its_cuts_compute_their_nodes(aig):
    _check_choice_aig(aig)


def test_choice_aig_of_a_benchmark_has_choices_and_merged_cuts():
    aig = strashed(source("c1908"))
    cha = _check_choice_aig(aig)
    assert cha.choices > 0
    # choices of both phases: the complemented merge is exercised (c432 has none of phase 1)
    members = np.concatenate([cha.head[cha.head >= 0], cha.next[cha.next >= 0]])
    assert cha.phase[members].any()
    # a representative's cut set holds cuts that only its choices have: leaves outside its
    # own structural cone
    from edapipe.aig import cuts_kernels as CK

    c = cha.aig
    own = CK.enumerate_cuts(c.num_cis, c.fanin0, c.fanin1, 5, 16, False)
    merged = choice_cuts(cha, 5, 16, False)

    def cut_set(arrays, v):
        leaves, sizes, _, ncuts = arrays
        return {tuple(leaves[v, k, :sizes[v, k]]) for k in range(ncuts[v])}

    reps = np.flatnonzero(cha.head >= 0).tolist()
    assert any(cut_set(merged, r) - cut_set(own, r) for r in reps)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aig=aigs(max_inputs=8, max_ands=60, max_latches=2))
def test_mapping_over_choices_reads_back_equal(sky130, aig):  # noqa: F811
    lib, mlib = sky130
    for params in (CellParams(area=True, choices=True),
                   CellParams(sizing=False, portfolio=False, choices=True)):
        net = map_cells(aig, mlib, params)
        back = read_mapped(net.verilog().decode(), "mapped.v", [lib])
        assert_same_function(aig, back)


@pytest.mark.parametrize("name", ["c432", "c1908"])
def test_choices_make_the_delay_mapping_faster(name, sky130):  # noqa: F811
    """ABC's `dch; map` is faster than its `map` (priority 0.58x); over choices ours is too,
    unsized, by the timing engine on the written netlist, and proven equal."""
    lib, mlib = sky130
    aig = strashed(source(name))
    nets = [map_cells(aig, mlib, CellParams(sizing=False, portfolio=False, choices=ch))
            for ch in (False, True)]
    plain, chosen = (worst_arrival(analyze_netlist(n.verilog().decode(), name, [lib]))
                     for n in nets)
    assert chosen < 0.98 * plain
    assert nets[1].estimate == pytest.approx(chosen, rel=1e-4)
    back = read_mapped(nets[1].verilog().decode(), "mapped.v", [lib])
    assert check_equivalence(aig, back, CecParams(by_position=True)).equivalent


def test_a_constant_found_by_dch_needs_no_tie_cell():
    """An output that is constant by logic (x & y & !x): dch's rewrites make it a constant,
    which a library without a tie cell cannot drive; the mapper then maps the AIG's own
    logic (with the choices asked for alone too)."""
    from edapipe.aig.builder import AigBuilder
    from edapipe.synth.map import library
    from edapipe.timing.liberty import read_liberty
    from tests.timing.conftest import DATA

    lib = read_liberty(DATA / "mini.lib")
    mlib = library.build(lib)
    b = AigBuilder()
    x, y, _ = b.add_input("x0"), b.add_input("x1"), b.add_input("x2")
    b.add_output(b.and_(b.and_(y, x), x ^ 1), "y0")
    aig = b.build()
    assert aig.num_ands == 2
    for params in (CellParams(), CellParams(area=True), CellParams(choices=True)):
        net = map_cells(aig, mlib, params)
        back = read_mapped(net.verilog().decode(), "mapped.v", [lib])
        assert_same_function(aig, back)
