"""The timing graph of another corner (graph.for_libraries) against one built from scratch,
and sta.load_corners' sharing of the netlist, SDC and SPEF between corners."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from edapipe.timing import rc
from edapipe.timing.graph import build_graph, for_libraries
from edapipe.timing.liberty import read_liberty
from edapipe.timing.search import HOLD, SETUP, analyze
from edapipe.timing.spef import read_spef_text
from edapipe.timing.sta import StaParams, load, load_corners
from tests.timing.conftest import DATA, LIB, TIMING, design_files, need_shared

GCD = TIMING / "designs" / "gcd_sky130hd"


def _scaled(lib, f_table: float, f_cap: float):
    """A deep copy of `lib` with every table value times f_table and every pin capacitance
    times f_cap: another corner of the same cells."""
    out = copy.deepcopy(lib)
    seen: set[int] = set()
    for cell in out.cells.values():
        for pin in cell.pins.values():
            pin.cap_rise *= f_cap
            pin.cap_fall *= f_cap
            if pin.cap_min:
                pin.cap_min = tuple(c * f_cap for c in pin.cap_min)
            for arc in pin.timing:
                for t in arc.tables.values():
                    if id(t) not in seen:
                        seen.add(id(t))
                        t.values[...] *= f_table
    return out


@pytest.fixture(scope="module")
def gcd_parts():
    """gcd read on sky130 (netlist, constraints), its SPEF, and a slower, heavier corner."""
    need_shared()
    from edapipe.timing.netlist import read_netlist_text
    from edapipe.timing.sdc import read_sdc_text
    from edapipe.timing.sta import design_names, pin_lister

    lib = read_liberty(str(LIB))
    v, sdc = design_files("gcd_sky130hd")
    nl = read_netlist_text(v.read_text(), str(v), pin_lister([lib]), None)
    # loads on ports and nets exercise every term of the net loads
    text = sdc.read_text() + ("\nset_load 0.01 [all_outputs]\n"
                              "set_load -subtract_pin_load 0.004 [get_nets _101_]\n")
    cons = read_sdc_text(text, "gcd.sdc", design_names(nl, [lib]), lib.time_unit,
                         lib.cap_unit)
    spef = read_spef_text((GCD / "gcd_sky130hd.spef").read_text(), "gcd.spef")
    return nl, cons, spef, lib, _scaled(lib, 1.3, 1.1)


def _slacks(an):
    return [(e.name, e.slack[SETUP], e.slack[HOLD]) for e in an.endpoints]


@pytest.mark.parametrize("wire_load", [False, True])
@pytest.mark.parametrize("with_spef", [False, True])
def test_derived_graph_times_as_a_fresh_one(gcd_parts, wire_load, with_spef):
    """Every array of the derived graph equals build_graph's on the other library (the
    tables compared by content), and so does every endpoint's slack, bit for bit."""
    nl, cons, spef, lib, slow = gcd_parts
    base = build_graph(nl, [lib], cons, wire_load=wire_load)
    got = for_libraries(base, [lib], [slow], cons, wire_load)
    want = build_graph(nl, [slow], cons, wire_load=wire_load)
    assert got is not None
    for f in ("load", "load_min", "pin_cap", "arc_mask", "arc_on", "arc_from", "chk_clock"):
        assert np.array_equal(getattr(got, f), getattr(want, f)), f
    assert not np.array_equal(got.load, base.load)

    def tables(g, ids):   # the packed table behind each id: (n, var, axes, values)
        n, var, off, axes, vals = g.tables
        return [None if t < 0 else
                (tuple(n[t]), tuple(var[t]), axes[off[t, 0]:off[t, 1] + n[t, 1]].tolist(),
                 vals[off[t, 2]:off[t, 2] + n[t, 0] * n[t, 1]].tolist())
                for t in ids.ravel().tolist()]

    assert tables(got, got.arc_tab) == tables(want, want.arc_tab)
    assert tables(got, got.chk_tab) == tables(want, want.chk_tab)
    if with_spef:
        rc.annotate(got, spef, cons)
        rc.annotate(want, spef, cons)
    assert _slacks(analyze(got, cons, [slow])) == _slacks(analyze(want, cons, [slow]))
    assert base.rc is None and got.warnings is not base.warnings


