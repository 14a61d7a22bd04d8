"""IC3 / property directed reachability (Bradley 2011; Een, Mishchenko, Brayton 2011).

Frames F_0 = init, F_1 .. F_N over-approximate the states reachable in 0..k steps. A lemma is
the negation of a cube of latch literals; lemmas are kept "delta encoded" (Een et al.): a
lemma of level k belongs to F_1 .. F_k, and solver k holds every lemma of level >= k. Blocking
a cube c at level k asks F_{k-1} & !c & C & T & c' (relative induction); a SAT answer gives a
predecessor, lifted to a cube (the states that reach c' for those inputs, constraints
held; below), and queued as a proof obligation one level down (a priority queue by level).
An UNSAT answer gives a core, shrunk further by dropping literals one at a time (MIC
with the core after every success) and pushed to the highest level it holds at. After
each level is clear of bad states, lemmas are propagated forward; two equal levels make an
inductive invariant. A predecessor cube that meets the initial states is a counter-example,
replayed from the queue's chain of obligations.

Lifting (after ABC's pdrTsim.c): with the predecessor's inputs fixed, state literals are set
to X in order of rising activity, each kept X only if the target's next-state literals (or
the bad literal) and the constraints stay binary with the required values. Ternary
simulation is monotone in X, so one bit-parallel pass over the prefixes "the committed Xs
plus the next k candidates" finds how far the greedy run goes, and the same pass tries each
candidate alone (one failing alone is kept at once). The default (`lifting="sat"`) is a
SAT call whose unsat core over the assumed state literals is the cube; "both" runs it on
the ternary survivors (it can see through reconvergence, which ternary simulation cannot).

Cubes are tuples of sorted literals 2*j + neg over the COI latch indices j of the Problem
(neg: latch j is 0 in the cube).
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import LATCH_INIT_X
from edapipe.verify.seq.model import Encoder, Problem, model_bits
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Result, full_trace

INF = 1 << 30
RECYCLE = 800            # dead activation literals before a solver is rebuilt
# predecessor lifting: the SAT call's unsat core, ternary simulation (ABC's default), or
# both in turn. SAT is the default: ternary lifting gives fewer lemmas and SAT calls but
# cost 3 % more CPU overall on the benchmarks PDR solves, up to 40 % on one
# (docs/verification.md)
LIFTINGS = ("sat", "ternary", "both")
TERNARY_CHUNK = 128      # candidates per ternary pass (two patterns each)
ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass
class Obligation:
    level: int
    cube: tuple
    inputs: np.ndarray           # input values (COI) in this state's frame
    parent: "Obligation | None"  # the state this one leads to (None: bad in this frame)
    depth: int                   # frames to the bad state


class Undecided(Exception):
    pass


class _Solver:
    """A pysat solver, the count of its dead activation variables, and which part of the
    transition relation it holds: the AND nodes (by AIG variable) and the next-state
    equivalences (by COI latch) loaded so far."""

    def __init__(self, name: str, clauses: list, num_vars: int, num_latches: int):
        from pysat.solvers import Solver

        self.s = Solver(name=name, bootstrap_with=clauses)
        self.dead = 0
        self.nodes = bytearray(num_vars)
        self.primed = bytearray(num_latches)


class Pdr:
    def __init__(self, prob: Problem, solver_name: str = "cd195", deadline: float = 0.0,
                 max_frames: int = 0, lifting: str = "sat"):
        if lifting not in LIFTINGS:
            raise ValueError(f"unknown lifting {lifting!r}")
        self.p = prob
        self.use_ternary = lifting in ("ternary", "both")
        self.sat_lift = lifting in ("sat", "both")
        self.ternary = None                      # built on the first lifting
        self.name = solver_name
        self.deadline = deadline
        self.max_frames = max_frames
        enc = self.enc = Encoder(prob)
        m = enc.frame()
        self.s = enc.latch_lits(m)
        self.i = enc.input_lits(m)
        self.sp = enc.new_vars(self.s.size)
        # The transition relation goes into a solver cone by cone, when a query first
        # needs it (ABC's pdr does the same): a relative-induction query needs only the
        # next-state functions of its cube's latches, and a solver holding all of T pays
        # for the rest in every call (s13207.1's retimed miter: 133 latches, 610 ANDs).
        self.base = [[-enc.false]]               # the constant
        enc.clauses = []
        self._lit = m.tolist()                   # AIG variable -> solver variable
        self._first = prob.aig.first_and_var
        self._f0 = prob.aig.fanin0.tolist()
        self._f1 = prob.aig.fanin1.tolist()
        self._next_aig = prob.aig.latch_next[prob.latches].tolist()
        self._next = enc.next_lits(m).tolist()
        self._always = [prob.bad, *prob.constraints.tolist()]   # loaded in every solver
        self.cons = enc.constraint_lits(m)
        self.bad = enc.lit(m, prob.bad)
        self.init = prob.init.astype(np.int64).tolist()
        self.init_units = enc.init_units(self.s)
        self.cur_of = {}                         # solver literal -> cube literal
        self.pri_of = {}
        for j, (a, b) in enumerate(zip(self.s.tolist(), self.sp.tolist())):
            self.cur_of[a], self.cur_of[-a] = 2 * j, 2 * j + 1
            self.pri_of[b], self.pri_of[-b] = 2 * j, 2 * j + 1
        self.s_list, self.sp_list = self.s.tolist(), self.sp.tolist()
        self.frames: list[list[tuple]] = []      # frames[k]: lemmas of level exactly k
        self.inf: list[tuple] = []
        self.solvers: list[_Solver] = []
        self.lift_solver: _Solver | None = None
        self.activity = [0.0] * self.s.size
        self.stats = dict(sat_calls=0, lemmas=0, obligations=0, recycled=0,
                          ternary_passes=0, lifted_ternary=0, lifted_sat=0)

    # ---- solvers -----------------------------------------------------------------------
    def _frame_clauses(self, k: int) -> list:
        cls = self.base + [[c] for c in self.cons]
        if k == 0:
            return cls + self.init_units
        lemmas = [c for lev in range(k, len(self.frames)) for c in self.frames[lev]]
        return cls + [self._neg(c) for c in lemmas + self.inf]

    def _solver(self, clauses: list) -> _Solver:
        """A solver with `clauses` and the cones of the bad literal and the constraints."""
        sv = _Solver(self.name, clauses, len(self._lit), self.s.size)
        self._load(sv, self._always)
        return sv

    def _load(self, sv: _Solver, aig_lits) -> None:
        """Put the AND nodes of the cones of `aig_lits` into `sv` where they are not yet."""
        nodes, lit, first, f0, f1 = sv.nodes, self._lit, self._first, self._f0, self._f1
        cls = []
        stack = [x >> 1 for x in aig_lits]
        while stack:
            v = stack.pop()
            if v < first or nodes[v]:
                continue
            nodes[v] = 1
            a, b = f0[v - first], f1[v - first]
            g = lit[v]
            x = -lit[a >> 1] if a & 1 else lit[a >> 1]
            y = -lit[b >> 1] if b & 1 else lit[b >> 1]
            cls += ([-g, x], [-g, y], [g, -x, -y])
            stack += (a >> 1, b >> 1)
        if cls:
            sv.s.append_formula(cls)

    def _load_primed(self, sv: _Solver, cube) -> None:
        """Make the primed variables of the cube's latches equal their next-state
        functions in `sv` (with those functions' cones)."""
        primed = sv.primed
        new = [l >> 1 for l in cube if not primed[l >> 1]]
        if not new:
            return
        self._load(sv, [self._next_aig[j] for j in new])
        sp, nxt = self.sp_list, self._next
        cls = []
        for j in new:
            primed[j] = 1
            cls += ([-sp[j], nxt[j]], [sp[j], -nxt[j]])
        sv.s.append_formula(cls)

    def _new_frame(self) -> None:
        self.frames.append([])
        self.solvers.append(self._solver(self._frame_clauses(len(self.solvers))))

    def _recycle(self, k: int) -> None:
        self.solvers[k].s.delete()
        self.solvers[k] = self._solver(self._frame_clauses(k))
        self.stats["recycled"] += 1

    def _lift(self) -> _Solver:
        if self.lift_solver is None or self.lift_solver.dead > RECYCLE:
            if self.lift_solver is not None:
                self.lift_solver.s.delete()
            self.lift_solver = self._solver(list(self.base))
        return self.lift_solver

    def _neg(self, cube) -> list[int]:
        s = self.s_list
        return [s[l >> 1] if l & 1 else -s[l >> 1] for l in cube]

    def _cur(self, cube) -> list[int]:
        s = self.s_list
        return [-s[l >> 1] if l & 1 else s[l >> 1] for l in cube]

    def _pri(self, cube) -> list[int]:
        s = self.sp_list
        return [-s[l >> 1] if l & 1 else s[l >> 1] for l in cube]

    def _solve(self, sv: _Solver, assumptions) -> bool:
        self.stats["sat_calls"] += 1
        if self.deadline and time.monotonic() > self.deadline:
            raise Undecided
        return sv.s.solve(assumptions=assumptions)

    # ---- cubes and init ----------------------------------------------------------------
    def meets_init(self, cube) -> bool:
        init = self.init
        for l in cube:
            v = init[l >> 1]
            if v != LATCH_INIT_X and v == (l & 1):     # init 0 with a positive literal, ...
                return False
        return True

    def _fix_init(self, core: tuple, full: tuple) -> tuple:
        """`core` made disjoint from the initial states with a literal of `full`."""
        if not self.meets_init(core):
            return core
        init = self.init
        for l in full:
            v = init[l >> 1]
            if v != LATCH_INIT_X and v == (l & 1):
                return tuple(sorted(core + (l,)))
        raise AssertionError("a blocked cube meets the initial states")

    # ---- queries -----------------------------------------------------------------------
    def relative(self, cube: tuple, k: int, want_model: bool = False):
        """Is !cube inductive relative to F_k? (True, core cube) or (False, model or None)."""
        sv = self.solvers[k]
        self._load_primed(sv, cube)
        act = self.enc.new_var()
        sv.s.add_clause([-act] + self._neg(cube))
        ok = not self._solve(sv, [act] + self._pri(cube))
        if ok:
            core = sv.s.get_core() or []
            pri = self.pri_of
            got = tuple(sorted(pri[x] for x in core if x in pri))
            out = (True, self._fix_init(got, cube))
        else:
            out = (False, sv.s.get_model() if want_model else None)
        sv.s.add_clause([-act])
        sv.dead += 1
        if sv.dead > RECYCLE:
            self._recycle(k)
        return out

    def lift(self, model, target: tuple | None) -> tuple[tuple, np.ndarray]:
        """(cube, inputs) of the states that, with the model's inputs, reach target' (or a
        bad state when target is None) with every constraint held."""
        inputs = model_bits(model, self.i)
        state = model_bits(model, self.s)
        keep = range(len(state))
        if self.use_ternary:
            keep = self.ternary_lift(state, inputs, target)
            self.stats["lifted_ternary"] += len(state) - len(keep)
        cur = self.cur_of
        s, st = self.s_list, state.tolist()
        slits = [s[j] if st[j] else -s[j] for j in keep]
        if not self.sat_lift:
            return tuple(sorted(cur[x] for x in slits)), inputs
        sv = self._lift()
        if target is not None:
            self._load_primed(sv, target)
        act = self.enc.new_var()
        tail = [-self.bad] if target is None else [-x for x in self._pri(target)]
        sv.s.add_clause([-act] + tail + [-c for c in self.cons])
        ilits = [x if v else -x for x, v in zip(self.i.tolist(), inputs.tolist())]
        if self._solve(sv, [act] + ilits + slits):
            raise AssertionError("lifting found no implication: the model is not a predecessor")
        core = set(sv.s.get_core() or [])
        cube = tuple(sorted(cur[x] for x in slits if x in core))
        self.stats["lifted_sat"] += len(slits) - len(cube)
        sv.s.add_clause([-act])
        sv.dead += 1
        return cube, inputs

    def ternary_lift(self, state: np.ndarray, inputs: np.ndarray, target: tuple | None
                     ) -> list[int]:
        """COI latch positions whose values must stay binary for the predecessor `state`
        (0/1 per COI latch), with `inputs`, to reach target' (bad) with the constraints
        held; the others may be X. Greedy in order of rising activity."""
        p, aig = self.p, self.p.aig
        if self.ternary is None:
            from edapipe.verify.seq.reach import Ternary

            self.ternary = Ternary(aig)
        if target is None:
            lits, want = [p.bad], [1]
        else:
            nxt = aig.latch_next[p.latches]
            lits = [int(nxt[l >> 1]) for l in target]
            want = [1 - (l & 1) for l in target]
        lits = np.array(lits + p.constraints.tolist(), dtype=np.int64)
        if not len(lits):
            return []
        want = np.array(want + [1] * p.constraints.size, dtype=bool)
        lat_ci = aig.num_inputs + p.latches
        base = np.zeros((aig.num_cis, 1), dtype=np.uint64)
        base[p.inputs, 0] = np.where(inputs.astype(bool), ONES, np.uint64(0))
        base[lat_ci, 0] = np.where(state.astype(bool), ONES, np.uint64(0))
        x_all = np.zeros(aig.num_cis, dtype=bool)       # latches committed to X
        act = self.activity
        rest = sorted(range(len(state)), key=lambda j: act[j])
        keep = []
        while rest:
            chunk, rest = rest[:TERNARY_CHUNK], rest[TERNARY_CHUNK:]
            m = len(chunk)
            # pattern k < m: the committed Xs plus chunk[0..k] (the greedy run's prefixes);
            # pattern m + k: the committed Xs plus chunk[k] alone. Monotone in X: a
            # candidate failing alone fails at its turn too, so it is kept without a pass.
            pat = np.arange((2 * m + 63) // 64 * 64)
            k = np.arange(m)[:, None]
            xm = np.packbits(((pat >= k) & (pat < m)) | (pat == m + k), axis=1,
                             bitorder="little").view(np.uint64)
            may = np.repeat(base, xm.shape[1], axis=1)
            must = may.copy()
            may[x_all] = ONES
            must[x_all] = 0
            rows = lat_ci[chunk]
            may[rows] |= xm
            must[rows] &= ~xm
            self.stats["ternary_passes"] += 1
            val, known = self.ternary.binary(may, must, lits)
            good = np.bitwise_and.reduce(known & np.where(want[:, None], val, ~val), axis=0)
            bits = np.unpackbits(good.view(np.uint8), bitorder="little")[:2 * m]
            fail = np.flatnonzero(bits[:m] == 0)
            f = int(fail[0]) if len(fail) else m
            x_all[lat_ci[chunk[:f]]] = True
            if f < m:
                keep.append(chunk[f])
                later = chunk[f + 1:]
                alone = bits[m + f + 1:2 * m].tolist()
                keep += [j for j, ok in zip(later, alone) if not ok]
                rest = [j for j, ok in zip(later, alone) if ok] + rest
        return sorted(keep)

    # ---- lemmas ------------------------------------------------------------------------
    def add_lemma(self, cube: tuple, level: int) -> None:
        self.stats["lemmas"] += 1
        cs = set(cube)
        top = len(self.frames) - 1 if level >= INF else level
        for k in range(1, top + 1):
            self.frames[k] = [c for c in self.frames[k] if not cs.issubset(c)]
        (self.inf if level >= INF else self.frames[level]).append(cube)
        clause = self._neg(cube)
        for k in range(1, min(top, len(self.solvers) - 1) + 1):
            self.solvers[k].s.add_clause(clause)
        for l in cube:
            self.activity[l >> 1] += 1.0

    def blocked(self, cube: tuple, level: int) -> bool:
        cs = set(cube)
        for k in range(level, len(self.frames)):
            for c in self.frames[k]:
                if len(c) <= len(cs) and cs.issuperset(c):
                    return True
        return any(cs.issuperset(c) for c in self.inf)

    def generalize(self, cube: tuple, level: int) -> tuple:
        """Drop literals while !cube stays inductive relative to F_{level-1} (MIC)."""
        act = self.activity
        order = sorted(cube, key=lambda l: act[l >> 1])
        cur = cube
        for l in order:
            if l not in cur or len(cur) == 1:
                continue
            cand = tuple(x for x in cur if x != l)
            if self.meets_init(cand):
                continue
            ok, core = self.relative(cand, level - 1)
            if ok:
                cur = core
        return cur

    # ---- main loop ---------------------------------------------------------------------
    def run(self) -> Result:
        start = time.process_time()
        try:
            res = self._run()
        except Undecided:
            res = Result(UNDECIDED, "pdr", len(self.frames) - 1)
        finally:
            for sv in self.solvers + ([self.lift_solver] if self.lift_solver else []):
                sv.s.delete()
        res.seconds = time.process_time() - start
        res.stats = dict(self.stats, frames=len(self.frames) - 1)
        return res

    def _run(self) -> Result:
        self._new_frame()                                  # F_0: the initial states
        if self._solve(self.solvers[0], [self.bad]):
            model = self.solvers[0].s.get_model()
            return self._trace0(model)
        self._new_frame()
        while True:
            n = len(self.frames) - 1
            while self._solve(self.solvers[n], [self.bad]):
                cube, inputs = self.lift(self.solvers[n].s.get_model(), None)
                cex = self.block(Obligation(n, cube, inputs, None, 0))
                if cex is not None:
                    return cex
            if self.max_frames and n >= self.max_frames:
                return Result(UNDECIDED, "pdr", n)
            self._new_frame()
            inv = self.propagate()
            if inv is not None:
                return Result(HOLDS, "pdr", n, invariant=self._global(inv))

    def block(self, first: Obligation) -> Result | None:
        n = len(self.frames) - 1
        seq = itertools.count()
        heap = [(first.level, next(seq), first)]
        while heap:
            _, _, ob = heapq.heappop(heap)
            self.stats["obligations"] += 1
            if self.blocked(ob.cube, ob.level):
                continue
            ok, x = self.relative(ob.cube, ob.level - 1, want_model=True)
            if ok:
                g = self.generalize(x, ob.level)
                j = ob.level
                while j < n and self.relative(g, j)[0]:
                    j += 1
                self.add_lemma(g, j)
                if j < n:
                    heapq.heappush(heap, (j + 1, next(seq), Obligation(
                        j + 1, ob.cube, ob.inputs, ob.parent, ob.depth)))
                continue
            cube, inputs = self.lift(x, ob.cube)
            pred = Obligation(ob.level - 1, cube, inputs, ob, ob.depth + 1)
            if self.meets_init(cube):
                return self._trace(pred)
            heapq.heappush(heap, (pred.level, next(seq), pred))
            heapq.heappush(heap, (ob.level, next(seq), ob))
        return None

    def propagate(self) -> list[tuple] | None:
        """Push lemmas forward; the lemmas of levels above an emptied level if one empties."""
        n = len(self.frames) - 1
        for k in range(1, n):
            for cube in list(self.frames[k]):
                if cube not in self.frames[k]:
                    continue                              # subsumed meanwhile
                ok, core = self.relative(cube, k)
                if ok:
                    self.frames[k].remove(cube)
                    self.add_lemma(core, k + 1)
            if not self.frames[k]:
                return [c for lev in range(k + 1, n + 1) for c in self.frames[lev]] + self.inf
        return None

    # ---- answers -----------------------------------------------------------------------
    def _global(self, cubes: list[tuple]) -> list[tuple]:
        lat = self.p.latches.tolist()
        return [tuple(2 * lat[l >> 1] + (l & 1) for l in c) for c in cubes]

    def _init_values(self, cube: tuple) -> np.ndarray:
        vals = np.array([0 if v == LATCH_INIT_X else v for v in self.init], dtype=np.uint8)
        for l in cube:
            vals[l >> 1] = 1 - (l & 1)
        return vals

    def _trace(self, ob: Obligation) -> Result:
        init = self._init_values(ob.cube)
        frames = []
        node = ob
        while node is not None:
            frames.append(node.inputs)
            node = node.parent
        return Result(FAILS, "pdr", len(frames) - 1, trace=full_trace(self.p, init, frames))

    def _trace0(self, model) -> Result:
        init = model_bits(model, self.s)
        return Result(FAILS, "pdr", 0,
                      trace=full_trace(self.p, init, [model_bits(model, self.i)]))


def pdr(prob: Problem, max_frames: int = 0, deadline: float = 0.0,
        solver_name: str = "cd195") -> Result:
    return Pdr(prob, solver_name, deadline, max_frames).run()
