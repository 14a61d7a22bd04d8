"""The timing graph: one node per connected cell pin and port, cell arcs from Liberty timing
groups, net loads, the ideal clock network, and the NLDM tables flattened into arrays.

Wires carry no delay and no slew degradation here (no parasitics), so a load pin takes its
net driver's arrival and slew; cell arcs therefore start at the *driver* of the input pin's
net (`arc_from`) and remember the input pin itself (`arc_pin`) for reports. Register clock
pins are driven by ideal clock nodes instead of their clock-tree net.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from edapipe.timing.liberty import Cell, Library, Table
from edapipe.timing.netlist import Netlist
from edapipe.timing.sdc import Constraints

COMB, EDGE = 0, 1
# a wire arc from one driver of a multi-driver net to one of its loads (zero delay, the
# driver's slew): only on nets with several drivers, whose loads have their own arrivals
WIRE = 2
SETUP, HOLD = 0, 1
_DELAY_TYPES = {"combinational": COMB, "combinational_rise": COMB, "combinational_fall": COMB,
                "three_state_enable": COMB, "three_state_disable": COMB,
                "preset": COMB, "clear": COMB, "rising_edge": EDGE, "falling_edge": EDGE}
# check type -> (SETUP/HOLD, clock edge 0 rise / 1 fall)
_CHECK_TYPES = {"setup_rising": (SETUP, 0), "setup_falling": (SETUP, 1),
                "hold_rising": (HOLD, 0), "hold_falling": (HOLD, 1),
                "recovery_rising": (SETUP, 0), "recovery_falling": (SETUP, 1),
                "removal_rising": (HOLD, 0), "removal_falling": (HOLD, 1)}


class TableStore:
    """Assigns ids to Liberty tables and packs them into flat arrays for the kernels."""

    def __init__(self):
        self.ids: dict[int, int] = {}
        self.tables: list[Table] = []

    def id(self, table: Table | None) -> int:
        if table is None:
            return -1
        key = id(table)
        tid = self.ids.get(key)
        if tid is None:
            tid = self.ids[key] = len(self.tables)
            self.tables.append(table)
        return tid

    def pack(self):
        n = max(len(self.tables), 1)
        tab_n = np.ones((n, 2), np.int64)
        tab_var = np.full((n, 2), -1, np.int64)
        tab_off = np.zeros((n, 3), np.int64)
        axes: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        a_off = v_off = 0
        for t, tb in enumerate(self.tables):
            n1, n2 = len(tb.axis1), len(tb.axis2)
            tab_n[t] = (n1, n2)
            tab_var[t] = (tb.var1, tb.var2)
            tab_off[t] = (a_off, a_off + n1, v_off)
            axes += [tb.axis1, tb.axis2]
            vals.append(tb.values.reshape(-1))
            a_off += n1 + n2
            v_off += n1 * n2
        return (tab_n, tab_var, tab_off,
                np.concatenate(axes) if axes else np.zeros(1),
                np.concatenate(vals) if vals else np.zeros(1))


@dataclass(repr=False, eq=False)
class _CellTemplate:
    """Per library cell, as arrays over its signal pins (local indices), built once."""

    pins: list[str]
    index: dict[str, int]
    is_output: np.ndarray          # (n_pins,) bool
    cap: np.ndarray                # (n_pins, 2)
    cap_min: np.ndarray            # (n_pins, 2) for the min analysis (capacitance ranges)
    arcs: np.ndarray               # (n, 9): from, to, kind, mask_r, mask_f, 4 tables
    checks: np.ndarray             # (n, 6): data, clock, SETUP/HOLD, clock edge, tr, tf
    is_clock: np.ndarray           # (n_pins,) bool: clock pin of a register
    sequential: bool
    name: str = ""                 # the library cell's name
    # (n_pins,) bool: a three-state output (it has three_state_enable/disable arcs; OpenSTA's
    # tristate direction, from the pin's three_state attribute that comes with them)
    is_tristate: np.ndarray | None = None


def _masks(sense: str, kind: str, timing_type: str) -> tuple[int, int]:
    """Input-edge bit sets producing output rise / fall."""
    if kind == EDGE:
        bit = 1 if timing_type == "rising_edge" else 2
        return bit, bit
    if sense == "positive_unate":
        return 1, 2
    if sense == "negative_unate":
        return 2, 1
    return 3, 3


def _template(cell: Cell, store: TableStore) -> _CellTemplate:
    pins = list(cell.pins)
    index = {p: k for k, p in enumerate(pins)}
    arcs, checks, clock_pins = [], [], set()
    for pin in cell.pins.values():
        for arc in pin.timing:
            tt = arc.timing_type
            if tt in _DELAY_TYPES:
                kind = _DELAY_TYPES[tt]
                m_r, m_f = _masks(arc.sense, kind, tt)
                tabs = tuple(store.id(arc.tables.get(k)) for k in
                             ("cell_rise", "cell_fall", "rise_transition", "fall_transition"))
                if tabs[0] < 0 or tt == "combinational_fall":
                    m_r = 0
                if tabs[1] < 0 or tt == "combinational_rise":
                    m_f = 0
                if m_r or m_f:
                    arcs.append((index[arc.related_pin], index[pin.name], kind, m_r, m_f)
                                + tabs)
                if kind == EDGE:
                    clock_pins.add(arc.related_pin)
            elif tt in _CHECK_TYPES:
                ck, edge = _CHECK_TYPES[tt]
                checks.append((index[pin.name], index[arc.related_pin], ck, edge,
                               store.id(arc.tables.get("rise_constraint")),
                               store.id(arc.tables.get("fall_constraint"))))
                clock_pins.add(arc.related_pin)
    tristate = np.array([any(a.timing_type in ("three_state_enable", "three_state_disable")
                             for a in cell.pins[p].timing) for p in pins], bool)
    return _CellTemplate(
        pins, index, np.array([cell.pins[p].direction == "output" for p in pins], bool),
        np.array([(cell.pins[p].cap_rise, cell.pins[p].cap_fall) for p in pins],
                 float).reshape(-1, 2),
        np.array([cell.pins[p].cap_min or (cell.pins[p].cap_rise, cell.pins[p].cap_fall)
                  for p in pins], float).reshape(-1, 2),
        np.array(arcs, np.int64).reshape(-1, 9), np.array(checks, np.int64).reshape(-1, 6),
        np.array([p in clock_pins for p in pins], bool), bool(cell.sequential),
        is_tristate=tristate)


class _PinNames:
    """node -> pin name (instance pins), port name, or clock node label; computed on use."""

    def __init__(self, node_type, node_local, templates, tail):
        self.node_type = node_type
        self.node_local = node_local
        self.templates = templates
        self.tail = tail  # names of the nodes after the instance pins (ports, clocks)

    def __getitem__(self, v):
        v = int(v)
        t = self.node_type[v] if v < len(self.node_type) else -1
        if t >= 0:
            return self.templates[t].pins[self.node_local[v]]
        return self.tail[v - len(self.node_type)]


@dataclass(repr=False, eq=False)
class TimingGraph:
    netlist: Netlist
    # nodes: instance pins, then ports, then ideal clock nodes
    node_inst: np.ndarray          # instance index or -1
    node_pin: _PinNames            # pin name, port name or clock node label
    node_net: np.ndarray           # net id (-1 for clock nodes and unconnected pins)
    node_is_port: np.ndarray       # bool
    n_nodes: int
    net_driver: np.ndarray         # node or -1
    load: np.ndarray               # (n_nodes, 2) load C seen by a driver node, per edge
    # arcs, sorted by target node
    in_start: np.ndarray
    arc_from: np.ndarray
    arc_pin: np.ndarray            # the input pin node of the arc (clock pin for clock arcs)
    arc_to: np.ndarray
    arc_kind: np.ndarray
    arc_mask: np.ndarray           # (n_arcs, 2) uint8
    arc_tab: np.ndarray            # (n_arcs, 4)
    arc_on: np.ndarray             # uint8, 0 for arcs that can never launch (unclocked)
    tables: tuple
    # checks at register data pins
    chk_pin: np.ndarray            # data pin node
    chk_clock_pin: np.ndarray      # clock pin node of the register
    chk_kind: np.ndarray           # SETUP / HOLD
    chk_clock: np.ndarray          # clock node (-1: unclocked)
    chk_tab: np.ndarray            # (n, 2): rise / fall constraint table
    chk_edge: np.ndarray           # clock pin edge of the check: 0 rising, 1 falling
    clock_nodes: list[tuple[str, int]]  # per clock node: (clock name, polarity: 0 the
    #                                    clock's own edges, 1 inverted)
    clock_node_base: int
    port_node: dict[str, int]
    port_dir: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    inst_cell: list[str] = field(default_factory=list)
    load_min: np.ndarray | None = None  # (n_nodes, 2) load for the min (hold) analysis;
    #                                     None: the same as `load` (the max analysis')
    pin_cap: np.ndarray | None = None   # (pins + ports, 2) Liberty pin capacitance per edge
    port_ext: np.ndarray | None = None  # (ports, edge, minmax) set_load on ports (F)
    rc: dict | None = None              # driver node -> RcNet (rc.py), from SPEF
    # per clock node: the register clock pin it stands for when its clock is propagated
    # (one node per pin), else -1 (one ideal node per clock and polarity)
    clock_pin_node: np.ndarray | None = None
    clock_sources: dict = field(default_factory=dict)  # clock name -> its source nodes
    # logic constants per node (-1 none, 0, 1: set_case_analysis, tied nets, tie cells) and
    # nodes no path is searched from (constants, set_disable_timing pins); None: none
    node_const: np.ndarray | None = None
    node_blocked: np.ndarray | None = None
    # (pins + ports,) bool: on an ideal clock's network (drc.py skips its cap/fanout checks)
    ideal_clock_nodes: np.ndarray | None = None
    cap_unit: float = 1e-12   # F per capacitance unit of the first library (reports' unit)
    time_unit: float = 1e-9   # s per time unit of the first library (reports' unit)
    # arc masks for path search where constants make a function unate (None: arc_mask)
    arc_mask_search: np.ndarray | None = None
    # (pins + ports, 2): the low end of each pin's capacitance range (pin_cap without
    # ranges), what parasitic networks are reduced with (rc.annotate)
    pin_cap_min: np.ndarray | None = None
    # nets with several drivers (multidrive.py); None: none. The nodes of such a net are
    # their own sources (loads get WIRE arcs from every driver), and node_source says so
    multi: list | None = None
    node_source: np.ndarray | None = None   # (n_nodes,) source override, -1: none

    @property
    def search_mask(self) -> np.ndarray:
        return self.arc_mask if self.arc_mask_search is None else self.arc_mask_search

    def __post_init__(self):
        if self.load_min is None:
            self.load_min = self.load

    def node_name(self, v: int) -> str:
        i = self.node_inst[v]
        if i >= 0:
            return f"{self.netlist.instances[i].name}/{self.node_pin[v]}"
        return self.node_pin[v]

    def source(self, v: int) -> int:
        """The node whose arrival and slew a (load) node shares: its net's driver."""
        if self.node_source is not None and self.node_source[v] >= 0:
            return int(self.node_source[v])
        net = self.node_net[v]
        if net < 0:
            return v
        d = self.net_driver[net]
        return v if d < 0 else int(d)


