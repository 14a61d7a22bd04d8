"""prove's stages under limits where explicit reachability applies: a quick race, reach
alone, then the race on what is left; each stage within what the ones before left."""

from __future__ import annotations

import pytest

from edapipe.verify.seq import prove
from edapipe.verify.seq.result import HOLDS, UNDECIDED, Result
from tests.verify.seq.test_engines import counter


@pytest.fixture
def stages(monkeypatch):
    """Record the races instead of running them; every race is undecided."""
    calls = []

    def race(engines, aig, index, max_frames, limit, cpu=0.0, grace=0.5):
        calls.append(dict(engines=engines, limit=limit, cpu=cpu, grace=grace))
        return Result(UNDECIDED, ",".join(engines))

    monkeypatch.setattr(prove, "_race", race)
    return calls


@pytest.mark.parametrize("time_limit,cpu_limit", [(0.0, 8.0), (1.0, 0.0), (8.0, 6.0)])
def test_the_stages_share_the_limits(stages, time_limit, cpu_limit):
    params = prove.ProveParams(time_limit=time_limit, cpu_limit=cpu_limit)
    res = prove.check_property(counter(3, 8, 5), 0, params)
    assert res.status == UNDECIDED
    quick, first, rest = stages
    assert quick["engines"] == rest["engines"] == prove.PORTFOLIO
    assert first["engines"] == ("reach-first",)
    # the quick race: a short wall limit, killed when it ends
    assert quick["limit"] == min(prove.QUICK_RACE,
                                 prove.REACH_FIRST * (time_limit or cpu_limit))
    assert quick["cpu"] == 0.0 and quick["grace"] == 0.0
    # reach: its share of each limit that is set, none of one that is not
    assert first["limit"] == pytest.approx(prove.REACH_FIRST * time_limit, abs=0.05)
    assert first["cpu"] == pytest.approx(prove.REACH_FIRST * cpu_limit, abs=0.05)
    assert (first["limit"] == 0.0) == (time_limit == 0.0)
    # the rest: what is left (the mocked stages spent nothing)
    assert rest["limit"] == pytest.approx(time_limit, abs=0.2)
    assert rest["cpu"] == pytest.approx(cpu_limit, abs=0.2)


def test_a_quick_answer_ends_the_check(monkeypatch):
    calls = []

    def race(engines, aig, index, max_frames, limit, cpu=0.0, grace=0.5):
        calls.append(engines)
        return Result(HOLDS, "kind")

    monkeypatch.setattr(prove, "_race", race)
    res = prove.check_property(counter(3, 6, 7), 0, prove.ProveParams(cpu_limit=10.0))
    assert res.status == HOLDS and calls == [prove.PORTFOLIO]


@pytest.mark.parametrize("limits", [dict(cpu_limit=1.5), dict(time_limit=1.5)])
def test_bmc_stopped_inside_a_sat_call_reports_the_depth_it_checked(limits):
    """collatz-sequence-16-29's frames take BMC seconds each from about frame 40: the
    engine process is stopped (its CPU share, or the wall limit) inside a SAT call, and
    the answer still says how deep it looked (it said depth 0 before)."""
    from edapipe.aig import io
    from tests.conftest import bench

    aig = io.read(bench("mc", "collatz-sequence-16-29.aig"))
    res = prove.check_property(aig, 0, prove.ProveParams(engine="bmc", **limits))
    assert res.status == UNDECIDED and res.engine == "bmc"
    assert res.depth >= 10, res
