"""`njit` for edapipe's kernels: numba's, with `cache=True` machine code kept in edapipe's folder.

numba finds its cache folder when a `cache=True` function is defined (numba.config.CACHE_DIR,
read from NUMBA_CACHE_DIR when numba is first imported). edapipe must neither set that
variable for a host program that imports it nor depend on importing numba after it, so the
folder is given to numba only while one of our kernels is being defined, then numba's own
setting is put back:

- a program that set NUMBA_CACHE_DIR (or numba.config.CACHE_DIR) keeps its folder for
  everything, ours included;
- otherwise our kernels cache in `~/.cache/edapipe/numba/<stamp>` (util/cache.py) and the
  host's own functions where numba would have put them anyway, whatever was imported first.

The `edapipe` program sets NUMBA_CACHE_DIR itself at start (cli/main.py), to the same folder,
so every kernel of the process and of its workers uses it.

Why a folder keyed by a stamp of every `*_kernels.py`: numba checks only a kernel's own source
file, so after a change to another kernel module that it calls (or an upgrade of edapipe) it
would keep running stale machine code. Why not the package's `__pycache__`: an installed
package is read-only, and numba would then compile every kernel at every run.
"""

from __future__ import annotations

import os

from edapipe import __version__
from edapipe.util import cache

_chosen: tuple[str, str | None] | None = None
_warned = False
_before_first_kernel: list = []


def before_first_kernel(hook) -> None:
    """Run `hook()` once, just before numba defines the first kernel of this process (and so
    before any kernel loads). The program entry registers numba's light load here
    (cli/main.py), so that only processes that use a kernel import numba for it."""
    _before_first_kernel.append(hook)


def _run_hooks() -> None:
    while _before_first_kernel:
        _before_first_kernel.pop(0)()


def kernel_sources_stamp() -> str:
    """A short stamp of edapipe's version and every *_kernels.py file (name, size, mtime)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        paths += [os.path.join(folder, n) for n in names if n.endswith("_kernels.py")]
    return cache.stamp([__version__, cache.files_stamp(paths, root)])


def kernel_cache_dir() -> tuple[str, str | None]:
    """(the folder for the kernels' machine code, a warning when it is not the one wanted).

    NUMBA_CACHE_DIR when set (the user's choice, used as is); else the stamped folder under
    the user cache, whose stale siblings are pruned when it is first made; else, when that
    cannot be written, a private folder under the temporary directory (numba would otherwise
    write into the package or compile at every run). Chosen once per process.
    """
    global _chosen
    if _chosen is not None:
        return _chosen
    wanted = os.environ.get("NUMBA_CACHE_DIR")
    key = None
    if not wanted:
        key = kernel_sources_stamp()
        wanted = os.path.join(cache.user_cache_root(), "numba", key)
    fresh = key is not None and not os.path.isdir(wanted)
    if cache.writable_folder(wanted):
        if key is not None:
            cache.mark_used(wanted)
            if fresh:
                cache.prune_stale(os.path.dirname(wanted), key)
        _chosen = (wanted, None)
        return _chosen
    base = cache.private_temp_folder("numba")
    fallback = os.path.join(base, key or kernel_sources_stamp()) if base else None
    if fallback is None or not cache.writable_folder(fallback):
        _chosen = (wanted, f"the numba cache folder {wanted} cannot be written, nor a private "
                           "temporary one; kernels are compiled at every run")
    else:
        _chosen = (fallback, f"the numba cache folder {wanted} cannot be written; using "
                             f"{fallback} (set NUMBA_CACHE_DIR or XDG_CACHE_HOME to choose)")
    return _chosen


def _library_cache_dir() -> str:
    """The folder for a library user (the program has set NUMBA_CACHE_DIR already): a folder
    that cannot be written is a Python warning here, once, never a print."""
    global _warned
    folder, warning = kernel_cache_dir()
    if warning is not None and not _warned:
        import warnings

        _warned = True
        warnings.warn(f"edapipe: {warning}", RuntimeWarning, stacklevel=2)
    return folder


def njit(*args, **kwargs):
    """numba.njit; with cache=True, the kernel's machine code goes to edapipe's folder
    unless the program chose numba's cache folder itself (see the module's docstring)."""
    if _before_first_kernel:
        _run_hooks()
    import numba

    if not kwargs.get("cache"):
        return numba.njit(*args, **kwargs)
    if args and callable(args[0]):            # @njit(func, cache=True), no decorator call
        return _defined_in_our_folder(lambda: numba.njit(*args, **kwargs))
    decorate = numba.njit(*args, **kwargs)
    return lambda func: _defined_in_our_folder(lambda: decorate(func))


def _defined_in_our_folder(define):
    # numba.config is public; its CACHE_DIR is read by the cache locator when a cache=True
    # dispatcher is made (the decorator call), and kept by that dispatcher.
    from numba.core import config

    previous = config.CACHE_DIR
    if previous:
        return define()
    config.CACHE_DIR = _library_cache_dir()
    try:
        return define()
    finally:
        config.CACHE_DIR = previous
