"""Numba kernels for structural hashing: the AND hash table every AIG-building kernel shares.

A table is an int32 array of 2^k slots holding indices into the new AND arrays (or -1); the
new AND arrays (nf0, nf1) and a one-element int64 `count` hold the nodes made so far. New AND
k gets variable `base + k`. Kernels of other passes call `strash_and` to build their result in
one topological sweep, as ABC's Gia_ManAppendAnd does.
"""

import numpy as np

from edapipe.util.jit import njit


@njit(cache=True)
def table_size(n_nodes):
    size = 64
    while size < 2 * n_nodes + 16:
        size *= 2
    return size


@njit(cache=True, inline="always")
def hash_slot(a, b, mask):
    """Slot of the AND node with fanin literals (a, b) in a table of mask + 1 slots: the one
    AIG node hash of the project (this table, the working graph of refactor/resub, rewrite)."""
    h = (np.uint64(a) * np.uint64(0x9E3779B97F4A7C15)) ^ (np.uint64(b) * np.uint64(0xC2B2AE3D27D4EB4F))
    h ^= h >> np.uint64(29)
    return np.int64(h & np.uint64(mask))


@njit(cache=True)
def strash_and(a, b, table, nf0, nf1, count, base):
    """Literal of AND(a, b): constants and trivial cases folded, existing nodes reused.

    The caller guarantees room in nf0/nf1 (one more node than count[0]).
    """
    if a < b:
        a, b = b, a
    if b == 0:
        return 0
    if b == 1:
        return a
    if a == b:
        return a
    if a == (b ^ 1):
        return 0
    mask = table.shape[0] - 1
    h = hash_slot(a, b, mask)
    while True:
        idx = table[h]
        if idx < 0:
            k = count[0]
            nf0[k] = a
            nf1[k] = b
            table[h] = k
            count[0] = k + 1
            return 2 * (base + k)
        if nf0[idx] == a and nf1[idx] == b:
            return 2 * (base + idx)
        h = (h + 1) & mask


@njit(cache=True)
def strash_lookup(a, b, table, nf0, nf1, base):
    """Literal of AND(a, b) if it exists or folds to a constant/fanin, else -1 (nothing added)."""
    if a < b:
        a, b = b, a
    if b == 0:
        return 0
    if b == 1:
        return a
    if a == b:
        return a
    if a == (b ^ 1):
        return 0
    mask = table.shape[0] - 1
    h = hash_slot(a, b, mask)
    while True:
        idx = table[h]
        if idx < 0:
            return -1
        if nf0[idx] == a and nf1[idx] == b:
            return 2 * (base + idx)
        h = (h + 1) & mask


@njit(cache=True)
def restrash(num_ci, f0, f1, roots):
    """Re-hash a topologically ordered AIG, dropping dangling and duplicate nodes.

    Returns (nf0, nf1, n_ands, lit_map) with lit_map[old var] = new literal (-1 if dropped).
    """
    n = f0.shape[0]
    base = num_ci + 1
    need = np.zeros(n, dtype=np.bool_)
    for r in range(roots.shape[0]):
        g = (roots[r] >> 1) - base
        if g >= 0:
            need[g] = True
    for g in range(n - 1, -1, -1):
        if need[g]:
            c0 = (f0[g] >> 1) - base
            c1 = (f1[g] >> 1) - base
            if c0 >= 0:
                need[c0] = True
            if c1 >= 0:
                need[c1] = True
    lit_map = np.full(base + n, -1, dtype=np.int64)
    for v in range(base):
        lit_map[v] = 2 * v
    nf0 = np.empty(n, dtype=np.int32)
    nf1 = np.empty(n, dtype=np.int32)
    count = np.zeros(1, dtype=np.int64)
    table = np.full(table_size(n), -1, dtype=np.int32)
    for g in range(n):
        if need[g]:
            a = f0[g]
            b = f1[g]
            la = lit_map[a >> 1] ^ (a & 1)
            lb = lit_map[b >> 1] ^ (b & 1)
            lit_map[base + g] = strash_and(la, lb, table, nf0, nf1, count, base)
    return nf0, nf1, count[0], lit_map
