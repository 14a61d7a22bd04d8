"""SDC constraints: the subset static timing needs, read with the safe Tcl reader (tcl.py).

Numbers in SDC are in the units of the first Liberty library (as in OpenSTA); the reader
converts them to seconds and farads. Commands this reader does not know produce a warning that
names them; they are never skipped silently. Object queries (`get_ports` ...) return lists of
`Obj`, matched with `*`/`?` wildcards against the flattened netlist.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from edapipe.errors import InputError
from edapipe.timing.tcl import Interp, TclError, Word


@dataclass(frozen=True, slots=True)
class Obj:
    kind: str  # port, pin, cell, net, clock
    name: str

    def __str__(self) -> str:
        return self.name


class ObjList(list):
    """A list of design objects; prints like OpenSTA's object lists."""

    def __str__(self) -> str:
        return " ".join(o.name for o in self)


@dataclass
class Clock:
    name: str
    period: float
    waveform: tuple[float, float]
    sources: list[Obj]           # ports or pins; empty for a virtual clock
    uncertainty_setup: float = 0.0
    uncertainty_hold: float = 0.0
    # transition[(edge, minmax)] with edge 0 rise / 1 fall, minmax 0 max / 1 min
    transition: dict[tuple[int, int], float] = field(default_factory=dict)


@dataclass
class PortDelay:
    """set_input_delay / set_output_delay on one port: value per (edge, minmax)."""

    clock: str | None
    clock_fall: bool
    values: dict[tuple[int, int], float]


@dataclass
class Exception_:
    """set_false_path / set_multicycle_path / set_max_delay / set_min_delay."""

    kind: str                    # false_path, multicycle, max_delay, min_delay
    from_objs: list[Obj] | None
    to_objs: list[Obj] | None
    setup: bool                  # applies to setup (max) analysis
    hold: bool                   # applies to hold (min) analysis
    value: float = 0.0           # multiplier or delay (s)
    offset: int = 0


@dataclass
class Constraints:
    clocks: dict[str, Clock] = field(default_factory=dict)
    input_delays: dict[str, list[PortDelay]] = field(default_factory=dict)
    output_delays: dict[str, list[PortDelay]] = field(default_factory=dict)
    port_loads: dict[str, float] = field(default_factory=dict)      # F
    net_loads: dict[str, float] = field(default_factory=dict)       # F (wire cap)
    input_transitions: dict[str, dict[tuple[int, int], float]] = field(default_factory=dict)
    driving_cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    exceptions: list[Exception_] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class DesignNames:
    """The names SDC queries can match, from the flattened netlist."""

    ports: list[tuple[str, str]]          # (bit name, direction)
    cells: dict[str, str]                 # instance -> library cell
    nets: list[str]
    register_cells: set[str]              # instance names with sequential cells
    # "inst/pin" -> direction, built on first use (get_pins): large designs rarely need it
    pin_table: Callable[[], dict[str, str]] | None = None
    _pins: dict[str, str] | None = None

    @property
    def pins(self) -> dict[str, str]:
        if self._pins is None:
            self._pins = self.pin_table() if self.pin_table is not None else {}
        return self._pins


