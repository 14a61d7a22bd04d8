"""Regenerate the NPN library of 4-input functions: `python -m edapipe.synth.npn.generate`.

Writes npn4.npz beside this file:
  - the NPN class and transform of each of the 65536 functions of 4 inputs, so that
        f(x) = out_neg ^ canon(y),   y_i = x[perm[i]] ^ ((neg >> i) & 1)
  - for each of the 222 classes, minimum-AND AIG structures of its representative, found by
    SAT-based exact synthesis (python-sat, Glucose 4): starting from a Shannon-expansion
    structure, SAT is asked for "r two-input ANDs with complemented edges computing the
    function" with one AND fewer each time, until it answers no (the size is then proven
    minimal) or its conflict budget runs out (recorded as not proven); up to
    STRUCTS_PER_CLASS distinct solutions of the final size are kept, shallowest first.

Structure literals: 2*v + complement with v = 0 constant false, v = 1..4 inputs y0..y3,
v = 5.. the structure's own ANDs in order. The result is checked by
simulation in tests/synth/test_npn.py.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np

N = 4
MINTERMS = 1 << N
STRUCTS_PER_CLASS = 6
VARIANTS_PER_CLASS = 24
SOLUTIONS_TRIED = 20
OUT = Path(__file__).with_name("npn4.npz")

PERMS = list(itertools.permutations(range(N)))


def transforms() -> np.ndarray:
    """All (perm[4], neg, out_neg) in a fixed order; row index is the transform id."""
    rows = [list(p) + [neg, o] for p in PERMS for neg in range(1 << N) for o in (0, 1)]
    return np.asarray(rows, dtype=np.int16)


def minterm_map(perm, neg) -> np.ndarray:
    """ymap[x] = y(x): y_i = x[perm[i]] ^ neg_i."""
    ymap = np.zeros(MINTERMS, dtype=np.int64)
    for x in range(MINTERMS):
        y = 0
        for i in range(N):
            y |= (((x >> perm[i]) & 1) ^ ((neg >> i) & 1)) << i
        ymap[x] = y
    return ymap


def apply(tt: int, perm, neg, out_neg) -> int:
    """F(x) = out_neg ^ tt(y(x)): the function a transform makes of a representative."""
    ymap = minterm_map(perm, neg)
    res = 0
    for x in range(MINTERMS):
        res |= ((((tt >> int(ymap[x])) & 1) ^ out_neg) << x)
    return res


def canon_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(canon[65536], transform id[65536], transforms) with f = T_id(canon[f])."""
    funcs = np.arange(1 << MINTERMS, dtype=np.int64)
    bits = ((funcs[:, None] >> np.arange(MINTERMS)) & 1).astype(np.int64)
    weights = (1 << np.arange(MINTERMS)).astype(np.int64)
    best = np.full(funcs.shape, 1 << MINTERMS, dtype=np.int64)
    best_t = np.zeros(funcs.shape, dtype=np.int64)
    trs = transforms()
    for t, row in enumerate(trs):
        perm, neg, o = row[:N], int(row[N]), int(row[N + 1])
        ymap = minterm_map(perm, neg)
        inv = np.empty(MINTERMS, dtype=np.int64)
        inv[ymap] = np.arange(MINTERMS)
        # F[x] = C[ymap[x]] ^ o  =>  C[y] = F[inv[y]] ^ o
        cand = (bits[:, inv] ^ o) @ weights
        better = cand < best
        best[better] = cand[better]
        best_t[better] = t
    return best.astype(np.uint16), best_t.astype(np.uint16), trs


# ---- exact synthesis ---------------------------------------------------------------------

def support(tt: int) -> list[int]:
    sup = []
    for i in range(N):
        for x in range(MINTERMS):
            if not (x >> i) & 1 and ((tt >> x) & 1) != ((tt >> (x | (1 << i))) & 1):
                sup.append(i)
                break
    return sup


