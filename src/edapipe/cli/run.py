"""`edapipe run`: a script of stages in one process, one stage's circuit the next one's input."""

from __future__ import annotations

import click


@click.command("run")
@click.argument("script", required=False)
@click.option("-f", "--file", "script_file", metavar="FILE",
              help="Read the script from FILE ('-': standard input).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON row per stage on standard output (command, exit code, "
                   "error, seconds, ANDs and levels after it, its own output) instead of "
                   "the stages' output.")
def run_cmd(script: str | None, script_file: str | None, as_json: bool) -> None:
    """Run a script of stages in one process: the fast sibling of a pipeline.

    Stages are separated by ';' or new lines and have the names and options of the
    commands. read, write, strash, stats, opt, cec and map work on the current circuit,
    which each stage hands to the next (never written and read back): `write FILE` writes
    it, `cec FILE` compares it with FILE, `cec` alone with the circuit `read` read (as
    ABC's cec). read, strash and opt write only with -o. A pass or script name is an opt
    stage (`b; rw; rf`, as in ABC). Other commands (sta, spice, flow, sim, convert) run
    on the files they name. Quotes work as in the shell; '#' starts a comment.

    \b
        edapipe run 'read x.v; opt resyn2; cec; write x_opt.blif'
        edapipe run 'read x.aig; b; rw; rf; stats; cec x.aig' --json
        edapipe run -f flow.eda

    The first stage that fails stops the script with that command's exit code: 1 check
    failed, 2 usage, 3 bad input, 4 resource limit or undecided; the message names the
    stage (file:line:column with -f).
    """
    import json

    from edapipe.batch.runner import parse_script, run_stages
    from edapipe.errors import UsageError
    from edapipe.util.files import display_name, read_bytes

    if (script is None) == (script_file is None):
        raise UsageError("give a SCRIPT or -f FILE (one of them)")
    filename = None
    if script_file is not None:
        script = read_bytes(script_file).decode("utf-8", errors="replace")
        filename = display_name(script_file)
    parsed = parse_script(script, filename)

    def emit(row):
        if as_json:
            click.echo(json.dumps(row, default=str))

    run_stages(parsed, capture=as_json, filename=filename, on_row=emit)
