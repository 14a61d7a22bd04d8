"""Flow `cec`: each shared circuit against its ABC resyn2 result, ours beside ABC cec and &cec.

    python -m bench cec [--circuits a,b] [--suite epfl|iscas85|divclass|all] [--no-gcec]

The resyn2 results are made with berkeley-abc and cached in bench/.cache. `divclass` is the
issue 20 set (bench/divclass.py): wide dividers, a restoring division loop, square roots and
modular multiplication written in Verilog, each against ABC's resyn2, dc2 and compress2rs
results (--circuits then names e.g. div64 or div64.dc2). Ours is the
in-process time of edapipe.verify.cec.check_equivalence (miter, simulation, sweeping, SAT) on
designs already read, wall and CPU; ABC's are the times it prints for `cec A B` and
`&r A; &cec B` (Abc_Clock: CPU time), which likewise leave out reading. On a loaded machine
wall time runs well above CPU time, so the ratio compares CPU with CPU. The verdict is
checked too: every pair must be equivalent.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time

from bench import common

RESYN2 = ("balance; rewrite; refactor; balance; rewrite; rewrite -z; balance; refactor -z; "
          "rewrite -z; balance")
TIME_RE = re.compile(r"Time\s*=\s*([0-9.]+)\s*sec")


def resyn2(abc: str, src, name: str):
    common.CACHE.mkdir(parents=True, exist_ok=True)
    out = common.CACHE / f"{name}.resyn2.aig"
    if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
        subprocess.run([abc, "-c", f"read {src}; strash; {RESYN2}; write {out}"], check=True,
                       capture_output=True, timeout=600)
    return out


def abc_time(abc: str, script: str, timeout: float) -> tuple[float, str]:
    """(seconds ABC prints for the check, its verdict line); nan on a timeout."""
    try:
        t0 = time.perf_counter()
        proc = subprocess.run([abc, "-c", script], capture_output=True, text=True,
                              timeout=timeout)
        wall = time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        return float("nan"), "timeout"
    text = proc.stdout
    m = TIME_RE.findall(text)
    verdict = next((ln.strip() for ln in text.splitlines()
                    if "equivalent" in ln.lower() or "miter" in ln.lower()), "?")
    return (float(m[-1]) if m else wall), verdict


def _cases(abc: str, suite: str, wanted: set[str]):
    """(name, original, optimized) of the chosen suite, filtered by name or circuit."""
    files = []
    if suite in ("epfl", "all"):
        files += sorted(common.BENCHMARKS.glob("epfl/*.aig"))
    if suite in ("iscas85", "all"):
        files += sorted(common.BENCHMARKS.glob("iscas85/*.bench"))
    for src in files:
        if not wanted or src.stem in wanted:
            yield src.stem, src, resyn2(abc, src, src.stem)
    if suite in ("divclass", "all"):
        from bench import divclass

        names = [n for n in divclass.CIRCUITS
                 if not wanted or n in wanted or any(w.startswith(n + ".") for w in wanted)]
        for label, src, other in divclass.pairs(abc, names):
            if not wanted or label in wanted or label.split(".")[0] in wanted:
                yield label, src, other


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench cec", description=__doc__)
    ap.add_argument("--circuits", default="", help="comma-separated names (default: all)")
    ap.add_argument("--suite", default="epfl",
                    choices=["epfl", "iscas85", "divclass", "all"])
    ap.add_argument("--no-gcec", action="store_true", help="skip ABC's &cec (slow on log2)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per ABC run")
    ap.add_argument("--time-limit", type=float, default=0.0,
                    help="our time limit per pair (wall s; 0: none); past it: undecided")
    ap.add_argument("--tag", default="",
                    help="suffix of the result file's flow name (runs of parts side by side)")
    args = ap.parse_args(argv)
    abc = common.tool("berkeley-abc")
    if abc is None:
        print("berkeley-abc is not installed: nothing to compare with")
        return 1
    wanted = set(filter(None, args.circuits.split(",")))
    cases = list(_cases(abc, args.suite, wanted))
    from edapipe.aig import io
    from edapipe.verify.cec import CecParams, check_equivalence
    from edapipe.verify.warm import warm

    warm()  # load the cached kernels first, as ABC's times leave out its start-up too
    rows, table = [], []
    for name, src, other in cases:
        a, b = io.read(src), io.read(other)
        t0, c0 = time.perf_counter(), time.process_time()
        res = check_equivalence(a, b, CecParams(time_limit=args.time_limit))
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        t_cec, v_cec = abc_time(abc, f"cec {src} {other}", args.timeout)
        t_gcec, v_gcec = ((float("nan"), "skipped") if args.no_gcec else
                          abc_time(abc, f"&r {src}; &cec {other}", args.timeout))
        row = dict(circuit=name, ands=a.num_ands, resyn2_ands=b.num_ands, result=res.status,
                   ours_s=ours, ours_cpu_s=ours_cpu, abc_cec_s=t_cec, abc_gcec_s=t_gcec,
                   abc_cec=v_cec,
                   abc_gcec=v_gcec, stats=res.stats.as_dict())
        rows.append(row)
        table.append([name, a.num_ands, b.num_ands, res.status, ours, ours_cpu, t_cec, t_gcec,
                      ours_cpu / t_cec if t_cec > 0 else float("nan")])
        print(f"{name}: ours {ours:.2f} s wall {ours_cpu:.2f} s cpu ({res.status}), "
              f"ABC cec {t_cec:.2f} s, &cec {t_gcec:.2f} s", flush=True)
    keys = ("ours_s", "ours_cpu_s", "abc_cec_s", "abc_gcec_s")
    tot = {k: sum(r[k] for r in rows if r[k] == r[k]) for k in keys}
    table.append(["total", sum(r["ands"] for r in rows), sum(r["resyn2_ands"] for r in rows),
                  "", tot["ours_s"], tot["ours_cpu_s"], tot["abc_cec_s"], tot["abc_gcec_s"],
                  tot["ours_cpu_s"] / tot["abc_cec_s"] if tot["abc_cec_s"] else float("nan")])
    common.print_table("cec: original vs ABC resyn2 (seconds; ours in-process, ABC as it "
                       "prints: CPU time)",
                       ["circuit", "ANDs", "resyn2 ANDs", "ours", "ours wall", "ours cpu",
                        "ABC cec", "ABC &cec", "cpu/cec"], table)
    wrong = [r["circuit"] for r in rows if r["result"] != "equivalent"]
    summary = {"total_ours_s": tot["ours_s"], "total_ours_cpu_s": tot["ours_cpu_s"],
               "total_abc_cec_s": tot["abc_cec_s"], "total_abc_gcec_s": tot["abc_gcec_s"],
               "ratio_cpu_to_abc_cec": (tot["ours_cpu_s"] / tot["abc_cec_s"]
                                        if tot["abc_cec_s"] else None),
               "ratio_wall_to_abc_cec": (tot["ours_s"] / tot["abc_cec_s"]
                                         if tot["abc_cec_s"] else None),
               "geomean_cpu_ratio": common.geomean([r["ours_cpu_s"] / r["abc_cec_s"]
                                                    for r in rows if r["abc_cec_s"] > 0]),
               "not_proven": wrong}
    # ABC's no-answers counted at the timeout, so that the pairs it cannot decide count
    # against it too (the totals above leave them out on ABC's side only)
    abc_at = sum(r["abc_cec_s"] if r["abc_cec_s"] == r["abc_cec_s"] else args.timeout
                 for r in rows)
    summary["abc_cec_timeouts"] = sum(1 for r in rows if r["abc_cec_s"] != r["abc_cec_s"])
    summary["total_abc_cec_with_timeouts_s"] = abc_at
    summary["ratio_cpu_to_abc_cec_with_timeouts"] = (tot["ours_cpu_s"] / abc_at
                                                     if abc_at else None)
    flow = "cec" if args.suite == "epfl" else f"cec-{args.suite}"
    flow += f"-{args.tag}" if args.tag else ""
    path = common.write_json(flow, rows, summary)
    print(f"summary: {summary}\nwritten {path}")
    return 1 if wrong else 0
