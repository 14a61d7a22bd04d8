"""Verilog RTL frontend: synthesizable Verilog-2005 (and a little SystemVerilog) to an AIG.

    read_rtl(data, filename, top=None, defines=None, include_dirs=(), warn=None) -> Aig
    read_rtl_files(paths, top=None, defines=None, include_dirs=(), warn=None) -> Aig

pyslang parses and elaborates (parameters, generate, types); edapipe.synth.rtl.elaborate
walks the result into an AIG. Errors are InputErrors with file:line (exit 3); warnings go
to `warn(str)`. docs/rtl.md lists the subset and the modelling choices.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from dataclasses import dataclass

from edapipe.aig import io as _aig_io
from edapipe.aig.core import Aig
from edapipe.errors import InputError

_STACK = 256 * 1024 * 1024   # deep netlists recurse once per logic level


@dataclass(frozen=True)
class RtlStats:
    """Where the time of one read went."""

    parse_seconds: float
    compile_seconds: float
    elaborate_seconds: float

    def as_dict(self) -> dict:
        return {"parse_s": self.parse_seconds, "compile_s": self.compile_seconds,
                "elaborate_s": self.elaborate_seconds}


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _in_big_stack(fn):
    result: dict = {}

    def target():
        try:
            result["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    old = threading.stack_size()
    try:
        threading.stack_size(_STACK)
        thread = threading.Thread(target=target, name="edapipe-rtl")
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def read_sources(sources: list[tuple[str, str]], *, top: str | None = None,
                 defines: dict[str, str] | None = None, include_dirs=(), warn=None,
                 stats: list | None = None, bit_names: str = "declared") -> Aig:
    """Elaborate (text, filename) pairs; append an RtlStats to `stats` if given.

    Port bits are named `a[k]` with k the declared index (`[15:8]` gives a[8]..a[15]), as
    the structural Verilog reader names them; bit_names="yosys" counts from the LSB as
    Yosys's `write_aiger -symbols` does (a[0]..a[7]).
    """
    from edapipe.synth.rtl.elaborate import elaborate
    from edapipe.synth.rtl.frontend import compile_sources

    filename = sources[0][1] if sources else "<input>"

    def work():
        parsed = compile_sources(sources, top=top, defines=defines, include_dirs=include_dirs,
                                 warn=warn)
        t0 = time.perf_counter()
        try:
            aig = elaborate(parsed, filename, top=top, warn=warn, bit_names=bit_names,
                            include_dirs=include_dirs)
        except InputError as exc:
            # A fresh error without the traceback, whose frames hold slang objects.
            err = InputError(exc.reason, file=exc.file, line=exc.line, column=exc.column)
        else:
            err = None
        # Free the elaborator's cycles (they hold wrappers of slang symbols) while the
        # compilation that owns those symbols is still alive.
        gc.collect()
        if err is not None:
            raise err
        from edapipe.synth.rtl.cleanup import prune

        aig = prune(aig)
        t1 = time.perf_counter()
        if stats is not None:
            stats.append(RtlStats(parsed.parse_seconds, parsed.elaborate_seconds, t1 - t0))
        return aig

    try:
        return _in_big_stack(work)
    except RecursionError:
        raise InputError("design too deep to elaborate (recursion limit)", file=filename) \
            from None


def read_rtl(data: bytes, filename: str, *, top: str | None = None,
             defines: dict[str, str] | None = None, include_dirs=(), warn=None) -> Aig:
    """Elaborate one Verilog source (bytes) into an AIG."""
    return read_sources([(_decode(data, filename), filename)], top=top, defines=defines,
                        include_dirs=include_dirs, warn=warn)


def read_rtl_files(paths: list[str], *, top: str | None = None,
                   defines: dict[str, str] | None = None, include_dirs=(), warn=None) -> Aig:
    """Elaborate several Verilog files together (one design) into an AIG."""
    sources = []
    for p in paths:
        try:
            with open(p, "rb") as fh:
                sources.append((_decode(fh.read(), str(p)), str(p)))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=str(p)) from None
    dirs = list(include_dirs) + sorted({os.path.dirname(os.path.abspath(p)) for p in paths})
    return read_sources(sources, top=top, defines=defines, include_dirs=dirs, warn=warn)


__all__ = ["read_rtl", "read_rtl_files", "read_sources", "RtlStats"]

# aig.io reads Verilog beyond a gate-level netlist through this frontend; aig never imports
# synth, so the frontend registers itself (docs/decisions.md, "Layers").
_aig_io.register_reader("rtl", read_rtl)
