"""A Liberty library as a match library for the cell mapper.

Every usable combinational cell of one output (its `function`, at most MAX_INPUTS inputs) is
grouped with the other drive strengths of the same function and pin order; a group is
matched by its function. The match table (`e_*` rows) lists, for every group, every
assignment of its pins to a cut's leaves (distinct leaves in every order, or a leaf on
several pins) and every set of negated pins, the function it computes over the leaves, so
matching a cut (and the complement of its function, for the node's negative phase) is one
table look-up. Delays come from the library's NLDM tables through the timing package's
Liberty reader and table packing (`nldm()`, what the mapping kernels time with); sizing
uses per-pin straight lines (the worse of rise and fall at a nominal input slew, intercept
and slope over the table's first load points).

Cells that are not logic are left out by default (clock buffers and inverters, delay cells,
low-power isolation cells, probes: what ABC would otherwise use as plain gates), and so is
anything marked `dont_use`; `exclude` adds shell-style name patterns.
"""

from __future__ import annotations

import fnmatch
import itertools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from edapipe.errors import InputError, UsageError
from edapipe.synth.map.adders import adder_cell
from edapipe.timing import boolexpr
from edapipe.timing.liberty import AXIS_CAP, AXIS_SLEW, Cell, Library

MAX_INPUTS = 6
DEFAULT_EXCLUDE = ("*clkinv*", "*clkbuf*", "*lpflow*", "*dly*", "*probe*", "*clkdly*",
                   "*isobuf*", "*inputiso*")
NOMINAL_SLEW = 50e-12        # s: input slew at which pin delays are taken
NOMINAL_LOAD_PINS = 2.0      # a net drives this many typical inputs when nothing else is known


@dataclass
class Group:
    """Cells of one function and pin order, smallest area first."""

    cells: list[Cell]
    inputs: list[str]
    output: str
    n: int
    truth: int               # over inputs, bit m = value when input i is bit i of m
    area: float
    delay0: np.ndarray       # per input: delay at zero load (s), smallest size
    slope: np.ndarray        # per input: delay per farad of load (s/F)
    cin: np.ndarray          # per input: pin capacitance (F)

    @property
    def name(self) -> str:
        return self.cells[0].name


@dataclass
class FlopCell:
    cell: Cell
    d: str
    clock: str
    q: str


class Nldm(NamedTuple):
    """The NLDM tables of every group's smallest cell, for the mapper's kernels: tab[g, i,
    k, :] the k-th arc from pin i to the output (cell_rise, cell_fall, rise_transition,
    fall_transition table ids, -1 none), msk[g, i, k, :] the input edges (bit 0 rise, 1 fall)
    making output rise / fall; the tables packed as the timing engine packs them."""
    tab: np.ndarray
    msk: np.ndarray
    tab_n: np.ndarray
    tab_var: np.ndarray
    tab_off: np.ndarray
    axes: np.ndarray
    vals: np.ndarray


class MatchTable(NamedTuple):
    e_truth: np.ndarray
    e_group: np.ndarray
    e_mask: np.ndarray
    e_perm: np.ndarray
    n_start: np.ndarray      # scanned rows of n leaves: n_start[n] .. n_start[n + 1]
    s_lo: np.ndarray         # siblings of scanned row e: rows s_lo[e] .. s_hi[e]
    s_hi: np.ndarray


