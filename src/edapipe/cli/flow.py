"""`edapipe flow`: RTL to a mapped, proven and timed netlist in one process."""

from __future__ import annotations

import functools
import json
import re
import time

import click

from edapipe.cli.logic import guard, input_format_option, load, verilog_options


def _sdc_clock_port(text: str) -> str | None:
    """The port the SDC's first create_clock names (`[get_ports clk]`, `{clk}`), if any."""
    for line in text.splitlines():
        if line.lstrip().startswith("create_clock"):
            m = re.search(r"get_ports\s+\{?\s*([^\s\]\}]+)", line)
            if m:
                return m.group(1)
    return None


@click.command("flow")
@functools.partial(verilog_options, liberty=False)
@click.argument("input_file", metavar="DESIGN")
@click.option("--liberty", "-l", "target", multiple=True, required=True, metavar="FILE",
              help="Liberty library to map to (repeat to add libraries for timing).")
@click.option("--sdc", metavar="FILE", help="Constraints (default: a virtual clock, inputs "
              "and outputs at time 0, and the report gives the worst arrival).")
@click.option("--script", default="resyn2", show_default=True,
              help="Optimization script before mapping (see `edapipe opt --help`).")
@click.option("--goal", type=click.Choice(["auto", "delay", "area"]), default="auto",
              show_default=True,
              help="area: the smallest netlist (one mapping); delay: the least worst "
                   "arrival (with an SDC: the best worst slack); auto: the smallest that "
                   "meets the SDC, or without one, within 5% of the least area, the least "
                   "area x arrival^0.5 (1% more area only for 2% less delay).")
@click.option("--clock", "clock", default=None, metavar="PORT",
              help="Name of the flip-flops' clock port (default: the SDC's create_clock "
                   "port, else `clock`).")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write the mapped netlist (Verilog) here.")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Never use cells whose names match (repeatable).")
@click.option("--paths", default=1, show_default=True, type=click.IntRange(0),
              help="Worst paths to print.")
@click.option("--max-violations", type=click.IntRange(0), default=None,
              help="Exit 1 when more than N endpoints violate setup or hold (for CI).")
