"""`edapipe sta`: static timing analysis of a gate-level netlist with Liberty and SDC."""

from __future__ import annotations

import click


def _points(name: str, text: str, whose: str):
    """--NAME, --rise-NAME and --fall-NAME (report_checks -NAME, -rise_NAME, -fall_NAME)."""
    def wrap(f):
        for rf in ("fall", "rise"):
            f = click.option(f"--{rf}-{name}", multiple=True, metavar="POINTS",
                             help=f"As --{name}, {whose} {rf} transition (-{rf}_{name}).")(f)
        return click.option(f"--{name}", f"{name}_", multiple=True, metavar="POINTS",
                            help=text + ".")(f)
    return wrap


@click.command("sta")
@click.argument("netlist")
@click.option("-l", "--liberty", "liberty", multiple=True, metavar="FILE",
              help="Liberty library (plain or .gz); repeat for several. Units come from the "
                   "first.")
@click.option("--corner", "corners", multiple=True, metavar="NAME=LIB[,LIB...]",
              help="Analyze a corner with its own libraries (instead of -l); repeat for "
                   "several, as OpenSTA's define_corners: each endpoint reports its worst "
                   "corner.")
@click.option("--report-corner", metavar="NAME",
              help="With --corner: paths and endpoint lists of this corner only "
                   "(report_checks -corner NAME); default: the worst over all corners.")
@click.option("--sdc", metavar="FILE", help="SDC constraints.")
@click.option("--spef", metavar="FILE",
              help="SPEF parasitics: RC delay calculation (effective capacitance, Elmore "
                   "wire delay, slew degradation) on the nets it covers, as OpenSTA's "
                   "read_spef.")
@click.option("--spef-max", metavar="FILE",
              help="SPEF parasitics of the max (setup) analysis alone, in place of --spef "
                   "for it (read_spef -max).")
@click.option("--spef-min", metavar="FILE",
              help="SPEF parasitics of the min (hold) analysis alone, in place of --spef "
                   "for it (read_spef -min).")
@click.option("--corner-spef", "corner_spefs", multiple=True, metavar="NAME[:min|:max]=FILE",
              help="With --corner: SPEF parasitics of corner NAME alone (read_spef -corner "
                   "NAME), in place of --spef for it; NAME:max=FILE / NAME:min=FILE for one "
                   "analysis of it (read_spef -corner NAME -max / -min); repeatable.")
@click.option("--top", help="Top module (default: the one module nobody instantiates).")
@click.option("-n", "--paths", "--group-count", "paths", default=1, show_default=True,
              type=click.IntRange(0),
              help="Number of worst paths to print per check (OpenSTA's -group_count; one "
                   "per endpoint unless --endpoint-count).")
@click.option("--endpoint-count", type=click.IntRange(1), default=1, show_default=True,
              help="Paths per endpoint (OpenSTA's -endpoint_count): the N worst paths to "
                   "each endpoint, all within the -n paths of each check.")
@click.option("--unique-paths", is_flag=True,
              help="With --endpoint-count: no path that differs from another only in "
                   "rise/fall, as OpenSTA's -unique_paths_to_endpoint (same paths).")
@_points("from", "Only paths from these ports, pins, instances or clocks (names or "
                 "wildcards, comma-separated), as report_checks -from", "the startpoint's")
@_points("through", "Only paths through one of these pins, ports, instances or nets; repeat "
                    "for points passed in that order (-through); a 'rise:' or 'fall:' "
                    "prefix takes one transition at the point (-rise_through, "
                    "-fall_through), in any order with the others", "the pin's")
@_points("to", "Only paths to these endpoints: ports, pins, instances or capture clocks "
               "(-to)", "the endpoint's")
@click.option("--fields", default="", metavar="LIST",
              help="Extra path report columns and rows, as report_checks -fields: any of "
                   "slew, cap, input_pins, nets, fanout (comma-separated; the Fanout column "
                   "comes with the net rows of nets).")
