"""The one gate-level Verilog parser (issue 14): a token list from the one token grammar
(vlog_syntax) to a syntax model, which the readers build their designs from.

The model (`parse` returns one `Module` per module, in file order):
- `Module`: name, header ports (name, position) in order, `#()` parameter span, items;
- items, in text order, are tuples:
  ("decl", Decl)                     declarations (the ANSI header's come first);
  ("assign", lhs, rhs, pos)          `assign` (also `wire x = e;`, which comes as its Decl
                                     with the name's init set, see Decl);
  ("inst", cell, name, conns, pos, params)  a cell or module instance: conns is a dict
                                     pin -> (expr or None, pin position) for named
                                     connections or a list of exprs for ordered ones; params is
                                     the token span (start, end) of its `#( )` or None;
  ("fast", cell, name, raw, pos)     an instance read in one regex match (the bulk of mapped
                                     netlists): raw is [(pin, net, bit)] strings, net and bit
                                     empty when absent (`.A()`, `.A(n)`); pin and net may be
                                     escaped (`\\a `);
  ("gate", kind, name, [exprs], pos) a gate primitive (Dialect.gates; kind in GATES, name
                                     None when unnamed; the netlist reads `and g (...)` as
                                     an instance of a cell named `and`);
  ("always", clock, clock pos, [(target, expr, pos)], pos)   `always @(posedge clock)`
  ("initial", [(target, ("const", ...), pos)], pos)          reset values, bits may be None
                                     (all x) (both Dialect.sequential);
- expressions are tuples: ("id", name, pos) | ("bit", name, index, pos) |
  ("part", name, msb, lsb, pos) | ("const", bits MSB first, pos) | ("cat", [exprs], pos),
  and with Dialect.operators: ("op", (op, ...), [a, b, ...], pos) a left-folded chain of one
  precedence level (`|`; `^ ~^ ^~`; `&`) | ("op", "?", [c1, t1, c2, t2, ..., else], pos) a
  chain of conditions, the first true one's arm taken |
  ("prefix", (op, ...), operand, pos) a run of `~ !` and reductions, applied last first |
  ("rep", count, ("cat", ...), pos) replication. Chains and prefix runs are flat, so a long
  `a & b & ...`, `~~~~a` or `?:` chain is no deep tuple; parentheses leave no tuple.
Positions are token indices; `Parser.locate` (a vlog_syntax.Locator) turns one into
(line, column) by scanning again, on error paths only.

Constructs beyond the dialect (behavioural code, operators, parameters' values, specify
blocks, instance arrays) are errors at their position that say what is refused, of the
dialect's class (`Dialect.refusal`: InputError; for the AIG reader, UnsupportedVerilog). Limits
(bits of a bus or constant, nesting of concatenations) come with the `Dialect`: they are
checked while parsing, before anything is allocated.

Fast mode. The tokenizer may take the two statements that make up nearly all of a mapped
netlist as single tokens: a cell instance with named connections of plain nets or bits, and a
`wire`/`input`/`output`/`inout` list (with a constant range). They are read with one regex
match each; anything the general parser must see word by word (a statement token where the
general parser wants a name, `input wire [3:0] a;`) raises `Reparse`, and `parse` reads the
file again with plain tokens. Errors are best located by the plain parse too (a position
inside a statement token is its start), so a builder parses again with `fast=False` on any
error (an error path only).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from edapipe.aig.io import vlog_syntax
from edapipe.errors import InputError, excerpt

_MAX_DIGITS = 18            # an index or width with more digits is out of any range
_MAX_DECIMAL = 4000         # digits of a decimal constant (Python refuses int() beyond 4300)


@dataclass(frozen=True)
class Dialect:
    """What one reader accepts: its limits and what it refuses, and how to say so.

    The flags default to the netlist reader's language (timing/netlist.py); the AIG reader's
    subset (aig/io/verilog.py, not yet a builder of this model: docs/decisions.md, "The
    AIG reader as the parser's second builder") needs them on. They change what parses,
    never how an accepted text of the smaller language reads, so one reader's model does not
    move when the other's grows."""
    what: str                   # "a gate-level netlist": where refused constructs are not
    user: str                   # "timing": who cannot use x/z constants
    max_bits: int               # bits in one bus, part select or constant
    max_nesting: int            # concatenations (and parentheses, ?: arms) inside each other
    refused: frozenset          # statement keywords refused at their position
    operators: bool = False     # ~ & | ^ ~^ ?:, reductions, !, ( ), replication {n{...}}
    gates: bool = False         # and/or/.../not/buf are primitives ("gate"), not cells
    sequential: bool = False    # `always @(posedge c)` and `initial` items
    empty_items: bool = False   # a lone `;` in a module body is no statement, and no error
    refusal: type = InputError  # the error of a refused construct (the AIG reader's is
                                # UnsupportedVerilog: the hand-off to the RTL frontend)


# ---- tokens ----------------------------------------------------------------------------------
# Every statement regex is linear: blanks are skipped possessively, identifiers are possessive
# and the connection list is atomic (with plain `*`, 14 connections without commas took 90 s).
_ID = r"(?:\\\S++\s|[A-Za-z_][A-Za-z0-9_$]*+)"
# (at most 18 digits in an index or width: longer ones go to the general parser, which
# reports them instead of feeding int() a 5000-digit number)
_NET = rf"{_ID}(?:\s*\[\s*\d{{1,18}}\s*\])?"
_CONNS = rf"(?:\.\s*{_ID}\s*\(\s*(?:{_NET})?\s*\)\s*,?\s*)*+"
_FAST_INST = re.compile(rf"({_ID})\s*({_ID})\s*\(\s*({_CONNS})\)\s*;")
_FAST_CONN = re.compile(rf"\.\s*({_ID})\s*\(\s*({_ID})?(?:\s*\[\s*(\d{{1,18}})\s*\])?\s*\)")
_DECL_WORDS = r"wire|input|output|inout"
_DECL_STARTS = ("wire", "input", "output", "inout")
_FAST_HEAD = re.compile(rf"({_ID})\s*({_ID})\s*\(")
_FAST_DECL = re.compile(
    rf"({_DECL_WORDS})\s+(?:\[\s*(\d{{1,18}})\s*:\s*(\d{{1,18}})\s*\]\s*)?"
    rf"({_ID}(?:\s*,\s*{_ID})*)\s*;")
STATEMENT_KEYWORDS = frozenset({
    "module", "endmodule", "input", "output", "inout", "wire", "assign", "reg", "tri",
    "supply0", "supply1", "parameter", "localparam", "defparam", "specify", "always",
    "initial", "signed"})
"""Words that never name the cell of a fast-path instance (`module m ();` is a header)."""
_NOT_KEYWORD = "(?!(?:" + "|".join(sorted(STATEMENT_KEYWORDS)) + r")(?![A-Za-z0-9_$]))"
_UNTERMINATED = r"\(\*(?!\))"
"""`(*` left after the blanks took every terminated attribute: a token, refused."""


def _bare(pattern: str) -> str:
    """`pattern` without capture groups (its literal `\\(` kept)."""
    return re.sub(r"\((?!\?)", "(?:", pattern.replace(r"\(", "\0")).replace("\0", r"\(")


_FAST_TOKEN_RE = re.compile(
    vlog_syntax.skip(True) + "(" + _NOT_KEYWORD + _bare(_FAST_INST.pattern) + "|"
    + _bare(_FAST_DECL.pattern) + "|" + _UNTERMINATED + "|" + vlog_syntax.TOKEN + ")")
_PLAIN_TOKEN_RE = re.compile(
    vlog_syntax.skip(True) + "(" + _UNTERMINATED + "|" + vlog_syntax.TOKEN + ")")
_CONST = re.compile(r"(\d*)'[sS]?([bBoOdDhH])([0-9a-fA-FxXzZ?]*)")  # blanks and _ removed
_OPERATORS = frozenset(("~", "!", "&", "|", "^", "~^", "^~", "~&", "~|", "+", "-", "*", "/",
                        "%", "==", "!=", "===", "!==", "<", ">", "<=", ">=", "<<", ">>",
                        "<<<", ">>>", "&&", "||", "**", "?"))
_SENTINEL = ""
GATES = vlog_syntax.GATES     # gate primitives (Dialect.gates)
_LEVELS = (frozenset(("|",)), frozenset(("^", "~^", "^~")), frozenset(("&",)))
"""The binary operators of Dialect.operators, loosest first (Verilog: & binds before ^ before
|), each level read as one left-folded chain."""
_PREFIX = frozenset(("~", "!", "&", "|", "^", "~&", "~|", "~^", "^~"))
_READ_OPERATORS = _PREFIX.union(*_LEVELS, ("?",))
"""The operators Dialect.operators reads (any other is refused)."""
_PROCEDURAL = frozenset(("if", "case", "casex", "casez", "for", "while", "repeat", "forever",
                         "fork", "#", "@", "wait", "begin"))
"""Statements in an always/initial block beyond `reg <= expr;` (refused)."""


def token_re(fast: bool) -> re.Pattern:
    """The token regex of a parse (compiler directive lines are blanks)."""
    return _FAST_TOKEN_RE if fast else _PLAIN_TOKEN_RE


def is_statement(tok: str) -> bool:
    """A whole statement of the fast mode. (An escaped name may end in ';' too, but holds no
    blank; a statement that starts with an escaped name has the blank that ends it.)"""
    return len(tok) > 1 and tok[-1] == ";" and (tok[0] != "\\" or len(tok.split(None, 1)) > 1)


def unescape(name: str) -> str:
    return name[1:].rstrip() if name[0] == "\\" else name


_ATTRIBUTE_OPENER_RE = re.compile(r"\(\*(?!\))")


def _tokens(text: str, regex: re.Pattern) -> list[str]:
    """`regex.findall(text)`, but ending at the first unterminated `/*` or `(*`: after one,
    every later opener would make the blanks rescan the rest of the text (quadratic)."""
    if text.find("/*", text.rfind("*/") + 1) < 0 and \
            _ATTRIBUTE_OPENER_RE.search(text, text.rfind("*)") + 1) is None:
        return regex.findall(text)      # every opener has a closer after it
    toks = []
    for m in regex.finditer(text):      # (a rare file: token by token, to stop in time)
        tok = m.group(1)
        toks.append(tok)
        if tok == "/*" or tok == "(*":
            break
    return toks


class Reparse(Exception):
    """The fast mode met a statement token where the general parser reads word by word."""


# ---- model -----------------------------------------------------------------------------------
@dataclass(slots=True, repr=False, eq=False)
class Decl:
    """One declaration statement: `kind [signed] [msb:lsb] name [= init], ...;` (kind: input,
    output, inout, wire, tri, supply0, supply1, reg; `input wire` is an input)."""
    kind: str
    msb: int | None
    lsb: int | None
    names: list[tuple[str, int, tuple | None]]      # (name, position, init expression)
    pos: int
    net: str | None = None      # the net word after a direction: `output reg y` -> "reg"


@dataclass(repr=False, eq=False)
class Module:
    name: str
    pos: int
    ports: list[tuple[str, int]]
    params: tuple[int, int] | None
    items: list[tuple]


# ---- parser ----------------------------------------------------------------------------------
class Parser:
    """Recursive descent over a token list (`token_re(fast).findall(text)`)."""

    def __init__(self, text: str, filename: str, dialect: Dialect, fast: bool = True):
        self.filename = filename
        self.dialect = dialect
        regex = token_re(fast)
        self.t = _tokens(text, regex)
        if not self.t or self.t[-1] != _SENTINEL:
            self.t.append(_SENTINEL)
        self.t.extend([_SENTINEL] * 4)          # look-ahead never runs off the end
        self.i = 0
        self.locate = vlog_syntax.Locator(text, regex)
        # `expr(depth=0)`, an expression: a net, select, constant or concatenation, and with
        # Dialect.operators the operators over them (see `conditional`). Bound once to the
        # dialect's entry, so the netlist's expressions (one per connection of a general
        # instance) pay no dispatch frame
        self.expr = self.conditional if dialect.operators else self.primary

    # ---- errors --------------------------------------------------------------------------
    def error(self, reason: str, k: int | None = None) -> InputError:
        k = self.i if k is None else k
        if self.t[k] in ("/*", "(*"):
            # the token list ends at the first unterminated opener (see _tokens): whatever
            # the parser wanted there, the comment is what is wrong
            reason = "unterminated comment or attribute"
        line, col = self.locate(k)
        return InputError(reason, file=self.filename, line=line, column=col)

    def refuse(self, reason: str, k: int | None = None) -> InputError:
        """A construct beyond the dialect, as its reader names such errors (Dialect.refusal)."""
        err = self.error(reason, k)
        if self.dialect.refusal is InputError:
            return err
        return self.dialect.refusal(err.reason, file=err.file, line=err.line,
                                    column=err.column)

    def unexpected(self, expected: str, k: int | None = None) -> InputError:
        k = self.i if k is None else k
        tok = self.t[k]
        if is_statement(tok):
            raise Reparse()
        if tok in _OPERATORS and not (self.dialect.operators and tok in _READ_OPERATORS):
            # (an operator the dialect reads, out of place, is a plain syntax error)
            return self.refuse(f"expected {expected}, found {tok!r} (operators are not "
                               f"allowed in {self.dialect.what})", k)
        return self.error(f"expected {expected}, found {vlog_syntax.shown(tok)}", k)

    # ---- tokens --------------------------------------------------------------------------
    def expect(self, value: str, what: str | None = None) -> int:
        k = self.i
        if self.t[k] != value:
            raise self.unexpected(what or repr(value))
        self.i = k + 1
        return k

    def ident(self, what: str) -> tuple[str, int]:
        k = self.i
        tok = self.t[k]
        c = tok[:1]
        if c == "\\":
            if tok[-1] == ";" and is_statement(tok):
                raise Reparse()
            self.i = k + 1
            return tok[1:], k
        if c.isalpha() or c == "_":
            if tok[-1] == ";" and len(tok) > 1:
                raise Reparse()
            self.i = k + 1
            return tok, k
        raise self.unexpected(what)

    def integer(self) -> int:
        k = self.i
        tok = self.t[k]
        if not tok[:1].isdigit() or "'" in tok:
            raise self.unexpected("an integer")
        if len(tok) > _MAX_DIGITS:  # before int(): 5000 digits is a ValueError, not a number
            raise self.error(f"integer {vlog_syntax.shown(tok)} is out of range", k)
        self.i = k + 1
        return int(tok.replace("_", ""))

    def range_opt(self) -> tuple[int | None, int | None]:
        if self.t[self.i] != "[":
            return None, None
        k = self.i
        self.i += 1
        msb = self.integer()
        self.expect(":")
        lsb = self.integer()
        self.expect("]")
        limit = self.dialect.max_bits
        if abs(msb - lsb) + 1 > limit:  # checked here, long before the nets are made
            raise self.error(f"[{msb}:{lsb}] is {abs(msb - lsb) + 1} bits wide; at most "
                             f"{limit} bits per bus", k)
        return msb, lsb

    def parameters(self) -> tuple[int, int] | None:
        """`#( ... )` read as tokens (no reader uses the values yet): its span, or None."""
        if self.t[self.i] != "#":
            return None
        self.i += 1
        start = self.expect("(")
        t = self.t
        depth = 1
        while depth:
            tok = t[self.i]
            if tok == _SENTINEL or tok == "/*" or tok == "(*":
                raise self.error("unbalanced parentheses")
            if is_statement(tok):
                raise Reparse()
            depth += (tok == "(") - (tok == ")")
            self.i += 1
        return start, self.i

    # ---- expressions ---------------------------------------------------------------------
    def deeper(self, depth: int, k: int, what: str = "concatenations") -> None:
        """Refuse one more level past Dialect.max_nesting (the parser recurses once per
        level: a located error, not Python's recursion limit)."""
        if depth >= self.dialect.max_nesting:
            raise self.error(f"{what} nested deeper than {self.dialect.max_nesting}", k)

    def conditional(self, depth: int = 0):
        """`c1 ? t1 : c2 ? t2 : e` as one flat ("op", "?", [c1, t1, c2, t2, e], pos of the
        first '?') (it means c1 ? t1 : (c2 ? t2 : e)); the chain is read in a loop, so only
        the `then` arms recurse (and count as nesting), and a long chain is no deep tuple."""
        t = self.t
        args = []
        first = self.i
        while True:
            args.append(self.chain(0, depth))
            k = self.i
            if t[k] != "?":
                break
            if len(args) == 1:
                first = k
            self.deeper(depth, k, "conditional expressions")
            self.i = k + 1
            args.append(self.conditional(depth + 1))
            self.expect(":", "':' in a conditional expression")
        return args[0] if len(args) == 1 else ("op", "?", args, first)

    def chain(self, level: int, depth: int):
        """The operands of one precedence level (_LEVELS) and the operators between them:
        ("op", (op, ...), [a, b, ...], pos of the first operator), folded left by a builder;
        a flat list, so `a & b & ... & z` is no deep tuple. A lone operand is itself."""
        t = self.t
        ops_here = _LEVELS[level]
        inner = level + 1 < len(_LEVELS)
        first = self.chain(level + 1, depth) if inner else self.prefixed(depth)
        k = self.i
        if t[k] not in ops_here:
            return first
        ops, args = [], [first]
        while t[self.i] in ops_here:
            ops.append(t[self.i])
            self.i += 1
            args.append(self.chain(level + 1, depth) if inner else self.prefixed(depth))
        return ("op", tuple(ops), args, k)

    def prefixed(self, depth: int):
        """A run of prefix operators (`~`, `!`, reductions `&a ~|a`) before a primary:
        ("prefix", (op, ...), operand, pos), the ops in text order (applied innermost, i.e.
        last, first); a run of any length is one tuple."""
        t = self.t
        k = self.i
        if t[k] not in _PREFIX:
            return self.primary(depth)
        ops = []
        while t[self.i] in _PREFIX:
            ops.append(t[self.i])
            self.i += 1
        return ("prefix", tuple(ops), self.primary(depth), k)

    def primary(self, depth: int = 0):
        t = self.t
        k = self.i
        tok = t[k]
        if tok == "{":
            self.deeper(depth, k)
            self.i = k + 1
            if self.dialect.operators and t[k + 2] == "{" and t[k + 1][:1].isdigit() \
                    and "'" not in t[k + 1]:
                return self.replication(depth, k)
            return self.concatenation(self.expr, depth, k)
        if self.dialect.operators and tok == "(":
            self.deeper(depth, k, "parentheses")
            self.i = k + 1
            inner = self.conditional(depth + 1)
            self.expect(")", "')'")
            return inner
        c = tok[:1]
        if c.isdigit() or c == "'":
            self.i = k + 1
            return ("const", self.const_bits(tok, k), k)
        if not c or not (c.isalpha() or c in "_\\"):
            if self.dialect.operators and tok in ("-", "+"):
                raise self.refuse(f"unary operator {tok!r} is not allowed in "
                                  f"{self.dialect.what}", k)
            raise self.unexpected("a net", k)
        name, _ = self.ident("a net")
        if self.dialect.operators and t[self.i] == "(":
            raise self.refuse(f"function calls are not allowed in {self.dialect.what}",
                              self.i)
        if t[self.i] == "[":
            self.i += 1
            hi = self.integer()
            if t[self.i] == ":":
                self.i += 1
                lo = self.integer()
                self.expect("]")
                return ("part", name, hi, lo, k)
            self.expect("]")
            return ("bit", name, hi, k)
        return ("id", name, k)

    def target(self, depth: int = 0):
        """An assignment target with Dialect.operators: a net, select or concatenation of
        targets, never an operator (`assign a & b = c;` fails at the `&`)."""
        t = self.t
        k = self.i
        if t[k] == "{":
            self.deeper(depth, k)
            self.i = k + 1
            return self.concatenation(self.target, depth, k)
        if t[k] == "(":
            raise self.unexpected("an assignment target", k)
        return self.primary(depth)

    def concatenation(self, part, depth: int, k: int):
        """`{a, b, ...}` after its '{' (at k), each element read by `part` one level deeper:
        ("cat", [elements], k)."""
        parts = [part(depth + 1)]
        while self.t[self.i] == ",":
            self.i += 1
            parts.append(part(depth + 1))
        self.expect("}")
        return ("cat", parts, k)

    def replication(self, depth: int, k: int):
        """`{n{a, b}}` (self.i at n) as ("rep", n, ("cat", ...), pos of the outer '{')."""
        count = self.integer()
        if count > self.dialect.max_bits:
            raise self.error(f"replication count {count} is more than "
                             f"{self.dialect.max_bits} bits", k)
        inner = self.primary(depth + 1)
        self.expect("}", "'}' closing the replication")
        return ("rep", count, inner, k)

    def const_bits(self, tok: str, k: int, allow_x: bool = False) -> list:
        """A constant's bits, MSB first (decimals are 32 bits), its size checked first.
        `allow_x` (reset values of `initial`): an all-x constant is bits of None."""
        text = "".join(tok.split()).replace("_", "")  # blanks may sit around the '
        shown = vlog_syntax.shown(text)
        limit = self.dialect.max_bits
        if "'" not in text:
            if len(text) > _MAX_DECIMAL:
                raise self.error(f"integer {shown} is out of range", k)
            value, width = int(text), 32
            return [(value >> b) & 1 for b in reversed(range(width))]
        m = _CONST.fullmatch(text)
        if m is None:  # a lone `'` is a stray character the grammar calls a number
            raise self.error(f"bad constant {shown}", k)
        size, digits = m.group(1), m.group(3)
        base = {"b": 2, "o": 8, "d": 10, "h": 16}[m.group(2).lower()]
        if any(c in "xXzZ?" for c in digits):
            width = int(size) if size and len(size) <= _MAX_DIGITS else 32
            if allow_x and set(digits.lower()) == {"x"} and 0 < width <= limit:
                return [None] * width
            raise self.refuse(f"constant {shown} has x/z bits, which {self.dialect.user} "
                              "cannot use", k)
        if len(size) > _MAX_DIGITS or (int(size) if size else 32) > limit:
            raise self.error(f"constant {shown} is wider than {limit} bits", k)
        width = int(size) if size else 32
        if width == 0 or len(digits) > limit or (base == 10 and len(digits) > _MAX_DECIMAL):
            raise self.error(f"constant {shown} is out of range", k)
        try:
            value = int(digits, base)
        except ValueError:  # no digits left, or digits of another base (4'b9)
            raise self.error(f"bad constant {shown}", k) from None
        return [(value >> b) & 1 for b in reversed(range(width))]

    # ---- modules -------------------------------------------------------------------------
    def parse(self) -> list[Module]:
        modules = []
        while self.t[self.i] != _SENTINEL:
            if self.t[self.i] != "module":
                raise self.unexpected("'module'")
            modules.append(self.module())
        return modules

    def module(self) -> Module:
        pos = self.expect("module")
        name, _ = self.ident("a module name")
        t = self.t
        params = self.parameters()
        mod = Module(name, pos, [], params, [])
        if t[self.i] == "(":
            self.i += 1
            self.header(mod)
        self.expect(";")
        self.body(mod)
        return mod

    def header(self, mod: Module) -> None:
        """The port list after `(`: names, or ANSI declarations (`input [3:0] a, b`)."""
        t = self.t
        decl = None
        while t[self.i] != ")":
            tok = t[self.i]
            if tok in ("input", "output", "inout"):
                k = self.i
                self.i += 1
                net = None
                if t[self.i] in ("wire", "reg", "logic"):
                    net = t[self.i]
                    self.i += 1
                if t[self.i] == "signed":
                    self.i += 1
                msb, lsb = self.range_opt()
                decl = Decl(tok, msb, lsb, [], k, net)
                mod.items.append(("decl", decl))
                continue
            pname, k = self.ident("a port name")
            mod.ports.append((pname, k))
            if decl is not None:
                decl.names.append((pname, k, None))
            if t[self.i] == ",":
                self.i += 1
        self.expect(")")

    def body(self, mod: Module) -> None:
        t = self.t
        items = mod.items
        refused = self.dialect.refused
        while True:
            k = self.i
            tok = t[k]
            if tok[-1:] == ";" and len(tok) > 1 and (tok[0] != "\\" or is_statement(tok)):
                self.statement_token(tok, k, items)
            elif tok == "endmodule":
                self.i = k + 1
                return
            elif tok in ("input", "output", "inout", "wire", "tri", "supply0", "supply1",
                         "reg"):
                self.declaration(tok, items)
            elif tok == "assign":
                self.i = k + 1
                self.assign(k, items)
            elif tok == ";" and self.dialect.empty_items:
                self.i = k + 1
            elif tok in GATES and self.dialect.gates:
                self.i = k + 1
                self.gates(tok, items)
            elif self.dialect.sequential and tok in ("always", "initial"):
                self.i = k + 1
                if tok == "always":
                    self.always(k, items)
                else:
                    items.append(("initial", self.procedural(allow_x=True), k))
            elif tok in refused:
                raise self.refuse(f"{vlog_syntax.shown(tok)} is not allowed in "
                                  f"{self.dialect.what}", k)
            elif tok == _SENTINEL:
                raise self.error(f"module {excerpt(mod.name, 60)}: missing endmodule", k)
            elif tok[:1].isalpha() or tok[:1] in "_\\":
                self.instances(items)
            else:
                raise self.error(f"unexpected {vlog_syntax.shown(tok)} in module "
                                 f"{excerpt(mod.name, 60)}", k)

    def statement_token(self, tok: str, k: int, items: list) -> None:
        """A fast-mode statement: a declaration list or an instance, read by one regex."""
        self.i = k + 1
        # (the token grammar keeps keywords out of the cell position: a token starting with
        # a declaration word and a blank is a declaration)
        m = _FAST_DECL.fullmatch(tok) if tok.startswith(_DECL_STARTS) else None
        if m is not None:
            msb = None if m.group(2) is None else int(m.group(2))
            lsb = None if m.group(3) is None else int(m.group(3))
            if msb is not None and abs(msb - lsb) + 1 > self.dialect.max_bits:
                raise Reparse()         # the general parser reports it, located
            names = m.group(4)
            if "\\" in names:
                names = [(unescape(x.strip()), k, None) for x in names.split(",")]
            else:
                names = [(x.strip(), k, None) for x in names.split(",")]
            items.append(("decl", Decl(m.group(1), msb, lsb, names, k)))
            return
        # the token matched _FAST_INST: its head names the cell and the instance, then come
        # the connections (searched from the head on: an escaped name may hold `.A(x)`)
        m = _FAST_HEAD.match(tok)
        cell, iname = m.group(1), m.group(2)
        if cell[0] == "\\":
            cell = cell[1:].rstrip()
        if iname[0] == "\\":
            iname = iname[1:].rstrip()
        # connections stay raw (pin, net, bit) strings: a builder reads them in its own loop
        items.append(("fast", cell, iname, _FAST_CONN.findall(tok, m.end()), k))

    def declaration(self, kind: str, items: list) -> None:
        t = self.t
        k = self.i
        self.i += 1
        net = None
        if t[self.i] in ("wire", "reg"):
            net = t[self.i]
            self.i += 1
        if t[self.i] == "signed":
            self.i += 1
        msb, lsb = self.range_opt()
        decl = Decl(kind, msb, lsb, [], k, net)
        while True:
            name, pos = self.ident("a net name")
            init = None
            if t[self.i] == "=":  # `wire x = y;`
                self.i += 1
                init = self.expr()
            decl.names.append((name, pos, init))
            if t[self.i] != ",":
                break
            self.i += 1
        self.expect(";", "',' or ';' in a declaration")
        items.append(("decl", decl))

    def assign(self, k: int, items: list) -> None:
        t = self.t
        target = self.target if self.dialect.operators else self.expr
        while True:
            lhs = target()
            self.expect("=", "'=' in an assignment")
            rhs = self.expr()
            items.append(("assign", lhs, rhs, k))
            if t[self.i] != ",":
                break
            self.i += 1
        self.expect(";", "';' after an assignment")

    def instances(self, items: list) -> None:
        """`cell [#(...)] name (conns) [, name (conns)] ;`"""
        t = self.t
        cell, _ = self.ident("a cell name")
        params = self.parameters()
        while True:
            iname, ipos = self.ident("an instance name")
            if t[self.i] == "[":
                raise self.refuse("instance arrays are not supported", self.i)
            self.expect("(")
            conns: dict | list
            if t[self.i] == ".":
                conns = {}
                while True:
                    self.expect(".")
                    pname, ppos = self.ident("a pin name")
                    self.expect("(")
                    conns[pname] = (None if t[self.i] == ")" else self.expr(), ppos)
                    self.expect(")")
                    if t[self.i] != ",":
                        break
                    self.i += 1
            else:
                conns = []
                while t[self.i] != ")":
                    conns.append(self.expr())
                    if t[self.i] == ",":
                        self.i += 1
            self.expect(")")
            items.append(("inst", cell, iname, conns, ipos, params))
            if t[self.i] != ",":
                break
            self.i += 1
        self.expect(";")

    # ---- gate primitives and sequential items (Dialect.gates, Dialect.sequential) ---------
    def gates(self, kind: str, items: list) -> None:
        """`kind [name] (terminals) [, [name] (terminals)] ;` as ("gate", kind, name or None,
        [expr, ...], pos): pos is the name, or the '(' of an unnamed gate."""
        t = self.t
        while True:
            if t[self.i] == "#":
                raise self.refuse(f"gate delays are not allowed in {self.dialect.what}")
            pos = self.i
            name = None
            if t[pos] != "(":
                name, _ = self.ident("an instance name or '('")
                if t[self.i] == "[":
                    raise self.refuse("instance arrays are not supported", self.i)
            self.expect("(", "'(' after the gate")
            terms = [self.expr()]
            while t[self.i] == ",":
                self.i += 1
                terms.append(self.expr())
            self.expect(")", "',' or ')' in the gate terminals")
            if len(terms) < 2:
                raise self.error(f"gate {kind!r} needs an output and at least one input", pos)
            items.append(("gate", kind, name, terms, pos))
            if t[self.i] != ",":
                break
            self.i += 1
        self.expect(";", "';' after a gate")

    def always(self, k: int, items: list) -> None:
        """`always @(posedge clock) statements` as ("always", clock, clock pos, statements,
        pos); any other event control is refused."""
        t = self.t
        if t[self.i] != "@":
            raise self.refuse(f"'always' without an event control is not allowed in "
                              f"{self.dialect.what}")
        self.i += 1
        self.expect("(", "'(' after '@'")
        if t[self.i] != "posedge":
            raise self.refuse(f"only 'always @(posedge clock)' is allowed in "
                              f"{self.dialect.what}")
        self.i += 1
        clock, cpos = self.ident("the clock name")
        if t[self.i] != ")":
            raise self.refuse(f"always blocks with several events are not allowed in "
                              f"{self.dialect.what}")
        self.i += 1
        items.append(("always", clock, cpos, self.procedural(), k))

    def procedural(self, allow_x: bool = False) -> list[tuple]:
        """One `target <= expr;` (or `=`), or a `begin ... end` of them: [(target, expr,
        pos)], the target a net or select. `allow_x`: reset values (`initial`), where the
        value must be a constant and may be all x (bits of None)."""
        t = self.t
        block = t[self.i] == "begin"
        if block:
            self.i += 1
            if t[self.i] == ":":
                raise self.refuse(f"named blocks are not allowed in {self.dialect.what}")
        out = []
        while not (block and t[self.i] == "end"):
            pos = self.i
            if t[pos] in _PROCEDURAL:
                raise self.refuse(f"{t[pos]!r} in a procedural block is not allowed in "
                                  f"{self.dialect.what}")
            target = self.target()
            if target[0] not in ("id", "bit", "part"):
                raise self.error("expected a reg name", pos)
            if t[self.i] not in ("<=", "="):
                raise self.unexpected("'<=' in a procedural assignment")
            self.i += 1
            if allow_x:
                k = self.i
                if not t[k][:1].isdigit():
                    raise self.refuse(f"initial values other than constants are not "
                                      f"allowed in {self.dialect.what}")
                self.i = k + 1
                value = ("const", self.const_bits(t[k], k, allow_x=True), k)
            else:
                value = self.expr()
            self.expect(";", "';' after an assignment")
            out.append((target, value, pos))
            if not block:
                return out
        self.i += 1
        return out


def parse(text: str, filename: str, dialect: Dialect,
          fast: bool = True) -> tuple[list[Module], vlog_syntax.Locator]:
    """The modules of `text`, and the locator of their positions (token index -> line and
    column) for the builder's messages. `fast` tries the fast mode first; where it hands
    over, the plain parse reads the file."""
    # with operators, one level of nesting takes 6 frames (conditional, three chain levels,
    # prefixed, primary): room for max_nesting of them above the caller's frames, so the
    # dialect's limit, not Python's, is what refuses deep input
    if not dialect.operators:
        return _parse(text, filename, dialect, fast)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 8 * dialect.max_nesting + 2000))
    try:
        return _parse(text, filename, dialect, fast)
    finally:
        sys.setrecursionlimit(old)


def _parse(text: str, filename: str, dialect: Dialect,
           fast: bool) -> tuple[list[Module], vlog_syntax.Locator]:
    if fast:
        p = Parser(text, filename, dialect, fast=True)
        try:
            return p.parse(), p.locate
        except Reparse:
            pass
    p = Parser(text, filename, dialect, fast=False)
    return p.parse(), p.locate
