"""Each small design under designs/ elaborates to an AIG equivalent to Yosys's."""

from __future__ import annotations

from pathlib import Path

import pytest

from edapipe.aig import io
from edapipe.synth.rtl import read_sources
from tests.conftest import require_tool
from tests.synth.rtl.reference import abc_equivalent, yosys_aig

DESIGNS = Path(__file__).parent / "designs"
ALL = sorted(p.name for p in DESIGNS.glob("*.v"))


def test_enough_designs():
    assert len(ALL) >= 40


@pytest.mark.parametrize("name", ALL)
def test_design_matches_yosys(name, tmp_path):
    path = DESIGNS / name
    warnings: list[str] = []
    aig = read_sources([(path.read_text(), str(path))], include_dirs=[str(DESIGNS)],
                       warn=warnings.append, bit_names="yosys")
    assert aig.num_outputs > 0
    yosys = require_tool("yosys")
    abc = require_tool("berkeley-abc")
    ours = tmp_path / "ours.aig"
    ref = tmp_path / "ref.aig"
    io.write(aig, ours)
    early = "yosys: early-setundef" in path.read_text().splitlines()[0]
    yosys_aig(yosys, [path], "top", ref, include_dirs=[DESIGNS], early_setundef=early)
    refaig = io.read(ref)
    assert sorted(aig.input_names) == sorted(refaig.input_names)
    assert sorted(aig.output_names) == sorted(refaig.output_names)
    ok, text = abc_equivalent(abc, ours, ref, sequential=aig.num_latches + refaig.num_latches > 0)
    assert ok, text