def build_graph(netlist: Netlist, libs: list[Library], sdc: Constraints,
                wire_load: bool = False) -> TimingGraph:
    cells = merged_cells(libs)
    store = TableStore()
    templates: list[_CellTemplate] = []
    type_of: dict[str, int] = {}
    insts = netlist.instances
    n_inst = len(insts)
    n_nets = len(netlist.net_names)
    warnings: list[str] = []
    # Every instance gets one node per signal pin of its cell, in a contiguous block, so the
    # arcs of all instances of a cell come from the cell's template by adding block bases.
    inst_type = np.empty(n_inst, np.int64)
    conn_node: list[int] = []
    conn_net: list[int] = []
    npins: list[int] = []
    base = 0
    for i, inst in enumerate(insts):
        t = type_of.get(inst.cell)
        if t is None:
            t = type_of[inst.cell] = len(templates)
            templates.append(_template(cells[inst.cell], store))
            templates[t].name = inst.cell
        inst_type[i] = t
        tpl = templates[t]
        index = tpl.index
        for pin, net in inst.conns.items():
            k = index.get(pin)
            if k is not None:  # power and ground pins carry no timing
                conn_node.append(base + k)
                conn_net.append(net)
        n = len(tpl.pins)
        npins.append(n)
        base += n
    _check_bidirect_pins(netlist, cells, templates, type_of, inst_type)
    if any(s.get("kind", "").startswith("latch") for t in type_of for s in cells[t].sequential):
        warnings.append("the design has latches: they are timed as edge-triggered "
                        "(no time borrowing)")
    n_pins = base
    npins_a = np.array(npins, np.int64)
    inst_base = np.zeros(n_inst, np.int64)
    if n_inst:
        inst_base[1:] = np.cumsum(npins_a)[:-1]
    node_inst_pins = np.repeat(np.arange(n_inst), npins_a)
    node_type = inst_type[node_inst_pins] if n_inst else np.zeros(0, np.int64)
    node_local = np.arange(n_pins) - inst_base[node_inst_pins] if n_inst else \
        np.zeros(0, np.int64)
    net_of_pin = np.full(n_pins, -1, np.int64)
    if conn_node:
        net_of_pin[np.array(conn_node, np.int64)] = np.array(conn_net, np.int64)
    del conn_node, conn_net
    # per-type pin properties, flattened and gathered per node
    type_off = np.zeros(len(templates) + 1, np.int64)
    np.cumsum([len(t.pins) for t in templates], out=type_off[1:])
    cap_all = np.concatenate([t.cap for t in templates]) if templates else np.zeros((0, 2))
    cap_min_all = np.concatenate([t.cap_min for t in templates]) if templates else \
        np.zeros((0, 2))
    out_all = np.concatenate([t.is_output for t in templates]) if templates else \
        np.zeros(0, bool)
    clk_all = np.concatenate([t.is_clock for t in templates]) if templates else \
        np.zeros(0, bool)
    slot = type_off[node_type] + node_local if n_pins else np.zeros(0, np.int64)
    pin_cap = cap_all[slot]
    pin_cap_min = cap_min_all[slot]
    pin_out = out_all[slot]
    pin_clk = clk_all[slot] & (net_of_pin >= 0)
    # ports
    port_node: dict[str, int] = {}
    port_dir: dict[str, str] = {}
    port_net = np.array([p.net for p in netlist.ports], np.int64)
    # external port loads (pin + wire) per port, edge and analysis: (n_ports, 2 edges, 2 mm)
    port_cap = np.zeros((len(netlist.ports), 2, 2))
    for k, p in enumerate(netlist.ports):
        for table in (sdc.port_loads, sdc.port_wire_loads):
            for (e, mm), c in table.get(p.name, {}).items():
                port_cap[k, e, mm] += c
    for k, port in enumerate(netlist.ports):
        port_node[port.name] = n_pins + k
        port_dir[port.name] = port.direction
    port_in = np.array([p.direction in ("input", "inout") for p in netlist.ports], bool)
    n_all = n_pins + len(netlist.ports)
    node_net_a = np.concatenate([net_of_pin, port_net])
    caps = np.concatenate([pin_cap, np.zeros((len(netlist.ports), 2))])
    # Drivers: cell outputs first (in node order), then input ports; the first one wins.
    drv = np.concatenate([np.flatnonzero(pin_out & (net_of_pin > 1)),
                          n_pins + np.flatnonzero(port_in & (port_net > 1))])
    net_driver = np.full(n_nets, -1, np.int64)
    if len(drv):
        nets_d = node_net_a[drv]
        uniq, first, count = np.unique(nets_d, return_index=True, return_counts=True)
        net_driver[uniq] = drv[first]
        multi_nets = uniq[count > 1]
    else:
        multi_nets = np.zeros(0, np.int64)
    caps_min = np.concatenate([pin_cap_min, np.zeros((len(netlist.ports), 2))])
    # Arcs and checks of every instance: template rows shifted by the instance's block base.
    arc_parts, chk_parts = [], []
    for t, tpl in enumerate(templates):
        if not len(tpl.arcs) and not len(tpl.checks):
            continue
        b = inst_base[inst_type == t][:, None]
        for rows, parts, pin_cols in ((tpl.arcs, arc_parts, (0, 1)),
                                      (tpl.checks, chk_parts, (0, 1))):
            if not len(rows):
                continue
            block = np.broadcast_to(rows, (len(b),) + rows.shape).copy()
            for c in pin_cols:
                block[:, :, c] += b
            block = block.reshape(-1, rows.shape[1])
            ok = (net_of_pin[block[:, 0]] >= 0) & (net_of_pin[block[:, 1]] >= 0)
            parts.append(block[ok])
    arcs = np.concatenate(arc_parts) if arc_parts else np.zeros((0, 9), np.int64)
    chk = np.concatenate(chk_parts) if chk_parts else np.zeros((0, 6), np.int64)
    del arc_parts, chk_parts   # peak memory: the arc rows exist once from here on
    # Ideal clock network: trace each clock from its sources through combinational cells.
    idx = np.arange(n_all)
    src_of = np.where(node_net_a > 1, net_driver[np.maximum(node_net_a, 0)], -1)
    src_of = np.where(src_of >= 0, src_of, idx)
    multi = wire_rows = None
    bidir_nodes: list[int] = []   # inout ports whose output side is a node of its own
    if len(multi_nets):
        from edapipe.timing.multidrive import wire_arcs
        tri_all = np.concatenate([t.is_tristate for t in templates])
        multi, wire_rows, bidir_nodes = wire_arcs(netlist, multi_nets, node_net_a, drv,
                                                  tri_all[slot], n_pins, src_of, store)
    clock_of_pin, clock_nodes, clock_pin_node, clock_sources, ideal_net = _trace_clocks(
        sdc, port_node, node_net_a, arcs,
                                              set(np.flatnonzero(pin_clk).tolist()),
                                              netlist, node_inst_pins, node_type, node_local,
                                              templates)
    cbase = n_all
    n_nodes = n_all + len(clock_nodes) + len(bidir_nodes)
    if bidir_nodes:   # number the inout ports' output-side nodes (after the clock nodes)
        first_extra = n_all + len(clock_nodes)
        wire_rows[:, 2] = np.where(wire_rows[:, 2] < 0, first_extra - 1 - wire_rows[:, 2],
                                   wire_rows[:, 2])
        for m in multi:
            for v, src in m.sources.items():
                if src < 0:
                    m.sources[v] = first_extra - 1 - src
            m.bidirect = [(p, first_extra - 1 - o if o < 0 else o) for p, o in m.bidirect]
    # Combinational arcs start at the driver of their input pin's net; edge (clock-to-output)
    # arcs at the ideal clock node of their clock pin, one per clock reaching it.
    is_edge = arcs[:, 2] == EDGE
    edge = arcs[is_edge]
    comb = arcs[~is_edge]
    del arcs, is_edge
    frm = [src_of[comb[:, 0]]]
    pin = [comb[:, 0]]
    rest = [comb[:, 1:]]
    on = [np.ones(len(comb), np.uint8)]
    extra_from, extra_rows, extra_on = [], [], []
    for r in edge:
        clks = clock_of_pin.get(int(r[0]))
        for cn in clks or [None]:
            extra_from.append(src_of[r[0]] if cn is None else cbase + cn)
            extra_rows.append(r)
            extra_on.append(0 if cn is None else 1)
    if extra_rows:
        er = np.array(extra_rows, np.int64)
        frm.append(np.array(extra_from, np.int64))
        pin.append(er[:, 0])
        rest.append(er[:, 1:])
        on.append(np.array(extra_on, np.uint8))
    if wire_rows is not None and len(wire_rows):
        frm.append(wire_rows[:, 0])
        pin.append(wire_rows[:, 1])
        rest.append(wire_rows[:, 2:])
        on.append(np.ones(len(wire_rows), np.uint8))
    full = np.column_stack([np.concatenate(frm), np.concatenate(pin), np.concatenate(rest)])
    del frm, pin, rest, comb
    arc_on_a = np.concatenate(on)
    order = np.argsort(full[:, 2], kind="stable")
    full = full[order]
    arc_on_a = arc_on_a[order]
    in_start = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(np.bincount(full[:, 2], minlength=n_nodes), out=in_start[1:])
    load, load_min = _node_loads(netlist, libs[0] if libs else None, sdc, node_net_a, caps,
                                 caps_min, port_cap, net_driver, port_node, wire_load,
                                 n_nodes)
    # A register clocked by several clocks gets one check per clock.
    chk_rows, chk_clock = [], []
    for k in range(len(chk)):
        for cn in clock_of_pin.get(int(chk[k, 1])) or [None]:
            chk_rows.append(k)
            chk_clock.append(-1 if cn is None else cbase + cn)
    chk = chk[np.array(chk_rows, np.int64)] if chk_rows else chk
    node_inst_a = np.concatenate([node_inst_pins, np.full(n_nodes - n_pins, -1, np.int64)])
    node_net_full = np.concatenate([node_net_a, np.full(n_nodes - n_all, -1, np.int64)])
    is_port = np.zeros(n_nodes, bool)
    is_port[n_pins:n_all] = True
    is_port[n_nodes - len(bidir_nodes):] = True
    tail = [p.name for p in netlist.ports] + \
        [f"{c} ({'inverted' if e else 'ideal'} clock)" for c, e in clock_nodes] + \
        [netlist.ports[p - n_pins].name for p in bidir_nodes]
    names = _PinNames(node_type, node_local, templates, tail)
    graph = TimingGraph(
        netlist, node_inst_a, names, node_net_full, is_port, n_nodes, net_driver, load,
        in_start, full[:, 0].copy(), full[:, 1].copy(), full[:, 2].copy(), full[:, 3].copy(),
        full[:, 4:6].astype(np.uint8), full[:, 6:10].copy(), arc_on_a, store.pack(),
        chk[:, 0].copy(), chk[:, 1].copy(), chk[:, 2].copy(),
        np.array(chk_clock, np.int64), chk[:, 4:6].copy(), chk[:, 3].copy(),
        clock_nodes, cbase, port_node, port_dir, warnings + list(sdc.warnings),
        [i.cell for i in insts], load_min, caps, port_cap, None,
        np.array(clock_pin_node, np.int64), clock_sources)
    graph.pin_cap_min = caps_min
    if multi is not None:
        graph.multi = multi
        graph.node_source = np.full(n_nodes, -1, np.int64)
        for m in multi:
            for v, src in m.sources.items():
                graph.node_source[v] = src
    graph.cap_unit = libs[0].cap_unit if libs else 1e-12
    graph.time_unit = libs[0].time_unit if libs else 1e-9
    graph.ideal_clock_nodes = np.zeros(n_all, bool)
    graph.ideal_clock_nodes[np.fromiter(ideal_net, np.int64, len(ideal_net))] = True
    from edapipe.timing.modes import apply_modes
    apply_modes(graph, sdc, cells)
    return graph


