"""Flow `seq`: safety properties and sequential equivalence, beside ABC in the same run.

    python -m bench seq [--suite mc|sec|bmc|all] [--limit 60] [--only a,b] [--engine auto]

mc: every problem of ../shared/benchmarks/mc with `edapipe prove --cpu-limit LIMIT
--witness --certificate` beside ABC `pdr -T LIMIT` and `dprove -T LIMIT` (after `logic;
undc; strash; zero; fold`). Each witness is replayed with `edapipe sim` (the property output
is 1 in the last frame) and each certificate checked with `edapipe check-certificate`;
verdicts are compared with the authors' and ABC's. Times are user+sys CPU of the whole
process (/usr/bin/time), ours including reading, the engines' child processes, the replay
of the trace or the certificate check that `prove` does before answering.

sec: each ISCAS89 circuit (read by edapipe, written as AIGER) against ABC's `scorr;
dretime; dc2` version and two one-gate mutants of it: `edapipe sec --cpu-limit LIMIT`
beside ABC `dsec -T LIMIT`.

bmc (not in `all`): BMC alone on the same files, `edapipe prove --engine bmc --cpu-limit
LIMIT` beside ABC `bmc3 -T LIMIT`: the failing problems of the mc set, and the miters that
ABC's `miter; strash; scorr` leaves of the sec mutants that BMC refutes deep (BMC_MITERS:
what sec hands its engines after correspondence), depth and CPU of both.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import common

MC = common.BENCHMARKS / "mc"
ISCAS = common.BENCHMARKS / "iscas89"
PEERS = common.ROOT.parent / "shared" / "peers" / "seq" / "abc_mc.csv"
ABC_PREP = "logic; undc; strash; zero; fold"
SEC_CIRCUITS = ["s27", "s208.1", "s298", "s344", "s349", "s382", "s386", "s400", "s420.1",
                "s444", "s510", "s526", "s526n", "s641", "s713", "s820", "s832", "s838.1",
                "s953", "s1196", "s1238", "s1423", "s1488", "s1494", "s5378", "s9234.1",
                "s13207.1", "s15850.1", "s35932", "s38417"]


def timed(cmd: list[str], timeout: float,
          cwd: str | None = None) -> tuple[float, float, int, str]:
    """(wall, user+sys CPU, exit code, stdout) of one process, any exit code (in `cwd`:
    ABC's dsec leaves sm01.aig in its working folder)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fh:
        t0 = time.perf_counter()
        # its own process group, so a timeout kills the tool too, not only /usr/bin/time
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%U %S", "-o", fh.name] + cmd,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=common.RUN_ENV, start_new_session=True, cwd=cwd)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return timeout, float("nan"), -1, ""
        wall = time.perf_counter() - t0
        fields = Path(fh.name).read_text().split()[-2:]
    return wall, float(fields[0]) + float(fields[1]), proc.returncode, out.decode()


def abc_mc(abc: str, path: Path, engine: str, limit: float, cwd: str) -> tuple[str, float]:
    # dprove does not always keep its -T; the generous kill time allows for a loaded machine;
    # it runs in a scratch folder (dprove leaves sm01.aig in its working folder)
    wall, cpu, rc, out = timed([abc, "-c", f"read {path}; {ABC_PREP}; {engine} -T {limit:g}"],
                               limit * 10 + 60, cwd=cwd)
    if rc >= 128:
        return "error", cpu          # killed by a signal: dprove's assertion on latch-only AIGs
    low = out.lower()
    if "was asserted" in low or "not equivalent" in low or "property failed" in low:
        return "SAT", cpu
    if "property proved" in low or "unsatisfiable" in low or "networks are equivalent" in low:
        return "UNSAT", cpu
    return "undecided" if rc >= 0 else "timeout", cpu


def ours_mc(path: Path, folder: Path, limit: float, engine: str) -> dict:
    wit, cert = folder / f"{path.stem}.wit", folder / f"{path.stem}.cert.aig"
    cmd = common.EDAPIPE + ["prove", str(path), "--json", "--engine", engine,
                            "--cpu-limit", str(limit), "--witness", str(wit),
                            "--certificate", str(cert)]
    wall, cpu, rc, out = timed(cmd, limit * 30 + 60)
    row = json.loads(out)["properties"][0] if out.strip() else {"status": "error"}
    verdict = {"holds": "UNSAT", "fails": "SAT"}.get(row["status"], row["status"])
    checked = ""
    if verdict == "SAT":
        checked = "witness replayed" if sim_replay(path, wit, folder) else "WITNESS FAILS"
    elif verdict == "UNSAT":
        chk = subprocess.run(common.EDAPIPE + ["check-certificate", str(path), str(cert)],
                             capture_output=True, text=True, timeout=600)
        checked = "certificate ok" if chk.returncode == 0 else "CERTIFICATE REJECTED"
    return {"verdict": verdict, "cpu": cpu, "wall": wall, "engine": row.get("engine", ""),
            "checked": checked}


def sim_replay(path: Path, wit: Path, folder: Path) -> bool:
    """Does `edapipe sim` show the property's output at 1 in the witness's last frame?

    `sim` prints outputs, so an AIGER 1.9 design gets its B literals as outputs; and it
    reads no empty vector lines, so a design without inputs gets one unused input (every
    literal shifts by one variable) and the witness a 0 per frame."""
    from edapipe.aig.io import read, write

    aig = read(path)
    text = wit.read_text()
    if aig.bad.size:
        aig = aig.replace(outputs=aig.bad, bad=[], output_names=())
    if aig.num_inputs == 0:
        shift = lambda a: np.where(np.asarray(a) >= 2, np.asarray(a) + 2, np.asarray(a))
        aig = aig.replace(num_inputs=1, fanin0=shift(aig.fanin0), fanin1=shift(aig.fanin1),
                          outputs=shift(aig.outputs), latch_next=shift(aig.latch_next),
                          input_names=("unused",))
        lines = text.split("\n")
        end = lines.index(".")
        text = "\n".join(lines[:3] + ["0"] * (end - 3) + lines[end:])
    design, vectors = folder / f"{path.stem}.sim.aig", folder / f"{path.stem}.sim.wit"
    write(aig, design)
    vectors.write_text(text)
    sim = subprocess.run(common.EDAPIPE + ["sim", str(design), "--vectors", str(vectors)],
                         capture_output=True, text=True, timeout=600)
    last = sim.stdout.split()[-1] if sim.stdout.split() else ""
    return last[:1] == "1"


def run_mc(abc: str, limit: float, only: set[str], engine: str, dprove: bool = True
           ) -> tuple[list, dict]:
    with open(PEERS) as fh:
        expected = {r["name"]: r["expected"] for r in csv.DictReader(fh)}
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for path in sorted(MC.glob("*.aig")):
            if only and path.stem not in only:
                continue
            ours = ours_mc(path, Path(d), limit, engine)
            pdr_v, pdr_t = abc_mc(abc, path, "pdr", limit, d)
            dpr_v, dpr_t = (abc_mc(abc, path, "dprove", limit, d) if dprove
                            else ("-", float("nan")))
            rows.append(dict(name=path.stem, expected=expected.get(path.stem, "?"),
                             ours=ours["verdict"], ours_cpu=ours["cpu"], engine=ours["engine"],
                             checked=ours["checked"], abc_pdr=pdr_v, abc_pdr_cpu=pdr_t,
                             abc_dprove=dpr_v, abc_dprove_cpu=dpr_t))
            r = rows[-1]
            print(f"  {r['name']}: ours {r['ours']} {r['ours_cpu']:.2f}s ({r['engine']}, "
                  f"{r['checked']}); pdr {pdr_v} {pdr_t:.2f}s; dprove {dpr_v} {dpr_t:.2f}s",
                  flush=True)
    solved = lambda key: sum(r[key] in ("SAT", "UNSAT") for r in rows)
    wrong = [r["name"] for r in rows if r["ours"] in ("SAT", "UNSAT")
             and r["ours"] != r["expected"]]
    cap = lambda t: min(t, limit) if t == t else limit
    summary = {"instances": len(rows), "solved_ours": solved("ours"),
               "solved_abc_pdr": solved("abc_pdr"),
               "solved_abc_dprove": solved("abc_dprove") if dprove else None,
               "wrong_verdicts": wrong,
               "cpu_ours": round(sum(cap(r["ours_cpu"]) for r in rows), 2),
               "cpu_abc_pdr": round(sum(cap(r["abc_pdr_cpu"]) for r in rows), 2),
               "cpu_abc_dprove": (round(sum(cap(r["abc_dprove_cpu"]) for r in rows), 2)
                                  if dprove else None),
               "unchecked": [r["name"] for r in rows if r["ours"] in ("SAT", "UNSAT")
                             and r["checked"] not in ("witness replayed", "certificate ok")]}
    return rows, summary


def mutant(src: Path, dst: Path, seed: int) -> None:
    from edapipe.aig.io import read, write

    aig = read(src)
    rng = np.random.default_rng(seed)
    f0, f1 = aig.fanin0.copy(), aig.fanin1.copy()
    k = int(rng.integers(aig.num_ands))
    f0[k] ^= 1
    write(aig.replace(fanin0=np.maximum(f0, f1), fanin1=np.minimum(f0, f1)), dst)


def sec_versions(folder: Path, abc: str, name: str) -> tuple[Path, Path]:
    """ISCAS89 circuit `name` read by edapipe and ABC's `scorr; dretime; dc2` version of it
    (the files in `folder`)."""
    a, b = folder / f"{name}.aig", folder / f"{name}.ret.aig"
    subprocess.run(common.EDAPIPE + ["read", str(ISCAS / f"{name}.bench"), "-o", str(a)],
                   check=True, timeout=600)
    subprocess.run([abc, "-c", f"read {a}; strash; scorr; dretime; dc2; write {b}"],
                   check=True, capture_output=True, timeout=600)
    return a, b


def run_sec(abc: str, limit: float, only: set[str]) -> tuple[list, dict]:
    rows = []
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for name in SEC_CIRCUITS:
            if only and name not in only or not (ISCAS / f"{name}.bench").exists():
                continue
            a, b = sec_versions(d, abc, name)
            versions = [("ret", b)]
            for seed in range(2):
                m = d / f"{name}.bug{seed}.aig"
                mutant(b, m, seed)
                versions.append((f"bug{seed}", m))
            for label, other in versions:
                _, cpu, rc, out = timed(common.EDAPIPE + ["sec", str(a), str(other), "--json",
                                                          "--cpu-limit", str(limit)],
                                        limit * 10 + 60)
                ours = {0: "equal", 1: "differ", 4: "undecided"}.get(rc, f"error {rc}")
                _, acpu, _, aout = timed([abc, "-c", f"dsec -T {limit:g} {a} {other}"],
                                         limit * 10 + 60, cwd=str(d))
                theirs = ("differ" if "NOT EQUIVALENT" in aout else
                          "equal" if "are equivalent" in aout else "undecided")
                rows.append(dict(name=name, version=label, ours=ours, ours_cpu=cpu,
                                 abc_dsec=theirs, abc_dsec_cpu=acpu))
                print(f"  {name} {label}: ours {ours} {cpu:.2f}s; dsec {theirs} {acpu:.2f}s",
                      flush=True)
    cap = lambda t: min(t, limit) if t == t else limit
    both = [r for r in rows if "undecided" not in (r["ours"], r["abc_dsec"])]
    disagree = [f"{r['name']}.{r['version']}" for r in rows
                if "undecided" not in (r["ours"], r["abc_dsec"]) and r["ours"] != r["abc_dsec"]]
    summary = {"pairs": len(rows), "retimed_proven": sum(r["version"] == "ret" and
                                                         r["ours"] == "equal" for r in rows),
               "retimed": sum(r["version"] == "ret" for r in rows),
               "mutants_refuted": sum(r["version"] != "ret" and r["ours"] == "differ"
                                      for r in rows),
               "mutants_refuted_abc": sum(r["version"] != "ret" and r["abc_dsec"] == "differ"
                                          for r in rows),
               "disagreements": disagree,
               "cpu_ours": round(sum(cap(r["ours_cpu"]) for r in rows), 2),
               "cpu_abc_dsec": round(sum(cap(r["abc_dsec_cpu"]) for r in rows), 2),
               # without the pairs either side leaves undecided (there the limit decides)
               "cpu_ours_both_decided": round(sum(r["ours_cpu"] for r in both), 2),
               "cpu_abc_dsec_both_decided": round(sum(r["abc_dsec_cpu"] for r in both), 2)}
    return rows, summary


BMC_MITERS = [("s13207.1", 0)]   # (circuit, mutant seed) of the sec suite


def bmc_cases(folder: Path, abc: str, only: set[str]) -> list[Path]:
    with open(PEERS) as fh:
        failing = {r["name"] for r in csv.DictReader(fh) if r["expected"] == "SAT"}
    cases = [p for p in sorted(MC.glob("*.aig")) if p.stem in failing]
    for name, seed in BMC_MITERS:
        miter = folder / f"{name}.bug{seed}.miter.aig"
        if only and miter.stem not in only:
            continue
        a, b = sec_versions(folder, abc, name)
        m = folder / f"{name}.bug{seed}.aig"
        mutant(b, m, seed)
        subprocess.run([abc, "-c", f"miter {a} {m}; strash; scorr; write_aiger -s {miter}"],
                       check=True, capture_output=True, timeout=600)
        cases.append(miter)
    return [p for p in cases if not only or p.stem in only]


def run_bmc(abc: str, limit: float, only: set[str]) -> tuple[list, dict]:
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for path in bmc_cases(Path(d), abc, only):
            _, cpu, rc, out = timed(common.EDAPIPE + ["prove", str(path), "--json", "--engine",
                                                      "bmc", "--cpu-limit", str(limit)],
                                    limit * 10 + 60)
            try:
                row = json.loads(out)["properties"][0]
            except (ValueError, KeyError, IndexError):
                row = {"status": "error"}
            ours = row["status"] if rc in (0, 1, 4) else f"error {rc}"
            _, acpu, _, aout = timed([abc, "-c", f"read {path}; bmc3 -T {limit:g}"],
                                     limit * 10 + 60, cwd=d)
            hit = [w for w in aout.split("\n") if "was asserted in frame" in w]
            theirs = int(hit[0].split("frame")[1].split(".")[0]) if hit else None
            rows.append(dict(name=path.stem, ours=ours, ours_depth=row.get("depth"),
                             ours_cpu=cpu, bmc3_depth=theirs, bmc3_cpu=acpu))
            print(f"  {path.stem}: ours {ours} at {row.get('depth')} {cpu:.2f}s; "
                  f"bmc3 {theirs} {acpu:.2f}s", flush=True)
    summary = {"instances": len(rows),
               "fails_ours": sum(r["ours"] == "fails" for r in rows),
               "fails_bmc3": sum(r["bmc3_depth"] is not None for r in rows),
               "cpu_ours": round(sum(r["ours_cpu"] for r in rows), 2),
               "cpu_bmc3": round(sum(r["bmc3_cpu"] for r in rows), 2)}
    return rows, summary


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench seq")
    ap.add_argument("--suite", choices=["mc", "sec", "bmc", "all"], default="all")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds per instance")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--engine", default="auto", choices=["auto", "pdr", "bmc", "kind"])
    ap.add_argument("--no-dprove", action="store_true",
                    help="skip ABC dprove (its -T is not always kept: minutes past the limit)")
    args = ap.parse_args(argv)
    abc = common.tool("berkeley-abc")
    if abc is None:
        print("berkeley-abc is not installed")
        return 2
    only = {x for x in args.only.split(",") if x}
    rows, summary = [], {}
    if args.suite in ("mc", "all"):
        r, s = run_mc(abc, args.limit, only, args.engine, not args.no_dprove)
        rows += [dict(x, suite="mc") for x in r]
        summary["mc"] = s
        common.print_table("mc (CPU seconds)", ["instance", "expected", "ours", "cpu", "engine",
                                                "checked", "abc pdr", "cpu", "abc dprove", "cpu"],
                           [[x["name"], x["expected"], x["ours"], x["ours_cpu"], x["engine"],
                             x["checked"], x["abc_pdr"], x["abc_pdr_cpu"], x["abc_dprove"],
                             x["abc_dprove_cpu"]] for x in r])
    if args.suite in ("sec", "all"):
        r, s = run_sec(abc, args.limit, only)
        rows += [dict(x, suite="sec") for x in r]
        summary["sec"] = s
        common.print_table("sec (CPU seconds)", ["circuit", "version", "ours", "cpu",
                                                 "abc dsec", "cpu"],
                           [[x["name"], x["version"], x["ours"], x["ours_cpu"], x["abc_dsec"],
                             x["abc_dsec_cpu"]] for x in r])
    if args.suite == "bmc":
        r, s = run_bmc(abc, args.limit, only)
        rows += [dict(x, suite="bmc") for x in r]
        summary["bmc"] = s
        common.print_table("bmc (CPU seconds)", ["instance", "ours", "depth", "cpu",
                                                 "bmc3 depth", "cpu"],
                           [[x["name"], x["ours"], x["ours_depth"], x["ours_cpu"],
                             x["bmc3_depth"], x["bmc3_cpu"]] for x in r])
    print(json.dumps(summary, indent=1))
    flow = "seq" if args.suite == "all" else f"seq-{args.suite}"
    print(f"results: {common.write_json(flow, rows, summary)}")
    return 0
