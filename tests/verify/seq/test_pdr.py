"""PDR's solvers hold the transition relation cone by cone, as queries need it."""

from __future__ import annotations

from edapipe.aig.builder import AigBuilder
from edapipe.verify.seq.model import problem
from edapipe.verify.seq.pdr import Pdr, pdr
from edapipe.verify.seq.result import HOLDS
from tests.verify.seq.test_engines import free_counter


def two_counters():
    """Two free-running 3-bit counters a and b; bad when both top bits are 1 (count 4)."""
    b = AigBuilder("two")
    a, c = free_counter(b, "a", 3), free_counter(b, "b", 3)
    b.add_bad(b.and_(a[2], c[2]))
    return b.build()


def comb_cone(aig, lits) -> set[int]:
    """AND variables in the combinational cone of `lits` (up to inputs and latches)."""
    first, out, stack = aig.first_and_var, set(), [x >> 1 for x in lits]
    while stack:
        v = stack.pop()
        if v >= first and v not in out:
            out.add(v)
            stack += (int(aig.fanin0[v - first]) >> 1, int(aig.fanin1[v - first]) >> 1)
    return out


def test_a_query_loads_only_the_next_state_cones_of_its_cube():
    aig = two_counters()
    prob = problem(aig, 0)
    p = Pdr(prob)
    p._new_frame()
    p._new_frame()
    sv = p.solvers[1]
    first = aig.first_and_var
    loaded = {v for v in range(first, aig.num_vars) if sv.nodes[v]}
    assert loaded == comb_cone(aig, [prob.bad])                 # the bad literal's cone
    j = prob.latches.tolist().index(1)                         # latch a1 (full index 1)
    p.relative((2 * j,), 1)
    want = comb_cone(aig, [prob.bad, int(aig.latch_next[1])])
    loaded = {v for v in range(first, aig.num_vars) if sv.nodes[v]}
    assert loaded == want
    b_next = comb_cone(aig, [int(aig.latch_next[4])])          # b1's next state
    assert b_next - want and not (b_next - want) & loaded
    assert [k for k in range(len(sv.primed)) if sv.primed[k]] == [j]
    for p_ in p.solvers:
        p_.s.delete()


def test_the_counters_meet_and_pdr_says_so():
    assert pdr(problem(two_counters(), 0)).status != HOLDS
