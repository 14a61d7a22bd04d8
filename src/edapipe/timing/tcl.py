"""A small, safe reader for the Tcl subset SDC files use. Nothing is ever evaluated as code.

Supported: commands separated by newlines or `;`, `#` comments at command start, backslash
line continuations, `{braced}` literal words, `"quoted"` words, `$var` / `${var}` substitution,
`[command ...]` substitution (only commands the caller provides), and `set`. `expr` is
computed by walking Python's `ast` for arithmetic only (numbers, + - * / % **, parentheses,
unary minus, min/max/abs/double/int), never with eval().

Brackets whose first word is not a known command are kept as text, so unquoted bus names such
as `req_msg[*]` or `a[3]` work as engineers write them (real Tcl would reject these).

Hostile scripts meet limits, each a located error, never a traceback, a hang or gigabytes:
- `[...]` nested deeper than MAX_NESTING (the reader recurses once per level);
- a word or variable value longer than MAX_VALUE characters, or more than
  MAX_SUBSTITUTED + 2 x (script length) characters made by substitution in one script
  (`set a $a$a` doubling): ResourceLimit (exit 4);
- `expr`: parentheses nested deeper than MAX_EXPR_NESTING or more than MAX_EXPR_OPERATORS
  operators (checked by scanning, before Python's parser sees the text), integers beyond
  2**64 (a power is checked before it is computed), float overflow, division or modulo by
  zero and domain errors.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable

from edapipe.errors import InputError, ResourceLimit, excerpt

MAX_NESTING = 100                # [ [ [ ... ] ] ]: about 4 Python frames per level
MAX_VALUE = 1 << 20              # characters in one word or variable value
MAX_SUBSTITUTED = 16 << 20       # characters made by substitution in one script (+ 2x its size)
MAX_EXPR_NESTING = 64            # parentheses in one expr
MAX_EXPR_OPERATORS = 256         # + - * / % in one expr (a chain is as deep as it is long)
INT_LIMIT = 1 << 64              # larger integers in expr are an error (Tcl would go bignum)
MAX_COMMANDS = 1_000_000         # commands run in loop and proc bodies (~5 s)
MAX_PROC_DEPTH = 100             # procs calling procs (recursion)


@dataclass(slots=True, repr=False, eq=False)
class Word:
    """One word of a command: its value (str or a list of objects) and where it started."""

    value: Any
    offset: int
    braced: bool = False


class TclError(Exception):
    """A located error in a script; `resource` marks a budget (exit 4), not bad syntax."""

    def __init__(self, reason: str, offset: int, resource: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
        self.resource = resource


_COMMAND_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*\Z")
_VAR = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z0-9_:]+))")
_BRACKETS = re.compile(r"\\.|[\[\]]", re.DOTALL)  # what bracket matching looks at
_BRACES = re.compile(r"\\.|[{}]", re.DOTALL)        # what brace matching looks at
_HEAD = re.compile(r"\s*(\S+)")  # first word inside [...] (without copying the inside)

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_FUNCS = {"min": min, "max": max, "abs": abs, "double": float, "int": int,
          "round": round}


def _scan_expr(text: str, offset: int) -> None:
    """Refuse what would make Python's parser or our walk recurse deeply, before parsing:
    ast.parse of 20000 nested parentheses or minus signs is a RecursionError or MemoryError,
    and a long chain of one operator is a tree as deep as the chain is long."""
    depth = deepest = operators = 0
    for c in text:
        if c == "(":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif c == ")":
            depth -= 1
        elif c in "+-*/%~<>=!&|^":
            operators += 1
    if deepest > MAX_EXPR_NESTING:
        raise TclError(f"expr: parentheses nested deeper than {MAX_EXPR_NESTING}", offset)
    if operators > MAX_EXPR_OPERATORS:
        raise TclError(f"expr: more than {MAX_EXPR_OPERATORS} operators in one expression",
                       offset)


def _checked(v, text: str, offset: int):
    """An intermediate or final value of expr, refused when it is out of range."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        if -INT_LIMIT <= v <= INT_LIMIT:
            return v
        raise TclError(f"expr: integer value too large (beyond 2**64) in "
                       f"{excerpt(text, 60)!r}", offset)
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        raise TclError(f"expr: floating-point overflow or undefined result in "
                       f"{excerpt(text, 60)!r}", offset)
    # complex (a negative number to a fractional power) and anything else
    raise TclError(f"expr: domain error (result is not a real number) in "
                   f"{excerpt(text, 60)!r}", offset)


