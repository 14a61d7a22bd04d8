"""Warm worker processes with per-input isolation, and the local pool that drives them.

A WorkerProcess is one `python -m edapipe.batch.worker` child, reused from input to input (it
imports edapipe and loads kernels once). The parent owns the clock: an input that runs past
its timeout gets its worker killed (SIGKILL: a numba kernel cannot be interrupted) and a
`timeout` row; a worker that dies (a signal, an abort in native code, the kernel's OOM killer)
gives a `crash` row; either way the next input gets a fresh worker and the batch goes on.
The same class runs inside Dask workers (dask_backend), so rows are the same there.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

from edapipe.batch import rows

HELLO_TIMEOUT = 600.0       # seconds for a worker to import edapipe (a cold machine is slow)


class WorkerProcess:
    def __init__(self, script: str | None, memory: float = 0.0):
        self.script = script
        self.memory = memory
        self.proc: subprocess.Popen | None = None
        self.buf = b""
        self.log = None
        self.warm_seconds = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "edapipe.batch.worker"]
        if self.script:
            cmd += ["--warm", self.script]
        if self.memory:
            cmd += ["--memory", str(self.memory)]
        # the child's standard error goes to a file: a pipe nobody reads could fill and
        # block it; the tail is quoted when the worker dies
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, start_new_session=True)
        self.buf = b""
        hello = self._readline(time.monotonic() + HELLO_TIMEOUT)
        if not hello:
            self._reap()
            raise RuntimeError(f"a batch worker did not start: {self._log_tail()}")
        msg = json.loads(hello)
        self.warm_seconds = msg.get("warm_seconds")

    def run(self, task: dict, timeout: float | None) -> dict:
        """The row of one task; never raises for what happens to the input."""
        if self.proc is None or self.proc.poll() is not None:
            self._reap()
            self.start()
        path = task["input"]
        try:
            self.proc.stdin.write((json.dumps(task) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass                                    # it died: the read below sees EOF
        deadline = time.monotonic() + timeout if timeout else None
        line = self._readline(deadline)
        if line is None:
            self.kill()
            return self._tag(rows.failed_row(path, "timeout", 4,
                                             f"timed out after {timeout:g} s"), task)
        if line == b"":
            return self._tag(self._crash_row(path), task)
        row = json.loads(line)
        if row.get("status") == "memory":
            self._reap()                            # it exits after a memory error
        return row

    def _tag(self, row: dict, task: dict) -> dict:
        row["id"] = task.get("id")
        return row

    def _crash_row(self, path: str) -> dict:
        code = self.proc.wait()
        tail = self._log_tail()
        self._reap()
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            why = f"worker killed by signal {name}"
        else:
            why = f"worker exited with code {code}"
        if self.memory:
            why += f" (memory limit {self.memory:g} MiB)"
        status = "crash"
        if "MemoryError" in tail or "std::bad_alloc" in tail:
            status = "memory"
        return rows.failed_row(path, status, 4, why + (f": {tail}" if tail else ""))

    def _log_tail(self) -> str:
        if self.log is None:
            return ""
        try:
            self.log.seek(0)
            text = self.log.read()[-2000:].decode("utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""
        lines = [ln for ln in text.splitlines() if ln.strip()]
        return lines[-1][:300] if lines else ""

    def _readline(self, deadline: float | None) -> bytes | None:
        """One line from the worker; b"" at end of file, None at the deadline."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return None
            data = os.read(fd, 1 << 16)
            if not data:
                return b""
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def end_input(self) -> None:
        """Tell the worker there is no more input (it ends by itself; see close)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def close(self) -> None:
        """Let the worker end at end of input (it finishes nothing: it is idle)."""
        self.end_input()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._reap()


class LocalPool:
    """`jobs` warm workers on this machine, kept across calls to run (explore's rounds)."""

    def __init__(self, script: str | None, jobs: int, memory: float = 0.0):
        self.workers = [WorkerProcess(script, memory) for _ in range(max(1, jobs))]

    def run(self, tasks: list[dict], timeout: float | None, on_row) -> None:
        """Run the tasks; on_row(row) is called (under a lock) as each input finishes."""
        import queue
        import threading

        todo: queue.Queue = queue.Queue()
        for task in tasks:
            todo.put(task)
        lock = threading.Lock()
        errors: list[BaseException] = []
        stop = threading.Event()

        def loop(worker):
            try:
                while not stop.is_set():
                    try:
                        task = todo.get_nowait()
                    except queue.Empty:
                        return
                    row = worker.run(task, timeout)
                    with lock:
                        on_row(row)
            except BaseException as exc:   # noqa: BLE001 - handed to the main thread
                errors.append(exc)
                stop.set()

        threads = [threading.Thread(target=loop, args=(w,), daemon=True)
                   for w in self.workers[:max(1, min(len(self.workers), len(tasks)))]]
        try:
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():
                    t.join(0.2)     # short joins: Ctrl-C reaches the main thread
        except BaseException:
            stop.set()
            self.kill()
            raise
        if errors:
            self.kill()
            raise errors[0]

    def kill(self) -> None:
        for w in self.workers:
            w.kill()

    def close(self) -> None:
        for w in self.workers:          # all at once: each one's exit overlaps the others'
            w.end_input()
        for w in self.workers:
            w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


_SAMPLE = 1 << 22          # bytes of a text file read to estimate its gates per byte


def estimated_gates(path: str) -> float:
    """A cheap estimate of an input's size in gates, to order a batch's inputs.

    File sizes alone compare formats badly (a BENCH gate takes about 15 bytes, a binary
    AIGER AND 2 to 4): c7552 (3.5k gates) was started before EPFL circuits four times its
    size. Binary or ASCII AIGER: the AND count of its header; a text netlist: the `=`
    signs (BENCH gates, Verilog assigns) or BLIF `.names`, counted in the first 4 MiB (a
    millisecond) and scaled to the file's size. Unreadable: 0 (it fails fast anyway).
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(_SAMPLE)
    except OSError:
        return 0.0
    if head[:4] in (b"aig ", b"aag "):
        fields = head.split(b"\n", 1)[0].split()
        try:
            return float(int(fields[5]) + int(fields[3]))       # ANDs + latches
        except (IndexError, ValueError):
            return size / 3.0
    marks = head.count(b"=") + head.count(b".names")
    return size * marks / max(1, len(head))


def longest_first(tasks: list[dict]) -> list[dict]:
    """The tasks ordered largest estimated input first (longest processing time first): the
    long inputs start early, so the workers finish together."""
    def gates(task):
        return estimated_gates(os.path.join(task.get("cwd") or ".", task["input"]))

    return sorted(tasks, key=gates, reverse=True)


def open_pool(script: str | None, jobs: int, memory: float = 0.0, dask: str | None = None):
    """A LocalPool, or a DaskPool when `dask` names a cluster; both are context managers."""
    if dask:
        from edapipe.batch.dask_backend import DaskPool

        return DaskPool(dask, script, memory)
    return LocalPool(script, jobs, memory)
