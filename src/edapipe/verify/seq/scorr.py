"""Signal correspondence (van Eijk 2000; ABC's `scorr`): which signals of a machine are equal
(or complementary) in every reachable state.

Candidate classes come from random simulation from the initial states, then are refined
until the equalities hold in the initial states (base) and imply themselves one step later
(induction: a free state satisfying all of them, its successor checked). Every SAT model
splits the classes it separates; UNSAT cores record which equalities each proof used, so
only proofs that lost one are redone. The fixpoint holds in every reachable state. Every
node takes part, not only latches: after retiming a latch of one design equals a gate of
the other. A random trace that reaches a bad state is returned too (a cheap
counter-example, as ABC's dsec finds most of its).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.verify.seq.result import Trace


# ---- candidate classes ---------------------------------------------------------------
@dataclass
class Simulation:
    cls: np.ndarray              # class id per variable, -1 alone
    phase: np.ndarray            # per variable: 1 if its first simulated bit is 1
    trace: Trace | None          # a random trace whose last frame is bad (bad[0])


# a product machine this large gets a deeper first simulation: its correspondence costs
# seconds, so a bug a hundred cycles deep is cheaper to meet by random simulation first
# (s15850.1's second mutant: 7.3 s CPU of correspondence before, 0.2 s in all now)
DEEP_FIRST_ANDS = 4000
DEEP_FIRST_FRAMES = 128
HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


def simulate_classes(aig: Aig, frames: int, words: int, seed: int) -> Simulation:
    """Candidate classes from random traces that start in the initial states (X latches
    random). Phase makes a variable's first bit 0, so complementary signals share a class.

    Large machines are simulated for DEEP_FIRST_FRAMES (at least `frames`). A variable's
    class key is a 64-bit hash of all its phase-normalized words: one sort of a column
    instead of a row sort of a [variables, frames x words] matrix (a collision only makes
    a false candidate, which the SAT refinement splits like any other)."""
    from edapipe.verify.seq.simulate import ONES

    frames = max(1, frames, DEEP_FIRST_FRAMES if aig.num_ands >= DEEP_FIRST_ANDS else 0)
    trace, flip, key = None, None, None
    for val, bad_trace in _random_run(aig, frames, words, seed):
        if flip is None:
            phase = (val[:, 0] & np.uint64(1)).astype(np.uint8)
            flip = np.where(phase == 1, ONES, np.uint64(0))
            key = np.zeros(aig.num_vars, dtype=np.uint64)
        for j in range(val.shape[1]):
            key ^= val[:, j] ^ flip
            key *= HASH_MUL
            key ^= key >> np.uint64(29)
        trace = bad_trace()
        if trace is not None:
            break
    # class ids in order of each class's lowest variable: the refinement then checks the
    # pairs roughly in topological order (5-25% fewer SAT calls than hash order)
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    inv = rank[inv.reshape(-1)]
    cls = np.where(np.bincount(inv)[inv] > 1, inv, -1).astype(np.int64)
    return Simulation(cls, phase, trace)


def random_trace(aig: Aig, frames: int, words: int, seed: int) -> Trace | None:
    """A random trace from the initial states to a bad state (bad[0]) within `frames`:
    deep bugs behind counters, cheap to simulate once the machine is reduced."""
    for _, bad_trace in _random_run(aig, frames, words, seed):
        trace = bad_trace()
        if trace is not None:
            return trace
    return None


def _random_run(aig: Aig, frames: int, words: int, seed: int):
    """Per frame of 64 * words random traces from the initial states: (values of every
    variable, a function giving the trace of the first pattern that is bad there)."""
    from edapipe.verify.seq.simulate import ONES, RandomWords, Simulator

    rng = RandomWords(seed)
    sim = Simulator(aig)
    rand = lambda n: rng.words(n, words)
    state = rand(aig.num_latches)
    fixed = aig.latch_init != LATCH_INIT_X
    state[fixed] = np.where(aig.latch_init[fixed] == 1, ONES, np.uint64(0))[:, None]
    init, ins = state, []
    for _ in range(frames):
        ins.append(rand(aig.num_inputs))
        val = sim.values(ins[-1], state)
        bad = sim.lits(val, aig.bad[:1])[0] if aig.bad.size else None
        yield val, lambda: None if bad is None else _bad_trace(bad, init, ins)
        state = sim.lits(val, aig.latch_next)


def _bad_trace(bad: np.ndarray, init: np.ndarray, ins: list) -> Trace | None:
    """The trace of the first pattern whose bad bit (words `bad`) is set, if any."""
    hit = np.flatnonzero(bad)
    if hit.size == 0:
        return None
    w = int(hit[0])
    bit = np.uint64(int(bad[w]) & -int(bad[w]))          # its lowest set bit
    pick = lambda x: ((x[:, w] & bit) != 0).astype(np.uint8)
    return Trace(pick(init), np.stack([pick(x) for x in ins]))


def pair_arrays(cls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(representatives, members) of every class: the representative is the class's
    lowest variable, so merging never points a node at a later one."""
    member = np.flatnonzero(cls >= 0)
    order = np.argsort(cls[member], kind="stable")      # members stay ascending per class
    var, c = member[order], cls[member][order]
    first = np.ones(var.size, dtype=bool)
    first[1:] = c[1:] != c[:-1]
    rep = var[np.flatnonzero(first)[np.cumsum(first) - 1]]
    return rep[~first], var[~first]


