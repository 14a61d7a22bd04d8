"""numba's `njit`, with a lighter load of cached machine code.

numba refreshes its whole target context before loading the first cached function of a
process: it imports ~40 of its modules and installs every typing and lowering registry
(about 0.2 s of CPU here), none of which a function rebuilt from its cached object code
needs. The load below initialises only the runtime (NRT) the cached code links against.
Compiling (a cache miss, a new signature) still refreshes the context in full: numba's
compiler does that itself. Falls back to numba's own load if its internals differ.
"""

from __future__ import annotations

from numba import njit  # noqa: F401  (re-exported for the kernel modules)
from numba.core import caching as _caching


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


_install()
