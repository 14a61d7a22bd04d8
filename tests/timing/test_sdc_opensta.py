"""SDC commands and SPEF parasitics against live OpenSTA (Debian's `sta`) on the shared
designs: every endpoint's setup and hold slack within 1e-5 ns, and each command must change
the answer (else the comparison would prove nothing)."""

from __future__ import annotations

import pytest

from tests.conftest import tool
from tests.timing.conftest import (TIMING, design_files, edapipe_slacks, max_slack_difference,
                                   need_shared)

TOL = 1e-5   # ns
SPEF = TIMING / "designs" / "gcd_sky130hd" / "gcd_sky130hd.spef"


def _need_sta():
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")


def _base(name: str) -> str:
    return design_files(name)[1].read_text()


def _moved(name: str, extra: str, tmp_path, spef=None) -> float:
    """How far the command moves our slacks (ns), over every endpoint and check."""
    a = edapipe_slacks(name, _base(name), tmp_path)
    b = edapipe_slacks(name, _base(name) + extra, tmp_path, spef)
    return max(abs(a[c][k] - b[c][k]) for c in (0, 1) for k in a[c] if k in b[c])


CASES = {
    # OpenSTA's input-arc rule: the driving cell's delay at the load minus its delay at
    # zero load; the slew at the load
    "driving_cell": ("arbiter", "set_driving_cell -lib_cell sky130_fd_sc_hd__inv_2 "
                                "[all_inputs]\n"),
    "driving_cell_pins": ("arbiter", "set_driving_cell -lib_cell sky130_fd_sc_hd__nand2_1 "
                                     "-pin Y -from_pin B -input_transition_rise 0.2 "
                                     "-input_transition_fall 0.05 [all_inputs]\n"),
    "driving_cell_min_max": ("arbiter",
                             "set_driving_cell -max -lib_cell sky130_fd_sc_hd__inv_1 "
                             "[all_inputs]\nset_driving_cell -min -lib_cell "
                             "sky130_fd_sc_hd__buf_8 [all_inputs]\n"),
    # set_load per min/max, edge, pin/wire load, nets with -subtract_pin_load
    "set_load": ("arbiter", "set_load -max 0.02 [get_ports {grant[1] grant[2] grant[3]}]\n"
                            "set_load -min 0.001 [get_ports {grant[1] grant[2] grant[3]}]\n"
                            "set_load -rise 0.03 [get_ports grant[5]]\n"
                            "set_load -fall -max 0.04 [get_ports grant[6]]\n"
                            "set_load -wire_load 0.01 [get_ports {grant[1] grant[7]}]\n"
                            "set_load 0.02 [get_nets _07507_]\n"
                            "set_load -subtract_pin_load 0.03 [get_nets _07503_]\n"
                            "set_load -min -subtract_pin_load 0.001 [get_nets _07499_]\n"),
    # a second clock on the clock port: inter-clock cycle accounting (the closest edges
    # over the common period)
    "create_clock_add": ("gcd_sky130hd",
                         "create_clock -name clk2 -period 3 -waveform {0.5 2} -add "
                         "[get_ports clk]\n"
                         "set_input_delay 0.3 -clock clk2 -add_delay [get_ports req_val]\n"),
    # clocks of different groups are not timed against each other (clk and clk2 on one
    # port; one group: against every other clock)
    "clock_groups": ("gcd_sky130hd",
                     "create_clock -name clk2 -period 3 -waveform {0.5 2} -add "
                     "[get_ports clk]\n"
                     "set_input_delay 0.3 -clock clk2 -add_delay [get_ports req_val]\n"
                     "create_clock -name vclk -period 7\n"
                     "set_output_delay 0.5 -clock vclk -add_delay [get_ports resp_val]\n"
                     "set_clock_groups -asynchronous -group [get_clocks clk] -group {clk2}\n"
                     "set_clock_groups -logically_exclusive -group vclk\n"),
    # inter-clock uncertainty replaces the capture clock's own, per launch/capture edge
    "clock_uncertainty_inter": ("gcd_sky130hd",
                                "create_clock -name clk2 -period 3 -waveform {0.5 2} -add "
                                "[get_ports clk]\n"
                                "set_input_delay 0.3 -clock clk2 -add_delay [get_ports req_val]\n"
                                "set_clock_uncertainty 0.1 [get_clocks clk]\n"
                                "set_clock_uncertainty -from [get_clocks clk2] -to "
                                "[get_clocks clk] 0.35\n"
                                "set_clock_uncertainty -setup -rise_from clk -fall_to clk2 "
                                "0.25\n"
                                "set_clock_uncertainty -hold -from clk -to clk 0.05\n"),
    "input_transition_min_max": ("arbiter", "set_input_transition -max 0.3 [all_inputs]\n"
                                            "set_input_transition -min 0.02 [all_inputs]\n"
                                            "set_input_transition -rise -max 0.4 "
                                            "[get_ports req[3]]\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_against_opensta(case, tmp_path):
    _need_sta()
    name, extra = CASES[case]
    assert _moved(name, extra, tmp_path) > 1e-3, "the command changes nothing: no test"
    assert max_slack_difference(name, _base(name) + extra, tmp_path) < TOL


def test_replacing_a_clock_without_add(tmp_path):
    """create_clock on a port that has a clock replaces it (and its port delays)."""
    _need_sta()
    extra = "create_clock -name fast -period 2 [get_ports clk]\n" \
            "set_input_delay 0.2 -clock fast [get_ports req_val]\n" \
            "set_output_delay 0.2 -clock fast [all_outputs]\n"
    assert max_slack_difference("gcd_sky130hd", _base("gcd_sky130hd") + extra, tmp_path) < TOL


def test_input_transition_on_an_ideal_clock_port(tmp_path):
    """Debian's 2019 sta removes "clock reconvergence pessimism" on an *ideal* clock when
    the clock port's min and max slews differ (0.074 ns on gcd); current OpenSTA
    (search/Crpr.cc, CheckCrpr::checkCrpr1) requires both clocks to be propagated, and an
    ideal clock has no pessimism to remove. We follow current OpenSTA: the same answer as
    Debian's with CRPR switched off, and the ideal clock's slacks do not move."""
    _need_sta()
    extra = "set_input_transition -min 0.5 [get_ports clk]\n" \
            "set_input_transition -max 0.2 [get_ports clk]\n"
    text = _base("gcd_sky130hd") + extra
    assert max_slack_difference("gcd_sky130hd", text, tmp_path,
                                before_sdc="set sta_crpr_enabled 0\n") < TOL
    assert _moved("gcd_sky130hd", extra, tmp_path) < 1e-9


def test_spef_against_read_spef(tmp_path):
    """gcd with its SPEF: every endpoint within 1e-5 ns (the issue asks 1 ps) of
    `read_spef` + OpenSTA's default dmp_ceff_elmore calculator."""
    _need_sta()
    assert _moved("gcd_sky130hd", "", tmp_path, SPEF) > 0.1
    assert max_slack_difference("gcd_sky130hd", _base("gcd_sky130hd"), tmp_path,
                                SPEF) < TOL


def test_spef_with_loads_and_driving_cells(tmp_path):
    """Within the issue's 1 ps: a driving cell on an RC net is evaluated at the lumped pin
    load and its wire delays as an input port's (OpenSTA runs DMP on the driving cell's arc;
    0.08 ps apart here, docs/timing.md)."""
    _need_sta()
    extra = "set_load 0.01 [all_outputs]\n" \
            "set_driving_cell -lib_cell sky130_fd_sc_hd__inv_2 [get_ports req_msg*]\n"
    assert max_slack_difference("gcd_sky130hd", _base("gcd_sky130hd") + extra, tmp_path,
                                SPEF) < 1e-3


@pytest.mark.parametrize("loads", [(0.05, 0.01), (0.01, 0.05)], ids=["max_above", "min_above"])
def test_spef_with_min_max_port_loads(loads, tmp_path):
    """Port loads that differ for min and max on RC nets: OpenSTA reduces each net once per
    corner, at its min analysis point, so both analyses see the min load in the pi model
    (0.33 ns of slack apart when each analysis reduces with its own)."""
    _need_sta()
    hi, lo = loads
    extra = f"set_load -max {hi} [all_outputs]\nset_load -min {lo} [all_outputs]\n"
    assert max_slack_difference("gcd_sky130hd", _base("gcd_sky130hd") + extra, tmp_path,
                                SPEF) < TOL


# Clock latency, propagated and generated clocks (gcd: a five-buffer clock tree, 35
# registers). With propagated clocks OpenSTA removes clock reconvergence pessimism; on ideal
# clocks Debian's 2019 sta removes it too where current OpenSTA does not (search/Crpr.cc,
# CheckCrpr::checkCrpr1 requires both clocks propagated): those cases compare with
# `set sta_crpr_enabled 0`, the current behaviour.
GEN_LEAF = "[get_pins clkbuf_2_0__f_clk/X]"
CLOCK_CASES = {
    # clock network delay through clkbuf_0_clk and the four leaf buffers
    "propagated": ("set_propagated_clock [all_clocks]\n", False),
    # a generated clock of a propagated master on a leaf buffer: its source latency is the
    # master's arrival there; CRPR gives back the early/late source latency difference
    # (0.2 ns) on paths within clk and between clk and gclk
    "generated_propagated_crpr": (
        f"create_generated_clock -name gclk -source [get_ports clk] -divide_by 2 {GEN_LEAF}\n"
        "set_propagated_clock [all_clocks]\n"
        "set_clock_latency -source -late 0.3 [get_clocks clk]\n"
        "set_clock_latency -source -early 0.1 [get_clocks clk]\n", False),
    # -edges with -edge_shift, -multiply_by with -invert, source latency on a generated
    # clock, a propagated master with an ideal generated clock
    "generated_edges_multiply_invert": (
        f"create_generated_clock -name gclk -source [get_ports clk] -edges {{1 3 5}} "
        f"-edge_shift {{0.2 0.1 0.2}} {GEN_LEAF}\n"
        "create_generated_clock -name gclk2 -source [get_ports clk] -multiply_by 2 -invert "
        "[get_pins clkbuf_2_1__f_clk/X]\n"
        "set_clock_latency -source 0.3 [get_clocks gclk2]\n"
        "set_propagated_clock [get_clocks clk]\n", False),
    # divide by a number that is not a power of two (every edge scaled) and the network
    # latency of an ideal generated clock
    "generated_divide_3_latency": (
        f"create_generated_clock -name gclk -source [get_ports clk] -divide_by 3 {GEN_LEAF}\n"
        "set_clock_latency 0.25 [get_clocks gclk]\n", True),
    # -reference_pin: input and output delays from the clock's arrival at a clock-tree pin
    # (propagated: its network delay there; ideal: source latency for inputs, source and
    # network latency for outputs)
    "reference_pin_propagated": (
        "set_propagated_clock [all_clocks]\nset_clock_latency -source 0.2 [get_clocks clk]\n"
        "set_input_delay 0.4 -clock clk -reference_pin [get_pins clkbuf_2_0__f_clk/X] "
        "[get_ports req_val]\n"
        "set_output_delay 0.3 -clock clk -reference_pin [get_pins clkbuf_2_1__f_clk/X] "
        "[get_ports resp_val]\n", False),
    "reference_pin_ideal": (
        "set_clock_latency 0.3 [get_clocks clk]\nset_clock_latency -source 0.1 "
        "[get_clocks clk]\n"
        "set_input_delay 0.4 -clock clk -reference_pin [get_pins clkbuf_2_0__f_clk/X] "
        "[get_ports req_val]\n"
        "set_output_delay 0.3 -clock clk -reference_pin [get_pins clkbuf_2_1__f_clk/X] "
        "[get_ports resp_val]\n", False),
    # ideal clock: network latency and source latency, early/late and rise/fall
    "clock_latency_ideal": ("set_clock_latency 0.4 [get_clocks clk]\n"
                            "set_clock_latency -max -rise 0.6 [get_clocks clk]\n"
                            "set_clock_latency -source -late 0.3 [get_clocks clk]\n"
                            "set_clock_latency -source -early -fall 0.05 [get_clocks clk]\n",
                            True),
}


@pytest.mark.parametrize("case", sorted(CLOCK_CASES))
def test_clocks_against_opensta(case, tmp_path):
    _need_sta()
    extra, no_ideal_crpr = CLOCK_CASES[case]
    name = "gcd_sky130hd"
    assert _moved(name, extra, tmp_path) > 1e-3, "the commands change nothing: no test"
    before = "set sta_crpr_enabled 0\n" if no_ideal_crpr else ""
    assert max_slack_difference(name, _base(name) + extra, tmp_path,
                                before_sdc=before) < TOL


def test_propagated_clock_with_spef(tmp_path):
    """Propagated clocks with parasitics: the clock nets' wire delays and degraded slews
    reach the register clock pins."""
    _need_sta()
    extra = "set_propagated_clock [all_clocks]\n"
    assert max_slack_difference("gcd_sky130hd", _base("gcd_sky130hd") + extra, tmp_path,
                                SPEF) < TOL


# set_timing_derate, set_case_analysis, set_disable_timing (gcd). Derates on ideal clocks
# compare with `set sta_crpr_enabled 0`: Debian's 2019 sta removes "pessimism" between the
# derated early and late arrivals of an ideal clock (0.03-0.07 ns of hold slack), current
# OpenSTA does not (search/Crpr.cc, CheckCrpr::checkCrpr1 requires both clocks propagated).
LIBN = "sky130_fd_sc_hd__tt_025C_1v80"
MODE_CASES = {
    # design-wide early/late, an instance's rise factor, a library cell's fall factor,
    # -cell_check on setup and hold times
    "derate_ideal": ("set_timing_derate -early 0.9\n"
                     "set_timing_derate -late 1.15\n"
                     "set_timing_derate -late -rise 1.2 [get_cells _204_]\n"
                     "set_timing_derate -early -cell_check 0.8\n"
                     "set_timing_derate -late -cell_check 1.3\n"
                     f"set_timing_derate -late -fall 1.4 [get_lib_cells {LIBN}/"
                     "sky130_fd_sc_hd__nand2_1]\n", True, None),
    # propagated clock: -clock factors on the clock tree (CRPR removes their early/late
    # difference on shared buffers), -data -cell_delay on one instance
    "derate_propagated": ("set_propagated_clock [all_clocks]\n"
                          "set_timing_derate -early 0.9\n"
                          "set_timing_derate -late 1.15\n"
                          "set_timing_derate -late -clock 1.05\n"
                          "set_timing_derate -early -clock -rise 0.93 [get_cells clkbuf_0_clk]\n"
                          "set_timing_derate -early -cell_check 0.8\n"
                          "set_timing_derate -late -data -cell_delay 1.1 [get_cells _204_]\n",
                          False, None),
    # with SPEF: -net_delay on wire delays, clock and data, design-wide and on one net
    "derate_spef_nets": ("set_propagated_clock [all_clocks]\n"
                         "set_timing_derate -early 0.9\n"
                         "set_timing_derate -late 1.1\n"
                         "set_timing_derate -late -net_delay 1.5\n"
                         "set_timing_derate -early -net_delay -clock 0.7\n"
                         "set_timing_derate -late 1.8 [get_nets _083_]\n", False, SPEF),
    # constants through Liberty functions: a port, a load pin (_253_ NAND output constant
    # 1, which makes the XNOR _254_ positive unate in A: only its rise-rise and fall-fall
    # arcs are searched), two bus bits; OpenSTA drops 3 constant endpoints
    "case_analysis": ("set_case_analysis 1 [get_ports reset]\n"
                      "set_case_analysis 0 [get_pins _253_/A]\n"
                      "set_case_analysis 1 [get_ports {req_msg[3] req_msg[17]}]\n", False, None),
    "case_analysis_ports": ("set_case_analysis 0 [get_ports reset]\n"
                            "set_case_analysis one [get_ports req_val]\n", False, None),
    # an instance, one arc of an instance, a library cell, a driver pin, -from on a
    # library cell's pin
    "disable_timing": ("set_disable_timing [get_cells _253_]\n"
                       "set_disable_timing -from A -to Y [get_cells _264_]\n"
                       f"set_disable_timing [get_lib_cells {LIBN}/sky130_fd_sc_hd__xnor2_1]\n"
                       "set_disable_timing [get_pins _279_/Y]\n"
                       f"set_disable_timing -from B1 [get_lib_cells {LIBN}/"
                       "sky130_fd_sc_hd__a22oi_1]\n", False, None),
}


@pytest.mark.parametrize("case", sorted(MODE_CASES))
def test_modes_against_opensta(case, tmp_path):
    _need_sta()
    extra, no_ideal_crpr, spef = MODE_CASES[case]
    name = "gcd_sky130hd"
    a = edapipe_slacks(name, _base(name), tmp_path, spef)
    b = edapipe_slacks(name, _base(name) + extra, tmp_path, spef)
    moved = max(abs(a[c][k] - b[c][k]) for c in (0, 1) for k in a[c] if k in b[c])
    assert moved > 1e-3, "the commands change nothing: no test"
    before = "set sta_crpr_enabled 0\n" if no_ideal_crpr else ""
    assert max_slack_difference(name, _base(name) + extra, tmp_path, spef,
                                before_sdc=before) < TOL


def test_case_analysis_drops_constant_endpoints(tmp_path):
    """Registers whose data pin is constant are no endpoints (as OpenSTA's isEndpoint)."""
    need_shared()
    extra = MODE_CASES["case_analysis"][0]
    a = edapipe_slacks("gcd_sky130hd", _base("gcd_sky130hd"), tmp_path)
    b = edapipe_slacks("gcd_sky130hd", _base("gcd_sky130hd") + extra, tmp_path)
    assert len(a[0]) - len(b[0]) == 3 and len(a[1]) - len(b[1]) == 3


# Path exceptions (gcd): -through pins, nets, cells, ports, endpoint pins, with rise/fall
# forms, -rise_from/-fall_to, -rise/-fall, clocks' edges, OpenSTA's priority rules and
# -start/-end multicycle accounting between clocks of different periods. (Debian's 2019 sta
# crashes on -from together with -through cells: not compared.)
GEN_DIV2 = ("create_generated_clock -name gclk -source [get_ports clk] -divide_by 2 "
            f"{GEN_LEAF}\n")
EXCEPTION_CASES = {
    "through_pin": "set_false_path -through [get_pins _204_/Y]\n",
    "through_net_max_delay": "set_max_delay 0.8 -through [get_nets _083_]\n",
    "through_rise_cells_sequence": (
        "set_false_path -rise_through [get_pins _204_/Y]\n"
        "set_false_path -through [get_pins _253_/Y] -through [get_pins _254_/A]\n"
        "set_false_path -through [get_cells _206_]\n"),
    "through_ports_and_endpoints": ("set_false_path -through [all_inputs]\n"
                                    "set_false_path -through [get_ports resp_msg[8]]\n"
                                    "set_false_path -through [get_pins _411_/D]\n"),
    "through_multicycle": (
        "set_multicycle_path 2 -through [get_pins _204_/Y]\n"
        "set_multicycle_path 3 -setup -from [get_ports req_msg*] -through "
        "[get_pins _206_/Y] -to [all_outputs]\n"),
    "rise_fall_points": ("set_false_path -rise_from [get_ports req_msg*]\n"
                         "set_multicycle_path 2 -fall_to [get_pins _41*_/D]\n"
                         "set_false_path -rise -to [all_outputs]\n"
                         "set_max_delay 2 -fall -from [get_cells _414_]\n"),
    "clock_edges": "set_multicycle_path 2 -rise_to [get_clocks clk] -from "
                   "[get_ports req_msg*]\n",
    "priority": ("set_multicycle_path 2 -from [get_clocks clk]\n"
                 "set_multicycle_path 3 -to [get_pins _411_/D]\n"
                 "set_false_path -hold -to [get_pins _412_/D]\n"
                 "set_multicycle_path 4 -setup -to [get_pins _412_/D]\n"
                 "set_multicycle_path 2 -hold -to [get_pins _412_/D]\n"
                 "set_max_delay 2 -to [get_ports resp_msg*]\n"
                 "set_max_delay 3 -to [get_ports resp_msg*]\n"
                 "set_multicycle_path 2 -to [get_pins _413_/D]\n"
                 "set_multicycle_path 3 -to [get_cells _413_]\n"
                 "set_false_path -through [get_pins _204_/Y]\n"
                 "set_max_delay 1 -from [get_cells _422_]\n"),
    "multicycle_start_end": (
        GEN_DIV2
        + "set_multicycle_path 2 -start -from [get_clocks clk] -to [get_clocks gclk]\n"
        "set_multicycle_path 1 -hold -end -from [get_clocks clk] -to [get_clocks gclk]\n"
        "set_multicycle_path 3 -from [get_clocks gclk] -to [get_clocks clk]\n"
        "set_multicycle_path 1 -hold -from [get_clocks gclk] -to [get_clocks clk]\n"),
}


@pytest.mark.parametrize("case", sorted(EXCEPTION_CASES))
def test_exceptions_against_opensta(case, tmp_path):
    _need_sta()
    extra = EXCEPTION_CASES[case]
    name = "gcd_sky130hd"
    assert _moved(name, extra, tmp_path) > 1e-3, "the commands change nothing: no test"
    assert max_slack_difference(name, _base(name) + extra, tmp_path) < TOL


@pytest.mark.parametrize("with_spef", [False, True], ids=["lumped", "spef"])
@pytest.mark.parametrize("corner", ["ff", "ss"])
def test_asap7_capacitance_ranges_against_opensta(corner, with_spef, tmp_path):
    """ASAP7 pins carry rise/fall_capacitance_range: the min (hold) analysis loads nets with
    the low ends, as OpenSTA (0.3 ps of hold slack on reg1 when ignored). With reg1's SPEF
    both analyses reduce the nets with the low ends (OpenSTA reduces a net once per corner,
    at its min analysis point: 1.5 ps of setup slack when the max ends are used)."""
    import gzip
    import subprocess

    from edapipe.timing.sta import StaParams, run_sta
    from tests.conftest import require_tool
    from tests.timing.conftest import parse_endpoints

    need_shared()
    sta = require_tool("sta")
    lib_gz = TIMING / "liberty" / f"asap7_small_{corner}.lib.gz"
    v = TIMING / "designs" / "reg1_asap7" / "reg1_asap7.v"
    lib = tmp_path / "asap7.lib"
    lib.write_bytes(gzip.decompress(lib_gz.read_bytes()))
    sdc = tmp_path / "c.sdc"
    sdc.write_text("create_clock -name clk -period 500 {clk1 clk2 clk3}\n"
                   "set_input_delay -clock clk 10 {in1 in2}\n"
                   "set_output_delay -clock clk 20 out\nset_input_transition 10 {in1 in2}\n")
    out = {k: tmp_path / f"{k}.txt" for k in ("max", "min")}
    script = tmp_path / "r.tcl"
    spef = v.with_suffix(".spef")
    script.write_text(f"read_liberty {lib}\nread_verilog {v}\nlink_design top\n"
                      + (f"read_spef {spef}\n" if with_spef else "set_load 0 [get_nets *]\n")
                      + f"read_sdc {sdc}\n"
                      + "".join(f"report_checks -path_delay {k} -format end -group_count 100 "
                                f"-endpoint_count 1 -unique_paths_to_endpoint -digits 6 "
                                f"> {out[k]}\n" for k in out))
    subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)], check=True,
                   capture_output=True, timeout=300)
    an = run_sta(StaParams(str(v), (str(lib_gz),), str(sdc),
                           spef=str(spef) if with_spef else None))
    for check, k in ((0, "max"), (1, "min")):
        theirs = parse_endpoints(out[k].read_text())
        ours = {e.name: e.slack[check] * 1e12 for e in an.endpoints}   # ps, as the library
        assert set(theirs) == set(ours)
        for name, slack in theirs.items():
            assert ours[name] == pytest.approx(slack, abs=TOL * 1e3), (k, name)  # ps


