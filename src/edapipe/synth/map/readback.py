"""Gate-level netlists back to AIGs through the cells' Liberty functions.

`read_mapped(text, filename, libs)` flattens a structural Verilog netlist with the timing
package's reader (the same one `edapipe sta` uses), then builds every cell output pin's
`function` as AND gates over the nets on its input pins. A plain D flip-flop (an `ff` group
whose next state is one input pin, with no clear or preset) becomes a latch named after the
net on its output, its next state the net on its D pin; an input port that reaches nothing
but flip-flop clock pins is the AIG's implicit clock and is not an input. Anything else a
netlist can hold that has no place in an AIG (latches, flops with asynchronous pins, cells
without functions, nets with two drivers or none) is a located error.
"""

from __future__ import annotations

import re

from edapipe.aig.builder import CycleFound, from_raw
from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.errors import InputError, excerpt


def _flop_pins(cell):
    """(next-state expression, clock pin, {output pin: True if it is the state, False if its
    complement}) of a plain D flip-flop, or None."""
    from edapipe.timing import boolexpr

    if len(cell.sequential) != 1:
        return None
    seq = cell.sequential[0]
    if seq.get("kind") != "ff" or seq.get("clear") or seq.get("preset"):
        return None
    args = seq.get("args") or []
    if not args or seq.get("next_state") is None or seq.get("clocked_on") is None:
        return None
    state = args[0].strip('"')
    inv_state = args[1].strip('"') if len(args) > 1 else None
    try:
        nxt = boolexpr.parse_function(seq["next_state"].strip().strip('"'))
    except ValueError:
        return None
    clock = seq["clocked_on"].strip().strip('"')
    if clock not in cell.pins:
        return None
    outs = {}
    for pin in cell.pins.values():
        if pin.direction != "output":
            continue
        text = (pin.function_text or "").strip().strip('"')
        if text == state:
            outs[pin.name] = True
        elif text == inv_state or text in (f"!{state}", f"{state}'"):
            outs[pin.name] = False
        else:
            return None
    return nxt, clock, outs


def read_mapped(text: str, filename: str, libs, top: str | None = None) -> Aig:
    from edapipe.timing.netlist import read_netlist_text
    from edapipe.timing.sta import merged_cells, pin_lister

    cells = merged_cells(libs)
    nl = read_netlist_text(text, filename, pin_lister(libs), top)
    _check_cells_known(nl.warnings, filename)
    flops, inputs = _flops_and_inputs(nl, cells, filename)
    b = _Builder(nl, filename, len(inputs), len(flops))
    for i, port in enumerate(inputs):
        b.drive(port.net, 2 * (1 + i), f"input {port.name}", None)
    flop_list = sorted(flops)
    latch_names = [b.drive_flop(j, k, flops[k][2]) for j, k in enumerate(flop_list)]
    for k, inst in enumerate(nl.instances):
        if k not in flops:
            b.drive_outputs(k, cells[inst.cell])
    latch_next = [b.compile_expr(flops[k][0], nl.instances[k].conns, k) for k in flop_list]
    outputs = []
    output_names = []
    for port in nl.ports:
        if port.direction == "output":
            outputs.append(b.net_lit(port.net))
            output_names.append(port.name)
    b.check_driven()
    n_lat = len(flop_list)
    try:
        return from_raw(len(inputs), n_lat, b.f0, b.f1, outputs, latch_next,
                        [LATCH_INIT_X] * n_lat, input_names=[p.name for p in inputs],
                        latch_names=latch_names, output_names=output_names, name=nl.top)
    except CycleFound:
        raise InputError("the netlist has a combinational loop", file=filename) from None


def _check_cells_known(warnings, filename: str) -> None:
    """A cell the libraries lack is a black box to timing (a warning of the netlist reader);
    a function it cannot be: a located error."""
    for w in warnings:
        m = re.match(r"(.*?):(\d+): cell (.*?) is not in any Liberty library", w)
        if m:
            raise InputError(f"cell {m.group(3)} is not in the Liberty libraries: its function "
                             "is unknown", file=filename, line=int(m.group(2)))


def _instance_error(nl, filename: str, k: int, reason: str) -> InputError:
    from edapipe.timing.netlist import line_of_instance

    return InputError(reason, file=filename, line=line_of_instance(nl, k))


def _flops_and_inputs(nl, cells, filename: str):
    """({instance: _flop_pins of its cell} for the flip-flops, the input ports that are AIG
    inputs): an input port whose net reaches only flop clock pins (and no output port) is
    the implicit clock, not an input."""
    flops = {}
    clock_nets = set()
    other_use = set()
    for k, inst in enumerate(nl.instances):
        cell = cells.get(inst.cell)
        if cell is None:
            raise _instance_error(nl, filename, k, f"cell {excerpt(inst.cell, 60)} of instance "
                                  f"{excerpt(inst.name, 60)} is not in the Liberty libraries")
        clock_pin = None
        if cell.sequential:
            info = _flop_pins(cell)
            if info is None:
                raise _instance_error(
                    nl, filename, k, f"cell {excerpt(inst.cell, 60)} is sequential but not a "
                    "plain D flip-flop (a latch, or asynchronous clear/preset): no AIG has a "
                    "place for it")
            flops[k] = info
            clock_pin = info[1]
            clk = inst.conns.get(clock_pin)
            if clk is not None:
                clock_nets.add(clk)
        for pin, net in inst.conns.items():
            p = cell.pins.get(pin)
            if pin != clock_pin and p is not None and p.direction == "input":
                other_use.add(net)
    out_nets = {p.net for p in nl.ports if p.direction == "output"}
    inputs = [p for p in nl.ports if p.direction == "input"
              and not (p.net in clock_nets and p.net not in other_use and p.net not in out_nets)]
    for p in nl.ports:
        if p.direction == "inout":
            raise InputError(f"inout port {excerpt(p.name, 60)}: a gate-level AIG has no "
                             "bidirectional ports", file=filename)
    return flops, inputs


