"""Reading inputs and writing outputs the way every edapipe stage does.

Every file option of every command goes through here, so the rules hold everywhere:

- `-` or None is standard input / standard output.
- Reading is bounded: a regular file is read whole (its size is what the user gave us); a pipe,
  a device or a gzip stream is read up to a budget (`max_input_bytes`, EDAPIPE_MAX_INPUT_MB),
  so `/dev/zero` or a gzip bomb is a clear error instead of gigabytes of memory.
- Outputs to a regular file (or a symlink to one, at its target) are written atomically: a
  temporary file in the destination folder, then a rename, so an interrupted or failed stage
  never leaves a truncated file behind. Anything that exists and is not a regular file (a
  device, a FIFO, `/dev/fd/N`, `/dev/stdout`, a process substitution) is written straight
  through and never replaced.
- An output that is the same file as an input is refused (exit 2) before anything is written;
  commands call `guard_outputs` before they start working, and every write checks again
  against every file read so far (included files too).
- Binary data is never written to a terminal.
- A full disk or an I/O error is a one-line error with exit 4; temporary files are removed
  on SIGTERM and SIGHUP as on SIGINT (`install_signal_cleanup`).
"""

from __future__ import annotations

import errno
import os
import stat
import sys

from edapipe.errors import InputError, ResourceLimit, UsageError

_MIB = 1 << 20
DEFAULT_MAX_INPUT_MB = 256
MAX_INPUT_VARIABLE = "EDAPIPE_MAX_INPUT_MB"

# (device, inode) and resolved path of every file read in this process: outputs may not be any.
_inputs: dict[tuple[int, int], str] = {}
# temporary files being written, removed by the signal handler
_pending_temps: set[str] = set()
# errno values that mean "no room or the device failed", not "the path is wrong"
_RESOURCE_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG,
                    getattr(errno, "EDQUOT", errno.ENOSPC)}


def is_resource_error(exc: OSError) -> bool:
    """No room or a failing device (exit 4), not a wrong path."""
    return exc.errno in _RESOURCE_ERRNOS


def is_stdio(path: str | os.PathLike | None) -> bool:
    return path is None or str(path) == "-"


def display_name(path: str | os.PathLike | None) -> str:
    return "<stdin>" if is_stdio(path) else str(path)


def max_input_bytes() -> int:
    """The budget for bytes read from a stream or unpacked from gzip (EDAPIPE_MAX_INPUT_MB)."""
    raw = os.environ.get(MAX_INPUT_VARIABLE)
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            raise UsageError(f"{MAX_INPUT_VARIABLE}={raw!r} is not a number of MiB") from None
        if mb > 0:
            return int(mb * _MIB)
    return DEFAULT_MAX_INPUT_MB * _MIB


def _budget_error(name: str, what: str) -> ResourceLimit:
    limit = max_input_bytes() // _MIB
    return ResourceLimit(f"{name}: {what} is larger than the input limit of {limit} MiB; "
                         f"raise it with {MAX_INPUT_VARIABLE}=N (MiB)")


