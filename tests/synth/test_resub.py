"""Pass `resub`: equivalence on random AIGs and the shared benchmarks, levels, options."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.aig.builder import AigBuilder
from edapipe.synth import passes, resub
from edapipe.synth import resub_kernels as K
from edapipe.synth import window_kernels as W
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


_NX, _Y, _Z = 0b01010101, 0b11001100, 0b11110000    # ~x, y, z over 8 patterns


@pytest.mark.parametrize("kind, expected", [
    (K.OR2, _NX | _Y), (K.AND2, _NX & _Y), (K.OR3, _NX | _Y | _Z), (K.AND3, _NX & _Y & _Z),
    (K.OR_AND, _NX | (_Y & _Z)), (K.AND_OR, _NX & (_Y | _Z))])
def test_match_kinds_build_their_functions(kind, expected):
    """Each named match kind, built from x0 = ~x, x1 = y, x2 = z in a work graph."""
    f0 = np.array([4], dtype=np.int32)     # one node, x & y, as the output
    f1 = np.array([2], dtype=np.int32)
    g = W.init_graph(3, f0, f1, np.array([8], dtype=np.int32), 8, True)
    lit = K._make(g, -1, kind, 3, 4, 6)
    assert lit >= 0
    nf0, nf1, n, out = W.compact(g, np.array([lit], dtype=np.int32))
    val = [0, 0b10101010, _Y, _Z]
    for k in range(n):
        a, b = int(nf0[k]), int(nf1[k])
        val.append((val[a >> 1] ^ (0xFF if a & 1 else 0)) & (val[b >> 1] ^ (0xFF if b & 1 else 0)))
    assert val[out[0] >> 1] ^ (0xFF if out[0] & 1 else 0) == expected
    assert n == (1 if kind <= K.AND2 else 2)


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
