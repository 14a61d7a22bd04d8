"""Gate-level (structural) Verilog to a flat netlist of cell instances and bit nets.

Accepted: ANSI and non-ANSI module headers, input/output/inout/wire declarations with ranges,
named (`.A(x)`) and ordered connections, bit and part selects, concatenations, sized constants
(1'b0, 4'hA), escaped identifiers (`\\a.b[3] `), `assign` between nets, and hierarchy, which is
flattened with `inst/` name prefixes. Behavioural code is not accepted. Cells that are neither a
module of the file nor a library cell become black boxes, reported in `warnings`.

Nets are integers; net 0 is constant 0 and net 1 is constant 1. `assign a = b` merges two nets
(union-find), so every connection ends up on one representative net.

Sizes are checked before anything is allocated: a bus or constant is at most MAX_BITS bits
(`input [999999999:0] a;` is a located error, not 4 GB), concatenations nest at most
MAX_NESTING deep, and flattening creates at most `element_budget(text)` nets and instances
(a fixed allowance plus a share of the file size, so a small file cannot unfold a doubling
hierarchy into billions of cells): beyond it a ResourceLimit naming EDAPIPE_MAX_INPUT_MB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from edapipe.aig.io import vlog_syntax
from edapipe.errors import InputError, ResourceLimit, excerpt
from edapipe.util import files

MAX_BITS = 1 << 20          # bits in one bus, part select or constant
MAX_NESTING = 64            # { { { ... } } } concatenations inside each other
_MAX_DIGITS = 18            # an index or width with more digits is out of any range
_MAX_DECIMAL = 4000         # digits of a decimal constant (Python refuses int() beyond 4300)
_MAX_WARNINGS = 20          # black-box cells named one by one


def element_budget(text: str) -> int:
    """Nets plus instances flattening may create: a flat netlist needs far fewer than one per
    8 characters; the fixed part (1M elements at the default EDAPIPE_MAX_INPUT_MB of 256)
    leaves room for hierarchy that replicates modules and for wide buses."""
    return files.max_input_bytes() // 256 + len(text) // 8


_shown = vlog_syntax.shown


def _name(name: str) -> str:
    """A design name for a message, clipped (hierarchical names can be long)."""
    return excerpt(name, 60)


# Every regex below is linear: blanks and comments are skipped possessively (`*+`),
# identifiers are possessive and the connection list is atomic. With plain `*`, a failed
# fast-path match backtracked exponentially: 25 blanks before an `assign` took 2 s and 14
# connections without commas 90 s. Possessive matching accepts exactly the same statements
# here, because what follows each such part can never start inside it.
#
# Tokens come from the one Verilog token grammar of the gate-level readers (aig/io/vlog_syntax,
# shared with the AIG reader); compiler directive lines are blanks here. The last alternative
# catches any stray character, which the parser then reports with its position.
_SKIP = vlog_syntax.blank(skip_directives=True)  # for the statement regexes below
_Lexer = vlog_syntax.Lexer

# Fast paths for the two statement shapes that make up nearly all of a mapped netlist. They
# only ever accept text the general parser would read the same way; anything else (ordered
# connections, concatenations, constants, part selects) falls through to the general parser.
_ID = r"(?:\\\S++\s|[A-Za-z_][A-Za-z0-9_$]*+)"
# (at most 18 digits in an index or width: longer ones go to the general parser, which
# reports them instead of feeding int() a 5000-digit number)
_NET = rf"{_ID}(?:\s*\[\s*\d{{1,18}}\s*\])?"
_FAST_INST = re.compile(
    rf"({_ID})\s*({_ID})\s*\(\s*((?:\.\s*{_ID}\s*\(\s*(?:{_NET})?\s*\)\s*,?\s*)*+)\)\s*;")
_FAST_CONN = re.compile(rf"\.\s*({_ID})\s*\(\s*({_ID})?(?:\s*\[\s*(\d{{1,18}})\s*\])?\s*\)")
_FAST_DECL = re.compile(
    rf"(wire|input|output|inout)\s+(?:\[\s*(\d{{1,18}})\s*:\s*(\d{{1,18}})\s*\]\s*)?"
    rf"({_ID}(?:\s*,\s*{_ID})*)\s*;")
_BLANKS = vlog_syntax.BLANKS_RE
_CONST = re.compile(r"(\d*)'[sS]?([bBoOdDhH])([0-9a-fA-FxXzZ?]*)")  # blanks and _ removed
_FAST_BODY = re.compile(
    rf"(?:{_SKIP})*+(?:" + _FAST_INST.pattern + "|" + _FAST_DECL.pattern + ")", re.DOTALL)
_KEYWORDS = frozenset({"module", "endmodule", "input", "output", "inout", "wire", "assign",
                       "reg", "tri", "supply0", "supply1", "parameter", "localparam",
                       "defparam", "specify", "always", "initial", "signed"})


@dataclass(slots=True, repr=False, eq=False)
class Instance:
    name: str
    cell: str
    conns: dict[str, int]  # pin name -> net
    token: int  # character offset of the statement (line_of_instance maps it to a line)


@dataclass(slots=True, repr=False, eq=False)
class Port:
    name: str        # bit name, e.g. "a[3]"
    direction: str   # input, output, inout
    net: int


@dataclass(repr=False, eq=False)
class Netlist:
    top: str
    filename: str
    net_names: list[str]
    ports: list[Port]
    instances: list[Instance]
    warnings: list[str] = field(default_factory=list)
    text: str = ""  # kept to turn token positions into line numbers for messages
    # flattened from submodules: names carry `inst/` prefixes (SDC patterns match per level)
    hierarchical: bool = False


def line_of_instance(netlist: Netlist, index: int) -> int | None:
    """Line of the instance statement (found by rescanning the text; error paths only)."""
    if not netlist.text:
        return None
    return _Lexer(netlist.text, netlist.filename).line_of(netlist.instances[index].token)


@dataclass(slots=True, repr=False, eq=False)
class _Decl:
    direction: str | None
    msb: int | None
    lsb: int | None


@dataclass(repr=False, eq=False)
class _Module:
    name: str
    port_order: list[str]
    decls: dict[str, _Decl]
    # Statements kept as token slices, elaborated per use: ("inst", cell, name, conns, line)
    # with conns either dict name->expr or list of exprs; ("assign", lhs, rhs, line).
    items: list[tuple]
    line: int


def _int(lex: _Lexer) -> int:
    kind, val, off = lex.take()
    if kind != "num" or "'" in val:
        raise lex.error(f"expected an integer, found {_shown(val)}", off)
    if len(val) > _MAX_DIGITS:  # before int(): 5000 digits is a ValueError, not a number
        raise lex.error(f"integer {_shown(val)} is out of range", off)
    return int(val)


def _range(lex: _Lexer) -> tuple[int | None, int | None]:
    if lex.peek()[1] != "[":
        return None, None
    off = lex.take()[2]
    msb = _int(lex)
    lex.expect(":")
    lsb = _int(lex)
    lex.expect("]")
    if abs(msb - lsb) + 1 > MAX_BITS:  # checked here, long before the nets are made
        raise lex.error(f"[{msb}:{lsb}] is {abs(msb - lsb) + 1} bits wide; at most {MAX_BITS} "
                        "bits per bus", off)
    return msb, lsb


# Expressions are kept as small tuples: ("id", name, off) | ("bit", name, idx, off) |
# ("part", name, msb, lsb, off) | ("const", bits(list of 0/1), off) | ("cat", [exprs], off).
def _expr(lex: _Lexer, depth: int = 0):
    kind, val, off = lex.take()
    if kind == "punct" and val == "{":
        if depth >= MAX_NESTING:  # the parser recurses once per level
            raise lex.error(f"concatenations nested deeper than {MAX_NESTING}", off)
        parts = [_expr(lex, depth + 1)]
        while lex.peek()[1] == ",":
            lex.take()
            parts.append(_expr(lex, depth + 1))
        lex.expect("}")
        return ("cat", parts, off)
    if kind == "num":
        return ("const", _const_bits(lex, val, off), off)
    if kind != "id":
        raise lex.error(f"expected a net, found {_shown(val)}", off)
    if lex.peek()[1] == "[":
        lex.take()
        hi = _int(lex)
        if lex.peek()[1] == ":":
            lex.take()
            lo = _int(lex)
            lex.expect("]")
            return ("part", val, hi, lo, off)
        lex.expect("]")
        return ("bit", val, hi, off)
    return ("id", val, off)


def _const_bits(lex: _Lexer, text: str, off: int) -> list[int]:
    text = "".join(text.split()).replace("_", "")  # blanks may sit around the '
    if "'" not in text:
        if len(text) > _MAX_DECIMAL:
            raise lex.error(f"integer {_shown(text)} is out of range", off)
        value, width = int(text), 32
        return [(value >> k) & 1 for k in reversed(range(width))]
    m = _CONST.fullmatch(text)
    if m is None:  # a lone `'` is a stray character the lexer calls a number
        raise lex.error(f"bad constant {_shown(text)}", off)
    size, base, digits = m.group(1), {"b": 2, "o": 8, "d": 10, "h": 16}[m.group(2).lower()], \
        m.group(3)
    if any(c in "xXzZ?" for c in digits):
        raise lex.error(f"constant {_shown(text)} has x/z bits, which timing cannot use", off)
    if len(size) > _MAX_DIGITS or (int(size) if size else 32) > MAX_BITS:
        raise lex.error(f"constant {_shown(text)} is wider than {MAX_BITS} bits", off)
    width = int(size) if size else 32
    if width == 0 or len(digits) > MAX_BITS or (base == 10 and len(digits) > _MAX_DECIMAL):
        raise lex.error(f"constant {_shown(text)} is out of range", off)
    try:
        value = int(digits, base)
    except ValueError:  # no digits left, or digits of another base (4'b9)
        raise lex.error(f"bad constant {_shown(text)}", off) from None
    return [(value >> k) & 1 for k in reversed(range(width))]


def _parse_module(lex: _Lexer) -> _Module:
    moff = lex.peek()[2]
    lex.expect("module")
    name, _ = lex.ident("a module name")
    mod = _Module(name, [], {}, [], moff)
    if lex.peek()[1] == "#":  # parameters: skip the parenthesised list
        lex.take()
        _skip_parens(lex)
    if lex.peek()[1] == "(":
        lex.take()
        direction, rng = None, (None, None)
        while lex.peek()[1] != ")":
            kind, val, off = lex.peek()
            if val in ("input", "output", "inout"):
                lex.take()
                direction = val
                if lex.peek()[1] in ("wire", "reg", "logic"):
                    lex.take()
                if lex.peek()[1] == "signed":
                    lex.take()
                rng = _range(lex)
                continue
            pname, poff = lex.ident("a port name")
            mod.port_order.append(pname)
            if direction is not None:
                mod.decls[pname] = _Decl(direction, *rng)
            if lex.peek()[1] == ",":
                lex.take()
        lex.expect(")")
    lex.expect(";")
    text = lex.text
    items = mod.items
    decls = mod.decls
    while True:
        if lex._tok is None:
            lex.pos = _fast_statements(text, lex.pos, items, decls)
        kind, val, off = lex.peek()
        if kind == "eof":
            raise lex.error(f"module {excerpt(name, 60)}: missing endmodule", off)
        if val == "endmodule":
            lex.take()
            return mod
        if val in ("input", "output", "inout", "wire", "tri", "supply0", "supply1", "reg"):
            lex.take()
            if lex.peek()[1] in ("wire", "reg"):
                lex.take()
            if lex.peek()[1] == "signed":
                lex.take()
            msb, lsb = _range(lex)
            while True:
                dname, doff = lex.ident("a net name")
                old = mod.decls.get(dname)
                direction = val if val in ("input", "output", "inout") else None
                if old is None:
                    mod.decls[dname] = _Decl(direction, msb, lsb)
                else:
                    old.direction = old.direction or direction
                    if msb is not None:
                        old.msb, old.lsb = msb, lsb
                if val in ("supply0", "supply1"):
                    mod.items.append(("assign", ("id", dname, doff),
                                      ("const", [1 if val == "supply1" else 0], doff), doff))
                if lex.peek()[1] == "=":  # `wire x = y;`
                    lex.take()
                    mod.items.append(("assign", ("id", dname, doff), _expr(lex), doff))
                if lex.peek()[1] != ",":
                    break
                lex.take()
            lex.expect(";")
        elif val == "assign":
            lex.take()
            while True:
                lhs = _expr(lex)
                lex.expect("=")
                rhs = _expr(lex)
                mod.items.append(("assign", lhs, rhs, off))
                if lex.peek()[1] != ",":
                    break
                lex.take()
            lex.expect(";")
        elif val in ("parameter", "localparam", "defparam", "specify", "always", "initial"):
            raise lex.error(f"{_shown(val)} is not allowed in a gate-level netlist", off)
        elif kind == "id":
            lex.take()
            cell = val
            if lex.peek()[1] == "#":
                lex.take()
                _skip_parens(lex)
            while True:
                iname, ioff = lex.ident("an instance name")
                if lex.peek()[1] == "[":
                    raise lex.error("instance arrays are not supported", lex.peek()[2])
                lex.expect("(")
                conns: dict | list
                if lex.peek()[1] == ".":
                    conns = {}
                    while True:
                        lex.expect(".")
                        pname, poff = lex.ident("a pin name")
                        lex.expect("(")
                        conns[pname] = (None if lex.peek()[1] == ")" else _expr(lex), poff)
                        lex.expect(")")
                        if lex.peek()[1] != ",":
                            break
                        lex.take()
                else:
                    conns = []
                    while lex.peek()[1] != ")":
                        conns.append(_expr(lex))
                        if lex.peek()[1] == ",":
                            lex.take()
                lex.expect(")")
                mod.items.append(("inst", cell, iname, conns, ioff))
                if lex.peek()[1] != ",":
                    break
                lex.take()
            lex.expect(";")
        else:
            raise lex.error(f"unexpected {_shown(val)} in module {excerpt(name, 60)}", off)


def _unescape(name: str) -> str:
    return name[1:].rstrip() if name[0] == "\\" else name


def _fast_statements(text: str, pos: int, items: list, decls: dict) -> int:
    """Read the run of simple instance and declaration statements starting at pos (one C-level
    regex scan); return where the general parser must take over."""
    conn_all = _FAST_CONN.findall
    match = _FAST_BODY.match
    # match() at pos, not finditer(): finditer searched ahead for the next fast statement
    # each time, so a file of general statements (assigns) was scanned quadratically
    while (m := match(text, pos)) is not None:
        cell = m.group(1)
        if cell is not None:
            if cell in _KEYWORDS:
                break
            # connections stay raw (pin, net, bit) strings; _Flattener.fast_instance reads them
            items.append(("fast", cell, _unescape(m.group(2)), conn_all(m.group(3)),
                          m.start(1)))
        else:
            direction = m.group(4) if m.group(4) != "wire" else None
            msb = None if m.group(5) is None else int(m.group(5))
            lsb = None if m.group(6) is None else int(m.group(6))
            if msb is not None and abs(msb - lsb) + 1 > MAX_BITS:
                break  # the general parser reports it, located
            for dname in m.group(7).split(","):
                dname = _unescape(dname.strip())
                old = decls.get(dname)
                if old is None:
                    decls[dname] = _Decl(direction, msb, lsb)
                else:
                    old.direction = old.direction or direction
                    if msb is not None:
                        old.msb, old.lsb = msb, lsb
        pos = m.end()
    return _BLANKS.match(text, pos).end()


def _general(item: tuple) -> tuple:
    """A fast-path instance item in the general parser's form (for module instances)."""
    if item[0] != "fast":
        return item
    _, cell, iname, raw, off = item
    conns = {}
    for pin, net, bit in raw:
        pin = _unescape(pin)
        if not net:
            conns[pin] = (None, off)
        elif not bit:
            conns[pin] = (("id", _unescape(net), off), off)
        else:
            conns[pin] = (("bit", _unescape(net), int(bit), off), off)
    return ("inst", cell, iname, conns, off)