def pairs_of(cls: np.ndarray) -> list[tuple[int, int]]:
    """(representative, member) pairs, as pair_arrays."""
    rep, var = pair_arrays(cls)
    return list(zip(rep.tolist(), var.tolist()))


def _whole(aig: Aig):
    from edapipe.verify.seq.model import Problem

    return Problem(aig, 0, int(aig.bad[0]) if aig.bad.size else 0,
                   np.arange(aig.num_latches), np.arange(aig.num_inputs),
                   np.arange(aig.first_and_var, aig.num_vars))


def split_words(cls: np.ndarray, words: np.ndarray, phase: np.ndarray
                ) -> tuple[np.ndarray, bool]:
    """Classes split by per-variable value words [num_vars, W] (not yet phase-normalized)."""
    from edapipe.verify.seq.simulate import ONES

    member = np.flatnonzero(cls >= 0)
    if member.size == 0:
        return cls, False
    w = words[member] ^ np.where(phase[member, None] == 1, ONES, np.uint64(0))
    keys = [w[:, j] for j in range(w.shape[1] - 1, -1, -1)] + [cls[member]]
    order = np.lexsort(keys)                             # by class, then by words
    new = np.ones(member.size, dtype=bool)
    new[1:] = cls[member][order][1:] != cls[member][order][:-1]
    for j in range(w.shape[1]):
        new[1:] |= w[order, j][1:] != w[order, j][:-1]
    group = np.cumsum(new) - 1
    size = np.bincount(group)
    out = np.full(cls.size, -1, dtype=np.int64)
    out[member[order]] = np.where(size[group] > 1, group, -1)
    old_classes = 1 + int(np.count_nonzero(np.diff(cls[member][order])))
    changed = int(size.size) != old_classes or bool((size == 1).any())
    return out, changed


