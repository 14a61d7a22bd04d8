"""Combinational equivalence checking: miter, random simulation, SAT sweeping, output SAT.

    result = check_equivalence(a, b)
    result.equivalent -> True / False / None (undecided within the limits)

Flow (ABC's cec / &cec): build the miter; simulate random patterns and stop at once if a pair
of outputs differs; otherwise sweep (edapipe.verify.sweep) until every output pair is merged
or no candidate is left; prove what remains of the outputs by SAT with the output conflict
limit. Every counter-example is checked by simulating both designs before it is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig
from edapipe.verify import sweep_kernels as K
from edapipe.verify.miter import Miter, build_miter
from edapipe.verify.sweep import ConeSolver, Deadline, Sweeper, SweepParams, SweepStats


@dataclass(frozen=True)
class CecParams:
    """Options of equivalence checking."""

    conflict_limit: int = 0
    """SAT conflicts allowed per output pair in the final step (0: no limit)."""
    time_limit: float = 0.0
    """Seconds before giving up and reporting the undecided outputs (0: no limit)."""
    by_position: bool = False
    """Match inputs, outputs and latches by position instead of by name."""
    output_solver: str = "cadical195"
    """python-sat solver for the outputs left after sweeping (single hard calls)."""
    first_output_budget: int = 10000
    """Conflicts per output pair in the first round over the outputs left after sweeping;
    the budget grows x4 per round (see _prove_outputs)."""
    pass_output_budget: int = 10000
    """Conflicts per open output pair tried after each sweep pass that leaves outputs open
    and would go on (x4 per pass; 0: none). A cheap first pass often merges enough for the
    outputs, and the costlier passes after it would only retry hard internal candidates the
    outputs do not need (docs/cec.md, Outputs)."""
    sweep: SweepParams = field(default_factory=SweepParams)
    """SAT sweeping knobs."""


@dataclass
class CecResult:
    """The answer, with what supports it."""

    equivalent: bool | None
    pairs: int
    failing: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    cex: np.ndarray | None = None
    """Shared input bits (A's inputs then A's latches) of a counter-example."""
    miter: Miter | None = None
    stats: SweepStats = field(default_factory=SweepStats)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return {True: "equivalent", False: "not equivalent", None: "undecided"}[self.equivalent]

    def cex_a(self) -> tuple[np.ndarray, np.ndarray]:
        return self.miter.a_bits(self.cex)

    def cex_b(self) -> tuple[np.ndarray, np.ndarray]:
        return self.miter.b_bits(self.cex)

    def as_dict(self) -> dict:
        out = {"result": self.status, "pairs": self.pairs, "failing": self.failing,
               "undecided": self.undecided, "seconds": round(self.seconds, 4),
               "stats": self.stats.as_dict()}
        if self.cex is not None:
            ia, la = self.cex_a()
            ib, lb = self.cex_b()
            out["counterexample"] = {
                "inputs": {self.miter.a.input_name(k): int(v) for k, v in enumerate(ia)},
                "latches": {self.miter.a.latch_name(k): int(v) for k, v in enumerate(la)},
                "a_vector": "".join(map(str, ia.tolist())),
                "b_vector": "".join(map(str, ib.tolist())),
            }
        return out


def witness(inputs: np.ndarray, latches: np.ndarray) -> str:
    """An AIGER witness: status 1, property b0, initial latch line, one input frame."""
    return ("1\nb0\n" + "".join(map(str, latches.tolist())) + "\n"
            + "".join(map(str, inputs.tolist())) + "\n.\n")


def _failing_at(m: Miter, ci_bits: np.ndarray) -> list[int]:
    words = ci_bits.astype(np.uint64).reshape(-1, 1)
    val = K.simulate(m.num_ci, m.fanin0, m.fanin1, words)
    return np.flatnonzero(K.pairs_differ_at(val, m.lits_a, m.lits_b, 0, 0)).tolist()


def check_equivalence(a: Aig, b: Aig, params: CecParams = CecParams(), progress=None
                      ) -> CecResult:
    """Are a and b combinationally equivalent? (see the module docstring)"""
    t0 = time.perf_counter()
    m = build_miter(a, b, params.by_position)
    result = _check_miter(m, params, progress)
    result.miter = m
    result.seconds = time.perf_counter() - t0
    return result


def _refuted(m: Miter, ci_bits: np.ndarray, sw: Sweeper) -> CecResult:
    failing = _failing_at(m, ci_bits)
    if not failing:  # a bug if it ever happens: never report an unchecked counter-example
        raise AssertionError("counter-example does not distinguish the designs")
    return CecResult(False, len(m.lits_a), failing=[m.pair_names[k] for k in failing],
                     cex=ci_bits.astype(np.uint8), stats=sw.stats)


def _check_miter(m: Miter, params: CecParams, progress) -> CecResult:
    n_pairs = len(m.lits_a)
    deadline = Deadline(params.time_limit or None)
    sw = Sweeper(m.num_ci, m.fanin0, m.fanin1, params.sweep, deadline, origin=m.origin)
    if np.array_equal(m.lits_a, m.lits_b):
        return CecResult(True, n_pairs, stats=sw.stats)
    found: list[np.ndarray] = []

    def differs() -> bool:
        k, w, bit = K.pair_differs(sw.last_val, m.lits_a, m.lits_b)
        if k >= 0:
            found.append(_bits_of(sw.last_words, w, bit))
        return k >= 0

    if sw.simulate_random(stop=differs):
        return _refuted(m, found[0], sw)
    na, nb = m.lits_a, m.lits_b
    open_pairs = np.flatnonzero(na != nb)
    proven = np.zeros(n_pairs, dtype=bool)
    passes = [] if deadline.passed() else sw.sweep_passes(stop=differs, progress=progress)
    for k, more in enumerate(passes):
        if found or differs():
            return _refuted(m, found[0], sw)
        na, nb, open_pairs = _open_pairs(m, sw, proven)
        if len(open_pairs) == 0:
            return CecResult(True, n_pairs, stats=sw.stats)
        if not more or deadline.passed():
            break
        if params.pass_output_budget <= 0:
            continue
        # Before a costlier pass, the outputs get a bounded try on what is merged so far:
        # cheap passes often merge enough for them (ABC's iprove alternates the same way).
        budget = params.pass_output_budget * 4 ** k
        if params.conflict_limit:
            budget = min(budget, params.conflict_limit)
        res, data = _timed_outputs(sw, na, nb, open_pairs, params, deadline, budget, True)
        if res is False:
            return _refuted(m, data, sw)
        proven[np.setdiff1d(open_pairs, data)] = True
        open_pairs = np.asarray(data, dtype=np.int64)
        if len(open_pairs) == 0:
            return CecResult(True, n_pairs, stats=sw.stats)
    # What is left of the outputs: SAT on the reduced AIG (merged nodes are shared cut points).
    res, data = _timed_outputs(sw, na, nb, open_pairs, params, deadline,
                               params.first_output_budget, False)
    if res is False:
        return _refuted(m, data, sw)
    if data:
        return CecResult(None, n_pairs, undecided=[m.pair_names[k] for k in data],
                         stats=sw.stats)
    return CecResult(True, n_pairs, stats=sw.stats)


def _open_pairs(m: Miter, sw: Sweeper, proven: np.ndarray):
    """Output literals in the last reduced AIG and the pairs not merged nor proven yet."""
    lit_map = sw.lit_map()
    na = lit_map[m.lits_a >> 1] ^ (m.lits_a & 1)
    nb = lit_map[m.lits_b >> 1] ^ (m.lits_b & 1)
    return na, nb, np.flatnonzero((na != nb) & ~proven)


def _timed_outputs(sw: Sweeper, na, nb, open_pairs, params: CecParams, deadline: Deadline,
                   budget: int, probe: bool):
    nf0, nf1 = (sw.reduced[0], sw.reduced[1]) if sw.reduced is not None else \
        (sw.fanin0, sw.fanin1)
    t1 = time.perf_counter()
    try:
        return _prove_outputs(nf0, nf1, sw, na, nb, open_pairs, params, deadline, budget,
                              probe)
    finally:
        sw.stats.time_sat += time.perf_counter() - t1


def _prove_outputs(nf0, nf1, sw: Sweeper, na, nb, open_pairs, params: CecParams,
                   deadline: Deadline, budget: int, probe: bool = False):
    """Output pairs left after sweeping, round-robin with a conflict budget that grows x4 per
    round (from `budget`, up to conflict_limit when that is set), so one hard output never
    blocks the others and an easy refutation is found early. A `probe` (between passes) is
    one round that ends at the first pair given up: the merges are not enough yet, and
    another pass costs less than every open pair's budget. Returns (False, counter-example
    bits) or (None, indices of the undecided pairs)."""
    solver = ConeSolver(nf0, nf1, sw.base, deadline, params.output_solver)
    cap = params.conflict_limit
    budget = budget if not cap else min(cap, budget)
    todo = _shallow_first(nf0, nf1, sw.num_ci, na, nb, open_pairs)
    try:
        while todo:
            left = []
            for k in todo:
                if deadline.passed() or (probe and left):
                    left.append(k)
                    continue
                sw.stats.sat_calls += 1
                res, model = solver.prove_equal(int(na[k]), int(nb[k]), budget)
                if res is False:
                    return False, solver.ci_bits(model, sw.num_ci, sw.rng)
                if res is None:
                    left.append(k)
            todo = left
            sw.stats.output_rounds += 1
            if deadline.passed() or (cap and budget >= cap) or budget == 0 or probe:
                break
            budget = min(cap, budget * 4) if cap else budget * 4
            if not cap and budget > 10**9:
                budget = 0          # no limit: the last round runs each call to its end
    finally:
        solver.delete()
    return None, todo


def _shallow_first(nf0, nf1, num_ci: int, na, nb, open_pairs) -> list[int]:
    """Open pairs, shallowest first (by the deeper of their two literals in the reduced
    AIG). On a chain of rows (a divider's quotient bits, a square root's result bits) the
    clauses learnt proving row k's output are what make row k+1's cheap; deepest first,
    isqrt64 against resyn2 gave up on 9 pairs at 10,000 conflicts each that took 0.11 s
    together once the shallower ones were proven."""
    if len(open_pairs) < 2:
        return open_pairs.tolist()
    from edapipe.aig.analysis_kernels import levels

    lev = levels(num_ci, nf0, nf1)
    depth = np.maximum(lev[na[open_pairs] >> 1], lev[nb[open_pairs] >> 1])
    return open_pairs[np.argsort(depth, kind="stable")].tolist()


def _bits_of(words: np.ndarray, w: int, bit: int) -> np.ndarray:
    return ((words[:, w] >> np.uint64(bit)) & np.uint64(1)).astype(np.uint8)
