"""SPICE beside ngspice on the peer generator's scale circuits, in the same run.

    .venv/bin/python -m bench.spice_bench            # headline cases + scaling table
    .venv/bin/python -m bench.spice_bench --quick    # small sizes only (smoke test)
    .venv/bin/python -m bench.spice_bench --repeat 3 # medians of 3 alternating runs
    .venv/bin/python -m bench.spice_bench --meas     # RC ladders with .meas cards
    .venv/bin/python -m bench.spice_bench --bsim3    # BSIM3 inverter chains (issue 16)
    .venv/bin/python -m bench.spice_bench --bsim4    # BSIM4 inverter chains (issue 16)

Circuits come from ../shared/peers/analog/gen.py (generated into bench/.cache). Every
process runs under /usr/bin/time: CPU seconds (user+sys, the stable number on a loaded
machine), wall seconds and peak RSS. Two comparisons, each the median of --repeat
alternating runs:

* process: `edapipe spice DECK` (the installed command, output to a pipe, bytecode and
  numba's cache warm) against `ngspice -b DECK`, CPU and wall: what a user waits for.
* analysis: edapipe's in-process parse + simulate CPU time (a child that imports and warms
  numba first, so interpreter start, imports and cache loading are left out) against
  ngspice's process CPU (its start-up is a few milliseconds).

JSON goes to bench/results/spice-<git short rev>.json.
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

import os
import statistics

from bench.common import CACHE, ROOT, RUN_ENV, write_json

GEN = ROOT.parent / "shared" / "peers" / "analog" / "gen.py"

# (family, size, analysis): the three headline cases of issue 7 first
HEADLINE = [("mesh", 100, "op"), ("rcladder", 10000, "tran"), ("invchain", 500, "tran")]
# growth from ~100 to ~10k nodes
SCALING = [("mesh", 10, "op"), ("mesh", 30, "op"), ("mesh", 50, "op"),
           ("rcladder", 100, "tran"), ("rcladder", 1000, "tran"),
           ("invchain", 50, "tran")]
QUICK = [("mesh", 10, "op"), ("rcladder", 100, "tran"), ("invchain", 50, "tran")]
# --meas: an RC ladder's transient with .meas cards of every kind (issue 16)
MEAS = [("rcladder", 1000, "tran"), ("rcladder", 10000, "tran")]
_MEAS_CARDS = """.meas tran tdelay trig v(n0) val=0.5 rise=1 targ v({out}) val=0.2 rise=1
.meas tran tfall trig v(n0) val=0.5 fall=1 targ v({out}) val=0.2 fall=last
.meas tran tcross when v({out})=0.3 cross=2
.meas tran vmid find v({mid}) at=1.234e-7
.meas tran vwhen find v({mid}) when v({out})=0.2 rise=1
.meas tran vmax max v({out}) from=5e-8 to=2e-7
.meas tran vmin min_at v({mid}) from=1e-7
.meas tran vavg avg v({out}) from=2e-8 to=1.8e-7
.meas tran vpp pp v({mid})
.meas tran vrms rms v({out}) from=1e-8 to=1.9e-7
.meas tran vint integ v({mid}) from=0 to=2e-7
.meas tran ratio param='tdelay/tfall'
"""
# --bsim3: inverter chains of BSIM3v3.3 transistors (Berkeley's 0.35 um cards from the
# shared benchmarks' ngspice examples), a pulse through the chain
BSIM3 = [("b3chain", 50, "tran"), ("b3chain", 200, "tran")]
BSIM3_CARDS = ROOT.parent / "shared" / "benchmarks" / "spice" / "bsim" / "examples" / "mos"
# ngspice loads BSIM3 devices on OpenMP threads, whose spinning counts as CPU time: one
# thread, as edapipe runs (on 2 loaded cores it was also faster in wall time)
# --bsim4: inverter chains of BSIM4.8 transistors (ngspice's BSIM4 QA cards, 0.1 um, with
# the gate/body resistance and tunnelling modes the QA card turns on switched off)
BSIM4 = [("b4chain", 100, "tran"), ("b4chain", 500, "tran")]
BSIM4_QA = ROOT.parent / "shared" / "benchmarks" / "spice" / "bsim" / "tests" / "bsim4"
NG_ENV = {"b3chain": {**RUN_ENV, "OMP_NUM_THREADS": "1"},
          "b4chain": {**RUN_ENV, "OMP_NUM_THREADS": "1"}}
NODES = {"mesh": lambda n: n * n, "rcladder": lambda n: n + 1, "invchain": lambda n: n + 2,
         "b3chain": lambda n: n + 2, "b4chain": lambda n: n + 2}

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
    if family == "b3chain":
        path.write_text(_bsim3_chain(size))
    elif family == "b4chain":
        path.write_text(_bsim4_chain(size))
    elif not path.exists():
        subprocess.run([sys.executable, str(GEN), family, str(size), "--analysis", analysis,
                        "-o", str(path)], check=True)
    return path


def _bsim3_chain(n: int) -> str:
    lines = [f"* {n}-stage BSIM3v3.3 inverter chain",
             f".include {BSIM3_CARDS / 'modelcard.nmos'}",
             f".include {BSIM3_CARDS / 'modelcard.pmos'}",
             "vdd vdd 0 3.3", "vin n0 0 pulse(0 3.3 0.2n 0.1n 0.1n 2n 4n)"]
    for k in range(n):
        a, y = f"n{k}", f"n{k + 1}"
        lines.append(f"mp{k} {y} {a} vdd vdd p1 l=0.35u w=2u ad=2p pd=6u as=2p ps=6u")
        lines.append(f"mn{k} {y} {a} 0 0 n1 l=0.35u w=1u ad=1p pd=4u as=1p ps=4u")
        lines.append(f"c{k} {y} 0 5f")
    return "\n".join(lines) + f"\n.tran 10p 8n\n.print tran v(n{n})\n.end\n"


def _bsim4_card(kind: str, name: str) -> str:
    import re
    text = (BSIM4_QA / kind / "parameters" / f"{kind}Parameters").read_text()
    off = {"igcmod": "0", "igbmod": "0", "rbodymod": "0", "rgatemod": "0", "geomod": "0"}
    pairs = re.findall(r"(\w+)\s*=\s*\(([^)]*)\)", text)
    body = "\n".join(f"+ {k}={off.get(k, v)}" for k, v in pairs)
    return f".model {name} {kind} level=14 version=4.8.1\n{body}\n"


def _bsim4_chain(n: int) -> str:
    lines = [f"* {n}-stage BSIM4.8 inverter chain", _bsim4_card("nmos", "n1"),
             _bsim4_card("pmos", "p1"), "vdd vdd 0 1.2",
             "vin n0 0 pulse(0 1.2 0.1n 50p 50p 1n 2n)"]
    for k in range(n):
        a, y = f"n{k}", f"n{k + 1}"
        lines.append(f"mp{k} {y} {a} vdd vdd p1 l=0.1u w=2u ad=1p pd=3u as=1p ps=3u")
        lines.append(f"mn{k} {y} {a} 0 0 n1 l=0.1u w=1u ad=0.5p pd=2u as=0.5p ps=2u")
        lines.append(f"c{k} {y} 0 2f")
    return "\n".join(lines) + f"\n.tran 5p 4n\n.print tran v(n{n})\n.end\n"


def generate_meas(family: str, size: int, analysis: str) -> Path:
    """The scale deck with .meas cards (on nodes 4 and 12) before .end."""
    base = generate(family, size, analysis)
    path = CACHE / f"{family}{size}_{analysis}_meas.cir"
    if not path.exists():
        cards = _MEAS_CARDS.format(out="n12", mid="n4")   # where the pulse gets to
        text = base.read_text().replace("\n.end", "\n" + cards + ".end")
        path.write_text(text)
    return path


def edapipe_command() -> list[str]:
    """The installed console script beside this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("edapipe")
    return [str(script)] if script.exists() else [sys.executable, "-m", "edapipe"]