class _Counterexamples:
    """Turns one SAT model into 64 splitting patterns by simulation: pattern 0 is the
    model itself (its first-frame state and its inputs of every frame: the model's values
    are a function of them), the other 63 take random inputs from the same state. For the
    induction step a pattern counts only if its hypothesis frames meet the hypothesis
    (every current class equality: the inputs feed gates of the classes too); the others
    repeat the model's values, so they split nothing that is really equal."""

    def __init__(self, aig: Aig, seed: int):
        from edapipe.verify.seq.simulate import RandomWords, Simulator

        self.aig = aig
        self.sim = Simulator(aig)
        self.rng = RandomWords(seed)

    def _inputs(self, bits: np.ndarray) -> np.ndarray:
        w = self.rng.words(self.aig.num_inputs, 1)
        return (w & ~np.uint64(1)) | np.asarray(bits, dtype=np.uint64).reshape(-1, 1)

    def words(self, state: np.ndarray, ins: list[np.ndarray], induction: bool,
              rep: np.ndarray, var: np.ndarray, phase: np.ndarray) -> np.ndarray:
        """Values to split by, from the model's first state and its inputs of each frame
        (`ins`): for induction [num_vars, 1], the checked (last) frame; for the base case
        [num_vars, frames], every frame (all reachable). (rep, var): the current pairs."""
        from edapipe.verify.seq.simulate import ONES

        aig, sim = self.aig, self.sim
        st = np.where(np.asarray(state, dtype=bool).reshape(-1, 1), ONES, np.uint64(0))
        vals = []
        for bits in ins:
            vals.append(sim.values(self._inputs(bits), st))
            st = sim.lits(vals[-1], aig.latch_next)
        if not induction:
            return vals[0] if len(vals) == 1 else np.concatenate(vals, axis=1)
        # a pattern counts only if every hypothesis frame meets the current equalities
        broken = np.zeros(1, dtype=np.uint64)
        for val in vals[:-1]:
            broken |= _broken(val, rep, var, phase)
        val = vals[-1]
        model = np.uint64(0) - (val & np.uint64(1))            # pattern 0 in every bit
        return (val & ~broken) | (model & broken)

    def successors(self, val: np.ndarray, cls: np.ndarray, phase: np.ndarray
                   ) -> np.ndarray:
        """Classes split further by up to SUCCESSORS frames after the checked frame
        `val`, under random inputs. Once split by `val`, the classes hold in each of its
        patterns, so each successor is a counter-example to the induction of the new
        classes too (a state meeting them, one step on), and in the base case a
        reachable state: free splits, none of an equality that an inductive set within
        the current classes contains, so the fixpoint is the same with fewer SAT calls
        (s35932: 441 against 982, s15850.1 999 against 1452). With k hypothesis frames
        too: the successor's k predecessors are the pattern's last k-1 hypothesis frames,
        which met the old (coarser) classes, and the checked frame, which meets the new."""
        aig, sim = self.aig, self.sim
        for _ in range(SUCCESSORS):
            val = sim.values(self.rng.words(aig.num_inputs, val.shape[1]),
                             sim.lits(val, aig.latch_next))
            cls, changed = split_words(cls, val, phase)
            if not changed:
                break
        return cls


def _broken(val: np.ndarray, rep: np.ndarray, var: np.ndarray, phase: np.ndarray
            ) -> np.ndarray:
    """[1] word: the patterns of `val` that break some equality of the pairs."""
    if rep.size == 0:
        return np.zeros(1, dtype=np.uint64)
    flip = np.uint64(0) - (phase[rep] ^ phase[var]).astype(np.uint64)
    return np.bitwise_or.reduce(val[rep, 0] ^ val[var, 0] ^ flip).reshape(1)


# frames simulated on from each SAT model's patterns while they split classes
SUCCESSORS = 8
# the induction's solver: MiniSat, or CaDiCaL 1.9.5 from this many hypothesis equalities
# (each solve assumes all of them). Correspondence CPU, in-process, alternated, load 10:
# s35932 (~15 000 pairs) m22 14.6 / 15.4 s, cd195 7.0 / 6.5 s; s15850.1 (~5 000) m22
# 3.6 s, cd195 4.1 s; s9234.1 0.67 / 0.81 s; s5378 0.50 / 0.56 s
CADICAL_PAIRS = 10_000
BATCH = 64       # pairs one SAT call proves together (64-256 measured; 64 fastest)


