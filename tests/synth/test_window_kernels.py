"""The work graph (synth/window_kernels.py) driven through its API from Python.

The circuit: inputs x, y, z (variables 1..3, literals 2, 4, 6); v4 = x & y, v5 = v4 & z (the
output), v6 = x & z (unreachable, so dead from the start).
"""

import numpy as np

from edapipe.aig import strash_kernels
from edapipe.synth import fanout_kernels, rewrite_kernels
from edapipe.synth import window_kernels as W

X, Y, Z = 2, 4, 6


def _graph(required=True, extra=8):
    f0 = np.array([Y, 8, Z], dtype=np.int32)    # larger literal first, as strash keeps them
    f1 = np.array([X, Z, X], dtype=np.int32)
    cos = np.array([10], dtype=np.int32)
    return W.init_graph(3, f0, f1, cos, extra, required), cos


def _evaluate(nf0, nf1, n, out, num_ci=3):
    """Truth tables (8 patterns over x, y, z) of the compacted AIG's outputs."""
    val = [0, 0b10101010, 0b11001100, 0b11110000]
    for k in range(n):
        a, b = int(nf0[k]), int(nf1[k])
        va = val[a >> 1] ^ (0xFF if a & 1 else 0)
        vb = val[b >> 1] ^ (0xFF if b & 1 else 0)
        val.append(va & vb)
    assert len(val) == num_ci + 1 + n
    return [val[lit >> 1] ^ (0xFF if lit & 1 else 0) for lit in out]


def test_init_counts_references_levels_and_required_levels():
    g, _ = _graph()
    assert isinstance(g, W.WorkGraph)
    assert g.num_ci == 3 and g.n_orig == 7 and g.count[0] == 7
    assert list(g.refs[4:7]) == [1, 1, 0] and list(g.dead[4:7]) == [0, 0, 1]
    assert list(g.lev[4:7]) == [1, 2, 1]
    assert list(g.req[4:6]) == [1, 2]
    unbounded, _ = _graph(required=False)
    assert (unbounded.req == W.UNBOUNDED).all()


def test_new_and_folds_finds_and_makes():
    g, _ = _graph()
    assert W.new_and(g, Z, Z ^ 1) == 0
    assert W.new_and(g, X, 1) == X
    assert W.new_and(g, X, Y) == 8             # v4, whatever the order of the fanins
    assert g.count[0] == 7
    assert W.new_and(g, X, Z) == 14            # v6 is dead: a new node, not v6
    assert g.count[0] == 8 and g.lev[7] == 1 and g.refs[1] == 2 and g.refs[3] == 2
    assert W.lookup(g, Z, X) == 7


def test_frozen_nodes_are_not_matched():
    g, _ = _graph()
    g.frozen[:] = (3, 7)
    assert W.lookup(g, Y, X) == -1
    g.frozen[:] = (0, 0)
    assert W.lookup(g, Y, X) == 4


def test_replace_frees_the_mffc_and_compact_keeps_the_function():
    g, cos = _graph()
    xz = W.new_and(g, X, Z)
    xyz = W.new_and(g, xz, Y)
    start = g.count[0]
    W.new_and(g, X ^ 1, Y ^ 1)                 # made and never used
    W.drop_orphans(g, start)
    assert g.dead[start]
    W.replace(g, 5, xyz)
    assert g.repl[5] == xyz and g.dead[5] and g.dead[4]   # v4 was only v5's
    assert g.refs[xyz >> 1] == 1
    assert W.resolve(10, g.repl) == xyz
    nf0, nf1, n, out = W.compact(g, cos)
    assert n == 2
    assert _evaluate(nf0, nf1, n, out) == [0b10000000]


def test_window_of_the_output():
    g, _ = _graph()
    w = W.new_window(g, 4, 0)
    nl, no, saved = W.open_window(g, w, 5, 4, 2, 0)
    assert (nl, no, saved) == (3, 2, 2)
    assert sorted(w.leaves[:nl]) == [1, 2, 3]
    assert list(w.order[:no]) == [4, 5]
    rows = w.tts[:nl, 0]
    assert w.tts[nl + no - 1, 0] == rows[0] & rows[1] & rows[2]
    assert (g.refs[4:6] == [1, 1]).all()       # mffc leaves the counts as they were
    nl, _, _ = W.open_window(g, w, 5, 4, 2, 4)
    assert nl == 3 and w.trav[0] == 2          # too few leaves: stops after the cut


def test_one_hash_for_every_and_table():
    # (compared as Python functions: a kernel's name is rebound to its numba dispatcher in
    # each module that calls it, util/jit.py)
    one = strash_kernels.hash_slot.py_func
    assert rewrite_kernels._slot.py_func is one
    assert W.hash_slot.py_func is one
    assert fanout_kernels.hash_slot.py_func is one
    assert not hasattr(W, "_bucket")
