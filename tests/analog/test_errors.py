"""Bad netlists: a clear message naming the element or node, exit 3 (bad input) or 4 (no
convergence), never a traceback. Run through the real CLI entry point."""

from __future__ import annotations

import subprocess
import sys

import pytest


def spice(tmp_path, text: str, *args: str, name: str = "bad.cir"):
    path = tmp_path / name
    path.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "edapipe.cli.main", "spice", str(path), *args],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_unknown_element_letter(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nR1 1 0 1k\nZ1 1 0 foo\n.op\n.end\n")
    assert proc.returncode == 3
    assert "bad.cir:4:" in proc.stderr and "Z1" in proc.stderr


def test_missing_nodes(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nR1 1\n.op\n.end\n")
    assert proc.returncode == 3
    assert "bad.cir:3:" in proc.stderr and "r1" in proc.stderr.lower()


def test_floating_node_without_dc_path(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nR1 1 0 1k\nC1 1 2 1p\nC2 2 0 1p\n.op\n.end\n")
    assert proc.returncode == 3
    assert "node '2'" in proc.stderr and "no DC path" in proc.stderr


def test_singular_loop_of_voltage_sources(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nV2 1 0 2\nR1 1 0 1k\n.op\n.end\n")
    assert proc.returncode == 3
    assert "singular" in proc.stderr and "v2" in proc.stderr


def test_non_convergence_is_exit_4(tmp_path):
    # v + v^2 + 1 = 0 has no real root: Newton wanders for all its (at least 100, as
    # ngspice's NIiter) iterations, and without gmin or source stepping that is the end
    deck = "t\n.options gminsteps=0 srcsteps=0\nR1 1 0 1\nB1 1 0 I=V(1)*V(1)+1\n.op\n.end\n"
    proc = spice(tmp_path, deck)
    assert proc.returncode == 4
    assert "converge" in proc.stderr


def test_iteration_limits_below_100_are_raised_to_100_as_ngspice_does(tmp_path):
    # ngspice's NIiter never stops before 100 iterations: ITL1=2 still settles this stage
    # (ngspice 39: v(2) = 0.8112833; equal within Newton's RELTOL)
    deck = ("t\n.options itl1=2 gminsteps=0 srcsteps=0\nV1 1 0 5\nR1 1 2 1k\nQ1 2 3 0 qm\n"
            "R2 1 3 100k\n.model qm NPN(BF=100)\n.op\n.end\n")
    proc = spice(tmp_path, deck)
    assert proc.returncode == 0, proc.stderr
    v2 = float(next(ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("v(2)")))
    assert abs(v2 - 0.8112833) < 1e-3 * 0.8112833


def test_recursive_subcircuit(tmp_path):
    deck = ("t\n.subckt a in out\nX1 in out b\n.ends\n.subckt b in out\nX2 in out a\n.ends\n"
            "V1 1 0 1\nX0 1 0 a\n.op\n.end\n")
    proc = spice(tmp_path, deck)
    assert proc.returncode == 3
    assert "recursive subcircuit" in proc.stderr and "a -> b -> a" in proc.stderr


def test_include_loop(tmp_path):
    (tmp_path / "a.inc").write_text(".include b.inc\n")
    (tmp_path / "b.inc").write_text(".include a.inc\n")
    proc = spice(tmp_path, "t\n.include a.inc\nV1 1 0 1\nR1 1 0 1\n.op\n.end\n")
    assert proc.returncode == 3
    assert "include loop" in proc.stderr and "a.inc" in proc.stderr


def test_missing_include_file(tmp_path):
    proc = spice(tmp_path, "t\n.include nothere.lib\n.op\n.end\n")
    assert proc.returncode == 3
    assert "bad.cir:2:" in proc.stderr and "nothere.lib" in proc.stderr


def test_unknown_model(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nD1 1 0 nomodel\n.op\n.end\n")
    assert proc.returncode == 3
    assert "d1" in proc.stderr.lower() and "nomodel" in proc.stderr


def test_bad_expression(tmp_path):
    proc = spice(tmp_path, "t\n.param a={1+}\nV1 1 0 {a}\nR1 1 0 1\n.op\n.end\n")
    assert proc.returncode == 3
    assert "bad.cir:2:" in proc.stderr


def test_unknown_parameter(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 {nosuch*2}\nR1 1 0 1\n.op\n.end\n")
    assert proc.returncode == 3
    assert "nosuch" in proc.stderr


def test_no_analysis(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nR1 1 0 1\n.end\n")
    assert proc.returncode == 3
    assert "no analysis" in proc.stderr


@pytest.mark.parametrize("letter", ["J", "S"])
def test_unsupported_element_is_named(tmp_path, letter):
    proc = spice(tmp_path, f"t\nV1 1 0 1\n{letter}1 1 0 V=1\n.op\n.end\n")
    assert proc.returncode == 3
    assert f"{letter.lower()}1" in proc.stderr.lower()


@pytest.mark.parametrize("option", ["scale=1e-6", "rshunt=1e12", "ramptime=1n", "xmu=0.4"])
def test_options_that_would_change_the_answer_are_located_errors(tmp_path, option):
    proc = spice(tmp_path, f"t\nV1 1 0 1\nR1 1 0 1k\n.options reltol=1e-4 {option}\n.op\n.end\n")
    assert proc.returncode == 3
    assert "bad.cir:4:" in proc.stderr and option.split("=")[0] in proc.stderr


def test_unknown_options_are_located_warnings_and_listing_options_are_quiet(tmp_path):
    proc = spice(tmp_path, "t\nV1 1 0 1\nR1 1 0 1k\n.options post noacct scale=1\n"
                           ".options frobnicate=3\n.op\n.end\n")
    assert proc.returncode == 0, proc.stderr
    assert "bad.cir:5:" in proc.stderr and "frobnicate" in proc.stderr
    assert "post" not in proc.stderr and "noacct" not in proc.stderr
