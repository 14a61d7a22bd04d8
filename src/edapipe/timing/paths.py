"""Paths for reports: the worst path to an endpoint, the N worst paths per endpoint
(OpenSTA's `report_checks -endpoint_count N`, `-unique_paths_to_endpoint`) and the paths
that pass `-from/-through/-to` points (pathfilter.py builds those analyses).

The search keeps, per launch run and -through state, the latest (setup) or earliest (hold)
arrival at every node and the arc it came through. The worst path to an endpoint follows
those back pointers. The next worst ones are found by *deviations* (as OpenSTA's PathEnum):
at a node of a path, arriving through another fanin arc instead costs the difference
between the node's best arrival and that arc's; since every node's best arrival is exact,
the path that deviates at a node and then follows back pointers is the best of all paths
with that suffix, and a heap ordered by slack yields the paths in order.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace

from edapipe.timing.graph import SETUP, WIRE
from edapipe.timing.search import Analysis, Endpoint

# deviations queued for one report before the enumeration stops (each costs a heap entry of
# ~200 bytes): it never runs away on a design with very many reconvergent paths
MAX_DEVIATIONS = 500_000


@dataclass(frozen=True, repr=False)
class End:
    """One path end at an endpoint (a launch run and data edge), as search._one found it."""

    run: int
    edge: int
    slack: float
    arrival: float
    required: float
    margin: float
    exception: str | None
    clock_latency: float
    crpr: float
    uncertainty: float
    group: str | None = None   # the group of the group_path it matches

    @staticmethod
    def of(ep: Endpoint, check: int) -> End:
        """The endpoint's worst path end."""
        return End(ep.run[check], ep.edge[check], ep.slack[check], ep.arrival[check],
                   ep.required[check], ep.margin[check], ep.exception[check],
                   ep.clock_latency[check], ep.crpr[check], ep.uncertainty[check])


@dataclass(repr=False, eq=False)
class Steps:
    """A path's arcs from its start: (arc, to node, out edge, in edge, time at the arc's
    source, time at `to`), the launch run and the start node, edge and time."""

    run: int
    start: int
    start_edge: int
    start_time: float
    steps: list[tuple[int, int, int, int, float, float]]


@dataclass(repr=False, eq=False)
class Path:
    """One reported path: the endpoint, the check, the end and the arcs."""

    ep: Endpoint
    check: int
    end: End
    steps: Steps


@dataclass(frozen=True, repr=False)
class Selection:
    """Which paths a report shows per check: the `count` worst (-group_count), at most
    `per_endpoint` to one endpoint pin (-endpoint_count), with `unique` one per sequence
    of pins (-unique_paths_to_endpoint)."""

    count: int = 1
    per_endpoint: int = 1
    unique: bool = False


def worst_steps(an: Analysis, ep: Endpoint, check: int) -> Steps:
    """The arcs of the worst path to ep (its back pointers)."""
    steps, _ = _follow(an, ep.run[check], an.graph.source(ep.node), ep.edge[check], check,
                       None)
    return steps


def _follow(an: Analysis, run: int, v: int, e: int, check: int, suffix
            ) -> tuple[Steps, list[tuple[int, int, int]]]:
    """Back pointers from (v, e) in `run` to the start, then `suffix` (the arcs after v,
    (arc, to, eo, ei), as a linked list (arc, rest) or None: deviations share their tails);
    times recomputed forward. Also the (node, edge, run) of every node reached by back
    pointers, from the start to (v, e)."""
    g = an.graph
    mm = 0 if check == SETUP else 1
    back = []
    nodes = [(v, e, run)]
    at, prev, seeds = _arrays(an, run, mm)
    while True:
        p = int(prev[v, e])
        if p >= 0:
            a, ei = divmod(p, 2)
        elif p <= -2:   # the arc that advanced a -through state: its source is in another run
            run, a, ei = seeds[-2 - p]
            at, prev, seeds = _arrays(an, run, mm)
        else:
            break
        back.append((a, v, e, ei))
        v, e = int(g.arc_from[a]), ei
        nodes.append((v, e, run))
    back.reverse()
    nodes.reverse()
    delay = an.arc_dmax if check == SETUP else an.arc_dmin
    t = float(at[v, e])
    out = []
    after = []
    while suffix is not None:
        after.append(suffix[0])
        suffix = suffix[1]
    for a, to, eo, ei in back + after:
        t_to = t + float(delay[a, eo, ei])
        out.append((a, to, eo, ei, t, t_to))
        t = t_to
    return Steps(run, v, e, float(at[v, e]), out), nodes


