"""The transition system of an AIG with latches, properties and constraints, and its CNF.

A safety problem (HWMCC / AIGER 1.9 semantics):
    states      the latch values; initial states fix every latch with init 0 or 1 and leave
                X latches (AIGER: init literal == own literal) free;
    properties  the bad-state literals B, or the outputs of an old-style AIGER file;
    constraints C hold in every frame of a trace, the last one included.
Property j fails when some trace s0 i0 s1 i1 ... sk ik from an initial state has C(s_t, i_t)
in every frame and B_j(sk, ik). Engines see only the cone of influence (COI) of one property
and the constraints: latches outside it cannot change the answer.

`Encoder` puts copies of the combinational logic into a SAT solver (Tseitin, numpy-built
clause lists), a copy per frame, with the latches of a frame given as solver literals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig


@dataclass(frozen=True)
class Problem:
    """One property of an AIG in its cone of influence (indices refer to the full AIG)."""

    aig: Aig
    index: int               # property index (bad j, or output j of an old-style file)
    bad: int                 # AIG literal of the bad state
    latches: np.ndarray      # latch indices in the COI, ascending
    inputs: np.ndarray       # input indices in the COI, ascending
    ands: np.ndarray         # AND variables in the COI, ascending (topological)

    @property
    def constraints(self) -> np.ndarray:
        return self.aig.constraints

    @property
    def init(self) -> np.ndarray:
        """Init values (0, 1, LATCH_INIT_X) of the COI latches."""
        return self.aig.latch_init[self.latches]


def property_literals(aig: Aig) -> np.ndarray:
    """The bad-state literals: B when the file has any, else every output (HWMCC)."""
    return aig.bad if aig.bad.size else aig.outputs


def property_names(aig: Aig) -> list[str]:
    if aig.bad.size:
        return [f"b{j}" for j in range(aig.bad.size)]
    return [aig.output_name(j) for j in range(aig.num_outputs)]


def problem(aig: Aig, index: int) -> Problem:
    bad = int(property_literals(aig)[index])
    lat, inp, ands = cone(aig, [bad, *aig.constraints.tolist()])
    return Problem(aig, index, bad, lat, inp, ands)


def cone(aig: Aig, roots) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(latches, inputs, AND vars) in the sequential cone of influence of literals `roots`."""
    n_in, first_and = aig.num_inputs, aig.first_and_var
    f0, f1, nxt = aig.fanin0, aig.fanin1, aig.latch_next
    seen = np.zeros(aig.num_vars, dtype=bool)
    stack = [int(r) >> 1 for r in roots]
    while stack:
        v = stack.pop()
        if seen[v]:
            continue
        seen[v] = True
        if v >= first_and:
            k = v - first_and
            stack.append(int(f0[k]) >> 1)
            stack.append(int(f1[k]) >> 1)
        elif v > n_in:
            stack.append(int(nxt[v - n_in - 1]) >> 1)
    idx = np.flatnonzero(seen)
    inputs = idx[(idx >= 1) & (idx <= n_in)] - 1
    latches = idx[(idx > n_in) & (idx < first_and)] - n_in - 1
    ands = idx[idx >= first_and]
    return latches.astype(np.int64), inputs.astype(np.int64), ands.astype(np.int64)


