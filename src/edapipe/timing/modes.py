"""Timing modes on the graph: logic constants (set_case_analysis, nets tied to 1'b0/1'b1, tie
cells) propagated through the cells' Liberty functions, and set_disable_timing.

As OpenSTA (search/Sim.cc, sdc/Sdc.cc, search/SearchPred.cc):

- A constant on a driver (an output pin, an input port, a constant net) reaches every pin of
  its net; a constant on a load pin stays on that pin. An instance with a constant input
  evaluates its output functions with the constants substituted: an output that no longer
  depends on its free inputs is constant. A propagated value never overrides a
  set_case_analysis value. Registers are not evaluated through (Q's function is internal).
- An arc is disabled when its input pin, its driver or its output pin is constant, or when
  the output's function no longer depends on the arc's input (OpenSTA's sim timing sense
  `none`, e.g. A of a NAND whose B is 0). Disabled arcs set no slews and carry no paths.
- A constant endpoint (register data pin, output port) is no endpoint; a register check
  whose clock pin is constant is not checked.
- set_disable_timing on an instance or library cell disables every arc but its timing checks
  (with -from/-to: the arcs and checks from/to those cell pins); on a pin or port no path is
  searched from it (the arcs out of it and, for a driver, the wires to its loads).
"""

from __future__ import annotations

import numpy as np

from edapipe.errors import InputError
from edapipe.timing import boolexpr
from edapipe.timing.graph import TimingGraph

# an instance function with more free inputs than this is not simplified (left unknown)
_MAX_FREE = 12


def _value(expr, env: dict[str, int]) -> int:
    """0 or 1 when expr is constant with the known inputs of env substituted, else -1."""
    names = [n for n in boolexpr.variables(expr) if n not in env]
    if len(names) > _MAX_FREE:
        return -1
    m = 1 << len(names)
    idx = np.arange(m)
    full = {n: np.full(m, bool(v)) for n, v in env.items()}
    for k, n in enumerate(names):
        full[n] = ((idx >> k) & 1).astype(bool)
    out = np.broadcast_to(boolexpr.evaluate(expr, full), (m,))
    if out.all():
        return 1
    if not out.any():
        return 0
    return -1


def _sense(expr, env: dict[str, int], var: str) -> str:
    """Unateness of expr in var with env's constants substituted: "none" when it no longer
    depends on var (OpenSTA's Sim::functionSense)."""
    names = [n for n in boolexpr.variables(expr) if n not in env and n != var]
    if len(names) > _MAX_FREE:
        return "non_unate"
    m = 1 << len(names)
    idx = np.arange(m)
    full = {n: np.full(m, bool(v)) for n, v in env.items()}
    for k, n in enumerate(names):
        full[n] = ((idx >> k) & 1).astype(bool)
    full[var] = np.zeros(m, bool)
    f0 = np.broadcast_to(boolexpr.evaluate(expr, full), (m,))
    full[var] = np.ones(m, bool)
    f1 = np.broadcast_to(boolexpr.evaluate(expr, full), (m,))
    up, down = bool((f1 & ~f0).any()), bool((f0 & ~f1).any())
    if not up and not down:
        return "none"
    if up and down:
        return "non_unate"
    return "positive_unate" if up else "negative_unate"


class _Pins:
    """Instance pin nodes by (instance, pin name) and pin names by node."""

    def __init__(self, g: TimingGraph):
        self.g = g
        inst = g.node_inst
        n_pins = int(np.count_nonzero(inst >= 0))
        self.n_pins = n_pins
        n_inst = len(g.netlist.instances)
        self.start = np.searchsorted(inst[:n_pins], np.arange(n_inst + 1))
        self.inst_index: dict[str, int] | None = None

    def nodes(self, i: int) -> range:
        return range(int(self.start[i]), int(self.start[i + 1]))

    def node(self, i: int, pin: str) -> int | None:
        for v in self.nodes(i):
            if self.g.node_pin[v] == pin:
                return v
        return None

    def by_name(self, name: str) -> int | None:
        """Node of a port or an "inst/pin" name."""
        g = self.g
        if name in g.port_node:
            return g.port_node[name]
        if self.inst_index is None:
            self.inst_index = {x.name: k for k, x in enumerate(g.netlist.instances)}
        inst, _, pin = name.rpartition("/")
        i = self.inst_index.get(inst)
        return None if i is None else self.node(i, pin)


