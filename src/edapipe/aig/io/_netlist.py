"""What the netlist readers and writers (BLIF, BENCH, structural Verilog) share.

Reading: `NetGraph` collects named nets, inputs, latches, outputs and two-input AND gates over
*slots* (slot 0 is constant false; a literal is 2*slot + complement), with forward references
allowed. `finish()` resolves buffers (aliases), reports undefined nets, duplicate drivers and
combinational cycles with the net's name and position, and hands the gates to
`edapipe.aig.builder.from_raw`, which orders and strashes them.

Writing: `Namer` gives every input, latch, output and AND node a unique net name, keeping the
names of the Aig wherever they are legal in the target format.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Callable

import numpy as np

from edapipe.aig.core import Aig
from edapipe.errors import Diagnostic, InputError, Report, UsageError, excerpt

UNDEF, CONST, INPUT, LATCH, GATE, ALIAS = range(6)

Locate = Callable[[object], tuple]
"""Maps a reader's position value to (line, column) (column may be None)."""


@contextmanager
def gc_paused():
    """Readers make hundreds of thousands of small objects and no reference cycles: the
    cyclic collector only slows them down (about 7% of reading log2.v in a fresh process)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _line_only(pos) -> tuple:
    return (pos, None)


class NetGraph:
    """Nets and gates of one netlist on their way to an Aig (see the module docstring)."""

    def __init__(self, filename: str, locate: Locate = _line_only):
        self.filename = filename
        self.locate = locate
        self.slot_of: dict[str, int] = {}
        self.kind = [CONST]
        self.fa = [0]
        self.fb = [0]
        self.pos: list = [None]
        self.label: list = [None]       # net name (named slots) or owning net (anonymous)
        self.owner: tuple = (None, None)  # (net name, position) that new anonymous gates serve
        self.inputs: list[int] = []
        self.latches: list[int] = []
        self.latch_next: list[int] = []
        self.latch_init: list[int] = []
        self.outputs: list[int] = []
        self.output_names: list[str] = []
        self.output_pos: list = []

    # ---- errors ------------------------------------------------------------------------
    def error(self, reason: str, pos=None) -> InputError:
        line, col = self.locate(pos) if pos is not None else (None, None)
        return InputError(reason, file=self.filename, line=line, column=col)

    def where(self, pos) -> str:
        line, _ = self.locate(pos)
        return f"line {line}"

    # ---- nets --------------------------------------------------------------------------
    def _new_slot(self, kind: int, pos, label) -> int:
        self.kind.append(kind)
        self.fa.append(0)
        self.fb.append(0)
        self.pos.append(pos)
        self.label.append(label)
        return len(self.kind) - 1

    def net(self, name: str, pos) -> int:
        """The literal of net `name`, created undefined (a forward reference) if new."""
        slot = self.slot_of.get(name)
        if slot is None:
            slot = self._new_slot(UNDEF, pos, name)
            self.slot_of[name] = slot
        return 2 * slot

    def _claim(self, name: str, pos) -> int:
        slot = self.slot_of.get(name)
        if slot is None:
            slot = self._new_slot(UNDEF, pos, name)
            self.slot_of[name] = slot
        elif self.kind[slot] != UNDEF:
            what = {INPUT: "an input", LATCH: "a latch output"}.get(self.kind[slot], "a gate")
            raise self.error(f"net '{excerpt(name)}' is defined twice (already {what} at "
                             f"{self.where(self.pos[slot])})", pos)
        self.pos[slot] = pos
        return slot

    def add_input(self, name: str, pos) -> int:
        slot = self._claim(name, pos)
        self.kind[slot] = INPUT
        self.inputs.append(slot)
        return 2 * slot

    def add_latch(self, name: str, next_lit: int, init: int, pos) -> int:
        """A latch whose output net is `name`; returns the latch's index."""
        slot = self._claim(name, pos)
        self.kind[slot] = LATCH
        self.latches.append(slot)
        self.latch_next.append(next_lit)
        self.latch_init.append(init)
        return len(self.latches) - 1

    def mark(self) -> int:
        """Call before building the expression of a net; pass the result to define()."""
        return len(self.kind)

    def define(self, name: str, lit: int, pos, mark: int | None = None) -> None:
        """Net `name` is driven by literal `lit` (a buffer, resolved away in finish()).
        With the `mark()` taken before the expression was built, a net whose value is the
        expression's last gate becomes that gate instead of a buffer of it."""
        top = lit >> 1
        if mark is not None and not lit & 1 and top >= mark and top == len(self.kind) - 1 \
                and self.kind[top] == GATE:
            # The expression's own last gate: the net becomes that gate (no buffer).
            slot = self.slot_of.get(name)
            if slot is None:
                self.slot_of[name] = top
                self.label[top] = name
                self.pos[top] = pos
                return
            slot = self._claim(name, pos)
            self.kind[slot] = GATE
            self.fa[slot] = self.fa.pop()
            self.fb[slot] = self.fb.pop()
            self.kind.pop()
            self.pos.pop()
            self.label.pop()
            return
        slot = self._claim(name, pos)
        self.kind[slot] = ALIAS
        self.fa[slot] = lit

    def add_output(self, name: str, lit: int, pos) -> None:
        self.outputs.append(lit)
        self.output_names.append(name)
        self.output_pos.append(pos)

    # ---- logic (anonymous gates) -------------------------------------------------------
    def and2(self, a: int, b: int) -> int:
        if a == 0 or b == 0:
            return 0
        if a == 1:
            return b
        if b == 1:
            return a
        slot = self._new_slot(GATE, self.owner[1], self.owner[0])
        self.fa[slot] = a
        self.fb[slot] = b
        return 2 * slot

    def or2(self, a: int, b: int) -> int:
        return self.and2(a ^ 1, b ^ 1) ^ 1

    def xor2(self, a: int, b: int) -> int:
        return self.or2(self.and2(a, b ^ 1), self.and2(a ^ 1, b))

    def mux(self, sel: int, then: int, other: int) -> int:
        return self.or2(self.and2(sel, then), self.and2(sel ^ 1, other))

    def _tree(self, lits, op, empty: int) -> int:
        lits = list(lits)
        if not lits:
            return empty
        while len(lits) > 1:
            nxt = [op(lits[i], lits[i + 1]) for i in range(0, len(lits) - 1, 2)]
            if len(lits) % 2:
                nxt.append(lits[-1])
            lits = nxt
        return lits[0]

    def and_n(self, lits) -> int:
        return self._tree(lits, self.and2, 1)

    def or_n(self, lits) -> int:
        return self._tree(lits, self.or2, 0)

    def xor_n(self, lits) -> int:
        return self._tree(lits, self.xor2, 0)

    # ---- result ------------------------------------------------------------------------
    def finish(self, name: str | None = None, *, tie_undefined: bool = False,
               report: Report | None = None) -> Aig:
        """The Aig of this netlist. Undefined nets are an error, or tied to constant 0 with a
        warning (located at the first one's use) sent to `report` when `tie_undefined` (what
        ABC does for BENCH)."""
        from edapipe.aig.builder import CycleFound, from_raw

        kind = np.asarray(self.kind, dtype=np.int8)
        undef = np.flatnonzero(kind == UNDEF)
        if undef.size:
            if not tie_undefined:
                s = int(undef[0])
                more = f" (and {undef.size - 1} more)" if undef.size > 1 else ""
                raise self.error(f"net '{excerpt(self.label[s])}' is used but never "
                                 f"driven{more}",
                                 self.pos[s])
            for s in undef.tolist():
                self.kind[s] = ALIAS
                self.fa[s] = 0
            if report is not None:
                names = ", ".join(repr(excerpt(self.label[s], 60))
                                  for s in undef[:5].tolist())
                more = ", ..." if undef.size > 5 else ""
                first = self.pos[int(undef[0])]
                line, col = self.locate(first) if first is not None else (None, None)
                report(Diagnostic("warning", f"constant-0 drivers added to {undef.size} "
                                  f"undriven net(s): {names}{more}", self.filename, line, col))
            kind[undef] = ALIAS
        n = len(kind)
        fa = np.asarray(self.fa, dtype=np.int64)
        fb = np.asarray(self.fb, dtype=np.int64)
        # Resolve buffers by pointer jumping: target[s] is the literal slot s stands for.
        target = 2 * np.arange(n, dtype=np.int64)
        is_alias = kind == ALIAS
        target[is_alias] = fa[is_alias]
        pending = np.flatnonzero(is_alias)
        for _ in range(64):
            if pending.size == 0:
                break
            t = target[pending]
            target[pending] = target[t >> 1] ^ (t & 1)
            pending = pending[is_alias[target[pending] >> 1]]
        if pending.size:
            s = int(pending[0])
            # Walk to a slot on the cycle for a useful message.
            seen = set()
            while s not in seen:
                seen.add(s)
                s = int(fa[s] >> 1)
            raise self.error(f"combinational cycle through net '{excerpt(self.label[s])}' "
                             "(a loop of buffers)", self.pos[s])

        n_in, n_lat = len(self.inputs), len(self.latches)
        gate_slots = np.flatnonzero(kind == GATE)
        base = 1 + n_in + n_lat
        raw_var = np.zeros(n, dtype=np.int64)
        raw_var[np.asarray(self.inputs, dtype=np.int64)] = np.arange(1, n_in + 1)
        raw_var[np.asarray(self.latches, dtype=np.int64)] = np.arange(n_in + 1, base)
        raw_var[gate_slots] = np.arange(base, base + gate_slots.size)

        def raw(lits) -> np.ndarray:
            lits = np.asarray(lits, dtype=np.int64).reshape(-1)
            full = target[lits >> 1] ^ (lits & 1)
            return 2 * raw_var[full >> 1] + (full & 1)

        try:
            return from_raw(
                n_in, n_lat, raw(fa[gate_slots]), raw(fb[gate_slots]), raw(self.outputs),
                raw(self.latch_next), np.asarray(self.latch_init, dtype=np.int8),
                input_names=[self.label[s] for s in self.inputs],
                latch_names=[self.label[s] for s in self.latches],
                output_names=list(self.output_names), name=name)
        except CycleFound as cyc:
            s = int(gate_slots[cyc.gate])
            raise self.error(f"combinational cycle through net '{excerpt(self.label[s])}'",
                             self.pos[s]) from None


