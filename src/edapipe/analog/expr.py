"""A safe evaluator for SPICE parameter expressions (never Python's eval).

Expressions are parsed into small tuple trees by a precedence-climbing parser and evaluated
against a name -> value mapping. Supported: numbers with SPICE suffixes, + - * / ^ ** %,
comparisons, && || !, the ternary `c ? a : b`, the usual math functions and user `.func`s.
"""

from __future__ import annotations

import math
import re

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
    """An expression that cannot be parsed or evaluated; the caller adds file:line."""


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


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise ExprError(f"unexpected character {text[pos]!r} in expression {text!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group(0)))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        kind, tok = self.peek()
        if kind is None or (value is not None and tok != value):
            raise ExprError(f"expected {value or 'a value'} in expression {self.text!r}")
        self.i += 1
        return kind, tok

    def parse(self):
        node = self.ternary()
        if self.i != len(self.toks):
            raise ExprError(f"unexpected {self.toks[self.i][1]!r} in expression {self.text!r}")
        return node

    def ternary(self):
        cond = self.binary(1)
        if self.peek()[1] == "?":
            self.take("?")
            a = self.ternary()
            self.take(":")
            b = self.ternary()
            return ("?", cond, a, b)
        return cond

    def binary(self, min_prec):
        left = self.unary()
        while True:
            kind, tok = self.peek()
            if kind != "op" or tok not in _BINARY:
                return left
            prec, right_assoc = _BINARY[tok]
            if prec < min_prec:
                return left
            self.take()
            right = self.binary(prec if right_assoc else prec + 1)
            left = ("bin", tok, left, right)

    def unary(self):
        kind, tok = self.peek()
        if kind == "op" and tok in "+-!":
            self.take()
            # unary minus binds weaker than ^ (so -2^2 == -4, as in ngspice)
            return ("neg" if tok == "-" else "not" if tok == "!" else "pos", self.binary(7))
        return self.atom()

    def atom(self):
        kind, tok = self.take()
        if kind == "num":
            val = parse_number(tok)
            if val is None:
                raise ExprError(f"bad number {tok!r} in expression {self.text!r}")
            return ("num", val)
        if kind == "name":
            if self.peek()[1] == "(":
                self.take("(")
                args = []
                if self.peek()[1] != ")":
                    args.append(self.ternary())
                    while self.peek()[1] == ",":
                        self.take(",")
                        args.append(self.ternary())
                self.take(")")
                return ("call", tok.lower(), args)
            return ("var", tok.lower())
        if tok == "(":
            node = self.ternary()
            self.take(")")
            return node
        raise ExprError(f"unexpected {tok!r} in expression {self.text!r}")


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
CONSTANTS = {"pi": math.pi, "e": math.e, "true": 1.0, "false": 0.0}


def evaluate(node, env: dict[str, float], funcs: dict | None = None) -> float:
    """Evaluate a tree; `env` maps lower-case names to values, `funcs` holds user .func's
    as name -> (arg names, tree)."""
    tag = node[0]
    if tag == "num":
        return node[1]
    if tag == "var":
        name = node[1]
        if name in env:
            return env[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        raise ExprError(f"unknown parameter '{name}'")
    if tag == "neg":
        return -evaluate(node[1], env, funcs)
    if tag == "pos":
        return evaluate(node[1], env, funcs)
    if tag == "not":
        return float(not evaluate(node[1], env, funcs))
    if tag == "?":
        return evaluate(node[2] if evaluate(node[1], env, funcs) else node[3], env, funcs)
    if tag == "bin":
        op = node[1]
        a = evaluate(node[2], env, funcs)
        if op == "&&":
            return float(bool(a) and bool(evaluate(node[3], env, funcs)))
        if op == "||":
            return float(bool(a) or bool(evaluate(node[3], env, funcs)))
        b = evaluate(node[3], env, funcs)
        try:
            return _binop(op, a, b)
        except ZeroDivisionError:
            raise ExprError("division by zero") from None
    if tag == "call":
        name, args = node[1], node[2]
        vals = [evaluate(a, env, funcs) for a in args]
        if funcs and name in funcs:
            params, body = funcs[name]
            if len(params) != len(vals):
                raise ExprError(f"function '{name}' takes {len(params)} arguments")
            local = dict(env)
            local.update(zip(params, vals))
            return evaluate(body, local, funcs)
        if name in FUNCTIONS:
            try:
                return float(FUNCTIONS[name](*vals))
            except (TypeError, ValueError, OverflowError) as exc:
                raise ExprError(f"{name}(): {exc}") from None
        raise ExprError(f"unknown function '{name}'")
    raise ExprError(f"bad expression node {tag}")


def _binop(op, a, b):
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
        return float(a ** b) if not (a < 0 and b != int(b)) else float("nan")
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
    raise ExprError(f"unknown operator {op}")


def eval_text(text: str, env: dict[str, float], funcs: dict | None = None) -> float:
    """Parse and evaluate; a plain number is returned without building a tree."""
    val = parse_number(text)
    if val is not None:
        return val
    return evaluate(parse_expr(text), env, funcs)