def select(an: Analysis, check: int, sel: Selection, endpoints: list[Endpoint]
           ) -> Selected:
    """The `sel.count` worst paths to `endpoints` (sorted worst first), at most
    `sel.per_endpoint` per endpoint pin, worst first."""
    if sel.per_endpoint == 1:   # OpenSTA enumerates only for -endpoint_count above 1
        return Selected(Path(ep, check, End.of(ep, check), worst_steps(an, ep, check))
                        for ep in endpoints[:sel.count])
    enum = _Enumeration(an, check, sel)
    out = Selected(enum.run([(ep, end) for ep in endpoints for end in _ends(ep, check)]))
    out.truncated = enum.truncated
    return out


PATH_DELAYS = ("max_delay", "min_delay")


def group_of(ep: Endpoint, end: End) -> str:
    """A path's group as OpenSTA's PathGroups: the group_path it matches, else its
    capture clock, or **default** for a set_max_delay / set_min_delay path to an output
    port."""
    if end.group is not None:
        return end.group
    if end.exception in PATH_DELAYS and ep.kind == "output":
        return "**default**"
    return ep.capture_clock


def needs_ends(an_sdc, sel: Selection) -> bool:
    """Whether a report needs every path end kept (analyze's keep_ends): several paths per
    endpoint, or path delays and group paths (their paths form groups of their own)."""
    return sel.per_endpoint > 1 or any(x.kind in PATH_DELAYS or x.kind == "group_path"
                                       for x in an_sdc.exceptions)


def select_groups(an: Analysis, check: int, sel: Selection, endpoints: list[Endpoint]
                  ) -> list[tuple[str, Selected]]:
    """The paths of every path group (by name, as OpenSTA orders them), each selected as
    `select` does within the group (`sel.count` is OpenSTA's -group_count)."""
    if not needs_ends(an.sdc, sel):   # each endpoint's group is its capture clock
        by: dict[str, list[Endpoint]] = {}
        for ep in endpoints:
            by.setdefault(ep.capture_clock, []).append(ep)
        return [(name, select(an, check, sel, eps)) for name, eps in sorted(by.items())]
    if not an.keep_ends:
        raise ValueError("path groups with path delays need analyze(..., keep_ends=True)")
    groups: dict[str, list[tuple[Endpoint, End]]] = {}
    for ep in endpoints:
        for end in _ends(ep, check):
            groups.setdefault(group_of(ep, end), []).append((ep, end))
    out = []
    for name, ends in sorted(groups.items(), key=lambda kv: group_order(an.sdc, kv[0])):
        if sel.per_endpoint > 1:
            enum = _Enumeration(an, check, sel)
            got = Selected(enum.run(ends))
            got.truncated = enum.truncated
        else:
            got = Selected(_worst_per_pin(an, check, ends)[:sel.count])
        out.append((name, got))
    return out


def group_order(sdc, name: str) -> tuple[bool, str]:
    """OpenSTA's order of path groups: the group_path groups by name, then the others
    (**default**, the clocks) by name."""
    named = {x.group for x in sdc.exceptions if x.kind == "group_path"} - {"**default**"}
    return (name not in named, name)


def _worst_per_pin(an: Analysis, check: int, ends) -> list[Path]:
    """The worst path end of every endpoint pin among `ends`, worst first."""
    best: dict[int, tuple[Endpoint, End]] = {}
    for ep, end in ends:
        if ep.node not in best or end.slack < best[ep.node][1].slack:
            best[ep.node] = (ep, end)
    chosen = sorted(best.values(), key=lambda x: (x[1].slack, x[0].name))
    g = an.graph
    return [Path(ep, check, end, _follow(an, end.run, g.source(ep.node), end.edge, check,
                                         None)[0]) for ep, end in chosen]


