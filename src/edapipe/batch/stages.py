"""Stages of a script: each parsed by its command's own click options, then run in-process.

Circuit stages (read, write, strash, stats, opt, cec, map) work on the current circuit: the
circuit the last stage produced is the next one's input, never written and read back. Their
click command is the real command's options (the same objects, so they never drift) with the
positional arguments replaced by a list of words, because in a script the circuit argument is
implicit: `write x.blif` names the output, `cec x.v` compares the current circuit with x.v, and
`cec` alone compares it with the circuit the last `read` read (ABC's `cec`).

File stages (every other command: convert, sim, flow, sta, spice) run the real command as is,
on the files they name. A bare pass or script name (`b`, `rw -z`, `resyn2`) is an `opt` stage,
as in ABC. A circuit-producing stage (read, strash, opt) writes only with an explicit -o.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

import click
from click.core import ParameterSource

from edapipe.batch.script import RawStage
from edapipe.cli import COMMANDS
from edapipe.errors import UsageError

CIRCUIT_STAGES = ("read", "write", "strash", "stats", "opt", "cec", "map")
NOT_STAGES = ("run", "batch", "explore")

# The options each circuit stage handles. A test checks these against the commands' own
# options, so an option added to a command fails the suite until the stage handles it.
HANDLED = {
    "read": {"output", "input_format"},
    "write": {"output", "output_format", "input_format"},
    "strash": {"output", "input_format"},
    "stats": {"input_format", "as_json"},
    "opt": {"output", "input_format", "verbose", "as_json"},
    "cec": {"by_position", "cex_path", "cex_b_path", "conflict_limit", "time_limit", "seed",
            "as_json", "input_format", "format_b", "verbose"},
    "map": {"output", "k", "liberty", "sdc", "exclude", "no_sizing", "delay", "cuts",
            "relax", "choices", "input_format", "as_json", "quiet"},
}


@dataclass
class State:
    """What a script carries from stage to stage."""

    aig: object = None                  # the current circuit (an Aig)
    original: object = None             # the circuit as the last `read` read it
    source: str | None = None           # the file the last `read` read
    label: str = "the current circuit"  # how messages name the current circuit
    outputs: list[str] = field(default_factory=list)   # files written, in order


@dataclass
class Stage:
    index: int                          # 1-based
    raw: RawStage
    name: str                           # the command
    command: click.Command
    ctx: click.Context
    words: tuple[str, ...] = ()         # positional words of a circuit stage

    @property
    def params(self) -> dict:
        return self.ctx.params

    def given(self, param: str) -> bool:
        return self.ctx.get_parameter_source(param) == ParameterSource.COMMANDLINE


def real_command(name: str) -> click.Command:
    module, attr, _ = COMMANDS[name]
    return getattr(importlib.import_module(module), attr)


# a memo of the derived commands (built from the registry; never changes what a stage means)
_stage_commands: dict[str, click.Command] = {}


def stage_command(name: str) -> click.Command:
    """The command's options with its positional arguments replaced by a word list."""
    cmd = _stage_commands.get(name)
    if cmd is None:
        real = real_command(name)
        params = [p for p in real.params if not isinstance(p, click.Argument)]
        params.append(click.Argument(["words"], nargs=-1))
        cmd = _stage_commands[name] = click.Command(name, params=params,
                                                    add_help_option=False)
    return cmd


def parse(raw: RawStage, index: int) -> Stage:
    """Parse one stage's words; click's errors and ours are UsageErrors (the caller locates)."""
    from edapipe.synth import passes

    name, args = raw.words[0], list(raw.words[1:])
    if name not in COMMANDS and (name in passes.SCRIPTS or name in passes.PRESETS
                                 or _is_pass(name)):
        name, args = "opt", [raw.text]
    if name in NOT_STAGES:
        raise UsageError(f"{name!r} cannot be a stage of a script")
    if name not in COMMANDS:
        known = ", ".join(n for n in sorted(COMMANDS) if n not in NOT_STAGES)
        raise UsageError(f"unknown stage {name!r}; stages: {known}, or a pass or script "
                         "name (b, rw, resyn2, ...)")
    circuit = name in CIRCUIT_STAGES
    cmd = stage_command(name) if circuit else real_command(name)
    try:
        ctx = cmd.make_context(name, args)
    except click.exceptions.Exit:
        raise UsageError(f"see `edapipe {name} --help` for the options") from None
    except click.ClickException as exc:
        raise UsageError(exc.format_message()) from None
    stage = Stage(index, raw, name, cmd, ctx, tuple(ctx.params.pop("words", ())) if circuit
                  else ())
    if circuit:
        _check_words(stage)
    return stage


def _is_pass(name: str) -> bool:
    from edapipe.synth import passes

    try:
        passes.lookup(name)
        return name != "strash"        # `strash` is the command (same job)
    except UsageError:
        return False


