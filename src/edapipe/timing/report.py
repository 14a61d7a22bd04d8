"""Timing reports: summary, OpenSTA-style path reports, endpoint tables, JSON, slack plot.

Text reports print times in the first library's `time_unit` (ns for sky130 and Nangate45,
ps for ASAP7) and capacitances in its `capacitive_load_unit` (pF for sky130, fF for
Nangate45 and ASAP7), as OpenSTA prints them; the JSON keeps nanoseconds and picofarads
(its `time_unit` says so); the engine keeps SI units.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np

from edapipe.errors import excerpt
from edapipe.timing.graph import HOLD, SETUP, WIRE
from edapipe.timing.paths import PATH_DELAYS, group_of
from edapipe.timing.search import Analysis, Endpoint

NS = 1e9
PF = 1e12
_EDGE = ("^", "v")
_EDGE_NAME = ("rise", "fall")
_RULE = "-" * 87


# the columns `report_checks -fields` adds, in OpenSTA's names
FIELDS = ("slew", "cap", "input_pins", "nets", "fanout")


@dataclass(repr=False, eq=False)
class Point:
    name: str          # description column
    edge: int | None   # 0 rise, 1 fall; None: no edge printed (clock and summary lines)
    cap: float | None  # F (driver pins)
    slew: float | None
    incr: float | None
    time: float
    node: int = -1     # the graph node of a pin row (drivers: their net's row)
    input_pin: bool = False   # a cell's input pin on the path (-fields input_pins)


def parse_fields(text: str) -> frozenset[str]:
    """`--fields slew,cap,...` (commas or spaces) -> the set; an unknown name is a
    UsageError naming it."""
    from edapipe.errors import UsageError

    names = [f for f in re.split(r"[\s,]+", text.strip()) if f]
    bad = [f for f in names if f not in FIELDS]
    if bad:
        raise UsageError(f"--fields: unknown field {excerpt(bad[0], 40)!r} "
                         f"(known: {', '.join(FIELDS)})")
    return frozenset(names)


def time_scale(an: Analysis) -> tuple[float, str]:
    """(seconds -> report unit factor, unit name) of the first library's time_unit."""
    return 1.0 / an.graph.time_unit, unit_name(an.graph.time_unit)


def unit_name(unit: float) -> str:
    """'ns', 'ps', ... for a time unit in seconds ('10ps' for 1e-11)."""
    for name, val in (("fs", 1e-15), ("ps", 1e-12), ("ns", 1e-9), ("us", 1e-6),
                      ("ms", 1e-3), ("s", 1.0)):
        for mult in (1, 10, 100):
            if abs(unit - mult * val) <= 1e-9 * mult * val:
                return f"{mult if mult > 1 else ''}{name}"
    return f"{unit:g}s"


def _pin_label(an: Analysis, v: int) -> str:
    g = an.graph
    if g.node_is_port[v]:
        direction = g.port_dir[g.node_pin[v]]
        return f"{g.node_pin[v]} ({ {'input': 'in', 'output': 'out'}.get(direction, direction)})"
    i = int(g.node_inst[v])
    return f"{g.node_name(v)} ({g.inst_cell[i]})"


