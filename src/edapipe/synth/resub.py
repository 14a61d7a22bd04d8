"""Pass `resub` (rs; rsz = rs -z): windowed resubstitution (ABC's `resub`).

For each AND node, in topological order (ABC's Abc_NtkResubstitute / Abc_ManResubEval):
  1. a window: a reconvergence-driven cut of up to K leaves and the cone inside it;
  2. the node's maximum fanout-free cone (MFFC) inside the window: what a replacement frees;
  3. divisors: the leaves, the cone's nodes outside the MFFC, and fanouts of divisors whose
     fanins are both divisors (never in the node's fanout cone), at most 150;
  4. exact truth tables of all of them over the leaves (exhaustive: 2^K bits);
  5. the node's function is looked for, in order of cost, as a constant or a divisor
     (0-resub), an AND/OR of two divisor literals (1-resub, -N >= 1), and with -N >= 2 an
     AND/OR of three or `d1 | (d2 & d3)` / `d1 & (d2 | d3)` (2-resub); unate filtering
     (divisors implying the function or implied by it) prunes the candidates as in ABC;
  6. the first match replaces the node when the MFFC is larger than the nodes added; by
     default the new root must meet the node's required level, so the depth never grows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig
from edapipe.synth.common import rebuild


@dataclass(frozen=True)
class Params:
    """Options of resub, as ABC's `resub` command has them."""

    cut_size: int = field(default=8, metadata={"flag": "-K",
                                               "help": "leaves of the window (4..16)"})
    max_added: int = field(default=1, metadata={"flag": "-N",
                                                "help": "nodes a replacement may add (0..2)"})
    zero_gain: bool = field(default=False, metadata={"flag": "-z",
                                                     "help": "accept zero-gain replacements"})
    preserve_levels: bool = field(default=True, metadata={
        "flag": "-l", "help": "toggle keeping the depth (on by default, as in ABC)"})

    def __post_init__(self):
        if not 4 <= self.cut_size <= 16:
            raise ValueError(f"window size -K must be 4..16, not {self.cut_size}")
        if not 0 <= self.max_added <= 3:
            raise ValueError(f"-N must be 0..3, not {self.max_added}")


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0
    nodes_tried: int = 0
    resub0: int = 0
    resub1: int = 0
    resub2: int = 0
    estimated_gain: int = 0
    seconds: float = 0.0
    constants: int = 0
    constant_gain: int = 0
    propagated: int = 0

    def report(self) -> str:
        return (f"resub: {self.ands_before} -> {self.ands_after} ANDs, replaced "
                f"{self.resub0}/{self.resub1}/{self.resub2} (0/1/2 added) of "
                f"{self.nodes_tried}, {self.seconds:.3f} s")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _sweep(aig: Aig, params: Params, max_added: int) -> tuple[Aig, np.ndarray]:
    """One visit of every node by the kernel; (result, kernel statistics)."""
    from edapipe.aig.analysis import fanouts
    from edapipe.synth import resub_kernels as K

    cos = np.ascontiguousarray(aig.co_literals(), dtype=np.int32)
    fo_off, fo_idx = fanouts(aig)
    nf0, nf1, n, out, st = K.resub(aig.num_cis, aig.fanin0, aig.fanin1, cos,
                                   fo_off.astype(np.int64), fo_idx.astype(np.int64),
                                   params.cut_size, max_added, params.zero_gain,
                                   params.preserve_levels)
    return rebuild(aig, nf0[:n].copy(), nf1[:n].copy(), out), st


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    t0 = time.perf_counter()
    max_added = min(params.max_added, 2)
    st = np.zeros(8, dtype=np.int64)
    result = aig
    if max_added > 0:
        # Constants and equal nodes first, in a sweep of their own: they add nothing and
        # free the whole MFFC, and in one sweep a 1- or 2-resub taken at an earlier node
        # can hide a constant from the windows of later ones (div64 `rs -K 12 -l` found
        # 153 constants that way where a sweep of constants alone finds 231).
        result, first = _sweep(result, params, 0)
        st[1:] += first[1:]
    result, last = _sweep(result, params, max_added)
    st += last
    stats = Stats(aig.num_ands, result.num_ands, *(int(x) for x in st[:5]),
                  time.perf_counter() - t0, *(int(x) for x in st[5:8]))
    return result, stats
