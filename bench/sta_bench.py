"""Static timing beside OpenSTA: `python -m bench.sta_bench` (or `python -m bench sta`).

1. Whole-process CPU time and peak memory of `edapipe sta` and of Debian's `sta`, same run,
   alternating, median of --repeat, with the worst setup slack of both as a sanity check and
   the ratios OpenSTA / edapipe. Both do the same work: read the library, netlist, SDC (and
   SPEF), report the worst setup and hold path, WNS and TNS. `sta` gets the unpacked library
   (it cannot read .gz) and, without SPEF, `set_load 0 [get_nets *]` (no wire load, our
   default; see ../shared/peers/timing/NOTES.md). The cases:
   - the shared multiplier netlist (20k cells);
   - gcd with its SPEF (`--spef` / `read_spef`: RC delay calculation on every net);
   - gcd with its SPEF at three corners (`--corner` x3 / `define_corners` and
     `read_liberty -corner`); the sky130 library is the only one shared for gcd, so the three
     corners read the same file (both tools still time every corner);
   - reg1 with the two ASAP7 corners of the `--corner` tests (ff, ss) and its SPEF (the worst
     slacks differ by 1.1 ps: `define_corners` in Debian's sta reduces the ss corner's RC
     nets with the ff library's pin capacitances; edapipe equals `sta` on ss alone);
   - the multiplier at three corners (same library, as for gcd).
2. A scaling table from 1k to 200k cells: EPFL circuits mapped with yosys + ABC onto sky130
   (cached under bench/.cache), the largest made of N copies of the mapped multiplier side by
   side, with time and peak memory of both tools.

Writes bench/results/sta-<git rev>.json and prints the tables with ratios.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCHMARKS, CACHE, EDAPIPE, median, print_table, tool, write_json
from bench.common import run_timed as run_measured

LIB_GZ = BENCHMARKS / "timing" / "liberty" / "sky130hd_tt.lib.gz"
EPFL = BENCHMARKS / "epfl"
MULT = BENCHMARKS / "timing" / "designs" / "multiplier"
# Cells ABC must not pick (as the peer's libfilter: physical-only, delay, tie, sequential and
# tristate cells); the library for STA stays complete.
EXCLUDE = re.compile(r"lpflow|probe|diode|fill|tap|decap|conb|sparecell|dlygate|dlymetal|"
                     r"clkdlybuf|df|dl|sdf|edf|ebuf|einv|latch|srdx|sdlclk|dlclk|bufbuf")
SDC = """create_clock -name vclk -period {period}
set_input_delay 0.10 -clock vclk [all_inputs]
set_output_delay 0.20 -clock vclk [all_outputs]
set_load 0.005 [all_outputs]
set_input_transition 0.05 [all_inputs]
"""
# (label, EPFL circuit, copies); copies > 1 instantiates the mapped module side by side
SCALING = [("adder", "adder", 1), ("sin", "sin", 1), ("voter", "voter", 1),
           ("multiplier", "multiplier", 1), ("sqrt", "sqrt", 1),
           ("multiplier x2", "multiplier", 2), ("multiplier x5", "multiplier", 5),
           ("multiplier x10", "multiplier", 10)]


def plain_lib() -> Path:
    path = CACHE / "sky130hd_tt.lib"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.decompress(LIB_GZ.read_bytes()))
        tmp.replace(path)
    return path


def mapping_lib() -> Path:
    """The library without the cells ABC must not use (brace-matched text filter)."""
    path = CACHE / "sky130_map.lib"
    if path.exists():
        return path
    text = plain_lib().read_text()
    out, pos = [], 0
    for m in re.finditer(r'^\s*cell\s*\(\s*"?([A-Za-z0-9_]+)"?\s*\)\s*\{', text, re.M):
        if m.start() < pos:
            continue
        name = m.group(1).replace("sky130_fd_sc_hd__", "")
        depth, i = 1, m.end()
        while depth:
            c = text[i]
            depth += (c == "{") - (c == "}")
            i += 1
        if EXCLUDE.search(name):
            out.append(text[pos:m.start()])
            pos = i
    out.append(text[pos:])
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(out))
    tmp.replace(path)
    return path


def mapped(circuit: str) -> Path:
    """EPFL circuit mapped to sky130 with yosys + ABC (cached)."""
    out = CACHE / f"{circuit}.mapped.v"
    if out.exists():
        return out
    yosys = tool("yosys")
    if yosys is None:
        raise RuntimeError("yosys is needed to map the scaling circuits")
    lib = mapping_lib()
    tmp = out.with_suffix(".tmp.v")
    script = (f"read_aiger {EPFL / (circuit + '.aig')}; rename -top {circuit}; "
              f"abc -fast -liberty {lib}; opt_clean -purge; "
              "hilomap -hicell sky130_fd_sc_hd__conb_1 HI -locell sky130_fd_sc_hd__conb_1 LO; "
              "insbuf -buf sky130_fd_sc_hd__buf_2 A X; opt_clean -purge; "
              f"write_verilog -noattr -noexpr -nohex -nodec {tmp}")
    subprocess.run([yosys, "-q", "-p", script], check=True, capture_output=True, timeout=3600)
    tmp.replace(out)
    return out


def replicated(circuit: str, copies: int) -> tuple[Path, str]:
    """A top module with `copies` instances of the mapped circuit (ordered connections)."""
    base = mapped(circuit)
    if copies == 1:
        return base, circuit
    out = CACHE / f"{circuit}_x{copies}.v"
    top = f"{circuit}_x{copies}"
    if not out.exists():
        text = base.read_text()
        header = re.search(r"module\s+\S+\s*\((.*?)\);", text, re.S)
        ports = [p.strip() for p in header.group(1).split(",")]
        dirs = {name.strip(): d for d, name in
                re.findall(r"^\s*(input|output)\s+(\\\S+ |[^\s;]+)\s*;", text, re.M)}
        lines = [text, f"module {top}("]
        names = []
        for k in range(copies):
            names += [f"c{k}_{i}" for i in range(len(ports))]
        lines.append(", ".join(names) + ");")
        for k in range(copies):
            for i, p in enumerate(ports):
                lines.append(f"  {dirs[p.strip()]} c{k}_{i};")
        for k in range(copies):
            conns = ", ".join(f"c{k}_{i}" for i in range(len(ports)))
            lines.append(f"  {circuit} u{k} ({conns});")
        lines.append("endmodule")
        tmp = out.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(out)
    return out, top


TIMING = BENCHMARKS / "timing"
GCD = TIMING / "designs" / "gcd_sky130hd"
REG1 = TIMING / "designs" / "reg1_asap7"
# the constraints of the --corner test on reg1 (tests/timing/test_sdc_opensta.py)
REG1_SDC = """create_clock -name clk -period 500 {clk1 clk2 clk3}
set_input_delay -clock clk 10 {in1 in2}
set_output_delay -clock clk 20 out
set_input_transition 10 {in1 in2}
"""
THREE = {c: LIB_GZ for c in ("ff", "tt", "ss")}


@dataclass
class Case:
    key: str
    label: str
    netlist: Path
    sdc: Path
    top: str                               # OpenSTA's link_design
    corners: dict[str, Path] | None = None  # corner -> library (.gz); None: LIB_GZ alone
    spef: Path | None = None


def cases(work: Path) -> list[Case]:
    reg1_sdc = work / "reg1.sdc"
    reg1_sdc.write_text(REG1_SDC)
    return [
        Case("multiplier", "multiplier (20k cells)", MULT / "multiplier.v",
             MULT / "multiplier.sdc", "multiplier"),
        Case("gcd_spef", "gcd + SPEF (every net RC)", GCD / "gcd_sky130hd.v",
             GCD / "gcd_sky130hd.sdc", "gcd", spef=GCD / "gcd_sky130hd.spef"),
        Case("gcd_spef_3corners", "gcd + SPEF, 3 corners", GCD / "gcd_sky130hd.v",
             GCD / "gcd_sky130hd.sdc", "gcd", THREE, GCD / "gcd_sky130hd.spef"),
        Case("reg1_asap7_corners", "reg1 + SPEF, ASAP7 ff/ss corners", REG1 / "reg1_asap7.v",
             reg1_sdc, "top", {c: TIMING / "liberty" / f"asap7_small_{c}.lib.gz"
                               for c in ("ff", "ss")}, REG1 / "reg1_asap7.spef"),
        Case("multiplier_3corners", "multiplier, 3 corners", MULT / "multiplier.v",
             MULT / "multiplier.sdc", "multiplier", THREE),
    ]


def unpacked(lib_gz: Path) -> Path:
    """A gzip Liberty file unpacked into the cache (Debian's sta cannot read .gz)."""
    if lib_gz == LIB_GZ:
        return plain_lib()
    path = CACHE / lib_gz.name.removesuffix(".gz")
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.decompress(lib_gz.read_bytes()))
        tmp.replace(path)
    return path


