"""Budgets a legitimate large job raises with an environment variable (EDAPIPE_MAX_*), and
the cores a process may use (the default number of workers)."""

from __future__ import annotations

import os

from edapipe.errors import UsageError


def env_budget(variable: str, default: int) -> int:
    """The positive integer in `variable`, else `default`; anything else is a usage error."""
    raw = os.environ.get(variable)
    if not raw:
        return default
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):
        raise UsageError(f"{variable}={raw[:40]!r} is not a number") from None
    if value <= 0:
        raise UsageError(f"{variable}={raw[:40]!r} must be positive")
    return value


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def cpu_seconds(children_only: bool = False) -> float:
    """CPU (user+system) of this process and its reaped children, or of the children only
    (a parent that waits while its engine processes run)."""
    t = os.times()
    children = t.children_user + t.children_system
    return children if children_only else t.user + t.system + children


class Budget:
    """What is left of a wall-clock and a CPU limit (seconds, 0 = none), counted from the
    moment the budget is made."""

    def __init__(self, wall_limit: float, cpu_limit: float, children_only: bool = False):
        import time

        self._monotonic = time.monotonic
        self.wall_limit, self.cpu_limit = wall_limit, cpu_limit
        self.children_only = children_only
        self.t0, self.c0 = time.monotonic(), cpu_seconds(children_only)

    def wall(self) -> float:
        """Wall seconds left (meaningful only with a wall limit)."""
        return self.wall_limit - (self._monotonic() - self.t0)

    def cpu(self) -> float:
        """CPU seconds left (meaningful only with a CPU limit)."""
        return self.cpu_limit - (cpu_seconds(self.children_only) - self.c0)

    def expired(self) -> bool:
        return bool((self.wall_limit and self.wall() <= 0)
                    or (self.cpu_limit and self.cpu() <= 0))

    def left(self, floor: float = 0.01) -> tuple[float, float]:
        """(wall, CPU) limits for what runs next: what is left, at least `floor`, and 0 where
        this budget has no limit."""
        return (max(floor, self.wall()) if self.wall_limit else 0.0,
                max(floor, self.cpu()) if self.cpu_limit else 0.0)