@click.option("--format", "fmt", type=click.Choice(["full", "end", "summary"]),
              default="full", show_default=True,
              help="full: the paths; end: one line per endpoint (OpenSTA's -format end); "
                   "summary: WNS/TNS only.")
@click.option("--path-delay", type=click.Choice(["max", "min", "min_max"]), default="max",
              show_default=True, help="Print setup (max), hold (min) or both paths.")
@click.option("--endpoints", "n_endpoints", type=click.IntRange(0), default=0,
              show_default=True, help="Also list the N worst endpoints.")
@click.option("--json", "as_json", is_flag=True,
              help="Write JSON (summary, every endpoint's setup and hold arrival, required "
                   "and slack, the -n worst paths of each check stage by stage) instead of "
                   "text.")
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
@click.option("--drc", "show_drc", is_flag=True,
              help="List every max_transition, max_capacitance and max_fanout violator "
                   "(OpenSTA's report_check_types -all_violators); the summary always "
                   "counts them.")
@click.option("--max-drc-violations", type=click.IntRange(0), default=None,
              help="Exit 1 when more than N design-rule violations (max_transition, "
                   "max_capacitance, max_fanout together).")
@click.option("--no-cache", is_flag=True, help="Do not use or write the Liberty cache.")
def sta_cmd(netlist, liberty, corners, report_corner, sdc, spef, spef_max, spef_min,
            corner_spefs, top, paths,
            endpoint_count,
            unique_paths, from_, rise_from, fall_from, through_, rise_through, fall_through,
            to_, rise_to, fall_to, fields, fmt,
            path_delay, n_endpoints, as_json, output, max_violations, plot, wire_load, digits,
            show_drc, max_drc_violations, no_cache):
    """Static timing analysis: WNS, TNS, violations and the worst paths.

    Same timing model as OpenSTA: NLDM table lookup with extrapolation, worst-slew
    propagation, ideal or propagated clocks, setup and hold checks at registers and
    output ports; with --spef, effective capacitance at each driver and Elmore wire
    delays (OpenSTA's default); several corners with --corner. Reports as
    report_checks: path selection (--from/--through/--to), --endpoint-count, groups,
    --fields. SDC numbers are in the first library's units.

    \b
        edapipe sta design.v -l sky130.lib.gz --sdc design.sdc
        edapipe sta design.v -l cells.lib --sdc design.sdc --json -o timing.json
        edapipe sta design.v -l cells.lib --sdc design.sdc --max-violations 0
        edapipe sta design.v -l cells.lib --sdc design.sdc --spef design.spef

    Exit codes: 0 ok, 1 more violations than --max-violations (or design-rule violations
    than --max-drc-violations), 2 usage, 3 bad input, 4 resource limit.
    """
    from edapipe.errors import CheckFailed
    from edapipe.timing import report
    from edapipe.timing.search import HOLD, SETUP
    from edapipe.timing.sta import StaParams, load
    from edapipe.cli.logic import guard
    from edapipe.errors import UsageError
    from edapipe.util.files import is_stdio, write_bytes

    if plot is not None and is_stdio(plot) and is_stdio(output):
        raise UsageError("--plot - and the report cannot share standard output; give -o FILE")
    specs = _corner_specs(corners, liberty)
    select = _path_spec(from_, rise_from, fall_from, (through_, rise_through, fall_through),
                        to_, rise_to, fall_to)
    fields = report.parse_fields(fields)
    if corners and plot is not None:
        raise UsageError("--plot draws one analysis; it is not available with --corner")
    if report_corner is not None and all(name != report_corner for name, _ in specs):
        raise UsageError(f"--report-corner {report_corner!r}: no --corner of that name")
    per_corner = _corner_spefs(corner_spefs, specs, (spef, spef_max, spef_min))
    from edapipe.timing.spef_minmax import spef_pair
    both = spef_pair(spef, spef_max, spef_min)
    guard({"-o": output, "--plot": plot}, netlist, *[f for _, libs in specs for f in libs],
          sdc, spef, spef_max, spef_min,
          *[f for p in per_corner.values() for f in (p if isinstance(p, tuple) else (p,))
            if f])
    from edapipe.timing.paths import Selection
    sel = Selection(paths, endpoint_count, unique_paths)
    if corners:
        runs = _corner_runs(specs, StaParams(netlist, (), sdc, top, wire_load, not no_cache,
                                             spef=spef, spef_max=spef_max,
                                             spef_min=spef_min),
                            sel, select, per_corner, both)
        _report_corners(runs, report_corner, sel, fmt, path_delay, n_endpoints, as_json,
                        output, digits, show_drc, fields)
        _corner_exit(runs, max_violations, max_drc_violations)
        return
    params = StaParams(netlist, tuple(liberty), sdc, top, wire_load, not no_cache,
                       spef=spef, spef_max=spef_max, spef_min=spef_min)
    graph, constraints, libs = load(params)
    for m in constraints.messages:   # the SDC's `puts`: standard output carries the report
        _log(m)
    for w in graph.warnings:
        _log(f"edapipe: warning: {w}")
    from edapipe.timing import drc
    an, shown = _analyses(graph, constraints, libs, sel, select)
    rules = drc.check_all(an, libs)
    if as_json:
        text = report.dumps(an, rules, sel, shown)
    else:
        text = _text(an, shown, rules, sel, fmt, path_delay, n_endpoints, digits, fields,
                     show_drc)
    write_bytes(output, text.encode(), binary=False, option="-o")
    if plot:
        report.plot_histogram(an, plot)
    if max_drc_violations is not None:
        bad = drc.count(rules)
        if bad > max_drc_violations:
            raise CheckFailed(f"design rules violated: {_drc_counts(rules)} "
                              f"(more than --max-drc-violations {max_drc_violations})")
    if max_violations is not None:
        bad = an.violations(SETUP) + an.violations(HOLD)
        if bad > max_violations:
            raise CheckFailed(f"timing violated: {an.violations(SETUP)} setup and "
                              f"{an.violations(HOLD)} hold violations "
                              f"(more than --max-violations {max_violations})")


