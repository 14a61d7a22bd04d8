"""Explicit-state reachability: breadth-first search over the reachable states of a
property's cone, every input combination of each state simulated bit-parallel.

PDR and k-induction struggle where the proof needs the exact reachable set of a deep but
narrow machine: an LFSR's period, a unary counter beside a binary one, a multiplier whose
operands sit in latches. When the cone has few inputs (every combination is tried) and few
reachable states, walking the states is exact and fast, whatever the sequential depth. ABC
answers such problems with BDD reachability (`reach`); this is its explicit form, bounded
by `ReachLimits`, and `prove` runs it beside the other engines only when the cone's inputs
fit (`applicable`).

Answers carry what the other engines give: a shortest counter-example (parent links of the
search), or the reachable set as the invariant (a `StateSet`, which the certificate turns
into a decision diagram over the latches: closed under the transition relation by
construction, holding the initial states, with no bad state).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.verify.seq.model import Problem
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Result, full_trace


_EMPTY = np.zeros(0, dtype=np.int32)
_EMPTY.setflags(write=False)


@dataclass(frozen=True)
class ReachLimits:
    max_input_bits: int = 16        # cone inputs enumerated for every state
    max_x_latches: int = 16         # X-initialized cone latches enumerated at reset
    max_states: int = 1_000_000     # reachable states kept (about 150 bytes each)
    batch_patterns: int = 1 << 18   # patterns simulated per call, at most
    batch_bytes: int = 16 << 20     # and at most this much for the simulated values
    search_cpu: float = 0.0         # CPU seconds of this process for the search (0: none)


@dataclass(frozen=True)
class StateSet:
    """A set of states over `latches` (full-AIG latch indices, ascending): row k of `rows`
    holds state k's latch values as 0/1."""

    latches: np.ndarray
    rows: np.ndarray


def applicable(prob: Problem, limits: ReachLimits = ReachLimits()) -> bool:
    """Worth racing: every input combination of a state can be tried."""
    x = int(np.count_nonzero(prob.init == LATCH_INIT_X))
    return len(prob.inputs) <= limits.max_input_bits and x <= limits.max_x_latches


def _ci_words(prob: Problem, states: np.ndarray, n_in: int) -> tuple[np.ndarray, int]:
    """Combinational-input words for every (state, input combination) pattern: pattern
    p = s * 2**n_in + c puts state s on the cone latches and bit k of c on cone input k."""
    aig = prob.aig
    combos = 1 << n_in
    npat = states.shape[0] * combos
    n_words = (npat + 63) // 64
    p = np.arange(npat, dtype=np.int64)
    rows = np.zeros((n_in + states.shape[1], n_words * 64), dtype=np.uint8)
    c = p & (combos - 1)
    for k in range(n_in):
        rows[k, :npat] = (c >> k) & 1
    rows[n_in:, :npat] = states[p >> n_in].T
    words = np.packbits(rows, axis=1, bitorder="little").view(np.uint64)
    ci = np.zeros((aig.num_cis, n_words), dtype=np.uint64)
    ci[prob.inputs] = words[:n_in]
    ci[aig.num_inputs + prob.latches] = words[n_in:]
    return ci, npat


def _bits(words: np.ndarray, npat: int) -> np.ndarray:
    """0/1 per pattern [rows, npat] of pattern words [rows, W]."""
    flat = np.ascontiguousarray(words).view(np.uint8).reshape(words.shape[0],
                                                              8 * words.shape[1])
    return np.unpackbits(flat, axis=1, bitorder="little")[:, :npat]


# Cones up to this many ANDs are simulated with numpy, level by level, not with the numba
# kernel: importing numba and loading the kernel is about 0.3 s, most of a small problem's
# run; beyond it the kernel's speed pays for its import.
NUMPY_ANDS = 2000


class _Evaluator:
    """Values of literals of an AIG under combinational-input words [num_cis, W]."""

    def __init__(self, aig):
        self.aig = aig
        self.numpy = None
        if aig.num_ands <= NUMPY_ANDS:
            from edapipe.verify.seq.simulate import Simulator

            self.numpy = Simulator(aig)

    def __call__(self, ci: np.ndarray, lits: np.ndarray) -> np.ndarray:
        aig = self.aig
        if self.numpy is not None:
            val = self.numpy.values(ci[:aig.num_inputs], ci[aig.num_inputs:])
            return self.numpy.lits(val, lits)
        from edapipe.aig.sim import literal_words, simulate_words

        return literal_words(aig, simulate_words(aig, ci), lits)


