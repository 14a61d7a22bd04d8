"""Flow `rtl-designs`: the project's own Verilog test designs, read and optimized by us beside
Yosys + ABC.

    python -m bench rtl-designs [--filter SUBSTRING]

For every design of the differential harness (tests/**/*.v, *.sv) that Yosys reads to a netlist
ABC proves equivalent to ours (where Yosys 0.23 is wrong, as on tri-state buses, there is
nothing to compare): ANDs
after `edapipe read; opt resyn2` against Yosys's `synth -flatten` AIG after ABC's `strash;
resyn2` (both sides counted by ABC after the same `strash`, so that only the structure
differs), and the CPU of reading: ours in one process for all designs (slang and our
elaboration, no interpreter start-up) against one Yosys process per design (its
`read_verilog; synth -flatten; aigmap; write_aiger`, the flow the tests use).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common
from bench.opt_bench import abc_script

# Yosys's flow is the tests' (tests/synth/rtl/reference.py): read_verilog -sv; synth -flatten
# -noabc -nofsm; async2sync; dffunmap; setundef -zero; aigmap; write_aiger -symbols.


def _designs() -> list[Path]:
    sys.path.insert(0, str(common.ROOT))
    from tests.synth.rtl.test_differential import DESIGNS

    return DESIGNS


def _abc_ands(abc: str, path: Path, script: str) -> int:
    out = subprocess.run([abc, "-c", f"read {path}; strash; {script}; print_stats"],
                         capture_output=True, text=True, timeout=600).stdout
    return common.abc_stats(out)[0]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench rtl-designs", description=__doc__)
    ap.add_argument("--filter", default="", help="only designs whose path contains this")
    args = ap.parse_args(argv)
    yosys, abc = common.tool("yosys"), common.tool("berkeley-abc")
    if not yosys or not abc:
        print("rtl-designs needs yosys and berkeley-abc", file=sys.stderr)
        return 2
    from edapipe.aig import io
    from edapipe.errors import InputError
    from edapipe.synth.rtl import read_sources
    from edapipe.synth.script import run_script

    designs = [p for p in _designs() if args.filter in str(p)]
    from tests.synth.rtl.reference import abc_equivalent, yosys_aig

    rows, table, skipped = [], [], []
    ours_read = yosys_cpu = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for path in designs:
            inc = [path.parent, common.ROOT / "tests" / "synth" / "rtl" / "designs"]
            t0 = _cpu()
            try:
                aig = read_sources([(path.read_text(), str(path))], include_dirs=inc,
                                   bit_names="yosys")
            except InputError as exc:
                print(f"{path.name}: refused: {exc}", file=sys.stderr)
                continue
            read_s = _cpu() - t0
            opt, _ = run_script(aig, "resyn2")
            io.write(opt, t / "ours.aig")
            ref = t / "ref.aig"
            c0 = _children_cpu()
            try:
                yosys_aig(yosys, [path], aig.name, ref, include_dirs=inc)
            except (AssertionError, subprocess.TimeoutExpired):
                continue                        # Yosys cannot read it: nothing to compare
            cpu = _children_cpu() - c0
            seq = aig.num_latches > 0 or io.read(ref).num_latches > 0
            same, _ = abc_equivalent(abc, t / "ours.aig", ref, seq)
            if not same:
                skipped.append(path.name)
                continue
            ours_ands = _abc_ands(abc, t / "ours.aig", "")
            ref_ands = _abc_ands(abc, ref, abc_script("resyn2"))
            ours_read += read_s
            yosys_cpu += cpu
            rows.append({"design": str(path.relative_to(common.ROOT)), "ours_ands": ours_ands,
                         "yosys_abc_ands": ref_ands, "ours_read_cpu_s": read_s,
                         "yosys_cpu_s": cpu})
            table.append([path.name, ours_ands, ref_ands, read_s, cpu])
    tot_o = sum(r["ours_ands"] for r in rows)
    tot_y = sum(r["yosys_abc_ands"] for r in rows)
    table.append(["TOTAL", tot_o, tot_y, ours_read, yosys_cpu])
    common.print_table(f"rtl-designs: {len(rows)} designs, ANDs after resyn2 "
                       "(ours: edapipe read + opt; Yosys synth + ABC), read CPU s",
                       ["design", "ours", "yosys+abc", "ours read", "yosys"], table)
    smaller = sum(r["ours_ands"] < r["yosys_abc_ands"] for r in rows)
    larger = sum(r["ours_ands"] > r["yosys_abc_ands"] for r in rows)
    summary = {"designs": len(rows), "ours_ands": tot_o, "yosys_abc_ands": tot_y,
               "smaller": smaller, "larger": larger, "ours_read_cpu_s": ours_read,
               "yosys_cpu_s": yosys_cpu, "time": time.strftime("%H:%M")}
    print(f"ours {tot_o} ANDs vs Yosys+ABC {tot_y} ({tot_o / max(tot_y, 1):.3f}x); smaller on "
          f"{smaller}, larger on {larger}; reading {ours_read:.2f} s CPU vs Yosys {yosys_cpu:.2f} s")
    if skipped:
        print(f"not compared (Yosys's netlist differs from ours; the tests judge them by "
              f"iverilog): {', '.join(skipped)}")
    summary["not_compared"] = skipped
    common.write_json("rtl-designs", rows, summary)
    return 0
