"""Sum-of-products covers and factored forms of truth tables (up to 16 inputs).

The Python face of sop_kernels (conventions there): `isop` computes a Minato-Morreale
irredundant cover, `factor` turns a cover into a factored form by algebraic (quick-divisor)
factoring as ABC's Kit_SopFactor does, and `factor_truth` does both for a truth table, trying
the function and its complement (ABC's Kit_TruthToGraph), as `refactor` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_VARS = 16


@dataclass(frozen=True)
class FactoredForm:
    """A factored form: node j > num_vars is AND(fanin0[j], fanin1[j]) over form literals
    (0 false, 1 true, 2*(i+1) input i, 2*j node j; odd = complemented)."""

    num_vars: int
    fanin0: np.ndarray
    fanin1: np.ndarray
    root: int

    @property
    def num_ands(self) -> int:
        return len(self.fanin0) - self.num_vars - 1

    def truth(self) -> np.ndarray:
        from edapipe.synth import sop_kernels as K

        return K.form_truth(self.num_vars, self.fanin0, self.fanin1, len(self.fanin0),
                            self.root)


def _table(tt, nvars: int) -> np.ndarray:
    from edapipe.synth import sop_kernels as K

    if not 0 <= nvars <= MAX_VARS:
        raise ValueError(f"truth tables of 0..{MAX_VARS} inputs, not {nvars}")
    arr = np.ascontiguousarray(np.atleast_1d(np.asarray(tt, dtype=np.uint64)))
    if arr.shape != (K.num_words(nvars),):
        raise ValueError(f"{nvars} inputs need {K.num_words(nvars)} words, not {arr.shape}")
    return K.replicate(arr, nvars)


def isop(tt, nvars: int, dc=None, max_cubes: int = 1 << 16) -> np.ndarray:
    """Irredundant cover (int64 cubes) with tt <= cover <= tt | dc."""
    from edapipe.synth import sop_kernels as K

    on = _table(tt, nvars)
    ondc = on if dc is None else on | _table(dc, nvars)
    cubes, ok = K.isop(on, ondc, nvars, max_cubes)
    if not ok:
        raise ValueError(f"the cover has more than {max_cubes} cubes")
    return cubes


def cover_truth(cubes, nvars: int) -> np.ndarray:
    """Truth table (replicated below 6 inputs) of a cover."""
    from edapipe.synth import sop_kernels as K

    return K.cover_truth(np.ascontiguousarray(cubes, dtype=np.int64), nvars)


def cube_text(cube: int, nvars: int) -> str:
    """A cube as ABC prints it: one character per input, '1', '0' or '-'."""
    return "".join("1" if cube >> (2 * i) & 1 else "0" if cube >> (2 * i + 1) & 1 else "-"
                   for i in range(nvars))


def factor(cubes, nvars: int) -> FactoredForm:
    """Algebraic factored form of a cover."""
    from edapipe.synth import sop_kernels as K

    cubes = np.ascontiguousarray(cubes, dtype=np.int64)
    cap = K.form_capacity(cubes, nvars)
    g0 = np.zeros(cap, dtype=np.int64)
    g1 = np.zeros(cap, dtype=np.int64)
    gn = np.array([nvars + 1], dtype=np.int64)
    root = K.factor_cover(cubes, nvars, g0, g1, gn)
    return FactoredForm(nvars, g0[:gn[0]].copy(), g1[:gn[0]].copy(), int(root))


def factor_truth(tt, nvars: int, max_cubes: int = 1 << 12) -> FactoredForm:
    """Factored form of a truth table from the smaller ISOP of it and its complement."""
    from edapipe.synth import sop_kernels as K

    on = _table(tt, nvars)
    cap = nvars + 8 + 4 * (nvars + 1) * max_cubes
    g0 = np.zeros(cap, dtype=np.int64)
    g1 = np.zeros(cap, dtype=np.int64)
    gn = np.zeros(1, dtype=np.int64)
    root = K.truth_to_form(on, nvars, max_cubes, g0, g1, gn)
    if root < 0:
        raise ValueError(f"both covers have more than {max_cubes} cubes")
    return FactoredForm(nvars, g0[:gn[0]].copy(), g1[:gn[0]].copy(), int(root))
