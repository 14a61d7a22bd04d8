"""BLIF: round trips over the benchmarks (ABC confirms), the reader's corners, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edapipe.aig import sim
from edapipe.aig.core import LATCH_INIT_X
from edapipe.aig.io import dump, read
from edapipe.aig.io.blif import dump_blif, parse_blif
from tests.aig.io.roundtrip import (EPFL, ISCAS89, abc_confirms, assert_input_error,
                                    assert_same_function, cec_confirms, assert_same_interface,
                                    assert_same_truth, circuit_params, corruptions, load,
                                    parse_or_input_error, random_aigs, round_trip)
from tests.conftest import need, tool


@pytest.mark.parametrize("path", circuit_params())
def test_benchmark_round_trip(path, tmp_path):
    aig = load(path)
    back = round_trip(aig, "blif")
    assert_same_interface(aig, back)
    assert_same_function(aig, back)
    again = round_trip(back, "aig")
    assert_same_interface(aig, again)
    abc = tool("berkeley-abc")
    if abc:
        written = tmp_path / (path.stem + ".blif")
        written.write_bytes(dump(aig, "blif"))
        abc_confirms(abc, path, written, sequential=aig.num_latches > 0)
    else:
        cec_confirms(aig, back)


def parse_text(text: str):
    return parse_blif(text.encode(), "t.blif")


def truth(aig):
    return sim.truth_tables(aig)[:, 0].tolist()


def test_covers_on_set_off_set_dont_care_and_constants():
    aig = parse_text("""
# a comment
.model covers
.inputs a b \\
  c
.outputs f g h one zero both
.names a b c f   # on-set with don't cares
1-1 1
01- 1
.names a b g
11 0
.names h
.names one
1
.names zero
 0
.names a both
1 1
0 1
.end
""")
    assert aig.name == "covers"
    assert aig.input_names == ("a", "b", "c")
    assert aig.output_names == ("f", "g", "h", "one", "zero", "both")
    tt = sim.truth_tables(aig)
    for m in range(8):
        a, b, c = m & 1, (m >> 1) & 1, (m >> 2) & 1
        want = [(a and c) or (not a and b), not (a and b), 0, 1, 0, 1]
        got = [int(tt[k, 0] >> np.uint64(m) & np.uint64(1)) for k in range(6)]
        assert got == [int(x) for x in want], m


def test_latch_init_values_follow_abc():
    aig = parse_text("""
.model l
.inputs d clk
.outputs q0
.latch d q0
.latch d q1 0
.latch d q2 1
.latch d q3 2
.latch d q4 3
.latch d q5 re clk 1
.latch d q6 fe NIL
.end
""")
    assert aig.latch_names == ("q0", "q1", "q2", "q3", "q4", "q5", "q6")
    assert aig.latch_init.tolist() == [LATCH_INIT_X, 0, 1, LATCH_INIT_X, LATCH_INIT_X, 1,
                                       LATCH_INIT_X]
    back = parse_blif(dump_blif(aig), "x.blif")
    assert back.latch_init.tolist() == aig.latch_init.tolist()
    assert back.latch_names == aig.latch_names


def test_subckt_is_flattened_with_hierarchical_names():
    aig = parse_text("""
