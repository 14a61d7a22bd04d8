"""Hostile input to the logic readers (issue 13): no traceback, no hang, no blow-up.

Every case is small and fast: deep nesting and long chains go through explicit stacks or
depth limits with located errors, counts and widths are checked before anything is
allocated, hierarchies are sized before they are flattened, and messages quote at most an
excerpt of the input.
"""

from __future__ import annotations

import gzip
import time

import pytest

from edapipe.aig.io import parse, read
from edapipe.aig.io.aiger import parse_aiger
from edapipe.aig.io.bench import parse_bench
from edapipe.aig.io.blif import MAX_DEPTH, parse_blif
from edapipe.aig.io.verilog import parse_verilog
from edapipe.aig.vectors import parse_vectors
from edapipe.errors import EXCERPT_LIMIT, EdapipeError, InputError, ResourceLimit

BIG = 5_000_000             # a line of this many characters must never be echoed whole
MESSAGE_MAX = 2 * EXCERPT_LIMIT + 200


def refused(fn, *args, kind=InputError, seconds: float = 10.0) -> EdapipeError:
    """`fn(*args)` fails with `kind` (not a traceback), quickly, with a short message."""
    t0 = time.perf_counter()
    with pytest.raises(kind) as info:
        fn(*args)
    assert time.perf_counter() - t0 < seconds
    err = info.value
    assert len(str(err)) < MESSAGE_MAX, str(err)[:300]
    return err


# ---- BLIF hierarchies ----------------------------------------------------------------------

def blif_chain(levels: int, leaf: str = "1 1") -> bytes:
    """m0 instantiates m1 instantiates ... m<levels>, which is a buffer (or inverter)."""
    text = "".join(f".model m{k}\n.inputs a\n.outputs y\n.subckt m{k + 1} a=a y=y\n.end\n"
                   for k in range(levels))
    text += f".model m{levels}\n.inputs a\n.outputs y\n.names a y\n{leaf}\n.end\n"
    return text.encode()


def blif_doubling(levels: int) -> bytes:
    """Each level instantiates the next twice in series: 2**levels leaves."""
    text = "".join(f".model m{k}\n.inputs a\n.outputs y\n.subckt m{k + 1} a=a y=t\n"
                   f".subckt m{k + 1} a=t y=y\n.end\n" for k in range(levels))
    text += f".model m{levels}\n.inputs a\n.outputs y\n.names a y\n0 1\n.end\n"
    return text.encode()


def test_blif_500_level_subckt_chain_is_flattened_without_recursion():
    aig = parse_blif(blif_chain(500, "0 1"), "chain.blif")
    assert aig.num_inputs == 1 and aig.num_outputs == 1
    assert aig.outputs.tolist() == [3]          # the inverter at the bottom


def test_blif_hierarchy_deeper_than_the_limit_is_a_located_error():
    err = refused(parse_blif, blif_chain(MAX_DEPTH + 5), "deep.blif")
    assert err.line is not None and "levels deep" in err.reason


def test_blif_doubling_hierarchy_is_refused_before_flattening():
    err = refused(parse_blif, blif_doubling(30), "double.blif", kind=ResourceLimit,
                  seconds=2.0)
    assert "EDAPIPE_MAX_ELEMENTS" in str(err)
    assert err.exit_code == 4


def test_blif_element_budget_is_raised_by_its_variable(monkeypatch):
    data = blif_doubling(12)                    # 4096 leaves
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "1000")
    refused(parse_blif, data, "d.blif", kind=ResourceLimit)
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "100000")
    aig = parse_blif(data, "d.blif")
    assert aig.outputs.tolist() == [2]          # an even number of inverters


def test_blif_flat_file_is_never_limited_by_the_element_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "10")
    text = ".model t\n.inputs a b\n.outputs y\n" + "".join(
        f".names {'a' if k == 0 else f'n{k - 1}'} b n{k}\n11 1\n" for k in range(100)) + \
        ".names n99 y\n1 1\n.end\n"
    assert parse_blif(text.encode(), "flat.blif").num_ands == 100


