"""Nets with several drivers (timing/multidrive.py) against live OpenSTA (Debian's `sta`):
two cell outputs wired together (parallel drivers), a three-state bus, an inout port driven
by a three-state buffer and one on a bus of two, nested multi-driver nets and parallel
register outputs. Every
endpoint's setup and hold slack within 1e-5 ns, with and without min/max loads and slews."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import tool
from tests.timing.conftest import (DATA, LIB, endpoint_slacks, need_shared, parse_endpoints,
                                   plain_liberty)

TOL = 1e-5   # ns
MD = DATA / "multidrive"


def _need_sta():
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")


def _sta(verilog: str, top: str, sdc: str, tmp, commands: str) -> str:
    script = tmp / "md.tcl"
    script.write_text(f"read_liberty {plain_liberty()}\nread_verilog {MD / verilog}\n"
                      f"link_design {top}\nset_load 0 [get_nets *]\n"
                      f"read_sdc {MD / sdc}\n{commands}")
    proc = subprocess.run([tool("sta"), "-no_init", "-no_splash", "-exit", str(script)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Error" not in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


def _theirs(verilog, top, sdc, tmp):
    out = _sta(verilog, top, sdc, tmp, "".join(
        f"report_checks -path_delay {k} -format end -group_count 100000 -endpoint_count 1 "
        f"-unique_paths_to_endpoint -digits 7\n" for k in ("max", "min")))
    setup, hold = out.split("min_delay/hold")
    return parse_endpoints(setup), parse_endpoints(hold)


def _analysis(verilog, top, sdc, engine="auto", spef=None):
    from edapipe.timing.sta import StaParams, run_sta
    return run_sta(StaParams(str(MD / verilog), (str(LIB),), str(MD / sdc), top=top,
                             engine=engine, spef=spef))


CASES = {
    "parallel": ("md1.v", "md1", "md1.sdc"),
    # min/max input slews, loads on ports and on the multi-driver net, a clock slew
    "parallel_min_max": ("md1.v", "md1", "md1b.sdc"),
    # -through one driver of the net (the other still reaches r3/D), a multicycle path
    # through the net
    "parallel_exceptions": ("md1.v", "md1", "md1x.sdc"),
    # three-state drivers are timed alone at the whole net's load; the inout port's input
    # side takes its load side's slew (no set_input_transition on it)
    "tristate_inout": ("md2.v", "md2", "md2.sdc"),
    "tristate_inout_slews": ("md2.v", "md2", "md2b.sdc"),
    "tristate_slow_second": ("md2s.v", "md2", "md2.sdc"),
    # m2's drivers depend on m1 (two settling passes); two registers' Q pins wired
    # together (clock-to-output arcs in the parallel sum)
    "nested": ("md3.v", "md3", "md3.sdc"),
    # an inout port on a bus of two three-state drivers: its output side (a node of its
    # own) takes the worse of the two, never its own input; min/max loads, input delay
    "inout_bus": ("md4.v", "md4", "md4.sdc"),
    "inout_bus_min_max": ("md4.v", "md4", "md4b.sdc"),
    # a propagated clock through two clock buffers in parallel (a small clock mesh), with
    # clock reconvergence pessimism removal
    "clock_mesh_propagated": ("md5.v", "md5", "md5.sdc"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_multidriver_slacks_match_opensta(case, tmp_path):
    _need_sta()
    verilog, top, sdc = CASES[case]
    theirs = _theirs(verilog, top, sdc, tmp_path)
    an = _analysis(verilog, top, sdc)
    assert an.graph.multi, "the design must have multi-driver nets"
    ours = endpoint_slacks(an)
    for check in (0, 1):
        assert set(ours[check]) == set(theirs[check])
        worst = max(abs(ours[check][k] - theirs[check][k]) for k in theirs[check])
        assert worst <= TOL, (case, check, worst)


def test_multidriver_engines_agree():
    need_shared()
    for verilog, top, sdc in CASES.values():
        a, b = endpoint_slacks(_analysis(verilog, top, sdc, "numpy")), \
            endpoint_slacks(_analysis(verilog, top, sdc, "numba"))
        assert a == b


def test_multidriver_changes_the_answer():
    """The parallel rule against the old first-driver timing: the net's arrival is not the
    first driver's alone (a test that could not fail otherwise)."""
    need_shared()
    an = _analysis("md1.v", "md1", "md1.sdc")
    z = next(e for e in an.endpoints if e.name == "z")
    assert abs(z.slack[0] * 1e9 - 1.2066640) < TOL   # OpenSTA's; first driver only: 1.1653