def _log(line: str) -> None:
    """One line on standard error, as written (the SDC's `puts`, warnings). Not through
    rich's console: importing rich costs about 0.03 s CPU, a tenth of a small run."""
    click.echo(line, err=True)


def _text(an, shown, rules, sel, fmt, path_delay, n_endpoints, digits, fields,
          show_drc) -> str:
    """The text report: summary and design rules of the whole design (`an`), then each
    check's paths or endpoints from `shown` (the analysis of a path selection, or an)."""
    from edapipe.timing import drc, report
    from edapipe.timing.search import HOLD, SETUP

    parts = [report.format_summary(an, digits) + drc.format_summary(rules, digits)]
    if show_drc:
        parts.extend("\n" + drc.format_checks(c, digits) for c in rules.values())
    for check in {"max": [SETUP], "min": [HOLD], "min_max": [HOLD, SETUP]}[path_delay]:
        parts += report.format_check(shown, check, fmt, sel, digits, fields)
        if n_endpoints:
            parts.append("\n" + report.format_endpoints(shown, check, n_endpoints, digits))
    return "".join(parts)


def _path_spec(from_, rise_from, fall_from, throughs, to, rise_to, fall_to):
    """The report filter of the --from/--through/--to options (OpenSTA allows one of
    -from, -rise_from, -fall_from, and one of the -to forms). `throughs`: the values of
    --through, --rise-through and --fall-through."""
    from edapipe.errors import UsageError
    from edapipe.timing.pathfilter import PathSpec

    def one(plain, rise, fall, what):
        given = [(v, rf) for v, rf in ((plain, None), (rise, 0), (fall, 1)) if v]
        if len(given) > 1:
            raise UsageError(f"give one of --{what}, --rise-{what} and --fall-{what}")
        return given[0] if given else ((), None)

    f, f_rf = one(from_, rise_from, fall_from, "from")
    t, t_rf = one(to, rise_to, fall_to, "to")
    return PathSpec(tuple(f), f_rf, _throughs(*throughs), tuple(t), t_rf)


