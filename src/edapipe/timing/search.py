"""Levelized search: slews and arc delays, arrivals per launch, checks, slack, WNS and TNS.

Arrivals are propagated once per *launch group*: a clock edge that launches data (input
delays relative to it, registers clocked by it) together with the set of path exceptions
(-from) its startpoints carry. Separate runs keep the launch edge of every arrival known, so
capture edges, multicycle paths and false paths apply exactly, with no tags inside kernels.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from edapipe.errors import InputError, excerpt
from edapipe.timing import levels as L
from edapipe.timing.graph import EDGE, HOLD, SETUP, TimingGraph
from edapipe.timing.exceptions import (MAX_STATES, ExceptionChooser, PointIndex,
                                       ThruMachine, filter_passes, from_signature,
                                       hold_multiplier, state_order_key, too_many_states)
from edapipe.timing.sdc import Constraints, Exception_

INF = math.inf
# Above this many levels the numba kernels beat per-level numpy sweeps (see levels.py).
NUMPY_MAX_LEVELS = 1500
# Keep the arrival arrays of up to this many launch runs for the path reports.
_CACHED_RUNS = 4


class _NumbaEngine:
    """The numba kernels of search_kernels.py (imported only when chosen)."""

    name = "numba"

    def __init__(self, order):
        from edapipe.timing import search_kernels as K
        self.K = K
        self.order = order

    def slews(self, g, slew_max, slew_min, arc_dmax, arc_dmin):
        self.K.propagate_slews(self.order, g.in_start, g.arc_from, g.arc_mask, g.arc_tab,
                               g.load, g.load_min, slew_max, slew_min, arc_dmax, arc_dmin,
                               *g.tables)

    def arrivals(self, g, arc_on, arc_dmax, arc_dmin, at_max, at_min, prev_max, prev_min,
                 mask=None, keep=False):
        self.K.propagate_arrivals(self.order, g.in_start, g.arc_from,
                                  g.search_mask if mask is None else mask, arc_on,
                                  arc_dmax, arc_dmin, at_max, at_min, prev_max, prev_min, keep)

    def required(self, g, arc_on, arc_dmax, arc_dmin, req_max, req_min, mask=None):
        self.K.propagate_required(self.order, g.in_start, g.arc_from,
                                  g.search_mask if mask is None else mask, arc_on,
                                  arc_dmax, arc_dmin, req_max, req_min)


class _NumpyEngine:
    """Level-at-a-time numpy sweeps (levels.py); no numba import at all."""

    name = "numpy"

    def __init__(self, g, level):
        self.plan = L.LevelPlan(level, g.in_start, g.arc_from)

    def slews(self, g, slew_max, slew_min, arc_dmax, arc_dmin):
        L.propagate_slews(self.plan, g.arc_mask, g.arc_tab, g.load, g.load_min, slew_max,
                          slew_min, arc_dmax, arc_dmin, *g.tables)

    def arrivals(self, g, arc_on, arc_dmax, arc_dmin, at_max, at_min, prev_max, prev_min,
                 mask=None, keep=False):
        L.propagate_arrivals(self.plan, g.search_mask if mask is None else mask, arc_on,
                             arc_dmax, arc_dmin, at_max, at_min, prev_max, prev_min, keep)

    def required(self, g, arc_on, arc_dmax, arc_dmin, req_max, req_min, mask=None):
        L.propagate_required(self.plan, g.search_mask if mask is None else mask, arc_on,
                             arc_dmax, arc_dmin, req_max, req_min)


def _engine(g: TimingGraph, kind: str):
    """(engine, order, level) for kind 'auto', 'numpy' or 'numba'."""
    if kind not in ("auto", "numpy", "numba"):
        raise ValueError(f"unknown engine {kind!r}")
    if kind != "numba":
        res = L.levelize(g.n_nodes, g.in_start, g.arc_from,
                         NUMPY_MAX_LEVELS if kind == "auto" else 1 << 62)
        if res is not None:
            order, level, count = res
            if count < g.n_nodes:
                raise _loop_error(g, order)
            return _NumpyEngine(g, level), order, level
    from edapipe.timing import search_kernels as K
    order, level, count = K.levelize(g.n_nodes, g.in_start, g.arc_from)
    if count < g.n_nodes:
        raise _loop_error(g, order)
    return _NumbaEngine(order), order, level


@dataclass(repr=False, eq=False)
class Launch:
    """One propagation run: launching clock edge and the -from exceptions of its startpoints."""

    clock: str
    edge: int                 # edge of the clock source: 0 rise, 1 fall
    time: float               # launch edge time (s)
    signature: tuple[int, ...]  # indices of exceptions whose -from matches the startpoints
    ports: list[tuple[int, dict[tuple[int, int], float]]]  # (port node, arrival per (e, mm))
    registers: set[int]       # instance indices launched in this run
    # with clock reconvergence pessimism removal: a clock node of the launching registers
    # (they share its clock path), else -1
    crpr_node: int = -1
    # -through progress of this run's paths (exceptions.ThruMachine); the runs of one launch
    # are propagated together: `group` is the index of its first run, `state` this run's
    # place among them
    state: frozenset = frozenset()
    group: int = -1
    state_index: int = 0

    @functools.cached_property
    def sig_set(self) -> frozenset:
        """The signature as a set, for membership tests (a tuple test is a scan)."""
        return frozenset(self.signature)


@dataclass(repr=False, eq=False)
class Endpoint:
    node: int                 # the endpoint pin (output port or register data pin)
    name: str
    kind: str                 # "output" or "register"
    capture_clock: str
    capture_edge: int         # edge of the capture clock source
    # per analysis (0 setup, 1 hold): slack, arrival, required, data edge, launch run
    slack: list[float] = field(default_factory=lambda: [INF, INF])
    arrival: list[float] = field(default_factory=lambda: [0.0, 0.0])
    required: list[float] = field(default_factory=lambda: [0.0, 0.0])
    edge: list[int] = field(default_factory=lambda: [0, 0])
    run: list[int] = field(default_factory=lambda: [-1, -1])
    margin: list[float] = field(default_factory=lambda: [0.0, 0.0])  # setup/hold time or
    #                                                                  output delay used
    exception: list[str | None] = field(default_factory=lambda: [None, None])
    delays: dict = field(default_factory=dict)      # output ports: {(edge, minmax): delay}
    # per analysis: the capture clock's latency (source + network) and the clock
    # reconvergence pessimism removed, in the required time of the worst path
    clock_latency: list[float] = field(default_factory=lambda: [0.0, 0.0])
    crpr: list[float] = field(default_factory=lambda: [0.0, 0.0])
    checks: list[int] = field(default_factory=list)  # registers: rows of the graph's checks
    uncertainty: list[float] = field(default_factory=lambda: [0.0, 0.0])  # clock uncertainty
    #                                                                 of the worst path
    ref_pin: str | None = None   # outputs: set_output_delay -reference_pin
    # with Analysis.keep_ends: every path end found, (check, run, data edge, slack, arrival,
    # required, margin, exception kind, clock latency, crpr, uncertainty, group_path
    # group or None), for paths.py
    ends: list = field(default_factory=list)


@dataclass(repr=False, eq=False)
class Analysis:
    graph: TimingGraph
    sdc: Constraints
    order: np.ndarray
    slew_max: np.ndarray
    slew_min: np.ndarray
    arc_dmax: np.ndarray
    arc_dmin: np.ndarray
    launches: list[Launch]
    endpoints: list[Endpoint]
    node_slack: np.ndarray     # (n_nodes, 2): worst setup / hold slack through each node
    levels: int
    engine: object = None      # the propagation engine used (numpy or numba)
    arrival_cache: dict = field(default_factory=dict)  # run -> arrays, for path reports
    # with parasitics: wire delay from the net's driver and slew at each pin, per
    # (edge, minmax), and which pins have them (loads of RC nets); None without
    wire: np.ndarray | None = None
    pin_slew: np.ndarray | None = None
    has_pin: np.ndarray | None = None
    clocks: ClockArrivals | None = None  # clock latencies and CRPR (clock network)
    derate: Derates | None = None        # set_timing_derate factors (None: none)
    thru: ThruMachine | None = None      # -through exception states (None: no -through)
    keep_ends: bool = False              # record every path end (Endpoint.ends)

    def pin_wire(self, v: int, e: int, mm: int) -> float:
        """Wire delay from the driver of v's net to v (0 without parasitics)."""
        return 0.0 if self.wire is None else float(self.wire[v, e, mm])

    def slew_at(self, v: int, e: int, mm: int) -> float:
        """Slew at pin v: its own with parasitics, else its net driver's."""
        if self.has_pin is not None and self.has_pin[v]:
            return float(self.pin_slew[v, e, mm])
        return float((self.slew_max if mm == 0 else self.slew_min)[self.graph.source(v), e])

    def worst_slack(self, check: int) -> float:
        vals = [e.slack[check] for e in self.endpoints if e.slack[check] < INF]
        return min(vals) if vals else INF

    def pin_slacks(self, check: int) -> dict[int, float]:
        """Each endpoint pin's worst slack over its capture clocks and output delays: what
        OpenSTA counts and sums (a vertex's slack is the worst of its path ends)."""
        out: dict[int, float] = {}
        for e in self.endpoints:
            s = e.slack[check]
            if s < out.get(e.node, INF):
                out[e.node] = s
        return out

    def n_endpoints(self) -> int:
        """Endpoint pins (not endpoint-clock pairs), as OpenSTA counts them."""
        return len({e.node for e in self.endpoints})

    def tns(self, check: int) -> float:
        return sum(min(0.0, s) for s in self.pin_slacks(check).values())

    def violations(self, check: int) -> int:
        """Violating endpoint pins."""
        return sum(1 for s in self.pin_slacks(check).values() if s < 0)

    def arrivals(self, run: int):
        """Arrival arrays and back pointers of one launch run (kept from the analysis when
        there are few runs, else recomputed on demand)."""
        return self._run(run)[:5]

    def run_paths(self, run: int):
        """(search mask or None, state-changing arcs (arc, eo, ei, child run)) of a run:
        what paths.py needs beyond arrivals to enumerate paths."""
        got = self._run(run)
        return got[7], got[8]

    def seeds(self, run: int):
        """Where a run's arrivals came from another run of its launch (-through states):
        (seeds_max, seeds_min), each a list of (run, arc, input edge); prev = -2 - index."""
        got = self._run(run)
        return got[5], got[6]

    def _run(self, run: int):
        cached = self.arrival_cache.get(run)
        if cached is not None:
            return cached
        launch = self.launches[run]
        group = _group_arrivals(self.graph, self, launch)
        for k, res in enumerate(group):
            self.arrival_cache[launch.group + k] = res.as_tuple(launch.group)
        got = self.arrival_cache[run]
        while len(self.arrival_cache) > _CACHED_RUNS + len(group):
            self.arrival_cache.pop(next(iter(self.arrival_cache)))
        return got