def synthesize(tt: int, r: int, inputs: list[int], budget: int, max_solutions: int):
    """Solutions with exactly r ANDs (list of (nodes, out_lit)), [] if UNSAT, None if unknown.

    Each SAT call may spend `budget` conflicts, so the result does not depend on the load.
    """
    from pysat.solvers import Solver

    n_in = len(inputs)
    top = [0]

    def new():
        top[0] += 1
        return top[0]

    x = [[new() for _ in range(MINTERMS)] for _ in range(r)]
    p = [new() for _ in range(r)]
    q = [new() for _ in range(r)]
    o = new()
    sel: list[dict] = []
    clauses = []
    for i in range(r):
        pairs = {}
        for k in range(n_in + i):
            for j in range(k):
                pairs[(j, k)] = new()
        sel.append(pairs)
        clauses.append(list(pairs.values()))
        for (j, k), s in pairs.items():
            for t in range(MINTERMS):
                for vj in (0, 1):
                    lj = []
                    if j < n_in:
                        if ((t >> inputs[j]) & 1) != vj:
                            continue
                    else:
                        var = x[j - n_in][t]
                        lj = [var if vj == 0 else -var]
                    for vk in (0, 1):
                        lk = []
                        if k < n_in:
                            if ((t >> inputs[k]) & 1) != vk:
                                continue
                        else:
                            var = x[k - n_in][t]
                            lk = [var if vk == 0 else -var]
                        for pp in (0, 1):
                            for qq in (0, 1):
                                val = (vj ^ pp) & (vk ^ qq)
                                xi = x[i][t] if val else -x[i][t]
                                clauses.append([-s] + lj + lk + [p[i] if pp == 0 else -p[i],
                                                                  q[i] if qq == 0 else -q[i], xi])
    for t in range(MINTERMS):
        bit = (tt >> t) & 1
        # x_r ^ o == bit
        clauses.append([o, x[r - 1][t] if bit else -x[r - 1][t]])
        clauses.append([-o, -x[r - 1][t] if bit else x[r - 1][t]])
    # every AND but the last feeds a later one
    for i in range(r - 1):
        g = n_in + i
        users = [s for i2 in range(i + 1, r) for (j, k), s in sel[i2].items() if g in (j, k)]
        clauses.append(users)
    # consecutive ANDs take their fanin pairs in increasing colex order
    for i in range(r - 1):
        for (j, k), s in sel[i].items():
            for (j2, k2), s2 in sel[i + 1].items():
                if (k2, j2) < (k, j):
                    clauses.append([-s, -s2])
    solutions = []
    with Solver(name="glucose4", bootstrap_with=clauses) as solver:
        while len(solutions) < max_solutions:
            solver.conf_budget(budget)
            ok = solver.solve_limited()
            if ok is None:
                return solutions or None
            if not ok:
                break
            model = set(v for v in solver.get_model() if v > 0)
            nodes, block = [], []
            for i in range(r):
                (j, k), s = next(((jk, s) for jk, s in sel[i].items() if s in model))
                block.append(-s)
                lj = _lit(j, n_in, inputs) ^ (p[i] in model)
                lk = _lit(k, n_in, inputs) ^ (q[i] in model)
                block += [-p[i] if p[i] in model else p[i], -q[i] if q[i] in model else q[i]]
                nodes.append((max(lj, lk), min(lj, lk)))
            out = 2 * (N + r) + (o in model)
            solutions.append((nodes, out))
            solver.add_clause(block)
    return solutions


def _lit(j, n_in, inputs):
    return 2 * (1 + inputs[j]) if j < n_in else 2 * (N + 1 + j - n_in)


def simulate(nodes, out) -> int:
    vals = [0] + [sum(1 << m for m in range(MINTERMS) if (m >> i) & 1) for i in range(N)]
    full = (1 << MINTERMS) - 1
    for a, b in nodes:
        va = vals[a >> 1] ^ (full if a & 1 else 0)
        vb = vals[b >> 1] ^ (full if b & 1 else 0)
        vals.append(va & vb)
    return vals[out >> 1] ^ (full if out & 1 else 0)


def depth_of(nodes) -> int:
    lev = [0] * (N + 1)
    for a, b in nodes:
        lev.append(1 + max(lev[a >> 1], lev[b >> 1]))
    return lev[-1] if nodes else 0


def shannon(tt: int) -> tuple[list, int]:
    """A quick structure (Shannon expansion with hashing): the upper bound SAT starts from."""
    nodes: list[tuple[int, int]] = []
    table: dict[tuple[int, int], int] = {}
    full = (1 << MINTERMS) - 1
    proj = [sum(1 << m for m in range(MINTERMS) if (m >> i) & 1) for i in range(N)]

    def and_(a, b):
        a, b = max(a, b), min(a, b)
        if b == 0 or a == b ^ 1:
            return 0
        if b == 1 or a == b:
            return a
        if (a, b) not in table:
            nodes.append((a, b))
            table[(a, b)] = 2 * (N + len(nodes))
        return table[(a, b)]

    def cofactor(t, v, val):
        res = 0
        for m in range(MINTERMS):
            mm = (m | (1 << v)) if val else (m & ~(1 << v))
            res |= ((t >> mm) & 1) << m
        return res

    memo: dict[int, int] = {}

    def build(t):
        if t in (0, full):
            return 0 if t == 0 else 1
        for i in range(N):
            if t in (proj[i], proj[i] ^ full):
                return 2 * (1 + i) + (t != proj[i])
        if t in memo:
            return memo[t]
        if (t ^ full) in memo:
            return memo[t ^ full] ^ 1
        v = max(support(t))
        hi, lo = build(cofactor(t, v, 1)), build(cofactor(t, v, 0))
        x = 2 * (1 + v)
        if lo == 0:
            r = and_(x, hi)
        elif hi == 0:
            r = and_(x ^ 1, lo)
        elif lo == 1:
            r = and_(x, hi ^ 1) ^ 1
        elif hi == 1:
            r = and_(x ^ 1, lo ^ 1) ^ 1
        else:
            r = and_(and_(x, hi) ^ 1, and_(x ^ 1, lo) ^ 1) ^ 1
        memo[t] = r
        return r

    out = build(tt)
    return nodes, out


