"""sop_kernels' small shared steps (the covers and factoring: test_sop.py)."""

import numpy as np

from edapipe.synth.sop_kernels import ALL, constant_table


def test_constant_table_reads_only_the_first_words():
    assert constant_table(np.zeros(4, dtype=np.uint64), 4) == 0
    assert constant_table(np.full(4, ALL, dtype=np.uint64), 4) == 1
    tt = np.array([0, 0, 5, 0], dtype=np.uint64)
    assert constant_table(tt, 4) == -1
    assert constant_table(tt, 2) == 0
    assert constant_table(np.array([ALL, 7], dtype=np.uint64), 1) == 1
