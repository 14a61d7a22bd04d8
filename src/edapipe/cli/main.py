"""The `edapipe` entry point: a lazily loading click group and the error-to-exit-code mapping."""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from edapipe import __version__
from edapipe.cli import COMMANDS
from edapipe.errors import EdapipeError


class _PipeClosed(Exception):
    """Standard output's reader went away. Not an OSError, so click does not turn it into
    exit 1 (click's main maps EPIPE to 1); `run` makes it a quiet exit 0, as `cat` does."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used (click's documented LazyGroup)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _PipeClosed() from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attr, _ = entry
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The short help comes from the registry, so listing commands imports none of them.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edapipe")
def main() -> None:
    """edapipe: read, optimize, verify and time circuits from the shell.

    Stages chain through pipes; the stream between them is binary AIGER:

    \b
        edapipe read design.v | edapipe strash | edapipe stats
        edapipe read design.v | edapipe write -o design.blif

    Exit codes: 0 success, 1 check failed, 2 usage error, 3 bad input,
    4 resource limit or undecided.
    """


def _quiet_broken_pipe() -> None:
    # The reader went away (`edapipe ... | head`): stop quietly, and keep Python from
    # complaining again when it flushes stdout at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def run(argv: list[str] | None = None) -> None:
    """Console-script entry: run the group, map edapipe errors to their exit codes."""
    from edapipe.util.files import forget_inputs, install_signal_cleanup, is_resource_error

    forget_inputs()
    install_signal_cleanup()
    try:
        rv = main.main(args=argv, prog_name="edapipe", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("edapipe: aborted", err=True)
        sys.exit(130)
    except EdapipeError as exc:
        click.echo(f"edapipe: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (BrokenPipeError, _PipeClosed):
        _quiet_broken_pipe()
        sys.exit(0)
    except RecursionError:
        # Readers bound their nesting with located errors; this is the last line of defence
        # against a construct nested deeper than Python's stack, never a traceback.
        click.echo("edapipe: error: input nested too deeply to process", err=True)
        sys.exit(3)
    except OSError as exc:
        if not is_resource_error(exc):
            raise
        where = f"{exc.filename}: " if exc.filename else "writing output: "
        click.echo(f"edapipe: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(4)
    except KeyboardInterrupt:
        click.echo("edapipe: interrupted", err=True)
        sys.exit(130)
    except MemoryError:
        click.echo("edapipe: error: out of memory", err=True)
        sys.exit(4)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OSError as exc:
        if not is_resource_error(exc):
            raise
        click.echo(f"edapipe: error: standard output: {exc.strerror or exc}", err=True)
        _quiet_broken_pipe()     # nothing more can be written there; keep exit quiet
        sys.exit(4)
    sys.exit(rv if isinstance(rv, int) else 0)


def configure_process() -> None:
    """The process environment of the `edapipe` program (and of `python -m edapipe.warm`).

    Only program entries call this: `import edapipe` changes nothing global (a library
    user's BLAS threads and numba folder stay theirs).

    - OPENBLAS_NUM_THREADS=1 unless set: no command does dense linear algebra (the
      simulator's is sparse: SuperLU and our numba LU), and OpenBLAS otherwise starts a
      spinning thread per core when numpy is imported (about 0.05 s of CPU per process for
      the logic commands, 0.15 s for `spice`). Set before anything imports numpy.
    - NUMBA_CACHE_DIR: the kernel cache folder (edapipe.util.jit), set before numba is
      imported so every kernel of the process, and its worker processes, use it. A folder
      that cannot be written is reported here, once, as a warning.
    - numba's light load of cached kernels (analog/fastload.py), installed just before the
      first kernel is defined, so commands without kernels still never import numba: it
      saves about 0.2 s of CPU per `opt` or `cec` process (numba's target-context refresh
      and bitcode parsing; docs/decisions.md).
    - Python's cyclic garbage collector runs a hundred times less often: at its default
      thresholds it walks again and again what a command imports and builds (modules,
      Liberty cells, netlists, graphs), nearly all of it acyclic and kept to the end. That
      was 0.09 s of the 20k-cell multiplier's 0.67 s in `sta` and 10-15 ms of every start-up;
      cycles are still collected.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    gc.set_threshold(100_000, 50, 100)
    if "numba" in sys.modules:
        return
    from edapipe.util.jit import before_first_kernel, kernel_cache_dir

    before_first_kernel(_light_kernel_load)
    folder, warning = kernel_cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = folder
    if warning is not None:
        sys.stderr.write(f"edapipe: warning: {warning}\n")


def _light_kernel_load() -> None:
    # numba's light load of cached kernels (analog/fastload.py, docs/decisions.md): gated by
    # numba's version, falls back to numba's own load, EDAPIPE_NUMBA_FASTLOAD=0 turns it off
    from edapipe.analog import fastload

    fastload.install()


def entry() -> None:
    """The `edapipe` program: `run`, then leave without the interpreter's teardown.

    Tearing down numba, llvmlite, scipy and numpy module state costs about 0.1 s of CPU at
    every exit, a tenth of a short simulation. Nothing here needs it: outputs are written
    atomically and closed before `run` returns, and no atexit work is registered. Standard
    output and error are flushed first. In-process callers (tests) use `run`.
    """
    configure_process()
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
