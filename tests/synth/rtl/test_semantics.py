"""Constructs Yosys 0.23 cannot judge (while loops outside constant functions), checked by
exhaustive simulation against Python."""

from __future__ import annotations

from pathlib import Path

from edapipe.synth.rtl import read_rtl, read_rtl_files
from tests.synth.rtl.simulate import bus, drive, evaluate

HERE = Path(__file__).parent


def test_while_loop_in_function():
    aig = read_rtl_files([str(HERE / "designs_sim" / "while_loop.v")])
    for a in range(256):
        out = evaluate(aig, drive("a", a, 8))
        lz = next((7 - k for k in range(7, -1, -1) if (a >> k) & 1), 8)
        g = a
        for _ in range(3):
            g ^= g >> 1
        assert bus(out, "lz", 4) == lz
        assert bus(out, "g", 8) == g


def test_while_and_repeat_in_always():
    src = b"""
module top(input [7:0] a, output reg [3:0] n, output reg [7:0] g);
  integer k;
  always @* begin
    n = 0; k = 0;
    while (k < 8) begin n = n + a[k]; k = k + 1; end
    g = a;
    repeat (2) g = {g[6:0], g[7]};
  end
endmodule
"""
    aig = read_rtl(src, "t.v")
    for a in range(256):
        out = evaluate(aig, drive("a", a, 8))
        assert bus(out, "n", 4) == bin(a).count("1")
        assert bus(out, "g", 8) == ((a << 2) | (a >> 6)) & 0xFF


def test_hierarchical_latch_names():
    aig = read_rtl_files([str(HERE / "designs" / "hier_flops.v")])
    assert "bit_[2].u.q_reg" in aig.latch_names


def test_flop_init_values():
    aig = read_rtl_files([str(HERE / "designs" / "flop_init.v")])
    init = dict(zip(aig.latch_names, aig.latch_init.tolist()))
    assert [init[f"q_reg[{i}]"] for i in range(4)] == [1, 0, 0, 1]
    assert [init[f"c_reg[{i}]"] for i in range(3)] == [1, 0, 1]


def test_unread_flops_make_no_latches():
    src = b"""
module top(input clk, input d, output y);
  reg unused, used;
  always @(posedge clk) begin unused <= d; used <= ~d; end
  assign y = used;
endmodule
"""
    aig = read_rtl(src, "t.v")
    assert aig.latch_names == ("used_reg",)


def test_warnings_for_ignored_constructs():
    warnings = []
    read_rtl_files([str(HERE / "designs" / "ignored_constructs.v")], warn=warnings.append)
    text = "\n".join(warnings)
    assert "$display" in text
    assert "delay" in text


def test_loop_variable_shared_by_blocks():
    src = b"""
module top(input [3:0] a, output reg [3:0] y, output reg [3:0] z);
  integer i;
  always @* for (i = 0; i < 4; i = i + 1) y[i] = a[3 - i];
  always @* for (i = 0; i < 4; i = i + 1) z[i] = ~a[i];
endmodule
"""
    aig = read_rtl(src, "t.v")
    for a in range(16):
        out = evaluate(aig, drive("a", a, 4))
        assert bus(out, "y", 4) == int(f"{a:04b}"[::-1], 2)
        assert bus(out, "z", 4) == a ^ 15


def test_initial_on_combinational_signal_warns():
    warnings = []
    src = b"module top(input a, output reg y);\n  initial y = 1;\n  always @* y = a;\nendmodule\n"
    read_rtl(src, "t.v", warn=warnings.append)
    assert any("not a flop" in w for w in warnings)


def test_port_bit_names_match_the_structural_reader():
    from edapipe.aig.io.verilog import parse_verilog

    src = (b"module top(input [15:8] a, input [0:1] b, input [0:0] d, input c,\n"
           b"  output [1:0] y, output z);\n  assign y[0] = a[8] & b[0];\n"
           b"  assign y[1] = a[15] | b[1];\n  assign z = c ^ d;\nendmodule\n")
    ours = read_rtl(src, "t.v")
    theirs = parse_verilog(src, "t.v")
    assert sorted(ours.input_names) == sorted(theirs.input_names)
    assert sorted(ours.output_names) == sorted(theirs.output_names)


def test_interface_with_its_own_logic():
    """Logic inside an interface (Yosys 0.23 cannot read it, iverilog has no modport ports)
    is flattened into its parent like the rest: checked exhaustively."""
    src = b"""
interface pair_if;
  logic [3:0] a, b;
  logic [4:0] sum;
  assign sum = a + b;
  modport drv(output a, b);
  modport use_(input sum, a);
endinterface
module drv_m(pair_if.drv p, input [3:0] x, y); assign p.a = x; assign p.b = y; endmodule
module use_m(pair_if.use_ p, output [4:0] s, output [3:0] q);
  assign s = p.sum; assign q = ~p.a;
endmodule
module top(input [3:0] x, y, output [4:0] s, output [3:0] q);
  pair_if bus();
  drv_m d(.p(bus), .x(x), .y(y));
  use_m u(.p(bus), .s(s), .q(q));
endmodule
"""
    aig = read_rtl(src, "t.sv")
    for x in range(16):
        for y in range(16):
            out = evaluate(aig, {**drive("x", x, 4), **drive("y", y, 4)})
            assert bus(out, "s", 5) == x + y
            assert bus(out, "q", 4) == (~x) & 15


def test_interface_port_on_the_top_module_is_refused():
    import pytest

    from edapipe.errors import InputError

    src = b"""interface i_if; logic a; modport m(input a); endinterface
module top(i_if.m p, output y); assign y = p.a; endmodule
"""
    with pytest.raises(InputError) as exc:
        read_rtl(src, "t.sv", top="top")
    assert exc.value.line == 2 and "interface port 'p'" in exc.value.reason
