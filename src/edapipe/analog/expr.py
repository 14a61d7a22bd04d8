"""A safe evaluator for SPICE parameter expressions (never Python's eval).

Expressions are parsed into small tuple trees by an operator-precedence parser and evaluated
against a name -> value mapping. Supported: numbers with SPICE suffixes, + - * / ^ ** %,
comparisons, && || !, the ternary `c ? a : b`, the usual math functions and user `.func`s.

Hostile input costs a clear error, never a traceback or a hang: parsing and evaluation use
explicit stacks (no Python recursion, so 20000 nested parentheses are a "nested too deeply"
error at MAX_NESTING), one evaluation visits at most MAX_EVAL_STEPS nodes (a chain of
`.func`s each calling the previous twice is exponential), a function calling itself, directly
or through others, is an error naming the cycle, and every arithmetic failure (overflow,
division or modulo by zero, a domain error) is an ExprError.
"""

from __future__ import annotations

import math
import re

from edapipe.errors import excerpt

# SPICE engineering suffixes; `meg` and `mil` are checked before the one-letter ones because
# `m` alone is milli (the classic trap: 1M is one milli-unit, not a mega-unit).
_SCALE = {"t": 1e12, "g": 1e9, "k": 1e3, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12,
          "f": 1e-15}
_NUM_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def suffix_scale(suffix: str) -> float:
    """Scale factor of the letters after a number; unknown letters are units and ignored."""
    s = suffix.lower()
    if s.startswith("meg"):
        return 1e6
    if s.startswith("mil"):
        return 25.4e-6
    if s and s[0] in _SCALE:
        return _SCALE[s[0]]
    return 1.0


def parse_number(text: str) -> float | None:
    """A SPICE number (`1k`, `10meg`, `2.5e-3`, `10V`, `100fA`) or None if `text` is not one."""
    m = _NUM_RE.match(text)
    if not m:
        return None
    rest = text[m.end():]
    if rest and not rest.isalpha():
        return None
    return float(m.group(0)) * suffix_scale(rest)


class ExprError(ValueError):
    """An expression that cannot be parsed or evaluated; the caller adds file:line.
    `missing` is the name of an unknown parameter when that is what failed."""

    missing: str | None = None


# Limits that keep hostile expressions to a clear error: the parser and the evaluator use
# explicit stacks, so these are the only bounds on their depth and work.
MAX_NESTING = 1000           # pending operators: parentheses, unary signs, `^` chains, `?:`
MAX_EVAL_STEPS = 1_000_000   # tree nodes one evaluation visits, .func bodies included
_QUOTE = 60                  # characters of an expression quoted in a message


def _q(text: str) -> str:
    return repr(excerpt(text, _QUOTE))


_TOKEN_RE = re.compile(r"""
    (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[a-zA-Z]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.#:\[\]@]*)
  | (?P<op>\*\*|==|!=|<=|>=|&&|\|\||[-+*/^%<>!?:(),])
  | (?P<ws>\s+)
""", re.VERBOSE)

# binary operators: precedence, right-associative?
_BINARY = {
    "||": (1, False), "&&": (2, False),
    "==": (3, False), "!=": (3, False),
    "<": (4, False), ">": (4, False), "<=": (4, False), ">=": (4, False),
    "+": (5, False), "-": (5, False),
    "*": (6, False), "/": (6, False), "%": (6, False),
    "^": (8, True), "**": (8, True),
}
_UNARY = {"-": "neg", "+": "pos", "!": "not"}
_UNARY_PREC = 7              # unary minus binds weaker than ^ (so -2^2 == -4, as in ngspice)


_SCAN_RE = re.compile(_TOKEN_RE.pattern + r"  | (?P<bad>.)", re.VERBOSE | re.DOTALL)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _SCAN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "bad":
            raise ExprError(f"unexpected character {m.group()!r} in expression {_q(text)}")
        out.append((kind, m.group()))
    return _split_ternary_colons(out)


