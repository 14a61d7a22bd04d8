"""A lighter load of numba's cached machine code, for the `spice` command only.

Measured (docs/decisions.md, "numba fast load"): a warm `edapipe spice` process spends about
0.23 s of CPU in numba refreshing its whole target context before the first cached kernel
loads (it imports ~40 of its modules and installs every typing and lowering registry), and
about 0.07 s parsing the LLVM bitcode stored beside each kernel's object code and walking it
for the names it defines. A kernel rebuilt from cached object code needs neither: only the
runtime (NRT) it links against, and the names, which the object code's ELF symbol table has.
No layout of the kernels avoids the first cost (it is paid once per process, by the first
cached load), so it is bought back here, under these rules:

* nothing happens at import: `install()` is called by the CLI entry of `spice` only, never
  by the library, so a program that imports edapipe keeps numba exactly as it is;
* the numba version must lie in TESTED (the range pyproject.toml pins) and the functions
  replaced must still use the internals this module relies on, else nothing is installed;
* any exception on the light path puts numba's own functions back for the rest of the
  process and lets numba load that kernel itself (tests/analog/test_fastload.py forces it);
* EDAPIPE_NUMBA_FASTLOAD=0 turns it off.

Compiling (a cache miss, a new signature) still refreshes the context in full: numba's
compiler does that itself, and a library whose bitcode was kept unparsed parses it the first
time later code links against it.
"""

from __future__ import annotations

import os
import struct

ENV_SWITCH = "EDAPIPE_NUMBA_FASTLOAD"
TESTED = ((0, 68, 1), (0, 69, 0))     # [low, high): keep equal to pyproject's numba pin

# names the replaced numba functions must still use: the light versions do the same steps
_NEEDS = {
    "load_overload": {"refresh", "_guard_against_spurious_io_errors", "_load_overload"},
    "_unserialize": {"create_library", "enable_object_caching", "_set_compiled_object",
                     "parse_bitcode", "_finalize_final_module", "_load_defined_symbols"},
    "_get_module_for_linking": {"_ensure_finalized", "_shared_module", "_final_module"},
}

_saved: dict = {}          # numba's own functions while the light ones are installed
status = {"installed": False, "fallback": None}   # fallback: why numba's path came back


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("+")[0].split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (3 - len(parts)))


def tested_version(text: str) -> bool:
    low, high = TESTED
    return low <= _version(text) < high


def _uses(func, names) -> bool:
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return code is not None and names <= set(code.co_names) | set(code.co_varnames)


def install() -> bool:
    """Install the light load; False (numba untouched) when switched off or untested."""
    if status["installed"]:
        return True
    if os.environ.get(ENV_SWITCH, "1").strip() == "0":
        return False
    import numba
    from numba.core import caching, codegen

    cache = getattr(caching, "Cache", None)
    lib = getattr(codegen, "CPUCodeLibrary", None)
    if not tested_version(numba.__version__) or cache is None or lib is None:
        return False
    try:
        from numba.core.runtime import rtsys
        numba_funcs = {"load_overload": cache.load_overload,
                       "_unserialize": lib.__dict__["_unserialize"],
                       "_get_module_for_linking": lib._get_module_for_linking}
    except (ImportError, KeyError, AttributeError):
        return False
    engine = getattr(codegen, "JitEngine", None)
    if (not all(_uses(numba_funcs[k], v) for k, v in _NEEDS.items()) or engine is None
            or not _uses(getattr(engine, "_load_defined_symbols", None), {"_defined_symbols"})):
        return False
    _saved.update(cache=cache, lib=lib, **numba_funcs)
    cache.load_overload = _light_load(numba_funcs["load_overload"], rtsys)
    lib._unserialize = classmethod(_light_unserialize(numba_funcs["_unserialize"].__func__,
                                                      codegen))
    lib._get_module_for_linking = _lazy_linking(numba_funcs["_get_module_for_linking"],
                                                codegen)
    status["installed"] = True
    return True


def uninstall(reason: str | None = None) -> None:
    """Put numba's own functions back (libraries already loaded keep working: one whose
    bitcode is still unparsed parses it when linked against, as before)."""
    if not status["installed"]:
        return
    _saved["cache"].load_overload = _saved["load_overload"]
    _saved["lib"]._unserialize = _saved["_unserialize"]
    status["installed"] = False
    status["fallback"] = reason
    # _get_module_for_linking stays light: it falls through to numba's own for any
    # library that was not loaded lazily, and a lazily loaded one still needs it


def _light_load(numba_load, rtsys):
    def load_overload(self, sig, target_context):
        try:
            rtsys.initialize(target_context)
            with self._guard_against_spurious_io_errors():
                return self._load_overload(sig, target_context)
        except Exception as exc:            # noqa: BLE001  anything: numba's path decides
            uninstall(f"load_overload: {type(exc).__name__}: {exc}")
            return numba_load(self, sig, target_context)
    return load_overload


def _light_unserialize(numba_unserialize, codegen_mod):
    def _unserialize(cls, codegen, state):
        try:
            name, kind, data = state
            if kind != "object":
                return numba_unserialize(cls, codegen, state)
            object_code, shared_bitcode = data
            names = elf_defined_symbols(object_code)
            if not names:
                raise LookupError("no symbol table in the cached object code")
            self = codegen.create_library(name)
            self.enable_object_caching()
            self._set_compiled_object(object_code)
            self._edapipe_bitcode = shared_bitcode
            self._finalize_final_module()
            codegen._engine._defined_symbols |= names
            return self
        except Exception as exc:            # noqa: BLE001
            uninstall(f"_unserialize: {type(exc).__name__}: {exc}")
            return numba_unserialize(cls, codegen, state)
    return _unserialize


def _lazy_linking(numba_linking, codegen_mod):
    def _get_module_for_linking(self):
        bitcode = getattr(self, "_edapipe_bitcode", None)
        if self._shared_module is None and bitcode is not None:
            self._shared_module = codegen_mod.ll.parse_bitcode(bitcode)
            self._edapipe_bitcode = None
        return numba_linking(self)
    return _get_module_for_linking


def elf_defined_symbols(obj: bytes):
    """Names defined in an ELF64 little-endian relocatable object (functions, data and
    untyped symbols with a section), or None when obj is not one."""
    if len(obj) < 64 or obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
        return None
    shoff = struct.unpack_from("<Q", obj, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    heads = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize)
             for i in range(shnum)]
    for _, kind, _, _, off, size, link, _, _, entsize in heads:
        if kind != 2 or not entsize:       # SHT_SYMTAB
            continue
        stroff = heads[link][4]
        names = set()
        for k in range(size // entsize):
            name, info, _, shndx, _, _ = struct.unpack_from("<IBBHQQ", obj, off + k * entsize)
            if name and shndx != 0 and (info & 0xF) in (0, 1, 2):   # NOTYPE OBJECT FUNC
                end = obj.index(b"\0", stroff + name)
                names.add(obj[stroff + name:end].decode("utf-8", "replace"))
        return names
    return None
