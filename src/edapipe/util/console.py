"""The rich Console every stage logs through: always standard error, never standard output."""

from __future__ import annotations

import functools
import sys


@functools.lru_cache(maxsize=1)
def console():
    from rich.console import Console

    return Console(stderr=True)


def stderr_is_terminal() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()


def print_diagnostic(diag) -> None:
    """The CLI's one way to show a Diagnostic (edapipe.errors): one plain line on standard
    error, `edapipe: <severity>: file:line:column: message`."""
    console().print(f"edapipe: {diag.severity}: {diag}", markup=False, highlight=False,
                    soft_wrap=True)