def _loop_error(g: TimingGraph, order: np.ndarray) -> InputError:
    """Name the instances on one combinational loop (nodes Kahn's order never reached)."""
    done = np.zeros(g.n_nodes, bool)
    done[order] = True
    left = set(np.nonzero(~done)[0].tolist())
    # Walk backwards along unprocessed fanin until a node repeats: that is a cycle.
    v = next(iter(left))
    seen: dict[int, int] = {}
    path: list[int] = []
    while v not in seen:
        seen[v] = len(path)
        path.append(v)
        nxt = None
        for a in range(g.in_start[v], g.in_start[v + 1]):
            f = int(g.arc_from[a])
            if f in left:
                nxt = f
                break
        if nxt is None:
            break
        v = nxt
    cycle = path[seen.get(v, 0):]
    insts = []
    for node in reversed(cycle):
        i = g.node_inst[node]
        if i >= 0:
            insts.append(excerpt(g.netlist.instances[i].name, 40))
    first = g.node_inst[cycle[0]] if cycle else -1
    line = None
    if first >= 0:
        from edapipe.timing.netlist import line_of_instance
        line = line_of_instance(g.netlist, int(first))
    return InputError(f"combinational loop through {len(insts)} cell(s): "
                      f"{' -> '.join(insts[:12])}{' ...' if len(insts) > 12 else ''}; "
                      "timing through a loop is undefined", file=g.netlist.filename, line=line)


def _fuzzy_eq(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b)) or abs(a - b) < 1e-21


def cycle_delays(src_time: float, src_period: float, tgt_time: float,
                 tgt_period: float) -> tuple[float, float]:
    """(setup, hold) separations of cycle_accounting."""
    return cycle_accounting(src_time, src_period, tgt_time, tgt_period)[:2]


@functools.lru_cache(maxsize=4096)
def cycle_accounting(src_time: float, src_period: float, tgt_time: float,
                     tgt_period: float) -> tuple[float, float, float, float]:
    """(setup, hold) separation of a launch edge at src_time (every src_period) and a
    capture edge at tgt_time (every tgt_period), as OpenSTA's cycle accounting finds them
    (sdc/CycleAccting.cc): setup is the smallest positive capture-minus-launch distance,
    hold the smallest launch-minus-capture distance >= 0, over the cycles until both repeat
    (the clocks' common period, at most 1000 capture cycles). The capture edges for data
    launched at src_time are src_time + setup and src_time - hold. Also, for reports,
    how far after src_time the launch edge of the setup and of the hold pair lies (a
    multiple of src_period: OpenSTA prints the pair's own edge times)."""
    tgt_max = 100 if tgt_period > src_period else max(math.ceil(src_period / tgt_period), 1000)
    i_min = 0 if src_time < src_period else -1
    setup = hold = INF
    setup_at = hold_at = src_time
    for j in range(0 if tgt_time < tgt_period else -1, tgt_max + 1):
        start = j * tgt_period
        t = start + tgt_time
        # the last launch strictly before the capture edge, the first at or after it
        k = math.ceil((t - src_time) / src_period)
        for i in (k - 1, k, k + 1):
            if i < i_min:
                continue
            s = i * src_period + src_time
            if t > s and not _fuzzy_eq(t, s):
                if t - s < setup:
                    setup, setup_at = t - s, s
            elif s >= t or _fuzzy_eq(t, s):
                if max(s - t, 0.0) < hold:
                    hold, hold_at = max(s - t, 0.0), s
        if setup < INF and hold < INF:
            ratio = start / src_period
            if _fuzzy_eq(round(ratio) * src_period, start):  # the edges repeat from here
                break
    if setup == INF:
        setup, setup_at = tgt_period, src_time
    if hold == INF:
        hold, hold_at = 0.0, src_time
    return setup, hold, setup_at - src_time, hold_at - src_time