def _read_stream(fh, name: str) -> bytes:
    """Read a non-regular file (pipe, FIFO, device) up to the budget."""
    budget = max_input_bytes()
    chunks = []
    total = 0
    while True:
        chunk = fh.read(min(1 << 22, budget + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > budget:
            raise _budget_error(name, "the input stream")


def _remember_input(st: os.stat_result, path: str | None) -> None:
    if stat.S_ISREG(st.st_mode):
        _inputs[(st.st_dev, st.st_ino)] = os.path.realpath(path) if path else "<stdin>"


def note_input(path: str | os.PathLike) -> None:
    """Record a file as an input (for readers that open files themselves)."""
    try:
        _remember_input(os.stat(path), str(path))
    except OSError:
        pass


def read_bytes(path: str | os.PathLike | None, *, regular_only: bool = False) -> bytes:
    """All bytes of a file, or of standard input for `-`/None; unreadable files are bad input.

    `regular_only` refuses anything but a regular file (for `.include` and the like, where a
    device or FIFO can only be a mistake or an attack).
    """
    if is_stdio(path):
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no input file given and standard input is a terminal")
        try:
            st = os.fstat(sys.stdin.fileno())
        except (OSError, ValueError):
            st = None
        if st is not None:
            _remember_input(st, None)
            if stat.S_ISREG(st.st_mode):
                return sys.stdin.buffer.read()
        return _read_stream(sys.stdin.buffer, "<stdin>")
    name = str(path)
    try:
        # not pathlib: every stage reads, and its import costs
        fd = os.open(name, os.O_RDONLY)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except PermissionError:
        raise InputError("permission denied", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        os.close(fd)
        raise InputError("is a directory, not a file", file=name)
    with os.fdopen(fd, "rb") as fh:
        try:
            if stat.S_ISREG(st.st_mode):
                _remember_input(st, name)
                return fh.read()
            if regular_only:
                raise InputError("not a regular file (a device, FIFO or socket); refused",
                                 file=name)
            return _read_stream(fh, name)
        except IsADirectoryError:
            raise InputError("is a directory, not a file", file=name) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=name) from None


def gunzip(data: bytes, name: str) -> bytes:
    """Unpack gzip data (all members, as gzip.decompress) within the input budget."""
    import zlib

    budget = max_input_bytes()
    out = []
    total = 0
    rest = data
    while rest:
        if rest[:2] != b"\x1f\x8b":
            if rest.strip(b"\0"):       # gzip allows zero padding after the last member
                raise InputError("bad gzip data: garbage after the compressed data", file=name)
            break
        dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        try:
            while pending and not dec.eof:
                chunk = dec.decompress(pending, budget + 1 - total)
                pending = dec.unconsumed_tail
                total += len(chunk)
                out.append(chunk)
                if total > budget:
                    raise _budget_error(name, "the unpacked gzip data")
                if not chunk and not pending:
                    break
            if not dec.eof:
                tail = dec.flush()
                total += len(tail)
                out.append(tail)
                if total > budget:
                    raise _budget_error(name, "the unpacked gzip data")
                raise InputError("bad gzip data: the stream ends early", file=name)
        except zlib.error as exc:
            raise InputError(f"bad gzip data: {exc}", file=name) from None
        rest = dec.unused_data
    return b"".join(out)


# ----------------------------------------------------------------------------- outputs

def _is_descriptor_path(real: str) -> bool:
    # /dev/stdout, /dev/fd/N and process substitutions resolve to /proc/<pid>/fd/N, or to
    # "pipe:[...]" names that do not exist as paths
    return real.startswith(("/proc/", "/dev/fd/")) or ":[" in real


def _via_descriptor(path: str) -> bool:
    """Does the path lead through an open file descriptor (/dev/stdout -> /proc/self/fd/1
    -> the file)? Then it names what the caller already opened: write into it, not over it."""
    p = os.path.abspath(path)
    for _ in range(40):
        if _is_descriptor_path(p):
            return True
        if not os.path.islink(p):
            return False
        try:
            p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
        except OSError:
            return False
    return False


def _same_as_input(st: os.stat_result) -> str | None:
    return _inputs.get((st.st_dev, st.st_ino))


def _target(path: str, option: str | None) -> tuple[str, bool]:
    """Where to write `path` and whether atomically; usage errors for impossible targets.

    Returns (target, atomic). target is the resolved regular file (atomic) or the path to
    open straight through (not atomic).
    """
    label = f"{option} {path}" if option else path
    if path.endswith(os.sep):
        raise UsageError(f"{label}: names a folder; give a file name")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise UsageError(f"{label}: a part of the path is not a folder") from None
    except PermissionError:
        raise UsageError(f"{label}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{label}: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{label}: is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            return path, False                  # device, FIFO, socket: write through
        if _via_descriptor(path):
            return path, False                  # an open descriptor: write through
        real = os.path.realpath(path)
        seen = _same_as_input(st)
        if seen is not None:
            raise UsageError(f"{label}: is an input of this command ({seen}); refusing to "
                             "overwrite it")
        return real, True
    if os.path.islink(path):
        real = os.path.realpath(path)           # a dangling link: create its target
    else:
        real = os.path.abspath(path)
    if _is_descriptor_path(real):
        raise UsageError(f"{label}: no such open file descriptor")
    folder = os.path.dirname(real) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"{label}: the folder {os.path.dirname(path) or '.'} does not exist")
    return real, True


def guard_outputs(outputs: dict[str, str | None], inputs=()) -> None:
    """Check output paths before any work: folders exist, no directory, none is an input.

    `outputs` maps an option name ("-o", "--csv") to its path (None or "-" is skipped);
    `inputs` are the paths the command will read (files not yet read are looked up here).
    """
    for path in inputs:
        if path is not None and not is_stdio(path):
            note_input(path)
    try:
        st = os.fstat(sys.stdin.fileno()) if sys.stdin is not None else None
    except (OSError, ValueError):
        st = None
    stdin_regular = (st.st_dev, st.st_ino) if st is not None and stat.S_ISREG(st.st_mode) else None
    if stdin_regular is not None and any(is_stdio(p) for p in inputs):
        _inputs.setdefault(stdin_regular, "<stdin>")
    seen: dict[str, str] = {}
    for option, path in outputs.items():
        if path is None or is_stdio(path):
            continue
        target, _ = _target(str(path), option)
        if target in seen:
            raise UsageError(f"{option} {path}: the same file as {seen[target]}")
        seen[target] = f"{option} {path}"


def write_bytes(path: str | os.PathLike | None, data: bytes, *, binary: bool,
                option: str | None = None) -> None:
    """Write `data` to standard output (`-`/None), straight through to a special file, or
    atomically to a regular file."""
    if is_stdio(path):
        out = sys.stdout
        if binary and out.isatty():
            raise UsageError("refusing to write binary data to a terminal; "
                             f"use {option or '-o'} FILE, a pipe, or a text format")
        out.flush()
        try:
            out.buffer.write(data)
            out.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            if exc.errno in _RESOURCE_ERRNOS:
                raise ResourceLimit(f"standard output: {exc.strerror}") from None
            raise
        return
    target, atomic = _target(str(path), option)
    if atomic:
        _atomic_write(target, data, str(path))
    else:
        _write_through(target, data, binary, option)


def atomic_write(path: str | os.PathLike, data: bytes, option: str | None = None) -> None:
    """Write a file output; `-` is standard output (kept for callers of the old name)."""
    write_bytes(path, data, binary=True, option=option)


def _write_through(path: str, data: bytes, binary: bool, option: str | None) -> None:
    label = f"{option} {path}" if option else path
    try:
        # O_APPEND: a regular file reached through a descriptor (`-o /dev/stdout >> log`)
        # is written where the shell's own writes go, not over its start
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except PermissionError:
        raise UsageError(f"{label}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{label}: cannot open: {exc.strerror}") from None
    try:
        if binary and os.isatty(fd):
            raise UsageError(f"{label}: refusing to write binary data to a terminal")
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except BrokenPipeError:
        raise
    except OSError as exc:
        if exc.errno in _RESOURCE_ERRNOS:
            raise ResourceLimit(f"{label}: {exc.strerror}") from None
        raise UsageError(f"{label}: cannot write: {exc.strerror}") from None
    finally:
        os.close(fd)


def _atomic_write(target: str, data: bytes, shown: str) -> None:
    import tempfile                     # here, not at the top: reading stages never need it

    folder = os.path.dirname(target) or "."
    base = os.path.basename(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise UsageError(f"{shown}: the folder {folder} does not exist") from None
    except PermissionError:
        raise UsageError(f"{shown}: permission denied (folder {folder})") from None
    except OSError as exc:
        if exc.errno in _RESOURCE_ERRNOS:
            raise ResourceLimit(f"{shown}: {exc.strerror}") from None
        raise UsageError(f"{shown}: cannot write: {exc.strerror}") from None
    _pending_temps.add(tmp)
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)              # mkstemp makes 0600 files: keep the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        if exc.errno in _RESOURCE_ERRNOS:
            raise ResourceLimit(f"{shown}: {exc.strerror}") from None
        raise UsageError(f"{shown}: cannot write: {exc.strerror}") from None
    except BaseException:
        _discard(tmp)
        raise
    finally:
        _pending_temps.discard(tmp)


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def remove_pending_temps() -> None:
    """Remove temporary output files still being written (from a signal handler)."""
    for tmp in list(_pending_temps):
        _discard(tmp)
    _pending_temps.clear()


def forget_inputs() -> None:
    """Start a new command: no file has been read yet (for several commands in one process)."""
    _inputs.clear()


def install_signal_cleanup() -> None:
    """SIGTERM and SIGHUP remove temporary outputs and end the process with 128+signal."""
    import signal

    def handler(signum, frame):
        remove_pending_temps()
        try:
            sys.stderr.write(f"edapipe: terminated by signal {signum}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, handler)
        except (ValueError, OSError):     # not the main thread: the caller's business
            pass
