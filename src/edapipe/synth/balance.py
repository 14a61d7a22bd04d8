"""Pass `balance` (b): depth-optimal balancing of AND trees, reusing existing logic.

As ABC's `balance` (Dar_ManBalance): each AND that is not swallowed by its fanout roots a
supergate, the multi-input AND reached through plain (non-complemented) single-fanout edges.
Its operands, already rebuilt, are combined lowest level first, which gives the minimum depth
for the tree (Huffman on levels); among the operands of equal level a partner that makes an
existing AND is taken first, so the rebuilt tree shares logic. Repeated operands collapse
(x & x = x) and complementary ones make the supergate constant (x & ~x = 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig
from edapipe.synth.common import rebuild


@dataclass(frozen=True)
class Params:
    level_driven: bool = field(default=True, metadata={
        "flag": "-l", "help": "toggle minimizing levels (off: pair operands for sharing only)"})
    """Pair operands by level (ABC's default). `-l` turns it off: the search for a partner
    that makes an existing AND spans all operands, trading depth for area (compress scripts)."""


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0
    levels_before: int = 0
    levels_after: int = 0

    def report(self) -> str:
        return (f"balance: {self.ands_before} -> {self.ands_after} ANDs, "
                f"{self.levels_before} -> {self.levels_after} levels")

    def as_dict(self) -> dict:
        return {"ands_before": self.ands_before, "ands_after": self.ands_after,
                "levels_before": self.levels_before, "levels_after": self.levels_after}


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    from edapipe.aig.analysis import depth
    from edapipe.aig.builder import strash
    from edapipe.synth import balance_kernels as K

    cos = aig.co_literals().astype(np.int64)
    nf0, nf1, n_and, out = K.balance(aig.num_cis, aig.fanin0, aig.fanin1, cos,
                                     params.level_driven)
    result = strash(rebuild(aig, nf0[:n_and], nf1[:n_and], out))
    return result, Stats(aig.num_ands, result.num_ands, depth(aig), depth(result))
