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
# The installed `edapipe` program beside this interpreter, as a user runs it (its entry skips
# runpy: about 5-10 ms less per process than `python -m`); `python -m` where it is not
# installed. Either honours PYTHONPATH, so a snapshot of the tree can be measured.
_SCRIPT = Path(sys.executable).with_name("edapipe")
EDAPIPE = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "edapipe.cli.main"]


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# As installed: Python caches bytecode. A session with PYTHONDONTWRITEBYTECODE set would make
# every measured edapipe process recompile all its modules (0.1-0.2 s each time).
RUN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_timed(cmd: list[str], timeout: float | None = None) -> tuple[float, float, int, str]:
    """(wall s, user+sys CPU s, peak RSS bytes, stdout) of one process, via /usr/bin/time.

    CPU time is the steadier number on a shared, loaded machine. Peak memory comes from
    /usr/bin/time because Linux keeps a forked child's RSS high-water mark across exec: a
    child of this (large) process measured directly would report this process's size.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fh:
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", fh.name] + cmd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=RUN_ENV,
                              timeout=timeout)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed with {proc.returncode}: "
                               f"{proc.stderr.decode(errors='replace')[-500:]}")
        user, sys_, rss = Path(fh.name).read_text().split()[-3:]
    return wall, float(user) + float(sys_), int(rss) * 1024, proc.stdout.decode(errors="replace")


def run_measured(cmd: list[str], timeout: float | None = None) -> tuple[float, int, str]:
    """(wall s, peak RSS bytes, stdout) of one process (see run_timed)."""
    wall, _, rss, out = run_timed(cmd, timeout)
    return wall, rss, out


def median(values) -> float:
    return statistics.median(values)


def geomean(values) -> float:
    values = [v for v in values if v > 0]
    if not values:
        return float("nan")
    return float(2 ** (sum(math.log2(v) for v in values) / len(values)))


def abc_stats(stdout: str) -> tuple[int, int]:
    """(ANDs, levels) from the last `print_stats` line of an ABC run."""
    lines = [ln for ln in stdout.splitlines() if " and =" in ln]
    if not lines:
        raise RuntimeError(f"ABC printed no statistics: {stdout[-300:]}")
    stats = lines[-1]
    return int(stats.split("and =")[1].split()[0]), int(stats.split("lev =")[1].split()[0])


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
    """A plain fixed-width table on stdout (never truncated, unlike a rich table in a pipe)."""
    cells = [[_fmt(x) for x in row] for row in rows]
    widths = [max(len(c), *(len(r[k]) for r in cells)) for k, c in enumerate(columns)]
    print(title)
    print("  ".join(c.rjust(w) if k else c.ljust(w) for k, (c, w) in
                    enumerate(zip(columns, widths))))
    for r in cells:
        print("  ".join(x.rjust(w) if k else x.ljust(w) for k, (x, w) in
                        enumerate(zip(r, widths))))
    print()


def _fmt(x) -> str:
    if isinstance(x, float):
        return "-" if x != x else (f"{x:.3f}" if abs(x) < 100 else f"{x:.0f}")
    return str(x)
