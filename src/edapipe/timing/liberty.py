"""Liberty libraries: cells, pins, timing arcs and NLDM tables, in SI units.

`read_liberty(path)` parses (liberty_syntax), converts every number to seconds / farads / ohms
using the library's own unit attributes, and keeps cell functions as parsed expressions
(boolexpr). The result is cached as a pickle in the user cache folder (one folder per version
of the reader, util/cache.py), keyed by the file's path and a hash of its bytes, because
parsing the 12.8 MB sky130 library takes seconds.
Numbers must be finite and table axes strictly increasing (a located error otherwise).
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from edapipe.errors import ResourceLimit, excerpt
from edapipe.timing import boolexpr
from edapipe.timing.liberty_syntax import Group, SourceText, parse
from edapipe.util import cache as user_cache
from edapipe.util import files
from edapipe.util.files import read_bytes

# The parsed-library cache is keyed by a stamp of the sources of everything that parses or is
# pickled (this module, liberty_syntax, boolexpr) and of numpy's version: any change to the
# reader (a class, or something it now refuses) starts a new cache folder, and the old one is
# removed once unused (util/cache.py). Nothing to bump by hand.
_CACHE_SOURCES = ("liberty.py", "liberty_syntax.py", "boolexpr.py")
_cache_stamp_memo: list[str] = []
_LEGACY_ENTRY = re.compile(r"[0-9a-f]{40}\.pkl\Z")   # entries of the unversioned layout

# Table axis variables we understand, by the quantity they measure.
AXIS_SLEW = 0         # input_net_transition / related_pin_transition (s)
AXIS_CAP = 1          # total_output_net_capacitance (F)
AXIS_CONSTRAINED = 2  # constrained_pin_transition (s)
_AXIS_BY_NAME = {
    "input_net_transition": AXIS_SLEW,
    "input_transition_time": AXIS_SLEW,
    "related_pin_transition": AXIS_SLEW,
    "total_output_net_capacitance": AXIS_CAP,
    "constrained_pin_transition": AXIS_CONSTRAINED,
}
TABLE_KINDS = ("cell_rise", "cell_fall", "rise_transition", "fall_transition",
               "rise_constraint", "fall_constraint")


class Table:
    """An NLDM table: values[i, j] at (axis1[i], axis2[j]); 1-D tables have a 1-long axis2.

    The numbers live in a float array shared by all tables of a library (`compact_tables`),
    so the pickled cache holds one array instead of tens of thousands of small ones.
    """

    __slots__ = ("var1", "var2", "pool", "n1", "n2", "off")

    def __init__(self, var1: int, var2: int, axis1: np.ndarray, axis2: np.ndarray,
                 values: np.ndarray):
        self.var1 = var1
        self.var2 = var2  # -1 for 1-D tables
        self.n1 = len(axis1)
        self.n2 = len(axis2)
        self.pool = np.concatenate([np.asarray(axis1, float), np.asarray(axis2, float),
                                    np.asarray(values, float).reshape(-1)])
        self.off = 0

    @property
    def axis1(self) -> np.ndarray:
        return self.pool[self.off:self.off + self.n1]

    @property
    def axis2(self) -> np.ndarray:
        o = self.off + self.n1
        return self.pool[o:o + self.n2]

    @property
    def values(self) -> np.ndarray:  # 2-D, SI
        o = self.off + self.n1 + self.n2
        return self.pool[o:o + self.n1 * self.n2].reshape(self.n1, self.n2)


def compact_tables(tables: list[Table]) -> None:
    """Move the numbers of all `tables` into one shared array (each table once: arcs of
    several related pins, or of the pins one group names, share their tables)."""
    tables = list({id(t): t for t in tables}.values())
    if not tables:
        return
    sizes = [t.n1 + t.n2 + t.n1 * t.n2 for t in tables]
    pool = np.concatenate([t.pool[t.off:t.off + n] for t, n in zip(tables, sizes)])
    off = 0
    for t, n in zip(tables, sizes):
        t.pool = pool
        t.off = off
        off += n


@dataclass(slots=True, repr=False)
class TimingArc:
    related_pin: str
    pin: str
    timing_type: str   # combinational, rising_edge, falling_edge, setup_rising, ...
    sense: str         # positive_unate, negative_unate, non_unate
    when: str | None
    tables: dict[str, Table]


@dataclass(slots=True, repr=False)
class Pin:
    name: str
    direction: str      # input, output, inout, internal
    cap_rise: float     # F
    cap_fall: float
    function: object | None  # parsed boolexpr, or None
    function_text: str | None
    is_clock: bool
    timing: list[TimingArc] = field(default_factory=list)
    # design rules of the pin (SI units; fanout in fanout-load units), absent ones omitted:
    # max_transition, max_capacitance, max_fanout, fanout_load
    limits: dict[str, float] = field(default_factory=dict)
    # rise/fall capacitance for the min (hold) analysis: the low ends of
    # rise_capacitance_range / fall_capacitance_range (OpenSTA's min capacitance), F
    cap_min: tuple[float, float] | None = None


@dataclass(slots=True, repr=False)
class Cell:
    name: str
    area: float
    pins: dict[str, Pin]
    sequential: list[dict]  # ff/latch groups: {"kind", "args", attrs...}
    dont_use: bool = False
    pg_pins: list[str] = field(default_factory=list)  # power/ground: connectable, untimed


@dataclass(slots=True, repr=False)
class WireLoad:
    name: str
    capacitance: float  # F per unit length
    resistance: float   # ohm per unit length
    slope: float
    fanout_length: list[tuple[int, float]]


@dataclass(slots=True, repr=False)
class OperatingConditions:
    name: str
    process: float
    voltage: float      # library voltage units
    temperature: float  # Celsius
    tree_type: str | None


class LazyCells(Mapping):
    """A cached library's cells, each unpickled on first use: a design uses a few dozen of
    a library's hundreds of cells (gcd 57 and the multiplier 112 of sky130's 428), so
    loading only those saves most of the unpickling time (sky130: 0.03 s CPU) and memory
    (6 MB of the multiplier's peak). The cells' pickles stay in the cache file (read with
    os.pread from the descriptor the entry was checked on) or, for a LazyCells that was
    itself pickled, in a dict of bytes. `cells.items()` loads every cell."""

    __slots__ = ("_index", "_cells", "_blobs", "_fd", "_base")

    def __init__(self, blobs: dict[str, bytes]):
        self._blobs = blobs
        self._index: dict[str, tuple[int, int]] | dict[str, bytes] = blobs
        self._cells: dict[str, Cell] = {}
        self._fd: int | None = None
        self._base = 0

    @classmethod
    def in_file(cls, fd: int, base: int, index: dict[str, tuple[int, int]]) -> LazyCells:
        """Cells whose pickles lie in the open file fd at base + offset (index: name ->
        (offset, length)); the LazyCells owns fd from now on."""
        self = cls({})
        self._index, self._fd, self._base = index, fd, base
        return self

    def _blob(self, name: str) -> bytes:
        if self._fd is None:
            return self._blobs[name]
        off, n = self._index[name]
        data = os.pread(self._fd, n, self._base + off)
        if len(data) != n:
            raise OSError(f"liberty cache entry truncated at cell {name}")
        return data

    def __getitem__(self, name: str) -> Cell:
        cell = self._cells.get(name)
        if cell is None:
            # (from the cache entry _load_cache trusts, or a pickle of one)
            cell = self._cells[name] = pickle.loads(self._blob(name))
        return cell

    def __contains__(self, name) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __reduce__(self):
        return (LazyCells, ({name: self._blob(name) for name in self._index},))

    def __del__(self):
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None


@dataclass(slots=True, repr=False)
class Library:
    name: str
    filename: str
    time_unit: float     # seconds per library time unit
    cap_unit: float      # farads per library capacitance unit
    res_unit: float      # ohms per library resistance unit
    voltage_unit: float
    cells: dict[str, Cell] | LazyCells
    wire_loads: dict[str, WireLoad]
    default_wire_load: str | None
    attrs: dict[str, str]
    operating_conditions: dict[str, OperatingConditions] = field(default_factory=dict)
    default_operating_conditions: str | None = None
    # what reading a netlist and an SDC takes from the cells (reading_signature), worked
    # out once at parsing so that a cached library need not unpickle every cell for it
    reading_signature: str | None = None


_UNIT = re.compile(r"^\s*([0-9.eE+-]*)\s*([a-zA-Z]*)\s*$")
_PREFIX = {"": 1.0, "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6}


# Largest magnitude of a Liberty number we read, in library units (1e15 ns, pF, um2 ...):
# beyond it no value is meant, and table lookups with it overflow to inf and nan.
MAX_MAGNITUDE = 1e15
# Timing arcs in one library beyond one per 16 bytes of it (real libraries have one per
# kilobyte or so): `pin (A1, ..., A100000)` with many timing groups would otherwise unfold a
# small file into billions of arcs.
MAX_ARCS = 1 << 20
# Element operations spent on truth tables to derive missing timing senses (sky130 needs
# about 10^6; 2**31 is a few seconds).
MAX_EVAL_WORK = 1 << 31


def _finite(text: str) -> float:
    """float(text), refusing nan, inf and absurd magnitudes (ValueError): no Liberty number
    we read can mean them, and a nan capacitance or table entry only fails much later, far
    from its line."""
    v = float(text)
    if not abs(v) <= MAX_MAGNITUDE:  # (also nan)
        raise ValueError(text)
    return v


def _unit(text: str, base: str, src: SourceText, offset: int) -> float:
    """'1ns' -> 1e-9 for base 's'; '1kohm' -> 1e3 for base 'ohm'."""
    m = _UNIT.match(text)
    if m:
        try:
            num = _finite(m.group(1)) if m.group(1) else 1.0
        except ValueError:
            num = 0.0
        suffix = m.group(2)
        if suffix.lower().endswith(base.lower()):
            prefix = suffix[: len(suffix) - len(base)]
            scale = _PREFIX.get(prefix, _PREFIX.get(prefix.lower()))
            # a unit must be a positive finite number: every value of the library is scaled
            # by it (0 or a negative unit would silently turn all delays into nonsense)
            if scale is not None and num > 0 and math.isfinite(num * scale) \
                    and num * scale > 0:
                return num * scale
    raise src.error(f"cannot understand unit {excerpt(text, 60)!r} (expected a positive number "
                    f"and {base!r})", offset)


def _floats(text: str, src: SourceText, offset: int) -> np.ndarray:
    try:
        return np.array([_finite(x) for x in text.replace("\\", " ").split(",") if x.strip()],
                        dtype=np.float64)
    except ValueError:
        raise src.error("expected a comma-separated list of finite numbers (at most "
                        f"{MAX_MAGNITUDE:g} in magnitude), found {excerpt(text, 40)!r}",
                        offset) from None


def _float_attr(grp: Group, name: str, src: SourceText, default: float | None = None):
    if name not in grp.attrs:
        return default
    try:
        return _finite(grp.attrs[name])
    except ValueError:
        raise src.error(f"{excerpt(name, 60)} must be a finite number (at most "
                        f"{MAX_MAGNITUDE:g} in magnitude), found {excerpt(grp.attrs[name], 40)!r}",
                        grp.attr_offsets[name]) from None


def _complex(grp: Group, name: str) -> tuple[list[str] | None, int]:
    """A complex attribute's arguments and offset (the group's offset when absent)."""
    for cname, args, off in grp.complex:
        if cname == name:
            return args, off
    return None, grp.offset


class _Builder:
    def __init__(self, src: SourceText, top: Group):
        self.src = src
        self.top = top
        a = top.attrs
        err = src.error
        self.time_unit = _unit(a.get("time_unit", "1ns"), "s", src,
                               top.attr_offsets.get("time_unit", top.offset))
        self.res_unit = _unit(a.get("pulling_resistance_unit", "1kohm"), "ohm", src,
                              top.attr_offsets.get("pulling_resistance_unit", top.offset))
        self.voltage_unit = _unit(a.get("voltage_unit", "1V"), "V", src,
                                  top.attr_offsets.get("voltage_unit", top.offset))
        cap = None
        for name, args, off in top.complex:
            if name == "capacitive_load_unit":
                if len(args) != 2:
                    raise err("capacitive_load_unit needs (number, unit)", off)
                try:
                    cap = _finite(args[0]) * _unit("1" + args[1], "f", src, off)
                except ValueError:
                    cap = 0.0
                if not (cap > 0 and math.isfinite(cap)):
                    raise err(f"bad capacitive_load_unit {excerpt(args, 60)} (expected a "
                              "positive number and a unit)", off)
        self.cap_unit = cap if cap is not None else 1e-12
        self.templates: dict[str, tuple[int, int, np.ndarray | None, np.ndarray | None]] = {}
        for grp in top.groups:
            if grp.kind == "lu_table_template":
                self._template(grp)
        self._functions: dict[str, object] = {}          # function text -> parsed
        self._truth: dict[str, tuple] = {}                # function text -> truth table
        self.eval_work = 0                                # elements evaluated for them
        self.arcs = 0
        self.max_arcs = MAX_ARCS + len(src.text) // 16
        self.default_in_cap = _float_attr(top, "default_input_pin_cap", src, 0.0)
        self.default_out_cap = _float_attr(top, "default_output_pin_cap", src, 0.0)
        self.default_inout_cap = _float_attr(top, "default_inout_pin_cap", src, 0.0)

    def _template(self, grp: Group) -> None:
        if not grp.args:
            raise self.src.error("lu_table_template without a name", grp.offset)
        v1 = _AXIS_BY_NAME.get(grp.attrs.get("variable_1", ""), -2)
        v2 = _AXIS_BY_NAME.get(grp.attrs.get("variable_2", ""), -2) \
            if "variable_2" in grp.attrs else -1
        i1, o1 = _complex(grp, "index_1")
        i2, o2 = _complex(grp, "index_2")
        self.templates[grp.args[0]] = (
            v1, v2,
            _floats(i1[0], self.src, o1) if i1 else None,
            _floats(i2[0], self.src, o2) if i2 else None,
        )

    def _axis_scale(self, var: int) -> float:
        return self.cap_unit if var == AXIS_CAP else self.time_unit

    def table(self, grp: Group) -> Table:
        src = self.src
        name = grp.args[0] if grp.args else "scalar"
        if name == "scalar":
            tmpl = (-1, -1, None, None)
        elif name in self.templates:
            tmpl = self.templates[name]
        else:
            raise src.error(f"table uses undefined lu_table_template {excerpt(name, 60)!r}",
                            grp.offset)
        v1, v2, t1, t2 = tmpl
        if v1 == -2 or v2 == -2:
            raise src.error(f"template {excerpt(name, 60)!r} uses an axis variable this reader "
                            "does not support", grp.offset)
        i1, o1 = _complex(grp, "index_1")
        i2, o2 = _complex(grp, "index_2")
        ax1 = _floats(i1[0], src, o1) if i1 else t1
        ax2 = _floats(i2[0], src, o2) if i2 else t2
        vals, vo = _complex(grp, "values")
        if vals is None:
            raise src.error(f"{grp.kind} table has no values", grp.offset)
        rows = [_floats(v, src, vo) for v in vals]
        for axis, var, label, off in ((ax1, v1, "index_1", o1 if i1 else grp.offset),
                                      (ax2, v2, "index_2", o2 if i2 else grp.offset)):
            # the lookup interpolates between neighbours: an empty axis has no neighbours
            # and equal or decreasing values divide by zero (or pick the wrong segment).
            # Checked in SI units, as the lookup sees them (1e-320 apart is 0 in seconds).
            if axis is not None and name != "scalar" and v1 != -1 and (
                    len(axis) == 0 or np.any(np.diff(axis * self._axis_scale(var)) <= 0)):
                raise src.error(f"{grp.kind} table: {label} must be strictly increasing "
                                "numbers", off)
        if name == "scalar" or v1 == -1:
            value = rows[0][0] if len(rows) and len(rows[0]) else 0.0
            return Table(-1, -1, np.zeros(1), np.zeros(1),
                         np.array([[value * self.time_unit]]))
        if ax1 is None:
            raise src.error(f"{grp.kind} table has no index_1", grp.offset)
        if v2 == -1:
            ax2 = np.zeros(1)
            if len(rows) != 1 and any(len(r) == 0 for r in rows):
                raise src.error(f"{grp.kind} table has an empty row of values", grp.offset)
            values = np.concatenate(rows).reshape(1, -1).T if len(rows) == 1 \
                else np.array([r[0] for r in rows]).reshape(-1, 1)
        else:
            if ax2 is None:
                raise src.error(f"{grp.kind} table has no index_2", grp.offset)
            if len(rows) == 1 and len(rows[0]) == len(ax1) * len(ax2):
                values = rows[0].reshape(len(ax1), len(ax2))
            else:
                if any(len(r) != len(ax2) for r in rows) or len(rows) != len(ax1):
                    raise src.error(
                        f"{grp.kind} table is {len(rows)}x{len(rows[0]) if rows else 0}, "
                        f"but its axes are {len(ax1)}x{len(ax2)}", grp.offset)
                values = np.vstack(rows)
        if values.shape[0] != len(ax1):
            raise src.error(f"{grp.kind} table has {values.shape[0]} values, "
                            f"index_1 has {len(ax1)}", grp.offset)
        return Table(v1, v2, ax1 * self._axis_scale(v1),
                     ax2 * (self._axis_scale(v2) if v2 >= 0 else 1.0),
                     values * self.time_unit)

    def pins(self, grp: Group, cell: str, names: list[str]) -> list[Pin]:
        """The pins `pin (A, B, ...) { ... }` declares: the group is read once and its
        arcs shared, so a group naming 100k pins is not parsed 100k times."""
        if not names:
            return []
        src = self.src
        shown = f"{excerpt(cell, 40)}/{excerpt(names[0], 40)}"
        direction = grp.attrs.get("direction", "input")
        default = {"input": self.default_in_cap, "output": self.default_out_cap}.get(
            direction, self.default_inout_cap)
        cap = default
        rise = fall = None
        # Attributes apply in file order: a later plain `capacitance` overrides both edges.
        for attr in grp.attrs:
            if attr == "capacitance":
                cap = _float_attr(grp, attr, src)
                rise = fall = None
            elif attr == "rise_capacitance":
                rise = _float_attr(grp, attr, src)
            elif attr == "fall_capacitance":
                fall = _float_attr(grp, attr, src)
        func_text = grp.attrs.get("function")
        func = None
        if func_text is not None:
            func = self._functions.get(func_text)
            if func is None:
                try:
                    func = boolexpr.parse_function(func_text)
                except boolexpr.ExprError as exc:
                    raise src.error(f"pin {shown}: bad function {excerpt(func_text, 60)!r}: "
                                    f"{exc}", grp.attr_offsets["function"]) from None
                self._functions[func_text] = func
        arcs: list[tuple] = []  # (related pin, timing type, sense, when, tables)
        for tgrp in grp.groups:
            if tgrp.kind != "timing":
                continue
            related = tgrp.attrs.get("related_pin")
            if related is None:
                raise src.error(f"timing group of {shown} has no related_pin", tgrp.offset)
            tables = {g.kind: self.table(g) for g in tgrp.groups if g.kind in TABLE_KINDS}
            ttype = tgrp.attrs.get("timing_type", "combinational")
            sense = tgrp.attrs.get("timing_sense")
            for rel in related.split():
                arc_sense = sense
                if arc_sense is None:
                    arc_sense = "non_unate"
                    if func is not None and ttype == "combinational":
                        arc_sense = self._sense(func, func_text, rel, shown, tgrp.offset)
                arcs.append((rel, ttype, arc_sense, tgrp.attrs.get("when"), tables))
        # arcs are names x timing groups x related pins: bounded before they are made
        self.arcs += len(arcs) * len(names)
        if self.arcs > self.max_arcs:
            raise ResourceLimit(f"{src.where(grp.offset)}: the library declares more than "
                                f"{self.max_arcs} timing arcs (a limit from its size)")
        clock = grp.attrs.get("clock", "false") == "true"
        limits = {}
        for attr, scale in (("max_transition", self.time_unit), ("max_capacitance",
                            self.cap_unit), ("max_fanout", 1.0), ("fanout_load", 1.0)):
            v = _float_attr(grp, attr, src)
            if v is not None:
                limits[attr] = v * scale
        cap_r = (rise if rise is not None else cap) * self.cap_unit
        cap_f = (fall if fall is not None else cap) * self.cap_unit
        low = []
        for attr, dflt in (("rise_capacitance_range", cap_r), ("fall_capacitance_range", cap_f)):
            args, off = _complex(grp, attr)
            if args is None:
                low.append(dflt)
                continue
            try:
                if len(args) != 2:
                    raise ValueError(attr)
                low.append(_finite(args[0]) * self.cap_unit)
            except ValueError:
                raise src.error(f"pin {shown}: {attr} needs two finite numbers", off) from None
        cap_min = (low[0], low[1]) if (low[0], low[1]) != (cap_r, cap_f) else None
        return [Pin(name, direction, cap_r, cap_f, func, func_text, clock,
                    [TimingArc(rel, name, ttype, sense, when, tables)
                     for rel, ttype, sense, when, tables in arcs], limits, cap_min)
                for name in names]

    def _sense(self, func, func_text: str, rel: str, shown: str, offset: int) -> str:
        """Unateness of a function in one input: one truth table per function text in a
        library, within a budget of evaluation work (a 16-input function of a million
        nodes, or thousands of big ones, would otherwise take hours)."""
        table = self._truth.get(func_text)
        if table is None:
            names = boolexpr.variables(func)
            if rel not in names:
                return "non_unate"
            if len(names) <= boolexpr.MAX_VARIABLES:
                self.eval_work += boolexpr.size(func) << len(names)
                if self.eval_work > MAX_EVAL_WORK:
                    raise ResourceLimit(f"{self.src.where(offset)}: deriving timing senses from "
                                        "the functions of this library is too much work; give "
                                        "timing_sense in its timing groups")
            try:
                table = self._truth[func_text] = boolexpr.truth_table(func, names)
            except boolexpr.ExprError as exc:
                raise self.src.error(f"pin {shown}: {exc}", offset) from None
        return boolexpr.sense(*table, rel)

    def cell(self, grp: Group) -> Cell:
        if not grp.args:
            raise self.src.error("cell group without a name", grp.offset)
        name = grp.args[0]
        pins: dict[str, Pin] = {}
        seq = []
        pg = []
        for sub in grp.groups:
            if sub.kind == "pg_pin":
                pg.extend(sub.args)
            elif sub.kind == "pin":
                for pin in self.pins(sub, name, sub.args):
                    pins[pin.name] = pin
            elif sub.kind == "bus" or sub.kind == "bundle":
                for pgrp in sub.subgroups("pin"):
                    for pin in self.pins(pgrp, name, pgrp.args):
                        pins[pin.name] = pin
            elif sub.kind in ("ff", "latch", "ff_bank", "latch_bank", "statetable"):
                seq.append({"kind": sub.kind, "args": list(sub.args), **sub.attrs})
        for pin in pins.values():
            for arc in pin.timing:
                if arc.related_pin not in pins:
                    raise self.src.error(
                        f"cell {excerpt(name, 40)}: timing arc of pin {excerpt(pin.name, 40)} "
                        f"refers to pin {excerpt(arc.related_pin, 40)!r}, which the cell lacks",
                        grp.offset)
        return Cell(name, _float_attr(grp, "area", self.src, 0.0), pins, seq,
                    grp.attrs.get("dont_use", "false") == "true", pg)

    def wire_load(self, grp: Group) -> WireLoad:
        src = self.src
        fl = []
        for cname, args, off in grp.complex:
            if cname == "fanout_length":
                try:
                    fl.append((int(_finite(args[0])), _finite(args[1])))
                except (ValueError, IndexError):
                    raise src.error(f"bad fanout_length {excerpt(args, 60)}", off) from None
        return WireLoad(grp.args[0] if grp.args else "",
                        _float_attr(grp, "capacitance", src, 0.0) * self.cap_unit,
                        _float_attr(grp, "resistance", src, 0.0) * self.res_unit,
                        _float_attr(grp, "slope", src, 0.0), sorted(fl))

    def library(self) -> Library:
        top = self.top
        cells, wls, ops = {}, {}, {}
        for grp in top.groups:
            if grp.kind == "operating_conditions" and grp.args:
                ops[grp.args[0]] = OperatingConditions(
                    grp.args[0], _float_attr(grp, "process", self.src, 1.0),
                    _float_attr(grp, "voltage", self.src, 0.0),
                    _float_attr(grp, "temperature", self.src, 25.0), grp.attrs.get("tree_type"))
            elif grp.kind == "cell":
                c = self.cell(grp)
                cells[c.name] = c
            elif grp.kind == "wire_load":
                w = self.wire_load(grp)
                wls[w.name] = w
        for c in cells.values():   # a pool per cell: the cache pickles each cell alone
            compact_tables([t for p in c.pins.values() for arc in p.timing
                            for t in arc.tables.values()])
        return Library(top.args[0] if top.args else "", self.src.filename, self.time_unit,
                       self.cap_unit, self.res_unit, self.voltage_unit, cells, wls,
                       top.attrs.get("default_wire_load"), dict(top.attrs), ops,
                       top.attrs.get("default_operating_conditions"),
                       reading_signature(cells))


def reading_signature(cells: Mapping[str, Cell]) -> str:
    """A digest of what reading a netlist and an SDC takes from these cells: their names in
    order (get_lib_cells), each one's pins in order with their directions, power pins, and
    whether it is sequential (two libraries with equal digests read a design the same)."""
    h = hashlib.sha256()
    for name, cell in cells.items():
        h.update(repr((name, [(p, pin.direction) for p, pin in cell.pins.items()],
                       cell.pg_pins, bool(cell.sequential))).encode())
    return h.hexdigest()


def parse_liberty_text(text: str, filename: str = "<string>") -> Library:
    if text.startswith("\ufeff"):  # a byte-order mark: blank, keeping offsets
        text = " " + text[1:]
    src = SourceText(text, filename)
    top = parse(src)
    if top.kind != "library":
        raise src.error(f"expected a library group, found {excerpt(top.kind, 60)!r}", top.offset)
    return _Builder(src, top).library()


def _cache_path(path: str, data: bytes) -> str:
    """Where the parsed form of `data` (read from `path`) is cached.

    Keyed by the file's content, not its size and modification time: a file rewritten in
    place within one timestamp tick (an editor, a fuzzer, `cp -p`) must never be answered
    from the entry of what it used to hold. Hashing the (compressed) bytes costs a
    millisecond; parsing costs seconds. The path is in the key too because the Library
    remembers its file name for messages.
    """
    digest = hashlib.sha256(data).hexdigest()
    key = f"{os.path.realpath(path)}:{digest}"
    # (os.path, not pathlib: importing pathlib costs a few ms of every short run)
    return os.path.join(_cache_folder(), hashlib.sha1(key.encode()).hexdigest() + ".pkl")


def _cache_folder() -> str:
    """`~/.cache/edapipe/liberty/<stamp of the reader's sources>` (stamped once per process)."""
    if not _cache_stamp_memo:
        here = os.path.dirname(os.path.abspath(__file__))
        sources = [os.path.join(here, name) for name in _CACHE_SOURCES]
        _cache_stamp_memo.append(
            user_cache.stamp([np.__version__, user_cache.files_stamp(sources, content=True)]))
    return os.path.join(user_cache.user_cache_root(), "liberty", _cache_stamp_memo[0])


def _prune_cache(folder: str) -> None:
    """After a new cache folder is made: remove other readers' folders once unused (see
    util/cache.py) and the entries of the old unversioned layout (files beside them)."""
    parent, current = os.path.split(folder)
    user_cache.prune_stale(parent, current)
    try:
        with os.scandir(parent) as it:
            entries = [e for _, e in zip(range(user_cache.PRUNE_SCAN_LIMIT), it)]
        for entry in entries:
            if _LEGACY_ENTRY.match(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
    except OSError:
        pass


def _load_cache(cache: str):
    """(unpacked size, Library) from a cache entry, or None. The library's cells stay in
    the file until used (LazyCells keeps the descriptor).

    Unpickling runs code named in the file, so only an entry this user owns and nobody else
    can write is trusted (a shared or planted cache folder is ignored, not obeyed).
    """
    fd = None
    try:
        fd = os.open(cache, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() \
                or st.st_mode & 0o022:
            os.close(fd)
            return None
        with open(os.dup(fd), "rb") as fh:
            entry = pickle.load(fh)
            base = fh.tell()
        if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[1], Library) \
                and isinstance(entry[2], dict):
            unpacked, lib, index = entry
            end = max((o + n for o, n in index.values()), default=0)
            if base + end != st.st_size:   # (a truncated or extended entry: parse again)
                raise ValueError("cache entry size")
            lib.cells = LazyCells.in_file(fd, base, index)
            fd = None
            return unpacked, lib
    except Exception:  # missing, stale or corrupt: parse again
        pass
    if fd is not None:
        os.close(fd)
    return None


def _write_entry(fh, unpacked: int, lib: Library) -> None:
    """A cache entry: a pickle of (unpacked size, the library without its cells, cell name
    -> (offset, length)), then each cell's own pickle at its offset (LazyCells)."""
    import dataclasses

    index: dict[str, tuple[int, int]] = {}
    blobs = []
    off = 0
    for name, cell in lib.cells.items():
        blob = pickle.dumps(cell, protocol=pickle.HIGHEST_PROTOCOL)
        index[name] = (off, len(blob))
        blobs.append(blob)
        off += len(blob)
    pickle.dump((unpacked, dataclasses.replace(lib, cells={}), index), fh,
                protocol=pickle.HIGHEST_PROTOCOL)
    for blob in blobs:
        fh.write(blob)