def test_corners_against_opensta_define_corners(tmp_path, capsys):
    """`--corner ff=... --corner ss=...` against `define_corners ff ss` with
    `read_liberty -corner`: every endpoint's worst setup and hold slack over the corners."""
    import json
    import subprocess

    from edapipe.cli.main import run
    from tests.conftest import require_tool
    from tests.timing.conftest import asap7_corners, parse_endpoints

    need_shared()
    sta = require_tool("sta")
    sdc = tmp_path / "c.sdc"
    sdc.write_text("create_clock -name clk -period 500 {clk1 clk2 clk3}\n"
                   "set_input_delay -clock clk 10 {in1 in2}\n"
                   "set_output_delay -clock clk 20 out\nset_input_transition 10 {in1 in2}\n")
    v, libs, head = asap7_corners(tmp_path, sdc)
    out = {k: tmp_path / f"{k}.txt" for k in ("max", "min")}
    script = tmp_path / "r.tcl"
    script.write_text(head + "".join(
        f"report_checks -path_delay {k} -format end -group_count 100 -endpoint_count 1 "
        f"-unique_paths_to_endpoint -digits 6 > {out[k]}\n" for k in out))
    subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)], check=True,
                   capture_output=True, timeout=300)
    with pytest.raises(SystemExit) as exc:
        run(["sta", str(v), "--sdc", str(sdc), "--json"]
            + [f"--corner={c}={p}" for c, p in libs.items()])
    assert exc.value.code == 0
    data = json.loads(capsys.readouterr().out)["corners"]
    assert list(data) == ["ff", "ss"]
    for key, k in (("setup_slack", "max"), ("hold_slack", "min")):
        theirs = parse_endpoints(out[k].read_text())
        ours: dict[str, float] = {}
        for corner in data.values():
            for e in corner["endpoints"]:
                ours[e["name"]] = min(e[key] * 1e3, ours.get(e["name"], float("inf")))  # ps
        assert set(ours) == set(theirs)
        for name, slack in theirs.items():
            assert ours[name] == pytest.approx(slack, abs=TOL * 1e3), (k, name)
    # the corners differ, so the worst-corner choice is exercised
    assert data["ff"]["hold"]["worst_slack"] != data["ss"]["hold"]["worst_slack"]


