"""edapipe: a command-line EDA toolchain.

Importing the package is cheap: it only points numba's on-disk cache at a user-writable folder
(numba reads NUMBA_CACHE_DIR when it is first imported, and `cache=True` kernels raise at import
time when nothing is writable, e.g. for a read-only installed package).
"""

import os as _os

__version__ = "0.1.0"


def _kernel_sources_stamp() -> str:
    """A short stamp of every *_kernels.py file (name, size, mtime).

    numba's cache checks only a kernel's own source file: after a change to another kernel
    module that it calls (or an upgrade of edapipe), it would keep running stale machine code.
    Keying the cache folder by all kernel sources makes any change start a fresh cache.
    """
    import zlib

    root = _os.path.dirname(__file__)
    parts = [__version__]
    for folder, dirs, names in sorted(_os.walk(root)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(names):
            if name.endswith("_kernels.py"):
                st = _os.stat(_os.path.join(folder, name))
                parts.append(f"{_os.path.relpath(folder, root)}/{name}:{st.st_size}:"
                             f"{st.st_mtime_ns}")
    return f"{zlib.crc32(';'.join(parts).encode()):08x}"


def _default_cache_dir() -> str:
    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
    return _os.path.join(base, "edapipe", "numba", _kernel_sources_stamp())


if "NUMBA_CACHE_DIR" not in _os.environ:
    _os.environ["NUMBA_CACHE_DIR"] = _default_cache_dir()

# No command does dense linear algebra (the simulator's is sparse: SuperLU and our numba LU),
# so keep OpenBLAS from starting a spinning thread per core when numpy is imported: about
# 0.05 s of CPU per process for the logic commands and 0.15 s for `spice` on these machines.
# A user's own setting wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
