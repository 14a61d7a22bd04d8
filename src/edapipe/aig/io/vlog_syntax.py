"""The one Verilog token grammar of the gate-level readers (aig/io/verilog.py, the AIG reader,
and aig/io/vlog_parse.py, the parser whose first builder is timing/netlist.py, sta's cell
netlist).

Both readers see the same tokens: escaped identifiers (`\\a[3] `, the name without its `\\`),
identifiers and keywords, based numbers (`4'hA`, `8 'b1010`, blanks allowed around the `'`),
decimal numbers (with `_`), compiler directives, the multi-character operators of Verilog-2005
and any other single character. Blanks, `//` and `/* */` comments and `(* *)` attributes are
skipped (`@(*)` is not an attribute). An unterminated `/*` is a token of its own, so a reader
reports it where it starts instead of rescanning the rest of the file at every later token.

Both scan with `findall` over the whole text (one C-level scan; positions recovered only
for errors, see `Locator`), each with its own statement tokens on top of the grammar (runs
of simple assigns for the AIG reader, simple instances and declarations for the parser).
`skip(True)` makes compiler directive lines blanks (the parser); otherwise they are tokens a
reader can refuse.
"""

from __future__ import annotations

import re

from edapipe.errors import excerpt

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

GATES = frozenset(("and", "or", "nand", "nor", "xor", "xnor", "not", "buf"))
"""The gate primitives: `not` and `buf` drive their outputs from the last terminal, the
others their first terminal from the rest (the AIG reader reads them; the netlist reads the
words as cell names)."""
"""An identifier, plain or escaped, possessive (for statement regexes built on the grammar)."""


def blank(skip_directives: bool = False) -> str:
    """One blank, comment or attribute (a regex of alternatives)."""
    return f"{BLANK}|{DIRECTIVE_LINE}" if skip_directives else BLANK


def skip(skip_directives: bool = False) -> str:
    """The blanks before a token (a regex, possessive)."""
    return f"(?:{blank(skip_directives)})*+"


TOKEN_RE = re.compile(skip() + f"({TOKEN})")
"""Blanks then one token in group 1: `TOKEN_RE.findall(text)` is the token list."""


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
