"""Helpers of the verify tests: ABC resyn2 results, mutants, counter-example replay."""

from __future__ import annotations

import numpy as np

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import Aig
from edapipe.aig.sim import simulate_vectors
from tests.conftest import run_abc, tool
from tests.equivalence import source

# ABC's resyn2 spelled out: the alias lives in abc.rc, which the Debian binary does not read.
RESYN2 = ("balance; rewrite; refactor; balance; rewrite; rewrite -z; balance; refactor -z; "
          "rewrite -z; balance")

def resyn2_file(name: str, folder) -> "object":
    """ABC's resyn2 result of a shared circuit, made once per folder (None without ABC)."""
    abc = tool("berkeley-abc")
    if abc is None:
        return None
    out = folder / f"{name}.r2.aig"
    if not out.exists():
        run_abc(abc, f"read {source(name)}; strash; {RESYN2}; write {out}")
    return out


def replay_differs(a: Aig, b: Aig, bits_a: tuple, bits_b: tuple) -> bool:
    """True if the counter-example really gives different outputs or next states."""
    from edapipe.aig.sim import literal_words, simulate_words

    def values(aig, inputs, latches):
        ci = np.concatenate([inputs, latches]).astype(np.uint64).reshape(-1, 1)
        val = simulate_words(aig, ci)
        outs = literal_words(aig, val, aig.outputs)[:, 0] & np.uint64(1)
        nxt = literal_words(aig, val, aig.latch_next)[:, 0] & np.uint64(1)
        return outs, nxt

    oa, na = values(a, *bits_a)
    ob, nb = values(b, *bits_b)
    # Outputs are matched by name in the checks here, and the names agree by construction.
    ia = {a.output_name(k): int(v) for k, v in enumerate(oa)}
    ib = {b.output_name(k): int(v) for k, v in enumerate(ob)}
    la = {a.latch_name(k): int(v) for k, v in enumerate(na)}
    lb = {b.latch_name(k): int(v) for k, v in enumerate(nb)}
    return ia != ib or la != lb


def replay_outputs_differ(a: Aig, b: Aig, inputs_a, inputs_b) -> bool:
    """The same through edapipe.aig.sim.simulate_vectors (combinational designs)."""
    oa, _ = simulate_vectors(a, np.asarray(inputs_a).reshape(1, -1))
    ob, _ = simulate_vectors(b, np.asarray(inputs_b).reshape(1, -1))
    return not np.array_equal(oa, ob)


def mutant(aig: Aig, rng: np.random.Generator, kind: str | None = None) -> tuple[Aig, str]:
    """One mutation: an AND fanin complemented, a fanin rewired, or an output inverted."""
    kind = kind or rng.choice(["complement", "rewire", "invert"])
    f0 = aig.fanin0.copy()
    f1 = aig.fanin1.copy()
    outs = aig.outputs.copy()
    if kind == "invert" or aig.num_ands == 0:
        k = int(rng.integers(0, aig.num_outputs))
        outs[k] ^= 1
        return aig.replace(outputs=outs), f"invert output {k}"
    k = int(rng.integers(0, aig.num_ands))
    own = 2 * (aig.first_and_var + k)
    if kind == "complement":
        if rng.integers(0, 2):
            f0[k] ^= 1
        else:
            f1[k] ^= 1
        what = f"complement a fanin of AND {k}"
    else:
        new = int(rng.integers(2, own)) if own > 2 else 0
        if rng.integers(0, 2):
            f0[k] = new
        else:
            f1[k] = new
        what = f"rewire a fanin of AND {k} to literal {new}"
    hi, lo = np.maximum(f0, f1), np.minimum(f0, f1)
    return aig.replace(fanin0=hi, fanin1=lo, outputs=outs), what


def restructure(aig: Aig, rng: np.random.Generator) -> Aig:
    """An equivalent AIG with different structure: ANDs rewritten by local identities."""
    b = AigBuilder(name=aig.name)
    lit = [0] * aig.num_vars
    for k in range(aig.num_inputs):
        lit[k + 1] = b.add_input(aig.input_names[k])
    for k in range(aig.num_latches):
        lit[aig.num_inputs + 1 + k] = b.latch_lit(b.add_latch(aig.latch_names[k],
                                                              int(aig.latch_init[k])))
    var = aig.first_and_var
    for a, c in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        x = lit[a >> 1] ^ (a & 1)
        y = lit[c >> 1] ^ (c & 1)
        choice = int(rng.integers(0, 4))
        if choice == 0:
            lit[var] = b.and_(x, y)
        elif choice == 1:                       # x & (!x | y)
            lit[var] = b.and_(x, b.or_(x ^ 1, y))
        elif choice == 2:                       # (x & y) & (x | z)
            z = lit[int(rng.integers(0, var))] ^ int(rng.integers(0, 2))
            lit[var] = b.and_(b.and_(x, y), b.or_(x, z))
        else:                                   # mux(z, x&y, y&x)
            z = lit[int(rng.integers(0, var))]
            lit[var] = b.mux(z, b.and_(y, x), b.and_(x, b.and_(y, y)))
        var += 1
    for k in range(aig.num_latches):
        nl = int(aig.latch_next[k])
        b.set_latch_next(k, lit[nl >> 1] ^ (nl & 1))
    for k, o in enumerate(aig.outputs.tolist()):
        b.add_output(lit[o >> 1] ^ (o & 1), aig.output_names[k])
    return b.build()
