"""Structural choices for the cell mapper (ABC's `dch; map` and `amap`'s choice nodes).

`choice_aig(aig)` runs `dch` (synth/dch.py: the input, resyn2's and a delay-aware rewrite of
it in one AIG, proven-equal nodes grouped in classes) and orders the result for the mapper:
fanins that are choices point to their class's representative, and every representative
comes after its choices, so a cut enumeration in variable order can merge a class's cuts
at its representative (`choice_kernels.enumerate_choice_cuts`) and the mapping kernels run
unchanged on the result: a representative's cell may be built over any structure of its
class (the XORs of a multiplier from the carries' gates, as ABC's amap finds them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import Aig

MAX_TFI = 20000
"""Variables searched when checking that a choice does not reach its representative; a
choice whose search is cut off is dropped (it might close a cycle)."""


@dataclass(frozen=True)
class ChoiceAig:
    aig: Aig                 # ANDs in an order where a representative follows its choices
    head: np.ndarray         # per variable: its first choice (a representative), or -1
    next: np.ndarray         # per variable: the next choice of its class, or -1
    phase: np.ndarray        # per variable: 1 when a choice is its representative's complement
    choices: int
    dropped: int
    seconds: float


def choice_aig(aig: Aig) -> ChoiceAig:
    """The choice AIG of `aig` (equal to it output by output, proven by dch's sweep)."""
    import time

    from edapipe.aig.builder import rebuild
    from edapipe.synth import dch
    from edapipe.synth.map import choice_kernels as K

    t0 = time.process_time()
    ch, _, _ = dch.compute(aig)
    u = ch.aig
    base = u.num_cis + 1
    _, g0, g1, co, head, nxt, phase, dropped = K.choice_order(
        base, np.ascontiguousarray(u.fanin0, dtype=np.int64),
        np.ascontiguousarray(u.fanin1, dtype=np.int64), np.ascontiguousarray(ch.repr),
        np.ascontiguousarray(ch.phase), u.co_literals().astype(np.int64), MAX_TFI)
    out = rebuild(u, g0, g1, co)
    members = np.zeros(head.shape[0], dtype=bool)
    members[head[head >= 0]] = True
    members[nxt[nxt >= 0]] = True
    return ChoiceAig(out, head, nxt, phase, int(members.sum()), int(dropped),
                     time.process_time() - t0)


def choice_cuts(cha: ChoiceAig, k: int, max_cuts: int, dominated: bool):
    """enumerate_cuts' arrays for the choice AIG, each class's cuts merged at its
    representative."""
    from edapipe.synth.map import choice_kernels as K

    a = cha.aig
    return K.enumerate_choice_cuts(a.num_cis, a.fanin0.astype(np.int64),
                                   a.fanin1.astype(np.int64), cha.head, cha.next, cha.phase,
                                   k, max_cuts, dominated)
