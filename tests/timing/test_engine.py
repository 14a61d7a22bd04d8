"""Engine on hand-checkable designs: table lookup and extrapolation, worst-slew rule,
loads, register checks, exceptions; Verilog and SDC features; loops."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.errors import InputError
from edapipe.timing import search_kernels as K
from edapipe.timing.graph import TableStore, build_graph
from edapipe.timing.liberty import Table, parse_liberty_text
from edapipe.timing.netlist import read_netlist_text
from edapipe.timing.sdc import read_sdc_text
from edapipe.timing.search import analyze
from edapipe.timing.sta import design_names
from tests.timing.conftest import DATA

NS, PF = 1e-9, 1e-12


@pytest.fixture(scope="module")
def lib():
    return parse_liberty_text((DATA / "mini.lib").read_text(), "mini.lib")


def run(lib, verilog: str, sdc: str, top=None):
    netlist = read_netlist_text(verilog, "t.v", lambda c: list(lib.cells[c].pins)
                                + lib.cells[c].pg_pins if c in lib.cells else None, top)
    cons = read_sdc_text(sdc, "t.sdc", design_names(netlist, [lib]), lib.time_unit, lib.cap_unit)
    graph = build_graph(netlist, [lib], cons)
    return analyze(graph, cons, [lib])


def bilinear(ax1, ax2, vals, x1, x2):
    """Independent re-statement of the interpolation rule (end segments extrapolate)."""
    def seg(ax, x):
        i = 0 if x <= ax[0] else (len(ax) - 2 if x >= ax[-1] else
                                  max(k for k in range(len(ax) - 1) if ax[k] <= x))
        return i, (x - ax[i]) / (ax[i + 1] - ax[i])
    i, d1 = seg(ax1, x1)
    j, d2 = seg(ax2, x2)
    return ((1 - d1) * (1 - d2) * vals[i][j] + d1 * (1 - d2) * vals[i + 1][j]
            + d1 * d2 * vals[i + 1][j + 1] + (1 - d1) * d2 * vals[i][j + 1])


@pytest.mark.parametrize("x1, x2", [(0.3, 0.03), (0.05, 0.01), (0.9, 0.2), (-0.1, 0.0),
                                    (0.1, 0.05), (0.5, 0.07)])
def test_table_lookup_interpolates_and_extrapolates(x1, x2):
    ax1, ax2 = [0.1, 0.5], [0.01, 0.05]
    vals = [[0.1, 0.2], [0.3, 0.45]]
    store = TableStore()
    tid = store.id(Table(0, 1, np.array(ax1), np.array(ax2), np.array(vals)))
    got = K.table_value(tid, x1, x2, 0.0, *store.pack())
    assert got == pytest.approx(bilinear(ax1, ax2, vals, x1, x2))


def test_inverter_chain_by_hand(lib):
    an = run(lib, """
module top(a, y);
  input a; output y; wire n1;
  INV u1 (.A(a), .Y(n1));
  INV u2 (.A(n1), .Y(y));
endmodule""", """
create_clock -name v -period 2
set_input_delay 0.1 -clock v [all_inputs]
set_output_delay 0.2 -clock v [all_outputs]
set_load 0.03 [get_ports y]
set_input_transition 0.3 [all_inputs]
""")
    inv = [[0.10, 0.20], [0.30, 0.40]], [[0.05, 0.15], [0.25, 0.35]]
    tr = [[0.10, 0.30], [0.20, 0.40]], [[0.08, 0.24], [0.16, 0.32]]
    ax1, ax2 = [0.1, 0.5], [0.01, 0.05]
    c1 = 0.001  # u2/A
    # y rises <- n1 falls <- a rises (negative unate twice)
    d1 = bilinear(ax1, ax2, inv[1], 0.3, c1)
    s1 = bilinear(ax1, ax2, tr[1], 0.3, c1)
    d2 = bilinear(ax1, ax2, inv[0], s1, 0.03)
    arrival_rise = 0.1 + d1 + d2
    d1f = bilinear(ax1, ax2, inv[0], 0.3, c1)
    s1f = bilinear(ax1, ax2, tr[0], 0.3, c1)
    arrival_fall = 0.1 + d1f + bilinear(ax1, ax2, inv[1], s1f, 0.03)
    (ep,) = an.endpoints
    assert ep.slack[0] == pytest.approx((1.8 - max(arrival_rise, arrival_fall)) * NS)
    assert ep.slack[1] == pytest.approx((min(arrival_rise, arrival_fall) + 0.2) * NS)


def test_worst_slew_and_rise_fall_caps(lib):
    # NAND2 output slew is the worst over both inputs even when B sets the arrival;
    # BUF input has different rise/fall caps, so the loads differ per edge.
    an = run(lib, """
