"""Regular expressions for `get_* -regexp`, matched in linear time (Thompson's construction).

OpenSTA matches a `-regexp` pattern with Tcl's regexp engine, anchored at both ends
(`PatternMatch`: `^pattern$`), so the whole name must match. Python's `re` backtracks and
can take exponential time on hostile patterns (`(a*)*b`), so the pattern is compiled here
into a nondeterministic automaton and simulated a set of states at a time: O(len(name) x
states) for any pattern. Supported, as in Tcl's advanced regular expressions: literal
characters, `.`, bracket expressions (`[a-z_]`, `[^0-9]`, a leading `]` literal, escapes
inside), the escapes `\\d \\D \\w \\W \\s \\S \\t \\n` and any non-alphanumeric character
escaped, groups `( )` and `(?: )`, alternation `|`, the quantifiers `* + ? {m} {m,} {m,n}`
(non-greedy forms too: for a yes/no match they mean the same), and `^`/`$`. Anything else
(back references, lookahead, `[:alpha:]` classes, word-boundary escapes, ...) is an error
naming the construct, never a different meaning.

Limits (hostile patterns are located errors, never a hang): groups nested at most 100 deep,
one quantifier per atom, bounds at most 255 (Tcl's DUPMAX), at most 2,000 automaton states
after the bounds are expanded, and at most 5 million state steps over all the names one
pattern is matched against (a few seconds; real patterns take thousands).
"""

from __future__ import annotations

from typing import Callable

MAX_DEPTH = 100
MAX_BOUND = 255
MAX_STATES = 2_000
MAX_STEPS = 5_000_000

_CHAR, _SPLIT, _JUMP, _BOL, _EOL, _MATCH = range(6)


class RegexError(ValueError):
    """A pattern this engine does not read; `pos` is the offset in the pattern."""

    def __init__(self, reason: str, pos: int):
        super().__init__(reason)
        self.pos = pos


def _digit(c: str) -> bool:
    return "0" <= c <= "9"


def _word(c: str) -> bool:
    return c.isalnum() or c == "_"


_CLASS_ESCAPES: dict[str, Callable[[str], bool]] = {
    "d": _digit, "D": lambda c: not _digit(c), "w": _word, "W": lambda c: not _word(c),
    "s": str.isspace, "S": lambda c: not c.isspace(),
}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}


