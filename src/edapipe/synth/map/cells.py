"""Standard-cell mapping: an AIG to a gate-level netlist of Liberty cells (ABC's `map`).

`map_cells(aig, mlib)` enumerates each node's cuts (up to 5 leaves), matches them and their
complements against the match library (library.py), maps both phases of every node in
numba (cell_kernels.py: delay pass, area-flow and exact-area recovery under the required
times) and returns a `CellNetlist`: instances of library cells, an inverter where a phase
is the complement of the other, a flip-flop per latch (clocked by an added `clock` port), tie
cells for constants and a buffer for an output that is an input or that shares its net with
another output. `verilog()` writes it as structural Verilog that `edapipe sta` and OpenSTA
read unchanged, with the design's port names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from edapipe.aig.core import Aig
from edapipe.synth.map.library import NOMINAL_SLEW, MatchLibrary, check_library_for


@dataclass(frozen=True)
class CellParams:
    k: int = 5                 # leaves per cut (the largest cells matched)
    cuts: int = 16             # cuts kept per node
    portfolio: bool = True     # map several ways, keep the best (see map_cells)
    delay_passes: int = 3      # with delay: mappings under the previous one's loads
    flow_passes: int = 2
    exact_passes: int = 2
    area: bool = False         # no delay bound during area recovery
    relax: float = 0.0         # with delay: the fraction of extra delay area recovery may use
    sizing: bool | None = None  # size gates and buffer high fanout (default: in delay mode)
    elasticity: float = 0.0    # sizing keeps a round only for this much delay per area
    pin_order: bool = True     # with delay: each match's pins in the order of its latest leaves
    # map over dch's structural choices (choices.py): None: with the portfolio, beside the
    # plain AIG (the best of both kept), without it not; True: over the choices alone
    choices: bool | None = None
    # area mode: also map with the library's full-adder cells (adders.py) and keep the
    # smaller; None: with the portfolio
    adders: bool | None = None


@dataclass
class Instance:
    cell: str
    name: str
    conns: list[tuple[str, str]]      # (pin, net)


@dataclass
class CellNetlist:
    module: str
    inputs: list[str]
    outputs: list[str]
    instances: list[Instance]
    wires: list[str]
    area: float
    assigns: list[tuple[str, str]] = field(default_factory=list)
    # the mapper's worst arrival of this netlist before sizing, under the virtual clock
    # (its own delay model: the timing engine's tables, slews, loads of its cells' pins)
    estimate: float = 0.0
    # (clock, analysis, library): the timing engine's analysis of this netlist under the
    # virtual clock with the match library alone, when sizing made it last (not copied)
    timed: tuple | None = field(default=None, repr=False, compare=False)

    def copy(self) -> "CellNetlist":
        """A copy whose instances, connections and lists can change apart from this one's
        (what sizing changes; names are shared strings)."""
        return CellNetlist(self.module, list(self.inputs), list(self.outputs),
                           [Instance(i.cell, i.name, list(i.conns)) for i in self.instances],
                           list(self.wires), self.area, list(self.assigns), self.estimate)

    def cell_counts(self) -> dict[str, int]:
        return dict(Counter(i.cell for i in self.instances).most_common())

    def stats(self) -> dict:
        return {"name": self.module, "inputs": len(self.inputs), "outputs": len(self.outputs),
                "cells": len(self.instances), "area": round(self.area, 6),
                "cell_types": self.cell_counts()}

    def verilog(self) -> bytes:
        from edapipe.aig.io.verilog import _wrap as wrap
        from edapipe.aig.io.verilog import verilog_name as vn

        ports = [vn(p) for p in self.inputs + self.outputs]
        out = [f"// written by edapipe map: {len(self.instances)} cells, area {self.area:.4f}",
               f"module {vn(self.module)} ("]
        out += wrap(ports, "    ", ");")
        if self.inputs:
            out += wrap([vn(p) for p in self.inputs], "  input ", ";")
        if self.outputs:
            out += wrap([vn(p) for p in self.outputs], "  output ", ";")
        if self.wires:
            out += wrap([vn(w) for w in self.wires], "  wire ", ";")
        for inst in self.instances:
            pins = ", ".join(f".{p}({vn(n)})" for p, n in inst.conns)
            out.append(f"  {vn(inst.cell)} {vn(inst.name)} ({pins});")
        for lhs, rhs in self.assigns:
            out.append(f"  assign {vn(lhs)} = {vn(rhs)};")
        out.append("endmodule")
        return ("\n".join(out) + "\n").encode("utf-8")


def _cuts(aig: Aig, params: CellParams, dominated: bool, cha=None):
    from edapipe.aig import cuts_kernels as CK
    from edapipe.synth.map import cell_kernels as K

    if cha is not None:
        from edapipe.synth.map.choices import choice_cuts

        leaves, sizes, tts, ncuts = choice_cuts(cha, params.k, params.cuts, dominated)
    else:
        leaves, sizes, tts, ncuts = CK.enumerate_cuts(aig.num_cis, aig.fanin0, aig.fanin1,
                                                      params.k, params.cuts, dominated)
    sizes = sizes.astype(np.int32)
    K.shrink_cuts(leaves, sizes, tts, ncuts)
    return leaves, sizes, tts, ncuts


# Delay models of the mapping passes (unate, slew, output-port load), in the order a delay
# mapping tries them: the timing engine's own (rise and fall by each arc's sense, slews
# propagated), the same with every slew at the nominal one, and every stage's worse edge
# whatever the sense with output ports loaded as a typical pin (pessimistic, as a
# load-independent mapper sees it). The mapping passes are greedy node by node, and which
# model leads them best differs by circuit (priority wants the last, adder the first).
ENGINE_MODEL = (True, 0.0, False)
DELAY_MODELS = (ENGINE_MODEL, (True, NOMINAL_SLEW, False), (False, NOMINAL_SLEW, True))


def map_cells(aig: Aig, mlib: MatchLibrary, params: CellParams = CellParams(),
              clock: str = "clock") -> CellNetlist:
    """Map `aig` to the library's cells; flip-flops hang on an input port named `clock`.

    In area mode, cuts keep their dominated members (a cut with a sub-cut: its extra leaf is
    logic a cell can share, the AND of an XOR that a carry also uses) and the table matches
    cells with a leaf on several pins (a mux as an o22ai). Area recovery is greedy, and
    either can lead it astray (an XOR as o22ai with two inverters that end up unshared), so
    the mapping without each is tried too and the smallest kept. In delay mode each of
    DELAY_MODELS maps (and sizes; a netlist equal to one already sized is not sized again)
    and the least worst arrival by the timing engine is kept; the last model maps in the
    table's pin order, the others with each match's pins ordered by arrival (pin_order).
    With the portfolio, every mapping is also made over dch's structural choices
    (choices.py; the area goal: the two with dominated cuts) and the best of all kept.
    The area goal's portfolio also maps with the library's full-adder cells (adders.py).
    `portfolio=False`: one mapping (both extras; the engine's model; no choices unless
    `choices=True`; with `adders=True`, the smaller of it and the one with adders)."""
    check_library_for(mlib, aig)
    sizing = params.sizing if params.sizing is not None else not params.area
    if params.area:
        # (dominated cuts, repeated-leaf matches, delay model, choices, full adders)
        variants = [(True, True, ENGINE_MODEL, False, False)]
        if params.portfolio:
            variants += [(True, False, ENGINE_MODEL, False, False),
                         (False, True, ENGINE_MODEL, False, False),
                         (False, False, ENGINE_MODEL, False, False)]
    else:
        # dominated cuts lengthen paths (their shared leaves: c880, c432 lose 5-20%)
        models = DELAY_MODELS if params.portfolio else DELAY_MODELS[:1]
        variants = [(False, True, model, False, False) for model in models]
    use = params.choices if params.choices is not None else params.portfolio
    if use and aig.num_ands > 0:
        with_choices = [v[:3] + (True, False) for v in variants]
        if params.area and params.portfolio:
            # the choices add a little area on their own (priority 0.935x, c432 0.977x) and
            # less with each variant: the two with dominated cuts
            with_choices = with_choices[:2]
        variants = with_choices if params.choices else variants + with_choices
    with_adders = params.adders if params.adders is not None else params.portfolio
    if params.area and with_adders and mlib.adders and not params.choices:
        variants.append((True, True, ENGINE_MODEL, False, True))
    best = None
    cuts = {}
    cha = None
    # unsized, the mappings are compared by area alone: only the kept one is written out
    lazy = params.area and not sizing
    seen = set()
    for dominated, repeated, model, choice, adders in variants:
        if choice and cha is None:
            from edapipe.synth.map.choices import choice_aig

            cha = choice_aig(aig)
            if mlib.tie is None and bool((cha.aig.co_literals() <= 1).any()):
                # dch's rewrites found an output constant that the AIG computes by logic;
                # without a tie cell only that logic can make it
                cha = False
        if choice and cha is False:
            continue
        src = cha.aig if choice else aig
        if adders:
            extracted = _extract_adders(aig, mlib, clock)
            if extracted is None:
                continue
            src = extracted[0]
        if (dominated, choice, adders) not in cuts:
            cuts[(dominated, choice, adders)] = _cuts(src, params, dominated,
                                                      cha if choice else None)
        run = params
        if not params.area and params.portfolio and model == DELAY_MODELS[-1]:
            # the pessimistic model in the table's own pin order: with the pins ordered
            # by arrival, sizing converges worse on priority (0.94x against 0.90x ABC
            # `map`) and dec (0.72x against 0.66x) from the same arrival before sizing
            run = replace(params, pin_order=False)
        if lazy:
            area, finish = _map_once(src, mlib, mlib.table(repeated),
                                     cuts[(dominated, choice, adders)], params, clock, model,
                                     lazy=True)
            if adders:
                _, order, cell = extracted
                area += len(order) * cell.cell.area
                finish = (lambda f=finish, e=extracted: _place_adders(f(), e, mlib, clock))
            if best is None or (area,) < best[0]:
                best = ((area,), finish)
            continue
        net = _map_once(src, mlib, mlib.table(repeated), cuts[(dominated, choice, adders)],
                        run, clock, model)
        if adders:
            net = _place_adders(net, extracted, mlib, clock)
        if sizing:
            # two models often give the same netlist (dec): sized once
            text = net.verilog()
            if text in seen:
                continue
            seen.add(text)
            from edapipe.synth.map.sizing import size_for_timing

            net = size_for_timing(net, mlib, clock=clock, elasticity=params.elasticity)
        key = (net.area,) if params.area else (_worst_arrival(net, mlib, clock), net.area)
        if best is None or key < best[0]:
            best = (key, net)
    if best is None:
        # over the choices alone, which this library cannot map (no tie cell): the AIG
        return map_cells(aig, mlib, replace(params, choices=False), clock)
    return best[1]() if lazy else best[1]


def _extract_adders(aig: Aig, mlib: MatchLibrary, clock: str):
    """The AIG with its full adders as ports for the library's smallest adder cell
    (adders.extract), its adders and that cell; None if it has none."""
    from edapipe.aig.io.verilog import _printable
    from edapipe.synth.map import adders as A

    cell = mlib.adders[0]
    found = A.find_adders(aig, cell)
    if not found:
        return None
    raw = [clock] + [aig.input_name(k) for k in range(aig.num_inputs)] + \
        [aig.latch_name(k) for k in range(aig.num_latches)] + \
        [aig.output_name(k) for k in range(aig.num_outputs)]
    taken = set(raw) | {_printable(n) for n in raw}
    ext, order = A.extract(aig, found, taken)
    return (ext, order, cell) if order else None


def _place_adders(net: CellNetlist, extracted, mlib: MatchLibrary,
                  clock: str) -> CellNetlist:
    """A mapping of `_extract_adders`'s AIG with its adder cells placed; its estimate is
    the timing engine's worst arrival (the mapper's own sees the adders' outputs as
    inputs)."""
    from edapipe.synth.map.adders import stitch

    _, order, cell = extracted
    net = stitch(net, len(order), cell)
    net.estimate = _worst_arrival(net, mlib, clock)
    return net


def _worst_arrival(net: CellNetlist, mlib: MatchLibrary, clock: str) -> float:
    from edapipe.synth.map.timing import analyze_cells, worst_arrival

    an = virtual_analysis(net, mlib, clock)
    return worst_arrival(an if an is not None else analyze_cells(net, [mlib.lib], clock=clock))


def virtual_analysis(net: CellNetlist, mlib: MatchLibrary, clock: str):
    """The analysis sizing made of `net` (`analyze_cells(net, [mlib.lib], clock=clock)`),
    or None."""
    if net.timed is not None and net.timed[0] == clock and net.timed[2] is mlib.lib:
        return net.timed[1]
    return None


def map_cells_relaxed(aig: Aig, mlib: MatchLibrary, params: CellParams, relaxes,
                      clock: str = "clock") -> list[CellNetlist]:
    """`map_cells` of `params` with each relax of `relaxes` in turn, for a delay mapping of
    one setting (no portfolio, no sizing): the same netlists, the delay passes made once."""
    if params.area or params.portfolio or params.sizing is not False:
        raise ValueError("map_cells_relaxed: a delay mapping without portfolio or sizing")
    check_library_for(mlib, aig)
    return _map_once(aig, mlib, mlib.table(True), _cuts(aig, params, False), params, clock,
                     ENGINE_MODEL, list(relaxes))


def _map_once(aig: Aig, mlib: MatchLibrary, table, cuts, params: CellParams,
              clock: str, model, relaxes=None, lazy: bool = False):
    """The mapping of `params` (a list of them: one per relax of `relaxes`); `lazy`: its
    area (the netlist's to the bit) and a function that makes the netlist."""
    from edapipe.synth.map import cell_kernels as K

    unate, slew, port_load = model
    leaves = cuts[0]
    co = np.ascontiguousarray(np.concatenate([aig.outputs, aig.latch_next]), dtype=np.int32)
    rel = np.array([params.relax] if relaxes is None else relaxes, dtype=np.float64)
    sub = K.subject(aig.num_cis, aig.fanin0, aig.fanin1, co, cuts)
    tab = _kernel_tables(mlib, table, mlib.nldm(unate))
    run = K.Passes(int(params.delay_passes), int(params.flow_passes), int(params.exact_passes),
                   not params.area, rel, float(slew),
                   float(mlib.nominal_cin if port_load else 0.0),
                   bool(params.pin_order and not params.area))
    chs, cuts_of, refss = K.map_cells(sub, tab, run)

    def finish(ch, ch_cut, refs):
        net = _emit(aig, mlib, table, ch, ch_cut, refs, leaves, clock)
        net.estimate = float(K.estimate(sub, tab._replace(nl=mlib.nldm()), ch, ch_cut, refs))
        return net

    if lazy:
        ch, ch_cut, refs = chs[0], cuts_of[0], refss[0]
        area = _emit(aig, mlib, table, ch, ch_cut, refs, leaves, clock, area_only=True).area
        return area, lambda: finish(ch, ch_cut, refs)
    nets = [finish(*m) for m in zip(chs, cuts_of, refss)]
    return nets[0] if relaxes is None else nets


def _emit(aig: Aig, mlib: MatchLibrary, table, ch, ch_cut, refs, cut_leaves,
          clock_name: str, area_only: bool = False) -> CellNetlist:
    """The netlist of a mapping; `area_only`: without the instances of the mapped nodes
    (naming them is most of the work), its area the same sum in the same order."""
    from edapipe.aig.io._netlist import Namer
    from edapipe.aig.io.verilog import _printable

    names = Namer(aig, _printable, alias_inputs=False)
    seq = aig.num_latches > 0
    clock = names.unique(clock_name) if seq else None
    nets = _Nets(aig, mlib, names)
    if area_only:
        nets.area = _mapped_area(aig, mlib, table, ch, refs)
    else:
        _emit_mapped(nets, aig, mlib, table, ch, ch_cut, refs, cut_leaves)
    port_names = set(names.out_names)
    if seq:
        flop = mlib.flop
        for k, lit in enumerate(aig.latch_next.tolist()):
            nets.add(flop.cell, [(flop.clock, clock), (flop.d, nets.lit_net(lit)),
                                 (flop.q, names.latch_names[k])])
            if names.latch_names[k] not in port_names:
                nets.wires.append(names.latch_names[k])
    # outputs that are constants, inputs or the net of another output are wires (`assign`),
    # as Yosys writes them: no cell, and every output is kept (ABC's writer drops inputs
    # wired to outputs)
    assigns = []
    for k, lit in enumerate(aig.outputs.tolist()):
        port = names.out_names[k]
        src = nets.lit_net(lit)
        if src != port:
            assigns.append((port, src))
    module = _printable(aig.name) if aig.name else "top"
    ins = ([clock] if seq else []) + names.in_names
    return CellNetlist(module, ins, list(names.out_names), nets.instances, nets.wires,
                       nets.area, assigns)


def _mapped_nodes(aig: Aig, ch, refs):
    """(v, p, choice) of every phase the mapping uses that a cell makes, in emission order
    (a combinational input's phase 0 is its port)."""
    first = aig.first_and_var
    for v in range(1, aig.num_vars):
        for p in (0, 1):
            if refs[v, p] == 0 or (v < first and p == 0):
                continue
            yield v, p, int(ch[v, p])


def _mapped_area(aig: Aig, mlib: MatchLibrary, table, ch, refs) -> float:
    """The area of the mapped nodes' cells, summed as _emit_mapped sums it."""
    from edapipe.synth.map.cell_kernels import CH_INV

    groups = mlib.groups
    inv_area = groups[mlib.inverter].cells[0].area
    area = 0.0
    for _, _, c in _mapped_nodes(aig, ch, refs):
        area += inv_area if c == CH_INV else groups[int(table.e_group[c])].cells[0].area
    return area


def _emit_mapped(nets: "_Nets", aig: Aig, mlib: MatchLibrary, table, ch, ch_cut, refs,
                 cut_leaves) -> None:
    """An instance per mapped phase: its match's cell over the cut's leaves, or an inverter
    on the other phase."""
    from edapipe.synth.map.cell_kernels import CH_INV

    groups = mlib.groups
    inv = groups[mlib.inverter]
    net_of = nets.net_of
    for v, p, c in _mapped_nodes(aig, ch, refs):
        if c == CH_INV:
            nets.add(inv.cells[0], [(inv.inputs[0], net_of(v, 1 - p)),
                                    (inv.output, net_of(v, p))])
            continue
        grp = groups[int(table.e_group[c])]
        m = int(table.e_mask[c])
        conns = []
        for i in range(grp.n):
            j = int(table.e_perm[c, i])
            u = int(cut_leaves[v, ch_cut[v, p], j])
            conns.append((grp.inputs[i], net_of(u, (m >> i) & 1)))
        conns.append((grp.output, net_of(v, p)))
        nets.add(grp.cells[0], conns)


def _kernel_tables(mlib: MatchLibrary, table, nl):
    """The cell kernels' CellTables of `table` with the delay model `nl`."""
    from edapipe.synth.map import cell_kernels as K

    return K.cell_tables(table, mlib.group_arrays(), mlib.pin_lines(), nl, mlib.inverter,
                         mlib.nominal_cin)


class _Nets:
    """The nets and instances of a netlist being written: a net per (node, phase) named on
    first use, constants from the tie cell, the area summed as instances are added."""

    def __init__(self, aig: Aig, mlib: MatchLibrary, names):
        self.names = names
        self.mlib = mlib
        self.instances: list[Instance] = []
        self.wires: list[str] = []
        self.area = 0.0
        self.count = 0
        self.ties: dict[int, str] = {}
        self.net: dict[tuple[int, int], str] = {}
        first = aig.first_and_var
        # an output takes the net of the first (node, phase) that drives it, when a cell
        # drives that net; every other output gets a buffer (or a tie cell)
        self.port_of: dict[tuple[int, int], str] = {}
        for k, lit in enumerate(aig.outputs.tolist()):
            v, p = lit >> 1, lit & 1
            if v >= first or (v > 0 and p == 1):
                self.port_of.setdefault((v, p), names.out_names[k])
        for v in range(1, first):
            self.net[(v, 0)] = names.var_name[v]

    def add(self, cell, conns) -> None:
        self.count += 1
        self.instances.append(Instance(cell.name, self.names.unique(f"g{self.count}"), conns))
        self.area += cell.area

    def net_of(self, v: int, p: int) -> str:
        key = (v, p)
        name = self.net.get(key)
        if name is None:
            name = self.port_of.get(key)
            if name is None:
                name = self.names.unique(f"n{v}" if p == 0 else f"n{v}_n")
                self.wires.append(name)
            self.net[key] = name
        return name

    def const_net(self, value: int) -> str:
        """The net of a constant: one tie cell gives both (its 1 and its 0 pin); a library
        whose tie cell has only one of them inverts it for the other."""
        ties = self.ties
        if value in ties:
            return ties[value]
        mlib = self.mlib
        if mlib.tie is None:
            from edapipe.errors import UsageError

            raise UsageError(f"the circuit needs a constant and the library {mlib.lib.name} "
                             "has no tie cell")
        cell, one, zero = mlib.tie
        pin = one if value else zero
        if pin is None:
            src = self.const_net(1 - value)
            name = self.names.unique(f"const{value}")
            self.wires.append(name)
            inv = mlib.groups[mlib.inverter]
            self.add(inv.cells[0], [(inv.inputs[0], src), (inv.output, name)])
        else:
            conns = []
            for v, p in ((1, one), (0, zero)):
                if p is not None:
                    ties[v] = self.names.unique(f"const{v}")
                    self.wires.append(ties[v])
                    conns.append((p, ties[v]))
            self.add(cell, conns)
            name = ties[value]
        ties[value] = name
        return name

    def lit_net(self, lit: int) -> str:
        return self.const_net(lit & 1) if lit <= 1 else self.net_of(lit >> 1, lit & 1)


_WARM_LIB = """library (warm) {
  time_unit : "1ns"; capacitive_load_unit (1, pf); voltage_unit : "1V";
  pulling_resistance_unit : "1kohm";
  lu_table_template (t) { variable_1 : input_net_transition;
    variable_2 : total_output_net_capacitance; index_1 ("0.1, 0.5"); index_2 ("0.01, 0.05"); }
  %s
  cell (TIE) { area : 1; pin (HI) { direction : output; function : "1"; }
    pin (LO) { direction : output; function : "0"; } }
  cell (DFF) { area : 4; ff (IQ, IQN) { next_state : "D"; clocked_on : "CK"; }
    pin (D) { direction : input; capacitance : 0.001; }
    pin (CK) { direction : input; clock : true; capacitance : 0.001; }
    pin (Q) { direction : output; function : "IQ";
      timing () { related_pin : "CK"; timing_type : rising_edge;
        cell_rise (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        cell_fall (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        rise_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        fall_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); } } } }
}"""
_WARM_CELL = """cell (%s) { area : %g; %s
    pin (Y) { direction : output; function : "%s"; %s } }"""
_WARM_ARC = """timing () { related_pin : "%s";
        cell_rise (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        cell_fall (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        rise_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        fall_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); } }"""


def warm() -> None:
    """Compile the cell mapper's kernels (and sizing's timing) on a tiny made-up library."""
    from edapipe.aig.builder import AigBuilder
    from edapipe.synth.map import library
    from edapipe.timing.liberty import parse_liberty_text

    cells = []
    for name, area, pins, fn in (("INV", 1, "A", "!A"), ("BUF", 1, "A", "A"),
                                 ("NAND2", 2, "AB", "!(A&B)"), ("NAND2X2", 3, "AB", "!(A&B)"),
                                 ("NOR2", 2, "AB", "!(A|B)")):
        decl = " ".join(f"pin ({p}) {{ direction : input; capacitance : 0.001; }}"
                        for p in pins)
        cells.append(_WARM_CELL % (name, area, decl, fn, " ".join(_WARM_ARC % p for p in pins)))
    lib = parse_liberty_text(_WARM_LIB % "\n  ".join(cells), "<warm>")
    mlib = library.build(lib)
    b = AigBuilder()
    x, y, z = b.add_input("x"), b.add_input("y"), b.add_input("z")
    q = b.add_latch("q")
    b.set_latch_next(q, b.xor_(x, b.latch_lit(q)))
    b.add_output(b.mux(x, y, z), "f")
    b.add_output(0, "zero")
    aig = b.build()
    for params in (CellParams(), CellParams(area=True)):
        map_cells(aig, mlib, params).verilog()
