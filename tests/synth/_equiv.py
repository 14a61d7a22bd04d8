"""Equivalence checks the refactor and resub tests share: exact truth tables for small
circuits, random simulation plus ABC's `cec` (when installed) for the benchmarks."""

from __future__ import annotations

import subprocess

import numpy as np

from edapipe.aig import io, sim
from edapipe.aig.analysis import depth
from tests.conftest import tool


def assert_same_interface(a, b):
    assert (a.num_inputs, a.num_latches, a.num_outputs) == (b.num_inputs, b.num_latches,
                                                            b.num_outputs)
    assert a.input_names == b.input_names and a.output_names == b.output_names
    assert (a.latch_init == b.latch_init).all()


def assert_equivalent(a, b, tmp_path=None, words: int = 16):
    assert_same_interface(a, b)
    if a.num_cis <= sim.MAX_TRUTH_INPUTS:
        assert (sim.truth_tables(a) == sim.truth_tables(b)).all()
        return
    assert (sim.signatures(a, words, seed=1) == sim.signatures(b, words, seed=1)).all()
    abc = tool("berkeley-abc")
    if abc and tmp_path is not None:
        fa, fb = tmp_path / "a.aig", tmp_path / "b.aig"
        io.write(a, fa)
        io.write(b, fb)
        out = subprocess.run([abc, "-c", f"cec {fa} {fb}"], capture_output=True, text=True,
                             timeout=600).stdout
        assert "Networks are equivalent" in out, out


def checked_levels(a, b, preserve: bool):
    if preserve:
        assert depth(b) <= depth(a)


def strashed(path):
    from edapipe.aig.builder import strash

    return strash(io.read(path))


def as_array(x):
    return np.asarray(x)