def test_per_corner_spef_against_opensta(tmp_path, capsys):
    """`--corner-spef ss=reg1.spef` (read_spef -corner): the ss corner times reg1 with its
    parasitics and the ff corner without, each equal to `sta` on that library alone with
    and without `read_spef` (Debian's 2019 `sta` has no `read_spef -corner`); with `--spef`
    given too, ff takes it and ss keeps its own."""
    import gzip
    import json
    import subprocess

    from edapipe.cli.main import run
    from tests.conftest import require_tool
    from tests.timing.conftest import parse_endpoints

    need_shared()
    sta = require_tool("sta")
    v = TIMING / "designs" / "reg1_asap7" / "reg1_asap7.v"
    spef = v.with_suffix(".spef")
    libs = {c: TIMING / "liberty" / f"asap7_small_{c}.lib.gz" for c in ("ff", "ss")}
    sdc = tmp_path / "c.sdc"
    sdc.write_text("create_clock -name clk -period 500 {clk1 clk2 clk3}\n"
                   "set_input_delay -clock clk 10 {in1 in2}\n"
                   "set_output_delay -clock clk 20 out\nset_input_transition 10 {in1 in2}\n")

    def theirs(corner: str, with_spef: bool) -> dict[str, dict[str, float]]:
        lib = tmp_path / f"{corner}.lib"
        lib.write_bytes(gzip.decompress(libs[corner].read_bytes()))
        out = {k: tmp_path / f"{corner}{with_spef}{k}.txt" for k in ("max", "min")}
        script = tmp_path / "r.tcl"
        script.write_text(f"read_liberty {lib}\nread_verilog {v}\nlink_design top\n"
                          + (f"read_spef {spef}\n" if with_spef else "set_load 0 [get_nets *]\n")
                          + f"read_sdc {sdc}\n"
                          + "".join(f"report_checks -path_delay {k} -format end -group_count "
                                    f"100 -endpoint_count 1 -unique_paths_to_endpoint "
                                    f"-digits 6 > {out[k]}\n" for k in out))
        subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)], check=True,
                       capture_output=True, timeout=300)
        return {k: parse_endpoints(out[k].read_text()) for k in out}

    def ours(*extra: str) -> dict:
        with pytest.raises(SystemExit) as exc:
            run(["sta", str(v), "--sdc", str(sdc), "--json", *extra]
                + [f"--corner={c}={p}" for c, p in libs.items()])
        assert exc.value.code == 0
        return json.loads(capsys.readouterr().out)["corners"]

    def same(corner_json: dict, want: dict[str, dict[str, float]]) -> None:
        for key, k in (("setup_slack", "max"), ("hold_slack", "min")):
            got = {e["name"]: e[key] * 1e3 for e in corner_json["endpoints"]}   # ps
            assert set(got) == set(want[k])
            for name, slack in want[k].items():
                assert got[name] == pytest.approx(slack, abs=TOL * 1e3), (k, name)

    ff_lumped, ss_spef, ff_spef = theirs("ff", False), theirs("ss", True), theirs("ff", True)
    assert ss_spef != theirs("ss", False), "the parasitics change nothing: no test"
    data = ours(f"--corner-spef=ss={spef}")
    same(data["ff"], ff_lumped)
    same(data["ss"], ss_spef)
    data = ours(f"--corner-spef=ss={spef}", "--spef", str(spef))
    same(data["ff"], ff_spef)
    same(data["ss"], ss_spef)


