"""`edapipe opt`: run an optimization script over a circuit and write AIGER."""

from __future__ import annotations

import json
import os

import click

from edapipe.cli.logic import guard, input_format_option, load, save, verilog_options


class _OptCommand(click.Command):
    def format_epilog(self, ctx, formatter):
        from edapipe.synth.passes import pass_help

        formatter.write_paragraph()
        for line in pass_help().splitlines():
            formatter.write_text(line) if not line.startswith("  ") else formatter.write(
                line + "\n")


@click.command("opt", cls=_OptCommand)
@verilog_options
@click.argument("script", required=False, default="resyn2")
@click.argument("input_file", metavar="[FILE]", required=False, default="-")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Output file; '-' is standard output (binary AIGER).")
@input_format_option("--format")
@click.option("-v", "--verbose", is_flag=True,
              help="Print each pass's ANDs, levels and time to standard error.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the per-pass figures as JSON on standard output (needs -o).")
def opt_cmd(script: str, input_file: str, output: str, input_format: str | None,
            verbose: bool, as_json: bool) -> None:
    """Optimize a circuit with SCRIPT (default resyn2) and write AIGER.

    SCRIPT is a named script or passes separated by ';' with ABC's short names and flags.
    Latches pass through: the combinational logic between them is optimized.

    \b
        edapipe read design.v | edapipe opt resyn2 > opt.aig
        edapipe opt "b; rw -z; rf" design.aig -o opt.aig -v
    """
    from edapipe.errors import UsageError
    from edapipe.synth.script import expand, run_script

    if input_file == "-" and os.path.isfile(script) and not _is_script(script):
        script, input_file = "resyn2", script
    expand(script)  # usage errors before any reading
    if as_json and output == "-":
        raise UsageError("--json prints figures on standard output; give -o FILE for the circuit")
    guard({"-o": output}, input_file)
    aig = load(input_file, input_format)
    start = input_step(aig)
    if verbose:
        from edapipe.util.console import write_line

        write_line(f"[ 0]   {'input':<16} and = {start['ands']:>8}  "
                   f"lev = {start['levels']:>6}")
    result, steps = run_script(aig, script, on_step=print_step if verbose else None)
    save(result, output, "aig" if output == "-" else None)
    if as_json:
        click.echo(json.dumps(opt_summary(script, start, steps, result)))


def input_step(aig) -> dict:
    """The circuit before the passes, as the "input" entry of `opt --json`."""
    from edapipe.aig.analysis import depth

    return {"pass": "input", "ands": aig.num_ands, "levels": depth(aig), "seconds": 0.0}


def print_step(k: int, total: int, res) -> None:
    """`opt -v`'s line for a pass (run_script's on_step)."""
    from edapipe.util.console import write_line

    write_line(f"[{k + 1:>2}/{total}] {res.text:<16} and = {res.ands:>8}  "
               f"lev = {res.levels:>6}  time = {res.seconds:8.3f} s")


def opt_summary(script: str, start: dict, steps, result) -> dict:
    """The object `edapipe opt --json` prints: input_step(), the passes, the result."""
    return {"script": script, "input": start, "steps": [s.as_dict() for s in steps],
            "ands": result.num_ands, "levels": steps[-1].levels,
            "seconds": round(sum(s.seconds for s in steps), 6)}


def _is_script(text: str) -> bool:
    from edapipe.errors import UsageError
    from edapipe.synth.script import expand

    try:
        expand(text)
        return True
    except UsageError:
        return False
