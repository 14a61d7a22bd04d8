"""Flow `rtl`: Verilog read to AIG through the RTL frontend beside Yosys's read-to-AIGER.

    python -m bench rtl [--circuits log2,sqrt,multiplier,square] [--yosys-synth]

Ours runs in a fresh process per file (`python -c read_sources(...)`, pyslang import and all)
and reports its own split: slang parse, slang compile (hierarchy), our elaboration (the walk,
which also pays for slang's lazy binding of each expression). Yosys runs
`read_verilog; hierarchy; proc; flatten; techmap; aigmap; write_aiger` (its lightest path to
AIGER); --yosys-synth adds the `synth -flatten` flow the tests use (minutes on these files).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench import common

DEFAULT = "log2,sqrt,multiplier,square"
LIGHT = "read_verilog {v}; hierarchy -top top; proc; flatten; techmap; aigmap; write_aiger {o}"
SYNTH = "read_verilog {v}; synth -flatten -top top; aigmap; write_aiger {o}"
OURS = ("import json, sys, time; t = time.perf_counter(); "
        "from edapipe.synth.rtl import read_sources; from edapipe.aig import io; "
        "t_imp = time.perf_counter() - t; st = []; "
        "p = sys.argv[1]; aig = read_sources([(open(p).read(), p)], stats=st); "
        "io.write(aig, sys.argv[2]); "
        "print(json.dumps(dict(st[0].as_dict(), import_s=t_imp, ands=aig.num_ands)))")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench rtl", description=__doc__)
    ap.add_argument("--circuits", default=DEFAULT, help="comma-separated EPFL names")
    ap.add_argument("--yosys-synth", action="store_true", help="also time the synth flow")
    args = ap.parse_args(argv)
    yosys = common.tool("yosys")
    rows, table = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "o.aig"
        for name in filter(None, args.circuits.split(",")):
            v = common.BENCHMARKS / "epfl" / f"{name}.v"
            wall, rss, text = common.run_measured([sys.executable, "-c", OURS, str(v), str(out)])
            split = json.loads(text.strip().splitlines()[-1])
            ys_wall = ys_synth = float("nan")
            if yosys:
                ys_wall = common.run_measured(
                    [yosys, "-q", "-p", LIGHT.format(v=v, o=out)])[0]
                if args.yosys_synth:
                    ys_synth = common.run_measured(
                        [yosys, "-q", "-p", SYNTH.format(v=v, o=out)])[0]
            row = dict(circuit=name, ands=split["ands"], ours_process_s=wall,
                       ours_peak_mb=rss / 2**20, parse_s=split["parse_s"],
                       compile_s=split["compile_s"], elaborate_s=split["elaborate_s"],
                       import_s=split["import_s"], yosys_light_s=ys_wall,
                       yosys_synth_s=ys_synth,
                       ratio_light=wall / ys_wall if ys_wall == ys_wall else float("nan"))
            rows.append(row)
            table.append([name, split["ands"], wall, split["parse_s"], split["compile_s"],
                          split["elaborate_s"], ys_wall, ys_synth, row["ratio_light"]])
    common.print_table("Verilog -> AIG (whole processes; ours split in-process)",
                       ["circuit", "ANDs", "ours s", "parse s", "compile s", "elab s",
                        "yosys s", "yosys synth s", "ours/yosys"], table)
    summary = {"ratio_light": {r["circuit"]: r["ratio_light"] for r in rows},
               "ratio_geomean": common.geomean([r["ratio_light"] for r in rows])}
    path = common.write_json("rtl", rows, summary)
    print(f"summary: {summary}\nwritten {path}")
    return 0