def trace(an: Analysis, ep: Endpoint, check: int, path=None
          ) -> tuple[list[Point], list[Point], dict]:
    """Data arrival points and required-time points of the worst path to `ep` (or of
    `path`, a paths.Path to it); info names start, end, group, type and the path's End."""
    from edapipe.timing.paths import End, worst_steps

    g = an.graph
    sdc = an.sdc
    mm = 0 if check == SETUP else 1
    steps = worst_steps(an, ep, check) if path is None else path.steps
    end = End.of(ep, check) if path is None else path.end
    launch = an.launches[steps.run]
    slew = an.slew_max if check == SETUP else an.slew_min
    v, e, t_start = steps.start, steps.start_edge, steps.start_time
    pts: list[Point] = []
    clk = launch.clock
    pts.append(Point(f"clock {clk} ({_EDGE_NAME[launch.edge]} edge)", None, None, 0.0,
                     launch.time, launch.time))
    start = v
    kind = "propagated" if sdc.clocks[clk].propagated else "ideal"
    if start >= g.clock_node_base:
        first = steps.steps[0]
        ck = int(g.arc_pin[first[0]])
        t_ck = t_start
        pts.append(Point(f"clock network delay ({kind})", None, None, None,
                         t_ck - launch.time, t_ck))
        pts.append(Point(_pin_label(an, ck), first[3], None, slew[start, first[3]], 0.0,
                         t_ck))
        startpoint = g.node_name(ck).rsplit("/", 1)[0]
        rising = int(g.arc_mask[first[0], 0]) == 1
        start_desc = (f"{startpoint} ({'rising' if rising else 'falling'} edge-triggered "
                      f"flip-flop clocked by {clk})")
    else:
        pts.append(Point(f"clock network delay ({kind})", None, None, None, 0.0,
                         launch.time))
        pts.append(Point("input external delay", e, None, None, t_start - launch.time,
                         t_start))
        pts.append(Point(_pin_label(an, start), e, driver_load(an, start, e, mm),
                         slew[start, e], 0.0, t_start, start))
        startpoint = g.node_pin[start]
        start_desc = f"{startpoint} (input port clocked by {clk})"
    t_end = t_start
    for a, to, eo, ei, t_from, t_end in steps.steps:
        f = int(g.arc_from[a])
        pin = int(g.arc_pin[a])
        t_pin = t_from
        if g.arc_kind[a] == WIRE:   # a multi-driver net's load pin, reached from a driver
            if g.node_is_port[to] and to != ep.node:
                continue   # an inout port's output side: its endpoint row follows
            pts.append(Point(_pin_label(an, to), eo, None, slew[to, eo], t_end - t_from,
                             t_end, to, input_pin=to != ep.node))
            continue
        if f < g.clock_node_base and f != pin:   # (f == pin: its WIRE step printed it)
            w = an.pin_wire(pin, ei, mm)   # wire delay (with parasitics)
            t_pin += w
            pts.append(Point(_pin_label(an, pin), ei, None, an.slew_at(pin, ei, mm), w,
                             t_pin, pin, input_pin=True))
        pts.append(Point(_pin_label(an, to), eo, driver_load(an, to, eo, mm),
                         slew[to, eo], t_end - t_pin, t_end, to))
    d = g.source(ep.node)
    if ep.node != d:
        e = end.edge
        w = an.pin_wire(ep.node, e, mm)
        pts.append(Point(_pin_label(an, ep.node), e, None, an.slew_at(ep.node, e, mm), w,
                         t_end + w, ep.node))
    path_delay = end.exception in PATH_DELAYS
    if path_delay:   # a path delay counts from the data's launch: no clock lines
        del pts[:2]
    req, end_desc = _required_points(an, ep, end, check)
    shift = 0.0 if path_delay else _cycle_shift(an, ep, launch, check)
    if shift:   # OpenSTA prints the edges of the critical cycle pair
        for p in pts + req:
            p.time += shift
        pts[0].incr += shift
        req[0].incr += shift
        end = replace(end, arrival=end.arrival + shift, required=end.required + shift)
    info = {"startpoint": start_desc, "endpoint": end_desc, "group": group_of(ep, end),
            "type": "max" if check == SETUP else "min", "end": end}
    return pts, req, info


def driver_load(an: Analysis, v: int, e: int, mm: int) -> float:
    """The Cap column of driver `v` for output edge `e` in analysis `mm` (0 max, 1 min), F,
    as OpenSTA's `ReportPath::loadCap`: with parasitics rc.RcNet.cap (the net's wire
    capacitance plus its pins' capacitance of this analysis), otherwise (and where a port
    set_load overrides the parasitics) the net's pin capacitances and set_load values."""
    g = an.graph
    net = (g.rc or {}).get(v)
    cap = None if net is None else net.cap.get((e, mm))
    return float((g.load if mm == 0 else g.load_min)[v, e]) if cap is None else cap


