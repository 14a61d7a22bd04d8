"""`edapipe sec`: sequential equivalence of two designs from their initial states."""

from __future__ import annotations

import json

import click

from edapipe.cli.cec import format_b_option
from edapipe.cli.logic import guard, input_format_option, load, verilog_options


@click.command("sec")
@verilog_options
@click.argument("design_a", metavar="A")
@click.argument("design_b", metavar="B")
@click.option("--by-position", is_flag=True,
              help="Match inputs and outputs by position, not by name.")
@click.option("--cex", "cex_path", metavar="FILE", default=None,
              help="Write a counter-example as an AIGER witness over A's latches and inputs "
                   "(replay: edapipe sim A --vectors FILE); '-' is standard output.")
@click.option("--time-limit", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Seconds before giving up (0: no limit).")
@click.option("--cpu-limit", default=0.0, show_default=True, type=click.FloatRange(0),
              help="CPU seconds before giving up, the engines' processes included (0: no "
                   "limit); for benchmarks beside tools that count CPU time.")
@click.option("--engine", default="auto", show_default=True,
              type=click.Choice(["auto", "pdr", "bmc", "kind"]),
              help="Engine for what register correspondence leaves unproven.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random simulation seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@input_format_option("--format-a")
@format_b_option
def sec_cmd(design_a: str, design_b: str, by_position: bool, cex_path: str | None,
            time_limit: float, cpu_limit: float, engine: str, seed: int, as_json: bool,
            input_format: str | None, format_b: str | None) -> None:
    """Check that A and B give the same outputs in every cycle from their initial states.

    Latches need not correspond (retimed, merged or re-encoded registers are fine):
    the product machine of A and B is reduced by register and signal correspondence
    (equalities proven by induction, as ABC's scorr) and what remains goes to BMC
    alone (1.5 CPU seconds, or 40% of what is left of --cpu-limit / --time-limit),
    then to PDR, BMC and k-induction racing.
    Inputs and outputs are matched by name (--by-position: by order). Latches
    initialized to X are free in both designs.

    \b
        edapipe sec design.aig retimed.aig
        edapipe sec golden.blif new.aig --cex cex.txt || edapipe sim golden.blif --vectors cex.txt

    Exit codes: 0 equivalent, 1 not equivalent (with a counter-example), 2 usage,
    3 bad input or interfaces that differ, 4 undecided within the limits.
    """
    from edapipe.errors import CheckFailed, ResourceLimit, UsageError
    from edapipe.util.files import is_stdio, write_bytes
    from edapipe.verify.seq.result import FAILS, HOLDS, witness_text
    from edapipe.verify.seq.sec import SecParams, check_sec

    guard({"--cex": cex_path}, design_a, design_b)
    if cex_path is not None and is_stdio(cex_path) and as_json:
        raise UsageError("--cex - and --json cannot share standard output; give a file name")
    a = load(design_a, input_format)
    b = load(design_b, format_b)
    from edapipe.aig.io.aiger import equivalence_views

    a, b = equivalence_views(a, b, note=lambda text: click.echo(f"note: {text}", err=True),
                             by_position=by_position, latches=False)
    res = check_sec(a, b, SecParams(by_position=by_position, time_limit=time_limit,
                                    cpu_limit=cpu_limit, engine=engine, seed=seed))
    if res.status == FAILS and cex_path is not None:
        write_bytes(cex_path, witness_text(res.trace_a, 0).encode(), binary=False,
                    option="--cex")
    if as_json:
        click.echo(json.dumps(res.as_dict()))
    else:
        err = cex_path is not None and is_stdio(cex_path)
        if res.status == HOLDS:
            click.echo(f"equivalent: {res.pairs} outputs of {design_a} and {design_b} match "
                       f"in every cycle (by {res.proven_by}, {res.seconds:.2f} s)", err=err)
        elif res.status == FAILS:
            click.echo(f"not equivalent: {', '.join(res.failing)} differ after "
                       f"{res.trace_a.length} cycles ({res.seconds:.2f} s)", err=err)
        else:
            click.echo(f"undecided ({res.seconds:.2f} s)", err=err)
    if res.status == FAILS:
        raise CheckFailed(f"not equivalent: {len(res.failing)} of {res.pairs} outputs differ "
                          f"in cycle {res.trace_a.length - 1}")
    if res.status != HOLDS:
        raise ResourceLimit("undecided within the limits")
