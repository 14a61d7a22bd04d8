"""ISOP and algebraic factoring against truth tables (synth/sop.py, sop_kernels.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.synth import sop
from edapipe.synth import sop_kernels as K

FULL = (1 << 64) - 1


def _replicated(value: int, nvars: int) -> np.ndarray:
    return K.replicate(np.array([value], dtype=np.uint64), nvars)


def _random_table(rng, nvars: int, sparse: bool) -> np.ndarray:
    nw = K.num_words(nvars)
    tt = rng.integers(0, FULL, size=nw, dtype=np.uint64, endpoint=True)
    if sparse:  # a few random cubes: the kind of function refactoring meets
        tt[:] = 0
        for _ in range(rng.integers(1, 6)):
            cube = np.full(nw, FULL, dtype=np.uint64)
            for v in rng.choice(nvars, size=min(nvars, int(rng.integers(1, 5))), replace=False):
                p = K.projection(int(v), nvars)
                cube &= p if rng.integers(2) else ~p
            tt |= cube
    return K.replicate(tt, nvars)


def _check(tt: np.ndarray, nvars: int) -> None:
    cubes = sop.isop(tt, nvars)
    assert (sop.cover_truth(cubes, nvars) == tt).all()
    for c in cubes.tolist():  # no cube holds a variable in both polarities
        assert (c & (c >> 1) & 0x5555555555555555) == 0
    form = sop.factor(cubes, nvars)
    assert (form.truth() == tt).all()
    # algebraic factoring never needs more ANDs than the cover has literals
    assert form.num_ands <= max(0, K.cover_literals(cubes) - 1)
    both = sop.factor_truth(tt, nvars)
    assert (both.truth() == tt).all()


@pytest.mark.parametrize("nvars", [0, 1, 2, 3])
def test_every_function_of_up_to_3_inputs(nvars):
    for value in range(1 << (1 << nvars)):
        _check(_replicated(value, nvars), nvars)


def test_every_4_input_function_sampled_densely():
    for value in range(0, 1 << 16, 7):
        _check(_replicated(value, 4), 4)


@pytest.mark.parametrize("nvars", [5, 6, 7, 8, 9, 10, 11, 12])
def test_random_functions(nvars):
    rng = np.random.default_rng(nvars)
    for k in range(12):
        _check(_random_table(rng, nvars, sparse=k % 2 == 0), nvars)


def test_isop_is_irredundant_and_prime():
    rng = np.random.default_rng(7)
    for nvars in (4, 5, 6, 7):
        for _ in range(10):
            tt = _random_table(rng, nvars, sparse=False)
            cubes = sop.isop(tt, nvars)
            for i in range(len(cubes)):
                rest = np.delete(cubes, i)
                assert not (sop.cover_truth(rest, nvars) == tt).all(), "redundant cube"
                for lit in range(2 * nvars):  # dropping a literal leaves the on-set
                    if cubes[i] >> lit & 1:
                        bigger = cubes.copy()
                        bigger[i] &= ~(1 << lit)
                        assert (sop.cover_truth(bigger, nvars) & ~tt).any(), "cube not prime"


def test_dont_cares_bound_the_cover():
    rng = np.random.default_rng(3)
    for nvars in (3, 6, 8):
        for _ in range(10):
            on = _random_table(rng, nvars, sparse=False)
            dc = _random_table(rng, nvars, sparse=False) & ~on
            got = sop.cover_truth(sop.isop(on, nvars, dc=dc), nvars)
            assert (got & on == on).all() and (got & ~(on | dc) == 0).all()


def test_known_factorings():
    a, b, c, d = (K.projection(i, 4) for i in range(4))
    # ab + ac + ad = a(b + c + d): 3 ANDs instead of 5
    tt = (a & b) | (a & c) | (a & d)
    assert sop.factor(sop.isop(tt, 4), 4).num_ands == 3
    # ac + ad + bc + bd = (a + b)(c + d)
    tt = (a & c) | (a & d) | (b & c) | (b & d)
    assert sop.factor(sop.isop(tt, 4), 4).num_ands == 3
    assert sop.cube_text(int(sop.isop(a & ~b, 4)[0]), 4) == "10--"


def test_cube_limit_and_bad_sizes():
    parity = K.projection(0, 8)
    for i in range(1, 8):
        parity = parity ^ K.projection(i, 8)
    with pytest.raises(ValueError, match="more than"):
        sop.isop(parity, 8, max_cubes=100)
    assert len(sop.isop(parity, 8)) == 128
    with pytest.raises(ValueError, match="words"):
        sop.isop(np.zeros(3, dtype=np.uint64), 8)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 8), st.data())
def test_hypothesis_tables(nvars, data):
    nw = K.num_words(nvars)
    words = data.draw(st.lists(st.integers(0, FULL), min_size=nw, max_size=nw))
    _check(K.replicate(np.array(words, dtype=np.uint64), nvars), nvars)
