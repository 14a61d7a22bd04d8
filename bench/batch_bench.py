"""Flow `batch`: one-process scripts, batches and recipe search, beside ABC in the same run.

Sections (--sections, default all but dask):
  startup  whole-process CPU of each command on a tiny input (median of --reps), and the
           slowest imports of each (python -X importtime), to see where start-up goes
  run      `edapipe run 'read F; opt resyn2; cec F'` per ISCAS85 and EPFL circuit, one
           process per file, beside ABC's `read F; strash; resyn2; cec` (one process per
           file, as a shell loop runs them): total CPU and its ratio
  batch    `edapipe batch --jobs 1` and `--jobs 2` over the same set: wall, CPU, same rows
  dask     the same batch with `--dask local:2`: same rows (needs edapipe[dask])
  explore  `edapipe explore F --budget N` per EPFL circuit beside ABC's resyn2,
           compress2rs, resyn2rs and dc2 x3: ANDs, the geomean ratios, every result proven

    python -m bench batch --sections run,batch --circuits c432,ctrl
    python -m bench batch --sections explore --budget 20 --circuits ctrl,int2float
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common
from bench.opt_bench import abc_script

SECTIONS = ("startup", "run", "batch", "dask", "explore")
EXAMPLES = common.ROOT / "examples"
GCD = common.BENCHMARKS / "timing" / "designs" / "gcd_sky130hd"
SKY130 = common.BENCHMARKS / "timing" / "liberty" / "sky130hd_tt.lib.gz"
TINY_DECK = "tiny deck\nv1 in 0 dc 1\nr1 in mid 1k\nr2 mid out 1k\nc1 out 0 1n\nr3 out 0 2k\n.op\n.end\n"


def circuits(wanted: set[str], sets=("iscas85", "epfl")) -> list[Path]:
    files = []
    if "iscas85" in sets:
        files += sorted(common.BENCHMARKS.glob("iscas85/*.bench"))
    if "epfl" in sets:
        files += sorted(common.BENCHMARKS.glob("epfl/*.aig"))
    return [f for f in files if not wanted or f.stem in wanted]


def reader(path: Path) -> str:
    return "read_bench" if path.suffix == ".bench" else "read"


# ----------------------------------------------------------------------------- startup

def startup(reps: int, tmp: Path) -> list[dict]:
    """CPU per command on tiny inputs (median), and the imports that cost the most."""
    c17 = common.BENCHMARKS / "iscas85" / "c17.bench"
    adder = tmp / "adder8.aig"
    subprocess.run(common.EDAPIPE + ["read", str(EXAMPLES / "adder8.v"), "-o", str(adder)],
                   check=True, env=common.RUN_ENV)
    opt_out = tmp / "adder_opt.aig"
    deck = tmp / "tiny.cir"
    deck.write_text(TINY_DECK)
    cases = {
        "--help": ["--help"],
        "stats c17": ["stats", str(c17)],
        "opt resyn2 adder8": ["opt", "resyn2", str(adder), "-o", str(opt_out)],
        "cec adder8": ["cec", str(adder), str(opt_out)],
        "sta gcd": ["sta", str(GCD / "gcd_sky130hd.v"), "-l", str(SKY130), "--sdc",
                    str(GCD / "gcd_sky130hd.sdc")],
        "spice tiny deck": ["spice", str(deck)],
        "run read;opt;cec adder8": ["run", f"read {adder}; opt resyn2; cec"],
    }
    rows = []
    for name, argv in cases.items():
        try:
            common.run_timed(common.EDAPIPE + argv, timeout=600)       # warm the caches
            cpus = [common.run_timed(common.EDAPIPE + argv, timeout=600)[1:3]
                    for _ in range(reps)]
        except RuntimeError as exc:
            rows.append({"command": name, "error": str(exc)[:200]})
            continue
        cpu = common.median([c for c, _ in cpus])
        rss = common.median([r for _, r in cpus]) / 2**20
        rows.append({"command": name, "cpu": cpu, "peak_mb": rss,
                     "imports": top_imports(argv)})
    common.print_table("Whole-process CPU on tiny inputs (median of %d, warm caches)" % reps,
                       ["command", "CPU s", "peak MB", "slowest top-level imports (s)"],
                       [[r["command"], r.get("cpu", float("nan")), r.get("peak_mb", float("nan")),
                         ", ".join(f"{m} {t:.3f}" for m, t in r.get("imports", [])[:5])]
                        for r in rows])
    return rows


def top_imports(argv: list[str]) -> list[tuple[str, float]]:
    """Cumulative import seconds of the top-level packages a command imports (importtime)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "edapipe.cli.main",
                           *argv], capture_output=True, text=True, env=common.RUN_ENV,
                          timeout=600)
    totals: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if not m or len(m.group(3)) > 1:          # top-level imports only
            continue
        name = m.group(4).split(".")[0] if not m.group(4).startswith("edapipe") else \
            ".".join(m.group(4).split(".")[:3])
        totals[name] = totals.get(name, 0.0) + int(m.group(2)) / 1e6
    return sorted(totals.items(), key=lambda kv: -kv[1])


