"""Numba kernels of `balance`: supergate collection and level-ordered rebuilding in one sweep."""

import numpy as np

from edapipe.aig.strash_kernels import strash_and, strash_lookup, table_size
from edapipe.util.jit import njit


@njit(cache=True)
def absorbed_nodes(num_ci, f0, f1, cos):
    """absorbed[g]: AND g has one reference, a plain (non-complemented) AND fanin.

    Such a node belongs to the supergate of its fanout; every other AND roots its own.
    """
    n = f0.shape[0]
    base = num_ci + 1
    refs = np.zeros(n, dtype=np.int32)
    plain = np.zeros(n, dtype=np.int32)
    for g in range(n):
        for lit in (f0[g], f1[g]):
            k = (lit >> 1) - base
            if k >= 0:
                refs[k] += 1
                if (lit & 1) == 0:
                    plain[k] += 1
    for r in range(cos.shape[0]):
        k = (cos[r] >> 1) - base
        if k >= 0:
            refs[k] += 1
    absorbed = np.zeros(n, dtype=np.bool_)
    for g in range(n):
        absorbed[g] = refs[g] == 1 and plain[g] == 1
    return absorbed


@njit(cache=True)
def _insert_by_level(sup, size, lit, lev):
    """Put lit into sup[:size] (ordered by decreasing level) behind its equals; new size.

    A literal already present is not added again; its complement makes the AND constant 0,
    which the caller sees as a returned size of -1.
    """
    for i in range(size):
        if sup[i] == lit:
            return size
        if sup[i] == (lit ^ 1):
            return -1
    lv = lev[lit >> 1]
    pos = size
    while pos > 0 and lev[sup[pos - 1] >> 1] < lv:
        sup[pos] = sup[pos - 1]
        pos -= 1
    sup[pos] = lit
    return size + 1


@njit(cache=True)
def balance(num_ci, f0, f1, cos, level_driven):
    """Rebuild every supergate root as a tree pairing its lowest-level operands first.

    Returns (nf0, nf1, n_ands, co_lits). Among operands of the second-lowest level, one that
    forms an existing AND with the lowest is preferred (ABC's Dar_BalancePermute), so
    balancing reuses logic; without level_driven that search spans all operands.
    """
    n = f0.shape[0]
    base = num_ci + 1
    absorbed = absorbed_nodes(num_ci, f0, f1, cos)
    need = np.zeros(n, dtype=np.bool_)
    for r in range(cos.shape[0]):
        k = (cos[r] >> 1) - base
        if k >= 0:
            need[k] = True
    for g in range(n - 1, -1, -1):
        if need[g]:
            k0 = (f0[g] >> 1) - base
            k1 = (f1[g] >> 1) - base
            if k0 >= 0:
                need[k0] = True
            if k1 >= 0:
                need[k1] = True
    cap = n + 1  # a supergate of m ANDs has at most m + 1 leaves, so is rebuilt with <= m
    nf0 = np.empty(cap, dtype=np.int32)
    nf1 = np.empty(cap, dtype=np.int32)
    count = np.zeros(1, dtype=np.int64)
    table = np.full(table_size(cap), -1, dtype=np.int32)
    lev = np.zeros(base + cap, dtype=np.int32)
    lit_map = np.full(base + n, -1, dtype=np.int64)
    for v in range(base):
        lit_map[v] = 2 * v
    stack = np.empty(n + 2, dtype=np.int64)
    sup = np.empty(n + 2, dtype=np.int64)
    for g in range(n):
        if not need[g] or absorbed[g]:
            continue
        # collect the supergate's leaves (as new literals) ordered by decreasing level
        size = 0
        sp = 0
        stack[sp] = f0[g]
        stack[sp + 1] = f1[g]
        sp += 2
        while sp > 0 and size >= 0:
            sp -= 1
            lit = stack[sp]
            k = (lit >> 1) - base
            if k >= 0 and (lit & 1) == 0 and absorbed[k]:
                stack[sp] = f0[k]
                stack[sp + 1] = f1[k]
                sp += 2
                continue
            new = lit_map[lit >> 1] ^ (lit & 1)
            if new == 1:
                continue
            if new == 0:
                size = -1
                break
            size = _insert_by_level(sup, size, new, lev)
        if size < 0:
            lit_map[base + g] = 0
            continue
        while size > 1:
            a = sup[size - 1]
            # ABC's Dar_BalanceFindLeft / Permute: look for a partner making an existing node
            lv = lev[sup[size - 2] >> 1]
            left = size - 2
            while left > 0 and (not level_driven or lev[sup[left - 1] >> 1] == lv):
                left -= 1
            for i in range(size - 2, left - 1, -1):
                if strash_lookup(a, sup[i], table, nf0, nf1, base) >= 0:
                    if i != size - 2:
                        t = sup[i]
                        sup[i] = sup[size - 2]
                        sup[size - 2] = t
                    break
            b = sup[size - 2]
            size -= 2
            lit = strash_and(a, b, table, nf0, nf1, count, base)
            var = lit >> 1
            if var >= base:
                la = lev[a >> 1]
                lb = lev[b >> 1]
                lev[var] = (la if la > lb else lb) + 1
            if lit == 0:
                size = -1
                sup[0] = 0
                break
            if lit == 1:
                continue
            size = _insert_by_level(sup, size, lit, lev)
            if size < 0:
                sup[0] = 0
                break
        if size == 0:
            lit_map[base + g] = 1
        elif size < 0:
            lit_map[base + g] = 0
        else:
            lit_map[base + g] = sup[0]
    out = np.empty(cos.shape[0], dtype=np.int64)
    for r in range(cos.shape[0]):
        lit = cos[r]
        out[r] = lit_map[lit >> 1] ^ (lit & 1)
    return nf0, nf1, count[0], out
