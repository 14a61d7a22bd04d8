"""Budgets that keep a hostile or mistaken netlist from taking all memory or forever.

Each is a default that a legitimate large job can raise with an environment variable; hitting
one is a ResourceLimit (exit 4) that names the card, the limit and the variable:

- EDAPIPE_MAX_ELEMENTS: elements after subcircuit expansion (checked before expanding: a
  30-level doubling `.subckt` is refused at once, not after 800 MB).
- EDAPIPE_MAX_POINTS: points of one analysis (a .dc sweep, nested sweeps multiplied; .ac
  frequencies; .tran time steps, at least TSTOP/TMAX), sized before anything is allocated.
- EDAPIPE_MAX_VALUES: numbers one analysis stores (points x vectors; 8 bytes each, complex
  16), so a long transient of a large circuit stops at about 800 MB.
"""

from __future__ import annotations

from edapipe.util.budgets import env_budget

DEFAULT_MAX_ELEMENTS = 1_000_000
DEFAULT_MAX_POINTS = 10_000_000
DEFAULT_MAX_VALUES = 100_000_000

ELEMENTS_VARIABLE = "EDAPIPE_MAX_ELEMENTS"
POINTS_VARIABLE = "EDAPIPE_MAX_POINTS"
VALUES_VARIABLE = "EDAPIPE_MAX_VALUES"


def max_elements() -> int:
    return env_budget(ELEMENTS_VARIABLE, DEFAULT_MAX_ELEMENTS)


def max_points() -> int:
    return env_budget(POINTS_VARIABLE, DEFAULT_MAX_POINTS)


def max_values() -> int:
    return env_budget(VALUES_VARIABLE, DEFAULT_MAX_VALUES)


def check_points(points: float, width: int, what: str, where: str = "") -> None:
    """Raise a ResourceLimit when an analysis of `points` points storing `width` numbers per
    point is over budget. `what` names the analysis in the message, `where` is "file:line: "
    or empty."""
    from edapipe.errors import ResourceLimit

    limit = max_points()
    if not points <= limit:                     # (also true for a NaN count)
        shown = f"{points:.3g} points" if points < 1e15 else "more than 1e15 points"
        raise ResourceLimit(f"{where}{what} needs {shown}, over the limit of {limit:,}; "
                            f"raise it with {POINTS_VARIABLE}=N")
    vlimit = max_values()
    if points * max(width, 1) > vlimit:
        raise ResourceLimit(f"{where}{what} would store {points * max(width, 1):.3g} values "
                            f"({points:.3g} points x {width} vectors), over the limit of "
                            f"{vlimit:,}; raise it with {VALUES_VARIABLE}=N")
