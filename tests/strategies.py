"""Hypothesis strategies shared by the tests: random AIGs built through the public builder."""

from __future__ import annotations

from hypothesis import strategies as st

from edapipe.aig.builder import AigBuilder


@st.composite
def aigs(draw, max_inputs: int = 8, max_latches: int = 3, max_ands: int = 60,
         max_outputs: int = 5, min_inputs: int = 1):
    """A random AIG: ANDs over random earlier literals, some complemented, shared freely."""
    n_in = draw(st.integers(min_inputs, max_inputs))
    n_lat = draw(st.integers(0, max_latches))
    b = AigBuilder(name=draw(st.sampled_from([None, "top", "dut"])))
    lits = [0, 1]
    lits += [b.add_input(f"x{i}") for i in range(n_in)]
    latches = [b.add_latch(f"q{k}", init=draw(st.sampled_from([0, 1, -1])))
               for k in range(n_lat)]
    lits += [b.latch_lit(k) for k in latches]
    for _ in range(draw(st.integers(0, max_ands))):
        a = draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1))
        c = draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1))
        lits.append(b.and_(a, c))
    pick = st.sampled_from(lits).flatmap(lambda lit: st.sampled_from([lit, lit ^ 1]))
    for k in latches:
        b.set_latch_next(k, draw(pick))
    for o in range(draw(st.integers(1, max_outputs))):
        b.add_output(draw(pick), f"y{o}")
    return b.build()


def node_values(aig, ci_bits) -> list[int]:
    """Reference evaluation in plain Python: every variable's value for one pattern."""
    val = [0] * aig.num_vars
    for v, bit in enumerate(ci_bits):
        val[v + 1] = bit
    g = aig.first_and_var
    for a, c in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        val[g] = (val[a >> 1] ^ (a & 1)) & (val[c >> 1] ^ (c & 1))
        g += 1
    return val


def evaluate(aig, ci_bits):
    """Reference evaluation in plain Python: combinational output values for one pattern."""
    val = node_values(aig, ci_bits)
    return [val[lit >> 1] ^ (lit & 1) for lit in aig.co_literals().tolist()]