class _Parser:
    """Pattern text -> tree: ("chr", predicate) ("cat", [..]) ("alt", [..])
    ("rep", node, lo, hi or None) ("bol",) ("eol",)."""

    def __init__(self, pattern: str, nocase: bool):
        self.p = pattern
        self.k = 0
        self.nocase = nocase

    def parse(self):
        node = self.alt(0)
        if self.k < len(self.p):   # only an unmatched `)` stops alt() early
            raise RegexError("unmatched ')'", self.k)
        return node

    def alt(self, depth: int):
        if depth > MAX_DEPTH:
            raise RegexError(f"groups nested more than {MAX_DEPTH} deep", self.k)
        branches = [self.cat(depth)]
        while self.k < len(self.p) and self.p[self.k] == "|":
            self.k += 1
            branches.append(self.cat(depth))
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def cat(self, depth: int):
        items = []
        p = self.p
        while self.k < len(p) and p[self.k] not in "|)":
            atom = self.atom(depth)
            items.append(self.quantified(atom))
        return items[0] if len(items) == 1 else ("cat", items)   # (none: the empty string)

    def quantified(self, atom):
        p = self.p
        while self.k < len(p) and p[self.k] in "*+?{":
            start = self.k
            c = p[self.k]
            self.k += 1
            if atom[0] in ("bol", "eol"):
                raise RegexError(f"quantifier {c!r} after an anchor", start)
            if c == "*":
                lo, hi = 0, None
            elif c == "+":
                lo, hi = 1, None
            elif c == "?":
                lo, hi = 0, 1
            else:
                lo, hi = self.bounds(start)
            if self.k < len(p) and p[self.k] == "?":   # non-greedy: the same language
                self.k += 1
            if atom[0] == "rep":
                # (as Tcl: `a**` is an error; it would also nest the tree without bound)
                raise RegexError(f"quantifier {c!r} after a quantifier", start)
            atom = ("rep", atom, lo, hi)
        return atom

    def bounds(self, start: int) -> tuple[int, int | None]:
        p = self.p
        end = p.find("}", self.k)
        if end < 0:
            raise RegexError("'{' without its '}'", start)
        body = p[self.k:end]
        self.k = end + 1
        lo_text, comma, hi_text = body.partition(",")
        if not lo_text.isdigit() or (hi_text and not hi_text.isdigit()):
            raise RegexError(f"bad bound {{{body}}}", start)
        lo = int(lo_text)
        hi = int(hi_text) if hi_text else (None if comma else lo)
        if lo > MAX_BOUND or (hi is not None and (hi > MAX_BOUND or hi < lo)):
            raise RegexError(f"bound {{{body}}} out of order or above {MAX_BOUND}", start)
        return lo, hi

    def atom(self, depth: int):
        p = self.p
        start = self.k
        c = p[self.k]
        self.k += 1
        if c == "(":
            if p.startswith("?:", self.k):
                self.k += 2
            elif p.startswith("?", self.k):
                raise RegexError("(? constructs other than (?: are not supported", start)
            node = self.alt(depth + 1)
            if self.k >= len(p) or p[self.k] != ")":
                raise RegexError("'(' without its ')'", start)
            self.k += 1
            return ("cat", [node]) if node[0] != "cat" else node
        if c == "[":
            return ("chr", self.bracket(start))
        if c == ".":
            return ("chr", lambda ch: True)
        if c == "^":
            return ("bol",)
        if c == "$":
            return ("eol",)
        if c == "\\":
            return ("chr", self.escape(start, in_bracket=False))
        if c in "*+?{":
            raise RegexError(f"quantifier {c!r} with nothing before it", start)
        return ("chr", self.literal(c))

    def literal(self, c: str) -> Callable[[str], bool]:
        if self.nocase and c.lower() != c.upper():
            low = c.lower()
            return lambda ch: ch.lower() == low
        return c.__eq__

    def escape(self, start: int, in_bracket: bool):
        p = self.p
        if self.k >= len(p):
            raise RegexError("a trailing backslash", start)
        c = p[self.k]
        self.k += 1
        if c in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[c]
        if c in _CHAR_ESCAPES:
            return self.literal(_CHAR_ESCAPES[c])
        if c.isalnum():
            raise RegexError(f"the escape \\{c} is not supported", start)
        return self.literal(c)

    def bracket(self, start: int) -> Callable[[str], bool]:
        p = self.p
        negate = self.k < len(p) and p[self.k] == "^"
        if negate:
            self.k += 1
        chars: set[str] = set()
        ranges: list[tuple[str, str]] = []
        tests: list[Callable[[str], bool]] = []
        first = True
        while True:
            if self.k >= len(p):
                raise RegexError("'[' without its ']'", start)
            c = p[self.k]
            if c == "]" and not first:
                self.k += 1
                break
            first = False
            if c == "[" and self.k + 1 < len(p) and p[self.k + 1] in ":=.":
                raise RegexError(f"[{p[self.k + 1]} classes are not supported", self.k)
            self.k += 1
            if c == "\\":
                if self.k < len(p) and p[self.k] in _CLASS_ESCAPES:
                    tests.append(_CLASS_ESCAPES[p[self.k]])
                    self.k += 1
                    continue
                if self.k >= len(p):
                    raise RegexError("a trailing backslash", self.k - 1)
                c = _CHAR_ESCAPES.get(p[self.k], p[self.k])
                if p[self.k].isalnum() and p[self.k] not in _CHAR_ESCAPES:
                    raise RegexError(f"the escape \\{p[self.k]} is not supported", self.k - 1)
                self.k += 1
            if self.k + 1 < len(p) and p[self.k] == "-" and p[self.k + 1] != "]":
                hi = p[self.k + 1]
                self.k += 2
                if hi == "\\":
                    if self.k >= len(p):
                        raise RegexError("a trailing backslash", self.k - 1)
                    hi = _CHAR_ESCAPES.get(p[self.k], p[self.k])
                    self.k += 1
                if hi < c:
                    raise RegexError(f"range {c}-{hi} out of order", start)
                ranges.append((c, hi))
            else:
                chars.add(c)
        nocase = self.nocase

        def member(ch: str) -> bool:
            for x in ((ch, ch.lower(), ch.upper()) if nocase else (ch,)):
                if x in chars or any(a <= x <= b for a, b in ranges) or \
                        any(t(x) for t in tests):
                    return True
            return False
        if negate:
            return lambda ch: not member(ch)
        return member