class Ternary:
    """Ternary (0, 1, X) simulation as a plain AIG over two rails per signal: "may be 1"
    and "must be 1". Both rails of an AND are ANDs of the fanins' rails (a complemented
    fanin swaps and complements them), so the bit-parallel kernel runs it unchanged. A
    signal is binary where its rails agree."""

    def __init__(self, aig):
        n_ci, n_and = aig.num_cis, aig.num_ands
        v = np.arange(aig.num_vars, dtype=np.int64)
        g = v - (n_ci + 1)
        self.may = np.where(v <= n_ci, v, 2 * n_ci + 1 + 2 * g)
        self.must = np.where(v == 0, 0, np.where(v <= n_ci, n_ci + v, 2 * n_ci + 2 + 2 * g))
        f = np.empty(2 * n_and, dtype=np.int64)
        h = np.empty(2 * n_and, dtype=np.int64)
        for src, dst in ((aig.fanin0, f), (aig.fanin1, h)):
            src = src.astype(np.int64)
            may, must = self.rails(src)
            dst[0::2], dst[1::2] = may, must
        # the AIG's own fanin type, read-only: the kernel's cached signature
        f0 = np.maximum(f, h).astype(aig.fanin0.dtype)       # an Aig's fanin order
        f1 = np.minimum(f, h).astype(aig.fanin1.dtype)
        f0.setflags(write=False)
        f1.setflags(write=False)
        self.eval = _Evaluator(Aig(2 * n_ci, f0, f1, _EMPTY))

    def rails(self, lits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dual-rail AIG literals (may be 1, must be 1) of original literals."""
        var, neg = lits >> 1, (lits & 1).astype(bool)
        may = np.where(neg, 2 * self.must[var] + 1, 2 * self.may[var])
        must = np.where(neg, 2 * self.may[var] + 1, 2 * self.must[var])
        return may, must

    def binary(self, ci_may: np.ndarray, ci_must: np.ndarray, lits: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """(values, known) words [len(lits), W] of `lits`: known where not X."""
        may, must = self.rails(np.asarray(lits, dtype=np.int64))
        val = self.eval(np.concatenate([ci_may, ci_must]), np.concatenate([may, must]))
        vmay, vmust = val[:len(may)], val[len(may):]
        return vmust, ~(vmay ^ vmust)


def _initial_states(prob: Problem) -> np.ndarray:
    init = prob.init
    x = np.flatnonzero(init == LATCH_INIT_X)
    base = np.where(init == LATCH_INIT_X, 0, init).astype(np.uint8)
    states = np.repeat(base[None, :], 1 << len(x), axis=0)
    combo = np.arange(1 << len(x))
    for k, j in enumerate(x):
        states[:, j] = (combo >> k) & 1
    return states


class _Stop(Exception):
    """A limit of the search has passed (its text says which)."""


class _Expander:
    """The successors of a batch of states: one ternary pass with the inputs X settles
    every state whose next state, bad literal and constraints do not depend on the inputs;
    the others try every input combination."""

    def __init__(self, prob: Problem, limits: ReachLimits):
        aig = prob.aig
        self.prob, self.limits = prob, limits
        self.n_in = len(prob.inputs)
        self.n_check = 1 + aig.constraints.size
        self.lits = np.concatenate([[prob.bad], aig.constraints,
                                    aig.latch_next[prob.latches]]).astype(np.int64)
        self.ternary = Ternary(aig)
        self.eval = _Evaluator(aig)
        # the values of every variable are kept per call (8 bytes a word of 64 patterns)
        self.batch_patterns = max(64, min(limits.batch_patterns,
                                          limits.batch_bytes // (2 * aig.num_vars) * 8))

    def expand(self, states: np.ndarray, stop):
        """(hit, next rows, their source state positions, their input combinations); hit
        is (position, combination) of a bad state, else None. None for the whole answer
        when a state's successors depend on more inputs than may be enumerated.
        `stop(more)` raises _Stop when a limit has passed, or would pass with `more` CPU
        seconds (what enumerating the rest is projected to cost)."""
        aig, prob = self.prob.aig, self.prob
        n = len(states)
        n_words = (n + 63) // 64
        lat = np.zeros((states.shape[1], n_words * 64), dtype=np.uint8)
        lat[:, :n] = states.T
        lat_words = np.packbits(lat, axis=1, bitorder="little").view(np.uint64)
        may = np.zeros((aig.num_cis, n_words), dtype=np.uint64)
        may[aig.num_inputs + prob.latches] = lat_words
        must = may.copy()
        may[prob.inputs] = np.uint64(0xFFFFFFFFFFFFFFFF)
        value, known = self.ternary.binary(may, must, self.lits)
        value, known = _bits(value, n).astype(bool), _bits(known, n).astype(bool)
        settled = known.all(axis=0)
        ok = settled & value[1:self.n_check].all(axis=0)
        bad = np.flatnonzero(ok & value[0])
        if len(bad):
            return (int(bad[0]), 0), None, None, None
        rows = [value[self.n_check:, ok].T.astype(np.uint8)]
        src = [np.flatnonzero(ok)]
        combo = [np.zeros(len(src[0]), dtype=np.int64)]
        rest = np.flatnonzero(~settled)
        if len(rest):
            if self.n_in > self.limits.max_input_bits:
                return None
            per = max(1, self.batch_patterns >> self.n_in)
            t0 = time.process_time()
            for lo in range(0, len(rest), per):
                stop(_projected(t0, lo, len(rest)))
                pos = rest[lo:lo + per]
                out = self._enumerate(states[pos])
                if out[0] is not None:
                    return (int(pos[out[0][0]]), out[0][1]), None, None, None
                rows.append(out[1])
                src.append(pos[out[2]])
                combo.append(out[3])
        return None, np.concatenate(rows), np.concatenate(src), np.concatenate(combo)

    def _enumerate(self, states: np.ndarray):
        n_in = self.n_in
        ci, npat = _ci_words(self.prob, states, n_in)
        checks = self.eval(ci, self.lits)
        ok = np.bitwise_and.reduce(checks[1:self.n_check], axis=0) if self.n_check > 1 else \
            np.full(checks.shape[1], np.uint64(0xFFFFFFFFFFFFFFFF))
        hit = np.flatnonzero(_bits((checks[0] & ok)[None, :], npat)[0])
        mask = (1 << n_in) - 1
        if len(hit):
            p = int(hit[0])
            return (p >> n_in, p & mask), None, None, None
        okp = np.flatnonzero(_bits(ok[None, :], npat)[0])
        nxt = _bits(checks[self.n_check:], npat)[:, okp].T
        # most combinations lead to a few states: keep one of each (memory)
        keep = _distinct_rows(np.packbits(nxt, axis=1))
        okp = okp[keep]
        return None, nxt[keep], okp >> n_in, okp & mask


def _projected(t0: float, done: int, total: int) -> float:
    """CPU seconds the rest of a loop over `total` items is projected to take, from the
    first `done` items having taken since t0 (0 before any is done). A search whose
    current layer cannot end within its CPU limit gives up at once: a state with 16 inputs
    expands into 65,536 patterns (prime-65537-accumulator spent its whole limit inside its
    second layer), and a layer that multiplies the states (8 inputs) soon outgrows it."""
    if done <= 0:
        return 0.0
    return (time.process_time() - t0) * (total - done) / done


def reach(prob: Problem, max_frames: int = 0, deadline: float = 0.0,
          limits: ReachLimits = ReachLimits()) -> Result:
    t0 = time.monotonic()
    cpu_end = time.process_time() + limits.search_cpu

    def stop(more: float = 0.0) -> None:
        if deadline and time.monotonic() > deadline:
            raise _Stop("time limit")
        if limits.search_cpu and time.process_time() + more > cpu_end:
            raise _Stop("search CPU limit" + (" (projected)" if more else ""))

    def undecided(depth: int, reason: str, **stats) -> Result:
        return Result(UNDECIDED, "reach", depth=depth, seconds=time.monotonic() - t0,
                      stats={"reason": reason, **stats})

    if int(np.count_nonzero(prob.init == LATCH_INIT_X)) > limits.max_x_latches:
        return undecided(0, "too many X-initialized latches")
    expander = _Expander(prob, limits)
    init = np.unique(_initial_states(prob), axis=0)
    seen = {k.tobytes(): i for i, k in enumerate(np.packbits(init, axis=1))}
    parent: list[int] = [-1] * len(init)
    via: list[int] = [0] * len(init)        # the input combination that led to each state
    store = [init]                          # the rows of the states, in id order
    frontier = np.arange(len(init))
    per_batch = max(1, expander.batch_patterns >> 6)   # states per ternary pass
    depth = 0
    while len(frontier):
        if max_frames and depth >= max_frames:
            return undecided(depth, "frame bound")
        rows_all = np.concatenate(store) if len(store) > 1 else store[0]
        store = [rows_all]
        new_ids: list[int] = []
        new_rows: list[np.ndarray] = []
        layer_t0 = time.process_time()
        for lo in range(0, len(frontier), per_batch):
            ids = frontier[lo:lo + per_batch]
            try:
                stop(_projected(layer_t0, lo, len(frontier)))
                out = expander.expand(rows_all[ids], stop)
            except _Stop as e:
                return undecided(depth, str(e))
            if out is None:
                return undecided(depth, "a state's successors depend on more than "
                                        f"{limits.max_input_bits} inputs")
            hit, nxt, src, combo = out
            if hit is not None:
                return _failure(prob, rows_all, parent, via, int(ids[hit[0]]), hit[1],
                                len(prob.inputs), depth, t0)
            packed = np.packbits(nxt, axis=1)
            for i in _distinct_rows(packed).tolist():
                key = packed[i].tobytes()
                if key in seen:
                    continue
                seen[key] = len(parent)
                new_ids.append(len(parent))
                new_rows.append(nxt[i])
                parent.append(int(ids[src[i]]))
                via.append(int(combo[i]))
            if len(parent) > limits.max_states:
                return undecided(depth, "state limit", states=len(parent))
        if new_rows:
            store.append(np.array(new_rows, dtype=np.uint8))
        frontier = np.array(new_ids, dtype=np.int64)
        depth += 1
    rows_all = np.concatenate(store) if len(store) > 1 else store[0]
    return Result(HOLDS, "reach", depth=depth, seconds=time.monotonic() - t0,
                  invariant=StateSet(prob.latches, rows_all),
                  stats={"states": len(parent), "depth": depth})


def _distinct_rows(packed: np.ndarray) -> np.ndarray:
    """Indices of one row per distinct row of a uint8 matrix (a row sort on 64-bit columns:
    numpy's own row unique goes through a structured type and is 20x slower)."""
    n, nb = packed.shape
    if n == 0 or nb == 0:
        return np.zeros(min(n, 1), dtype=np.int64)
    width = -(-nb // 8) * 8
    padded = np.zeros((n, width), dtype=np.uint8)
    padded[:, :nb] = packed
    cols = padded.view(np.uint64)
    order = np.argsort(cols[:, 0], kind="stable") if cols.shape[1] == 1 else \
        np.lexsort(cols.T[::-1])
    ordered = cols[order]
    first = np.ones(n, dtype=bool)
    first[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    return order[first]


def _failure(prob, rows, parent, via, last: int, combo: int, n_in: int, depth: int,
             t0: float) -> Result:
    """The trace from a reset state to `last`, then `combo` in the frame that is bad."""
    path = [last]
    while parent[path[-1]] >= 0:
        path.append(parent[path[-1]])
    path.reverse()
    combos = [via[s] for s in path[1:]] + [combo]
    frames = [((c >> np.arange(n_in)) & 1).astype(np.uint8) for c in combos]
    trace = full_trace(prob, rows[path[0]], frames)
    return Result(FAILS, "reach", depth=depth, trace=trace, seconds=time.monotonic() - t0,
                  stats={"states": len(parent)})


def state_set_literal(builder, latch_lits: list[int], states: StateSet) -> int:
    """The literal of "the latches hold one of `states`" in `builder`: a reduced decision
    diagram over the latches in index order (equal sub-sets share one node)."""
    rows = np.unique(states.rows, axis=0)        # lexicographic: column 0 splits first
    lat = [latch_lits[j] for j in states.latches.tolist()]
    width = rows.shape[1]
    memo: dict[tuple[int, bytes], int] = {}

    def build(lo: int, hi: int, col: int) -> int:
        if lo == hi:
            return 0
        if col == width:
            return 1
        key = (col, rows[lo:hi, col:].tobytes())
        hit = memo.get(key)
        if hit is not None:
            return hit
        mid = lo + int(np.searchsorted(rows[lo:hi, col], 1))
        lit = builder.mux(lat[col], build(mid, hi, col + 1), build(lo, mid, col + 1))
        memo[key] = lit
        return lit

    import sys

    if sys.getrecursionlimit() < 2 * width + 200:
        sys.setrecursionlimit(2 * width + 200)
    return build(0, rows.shape[0], 0)
