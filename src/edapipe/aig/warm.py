"""Run every AIG kernel once on a tiny circuit so numba compiles and caches them."""

from __future__ import annotations


def warm() -> None:
    from edapipe.aig import analysis, io, sim
    from edapipe.aig.builder import AigBuilder, from_raw, strash

    b = AigBuilder()
    x, y, z = b.add_input("x"), b.add_input("y"), b.add_input("z")
    q = b.add_latch("q")
    b.set_latch_next(q, b.xor_(x, b.latch_lit(q)))
    b.add_output(b.mux(x, y, z), "f")
    aig = b.build()
    aig = strash(aig)
    from_raw(1, 0, [2, 5], [2, 5], [6, 4])
    from edapipe.aig import analysis_kernels

    analysis_kernels.levels(aig.num_cis, aig.fanin0, aig.fanin1)
    analysis.fanouts(aig)
    sim.signatures(aig)
    sim.truth_tables(aig)
    for fmt in ("aig", "aag"):
        io.parse(io.dump(aig, fmt), "<warm>")
