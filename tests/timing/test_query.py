"""SDC object queries against live OpenSTA: -of_objects, -filter, -hierarchical, -quiet
(the objects each query returns, by full name), and the errors for what is not known."""

from __future__ import annotations

import subprocess

import pytest

from edapipe.errors import InputError
from edapipe.timing.liberty import read_liberty
from edapipe.timing.netlist import read_netlist_text
from edapipe.timing.sdc import _Reader
from edapipe.timing.sta import design_names, pin_lister
from tests.conftest import require_tool
from tests.timing.conftest import LIB, design_files, need_shared, plain_liberty

# queries Debian's 2019 sta answers too (it has no `!=` in filters, no get_nets -of_objects
# on ports and no get_clocks -filter; those are checked against our own expectation below)
GCD_QUERIES = [
    "get_pins -of_objects [get_cells _204_]",
    "get_pins -of_objects [get_nets _083_]",
    "get_nets -of_objects [get_pins _253_/Y]",
    "get_nets -of_objects [get_cells {_253_ _204_}]",
    "get_cells -of_objects [get_nets _083_]",
    "get_cells -of_objects [get_pins _253_/A]",
    "get_ports -of_objects [get_nets resp_val]",
    'get_cells -filter "ref_name == sky130_fd_sc_hd__nand2_1" *',
    'get_ports -filter "direction == output" resp_msg*',
    'get_pins -filter "direction == input" _253_/*',
    'get_cells -filter "ref_name =~ *xnor2* && name =~ _25*" *',
    'get_cells -filter "ref_name =~ *xnor2_1 || ref_name =~ *nand2_2" *',
    "get_cells -quiet nothing*",
    "get_lib_cells -of_objects [get_cells _253_]",
]
HIER_V = """module sub(a, y);
  input a; output y; wire n;
  sky130_fd_sc_hd__inv_1 i1 (.A(a), .Y(n));
  sky130_fd_sc_hd__inv_1 i2 (.A(n), .Y(y));
endmodule
module top(x, z);
  input x; output z; wire m;
  sub u1 (.a(x), .y(m));
  sky130_fd_sc_hd__buf_1 b1 (.A(m), .X(z));
endmodule
"""
# hierarchical instances (u1) and a submodule's port nets (u1/a, the same net as x) exist in
# OpenSTA's hierarchical network, not in our flattened one: leaf objects are compared
HIER_QUERIES = [
    "get_cells -filter \"ref_name =~ sky130*\" *",
    "get_cells -filter \"ref_name =~ sky130*\" -hierarchical *",
    "get_cells u1/*", "get_cells -hierarchical i*", "get_nets *",
    "get_nets -hierarchical n", "get_pins */A", "get_pins -hierarchical */A",
    "get_pins u1/*/A", "get_pins -hierarchical i1/*",
]


def _opensta(verilog, top: str, queries: list[str], tmp_path) -> list[list[str]]:
    sta = require_tool("sta")
    script = tmp_path / "q.tcl"
    lines = [f"read_liberty {plain_liberty()}", f"read_verilog {verilog}", f"link_design {top}",
             "proc show {objs} { set l {}; foreach o $objs { lappend l [get_full_name $o] };"
             " puts \"Q: [lsort $l]\" }"]
    lines += [f"show [{q}]" for q in queries]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                         capture_output=True, text=True, timeout=300).stdout
    assert "Error" not in out, out
    got = [line[3:].split() for line in out.splitlines() if line.startswith("Q:")]
    assert len(got) == len(queries)
    return [sorted(x.strip("{}").rsplit("/", 1)[-1] if "lib_cells" in q else x.strip("{}")
                   for x in names) for q, names in zip(queries, got)]


def _ours(verilog, queries: list[str]) -> list[list[str]]:
    lib = read_liberty(str(LIB))
    nl = read_netlist_text(open(verilog).read(), str(verilog), pin_lister([lib]))
    names = design_names(nl, [lib])
    out = []
    for q in queries:
        r = _Reader(f"set x [{q}]", "q.sdc", names, lib.time_unit, lib.cap_unit)
        r.interp.run()
        out.append(sorted(o.name for o in r.interp.vars["x"]))
    return out


def test_queries_on_gcd_against_opensta(tmp_path):
    need_shared()
    v, _ = design_files("gcd_sky130hd")
    ours = _ours(v, GCD_QUERIES)
    assert ours == _opensta(v, "gcd", GCD_QUERIES, tmp_path)
    assert all(ours[:-2])   # every query but -quiet finds something


def test_hierarchical_patterns_against_opensta(tmp_path):
    need_shared()
    v = tmp_path / "h.v"
    v.write_text(HIER_V)
    theirs = _opensta(v, "top", HIER_QUERIES, tmp_path)
    ours = _ours(v, HIER_QUERIES)
    for q, a, b in zip(HIER_QUERIES, ours, theirs):
        assert a == [n for n in b if n not in ("u1", "u1/a", "u1/y")], q


def test_queries_newer_opensta_has():
    """`!=`, -of_objects on ports, get_clocks -filter: as current OpenSTA (no Debian
    reference)."""
    need_shared()
    v, _ = design_files("gcd_sky130hd")
    got = _ours(v, ['get_ports -filter "direction != input" resp_*',
                    "get_nets -of_objects [get_ports req_val]",
                    "get_cells -filter \"(ref_name =~ *xnor2_1 || ref_name =~ *nand2_2) && "
                    "name =~ _2*\" *"])
    assert got[0] == sorted(["resp_val"] + [f"resp_msg[{k}]" for k in range(16)])
    assert got[1] == ["req_val"]
    assert got[2] and all(n.startswith("_2") for n in got[2])


@pytest.mark.parametrize("query, message", [
    ('get_cells -filter "colour == red" *', "no property 'colour'"),
    ('get_cells -filter "ref_name ==" *', "expected a value"),
    ('get_cells -filter "(ref_name == x" *', "missing )"),
    ("get_clocks -of_objects x", "-of_objects is not an option"),
    ("get_pins -of_objects [get_ports req_val]", "is a port"),
    ("get_pins -of_objects [get_cells _204_] *", "not both"),
])
def test_query_errors_are_located(query, message):
    need_shared()
    v, _ = design_files("gcd_sky130hd")
    with pytest.raises(InputError) as err:
        _ours(v, [query])
    assert message in str(err.value) and "q.sdc:1:" in str(err.value)
