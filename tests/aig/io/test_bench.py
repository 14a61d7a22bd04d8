"""BENCH: round trips over the benchmarks (ABC confirms), the gate set, undriven nets, bad
input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edapipe.aig import sim
from edapipe.aig.core import LATCH_INIT_X
from edapipe.aig.io import dump, read
from edapipe.aig.io.bench import dump_bench, parse_bench
from edapipe.errors import Diagnostic, InputError, UsageError
from tests.aig.io.roundtrip import (ISCAS85, ISCAS89, abc_confirms, assert_input_error,
                                    assert_same_function, cec_confirms, assert_same_interface,
                                    assert_same_truth, circuit_params, corruptions, load,
                                    parse_or_input_error, random_aigs, round_trip)
from tests.conftest import need, tool


@pytest.mark.parametrize("path", circuit_params())
def test_benchmark_round_trip(path, tmp_path):
    aig = load(path)
    back = round_trip(aig, "bench")
    assert_same_interface(aig, back)
    assert_same_interface(aig, round_trip(back, "aig"))
    # BENCH DFFs read back with reset 0; the originals here have 0 (bench) or none (aig).
    assert_same_function(aig, back, inits=False)
    abc = tool("berkeley-abc")
    if abc:
        written = tmp_path / (path.stem + ".bench")
        written.write_bytes(dump(aig, "bench"))
        abc_confirms(abc, path, written, sequential=aig.num_latches > 0)
    else:
        cec_confirms(aig, back)


def test_iscas89_counts_match_the_readme():
    aig = read(need(ISCAS89 / "s27.bench"))
    assert (aig.num_inputs, aig.num_outputs, aig.num_latches) == (4, 1, 3)
    assert aig.latch_init.tolist() == [0, 0, 0]
    assert aig.num_ands == 8


def test_every_gate_type_case_insensitive_with_tabs_and_comments():
    text = """# gates
