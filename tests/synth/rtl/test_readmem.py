"""`$readmemh` / `$readmemb`: memory contents from data files, judged by iverilog and Yosys."""

from __future__ import annotations

import shutil

import pytest

from edapipe.errors import InputError
from tests.synth.rtl.judges import assert_iverilog_agrees, assert_yosys_equivalent, ours

ROM = """module top(input [2:0] a, output [7:0] y);
  reg [7:0] mem [0:7];
  initial $readmemh("rom.hex", mem);
  assign y = mem[a];
endmodule
"""
ROM_HEX = """// a table with comments, underscores and an address mark
3_c a5 /* block
comment */ 7F 00 11
@5 e1 0f 2_2
"""


def _write(tmp, files):
    for name, text in files.items():
        (tmp / name).write_text(text)
    return tmp / "top.v"


def test_readmemh_table_matches_yosys_and_iverilog(tmp_path):
    src = _write(tmp_path, {"top.v": ROM, "rom.hex": ROM_HEX})
    aig = ours([src])
    assert assert_iverilog_agrees(aig, [src], "top", tmp_path, n_vectors=40) > 0
    if shutil.which("yosys"):
        assert_yosys_equivalent(aig, [src], "top", tmp_path)


def test_readmemb_descending_range_with_unknown_bits(tmp_path):
    """start > finish loads downwards; x digits leave bits unknown (0 here, x in iverilog);
    words past the range are ignored with a warning located in the data file."""
    src = _write(tmp_path, {
        "top.v": """module top(input [2:0] a, output [7:0] y);
  reg [7:0] mem [7:0];
  initial begin $readmemb("tab.bin", mem, 6, 1); end
  assign y = mem[a];
endmodule
""",
        "tab.bin": "1010_0101 11110000\n@3 00000011 xxxx1111\n1 10\n"})
    warnings = []
    aig = ours([src], warn=warnings.append)
    assert any("tab.bin:3:3" in w and "ignored" in w for w in warnings), warnings
    vectors = [{"a": k} for k in range(8)]
    assert assert_iverilog_agrees(aig, [src], "top", tmp_path, vectors=vectors) >= 5 * 8 - 4


def test_readmem_initialises_a_ram(tmp_path):
    """A RAM written by a clocked block starts from the file's contents (flop initial values)."""
    src = _write(tmp_path, {
        "top.v": """module top(input clk, input we, input [1:0] wa, ra, input [3:0] d,
           output [3:0] q);
  reg [3:0] ram [0:3];
  initial $readmemh("ram.hex", ram);
  always @(posedge clk) if (we) ram[wa] <= d;
  assign q = ram[ra];
endmodule
""",
        "ram.hex": "9 6 c 3\n"})
    aig = ours([src])
    assert aig.num_latches == 16
    assert assert_iverilog_agrees(aig, [src], "top", tmp_path, n_vectors=60) > 0


def test_data_file_found_in_include_folder(tmp_path):
    inc = tmp_path / "data"
    inc.mkdir()
    (inc / "rom.hex").write_text("1 2 3 4 5 6 7 8\n")
    src = _write(tmp_path, {"top.v": ROM})
    aig = ours([src], include_dirs=[inc])
    assert aig.num_ands > 0


@pytest.mark.parametrize("text, where, reason", [
    ("1 2 g3\n", "rom.hex:1:5", "not a hex word"),
    ("@1z 4\n", "rom.hex:1:1", "not an address"),
    ("/* open\n1 2\n", "rom.hex:1:1", "unterminated"),
])
def test_bad_data_files_are_located(tmp_path, text, where, reason):
    src = _write(tmp_path, {"top.v": ROM, "rom.hex": text})
    with pytest.raises(InputError) as exc:
        ours([src])
    assert where in str(exc.value) and reason in str(exc.value)


def test_missing_data_file_names_the_call(tmp_path):
    src = _write(tmp_path, {"top.v": ROM})
    with pytest.raises(InputError) as exc:
        ours([src])
    msg = str(exc.value)
    assert "top.v:3:" in msg and "rom.hex" in msg and "not found" in msg


@pytest.mark.parametrize("body, reason", [
    ('always @* $readmemh("rom.hex", mem);', "outside an initial block"),
    ('initial $readmemh("rom.hex", mem, 9);', "outside the memory"),
])
def test_refused_uses_are_located(tmp_path, body, reason):
    src = _write(tmp_path, {
        "top.v": f"""module top(input [2:0] a, output [7:0] y);
  reg [7:0] mem [0:7];
  {body}
  assign y = mem[a];
endmodule
""",
        "rom.hex": "1\n"})
    with pytest.raises(InputError) as exc:
        ours([src])
    assert "top.v:3:" in str(exc.value) and reason in str(exc.value)