def _pattern(text: str) -> re.Pattern:
    out = []
    for ch in text:
        out.append(".*" if ch == "*" else ("." if ch == "?" else re.escape(ch)))
    return re.compile("".join(out) + r"\Z")


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
                raise TclError(f"{cmd}: unknown option {v}", w.offset)
            n = spec[v]
            if n and i + n >= len(words):
                raise TclError(f"{cmd}: option {v} needs a value", w.offset)
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
            "get_clocks": self.get_clocks, "all_inputs": self.all_inputs,
            "all_outputs": self.all_outputs, "all_registers": self.all_registers,
            "all_clocks": self.all_clocks,
            "create_clock": self.create_clock,
            "set_input_delay": lambda w, o: self.io_delay(w, o, "set_input_delay"),
            "set_output_delay": lambda w, o: self.io_delay(w, o, "set_output_delay"),
            "set_load": self.set_load, "set_input_transition": self.set_input_transition,
            "set_driving_cell": self.set_driving_cell,
            "set_clock_uncertainty": self.set_clock_uncertainty,
            "set_clock_transition": self.set_clock_transition,
            "set_false_path": lambda w, o: self.exception(w, o, "false_path"),
            "set_multicycle_path": lambda w, o: self.exception(w, o, "multicycle"),
            "set_max_delay": lambda w, o: self.exception(w, o, "max_delay"),
            "set_min_delay": lambda w, o: self.exception(w, o, "min_delay"),
            "current_design": lambda w, o: "",
            "set_units": self.set_units,
        }
        self.interp = Interp(text, filename, cmds, self.unknown)

    def run(self) -> Constraints:
        self.interp.run()
        return self.c

    def warn(self, msg: str, offset: int) -> None:
        text = self.interp.text
        line = text.count("\n", 0, offset) + 1
        self.c.warnings.append(f"{self.filename}:{line}: {msg}")

    def unknown(self, name: str, words: list[Word], offset: int):
        self.warn(f"unsupported SDC command {name!r} ignored", offset)
        return ""

    # -- values ------------------------------------------------------------------------------
    def number(self, w: Word, what: str) -> float:
        try:
            v = float(str(w.value))
        except ValueError:
            raise TclError(f"{what} must be a number, found {str(w.value)!r}", w.offset) \
                from None
        if not math.isfinite(v):
            raise TclError(f"{what} must be finite", w.offset)
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
        out = ObjList()
        for name in str(v).split():
            found = ObjList()
            for kind in kinds:
                found = self.match(kind, name)
                if found:
                    break
            if not found:
                raise TclError(f"{cmd}: no {' or '.join(kinds)} matches {name!r}", w.offset)
            out.extend(found)
        return out

    def match(self, kind: str, pattern: str) -> ObjList:
        d = self.design
        wild = "*" in pattern or "?" in pattern
        if kind == "port":
            if not wild:
                if pattern in self.port_dir:
                    return ObjList([Obj("port", pattern)])
                return ObjList(Obj("port", b) for b in self.bus_bits.get(pattern, []))
            rx = _pattern(pattern)
            return ObjList(Obj("port", n) for n, _ in d.ports
                           if rx.match(n) or rx.match(n.split("[", 1)[0]))
        if kind == "clock":
            rx = _pattern(pattern)
            return ObjList(Obj("clock", n) for n in self.c.clocks if rx.match(n))
        pool = {"pin": d.pins, "cell": d.cells, "net": d.nets}[kind]
        if not wild:
            return ObjList([Obj(kind, pattern)]) if pattern in pool else ObjList()
        rx = _pattern(pattern)
        return ObjList(Obj(kind, n) for n in pool if rx.match(n))

    def _getter(self, words: list[Word], offset: int, kind: str, cmd: str) -> ObjList:
        flags, pos = _flags(words, {"-quiet": 0, "-hierarchical": 0, "-hier": 0,
                                    "-of_objects": 1, "-regexp": 0, "-nocase": 0}, offset, cmd)
        if "-of_objects" in flags:
            raise TclError(f"{cmd}: -of_objects is not supported", offset)
        out = ObjList()
        for w in pos:
            for name in self.names(w):
                found = self.match(kind, name)
                if not found and "-quiet" not in flags:
                    raise TclError(f"{cmd}: no {kind} matches {name!r}", w.offset)
                out.extend(found)
        return out

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

    def all_inputs(self, w, o):
        return ObjList(Obj("port", n) for n, d in self.design.ports if d in ("input", "inout"))

    def all_outputs(self, w, o):
        return ObjList(Obj("port", n) for n, d in self.design.ports if d in ("output", "inout"))

    def all_registers(self, w, o):
        return ObjList(Obj("cell", n) for n in sorted(self.design.register_cells))

    def all_clocks(self, w, o):
        return ObjList(Obj("clock", n) for n in self.c.clocks)

    # -- constraints -------------------------------------------------------------------------
    def set_units(self, words, offset):
        self.warn("set_units is ignored: SDC values use the first Liberty library's units",
                  offset)
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
                wave = [float(x) * self.tu for x in wf]
            except ValueError:
                raise TclError("create_clock: -waveform needs numbers",
                               flags["-waveform"][0].offset) from None
            if len(wave) != 2:
                raise TclError("create_clock: -waveform needs {rise fall}",
                               flags["-waveform"][0].offset)
            waveform = (wave[0], wave[1])
        else:
            waveform = (0.0, period / 2)
        self.c.clocks[name] = Clock(name, period, waveform, sources)
        return ObjList([Obj("clock", name)])

    def _clock_list(self, w: Word, cmd: str) -> list[str]:
        v = w.value
        names = [o.name for o in v] if isinstance(v, list) else str(v).split()
        for n in names:
            if n not in self.c.clocks:
                raise TclError(f"{cmd}: no clock named {n!r}", w.offset)
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
        if "-reference_pin" in flags:
            raise TclError(f"{cmd}: -reference_pin is not supported", offset)
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
                raise TclError(f"{cmd}: {obj.name} is a pin; only ports are supported",
                               pos[1].offset)
            if self.port_dir[obj.name] not in (want, "inout"):
                raise TclError(f"{cmd}: {obj.name} is not an {want} port", pos[1].offset)
            entries = table.setdefault(obj.name, [])
            entry = next((e for e in entries if e.clock == clock
                          and e.clock_fall == ("-clock_fall" in flags)), None)
            if entry is None:
                if "-add_delay" not in flags:
                    entries.clear()
                entry = PortDelay(clock, "-clock_fall" in flags, {})
                entries.append(entry)
            for key in self._edges_minmax(flags):
                entry.values[key] = delay
        return ""

    def set_load(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-pin_load": 0, "-wire_load": 0, "-min": 0, "-max": 0,
                                    "-subtract_pin_load": 0, "-rise": 0, "-fall": 0},
                            offset, "set_load")
        if len(pos) != 2:
            raise TclError("usage: set_load [options] capacitance objects", offset)
        cap = self.number(pos[0], "set_load capacitance") * self.cu
        for obj in self.objects(pos[1], "set_load", kinds=("port", "net")):
            if obj.kind == "port":
                self.c.port_loads[obj.name] = cap
            elif obj.kind == "net":
                self.c.net_loads[obj.name] = cap
            else:
                raise TclError(f"set_load: {obj.name} is not a port or net", pos[1].offset)
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
        spec = {"cell": str(cellw[0].value), "offset": cellw[0].offset,
                "pin": str(flags["-pin"][0].value) if "-pin" in flags else None,
                "from_pin": str(flags["-from_pin"][0].value) if "-from_pin" in flags else None,
                "slew": (self.number(flags["-input_transition_rise"][0], "transition") * self.tu
                         if "-input_transition_rise" in flags else 0.0,
                         self.number(flags["-input_transition_fall"][0], "transition") * self.tu
                         if "-input_transition_fall" in flags else 0.0)}
        for obj in self.objects(pos[0], "set_driving_cell"):
            self.c.driving_cells[obj.name] = spec
        return ""

    def set_clock_uncertainty(self, words: list[Word], offset: int):
        flags, pos = _flags(words, {"-setup": 0, "-hold": 0, "-from": 1, "-to": 1,
                                    "-rise_from": 1, "-fall_from": 1, "-rise_to": 1,
                                    "-fall_to": 1}, offset, "set_clock_uncertainty")
        if any(f in flags for f in ("-from", "-to", "-rise_from", "-fall_from", "-rise_to",
                                    "-fall_to")):
            raise TclError("set_clock_uncertainty: inter-clock uncertainty is not supported",
                           offset)
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

    def exception(self, words: list[Word], offset: int, kind: str):
        cmd = {"false_path": "set_false_path", "multicycle": "set_multicycle_path",
               "max_delay": "set_max_delay", "min_delay": "set_min_delay"}[kind]
        flags, pos = _flags(words, {"-from": 1, "-to": 1, "-through": 1, "-setup": 0,
                                    "-hold": 0, "-start": 0, "-end": 0, "-rise": 0, "-fall": 0,
                                    "-comment": 1, "-ignore_clock_latency": 0,
                                    "-rise_from": 1, "-fall_from": 1, "-rise_to": 1,
                                    "-fall_to": 1, "-reset_path": 0}, offset, cmd)
        for unsupported in ("-through", "-rise_from", "-fall_from", "-rise_to", "-fall_to"):
            if unsupported in flags:
                raise TclError(f"{cmd}: {unsupported} is not supported", offset)
        value = 0.0
        if kind != "false_path":
            if len(pos) != 1:
                raise TclError(f"usage: {cmd} value [-from ...] [-to ...]", offset)
            value = self.number(pos[0], f"{cmd} value")
            if kind == "multicycle":
                if value != int(value) or value < 0:
                    raise TclError(f"{cmd}: the multiplier must be a whole number",
                                   pos[0].offset)
            else:
                value *= self.tu
        elif pos:
            raise TclError(f"{cmd}: unexpected argument {pos[0].value!r}", pos[0].offset)
        if kind == "multicycle":
            setup = "-hold" not in flags
            hold = "-hold" in flags
        elif kind == "max_delay":
            setup, hold = True, False
        elif kind == "min_delay":
            setup, hold = False, True
        else:
            setup = "-hold" not in flags or "-setup" in flags
            hold = "-setup" not in flags or "-hold" in flags
        kinds = ("port", "pin", "cell", "clock")
        frm = self.objects(flags["-from"][0], cmd, kinds) if "-from" in flags else None
        to = self.objects(flags["-to"][0], cmd, kinds) if "-to" in flags else None
        self.c.exceptions.append(Exception_(kind, frm, to, setup, hold, value, offset))
        return ""


def read_sdc_text(text: str, filename: str, design: DesignNames, time_unit: float,
                  cap_unit: float) -> Constraints:
    try:
        return _Reader(text, filename, design, time_unit, cap_unit).run()
    except TclError as exc:  # raised outside Interp.run (should not happen), keep location
        raise InputError(exc.reason, file=filename) from None