@dataclass
class MatchLibrary:
    lib: Library
    groups: list[Group]
    inverter: int            # group index of the smallest inverter
    buffer: int              # group index of the smallest buffer
    tie: tuple[Cell, str | None, str | None] | None   # tie cell, its 1 pin, its 0 pin
    flop: FlopCell | None
    # matching table, sorted by (n, truth): group, negated-leaf mask, gate pin -> cut leaf
    e_n: np.ndarray
    e_truth: np.ndarray
    e_group: np.ndarray
    e_mask: np.ndarray
    e_perm: np.ndarray
    n_start: np.ndarray      # scanned entries of n inputs: n_start[n] .. n_start[n + 1]
    s_lo: np.ndarray         # the other pin assignments of scanned entry e (same function,
    s_hi: np.ndarray         # same leaves in the same phases): entries s_lo[e] .. s_hi[e]
    nominal_cin: float
    # full-adder cells (adders.py), smallest first: used by the area portfolio's adder mapping
    adders: tuple = ()
    _nldm: Nldm | None = None
    _sizes: object = None    # sizing.sizes_of: every size's pin delay lines, made on first use
    _distinct: MatchTable | None = None   # table(repeated=False), made on first use
    _lines: tuple | None = None           # pin_lines(), made on first use

    def table(self, repeated: bool = True) -> "MatchTable":
        """The match table, or its rows with every leaf on one pin only."""
        if repeated:
            return MatchTable(self.e_truth, self.e_group, self.e_mask, self.e_perm,
                              self.n_start, self.s_lo, self.s_hi)
        if self._distinct is None:
            g_n = np.array([g.n for g in self.groups], dtype=np.int32)
            n_main = int(self.n_start[-1])
            main = np.flatnonzero(self.e_n[:n_main] == g_n[self.e_group[:n_main]])
            count = (self.s_hi[main] - self.s_lo[main]).astype(np.int64)
            lo = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
            # every kept row's siblings, in order: s_lo[e] + 0 .. count - 1
            tail = np.repeat(self.s_lo[main].astype(np.int64) - lo, count) + \
                np.arange(int(count.sum()), dtype=np.int64)
            rows = np.concatenate([main, tail]).astype(np.int64)
            s_lo = np.concatenate([main.size + lo, np.zeros(tail.size, np.int64)])
            s_hi = np.concatenate([main.size + lo + count, np.zeros(tail.size, np.int64)])
            self._distinct = MatchTable(
                self.e_truth[rows], self.e_group[rows], self.e_mask[rows],
                np.ascontiguousarray(self.e_perm[rows]),
                np.searchsorted(self.e_n[main], np.arange(MAX_INPUTS + 2)).astype(np.int32),
                s_lo.astype(np.int32), s_hi.astype(np.int32))
        return self._distinct

    def pin_lines(self):
        """Per group and input: the pin delay line (intercept s, slope s/F) at the nominal
        slew, what picks a sibling's pin order before it is timed."""
        if self._lines is None:
            d0 = np.zeros((len(self.groups), MAX_INPUTS))
            slope = np.zeros((len(self.groups), MAX_INPUTS))
            for i, grp in enumerate(self.groups):
                d0[i, :grp.n] = grp.delay0
                slope[i, :grp.n] = grp.slope
            self._lines = (d0, slope)
        return self._lines

    def nldm(self, unate: bool = True) -> Nldm:
        """The tables; with unate False every arc takes both input edges to both output
        edges (each stage's worst edge, whatever the cell's sense)."""
        if self._nldm is None:
            self._nldm = _nldm(self.groups)
        if unate:
            return self._nldm
        return self._nldm._replace(msk=np.where(self._nldm.msk > 0, 3, 0))

    def group_arrays(self):
        """Per group: area, number of inputs, each input's rise and fall capacitance."""
        g = self.groups
        cin = np.zeros((len(g), MAX_INPUTS, 2))
        for i, grp in enumerate(g):
            pins = grp.cells[0].pins
            cin[i, :grp.n] = [(pins[p].cap_rise, pins[p].cap_fall) for p in grp.inputs]
        return (np.array([x.area for x in g]), np.array([x.n for x in g], dtype=np.int32),
                cin)


def _interp(axis: np.ndarray, x: float) -> tuple[int, float]:
    """Segment index and fraction for linear interpolation/extrapolation on an axis."""
    if len(axis) == 1:
        return 0, 0.0
    i = int(np.clip(np.searchsorted(axis, x) - 1, 0, len(axis) - 2))
    return i, (x - axis[i]) / (axis[i + 1] - axis[i])


def _lookup(table, slew: float, load: float) -> float:
    x = {AXIS_SLEW: slew, AXIS_CAP: load}
    v = table.values
    i, fi = _interp(table.axis1, x.get(table.var1, 0.0))
    if table.var2 < 0 or v.shape[1] == 1:
        row = v[:, 0]
        return float(row[i] + fi * (row[min(i + 1, len(row) - 1)] - row[i]))
    j, fj = _interp(table.axis2, x.get(table.var2, 0.0))
    a = v[i, j] + fj * (v[i, j + 1] - v[i, j])
    i2 = min(i + 1, v.shape[0] - 1)
    b = v[i2, j] + fj * (v[i2, j + 1] - v[i2, j])
    return float(a + fi * (b - a))