.model top
.inputs a b c
.outputs y r
.subckt and2 x=a y=b z=t
.subckt and2 x=t y=c z=y
.subckt reg d=y q=r
.end
.model and2
.inputs x y
.outputs z
.names x y z
11 1
.end
.model reg
.inputs d
.outputs q
.latch d q 0
.end
""")
    assert aig.num_inputs == 3 and aig.num_latches == 1
    assert aig.latch_names == ("reg_0/q",)
    assert aig.num_ands == 2
    tt = sim.truth_tables(aig)
    # y = a & b & c over CIs a b c reg_0/q
    assert all(int(tt[0, 0] >> np.uint64(m) & np.uint64(1)) == int(m & 7 == 7)
               for m in range(16))


def test_subckt_of_unknown_model_is_refused_by_name():
    assert_input_error(".model top\n.inputs a\n.outputs y\n.subckt mystery x=a z=y\n.end\n",
                       "blif", "mystery", "not defined", line=4)


@pytest.mark.parametrize("text, words, line", [
    (".model t\n.inputs a\n.outputs y\n.gate and2 A=a Y=y\n.end\n", [".gate"], 4),
    (".model t\n.inputs a\n.outputs y\n.mlatch x a y\n.end\n", [".mlatch"], 4),
    (".model t\n.inputs a\n.outputs y\n.names a b y\n11 1\n.end\n", ["'b'", "never driven"], 4),
    (".model t\n.inputs a\n.outputs y\n.names a y\n1 1\n.names a y\n0 1\n.end\n",
     ["'y'", "defined twice"], 6),
    (".model t\n.inputs a\n.outputs y\n.names a y\n1 1\n0 0\n.end\n", ["mixes"], 6),
    (".model t\n.inputs a\n.outputs y\n.names a y\n12 1\n.end\n", ["cube"], 5),
    (".model t\n.inputs a\n.outputs y\n.names a y\n1 x\n.end\n", ["output"], 5),
    (".model t\n.inputs a\n.outputs y\n.names a z y\n11 1\n.names y z\n1 1\n.end\n",
     ["cycle", "'y'"], 4),
    (".model t\n.inputs a\n.outputs y\n.names y z\n1 1\n.names z y\n1 1\n.end\n",
     ["cycle"], None),
    (".model t\n.inputs a\n.outputs y\n.latch a q 7\n.end\n", ["init"], 4),
    (".model t\n.inputs a\n.outputs y\n.frobnicate\n.end\n", ["unknown", ".frobnicate"], 4),
    (".model t\n.inputs a\n.outputs y\n11 1\n", ["cover row"], 4),
    (".model t\n.inputs a a\n.outputs a\n.end\n", ["defined twice"], 2),
    (".model t\n.inputs a\n.outputs y\n.subckt t a=a y=z\n.end\n", ["recursive"], None),
    (".model t\n.inputs a\n.outputs y\n.names a y\n1 1\n\xff\n", ["UTF-8"], 6),
])
def test_bad_input_has_file_line_and_reason(text, words, line):
    data = text.encode("latin-1") if "\xff" in text else text.encode()
    assert_input_error(data, "blif", *words, line=line)


def test_writer_is_abc_style():
    aig = read(need(ISCAS89 / "s27.bench"))
    text = dump_blif(aig).decode()
    assert text.startswith(".model ")
    assert ".latch " in text and text.rstrip().endswith(".end")
    assert "\n.names " in text
    # the same names come back
    assert_same_interface(aig, parse_blif(text.encode(), "s27.blif"))


def test_output_that_is_an_input_needs_no_driver():
    aig = parse_text(".model t\n.inputs a b\n.outputs a y\n.names a b y\n10 1\n.end\n")
    text = dump_blif(aig).decode()
    assert ".names a a" not in text
    back = parse_blif(text.encode(), "x.blif")
    assert back.output_names == ("a", "y")
    assert_same_truth(aig, back)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_aigs())
def test_random_aigs_round_trip(aig):
    assert_same_truth(aig, round_trip(aig, "blif"))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_corruptions_only_raise_input_error(data):
    base = dump_blif(read(need(ISCAS89 / "s27.bench")))
    parse_or_input_error(data.draw(corruptions(base)), "blif")


def test_epfl_blif_of_v_matches_aig():
    v = read(need(EPFL / "router.v"))
    back = round_trip(v, "blif")
    assert_same_function(read(need(EPFL / "router.aig")), back)


@pytest.mark.parametrize("fmt", ["blif", "bench", "verilog", "dot", "graphml"])
def test_writers_refuse_properties_rather_than_drop_them(fmt):
    from edapipe.errors import UsageError

    aig = read(need(ISCAS89 / "s27.bench"))
    aig = aig.replace(bad=np.array([aig.outputs[0]], dtype=np.int32))
    with pytest.raises(UsageError, match="AIGER"):
        dump(aig, fmt)


@pytest.mark.parametrize("fmt", ["blif", "bench", "verilog"])
def test_abc_agrees_on_random_aigs(fmt, tmp_path_factory):
    """ABC reads what each writer writes for random AIGs, as the same function."""
    import subprocess

    from hypothesis import HealthCheck as HC

    from tests.conftest import require_tool

    abc = require_tool("berkeley-abc")
    seq = fmt != "verilog"        # ABC keeps the Verilog clock as an input: combinational only

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HC))
    @given(random_aigs(named=True, max_latches=2 if seq else 0, inits=(0,)))
    def check(aig):
        if aig.num_inputs + aig.num_latches == 0 or aig.num_outputs == 0:
            return
        folder = tmp_path_factory.mktemp("abc")
        ref, written = folder / "ref.aig", folder / f"w.{'v' if fmt == 'verilog' else fmt}"
        ref.write_bytes(dump(aig, "aig"))
        written.write_bytes(dump(aig, fmt))
        proc = subprocess.run([abc, "-c", f"cec {ref} {written}"], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "are equivalent" in proc.stdout, proc.stdout + proc.stderr

    check()
