"""util.console: plain lines on standard error written as rich wrote them, without rich;
rich's console only when a display of its own may be live on the terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from edapipe.util import console as stderr_console

# tabs, carriage returns and other controls rich dropped, escapes it kept, markup-like and
# emoji-like text that must stay literal, wide characters, several lines
LINES = ["edapipe: warning: x.v:3:5: net 'b' undriven", "a\tb\tc", "crlf line\r", "x\r\ny",
         "bell\x07bs\x08vt\x0bff\x0c", "esc\x1b[31mred", "[bold]x[/bold] [ 0]   input",
         "nl\nsecond\tt", "trailing  ", "ü€ 漢字\t|", "e\u0301\tcombining", "nul\x00x", "",
         "tab\t"]


def rich_wrote(text: str, **kwargs) -> str:
    buf = io.StringIO()
    Console(file=buf, **kwargs).print(text, markup=False, highlight=False, soft_wrap=True)
    return buf.getvalue()


@pytest.mark.parametrize("text", LINES)
def test_write_line_is_byte_identical_to_rich(text, capsys, monkeypatch):
    monkeypatch.setattr(stderr_console, "_rich_console", None)
    stderr_console.write_line(text)
    assert capsys.readouterr().err == rich_wrote(text)


def test_long_lines_and_emoji_codes_stay_as_written(capsys, monkeypatch):
    monkeypatch.setattr(stderr_console, "_rich_console", None)
    long = "cec: {" + ", ".join(f"'k{i}': {i}" for i in range(40)) + "}"
    stderr_console.write_line(long)
    stderr_console.write_line("edapipe: warning: a.cir:1: :cd: :smile:")
    assert capsys.readouterr().err == long + "\nedapipe: warning: a.cir:1: :cd: :smile:\n"


def test_print_diagnostic_one_plain_line(capsys, monkeypatch):
    from edapipe.errors import Diagnostic

    monkeypatch.setattr(stderr_console, "_rich_console", None)
    stderr_console.print_diagnostic(Diagnostic("warning", "ten\tcolumns"))
    assert capsys.readouterr().err == "edapipe: warning: ten   columns\n"   # stops of 8


def test_live_terminal_console_takes_the_line(capsys, monkeypatch):
    # a progress bar's console on a terminal: the line goes through it, above the bar
    buf = io.StringIO()
    live = Console(file=buf, force_terminal=True, width=40)
    monkeypatch.setattr(stderr_console, "_rich_console", live)
    stderr_console.write_line("edapipe: warning: [red]x[/red] :cd: " + "w" * 50)
    assert capsys.readouterr().err == ""
    assert buf.getvalue() == "edapipe: warning: [red]x[/red] :cd: " + "w" * 50 + "\n"


def test_a_console_off_the_terminal_is_bypassed(capsys, monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(stderr_console, "_rich_console", Console(file=buf))
    stderr_console.write_line("plain")
    assert capsys.readouterr().err == "plain\n" and buf.getvalue() == ""


def test_no_standard_error_is_no_error(monkeypatch):
    monkeypatch.setattr(stderr_console, "_rich_console", None)
    monkeypatch.setattr("sys.stderr", None)
    stderr_console.write_line("lost quietly, as print() does")
