"""Pass `dch`: structural choices, as ABC's `dch` (Dch_ComputeChoices).

Snapshots of the input taken by optimization scripts (`SNAPSHOTS`) and the input itself are
put into one AIG over the same combinational inputs, the first snapshot (resyn2's result)
first (structural hashing shares what they have in common: the *union*). SAT sweeping
(edapipe.verify.sweep, the engine of `fraig` and `cec`: random simulation, then a proof by a
cut's truth table or by SAT for every merge) finds which union nodes are equal up to
complement. Each class of proven-equal nodes is kept, not merged: its
smallest variable is the representative, the others are *choices*, alternative structures a
mapper may implement the representative with (ABC's choice nodes).

`compute(aig)` returns that structure (`Choices`) for a mapper. As a pass of `edapipe opt`
(`run`), the next stage is a plain AIG, so the result is the union reduced to the first
snapshot's outputs with every class merged into its representative: resyn2's result,
fraiged together with the other structures.

A choice whose cone reaches its own representative (through fanins or other choices) would
let a mapper build a cycle, so it is dropped, as ABC's Dch_ObjCheckTfi does. Nodes proven
equal to a constant or an input are merged into it; they are not choices.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig

SNAPSHOTS = ("b; rw; rf; b; rw; rwz; b; rfz; rwz; b",
             "b -l; rw -l; rwz -l; b -l; rwz -l; b -l")
"""Scripts whose results join the input in the union (ABC's dch takes the AIG and two
rewritten snapshots of it: a delay-aware and an area-oriented one)."""

MAX_TFI = 20000
"""Nodes searched when checking that a choice does not reach its representative; a choice
whose search is cut off is dropped (it might close a cycle)."""


@dataclass(frozen=True)
class Params:
    conflict_limit: int = field(default=1000, metadata={
        "flag": "-C", "help": "SAT conflicts per candidate pair"})
    """SAT conflicts allowed per candidate pair; pairs left undecided stay apart."""

    def __post_init__(self) -> None:
        if self.conflict_limit < 0:
            raise ValueError("-C must be >= 0")


@dataclass(frozen=True)
class Choices:
    """An AIG with structural choices (the mapper's view).

    `aig` is the union: the input's interface (inputs, latches, outputs), the ANDs of the
    first snapshot followed by those of the other snapshots and of the input that are not
    structurally there already; its outputs are the first snapshot's (equivalent to the
    input's).
    Per variable of `aig`:
        repr   the representative of its class, or -1 (a representative, or in no class)
        phase  1 when the node is the complement of its representative
        next   the next choice of the class (from the representative, by increasing
               variable), -1 at the end: ABC's chain of equivalent nodes
    Every choice is proven equal to its representative (up to `phase`) and does not have
    it in its transitive fanin, following fanins and choices.
    """

    aig: Aig
    repr: np.ndarray
    phase: np.ndarray
    next: np.ndarray

    def members(self, rep: int) -> list[tuple[int, int]]:
        """The choices of representative `rep` as (variable, phase)."""
        out = []
        v = int(self.next[rep])
        while v >= 0:
            out.append((v, int(self.phase[v])))
            v = int(self.next[v])
        return out

    @property
    def num_choices(self) -> int:
        return int(np.count_nonzero(self.repr >= 0))


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0
    union_ands: int = 0
    classes: int = 0
    choices: int = 0
    dropped_cycles: int = 0
    """Proven-equal nodes not kept as choices (their cone reaches the representative)."""
    cut_proofs: int = 0
    sat_proofs: int = 0
    seconds: float = 0.0

    def report(self) -> str:
        return (f"dch: union {self.union_ands} ANDs, {self.classes} classes with "
                f"{self.choices} choices ({self.dropped_cycles} dropped), "
                f"{self.ands_before} -> {self.ands_after} ANDs")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _union(aig: Aig, others: list[Aig]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """ANDs of `aig` then of `others` (same CIs) hashed into one array; each one's CO
    literals."""
    base = aig.num_cis + 1
    table: dict[tuple[int, int], int] = {}
    f0: list[int] = []
    f1: list[int] = []
    roots = []
    for snap in [aig, *others]:
        lit = list(range(0, 2 * base, 2)) + [0] * snap.num_ands
        for g, (a, b) in enumerate(zip(snap.fanin0.tolist(), snap.fanin1.tolist())):
            a = lit[a >> 1] ^ (a & 1)
            b = lit[b >> 1] ^ (b & 1)
            if a < b:
                a, b = b, a
            if b == 0 or a == (b ^ 1):
                out = 0
            elif b == 1 or a == b:
                out = a
            else:
                v = table.get((a, b))
                if v is None:
                    v = base + len(f0)
                    table[(a, b)] = v
                    f0.append(a)
                    f1.append(b)
                out = 2 * v
            lit[base + g] = out
        lit_arr = np.asarray(lit, dtype=np.int64)
        cos = snap.co_literals().astype(np.int64)
        roots.append(lit_arr[cos >> 1] ^ (cos & 1))
    return np.asarray(f0, dtype=np.int32), np.asarray(f1, dtype=np.int32), roots


def _snapshots(aig: Aig) -> list[Aig]:
    from edapipe.synth.script import run_script

    return [run_script(aig, script)[0] for script in SNAPSHOTS]


def compute(aig: Aig, params: Params = Params()) -> tuple[Choices, Stats, Aig]:
    """The choice AIG of `aig`, the pass's statistics, and the plain (merged) AIG."""
    from edapipe.aig import strash_kernels as SK
    from edapipe.aig.builder import rebuild
    from edapipe.synth import dch_kernels as K
    from edapipe.verify.sweep import SweepParams, fraig_arrays

    t0 = time.perf_counter()
    # the most optimized snapshot first: its nodes lead the classes (ABC's order too), so
    # the merged result is that snapshot improved by what the others prove equal
    snaps = _snapshots(aig)
    first, rest = snaps[0], [*snaps[1:], aig]
    f0, f1, roots = _union(first, rest)
    all_roots = np.concatenate(roots)
    sw, nf0, nf1, new_roots = fraig_arrays(aig.num_cis, f0, f1, all_roots,
                                           SweepParams(conflict_limit=params.conflict_limit))
    base = aig.num_cis + 1
    lit_map = np.ascontiguousarray(sw.lit_map()[:base + len(f0)], dtype=np.int64)
    rep, phase, nxt, dropped = K.classes(lit_map, f0, f1, base, MAX_TFI)
    choices = Choices(rebuild(first, f0, f1, roots[0]), rep, phase, nxt)
    own = new_roots[:len(roots[0])]
    g0, g1, n_and, kept = SK.restrash(aig.num_cis, nf0, nf1, own)
    plain = rebuild(first, g0[:n_and], g1[:n_and], kept[own >> 1] ^ (own & 1))
    stats = Stats(aig.num_ands, plain.num_ands, len(f0),
                  int(np.count_nonzero((rep < 0) & (nxt >= 0))),
                  choices.num_choices, dropped, sw.stats.cut_proofs, sw.stats.sat_proofs,
                  time.perf_counter() - t0)
    return choices, stats, plain


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    _, stats, plain = compute(aig, params)
    return plain, stats


def warm() -> None:
    """Compile the kernels dch uses on a tiny circuit (for edapipe.warm's list)."""
    from edapipe.aig.builder import AigBuilder

    b = AigBuilder()
    a, c, d = (b.add_input() for _ in range(3))
    b.add_output(b.or_(b.and_(a, c), b.and_(a, d)))
    compute(b.build())
