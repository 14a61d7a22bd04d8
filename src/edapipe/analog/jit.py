"""numba's `njit`, with a lighter load of cached machine code.

numba refreshes its whole target context before loading the first cached function of a
process: it imports ~40 of its modules and installs every typing and lowering registry
(about 0.2 s of CPU here), none of which a function rebuilt from its cached object code
needs. The load below initialises only the runtime (NRT) the cached code links against.
Compiling (a cache miss, a new signature) still refreshes the context in full: numba's
compiler does that itself. Falls back to numba's own load if its internals differ.

Second, a library rebuilt from cached object code also parses the LLVM bitcode stored
beside it (kept for inlining into code compiled later) and walks every function in it to
record the names it defines: ~0.05 s per process for the analog kernels. The names are
read here from the object code's ELF symbol table instead, and the bitcode is parsed only
if a later compilation links against the library.
"""

from __future__ import annotations

import struct

from numba import njit  # noqa: F401  (re-exported for the kernel modules)
from numba.core import caching as _caching
from numba.core import codegen as _codegen


def _install() -> None:
    cache = getattr(_caching, "Cache", None)
    if cache is None or getattr(cache.load_overload, "_edapipe_light", False):
        return
    if not (hasattr(cache, "_load_overload")
            and hasattr(cache, "_guard_against_spurious_io_errors")):
        return
    try:
        from numba.core.runtime import rtsys
    except ImportError:
        return

    numba_load = cache.load_overload

    def load_overload(self, sig, target_context):
        try:
            rtsys.initialize(target_context)
            with self._guard_against_spurious_io_errors():
                return self._load_overload(sig, target_context)
        except Exception:
            # anything unexpected: numba's own (full) load decides, as without this module
            return numba_load(self, sig, target_context)
        return None

    load_overload._edapipe_light = True
    cache.load_overload = load_overload


def _elf_defined_symbols(obj: bytes):
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


def _install_lazy_bitcode() -> None:
    lib = getattr(_codegen, "CPUCodeLibrary", None)
    if lib is None or getattr(lib._unserialize, "_edapipe_lazy", False):
        return
    if not all(hasattr(lib, a) for a in ("_unserialize", "_get_module_for_linking",
                                         "_set_compiled_object", "enable_object_caching",
                                         "_finalize_final_module")):
        return
    numba_unserialize = lib._unserialize.__func__
    numba_linking = lib._get_module_for_linking

    def _unserialize(cls, codegen, state):
        try:
            name, kind, data = state
            if kind != "object":
                raise LookupError
            object_code, shared_bitcode = data
            names = _elf_defined_symbols(object_code)
            if not names:
                raise LookupError
        except Exception:
            return numba_unserialize(cls, codegen, state)
        self = codegen.create_library(name)
        self.enable_object_caching()
        self._set_compiled_object(object_code)
        self._edapipe_bitcode = shared_bitcode
        self._finalize_final_module()
        codegen._engine._defined_symbols |= names
        return self

    def _get_module_for_linking(self):
        bitcode = getattr(self, "_edapipe_bitcode", None)
        if self._shared_module is None and bitcode is not None:
            self._shared_module = _codegen.ll.parse_bitcode(bitcode)
            self._edapipe_bitcode = None
        return numba_linking(self)

    _unserialize._edapipe_lazy = True
    lib._unserialize = classmethod(_unserialize)
    lib._get_module_for_linking = _get_module_for_linking


_install()
_install_lazy_bitcode()
