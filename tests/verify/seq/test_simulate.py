"""The levelized word simulator against the gate-by-gate oracle, and the pattern words."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder
from edapipe.verify.seq.simulate import ONES, RandomWords, Simulator
from tests.verify.seq.oracle import evaluate, lit


def random_machine(seed: int, inputs: int = 4, latches: int = 3, gates: int = 30):
    """Random ANDs over random (often complemented) earlier signals, latches fed back."""
    rng = np.random.default_rng(seed)
    b = AigBuilder("rand")
    sig = [b.add_input(f"i{k}") for k in range(inputs)]
    idx = [b.add_latch(f"l{k}", int(rng.integers(2))) for k in range(latches)]
    sig += [b.latch_lit(k) for k in idx]
    for _ in range(gates):
        x, y = (int(sig[int(rng.integers(len(sig)))]) ^ int(rng.integers(2)) for _ in range(2))
        sig.append(b.and_(x, y))
    for k in idx:
        b.set_latch_next(k, sig[-1 - k] ^ int(rng.integers(2)))
    b.add_output(sig[-1] ^ 1, "o")
    return b.build()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_words_match_the_gate_by_gate_oracle(seed):
    aig = random_machine(seed)
    rng = RandomWords(seed)
    ins, state = rng.words(aig.num_inputs, 2), rng.words(aig.num_latches, 2)
    sim = Simulator(aig)
    val = sim.values(ins, state)
    nxt = sim.lits(val, aig.latch_next)
    for bit in (0, 1, 63, 64, 127):
        w, m = bit // 64, np.uint64(1) << np.uint64(bit % 64)
        pick = lambda x: [int(v & m != 0) for v in x[:, w].tolist()]
        want = evaluate(aig, pick(ins), pick(state))
        assert pick(val) == want
        assert pick(nxt) == [lit(want, n) for n in aig.latch_next.tolist()]


def test_random_words_are_seeded_balanced_and_apart():
    a = RandomWords(3).words(500, 4)
    assert a.dtype == np.uint64 and a.shape == (500, 4)
    assert np.array_equal(a, RandomWords(3).words(500, 4))
    # nearby seeds give unrelated streams (the seed is hashed, not only offset)
    assert np.intersect1d(a, RandomWords(4).words(500, 4)).size == 0
    bits = np.unpackbits(a.view(np.uint8))
    assert abs(bits.mean() - 0.5) < 0.01
    r = RandomWords(0)
    first, second = r.words(2, 2), r.words(2, 2)
    assert not np.array_equal(first, second)
    assert r.words(0, 4).shape == (0, 4)
    assert (a == ONES).sum() == 0
