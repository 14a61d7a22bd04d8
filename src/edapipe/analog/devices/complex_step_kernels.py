"""Complex-step differentiation of a device's terminal currents and charges: the one
mechanism the BSIM3 and BSIM4 load kernels share.

A model without hand-written derivatives has a `terminal` function: device d's terminal
currents into buf[0:k] and charges into buf[k:2k] at complex controlling voltages (source
reference). Its load kernel evaluates it once per direction, each time with a tiny imaginary
step on the voltages that direction moves; the imaginary parts over the step are that column
of the conductance and capacitance matrices, exact to rounding (forward-mode
differentiation: no difference is taken, so there is no cancellation; branches test real
parts, so every region is differentiated as the hand-written derivatives of b3ld.c/b4ld.c
intend). Per device:

    start_companion(work)
    for b in range(moves.shape[0]):
        set_step(work, volts, moves[b])
        vth = terminal(par, d, work.vc, gmin, work.buf)
        take_column(work, cols[b])
    finish_companion(work, src)

Why the loop stays in the load kernel and `terminal` is not passed to a driver: numba 0.68
cannot keep a cache=True kernel that takes a function argument (its cache index pickles the
argument's type, a weak reference to the function, and fails once a second model compiles
it in another process).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from edapipe.util.jit import njit

STEP = 1e-30            # the complex step (voltages are O(1): the squared step vanishes)


class StepWork(NamedTuple):
    """The work arrays for k terminals and nv controlling voltages; G, C, I, Q hold the
    result (the companion model the load kernel stamps)."""
    vc: np.ndarray      # (nv,) complex: the stepped voltages
    buf: np.ndarray     # (2k,) complex: terminal currents, then charges
    G: np.ndarray       # (k, k) conductances dI[a]/dV[b]
    C: np.ndarray       # (k, k) capacitances dQ[a]/dV[b]
    I: np.ndarray       # (k,) currents
    Q: np.ndarray       # (k,) charges


@njit(cache=True)
def step_work(k, nv):
    """Work arrays for a device family with k terminals and nv controlling voltages."""
    return StepWork(np.zeros(nv, dtype=np.complex128), np.zeros(2 * k, dtype=np.complex128),
                    np.zeros((k, k)), np.zeros((k, k)), np.zeros(k), np.zeros(k))


@njit(cache=True, inline="always")
def start_companion(work):
    """Zero G and C: the columns no direction fills (a terminal no voltage controls)."""
    G, C = work.G, work.C
    for a in range(G.shape[0]):
        for c in range(G.shape[1]):
            G[a, c] = 0.0
            C[a, c] = 0.0


@njit(cache=True, inline="always")
def set_step(work, volts, mask):
    """work.vc = the real voltages, with the step on those whose bit is set in mask."""
    vc = work.vc
    for i in range(volts.shape[0]):
        h = STEP if (mask >> i) & 1 else 0.0
        vc[i] = complex(volts[i], h)


@njit(cache=True, inline="always")
def take_column(work, col):
    """Column col of G and C: the imaginary parts of the evaluation in work.buf."""
    buf, G, C = work.buf, work.G, work.C
    k = G.shape[0]
    for a in range(k):
        G[a, col] = buf[a].imag / STEP
        C[a, col] = buf[k + a].imag / STEP


@njit(cache=True, inline="always")
def finish_companion(work, src):
    """I and Q: the last evaluation's real parts (the step does not change them); the
    source column src of G and C from the others (the currents and charges depend on
    voltage differences only)."""
    buf, G, C, I, Q = work.buf, work.G, work.C, work.I, work.Q
    k = I.shape[0]
    first = 1 if src == 0 else 0
    for a in range(k):
        I[a] = buf[a].real
        Q[a] = buf[k + a].real
        g = G[a, first]
        q = C[a, first]
        for c in range(first + 1, k):
            if c != src:
                g += G[a, c]
                q += C[a, c]
        G[a, src] = -g
        C[a, src] = -q
