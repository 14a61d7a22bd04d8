"""Design-rule checks against live OpenSTA: `report_check_types -max_transition
-all_violators` on gcd (design, port and Liberty limits; with SPEF the load pins' own
degraded slews)."""

from __future__ import annotations

import re
import subprocess

import pytest

from edapipe.timing import drc
from edapipe.timing.search import analyze
from edapipe.timing.sta import StaParams, load
from tests.conftest import require_tool
from tests.timing.conftest import LIB, TIMING, design_files, need_shared, plain_liberty

SPEF = TIMING / "designs" / "gcd_sky130hd" / "gcd_sky130hd.spef"
_ROW = re.compile(r"^(\S+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+) \((VIOLATED|MET)\)")
CASES = {
    "design_limit": ("set_max_transition 0.12 [current_design]\n", None),
    "ports_and_liberty": ("set_load 0.9 [get_ports resp_msg*]\n"
                          "set_input_transition 0.8 [get_ports {req_msg[1] req_msg[2]}]\n"
                          "set_max_transition 0.5 [get_ports req_msg*]\n"
                          "set_max_transition 0.05 [get_ports resp_val]\n", None),
    "spef": ("set_max_transition 0.1 [current_design]\n", SPEF),
}


def _rows(text: str) -> dict[str, tuple[float, float, float]]:
    return {m.group(1): tuple(float(x) for x in m.group(2, 3, 4))
            for m in map(_ROW.match, text.splitlines()) if m}


@pytest.mark.parametrize("case", sorted(CASES))
def test_max_transition_against_opensta(case, tmp_path):
    need_shared()
    sta = require_tool("sta")
    extra, spef = CASES[case]
    v, base = design_files("gcd_sky130hd")
    sdc = tmp_path / "d.sdc"
    sdc.write_text(base.read_text() + extra)
    script = tmp_path / "d.tcl"
    script.write_text(f"read_liberty {plain_liberty()}\nread_verilog {v}\nlink_design gcd\n"
                      + ("set_load 0 [get_nets *]\n" if spef is None else "")
                      + f"read_sdc {sdc}\n" + (f"read_spef {spef}\n" if spef else "")
                      + "report_check_types -max_transition -all_violators -digits 6\n")
    out = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                         capture_output=True, text=True, timeout=300).stdout
    theirs = _rows(out)
    graph, cons, libs = load(StaParams(str(v), (str(LIB),), str(sdc),
                                       spef=None if spef is None else str(spef)))
    an = analyze(graph, cons, libs)
    ours = _rows(drc.format_checks(drc.max_transition(an, libs), 6))
    assert len(theirs) > 10 and set(ours) == set(theirs)
    for pin, (limit, trans, slack) in theirs.items():
        assert ours[pin][0] == pytest.approx(limit, rel=1e-6, abs=2e-6), pin
        assert ours[pin][1] == pytest.approx(trans, rel=1e-6, abs=2e-6), pin


# -- max_capacitance and max_fanout ----------------------------------------------------------
# Debian's 2019 `sta` has no `report_check_types -max_capacitance/-max_fanout` ("not a known
# keyword or flag"), so these are checked against values worked out by hand from mini.lib.
_DRC_LIB = [("capacitive_load_unit (1, pf);", "capacitive_load_unit (1, pf);\n"
             "  default_max_capacitance : 0.004;\n  default_fanout_load : 1.0;"),
            ("pin (A) { direction : input; rise_capacitance : 0.003; fall_capacitance : 0.004; }",
             "pin (A) { direction : input; rise_capacitance : 0.003; fall_capacitance : 0.004;"
             " fanout_load : 2; }")]
_DRC_V = """module top(a, y1, y2);
 input a; output y1, y2; wire n1, n4;
 INV u1 (.A(a), .Y(n1));
 BUF u2 (.A(n1), .Y(y1));
 BUF u3 (.A(n1), .Y(y2));
 INV u4 (.A(n1), .Y(n4));
endmodule"""


