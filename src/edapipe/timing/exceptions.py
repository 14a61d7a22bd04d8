"""Path exceptions as OpenSTA applies them (sdc/ExceptionPath.cc, search/Search.cc).

- Which exception a path takes: among those whose -from matches its startpoint, whose
  -through points it passed in order and whose -to matches its endpoint (each with its
  rise/fall), the one of highest priority: type (false path 4000, path delay 3000,
  multicycle 2000) plus specificity (-from pins/cells 64, -to pins/cells 32, -through 16,
  -from clocks 8, -to clocks 4; `Exception_.specificity`), a multicycle path +1 for both
  checks, +2 for the check it names; among equals the tighter one (smaller multiplier or
  max delay, larger min delay), then the first in the file. A hold path also sees the setup
  multicycle paths (OpenSTA's `MultiCyclePath::matches` with `exactly` false): they set its
  cycle accounting.
- `group_path` exceptions (priority 0) take no part in that choice: the highest of them
  names the report group of a path (chosen on their own, kind "group_path").
- -through points are tracked along the path as OpenSTA's exception states: a state is a
  set of (exception, points passed); passing a pin (or a pin of a net or cell) that the next
  point names, with its transition, advances it. Exceptions without -from start at their
  first -through point. `ThruMachine` finds, for a state, the arcs whose traversal changes
  it; search.py propagates each state with those arcs masked and seeds the next state with
  their arrivals, so a path's state is known exactly with no tags inside the kernels.
"""

from __future__ import annotations

import numpy as np

from edapipe.errors import ResourceLimit
from edapipe.timing.graph import EDGE, SETUP, TimingGraph
from edapipe.timing.sdc import Exception_, Obj

_TYPE_PRIORITY = {"false_path": 4000, "max_delay": 3000, "min_delay": 3000, "multicycle": 2000,
                  "group_path": 0}
# exception states of one launch beyond which the analysis stops (exit 4): each state is a
# full propagation
MAX_STATES = 256


def rf_ok(rf: int | None, edge: int) -> bool:
    return rf is None or rf == edge


def priority(x: Exception_, check: int) -> int:
    p = _TYPE_PRIORITY[x.kind] + x.specificity
    if x.kind == "multicycle":
        if x.min_max == "all":
            p += 1
        elif x.min_max == ("max" if check == SETUP else "min"):
            p += 2
    return p


def _tightness(x: Exception_) -> float:
    """Larger is tighter (OpenSTA's tighterThan among equal priorities)."""
    if x.kind in ("multicycle", "max_delay"):
        return -x.value
    if x.kind == "min_delay":
        return x.value
    return 0.0


def applies(x: Exception_, check: int, exact: bool) -> bool:
    if check == SETUP:
        return x.min_max in ("all", "max")
    return x.min_max in ("all", "min") or (x.kind == "multicycle" and not exact)


def hold_multiplier(x: Exception_) -> int:
    """OpenSTA's pathMultiplier(min): 0 for a multicycle path given without -setup/-hold."""
    return 0 if x.min_max == "all" else int(x.value)


class PointIndex:
    """Which exceptions name an object or clock in their -from (or -to) list, by name.

    Looking exceptions up by the names of a startpoint or endpoint, instead of testing every
    exception at every point, keeps 10^5 exceptions from costing 10^5 tests per endpoint.
    """

    def __init__(self, exceptions: list[Exception_], attr: str):
        self.by_name: dict[str, list[int]] = {}
        self.by_clock: dict[str, list[int]] = {}
        self.everything: list[int] = []   # exceptions without that list: they match all
        for k, x in enumerate(exceptions):
            objs = getattr(x, attr)
            if objs is None:
                self.everything.append(k)
                continue
            for o in objs:
                table = self.by_clock if o.kind == "clock" else self.by_name
                table.setdefault(o.name, []).append(k)

    def names(self, names) -> set[int]:
        out: set[int] = set()
        for n in names:
            out.update(self.by_name.get(n, ()))
        return out

    def clock(self, clock: str | None) -> list[int]:
        return self.by_clock.get(clock, []) if clock is not None else []


