"""`edapipe map`: technology mapping of an AIG to K-input LUTs or to Liberty cells."""

from __future__ import annotations

import functools
import json

import click

from edapipe.cli.logic import guard, input_format_option, load, verilog_options


@click.command("map")
@functools.partial(verilog_options, liberty=False)
@click.argument("input_file", metavar="[FILE]", required=False, default="-")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="The mapped network: BLIF for LUTs, Verilog for cells ('-': standard "
                   "output).")
@click.option("-K", "--lut", "k", default=6, show_default=True, type=click.IntRange(2, 6),
              help="LUT size: inputs per LUT.")
@click.option("-l", "--liberty", "liberty", multiple=True, metavar="FILE",
              help="Map to the cells of this Liberty library (plain or .gz) instead of LUTs, "
                   "writing gate-level Verilog; repeat to add libraries for timing.")
@click.option("--sdc", metavar="FILE", help="With --liberty: constraints for the timing "
              "report (default: a virtual clock, inputs and outputs at time 0).")
@click.option("--exclude", "exclude", multiple=True, metavar="PATTERN",
              help="With --liberty: never use cells whose names match (shell pattern; "
                   "repeatable). Clock, delay, probe and low-power cells and dont_use cells "
                   "are never used.")
@click.option("--no-sizing", is_flag=True, help="With --liberty --delay: keep every cell at "
              "its smallest drive strength (no sizing, no buffering).")
@click.option("--delay/--area", "delay", default=True, show_default=True,
              help="--delay: least depth, then least area under it (ABC's `if -K`); "
                   "--area: least area, depth unbounded (ABC's `if -K -a`).")