def test_blif_recursive_subckt_names_the_cycle():
    text = (".model a\n.inputs x\n.outputs y\n.subckt b x=x y=y\n.end\n"
            ".model b\n.inputs x\n.outputs y\n.subckt c x=x y=y\n.end\n"
            ".model c\n.inputs x\n.outputs y\n.subckt a x=x y=y\n.end\n")
    err = refused(parse_blif, text.encode(), "cycle.blif")
    assert err.line == 14
    assert "'a' -> 'b' -> 'c' -> 'a'" in err.reason


def test_blif_huge_cover_and_long_lines():
    n = 20000
    names = " ".join(f"i{k}" for k in range(n))
    text = (f".model t\n.inputs {names}\n.outputs y\n.names {names} y\n" + "1" * n + " 1\n"
            + "-" * (n - 1) + "0 1\n.end\n")
    assert parse_blif(text.encode(), "wide.blif").num_inputs == n
    refused(parse_blif, b".model t\n.inputs a\n.outputs y\n.names a y\n" + b"1" * BIG +
            b" 1\n.end\n", "long.blif")
    refused(parse_blif, b".model t\n.inputs a\n.outputs y\n.subckt " + b"m" * BIG +
            b" a=a\n.end\n", "long.blif")


# ---- BENCH ---------------------------------------------------------------------------------

def test_bench_deep_chain_of_forward_references():
    n = 100_000
    lines = ["INPUT(a)", "INPUT(b)", "OUTPUT(y)", f"y = AND(g{n - 1}, b)"]
    lines += [f"g{k} = AND(g{k - 1}, b)" if k else "g0 = AND(a, b)" for k in reversed(range(n))]
    aig = parse_bench("\n".join(lines).encode(), "chain.bench")
    assert aig.num_ands == n + 1


def test_bench_long_cycle_is_located():
    n = 50_000
    lines = ["INPUT(a)", "OUTPUT(y)", "y = AND(g0, a)"]
    lines += [f"g{k} = AND(g{(k + 1) % n}, a)" for k in range(n)]
    err = refused(parse_bench, "\n".join(lines).encode(), "cycle.bench")
    assert "cycle" in err.reason and err.line is not None


def test_bench_long_lines_are_not_echoed():
    refused(parse_bench, b"INPUT(a)\n" + b"x" * BIG + b"\n", "long.bench")
    refused(parse_bench, b"INPUT(a)\ny = FOO" + b"x" * BIG + b"(a)\n", "long.bench")
    refused(parse_bench, b"INPUT(a)\nOUTPUT(y)\ny = LUT 0x" + b"f" * BIG + b" (a)\n",
            "lut.bench")


# ---- AIGER ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"aag 4000000000 1 0 1 0\n2\n2\n",
    b"aig 500000000 0 0 0 500000000\n",
    b"aag 100000000 100000000 0 0 0\n",
    b"aig 5 0 0 0 5\n\x01\x01",                     # 5 ANDs need at least 10 bytes
    b"aig " + b"9" * 5000 + b" 0 0 0 0\n",           # int() refuses 4300+ digits
    b"aag 3 2 0 1 1\n2\n4\n6\n6 " + b"9" * 5000 + b" 4\n",
    b"aag 1 1 0 1 0\n" + b"2" * 5000 + b"\n2\n",
    b"aag 1 1 0 1 0\n2\n2\ni" + b"9" * 5000 + b" x\n",
    b"aag 1 1 0 1 0\n2\n2\ni99999999999999999999 x\n",
    "aag 1 1 0 1 0\n2\n2\ni\u00b2 x\n".encode(),      # a digit int() cannot read
    b"aag 1 1 0 1 0\n2\n2\n" + b"z" * BIG + b"\n",
])
def test_aiger_impossible_counts_and_numbers_are_located_errors(data):
    err = refused(parse_aiger, data, "bad.aig", seconds=2.0)
    assert err.line is not None


def test_aiger_long_symbol_is_kept():
    aig = parse_aiger(b"aag 1 1 0 1 0\n2\n2\ni0 " + b"n" * 100_000 + b"\n", "long.aag")
    assert aig.input_name(0) == "n" * 100_000


