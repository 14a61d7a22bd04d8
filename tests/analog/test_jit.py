"""analog/jit.py: numba's cached kernels load lighter, and still link and run."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from edapipe.analog import jit


def _fresh(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


_KERNEL = """
from edapipe.analog.jit import njit

@njit(cache=True)
def inner(v):
    return v * v + 1.0

@njit(cache=True)
def outer(v):
    return inner(v) * 2.0
"""

_CHECK = """
import sys
sys.path.insert(0, {folder!r})
import llvmlite.binding as ll
from edapipe.analog import jit
seen = {{}}
read = jit._elf_defined_symbols

def recording(obj):
    names = read(obj)
    seen["names"] = names
    return names

jit._elf_defined_symbols = recording
import kern
print(kern.outer(3.0))
for cres in kern.outer.overloads.values():
    lib = cres.library
    lazy = getattr(lib, "_edapipe_bitcode", None)
    print("lazy" if lazy is not None else "compiled")
    if lazy is not None:
        names = seen["names"]
        mod = ll.parse_bitcode(lazy)
        wanted = {{f.name for f in mod.functions if not f.is_declaration}}
        print(bool(wanted) and wanted <= names and cres.fndesc.llvm_func_name in names)
"""


def test_cached_kernels_load_lazily_with_their_symbols(tmp_path):
    """A second process loads the kernel from numba's cache through the lazy path: its
    bitcode is kept unparsed, and the names read from the object code's symbol table
    include every function the bitcode defines (what numba records from it, and what
    get_pointer_to_function asks for)."""
    import os

    (tmp_path / "kern.py").write_text(_KERNEL)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    code = _CHECK.format(folder=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, timeout=600) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    assert runs[0].stdout.split() == ["20.0", "compiled"]
    assert runs[1].stdout.split() == ["20.0", "lazy", "True"]


def test_elf_reader_rejects_other_data():
    assert jit._elf_defined_symbols(b"") is None
    assert jit._elf_defined_symbols(b"\x7fELF" + b"\x01" * 60) is None


def test_new_code_links_against_a_lazily_loaded_kernel():
    """A function compiled in a process that loaded a kernel from the cache inlines it:
    the kernel's bitcode is parsed on demand and the result is right."""
    out = _fresh("""
        from numba import njit
        from edapipe.analog import device_kernels as K
        a = K.limvds(5.0, 1.0)            # from the cache
        @njit
        def twice(v, o):
            return 2.0 * K.limvds(v, o)
        print(a, twice(5.0, 1.0))
    """)
    a, b = map(float, out.split())
    assert b == 2.0 * a and a != 5.0
