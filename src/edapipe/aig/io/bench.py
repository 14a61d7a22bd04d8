"""ISCAS BENCH reader and writer.

Reading: `INPUT(x)`, `OUTPUT(y)` and `y = GATE(a, b, ...)` with the gates AND NAND OR NOR
XOR XNOR (any number of inputs; XOR is odd parity, XNOR its complement) NOT BUF BUFF (one
input) and DFF (one input), in any case; `y = gnd` / `y = vdd` constants and ABC's
`y = LUT 0x<hex> (a, b, ...)` are read too. `#` starts a comment; blanks and tabs are free.
A DFF becomes a latch with reset value 0 (the file gives none; ABC's checkers assume 0 too).
A net that is used but driven by nothing is tied to constant 0 with a warning, as ABC does
(`s400.bench` has one): a Diagnostic (edapipe.errors) located at its first use, sent to
`report` when one is given, else printed on standard error (util.console.print_diagnostic).

Writing: `INPUT`/`OUTPUT`, then `q = DFF(d)` per latch (reset 0 or uninitialized; a latch
with reset value 1 cannot be written and raises UsageError rather than change meaning), one
`nK = AND(a, b)` per AND node, `NOT` gates for the complemented fanins that need one, and
`BUFF`/`NOT` (or `gnd`/`vdd`) for outputs and latch inputs. Names are kept ('(', ')', ',',
'=', '#' and blanks become '_').
"""

from __future__ import annotations

import re

from edapipe.aig.core import Aig
from edapipe.aig.io._netlist import (ALIAS, GATE, UNDEF, Namer, NetGraph, gc_paused,
                                     refuse_properties, sanitize_plain)
from edapipe.errors import Diagnostic, InputError, Report, UsageError

_LINE = re.compile(                  # possessive blanks: no retrying on long bad lines
    r"\s*+(?:"
    r"(?P<io>[A-Za-z]++)\s*+\(\s*+(?P<ioname>[^\s(),=]++)\s*+\)"
    r"|(?P<lhs>[^\s(),=]++)\s*+=\s*+(?P<gate>[A-Za-z_][A-Za-z0-9_]*+)\s*+"
    r"(?:(?P<lut>0[xX][0-9a-fA-F]++)\s*+)?(?:\((?P<args>[^()]*+)\))?"
    r")\s*+$")
_ARG = re.compile(r"[^\s(),=]+")
_ONE_INPUT = {"NOT", "BUF", "BUFF", "DFF"}
_MULTI = {"AND", "NAND", "OR", "NOR", "XOR", "XNOR"}
_MAX_LUT_INPUTS = 16


def parse_bench(data: bytes, filename: str = "<bench>", report: Report | None = None) -> Aig:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError("not a text file (invalid UTF-8)", file=filename, line=line) from None
    warn: list[Diagnostic] = []        # delivered once the read has succeeded
    with gc_paused():
        try:
            aig = _parse_fast(text, filename, warn)
        except InputError:
            aig = None
        if aig is None:
            # Lines beyond the fast path's shapes, or bad input: the line-by-line reader
            # alone gives exact positions (and reads the LUT, gnd and vdd lines).
            warn.clear()
            aig = _parse_lines(text, filename, warn)
    if warn and report is None:
        from edapipe.util.console import print_diagnostic as report
    for w in warn:
        report(w)
    return aig


# One line of the common shapes, or a blank or comment line; every line matches once, or the
# file goes to _parse_lines.
# (All repetitions are possessive: a long line that fails must fail in one pass.)
_FAST_LINE = re.compile(
    r"^[ \t]*+(?:([A-Za-z]++)[ \t]*+\([ \t]*+([^\s(),=#]++)[ \t]*+\)"
    r"|([^\s(),=#]++)[ \t]*+=[ \t]*+([A-Za-z]++)[ \t]*+\(([^()#\n]*+)\))?"
    r"[ \t]*+(?:#[^\n]*+)?\r?$", re.MULTILINE)
_FAST_KINDS = {k: n for n, k in enumerate(("AND", "NAND", "OR", "NOR", "XOR", "XNOR", "NOT",
                                           "BUF", "BUFF", "DFF"))}