def test_multidriver_path_rows_match_opensta(tmp_path):
    """The worst path through a multi-driver net: the same rows as OpenSTA (a load pin of
    the net is an input-pin row, shown with -fields input_pins)."""
    _need_sta()
    from edapipe.timing.paths import Selection
    from edapipe.timing.report import format_check

    out = _sta("md1.v", "md1", "md1b.sdc", tmp_path,
               "report_checks -path_delay max -fields {slew cap input_pins} -digits 4\n")
    an = _analysis("md1.v", "md1", "md1b.sdc")
    ours = "".join(format_check(an, 0, "full", Selection(count=1), 4,
                                frozenset({"slew", "cap", "input_pins"})))

    def rows(text):
        return [line.split() for line in text.splitlines()
                if "(" in line and line.strip()[:1] in "0123456789-" and "/" in line
                or line.rstrip().endswith(("(in)", "(out)"))]
    theirs_rows, our_rows = rows(out), rows(ours)
    assert len(theirs_rows) >= 6 and any(r[-2] == "u4/A" for r in theirs_rows)
    assert [r[-2:] for r in our_rows] == [r[-2:] for r in theirs_rows]
    for a, b in zip(our_rows, theirs_rows):
        nums_a = [float(x) for x in a if x.replace(".", "").replace("-", "").isdigit()]
        nums_b = [float(x) for x in b if x.replace(".", "").replace("-", "").isdigit()]
        assert nums_a == pytest.approx(nums_b, abs=1.5e-4), (a, b)


def test_multidriver_max_transition_matches_opensta(tmp_path):
    _need_sta()
    from edapipe.timing.drc import max_transition
    from edapipe.timing.liberty import read_liberty

    sdc = tmp_path / "drc.sdc"
    sdc.write_text((MD / "md1b.sdc").read_text() + "set_max_transition 0.05 [current_design]\n")
    out = _sta("md1.v", "md1", "md1b.sdc", tmp_path,
               "set_max_transition 0.05 [current_design]\n"
               "report_check_types -max_transition -all_violators -digits 5\n")
    theirs = {p[0]: float(p[3]) for p in (line.split() for line in out.splitlines())
              if len(p) == 5 and p[4] == "(VIOLATED)"}
    from edapipe.timing.sta import StaParams, run_sta
    an = run_sta(StaParams(str(MD / "md1.v"), (str(LIB),), str(sdc), top="md1"))
    checks = max_transition(an, [read_liberty(str(LIB))])
    ours = {v.pin: v.slack * 1e9 for v in checks.violators}
    assert set(ours) == set(theirs)
    for k, s in theirs.items():
        assert ours[k] == pytest.approx(s, abs=1e-5), k


def test_multidriver_with_parasitics_is_a_located_error(tmp_path):
    need_shared()
    from edapipe.errors import InputError

    with pytest.raises(InputError) as err:
        _analysis("md1.v", "md1", "md1.sdc", spef=str(MD / "md1.spef"))
    text = str(err.value)
    assert "md1.v:" in text and "drivers" in text and "md1.spef" in text


