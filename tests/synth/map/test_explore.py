"""`map_best`: which settings each goal tries and which result it keeps."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from edapipe.synth.map.explore import (AREA_MARGIN, DELAY_WEIGHT, GOALS, Choice, choose,
                                      settings_for)


def _choice(name: str, area: float, arrival: float, wns: float = 0.0) -> Choice:
    return Choice(name, SimpleNamespace(area=area), None, arrival, wns)


# area, arrival: a small slow netlist, a mid one, a large fast one
FRONT = [_choice("small", 100.0, 10.0), _choice("mid", 104.0, 8.0),
         _choice("fast", 150.0, 5.0)]


def test_each_goal_tries_only_settings_that_can_win():
    area = settings_for("area")
    assert [s.name for s in area] == ["area"] and not area[0].params.sizing
    delay = settings_for("delay")
    assert delay and all(s.params.sizing for s in delay)
    auto = settings_for("auto")
    assert auto[0].name == "area"         # first: with an SDC it may be the only one mapped
    assert all(s.params.elasticity == pytest.approx(1 / DELAY_WEIGHT)
               for s in auto if s.params.sizing)
    assert set(GOALS) == {"auto", "area", "delay"}
    with pytest.raises(ValueError):
        settings_for("speed")


def test_area_and_delay_goals_take_the_extremes():
    assert choose(FRONT, "area", False).name == "small"
    assert choose(FRONT, "delay", False).name == "fast"


def test_auto_without_sdc_buys_delay_only_cheaply():
    # mid: 4% more area for 20% less delay (taken); fast: 50% more for half the delay (not)
    assert choose(FRONT, "auto", False).name == "mid"
    # 3% more area for 3% less delay is not worth it
    assert choose([_choice("a", 100.0, 10.0), _choice("b", 103.0, 9.7)], "auto",
                  False).name == "a"
    # twice as fast for 6% more area would be by the product, but is beyond the margin
    assert choose([_choice("a", 100.0, 10.0), _choice("b", 100.0 * (1 + AREA_MARGIN) + 1,
                                                      5.0)], "auto", False).name == "a"


def test_auto_with_sdc_keeps_the_smallest_that_meets_timing():
    front = [_choice("small", 100.0, 10.0, -2.0), _choice("mid", 104.0, 8.0, 0.0),
             _choice("fast", 130.0, 5.0, 0.0)]
    assert choose(front, "auto", True).name == "mid"
    failing = [_choice("small", 100.0, 10.0, -2.0), _choice("fast", 130.0, 5.0, -0.5)]
    assert choose(failing, "auto", True).name == "fast"
    assert choose(failing, "delay", True).name == "fast"
    assert choose(failing, "area", True).name == "small"
