"""util/jit.py: kernels are defined (and numba imported) on first use."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from edapipe.util.jit import Kernel, njit

@njit(cache=True, inline="always")
def twice(x):
    return 2 * x

@njit(cache=True)
def plus_one(x):
    return x + 1

@njit(cache=True)
def quad(x):
    return plus_one(twice(twice(x))) - 1     # names kernels not defined yet

assert isinstance(quad, Kernel) and "numba" not in sys.modules
assert "not yet defined" in repr(quad)
import pickle
assert pickle.loads(pickle.dumps(quad)) is quad       # by reference, not defined by it
assert "numba" not in sys.modules
assert twice.targetoptions.get("inline") == "always"   # reading it defines `twice` only
assert "numba" in sys.modules and isinstance(quad, Kernel)
lazy = quad
assert quad(3) == 12 and quad(2.5) == 10.0
assert "numba" in sys.modules and "(defined)" in repr(lazy)
# from now on this module's names hold the dispatchers themselves (no Kernel in between)
assert not isinstance(quad, Kernel) and quad is lazy.dispatcher()
assert not isinstance(plus_one, Kernel)              # typed (so defined) as quad compiled
assert lazy.py_func(1) == 4 and lazy(1) == 4          # the Kernel still forwards
print("ok")
"""


def test_kernels_are_defined_on_first_use(tmp_path):
    script = tmp_path / "kernels.py"        # numba caches functions defined in files only
    script.write_text(SCRIPT)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path,
                          env={**__import__("os").environ, "NUMBA_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
