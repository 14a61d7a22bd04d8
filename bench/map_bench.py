"""Flow `map`: LUT and standard-cell mapping beside ABC, and `edapipe flow` beside Yosys.

    python -m bench map [--circuits a,b] [--parts lut,cells,flow] [--reps N] [--no-choices]
        [--goals area,delay] [--no-adders]

- lut: every shared EPFL and ISCAS85 circuit goes through ABC's resyn2 once (cached in
  bench/.cache), then through `if -K 6` and `if -K 6 -a` in ABC (its in-process time from its
  own `time` command, CPU) and through our mapper in this process (CPU, best of N once the
  kernels are loaded). LUTs are nodes of two or more inputs in the written BLIF (EPFL's
  count), depth is ABC's `lev` and ours.
- cells: the same AIGs mapped to sky130hd (`--goal` area, and delay with sizing) and timed
  by `edapipe sta`'s engine under the shared peers' conditions (virtual clock, no wire load),
  the mapper's own estimate beside it (area goal: no sizing after it);
  beside them the peers' ABC `map`/`amap` figures measured on this machine
  (../shared/peers/mapping/cell_sky130.csv: OpenSTA on ABC's written netlists).
- flow: `edapipe flow design.v` on every EPFL `.v` (goal auto, no SDC) as a whole process,
  beside the peers' Yosys `synth; abc -liberty` row (its area, OpenSTA arrival, CPU).

Ratios are ours / theirs; geomeans over circuits. JSON goes to bench/results.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

from bench import common

RESYN2 = ("balance; rewrite; refactor; balance; rewrite; rewrite -z; balance; refactor -z; "
          "rewrite -z; balance")
EPFL = ["adder", "arbiter", "bar", "cavlc", "ctrl", "dec", "i2c", "int2float", "log2", "max",
        "multiplier", "priority", "router", "sin", "sqrt", "square", "voter"]
PEERS = common.ROOT.parent / "shared" / "peers" / "mapping" / "cell_sky130.csv"
SKY130 = common.BENCHMARKS / "timing" / "liberty" / "sky130hd_tt.lib.gz"


def sources(wanted: set[str]) -> list[Path]:
    files = (sorted(common.BENCHMARKS.glob("epfl/*.aig"))
             + sorted(common.BENCHMARKS.glob("iscas85/*.bench")))
    return [f for f in files if not wanted or f.stem in wanted]


def resyn2(abc: str, src: Path) -> Path:
    out = common.CACHE / f"{src.stem}.resyn2.aig"
    if not out.exists():
        common.CACHE.mkdir(parents=True, exist_ok=True)
        read = "read_bench" if src.suffix == ".bench" else "read"
        subprocess.run([abc, "-q", f"{read} {src}; strash; {RESYN2}; write_aiger -s {out}"],
                       check=True, capture_output=True, timeout=600)
    return out


def blif_luts(path: Path) -> int:
    text = path.read_text().replace("\\\n", " ")
    return sum(1 for line in text.splitlines()
               if line.startswith(".names") and len(line.split()) >= 4)


def abc_if(abc: str, aig: Path, area: bool, folder: Path) -> dict:
    out = folder / "abc.blif"
    flag = " -a" if area else ""
    text = subprocess.run([abc, "-c", f"read {aig}; time; if -K 6{flag}; time; print_stats; "
                                      f"write_blif {out}"],
                          capture_output=True, text=True, check=True, timeout=600).stdout
    times = [float(x) for x in re.findall(r"elapse:\s*([\d.]+)", text)]
    return {"luts": blif_luts(out), "depth": int(re.search(r"lev\s*=\s*(\d+)", text).group(1)),
            "cpu": times[-1] - times[0] if len(times) >= 2 else float("nan")}


def ours_lut(aig, area: bool, reps: int) -> dict:
    from edapipe.synth.map.lut import LutParams, map_luts

    params = LutParams(area=area, **({"flow_passes": 3, "exact_passes": 3} if area else {}))
    map_luts(aig, params)       # kernels loaded
    best = float("inf")
    for _ in range(reps):
        t = time.process_time()
        net = map_luts(aig, params)
        best = min(best, time.process_time() - t)
    return {"luts": net.num_luts, "depth": net.depth, "cpu": best}


def part_lut(abc, files, reps) -> tuple[list, dict]:
    from edapipe.aig import io

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for src in files:
            aig_path = resyn2(abc, src)
            aig = io.read(aig_path)
            for area in (False, True):
                a = abc_if(abc, aig_path, area, Path(tmp))
                o = ours_lut(aig, area, reps)
                rows.append({"circuit": src.stem, "mode": "area" if area else "delay",
                             "luts": o["luts"], "depth": o["depth"], "cpu": o["cpu"],
                             "abc_luts": a["luts"], "abc_depth": a["depth"],
                             "abc_cpu": a["cpu"]})
    summary = {}
    for mode in ("delay", "area"):
        sel = [r for r in rows if r["mode"] == mode]
        common.print_table(f"LUT-6, {mode} (ABC: if -K 6{' -a' if mode == 'area' else ''})",
                           ["circuit", "LUTs", "ABC", "ratio", "depth", "ABC", "cpu s", "ABC s"],
                           [[r["circuit"], r["luts"], r["abc_luts"], r["luts"] / r["abc_luts"],
                             r["depth"], r["abc_depth"], r["cpu"], r["abc_cpu"]] for r in sel])
        summary[mode] = {
            "luts_geomean": common.geomean([r["luts"] / r["abc_luts"] for r in sel]),
            "deeper_than_abc": [r["circuit"] for r in sel if r["depth"] > r["abc_depth"]],
            "cpu": sum(r["cpu"] for r in sel), "abc_cpu": sum(r["abc_cpu"] for r in sel)}
        print(f"{mode}: LUTs geomean {summary[mode]['luts_geomean']:.4f} x ABC, deeper than "
              f"ABC on {summary[mode]['deeper_than_abc'] or 'none'}, CPU "
              f"{summary[mode]['cpu']:.2f} s against ABC's {summary[mode]['abc_cpu']:.2f} s\n")
    return rows, summary


def peers() -> dict:
    rows = {}
    if PEERS.exists():
        for row in csv.DictReader(PEERS.open()):
            rows[(row["circuit"], row["flow"])] = row
    return rows


def part_cells(abc, files, reps, choices: bool = True, goals=("area", "delay"),
               adders: bool = True) -> tuple[list, dict]:
    from edapipe.aig import io
    from edapipe.synth.map import library
    from edapipe.synth.map.cells import CellParams, map_cells
    from edapipe.synth.map.timing import analyze_netlist, worst_arrival
    from edapipe.timing.liberty import read_liberty

    from edapipe.synth.map.cells import warm

    warm()                      # kernels compiled (or loaded from numba's cache) untimed
    lib = read_liberty(SKY130)
    mlib = library.build(lib)
    ref = peers()
    rows = []
    for src in files:
        aig = io.read(resyn2(abc, src))
        # choices=None: the mapper's default (its portfolio maps over dch's choices too)
        ch = None if choices else False
        for goal, params in (("area", CellParams(area=True, choices=ch, adders=adders)),
                             ("delay", CellParams(choices=ch))):
            if goal not in goals:
                continue
            t = time.process_time()
            net = map_cells(aig, mlib, params)
            cpu = time.process_time() - t
            arrival = worst_arrival(analyze_netlist(net.verilog().decode(), src.stem, [lib]))
            peer = ref.get((src.stem, "amap" if goal == "area" else "map"), {})
            rows.append({"circuit": src.stem, "goal": goal, "area": net.area,
                         "arrival_ns": arrival * 1e9, "cpu": cpu,
                         # the mapper's own worst arrival, before sizing
                         "estimate_ns": net.estimate * 1e9,
                         "abc_area": float(peer.get("area_um2") or "nan"),
                         "abc_arrival_ns": float(peer.get("sta_arrival_ns") or "nan")})
    summary = {}
    for goal, peer in (("area", "amap"), ("delay", "map")):
        sel = [r for r in rows if r["goal"] == goal]
        if not sel:
            continue
        common.print_table(f"sky130hd cells, goal {goal} (beside ABC {peer}, peers' figures)",
                           ["circuit", "area", "ABC", "ratio", "arrival", "ABC", "ratio", "cpu s"],
                           [[r["circuit"], r["area"], r["abc_area"], r["area"] / r["abc_area"],
                             r["arrival_ns"], r["abc_arrival_ns"],
                             r["arrival_ns"] / r["abc_arrival_ns"], r["cpu"]] for r in sel])
        ok = [r for r in sel if r["abc_area"] == r["abc_area"]]
        summary[goal] = {
            "area_geomean": common.geomean([r["area"] / r["abc_area"] for r in ok]),
            "arrival_geomean": common.geomean([r["arrival_ns"] / r["abc_arrival_ns"]
                                               for r in ok]),
            "cpu": sum(r["cpu"] for r in sel),
            "above_peer": [r["circuit"] for r in ok if (r["area"] > r["abc_area"] if
                                                        goal == "area" else
                                                        r["arrival_ns"] > 0.9 *
                                                        r["abc_arrival_ns"])]}
        if goal == "area":
            # unsized netlists: the estimate is comparable with the timing engine's arrival
            summary[goal]["estimate_worst_error"] = max(
                (abs(r["estimate_ns"] / r["arrival_ns"] - 1) for r in sel if r["arrival_ns"]),
                default=0.0)
        print(f"{goal}: area {summary[goal]['area_geomean']:.3f} x ABC {peer}, arrival "
              f"{summary[goal]['arrival_geomean']:.3f} x; "
              f"{'above amap' if goal == 'area' else 'above 0.90x map'} on "
              f"{summary[goal]['above_peer'] or 'none'}"
              + (f"; mapper's estimate within {summary[goal]['estimate_worst_error']:.2e} of "
                 "the timing engine" if goal == "area" else "") + "\n")
    return rows, summary


def part_flow(files) -> tuple[list, dict]:
    ref = peers()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # numba's cache is keyed by every kernel source: after any edit the first process
        # compiles them all, which is not the flow's time
        subprocess.run(common.EDAPIPE + ["flow", str(common.ROOT / "examples" / "adder8.v"),
                                         "-l", str(SKY130)], capture_output=True, timeout=3600)
        for src in files:
            v = src.with_suffix(".v")
            if src.parent.name != "epfl" or not v.exists():
                continue
            _, cpu, rss, out = common.run_timed(
                common.EDAPIPE + ["flow", str(v), "-l", str(SKY130), "--json", "-o",
                                  str(Path(tmp) / "mapped.v")], timeout=3600)
            rep = json.loads(out)
            peer = ref.get((src.stem, "yosys"), {})
            rows.append({"circuit": src.stem, "setting": rep["setting"], "area": rep["area"],
                         "arrival_ns": rep["arrival"], "cpu": cpu, "rss": rss,
                         "yosys_area": float(peer.get("area_um2") or "nan"),
                         "yosys_arrival_ns": float(peer.get("sta_arrival_ns") or "nan"),
                         "yosys_cpu": float(peer.get("proc_cpu_s") or "nan"),
                         # where the CPU goes, and which settings could have won
                         "stages": {st["stage"]: st.get("cpu_seconds") for st in rep["stages"]},
                         "tried": next((st["tried"] for st in rep["stages"]
                                        if st["stage"] == "map" and "tried" in st), [])})
    common.print_table("edapipe flow (goal auto, no SDC) beside Yosys synth; abc -liberty "
                       "(peers' figures)",
                       ["circuit", "kept", "area", "Yosys", "ratio", "arrival", "Yosys", "ratio",
                        "cpu s", "Yosys s"],
                       [[r["circuit"], r["setting"], r["area"], r["yosys_area"],
                         r["area"] / r["yosys_area"], r["arrival_ns"], r["yosys_arrival_ns"],
                         r["arrival_ns"] / r["yosys_arrival_ns"], r["cpu"], r["yosys_cpu"]]
                        for r in rows])
    both = [r["circuit"] for r in rows if r["area"] < r["yosys_area"]
            and r["arrival_ns"] < r["yosys_arrival_ns"]]
    summary = {"better_on_both": both,
               "area_total_ratio": sum(r["area"] for r in rows) /
               max(1e-9, sum(r["yosys_area"] for r in rows)),
               "arrival_total_ratio": sum(r["arrival_ns"] for r in rows) /
               max(1e-9, sum(r["yosys_arrival_ns"] for r in rows)),
               "cpu": sum(r["cpu"] for r in rows),
               "yosys_cpu": sum(r["yosys_cpu"] for r in rows)}
    print(f"flow: smaller and faster than Yosys on {len(both)} of {len(rows)}; totals: area "
          f"{summary['area_total_ratio']:.3f} x, arrival {summary['arrival_total_ratio']:.3f} x,"
          f" CPU {summary['cpu']:.1f} s against {summary['yosys_cpu']:.1f} s\n")
    return rows, summary


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench map")
    ap.add_argument("--circuits", default="", help="comma-separated circuit names")
    ap.add_argument("--parts", default="lut,cells,flow")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-choices", action="store_true",
                    help="cells: map without structural choices (the mapper before them)")
    ap.add_argument("--goals", default="area,delay", help="cells: the goals mapped")
    ap.add_argument("--no-adders", action="store_true",
                    help="cells: area goal without full-adder cells (the mapper before them)")
    args = ap.parse_args(argv)
    abc = common.tool("berkeley-abc")
    if abc is None:
        print("berkeley-abc is not installed")
        return 2
    files = sources({c for c in args.circuits.split(",") if c})
    parts = set(args.parts.split(","))
    rows, summary = [], {}
    if "lut" in parts:
        r, s = part_lut(abc, files, args.reps)
        rows += r
        summary["lut"] = s
    if "cells" in parts:
        r, s = part_cells(abc, files, args.reps, choices=not args.no_choices,
                          goals=tuple(args.goals.split(",")), adders=not args.no_adders)
        rows += r
        summary["cells"] = s
    if "flow" in parts:
        r, s = part_flow(files)
        rows += r
        summary["flow"] = s
    print(f"results: {common.write_json('map', rows, summary)}")
    return 0
