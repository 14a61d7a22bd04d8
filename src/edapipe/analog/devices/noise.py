"""What the device families' noise entries share: the noise generator record, the device's
own terminal currents and conductances at the operating point, and ngspice's densities.

A generator is a current source between two unknowns whose power density is
`white + flicker / f` (A^2/Hz), as ngspice's NevalSrc THERMNOISE (4kT g), SHOTNOISE
(2q|I|) and the families' 1/f terms; smallsignal.run_noise carries each to the output
through the adjoint solve.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from edapipe.analog.devices.common_kernels import Group, Stamps
from edapipe.analog.devices.physics import BOLTZ, CHARGE

N_MINLOG = 1e-38                # ngspice's noisedef.h


class NoiseSource(NamedTuple):
    name: str            # ngspice's generator name, e.g. "q1_ic" (for summaries)
    a: int               # unknown indices, -1 ground
    b: int
    white: float         # A^2/Hz
    flicker: float = 0.0  # A^2 (the density is flicker / f^fexp)
    fexp: float = 1.0     # the frequency exponent (a resistor's EF; 1 for every other)


def thermal(name: str, a: int, b: int, g: float, temp_k: float) -> NoiseSource:
    return NoiseSource(name, a, b, 4.0 * BOLTZ * temp_k * g)


def shot(name: str, a: int, b: int, current: float) -> NoiseSource:
    return NoiseSource(name, a, b, 2.0 * CHARGE * abs(current))


def flicker(name: str, a: int, b: int, kf: float, af: float, current: float,
            scale: float = 1.0) -> NoiseSource:
    """KF |I|^AF / f (times `scale`), ngspice's form with its floor on |I|."""
    return NoiseSource(name, a, b, 0.0, scale * kf * max(abs(current), N_MINLOG) ** af)


def terminal_currents(grp, d: int, x: np.ndarray, gmin: float):
    """Device row d of a nonlinear group evaluated exactly at x (the kernel's mode 2, on a
    copy of its state): its terminal currents I[k] (into the device) and their Jacobian
    G[k, k]. The row is renumbered onto private unknowns 0..k-1, so that a grounded
    terminal or two terminals on one node still get their own current."""
    k = grp.nodes.shape[1]
    term = grp.nodes[d]
    v = np.array([x[n] if n >= 0 else 0.0 for n in term])
    local = Group(np.arange(k, dtype=np.int64)[None, :],
                  np.arange(k * k, dtype=np.int64)[None, :],
                  grp.par[d:d + 1].copy(), grp.state[d:d + 1].copy(),
                  np.zeros((1, grp.qdev.shape[1])))
    out = Stamps(np.zeros(k * k), np.zeros(k * k), np.zeros(k), np.zeros(k), np.zeros(k))
    grp.kernel(v, local, 2, gmin, out)
    g = out.data.reshape(k, k)
    return out.ieq + g @ v, g
