"""`python -m bench FLOW [options]`: run one benchmark flow (see bench/README.md)."""

from __future__ import annotations

import importlib
import sys

FLOWS = {
    "cec": ("bench.cec_bench", "cec of each circuit vs its ABC resyn2 result, beside ABC cec/&cec"),
    "io": ("bench.io_bench", "read+write AIGER beside ABC; `edapipe stats` process time"),
    "opt": ("bench.opt_bench", "`edapipe opt SCRIPT` beside ABC's same script: ANDs, levels, time"),
    "sta": ("bench.sta_bench", "static timing beside OpenSTA"),
    "spice": ("bench.spice_bench", "SPICE analyses beside ngspice"),
    "fastload": ("bench.fastload_bench",
                 "`edapipe spice` process CPU with and without numba's fast load"),
    "rtl": ("bench.rtl_bench", "Verilog RTL read to AIG beside Yosys's read-to-AIGER"),
    "rtl-designs": ("bench.rtl_designs_bench",
                    "the project's Verilog designs: ANDs after resyn2 and read CPU beside Yosys+ABC"),
    "seq": ("bench.seq_bench", "prove on the mc set beside ABC pdr/dprove; sec beside ABC dsec; "
            "BMC beside bmc3 (--suite bmc)"),
    "map": ("bench.map_bench", "LUT and cell mapping beside ABC; `edapipe flow` beside Yosys"),
    "batch": ("bench.batch_bench", "run/batch/explore beside ABC; start-up CPU per command"),
}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help") or sys.argv[1] not in FLOWS:
        print("usage: python -m bench FLOW [options]\n\nflows:")
        for name, (_, text) in FLOWS.items():
            print(f"  {name:<8} {text}")
        return 0 if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help") else 2
    module = importlib.import_module(FLOWS[sys.argv[1]][0])
    return module.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
