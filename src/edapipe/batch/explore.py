"""Recipe search: which pass sequence makes this circuit smallest (ABC-RL's job, by search).

Iterated greedy search with a bandit over moves. A move is a pass sequence: one of ABC's
named scripts (resyn2, resyn2rs, compress2rs, dc2) or a random sequence over the alphabet
(b, rw, rwz, rf, rfz, rs -K k -N n, fraig, and for the ANDs objective their -l forms, which
give up depth for area). Each round evaluates a handful of moves in parallel, all starting
from the best circuit so far; the best move of the round is kept if it improves the
objective, and the recipe is the kept moves in order. Moves are chosen by UCB1 on the
improvement they brought, so the kinds of moves that pay on this circuit get tried more;
random sequences keep the search from settling. Every evaluation counts against the budget.

Candidates are evaluated by batch workers (pool or Dask): each reads the current best
circuit, runs `opt MOVE`, writes the candidate and reports its ANDs and levels. The winner is
proven equivalent to the design by our cec before it is written.
"""

from __future__ import annotations

import math
import os
import random
import shlex
import tempfile
from dataclasses import dataclass, field

OBJECTIVES = ("ands", "levels", "ands*levels")

MACROS = ("resyn2", "resyn2rs", "compress2rs", "dc2")
ALPHABET = ("b", "rw", "rwz", "rf", "rfz", "rs -K 6", "rs -K 8", "rs -K 10", "rs -K 12",
            "rs -K 6 -N 2", "rs -K 8 -N 2", "rs -K 10 -N 2", "rs -K 12 -N 2", "fraig")
# passes that may add levels for fewer ANDs (the compress scripts' forms)
AREA_ALPHABET = ("b -l", "rw -l", "rwz -l", "rf -l", "rfz -l", "rs -K 8 -l",
                 "rs -K 10 -N 2 -l", "rs -K 12 -l")


@dataclass(frozen=True)
class ExploreParams:
    budget: int = 100
    """Scripts evaluated in all (each a move from the current best circuit)."""
    objective: str = "ands"
    """What to minimize: ands, levels or ands*levels (ties broken by the other figure)."""
    jobs: int = 2
    """Worker processes evaluating candidates at once."""
    seed: int = 0
    """Seed of the random moves: the same seed and budget give the same search."""
    timeout: float | None = None
    """Seconds per candidate before it is dropped."""
    dask: str | None = None
    """A Dask scheduler address or local:N instead of local workers."""

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}")
        if self.budget < 1:
            raise ValueError("the budget must be at least 1")


@dataclass
class ExploreResult:
    recipe: list[str]                # the kept moves, in order
    ands: int
    levels: int
    ands_in: int
    levels_in: int
    evaluated: int                   # scripts evaluated (failed ones included)
    failed: int
    path: str                        # the best circuit (AIGER, in the work folder)
    history: list[dict] = field(default_factory=list)

    @property
    def script(self) -> str:
        return "; ".join(self.recipe) if self.recipe else "st"


def cost(objective: str, ands: int, levels: int) -> tuple:
    if objective == "levels":
        return (levels, ands)
    if objective == "ands*levels":
        return (ands * levels, ands, levels)
    return (ands, levels)


class _Bandit:
    """UCB1 over kinds of moves; the reward of a move is its relative gain over the best."""

    C = 0.05        # exploration weight: gains are a few percent, so a small one

    def __init__(self, arms: list[str]):
        self.arms = arms
        self.n = {a: 0 for a in arms}
        self.total = {a: 0.0 for a in arms}

    def score(self, arm: str, pending: int) -> float:
        # `pending` picks of this round count as tries without reward ("virtual loss"), so
        # one round spreads over several arms instead of repeating the best one
        n = self.n[arm] + pending
        if n == 0:
            return math.inf
        t = sum(self.n.values()) + 1
        return self.total[arm] / n + self.C * math.sqrt(2 * math.log(t) / n)

    def reward(self, arm: str, gain: float) -> None:
        self.n[arm] += 1
        self.total[arm] += max(0.0, gain)


