"""Numba kernels for the per-step vector work of the transient loop (charges, truncation
error), so a time step costs one sparse solve plus a few microseconds."""

from __future__ import annotations

import math

import numpy as np
from edapipe.util.jit import njit


@njit(cache=True)
def csc_matvec(indptr, indices, data, x, out):
    """out = A @ x for a square CSC matrix."""
    out[:] = 0.0
    n = indptr.shape[0] - 1
    for j in range(n):
        xj = x[j]
        if xj != 0.0:
            for p in range(indptr[j], indptr[j + 1]):
                out[indices[p]] += data[p] * xj


@njit(cache=True)
def element_charges(x, qlin, cap_a, cap_b, cap_c, ind_rows, out):
    """Charges of the linear capacitors and fluxes of the inductors into out[:ncap+nind]."""
    nc = cap_a.shape[0]
    for k in range(nc):
        va = x[cap_a[k]] if cap_a[k] >= 0 else 0.0
        vb = x[cap_b[k]] if cap_b[k] >= 0 else 0.0
        out[k] = cap_c[k] * (va - vb)
    for k in range(ind_rows.shape[0]):
        out[nc + k] = -qlin[ind_rows[k]]


def lte_tolerances(reltol, abstol, chgtol, trtol):
    """The options that bound the truncation error, as the one array lte_step reads
    (numba calls a kernel with an array in 0.6 us, with a NamedTuple in 2.5 us: measured,
    and lte_step runs once or twice a time step)."""
    return np.array([reltol, abstol, chgtol, trtol], dtype=np.float64)


@njit(cache=True)
def lte_step(s0, s1, s2, s3, sdot, sdot_prev, d0, d1, d2, order, tols, factor):
    """Largest step the truncation error of every charge allows (ngspice's CKTterr):
    (order+1)-th divided difference of the charge history s0 (newest) .. s3 (derivatives
    sdot and sdot_prev at the newest two) with the step lengths d0 (newest) .. d2; tols from
    lte_tolerances. The order-2 step is the square root of the ratio; the root is
    monotonic, so it is taken once of the smallest ratio instead of per element."""
    reltol, abstol, chgtol, trtol = tols[0], tols[1], tols[2], tols[3]
    best = math.inf
    m = s0.shape[0]
    i0 = 1.0 / d0
    i1 = 1.0 / d1
    i01 = 1.0 / (d0 + d1)
    i2 = 1.0 / d2 if order != 1 else 0.0
    i12 = 1.0 / (d1 + d2) if order != 1 else 0.0
    i012 = 1.0 / (d0 + d1 + d2) if order != 1 else 0.0
    for k in range(m):
        volttol = abstol + reltol * max(abs(sdot[k]), abs(sdot_prev[k]))
        chargetol = reltol * max(max(abs(s0[k]), abs(s1[k])), chgtol) * i0
        tol = max(volttol, chargetol)
        a = (s0[k] - s1[k]) * i0
        b = (s1[k] - s2[k]) * i1
        if order == 1:
            diff = (a - b) * i01
        else:
            c = (s2[k] - s3[k]) * i2
            diff = ((a - b) * i01 - (b - c) * i12) * i012
        den = max(abstol, factor * abs(diff))
        # trtol * tol / den < best  <=>  trtol * tol < best * den (den > 0)
        if trtol * tol < best * den:
            best = trtol * tol / den
    if order == 2:
        best = math.sqrt(best)
    return best


@njit(cache=True)
def integrate(a0, a1, a2, trap, qn, q1, q2, qdot_prev, out):
    """out = d/dt q at the new point: a0*qn + a1*q1 + a2*q2 (- qdot_prev for trapezoidal)."""
    for k in range(qn.shape[0]):
        v = a0 * qn[k] + a1 * q1[k] + a2 * q2[k]
        if trap:
            v -= qdot_prev[k]
        out[k] = v


@njit(cache=True)
def history(a1, a2, trap, q1, q2, qdot_prev, out):
    """The known part of d/dt q: a1*q1 + a2*q2 (- qdot_prev for trapezoidal)."""
    for k in range(q1.shape[0]):
        v = a1 * q1[k] + a2 * q2[k]
        if trap:
            v -= qdot_prev[k]
        out[k] = v


def warm() -> None:
    x = np.ones(2)
    out = np.zeros(2)
    csc_matvec(np.array([0, 1, 2], dtype=np.int32), np.array([0, 1], dtype=np.int32),
               np.ones(2), x, out)
    element_charges(x, out, np.array([0], dtype=np.int64), np.array([-1], dtype=np.int64),
                    np.ones(1), np.zeros(0, dtype=np.int64), np.zeros(1))
    lte_step(x, x, x, x, x, x, 1.0, 1.0, 1.0, 2, lte_tolerances(1e-3, 1e-12, 1e-14, 7.0), 0.5)
    integrate(1.0, -1.0, 0.0, True, x, x, x, x, out)
    history(-1.0, 0.0, True, x, x, x, out)
