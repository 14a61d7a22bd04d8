"""SPICE beside ngspice on the peer generator's scale circuits, in the same run.

    .venv/bin/python -m bench.spice_bench            # headline cases + scaling table
    .venv/bin/python -m bench.spice_bench --quick    # small sizes only (smoke test)
    .venv/bin/python -m bench.spice_bench --repeat 3 # medians of 3 alternating runs

Circuits come from ../shared/peers/analog/gen.py (generated into bench/.cache). Both
simulators run as separate processes under /usr/bin/time: CPU seconds (user+sys, the stable
number on a loaded machine), wall seconds and peak RSS. For edapipe the child also reports
its in-process analysis CPU time (parse + simulate, without interpreter start, imports and
loading numba's cache), the fair number beside ngspice's process CPU, whose start-up is a few
milliseconds. JSON goes to
bench/results/spice-<git short rev>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import CACHE, ROOT, write_json

GEN = ROOT.parent / "shared" / "peers" / "analog" / "gen.py"

# (family, size, analysis): the three headline cases of issue 7 first
HEADLINE = [("mesh", 100, "op"), ("rcladder", 10000, "tran"), ("invchain", 500, "tran")]
# growth from ~100 to ~10k nodes
SCALING = [("mesh", 10, "op"), ("mesh", 30, "op"), ("mesh", 50, "op"),
           ("rcladder", 100, "tran"), ("rcladder", 1000, "tran"),
           ("invchain", 50, "tran")]
QUICK = [("mesh", 10, "op"), ("rcladder", 100, "tran"), ("invchain", 50, "tran")]
NODES = {"mesh": lambda n: n * n, "rcladder": lambda n: n + 1, "invchain": lambda n: n + 2}

_CHILD = """
import json, sys, time
t0 = time.process_time()
from edapipe.analog.spice import load_circuit, simulate
from edapipe.analog.warm import warm
warm()   # load numba's cached machine code (start-up, not analysis)
t1 = time.process_time()
circ = load_circuit(sys.argv[1])
t2 = time.process_time()
run = simulate(circ)
t3 = time.process_time()
res = run.results[0]
print(json.dumps({"startup_s": t1 - t0, "parse_s": t2 - t1, "sim_s": t3 - t2,
                  "points": int(len(res.scale)), "unknowns": len(res.names)}))
"""


def generate(family: str, size: int, analysis: str) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{family}{size}_{analysis}.cir"
    if not path.exists():
        subprocess.run([sys.executable, str(GEN), family, str(size), "--analysis", analysis,
                        "-o", str(path)], check=True)
    return path


def measure(cmd: list[str], timeout: float) -> dict:
    """Run under /usr/bin/time: wall, CPU (user+sys) and peak RSS of the child alone."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%M %U %S", "-o", tf.name] + cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - t0
        fields = Path(tf.name).read_text().split()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-400:]}")
    rss_kb, user, sys_ = fields[-3:]
    return {"wall_s": wall, "cpu_s": float(user) + float(sys_), "rss_mb": int(rss_kb) / 1024,
            "stdout": proc.stdout}


def _median_run(runs: list[dict]) -> dict:
    """The run with the median CPU time (its other fields stay consistent), plus every
    run's CPU seconds."""
    ordered = sorted(runs, key=lambda r: r.get("analysis_s") or r["cpu_s"])
    med = dict(ordered[(len(ordered) - 1) // 2])
    if len(runs) > 1:
        med["runs_cpu_s"] = [r["cpu_s"] for r in runs]
        med["runs_analysis_s"] = [r.get("analysis_s") for r in runs]
    return med


def run_case(family: str, size: int, analysis: str, timeout: float, repeat: int = 1) -> dict:
    """Both simulators `repeat` times, alternating (load changes hit both alike); each
    side's median run by analysis CPU time."""
    deck = generate(family, size, analysis)
    row = {"circuit": f"{family} {size}", "analysis": analysis,
           "nodes": NODES[family](size)}
    ours_runs, ng_runs = [], []
    for _ in range(repeat):
        ours = measure([sys.executable, "-c", _CHILD, str(deck)], timeout)
        info = json.loads(ours.pop("stdout").strip().splitlines()[-1])
        ours_runs.append({**ours, **info, "analysis_s": info["parse_s"] + info["sim_s"]})
        if shutil.which("ngspice") and "timeout_s" not in row.get("ngspice", {}):
            try:
                ng = measure(["ngspice", "-b", str(deck)], timeout)
                text = ng.pop("stdout")
                ng["analysis_s"] = _ngspice_analysis_time(text)
                ng_runs.append(ng)
            except subprocess.TimeoutExpired:
                row["ngspice"] = {"timeout_s": timeout}
    row["edapipe"] = _median_run(ours_runs)
    if ng_runs:
        # ngspice's own "analysis time" is wall clock: the median is taken by process CPU
        row["ngspice"] = _median_run([{**r, "analysis_s": None} for r in ng_runs])
        row["ngspice"]["analysis_s"] = next(
            r["analysis_s"] for r in ng_runs if r["cpu_s"] == row["ngspice"]["cpu_s"])
    return row


def _ngspice_analysis_time(text: str) -> float | None:
    for line in text.splitlines():
        if "Total analysis time" in line or "Total elapsed time" in line:
            try:
                return float(line.split("=")[-1].split()[0])
            except ValueError:
                return None
    return None


def _fmt(v, spec=".2f"):
    return format(v, spec) if isinstance(v, (int, float)) else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.spice_bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--timeout", type=float, default=900.0, help="per process, seconds")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per case and simulator; the median (by CPU) is reported")
    args = ap.parse_args(argv)
    cases = QUICK if args.quick else HEADLINE + SCALING
    # compile numba's kernels once (cache=True) so no case pays compilation
    subprocess.run([sys.executable, "-c", "from edapipe.analog.warm import warm; warm()"],
                   check=True)
    rows = []
    print(f"{'circuit':<16}{'an.':<6}{'nodes':>7}  {'ours cpu':>9}{'ours an.':>9}"
          f"{'ours MB':>8}  {'ng cpu':>8}{'ng MB':>7}  {'cpu ratio':>9}", flush=True)
    for fam, size, analysis in cases:
        row = run_case(fam, size, analysis, args.timeout, max(1, args.repeat))
        ours, ng = row["edapipe"], row.get("ngspice", {})
        ratio = (ng["cpu_s"] / ours["analysis_s"]) if ng.get("cpu_s") else None
        row["ngspice_cpu_over_edapipe_analysis"] = ratio
        rows.append(row)
        print(f"{row['circuit']:<16}{analysis:<6}{row['nodes']:>7}  "
              f"{_fmt(ours['cpu_s']):>9}{_fmt(ours['analysis_s']):>9}"
              f"{_fmt(ours['rss_mb'], '.0f'):>8}  {_fmt(ng.get('cpu_s')):>8}"
              f"{_fmt(ng.get('rss_mb'), '.0f'):>7}  {_fmt(ratio):>9}", flush=True)
    summary = {"cases": len(rows),
               "note": "cpu ratio = ngspice process CPU / edapipe parse+simulate time "
                       "(>1: edapipe faster); edapipe process CPU adds ~2 s of interpreter, "
                       "imports and numba cache loading"}
    path = write_json("spice", rows, summary)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
