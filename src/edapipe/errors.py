"""The one exception hierarchy of edapipe.

The library raises these; only the CLI prints them. Each class carries the process exit code of
DESIGN.md: 0 success, 1 check failed, 2 usage error, 3 bad input, 4 resource limit or undecided.
"""

from __future__ import annotations

from collections.abc import Callable

EXCERPT_LIMIT = 120      # characters of input text any message may quote
_LINE_LIMIT = 240        # characters of any one line of a message (a safety net)
_LINES_LIMIT = 20        # lines of any one message


def excerpt(text: object, limit: int = EXCERPT_LIMIT) -> str:
    """`text` for quoting in a message: one line, at most `limit` characters, with an ellipsis.

    Messages quote input so a user can find the spot, never to reproduce it: a 5 MB line or
    the first line of a file that is not a netlist must not end up on standard error whole.
    """
    s = str(text)
    nl = s.find("\n")
    if nl >= 0:
        s = s[:nl].rstrip("\r") + " ..."
    if len(s) > limit:
        s = s[:max(limit - 3, 1)] + "..."
    return s


def clip_message(message: str) -> str:
    """A message with every line and the number of lines bounded (see excerpt)."""
    lines = message.split("\n")
    if len(lines) > _LINES_LIMIT:
        lines = lines[:_LINES_LIMIT] + [f"... ({len(lines) - _LINES_LIMIT} more lines)"]
    return "\n".join(excerpt(line, _LINE_LIMIT) if len(line) > _LINE_LIMIT else line
                     for line in lines)


def _location(file, line, column) -> str:
    where = [str(file)] if file is not None else []
    if line is not None:
        where.append(str(line))
        if column is not None:
            where.append(str(column))
    return ":".join(where)


class Diagnostic:
    """One thing a reader reports without stopping: severity ("warning" or "note"), where
    (file, line, column when known) and what. Readers hand these to a `Report` callable (a
    list's `append` collects them); only the CLI prints them (util.console.print_diagnostic),
    as `edapipe: warning: file:line:column: message`. Errors stay exceptions (InputError).

    A plain immutable class, not a dataclass: the CLI imports this module at every start."""

    __slots__ = ("severity", "message", "file", "line", "column")

    def __init__(self, severity: str, message: str, file: str | None = None,
                 line: int | None = None, column: int | None = None):
        for name, value in (("severity", severity), ("message", clip_message(str(message))),
                            ("file", file), ("line", line), ("column", column)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("a Diagnostic is immutable")

    def _key(self) -> tuple:
        return (self.severity, self.message, self.file, self.line, self.column)

    def __eq__(self, other) -> bool:
        return isinstance(other, Diagnostic) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Diagnostic(%r, %r, file=%r, line=%r, column=%r)" % self._key()

    def __str__(self) -> str:
        where = _location(self.file, self.line, self.column)
        return f"{where}: {self.message}" if where else self.message


Report = Callable[[Diagnostic], None]
"""Where a reader sends its diagnostics (e.g. `found.append`, or the CLI's printer)."""


class EdapipeError(Exception):
    """Base of every error edapipe reports to a user."""

    exit_code: int = 1


class CheckFailed(EdapipeError):
    """The check ran and its answer is no (not equivalent, timing violated)."""

    exit_code = 1


class UsageError(EdapipeError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class InputError(EdapipeError):
    """Bad input: a parse or semantic error, located as file:line:column when known."""

    exit_code = 3

    def __init__(self, reason: str, file: str | None = None, line: int | None = None,
                 column: int | None = None):
        self.reason = clip_message(str(reason))
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = _location(self.file, self.line, self.column)
        return f"{where}: {self.reason}" if where else self.reason


class ResourceLimit(EdapipeError):
    """A resource limit was hit and the answer is undecided."""

    exit_code = 4