def _check_bidirect_pins(netlist, cells, templates, type_of, inst_type) -> None:
    """A cell's inout pin that timing arcs drive (a pad's bidirectional pin) would need a
    driver and a load vertex, as OpenSTA's bidirect pins; the graph has one node per pin,
    so such a pin on a net is an error at its first instance."""
    from edapipe.errors import InputError
    from edapipe.timing.netlist import line_of_instance

    for name, t in type_of.items():
        tpl = templates[t]
        driven = {tpl.pins[k] for k in tpl.arcs[:, 1].tolist()
                  if cells[name].pins[tpl.pins[k]].direction == "inout"}
        if not driven:
            continue
        for i in np.flatnonzero(inst_type == t).tolist():
            inst = netlist.instances[i]
            pins = sorted(p for p in driven if inst.conns.get(p, -1) > 1)
            if pins:
                raise InputError(f"instance {inst.name} ({name}): inout pin {pins[0]} is "
                                 f"driven by the cell's timing arcs; bidirectional cell "
                                 f"pins are not supported", file=netlist.filename,
                                 line=line_of_instance(netlist, i))


def for_libraries(base: TimingGraph, base_libs: list[Library], libs: list[Library],
                  sdc: Constraints, wire_load: bool = False) -> TimingGraph | None:
    """The graph of `base`'s netlist and constraints on other libraries (another corner),
    sharing every array that does not depend on them, or None when the libraries' cells
    differ in structure (pins, directions, functions, arcs, checks, sequential groups):
    then the graph must be built anew. Only the tables, pin capacitances and net loads
    differ; `base` must be fresh from build_graph (no parasitics, its own warnings)."""
    old_cells, cells = merged_cells(base_libs), merged_cells(libs)
    old_tpls = base.node_pin.templates
    store = TableStore()
    tpls = []
    remap: dict[int, int] = {}
    for old in old_tpls:
        cell = cells.get(old.name)
        if cell is None or not _same_cell(old_cells[old.name], cell):
            return None
        new = _template(cell, store)
        if not _same_template(old, new):
            return None
        # the tables' ids of the base's arcs and checks -> this library's
        for a, b in ((old.arcs[:, 5:], new.arcs[:, 5:]), (old.checks[:, 4:], new.checks[:, 4:])):
            for i, j in zip(a.ravel().tolist(), b.ravel().tolist()):
                if i >= 0 and remap.setdefault(i, j) != j:
                    return None    # one base table stands for two of this library's
        new.name = old.name
        tpls.append(new)
    if base.multi:
        from edapipe.timing.multidrive import library_tables
        remap.update(library_tables(base, store))
    lut = np.full(max(remap, default=-1) + 2, -1, np.int64)   # lut[-1]: no table
    for i, j in remap.items():
        lut[i] = j
    names: _PinNames = base.node_pin
    node_type, node_local = names.node_type, names.node_local
    n_ports = len(base.netlist.ports)
    type_off = np.zeros(len(tpls) + 1, np.int64)
    np.cumsum([len(t.pins) for t in tpls], out=type_off[1:])
    slot = type_off[node_type] + node_local if len(node_type) else np.zeros(0, np.int64)
    caps, caps_min = (
        np.concatenate([np.concatenate([getattr(t, f) for t in tpls])[slot]
                        if tpls else np.zeros((0, 2)), np.zeros((n_ports, 2))])
        for f in ("cap", "cap_min"))
    n_all = len(node_type) + n_ports
    load, load_min = _node_loads(base.netlist, libs[0], sdc, base.node_net[:n_all], caps,
                                 caps_min, base.port_ext, base.net_driver, base.port_node,
                                 wire_load, base.n_nodes)
    graph = dataclasses.replace(
        base, load=load, load_min=load_min, arc_tab=lut[base.arc_tab], tables=store.pack(),
        chk_tab=lut[base.chk_tab], pin_cap=caps, pin_cap_min=caps_min,
        warnings=list(base.warnings), rc=None)
    graph.cap_unit = libs[0].cap_unit
    graph.time_unit = libs[0].time_unit
    return graph


