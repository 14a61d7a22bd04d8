"""`edapipe explore`: search pass sequences for the smallest (or shallowest) circuit."""

from __future__ import annotations

import click

from edapipe.cli.logic import verilog_options


@click.command("explore")
@verilog_options
@click.argument("design", metavar="DESIGN")
@click.option("--budget", default=100, show_default=True, type=click.IntRange(1),
              help="Scripts to evaluate in all.")
@click.option("--objective", type=click.Choice(["ands", "levels", "ands*levels"]),
              default="ands", show_default=True,
              help="What to minimize (ties broken by the other figure).")
@click.option("-j", "--jobs", type=click.IntRange(1, 1024), default=None,
              help="Worker processes (default: the cores this process may use).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Evaluate on a Dask cluster (tcp://scheduler:8786 or local:N).")
@click.option("--timeout", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Seconds per candidate before it is dropped (0: no limit).")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the random moves.")
@click.option("-o", "--output", metavar="FILE",
              help="Write the best circuit (format from the extension, else AIGER).")
@click.option("--script", "script_path", metavar="FILE",
              help="Write the recipe here (default: print it on standard output).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the result (recipe, figures, every move tried) as JSON.")
@click.option("--format", "input_format", default=None, metavar="FMT",
              type=click.Choice(["aig", "aag", "blif", "bench", "verilog"]),
              help="Input format (default: detected from the content).")
def explore_cmd(design, budget, objective, jobs, dask_address, timeout, seed, output,
                script_path, as_json, input_format):
    """Search pass sequences for DESIGN and keep the best circuit and its recipe.

    Each round runs a few moves in parallel from the best circuit so far: ABC's named
    scripts (resyn2, resyn2rs, compress2rs, dc2) and random sequences of b, rw, rwz, rf,
    rfz, rs -K k -N n and fraig (with --objective ands also their -l forms, which trade
    depth for area). The best move of a round is kept when it improves the objective; a
    bandit (UCB1) gives more tries to the kinds of moves that pay on this design. The
    recipe (the kept moves) reproduces the result with `edapipe opt RECIPE`; the winner is
    proven equivalent to DESIGN with `cec` before it is written.

    \b
        edapipe explore design.aig --budget 100 -o best.aig
        edapipe explore design.aig --budget 40 --objective ands*levels --json

    Exit codes: 0 ok, 1 the winner is not equivalent (a bug: please report), 2 usage,
    3 bad input, 4 the proof was undecided.
    """
    import json
    import os
    import shutil

    from edapipe.batch.explore import ExploreParams, explore
    from edapipe.cli.batch import _default_jobs
    from edapipe.cli.logic import guard, load, save
    from edapipe.errors import CheckFailed, ResourceLimit
    from edapipe.util.console import console, stderr_is_terminal, write_line
    from edapipe.util.files import write_bytes

    guard({"-o": output, "--script": script_path}, design)
    aig = load(design, input_format)
    params = ExploreParams(budget=budget, objective=objective, jobs=jobs or _default_jobs(),
                           seed=seed, timeout=timeout or None, dask=dask_address)
    bar = None
    on_round = None
    if stderr_is_terminal():
        from rich.progress import Progress

        bar = Progress(console=console(), transient=True)
        task = bar.add_task("explore", total=budget)
        bar.start()

        def on_round(done, total, figs):
            bar.update(task, completed=done, description=f"and {figs[0]} lev {figs[1]}")
    try:
        res = explore(design, aig, params, on_round)
    finally:
        if bar is not None:
            bar.stop()
    try:
        from edapipe.aig import io
        from edapipe.verify.cec import check_equivalence

        best = io.read(res.path, "aig")
        proof = check_equivalence(aig, best)
    finally:
        shutil.rmtree(os.path.dirname(res.path), ignore_errors=True)
    if proof.equivalent is False:
        raise CheckFailed(f"the best circuit is not equivalent to {design} "
                          f"({len(proof.failing)} outputs differ): please report this bug")
    if proof.equivalent is None:
        raise ResourceLimit(f"the best circuit could not be proven equivalent to {design}")
    if output:
        save(best, output)
    if script_path:
        write_bytes(script_path, (res.script + "\n").encode(), binary=False,
                    option="--script")
    summary = {"design": design, "objective": objective, "budget": budget,
               "evaluated": res.evaluated, "failed": res.failed, "ands_in": res.ands_in,
               "levels_in": res.levels_in, "ands": res.ands, "levels": res.levels,
               "script": res.script, "equivalent": True, "moves": res.history}
    if as_json:
        click.echo(json.dumps(summary))
        return
    write_line(f"explore: {design}: and {res.ands_in} -> {res.ands}, lev "
               f"{res.levels_in} -> {res.levels} in {res.evaluated} scripts "
               f"({res.failed} failed); proven equivalent")
    if not script_path:
        click.echo(res.script)
