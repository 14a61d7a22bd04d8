"""Incremental bounded model checking: one solver, the design unrolled frame by frame.

`bmc` unrolls from the initial states into one hashed AIG (verify.seq.unroll), encoding only
the cones it asks about. Depth k asks for bad in frame k under an assumption; when that is
UNSAT, `not bad_k` becomes a unit clause (it holds on every path of length k, and it prunes
the deeper searches). The constraints are unit clauses in every frame.

`Unroller` encodes every frame in full from a free state, frame t's latches being the
next-state literals of frame t-1 (no extra variables): k-induction's step needs each
frame's latch literals, which hashing would merge.
"""

from __future__ import annotations

import time

import numpy as np

from edapipe.verify.seq.model import Encoder, Problem
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Result
from edapipe.verify.seq.unroll import HashedUnroller


class Unroller:
    """The frames of one problem in one solver from a free state, each encoded in full
    (k-induction's step: its distinct-state constraints need every frame's latches)."""

    def __init__(self, prob: Problem, solver_name: str = "cd195"):
        from pysat.solvers import Solver

        self.p = prob
        self.enc = Encoder(prob)
        self.solver = Solver(name=solver_name)
        self.frames: list[np.ndarray] = []

    def add_frame(self) -> np.ndarray:
        enc = self.enc
        m = enc.frame(enc.next_lits(self.frames[-1])) if self.frames else enc.frame()
        enc.clauses.extend([c] for c in enc.constraint_lits(m))
        self.frames.append(m)
        enc.flush(self.solver)
        return m

    def bad(self, t: int) -> int:
        return self.enc.lit(self.frames[t], self.p.bad)

    def delete(self) -> None:
        self.solver.delete()


def bmc(prob: Problem, max_frames: int = 0, deadline: float = 0.0,
        solver_name: str = "cd195", progress=None) -> Result:
    """Look for a trace to the bad state of length 1..max_frames (0: no bound).

    Holds only when the property cannot depend on the state (empty latch cone): then
    frame 0 alone decides it for every depth. `progress(k)` is told each time frames
    0..k-1 are known safe (a process stopped inside a SAT call cannot say it after).
    """
    start = time.process_time()
    u = HashedUnroller(prob, solver_name)
    try:
        k = 0
        while not max_frames or k < max_frames:
            if deadline and time.monotonic() > deadline:
                break
            u.add_frame()
            if u.bad_reachable():
                return Result(FAILS, "bmc", k, trace=u.trace(k),
                              seconds=time.process_time() - start)
            if prob.latches.size == 0:
                return Result(HOLDS, "bmc", k, invariant=[],
                              seconds=time.process_time() - start)
            k += 1
            if progress is not None:
                progress(k)
            if u.dead:
                break       # no trace reaches this frame: nothing deeper to find
        return Result(UNDECIDED, "bmc", k, seconds=time.process_time() - start)
    finally:
        u.delete()
