"""Run the verify kernels once on tiny circuits so numba compiles and caches them."""

from __future__ import annotations


def warm() -> None:
    from edapipe.aig.builder import AigBuilder
    from edapipe.verify import fraig
    from edapipe.verify.cec import check_equivalence
    from edapipe.verify.sweep import ConeSolver, SweepParams, Sweeper

    def xor(style: int):
        b = AigBuilder()
        xs = [b.add_input(f"x{i}") for i in range(12)]
        acc = xs[0]
        for x in xs[1:]:
            acc = b.xor_(acc, x) if style == 0 else \
                b.and_(b.or_(acc, x), b.and_(acc, x) ^ 1)
        b.add_output(acc, "f")
        b.add_output(b.and_n(xs[:6]), "g")
        return b.build()

    a, b = xor(0), xor(1)
    check_equivalence(a, b)
    check_equivalence(a, b.replace(outputs=b.outputs ^ 1))
    fraig.run(b)
    # The circuit solver and CDCL paths: no cuts, so candidates go to SAT.
    sw = Sweeper(a.num_cis, b.fanin0, b.fanin1, SweepParams(cut_size=2, sim_words=1))
    sw.simulate(sw.random_words(1))
    for _ in sw.sweep_passes():
        pass
    # CaDiCaL over cones (its CNF kernel): cec's output rounds and proofs the circuit solver
    # gives up on, as `flow` meets on c432; a tiny circuit never gets there by itself
    # (writable copies: an Aig's arrays are read-only, another signature for numba)
    # (focused, as cec's cross-design calls are: its cone_near kernel)
    solver = ConeSolver(a.fanin0.copy(), a.fanin1.copy(), a.num_cis + 1, focus=300)
    solver.prove_equal(int(a.outputs[0]), int(a.outputs[1]), 100)
    solver.delete()
