"""Every EPFL .v read through the RTL frontend is equivalent to its .aig (ABC cec)."""

from __future__ import annotations

import pytest

from edapipe.aig import io
from edapipe.synth.rtl import read_rtl_files
from tests.conftest import BENCHMARKS, need, require_tool
from tests.synth.rtl.reference import abc_equivalent

EPFL = BENCHMARKS / "epfl"
FAST = {"ctrl", "router", "int2float", "dec", "cavlc", "adder"}
NAMES = sorted(p.stem for p in EPFL.glob("*.v")) if EPFL.is_dir() else []
PARAMS = [pytest.param(n, marks=() if n in FAST else pytest.mark.slow) for n in NAMES]


@pytest.mark.parametrize("name", PARAMS)
def test_epfl_equivalent(name, tmp_path):
    aig = read_rtl_files([str(need(EPFL / f"{name}.v"))])
    golden = io.read(need(EPFL / f"{name}.aig"))
    assert aig.num_inputs == golden.num_inputs
    assert aig.num_outputs == golden.num_outputs
    abc = require_tool("berkeley-abc")
    ours = tmp_path / "ours.aig"
    io.write(aig, ours)
    ok, text = abc_equivalent(abc, ours, need(EPFL / f"{name}.aig"), sequential=False)
    assert ok, text