def test_gzip_bomb_is_refused_within_the_input_budget(tmp_path, monkeypatch):
    header = b"aag 1 1 0 1 0\n2\n2\nc\n"
    path = tmp_path / "bomb.aag.gz"
    path.write_bytes(gzip.compress(header + b"x" * (3 << 20), 9))
    monkeypatch.setenv("EDAPIPE_MAX_INPUT_MB", "1")
    err = refused(read, path, kind=ResourceLimit)
    assert "EDAPIPE_MAX_INPUT_MB" in str(err)
    monkeypatch.setenv("EDAPIPE_MAX_INPUT_MB", "8")
    assert read(path).num_inputs == 1


def test_gz_name_without_gzip_data_is_bad_input(tmp_path):
    path = tmp_path / "plain.aag.gz"
    path.write_bytes(b"aag 0 0 0 0 0\n")
    refused(read, path)


# ---- structural Verilog --------------------------------------------------------------------

def verilog(body: str, decl: str = "input a; output y;") -> bytes:
    return f"module m(a, y); {decl} {body} endmodule".encode()


@pytest.mark.parametrize("count", [20000, 20001])
def test_verilog_20000_unary_operators_without_recursion(count):
    aig = parse_verilog(verilog("assign y = " + "~" * count + "a;"), "not.v")
    assert aig.outputs.tolist() == [2 + count % 2]


def test_verilog_long_conditional_chain_without_recursion():
    aig = parse_verilog(verilog("assign y = " + "a ? a : " * 20000 + "1'b0;"), "cond.v")
    assert aig.num_outputs == 1


def test_verilog_deep_parentheses_are_a_located_error():
    # Beyond the structural reader's nesting limit the RTL frontend takes the file, and its
    # parser has a limit too: either way a located InputError, never a RecursionError.
    data = verilog("assign y = " + "(" * 20000 + "a" + ")" * 20000 + ";")
    err = refused(parse, data, "deep.v", "verilog")
    assert err.line == 1 and err.column is not None
    assert "nested" in err.reason


@pytest.mark.parametrize("data", [
    verilog("assign y = a[0];", "input [999999999:0] a; output y;"),
    verilog("assign y = {1000000000{a}};"),
    verilog("wire [3:0] w; assign w = {1000{{1000{{1000{a}}}}}}; assign y = w[0];"),
    verilog("assign y = a[" + "9" * 5000 + "];", "input [7:0] a; output y;"),
])
def test_verilog_huge_widths_are_refused_before_allocation(data):
    err = refused(parse_verilog, data, "wide.v", seconds=2.0)
    assert err.line is not None


def test_verilog_wide_vector_work_is_bounded(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_NODES", "400000")
    data = verilog("wire [65535:0] w; assign w = " + "a & " * 1000 + "a; assign y = w[0];",
                   "input [65535:0] a; output y;")
    err = refused(parse_verilog, data, "ops.v", kind=ResourceLimit)
    assert "EDAPIPE_MAX_NODES" in str(err)


def test_verilog_long_names_are_not_echoed():
    refused(parse_verilog, verilog("assign y = " + "q" * BIG + ";"), "long.v")


def test_verilog_long_bad_constant_is_cut_to_its_width():
    aig = parse_verilog(b"module m(y); output [7:0] y; assign y = 8'h" + b"f" * 100_000 +
                        b"; endmodule", "hex.v")
    assert aig.outputs.tolist() == [1] * 8


# ---- vectors -------------------------------------------------------------------------------

def test_vectors_long_lines_and_many_rows():
    bits, init = parse_vectors(b"01\n" * 200_000, "v.txt", 2, 0)
    assert bits.shape == (200_000, 2) and init is None
    assert bits[:, 1].all() and not bits[:, 0].any()
    err = refused(parse_vectors, b"0" * BIG + b"\n", "v.txt", 2, 0)
    assert err.line == 1
    err = refused(parse_vectors, b"0" * (BIG - 1) + b"z\n", "v.txt", BIG, 0)
    assert err.column == BIG