def analyze(g: TimingGraph, sdc: Constraints, libs, engine: str = "auto",
            keep_ends: bool = False) -> Analysis:
    """The timing analysis; keep_ends records every path end at each endpoint (for reports
    of several paths per endpoint)."""
    eng, order, level = _engine(g, engine)
    slew_max = np.zeros((g.n_nodes, 2))
    slew_min = np.zeros((g.n_nodes, 2))
    port_delay = _source_slews(g, sdc, libs, slew_max, slew_min)
    for cn, (cname, parity) in enumerate(g.clock_nodes):
        tr = sdc.clocks[cname].transition
        for e in range(2):
            slew_max[g.clock_node_base + cn, e] = tr.get((e, 0), 0.0)
            slew_min[g.clock_node_base + cn, e] = tr.get((e, 1), 0.0)
    n_arcs = len(g.arc_from)
    arc_dmax = np.zeros((n_arcs, 2, 2))
    arc_dmin = np.zeros((n_arcs, 2, 2))
    rc_delays = None

    def delays():
        if g.rc:
            from edapipe.timing import rc
            return rc.delay_calc(g, order, level, rc.thresholds(libs[0]), slew_max, slew_min,
                                 arc_dmax, arc_dmin)
        if g.multi:   # nets with several drivers: OpenSTA's parallel-driver delays
            from edapipe.timing import multidrive
            multidrive.slews(g, eng, sdc, slew_max, slew_min, arc_dmax, arc_dmin)
        else:
            eng.slews(g, slew_max, slew_min, arc_dmax, arc_dmin)
        return None, None, None

    wire, pin_slew, has_pin = delays()
    clocks = ClockArrivals(g, sdc)
    derate = Derates(g, sdc) if sdc.derates else None
    if clocks.needs_network():
        # the clock network's slews and delays are known now: the register clock pins of
        # propagated clocks take their slews, and the clock-to-output arcs are timed again
        cmax, cmin = (arc_dmax, arc_dmin) if derate is None else \
            derate.arcs(arc_dmax, arc_dmin, wire, has_pin, 1)
        clocks.network(eng, cmax, cmin, wire, slew_max, slew_min, pin_slew, has_pin)
        wire, pin_slew, has_pin = delays()
    if derate is not None:
        clocks.wire_factor = derate.net_factors(1)
    clocks.finish(wire)
    if derate is not None:
        arc_dmax, arc_dmin = derate.arcs(arc_dmax, arc_dmin, wire, has_pin, 0)
        if wire is not None:   # wire delays to endpoints and clock pins, data-derated
            wire = wire * derate.net_factors(0)
    launches = _launches(g, sdc, port_delay, clocks)
    endpoints = _endpoints(g, sdc)
    an = Analysis(g, sdc, order, slew_max, slew_min, arc_dmax, arc_dmin, launches, endpoints,
                  np.full((g.n_nodes, 2), INF), int(level.max()) if len(level) else 0, eng,
                  wire=wire, pin_slew=pin_slew, has_pin=has_pin, clocks=clocks)
    an.derate = derate
    an.keep_ends = keep_ends
    _check_all(an)
    return an