def _parse_fast(text: str, filename: str, warn: list) -> Aig | None:
    """parse_bench for files of INPUT, OUTPUT and `y = GATE(a, ...)` lines with the gates
    AND..DFF: all lines at once with one regular expression, and the common gates made in
    place. The same NetGraph calls as _parse_lines, so the same Aig. None when a line needs
    _parse_lines; an InputError (bad input) also sends the file there, for its position."""
    lines = _FAST_LINE.findall(text)
    if len(lines) != text.count("\n") + 1:
        return None
    g = NetGraph(filename)
    slot_of, kind, fa, fb, gpos, label = g.slot_of, g.kind, g.fa, g.fb, g.pos, g.label
    net, arg_names, kinds = g.net, _ARG.findall, _FAST_KINDS
    outputs: list[tuple[str, int]] = []
    seen_any = False
    for k, (io, ioname, lhs, gate, args) in enumerate(lines, 1):   # k: the line number
        if io:
            io = io.upper()
            if io == "INPUT":
                g.add_input(ioname, k)
            elif io == "OUTPUT":
                outputs.append((ioname, k))
            else:
                return None
            seen_any = True
            continue
        if not lhs:
            continue
        seen_any = True
        code = kinds.get(gate)
        if code is None:
            code = kinds.get(gate.upper())
            if code is None:
                return None
        names = arg_names(args)
        n = len(names)
        if n != args.count(",") + 1 or not n:
            return None
        ins = []
        for x in names:
            slot = slot_of.get(x)
            ins.append(net(x, k) if slot is None else 2 * slot)
        if code >= 6:                                   # NOT BUF BUFF DFF
            if n != 1:
                return None
            if code == 9:
                g.add_latch(lhs, ins[0], 0, k)
                continue
            # a buffer (no fresh gate to take over)
            what, a, b = ALIAS, ins[0] ^ (code == 6), 0
        elif n == 2 and (code == 0 or code == 3):     # AND, NOR: the net is the gate
            what, a, b = GATE, ins[0] ^ (code == 3), ins[1] ^ (code == 3)
        else:
            what = None
        if what is not None:
            # g.define(lhs, lit, k, mark) inlined: a new net, or one used before it was driven
            slot = slot_of.get(lhs)
            if slot is None:
                slot_of[lhs] = len(kind)
                kind.append(what)
                fa.append(a)
                fb.append(b)
                gpos.append(k)
                label.append(lhs)
            elif kind[slot] == UNDEF:
                kind[slot] = what
                fa[slot] = a
                fb[slot] = b
                gpos[slot] = k
            else:
                return None                             # defined twice
            continue
        mark = len(kind)
        g.owner = (lhs, k)
        if code <= 1:
            lit = g.and_n(ins)
        elif code <= 3:
            lit = g.or_n(ins)
        elif code <= 5:
            lit = g.xor_n(ins)
        g.define(lhs, lit ^ (code in (1, 3, 5)), k, mark)
    if not seen_any:
        return None
    for name, k in outputs:
        g.add_output(name, g.net(name, k), k)
    return g.finish(tie_undefined=True, report=warn.append)


def _parse_lines(text: str, filename: str, warn: list) -> Aig:
    g = NetGraph(filename)
    outputs: list[tuple[str, int]] = []
    seen_any = False
    for lineno, raw in enumerate(text.split("\n"), 1):
        if "#" in raw:
            raw = raw[:raw.index("#")]
        if not raw or raw.isspace():
            continue
        m = _LINE.match(raw)
        if m is None:
            raise InputError(f"cannot parse {raw.strip()[:60]!r}: expected INPUT(x), OUTPUT(y) "
                             "or 'y = GATE(a, ...)'", file=filename, line=lineno, column=1)
        seen_any = True
        io = m.group("io")
        if io is not None:
            kind = io.upper()
            name = m.group("ioname")
            if kind == "INPUT":
                g.add_input(name, lineno)
            elif kind == "OUTPUT":
                outputs.append((name, lineno))
            else:
                raise InputError(f"unknown declaration {io[:20]!r}: expected INPUT or OUTPUT",
                                 file=filename, line=lineno, column=1)
            continue
        _gate(g, m, lineno, filename)
    if not seen_any:
        raise InputError("no INPUT, OUTPUT or gate line: empty BENCH file", file=filename,
                         line=1)
    for name, lineno in outputs:
        g.add_output(name, g.net(name, lineno), lineno)
    return g.finish(tie_undefined=True, report=warn.append)