class _Program:
    """Thompson automaton: parallel lists of kind, predicate and the one or two next
    states."""

    def __init__(self):
        self.kind: list[int] = []
        self.pred: list[Callable[[str], bool] | None] = []
        self.out1: list[int] = []
        self.out2: list[int] = []

    def add(self, kind: int, pred=None) -> int:
        if len(self.kind) >= MAX_STATES:
            raise RegexError(f"the pattern expands to more than {MAX_STATES} states", 0)
        self.kind.append(kind)
        self.pred.append(pred)
        self.out1.append(-1)
        self.out2.append(-1)
        return len(self.kind) - 1

    def build(self, node) -> tuple[int, list[tuple[int, int]]]:
        """(entry state, dangling exits (state, which out)) of a tree node."""
        tag = node[0]
        if tag == "chr":
            s = self.add(_CHAR, node[1])
            return s, [(s, 1)]
        if tag in ("bol", "eol"):
            s = self.add(_BOL if tag == "bol" else _EOL)
            return s, [(s, 1)]
        if tag == "cat":
            if not node[1]:
                s = self.add(_JUMP)
                return s, [(s, 1)]
            entry, exits = self.build(node[1][0])
            for sub in node[1][1:]:
                e2, x2 = self.build(sub)
                self.patch(exits, e2)
                exits = x2
            return entry, exits
        if tag == "alt":
            entry, exits = self.build(node[1][0])
            for sub in node[1][1:]:
                e2, x2 = self.build(sub)
                s = self.add(_SPLIT)
                self.out1[s], self.out2[s] = entry, e2
                entry, exits = s, exits + x2
            return entry, exits
        _, sub, lo, hi = node   # rep: lo copies, then (hi - lo) optional ones or a loop
        entry, exits = None, []
        for _ in range(lo):
            e2, x2 = self.build(sub)
            if entry is None:
                entry = e2
            else:
                self.patch(exits, e2)
            exits = x2
        if hi is None:
            s = self.add(_SPLIT)
            e2, x2 = self.build(sub)
            self.out1[s] = e2
            self.patch(x2, s)
            if entry is None:
                entry = s
            else:
                self.patch(exits, s)
            return entry, [(s, 2)]
        tail: list[tuple[int, int]] = []
        for _ in range(hi - lo):
            s = self.add(_SPLIT)
            e2, x2 = self.build(sub)
            self.out1[s] = e2
            if entry is None:
                entry = s
            else:
                self.patch(exits, s)
            tail.append((s, 2))
            exits = x2
        if entry is None:   # {0} or {0,0}: the empty string
            s = self.add(_JUMP)
            return s, [(s, 1)]
        return entry, exits + tail

    def patch(self, exits: list[tuple[int, int]], target: int) -> None:
        for s, which in exits:
            if which == 1:
                self.out1[s] = target
            else:
                self.out2[s] = target


def compile_regexp(pattern: str, nocase: bool = False) -> Callable[[str], bool]:
    """A function telling whether a whole name matches `pattern` (RegexError otherwise)."""
    tree = _Parser(pattern, nocase).parse()
    prog = _Program()
    entry, exits = prog.build(tree)
    match = prog.add(_MATCH)
    prog.patch(exits, match)
    kind, pred, out1, out2 = prog.kind, prog.pred, prog.out1, prog.out2

    def closure(states: list[int], pos: int, end: int) -> list[int]:
        seen: set[int] = set()
        out: list[int] = []
        stack = list(reversed(states))
        while stack:
            s = stack.pop()
            if s < 0 or s in seen:
                continue
            seen.add(s)
            k = kind[s]
            if k == _SPLIT:
                stack.append(out2[s])
                stack.append(out1[s])
            elif k == _JUMP:
                stack.append(out1[s])
            elif k == _BOL:
                if pos == 0:
                    stack.append(out1[s])
            elif k == _EOL:
                if pos == end:
                    stack.append(out1[s])
            else:
                out.append(s)
        return out

    budget = [MAX_STEPS]

    def matches(name: str) -> bool:
        end = len(name)
        current = closure([entry], 0, end)
        for i, ch in enumerate(name):
            budget[0] -= len(current)
            if budget[0] < 0:
                raise RegexError(f"matching it takes more than {MAX_STEPS} automaton steps", 0)
            step = [out1[s] for s in current if kind[s] == _CHAR and pred[s](ch)]
            if not step:
                return False
            current = closure(step, i + 1, end)
        return match in current
    return matches
