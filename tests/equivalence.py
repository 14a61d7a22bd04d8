"""Equivalence checks every pass and checker test shares.

The shared circuits by size, and the judge of "same circuit": the same interface, exact truth
tables for small input counts; beyond, random simulation (a quick, readable refutation) and
then a proof, never simulation alone: ABC's `cec` when it is installed and a folder is given,
otherwise the project's own `cec` (edapipe.verify.cec), whose answer must be "equivalent".
"""

from __future__ import annotations

import numpy as np

from edapipe.aig import io
from edapipe.aig.analysis import depth
from edapipe.aig.core import Aig
from edapipe.aig.sim import signatures, truth_tables
from tests.conftest import BENCHMARKS, need, run_abc, tool

EPFL_SMALL = ["ctrl", "int2float", "router", "cavlc", "dec", "i2c", "priority", "adder", "bar"]
EPFL_ALL = ["adder", "arbiter", "bar", "cavlc", "ctrl", "dec", "i2c", "int2float", "log2",
            "max", "multiplier", "priority", "router", "sin", "sqrt", "square", "voter"]
ISCAS_SMALL = ["c17", "c432", "c499", "c880", "c1355", "c1908"]
ISCAS_ALL = ISCAS_SMALL + ["c2670", "c3540", "c5315", "c7552"]
TRUTH_TABLE_INPUTS = 14
"""Up to this many combinational inputs the check is exhaustive (2^14 patterns, cheap)."""


def source(name: str):
    """A shared circuit by name (EPFL AIGER, else ISCAS-85 BENCH); skips the test without
    the shared benchmarks."""
    path = BENCHMARKS / "epfl" / f"{name}.aig"
    return need(path if path.exists() else BENCHMARKS / "iscas85" / f"{name}.bench")


def strashed(path) -> Aig:
    from edapipe.aig.builder import strash

    return strash(io.read(path))


def assert_same_interface(before: Aig, after: Aig) -> None:
    assert after.num_inputs == before.num_inputs
    assert after.num_latches == before.num_latches
    assert after.num_outputs == before.num_outputs
    assert after.input_names == before.input_names
    assert after.output_names == before.output_names
    assert after.latch_names == before.latch_names
    assert np.array_equal(after.latch_init, before.latch_init)


def assert_equivalent(before: Aig, after: Aig, tmp_path=None, words: int = 16) -> None:
    """Same interface and same combinational function: exhaustive up to TRUTH_TABLE_INPUTS
    inputs; otherwise random simulation, then a proof (abc_cec: ABC when installed, else our
    own cec; in tmp_path or a temporary folder)."""
    assert_same_interface(before, after)
    if before.num_cis <= TRUTH_TABLE_INPUTS:
        assert np.array_equal(truth_tables(before), truth_tables(after))
        return
    for seed in (1, 2):
        assert np.array_equal(signatures(before, words, seed), signatures(after, words, seed))
    if tmp_path is not None:
        abc_cec(before, after, tmp_path)
        return
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        abc_cec(before, after, Path(folder))


def own_cec(before: Aig, after: Aig) -> None:
    """The project's own `cec` proves the two equivalent (undecided fails the test)."""
    from edapipe.verify.cec import check_equivalence

    res = check_equivalence(before, after)
    assert res.equivalent is True, (res.equivalent, res.failing[:5], res.undecided[:5])


def abc_cec(before: Aig, after: Aig, folder) -> None:
    """ABC's `cec` proves the two equivalent; without ABC, our own cec must (never a silent
    pass)."""
    abc = tool("berkeley-abc")
    if abc is None:
        own_cec(before, after)
        return
    a, b = folder / "before.aig", folder / "after.aig"
    io.write(before, a)
    io.write(after, b)
    out = run_abc(abc, f"cec {a} {b}")
    assert "Networks are equivalent" in out, out


def checked_levels(before: Aig, after: Aig, preserve: bool) -> None:
    if preserve:
        assert depth(after) <= depth(before)
