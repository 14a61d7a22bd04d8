"""Compile every numba kernel once (`python -m edapipe.warm`), so the first real run is fast.

`make install` and `make demo` run this. Each subsystem lists a function here that exercises its
kernels on a tiny input; numba's `cache=True` then keeps the machine code in
the kernel cache folder (edapipe.util.jit). tests/test_warm.py runs every command and
analysis after this in a fresh process and fails if any of them compiles a kernel.

The warmers run in parallel, one child process each (`--jobs`, default the usable cores),
longest first; a progress bar goes to standard error when it is a terminal. Two children
may compile a kernel they share: numba writes each cache entry atomically, so the result is
the same, at the cost of a little duplicated work.
"""

from __future__ import annotations

import importlib
import sys
import time

# module:function pairs, roughly longest first (the order they start in when cold);
# each function takes no arguments and runs its kernels on tiny data.
WARMERS: list[str] = [
    "edapipe.analog.warm:warm",
    "edapipe.verify.warm:warm",
    "edapipe.synth.rewrite:warm",
    "edapipe.synth.refactor:warm",
    "edapipe.synth.dch:warm",
    "edapipe.synth.map.cells:warm",
    "edapipe.synth.map.lut:warm",
    "edapipe.timing.warm:warm",
    "edapipe.aig.warm:warm",
]


def run_one(entry: str) -> None:
    """Run one warmer in this process (a missing optional subsystem is skipped)."""
    module, func = entry.split(":")
    try:
        warmer = getattr(importlib.import_module(module), func)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    warmer()


def _start(entry: str):
    import subprocess
    import tempfile

    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "edapipe.warm", "--one", entry],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    return proc, log


def run_parallel(entries: list[str], jobs: int, on_done) -> list[str]:
    """Run the warmers in up to `jobs` child processes; on_done(entry) as each ends.
    Returns the failures (entry and the tail of its output)."""
    pending = list(entries)
    running: dict = {}
    failures = []
    while pending or running:
        while pending and len(running) < jobs:
            entry = pending.pop(0)
            running[entry] = _start(entry)
        finished = [e for e, (proc, _) in running.items() if proc.poll() is not None]
        if not finished:
            time.sleep(0.05)
        for entry in finished:
            proc, log = running.pop(entry)
            if proc.returncode != 0:
                log.seek(0)
                tail = log.read()[-3000:].decode("utf-8", errors="replace")
                failures.append(f"{entry} failed (exit {proc.returncode}):\n{tail}")
            log.close()
            on_done(entry)
    return failures


def main(argv: list[str] | None = None) -> int:
    import argparse

    from edapipe.cli.main import configure_process
    from edapipe.util.budgets import usable_cores

    ap = argparse.ArgumentParser(prog="python -m edapipe.warm",
                                 description="Compile and cache every numba kernel.")
    ap.add_argument("-j", "--jobs", type=int, default=usable_cores(),
                    help="warmers run at once (default: the usable cores)")
    ap.add_argument("--one", metavar="MODULE:FUNC", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    configure_process()           # the same environment as the `edapipe` program
    if args.one:
        run_one(args.one)
        return 0
    t0 = time.perf_counter()
    failures = _run_with_progress(WARMERS, max(1, args.jobs))
    for failure in failures:
        print(f"edapipe: warm-up: {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"edapipe: numba kernels compiled and cached in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return 0


def _run_with_progress(entries: list[str], jobs: int) -> list[str]:
    from edapipe.util.console import console, stderr_is_terminal

    if not stderr_is_terminal():
        return run_parallel(entries, jobs, lambda entry: None)
    from rich.progress import Progress

    with Progress(console=console(), transient=True) as bar:
        task = bar.add_task("compiling kernels", total=len(entries))

        def done(entry):
            bar.update(task, advance=1, description=entry.split(":")[0])

        return run_parallel(entries, jobs, done)


if __name__ == "__main__":
    sys.exit(main())
