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

The text is parsed by the one gate-level Verilog parser (aig/io/vlog_parse, the syntax model
of modules, declarations, assigns and instances); this module is its builder for timing: it
merges declarations, flattens hierarchy and ties nets. Parameters, behavioural code, specify
blocks and operators are refused by the parser at their position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from edapipe.aig.io import vlog_parse, vlog_syntax
from edapipe.aig.io._netlist import gc_paused
from edapipe.errors import InputError, ResourceLimit, excerpt
from edapipe.util import files

MAX_BITS = 1 << 20          # bits in one bus, part select or constant
MAX_NESTING = 64            # { { { ... } } } concatenations inside each other
_MAX_WARNINGS = 20          # black-box cells named one by one


def element_budget(text: str) -> int:
    """Nets plus instances flattening may create: a flat netlist needs far fewer than one per
    8 characters; the fixed part (1M elements at the default EDAPIPE_MAX_INPUT_MB of 256)
    leaves room for hierarchy that replicates modules and for wide buses."""
    return files.max_input_bytes() // 256 + len(text) // 8


_shown = vlog_syntax.shown
_DIALECT = vlog_parse.Dialect(
    what="a gate-level netlist", user="timing", max_bits=MAX_BITS, max_nesting=MAX_NESTING,
    refused=frozenset(("parameter", "localparam", "defparam", "specify", "always",
                       "initial")))


def _name(name: str) -> str:
    """A design name for a message, clipped (hierarchical names can be long)."""
    return excerpt(name, 60)


@dataclass(slots=True, repr=False, eq=False)
class Instance:
    name: str
    cell: str
    conns: dict[str, int]  # pin name -> net
    token: int  # position of the statement (line_of_instance maps it to a line)


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
    # token position -> (line, column), for the text the reader parsed
    locate: Callable[[int], tuple] | None = None


def line_of_instance(netlist: Netlist, index: int) -> int | None:
    """Line of the instance statement (found by rescanning the text; error paths only)."""
    if not netlist.text or netlist.locate is None:
        return None
    return netlist.locate(netlist.instances[index].token)[0]


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
    # Statements of the syntax model (vlog_parse), elaborated per use: "assign", "inst"
    # and "fast" items; declarations are merged into `decls`.
    items: list[tuple]
    line: int  # position of `module`


def _module(model: vlog_parse.Module) -> _Module:
    """The netlist's view of a parsed module: declarations of a name merged (the direction
    from whichever has one, the range from the last that has one), `supply0/1` nets and
    `wire x = e` initialisers as assigns where they are declared."""
    decls: dict[str, _Decl] = {}
    items = []
    for item in model.items:
        if item[0] != "decl":
            items.append(item)
            continue
        d = item[1]
        kind, msb, lsb = d.kind, d.msb, d.lsb
        direction = kind if kind in ("input", "output", "inout") else None
        for dname, pos, init in d.names:
            old = decls.get(dname)
            if old is None:
                decls[dname] = _Decl(direction, msb, lsb)
            else:
                old.direction = old.direction or direction
                if msb is not None:
                    old.msb, old.lsb = msb, lsb
            if kind in ("supply0", "supply1"):
                items.append(("assign", ("id", dname, pos),
                              ("const", [1 if kind == "supply1" else 0], pos), pos))
            if init is not None:
                items.append(("assign", ("id", dname, pos), init, pos))
    return _Module(model.name, [p for p, _ in model.ports], decls, items, model.pos)


def _general(item: tuple) -> tuple:
    """A fast-path instance item in the general form ("inst", cell, name, conns, pos, params)
    (for module instances)."""
    if item[0] != "fast":
        return item
    _, cell, iname, raw, off = item
    conns = {}
    unescape = vlog_parse.unescape
    for pin, net, bit in raw:
        pin = unescape(pin)
        if not net:
            conns[pin] = (None, off)
        elif not bit:
            conns[pin] = (("id", unescape(net), off), off)
        else:
            conns[pin] = (("bit", unescape(net), int(bit), off), off)
    return ("inst", cell, iname, conns, off, None)


