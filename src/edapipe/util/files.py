"""Reading inputs and writing outputs the way every edapipe stage does.

- `-` or None means standard input / standard output.
- Outputs are written atomically: a temporary file in the destination folder, then a rename,
  so an interrupted or failed stage never leaves a truncated file behind.
- Binary data is never written to a terminal.
"""

from __future__ import annotations

import os
import sys

from edapipe.errors import InputError, UsageError


def is_stdio(path: str | os.PathLike | None) -> bool:
    return path is None or str(path) == "-"


def display_name(path: str | os.PathLike | None) -> str:
    return "<stdin>" if is_stdio(path) else str(path)


def read_bytes(path: str | os.PathLike | None) -> bytes:
    """All bytes of a file, or of standard input for `-`/None; unreadable files are bad input."""
    if is_stdio(path):
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no input file given and standard input is a terminal")
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:     # not pathlib: every stage reads, and its import costs
            return fh.read()
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None


def write_bytes(path: str | os.PathLike | None, data: bytes, *, binary: bool) -> None:
    """Write `data` to a file atomically, or to standard output for `-`/None."""
    if is_stdio(path):
        out = sys.stdout
        if binary and out.isatty():
            raise UsageError("refusing to write binary data to a terminal; "
                             "use -o FILE, a pipe, or a text format (e.g. --format aag)")
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
        return
    atomic_write(path, data)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    import tempfile                     # here, not at the top: reading stages never need it
    from pathlib import Path

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise UsageError(f"{target}: the folder {folder} does not exist") from None
    except PermissionError:
        raise UsageError(f"{target}: permission denied") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes 0600 files; give the output the usual umask-based mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
