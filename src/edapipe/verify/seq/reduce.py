"""A machine reduced by proven signal equivalences (the AIG that ABC's `scorr` writes).

Every member of a proven class is replaced by its representative (the class's lowest
variable, complemented when the phases differ), the logic is hashed again, and latches that
became copies of another signal disappear. The equalities hold in every reachable state,
so from the initial states the reduced machine steps through the projections of the
original's states: a bad state is reachable in one exactly when it is in the other, and a
trace of the reduced machine is one of the original once the dropped latches get their
reset values back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.verify.seq.result import Trace


@dataclass
class Reduced:
    aig: Aig                # bad[0]: the original's bad[0]; no outputs
    kept: np.ndarray        # index in the original of each latch of `aig`
    original: Aig

    def lift(self, trace: Trace) -> Trace:
        """The reduced machine's trace as one of the original (same inputs)."""
        init = np.where(self.original.latch_init == 1, 1, 0).astype(np.uint8)
        init[self.kept] = trace.init
        return Trace(init, trace.inputs.copy())


def merge(aig: Aig, pairs, phase: np.ndarray) -> Reduced:
    """`aig` with each (representative, member) pair merged. X-initialized latches stay
    (an equality cannot bind a latch the reset leaves free, but nothing is assumed)."""
    from edapipe.aig.builder import AigBuilder

    sub = {v: 2 * r ^ int(phase[r] != phase[v]) for r, v in pairs}
    n_in, first = aig.num_inputs, aig.first_and_var
    init = aig.latch_init.tolist()
    kept = [k for k in range(aig.num_latches)
            if (1 + n_in + k) not in sub or init[k] == LATCH_INIT_X]
    bld = AigBuilder(name=aig.name)
    lit = [0] * aig.num_vars
    for k in range(n_in):
        lit[1 + k] = bld.add_input(aig.input_name(k))
    for j, k in enumerate(kept):
        lit[1 + n_in + k] = bld.latch_lit(bld.add_latch(aig.latch_name(k), init[k]))
    for k in range(aig.num_latches):
        v = 1 + n_in + k
        if v in sub and init[k] != LATCH_INIT_X:
            lit[v] = lit[sub[v] >> 1] ^ (sub[v] & 1)
    f0, f1 = aig.fanin0.tolist(), aig.fanin1.tolist()
    for k in range(aig.num_ands):
        v = first + k
        s = sub.get(v)
        if s is not None:
            lit[v] = lit[s >> 1] ^ (s & 1)
        else:
            lit[v] = bld.and_(lit[f0[k] >> 1] ^ (f0[k] & 1), lit[f1[k] >> 1] ^ (f1[k] & 1))
    at = lambda x: lit[x >> 1] ^ (x & 1)
    nxt = aig.latch_next.tolist()
    for j, k in enumerate(kept):
        bld.set_latch_next(j, at(nxt[k]))
    for b in aig.bad.tolist():
        bld.add_bad(at(b))
    for c in aig.constraints.tolist():
        bld.add_constraint(at(c))
    return Reduced(bld.build(), np.asarray(kept, dtype=np.int64), aig)
