"""Pass `rewrite` (rw; rwz = rw -z): DAG-aware rewriting of 4-input cuts with NPN structures.

As ABC's `rewrite` (Rwr/Dar): for every AND, in topological order, its 4-feasible cuts are
enumerated with their truth tables; each cut's function is mapped to its NPN class, and the
class's precomputed minimum-AND structures (edapipe.synth.npn) are tried in its place. A
structure's cost counts only the nodes a structural-hash lookup does not already find; its
gain is the size of the node's maximum fanout-free cone inside the cut minus that cost. The
best structure replaces the node when the gain is positive (or zero with -z).

Levels: by default (as ABC) a replacement may not make its node later than the node's
required level, so the circuit's depth never grows; `-l` turns that off (compress scripts).
With levels kept, ties between structures of equal gain go to the shallowest, except zero-gain
ties at nodes off the critical path, which go to the first found (as ABC's do), and zero-gain
replacements come only from cuts ABC would try (rewrite_kernels.ZERO_GAIN_*, issue 21).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig
from edapipe.synth.common import rebuild


@dataclass(frozen=True)
class Params:
    zero_gain: bool = field(default=False, metadata={
        "flag": "-z", "help": "toggle accepting zero-gain replacements"})
    """Accept replacements that save nothing (they reshape the graph for later passes)."""
    preserve_levels: bool = field(default=True, metadata={
        "flag": "-l", "help": "toggle preserving the number of levels"})
    """Reject replacements that would push a node past its required level (ABC's default)."""
    max_cuts: int = field(default=8, metadata={
        "flag": "-C", "help": "cuts kept per node"})
    """Cuts stored per node (fewest leaves first), as Dar's nCutsMax."""

    def __post_init__(self):
        if not 1 <= self.max_cuts <= 64:
            raise ValueError("-C must be 1..64")


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0
    levels_before: int = 0
    levels_after: int = 0
    rewrites: int = 0
    """Nodes replaced by a library structure."""
    estimated_gain: int = 0
    """Sum of the accepted gains (the real saving can differ through later sharing)."""

    def report(self) -> str:
        return (f"rewrite: {self.ands_before} -> {self.ands_after} ANDs, {self.levels_before}"
                f" -> {self.levels_after} levels, {self.rewrites} rewrites")

    def as_dict(self) -> dict:
        return {"ands_before": self.ands_before, "ands_after": self.ands_after,
                "levels_before": self.levels_before, "levels_after": self.levels_after,
                "rewrites": self.rewrites, "estimated_gain": self.estimated_gain}


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    from edapipe.aig.analysis import depth
    from edapipe.aig.builder import strash
    from edapipe.synth import rewrite_kernels as K
    from edapipe.synth.npn import library
    from edapipe.synth.window_kernels import required_levels

    lib = library()
    cos = aig.co_literals().astype(np.int64)
    req = required_levels(aig.num_cis, aig.fanin0, aig.fanin1, cos)
    gf0, gf1, base, n_vars, co_lits, n_rw, gain = K.rewrite(
        aig.num_cis, aig.fanin0, aig.fanin1, cos, req, params.preserve_levels,
        params.zero_gain, params.max_cuts, lib.class_of, lib.transform_of, lib.transforms,
        lib.class_struct_offset, lib.struct_offset, lib.struct_f0, lib.struct_f1,
        lib.struct_out)
    grown = rebuild(aig, gf0[base:n_vars], gf1[base:n_vars], co_lits)
    result = strash(grown)
    return result, Stats(aig.num_ands, result.num_ands, depth(aig), depth(result), int(n_rw),
                         int(gain))


def warm() -> None:
    """Compile the kernels of balance, cut enumeration and rewrite on a tiny circuit."""
    from edapipe.aig.builder import AigBuilder
    from edapipe.aig.cuts import enumerate_cuts
    from edapipe.synth import balance

    b = AigBuilder()
    x, y, z, w = (b.add_input() for _ in range(4))
    b.add_output(b.or_(b.and_(x, b.xor_(y, z)), b.and_(x, w)))
    aig = b.build()
    enumerate_cuts(aig)
    for params in (Params(), Params(zero_gain=True, preserve_levels=False)):
        aig, _ = run(aig, params)
    balance.run(aig)
