"""Readers and writers of logic formats, and the one place that picks a format.

Each format module has `parse_<fmt>(data: bytes, filename: str) -> Aig` and/or
`dump_<fmt>(aig) -> bytes`; this module detects formats, reads paths or standard input and
writes atomically (edapipe.util.files).

Readers that live above aig register here (`register_reader`), so aig never imports them:
"rtl", the Verilog RTL frontend, is registered by edapipe.synth.rtl when it is imported, and
by the CLI before it reads (cli/logic.py, importing the frontend only when used); without it,
Verilog that is more than a gate-level netlist is a located error saying so.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Callable

from edapipe.aig.core import Aig
from edapipe.errors import InputError, Report, UsageError
from edapipe.util import files


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    extensions: tuple[str, ...]
    binary: bool
    can_read: bool = True
    can_write: bool = True
    parse: str = ""
    dump: str = ""
    dump_kwargs: tuple = ()
    reports: bool = False          # parse takes report= (a Report: edapipe.errors)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("aig", "edapipe.aig.io.aiger", (".aig",), True, parse="parse_aiger",
           dump="dump_aiger", dump_kwargs=(("binary", True),)),
    Format("aag", "edapipe.aig.io.aiger", (".aag",), False, parse="parse_aiger",
           dump="dump_aiger", dump_kwargs=(("binary", False),)),
    Format("blif", "edapipe.aig.io.blif", (".blif",), False, parse="parse_blif", dump="dump_blif"),
    Format("bench", "edapipe.aig.io.bench", (".bench",), False, parse="parse_bench",
           dump="dump_bench", reports=True),
    Format("verilog", "edapipe.aig.io.verilog", (".v", ".sv", ".vg"), False,
           parse="parse_verilog", dump="dump_verilog"),
    Format("dot", "edapipe.aig.io.dot", (".dot", ".gv"), False, can_read=False, dump="dump_dot"),
    Format("graphml", "edapipe.aig.io.graphml", (".graphml",), False, can_read=False,
           dump="dump_graphml"),
)}

@dataclass(frozen=True)
class VerilogOptions:
    """How to read Verilog that is more than a gate-level netlist (the RTL frontend)."""

    top: str | None = None
    defines: dict = field(default_factory=dict)
    include_dirs: tuple = ()
    warn: Callable[[str], None] | None = None

    @property
    def wants_rtl(self) -> bool:
        """Preprocessor or hierarchy options only mean something to the RTL frontend."""
        return bool(self.top or self.defines or self.include_dirs)


# name -> reader registered by a package above aig (see the module docstring). "rtl" is called
# as reader(data, filename, top=, defines=, include_dirs=, warn=) -> Aig.
_READERS: dict[str, Callable] = {}


def register_reader(name: str, reader: Callable) -> None:
    """Make a reader of a higher layer available to `parse`/`read` (replaces one of that name)."""
    _READERS[name] = reader


READ_FORMATS = tuple(n for n, f in FORMATS.items() if f.can_read)
WRITE_FORMATS = tuple(n for n, f in FORMATS.items() if f.can_write)


def format_from_extension(path: str | os.PathLike | None) -> str | None:
    if files.is_stdio(path):
        return None
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt in FORMATS.values():
        if any(name.endswith(ext) for ext in fmt.extensions):
            return fmt.name
    return None


def detect_format(data: bytes) -> str | None:
    """The format a file's content shows, or None (see DESIGN.md: detected from content)."""
    if data.startswith(b"aig ") or data.startswith(b"aig\t"):
        return "aig"
    if data.startswith(b"aag ") or data.startswith(b"aag\t"):
        return "aag"
    head = data[:65536]
    try:
        text = head.decode("utf-8", errors="strict" if len(data) <= 65536 else "ignore")
    except UnicodeDecodeError:
        return None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("//", "/*", "`", "(*")) or line.startswith("module ") or \
                line.startswith("*/"):
            return "verilog" if "module" in text else None
        if line.startswith("."):
            return "blif"
        upper = line.upper()
        if upper.startswith(("INPUT(", "OUTPUT(", "INPUT ", "OUTPUT ")) or \
                ("=" in line and "(" in line):
            return "bench"
        if "module" in line:
            return "verilog"
        return None
    return None