def measure(cmd: list[str], timeout: float, env: dict | None = None) -> dict:
    """Run under /usr/bin/time: wall, CPU (user+sys) and peak RSS of the child alone."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%M %U %S", "-o", tf.name] + cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout,
                              env=env or RUN_ENV)
        wall = time.perf_counter() - t0
        fields = Path(tf.name).read_text().split()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-400:]}")
    rss_kb, user, sys_ = fields[-3:]
    return {"wall_s": wall, "cpu_s": float(user) + float(sys_), "rss_mb": int(rss_kb) / 1024,
            "stdout": proc.stdout}


def _medians(runs: list[dict], keys: tuple[str, ...]) -> dict:
    """Median of each measure over the runs (each taken on its own), plus every run's."""
    out = {}
    for key in keys:
        vals = [r[key] for r in runs if r.get(key) is not None]
        out[key] = statistics.median(vals) if vals else None
        if len(runs) > 1:
            out[f"runs_{key}"] = vals
    return out


def run_case(family: str, size: int, analysis: str, timeout: float, repeat: int = 1,
             meas: bool = False) -> dict:
    """edapipe (in-process analysis child and the whole `edapipe spice` process) and
    ngspice, `repeat` times alternating (load changes hit all alike); medians. `meas`:
    the deck with .meas cards (both simulators measure and print)."""
    deck = (generate_meas if meas else generate)(family, size, analysis)
    row = {"circuit": f"{family} {size}" + (" +meas" if meas else ""), "analysis": analysis,
           "nodes": NODES[family](size)}
    an_runs, proc_runs, ng_runs = [], [], []
    cli = edapipe_command()
    have_ng = shutil.which("ngspice") is not None
    for _ in range(repeat):
        child = measure([sys.executable, "-c", _CHILD, str(deck)], timeout)
        info = json.loads(child.pop("stdout").strip().splitlines()[-1])
        an_runs.append({**info, "analysis_s": info["parse_s"] + info["sim_s"]})
        proc = measure(cli + ["spice", str(deck)], timeout)
        proc.pop("stdout")
        proc_runs.append(proc)
        if have_ng and "timeout_s" not in row.get("ngspice", {}):
            try:
                ng = measure(["ngspice", "-b", str(deck)], timeout, NG_ENV.get(family))
                ng["analysis_s"] = _ngspice_analysis_time(ng.pop("stdout"))
                ng_runs.append(ng)
            except subprocess.TimeoutExpired:
                row["ngspice"] = {"timeout_s": timeout}
    ours = _medians(an_runs, ("analysis_s", "parse_s", "sim_s", "startup_s"))
    ours.update(_medians(proc_runs, ("cpu_s", "wall_s", "rss_mb")))
    ours["points"] = an_runs[0]["points"]
    ours["unknowns"] = an_runs[0]["unknowns"]
    ours["command"] = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cli)) + \
        f" spice {deck.relative_to(ROOT)}"
    row["edapipe"] = ours
    if ng_runs:
        row["ngspice"] = _medians(ng_runs, ("cpu_s", "wall_s", "rss_mb", "analysis_s"))
        row["ngspice"]["command"] = ("OMP_NUM_THREADS=1 " if family in NG_ENV else "") + \
            f"ngspice -b {deck.relative_to(ROOT)}"
    ng = row.get("ngspice", {})
    if ng.get("cpu_s"):
        row["ngspice_cpu_over_edapipe_analysis"] = ng["cpu_s"] / ours["analysis_s"]
        row["ngspice_cpu_over_edapipe_process_cpu"] = ng["cpu_s"] / ours["cpu_s"]
        row["ngspice_wall_over_edapipe_process_wall"] = ng["wall_s"] / ours["wall_s"]
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
    ap.add_argument("--meas", action="store_true",
                    help="only the RC ladders with .meas cards (issue 16)")
    ap.add_argument("--bsim3", action="store_true",
                    help="only the BSIM3 inverter chains (issue 16)")
    ap.add_argument("--bsim4", action="store_true",
                    help="only the BSIM4 inverter chains (issue 16)")
    args = ap.parse_args(argv)
    cases = (QUICK if args.quick else MEAS if args.meas else BSIM3 if args.bsim3
             else BSIM4 if args.bsim4 else HEADLINE + SCALING)
    # compile numba's kernels once (cache=True) so no case pays compilation
    subprocess.run([sys.executable, "-c", "from edapipe.analog.warm import warm; warm()"],
                   check=True)
    rows = []
    print(f"{'':<16}{'':<6}{'':>7}  {'analysis CPU s':^20}  {'whole process CPU s':^26}"
          f"  {'whole process wall s':^26}  {'peak MB':^9}")
    print(f"{'circuit':<16}{'an.':<6}{'nodes':>7}  {'ours':>6}{'ng':>7}{'ng/ours':>7}  "
          f"{'ours':>6}{'ng':>7}{'ng/ours':>8}  {'':>5}{'ours':>6}{'ng':>7}{'ng/ours':>8}  "
          f"{'':>5}{'ours':>5}{'ng':>4}", flush=True)
    for fam, size, analysis in cases:
        row = run_case(fam, size, analysis, args.timeout, max(1, args.repeat), args.meas)
        ours, ng = row["edapipe"], row.get("ngspice", {})
        rows.append(row)
        print(f"{row['circuit']:<16}{analysis:<6}{row['nodes']:>7}  "
              f"{_fmt(ours['analysis_s']):>6}{_fmt(ng.get('cpu_s')):>7}"
              f"{_fmt(row.get('ngspice_cpu_over_edapipe_analysis')):>7}  "
              f"{_fmt(ours['cpu_s']):>6}{_fmt(ng.get('cpu_s')):>7}"
              f"{_fmt(row.get('ngspice_cpu_over_edapipe_process_cpu')):>8}  {'':>5}"
              f"{_fmt(ours['wall_s']):>6}{_fmt(ng.get('wall_s')):>7}"
              f"{_fmt(row.get('ngspice_wall_over_edapipe_process_wall')):>8}  {'':>5}"
              f"{_fmt(ours['rss_mb'], '.0f'):>5}{_fmt(ng.get('rss_mb'), '.0f'):>4}",
              flush=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    summary = {"cases": len(rows), "repeat": max(1, args.repeat),
               "loadavg_at_end": list(load) if load else None,
               "note": "medians of --repeat alternating runs; analysis = edapipe parse + "
                       "simulate CPU in-process vs ngspice process CPU; process = the whole "
                       "`edapipe spice DECK` process (interpreter, imports, numba cache "
                       "loading, output) vs `ngspice -b DECK`; ratios > 1: edapipe faster"}
    kind = ("spice-meas" if args.meas else "spice-bsim3" if args.bsim3
            else "spice-bsim4" if args.bsim4 else "spice")
    path = write_json(kind, rows, summary)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
