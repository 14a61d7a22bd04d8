"""What every device family module provides (ngspice's SPICEdev), and the group of rows
a nonlinear family hands to the Newton loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from edapipe.analog.devices.common_kernels import Group


class Family(NamedTuple):
    """One device family: the entries mna.build and the analyses call.

    setup(element, builder, ctx) -> item: reads the instance and model parameters (a
        located error when they are out of range) and numbers internal nodes; called for
        every element in netlist order, before any branch current is numbered.
    branch(element) -> bool: whether the element has a branch-current unknown.
    stamp(items, builder, system) -> group or None: the linear stamps of the family's
        elements (in netlist order) once every unknown is numbered; a nonlinear family
        returns its DeviceGroup.
    finish(pending, system, position): optional; stamps that need positions in the final
        CSC pattern (position(r, c) -> index or -1).
    load: nonlinear families: the numba kernel load(x, grp, mode, gmin, out) that
        evaluates every row and stamps it for DC and transient (common_kernels.py). AC
        takes its mode-2 linearisation (G + jwC), as ngspice's ACload stamps G and C.
    noise: nonlinear families: noise(group, x, temp, gmin) -> list of noise.NoiseSource,
        the device's noise current generators at the operating point x (ngspice's
        DEVnoise); .noise (smallsignal.py) refuses a circuit with a family that has none.
    """

    name: str
    letters: str
    setup: Callable
    branch: Callable
    stamp: Callable
    finish: Callable | None = None
    kind: str = ""            # the Devices field (newton_kernels) of a nonlinear family
    load: object = None
    terminals: int = 0
    npar: int = 0
    nstate: int = 0
    off_col: int = -1         # state column set by the OFF instance flag
    noise: Callable | None = None


@dataclass
class Context:
    """What parameter set-up reads from the circuit."""

    temp: float
    tnom: float
    reltol: float
    options: dict


@dataclass
class DeviceGroup:
    kind: str
    kernel: object
    names: list[str]
    nodes: np.ndarray      # (n, k) unknown indices, -1 = ground
    par: np.ndarray
    state: np.ndarray
    pos: np.ndarray = None  # (n, k*k) positions in the CSC data
    qdev: np.ndarray = None  # (n, k) terminal charges from the last evaluation
    items: list = None       # the set-up items (element, terminals, row, extra, external)

    def arrays(self) -> Group:
        return Group(self.nodes, self.pos, self.par, self.state, self.qdev)


# what a model's parameters can raise while its row is computed (a zero where a parameter
# divides, the logarithm of a negative saturation current, an exponent out of range)
PARAM_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


def param_error(e, exc: Exception):
    reason = str(exc)
    if isinstance(exc, ZeroDivisionError):
        reason = "a parameter that divides is zero"
    elif reason == "math domain error":
        reason = ("a parameter is out of its range (zero or negative where the model takes "
                  "a logarithm or a root)")
    elif isinstance(exc, OverflowError):
        reason = "a parameter is too large"
    return e.card.error(f"element {e.name} (model {e.model.name}): {reason}")


def no_branch(e) -> bool:
    return False


def nonlinear_group(fam: Family, items: list, bld, series: Callable) -> DeviceGroup | None:
    """The rows of a nonlinear family: `series(item, bld)` stamps each device's linear
    parts (series resistances, overlap capacitors); every pair of its terminals gets a
    matrix entry. items: (element, terminals, parameter row, extra, external nodes)."""
    if not items:
        return None
    k = fam.terminals
    for item in items:
        series(item, bld)
        term = item[1]
        for a in term:
            for b in term:
                bld.entry(a, b)
    nodes = np.array([it[1] for it in items], dtype=np.int64)
    par = np.array([it[2] for it in items])
    state = np.zeros((len(items), fam.nstate))
    for i, it in enumerate(items):
        if it[0].params.get("off"):
            state[i, fam.off_col] = 1.0
    return DeviceGroup(fam.kind, fam.load, [it[0].name for it in items], nodes, par, state,
                       qdev=np.zeros((len(items), k)), items=items)