class _Flattener:
    def __init__(self, text: str, filename: str, locate: Callable[[int], tuple],
                 modules: dict[str, _Module], cell_pins: Callable[[str], list[str] | None]):
        self.filename = filename
        self.locate = locate
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
        self.budget = element_budget(text)

    def spend(self, n: int, offset: int) -> None:
        """Count work before doing it; beyond the budget, stop with a ResourceLimit."""
        self.work += n
        if self.work > self.budget:
            line = self.locate(offset)[0]
            raise ResourceLimit(
                f"{self.filename}:{line}: the netlist unfolds to more than {self.budget} "
                "nets, instances and connected bits (a limit from the file size and "
                f"{files.MAX_INPUT_VARIABLE}; raise {files.MAX_INPUT_VARIABLE}=N MiB to allow "
                "more)")

    def fail(self, reason: str, pos: int) -> InputError:
        line, col = self.locate(pos)
        return InputError(reason, file=self.filename, line=line, column=col)

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
            raise self.fail("assign ties constant 0 to constant 1", off)
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
            raise self.fail(f"module hierarchy deeper than 64 (recursive "
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
            raise self.fail(f"{excerpt(name, 60)} is not a vector; it cannot be indexed",
                            expr[-1])

        def pos(k: int) -> int:
            lo, hi = min(decl.msb, decl.lsb), max(decl.msb, decl.lsb)
            if not lo <= k <= hi:
                raise self.fail(f"{excerpt(name, 60)}[{k}] is outside "
                                f"[{decl.msb}:{decl.lsb}]", expr[-1])
            return decl.msb - k if decl.msb >= decl.lsb else k - decl.msb

        if kind == "bit":
            return [vec[pos(expr[2])]]
        a, b = pos(expr[2]), pos(expr[3])
        self.spend(abs(a - b) + 1, expr[-1])
        return vec[a:b + 1] if a <= b else vec[b:a + 1][::-1]

    def fast_instance(self, mod: _Module, nets, item, prefix: str) -> None:
        """A library-cell instance from the fast path: named connections to nets or bits.
        (Its errors sit at the statement's start; read_netlist_text then reads the file again
        in plain mode, whose instance() places them at the pin.)"""
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
                raise self.fail(f"instance {_name(prefix + iname)}: cell {_name(cell)} has "
                                f"no pin {_shown(pin)}", ioff)
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
                raise self.fail(f"instance {_name(prefix + iname)}: pin {_name(pin)} is 1 "
                                f"bit, connected to {len(got)} bits",
                                ioff)
            flat[pin] = got[0]
        self.instances.append(Instance(prefix + iname, cell, flat, ioff))

    def instance(self, mod: _Module, nets, item, prefix: str, depth: int) -> None:
        _, cell, iname, conns, ioff, _params = item
        self.spend(1 + len(conns), ioff)
        sub = self.modules.get(cell)
        if sub is not None:
            port_nets: dict[str, list[int]] = {}
            pairs = conns.items() if isinstance(conns, dict) else \
                zip(sub.port_order, [(c, ioff) for c in conns])
            for pname, (expr, poff) in pairs:
                if pname not in sub.decls or sub.decls[pname].direction is None:
                    raise self.fail(f"module {_name(cell)} has no port {_shown(pname)}",
                                    poff)
                decl = sub.decls[pname]
                width = 1 if decl.msb is None else abs(decl.msb - decl.lsb) + 1
                got = [] if expr is None else self.bits(mod, nets, expr, prefix)
                if len(got) != width:
                    raise self.fail(f"port {_name(pname)} of {_name(cell)} is {width} bits "
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
                raise self.fail(f"instance {_name(prefix + iname)}: {len(conns)} ordered "
                                f"connections, but cell {_name(cell)} has {len(order)} pins",
                                ioff)
            pairs = [(p, e, ioff) for p, e in zip(order, conns)]
        flat: dict[str, int] = {}
        for pname, expr, poff in pairs:
            if pname not in pinset:
                raise self.fail(f"instance {_name(prefix + iname)}: cell {_name(cell)} has "
                                f"no pin {_shown(pname)}", poff)
            if expr is None:
                continue
            if expr[0] == "id":  # the common case: a scalar net by name
                vec = nets.get(expr[1])
                if vec is not None and len(vec) == 1:
                    flat[pname] = vec[0]
                    continue
            got = self.bits(mod, nets, expr, prefix)
            if len(got) != 1:
                raise self.fail(f"instance {_name(prefix + iname)}: pin {_name(pname)} is 1 "
                                f"bit, connected to {len(got)} bits", poff)
            flat[pname] = got[0]
        self.instances.append(Instance(prefix + iname, cell, flat, ioff))


def read_netlist_text(text: str, filename: str, cell_pins: Callable[[str], list[str] | None],
                      top: str | None = None) -> Netlist:
    """Parse and flatten. `cell_pins(cell)` gives a library cell's pins in order, or None."""
    if text.startswith("\ufeff"):  # a byte-order mark: blank, keeping offsets
        text = " " + text[1:]
    # (the reader makes many small objects and no cycles: the cyclic collector only slows it)
    with gc_paused():
        try:
            return _read(text, filename, cell_pins, top, fast=True)
        except InputError:
            pass
        # The fast mode keeps whole statements as one token: the plain parse (one token per
        # word) places the error exactly.
        return _read(text, filename, cell_pins, top, fast=False)


def _read(text: str, filename: str, cell_pins: Callable[[str], list[str] | None],
          top: str | None, fast: bool) -> Netlist:
    models, locate = vlog_parse.parse(text, filename, _DIALECT, fast)
    modules: dict[str, _Module] = {}
    for model in models:
        modules[model.name] = _module(model)
    del models
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
    flat = _Flattener(text, filename, locate, modules, cell_pins)
    mod = modules[top]
    # a top module nothing instantiates is elaborated once: its statements can go as used
    nets = flat.elaborate(mod, "", None, consume=top not in used)
    ports = _ports(mod, nets, filename, locate)
    find = flat.find
    if flat.merged:
        for inst in flat.instances:
            inst.conns = {p: find(n) for p, n in inst.conns.items()}
    for port in ports:
        port.net = find(port.net)
    boxes = list(flat.blackbox.items())
    warnings = [f"{filename}:{locate(first)[0]}: cell {_name(cell)} is not in any Liberty "
                f"library; its {count} instance(s) are black boxes with no timing"
                for cell, (count, first) in boxes[:_MAX_WARNINGS]]
    if len(boxes) > _MAX_WARNINGS:  # one line per cell, but not a screenful per file
        rest = boxes[_MAX_WARNINGS:]
        warnings.append(f"{filename}: {len(rest)} more cells not in any Liberty library "
                        f"({sum(c for _, (c, _) in rest)} instances) are black boxes too")
    return Netlist(top, filename, flat.net_names, ports, flat.instances, warnings, text,
                   getattr(flat, "hierarchical", False), locate)


def _ports(mod: _Module, nets: dict[str, list[int]], filename: str,
           locate: Callable[[int], tuple]) -> list[Port]:
    """The top module's ports, one per bit (`a[3]`), in header order."""
    ports: list[Port] = []
    for pname in mod.port_order:
        decl = mod.decls.get(pname)
        if decl is None or decl.direction is None:
            raise InputError(f"port {_name(pname)} of {_name(mod.name)} has no direction "
                             "declaration", file=filename, line=locate(mod.line)[0])
        bits = nets[pname]
        if decl.msb is None:
            ports.append(Port(pname, decl.direction, bits[0]))
        else:
            step = -1 if decl.msb >= decl.lsb else 1
            for k, net in zip(range(decl.msb, decl.lsb + step, step), bits):
                ports.append(Port(f"{pname}[{k}]", decl.direction, net))
    return ports
