"""The one row per input of a batch: fields, status, CSV and JSON lines, the resume journal.

A row: input, exit (the exit code `edapipe run` would have had on that input), status (ok,
failed, undecided, error, timeout, memory, crash, bug), error (one line), ands_in/levels_in
(as read), ands/levels (the circuit the script left), equivalent (the last cec's verdict),
outputs (files written), seconds (wall) and cpu (user+sys of the worker) for the input, and in
JSON lines the per-stage rows of `edapipe run --json`.
"""

from __future__ import annotations

import json

FIELDS = ("input", "exit", "status", "error", "ands_in", "levels_in", "ands", "levels",
          "equivalent", "outputs", "seconds", "cpu")
TIME_FIELDS = ("seconds", "cpu")

STATUS_BY_EXIT = {0: "ok", 1: "failed", 2: "error", 3: "error", 4: "undecided"}
EXIT_BUG = 70            # a traceback in a stage (a bug of edapipe): sysexits' EX_SOFTWARE


def status_of(exit_code: int) -> str:
    return STATUS_BY_EXIT.get(exit_code, "bug")


def from_run(path: str, stage_rows: list[dict], state, exit_code: int,
             error: str | None) -> dict:
    """The batch row of one input from its stage rows and the state the script left."""
    from edapipe.aig.analysis import depth

    read = next((r for r in stage_rows if r["command"] == "read"), {})
    cecs = [r for r in stage_rows if "equivalent" in r]
    aig = state.aig if state is not None else None
    return {"input": path, "exit": exit_code, "status": status_of(exit_code), "error": error,
            "ands_in": read.get("ands"), "levels_in": read.get("levels"),
            "ands": aig.num_ands if aig is not None else None,
            "levels": depth(aig) if aig is not None else None,
            "equivalent": cecs[-1]["equivalent"] if cecs else None,
            "outputs": list(state.outputs) if state is not None else [],
            "stages": stage_rows}


def failed_row(path: str, status: str, exit_code: int, error: str) -> dict:
    """A row for an input whose worker never answered (timeout, crash, memory)."""
    return {"input": path, "exit": exit_code, "status": status, "error": error,
            "ands_in": None, "levels_in": None, "ands": None, "levels": None,
            "equivalent": None, "outputs": [], "stages": []}


def summary_exit(rows: list[dict]) -> int:
    """0 all ok; 1 some check failed; else 4 some timed out or undecided; else the worst."""
    codes = {r["exit"] for r in rows}
    for code in (1, 4, 3, 2):
        if code in codes:
            return code
    return max(codes, default=0)


def jsonl(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(r, default=str).encode() + b"\n" for r in rows)


def csv_bytes(rows: list[dict]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(FIELDS)
    for r in rows:
        vals = []
        for f in FIELDS:
            v = r.get(f)
            if isinstance(v, list):
                v = ";".join(map(str, v))
            elif v is None:
                v = ""
            vals.append(v)
        out.writerow(vals)
    return buf.getvalue().encode()


def without_times(row: dict) -> dict:
    """A row with its times (and the stages' times) dropped: what two runs must agree on."""
    out = {k: v for k, v in row.items() if k not in TIME_FIELDS}
    out["stages"] = [_strip_stage(s) for s in row.get("stages", [])]
    return out


def _strip_stage(stage: dict) -> dict:
    out = {k: v for k, v in stage.items() if k not in ("seconds", "log")}
    res = out.get("result")
    if isinstance(res, dict):
        out["result"] = {k: v for k, v in res.items() if k not in ("seconds", "stats")}
    if "stdout" in out:          # cec's text carries its time in parentheses
        import re

        out["stdout"] = re.sub(r"\(\d+\.\d+ s\)", "(s)", out["stdout"])
    return out


def read_journal(path: str) -> dict[str, dict]:
    """Rows of a resume journal by input; a truncated last line (a killed batch) is skipped."""
    import os

    if not os.path.exists(path):
        return {}
    done: dict[str, dict] = {}
    with open(path, "rb") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and "input" in row and "exit" in row:
                done[row["input"]] = row
    return done