def _required_points(an: Analysis, ep: Endpoint, end, check: int
                     ) -> tuple[list[Point], str]:
    """The required-time points of a path end and the endpoint's description."""
    g, sdc = an.graph, an.sdc
    req: list[Point] = []
    cap_clock = ep.capture_clock
    margin = end.margin
    if ep.kind == "output" or check == SETUP:
        t_edge = end.required + margin
    else:
        t_edge = end.required - margin
    unc = end.uncertainty
    t_clock = t_edge + unc if check == SETUP else t_edge - unc
    lat, crpr = end.clock_latency, end.crpr
    sign_crpr = 1 if check == SETUP else -1
    t_base = t_clock - lat - sign_crpr * crpr
    kind = "propagated" if sdc.clocks[cap_clock].propagated else "ideal"
    path_delay = end.exception in PATH_DELAYS
    crpr_row = Point("clock reconvergence pessimism", None, None, None, sign_crpr * crpr,
                     t_clock)
    if path_delay:   # set_max_delay / set_min_delay
        req.append(Point(end.exception, None, None, None, t_base, t_base))
        if ep.kind != "output":
            req.append(crpr_row)
    else:
        req.append(Point(f"clock {cap_clock} ({_EDGE_NAME[_capture_edge(an, ep)]} edge)",
                         None, None, 0.0, t_base, t_base))
        req.append(Point(f"clock network delay ({kind})", None, None, None, lat,
                         t_base + lat))
        req.append(crpr_row)
        if unc:
            req.append(Point("clock uncertainty", None, None, None, t_edge - t_clock, t_edge))
    if ep.kind == "output":
        req.append(Point("output external delay", None, None, None, -margin,
                         t_edge - margin))
        return req, (f"{ep.name} (output port)" if path_delay
                     else f"{ep.name} (output port clocked by {cap_clock})")
    ck_pin = int(g.chk_clock_pin[ep.checks[0]])
    if not path_delay:
        req.append(Point(_pin_label(an, ck_pin), int(g.chk_edge[ep.checks[0]]), None, None,
                         None, t_edge, ck_pin))
    sign = -1 if check == SETUP else 1
    req.append(Point(f"library {'setup' if check == SETUP else 'hold'} time", None, None,
                     None, sign * margin, t_edge + sign * margin))
    inst = ep.name.rsplit("/", 1)[0]
    edge_word = "falling" if int(g.chk_edge[ep.checks[0]]) else "rising"
    return req, f"{inst} ({edge_word} edge-triggered flip-flop clocked by {cap_clock})"


def _capture_edge(an: Analysis, ep: Endpoint) -> int:
    """The capture clock's own edge (0 rise, 1 fall) that the endpoint checks against."""
    if ep.kind == "output":
        return ep.capture_edge
    g = an.graph
    k = ep.checks[0]
    return g.clock_nodes[int(g.chk_clock[k]) - g.clock_node_base][1] ^ int(g.chk_edge[k])


def _cycle_shift(an: Analysis, ep: Endpoint, launch, check: int) -> float:
    """How many launch-clock periods after the launch run's edge the critical launch edge
    lies (search.cycle_accounting): 0 for paths within one clock."""
    from edapipe.timing.search import cycle_accounting

    if launch.clock == ep.capture_clock:
        return 0.0
    src, tgt = an.sdc.clocks[launch.clock], an.sdc.clocks[ep.capture_clock]
    got = cycle_accounting(launch.time, src.period, tgt.waveform[_capture_edge(an, ep)],
                           tgt.period)
    return got[2] if check == SETUP else got[3]


def _f(x: float | None, scale: float, digits: int, width: int = 11) -> str:
    if x is None:
        return " " * width
    return f"{x * scale + 0.0:{width}.{digits}f}"   # + 0.0: no -0.000


