"""Drop logic and latches that no output depends on (Yosys's opt_clean after elaboration).

Elaboration builds some logic only for its diagnostics (drivers nobody reads) and some
latches nobody needs (loop variables assigned in clocked blocks); this keeps the cone of
influence of the outputs: AND nodes and latches reached from the outputs (and properties),
following the next-state functions of the latches reached.
"""

from __future__ import annotations

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import Aig


def prune(aig: Aig) -> Aig:
    """`aig` without unreachable AND nodes and latches (the same object if nothing goes)."""
    n_in, n_lat, n_and = aig.num_inputs, aig.num_latches, aig.num_ands
    first = 1 + n_in + n_lat
    f0, f1 = aig.fanin0.tolist(), aig.fanin1.tolist()
    nxt = aig.latch_next.tolist()
    roots = aig.outputs.tolist() + aig.bad.tolist() + aig.constraints.tolist()
    seen_and = bytearray(n_and)
    seen_lat = bytearray(n_lat)
    stack = [lit >> 1 for lit in roots]
    while stack:
        v = stack.pop()
        if v >= first:
            k = v - first
            if not seen_and[k]:
                seen_and[k] = 1
                stack.append(f0[k] >> 1)
                stack.append(f1[k] >> 1)
        elif v > n_in:
            j = v - 1 - n_in
            if not seen_lat[j]:
                seen_lat[j] = 1
                stack.append(nxt[j] >> 1)
    if all(seen_and) and all(seen_lat):
        return aig
    b = AigBuilder(name=aig.name)
    m = [0] * aig.num_vars
    for i in range(n_in):
        m[1 + i] = b.add_input(aig.input_names[i])
    kept = {}
    init = aig.latch_init.tolist()
    for j in range(n_lat):
        if seen_lat[j]:
            kept[j] = b.add_latch(aig.latch_names[j], init[j])
            m[1 + n_in + j] = b.latch_lit(kept[j])
    for k in range(n_and):
        if seen_and[k]:
            a, c = f0[k], f1[k]
            m[first + k] = b.and_(m[a >> 1] ^ (a & 1), m[c >> 1] ^ (c & 1))

    def lit(x):
        return m[x >> 1] ^ (x & 1)

    for i, x in enumerate(aig.outputs.tolist()):
        b.add_output(lit(x), aig.output_names[i])
    for j, k in kept.items():
        b.set_latch_next(k, lit(nxt[j]))
    for x in aig.bad.tolist():
        b.add_bad(lit(x))
    for x in aig.constraints.tolist():
        b.add_constraint(lit(x))
    b.comments = list(aig.comments)
    return b.build()
