"""Path report text against live OpenSTA: times and the Cap column in the library's units
(ps and fF on ASAP7), endpoint counts, the slack histogram."""

from __future__ import annotations

import gzip
import re
import subprocess

import pytest

from tests.conftest import require_tool
from tests.timing.conftest import TIMING, need_shared

def test_path_units_are_the_library_units_against_opensta(tmp_path, capsys):
    """ASAP7's units are 1 ps and 1 fF: every time column (and the summary) in ps, the Cap
    column in fF, as OpenSTA prints them (r2/Q 0.5770 fF, not 0.0006 pF)."""
    from tests.timing.test_paths_opensta import assert_same_paths, ours, sta_report

    need_shared()
    v = TIMING / "designs" / "reg1_asap7" / "reg1_asap7.v"
    lib_gz = TIMING / "liberty" / "asap7_small_ff.lib.gz"
    lib = tmp_path / "asap7.lib"
    lib.write_bytes(gzip.decompress(lib_gz.read_bytes()))
    sdc = tmp_path / "r.sdc"
    sdc.write_text("create_clock -name clk -period 500 {clk1 clk2 clk3}\n"
                   "set_input_delay -clock clk 10 {in1 in2}\n"
                   "set_output_delay -clock clk 20 out\nset_input_transition 10 {in1 in2}\n"
                   "set_load 3 [get_ports out]\n")
    for theirs_fields, our_fields in (("{cap slew}", "cap,slew"),
                                      ("{slew cap nets}", "nets,cap,slew")):
        theirs = sta_report(tmp_path, v, "top", lib, sdc,
                            f"report_checks -digits 7 -group_count 5 -fields {theirs_fields}")
        got = ours(capsys, ["sta", str(v), "-l", str(lib_gz), "--sdc", str(sdc), "--digits",
                            "7", "-n", "5", "--fields", our_fields])
        assert assert_same_paths(got, theirs, tol=1e-5) == 4   # ps: 1e-8 ns
        assert " ps " in got and "0.5770" in got


@pytest.mark.parametrize("delay", ["max", "min"])
def test_cap_column_with_spef_in_femto_farads_against_opensta(tmp_path, capsys, delay):
    """reg1 (ASAP7, capacitance ranges) with its SPEF: the Cap column is the net's wire plus
    its pins' capacitance of the path's own analysis (max: r2q, 13.4 fF of wire + u1/A's
    0.577042 fF; min: in1 falling, 13.4 fF + r1/D's 0.547946 fF, its range's low end),
    Slew as OpenSTA's, row by row. Each analysis in a session of its own: Debian's `sta`
    keeps the first pi model it reduced for the report, so a later report of the other
    analysis repeats the first one's pin capacitances."""
    from tests.timing.test_paths_opensta import assert_same_paths, ours, sta_report

    need_shared()
    folder = TIMING / "designs" / "reg1_asap7"
    v, spef = folder / "reg1_asap7.v", folder / "reg1_asap7.spef"
    lib_gz = TIMING / "liberty" / "asap7_small_ff.lib.gz"
    lib = tmp_path / "asap7.lib"
    lib.write_bytes(gzip.decompress(lib_gz.read_bytes()))
    sdc = tmp_path / "r.sdc"
    sdc.write_text("create_clock -name clk -period 1000 {clk1 clk2 clk3}\n"
                   "set_input_delay -clock clk 100 {in1 in2}\n"
                   "set_output_delay -clock clk 20 out\nset_input_transition 10 {in1 in2}\n")
    theirs = sta_report(tmp_path, v, "top", lib, sdc,
                        f"report_checks -digits 7 -path_delay {delay} -group_count 5 "
                        "-fields {cap slew nets input_pins}", spef=spef)
    got = ours(capsys, ["sta", str(v), "-l", str(lib_gz), "--sdc", str(sdc), "--spef",
                        str(spef), "--digits", "7", "--path-delay", delay, "-n", "5",
                        "--fields", "cap,slew,nets,input_pins"])
    # 2e-3 ps: the 2e-6 ns of the gcd comparisons (RC slews agree to about 1e-4 ps here);
    # a Cap taken at the other analysis' pin capacitances is 0.07 fF or more away
    assert assert_same_paths(got, theirs, tol=2e-3) == 4   # one per endpoint
    net, cap = ("r2q", "13.9770") if delay == "max" else ("in1", "13.9479")
    assert re.search(rf"^ +1 +{cap}\d* +{re.escape(net)} \(net\)$", got, re.M), got


