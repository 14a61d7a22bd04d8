"""Numba kernel of `dch`: choice classes from the sweep's map, with ABC's cycle check."""

import numpy as np

from edapipe.util.jit import njit


@njit(cache=True)
def _reaches(start, target, f0, f1, nxt, base, max_tfi, mark, stamp, stack):
    """Whether `target` is in the transitive fanin of `start` through fanins and choices
    (ABC's Dch_ObjCheckTfi), or the search passed max_tfi nodes. Variables below `target`
    cannot reach it, so the search stays between the two."""
    mark[start] = stamp
    stack[0] = start
    sp = 1
    seen = 1
    while sp > 0:
        sp -= 1
        x = stack[sp]
        for k in range(3):
            if k == 0:
                y = nxt[x]
            elif x < base:
                break
            elif k == 1:
                y = f0[x - base] >> 1
            else:
                y = f1[x - base] >> 1
            if y == target:
                return True
            if y > target and mark[y] != stamp:
                seen += 1
                if seen > max_tfi:
                    return True
                mark[y] = stamp
                stack[sp] = y
                sp += 1
    return False


@njit(cache=True)
def classes(lit_map, f0, f1, base, max_tfi):
    """(repr, phase, next, dropped) per union variable; lit_map[v] is v's literal in the
    swept AIG (-1: none). The first variable of a class is its representative; classes led
    by a constant or an input are merges, not choices."""
    n = lit_map.shape[0]
    rep = np.full(n, -1, dtype=np.int64)
    phase = np.zeros(n, dtype=np.uint8)
    nxt = np.full(n, -1, dtype=np.int64)
    first = np.full(n, -1, dtype=np.int64)   # by swept variable
    last = np.full(n, -1, dtype=np.int64)    # by representative
    mark = np.zeros(n, dtype=np.int64)
    stack = np.empty(n + 1, dtype=np.int64)
    dropped = 0
    for v in range(n):
        if lit_map[v] < 0:
            continue
        key = lit_map[v] >> 1
        r = first[key]
        if r < 0:
            first[key] = v
            last[v] = v
            continue
        if r < base:
            continue
        if _reaches(v, r, f0, f1, nxt, base, max_tfi, mark, v + 1, stack):
            dropped += 1
            continue
        rep[v] = r
        phase[v] = (lit_map[v] ^ lit_map[r]) & 1
        nxt[last[r]] = v
        last[r] = v
    return rep, phase, nxt, dropped
