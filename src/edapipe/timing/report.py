"""Timing reports: summary, OpenSTA-style path reports, endpoint tables, JSON, slack plot.

Times print in nanoseconds; capacitances in the text in the first library's unit
(`capacitive_load_unit`: pF for sky130, fF for Nangate45 and ASAP7, as OpenSTA prints them),
in the JSON in picofarads; the engine keeps SI units.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from edapipe.timing.graph import HOLD, SETUP
from edapipe.timing.search import Analysis, Endpoint

NS = 1e9
PF = 1e12
_EDGE = ("^", "v")
_EDGE_NAME = ("rise", "fall")
_RULE = "-" * 87


@dataclass
class Point:
    name: str          # description column
    edge: int | None   # 0 rise, 1 fall, None for clock/summary lines
    cap: float | None  # F (driver pins)
    slew: float | None
    incr: float | None
    time: float


def _pin_label(an: Analysis, v: int) -> str:
    g = an.graph
    if g.node_is_port[v]:
        direction = g.port_dir[g.node_pin[v]]
        return f"{g.node_pin[v]} ({'in' if direction == 'input' else 'out'})"
    i = int(g.node_inst[v])
    return f"{g.node_name(v)} ({g.inst_cell[i]})"


def trace(an: Analysis, ep: Endpoint, check: int) -> tuple[list[Point], list[Point], dict]:
    """Data arrival points and required-time points of the worst path to `ep`."""
    g = an.graph
    sdc = an.sdc
    run = ep.run[check]
    launch = an.launches[run]
    mm = 0 if check == SETUP else 1

    def arrays(run):
        got = an.arrivals(run)
        return got[mm], got[2 + mm], an.seeds(run)[mm]

    at, prev, seeds = arrays(run)
    at_end = at
    slew = an.slew_max if check == SETUP else an.slew_min
    v = g.source(ep.node)
    e = ep.edge[check]
    steps = []  # (arc, to node, out edge, in edge, arrivals at `to`, at the arc's source)
    while True:
        p = int(prev[v, e])
        if p >= 0:
            a, ei = divmod(p, 2)
            steps.append((a, v, e, ei, at, at))
        elif p <= -2:   # the arc that advanced a -through state: its source is in another run
            run, a, ei = seeds[-2 - p]
            at_to = at
            at, prev, seeds = arrays(run)
            steps.append((a, v, e, ei, at_to, at))
        else:
            break
        v, e = int(g.arc_from[a]), ei
    steps.reverse()
    pts: list[Point] = []
    clk = launch.clock
    pts.append(Point(f"clock {clk} ({_EDGE_NAME[launch.edge]} edge)", None, None, 0.0,
                     launch.time, launch.time))
    start = v
    kind = "propagated" if sdc.clocks[clk].propagated else "ideal"
    if start >= g.clock_node_base:
        first = steps[0]
        ck = int(g.arc_pin[first[0]])
        t_ck = float(at[start, first[3]])
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
        ext = at[start, e] - launch.time
        pts.append(Point("input external delay", e, None, None, ext, at[start, e]))
        pts.append(Point(_pin_label(an, start), e, g.load[start, e], slew[start, e], 0.0,
                         at[start, e]))
        startpoint = g.node_pin[start]
        start_desc = f"{startpoint} (input port clocked by {clk})"
    for a, to, eo, ei, at_to, at_from in steps:
        f = int(g.arc_from[a])
        pin = int(g.arc_pin[a])
        t_pin = at_from[f, ei]
        if f < g.clock_node_base:
            w = an.pin_wire(pin, ei, mm)   # wire delay (with parasitics)
            t_pin += w
            pts.append(Point(_pin_label(an, pin), ei, None, an.slew_at(pin, ei, mm), w,
                             t_pin))
        pts.append(Point(_pin_label(an, to), eo, g.load[to, eo], slew[to, eo],
                         at_to[to, eo] - t_pin, at_to[to, eo]))
    d = g.source(ep.node)
    if ep.node != d:
        e = ep.edge[check]
        w = an.pin_wire(ep.node, e, mm)
        pts.append(Point(_pin_label(an, ep.node), e, None, an.slew_at(ep.node, e, mm), w,
                         at_end[d, e] + w))
    # required side
    req: list[Point] = []
    cap_clock = ep.capture_clock
    margin = ep.margin[check]
    if ep.kind == "output":
        t_edge = ep.required[check] + margin if check == SETUP else ep.required[check] + margin
    else:
        t_edge = ep.required[check] + margin if check == SETUP else ep.required[check] - margin
    unc = ep.uncertainty[check]
    t_clock = t_edge + unc if check == SETUP else t_edge - unc
    lat, crpr = ep.clock_latency[check], ep.crpr[check]
    sign_crpr = 1 if check == SETUP else -1
    t_base = t_clock - lat - sign_crpr * crpr
    kind = "propagated" if sdc.clocks[cap_clock].propagated else "ideal"
    if ep.exception[check] in ("max_delay", "min_delay"):   # set_max_delay / set_min_delay
        req.append(Point(ep.exception[check], None, None, None, t_base, t_base))
    else:
        req.append(Point(f"clock {cap_clock} ({_EDGE_NAME[ep.capture_edge]} edge)", None,
                         None, 0.0, t_base, t_base))
        req.append(Point(f"clock network delay ({kind})", None, None, None, lat,
                         t_base + lat))
        req.append(Point("clock reconvergence pessimism", None, None, None, sign_crpr * crpr,
                         t_clock))
        if unc:
            req.append(Point("clock uncertainty", None, None, None, t_edge - t_clock, t_edge))
    if ep.kind == "output":
        req.append(Point("output external delay", None, None, None, -margin,
                         t_edge - margin))
        end_desc = f"{ep.name} (output port clocked by {cap_clock})"
    else:
        ck_pin = int(g.chk_clock_pin[ep.checks[0]])
        req.append(Point(_pin_label(an, ck_pin), None, None, None, None, t_edge))
        sign = -1 if check == SETUP else 1
        req.append(Point(f"library {'setup' if check == SETUP else 'hold'} time", None, None,
                         None, sign * margin, t_edge + sign * margin))
        inst = ep.name.rsplit("/", 1)[0]
        edge_word = "falling" if int(g.chk_edge[ep.checks[0]]) else "rising"
        end_desc = f"{inst} ({edge_word} edge-triggered flip-flop clocked by {cap_clock})"
    # OpenSTA reports set_max_delay / set_min_delay paths in the **default** group
    group = "**default**" if ep.exception[check] in ("max_delay", "min_delay") else cap_clock
    info = {"startpoint": start_desc, "endpoint": end_desc, "group": group,
            "type": "max" if check == SETUP else "min"}
    return pts, req, info


def _f(x: float | None, scale: float, digits: int, width: int = 11) -> str:
    if x is None:
        return " " * width
    return f"{x * scale:{width}.{digits}f}"


def format_path(an: Analysis, ep: Endpoint, check: int, digits: int = 3) -> str:
    pts, req, info = trace(an, ep, check)
    cap_scale = 1.0 / an.graph.cap_unit
    out = [f"Startpoint: {info['startpoint']}", f"Endpoint: {info['endpoint']}",
           f"Path Group: {info['group']}", f"Path Type: {info['type']}", "",
           f"{'Cap':>11}{'Slew':>12}{'Delay':>12}{'Time':>12}   Description", _RULE]

    def row(p: Point) -> str:
        edge = " " if p.edge is None or p.incr is None else _EDGE[p.edge]
        if p.name.startswith(("input external", "clock ")):
            edge = _EDGE[p.edge] if p.edge is not None and p.name.startswith("input") else " "
        return (f"{_f(p.cap, cap_scale, digits)} {_f(p.slew, NS, digits)} "
                f"{_f(p.incr, NS, digits)} {_f(p.time, NS, digits)} {edge} {p.name}").rstrip()

    out += [row(p) for p in pts]
    arrival = ep.arrival[check]
    out.append(f"{'':36}{_f(arrival, NS, digits)}   data arrival time")
    out.append("")
    out += [row(p) for p in req]
    required = ep.required[check]
    out.append(f"{'':36}{_f(required, NS, digits)}   data required time")
    out.append(_RULE)
    out.append(f"{'':36}{_f(required, NS, digits)}   data required time")
    out.append(f"{'':36}{_f(-arrival, NS, digits)}   data arrival time")
    out.append(_RULE)
    slack = ep.slack[check]
    out.append(f"{'':36}{_f(slack, NS, digits)}   slack "
               f"({'VIOLATED' if slack < 0 else 'MET'})")
    return "\n".join(out) + "\n"


def sorted_endpoints(an: Analysis, check: int) -> list[Endpoint]:
    eps = [e for e in an.endpoints if e.slack[check] < math.inf]
    return sorted(eps, key=lambda e: (e.slack[check], e.name))


def format_summary(an: Analysis, digits: int = 3) -> str:
    g = an.graph
    lines = [f"design {g.netlist.top}: {len(g.netlist.instances)} cells, "
             f"{an.n_endpoints()} endpoints, {an.levels} levels"]
    for check, label in ((SETUP, "setup"), (HOLD, "hold")):
        ws = an.worst_slack(check)
        if ws == math.inf:
            lines.append(f"{label:5}  no constrained paths")
            continue
        lines.append(f"{label:5}  WNS {min(0.0, ws) * NS:.{digits}f} ns  "
                     f"TNS {an.tns(check) * NS:.{digits}f} ns  worst slack {ws * NS:.{digits}f} ns"
                     f"  violations {an.violations(check)}")
    return "\n".join(lines) + "\n"


def format_endpoints(an: Analysis, check: int, limit: int | None, digits: int = 3) -> str:
    eps = sorted_endpoints(an, check)
    if limit is not None:
        eps = eps[:limit]
    w = max([len(e.name) + 11 for e in eps] + [39])
    out = [f"{'max_delay/setup' if check == SETUP else 'min_delay/hold'} endpoints", "",
           f"{'Endpoint':<{w}}{'Required':>12}{'Actual':>12}{'Slack':>12}", "-" * (w + 36)]
    for e in eps:
        label = f"{e.name} ({'output' if e.kind == 'output' else 'register'})"
        out.append(f"{label:<{w}}{_f(e.required[check], NS, digits, 12)}"
                   f"{_f(e.arrival[check], NS, digits, 12)}{_f(e.slack[check], NS, digits, 12)}"
                   f" ({'VIOLATED' if e.slack[check] < 0 else 'MET'})")
    return "\n".join(out) + "\n"


def to_json(an: Analysis, paths: int = 0) -> dict:
    """The summary, every endpoint's setup and hold arrival, required and slack, and the
    `paths` worst setup and hold paths stage by stage."""
    def num(x):
        # scaled first: a finite 1e300 s (absurd but readable input) overflows in ns, and
        # JSON has no Infinity
        v = None if x is None else float(x) * NS
        return None if v is None or not math.isfinite(v) else round(v, 9)

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
        "paths": [_path_json(an, ep, check, num)
                  for check in (SETUP, HOLD) for ep in sorted_endpoints(an, check)[:paths]],
        "warnings": list(an.graph.warnings),
    }


def _path_json(an: Analysis, ep: Endpoint, check: int, num) -> dict:
    pts, req, info = trace(an, ep, check)

    def stage(p: Point) -> dict:
        return {"point": p.name, "edge": None if p.edge is None else _EDGE_NAME[p.edge],
                "load_pf": None if p.cap is None else round(float(p.cap) * PF, 9),
                "slew": num(p.slew), "delay": num(p.incr), "time": num(p.time)}
    return {"check": "setup" if check == SETUP else "hold", "endpoint": ep.name,
            "startpoint": info["startpoint"], "slack": num(ep.slack[check]),
            "arrival": num(ep.arrival[check]), "required": num(ep.required[check]),
            "data": [stage(p) for p in pts], "clock": [stage(p) for p in req]}


def dumps(an: Analysis, rules=None, paths: int = 0) -> str:
    """The JSON report; with `rules` (drc.check_all's {kind: Checks}) their violations."""
    return json.dumps(_report_data(an, rules, paths), indent=1) + "\n"


def _report_data(an: Analysis, rules, paths: int) -> dict:
    data = to_json(an, paths)
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


def format_corners(runs, checks, paths: int, n_endpoints: int, digits: int,
                   show_drc: bool) -> str:
    """Several corners: each one's summary, then the worst paths over all corners (each
    endpoint at its worst corner, as OpenSTA's report_checks with define_corners)."""
    from edapipe.timing import drc

    parts = []
    for name, an, rules in runs:
        parts.append(f"corner {name}\n" + format_summary(an, digits)
                     + drc.format_summary(rules, digits))
        if show_drc:
            parts.extend("\n" + drc.format_checks(c, digits) for c in rules.values())
    for check in checks:
        worst: dict[str, tuple] = {}
        for k, (name, an, _) in enumerate(runs):
            for ep in an.endpoints:
                s = ep.slack[check]
                if s < math.inf and (ep.name not in worst or s < worst[ep.name][0]):
                    worst[ep.name] = (s, k, ep)
        for s, k, ep in sorted(worst.values(), key=lambda x: (x[0], x[2].name))[:paths]:
            name, an, _ = runs[k]
            parts.append(f"\nCorner: {name}\n" + format_path(an, ep, check, digits))
        if n_endpoints:
            for name, an, _ in runs:
                parts.append(f"\ncorner {name}: "
                             + format_endpoints(an, check, n_endpoints, digits))
    return "".join(parts)


def dumps_corners(runs, paths: int) -> str:
    """JSON of several corners: each corner's report (as `dumps`) under its name."""
    data = {"corners": {}}
    for name, an, rules in runs:
        data["corners"][name] = _report_data(an, rules, paths)
    return json.dumps(data, indent=1) + "\n"