def _ends(ep: Endpoint, check: int) -> list[End]:
    """The endpoint's path ends of a check (kept by analyze's keep_ends): the worst per
    launch run, data edge and group."""
    best: dict[tuple, tuple] = {}
    for rec in ep.ends:
        key = (rec[1], rec[2], rec[11])   # run, data edge, group
        if rec[0] == check and (key not in best or rec[3] < best[key][3]):
            best[key] = rec
    return [End(*rec[1:]) for rec in best.values()]


class Selected(list):
    """The selected paths; `truncated` when the enumeration stopped at MAX_DEVIATIONS."""

    truncated = False


class _Enumeration:
    """OpenSTA's PathEnum over one check: a queue of path ends and deviations ordered by
    slack; a popped path counts for its endpoint pin and, while that pin has fewer than
    per_endpoint paths, is reported and adds its deviations. The queue is cut to the
    `count` best (at most per_endpoint per pin) whenever it holds more than twice `count`;
    with `unique`, as -unique_paths_to_endpoint, the cut keeps one per pin (also once
    before the first path) and a deviation may not arrive from the pin the path came from
    (paths differing only in rise/fall are not made)."""

    def __init__(self, an: Analysis, check: int, sel: Selection):
        if not an.keep_ends:
            raise ValueError("several paths per endpoint need analyze(..., keep_ends=True)")
        self.an, self.check, self.sel = an, check, sel
        self.heap: list = []
        self.tick = 0
        self.budget = MAX_DEVIATIONS
        self.truncated = False   # the budget ran out: fewer paths than asked, maybe

    def push(self, slack, ep, end, run, v, e, suffix, prune=True) -> None:
        heapq.heappush(self.heap, (slack, self.tick, ep, end, run, v, e, suffix))
        self.tick += 1
        if prune and len(self.heap) > 2 * self.sel.count:
            self.prune()

    def prune(self) -> None:
        keep, counts = [], {}
        while self.heap and len(keep) < self.sel.count:
            item = heapq.heappop(self.heap)
            n = counts.get(item[2].node, 0)
            if n < (1 if self.sel.unique else self.sel.per_endpoint):
                keep.append(item)
                counts[item[2].node] = n + 1
        self.heap = keep   # popped in order: already a heap

    def run(self, ends: list[tuple[Endpoint, End]]) -> list[Path]:
        """The paths from these path ends."""
        g = self.an.graph
        for ep, end in self.path_ends(ends):
            self.push(end.slack, ep, end, end.run, g.source(ep.node), end.edge, None,
                      prune=False)
        if self.sel.unique:
            self.prune()
        out: list[Path] = []
        counts: dict[int, int] = {}
        while self.heap and len(out) < self.sel.count:
            slack, _, ep, end, run, v, e, suffix = heapq.heappop(self.heap)
            counts[ep.node] = counts.get(ep.node, 0) + 1
            if counts[ep.node] > self.sel.per_endpoint:
                continue
            steps, nodes = _follow(self.an, run, v, e, self.check, suffix)
            t_end = steps.steps[-1][5] if steps.steps else steps.start_time
            w = self.an.pin_wire(ep.node, end.edge, 0 if self.check == SETUP else 1)
            out.append(Path(ep, self.check, replace(end, slack=slack, arrival=t_end + w),
                            steps))
            if not self.deviate(slack, ep, end, steps, nodes, suffix):
                break
        return out

    def path_ends(self, ends: list[tuple[Endpoint, End]]) -> list[tuple[Endpoint, End]]:
        """The path ends the enumeration starts from: the `count` best with at most
        per_endpoint per pin, as OpenSTA's path group keeps them (it matters with
        `unique`, whose first cut keeps one per pin of these)."""
        order = sorted(range(len(ends)), key=lambda k: (ends[k][1].slack, k))
        out, counts = [], {}
        for ep, end in (ends[k] for k in order):
            n = counts.get(ep.node, 0)
            if n < self.sel.per_endpoint and len(out) < self.sel.count:
                out.append((ep, end))
                counts[ep.node] = n + 1
        return out

    def deviate(self, slack, ep, end, steps: Steps, nodes, suffix) -> bool:
        """Queue the deviations at the nodes reached by back pointers (the path's arcs
        after a node, shared as a linked list, end in `suffix`); False when the budget of
        deviations is spent."""
        g = self.an.graph
        tail = suffix
        for j in range(len(nodes) - 1, 0, -1):
            u, eu, ru = nodes[j]
            taken = steps.steps[j - 1][:4]
            for loss, r2, a, ei in _fanin(self.an, ru, u, eu, self.check, taken,
                                          self.sel.unique):
                self.budget -= 1
                if self.budget < 0:
                    self.truncated = True
                    return False
                self.push(slack + loss, ep, end, r2, int(g.arc_from[a]), ei,
                          ((a, u, eu, ei), tail))
            tail = (taken, tail)
        return True


