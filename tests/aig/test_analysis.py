"""Levels, fanouts, reference counts."""

import numpy as np
from hypothesis import given, settings

from edapipe.aig import analysis, analysis_kernels
from tests.strategies import aigs


@settings(max_examples=40, deadline=None)
@given(aigs())
def test_levels_python_and_kernel_agree(aig):
    ref = analysis_kernels.levels(aig.num_cis, aig.fanin0, aig.fanin1)
    assert (analysis.levels(aig) == ref).all()
    for k in range(aig.num_ands):
        v = aig.first_and_var + k
        assert ref[v] == 1 + max(ref[aig.fanin0[k] >> 1], ref[aig.fanin1[k] >> 1])


@settings(max_examples=40, deadline=None)
@given(aigs())
def test_fanouts_and_refs(aig):
    offsets, outs = analysis.fanouts(aig)
    refs = analysis.reference_counts(aig)
    cos = np.bincount(aig.co_literals() >> 1, minlength=aig.num_vars)
    for v in range(aig.num_vars):
        fo = outs[offsets[v]:offsets[v + 1]]
        expect = [aig.first_and_var + k for k in range(aig.num_ands)
                  for lit in (aig.fanin0[k], aig.fanin1[k]) if lit >> 1 == v]
        assert sorted(fo.tolist()) == sorted(expect)
        assert refs[v] == len(expect) + cos[v]