def _power(a, b, text: str, offset: int):
    """a ** b, refusing results beyond the limits before computing them (9**9**9**9 would
    otherwise run for ever)."""
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        # |a|**b >= 2**((bits-1)*b): too large whenever that exponent exceeds 64
        if (a.bit_length() - 1) * b > 64 or b > 64:
            raise TclError(f"expr: integer value too large (beyond 2**64) in "
                           f"{excerpt(text, 60)!r}", offset)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and a != 0:
        # the result's magnitude is about 2**(b*log2|a|); beyond float range it overflows
        # (computing the float power would raise, a huge int one would never end)
        try:
            mag = b * math.log2(abs(a))
        except (OverflowError, ValueError):
            mag = math.inf
        if mag > 1100:
            raise TclError(f"expr: floating-point overflow in {excerpt(text, 60)!r}", offset)
    if isinstance(a, int) and isinstance(b, int) and b < 0 and a == 0:
        raise TclError(f"expr: division by zero in {excerpt(text, 60)!r}", offset)
    return a ** b


_CMPOPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
           ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_TCL_OPS = re.compile(r'"(?:[^"\\]|\\.)*"|&&|\|\||!(?!=)|\beq\b|\bne\b')
_TCL_TO_PY = {"&&": " and ", "||": " or ", "!": " not ", "eq": "==", "ne": "!="}
_BOOL_WORDS = {"true": 1, "false": 0, "yes": 1, "no": 0, "on": 1, "off": 0}


def _python_ops(text: str) -> str:
    """Tcl's logical operators (&&, ||, !, eq, ne) as Python's, outside string literals."""
    return _TCL_OPS.sub(lambda m: _TCL_TO_PY.get(m.group(0), m.group(0)), text)


