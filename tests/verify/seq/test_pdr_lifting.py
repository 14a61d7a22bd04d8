"""PDR's ternary-simulation lifting: every state of a lifted cube, with the predecessor's
inputs, must reach the target cube (or the bad state) with every constraint held. Judged by
enumerating the cube's states through a plain evaluator of the AIG on small random designs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from edapipe.verify.seq.model import problem
from edapipe.verify.seq.pdr import Pdr
from edapipe.verify.seq.reach import Ternary
from tests.verify.seq.oracle import random_design


def evaluate(aig, inputs: list[int], latches: list[int]) -> list[int]:
    """0/1 value of every variable (full-AIG input and latch values)."""
    val = [0] + list(inputs) + list(latches)
    f0, f1 = aig.fanin0.tolist(), aig.fanin1.tolist()
    for a, b in zip(f0, f1):
        val.append((val[a >> 1] ^ (a & 1)) & (val[b >> 1] ^ (b & 1)))
    return val


def lit(val: list[int], x: int) -> int:
    return val[x >> 1] ^ (x & 1)


def cases(seed: int, count: int):
    """(aig, prob, state, inputs, target) with `state` (COI latches) a predecessor of the
    target cube (COI literals; None: the bad state) under `inputs` (COI inputs)."""
    rng = np.random.default_rng(seed)
    aig = random_design(rng, n_in=int(rng.integers(1, 4)), n_lat=int(rng.integers(2, 8)),
                        n_and=int(rng.integers(6, 40)), constraints=int(rng.integers(0, 3)))
    prob = problem(aig, 0)
    if not len(prob.latches):
        return aig, prob, []
    out = []
    for _ in range(20 * count):
        if len(out) == count:
            break
        full_in = rng.integers(2, size=aig.num_inputs).tolist()
        full_lat = rng.integers(2, size=aig.num_latches).tolist()
        val = evaluate(aig, full_in, full_lat)
        if not all(lit(val, c) for c in aig.constraints.tolist()):
            continue
        state = np.array([full_lat[j] for j in prob.latches], dtype=np.uint8)
        inputs = np.array([full_in[j] for j in prob.inputs], dtype=np.uint8)
        if rng.integers(3) == 0:
            if lit(val, prob.bad):
                out.append((state, inputs, None))
            continue
        nxt = [lit(val, int(aig.latch_next[j])) for j in prob.latches]
        pick = rng.random(len(nxt)) < 0.6
        pick[int(rng.integers(len(nxt)))] = True
        target = tuple(2 * j + (1 - nxt[j]) for j in np.flatnonzero(pick).tolist())
        out.append((state, inputs, target))
    return aig, prob, out


def reaches(aig, prob, cube: tuple, inputs: np.ndarray, target) -> bool:
    """Every state of `cube` (other COI latches free) reaches target with the inputs."""
    fixed = {l >> 1: 1 - (l & 1) for l in cube}
    free = [j for j in range(len(prob.latches)) if j not in fixed]
    full_in = [0] * aig.num_inputs
    for k, j in enumerate(prob.inputs.tolist()):
        full_in[j] = int(inputs[k])
    for combo in itertools.product((0, 1), repeat=len(free)):
        st = dict(fixed)
        st.update(zip(free, combo))
        full_lat = [0] * aig.num_latches
        for j, latch in enumerate(prob.latches.tolist()):
            full_lat[latch] = st[j]
        val = evaluate(aig, full_in, full_lat)
        if not all(lit(val, c) for c in aig.constraints.tolist()):
            return False
        if target is None:
            if not lit(val, prob.bad):
                return False
        elif any(lit(val, int(aig.latch_next[prob.latches[l >> 1]])) != 1 - (l & 1)
                 for l in target):
            return False
    return True


def cube_of(state: np.ndarray, keep) -> tuple:
    return tuple(sorted(2 * j + (1 - int(state[j])) for j in keep))


@pytest.mark.parametrize("seed", range(60))
def test_ternary_lifted_cube_reaches_target(seed):
    aig, prob, found = cases(seed, 6)
    pdr = Pdr(prob, lifting="ternary")
    rng = np.random.default_rng(seed + 1000)
    for state, inputs, target in found:
        pdr.activity = rng.random(len(prob.latches)).tolist()    # any order is sound
        keep = pdr.ternary_lift(state, inputs, target)
        assert keep == sorted(set(keep))
        assert reaches(aig, prob, cube_of(state, keep), inputs, target)


@pytest.mark.parametrize("seed", range(30))
def test_every_kept_literal_is_needed_by_ternary_simulation(seed):
    """The greedy result is maximal: making any kept literal X too breaks the check
    (ternary simulation is monotone in X)."""
    aig, prob, found = cases(seed, 4)
    pdr = Pdr(prob, lifting="ternary")
    tern = Ternary(aig)
    ones = np.uint64(0xFFFFFFFFFFFFFFFF)
    for state, inputs, target in found:
        keep = pdr.ternary_lift(state, inputs, target)
        if target is None:
            lits, want = [prob.bad], [1]
        else:
            lits = [int(aig.latch_next[prob.latches[l >> 1]]) for l in target]
            want = [1 - (l & 1) for l in target]
        lits += aig.constraints.tolist()
        want += [1] * aig.constraints.size
        for extra in keep:
            xs = [j for j in range(len(state)) if j not in keep] + [extra]
            may = np.zeros((aig.num_cis, 1), dtype=np.uint64)
            may[prob.inputs, 0] = np.where(inputs.astype(bool), ones, 0)
            may[aig.num_inputs + prob.latches, 0] = np.where(state.astype(bool), ones, 0)
            must = may.copy()
            may[aig.num_inputs + prob.latches[xs], 0] = ones
            must[aig.num_inputs + prob.latches[xs], 0] = 0
            val, known = tern.binary(may, must, np.array(lits, dtype=np.int64))
            ok = all(int(known[k, 0]) & 1 and (int(val[k, 0]) & 1) == want[k]
                     for k in range(len(lits)))
            assert not ok, (extra, keep)


def test_full_x_when_the_target_ignores_the_state():
    """A next state driven by inputs only: nothing of the predecessor is needed."""
    from edapipe.aig.builder import AigBuilder

    b = AigBuilder("in_driven")
    i = b.add_input("i")
    k0, k1 = b.add_latch("a", 0), b.add_latch("b", 0)
    b.set_latch_next(k0, i)
    b.set_latch_next(k1, b.and_(b.latch_lit(k0), b.latch_lit(k1)))
    b.add_bad(b.and_(b.latch_lit(k0), b.latch_lit(k1)))
    prob = problem(b.build(), 0)
    pdr = Pdr(prob, lifting="ternary")
    a_pos = prob.latches.tolist().index(k0)
    keep = pdr.ternary_lift(np.array([1, 1], dtype=np.uint8), np.array([1], dtype=np.uint8),
                            (2 * a_pos,))
    assert keep == []


def greedy_one_at_a_time(prob, tern, state, inputs, target, order) -> list[int]:
    """The reference: X one latch at a time in `order`, one simulation each."""
    aig = prob.aig
    ones = np.uint64(0xFFFFFFFFFFFFFFFF)
    if target is None:
        lits, want = [prob.bad], [1]
    else:
        lits = [int(aig.latch_next[prob.latches[l >> 1]]) for l in target]
        want = [1 - (l & 1) for l in target]
    lits += aig.constraints.tolist()
    want += [1] * aig.constraints.size
    lat_ci = aig.num_inputs + prob.latches
    xs, keep = [], []
    for j in order:
        may = np.zeros((aig.num_cis, 1), dtype=np.uint64)
        may[prob.inputs, 0] = np.where(inputs.astype(bool), ones, 0)
        may[lat_ci, 0] = np.where(state.astype(bool), ones, 0)
        must = may.copy()
        may[lat_ci[xs + [j]], 0] = ones
        must[lat_ci[xs + [j]], 0] = 0
        val, known = tern.binary(may, must, np.array(lits, dtype=np.int64))
        if all(int(known[k, 0]) & 1 and (int(val[k, 0]) & 1) == want[k]
               for k in range(len(lits))):
            xs.append(j)
        else:
            keep.append(j)
    return sorted(keep)


@pytest.mark.parametrize("chunk", [1, 2, 128])
@pytest.mark.parametrize("seed", range(25))
def test_batched_passes_match_the_one_at_a_time_greedy(seed, chunk, monkeypatch):
    """Prefix patterns and the "fails alone" shortcut, over chunks of any size, keep what
    the plain greedy run keeps."""
    import edapipe.verify.seq.pdr as pdr_module

    monkeypatch.setattr(pdr_module, "TERNARY_CHUNK", chunk)
    aig, prob, found = cases(seed, 4)
    pdr = Pdr(prob, lifting="ternary")
    tern = Ternary(aig)
    rng = np.random.default_rng(seed + 2000)
    for state, inputs, target in found:
        pdr.activity = rng.random(len(prob.latches)).tolist()
        order = sorted(range(len(state)), key=lambda j: pdr.activity[j])
        assert pdr.ternary_lift(state, inputs, target) == \
            greedy_one_at_a_time(prob, tern, state, inputs, target, order)


@pytest.mark.parametrize("lifting", ["sat", "ternary", "both"])
@pytest.mark.parametrize("seed", range(20))
def test_sat_lifting_cube_reaches_target(seed, lifting):
    """Each lifting through `lift` on a solver model of the predecessor."""
    aig, prob, found = cases(seed, 3)
    pdr = Pdr(prob, lifting=lifting)
    for state, inputs, target in found:
        sv = pdr._solver(pdr.base + [[c] for c in pdr.cons])
        pdr._load_primed(sv, [2 * j for j in range(len(prob.latches))])   # all of T
        try:
            fix = [x if v else -x for x, v in zip(pdr.s_list, state.tolist())]
            fix += [x if v else -x for x, v in zip(pdr.i.tolist(), inputs.tolist())]
            assert sv.s.solve(assumptions=fix)
            cube, got_inputs = pdr.lift(sv.s.get_model(), target)
        finally:
            sv.s.delete()
        assert np.array_equal(got_inputs, inputs)
        assert set(cube) <= set(cube_of(state, range(len(state))))
        assert reaches(aig, prob, cube, inputs, target)


def test_unknown_lifting_is_refused():
    aig, prob, _ = cases(0, 1)
    with pytest.raises(ValueError, match="lifting"):
        Pdr(prob, lifting="bdd")


@pytest.mark.parametrize("lifting", ["ternary", "both"])
@pytest.mark.parametrize("seed", range(60))
def test_pdr_with_ternary_lifting_agrees_with_explicit_search(seed, lifting):
    """Whole PDR runs: traces replayed, invariants certified, verdicts against the
    explicit-state oracle (the designs of test_engines, same seeds)."""
    from edapipe.verify.seq.certificate import build_certificate, check_certificate
    from edapipe.verify.seq.model import property_names
    from edapipe.verify.seq.result import FAILS, HOLDS, witness_text
    from tests.verify.seq.oracle import reachable_bad, replay_witness

    rng = np.random.default_rng(seed)
    aig = random_design(rng, n_in=int(rng.integers(1, 3)), n_lat=int(rng.integers(1, 6)),
                        n_and=int(rng.integers(4, 18)), constraints=int(rng.integers(0, 2)))
    depth = reachable_bad(aig)
    res = Pdr(problem(aig, 0), lifting=lifting).run()
    if depth is None:
        assert res.status == HOLDS, res
        if res.invariant is not None:
            cert = build_certificate(aig, {0: res.invariant}, property_names(aig))
            assert all(r.ok for r in check_certificate(aig, cert))
    else:
        assert res.status == FAILS, res
        assert replay_witness(aig, witness_text(res.trace, 0)) == [0]
