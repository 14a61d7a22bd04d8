"""`edapipe map`: technology mapping of an AIG to K-input LUTs."""

from __future__ import annotations

import json

import click

from edapipe.cli.logic import guard, input_format_option, load, verilog_options


@click.command("map")
@verilog_options
@click.argument("input_file", metavar="[FILE]", required=False, default="-")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="The mapped network as BLIF ('-': standard output).")
@click.option("-K", "--lut", "k", default=6, show_default=True, type=click.IntRange(2, 6),
              help="LUT size: inputs per LUT.")
@click.option("--delay/--area", "delay", default=True, show_default=True,
              help="--delay: least depth, then least area under it (ABC's `if -K`); "
                   "--area: least area, depth unbounded (ABC's `if -K -a`).")
@click.option("--cuts", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Priority cuts kept per node (more: slower, sometimes smaller).")
@click.option("--relax", default=0, show_default=True, type=click.IntRange(0),
              help="With --delay: levels above the least depth given to area recovery.")
@input_format_option("--format")
@click.option("--json", "as_json", is_flag=True,
              help="Print the figures (LUTs, edges, depth) as JSON on standard output "
                   "(needs -o FILE).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the figures on standard error.")
def map_cmd(input_file: str, output: str, k: int, delay: bool, cuts: int, relax: int,
            input_format: str | None, as_json: bool, quiet: bool) -> None:
    """Map a circuit to K-input LUTs and write it as BLIF (`.names` per LUT).

    Priority-cut mapping as ABC's `if`: depth-optimal cuts first, then area recovery by
    area flow and exact local area under the depth found. Latches pass through: the logic
    between them is mapped. The figures (LUTs with two or more inputs, edges, depth) go to
    standard error, or with --json to standard output. Reading the BLIF back gives an AIG
    that `edapipe cec` proves equal to the input.

    \b
        edapipe read design.v | edapipe opt resyn2 | edapipe map -K 6 -o design.blif
        edapipe map design.aig --area -o small.blif --json
        edapipe cec design.aig design.blif
    """
    from edapipe.errors import UsageError
    from edapipe.synth.map.lut import LutParams, dump_blif, map_luts
    from edapipe.util.files import write_bytes

    if as_json and output == "-":
        raise UsageError("--json prints figures on standard output; give -o FILE for the "
                         "network")
    guard({"-o": output}, input_file)
    aig = load(input_file, input_format)
    if aig.bad.size or aig.constraints.size:
        raise UsageError("the circuit has bad-state or constraint properties; a mapped "
                         "network has no place for them (drop them first)")
    params = LutParams(k=k, cuts=cuts, area=not delay, relax=relax,
                       **({} if delay else {"flow_passes": 3, "exact_passes": 3}))
    net = map_luts(aig, params)
    write_bytes(output, dump_blif(net), binary=False, option="-o")
    figures = net.stats()
    if as_json:
        click.echo(json.dumps(figures))
    elif not quiet:
        click.echo(f"{figures['name']:<12} : i/o = {figures['inputs']:>5}/"
                   f"{figures['outputs']:>5}  lat = {figures['latches']:>5}  "
                   f"lut{k} = {figures['luts']:>7}  edge = {figures['edges']:>8}  "
                   f"lev = {figures['depth']:>5}", err=True)
