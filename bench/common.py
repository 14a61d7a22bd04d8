"""Shared pieces of the benchmark flows: where things are, timing processes, tables, JSON."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"
EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """Run a command; return (wall seconds, its peak RSS in bytes, stdout).

    Peak memory goes through /usr/bin/time: Linux keeps a forked child's RSS high-water mark
    across exec, so measuring a child of this (large) Python process directly would report
    this process's size for any small child.
    """
    timer = shutil.which("time") if Path("/usr/bin/time").exists() else None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        full = ([timer, "-f", "%M", "-o", rss_file.name] if timer else []) + cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed with {proc.returncode}: "
                               f"{proc.stderr.decode(errors='replace')[-500:]}")
        text = Path(rss_file.name).read_text().strip().splitlines() if timer else []
    rss = int(text[-1]) * 1024 if text and text[-1].isdigit() else 0
    return wall, rss, proc.stdout.decode(errors="replace")


def median(values) -> float:
    return statistics.median(values)


def geomean(values) -> float:
    values = [v for v in values if v > 0]
    if not values:
        return float("nan")
    return float(2 ** (sum(math.log2(v) for v in values) / len(values)))


def tool(name: str) -> str | None:
    return shutil.which(name)


def write_json(flow: str, rows: list[dict], summary: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    rev = git_rev()
    path = RESULTS / f"{flow}-{rev}.json"
    payload = {"flow": flow, "revision": rev, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
               "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
               "summary": summary, "rows": rows}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1))
    os.replace(tmp, path)
    return path


def print_table(title: str, columns: list[str], rows: list[list]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, justify="left" if col in ("circuit", "suite") else "right")
    for row in rows:
        table.add_row(*[_fmt(x) for x in row])
    Console().print(table)


def _fmt(x) -> str:
    if isinstance(x, float):
        if x != x:
            return "-"
        return f"{x:.3f}" if abs(x) < 100 else f"{x:.0f}"
    return str(x)
