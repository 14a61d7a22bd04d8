"""BLIF reader and writer (Berkeley Logic Interchange Format, as ABC and SIS use it).

Reading: `.model .inputs .outputs .names .latch .subckt .end`, `\\` continuations and `#`
comments. A `.names` cover is a list of cubes over 0/1/- with one output value for all rows:
rows ending in 1 give the on-set, rows ending in 0 the off-set (the net is the complement of
their OR); a `.names` without rows is constant 0, and a lone `1` row constant 1.
`.latch input output [type control] [init]`: init 0 and 1 are kept; 2 (don't care), 3
(unknown) and a missing init become LATCH_INIT_X, which is what ABC's read_blif does (it
marks them "don't care"). The latch type and control (clock) are ignored: every latch is
clocked by the one implicit clock of an AIG.
The first model is the top. `.subckt` of a model defined in the same file is flattened, its
nets and latches named `<model>_<k>/<net>` (k counts instances of that model); a `.subckt` of a
model not in the file is refused with its name. `.gate`, `.mlatch`, `.exdc` and FSM sections
are refused; timing directives (`.clock`, `.area`, `.delay`, `.default_*`, `.input_arrival`,
...) are ignored.

Writing (ABC style): one `.names` per AND node with the complements in its cover
(`.names a b n7` / `10 1` is a & ~b), an output buffer or inverter `.names` per output that
is not an input of the same name, and `.latch next name init` with init 0, 1 or 2 (X).
Names of inputs, outputs and latches are kept (whitespace becomes '_'; clashes get `_k`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.aig.io._netlist import (Namer, NetGraph, refuse_properties, sanitize_plain,
                                     wrap_names)
from edapipe.aig.io import limits
from edapipe.errors import InputError, excerpt

_IGNORED = {".clock", ".area", ".delay", ".input_arrival", ".output_required", ".input_drive",
            ".output_load", ".max_input_load", ".wire_load_slope", ".wire", ".cname",
            ".default_input_arrival", ".default_output_required", ".default_input_drive",
            ".default_output_load", ".default_max_input_load", ".attrib", ".latch_order",
            ".external_delay", ".blackbox"}
_REFUSED = {
    ".gate": "'.gate' (a mapped cell) is not supported: read mapped netlists with a cell "
             "library (not available in this reader)",
    ".mlatch": "'.mlatch' (a mapped latch) is not supported",
    ".exdc": "'.exdc' (external don't-care network) is not supported",
    ".start_kiss": "FSM sections ('.start_kiss') are not supported",
    ".search": "'.search' (reading other files) is not supported; give one flat file",
    ".spec": "'.spec' is not supported",
    ".fsm": "FSM sections are not supported",
    ".mv": "multi-valued BLIF ('.mv') is not supported",
    ".table": "'.table' is not supported",
    ".reset": "'.reset' is not supported",
    ".def": "'.def' is not supported",
}
_AND2 = {"11": (0, 0), "10": (0, 1), "01": (1, 0), "00": (1, 1)}
_LATCH_TYPES = {"fe", "re", "ah", "al", "as"}
MAX_DEPTH = 1000        # levels of .subckt (net names grow with the depth: quadratic text)


@dataclass
class _Model:
    name: str
    line: int
    stmts: list = field(default_factory=list)   # (kind, line, payload)
    inputs: list = field(default_factory=list)  # (name, line)
    outputs: list = field(default_factory=list)


def _logical_lines(data: bytes, filename: str):
    """(line number, tokens) per logical line: comments stripped, continuations joined."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError("not a text file (invalid UTF-8)", file=filename, line=line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError("not a text file (NUL byte)", file=filename, line=line)
    lines = text.split("\n")
    pending: list[str] = []
    start = 0
    for lineno, raw in enumerate(lines, 1):
        if "#" in raw:
            raw = raw[:raw.index("#")]
        if "\\" in raw:
            raw = raw.rstrip()
            if raw.endswith("\\"):
                if not pending:
                    start = lineno
                pending.append(raw[:-1])
                continue
        if pending:
            pending.append(raw)
            tokens = " ".join(pending).split()
            pending = []
            lineno = start
        else:
            tokens = raw.split()
        if tokens:
            yield lineno, tokens
    if pending:
        tokens = " ".join(pending).split()
        if tokens:
            yield start, tokens


