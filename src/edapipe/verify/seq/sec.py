"""Sequential equivalence checking from the initial states (ABC's `dsec` / `scorr` + `pdr`).

1. The product machine: A and B side by side over shared inputs (matched by name or
   position), one bad output that is 1 when some matched pair of outputs differs.
2. Signal correspondence (van Eijk 2000; ABC `scorr`): candidate classes of equal (or
   complementary) signals from random simulation from the initial states, then refined
   until the equalities hold in the initial states (base) and imply themselves one step
   later (induction: a free state satisfying all of them, its successor checked pair by
   pair; every SAT model splits the classes it separates; UNSAT cores record which
   equalities each proof used, so only proofs that lost one are redone). The fixpoint
   holds in every reachable state. Every node takes part, not only latches: after retiming a latch of B
   equals a gate of A, not a latch.
3. If every output pair fell into one class the designs are equivalent. Otherwise PDR runs
   on the product with the proven equalities as invariant constraints (they hold on every
   reachable state, so they remove no real trace and give the solver the correspondence).
   X-initialized latches are free in both designs: equivalent means equal for every reset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.errors import InputError
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Trace


@dataclass(frozen=True)
class SecParams:
    by_position: bool = False
    time_limit: float = 0.0
    engine: str = "auto"             # for what correspondence leaves (prove's engines)
    sim_frames: int = 24
    sim_words: int = 4
    seed: int = 0


@dataclass
class Product:
    aig: Aig                  # latches: A's then B's; bad[0]: some output pair differs
    a: Aig
    b: Aig
    perm_in: np.ndarray       # B input index of each A input
    perm_out: np.ndarray      # B output index of each A output

    @property
    def out_pairs(self) -> list[tuple[int, int]]:
        """(A's output literal, B's) in the product: its outputs are a0, b0, a1, b1, ..."""
        o = self.aig.outputs.tolist()
        return [(o[2 * k], o[2 * k + 1]) for k in range(len(o) // 2)]


@dataclass
class SecResult:
    status: str
    seconds: float
    pairs: int
    classes: int = 0
    proven_by: str = ""
    trace_a: Trace | None = None       # over A's inputs and latches
    init_b: np.ndarray | None = None   # B's latch values of the counter-example
    failing: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"status": {HOLDS: "equivalent", FAILS: "not equivalent",
                          UNDECIDED: "undecided"}[self.status],
               "outputs": self.pairs, "seconds": round(self.seconds, 3),
               "proven_by": self.proven_by, "equivalence_classes": self.classes}
        if self.trace_a is not None:
            out["frames"] = self.trace_a.length
            out["failing"] = self.failing
        return out


def product(a: Aig, b: Aig, by_position: bool = False) -> Product:
    from edapipe.aig.builder import AigBuilder
    from edapipe.verify.miter import match

    problems: list[str] = []
    perm_in = match("input", a, b, by_position, problems)
    perm_out = match("output", a, b, by_position, problems)
    for label, d in (("A", a), ("B", b)):
        if d.bad.size or d.constraints.size:
            problems.append(f"{label} has bad-state properties or constraints (sec compares "
                            "outputs; check properties with prove)")
    if problems:
        raise InputError("the designs' interfaces differ (A is the first design, B the "
                         "second): " + "; ".join(problems))
    bld = AigBuilder(name="sec_product")
    ins = [bld.add_input(a.input_name(k)) for k in range(a.num_inputs)]
    b_ins = [0] * b.num_inputs
    for k, kb in enumerate(perm_in.tolist()):
        b_ins[kb] = ins[k]
    map_a = _copy(bld, a, ins, "A.", 0)
    map_b = _copy(bld, b, b_ins, "B.", a.num_latches)
    diffs = []
    for k, kb in enumerate(perm_out.tolist()):
        la = map_a[a.outputs[k] >> 1] ^ (int(a.outputs[k]) & 1)
        lb = map_b[b.outputs[kb] >> 1] ^ (int(b.outputs[kb]) & 1)
        bld.add_output(la, "A." + a.output_name(k))
        bld.add_output(lb, "B." + b.output_name(kb))
        diffs.append(bld.xor_(la, lb))
    bld.add_bad(bld.or_n(diffs))
    return Product(bld.build(), a, b, perm_in, perm_out)


def _copy(bld, d: Aig, ins: list[int], prefix: str, first_latch: int) -> list[int]:
    """Copy d's latches and ANDs into the builder; its literal of each of d's variables."""
    lit = [0] * d.num_vars
    for k, x in enumerate(ins):
        lit[1 + k] = x
    for k in range(d.num_latches):
        idx = bld.add_latch(prefix + d.latch_name(k), int(d.latch_init[k]))
        lit[1 + d.num_inputs + k] = bld.latch_lit(idx)
    for k, (f0, f1) in enumerate(zip(d.fanin0.tolist(), d.fanin1.tolist())):
        lit[d.first_and_var + k] = bld.and_(lit[f0 >> 1] ^ (f0 & 1), lit[f1 >> 1] ^ (f1 & 1))
    for k, nx in enumerate(d.latch_next.tolist()):
        bld.set_latch_next(first_latch + k, lit[nx >> 1] ^ (nx & 1))
    return lit


# ---- candidate classes ---------------------------------------------------------------
def simulate_classes(aig: Aig, frames: int, words: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(class id per variable, -1 alone; phase per variable) from random traces that start
    in the initial states (X latches random). Phase makes a variable's first bit 0, so
    complementary signals share a class."""
    from edapipe.verify.seq.simulate import ONES, Simulator

    rng = np.random.default_rng(seed)
    sim = Simulator(aig)
    rand = lambda n: rng.integers(0, ONES, size=(n, words), dtype=np.uint64, endpoint=True)
    state = rand(aig.num_latches)
    fixed = aig.latch_init != LATCH_INIT_X
    state[fixed] = np.where(aig.latch_init[fixed] == 1, ONES, np.uint64(0))[:, None]
    cols = []
    for _ in range(frames):
        val = sim.values(rand(aig.num_inputs), state)
        cols.append(val)
        state = sim.lits(val, aig.latch_next)
    sig = np.concatenate(cols, axis=1)
    phase = (sig[:, 0] & np.uint64(1)).astype(np.uint8)
    sig[phase.astype(bool)] ^= ONES
    _, inv, counts = np.unique(sig, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    cls = np.where(counts[inv] > 1, inv, -1).astype(np.int64)
    return cls, phase


def pairs_of(cls: np.ndarray) -> list[tuple[int, int]]:
    """(representative, member) pairs: the representative is the class's lowest variable,
    so merging never points a node at a later one."""
    rep: dict[int, int] = {}
    out = []
    for v in np.flatnonzero(cls >= 0).tolist():
        c = int(cls[v])
        if c in rep:
            out.append((rep[c], v))
        else:
            rep[c] = v
    return out


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
    rows = np.concatenate([cls[member, None].astype(np.uint64), w], axis=1)
    _, inv, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    out = np.full(cls.size, -1, dtype=np.int64)
    out[member] = np.where(counts[inv] > 1, inv, -1)
    changed = (int(np.unique(out[out >= 0]).size) != int(np.unique(cls[member]).size)
               or int((out >= 0).sum()) != member.size)
    return out, changed


class _Counterexamples:
    """Turns one SAT model into 64 splitting patterns: the model's own values, and 63
    random successors of its first-frame state (for the induction step: any inputs from a
    state that meets the hypothesis give a valid counter-example to induction)."""

    def __init__(self, aig: Aig, seed: int):
        from edapipe.verify.seq.simulate import Simulator

        self.aig = aig
        self.sim = Simulator(aig)
        self.rng = np.random.default_rng(seed)

    def words(self, state: np.ndarray, step: bool, model_vals: np.ndarray) -> np.ndarray:
        from edapipe.verify.seq.simulate import ONES

        aig, sim = self.aig, self.sim
        rand = lambda n: self.rng.integers(0, ONES, size=(n, 1), dtype=np.uint64,
                                           endpoint=True)
        st = np.where(state.reshape(-1, 1) == 1, ONES, np.uint64(0))
        val = sim.values(rand(aig.num_inputs), st)
        if step:
            val = sim.values(rand(aig.num_inputs), sim.lits(val, aig.latch_next))
        # pattern 0 is the model itself
        val[:, 0] = (val[:, 0] & ~np.uint64(1)) | model_vals.astype(np.uint64)
        return val


def refine(aig: Aig, cls: np.ndarray, phase: np.ndarray, induction: bool,
           deadline: float, cex: "_Counterexamples", solver_name: str = "m22"
           ) -> tuple[np.ndarray, int]:
    """Refine the classes to a fixpoint: base (pairs checked in the initial states) or
    induction (a free state meeting the current class equalities, pairs checked in its
    successor). Returns (classes, SAT calls).

    Each class equality of the hypothesis has its own activation literal, assumed while it
    is a current pair. An UNSAT answer keeps its core, the equalities the proof used; a
    proof stays valid while all of them are still current, so after a split only the pairs
    whose proofs used a dropped equality are checked again (most proofs use a few). Each SAT
    model splits, through `cex`, every class its patterns separate.
    """
    from pysat.solvers import Solver

    from edapipe.verify.seq.model import Encoder, model_bits

    enc = Encoder(_whole(aig))
    m0 = enc.frame()
    if induction:
        m = enc.frame(enc.next_lits(m0))
    else:
        m = m0
        enc.clauses += enc.init_units(enc.latch_lits(m0))
    s = Solver(name=solver_name, bootstrap_with=enc.clauses)
    hyp: dict[tuple, int] = {}          # pair -> activation of its frame-0 equality
    key_of: dict[int, tuple] = {}
    diff: dict[tuple, int] = {}         # pair -> "differs in the checked frame"

    def lits(frame, r, v):
        a, b = int(frame[r]), int(frame[v])
        return a, (-b if phase[r] != phase[v] else b)

    def assumptions(pairs):
        if not induction:
            return []
        out = []
        for p in pairs:
            e = hyp.get(p)
            if e is None:
                e = hyp[p] = enc.new_var()
                key_of[e] = p
                a, b = lits(m0, *p)
                s.append_formula([[-e, -a, b], [-e, a, -b]])
            out.append(e)
        return out

    proofs: dict[tuple, frozenset] = {}
    calls = 0
    try:
        while True:
            pairs = pairs_of(cls)
            current = set(pairs)
            todo = [p for p in pairs if p not in proofs or not proofs[p] <= current]
            if not todo:
                return cls, calls
            hyps = assumptions(pairs)
            for p in todo:
                if p not in current:
                    continue                                  # split earlier in this round
                if deadline and time.monotonic() > deadline:
                    raise TimeoutError
                d = diff.get(p)
                if d is None:
                    d = diff[p] = enc.new_var()
                    a, b = lits(m, *p)
                    s.append_formula([[-d, a, b], [-d, -a, -b]])
                calls += 1
                if s.solve(assumptions=[d] + hyps):
                    model = s.get_model()
                    state = model_bits(model, enc.latch_lits(m0))
                    cls, _ = split_words(cls, cex.words(state, induction, model_bits(model, m)),
                                         phase)
                    pairs = pairs_of(cls)
                    current = set(pairs)
                    hyps = assumptions(pairs)
                else:
                    core = s.get_core() or []
                    proofs[p] = frozenset(key_of[x] for x in core if x in key_of)
    finally:
        s.delete()


# ---- the check -----------------------------------------------------------------------
def correspondence(aig: Aig, params: SecParams, deadline: float, stats: dict
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Classes of signals equal in every reachable state (base + induction fixpoint)."""
    cls, phase = simulate_classes(aig, params.sim_frames, params.sim_words, params.seed)
    stats["candidates"] = int((cls >= 0).sum())
    cex = _Counterexamples(aig, params.seed + 1)
    cls, calls = refine(aig, cls, phase, False, deadline, cex)
    stats["sat_calls"] = calls
    cls, calls = refine(aig, cls, phase, True, deadline, cex)
    stats["sat_calls"] += calls
    stats["proven_members"] = int((cls >= 0).sum())
    return cls, phase


def _same(cls, phase, la: int, lb: int) -> bool:
    if la == lb:
        return True
    a, b = la >> 1, lb >> 1
    return bool(cls[a] >= 0 and cls[a] == cls[b] and
                (phase[a] ^ (la & 1)) == (phase[b] ^ (lb & 1)))


def with_constraints(aig: Aig, pairs, phase) -> Aig:
    """`aig` plus one invariant constraint per proven pair (XNOR as three ANDs appended)."""
    f0, f1, cons = aig.fanin0.tolist(), aig.fanin1.tolist(), []
    var = aig.max_var

    def and_(x, y):
        nonlocal var
        var += 1
        f0.append(max(x, y))
        f1.append(min(x, y))
        return 2 * var

    for r, v in pairs:
        a, b = 2 * r, 2 * v ^ int(phase[r] != phase[v])
        cons.append(and_(and_(a, b ^ 1) ^ 1, and_(a ^ 1, b) ^ 1))
    return aig.replace(fanin0=np.asarray(f0), fanin1=np.asarray(f1),
                       constraints=np.asarray(cons, dtype=np.int64))


def check_sec(a: Aig, b: Aig, params: SecParams = SecParams()) -> SecResult:
    from edapipe.verify.seq.prove import ProveParams, check_property, validate

    t0 = time.monotonic()
    deadline = t0 + params.time_limit if params.time_limit else 0.0
    prod = product(a, b, params.by_position)
    stats: dict = {}
    n = len(prod.out_pairs)
    try:
        cls, phase = correspondence(prod.aig, params, deadline, stats)
    except TimeoutError:
        return SecResult(UNDECIDED, time.monotonic() - t0, n, stats=stats)
    n_cls = int(np.unique(cls[cls >= 0]).size)
    if all(_same(cls, phase, la, lb) for la, lb in prod.out_pairs):
        return SecResult(HOLDS, time.monotonic() - t0, n, n_cls, "correspondence",
                         stats=stats)
    checked = with_constraints(prod.aig, pairs_of(cls), phase)
    left = max(0.01, deadline - time.monotonic()) if deadline else 0.0
    res = check_property(checked, 0, ProveParams(engine=params.engine, time_limit=left))
    validate(checked, 0, res)
    out = SecResult(res.status, time.monotonic() - t0, n, n_cls, res.engine, stats=stats)
    if res.status == FAILS:
        _project(prod, res.trace, out)
    return out


def _project(prod: Product, trace: Trace, out: SecResult) -> None:
    """The product's trace as A's trace (and B's initial state), replayed on A and B."""
    from edapipe.verify.seq.prove import EngineError
    from edapipe.verify.seq.simulate import run

    a, b = prod.a, prod.b
    init_a, init_b = trace.init[:a.num_latches], trace.init[a.num_latches:]
    ins_b = np.zeros((trace.length, b.num_inputs), dtype=np.uint8)
    ins_b[:, prod.perm_in] = trace.inputs
    oa = run(a, init_a, trace.inputs)[-1]
    ob = run(b, init_b, ins_b)[-1][prod.perm_out]
    failing = np.flatnonzero(oa != ob)
    if failing.size == 0:
        raise EngineError("the sequential counter-example does not replay on A and B")
    out.trace_a = Trace(init_a.copy(), trace.inputs.copy())
    out.init_b = init_b.copy()
    out.failing = [a.output_name(k) for k in failing.tolist()]