def parse(data: bytes, filename: str, fmt: str | None = None,
          verilog: VerilogOptions | None = None, report: Report | None = None) -> Aig:
    """A circuit from bytes. Warnings go to `report` as Diagnostics (readers that have
    some; without `report` they are printed on standard error); errors are InputErrors."""
    if fmt is None:
        fmt = detect_format(data) or format_from_extension(filename)
        if fmt is None:
            if not data.strip():
                raise InputError("empty input: no circuit", file=filename)
            raise InputError("cannot tell the format from the content; use --format "
                             f"({', '.join(READ_FORMATS)})", file=filename, line=1)
    spec = FORMATS.get(fmt)
    if spec is None or not spec.can_read:
        raise UsageError(f"cannot read format {fmt!r}; readable: {', '.join(READ_FORMATS)}")
    if fmt == "verilog":
        return _parse_verilog(data, filename, verilog or VerilogOptions())
    module = importlib.import_module(spec.module)
    if spec.reports:
        return getattr(module, spec.parse)(data, filename, report=report)
    return getattr(module, spec.parse)(data, filename)


def _parse_verilog(data: bytes, filename: str, opts: VerilogOptions) -> Aig:
    """Gate-level netlists take the fast structural reader; everything else, or anything
    with --top/-D/-I, goes to the pyslang RTL frontend."""
    declined = None
    if not opts.wants_rtl:
        from edapipe.aig.io.verilog import UnsupportedVerilog, parse_verilog

        try:
            return parse_verilog(data, filename)
        except UnsupportedVerilog as exc:
            declined = exc
    read_rtl = _READERS.get("rtl")
    if read_rtl is None:
        # a library caller that did not load the frontend: say so, where the netlist reader
        # stopped (the CLI always loads it)
        why = "needs the Verilog RTL frontend, which is not loaded (import edapipe.synth.rtl)"
        if declined is not None:
            raise InputError(f"{declined.reason}; {why}", file=declined.file,
                             line=declined.line, column=declined.column) from None
        raise UsageError(f"--top, -D and -I {why}")
    return read_rtl(data, filename, top=opts.top, defines=opts.defines,
                    include_dirs=opts.include_dirs, warn=opts.warn)


def read(path: str | os.PathLike | None, fmt: str | None = None,
         verilog: VerilogOptions | None = None, report: Report | None = None) -> Aig:
    """Read a circuit from a path, or standard input for `-`/None."""
    data = files.read_bytes(path)
    name = files.display_name(path)
    if not files.is_stdio(path) and str(path).endswith(".gz"):
        if data and data[:2] != b"\x1f\x8b":
            raise InputError("bad gzip data: not a gzip file (the name ends in .gz)",
                             file=name)
        # unpacked within the input budget (EDAPIPE_MAX_INPUT_MB): a 2.6 MB gzip can hold
        # gigabytes
        data = files.gunzip(data, name)
    return parse(data, name, fmt, verilog, report)


def dump(aig: Aig, fmt: str) -> bytes:
    spec = FORMATS.get(fmt)
    if spec is None or not spec.can_write:
        raise UsageError(f"cannot write format {fmt!r}; writable: {', '.join(WRITE_FORMATS)}")
    module = importlib.import_module(spec.module)
    return getattr(module, spec.dump)(aig, **dict(spec.dump_kwargs))


def write(aig: Aig, path: str | os.PathLike | None, fmt: str | None = None) -> None:
    """Write a circuit atomically to a path, or to standard output for `-`/None.

    The format is `fmt`, else the path's extension, else binary AIGER (the stream format).
    """
    fmt = fmt or format_from_extension(path) or "aig"
    data = dump(aig, fmt)
    files.write_bytes(path, data, binary=FORMATS[fmt].binary)
