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
import sys

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
    unless the program chose numba's cache folder itself (see the module's docstring).

    A cache=True kernel is defined on its first use, not at import (see `Kernel`): a
    process that imports kernel modules but calls no kernel never imports numba."""
    if not kwargs.get("cache"):
        if _before_first_kernel:
            _run_hooks()
        import numba

        return numba.njit(*args, **kwargs)
    if args and callable(args[0]):            # @njit(func, cache=True), no decorator call
        func, rest = args[0], args[1:]
        return Kernel(func, lambda: _define(func, rest, kwargs))
    return lambda func: Kernel(func, lambda: _define(func, args, kwargs))


class Kernel:
    """A numba kernel that is defined on first use: calling it, reading an attribute of the
    dispatcher (`py_func`, `stats`, ...) or compiling a kernel that calls it. Until then
    nothing of numba is imported, so a command whose input needs no kernel (a linear SPICE
    deck, `--help`) pays neither numba's import nor its cache loads.

    numba sees the kernel where another kernel names it as a global: `_register_typeof`
    teaches numba's public `typeof_impl` to type a Kernel as its dispatcher, and the
    inliner reads `targetoptions` through `__getattr__`."""

    def __init__(self, func, define):
        self._define = define
        self._dispatcher = None
        self.__wrapped__ = func
        self.__name__ = func.__name__
        self.__qualname__ = func.__qualname__
        self.__module__ = func.__module__
        self.__doc__ = func.__doc__

    def dispatcher(self):
        d = self._dispatcher
        if d is None:
            d = self._dispatcher = self._define()
            home = sys.modules.get(self.__module__)
            if home is not None and getattr(home, self.__name__, None) is self:
                setattr(home, self.__name__, d)
        return d

    def __call__(self, *args, **kwargs):
        d = self._dispatcher
        if d is None:
            d = self.dispatcher()
        # The module that called holds this Kernel under its name (`from m import k`): from
        # now on it holds the dispatcher, so its later calls skip this frame (about 1 us).
        names = sys._getframe(1).f_globals
        if names.get(self.__name__) is self:
            names[self.__name__] = d
        return d(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(self.dispatcher(), name)

    def __reduce__(self):
        # by reference, as numba pickles its dispatchers: the receiver imports the module
        return (_by_name, (self.__module__, self.__qualname__))

    def __repr__(self):
        state = "defined" if self._dispatcher is not None else "not yet defined"
        return f"<edapipe kernel {self.__module__}.{self.__qualname__} ({state})>"


def _by_name(module: str, qualname: str):
    import importlib

    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


_typeof_registered = False


def _define(func, args, kwargs):
    if _before_first_kernel:
        _run_hooks()
    import numba

    _register_typeof()
    return _defined_in_our_folder(lambda: numba.njit(*args, **kwargs)(func))


def _register_typeof() -> None:
    """numba types a global by `typeof`; a Kernel is typed as its dispatcher (defining it),
    through numba's public extension registry (numba.extending.typeof_impl)."""
    global _typeof_registered
    if _typeof_registered:
        return
    from numba.core.typing.typeof import typeof
    from numba.extending import typeof_impl

    @typeof_impl.register(Kernel)
    def _typeof_kernel(val, c):
        return typeof(val.dispatcher(), c.purpose)

    _typeof_registered = True


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
