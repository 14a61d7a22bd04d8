"""Liberty syntax: text (plain or gzip) to a generic tree of groups and attributes.

The grammar is small and uniform (Liberty reference manual, "Syntax"):

    group:          name ( args ) { statements }
    simple attr:    name : value ;
    complex attr:   name ( args ) ;        (also `define(...)`)

with C comments, `\\` line continuations and quoted strings. This module knows nothing about
timing; `liberty.py` turns the tree into a library. Token offsets are kept so that semantic
errors found later can still name file:line:column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edapipe.errors import InputError, excerpt
from edapipe.util import files

# Groups inside groups: real libraries nest library > cell > pin > timing > table (5 or 6).
# The parser keeps an explicit stack, so this is not about Python's recursion limit; it keeps
# anything that walks the tree later (and its memory per level) bounded, with a located error.
MAX_GROUP_DEPTH = 100

# One alternation, tried in order; `lastgroup` names the token kind. Backslash-newline is a
# line continuation and counts as blank space.
_TOKEN = re.compile(
    r'(?P<ws>(?:[ \t\r\n]+|\\\r?\n)+)'
    r'|(?P<comment>/\*.*?\*/|//[^\n]*)'
    # `\\.` covers backslash-newline too (DOTALL); a second alternative for it made an
    # unterminated string of many continuations backtrack exponentially.
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")'
    r'|(?P<punct>[(){}:;,])'
    r'|(?P<word>[^\s(){}:;,"\\]+)',
    re.DOTALL,
)


@dataclass(slots=True, repr=False)
class Group:
    """One Liberty group: `kind (args) { ... }`."""

    kind: str
    args: list[str]
    offset: int
    # Simple attributes in file order (a repeated name keeps the last value, as OpenSTA does).
    attrs: dict[str, str] = field(default_factory=dict)
    attr_offsets: dict[str, int] = field(default_factory=dict)
    # Complex attributes, in file order: (name, args, offset).
    complex: list[tuple[str, list[str], int]] = field(default_factory=list)
    groups: list["Group"] = field(default_factory=list)

    def complex_attr(self, name: str) -> list[str] | None:
        for cname, args, _ in self.complex:
            if cname == name:
                return args
        return None

    def subgroups(self, kind: str) -> list["Group"]:
        return [g for g in self.groups if g.kind == kind]


class SourceText:
    """The text of one file with offset-to-line:column lookup for error messages."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename

    def error(self, reason: str, offset: int) -> InputError:
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return InputError(reason, file=self.filename, line=line, column=col)

    def where(self, offset: int) -> str:
        """file:line:column of an offset (for messages that are not InputErrors)."""
        err = self.error("", offset)
        return f"{err.file}:{err.line}:{err.column}"


def decode(data: bytes, filename: str) -> str:
    """Bytes of a Liberty file, gzip or plain, as text.

    gzip is unpacked within the input budget (files.gunzip: a gzip bomb is a ResourceLimit
    naming EDAPIPE_MAX_INPUT_MB, not gigabytes of memory)."""
    if data[:2] == b"\x1f\x8b":
        data = files.gunzip(data, filename)
    return data.decode("utf-8", errors="replace")


def _shown(tok: str) -> str:
    """A token for a message: quoted and clipped (a token can be a 5 MB word)."""
    return repr(excerpt(tok, 60)) if tok else "end of file"


def _unquote(tok: str) -> str:
    if tok.startswith('"'):
        return tok[1:-1].replace("\\\r\n", "").replace("\\\n", "")
    return tok


def parse(src: SourceText) -> Group:
    """Parse a whole Liberty file; return its top group (normally `library`)."""
    text = src.text
    # (kind, value, offset) triples, blanks and comments dropped.
    toks: list[tuple[str, str, int]] = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    append = toks.append
    while pos < end:
        m = match(text, pos)
        if m is None:
            if text.startswith("/*", pos):
                raise src.error("unterminated comment", pos)
            if text[pos] == '"':
                raise src.error("unterminated string", pos)
            raise src.error(f"unexpected character {text[pos]!r}", pos)  # one character
        kind = m.lastgroup
        if kind == "word" and text.startswith("/*", pos):
            # the comment alternative failed: no `*/` follows. Stop here; read as a word,
            # every further `/*` would scan to the end again (quadratic on 5000 of them)
            raise src.error("unterminated comment", pos)
        if kind == "word" or kind == "punct":
            append((kind, m.group(), pos))
        elif kind == "string":
            append(("string", m.group(), pos))
        pos = m.end()
    append(("eof", "", end))
    return _Parser(src, toks).parse_top()