# ----------------------------------------------------------------------------- run

def warm_up(files: list[Path]) -> None:
    """Load (or compile) every kernel the flows use before anything is measured."""
    small = min(files, key=lambda f: f.stat().st_size)
    subprocess.run(common.EDAPIPE + ["run", f"read {small}; opt resyn2rs; opt dc2; fraig; "
                                     f"cec {small}"], capture_output=True, env=common.RUN_ENV)


def run_section(files: list[Path], abc: str | None) -> tuple[list[dict], dict]:
    warm_up(files)
    rows = []
    for f in files:
        script = f"read {f}; opt resyn2; cec {f}"
        _, cpu, rss, out = common.run_timed(common.EDAPIPE + ["run", "--json", script],
                                            timeout=3600)
        stages = [json.loads(line) for line in out.splitlines()]
        row = {"circuit": f.stem, "ands": stages[1]["ands"], "levels": stages[1]["levels"],
               "cec": stages[2]["equivalent"], "cpu": cpu, "peak_mb": rss / 2**20}
        if abc:
            cmd = f"{reader(f)} {f}; strash; {abc_script('resyn2')}; print_stats; cec"
            _, acpu, arss, aout = common.run_timed([abc, "-c", cmd], timeout=3600)
            row.update(abc_ands=common.abc_stats(aout)[0], abc_cpu=acpu,
                       abc_cec="Networks are equivalent" in aout)
        rows.append(row)
        print(f"  {f.stem:<12} ours {row['cpu']:.2f} s  abc {row.get('abc_cpu', 0):.2f} s",
              file=sys.stderr)
    total = sum(r["cpu"] for r in rows)
    abc_total = sum(r.get("abc_cpu", 0) for r in rows)
    summary = {"files": len(rows), "cpu": total, "abc_cpu": abc_total,
               "cpu_ratio": total / abc_total if abc_total else None,
               "all_proven": all(r["cec"] for r in rows)}
    common.print_table("run 'read F; opt resyn2; cec F' vs ABC 'read F; strash; resyn2; cec' "
                       "(one process per file, CPU s)",
                       ["circuit", "ands", "abc ands", "cec", "CPU", "abc CPU", "ratio"],
                       [[r["circuit"], r["ands"], r.get("abc_ands", "-"), r["cec"], r["cpu"],
                         r.get("abc_cpu", float("nan")),
                         r["cpu"] / r["abc_cpu"] if r.get("abc_cpu") else float("nan")]
                        for r in rows]
                       + [["TOTAL", "", "", summary["all_proven"], total, abc_total,
                           summary["cpu_ratio"] or float("nan")]])
    return rows, summary


# ----------------------------------------------------------------------------- batch

def batch_once(files: list[Path], extra: list[str]) -> tuple[float, float, list[dict], list]:
    """(wall, CPU of the whole batch, rows without times, each input's worker CPU)."""
    from edapipe.batch.rows import without_times

    cmd = common.EDAPIPE + ["batch", *extra, "--", "opt resyn2; cec", *map(str, files)]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fh:
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%U %S", "-o", fh.name] + cmd,
                              capture_output=True, text=True, env=common.RUN_ENV)
        wall = time.perf_counter() - t0
        user, sys_ = Path(fh.name).read_text().split()[-2:]
    if proc.returncode not in (0, 1, 4):
        raise RuntimeError(f"batch failed ({proc.returncode}): {proc.stderr[-500:]}")
    full = [json.loads(line) for line in proc.stdout.splitlines()]
    return (wall, float(user) + float(sys_), [without_times(r) for r in full],
            [r.get("cpu") or 0.0 for r in full])


def batch_section(files: list[Path], dask: bool, reps: int = 1) -> dict:
    """jobs 1 and jobs 2 (and Dask) alternated `reps` times; wall, CPU and the load average.

    The bound: no schedule of whole inputs on 2 workers beats total / max(largest, total/2)
    (the largest input's CPU against the rest); it is printed beside the speed-up.
    """
    import os

    runs = {"jobs 1": ["--jobs", "1"], "jobs 2": ["--jobs", "2"]}
    if dask:
        runs["dask local:2"] = ["--dask", "local:2"]
    results: dict = {name: [] for name in runs}
    for _ in range(max(1, reps)):
        for name, extra in runs.items():
            load = os.getloadavg()[0]
            results[name].append(batch_once(files, extra) + (load,))
            print(f"  batch {name}: {results[name][-1][0]:.1f} s wall, load {load:.1f}",
                  file=sys.stderr)
    base_rows = results["jobs 1"][0][2]
    per_input = results["jobs 1"][-1][3]          # the last round: caches surely warm
    total = sum(per_input)
    bound = total / max(max(per_input, default=0.0), total / 2) if total else float("nan")
    summary = {}
    for name, runs_ in results.items():
        wall = common.median([r[0] for r in runs_])
        summary[name] = {"wall": wall, "cpu": common.median([r[1] for r in runs_]),
                         "load": common.median([r[4] for r in runs_]),
                         "speedup": common.median([b[0] / r[0] for b, r in
                                                   zip(results["jobs 1"], runs_)]),
                         "same_rows": all(r[2] == base_rows for r in runs_)}
    summary["bound_2_workers"] = bound
    common.print_table(f"batch 'opt resyn2; cec' over {len(files)} files (median of {reps}; "
                       f"2-worker bound from the largest input: {bound:.2f}x)",
                       ["run", "wall s", "CPU s", "load avg", "speed-up vs jobs 1",
                        "same rows"],
                       [[n, s["wall"], s["cpu"], s["load"], s["speedup"], s["same_rows"]]
                        for n, s in summary.items() if isinstance(s, dict)])
    return summary


