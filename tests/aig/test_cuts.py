"""Cut enumeration: every stored cut's truth table, and completeness against brute force."""

import numpy as np
import pytest
from hypothesis import given, settings

from edapipe.aig.cuts import enumerate_cuts
from tests.strategies import aigs


def brute_cuts(aig, k):
    base = aig.first_and_var
    cuts = {v: [frozenset([v])] for v in range(base)}
    cuts[0] = [frozenset()]
    for g, (a, b) in enumerate(zip(aig.fanin0.tolist(), aig.fanin1.tolist())):
        found = {ca | cb for ca in cuts[a >> 1] for cb in cuts[b >> 1] if len(ca | cb) <= k}
        found = [c for c in found if not any(o < c for o in found)]
        cuts[base + g] = found + [frozenset([base + g])]
    return cuts


def values(aig):
    n = aig.num_cis
    vals = np.zeros((aig.num_vars, 1 << n), dtype=np.uint8)
    for i in range(n):
        vals[1 + i] = (np.arange(1 << n) >> i) & 1
    for g, (a, b) in enumerate(zip(aig.fanin0.tolist(), aig.fanin1.tolist())):
        vals[aig.first_and_var + g] = (vals[a >> 1] ^ (a & 1)) & (vals[b >> 1] ^ (b & 1))
    return vals


@settings(max_examples=40, deadline=None)
@given(aigs(max_inputs=7, max_latches=0, max_ands=50))
def test_cuts_are_complete_and_their_tables_right(aig):
    for k in (3, 4, 6):
        cs = enumerate_cuts(aig, k=k, max_cuts=64)
        ref = brute_cuts(aig, k)
        vals = values(aig)
        for v in range(aig.first_and_var, aig.num_vars):
            got = cs.cuts(v)
            want = {c for c in ref[v] if c != {v}}
            if k <= 4:   # 6-cuts can pass the 64 kept per node, and are then a subset
                assert {frozenset(l) for l, _ in got} == want
            else:
                assert {frozenset(l) for l, _ in got} <= want
            for leaves, tt in got:
                idx = sum(vals[leaf].astype(np.uint64) << np.uint64(j)
                          for j, leaf in enumerate(leaves))
                bits = (np.uint64(tt) >> np.asarray(idx, dtype=np.uint64)) & np.uint64(1)
                assert np.array_equal(bits, vals[v]), (v, leaves)


def test_max_cuts_keeps_the_smallest():
    from edapipe.aig.io import read
    from tests.conftest import bench

    aig = read(bench("epfl", "ctrl.aig"))
    cs = enumerate_cuts(aig, k=4, max_cuts=3)
    assert cs.ncuts.max() <= 3
    sizes = cs.sizes[aig.first_and_var:]
    assert np.all(np.diff(sizes.astype(int), axis=1)[cs.ncuts[aig.first_and_var:] == 3] >= 0)
    with pytest.raises(ValueError):
        enumerate_cuts(aig, k=7)
