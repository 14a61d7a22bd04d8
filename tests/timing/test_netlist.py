"""The timing netlist as a builder of the one gate-level parser (aig/io/vlog_parse): the fast
mode (whole statements as tokens) and the plain parse build the same netlist, instance lines
come from token positions, and refused constructs are located."""

from __future__ import annotations

import re

import pytest

from edapipe.errors import InputError
from edapipe.timing import netlist
from edapipe.timing.netlist import line_of_instance, read_netlist_text

from .conftest import design_files, need_shared


def any_pins(text: str):
    pins = sorted(set(re.findall(r"\.\s*\\?(\w+)\s*\(", text))) or ["A", "Y"]
    return lambda cell: pins


def flat(nl: netlist.Netlist) -> tuple:
    return (nl.top, nl.net_names, [(p.name, p.direction, p.net) for p in nl.ports],
            [(i.name, i.cell, i.conns) for i in nl.instances], nl.warnings, nl.hierarchical)


HIER = """module leaf(a, y);
  input a; output y;
  INV u (.A(a), .Y(y));
endmodule
module top(input [1:0] x, output [1:0] z);
  wire [1:0] m;
  supply0 gnd;
  leaf l0 (.a(x[0]), .y(m[0]));
  leaf l1 (x[1], m[1]);
  BUF b0 (.A(m[0]), .Y(z[0]));
  BUF b1 (m[1], z[1]);
  NAND2 n (.A(gnd), .B(m[0]), .Y());
endmodule
"""


@pytest.mark.parametrize("name", ["gcd_sky130hd",
                                  pytest.param("arbiter", marks=pytest.mark.slow)])
def test_fast_and_plain_parses_build_the_same_netlist(name):
    need_shared()
    path, _ = design_files(name)
    text = path.read_text()
    pins = any_pins(text)
    fast = netlist._read(text, "d.v", pins, None, fast=True)
    plain = netlist._read(text, "d.v", pins, None, fast=False)
    assert flat(fast) == flat(plain)
    assert len(fast.instances) > 1000
    # the line of an instance is where its statement starts, in either mode
    for k in range(0, len(fast.instances), 397):
        assert line_of_instance(fast, k) == line_of_instance(plain, k)


def test_hierarchy_flattens_alike_in_both_modes():
    pins = lambda cell: {"INV": ["A", "Y"], "BUF": ["A", "Y"],
                         "NAND2": ["A", "B", "Y"]}.get(cell)
    fast = netlist._read(HIER, "h.v", pins, None, fast=True)
    plain = netlist._read(HIER, "h.v", pins, None, fast=False)
    assert flat(fast) == flat(plain)
    assert fast.hierarchical and fast.top == "top"
    assert [i.name for i in fast.instances] == ["l0/u", "l1/u", "b0", "b1", "n"]
    assert fast.instances[-1].conns["A"] == 0          # supply0: constant 0
    text_lines = HIER.splitlines()
    for k, inst in enumerate(fast.instances):
        line = text_lines[line_of_instance(fast, k) - 1]
        assert inst.name.split("/")[-1] in line


@pytest.mark.parametrize("body, where, what", [
    ("  assign y = a | a;\n", (4, 16), "operators are not allowed in a gate-level netlist"),
    ("  parameter W = 2;\n", (4, 3), "'parameter' is not allowed in a gate-level netlist"),
    ("  always @(a) y = a;\n", (4, 3), "'always' is not allowed"),
    ("  INV u [1:0] (.A(a), .Y(y));\n", (4, 9), "instance arrays are not supported"),
    ("  INV u (.A(a), .Q(y));\n", (4, 18), "cell INV has no pin 'Q'"),
    ("  INV u (.A(a[0]), .Y(y));\n", (4, 13), "not a vector"),
    ("  assign y = 2'bx0;\n", (4, 14), "x/z bits, which timing cannot use"),
])
def test_refused_constructs_are_located(body, where, what):
    text = "module t(a, y);\n  input a;\n  output y;\n" + body + "endmodule\n"
    with pytest.raises(InputError) as err:
        read_netlist_text(text, "r.v", lambda cell: {"INV": ["A", "Y"]}.get(cell))
    assert (err.value.file, err.value.line, err.value.column) == ("r.v",) + where
    assert what in str(err.value)


def test_a_fast_instance_error_is_located_at_its_pin():
    # the fast mode reads the statement as one token; the error comes from the plain parse
    text = "module t(a, y);\n  input a; output y;\n  INV u (.A(a),\n         .Q(y));\nendmodule\n"
    with pytest.raises(InputError) as err:
        read_netlist_text(text, "p.v", lambda cell: ["A", "Y"])
    assert (err.value.line, err.value.column) == (4, 11)


def test_escaped_cell_names_are_unescaped_in_both_modes():
    text = "module t(a, y);\n input a; output y;\n \\INV  u (.A(a), .Y(y));\n" \
           " \\INV  v (a, y);\nendmodule\n"
    nl = read_netlist_text(text, "e.v", lambda cell: ["A", "Y"] if cell == "INV" else None)
    assert [i.cell for i in nl.instances] == ["INV", "INV"] and not nl.warnings