def format_path(an: Analysis, ep: Endpoint, check: int, digits: int = 3,
                fields: frozenset[str] = frozenset(), path=None,
                corner: str | None = None) -> str:
    """One path as OpenSTA's `report_checks -fields ...`: its columns (Fanout with nets,
    then Cap, Slew, Delay, Time, each digits + 5 wide), rows and rules. `path` (paths.py's
    enumerated path) reports that path instead of the endpoint's worst; `corner` names
    its corner (a `Corner:` line, as OpenSTA with several corners)."""
    pts, req, info = trace(an, ep, check, path)
    end = info["end"]
    t_scale, _ = time_scale(an)
    c_scale = 1.0 / an.graph.cap_unit
    w = digits + 5
    nets = "nets" in fields
    cols = ["Cap"] * ("cap" in fields) + ["Slew"] * ("slew" in fields) + ["Delay", "Time"]
    head = ("Fanout " if nets else "") + " ".join(f"{c:>{w}}" for c in cols)
    rule = "-" * (5 * nets + w * len(cols) + 43)

    def line(time, text, incr=None, edge=None, cap=None, slew=None, fanout=None) -> str:
        vals = []
        if nets:
            vals.append(" " * 5 if fanout is None else f"{fanout:>5}")
        if "cap" in fields:
            vals.append(_f(cap, c_scale, digits, w))
        if "slew" in fields:
            vals.append(_f(slew, t_scale, digits, w))
        vals += [_f(incr, t_scale, digits, w), _f(time, t_scale, digits, w)]
        mark = " " if edge is None else _EDGE[edge]
        return f"{' '.join(vals)} {mark} {text}".rstrip()

    def rows(points: list[Point]) -> list[str]:
        out = []
        hidden = 0.0   # a hidden input pin's wire delay counts in the next row's delay
        for p in points:
            if p.input_pin and "input_pins" not in fields:
                hidden += p.incr or 0.0
                continue
            incr = p.incr + hidden if p.incr is not None and hidden else p.incr
            hidden = 0.0
            out.append(line(p.time, p.name, incr, p.edge, None if nets else p.cap, p.slew))
            if nets and p.cap is not None and p.node >= 0:
                net, fanout = net_of(an.graph, p.node)
                out.append(line(None, f"{net} (net)", cap=p.cap, fanout=fanout))
        return out

    out = [f"Startpoint: {info['startpoint']}", f"Endpoint: {info['endpoint']}",
           f"Path Group: {info['group']}", f"Path Type: {info['type']}"]
    out += [f"Corner: {corner}"] * (corner is not None)
    out += ["", f"{head}   Description", rule]
    out += rows(pts)
    out.append(line(end.arrival, "data arrival time"))
    out.append("")
    out += rows(req)
    out += [line(end.required, "data required time"), rule,
            line(end.required, "data required time"),
            line(-end.arrival, "data arrival time"), rule,
            line(end.slack, f"slack ({'VIOLATED' if end.slack < 0 else 'MET'})")]
    return "\n".join(out) + "\n"


def net_of(g, v: int) -> tuple[str, int]:
    """(name, fanout) of the net a driver node drives: its load pins and output ports."""
    k = int(g.node_net[v])
    if k < 0:
        return g.node_name(v), 0
    pins = int(np.count_nonzero(g.node_net == k))
    for m in g.multi or ():   # several drivers: the load pins but v (an inout port is both)
        if m.net == k:
            inout = [p for p in m.ports if g.port_dir[g.node_pin[p]] == "inout"]
            return g.netlist.net_names[k], pins - len(m.drivers) - len(m.ports) + len(
                inout) - (v in inout)
    return g.netlist.net_names[k], pins - 1


def format_check(an: Analysis, check: int, fmt: str, sel, digits: int = 3,
                 fields: frozenset[str] = frozenset()) -> list[str]:
    """The report parts of one check: per path group (by name, as OpenSTA) its paths
    (full) or a table of them (end), nothing for summary; `sel` a paths.Selection. With no
    path at all, OpenSTA's 'No paths found.'"""
    from edapipe.timing.paths import select_groups

    if fmt not in ("full", "end") or not sel.count:
        return []
    groups = select_groups(an, check, sel, sorted_endpoints(an, check))
    out = []
    for name, chosen in groups:
        if fmt == "end":   # -format end: a row per path (per endpoint unless -endpoint_count)
            out.append("\n" + format_endpoints(an, check, None, digits, chosen, name))
        else:
            out += ["\n" + format_path(an, p.ep, check, digits, fields, p) for p in chosen]
        if chosen.truncated:
            out.append("\n" + truncation_note() + ".\n")
    return out or ["\nNo paths found.\n"]


def truncation_note() -> str:
    from edapipe.timing.paths import MAX_DEVIATIONS
    return (f"Path enumeration stopped after {MAX_DEVIATIONS} deviations: some of the paths "
            "asked for may be missing")


