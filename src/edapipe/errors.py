"""The one exception hierarchy of edapipe.

The library raises these; only the CLI prints them. Each class carries the process exit code of
DESIGN.md: 0 success, 1 check failed, 2 usage error, 3 bad input, 4 resource limit or undecided.
"""

from __future__ import annotations

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
