"""`edapipe cec`: combinational equivalence of two designs, with counter-examples."""

from __future__ import annotations

import json

import click

from edapipe.cli.logic import guard, input_format_option, load, verilog_options

format_b_option = click.option(
    "--format-b", "format_b", default=None, metavar="FMT",
    type=click.Choice(["aig", "aag", "blif", "bench", "verilog"]),
    help="Format of B (default: detected from the content).")
"""--format-b of the two-design commands (cec, sec)."""


@click.command("cec")
@verilog_options
@click.argument("design_a", metavar="A")
@click.argument("design_b", metavar="B")
@click.option("--by-position", is_flag=True,
              help="Match inputs, outputs and latches by position, not by name.")
@click.option("--cex", "cex_path", metavar="FILE", default=None,
              help="Write a counter-example as an AIGER witness over A's inputs and latches "
                   "(replay: edapipe sim A --vectors FILE); '-' is standard output.")
@click.option("--cex-b", "cex_b_path", metavar="FILE", default=None,
              help="Also write it over B's inputs and latches, for when B orders them "
                   "differently.")
@click.option("--conflict-limit", default=0, show_default=True, type=click.IntRange(0),
              help="SAT conflicts per output left after sweeping (0: no limit); past it the "
                   "output is undecided (exit 4).")
@click.option("--time-limit", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Seconds before giving up with the undecided outputs (0: no limit).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random simulation seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@input_format_option("--format-a")
@format_b_option
@click.option("-v", "--verbose", is_flag=True, help="Print engine statistics to standard error.")
def cec_cmd(design_a: str, design_b: str, by_position: bool, cex_path: str | None,
            cex_b_path: str | None, conflict_limit: int, time_limit: float, seed: int,
            as_json: bool, input_format: str | None, format_b: str | None,
            verbose: bool) -> None:
    """Check that designs A and B compute the same combinational functions.

    Inputs, outputs and latches are matched by name (--by-position: by order); latch
    outputs are treated as inputs and next states as outputs. The engine simulates random
    patterns, then merges equal nodes by SAT sweeping, then proves what is left of the
    outputs by SAT.

    \b
        edapipe cec design.v opt.aig
        edapipe cec golden.blif new.aig --cex cex.txt && echo same
        edapipe sim golden.blif --vectors cex.txt     # replay a counter-example

    Exit codes: 0 equivalent, 1 not equivalent (failing outputs and a counter-example),
    2 usage, 3 bad input or interfaces that differ, 4 undecided within the limits.
    """
    from edapipe.util.console import console, stderr_is_terminal, write_line
    from edapipe.util.files import write_bytes

    from edapipe.errors import UsageError
    from edapipe.util.files import is_stdio

    guard({"--cex": cex_path, "--cex-b": cex_b_path}, design_a, design_b)
    cex_on_stdout = [opt for opt, p in (("--cex", cex_path), ("--cex-b", cex_b_path))
                     if p is not None and is_stdio(p)]
    if len(cex_on_stdout) > 1 or (cex_on_stdout and as_json):
        raise UsageError(f"{' and '.join(cex_on_stdout + (['--json'] if as_json else []))} "
                         "cannot share standard output; give a file name")
    a = load(design_a, input_format)
    b = load(design_b, format_b)
    from edapipe.aig.io.aiger import equivalence_views

    a, b = equivalence_views(a, b, note=lambda text: click.echo(f"note: {text}", err=True),
                            by_position=by_position)
    from edapipe.verify.cec import CecParams, check_equivalence, witness
    from edapipe.verify.sweep import SweepParams

    params = CecParams(conflict_limit=conflict_limit, time_limit=time_limit,
                       by_position=by_position, sweep=SweepParams(seed=seed))
    bar = None
    progress = None
    if stderr_is_terminal() and not as_json:
        from rich.progress import Progress

        bar = Progress(console=console(), transient=True)
        task = bar.add_task("cec", total=1.0)
        bar.start()

        done = [0.0]

        def advance(frac):
            # Passes restart at 0; the bar only moves forward.
            done[0] = max(done[0], min(frac, 0.99))
            bar.update(task, completed=done[0])

        progress = advance
    try:
        res = check_equivalence(a, b, params, progress)
    finally:
        if bar is not None:
            bar.stop()
    if verbose:
        write_line(f"cec: {res.stats.as_dict()}")
    if res.cex is not None:
        if cex_path:
            write_bytes(cex_path, witness(*res.cex_a()).encode(), binary=False, option="--cex")
        if cex_b_path:
            write_bytes(cex_b_path, witness(*res.cex_b()).encode(), binary=False,
                        option="--cex-b")
    if as_json:
        click.echo(json.dumps(res.as_dict()))
    else:
        # a witness on standard output keeps it for data; the verdict goes to stderr then
        click.echo(verdict_text(res, design_a, design_b), err=bool(cex_on_stdout))
    raise_verdict(res)


def raise_verdict(res) -> None:
    """Exit code 1 when the designs differ, 4 when undecided (nothing when equivalent)."""
    from edapipe.errors import CheckFailed, ResourceLimit

    if res.equivalent is False:
        raise CheckFailed(f"not equivalent: {len(res.failing)} of {res.pairs} outputs differ "
                          f"under the counter-example")
    if res.equivalent is None:
        raise ResourceLimit(f"undecided: {len(res.undecided)} of {res.pairs} outputs within "
                            "the limits")


def verdict_text(res, name_a: str, name_b: str) -> str:
    """The report `cec` prints without --json."""
    n = res.pairs
    if res.equivalent:
        return f"equivalent: {n} outputs of {name_a} and {name_b} match ({res.seconds:.2f} s)"
    if res.equivalent is None:
        return (f"undecided: {len(res.undecided)} of {n} outputs ({res.seconds:.2f} s): "
                + ", ".join(res.undecided))
    ia, la = res.cex_a()
    ib, _ = res.cex_b()
    lines = [f"not equivalent: {len(res.failing)} of {n} outputs differ "
             f"({res.seconds:.2f} s): " + ", ".join(res.failing),
             "counter-example (inputs of A, in order): " + "".join(map(str, ia.tolist()))]
    if la.size:
        lines.append("latch values (A's order): " + "".join(map(str, la.tolist())))
    if ib.shape != ia.shape or (ib != ia).any():
        lines.append("counter-example (inputs of B, in order): " + "".join(map(str, ib.tolist())))
    ones = [res.miter.a.input_name(k) for k, v in enumerate(ia.tolist()) if v]
    if len(ones) <= 16:
        lines.append("inputs at 1: " + (" ".join(ones) if ones else "none"))
    return "\n".join(lines)