def _move(arm: str, rng: random.Random, objective: str) -> str:
    if arm in MACROS:
        return arm
    letters = ALPHABET + (AREA_ALPHABET if objective == "ands" else ())
    lo, hi = (3, 6) if arm == "short" else (7, 14)
    return "; ".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


def _round(bandit: _Bandit, rng: random.Random, n: int, objective: str,
           tried: set[str]) -> list[tuple[str, str]]:
    """n (arm, move) pairs; a named script already run on this circuit is not run again
    (passes are deterministic: it would give the same circuit)."""
    picks: list[tuple[str, str]] = []
    pending = {a: 0 for a in bandit.arms}
    while len(picks) < n:
        arms = [a for a in bandit.arms if a not in MACROS or a not in tried]
        arm = max(arms, key=lambda a: (bandit.score(a, pending[a]), -bandit.arms.index(a)))
        move = _move(arm, rng, objective)
        pending[arm] += 1
        tried.add(move)
        picks.append((arm, move))
    return picks


def explore(design_path: str, aig, params: ExploreParams, on_round=None) -> ExploreResult:
    """Search recipes for `aig`. Candidates live in a work folder that the caller removes
    (os.path.dirname(result.path)) once it has used the result."""
    work = tempfile.mkdtemp(prefix="edapipe-explore-")
    try:
        return _search(work, aig, params, on_round)
    except BaseException:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
        raise


def _search(work: str, aig, params: ExploreParams, on_round) -> ExploreResult:
    from edapipe.aig import io
    from edapipe.aig.analysis import depth
    from edapipe.batch.pool import open_pool

    best_path = os.path.join(work, "best.aig")
    io.write(aig, best_path, "aig")
    figs_in = figs = (aig.num_ands, depth(aig))
    best = cost(params.objective, *figs)
    rng = random.Random(params.seed)
    bandit = _Bandit(list(MACROS) + ["short", "long"])
    recipe: list[str] = []
    history: list[dict] = []
    tried: set[str] = set()
    evaluated = failed = 0
    per_round = max(4, 2 * params.jobs)
    warm = "opt 'b; rw; rwz; rf; rfz; rs -K 8 -N 2; fraig'"
    with open_pool(warm, params.jobs, 0.0, params.dask) as pool:
        while evaluated < params.budget:
            picks = _round(bandit, rng, min(per_round, params.budget - evaluated),
                           params.objective, tried)
            tasks = []
            for k, (arm, move) in enumerate(picks):
                out = os.path.join(work, f"cand_{evaluated + k}.aig")
                tasks.append({"id": evaluated + k, "input": best_path, "cwd": work,
                              "script": f"opt {shlex.quote(move)} -o {shlex.quote(out)}"})
            rows: dict = {}
            pool.run(tasks, params.timeout, lambda row: rows.__setitem__(row["id"], row))
            evaluated += len(tasks)
            winner = None
            for task, (arm, move) in zip(tasks, picks):
                row = rows.get(task["id"])
                if row is None or row["exit"] != 0 or row["ands"] is None:
                    failed += 1
                    bandit.reward(arm, 0.0)
                    continue
                c = cost(params.objective, row["ands"], row["levels"])
                bandit.reward(arm, (best[0] - c[0]) / max(best[0], 1))
                history.append({"move": move, "ands": row["ands"], "levels": row["levels"],
                                "kept": False})
                if c < best and (winner is None or c < winner[0]):
                    winner = (c, row["outputs"][-1], move, (row["ands"], row["levels"]),
                              history[-1])
            if winner is not None:
                best, path, move, figs, entry = winner
                os.replace(path, best_path)     # the next round starts from it
                recipe.append(move)
                entry["kept"] = True
                tried.clear()
            for task in tasks:                  # the losers
                _remove(os.path.join(work, f"cand_{task['id']}.aig"))
            if on_round is not None:
                on_round(evaluated, params.budget, figs)
    return ExploreResult(recipe, figs[0], figs[1], figs_in[0], figs_in[1], evaluated,
                         failed, best_path, history)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