@pytest.mark.parametrize("case", ["parallel", "tristate_inout", "inout_bus"])
def test_multidriver_net_rows_match_opensta(case, tmp_path):
    """`-fields nets`: a multi-driver net's Fanout counts its load pins but the reporting
    driver's (an inout port is both). Debian's `sta` also prints a net row after an inout
    endpoint (fanout 0), which edapipe does not."""
    _need_sta()
    from edapipe.timing.paths import Selection
    from edapipe.timing.report import format_check

    verilog, top, sdc = CASES[case]
    out = _sta(verilog, top, sdc, tmp_path, "report_checks -fields {nets} -path_delay min_max "
                                            "-group_count 8\n")
    an = _analysis(verilog, top, sdc)
    ours = "".join(part for check in (0, 1)
                   for part in format_check(an, check, "full", Selection(count=8), 2,
                                            frozenset({"nets"})))

    def nets(text):
        return {tuple(line.split()[:2]) for line in text.splitlines() if "(net)" in line}
    assert nets(ours) == nets(out) - {("0", "io")}
    assert any(n == "n3" or n == "bus" or n == "io" for _, n in nets(ours))


def test_bidirectional_cell_pin_is_a_located_error(tmp_path):
    """A cell's inout pin that an arc drives (a pad) needs OpenSTA's two vertices per
    bidirect pin; refused at the instance, never timed as a plain load."""
    from edapipe.errors import InputError
    from edapipe.timing.sta import StaParams, run_sta

    v = tmp_path / "bd.v"
    v.write_text("module bd(a, oe, p, y);\n  input a, oe; inout p; output y;\n"
                 "  PAD u1 (.A(a), .OE(oe), .P(p), .Y(y));\nendmodule\n")
    with pytest.raises(InputError) as err:
        run_sta(StaParams(str(v), (str(MD / "bidi_pad.lib"),), None))
    assert "bd.v:3:" in str(err.value) and "inout pin P" in str(err.value)


def test_huge_multidriver_net_is_a_resource_limit(tmp_path):
    """Drivers x loads WIRE arcs are bounded (a hostile netlist cannot exhaust memory)."""
    need_shared()
    from edapipe.errors import ResourceLimit
    from edapipe.timing.sta import StaParams, run_sta

    n = 2100
    v = tmp_path / "h.v"
    v.write_text("module h(a, y);\n  input a; output y;\n  wire n;\n"
                 + "".join(f"  sky130_fd_sc_hd__buf_1 d{i} (.A(a), .X(n));\n" for i in range(n))
                 + "".join(f"  sky130_fd_sc_hd__inv_1 l{i} (.A(n), .Y(y));\n" for i in range(n))
                 + "endmodule\n")
    with pytest.raises(ResourceLimit, match="driver-to-load arcs"):
        run_sta(StaParams(str(v), (str(LIB),), None))


@pytest.mark.parametrize("case", ["parallel", "tristate_inout", "nested", "inout_bus"])
def test_multidriver_endpoint_count_matches_opensta(case, tmp_path):
    """-endpoint_count 4: the same paths per endpoint as OpenSTA, whose enumeration never
    deviates to another driver of a multi-driver net (PathEnumFaninVisitor skips fanin
    through the path's own timing arc, and all wire edges share one wire arc per
    transition)."""
    _need_sta()
    from edapipe.timing.paths import Selection
    from edapipe.timing.report import format_check

    verilog, top, sdc = CASES[case]
    out = _sta(verilog, top, sdc, tmp_path, "report_checks -path_delay min_max -format end "
                                            "-group_count 40 -endpoint_count 4 -digits 7\n")
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import StaParams, load
    graph, cons, libs = load(StaParams(str(MD / verilog), (str(LIB),), str(MD / sdc),
                                       top=top))
    an = analyze(graph, cons, libs, keep_ends=True)
    ours = "".join(part for check in (0, 1)
                   for part in format_check(an, check, "end", Selection(40, 4), 7))

    def rows(text):
        got: dict[str, list[float]] = {}
        for line in text.splitlines():
            p = line.split()
            if p and p[-1] in ("(MET)", "(VIOLATED)"):
                got.setdefault(p[0], []).append(float(p[-2]))
        return {k: sorted(v) for k, v in got.items()}
    theirs, mine = rows(out), rows(ours)
    assert set(mine) == set(theirs) and any(len(v) > 1 for v in theirs.values())
    for k in theirs:
        assert mine[k] == pytest.approx(theirs[k], abs=2e-6), k
