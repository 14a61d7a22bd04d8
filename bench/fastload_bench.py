"""Whole-process CPU of `edapipe spice DECK` with numba's fast load (analog/fastload.py) and
without it (EDAPIPE_NUMBA_FASTLOAD=0), beside ngspice in the same run.

    .venv/bin/python -m bench fastload              # median of 7 alternating runs
    .venv/bin/python -m bench fastload --repeat 11

Decks: a tiny linear one and a BJT logic one from ../shared/benchmarks/spice. Bytecode and
numba's cache are warmed by one run of each before timing. JSON goes to
bench/results/fastload-<git short rev>.json.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess

from bench.common import BENCHMARKS, RUN_ENV, write_json
from bench.spice_bench import edapipe_command

DECKS = ("rc.cir", "fourbitadder.cir")


def _cpu(cmd: list[str], env: dict) -> float:
    """User+sys CPU seconds of one process (output to a pipe, as a user's script reads it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.decode()[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench fastload", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    on = {k: v for k, v in RUN_ENV.items() if k != "EDAPIPE_NUMBA_FASTLOAD"}
    variants = {"fastload": on, "numba's load": dict(on, EDAPIPE_NUMBA_FASTLOAD="0")}
    ngspice = shutil.which("ngspice")
    rows = []
    print(f"{'deck':<18} {'fastload':>9} {'numba':>9} {'ngspice':>9}   CPU s, median of "
          f"{args.repeat}")
    for name in DECKS:
        deck = BENCHMARKS / "spice" / name
        if not deck.exists():
            print(f"{name}: not in {deck.parent}, skipped")
            continue
        cmd = edapipe_command() + ["spice", str(deck)]
        times: dict[str, list[float]] = {k: [] for k in variants}
        ng: list[float] = []
        for env in variants.values():
            _cpu(cmd, env)                                   # warm
        for _ in range(args.repeat):
            for k, env in variants.items():
                times[k].append(_cpu(cmd, env))
            if ngspice:
                ng.append(_cpu([ngspice, "-b", str(deck)], on))
        row = {"deck": name, **{k: statistics.median(v) for k, v in times.items()},
               "ngspice": statistics.median(ng) if ng else None}
        rows.append(row)
        ngs = f"{row['ngspice']:9.3f}" if ng else f"{'-':>9}"
        plain = row["numba's load"]
        print(f"{name:<18} {row['fastload']:9.3f} {plain:9.3f} {ngs}")
    path = write_json("fastload", rows, {"repeat": args.repeat})
    print(f"wrote {path}")
    return 0
