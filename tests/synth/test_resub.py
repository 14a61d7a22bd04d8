"""Pass `resub`: equivalence on random AIGs and the shared benchmarks, levels, options."""

import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.aig.builder import AigBuilder
from edapipe.synth import passes, resub
from tests.conftest import BENCHMARKS, need
from tests.strategies import aigs
from tests.equivalence import assert_equivalent, checked_levels, strashed
from tests.synth.test_refactor import ALL, SMALL


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(max_inputs=8, max_ands=80))
def test_random_aigs_stay_equivalent(aig):
    for params in (resub.Params(), resub.Params(cut_size=6, max_added=2, zero_gain=True),
                   resub.Params(cut_size=12, max_added=2, preserve_levels=False)):
        out, _ = resub.run(aig, params)
        assert_equivalent(aig, out)
        checked_levels(aig, out, params.preserve_levels)


@pytest.mark.parametrize("name", SMALL)
def test_small_benchmarks(name, tmp_path):
    aig = strashed(need(BENCHMARKS / name))
    for params in (resub.Params(), resub.Params(cut_size=6, max_added=2),
                   resub.Params(cut_size=10, max_added=2, preserve_levels=False)):
        out, stats = resub.run(aig, params)
        assert_equivalent(aig, out, tmp_path)
        checked_levels(aig, out, params.preserve_levels)
        assert out.num_ands <= aig.num_ands
        assert stats.ands_after == out.num_ands


def test_each_kind_of_resubstitution():
    b = AigBuilder()
    x, y, z = (b.add_input(n) for n in "xyz")
    xy = b.and_(x, y)
    b.add_output(xy, "keep")
    # (x & y) & z built a second way: 0-resub finds nothing, 1-resub reuses xy
    b.add_output(b.and_(b.and_(x, z), b.and_(y, z)), "f")
    # x | y written as ~(~x & ~y) through a redundant detour
    b.add_output(b.or_(b.and_(x, y), b.or_(b.and_(x, b.and_(y, z) ^ 1), y)), "g")
    aig = b.build()
    out, stats = resub.run(aig, resub.Params(max_added=2))
    assert_equivalent(aig, out)
    assert out.num_ands < aig.num_ands
    assert stats.resub0 + stats.resub1 + stats.resub2 > 0
    assert "resub:" in stats.report()


def test_flags_follow_abc():
    spec, preset = passes.lookup("rsz")
    assert spec.name == "resub" and preset == ("-z",)
    p = passes.parse_params(spec, ["-K", "6", "-N", "2", "-l"])
    assert p == resub.Params(cut_size=6, max_added=2, preserve_levels=False)
    with pytest.raises(Exception, match="window size"):
        passes.parse_params(spec, ["-K", "20"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_benchmark(name, tmp_path):
    aig = strashed(need(BENCHMARKS / name))
    for params in (resub.Params(), resub.Params(cut_size=12, max_added=2)):
        out, _ = resub.run(aig, params)
        assert_equivalent(aig, out, tmp_path)
        checked_levels(aig, out, True)
