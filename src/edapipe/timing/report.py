"""Timing reports: summary, OpenSTA-style path reports, endpoint tables, JSON, slack plot.

Times print in nanoseconds and capacitances in picofarads (the units of sky130 and most
libraries, and of OpenSTA reports on them); the engine keeps SI units.
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
    at_max, at_min, prev_max, prev_min, _ = an.arrivals(run)
    at = at_max if check == SETUP else at_min
    prev = prev_max if check == SETUP else prev_min
    slew = an.slew_max if check == SETUP else an.slew_min
    v = g.source(ep.node)
    e = ep.edge[check]
    steps = []  # (arc, to node, out edge, in edge), backwards
    while prev[v, e] >= 0:
        a, ei = divmod(int(prev[v, e]), 2)
        steps.append((a, v, e, ei))
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
    mm = 0 if check == SETUP else 1
    for a, to, eo, ei in steps:
        f = int(g.arc_from[a])
        pin = int(g.arc_pin[a])
        t_pin = at[f, ei]
        if f < g.clock_node_base:
            w = an.pin_wire(pin, ei, mm)   # wire delay (with parasitics)
            t_pin += w
            pts.append(Point(_pin_label(an, pin), ei, None, an.slew_at(pin, ei, mm), w,
                             t_pin))
        pts.append(Point(_pin_label(an, to), eo, g.load[to, eo], slew[to, eo],
                         at[to, eo] - t_pin, at[to, eo]))
    d = g.source(ep.node)
    if ep.node != d:
        e = ep.edge[check]
        w = an.pin_wire(ep.node, e, mm)
        pts.append(Point(_pin_label(an, ep.node), e, None, an.slew_at(ep.node, e, mm), w,
                         at[d, e] + w))
    # required side
    req: list[Point] = []
    cap_clock = ep.capture_clock
    margin = ep.margin[check]
    if ep.kind == "output":
        t_edge = ep.required[check] + margin if check == SETUP else ep.required[check] + margin
    else:
        t_edge = ep.required[check] + margin if check == SETUP else ep.required[check] - margin
    unc = sdc.clocks[cap_clock].uncertainty_setup if check == SETUP else \
        sdc.clocks[cap_clock].uncertainty_hold
    t_clock = t_edge + unc if check == SETUP else t_edge - unc
    lat, crpr = ep.clock_latency[check], ep.crpr[check]
    sign_crpr = 1 if check == SETUP else -1
    t_base = t_clock - lat - sign_crpr * crpr
    kind = "propagated" if sdc.clocks[cap_clock].propagated else "ideal"
    req.append(Point(f"clock {cap_clock} ({_EDGE_NAME[ep.capture_edge]} edge)", None, None,
                     0.0, t_base, t_base))
    req.append(Point(f"clock network delay ({kind})", None, None, None, lat, t_base + lat))
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
    info = {"startpoint": start_desc, "endpoint": end_desc, "group": cap_clock,
            "type": "max" if check == SETUP else "min"}
    return pts, req, info


def _f(x: float | None, scale: float, digits: int, width: int = 11) -> str:
    if x is None:
        return " " * width
    return f"{x * scale:{width}.{digits}f}"


def format_path(an: Analysis, ep: Endpoint, check: int, digits: int = 3) -> str:
    pts, req, info = trace(an, ep, check)
    out = [f"Startpoint: {info['startpoint']}", f"Endpoint: {info['endpoint']}",
           f"Path Group: {info['group']}", f"Path Type: {info['type']}", "",
           f"{'Cap':>11}{'Slew':>12}{'Delay':>12}{'Time':>12}   Description", _RULE]

    def row(p: Point) -> str:
        edge = " " if p.edge is None or p.incr is None else _EDGE[p.edge]
        if p.name.startswith(("input external", "clock ")):
            edge = _EDGE[p.edge] if p.edge is not None and p.name.startswith("input") else " "
        return (f"{_f(p.cap, PF, digits)} {_f(p.slew, NS, digits)} {_f(p.incr, NS, digits)} "
                f"{_f(p.time, NS, digits)} {edge} {p.name}").rstrip()

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
             f"{len(an.endpoints)} endpoints, {an.levels} levels"]
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


def to_json(an: Analysis) -> dict:
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
                       "setup_arrival": num(e.arrival[SETUP]) if e.slack[SETUP] < math.inf
                       else None,
                       "setup_required": num(e.required[SETUP]) if e.slack[SETUP] < math.inf
                       else None}
                      for e in sorted_endpoints(an, SETUP)
                      + [e for e in an.endpoints if e.slack[SETUP] == math.inf]],
        "warnings": list(an.graph.warnings),
    }


def dumps(an: Analysis) -> str:
    return json.dumps(to_json(an), indent=1) + "\n"


def plot_histogram(an: Analysis, path: str) -> None:
    """Setup (and hold) slack histogram as a PNG; matplotlib is imported only here."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from edapipe.util.files import atomic_write
    import io

    fig, ax = plt.subplots(figsize=(7, 4))
    for check, label, color in ((SETUP, "setup", "tab:blue"), (HOLD, "hold", "tab:orange")):
        vals = np.array([float(e.slack[check]) * NS for e in an.endpoints
                         if e.slack[check] < math.inf])
        vals = vals[np.isfinite(vals)]  # a histogram of absurd (overflowing) slacks would fail
        if len(vals):
            ax.hist(vals, bins=min(60, max(10, len(vals) // 4)), alpha=0.6, label=label,
                    color=color)
    ax.axvline(0.0, color="red", linewidth=1)
    ax.set_xlabel("endpoint slack (ns)")
    ax.set_ylabel("endpoints")
    ax.set_title(f"{an.graph.netlist.top}: slack histogram")
    ax.legend()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, buf.getvalue())
