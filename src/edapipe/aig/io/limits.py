"""Budgets of the logic readers: what keeps a small hostile file from taking all memory or time.

Widths and counts that a file states are checked against fixed limits before anything is
allocated (each reader names its own). What a file only implies, by hierarchy or by
elaboration, is counted against a budget that a legitimate large job can raise with an
environment variable; hitting one is a ResourceLimit (exit 4) that names the limit and the
variable:

- EDAPIPE_MAX_ELEMENTS (default 1,000,000, the same variable and meaning as for SPICE
  subcircuits): the elements a BLIF `.subckt` hierarchy adds when it is flattened, and the
  module instances plus declared signal bits of an RTL design. Checked before expanding
  where the size can be known (a 30-level doubling hierarchy is refused at once).
- EDAPIPE_MAX_NODES (default 2**22): the AIG objects (inputs, latches, AND gates) one RTL
  elaboration may build, so `a * b` on 65536-bit operands stops under 1 GB, not at 100 GB;
  a quarter of it (plus 8 per byte of the file) bounds the bits the structural Verilog
  reader's vector operations make (`assign w = a & a & ...` on 65536-bit vectors).
- EDAPIPE_MAX_STEPS (default 2**18): statements executed, loop iterations and function calls
  of one RTL elaboration in total (one loop alone stops at 65536 iterations).
"""

from __future__ import annotations

from edapipe.errors import ResourceLimit
from edapipe.util.budgets import env_budget

ELEMENTS_VARIABLE = "EDAPIPE_MAX_ELEMENTS"
NODES_VARIABLE = "EDAPIPE_MAX_NODES"
STEPS_VARIABLE = "EDAPIPE_MAX_STEPS"
DEFAULT_MAX_ELEMENTS = 1_000_000
DEFAULT_MAX_NODES = 1 << 22
DEFAULT_MAX_STEPS = 1 << 18


def max_elements() -> int:
    return env_budget(ELEMENTS_VARIABLE, DEFAULT_MAX_ELEMENTS)


def max_nodes() -> int:
    return env_budget(NODES_VARIABLE, DEFAULT_MAX_NODES)


def max_steps() -> int:
    return env_budget(STEPS_VARIABLE, DEFAULT_MAX_STEPS)


def over_budget(where: str, what: str, limit: int, variable: str) -> ResourceLimit:
    """The error for `what` exceeding `limit`; `where` is "file:line: " or "file: "."""
    return ResourceLimit(f"{where}{what}, more than the limit of {limit:,}; raise it with "
                         f"{variable}=N")
