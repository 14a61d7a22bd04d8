"""A small, safe reader for the Tcl subset SDC files use. Nothing is ever evaluated as code.

Supported: commands separated by newlines or `;`, `#` comments at command start, backslash
line continuations, `{braced}` literal words, `"quoted"` words, `$var` / `${var}` substitution,
`[command ...]` substitution (only commands the caller provides), and `set`. `expr` is
computed by walking Python's `ast` for arithmetic only (numbers, + - * / % **, parentheses,
unary minus, min/max/abs/double/int), never with eval().

Brackets whose first word is not a known command are kept as text, so unquoted bus names such
as `req_msg[*]` or `a[3]` work as engineers write them (real Tcl would reject these).
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable

from edapipe.errors import InputError


@dataclass(slots=True)
class Word:
    """One word of a command: its value (str or a list of objects) and where it started."""

    value: Any
    offset: int
    braced: bool = False


class TclError(Exception):
    def __init__(self, reason: str, offset: int):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


_COMMAND_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*\Z")
_VAR = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z0-9_:]+))")

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_FUNCS = {"min": min, "max": max, "abs": abs, "double": float, "int": int,
          "round": round}


def safe_arith(text: str, offset: int) -> float | int:
    """Value of an arithmetic expression given as text (after Tcl substitution)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise TclError(f"expr: not an arithmetic expression: {text!r}", offset) from None

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and isinstance(left, int) and isinstance(right, int):
                return left // right  # Tcl integer division
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in _FUNCS and not node.keywords:
            return _FUNCS[node.func.id](*[walk(a) for a in node.args])
        raise TclError(f"expr: unsupported element in {text!r}", offset)

    try:
        return walk(tree)
    except ZeroDivisionError:
        raise TclError(f"expr: division by zero in {text!r}", offset) from None


def format_number(v: float | int) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return repr(v)
    return repr(v) if isinstance(v, float) else str(v)


class Interp:
    """Splits a script into commands and runs each through `commands[name](words, offset)`."""

    def __init__(self, text: str, filename: str,
                 commands: dict[str, Callable[[list[Word], int], Any]],
                 unknown: Callable[[str, list[Word], int], Any]):
        self.text = text
        self.filename = filename
        self.commands = commands
        self.unknown = unknown
        self.vars: dict[str, str] = {}
        self.commands.setdefault("set", self._set)
        self.commands.setdefault("expr", self._expr)

    def error(self, reason: str, offset: int) -> InputError:
        text = self.text
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return InputError(reason, file=self.filename, line=line, column=col)

    # -- built-ins ---------------------------------------------------------------------------
    def _set(self, words: list[Word], offset: int):
        if len(words) == 1:
            name = str(words[0].value)
            if name not in self.vars:
                raise TclError(f"can't read \"{name}\": no such variable", offset)
            return self.vars[name]
        if len(words) != 2:
            raise TclError("usage: set name ?value?", offset)
        self.vars[str(words[0].value)] = words[1].value
        return words[1].value

    def _expr(self, words: list[Word], offset: int):
        text = " ".join(str(w.value) for w in words)
        if any(w.braced for w in words):  # braced expr: substitute variables now
            text = self._subst_vars(text, offset)
        return format_number(safe_arith(text, offset))

    # -- parsing -----------------------------------------------------------------------------
    def _subst_vars(self, text: str, offset: int) -> str:
        def repl(m):
            name = m.group(1) or m.group(2)
            if name not in self.vars:
                raise TclError(f"can't read \"{name}\": no such variable", offset)
            return str(self.vars[name])
        return _VAR.sub(repl, text)

    def run(self) -> None:
        try:
            self._run_script(self.text, 0, len(self.text))
        except TclError as exc:
            raise self.error(exc.reason, exc.offset) from None

    def _run_script(self, text: str, start: int, end: int) -> Any:
        pos, result = start, ""
        while pos < end:
            words, pos = self._command_words(text, pos, end)
            if words:
                result = self._call(words)
        return result

    def _call(self, words: list[Word]) -> Any:
        name = str(words[0].value)
        fn = self.commands.get(name)
        if fn is None:
            return self.unknown(name, words[1:], words[0].offset)
        return fn(words[1:], words[0].offset)

    def _command_words(self, text: str, pos: int, end: int) -> tuple[list[Word], int]:
        """Parse one command starting at pos; return its words and the position after it."""
        words: list[Word] = []
        while pos < end:
            c = text[pos]
            if c in " \t\r":
                pos += 1
            elif c == "\\" and pos + 1 < end and text[pos + 1] == "\n":
                pos += 2
            elif c in "\n;":
                pos += 1
                if words:
                    return words, pos
            elif c == "#" and not words:
                nl = text.find("\n", pos)
                pos = end if nl < 0 or nl > end else nl + 1
            else:
                word, pos = self._word(text, pos, end)
                words.append(word)
        return words, pos

    def _word(self, text: str, pos: int, end: int) -> tuple[Word, int]:
        start = pos
        c = text[pos]
        if c == "{":
            depth, i = 1, pos + 1
            while i < end and depth:
                if text[i] == "\\":
                    i += 2
                    continue
                depth += (text[i] == "{") - (text[i] == "}")
                i += 1
            if depth:
                raise TclError("missing close-brace", start)
            return Word(text[pos + 1:i - 1], start, braced=True), i
        if c == '"':
            i = pos + 1
            parts: list[Any] = []
            while i < end and text[i] != '"':
                i = self._piece(text, i, end, parts, in_quotes=True)
            if i >= end:
                raise TclError("missing close-quote", start)
            return Word(self._join(parts), start), i + 1
        parts = []
        i = pos
        while i < end and text[i] not in " \t\r\n;":
            if text[i] == "\\" and i + 1 < end and text[i + 1] == "\n":
                break
            i = self._piece(text, i, end, parts, in_quotes=False)
        return Word(self._join(parts), start), i

    @staticmethod
    def _join(parts: list[Any]) -> Any:
        # A word that is exactly one command result keeps that result's type (object lists).
        if len(parts) == 1:
            return parts[0]
        return "".join(str(p) for p in parts)

    def _piece(self, text: str, i: int, end: int, parts: list[Any], in_quotes: bool) -> int:
        c = text[i]
        if c == "\\" and i + 1 < end:
            esc = text[i + 1]
            parts.append({"n": "\n", "t": "\t"}.get(esc, esc))
            return i + 2
        if c == "$":
            m = _VAR.match(text, i)
            if m is None:
                parts.append("$")
                return i + 1
            name = m.group(1) or m.group(2)
            if name not in self.vars:
                raise TclError(f"can't read \"{name}\": no such variable", i)
            parts.append(self.vars[name])
            return m.end()
        if c == "[":
            depth, j = 1, i + 1
            while j < end and depth:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += (text[j] == "[") - (text[j] == "]")
                j += 1
            if depth:
                raise TclError("missing close-bracket", i)
            inner = text[i + 1:j - 1]
            head = inner.strip().split(None, 1)[0] if inner.strip() else ""
            if head in self.commands:
                parts.append(self._run_script(text, i + 1, j - 1))
            elif _COMMAND_NAME.match(head):  # an unknown command: warn, substitute nothing
                words, _ = self._command_words(text, i + 1, j - 1)
                parts.append(self.unknown(head, words[1:], i + 1) or "")
            else:  # bus subscripts such as a[3] or a[*]: literal text
                parts.append(text[i:j])
            return j
        j = i + 1
        stop = '"\\$[' if in_quotes else ' \t\r\n;\\$['
        while j < end and text[j] not in stop:
            j += 1
        parts.append(text[i:j])
        return j
