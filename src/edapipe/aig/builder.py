"""Making AIGs: an incremental builder for Python code, and a batch path for readers.

- `AigBuilder` hashes structurally as it goes (a dict; fine up to a few million nodes) and
  folds constants and trivial cases, so what it builds is already strashed.
- `from_raw` takes AND gates in any order with forward references (what a netlist file gives),
  sorts them, finds combinational cycles and strashes them in one numba kernel.
- `strash` re-hashes an existing AIG and drops dangling nodes (ABC's `strash`/`cleanup`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig


class AigBuilder:
    """Build an AIG node by node. Literals returned here are the builder's own; `build()`
    renumbers them into AIGER order (inputs, latches, then ANDs in creation order)."""

    def __init__(self, name: str | None = None):
        self.name = name
        self._kind: list[int] = [0]          # per var: 0 const, 1 input, 2 latch, 3 and
        self._f0: list[int] = [0]
        self._f1: list[int] = [0]
        self._hash: dict[tuple[int, int], int] = {}
        self._inputs: list[int] = []
        self._input_names: list[str | None] = []
        self._latches: list[int] = []
        self._latch_next: list[int | None] = []
        self._latch_init: list[int] = []
        self._latch_names: list[str | None] = []
        self._outputs: list[int] = []
        self._output_names: list[str | None] = []
        self._bad: list[int] = []
        self._constraints: list[int] = []
        self.comments: list[str] = []

    # ---- objects -----------------------------------------------------------------------
    def _new_var(self, kind: int, f0: int = 0, f1: int = 0) -> int:
        self._kind.append(kind)
        self._f0.append(f0)
        self._f1.append(f1)
        return len(self._kind) - 1

    def add_input(self, name: str | None = None) -> int:
        var = self._new_var(1)
        self._inputs.append(var)
        self._input_names.append(name)
        return 2 * var

    def add_latch(self, name: str | None = None, init: int = 0) -> int:
        """A latch whose next state is set later with `set_latch_next`; returns its index."""
        var = self._new_var(2)
        self._latches.append(var)
        self._latch_next.append(None)
        self._latch_init.append(init)
        self._latch_names.append(name)
        return len(self._latches) - 1

    def latch_lit(self, index: int) -> int:
        return 2 * self._latches[index]

    def set_latch_next(self, index: int, lit: int) -> None:
        self._latch_next[index] = lit

    def add_output(self, lit: int, name: str | None = None) -> int:
        self._outputs.append(lit)
        self._output_names.append(name)
        return len(self._outputs) - 1

    def add_bad(self, lit: int) -> None:
        """An AIGER 1.9 bad-state property."""
        self._bad.append(lit)

    def add_constraint(self, lit: int) -> None:
        """An AIGER 1.9 invariant constraint."""
        self._constraints.append(lit)

    def is_and(self, var: int) -> bool:
        return self._kind[var] == 3

    def fanins(self, var: int) -> tuple[int, int]:
        """The fanin literals of AND variable `var`."""
        return self._f0[var], self._f1[var]

    @property
    def num_vars(self) -> int:
        return len(self._kind)

    # ---- logic -------------------------------------------------------------------------
    def and_(self, a: int, b: int) -> int:
        if a < b:
            a, b = b, a
        if b <= 1:
            return a if b == 1 else 0
        if a == b:
            return a
        if a == b ^ 1:
            return 0
        key = (a, b)
        lit = self._hash.get(key)
        if lit is None:
            # _new_var inlined: this is the hot path of every reader.
            lit = 2 * len(self._kind)
            self._kind.append(3)
            self._f0.append(a)
            self._f1.append(b)
            self._hash[key] = lit
        return lit

    def or_(self, a: int, b: int) -> int:
        return self.and_(a ^ 1, b ^ 1) ^ 1

    def xor_(self, a: int, b: int) -> int:
        return self.or_(self.and_(a, b ^ 1), self.and_(a ^ 1, b))

    def xnor_(self, a: int, b: int) -> int:
        return self.xor_(a, b) ^ 1

    def mux(self, sel: int, then: int, other: int) -> int:
        return self.or_(self.and_(sel, then), self.and_(sel ^ 1, other))

    def and_n(self, lits) -> int:
        return self._tree(list(lits), self.and_, 1)

    def or_n(self, lits) -> int:
        return self._tree(list(lits), self.or_, 0)

    def xor_n(self, lits) -> int:
        return self._tree(list(lits), self.xor_, 0)

    @staticmethod
    def _tree(lits: list[int], op, empty: int) -> int:
        # Balanced, so an n-input gate costs log2(n) levels, not n.
        if not lits:
            return empty
        while len(lits) > 1:
            nxt = [op(lits[i], lits[i + 1]) for i in range(0, len(lits) - 1, 2)]
            if len(lits) % 2:
                nxt.append(lits[-1])
            lits = nxt
        return lits[0]

    # ---- result ------------------------------------------------------------------------
    def build(self) -> Aig:
        missing = [i for i, nxt in enumerate(self._latch_next) if nxt is None]
        if missing:
            raise ValueError(f"latch {missing[0]} has no next state")
        kind = np.asarray(self._kind, dtype=np.int8)
        n_in, n_lat = len(self._inputs), len(self._latches)
        and_vars = np.flatnonzero(kind == 3)
        new_var = np.zeros(len(kind), dtype=np.int64)
        new_var[np.asarray(self._inputs, dtype=np.int64)] = np.arange(1, n_in + 1)
        new_var[np.asarray(self._latches, dtype=np.int64)] = np.arange(n_in + 1, n_in + n_lat + 1)
        new_var[and_vars] = np.arange(n_in + n_lat + 1, n_in + n_lat + 1 + len(and_vars))

        def remap(lits) -> np.ndarray:
            lits = np.asarray(lits, dtype=np.int64).reshape(-1)
            return (2 * new_var[lits >> 1] + (lits & 1)).astype(np.int32)

        f0 = remap(np.asarray(self._f0, dtype=np.int64)[and_vars])
        f1 = remap(np.asarray(self._f1, dtype=np.int64)[and_vars])
        # Renumbering keeps creation order among ANDs, so fanins stay below; restore f0 >= f1.
        hi, lo = np.maximum(f0, f1), np.minimum(f0, f1)
        return Aig(
            num_inputs=n_in, fanin0=hi, fanin1=lo, outputs=remap(self._outputs),
            latch_next=remap(self._latch_next), latch_init=self._latch_init,
            bad=remap(self._bad), constraints=remap(self._constraints),
            input_names=tuple(self._input_names), latch_names=tuple(self._latch_names),
            output_names=tuple(self._output_names), comments=tuple(self.comments),
            name=self.name,
        )


@dataclass(frozen=True)
class CycleFound(Exception):
    """`from_raw` met a combinational cycle through raw gate `gate`."""

    gate: int


def from_raw(num_inputs: int, num_latches: int, raw_f0, raw_f1, outputs, latch_next=(),
             latch_init=None, *, bad=(), constraints=(), input_names=(), latch_names=(),
             output_names=(), comments=(), name=None) -> Aig:
    """Sort, check and strash raw gates into an Aig (the batch path of the netlist readers).

    Raw variables: 0 constant, 1..I inputs, I+1..I+L latches, I+L+1+g raw gate g. Gates may
    reference gates defined later. A raw gate AND(x, x) is a buffer and AND(~x, ~x) an
    inverter, so a reader can give every net of a file its own gate. Only gates reachable from
    the outputs, latches and properties are built. Gates already in topological order (every
    fanin an input, a latch or an earlier gate: files written by ABC or edapipe) keep their
    order; otherwise they are built in depth-first post-order from the outputs.

    Raises CycleFound (with the raw gate index) on a combinational cycle and ValueError on a
    literal out of range; readers turn both into located InputErrors.

    No numba on purpose: readers spend their time on text, and a pipeline stage that needs
    no kernel should not pay numba's import (about 0.6 s). Ordered gates that need no
    hashing (no constant or repeated fanins, no two gates alike: what a strashed AIG
    written out gives) take a numpy path; the rest a Python loop over AigBuilder.
    """
    num_ci = num_inputs + num_latches
    base = num_ci + 1
    f0 = np.asarray(raw_f0, dtype=np.int64).reshape(-1)
    f1 = np.asarray(raw_f1, dtype=np.int64).reshape(-1)
    if f0.shape != f1.shape:
        raise ValueError("fanin arrays differ in length")
    parts = [np.asarray(p, dtype=np.int64).reshape(-1)
             for p in (outputs, latch_next, bad, constraints)]
    n = f0.size
    limit = 2 * (base + n)
    for arr in (f0, f1, *parts):
        if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= limit):
            raise ValueError("literal out of range")
    if latch_init is None:
        latch_init = np.zeros(num_latches, dtype=np.int8)
    names = dict(input_names=tuple(input_names) or (None,) * num_inputs,
                 latch_names=tuple(latch_names) or (None,) * num_latches,
                 output_names=tuple(output_names) or (None,) * parts[0].size,
                 comments=tuple(comments), name=name, latch_init=latch_init)
    own = np.arange(base, base + n, dtype=np.int64)
    if bool(np.all(f0 >> 1 < own)) and bool(np.all(f1 >> 1 < own)):
        return _from_ordered(num_inputs, num_latches, f0, f1, parts, names)
    return _from_unordered(num_inputs, num_latches, f0.tolist(), f1.tolist(), parts, names)


def _reachable(base: int, f0: np.ndarray, f1: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Mask of the gates (in topological order) that the roots reach."""
    n = f0.size
    refs = np.bincount(f0 >> 1, minlength=base + n)[base:] + \
        np.bincount(f1 >> 1, minlength=base + n)[base:]
    if roots.size:
        refs += np.bincount(roots >> 1, minlength=base + n)[base:]
    if bool(np.all(refs)):
        # In a topological order the last unreachable gate would have no reference.
        return np.ones(n, dtype=bool)
    keep = bytearray(n)
    for lit in (roots >> 1).tolist():
        if lit >= base:
            keep[lit - base] = 1
    a_list = (f0 >> 1).tolist()
    b_list = (f1 >> 1).tolist()
    for g in range(n - 1, -1, -1):
        if keep[g]:
            x = a_list[g] - base
            if x >= 0:
                keep[x] = 1
            x = b_list[g] - base
            if x >= 0:
                keep[x] = 1
    return np.frombuffer(bytes(keep), dtype=np.uint8).astype(bool)


