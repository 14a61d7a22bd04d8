"""SDC constraints: the subset static timing needs, read with the safe Tcl reader (tcl.py).

Numbers in SDC are in the units of the first Liberty library (as in OpenSTA); the reader
converts them to seconds and farads. Object queries (`get_ports` ...) return lists of `Obj`,
matched with `*`/`?` wildcards (timing/glob.py, linear time) against the flattened netlist.

A construct this reader does not implement is a located error (exit 3), as OpenSTA errors on
an unknown command: an unknown command name (garbage, or Tcl such as `proc` or `puts`), an SDC
command that changes timing (`set_drive`, `set_clock_gating_check`, ...), an unsupported
option. Only the commands in `_HARMLESS`, which cannot change a setup or hold slack (design
rules such as `set_min_capacitance`, synthesis directives such as `set_dont_touch`), are skipped,
each with a located warning. A file with NUL bytes is not an SDC file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from edapipe.errors import InputError, excerpt
from edapipe.timing.glob import compile_glob
from edapipe.timing.tcl import Interp, TclError, Word

# Largest magnitude of an SDC number, in library units: 1e15 ns is 30 years. Beyond it a
# number cannot be meant, and table extrapolation with it overflows to inf and nan.
MAX_MAGNITUDE = 1e15

# SDC commands that cannot change the slacks this tool computes: skipped with a warning.
_HARMLESS = frozenset({
    "set_min_capacitance", "set_fanout_load", "set_max_area", "set_dont_touch",
    "set_dont_touch_network",
    "set_dont_use", "set_max_dynamic_power", "set_max_leakage_power",
    "set_min_pulse_width", "set_voltage", "create_voltage_area", "set_level_shifter_strategy",
    "set_level_shifter_threshold", "set_min_porosity",
})
# SDC commands (and OpenSTA ones) that would change timing but are not implemented: an error
# that says so (anything else unknown is "unknown command").
_UNSUPPORTED = frozenset({
    "set_clock_gating_check", "set_clock_sense", "set_sense", "set_drive", "set_max_time_borrow",
    "set_data_check", "set_resistance", "set_annotated_delay", "set_annotated_check",
    "set_ideal_network", "set_ideal_net", "set_ideal_latency", "set_ideal_transition",
    "set_logic_zero", "set_logic_one", "set_logic_dc", "set_wire_load_model",
    "set_wire_load_mode", "set_wire_load_selection_group", "set_wire_load_min_block_size",
    "set_port_fanout_number", "set_operating_conditions",
    # OpenSTA's commands that undo or query constraints (sdc/Sdc.tcl): not implemented
    "current_instance", "get_lib_pins", "get_libs", "delete_clock", "delete_generated_clock",
    "remove_clock_groups", "remove_clock_gating_check", "remove_clock_latency",
    "remove_clock_uncertainty", "remove_input_delay", "remove_output_delay",
    "reset_path", "unset_case_analysis", "unset_clock_latency", "unset_clock_transition",
    "unset_clock_uncertainty", "unset_data_check", "unset_disable_timing",
    "unset_input_delay", "unset_output_delay", "unset_path_exceptions",
    "unset_propagated_clock", "unset_timing_derate", "set_clock_sense",
    "set_disable_inferred_clock_gating", "set_input_delay_pin", "regexp", "regsub",
})
# OpenSTA script commands: they belong in a run script, not in constraints read here
_SCRIPT = frozenset({"read_sdc", "source", "read_verilog", "read_liberty", "read_spef",
                     "link_design", "report_checks", "define_scene", "read_db", "write_sdc"})


@dataclass(frozen=True, slots=True, repr=False)
class Obj:
    kind: str  # port, pin, cell, net, clock
    name: str

    def __str__(self) -> str:
        return self.name


class ObjList(list):
    """A list of design objects; prints like OpenSTA's object lists."""

    def __str__(self) -> str:
        return " ".join(o.name for o in self)


@dataclass(repr=False, eq=False)
class Clock:
    name: str
    period: float
    waveform: tuple[float, float]
    sources: list[Obj]           # ports or pins; empty for a virtual clock
    uncertainty_setup: float = 0.0
    uncertainty_hold: float = 0.0
    # transition[(edge, minmax)] with edge 0 rise / 1 fall, minmax 0 max / 1 min
    transition: dict[tuple[int, int], float] = field(default_factory=dict)
    # set_propagated_clock: arrivals at register clock pins through the clock network
    propagated: bool = False
    # set_clock_latency -source / without -source, per (clock edge, minmax); minmax 0 is
    # late (-max, -late), 1 early (-min, -early)
    source_latency: dict[tuple[int, int], float] = field(default_factory=dict)
    network_latency: dict[tuple[int, int], float] = field(default_factory=dict)
    # create_generated_clock: the master clock and its -source object (None otherwise)
    master: str | None = None
    master_source: Obj | None = None


@dataclass(repr=False, eq=False)
class PortDelay:
    """set_input_delay / set_output_delay on one port: value per (edge, minmax)."""

    clock: str | None
    clock_fall: bool
    values: dict[tuple[int, int], float]
    # -reference_pin: the delay counts from the clock's arrival at this pin or port
    ref_pin: str | None = None


@dataclass(repr=False, eq=False)
class Exception_:
    """set_false_path / set_multicycle_path / set_max_delay / set_min_delay, and
    group_path (kind "group_path", which only names the report group of its paths).

    Transitions (rf) are 0 rise, 1 fall, None both: `from_rf` of the startpoint (-rise_from;
    a register's clock pin edge, a clock's edge), `thrus` each a list of objects with the
    transition at the pin passed (-rise_through), `to_rf` of the endpoint's data or of the
    capture clock's edge (-rise_to), `end_rf` of the endpoint's data (-rise / -fall)."""

    kind: str                    # false_path, multicycle, max_delay, min_delay, group_path
    from_objs: list[Obj] | None
    to_objs: list[Obj] | None
    setup: bool                  # applies to setup (max) analysis
    hold: bool                   # applies to hold (min) analysis
    value: float = 0.0           # multiplier or delay (s)
    offset: int = 0
    from_rf: int | None = None
    thrus: list[tuple[list[Obj], int | None]] = field(default_factory=list)
    to_rf: int | None = None
    end_rf: int | None = None
    # set_multicycle_path: count the multiplier in capture (-end) or launch (-start) clock
    # periods; default -end for setup, -start for hold (OpenSTA's use_end_clk)
    use_end_clk: bool = True
    min_max: str = "all"         # all, max (-setup), min (-hold): OpenSTA's MinMaxAll
    # group_path: the report group of its paths (-name; "**default**" for -default)
    group: str | None = None

    @property
    def specificity(self) -> int:
        """OpenSTA's fromThruToPriority: -from pins/instances, -to pins/instances,
        -through, -from clocks, -to clocks, in that order of weight."""
        p = 0
        if self.from_objs and any(o.kind != "clock" for o in self.from_objs):
            p |= 64
        if self.to_objs and any(o.kind != "clock" for o in self.to_objs):
            p |= 32
        if self.thrus:
            p |= 16
        if self.from_objs and any(o.kind == "clock" for o in self.from_objs):
            p |= 8
        if self.to_objs and any(o.kind == "clock" for o in self.to_objs):
            p |= 4
        return p

    def key(self) -> tuple:
        """Identity for OpenSTA's override rule: a later exception of the same type,
        min/max and points replaces the earlier one."""
        def names(objs):
            return None if objs is None else frozenset((o.kind, o.name) for o in objs)
        family = "path_delay_" + self.kind if self.kind.endswith("delay") else self.kind
        return (family, self.group, self.min_max, names(self.from_objs), self.from_rf,
                tuple((names(o), rf) for o, rf in self.thrus), names(self.to_objs),
                self.to_rf, self.end_rf)