class _Parser:
    """Recursive descent over the token list, with an explicit stack for group nesting."""

    def __init__(self, src: SourceText, toks: list[tuple[str, str, int]]):
        self.src = src
        self.toks = toks
        self.i = 0

    def _expect(self, value: str) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        if tok[1] != value or tok[0] not in ("punct",):
            raise self.src.error(f"expected {value!r}, found {_shown(tok[1])}", tok[2])
        self.i += 1
        return tok

    def _args(self) -> list[str]:
        """Arguments between parentheses; the opening one already consumed."""
        toks, out = self.toks, []
        while True:
            kind, val, off = toks[self.i]
            self.i += 1
            if kind == "punct":
                if val == ")":
                    return out
                if val == ",":
                    continue
                raise self.src.error(f"unexpected {_shown(val)} in argument list", off)
            if kind == "eof":
                raise self.src.error("unterminated argument list (missing ')')", off)
            # Adjacent words separated only by blanks form one argument (e.g. `1ns`).
            out.append(_unquote(val))

    def _value(self) -> str:
        """The value of a simple attribute: everything up to `;` or end of line group."""
        toks = self.toks
        kind, val, off = toks[self.i]
        if kind in ("word", "string"):
            # One token; the `;` is optional in practice (many libraries drop it at line end).
            self.i += 1
            if toks[self.i][1] == ";" and toks[self.i][0] == "punct":
                self.i += 1
            return _unquote(val)
        raise self.src.error(f"expected an attribute value, found {_shown(val)}", off)

    def parse_top(self) -> Group:
        toks = self.toks
        kind, name, off = toks[0]
        if kind != "word":
            raise self.src.error("expected a Liberty group such as library(name) { ... }", off)
        self.i = 1
        self._expect("(")
        top = Group(name, self._args(), off)
        self._expect("{")
        stack = [top]
        while stack:
            cur = stack[-1]
            kind, name, off = toks[self.i]
            if kind == "punct" and name == "}":
                self.i += 1
                stack.pop()
                if toks[self.i][1] == ";":  # tolerated: `};`
                    self.i += 1
                continue
            if kind == "punct" and name == ";":  # stray semicolon
                self.i += 1
                continue
            if kind == "eof":
                where = excerpt(f"{cur.kind}({', '.join(cur.args)})", 60)
                raise self.src.error(f"end of file inside group {where} (missing '}}')",
                                     len(self.src.text))
            if kind != "word":
                raise self.src.error(f"expected an attribute or group name, found {_shown(name)}",
                                     off)
            self.i += 1
            sep_kind, sep, sep_off = toks[self.i]
            if sep == ":" and sep_kind == "punct":
                self.i += 1
                cur.attrs[name] = self._value()
                cur.attr_offsets[name] = off
            elif sep == "(" and sep_kind == "punct":
                self.i += 1
                args = self._args()
                nxt = toks[self.i]
                if nxt[1] == "{" and nxt[0] == "punct":
                    self.i += 1
                    if len(stack) >= MAX_GROUP_DEPTH:
                        raise self.src.error(f"groups nested deeper than {MAX_GROUP_DEPTH}", off)
                    grp = Group(name, args, off)
                    cur.groups.append(grp)
                    stack.append(grp)
                else:
                    if nxt[1] == ";" and nxt[0] == "punct":
                        self.i += 1
                    cur.complex.append((name, args, off))
            else:
                raise self.src.error(
                    f"expected ':' or '(' after {_shown(name)}, found {_shown(sep)}", sep_off)
        if toks[self.i][0] != "eof":
            raise self.src.error("text after the end of the library group", toks[self.i][2])
        return top
