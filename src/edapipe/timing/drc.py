"""Design-rule checks as OpenSTA's `report_check_types -max_transition -max_capacitance
-max_fanout` (search/CheckSlewLimits.cc, CheckCapacitanceLimits.cc, CheckFanoutLimits.cc).

A pin's limit is the smallest of the design's (`set_max_* v [current_design]`), and for a
top-level port its own SDC limit, else its Liberty pin's `max_*` or, for an output pin
without one, its library's `default_max_*`. Pins without any limit are not checked.

- max_transition: every pin on a net; its slew is the worse (max analysis) of its rise and
  fall slews: a load pin's own with parasitics, else its net driver's.
- max_capacitance and max_fanout: output pins of cells and output ports (OpenSTA checks the
  pins whose direction is output), except constant and disabled ones and those of an ideal
  clock's network. The capacitance is the
  load the net's driver sees in delay calculation (max analysis, worse edge): every pin
  capacitance on the net, the driver's too, `set_load`, and with SPEF the pi model's total.
  The fanout is the sum over the net's cell input pins of their Liberty `fanout_load`, else
  the library's `default_fanout_load` (else nothing); ports add nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edapipe.timing.search import Analysis

KINDS = ("max_transition", "max_capacitance", "max_fanout")
# kind -> (JSON key of the value, the table's value column)
_UNITS = {"max_transition": ("transition_ns", "Trans"),
          "max_capacitance": ("capacitance", "Cap"),
          "max_fanout": ("fanout", "Fanout")}


@dataclass(frozen=True, repr=False)
class Violation:
    pin: str
    edge: int        # 0 rise, 1 fall, -1 none (fanout)
    limit: float     # s, F or fanout-load units
    value: float
    slack: float
    kind: str = "max_transition"

    def as_dict(self, scale: float) -> dict:
        """Values times `scale` (Checks.unit); the transition's keys keep their _ns."""
        key = _UNITS[self.kind][0]
        suffix = "_ns" if self.kind == "max_transition" else ""
        out = {"pin": self.pin, f"limit{suffix}": self.limit * scale,
               key: self.value * scale, f"slack{suffix}": self.slack * scale}
        if self.edge >= 0:
            out["edge"] = "rise" if self.edge == 0 else "fall"
        return out


def _library_defaults(libs, attr: str, scale_of) -> dict[str, float | None]:
    """Cell name -> its library's `attr` (a default limit, SI), the first library first."""
    out: dict[str, float | None] = {}
    for lib in libs:
        text = lib.attrs.get(attr)
        try:
            default = float(text) * scale_of(lib) if text is not None else None
        except ValueError:
            default = None
        if default is not None and not math.isfinite(default):
            default = None
        for name in lib.cells:
            out.setdefault(name, default)
    return out


@dataclass(repr=False, eq=False)
class Checks:
    """One design rule's result: pins checked, the violators (worst first), the worst."""

    checked: int
    violators: list[Violation]
    worst: Violation | None
    kind: str = "max_transition"
    cap_unit: float = 1e-12   # F per unit of the first library (capacitive_load_unit)
    time_unit: float = 1e-9   # s per unit of the first library (time_unit)

    def unit(self, text: bool = True) -> tuple[float, str]:
        """(scale from SI, name) of the values in reports: the library's time unit (ns in
        the JSON), its capacitance unit, fanout-load units."""
        if self.kind == "max_transition":
            if not text:
                return 1e9, "ns"
            from edapipe.timing.report import unit_name
            return 1.0 / self.time_unit, unit_name(self.time_unit)
        if self.kind == "max_fanout":
            return 1.0, ""
        return 1.0 / self.cap_unit, cap_unit_name(self.cap_unit)

    def as_dict(self) -> dict:
        scale, name = self.unit(text=False)
        out = {"checked_pins": self.checked, "violations": len(self.violators),
               ("worst_slack_ns" if self.kind == "max_transition" else "worst_slack"):
                   self.worst.slack * scale if self.worst else None,
               "violators": [v.as_dict(scale) for v in self.violators]}
        if name:
            out["unit"] = name
        return out


def cap_unit_name(unit: float) -> str:
    """pF, fF, ... for a capacitance unit in F (Liberty's capacitive_load_unit)."""
    for value, name in ((1e-12, "pF"), (1e-15, "fF"), (1e-9, "nF"), (1e-6, "uF"),
                        (1.0, "F")):
        if math.isclose(unit, value, rel_tol=1e-9):
            return name
    return f"{unit:g}F"