INPUT(a)\nINPUT(b)\nINPUT(c)
OUTPUT(o_and)\nOUTPUT(o_nand)\nOUTPUT(o_or)\nOUTPUT(o_nor)\nOUTPUT(o_xor)\nOUTPUT(o_xnor)
OUTPUT(o_not)\nOUTPUT(o_buf)\nOUTPUT(o_buff)\nOUTPUT(o_gnd)\nOUTPUT(o_vdd)
o_and\t=\tAND(a, b, c)   # three inputs
o_nand = nand(a,b,c)
o_or = Or(a, b, c)
o_nor = NOR(a, b, c)
o_xor = XOR(a, b, c)
o_xnor = XNOR(a, b, c)
o_not = NOT(a)
o_buf = BUF(b)
o_buff = BUFF(c)
o_gnd = gnd
o_vdd = vdd
"""
    aig = parse_bench(text.encode(), "g.bench")
    tt = sim.truth_tables(aig)
    for m in range(8):
        a, b, c = m & 1, (m >> 1) & 1, (m >> 2) & 1
        want = [a & b & c, 1 - (a & b & c), a | b | c, 1 - (a | b | c), a ^ b ^ c,
                1 - (a ^ b ^ c), 1 - a, b, c, 0, 1]
        got = [int(tt[k, 0] >> np.uint64(m) & np.uint64(1)) for k in range(11)]
        assert got == want, m


def test_abc_lut_lines_are_read():
    aig = parse_bench(b"INPUT(a)\nINPUT(b)\nOUTPUT(y)\ny = LUT 0x6 ( a, b )\n", "l.bench")
    assert sim.truth_tables(aig)[0, 0] == 0x6


def test_dff_is_a_latch_with_reset_zero():
    aig = parse_bench(b"INPUT(a)\nOUTPUT(q)\nq = DFF(n)\nn = NOT(q)\n", "d.bench")
    assert aig.num_latches == 1 and aig.latch_names == ("q",)
    assert aig.latch_init.tolist() == [0]


def test_undriven_net_is_tied_to_zero_with_a_located_warning():
    found: list[Diagnostic] = []
    aig = parse_bench(b"INPUT(a)\nOUTPUT(y)\ny = AND(a, ghost)\n", "u.bench", found.append)
    assert len(found) == 1 and "ghost" in found[0].message
    assert (found[0].severity, found[0].file, found[0].line) == ("warning", "u.bench", 3)
    assert sim.truth_tables(aig)[0, 0] == 0


def test_s400_has_one_undriven_net():
    found: list[Diagnostic] = []
    aig = parse_bench(need(ISCAS89 / "s400.bench").read_bytes(), "s400.bench", found.append)
    assert len(found) == 1 and "Phi1H" in found[0].message
    assert (aig.num_inputs, aig.num_outputs, aig.num_latches) == (3, 6, 21)


def test_warning_goes_to_stderr_without_a_report(capsys):
    parse_bench(b"INPUT(a)\nOUTPUT(y)\ny = AND(a, ghost)\n", "u.bench")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "edapipe: warning: u.bench:3" in captured.err and "ghost" in captured.err


def test_io_read_passes_the_report_on(tmp_path):
    path = tmp_path / "u.bench"
    path.write_bytes(b"INPUT(a)\nOUTPUT(y)\ny = AND(a, ghost)\n")
    found: list[Diagnostic] = []
    read(path, report=found.append)
    assert [(d.file, d.line) for d in found] == [(str(path), 3)]


def test_writer_uses_and_not_buff_dff():
    text = dump_bench(read(need(ISCAS89 / "s27.bench"))).decode()
    gates = {line.split("=")[1].split("(")[0].strip() for line in text.splitlines()
             if "=" in line and not line.startswith("#")}
    assert gates <= {"AND", "NOT", "BUFF", "DFF", "gnd", "vdd"}


def test_reset_one_latches_are_refused_not_changed():
    aig = read(need(ISCAS89 / "s27.bench"))
    aig = aig.replace(latch_init=np.array([1, 0, 0], dtype=np.int8))
    with pytest.raises(UsageError, match="reset value 1"):
        dump_bench(aig)


@pytest.mark.parametrize("text, words, line", [
    ("INPUT(a)\nOUTPUT(y)\ny = FOO(a)\n", ["FOO"], 3),
    ("INPUT(a)\nOUTPUT(y)\ny = AND(a, b\n", ["cannot parse"], 3),
    ("INPUT(a)\nOUTPUT(y)\ny = NOT(a, a)\n", ["exactly one"], 3),
    ("INPUT(a)\nOUTPUT(y)\ny = AND(a)\ny = OR(a)\n", ["'y'", "defined twice"], 4),
    ("INPUT(a)\nINPUT(a)\nOUTPUT(a)\n", ["defined twice"], 2),
    ("INPUT(a)\nOUTPUT(y)\ny = AND(a, z)\nz = OR(y, a)\n", ["cycle"], None),
    ("INPUT(a)\nOUTPUT(y)\ny = BUFF(z)\nz = BUFF(y)\n", ["cycle"], None),
    ("INPUT(a)\nOUTPUT(y)\ny = AND(a,,a)\n", ["empty argument"], 3),
    ("INPUT(a)\nOUTPUT(y)\ny = LUT 0x1ff (a, a)\n", ["LUT"], 3),
    ("INPUT(a)\nWIRE(b)\n", ["WIRE"], 2),
    ("# nothing\n\n", ["empty"], 1),
    ("INPUT(a)\n\xc3(\n", ["UTF-8"], 2),
])
def test_bad_input_has_file_line_and_reason(text, words, line):
    data = text.encode("latin-1") if "\xc3" in text else text.encode()
    assert_input_error(data, "bench", *words, line=line)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_aigs(inits=(0,)))
def test_random_aigs_round_trip(aig):
    assert_same_truth(aig, round_trip(aig, "bench"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_aigs(inits=(LATCH_INIT_X,), max_latches=2))
def test_uninitialized_latches_come_back_as_reset_zero(aig):
    back = round_trip(aig, "bench")
    assert back.latch_init.tolist() == [0] * aig.num_latches
    assert np.array_equal(sim.truth_tables(aig), sim.truth_tables(back))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_corruptions_only_raise_input_error(data):
    base = need(ISCAS85 / "c17.bench").read_bytes() + need(ISCAS89 / "s27.bench").read_bytes()
    parse_or_input_error(data.draw(corruptions(base)), "bench")


# ---- the fast path against the line-by-line reader -----------------------------------------

def bench_outcome(fn, data: bytes):
    warnings: list[str] = []
    try:
        aig = fn(data, warnings)
    except InputError as exc:
        return ("error", str(exc))
    return ("aig", aig.num_inputs, aig.fanin0.tolist(), aig.fanin1.tolist(),
            aig.outputs.tolist(), aig.latch_next.tolist(), aig.latch_init.tolist(),
            aig.input_names, aig.latch_names, aig.output_names, warnings)


def by_lines(data: bytes, warnings: list):
    from edapipe.aig.io import bench

    return bench._parse_lines(data.decode("utf-8"), "t.bench", warnings)


def by_default(data: bytes, warnings: list):
    return parse_bench(data, "t.bench", warnings.append)


@pytest.mark.parametrize("path", [p for p in circuit_params()
                                  if p.values[0].suffix == ".bench"])
def test_fast_path_equals_the_line_reader_on_benchmarks(path):
    if not path.exists():
        pytest.skip(f"{path} is not there")
    data = path.read_bytes()
    assert bench_outcome(by_default, data) == bench_outcome(by_lines, data)


@st.composite
def bench_texts(draw) -> bytes:
    lines = ["INPUT(a)", "INPUT(b)", "OUTPUT(y)", "OUTPUT(z)"]
    nets = ["a", "b", "n0", "n1", "n2", "n3", "y", "z", "q", "ghost"]
    for _ in range(draw(st.integers(0, 12))):
        gate = draw(st.sampled_from(["AND", "NAND", "OR", "NOR", "XOR", "XNOR", "NOT", "BUF",
                                     "BUFF", "DFF", "and", "Nor", "LUT 0x6", "FOO"]))
        lhs = draw(st.sampled_from(nets[2:9]))
        args = draw(st.lists(st.sampled_from(nets), min_size=0, max_size=4))
        lines.append(f"{lhs} = {gate}({', '.join(args)})")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["# comment", "", "n3 = gnd", "  INPUT ( c )  ",
                                           "y = AND(a b)", "WIRE(x)", "n1 = AND(a,,b)"])))
    order = draw(st.permutations(range(len(lines))))
    sep = draw(st.sampled_from(["\n", "\r\n"]))
    return sep.join(lines[k] for k in order).encode()


@settings(max_examples=400, deadline=None)
@given(bench_texts())
def test_fast_path_equals_the_line_reader(data):
    assert bench_outcome(by_default, data) == bench_outcome(by_lines, data)


@pytest.mark.parametrize("text", [
    b"INPUT(a)\n" + b" " * 50000 + b"x\n",
    b"INPUT(a)\ny" + b" " * 50000 + b"=" + b" " * 50000 + b"AND" + b" " * 50000 + b"(a" +
    b" " * 50000 + b"\n",
])
def test_long_bad_lines_are_refused_in_linear_time(text):
    import time

    start = time.perf_counter()
    with pytest.raises(InputError):
        parse_bench(text, "long.bench")
    assert time.perf_counter() - start < 2.0