def exact(tt: int, budget: int = 30000):
    """(solutions, proven minimal?) for one representative.

    Sizes are tried upwards from the support's lower bound with `budget` conflicts each; a
    size left unsettled is retried downwards from the first solution with four times the
    budget. The Shannon structure caps the search.
    """
    full = (1 << MINTERMS) - 1
    if tt in (0, full):
        return [([], 0 if tt == 0 else 1)], True
    sup = support(tt)
    for v in sup:
        proj = sum(1 << m for m in range(MINTERMS) if (m >> v) & 1)
        if tt in (proj, proj ^ full):
            return [([], 2 * (1 + v) + (tt != proj))], True
    best = [shannon(tt)]
    unknown = []
    for r in range(max(1, len(sup) - 1), len(best[0][0])):
        sols = synthesize(tt, r, sup, budget, 1)
        if sols is None:
            unknown.append(r)
        elif sols:
            best = sols
            break
    proven = not unknown
    for r in sorted(unknown, reverse=True):
        if r >= len(best[0][0]):
            continue
        sols = synthesize(tt, r, sup, 4 * budget, 1)
        if sols is None:
            break
        if not sols:
            proven = r == len(best[0][0]) - 1 and not [u for u in unknown if u < r]
            break
        best = sols
    return _more(tt, best, sup, budget), proven


def _more(tt, best, sup, budget):
    """More solutions of the best size, to offer rewriting a choice of shapes."""
    r = len(best[0][0])
    if r == 0:
        return best
    sols = synthesize(tt, r, sup, 10 * budget, SOLUTIONS_TRIED)
    return sols if sols else best


def distinct_best(sols) -> list:
    seen, out = set(), []
    for nodes, lit in sorted(sols, key=lambda s: (depth_of(s[0]), s)):
        key = (tuple(nodes), lit)
        if key not in seen:
            seen.add(key)
            out.append((nodes, lit))
        if len(out) >= STRUCTS_PER_CLASS:
            break
    return out


def node_functions(nodes, out) -> tuple:
    """A structure's identity up to node order: the set of functions its ANDs compute."""
    full = (1 << MINTERMS) - 1
    vals = [0] + [sum(1 << m for m in range(MINTERMS) if (m >> i) & 1) for i in range(N)]
    for a, b in nodes:
        vals.append((vals[a >> 1] ^ (full if a & 1 else 0)) & (vals[b >> 1] ^ (full if b & 1 else 0)))
    return tuple(sorted(vals[N + 1:])), out & 1


def variants(rep: int, structures: list, trs: np.ndarray, limit: int) -> list:
    """The structures with their inputs moved by each symmetry of the representative.

    A transform that maps `rep` onto itself turns a structure of `rep` into another one with
    a different pairing of the inputs (AND4 has 3 balanced trees and 12 chains); rewriting
    then has the shapes that share existing logic to choose from. Shallowest first.
    """
    autos = [row for row in trs.tolist()
             if apply(rep, row[:N], row[N], row[N + 1]) == rep]
    seen, out = set(), []
    for nodes, lit in structures:
        for row in autos:
            perm, neg, o = row[:N], row[N], row[N + 1]

            def move(x):
                v = x >> 1
                if 1 <= v <= N:
                    return 2 * (1 + perm[v - 1]) + (((neg >> (v - 1)) & 1) ^ (x & 1))
                return x
            moved = [(max(move(a), move(b)), min(move(a), move(b))) for a, b in nodes]
            new_lit = move(lit) ^ o
            key = node_functions(moved, new_lit)
            if key in seen:
                continue
            seen.add(key)
            assert simulate(moved, new_lit) == rep
            out.append((moved, new_lit))
    out.sort(key=lambda s: (depth_of(s[0]), s))
    return out[:limit]


