"""Incremental bounded model checking: one solver, the design unrolled frame by frame.

Frame t's latches are the next-state literals of frame t-1 (no extra variables); the
constraints are unit clauses in every frame. Depth k asks for bad in frame k under an
assumption; when that is UNSAT, `not bad_k` becomes a unit clause (it holds on every path of
length k, and it prunes the deeper searches).
"""

from __future__ import annotations

import time

import numpy as np

from edapipe.verify.seq.model import Encoder, Problem, model_bits
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Result, full_trace


class Unroller:
    """The frames of one problem in one solver, from the initial states (or free ones)."""

    def __init__(self, prob: Problem, solver_name: str = "cd195", initialized: bool = True):
        from pysat.solvers import Solver

        self.p = prob
        self.enc = Encoder(prob)
        self.solver = Solver(name=solver_name)
        self.frames: list[np.ndarray] = []
        self.initialized = initialized

    def add_frame(self) -> np.ndarray:
        enc = self.enc
        if self.frames:
            latches = enc.next_lits(self.frames[-1])
            m = enc.frame(latches)
        else:
            m = enc.frame()
            if self.initialized:
                enc.clauses.extend(enc.init_units(enc.latch_lits(m)))
        enc.clauses.extend([c] for c in enc.constraint_lits(m))
        self.frames.append(m)
        enc.flush(self.solver)
        return m

    def bad(self, t: int) -> int:
        return self.enc.lit(self.frames[t], self.p.bad)

    def trace(self, depth: int):
        model = self.solver.get_model()
        enc = self.enc
        init = model_bits(model, enc.latch_lits(self.frames[0]))
        frames = [model_bits(model, enc.input_lits(self.frames[t])) for t in range(depth + 1)]
        return full_trace(self.p, init, frames)

    def delete(self) -> None:
        self.solver.delete()


def bmc(prob: Problem, max_frames: int = 0, deadline: float = 0.0,
        solver_name: str = "cd195") -> Result:
    """Look for a trace to the bad state of length 1..max_frames (0: no bound).

    Holds only when the property cannot depend on the state (empty latch cone): then
    frame 0 alone decides it for every depth.
    """
    start = time.process_time()
    u = Unroller(prob, solver_name)
    try:
        k = 0
        while not max_frames or k < max_frames:
            if deadline and time.monotonic() > deadline:
                break
            u.add_frame()
            bad = u.bad(k)
            if u.solver.solve(assumptions=[bad]):
                return Result(FAILS, "bmc", k, trace=u.trace(k),
                              seconds=time.process_time() - start)
            if prob.latches.size == 0:
                return Result(HOLDS, "bmc", k, invariant=[],
                              seconds=time.process_time() - start)
            u.solver.add_clause([-bad])
            k += 1
        return Result(UNDECIDED, "bmc", k, seconds=time.process_time() - start)
    finally:
        u.delete()