# ----------------------------------------------------------------------------- explore

ABC_RECIPES = {"resyn2": lambda: abc_script("resyn2"),
               "compress2rs": lambda: abc_script("compress2rs"),
               "resyn2rs": lambda: abc_script("resyn2rs"),
               "dc2x3": lambda: "dc2; dc2; dc2"}


def explore_section(files: list[Path], abc: str, budget: int, jobs: int) -> tuple[list, dict]:
    rows = []
    for f in files:
        _, cpu, _, out = common.run_timed(common.EDAPIPE + [
            "explore", str(f), "--budget", str(budget), "-j", str(jobs), "--json"],
            timeout=7200)
        res = json.loads(out)
        row = {"circuit": f.stem, "ands_in": res["ands_in"], "ands": res["ands"],
               "levels": res["levels"], "proven": res["equivalent"], "cpu": cpu,
               "script": res["script"]}
        for name, recipe in ABC_RECIPES.items():
            _, _, _, aout = common.run_timed(
                [abc, "-c", f"{reader(f)} {f}; strash; {recipe()}; print_stats"], timeout=3600)
            row[f"abc_{name}"] = common.abc_stats(aout)[0]
        row["abc_best"] = min(row[f"abc_{n}"] for n in ABC_RECIPES)
        rows.append(row)
        print(f"  {f.stem:<12} explore {row['ands']}  abc resyn2 {row['abc_resyn2']}  "
              f"best {row['abc_best']}", file=sys.stderr)
    g_r2 = common.geomean([r["ands"] / r["abc_resyn2"] for r in rows])
    g_best = common.geomean([r["ands"] / r["abc_best"] for r in rows])
    summary = {"budget": budget, "circuits": len(rows), "geomean_vs_resyn2": g_r2,
               "geomean_vs_best": g_best, "all_proven": all(r["proven"] for r in rows)}
    common.print_table(f"explore --budget {budget} vs ABC (ANDs)",
                       ["circuit", "in", "explore", "resyn2", "compress2rs", "resyn2rs",
                        "dc2x3", "vs resyn2", "vs best", "CPU s"],
                       [[r["circuit"], r["ands_in"], r["ands"], r["abc_resyn2"],
                         r["abc_compress2rs"], r["abc_resyn2rs"], r["abc_dc2x3"],
                         r["ands"] / r["abc_resyn2"], r["ands"] / r["abc_best"], r["cpu"]]
                        for r in rows]
                       + [["GEOMEAN", "", "", "", "", "", "", g_r2, g_best, ""]])
    return rows, summary


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench batch")
    ap.add_argument("--sections", default="startup,run,batch,explore")
    ap.add_argument("--circuits", default="", help="comma-separated stems (default: all)")
    ap.add_argument("--explore-circuits", default="",
                    help="EPFL stems for explore (default: --circuits, else all EPFL)")
    ap.add_argument("--budget", type=int, default=20, help="explore: scripts per circuit")
    ap.add_argument("--jobs", type=int, default=2, help="explore: worker processes")
    ap.add_argument("--reps", type=int, default=5, help="startup: runs per command")
    ap.add_argument("--batch-reps", type=int, default=1,
                    help="batch: alternated runs of each setting (medians)")
    args = ap.parse_args(argv)
    sections = [s for s in args.sections.split(",") if s]
    bad = [s for s in sections if s not in SECTIONS]
    if bad:
        print(f"unknown sections {bad}; choose from {', '.join(SECTIONS)}")
        return 2
    if not common.BENCHMARKS.is_dir():
        print("../shared/benchmarks is not there")
        return 2
    abc = common.tool("berkeley-abc")
    wanted = {c for c in args.circuits.split(",") if c}
    files = circuits(wanted)
    rows: dict = {}
    summary: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "startup" in sections:
            rows["startup"] = startup(args.reps, Path(tmp))
        if "run" in sections:
            rows["run"], summary["run"] = run_section(files, abc)
        if "batch" in sections or "dask" in sections:
            summary["batch"] = batch_section(files, "dask" in sections, args.batch_reps)
        if "explore" in sections:
            if abc is None:
                print("berkeley-abc is not installed: explore has nothing to compare with")
            else:
                ew = {c for c in args.explore_circuits.split(",") if c} or wanted
                rows["explore"], summary["explore"] = explore_section(
                    circuits(ew, ("epfl",)), abc, args.budget, args.jobs)
    path = common.write_json("batch", [dict(section=k, **r) for k, v in rows.items()
                                       for r in v], summary)
    print(f"results: {path}")
    return 0
