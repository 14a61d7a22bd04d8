"""`edapipe spice`: simulate an ngspice-dialect netlist (op, dc, ac, tran)."""

from __future__ import annotations

import click


@click.command("spice")
@click.argument("netlist")
@click.option("--op", "do_op", is_flag=True, help="Run an operating point (instead of the "
              "deck's analyses).")
@click.option("--dc", "dc_args", metavar="'SRC START STOP STEP [SRC2 ...]'",
              help="Run a DC sweep instead of the deck's analyses.")
@click.option("--ac", "ac_args", metavar="'dec|oct|lin N FSTART FSTOP'",
              help="Run an AC sweep instead of the deck's analyses.")
@click.option("--tran", "tran_args", metavar="'TSTEP TSTOP [TSTART [TMAX]] [uic]'",
              help="Run a transient instead of the deck's analyses.")
@click.option("--csv", "csv_path", metavar="FILE",
              help="Write results as CSV; with several analyses FILE becomes "
                   "FILE-stem__<analysis>.csv, one per analysis ('-': standard output, "
                   "one analysis).")
@click.option("--raw", "raw_path", metavar="FILE",
              help="Write an ngspice raw file (every analysis is one plot; '-': standard "
                   "output).")
@click.option("--raw-format", type=click.Choice(["binary", "ascii"]), default="binary",
              show_default=True, help="Raw file encoding (ngspice reads both).")
@click.option("--plot", "plot_path", metavar="FILE",
              help="Write a PNG: waveforms (tran), curves (dc) or Bode plot (ac); one per "
                   "analysis as for --csv ('-': standard output, one analysis).")
@click.option("--json", "as_json", is_flag=True,
              help="Print all results as JSON on standard output instead of the op and "
                   ".print tables.")
@click.option("--bjt-area", type=click.Choice(["ngspice", "textbook"]), default="ngspice",
              show_default=True,
              help="How a BJT's AREA scales its base-collector saturation current: as "
                   "ngspice does (IS*AREA*AREAB, area squared) or as the Gummel-Poon model "
                   "defines it (IS*AREAB).")