def _split_models(data: bytes, filename: str) -> list[_Model]:
    models: list[_Model] = []
    cur: _Model | None = None
    cover: list | None = None     # rows of the current .names

    def err(reason, line, col=None):
        return InputError(reason, file=filename, line=line, column=col)

    for line, tok in _logical_lines(data, filename):
        head = tok[0]
        if not head.startswith("."):
            if cover is None:
                raise err(f"unexpected {head[:40]!r}: a cover row must follow '.names'", line, 1)
            cover.append((line, tok))
            continue
        cover = None
        if head == ".model":
            if cur is not None:
                models.append(cur)
            cur = _Model(tok[1] if len(tok) > 1 else "", line)
            continue
        if cur is None:            # a file without .model: one anonymous model
            cur = _Model("", line)
        if head == ".end":
            models.append(cur)
            cur = None
        elif head == ".inputs":
            cur.inputs.extend((t, line) for t in tok[1:])
        elif head == ".outputs":
            cur.outputs.extend((t, line) for t in tok[1:])
        elif head == ".names":
            if len(tok) < 2:
                raise err("'.names' needs at least an output net", line)
            cover = []
            cur.stmts.append(("names", line, (tok[1:], cover)))
        elif head == ".latch":
            cur.stmts.append(("latch", line, tok[1:]))
        elif head == ".subckt":
            if len(tok) < 2:
                raise err("'.subckt' needs a model name", line)
            cur.stmts.append(("subckt", line, tok[1:]))
        elif head in _IGNORED:
            continue
        elif head in _REFUSED:
            raise err(_REFUSED[head], line, 1)
        else:
            raise err(f"unknown BLIF directive {head[:40]!r}", line, 1)
    if cur is not None:
        if cur.stmts or cur.inputs or cur.outputs or not models:
            models.append(cur)
    if not models:
        raise InputError("no BLIF model in the file", file=filename, line=1)
    return models


