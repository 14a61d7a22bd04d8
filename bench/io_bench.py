"""Flow `io`: read + write binary AIGER in-process beside ABC, and `edapipe stats` per process.

    python -m bench io [--reps N] [--stats-runs N] [--circuits a,b]

ABC's time is measured the only way its binary allows: one process running `read; write` N
times, minus a process that starts and exits, divided by N. Ours is the in-process median.
`edapipe stats` times are the medians of --stats-runs processes (wall and user+sys CPU).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench import common


def abc_read_write(abc: str, path: Path, reps: int, out: Path) -> tuple[float, int]:
    base = min(common.run_measured([abc, "-c", "quit"])[0] for _ in range(3))
    script = "; ".join([f"read {path}; write {out}"] * reps)
    wall, rss, _ = min((common.run_measured([abc, "-c", script]) for _ in range(3)),
                       key=lambda r: r[0])
    return max(wall - base, 0.0) / reps, rss


def ours_read_write(path: Path, reps: int) -> float:
    from edapipe.aig import io

    data = path.read_bytes()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        aig = io.parse(data, str(path))
        io.dump(aig, "aig")
        times.append(time.perf_counter() - t0)
    return common.median(times)


def stats_timed(path: Path, runs: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds, and the peak RSS, of `edapipe stats path` processes."""
    results = [common.run_timed(common.EDAPIPE + ["stats", str(path)]) for _ in range(runs)]
    return (common.median([r[0] for r in results]), common.median([r[1] for r in results]),
            max(r[2] for r in results))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench io", description=__doc__)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--stats-runs", type=int, default=5,
                    help="`edapipe stats` processes per file (medians are reported)")
    ap.add_argument("--circuits", default="", help="comma-separated names (default: all)")
    args = ap.parse_args(argv)
    wanted = set(filter(None, args.circuits.split(",")))
    abc = common.tool("berkeley-abc")
    files = sorted(common.BENCHMARKS.glob("epfl/*.aig"))
    stats_files = (files + sorted(common.BENCHMARKS.glob("epfl/*.v"))
                   + sorted(common.BENCHMARKS.glob("iscas85/*.bench"))
                   + sorted(common.BENCHMARKS.glob("iscas89/*.bench")))
    if wanted:
        files = [f for f in files if f.stem in wanted]
        stats_files = [f for f in stats_files if f.stem in wanted]
    from edapipe.aig import io

    rows, table = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            aig = io.read(path)
            ours = ours_read_write(path, args.reps)
            theirs, abc_rss = (abc_read_write(abc, path, args.reps, Path(tmp) / "o.aig")
                               if abc else (float("nan"), 0))
            wall, cpu, rss = stats_timed(path, args.stats_runs)
            row = dict(circuit=path.stem, ands=aig.num_ands, rw_ours_s=ours, rw_abc_s=theirs,
                       rw_ratio=ours / theirs if theirs > 0 else float("nan"),
                       stats_process_s=wall, stats_process_cpu_s=cpu,
                       stats_peak_mb=rss / 2**20, abc_peak_mb=abc_rss / 2**20)
            rows.append(row)
            table.append([row["circuit"], row["ands"], 1e3 * ours, 1e3 * theirs,
                          row["rw_ratio"], wall, cpu, row["stats_peak_mb"], row["abc_peak_mb"]])
    common.print_table("read+write binary AIGER (in-process) and `edapipe stats` (process)",
                       ["circuit", "ANDs", "ours ms", "ABC ms", "ratio", "stats s",
                        "stats cpu s", "stats MB", "ABC MB"], table)
    stats_rows = []
    for path in stats_files:
        if any(r["circuit"] == path.stem and path.suffix == ".aig" for r in rows):
            continue
        try:
            wall, cpu, rss = stats_timed(path, args.stats_runs)
        except RuntimeError as exc:
            print(f"failed: {exc}")
            wall, cpu, rss = float("nan"), float("nan"), 0
        stats_rows.append(dict(file=path.name, stats_process_s=wall, stats_process_cpu_s=cpu,
                               peak_mb=rss / 2**20))
    if stats_rows:
        common.print_table("`edapipe stats` as a whole process on the other shared files",
                           ["circuit", "wall s", "cpu s", "peak MB"],
                           [[r["file"], r["stats_process_s"], r["stats_process_cpu_s"],
                             r["peak_mb"]] for r in stats_rows])
    big = [r for r in rows if r["circuit"] in ("multiplier", "sqrt", "square")]
    all_stats = [r["stats_process_s"] for r in rows + stats_rows if r["stats_process_s"] > 0]
    all_cpu = [r["stats_process_cpu_s"] for r in rows + stats_rows
               if r["stats_process_cpu_s"] > 0]
    summary = {"rw_ratio_large": {r["circuit"]: r["rw_ratio"] for r in big},
               "rw_ratio_geomean": common.geomean([r["rw_ratio"] for r in rows]),
               "stats_process_max_s": max(all_stats) if all_stats else None,
               "stats_process_median_s": common.median(all_stats) if all_stats else None,
               "stats_process_max_cpu_s": max(all_cpu) if all_cpu else None}
    path = common.write_json("io", rows + stats_rows, summary)
    print(f"summary: {summary}\nwritten {path}")
    return 0
