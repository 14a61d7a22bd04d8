"""Pass `fraig`: SAT sweeping that returns the reduced AIG (ABC's fraig / &fraig).

Nodes proven equal (up to complement) are merged into the first of them; latches pass
through, their outputs taken as free inputs. Shares its engine with `edapipe cec`
(edapipe.verify.sweep). A node whose proof runs out of conflicts is simply kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edapipe.aig.core import Aig


@dataclass(frozen=True)
class Params:
    """Options of fraig (ABC-style flags)."""

    conflict_limit: int = field(default=1000, metadata={
        "flag": "-C", "help": "SAT conflicts per candidate pair"})
    """SAT conflicts allowed per candidate pair before it is kept apart."""
    sim_words: int = field(default=32, metadata={
        "flag": "-W", "help": "64-pattern words of random simulation"})
    """Words of the initial random simulation."""
    cut_size: int = field(default=12, metadata={
        "flag": "-K", "help": "largest cut for truth-table proofs"})
    """Largest cut over which two nodes are compared by truth tables (up to 16)."""
    time_limit: float = field(default=0.0, metadata={
        "flag": "-T", "help": "seconds before stopping (0: none)"})
    """Seconds before the sweep stops merging (0: no limit)."""
    seed: int = field(default=0, metadata={"flag": "-S", "help": "random seed"})
    """Random simulation seed."""

    def __post_init__(self) -> None:
        if not 2 <= self.cut_size <= 16:
            raise ValueError("cut size must be 2..16")
        if self.sim_words < 1 or self.conflict_limit < 0 or self.time_limit < 0:
            raise ValueError("words must be >= 1, limits >= 0")


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0
    cut_proofs: int = 0
    sat_proofs: int = 0
    sat_cex: int = 0
    sat_undecided: int = 0
    seconds: float = 0.0

    def report(self) -> str:
        return (f"fraig: {self.ands_before} -> {self.ands_after} ANDs; proofs: "
                f"{self.cut_proofs} by cuts, {self.sat_proofs} by SAT; {self.sat_cex} "
                f"counter-examples, {self.sat_undecided} undecided ({self.seconds:.2f} s)")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    from edapipe.aig import strash_kernels as SK
    from edapipe.aig.builder import rebuild
    from edapipe.verify.sweep import Deadline, SweepParams, fraig_arrays

    t0 = time.perf_counter()
    sp = SweepParams(sim_words=params.sim_words, cut_size=params.cut_size,
                     conflict_limit=params.conflict_limit, seed=params.seed)
    roots = aig.co_literals().astype(np.int64)
    sw, nf0, nf1, new_roots = fraig_arrays(aig.num_cis, aig.fanin0, aig.fanin1, roots, sp,
                                           Deadline(params.time_limit or None))
    f0, f1, n_and, lit_map = SK.restrash(aig.num_cis, nf0, nf1, new_roots)
    co = lit_map[new_roots >> 1] ^ (new_roots & 1)
    out = rebuild(aig, f0[:n_and], f1[:n_and], co)
    st = sw.stats
    return out, Stats(aig.num_ands, out.num_ands, st.cut_proofs, st.sat_proofs, st.sat_cex,
                      st.sat_undecided, time.perf_counter() - t0)