def _shipped(classes: np.ndarray) -> dict:
    """The classes of the shipped library, as finished results (structures, proven flag)."""
    from edapipe.synth.npn import library

    lib = library()
    if [int(c) for c in lib.class_tt] != [int(c) for c in classes]:
        raise SystemExit("the shipped library has other class representatives; solve again")
    done = {}
    for k, rep in enumerate(classes.tolist()):
        structures = lib.structures(k)
        assert all(simulate(n, o) == rep for n, o in structures)
        done[k] = (k, rep, distinct_best(structures), bool(lib.class_proven[k]))
    return done


def _solve_class(args):
    k, rep, budget = args
    t1 = time.time()
    sols, proven = exact(rep, budget)
    return k, rep, distinct_best(sols), proven, time.time() - t1


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import multiprocessing
    from multiprocessing import Pool

    ap = argparse.ArgumentParser(prog="python -m edapipe.synth.npn.generate",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--budget", type=int, default=30000,
                    help="SAT conflicts allowed per call")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="seconds; classes unfinished by then keep their Shannon structure")
    ap.add_argument("--cache", type=Path, default=None,
                    help="JSON-lines file of finished classes: read to resume, appended to")
    ap.add_argument("--reuse", action="store_true",
                    help="take each class's structures from the shipped npn4.npz instead of "
                         "solving again (rebuilds the symmetry variants only)")
    args = ap.parse_args(argv)
    t0 = time.time()
    canon, tid, trs = canon_tables()
    classes = np.unique(canon)
    print(f"{len(classes)} NPN classes ({time.time() - t0:.1f} s)", file=sys.stderr)
    class_of = np.zeros(1 << MINTERMS, dtype=np.uint8)
    index = {int(c): k for k, c in enumerate(classes)}
    class_of[:] = [index[int(c)] for c in canon]
    done = {}
    if args.cache and args.cache.exists():
        for line in args.cache.read_text().splitlines():
            k, rep, best, proven = json.loads(line)
            best = [(list(map(tuple, n)), o) for n, o in best]
            if all(simulate(n, o) == rep for n, o in best):
                done[k] = (k, rep, best, proven)
    if args.reuse:
        done.update(_shipped(classes))
    work = [(k, rep, args.budget) for k, rep in enumerate(classes.tolist()) if k not in done]
    work.sort(key=lambda w: len(shannon(w[1])[0]))  # easy classes first
    deadline = time.time() + args.time_limit if args.time_limit else float("inf")
    with Pool(args.jobs) as pool:
        results = pool.imap_unordered(_solve_class, work)
        while len(done) < len(classes):
            try:
                k, rep, best, proven, seconds = results.next(max(deadline - time.time(), 0.01))
            except multiprocessing.TimeoutError:
                print("time limit: unfinished classes keep their Shannon structure",
                      file=sys.stderr)
                pool.terminate()
                break
            done[k] = (k, rep, best, proven)
            if args.cache:
                with args.cache.open("a") as fh:
                    fh.write(json.dumps([k, rep, best, proven]) + "\n")
            print(f"class {k:3d} {rep:#06x}: {len(best[0][0])} ANDs, depth "
                  f"{depth_of(best[0][0])}, {len(best)} structures"
                  f"{'' if proven else ' (not proven minimal)'} ({seconds:.1f} s)",
                  file=sys.stderr)
    for k, rep in enumerate(classes.tolist()):
        if k not in done:
            done[k] = (k, rep, [shannon(rep)], False)
    s_off, s_f0, s_f1, s_out, c_off, c_proven = [0], [], [], [], [0], []
    for k in range(len(classes)):
        _, rep, best, proven = done[k]
        c_proven.append(proven)
        for nodes, lit in variants(rep, best, trs, VARIANTS_PER_CLASS):
            assert simulate(nodes, lit) == rep, (rep, nodes, lit)
            s_f0 += [a for a, _ in nodes]
            s_f1 += [b for _, b in nodes]
            s_out.append(lit)
            s_off.append(len(s_f0))
        c_off.append(len(s_out))
    sizes = [len(done[k][2][0][0]) for k in range(len(classes))]
    print(f"ANDs per class (count by size): {np.bincount(sizes).tolist()}; "
          f"{sum(c_proven)} of {len(classes)} proven minimal", file=sys.stderr)
    np.savez_compressed(
        OUT, class_of=class_of, transform_of=tid, transforms=trs.astype(np.int8),
        class_tt=classes.astype(np.uint16), class_struct_offset=np.asarray(c_off, np.int32),
        struct_offset=np.asarray(s_off, np.int32), struct_f0=np.asarray(s_f0, np.int16),
        struct_f1=np.asarray(s_f1, np.int16), struct_out=np.asarray(s_out, np.int16),
        class_proven=np.asarray(c_proven, np.bool_))
    print(f"wrote {OUT} in {time.time() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
