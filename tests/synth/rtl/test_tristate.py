"""Tri-state nets and top-level inout ports, judged by iverilog (Yosys 0.23's AIG flow merges
the drivers of a tri-state bus into nonsense, so it cannot judge them)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from edapipe.errors import InputError
from tests.conftest import require_tool
from tests.synth.rtl.judges import assert_iverilog_agrees, ours
from tests.synth.rtl.simulate import bus, drive, evaluate

BUS = """module top(input s, input e2, input [3:0] a, b, c, output [3:0] y, output [3:0] z);
  wire [3:0] bus;
  assign bus = s ? a : 4'bz;           // two drivers of an internal bus
  assign bus = !s ? b : 'bz;
  assign y = bus ^ c;
  assign z = e2 ? {a[1:0], 2'bzz} : {2'bzz, b[3:2]};   // bit-wise z in a concatenation
endmodule
"""

OUT_BUS = """module top(input [1:0] sel, input [3:0] a, b, c, output [3:0] y);
  assign y = sel == 2'd0 ? a : 4'bz;   // three drivers of an output port
  assign y = sel == 2'd1 ? b : 4'bz;
  assign y = sel[1] ? c : 4'bz;
endmodule
"""


@pytest.mark.parametrize("src", [BUS, OUT_BUS], ids=["internal-bus", "output-bus"])
def test_tristate_buses_match_iverilog(src, tmp_path):
    path = tmp_path / "top.v"
    path.write_text(src)
    warnings = []
    aig = ours([path], warn=warnings.append)
    assert any("tri-state net" in w and "drivers" in w for w in warnings), warnings
    # iverilog gives x where enabled drivers disagree and z where none drives: not compared
    assert assert_iverilog_agrees(aig, [path], "top", tmp_path, n_vectors=200) > 200


PAD = """module top(input oe, input [1:0] d, inout [1:0] pad, output [1:0] q);
  assign pad = oe ? d : 2'bz;
  assign q = ~pad;
endmodule
"""


def test_inout_port_is_a_pad(tmp_path):
    """pad becomes the input `pad` (what the outside drives) and the outputs `pad$o` and
    `pad$oe`; inside, pad reads the module's value where it drives and the outside's
    elsewhere. iverilog, with a testbench that drives the pad when the module does not,
    agrees on q."""
    iverilog = require_tool("iverilog")
    path = tmp_path / "top.v"
    path.write_text(PAD)
    aig = ours([path])
    assert sorted(aig.input_names) == ["d[0]", "d[1]", "oe", "pad[0]", "pad[1]"]
    assert sorted(aig.output_names) == ["pad$o[0]", "pad$o[1]", "pad$oe[0]", "pad$oe[1]",
                                        "q[0]", "q[1]"]
    rng = random.Random(7)
    vectors = [{"oe": rng.getrandbits(1), "d": rng.getrandbits(2), "pad": rng.getrandbits(2)}
               for _ in range(64)]
    tb = ["module tb; reg oe; reg [1:0] d, ext; wire [1:0] pad, q;",
          "  assign pad = oe ? 2'bz : ext;   // the outside drives when the module does not",
          "  top dut(.oe(oe), .d(d), .pad(pad), .q(q));", "  initial begin"]
    for v in vectors:
        tb.append(f"    oe = {v['oe']}; d = {v['d']}; ext = {v['pad']}; #1 "
                  '$display("%b %b", q, pad);')
    tb += ["  end", "endmodule"]
    (tmp_path / "tb.v").write_text("\n".join(tb) + "\n")
    exe = tmp_path / "tb.vvp"
    proc = subprocess.run([iverilog, "-o", str(exe), str(path), str(tmp_path / "tb.v")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(Path(iverilog).with_name("vvp")), "-n", str(exe)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rows = [ln.split() for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(rows) == len(vectors)
    for v, (q, pad) in zip(vectors, rows):
        out = evaluate(aig, {"oe": v["oe"], **drive("d", v["d"], 2), **drive("pad", v["pad"], 2)})
        mine = {name: bus(out, name, 2) for name in ("q", "pad$oe", "pad$o")}
        assert int(q, 2) == mine["q"], (v, q, mine)
        assert int(pad, 2) == (v["d"] if v["oe"] else v["pad"])
        assert mine["pad$oe"] == (3 if v["oe"] else 0)
        assert mine["pad$o"] == (v["d"] if v["oe"] else 0)


def test_tristate_and_ordinary_driver_is_refused(tmp_path):
    path = tmp_path / "top.v"
    path.write_text("""module top(input e, input [1:0] a, b, output [1:0] y);
  assign y = e ? a : 2'bz;
  assign y = b;
endmodule
""")
    with pytest.raises(InputError) as exc:
        ours([path])
    assert "top.v:" in str(exc.value) and "more than one driver" in str(exc.value)
