"""LUT mapping: an AIG to a network of K-input lookup tables (ABC's `if -K`).

`map_luts(aig, k)` runs the priority-cut mapper of lut_kernels.py (delay pass, area-flow
passes, exact-area passes) and returns a `LutNetwork`: one LUT per mapped AND, with its
leaves and its truth table over them. The network writes itself as BLIF (`.names` covers) or
structural Verilog (`assign` of sums of products); reading either back gives an AIG that
`cec` proves equal to the mapped one.

Counting follows EPFL and ABC's `print_stats` on a mapped network: a LUT is a node with at
least two inputs; an output that needs the complement of a LUT shared with other logic gets a
one-input inverter node, which is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edapipe.aig.core import Aig
from edapipe.errors import UsageError

MAX_LUT_SIZE = 6


@dataclass(frozen=True)
class LutParams:
    k: int = 6
    cuts: int = 8              # priority cuts kept per node
    flow_passes: int = 2       # area-flow recovery passes
    exact_passes: int = 2      # exact-local-area recovery passes
    area: bool = False         # no depth bound during area recovery (ABC's `if -a`)
    relax: int = 0             # levels above the optimum depth allowed in delay mode


@dataclass(frozen=True)
class LutNetwork:
    """LUT j drives variable roots[j] of `aig` from leaves[j, :sizes[j]] (AIG variables,
    the first leaf being bit 0 of a minterm) with truth table truths[j]."""

    aig: Aig
    k: int
    roots: np.ndarray
    leaves: np.ndarray
    sizes: np.ndarray
    truths: np.ndarray
    depth: int

    @property
    def num_luts(self) -> int:
        return int(np.count_nonzero(self.sizes >= 2))

    @property
    def num_edges(self) -> int:
        return int(self.sizes[self.sizes >= 2].sum())

    def stats(self) -> dict:
        a = self.aig
        return {"name": a.name or "top", "inputs": a.num_inputs, "outputs": a.num_outputs,
                "latches": a.num_latches, "k": self.k, "luts": self.num_luts,
                "edges": self.num_edges, "depth": self.depth}


def map_luts(aig: Aig, params: LutParams = LutParams()) -> LutNetwork:
    if not 2 <= params.k <= MAX_LUT_SIZE:
        raise UsageError(f"LUT size must be 2..{MAX_LUT_SIZE}, not {params.k}")
    if params.cuts < 1 or params.cuts > 64:
        raise UsageError(f"priority cuts per node must be 1..64, not {params.cuts}")
    from edapipe.synth.map import lut_kernels as K

    co_vars = np.ascontiguousarray(aig.co_literals() >> 1, dtype=np.int32)
    best_leaves, best_size, refs, _arrival, _depth = K.map_luts(
        aig.num_cis, aig.fanin0, aig.fanin1, co_vars, params.k, params.cuts,
        params.flow_passes, params.exact_passes, not params.area, params.relax)
    first = aig.first_and_var
    roots = np.flatnonzero(refs[first:] > 0).astype(np.int32) + first
    leaves = np.ascontiguousarray(best_leaves[roots])
    sizes = np.ascontiguousarray(best_size[roots])
    truths = K.cut_truths(aig.fanin0, aig.fanin1, first, roots, leaves, sizes)
    depth = K.network_depth(aig.num_vars, roots, leaves, sizes, co_vars)
    return LutNetwork(aig, params.k, roots, leaves, sizes, truths, int(depth))


# ---- writing --------------------------------------------------------------------------------

def _cover_rows(tt: int, n: int, cache: dict) -> list[str]:
    """BLIF rows of a LUT function: the smaller ISOP of the on-set (rows `... 1`) or of the
    off-set (rows `... 0`)."""
    key = (tt, n)
    rows = cache.get(key)
    if rows is None:
        from edapipe.synth.sop import cube_text, isop

        mask = (1 << (1 << n)) - 1
        on = tt & mask
        if on == 0:
            rows = []
        elif on == mask:
            rows = ["-" * n + " 1"] if n else ["1"]
        else:
            words = np.array([on], dtype=np.uint64)
            pos = isop(words, n)
            neg = isop(np.array([~on & mask], dtype=np.uint64), n)
            if len(neg) < len(pos):
                rows = [f"{cube_text(int(c), n)} 0" for c in neg]
            else:
                rows = [f"{cube_text(int(c), n)} 1" for c in pos]
        cache[key] = rows
    return rows


def dump_blif(net: LutNetwork) -> bytes:
    from edapipe.aig.io._netlist import Namer, wrap_names
    from edapipe.aig.io.blif import _blif_name, drive_lines, latch_lines

    aig = net.aig
    names = Namer(aig, _blif_name)
    vn = names.var_name
    out = [f".model {_blif_name(aig.name) if aig.name else 'top'}"]
    out += wrap_names(".inputs", names.in_names)
    out += wrap_names(".outputs", names.out_names)
    cache: dict = {}
    body: list[str] = []
    # An output driven by a LUT takes the LUT's net (no buffer); when it needs the LUT's
    # complement and nothing else uses the LUT, the LUT itself is complemented.
    fanout = np.zeros(aig.num_vars, dtype=np.int64)
    np.add.at(fanout, _used_leaves(net), 1)
    np.add.at(fanout, aig.co_literals() >> 1, 1)
    is_root = np.zeros(aig.num_vars, dtype=bool)
    is_root[net.roots] = True
    flip = set()
    named = list(names.out_alias)
    for k, lit in enumerate(aig.outputs.tolist()):
        v = lit >> 1
        if named[k] or not is_root[v]:
            continue
        if lit & 1:
            if fanout[v] != 1:
                continue
            flip.add(v)
        vn[v] = names.out_names[k]
        named[k] = True
        is_root[v] = False          # one output per net

    out += latch_lines(aig, names, body)
    for root, lv, n, tt in zip(net.roots.tolist(), net.leaves.tolist(), net.sizes.tolist(),
                               net.truths.tolist()):
        if root in flip:
            tt = ~tt & 0xFFFFFFFFFFFFFFFF
        body.append(".names " + " ".join([vn[u] for u in lv[:n]] + [vn[root]]))
        body.extend(_cover_rows(tt, n, cache))
    for k, lit in enumerate(aig.outputs.tolist()):
        if not named[k]:
            body.extend(drive_lines(names.out_names[k], lit, vn))
    out += body
    out.append(".end")
    return ("\n".join(out) + "\n").encode("utf-8")


def _used_leaves(net: LutNetwork) -> np.ndarray:
    mask = np.arange(net.leaves.shape[1])[None, :] < net.sizes[:, None]
    return net.leaves[mask]


def warm() -> None:
    """Compile the mapper's kernels on a tiny circuit (python -m edapipe.warm)."""
    from edapipe.aig.builder import AigBuilder

    b = AigBuilder()
    x, y, z = b.add_input("x"), b.add_input("y"), b.add_input("z")
    b.add_output(b.xor_(b.and_(x, y), z), "f")
    aig = b.build()
    for area in (False, True):
        dump_blif(map_luts(aig, LutParams(k=2, area=area)))