def _skip_parens(lex: _Lexer) -> None:
    lex.expect("(")
    depth = 1
    while depth:
        kind, val, off = lex.take()
        if kind == "eof":
            raise lex.error("unbalanced parentheses", off)
        depth += (val == "(") - (val == ")")


class _Flattener:
    def __init__(self, lex: _Lexer, modules: dict[str, _Module],
                 cell_pins: Callable[[str], list[str] | None]):
        self.lex = lex
        self.modules = modules
        self.cell_pins = cell_pins
        self.net_names = ["1'b0", "1'b1"]
        self.parent = [0, 1]
        self.instances: list[Instance] = []
        self.blackbox: dict[str, tuple[int, int]] = {}  # cell -> (count, first offset)
        self.pin_cache: dict[str, tuple[list[str] | None, frozenset]] = {}
        self.merged = False  # did any assign merge two nets?
        # nets, instances (black boxes too) and bits copied so far, and the most allowed
        self.work = 0
        self.budget = element_budget(lex.text)

    def spend(self, n: int, offset: int) -> None:
        """Count work before doing it; beyond the budget, stop with a ResourceLimit."""
        self.work += n
        if self.work > self.budget:
            line = self.lex.line_of(offset)
            raise ResourceLimit(
                f"{self.lex.filename}:{line}: the netlist unfolds to more than {self.budget} "
                "nets, instances and connected bits (a limit from the file size and "
                f"{files.MAX_INPUT_VARIABLE}; raise {files.MAX_INPUT_VARIABLE}=N MiB to allow "
                "more)")

    def new_net(self, name: str) -> int:
        self.work += 1  # (checked by the callers' spend, in bulk)
        self.net_names.append(name)
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, n: int) -> int:
        parent = self.parent
        root = n
        while parent[root] != root:
            root = parent[root]
        while parent[n] != root:
            parent[n], n = root, parent[n]
        return root

    def union(self, a: int, b: int, off: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if ra <= 1 and rb <= 1:
            raise self.lex.error("assign ties constant 0 to constant 1", off)
        if rb <= 1:  # keep constants as representatives
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.merged = True

    def elaborate(self, mod: _Module, prefix: str, port_nets: dict[str, list[int]] | None,
                  depth: int = 0, consume: bool = False) -> dict[str, list[int]]:
        """Create the nets of `mod` (bits MSB first), emit its instances; return its nets.
        `consume` (the top module, elaborated once) drops each parsed statement once it is
        emitted, so the raw statements and the instances are not both held at the peak."""
        if depth > 64:
            raise self.lex.error(f"module hierarchy deeper than 64 (recursive "
                                 f"{excerpt(mod.name, 60)}?)", mod.line)
        nets: dict[str, list[int]] = {}
        for dname, decl in mod.decls.items():
            if port_nets is not None and dname in port_nets:
                nets[dname] = port_nets[dname]
                continue
            if decl.msb is None:
                self.spend(1, mod.line)
                nets[dname] = [self.new_net(prefix + dname)]
            else:
                self.spend(abs(decl.msb - decl.lsb) + 1, mod.line)  # before allocating
                step = -1 if decl.msb >= decl.lsb else 1
                nets[dname] = [self.new_net(f"{prefix}{dname}[{k}]")
                               for k in range(decl.msb, decl.lsb + step, step)]
        items = mod.items
        if consume:
            mod.items = []
        for k in range(len(items)):
            item = items[k]
            if consume:
                items[k] = None
            if item[0] == "assign":
                lhs = self.bits(mod, nets, item[1], prefix)
                rhs = self.bits(mod, nets, item[2], prefix)
                if len(rhs) < len(lhs):  # Verilog zero-extends
                    rhs = [0] * (len(lhs) - len(rhs)) + rhs
                for a, b in zip(lhs, rhs[len(rhs) - len(lhs):]):
                    self.union(a, b, item[3])
            elif item[0] == "fast" and item[1] not in self.modules:
                self.fast_instance(mod, nets, item, prefix)
            else:
                self.instance(mod, nets, _general(item), prefix, depth)
        return nets

    def bits(self, mod: _Module, nets: dict[str, list[int]], expr, prefix: str) -> list[int]:
        kind = expr[0]
        if kind == "const":
            self.spend(len(expr[1]), expr[-1])
            return list(expr[1])
        if kind == "cat":
            out: list[int] = []
            for part in expr[1]:
                out.extend(self.bits(mod, nets, part, prefix))
            return out
        name = expr[1]
        if name not in nets:  # implicit scalar wire
            mod.decls[name] = _Decl(None, None, None)
            nets[name] = [self.new_net(prefix + name)]
        vec = nets[name]
        if kind == "id":
            self.spend(len(vec), expr[-1])
            return list(vec)
        decl = mod.decls[name]
        if decl.msb is None:
            raise self.lex.error(f"{excerpt(name, 60)} is not a vector; it cannot be indexed",
                                 expr[-1])

        def pos(k: int) -> int:
            lo, hi = min(decl.msb, decl.lsb), max(decl.msb, decl.lsb)
            if not lo <= k <= hi:
                raise self.lex.error(f"{excerpt(name, 60)}[{k}] is outside "
                                     f"[{decl.msb}:{decl.lsb}]", expr[-1])
            return decl.msb - k if decl.msb >= decl.lsb else k - decl.msb

        if kind == "bit":
            return [vec[pos(expr[2])]]
        a, b = pos(expr[2]), pos(expr[3])
        self.spend(abs(a - b) + 1, expr[-1])
        return vec[a:b + 1] if a <= b else vec[b:a + 1][::-1]

    def _pin_offset(self, offset: int, pin: str) -> int:
        """Where `.pin` is written at or after offset (fast-path connections keep only the
        statement's offset; errors want the pin's)."""
        m = re.compile(r"\.\s*(\\?" + re.escape(pin) + r")(?![A-Za-z0-9_$])").search(
            self.lex.text, offset)
        return m.start(1) if m is not None else offset

    def fast_instance(self, mod: _Module, nets, item, prefix: str) -> None:
        """A library-cell instance from the fast path: named connections to nets or bits."""
        _, cell, iname, raw, ioff = item
        self.spend(1 + len(raw), ioff)  # black boxes too: a doubling hierarchy of them hangs
        pins = self.pin_cache.get(cell)
        if pins is None:
            found = self.cell_pins(cell)
            pins = self.pin_cache[cell] = (found, frozenset(found or ()))
        order, pinset = pins
        if order is None:
            count, first = self.blackbox.get(cell, (0, ioff))
            self.blackbox[cell] = (count + 1, first)
            return
        flat: dict[str, int] = {}
        get = nets.get
        for pin, net, bit in raw:
            if pin[0] == "\\":
                pin = pin[1:].rstrip()
            if pin not in pinset:
                raise self.lex.error(f"instance {_name(prefix + iname)}: cell {_name(cell)} has "
                                     f"no pin {_shown(pin)}", self._pin_offset(ioff, pin))
            if not net:
                continue
            if net[0] == "\\":
                net = net[1:].rstrip()
            vec = get(net)
            if not bit and vec is not None and len(vec) == 1:
                flat[pin] = vec[0]
                continue
            expr = ("id", net, ioff) if not bit else ("bit", net, int(bit), ioff)
            got = self.bits(mod, nets, expr, prefix)
            if len(got) != 1:
                raise self.lex.error(f"instance {_name(prefix + iname)}: pin {_name(pin)} is 1 "
                                     f"bit, connected to {len(got)} bits",
                                     self._pin_offset(ioff, pin))
            flat[pin] = got[0]
        self.instances.append(Instance(prefix + iname, cell, flat, ioff))

    def instance(self, mod: _Module, nets, item, prefix: str, depth: int) -> None:
        _, cell, iname, conns, ioff = item
        self.spend(1 + len(conns), ioff)
        sub = self.modules.get(cell)
        if sub is not None:
            port_nets: dict[str, list[int]] = {}
            pairs = conns.items() if isinstance(conns, dict) else \
                zip(sub.port_order, [(c, ioff) for c in conns])
            for pname, (expr, poff) in pairs:
                if pname not in sub.decls or sub.decls[pname].direction is None:
                    raise self.lex.error(f"module {_name(cell)} has no port {_shown(pname)}",
                                         poff)
                decl = sub.decls[pname]
                width = 1 if decl.msb is None else abs(decl.msb - decl.lsb) + 1
                got = [] if expr is None else self.bits(mod, nets, expr, prefix)
                if len(got) != width:
                    raise self.lex.error(f"port {_name(pname)} of {_name(cell)} is {width} bits "
                                         f"wide, connected to {len(got)}", poff)
                port_nets[pname] = got
            self.hierarchical = True
            self.elaborate(sub, f"{prefix}{iname}/", port_nets, depth + 1)
            return
        pins = self.pin_cache.get(cell)
        if pins is None:
            found = self.cell_pins(cell)
            pins = self.pin_cache[cell] = (found, frozenset(found or ()))
        order, pinset = pins
        if order is None:
            count, first = self.blackbox.get(cell, (0, ioff))
            self.blackbox[cell] = (count + 1, first)
            return
        if isinstance(conns, dict):
            pairs = [(p, e, o) for p, (e, o) in conns.items()]
        else:
            if len(conns) > len(order):
                raise self.lex.error(f"instance {_name(prefix + iname)}: {len(conns)} ordered "
                                     f"connections, but cell {_name(cell)} has {len(order)} pins",
                                     ioff)
            pairs = [(p, e, ioff) for p, e in zip(order, conns)]
        flat: dict[str, int] = {}
        for pname, expr, poff in pairs:
            if pname not in pinset:
                raise self.lex.error(f"instance {_name(prefix + iname)}: cell {_name(cell)} has "
                                     f"no pin {_shown(pname)}", self._pin_offset(poff, pname))
            if expr is None:
                continue
            if expr[0] == "id":  # the common case: a scalar net by name
                vec = nets.get(expr[1])
                if vec is not None and len(vec) == 1:
                    flat[pname] = vec[0]
                    continue
            got = self.bits(mod, nets, expr, prefix)
            if len(got) != 1:
                raise self.lex.error(f"instance {_name(prefix + iname)}: pin {_name(pname)} is 1 "
                                     f"bit, connected to {len(got)} bits", poff)
            flat[pname] = got[0]
        self.instances.append(Instance(prefix + iname, cell, flat, ioff))


def read_netlist_text(text: str, filename: str, cell_pins: Callable[[str], list[str] | None],
                      top: str | None = None) -> Netlist:
    """Parse and flatten. `cell_pins(cell)` gives a library cell's pins in order, or None."""
    if text.startswith("\ufeff"):  # a byte-order mark: blank, keeping offsets
        text = " " + text[1:]
    lex = _Lexer(text, filename)
    modules: dict[str, _Module] = {}
    while lex.peek()[0] != "eof":
        kind, val, off = lex.peek()
        if val != "module":
            raise lex.error(f"expected 'module', found {_shown(val)}", off)
        mod = _parse_module(lex)
        modules[mod.name] = mod
    if not modules:
        raise InputError("no module in the netlist", file=filename)
    used = {item[1] for m in modules.values() for item in m.items
            if item[0] in ("inst", "fast")}
    if top is None:
        roots = [name for name in modules if name not in used]
        if len(roots) != 1:
            raise InputError(f"cannot tell the top module (candidates: "
                             f"{excerpt(', '.join(roots), 80)}); "
                             "name it with --top", file=filename)
        top = roots[0]
    if top not in modules:
        raise InputError(f"no module named {_shown(top)} (have: "
                         f"{excerpt(', '.join(modules), 80)})", file=filename)
    flat = _Flattener(lex, modules, cell_pins)
    mod = modules[top]
    # a top module nothing instantiates is elaborated once: its statements can go as used
    nets = flat.elaborate(mod, "", None, consume=top not in used)
    ports: list[Port] = []
    for pname in mod.port_order:
        decl = mod.decls.get(pname)
        if decl is None or decl.direction is None:
            raise InputError(f"port {_name(pname)} of {_name(top)} has no direction declaration",
                             file=filename, line=lex.line_of(mod.line))
        bits = nets[pname]
        if decl.msb is None:
            ports.append(Port(pname, decl.direction, bits[0]))
        else:
            step = -1 if decl.msb >= decl.lsb else 1
            for k, net in zip(range(decl.msb, decl.lsb + step, step), bits):
                ports.append(Port(f"{pname}[{k}]", decl.direction, net))
    find = flat.find
    if flat.merged:
        for inst in flat.instances:
            inst.conns = {p: find(n) for p, n in inst.conns.items()}
    for port in ports:
        port.net = find(port.net)
    boxes = list(flat.blackbox.items())
    warnings = [f"{filename}:{lex.line_of(first)}: cell {_name(cell)} is not in any Liberty "
                f"library; its {count} instance(s) are black boxes with no timing"
                for cell, (count, first) in boxes[:_MAX_WARNINGS]]
    if len(boxes) > _MAX_WARNINGS:  # one line per cell, but not a screenful per file
        rest = boxes[_MAX_WARNINGS:]
        warnings.append(f"{filename}: {len(rest)} more cells not in any Liberty library "
                        f"({sum(c for _, (c, _) in rest)} instances) are black boxes too")
    return Netlist(top, filename, flat.net_names, ports, flat.instances, warnings, text,
                   getattr(flat, "hierarchical", False))