module top(a, b, y);
  input a, b; output y; wire n;
  NAND2 g (.A(a), .B(b), .Y(n));
  BUF o (.A(n), .Y(y));
endmodule""", """
create_clock -name v -period 5
set_input_delay 0 -clock v [get_ports a]
set_input_delay 0.5 -clock v [get_ports b]
set_output_delay 0 -clock v [all_outputs]
set_input_transition 0.5 [get_ports a]
set_input_transition 0.1 [get_ports b]
""")
    g = an.graph
    drv = [v for v in range(g.n_nodes) if g.node_name(v) == "g/Y"][0]
    assert g.load[drv].tolist() == pytest.approx([3e-15, 4e-15])
    # slew from A (input slew 0.5) is the worst: table value at (0.5, 0.003/0.004)
    ax1, ax2 = [0.1, 0.5], [0.01, 0.05]
    worst_rise = bilinear(ax1, ax2, [[0.1, 0.2], [0.3, 0.4]], 0.5, 0.003)
    assert an.slew_max[drv, 0] == pytest.approx(worst_rise * NS)
    # ... while the arrival comes through B, which arrives 0.5 ns later with a fast slew
    at_max, _, prev_max, _, _ = an.arrivals(0)
    arc = prev_max[drv, 0] // 2
    assert g.node_name(int(g.arc_pin[arc])) == "g/B"
    b_slew = bilinear(ax1, ax2, [[0.1, 0.2], [0.3, 0.4]], 0.1, 0.003)
    assert b_slew < worst_rise


def test_register_setup_hold(lib):
    an = run(lib, """
module top(clk, d, q);
  input clk, d; output q; wire n;
  DFF r1 (.CK(clk), .D(d), .Q(n));
  DFF r2 (.CK(clk), .D(n), .Q(q));
endmodule""", """
create_clock -period 1 [get_ports clk]
set_input_delay 0.3 -clock clk [get_ports d]
set_output_delay 0.1 -clock clk [get_ports q]
set_clock_uncertainty 0.05 [all_clocks]
""")
    eps = {e.name: e for e in an.endpoints}
    ax = [0.1, 0.5]
    ep = eps["r2/D"]
    # launch: CK->Q with ideal clock slew 0 (extrapolated below 0.1), load 0.001 pF
    q_rise = bilinear(ax, [0.01, 0.05], [[0.30, 0.40], [0.50, 0.60]], 0.0, 0.001)
    q_fall = bilinear(ax, [0.01, 0.05], [[0.32, 0.42], [0.52, 0.62]], 0.0, 0.001)
    q_slew = bilinear(ax, [0.01, 0.05], [[0.10, 0.20], [0.30, 0.40]], 0.0, 0.001)
    setup_r = bilinear(ax, ax, [[0.10, 0.20], [0.30, 0.40]], 0.0, q_slew)
    setup_f = bilinear(ax, ax, [[0.12, 0.22], [0.32, 0.42]], 0.0, q_slew)
    expect = min(1 - 0.05 - setup_r - q_rise, 1 - 0.05 - setup_f - q_fall)
    assert ep.slack[0] == pytest.approx(expect * NS)
    hold_r = bilinear(ax, ax, [[-0.05, -0.02], [0.01, 0.03]], 0.0, q_slew)
    hold_f = bilinear(ax, ax, [[-0.04, -0.01], [0.02, 0.04]], 0.0, q_slew)
    assert ep.slack[1] == pytest.approx(min(q_rise - hold_r, q_fall - hold_f) * NS - 0.05 * NS)
    assert eps["r1/D"].slack[0] < ep.slack[0] + 1e-9


def test_exceptions(lib):
    verilog = """
module top(clk, d, q, a, y);
  input clk, d, a; output q, y; wire n;
  DFF r1 (.CK(clk), .D(d), .Q(n));
  DFF r2 (.CK(clk), .D(n), .Q(q));
  BUF b (.A(a), .Y(y));
endmodule"""
    base = """
