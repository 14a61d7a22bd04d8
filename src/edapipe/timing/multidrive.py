"""Nets with several drivers, timed as OpenSTA times them (dcalc/GraphDelayCalc, its
MultiDrvrNet): two cell outputs wired together, a three-state bus, an inout port driven by
a cell.

Graph: the loads of such a net get their own arrivals, through zero-delay WIRE arcs from
every driver (cell outputs and input/inout ports), so each load takes the worst driver
(latest for setup, earliest for hold) and the worst slew (max for setup, min for hold), as
OpenSTA's wire edges and merged load slews. An inout port's output side (its output-delay
check) takes the other driver's arrival, never its own input's (OpenSTA has no wire edge
from a bidirect port's driver vertex to its own load vertex): the one other driver's node,
or with several a node of its own after the clock nodes with WIRE arcs from them. The WIRE
arcs are bounded (drivers x pins per net; a resource limit beyond).

Delays: OpenSTA's multi-driver set is the net's cell driver pins that have fanin arcs
(FindNetDrvrs: leaf output, tristate or bidirect pins, not roots). When it has more than
one, every arc into an *output* (not three-state) driver of the set is timed as parallel
drivers (GraphDelayCalc::multiDrvrGateDelay, findMultiDrvrGateDelay): its delay is its own
zero-load (intrinsic) delay plus the parallel delay 1 / (1 + sum 1 / (d_k - d0_k)) and its
slew the parallel slew 1 / (1 + sum 1 / s_k), the sums over every arc (and input edge) of
every driver of the set to the same output edge, each at the net's whole load and its own
input slew (the 1 is OpenSTA's start value, in seconds). Three-state drivers are timed
alone at the net's whole load. A bidirect (inout) port without set_input_transition or
set_driving_cell takes its load side's slew (Sdc::bidirectDrvrSlewFromLoad).

The propagation engines know only table lookups, so `slews` runs their slew pass, works
out those values from the slews it found, and runs it again with the parallel arcs looking
up small tables that hold exactly those values (a grid over the arc's input slews and a
capacitance axis that tells the max analysis (0) from the min one (1)), until nothing
changes: one pass more than multi-driver nets are nested. Parasitics (SPEF) on a design
with such nets are an error (OpenSTA reduces them per driver; not implemented).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from edapipe.errors import InputError, ResourceLimit, excerpt
from edapipe.timing.liberty import Table

# driver-to-load arcs allowed beyond 8 per pin of the design
_MAX_WIRE_ARCS = 4_000_000
# zero delay, and an output slew equal to the input slew (a linear table extrapolates)
_ZERO = Table(0, -1, np.array([0.0]), np.array([0.0]), np.array([[0.0]]))
_IDENTITY = Table(0, -1, np.array([0.0, 1.0]), np.array([0.0]), np.array([[0.0], [1.0]]))


@dataclass(repr=False, eq=False)
class MultiNet:
    net: int
    drivers: list[int]               # cell output nodes driving the net, in node order
    ports: list[int]                 # input / inout port nodes on the net
    tristate: set[int]               # the three-state ones among `drivers`
    sources: dict[int, int] = field(default_factory=dict)  # node -> its arrival's node
    bidirect: list[tuple[int, int]] = field(default_factory=list)  # (inout port, other driver)


def wire_arcs(netlist, nets: np.ndarray, node_net: np.ndarray, drv: np.ndarray,
              pin_tri: np.ndarray, n_pins: int, src_of: np.ndarray, store
              ) -> tuple[list[MultiNet], np.ndarray, list[int]]:
    """The multi-driver nets, their WIRE arc rows (from, pin, to, kind, rise mask, fall
    mask, 4 tables) and the inout ports whose output side needs a node of its own (the
    rows and sources name it -1 - k); sets src_of of the nets' nodes to themselves (their
    arcs start at the load pins)."""
    from edapipe.timing.graph import WIRE

    zero, ident = store.id(_ZERO), store.id(_IDENTITY)
    order = np.argsort(node_net, kind="stable")
    sorted_net = node_net[order]
    drv_set = set(drv.tolist())
    out: list[MultiNet] = []
    rows: list[tuple] = []
    extra: list[int] = []
    budget = _MAX_WIRE_ARCS + 8 * len(node_net)
    for net in nets.tolist():
        lo, hi = np.searchsorted(sorted_net, [net, net + 1])
        nodes = sorted(order[lo:hi].tolist())
        drivers = [v for v in nodes if v in drv_set]
        budget -= len(drivers) * len(nodes)
        if budget < 0:   # drivers x loads arcs: a hostile netlist must not exhaust memory
            raise ResourceLimit(f"{netlist.filename}: the multi-driver nets need more than "
                                f"{_MAX_WIRE_ARCS + 8 * len(node_net)} driver-to-load arcs "
                                f"(net {excerpt(netlist.net_names[net], 60)}: "
                                f"{len(drivers)} drivers, {len(nodes)} pins)")
        cells = [v for v in drivers if v < n_pins]
        ports = [v for v in drivers if v >= n_pins]
        m = MultiNet(net, cells, ports, {v for v in cells if pin_tri[v]})
        for v in drivers:
            m.sources[v] = v
        for v in nodes:
            if v in drv_set:
                continue
            src_of[v] = v
            m.sources[v] = v
            for d in drivers:
                rows.append((d, v, v, WIRE, 1, 2, zero, zero, ident, ident))
        for p in ports:
            if netlist.ports[p - n_pins].direction != "inout":
                continue
            others = [d for d in drivers if d != p]
            if len(others) > 1:
                # its output side: a node of its own after the clock nodes (placeholder
                # -1 - k until build_graph numbers it), with WIRE arcs from the others
                k = -1 - len(extra)
                extra.append(p)
                rows += [(d, p, k, WIRE, 1, 2, zero, zero, ident, ident) for d in others]
                m.sources[p] = k
            else:
                m.sources[p] = others[0]
            m.bidirect.append((p, m.sources[p]))
        out.append(m)
    return out, np.array(rows, np.int64).reshape(-1, 10), extra


def check_parasitics(g, spef_name: str) -> None:
    """Parasitics with multi-driver nets: a located error (see the module's doc)."""
    if not g.multi or not g.rc:
        return
    m = g.multi[0]
    names = [g.node_name(v) for v in m.drivers + m.ports]
    name = g.netlist.net_names[m.net]
    line = None
    if m.drivers:
        from edapipe.timing.netlist import line_of_instance
        line = line_of_instance(g.netlist, int(g.node_inst[m.drivers[0]]))
    raise InputError(f"net {excerpt(name, 60)} has {len(names)} drivers "
                     f"({excerpt(', '.join(names), 120)}): multi-driver nets with "
                     f"parasitics ({spef_name}) are not supported (OpenSTA reduces the "
                     f"parasitics per driver); time the design without --spef",
                     file=g.netlist.filename, line=line)


@dataclass(repr=False, eq=False)
class _Plan:
    """The nets with a parallel set, as flat arrays over all of them."""

    arcs: np.ndarray        # every arc into a driver of a set
    arc_set: np.ndarray     # its set (0 .. n_sets - 1)
    parallel: np.ndarray    # the arcs into the sets' output (not three-state) drivers
    par_set: np.ndarray
    drivers: np.ndarray     # those output drivers
    n_sets: int


def _plan(g) -> _Plan:
    arcs, arc_set, par, par_set, drivers = [], [], [], [], []
    for m in g.multi:
        rooted = [d for d in m.drivers if g.in_start[d + 1] > g.in_start[d]]
        outs = [d for d in rooted if d not in m.tristate]
        if len(rooted) < 2 or not outs:
            continue
        k = len(drivers)
        for d in rooted:
            arcs.append(np.arange(g.in_start[d], g.in_start[d + 1]))
            arc_set.append(np.full(len(arcs[-1]), k))
        for d in outs:
            par.append(np.arange(g.in_start[d], g.in_start[d + 1]))
            par_set.append(np.full(len(par[-1]), k))
        drivers.append(np.array(outs, np.int64))

    def cat(parts):
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
    return _Plan(cat(arcs), cat(arc_set), cat(par), cat(par_set), cat(drivers), len(drivers))


def slews(g, eng, sdc, slew_max, slew_min, arc_dmax, arc_dmin) -> None:
    """The engine's slew and delay pass with multi-driver nets timed as OpenSTA (above)."""
    plan = _plan(g)
    drives = set(sdc.input_transitions) | set(sdc.driving_cells)
    bidirect = [(p, o) for m in g.multi for p, o in m.bidirect
                if g.node_pin[p] not in drives]
    gx = g
    prev = None
    for _ in range(2 * len(g.multi) + 4):
        eng.slews(gx, slew_max, slew_min, arc_dmax, arc_dmin)
        changed = False
        for p, o in bidirect:
            for arr in (slew_max, slew_min):
                if not np.array_equal(arr[p], arr[o]):
                    arr[p] = arr[o]
                    changed = True
        if plan.n_sets:
            values = _parallel(g, plan, slew_max, slew_min)
            if prev is None or not np.array_equal(prev, values):
                gx = _with_tables(g, plan, values, slew_max, slew_min)
                prev = values
                changed = True
        if not changed:
            return
    raise InputError("the delays of the multi-driver nets did not settle")


def _lookup(g, tids, s, c):
    from edapipe.timing.levels import table_values
    return table_values(tids, s, c, np.zeros(len(tids)), *g.tables)


def _queries(g, arcs, slew_max, slew_min):
    """(position in arcs, arc, eo, mm, input slew) of every arc / input edge / analysis
    that makes an output edge with both a delay and a slew table."""
    p_l, eo_l, mm_l, s_l = [], [], [], []
    pos = np.arange(len(arcs))
    for eo in range(2):
        for ei in range(2):
            ok = pos[((g.arc_mask[arcs, eo] >> ei) & 1 == 1) & (g.arc_tab[arcs, eo] >= 0)
                     & (g.arc_tab[arcs, 2 + eo] >= 0)]
            for mm, sl in enumerate((slew_max, slew_min)):
                p_l.append(ok)
                eo_l.append(np.full(len(ok), eo))
                mm_l.append(np.full(len(ok), mm))
                s_l.append(sl[g.arc_from[arcs[ok]], ei])
    p = np.concatenate(p_l)
    return p, arcs[p], np.concatenate(eo_l), np.concatenate(mm_l), np.concatenate(s_l)


def _parallel(g, plan: _Plan, slew_max, slew_min) -> np.ndarray:
    """(set, delay/slew, edge, analysis): each set's parallel delay and slew."""
    p, a, eo, mm, s = _queries(g, plan.arcs, slew_max, slew_min)
    k = plan.arc_set[p]
    to = g.arc_to[a]
    cap = np.where(mm == 0, g.load[to, eo], g.load_min[to, eo])
    d = _lookup(g, g.arc_tab[a, eo], s, cap)
    d0 = _lookup(g, g.arc_tab[a, eo], s, np.zeros(len(a)))
    sl = np.maximum(_lookup(g, g.arc_tab[a, 2 + eo], s, cap), 0.0)
    res = np.ones((plan.n_sets, 2, 2, 2))
    with np.errstate(divide="ignore"):
        np.add.at(res, (k, 0, eo, mm), 1.0 / (d - d0))
        np.add.at(res, (k, 1, eo, mm), 1.0 / sl)
        return 1.0 / res


def _with_tables(g, plan: _Plan, values, slew_max, slew_min):
    """The graph the engine sees: each parallel arc's output edge looks up a delay and a
    slew table of its values, on a grid of its input slews (axis 1) and the analysis
    (axis 2: 0 max, 1 min, the drivers' loads in this graph)."""
    p, a, eo, mm, s = _queries(g, plan.parallel, slew_max, slew_min)
    k = plan.par_set[p]
    order = np.lexsort((s, eo, a))
    a, eo, s, k = a[order], eo[order], s[order], k[order]
    new_point = np.r_[True, (a[1:] != a[:-1]) | (eo[1:] != eo[:-1]) | (s[1:] != s[:-1])]
    a, eo, s, k = a[new_point], eo[new_point], s[new_point], k[new_point]
    first = np.r_[True, (a[1:] != a[:-1]) | (eo[1:] != eo[:-1])]
    gid = np.cumsum(first) - 1                      # table group of each grid point
    starts = np.flatnonzero(first)
    n_grid = np.diff(np.r_[starts, len(a)])
    rank = np.arange(len(a)) - starts[gid]
    n_groups = len(starts)
    d0 = _lookup(g, g.arc_tab[a, eo], s, np.zeros(len(a)))
    # one table layout for the delay tables and one (the same axes) for the slew tables
    a_len = n_grid + 2
    a_off = np.cumsum(a_len) - a_len
    axes = np.empty(int(a_len.sum()))
    axes[a_off[gid] + rank] = s
    axes[a_off + n_grid] = 0.0
    axes[a_off + n_grid + 1] = 1.0
    v_off = np.cumsum(2 * n_grid) - 2 * n_grid
    delay = np.empty(int(2 * n_grid.sum()))
    slew = np.empty_like(delay)
    for m in range(2):
        delay[v_off[gid] + 2 * rank + m] = d0 + values[k, 0, eo, m]
        slew[v_off[gid] + 2 * rank + m] = values[k, 1, eo, m]
    tab_n, tab_var, tab_off, old_axes, old_vals = g.tables
    base_a, base_v, n_tab = len(old_axes), len(old_vals), len(tab_n)
    new_n = np.tile(np.column_stack([n_grid, np.full(n_groups, 2)]), (2, 1))
    new_var = np.tile(np.array([[0, 1]], np.int64), (2 * n_groups, 1))
    off = np.column_stack([base_a + a_off, base_a + a_off + n_grid, base_v + v_off])
    off2 = off + np.array([len(axes), len(axes), len(delay)])
    tables = (np.concatenate([tab_n, new_n]), np.concatenate([tab_var, new_var]),
              np.concatenate([tab_off, off, off2]),
              np.concatenate([old_axes, axes, axes]), np.concatenate([old_vals, delay, slew]))
    arc_tab = g.arc_tab.copy()
    ga, geo = a[starts], eo[starts]
    arc_tab[ga, geo] = n_tab + np.arange(n_groups)
    arc_tab[ga, 2 + geo] = n_tab + n_groups + np.arange(n_groups)
    load, load_min = g.load.copy(), g.load_min.copy()
    load[plan.drivers] = 0.0
    load_min[plan.drivers] = 1.0
    return dataclasses.replace(g, arc_tab=arc_tab, tables=tables, load=load,
                               load_min=load_min)


def library_tables(base, store) -> dict[int, int]:
    """for_libraries: the WIRE arcs' table ids in `base` -> in another corner's store."""
    from edapipe.timing.graph import WIRE

    wire = base.arc_kind == WIRE
    if not wire.any():
        return {}
    row = base.arc_tab[np.argmax(wire)].tolist()
    return {row[0]: store.id(_ZERO), row[2]: store.id(_IDENTITY)}
