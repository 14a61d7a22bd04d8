"""The one exception hierarchy of edapipe.

The library raises these; only the CLI prints them. Each class carries the process exit code of
DESIGN.md: 0 success, 1 check failed, 2 usage error, 3 bad input, 4 resource limit or undecided.
"""

from __future__ import annotations


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
        self.reason = reason
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        return f"{':'.join(where)}: {self.reason}" if where else self.reason


class ResourceLimit(EdapipeError):
    """A resource limit was hit and the answer is undecided."""

    exit_code = 4
