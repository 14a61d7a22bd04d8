"""Choosing among mappings by their real timing: what `edapipe flow` does.

No single setting of the cell mapper is best on every design: an area-oriented mapping is
also fast on some circuits and slow on others, and sizing buys delay at a price in area
that differs by design. `map_best` maps with the settings that can win under the user's
goal, times each result with the timing engine under the design's constraints, and keeps:

- goal `area`: the smallest netlist (one mapping: sizing and delay bounds only add area);
- goal `delay`: the least worst arrival (with an SDC: the best worst slack), then the
  smallest;
- goal `auto` with an SDC: the smallest netlist that meets timing (no setup violation),
  else the one with the best worst slack; the area mapping with full-adder cells comes
  first, then the one without them, and when one meets timing nothing after it can be
  smaller, so nothing else is mapped;
- goal `auto` without an SDC: among the results at most 5% larger than the smallest, the
  least area x arrival^0.5: the flow does not trade much area for delay, and within that
  margin area weighs twice as much as delay (1% more area only for at least 2% less delay).
  Sizing in these settings keeps a round by the same rule (elasticity 2). A mapping already
  above the margin before sizing cannot win (sizing only adds area): it is not sized.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from edapipe.synth.map.cells import CellNetlist, CellParams, map_cells, virtual_analysis
from edapipe.synth.map.timing import analyze_cells, worst_arrival

GOALS = ("auto", "area", "delay")
DELAY_WEIGHT = 0.5          # auto without SDC: the least area x arrival^DELAY_WEIGHT
AREA_MARGIN = 0.05          # ... among the results at most this much above the least area
TRADE = 1.0 / DELAY_WEIGHT  # sizing elasticity that lowers that same product


@dataclass(frozen=True)
class Setting:
    name: str
    params: CellParams
    goals: tuple[str, ...]     # the goals under which this setting can win


def _sized(name: str, relax: float | None, elasticity: float, goals,
           delay_passes: int = CellParams.delay_passes) -> Setting:
    # one mapping per setting: the settings are the flow's own portfolio, and the
    # mapper's (several delay models, each sized) would triple every one of them
    area = relax is None
    return Setting(name, CellParams(area=area, relax=0.0 if area else relax, sizing=True,
                                    elasticity=elasticity, portfolio=False,
                                    delay_passes=delay_passes), goals)


SETTINGS = (
    # auto with an SDC, first: the smallest netlist that meets timing may be one with
    # full-adder cells (adders.py: multiplier 0.91x the area, 1.9x the arrival); without an
    # SDC auto does not use them: a mapping that much smaller and slower would set the
    # area margin alone
    Setting("area+adders", CellParams(area=True, sizing=False, portfolio=False, adders=True),
            ("auto",)),
    # without structural choices: dch's sweep costs more than the mapping on some designs
    # (log2 49 s of CPU, sin 10 s) against the flow's time target (docs/mapping.md)
    Setting("area", CellParams(area=True, sizing=False, choices=False), ("area",)),
    # auto: the area portfolio's first variant alone (dominated cuts, repeated-leaf
    # matches): the other three were smaller on 2 of the 17 EPFL circuits, by 0.6% (max)
    # and 0.05% (multiplier), for 2.7x the time (docs/mapping.md)
    Setting("area", CellParams(area=True, sizing=False, portfolio=False), ("auto",)),
    # auto: sized where a round pays by the auto rule
    _sized("area+sizing", None, TRADE, ("auto",)),
    # one delay pass: the later passes (loads from the previous mapping) sharpen the best
    # arrival by 0-18%, which a bound of twice that arrival does not need, and they are
    # most of the mapping's CPU (sqrt 8.7 of 10.5 s), mostly spent on a mapping that is
    # then over the area margin (docs/decisions.md)
    _sized("delay+100%", 1.0, TRADE, ("auto",), delay_passes=1),
    _sized("delay+30%", 0.3, TRADE, ("auto",)),
    _sized("delay+0%", 0.0, TRADE, ("auto",)),
    # delay: sized while a round buys delay at least half as fast as it adds area
    _sized("area+upsizing", None, 0.5, ("delay",)),
    _sized("delay+100%+upsizing", 1.0, 0.5, ("delay",)),
    _sized("delay+30%+upsizing", 0.3, 0.5, ("delay",)),
    _sized("delay", 0.0, 0.5, ("delay",)),
)


def settings_for(goal: str, constrained: bool = False) -> tuple[Setting, ...]:
    """The settings mapped under `goal`, with an SDC (`constrained`) or without."""
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r} (one of {', '.join(GOALS)})")
    return tuple(s for s in SETTINGS if goal in s.goals and (constrained or not s.params.adders))


@dataclass
class Choice:
    name: str
    net: CellNetlist
    analysis: object
    arrival: float
    wns: float
    cpu: float = 0.0          # CPU seconds to map, size and time this setting


def choose(tried: list[Choice], goal: str, constrained: bool) -> Choice:
    """The kept result among `tried` under `goal` (the module docstring's rules)."""
    if goal == "area":
        return min(tried, key=lambda c: (c.net.area, c.arrival))
    if goal == "delay":
        if constrained:
            return max(tried, key=lambda c: (c.wns, -c.arrival, -c.net.area))
        return min(tried, key=lambda c: (c.arrival, c.net.area))
    if constrained:
        meeting = [c for c in tried if c.wns >= 0.0]
        if meeting:
            return min(meeting, key=lambda c: (c.net.area, c.arrival))
        return max(tried, key=lambda c: (c.wns, -c.net.area))
    cap = min(c.net.area for c in tried) * (1.0 + AREA_MARGIN)
    return min((c for c in tried if c.net.area <= cap),
               key=lambda c: (c.net.area * c.arrival ** DELAY_WEIGHT, c.net.area))


def map_best(aig, mlib, libs, sdc_text: str | None, clock: str, sdc_name: str = "<sdc>",
             goal: str = "auto") -> tuple[Choice, list[Choice], list[tuple[str, float]]]:
    """Map `aig` with the settings of `goal`, time each, keep one (`choose`). Returns the
    kept result, every result and the settings not sized (they could not win), each with
    the CPU seconds it cost (its mapping, or nothing when it was not mapped)."""
    from edapipe.timing.search import SETUP

    constrained = sdc_text is not None
    tried: list[Choice] = []
    skipped: list[tuple[str, float]] = []
    unsized: dict[CellParams, CellNetlist] = {}
    settings = settings_for(goal, constrained)
    capped = goal == "auto" and not constrained
    # without a cap every delay setting is mapped: their delay passes are made once for
    # all; with one, each delay mapping alone, as the next is mapped only when this one
    # fits (mostly it does not: arbiter's +30% and +0% together cost 25 s of CPU, to be
    # discarded, against about 9 s for +30% alone)
    delays = [] if capped else [s.params for s in settings if not s.params.area]
    over: float | None = None       # the largest relax whose mapping was over the cap
    for setting in settings:
        t = time.process_time()
        cap = (min(c.net.area for c in tried) * (1.0 + AREA_MARGIN)
               if capped and tried else float("inf"))
        p = setting.params
        if not p.area and over is not None and p.relax <= over:
            # less room for area recovery than a mapping already over the cap: larger
            # still (measured on every EPFL circuit), so not mapped
            skipped.append((setting.name, 0.0))
            continue
        if p.adders and not mlib.adders:
            skipped.append((setting.name, 0.0))
            continue
        net = _map(aig, mlib, p, clock, unsized, cap, delays)
        if p.adders and net is not None and not _has_adders(net, mlib):
            # the same netlist as the plain area mapping's, which comes next: mapped once
            unsized[replace(p, adders=None)] = net
            skipped.append((setting.name, time.process_time() - t))
            continue
        if net is None:
            skipped.append((setting.name, time.process_time() - t))
            if not p.area:
                over = p.relax if over is None else max(over, p.relax)
            continue
        an = None
        if sdc_text is None and len(libs) == 1:
            an = virtual_analysis(net, mlib, clock) if libs[0] is mlib.lib else None
        if an is None:
            an = analyze_cells(net, libs, sdc_text, sdc_name, clock=clock)
        tried.append(Choice(setting.name, net, an, worst_arrival(an),
                            min(0.0, an.worst_slack(SETUP)), time.process_time() - t))
        if goal == "auto" and constrained and p.area and not p.sizing and tried[-1].wns >= 0:
            break       # the area mapping meets timing: no other setting is smaller
    return choose(tried, goal, constrained), tried, skipped


def _has_adders(net: CellNetlist, mlib) -> bool:
    names = {a.cell.name for a in mlib.adders}
    return any(i.cell in names for i in net.instances)


def _map(aig, mlib, params: CellParams, clock: str, unsized: dict,
         cap: float = float("inf"), delays=()) -> CellNetlist | None:
    """The mapping of `params`, sized when asked, or None when it is larger than `cap`
    before sizing; a mapping made before with the same mapper knobs is sized again
    instead of mapped again. A delay mapping is made at once with every setting of
    `delays` (the settings still to come) that differs from it only in relax: their delay
    passes are the same."""
    from dataclasses import replace

    from edapipe.synth.map.cells import map_cells_relaxed
    from edapipe.synth.map.sizing import size_for_timing

    key = replace(params, sizing=False, elasticity=0.0)      # the mapper's own knobs
    if key not in unsized and not key.area and not key.portfolio:
        same = [q.relax for q in delays
                if replace(q, sizing=False, elasticity=0.0, relax=key.relax) == key]
        todo = [key.relax] + [r for r in dict.fromkeys(same)
                              if r != key.relax and replace(key, relax=r) not in unsized]
        for r, net in zip(todo, map_cells_relaxed(aig, mlib, key, todo, clock=clock)):
            unsized[replace(key, relax=r)] = net
    if key not in unsized:
        unsized[key] = map_cells(aig, mlib, key, clock=clock)
    if unsized[key].area > cap:
        return None
    if not params.sizing:
        return unsized[key]
    return size_for_timing(unsized[key].copy(), mlib, clock=clock,
                           elasticity=params.elasticity)
