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