def _all_distinct(keys: np.ndarray) -> bool:
    keys = np.sort(keys)
    return not bool(np.any(keys[1:] == keys[:-1]))


def _from_ordered(num_inputs: int, num_latches: int, f0: np.ndarray, f1: np.ndarray,
                  parts: list, names: dict) -> Aig:
    """from_raw for gates in topological order: kept in that order."""
    base = num_inputs + num_latches + 1
    n = f0.size
    roots = np.concatenate(parts)
    keep = _reachable(base, f0, f1, roots)
    new_var = np.arange(base + n, dtype=np.int64)
    kept = int(keep.sum())
    if kept < n:
        f0, f1 = f0[keep], f1[keep]
        new_var[base:][keep] = np.arange(base, base + kept)
    hi, lo = np.maximum(f0, f1), np.minimum(f0, f1)
    if kept == 0 or (int(lo.min()) >= 2 and not bool(np.any(hi >> 1 == lo >> 1))
                     and _all_distinct(hi * (2 * (base + n)) + lo)):
        # Nothing to hash: no constant or repeated fanin, no two gates alike, so (by
        # induction along the order) no gate merges with another.
        def remap(lits: np.ndarray) -> np.ndarray:
            return 2 * new_var[lits >> 1] + (lits & 1)

        return Aig(num_inputs=num_inputs, fanin0=remap(hi), fanin1=remap(lo),
                   outputs=remap(parts[0]), latch_next=remap(parts[1]), bad=remap(parts[2]),
                   constraints=remap(parts[3]), **names)
    b = AigBuilder()
    lit_map = [0] + [b.add_input() for _ in range(num_inputs)]
    for _ in range(num_latches):
        lit_map.append(b.latch_lit(b.add_latch()))
    lit_map.extend([0] * n)
    and_ = b.and_
    gates = np.flatnonzero(keep).tolist() if kept < n else range(n)
    for g, a, c in zip(gates, f0.tolist(), f1.tolist()):
        lit_map[base + g] = and_(lit_map[a >> 1] ^ (a & 1), lit_map[c >> 1] ^ (c & 1))
    return _finish(b, lit_map, parts, names)