def test_endpoint_counts_and_tns_per_pin_against_opensta(tmp_path):
    """Two clocks on gcd's clock port: 53 endpoint pins (not pin-clock pairs), TNS summing
    each pin's worst slack, as OpenSTA's `sta::endpoints` and `total_negative_slack`."""
    from edapipe.timing.search import SETUP
    from edapipe.timing.sta import StaParams, run_sta
    from tests.timing.conftest import LIB, design_files, plain_liberty

    need_shared()
    sta = require_tool("sta")
    v, base = design_files("gcd_sky130hd")
    sdc = tmp_path / "add.sdc"
    sdc.write_text(base.read_text() + "create_clock -name clk2 -period 3 -waveform {0.5 2} "
                   "-add [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk2 -add_delay [get_ports req_val]\n")
    script = tmp_path / "c.tcl"
    script.write_text(f"read_liberty {plain_liberty()}\nread_verilog {v}\nlink_design gcd\n"
                      f"set_load 0 [get_nets *]\nread_sdc {sdc}\n"
                      "puts \"eps [llength [sta::endpoints]]\"\n"
                      "puts \"tns [sta::total_negative_slack_cmd max]\"\n")
    out = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                         capture_output=True, text=True, timeout=300).stdout
    theirs = dict(line.split() for line in out.splitlines()
                  if line.startswith(("eps ", "tns ")))
    an = run_sta(StaParams(str(v), (str(LIB),), str(sdc)))
    assert len(an.endpoints) > an.n_endpoints() == int(theirs["eps"])   # pairs != pins
    assert an.tns(SETUP) == pytest.approx(float(theirs["tns"]), rel=1e-6, abs=1e-15)


def test_histogram_panels_annotated_per_check():
    """Setup and hold each get a panel of their own pin slacks, with WNS/TNS/violations."""
    from edapipe.timing import report
    from edapipe.timing.search import HOLD, SETUP
    from tests.timing.conftest import analysis

    need_shared()
    an = analysis("gcd_sky130hd")
    panels = {label: (vals, note) for label, vals, note in report.histogram_panels(an)}
    assert set(panels) == {"setup", "hold"}
    for label, check in (("setup", SETUP), ("hold", HOLD)):
        vals, note = panels[label]
        assert len(vals) == an.n_endpoints()
        assert vals.min() == pytest.approx(an.worst_slack(check) * 1e9)
        assert f"TNS {an.tns(check) * 1e9:.3f} ns" in note
        assert f"violations {an.violations(check)} of {len(vals)}" in note


_CAP_V = """module top(a, y1, y2);
 input a; output y1, y2; wire n1;
 INV u1 (.A(a), .Y(n1));
 BUF u2 (.A(n1), .Y(y1));
 INV u3 (.A(n1), .Y(y2));
endmodule"""
_CAP_SPEF = """*SPEF "ieee 1481-1999"
*DESIGN "top"
*DIVIDER /
*DELIMITER :
*BUS_DELIMITER [ ]
*T_UNIT 1 NS
*C_UNIT 1 FF
*R_UNIT 1 KOHM
*D_NET n1 4
*CONN
*I u1:Y O
*I u2:A I
*I u3:A I
*CAP
1 n1:1 2.0
2 u2:A 1.0
3 u3:A other:9 0.5
*RES
1 u1:Y n1:1 0.1
2 n1:1 u2:A 0.2
3 n1:1 u3:A 0.3
*END
*R_NET y1 3
*DRIVER u2:Y
*C2_R1_C1 1 0.05 2
*LOADS
*RC y1 0.004
*END
"""


def test_cap_column_with_parasitics_by_hand():
    """The Cap of an RC driver: the wire it reaches (a coupling capacitor's far end not
    twice) plus the net's pins at the row's edge and analysis; a reduced net's c1 + c2; a
    port set_load for that analysis overrides the parasitics; nets without parasitics keep
    their pins and loads."""
    from edapipe.timing import rc
    from edapipe.timing.graph import build_graph
    from edapipe.timing.liberty import parse_liberty_text
    from edapipe.timing.netlist import read_netlist_text
    from edapipe.timing.report import driver_load
    from edapipe.timing.sdc import read_sdc_text
    from edapipe.timing.search import analyze
    from edapipe.timing.spef import read_spef_text
    from edapipe.timing.sta import design_names
    from tests.timing.conftest import DATA

    lib = parse_liberty_text((DATA / "mini.lib").read_text(), "mini.lib")
    netlist = read_netlist_text(_CAP_V, "t.v", lambda c: list(lib.cells[c].pins)
                                + lib.cells[c].pg_pins if c in lib.cells else None, None)
    cons = read_sdc_text("set_load -min 0.01 [get_ports y1]\n", "t.sdc",
                         design_names(netlist, [lib]), lib.time_unit, lib.cap_unit)
    graph = build_graph(netlist, [lib], cons)
    assert rc.annotate(graph, read_spef_text(_CAP_SPEF, "t.spef"), cons) == []
    an = analyze(graph, cons, [lib])
    node = {graph.node_name(v): v for v in range(len(graph.node_inst))
            if graph.node_inst[v] >= 0}

    def ff(v, e, mm):
        return round(driver_load(an, v, e, mm) * 1e15, 6)   # the pi model is float32

    # n1: 2 + 1 + 0.5 fF of wire, u2/A 3 fF rise / 4 fF fall (BUF), u3/A 1 fF
    assert [ff(node["u1/Y"], e, mm) for e in (0, 1) for mm in (0, 1)] == [7.5, 7.5, 8.5, 8.5]
    # y1: the *R_NET's 1 + 2 fF in the max analysis; set_load -min 0.01 pF in the min one
    assert [ff(node["u2/Y"], e, mm) for e in (0, 1) for mm in (0, 1)] == [3.0, 10.0, 3.0, 10.0]
    assert ff(node["u3/Y"], 0, 0) == 0.0   # y2: no parasitics, no load
