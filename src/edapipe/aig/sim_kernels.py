"""Numba kernels for bit-parallel simulation over uint64 words (64 patterns a word)."""

import numpy as np

from edapipe.util.jit import njit


@njit(cache=True)
def simulate(num_ci, f0, f1, ci_words):
    """Values of every variable for the patterns in ci_words[num_ci, W]; returns [num_vars, W]."""
    base = num_ci + 1
    n_words = ci_words.shape[1]
    val = np.empty((base + f0.shape[0], n_words), dtype=np.uint64)
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    for w in range(n_words):
        val[0, w] = np.uint64(0)
    for v in range(num_ci):
        for w in range(n_words):
            val[v + 1, w] = ci_words[v, w]
    for g in range(f0.shape[0]):
        a = f0[g]
        b = f1[g]
        ma = full if (a & 1) else np.uint64(0)
        mb = full if (b & 1) else np.uint64(0)
        va = a >> 1
        vb = b >> 1
        for w in range(n_words):
            val[base + g, w] = (val[va, w] ^ ma) & (val[vb, w] ^ mb)
    return val


@njit(cache=True)
def literal_values(val, lits):
    """Rows of `val` for literals (complemented where the literal is)."""
    out = np.empty((lits.shape[0], val.shape[1]), dtype=np.uint64)
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    for i in range(lits.shape[0]):
        m = full if (lits[i] & 1) else np.uint64(0)
        v = lits[i] >> 1
        for w in range(val.shape[1]):
            out[i, w] = val[v, w] ^ m
    return out


@njit(cache=True)
def projections(n_vars):
    """Exhaustive patterns: row i is the truth table of variable i over 2^n_vars minterms."""
    n_bits = 1 << n_vars
    n_words = max(1, n_bits // 64)
    out = np.zeros((n_vars, n_words), dtype=np.uint64)
    for i in range(n_vars):
        for m in range(n_bits):
            if (m >> i) & 1:
                out[i, m >> 6] |= np.uint64(1) << np.uint64(m & 63)
    return out