class MergedCells(Mapping):
    """Cells by name over several libraries; the first library that has a name wins. A
    read-only view, so a cached library's cells are unpickled only when looked up
    (liberty.LazyCells); names iterate in the order of the libraries."""

    __slots__ = ("_maps", "_found")

    def __init__(self, libs: list[Library]):
        self._maps = [lib.cells for lib in libs]
        self._found: dict[str, Cell] = {}

    def __getitem__(self, name: str) -> Cell:
        cell = self._found.get(name)
        if cell is not None:
            return cell
        for cells in self._maps:
            if name in cells:
                cell = self._found[name] = cells[name]
                return cell
        raise KeyError(name)

    def get(self, name: str, default=None):
        cell = self._found.get(name)
        if cell is not None:
            return cell
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        return name in self._found or any(name in cells for cells in self._maps)

    def __iter__(self) -> Iterator[str]:
        if len(self._maps) == 1:
            yield from self._maps[0]
            return
        seen: set[str] = set()
        for cells in self._maps:
            for name in cells:
                if name not in seen:
                    seen.add(name)
                    yield name

    def __len__(self) -> int:
        if len(self._maps) == 1:
            return len(self._maps[0])
        return len(set().union(*self._maps))


def merged_cells(libs: list[Library]) -> MergedCells:
    """Cells by name over several libraries; the first library that has a name wins."""
    return MergedCells(libs)