def _from_unordered(num_inputs: int, num_latches: int, f0: list, f1: list, parts: list,
                    names: dict) -> Aig:
    """from_raw for gates with forward references: depth-first from the outputs."""
    base = num_inputs + num_latches + 1
    b = AigBuilder()
    lit_map = [0] + [b.add_input() for _ in range(num_inputs)]
    for _ in range(num_latches):
        lit_map.append(b.latch_lit(b.add_latch()))
    lit_map.extend([-1] * len(f0))
    state = bytearray(len(f0))           # 0 unseen, 1 on the stack, 2 built
    and_ = b.and_
    for root in (lit for part in parts for lit in part.tolist()):
        top = (root >> 1) - base
        if top < 0 or state[top]:
            continue
        stack = [top]
        state[top] = 1
        while stack:
            g = stack[-1]
            a, c = f0[g], f1[g]
            k = (a >> 1) - base
            if k < 0 or state[k] == 2:
                k = (c >> 1) - base
                if k < 0 or state[k] == 2:
                    stack.pop()
                    lit_map[base + g] = and_(lit_map[a >> 1] ^ (a & 1),
                                             lit_map[c >> 1] ^ (c & 1))
                    state[g] = 2
                    continue
            if state[k] == 1:
                raise CycleFound(k)
            state[k] = 1
            stack.append(k)
    return _finish(b, lit_map, parts, names)