def read_liberty(path: str | os.PathLike, use_cache: bool = True) -> Library:
    """Read a Liberty file (plain or gzip), through the on-disk cache when possible.

    The file is always read (bounded, through files.read_bytes: a folder or an unreadable
    file is bad input) and the cache answers only for exactly these bytes. A cached gzip
    library still obeys the input budget: its unpacked size is stored with it.
    """
    name = files.display_name(path)
    data = read_bytes(path)
    cache = _cache_path(name, data) if use_cache and not files.is_stdio(path) else None
    if cache is not None:
        entry = _load_cache(cache)
        if entry is not None:
            user_cache.mark_used(os.path.dirname(cache))
            unpacked, lib = entry
            if unpacked > files.max_input_bytes():
                files.gunzip(data, name)   # raises the same ResourceLimit a fresh read would
            else:
                return lib
    if data[:2] == b"\x1f\x8b":       # as decode(), keeping the unpacked size for the cache
        raw = files.gunzip(data, name)
        unpacked = len(raw)
    else:
        raw, unpacked = data, 0
    lib = parse_liberty_text(raw.decode("utf-8", errors="replace"), name)
    if cache is not None:
        tmp = os.path.splitext(cache)[0] + f".{os.getpid()}.tmp"
        folder = os.path.dirname(cache)
        try:
            if not os.path.isdir(folder):
                os.makedirs(folder, mode=0o700, exist_ok=True)
                _prune_cache(folder)
            user_cache.mark_used(folder)
            # private whatever the umask: _load_cache ignores entries others could write
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                _write_entry(fh, unpacked, lib)
            os.replace(tmp, cache)
        except (OSError, pickle.PicklingError, RecursionError):
            try:
                os.unlink(tmp)
            except OSError:
                pass
            # caching is an optimisation only
    return lib
