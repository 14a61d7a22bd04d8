"""AIGER reader and writer: round trips, sequential files, properties, bad input."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edapipe.aig import LATCH_INIT_X
from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import aiger, dump, parse
from edapipe.aig.sim import signatures
from edapipe.errors import InputError
from tests.conftest import BENCHMARKS, bench, require_tool, run_abc
from tests.strategies import aigs

EPFL = sorted(BENCHMARKS.glob("epfl/*.aig"))
SMALL_EPFL = [p for p in EPFL if p.stat().st_size < 20000]


def same_structure(a, b):
    assert (a.num_inputs, a.num_latches, a.num_outputs) == (b.num_inputs, b.num_latches,
                                                            b.num_outputs)
    assert (a.fanin0 == b.fanin0).all() and (a.fanin1 == b.fanin1).all()
    assert (a.outputs == b.outputs).all() and (a.latch_next == b.latch_next).all()
    assert (a.latch_init == b.latch_init).all()
    assert a.input_names == b.input_names and a.output_names == b.output_names
    assert a.latch_names == b.latch_names


@pytest.mark.parametrize("path", SMALL_EPFL, ids=lambda p: p.stem)
def test_epfl_binary_round_trip_is_byte_exact(path):
    data = path.read_bytes()
    aig = parse(data, str(path))
    assert dump(aig, "aig") == data
    again = parse(dump(aig, "aag"), "x.aag")
    same_structure(aig, again)


@pytest.mark.slow
@pytest.mark.parametrize("path", EPFL, ids=lambda p: p.stem)
def test_epfl_all_round_trips(path):
    data = path.read_bytes()
    aig = parse(data, str(path))
    assert dump(aig, "aig") == data
    same_structure(aig, parse(dump(aig, "aag"), "x.aag"))


def sequential_example():
    b = AigBuilder(name="counter")
    en = b.add_input("en")
    q = [b.add_latch(f"q{k}", init=init) for k, init in enumerate([0, 1, LATCH_INIT_X])]
    carry = en
    for k in q:
        b.set_latch_next(k, b.xor_(b.latch_lit(k), carry))
        carry = b.and_(carry, b.latch_lit(k))
    b.add_output(carry, "wrap")
    b.add_bad(b.and_(b.latch_lit(q[0]), b.latch_lit(q[2])))
    b.add_constraint(en)
    b.comments.append("a comment line")
    return b.build()


@pytest.mark.parametrize("fmt", ["aig", "aag"])
def test_sequential_with_properties_round_trip(fmt):
    aig = sequential_example()
    back = parse(dump(aig, fmt), f"x.{fmt}")
    same_structure(aig, back)
    assert back.latch_init.tolist() == [0, 1, LATCH_INIT_X]
    assert (back.bad == aig.bad).all() and (back.constraints == aig.constraints).all()
    assert back.name == "counter" and "a comment line" in back.comments


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(), st.sampled_from(["aig", "aag"]))
def test_random_aigs_round_trip(aig, fmt):
    back = parse(dump(aig, fmt), f"x.{fmt}")
    same_structure(aig, back)
    assert (signatures(aig) == signatures(back)).all()


def test_ascii_ands_in_any_order_are_sorted():
    text = b"aag 4 2 0 1 2\n2\n4\n8\n8 6 2\n6 4 3\ni0 a\ni1 b\no0 f\n"
    aig = parse(text, "t.aag")
    assert aig.num_ands == 2 and aig.output_names == ("f",)


BAD_CASES = {
    "empty": (b"", "unexpected end of file"),
    "not aiger": (b"aig x 1 0 1 0\n", "bad header"),
    "lying M": (b"aig 5 1 0 1 1\n2\n", "header lies"),
    "absurd counts": (b"aig 300000000 100000000 100000000 100000000 100000000\n", "file has only"),
    "too large": (b"aig 9999999999 1 0 0 0\n", "too large"),
    "truncated ands": (b"aig 3 2 0 1 1\n6\n", "ends inside the AND section"),
    "bad delta": (b"aig 3 2 0 1 1\n6\n\x07\x00", "first delta"),
    "output out of range": (b"aig 1 1 0 1 0\n99\n", "exceeds the maximum"),
    "latch bad init": (b"aig 2 1 1 1 0\n2 7\n4\n", "reset value"),
    "justice": (b"aig 1 1 0 0 0 0 0 1 0\n", "justice"),
    "ascii undefined": (b"aag 3 1 0 1 1\n2\n6\n6 2 4\n", "which no input, latch or AND defines"),
    "ascii cycle": (b"aag 3 1 0 1 2\n2\n4\n4 6 2\n6 4 2\n", "combinational cycle"),
    "ascii duplicate": (b"aag 2 1 0 1 1\n2\n2\n2 2 2\n", "defined twice"),
    "ascii odd input": (b"aag 1 1 0 1 0\n3\n2\n", "must be even"),
    "ascii text garbage": (b"aag 1 1 0 1 0\n2\nfoo\n", "expected output 0 literal"),
    "bad symbol": (b"aag 1 1 0 1 0\n2\n2\ni5 x\n", "only 1"),
    "binary garbage": (bytes(range(256)) * 4, "not an AIGER file"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_located(case):
    data, needle = BAD_CASES[case]
    with pytest.raises(InputError) as info:
        aiger.parse_aiger(data, "bad.aig")
    msg = str(info.value)
    assert needle in msg, msg
    assert msg.startswith("bad.aig:"), msg
    assert info.value.line is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(), st.sampled_from(["aig", "aag"]), st.data())
def test_corruptions_raise_only_input_errors(aig, fmt, data):
    blob = bytearray(dump(aig, fmt))
    action = data.draw(st.sampled_from(["truncate", "flip", "delete", "insert"]))
    pos = data.draw(st.integers(0, max(len(blob) - 1, 0)))
    if action == "truncate":
        blob = blob[:pos]
    elif action == "flip" and blob:
        blob[pos] ^= 1 << data.draw(st.integers(0, 7))
    elif action == "delete":
        blob = blob[:pos] + blob[pos + data.draw(st.integers(1, 20)):]
    else:
        blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
    try:
        parse(bytes(blob), f"c.{fmt}", fmt)
    except InputError as exc:
        assert str(exc).startswith(f"c.{fmt}")


def test_abc_reads_what_we_write(abc_bin, tmp_path):
    src = bench("epfl", "cavlc.aig")
    aig = parse(src.read_bytes(), str(src))
    out = tmp_path / "w.aig"
    out.write_bytes(dump(aig, "aig"))
    log = run_abc(abc_bin, f"cec {src} {out}")
    assert "Networks are equivalent" in log, log


def adder4():
    b = AigBuilder(name="adder4")
    xs = [b.add_input(f"a{k}") for k in range(4)]
    ys = [b.add_input(f"b{k}") for k in range(4)]
    carry = 0
    for x, y in zip(xs, ys):
        b.add_output(b.xor_n([x, y, carry]))
        carry = b.or_n([b.and_(x, y), b.and_(carry, b.xor_(x, y))])
    b.add_output(carry)
    return b.build()


def test_yosys_reads_our_ascii(abc_bin, tmp_path):
    # Debian's ABC cannot read ASCII AIGER, so Yosys's reader is the independent judge. Yosys
    # renames and reorders ports, the same way for both files; ABC then matches by position.
    yosys = require_tool("yosys")
    aig = adder4()
    for fmt in ("aig", "aag"):
        (tmp_path / f"w.{fmt}").write_bytes(dump(aig, fmt))
        subprocess.run([yosys, "-q", "-p", f"read_aiger {tmp_path / f'w.{fmt}'}; "
                        f"write_aiger {tmp_path / f'y_{fmt}.aig'}"], check=True, timeout=120)
    log = run_abc(abc_bin, f"cec -n {tmp_path / 'y_aig.aig'} {tmp_path / 'y_aag.aig'}")
    assert "Networks are equivalent" in log, log


def test_abc_sequential_equivalence(abc_bin, tmp_path):
    aig = sequential_example().replace(bad=np.zeros(0, np.int32),
                                       constraints=np.zeros(0, np.int32),
                                       latch_init=np.array([0, 1, 0], np.int8))
    a, b = tmp_path / "a.aig", tmp_path / "b.aig"
    a.write_bytes(dump(aig, "aig"))
    b.write_bytes(dump(parse(dump(aig, "aag"), "x.aag"), "aig"))
    log = run_abc(abc_bin, f"dsec {a} {b}")
    assert "equivalent" in log.lower() and "not equivalent" not in log.lower(), log