def sorted_endpoints(an: Analysis, check: int) -> list[Endpoint]:
    eps = [e for e in an.endpoints if e.slack[check] < math.inf]
    return sorted(eps, key=lambda e: (e.slack[check], e.name))


def format_summary(an: Analysis, digits: int = 3) -> str:
    g = an.graph
    lines = [f"design {g.netlist.top}: {len(g.netlist.instances)} cells, "
             f"{an.n_endpoints()} endpoints, {an.levels} levels"]
    ts, unit = time_scale(an)
    for check, label in ((SETUP, "setup"), (HOLD, "hold")):
        ws = an.worst_slack(check)
        if ws == math.inf:
            lines.append(f"{label:5}  no constrained paths")
            continue
        lines.append(f"{label:5}  WNS {min(0.0, ws) * ts:.{digits}f} {unit}  "
                     f"TNS {an.tns(check) * ts:.{digits}f} {unit}  "
                     f"worst slack {ws * ts:.{digits}f} {unit}  "
                     f"violations {an.violations(check)}")
    return "\n".join(lines) + "\n"


def format_endpoints(an: Analysis, check: int, limit: int | None, digits: int = 3,
                     paths=None, group: str | None = None) -> str:
    """One row per endpoint (its worst path), or per path of `paths` (paths.Path, of path
    group `group`)."""
    from edapipe.timing.paths import End

    if paths is None:
        eps = sorted_endpoints(an, check)
        if limit is not None:
            eps = eps[:limit]
        rows = [(e, End.of(e, check)) for e in eps]
    else:
        rows = [(p.ep, p.end) for p in paths]
    ts, _ = time_scale(an)
    w = max([len(e.name) + 11 for e, _ in rows] + [39])
    kind = "max_delay/setup" if check == SETUP else "min_delay/hold"
    out = [f"{kind} endpoints" if group is None else f"{kind} group {group}", "",
           f"{'Endpoint':<{w}}{'Required':>12}{'Actual':>12}{'Slack':>12}", "-" * (w + 36)]
    for e, end in rows:
        label = f"{e.name} ({'output' if e.kind == 'output' else 'register'})"
        out.append(f"{label:<{w}}{_f(end.required, ts, digits, 12)}"
                   f"{_f(end.arrival, ts, digits, 12)}{_f(end.slack, ts, digits, 12)}"
                   f" ({'VIOLATED' if end.slack < 0 else 'MET'})")
    return "\n".join(out) + "\n"


def to_json(an: Analysis, paths=0, shown: Analysis | None = None) -> dict:
    """The summary, every endpoint's setup and hold arrival, required and slack, and the
    worst setup and hold paths stage by stage: `paths` a count or a paths.Selection, taken
    from `shown` (the analysis of a -from/-through/-to filter) when given."""
    from edapipe.timing.paths import Selection, select_groups

    sel = paths if isinstance(paths, Selection) else Selection(paths)
    shown = an if shown is None else shown
    def num(x):
        # scaled first: a finite 1e300 s (absurd but readable input) overflows in ns, and
        # JSON has no Infinity
        v = None if x is None else float(x) * NS
        return None if v is None or not math.isfinite(v) else round(v, 9)

    picked = [chosen for check in (SETUP, HOLD) if sel.count
              for _, chosen in select_groups(shown, check, sel,
                                             sorted_endpoints(shown, check))]
    summary = {}
    for check, label in ((SETUP, "setup"), (HOLD, "hold")):
        ws = an.worst_slack(check)
        summary[label] = {"wns": num(min(0.0, ws)) if ws < math.inf else None,
                          "tns": num(an.tns(check)), "worst_slack": num(ws),
                          "violations": an.violations(check)}
    return {
        "design": an.graph.netlist.top,
        "time_unit": "ns",
        "cells": len(an.graph.netlist.instances),
        **summary,
        "endpoints": [{"name": e.name, "kind": e.kind, "clock": e.capture_clock,
                       "setup_slack": num(e.slack[SETUP]), "hold_slack": num(e.slack[HOLD]),
                       **{f"{label}_{what}": num(val[c]) if e.slack[c] < math.inf else None
                          for c, label in ((SETUP, "setup"), (HOLD, "hold"))
                          for what, val in (("arrival", e.arrival),
                                            ("required", e.required))}}
                      for e in sorted_endpoints(an, SETUP)
                      + [e for e in an.endpoints if e.slack[SETUP] == math.inf]],
        "paths": [_path_json(shown, p, num) for chosen in picked for p in chosen],
        "warnings": list(an.graph.warnings) + [
            truncation_note() for chosen in picked if chosen.truncated],
    }