def test_other_structure_is_refused(gcd_parts):
    """A library whose cells differ beyond tables and capacitances (an arc less, another
    function, a table shared where the base has two) gives no derived graph."""
    nl, cons, _, lib, _ = gcd_parts
    base = build_graph(nl, [lib], cons)
    used = sorted({i.cell for i in nl.instances if i.cell in lib.cells})

    def changed(edit, reverse=False):
        other = copy.deepcopy(lib)
        edit(other)
        if reverse:   # the edited library is the base
            return for_libraries(build_graph(nl, [other], cons), [other], [lib], cons)
        got = for_libraries(base, [lib], [other], cons)
        if got is not None:
            assert _slacks(analyze(got, cons, [other])) == \
                _slacks(analyze(build_graph(nl, [other], cons), cons, [other]))
        return got

    def drop_arc(other):
        pin = next(p for c in used for p in other.cells[c].pins.values() if p.timing)
        pin.timing.pop()

    def new_function(other):
        pin = next(p for c in used for p in other.cells[c].pins.values() if p.function_text)
        pin.function_text = "!(" + pin.function_text + ")"

    def merge_tables(other):
        # two different tables of one arc become the same object
        arc = next(a for c in used for p in other.cells[c].pins.values() for a in p.timing
                   if "cell_rise" in a.tables and "cell_fall" in a.tables)
        arc.tables["cell_fall"] = arc.tables["cell_rise"]

    assert changed(lambda other: None) is not None
    for edit in (drop_arc, new_function):
        assert changed(edit) is None
    # two tables of the base may become one of this library, not the reverse (one graph
    # table id would stand for two tables)
    assert changed(merge_tables) is not None
    assert changed(merge_tables, reverse=True) is None


def test_load_corners_reads_the_design_once(tmp_path):
    """Corners on the same cells share the netlist, the constraints and one Library per
    file; each corner's analysis equals a separate reading of that corner."""
    need_shared()
    ff = TIMING / "liberty" / "asap7_small_ff.lib.gz"
    ss = TIMING / "liberty" / "asap7_small_ss.lib.gz"
    reg1 = TIMING / "designs" / "reg1_asap7"
    sdc = tmp_path / "reg1.sdc"
    sdc.write_text("create_clock -name clk -period 500 {clk1 clk2 clk3}\n"
                   "set_input_delay -clock clk 10 {in1 in2}\nset_output_delay -clock clk 20 "
                   "out\nset_input_transition 10 {in1 in2}\nset_load 2 out\n")
    params = StaParams(str(reg1 / "reg1_asap7.v"), (), str(sdc),
                       spef=str(reg1 / "reg1_asap7.spef"))
    got = list(load_corners(params, [(str(ff),), (str(ss),), (str(ff),)]))
    assert got[0][0].netlist is got[1][0].netlist is got[2][0].netlist
    assert got[0][1] is got[1][1] is got[2][1]
    assert got[0][2][0] is got[2][2][0]
    for (g, cons, libs), path in zip(got, (ff, ss, ff)):
        alone = load(dataclasses.replace(params, liberty=(str(path),)))
        assert g.warnings == alone[0].warnings
        assert _slacks(analyze(g, cons, libs)) == _slacks(analyze(*alone))
    assert _slacks(analyze(*got[0])) != _slacks(analyze(*got[1]))


def test_load_corners_rereads_for_other_units(tmp_path):
    """A corner whose library disagrees on what the netlist and SDC see (here its time
    unit, which scales the SDC's numbers) gets its own netlist and constraints."""
    mini = DATA / "mini.lib"
    other = tmp_path / "mini_ps.lib"
    other.write_text(mini.read_text().replace('time_unit : "1ns"', 'time_unit : "1ps"'))
    v = tmp_path / "d.v"
    v.write_text("module t(i, o); input i; output o; wire n; INV u1 (.A(i), .Y(n)); "
                 "BUF u2 (.A(n), .Y(o)); endmodule\n")
    sdc = tmp_path / "d.sdc"
    sdc.write_text("create_clock -name c -period 10\nset_input_delay 1 -clock c [all_inputs]"
                   "\nset_output_delay 2 -clock c [all_outputs]\n")
    params = StaParams(str(v), (), str(sdc), use_cache=False)
    got = list(load_corners(params, [(str(mini),), (str(other),), (str(mini),)]))
    assert got[0][0].netlist is not got[1][0].netlist
    assert got[0][1] is not got[1][1] and got[0][1] is got[2][1]
    for (g, cons, libs), path in zip(got, (mini, other, mini)):
        alone = load(dataclasses.replace(params, liberty=(str(path),)))
        assert _slacks(analyze(g, cons, libs)) == _slacks(analyze(*alone))
