"""read, write, convert, stats, strash and sim through the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from edapipe.aig.io import read
from tests.conftest import BENCHMARKS, ROOT, bench, need
from tests.equivalence import assert_equivalent

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]
CTRL = BENCHMARKS / "epfl" / "ctrl.aig"


def run(*args, stdin: bytes | None = None, check_rc: int | None = 0):
    proc = subprocess.run(EDAPIPE + [str(a) for a in args], input=stdin, capture_output=True,
                          timeout=300)
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def test_stats_matches_abc_figures():
    out = run("stats", "--json", bench("epfl", "sqrt.aig")).stdout
    assert json.loads(out) == {"name": "sqrt", "inputs": 128, "outputs": 64, "latches": 0,
                               "ands": 24618, "levels": 5058}
    text = run("stats", need(CTRL)).stdout.decode()
    assert "i/o =     7/   26" in text and "and =     174" in text and "lev =    10" in text


def test_pipeline_keeps_names_and_function(tmp_path):
    data = run("read", need(CTRL)).stdout
    hashed = run("strash", stdin=data).stdout
    out = tmp_path / "ctrl.aag"
    run("write", "-", "-o", out, stdin=hashed)
    orig, back = read(need(CTRL)), read(out)
    assert back.input_names == orig.input_names and back.output_names == orig.output_names
    assert_equivalent(orig, back)


def test_example_pipeline_from_the_readme():
    a = run("read", ROOT / "examples" / "adder8.v")
    stats = json.loads(run("stats", "--json", stdin=run("strash", stdin=a.stdout).stdout).stdout)
    assert stats["inputs"] == 17 and stats["outputs"] == 9


def test_sim_vectors_plain_and_witness(tmp_path):
    aig = read(need(CTRL))
    vec = tmp_path / "v.txt"
    vec.write_text("0000000\n1111111\n")
    lines = run("sim", need(CTRL), "--vectors", vec).stdout.decode().split()
    assert len(lines) == 2 and all(len(x) == aig.num_outputs for x in lines)
    wit = tmp_path / "w.txt"
    wit.write_text("1\nb0\n\n1111111\n.\n")
    assert run("sim", need(CTRL), "--vectors", wit).stdout.decode().split() == lines[1:]
    bad = tmp_path / "bad.txt"
    bad.write_text("0000000\n00000002\n")
    proc = run("sim", need(CTRL), "--vectors", bad, check_rc=3)
    assert b"bad.txt:2:1:" in proc.stderr


def test_sim_signatures_equal_for_equal_circuits(tmp_path):
    out = tmp_path / "c.aag"
    run("convert", need(CTRL), out)
    assert run("sim", need(CTRL)).stdout == run("sim", out).stdout


def test_bad_input_exit_3_and_nothing_written(tmp_path):
    bad = tmp_path / "bad.aig"
    bad.write_bytes(need(CTRL).read_bytes()[:300])
    out = tmp_path / "out.aig"
    proc = run("read", bad, "-o", out, check_rc=3)
    assert proc.stderr.decode().startswith(f"edapipe: error: {bad}:")
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_existing_output_survives_a_failed_stage(tmp_path):
    out = tmp_path / "out.aig"
    out.write_bytes(b"precious")
    bad = tmp_path / "bad.aig"
    bad.write_bytes(b"aig 1 1 0 1 0\n99\n")
    run("read", bad, "-o", out, check_rc=3)
    assert out.read_bytes() == b"precious"


def test_missing_file_and_unknown_format(tmp_path):
    assert b"no such file" in run("stats", tmp_path / "nope.aig", check_rc=3).stderr
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    assert b"--format" in run("stats", junk, check_rc=3).stderr
    assert run("write", need(CTRL), "--format", "pdf", check_rc=2).returncode == 2


def test_binary_never_goes_to_a_terminal():
    # `script` gives the child a terminal for stdout; skip where it is missing.
    import shutil

    if shutil.which("script") is None:
        pytest.skip("script(1) not available")
    cmd = " ".join(EDAPIPE) + f" read {need(CTRL)}"
    proc = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stdout     # script -e passes the child's exit code on
    assert b"refusing to write binary data to a terminal" in proc.stdout


RTL = """`ifndef W
`define W 8
`endif
module add #(parameter N = `W) (input [N-1:0] a, b, output [N:0] s);
  assign s = a + b;
endmodule
module top (input [3:0] x, y, output [4:0] z);
  add #(4) u (.a(x), .b(y), .s(z));
endmodule
"""


def test_rtl_goes_to_the_frontend_with_its_options(tmp_path):
    src = tmp_path / "rtl.v"
    src.write_text(RTL)
    whole = json.loads(run("stats", "--json", src, "--top", "top").stdout)
    assert (whole["inputs"], whole["outputs"]) == (8, 5)
    narrow = json.loads(run("stats", "--json", src, "--top", "add", "-D", "W=3").stdout)
    assert (narrow["inputs"], narrow["outputs"]) == (6, 4)
    # z = x + y, checked on a few vectors (inputs x[0..3], y[0..3] in order; outputs z[0..4])
    vec = tmp_path / "v.txt"
    cases = [(3, 5), (15, 15), (9, 6)]
    vec.write_text("".join("".join(str((x >> k) & 1) for k in range(4)) +
                           "".join(str((y >> k) & 1) for k in range(4)) + "\n"
                           for x, y in cases))
    got = run("sim", src, "--top", "top", "--vectors", vec).stdout.decode().split()
    assert got == ["".join(str(((x + y) >> k) & 1) for k in range(5)) for x, y in cases]
    proc = run("stats", src, "--top", "nope", check_rc=3)
    assert b"not a valid top-level module" in proc.stderr
