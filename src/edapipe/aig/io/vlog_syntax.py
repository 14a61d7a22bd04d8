"""The one Verilog token grammar of the gate-level readers (aig/io/verilog.py, the AIG reader,
and timing/netlist.py, the cell netlist of sta), and the lexer over it.

Both readers see the same tokens: escaped identifiers (`\\a[3] `, the name without its `\\`),
identifiers and keywords, based numbers (`4'hA`, `8 'b1010`, blanks allowed around the `'`),
decimal numbers (with `_`), compiler directives, the multi-character operators of Verilog-2005
and any other single character. Blanks, `//` and `/* */` comments and `(* *)` attributes are
skipped (`@(*)` is not an attribute). An unterminated `/*` is a token of its own, so a reader
reports it where it starts instead of rescanning the rest of the file at every later token.

Two scanners are built from the grammar: `TOKEN_RE.findall` over the whole text (the AIG
reader: one C-level scan, positions recovered only for errors, see `Locator`) and `Lexer`, a
lazy peek/take scanner from a character position (the netlist reader, whose statement
regexes and general parser take turns on the same text). `skip_directives` makes compiler
directive lines blanks (the netlist reader); otherwise they are tokens a reader can refuse.
"""

from __future__ import annotations

import bisect
import re

from edapipe.errors import InputError, excerpt

# Possessive repetition throughout: nothing after a blank starts with a blank, so a failed
# match never retries a long run of blanks at every split (linear on hostile input).
BLANK = r"\s+|//[^\n]*|/\*(?s:.*?)\*/|\(\*(?!\))(?s:.*?)\*\)"
DIRECTIVE_LINE = r"`[^\n]*"
ESCAPED = r"\\\S+"
IDENT = r"[A-Za-z_][A-Za-z0-9_$]*"
BASED_NUMBER = r"\d*\s*'[sS]?[bBoOdDhH]\s*[0-9a-fA-FxXzZ_?]+"
DECIMAL = r"\d[\d_]*"
OPERATORS = r"===|!==|~\^|\^~|~&|~\||&&|\|\||==|!=|<=|>=|<<<|>>>|<<|>>|\*\*|->"
TOKEN = (rf"{ESCAPED}|{IDENT}|{BASED_NUMBER}|{DECIMAL}|`[A-Za-z_]\w*|/\*"
         rf"|{OPERATORS}|\S|\Z")
"""One token; `\\Z` is the empty token at the end, so trailing comments are skipped."""
NAME = r"\\\S++|[A-Za-z_][A-Za-z0-9_$]*+"
"""An identifier, plain or escaped, possessive (for statement regexes built on the grammar)."""


def blank(skip_directives: bool = False) -> str:
    """One blank, comment or attribute (a regex of alternatives)."""
    return f"{BLANK}|{DIRECTIVE_LINE}" if skip_directives else BLANK


def skip(skip_directives: bool = False) -> str:
    """The blanks before a token (a regex, possessive)."""
    return f"(?:{blank(skip_directives)})*+"


TOKEN_RE = re.compile(skip() + f"({TOKEN})")
"""Blanks then one token in group 1: `TOKEN_RE.findall(text)` is the token list."""
_LAZY_RE = re.compile(skip(True) + f"({TOKEN})")
BLANKS_RE = re.compile(skip(True))


def shown(tok: str) -> str:
    """A token for a message: quoted and clipped (a token can be a 5 MB name)."""
    return repr(excerpt(tok, 60)) if tok else "end of file"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset (error paths only)."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class Locator:
    """Token index -> (line, column) for a token list from `token_re.findall(text)`, found by
    scanning again (only on errors), and only as far as the token asked for: an error early
    in a 5 MB file costs nothing."""

    def __init__(self, text: str, token_re: re.Pattern = TOKEN_RE):
        self.text = text
        self.starts: list[int] = []
        self.matches = token_re.finditer(text)

    def __call__(self, k) -> tuple:
        if k is None:
            return (None, None)
        starts = self.starts
        while len(starts) <= int(k):
            m = next(self.matches, None)
            if m is None:
                break
            starts.append(m.start(1))
        k = min(int(k), len(starts) - 1) if starts else 0
        return line_col(self.text, starts[k] if starts else 0)


class Lexer:
    """Tokens (kind, text, offset) scanned lazily from a character position. Kinds: "id"
    (identifiers and keywords; escaped ones without the `\\`), "num", "punct" and "eof".
    Compiler directive lines are blanks."""

    def __init__(self, text: str, filename: str):
        self.filename = filename
        self.text = text
        self.pos = 0
        self._tok: tuple[str, str, int] | None = None
        self._next = 0
        self._newlines: list[int] | None = None

    def error(self, reason: str, offset: int) -> InputError:
        line, col = line_col(self.text, offset)
        return InputError(reason, file=self.filename, line=line, column=col)

    def line_of(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def peek(self) -> tuple[str, str, int]:
        tok = self._tok
        if tok is None:
            m = _LAZY_RE.match(self.text, self.pos)
            val = m.group(1)
            start = m.start(1)
            c = val[:1]
            if not c:
                tok = ("eof", "", start)
            elif c == "\\":
                tok = ("id", val[1:], start)
            elif c.isalpha() or c == "_":
                tok = ("id", val, start)
            elif c.isdigit() or c == "'":
                tok = ("num", val, start)
            elif val == "/*" or (val == "(" and self.text.startswith("(*", start)
                                 and not self.text.startswith("(*)", start)):
                # the blanks take every terminated comment or attribute: this one is not.
                # An error now; as tokens, each later one would rescan the rest (quadratic)
                raise self.error("unterminated comment or attribute", start)
            else:
                tok = ("punct", val, start)
            self._tok = tok
            self._next = m.end()
        return tok

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        self.pos = self._next
        self._tok = None
        return tok

    def skip_blanks(self) -> int:
        """Move past blanks and comments (no pending token); return the new position."""
        if self._tok is not None:
            return self._tok[2]
        self.pos = BLANKS_RE.match(self.text, self.pos).end()
        return self.pos

    def expect(self, value: str) -> tuple[str, str, int]:
        tok = self.take()
        if tok[1] != value or tok[0] not in ("punct", "id"):
            raise self.error(f"expected {value!r}, found {shown(tok[1])}", tok[2])
        return tok

    def ident(self, what: str) -> tuple[str, int]:
        kind, val, off = self.take()
        if kind != "id":
            raise self.error(f"expected {what}, found {shown(val)}", off)
        return val, off
