"""The mapper kernels' named steps (issue 14's split): each against a brute-force reading of
its contract."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.synth.map import cell_kernels as CK
from edapipe.synth.map import lut_kernels as LK
from edapipe.synth.map import library
from edapipe.timing.liberty import read_liberty
from tests.timing.conftest import DATA


def _sig(leaves):
    s = 0
    for u in leaves:
        s |= 1 << (u % 64)
    return np.uint64(s)


def _cut_sets(rng, n_cuts, pool, k):
    cuts = set()
    while len(cuts) < n_cuts:
        cuts.add(tuple(sorted(rng.choice(pool, rng.integers(1, k + 1), replace=False).tolist())))
    return sorted(cuts)


@pytest.mark.parametrize("seed", range(12))
def test_merge_cuts_keeps_the_minimal_merges(seed):
    """_merge_cuts gives every union of a cut of each fanin (their cuts and trivial cuts) of
    at most k leaves that contains no other such union; a row already in the buffer (the
    last pass's best cut) stays whatever it contains."""
    rng = np.random.default_rng(seed)
    k, C = 4, 6
    v0, v1 = 20, 21
    nv = 22
    cut_leaves = np.zeros((nv, C, k), dtype=np.int32)
    cut_size = np.zeros((nv, C), dtype=np.int32)
    cut_sig = np.zeros((nv, C), dtype=np.uint64)
    ncut = np.zeros(nv, dtype=np.int32)
    sets = {}
    for v in (v0, v1):
        cuts = _cut_sets(rng, int(rng.integers(1, C + 1)), np.arange(1, 12), k)
        sets[v] = cuts + [(v,)]
        ncut[v] = len(cuts)
        for c, leaves in enumerate(cuts):
            cut_leaves[v, c, :len(leaves)] = leaves
            cut_size[v, c] = len(leaves)
            cut_sig[v, c] = _sig(leaves)
    unions = {tuple(sorted(set(a) | set(b))) for a in sets[v0] for b in sets[v1]}
    unions = {u for u in unions if len(u) <= k}
    minimal = {u for u in unions if not any(set(w) < set(u) for w in unions)}
    rows = (C + 1) * (C + 1) + 2
    for kept in ((), tuple(sorted(rng.choice(np.arange(1, 12), 2, replace=False).tolist()))):
        buf_leaves = np.zeros((rows, k), dtype=np.int32)
        buf_size = np.zeros(rows, dtype=np.int32)
        buf_sig = np.zeros(rows, dtype=np.uint64)
        nb = 0
        if kept:
            buf_leaves[0, :len(kept)] = kept
            buf_size[0] = len(kept)
            buf_sig[0] = _sig(kept)
            nb = 1
        nb = LK._merge_cuts(v0, v1, nb, cut_leaves, cut_size, cut_sig, ncut, buf_leaves,
                            buf_size, buf_sig, np.zeros(1, dtype=np.int32),
                            np.zeros(1, dtype=np.int32))
        got = [tuple(buf_leaves[m, :buf_size[m]].tolist()) for m in range(nb)]
        assert all(buf_sig[m] == _sig(got[m]) for m in range(nb))
        if kept:
            assert got[0] == kept
            # the kept row stays; merges that contain it are dropped as dominated by it
            want = {u for u in minimal if not set(kept) <= set(u)}
            assert set(got[1:]) == want and len(got) == len(want) + 1
        else:
            assert set(got) == minimal and len(got) == len(minimal)


@pytest.mark.parametrize("mode", [LK.MODE_DELAY, LK.MODE_FLOW, LK.MODE_DELAY_LEAVES])
def test_pick_and_priority_order_follow_the_pass_order(mode):
    """_pick_cut: the first candidate in the pass's order that meets the required time, else
    the fastest; _priority_order: the best C - 1 of the others in that order, ties in
    candidate order (a stable sort)."""
    rng = np.random.default_rng(mode)
    key = {LK.MODE_DELAY: lambda m: (arr[m], area[m], size[m]),
           LK.MODE_DELAY_LEAVES: lambda m: (arr[m], size[m], area[m]),
           LK.MODE_FLOW: lambda m: (area[m], arr[m], size[m])}[mode]
    for _ in range(200):
        nb = int(rng.integers(1, 30))
        C = int(rng.integers(2, 9))
        arr = rng.integers(1, 5, nb).astype(np.int32)
        area = rng.integers(1, 6, nb).astype(np.float64)
        size = rng.integers(1, 7, nb).astype(np.int32)
        limit = int(rng.integers(0, 6))
        pick = LK._pick_cut(mode, nb, limit, arr, area, size)
        meet = [m for m in range(nb) if arr[m] <= limit]
        want = min(meet, key=key) if meet else int(np.argmin(arr))
        assert pick == want
        order = np.zeros(nb + 1, dtype=np.int32)
        t = LK._priority_order(mode, nb, pick, C, arr, area, size, order)
        rest = sorted((m for m in range(nb) if m != pick), key=key)
        assert order[:t].tolist() == rest[:C - 1]


@pytest.fixture(scope="module")
def mini():
    lib = read_liberty(DATA / "mini.lib")
    return lib, library.build(lib)


def test_cell_tables_rows(mini):
    """CellTables' per-row area and inputs are the row's group's, the inverter's area last;
    made once per table and library."""
    _, mlib = mini
    table = mlib.table(True)
    g_area, g_n, _ = mlib.group_arrays()
    tab = CK.cell_tables(table, mlib.group_arrays(), mlib.pin_lines(), mlib.nldm(),
                         mlib.inverter, mlib.nominal_cin)
    assert np.array_equal(tab.e_area[:-1], g_area[table.e_group])
    assert tab.e_area[-1] == g_area[mlib.inverter]
    assert np.array_equal(tab.e_pins, g_n[table.e_group])
    again = CK.cell_tables(table, mlib.group_arrays(), mlib.pin_lines(), mlib.nldm(),
                           mlib.inverter, mlib.nominal_cin)
    assert again.e_area is tab.e_area


def test_exact_area_is_the_area_a_choice_brings(mini):
    """On a real mapping: dereferencing an output's phase frees its cone's cells (_walk -1),
    _exact_area then counts the same area and leaves the references as they were, and
    referencing it again restores the mapping's references."""
    from edapipe.aig.builder import AigBuilder
    from edapipe.synth.map.cells import CellParams, _cuts, _kernel_tables

    _, mlib = mini
    b = AigBuilder()
    xs = [b.add_input(f"x{i}") for i in range(6)]
    y = xs[0]
    for i, x in enumerate(xs[1:]):
        y = b.xor_(y, x) if i % 2 else b.mux(x, y, xs[i])
    b.add_output(y, "y")
    b.add_output(b.and_(xs[0], xs[5]), "z")
    aig = b.build()
    cuts = _cuts(aig, CellParams(), False)
    co = np.ascontiguousarray(aig.outputs, dtype=np.int32)
    sub = CK.subject(aig.num_cis, aig.fanin0, aig.fanin1, co, cuts)
    table = mlib.table(True)
    tab = _kernel_tables(mlib, table, mlib.nldm())
    run = CK.Passes(1, 1, 2, False, np.zeros(1), 0.0, 0.0, False)
    chs, cuts_of, refss = CK.map_cells(sub, tab, run)
    ch, ch_cut, refs = chs[0], cuts_of[0], refss[0].copy()
    stack = np.zeros(4 * (ch.shape[0] * 8 + 16), dtype=np.int32)
    args = (ch, ch_cut, refs, sub.cut_leaves, tab.e_area, tab.e_pins, tab.e_mask, tab.e_perm,
            stack)
    for lit in co.tolist():
        v, p = lit >> 1, lit & 1
        before = refs.copy()
        freed = CK._walk(v, p, -1, *args)
        assert freed > 0
        after_deref = refs.copy()
        # the same cells, summed in the order the other walk meets them
        assert CK._exact_area(v, p, *args) == pytest.approx(freed, rel=1e-12)
        assert np.array_equal(refs, after_deref)
        assert CK._walk(v, p, 1, *args) == pytest.approx(freed, rel=1e-12)
        assert np.array_equal(refs, before)


def test_choice_post_order_puts_fanins_and_choices_first():
    """_post_order: every AND reachable from the outputs once, each after its fanins and
    after the choices of its class."""
    from edapipe.synth.map import choice_kernels as K

    rng = np.random.default_rng(3)
    base = 4
    for _ in range(30):
        n_and = int(rng.integers(1, 25))
        n = base + n_and
        e0 = np.full(n, -1, dtype=np.int64)
        e1 = np.full(n, -1, dtype=np.int64)
        for v in range(base, n):
            e0[v] = 2 * int(rng.integers(1, v)) + int(rng.integers(0, 2))
            e1[v] = 2 * int(rng.integers(1, v)) + int(rng.integers(0, 2))
        head = np.full(n, -1, dtype=np.int64)
        nxt = np.full(n, -1, dtype=np.int64)
        # a class: a later variable whose choice is an earlier, unrelated one
        for v in range(base + 1, n, 3):
            head[v] = int(rng.integers(base, v))
        co = np.array([2 * (n - 1), 2 * int(rng.integers(base, n))], dtype=np.int64)
        order, n_new = K._post_order(base, n, e0, e1, head, nxt, co)
        seq = order[:n_new].tolist()
        assert len(set(seq)) == n_new
        pos = {x: i for i, x in enumerate(seq)}
        reach = set()
        todo = [int(c) >> 1 for c in co if int(c) >> 1 >= base]
        while todo:
            x = todo.pop()
            if x in reach:
                continue
            reach.add(x)
            kids = [int(e0[x]) >> 1, int(e1[x]) >> 1] + ([int(head[x])] if head[x] >= 0 else [])
            todo += [y for y in kids if y >= base]
            for y in kids:
                if y >= base:
                    assert y in pos and pos[y] < pos[x]
        assert set(seq) == reach


def test_flops_and_inputs_leave_out_the_clock(mini):
    """readback._flops_and_inputs: an input port that reaches only flip-flop clock pins is
    the implicit clock; one that also reaches logic stays an input."""
    lib, mlib = mini
    from edapipe.synth.map.readback import _flops_and_inputs
    from edapipe.timing.netlist import read_netlist_text
    from edapipe.timing.sta import merged_cells, pin_lister

    flop = mlib.flop
    if flop is None:
        pytest.skip("mini.lib has no plain flip-flop")
    inv = mlib.groups[mlib.inverter]
    for extra, inputs in (("", ["d"]), (f"  {inv.cells[0].name} u2 (.{inv.inputs[0]}(clk), "
                                        f".{inv.output}(y));\n", ["clk", "d"])):
        text = ("module t (clk, d, q, y);\n  input clk, d;\n  output q, y;\n"
                f"  {flop.cell.name} u1 (.{flop.clock}(clk), .{flop.d}(d), .{flop.q}(q));\n"
                + (extra or f"  {inv.cells[0].name} u2 (.{inv.inputs[0]}(d), "
                             f".{inv.output}(y));\n") + "endmodule\n")
        nl = read_netlist_text(text, "t.v", pin_lister([lib]), None)
        flops, ins = _flops_and_inputs(nl, merged_cells([lib]), "t.v")
        assert list(flops) == [0]
        assert [p.name for p in ins] == inputs