def from_signature(index: PointIndex, exceptions: list[Exception_], names, clock: str,
                   pin_edge: int, clock_edge: int) -> tuple[int, ...]:
    """Exceptions whose -from matches a startpoint (by name with the startpoint's
    transition, a register's clock pin edge; by clock with the launching clock edge)."""
    ks = {k for k in index.names(names) if rf_ok(exceptions[k].from_rf, pin_edge)}
    ks.update(k for k in index.clock(clock) if rf_ok(exceptions[k].from_rf, clock_edge))
    return tuple(sorted(ks))


def filter_passes(x: Exception_, k: int, sig: frozenset, done: frozenset, names,
                  clock: str, data_edge: int, clock_edge: int) -> bool:
    """Whether a path passes a report's -from/-through/-to filter (exception k, of kind
    "filter", which takes no part in choosing exceptions): its startpoint matched the
    -from, it passed every -through in order and its endpoint matches the -to."""
    if x.thrus:
        if k not in done:
            return False
    elif x.from_objs is not None and k not in sig:
        return False
    if x.to_objs is None:
        return rf_ok(x.to_rf, data_edge)
    for o in x.to_objs:
        if o.kind == "clock":
            if o.name == clock and rf_ok(x.to_rf, clock_edge):
                return True
        elif o.name in names and rf_ok(x.to_rf, data_edge):
            return True
    return False


class ExceptionChooser:
    """The exception a path to an endpoint takes (module docstring)."""

    def __init__(self, exceptions: list[Exception_]):
        self.exceptions = exceptions
        self.to_index = PointIndex(exceptions, "to_objs")
        self._open: dict[tuple, tuple | None] = {}

    def _rank(self, k: int, check: int, sig: frozenset, done: frozenset, kind: str | None,
              exact: bool) -> tuple | None:
        x = self.exceptions[k]
        # group paths only name report groups: chosen on their own (kind "group_path")
        wanted = x.kind == kind if kind is not None else x.kind != "group_path"
        if x.kind == "filter" or not wanted:
            return None
        if not applies(x, check, exact):
            return None
        if x.thrus:
            if k not in done:
                return None
        elif x.from_objs is not None and k not in sig:
            return None
        return (priority(x, check), _tightness(x), -k)

    def choose(self, sig: frozenset, done: frozenset, names, clock: str, data_edge: int,
               clock_edge: int, check: int, kind: str | None = None,
               exact: bool = False) -> Exception_ | None:
        xs = self.exceptions
        key = (sig, done, check, data_edge, kind, exact)
        if key not in self._open:   # exceptions without -to: the same for every endpoint
            ranks = [r for k in self.to_index.everything
                     if rf_ok(xs[k].end_rf, data_edge)
                     and (r := self._rank(k, check, sig, done, kind, exact)) is not None]
            self._open[key] = max(ranks) if ranks else None
        best = self._open[key]
        cands = [k for k in self.to_index.names(names)
                 if rf_ok(xs[k].to_rf, data_edge) and rf_ok(xs[k].end_rf, data_edge)]
        cands += [k for k in self.to_index.clock(clock)
                  if rf_ok(xs[k].to_rf, clock_edge) and rf_ok(xs[k].end_rf, data_edge)]
        for k in cands:
            r = self._rank(k, check, sig, done, kind, exact)
            if r is not None and (best is None or r > best):
                best = r
        return None if best is None else xs[-best[2]]


def _nodes_of(g: TimingGraph, obj: Obj, lookup) -> list[int]:
    """Graph nodes an object of a -through point stands for (pins of a net or cell)."""
    if obj.kind == "port":
        v = g.port_node.get(obj.name)
        return [] if v is None else [v]
    if obj.kind == "pin":
        inst, _, pin = obj.name.rpartition("/")
        return [v for v in lookup.inst_nodes(inst) if g.node_pin[v] == pin]
    if obj.kind == "cell":
        return list(lookup.inst_nodes(obj.name))
    return lookup.net_nodes(obj.name)