def refine(aig: Aig, cls: np.ndarray, phase: np.ndarray, induction: bool,
           expired, cex: "_Counterexamples", solver_name: str = "m22", frames: int = 1
           ) -> tuple[np.ndarray, int]:
    """Refine the classes to a fixpoint: base (pairs checked in the first `frames` frames
    from the initial states) or induction (a path of `frames` free states meeting the
    current class equalities, pairs checked in the next frame; ABC's `scorr -F k`).
    Returns (classes, SAT calls); TimeoutError once `expired()` is true.

    One SAT call asks whether any pair of a batch differs: most candidates that survive
    simulation are true, and an UNSAT answer proves the whole batch at once. Each class
    equality of the hypothesis has its own activation literal, assumed while it is a
    current pair; the UNSAT core names the equalities the proof used, and a proof stays
    valid while all of them are still current, so after a split only the batches whose
    proofs used a dropped equality are checked again. Each SAT model splits, through
    `cex`, every class its patterns separate (at least the pair that differs in it).
    """
    from pysat.solvers import Solver

    q = _Queries(aig, induction, frames)
    s = Solver(name=solver_name, bootstrap_with=q.enc.clauses)
    proofs = _Proofs(aig.num_vars)
    calls = 0
    try:
        while True:
            rep, var = pair_arrays(cls)
            todo = proofs.todo(rep, var)
            if not todo.size:
                return cls, calls
            hyps = q.assumptions(s, rep, var, phase)
            for lo in range(0, todo.size, BATCH):
                if expired():
                    raise TimeoutError
                calls += 1
                batch = todo[lo:lo + BATCH]
                model, used = q.any_differs(s, rep[batch], var[batch], hyps, phase)
                if model is not None:
                    words = cex.words(*q.patterns(model), induction, rep, var, phase)
                    cls, changed = split_words(cls, words, phase)
                    if not changed:
                        # the model's pair differs in pattern 0 by construction
                        raise RuntimeError("scorr: a SAT model split no class")
                    cls = cex.successors(words, cls, phase)
                    break
                proofs.add(rep[batch], var[batch], used)
    finally:
        s.delete()


class _Proofs:
    """Which pairs are proven, and by which hypothesis: a proof of pair (r, v) records the
    hypothesis equalities its UNSAT core used, and stays valid while each of them is still
    a current pair (its member still has that representative)."""

    def __init__(self, num_vars: int):
        self.rep = np.full(num_vars, -1, dtype=np.int64)   # per member: proven with this rep
        self.group = np.zeros(num_vars, dtype=np.int64)    # per member: its proof's core
        self.groups = 0
        # every core's equalities, flat: (rep, member, proof)
        self._used: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, rep: np.ndarray, var: np.ndarray, used) -> None:
        self.rep[var] = rep
        self.group[var] = self.groups
        ur, uv = used
        self._used.append((ur, uv, np.full(ur.size, self.groups, dtype=np.int64)))
        self.groups += 1

    def todo(self, rep: np.ndarray, var: np.ndarray) -> np.ndarray:
        """Positions of the pairs (rep[i], var[i]) without a valid proof."""
        now = np.full(self.rep.size, -1, dtype=np.int64)
        now[var] = rep
        if len(self._used) > 1:
            self._used = [tuple(np.concatenate(x) for x in zip(*self._used))]
        valid = np.ones(self.groups + 1, dtype=bool)
        valid[-1] = False                                 # "no proof"
        if self._used:
            ur, uv, g = self._used[0]
            valid[g[now[uv] != ur]] = False               # a core equality is gone
        group = np.where(self.rep[var] == rep, self.group[var], self.groups)
        return np.flatnonzero(~valid[group])


