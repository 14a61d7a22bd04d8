"""Package-level behaviour: importing edapipe changes nothing global; the kernels' numba cache
goes to edapipe's folder, keyed by the kernel sources, whatever the host imported first; the
program entry sets its process environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import edapipe
from edapipe.util import jit


def test_cache_stamp_follows_kernel_sources():
    kernel = Path(edapipe.__file__).parent / "aig" / "strash_kernels.py"
    before = jit.kernel_sources_stamp()
    st = kernel.stat()
    try:
        os.utime(kernel, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert jit.kernel_sources_stamp() != before
    finally:
        os.utime(kernel, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert jit.kernel_sources_stamp() == before


def _python(code: str, tmp_path: Path, **env) -> dict:
    """Run `code` in a fresh interpreter with a private cache home and no NUMBA_CACHE_DIR or
    OPENBLAS_NUM_THREADS; it prints one JSON object, returned here."""
    full = {k: v for k, v in os.environ.items()
            if k not in ("NUMBA_CACHE_DIR", "OPENBLAS_NUM_THREADS")}
    full.update(XDG_CACHE_HOME=str(tmp_path / "cache"), **env)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_changes_nothing_global(tmp_path):
    out = _python("import json, os, sys\nbefore = dict(os.environ)\nimport edapipe\n"
                  "print(json.dumps({'env': dict(os.environ) == before, "
                  "'heavy': sorted(m for m in ('numpy', 'numba') if m in sys.modules)}))",
                  tmp_path)
    assert out == {"env": True, "heavy": []}


# Runs one edapipe kernel (AIG levels) as a library user would, with numba imported before
# or after edapipe, and a host function of its own with cache=True defined afterwards.
_LIBRARY_USER = """
import json, os, sys
env_before = dict(os.environ)
if {numba_first}:
    import numba
import numpy as np
from edapipe.aig.analysis_kernels import levels
import numba
from numba.core import config
lev = levels(2, np.array([2], dtype=np.int32), np.array([4], dtype=np.int32))
host_dir = os.path.join({host!r})
os.makedirs(host_dir, exist_ok=True)
sys.path.insert(0, host_dir)
with open(os.path.join(host_dir, "hostmod.py"), "w") as fh:
    fh.write("import numba\\n@numba.njit(cache=True)\\ndef twice(x):\\n    return 2 * x\\n")
import hostmod
assert hostmod.twice(21) == 42
print(json.dumps({{"levels": lev.tolist(), "config": config.CACHE_DIR,
                  "env": dict(os.environ) == env_before}}))
"""


@pytest.mark.parametrize("numba_first", [True, False])
def test_library_kernels_cache_in_edapipe_folder(tmp_path, numba_first):
    host = tmp_path / "host"
    out = _python(_LIBRARY_USER.format(numba_first=numba_first, host=str(host)), tmp_path)
    assert out["levels"][-1] == 1 and out["config"] == "" and out["env"] is True
    ours = tmp_path / "cache" / "edapipe" / "numba"
    stamps = [p.name for p in ours.iterdir()]
    assert stamps == [jit.kernel_sources_stamp()]
    cached = [p.name for p in (ours / stamps[0]).rglob("*") if p.suffix in (".nbi", ".nbc")]
    assert any(name.startswith("analysis_kernels.levels") for name in cached), cached
    # the host's own function is cached where numba puts it without edapipe, not with ours
    assert not any(name.startswith("hostmod") for name in cached)
    assert any(p.name.startswith("hostmod.twice") for p in (host / "__pycache__").iterdir())


def test_a_host_numba_cache_dir_is_kept(tmp_path):
    chosen = tmp_path / "hosts-cache"
    out = _python(_LIBRARY_USER.format(numba_first=False, host=str(tmp_path / "host")),
                  tmp_path, NUMBA_CACHE_DIR=str(chosen))
    assert out["config"] == str(chosen)
    assert any(p.name.startswith("analysis_kernels.levels") for p in chosen.rglob("*.nbi"))
    assert not (tmp_path / "cache" / "edapipe" / "numba").exists()


_PROGRAM = """
import json, os, sys
from edapipe.cli.main import configure_process
configure_process()
print(json.dumps({k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "NUMBA_CACHE_DIR")}))
"""


def test_program_entry_sets_its_environment(tmp_path):
    out = _python(_PROGRAM, tmp_path)
    assert out["OPENBLAS_NUM_THREADS"] == "1"
    assert out["NUMBA_CACHE_DIR"] == str(tmp_path / "cache" / "edapipe" / "numba"
                                         / jit.kernel_sources_stamp())
    mine = _python(_PROGRAM, tmp_path, OPENBLAS_NUM_THREADS="3")
    assert mine["OPENBLAS_NUM_THREADS"] == "3"          # a user's own setting wins


def test_program_sets_openblas_before_numpy_loads(tmp_path):
    """The entry runs before any command module: numpy (and OpenBLAS) load after it."""
    code = ("import sys\nfrom edapipe.cli import main\n"
            "print(int('numpy' in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "0", proc.stderr