def test_max_capacitance_and_fanout_by_hand():
    from edapipe.timing.liberty import parse_liberty_text
    from tests.timing.conftest import DATA
    from tests.timing.test_engine import run

    text = (DATA / "mini.lib").read_text()
    for old, new in _DRC_LIB:
        assert old in text
        text = text.replace(old, new)
    lib = parse_liberty_text(text, "mini.lib")
    an = run(lib, _DRC_V, "set_load 0.05 [get_ports y1]\nset_load 0.02 [get_ports y2]\n"
                          "set_max_capacitance 0.04 [current_design]\n"
                          "set_max_capacitance 0.03 [get_ports y2]\n"
                          "set_max_fanout 4 [current_design]\n")
    caps = drc.max_capacitance(an, [lib])
    # outputs u1/Y u2/Y u3/Y u4/Y and ports y1 y2; limits: INV/BUF outputs take the library
    # default 0.004 (tighter than the design's 0.04), ports the design's or their own
    assert caps.checked == 6
    got = {v.pin: (round(v.limit / 1e-12, 9), round(v.value / 1e-12, 9), v.edge)
           for v in caps.violators}
    # n1: u2/A + u3/A fall 0.004 each + u4/A 0.001 = 0.009 pF (rise 0.007): fall is worse;
    # y1: the port's set_load 0.05 over 0.004 (u2/Y) and 0.04 (the port itself)
    assert got == {"u1/Y": (0.004, 0.009, 1), "u2/Y": (0.004, 0.05, 0),
                   "y1": (0.04, 0.05, 0), "u3/Y": (0.004, 0.02, 0)}
    assert [v.pin for v in caps.violators] == ["u2/Y", "u3/Y", "y1", "u1/Y"]
    fan = drc.max_fanout(an, [lib])
    # n1: BUF A fanout_load 2 twice + INV A the library default 1 = 5 > 4; ports add nothing
    assert fan.checked == 6
    assert [(v.pin, v.limit, v.value) for v in fan.violators] == [("u1/Y", 4.0, 5.0)]
    assert fan.worst.slack == -1.0
    assert "u1/Y" in drc.format_checks(fan, 3) and "Fanout" in drc.format_checks(fan, 3)
    # a constant output is not checked (OpenSTA's checkPin: logicZeroOne): on u4/A it
    # makes u4/Y constant only; on the input port every output
    an = run(lib, _DRC_V, "set_max_fanout 4 [current_design]\nset_case_analysis 0 u4/A\n")
    assert drc.max_fanout(an, [lib]).checked == 5
    an = run(lib, _DRC_V, "set_max_fanout 4 [current_design]\nset_case_analysis 0 a\n")
    assert drc.max_fanout(an, [lib]).checked == 0


def test_capacitance_in_the_library_unit():
    from edapipe.timing.liberty import parse_liberty_text
    from tests.timing.conftest import DATA
    from tests.timing.test_engine import run

    text = (DATA / "mini.lib").read_text().replace("capacitive_load_unit (1, pf);",
                                                   "capacitive_load_unit (1, ff);")
    lib = parse_liberty_text(text, "mini.lib")
    an = run(lib, _DRC_V, "set_max_capacitance 0.005 [current_design]\n")   # 0.005 fF
    caps = drc.max_capacitance(an, [lib])
    assert caps.unit() == (pytest.approx(1e15), "fF")
    row = next(line for line in drc.format_checks(caps, 3).splitlines()
               if line.startswith("u1/Y"))
    # n1 falls with 0.004 + 0.004 + 0.001 fF (mini.lib's numbers, now in fF)
    assert row.split()[1:4] == ["0.005", "0.009", "-0.004"]
    assert caps.violators[0].value == pytest.approx(0.009e-15)


def test_max_capacitance_with_spef_is_the_cap_column(tmp_path):
    """With parasitics the checked capacitance is OpenSTA's loadCap, the Cap column of
    report_checks (rc.RcNet.cap, checked against `sta` in test_paths_opensta): the wire the
    driver reaches plus every pin of the net at the max analysis, not the pi model's
    total (3.4 fF apart on one of gcd's nets); a port's set_load still overrides it."""
    need_shared()
    v, sdc_path = design_files("gcd_sky130hd")
    extra = ("set_max_capacitance 0.002 [current_design]\n"
             "set_load 0.3 [get_ports resp_msg[3]]\n")
    sdc = tmp_path / "c.sdc"
    sdc.write_text(sdc_path.read_text() + extra)
    g, cons, libs = load(StaParams(str(v), (str(LIB),), str(sdc), spef=str(SPEF)))
    an = analyze(g, cons, libs)
    caps = drc.max_capacitance(an, libs)
    got = {x.pin: x.value for x in caps.violators}
    assert len(got) > 200
    apart = overridden = 0
    for drv, net in g.rc.items():
        name = g.node_name(drv)
        if name not in got:
            continue
        cols = [net.cap[(e, 0)] for e in range(2)]
        if None in cols:     # resp_msg[3]'s set_load: the lumped load of the graph
            assert got[name] == pytest.approx(float(g.load[drv].max()), rel=1e-12)
            assert got[name] >= 0.3e-12
            overridden += 1
            continue
        assert got[name] == pytest.approx(max(cols), rel=1e-12), name
        pi_total = max(net.pi[(e, 0)][0] + net.pi[(e, 0)][2] for e in range(2))
        apart += abs(pi_total - max(cols)) > 1e-15
    assert apart >= 1 and overridden == 1
