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
    from edapipe.timing.netlist import line_of_instance, read_netlist_text
    from edapipe.timing.sta import merged_cells, pin_lister

    cells = merged_cells(libs)
    nl = read_netlist_text(text, filename, pin_lister(libs), top)
    for w in nl.warnings:
        # a cell the libraries lack is a black box to timing; a function it cannot be
        m = re.match(r"(.*?):(\d+): cell (.*?) is not in any Liberty library", w)
        if m:
            raise InputError(f"cell {m.group(3)} is not in the Liberty libraries: its function "
                             "is unknown", file=filename, line=int(m.group(2)))

    def err(k: int, reason: str) -> InputError:
        return InputError(reason, file=filename, line=line_of_instance(nl, k))

    n_nets = len(nl.net_names)
    # which nets are clocks: an input port whose net reaches only flop clock pins
    flops = {}
    clock_nets = set()
    other_use = set()
    for k, inst in enumerate(nl.instances):
        cell = cells.get(inst.cell)
        if cell is None:
            raise err(k, f"cell {excerpt(inst.cell, 60)} of instance {excerpt(inst.name, 60)} "
                         "is not in the Liberty libraries")
        if cell.sequential:
            info = _flop_pins(cell)
            if info is None:
                raise err(k, f"cell {excerpt(inst.cell, 60)} is sequential but not a plain D "
                             "flip-flop (a latch, or asynchronous clear/preset): no AIG has "
                             "a place for it")
            flops[k] = info
            clk = inst.conns.get(info[1])
            if clk is not None:
                clock_nets.add(clk)
            for pin, net in inst.conns.items():
                if pin != info[1] and cell.pins.get(pin) is not None \
                        and cell.pins[pin].direction == "input":
                    other_use.add(net)
        else:
            for pin, net in inst.conns.items():
                p = cell.pins.get(pin)
                if p is not None and p.direction == "input":
                    other_use.add(net)
    out_nets = {p.net for p in nl.ports if p.direction == "output"}
    inputs = [p for p in nl.ports if p.direction == "input"
              and not (p.net in clock_nets and p.net not in other_use and p.net not in out_nets)]
    for p in nl.ports:
        if p.direction == "inout":
            raise InputError(f"inout port {excerpt(p.name, 60)}: a gate-level AIG has no "
                             "bidirectional ports", file=filename)
    n_in = len(inputs)
    flop_list = sorted(flops)
    n_lat = len(flop_list)
    base = 1 + n_in + n_lat
    f0: list[int] = []
    f1: list[int] = []
    net_gate = [-1] * n_nets            # raw gate that buffers each net
    driver = [None] * n_nets

    def gate(a: int, b: int) -> int:
        f0.append(a)
        f1.append(b)
        return 2 * (base + len(f0) - 1)

    def net_lit(net: int) -> int:
        if net <= 1:
            return net
        g = net_gate[net]
        if g < 0:
            g = len(f0)
            f0.append(0)
            f1.append(0)
            net_gate[net] = g
        return 2 * (base + g)

    def drive(net: int, lit: int, what: str, k: int | None) -> None:
        if net <= 1:
            if k is None:
                return
            raise err(k, f"{what} drives a constant")
        if driver[net] is not None:
            where = f"{what} and {driver[net]}"
            if k is None:
                raise InputError(f"net {excerpt(nl.net_names[net], 60)} has two drivers "
                                 f"({where})", file=filename)
            raise err(k, f"net {excerpt(nl.net_names[net], 60)} has two drivers ({where})")
        driver[net] = what
        g = net_gate[net] if net_gate[net] >= 0 else (net_lit(net) >> 1) - base
        f0[g] = lit
        f1[g] = lit

    for i, port in enumerate(inputs):
        drive(port.net, 2 * (1 + i), f"input {port.name}", None)
    latch_names = []
    for j, k in enumerate(flop_list):
        inst = nl.instances[k]
        _nxt, _clock, outs = flops[k]
        lit = 2 * (1 + n_in + j)
        name = None
        for pin, positive in outs.items():
            net = inst.conns.get(pin)
            if net is not None:
                drive(net, lit if positive else lit ^ 1, f"{inst.name}/{pin}", k)
                if positive and name is None:
                    name = nl.net_names[net]
        latch_names.append(name or inst.name)

    def compile_expr(expr, pins: dict[str, int], k: int) -> int:
        # iterative post-order over the expression tuple (see timing.boolexpr)
        values: list[int] = []
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            op = e[0]
            if op == "var":
                net = pins.get(e[1])
                if net is None:
                    raise err(k, f"pin {excerpt(e[1], 40)} of instance "
                                 f"{excerpt(nl.instances[k].name, 60)} is not connected")
                values.append(net_lit(net))
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

    for k, inst in enumerate(nl.instances):
        if k in flops:
            continue
        cell = cells[inst.cell]
        for pin, net in inst.conns.items():
            p = cell.pins.get(pin)
            if p is None or p.direction != "output":
                continue
            if p.function is None:
                raise err(k, f"output {excerpt(pin, 40)} of cell {excerpt(inst.cell, 60)} has "
                             "no function (a black box, tri-state or analog cell)")
            drive(net, compile_expr(p.function, inst.conns, k), f"{inst.name}/{pin}", k)
    latch_next = []
    for k in flop_list:
        inst = nl.instances[k]
        nxt = flops[k][0]
        latch_next.append(compile_expr(nxt, inst.conns, k))
    outputs = []
    output_names = []
    for port in nl.ports:
        if port.direction == "output":
            outputs.append(net_lit(port.net))
            output_names.append(port.name)
    for net, g in enumerate(net_gate):
        if g >= 0 and driver[net] is None:
            raise InputError(f"net {excerpt(nl.net_names[net], 60)} is used but nothing drives "
                             "it", file=filename)
    try:
        return from_raw(n_in, n_lat, f0, f1, outputs, latch_next, [LATCH_INIT_X] * n_lat,
                        input_names=[p.name for p in inputs], latch_names=latch_names,
                        output_names=output_names, name=nl.top)
    except CycleFound:
        raise InputError("the netlist has a combinational loop", file=filename) from None
