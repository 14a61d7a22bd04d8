"""Flow `opt`: `edapipe opt SCRIPT` beside ABC's same script, per circuit, in the same run.

    python -m bench opt [--script resyn2] [--circuits a,b] [--suites epfl,iscas85,divclass]
                        [--reps N] [--cec]

Every shared EPFL and ISCAS85 circuit (and with `--suites divclass` the divider-class
circuits of bench/divclass.py) goes through the script in this process (CPU time, user+sys,
the best of N runs once numba's kernels are loaded: "warm"), and once through an
`edapipe opt SCRIPT FILE --json` process (its whole time, its passes' own time, which
includes loading the kernels from numba's cache, and its peak memory); and through ABC's
same script spelled out (`b` -> `balance`, `rwz` -> `rewrite -z`, ...). ABC's time is the
CPU time of its process with the script minus that without it (read, strash, write), the
best of N runs of each. The table gives ANDs, levels and time with our/ABC ratios and their
geometric means, and both tools' peak memory; JSON goes to bench/results.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench import common

ABC_NAMES = {"b": "balance", "balance": "balance", "rw": "rewrite", "rewrite": "rewrite",
             "rwz": "rewrite -z", "rf": "refactor", "refactor": "refactor",
             "rfz": "refactor -z", "rs": "resub", "resub": "resub", "rsz": "resub -z",
             "st": "strash", "strash": "strash", "fraig": "fraig"}


def abc_script(script: str) -> str:
    """Our script in ABC's full command names (the Debian binary reads no abc.rc)."""
    from edapipe.synth.passes import SCRIPTS

    parts = []
    for part in script.replace("\n", ";").split(";"):
        words = part.split()
        if not words:
            continue
        if words[0] in SCRIPTS:
            parts.append(abc_script(SCRIPTS[words[0]]))
            continue
        parts.append(" ".join([ABC_NAMES[words[0]], *words[1:]]))
    return "; ".join(parts)


def default_script() -> str:
    """resyn2 when every pass it names exists, else the rewrite-only resyn2a."""
    import importlib.util

    missing = importlib.util.find_spec("edapipe.synth.refactor") is None
    return "resyn2a" if missing else "resyn2"


DIVCLASS = ("div32", "div64", "rdiv40", "isqrt32", "isqrt64", "modmul16")
"""The project's divider-class circuits (bench/divclass.py) in `--suites divclass`; the
128-bit divider (div128x64, 146k ANDs) only when named with --circuits."""


def circuits(wanted: set[str], suites: set[str]) -> list[Path]:
    files = []
    if "epfl" in suites:
        files += sorted(common.BENCHMARKS.glob("epfl/*.aig"))
    if "iscas85" in suites:
        files += sorted(common.BENCHMARKS.glob("iscas85/*.bench"))
    files = [f for f in files if not wanted or f.stem in wanted]
    if "divclass" in suites:
        from bench import divclass

        names = [n for n in divclass.CIRCUITS if n in wanted] if wanted else list(DIVCLASS)
        files += [divclass.original(n) for n in names]
    return files


def run_ours(path: Path, script: str, out: Path, reps: int) -> dict:
    """In-process pass time (kernels loaded: the best of reps), plus one `edapipe opt`
    process for its whole time and peak memory."""
    import time

    from edapipe.aig import io
    from edapipe.aig.analysis import depth
    from edapipe.synth.script import run_script

    aig = io.read(path)
    seconds = float("inf")
    for _ in range(reps):
        # CPU time: the steadier figure on the shared, loaded machine
        t0 = time.process_time()
        result, _ = run_script(aig, script)
        seconds = min(seconds, time.process_time() - t0)
    wall, rss, stdout = common.run_measured(
        common.EDAPIPE + ["opt", script, str(path), "-o", str(out), "--json"])
    figures = json.loads(stdout)
    assert figures["ands"] == result.num_ands
    return {"ands": result.num_ands, "levels": depth(result), "seconds": seconds,
            "process_s": wall, "process_pass_s": figures["seconds"], "rss": rss}


def run_abc(abc: str, path: Path, script: str, out: Path, reps: int) -> dict:
    reader = "read_bench" if path.suffix == ".bench" else "read"
    base = f"{reader} {path}; strash; write {out}; print_stats"
    full = f"{reader} {path}; strash; {abc_script(script)}; write {out}; print_stats"
    t_base = min(common.run_timed([abc, "-c", base])[1] for _ in range(reps))
    runs = [common.run_timed([abc, "-c", full]) for _ in range(reps)]
    _, cpu, rss, stdout = min(runs, key=lambda r: r[1])
    ands, levels = common.abc_stats(stdout)
    return {"ands": ands, "levels": levels, "seconds": max(cpu - t_base, 1e-4), "rss": rss}


