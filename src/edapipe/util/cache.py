"""edapipe's on-disk caches: where they live, how they are keyed, how stale ones go away.

Two caches use this: numba's machine code for the kernels (util/jit.py) and the parsed
Liberty libraries (timing/liberty.py). Both live under `$XDG_CACHE_HOME/edapipe/<kind>/<stamp>`
(default `~/.cache/edapipe`), where the stamp changes whenever the code that wrote an entry
changes: an entry is never read back by code that would understand it differently, and no
version number has to be bumped by hand. A folder whose stamp is no longer current is removed
once nobody has used it for a while (`prune_stale`): each process that uses a folder refreshes
its modification time, so "unused" means unused by every checkout and version sharing the
cache, and a process of another version still running keeps its folder.

Nothing here changes the process's environment or any other module's state. The program
imports this at every start (cli/main.py), so `shutil`, `tempfile` and `time` are
imported where used.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib

_HEX = frozenset("0123456789abcdef")


def is_stamp(name: str) -> bool:
    """What a stamp folder is called (8 lowercase hex digits); anything else in a cache
    folder is never touched."""
    return len(name) == 8 and _HEX.issuperset(name)


STALE_AFTER_S = 7 * 24 * 3600
"""A stamp folder unused for this long, and not the current one, is removed."""

PRUNE_SCAN_LIMIT = 256
"""At most this many entries of a cache folder are looked at per prune (a bound on the work
if something else fills the folder)."""


def user_cache_root() -> str:
    """`$XDG_CACHE_HOME/edapipe`, default `~/.cache/edapipe`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "edapipe")


def stamp(parts: list[str]) -> str:
    """An 8-hex-digit stamp of some strings (CRC-32: it tells versions apart, not secrets)."""
    return f"{zlib.crc32(';'.join(parts).encode()):08x}"


def files_stamp(paths: list[str], root: str | None = None, content: bool = False) -> str:
    """A stamp of files: name, size and modification time, or their bytes when `content`.

    Sizes and times are enough when the stamp is taken at every process start (a
    millisecond for the kernel sources); `content` suits rarer uses where a file rewritten
    within one timestamp tick must still count as changed.
    """
    parts = [f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for path in sorted(paths):
        # paths are under root (a prefix slice: relpath costs more than the stat)
        name = path[len(root) + 1:] if root else os.path.basename(path)
        try:
            if content:
                with open(path, "rb") as fh:
                    parts.append(f"{name}:{zlib.crc32(fh.read()):08x}")
            else:
                st = os.stat(path)
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:missing")
    return stamp(parts)


def writable_folder(path: str) -> bool:
    """Make `path` (and its parents) if needed; True when it is a folder we can write."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def private_temp_folder(kind: str) -> str | None:
    """`<tmp>/edapipe-<kind>-<uid>`, made 0700 and checked to be ours, or None.

    For when the user cache folder cannot be written: a folder under the temporary
    directory that someone else made (or a link planted there) is never used.
    """
    import tempfile

    base = os.path.join(tempfile.gettempdir(), f"edapipe-{kind}-{os.getuid()}")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return base


def mark_used(path: str) -> None:
    """Refresh a stamp folder's modification time: it is in use (see prune_stale)."""
    try:
        os.utime(path)
    except OSError:
        pass


def prune_stale(parent: str, current: str, stale_after_s: float = STALE_AFTER_S,
                now: float | None = None) -> list[str]:
    """Remove the stamp folders of `parent` other than `current` unused for `stale_after_s`.

    Safe by construction: only entries named like a stamp, only real folders (lstat: a
    symbolic link is never followed nor removed), only those owned by this user, and
    shutil.rmtree, which never follows links inside the tree (it removes the link itself).
    Bounded: at most PRUNE_SCAN_LIMIT entries are looked at. Errors are ignored: pruning is
    housekeeping, and another process may be pruning the same folder. Returns what went.
    """
    import shutil
    import time

    now = time.time() if now is None else now
    removed = []
    try:
        with os.scandir(parent) as it:
            entries = [e for _, e in zip(range(PRUNE_SCAN_LIMIT), it)]
    except OSError:
        return removed
    for entry in entries:
        if entry.name == current or not is_stamp(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        if now - st.st_mtime < stale_after_s:
            continue
        if not getattr(shutil.rmtree, "avoids_symlink_attacks", False):
            continue          # a platform where rmtree could be raced into following a link
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed
