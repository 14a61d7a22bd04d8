"""SAT sweeping: the engine under `edapipe cec` and the `fraig` pass.

One `Sweeper` holds a combinational AIG (inputs 1..num_ci, ANDs after) and proves its nodes
equal where they are (ABC's &fraig, mockturtle's functional_reduction):

1. Bit-parallel simulation (uniform and biased random words, in rounds while they still
   split classes) gives every node a phase-normalized signature hash; nodes with equal
   hashes form candidate classes, led by their smallest variable.
2. A pass (numba kernel `sweep_step`) rebuilds the AIG in topological order with structural
   hashing and merges a node into a class partner once proven equal: by a cut of at most
   `cut_size` leaves, else by the circuit SAT solver, else by a CDCL solver from python-sat
   (`first_pass_sat`: from the first pass on), one incremental instance per pass loaded with
   the cones it needs.
3. A satisfying assignment is a counter-example: gathered, expanded with its distance-1
   neighbours, simulated; classes split and the pass goes on. Passes repeat with growing
   conflict limits while they still change something. docs/cec.md has the details and measurements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.verify import sweep_kernels as K

STATE_UNKNOWN, STATE_PROVEN, STATE_GAVE_UP = 0, 1, 2


@dataclass(frozen=True)
class SweepParams:
    """Knobs of SAT sweeping (the defaults suit equivalence checking)."""

    sim_words: int = 32
    """64-pattern words of each round of the initial random simulation."""
    max_sim_words: int = 1024
    """Most words of initial random simulation: rounds of sim_words go on while a round still
    splits at least `sim_gain` of the candidates. Each false candidate left costs a SAT call
    (~5-10 ms on a 64-bit divider) where a round costs ~20 ms on its 88k-node miter: there,
    32 -> 512 words cut the CPU time from 21.8 s to 7.1 s; log2 stops after 3 rounds."""
    sim_gain: float = 0.001
    """Fraction of the candidates a round of random simulation must split to go on."""
    neighbours: int = 32
    """Distance-1 neighbours simulated around each counter-example (one input flipped):
    a false candidate split by one pattern usually has siblings that differ next to it."""
    cut_size: int = 12
    """Largest cut (leaves) over which two nodes are compared by truth tables."""
    window: int = 200
    """Most nodes expanded when looking for that cut."""
    propagations: int = 1000
    """Propagations allowed per conflict of the limit (bounds the time of a failing check
    on deep cones, where each conflict can cost a sweep over thousands of variables)."""
    backtrack_limit: int | None = None
    """Backtracks of the circuit solver per direction before a candidate goes to CDCL;
    None: 10 when the sweeper knows the two designs (cec), else 100 (fraig, dch). On deep
    arithmetic against a rewrite what it cannot prove at 10 it rarely proves at 100, and
    each failing try walks deep cones: isqrt64 against its dc2 result, 100 -> 9.7 s CPU,
    10 -> 6.3 s, 0 -> 5.5 s; div64 needs it (0: twice the time of 10); the EPFL log2 pair
    0.56 s at 10, 1.39 s at 100. The fraig pass is the other way (log2: 3.2 s at 100,
    14.9 s at 10 without deferral)."""
    alternatives: int = 4
    """Other class members tried by cuts when the leader fails."""
    conflict_limit: int = 1000
    """SAT conflicts allowed per internal candidate pair before it is given up (last pass)."""
    first_conflict_limit: int | None = None
    """Conflict limit of the first CDCL pass; each later pass multiplies it by 10 up to
    conflict_limit, retrying what was given up. None: 50 when the sweeper knows the two
    designs (cec, where the calls are focused, see `focus`), else 100 (fraig, dch).
    Focused (CPU s; nrdiv32 / div128x64 against their resyn2 results): 100 -> 6.2 / 25.2,
    50 -> 3.6 / 23.4, 30 -> 2.9 / over 200 s (unfinished): most of nrdiv32's proofs take 8
    conflicts and each give-up costs the whole limit, while the deeper dividers need some
    proofs of 30-100; unfocused, 100 -> 14.0 / 18.3, and 10 or 30 were slower than 100
    (docs/cec.md, issue 20). Before focus: div64 against its dc2 result (MiniSat, with
    inner_conflict_limit 16): 16 -> undecided after 120 s, 100 -> 2.2 s CPU, 1000 -> 2.1 s;
    isqrt32/resyn2: 100 -> 1.5 s, 1000 -> 6.1 s. (With Glucose and before the inner limit,
    log2 had measured 10 -> 80 s, 100 -> 33 s, 1000 -> 26 s.)"""
    inner_conflict_limit: int = 1
    """First-pass limit instead of first_conflict_limit for a candidate pair inside one
    design (or against a constant) when the sweeper knows where nodes come from (`origin`,
    set by cec); x10 per pass likewise. Such pairs only help the check indirectly, and deep
    arithmetic against a rewrite of it has many that are true but hard (redundancy inside
    the original, remainder bits that are 0 only by an invariant): each costs the whole
    limit and the clauses learnt in failing calls slow every later call. isqrt32 against
    its resyn2 result, one pass with MiniSat, every pair at 16 conflicts -> 1.4 s CPU,
    100 -> 7.8 s, 1000 -> 17.2 s (docs/cec.md). 1 rather than 16 since the output order
    and the end of deferral (issue 20): on isqrt64 against resyn2 the 5,700 such calls
    cost 8.7 s of 21 s CPU at 16 conflicts and 0.6 s at 1, and 30 of them were proven."""
    batch_cex: int = 64
    """Counter-examples gathered before classes are refined and the AIG swept again."""
    seed: int = 0
    """Random seed of the simulation patterns."""
    solver: str = "minisat22"
    """python-sat solver of the sweep (docs/cec.md: why MiniSat 2.2, not Glucose or
    CaDiCaL: with budgets of 16 conflicts it wastes least per call)."""
    hard_leaders: bool = True
    """Once a candidate pair across the designs is given up at the pass's limit, later
    candidates of the same class leader in that pass get only the inner limit: the leader
    is usually equal to the rest of its class by an invariant (a divider's remainder
    bound), not locally. isqrt64 against its dc2 result: 339 of 507 give-ups were against
    a leader given up on before (3.7 s of 13.8 s CPU), and none of them was ever proven."""
    defer_dirty: bool | None = None
    """Defer candidates above a node whose CDCL call gave up in the same pass (a candidate
    whose one side is above such a node and the other not); None: off when the sweeper
    knows the two designs (cec), on otherwise. In cec, on a chain of subtract/compare rows,
    a row's cross-design proofs that need 100-300 conflicts sit above nodes given up on
    (true only by the remainder invariant) and are exactly what the outputs need:
    deferring them left isqrt64 against resyn2 undecided after 120 s; without deferral it
    is proven in one pass (docs/cec.md)."""
    max_passes: int = 12
    """Sweeps over the whole AIG at most."""
    focus: int | None = None
    """Before each CDCL call, the solver variables of the `focus` nodes nearest the pair
    (breadth-first through fanins) get the highest activities, decaying 0.97 per step, and
    every other variable none (as ABC's fraig orders its solver's decisions by the cone of
    the pair and weighs them by level); 0: off. None: 300 when the sweeper knows the two
    designs (cec), else 0 (fraig, dch keep their results); only calls above the inner limit
    (`inner_conflict_limit`) are focused. In the one incremental solver of
    a pass, the activities left by earlier calls send the decisions into other cones: on
    nrdiv32 against its resyn2 result (100 conflicts) the proofs took 17 conflicts on
    average, 23.4M propagations in all, and 1,017 candidates were given up; focused on
    2000 nodes, 10 conflicts, 3.4M propagations, 623 given up. 100, 300 and 600 nodes do
    about as well (at 30 conflicts: nrdiv32 3.2, 2.9, 2.9 s CPU)."""
    first_pass_sat: bool = True
    """Let the first pass call CDCL too (else cuts and the circuit solver only). Without it,
    what the circuit solver gives up on in deep arithmetic is left unmerged, so every node
    above it fails again the same way: div64 against its dc2 result, 512 words, took 7.1 s
    without, 1.9 s with; log2 15.0 s without, 7.3 s with."""


@dataclass
class SweepStats:
    rounds: int = 0
    cut_proofs: int = 0
    sat_calls: int = 0
    sat_proofs: int = 0
    sat_cex: int = 0
    sat_undecided: int = 0
    deferred: int = 0
    alt_proofs: int = 0
    cbs_proofs: int = 0
    cbs_undecided: int = 0
    sim_patterns: int = 0
    time_sim: float = 0.0
    time_sweep: float = 0.0
    time_sat: float = 0.0
    time_pass: float = 0.0
    output_rounds: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class Deadline:
    def __init__(self, seconds: float | None):
        self.end = time.perf_counter() + seconds if seconds else None

    def passed(self) -> bool:
        return self.end is not None and time.perf_counter() > self.end


class ConeSolver:
    """CaDiCaL over the reduced AIG of one round; cones are loaded as checks need them."""

    FOCUS_DECAY = 0.97
    """Activity of a variable at distance d from the checked pair: FOCUS_DECAY ** d (ABC's
    fraig weighs its cone variables 0.97 per level the same way)."""

    def __init__(self, nf0: np.ndarray, nf1: np.ndarray, base: int,
                 deadline: "Deadline | None" = None, name: str = "glucose4",
                 prop_factor: int = 0, focus: int = 0):
        from pysat.solvers import Solver

        self.solver = Solver(name=name)
        self.nf0, self.nf1, self.base = nf0, nf1, base
        self.sat_var = np.zeros(base + len(nf0), dtype=np.int64)
        self.sat_var[0] = 1
        self.next_var = np.array([2], dtype=np.int64)
        self.solver.add_clause([-1])
        self.calls = 0
        self.deadline = deadline
        self.prop_factor = prop_factor
        # focus needs the solver's set_activities (python-sat >= 1.9, MiniSat/Glucose
        # family); without it the calls run unfocused, as before issue 20's third round
        self.focus = focus if hasattr(self.solver, "set_activities") else 0
        self.mark = None
        self.stamp = 0

    def load(self, lits) -> None:
        rows = K.cone_clauses(np.asarray(lits, dtype=np.int64), self.nf0, self.nf1, self.base,
                              self.sat_var, self.next_var)
        add = self.solver.add_clause
        for row in rows.tolist():
            add(row if row[2] else row[:2])

    def lit(self, lit: int) -> int:
        s = int(self.sat_var[lit >> 1])
        return -s if lit & 1 else s

    SLICE = 20000
    """Conflicts between two looks at the deadline in a long call."""

    def solve(self, assumptions: list[int], budget: int) -> bool | None:
        """SAT under assumptions within `budget` conflicts (0: none) and the deadline."""
        self.calls += 1
        timed = self.deadline is not None and self.deadline.end is not None
        if budget > 0 and (not timed or budget <= self.SLICE):
            self.solver.conf_budget(budget)
            if self.prop_factor:
                self.solver.prop_budget(budget * self.prop_factor)
            return self.solver.solve_limited(assumptions)
        if not timed:
            return self.solver.solve(assumptions)
        left = budget
        while not self.deadline.passed() and (budget <= 0 or left > 0):
            step = self.SLICE if budget <= 0 else min(self.SLICE, left)
            self.solver.conf_budget(step)   # slices until the deadline or the budget
            res = self.solver.solve_limited(assumptions)
            if res is not None:
                return res
            left -= step
        return None

    def focus_on(self, x: int, y: int) -> None:
        """Give the `focus` variables nearest x and y (breadth-first through fanins) the
        highest activities, decaying with distance, and every other variable none: the
        solver decides near the pair first, not where earlier calls left its activity."""
        if self.mark is None:
            self.mark = np.zeros(len(self.sat_var), dtype=np.int64)
        self.stamp += 1
        sv, dist = K.cone_near(np.array([x, y], dtype=np.int64), self.nf0, self.nf1,
                               self.base, self.sat_var, self.mark, self.stamp, self.focus)
        try:
            self.solver.set_activities(dict(zip(sv.tolist(),
                                                 (self.FOCUS_DECAY ** dist).tolist())))
        except NotImplementedError:     # a solver without activities (CaDiCaL)
            self.focus = 0

    def prove_equal(self, x: int, y: int, budget: int, focus: bool = True):
        """(True, None) proven, (False, model) a distinguishing model, (None, None) undecided.
        `focus`: focus this call (when the solver has a `focus`)."""
        self.load([x, y])
        if self.focus and focus:
            self.focus_on(x, y)
        sx, sy = self.lit(x), self.lit(y)
        for assumptions in ([sx, -sy], [-sx, sy]):
            res = self.solve(assumptions, budget)
            if res is None:
                return None, None
            if res:
                return False, self.solver.get_model()
        self.solver.add_clause([-sx, sy])
        self.solver.add_clause([sx, -sy])
        return True, None

    def ci_bits(self, model, num_ci: int, rng) -> np.ndarray:
        """Input values of a model (inputs outside the loaded cones get random values)."""
        values = np.asarray(model, dtype=np.int64)
        sv = self.sat_var[1:num_ci + 1]
        bits = rng.integers(0, 2, size=num_ci, dtype=np.uint8)
        loaded = (sv > 0) & (sv <= len(values))
        bits[loaded] = (values[sv[loaded] - 1] > 0).astype(np.uint8)
        return bits

    def delete(self) -> None:
        self.solver.delete()


def pack_patterns(rows: list[np.ndarray], num_ci: int) -> np.ndarray:
    """Input bit rows (one per pattern) → words [num_ci, ceil(n/64)]."""
    n = len(rows)
    n_words = max(1, (n + 63) // 64)
    bits = np.zeros((num_ci, n_words * 64), dtype=np.uint8)
    if n:
        bits[:, :n] = np.stack(rows, axis=1)
    packed = np.packbits(bits.reshape(num_ci, n_words, 64), axis=2, bitorder="little")
    return packed.view(np.uint64).reshape(num_ci, n_words).copy()


@dataclass
class Sweeper:
    """SAT sweeping state over one combinational AIG (see the module docstring)."""

    num_ci: int
    fanin0: np.ndarray
    fanin1: np.ndarray
    params: SweepParams = field(default_factory=SweepParams)
    deadline: Deadline = field(default_factory=lambda: Deadline(None))
    stats: SweepStats = field(default_factory=SweepStats)
    origin: np.ndarray | None = None
    """Per variable: 1 in the first design only, 2 in the second only, 3 in both (cec's
    miter); None when there are no two designs (fraig)."""

    def __post_init__(self) -> None:
        self.fanin0 = np.ascontiguousarray(self.fanin0, dtype=np.int32)
        self.fanin1 = np.ascontiguousarray(self.fanin1, dtype=np.int32)
        self.base = self.num_ci + 1
        self.num_vars = self.base + len(self.fanin0)
        self.rng = np.random.default_rng(self.params.seed)
        self.hash = np.zeros(self.num_vars, dtype=np.uint64)
        self.leader = np.full(self.num_vars, -1, dtype=np.int64)
        self.state = np.zeros(self.num_vars, dtype=np.uint8)
        self.partner = np.full(self.num_vars, -1, dtype=np.int64)
        self.phase = None
        self.last_words = None
        self.last_val = None
        self.reduced = None          # (nf0, nf1, n_ands, lit_map) of the last sweep
        self.gave_up_at = 0
        self.last_progress = False
        two = self.origin is not None
        p = self.params
        self.backtrack_limit = p.backtrack_limit if p.backtrack_limit is not None else \
            (10 if two else 100)
        self.defer_dirty = p.defer_dirty if p.defer_dirty is not None else not two
        self.first_limit = p.first_conflict_limit if p.first_conflict_limit is not None else \
            (50 if two else 100)
        self.focus = p.focus if p.focus is not None else (300 if two else 0)

    # ---- simulation --------------------------------------------------------------------
    def simulate(self, ci_words: np.ndarray, n_patterns: int | None = None) -> np.ndarray:
        """Simulate patterns, fold them into the signatures and split classes; returns values."""
        t0 = time.perf_counter()
        ci_words = np.ascontiguousarray(ci_words, dtype=np.uint64)
        val = K.simulate(self.num_ci, self.fanin0, self.fanin1, ci_words)
        n_patterns = n_patterns if n_patterns is not None else 64 * ci_words.shape[1]
        if self.phase is None:
            self.phase = (val[:, 0] & np.uint64(1)).astype(np.int64)
        rem = n_patterns - 64 * (ci_words.shape[1] - 1)
        mask_last = np.uint64((1 << rem) - 1) if rem < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
        K.update_hash(self.hash, val, self.phase.astype(np.uint8), mask_last)
        order = np.lexsort((np.arange(self.num_vars), self.hash))
        new_leader = np.empty_like(self.leader)
        K.leaders_from_order(self.hash, order, new_leader)
        self.order = order.astype(np.int64)
        self.pos = np.empty(self.num_vars, dtype=np.int64)
        self.pos[self.order] = np.arange(self.num_vars)
        changed = (new_leader != self.leader) & (self.state != STATE_PROVEN)
        self.state[changed] = STATE_UNKNOWN
        self.leader = new_leader
        self.last_words, self.last_val = ci_words, val
        self.stats.sim_patterns += n_patterns
        self.stats.time_sim += time.perf_counter() - t0
        return val

    def random_words(self, n_words: int) -> np.ndarray:
        """Random patterns; a quarter uniform, the rest biased towards 0 or 1 (densities
        1/4 .. 1/64 and their complements), which reach the rare corners of arithmetic
        (leading zeros, all-ones carries) that uniform patterns almost never do."""
        rng = self.rng
        top = np.iinfo(np.uint64).max
        out = rng.integers(0, top, size=(self.num_ci, n_words), dtype=np.uint64, endpoint=True)
        for w in range(n_words):
            k = w % 12
            if k < 3:
                continue
            depth = 2 + (k - 3) % 5          # density 1/4 .. 1/64
            col = out[:, w].copy()
            for _ in range(depth - 1):
                col &= rng.integers(0, top, size=self.num_ci, dtype=np.uint64, endpoint=True)
            out[:, w] = ~col if k >= 8 else col
        return out

    def expand_cex(self, rows: list[np.ndarray]) -> np.ndarray:
        """Counter-examples, each with up to `neighbours` distance-1 neighbours (a distinct
        input flipped), then random one- or two-input flips to fill whole words."""
        n = len(rows)
        out = list(rows)
        k = min(self.num_ci, self.params.neighbours)
        for row in rows:
            if k == 0:
                break
            flips = (np.arange(k) if k == self.num_ci else
                     self.rng.choice(self.num_ci, size=k, replace=False))
            block = np.repeat(row[None, :], k, axis=0)
            block[np.arange(k), flips] ^= 1
            out.extend(block)
        total = max(64, ((len(out) + 63) // 64) * 64)
        while len(out) < total and self.num_ci:
            src = out[self.rng.integers(0, n)].copy()
            flips = self.rng.integers(0, self.num_ci, size=self.rng.integers(1, 3))
            src[flips] ^= 1
            out.append(src)
        return pack_patterns(out, self.num_ci)

    def candidates(self) -> int:
        """Nodes with a class leader that are not proven yet."""
        return int(np.count_nonzero((self.leader >= 0) & (self.state != STATE_PROVEN)))

    def simulate_random(self, stop=None) -> bool:
        """Rounds of random simulation while they still split classes (see max_sim_words);
        True as soon as `stop()` (asked after each round) is."""
        p = self.params
        done = 0
        before = None
        while True:
            self.simulate(self.random_words(p.sim_words))
            done += p.sim_words
            if stop is not None and stop():
                return True
            now = self.candidates()
            if (before is not None and before - now < p.sim_gain * before) or \
                    done + p.sim_words > p.max_sim_words or now == 0:
                return False
            before = now

    # ---- sweeping ----------------------------------------------------------------------
    def run_pass(self, stop=None, progress=None, conflict_limit: int | None = None,
                 use_sat: bool = True, inner_limit: int | None = None) -> bool:
        """One sweep over the AIG, proving candidates by cuts, then SAT, as they come.

        Counter-examples are gathered and refine the classes every `batch_cex` of them.
        Returns True when another pass could merge more (candidates were skipped or classes
        changed). `stop()` is asked after each refinement (e.g. an output pair differs).
        """
        p = self.params
        limit = p.conflict_limit if conflict_limit is None else conflict_limit
        inner = limit if inner_limit is None else inner_limit
        n = len(self.fanin0)
        base = self.base
        t0 = time.perf_counter()
        nf0 = np.empty(n + 1, dtype=np.int32)
        nf1 = np.empty(n + 1, dtype=np.int32)
        count = np.zeros(1, dtype=np.int64)
        table = np.full(K.table_size(n), -1, dtype=np.int32)
        lit_map = np.empty(self.num_vars, dtype=np.int64)
        lit_map[:base] = 2 * np.arange(base)
        mark = np.zeros(self.num_vars, dtype=np.int64)
        slot = np.zeros(self.num_vars, dtype=np.int32)
        front = np.empty(72, dtype=np.int64)
        expanded = np.empty(p.window + 1, dtype=np.int64)
        n_words = 1 << max(0, p.cut_size - 6)
        tt = np.empty((p.window + 80, n_words), dtype=np.uint64)
        stamp = np.ones(1, dtype=np.int64)
        kstats = np.zeros(6, dtype=np.int64)
        dirty = np.zeros(self.num_vars, dtype=np.uint8)
        hard = np.zeros(self.num_vars, dtype=np.uint8)   # leaders given up on in this pass
        cval = np.full(self.num_vars, 2, dtype=np.int8)
        cval[0] = 0
        ctrail = np.empty(self.num_vars + 1, dtype=np.int64)
        jq = np.empty(1 << 16, dtype=np.int64)
        frames = np.empty((4096, 5), dtype=np.int64)
        model = np.full(base, 2, dtype=np.int8)
        solver = ConeSolver(nf0, nf1, base, self.deadline, p.solver, p.propagations, self.focus)
        cex: list[np.ndarray] = []
        cex_val = np.zeros((1, 1), dtype=np.uint64)
        cex_mask = np.uint64(0)
        refined = False
        phase8 = self.phase
        proofs_before = self.stats.sat_proofs + self.stats.cut_proofs + self.stats.cbs_proofs
        g = 0
        try:
            while True:
                t1 = time.perf_counter()
                g, x, y, kind = K.sweep_step(
                    self.num_ci, self.fanin0, self.fanin1, self.leader, phase8, self.state,
                    self.partner, self.order, self.pos, p.alternatives, p.cut_size, p.window, g,
                    nf0, nf1, count, table, lit_map, mark, slot, front, expanded, tt, stamp,
                    cex_val, cex_mask, dirty, cval, ctrail, jq, frames, self.backtrack_limit,
                    model, use_sat, kstats)
                self.stats.time_sweep += time.perf_counter() - t1
                if g >= n:
                    break
                v = base + g
                if self.deadline.passed():
                    self.state[v] = STATE_GAVE_UP
                    g += 1
                    continue
                t1 = time.perf_counter()
                if kind == 1:
                    res, bits = False, model[1:].copy()
                    free = bits == 2
                    bits[free] = self.rng.integers(0, 2, size=int(free.sum()))
                    bits = bits.astype(np.uint8)
                else:
                    self.stats.sat_calls += 1
                    r = int(self.leader[v])
                    budget = limit if self.crosses(v) and not hard[r] else inner
                    # only calls above the inner limit are focused: focusing costs a pass
                    # over every solver variable (python-sat resets them all), ~1 ms on the
                    # 200k variables of div128x64's miter, and a call of 1 conflict gains
                    # nothing from it (div128x64/resyn2: 18 s -> undecided after 34 s CPU
                    # with all 24k calls focused)
                    res, sat_model = solver.prove_equal(int(x), int(y), budget,
                                                        budget > inner)
                    if res is False:
                        bits = solver.ci_bits(sat_model, self.num_ci, self.rng)
                if res is True:
                    self.state[v] = STATE_PROVEN
                    self.partner[v] = self.leader[v]
                    lit_map[v] = y
                    self.stats.sat_proofs += 1
                elif res is None:
                    self.state[v] = STATE_GAVE_UP
                    self.stats.sat_undecided += 1
                    if p.hard_leaders and self.origin is not None and budget > inner:
                        hard[r] = 1
                    if self.defer_dirty:
                        dirty[int(x) >> 1] = 1
                else:
                    self.stats.sat_cex += 1
                    cex.append(bits)
                    if len(cex) >= p.batch_cex:
                        self.simulate(self.expand_cex(cex))
                        refined = True
                        cex = []
                        cex_mask = np.uint64(0)
                        if stop is not None and stop():
                            return False
                    else:
                        words = pack_patterns(cex, self.num_ci)
                        cex_val = K.simulate(self.num_ci, self.fanin0, self.fanin1, words)
                        cex_mask = np.uint64((1 << len(cex)) - 1)
                self.stats.time_sat += time.perf_counter() - t1
                if progress is not None:
                    progress(g / max(1, n))
                g += 1
        finally:
            solver.delete()
        self.stats.rounds += 1
        self.stats.cut_proofs += int(kstats[0]) + int(kstats[3])
        self.stats.alt_proofs += int(kstats[3])
        self.stats.cbs_proofs += int(kstats[4])
        self.stats.cbs_undecided += int(kstats[5])
        self.reduced = (nf0[:count[0]], nf1[:count[0]], int(count[0]), lit_map)
        if cex:
            self.simulate(self.expand_cex(cex))
            refined = True
        self.stats.time_pass += time.perf_counter() - t0
        self.gave_up_at = limit
        self.stats.deferred += int(kstats[2])
        self.last_progress = bool(proofs_before != self.stats.sat_proofs + self.stats.cut_proofs
                                  + self.stats.cbs_proofs)
        return bool(kstats[1]) or refined

    def crosses(self, v: int) -> bool:
        """Does candidate v pair nodes of the two designs (True when origins are unknown)?"""
        if self.origin is None:
            return True
        r = int(self.leader[v])
        return r > 0 and (int(self.origin[v]) | int(self.origin[r])) == 3

    def lit_map(self) -> np.ndarray:
        return self.reduced[3]

    def limits(self, first: int):
        """Conflict limits of successive passes: first, x10, ... up to conflict_limit, then
        that one repeated while passes still change something."""
        p = self.params
        limit = max(1, min(first, p.conflict_limit))
        while True:
            yield limit
            if limit < p.conflict_limit:
                limit = min(p.conflict_limit, limit * 10)

    def sweep_passes(self, stop=None, progress=None):
        """Passes until nothing changes at the full conflict limit; yields after each.

        Every pass uses cuts, the circuit solver, then CDCL with growing conflict limits
        (the first pass without CDCL when `first_pass_sat` is off).
        """
        limits = self.limits(self.first_limit)
        inner = self.limits(self.params.inner_conflict_limit)
        for k in range(self.params.max_passes):
            use_sat = k > 0 or self.params.first_pass_sat
            limit = next(limits) if use_sat else 0
            inner_limit = next(inner) if use_sat else 0
            if k:
                self.state[self.state == STATE_GAVE_UP] = STATE_UNKNOWN
            again = self.run_pass(stop=stop, progress=progress, conflict_limit=limit,
                                  use_sat=use_sat, inner_limit=inner_limit)
            gave_up = bool(np.any(self.state == STATE_GAVE_UP))
            more = again or (gave_up and (not use_sat or limit < self.params.conflict_limit
                                          or self.last_progress))
            yield more
            if not more or self.deadline.passed():
                return


def fraig_arrays(num_ci: int, fanin0, fanin1, roots, params: SweepParams = SweepParams(),
                 deadline: Deadline | None = None, progress=None):
    """Sweep until nothing more merges; returns (sweeper, nf0, nf1, roots in the new AIG)."""
    sw = Sweeper(num_ci, fanin0, fanin1, params, deadline or Deadline(None))
    sw.simulate_random()
    for _ in sw.sweep_passes(progress=progress):
        pass
    nf0, nf1, _, lit_map = sw.reduced
    roots = np.asarray(roots, dtype=np.int64)
    new_roots = lit_map[roots >> 1] ^ (roots & 1)
    return sw, nf0, nf1, new_roots