class _Builder:
    """The raw AIG of a netlist as it is read: every net is a buffer gate (f0 = f1 = its
    driver's literal, filled in when the driver is met), so nets can be used before they are
    driven; from_raw folds the buffers."""

    def __init__(self, nl, filename: str, n_in: int, n_lat: int):
        self.nl = nl
        self.filename = filename
        self.base = 1 + n_in + n_lat
        self.n_in = n_in
        self.f0: list[int] = []
        self.f1: list[int] = []
        self.net_gate = [-1] * len(nl.net_names)     # raw gate that buffers each net
        self.driver: list = [None] * len(nl.net_names)

    def err(self, k: int, reason: str) -> InputError:
        return _instance_error(self.nl, self.filename, k, reason)

    def gate(self, a: int, b: int) -> int:
        self.f0.append(a)
        self.f1.append(b)
        return 2 * (self.base + len(self.f0) - 1)

    def net_lit(self, net: int) -> int:
        if net <= 1:
            return net
        g = self.net_gate[net]
        if g < 0:
            g = len(self.f0)
            self.f0.append(0)
            self.f1.append(0)
            self.net_gate[net] = g
        return 2 * (self.base + g)

    def drive(self, net: int, lit: int, what: str, k: int | None) -> None:
        """Net `net` is driven by literal `lit` (`what`: the driver, for messages; k: its
        instance, None for a port)."""
        if net <= 1:
            if k is None:
                return
            raise self.err(k, f"{what} drives a constant")
        if self.driver[net] is not None:
            where = f"{what} and {self.driver[net]}"
            name = excerpt(self.nl.net_names[net], 60)
            if k is None:
                raise InputError(f"net {name} has two drivers ({where})", file=self.filename)
            raise self.err(k, f"net {name} has two drivers ({where})")
        self.driver[net] = what
        g = self.net_gate[net] if self.net_gate[net] >= 0 else \
            (self.net_lit(net) >> 1) - self.base
        self.f0[g] = lit
        self.f1[g] = lit

    def drive_flop(self, j: int, k: int, outs: dict) -> str:
        """Flop instance k's output nets from latch j; returns the latch's name (the net on
        its first state output, else the instance's)."""
        inst = self.nl.instances[k]
        lit = 2 * (1 + self.n_in + j)
        name = None
        for pin, positive in outs.items():
            net = inst.conns.get(pin)
            if net is not None:
                self.drive(net, lit if positive else lit ^ 1, f"{inst.name}/{pin}", k)
                if positive and name is None:
                    name = self.nl.net_names[net]
        return name or inst.name

    def drive_outputs(self, k: int, cell) -> None:
        """Every output pin of combinational instance k, by its function."""
        inst = self.nl.instances[k]
        for pin, net in inst.conns.items():
            p = cell.pins.get(pin)
            if p is None or p.direction != "output":
                continue
            if p.function is None:
                raise self.err(k, f"output {excerpt(pin, 40)} of cell {excerpt(inst.cell, 60)} "
                                  "has no function (a black box, tri-state or analog cell)")
            self.drive(net, self.compile_expr(p.function, inst.conns, k), f"{inst.name}/{pin}",
                       k)

    def compile_expr(self, expr, pins: dict[str, int], k: int) -> int:
        # iterative post-order over the expression tuple (see timing.boolexpr)
        values: list[int] = []
        stack = [(expr, False)]
        gate = self.gate
        while stack:
            e, ready = stack.pop()
            op = e[0]
            if op == "var":
                net = pins.get(e[1])
                if net is None:
                    raise self.err(k, f"pin {excerpt(e[1], 40)} of instance "
                                      f"{excerpt(self.nl.instances[k].name, 60)} is not "
                                      "connected")
                values.append(self.net_lit(net))
            elif op == "const":
                values.append(int(e[1]))
            elif not ready:
                stack.append((e, True))
                stack.extend((c, False) for c in reversed(e[1:]))
            elif op == "not":
                values.append(values.pop() ^ 1)
            else:
                b = values.pop()
                a = values.pop()
                if op == "and":
                    values.append(gate(a, b))
                elif op == "or":
                    values.append(gate(a ^ 1, b ^ 1) ^ 1)
                else:
                    values.append(gate(gate(a, b ^ 1) ^ 1, gate(a ^ 1, b) ^ 1) ^ 1)
        return values[0]

    def check_driven(self) -> None:
        for net, g in enumerate(self.net_gate):
            if g >= 0 and self.driver[net] is None:
                raise InputError(f"net {excerpt(self.nl.net_names[net], 60)} is used but "
                                 "nothing drives it", file=self.filename)