def pin_delay_line(cell: Cell, output: str, pin: str, load_step: float) -> tuple[float, float]:
    """(delay at zero load, slope) of the worse of rise and fall from `pin` to `output`."""
    d0, d1 = 0.0, 0.0
    found = False
    for arc in cell.pins[output].timing:
        if arc.related_pin != pin or arc.timing_type not in ("combinational", ""):
            continue
        for kind in ("cell_rise", "cell_fall"):
            table = arc.tables.get(kind)
            if table is None:
                continue
            found = True
            d0 = max(d0, _lookup(table, NOMINAL_SLEW, 0.0))
            d1 = max(d1, _lookup(table, NOMINAL_SLEW, load_step))
    if not found:
        return 0.0, 0.0
    return d0, max(0.0, (d1 - d0) / load_step)


def _nldm(groups: list[Group]) -> Nldm:
    from edapipe.timing.graph import _DELAY_TYPES, COMB, TableStore, _masks

    store = TableStore()
    arcs: dict[tuple[int, int], list] = {}
    for gi, grp in enumerate(groups):
        cell = grp.cells[0]
        for i, pin in enumerate(grp.inputs):
            for arc in cell.pins[grp.output].timing:
                if arc.related_pin != pin or _DELAY_TYPES.get(arc.timing_type) != COMB:
                    continue
                m_r, m_f = _masks(arc.sense, COMB, arc.timing_type)
                tabs = [store.id(arc.tables.get(k)) for k in
                        ("cell_rise", "cell_fall", "rise_transition", "fall_transition")]
                if tabs[0] < 0 or arc.timing_type == "combinational_fall":
                    tabs[0], m_r = -1, 0
                if tabs[1] < 0 or arc.timing_type == "combinational_rise":
                    tabs[1], m_f = -1, 0
                arcs.setdefault((gi, i), []).append((tabs, (m_r, m_f)))
    width = max((len(a) for a in arcs.values()), default=1)
    tab = np.full((len(groups), MAX_INPUTS, width, 4), -1, dtype=np.int64)
    msk = np.zeros((len(groups), MAX_INPUTS, width, 2), dtype=np.int64)
    for (gi, i), items in arcs.items():
        for k, (tabs, masks) in enumerate(items):
            tab[gi, i, k] = tabs
            msk[gi, i, k] = masks
    return Nldm(tab, msk, *store.pack())


def _truth(expr, inputs: list[str]) -> int:
    n = len(inputs)
    idx = np.arange(1 << n)
    env = {name: ((idx >> k) & 1).astype(bool) for k, name in enumerate(inputs)}
    if not env:
        env = {"_": np.zeros(1, dtype=bool)}
    bits = np.broadcast_to(boolexpr.evaluate(expr, env), (1 << n,))
    return int(sum(1 << m for m in range(1 << n) if bits[m]))


