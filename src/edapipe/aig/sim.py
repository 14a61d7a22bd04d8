"""Simulation of AIGs: random signatures, given patterns, truth tables, sequential runs."""

from __future__ import annotations

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig

MAX_TRUTH_INPUTS = 16


def simulate_words(aig: Aig, ci_words: np.ndarray) -> np.ndarray:
    """Values of every variable for 64*W patterns given as ci_words[num_cis, W] (uint64)."""
    from edapipe.aig import sim_kernels as K

    ci_words = np.ascontiguousarray(ci_words, dtype=np.uint64)
    if ci_words.shape[0] != aig.num_cis:
        raise ValueError(f"{ci_words.shape[0]} pattern rows for {aig.num_cis} inputs")
    return K.simulate(aig.num_cis, aig.fanin0, aig.fanin1, ci_words)


def literal_words(aig: Aig, values: np.ndarray, lits) -> np.ndarray:
    from edapipe.aig import sim_kernels as K

    return K.literal_values(values, np.ascontiguousarray(lits, dtype=np.int64))


def random_patterns(num_ci: int, n_words: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(np.uint64).max, size=(num_ci, n_words), dtype=np.uint64,
                        endpoint=True)


def signatures(aig: Aig, n_words: int = 4, seed: int = 0) -> np.ndarray:
    """Combinational output values [num_cos, W] under seeded random patterns."""
    values = simulate_words(aig, random_patterns(aig.num_cis, n_words, seed))
    return literal_words(aig, values, aig.co_literals())


def truth_tables(aig: Aig) -> np.ndarray:
    """Truth tables of the combinational outputs over the combinational inputs (<= 16).

    Row k holds output k; bit m of the table (word m // 64, bit m % 64) is its value for the
    minterm m whose bit i is input i. With fewer than 6 inputs the unused high bits are 0.
    """
    from edapipe.aig import sim_kernels as K

    n = aig.num_cis
    if n > MAX_TRUTH_INPUTS:
        raise ValueError(f"truth tables need at most {MAX_TRUTH_INPUTS} inputs, not {n}")
    tables = literal_words(aig, simulate_words(aig, K.projections(n)), aig.co_literals())
    if n < 6:
        tables &= np.uint64((1 << (1 << n)) - 1)
    return tables


def simulate_vectors(aig: Aig, input_bits: np.ndarray, init_state: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Cycle-by-cycle simulation from the latch reset values (X taken as 0 unless given).

    input_bits[T, num_inputs] of 0/1 → (outputs[T, num_outputs], final latch state).
    A combinational AIG treats each row as an independent pattern.
    """
    input_bits = np.asarray(input_bits, dtype=np.uint8)
    n_frames = input_bits.shape[0]
    if aig.num_latches == 0:
        words = _pack_rows(input_bits.T)
        values = simulate_words(aig, words)
        out = literal_words(aig, values, aig.outputs)
        return _unpack_rows(out, n_frames).T, np.zeros(0, dtype=np.uint8)
    state = (np.where(aig.latch_init == LATCH_INIT_X, 0, aig.latch_init).astype(np.uint8)
             if init_state is None else np.asarray(init_state, dtype=np.uint8))
    outs = np.zeros((n_frames, aig.num_outputs), dtype=np.uint8)
    for t in range(n_frames):
        ci = np.concatenate([input_bits[t], state]).astype(np.uint64).reshape(-1, 1)
        values = simulate_words(aig, ci)
        outs[t] = (literal_words(aig, values, aig.outputs)[:, 0] & np.uint64(1)).astype(np.uint8)
        state = (literal_words(aig, values, aig.latch_next)[:, 0] & np.uint64(1)).astype(np.uint8)
    return outs, state


def _pack_rows(bits: np.ndarray) -> np.ndarray:
    """bits[R, N] of 0/1 → words[R, ceil(N/64)] with pattern j at word j//64, bit j%64."""
    rows, n = bits.shape
    n_words = max(1, (n + 63) // 64)
    padded = np.zeros((rows, n_words * 64), dtype=np.uint8)
    padded[:, :n] = bits
    packed = np.packbits(padded.reshape(rows, n_words, 64), axis=2, bitorder="little")
    return packed.view(np.uint64).reshape(rows, n_words).copy()


def _unpack_rows(words: np.ndarray, n: int) -> np.ndarray:
    bytes_ = np.ascontiguousarray(words).view(np.uint8).reshape(words.shape[0], -1)
    return np.unpackbits(bytes_, axis=1, bitorder="little")[:, :n]
