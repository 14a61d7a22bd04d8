"""`edapipe batch`: one stage script over many inputs, on warm worker processes or Dask."""

from __future__ import annotations

import click


def _default_jobs() -> int:
    from edapipe.util.budgets import usable_cores

    return usable_cores()


@click.command("batch")
@click.argument("script")
@click.argument("inputs", nargs=-1, required=True, metavar="FILES...")
@click.option("-j", "--jobs", type=click.IntRange(1, 1024), default=None,
              help="Worker processes (default: the cores this process may use).")
@click.option("--timeout", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Seconds per input (wall) before its worker is killed and the input "
                   "gets a `timeout` row (0: no limit).")
@click.option("--memory", type=click.FloatRange(0), default=0.0, show_default=True,
              metavar="MIB", help="MiB of address space a worker may add to its warm size "
                                  "for one input (RLIMIT_AS; 0: no limit).")
@click.option("--resume", metavar="FILE",
              help="A journal of rows (JSON lines): inputs with a row there are skipped, "
                   "new rows are appended as inputs finish (created if missing).")
@click.option("--csv", "csv_path", metavar="FILE", help="Write the rows as CSV.")
@click.option("--jsonl", "jsonl_path", metavar="FILE",
              help="Write the rows as JSON lines (default: standard output, when no --csv).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on a Dask cluster: tcp://scheduler:8786, or local:N for a local "
                   "cluster of N workers (needs `pip install edapipe[dask]`).")
def batch_cmd(script, inputs, jobs, timeout, memory, resume, csv_path, jsonl_path,
              dask_address):
    """Run SCRIPT (as `edapipe run`) on every input file, one row per input.

    The script is read per input with {input}, {stem}, {name} and {dir} filled in, and
    starts with `read {input}` unless it has its own read. Inputs run on a pool of warm
    worker processes (each imports edapipe once); a timeout, a crash or a memory limit in
    one input gives that input's row and never stops the rest. Rows (input, exit, status,
    error, ANDs and levels in and out, cec verdict, outputs written, seconds, CPU) come in
    input order; JSON lines also carry the rows of the stages.

    \b
        edapipe batch -j 2 --csv rows.csv -- 'opt resyn2; cec' *.aig
        edapipe batch --timeout 60 --resume rows.jsonl -- \\
            'opt resyn2; cec; write out/{stem}.aig' bench/*.aig
        edapipe batch --dask local:4 -- 'opt resyn2; cec' *.aig

    Exit codes: 0 every input ok, 1 some check failed, 4 some input timed out, hit a limit
    or was undecided, else 3 (bad input) or 2 (usage) if some input had one.
    """
    import os

    from edapipe.batch import rows as rowlib
    from edapipe.batch.runner import parse_script
    from edapipe.batch.worker import task_stages
    from edapipe.cli.logic import guard
    from edapipe.errors import UsageError
    from edapipe.util.files import write_bytes

    seen = set()
    for path in inputs:
        if path in seen:
            raise UsageError(f"{path} is given twice")
        seen.add(path)
    if jsonl_path and resume and os.path.abspath(jsonl_path) == os.path.abspath(resume):
        raise UsageError("--jsonl and --resume name the same file; the journal already "
                         "holds every row")
    guard({"--csv": csv_path, "--jsonl": jsonl_path, "--resume": resume}, *inputs)
    parse_script("", raws=task_stages(script, inputs[0]))      # usage errors before work
    done = rowlib.read_journal(resume) if resume else {}
    cwd = os.getcwd()
    tasks = [{"id": k, "input": p, "script": script, "cwd": cwd}
             for k, p in enumerate(inputs) if p not in done]
    results = {p: row for p, row in done.items() if p in seen}
    journal = _open_journal(resume) if resume else None
    try:
        _run(tasks, script, jobs or _default_jobs(), timeout or None, memory, dask_address,
             results, journal, len(inputs))
    finally:
        if journal is not None:
            journal.close()
    ordered = [results[p] for p in inputs if p in results]
    if csv_path:
        write_bytes(csv_path, rowlib.csv_bytes(ordered), binary=False, option="--csv")
    if jsonl_path or not csv_path:
        write_bytes(jsonl_path or "-", rowlib.jsonl(ordered), binary=False, option="--jsonl")
    return rowlib.summary_exit(ordered)


def _run(tasks, script, jobs, timeout, memory, dask_address, results, journal, total):
    import json
    import os
    import time

    from edapipe.batch.pool import longest_first
    from edapipe.util.console import console, stderr_is_terminal, write_line

    tasks = longest_first(tasks)
    bar = task_id = None
    if stderr_is_terminal() and tasks:
        from rich.progress import Progress

        bar = Progress(console=console(), transient=True)
        task_id = bar.add_task("batch", total=len(tasks))
        bar.start()
    counts: dict[str, int] = {}
    t0 = time.perf_counter()

    def on_row(row):
        row.pop("id", None)
        results[row["input"]] = row
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        if journal is not None:
            journal.write(json.dumps(row, default=str) + "\n")
            journal.flush()
        if bar is not None:
            bar.update(task_id, advance=1, description=os.path.basename(row["input"]))

    try:
        if tasks:
            from edapipe.batch.pool import open_pool

            with open_pool(script, min(jobs, len(tasks)), memory, dask_address) as pool:
                pool.run(tasks, timeout, on_row)
    finally:
        if bar is not None:
            bar.stop()
    skipped = total - len(tasks)
    parts = [f"{n} {s}" for s, n in sorted(counts.items())]
    if skipped:
        parts.append(f"{skipped} from the journal")
    write_line(f"batch: {total} inputs: {', '.join(parts) or 'nothing to do'} "
               f"({time.perf_counter() - t0:.1f} s)")


def _open_journal(path: str):
    """The journal, opened to append; a torn last line (a killed batch) is ended first so
    the next row starts on a line of its own."""
    from edapipe.errors import UsageError

    try:
        fh = open(path, "a+b")
        fh.seek(0, 2)
        if fh.tell():
            fh.seek(-1, 2)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        fh.flush()
    except OSError as exc:
        raise UsageError(f"--resume {path}: {exc.strerror}") from None
    import io

    return io.TextIOWrapper(fh, encoding="utf-8", write_through=True)
