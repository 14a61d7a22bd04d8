"""Sequential equivalence checking from the initial states (ABC's `dsec` / `scorr` + `pdr`).

1. The product machine: A and B side by side over shared inputs (matched by name or
   position), one bad output that is 1 when some matched pair of outputs differs.
2. Random simulation from the initial states: a trace that makes some pair differ is the
   answer (most bugs show within a few frames). Otherwise signal correspondence (scorr.py;
   van Eijk 2000, ABC `scorr`) proves classes of signals equal in every reachable state.
3. If every output pair fell into one class the designs are equivalent. Otherwise the
   product is reduced by the proven equalities (each class merged into its representative,
   see reduce.py; as ABC's scorr), simulated again for up to 512 frames (the bugs behind
   counters), then correspondence with 3 hypothesis frames (ABC's scorr -F 3) proves or
   reduces it further, then BMC alone gets a CPU head start (the deep bugs left), and only
   then do PDR, BMC and induction race on what remains.
   X-initialized latches are free in both designs: equivalent means equal for every reset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig
from edapipe.errors import InputError
from edapipe.util.budgets import Budget
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Trace

DEEP_FRAMES = 512
DEEP_WORK = 4_000_000      # frames x AND nodes
# BMC's head start on the reduced machine: what correspondence leaves of a one-gate bug is
# mostly a deep trace that BMC alone finds, while the whole portfolio racing would burn
# three to four times the CPU; if BMC has not answered by then, the portfolio (BMC again
# among them) gets the rest. Without limits BMC_FIRST CPU seconds; under --cpu-limit or
# --time-limit BMC_FIRST_SHARE of what is left of them: s13207.1's first mutant needs BMC to
# depth 266 (15 s CPU), which a third of a 60 s limit shared with PDR and induction
# did not give it; dsec too runs its engines one after another, not in parallel
BMC_FIRST = 1.5           # the kernel counts whole seconds: 2
BMC_FIRST_SHARE = 0.4
# the share of what is left of the limits that correspondence with several hypothesis
# frames gets (see _deeper): s38417 against its retimed version needs 41 of the 47 CPU
# seconds that one frame leaves of 60
DEEPER_SHARE = 0.9


@dataclass(frozen=True)
class SecParams:
    by_position: bool = False
    time_limit: float = 0.0          # wall seconds (0: none)
    cpu_limit: float = 0.0           # CPU seconds, the engines' child processes included
    engine: str = "auto"             # for what correspondence leaves (prove's engines)
    induction_frames: int = 3        # hypothesis frames of the second correspondence
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


# ---- the check -----------------------------------------------------------------------
def _same(cls, phase, la: int, lb: int) -> bool:
    if la == lb:
        return True
    a, b = la >> 1, lb >> 1
    return bool(cls[a] >= 0 and cls[a] == cls[b] and
                (phase[a] ^ (la & 1)) == (phase[b] ^ (lb & 1)))


class _Budget(Budget):
    """What is left of --time-limit (wall) and --cpu-limit (CPU of this process and of the
    engine processes reaped so far; the engines get theirs through ProveParams)."""

    def __init__(self, params: SecParams):
        super().__init__(params.time_limit, params.cpu_limit)
        self.p = params

    def prove_params(self):
        from edapipe.verify.seq.prove import ProveParams

        wall, cpu = self.left()
        return ProveParams(engine=self.p.engine, time_limit=wall, cpu_limit=cpu)

    def head_start(self) -> tuple[float, float]:
        """(wall, CPU) seconds of BMC's head start (see BMC_FIRST; the kernel stops it at
        its CPU seconds)."""
        if self.p.cpu_limit:
            cpu = BMC_FIRST_SHARE * self.cpu()
        else:
            cpu = BMC_FIRST if not self.p.time_limit else 0.0
        wall = max(0.01, BMC_FIRST_SHARE * self.wall()) if self.p.time_limit else 0.0
        return wall, max(0.01, cpu) if cpu else 0.0


def check_sec(a: Aig, b: Aig, params: SecParams = SecParams()) -> SecResult:
    from edapipe.verify.seq.scorr import correspondence

    budget = _Budget(params)
    prod = product(a, b, params.by_position)
    stats: dict = {}
    n = len(prod.out_pairs)
    done = lambda status, *rest: SecResult(status, time.monotonic() - budget.t0, n, *rest,
                                           stats=stats)
    try:
        sim = correspondence(prod.aig, params, stats, budget.expired)
    except TimeoutError:
        return done(UNDECIDED)
    if sim.trace is not None:
        out = done(FAILS, 0, "simulation")
        _project(prod, sim.trace, out)
        return out
    n_cls = int(np.unique(sim.cls[sim.cls >= 0], return_counts=True)[0].size)
    if all(_same(sim.cls, sim.phase, la, lb) for la, lb in prod.out_pairs):
        return done(HOLDS, n_cls, "correspondence")
    status, engine, trace = _reduced(prod, sim, params, budget, stats)
    out = done(status, n_cls, engine)
    if status == FAILS:
        _project(prod, trace, out)
    return out


def _reduced(prod: Product, sim, params: SecParams, budget: _Budget, stats: dict):
    """(status, engine, product trace) from the product merged by the proven classes:
    a deep random simulation, then the engines (their answer checked on the reduced
    machine, the trace lifted back to the product)."""
    from edapipe.verify.seq.model import cone
    from edapipe.verify.seq.prove import validate
    from edapipe.verify.seq.reduce import merge
    from edapipe.verify.seq.scorr import pairs_of, random_trace

    red = [merge(prod.aig, pairs_of(sim.cls), sim.phase)]
    lift = lambda t: _lift(red, t)
    stats["latches_left"] = int(cone(red[0].aig, red[0].aig.bad)[0].size)
    trace = random_trace(red[0].aig, _deep_frames(red[0].aig), params.sim_words,
                         params.seed + 2)
    if trace is not None:
        return FAILS, "simulation", lift(trace)
    status, trace = _deeper(red, params, budget, stats)
    if status == HOLDS:
        return HOLDS, f"correspondence ({params.induction_frames} frames)", None
    if status == FAILS:
        return FAILS, "simulation", lift(trace)
    last = red[-1].aig
    res = _engines(last, params, budget)
    if res is None:
        return UNDECIDED, "", None
    validate(last, 0, res)
    return res.status, res.engine, lift(res.trace) if res.status == FAILS else None


def _lift(chain: list, trace: Trace) -> Trace:
    """A trace of the last machine of a chain of reductions as one of the product."""
    for red in reversed(chain):
        trace = red.lift(trace)
    return trace


def _deeper(chain: list, params: SecParams, budget: _Budget, stats: dict):
    """Correspondence with `induction_frames` hypothesis frames (ABC's `scorr -F k`) on
    what one frame left, the last machine of `chain`: (HOLDS, None) when it proves bad
    constant 0, (FAILS, trace) for a random trace to bad, else (UNDECIDED, None) with the
    machine reduced by what it proved appended to `chain`. It gets DEEPER_SHARE of what
    is left of the limits; out of time, the engines get the one-frame reduction.

    Some equalities need several frames: a retimed register equals its original only
    where the k - 1 cycles before met the other equalities too (s38417 against its
    retimed version: 2287 latches left by 1 frame, and by 2, none by 3, as ABC's scorr
    -F 3). Each reduction is sound on its own (the equalities hold in every reachable
    state of the machine before), so they compose."""
    from edapipe.verify.seq.model import cone
    from edapipe.verify.seq.reduce import merge
    from edapipe.verify.seq.scorr import correspondence, pairs_of

    k = params.induction_frames
    if k <= 1 or budget.expired():
        return UNDECIDED, None
    aig = chain[-1].aig
    cap = Budget(*(DEEPER_SHARE * x for x in budget.left()))
    sub: dict = {}
    try:
        sim = correspondence(aig, params, sub, lambda: budget.expired() or cap.expired(), k)
    except TimeoutError:
        stats["deeper"] = "out of time"
        return UNDECIDED, None
    stats["deeper"] = sub
    if sim.trace is not None:
        return FAILS, sim.trace
    if _same(sim.cls, sim.phase, int(aig.bad[0]), 0):
        return HOLDS, None
    chain.append(merge(aig, pairs_of(sim.cls), sim.phase))
    stats["latches_left"] = int(cone(chain[-1].aig, chain[-1].aig.bad)[0].size)
    return UNDECIDED, None


def _engines(aig: Aig, params: SecParams, budget: _Budget):
    """The engines' answer for bad[0] of `aig` (None: the limits ran out first). Under
    `auto`, BMC alone first (see BMC_FIRST: the bugs that correspondence leaves are deep
    traces), then the whole portfolio of `prove` races on the rest."""
    from edapipe.verify.seq.prove import _race, check_property

    if params.engine == "auto":
        wall, cpu = budget.head_start()
        res = _race(("bmc",), aig, 0, 0, wall, cpu)
        if res.status != UNDECIDED:
            return res
    if budget.expired():
        return None
    return check_property(aig, 0, budget.prove_params())


def _deep_frames(aig: Aig) -> int:
    """Frames of random simulation of the reduced machine: deep enough for the bugs behind
    8-bit counters, at most about as much work as the correspondence's simulation."""
    return int(min(DEEP_FRAMES, max(24, DEEP_WORK // (aig.num_ands + 1))))


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