class ClockArrivals:
    """Clock arrival times relative to the clock edge, as OpenSTA computes them.

    Source latency (`set_clock_latency -source`, else for a generated clock of a propagated
    master the master's arrival at the generated clock's pin) comes before the clock's
    definition point. After it, an ideal clock adds its network latency
    (`set_clock_latency`), a propagated one the delays of the clock network to each
    register clock pin. Both per clock-pin edge and late (0) / early (1).

    Clock reconvergence pessimism (OpenSTA's default for propagated clocks, search/Crpr.cc):
    between a launch and a capture clock path of related clocks, the difference between the
    late and early arrival at the last pin the two paths share (the smaller of the two
    paths' differences there) is given back to the required time.
    """

    def __init__(self, g: TimingGraph, sdc: Constraints):
        self.g, self.sdc = g, sdc
        n = len(g.clock_nodes)
        self.lat = np.zeros((n, 2, 2))          # per clock node, pin edge, late/early
        self.tree: dict[str, tuple] = {}        # root clock -> (at_max, at_min, prev_max)
        self.paths: dict = {}
        self.active = False                     # any pessimism to remove
        self.wire_factor = None                 # clock net derates per (pin, edge, mm)

    def root(self, name: str) -> str:
        clk = self.sdc.clocks[name]
        seen = {name}
        while clk.master is not None and clk.master in self.sdc.clocks \
                and clk.master not in seen:
            seen.add(clk.master)
            clk = self.sdc.clocks[clk.master]
        return clk.name

    def needs_network(self) -> bool:
        return any(c.propagated or (c.master is not None and c.master in self.sdc.clocks
                                    and self.sdc.clocks[c.master].propagated)
                   for c in self.sdc.clocks.values())

    def _tree_at(self, cname: str, v: int, e: int, mm: int) -> float:
        """Arrival of clock cname's network at node v, relative to its definition point."""
        g = self.g
        at = self.tree[self.root(cname)][mm]
        t = at[v, e]
        srcs = g.clock_sources.get(cname, [])
        if self.root(cname) != cname and srcs:
            base = [at[s, e] for s in srcs if math.isfinite(at[s, e])]
            t = t - (max(base) if mm == 0 else min(base)) if base else -INF
        return float(t)

    def insertion(self, cname: str, e: int, mm: int) -> float:
        """Source latency of clock cname for its edge e, late (0) or early (1)."""
        clk = self.sdc.clocks[cname]
        v = clk.source_latency.get((e, mm))
        if v is not None:
            return v
        master = self.sdc.clocks.get(clk.master) if clk.master else None
        if master is not None and master.propagated and self.tree:
            srcs = self.g.clock_sources.get(cname, [])
            vals = [self._tree_at(master.name, s, e, mm) for s in srcs]
            vals = [x for x in vals if math.isfinite(x)]
            if vals:
                return self.insertion(master.name, e, mm) + (max(vals) if mm == 0
                                                              else min(vals))
            return self.insertion(master.name, e, mm)
        return 0.0

    def ideal_latency(self, cname: str, e: int, mm: int) -> float:
        clk = self.sdc.clocks[cname]
        return 0.0 if clk.propagated else clk.network_latency.get((e, mm), 0.0)

    def ref_latency(self, cname: str, e: int, mm: int, ref: str, output: bool) -> float:
        """Clock arrival at a -reference_pin relative to clock cname's edge e: a propagated
        clock's source latency plus its network's arrival there (the pin's transition
        taken as the clock edge's: no inverter before it). An ideal clock arrives at an
        input delay's reference pin with its source latency but not its network latency,
        at an output delay's with both, as at a register clock pin (the target clock path;
        both as Debian's `sta`)."""
        clk = self.sdc.clocks[cname]
        if not clk.propagated:
            return self.port_latency(cname, e, mm) if output else self.insertion(cname, e, mm)
        from edapipe.timing.exceptions import node_by_name
        v = node_by_name(self.g, ref)
        t = self._tree_at(cname, v, e, mm) if v is not None and self.tree else -INF
        if not math.isfinite(t):
            raise InputError(f"-reference_pin {excerpt(ref, 60)}: clock {excerpt(cname, 60)} "
                             "does not reach it")
        return self.insertion(cname, e, mm) + t

    def port_latency(self, cname: str, e: int, mm: int) -> float:
        """Clock arrival for port delays relative to clock cname's edge e (input and output
        delays include the source latency and an ideal clock's network latency)."""
        return self.insertion(cname, e, mm) + self.ideal_latency(cname, e, mm)

    def network(self, eng, arc_dmax, arc_dmin, wire, slew_max, slew_min, pin_slew,
                has_pin) -> None:
        g = self.g
        roots = {self.root(c.name) for c in self.sdc.clocks.values()
                 if c.propagated or self.root(c.name) != c.name}
        arc_on = (g.arc_kind != EDGE).astype(np.uint8)
        for root in roots:
            at_max = np.full((g.n_nodes, 2), -INF)
            at_min = np.full((g.n_nodes, 2), INF)
            for v in g.clock_sources.get(root, []):
                at_max[v] = 0.0
                at_min[v] = 0.0
            prev_max = np.full((g.n_nodes, 2), -1, np.int64)
            prev_min = np.full((g.n_nodes, 2), -1, np.int64)
            eng.arrivals(g, arc_on, arc_dmax, arc_dmin, at_max, at_min, prev_max, prev_min)
            self.tree[root] = (at_max, at_min, prev_max)
        base = g.clock_node_base
        for cn, pin in enumerate(g.clock_pin_node):
            if pin < 0:
                continue
            d = g.source(int(pin))
            for e in range(2):
                for mm, sl in ((0, slew_max), (1, slew_min)):
                    if has_pin is not None and has_pin[pin]:
                        sl[base + cn, e] = pin_slew[pin, e, mm]
                    else:
                        sl[base + cn, e] = sl[d, e]

    def finish(self, wire: np.ndarray | None = None) -> None:
        """Latencies of every clock node (after the final delay calculation; with
        parasitics the wire delay to each register clock pin too)."""
        g = self.g
        pins = g.clock_pin_node if g.clock_pin_node is not None else \
            np.full(len(g.clock_nodes), -1)
        for cn, (cname, parity) in enumerate(g.clock_nodes):
            pin = int(pins[cn])
            for e in range(2):
                se = e ^ parity
                for mm in range(2):
                    t = self.insertion(cname, se, mm)
                    if pin >= 0 and self.tree:
                        t += self._tree_at(cname, g.source(pin), e, mm)
                        if wire is not None:
                            f = 1.0 if self.wire_factor is None else \
                                float(self.wire_factor[pin, e, mm])
                            t += f * float(wire[pin, e, mm])
                    else:
                        t += self.ideal_latency(cname, se, mm)
                    self.lat[cn, e, mm] = t
        # pessimism exists where late and early clock arrivals differ
        for cn, pin in enumerate(pins):
            if pin < 0:
                continue
            for e in range(2):
                for _, _, delta in self.path(cn, e):
                    if delta > 1e-18:
                        self.active = True
                        return

    def path(self, cn: int, e: int) -> list[tuple[int, int, float]]:
        """The clock path to clock node cn's pin (edge e), from the root clock's source:
        (node, edge, late - early arrival) per pin on it."""
        key = (cn, e)
        got = self.paths.get(key)
        if got is not None:
            return got
        g = self.g
        cname = g.clock_nodes[cn][0]
        pin = int(g.clock_pin_node[cn])
        nodes = []
        v, ee = g.source(pin), e
        if pin != v:
            nodes.append((pin, ee))
        prev = self.tree[self.root(cname)][2]
        while True:
            nodes.append((v, ee))
            p = int(prev[v, ee])
            if p < 0:
                break
            a, ee = divmod(p, 2)
            v = int(g.arc_from[a])
        nodes.reverse()
        out = []
        for v, ee in nodes:
            # the clock pin shares its net driver's arrivals (wire delays are not derated)
            u = g.source(v) if v == pin else v
            owner = self._owner(cname, u)
            late = self.insertion(owner, ee, 0) + self._tree_at(owner, u, ee, 0)
            early = self.insertion(owner, ee, 1) + self._tree_at(owner, u, ee, 1)
            out.append((v, ee, abs(late - early) if math.isfinite(late - early) else 0.0))
        self.paths[key] = out
        return out

    def _owner(self, cname: str, v: int) -> str:
        """The clock (cname or one of its masters) whose network v belongs to: a generated
        clock's network starts at its pins."""
        chain = [cname]
        clk = self.sdc.clocks[cname]
        while clk.master is not None and clk.master in self.sdc.clocks \
                and clk.master not in chain:
            chain.append(clk.master)
            clk = self.sdc.clocks[clk.master]
        # walk from the root: the last clock whose source pins lie on the path before v
        return cname if len(chain) == 1 else self._owner_on_path(chain, v)

    def _owner_on_path(self, chain: list[str], v: int) -> str:
        g = self.g
        downstream = self.paths.setdefault(("owner", tuple(chain)), {})
        if v in downstream:
            return downstream[v]
        # nodes from the generated clock's pin on belong to it: found by walking v's back
        # pointers in the root's tree until a source pin of a generated clock in the chain
        prev = self.tree[self.root(chain[0])][2]
        srcs = {s: c for c in chain[:-1] for s in g.clock_sources.get(c, [])}
        u, ee, owner = v, 0, chain[-1]
        for _ in range(g.n_nodes):
            if u in srcs:
                owner = srcs[u]
                break
            p = int(prev[u, ee])
            if p < 0:
                break
            a, ee = divmod(p, 2)
            u = int(g.arc_from[a])
        downstream[v] = owner
        return owner

    def crpr(self, launch_cn: int, launch_e: int, capture_cn: int, capture_e: int) -> float:
        """Pessimism between a launching and a capturing clock node (0 unless both clocks
        are propagated and related)."""
        if not self.active or launch_cn < 0:
            return 0.0
        g = self.g
        if g.clock_pin_node[launch_cn] < 0 or g.clock_pin_node[capture_cn] < 0:
            return 0.0
        c1, c2 = g.clock_nodes[launch_cn][0], g.clock_nodes[capture_cn][0]
        if self.root(c1) != self.root(c2):
            return 0.0
        p1 = self.path(launch_cn, launch_e)
        p2 = self.path(capture_cn, capture_e)
        best = 0.0
        for (v1, _, d1), (v2, _, d2) in zip(p1, p2):
            if v1 != v2:   # same pin, whatever the transitions (OpenSTA's same_pin mode)
                break
            best = min(d1, d2)
        return best


