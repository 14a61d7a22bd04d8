"""Hostile input to the RTL frontend (issue 13): located errors and budgets, never a
RecursionError, a MemoryError or minutes of elaboration."""

from __future__ import annotations

import random
import time

import pytest

from edapipe.aig.builder import AigBuilder
from edapipe.errors import EXCERPT_LIMIT, EdapipeError, InputError, ResourceLimit
from edapipe.synth.rtl import bitvec as bv
from edapipe.synth.rtl import elaborate, read_rtl


def refused(src: str, kind=InputError, seconds: float = 15.0) -> EdapipeError:
    t0 = time.perf_counter()
    with pytest.raises(kind) as info:
        read_rtl(src.encode(), "bad.v")
    assert time.perf_counter() - t0 < seconds
    err = info.value
    assert len(str(err)) < 2 * EXCERPT_LIMIT + 200, str(err)[:300]
    assert "bad.v" in str(err)
    return err


def test_nesting_beyond_the_parser_limit_is_located():
    n = 3000
    err = refused("module top(input a, output y);\n  assign y = " + "(" * n + "a" + ")" * n +
                  ";\nendmodule\n")
    assert err.line == 2 and err.column is not None
    assert "nested too deeply" in err.reason


def test_nested_ifs_beyond_the_parser_limit_are_located():
    n = 2000
    err = refused("module top(input a, output reg y);\nalways @* begin y = a;\n" +
                  "if (a) begin " * n + "y = 1;" + " end" * n + "\nend\nendmodule\n")
    assert err.line == 3


def test_long_operator_chain_is_refused_before_the_compiler():
    err = refused("module top(input a, output y);\n  assign y = a" + " + a" * 20001 +
                  ";\nendmodule\n", seconds=2.0)
    assert err.line == 2 and "operators" in err.reason


@pytest.mark.parametrize("decl", [
    "reg m [0:999999999];",
    "reg [31:0] m [0:99999999];",
    "wire [15999999:0] w = {16000000{1'b1}};",
])
def test_huge_signals_are_refused_before_allocation(decl):
    err = refused("module top(input clk, input a, output y);\n  " + decl +
                  "\n  assign y = a;\nendmodule\n", kind=EdapipeError, seconds=5.0)
    assert isinstance(err, (InputError, ResourceLimit))


def test_huge_replication_is_refused():
    err = refused("module top(input a, output y);\n  wire [3:0] w;\n"
                  "  assign w = {60000{{60000{a}}}} + 1;\n  assign y = w[0];\nendmodule\n",
                  kind=EdapipeError, seconds=5.0)
    assert isinstance(err, (InputError, ResourceLimit))


def test_one_huge_loop_is_refused(monkeypatch):
    monkeypatch.setattr(elaborate, "MAX_LOOP", 1000)       # (65536 by default: 5 s)
    err = refused("module top(input a, output reg y);\n  integer i;\n  always @* begin\n"
                  "    y = a;\n    for (i = 0; i < 1000000000; i = i + 1) y = ~y;\n  end\n"
                  "endmodule\n")
    assert err.line == 5


def test_nested_loops_hit_the_step_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_STEPS", "3000")
    err = refused("module top(input a, output reg y);\n  integer i, j;\n  always @* begin\n"
                  "    y = a;\n    for (i = 0; i < 60000; i = i + 1)\n"
                  "      for (j = 0; j < 60000; j = j + 1) y = ~y;\n  end\nendmodule\n",
                  kind=ResourceLimit)
    assert "EDAPIPE_MAX_STEPS" in str(err)


def test_doubling_instance_hierarchy_hits_the_element_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "5000")
    n = 30
    mods = [f"module m{k}(input a, output y); wire t; m{k + 1} u0(.a(a), .y(t)); "
            f"m{k + 1} u1(.a(t), .y(y)); endmodule" for k in range(n)]
    mods.append(f"module m{n}(input a, output y); assign y = ~a; endmodule")
    err = refused("\n".join(mods), kind=ResourceLimit)
    assert "EDAPIPE_MAX_ELEMENTS" in str(err)


