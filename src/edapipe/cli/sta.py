"""`edapipe sta`: static timing analysis of a gate-level netlist with Liberty and SDC."""

from __future__ import annotations

import click


@click.command("sta")
@click.argument("netlist")
@click.option("-l", "--liberty", "liberty", multiple=True, required=True, metavar="FILE",
              help="Liberty library (plain or .gz); repeat for several. Units come from the "
                   "first.")
@click.option("--sdc", metavar="FILE", help="SDC constraints.")
@click.option("--spef", metavar="FILE",
              help="SPEF parasitics: RC delay calculation (effective capacitance, Elmore "
                   "wire delay, slew degradation) on the nets it covers, as OpenSTA's "
                   "read_spef.")
@click.option("--top", help="Top module (default: the one module nobody instantiates).")
@click.option("-n", "--paths", default=1, show_default=True, type=click.IntRange(0),
              help="Number of worst paths to print (per check).")
@click.option("--path-delay", type=click.Choice(["max", "min", "min_max"]), default="max",
              show_default=True, help="Print setup (max), hold (min) or both paths.")
@click.option("--endpoints", "n_endpoints", type=click.IntRange(0), default=0,
              show_default=True, help="Also list the N worst endpoints.")
@click.option("--json", "as_json", is_flag=True,
              help="Write JSON (summary and every endpoint's slack) instead of text.")
@click.option("-o", "--output", metavar="FILE", default="-",
              help="Write the report here (atomically); default standard output.")
@click.option("--max-violations", type=click.IntRange(0), default=None,
              help="Exit 1 when more than N endpoints violate setup or hold (for CI).")
@click.option("--plot", metavar="FILE",
              help="Write a slack histogram PNG here ('-': standard output, with -o FILE).")
@click.option("--wire-load", is_flag=True,
              help="Add the first library's default wire-load model capacitance (lumped); "
                   "default: no wire load, as current OpenSTA.")
@click.option("--digits", default=3, show_default=True, type=click.IntRange(0, 9),
              help="Digits after the decimal point.")
@click.option("--no-cache", is_flag=True, help="Do not use or write the Liberty cache.")
def sta_cmd(netlist, liberty, sdc, spef, top, paths, path_delay, n_endpoints, as_json, output,
            max_violations, plot, wire_load, digits, no_cache):
    """Static timing analysis: WNS, TNS, violations and the worst paths.

    Same timing model as OpenSTA without parasitics: NLDM table lookup with
    extrapolation, worst-slew propagation, ideal clocks, setup and hold checks at
    registers and output ports. SDC numbers are in the first library's units.

    \b
        edapipe sta design.v -l sky130.lib.gz --sdc design.sdc
        edapipe sta design.v -l cells.lib --sdc design.sdc --json -o timing.json
        edapipe sta design.v -l cells.lib --sdc design.sdc --max-violations 0
        edapipe sta design.v -l cells.lib --sdc design.sdc --spef design.spef

    Exit codes: 0 ok, 1 more violations than --max-violations, 2 usage, 3 bad input.
    """
    from edapipe.errors import CheckFailed
    from edapipe.timing import report
    from edapipe.timing.search import HOLD, SETUP
    from edapipe.timing.sta import StaParams, load
    from edapipe.timing.search import analyze
    from edapipe.util.console import console
    from edapipe.cli.logic import guard
    from edapipe.errors import UsageError
    from edapipe.util.files import is_stdio, write_bytes

    if plot is not None and is_stdio(plot) and is_stdio(output):
        raise UsageError("--plot - and the report cannot share standard output; give -o FILE")
    guard({"-o": output, "--plot": plot}, netlist, *liberty, sdc, spef)
    params = StaParams(netlist, tuple(liberty), sdc, top, wire_load, not no_cache,
                       spef=spef)
    graph, constraints, libs = load(params)
    for w in graph.warnings:
        console().print(f"edapipe: warning: {w}", markup=False, highlight=False,
                        soft_wrap=True)
    an = analyze(graph, constraints, libs)
    if as_json:
        text = report.dumps(an)
    else:
        parts = [report.format_summary(an, digits)]
        checks = {"max": [SETUP], "min": [HOLD], "min_max": [SETUP, HOLD]}[path_delay]
        for check in checks:
            for ep in report.sorted_endpoints(an, check)[:paths]:
                parts.append("\n" + report.format_path(an, ep, check, digits))
            if n_endpoints:
                parts.append("\n" + report.format_endpoints(an, check, n_endpoints, digits))
        text = "".join(parts)
    write_bytes(output, text.encode(), binary=False, option="-o")
    if plot:
        report.plot_histogram(an, plot)
    if max_violations is not None:
        bad = an.violations(SETUP) + an.violations(HOLD)
        if bad > max_violations:
            raise CheckFailed(f"timing violated: {an.violations(SETUP)} setup and "
                              f"{an.violations(HOLD)} hold violations "
                              f"(more than --max-violations {max_violations})")
