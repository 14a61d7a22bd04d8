"""Liberty boolean functions (`function : "(A&B)|!C"`) as parsed expressions.

Kept as small immutable tuples so the cell mapper can reuse them:
    ("var", name) | ("const", 0|1) | ("not", e) | ("and", a, b) | ("or", a, b) | ("xor", a, b)
Operators (Liberty reference): postfix ' and prefix ! (not), ^ (xor), & or * or blank (and),
| or + (or); this is also their binding order, tightest first.
"""

from __future__ import annotations

import re

import numpy as np

_TOK = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_\[\].]*)|([01])|(.))")


class ExprError(ValueError):
    """A function string that is not a Liberty boolean expression; carries the column."""

    def __init__(self, reason: str, column: int):
        super().__init__(reason)
        self.column = column


def parse_function(text: str):
    toks: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOK.match(text, pos)
        if m is None or m.end() == pos:
            break
        if m.group(1):
            toks.append(("id", m.group(1), m.start(1)))
        elif m.group(2):
            toks.append(("const", m.group(2), m.start(2)))
        elif m.group(3):
            toks.append(("op", m.group(3), m.start(3)))
        pos = m.end()
    toks.append(("end", "", len(text)))
    state = {"i": 0}

    def peek():
        return toks[state["i"]]

    def take():
        tok = toks[state["i"]]
        state["i"] += 1
        return tok

    def p_or():
        e = p_and()
        while peek()[1] in ("|", "+"):
            take()
            e = ("or", e, p_and())
        return e

    def p_and():
        e = p_xor()
        while True:
            kind, val, _ = peek()
            if val in ("&", "*"):
                take()
                e = ("and", e, p_xor())
            elif kind in ("id", "const") or val in ("(", "!"):  # juxtaposition = and
                e = ("and", e, p_xor())
            else:
                return e

    def p_xor():
        e = p_unary()
        while peek()[1] == "^":
            take()
            e = ("xor", e, p_unary())
        return e

    def p_unary():
        kind, val, col = take()
        if val == "!":
            e = ("not", p_unary())
        elif val == "(":
            e = p_or()
            if take()[1] != ")":
                raise ExprError("missing ')'", col)
        elif kind == "id":
            e = ("var", val)
        elif kind == "const":
            e = ("const", int(val))
        else:
            raise ExprError(f"unexpected {val or 'end of expression'!r}", col)
        while peek()[1] == "'":
            take()
            e = ("not", e)
        return e

    expr = p_or()
    kind, val, col = peek()
    if kind != "end":
        raise ExprError(f"unexpected {val!r}", col)
    return expr


def variables(expr) -> list[str]:
    """Variable names in first-seen order (iterative walk)."""
    out: list[str] = []
    stack = [expr]
    while stack:
        e = stack.pop()
        if e[0] == "var":
            if e[1] not in out:
                out.append(e[1])
        elif e[0] != "const":
            stack.extend(reversed(e[1:]))
    return out


def evaluate(expr, env: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate over boolean vectors (one bit per input combination)."""
    op = expr[0]
    if op == "var":
        return env[expr[1]]
    if op == "const":
        n = len(next(iter(env.values()))) if env else 1
        return np.full(n, bool(expr[1]))
    if op == "not":
        return ~evaluate(expr[1], env)
    a, b = evaluate(expr[1], env), evaluate(expr[2], env)
    return a & b if op == "and" else (a | b if op == "or" else a ^ b)


def unateness(expr, var: str) -> str:
    """'positive_unate', 'negative_unate' or 'non_unate' of `expr` in `var`."""
    names = variables(expr)
    if var not in names:
        return "non_unate"
    n = len(names)
    idx = np.arange(1 << n)
    env = {name: ((idx >> k) & 1).astype(bool) for k, name in enumerate(names)}
    k = names.index(var)
    lo = idx[((idx >> k) & 1) == 0]
    f = evaluate(expr, env)
    f0, f1 = f[lo], f[lo | (1 << k)]
    if np.all(f1 >= f0):
        return "positive_unate"
    if np.all(f1 <= f0):
        return "negative_unate"
    return "non_unate"