def apply_modes(g: TimingGraph, sdc, cells: dict) -> None:
    """Constants and disabled arcs on g (arc_mask zeroed, checks unclocked, node_const and
    node_blocked set). Nothing changes on a design without constants or disables."""
    tie = {name for name in set(g.inst_cell)
           if any(p.direction == "output" and p.function is not None
                  and p.function[0] == "const" for p in cells[name].pins.values())}
    const_nets = bool(np.any((g.node_net == 0) | (g.node_net == 1)))
    if not (sdc.case or sdc.disabled or tie or const_nets):
        return
    pins = _Pins(g)
    n = g.n_nodes
    const = np.full(n, -1, np.int8)
    fixed = np.zeros(n, bool)           # set_case_analysis pins: never overridden
    blocked = np.zeros(n, bool)
    insts = g.netlist.instances
    # net -> nodes
    nn = g.node_net
    order = np.argsort(nn, kind="stable")
    sorted_nets = nn[order]

    def net_nodes(net: int):
        lo = np.searchsorted(sorted_nets, net, "left")
        hi = np.searchsorted(sorted_nets, net, "right")
        return order[lo:hi].tolist()

    queue: list[int] = []
    touched: set[int] = set()

    def set_value(v: int, value: int, spread: bool) -> None:
        if fixed[v] or const[v] == value:
            return
        const[v] = value
        i = int(g.node_inst[v])
        if i >= 0:
            touched.add(i)
        if spread and nn[v] >= 0:
            for w in net_nodes(int(nn[v])):
                if w != v and not fixed[w] and const[w] != value:
                    const[w] = value
                    j = int(g.node_inst[w])
                    if j >= 0:
                        touched.add(j)
                        queue.append(j)
        elif i >= 0:
            queue.append(i)

    def is_driver(v: int) -> bool:
        net = int(nn[v])
        return net >= 0 and (g.net_driver[net] == v if net > 1 else True)

    for name, value in sdc.case.items():
        v = pins.by_name(name)
        if v is None:
            continue
        set_value(v, value, is_driver(v))
        fixed[v] = True
        i = int(g.node_inst[v])
        if i >= 0 and not is_driver(v):
            queue.append(i)
    for net in (0, 1):
        for w in net_nodes(net):
            set_value(int(w), net, False)
    for i, inst in enumerate(insts):
        if inst.cell in tie:
            for p in cells[inst.cell].pins.values():
                if p.direction == "output" and p.function is not None \
                        and p.function[0] == "const":
                    v = pins.node(i, p.name)
                    if v is not None:
                        set_value(v, int(bool(p.function[1])), True)
    budget = 64 * (len(insts) + 1)
    while queue:
        budget -= 1
        if budget < 0:
            raise InputError("constant propagation does not settle (a loop of constants?)")
        i = queue.pop()
        cell = cells[insts[i].cell]
        if cell.sequential:
            continue
        env = {g.node_pin[v]: int(const[v]) for v in pins.nodes(i) if const[v] >= 0}
        for v in pins.nodes(i):
            p = cell.pins.get(g.node_pin[v])
            if p is None or p.direction != "output" or p.function is None:
                continue
            val = _value(p.function, env)
            if val >= 0 and const[v] != val:
                set_value(v, val, True)
    # arcs
    af, ap, at = g.arc_from, g.arc_pin, g.arc_to
    off = (const[ap] >= 0) | (const[at] >= 0) | (const[af] >= 0)
    unate: list[tuple[int, tuple[int, int]]] = []
    if touched:
        cand = np.flatnonzero(~off & np.isin(g.node_inst[at], list(touched)))
        for a in cand.tolist():
            i = int(g.node_inst[at[a]])
            cell = cells[insts[i].cell]
            out = cell.pins.get(g.node_pin[int(at[a])])
            if out is None or out.function is None:
                continue
            var = g.node_pin[int(ap[a])]
            if var not in boolexpr.variables(out.function):
                continue
            env = {g.node_pin[v]: int(const[v]) for v in pins.nodes(i) if const[v] >= 0}
            sense = _sense(out.function, env, var)
            if sense == "none":
                off[a] = True
            elif sense in ("positive_unate", "negative_unate"):
                keep = (1, 2) if sense == "positive_unate" else (2, 1)
                unate.append((a, keep))
    # set_disable_timing
    chk_off = np.zeros(len(g.chk_pin), bool)
    if sdc.disabled:
        inst_of_arc = g.node_inst[at]
        chk_inst = g.node_inst[g.chk_pin]
        arc_cell = np.array(g.inst_cell, dtype=object)
        for kind, name, frm, to in sdc.disabled:
            if kind in ("pin", "port"):
                v = pins.by_name(name)
                if v is None:
                    continue
                blocked[v] = True
                off |= (ap == v) | (af == v)
                continue
            if kind == "inst":
                i = next((k for k, x in enumerate(insts) if x.name == name), None)
                if i is None:
                    continue
                sel = inst_of_arc == i
                csel = chk_inst == i
            else:
                if name not in set(g.inst_cell):
                    continue
                ok = np.append(arc_cell == name, False)
                sel = ok[inst_of_arc]
                csel = ok[chk_inst]
            for a in np.flatnonzero(sel).tolist():
                fp, tp = g.node_pin[int(ap[a])], g.node_pin[int(at[a])]
                if (frm is None or fp == frm) and (to is None or tp == to):
                    off[a] = True
            if frm is not None or to is not None:
                for k in np.flatnonzero(csel).tolist():
                    fp = g.node_pin[int(g.chk_clock_pin[k])]
                    tp = g.node_pin[int(g.chk_pin[k])]
                    if (frm is None or fp == frm) and (to is None or tp == to):
                        chk_off[k] = True
    chk_off |= (const[g.chk_clock_pin] >= 0) | (const[g.chk_pin] >= 0)
    if unate:
        # a function made unate by constants: only its transitions are searched (OpenSTA's
        # searchThruTimingSense); delay calculation still sees every arc of the cell
        g.arc_mask_search = g.arc_mask.copy()
        for a, keep in unate:
            g.arc_mask_search[a, 0] &= keep[0]
            g.arc_mask_search[a, 1] &= keep[1]
    if off.any():
        g.arc_mask = g.arc_mask.copy()
        g.arc_mask[off] = 0
        if g.arc_mask_search is not None:
            g.arc_mask_search[off] = 0
        g.arc_on = g.arc_on.copy()
        g.arc_on[off] = 0
    if chk_off.any():
        g.chk_clock = g.chk_clock.copy()
        g.chk_clock[chk_off] = -1
    g.node_const = const
    g.node_blocked = blocked | (const >= 0)