def spice_cmd(netlist, do_op, dc_args, ac_args, tran_args, csv_path, raw_path, raw_format,
              plot_path, as_json, bjt_area):
    """Simulate a SPICE netlist the way ngspice does.

    Runs the analyses of the deck (.op, .dc, .ac, .tran, .tf, .noise, .sens) unless
    some are given on the command line; `.meas` and `.four` results are printed after
    their analysis as ngspice prints them (and under each analysis in --json); a
    `.sens` prints its table as ngspice's `.print sens all`.
    Prints the operating point as a table on standard output;
    writes CSV, ngspice raw files, JSON and plots on request. Warnings and the
    transient progress bar go to standard error.

    Output cards as in ngspice: `.save`/`.probe` v(node), i(vsource), node names
    (`.save all`: everything) limit what --csv, --raw, --json and --plot write;
    `.print TYPE v(a) v(a,b) i(v1) vdb(a) vp(a) ...` (TYPE op, dc, ac or tran)
    prints a table per analysis on standard output (all .print lines of one
    TYPE in one table; not with --json).

    \b
        edapipe spice amp.cir
        edapipe spice amp.cir --tran '1n 1u' --csv amp.csv --plot amp.png
        edapipe spice filter.cir --ac 'dec 20 1 1meg' --raw filter.raw
        edapipe spice amp.cir --json | jq '.analyses[0].values'

    Exit codes: 0 ok, 2 usage, 3 bad netlist (file:line: reason, or a node that has
    no DC path), 4 no convergence (operating point or transient time step).
    """
    import sys

    from edapipe.analog import fastload
    from edapipe.util.jit import before_first_kernel
    # numba's light load (analog/fastload.py), installed just before the next kernel is
    # defined: a deck that needs no kernel (a small linear one) never imports numba
    before_first_kernel(fastload.install)
    from edapipe.analog import output
    from edapipe.analog.devices.bjt import BC_AREA_OPTION
    from edapipe.analog.spice import analysis_from_text, load_circuit, simulate
    from edapipe.util.console import console, stderr_is_terminal, write_line
    from edapipe.cli.logic import guard
    from edapipe.errors import UsageError
    from edapipe.util.files import is_stdio, read_bytes, write_bytes

    # fail before a long simulation, not after it: missing folders, outputs over inputs,
    # two outputs on standard output
    file_outputs = {"--csv": csv_path, "--raw": raw_path, "--plot": plot_path}
    on_stdout = [opt for opt, p in file_outputs.items() if p is not None and is_stdio(p)]
    if len(on_stdout) + as_json > 1:
        raise UsageError(f"{' and '.join(on_stdout + (['--json'] if as_json else []))} "
                         "cannot share standard output; give file names")
    guard(file_outputs, netlist)
    data = read_bytes(netlist)
    path = "<stdin>" if is_stdio(netlist) else netlist
    circ = load_circuit(path, data.decode("utf-8", errors="replace"))
    circ.options[BC_AREA_OPTION] = bjt_area
    deck = getattr(circ, "deck", None)
    outs = output.parse_outputs(deck.outputs if deck is not None else [])
    specs = []
    if do_op:
        specs.append(analysis_from_text("op", ""))
    if dc_args:
        specs.append(analysis_from_text("dc", dc_args))
    if ac_args:
        specs.append(analysis_from_text("ac", ac_args))
    if tran_args:
        specs.append(analysis_from_text("tran", tran_args))

    n_analyses = len(specs) or len(circ.analyses)
    for opt in on_stdout:
        if opt != "--raw" and n_analyses > 1:
            raise UsageError(f"{opt} -: standard output takes one analysis and the run has "
                             f"{n_analyses}; give a file name (one file per analysis)")
    for w in circ.warnings + outs.warnings:
        write_line(f"edapipe: warning: {w}")
    shown = len(circ.warnings)

    bar = None
    progress = None
    if stderr_is_terminal() and not as_json:
        from rich.progress import Progress

        bar = Progress(console=console(), transient=True)
        task = bar.add_task("transient", total=1.0)
        bar.start()

        def update(frac):
            bar.update(task, completed=frac)

        progress = update
    try:
        run = simulate(circ, specs or None, progress)
    finally:
        if bar is not None:
            bar.stop()
    for w in run.warnings[shown:]:
        write_line(f"edapipe: warning: {w}")        # .meas cards that fail or do not apply
    # .save/.probe select what the writers get; .print and the op table see everything
    results, save_warnings = output.select_saved(run.results, outs)
    for w in save_warnings:
        write_line(f"edapipe: warning: {w}")
    title = circ.title
    if csv_path:
        for res in results:
            target = output.per_analysis_path(csv_path, res.kind, len(results))
            write_bytes(target, output.to_csv(res).encode(), binary=False, option="--csv")
    if raw_path:
        write_bytes(raw_path, output.to_raw(results, title, binary=raw_format == "binary"),
                    binary=raw_format == "binary", option="--raw")
    if plot_path:
        for res in results:
            if res.kind in ("tf", "sens"):
                write_line(f"edapipe: warning: --plot: the .{res.kind} result (numbers, no "
                           f"sweep) is not plotted")
                continue
            output.plot_png(res, output.per_analysis_path(plot_path, res.kind, len(results)),
                            title)
    if as_json:
        sys.stdout.write(output.to_json(results, title, run.measures, run.fouriers) + "\n")
        return
    from edapipe.analog.measure import report

    tables = []
    for k, res in enumerate(run.results):
        if res.kind == "op":
            tables.append(output.op_table(res))
        if res.kind == "tf":
            from edapipe.analog.smallsignal import tf_table

            tables.append(tf_table(res))
        if res.kind == "sens":
            from edapipe.analog.sens import sens_table

            wanted = [] if "all" in outs.sens else outs.sens
            tables.append(sens_table(res, wanted))
        if res.kind == "noise":
            tables.append("".join(f"{key} = {val:e}\n"
                                  for key, val in sorted(res.extra.items())))
        if res.kind == "pz":
            from edapipe.analog.pz import pz_table

            text = pz_table(res)
            if text:
                tables.append(text)
        if outs.prints.get(res.kind):
            text, print_warnings = output.print_table(res, outs.prints[res.kind])
            for w in print_warnings:
                write_line(f"edapipe: warning: {w}")
            if text:
                tables.append(text)
        tables += [f.text() for f in run.fouriers[k]]
        if run.measures[k]:
            tables.append(report(res.kind, run.measures[k]))
        if res.kind not in ("op", "tf", "sens", "pz"):
            n = len(res.scale)
            extra = ""
            if res.kind == "tran" and res.extra:
                extra = f" ({res.extra['accepted']} accepted, {res.extra['rejected']} rejected)"
            write_line(f"edapipe: {res.title}: {n} points{extra}")
    if tables:
        # standard output carries the data asked for with '-'; the tables go beside it
        (sys.stderr if on_stdout else sys.stdout).write("\n".join(tables))
