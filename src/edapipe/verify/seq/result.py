"""What an engine answers for one property: holds (with an invariant), fails (with a trace),
or undecided; and the AIGER witness text of a trace."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

HOLDS, FAILS, UNDECIDED = "holds", "fails", "undecided"


@dataclass
class Trace:
    """A counter-example over the whole AIG: 0/1 per latch at reset, inputs[T, num_inputs]."""

    init: np.ndarray
    inputs: np.ndarray

    @property
    def length(self) -> int:
        return int(self.inputs.shape[0])


@dataclass
class Result:
    status: str
    engine: str = ""
    depth: int = 0                       # BMC depth / PDR frames / induction k reached
    trace: Trace | None = None
    # PDR: the inductive invariant as cubes it excludes; a cube is a tuple of literals
    # 2*latch + neg over the full AIG's latch indices (neg: the latch is 0 in the cube).
    invariant: list[tuple[int, ...]] | None = None
    seconds: float = 0.0
    stats: dict = field(default_factory=dict)
    checked: bool = False                # prove.validate has accepted it (trace, invariant)


def witness_text(trace: Trace, prop: int) -> str:
    """AIGER witness: status 1, the property (b<j>), the initial state, one line per frame."""
    lines = ["1", f"b{prop}", "".join(map(str, trace.init.astype(int).tolist()))]
    lines += ["".join(map(str, row)) for row in trace.inputs.astype(int).tolist()]
    lines.append(".")
    return "\n".join(lines) + "\n"


def full_trace(prob, init_coi: np.ndarray, input_frames: list[np.ndarray]) -> Trace:
    """A Trace over every latch and input from values over the COI of `prob` (model.Problem).

    Latches outside the COI start at their reset value (X: 0) and inputs outside it are 0:
    neither can change the property.
    """
    from edapipe.verify.seq.simulate import initial_state

    aig = prob.aig
    init = initial_state(aig)
    init[prob.latches] = init_coi
    inputs = np.zeros((len(input_frames), aig.num_inputs), dtype=np.uint8)
    for t, row in enumerate(input_frames):
        inputs[t, prob.inputs] = row
    return Trace(init, inputs)
