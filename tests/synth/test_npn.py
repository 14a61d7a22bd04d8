"""The NPN library of 4-input functions: every class, transform and structure, by simulation."""

import numpy as np
import pytest

from edapipe.synth.npn import generate, library

FULL = 0xFFFF


def proj(i: int) -> int:
    return sum(1 << m for m in range(16) if (m >> i) & 1)


X0, X1, X2, X3 = (proj(i) for i in range(4))


def test_there_are_222_classes_with_canonical_representatives():
    lib = library()
    assert lib.num_classes == 222
    assert len(set(lib.class_tt.tolist())) == 222
    # each representative is the smallest truth table of its class
    assert all(int(lib.class_tt[lib.class_of[tt]]) == tt for tt in lib.class_tt.tolist())
    assert np.all(lib.class_tt[lib.class_of] <= np.arange(1 << 16))


def test_every_function_is_its_class_under_its_transform():
    lib = library()
    funcs = np.arange(1 << 16, dtype=np.int64)
    rep_bits = (lib.class_tt[lib.class_of].astype(np.int64)[:, None] >> np.arange(16)) & 1
    weights = 1 << np.arange(16, dtype=np.int64)
    for t, row in enumerate(lib.transforms.astype(np.int64)):
        idx = np.flatnonzero(lib.transform_of == t)
        if idx.size == 0:
            continue
        ymap = generate.minterm_map(row[:4], int(row[4]))
        got = (rep_bits[idx][:, ymap] ^ int(row[5])) @ weights
        assert np.array_equal(got, funcs[idx]), t


def test_every_structure_computes_its_class():
    lib = library()
    for cls in range(lib.num_classes):
        rep = int(lib.class_tt[cls])
        structures = lib.structures(cls)
        assert structures, cls
        sizes = {len(nodes) for nodes, _ in structures}
        assert len(sizes) == 1, (cls, sizes)           # all of the class's minimum size
        support = set(generate.support(rep))
        for nodes, out in structures:
            assert generate.simulate(nodes, out) == rep, (cls, nodes, out)
            for k, (a, b) in enumerate(nodes):
                assert a >= b and (a >> 1) < 5 + k    # fanins come first
                for lit in (a, b):
                    v = lit >> 1
                    assert v == 0 or v > 4 or (v - 1) in support


@pytest.mark.parametrize("tt,ands", [
    (X0 & X1, 1), (X0 ^ X1, 3), ((X0 & X1) | (~X0 & X2) & FULL, 3),
    ((X0 & X1) | (X0 & X2) | (X1 & X2), 4), (X0 & X1 & X2 & X3, 3), (X0 ^ X1 ^ X2, 6),
    (X0 & (X1 | X2), 2)])
def test_known_minimum_sizes(tt, ands):
    lib = library()
    cls = lib.class_of[tt & FULL]
    assert len(lib.structures(cls)[0][0]) == ands


def test_proven_classes_are_reproduced_by_the_generator():
    lib = library()
    for tt in (X0 & X1, X0 ^ X1, (X0 & X1) | (X0 & X2) | (X1 & X2)):
        cls = int(lib.class_of[tt])
        sols, proven = generate.exact(int(lib.class_tt[cls]), budget=2000)
        assert proven and len(sols[0][0]) == len(lib.structures(cls)[0][0])