def _same_cell(a: Cell, b: Cell) -> bool:
    """What the graph and the timing modes take from a cell beyond its tables and
    capacitances: pins, directions, functions, sequential groups."""
    return (list(a.pins) == list(b.pins) and a.pg_pins == b.pg_pins
            and all(p.direction == q.direction and p.function_text == q.function_text
                    for p, q in zip(a.pins.values(), b.pins.values()))
            and [s.get("kind") for s in a.sequential] == [s.get("kind") for s in b.sequential])


def _same_template(a: _CellTemplate, b: _CellTemplate) -> bool:
    return (a.pins == b.pins and a.sequential == b.sequential
            and np.array_equal(a.is_output, b.is_output)
            and np.array_equal(a.is_clock, b.is_clock)
            and a.arcs.shape == b.arcs.shape and a.checks.shape == b.checks.shape
            and np.array_equal(a.arcs[:, :5], b.arcs[:, :5])
            and np.array_equal(a.arcs[:, 5:] >= 0, b.arcs[:, 5:] >= 0)
            and np.array_equal(a.checks[:, :4], b.checks[:, :4])
            and np.array_equal(a.checks[:, 4:] >= 0, b.checks[:, 4:] >= 0))


def _node_loads(netlist, lib0, sdc, node_net_a, caps, caps_min, port_cap, net_driver,
                port_node, wire_load, n_nodes) -> tuple[np.ndarray, np.ndarray]:
    """(load, load_min): the capacitance each node's net presents, per edge, for the max and
    the min analysis: every pin cap on the net (the driver's own too) + port loads (per edge
    and min/max) + set_load on the net (per min/max) + the wire-load estimate."""
    n_nets = len(netlist.net_names)
    port_net = node_net_a[len(node_net_a) - len(netlist.ports):]
    conn = node_net_a >= 0
    net_cap = np.zeros((n_nets, 2, 2))   # (n_nets, edge, mm): max analysis, then min
    for mm, pc in enumerate((caps, caps_min)):
        for e in range(2):
            net_cap[:, e, mm] = np.bincount(node_net_a[conn], weights=pc[conn, e],
                                            minlength=n_nets)
    if len(port_cap):
        ok = port_net >= 0
        np.add.at(net_cap, port_net[ok], port_cap[ok])
    net_index = None
    if sdc.net_loads:
        net_index = {n: k for k, n in enumerate(netlist.net_names)}
        for name, per_mm in sdc.net_loads.items():
            k = net_index.get(name)
            if k is None:
                continue
            for mm, (cap, subtract) in per_mm.items():
                if subtract:
                    # OpenSTA: less the mean of the net's rise and fall pin capacitance,
                    # never below minus that capacitance
                    pins = float(net_cap[k, :, mm].mean())
                    cap = max(cap - pins, -pins)
                net_cap[k, :, mm] += cap
    if wire_load:
        net_cap += _wire_load_caps(netlist, lib0, node_net_a, net_driver, sdc, port_node,
                                   net_index, n_nets)[:, :, None]
    n_all = len(node_net_a)
    where = np.maximum(node_net_a, 0)
    load = np.zeros((n_nodes, 2))
    load[:n_all] = np.where(conn[:, None], net_cap[where, :, 0], 0.0)
    load_min = np.zeros((n_nodes, 2))
    load_min[:n_all] = np.where(conn[:, None], net_cap[where, :, 1], 0.0)
    return load, load_min


