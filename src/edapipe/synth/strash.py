"""Pass `strash` (st): structural hashing and removal of dangling nodes."""

from __future__ import annotations

from dataclasses import dataclass

from edapipe.aig.builder import strash
from edapipe.aig.core import Aig


@dataclass(frozen=True)
class Params:
    """strash has no options."""


@dataclass
class Stats:
    ands_before: int = 0
    ands_after: int = 0

    def report(self) -> str:
        return f"strash: {self.ands_before} -> {self.ands_after} ANDs"

    def as_dict(self) -> dict:
        return {"ands_before": self.ands_before, "ands_after": self.ands_after}


def run(aig: Aig, params: Params = Params()) -> tuple[Aig, Stats]:
    out = strash(aig)
    return out, Stats(aig.num_ands, out.num_ands)
