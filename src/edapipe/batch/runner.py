"""Running a stage script in one process: parse every stage first, then run them in order.

Each stage gives a row (its command, exit code, error, seconds and figures: ANDs and levels
of the circuit it leaves, a cec verdict, files written). The first stage that fails stops the
script, as `&&` does in a shell pipeline; its error is re-raised naming the stage, with the
exit code the command itself would have had.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

import click

from edapipe.batch import stages as stg
from edapipe.batch.script import RawStage, split
from edapipe.errors import EdapipeError, UsageError, excerpt


class StageError(EdapipeError):
    """A stage failed: the message names it; exit_code is the command's own."""

    def __init__(self, message: str, exit_code: int, rows: list[dict] | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.rows = rows or []


def where(raw: RawStage, index: int, filename: str | None) -> str:
    label = f"stage {index} ({excerpt(raw.text, 60)})"
    return f"{filename}:{raw.line}:{raw.column}: {label}" if filename else label


def parse_script(text: str, filename: str | None = None,
                 raws: list[RawStage] | None = None) -> list[stg.Stage]:
    """Every stage parsed (usage errors before any work); `filename` locates errors."""
    if raws is None:
        raws = split(text, filename or "<script>")
    if not raws:
        raise UsageError(f"{filename + ': ' if filename else ''}empty script")
    parsed = []
    have_circuit = False
    for k, raw in enumerate(raws, 1):
        try:
            stage = stg.parse(raw, k)
            if stg.needs_circuit(stage) and not have_circuit:
                raise UsageError("no circuit yet: start the script with `read FILE`")
        except EdapipeError as exc:
            raise StageError(f"{where(raw, k, filename)}: {exc}", exc.exit_code) from None
        have_circuit = have_circuit or stage.name == "read"
        parsed.append(stage)
    return parsed


class _Capture:
    """Standard output and error of a stage, kept for its row instead of printed."""

    def __enter__(self):
        self.saved = sys.stdout, sys.stderr
        self.out, self.err = io.BytesIO(), io.BytesIO()
        sys.stdout = io.TextIOWrapper(self.out, encoding="utf-8", write_through=True)
        sys.stderr = io.TextIOWrapper(self.err, encoding="utf-8", write_through=True)
        return self

    def __exit__(self, *exc):
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
            stream.detach()             # else its finalizer closes the buffer we read
        sys.stdout, sys.stderr = self.saved
        return False

    def into(self, row: dict) -> None:
        text = self.out.getvalue().decode("utf-8", errors="replace").strip()
        if text:
            try:
                row["result"] = json.loads(text)
            except ValueError:
                row["stdout"] = text if len(text) < 4000 else text[:4000] + " ..."
        log = self.err.getvalue().decode("utf-8", errors="replace").strip()
        if log:
            row["log"] = log if len(log) < 2000 else log[:2000] + " ..."


def _failure(exc: BaseException) -> tuple[int, str] | None:
    """Exit code and message for an exception a stage may raise, None for bugs."""
    from edapipe.util.files import is_resource_error

    if isinstance(exc, EdapipeError):
        return exc.exit_code, str(exc)
    if isinstance(exc, click.ClickException):
        return exc.exit_code, exc.format_message()
    if isinstance(exc, MemoryError):
        return 4, "out of memory"
    if isinstance(exc, RecursionError):
        return 3, "input nested too deeply to process"
    if isinstance(exc, OSError) and is_resource_error(exc):
        return 4, f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}"
    return None


def run_stages(parsed: list[stg.Stage], state: stg.State | None = None, capture: bool = False,
               filename: str | None = None, on_row=None) -> list[dict]:
    """Run the stages in order; the rows, or StageError (with the rows so far) at the first
    failure. `capture` keeps each stage's standard output and error in its row."""
    state = state if state is not None else stg.State()
    rows: list[dict] = []
    for stage in parsed:
        row = {"stage": stage.index, "command": stage.name, "text": stage.raw.text,
               "exit": 0, "error": None}
        failure = None
        cap = _Capture() if capture else None
        try:
            with cap if cap is not None else contextlib.nullcontext():
                stg.execute(stage, state, row)
        except BaseException as exc:    # noqa: BLE001 - classified, bugs re-raised
            failure = _failure(exc)
            if failure is None:
                raise
        finally:
            if cap is not None:
                cap.into(row)
        if failure is not None:
            row["exit"], row["error"] = failure
        rows.append(row)
        if on_row is not None:
            on_row(row)
        if failure is not None:
            raise StageError(f"{where(stage.raw, stage.index, filename)}: {failure[1]}",
                             failure[0], rows)
    return rows