@dataclass(repr=False, eq=False)
class Constraints:
    clocks: dict[str, Clock] = field(default_factory=dict)
    input_delays: dict[str, list[PortDelay]] = field(default_factory=dict)
    output_delays: dict[str, list[PortDelay]] = field(default_factory=dict)
    # set_load on ports: external pin and wire capacitance (F) per (edge, minmax); both add
    # to the load of the port's net
    port_loads: dict[str, dict[tuple[int, int], float]] = field(default_factory=dict)
    port_wire_loads: dict[str, dict[tuple[int, int], float]] = field(default_factory=dict)
    # set_load on nets: wire capacitance (F) per minmax, and whether -subtract_pin_load
    # asked for the net's pin capacitance to be taken off it
    net_loads: dict[str, dict[int, tuple[float, bool]]] = field(default_factory=dict)
    input_transitions: dict[str, dict[tuple[int, int], float]] = field(default_factory=dict)
    # set_driving_cell per port and minmax (0 max, 1 min)
    driving_cells: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    exceptions: list[Exception_] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)   # `puts` output, for standard error
    # set_clock_groups: each a list of clock-name groups; clocks of different groups of
    # one command are not timed against each other
    clock_groups: list[list[frozenset[str]]] = field(default_factory=list)
    # set_timing_derate: (scope, name) -> {(type, path, edge, early_late): factor} with scope
    # "design" (name ""), "inst", "lib_cell" or "net"; type "cell_delay", "cell_check" or
    # "net_delay"; path 0 data / 1 clock; edge 0 rise / 1 fall; early_late 0 late / 1 early
    derates: dict[tuple[str, str], dict[tuple[str, int, int, int], float]] = \
        field(default_factory=dict)
    # set_disable_timing: instances (all arcs), lib cells (-from/-to pin names or None),
    # instance arcs (-from/-to), and pins (every arc into or out of them)
    disabled: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    # set_case_analysis: pin or port name -> 0 / 1 (rising/falling are not constants)
    case: dict[str, int] = field(default_factory=dict)
    # design rules: kind (max_transition, max_capacitance, max_fanout) -> {port name, or
    # "" for the design: limit (SI; fanout in fanout-load units)}
    limits: dict[str, dict[str, float]] = field(default_factory=dict)
    # set_clock_uncertainty -from/-to: (launch clock, capture clock) -> {(launch edge,
    # capture edge, check 0 setup / 1 hold): value}; it replaces the capture clock's own
    uncertainty: dict[tuple[str, str], dict[tuple[int, int, int], float]] = \
        field(default_factory=dict)

    def clock_uncertainty(self, launch: str, launch_edge: int, capture: str,
                          capture_edge: int, check: int) -> float:
        """OpenSTA's checkClkUncertainty: the inter-clock value when one is set for these
        clocks and edges, else the capture clock's own."""
        inter = self.uncertainty.get((launch, capture))
        if inter is not None:
            v = inter.get((launch_edge, capture_edge, check))
            if v is not None:
                return v
        clk = self.clocks[capture]
        return clk.uncertainty_setup if check == 0 else clk.uncertainty_hold

    def exclusive(self, a: str, b: str) -> bool:
        """True when set_clock_groups puts clocks a and b in different groups."""
        if a == b:
            return False
        for groups in self.clock_groups:
            ga = next((k for k, grp in enumerate(groups) if a in grp), None)
            gb = next((k for k, grp in enumerate(groups) if b in grp), None)
            if len(groups) == 1:   # one group: exclusive with every other clock
                if (ga is None) != (gb is None):
                    return True
            elif ga is not None and gb is not None and ga != gb:
                return True
        return False


@dataclass(repr=False, eq=False)
class DesignNames:
    """The names SDC queries can match, from the flattened netlist."""

    ports: list[tuple[str, str]]          # (bit name, direction)
    cells: dict[str, str]                 # instance -> library cell
    nets: list[str]
    register_cells: set[str]              # instance names with sequential cells
    # "inst/pin" -> direction, built on first use (get_pins): large designs rarely need it
    pin_table: Callable[[], dict[str, str]] | None = None
    _pins: dict[str, str] | None = None
    # library cell names get_lib_cells can match (None: the cells the design uses)
    lib_cells: list[str] | None = None
    # (library name, its cell names) in reading order, for `get_lib_cells lib/cell`
    libraries: list[tuple[str, list[str]]] | None = None
    # connectivity for -of_objects, built on first use: ("inst/pin" -> net, port -> net)
    connections: Callable[[], tuple[dict[str, str], dict[str, str]]] | None = None
    _conn: tuple | None = None
    # names carry `inst/` hierarchy prefixes: patterns match per level (-hierarchical)
    hierarchical: bool = False
    top: str = ""                         # the design's name ([current_design])

    def conn(self):
        """(pin -> net, port -> net, net -> pins, net -> ports, cell -> pins)."""
        if self._conn is None:
            pin_net, port_net = self.connections() if self.connections else ({}, {})
            net_pins: dict[str, list[str]] = {}
            net_ports: dict[str, list[str]] = {}
            cell_pins: dict[str, list[str]] = {}
            for p, n in pin_net.items():
                net_pins.setdefault(n, []).append(p)
            for p, n in port_net.items():
                net_ports.setdefault(n, []).append(p)
            for p in self.pins:
                cell_pins.setdefault(p.rpartition("/")[0], []).append(p)
            self._conn = (pin_net, port_net, net_pins, net_ports, cell_pins)
        return self._conn

    @property
    def pins(self) -> dict[str, str]:
        if self._pins is None:
            self._pins = self.pin_table() if self.pin_table is not None else {}
        return self._pins


def _union(found: list[ObjList]) -> ObjList:
    """The objects of several queries, each once, in first-found order (one query's result
    has no duplicates: returned as it is)."""
    if len(found) == 1:
        return found[0]
    return ObjList(dict.fromkeys(o for objs in found for o in objs))


def _flags(words: list[Word], spec: dict[str, int], offset: int, cmd: str):
    """Split words into {flag: [values]} and positional words. spec: flag -> arg count."""
    flags: dict[str, list[Word]] = {}
    pos: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        v = w.value
        if isinstance(v, str) and v.startswith("-") and len(v) > 1 and not _is_number(v):
            if v not in spec:
                raise TclError(f"{cmd}: unknown option {excerpt(v, 60)}", w.offset)
            n = spec[v]
            if n and i + n >= len(words):
                raise TclError(f"{cmd}: option {excerpt(v, 60)} needs a value", w.offset)
            flags[v] = words[i + 1:i + 1 + n]
            i += 1 + n
        else:
            pos.append(w)
            i += 1
    return flags, pos


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