_WORDS = {"read": (0, 1), "write": (0, 1), "strash": (0, 0), "stats": (0, 0),
          "opt": (0, 1), "cec": (0, 2), "map": (0, 0)}


def _check_words(stage: Stage) -> None:
    lo, hi = _WORDS[stage.name]
    n = len(stage.words)
    if not lo <= n <= hi:
        what = {"write": "at most one output file", "opt": "at most one script",
                "read": "one file", "cec": "at most two designs"}.get(
            stage.name, "no file: it works on the current circuit (`read FILE` first)")
        raise UsageError(f"{stage.name} takes {what}; got {' '.join(stage.words)}")
    if stage.name == "opt":
        from edapipe.synth.script import expand

        expand(stage.words[0] if stage.words else "resyn2")
    if stage.name == "write" and n and stage.given("output"):
        raise UsageError("write: give the output once (as a word or with -o)")
    reads = stage.name == "read" or (stage.name == "cec" and n == 2)
    if not reads:
        meta = stage.ctx.meta.get("edapipe.verilog", {})
        given = [opt for opt, key in (("--top", "top"), ("-I", "include_dirs"),
                                      ("-D", "defines"), ("--liberty", "liberty"))
                 if meta.get(key)]
        if stage.params.get("input_format") is not None:
            given.append("--format")
        if stage.name == "cec" and n == 1:
            given = [g for g in given if g == "--format"]     # the others read B
        if given:
            raise UsageError(f"{', '.join(given)}: {stage.name} reads no file here; give "
                             "reading options to the `read` stage")


def needs_circuit(stage: Stage) -> bool:
    return stage.name in CIRCUIT_STAGES and stage.name != "read" and not (
        stage.name == "cec" and len(stage.words) == 2)


# ----------------------------------------------------------------------------- executors

def _figures(aig) -> dict:
    from edapipe.aig.analysis import depth

    return {"inputs": aig.num_inputs, "outputs": aig.num_outputs, "latches": aig.num_latches,
            "ands": aig.num_ands, "levels": depth(aig)}


def _write_if_asked(stage: Stage, state: State, fmt=None) -> None:
    """Circuit-producing stages write only with an explicit -o."""
    from edapipe.cli.logic import guard, save

    if stage.given("output"):
        out = stage.params["output"]
        guard({"-o": out})
        save(state.aig, out, fmt(out) if fmt else ("aig" if out == "-" else None))
        state.outputs.append(out)


def run_read(stage: Stage, state: State, row: dict) -> None:
    from edapipe.aig import io
    from edapipe.cli.logic import guard, load
    from edapipe.util.files import display_name

    path = stage.words[0] if stage.words else "-"
    out = stage.params["output"]
    guard({"-o": out if stage.given("output") else None}, path)
    with stage.ctx:
        aig = load(path, stage.params["input_format"])
    state.aig = state.original = aig
    state.source, state.label = path, display_name(path)
    row.update(_figures(aig))

    def aiger(out):
        fmt = io.format_from_extension(out)
        return fmt if fmt in ("aig", "aag") else "aig"

    _write_if_asked(stage, state, aiger)


def run_write(stage: Stage, state: State, row: dict) -> None:
    from edapipe.cli.logic import guard, save

    out = stage.words[0] if stage.words else stage.params["output"]
    guard({"-o": out})
    save(state.aig, out, stage.params["output_format"])
    state.outputs.append(out)
    row["output"] = out


def run_strash(stage: Stage, state: State, row: dict) -> None:
    from edapipe.aig.builder import strash

    state.aig = strash(state.aig)
    state.label = _after(state, stage)
    row.update(_figures(state.aig))
    _write_if_asked(stage, state)


def _after(state: State, stage: Stage) -> str:
    from edapipe.util.files import display_name

    base = display_name(state.source) if state.source is not None else "the circuit"
    return f"{base} after stage {stage.index} ({stage.name})"


def run_stats(stage: Stage, state: State, row: dict) -> None:
    import json

    from edapipe.cli.logic import stem, stats_figures, stats_line

    aig = state.aig
    figures = stats_figures(aig)
    name = aig.name or stem(state.source if state.source is not None else "-")
    row.update(figures)
    if stage.params["as_json"]:
        click.echo(json.dumps({"name": name, **figures}))
        return
    click.echo(stats_line(name, figures))


def run_opt(stage: Stage, state: State, row: dict) -> None:
    import json

    from edapipe.cli.opt import input_step, opt_summary, print_step
    from edapipe.synth.script import run_script

    script = stage.words[0] if stage.words else "resyn2"
    start = input_step(state.aig)
    state.aig, steps = run_script(state.aig, script,
                                  on_step=print_step if stage.params["verbose"] else None)
    state.label = _after(state, stage)
    row.update(script=script, ands=state.aig.num_ands, levels=steps[-1].levels)
    if stage.params["as_json"]:
        click.echo(json.dumps(opt_summary(script, start, steps, state.aig)))
    _write_if_asked(stage, state)


