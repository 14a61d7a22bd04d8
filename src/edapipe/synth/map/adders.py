"""Full adders as multi-output cells: find them in the AIG, map around them, place the cells.

A full adder is two nodes over the same three leaves, one computing their XOR (the sum) and
one their majority (the carry), each up to negated leaves and output. A library's one-output
cells cover the pair with an XOR3 (or two XOR2) and a MAJ3 or an AOI; a full-adder cell
(sky130's `fa_1`, 20.0 um2) computes both for less than those (23.8 + 10.0; 17.5 + 10.0).
The mapper takes such cells as Yosys's `extract_fa` does: every pair found becomes two
pseudo-inputs of the AIG (the cell's SUM and COUT) and its three leaves pseudo-outputs (the
cell's inputs, in the phases the cell's pins want), the rest is mapped as any AIG, and
`stitch` turns the pseudo ports back into nets driven by one adder cell each.

Whether that is smaller depends on what the one-output cells would have shared (a carry's
AND absorbed into an AOI with other logic, an XOR's half used elsewhere), so the area
portfolio maps with and without adders and keeps the smaller (cells.map_cells).
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from edapipe.aig.core import Aig

XOR3 = (0x96, 0x69)
# the majority of three leaves, each possibly negated, and its complement
MAJ3 = tuple(sorted({sum(1 << t for t in range(8) if (bin(t ^ neg).count("1") >= 2) != out)
                     for neg in range(8) for out in (False, True)}))


class AdderCell(NamedTuple):
    """A library cell with three inputs and two outputs: an XOR3 and a majority."""
    cell: object                  # timing.liberty.Cell
    inputs: tuple[str, str, str]
    sum: str
    carry: str
    sum_truth: int                # over inputs, bit t = value when input i is bit i of t
    carry_truth: int


class Adder(NamedTuple):
    """A full adder of the AIG: cell pin j reads leaf literal `pins[j]`; the sum node's
    variable equals the cell's SUM negated by `sum_neg`, the carry's COUT by `carry_neg`."""
    sum_var: int
    carry_var: int
    pins: tuple[int, int, int]
    sum_neg: int
    carry_neg: int


def _negate_inputs(truth: int, neg: int) -> int:
    return sum(1 << t for t in range(8) if truth >> (t ^ neg) & 1)


def _permute(truth: int, perm) -> int:
    """The function of leaves (l0, l1, l2) when input j reads leaf perm[j]."""
    out = 0
    for t in range(8):
        u = sum(((t >> perm[j]) & 1) << j for j in range(3))
        out |= (truth >> u & 1) << t
    return out


def adder_cell(cell, truth_of) -> AdderCell | None:
    """`cell` as an adder cell, if its two outputs compute an XOR3 and a majority of its three
    inputs (`truth_of(pin, inputs)`: an output pin's truth table)."""
    ins = [p.name for p in cell.pins.values() if p.direction == "input"]
    outs = [p for p in cell.pins.values() if p.direction == "output"]
    if len(ins) != 3 or len(outs) != 2 or any(p.function is None for p in outs):
        return None
    truths = [truth_of(p, ins) for p in outs]
    for s, c in ((0, 1), (1, 0)):
        if truths[s] in XOR3 and truths[c] in MAJ3:
            return AdderCell(cell, tuple(ins), outs[s].name, outs[c].name, truths[s], truths[c])
    return None


def find_adders(aig: Aig, cell: AdderCell, max_cuts: int = 12) -> list[Adder]:
    """Pairs of AND nodes computing the XOR3 and a majority of the same three leaves (from
    each node's 3-leaf cuts), each node in one pair at most, as `cell` implements them: its
    pins on the leaves in the order and phases that negate the fewest of them."""
    from edapipe.aig import cuts_kernels as CK

    if aig.num_ands == 0:
        return []
    leaves, sizes, tts, ncuts = CK.enumerate_cuts(aig.num_cis, aig.fanin0, aig.fanin1, 3,
                                                  max_cuts, False)
    xors: dict[tuple, list[tuple[int, int]]] = {}
    majs: dict[tuple, list[tuple[int, int]]] = {}
    first = aig.first_and_var
    counts = ncuts[first:].tolist()
    for v in range(first, aig.num_vars):
        for c in range(counts[v - first]):
            if sizes[v, c] != 3:
                continue
            t = int(tts[v, c]) & 0xFF
            if t in XOR3:
                xors.setdefault(tuple(leaves[v, c, :3].tolist()), []).append((v, t))
            elif t in MAJ3:
                majs.setdefault(tuple(leaves[v, c, :3].tolist()), []).append((v, t))
    used: set[int] = set()
    found = []
    for key, carries in majs.items():
        # the first sum and carry over this cut that no pair has taken yet
        sums = [(x, tx) for x, tx in xors.get(key, ()) if x not in used]
        carries = [(m, tm) for m, tm in carries if m not in used]
        if not sums or not carries:
            continue
        (x, tx), (m, tm) = sums[0], carries[0]
        best = None
        for perm in itertools.permutations(range(3)):
            carry = _permute(cell.carry_truth, perm)
            total = _permute(cell.sum_truth, perm)
            for neg in range(8):
                # pin j reads leaf perm[j] negated by bit j of neg
                leaf_neg = sum(((neg >> j) & 1) << perm[j] for j in range(3))
                c = _negate_inputs(carry, leaf_neg)
                if c not in (tm, tm ^ 0xFF):
                    continue
                s = _negate_inputs(total, leaf_neg)
                cost = (bin(neg).count("1"), int(c != tm) + int(s != tx))
                if best is None or cost < best[0]:
                    pins = tuple(2 * key[perm[j]] + ((neg >> j) & 1) for j in range(3))
                    best = (cost, Adder(x, m, pins, int(s != tx), int(c != tm)))
        if best is not None:
            used.update((x, m))
            found.append(best[1])
    return found


def extract(aig: Aig, adders: list[Adder], taken: set[str]):
    """The AIG with each adder's sum and carry nodes replaced by two new inputs (after the
    design's own) and its pin literals as new outputs (after the design's own), the logic
    that only fed the replaced nodes dropped; and the adders that any output still needs,
    in the order of their new ports (named clear of `taken`)."""
    from edapipe.aig.builder import AigBuilder

    first = aig.first_and_var
    f0, f1 = aig.fanin0.tolist(), aig.fanin1.tolist()
    by_var = {}
    for a in adders:
        by_var[a.sum_var] = a
        by_var[a.carry_var] = a
    needed = np.zeros(aig.num_vars, dtype=bool)
    needed[aig.co_literals() >> 1] = True
    live: dict[Adder, None] = {}
    for v in range(aig.num_vars - 1, first - 1, -1):
        if not needed[v]:
            continue
        a = by_var.get(v)
        if a is not None:
            if a not in live:
                live[a] = None
                for lit in a.pins:
                    needed[lit >> 1] = True
            continue
        needed[f0[v - first] >> 1] = True
        needed[f1[v - first] >> 1] = True
    # the live adders in a fixed order: the order of their new ports and names
    order = sorted(live, key=lambda a: max(a.sum_var, a.carry_var))
    names = _fresh_names(taken, len(order))
    b = AigBuilder(aig.name)
    lit = [0] * aig.num_vars
    for k in range(aig.num_inputs):
        lit[1 + k] = b.add_input(aig.input_names[k])
    port = {}
    for a, (s_name, c_name, _) in zip(order, names):
        port[a] = (b.add_input(s_name), b.add_input(c_name))
    for k in range(aig.num_latches):
        idx = b.add_latch(aig.latch_names[k], int(aig.latch_init[k]))
        lit[1 + aig.num_inputs + k] = b.latch_lit(idx)
    for v in range(first, aig.num_vars):
        if not needed[v]:
            continue
        a = by_var.get(v)
        if a is not None:
            s, c = port[a]
            lit[v] = s ^ a.sum_neg if v == a.sum_var else c ^ a.carry_neg
            continue
        g0, g1 = f0[v - first], f1[v - first]
        lit[v] = b.and_(lit[g0 >> 1] ^ (g0 & 1), lit[g1 >> 1] ^ (g1 & 1))

    def new(x: int) -> int:
        return lit[x >> 1] ^ (x & 1)

    for k, x in enumerate(aig.outputs.tolist()):
        b.add_output(new(x), aig.output_names[k])
    for a, (_, _, pin_names) in zip(order, names):
        for x, nm in zip(a.pins, pin_names):
            b.add_output(new(x), nm)
    for k, x in enumerate(aig.latch_next.tolist()):
        b.set_latch_next(k, new(x))
    for x in aig.bad.tolist():
        b.add_bad(new(x))
    for x in aig.constraints.tolist():
        b.add_constraint(new(x))
    return b.build(), order


def _fresh_names(taken: set[str], count: int):
    """Per adder: (sum, carry, (pin names)), none of them in `taken`."""
    prefix = "fa"
    while any(t.startswith(prefix) for t in taken):
        prefix = "_" + prefix
    return [(f"{prefix}{k}_s", f"{prefix}{k}_c", (f"{prefix}{k}_a", f"{prefix}{k}_b",
                                                  f"{prefix}{k}_ci"))
            for k in range(count)]


def stitch(net, n_adders: int, cell: AdderCell):
    """The netlist `net` mapped from `extract`'s AIG with its adders' pseudo ports (the last
    2 x n_adders inputs, the last 3 x n_adders outputs) made nets: one adder cell each,
    reading its pin ports' nets and driving its sum and carry inputs' nets."""
    from edapipe.synth.map.cells import CellNetlist, Instance

    if n_adders == 0:
        return net
    n_in, n_out = len(net.inputs) - 2 * n_adders, len(net.outputs) - 3 * n_adders
    pseudo_in, pseudo_out = net.inputs[n_in:], net.outputs[n_out:]
    dropped = set(pseudo_out)
    src = dict(net.assigns)

    def resolve(name: str) -> str:
        seen = 0
        while name in dropped and name in src and seen <= len(src):
            name, seen = src[name], seen + 1
        return name

    # a pin port that a cell drives keeps its name as a wire; one with an assign is its source
    assigns = [(lhs, resolve(rhs)) for lhs, rhs in net.assigns if lhs not in dropped]
    wires = list(net.wires) + list(pseudo_in)
    wires += [p for p in pseudo_out if p not in src]
    # instances and nets share Verilog's one name space
    taken = {i.name for i in net.instances} | set(net.inputs) | set(net.outputs) | \
        set(wires) | {n for pair in net.assigns for n in pair}
    instances = list(net.instances)
    k = 0
    for j in range(n_adders):
        while f"fa{k}" in taken:
            k += 1
        name = f"fa{k}"
        taken.add(name)
        ins = [resolve(p) for p in pseudo_out[3 * j:3 * j + 3]]
        conns = list(zip(cell.inputs, ins)) + [(cell.sum, pseudo_in[2 * j]),
                                               (cell.carry, pseudo_in[2 * j + 1])]
        instances.append(Instance(cell.cell.name, name, conns))
    out = CellNetlist(net.module, net.inputs[:n_in], net.outputs[:n_out], instances, wires,
                      net.area + n_adders * cell.cell.area, assigns)
    return out