_TRANSITION = {"rise": 0, "fall": 1}


def _throughs(through, rise, fall) -> tuple[tuple[str, int | None], ...]:
    """The -through points in order, each with its transition. Click keeps the order
    within one option but not between options, so interleaved transitions are given as
    'rise:POINTS' / 'fall:POINTS' values of --through; --rise-through and --fall-through
    stand alone (all points of one transition)."""
    from edapipe.errors import UsageError

    if sum(map(bool, (through, rise, fall))) > 1:
        raise UsageError("--through, --rise-through and --fall-through cannot be mixed (their "
                         "order is lost); give --through rise:POINTS / fall:POINTS instead")
    if rise or fall:
        return tuple((p, 0 if rise else 1) for p in rise or fall)
    out = []
    for p in through:
        word, colon, rest = p.partition(":")
        if colon and word in _TRANSITION:
            if not rest.strip():
                raise UsageError(f"--through {p!r}: no points after {word}:")
            out.append((rest, _TRANSITION[word]))
        else:
            out.append((p, None))
    return tuple(out)


def _corner_specs(corners, liberty) -> list[tuple[str | None, tuple[str, ...]]]:
    """[(corner name, libraries)]: one unnamed corner from -l, or the --corner options."""
    from edapipe.errors import UsageError

    if corners and liberty:
        raise UsageError("give the libraries with -l or per corner with --corner, not both")
    if not corners:
        if not liberty:
            raise UsageError("give a Liberty library with -l FILE (or --corner NAME=LIB)")
        return [(None, tuple(liberty))]
    out: list[tuple[str | None, tuple[str, ...]]] = []
    for spec in corners:
        name, eq, libs = spec.partition("=")
        files = tuple(f for f in libs.split(",") if f)
        if not eq or not name or not files:
            raise UsageError(f"--corner {spec!r}: expected NAME=LIB[,LIB...]")
        if any(name == n for n, _ in out):
            raise UsageError(f"--corner {name}: given twice")
        out.append((name, files))
    return out


def _corner_spefs(given, specs, default=(None, None, None)):
    """--corner-spef NAME=FILE / NAME:max=FILE / NAME:min=FILE values: corner name -> its
    SPEF file or (max file, min file) (read_spef -corner NAME [-max|-min]), the sides it
    does not give from `default` (--spef, --spef-max, --spef-min)."""
    from edapipe.errors import UsageError
    from edapipe.timing.spef_minmax import spef_pair

    names = {name for name, _ in specs if name is not None}
    sides: dict[str, dict[str, str]] = {}
    for spec in given:
        key, eq, path = spec.partition("=")
        name, colon, side = key.partition(":")
        if not eq or not name or not path or (colon and side not in ("min", "max")):
            raise UsageError(f"--corner-spef {spec!r}: expected NAME=FILE, NAME:max=FILE or "
                             f"NAME:min=FILE")
        if name not in names:
            raise UsageError(f"--corner-spef {spec!r}: no --corner named {name!r}")
        got = sides.setdefault(name, {})
        side = side or "both"
        if side in got or (side == "both" and got) or "both" in got:
            raise UsageError(f"--corner-spef {name}: given twice")
        got[side] = path
    out = {}
    for name, got in sides.items():
        spef, mx, mn = default
        if "both" in got:
            spef, mx, mn = got["both"], None, None
        out[name] = spef_pair(spef, got.get("max", mx), got.get("min", mn))
    return out


