"""Shared circuits against ABC's resyn2 results, and mutants refuted with real counter-examples.

Small circuits run by default; the whole EPFL and ISCAS85 sets under -m slow.
"""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.aig.io import read
from edapipe.verify.cec import check_equivalence
from tests.conftest import BENCHMARKS, need
from tests.equivalence import EPFL_ALL, EPFL_SMALL, ISCAS_ALL, ISCAS_SMALL, source
from tests.verify.helpers import mutant, replay_differs, replay_outputs_differ, resyn2_file

SMALL = EPFL_SMALL + ISCAS_SMALL
ALL = EPFL_ALL + ISCAS_ALL
SLOW_ONLY = [c for c in ALL if c not in SMALL]
MUTANT_DEFAULT = ["ctrl", "c432", "int2float"]


@pytest.fixture(scope="module")
def r2_folder(tmp_path_factory):
    need(BENCHMARKS)
    return tmp_path_factory.mktemp("resyn2")


def check_against_resyn2(name: str, folder) -> None:
    other = resyn2_file(name, folder)
    if other is None:
        pytest.skip("berkeley-abc is not installed")
    res = check_equivalence(read(source(name)), read(other))
    assert res.equivalent is True, (name, res.status, res.undecided)


@pytest.mark.parametrize("name", SMALL)
def test_small_circuits_equal_their_resyn2(name, r2_folder):
    check_against_resyn2(name, r2_folder)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW_ONLY)
def test_all_circuits_equal_their_resyn2(name, r2_folder):
    check_against_resyn2(name, r2_folder)


def refute_mutants(name: str, base, n: int = 50, seed: int = 0,
                   time_limit: float = 0.0) -> None:
    """n mutants of `base`, each refuted with a counter-example that replays; mutants
    that are still equivalent (redundant logic) must be confirmed by heavy simulation.
    With a time limit, an undecided mutant (a difference no simulation sees, behind a hard
    SAT problem) is never a wrong answer; a few are allowed and replaced by others."""
    from edapipe.verify.cec import CecParams

    golden = read(source(name))
    rng = np.random.default_rng(seed)
    refuted = 0
    undecided = 0
    tries = 0
    kinds = ["complement", "rewire", "invert"]
    while refuted < n:
        tries += 1
        assert tries < 4 * n, f"{name}: too many equivalent or undecided mutants"
        bad, what = mutant(base, rng, kinds[tries % 3])
        res = check_equivalence(golden, bad, CecParams(time_limit=time_limit))
        if res.equivalent is None and time_limit:
            undecided += 1
            assert undecided <= n // 2, f"{name}: {undecided} mutants undecided"
            continue
        if res.equivalent is True:
            from edapipe.aig.sim import signatures

            assert np.array_equal(signatures(golden, 64, seed=tries),
                                  signatures(bad, 64, seed=tries)), (name, what)
            continue
        assert res.equivalent is False, (name, what, res.status)
        assert res.failing
        assert replay_differs(golden, bad, res.cex_a(), res.cex_b()), (name, what)
        if golden.is_combinational:
            assert replay_outputs_differ(golden, bad, res.cex_a()[0], res.cex_b()[0])
        refuted += 1


@pytest.mark.parametrize("name", MUTANT_DEFAULT)
def test_mutants_of_some_circuits_are_refuted(name):
    need(BENCHMARKS)
    refute_mutants(name, read(source(name)))


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_mutants_of_every_circuit_are_refuted(name, r2_folder):
    """Mutants of the resyn2 result against the original: the checker must see through
    the restructuring to the one change."""
    other = resyn2_file(name, r2_folder)
    base = read(other) if other is not None else read(source(name))
    # ABC's cec stops at 20 s by default too; some log2 mutants defeat both within minutes.
    refute_mutants(name, base, seed=1, time_limit=20.0)


def check_against_own_opt(name: str, script: str = "resyn2") -> None:
    from edapipe.synth.script import run_script

    golden = read(source(name))
    opt, _ = run_script(golden, script)
    res = check_equivalence(golden, opt)
    assert res.equivalent is True, (name, script, res.status, res.failing, res.undecided)


@pytest.mark.parametrize("name", ["c432", "ctrl"])
def test_own_resyn2_results_are_equivalent(name):
    need(BENCHMARKS)
    check_against_own_opt(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", [c for c in ALL if c not in ("c432", "ctrl")])
def test_all_own_resyn2_results_are_equivalent(name):
    check_against_own_opt(name)
