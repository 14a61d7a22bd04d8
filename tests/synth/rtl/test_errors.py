"""Bad input: syntax errors and constructs outside the subset are InputErrors with file:line."""

from __future__ import annotations

import pytest

from edapipe.errors import InputError
from edapipe.synth.rtl import read_rtl, read_rtl_files


def fails(src: str, *, top=None) -> InputError:
    with pytest.raises(InputError) as info:
        read_rtl(src.encode(), "bad.v", top=top)
    err = info.value
    assert err.exit_code == 3
    assert err.file and err.file.endswith("bad.v")
    return err


def test_syntax_error_has_line():
    err = fails("module top(input a, output y);\n  assign y = a &;\nendmodule\n")
    assert err.line == 2
    assert "syntax error" in err.reason


def test_unknown_module():
    err = fails("module top(input a, output y);\n  nothere u(.a(a), .y(y));\nendmodule\n")
    assert err.line == 2


def test_inferred_latch_is_refused():
    err = fails("module top(input e, d, output reg q);\n  always @*\n    if (e) q = d;\n"
                "endmodule\n")
    assert "latch" in err.reason
    assert err.line == 2


def test_always_latch_is_refused():
    err = fails("module top(input e, d, output logic q);\n  always_latch if (e) q = d;\n"
                "endmodule\n")
    assert "latch" in err.reason and err.line == 2


def test_combinational_loop():
    err = fails("module top(input a, output y);\n  wire t;\n  assign t = y & a;\n"
                "  assign y = ~t;\nendmodule\n")
    assert "loop" in err.reason


def test_inout_of_an_instance_is_refused():
    """A top-level inout is a pad (tests/synth/rtl/test_tristate.py); tri-states across
    the hierarchy are not implemented."""
    err = fails("module c(inout a, output y);\n  assign y = a;\nendmodule\n"
                "module top(inout p, output y);\n  c u(.a(p), .y(y));\nendmodule\n")
    assert "inout" in err.reason and err.line == 5


def test_event_control_inside_block_is_refused():
    err = fails("module top(input clk, a, output reg y);\n  always @* begin\n"
                "    @(posedge clk) y = a;\n  end\nendmodule\n")
    assert "event control" in err.reason and err.line == 3


def test_real_is_refused():
    err = fails("module top(input a, output y);\n  real r;\n  assign y = a;\n"
                "  always @* r = 1.5;\nendmodule\n")
    assert "real" in err.reason


def test_unbounded_loop():
    err = fails("module top(input [3:0] a, output reg [3:0] y);\n  integer i;\n"
                "  always @* begin y = 0;\n    for (i = 0; i < a; i = i + 1) y = y + 1;\n  end\n"
                "endmodule\n")
    assert "constant" in err.reason and err.line == 4


def test_readmem_is_refused():
    err = fails("module top(input clk, input [1:0] a, output [3:0] y);\n  reg [3:0] m [0:3];\n"
                "  initial $readmemh(\"m.hex\", m);\n  assign y = m[a];\nendmodule\n")
    assert "readmem" in err.reason


def test_multiple_drivers():
    err = fails("module top(input a, b, output y);\n  assign y = a;\n  assign y = b;\n"
                "endmodule\n")
    assert "driver" in err.reason


def test_several_tops_need_top():
    src = "module a(input x, output y); assign y = x; endmodule\n" \
          "module b(input x, output y); assign y = ~x; endmodule\n"
    err = fails(src)
    assert "--top" in err.reason
    aig = read_rtl(src.encode(), "two.v", top="b")
    assert aig.num_outputs == 1


def test_top_not_found():
    err = fails("module a(input x, output y); assign y = x; endmodule\n", top="zz")
    assert "zz" in err.reason


def test_missing_file():
    with pytest.raises(InputError):
        read_rtl_files(["/nonexistent/x.v"])


def test_defines_and_include_dirs(tmp_path):
    (tmp_path / "w.vh").write_text("`define W 3\n")
    src = b'`include "w.vh"\nmodule top(input [`W-1:0] a, output [`W-1:0] y);\n' \
          b'`ifdef INV\n  assign y = ~a;\n`else\n  assign y = a;\n`endif\nendmodule\n'
    aig = read_rtl(src, "t.v", include_dirs=[str(tmp_path)], defines={"INV": "1"})
    assert aig.num_inputs == 3
    assert [int(x) & 1 for x in aig.outputs] == [1, 1, 1]


def test_verilog_2005_names_that_are_systemverilog_keywords():
    aig = read_rtl(b"module top(input bit, input do, output logic);\n"
                   b"  assign logic = bit & do;\nendmodule\n", "old.v")
    assert aig.input_names == ("bit", "do") and aig.output_names == ("logic",)
