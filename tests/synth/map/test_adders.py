"""Full-adder cells: found in the AIG, mapped around, placed, proven and timed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.synth.map import adders as A
from edapipe.synth.map.cells import CellParams, map_cells
from tests.equivalence import abc_liberty_verdict, yosys_abc_verdict
from tests.strategies import node_values
from tests.timing.conftest import plain_liberty
from tests.synth.map.test_cells import (  # noqa: F401
    _check_benchmark, assert_same_function, roundtrip, sky130)

FA = "sky130_fd_sc_hd__fa_1"
AREA_ADDERS = CellParams(area=True, portfolio=False, adders=True)


def _majority(b: AigBuilder, x: int, y: int, z: int, style: int) -> int:
    if style == 0:
        return b.or_(b.and_(x, y), b.and_(z, b.or_(x, y)))
    # the carry over the sum's half: what adders written as (x ^ y) & z | x & y become
    return b.or_(b.and_(x, y), b.and_(z, b.xor_(x, y)))


@st.composite
def adder_circuits(draw):
    """Full adders (random phases, both majority styles) over inputs and earlier sums and
    carries, some of their signals also used by other logic."""
    b = AigBuilder("top")
    lits = [b.add_input(f"x{i}") for i in range(draw(st.integers(3, 7)))]
    x, y, z = lits[:3]                  # at least one adder, over three distinct inputs
    for n in range(draw(st.integers(1, 6))):
        if n:
            x, y, z = (draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)) for _ in range(3))
        if len({x >> 1, y >> 1, z >> 1}) < 3:
            continue
        lits.append(b.xor_(b.xor_(x, y), z) ^ draw(st.integers(0, 1)))
        lits.append(_majority(b, x, y, z, draw(st.integers(0, 1))) ^ draw(st.integers(0, 1)))
        if draw(st.booleans()):
            lits.append(b.and_(draw(st.sampled_from(lits)), draw(st.sampled_from(lits)) ^ 1))
    picks = draw(st.lists(st.sampled_from(lits[3:] or lits), min_size=1, max_size=5))
    for k, lit in enumerate(picks):
        b.add_output(lit ^ draw(st.integers(0, 1)), f"y{k}")
    return b.build()


def ripple(width: int):
    b = AigBuilder("add")
    xs = [b.add_input(f"a{i}") for i in range(width)]
    ys = [b.add_input(f"b{i}") for i in range(width)]
    carry = b.add_input("cin")
    for i in range(width):
        b.add_output(b.xor_(b.xor_(xs[i], ys[i]), carry), f"s{i}")
        carry = _majority(b, xs[i], ys[i], carry, i % 2)
    b.add_output(carry, "cout")
    return b.build()


def test_sky130_adder_cells(sky130):
    _, mlib = sky130
    names = [a.cell.name for a in mlib.adders]
    assert names[0] == FA and "sky130_fd_sc_hd__fahcin_1" in names
    fa = mlib.adders[0]
    assert (fa.inputs, fa.sum, fa.carry) == (("A", "B", "CIN"), "SUM", "COUT")
    # the half adder has two inputs; plain one-output cells are not adders
    assert not any(a.cell.name.endswith(("ha_1", "maj3_1", "xor3_1")) for a in mlib.adders)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aig=adder_circuits())
def test_found_adders_compute_their_nodes(sky130, aig):
    _, mlib = sky130
    for cell in mlib.adders:
        found = A.find_adders(aig, cell)
        assert found                    # the strategy builds one over x0, x1, x2 at least
        for pattern in range(1 << aig.num_inputs):
            val = node_values(aig, [(pattern >> i) & 1 for i in range(aig.num_inputs)])
            for a in found:
                t = sum((val[lit >> 1] ^ (lit & 1)) << j for j, lit in enumerate(a.pins))
                assert val[a.sum_var] == (cell.sum_truth >> t & 1) ^ a.sum_neg
                assert val[a.carry_var] == (cell.carry_truth >> t & 1) ^ a.carry_neg


def test_every_adder_of_a_ripple_carry_adder_is_found(sky130):
    _, mlib = sky130
    aig = ripple(8)
    assert len(A.find_adders(aig, mlib.adders[0])) == 8


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aig=adder_circuits())
def test_adder_mappings_read_back_equal(sky130, aig):
    lib, mlib = sky130
    net, _, back = roundtrip(aig, lib, mlib, AREA_ADDERS)
    assert_same_function(aig, back)
    assert net.area == pytest.approx(sum(lib.cells[i.cell].area for i in net.instances))


def test_extract_leaves_the_adders_as_ports(sky130):
    _, mlib = sky130
    aig = ripple(4)
    found = A.find_adders(aig, mlib.adders[0])
    ext, order = A.extract(aig, found, {"a0", "b0"})
    assert len(order) == 4
    assert ext.num_inputs == aig.num_inputs + 8 and ext.num_outputs == aig.num_outputs + 12
    assert ext.input_names[aig.num_inputs:aig.num_inputs + 2] == ("fa0_s", "fa0_c")
    # what is left is the inverters' worth of logic: no XOR or majority remains
    assert ext.num_ands == 0
    # names clear of the design's
    ext2, _ = A.extract(aig, found, {"fa_x"})
    assert ext2.input_names[aig.num_inputs] == "_fa0_s"


def test_ripple_carry_adder_maps_to_full_adders(sky130):
    lib, mlib = sky130
    aig = ripple(7)                 # 15 inputs: compared by truth tables
    net, text, back = roundtrip(aig, lib, mlib, CellParams(area=True))
    assert_same_function(aig, back)
    assert net.cell_counts().get(FA) == 7
    without = map_cells(aig, mlib, CellParams(area=True, adders=False))
    assert FA not in without.cell_counts() and net.area < without.area
    # the mapper's estimate of an adder netlist is the timing engine's
    from edapipe.synth.map.timing import analyze_netlist, worst_arrival

    assert net.estimate == pytest.approx(worst_arrival(analyze_netlist(text, "add", [lib])))


def test_sequential_adder_keeps_its_flops(sky130):
    lib, mlib = sky130
    b = AigBuilder("acc")
    xs = [b.add_input(f"x{i}") for i in range(4)]
    qs = [b.add_latch(f"q{i}") for i in range(4)]
    carry = 0
    for i in range(4):
        q = b.latch_lit(qs[i])
        s = b.xor_(b.xor_(xs[i], q), carry)
        carry = _majority(b, xs[i], q, carry, 0) if carry else b.and_(xs[i], q)
        b.set_latch_next(qs[i], s)
        b.add_output(s, f"s{i}")
    aig = b.build()
    net, _, back = roundtrip(aig, lib, mlib, AREA_ADDERS)
    assert_same_function(aig, back)
    assert net.cell_counts().get(FA, 0) >= 1
    assert net.cell_counts().get(mlib.flop.cell.name) == 4


def test_no_adders_without_the_option(sky130):
    _, mlib = sky130
    net = map_cells(ripple(4), mlib, CellParams(area=True, portfolio=False))
    assert FA not in net.cell_counts()
    net = map_cells(ripple(4), mlib, CellParams())      # delay mode: no adders
    assert FA not in net.cell_counts()


def test_epfl_adder_proven_by_yosys_and_abc_and_timed_as_opensta(sky130, tmp_path):
    """The adder netlist through independent judges (_check_benchmark): OpenSTA's worst
    arrival equals ours; Yosys, reading the cells' Liberty functions (two outputs each),
    flattens it for ABC's `cec` against the design, and ABC's own `read_lib; read -m`
    proves it too, as `edapipe cec` does; one adder with its sum and carry swapped is a
    difference both find."""
    aig, net, text = _check_benchmark("adder", sky130, tmp_path, CellParams(area=True))
    assert net.cell_counts().get(FA, 0) >= 100
    fa = next(i for i in net.instances if i.cell == FA)
    pins = dict(fa.conns)
    wrong = text.replace(f".SUM({pins['SUM']}), .COUT({pins['COUT']})",
                         f".SUM({pins['COUT']}), .COUT({pins['SUM']})", 1)
    assert wrong != text
    _, mlib = sky130
    tie = (mlib.tie[0].name, mlib.tie[1], mlib.tie[2])
    for verdict in (yosys_abc_verdict(aig, wrong, plain_liberty(), tmp_path),
                    abc_liberty_verdict(aig, wrong, plain_liberty(), tmp_path, tie)):
        if verdict is None:
            pytest.skip("no Yosys or ABC to judge")
        assert "NOT EQUIVALENT" in verdict, verdict


_TINY = """library (tiny) {
  time_unit : "1ns"; capacitive_load_unit (1, pf); voltage_unit : "1V";
  lu_table_template (t) { variable_1 : input_net_transition;
    variable_2 : total_output_net_capacitance; index_1 ("0.1, 0.5"); index_2 ("0.01, 0.05"); }
  cell (TIE) { area : 1; pin (HI) { direction : output; function : "1"; }
    pin (LO) { direction : output; function : "0"; } }
  %s
}"""
_ARC = """timing () { related_pin : "%s";
        cell_rise (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        cell_fall (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        rise_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        fall_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); } }"""


def _tiny_library(exclude=()):
    """INV, NAND2 and an adder cell with an inverted carry input and inverted outputs
    (CO = maj(A, B, !CI) negated, S = XNOR3), its outputs declared carry first."""
    from edapipe.synth.map import library
    from edapipe.timing.liberty import parse_liberty_text

    cells = []
    for name, area, ins, outs in (
            ("INV", 1, "A", [("Y", "!A")]), ("NAND2", 2, "AB", [("Y", "!(A&B)")]),
            ("FAI", 5, ["A", "B", "CI"], [("CON", "!((A&B)|(A&!CI)|(B&!CI))"),
                                         ("SN", "!(A^B^CI)")])):
        decl = " ".join(f"pin ({p}) {{ direction : input; capacitance : 0.001; }}" for p in ins)
        for out, fn in outs:
            decl += (f' pin ({out}) {{ direction : output; function : "{fn}"; '
                     + " ".join(_ARC % p for p in ins) + " }")
        cells.append(f"cell ({name}) {{ area : {area}; {decl} }}")
    lib = parse_liberty_text(_TINY % "\n  ".join(cells), "<tiny>")
    return lib, library.build(lib, exclude=exclude)


def test_an_adder_cell_with_inverted_pins_and_outputs():
    lib, mlib = _tiny_library()
    (cell,) = mlib.adders
    assert (cell.sum, cell.carry) == ("SN", "CON")
    aig = ripple(5)
    net, _, back = roundtrip(aig, lib, mlib, AREA_ADDERS)
    assert_same_function(aig, back)
    assert net.cell_counts().get("FAI") == 5
    assert _tiny_library(exclude=("FA*",))[1].adders == ()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aig=adder_circuits())
def test_random_adders_on_the_inverted_adder_cell(aig):
    lib, mlib = _tiny_library()
    _, _, back = roundtrip(aig, lib, mlib, AREA_ADDERS)
    assert_same_function(aig, back)


def test_adder_instances_keep_clear_of_the_designs_names(sky130):
    """Instances and nets share Verilog's one name space: an input named fa0 does not meet
    an adder instance named fa0 (Yosys and iverilog reject that)."""
    lib, mlib = sky130
    b = AigBuilder("top")
    x, y, z = b.add_input("fa0"), b.add_input("fa1_s"), b.add_input("c")
    b.add_output(b.xor_(b.xor_(x, y), z), "fa2")
    b.add_output(_majority(b, x, y, z, 0), "s")
    aig = b.build()
    net, _, back = roundtrip(aig, lib, mlib, AREA_ADDERS)
    assert_same_function(aig, back)
    assert net.cell_counts().get(FA) == 1
    nets = set(net.inputs) | set(net.outputs) | set(net.wires) | \
        {n for _, n in (c for i in net.instances for c in i.conns)}
    assert not nets & {i.name for i in net.instances}
