"""Standard error, where every stage logs (never standard output): plain lines through
write_line, and rich's Console only for what rich really draws (progress bars on a terminal).

Importing rich costs 0.03-0.05 s of CPU, a tenth of a small run, so a line of text never
loads it: write_line writes what rich's `print(markup=False, highlight=False,
soft_wrap=True)` wrote, without rich."""

from __future__ import annotations

import sys

_rich_console = None

# Rich drops these control characters (bell, backspace, vertical tab, form feed, carriage
# return) from printed text; so does write_line, so a CRLF input's quoted line still shows.
_DROPPED_CONTROLS = dict.fromkeys((7, 8, 11, 12, 13))


def console():
    """The rich Console on standard error, created (and rich imported) on first use."""
    global _rich_console
    if _rich_console is None:
        from rich.console import Console

        _rich_console = Console(stderr=True)
    return _rich_console


def stderr_is_terminal() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()


def write_line(text: str) -> None:
    """`text` and a newline on standard error, tabs expanded to 8 columns as rich did, long
    lines never broken. While a rich display may be live on the terminal (a progress bar),
    the line goes through its console so the bar redraws below it instead of over it."""
    if _rich_console is not None and _rich_console.is_terminal:
        _rich_console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)
        return
    stream = sys.stderr
    if stream is None:
        return
    text = text.translate(_DROPPED_CONTROLS)
    if "\t" in text:
        text = text.expandtabs(8) if text.isascii() else _expand_tabs_by_cells(text)
    stream.write(text + "\n")
    stream.flush()


def _expand_tabs_by_cells(text: str) -> str:
    # Rich's tab stops count terminal cells: an East Asian wide character takes two, a
    # combining mark none.
    from unicodedata import combining, east_asian_width

    lines = []
    for line in text.split("\n"):
        out = []
        column = 0
        for ch in line:
            if ch == "\t":
                pad = 8 - column % 8
                out.append(" " * pad)
                column += pad
            else:
                out.append(ch)
                column += 0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1
        lines.append("".join(out))
    return "\n".join(lines)


def print_diagnostic(diag) -> None:
    """The CLI's one way to show a Diagnostic (edapipe.errors): one plain line on standard
    error, `edapipe: <severity>: file:line:column: message`."""
    write_line(f"edapipe: {diag.severity}: {diag}")
