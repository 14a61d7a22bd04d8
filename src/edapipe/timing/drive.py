"""set_driving_cell: the delay and slew a library cell adds in front of an input port."""

from __future__ import annotations

import numpy as np

from edapipe.errors import InputError, excerpt
from edapipe.timing import levels as L
from edapipe.timing.graph import TableStore


def driving_cell_delays(spec: dict, libs, load: np.ndarray) -> tuple[list[float], list[float]]:
    """Delay and slew per output edge that the driving cell adds at an input port.

    OpenSTA's rule (GraphDelayCalc's input-arc delay): the delay is the arc's delay at the
    port's net load *minus the same arc's delay at zero load* (the intrinsic part belongs to
    whatever drives the cell, which the input delay already covers); the slew is the arc's
    slew at the load. The arcs are those from `-from_pin` (default: the first input pin, in
    the cell's pin order, with an arc to the output) to `-pin` (default: the first output
    pin), evaluated at `-input_transition_rise/fall` (0 by default). Where several arcs make
    the same output edge (non-unate arcs, or several timing groups), the last one in the
    library's order sets it, as OpenSTA annotates them one after the other."""
    def error(reason: str) -> InputError:
        # located at the -lib_cell word of the SDC command (where sdc.py recorded it)
        file, line, column = spec.get("where", (None, None, None))
        return InputError(reason, file=file, line=line, column=column)

    name = excerpt(spec["cell"], 60)
    cell = None
    for lib in libs:
        cell = lib.cells.get(spec["cell"])
        if cell is not None:
            break
    if cell is None:
        raise error(f"set_driving_cell: no library cell {name!r}")
    outs = [p for p in cell.pins.values() if p.direction == "output"]
    if spec["pin"] is not None:
        outs = [p for p in outs if p.name == spec["pin"]]
    if not outs:
        raise error(f"set_driving_cell: cell {name} has no output pin "
                    f"{excerpt(spec['pin'] or '', 60)}".rstrip())
    arcs = [arc for arc in outs[0].timing
            if arc.timing_type in ("combinational", "combinational_rise", "combinational_fall")]
    from_pin = spec["from_pin"]
    if from_pin is None and arcs:
        order = {p: k for k, p in enumerate(cell.pins)}
        from_pin = min((arc.related_pin for arc in arcs), key=lambda p: order.get(p, 1 << 30))
    arcs = [arc for arc in arcs if arc.related_pin == from_pin]
    if not arcs:
        raise error(f"set_driving_cell: cell {name} has no combinational arc "
                    f"{'from ' + excerpt(spec['from_pin'], 60) if spec['from_pin'] else ''}"
                    .rstrip())
    store = TableStore()

    def lookup(tb, slew_in: float, cap: float) -> float:
        tid = store.id(tb)
        return float(L.table_values(np.array([tid]), np.array([slew_in]), np.array([cap]),
                                    np.zeros(1), *store.pack())[0])

    delay = [0.0, 0.0]
    slew = [0.0, 0.0]
    for arc in arcs:
        for e, (dk, sk) in enumerate((("cell_rise", "rise_transition"),
                                      ("cell_fall", "fall_transition"))):
            if (arc.timing_type == "combinational_rise" and e == 1) or \
                    (arc.timing_type == "combinational_fall" and e == 0):
                continue
            # the input edge(s) that make this output edge, rise before fall
            if arc.sense == "positive_unate":
                in_edges = [e]
            elif arc.sense == "negative_unate":
                in_edges = [1 - e]
            else:
                in_edges = [0, 1]
            td, ts = arc.tables.get(dk), arc.tables.get(sk)
            if td is None:
                continue
            for ei in in_edges:
                s_in = spec["slew"][ei]
                delay[e] = lookup(td, s_in, load[e]) - lookup(td, s_in, 0.0)
                slew[e] = max(lookup(ts, s_in, load[e]), 0.0) if ts is not None else 0.0
    return delay, slew
