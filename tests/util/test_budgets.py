"""util/budgets.py: the cores a process may use, and what is left of wall/CPU limits."""

import os

from edapipe.util.budgets import usable_cores


def test_usable_cores_follows_the_affinity_mask():
    assert usable_cores() == len(os.sched_getaffinity(0))
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)


def test_budget_counts_down_wall_and_cpu_and_expires():
    import time

    from edapipe.util.budgets import Budget

    b = Budget(wall_limit=0.5, cpu_limit=0.05)
    assert not b.expired()
    t_end = time.process_time() + 0.1
    while time.process_time() < t_end:      # burn CPU past the CPU limit
        pass
    assert b.cpu() < 0 and b.expired()
    wall, cpu = b.left()
    assert cpu == 0.01 and 0 < wall <= 0.5          # floored, and the wall limit still runs
    assert Budget(0, 0).left() == (0.0, 0.0) and not Budget(0, 0).expired()


def test_budget_of_children_only_ignores_this_process():
    import time

    from edapipe.util.budgets import Budget

    b = Budget(wall_limit=0, cpu_limit=0.05, children_only=True)
    t_end = time.process_time() + 0.1
    while time.process_time() < t_end:
        pass
    assert not b.expired()
