"""Issue 20: CEC on deep arithmetic of dissimilar structure (dividers against ABC's results),
the adaptive simulation, distance-1 counter-example neighbours, a first pass with CDCL, and
round-robin output proofs with growing budgets."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import read
from edapipe.aig.sim import truth_tables
from edapipe.verify.cec import CecParams, check_equivalence
from edapipe.verify.sweep import SweepParams, Sweeper
from tests.conftest import run_abc, tool
from tests.strategies import aigs
from tests.verify.helpers import mutant, replay_differs, restructure

DIVIDER = b"""module div8(input [7:0] a, input [7:0] b, output [7:0] q, output [7:0] r);
  assign q = a / b;
  assign r = a % b;
endmodule
"""
ISQRT = b"""module isqrt(input [15:0] x, output reg [7:0] y, output reg [8:0] rem);
  integer i;
  reg [9:0] t;
  always @* begin
    y = 0;
    rem = 0;
    for (i = 7; i >= 0; i = i - 1) begin
      t = {rem[7:0], x[2 * i + 1], x[2 * i]};
      if (t >= {y, 2'b01}) begin
        rem = t - {y, 2'b01};
        y = {y[6:0], 1'b1};
      end else begin
        rem = t;
        y = {y[6:0], 1'b0};
      end
    end
  end
endmodule
"""


@pytest.mark.parametrize("source,script", [(DIVIDER, "dc2"), (ISQRT, "resyn2")],
                         ids=["div8-dc2", "isqrt16-resyn2"])
def test_divider_class_against_abc_results(source, script, tmp_path):
    """Proven against ABC's rewrite of itself; a mutant refuted with a replayable witness."""
    from tests.verify.helpers import RESYN2
    from edapipe.aig.io import write

    abc = tool("berkeley-abc")
    if abc is None:
        pytest.skip("berkeley-abc is not installed")
    import edapipe.synth.rtl  # noqa: F401  (registers the RTL frontend for `/` and `%`)

    (tmp_path / "t.v").write_bytes(source)
    a = read(tmp_path / "t.v")
    src, out = tmp_path / "a.aig", tmp_path / "b.aig"
    write(a, src)
    run_abc(abc, f"read {src}; strash; {RESYN2 if script == 'resyn2' else 'dc2'}; write {out}")
    b = read(out)
    assert check_equivalence(a, b).equivalent is True
    rng = np.random.default_rng(7)
    for _ in range(3):
        bad, what = mutant(b, rng, "complement")
        if np.array_equal(truth_tables(bad), truth_tables(a)):
            continue
        res = check_equivalence(a, bad)
        assert res.equivalent is False, what
        assert replay_differs(a, bad, res.cex_a(), res.cex_b())


def _multiplier_bit(bld: AigBuilder, xs, ys, bit: int, reverse: bool) -> int:
    """Bit `bit` of xs * ys by ripple-carry rows, added in one order or the other."""
    n = len(xs)
    acc = [0] * (2 * n)
    rows = range(n - 1, -1, -1) if reverse else range(n)
    for j in rows:
        carry = 0
        for i in range(n):
            pp = bld.and_(xs[i], ys[j]) if not reverse else bld.and_(ys[j], xs[i])
            s = bld.xor_(acc[i + j], pp)
            acc[i + j], carry = bld.xor_(s, carry), bld.or_(bld.and_(acc[i + j], pp),
                                                            bld.and_(s, carry))
        k = i + j + 1
        while k < 2 * n:
            acc[k], carry = bld.xor_(acc[k], carry), bld.and_(acc[k], carry)
            k += 1
    return acc[bit]


def _hard_and_easy(n: int, equal_second: bool):
    """A and B: output h is a middle product bit, a*b against b*a with the rows added in the
    other order (hard for SAT without sweeping); output e compares 40 inputs with a constant
    in A and is 0 in B (random patterns never reach it, SAT at once)."""
    key = np.random.default_rng(3).integers(0, 2, size=40)
    designs = []
    for reverse in (False, True):
        bld = AigBuilder()
        xs = [bld.add_input(f"x{i}") for i in range(n)]
        ys = [bld.add_input(f"y{i}") for i in range(n)]
        zs = [bld.add_input(f"z{i}") for i in range(40)]
        bld.add_output(_multiplier_bit(bld, xs, ys, n - 1, reverse), "h")
        eq = bld.and_n([z ^ (1 - int(k)) for z, k in zip(zs, key)])
        bld.add_output(eq if not reverse or equal_second else 0, "e")
        designs.append(bld.build())
    return designs


def test_a_hard_output_does_not_block_an_easy_refutation():
    """Output pairs are tried round-robin with growing budgets: the easy difference behind a
    hard product bit is found long before the time limit (a first call without a budget on
    the product bit would run into the limit and answer undecided)."""
    a, b = _hard_and_easy(14, equal_second=False)
    params = CecParams(time_limit=30.0, first_output_budget=100,
                       sweep=SweepParams(max_passes=0))
    t0 = time.perf_counter()
    res = check_equivalence(a, b, params)
    assert res.equivalent is False and res.failing == ["e"]
    assert replay_differs(a, b, res.cex_a(), res.cex_b())
    assert time.perf_counter() - t0 < 25.0


def test_output_budget_stops_at_the_conflict_limit():
    """With a conflict limit, the rounds stop there and the hard pair is undecided."""
    a, b = _hard_and_easy(12, equal_second=True)
    res = check_equivalence(a, b, CecParams(conflict_limit=50, first_output_budget=10,
                                            sweep=SweepParams(max_passes=0)))
    assert res.equivalent is None and res.undecided == ["h"]
    assert res.stats.output_rounds >= 2


def test_expand_cex_adds_every_distance_one_neighbour():
    sw = Sweeper(10, np.zeros(0, np.int32), np.zeros(0, np.int32), SweepParams(neighbours=16))
    row = np.random.default_rng(1).integers(0, 2, size=10).astype(np.uint8)
    words = sw.expand_cex([row])
    bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")  # [ci, patterns]
    pats = {tuple(bits[:, p]) for p in range(bits.shape[1])}
    assert tuple(row) in pats
    for i in range(10):
        near = row.copy()
        near[i] ^= 1
        assert tuple(near) in pats
    dist = [(np.array(p) != row).sum() for p in pats]
    assert max(dist) <= 2


def test_random_simulation_goes_on_while_it_splits_and_stops_when_it_does_not():
    bld = AigBuilder()
    xs = [bld.add_input() for _ in range(24)]
    rare = bld.and_n(xs)                   # 0 under almost every pattern: stays a candidate
    bld.add_output(rare)
    bld.add_output(bld.xor_(xs[0], xs[1]))
    aig = bld.build()
    p = SweepParams(sim_words=2, max_sim_words=64)
    sw = Sweeper(aig.num_cis, aig.fanin0, aig.fanin1, p)
    assert sw.simulate_random() is False
    assert sw.stats.sim_patterns < 64 * 64       # stopped once rounds no longer split
    sw2 = Sweeper(aig.num_cis, aig.fanin0, aig.fanin1, p)
    assert sw2.simulate_random(stop=lambda: True) is True
    assert sw2.stats.sim_patterns == 2 * 64


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aigs(max_inputs=9, max_latches=1, max_ands=60), st.integers(0, 2**32 - 1),
       st.booleans(), st.booleans(), st.sampled_from([0, 1, 300]))
def test_random_pairs_right_with_tiny_budgets_everywhere(a, seed, mutate, first_sat, focus):
    """One simulation round, few neighbours, no cuts to speak of, tiny SAT budgets that must
    grow round after round at the outputs, focused or not: the verdict still matches the
    truth tables."""
    rng = np.random.default_rng(seed)
    b = restructure(a, rng)
    if mutate:
        b, _ = mutant(b, rng)
    sp = SweepParams(sim_words=1, max_sim_words=1, neighbours=3, cut_size=2, seed=seed,
                     backtrack_limit=1, conflict_limit=1, first_conflict_limit=1, max_passes=1,
                     first_pass_sat=first_sat, focus=focus)
    res = check_equivalence(a, b, CecParams(first_output_budget=1, sweep=sp))
    same = np.array_equal(truth_tables(a), truth_tables(b))
    assert res.equivalent is same
    if not same:
        assert replay_differs(a, b, res.cex_a(), res.cex_b())


def _isqrt_against_own_resyn2():
    import edapipe.synth.rtl  # noqa: F401  (registers the RTL frontend)
    from edapipe.synth.script import run_script

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "isqrt.v"
        path.write_bytes(ISQRT)
        a = read(path)
    b, _ = run_script(a, "resyn2")
    return a, b


@pytest.mark.parametrize("between", [True, False])
def test_outputs_are_tried_between_passes(between):
    """A pass with tiny budgets leaves the outputs open; tried right after it they close, so
    no costlier pass runs (pass_output_budget=0 turns the tries off: more passes then)."""
    a, b = _isqrt_against_own_resyn2()
    sp = SweepParams(first_conflict_limit=1, conflict_limit=1000, backtrack_limit=1,
                     cut_size=2, alternatives=0, max_passes=3)
    res = check_equivalence(a, b, CecParams(pass_output_budget=100000 if between else 0,
                                            sweep=sp))
    assert res.equivalent is True
    if between:
        assert res.stats.rounds == 1 and res.stats.output_rounds == 1
    else:
        assert res.stats.rounds > 1


def test_a_difference_found_between_passes_is_replayable():
    a, b = _isqrt_against_own_resyn2()
    rng = np.random.default_rng(11)
    sp = SweepParams(first_conflict_limit=1, backtrack_limit=1, cut_size=2, alternatives=0,
                     max_passes=3, sim_words=1, max_sim_words=1, neighbours=0)
    for _ in range(4):
        bad, what = mutant(b, rng, "complement")
        same = np.array_equal(truth_tables(bad), truth_tables(a))
        res = check_equivalence(a, bad, CecParams(sweep=sp))
        assert res.equivalent is same, what
        if not same:
            assert replay_differs(a, bad, res.cex_a(), res.cex_b())


def _cone(m, lits) -> set[int]:
    base = m.num_ci + 1
    seen, stack = set(), [int(lit) >> 1 for lit in lits]
    while stack:
        v = stack.pop()
        if v < base or v in seen:
            continue
        seen.add(v)
        stack += [int(m.fanin0[v - base]) >> 1, int(m.fanin1[v - base]) >> 1]
    return seen


def test_miter_origin_and_which_candidates_cross_the_designs():
    """origin: 1 for ANDs of A only, 2 of B only, 3 shared (dangling ANDs included); pairs
    across the two designs get the cross-design limit, pairs inside one design or against a
    constant the inner one."""
    from edapipe.verify.miter import build_miter

    a, b = _hard_and_easy(4, equal_second=True)
    m = build_miter(a, b)
    in_a, in_b = _cone(m, m.lits_a), _cone(m, m.lits_b)
    assert all(m.origin[v] & 1 for v in in_a) and all(m.origin[v] & 2 for v in in_b)
    assert not in_b & set(np.flatnonzero(m.origin == 1).tolist())
    assert not in_a & set(np.flatnonzero(m.origin == 2).tolist())
    assert not m.origin[:m.num_ci + 1].any()
    assert (m.origin == 1).any() and (m.origin == 2).any() and (m.origin == 3).any()
    sw = Sweeper(m.num_ci, m.fanin0, m.fanin1, origin=m.origin)
    va, vb = (int(np.flatnonzero(m.origin == k)[0]) for k in (1, 2))
    wa = int(np.flatnonzero(m.origin == 1)[1])
    sw.leader[vb] = va
    sw.leader[wa] = va
    assert sw.crosses(vb) and not sw.crosses(wa)
    sw.leader[vb] = 0
    assert not sw.crosses(vb)
    assert Sweeper(m.num_ci, m.fanin0, m.fanin1).crosses(wa)  # no origin: all at full limit


def _calls(monkeypatch, answer=None):
    """Record (x, y, budget, class leader, crosses) of every CDCL call of the sweep and the
    outputs; `answer` replaces the solver's answer (None: the real one)."""
    from edapipe.verify import sweep as S

    calls, last = [], {}
    prove, crosses = S.ConeSolver.prove_equal, S.Sweeper.crosses

    def fake_crosses(self, v):
        last["leader"] = int(self.leader[v])
        last["crosses"] = crosses(self, v)
        return last["crosses"]

    def fake_prove(self, x, y, budget, focus=True):
        calls.append((x, y, budget, last.pop("leader", -1), last.pop("crosses", None)))
        return answer if answer is not None else prove(self, x, y, budget, focus)

    monkeypatch.setattr(S.Sweeper, "crosses", fake_crosses)
    monkeypatch.setattr(S.ConeSolver, "prove_equal", fake_prove)
    return calls


def test_open_outputs_are_proven_shallowest_first(monkeypatch):
    """Rows of a square root: the output proofs go from the shallowest pair to the deepest
    (the clauses learnt on row k make row k+1 cheap)."""
    from edapipe.aig.analysis_kernels import levels

    a, b = _isqrt_against_own_resyn2()
    calls = _calls(monkeypatch)
    seen = {}

    def keep(self, **kw):
        seen["aig"] = (self.reduced[0], self.reduced[1]) if self.reduced is not None else \
            (self.fanin0, self.fanin1)
        return iter(())

    from edapipe.verify import sweep as S

    monkeypatch.setattr(S.Sweeper, "sweep_passes", keep)
    res = check_equivalence(a, b, CecParams(sweep=SweepParams(max_passes=0)))
    assert res.equivalent is True
    f0, f1 = seen["aig"]
    lev = levels(a.num_cis, np.asarray(f0, np.int32), np.asarray(f1, np.int32))
    depth = [max(lev[x >> 1], lev[y >> 1]) for x, y, *_ in calls]
    assert len(depth) > 4 and depth == sorted(depth)


def test_a_leader_given_up_on_gets_the_inner_limit_for_the_rest_of_the_pass(monkeypatch):
    """Every CDCL call gives up: per class leader only the first cross-design candidate of a
    pass gets the pass's limit, the others the inner one (hard_leaders=False: all of them)."""
    a, b = _isqrt_against_own_resyn2()
    for hard in (True, False):
        calls = _calls(monkeypatch, answer=(None, None))
        sp = SweepParams(max_passes=1, cut_size=2, alternatives=0, backtrack_limit=0,
                         hard_leaders=hard, first_conflict_limit=100, inner_conflict_limit=1)
        res = check_equivalence(a, b, CecParams(sweep=sp, pass_output_budget=0,
                                                first_output_budget=10, conflict_limit=10))
        assert res.equivalent is None
        sweep_calls = [c for c in calls if c[4] is not None]
        full = [c[3] for c in sweep_calls if c[2] == 100]
        assert full and all(c[4] for c in sweep_calls if c[2] == 100)
        repeated = len(full) - len(set(full))
        if hard:
            assert repeated == 0
            assert any(c[4] and c[2] == 1 for c in sweep_calls)
        else:
            assert repeated > 0


def test_cec_and_fraig_resolve_their_own_defaults():
    """backtrack_limit and defer_dirty left at None: 10 and off when the sweeper knows the two
    designs (cec), 100 and on for fraig and dch, where they keep more merges."""
    from edapipe.verify.miter import build_miter

    a, b = _hard_and_easy(4, equal_second=True)
    m = build_miter(a, b)
    two = Sweeper(m.num_ci, m.fanin0, m.fanin1, origin=m.origin)
    one = Sweeper(m.num_ci, m.fanin0, m.fanin1)
    assert (two.backtrack_limit, two.defer_dirty, two.first_limit, two.focus) == \
        (10, False, 50, 300)
    assert (one.backtrack_limit, one.defer_dirty, one.first_limit, one.focus) == \
        (100, True, 100, 0)
    set_ = Sweeper(m.num_ci, m.fanin0, m.fanin1,
                   SweepParams(backtrack_limit=3, defer_dirty=True, first_conflict_limit=7,
                               focus=5), origin=m.origin)
    assert (set_.backtrack_limit, set_.defer_dirty, set_.first_limit, set_.focus) == \
        (3, True, 7, 5)


def test_cone_near_is_breadth_first_from_the_pair_and_stops_at_the_limit():
    """Distances through fanins from either root; each variable once; at most `limit`."""
    from edapipe.verify import sweep_kernels as K

    # inputs 1..3 (base 4); v4 = 1&2, v5 = 4&3, v6 = 5&1, v7 = 2&3
    nf0 = np.array([2, 8, 10, 4], dtype=np.int32)
    nf1 = np.array([4, 6, 2, 6], dtype=np.int32)
    sat_var = np.arange(8, dtype=np.int64) + 100
    mark = np.zeros(8, dtype=np.int64)
    sv, dist = K.cone_near(np.array([13, 15], dtype=np.int64), nf0, nf1, 4, sat_var, mark, 1, 20)
    got = dict(zip((sv - 100).tolist(), dist.tolist()))
    assert got == {6: 0, 7: 0, 5: 1, 1: 1, 2: 1, 3: 1, 4: 2}
    sv, dist = K.cone_near(np.array([13, 15], dtype=np.int64), nf0, nf1, 4, sat_var, mark, 2, 3)
    assert len(sv) == 3 and sorted(dist.tolist()) == [0, 0, 1]
    # the constant (variable 0) is never a decision variable
    sv, _ = K.cone_near(np.array([0, 13], dtype=np.int64), nf0, nf1, 4, sat_var, mark, 3, 20)
    assert 100 not in sv.tolist()


def test_focus_gives_the_pair_the_highest_activities_and_everything_else_none():
    """After focus_on, the pair's variables lead (1.0), activity falls 0.97 per step, and a
    loaded variable outside the `focus` nearest has none; unfocused solvers are untouched."""
    from edapipe.verify.sweep import ConeSolver

    b = AigBuilder()
    xs = [b.add_input(f"x{i}") for i in range(6)]
    chain = xs[0]
    for x in xs[1:]:
        chain = b.and_(chain, x)
    other = b.and_(xs[0] ^ 1, xs[1] ^ 1)
    b.add_output(chain, "f")
    b.add_output(other, "g")
    a = b.build()
    f0, f1 = a.fanin0.copy(), a.fanin1.copy()
    top, low = int(a.outputs[0]), int(a.outputs[1])
    solver = ConeSolver(f0, f1, a.num_cis + 1, name="minisat22", focus=2)
    if solver.focus == 0:
        pytest.skip("this python-sat has no set_activities")
    solver.load([top, low])
    solver.focus_on(top, top ^ 1)
    v_top, v_low = solver.lit(top), abs(solver.lit(low))
    last = int(a.fanin0[(top >> 1) - a.num_cis - 1]) >> 1
    v_next = [abs(solver.lit(2 * c)) for c in
              (last, int(a.fanin1[(top >> 1) - a.num_cis - 1]) >> 1)]
    acts = solver.solver.get_activities([v_top, v_low, *v_next])
    assert acts[v_top] == pytest.approx(1.0)
    assert acts[v_low] == 0.0
    assert max(acts[v] for v in v_next) == pytest.approx(0.97)
    assert solver.prove_equal(top, top, 10)[0] is True
    solver.delete()


ISQRT64 = ISQRT.replace(b"[15:0] x", b"[127:0] x").replace(b"[7:0] y", b"[63:0] y") \
    .replace(b"[8:0] rem", b"[64:0] rem").replace(b"[9:0] t", b"[65:0] t") \
    .replace(b"rem[7:0]", b"rem[63:0]").replace(b"i = 7", b"i = 63") \
    .replace(b"y[6:0]", b"y[62:0]")


@pytest.mark.slow
def test_isqrt64_against_abc_resyn2_is_proven_and_mutants_refuted(tmp_path):
    """The issue-20 case ABC's `cec` gives no answer on in 600 s: a 64-row digit-recurrence
    square root against ABC's resyn2 result, proven within a minute; mutants refuted with
    witnesses that replay."""
    from edapipe.aig.io import write
    from tests.verify.helpers import RESYN2

    abc = tool("berkeley-abc")
    if abc is None:
        pytest.skip("berkeley-abc is not installed")
    import edapipe.synth.rtl  # noqa: F401

    (tmp_path / "t.v").write_bytes(ISQRT64)
    a = read(tmp_path / "t.v")
    assert a.num_inputs == 128 and a.num_outputs == 129
    src, out = tmp_path / "a.aig", tmp_path / "b.aig"
    write(a, src)
    run_abc(abc, f"read {src}; strash; {RESYN2}; write {out}")
    b = read(out)
    t0 = time.process_time()
    res = check_equivalence(a, b, CecParams(time_limit=600))
    assert res.equivalent is True, (res.status, res.undecided)
    assert time.process_time() - t0 < 60
    rng = np.random.default_rng(5)
    for _ in range(3):
        bad, what = mutant(b, rng, "complement")
        res = check_equivalence(a, bad, CecParams(time_limit=600))
        assert res.equivalent is not True, what
        if res.equivalent is False:
            assert replay_differs(a, bad, res.cex_a(), res.cex_b())


def test_focus_falls_back_to_unfocused_calls_on_a_solver_without_activities():
    """CaDiCaL has no set_activities: the first focused call turns focus off and still
    answers (the output checks use it; python-sat before 1.9 lacks the method too)."""
    from edapipe.verify.sweep import ConeSolver

    b = AigBuilder()
    x, y = b.add_input("x"), b.add_input("y")
    b.add_output(b.and_(x, y), "f")
    b.add_output(b.and_(y, x) ^ 1, "g")
    a = b.build()
    solver = ConeSolver(a.fanin0.copy(), a.fanin1.copy(), a.num_cis + 1, name="cadical195",
                        focus=5)
    assert solver.prove_equal(int(a.outputs[0]), int(a.outputs[1]) ^ 1, 10)[0] is True
    assert solver.focus == 0
    solver.delete()


def test_only_calls_above_the_inner_limit_are_focused(monkeypatch):
    """Focusing costs a pass over every solver variable: the 1-conflict calls inside one
    design go unfocused, the cross-design calls at the pass's limit focused."""
    from edapipe.verify import sweep as S

    seen = []
    prove = S.ConeSolver.prove_equal

    def spy(self, x, y, budget, focus=True):
        seen.append((budget, bool(focus and self.focus)))
        return prove(self, x, y, budget, focus)

    monkeypatch.setattr(S.ConeSolver, "prove_equal", spy)
    a, b = _isqrt_against_own_resyn2()
    sp = SweepParams(max_passes=1, cut_size=2, alternatives=0, backtrack_limit=0,
                     first_conflict_limit=100, inner_conflict_limit=1)
    res = check_equivalence(a, b, CecParams(sweep=sp))
    assert res.equivalent is True
    sweep = [s for s in seen if s[0] in (1, 100)]
    assert any(b == 100 for b, _ in sweep) and any(b == 1 for b, _ in sweep)
    assert all(f == (b == 100) for b, f in sweep)
