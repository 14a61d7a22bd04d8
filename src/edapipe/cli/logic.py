"""Logic commands: read, write, convert, stats, strash, sim.

Each reads a circuit (file or standard input; format from the content, or forced), does one
job and writes a circuit (binary AIGER by default, the pipeline stream format) or a report.
"""

from __future__ import annotations

import click

from edapipe.util.console import print_diagnostic

INPUT = click.argument("input_file", metavar="[FILE]", required=False, default="-")
OUTPUT = click.option("-o", "--output", "output", default="-", show_default=True,
                      metavar="FILE", help="Output file; '-' is standard output.")


def input_format_option(flag: str):
    return click.option(flag, "input_format", default=None, metavar="FMT",
                        type=click.Choice(["aig", "aag", "blif", "bench", "verilog"]),
                        help="Input format (default: detected from the content).")


def _remember(ctx: click.Context, param: click.Parameter, value):
    ctx.meta.setdefault("edapipe.verilog", {})[param.name] = value
    return value


_VERILOG_OPTIONS = [
    click.option("--top", default=None, metavar="MODULE", expose_value=False,
                 callback=_remember,
                 help="Verilog: the top module (default: the one no module instantiates)."),
    click.option("-I", "--include-dir", "include_dirs", multiple=True, metavar="DIR",
                 expose_value=False, callback=_remember,
                 help="Verilog: a folder searched by `include (repeatable)."),
    click.option("-D", "--define", "defines", multiple=True, metavar="NAME[=VALUE]",
                 expose_value=False, callback=_remember,
                 help="Verilog: a `define (repeatable)."),
]


def verilog_options(command, liberty: bool = True):
    """--top, -I, -D and --liberty for commands that read designs; load() picks them up.
    `liberty` False leaves out --liberty (for `map`, whose --liberty is its target)."""
    for option in reversed(_VERILOG_OPTIONS):
        command = option(command)
    if liberty:
        command = click.option(
            "-l", "--liberty", "liberty", multiple=True, metavar="FILE", expose_value=False,
            callback=_remember,
            help="Liberty library (repeatable): a Verilog netlist of its cells is read "
                 "through the cells' functions (flip-flops become latches).")(command)
    return command


_libraries: dict[tuple, list] = {}


def _instantiates_cells(text: str, libs) -> bool:
    """Does the Verilog text instantiate a cell of the libraries (`CELL name (`)?"""
    import re

    for m in re.finditer(r"^\s*\\?([A-Za-z_][\w$]*)\s+\\?[^\s(;]+\s*\(", text, re.M):
        if any(m.group(1) in lib.cells for lib in libs):
            return True
    return False


OUTPUT_FORMAT = click.option("--format", "output_format", default=None, metavar="FMT",
                             type=click.Choice(["aig", "aag", "blif", "bench", "verilog", "dot",
                                                "graphml"]),
                             help="Output format (default: from the -o extension, else aig).")


def load(path: str, fmt: str | None = None):
    """Read a design, with the Verilog options of the running command (verilog_options)."""
    from edapipe.aig import io

    io.register_reader("rtl", _read_rtl)

    ctx = click.get_current_context(silent=True)
    given = ctx.meta.get("edapipe.verilog", {}) if ctx is not None else {}
    defines = {}
    for item in given.get("defines") or ():
        name, _, value = item.partition("=")
        defines[name] = value
    opts = io.VerilogOptions(top=given.get("top"), defines=defines,
                             include_dirs=tuple(given.get("include_dirs") or ()), warn=_warn)
    liberty = tuple(given.get("liberty") or ())
    if liberty and fmt in (None, "verilog"):
        from edapipe.util import files

        data = files.read_bytes(path)
        if fmt == "verilog" or io.detect_format(data) == "verilog":
            from edapipe.synth.map.readback import read_mapped
            from edapipe.timing.liberty import read_liberty

            libs = _libraries.get(liberty)
            if libs is None:
                libs = _libraries[liberty] = [read_liberty(p) for p in liberty]
            text = data.decode("utf-8", errors="replace")
            if _instantiates_cells(text, libs):
                return read_mapped(text, files.display_name(path), libs, top=given.get("top"))
        return io.parse(data, files.display_name(path), fmt, opts, report=print_diagnostic)
    return io.read(path, fmt, opts, report=print_diagnostic)