def worst_setup(out: str) -> float:
    """The worst setup slack over the corners of an `edapipe sta` report."""
    found = re.findall(r"setup\s+WNS \S+ \w+\s+TNS \S+ \w+\s+worst slack (\S+)", out)
    return min(float(x) for x in found) if found else float("nan")


def run_edapipe(netlist: Path, sdc: Path, top: str | None, spef: Path | None = None,
                corners: dict[str, Path] | None = None):
    cmd = EDAPIPE + ["sta", str(netlist), "--sdc", str(sdc), "--path-delay", "min_max",
                     "--digits", "6"]
    if corners:
        cmd += [f"--corner={name}={lib}" for name, lib in corners.items()]
    else:
        cmd += ["-l", str(LIB_GZ)]
    if top:
        cmd += ["--top", top]
    if spef:
        cmd += ["--spef", str(spef)]
    wall, cpu, rss, out = run_measured(cmd)
    return wall, cpu, rss, worst_setup(out)


def run_sta(sta: str, netlist: Path, sdc: Path, top: str, work: Path, timeout: float = 600,
            spef: Path | None = None, corners: dict[str, Path] | None = None):
    if corners:
        libs = f"define_corners {' '.join(corners)}\n" + "".join(
            f"read_liberty -corner {name} {unpacked(lib)}\n" for name, lib in corners.items())
    else:
        libs = f"read_liberty {plain_lib()}\n"
    script = work / f"{top}.tcl"
    script.write_text(
        f"{libs}read_verilog {netlist}\nlink_design {top}\n"
        f"read_sdc {sdc}\n"
        + (f"read_spef {spef}\n" if spef else "set_load 0 [get_nets -hierarchical *]\n") +
        "report_checks -path_delay max -digits 6\nreport_checks -path_delay min -digits 6\n"
        "report_wns -digits 6\nreport_tns -digits 6\nreport_worst_slack -digits 6\n")
    wall, cpu, rss, out = run_measured(["timeout", str(timeout), sta, "-no_init",
                                        "-no_splash", "-exit", str(script)])
    m = re.search(r"worst slack (\S+)", out)
    return wall, cpu, rss, float(m.group(1)) if m else float("nan")


