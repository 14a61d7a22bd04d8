"""Signal correspondence helpers: class bookkeeping, splitting, and random traces to bad
states (replayed by the independent evaluator)."""

from __future__ import annotations

import numpy as np

from edapipe.verify.seq import scorr
from edapipe.verify.seq.scorr import pair_arrays, random_trace, simulate_classes, split_words
from tests.verify.seq.oracle import evaluate, lit
from tests.verify.seq.test_engines import counter


def test_pairs_point_at_the_lowest_member():
    cls = np.array([-1, 0, 1, 0, 1, 0])
    rep, var = pair_arrays(cls)
    assert list(zip(rep.tolist(), var.tolist())) == [(1, 3), (1, 5), (2, 4)]
    empty = pair_arrays(np.full(4, -1))
    assert empty[0].size == 0 and empty[1].size == 0


def test_split_separates_by_words_and_phase():
    cls = np.array([-1, 0, 0, 0, 1, 1])
    phase = np.array([0, 0, 0, 1, 0, 0], dtype=np.uint8)
    ones = np.uint64(0xFFFFFFFFFFFFFFFF)
    # var 3 is complemented (phase 1): its word ~w matches vars 1 and 2; var 5 differs from 4
    words = np.array([[0], [5], [5], [ones ^ np.uint64(5)], [7], [6]], dtype=np.uint64)
    out, changed = split_words(cls, words, phase)
    assert changed
    assert out[1] == out[2] == out[3] >= 0
    assert out[4] == -1 and out[5] == -1
    same, changed = split_words(out, words, phase)
    assert not changed and (same >= 0).sum() == 3


def replays_to_bad(aig, trace) -> bool:
    state, val = trace.init.tolist(), None
    for row in trace.inputs.tolist():
        val = evaluate(aig, row, state)
        state = [lit(val, n) for n in aig.latch_next.tolist()]
    return bool(lit(val, int(aig.bad[0])))


def test_random_trace_reaches_deep_bad_states():
    aig = counter(6, 64, 40)                  # 40 enabled cycles at the least
    trace = random_trace(aig, 256, 2, seed=0)
    assert trace is not None and trace.length >= 41
    assert replays_to_bad(aig, trace)
    assert random_trace(counter(4, 9, 12), 256, 2, seed=0) is None   # never passes 8


def test_classes_group_equal_and_complementary_signals():
    from edapipe.aig.builder import AigBuilder

    b = AigBuilder("cls")
    x, y = b.add_input("x"), b.add_input("y")
    idx = [b.add_latch(f"l{k}", int(k == 2)) for k in range(4)]     # l2 = NOT l0 always
    for k, nxt in zip(idx, [x, x, x ^ 1, b.and_(x, y)]):
        b.set_latch_next(k, nxt)
    aig = b.build()
    sim = simulate_classes(aig, 8, 2, seed=3)
    v = [1 + aig.num_inputs + k for k in range(4)]
    assert sim.cls[v[0]] == sim.cls[v[1]] == sim.cls[v[2]] >= 0
    assert sim.phase[v[0]] == sim.phase[v[1]] != sim.phase[v[2]]
    assert sim.cls[v[3]] != sim.cls[v[0]]                  # x AND y is another signal
    # classes are numbered by their lowest variable: the refinement goes topologically
    rep, _ = pair_arrays(sim.cls)
    assert rep.tolist() == sorted(rep.tolist())


def test_large_machines_get_a_deeper_first_simulation(monkeypatch):
    aig = counter(6, 64, 40)                  # bad after 40 enabled cycles at the least
    assert simulate_classes(aig, 24, 2, seed=0).trace is None
    monkeypatch.setattr(scorr, "DEEP_FIRST_ANDS", 1)
    trace = simulate_classes(aig, 24, 2, seed=0).trace
    assert trace is not None and 41 <= trace.length <= scorr.DEEP_FIRST_FRAMES
    assert replays_to_bad(aig, trace)


def test_successor_splits_keep_the_fixpoint(monkeypatch, tmp_path):
    """Splitting by the random successors of each counter-example is only ever a valid
    counter-example to the induction: the correspondence proves the same classes with
    and without it (and the outputs of an ISCAS89 circuit and its retimed version)."""
    import pytest

    from edapipe.aig.io import read, write
    from edapipe.verify.seq.sec import SecParams, _same, product
    from tests.conftest import BENCHMARKS, need, run_abc, tool

    abc = tool("berkeley-abc")
    if abc is None:
        pytest.skip("berkeley-abc is not installed")
    pa, pb = tmp_path / "a.aig", tmp_path / "b.aig"
    write(read(need(BENCHMARKS / "iscas89" / "s1423.bench")), pa)
    run_abc(abc, f"read {pa}; strash; scorr; dretime; dc2; write {pb}")
    prod = product(read(pa), read(pb))

    def proven():
        stats: dict = {}
        sim = scorr.correspondence(prod.aig, SecParams(), stats)
        assert sim.trace is None
        assert all(_same(sim.cls, sim.phase, la, lb) for la, lb in prod.out_pairs)
        rep, var = scorr.pair_arrays(sim.cls)
        return set(zip(rep.tolist(), var.tolist())), stats

    got = {}
    for k in (0, scorr.SUCCESSORS):
        monkeypatch.setattr(scorr, "SUCCESSORS", k)
        got[k] = proven()
    assert got[0][0] == got[scorr.SUCCESSORS][0]
    assert got[scorr.SUCCESSORS][1]["sat_calls"] <= got[0][1]["sat_calls"]
    assert got[0][1]["induction_solver"] == "m22"
    # CaDiCaL (the induction's solver for large hypotheses) proves the same classes
    monkeypatch.setattr(scorr, "CADICAL_PAIRS", 0)
    pairs, stats = proven()
    assert stats["induction_solver"] == "cd195" and pairs == got[0][0]