def _split_ternary_colons(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A name may hold ':' (hierarchical names), but inside `c ? a : b` the ':' of a name
    such as `p:n` is the ternary's (ngspice reads `x<p?p:n` so): split names while a '?'
    waits for its ':'."""
    if not any(v == "?" for _, v in toks):
        return toks
    out: list[tuple[str, str]] = []
    waiting = 0
    for kind, value in toks:
        while kind == "name" and waiting and ":" in value:
            head, value = value.split(":", 1)
            if head:
                out.append(("name", head))
            out.append(("op", ":"))
            waiting -= 1
            if not value:
                break
            if not re.match(r"[A-Za-z_]", value):
                out.extend(_tokens(value))
                value = ""
                break
        if kind == "name" and not value:
            continue
        if value == "?":
            waiting += 1
        elif value == ":" and kind == "op":
            waiting -= 1
        out.append((kind, value))
    return out


class _Parser:
    """Operator-precedence parsing with explicit stacks (shunting-yard).

    The trees are those of the grammar  ternary := binary ['?' ternary ':' ternary],
    binary by the precedences of _BINARY, unary + - ! taking a precedence-7 operand, atoms
    (numbers, names, calls `f(a, b)`, parentheses). Operator-stack entries: ("u", tag)
    unary, ("b", op) binary, ("(",) a parenthesis, ("f", name, args so far) a call, ("?",)
    a ternary before its `:`, (":",) one after it.
    """

    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)

    def error(self, what: str) -> ExprError:
        return ExprError(f"{what} in expression {_q(self.text)}")

    @staticmethod
    def _reduce(out: list, entry) -> None:
        kind = entry[0]
        if kind == "b":
            right = out.pop()
            out[-1] = ("bin", entry[1], out[-1], right)
        elif kind == "u":
            out[-1] = (entry[1], out[-1])
        else:                                   # ":": a complete ternary
            b = out.pop()
            a = out.pop()
            out[-1] = ("?", out[-1], a, b)

    def _close(self, out: list, ops: list) -> None:
        """Reduce everything down to the nearest parenthesis, call or unfinished `?`."""
        while ops and ops[-1][0] in ("b", "u", ":"):
            self._reduce(out, ops.pop())

    def parse(self):
        toks = self.toks
        out: list = []
        ops: list = []
        operand = True                          # expecting a value, not an operator
        i = 0
        n = len(toks)
        while i < n:
            kind, tok = toks[i]
            i += 1
            if len(ops) > MAX_NESTING:
                raise ExprError(f"expression nested more than {MAX_NESTING} levels deep "
                                f"(parentheses, signs or operators): {_q(self.text)}")
            if operand:
                if kind == "num":
                    try:
                        val = float(tok)            # digits only: what parse_number gives
                    except ValueError:
                        val = parse_number(tok)
                    if val is None:
                        raise self.error(f"bad number {excerpt(tok, 30)!r}")
                    out.append(("num", val))
                    operand = False
                elif kind == "name":
                    if i < n and toks[i][1] == "(":
                        i += 1
                        if i < n and toks[i][1] == ")":       # f()
                            i += 1
                            out.append(("call", tok.lower(), []))
                            operand = False
                        else:
                            ops.append(("f", tok.lower(), 0))
                    else:
                        out.append(("var", tok.lower()))
                        operand = False
                elif tok == "(":
                    ops.append(("(",))
                elif kind == "op" and tok in _UNARY:
                    ops.append(("u", _UNARY[tok]))
                else:
                    raise self.error(f"expected a value, got {excerpt(tok, 30)!r}")
                continue
            # after a value: a binary operator, `?`, `:`, `,` or `)`
            if kind == "op" and tok in _BINARY:
                prec, right_assoc = _BINARY[tok]
                while ops:
                    top = ops[-1]
                    if top[0] == "b":
                        tprec = _BINARY[top[1]][0]
                    elif top[0] == "u":
                        tprec = _UNARY_PREC
                    else:
                        break
                    if tprec > prec or (tprec == prec and not right_assoc):
                        self._reduce(out, ops.pop())
                    else:
                        break
                ops.append(("b", tok))
                operand = True
            elif tok == "?":
                # the condition is everything binary and unary before it; an open else part
                # stays open (a ? b : c ? d : e is a ? b : (c ? d : e))
                while ops and ops[-1][0] in ("b", "u"):
                    self._reduce(out, ops.pop())
                ops.append(("?",))
                operand = True
            elif tok == ":":
                self._close(out, ops)
                if not ops or ops[-1][0] != "?":
                    raise self.error("unexpected ':'")
                ops[-1] = (":",)
                operand = True
            elif tok == ")" or tok == ",":
                self._close(out, ops)
                if not ops:
                    raise self.error(f"unexpected {tok!r}")
                top = ops[-1]
                if top[0] == "?":
                    raise self.error("expected ':'")
                if top[0] == "(":
                    if tok == ",":
                        raise self.error("unexpected ','")
                    ops.pop()
                elif tok == ",":
                    ops[-1] = ("f", top[1], top[2] + 1)
                    operand = True
                else:
                    ops.pop()
                    nargs = top[2] + 1
                    args = out[len(out) - nargs:]
                    del out[len(out) - nargs:]
                    out.append(("call", top[1], args))
            else:
                raise self.error(f"unexpected {excerpt(tok, 30)!r}")
        if operand:
            raise self.error("expected a value at the end")
        self._close(out, ops)
        if ops:
            raise self.error("expected ')'" if ops[-1][0] in ("(", "f") else "expected ':'")
        return out[0]


def parse_expr(text: str):
    """Parse `text` into an expression tree (nested tuples)."""
    return _Parser(text).parse()


def _limit(x, lo, hi):
    return min(max(x, min(lo, hi)), max(lo, hi))


FUNCTIONS = {
    "sqrt": lambda x: math.sqrt(x) if x >= 0 else -math.sqrt(-x),
    "exp": math.exp, "ln": math.log, "log": math.log, "log10": math.log10,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "abs": abs, "min": min, "max": max, "pow": lambda a, b: a ** b,
    "pwr": lambda a, b: math.copysign(abs(a) ** b, a),
    "int": lambda x: float(int(x)), "nint": lambda x: float(round(x)),
    "floor": math.floor, "ceil": math.ceil,
    "sgn": lambda x: float((x > 0) - (x < 0)), "u": lambda x: 1.0 if x > 0 else 0.0,
    "limit": _limit, "atan2": math.atan2,
    "ternary_fcn": lambda c, a, b: a if c else b, "if": lambda c, a, b: a if c else b,
}
# arguments of the built-in functions (1 when not listed); a call with another count is an
# error in our words, not Python's
ARITY = {"min": 2, "max": 2, "pow": 2, "pwr": 2, "atan2": 2, "limit": 3, "ternary_fcn": 3,
         "if": 3, "table": None}
def _table(x, *pts):
    """Linear between the (x, y) points, flat beyond the first and the last (TABLE)."""
    xs, ys = pts[0::2], pts[1::2]
    if x <= xs[0]:
        return ys[0]
    for k in range(1, len(xs)):
        if x <= xs[k]:
            if xs[k] == xs[k - 1]:
                return ys[k]
            return ys[k - 1] + (ys[k] - ys[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1])
    return ys[-1]


FUNCTIONS["table"] = _table
CONSTANTS = {"pi": math.pi, "e": math.e, "true": 1.0, "false": 0.0}

# continuations of the evaluator's work stack (see _run)
_EVAL, _BINOP, _NEG, _NOT, _SHORT, _TRUTH, _CHOOSE, _CALL, _RETURN = range(9)


def evaluate(node, env: dict[str, float], funcs: dict | None = None, outer=None) -> float:
    """Evaluate a tree; `env` maps lower-case names to values (then `outer`, when given: the
    names `env` does not have), `funcs` holds user .func's as name -> (arg names, tree). A
    function's body sees its arguments, then the names its caller sees (as inlining the body
    would)."""
    scope = (env, None if outer is None else (outer, None))
    tag = node[0]
    if tag == "num":
        return node[1]
    if tag == "var":
        return _lookup(node[1], scope)
    return _run(node, scope, funcs)


def _lookup(name: str, scope) -> float:
    while scope is not None:
        d, scope = scope
        if name in d:
            return d[name]
    if name in CONSTANTS:
        return CONSTANTS[name]
    exc = ExprError(f"unknown parameter '{excerpt(name, 40)}'")
    exc.missing = name
    raise exc


def _run(root, scope, funcs) -> float:
    """The evaluator proper: a work stack of (what, ...) items and a value stack. A scope is
    (names, enclosing scope) or None."""
    vals: list = []
    calls: list[str] = []                # user functions being evaluated, outermost first
    work: list = [(_EVAL, root, scope)]
    steps = 0
    while work:
        item = work.pop()
        what = item[0]
        if what == _EVAL:
            node, scope = item[1], item[2]
            steps += 1
            if steps > MAX_EVAL_STEPS:
                raise ExprError(f"expression too costly to evaluate (more than "
                                f"{MAX_EVAL_STEPS} steps; .func calls nested "
                                f"exponentially?)")
            tag = node[0]
            if tag == "num":
                vals.append(node[1])
            elif tag == "var":
                vals.append(_lookup(node[1], scope))
            elif tag == "bin":
                op = node[1]
                left, right = node[2], node[3]
                lt, rt = left[0], right[0]
                if (lt == "num" or lt == "var") and (rt == "num" or rt == "var") and (
                        op != "&&" and op != "||"):
                    # two leaves (most of a behavioural source): no trip through the stack
                    steps += 2
                    a = left[1] if lt == "num" else _lookup(left[1], scope)
                    b = right[1] if rt == "num" else _lookup(right[1], scope)
                    vals.append(_binop(op, a, b))
                elif op == "&&" or op == "||":
                    work.append((_SHORT, op, right, scope))
                    work.append((_EVAL, left, scope))
                else:
                    work.append((_BINOP, op))
                    work.append((_EVAL, right, scope))
                    work.append((_EVAL, left, scope))
            elif tag == "neg":
                work.append((_NEG,))
                work.append((_EVAL, node[1], scope))
            elif tag == "pos":
                work.append((_EVAL, node[1], scope))
            elif tag == "not":
                work.append((_NOT,))
                work.append((_EVAL, node[1], scope))
            elif tag == "?":
                work.append((_CHOOSE, node[2], node[3], scope))
                work.append((_EVAL, node[1], scope))
            elif tag == "call":
                args = node[2]
                work.append((_CALL, node[1], len(args), scope))
                for a in reversed(args):
                    work.append((_EVAL, a, scope))
            else:
                raise ExprError(f"bad expression node {tag}")
        elif what == _BINOP:
            b = vals.pop()
            vals[-1] = _binop(item[1], vals[-1], b)
        elif what == _NEG:
            vals[-1] = -vals[-1]
        elif what == _NOT:
            vals[-1] = float(not vals[-1])
        elif what == _SHORT:
            a = vals.pop()
            if item[1] == "&&" and not a:
                vals.append(0.0)
            elif item[1] == "||" and a:
                vals.append(1.0)
            else:
                work.append((_TRUTH,))
                work.append((_EVAL, item[2], item[3]))
        elif what == _TRUTH:
            vals[-1] = float(bool(vals[-1]))
        elif what == _CHOOSE:
            work.append((_EVAL, item[1] if vals.pop() else item[2], item[3]))
        elif what == _CALL:
            name, nargs, scope = item[1], item[2], item[3]
            args = vals[len(vals) - nargs:]
            del vals[len(vals) - nargs:]
            if funcs and name in funcs:
                params, body = funcs[name]
                if len(params) != nargs:
                    raise ExprError(f"function '{name}' takes {len(params)} arguments")
                if name in calls:
                    cycle = calls[calls.index(name):] + [name]
                    raise ExprError(f"recursive function: {' -> '.join(cycle)}")
                calls.append(name)
                work.append((_RETURN,))
                work.append((_EVAL, body, (dict(zip(params, args)), scope)))
            elif name in FUNCTIONS:
                want = ARITY.get(name, 1)
                if want is None:            # table(x, x1, y1, x2, y2, ...)
                    if nargs < 3 or nargs % 2 == 0:
                        raise ExprError(f"{name}() takes x and (x, y) pairs, got {nargs} "
                                        f"arguments")
                elif nargs != want:
                    raise ExprError(f"{name}() takes {want} argument{'s' * (want != 1)}, "
                                    f"got {nargs}")
                try:
                    vals.append(float(FUNCTIONS[name](*args)))
                except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
                    # the reason in our words, not Python's ("math domain error")
                    what = ("a result too large" if isinstance(exc, OverflowError) else
                            "a division by zero" if isinstance(exc, ZeroDivisionError) else
                            "an argument outside its domain")
                    raise ExprError(f"{name}(): {what} (at {name}("
                                    f"{', '.join(f'{a:g}' for a in args)}))") from None
            else:
                raise ExprError(f"unknown function '{excerpt(name, 40)}'")
        else:                                   # _RETURN
            calls.pop()
    return vals[-1]


def _binop(op, a, b):
    if op == "%" and b == 0:
        raise ExprError(f"modulo by zero ({a:g} % 0)")
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        if op == "%":
            return math.fmod(a, b)
        if op in ("^", "**"):
            a, b = float(a), float(b)
            if a < 0 and not b.is_integer():
                return float("nan")
            return a ** b
        if op == "==":
            return float(a == b)
        if op == "!=":
            return float(a != b)
        if op == "<":
            return float(a < b)
        if op == ">":
            return float(a > b)
        if op == "<=":
            return float(a <= b)
        if op == ">=":
            return float(a >= b)
    except ZeroDivisionError:
        raise ExprError("division by zero" if op in ("/", "%") else
                        f"{a:g} {op} {b:g}: division by zero") from None
    except OverflowError:
        raise ExprError(f"{a:g} {op} {b:g}: the result is too large") from None
    except ValueError:
        raise ExprError(f"{a:g} {op} {b:g}: not defined") from None
    raise ExprError(f"unknown operator {op}")


def eval_text(text: str, env: dict[str, float], funcs: dict | None = None) -> float:
    """Parse and evaluate; a plain number is returned without building a tree."""
    val = parse_number(text)
    if val is not None:
        return val
    return evaluate(parse_expr(text), env, funcs)