def _read_rtl(*args, **kwargs):
    # aig.io's RTL reader, wired by the CLI (aig never imports synth: docs/decisions.md,
    # "Layers"); the frontend is imported only when a design needs it (3 ms)
    from edapipe.synth.rtl import read_rtl

    return read_rtl(*args, **kwargs)


def _warn(message: str) -> None:
    # the RTL frontend still reports plain text that carries its own location
    from edapipe.errors import Diagnostic

    print_diagnostic(Diagnostic("warning", message))


def guard(outputs: dict[str, str | None], *inputs: str | None) -> None:
    """Before any work: output folders exist, no output is a folder or one of the inputs."""
    from edapipe.errors import UsageError
    from edapipe.util.files import guard_outputs, is_stdio

    if sum(1 for p in inputs if p is not None and is_stdio(p)) > 1:
        raise UsageError("standard input can be read only once; give files for the others")
    guard_outputs(outputs, [p for p in inputs if p is not None])


def save(aig, path: str, fmt: str | None = None) -> None:
    from edapipe.aig import io

    io.write(aig, path, fmt)


@click.command("read")
@verilog_options
@INPUT
@OUTPUT
@input_format_option("--format")
def read_cmd(input_file: str, output: str, input_format: str | None) -> None:
    """Read a circuit (AIGER, BLIF, BENCH, Verilog) and write it as AIGER.

    The format is detected from the content. The output is binary AIGER with its symbol
    table, the stream format between stages; `-o x.aag` writes ASCII AIGER.

    \b
        edapipe read design.v | edapipe stats
        edapipe read c432.bench -o c432.aig
    """
    from edapipe.aig import io

    guard({"-o": output}, input_file)
    aig = load(input_file, input_format)
    out_fmt = io.format_from_extension(output)
    save(aig, output, out_fmt if out_fmt in ("aig", "aag") else "aig")


@click.command("write")
@verilog_options
@INPUT
@OUTPUT
@OUTPUT_FORMAT
@input_format_option("--input-format")
def write_cmd(input_file: str, output: str, output_format: str | None,
              input_format: str | None) -> None:
    """Write a circuit in another format, named by --format or the -o extension.

    \b
        edapipe read design.v | edapipe write -o design.blif
        edapipe write c17.bench --format dot -o c17.dot
    """
    guard({"-o": output}, input_file)
    save(load(input_file, input_format), output, output_format)