class _Lookup:
    """Instance and net names to graph nodes, built on first use."""

    def __init__(self, g: TimingGraph):
        self.g = g
        self._inst: dict[str, int] | None = None
        self._net: dict[str, int] | None = None
        self._net_order = None

    def inst_nodes(self, name: str):
        g = self.g
        if self._inst is None:
            self._inst = {inst.name: i for i, inst in enumerate(g.netlist.instances)}
        i = self._inst.get(name)
        if i is None:
            return range(0)
        n_pins = len(g.node_inst) - len(g.netlist.ports) - len(g.clock_nodes)
        lo = int(np.searchsorted(g.node_inst[:n_pins], i, "left"))
        hi = int(np.searchsorted(g.node_inst[:n_pins], i, "right"))
        return range(lo, hi)

    def net_nodes(self, name: str) -> list[int]:
        g = self.g
        if self._net is None:
            self._net = {n: k for k, n in enumerate(g.netlist.net_names)}
            nets = g.node_net
            self._net_order = np.argsort(nets, kind="stable")
            self._net_sorted = nets[self._net_order]
        k = self._net.get(name)
        if k is None:
            return []
        lo = int(np.searchsorted(self._net_sorted, k, "left"))
        hi = int(np.searchsorted(self._net_sorted, k, "right"))
        return [int(v) for v in self._net_order[lo:hi]]


def node_by_name(g: TimingGraph, name: str) -> int | None:
    """The graph node of a port or `inst/pin` name (None when there is none)."""
    from edapipe.timing.modes import _Pins
    return _Pins(g).by_name(name)


class ThruMachine:
    """-through progress of paths (module docstring). A state is a frozenset of
    (exception index, points passed)."""

    def __init__(self, g: TimingGraph, exceptions: list[Exception_]):
        self.g = g
        self.exceptions = exceptions
        self.count = {k: len(x.thrus) for k, x in enumerate(exceptions) if x.thrus}
        self.kickoff = {k for k in self.count if exceptions[k].from_objs is None}
        lookup = _Lookup(g)
        # node -> [(exception, point index, transition)]
        self.at_node: dict[int, list[tuple[int, int, int | None]]] = {}
        for k in self.count:
            for j, (objs, rf) in enumerate(exceptions[k].thrus):
                for o in objs:
                    for v in _nodes_of(g, o, lookup):
                        self.at_node.setdefault(int(v), []).append((k, j, rf))
        self._trans: dict[frozenset, tuple] = {}
        keys = np.array(sorted(self.at_node), np.int64)
        # arcs whose input pin (cell arcs) or output pin is a -through node
        comb = g.arc_kind != EDGE
        self.arcs = np.flatnonzero((np.isin(g.arc_pin, keys) & comb)
                                   | np.isin(g.arc_to, keys))

    def initial(self, sig: tuple[int, ...]) -> frozenset:
        return frozenset((k, 0) for k in sig if k in self.count)

    def done(self, state: frozenset) -> frozenset:
        return frozenset(k for k, p in state if p == self.count[k])

    def advance(self, state: frozenset, v: int, e: int) -> frozenset:
        entries = self.at_node.get(v)
        if not entries:
            return state
        match = {(k, j) for k, j, rf in entries if rf_ok(rf, e)}
        if not match:
            return state
        new = {(k, p + 1) if (k, p) in match else (k, p) for k, p in state}
        new.update((k, 1) for k, j in match if j == 0 and k in self.kickoff)
        return frozenset(new)

    def transitions(self, state: frozenset):
        """(search mask with the state-changing arc edges cleared, [(arc, eo, ei, new
        state)]) for paths in `state`; cached per state."""
        got = self._trans.get(state)
        if got is not None:
            return got
        g = self.g
        base = g.search_mask
        mask = None
        out = []
        for a in self.arcs:
            a = int(a)
            pin = int(g.arc_pin[a]) if g.arc_kind[a] != EDGE else -1
            to = int(g.arc_to[a])
            for eo in range(2):
                bits = int(base[a, eo])
                for ei in range(2):
                    if not (bits >> ei) & 1:
                        continue
                    s = self.advance(state, pin, ei) if pin >= 0 else state
                    s = self.advance(s, to, eo)
                    if s != state:
                        if mask is None:
                            mask = base.copy()
                        mask[a, eo] = bits & ~(1 << ei) & int(mask[a, eo])
                        out.append((a, eo, ei, s))
        got = (base if mask is None else mask, out)
        self._trans[state] = got
        return got


def state_order_key(state: frozenset) -> int:
    """Advancing a state always raises this: seeds flow from smaller keys to larger."""
    return sum(p for _, p in state) + len(state)


def too_many_states() -> ResourceLimit:
    return ResourceLimit(f"-through exceptions make more than {MAX_STATES} path states from "
                         "one launch (each is a propagation); merge or simplify them")