class _Queries:
    """The CNF of one refinement with k = `frames`: induction unrolls k + 1 frames from a
    free state, the first k the hypothesis frames, the last the checked one; the base case
    unrolls k frames from the initial states, all checked. An activation literal per
    hypothesis equality (the same one in every hypothesis frame) and a "differs" literal
    per pair (in some checked frame), made when first needed."""

    def __init__(self, aig: Aig, induction: bool, frames: int = 1):
        from edapipe.verify.seq.model import Encoder

        self.induction = induction
        enc = self.enc = Encoder(_whole(aig))
        self.fr = [enc.frame()]
        for _ in range(frames - (0 if induction else 1)):
            self.fr.append(enc.frame(enc.next_lits(self.fr[-1])))
        if induction:
            self.hyp_frames, self.checked = self.fr[:-1], self.fr[-1:]
        else:
            self.hyp_frames, self.checked = [], self.fr
            enc.clauses += enc.init_units(enc.latch_lits(self.fr[0]))
        n = enc.p.aig.num_vars
        self.hyp_rep = np.full(n, -1, dtype=np.int64)     # per member: rep of its equality
        self.hyp_act = np.zeros(n, dtype=np.int64)         # ... and its activation literal
        self.act_pair: dict[int, tuple[int, int]] = {}
        self.diff_rep = np.full(n, -1, dtype=np.int64)    # per member: "differs" literal
        self.diff_lit = np.zeros(n, dtype=np.int64)        # in the checked frames, for a rep

    @staticmethod
    def _lits(frame, phase, r, v):
        a, b = int(frame[r]), int(frame[v])
        return a, (-b if phase[r] != phase[v] else b)

    def assumptions(self, s, rep, var, phase) -> list[int]:
        if not self.induction:
            return []
        new = np.flatnonzero(self.hyp_rep[var] != rep)
        for r, v in zip(rep[new].tolist(), var[new].tolist()):
            e = self.enc.new_var()
            self.hyp_rep[v], self.hyp_act[v], self.act_pair[e] = r, e, (r, v)
            for f in self.hyp_frames:
                a, b = self._lits(f, phase, r, v)
                s.append_formula([[-e, -a, b], [-e, a, -b]])
        return self.hyp_act[var].tolist()

    def any_differs(self, s, rep, var, hyps, phase):
        """(model, None) if some pair differs under the hypothesis, else (None, the
        hypothesis equalities the proof used, as (reps, members))."""
        for i in np.flatnonzero(self.diff_rep[var] != rep).tolist():
            r, v = int(rep[i]), int(var[i])
            d = self.enc.new_var()
            self.diff_rep[v], self.diff_lit[v] = r, d
            if len(self.checked) == 1:
                a, b = self._lits(self.checked[0], phase, r, v)
                s.append_formula([[-d, a, b], [-d, -a, -b]])
                continue
            ds = self.enc.new_vars(len(self.checked)).tolist()      # differs in frame t
            s.add_clause([-d] + ds)
            for f, dt in zip(self.checked, ds):
                a, b = self._lits(f, phase, r, v)
                s.append_formula([[-dt, a, b], [-dt, -a, -b]])
        act = self.enc.new_var()
        s.add_clause([-act] + self.diff_lit[var].tolist())
        try:
            if s.solve(assumptions=[act] + hyps):
                return s.get_model(), None
            core = [self.act_pair[x] for x in s.get_core() or [] if x in self.act_pair]
            used = np.asarray(core, dtype=np.int64).reshape(-1, 2)
            return None, (used[:, 0], used[:, 1])
        finally:
            s.add_clause([-act])

    def patterns(self, model) -> tuple[np.ndarray, list[np.ndarray]]:
        """0/1 values from a SAT model: the first frame's state and every frame's inputs."""
        from edapipe.verify.seq.model import model_bits

        m, enc = np.asarray(model, dtype=np.int64), self.enc
        state = model_bits(m, enc.latch_lits(self.fr[0]))
        return state, [model_bits(m, enc.input_lits(f)) for f in self.fr]


def correspondence(aig: Aig, params, stats: dict, expired=lambda: False,
                   frames: int = 1) -> Simulation:
    """Classes of signals equal in every reachable state (base + induction fixpoint, with
    `frames` hypothesis frames), or a random trace to a bad state (then the classes are
    the simulation's, unrefined). `params`: sec.SecParams; `expired()`: true when the
    time is up (TimeoutError)."""
    sim = simulate_classes(aig, params.sim_frames, params.sim_words, params.seed)
    stats["candidates"] = int((sim.cls >= 0).sum())
    if sim.trace is not None:
        return sim
    cex = _Counterexamples(aig, params.seed + 1)
    cls, calls = refine(aig, sim.cls, sim.phase, False, expired, cex, frames=frames)
    stats["sat_calls"] = calls
    pairs = int(pair_arrays(cls)[1].size)
    # with more hypothesis frames MiniSat wins at every size: s38417 against its retimed
    # version, 3 frames on what 1 frame leaves (16 494 candidates), 41 s against 68 s
    solver = "cd195" if pairs >= CADICAL_PAIRS and frames == 1 else "m22"
    cls, calls = refine(aig, cls, sim.phase, True, expired, cex, solver, frames)
    stats["sat_calls"] += calls
    stats["induction_solver"] = solver
    stats["proven_members"] = int((cls >= 0).sum())
    return Simulation(cls, sim.phase, None)