def stats(runs) -> tuple[float, float, float, float]:
    """(median wall s, median CPU s, peak MB over the runs, worst slack of the first)."""
    return (median([r[0] for r in runs]), median([r[1] for r in runs]),
            max(r[2] for r in runs) / 2**20, runs[0][3])


def compare(case: Case, sta: str | None, work: Path, repeat: int, summary: dict) -> dict:
    """Both tools on one case, alternating; fills summary with medians and ratios."""
    runs: dict[str, list] = {"edapipe": [], "sta": []}
    for _ in range(repeat):
        runs["edapipe"].append(run_edapipe(case.netlist, case.sdc, None, case.spef,
                                           case.corners))
        if sta:
            runs["sta"].append(run_sta(sta, case.netlist, case.sdc, case.top, work,
                                       spef=case.spef, corners=case.corners))
    for name, got in runs.items():
        if got:
            wall, cpu, mb, ws = stats(got)
            summary.update({f"{case.key}_{name}_wall_s": wall, f"{case.key}_{name}_cpu_s": cpu,
                            f"{case.key}_{name}_rss_mb": mb,
                            f"{case.key}_{name}_worst_slack": ws})
    if runs["sta"]:
        k = case.key
        summary[f"{k}_cpu_ratio_edapipe_over_sta"] = summary[f"{k}_edapipe_cpu_s"] / \
            summary[f"{k}_sta_cpu_s"]
        summary[f"{k}_rss_ratio_edapipe_over_sta"] = summary[f"{k}_edapipe_rss_mb"] / \
            summary[f"{k}_sta_rss_mb"]
    return {"case": case.key, **{f"{k}_runs": v for k, v in runs.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sta_bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool and case")
    ap.add_argument("--no-scaling", action="store_true", help="only the same-run comparisons")
    ap.add_argument("--case", action="append", metavar="KEY",
                    help="only these comparison cases (repeatable): multiplier, gcd_spef, "
                         "gcd_spef_3corners, reg1_asap7_corners, multiplier_3corners")
    ap.add_argument("--max-sta-cells", type=int, default=250_000,
                    help="skip OpenSTA above this many cells in the scaling table")
    args = ap.parse_args(argv)
    sta = tool("sta")
    CACHE.mkdir(parents=True, exist_ok=True)
    work = CACHE / "work"
    work.mkdir(exist_ok=True)
    rows: list[dict] = []
    summary: dict = {}
    # 1. the same-run comparisons
    chosen = [c for c in cases(work) if not args.case or c.key in args.case]
    for case in chosen:
        rows.append(compare(case, sta, work, args.repeat, summary))
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    summary["loadavg_1min_at_end"] = load
    nan = float("nan")
    table = []
    for case in chosen:
        g = {k.removeprefix(case.key + "_"): v for k, v in summary.items()
             if k.startswith(case.key + "_")}
        table.append([case.label, g["edapipe_cpu_s"], g.get("sta_cpu_s", nan),
                      g.get("cpu_ratio_edapipe_over_sta", nan), g["edapipe_rss_mb"],
                      g.get("sta_rss_mb", nan), g.get("rss_ratio_edapipe_over_sta", nan),
                      g["edapipe_worst_slack"], g.get("sta_worst_slack", nan)])
    print_table(f"whole process, same run, alternating, median of {args.repeat} "
                f"(load average {load})",
                ["case", "edapipe cpu s", "sta cpu s", "cpu edapipe/sta", "edapipe MB",
                 "sta MB", "MB edapipe/sta", "edapipe slack", "sta slack"], table)
    # 2. scaling
    if not args.no_scaling:
        scale_rows = []
        for label, circuit, copies in SCALING:
            path, top = replicated(circuit, copies)
            n_cells = len(re.findall(r"^\s*sky130_fd_sc_hd__\w+\s", mapped(circuit).read_text(),
                                     re.M)) * copies
            period = 16.0 if circuit != "sqrt" else 400.0
            sdc_path = CACHE / f"{circuit}.sdc"
            sdc_path.write_text(SDC.format(period=period))
            wall, cpu, rss, ws = run_edapipe(path, sdc_path, top)
            row = {"case": label, "cells": n_cells, "edapipe_wall_s": wall, "edapipe_cpu_s": cpu,
                   "edapipe_rss_mb": rss / 2**20, "edapipe_worst_slack_ns": ws}
            if sta and n_cells <= args.max_sta_cells:
                try:
                    swall, scpu, srss, sws = run_sta(sta, path, sdc_path, top, work)
                    row.update({"sta_wall_s": swall, "sta_cpu_s": scpu,
                                "sta_rss_mb": srss / 2**20, "sta_worst_slack_ns": sws})
                except RuntimeError as exc:  # e.g. the timeout
                    row["sta_error"] = str(exc)[:200]
            rows.append(row)
            nan = float("nan")
            scale_rows.append([label, n_cells, wall, cpu, rss / 2**20, 1e6 * cpu / n_cells,
                               row.get("sta_wall_s", nan), row.get("sta_cpu_s", nan),
                               row.get("sta_rss_mb", nan), row.get("sta_cpu_s", nan) / cpu,
                               ws, row.get("sta_worst_slack_ns", nan)])
        print_table("scaling (EPFL circuits mapped by yosys+ABC to sky130)",
                    ["circuit", "cells", "edapipe wall s", "edapipe cpu s", "edapipe MB",
                     "cpu us/cell", "sta wall s", "sta cpu s", "sta MB", "sta/edapipe cpu",
                     "slack ns", "sta slack ns"], scale_rows)
    path = write_json("sta", rows, summary)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
