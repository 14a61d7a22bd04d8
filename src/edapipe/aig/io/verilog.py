"""Structural (gate-level) Verilog reader and writer: the style of the EPFL .v files.

The reader takes one flat module:
- `module NAME (ports);` with non-ANSI (`input a; output [3:0] y;`) or ANSI
  (`module m(input a, output [3:0] y);`) port declarations, `wire` declarations (also
  `wire x = expr;`), ranges `[msb:lsb]` with constant bounds (bits are nets named `a[3]`, the
  same names as the escaped identifiers `\\a[3] ` of ABC-written files);
- `assign lhs = expr;` with `~ & | ^ ~^ ?:`, reductions (`&a |a ^a ~&a ~|a ~^a`) and `!`,
  parentheses, concatenation `{a, b}` and
  replication `{4{a}}`, bit and part selects, and constants (`1'b0`, `4'hA`, decimals);
- gate primitives `and or nand nor xor xnor` (output first, any number of inputs), `not` and
  `buf` (outputs first, input last), with or without an instance name;
- one clock domain written the way ABC writes sequential circuits: `reg` declarations,
  `always @(posedge clk) [begin] q <= expr; ... [end]` and `initial [begin] q <= 1'b0; [end]`
  (reset values; a reg without one is uninitialized, LATCH_INIT_X). The clock input is not an
  input of the AIG; it may not be used as data.
Everything else (operators such as `+` or `==`, `if`/`case`, module instances, parameters,
several modules, `inout`, x/z constants, delays) raises `UnsupportedVerilog`, an InputError
with file:line:column that names the construct: the RTL frontend handles those files. Use
`is_structural(data)` to ask before reading, or catch `UnsupportedVerilog`.

The tokenizer is one regular expression over the whole text (`re.findall`); positions are
recovered only when an error is reported. The two statements that make up ABC's files,
`assign x = [~]a & [~]b;` (also | ^, or one operand, over plain names and 1'b0/1'b1) and
`wire a, b, ...;`, come out of it as single tokens with their parts, and runs of them are
read in a tight loop (about 3x faster than token by token). Anything unusual in them goes
through the ordinary parser, and bad input is read again with one token per word
(`statements=False`), which alone reports errors, so messages and positions are those of
the plain reader.

The writer produces the same style: `module NAME (ports)`, one `assign nK = [~]a & [~]b;` per
AND node, an `assign` per output, escaped identifiers where a name is not a plain identifier.
Sequential AIGs get an extra `clock` input, `reg`s, one `always @ (posedge clock)` block and an
`initial` block for the reset values 0 and 1, as ABC's write_verilog does.
"""

from __future__ import annotations

import re
import sys

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.aig.io import limits, vlog_syntax
from edapipe.aig.io._netlist import (CONST, GATE, NetGraph, Namer, gc_paused,
                                     refuse_properties)
from edapipe.errors import InputError, excerpt


class UnsupportedVerilog(InputError):
    """Valid Verilog, perhaps, but beyond the gate-level subset: hand it to the RTL frontend."""


_NAME = vlog_syntax.NAME
_OPERAND = _NAME + r"|1'b[01]"
# (Blanks are possessive, \s*+: nothing after them starts with a blank, and a long run of
# blanks before a mismatch must not be retried at every split.)
_ASSIGN = (r"assign[ \t\r\n]\s*+(" + _NAME + r")\s*+=\s*+(~?)\s*+(" + _OPERAND + r")"
           r"(?:\s*+([&|]|\^(?!~))\s*+(~?)\s*+(" + _OPERAND + r"))?\s*+;")
_ASSIGN_RE = re.compile(_ASSIGN)
"""`assign x = [~]a [op [~]b];` over plain names and 1'b0/1'b1, op & | ^: its parts."""
_ASSIGN_BARE = re.sub(r"\((?!\?)", "(?:", _ASSIGN)
# The fast mode of the one token grammar (vlog_syntax): the two statements of ABC's files
# are single tokens, a run of `assign`s of the _ASSIGN_RE shape (split by simple_assigns) and
# `wire a, b, ...;`. Anything else in them (comments, selects, other operators) makes them
# fail here: ordinary tokens of vlog_syntax.TOKEN.
_TOKEN_RE = re.compile(vlog_syntax.skip() + "(" + _ASSIGN_BARE + r"(?:\s*+" + _ASSIGN_BARE
                       + r")*+|wire[ \t\r\n]\s*+(?:" + _NAME + r")(?:\s*+,\s*+(?:" + _NAME
                       + r"))*+\s*+;|" + vlog_syntax.TOKEN + ")")
_PLAIN_TOKEN_RE = vlog_syntax.TOKEN_RE
_NAME_RE = re.compile(_NAME)
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
_TIMESCALE_RE = re.compile(r"`(?:timescale|resetall|celldefine|endcelldefine|default_nettype)"
                           r"[^\n]*")

KEYWORDS = frozenset("""
always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign
default defparam design disable edge else end endcase endconfig endfunction endgenerate
endmodule endprimitive endspecify endtable endtask event for force forever fork function
generate genvar highz0 highz1 if ifnone incdir include initial inout input instance integer
join large liblist library localparam macromodule medium module nand negedge nmos nor
noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1
pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat
rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small specify specparam
strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand
trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor
logic bit byte int shortint longint always_comb always_ff always_latch interface package
""".split())
_GATES = vlog_syntax.GATES
_UNSUPPORTED_ITEMS = {
    "parameter": "parameters", "localparam": "parameters", "defparam": "parameters",
    "generate": "generate blocks", "genvar": "generate blocks", "function": "functions",
    "task": "tasks", "integer": "integer variables", "real": "real variables",
    "specify": "specify blocks", "inout": "inout ports", "tri": "tri nets",
    "supply0": "supply nets", "supply1": "supply nets", "wand": "wired nets",
    "wor": "wired nets", "event": "events", "always_comb": "SystemVerilog always_comb",
    "always_ff": "SystemVerilog always_ff", "always_latch": "latches (always_latch)",
    "logic": "SystemVerilog logic", "interface": "interfaces", "package": "packages",
    "primitive": "user-defined primitives", "bufif0": "tri-state gates",
    "bufif1": "tri-state gates", "notif0": "tri-state gates", "notif1": "tri-state gates",
    "pullup": "pull gates", "pulldown": "pull gates", "time": "time variables",
}
_UNSUPPORTED_OPS = frozenset(("+", "-", "*", "/", "%", "==", "!=", "===", "!==", "<", ">",
                              "<=", ">=", "<<", ">>", "<<<", ">>>", "&&", "||", "**",
                              "->", "$", "#", "@"))