@click.command("convert")
@verilog_options
@click.argument("input_file", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@OUTPUT_FORMAT
@input_format_option("--input-format")
def convert_cmd(input_file: str, output: str, output_format: str | None,
                input_format: str | None) -> None:
    """Convert INPUT to OUTPUT; formats from the content and the OUTPUT extension.

    \b
        edapipe convert adder.aig adder.v
        edapipe convert s27.bench s27.blif
    """
    guard({"OUTPUT": output}, input_file)
    save(load(input_file, input_format), output, output_format)


@click.command("stats")
@verilog_options
@INPUT
@input_format_option("--format")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def stats_cmd(input_file: str, input_format: str | None, as_json: bool) -> None:
    """Print inputs, outputs, latches, ANDs and levels (ABC's print_stats).

    \b
        edapipe stats multiplier.aig
        edapipe read design.v | edapipe stats --json
    """
    aig = load(input_file, input_format)
    name = aig.name or stem(input_file)
    figures = stats_figures(aig)
    if as_json:
        import json

        click.echo(json.dumps({"name": name, **figures}))
        return
    click.echo(stats_line(name, figures))


def stats_figures(aig) -> dict:
    """The figures `edapipe stats` prints (bad and constraints only when the circuit has any)."""
    from edapipe.aig.analysis import depth

    figures = {"inputs": aig.num_inputs, "outputs": aig.num_outputs,
               "latches": aig.num_latches, "ands": aig.num_ands, "levels": depth(aig)}
    if aig.bad.size or aig.constraints.size:
        figures.update(bad=int(aig.bad.size), constraints=int(aig.constraints.size))
    return figures


def stats_line(name: str, figures: dict) -> str:
    """The line of `edapipe stats` for stats_figures()."""
    line = (f"{name:<12} : i/o = {figures['inputs']:>5}/{figures['outputs']:>5}  "
            f"lat = {figures['latches']:>5}  and = {figures['ands']:>7}  "
            f"lev = {figures['levels']:>5}")
    if "bad" in figures:
        line += f"  bad = {figures['bad']}  cons = {figures['constraints']}"
    return line


@click.command("strash")
@verilog_options
@INPUT
@OUTPUT
@input_format_option("--format")
def strash_cmd(input_file: str, output: str, input_format: str | None) -> None:
    """Structurally hash: merge duplicate ANDs, fold constants, drop dangling nodes.

    \b
        edapipe read design.v | edapipe strash | edapipe stats
    """
    from edapipe.aig.builder import strash

    guard({"-o": output}, input_file)
    save(strash(load(input_file, input_format)), output, "aig" if output == "-" else None)


@click.command("sim")
@verilog_options
@INPUT
@input_format_option("--format")
@click.option("--vectors", "vectors", metavar="FILE", default=None,
              help="Input vectors: lines of 0/1, one bit per input (a cycle each for "
                   "sequential circuits), or an AIGER witness such as `cec --cex` writes.")
@click.option("--words", default=4, show_default=True, type=click.IntRange(1, 1 << 20),
              help="Random simulation: 64-pattern words per output signature.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def sim_cmd(input_file: str, input_format: str | None, vectors: str | None, words: int,
            seed: int, as_json: bool) -> None:
    """Simulate: random signatures of every output, or the outputs for given vectors.

    Without --vectors, prints a hexadecimal signature per output over 64*WORDS seeded random
    patterns (latches included as free inputs): equal circuits give equal signatures.
    With --vectors, prints one line of output bits per vector (per cycle from reset for
    sequential circuits).

    \b
        edapipe sim design.aig --words 16
        edapipe sim design.v --vectors cex.txt
    """
    from edapipe.aig import sim
    from edapipe.util.files import read_bytes

    import json

    guard({}, input_file, vectors)
    aig = load(input_file, input_format)
    if vectors is None:
        sigs = sim.signatures(aig, n_words=words, seed=seed)
        names = ([aig.output_name(k) for k in range(aig.num_outputs)]
                 + [f"{aig.latch_name(k)}.next" for k in range(aig.num_latches)]
                 + [f"bad{k}" for k in range(len(aig.bad))]
                 + [f"constraint{k}" for k in range(len(aig.constraints))])
        hexes = ["".join(f"{int(w):016x}" for w in row[::-1]) for row in sigs]
        if as_json:
            click.echo(json.dumps({"words": words, "seed": seed,
                                   "signatures": dict(zip(names, hexes))}))
        else:
            for name, sig in zip(names, hexes):
                click.echo(f"{name} {sig}")
        return
    from edapipe.aig.vectors import parse_vectors

    bits, init = parse_vectors(read_bytes(vectors), vectors, aig.num_inputs, aig.num_latches)
    outs, _ = sim.simulate_vectors(aig, bits, init)
    if as_json:
        names = [aig.output_name(k) for k in range(aig.num_outputs)]
        click.echo(json.dumps({"outputs": names,
                               "values": ["".join(map(str, row)) for row in outs.tolist()]}))
    else:
        for row in outs.tolist():
            click.echo("".join(map(str, row)))


def stem(path: str) -> str:
    """The name `stats` gives a circuit without one: its file name up to the first dot."""
    if path == "-":
        return "stdin"
    import os.path

    return os.path.basename(path.rstrip("/")).split(".")[0]
