"""Pass `refactor`: equivalence on random AIGs and the shared benchmarks, levels, options."""

import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.synth import passes, refactor
from tests.conftest import BENCHMARKS, bench, need
from tests.strategies import aigs
from tests.equivalence import assert_equivalent, checked_levels, strashed

SMALL = ["iscas85/c17.bench", "iscas85/c432.bench", "iscas85/c880.bench",
         "iscas85/c1355.bench", "epfl/ctrl.aig", "epfl/int2float.aig", "epfl/cavlc.aig",
         "epfl/router.aig"]
ALL = sorted(str(p.relative_to(BENCHMARKS)) for suite in ("epfl", "iscas85")
             for p in (BENCHMARKS / suite).glob("*")
             if p.suffix in (".aig", ".bench"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(max_inputs=8, max_ands=80))
def test_random_aigs_stay_equivalent(aig):
    for params in (refactor.Params(), refactor.Params(cut_size=4, zero_gain=True),
                   refactor.Params(cut_size=12, preserve_levels=False)):
        out, stats = refactor.run(aig, params)
        assert_equivalent(aig, out)
        assert out.num_ands <= max(aig.num_ands, stats.ands_after)
        checked_levels(aig, out, params.preserve_levels)
        assert (out.latch_init == aig.latch_init).all()


@pytest.mark.parametrize("name", SMALL)
def test_small_benchmarks(name, tmp_path):
    aig = strashed(need(BENCHMARKS / name))
    for params in (refactor.Params(), refactor.Params(zero_gain=True, preserve_levels=False)):
        out, stats = refactor.run(aig, params)
        assert_equivalent(aig, out, tmp_path)
        checked_levels(aig, out, params.preserve_levels)
        assert out.num_ands <= aig.num_ands
        assert stats.ands_after == out.num_ands


def test_refactor_finds_factored_forms():
    """ctrl shrinks by more than 20% (ABC: 174 -> 143)."""
    aig = strashed(bench("epfl", "ctrl.aig"))
    out, stats = refactor.run(aig)
    assert out.num_ands <= 145 and stats.nodes_replaced > 0
    assert "refactor: 174 ->" in stats.report() and stats.as_dict()["ands_after"] == out.num_ands


def test_flags_follow_abc():
    spec, preset = passes.lookup("rfz")
    assert spec.name == "refactor" and preset == ("-z",)
    p = passes.parse_params(spec, ["-K", "12", "-z", "-l"])
    assert p == refactor.Params(cut_size=12, zero_gain=True, preserve_levels=False)
    with pytest.raises(Exception, match="cut size"):
        passes.parse_params(spec, ["-K", "40"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_benchmark(name, tmp_path):
    aig = strashed(need(BENCHMARKS / name))
    for params in (refactor.Params(), refactor.Params(zero_gain=True)):
        out, _ = refactor.run(aig, params)
        assert_equivalent(aig, out, tmp_path)
        checked_levels(aig, out, True)