class _Reader:
    def __init__(self, models: list[_Model], filename: str):
        self.filename = filename
        self.models = {}
        for m in models:
            if m.name in self.models:
                raise InputError(f"model '{excerpt(m.name)}' is defined twice (first at line "
                                 f"{self.models[m.name].line})", file=filename, line=m.line)
            self.models[m.name] = m
        self.g = NetGraph(filename)
        self.instances: dict[str, int] = {}

    def err(self, reason, line, col=None):
        return InputError(reason, file=self.filename, line=line, column=col)

    # ---- the hierarchy, before anything is flattened ------------------------------------
    @staticmethod
    def _own_size(model: _Model) -> int:
        """Elements one instance of `model` adds by itself: a statement each, and for a
        cover its rows times its nets (the gates it can make), for a .subckt its connections."""
        return sum(1 + (len(p[1]) * len(p[0]) if k == "names" else
                        len(p) - 1 if k == "subckt" else 0)
                   for k, _, p in model.stmts)

    def check_hierarchy(self, top: _Model) -> None:
        """Refuse recursive instantiation (naming the cycle), a hierarchy deeper than
        MAX_DEPTH and one whose flattened size is over the element budget, before anything
        is flattened: a 30-level doubling hierarchy is 2**30 elements, known at once.
        An explicit stack: no Python recursion however deep the file."""
        models = self.models
        subs = {name: [(line, p[0]) for k, line, p in m.stmts
                       if k == "subckt" and p[0] in models]
                for name, m in models.items()}
        size: dict[str, int] = {}
        depth: dict[str, int] = {}
        on_path: dict[str, int] = {top.name: 0}
        path = [top.name]
        stack = [(top, iter(subs[top.name]))]
        while stack:
            model, it = stack[-1]
            for line, name in it:
                if name in size:
                    continue
                if name in on_path:
                    cycle = path[on_path[name]:] + [name]
                    shown = " -> ".join(f"'{excerpt(x, 40)}'" for x in cycle[:8])
                    if len(cycle) > 8:
                        shown += f" -> ... ({len(cycle) - 8} more)"
                    if name == model.name:
                        what = "instantiates itself"
                    else:
                        what = (f"instantiates '{excerpt(name, 40)}', which is above it "
                                "in the hierarchy")
                    raise self.err(f"recursive .subckt: model '{excerpt(model.name, 40)}' "
                                   f"{what} (a cycle: {shown})", line)
                on_path[name] = len(path)
                path.append(name)
                stack.append((models[name], iter(subs[name])))
                break
            else:
                stack.pop()
                del on_path[path.pop()]
                total = self._own_size(model)
                deepest = 0
                for line, name in subs[model.name]:
                    total += size[name]
                    deepest = max(deepest, depth[name])
                    if deepest >= MAX_DEPTH:
                        raise self.err(f".subckt hierarchy is more than {MAX_DEPTH} levels "
                                       f"deep (model '{excerpt(name, 40)}' and below)", line)
                size[model.name] = total
                depth[model.name] = deepest + 1
        own_total = sum(self._own_size(m) for m in models.values())
        limit = max(limits.max_elements(), own_total)
        if size[top.name] > limit:
            shown = f"{size[top.name]:,}" if size[top.name] < 10 ** 15 else "more than 10^15"
            raise limits.over_budget(f"{self.filename}:{top.line}: ",
                                     f"flattening the .subckt hierarchy of model "
                                     f"'{excerpt(top.name, 40)}' makes {shown} elements", limit,
                                     limits.ELEMENTS_VARIABLE)

    # ---- flattening ----------------------------------------------------------------------
    def elaborate(self, top: _Model, prefix: str) -> None:
        """Flatten `top` into the NetGraph, depth first in file order (an explicit stack;
        check_hierarchy has refused cycles)."""
        g = self.g
        # (model, its prefix, its statements, what to connect when it is done)
        stack = [(top, prefix, iter(top.stmts), None)]
        while stack:
            model, prefix, stmts, done = stack[-1]
            for kind, line, payload in stmts:
                if kind == "names":
                    signals, rows = payload
                    out = prefix + signals[-1]
                    mark = g.mark()
                    ins = [g.net(prefix + s, line) for s in signals[:-1]]
                    g.owner = (out, line)
                    g.define(out, self.cover(ins, rows, line), line, mark)
                elif kind == "latch":
                    self.latch(payload, line, prefix)
                else:
                    sub, inner, conn = self.enter_subckt(payload, line, prefix)
                    stack.append((sub, inner, iter(sub.stmts), (prefix, conn, line)))
                    break
            else:
                stack.pop()
                if done is not None:
                    outer, conn, line = done
                    for formal, _ in model.outputs:
                        if formal in conn:
                            g.define(outer + conn[formal], g.net(prefix + formal, line), line)

    def cover(self, ins: list[int], rows: list, line: int) -> int:
        g = self.g
        n = len(ins)
        if not rows:
            return 0
        if n == 2 and len(rows) == 1:          # the common case: one AND with complements
            tok = rows[0][1]
            if len(tok) == 2 and tok[1] == "1" and tok[0] in _AND2:
                c0, c1 = _AND2[tok[0]]
                return g.and2(ins[0] ^ c0, ins[1] ^ c1)
        cubes = []
        polarity = None
        for row_line, tok in rows:
            if n == 0:
                if len(tok) != 1:
                    raise self.err(f"bad cover row {' '.join(tok)[:40]!r}: a constant "
                                   "'.names' row is a single 0 or 1", row_line, 1)
                cube, val = "", tok[0]
            else:
                if len(tok) != 2:
                    raise self.err(f"bad cover row {' '.join(tok)[:40]!r}: expected "
                                   f"'<{n} of 0/1/-> <0 or 1>'", row_line, 1)
                cube, val = tok
                if len(cube) != n or cube.strip("01-"):
                    raise self.err(f"bad cube {cube[:40]!r}: expected {n} characters of "
                                   "0, 1 or -", row_line, 1)
            if val not in ("0", "1"):
                raise self.err(f"bad cover output {val[:10]!r}: expected 0 or 1", row_line,
                               len(cube) + 2 if n else 1)
            if polarity is None:
                polarity = val
            elif val != polarity:
                raise self.err("cover mixes on-set (1) and off-set (0) rows", row_line)
            cubes.append(g.and_n(lit if ch == "1" else lit ^ 1
                                 for ch, lit in zip(cube, ins) if ch != "-"))
        f = g.or_n(cubes)
        return f if polarity == "1" else f ^ 1

    def latch(self, fields: list[str], line: int, prefix: str) -> None:
        if not 2 <= len(fields) <= 5:
            raise self.err("'.latch' expects 'input output [type control] [init]'", line)
        init_tok = None
        if len(fields) in (3, 5):
            init_tok = fields[-1]
        if len(fields) >= 4 and fields[2] not in _LATCH_TYPES:
            raise self.err(f"bad latch type {fields[2][:20]!r}: expected fe, re, ah, al or as",
                           line)
        if init_tok is None:
            init = LATCH_INIT_X
        elif init_tok in ("0", "1"):
            init = int(init_tok)
        elif init_tok in ("2", "3"):
            init = LATCH_INIT_X
        else:
            raise self.err(f"bad latch init value {init_tok[:20]!r}: expected 0, 1, 2 or 3",
                           line)
        nxt = self.g.net(prefix + fields[0], line)
        self.g.add_latch(prefix + fields[1], nxt, init, line)

    def enter_subckt(self, fields: list[str], line: int, prefix: str):
        """Check a `.subckt` and connect its inputs; (model, inner prefix, connections)."""
        g = self.g
        name = fields[0]
        sub = self.models.get(name)
        if sub is None:
            raise self.err(f".subckt of model '{excerpt(name)}', which is not defined in this "
                           "file (hierarchy across files is not supported)", line)
        conn = {}
        for f in fields[1:]:
            formal, eq, actual = f.partition("=")
            if not eq or not formal or not actual:
                raise self.err(f"bad .subckt connection {f[:40]!r}: expected formal=actual",
                               line)
            if formal in conn:
                raise self.err(f".subckt connects '{excerpt(formal)}' twice", line)
            conn[formal] = actual
        k = self.instances.get(name, 0)
        self.instances[name] = k + 1
        inner = f"{prefix}{name}_{k}/"
        ports = {n for n, _ in sub.inputs} | {n for n, _ in sub.outputs}
        for formal in conn:
            if formal not in ports:
                raise self.err(f".subckt connects '{excerpt(formal, 60)}', which is not a port "
                               f"of model '{excerpt(name, 60)}'", line)
        out_names = {n for n, _ in sub.outputs}
        for formal, _ in sub.inputs:
            if formal in out_names:
                continue
            if formal not in conn:
                raise self.err(f".subckt leaves input '{excerpt(formal, 60)}' of model "
                               f"'{excerpt(name, 60)}' unconnected", line)
            g.define(inner + formal, g.net(prefix + conn[formal], line), line)
        return sub, inner, conn