class Encoder:
    """Allocates solver variables and encodes frames of a Problem's logic as CNF.

    A frame maps every AIG variable of the COI to a signed solver literal (array `lit`,
    indexed by AIG variable; entry 0 is the constant false). `frame(latch_lits)` encodes the
    ANDs once more over fresh variables and returns the map.
    """

    def __init__(self, prob: Problem):
        self.p = prob
        self.top = 0
        self.false = self.new_var()
        self.clauses: list[list[int]] = [[-self.false]]
        aig = prob.aig
        k = prob.ands - aig.first_and_var
        self._f0 = aig.fanin0[k].astype(np.int64)
        self._f1 = aig.fanin1[k].astype(np.int64)

    def new_var(self) -> int:
        self.top += 1
        return self.top

    def new_vars(self, n: int) -> np.ndarray:
        out = np.arange(self.top + 1, self.top + 1 + n, dtype=np.int64)
        self.top += n
        return out

    def frame(self, latch_lits: np.ndarray | None = None) -> np.ndarray:
        """Encode one copy; latch_lits (per COI latch) default to fresh variables."""
        p, aig = self.p, self.p.aig
        lit = np.zeros(aig.num_vars, dtype=np.int64)
        lit[0] = self.false
        lit[1 + p.inputs] = self.new_vars(p.inputs.size)
        lv = 1 + aig.num_inputs + p.latches
        lit[lv] = self.new_vars(p.latches.size) if latch_lits is None else latch_lits
        g = self.new_vars(p.ands.size)
        lit[p.ands] = g
        a = self.to_solver(lit, self._f0)
        b = self.to_solver(lit, self._f1)
        n = g.size
        cls = np.empty((3 * n, 3), dtype=np.int64)
        cls[0::3] = np.stack([-g, a, np.zeros(n, np.int64)], axis=1)
        cls[1::3] = np.stack([-g, b, np.zeros(n, np.int64)], axis=1)
        cls[2::3] = np.stack([g, -a, -b], axis=1)
        rows = cls.tolist()
        # two-literal clauses carry a 0 pad; strip it
        self.clauses.extend([r[:2] if r[2] == 0 else r for r in rows])
        return lit

    @staticmethod
    def to_solver(lit_map: np.ndarray, aig_lits) -> np.ndarray:
        aig_lits = np.asarray(aig_lits, dtype=np.int64)
        base = lit_map[aig_lits >> 1]
        return np.where(aig_lits & 1, -base, base)

    def lit(self, lit_map: np.ndarray, aig_lit: int) -> int:
        base = int(lit_map[aig_lit >> 1])
        return -base if aig_lit & 1 else base

    def latch_lits(self, lit_map: np.ndarray) -> np.ndarray:
        return lit_map[1 + self.p.aig.num_inputs + self.p.latches]

    def input_lits(self, lit_map: np.ndarray) -> np.ndarray:
        return lit_map[1 + self.p.inputs]

    def next_lits(self, lit_map: np.ndarray) -> np.ndarray:
        return self.to_solver(lit_map, self.p.aig.latch_next[self.p.latches])

    def constraint_lits(self, lit_map: np.ndarray) -> list[int]:
        return self.to_solver(lit_map, self.p.constraints).tolist()

    def init_units(self, latch_lits: np.ndarray) -> list[list[int]]:
        """Unit clauses fixing the latches with a 0/1 reset value."""
        init = self.p.init
        out = []
        for s, v in zip(latch_lits.tolist(), init.tolist()):
            if v != LATCH_INIT_X:
                out.append([s if v == 1 else -s])
        return out

    def flush(self, solver) -> None:
        """Hand the clauses made so far to `solver`."""
        if self.clauses:
            solver.append_formula(self.clauses)
            self.clauses = []


def model_bits(model: list[int], lits: np.ndarray) -> np.ndarray:
    """0/1 values of solver literals `lits` in a pysat model (unassigned taken as 0)."""
    lits = np.asarray(lits, dtype=np.int64)
    if lits.size == 0:
        return np.zeros(0, dtype=np.uint8)
    if isinstance(model, list) and 8 * lits.size < len(model):
        # a few literals of a long model: indexing the list beats converting all of it
        n = len(model)
        return np.fromiter(((abs(x) <= n and model[abs(x) - 1] > 0) == (x > 0)
                            for x in lits.tolist()), dtype=np.uint8, count=lits.size)
    m = np.asarray(model, dtype=np.int64)
    var = np.abs(lits)
    val = np.zeros(lits.size, dtype=bool)
    inside = var <= m.size
    val[inside] = m[var[inside] - 1] > 0
    return np.where(lits > 0, val, ~val).astype(np.uint8)
