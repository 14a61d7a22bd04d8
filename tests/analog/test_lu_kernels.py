"""StaticLU: singletons first and last, SuperLU's pivots for the rest, our own symbolic
patterns and numba refactorisation."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.lu_kernels import StaticLU, singletons, symbolic_lu


def _csc(dense):
    n = dense.shape[0]
    indptr, indices, data = [0], [], []
    for j in range(n):
        rows = np.nonzero(dense[:, j])[0]
        indices.extend(rows.tolist())
        data.extend(dense[rows, j].tolist())
        indptr.append(len(indices))
    return (np.array(indptr, dtype=np.int32), np.array(indices, dtype=np.int32),
            np.array(data, dtype=float))


def _supply_chain(n_stages, rng):
    """A chain of stages fed by a grounded source through a supply node that touches every
    stage (MNA of an inverter chain in miniature): node k has entries to k-1 and k+1, to
    the supply node s; the source's branch row fixes s, its branch column is in s's row."""
    n = n_stages + 2
    s, br = n_stages, n_stages + 1
    a = np.zeros((n, n))
    for k in range(n_stages):
        a[k, k] = 1e-6 + rng.random() * 1e-3
        if k > 0:
            a[k, k - 1] = rng.random() * 1e-2      # the gate of the next stage
        if k + 1 < n_stages:
            a[k, k + 1] = rng.random() * 1e-6
        a[k, s] = -rng.random() * 1e-3
        a[s, k] = -rng.random() * 1e-3
    a[s, s] = 1e-3
    a[s, br] = 1.0
    a[br, s] = 1.0
    return a


def test_grounded_source_rows_and_columns_are_singletons():
    a = _supply_chain(40, np.random.default_rng(1))
    indptr, indices, data = _csc(a)
    n = a.shape[0]
    row_of = np.empty(n, np.int64)
    col_of = np.empty(n, np.int64)
    nf, nt = singletons(n, indptr.astype(np.int64), indices.astype(np.int64), data, row_of,
                        col_of)
    # front: the branch row pivots the supply node's column; tail: the supply row pivots
    # the branch column
    assert (nf, nt) == (1, 1)
    assert (row_of[0], col_of[0]) == (41, 40)
    assert (row_of[-1], col_of[-1]) == (40, 41)
    assert sorted(row_of.tolist()) == list(range(n))
    assert sorted(col_of.tolist()) == list(range(n))


def test_zero_valued_singleton_is_not_a_pivot():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    indptr, indices, data = _csc(a)
    data[1] = 0.0      # (1, 0): row 1 and column 0 still have entries, but zero ones
    row_of = np.empty(2, np.int64)
    col_of = np.empty(2, np.int64)
    dense = np.array([[2.0, 0.0], [0.0, 0.0]])
    ip, ix, dx = _csc(dense)
    dx[:] = 0.0     # an all-zero matrix: nothing qualifies
    nf, nt = singletons(2, ip.astype(np.int64), ix.astype(np.int64), dx, row_of, col_of)
    assert (nf, nt) == (0, 0)


_CHAIN = """chain
VDD vdd 0 DC 3.3
VIN n0 0 DC 0
{stages}
.model nch NMOS(LEVEL=1 VTO=0.7 KP=110u GAMMA=0.4 PHI=0.7 LAMBDA=0.04 CJ=0.2m PB=0.8)
.model pch PMOS(LEVEL=1 VTO=-0.7 KP=50u GAMMA=0.5 PHI=0.7 LAMBDA=0.05 CJ=0.3m PB=0.8)
.op
.end
"""


def test_pivoting_never_picks_the_supply_row(monkeypatch):
    """The operating point of a 500-stage inverter chain needs gmin stepping, and Newton's
    diverging iterations need new pivots. SuperLU used to take the supply row (an entry
    in every stage's column) as a pivot and fill U up to a dense triangle (124k entries,
    13 re-pivots, 0.1 s); with the singletons set apart the factors stay linear in size."""
    from edapipe.analog import lu_kernels
    from edapipe.analog.analyses import Simulator
    from edapipe.analog.spice import load_circuit

    stages = "\n".join(f"MP{i} n{i} n{i - 1} vdd vdd pch W=4u L=1u\n"
                       f"MN{i} n{i} n{i - 1} 0 0 nch W=2u L=1u" for i in range(1, 501))
    circ = load_circuit("chain.cir", _CHAIN.format(stages=stages))
    sizes = []
    setup = lu_kernels.StaticLU._setup

    def recording(self, data):
        setup(self, data)
        sizes.append(len(self.li) + len(self.ui))

    monkeypatch.setattr(lu_kernels.StaticLU, "_setup", recording)
    sim = Simulator(circ)
    x = sim.operating_point()
    assert sizes and max(sizes) < 10 * sim.sys.size
    # the chain alternates between the rails
    names = sim.sys.unknowns
    assert abs(x[names.index("v(n1)")] - 3.3) < 1e-3 and abs(x[names.index("v(n2)")]) < 1e-3


def test_symbolic_patterns_hold_the_factors():
    """symbolic_lu's patterns of L and U, filled by a dense LU without pivoting, give back B
    exactly, and no entry of the dense factors falls outside them."""
    rng = np.random.default_rng(5)
    n = 40
    b = (rng.random((n, n)) < 0.08) * rng.random((n, n)) + np.eye(n) * 5.0
    bp, bi, _ = _csc(b)
    lp, li, up, ui = symbolic_lu(n, bp.astype(np.int64), bi.astype(np.int64))
    lmask = np.zeros((n, n), bool)
    umask = np.zeros((n, n), bool)
    for j in range(n):
        rows_l = li[lp[j]:lp[j + 1]]
        rows_u = ui[up[j]:up[j + 1]]
        assert rows_l[0] == j and rows_u[-1] == j
        assert np.all(np.diff(rows_l) > 0) and np.all(np.diff(rows_u) > 0)
        lmask[rows_l, j] = True
        umask[rows_u, j] = True
    # dense Doolittle without pivoting
    lo = np.eye(n)
    u = b.copy()
    for k in range(n):
        lo[k + 1:, k] = u[k + 1:, k] / u[k, k]
        u[k + 1:, :] -= np.outer(lo[k + 1:, k], u[k, :])
        u[k + 1:, k] = 0.0
    assert not np.any((np.abs(lo) > 1e-14) & ~lmask)
    assert not np.any((np.abs(u) > 1e-14) & ~umask)


@pytest.mark.parametrize("seed", range(12))
def test_static_lu_solves_random_mna_like_matrices(seed):
    """Random matrices with grounded sources (row and column singletons, chains of them),
    dense rows and zero diagonals: StaticLU solves as a dense solver does, before and after
    a refactor with new values."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    a = (rng.random((n, n)) < 0.1) * rng.standard_normal((n, n))
    a += np.diag(rng.random(n) + 0.5)
    k = int(rng.integers(0, n // 3 + 1))
    for node in rng.choice(n, size=k, replace=False):   # grounded sources: extend the matrix
        m = a.shape[0]
        a2 = np.zeros((m + 1, m + 1))
        a2[:m, :m] = a
        a2[node, m] = 1.0
        a2[m, node] = 1.0
        a = a2
    if rng.random() < 0.5:    # a dense row
        r = int(rng.integers(0, a.shape[0]))
        a[r, :] += (rng.random(a.shape[0]) < 0.8) * rng.random(a.shape[0])
    if np.linalg.cond(a) > 1e10:
        pytest.skip("singular draw")
    indptr, indices, data = _csc(a)
    m = a.shape[0]
    lu = StaticLU(indptr, indices, data.copy(), m)
    b = rng.standard_normal(m)
    assert np.allclose(lu.solve(b), np.linalg.solve(a, b), rtol=1e-7, atol=1e-9)
    data2 = data * (1.0 + 0.3 * rng.standard_normal(len(data)))
    a_new = np.zeros_like(a)
    for j in range(m):
        a_new[indices[indptr[j]:indptr[j + 1]], j] = data2[indptr[j]:indptr[j + 1]]
    if np.linalg.cond(a_new) > 1e10:
        return
    lu.factor(data2.copy())
    assert np.allclose(lu.solve(b), np.linalg.solve(a_new, b), rtol=1e-6, atol=1e-8)