class _Reader:
    def __init__(self, text: str, filename: str, design: DesignNames, time_unit: float,
                 cap_unit: float):
        self.design = design
        self.tu = time_unit
        self.cu = cap_unit
        self.c = Constraints()
        self._warned: dict[str, tuple[int, int]] = {}  # message -> (index, times)
        self._exception_keys: dict[tuple, int] = {}    # Exception_.key() -> list index
        self.design_name = design.top
        self.filename = filename
        self.port_dir = dict(design.ports)
        self.bus_bits: dict[str, list[str]] = {}
        for name, _ in design.ports:
            base = name.split("[", 1)[0]
            if base != name:
                self.bus_bits.setdefault(base, []).append(name)
        cmds = {
            "get_ports": self.get_ports, "get_pins": self.get_pins,
            "get_cells": self.get_cells, "get_nets": self.get_nets,
            "get_clocks": self.get_clocks, "get_lib_cells": self.get_lib_cells,
            "all_inputs": self.all_inputs,
            "all_outputs": self.all_outputs, "all_registers": self.all_registers,
            "all_clocks": self.all_clocks,
            "create_clock": self.create_clock,
            "create_generated_clock": self.create_generated_clock,
            "set_propagated_clock": self.set_propagated_clock,
            "set_clock_latency": self.set_clock_latency,
            "set_clock_groups": self.set_clock_groups,
            "set_input_delay": lambda w, o: self.io_delay(w, o, "set_input_delay"),
            "set_output_delay": lambda w, o: self.io_delay(w, o, "set_output_delay"),
            "set_load": self.set_load, "set_input_transition": self.set_input_transition,
            "set_driving_cell": self.set_driving_cell,
            "set_clock_uncertainty": self.set_clock_uncertainty,
            "set_clock_transition": self.set_clock_transition,
            "set_timing_derate": self.set_timing_derate,
            "set_disable_timing": self.set_disable_timing,
            "set_case_analysis": self.set_case_analysis,
            "set_max_transition": lambda w, o: self.set_limit(w, o, "max_transition"),
            "set_max_capacitance": lambda w, o: self.set_limit(w, o, "max_capacitance"),
            "set_max_fanout": lambda w, o: self.set_limit(w, o, "max_fanout"),
            "set_false_path": lambda w, o: self.exception(w, o, "false_path"),
            "set_multicycle_path": lambda w, o: self.exception(w, o, "multicycle"),
            "set_max_delay": lambda w, o: self.exception(w, o, "max_delay"),
            "set_min_delay": lambda w, o: self.exception(w, o, "min_delay"),
            "group_path": self.group_path,
            "current_design": lambda w, o: self.design_name,
            "set_units": self.set_units,
            "set_hierarchy_separator": self.set_hierarchy_separator,
        }
        self.interp = Interp(text, filename, cmds, self.unknown)
        nul = text.find("\0")
        if nul >= 0:  # random bytes or a binary file, not constraints
            raise self.interp.error("NUL byte: this is not a text (SDC) file", nul)

    def run(self) -> Constraints:
        self.interp.run()
        self.c.messages = list(self.interp.output)
        for index, count in self._warned.values():
            if count > 1:
                self.c.warnings[index] += f" ({count - 1} more like it)"
        return self.c

    def warn(self, msg: str, offset: int) -> None:
        # each message once, at its first line, with a count: a million `set_max_fanout`
        # lines are one warning (and one line-number lookup), not a million
        seen = self._warned.get(msg)
        if seen is not None:
            self._warned[msg] = (seen[0], seen[1] + 1)
            return
        text = self.interp.text
        line = text.count("\n", 0, offset) + 1
        self._warned[msg] = (len(self.c.warnings), 1)
        self.c.warnings.append(f"{self.filename}:{line}: {msg}")

    def unknown(self, name: str, words: list[Word], offset: int):
        """A command this reader does not implement: a warning only when it cannot change
        the answer (module docstring), else an error like OpenSTA's "invalid command name"."""
        if name in _HARMLESS:
            self.warn(f"{name} ignored (it does not change setup or hold slack)", offset)
            return ""
        if name in _UNSUPPORTED:
            raise TclError(f"{name} is not supported (it would change the timing)", offset)
        if name == "read_spef":
            raise TclError("read_spef is a script command, not a constraint; give the "
                           "parasitics with --spef FILE (read_spef -max / -min: --spef-max / "
                           "--spef-min FILE; -corner NAME: --corner-spef NAME[:max|:min]=FILE)",
                           offset)
        if name in _SCRIPT:
            raise TclError(f"{name} is a script command, not a constraint; give the design "
                           "and libraries on the command line", offset)
        raise TclError(f"unknown command {excerpt(name, 60)!r}", offset)

    # -- values ------------------------------------------------------------------------------
    def number(self, w: Word, what: str) -> float:
        try:
            v = float(str(w.value))
        except ValueError:
            raise TclError(f"{what} must be a number, found {excerpt(w.value, 60)!r}",
                           w.offset) from None
        if not math.isfinite(v):
            raise TclError(f"{what} must be finite", w.offset)
        if abs(v) > MAX_MAGNITUDE:
            raise TclError(f"{what} is out of range (beyond {MAX_MAGNITUDE:g} library units)",
                           w.offset)
        return v

    def names(self, w: Word) -> list[str]:
        v = w.value
        if isinstance(v, list):
            return [str(o) for o in v]
        return str(v).split()

    def objects(self, w: Word, cmd: str, kinds=("port", "pin")) -> ObjList:
        """A word that is an object list, or names to look up (ports, then pins, ...)."""
        v = w.value
        if isinstance(v, list):
            return ObjList(v)
        out: list[ObjList] = []
        # each distinct name once, each object once: `"* * * ..."` (a megabyte of stars)
        # must not cost one scan of the design per star nor list every object per star
        for name in dict.fromkeys(str(v).split()):
            found = ObjList()
            for kind in kinds:
                found = self.match(kind, name)
                if found:
                    break
            if not found:
                raise TclError(f"{cmd}: no {' or '.join(kinds)} matches {excerpt(name, 60)!r}",
                               w.offset)
            out.append(found)
        return _union(out)

    def matcher(self, pattern: str, nocase: bool, regexp: bool, cmd: str = "",
                offset: int = 0) -> Callable[[str], bool]:
        """Whole-name matching of a pattern: wildcards, or with -regexp a regular
        expression (timing/regex.py: linear time; what it does not read is an error)."""
        if not regexp:
            return compile_glob(pattern, nocase)
        if not nocase and not any(c in pattern for c in ".+*?[]"):
            # OpenSTA looks such a pattern up as a name (PatternMatch::hasWildcards: a
            # regexp without . + * ? [ ] has none, so find*Matching does an exact lookup;
            # current OpenSTA matches it when -nocase, as here)
            return pattern.__eq__
        from edapipe.timing.regex import RegexError, compile_regexp

        def error(exc: RegexError) -> TclError:
            # (the pattern as written: repr() would double its backslashes)
            return TclError(f"{cmd} -regexp {{{excerpt(pattern, 60)}}}: {exc} (at character "
                            f"{exc.pos + 1} of the pattern)", offset)
        try:
            ok = compile_regexp(pattern, nocase)
        except RegexError as exc:
            raise error(exc) from None

        def checked(name: str) -> bool:   # (the step budget runs out while matching)
            try:
                return ok(name)
            except RegexError as exc:
                raise error(exc) from None
        return checked

    def match(self, kind: str, pattern: str, nocase: bool = False,
              hier: bool = False, regexp: bool = False, cmd: str = "",
              offset: int = 0) -> ObjList:
        d = self.design
        wild = "*" in pattern or "?" in pattern or nocase or (
            regexp and any(c in pattern for c in ".+*?[]"))
        if kind == "port":
            if not wild:
                if pattern in self.port_dir:
                    return ObjList([Obj("port", pattern)])
                return ObjList(Obj("port", b) for b in self.bus_bits.get(pattern, []))
            ok = self.matcher(pattern, nocase, regexp, cmd, offset)
            return ObjList(Obj("port", n) for n, _ in d.ports
                           if ok(n) or ok(n.split("[", 1)[0]))
        if kind == "clock":
            ok = self.matcher(pattern, nocase, regexp, cmd, offset)
            return ObjList(Obj("clock", n) for n in self.c.clocks if ok(n))
        pool = {"pin": d.pins, "cell": d.cells, "net": d.nets}[kind]
        if d.hierarchical and (wild or hier):
            # OpenSTA matches a pattern level by level: without -hierarchical only names
            # as deep as the pattern; with it, the pattern against each name's last levels
            ok = self.matcher(pattern, nocase, regexp, cmd, offset)
            depth = pattern.count("/")
            if hier:
                keep = depth + (1 if kind == "pin" and depth == 0 else 0)
                return ObjList(Obj(kind, n) for n in pool
                               if ok("/".join(n.split("/")[-keep - 1:])))
            return ObjList(Obj(kind, n) for n in pool if n.count("/") == depth and ok(n))
        if not wild:
            return ObjList([Obj(kind, pattern)]) if pattern in pool else ObjList()
        ok = self.matcher(pattern, nocase, regexp, cmd, offset)
        return ObjList(Obj(kind, n) for n in filter(ok, pool))

    def _getter(self, words: list[Word], offset: int, kind: str, cmd: str) -> ObjList:
        flags, pos = _flags(words, {"-quiet": 0, "-hierarchical": 0, "-hier": 0,
                                    "-of_objects": 1, "-regexp": 0, "-nocase": 0,
                                    "-filter": 1}, offset, cmd)
        regexp = "-regexp" in flags
        nocase = "-nocase" in flags
        hier = "-hierarchical" in flags or "-hier" in flags
        quiet = "-quiet" in flags
        if "-of_objects" in flags:
            if pos:
                raise TclError(f"{cmd}: give patterns or -of_objects, not both", pos[0].offset)
            found = self.of_objects(kind, flags["-of_objects"][0], cmd, quiet)
        else:
            out: list[ObjList] = []
            seen: set[str] = set()
            for w in pos:
                for name in self.names(w):
                    if name in seen:  # as in objects(): each pattern once, each object once
                        continue
                    seen.add(name)
                    got = self.match(kind, name, nocase, hier, regexp, cmd, w.offset)
                    if not got and not quiet:
                        raise TclError(f"{cmd}: no {kind} matches {excerpt(name, 60)!r}",
                                       w.offset)
                    out.append(got)
            found = _union(out) if out else ObjList()
        if "-filter" in flags:
            found = self.filtered(found, kind, flags["-filter"][0])
        return found

    def filtered(self, objs: ObjList, kind: str, w: Word) -> ObjList:
        from edapipe.timing import query
        tree = query.parse_filter(str(w.value), kind, w.offset)
        return ObjList(o for o in objs if query.evaluate(tree, lambda p: self.prop(o, p)))

    def prop(self, o: Obj, name: str) -> str:
        """A property of an object as text, for -filter (query.PROPERTIES)."""
        if name == "full_name":
            return o.name
        d = self.design
        if o.kind == "clock":
            clk = self.c.clocks[o.name]
            return {"name": o.name, "period": repr(clk.period / self.tu),
                    "is_generated": str(clk.master is not None).lower(),
                    "is_virtual": str(not clk.sources).lower(),
                    "is_propagated": str(clk.propagated).lower()}[name]
        if name == "name":
            return o.name if o.kind in ("port", "lib_cell") else o.name.rsplit("/", 1)[-1]
        if name in ("lib_pin_name",):
            return o.name.rsplit("/", 1)[-1]
        if name == "direction":
            return self.port_dir[o.name] if o.kind == "port" else d.pins.get(o.name, "")
        if name == "is_port":
            return "false"
        if name == "ref_name":
            return d.cells[o.name]
        if name == "is_sequential":
            return str(o.name in d.register_cells).lower()
        if name == "is_hierarchical":
            return "false"   # flattened: every cell is a library cell
        if name == "base_name":
            return o.name
        raise TclError(f"-filter: no property {name} on a {o.kind}", 0)

    def of_objects(self, kind: str, w: Word, cmd: str, quiet: bool) -> ObjList:
        """OpenSTA's -of_objects: pins of cells and nets, nets of pins, ports and cells,
        cells of pins and nets, ports of nets, library cells of cells."""
        allowed = {"pin": ("cell", "net"), "net": ("pin", "port", "cell"),
                   "cell": ("pin", "net"), "port": ("net",), "lib_cell": ("cell",)}.get(kind)
        if allowed is None:
            raise TclError(f"{cmd}: -of_objects is not an option of {cmd}", w.offset)
        src = self.objects(w, cmd, allowed)
        pin_net, port_net, net_pins, net_ports, cell_pins = self.design.conn()
        out: dict[Obj, None] = {}
        for o in src:
            if o.kind not in allowed:
                raise TclError(f"{cmd} -of_objects: {excerpt(o.name, 60)} is a {o.kind}; "
                               f"give {' or '.join(allowed)}s", w.offset)
            if kind == "pin":
                names = cell_pins.get(o.name, []) if o.kind == "cell" else \
                    net_pins.get(o.name, [])
            elif kind == "net":
                if o.kind == "pin":
                    names = [pin_net[o.name]] if o.name in pin_net else []
                elif o.kind == "port":
                    names = [port_net[o.name]] if o.name in port_net else []
                else:
                    names = list(dict.fromkeys(pin_net[p] for p in cell_pins.get(o.name, [])
                                               if p in pin_net))
            elif kind == "cell":
                names = [o.name.rpartition("/")[0]] if o.kind == "pin" else \
                    list(dict.fromkeys(p.rpartition("/")[0] for p in net_pins.get(o.name, [])))
            elif kind == "port":
                names = net_ports.get(o.name, [])
            else:
                names = [self.design.cells[o.name]]
            for n in names:
                out[Obj(kind, n)] = None
        if not out and not quiet:
            raise TclError(f"{cmd} -of_objects: no {kind} found", w.offset)
        return ObjList(out)

    def get_ports(self, w, o):
        return self._getter(w, o, "port", "get_ports")

    def get_pins(self, w, o):
        return self._getter(w, o, "pin", "get_pins")

    def get_cells(self, w, o):
        return self._getter(w, o, "cell", "get_cells")

    def get_nets(self, w, o):
        return self._getter(w, o, "net", "get_nets")

    def get_clocks(self, w, o):
        return self._getter(w, o, "clock", "get_clocks")

    def get_lib_cells(self, words, offset):
        """Library cells by name: `cell` (any library) or `library/cell`, the library part
        a wildcard pattern (as OpenSTA's get_libs), the cell part as the flags say."""
        cmd = "get_lib_cells"
        flags, pos = _flags(words, {"-quiet": 0, "-regexp": 0, "-nocase": 0,
                                    "-of_objects": 1, "-filter": 1}, offset, cmd)
        if "-of_objects" in flags:
            if pos:
                raise TclError(f"{cmd}: give patterns or -of_objects, not both", offset)
            found = self.of_objects("lib_cell", flags["-of_objects"][0], cmd,
                                    "-quiet" in flags)
            if "-filter" in flags:
                found = self.filtered(found, "lib_cell", flags["-filter"][0])
            return found
        pool = self.design.lib_cells
        if pool is None:
            pool = sorted(set(self.design.cells.values()))
        nocase, regexp = "-nocase" in flags, "-regexp" in flags
        out: list[ObjList] = []
        for w in pos:
            for name in self.names(w):
                cells = pool
                pattern = name
                if "/" in name:
                    # OpenSTA's library/cell form: the library part matched against the
                    # libraries' names, the cell part against those libraries' cells
                    lib_pattern, pattern = name.split("/", 1)
                    cells = self._library_cells(lib_pattern, pattern, nocase, regexp,
                                                "-quiet" in flags, w.offset)
                ok = self.matcher(pattern, nocase, regexp, cmd, w.offset)
                found = ObjList(Obj("lib_cell", n) for n in cells if ok(n))
                if not found and "-quiet" not in flags:
                    raise TclError(f"{cmd}: no library cell matches {excerpt(name, 60)!r}",
                                   w.offset)
                out.append(found)
        found = _union(out) if out else ObjList()
        if "-filter" in flags:
            found = self.filtered(found, "lib_cell", flags["-filter"][0])
        return found

    def _library_cells(self, lib_pattern: str, cell_pattern: str, nocase: bool,
                       regexp: bool, quiet: bool, offset: int) -> list[str]:
        """The cells of the libraries whose names match lib_pattern (get_lib_cells
        library/cell). As OpenSTA: a cell part with another divider matches nothing, and
        so does a library name no library has (each an error here unless -quiet, where
        OpenSTA warns and returns nothing)."""
        cmd = "get_lib_cells"
        libraries = self.design.libraries
        if libraries is None:   # no library names known: every cell (from any library)
            libraries = [("*", self.design.lib_cells
                          or sorted(set(self.design.cells.values())))]
            lib_pattern = "*"
        if "/" in cell_pattern:
            if quiet:
                return []
            raise TclError(f"{cmd}: library/cell not found in "
                           f"{excerpt(lib_pattern + '/' + cell_pattern, 60)!r}", offset)
        # (OpenSTA: `get_libs -quiet $lib_name`, wildcards only, even under -regexp/-nocase)
        ok = self.matcher(lib_pattern, False, False, cmd, offset)
        chosen = [cells for name, cells in libraries if ok(name)]
        if not chosen:
            if quiet:
                return []
            raise TclError(f"{cmd}: no library named {excerpt(lib_pattern, 60)!r} (the "
                           f"libraries: {excerpt(', '.join(n for n, _ in libraries), 120)})",
                           offset)
        return list(dict.fromkeys(c for cells in chosen for c in cells))

    def all_inputs(self, w, o):
        return ObjList(Obj("port", n) for n, d in self.design.ports if d in ("input", "inout"))

    def all_outputs(self, w, o):
        return ObjList(Obj("port", n) for n, d in self.design.ports if d in ("output", "inout"))

    def all_registers(self, w, o):
        return ObjList(Obj("cell", n) for n in sorted(self.design.register_cells))

    def all_clocks(self, w, o):
        return ObjList(Obj("clock", n) for n in self.c.clocks)

    # -- constraints -------------------------------------------------------------------------
    _UNIT = re.compile(r"\s*([0-9.eE+-]*)\s*([a-zA-Z]+)\s*\Z")
    _PREFIX = {"": 1.0, "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3}

    def _unit_value(self, w: Word, base: str) -> float | None:
        m = self._UNIT.match(str(w.value))
        if m is None or not m.group(2).lower().endswith(base):
            return None
        prefix = m.group(2)[:len(m.group(2)) - len(base)].lower()
        try:
            num = float(m.group(1)) if m.group(1) else 1.0
        except ValueError:
            return None
        scale = self._PREFIX.get(prefix)
        return None if scale is None or not math.isfinite(num) else num * scale

    def set_hierarchy_separator(self, words, offset):
        # names here are flattened with "/": another separator would change every name
        if len(words) != 1 or str(words[0].value) != "/":
            raise TclError("set_hierarchy_separator: only / is supported", offset)
        return ""

    def set_units(self, words, offset):
        """SDC values are read in the first library's units (as OpenSTA): a set_units that
        agrees changes nothing; one that disagrees would change every number, an error."""
        flags, pos = _flags(words, {"-time": 1, "-capacitance": 1, "-resistance": 1,
                                    "-voltage": 1, "-current": 1, "-power": 1}, offset,
                            "set_units")
        if pos:
            raise TclError("usage: set_units [-time unit] [-capacitance unit] ...",
                           pos[0].offset)
        for flag, base, lib in (("-time", "s", self.tu), ("-capacitance", "f", self.cu)):
            if flag in flags:
                w = flags[flag][0]
                v = self._unit_value(w, base)
                if v is None:
                    raise TclError(f"set_units {flag}: cannot understand "
                                   f"{excerpt(w.value, 40)!r}", w.offset)
                if abs(v - lib) > 1e-9 * lib:
                    raise TclError(f"set_units {flag} {excerpt(w.value, 40)} differs from the "
                                   f"first library's unit ({lib:g}); SDC values are read in "
                                   "the library's units", w.offset)
        return ""

    def create_clock(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-name": 1, "-period": 1, "-waveform": 1, "-add": 0,
                                    "-comment": 1}, offset, "create_clock")
        if "-period" not in flags:
            raise TclError("create_clock: -period is required", offset)
        period = self.number(flags["-period"][0], "create_clock -period") * self.tu
        if period <= 0:
            raise TclError("create_clock: the period must be positive",
                           flags["-period"][0].offset)
        sources: list[Obj] = []
        for w in pos:
            sources.extend(self.objects(w, "create_clock"))
        if "-name" in flags:
            name = str(flags["-name"][0].value)
        elif sources:
            name = sources[0].name
        else:
            raise TclError("create_clock: give -name for a virtual clock", offset)
        if "-waveform" in flags:
            wf = self.names(flags["-waveform"][0])
            try:
                wave = [float(x) for x in wf]
            except ValueError:
                wave = [math.nan]
            if not all(abs(x) <= MAX_MAGNITUDE for x in wave):  # (False for nan)
                raise TclError("create_clock: -waveform needs finite numbers within "
                               f"{MAX_MAGNITUDE:g}", flags["-waveform"][0].offset)
            wave = [x * self.tu for x in wave]
            if len(wave) != 2:
                raise TclError("create_clock: -waveform needs {rise fall}",
                               flags["-waveform"][0].offset)
            waveform = (wave[0], wave[1])
        else:
            waveform = (0.0, period / 2)
        if "-add" not in flags:
            self._replace_clocks(name, sources)
        self.c.clocks[name] = Clock(name, period, waveform, sources)
        return ObjList([Obj("clock", name)])

    def _replace_clocks(self, name: str, sources: list[Obj]) -> None:
        """As OpenSTA: a clock defined on a source replaces the clocks already there, unless
        -add keeps them (several clocks on one port or pin)."""
        names = {o.name for o in sources}
        for other in [c for c in self.c.clocks.values()
                      if c.name != name and names & {o.name for o in c.sources}]:
            other.sources = [o for o in other.sources if o.name not in names]
            if not other.sources:
                self._delete_clock(other.name)

    def create_generated_clock(self, words: list[Word], offset: int):
        """A clock derived from a master clock's waveform as OpenSTA's Clock::generate:
        -divide_by a power of two keeps the master's first rise and a 50 % duty cycle, any
        other -divide_by or -multiply_by scales every edge (or -duty_cycle), -edges picks
        master edges (1-based, plus -edge_shift), -invert swaps the edges."""
        cmd = "create_generated_clock"
        flags, pos = _flags(words, {"-name": 1, "-source": 1, "-master_clock": 1,
                                    "-divide_by": 1, "-multiply_by": 1, "-duty_cycle": 1,
                                    "-edges": 1, "-edge_shift": 1, "-invert": 0,
                                    "-combinational": 0, "-add": 0, "-comment": 1,
                                    "-pll_output": 1, "-pll_feedback": 1}, offset, cmd)
        if "-source" not in flags:
            raise TclError(f"{cmd}: -source is required", offset)
        if len(pos) != 1:
            raise TclError(f"usage: {cmd} -source pin [options] pins", offset)
        src = self.objects(flags["-source"][0], cmd)
        if len(src) != 1:
            raise TclError(f"{cmd}: -source must name one port or pin",
                           flags["-source"][0].offset)
        sources = list(self.objects(pos[0], cmd))
        name = str(flags["-name"][0].value) if "-name" in flags else sources[0].name
        if "-master_clock" in flags:
            master = self._clock_list(flags["-master_clock"][0], cmd)[0]
        else:
            found = [c.name for c in self.c.clocks.values()
                     if src[0].name in {o.name for o in c.sources}]
            if len(found) != 1:
                raise TclError(f"{cmd}: {'no clock is' if not found else 'several clocks are'}"
                               f" defined on {excerpt(src[0].name, 60)}; give -master_clock",
                               flags["-source"][0].offset)
            master = found[0]
        mclk = self.c.clocks[master]
        period, wave = self._generate(flags, mclk, cmd, offset)
        if "-add" not in flags:
            self._replace_clocks(name, sources)
        self.c.clocks[name] = Clock(name, period, (wave[0], wave[1]), sources,
                                    master=master, master_source=src[0])
        return ObjList([Obj("clock", name)])

    def _generate(self, flags, mclk: Clock, cmd: str, offset: int):
        def integer(flag):
            w = flags[flag][0]
            v = self.number(w, f"{cmd} {flag}")
            if v != int(v) or v < 1:
                raise TclError(f"{cmd}: {flag} must be a whole number >= 1", w.offset)
            return int(v)

        kinds = [f for f in ("-divide_by", "-multiply_by", "-edges") if f in flags]
        if len(kinds) > 1:
            raise TclError(f"{cmd}: give one of -divide_by, -multiply_by, -edges", offset)
        mwave = list(mclk.waveform)
        duty = 0.0
        if "-duty_cycle" in flags:
            duty = self.number(flags["-duty_cycle"][0], f"{cmd} -duty_cycle")
            if not 0 < duty < 100:
                raise TclError(f"{cmd}: -duty_cycle must be within (0, 100)",
                               flags["-duty_cycle"][0].offset)

        def scaled(scale):
            per = mclk.period * scale
            if duty:
                return per, [mwave[0] * scale, mwave[0] * scale + per * duty / 100]
            return per, [t * scale for t in mwave]

        if "-edges" in flags:
            w = flags["-edges"][0]
            try:
                edges = [int(x) for x in self.names(w)]
            except ValueError:
                raise TclError(f"{cmd}: -edges needs whole numbers", w.offset) from None
            if len(edges) != 3 or min(edges) < 1 or edges != sorted(edges) \
                    or max(edges) > 1000:
                raise TclError(f"{cmd}: -edges needs three increasing master edge numbers "
                               "(1 is the first rise)", w.offset)
            shifts = [0.0] * 3
            if "-edge_shift" in flags:
                sw = flags["-edge_shift"][0]
                vals = self.names(sw)
                if len(vals) != 3:
                    raise TclError(f"{cmd}: -edge_shift needs three values", sw.offset)
                shifts = [self.number(Word(x, sw.offset), f"{cmd} -edge_shift") * self.tu
                          for x in vals]
            times = []
            for k, edge in enumerate(edges):
                q, r = divmod(edge - 1, 2)
                times.append(mwave[r] + q * mclk.period + shifts[k])
            period, wave = times[2] - times[0], times[:2]
            if period <= 0 or not times[0] <= times[1] <= times[2]:
                raise TclError(f"{cmd}: the edges give no valid waveform", w.offset)
        elif "-edge_shift" in flags:
            raise TclError(f"{cmd}: -edge_shift needs -edges", offset)
        elif "-multiply_by" in flags:
            period, wave = scaled(1.0 / integer("-multiply_by"))
        elif "-divide_by" in flags and integer("-divide_by") > 1:
            n = integer("-divide_by")
            if n & (n - 1) == 0:
                period = mclk.period * n
                wave = [mwave[0], mwave[0] + period / 2]
            else:
                period, wave = scaled(float(n))
        else:
            period, wave = mclk.period, mwave
        if "-invert" in flags:
            first = wave[0]
            shift = period if first >= period else 0.0
            wave = [wave[1] - shift, first - shift + period]
        return period, wave

    def set_propagated_clock(self, words: list[Word], offset: int):
        """Clocks (or the clocks defined on the given ports and pins) reach register clock
        pins through the netlist's clock network."""
        if len(words) != 1:
            raise TclError("usage: set_propagated_clock objects", offset)
        for name in self._clocks_of(words[0], "set_propagated_clock"):
            self.c.clocks[name].propagated = True
        return ""

    def _clocks_of(self, w: Word, cmd: str) -> list[str]:
        """Clock objects, clock names, or the clocks defined on the given ports and pins."""
        v = w.value
        objs = v if isinstance(v, list) else None
        if objs is None:
            objs = []
            for n in str(v).split():
                objs += [Obj("clock", n)] if n in self.c.clocks else \
                    list(self.objects(Word(n, w.offset), cmd))
        out = []
        for o in objs:
            if o.kind == "clock":
                out.append(o.name)
                continue
            found = [c.name for c in self.c.clocks.values()
                     if o.name in {s.name for s in c.sources}]
            if not found:
                raise TclError(f"{cmd}: no clock is defined on {excerpt(o.name, 60)} (only "
                               "clocks and clock sources are supported)", w.offset)
            out += found
        return list(dict.fromkeys(out))

    def set_clock_groups(self, words: list[Word], offset: int):
        """-asynchronous, -logically_exclusive or -physically_exclusive: no paths are timed
        between clocks of different -group lists (one list: against every other clock)."""
        cmd = "set_clock_groups"
        groups: list[frozenset[str]] = []
        kinds = set()
        i = 0
        while i < len(words):
            v = str(words[i].value) if not isinstance(words[i].value, list) else None
            if v in ("-group", "-name", "-comment"):
                if i + 1 >= len(words):
                    raise TclError(f"{cmd}: option {v} needs a value", words[i].offset)
                if v == "-group":
                    groups.append(frozenset(self._clock_list(words[i + 1], cmd)))
                i += 2
                continue
            if v in ("-asynchronous", "-logically_exclusive", "-physically_exclusive"):
                kinds.add(v)
            elif v == "-allow_paths":
                raise TclError(f"{cmd}: -allow_paths is not supported", words[i].offset)
            else:
                raise TclError(f"{cmd}: unexpected {excerpt(words[i].value, 60)!r} (give "
                               "-group lists)", words[i].offset)
            i += 1
        if len(kinds) != 1 or not groups:
            raise TclError(f"usage: {cmd} -asynchronous|-logically_exclusive|"
                           "-physically_exclusive -group clocks [-group clocks ...]", offset)
        self.c.clock_groups.append(groups)
        return ""

    def set_clock_latency(self, words: list[Word], offset: int):
        """Source latency (-source: before the clock's definition point, for ideal and
        propagated clocks) or network latency (ideal clocks only), per clock edge and
        early (-min, -early) / late (-max, -late)."""
        cmd = "set_clock_latency"
        flags, pos = _flags(words, {"-source": 0, "-min": 0, "-max": 0, "-early": 0,
                                    "-late": 0, "-rise": 0, "-fall": 0, "-clock": 1,
                                    "-dynamic": 1}, offset, cmd)
        if "-clock" in flags:
            raise TclError(f"{cmd}: latency on pins (-clock) is not supported; set it on the "
                           "clock", offset)
        if "-dynamic" in flags:
            raise TclError(f"{cmd}: -dynamic is not supported", offset)
        if len(pos) != 2:
            raise TclError(f"usage: {cmd} [options] delay clocks", offset)
        value = self.number(pos[0], f"{cmd} delay") * self.tu
        edges = [e for e, f in ((0, "-rise"), (1, "-fall")) if f in flags] or [0, 1]
        mms = [m for m, fs in ((0, ("-max", "-late")), (1, ("-min", "-early")))
               if any(f in flags for f in fs)] or [0, 1]
        v = pos[1].value
        if not isinstance(v, list) and not all(n in self.c.clocks for n in str(v).split()):
            raise TclError(f"{cmd}: latency on pins or ports is not supported; give clocks",
                           pos[1].offset)
        if isinstance(v, list) and any(o.kind != "clock" for o in v):
            raise TclError(f"{cmd}: latency on pins or ports is not supported; give clocks",
                           pos[1].offset)
        for name in self._clocks_of(pos[1], cmd):
            clk = self.c.clocks[name]
            table = clk.source_latency if "-source" in flags else clk.network_latency
            for e in edges:
                for mm in mms:
                    table[(e, mm)] = value
        return ""

    def set_timing_derate(self, words: list[Word], offset: int):
        """OpenSTA's rules (sdc/Sdc.tcl, set_timing_derate): -early/-late (neither: both),
        -rise/-fall of the arc's input edge (a check's data edge, a wire's edge), -clock/-data
        (neither: both), -cell_delay/-cell_check/-net_delay; without a type the design-wide
        factor applies to cell and net delays, on cells and library cells to cell delays,
        on nets to net delays. Checks are derated only with -cell_check."""
        cmd = "set_timing_derate"
        flags, pos = _flags(words, {"-early": 0, "-late": 0, "-rise": 0, "-fall": 0,
                                    "-clock": 0, "-data": 0, "-net_delay": 0,
                                    "-cell_delay": 0, "-cell_check": 0, "-min": 0,
                                    "-max": 0}, offset, cmd)
        if len(pos) not in (1, 2):
            raise TclError(f"usage: {cmd} -early|-late [options] derate [objects]", offset)
        factor = self.number(pos[0], f"{cmd} derate")
        if factor < 0:
            raise TclError(f"{cmd}: the derating factor cannot be negative", pos[0].offset)
        els = [m for m, fs in ((0, ("-late", "-max")), (1, ("-early", "-min")))
               if any(f in flags for f in fs)] or [0, 1]
        edges = [e for e, f in ((0, "-rise"), (1, "-fall")) if f in flags] or [0, 1]
        paths = [p for p, f in ((1, "-clock"), (0, "-data")) if f in flags] or [0, 1]
        given = [t for t in ("net_delay", "cell_delay", "cell_check") if f"-{t}" in flags]
        scopes: list[tuple[str, str, list[str]]] = []
        if len(pos) == 1:
            scopes.append(("design", "", given or ["net_delay", "cell_delay"]))
        else:
            cell_types = [t for t in given if t != "net_delay"] or ["cell_delay"]
            for obj in self.objects(pos[1], cmd, kinds=("cell", "net")):
                if obj.kind == "net":
                    scopes.append(("net", obj.name, ["net_delay"]))
                elif obj.kind in ("cell", "lib_cell"):
                    scopes.append(("inst" if obj.kind == "cell" else "lib_cell", obj.name,
                                   cell_types))
                else:
                    raise TclError(f"{cmd}: {excerpt(obj.name, 60)} is a {obj.kind}; give "
                                   "cells, library cells or nets", pos[1].offset)
        for scope, name, types in scopes:
            table = self.c.derates.setdefault((scope, name), {})
            for t in types:
                for p in paths:
                    for e in edges:
                        for el in els:
                            table[(t, p, e, el)] = factor
        return ""

    def set_disable_timing(self, words: list[Word], offset: int):
        """Instances and library cells (every arc but timing checks, or the arcs -from/-to
        the given cell pins), pins and ports (no path through them), as OpenSTA."""
        cmd = "set_disable_timing"
        flags, pos = _flags(words, {"-from": 1, "-to": 1, "-restore": 0}, offset, cmd)
        if "-restore" in flags:
            raise TclError(f"{cmd}: -restore is not supported", offset)
        if len(pos) != 1:
            raise TclError(f"usage: {cmd} [-from pin] [-to pin] objects", offset)
        frm = str(flags["-from"][0].value) if "-from" in flags else None
        to = str(flags["-to"][0].value) if "-to" in flags else None
        for obj in self.objects(pos[0], cmd, kinds=("cell", "port", "pin")):
            if obj.kind in ("cell", "lib_cell"):
                self.c.disabled.append(("inst" if obj.kind == "cell" else "lib_cell",
                                        obj.name, frm, to))
            elif obj.kind in ("pin", "port"):
                if frm is not None or to is not None:
                    self.warn(f"{cmd}: -from/-to ignored for pins and ports (as OpenSTA)",
                              offset)
                self.c.disabled.append((obj.kind, obj.name, None, None))
            else:
                raise TclError(f"{cmd}: {excerpt(obj.name, 60)} is a {obj.kind}; give "
                               "cells, library cells, pins or ports", pos[0].offset)
        return ""

    def set_limit(self, words: list[Word], offset: int, kind: str):
        """A design-rule limit (max_transition, max_capacitance, max_fanout) on the design
        (`[current_design]`) or on ports (drc.py)."""
        cmd = f"set_{kind}"
        flags, pos = _flags(words, {"-clock_path": 0, "-data_path": 0, "-rise": 0,
                                    "-fall": 0}, offset, cmd)
        if flags:
            raise TclError(f"{cmd}: {next(iter(flags))} is not supported (limits on clocks "
                           "and per edge)", offset)
        what = {"max_transition": "transition", "max_capacitance": "capacitance",
                "max_fanout": "fanout"}[kind]
        if len(pos) != 2:
            raise TclError(f"usage: {cmd} {what} [current_design]|ports", offset)
        scale = {"max_transition": self.tu, "max_capacitance": self.cu, "max_fanout": 1.0}
        value = self.number(pos[0], f"{cmd} value") * scale[kind]
        if value < 0:
            raise TclError(f"{cmd}: the limit cannot be negative", pos[0].offset)
        table = self.c.limits.setdefault(kind, {})
        v = pos[1].value
        if not isinstance(v, list) and str(v) in ("", self.design_name):
            table[""] = value
            return ""
        for obj in self.objects(pos[1], cmd, kinds=("port",)):
            if obj.kind != "port":
                raise TclError(f"{cmd}: {excerpt(obj.name, 60)} is a {obj.kind}; give "
                               "[current_design] or ports", pos[1].offset)
            table[obj.name] = value
        return ""

    def set_case_analysis(self, words: list[Word], offset: int):
        """A constant 0 or 1 on ports or pins, propagated through cell functions."""
        cmd = "set_case_analysis"
        if len(words) != 2:
            raise TclError(f"usage: {cmd} 0|1|zero|one pins_or_ports", offset)
        v = str(words[0].value).lower()
        value = {"0": 0, "1": 1, "zero": 0, "one": 1}.get(v)
        if value is None:
            if v in ("rise", "rising", "fall", "falling"):
                raise TclError(f"{cmd}: {v} (one transition only) is not supported; give 0 "
                               "or 1", words[0].offset)
            raise TclError(f"{cmd}: the value must be 0, 1, zero or one, found "
                           f"{excerpt(words[0].value, 40)!r}", words[0].offset)
        for obj in self.objects(words[1], cmd, kinds=("port", "pin")):
            if obj.kind not in ("port", "pin"):
                raise TclError(f"{cmd}: {excerpt(obj.name, 60)} is not a port or pin",
                               words[1].offset)
            self.c.case[obj.name] = value
        return ""

    def _delete_clock(self, name: str) -> None:
        """Remove a clock and the port delays that refer to it (as OpenSTA's removeClock)."""
        del self.c.clocks[name]
        for table in (self.c.input_delays, self.c.output_delays):
            for port, entries in list(table.items()):
                entries[:] = [e for e in entries if e.clock != name]

    def _clock_list(self, w: Word, cmd: str) -> list[str]:
        v = w.value
        names = [o.name for o in v] if isinstance(v, list) else str(v).split()
        for n in names:
            if n not in self.c.clocks:
                raise TclError(f"{cmd}: no clock named {excerpt(n, 60)!r}", w.offset)
        return names

    @staticmethod
    def _edges_minmax(flags) -> list[tuple[int, int]]:
        edges = [e for e, f in ((0, "-rise"), (1, "-fall")) if f in flags] or [0, 1]
        mms = [m for m, f in ((0, "-max"), (1, "-min")) if f in flags] or [0, 1]
        return [(e, m) for e in edges for m in mms]

    def io_delay(self, words: list[Word], offset: int, cmd: str):
        flags, pos = _flags(words, {"-clock": 1, "-clock_fall": 0, "-max": 0, "-min": 0,
                                    "-rise": 0, "-fall": 0, "-add_delay": 0,
                                    "-network_latency_included": 0,
                                    "-source_latency_included": 0, "-reference_pin": 1},
                            offset, cmd)
        ref = None
        if "-reference_pin" in flags:
            refs = self.objects(flags["-reference_pin"][0], cmd, ("pin", "port"))
            if len(refs) != 1 or refs[0].kind not in ("pin", "port"):
                raise TclError(f"{cmd}: -reference_pin takes one pin or port",
                               flags["-reference_pin"][0].offset)
            if "-clock" not in flags:
                raise TclError(f"{cmd}: -reference_pin needs -clock", offset)
            ref = refs[0].name
        if len(pos) != 2:
            raise TclError(f"usage: {cmd} [options] delay port_list", offset)
        delay = self.number(pos[0], f"{cmd} delay") * self.tu
        clock = None
        if "-clock" in flags:
            clock = self._clock_list(flags["-clock"][0], cmd)[0]
        else:
            self.warn(f"{cmd} without -clock: the delay has no clock edge to refer to and "
                      "is not timed", offset)
        table = self.c.input_delays if cmd == "set_input_delay" else self.c.output_delays
        want = "input" if cmd == "set_input_delay" else "output"
        for obj in self.objects(pos[1], cmd):
            if obj.kind != "port":
                raise TclError(f"{cmd}: {excerpt(obj.name, 60)} is a pin; only ports are "
                               "supported", pos[1].offset)
            if self.port_dir[obj.name] not in (want, "inout"):
                raise TclError(f"{cmd}: {excerpt(obj.name, 60)} is not an {want} port",
                               pos[1].offset)
            entries = table.setdefault(obj.name, [])
            entry = next((e for e in entries if e.clock == clock
                          and e.clock_fall == ("-clock_fall" in flags)
                          and e.ref_pin == ref), None)
            if entry is None:
                if "-add_delay" not in flags:
                    entries.clear()
                entry = PortDelay(clock, "-clock_fall" in flags, {}, ref)
                entries.append(entry)
            for key in self._edges_minmax(flags):
                entry.values[key] = delay
        return ""

    def set_load(self, words: list[Word], offset: int):
        """OpenSTA's rules: on ports, -pin_load (the default) and -wire_load are separate
        external capacitances per edge and min/max, both added to the port's net; on nets,
        a wire capacitance per min/max (no edges) that replaces any estimate, less the net's
        pin capacitance with -subtract_pin_load."""
        flags, pos = _flags(words, {"-pin_load": 0, "-wire_load": 0, "-min": 0, "-max": 0,
                                    "-subtract_pin_load": 0, "-rise": 0, "-fall": 0,
                                    "-corner": 1}, offset, "set_load")
        if len(pos) != 2:
            raise TclError("usage: set_load [options] capacitance objects", offset)
        cap = self.number(pos[0], "set_load capacitance") * self.cu
        keys = self._edges_minmax(flags)
        wire = "-wire_load" in flags and "-pin_load" not in flags
        for obj in self.objects(pos[1], "set_load", kinds=("port", "net")):
            if obj.kind == "port":
                table = self.c.port_wire_loads if wire else self.c.port_loads
                d = table.setdefault(obj.name, {})
                for key in keys:
                    d[key] = cap
            elif obj.kind == "net":
                d = self.c.net_loads.setdefault(obj.name, {})
                for mm in sorted({mm for _, mm in keys}):
                    d[mm] = (cap, "-subtract_pin_load" in flags)
            else:
                raise TclError(f"set_load: {excerpt(obj.name, 60)} is not a port or net",
                               pos[1].offset)
        return ""

    def set_input_transition(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-min": 0, "-max": 0, "-rise": 0, "-fall": 0,
                                    "-clock": 1, "-clock_fall": 0}, offset,
                            "set_input_transition")
        if len(pos) != 2:
            raise TclError("usage: set_input_transition [options] transition ports", offset)
        slew = self.number(pos[0], "set_input_transition value") * self.tu
        if slew < 0:
            raise TclError("set_input_transition: the transition cannot be negative",
                           pos[0].offset)
        for obj in self.objects(pos[1], "set_input_transition"):
            d = self.c.input_transitions.setdefault(obj.name, {})
            for key in self._edges_minmax(flags):
                d[key] = slew
        return ""

    def set_driving_cell(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-lib_cell": 1, "-cell": 1, "-pin": 1, "-from_pin": 1,
                                    "-library": 1, "-input_transition_rise": 1,
                                    "-input_transition_fall": 1, "-min": 0, "-max": 0,
                                    "-rise": 0, "-fall": 0, "-dont_scale": 0, "-no_design_rule": 0,
                                    "-multiply_by": 1}, offset, "set_driving_cell")
        cellw = flags.get("-lib_cell") or flags.get("-cell")
        if not cellw or len(pos) != 1:
            raise TclError("usage: set_driving_cell -lib_cell cell [-pin pin] ports", offset)
        where = self.interp.error("", cellw[0].offset)  # file, line, column for later errors
        spec = {"cell": str(cellw[0].value), "offset": cellw[0].offset,
                "where": (where.file, where.line, where.column),
                "pin": str(flags["-pin"][0].value) if "-pin" in flags else None,
                "from_pin": str(flags["-from_pin"][0].value) if "-from_pin" in flags else None,
                "slew": (self.number(flags["-input_transition_rise"][0], "transition") * self.tu
                         if "-input_transition_rise" in flags else 0.0,
                         self.number(flags["-input_transition_fall"][0], "transition") * self.tu
                         if "-input_transition_fall" in flags else 0.0)}
        mms = [m for m, f in ((0, "-max"), (1, "-min")) if f in flags] or [0, 1]
        for obj in self.objects(pos[0], "set_driving_cell"):
            if obj.kind != "port" or self.port_dir.get(obj.name) not in ("input", "inout"):
                raise TclError(f"set_driving_cell: {excerpt(obj.name, 60)} is not an input "
                               "port", pos[0].offset)
            d = self.c.driving_cells.setdefault(obj.name, {})
            for mm in mms:
                d[mm] = spec
        return ""

    def set_clock_uncertainty(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-setup": 0, "-hold": 0, "-from": 1, "-to": 1,
                                    "-rise_from": 1, "-fall_from": 1, "-rise_to": 1,
                                    "-fall_to": 1}, offset, "set_clock_uncertainty")
        if any(f in flags for f in ("-from", "-to", "-rise_from", "-fall_from", "-rise_to",
                                    "-fall_to")):
            return self._inter_uncertainty(flags, pos, offset)
        if not pos:
            raise TclError("usage: set_clock_uncertainty [-setup] [-hold] value [clocks]",
                           offset)
        value = self.number(pos[0], "uncertainty") * self.tu
        clocks = list(self.c.clocks) if len(pos) == 1 else \
            [n for w in pos[1:] for n in self._clock_list(w, "set_clock_uncertainty")]
        for name in clocks:
            clk = self.c.clocks[name]
            if "-setup" in flags or "-hold" not in flags:
                clk.uncertainty_setup = value
            if "-hold" in flags or "-setup" not in flags:
                clk.uncertainty_hold = value
        return ""

    def _inter_uncertainty(self, flags, pos: list[Word], offset: int):
        """-from/-to clocks (or -rise_from ... -fall_to for one edge): the uncertainty of
        paths launched by one clock and captured by the other."""
        cmd = "set_clock_uncertainty"
        frm = [(f, rf) for f, rf in (("-from", None), ("-rise_from", 0), ("-fall_from", 1))
               if f in flags]
        to = [(f, rf) for f, rf in (("-to", None), ("-rise_to", 0), ("-fall_to", 1))
              if f in flags]
        if len(frm) != 1 or len(to) != 1 or len(pos) != 1:
            raise TclError(f"usage: {cmd} [-setup|-hold] -from|-rise_from|-fall_from clocks "
                           "-to|-rise_to|-fall_to clocks value", offset)
        value = self.number(pos[0], "uncertainty") * self.tu
        checks = [c for c, f in ((0, "-setup"), (1, "-hold")) if f in flags] or [0, 1]
        src_edges = [0, 1] if frm[0][1] is None else [frm[0][1]]
        tgt_edges = [0, 1] if to[0][1] is None else [to[0][1]]
        for a in self._clock_list(flags[frm[0][0]][0], cmd):
            for b in self._clock_list(flags[to[0][0]][0], cmd):
                d = self.c.uncertainty.setdefault((a, b), {})
                for se in src_edges:
                    for te in tgt_edges:
                        for c in checks:
                            d[(se, te, c)] = value
        return ""

    def set_clock_transition(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-rise": 0, "-fall": 0, "-min": 0, "-max": 0}, offset,
                            "set_clock_transition")
        if len(pos) != 2:
            raise TclError("usage: set_clock_transition [options] transition clocks", offset)
        value = self.number(pos[0], "transition") * self.tu
        for name in self._clock_list(pos[1], "set_clock_transition"):
            for key in self._edges_minmax(flags):
                self.c.clocks[name].transition[key] = value
        return ""

    _POINTS = {"-from": ("from", None), "-rise_from": ("from", 0), "-fall_from": ("from", 1),
               "-to": ("to", None), "-rise_to": ("to", 0), "-fall_to": ("to", 1),
               "-through": ("thru", None), "-rise_through": ("thru", 0),
               "-fall_through": ("thru", 1), "-thru": ("thru", None)}

    def group_path(self, words: list[Word], offset: int):
        """group_path -name NAME | -default, with -from/-through/-to points: the paths it
        matches are reported in that group (-default: OpenSTA's **default** group).
        -weight and -critical_range change no report of OpenSTA's: accepted."""
        rest: list[Word] = []
        name = None
        default = False
        i = 0
        while i < len(words):
            v = words[i].value if isinstance(words[i].value, str) else None
            if v in ("-name", "-weight", "-critical_range"):
                if i + 1 >= len(words):
                    raise TclError(f"group_path: option {v} needs a value", words[i].offset)
                if v == "-name":
                    name = str(words[i + 1].value)
                else:
                    self.number(words[i + 1], f"group_path {v}")
                i += 2
                continue
            if v == "-default":
                default = True
            else:
                rest.append(words[i])
            i += 1
        if (name is None) == (not default):
            raise TclError("group_path: give -name NAME or -default (one of them)", offset)
        if not name and not default:
            raise TclError("group_path: -name needs a group name", offset)
        return self.exception(rest, offset, "group_path",
                              "**default**" if default else name)

    def exception(self, words: list[Word], offset: int, kind: str, group: str | None = None):
        """OpenSTA's exception commands: -from/-to (and -rise_/-fall_ forms) once each,
        -through (and forms) repeatable and ordered, -rise/-fall of the endpoint's data,
        -setup/-hold, and for multicycle paths -start/-end."""
        cmd = {"false_path": "set_false_path", "multicycle": "set_multicycle_path",
               "max_delay": "set_max_delay", "min_delay": "set_min_delay",
               "group_path": "group_path"}[kind]
        simple = set() if kind == "group_path" else \
            {"-setup", "-hold", "-start", "-end", "-rise", "-fall"}
        frm = to = None
        from_rf = to_rf = None
        thrus: list[tuple[list[Obj], int | None]] = []
        seen: set[str] = set()
        pos: list[Word] = []
        i = 0
        while i < len(words):
            w = words[i]
            v = w.value if isinstance(w.value, str) else None
            if v in self._POINTS:
                if i + 1 >= len(words):
                    raise TclError(f"{cmd}: option {v} needs a value", w.offset)
                where, rf = self._POINTS[v]
                arg = words[i + 1]
                if where == "thru":
                    thrus.append((list(self.objects(arg, cmd, ("pin", "port", "net", "cell"))),
                                  rf))
                elif where in seen:
                    raise TclError(f"{cmd}: more than one -{where} option", w.offset)
                elif where == "from":
                    frm, from_rf = self.objects(arg, cmd, ("port", "pin", "cell", "clock")), rf
                else:
                    to, to_rf = self.objects(arg, cmd, ("port", "pin", "cell", "clock")), rf
                seen.add(where)
                i += 2
            elif v == "-comment":
                i += 2
            elif v in simple:
                seen.add(v)
                i += 1
            elif v in ("-reset_path", "-ignore_clock_latency"):
                raise TclError(f"{cmd}: {v} is not supported (it would change the timing)",
                               w.offset)
            elif v is not None and v.startswith("-") and len(v) > 1 and not _is_number(v):
                raise TclError(f"{cmd}: unknown option {excerpt(v, 60)}", w.offset)
            else:
                pos.append(w)
                i += 1
        for o in thrus:
            bad = next((x for x in o[0] if x.kind not in ("pin", "port", "net", "cell")), None)
            if bad is not None:
                raise TclError(f"{cmd}: -through {excerpt(bad.name, 60)} is a {bad.kind}; "
                               "give pins, ports, nets or cells", offset)
        if frm is None and to is None and not thrus:
            # OpenSTA: an error for set_false_path and group_path; Debian's sta accepts the
            # others but they change no slack there, so none is guessed at here
            raise TclError(f"{cmd}: -from, -through or -to required", offset)
        value = 0.0
        if kind not in ("false_path", "group_path"):
            if len(pos) != 1:
                raise TclError(f"usage: {cmd} value [-from ...] [-through ...] [-to ...]",
                               offset)
            value = self.number(pos[0], f"{cmd} value")
            if kind == "multicycle":
                if value != int(value) or value < 0:
                    raise TclError(f"{cmd}: the multiplier must be a whole number",
                                   pos[0].offset)
            else:
                value *= self.tu
        elif pos:
            raise TclError(f"{cmd}: unexpected argument {excerpt(pos[0].value, 60)!r}",
                           pos[0].offset)
        if "-rise" in seen and "-fall" in seen:
            raise TclError(f"{cmd}: give -rise or -fall, not both", offset)
        end_rf = 0 if "-rise" in seen else 1 if "-fall" in seen else None
        if kind in ("max_delay", "min_delay"):
            min_max = "max" if kind == "max_delay" else "min"
        elif "-setup" in seen and "-hold" not in seen:
            min_max = "max"
        elif "-hold" in seen and "-setup" not in seen:
            min_max = "min"
        else:
            min_max = "all"
        if kind != "multicycle" and ("-start" in seen or "-end" in seen):
            raise TclError(f"{cmd}: -start and -end are for set_multicycle_path", offset)
        if "-start" in seen and "-end" in seen:
            raise TclError(f"{cmd}: give -start or -end, not both", offset)
        # OpenSTA's default: setup multipliers count capture periods, hold ones launch periods
        use_end = "-end" in seen or ("-start" not in seen and min_max != "min")
        for o in to or []:
            # -to a pin that is no timing endpoint: OpenSTA makes it one for path delays
            # (not done here: refused); other exceptions never match it (warned)
            if o.kind == "pin" and (self.design.pins.get(o.name) != "input" or
                                    o.name.rpartition("/")[0] not in
                                    self.design.register_cells):
                if kind in ("max_delay", "min_delay"):
                    raise TclError(f"{cmd}: -to {excerpt(o.name, 60)} is not a timing "
                                   "endpoint (register data pin or output port); path delays "
                                   "to internal pins are not supported", offset)
                self.warn(f"{cmd}: -to {excerpt(o.name, 60)} is not a timing endpoint; no "
                          "path ends there (as OpenSTA)", offset)
        x = Exception_(kind, frm, to, min_max in ("all", "max"), min_max in ("all", "min"),
                       value, offset, from_rf, thrus, to_rf, end_rf, use_end, min_max, group)
        key = x.key()
        old = self._exception_keys.get(key)
        if old is not None:   # the same points again: the later one replaces it (OpenSTA)
            self.c.exceptions[old] = x
        else:
            self._exception_keys[key] = len(self.c.exceptions)
            self.c.exceptions.append(x)
        return ""


def read_sdc_text(text: str, filename: str, design: DesignNames, time_unit: float,
                  cap_unit: float) -> Constraints:
    if text.startswith("\ufeff"):  # a byte-order mark (Windows editors): blank, same offsets
        text = " " + text[1:]
    try:
        return _Reader(text, filename, design, time_unit, cap_unit).run()
    except TclError as exc:  # raised outside Interp.run (should not happen), keep location
        raise InputError(exc.reason, file=filename) from None
