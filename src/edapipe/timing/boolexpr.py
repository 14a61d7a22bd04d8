"""Liberty boolean functions (`function : "(A&B)|!C"`) as parsed expressions.

Kept as small immutable tuples so the cell mapper can reuse them:
    ("var", name) | ("const", 0|1) | ("not", e) | ("and", a, b) | ("or", a, b) | ("xor", a, b)
Operators (Liberty reference): postfix ' and prefix ! (not), ^ (xor), & or * or blank (and),
| or + (or); this is also their binding order, tightest first.
"""

from __future__ import annotations

import re

import numpy as np

from edapipe.errors import excerpt

_TOK = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_\[\].]*)|([01])|(.))")


class ExprError(ValueError):
    """A function string that is not a Liberty boolean expression; carries the column."""

    def __init__(self, reason: str, column: int):
        super().__init__(reason)
        self.column = column


# Bounds that keep every walk over a function short and every later use safe (evaluation,
# pickling into the Liberty cache): real cells nest a handful of parentheses and have fewer
# than ten inputs. Hostile text ("(((...300 deep") is a located error, never a RecursionError.
MAX_NESTING = 64       # parentheses inside parentheses
MAX_DEPTH = 200        # depth of the parsed tree (chains of one operator are balanced)
MAX_VARIABLES = 16     # unateness evaluates all 2**n input combinations


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
    state = {"i": 0, "depth": 0}

    def peek():
        return toks[state["i"]]

    def take():
        tok = toks[state["i"]]
        state["i"] += 1
        return tok

    # Each binary level collects its operands and builds a balanced tree: `A1&A2&...&A500`
    # is 9 levels deep instead of 500 (and, or, xor are associative: same function).
    def p_or():
        terms = [p_and()]
        while peek()[1] in ("|", "+"):
            take()
            terms.append(p_and())
        return _balanced("or", terms)

    def p_and():
        terms = [p_xor()]
        while True:
            kind, val, _ = peek()
            if val in ("&", "*"):
                take()
                terms.append(p_xor())
            elif kind in ("id", "const") or val in ("(", "!"):  # juxtaposition = and
                terms.append(p_xor())
            else:
                return _balanced("and", terms)

    def p_xor():
        terms = [p_unary()]
        while peek()[1] == "^":
            take()
            terms.append(p_unary())
        return _balanced("xor", terms)

    def p_unary():
        # prefix `!` and postfix `'` are counted in loops (not recursion); !!A is A
        nots = 0
        while peek()[1] == "!":
            take()
            nots += 1
        kind, val, col = take()
        if val == "(":
            if state["depth"] >= MAX_NESTING:
                raise ExprError(f"parentheses nested deeper than {MAX_NESTING}", col)
            state["depth"] += 1
            e = p_or()
            state["depth"] -= 1
            if take()[1] != ")":
                raise ExprError("missing ')'", col)
        elif kind == "id":
            e = ("var", val)
        elif kind == "const":
            e = ("const", int(val))
        else:
            raise ExprError(f"unexpected {excerpt(val, 40) or 'end of expression'!r}", col)
        while peek()[1] == "'":
            take()
            nots += 1
        return ("not", e) if nots % 2 else e

    expr = p_or()
    kind, val, col = peek()
    if kind != "end":
        raise ExprError(f"unexpected {excerpt(val, 40)!r}", col)
    if depth(expr) > MAX_DEPTH:
        raise ExprError(f"expression nested deeper than {MAX_DEPTH} levels", 0)
    return expr


def _balanced(op: str, terms: list):
    """`terms` joined by `op` as a balanced tree (left-to-right order kept)."""
    while len(terms) > 1:
        nxt = [(op, terms[k], terms[k + 1]) for k in range(0, len(terms) - 1, 2)]
        if len(terms) % 2:
            nxt.append(terms[-1])
        terms = nxt
    return terms[0]


def depth(expr) -> int:
    """Depth of the tree (iterative)."""
    best = 0
    stack = [(expr, 1)]
    while stack:
        e, d = stack.pop()
        best = max(best, d)
        if e[0] not in ("var", "const"):
            stack.extend((c, d + 1) for c in e[1:])
    return best


def variables(expr) -> list[str]:
    """Variable names in first-seen order (iterative walk)."""
    out: dict[str, None] = {}  # ordered set: a list's `in` made 10^5 variables quadratic
    stack = [expr]
    while stack:
        e = stack.pop()
        if e[0] == "var":
            out.setdefault(e[1], None)
        elif e[0] != "const":
            stack.extend(reversed(e[1:]))
    return list(out)


def evaluate(expr, env: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate over boolean vectors (one bit per input combination); iterative post-order
    walk, so no tree is too deep for it."""
    n = len(next(iter(env.values()))) if env else 1
    values: list[np.ndarray] = []
    stack: list[tuple[object, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        op = e[0]
        if op == "var":
            values.append(env[e[1]])
        elif op == "const":
            values.append(np.full(n, bool(e[1])))
        elif not ready:
            stack.append((e, True))
            stack.extend((c, False) for c in reversed(e[1:]))
        elif op == "not":
            values.append(~values.pop())
        else:
            b = values.pop()
            a = values.pop()
            values.append(a & b if op == "and" else (a | b if op == "or" else a ^ b))
    return values[0]


def size(expr) -> int:
    """Number of nodes of the tree (iterative)."""
    count = 0
    stack = [expr]
    while stack:
        e = stack.pop()
        count += 1
        if e[0] not in ("var", "const"):
            stack.extend(e[1:])
    return count


def truth_table(expr, names: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """(variables, f): f[m] is the function where variable k is bit k of m. Costs
    size(expr) * 2**len(variables) element operations; at most MAX_VARIABLES variables."""
    names = variables(expr) if names is None else names
    n = len(names)
    if n > MAX_VARIABLES:
        raise ExprError(f"{n} variables; deriving the timing sense supports at most "
                        f"{MAX_VARIABLES} (give timing_sense)", 0)
    idx = np.arange(1 << n)
    env = {name: ((idx >> k) & 1).astype(bool) for k, name in enumerate(names)}
    return names, np.broadcast_to(evaluate(expr, env), (1 << n,))


def sense(names: list[str], f: np.ndarray, var: str) -> str:
    """Unateness in `var` of a function given by its truth table (see truth_table)."""
    if var not in names:
        return "non_unate"
    k = names.index(var)
    idx = np.arange(len(f))
    lo = idx[((idx >> k) & 1) == 0]
    f0, f1 = f[lo], f[lo | (1 << k)]
    if np.all(f1 >= f0):
        return "positive_unate"
    if np.all(f1 <= f0):
        return "negative_unate"
    return "non_unate"


def unateness(expr, var: str) -> str:
    """'positive_unate', 'negative_unate' or 'non_unate' of `expr` in `var`."""
    names = variables(expr)
    if var not in names:
        return "non_unate"
    return sense(*truth_table(expr, names), var)