def _finish(b: AigBuilder, lit_map: list, parts: list, names: dict) -> Aig:
    def remap(seq: np.ndarray) -> list:
        return [lit_map[x >> 1] ^ (x & 1) for x in seq.tolist()]

    for lit in remap(parts[0]):
        b.add_output(lit)
    for k, lit in enumerate(remap(parts[1])):
        b.set_latch_next(k, lit)
    for lit in remap(parts[2]):
        b.add_bad(lit)
    for lit in remap(parts[3]):
        b.add_constraint(lit)
    return b.build().replace(**names)


def strash(aig: Aig) -> Aig:
    """Structurally hash `aig` again and drop nodes no output, latch or property uses."""
    from edapipe.aig import strash_kernels as K

    roots = aig.co_literals().astype(np.int64)
    nf0, nf1, n_and, lit_map = K.restrash(aig.num_cis, aig.fanin0, aig.fanin1, roots)

    def remap(lits):
        lits = np.asarray(lits, dtype=np.int64)
        return (lit_map[lits >> 1] ^ (lits & 1)).astype(np.int32)

    return aig.replace(fanin0=nf0[:n_and], fanin1=nf1[:n_and], outputs=remap(aig.outputs),
                       latch_next=remap(aig.latch_next), bad=remap(aig.bad),
                       constraints=remap(aig.constraints))


cleanup = strash
"""Dropping dangling nodes and re-hashing are one sweep here, as in ABC's Gia_ManCleanup."""

__all__ = ["AigBuilder", "CycleFound", "from_raw", "strash", "cleanup", "LATCH_INIT_X"]


def co_split(aig: Aig, co_lits: np.ndarray) -> dict:
    """Split combinational-output literals (outputs, latch next, bad, constraints) back apart."""
    o, l, b = aig.num_outputs, aig.num_latches, len(aig.bad)
    co_lits = np.asarray(co_lits, dtype=np.int32)
    return dict(outputs=co_lits[:o], latch_next=co_lits[o:o + l], bad=co_lits[o + l:o + l + b],
                constraints=co_lits[o + l + b:])


def rebuild(aig: Aig, fanin0: np.ndarray, fanin1: np.ndarray, co_lits: np.ndarray) -> Aig:
    """The same circuit interface (inputs, latches, names) with new ANDs and CO literals:
    what every pass that rebuilds the AND array (synth's and verify's fraig) ends with."""
    return aig.replace(fanin0=fanin0, fanin1=fanin1, **co_split(aig, co_lits))