def _source_slews(g: TimingGraph, sdc: Constraints, libs, slew_max, slew_min):
    """Input-port slews (set_input_transition, driving cells); returns driving-cell delays
    per port node as {(edge, minmax): delay}."""
    extra: dict[int, dict[tuple[int, int], float]] = {}
    for name, tr in sdc.input_transitions.items():
        v = g.port_node.get(name)
        if v is None:
            continue
        for (e, mm), s in tr.items():
            (slew_max if mm == 0 else slew_min)[v, e] = s
    if sdc.driving_cells:
        from edapipe.timing.drive import driving_cell_delays
        for name, per_mm in sdc.driving_cells.items():
            v = g.port_node.get(name)
            if v is None:
                continue
            for mm, spec in per_mm.items():
                d, s = driving_cell_delays(spec, libs, (g.load if mm == 0 else g.load_min)[v])
                for e in range(2):
                    extra.setdefault(v, {})[(e, mm)] = d[e]
                    (slew_max if mm == 0 else slew_min)[v, e] = s[e]
    return extra


class Derates:
    """set_timing_derate factors as OpenSTA's Search::timingDerate: a cell arc takes its
    instance's factor, else its library cell's, else the design's, for the arc's input edge;
    a wire (with parasitics) its net's, else the design's, for its edge; a timing check
    (-cell_check) its register's for the data edge. Late factors scale max delays, early
    ones min delays; clock paths (propagated clock networks) take -clock factors, data paths
    (clock-to-output arcs too) -data ones."""

    def __init__(self, g: TimingGraph, sdc: Constraints):
        self.g = g
        self.tables = sdc.derates
        self.design = sdc.derates.get(("design", ""), {})

    def _cell(self, inst: int, kind: str, path: int, e: int, el: int) -> float:
        if inst >= 0:
            g = self.g
            for key in (("inst", g.netlist.instances[inst].name),
                        ("lib_cell", g.inst_cell[inst])):
                t = self.tables.get(key)
                if t is not None and (kind, path, e, el) in t:
                    return t[(kind, path, e, el)]
        return self.design.get((kind, path, e, el), 1.0)

    def check(self, inst: int, e: int, el: int) -> float:
        return self._cell(inst, "cell_check", 0, e, el)

    def _per_inst(self, kind: str, path: int) -> np.ndarray:
        """(instances + 1, edge, early/late) factors; the last row for arcs of no instance."""
        n = len(self.g.netlist.instances)
        out = np.empty((n + 1, 2, 2))
        for e in range(2):
            for el in range(2):
                out[:, e, el] = self.design.get((kind, path, e, el), 1.0)
        scoped = {name for scope, name in self.tables if scope in ("inst", "lib_cell")}
        if scoped:
            cells = {c for scope, c in self.tables if scope == "lib_cell"}
            for i, inst in enumerate(self.g.netlist.instances):
                if inst.name in scoped or self.g.inst_cell[i] in cells:
                    for e in range(2):
                        for el in range(2):
                            out[i, e, el] = self._cell(i, kind, path, e, el)
        return out

    def net_factors(self, path: int) -> np.ndarray:
        """(nodes, edge, minmax) net-delay factors for the wire to each pin."""
        g = self.g
        out = np.empty((g.n_nodes, 2, 2))
        for e in range(2):
            for el in range(2):
                out[:, e, el] = self.design.get(("net_delay", path, e, el), 1.0)
        nets = [(name, t) for (scope, name), t in self.tables.items() if scope == "net"]
        if nets:
            index = {n: k for k, n in enumerate(g.netlist.net_names)}
            for name, t in nets:
                k = index.get(name)
                if k is None:
                    continue
                for v in np.flatnonzero(g.node_net == k).tolist():
                    for e in range(2):
                        for el in range(2):
                            out[v, e, el] = t.get(("net_delay", path, e, el), out[v, e, el])
        return out

    def arcs(self, arc_dmax, arc_dmin, wire, has_pin, path: int):
        """Derated copies of the arc delay arrays (data path 0, clock path 1). With
        parasitics an arc's delay includes the wire delay to its input pin: that part takes
        the net factor."""
        g = self.g
        f = self._per_inst("cell_delay", path)[g.node_inst[g.arc_to]]   # (arcs, ei, el)
        out = []
        for mm, d in ((0, arc_dmax), (1, arc_dmin)):
            fc = f[:, None, :, mm]                                        # (arcs, 1, ei)
            if wire is None:
                out.append(d * fc)
                continue
            nf = self.net_factors(path)
            w = np.where((has_pin[g.arc_pin] & (g.arc_kind != EDGE))[:, None],
                         wire[g.arc_pin, :, mm], 0.0)                    # (arcs, ei)
            fn = nf[g.arc_pin, :, mm]
            out.append((d - w[:, None, :]) * fc + (w * fn)[:, None, :])
        return out[0], out[1]