def _wire_load_caps(netlist, lib: Library, node_net, net_driver, sdc, port_node, net_index,
                    n_nets) -> np.ndarray:
    """Lumped wire capacitance of the library's default wire-load model, per net."""
    out = np.zeros((n_nets, 2))
    wl = lib.wire_loads.get(lib.default_wire_load or "")
    if wl is None or not wl.fanout_length:
        return out
    fanout = np.bincount(node_net[node_net >= 0], minlength=n_nets) - (net_driver >= 0)
    fl = wl.fanout_length
    xs = np.array([f for f, _ in fl], float)
    ys = np.array([length for _, length in fl], float)
    f = fanout.astype(float)
    length = np.interp(f, xs, ys)
    hi = f > xs[-1]
    length[hi] = ys[-1] + (f[hi] - xs[-1]) * wl.slope
    lo = f < xs[0]
    length[lo] = np.maximum(ys[0] - (xs[0] - f[lo]) * wl.slope, 0.0)
    cw = length * wl.capacitance
    cw[fanout <= 0] = 0.0
    # Nets with an explicit load (set_load on a net or on a port of the net) keep it.
    for name in list(sdc.port_loads) + list(sdc.port_wire_loads):
        v = port_node.get(name)
        if v is not None:
            cw[node_net[v]] = 0.0
    if net_index is not None:
        for name in sdc.net_loads:
            k = net_index.get(name)
            if k is not None:
                cw[k] = 0.0
    cw[:2] = 0.0
    out[:, 0] = cw
    out[:, 1] = cw
    return out