def _excluded(name: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _flop(cell: Cell) -> FlopCell | None:
    """A plain rising-edge D flip-flop: next_state one input, no clear or preset."""
    if len(cell.sequential) != 1:
        return None
    seq = cell.sequential[0]
    if seq.get("kind") != "ff" or seq.get("clear") or seq.get("preset"):
        return None
    state = (seq.get("args") or ["IQ"])[0]
    nxt, clk = seq.get("next_state"), seq.get("clocked_on")
    ins = [p for p in cell.pins.values() if p.direction == "input"]
    outs = [p for p in cell.pins.values() if p.direction == "output"]
    if nxt is None or clk is None or len(ins) != 2:
        return None
    nxt, clk = nxt.strip().strip('"'), clk.strip().strip('"')
    q = [p.name for p in outs if (p.function_text or "").strip().strip('"') == state]
    if nxt not in cell.pins or clk not in cell.pins or not q:
        return None
    return FlopCell(cell, nxt, clk, q[0])


def build(lib: Library, exclude=(), use_defaults: bool = True) -> MatchLibrary:
    from edapipe.synth.map import cell_kernels as K

    patterns = tuple(exclude) + (DEFAULT_EXCLUDE if use_defaults else ())
    by_key: dict[tuple, Group] = {}
    tie = None
    flops = []
    caps = []
    adders = []
    for cell in lib.cells.values():
        if cell.dont_use or _excluded(cell.name, patterns):
            continue
        if cell.sequential:
            f = _flop(cell)
            if f is not None:
                flops.append(f)
            continue
        outs = [p for p in cell.pins.values() if p.direction == "output"]
        ins = [p for p in cell.pins.values() if p.direction == "input"]
        if any(p.direction not in ("input", "output") for p in cell.pins.values()):
            continue
        if not outs or any(p.function is None for p in outs):
            continue
        if not ins:
            consts = {(p.function_text or "").strip().strip('"'): p.name for p in outs}
            if {"1", "0"} & set(consts) and (tie is None or cell.area < tie[0].area):
                tie = (cell, consts.get("1"), consts.get("0"))
            continue
        if len(outs) == 2:
            add = adder_cell(cell, lambda p, names: _truth(p.function, names))
            if add is not None:
                adders.append(add)
        if len(outs) != 1 or len(ins) > MAX_INPUTS:
            continue
        out = outs[0]
        names = [p.name for p in ins]
        used = boolexpr.variables(out.function)
        if any(v not in names for v in used) or len(used) != len(names):
            continue                     # an input the function ignores, or a hidden one
        key = (out.function_text, tuple(names), out.name)
        caps.extend(max(p.cap_rise, p.cap_fall) for p in ins)
        grp = by_key.get(key)
        if grp is None:
            by_key[key] = Group([cell], names, out.name, len(names), _truth(out.function, names),
                                0.0, np.zeros(0), np.zeros(0), np.zeros(0))
        else:
            grp.cells.append(cell)
    if not by_key:
        raise InputError(f"no usable combinational cell in the library {lib.name}",
                         file=lib.filename)
    nominal_cin = float(np.median(caps)) if caps else 2e-15
    groups = list(by_key.values())
    for grp in groups:
        grp.cells.sort(key=lambda c: (c.area, c.name))
        cell = grp.cells[0]
        grp.area = cell.area
        lines = [pin_delay_line(cell, grp.output, p, 4 * nominal_cin) for p in grp.inputs]
        grp.delay0 = np.array([a for a, _ in lines])
        grp.slope = np.array([b for _, b in lines])
        grp.cin = np.array([max(cell.pins[p].cap_rise, cell.pins[p].cap_fall)
                            for p in grp.inputs])
    inverters = [i for i, g in enumerate(groups) if g.n == 1 and g.truth == 0b01]
    buffers = [i for i, g in enumerate(groups) if g.n == 1 and g.truth == 0b10]
    if not inverters:
        raise InputError(f"the library {lib.name} has no usable inverter", file=lib.filename)
    inverter = min(inverters, key=lambda i: groups[i].area)
    buffer = min(buffers, key=lambda i: groups[i].area) if buffers else -1
    flop = min(flops, key=lambda f: f.cell.area) if flops else None
    e_n, e_truth, e_group, e_mask, e_perm, n_main, s_lo, s_hi = _match_table(groups)
    n_start = np.searchsorted(e_n[:n_main], np.arange(MAX_INPUTS + 2)).astype(np.int32)
    adders.sort(key=lambda a: (a.cell.area, a.cell.name))
    return MatchLibrary(lib, groups, inverter, buffer, tie, flop, e_n, e_truth, e_group,
                        e_mask, e_perm, n_start, s_lo, s_hi, nominal_cin, tuple(adders))


def _assignments(n: int, m: int) -> np.ndarray:
    """Every way n cell pins read m cut leaves, each leaf read at least once."""
    if m == n:
        return np.array(list(itertools.permutations(range(n))), dtype=np.int32)
    rows = [a for a in itertools.product(range(m), repeat=n) if len(set(a)) == m]
    return np.array(rows, dtype=np.int32).reshape(-1, n)


def _match_table(groups: list[Group]):
    """Every function of every group over a cut: its pins on distinct leaves in every order,
    or fewer leaves than pins with a leaf on several pins (a mux as an o22ai with the select
    in both phases: what structural matchers such as ABC's amap find), every set of negated
    pins. One scanned row per (function, group, leaves read in each phase), sorted by
    (leaves, function, area); the other assignments of the same function and leaf usage
    (pins of a symmetric function swapped: a nand3 with its latest leaf on its fastest pin)
    are its siblings, rows after the scanned ones (`s_lo[e]:s_hi[e]`, the scanned row's own
    assignment among them). Returns (leaves, function, group, negated-pin mask, pin -> leaf,
    number of scanned rows, s_lo, s_hi)."""
    from edapipe.synth.map import cell_kernels as K

    parts = []
    for gi, grp in enumerate(groups):
        if grp.n == 1:
            continue                     # inverters and buffers are placed by phase, not matched
        for m in range(grp.n, 1, -1):
            assign = _assignments(grp.n, m)
            truths, masks, aidx, usage = K.expand_group(np.uint64(grp.truth), grp.n, assign, m)
            ok = np.flatnonzero(usage >= 0)
            key = np.stack([truths[ok], usage[ok].astype(np.uint64)], axis=1)
            _, first, inverse = np.unique(key, axis=0, return_index=True,
                                          return_inverse=True)
            by_first = np.argsort(first)
            keep = ok[first[by_first]]
            rank = np.empty_like(by_first)
            rank[by_first] = np.arange(by_first.size)
            perm = np.full((ok.size, MAX_INPUTS), -1, dtype=np.int32)
            perm[:, :grp.n] = assign[aidx[ok]]
            parts.append((np.full(keep.size, m, dtype=np.int32), truths[keep],
                          np.full(keep.size, gi, dtype=np.int32), masks[keep],
                          perm[np.searchsorted(ok, keep)],
                          rank[np.ravel(inverse)], masks[ok], perm))
    if not parts:
        z = np.zeros(0, np.int32)
        parts.append((z, np.zeros(0, np.uint64), z, z, np.zeros((0, MAX_INPUTS), np.int32),
                      z, z, np.zeros((0, MAX_INPUTS), np.int32)))
    e_n, e_truth, e_group, e_mask, e_perm = (np.concatenate([p[k] for p in parts])
                                             for k in range(5))
    offsets = np.cumsum([0] + [p[0].size for p in parts[:-1]])
    owner = np.concatenate([p[5] + off for p, off in zip(parts, offsets)])
    s_mask = np.concatenate([p[6] for p in parts])
    s_perm = np.concatenate([p[7] for p in parts])
    area = np.array([g.area for g in groups])[e_group]
    order = np.lexsort((e_group, area, e_truth, e_n))
    n_main = order.size
    position = np.empty(n_main, dtype=np.int64)
    position[order] = np.arange(n_main)
    owner = position[owner]
    s_order = np.argsort(owner, kind="stable")
    owner = owner[s_order]
    s_lo = (n_main + np.searchsorted(owner, np.arange(n_main))).astype(np.int32)
    s_hi = (n_main + np.searchsorted(owner, np.arange(n_main), side="right")).astype(np.int32)
    main = (e_n[order], e_truth[order], e_group[order], e_mask[order], e_perm[order])
    tail = (main[0][owner], main[1][owner], main[2][owner], s_mask[s_order], s_perm[s_order])
    e_n, e_truth, e_group, e_mask, e_perm = (np.concatenate([a, b]) for a, b in zip(main, tail))
    s_lo = np.concatenate([s_lo, np.zeros(owner.size, np.int32)])
    s_hi = np.concatenate([s_hi, np.zeros(owner.size, np.int32)])
    return (e_n, e_truth.astype(np.uint64), e_group, e_mask.astype(np.int32),
            np.ascontiguousarray(e_perm), n_main, s_lo, s_hi)


def check_library_for(mlib: MatchLibrary, aig) -> None:
    if aig.num_latches and mlib.flop is None:
        raise UsageError(f"the circuit has {aig.num_latches} latches and the library "
                         f"{mlib.lib.name} has no plain D flip-flop to map them to")
