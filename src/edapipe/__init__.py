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


def _writable_folder(path: str) -> bool:
    try:
        _os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return _os.path.isdir(path) and _os.access(path, _os.W_OK | _os.X_OK)


def _private_cache_dir() -> str | None:
    """A per-user folder under the temporary directory, made 0700 and checked to be ours.

    Used when the cache folder cannot be written: numba would otherwise fall back to the
    package's own `__pycache__` (writing into an installed package, or failing and compiling
    every kernel at every run).
    """
    import tempfile

    base = _os.path.join(tempfile.gettempdir(), f"edapipe-numba-{_os.getuid()}")
    try:
        _os.makedirs(base, mode=0o700, exist_ok=True)
        st = _os.lstat(base)
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != _os.getuid() or st.st_mode & 0o077:
        return None                     # someone else's folder, or a link: not ours to use
    path = _os.path.join(base, _kernel_sources_stamp())
    return path if _writable_folder(path) else None


def _choose_cache_dir() -> None:
    wanted = _os.environ.get("NUMBA_CACHE_DIR") or _default_cache_dir()
    if _writable_folder(wanted):
        _os.environ["NUMBA_CACHE_DIR"] = wanted
        return
    fallback = _private_cache_dir()
    import sys

    if fallback is None:
        sys.stderr.write(f"edapipe: warning: the numba cache folder {wanted} cannot be "
                         "written, nor a private temporary one; kernels are compiled at "
                         "every run\n")
        _os.environ["NUMBA_CACHE_DIR"] = wanted
        return
    sys.stderr.write(f"edapipe: warning: the numba cache folder {wanted} cannot be written; "
                     f"using {fallback} (set NUMBA_CACHE_DIR or XDG_CACHE_HOME to choose)\n")
    _os.environ["NUMBA_CACHE_DIR"] = fallback


_choose_cache_dir()

# No command does dense linear algebra (the simulator's is sparse: SuperLU and our numba LU),
# so keep OpenBLAS from starting a spinning thread per core when numpy is imported: about
# 0.05 s of CPU per process for the logic commands and 0.15 s for `spice` on these machines.
# A user's own setting wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