def _analyses(graph, constraints, libs, sel, select):
    """(analysis of the design, analysis the paths and endpoint lists come from: that of
    the --from/--through/--to filter, or the same), keeping the path ends `sel` needs."""
    from edapipe.timing.paths import needs_ends
    from edapipe.timing.search import analyze

    keep = needs_ends(constraints, sel)   # every path end kept for the report
    an = analyze(graph, constraints, libs, keep_ends=keep and not select)
    if not select:
        return an, an
    from edapipe.timing.pathfilter import filtered
    return an, analyze(graph, filtered(constraints, graph, select), libs, keep_ends=keep)


def _corner_runs(specs, params, sel, select, per_corner=None, both=None):
    """Every corner analysed on its own libraries and parasitics (per_corner: name -> SPEF,
    else params.spef; the netlist, SDC and each SPEF read once and shared,
    sta.load_corners); the SDC's `puts` output and each distinct warning printed once."""
    from edapipe.timing import drc
    from edapipe.timing.corners import CornerRun
    from edapipe.timing.sta import load_corners

    runs = []
    shown: set[str] = set()
    per_corner = per_corner or {}
    loaded = load_corners(params, [libs for _, libs in specs],
                          [per_corner.get(name, both) for name, _ in specs])
    for (name, _), (graph, cons, lib_objs) in zip(specs, loaded):
        for m in ([] if runs else cons.messages):
            _log(m)
        for w in graph.warnings:
            if w not in shown:
                shown.add(w)
                _log(f"edapipe: warning: {w}")
        an, paths_an = _analyses(graph, cons, lib_objs, sel, select)
        runs.append(CornerRun(name, an, paths_an, drc.check_all(an, lib_objs)))
    return runs


def _report_corners(runs, report_corner, sel, fmt, path_delay, n_endpoints, as_json,
                    output, digits, show_drc, fields) -> None:
    """The report of several corners: every corner's summary, then the paths of all
    corners (as report_checks after define_corners) or of --report-corner's."""
    from edapipe.timing import report
    from edapipe.timing.corners import format_corners
    from edapipe.timing.search import HOLD, SETUP
    from edapipe.util.files import write_bytes

    if as_json:
        text = report.dumps_corners(runs, sel)
    else:
        checks = {"max": [SETUP], "min": [HOLD], "min_max": [HOLD, SETUP]}[path_delay]
        paths_of = [r for r in runs if report_corner in (None, r.name)]
        text = format_corners(runs, checks, sel, fmt, n_endpoints, digits, show_drc, fields,
                              paths_of)
    write_bytes(output, text.encode(), binary=False, option="-o")


def _corner_exit(runs, max_violations, max_drc_violations) -> None:
    """Exit 1 past --max-drc-violations (violators of all corners) or --max-violations
    ((endpoint, check) pairs violating in any corner)."""
    from edapipe.errors import CheckFailed
    from edapipe.timing import drc
    from edapipe.timing.search import HOLD, SETUP

    if max_drc_violations is not None:
        bad = sum(drc.count(r.rules) for r in runs)
        if bad > max_drc_violations:
            raise CheckFailed(f"design rules violated: {bad} violations over "
                              f"the corners (more than --max-drc-violations "
                              f"{max_drc_violations})")
    if max_violations is not None:
        bad = {(e.name, c) for r in runs for e in r.an.endpoints for c in (SETUP, HOLD)
               if e.slack[c] < 0}
        if len(bad) > max_violations:
            raise CheckFailed(f"timing violated: {len(bad)} violating endpoint checks over "
                              f"the corners (more than --max-violations {max_violations})")


def _drc_counts(rules) -> str:
    """'3 max_transition, 1 max_fanout violations' (the rules that have any)."""
    parts = [f"{len(c.violators)} {kind}" for kind, c in rules.items() if c.violators]
    return ", ".join(parts) + " violations"
