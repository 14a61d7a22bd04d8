"""Gate sizing and buffering of a mapped netlist (as ABC's `upsize`, `dnsize`, `buffer`).

The mapper picks every cell in its smallest drive strength. Here, in reverse topological
order (every cell after the cells it drives), each cell takes the drive strength that
minimizes its own delay into the load it actually drives plus the cost its input
capacitance puts on its drivers (their typical delay per farad), so a cell driving many
inputs is upsized and one driving a single small input stays small. Before that, a net with
more than `max_fanout` sinks is split: its sinks go to buffers (a balanced tree) so no net
drives more than that.

Delays are the same straight lines as the mapper's (intercept + slope * load per input pin,
from the NLDM tables at the nominal slew); the netlist's final timing is the timing engine's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.synth.map.cells import CellNetlist, Instance
from edapipe.synth.map.library import MatchLibrary, pin_delay_line


def _namer(used: set[str], tag: str):
    """fresh(base): the first name base_<tag>N (N = 1, 2, ...) not in `used`, added to it."""
    counter = [0]

    def fresh(base: str) -> str:
        while True:
            counter[0] += 1
            name = f"{base}_{tag}{counter[0]}"
            if name not in used:
                used.add(name)
                return name

    return fresh


@dataclass(frozen=True)
class SizingParams:
    max_fanout: int = 16
    buffer_fanout: int = 8       # sinks per buffer in a buffer tree


class _Sizes:
    """Per group: every size's input caps and pin delay lines, computed on first use (one
    per match library: `sizes_of`)."""

    def __init__(self, mlib: MatchLibrary):
        self.mlib = mlib
        self.by_cell = {}
        for gi, grp in enumerate(mlib.groups):
            for cell in grp.cells:
                self.by_cell[cell.name] = gi
        self.cache = {}

    def options(self, gi: int):
        got = self.cache.get(gi)
        if got is None:
            grp = self.mlib.groups[gi]
            got = []
            step = 4 * self.mlib.nominal_cin
            for cell in grp.cells:
                lines = [pin_delay_line(cell, grp.output, p, step) for p in grp.inputs]
                cin = {p: max(cell.pins[p].cap_rise, cell.pins[p].cap_fall) for p in grp.inputs}
                got.append((cell, lines, cin))
            self.cache[gi] = got
        return got


def sizes_of(mlib: MatchLibrary) -> _Sizes:
    if mlib._sizes is None:
        mlib._sizes = _Sizes(mlib)
    return mlib._sizes


def _structure(net: CellNetlist, lib_cells):
    """Sinks (instance, pin) and driver of every net, and the instances in reverse
    topological order: what sizing a netlist reads and never changes."""
    sinks: dict[str, list[tuple[int, str]]] = {}
    driver: dict[str, int] = {}
    for k, inst in enumerate(net.instances):
        cell = lib_cells[inst.cell]
        for pin, n in inst.conns:
            p = cell.pins.get(pin)
            if p is None:
                continue
            if p.direction == "output":
                driver[n] = k
            else:
                sinks.setdefault(n, []).append((k, pin))
    return sinks, driver, _reverse_topological(net, lib_cells, driver)


def _pin_cap(lib_cells, cell_name: str, pin: str) -> float:
    p = lib_cells[cell_name].pins.get(pin)
    return 0.0 if p is None else max(p.cap_rise, p.cap_fall)


def size_netlist(net: CellNetlist, mlib: MatchLibrary,
                 params: SizingParams = SizingParams(), only: set[int] | None = None,
                 buffer: bool = True, max_step: int = 0, by_driver: bool = True,
                 structure=None) -> CellNetlist:
    """Size every instance (or only those in `only`, and the drivers of those that change)
    for the load it drives; `max_step` > 0 limits a change to that many drive strengths up
    from the present one. An input's capacitance costs the delay per farad of the cell that
    drives it (`by_driver`) or of a typical cell. `structure`: `_structure` of this netlist
    (or of a copy: sizing changes cells, not connections), without `buffer`."""
    lib_cells = mlib.lib.cells
    sizes = sizes_of(mlib)
    if buffer:
        _buffer_high_fanout(net, mlib, params, lib_cells)
        structure = None
    sinks, driver, order = structure or _structure(net, lib_cells)
    # the cost of input capacitance: the delay per farad of the cell driving that input (an
    # input port has no drive resistance: none), the typical one for a cell not sized here
    slopes = [float(np.median(g.slope)) for g in mlib.groups if g.n and g.slope.size]
    typical = float(np.median(slopes)) if slopes else 0.0
    inputs = set(net.inputs)

    def per_farad(n: str) -> float:
        if not by_driver:
            return typical
        if n in inputs:
            return 0.0
        d = driver.get(n)
        gi = sizes.by_cell.get(net.instances[d].cell) if d is not None else None
        if gi is None:
            return typical
        cell = net.instances[d].cell
        return max(max(b for _, b in lines) for c, lines, _ in sizes.options(gi)
                   if c.name == cell)
    area = net.area
    only = None if only is None else set(only)
    for k in order:
        if only is not None and k not in only:
            continue
        inst = net.instances[k]
        gi = sizes.by_cell.get(inst.cell)
        if gi is None or len(mlib.groups[gi].cells) < 2:
            continue
        grp = mlib.groups[gi]
        out_net = next((n for pin, n in inst.conns if pin == grp.output), None)
        load = sum(_pin_cap(lib_cells, net.instances[s].cell, p)
                   for s, p in sinks.get(out_net, ()))
        best = None
        options = sizes.options(gi)
        if max_step > 0:
            now = next(i for i, (c, _, _) in enumerate(options) if c.name == inst.cell)
            options = options[now:now + max_step + 1]
        pin_net = dict(inst.conns)
        cost_of = {p: per_farad(pin_net[p]) for p in grp.inputs}
        for cell, lines, cin in options:
            delay = max(a + b * load for a, b in lines)
            cost = delay + max(cost_of[p] * c for p, c in cin.items())
            if best is None or cost < best[0] - 1e-15:
                best = (cost, cell)
        cell = best[1]
        if cell.name != inst.cell:
            area += cell.area - lib_cells[inst.cell].area
            inst.cell = cell.name
            if only is not None:
                # its drivers see another load: they are sized again (later in this order)
                only.update(driver[pin_net[p]] for p in grp.inputs if pin_net[p] in driver)
    net.area = area
    return net


def _reverse_topological(net: CellNetlist, lib_cells, driver) -> list[int]:
    """Instances, each after every instance it drives (flip-flops cut the cycles)."""
    n = len(net.instances)
    fanin: list[list[int]] = [[] for _ in range(n)]
    pending = [0] * n
    for k, inst in enumerate(net.instances):
        cell = lib_cells[inst.cell]
        if cell.sequential:
            continue
        for pin, nt in inst.conns:
            p = cell.pins.get(pin)
            if p is not None and p.direction == "input" and nt in driver:
                d = driver[nt]
                if not lib_cells[net.instances[d].cell].sequential:
                    fanin[k].append(d)
                    pending[d] += 1
    ready = [k for k in range(n) if pending[k] == 0]
    order = []
    while ready:
        k = ready.pop()
        order.append(k)
        for d in fanin[k]:
            pending[d] -= 1
            if pending[d] == 0:
                ready.append(d)
    return order


def _buffer_high_fanout(net: CellNetlist, mlib: MatchLibrary, params: SizingParams,
                        lib_cells) -> None:
    """Split every net with more than max_fanout sinks into a tree of buffers."""
    if mlib.buffer < 0:
        return
    buf = mlib.groups[mlib.buffer]
    sinks: dict[str, list[tuple[int, int]]] = {}
    port_names = set(net.outputs)
    for k, inst in enumerate(net.instances):
        cell = lib_cells[inst.cell]
        for j, (pin, n) in enumerate(inst.conns):
            p = cell.pins.get(pin)
            if p is not None and p.direction == "input" and not p.is_clock:
                sinks.setdefault(n, []).append((k, j))
    used = {n for inst in net.instances for _, n in inst.conns} | set(net.inputs) | port_names
    fresh = _namer(used, "b")

    for n, items in list(sinks.items()):
        if len(items) <= params.max_fanout:
            continue
        level = items
        src = n
        # group the sinks under buffers until the source drives at most max_fanout
        while len(level) > params.max_fanout:
            groups = [level[i:i + params.buffer_fanout]
                      for i in range(0, len(level), params.buffer_fanout)]
            new_level = []
            for grp in groups:
                out = fresh(src if len(src) < 60 else "net")
                net.wires.append(out)
                for k, j in grp:
                    pin, _ = net.instances[k].conns[j]
                    net.instances[k].conns[j] = (pin, out)
                net.instances.append(Instance(buf.cells[0].name, fresh("buf"),
                                              [(buf.inputs[0], src), (buf.output, out)]))
                net.area += buf.area
                new_level.append((len(net.instances) - 1, 0))
            level = new_level


def size_for_timing(net: CellNetlist, mlib: MatchLibrary, clock: str | None = None,
                    rounds: int = 12, window: float = 0.01,
                    params: SizingParams = SizingParams(), max_step: int = 1,
                    elasticity: float = 0.0) -> CellNetlist:
    """Timing-driven sizing: buffer high fanout, then size only the instances whose slack
    is within `window` (a fraction of the worst arrival) of the worst, timing the netlist
    with the timing engine between rounds. A round is kept only when it makes the worst
    arrival earlier by at least `elasticity` times the fraction of area it adds (0: any
    gain); the first round that is not ends the search."""
    from edapipe.synth.map.timing import analyze_cells, worst_arrival

    lib = mlib.lib

    def timing(n):
        an = analyze_cells(n, [lib], clock=clock)
        return an, worst_arrival(an)

    an, worst = timing(net)
    # a buffer tree on high-fanout nets, kept only when it pays as a sizing round must
    trial = net.copy()
    _buffer_high_fanout(trial, mlib, params, lib.cells)
    if trial.area != net.area:
        an2, worst2 = timing(trial)
        gain = (worst - worst2) / worst if worst > 0 else 0.0
        if gain > 1e-6 and gain >= elasticity * (trial.area - net.area) / net.area:
            net, an, worst = trial, an2, worst2
    structure = _structure(net, lib.cells)
    for _ in range(rounds):
        slack = _instance_slack(an, net)
        if not slack:
            break
        floor = min(slack.values())
        margin = window * worst
        critical = {k for k, s in slack.items() if s <= floor + margin}
        best = None
        # proposals: the input capacitance costed by each input's own driver or by a
        # typical cell (neither is always better: dec wants the first, adder the second);
        # where neither gains, every critical instance one size up whatever its load
        # model says, and critical-path isolation behind buffers
        for how in ("driver", "typical", "up", "isolate"):
            if how == "up" and best is not None:
                break                    # the last two only where the load models stop
            trial = net.copy()
            if how == "up":
                _step_up(trial, mlib, critical)
            elif how == "isolate":
                if not _isolate(trial, mlib, critical, structure, slack, floor):
                    continue
            else:
                size_netlist(trial, mlib, params, only=critical, buffer=False,
                             max_step=max_step, by_driver=how == "driver",
                             structure=structure)
            if how != "isolate" and \
                    [i.cell for i in trial.instances] == [i.cell for i in net.instances]:
                continue
            an2, worst2 = timing(trial)
            gain = (worst - worst2) / worst if worst > 0 else 0.0
            cost = (trial.area - net.area) / net.area if net.area > 0 else 0.0
            if gain > 1e-6 and gain >= elasticity * cost and (best is None or
                                                               worst2 < best[2]):
                best = (trial, an2, worst2, how)
        if best is None:
            break
        net, an, worst, how = best
        if how == "isolate":
            structure = _structure(net, lib.cells)      # sinks moved behind buffers
    net.timed = (clock, an, lib)
    return net


def _step_up(net: CellNetlist, mlib: MatchLibrary, only) -> None:
    """Every instance of `only` one drive strength up (where there is one)."""
    sizes = sizes_of(mlib)
    lib_cells = mlib.lib.cells
    for k in only:
        inst = net.instances[k]
        gi = sizes.by_cell.get(inst.cell)
        if gi is None:
            continue
        cells = mlib.groups[gi].cells
        now = next(i for i, c in enumerate(cells) if c.name == inst.cell)
        if now + 1 < len(cells):
            net.area += cells[now + 1].area - lib_cells[inst.cell].area
            inst.cell = cells[now + 1].name


def _isolate(net: CellNetlist, mlib: MatchLibrary, critical, structure, slack,
             floor: float) -> bool:
    """Critical-path isolation (as ABC's `buffer`): the sinks of a critical instance's
    output whose slack exceeds the worst by more than a buffer's delay into them go behind
    one buffer of the smallest size, so the critical sinks see less load; only where the
    buffer's input is lighter than the sinks it takes. Returns whether anything moved."""
    if mlib.buffer < 0:
        return False
    sinks, _, _ = structure
    lib_cells = mlib.lib.cells
    buf = mlib.groups[mlib.buffer]
    buf_cin = float(buf.cin[0])
    buf_lines = [(float(buf.delay0[0]), float(buf.slope[0]))]
    used = set(net.wires) | set(net.inputs) | set(net.outputs)
    used |= {i.name for i in net.instances}
    fresh = _namer(used, "i")

    moved = False
    for k in sorted(critical):
        inst = net.instances[k]
        cell = lib_cells[inst.cell]
        out = next((n for p, n in inst.conns
                    if cell.pins.get(p) is not None and cell.pins[p].direction == "output"),
                   None)
        items = sinks.get(out, ()) if out is not None else ()
        room = [(slack.get(j, floor) - floor, j, pin) for j, pin in items]
        off = [(j, pin) for r, j, pin in room if j not in critical and r > 0.0]
        if not off or len(off) == len(items):
            continue
        cap = sum(_pin_cap(lib_cells, net.instances[j].cell, pin) for j, pin in off)
        if cap <= buf_cin:
            continue
        # the buffer's own delay into what it drives, with a margin: the slack it needs
        need = 1.5 * max(a + b * cap for a, b in buf_lines)
        off = [(j, pin) for r, j, pin in room if j not in critical and r > need]
        if not off:
            continue
        new = fresh(out if len(out) < 60 else "net")
        net.wires.append(new)
        for j, pin in off:
            sink = net.instances[j]
            sink.conns = [(p, new if p == pin and n == out else n) for p, n in sink.conns]
        net.instances.append(Instance(buf.cells[0].name, fresh("iso"),
                                      [(buf.inputs[0], out), (buf.output, new)]))
        net.area += buf.area
        moved = True
    return moved


def _instance_slack(an, net: CellNetlist) -> dict[int, float]:
    """Worst setup slack through each instance of `net` (by name)."""
    g = an.graph
    index = {inst.name: k for k, inst in enumerate(net.instances)}
    slack = an.node_slack[:, 0]
    out: dict[int, float] = {}
    names = [inst.name for inst in g.netlist.instances]
    for node in np.flatnonzero(g.node_inst >= 0):
        s = float(slack[node])
        if not np.isfinite(s):
            continue
        k = index.get(names[g.node_inst[node]])
        if k is not None and (k not in out or s < out[k]):
            out[k] = s
    return out
