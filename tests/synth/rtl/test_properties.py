"""Assertions in RTL as bad states and constraints: verdicts and witness depths of small
designs with known outcomes, the verdicts of Yosys `read_verilog -formal` on the same
designs, and located errors for what is not supported."""

from __future__ import annotations

import subprocess

import pytest

from edapipe.errors import InputError
from edapipe.synth.rtl import read_rtl
from edapipe.verify.seq.prove import ProveParams, prove
from tests.conftest import tool

COUNTER = """module top(input clk, input en, output reg [2:0] q);
  initial q = 0;
  always @(posedge clk) if (en) q <= q + 1;
{body}
endmodule
"""

# (body, [(verdict, witness frames or None)] per assertion in source order)
CASES = [
    # the counter passes 5 in cycle 5: a witness of 6 frames (the check samples q before
    # the clock edge, as a simulator does)
    ("  always @(posedge clk) assert (q != 3'd5);", [("fails", 6)]),
    ("  always @(posedge clk) if (q == 3'd7) assert (en == 1'b0 || q[0]);", [("holds", None)]),
    ("  always @(posedge clk) if (q == 3'd4) assert (q[2]); else assert (!q[2] || q != 4);",
     [("holds", None), ("holds", None)]),
    ("  always @* assert (q < 3'd7);", [("fails", 8)]),
    # an assumption cuts every trace that reaches 6: 7 is out of reach
    ("  always @(posedge clk) assume (q != 3'd6);\n  always @* assert (q < 3'd7);",
     [("holds", None)]),
    ("  assert property (q != 3'd3);", [("fails", 4)]),
    ("  assert property (@(posedge clk) q != 3'd2);", [("fails", 3)]),
    ("  always @(posedge clk) case (q) 3'd1: assert (en); default: ; endcase",
     [("fails", 2)]),
    ("  restrict property (en);\n  always @(posedge clk) assert (q != 3'd2);", [("fails", 3)]),
    ("  always @(posedge clk) assert (q != 3'd1) else $error(\"one\");", [("fails", 2)]),
]


def verdicts(aig) -> list[tuple[str, int | None]]:
    out = []
    for r in prove(aig, ProveParams(engine="pdr")):
        out.append((r.status, r.result.trace.length if r.result.trace is not None else None))
    return out


@pytest.mark.parametrize("body,want", CASES)
def test_known_outcomes(body, want):
    aig = read_rtl(COUNTER.format(body=body).encode(), "t.sv")
    assert aig.bad.size == len(want)
    assert verdicts(aig) == want


def test_assume_becomes_constraint_and_cover_is_ignored():
    warnings = []
    src = COUNTER.format(body="  always @(posedge clk) begin assume (en); cover (q == 3); "
                              "end\n  always @* assert (q != 3'd4);")
    aig = read_rtl(src.encode(), "t.sv", warn=warnings.append)
    assert aig.constraints.size == 1 and aig.bad.size == 1
    assert any("cover" in w and "t.sv:4" in w for w in warnings)
    assert verdicts(aig) == [("fails", 5)]


def test_assertion_under_async_reset_flop_is_guarded():
    """The clocked branch runs only while reset is low: its assertion is checked then."""
    src = """module top(input clk, input rst, output reg [1:0] q);
  initial q = 0;
  always @(posedge clk or posedge rst)
    if (rst) q <= 0;
    else begin q <= q + 1; assert (!rst); end
endmodule
"""
    assert verdicts(read_rtl(src.encode(), "t.sv")) == [("holds", None)]


@pytest.mark.parametrize("src,line,words", [
    ("module top(input a);\n  initial assert (a);\nendmodule\n", 2, "outside an always"),
    ("module top(input clk, a, b);\n  assert property (@(posedge clk) a |-> b);\n"
     "endmodule\n", 2, "same-cycle"),
    ("module top(input clk, rst, output reg q);\n  always @(posedge clk or posedge rst)\n"
     "    if (rst) begin q <= 0; assert (q == 0); end else q <= 1;\nendmodule\n", 3,
     "reset branch"),
    ("module top(input clk, a, output reg q);\n  always @(posedge clk)\n"
     "    assert (a) else q = 1;\nendmodule\n", 3, "action block"),
])
def test_unsupported_is_a_located_error(src, line, words):
    with pytest.raises(InputError) as info:
        read_rtl(src.encode(), "bad.sv")
    assert info.value.line == line and words in info.value.reason


def yosys_verdicts(yosys, src: str, tmp_path) -> list[str]:
    """Verdicts of the AIGER that Yosys makes with `read_verilog -formal` (its own order)."""
    from edapipe.aig.io import read

    path, out = tmp_path / "t.sv", tmp_path / "y.aig"
    path.write_text(src)
    script = (f"read_verilog -formal -sv {path}; prep -top top; flatten; async2sync; "
              "dffunmap; techmap; opt -fast -keepdc; dffunmap; aigmap; setundef -zero; "
              f"opt_clean; write_aiger -zinit {out}")
    subprocess.run([yosys, "-q", "-p", script], check=True, capture_output=True, timeout=120)
    return sorted(v for v, _ in verdicts(read(out)))


# Yosys's parser reads neither action blocks nor clocked module-level properties
YOSYS_CASES = [c for c in CASES if "$error" not in c[0] and "@(posedge clk) q" not in c[0]]


@pytest.mark.parametrize("body,want", YOSYS_CASES)
def test_verdicts_match_yosys(body, want, tmp_path):
    yosys = tool("yosys")
    if yosys is None:
        pytest.skip("yosys is not installed")
    src = COUNTER.format(body=body)
    assert yosys_verdicts(yosys, src, tmp_path) == sorted(v for v, _ in want)
