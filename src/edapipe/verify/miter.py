"""The miter of two designs: one AIG over shared inputs holding both, and the pairs to prove.

Inputs, outputs and latches are matched by name (by position with `by_position`); latch
outputs become shared inputs and latch next-states become pairs, so the check is
combinational over matched latch boundaries. Unnamed objects take their default names
(i0, o0, l0, ...), so two unnamed designs match by position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import Aig
from edapipe.errors import InputError


@dataclass(frozen=True)
class Miter:
    """Both designs hashed into one AIG; pair k asks lits_a[k] == lits_b[k]."""

    a: Aig
    b: Aig
    num_ci: int
    fanin0: np.ndarray
    fanin1: np.ndarray
    lits_a: np.ndarray
    lits_b: np.ndarray
    pair_names: tuple[str, ...]
    ci_names: tuple[str, ...]
    b_ci: np.ndarray
    """Shared input variable (1-based) of each combinational input of B."""
    origin: np.ndarray
    """Per miter variable: 1 an AND of A only, 2 of B only, 3 of both (0: inputs, constant)."""

    def a_bits(self, ci_bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(input bits, latch bits) of A for shared input bits."""
        n = self.a.num_inputs
        return ci_bits[:n], ci_bits[n:self.a.num_cis]

    def b_bits(self, ci_bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bits = ci_bits[self.b_ci - 1]
        n = self.b.num_inputs
        return bits[:n], bits[n:]


def _names(kind: str, aig: Aig) -> list[str]:
    if kind == "input":
        return [aig.input_name(k) for k in range(aig.num_inputs)]
    if kind == "output":
        return [aig.output_name(k) for k in range(aig.num_outputs)]
    return [aig.latch_name(k) for k in range(aig.num_latches)]


def _short(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def match(kind: str, a: Aig, b: Aig, by_position: bool, problems: list[str]) -> np.ndarray:
    """perm[k] = index in B of A's object k (kind: input, output, latch); notes problems."""
    na, nb = _names(kind, a), _names(kind, b)
    if by_position:
        if len(na) != len(nb):
            problems.append(f"{kind} counts differ: {len(na)} in A, {len(nb)} in B")
        return np.arange(min(len(na), len(nb)), dtype=np.int64)
    for label, names in (("A", na), ("B", nb)):
        seen, dup = set(), []
        for name in names:
            if name in seen:
                dup.append(name)
            seen.add(name)
        if dup:
            problems.append(f"{kind} names repeat in {label}: {_short(sorted(set(dup)))}; "
                            "use --by-position")
    index_b = {name: k for k, name in enumerate(nb)}
    only_a = [n for n in na if n not in index_b]
    set_a = set(na)
    only_b = [n for n in nb if n not in set_a]
    if len(na) != len(nb):
        problems.append(f"{kind} counts differ: {len(na)} in A, {len(nb)} in B")
    if only_a:
        problems.append(f"{kind}s only in A: {_short(only_a)}")
    if only_b:
        problems.append(f"{kind}s only in B: {_short(only_b)}")
    return np.array([index_b.get(n, -1) for n in na], dtype=np.int64)


def build_miter(a: Aig, b: Aig, by_position: bool = False) -> Miter:
    """The miter of a and b; InputError (exit 3) listing every interface difference."""
    from edapipe.verify import sweep_kernels as K

    problems: list[str] = []
    perm_in = match("input", a, b, by_position, problems)
    perm_lat = match("latch", a, b, by_position, problems)
    perm_out = match("output", a, b, by_position, problems)
    if a.bad.size != b.bad.size or a.constraints.size != b.constraints.size:
        problems.append("bad-state properties or constraints differ in number")
    if problems:
        raise InputError("the designs' interfaces differ (A is the first design, B the "
                         "second): " + "; ".join(problems))
    num_ci = a.num_cis
    a_ci = np.arange(1, num_ci + 1, dtype=np.int64)
    b_ci = np.zeros(b.num_cis, dtype=np.int64)
    b_ci[perm_in] = np.arange(1, a.num_inputs + 1)
    b_ci[b.num_inputs + perm_lat] = a.num_inputs + 1 + np.arange(a.num_latches)
    nf0, nf1, n_and, map_a, map_b = K.miter_build(num_ci, a.fanin0, a.fanin1, a_ci,
                                                  b.fanin0, b.fanin1, b_ci)

    def remap(mp, lits):
        lits = np.asarray(lits, dtype=np.int64)
        return mp[lits >> 1] ^ (lits & 1)

    origin = np.zeros(num_ci + 1 + n_and, dtype=np.uint8)
    origin[map_a[a.num_cis + 1:] >> 1] |= 1
    origin[map_b[b.num_cis + 1:] >> 1] |= 2
    origin[:num_ci + 1] = 0
    lits_a = np.concatenate([remap(map_a, a.outputs), remap(map_a, a.latch_next),
                             remap(map_a, a.bad), remap(map_a, a.constraints)])
    lits_b = np.concatenate([remap(map_b, b.outputs[perm_out]),
                             remap(map_b, b.latch_next[perm_lat]),
                             remap(map_b, b.bad), remap(map_b, b.constraints)])
    pair_names = ([a.output_name(k) for k in range(a.num_outputs)]
                  + [f"{a.latch_name(k)}.next" for k in range(a.num_latches)]
                  + [f"bad{k}" for k in range(a.bad.size)]
                  + [f"constraint{k}" for k in range(a.constraints.size)])
    ci_names = tuple([a.input_name(k) for k in range(a.num_inputs)]
                     + [a.latch_name(k) for k in range(a.num_latches)])
    return Miter(a=a, b=b, num_ci=num_ci, fanin0=nf0[:n_and].copy(), fanin1=nf1[:n_and].copy(),
                 lits_a=lits_a, lits_b=lits_b, pair_names=tuple(pair_names), ci_names=ci_names,
                 b_ci=b_ci, origin=origin)
