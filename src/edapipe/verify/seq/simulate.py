"""Levelized numpy simulation of an AIG over 64-bit pattern words, frame by frame.

The sequential engines replay every trace they report and `sec` simulates random traces;
both would otherwise pull in numba (0.6 s of import) for a few thousand gate evaluations.
ANDs of one level are evaluated with one vectorized numpy step, so a frame costs one numpy
operation per level, not one Python step per gate.
"""

from __future__ import annotations

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig

ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


class RandomWords:
    """Random 64-bit pattern words: SplitMix64 in numpy. Importing numpy.random costs a
    short `sec` run about a tenth of its CPU time; simulation patterns need no more than
    a well-mixed 64-bit hash of a counter. The seed is mixed too, so the streams of
    nearby seeds start far apart."""

    GAMMA = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, seed: int):
        self._next = self._mix(np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]

    @staticmethod
    def _mix(z: np.ndarray) -> np.ndarray:
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    def words(self, rows: int, cols: int) -> np.ndarray:
        n = rows * cols
        z = self._next + np.arange(1, n + 1, dtype=np.uint64) * self.GAMMA
        if n:
            self._next = z[-1]
        return self._mix(z).reshape(rows, cols)


class Simulator:
    def __init__(self, aig: Aig):
        self.aig = aig
        n_and, first = aig.num_ands, aig.first_and_var
        f0 = aig.fanin0.astype(np.int64)
        f1 = aig.fanin1.astype(np.int64)
        level = np.zeros(aig.num_vars, dtype=np.int64)
        lv = level.tolist()
        f0l, f1l = (f0 >> 1).tolist(), (f1 >> 1).tolist()
        for k in range(n_and):
            a, b = lv[f0l[k]], lv[f1l[k]]
            lv[first + k] = (a if a > b else b) + 1
        level = np.asarray(lv, dtype=np.int64)[first:]
        order = np.argsort(level, kind="stable")
        bounds = np.searchsorted(level[order], np.arange(1, int(level.max(initial=0)) + 2))
        # per level: outputs, fanin variables and complement masks (a broadcast XOR with
        # a mask column is twice as fast as XOR-assigning through a boolean index)
        mask = lambda lits: np.where(lits & 1, ONES, np.uint64(0))[:, None]
        self._groups = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            k = order[lo:hi]
            self._groups.append((first + k, f0[k] >> 1, mask(f0[k]), f1[k] >> 1, mask(f1[k])))

    def values(self, inputs: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Values of every variable [num_vars, W] from inputs[I, W] and state[L, W] words."""
        aig = self.aig
        w = inputs.shape[1] if inputs.ndim == 2 else state.shape[1]
        val = np.zeros((aig.num_vars, w), dtype=np.uint64)
        val[1:1 + aig.num_inputs] = inputs
        val[1 + aig.num_inputs:aig.first_and_var] = state
        for out, a, ma, b, mb in self._groups:
            x = val[a]
            x ^= ma
            y = val[b]
            y ^= mb
            x &= y
            val[out] = x
        return val

    @staticmethod
    def lits(val: np.ndarray, lits) -> np.ndarray:
        lits = np.asarray(lits, dtype=np.int64)
        out = val[lits >> 1]
        out ^= (-(lits & 1)).astype(np.uint64)[:, None]      # all ones where complemented
        return out


def initial_state(aig: Aig) -> np.ndarray:
    """0/1 latch values: the reset values (X: 0), in a new array."""
    return np.where(aig.latch_init == LATCH_INIT_X, 0, aig.latch_init).astype(np.uint8)


def replay(aig: Aig, bad_lit: int, init: np.ndarray, inputs: np.ndarray) -> tuple[bool, str]:
    """Does the trace reach the bad state at its last frame, with every constraint held?

    init: 0/1 per latch (must agree with the 0/1 reset values); inputs[T, num_inputs].
    Returns (ok, reason when not ok).
    """
    init = np.asarray(init, dtype=np.uint8)
    fixed = aig.latch_init != LATCH_INIT_X
    if init.size != aig.num_latches:
        return False, f"initial state has {init.size} values for {aig.num_latches} latches"
    if np.any(init[fixed] != aig.latch_init[fixed]):
        return False, "initial state differs from the reset values"
    sim = Simulator(aig)
    state = init.astype(np.uint64).reshape(-1, 1)
    inputs = np.asarray(inputs, dtype=np.uint8)
    if inputs.shape[0] == 0:
        return False, "the trace has no frames"
    for t in range(inputs.shape[0]):
        val = sim.values(inputs[t].astype(np.uint64).reshape(-1, 1), state)
        if aig.constraints.size and not np.all(sim.lits(val, aig.constraints)[:, 0] & 1):
            return False, f"a constraint is violated in frame {t}"
        if t == inputs.shape[0] - 1:
            if not int(sim.lits(val, [bad_lit])[0, 0]) & 1:
                return False, f"the bad state is not reached in the last frame {t}"
        state = sim.lits(val, aig.latch_next) & np.uint64(1)
    return True, ""


def run(aig: Aig, init: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """Outputs [T, num_outputs] (0/1) of a single trace from latch values `init`."""
    sim = Simulator(aig)
    state = np.asarray(init, dtype=np.uint64).reshape(-1, 1)
    inputs = np.asarray(inputs, dtype=np.uint8)
    outs = np.zeros((inputs.shape[0], aig.num_outputs), dtype=np.uint8)
    for t in range(inputs.shape[0]):
        val = sim.values(inputs[t].astype(np.uint64).reshape(-1, 1), state)
        outs[t] = (sim.lits(val, aig.outputs)[:, 0] & np.uint64(1)).astype(np.uint8)
        state = sim.lits(val, aig.latch_next) & np.uint64(1)
    return outs