# ---- writing -------------------------------------------------------------------------------

def refuse_properties(aig: Aig, fmt: str) -> None:
    """Only AIGER holds bad-state properties and constraints: refuse rather than drop them."""
    if len(aig.bad) or len(aig.constraints):
        raise UsageError(f"{fmt} cannot hold the AIG's {len(aig.bad)} bad-state properties and "
                         f"{len(aig.constraints)} constraints; write AIGER instead")


class Namer:
    """Unique net names for writing `aig`: its own names where `legal`, else sanitized ones.

    in_names/latch_names/out_names are the names to write; `var_name[v]` is the net carrying
    variable v positively (inputs, latches, and AND nodes named `prefix<var>`).
    `out_alias[k]` is True when output k needs no driver because its name already is the net
    of its (positive) literal (an output that is an input or latch of the same name; with
    `alias_inputs` False, only a latch: a Verilog port cannot be both input and output).
    """

    def __init__(self, aig: Aig, sanitize: Callable[[str], str], reserved=(),
                 node_prefix: str = "n", alias_inputs: bool = True):
        self.taken: set[str] = set(reserved)
        self.sanitize = sanitize
        self.in_names = [self.unique(aig.input_name(k)) for k in range(aig.num_inputs)]
        self.latch_names = [self.unique(aig.latch_name(k)) for k in range(aig.num_latches)]
        self.var_name: list[str | None] = [None] * aig.num_vars
        for k, nm in enumerate(self.in_names):
            self.var_name[1 + k] = nm
        for k, nm in enumerate(self.latch_names):
            self.var_name[1 + aig.num_inputs + k] = nm
        outs = aig.outputs.tolist()
        self.out_names = []
        self.out_alias = []
        for k, lit in enumerate(outs):
            want = self.sanitize(aig.output_name(k))
            is_input = 0 < lit >> 1 <= aig.num_inputs
            if (alias_inputs or not is_input) and want in self.taken and not (lit & 1) \
                    and lit > 1 and self.var_name[lit >> 1] == want \
                    and want not in self.out_names:
                self.out_names.append(want)
                self.out_alias.append(True)
            else:
                self.out_names.append(self.unique(aig.output_name(k)))
                self.out_alias.append(False)
        for v in range(aig.first_and_var, aig.num_vars):
            self.var_name[v] = self.unique(f"{node_prefix}{v}")

    def unique(self, name: str) -> str:
        name = self.sanitize(name)
        if name in self.taken:
            k = 1
            while f"{name}_{k}" in self.taken:
                k += 1
            name = f"{name}_{k}"
        self.taken.add(name)
        return name


_WS = re.compile(r"\s+")


def sanitize_plain(name: str, bad: str = "") -> str:
    """Replace whitespace (and the characters in `bad`) by '_' ; never empty."""
    name = _WS.sub("_", name)
    for ch in bad:
        name = name.replace(ch, "_")
    return name or "_"


def wrap_names(head: str, names: list[str], cont: str = " \\", per_line: int = 12) -> list[str]:
    """Lines of `head name name ...` with at most `per_line` names each, continued by `cont`."""
    if not names:
        return [head]
    lines = []
    for i in range(0, len(names), per_line):
        chunk = " ".join(names[i:i + per_line])
        first = head + " " if i == 0 else " "
        lines.append(first + chunk + (cont if i + per_line < len(names) else ""))
    return lines