def _per_pin(g, libs, value_of) -> np.ndarray:
    """(n_all,) array over pin and port nodes: value_of(cell, pin name) on instance pins
    (one call per library cell and pin, numpy gather over instances), nan on ports."""
    from edapipe.timing.graph import merged_cells

    cells = merged_cells(libs)   # (the first library wins; cached cells load when used)
    n_ports = len(g.netlist.ports)
    n_all = g.clock_node_base
    n_pins = n_all - n_ports
    out = np.full(n_all, np.nan)
    if not n_pins:
        return out
    node_type = g.node_pin.node_type
    first = np.full(len(g.node_pin.templates), -1, np.int64)
    types, idx = np.unique(node_type, return_index=True)
    first[types] = idx
    per_type: list[np.ndarray] = []
    for t, tpl in enumerate(g.node_pin.templates):
        vals = np.full(len(tpl.pins), np.nan)
        if first[t] >= 0:
            cell = cells[g.inst_cell[int(g.node_inst[first[t]])]]
            for k, name in enumerate(tpl.pins):
                vals[k] = value_of(cell, cell.pins[name])
        per_type.append(vals)
    offsets = np.zeros(len(per_type) + 1, np.int64)
    np.cumsum([len(x) for x in per_type], out=offsets[1:])
    flat = np.concatenate(per_type) if per_type else np.zeros(0)
    out[:n_pins] = flat[offsets[node_type] + g.node_pin.node_local]
    return out


def _limits(an: Analysis, libs, kind: str, scale_of) -> np.ndarray:
    """Every pin and port node's limit of `kind` (inf: none), as the module docstring."""
    g, sdc = an.graph, an.sdc
    table = sdc.limits.get(kind, {})
    defaults = _library_defaults(libs, f"default_{kind}", scale_of)

    def liberty(cell, pin) -> float:
        own = pin.limits.get(kind)
        if own is None and pin.direction in ("output", "inout"):
            own = defaults.get(cell.name)
        return math.inf if own is None else own

    limit = _per_pin(g, libs, liberty)
    n_pins = g.clock_node_base - len(g.netlist.ports)
    limit[n_pins:] = np.inf
    for k, port in enumerate(g.netlist.ports):
        if port.name in table:
            limit[n_pins + k] = table[port.name]
    design = table.get("")
    if design is not None:
        np.minimum(limit, design, out=limit)
    return limit


def _result(g, kind, nodes, limit, value, edge) -> Checks:
    """Checks from the checked nodes' limits, values and edges (names only for the
    violators and the worst pin)."""
    slack = limit - value

    def violation(k) -> Violation:
        return Violation(g.node_name(int(nodes[k])), int(edge[k]), float(limit[k]),
                         float(value[k]), float(slack[k]), kind)

    out = [violation(k) for k in np.flatnonzero(slack < 0)]
    out.sort(key=lambda x: (x.slack, x.pin))
    first = out[0] if out else (violation(int(np.argmin(slack))) if len(nodes) else None)
    return Checks(len(nodes), out, first, kind, g.cap_unit, g.time_unit)


def max_transition(an: Analysis, libs) -> Checks:
    """Every limited pin's worst transition against its limit (numpy over all pins)."""
    g = an.graph
    limit = _limits(an, libs, "max_transition", lambda lib: lib.time_unit)
    n_all = g.clock_node_base
    nodes = np.flatnonzero((g.node_net[:n_all] >= 0) & np.isfinite(limit))
    # slew at each pin: its own with parasitics, else its net driver's (max analysis)
    net = g.node_net[nodes]
    drv = g.net_driver[np.maximum(net, 0)]
    src = np.where((net >= 0) & (drv >= 0), drv, nodes)
    if g.node_source is not None:   # multi-driver nets: each pin has its own slew
        own_src = g.node_source[nodes]
        src = np.where(own_src >= 0, own_src, src)
    slew = an.slew_max[src]
    if an.has_pin is not None:
        own = an.has_pin[nodes]
        slew[own] = an.pin_slew[nodes[own], :, 0]
    edge = (slew[:, 1] > slew[:, 0]).astype(np.int64)
    worst = slew[np.arange(len(nodes)), edge]
    return _result(g, "max_transition", nodes, limit[nodes], worst, edge)


def _output_nodes(an: Analysis, libs) -> np.ndarray:
    """The nodes max_capacitance and max_fanout check: cell output pins and output ports on
    a net, neither constant nor disabled (OpenSTA's CheckCapacitanceLimits::checkPin)."""
    g = an.graph
    n_all = g.clock_node_base
    n_pins = n_all - len(g.netlist.ports)
    out = _per_pin(g, libs, lambda cell, pin: float(pin.direction in ("output", "inout")))
    is_out = out == 1.0
    for k, port in enumerate(g.netlist.ports):
        is_out[n_pins + k] = port.direction in ("output", "inout")
    ok = is_out & (g.node_net[:n_all] >= 0)
    if g.node_blocked is not None:
        ok &= ~g.node_blocked[:n_all]
    if g.ideal_clock_nodes is not None:   # OpenSTA: `!isIdealClock(pin)`
        ok &= ~g.ideal_clock_nodes[:n_all]
    return np.flatnonzero(ok)