_REDUCTIONS = {"&": ("&", 0), "|": ("|", 0), "^": ("^", 0), "~&": ("&", 1), "~|": ("|", 1),
               "~^": ("^", 1), "^~": ("^", 1), "!": ("|", 1)}
_MAX_WIDTH = 1 << 16
_MAX_NESTING = 256      # levels of (), {} and ?: arms; deeper goes to the RTL frontend
_SENTINEL = ""


class _Reparse(InputError):
    """The statement tokens met something only plain tokens can tell: parse again with them."""


def _is_statement_token(tok: str) -> bool:
    """A whole `assign ...;` or `wire ...;` of _TOKEN_RE (an escaped name may end in ';')."""
    return len(tok) > 1 and tok[-1] == ";" and tok[0] != "\\"


class _Parser:
    """Recursive descent over tokens. With `statements` (the fast mode) the simple `assign`s
    and `wire` lists of ABC's files come as single tokens of _TOKEN_RE and are read in
    batches. Errors are reported by a second parse in plain mode (one token per word), which
    alone keeps positions and the exact behaviour on bad input: parse_verilog reparses when
    the fast mode fails after having used a statement token (`used_statements`)."""

    def __init__(self, text: str, filename: str, statements: bool = True):
        self.filename = filename
        token_re = _TOKEN_RE if statements else _PLAIN_TOKEN_RE
        self.toks = token_re.findall(text)
        self.used_statements = False
        if not self.toks or self.toks[-1] != _SENTINEL:
            self.toks.append(_SENTINEL)
        self.toks.extend([_SENTINEL] * 8)        # look-ahead never runs off the end
        self.i = 0
        self.locate = vlog_syntax.Locator(text, token_re)
        self.g = NetGraph(filename, self.locate)
        self.vectors: dict[str, tuple[int, int]] = {}   # name -> (msb, lsb)
        self.declared: dict[str, str] = {}              # name -> input/output/wire/reg
        self.port_order: list[str] = []
        self.outputs: list[tuple[str, int]] = []        # (name, token index)
        self.regs: dict[str, int] = {}                  # reg name -> token index
        self.latch_of: dict[str, int] = {}              # reg bit -> latch index
        self.clock: str | None = None
        self.clock_pos = None
        self.pending_inits: list = []                   # (reg bits, values, position)
        self.lit_cache: dict[str, int] = {"1'b0": 0, "1'b1": 1}  # token -> scalar literal
        self.depth = 0                                  # expression nesting (see nest())
        self.work = 0                                   # bits of vector work (see charge())
        # a net bit costs about what an AIG node of the RTL frontend does, several times over
        self.budget = limits.max_nodes() // 4 + 8 * len(text)

    # ---- errors ------------------------------------------------------------------------
    def fail(self, reason: str, k=None) -> InputError:
        line, col = self.locate(self.i if k is None else k)
        return InputError(reason, file=self.filename, line=line, column=col)

    def unsupported(self, what: str, k=None) -> UnsupportedVerilog:
        line, col = self.locate(self.i if k is None else k)
        return UnsupportedVerilog(f"{what} not supported by the structural Verilog reader "
                                  "(gate-level subset); this needs the RTL frontend",
                                  file=self.filename, line=line, column=col)

    def unexpected(self, expected: str) -> InputError:
        tok = self.toks[self.i]
        if _is_statement_token(tok):
            return self.reparse()
        if tok == _SENTINEL:
            return self.fail(f"unexpected end of file: expected {expected}")
        if tok in _UNSUPPORTED_OPS:
            return self.unsupported(f"operator '{tok}' is")
        if tok == "/*":
            return self.fail("unterminated /* comment")
        if tok.startswith("`"):
            return self.unsupported(f"compiler directive '{tok[:30]}' is")
        if tok in _UNSUPPORTED_ITEMS:
            return self.unsupported(f"{_UNSUPPORTED_ITEMS[tok]} are")
        return self.fail(f"expected {expected}, found '{tok[:40]}'")

    def expect(self, tok: str, what: str | None = None) -> None:
        if self.toks[self.i] != tok:
            raise self.unexpected(what or f"'{tok}'")
        self.i += 1

    def ident(self, what: str = "an identifier") -> str:
        tok = self.toks[self.i]
        if tok[:1] == "\\":
            self.i += 1
            return tok[1:]
        if tok and (tok[0].isalpha() or tok[0] == "_") and tok not in KEYWORDS:
            if tok[-1] == ";":                  # a statement token where a name belongs
                raise self.reparse()
            self.i += 1
            return tok
        if tok in KEYWORDS:
            # a keyword where the gate-level subset wants a name (`output signed [7:0] y`):
            # a construct beyond the subset, which the RTL frontend reads (or locates)
            raise self.unsupported(f"'{tok}' where {what} belongs is")
        raise self.unexpected(what)

    def reparse(self) -> _Reparse:
        self.used_statements = True
        return _Reparse("statement token out of place", file=self.filename)

    def number(self) -> int:
        tok = self.toks[self.i]
        if not tok[:1].isdigit():
            raise self.unexpected("a constant number")
        self.i += 1
        try:
            return int(tok.replace("_", ""))
        except ValueError:
            raise self.fail(f"bad number '{tok[:30]}'", self.i - 1) from None

    # ---- module ------------------------------------------------------------------------
    def parse(self) -> Aig:
        t = self.toks
        if t[self.i] == "macromodule":
            t[self.i] = "module"
        if t[self.i] != "module":
            if t[self.i] == _SENTINEL:
                raise self.fail("no module in the file", 0)
            raise self.unexpected("'module'")
        self.i += 1
        name = self.ident("the module name")
        if t[self.i] == "#":
            raise self.unsupported("module parameters are")
        if t[self.i] == "(":
            self.i += 1
            self.port_list()
        self.expect(";")
        while True:
            tok = t[self.i]
            if tok == "assign":
                self.i += 1
                self.assign()
            elif _is_statement_token(tok):
                if tok[0] == "a":
                    self.simple_assigns()
                else:
                    self.wire_statement()
            elif tok == "wire":
                self.i += 1
                self.declaration("wire")
            elif tok in ("input", "output"):
                self.i += 1
                self.declaration(tok)
            elif tok in _GATES:
                self.i += 1
                self.gate(tok)
            elif tok == "reg":
                self.i += 1
                self.declaration("reg")
            elif tok == "always":
                self.i += 1
                self.always()
            elif tok == "initial":
                self.i += 1
                self.initial()
            elif tok == "endmodule":
                self.i += 1
                break
            elif tok == ";":
                self.i += 1
            elif tok == _SENTINEL:
                raise self.fail("unexpected end of file: expected 'endmodule'")
            elif tok in _UNSUPPORTED_ITEMS:
                raise self.unsupported(f"{_UNSUPPORTED_ITEMS[tok]} are")
            elif tok in KEYWORDS:
                raise self.unsupported(f"'{tok}' is")
            elif tok[:1] == "\\" or _IDENT_RE.match(tok):
                raise self.unsupported(f"module instances ('{tok[:40]}') are")
            else:
                raise self.unexpected("a declaration, 'assign', a gate or 'endmodule'")
        if t[self.i] != _SENTINEL:
            if t[self.i] in ("module", "macromodule"):
                raise self.unsupported("several modules (hierarchy) are")
            raise self.unexpected("the end of the file after 'endmodule'")
        return self.finish(name)

    def port_list(self) -> None:
        t = self.toks
        if t[self.i] == ")":
            self.i += 1
            return
        if t[self.i] in ("input", "output", "inout"):       # ANSI header
            direction = None
            while True:
                if t[self.i] in ("input", "output", "inout"):
                    direction = t[self.i]
                    if direction == "inout":
                        raise self.unsupported("inout ports are")
                    self.i += 1
                    kind = "reg" if t[self.i] == "reg" else None
                    if t[self.i] in ("wire", "reg"):
                        self.i += 1
                    rng = self.range_opt()
                pos = self.i
                name = self.ident("a port name")
                self.port_order.append(name)
                self.declare(name, direction, rng, pos)
                if kind == "reg":
                    self.declare_reg(name, rng, pos)
                if t[self.i] == ",":
                    self.i += 1
                    continue
                self.expect(")", "',' or ')' in the port list")
                return
        while True:
            if t[self.i] == ".":
                raise self.unsupported("named port expressions are")
            self.port_order.append(self.ident("a port name"))
            if t[self.i] == "[":
                raise self.unsupported("port expressions with selects are")
            if t[self.i] == ",":
                self.i += 1
                continue
            self.expect(")", "',' or ')' in the port list")
            return

    def range_opt(self) -> tuple[int, int] | None:
        if self.toks[self.i] != "[":
            return None
        self.i += 1
        if self.toks[self.i] in ("signed", "unsigned"):
            raise self.unsupported("signed types are")
        msb = self.const_index()
        self.expect(":", "':' in a range")
        lsb = self.const_index()
        self.expect("]")
        if abs(msb - lsb) >= _MAX_WIDTH:
            raise self.fail(f"range [{msb}:{lsb}] is too wide (limit {_MAX_WIDTH} bits)")
        return (msb, lsb)

    def const_index(self) -> int:
        tok = self.toks[self.i]
        if tok[:1].isdigit():
            if "'" in tok:
                bits = self.constant()
                return sum(1 << k for k, b in enumerate(bits) if b)
            return self.number()
        if tok[:1] == "\\" or _IDENT_RE.match(tok):
            raise self.unsupported("ranges and selects with non-constant or parameter bounds "
                                   "are")
        raise self.unexpected("a constant index")

    def declaration(self, kind: str) -> None:
        t = self.toks
        if kind in ("input", "output") and t[self.i] in ("wire", "reg"):
            if t[self.i] == "reg":
                kind_reg = True
            else:
                kind_reg = False
            self.i += 1
        else:
            kind_reg = kind == "reg"
        if t[self.i] in ("signed", "unsigned"):
            raise self.unsupported("signed types are")
        rng = self.range_opt()
        if kind == "wire" and rng is None and self.wire_list():
            return
        while True:
            pos = self.i
            name = self.ident("a net name")
            if t[self.i] == "[":
                raise self.unsupported("arrays (memories) are")
            if kind in ("input", "output"):
                self.declare(name, kind, rng, pos)
            elif kind == "wire":
                self.declare(name, "wire", rng, pos)
            if kind_reg:
                self.declare_reg(name, rng, pos)
            if t[self.i] == "=":
                if kind != "wire":
                    raise self.unsupported("declarations with initial values are")
                self.i += 1
                self.drive_name(name, pos)
            if t[self.i] == ",":
                self.i += 1
                continue
            self.expect(";", "',' or ';' in a declaration")
            return

    def wire_statement(self) -> None:
        """A `wire a, b, ...;` token: new names at once, else the declaration() path."""
        self.used_statements = True
        k = self.i
        raw = _NAME_RE.findall(self.toks[k])[1:]          # [0] is `wire`
        names = [x[1:] if x[0] == "\\" else x for x in raw] if "\\" in self.toks[k] else raw
        declared = self.declared
        if KEYWORDS.isdisjoint(raw) and declared.keys().isdisjoint(names) and \
                len(set(names)) == len(names):
            declared.update(dict.fromkeys(names, "wire"))
            self.i = k + 1
            return
        self.i = self.expand(_PLAIN_TOKEN_RE.findall(self.toks[k])[1:-1])
        self.declaration("wire")
        self.i = k + 1

    def expand(self, toks: list[str]) -> int:
        """Plain tokens of one statement token, appended for the ordinary parser; returns
        where they start. (Their positions are never reported: errors reparse.)"""
        start = len(self.toks)
        self.toks.extend(toks)
        return start

    def wire_list(self) -> bool:
        """Fast path for `wire a, b, c;` of new scalar names (the bulk of ABC's files)."""
        t = self.toks
        declared = self.declared
        j = self.i
        names = []
        while True:
            tok = t[j]
            name = tok[1:] if tok[:1] == "\\" else tok
            if not name or name in declared or (tok[:1] != "\\" and (
                    tok in KEYWORDS or not _IDENT_RE.match(tok))):
                return False
            names.append(name)
            sep = t[j + 1]
            j += 2
            if sep == ";":
                break
            if sep != ",":
                return False
        if len(set(names)) != len(names):
            return False
        for name in names:
            declared[name] = "wire"
        self.i = j
        return True

    def declare(self, name: str, kind: str, rng, pos) -> None:
        if rng is not None:
            self.lit_cache.clear()
            self.lit_cache.update({"1'b0": 0, "1'b1": 1})
        old = self.declared.get(name)
        if old is not None:
            # `output y; wire y;` (or reg) is legal; a second direction is not.
            if kind == "wire" or old == "wire":
                if kind != "wire":
                    self.declared[name] = kind
                if rng != self.vectors.get(name) and rng is not None:
                    raise self.fail(f"'{excerpt(name)}' is declared again with another range",
                                    pos)
                return
            raise self.fail(f"'{excerpt(name)}' is declared twice", pos)
        self.declared[name] = kind
        if rng is not None:
            self.vectors[name] = rng
        bits = self.bit_names(name)
        if kind == "input":
            for b in bits:
                self.g.add_input(b, pos)
        elif kind == "output":
            self.outputs.extend((b, pos) for b in bits)

    def declare_reg(self, name: str, rng, pos) -> None:
        self.lit_cache.clear()
        self.lit_cache.update({"1'b0": 0, "1'b1": 1})
        if name in self.regs:
            raise self.fail(f"reg '{excerpt(name)}' is declared twice", pos)
        if self.declared.get(name) == "input":
            raise self.fail(f"input '{excerpt(name)}' cannot be a reg", pos)
        self.regs[name] = pos
        if rng is not None:
            self.vectors[name] = rng

    def bit_names(self, name: str) -> list[str]:
        rng = self.vectors.get(name)
        if rng is None:
            return [name]
        msb, lsb = rng
        self.charge(abs(msb - lsb) + 1)
        step = 1 if msb >= lsb else -1
        return [f"{name}[{k}]" for k in range(lsb, msb + step, step)]

    # ---- statements --------------------------------------------------------------------
    def assign(self) -> None:
        t = self.toks
        g = self.g
        while True:
            i = self.i
            # Fast path for the EPFL/ABC shape: `lhs = [~]a [op [~]b] ;` over scalar nets.
            if t[i + 1] == "=":
                lhs = t[i]
                lname = self.scalar_name(lhs)
                if lname is not None:
                    mark = g.mark()
                    j = i + 2
                    ca = t[j] == "~"
                    a = self.scalar_lit(t[j + ca], j + ca)
                    if a is not None:
                        j += ca + 1
                        op = t[j]
                        if op == ";":
                            g.owner = (lname, i)
                            g.define(lname, a ^ ca, i, mark)
                            self.i = j + 1
                            return
                        if op in ("&", "|", "^"):
                            cb = t[j + 1] == "~"
                            b = self.scalar_lit(t[j + 1 + cb], j + 1 + cb)
                            if b is not None and t[j + 2 + cb] == ";":
                                g.owner = (lname, i)
                                a ^= ca
                                b ^= cb
                                if op == "&":
                                    lit = g.and2(a, b)
                                elif op == "|":
                                    lit = g.or2(a, b)
                                else:
                                    lit = g.xor2(a, b)
                                g.define(lname, lit, i, mark)
                                self.i = j + 3 + cb
                                return
            targets = self.lvalue()
            self.expect("=", "'=' in an assignment")
            self.drive(targets, i)
            if t[self.i] == ",":
                self.i += 1
                continue
            self.expect(";", "';' after an assignment")
            return

    def simple_assigns(self) -> None:
        """A run of `assign x = [~]a [op [~]b];` (one token, see _TOKEN_RE): the fast path
        of assign() inlined, with AND gates of new nets made in place."""
        self.used_statements = True
        g, lc = self.g, self.lit_cache
        slot_of, kind, fa, fb, gpos, label = g.slot_of, g.kind, g.fa, g.fb, g.pos, g.label
        vectors, regs = self.vectors, self.regs
        vectors_or_regs = bool(vectors or regs)     # no declarations inside the run
        scalar_lit = self.scalar_lit
        add_kind, add_fa, add_fb, add_pos, add_label = (
            kind.append, fa.append, fb.append, gpos.append, label.append)
        k = self.i                                  # the position of every gate of the run
        for parts in _ASSIGN_RE.findall(self.toks[k]):
            lhs, ca, ta, op, cb, tb = parts
            if lhs[0] == "\\":
                name = lhs[1:]
            elif lhs in KEYWORDS:
                name = None
            else:
                name = lhs
            if name is None or (vectors_or_regs and (name in vectors or name in regs)):
                self.expand_assign(parts)
                continue
            a = scalar_lit(ta, k)                   # cached per token
            if a is None:
                self.expand_assign(parts)
                continue
            if ca:
                a ^= 1
            if op:
                b = scalar_lit(tb, k)
                if b is None:
                    self.expand_assign(parts)
                    continue
                if cb:
                    b ^= 1
                if op == "&" and a > 1 and b > 1 and name not in slot_of:
                    # g.define(name, g.and2(a, b), k, mark) for a new net, inlined
                    slot = len(kind)
                    slot_of[name] = slot
                    lc[lhs] = 2 * slot
                    add_kind(GATE)
                    add_fa(a)
                    add_fb(b)
                    add_pos(k)
                    add_label(name)
                    continue
                mark = len(kind)
                g.owner = (name, k)
                if op == "&":
                    lit = g.and2(a, b)
                elif op == "|":
                    lit = g.or2(a, b)
                else:
                    lit = g.xor2(a, b)
                g.define(name, lit, k, mark)
            else:
                mark = len(kind)
                g.owner = (name, k)
                g.define(name, a, k, mark)
        self.i = k + 1

    def expand_assign(self, parts: tuple) -> None:
        """One statement of a run through the ordinary assign()."""
        lhs, ca, ta, op, cb, tb = parts
        toks = [lhs, "="] + (["~"] if ca else []) + [ta]
        if op:
            toks += [op] + (["~"] if cb else []) + [tb]
        self.i = self.expand(toks + [";"])
        self.assign()

    def scalar_name(self, tok: str) -> str | None:
        if tok[:1] == "\\":
            name = tok[1:]
        elif tok in KEYWORDS or not _IDENT_RE.match(tok):
            return None
        else:
            name = tok
        if name in self.vectors or name in self.regs:
            return None
        return name

    def scalar_lit(self, tok: str, k: int) -> int | None:
        lit = self.lit_cache.get(tok)
        if lit is None:
            name = self.scalar_name(tok)
            lit = -1 if name is None else self.g.net(name, k)
            self.lit_cache[tok] = lit
        return None if lit < 0 else lit

    def drive(self, targets: list[str], pos) -> None:
        mark = self.g.mark()
        self.g.owner = (targets[0], pos)
        bits = self.fit(self.expr(), len(targets))
        if len(targets) == 1:
            self.g.define(targets[0], bits[0], pos, mark)
        else:
            for name, lit in zip(targets, bits):
                self.g.define(name, lit, pos)

    def drive_name(self, name: str, pos) -> None:
        self.drive(self.bit_names(name), pos)

    def lvalue(self) -> list[str]:
        """Net bit names of an assignment target, LSB first."""
        t = self.toks
        if t[self.i] == "{":
            self.i += 1
            self.nest()
            parts = []
            while True:
                parts.append(self.lvalue())
                if t[self.i] == ",":
                    self.i += 1
                    continue
                self.expect("}", "',' or '}' in a concatenation")
                break
            self.depth -= 1
            return [b for part in reversed(parts) for b in part]
        pos = self.i
        name = self.ident("an assignment target")
        if name in self.regs:
            raise self.fail(f"reg '{excerpt(name)}' can only be assigned in an always block",
                            pos)
        return self.select(name)

    def select(self, name: str) -> list[str]:
        """Bit names of `name` with an optional [i] or [h:l] select, LSB first."""
        t = self.toks
        if t[self.i] != "[":
            return self.bit_names(name)
        pos = self.i
        rng = self.vectors.get(name)
        if rng is None:
            raise self.fail(f"'{excerpt(name)}' is not a vector: it has no bits to select", pos)
        self.i += 1
        hi = self.const_index()
        lo = hi
        if t[self.i] == ":":
            self.i += 1
            lo = self.const_index()
        elif t[self.i] in ("+:", "-:") or (t[self.i] in ("+", "-") and t[self.i + 1] == ":"):
            raise self.unsupported("indexed part selects are")
        self.expect("]")
        msb, lsb = rng
        low, high = min(msb, lsb), max(msb, lsb)
        for k in (hi, lo):
            if not low <= k <= high:
                raise self.fail(f"index {k} is outside '{excerpt(name)}' [{msb}:{lsb}]", pos)
        step = 1 if hi >= lo else -1
        self.charge(abs(hi - lo) + 1)
        if (hi >= lo) != (msb >= lsb) and hi != lo:
            raise self.fail(f"part select [{hi}:{lo}] is reversed against '{excerpt(name)}' "
                            f"[{msb}:{lsb}]", pos)
        return [f"{name}[{k}]" for k in range(lo, hi + step, step)]

    def gate(self, kind: str) -> None:
        t = self.toks
        g = self.g
        while True:
            if t[self.i] == "#":
                raise self.unsupported("gate delays are")
            start = self.i
            if t[self.i] != "(":
                self.ident("an instance name or '('")
                if t[self.i] == "[":
                    raise self.unsupported("instance arrays are")
            self.expect("(", "'(' after the gate")
            terms = []
            ends = []       # where each terminal's expression must stop: ',' or ')'
            while True:
                terms.append(self.i)
                depth = 0
                # skip one terminal expression, remembering where it starts
                while True:
                    tok = t[self.i]
                    if tok in ("(", "{", "["):
                        depth += 1
                    elif tok in (")", "}", "]"):
                        if depth == 0:
                            break
                        depth -= 1
                    elif tok == "," and depth == 0:
                        break
                    elif tok in (";", _SENTINEL):
                        raise self.unexpected("')' closing the gate terminals")
                    elif tok[-1] == ";" and tok[0] != "\\":
                        raise self.reparse()
                    self.i += 1
                ends.append(self.i)
                if t[self.i] == ",":
                    self.i += 1
                    continue
                self.expect(")")
                break
            end = self.i
            if len(terms) < 2:
                raise self.fail(f"gate '{kind}' needs an output and at least one input", start)
            n_out = len(terms) - 1 if kind in ("not", "buf") else 1
            outs = []
            for k, stop in zip(terms[:n_out], ends):
                self.i = k
                target = self.lvalue()
                if len(target) != 1:
                    raise self.fail("a gate output must be a single bit", k)
                self.terminal_end(stop)
                outs.append(target[0])
            mark = g.mark()
            g.owner = (outs[0], start)
            ins = []
            for k, stop in zip(terms[n_out:], ends[n_out:]):
                self.i = k
                ins.append(self.fit(self.expr(), 1)[0])
                self.terminal_end(stop)
            if kind in ("and", "nand"):
                lit = g.and_n(ins)
            elif kind in ("or", "nor"):
                lit = g.or_n(ins)
            elif kind in ("xor", "xnor"):
                lit = g.xor_n(ins)
            else:
                lit = ins[0]
            lit ^= kind in ("nand", "nor", "xnor", "not")
            if len(outs) == 1:
                g.define(outs[0], lit, start, mark)
            else:
                for o in outs:
                    g.define(o, lit, start)
            self.i = end
            if t[self.i] == ",":
                self.i += 1
                continue
            self.expect(";", "';' after a gate")
            return

    def terminal_end(self, stop: int) -> None:
        # a terminal was skipped to its ',' or ')' before being parsed: text left over
        # (`nor g(y b, c)`) would otherwise be dropped without a word
        if self.i != stop:
            raise self.unexpected("',' or ')' after a gate terminal")

    # ---- sequential (ABC's write_verilog style) ----------------------------------------
    def always(self) -> None:
        t = self.toks
        if t[self.i] != "@":
            raise self.unsupported("'always' without an event control is")
        self.i += 1
        self.expect("(", "'(' after '@'")
        if t[self.i] != "posedge":
            raise self.unsupported("only 'always @(posedge clock)' is supported; this "
                                   "always block is")
        self.i += 1
        pos = self.i
        clock = self.ident("the clock name")
        if t[self.i] != ")":
            raise self.unsupported("always blocks with several events (asynchronous resets) "
                                   "are")
        self.i += 1
        if self.clock is None:
            self.clock, self.clock_pos = clock, pos
        elif self.clock != clock:
            raise self.unsupported("several clocks are", pos)
        if self.declared.get(clock) != "input":
            raise self.fail(f"clock '{excerpt(clock)}' is not an input", pos)
        self.statements(self.register)

    def statements(self, action) -> None:
        t = self.toks
        block = t[self.i] == "begin"
        if block:
            self.i += 1
            if t[self.i] == ":":
                raise self.unsupported("named blocks are")
        while True:
            if block and t[self.i] == "end":
                self.i += 1
                return
            tok = t[self.i]
            if tok in ("if", "case", "casex", "casez", "for", "while", "repeat", "forever",
                       "fork", "#", "@", "wait", "begin"):
                raise self.unsupported(f"'{tok}' in a procedural block is")
            pos = self.i
            name = self.ident("a reg name")
            targets = self.select(name)
            if t[self.i] not in ("<=", "="):
                raise self.unexpected("'<=' in a procedural assignment")
            self.i += 1
            action(name, targets, pos)
            self.expect(";", "';' after an assignment")
            if not block:
                return

    def register(self, name: str, targets: list[str], pos) -> None:
        if name not in self.regs:
            raise self.fail(f"'{excerpt(name)}' is assigned in an always block but is not a "
                            "reg", pos)
        g = self.g
        g.owner = (targets[0], pos)
        bits = self.fit(self.expr(), len(targets))
        for bit, lit in zip(targets, bits):
            if bit in self.latch_of:
                raise self.fail(f"reg bit '{excerpt(bit)}' is assigned twice", pos)
            self.latch_of[bit] = g.add_latch(bit, lit, LATCH_INIT_X, pos)

    def initial(self) -> None:
        self.statements(self.reset_value)

    def reset_value(self, name: str, targets: list[str], pos) -> None:
        if name not in self.regs:
            raise self.fail(f"'{excerpt(name)}' in an initial block is not a reg", pos)
        if not self.toks[self.i][:1].isdigit():
            raise self.unsupported("initial values other than constants are")
        bits = self.constant(allow_x=True)
        bits = (bits + [bits[-1] if bits[-1] is None else 0] * len(targets))[:len(targets)]
        self.pending_inits.append((targets, bits, pos))

    # ---- expressions (values are lists of literals, LSB first) -------------------------
    def charge(self, bits: int) -> None:
        """Count work on vectors against the budget: a wide vector in a short statement is
        the one way a small file makes a large netlist (`assign y = a & a & ...` over 65536
        bits), and text alone never reaches it (the budget grows with the file)."""
        self.work += bits
        if self.work > self.budget:
            line, _ = self.locate(self.i)
            raise limits.over_budget(f"{self.filename}:{line}: ",
                                     "vector operations make too many net bits", self.budget,
                                     limits.NODES_VARIABLE)

    def fit(self, bits: list[int], width: int) -> list[int]:
        self.charge(width)
        if len(bits) >= width:
            return bits[:width]
        return bits + [0] * (width - len(bits))

    def nest(self, k=None) -> None:
        """One level deeper into an expression; refused past _MAX_NESTING (a located error,
        not Python's recursion limit). Callers undo it with `self.depth -= 1`."""
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.unsupported(f"expressions nested more than {_MAX_NESTING} levels deep "
                                   "are", k)

    def expr(self) -> list[int]:
        self.nest()
        # `c1 ? t1 : c2 ? t2 : e` chains in a loop: only the `then` arms nest.
        arms = []
        while True:
            cond = self.or_expr()
            if self.toks[self.i] != "?":
                break
            self.i += 1
            then = self.expr()
            self.expect(":", "':' in a conditional expression")
            arms.append((cond, then))
        other = cond
        g = self.g
        for cond, then in reversed(arms):
            sel = cond[0] if len(cond) == 1 else g.or_n(cond)
            width = max(len(then), len(other))
            then, other = self.fit(then, width), self.fit(other, width)
            other = [g.mux(sel, a, b) for a, b in zip(then, other)]
        self.depth -= 1
        return other

    def binary(self, a: list[int], b: list[int], op) -> list[int]:
        width = max(len(a), len(b))
        return [op(x, y) for x, y in zip(self.fit(a, width), self.fit(b, width))]

    def or_expr(self) -> list[int]:
        v = self.xor_expr()
        while self.toks[self.i] == "|":
            self.i += 1
            v = self.binary(v, self.xor_expr(), self.g.or2)
        return v

    def xor_expr(self) -> list[int]:
        v = self.and_expr()
        t = self.toks
        while t[self.i] in ("^", "~^", "^~"):
            neg = t[self.i] != "^"
            self.i += 1
            v = self.binary(v, self.and_expr(), self.g.xor2)
            if neg:
                v = [x ^ 1 for x in v]
        return v

    def and_expr(self) -> list[int]:
        v = self.unary()
        while self.toks[self.i] == "&":
            self.i += 1
            v = self.binary(v, self.unary(), self.g.and2)
        return v

    def unary(self) -> list[int]:
        t = self.toks
        tok = t[self.i]
        if tok == "~" or tok in _REDUCTIONS:
            # A run of prefix operators (`~~~~a`, `&~|a`) in a loop, applied innermost first.
            ops = []
            while tok == "~" or tok in _REDUCTIONS:
                ops.append(tok)
                self.i += 1
                tok = t[self.i]
            v = self.primary()
            g = self.g
            flip = 0                      # pending `~`s: only their parity matters
            for tok in reversed(ops):
                if tok == "~":
                    flip ^= 1
                    continue
                if flip:
                    v = [x ^ 1 for x in v]
                    flip = 0
                self.charge(len(v))
                op, neg = _REDUCTIONS[tok]
                lit = g.and_n(v) if op == "&" else g.or_n(v) if op == "|" else g.xor_n(v)
                v = [lit ^ neg]
            return [x ^ 1 for x in v] if flip else v
        return self.primary()

    def primary(self) -> list[int]:
        t = self.toks
        tok = t[self.i]
        if tok == "(":
            self.i += 1
            v = self.expr()
            self.expect(")", "')'")
            return v
        if tok == "{":
            return self.concat()
        if tok[:1].isdigit():
            return self.constant()
        if tok in ("-", "+"):
            raise self.unsupported(f"unary operator '{tok}' is")
        if tok[:1] == "\\" or (_IDENT_RE.match(tok) and tok not in KEYWORDS):
            pos = self.i
            name = self.ident()
            if t[self.i] == "(":
                raise self.unsupported("function calls are")
            if name in self.regs and name not in self.vectors and t[self.i] != "[":
                return [self.g.net(name, pos)]
            return [self.g.net(b, pos) for b in self.select(name)]
        if tok.startswith("$"):
            raise self.unsupported("system functions are")
        raise self.unexpected("an expression")

    def concat(self) -> list[int]:
        t = self.toks
        self.i += 1
        if t[self.i][:1].isdigit() and "'" not in t[self.i] and t[self.i + 1] == "{":
            count = self.number()
            if count > _MAX_WIDTH:
                raise self.fail(f"replication count {count} is too large")
            self.nest()
            inner = self.concat()
            self.depth -= 1
            self.expect("}", "'}' closing the replication")
            if count * len(inner) > _MAX_WIDTH:
                raise self.fail(f"replication is {count * len(inner)} bits wide (limit "
                                f"{_MAX_WIDTH})")
            self.charge(count * len(inner))
            return inner * count
        parts = []
        width = 0
        while True:
            parts.append(self.expr())
            width += len(parts[-1])
            if width > _MAX_WIDTH:
                raise self.fail(f"concatenation wider than {_MAX_WIDTH} bits")
            if t[self.i] == ",":
                self.i += 1
                continue
            self.expect("}", "',' or '}' in a concatenation")
            break
        return [b for part in reversed(parts) for b in part]

    def constant(self, allow_x: bool = False) -> list:
        tok = self.toks[self.i]
        pos = self.i
        self.i += 1
        if "'" not in tok:
            try:
                value = int(tok.replace("_", ""))
            except ValueError:
                raise self.fail(f"bad number '{tok[:30]}'", pos) from None
            if value.bit_length() > _MAX_WIDTH:
                raise self.fail(f"number wider than {_MAX_WIDTH} bits", pos)
            return [(value >> k) & 1 for k in range(max(32, value.bit_length()))]
        size_s, _, rest = tok.partition("'")
        size_s = size_s.strip()
        rest = rest.strip().lstrip("sS")
        base = {"b": 2, "o": 8, "d": 10, "h": 16}[rest[0].lower()]
        digits = rest[1:].strip().replace("_", "").lower()
        if len(size_s) > 8:
            raise self.fail(f"constant width {size_s[:20]} is out of range", pos)
        size = int(size_s) if size_s else 32
        if size == 0 or size > _MAX_WIDTH:
            raise self.fail(f"constant width {size} is out of range", pos)
        self.charge(size)
        if any(c in "xz?" for c in digits):
            if allow_x and set(digits) <= {"x"}:
                return [None] * size
            raise self.unsupported("x/z constants are", pos)
        try:
            value = int(digits, base) & ((1 << size) - 1)
        except ValueError:
            raise self.fail(f"bad constant '{tok[:30]}'", pos) from None
        return [(value >> k) & 1 for k in range(size)]

    # ---- result ------------------------------------------------------------------------
    def finish(self, name: str) -> Aig:
        g = self.g
        for port in self.port_order:
            if port not in self.declared:
                raise self.fail(f"port '{excerpt(port)}' has no input or output declaration",
                                0)
        for reg, pos in self.regs.items():
            for bit in self.bit_names(reg):
                if bit not in self.latch_of:
                    raise self.fail(f"reg '{excerpt(bit)}' is never assigned in an always "
                                    "block", pos)
        for targets, bits, pos in self.pending_inits:
            for bit, v in zip(targets, bits):
                g.latch_init[self.latch_of[bit]] = LATCH_INIT_X if v is None else v
        if self.port_order:
            rank = {p: k for k, p in enumerate(self.port_order)}
            order = {}
            for slot in g.inputs:
                base = g.label[slot].split("[", 1)[0]
                order[slot] = rank.get(g.label[slot], rank.get(base, len(rank)))
            g.inputs.sort(key=lambda s: order[s])
            self.outputs.sort(key=lambda o: rank.get(o[0], rank.get(o[0].split("[", 1)[0],
                                                                      len(rank))))
        if self.clock is not None:
            self.drop_clock()
        for out, pos in self.outputs:
            g.add_output(out, g.net(out, pos), pos)
        return g.finish(name=name)

    def drop_clock(self) -> None:
        """The clock is no input of the AIG; it may only clock the registers."""
        g = self.g
        slot = g.slot_of[self.clock]
        lits = (2 * slot, 2 * slot + 1)
        used = any(x in lits for x in g.fa) or any(x in lits for x in g.fb) or \
            any(x in lits for x in g.latch_next) or \
            any(g.net(o, p) in lits for o, p in self.outputs)
        if used:
            raise self.unsupported(f"clock '{excerpt(self.clock)}' used as data is",
                                   self.clock_pos)
        g.inputs.remove(slot)
        g.kind[slot] = CONST             # no longer an input; nothing uses it