def _gate(g: NetGraph, m: re.Match, lineno: int, filename: str) -> None:
    lhs, gate, args, lut = m.group("lhs"), m.group("gate"), m.group("args"), m.group("lut")
    kind = gate.upper()

    def err(reason):
        return InputError(reason, file=filename, line=lineno, column=m.start("gate") + 1)

    if args is None:
        if kind in ("GND", "VDD") and lut is None:
            g.define(lhs, 0 if kind == "GND" else 1, lineno)
            return
        raise err(f"gate {gate[:20]!r} needs an argument list '(a, ...)'")
    names = _ARG.findall(args)
    if len(names) != args.count(",") + 1 and names:
        raise err(f"bad argument list of {gate[:20]}: empty argument")
    if kind in ("GND", "VDD") and not names:
        g.define(lhs, 0 if kind == "GND" else 1, lineno)
        return
    mark = g.mark()
    ins = [g.net(x, lineno) for x in names]
    g.owner = (lhs, lineno)
    if kind == "LUT":
        if lut is None:
            raise err("LUT needs a hexadecimal truth table: 'y = LUT 0x8 (a, b)'")
        g.define(lhs, _lut(g, int(lut, 16), ins, err), lineno, mark)
        return
    if lut is not None:
        raise err(f"unexpected truth table after {gate[:20]}")
    if kind in _ONE_INPUT:
        if len(ins) != 1:
            raise err(f"{kind} takes exactly one input, not {len(ins)}")
        if kind == "DFF":
            g.add_latch(lhs, ins[0], 0, lineno)
        else:
            g.define(lhs, ins[0] ^ (kind == "NOT"), lineno, mark)
        return
    if kind not in _MULTI:
        raise err(f"unknown gate type {gate[:20]!r} (expected AND NAND OR NOR XOR XNOR NOT "
                  "BUF BUFF DFF)")
    if not ins:
        raise err(f"{kind} needs at least one input")
    if kind in ("AND", "NAND"):
        lit = g.and_n(ins)
    elif kind in ("OR", "NOR"):
        lit = g.or_n(ins)
    else:
        lit = g.xor_n(ins)
    g.define(lhs, lit ^ (kind in ("NAND", "NOR", "XNOR")), lineno, mark)


def _lut(g: NetGraph, table: int, ins: list[int], err) -> int:
    """A LUT as ABC writes it: bit m of `table` is the value on minterm m (input 0 = LSB)."""
    n = len(ins)
    if n > _MAX_LUT_INPUTS:
        raise err(f"LUT with {n} inputs; at most {_MAX_LUT_INPUTS} are supported")
    if table >> (1 << n):
        raise err(f"LUT truth table has more than 2^{n} bits")

    def build(tt: int, k: int) -> int:       # Shannon expansion on input k-1
        full = (1 << (1 << k)) - 1
        if tt == 0:
            return 0
        if tt == full:
            return 1
        half = 1 << (k - 1)
        lo, hi = tt & ((1 << half) - 1), tt >> half
        # minterm bit k-1 is the top variable when tables are split in halves
        f0, f1 = build(lo, k - 1), build(hi, k - 1)
        return g.mux(ins[k - 1], f1, f0)

    return build(table, n)


# ---- writer --------------------------------------------------------------------------------

def _bench_name(name: str) -> str:
    return sanitize_plain(name, "(),=#")


def dump_bench(aig: Aig) -> bytes:
    refuse_properties(aig, "BENCH")
    names = Namer(aig, _bench_name, reserved=("gnd", "vdd"))
    vn = names.var_name
    out = [f"# {aig.name or 'top'}: {aig.num_inputs} inputs, {aig.num_outputs} outputs, "
           f"{aig.num_latches} D-type flipflops, {aig.num_ands} ANDs (written by edapipe)"]
    out += [f"INPUT({x})" for x in names.in_names]
    out += [f"OUTPUT({x})" for x in names.out_names]
    body: list[str] = []
    inverted: dict[int, str] = {}

    def neg(var: int) -> str:
        nm = inverted.get(var)
        if nm is None:
            nm = inverted[var] = names.unique(f"{vn[var]}_not")
            body.append(f"{nm} = NOT({vn[var]})")
        return nm

    def ref(lit: int) -> str:
        return neg(lit >> 1) if lit & 1 else vn[lit >> 1]

    def drive(target: str, lit: int) -> None:
        if lit <= 1:
            body.append(f"{target} = {'vdd' if lit else 'gnd'}")
        else:
            body.append(f"{target} = {'NOT' if lit & 1 else 'BUFF'}({vn[lit >> 1]})")

    ones = [names.latch_names[k] for k, x in enumerate(aig.latch_init.tolist()) if x == 1]
    if ones:
        raise UsageError(f"BENCH cannot hold latch reset value 1 (latch '{ones[0]}'"
                         f"{f' and {len(ones) - 1} more' if len(ones) > 1 else ''}): a DFF "
                         "reads back as reset 0; write AIGER, BLIF or Verilog instead")
    for k, nxt in enumerate(aig.latch_next.tolist()):
        if nxt > 1 and not nxt & 1:
            src = vn[nxt >> 1]
        else:
            src = names.unique(f"{names.latch_names[k]}_next")
            drive(src, nxt)
        out.append(f"{names.latch_names[k]} = DFF({src})")
    v = aig.first_and_var
    for a, b in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        if b <= 1:
            drive(vn[v], a if b == 1 else 0)
        else:
            body.append(f"{vn[v]} = AND({ref(a)}, {ref(b)})")
        v += 1
    for k, lit in enumerate(aig.outputs.tolist()):
        if not names.out_alias[k]:
            drive(names.out_names[k], lit)
    out += body
    return ("\n".join(out) + "\n").encode("utf-8")
