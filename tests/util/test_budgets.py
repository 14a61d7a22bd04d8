"""util/budgets.py: the cores a process may use."""

import os

from edapipe.util.budgets import usable_cores


def test_usable_cores_follows_the_affinity_mask():
    assert usable_cores() == len(os.sched_getaffinity(0))
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)
