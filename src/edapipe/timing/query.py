"""The -filter option of the SDC getters, as OpenSTA reads it: expressions `prop == value`,
`!=`, `=~` and `!~` with wildcards, `&&`, `||`, parentheses, over the properties of
PROPERTIES. (-of_objects and the hierarchy rule of patterns are sdc.py's _Reader.of_objects
and _Reader.match.)

Filter expressions are parsed here (a small recursive-descent parser with a depth limit),
never evaluated as code. A property this reader does not know is an error, not a silent
false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from edapipe.errors import excerpt
from edapipe.timing.glob import compile_glob
from edapipe.timing.tcl import TclError

MAX_FILTER_DEPTH = 32
_TOKEN = re.compile(r"\s*(?:(\(|\)|&&|\|\||==|!=|=~|!~)|\"([^\"]*)\"|([^\s()=!~&|\"]+))")

# the properties a filter may read, per object kind
PROPERTIES = {
    "port": {"name", "full_name", "direction"},
    "pin": {"name", "full_name", "direction", "lib_pin_name", "is_port"},
    "cell": {"name", "full_name", "ref_name", "is_sequential", "is_hierarchical"},
    "net": {"name", "full_name"},
    "clock": {"name", "full_name", "period", "is_generated", "is_virtual", "is_propagated"},
    "lib_cell": {"name", "full_name", "base_name"},
}


@dataclass(frozen=True, repr=False)
class _Cmp:
    prop: str
    op: str
    value: str


def parse_filter(text: str, kind: str, offset: int):
    """A filter expression -> tree of ("and"|"or", a, b) and _Cmp leaves."""
    tokens: list[tuple[str, str]] = []   # (type, text): op, word
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise TclError(f"-filter: cannot read {excerpt(text[pos:], 40)!r}", offset)
        if m.group(1):
            tokens.append(("op", m.group(1)))
        elif m.group(2) is not None:
            tokens.append(("word", m.group(2)))
        elif m.group(3):
            tokens.append(("word", m.group(3)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    k = 0

    def peek():
        return tokens[k] if k < len(tokens) else ("end", "")

    def expr(depth):
        nonlocal k
        if depth > MAX_FILTER_DEPTH:
            raise TclError(f"-filter: nested deeper than {MAX_FILTER_DEPTH}", offset)
        left = term(depth)
        while peek() == ("op", "||"):
            k += 1
            left = ("or", left, term(depth))
        return left

    def term(depth):
        nonlocal k
        left = atom(depth)
        while peek() == ("op", "&&"):
            k += 1
            left = ("and", left, atom(depth))
        return left

    def atom(depth):
        nonlocal k
        t = peek()
        if t == ("op", "("):
            k += 1
            inner = expr(depth + 1)
            if peek() != ("op", ")"):
                raise TclError("-filter: missing )", offset)
            k += 1
            return inner
        if t[0] != "word":
            raise TclError(f"-filter: expected a property, found {excerpt(t[1], 20)!r}",
                           offset)
        prop = t[1]
        k += 1
        op = peek()
        if op[0] != "op" or op[1] not in ("==", "!=", "=~", "!~"):
            # OpenSTA's shorthand: a bare boolean property means "prop == true"
            if prop.startswith("is_"):
                return _check(_Cmp(prop, "==", "true"))
            raise TclError(f"-filter: expected ==, !=, =~ or !~ after {excerpt(prop, 40)}",
                           offset)
        k += 1
        val = peek()
        if val[0] != "word":
            raise TclError(f"-filter: expected a value after {op[1]}", offset)
        k += 1
        return _check(_Cmp(prop, op[1], val[1]))

    def _check(c: _Cmp) -> _Cmp:
        if c.prop not in PROPERTIES[kind]:
            raise TclError(f"-filter: {kind}s have no property {excerpt(c.prop, 40)!r} here "
                           f"(known: {', '.join(sorted(PROPERTIES[kind]))})", offset)
        return c

    tree = expr(0)
    if k != len(tokens):
        raise TclError(f"-filter: unexpected {excerpt(tokens[k][1], 20)!r}", offset)
    return tree


def evaluate(tree, props: Callable[[str], str]) -> bool:
    """Evaluate a parsed filter for one object; props(name) gives a property's text."""
    # trees are depth-limited (MAX_FILTER_DEPTH): plain recursion is safe here
    def ev(t) -> bool:
        if isinstance(t, _Cmp):
            v = props(t.prop)
            if t.op in ("=~", "!~"):
                hit = compile_glob(t.value)(v)
                return hit if t.op == "=~" else not hit
            same = v == t.value
            if not same and t.value in ("true", "false") and v in ("1", "0"):
                same = (v == "1") == (t.value == "true")
            if not same:
                try:
                    same = float(v) == float(t.value)
                except ValueError:
                    pass
            return same if t.op == "==" else not same
        op, a, b = t
        return (ev(a) and ev(b)) if op == "and" else (ev(a) or ev(b))
    return ev(tree)