def safe_arith(text: str, offset: int) -> float | int | str:
    """Value of a Tcl expression given as text (after Tcl substitution): numbers and
    quoted strings, + - * / % **, comparisons (also eq/ne), &&, ||, !, parentheses,
    min/max/abs/double/int/round. Parsed with Python's `ast` and walked, never evaluated.

    Every failure is a TclError at `offset`: syntax, depth, size, overflow, division by
    zero, domain errors. The tree is walked with an explicit stack.
    """
    _scan_expr(text, offset)
    try:
        tree = ast.parse(_python_ops(text).strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # ValueError: NUL characters; the others cannot happen after _scan_expr, kept as
        # a second line of defence
        raise TclError(f"expr: not an arithmetic expression: {excerpt(text, 60)!r}",
                       offset) from None

    def unsupported():
        return TclError(f"expr: unsupported element in {excerpt(text, 60)!r}", offset)

    def on_string():
        return TclError(f"expr: arithmetic on a string in {excerpt(text, 60)!r}", offset)

    def pop(n: int) -> list:
        """The last n results (in order), removed from `values`."""
        args = values[len(values) - n:]
        del values[len(values) - n:]
        return args

    # post-order walk: (node, children done?) on `stack`, results on `values`
    values: list = []
    stack: list = [(tree.body, False)]
    try:
        while stack:
            node, done = stack.pop()
            if isinstance(node, ast.Constant):
                if isinstance(node.value, (int, float)):
                    values.append(_checked(node.value, text, offset))
                    continue
                if isinstance(node.value, str):   # string operands of comparisons
                    values.append(node.value)
                    continue
                raise unsupported()
            if isinstance(node, ast.Name) and node.id in _BOOL_WORDS:
                values.append(_BOOL_WORDS[node.id])
                continue
            if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                    and type(node.ops[0]) in _CMPOPS:
                if not done:
                    stack += [(node, True), (node.comparators[0], False), (node.left, False)]
                    continue
                right = values.pop()
                left = values.pop()
                if isinstance(left, str) != isinstance(right, str):
                    left, right = format_number(left), format_number(right)
                values.append(int(_CMPOPS[type(node.ops[0])](left, right)))
                continue
            if isinstance(node, ast.BoolOp):
                if not done:
                    stack.append((node, True))
                    stack += [(v, False) for v in reversed(node.values)]
                    continue
                truth = [_truth(a, text, offset) for a in pop(len(node.values))]
                values.append(int(all(truth) if isinstance(node.op, ast.And) else any(truth)))
                continue
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                if not done:
                    stack += [(node, True), (node.operand, False)]
                    continue
                values.append(int(not _truth(values.pop(), text, offset)))
                continue
            if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
                if not done:
                    stack += [(node, True), (node.right, False), (node.left, False)]
                    continue
                right = values.pop()
                left = values.pop()
                if isinstance(left, str) or isinstance(right, str):
                    raise on_string()
                if isinstance(node.op, ast.Div) and isinstance(left, int) \
                        and isinstance(right, int):
                    v = left // right  # Tcl integer division
                elif isinstance(node.op, ast.Pow):
                    v = _power(left, right, text, offset)
                else:
                    v = _BINOPS[type(node.op)](left, right)
                values.append(_checked(v, text, offset))
                continue
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
                if not done:
                    stack += [(node, True), (node.operand, False)]
                    continue
                v = values.pop()
                if isinstance(v, str):
                    raise on_string()
                values.append(-v if isinstance(node.op, ast.USub) else v)
                continue
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in _FUNCS and not node.keywords:
                if not done:
                    stack.append((node, True))
                    stack += [(a, False) for a in reversed(node.args)]
                    continue
                args = pop(len(node.args))
                try:
                    if any(isinstance(a, str) for a in args):
                        raise TypeError
                    v = _FUNCS[node.func.id](*args)
                except TypeError:
                    raise TclError(f"expr: wrong arguments to {node.func.id}() in "
                                   f"{excerpt(text, 60)!r}", offset) from None
                values.append(_checked(v, text, offset))
                continue
            raise unsupported()
    except ZeroDivisionError:
        raise TclError(f"expr: division by zero in {excerpt(text, 60)!r}", offset) from None
    except (OverflowError, ValueError):
        # float overflow in * or **, int(inf), round(inf), int(nan), min() of nothing, ...
        raise TclError(f"expr: value out of range or undefined in {excerpt(text, 60)!r}",
                       offset) from None
    return values[0]


def _truth(v, text: str, offset: int) -> bool:
    """Tcl's boolean reading of a value: numbers (non-zero), true/false/yes/no/on/off."""
    if isinstance(v, str):
        w = _BOOL_WORDS.get(v.lower())
        if w is None:
            raise TclError(f"expected a boolean value, found {excerpt(v, 40)!r} in "
                           f"{excerpt(text, 60)!r}", offset)
        return bool(w)
    return v != 0


def _is_num(v: str) -> bool:
    try:
        float(v)
        return v.strip() != "" and v.strip().lower() not in ("nan", "inf", "-inf", "+inf",
                                                             "infinity")
    except ValueError:
        return False


def _text(v: Any) -> str:
    """A Tcl value as text: an object list is its objects' names."""
    return " ".join(o.name for o in v) if isinstance(v, list) else str(v)


def _quote(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(v: float | int | str) -> str:
    if isinstance(v, str):
        return v
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
        self.globals: dict[str, Any] = {}
        self.vars: dict[str, Any] = self.globals   # the current frame (a proc's own)
        self.commands_run = 0    # loops and procs spend this budget (MAX_COMMANDS)
        self.in_body = 0         # loop or proc bodies being run
        self.proc_depth = 0
        self._depth = 0  # command substitutions being evaluated, one inside the other
        self._closes: dict[int, int] = {}  # `[` offset -> offset after its `]`
        self._brace_closes: dict[int, int] = {}  # `{` offset -> offset after its `}`
        # characters substitution may still make in this script (see MAX_SUBSTITUTED)
        self._budget = MAX_SUBSTITUTED + 2 * len(text)
        self.commands.setdefault("set", self._set)
        self.commands.setdefault("expr", self._expr)
        from edapipe.timing import tcl_cmds
        tcl_cmds.install(self)

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
                raise TclError(f"can't read \"{excerpt(name, 60)}\": no such variable", offset)
            return self.vars[name]
        if len(words) != 2:
            raise TclError("usage: set name ?value?", offset)
        self.vars[str(words[0].value)] = words[1].value
        return words[1].value

    def _expr(self, words: list[Word], offset: int):
        return format_number(safe_arith(self.expr_text(words, offset), offset))

    def expr_text(self, words: list[Word], offset: int) -> str:
        """The text of an expression after substitution; in a braced expression variables
        and command results become operands (a string operand quoted), as Tcl's expr."""
        if len(words) == 1 and words[0].braced and self.is_source(words[0]):
            w = words[0]
            return self._expr_subst(self.text, w.offset + 1, w.offset + 1 + len(w.value),
                                    offset)
        strs = [str(w.value) for w in words]
        self._charge(sum(map(len, strs)) + len(strs), offset)
        text = " ".join(strs)
        if any(w.braced for w in words):  # braced parts: substitute variables now
            text = self._subst_vars(text, offset)
        return text

    def is_source(self, w: Word) -> bool:
        """Is a braced word's value the script's own text at its offset (so it can run in
        place, with its errors located in the file)?"""
        v = w.value
        return isinstance(v, str) and self.text.startswith("{" + v + "}", w.offset)

    def _expr_subst(self, text: str, start: int, end: int, offset: int) -> str:
        parts: list[str] = []
        i = start
        while i < end:
            c = text[i]
            if c in "$[":
                got: list[Any] = []
                i = self._piece(text, i, end, got, in_quotes=True)
                v = _text(got[0]) if got else ""
                parts.append(v if _is_num(v) else _quote(v))
            elif c == "\\" and i + 1 < end:
                parts.append(text[i:i + 2])
                i += 2
            else:
                j = i + 1
                while j < end and text[j] not in "$[\\":
                    j += 1
                parts.append(text[i:j])
                i = j
        out = "".join(parts)
        self._charge(len(out), offset)
        return out

    # -- parsing -----------------------------------------------------------------------------
    def _subst_vars(self, text: str, offset: int) -> str:
        size = len(text)

        def repl(m):
            nonlocal size
            name = m.group(1) or m.group(2)
            if name not in self.vars:
                raise TclError(f"can't read \"{excerpt(name, 60)}\": no such variable", offset)
            value = str(self.vars[name])
            size += len(value)
            self._charge(size, offset)   # before the text is built, not after
            return value
        return self._spend(_VAR.sub(repl, text), offset)

    def _charge(self, size: int, offset: int) -> None:
        """Refuse a word of `size` characters before it is built (MAX_VALUE, budget)."""
        if size > MAX_VALUE:
            raise TclError(f"a word or variable value would be longer than {MAX_VALUE} "
                           "characters (the SDC reader's limit)", offset, resource=True)
        if size > self._budget:
            raise TclError("substitution makes more text than the SDC reader's budget "
                           f"({MAX_SUBSTITUTED >> 20} MiB plus twice the script's size)",
                           offset, resource=True)

    def _spend(self, value: str, offset: int) -> str:
        self._charge(len(value), offset)
        self._budget -= len(value)
        return value

    def run(self) -> None:
        try:
            self._run_script(self.text, 0, len(self.text))
        except TclError as exc:
            err = self.error(exc.reason, exc.offset)
            if exc.resource:
                raise ResourceLimit(str(err)) from None
            raise err from None
        except RecursionError:
            # MAX_NESTING keeps the reader's own recursion far below Python's limit; this is
            # a second line of defence, reported without a location
            raise InputError("script nested too deeply", file=self.filename) from None

    def _run_script(self, text: str, start: int, end: int) -> Any:
        pos, result = start, ""
        while pos < end:
            words, pos = self._command_words(text, pos, end)
            if words:
                result = self._call(words)
        return result

    def _call(self, words: list[Word]) -> Any:
        name = str(words[0].value)
        if self.in_body:   # a script's own commands are bounded by its size; loops are not
            self.commands_run += 1
            if self.commands_run > MAX_COMMANDS:
                raise TclError(f"more than {MAX_COMMANDS} commands run in loops and procs "
                               "(the SDC reader's limit)", words[0].offset, resource=True)
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
            i = self._close_brace(text, pos, end)
            return Word(text[pos + 1:i - 1], start, braced=True), i
        if c == '"':
            i = pos + 1
            parts: list[Any] = []
            while i < end and text[i] != '"':
                i = self._piece(text, i, end, parts, in_quotes=True)
            if i >= end:
                raise TclError("missing close-quote", start)
            return Word(self._join(parts, start), start), i + 1
        parts = []
        i = pos
        while i < end and text[i] not in " \t\r\n;":
            if text[i] == "\\" and i + 1 < end and text[i + 1] == "\n":
                break
            i = self._piece(text, i, end, parts, in_quotes=False)
        return Word(self._join(parts, start), start), i

    def _join(self, parts: list[Any], offset: int) -> Any:
        # A word that is exactly one command result keeps that result's type (object lists).
        if len(parts) == 1:
            return parts[0]
        strs = [p if isinstance(p, str) else str(p) for p in parts]
        self._charge(sum(map(len, strs)), offset)  # `set a $a$a` doubling stops here
        return self._spend("".join(strs), offset)

    def _close_brace(self, text: str, i: int, end: int) -> int:
        """Position after the `}` matching the `{` at i (backslash escapes skipped); one
        scan records where every brace inside closes, so nested blocks (`if` in `foreach`
        ...) are not each rescanned to their end."""
        j = self._brace_closes.get(i)
        if j is not None and j <= end:
            return j
        opened = [i]
        for m in _BRACES.finditer(text, i + 1, end):
            k = m.start()
            if text[k] == "\\":
                continue
            if text[k] == "{":
                opened.append(k)
            else:
                self._brace_closes[opened.pop()] = k + 1
                if not opened:
                    return k + 1
        raise TclError("missing close-brace", i)

    def _close_bracket(self, text: str, i: int, end: int) -> int:
        """Position after the `]` matching the `[` at i (backslash escapes skipped).

        One scan also records where every bracket inside closes, so nested substitutions
        do not each rescan the rest of their text (5000 nested `[set a [...` was quadratic).
        """
        j = self._closes.get(i)
        if j is not None and j <= end:
            return j
        opened = [i]
        for m in _BRACKETS.finditer(text, i + 1, end):
            k = m.start()
            c = text[k]
            if c == "\\":
                continue  # the pattern consumed the escaped character with it
            if c == "[":
                opened.append(k)
            else:
                self._closes[opened.pop()] = k + 1
                if not opened:
                    return k + 1
        raise TclError("missing close-bracket", i)

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
                raise TclError(f"can't read \"{excerpt(name, 60)}\": no such variable", i)
            parts.append(self.vars[name])
            return m.end()
        if c == "[":
            j = self._close_bracket(text, i, end)
            m = _HEAD.match(text, i + 1, j - 1)
            head = m.group(1) if m else ""
            if head in self.commands or _COMMAND_NAME.match(head):
                # the reader recurses once per level: a depth limit, not Python's
                if self._depth >= MAX_NESTING:
                    raise TclError(f"command substitution nested deeper than {MAX_NESTING}", i)
                self._depth += 1
                try:
                    if head in self.commands:
                        parts.append(self._run_script(text, i + 1, j - 1))
                    else:  # an unknown command: the caller decides (error or warning)
                        words, _ = self._command_words(text, i + 1, j - 1)
                        parts.append(self.unknown(head, words[1:], i + 1) or "")
                finally:
                    self._depth -= 1
            else:  # bus subscripts such as a[3] or a[*]: literal text
                parts.append(text[i:j])
            return j
        j = i + 1
        stop = '"\\$[' if in_quotes else ' \t\r\n;\\$['
        while j < end and text[j] not in stop:
            j += 1
        parts.append(text[i:j])
        return j