@click.option("--cuts", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Priority cuts kept per node (more: slower, sometimes smaller).")
@click.option("--relax", default=0, show_default=True, type=click.IntRange(0),
              help="With --delay: levels above the least depth (LUTs), or percent above the "
                   "least delay (cells), given to area recovery.")
@click.option("--choices", type=click.Choice(["auto", "on", "off"]), default="auto",
              show_default=True,
              help="With --liberty: map over dch's structural choices too (ABC's `dch; map`). "
                   "auto: beside the plain AIG, the better result kept (about 2.5x the CPU "
                   "of off with --delay, 2x with --area); on: over the choices alone; off: "
                   "never.")
@input_format_option("--format")
@click.option("--json", "as_json", is_flag=True,
              help="Print the figures (LUTs, edges, depth) as JSON on standard output "
                   "(needs -o FILE).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the figures on standard error.")
def map_cmd(input_file: str, output: str, k: int, liberty: tuple[str, ...], sdc: str | None,
            exclude: tuple[str, ...], no_sizing: bool, delay: bool, cuts: int, relax: int,
            choices: str, input_format: str | None, as_json: bool, quiet: bool) -> None:
    """Map a circuit to K-input LUTs (BLIF) or, with --liberty, to library cells (Verilog).

    LUTs: priority-cut mapping as ABC's `if`: depth-optimal cuts first, then area recovery
    by area flow and exact local area under the depth found. The figures (LUTs with two or
    more inputs, edges, depth) go to standard error, or with --json to standard output.

    Cells: both phases of every node matched against the library's functions (ABC's
    `map`), delay first, then area recovery; with --delay, gates are sized and high-fanout
    nets buffered; with --area, the AIG's full adders also become the library's full-adder
    cells (two outputs) where that is smaller (`--exclude` their names to keep them out).
    Latches become the library's D flip-flops, clocked by a `clock` input. The figures
    (area, cells, the worst arrival by `edapipe sta` on the written netlist) go to
    standard error or, with --json, to standard output.

    Latches pass through both: the logic between them is mapped. Reading the result back
    (`--liberty` for a netlist) gives an AIG that `edapipe cec` proves equal to the input.

    \b
        edapipe read design.v | edapipe opt resyn2 | edapipe map -K 6 -o design.blif
        edapipe map design.aig --area -o small.blif --json
        edapipe map design.aig -l sky130.lib.gz -o mapped.v
        edapipe cec design.aig mapped.v -l sky130.lib.gz
    """
    from edapipe.errors import UsageError

    if as_json and output == "-":
        raise UsageError("--json prints figures on standard output; give -o FILE for the "
                         "network")
    if not liberty and (sdc or exclude or no_sizing or choices != "auto"):
        raise UsageError("--sdc, --exclude, --no-sizing and --choices go with --liberty")
    guard({"-o": output}, input_file, *liberty, sdc)
    aig = load(input_file, input_format)
    if aig.bad.size or aig.constraints.size:
        raise UsageError("the circuit has bad-state or constraint properties; a mapped "
                         "network has no place for them (drop them first)")
    if liberty:
        map_to_cells(aig, output, liberty, sdc, exclude, no_sizing, delay, cuts, relax,
                     choices, as_json, quiet)
        return
    map_to_luts(aig, output, k, delay, cuts, relax, as_json, quiet)


def map_to_luts(aig, output, k, delay, cuts, relax, as_json, quiet) -> dict:
    """`map` to K-input LUTs: write the BLIF, print the figures; returns them."""
    from edapipe.synth.map.lut import LutParams, dump_blif, map_luts
    from edapipe.util.files import write_bytes

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
    return figures


def _warn_lost_initial_values(aig, mlib) -> None:
    """The flip-flops the mapper uses have no set or reset, so latches with a defined
    initial value power up unknown in the netlist: said, since `sec` then differs."""
    from edapipe.aig.core import LATCH_INIT_X
    from edapipe.errors import Diagnostic
    from edapipe.util.console import print_diagnostic

    defined = int((aig.latch_init != LATCH_INIT_X).sum()) if aig.num_latches else 0
    if defined:
        print_diagnostic(Diagnostic(
            "warning", f"{defined} latches have an initial value that "
            f"{mlib.flop.cell.name} (no set or reset) cannot keep: the netlist powers up "
            f"unknown, and `sec` against the input starts its flops at X"))


def map_to_cells(aig, output, liberty, sdc, exclude, no_sizing, delay, cuts, relax, choices,
                 as_json, quiet) -> None:
    """`map --liberty`: write the gate-level Verilog, print the figures."""
    from edapipe.synth.map import library
    from edapipe.synth.map.cells import CellParams, map_cells
    from edapipe.synth.map.timing import analyze_cells, worst_arrival
    from edapipe.timing.liberty import read_liberty
    from edapipe.util.files import display_name, read_bytes, write_bytes

    libs = [read_liberty(p) for p in liberty]
    mlib = library.build(libs[0], exclude)
    params = CellParams(cuts=max(cuts, 16), area=not delay, relax=relax / 100.0,
                        sizing=False if no_sizing else None,
                        choices={"auto": None, "on": True, "off": False}[choices])
    net = map_cells(aig, mlib, params)
    _warn_lost_initial_values(aig, mlib)
    text = net.verilog()
    write_bytes(output, text, binary=False, option="-o")
    sdc_text = read_bytes(sdc).decode("utf-8", errors="replace") if sdc else None
    an = analyze_cells(net, libs, sdc_text, display_name(sdc) if sdc else "<sdc>",
                       clock="clock")
    unit = libs[0].time_unit
    figures = net.stats()
    figures["arrival"] = round(worst_arrival(an) / unit, 6)
    figures["time_unit"] = f"{unit:g}s"
    if sdc:
        from edapipe.timing.search import SETUP

        figures["wns"] = round(min(0.0, an.worst_slack(SETUP)) / unit, 6)
        figures["tns"] = round(an.tns(SETUP) / unit, 6)
    if as_json:
        click.echo(json.dumps(figures))
    elif not quiet:
        click.echo(f"{figures['name']:<12} : i/o = {figures['inputs']:>5}/"
                   f"{figures['outputs']:>5}  cells = {figures['cells']:>7}  "
                   f"area = {figures['area']:>12.2f}  arrival = {figures['arrival']:.4f}",
                   err=True)