def _launches(g: TimingGraph, sdc: Constraints, port_delay,
              clocks: ClockArrivals | None = None) -> list[Launch]:
    """Group startpoints into propagation runs by launch clock edge and -from exceptions
    (and, when clock pessimism is removed, by the clock path of the launching registers)."""
    xs = sdc.exceptions
    index = PointIndex(xs, "from_objs")
    runs: dict[tuple, Launch] = {}

    def run_for(clock: str, edge: int, sig: tuple[int, ...], crpr_node: int = -1,
                group: int = -1) -> Launch:
        key = (clock, edge, sig, group)
        if key not in runs:
            clk = sdc.clocks[clock]
            runs[key] = Launch(clock, edge, clk.waveform[edge], sig, [], set(), crpr_node)
        return runs[key]

    for pname, entries in sdc.input_delays.items():
        v = g.port_node.get(pname)
        if v is None:
            continue
        for entry in entries:
            if entry.clock is None:
                continue
            edge = 1 if entry.clock_fall else 0
            t = sdc.clocks[entry.clock].waveform[edge]
            extra = port_delay.get(v, {})
            if clocks is None:
                lat = (lambda mm: 0.0)
            elif entry.ref_pin is not None:
                lat = (lambda mm: clocks.ref_latency(entry.clock, edge, mm, entry.ref_pin,
                                                     False))
            else:
                lat = (lambda mm: clocks.port_latency(entry.clock, edge, mm))
            vals = {key: t + val + extra.get(key, 0.0) + lat(key[1])
                    for key, val in entry.values.items()}
            # -rise_from/-fall_from on the port: its rise and fall arrivals may start
            # different exceptions, hence different runs
            for e in range(2):
                sig = from_signature(index, xs, {pname}, entry.clock, e, edge)
                part = {key: t for key, t in vals.items() if key[0] == e}
                if part:
                    run_for(entry.clock, edge, sig).ports.append((v, part))
    # Registers: every edge arc launches at the clock edge its clock node turns into a rise
    # (rising_edge) or fall (falling_edge) of the register clock pin.
    insts = g.netlist.instances
    for a in np.nonzero((g.arc_kind == EDGE) & (g.arc_on == 1))[0]:
        f = int(g.arc_from[a])
        cname, parity = g.clock_nodes[f - g.clock_node_base]
        bit = int(g.arc_mask[a, 0] | g.arc_mask[a, 1])
        node_edge = 0 if bit == 1 else 1
        src_edge = node_edge ^ parity
        i = int(g.node_inst[g.arc_to[a]])
        name = insts[i].name
        cn = f - g.clock_node_base
        crpr_node = group = -1
        if clocks is not None and clocks.active and g.clock_pin_node[cn] >= 0:
            crpr_node, group = cn, g.source(int(g.clock_pin_node[cn]))
        names = {name, f"{name}/{g.node_pin[g.arc_pin[a]]}", f"{name}/{g.node_pin[g.arc_to[a]]}"}
        sig = from_signature(index, xs, names, cname, node_edge, src_edge)
        run = run_for(cname, src_edge, sig, crpr_node, group)
        run.registers.add(i)
    return list(runs.values())


def _launch_init(g: TimingGraph, an: Analysis, launch: Launch):
    """Arrivals at the launch points (ports, clock nodes) and the arcs that may launch."""
    n = g.n_nodes
    at_max = np.full((n, 2), -INF)
    at_min = np.full((n, 2), INF)
    for v, vals in launch.ports:
        for (e, mm), t in vals.items():
            if mm == 0:
                at_max[v, e] = max(at_max[v, e], t)
            else:
                at_min[v, e] = min(at_min[v, e], t)
    arc_on = np.zeros(len(g.arc_from), np.uint8)
    arc_on[g.arc_kind != EDGE] = 1
    if launch.registers:
        reg = np.zeros(len(g.netlist.instances) + 1, bool)
        reg[list(launch.registers)] = True
        edge_arcs = (g.arc_kind == EDGE) & (g.arc_on == 1)
        launched = edge_arcs & reg[g.node_inst[g.arc_to]]
        # ... and only from this launch's clock edge
        for a in np.nonzero(launched)[0]:
            f = int(g.arc_from[a])
            cname, parity = g.clock_nodes[f - g.clock_node_base]
            bit = int(g.arc_mask[a, 0] | g.arc_mask[a, 1])
            node_edge = 0 if bit == 1 else 1
            if cname == launch.clock and (node_edge ^ parity) == launch.edge:
                arc_on[a] = 1
                lat = an.clocks.lat[f - g.clock_node_base, node_edge] \
                    if an.clocks is not None else (0.0, 0.0)
                at_max[f, node_edge] = launch.time + lat[0]
                at_min[f, node_edge] = launch.time + lat[1]
    return at_max, at_min, arc_on




@dataclass(eq=False)
class _StateRun:
    """The arrivals of one -through state of a launch (exceptions.ThruMachine)."""

    state: frozenset
    at_max: np.ndarray
    at_min: np.ndarray
    prev_max: np.ndarray
    prev_min: np.ndarray
    arc_on: np.ndarray
    mask: np.ndarray | None = None
    index: int = 0
    # arrivals seeded from another state: (parent run, arc, input edge); prev = -2 - index
    seeds_max: list = field(default_factory=list)
    seeds_min: list = field(default_factory=list)
    trans: list = field(default_factory=list)   # (arc, eo, ei, child run) taken
    req_max: np.ndarray | None = None
    req_min: np.ndarray | None = None

    def as_tuple(self, start: int):
        """Arrivals, back pointers, arcs on, seeds (max, min), the search mask (None: the
        graph's) and the state-changing arcs taken as (arc, eo, ei, child run)."""
        return (self.at_max, self.at_min, self.prev_max, self.prev_min, self.arc_on,
                [(start + p.index, a, ei) for p, a, ei in self.seeds_max],
                [(start + p.index, a, ei) for p, a, ei in self.seeds_min], self.mask,
                [(a, eo, ei, start + c.index) for a, eo, ei, c in self.trans])


def _group_arrivals(g: TimingGraph, an: Analysis, launch: Launch) -> list[_StateRun]:
    """Arrivals of a launch, one run per -through state its paths reach (one without
    -through exceptions). States are processed in increasing progress: a state's arrivals
    are complete before any arc that advances it seeds the next."""
    at_max0, at_min0, arc_on = _launch_init(g, an, launch)
    n = g.n_nodes
    m = an.thru
    if m is None:
        run = _StateRun(frozenset(), at_max0, at_min0, np.full((n, 2), -1, np.int64),
                        np.full((n, 2), -1, np.int64), arc_on)
        an.engine.arrivals(g, arc_on, an.arc_dmax, an.arc_dmin, run.at_max, run.at_min,
                           run.prev_max, run.prev_min)
        return [run]
    runs: dict[frozenset, _StateRun] = {}
    heap: list = []

    def get(state: frozenset) -> _StateRun:
        r = runs.get(state)
        if r is None:
            if len(runs) >= MAX_STATES:
                raise too_many_states()
            r = runs[state] = _StateRun(state, np.full((n, 2), -INF), np.full((n, 2), INF),
                                        np.full((n, 2), -1, np.int64),
                                        np.full((n, 2), -1, np.int64), arc_on)
            heapq.heappush(heap, (state_order_key(state), len(runs), state))
        return r

    s0 = m.initial(launch.signature)
    get(s0)
    for v, e in zip(*np.nonzero(np.isfinite(at_max0) | np.isfinite(at_min0))):
        # a -through point on the startpoint (an input port) itself
        r = get(m.advance(s0, int(v), int(e)))
        r.at_max[v, e] = at_max0[v, e]
        r.at_min[v, e] = at_min0[v, e]
    order: list[_StateRun] = []
    while heap:
        r = runs[heapq.heappop(heap)[2]]
        r.mask, trans = m.transitions(r.state)
        an.engine.arrivals(g, arc_on, an.arc_dmax, an.arc_dmin, r.at_max, r.at_min,
                           r.prev_max, r.prev_min, mask=r.mask, keep=True)
        r.index = len(order)
        order.append(r)
        for a, eo, ei, state in trans:
            f, o = int(g.arc_from[a]), int(g.arc_to[a])
            tmax, tmin = r.at_max[f, ei], r.at_min[f, ei]
            if not arc_on[a] or (tmax == -INF and tmin == INF):
                continue
            c = get(state)
            r.trans.append((a, eo, ei, c))
            if tmax != -INF and tmax + an.arc_dmax[a, eo, ei] > c.at_max[o, eo]:
                c.at_max[o, eo] = tmax + an.arc_dmax[a, eo, ei]
                c.prev_max[o, eo] = -2 - len(c.seeds_max)
                c.seeds_max.append((r, a, ei))
            if tmin != INF and tmin + an.arc_dmin[a, eo, ei] < c.at_min[o, eo]:
                c.at_min[o, eo] = tmin + an.arc_dmin[a, eo, ei]
                c.prev_min[o, eo] = -2 - len(c.seeds_min)
                c.seeds_min.append((r, a, ei))
    return order


