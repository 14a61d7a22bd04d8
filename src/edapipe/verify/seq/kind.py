"""k-induction with simple-path constraints (Sheeran, Singh, Stalmarck 2000).

Base: no trace of length <= k reaches bad (incremental BMC). Step: every path of k+1 distinct
states with the constraints held and the property held in its first k states also holds in
the last one. The step solver has no initial states; the pairwise "distinct states"
constraints are added lazily, only for two frames that a step model shows equal (the usual
refinement: most k need few of the k^2/2 pairs).

A k-induction proof is not a 1-inductive invariant, so this engine returns no certificate:
`prove --certificate` asks PDR for one (see docs/verification.md).
"""

from __future__ import annotations

import time

import numpy as np

from edapipe.verify.seq.bmc import Unroller
from edapipe.verify.seq.model import Problem, model_bits
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Result
from edapipe.verify.seq.unroll import HashedUnroller


def kind(prob: Problem, max_frames: int = 0, deadline: float = 0.0,
         solver_name: str = "cd195") -> Result:
    start = time.process_time()
    base = HashedUnroller(prob, solver_name)
    step = Unroller(prob, solver_name)
    try:
        k = 0
        while not max_frames or k < max_frames:
            if deadline and time.monotonic() > deadline:
                break
            base.add_frame()
            if base.bad_reachable():
                return Result(FAILS, "kind", k, trace=base.trace(k),
                              seconds=time.process_time() - start)
            step.add_frame()
            if _step_holds(step, k, deadline):
                return Result(HOLDS, "kind", k, seconds=time.process_time() - start,
                              stats={"k": k})
            step.solver.add_clause([-step.bad(k)])
            k += 1
        return Result(UNDECIDED, "kind", k, seconds=time.process_time() - start)
    finally:
        base.delete()
        step.delete()


def _step_holds(step: Unroller, k: int, deadline: float) -> bool:
    """Is bad in frame k impossible after k good, pairwise distinct states?"""
    enc, solver = step.enc, step.solver
    bad = step.bad(k)
    while solver.solve(assumptions=[bad]):
        if deadline and time.monotonic() > deadline:
            return False
        model = solver.get_model()
        states = np.stack([model_bits(model, enc.latch_lits(m)) for m in step.frames])
        pair = _equal_pair(states)
        if pair is None:
            return False
        a, b = (enc.latch_lits(step.frames[t]) for t in pair)
        diff = enc.new_vars(a.size)
        clauses = [diff.tolist()]
        for d, x, y in zip(diff.tolist(), a.tolist(), b.tolist()):
            clauses += [[-d, x, y], [-d, -x, -y]]
        solver.append_formula(clauses)
    return True


def _equal_pair(states: np.ndarray) -> tuple[int, int] | None:
    """Two frames with the same state, the latest such pair, or None."""
    seen: dict[bytes, int] = {}
    for t in range(states.shape[0]):
        key = states[t].tobytes()
        if key in seen:
            return seen[key], t
        seen[key] = t
    return None
