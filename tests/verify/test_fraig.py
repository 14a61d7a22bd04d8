"""The fraig pass: merges equal nodes, keeps the function (own checker and ABC's cec)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import read, write
from edapipe.aig.sim import truth_tables
from edapipe.verify import fraig
from edapipe.verify.cec import check_equivalence
from tests.conftest import BENCHMARKS, need, run_abc, tool
from tests.strategies import aigs
from tests.equivalence import source
from tests.verify.helpers import restructure


def test_redundant_copies_are_merged():
    b = AigBuilder()
    x, y, z = b.add_input("x"), b.add_input("y"), b.add_input("z")
    f1 = b.and_(b.xor_(x, y), z)
    f2 = b.and_(b.and_(b.or_(x, y), b.and_(x, y) ^ 1), z)    # the same function
    b.add_output(f1, "f1")
    b.add_output(f2, "f2")
    aig = b.build()
    out, stats = fraig.run(aig)
    assert out.num_ands < aig.num_ands
    assert out.outputs[0] == out.outputs[1]
    assert check_equivalence(aig, out).equivalent is True
    assert "fraig:" in stats.report() and stats.as_dict()["ands_after"] == out.num_ands


def test_params_validate():
    with pytest.raises(ValueError):
        fraig.Params(cut_size=40)


def test_registered_as_a_pass():
    from edapipe.synth.passes import lookup, parse_params

    spec, _ = lookup("fraig")
    params = parse_params(spec, ["-C", "50", "-K", "8"])
    assert params.conflict_limit == 50 and params.cut_size == 8


@settings(max_examples=40, deadline=None)
@given(aigs(max_inputs=9, max_latches=2, max_ands=60), st.integers(0, 2**32 - 1))
def test_fraig_keeps_truth_tables(aig, seed):
    doubled = restructure(aig, np.random.default_rng(seed))
    out, _ = fraig.run(doubled)
    assert np.array_equal(truth_tables(out), truth_tables(aig))
    assert out.num_ands <= doubled.num_ands
    assert out.input_names == aig.input_names and out.output_names == aig.output_names


@pytest.mark.parametrize("name", ["c432", "c880", "int2float", "cavlc"])
def test_fraig_of_shared_circuits_checks_with_own_cec_and_abc(name, tmp_path):
    need(BENCHMARKS)
    aig = read(source(name))
    doubled = restructure(aig, np.random.default_rng(3))
    out, stats = fraig.run(doubled)
    # Identities like x & (!x | y) keep two nodes (fraig merges, it does not resynthesize),
    # but every (x & y) & (x | z) and mux(z, xy, xy) collapses.
    assert out.num_ands < 0.7 * doubled.num_ands
    assert check_equivalence(doubled, out).equivalent is True
    abc = tool("berkeley-abc")
    if abc is None:
        return
    pa, pb = tmp_path / "in.aig", tmp_path / "out.aig"
    write(doubled, pa)
    write(out, pb)
    text = run_abc(abc, f"cec {pa} {pb}")
    assert "Networks are equivalent" in text, text
