"""The frames of a problem from its initial states as one hashed AIG, encoded on demand.

What ABC's `bmc3` does and the plain per-frame encoding (model.Encoder) does not:
- the reset values are constants, so the first frames fold: on prime-factorization-92091747551042
  the bad output is constant false in frames 0-5 and nothing is encoded there;
- structural hashing across frames: logic that two frames compute alike is one node;
- the solver sees only the cones of the bad literal and the constraints asked so far, not
  every frame in full;
- the CNF is by 4-leaf cuts (cutcnf.py): about half the variables and 60% of the clauses
  of one variable and three clauses per AND.
Each frame's inputs (and the X-initialized latches of frame 0) are fresh free nodes; frame
t+1's latches are the literals of frame t's next-state functions.

The unrolled graph is an AigBuilder (plain Python lists and a dict), no numba: loading
three small kernels from numba's cache costs a child process about 0.5 s, more than the
whole check of most small problems, and the loop here costs about 1 us per AND and frame,
which the solver's time dwarfs.
"""

from __future__ import annotations

import numpy as np

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X
from edapipe.verify.seq.cutcnf import cut, cut_clauses
from edapipe.verify.seq.model import Problem
from edapipe.verify.seq.result import Trace, full_trace


class HashedUnroller:
    """One solver over the hashed frames of `prob` from its initial states.

    The unrolled AIG is an AigBuilder (`g`: it folds and hashes as it goes); its inputs
    are the frames' inputs and the X-initialized latches. `satvar[v]` is the solver
    variable of its variable v, 0 until a cone that needs it is encoded.
    """

    def __init__(self, prob: Problem, solver_name: str = "cd195"):
        from pysat.solvers import Solver

        self.p = prob
        aig = prob.aig
        k = prob.ands - aig.first_and_var
        self._ands = list(zip(prob.ands.tolist(), aig.fanin0[k].tolist(),
                              aig.fanin1[k].tolist()))
        self._inputs = (1 + prob.inputs).tolist()
        self._latches = (1 + aig.num_inputs + prob.latches).tolist()
        self._next = aig.latch_next[prob.latches].tolist()
        self._constraints = prob.constraints.tolist()
        self.lit = [0] * aig.num_vars          # AIG var -> unrolled literal, this frame
        self.g = AigBuilder()
        self.satvar: list[int] = []
        self.refs: list[int] = []              # per unrolled variable: ANDs reading it
        self.top = 0
        self.solver = Solver(name=solver_name)
        self.init_lits: list[int] = []         # frame 0's latches
        self.input_lits: list[list[int]] = []  # per frame
        self.bad_lits: list[int] = []
        self.next_lits: list[int] = []
        self.dead = False   # a constraint is constant false: no trace reaches this frame

    def add_frame(self) -> None:
        lit = self.lit
        if self.bad_lits:
            for v, x in zip(self._latches, self.next_lits):
                lit[v] = x
        else:
            init = self.p.init.tolist()
            self.init_lits = [self.g.add_input() if i == LATCH_INIT_X else int(i == 1)
                              for i in init]
            for v, x in zip(self._latches, self.init_lits):
                lit[v] = x
        ins = [self.g.add_input() for _ in self._inputs]
        for v, x in zip(self._inputs, ins):
            lit[v] = x
        self.input_lits.append(ins)
        self._unroll_ands()
        at = self._at
        self.next_lits = [at(x) for x in self._next]
        self.bad_lits.append(at(self.p.bad))
        for c in self._constraints:
            c = at(c)
            if c == 0:
                self.dead = True
            elif c != 1:
                self.solver.add_clause([self._encode(c)])

    def bad_reachable(self) -> bool:
        """Can the last frame added be bad? When not, `not bad` is kept as a clause (it
        prunes the deeper searches); when so, the solver holds the model `trace` reads.
        (Only the last frame: the solver already holds its constraints, which an earlier
        frame's trace need not meet.)"""
        b = self.bad_lits[-1]
        if self.dead or b == 0:
            return False
        if b == 1:
            if self.solver.solve():
                return True
            self.dead = True            # the constraints of these frames exclude each other
            return False
        s = self._encode(b)
        if self.solver.solve(assumptions=[s]):
            return True
        self.solver.add_clause([-s])
        return False

    def trace(self, depth: int) -> Trace:
        """The counter-example of the last satisfiable `bad_reachable()`, whose frame is
        `depth` (the last one added)."""
        model = self.solver.get_model() or []
        init = self._values(model, self.init_lits)
        frames = [self._values(model, self.input_lits[t]) for t in range(depth + 1)]
        return full_trace(self.p, init, frames)

    def delete(self) -> None:
        self.solver.delete()

    def _at(self, aig_lit: int) -> int:
        return self.lit[aig_lit >> 1] ^ (aig_lit & 1)

    def _unroll_ands(self) -> None:
        """This frame's literal of every AND of the cone: constants folded, hashed; each
        new node counts as a fanout of its fanins (what the cut CNF reads)."""
        lit, g, refs = self.lit, self.g, self.refs
        and_, fanins = g.and_, g.fanins
        refs.extend([0] * (g.num_vars - len(refs)))
        for v, a, b in self._ands:
            x = and_(lit[a >> 1] ^ (a & 1), lit[b >> 1] ^ (b & 1))
            lit[v] = x
            if x >> 1 == len(refs):         # a new node (a hash hit or a fold is older)
                refs.append(0)
                c, d = fanins(x >> 1)
                refs[c >> 1] += 1
                refs[d >> 1] += 1

    def _encode(self, u: int) -> int:
        """The solver literal of unrolled literal u (not a constant), its cone encoded
        where it was not yet: an AND by its function over a cut of up to four leaves
        (cutcnf.py), its leaves first."""
        assert u >= 2, "constants have no solver literal"
        g, satvar, refs = self.g, self.satvar, self.refs
        satvar.extend([0] * (g.num_vars - len(satvar)))
        refs.extend([0] * (g.num_vars - len(refs)))
        top = self.top
        clauses = []
        cuts: dict[int, tuple[list[int], int]] = {}
        stack = [u >> 1]
        while stack:
            k = stack[-1]
            if satvar[k]:
                stack.pop()
                continue
            if not g.is_and(k):
                top += 1
                satvar[k] = top
                stack.pop()
                continue
            leaves_tt = cuts.get(k)
            if leaves_tt is None:
                leaves_tt = cuts[k] = cut(g, k, satvar, refs)
            missing = [j for j in leaves_tt[0] if not satvar[j]]
            if missing:
                stack += missing
                continue
            stack.pop()
            top += 1
            satvar[k] = top
            clauses += cut_clauses(top, [satvar[j] for j in leaves_tt[0]], leaves_tt[1])
        self.top = top
        if clauses:
            self.solver.append_formula(clauses)
        s = satvar[u >> 1]
        return -s if u & 1 else s

    def _values(self, model: list[int], lits: list[int]) -> np.ndarray:
        """0/1 of unrolled literals in `model`; a node never encoded is free, so 0."""
        n, satvar = len(model), self.satvar
        out = np.zeros(len(lits), dtype=np.uint8)
        for i, x in enumerate(lits):
            s = satvar[x >> 1] if (x >> 1) < len(satvar) else 0
            out[i] = (0 < s <= n and model[s - 1] > 0) ^ (x & 1)
        return out
