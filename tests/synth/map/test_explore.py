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


class _FakeAnalysis:
    def worst_slack(self, _kind):
        return 0.0


def _fake_mapper(monkeypatch, areas: dict[str, float], arrivals: dict[str, float]):
    """map_best over made-up mappings: `areas` by setting name before sizing (sizing adds
    nothing), `arrivals` after; records which settings were mapped and which sized."""
    from edapipe.synth.map import explore

    by_params = {s.params: s.name for s in explore.SETTINGS}
    calls = {"mapped": [], "sized": []}

    def fake_map(aig, mlib, params, clock, unsized, cap=float("inf"), delays=()):
        name = by_params[params]
        calls["mapped"].append(name)
        if areas[name] > cap:
            return None
        if params.sizing:
            calls["sized"].append(name)
        # the adder setting's netlist has an adder cell when `areas` says it is smaller
        adder = params.adders and areas[name] < areas["area"]
        return SimpleNamespace(area=areas[name], name=name,
                               instances=[SimpleNamespace(cell="FA" if adder else "NAND")])

    monkeypatch.setattr(explore, "_map", fake_map)
    monkeypatch.setattr(explore, "virtual_analysis", lambda net, mlib, clock: None)
    monkeypatch.setattr(explore, "analyze_cells", lambda net, *a, **k: _FakeAnalysis())
    monkeypatch.setattr(explore, "worst_arrival", lambda an: 0.0)
    # the arrival of a net is looked up by its setting
    real_choice = explore.Choice

    def choice(name, net, an, arrival, wns, cpu=0.0):
        return real_choice(name, net, an, arrivals[name], wns, cpu)

    monkeypatch.setattr(explore, "Choice", choice)
    return calls


def test_auto_does_not_map_a_delay_setting_with_less_room_than_one_over_the_margin(
        monkeypatch):
    from edapipe.synth.map.explore import map_best

    areas = {"area": 100.0, "area+sizing": 100.0, "delay+100%": 110.0, "delay+30%": 103.0,
             "delay+0%": 104.0}
    arrivals = {"area": 10.0, "area+sizing": 9.0, "delay+100%": 6.0, "delay+30%": 5.0,
                "delay+0%": 4.0}
    calls = _fake_mapper(monkeypatch, areas, arrivals)
    best, tried, skipped = map_best(None, SimpleNamespace(lib=None), [None], None, "clock")
    # delay+100% is over the margin: the smaller relaxes are never mapped, even though
    # these made-up areas would have been inside it
    assert calls["mapped"] == ["area", "area+sizing", "delay+100%"]
    assert [name for name, _ in skipped] == ["delay+100%", "delay+30%", "delay+0%"]
    assert skipped[1][1] == 0.0 and skipped[2][1] == 0.0
    assert [c.name for c in tried] == ["area", "area+sizing"]
    assert best.name == "area+sizing"


def test_auto_maps_the_next_relax_while_the_last_one_fits(monkeypatch):
    from edapipe.synth.map.explore import map_best

    areas = {"area": 100.0, "area+sizing": 100.0, "delay+100%": 101.0, "delay+30%": 104.0,
             "delay+0%": 120.0}
    arrivals = {"area": 10.0, "area+sizing": 9.0, "delay+100%": 6.0, "delay+30%": 5.0,
                "delay+0%": 4.0}
    calls = _fake_mapper(monkeypatch, areas, arrivals)
    best, tried, skipped = map_best(None, SimpleNamespace(lib=None), [None], None, "clock")
    assert calls["mapped"] == ["area", "area+sizing", "delay+100%", "delay+30%", "delay+0%"]
    assert calls["sized"] == ["area+sizing", "delay+100%", "delay+30%"]
    assert [name for name, _ in skipped] == ["delay+0%"]
    # 104 x 5^0.5 = 232.6 against 101 x 6^0.5 = 247.4
    assert best.name == "delay+30%"


def test_other_goals_map_every_setting(monkeypatch):
    from edapipe.synth.map.explore import map_best, settings_for

    areas = {s.name: 100.0 + 20.0 * k for k, s in enumerate(settings_for("delay"))}
    arrivals = {s.name: 10.0 - k for k, s in enumerate(settings_for("delay"))}
    calls = _fake_mapper(monkeypatch, areas, arrivals)
    best, tried, skipped = map_best(None, SimpleNamespace(lib=None), [None], None, "clock", goal="delay")
    assert calls["mapped"] == [s.name for s in settings_for("delay")] and not skipped
    assert best.name == "delay"


def test_auto_maps_its_loosest_delay_setting_with_one_delay_pass():
    # the bound is twice the best arrival: later delay passes would only sharpen that best
    # arrival, at most of the mapping's CPU (docs/decisions.md); tighter relaxes need them
    auto = {s.name: s.params for s in settings_for("auto")}
    assert auto["delay+100%"].delay_passes == 1
    assert auto["delay+30%"].delay_passes == auto["delay+0%"].delay_passes == 3
    assert all(s.params.delay_passes == 3 for s in settings_for("delay"))


def test_delay_mappings_share_their_delay_passes_only_with_the_same_knobs(monkeypatch):
    # auto with an SDC maps every delay setting: one relaxed call per delay-pass count, so
    # +100% (one pass) is not mapped again beside +30% and +0% (three), nor they beside it
    from edapipe.synth.map import cells, explore, sizing

    calls = []

    def relaxed(aig, mlib, key, todo, clock="clock"):
        calls.append((key.delay_passes, list(todo)))
        return [SimpleNamespace(area=1.0, copy=lambda: "sized copy") for _ in todo]

    monkeypatch.setattr(cells, "map_cells_relaxed", relaxed)
    monkeypatch.setattr(sizing, "size_for_timing", lambda net, mlib, **k: net)
    auto = settings_for("auto")
    delays = [s.params for s in auto if not s.params.area]
    unsized = {}
    for s in auto:
        if not s.params.area:
            assert explore._map(None, None, s.params, "clock", unsized, delays=delays)
    assert calls == [(1, [1.0]), (3, [0.3, 0.0])]


_ADDER_LIB = SimpleNamespace(lib=None, adders=(SimpleNamespace(cell=SimpleNamespace(name="FA")),))


@pytest.mark.parametrize("adder_area, mapped", [(90.0, ["area+adders"]),
                                                (100.0, ["area+adders", "area"])])
def test_auto_with_sdc_maps_with_adders_first(monkeypatch, adder_area, mapped):
    """With an SDC the adder mapping comes first and, meeting timing, is the only one; when
    it has no adder cell it is the plain area mapping, tried under that name alone."""
    from edapipe.synth.map.explore import map_best

    auto = [s.name for s in settings_for("auto", constrained=True)]
    assert auto[:2] == ["area+adders", "area"] and "area+adders" not in \
        [s.name for s in settings_for("auto")]
    areas = {"area+adders": adder_area, "area": 100.0}
    calls = _fake_mapper(monkeypatch, areas, {"area+adders": 9.0, "area": 8.0})
    best, tried, skipped = map_best(None, _ADDER_LIB, [None], "create_clock", "clock")
    assert calls["mapped"] == mapped
    assert [c.name for c in tried] == mapped[-1:]
    assert [name for name, _ in skipped] == mapped[:-1]
    # a library without adder cells does not map the setting at all
    calls = _fake_mapper(monkeypatch, areas, {"area+adders": 9.0, "area": 8.0})
    map_best(None, SimpleNamespace(lib=None, adders=()), [None], "create_clock", "clock")
    assert calls["mapped"] == ["area"]