def parse_blif(data: bytes, filename: str = "<blif>") -> Aig:
    models = _split_models(data, filename)
    reader = _Reader(models, filename)
    top = models[0]
    reader.check_hierarchy(top)
    g = reader.g
    for name, line in top.inputs:
        g.add_input(name, line)
    reader.elaborate(top, "")
    for name, line in top.outputs:
        g.add_output(name, g.net(name, line), line)
    return g.finish(name=top.name or None)


# ---- writer --------------------------------------------------------------------------------

def _blif_name(name: str) -> str:
    name = sanitize_plain(name, "#=")
    return "_" + name if name.startswith(".") else name.rstrip("\\") or "_"


def drive_lines(target: str, lit: int, var_name) -> list[str]:
    """A .names making net `target` equal to literal `lit` (var_name: net per variable)."""
    if lit <= 1:
        return [f".names {target}"] + (["1"] if lit == 1 else [])
    return [f".names {var_name[lit >> 1]} {target}", "0 1" if lit & 1 else "1 1"]


def latch_lines(aig: Aig, names: Namer, body: list[str]) -> list[str]:
    """The `.latch` lines of `aig` (init 0, 1 or 2 for X); a next state that is not a
    positive net gets a driver appended to `body`."""
    init_char = {0: "0", 1: "1", LATCH_INIT_X: "2"}
    vn = names.var_name
    lines = []
    for k, (nxt, init) in enumerate(zip(aig.latch_next.tolist(), aig.latch_init.tolist())):
        if nxt > 1 and not nxt & 1:
            src = vn[nxt >> 1]
        else:
            src = names.unique(f"{names.latch_names[k]}_next")
            body.extend(drive_lines(src, nxt, vn))
        lines.append(f".latch {src} {names.latch_names[k]} {init_char[init]}")
    return lines


def dump_blif(aig: Aig) -> bytes:
    refuse_properties(aig, "BLIF")
    names = Namer(aig, _blif_name)
    vn = names.var_name
    out = [f".model {_blif_name(aig.name) if aig.name else 'top'}"]
    out += wrap_names(".inputs", names.in_names)
    out += wrap_names(".outputs", names.out_names)
    body: list[str] = []

    def drive(target: str, lit: int) -> None:
        body.extend(drive_lines(target, lit, vn))

    out += latch_lines(aig, names, body)
    v = aig.first_and_var
    for a, b in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        if b <= 1:   # only a non-strashed Aig has constant fanins: AND(a, 1) = a, AND(a, 0) = 0
            drive(vn[v], a if b == 1 else 0)
        else:
            body.append(f".names {vn[a >> 1]} {vn[b >> 1]} {vn[v]}")
            body.append(f"{'0' if a & 1 else '1'}{'0' if b & 1 else '1'} 1")
        v += 1
    for k, lit in enumerate(aig.outputs.tolist()):
        if not names.out_alias[k]:
            drive(names.out_names[k], lit)
    out += body
    out.append(".end")
    return ("\n".join(out) + "\n").encode("utf-8")
