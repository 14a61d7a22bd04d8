"""edapipe: a command-line EDA toolchain.

Importing the package is cheap: it only points numba's on-disk cache at a user-writable folder
(numba reads NUMBA_CACHE_DIR when it is first imported, and `cache=True` kernels raise at import
time when nothing is writable, e.g. for a read-only installed package).
"""

import os as _os

__version__ = "0.1.0"


def _default_cache_dir() -> str:
    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
    return _os.path.join(base, "edapipe", "numba")


_os.environ.setdefault("NUMBA_CACHE_DIR", _default_cache_dir())