def run_cec(stage: Stage, state: State, row: dict) -> None:
    import json

    from edapipe.cli.cec import raise_verdict, verdict_text
    from edapipe.cli.logic import guard, load
    from edapipe.util.files import display_name, is_stdio, write_bytes
    from edapipe.verify.cec import CecParams, check_equivalence, witness
    from edapipe.verify.sweep import SweepParams

    p = stage.params
    words = stage.words
    guard({"--cex": p["cex_path"], "--cex-b": p["cex_b_path"]}, *words)
    if [x for x in (p["cex_path"], p["cex_b_path"]) if x is not None and is_stdio(x)] and (
            p["as_json"] or (p["cex_path"] and p["cex_b_path"])):
        raise UsageError("--cex/--cex-b - and --json cannot share standard output")
    with stage.ctx:
        if len(words) == 2:
            a, b = load(words[0], p["input_format"]), load(words[1], p["format_b"])
            name_a, name_b = display_name(words[0]), display_name(words[1])
        elif words:
            a, b = state.aig, load(words[0], p["format_b"])
            name_a, name_b = state.label, display_name(words[0])
        else:
            if state.original is None:
                raise UsageError("cec with no design compares with the circuit read; "
                                 "no `read` came before")
            a, b = state.aig, state.original
            name_a, name_b = state.label, display_name(state.source)
    params = CecParams(conflict_limit=p["conflict_limit"], time_limit=p["time_limit"],
                       by_position=p["by_position"], sweep=SweepParams(seed=p["seed"]))
    res = check_equivalence(a, b, params)
    row["equivalent"] = res.equivalent
    row["cec"] = res.status
    if p["verbose"]:
        from edapipe.util.console import write_line

        write_line(f"cec: {res.stats.as_dict()}")
    if res.cex is not None:
        if p["cex_path"]:
            write_bytes(p["cex_path"], witness(*res.cex_a()).encode(), binary=False,
                        option="--cex")
            state.outputs.append(p["cex_path"])
        if p["cex_b_path"]:
            write_bytes(p["cex_b_path"], witness(*res.cex_b()).encode(), binary=False,
                        option="--cex-b")
            state.outputs.append(p["cex_b_path"])
    cex_on_stdout = any(x is not None and is_stdio(x) for x in (p["cex_path"], p["cex_b_path"]))
    if p["as_json"]:
        click.echo(json.dumps(res.as_dict()))
    else:
        click.echo(verdict_text(res, name_a, name_b), err=cex_on_stdout)
    raise_verdict(res)


def run_map(stage: Stage, state: State, row: dict) -> None:
    from edapipe.cli.logic import guard
    from edapipe.cli.map import map_to_cells, map_to_luts

    p = stage.params
    out = p["output"]
    if p["as_json"] and out == "-":
        raise UsageError("--json prints figures on standard output; give -o FILE for the "
                         "network")
    if not p["liberty"] and (p["sdc"] or p["exclude"] or p["no_sizing"]
                             or p["choices"] != "auto"):
        raise UsageError("--sdc, --exclude, --no-sizing and --choices go with --liberty")
    guard({"-o": out}, *p["liberty"], p["sdc"])
    aig = state.aig
    if aig.bad.size or aig.constraints.size:
        raise UsageError("the circuit has bad-state or constraint properties; a mapped "
                         "network has no place for them (drop them first)")
    if out != "-":
        state.outputs.append(out)
    if p["liberty"]:
        map_to_cells(aig, out, p["liberty"], p["sdc"], p["exclude"], p["no_sizing"], p["delay"],
                     p["cuts"], p["relax"], p["choices"], p["as_json"], p["quiet"])
        return
    figures = map_to_luts(aig, out, p["k"], p["delay"], p["cuts"], p["relax"], p["as_json"],
                          p["quiet"])
    row.update(luts=figures["luts"], lut_depth=figures["depth"])


def run_file_stage(stage: Stage, state: State, row: dict) -> None:
    """Any other command, as is, on the files it names."""
    with stage.ctx:
        stage.command.invoke(stage.ctx)


EXECUTORS = {"read": run_read, "write": run_write, "strash": run_strash, "stats": run_stats,
             "opt": run_opt, "cec": run_cec, "map": run_map}


def execute(stage: Stage, state: State, row: dict) -> None:
    """Run one stage; `row` gets its figures (filled before any failure is raised)."""
    if needs_circuit(stage) and state.aig is None:
        raise UsageError("no circuit yet: start the script with `read FILE`")
    t0 = time.perf_counter()
    try:
        EXECUTORS.get(stage.name, run_file_stage)(stage, state, row)
    finally:
        row["seconds"] = round(time.perf_counter() - t0, 6)
