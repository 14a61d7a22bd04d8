"""Path report text against live OpenSTA: times and the Cap column in the library's units
(ps and fF on ASAP7), endpoint counts, the slack histogram."""

from __future__ import annotations

import gzip
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
