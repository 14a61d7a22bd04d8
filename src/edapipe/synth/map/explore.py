"""Choosing among mappings by their real timing: what `edapipe flow` does by default.

No single setting of the cell mapper is best on every design: an area-oriented mapping is
also fast on some circuits and slow on others, and sizing buys delay at a price in area
that differs by design. `map_best` maps with a few settings, times each result with the
timing engine under the design's constraints, and keeps:

- with a real constraint (an SDC), the smallest area among the results that meet timing
  (no setup violation), else the one with the least negative worst slack;
- without one, the least area x arrival^0.4: area first, delay as the tie-breaker that
  still buys a much faster netlist for a little area (on the EPFL set against Yosys, the
  exponent 0.4 kept the netlist smaller and faster on 10 of 17 circuits, 0.0 on 9 and the
  plain area-delay product on 6).
"""

from __future__ import annotations

from dataclasses import dataclass

from edapipe.synth.map.cells import CellNetlist, CellParams, map_cells
from edapipe.synth.map.timing import analyze_cells, worst_arrival

DELAY_WEIGHT = 0.4

VARIANTS = (
    ("area", CellParams(area=True, sizing=False)),
    ("area+sizing", CellParams(area=True, sizing=True, elasticity=1.0)),
    ("delay+30%", CellParams(relax=0.3, sizing=True, elasticity=1.0)),
    ("delay+100%", CellParams(relax=1.0, sizing=True, elasticity=1.0)),
    ("delay", CellParams(relax=0.0, sizing=True, elasticity=0.5)),
)


@dataclass
class Choice:
    name: str
    net: CellNetlist
    text: bytes
    analysis: object
    arrival: float
    wns: float
    cpu: float = 0.0          # CPU seconds to map, size and time this setting


def map_best(aig, mlib, libs, sdc_text: str | None, clock: str, sdc_name: str = "<sdc>",
             variants=VARIANTS) -> tuple[Choice, list[Choice]]:
    import time

    from edapipe.timing.search import SETUP

    tried = []
    for name, params in variants:
        t = time.process_time()
        net = map_cells(aig, mlib, params, clock=clock)
        text = net.verilog()
        an = analyze_cells(net, libs, sdc_text, sdc_name, clock=clock)
        tried.append(Choice(name, net, text, an, worst_arrival(an),
                            min(0.0, an.worst_slack(SETUP)), time.process_time() - t))
    if sdc_text is not None:
        meeting = [c for c in tried if c.wns >= 0.0]
        best = (min(meeting, key=lambda c: (c.net.area, c.arrival)) if meeting
                else max(tried, key=lambda c: (c.wns, -c.net.area)))
    else:
        best = min(tried, key=lambda c: (c.net.area * c.arrival ** DELAY_WEIGHT, c.net.area))
    return best, tried
