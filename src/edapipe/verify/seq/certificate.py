"""Proof certificates: an inductive invariant as an AIGER circuit, and its checker.

A certificate for a design with L latches is a combinational AIGER circuit with L inputs
(the design's latches in order, named after them) and one output per proven property,
named `inv_<property>` (`inv_b0`, or `inv_<output name>` for an old-style file). Output
Inv_j is an invariant that proves property j when three SAT calls are UNSAT:

    1. Init & !Inv_j                      (every initial state is inside; X latches free)
    2. Inv_j & C & T & !Inv_j'            (inductive under the constraints)
    3. Inv_j & C & Bad_j                  (no bad state inside)

The checker encodes the design and the certificate itself (a plain Tseitin loop, no code
shared with the engines), so a "holds" backed by an accepted certificate does not rest on
PDR being right.
"""

from __future__ import annotations

from dataclasses import dataclass

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.errors import InputError


def build_certificate(aig: Aig, invariants: dict, names: list[str]) -> Aig:
    """The certificate circuit of `invariants` (property index -> the cubes the invariant
    excludes, a cube literal being 2*latch + neg; or a reach.StateSet, the states it
    holds)."""
    from edapipe.aig.builder import AigBuilder
    from edapipe.verify.seq.reach import StateSet, state_set_literal

    b = AigBuilder(name=f"{aig.name or 'design'}_certificate")
    lat = [b.add_input(aig.latch_name(k)) for k in range(aig.num_latches)]
    for j in sorted(invariants):
        if isinstance(invariants[j], StateSet):
            b.add_output(state_set_literal(b, lat, invariants[j]), f"inv_{names[j]}")
            continue
        clauses = []
        for cube in invariants[j]:
            # a clause !cube: an OR of the opposite literals
            clauses.append(b.or_n([lat[l >> 1] ^ (1 - (l & 1)) for l in cube]))
        b.add_output(b.and_n(clauses), f"inv_{names[j]}")
    return b.build()


@dataclass
class CheckResult:
    property: str
    ok: bool
    failed: str = ""          # which obligation failed: "init", "inductive", "safe"


class _Cnf:
    """Tseitin copies of AIGs in one clause list; variables from 1."""

    def __init__(self):
        self.top = 1
        self.clauses: list[list[int]] = [[-1]]        # variable 1 is constant false

    def new(self) -> int:
        self.top += 1
        return self.top

    def copy(self, aig: Aig, ci: list[int]) -> list[int]:
        """Encode `aig` with combinational inputs given as literals; per-variable literals."""
        lit = [-1] * aig.num_vars
        lit[0] = 1
        for k, x in enumerate(ci):
            lit[1 + k] = x
        first = aig.first_and_var
        for k, (a, b) in enumerate(zip(aig.fanin0.tolist(), aig.fanin1.tolist())):
            x, y = self.of(lit, a), self.of(lit, b)
            g = self.new()
            self.clauses += [[-g, x], [-g, y], [g, -x, -y]]
            lit[first + k] = g
        return lit

    @staticmethod
    def of(lit: list[int], aig_lit: int) -> int:
        v = lit[aig_lit >> 1]
        return -v if aig_lit & 1 else v


def check_certificate(design: Aig, cert: Aig, solver_name: str = "cd195",
                      source: str = "certificate") -> list[CheckResult]:
    """Check every `inv_<property>` output of `cert` against `design` (see the module doc)."""
    from edapipe.verify.seq.model import property_literals, property_names

    if cert.num_latches or cert.num_inputs != design.num_latches:
        raise InputError(f"a certificate is combinational with one input per latch "
                         f"({design.num_latches}); this one has {cert.num_inputs} inputs "
                         f"and {cert.num_latches} latches", file=source)
    names = property_names(design)
    bads = property_literals(design).tolist()
    wanted = {f"inv_{n}": j for j, n in enumerate(names)}
    results = []
    for o in range(cert.num_outputs):
        oname = cert.output_name(o)
        if oname not in wanted:
            raise InputError(f"certificate output {oname!r} names no property of the design "
                             f"(expected inv_<property>: {', '.join(list(wanted)[:6])})",
                             file=source)
        j = wanted[oname]
        inv_lit = int(cert.outputs[o])
        results.append(CheckResult(names[j], *_check_one(design, cert, inv_lit, bads[j],
                                                         solver_name)))
    return results


def _check_one(design: Aig, cert: Aig, inv_lit: int, bad: int, solver_name: str
               ) -> tuple[bool, str]:
    from pysat.solvers import Solver

    cnf = _Cnf()
    n_in, n_lat = design.num_inputs, design.num_latches
    ins = [cnf.new() for _ in range(n_in)]
    state = [cnf.new() for _ in range(n_lat)]
    d = cnf.copy(design, ins + state)
    nxt = [cnf.of(d, x) for x in design.latch_next.tolist()]
    inv = cnf.of(cnf.copy(cert, state), inv_lit)
    inv_next = cnf.of(cnf.copy(cert, nxt), inv_lit)
    cons = [cnf.of(d, c) for c in design.constraints.tolist()]
    bad_lit = cnf.of(d, bad)
    init = [s if v == 1 else -s for s, v in zip(state, design.latch_init.tolist())
            if v != LATCH_INIT_X]
    with Solver(name=solver_name, bootstrap_with=cnf.clauses) as s:
        if s.solve(assumptions=init + [-inv]):
            return False, "init"
        if s.solve(assumptions=[inv] + cons + [-inv_next]):
            return False, "inductive"
        if s.solve(assumptions=[inv] + cons + [bad_lit]):
            return False, "safe"
    return True, ""
