"""`edapipe prove` (safety properties) and `edapipe check-certificate` (their proofs)."""

from __future__ import annotations

import json

import click

from edapipe.cli.logic import guard, input_format_option, load, verilog_options


@click.command("prove")
@verilog_options
@click.argument("design", metavar="FILE", required=False, default="-")
@click.option("--engine", default="auto", show_default=True,
              type=click.Choice(["auto", "pdr", "bmc", "kind", "reach"]),
              help="pdr: IC3/PDR; bmc: bounded model checking (finds failures); kind: "
                   "k-induction; reach: explicit-state search of the reachable states "
                   "(cones with at most 16 inputs); auto: these in parallel processes "
                   "(reach only where it applies), first answer wins.")
@click.option("--time-limit", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Seconds per property before it is undecided (0: no limit).")
@click.option("--cpu-limit", default=0.0, show_default=True, type=click.FloatRange(0),
              help="CPU seconds per property, shared evenly by the engines that run "
                   "(0: no limit); for benchmarks beside tools that count CPU time.")
@click.option("--frames", default=0, show_default=True, type=click.IntRange(0),
              help="Depth bound: BMC/induction depth and PDR frames (0: no bound).")
@click.option("--property", "props", multiple=True, type=click.IntRange(0), metavar="N",
              help="Check only property N (repeatable; default: all).")
@click.option("--witness", "witness_path", metavar="FILE", default=None,
              help="Write the counter-examples of failing properties as AIGER witnesses "
                   "(replay: edapipe sim FILE --vectors WITNESS); '-' is standard output.")
@click.option("--certificate", "cert_path", metavar="FILE", default=None,
              help="Write the inductive invariants of the proven properties as an AIGER "
                   "circuit (check: edapipe check-certificate FILE CERT).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with a row "
                                                      "per property.")
@input_format_option("--format")
def prove_cmd(design: str, engine: str, time_limit: float, cpu_limit: float, frames: int, props: tuple,
              witness_path: str | None, cert_path: str | None, as_json: bool,
              input_format: str | None) -> None:
    """Check the safety properties of a sequential design from its initial state.

    The properties are the bad-state outputs of an AIGER 1.9 file (B), else every output
    (old-style AIGER, as in the model-checking competitions); a property fails when a
    trace from the initial state (latch inits 0, 1 or X) reaches it with every invariant
    constraint (C) held in every frame. A Verilog/SystemVerilog design's properties are
    its `assert` statements and same-cycle `assert property`s (b0 the first in source
    order), its `assume`s the constraints.

    \b
        edapipe prove design.aig
        edapipe prove design.aag --witness cex.txt && echo safe
        edapipe prove design.aig --certificate inv.aig
        edapipe prove counter.sv --witness cex.txt
        edapipe check-certificate design.aig inv.aig

    Exit codes: 0 every property holds, 1 some property fails (with a witness), 2 usage,
    3 bad input, 4 undecided within the limits.
    """
    from edapipe.errors import CheckFailed, InputError, ResourceLimit, UsageError
    from edapipe.util.files import is_stdio, write_bytes
    from edapipe.verify.seq.model import property_literals, property_names
    from edapipe.verify.seq.prove import ProveParams, prove
    from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, witness_text

    guard({"--witness": witness_path, "--certificate": cert_path}, design)
    if witness_path is not None and is_stdio(witness_path) and as_json:
        raise UsageError("--witness - and --json cannot share standard output; give a file")
    if cert_path is not None and engine == "kind":
        raise UsageError("--certificate needs an invariant, which k-induction does not give; "
                         "use --engine pdr or auto")
    if cert_path is not None and is_stdio(cert_path):
        raise UsageError("--certificate needs a file name (the certificate is binary AIGER)")
    aig = load(design, input_format)
    n_props = len(property_literals(aig))
    if n_props == 0:
        raise InputError("nothing to prove: the design has no bad-state property and no "
                         "output", file=design)
    for p in props:
        if p >= n_props:
            raise UsageError(f"--property {p}: the design has {n_props} properties")
    params = ProveParams(engine=engine, time_limit=time_limit, cpu_limit=cpu_limit,
                         max_frames=frames,
                         need_invariant=cert_path is not None, properties=tuple(props))
    results = prove(aig, params)
    failing = [r for r in results if r.status == FAILS]
    holding = [r for r in results if r.status == HOLDS]
    if witness_path is not None and failing:
        text = "".join(witness_text(r.result.trace, r.index) for r in failing)
        write_bytes(witness_path, text.encode(), binary=False, option="--witness")
    if cert_path is not None and holding:
        _write_certificate(aig, holding, property_names(aig), cert_path)
    if as_json:
        click.echo(json.dumps({"design": design, "properties": [r.as_dict() for r in results]}))
    else:
        err = witness_path is not None and is_stdio(witness_path)
        for r in results:
            res = r.result
            how = {HOLDS: f"holds ({res.engine}, {res.depth} frames)",
                   FAILS: f"fails ({res.engine}, witness of {res.trace.length if res.trace else 0}"
                          f" frames)",
                   UNDECIDED: f"undecided ({res.engine}, depth {res.depth})"}[res.status]
            click.echo(f"{r.name}: {how} {r.wall:.2f} s", err=err)
    if failing:
        raise CheckFailed(f"{len(failing)} of {len(results)} properties fail")
    if any(r.status == UNDECIDED for r in results):
        raise ResourceLimit(f"{sum(r.status == UNDECIDED for r in results)} of {len(results)} "
                            "properties undecided within the limits")


def _write_certificate(aig, holding, names, path) -> None:
    from edapipe.aig import io
    from edapipe.verify.seq.certificate import build_certificate

    invariants = {r.index: r.result.invariant for r in holding if r.result.invariant is not None}
    io.write(build_certificate(aig, invariants, names), path, "aig")


@click.command("check-certificate")
@verilog_options
@click.argument("design", metavar="FILE")
@click.argument("certificate", metavar="CERT")
@input_format_option("--format")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check_certificate_cmd(design: str, certificate: str, input_format: str | None,
                          as_json: bool) -> None:
    """Check a certificate written by `prove --certificate`, with three SAT calls per property.

    For each output inv_<property> of CERT (a circuit over the design's latches):
    every initial state satisfies it, it is inductive under the constraints, and it
    excludes the bad state. Nothing of the engines that made it is trusted.

    \b
        edapipe prove design.aig --certificate inv.aig
        edapipe prove counter.sv --witness cex.txt
        edapipe check-certificate design.aig inv.aig

    Exit codes: 0 every invariant checks, 1 some check fails, 2 usage, 3 bad input.
    """
    from edapipe.aig import io
    from edapipe.errors import CheckFailed, InputError
    from edapipe.verify.seq.certificate import check_certificate

    guard({}, design, certificate)
    aig = load(design, input_format)
    cert = io.read(certificate)
    results = check_certificate(aig, cert, source=certificate)
    if not results:
        raise InputError("the certificate has no inv_<property> output", file=certificate)
    if as_json:
        click.echo(json.dumps({"certificate": certificate, "properties": [
            {"property": r.property, "ok": r.ok, "failed": r.failed} for r in results]}))
    else:
        for r in results:
            click.echo(f"{r.property}: " + ("invariant checked (init, inductive, safe)" if r.ok
                                            else f"REJECTED: the {r.failed} check fails"))
    bad = [r for r in results if not r.ok]
    if bad:
        raise CheckFailed(f"{len(bad)} of {len(results)} invariants rejected")