def abc_cec(abc: str, a: Path, b: Path) -> bool:
    _, _, stdout = common.run_measured([abc, "-c", f"cec {a} {b}"])
    return "Networks are equivalent" in stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench opt", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--script", default=None,
                    help="script for both tools (default resyn2, or resyn2a without refactor)")
    ap.add_argument("--circuits", default="", help="comma-separated names (default: all)")
    ap.add_argument("--suites", default="epfl,iscas85",
                    help="comma-separated: epfl, iscas85, divclass (default epfl,iscas85)")
    ap.add_argument("--reps", type=int, default=1, help="runs per tool; the best counts")
    ap.add_argument("--cec", action="store_true", help="check each result with ABC's cec")
    args = ap.parse_args(argv)
    script = args.script or default_script()
    abc = common.tool("berkeley-abc")
    if abc is None:
        print("berkeley-abc is not installed: nothing to compare with")
        return 1
    from edapipe.aig import io
    from edapipe.aig.analysis import depth

    rows, table = [], []
    # compile or load every kernel once (numba's cache), so no circuit pays for it
    import time

    from edapipe.synth.script import run_script

    t0 = time.perf_counter()
    run_script(io.read(common.BENCHMARKS / "epfl" / "ctrl.aig"), script)
    warmup_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        ours_out, abc_out = Path(tmp) / "ours.aig", Path(tmp) / "abc.aig"
        for path in circuits(set(filter(None, args.circuits.split(","))),
                             set(filter(None, args.suites.split(",")))):
            aig = io.read(path)
            ours = run_ours(path, script, ours_out, args.reps)
            theirs = run_abc(abc, path, script, abc_out, args.reps)
            row = dict(circuit=path.stem, suite=path.parent.name, ands_in=aig.num_ands,
                       levels_in=depth(aig), ands=ours["ands"], levels=ours["levels"],
                       seconds=ours["seconds"], process_s=ours["process_s"],
                       process_pass_s=ours["process_pass_s"],
                       peak_mb=ours["rss"] / 2**20, abc_ands=theirs["ands"],
                       abc_levels=theirs["levels"], abc_seconds=theirs["seconds"],
                       abc_peak_mb=theirs["rss"] / 2**20)
            row["ands_ratio"] = row["ands"] / max(row["abc_ands"], 1)
            row["levels_ratio"] = row["levels"] / max(row["abc_levels"], 1)
            row["time_ratio"] = row["seconds"] / row["abc_seconds"]
            if args.cec:
                row["cec"] = abc_cec(abc, path, ours_out)
            rows.append(row)
            table.append([row["suite"], row["circuit"], row["ands_in"], row["ands"],
                          row["abc_ands"], row["ands_ratio"], row["levels"],
                          row["abc_levels"], row["levels_ratio"], row["seconds"],
                          row["abc_seconds"], row["time_ratio"], row["process_s"],
                          row["peak_mb"],
                          row["abc_peak_mb"]] + ([row["cec"]] if args.cec else []))
            print(f"{path.stem}: ands {row['ands']} vs {row['abc_ands']}, levels "
                  f"{row['levels']} vs {row['abc_levels']}, {row['seconds']:.3f} s vs "
                  f"{row['abc_seconds']:.3f} s", flush=True)
    common.print_table(f"edapipe opt {script!r} beside ABC",
                       ["suite", "circuit", "ANDs in", "ANDs", "ABC", "ratio", "lev", "ABC",
                        "ratio", "time s", "ABC s", "ratio", "proc s", "MB", "ABC MB"]
                       + (["cec"] if args.cec else []), table)
    summary = {
        "script": script, "abc_script": abc_script(script),
        "ands_ratio_geomean": common.geomean([r["ands_ratio"] for r in rows]),
        "levels_ratio_geomean": common.geomean([r["levels_ratio"] for r in rows]),
        "ands_ratio_max": max(r["ands_ratio"] for r in rows),
        "ands_ratio_by_suite": {s: common.geomean([r["ands_ratio"] for r in rows
                                                   if r["suite"] == s])
                                for s in sorted({r["suite"] for r in rows})},
        "time_sum_s": sum(r["seconds"] for r in rows),
        "abc_time_sum_s": sum(r["abc_seconds"] for r in rows),
        "process_pass_sum_s": sum(r["process_pass_s"] for r in rows),
        "warmup_s": warmup_s,
    }
    summary["time_sum_ratio"] = summary["time_sum_s"] / max(summary["abc_time_sum_s"], 1e-9)
    if args.cec:
        summary["all_equivalent"] = all(r["cec"] for r in rows)
    # one file per script (and revision): runs of two scripts would overwrite each other
    import re

    tag = re.sub(r"[^A-Za-z0-9]+", "_", script).strip("_")[:40]
    path = common.write_json(f"opt-{tag}", rows, summary)
    print(f"summary: {json.dumps(summary)}\nwritten {path}")
    return 0
