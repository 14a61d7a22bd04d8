"""`edapipe cec` through the command line: exit codes, counter-example replay, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import read, write
from tests.conftest import BENCHMARKS, need

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]
CTRL = BENCHMARKS / "epfl" / "ctrl.aig"


def run(*args, rc: int | None = 0):
    proc = subprocess.run(EDAPIPE + [str(a) for a in args], capture_output=True, timeout=300)
    if rc is not None:
        assert proc.returncode == rc, proc.stderr.decode() + proc.stdout.decode()
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """ctrl as AIGER and as Verilog (written by edapipe), and a mutant with an output flipped."""
    folder = tmp_path_factory.mktemp("cec")
    aig = read(need(CTRL))
    verilog = folder / "ctrl.v"
    write(aig, verilog)
    outs = aig.outputs.copy()
    outs[3] ^= 1
    bad = folder / "ctrl_bad.aig"
    write(aig.replace(outputs=outs), bad)
    return folder, verilog, bad


def test_help():
    out = run("cec", "--help").stdout.decode()
    assert "--cex" in out and "--conflict-limit" in out and "Exit codes" in out


def test_equivalent_exit_0_across_formats(pair):
    _, verilog, _ = pair
    proc = run("cec", need(CTRL), verilog)
    assert proc.stdout.decode().startswith("equivalent")


def test_not_equivalent_exit_1_and_cex_replays_on_both(pair, tmp_path):
    folder, verilog, bad = pair
    cex = tmp_path / "cex.txt"
    proc = run("cec", verilog, bad, "--cex", cex, rc=1)
    text = proc.stdout.decode()
    assert text.startswith("not equivalent") and "not equivalent" in proc.stderr.decode()
    assert cex.read_text().startswith("1\nb0\n")
    good = run("sim", verilog, "--vectors", cex).stdout.decode().split()
    wrong = run("sim", bad, "--vectors", cex).stdout.decode().split()
    assert good != wrong
    ctrl = read(need(CTRL))
    names = [ctrl.output_name(k) for k in range(ctrl.num_outputs)]
    differ = [names[k] for k, (x, y) in enumerate(zip(good[0], wrong[0])) if x != y]
    assert differ == [ctrl.output_name(3)]
    assert ctrl.output_name(3) in text


def test_json(pair):
    _, verilog, bad = pair
    good = json.loads(run("cec", need(CTRL), verilog, "--json").stdout)
    assert good["result"] == "equivalent" and good["pairs"] == 26
    res = json.loads(run("cec", need(CTRL), bad, "--json", rc=1).stdout)
    assert res["result"] == "not equivalent" and len(res["failing"]) == 1
    assert len(res["counterexample"]["a_vector"]) == 7


def test_interface_mismatch_exit_3(tmp_path):
    a = AigBuilder()
    a.add_output(a.and_(a.add_input("x"), a.add_input("y")), "f")
    b = AigBuilder()
    b.add_output(b.and_(b.add_input("x"), b.add_input("w")), "f")
    pa, pb = tmp_path / "a.aag", tmp_path / "b.aag"
    write(a.build(), pa)
    write(b.build(), pb)
    err = run("cec", pa, pb, rc=3).stderr.decode()
    assert "inputs only in A: y" in err and "inputs only in B: w" in err
    run("cec", pa, pb, "--by-position")
    c = AigBuilder()
    c.add_output(c.add_input("x"), "f")
    pc = tmp_path / "c.aag"
    write(c.build(), pc)
    err = run("cec", pa, pc, "--by-position", rc=3).stderr.decode()
    assert "input counts differ: 2 in A, 1 in B" in err


def test_undecided_exit_4_names_outputs(tmp_path):
    # A 12x12 multiplier against a copy restructured by ABC-like identities: with no
    # sweeping merges (cut size 2 is not enough) and one conflict, the outputs stay open.
    from tests.verify.helpers import restructure

    b = AigBuilder()
    xs = [b.add_input(f"a{i}") for i in range(10)]
    ys = [b.add_input(f"b{i}") for i in range(10)]
    acc = [0] * 20
    for i, x in enumerate(xs):
        carry = 0
        for j, y in enumerate(ys):
            p = b.and_(x, y)
            s = b.xor_n([acc[i + j], p, carry])
            carry = b.or_(b.and_(acc[i + j], p), b.and_(carry, b.xor_(acc[i + j], p)))
            acc[i + j] = s
        acc[i + len(ys)] = carry
    for k, lit in enumerate(acc):
        b.add_output(lit, f"p{k}")
    aig = b.build()
    other = restructure(aig, np.random.default_rng(1))
    pa, pb = tmp_path / "m.aig", tmp_path / "m2.aig"
    write(aig, pa)
    write(other, pb)
    proc = run("cec", pa, pb, "--time-limit", "0.000001", rc=4)
    assert proc.stdout.decode().startswith("undecided") and "p19" in proc.stdout.decode()
    res = json.loads(run("cec", pa, pb, "--time-limit", "0.000001", "--json", rc=4).stdout)
    assert res["result"] == "undecided" and "p19" in res["undecided"]


def test_missing_file_exit_3(tmp_path):
    run("cec", need(CTRL), tmp_path / "none.aig", rc=3)