def _endpoints(g: TimingGraph, sdc: Constraints) -> list[Endpoint]:
    eps: list[Endpoint] = []
    blocked = g.node_blocked

    def dead(v: int) -> bool:
        """A constant endpoint, or one whose driver no path is searched from."""
        if blocked is None:
            return False
        if g.node_const[v] >= 0:
            return True
        s = g.source(v)
        return s != v and bool(blocked[s])

    for pname, entries in sdc.output_delays.items():
        v = g.port_node.get(pname)
        if v is None or dead(v):
            continue
        for entry in entries:
            if entry.clock is None:
                continue
            ep = Endpoint(v, pname, "output", entry.clock, 1 if entry.clock_fall else 0,
                          delays=entry.values, ref_pin=entry.ref_pin)
            eps.append(ep)
    insts = g.netlist.instances
    seen: dict[tuple[int, int], Endpoint] = {}
    for k in range(len(g.chk_pin)):
        cn = int(g.chk_clock[k])
        if cn < 0:
            continue
        if dead(int(g.chk_pin[k])):
            continue
        cname, parity = g.clock_nodes[cn - g.clock_node_base]
        key = (int(g.chk_pin[k]), cn)
        ep = seen.get(key)
        if ep is None:
            v = int(g.chk_pin[k])
            i = int(g.node_inst[v])
            # which clock-pin edge the check uses is the same for setup and hold of one pin
            ep = Endpoint(v, f"{insts[i].name}/{g.node_pin[v]}", "register", cname, 0)
            seen[key] = ep
            eps.append(ep)
        ep.checks.append(k)
    return eps


def _check_all(an: Analysis) -> None:
    g, sdc = an.graph, an.sdc
    tab = g.tables
    insts = g.netlist.instances
    # Register checks: setup / hold times depend on slews only, not on the launch.
    chk_time = {}
    looked: list[tuple[int, int, int, float, float]] = []   # (k, e, table, slews)
    for k in range(len(g.chk_pin)):
        cn = int(g.chk_clock[k])
        if cn < 0:
            continue
        kind = int(g.chk_kind[k])
        sl = an.slew_max if kind == SETUP else an.slew_min
        for e in range(2):
            tid = int(g.chk_tab[k, e])
            if tid < 0:
                chk_time[(k, e)] = None
                continue
            cslew = float(sl[cn, int(g.chk_edge[k])])
            dslew = float(an.slew_at(int(g.chk_pin[k]), e, 0 if kind == SETUP else 1))
            looked.append((k, e, tid, cslew, dslew))
    if looked:   # one vectorised lookup for every check (elementwise: the same numbers)
        ks, es, tids, cslews, dslews = zip(*looked)
        times = L.table_values(np.array(tids, np.int64), np.array(cslews),
                               np.zeros(len(tids)), np.array(dslews), *tab).tolist()
        for k, e, t in zip(ks, es, times):
            if an.derate is not None:
                t *= an.derate.check(int(g.node_inst[int(g.chk_pin[k])]), e,
                                     0 if int(g.chk_kind[k]) == SETUP else 1)
            chk_time[(k, e)] = t
    chooser = ExceptionChooser(sdc.exceptions) if sdc.exceptions else None
    # a report's -from/-through/-to (pathfilter.py): only the paths it passes are timed
    filt = next((k for k, x in enumerate(sdc.exceptions) if x.kind == "filter"), None)
    if any(x.thrus for x in sdc.exceptions):
        an.thru = ThruMachine(g, sdc.exceptions)
    bases, an.launches = an.launches, []
    for launch in bases:
        group = _group_arrivals(g, an, launch)
        start = len(an.launches)
        for k, res in enumerate(group):
            an.launches.append(dataclasses.replace(launch, state=res.state, group=start,
                                                   state_index=k))
        for k, res in enumerate(group):
            r = start + k
            if r < _CACHED_RUNS:  # path reports reuse them
                an.arrival_cache[r] = res.as_tuple(start)
            res.req_max = np.full((g.n_nodes, 2), INF)
            res.req_min = np.full((g.n_nodes, 2), -INF)
            for ep in an.endpoints:
                if sdc.clock_groups and sdc.exclusive(launch.clock, ep.capture_clock):
                    continue
                names = {ep.name}
                if ep.kind == "register":
                    names.add(insts[g.node_inst[ep.node]].name)
                ctx = _Ctx(chooser, launch.sig_set, names, an.thru, res.state, filt)
                d = g.source(ep.node)
                for e in range(2):
                    for check in (SETUP, HOLD):
                        at = res.at_max[d, e] if check == SETUP else res.at_min[d, e]
                        if not math.isfinite(at):
                            continue
                        w = an.pin_wire(ep.node, e, check)
                        _one(an, ep, r, launch, check, e, at + w, d, ctx, chk_time,
                             res.req_max, res.req_min, w)
        _required(an, group)


def _required(an: Analysis, group: list[_StateRun]) -> None:
    """Required times and the worst slack through every node, per state: a state's
    required times at the sources of its state-changing arcs come from the state they lead
    to (processed first: states run in reverse order of progress)."""
    g = an.graph
    node_slack = an.node_slack
    for res in reversed(group):
        for a, eo, ei, c in res.trans:
            f, o = int(g.arc_from[a]), int(g.arc_to[a])
            res.req_max[f, ei] = min(res.req_max[f, ei], c.req_max[o, eo]
                                     - an.arc_dmax[a, eo, ei])
            res.req_min[f, ei] = max(res.req_min[f, ei], c.req_min[o, eo]
                                     - an.arc_dmin[a, eo, ei])
        an.engine.required(g, res.arc_on, an.arc_dmax, an.arc_dmin, res.req_max,
                           res.req_min, mask=res.mask)
        with np.errstate(invalid="ignore"):
            s_setup = np.min(res.req_max - res.at_max, axis=1)
            s_hold = np.min(res.at_min - res.req_min, axis=1)
        s_setup[~np.isfinite(s_setup)] = INF
        s_hold[~np.isfinite(s_hold)] = INF
        np.minimum(node_slack[:, 0], s_setup, out=node_slack[:, 0])
        np.minimum(node_slack[:, 1], s_hold, out=node_slack[:, 1])