@pytest.mark.parametrize("args, words", [
    (["--corner-spef", "xx=a.spef"], "no --corner named"),
    (["--corner-spef", "ff"], "expected NAME=FILE"),
    (["--corner-spef", "ff=a.spef", "--corner-spef", "ff=b.spef"], "given twice"),
])
def test_corner_spef_usage_errors(args, words, capsys):
    from edapipe.cli.main import run

    with pytest.raises(SystemExit) as exc:
        run(["sta", "x.v", "--corner", "ff=a.lib", *args])
    assert exc.value.code == 2
    assert words in capsys.readouterr().err


REGEXP_CASES = {
    "ports": "set_max_delay 2.5 -to [get_ports -regexp {resp_msg\\[(1[0-5]|[0-3])\\]}]\n"
             "set_input_delay 3.3 -clock clk [get_ports -regexp {req_msg\\[[0-9]*[02468]\\]}]\n",
    "ports_nocase_bus": "set_load 0.05 [get_ports -regexp -nocase {RESP_MSG.?}]\n",
    # no . + * ? [ ]: a name, looked up as such (a bus: every bit), as OpenSTA
    "port_name": "set_load 0.05 [get_ports -regexp {resp_msg}]\n",
    "cells": "set_disable_timing [get_cells -regexp {_2[0-4][0-9]_}]\n",
    "pins": "set_false_path -through [get_pins -regexp {_3[0-9]{2}_/(A|B)}]\n",
    "nets": "set_load 0.02 [get_nets -regexp {_0[0-9]{2}_|resp_val}]\n",
    # (Debian's sta finds no library cell for a bracket expression here: `.` instead)
    "lib_cells": "set_disable_timing [get_lib_cells -regexp "
                 "{sky130_fd_sc_hd__tt_025C_1v80/sky130_fd_sc_hd__nand2_.}]\n",
    "clocks": "set_clock_uncertainty 0.4 [get_clocks -regexp {c(l|x).}]\n",
}


@pytest.mark.parametrize("case", sorted(REGEXP_CASES))
def test_regexp_object_queries_against_opensta(case, tmp_path):
    """`get_* -regexp` (timing/regex.py, anchored as OpenSTA's PatternMatch) selects the
    objects Tcl's regexp does in `sta`: every endpoint's slacks agree."""
    _need_sta()
    extra = REGEXP_CASES[case]
    name = "gcd_sky130hd"
    assert _moved(name, extra, tmp_path) > 1e-3, "the commands change nothing: no test"
    assert max_slack_difference(name, _base(name) + extra, tmp_path) < TOL
