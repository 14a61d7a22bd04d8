"""The and-inverter graph: a frozen value over flat int32 literal arrays (ABC Gia / AIGER style).

Numbering follows AIGER exactly, so reading and writing is a copy:
    var 0                     constant false (literal 0; literal 1 is true)
    vars 1 .. I               primary inputs
    vars I+1 .. I+L           latch outputs (current state)
    vars I+L+1 .. I+L+A       AND nodes, in topological order
A literal is 2*var + complement. AND node k (var I+L+1+k) has fanins fanin0[k] >= fanin1[k],
both smaller than its own literal. Levels, fanouts and reference counts are computed by the
functions in edapipe.aig.analysis, never stored here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

LATCH_INIT_X = -1
"""latch_init value of a latch with no reset value (AIGER 1.9: init literal == own literal)."""

Names = tuple  # tuple[str | None, ...]


def _i32(values) -> np.ndarray:
    arr = np.ascontiguousarray(values, dtype=np.int32)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Aig:
    """An AIG with inputs, latches, outputs and names; immutable (arrays are read-only)."""

    num_inputs: int
    fanin0: np.ndarray
    fanin1: np.ndarray
    outputs: np.ndarray
    latch_next: np.ndarray = field(default_factory=lambda: _i32([]))
    latch_init: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    input_names: Names = ()
    latch_names: Names = ()
    output_names: Names = ()
    bad: np.ndarray = field(default_factory=lambda: _i32([]))
    constraints: np.ndarray = field(default_factory=lambda: _i32([]))
    comments: tuple = ()
    name: str | None = None

    def __post_init__(self) -> None:
        for attr in ("fanin0", "fanin1", "outputs", "latch_next", "bad", "constraints"):
            object.__setattr__(self, attr, _i32(getattr(self, attr)))
        init = np.ascontiguousarray(self.latch_init, dtype=np.int8)
        init.flags.writeable = False
        object.__setattr__(self, "latch_init", init)
        object.__setattr__(self, "num_inputs", int(self.num_inputs))
        for attr, n in (("input_names", self.num_inputs), ("latch_names", self.num_latches),
                        ("output_names", self.num_outputs)):
            names = tuple(getattr(self, attr))
            if not names:
                names = (None,) * n
            if len(names) != n:
                raise ValueError(f"{attr} has {len(names)} entries for {n} objects")
            object.__setattr__(self, attr, names)
        object.__setattr__(self, "comments", tuple(self.comments))
        self._check()

    def _check(self) -> None:
        n_and = len(self.fanin0)
        if len(self.fanin1) != n_and:
            raise ValueError("fanin0 and fanin1 differ in length")
        if len(self.latch_init) != len(self.latch_next):
            raise ValueError("latch_init and latch_next differ in length")
        own = 2 * (self.first_and_var + np.arange(n_and, dtype=np.int64))
        if n_and and (np.any(self.fanin1 < 0) or np.any(self.fanin0 < self.fanin1)
                      or np.any(self.fanin0 >= own)):
            raise ValueError("AND fanins must satisfy own literal > fanin0 >= fanin1 >= 0")
        limit = 2 * (self.max_var + 1)
        for attr in ("outputs", "latch_next", "bad", "constraints"):
            arr = getattr(self, attr)
            if arr.size and (arr.min() < 0 or arr.max() >= limit):
                raise ValueError(f"{attr} holds a literal outside 0..{limit - 1}")
        if self.latch_init.size and not np.all(np.isin(self.latch_init, (0, 1, LATCH_INIT_X))):
            raise ValueError("latch_init values must be 0, 1 or LATCH_INIT_X")

    # ---- sizes -------------------------------------------------------------------------
    @property
    def num_latches(self) -> int:
        return len(self.latch_next)

    @property
    def num_outputs(self) -> int:
        return len(self.outputs)

    @property
    def num_ands(self) -> int:
        return len(self.fanin0)

    @property
    def num_cis(self) -> int:
        """Combinational inputs: primary inputs then latch outputs."""
        return self.num_inputs + self.num_latches

    @property
    def first_and_var(self) -> int:
        return 1 + self.num_inputs + self.num_latches

    @property
    def max_var(self) -> int:
        return self.num_inputs + self.num_latches + self.num_ands

    @property
    def num_vars(self) -> int:
        """Variables including the constant: the length of per-variable arrays."""
        return self.max_var + 1

    @property
    def is_combinational(self) -> bool:
        return self.num_latches == 0

    def co_literals(self) -> np.ndarray:
        """Combinational output literals: outputs, latch next states, bad, constraints."""
        return np.concatenate([self.outputs, self.latch_next, self.bad, self.constraints])

    # ---- names -------------------------------------------------------------------------
    def input_name(self, i: int) -> str:
        return self.input_names[i] or f"i{i}"

    def latch_name(self, i: int) -> str:
        return self.latch_names[i] or f"l{i}"

    def output_name(self, i: int) -> str:
        return self.output_names[i] or f"o{i}"

    def replace(self, **changes) -> "Aig":
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:
        return (f"Aig(i={self.num_inputs}, l={self.num_latches}, o={self.num_outputs}, "
                f"and={self.num_ands}, name={self.name!r})")


def lit_var(lit):
    return lit >> 1


def lit_compl(lit):
    return lit & 1


def make_lit(var, compl=0):
    return 2 * var + compl
