"""Pass `refactor` (rf; rfz = rf -z): resynthesis of large cuts by factored forms.

For each AND node, in topological order (ABC's Abc_NtkRefactor):
  1. a reconvergence-driven cut of up to K leaves (window_kernels.find_cut);
  2. the truth table of the node over the cut;
  3. the irredundant SOPs of the function and its complement (Minato-Morreale), each
     factored algebraically (synth.sop);
  4. both factored forms are priced against the node's maximum fanout-free cone inside the
     cut, counting nodes that structural hashing finds elsewhere as free, and the cheaper one
     is kept (ABC factors only the SOP with fewer cubes; ties go to that one here);
  5. the node is replaced when that saves nodes (or saves none, with -z) and, by default,
     when the new root is no deeper than the node, so no level grows and the depth is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig
from edapipe.synth.common import rebuild


_MIN_ADDED = 0
"""Nodes whose MFFC allows fewer added nodes than this are not tried (1: a form must add
a node unless it is a constant, a leaf or wholly found by hashing, which is rare)."""


@dataclass(frozen=True)
class Params:
    """Options of refactor, as ABC's `refactor` command has them."""

    cut_size: int = field(default=10, metadata={"flag": "-K",
                                                "help": "leaves of the cut (3..16)"})
    zero_gain: bool = field(default=False, metadata={"flag": "-z",
                                                     "help": "accept zero-gain replacements"})
    preserve_levels: bool = field(default=True, metadata={
        "flag": "-l", "help": "toggle keeping the depth (on by default, as in ABC)"})
    max_cubes: int = 512
    """Cuts whose SOPs (both polarities) exceed this many cubes are skipped."""

    def __post_init__(self):
        if not 3 <= self.cut_size <= 16:
            raise ValueError(f"cut size -K must be 3..16, not {self.cut_size}")


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0
    nodes_tried: int = 0
    nodes_replaced: int = 0
    estimated_gain: int = 0
    seconds: float = 0.0

    def report(self) -> str:
        return (f"refactor: {self.ands_before} -> {self.ands_after} ANDs, "
                f"{self.nodes_replaced}/{self.nodes_tried} nodes replaced, "
                f"{self.seconds:.3f} s")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    from edapipe.synth import refactor_kernels as K

    t0 = time.perf_counter()
    cos = np.ascontiguousarray(aig.co_literals(), dtype=np.int32)
    nf0, nf1, n, out, st = K.refactor(aig.num_cis, aig.fanin0, aig.fanin1, cos,
                                      params.cut_size, params.zero_gain,
                                      params.preserve_levels, params.max_cubes,
                                      _MIN_ADDED)
    result = rebuild(aig, nf0[:n].copy(), nf1[:n].copy(), out)
    stats = Stats(aig.num_ands, result.num_ands, int(st[0]), int(st[1]), int(st[2]),
                  time.perf_counter() - t0)
    return result, stats


def warm() -> None:
    """Compile the kernels of refactor, resub and sop on a tiny circuit (edapipe.warm)."""
    from edapipe.aig.builder import AigBuilder
    from edapipe.synth import resub, sop

    b = AigBuilder()
    x, y, z = (b.add_input() for _ in range(3))
    b.add_output(b.or_(b.and_(x, y), b.and_(x, z)))
    b.add_output(b.xor_(b.and_(x, y), z))
    aig = b.build()
    run(aig)
    resub.run(aig, resub.Params(max_added=2))
    form = sop.factor_truth(sop.cover_truth(sop.isop(0xE8, 3), 3), 3)
    form.truth()