@click.option("--prove", type=click.Choice(["full", "mapping"]), default="full",
              show_default=True,
              help="full: prove the netlist equal to the design as read (the optimization "
                   "and the mapping); mapping: only the netlist against the optimized AIG.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@input_format_option("--format")
def flow_cmd(input_file, target, sdc, script, goal, clock, output, exclude, paths,
             max_violations, prove, as_json, input_format):
    """Read DESIGN, optimize, map to the library's cells, prove, time, report.

    The stages are those of `edapipe read | opt | map --liberty | sta`, in one process:
    the optimized AIG is mapped (with the settings that can win under --goal, each
    timed with the SDC), the mapped netlist is read back
    through the cells' functions and proven equal to the design as read (a difference is
    a bug and stops the flow with exit 1; --prove mapping proves the mapping alone), then
    timed with the SDC. The report gives the area, the cells by type, WNS/TNS and the
    worst path.

    \b
        edapipe flow design.v -l sky130.lib.gz --sdc design.sdc -o mapped.v
        edapipe flow design.v -l cells.lib --sdc design.sdc --max-violations 0 --json

    Exit codes: 0 ok, 1 timing violated beyond --max-violations (or a proof failed),
    2 usage, 3 bad input.
    """
    from edapipe.aig.analysis import depth
    from edapipe.errors import CheckFailed
    from edapipe.synth.map import library
    from edapipe.synth.map.explore import map_best
    from edapipe.synth.map.readback import read_mapped
    from edapipe.synth.map.timing import worst_arrival
    from edapipe.synth.script import expand, run_script
    from edapipe.timing import report
    from edapipe.timing.liberty import read_liberty
    from edapipe.timing.search import HOLD, SETUP
    from edapipe.util.files import display_name, read_bytes, write_bytes

    expand(script)
    guard({"-o": output}, input_file, *target, sdc)
    stages = []
    t, c = time.perf_counter(), time.process_time()

    def stage(name, **figures):
        # wall and CPU seconds: on a loaded machine only the CPU figure says where time goes
        nonlocal t, c
        now, cpu = time.perf_counter(), time.process_time()
        stages.append({"stage": name, **figures, "seconds": round(now - t, 3),
                       "cpu_seconds": round(cpu - c, 3)})
        t, c = now, cpu

    aig = load(input_file, input_format)
    stage("read", inputs=aig.num_inputs, outputs=aig.num_outputs, latches=aig.num_latches,
          ands=aig.num_ands, levels=depth(aig))
    libs = [read_liberty(p) for p in target]
    sdc_text = read_bytes(sdc).decode("utf-8", errors="replace") if sdc else None
    if clock is None:
        clock = (_sdc_clock_port(sdc_text) if sdc_text else None) or "clock"
    stage("liberty", cells=sum(len(lib.cells) for lib in libs))
    opt, _steps = run_script(aig, script)
    stage("opt", script=script, ands=opt.num_ands, levels=depth(opt))
    mlib = library.build(libs[0], exclude)
    best, tried, skipped = map_best(opt, mlib, libs, sdc_text, clock,
                                    display_name(sdc) if sdc else "<sdc>", goal)
    net = best.net
    text = net.verilog()      # only the kept netlist is written
    stage("map", setting=best.name, cells=len(net.instances), area=round(net.area, 4),
          tried=[{"setting": ch.name, "area": round(ch.net.area, 4),
                  "arrival": round(ch.arrival / libs[0].time_unit, 6),
                  "cpu_seconds": round(ch.cpu, 3)} for ch in tried],
          not_sized=[{"setting": name, "cpu_seconds": round(cpu, 3)} for name, cpu in skipped])
    if output is not None:
        write_bytes(output, text, binary=False, option="-o")
    name = display_name(output) if output else "<mapped>"
    back = read_mapped(text.decode(), name, libs)
    stage("cec", **_prove(aig, opt, back, prove, stage))
    an = best.analysis            # map_best timed the netlist it kept, with the same SDC
    unit = libs[0].time_unit
    timing = {"arrival": round(worst_arrival(an) / unit, 6),
              "wns": round(min(0.0, an.worst_slack(SETUP)) / unit, 6),
              "tns": round(an.tns(SETUP) / unit, 6),
              "setup_violations": an.violations(SETUP),
              "hold_violations": an.violations(HOLD)}
    stage("sta", **timing)
    summary = {"design": input_file, "library": libs[0].name, "goal": goal,
               "setting": best.name, "area": round(net.area, 4), "cells": len(net.instances),
               "cell_types": net.cell_counts(), "time_unit": f"{unit:g}s", **timing,
               "stages": stages}
    if as_json:
        click.echo(json.dumps(summary))
    else:
        lines = [f"flow: {input_file} -> {script} -> {libs[0].name} (goal {goal}, "
                 f"kept {best.name})"]
        for s in stages:
            figs = "  ".join(f"{k} {v}" for k, v in s.items() if k not in
                             ("stage", "seconds", "cpu_seconds", "tried", "not_sized"))
            lines.append(f"  {s['stage']:<8} {figs}  ({s['seconds']:.2f} s)")
        lines.append(f"area {net.area:.4f} in {len(net.instances)} cells: " + ", ".join(
            f"{c} {n}" for c, n in list(net.cell_counts().items())[:12]))
        lines.append(f"worst arrival {timing['arrival']:.4f}  WNS {timing['wns']:.4f}  "
                     f"TNS {timing['tns']:.4f}  setup violations {timing['setup_violations']}"
                     f"  hold violations {timing['hold_violations']}")
        for ep in report.sorted_endpoints(an, SETUP)[:paths]:
            lines.append("\n" + report.format_path(an, ep, SETUP, 4))
        click.echo("\n".join(lines))
    if max_violations is not None:
        bad = timing["setup_violations"] + timing["hold_violations"]
        if bad > max_violations:
            raise CheckFailed(f"timing violated: {timing['setup_violations']} setup and "
                              f"{timing['hold_violations']} hold violations (more than "
                              f"--max-violations {max_violations})")


def _prove(aig, opt, back, prove: str, stage) -> dict:
    """Prove the netlist read back equal to the design: two proofs whose chain is the design
    against the netlist, each fast because its two sides are structurally close: mapping
    (the optimized AIG against the netlist, by position: the netlist keeps the AIG's port
    and latch order, while an output wired to the input of the same name is renamed, as no
    Verilog port is both) and optimization (the design against the optimized AIG; --prove
    mapping skips it). The design against the netlist in one proof was measured slower
    (sin: 73 s of CPU against 0.2 + 0.5 s), as was one proof per script step."""
    from edapipe.errors import CheckFailed
    from edapipe.verify.cec import CecParams, check_equivalence

    proofs = [("mapping", opt, back, True)] + (
        [("optimization", aig, opt, False)] if prove == "full" else [])
    verdicts = {}
    for what, a, b, by_position in proofs:
        res = check_equivalence(a, b, CecParams(by_position=by_position))
        verdicts[what] = res.equivalent
        if res.equivalent is not True:
            stage("cec", **verdicts)
            raise CheckFailed(f"{what}: the result is not proven equal to its input "
                              f"({len(res.failing)} outputs differ, {len(res.undecided)} "
                              "undecided): please report this bug")
    return verdicts
