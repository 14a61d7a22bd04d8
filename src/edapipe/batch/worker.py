"""A warm batch worker: `python -m edapipe.batch.worker [--memory MIB] [--warm SCRIPT]`.

It imports edapipe once, then reads tasks as JSON lines on standard input and answers each
with one row (edapipe.batch.rows) as a JSON line on its original standard output. File
descriptor 1 is pointed at /dev/null first, so nothing a stage or a library prints can
corrupt the answers; the stages' own output is kept in their rows.

With --memory, the worker's address space is limited (RLIMIT_AS) to its warm size plus MIB
MiB: an input that needs more gets a MemoryError (a `memory` row) or is killed, and never
takes the machine's memory from the other inputs. After a memory error the worker exits, so
the next input starts in a fresh process.
"""

from __future__ import annotations

import json
import os
import sys
import time

_MIB = 1 << 20


def task_stages(script: str, path: str):
    """The raw stages for one input: {input} and friends filled, `read {input}` first
    unless the script starts with its own read."""
    from edapipe.batch.script import RawStage, split, substitute

    raws = split(script)
    if not raws or raws[0].words[0] != "read":
        raws = [RawStage(("read", "{input}"), 0, 0)] + raws
    return substitute(raws, path)


def run_task(script: str, path: str) -> dict:
    """Run the script on one input in this process; its row (never raises for the input)."""
    import resource

    from edapipe.batch import rows
    from edapipe.batch.runner import StageError, parse_script, run_stages
    from edapipe.batch.stages import State
    from edapipe.errors import EdapipeError
    from edapipe.util.files import forget_inputs

    forget_inputs()         # an output may not be this input; earlier inputs are free
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    state = State()
    stage_rows: list[dict] = []
    try:
        parsed = parse_script("", raws=task_stages(script, path))
        stage_rows = run_stages(parsed, state, capture=True)
        code, error = 0, None
    except StageError as exc:
        stage_rows, code, error = exc.rows, exc.exit_code, str(exc)
    except EdapipeError as exc:
        code, error = exc.exit_code, str(exc)
    except Exception as exc:   # noqa: BLE001 - a bug in a stage: this input's row says so
        code, error = rows.EXIT_BUG, f"internal error: {type(exc).__name__}: {exc}"
    row = rows.from_run(path, stage_rows, state, code, error)
    if stage_rows and stage_rows[-1].get("error") == "out of memory":
        row["status"] = "memory"
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    row["seconds"] = round(time.perf_counter() - t0, 4)
    row["cpu"] = round(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, 4)
    return row


def warm(script: str | None) -> None:
    """Import what the script's stages use (commands, passes, readers) before any input."""
    import edapipe.aig.io          # noqa: F401 - every script reads
    import edapipe.batch.runner    # noqa: F401

    if not script:
        return
    from edapipe.batch.runner import parse_script

    stages = parse_script("", raws=task_stages(script, "warm.aig"))
    _warm_kernels(stages)


_TINY = b"""INPUT(a)\nINPUT(b)\nINPUT(c)\nINPUT(d)\nOUTPUT(y)\nOUTPUT(z)
t = NAND(a, b)\nu = OR(t, c)\ny = XOR(u, d)\nz = AND(t, d)\n"""


def _warm_kernels(stages) -> None:
    """Run the script's in-memory stages (opt, strash, cec of the circuit read) on a tiny
    circuit, so their kernels are loaded (or compiled) before any input's clock starts."""
    from edapipe.aig.io import parse
    from edapipe.batch import stages as stg
    from edapipe.batch.runner import _Capture

    from edapipe.aig.analysis import depth
    from edapipe.aig.sim import signatures

    state = stg.State()
    state.aig = state.original = parse(_TINY, "<warm>", "bench")
    state.source = "<warm>"
    # numba's code generator and the common kernels, whatever the script: loading them
    # takes far more address space than any small input (a --memory limit is set after)
    depth(state.aig)
    signatures(state.aig, n_words=1)
    for stage in stages:
        if stage.name not in ("opt", "strash", "cec") or "output" in stage.params and \
                stage.given("output") or (stage.name == "cec" and stage.words):
            continue
        try:
            with _Capture():
                stg.execute(stage, state, {})
        except Exception:     # noqa: BLE001 - warming is best effort; inputs report errors
            pass


def _address_space() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(mib: float) -> None:
    import resource

    limit = _address_space() + int(mib * _MIB)
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="edapipe.batch.worker")
    ap.add_argument("--memory", type=float, default=0.0)
    ap.add_argument("--warm", default=None)
    args = ap.parse_args(argv)
    from edapipe.cli.main import configure_process

    configure_process()          # the program's environment and its light kernel load
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    t0 = time.perf_counter()
    try:
        warm(args.warm)
    except Exception as exc:    # noqa: BLE001 - reported to the parent, per input
        answers.write(json.dumps({"hello": os.getpid(), "warm_error": str(exc)}) + "\n")
    if args.memory > 0:
        limit_memory(args.memory)
    answers.write(json.dumps({"hello": os.getpid(),
                              "warm_seconds": round(time.perf_counter() - t0, 4)}) + "\n")
    for line in sys.stdin:
        task = json.loads(line)
        os.chdir(task.get("cwd") or ".")
        row = run_task(task["script"], task["input"])
        row["id"] = task.get("id")
        answers.write(json.dumps(row, default=str) + "\n")
        if row["status"] == "memory":
            return 0               # a fresh process for the next input
    return 0


def entry() -> None:
    """Run main, then leave without the interpreter's teardown (numba's, llvmlite's and
    numpy's module state: about 0.1 s of CPU, as for the `edapipe` program; every answer
    has been written and flushed by then)."""
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