def _decode(data: bytes, filename: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError("not a text file (invalid UTF-8)", file=filename, line=line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError("not a text file (NUL byte)", file=filename, line=line)
    if "`" in text:
        text = _TIMESCALE_RE.sub(lambda m: " " * len(m.group(0)), text)
    return text


def parse_verilog(data: bytes, filename: str = "<verilog>") -> Aig:
    """Read one flat gate-level module (see the module docstring for the subset)."""
    # _MAX_NESTING levels take about 7 frames each: room for them above the caller's frames
    # (the limit, not the recursion limit, is what refuses deep input).
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10 * _MAX_NESTING + 2000))
    try:
        with gc_paused():
            return _parse_verilog(data, filename)
    finally:
        sys.setrecursionlimit(old)


def _parse_verilog(data: bytes, filename: str) -> Aig:
    text = _decode(data, filename)
    p = _Parser(text, filename)
    try:
        return p.parse()
    except (InputError, RecursionError) as exc:
        if not p.used_statements:
            if isinstance(exc, RecursionError):
                raise p.fail("expression nested too deeply") from None
            raise
    # The fast mode met bad input (or something it leaves to plain tokens) after using
    # statement tokens: the plain parse gives the error with its exact position.
    p = _Parser(text, filename, statements=False)
    try:
        return p.parse()
    except RecursionError:
        raise p.fail("expression nested too deeply") from None