create_clock -period 1 [get_ports clk]
set_input_delay 0.9 -clock clk [get_ports {d a}]
set_output_delay 0.5 -clock clk [get_ports {q y}]
"""
    plain = {e.name: e.slack[0] for e in run(lib, verilog, base).endpoints}
    fp = {e.name: e.slack[0] for e in run(lib, verilog, base + "set_false_path -from a\n")
          .endpoints}
    assert plain["y"] < 0 and fp["y"] == float("inf") and fp["r2/D"] == plain["r2/D"]
    mc = {e.name: e.slack[0] for e in run(lib, verilog, base
                                          + "set_multicycle_path 2 -to [get_pins r2/D]\n")
          .endpoints}
    assert mc["r2/D"] == pytest.approx(plain["r2/D"] + 1 * NS)
    md = {e.name: e.slack[0] for e in run(lib, verilog, base
                                          + "set_max_delay 3 -from [get_ports a] -to y\n")
          .endpoints}
    assert md["y"] == pytest.approx(plain["y"] + 2 * NS)


def test_netlist_features(lib):
    nl = read_netlist_text(r"""
// hierarchy, buses, part selects, ordered connections, escaped names, assign, constants
module leaf(i, o); input i; output o; INV x (i, o); endmodule
module top(a, y, z);
  input [3:0] a; output [1:0] y; output z;
  wire [1:0] t; wire \odd.name[0] ;
  leaf l0 (.i(a[0]), .o(t[0]));
  leaf l1 (a[1], t[1]);
  NAND2 g (.A(\odd.name[0] ), .B(1'b1), .Y(z));
  assign \odd.name[0] = a[3];
  assign y = t[1:0];
endmodule""", "t.v", lambda c: list(lib.cells[c].pins) if c in lib.cells else None)
    assert nl.top == "top"
    assert sorted(i.name for i in nl.instances) == ["g", "l0/x", "l1/x"]
    ports = {p.name: p.net for p in nl.ports}
    g = next(i for i in nl.instances if i.name == "g")
    assert g.conns["A"] == ports["a[3]"] and g.conns["B"] == 1
    l1 = next(i for i in nl.instances if i.name == "l1/x")
    assert l1.conns["A"] == ports["a[1]"] and l1.conns["Y"] == ports["y[1]"]


def test_netlist_black_box_warning(lib):
    nl = read_netlist_text("module top(a); input a; MYSTERY m (.X(a)); endmodule", "t.v",
                           lambda c: list(lib.cells[c].pins) if c in lib.cells else None)
    assert nl.instances == [] and "MYSTERY" in nl.warnings[0] and "t.v:1" in nl.warnings[0]


def test_netlist_unknown_pin_located(lib):
    with pytest.raises(InputError) as err:
        read_netlist_text("module top(a, y);\n input a; output y;\n INV u (.A(a),\n .Z(y));\n"
                          "endmodule", "t.v", lambda c: list(lib.cells[c].pins))
    assert (err.value.line, err.value.column) == (4, 3) and "no pin 'Z'" in str(err.value)


def test_sdc_tcl_subset(lib):
    an = run(lib, "module top(a, y); input a; output y; INV u (.A(a), .Y(y)); endmodule", """
set period 4
set half [expr {$period / 2.0}]
create_clock -name v -period $period -waveform "0 $half"
set_input_delay [expr $period * 0.25] -clock v [get_ports a*]  ;# comment after ;
set_output_delay 0.5 -clock [get_clocks v] [all_outputs]
set_max_area 10
""")
    assert an.sdc.clocks["v"].period == pytest.approx(4 * NS)
    assert an.sdc.input_delays["a"][0].values[(0, 0)] == pytest.approx(1 * NS)
    assert any("set_max_area" in w for w in an.graph.warnings)


def test_sdc_refuses_code():
    from edapipe.timing.tcl import TclError, safe_arith
    with pytest.raises(TclError):
        safe_arith("__import__('os').system('true')", 0)


def test_sdc_missing_port_located(lib):
    with pytest.raises(InputError) as err:
        run(lib, "module top(a, y); input a; output y; INV u (.A(a), .Y(y)); endmodule",
            "create_clock -name v -period 1\n\nset_input_delay 0 -clock v [get_ports nope]\n")
    assert err.value.line == 3 and "nope" in str(err.value)


def test_combinational_loop_is_an_error(lib):
    with pytest.raises(InputError) as err:
        run(lib, """module top(a, y);
  input a; output y; wire n1, n2;
  NAND2 g1 (.A(a), .B(n2), .Y(n1));
  INV g2 (.A(n1), .Y(n2));
  BUF g3 (.A(n2), .Y(y));
endmodule""", "")
    assert "loop" in str(err.value) and {"g1", "g2"} <= set(str(err.value).replace(";", " ")
                                                           .split())
    assert err.value.line in (3, 4)


def test_power_pins_are_accepted_and_ignored():
    need = DATA / "mini.lib"
    text = need.read_text().replace("cell (INV) {\n    area : 1.0;",
                                    "cell (INV) {\n    area : 1.0;\n    pg_pin (VPWR) { }")
    lib = parse_liberty_text(text, "mini.lib")
    an = run(lib, "module top(a, y, vdd); input a, vdd; output y;\n"
                  "INV u (.A(a), .Y(y), .VPWR(vdd)); endmodule",
             "create_clock -name v -period 1\nset_input_delay 0 -clock v [get_ports a]\n"
             "set_output_delay 0 -clock v [all_outputs]\n")
    assert [e.name for e in an.endpoints] == ["y"] and an.endpoints[0].slack[0] < 1e-9


def test_sdc_unknown_command_in_brackets_is_a_located_error(lib):
    # an unknown command may change the answer: an error, as OpenSTA's "invalid command"
    with pytest.raises(InputError) as err:
        run(lib, "module top(a, y); input a; output y; INV u (.A(a), .Y(y)); endmodule",
            "create_clock -name v -period 1\n"
            "set_input_delay 0 -clock v [get_ports a]\n"
            "set_output_delay 0 -clock v [all_outputs]\n"
            "set x [get_db designs]\n")
    assert err.value.line == 4 and "'get_db'" in str(err.value)


def test_driving_cell_sets_port_slew_and_delay(lib):
    verilog = "module top(a, y); input a; output y; BUF u (.A(a), .Y(y)); endmodule"
    base = ("create_clock -name v -period 5\nset_input_delay 0 -clock v [get_ports a]\n"
            "set_output_delay 0 -clock v [all_outputs]\n")
    plain = run(lib, verilog, base)
    driven = run(lib, verilog, base + "set_driving_cell -lib_cell INV -pin Y "
                 "-input_transition_rise 0.3 -input_transition_fall 0.3 [get_ports a]\n")
    g = driven.graph
    a = g.port_node["a"]
    ax1, ax2 = [0.1, 0.5], [0.01, 0.05]
    load_r = 0.003  # BUF/A rise capacitance
    # port a rises when the driving inverter's output rises: rise_transition at (0.3, C)
    assert driven.slew_max[a, 0] == pytest.approx(
        bilinear(ax1, ax2, [[0.10, 0.30], [0.20, 0.40]], 0.3, load_r) * NS)
    # OpenSTA's rule: the delay at the load less the same arc's delay at zero load
    table = [[0.10, 0.20], [0.30, 0.40]]
    delay_r = bilinear(ax1, ax2, table, 0.3, load_r) - bilinear(ax1, ax2, table, 0.3, 0.0)
    assert delay_r > 0
    assert driven.endpoints[0].slack[0] < plain.endpoints[0].slack[0] - delay_r * NS * 0.99


def test_all_registers_and_clock_transition(lib):
    verilog = """
module top(clk, d, q);
  input clk, d; output q; wire n;
  DFF r1 (.CK(clk), .D(d), .Q(n));
  DFF r2 (.CK(clk), .D(n), .Q(q));
endmodule"""
    base = ("create_clock -period 1 [get_ports clk]\n"
            "set_input_delay 0.1 -clock clk [get_ports d]\n"
            "set_output_delay 0.1 -clock clk [get_ports q]\n")
    an = run(lib, verilog, base + "set_false_path -from [all_registers]\n")
    slacks = {e.name: e.slack[0] for e in an.endpoints}
    assert slacks["r2/D"] == float("inf") and slacks["q"] == float("inf")
    assert slacks["r1/D"] < float("inf")
    slow = run(lib, verilog, base + "set_clock_transition 0.5 [get_clocks clk]\n")
    fast = run(lib, verilog, base)
    # a slower clock edge makes CK->Q slower (the tables grow with input slew)
    assert {e.name: e.slack[0] for e in slow.endpoints}["q"] < \
        {e.name: e.slack[0] for e in fast.endpoints}["q"]
