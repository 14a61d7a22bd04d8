"""analog/fastload.py: the light load of numba's cached kernels, its gate and its fallback.

Every install happens in a child process: installing in the test process would change
numba for the tests that follow (which is why the library never installs it itself).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from edapipe.analog import fastload


def _child(code: str, env: dict | None = None) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


_KERNEL = """
from numba import njit

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
from edapipe.analog import fastload
print(fastload.install())
seen = {{}}
read = fastload.elf_defined_symbols

def recording(obj):
    names = read(obj)
    seen["names"] = names
    return names

fastload.elf_defined_symbols = recording
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
    """A second process loads the kernel from numba's cache through the light path: its
    bitcode is kept unparsed, and the names read from the object code's symbol table
    include every function the bitcode defines (what numba records from it, and what
    get_pointer_to_function asks for)."""
    (tmp_path / "kern.py").write_text(_KERNEL)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    env.pop(fastload.ENV_SWITCH, None)
    code = _CHECK.format(folder=str(tmp_path))
    runs = [_child(code, env) for _ in range(2)]
    assert runs[0].split() == ["True", "20.0", "compiled"]
    assert runs[1].split() == ["True", "20.0", "lazy", "True"]


def test_elf_reader_rejects_other_data():
    assert fastload.elf_defined_symbols(b"") is None
    assert fastload.elf_defined_symbols(b"\x7fELF" + b"\x01" * 60) is None


def test_version_gate_matches_the_pin():
    low, high = fastload.TESTED
    assert fastload.tested_version(".".join(map(str, low)))
    assert not fastload.tested_version(".".join(map(str, high)))
    assert not fastload.tested_version("0.59.0")
    assert fastload.tested_version("0.68.1+3.gabc")
    # pyproject.toml pins numba to the same range
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "pyproject.toml")) as fh:
        text = fh.read()
    pin = f'"numba>={".".join(map(str, low))},<{".".join(map(str, high[:2]))}"'
    assert pin in text


_SIM = """
import json, sys
from edapipe.analog import fastload
{setup}
from numba.core import caching
from edapipe.analog.spice import load_circuit, simulate
deck = '''fastload
V1 in 0 DC 1 PULSE(0 2 1n 1n 1n 5n 10n)
R1 in a 1k
D1 a 0 dm
C1 a 0 1p
.model dm D(IS=1e-14 CJO=1p)
.op
.tran 1n 20n
.end
'''
run = simulate(load_circuit('<t>', deck))
hits = misses = 0
for name, mod in list(sys.modules.items()):
    if name.startswith('edapipe.analog') and name.endswith('_kernels'):
        for obj in vars(mod).values():
            st = getattr(obj, 'stats', None)
            if st is not None and hasattr(st, 'cache_hits'):
                hits += sum(st.cache_hits.values())
                misses += sum(st.cache_misses.values())
print(json.dumps({{'data': [r.data.tolist() for r in run.results],
                  'installed': fastload.status['installed'],
                  'fallback': fastload.status['fallback'],
                  'numba_own': getattr(caching.Cache.load_overload, '__module__', '')
                               == 'numba.core.caching',
                  'hits': hits, 'misses': misses}}))
"""


def _simulate(setup: str, **env_extra) -> dict:
    env = dict(os.environ, **env_extra)
    if fastload.ENV_SWITCH not in env_extra:
        env.pop(fastload.ENV_SWITCH, None)
    return json.loads(_child(_SIM.format(setup=setup), env))


def test_forced_fallback_gives_the_same_results_from_the_cache():
    """The light path failing on the first kernel puts numba's own load back: the answers
    are those of the light path (and of numba's path, never installed), and every kernel
    still comes from the cache (none compiled: the timing stays that of a warm start)."""
    _simulate("fastload.install()")                  # warms the cache if it was cold
    light = _simulate("fastload.install()")
    failing = _simulate("""fastload.install()
def broken(obj):
    raise RuntimeError('forced')
fastload.elf_defined_symbols = broken""")
    plain = _simulate("")
    assert light["installed"] and light["fallback"] is None and not light["numba_own"]
    assert not failing["installed"] and "forced" in failing["fallback"]
    assert failing["numba_own"]
    assert not plain["installed"] and plain["numba_own"]
    for r in (light, failing, plain):
        assert r["hits"] > 0 and r["misses"] == 0
        assert r["data"] == light["data"]


def test_switch_and_version_gate_leave_numba_alone():
    off = _simulate("assert not fastload.install()", **{fastload.ENV_SWITCH: "0"})
    assert not off["installed"] and off["numba_own"]
    untested = _simulate("fastload.TESTED = ((0, 1, 0), (0, 2, 0))\nassert not fastload.install()")
    assert not untested["installed"] and untested["numba_own"]
    assert untested["data"] == off["data"]


def test_importing_the_simulator_does_not_patch_numba():
    plain = _simulate("")
    assert plain["numba_own"] and not plain["installed"]


def test_new_code_links_against_a_lazily_loaded_kernel():
    """A function compiled in a process that loaded a kernel from the cache inlines it:
    the kernel's bitcode is parsed on demand and the result is right."""
    env = dict(os.environ)
    env.pop(fastload.ENV_SWITCH, None)
    code = """
        from edapipe.analog import fastload
        assert fastload.install()
        from numba import njit
        from edapipe.analog.devices import common_kernels as K
        a = K.limvds(5.0, 1.0)            # from the cache
        @njit
        def twice(v, o):
            return 2.0 * K.limvds(v, o)
        print(a, twice(5.0, 1.0))
    """
    _child(code, env)                     # warms the cache if it was cold
    a, b = map(float, _child(code, env).split())
    assert b == 2.0 * a and a != 5.0