def _path_json(an: Analysis, path, num) -> dict:
    ep, check = path.ep, path.check
    pts, req, info = trace(an, ep, check, path)
    end = info["end"]

    def stage(p: Point) -> dict:
        return {"point": p.name, "edge": None if p.edge is None else _EDGE_NAME[p.edge],
                "load_pf": None if p.cap is None else round(float(p.cap) * PF, 9),
                "slew": num(p.slew), "delay": num(p.incr), "time": num(p.time)}
    return {"check": "setup" if check == SETUP else "hold", "group": info["group"],
            "endpoint": ep.name,
            "startpoint": info["startpoint"], "slack": num(end.slack),
            "arrival": num(end.arrival), "required": num(end.required),
            "data": [stage(p) for p in pts], "clock": [stage(p) for p in req]}


def dumps(an: Analysis, rules=None, paths=0, shown: Analysis | None = None) -> str:
    """The JSON report; with `rules` (drc.check_all's {kind: Checks}) their violations;
    paths and shown as to_json's."""
    import json   # (here: only --json needs it)

    return json.dumps(_report_data(an, rules, paths, shown), indent=1) + "\n"


def _report_data(an: Analysis, rules, paths, shown: Analysis | None = None) -> dict:
    data = to_json(an, paths, shown)
    if rules is not None:
        data["drc"] = {kind: c.as_dict() for kind, c in rules.items()}
    return data


def histogram_panels(an: Analysis) -> list[tuple[str, np.ndarray, str]]:
    """(check label, endpoint pin slacks in ns, annotation) per check with constrained
    endpoints: each check gets its own panel and bins, so hold slacks (often a few tens of
    ps) are not squeezed into bins sized for setup's ns spread."""
    out = []
    for check, label in ((SETUP, "setup"), (HOLD, "hold")):
        vals = np.array([s * NS for s in an.pin_slacks(check).values() if s < math.inf])
        vals = vals[np.isfinite(vals)]  # a histogram of absurd (overflowing) slacks fails
        if not len(vals):
            continue
        ws = float(vals.min())
        note = (f"WNS {min(0.0, ws):.3f} ns   TNS {an.tns(check) * NS:.3f} ns   "
                f"violations {an.violations(check)} of {len(vals)}")
        out.append((label, vals, note))
    return out


def plot_histogram(an: Analysis, path: str) -> None:
    """Setup and hold slack histograms (one panel each, annotated with WNS, TNS and the
    violation count) as a PNG; matplotlib is imported only here."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from edapipe.util.files import atomic_write
    import io

    panels = histogram_panels(an)
    fig, axes = plt.subplots(max(1, len(panels)), 1, figsize=(7, 3 * max(1, len(panels))),
                             squeeze=False)
    colors = {"setup": "tab:blue", "hold": "tab:orange"}
    for ax, (label, vals, note) in zip(axes[:, 0], panels):
        ax.hist(vals, bins=min(60, max(10, len(vals) // 4)), color=colors[label])
        ax.axvline(0.0, color="red", linewidth=1)
        ax.set_xlabel(f"{label} slack (ns)")
        ax.set_ylabel("endpoints")
        ax.set_title(f"{an.graph.netlist.top} {label}: {note}", fontsize=9)
    if not panels:
        axes[0, 0].set_title(f"{an.graph.netlist.top}: no constrained endpoints")
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, buf.getvalue())


def dumps_corners(runs, sel) -> str:
    """JSON of several corners (corners.CornerRun): each corner's report (as `dumps`, its
    own paths of the selection `sel`) under its name."""
    data = {"corners": {}}
    for run in runs:
        data["corners"][run.name] = _report_data(run.an, run.rules, sel, run.shown)
    import json

    return json.dumps(data, indent=1) + "\n"
