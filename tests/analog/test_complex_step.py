"""devices/complex_step_kernels.py: the complex-step companion model the BSIM3 and BSIM4
load kernels share (one evaluation per direction, the imaginary parts as a column of G and
C, the source column from the others)."""

from __future__ import annotations

import cmath

import numpy as np
from numba import njit

from edapipe.analog.devices.complex_step_kernels import (
    STEP, finish_companion, set_step, start_companion, step_work, take_column)


@njit
def _terminal(v, out):
    """Three terminals (a, b, s) controlled by (va - vs, vb - vs) = v[0], v[1]: currents
    and charges with known derivatives; s balances a and b."""
    ia = v[0] * v[1] + cmath.exp(v[0])
    ib = v[1] * v[1] * v[1]
    out[0] = ia
    out[1] = ib
    out[2] = -(ia + ib)
    qa = 2.0 * v[0] - v[1]
    qb = cmath.sin(v[1])
    out[3] = qa
    out[4] = qb
    out[5] = -(qa + qb)


@njit
def _companion(volts, moves, cols, src):
    work = step_work(3, volts.shape[0])
    for _ in range(2):           # a second device reuses the work arrays
        start_companion(work)
        for b in range(moves.shape[0]):
            set_step(work, volts, moves[b])
            _terminal(work.vc, work.buf)
            take_column(work, cols[b])
        finish_companion(work, src)
    return work


def test_columns_are_the_exact_derivatives_and_the_source_column_balances():
    va, vb = 0.3, -1.2
    work = _companion(np.array([va, vb]), np.array([1, 2]), np.array([0, 1]), 2)
    dia = [vb + np.exp(va), va]
    dib = [0.0, 3 * vb * vb]
    close = dict(rtol=1e-14, atol=0)
    np.testing.assert_allclose(work.G[0, :2], dia, **close)
    np.testing.assert_allclose(work.G[1, :2], dib, **close)
    np.testing.assert_allclose(work.G[2, :2], [-(dia[0] + dib[0]), -(dia[1] + dib[1])], **close)
    np.testing.assert_allclose(work.C[:2, :2], [[2.0, -1.0], [0.0, np.cos(vb)]], **close)
    # the source column: minus the sum of the others (currents depend on differences)
    assert np.array_equal(work.G[:, 2], -(work.G[:, 0] + work.G[:, 1]))
    assert np.array_equal(work.C[:, 2], -(work.C[:, 0] + work.C[:, 1]))
    np.testing.assert_allclose(work.I, [va * vb + np.exp(va), vb ** 3,
                                        -(va * vb + np.exp(va) + vb ** 3)], **close)
    np.testing.assert_allclose(work.Q[:2], [2 * va - vb, np.sin(vb)], **close)


def test_one_direction_can_move_several_voltages_and_unfilled_columns_stay_zero():
    # both voltages stepped together into column 0: the sum of the two derivatives; column
    # 1 is filled by no direction and must be zero, not left over from an earlier device
    va, vb = 0.7, 0.4
    work = _companion(np.array([va, vb]), np.array([3]), np.array([0]), 2)
    assert abs(work.G[0, 0] - (vb + np.exp(va) + va)) <= 1e-14 * abs(work.G[0, 0])
    assert np.all(work.G[:, 1] == 0.0) and np.all(work.C[:, 1] == 0.0)
    assert np.array_equal(work.G[:, 2], -work.G[:, 0])


def test_the_step_is_an_imaginary_perturbation_of_the_real_voltages():
    work = step_work(2, 3)
    volts = np.array([1.0, -2.0, 0.5])
    set_step(work, volts, 0b101)
    assert np.array_equal(work.vc, volts + 1j * STEP * np.array([1, 0, 1]))