def _fanin(an: Analysis, run: int, v: int, e: int, check: int, taken, unique: bool):
    """Other ways to arrive at (v, e) in `run` than the arc `taken`: (slack lost, source
    run, arc, input edge) for every enabled fanin arc of the run (and the state-changing
    arcs of other runs that seed it); with `unique` none from the taken arc's pin."""
    g = an.graph
    mm = 0 if check == SETUP else 1
    at = an.arrivals(run)[mm]
    delay = an.arc_dmax if check == SETUP else an.arc_dmin
    best = float(at[v, e])
    mask, _ = an.run_paths(run)
    mask = g.search_mask if mask is None else mask
    arc_on = an.arrivals(run)[4]
    cands = []
    for a in range(int(g.in_start[v]), int(g.in_start[v + 1])):
        if not arc_on[a]:
            continue
        bits = int(mask[a, e])
        for ei in range(2):
            if (bits >> ei) & 1:
                cands.append((run, a, ei))
    cands += _seeding(an, run, v, e)
    out = []
    wire_taken = g.arc_kind[taken[0]] == WIRE
    for r2, a, ei in cands:
        if (a, v, e, ei) == tuple(taken) and r2 == _source_run(an, run, taken, check):
            continue
        if wire_taken and g.arc_kind[a] == WIRE:
            # another driver of a multi-driver net: OpenSTA's PathEnumFaninVisitor skips a
            # fanin through the path's own timing arc (`arc != prev_arc_`), and every wire
            # edge shares the one wire arc of its transition
            continue
        if unique and int(g.arc_pin[a]) == int(g.arc_pin[taken[0]]):
            continue
        t = float(an.arrivals(r2)[mm][int(g.arc_from[a]), ei])
        if not math.isfinite(t):
            continue
        t += float(delay[a, e, ei])
        loss = (best - t) if check == SETUP else (t - best)
        out.append((max(loss, 0.0), r2, a, ei))
    return out


def _seeding(an: Analysis, run: int, v: int, e: int) -> list[tuple[int, int, int]]:
    """(parent run, arc, input edge) of the state-changing arcs of the run's launch that
    lead into (v, e) of `run`."""
    if an.thru is None:
        return []
    launch = an.launches[run]
    out = []
    k = launch.group
    while k < len(an.launches) and an.launches[k].group == launch.group:
        for a, eo, ei, child in an.run_paths(k)[1]:
            if child == run and eo == e and int(an.graph.arc_to[a]) == v:
                out.append((k, a, ei))
        k += 1
    return out


def _source_run(an: Analysis, run: int, taken, check: int) -> int:
    """The run the taken arc into a node of `run` comes from (another run for an arc
    that changed the -through state)."""
    a, v, e, ei = taken
    mm = 0 if check == SETUP else 1
    p = int(an.arrivals(run)[2 + mm][v, e])
    if p <= -2:
        return an.seeds(run)[mm][-2 - p][0]
    return run




def _arrays(an: Analysis, run: int, mm: int):
    got = an.arrivals(run)
    return got[mm], got[2 + mm], an.seeds(run)[mm]