@dataclass(repr=False, eq=False)
class _Ctx:
    """What the exception choice at one endpoint needs from its launch run."""

    chooser: ExceptionChooser | None
    sig: frozenset
    names: set[str]
    thru: ThruMachine | None
    state: frozenset
    filt: int | None = None   # index of a report's path filter (pathfilter.py)

    def passes(self, ep: Endpoint, e: int, cap_edge: int) -> bool:
        """Whether paths of this run ending at ep (data edge e) pass the report filter."""
        if self.filt is None:
            return True
        x = self.chooser.exceptions[self.filt]
        return filter_passes(x, self.filt, self.sig, self.done(ep.node, e), self.names,
                             ep.capture_clock, e, cap_edge)

    def done(self, node: int, e: int) -> frozenset:
        """-through exceptions complete on the path, the endpoint pin itself passed."""
        if self.thru is None:
            return frozenset()
        return self.thru.done(self.thru.advance(self.state, node, e))

    def choose(self, ep: Endpoint, e: int, cap_edge: int, check: int, kind=None,
               exact=False) -> Exception_ | None:
        if self.chooser is None:
            return None
        return self.chooser.choose(self.sig, self.done(ep.node, e), self.names,
                                   ep.capture_clock, e, cap_edge, check, kind, exact)


def _mcp_adjust(sdc: Constraints, launch: Launch, clock: str, exc: Exception_ | None,
                check: int, other) -> float:
    """Multicycle shift of the capture edge (OpenSTA's checkMcpAdjustment): setup moves
    (mult - 1) periods of the capture clock (-end) or launch clock (-start); hold takes the
    setup shift less the hold multiplier's periods. `other(kind check)` finds the
    multicycle path of the other check on the same path."""
    if exc is None or exc.kind != "multicycle":
        return 0.0
    p_tgt = sdc.clocks[clock].period
    p_src = sdc.clocks[launch.clock].period

    def period(x):
        return p_tgt if x.use_end_clk else p_src

    if check == SETUP:
        return (int(exc.value) - 1) * period(exc)
    if exc.min_max in ("all", "min"):
        hold_mcp, setup_mcp = exc, other(SETUP)
    else:
        setup_mcp, hold_mcp = exc, other(HOLD)
    if setup_mcp is not None and hold_mcp is not None:
        return (int(setup_mcp.value) - 1) * period(setup_mcp) \
            - hold_multiplier(hold_mcp) * period(hold_mcp)
    if hold_mcp is not None:
        return -hold_multiplier(hold_mcp) * period(hold_mcp)
    return (int(setup_mcp.value) - 1) * period(setup_mcp)


def _one(an: Analysis, ep: Endpoint, r: int, launch: Launch, check: int, e: int, at: float,
         d: int, ctx: _Ctx, chk_time, req_max, req_min, w: float = 0.0) -> None:
    g, sdc = an.graph, an.sdc
    clk = sdc.clocks[ep.capture_clock]
    if ep.kind == "output":
        mm = 0 if check == SETUP else 1
        od = ep.delays.get((e, mm))
        if od is None:
            return
        margins = [(od, None)]
    else:
        margins = []
        for k in ep.checks:
            if int(g.chk_kind[k]) != check:
                continue
            t = chk_time.get((k, e))
            if t is None:
                continue
            margins.append((t, k))
        if not margins:
            return
    for margin, k in margins:
        if ep.kind == "register":
            cname, parity = g.clock_nodes[int(g.chk_clock[k]) - g.clock_node_base]
            # g.chk tab edge: the clock pin edge of the check (rising checks use node rise)
            cap_edge = parity ^ _check_clock_edge(g, k)
        else:
            cap_edge = ep.capture_edge
        if not ctx.passes(ep, e, cap_edge):
            continue
        exc = ctx.choose(ep, e, cap_edge, check)
        if exc is not None and exc.kind == "false_path":
            continue
        setup_sep, hold_sep = cycle_delays(launch.time, sdc.clocks[launch.clock].period,
                                           clk.waveform[cap_edge], clk.period)
        adj = _mcp_adjust(sdc, launch, ep.capture_clock, exc, check,
                          lambda c: ctx.choose(ep, e, cap_edge, c, "multicycle", True))
        t_setup = launch.time + setup_sep + adj
        t_hold = launch.time - hold_sep + adj
        # the capture clock's arrival: early for setup, late for hold, less the pessimism
        # its path shares with the launching clock's
        mm_c = 1 if check == SETUP else 0
        crpr = 0.0
        cl = an.clocks
        if cl is None:
            lat = 0.0
        elif ep.kind == "register":
            cn = int(g.chk_clock[k]) - g.clock_node_base
            pin_edge = _check_clock_edge(g, k)
            lat = float(cl.lat[cn, pin_edge, mm_c])
            if launch.crpr_node >= 0:
                lcn = launch.crpr_node
                crpr = cl.crpr(lcn, launch.edge ^ g.clock_nodes[lcn][1], cn, pin_edge)
        else:
            lat = cl.port_latency(ep.capture_clock, cap_edge, mm_c) if ep.ref_pin is None \
                else cl.ref_latency(ep.capture_clock, cap_edge, mm_c, ep.ref_pin, True)
        t_setup += lat + crpr
        t_hold += lat - crpr
        # Setup: the data must arrive `margin` (setup time, output delay) before the capture
        # edge. Hold: after the hold time past the hold edge, or, at an output, no earlier
        # than the output's min delay before it.
        unc = sdc.clock_uncertainty(launch.clock, launch.edge, ep.capture_clock, cap_edge,
                                    check)
        if exc is not None and exc.kind == ("max_delay" if check == SETUP else "min_delay"):
            lat = crpr = unc = 0.0   # a path delay counts from the launch edge alone
        if check == SETUP:
            base = launch.time + exc.value if exc is not None and exc.kind == "max_delay" \
                else t_setup - unc
            req = base - margin
            slack = req - at
            req_max[d, e] = min(req_max[d, e], req - w)
        else:
            base = launch.time + exc.value if exc is not None and exc.kind == "min_delay" \
                else t_hold + unc
            req = base + margin if ep.kind == "register" else base - margin
            slack = at - req
            req_min[d, e] = max(req_min[d, e], req - w)
        if an.keep_ends:
            grp = ctx.choose(ep, e, cap_edge, check, "group_path")
            ep.ends.append((check, r, e, slack, at, req, margin,
                            exc.kind if exc is not None else None, lat, crpr, unc,
                            grp.group if grp is not None else None))
        if slack < ep.slack[check]:
            ep.slack[check] = slack
            ep.arrival[check] = at
            ep.required[check] = req
            ep.edge[check] = e
            ep.run[check] = r
            ep.margin[check] = margin
            ep.exception[check] = exc.kind if exc is not None else None
            ep.clock_latency[check] = lat
            ep.crpr[check] = crpr
            ep.uncertainty[check] = unc


def _check_clock_edge(g: TimingGraph, k: int) -> int:
    return int(g.chk_edge[k])
