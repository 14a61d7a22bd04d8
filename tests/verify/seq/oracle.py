"""Independent judges for the sequential engines: a plain-Python witness replayer and an
explicit-state reachability check for tiny designs. Neither shares code with edapipe's
engines (no Encoder, no Simulator), so they can catch what those get wrong."""

from __future__ import annotations

import itertools

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X, Aig


def evaluate(aig: Aig, inputs: list[int], state: list[int]) -> list[int]:
    """Value of every variable, gate by gate."""
    val = [0] + list(inputs) + list(state)
    for a, b in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        val.append((val[a >> 1] ^ (a & 1)) & (val[b >> 1] ^ (b & 1)))
    return val


def lit(val: list[int], x: int) -> int:
    return val[x >> 1] ^ (x & 1)


def bad_literals(aig: Aig) -> list[int]:
    return (aig.bad if aig.bad.size else aig.outputs).tolist()


def replay_witness(aig: Aig, text: str) -> list[int]:
    """Replay every witness of an AIGER witness file; the property indices whose bad state
    is reached in the last frame with every constraint held (raises on a bad witness)."""
    lines = [ln.strip() for ln in text.splitlines()]
    reached = []
    k = 0
    while k < len(lines):
        if not lines[k]:
            k += 1
            continue
        assert lines[k] == "1", f"status line {lines[k]!r}"
        prop = int(lines[k + 1][1:])
        init = lines[k + 2]
        assert len(init) == aig.num_latches
        state = []
        for j, c in enumerate(init):
            v = int(aig.latch_init[j])
            assert c in "01x"
            if v != LATCH_INIT_X:
                assert c in (str(v), "x"), "the witness changes a reset value"
            state.append(int(c == "1") if v == LATCH_INIT_X else v)
        k += 3
        frames = []
        while lines[k] != ".":
            frames.append([int(c) for c in lines[k]])
            k += 1
        k += 1
        assert frames, "a witness without frames"
        for t, row in enumerate(frames):
            assert len(row) == aig.num_inputs
            val = evaluate(aig, row, state)
            assert all(lit(val, c) for c in aig.constraints.tolist()), f"C fails at {t}"
            if t == len(frames) - 1 and lit(val, bad_literals(aig)[prop]):
                reached.append(prop)
            state = [lit(val, n) for n in aig.latch_next.tolist()]
    return reached


def reachable_bad(aig: Aig, prop: int = 0) -> int | None:
    """Length (frames - 1) of the shortest trace to the bad state, or None: breadth-first
    search over explicit states (for a handful of latches and inputs only)."""
    inits = []
    for combo in itertools.product((0, 1), repeat=aig.num_latches):
        if all(v == LATCH_INIT_X or v == c for v, c in zip(aig.latch_init.tolist(), combo)):
            inits.append(combo)
    bad = bad_literals(aig)[prop]
    seen = set(inits)
    layer = list(inits)
    depth = 0
    all_inputs = list(itertools.product((0, 1), repeat=aig.num_inputs))
    while layer:
        nxt = []
        for s in layer:
            for i in all_inputs:
                val = evaluate(aig, i, s)
                if not all(lit(val, c) for c in aig.constraints.tolist()):
                    continue
                if lit(val, bad):
                    return depth
                t = tuple(lit(val, n) for n in aig.latch_next.tolist())
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        layer = nxt
        depth += 1
    return None


def random_design(rng, n_in: int, n_lat: int, n_and: int, constraints: int = 0) -> Aig:
    """A random sequential AIG with one bad output (and some constraints)."""
    b = AigBuilder("random")
    lits = [b.add_input(f"i{k}") for k in range(n_in)]
    lat = []
    for k in range(n_lat):
        init = int(rng.choice([0, 0, 1, LATCH_INIT_X]))
        idx = b.add_latch(f"l{k}", init)
        lat.append(idx)
        lits.append(b.latch_lit(idx))
    for _ in range(n_and):
        x, y = rng.choice(len(lits), size=2)
        lits.append(b.and_(int(lits[x]) ^ int(rng.integers(2)), int(lits[y]) ^ int(rng.integers(2))))
    for idx in lat:
        b.set_latch_next(idx, int(lits[int(rng.integers(len(lits)))]) ^ int(rng.integers(2)))
    tail = lits[-4:]
    b.add_bad(b.and_(int(tail[-1]), int(tail[-2]) ^ 1))
    for _ in range(constraints):
        b.add_constraint(int(lits[int(rng.integers(1, len(lits)))]) ^ int(rng.integers(2)))
    return b.build()