def test_gate_explosion_hits_the_node_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_NODES", "20000")
    err = refused("module top(input [255:0] a, b, output [255:0] y);\n"
                  "  assign y = a * b;\nendmodule\n", kind=ResourceLimit)
    assert "EDAPIPE_MAX_NODES" in str(err) and err.exit_code == 4


def test_deep_assignment_chain_is_a_located_error(monkeypatch):
    monkeypatch.setattr(elaborate, "MAX_DRIVER_DEPTH", 50)
    lines = ["module top(input a, output y);", "  wire w0; assign w0 = a;"]
    lines += [f"  wire w{k}; assign w{k} = w{k - 1} + 1'b1;" for k in range(1, 200)]
    lines += ["  assign y = w199;", "endmodule"]
    err = refused("\n".join(lines))
    assert err.line is not None and "deep" in err.reason


def test_power_of_constants_is_modular():
    aig = read_rtl(b"module top(output [31:0] y);\n  wire [31:0] e = 32'hFFFFFFF0;\n"
                   b"  wire [31:0] b = 3;\n  assign y = b ** e;\nendmodule\n", "pow.v")
    value = sum(1 << k for k, lit in enumerate(aig.outputs.tolist()) if lit == 1)
    assert value == pow(3, 0xFFFFFFF0, 1 << 32)


def test_constant_fast_paths_match_the_gates():
    """add, add_carry, mul and eq on constant vectors compute what the folded gates do."""
    rng = random.Random(13)
    b = AigBuilder()

    def ripple(x, y, cin):
        out, carry = [], cin
        for p, q in zip(x, y):
            t = b.xor_(p, q)
            out.append(b.xor_(t, carry))
            carry = b.or_(b.and_(p, q), b.and_(t, carry))
        return out, carry

    for _ in range(2000):
        x = [rng.randint(0, 1) for _ in range(rng.randint(0, 9))]
        y = [rng.randint(0, 1) for _ in range(rng.randint(0, 9))]
        cin = rng.randint(0, 1)
        out, carry = ripple(x, y, cin)
        assert bv.add(b, x, y, cin) == out
        assert bv.add_carry(b, x, y, cin) == (out, carry)
        assert bv.eq(b, x, y) == b.and_n([b.xnor_(p, q) for p, q in zip(x, y)])
        acc = [0] * len(x)
        for i, q in enumerate(y[:len(x)]):
            if q:
                acc, _ = ripple(acc, [0] * i + x[:len(x) - i], 0)
        assert bv.mul(b, x, y) == acc


def test_python_recursion_limit_is_a_located_error(monkeypatch):
    """Whatever the depth limits miss, Python's recursion limit is reported at the
    assignment below which it was reached (here made small so the test is fast)."""
    import sys
    import types

    shim = types.SimpleNamespace(getrecursionlimit=sys.getrecursionlimit,
                                 setrecursionlimit=lambda n: sys.setrecursionlimit(min(n, 3000)))
    monkeypatch.setattr(elaborate, "sys", shim)
    lines = ["module top(input a, output y);", "  wire w0; assign w0 = a;"]
    lines += [f"  wire w{k}; assign w{k} = w{k - 1} + 1'b1;" for k in range(1, 3000)]
    lines += ["  assign y = w2999;", "endmodule"]
    err = refused("\n".join(lines))
    assert err.line is not None and "recursion limit" in err.reason


def test_folded_wide_arithmetic_hits_the_work_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_NODES", "100000")
    err = refused("module top(input [65535:0] a, output [65535:0] y);\n  assign y = a" +
                  " + 0" * 200 + ";\nendmodule\n", kind=ResourceLimit)
    assert "EDAPIPE_MAX_NODES" in str(err)


def test_huge_constant_power_is_refused():
    err = refused("module top(output [65535:0] y);\n  wire [65535:0] e = {65536{1'b1}};\n"
                  "  wire [65535:0] b = 3;\n  assign y = b ** e;\nendmodule\n", seconds=5.0)
    assert err.line == 4


def test_include_of_a_device_is_refused():
    err = refused('module top(input a, output y);\n`include "/dev/zero"\n  assign y = a;\n'
                  'endmodule\n', seconds=5.0)
    assert err.line == 2 and "not a regular file" in err.reason