def max_capacitance(an: Analysis, libs) -> Checks:
    """Every limited output's driver load against its limit."""
    g = an.graph
    limit = _limits(an, libs, "max_capacitance", lambda lib: lib.cap_unit)
    nodes = _output_nodes(an, libs)
    nodes = nodes[np.isfinite(limit[nodes])]
    drv = g.net_driver[g.node_net[nodes]]
    src = np.where(drv >= 0, drv, nodes)
    cap = np.array(g.load[src], dtype=float).reshape(-1, 2)
    for k, v in enumerate(src.tolist()):
        rc = (g.rc or {}).get(v)
        if rc is not None:
            # parasitics: the net's load as OpenSTA's GraphDelayCalc::loadCap (the Cap
            # column, rc.RcNet.cap): the wire the driver reaches plus every pin on the net
            # at the max analysis; a port's set_load overrides it (the lumped load)
            for e in range(2):
                c = rc.cap.get((e, 0))
                if c is not None:
                    cap[k, e] = c
    edge = (cap[:, 1] > cap[:, 0]).astype(np.int64)
    worst = cap[np.arange(len(nodes)), edge]
    out = _result(g, "max_capacitance", nodes, limit[nodes], worst, edge)
    out.cap_unit = libs[0].cap_unit
    return out


def max_fanout(an: Analysis, libs) -> Checks:
    """Every limited output's net fanout (sum of the loads' fanout_load) against its
    limit."""
    g = an.graph
    limit = _limits(an, libs, "max_fanout", lambda lib: 1.0)
    default = _library_defaults(libs, "default_fanout_load", lambda lib: 1.0)

    def load(cell, pin) -> float:
        own = pin.limits.get("fanout_load", default.get(cell.name))
        return 0.0 if own is None or pin.direction not in ("input", "inout") else own

    weight = _per_pin(g, libs, load)
    n_all = g.clock_node_base
    net = g.node_net[:n_all]
    is_load = (net >= 0) & np.isfinite(weight) & (np.arange(n_all) != g.net_driver[
        np.maximum(net, 0)])
    per_net = np.bincount(net[is_load], weights=weight[is_load],
                          minlength=len(g.net_driver))
    nodes = _output_nodes(an, libs)
    nodes = nodes[np.isfinite(limit[nodes])]
    fanout = per_net[g.node_net[nodes]]
    return _result(g, "max_fanout", nodes, limit[nodes], fanout,
                   np.full(len(nodes), -1, np.int64))


def check_all(an: Analysis, libs) -> dict[str, Checks]:
    """The three design rules, in OpenSTA's report order."""
    return {"max_transition": max_transition(an, libs),
            "max_capacitance": max_capacitance(an, libs),
            "max_fanout": max_fanout(an, libs)}


def format_checks(checks: Checks, digits: int) -> str:
    """OpenSTA's `report_check_types -max_* -all_violators` table (capacitance in the
    first library's unit)."""
    rows = checks.violators
    w = max(8, digits + 6)
    scale, _ = checks.unit()
    col = _UNITS[checks.kind][1]
    lines = [checks.kind, "", f"{'Pin':<36}{'Limit':>{w}}{col:>{w}}{'Slack':>{w}}",
             "-" * (36 + 3 * w)]
    for c in rows:
        verdict = "VIOLATED" if c.slack < 0 else "MET"
        lines.append(f"{c.pin:<36}{c.limit * scale:>{w}.{digits}f}"
                     f"{c.value * scale:>{w}.{digits}f}{c.slack * scale:>{w}.{digits}f}"
                     f" ({verdict})")
    if not rows:
        lines.append("(none)")
    return "\n".join(lines) + "\n"


def format_summary(rules: dict[str, Checks], digits: int) -> str:
    """One summary line per design rule: pins checked, violations, the worst slack."""
    lines = []
    for kind, c in rules.items():
        scale, unit = c.unit()
        worst = f"  worst slack {c.worst.slack * scale:.{digits}f}{' ' + unit if unit else ''}" \
            if c.worst else ""
        lines.append(f"drc    {kind}: {c.checked} pins checked, violations "
                     f"{len(c.violators)}{worst}")
    return "\n".join(lines) + "\n"


def count(rules: dict[str, Checks]) -> int:
    """Violations over all the rules (what --max-drc-violations gates)."""
    return sum(len(c.violators) for c in rules.values())
