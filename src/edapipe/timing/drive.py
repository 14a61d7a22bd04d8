"""set_driving_cell: the delay and slew a library cell adds in front of an input port."""

from __future__ import annotations

import numpy as np

from edapipe.errors import InputError, excerpt
from edapipe.timing import levels as L
from edapipe.timing.graph import TableStore


def driving_cell_delays(spec: dict, libs, load: np.ndarray) -> tuple[list[float], list[float]]:
    """Worst (max) delay and slew per output edge of the driving cell's arcs into `-pin`,
    evaluated at the port's net load and the given input transition (0 by default)."""
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
    store = TableStore()
    delay = [0.0, 0.0]
    slew = [0.0, 0.0]
    found = False
    for arc in outs[0].timing:
        if arc.timing_type not in ("combinational", "combinational_rise",
                                   "combinational_fall"):
            continue
        if spec["from_pin"] is not None and arc.related_pin != spec["from_pin"]:
            continue
        found = True
        for e, (dk, sk) in enumerate((("cell_rise", "rise_transition"),
                                      ("cell_fall", "fall_transition"))):
            # the input edge that makes this output edge (both for non-unate arcs)
            if arc.sense == "positive_unate":
                in_edges = [e]
            elif arc.sense == "negative_unate":
                in_edges = [1 - e]
            else:
                in_edges = [0, 1]
            for ei in in_edges:
                for key, out in ((dk, delay), (sk, slew)):
                    tb = arc.tables.get(key)
                    if tb is None:
                        continue
                    tid = store.id(tb)
                    tabs = store.pack()
                    v = float(L.table_values(np.array([tid]), np.array([spec["slew"][ei]]),
                                             np.array([load[e]]), np.zeros(1), *tabs)[0])
                    out[e] = max(out[e], v if key == dk else max(v, 0.0))
    if not found:
        raise error(f"set_driving_cell: cell {name} has no combinational arc "
                    f"{'from ' + excerpt(spec['from_pin'], 60) if spec['from_pin'] else ''}"
                    .rstrip())
    return delay, slew