def _trace_clocks(sdc, port_node, node_net, arcs, clock_pins, netlist, node_inst, node_type,
                  node_local, templates):
    """Which clock (and polarity) reaches each register clock pin: a walk from each clock
    source through nets and combinational arcs (inverting arcs flip the polarity) that
    stops at the source of another clock (a generated clock's pin, as OpenSTA). An ideal
    clock has one node per polarity; a propagated one a node per register clock pin (its
    arrival and slew are the pin's)."""
    clock_nodes: list[tuple[str, int]] = []
    clock_pin_node: list[int] = []
    clock_sources: dict[str, list[int]] = {}
    clock_of_pin: dict[int, list[int]] = {}
    ideal: set[int] = set()   # nodes of ideal clocks' networks (no design-rule checks)
    if not sdc.clocks:
        return clock_of_pin, clock_nodes, clock_pin_node, clock_sources, ideal
    by_net = np.argsort(node_net, kind="stable")
    net_sorted = node_net[by_net]
    comb = arcs[arcs[:, 2] == COMB][:, [0, 1, 3, 4]]   # from, to, rise and fall masks
    comb = comb[np.argsort(comb[:, 0], kind="stable")]
    pin_names = None
    for clk in sdc.clocks.values():
        starts: list[int] = []
        for obj in clk.sources:
            if obj.kind == "port" and obj.name in port_node:
                starts.append(port_node[obj.name])
            elif obj.kind == "pin":
                if pin_names is None:
                    pin_names = {f"{netlist.instances[node_inst[v]].name}/"
                                 f"{templates[node_type[v]].pins[node_local[v]]}": v
                                 for v in range(len(node_inst))}
                if obj.name in pin_names:
                    starts.append(pin_names[obj.name])
        clock_sources[clk.name] = starts
    for clk in sdc.clocks.values():
        starts = clock_sources[clk.name]
        others = {v for c, vs in clock_sources.items() if c != clk.name for v in vs} - \
            set(starts)
        seen: set[tuple[int, int]] = set()
        stack = [(s, 0) for s in starts]
        node_of_parity: dict[tuple[int, int], int] = {}
        while stack:
            v, parity = stack.pop()
            if (v, parity) in seen or v in others:
                continue
            seen.add((v, parity))
            if not clk.propagated:
                ideal.add(v)
            net = node_net[v]
            if net <= 1:
                continue
            lo = np.searchsorted(net_sorted, net, "left")
            hi = np.searchsorted(net_sorted, net, "right")
            for w in by_net[lo:hi].tolist():
                if w == v:
                    continue
                if w in clock_pins:
                    key = (parity, w if clk.propagated else -1)
                    if key not in node_of_parity:
                        node_of_parity[key] = len(clock_nodes)
                        clock_nodes.append((clk.name, parity))
                        clock_pin_node.append(key[1])
                    lst = clock_of_pin.setdefault(w, [])
                    if node_of_parity[key] not in lst:
                        lst.append(node_of_parity[key])
                    continue
                a0 = np.searchsorted(comb[:, 0], w, "left")
                a1 = np.searchsorted(comb[:, 0], w, "right")
                for to, m_r, m_f in comb[a0:a1, 1:].tolist():
                    # output rise from input rise keeps the polarity, from input fall flips it
                    if m_r & 1 or m_f & 2:
                        stack.append((to, parity))
                    if m_r & 2 or m_f & 1:
                        stack.append((to, 1 - parity))
    return clock_of_pin, clock_nodes, clock_pin_node, clock_sources, ideal