def is_structural(data: bytes) -> bool:
    """True unless the structural reader would refuse the file as beyond its subset (the
    RTL frontend's job). Files with ordinary errors count as structural: reading them gives
    the better message."""
    try:
        parse_verilog(data, "<check>")
    except UnsupportedVerilog:
        return False
    except InputError:
        return True
    return True


# ---- writer --------------------------------------------------------------------------------

def verilog_name(name: str) -> str:
    """`name` as a Verilog identifier: plain if it can be, else escaped (`\\a[0] `)."""
    if _IDENT_RE.match(name) and name not in KEYWORDS:
        return name
    return "\\" + name + " "


def _printable(name: str) -> str:
    out = "".join(c if "!" <= c <= "~" else "_" for c in name)
    return out or "_"


def dump_verilog(aig: Aig) -> bytes:
    refuse_properties(aig, "Verilog")
    names = Namer(aig, _printable, alias_inputs=False)
    vn = [verilog_name(x) if x is not None else None for x in names.var_name]
    seq = aig.num_latches > 0
    clock = names.unique("clock") if seq else None
    module = verilog_name(_printable(aig.name)) if aig.name else "top"
    ins = [verilog_name(x) for x in names.in_names]
    outs = [verilog_name(x) for x in names.out_names]
    ports = ([verilog_name(clock)] if seq else []) + ins + outs
    out = [f"// written by edapipe: {aig.num_inputs} inputs, {aig.num_outputs} outputs, "
           f"{aig.num_latches} latches, {aig.num_ands} ANDs",
           f"module {module} ("]
    out += _wrap(ports, "    ", ");")
    if seq:
        out.append(f"  input {verilog_name(clock)};")
    if ins:
        out += _wrap(ins, "  input ", ";")
    if outs:
        out += _wrap(outs, "  output ", ";")
    if seq:
        out += _wrap([verilog_name(x) for x in names.latch_names], "  reg ", ";")
    wires = vn[aig.first_and_var:]
    if wires:
        out += _wrap(wires, "  wire ", ";")

    def ref(lit: int) -> str:
        if lit <= 1:
            return "1'b1" if lit else "1'b0"
        return ("~" if lit & 1 else "") + vn[lit >> 1]

    v = aig.first_and_var
    for a, b in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        out.append(f"  assign {vn[v]} = {ref(a)} & {ref(b)};")
        v += 1
    for k, lit in enumerate(aig.outputs.tolist()):
        if not names.out_alias[k]:          # an output that is a reg of the same name
            out.append(f"  assign {outs[k]} = {ref(lit)};")
    if seq:
        out.append(f"  always @ (posedge {verilog_name(clock)}) begin")
        for k, lit in enumerate(aig.latch_next.tolist()):
            out.append(f"    {verilog_name(names.latch_names[k])} <= {ref(lit)};")
        out.append("  end")
        inits = [(k, x) for k, x in enumerate(aig.latch_init.tolist()) if x in (0, 1)]
        if inits:
            out.append("  initial begin")
            out += [f"    {verilog_name(names.latch_names[k])} <= 1'b{x};" for k, x in inits]
            out.append("  end")
    out.append("endmodule")
    return ("\n".join(out) + "\n").encode("utf-8")


def _wrap(items: list[str], head: str, tail: str, width: int = 90) -> list[str]:
    lines, cur = [], head
    for k, item in enumerate(items):
        piece = item + (", " if k + 1 < len(items) else "")
        if len(cur) + len(piece) > width and cur.strip():
            lines.append(cur.rstrip())
            cur = "    "
        cur += piece
    lines.append(cur + tail)        # an escaped name keeps its closing blank: `\a[0] ;`
    return lines
