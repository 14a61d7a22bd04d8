"""The readers under fuzzing: for each, its seeds and `run(data: bytes, work: Path)`.

Each `run` feeds the bytes through the library the way the matching command does, in
process, and a little past the reader where that is cheap (what `edapipe read` writes, what
`edapipe sta` reports, what `edapipe spice` simulates and prints), so a reader that accepts
something it should have refused shows up in the first stage that trips over it:

| reader  | stands for                                                  | the case is     |
|---------|-------------------------------------------------------------|-----------------|
| aag     | `edapipe read x.aag` (parse, then write binary AIGER)       | ASCII AIGER     |
| aig     | `edapipe read x.aig`                                        | binary AIGER    |
| blif    | `edapipe read x.blif`                                       | BLIF            |
| bench   | `edapipe read x.bench`                                      | BENCH           |
| verilog | `edapipe read x.v` (structural reader, RTL fallback)        | Verilog         |
| rtl     | `edapipe read x.v -D EDAPIPE_FUZZ` (the pyslang frontend)   | Verilog, RTL    |
| liberty | `edapipe sta design.vg -l x.lib --sdc design.sdc --wire-load` | Liberty       |
| netlist | `edapipe sta x.vg -l cells.lib --sdc design.sdc`            | gate netlist    |
| sdc     | `edapipe sta design.vg -l cells.lib --sdc x.sdc`            | SDC             |
| spice   | `edapipe spice x.cir` (the deck's analyses, low budgets)    | SPICE deck      |

The STA targets report as the command does (summary, worst paths, JSON); the SPICE target
writes what --csv, --raw and --json would, with EDAPIPE_MAX_POINTS/EDAPIPE_MAX_ELEMENTS set
low (SPICE_BUDGETS) since the seeds are tiny. The calls are those the commands make
(`parse_analysis` too, as `simulate` does), so the targets survive changes inside the readers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

SEEDS = Path(__file__).resolve().parent / "seeds"


@dataclass(frozen=True)
class Target:
    name: str
    seeds: tuple[str, ...]          # file names under seeds/
    run: Callable[[bytes, Path], None]
    # for a case over its time limit: True if it is still visibly working (a long but
    # legitimate simulation reports progress; issue 13 does not count that as a hang)
    progressing: Callable[[], bool] | None = None

    def seed_bytes(self) -> list[bytes]:
        return [(SEEDS / s).read_bytes() for s in self.seeds]


def _logic(fmt: str, filename: str, rtl: bool = False):
    def run(data: bytes, work: Path) -> None:
        from edapipe.aig import io

        opts = io.VerilogOptions(defines={"EDAPIPE_FUZZ": "1"}) if rtl else None
        aig = io.parse(data, filename, fmt, opts)
        io.dump(aig, "aig")        # what `edapipe read` writes to the next stage

    return run


def _sta(role: str):
    """The timing flow with one of its three inputs replaced by the case."""

    def run(data: bytes, work: Path) -> None:
        from edapipe.timing import report
        from edapipe.timing.search import HOLD, SETUP
        from edapipe.timing.sta import StaParams, run_sta

        paths = {"liberty": SEEDS / "cells.lib", "netlist": SEEDS / "design.vg",
                 "sdc": SEEDS / "design.sdc"}
        case = work / {"liberty": "case.lib", "netlist": "case.vg", "sdc": "case.sdc"}[role]
        case.write_bytes(data)
        paths[role] = case
        an = run_sta(StaParams(str(paths["netlist"]), (str(paths["liberty"]),),
                               str(paths["sdc"]), wire_load=role == "liberty",
                               use_cache=False))
        report.format_summary(an, 3)
        for check in (SETUP, HOLD):
            for ep in report.sorted_endpoints(an, check)[:2]:
                report.format_path(an, ep, check, 3)
        report.dumps(an)

    return run


_last_progress = [0.0]
PROGRESS_WINDOW = 2.0   # seconds: progress this recent at the time limit means "slow", not hung


def _progress(fraction: float) -> None:
    _last_progress[0] = time.monotonic()


def _spice_progressing() -> bool:
    return time.monotonic() - _last_progress[0] < PROGRESS_WINDOW


# The budgets a legitimately big simulation raises (edapipe.analog.limits), set low for tiny
# decks: a mutated `.ac dec 1meg 1k 1meg` is then a quick ResourceLimit instead of a minutes-long
# sweep that is within the default budget and not a bug.
SPICE_BUDGETS = {"EDAPIPE_MAX_POINTS": "100000", "EDAPIPE_MAX_ELEMENTS": "100000"}


def _spice(data: bytes, work: Path) -> None:
    import os

    # set for this case only: the targets also run inside pytest, where a budget left in
    # the environment would change other tests' limits
    saved = {name: os.environ.get(name) for name in SPICE_BUDGETS}
    for name, value in SPICE_BUDGETS.items():
        os.environ.setdefault(name, value)
    try:
        _spice_case(data, work)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _spice_case(data: bytes, work: Path) -> None:
    from edapipe.analog import output
    from edapipe.analog.analyses import parse_analysis
    from edapipe.analog.spice import load_circuit, simulate

    # the path only places relative .include files (seeds/models.inc); nothing is read from it
    circ = load_circuit(str(SEEDS / "case.cir"), data.decode("utf-8", errors="replace"))
    deck = getattr(circ, "deck", None)
    outs = output.parse_outputs(deck.outputs if deck is not None else [])
    params = getattr(circ, "params", {})
    specs = [parse_analysis(card, params) for card in circ.analyses]
    if not specs:
        simulate(circ)      # the "no analysis" error
        return
    results = []
    for spec in specs:      # as simulate does, one at a time: each one done is progress
        results += simulate(circ, [spec], _progress).results   # transients report progress
        _progress(1.0)
    results, _ = output.select_saved(results, outs)
    for res in results:
        output.to_csv(res)
        if res.kind == "op":
            output.op_table(res)
        if outs.prints.get(res.kind):
            output.print_table(res, outs.prints[res.kind])
    output.to_raw(results, circ.title, binary=True)
    output.to_json(results, circ.title)


# seed files that are not whole inputs of a reader, used only as splicing material
FRAGMENTS = ("models.inc",)

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("aag", ("half_adder.aag", "toggle.aag"), _logic("aag", "case.aag")),
    Target("aig", ("half_adder.aig", "toggle.aig", "c17.aig"), _logic("aig", "case.aig")),
    Target("blif", ("half_adder.blif",), _logic("blif", "case.blif")),
    Target("bench", ("c17.bench",), _logic("bench", "case.bench")),
    Target("verilog", ("adder4.v", "shift.v"), _logic("verilog", "case.v")),
    Target("rtl", ("alu_rtl.v", "fsm_rtl.sv"), _logic("verilog", "case.sv", rtl=True)),
    Target("liberty", ("cells.lib",), _sta("liberty")),
    Target("netlist", ("design.vg",), _sta("netlist")),
    Target("sdc", ("design.sdc",), _sta("sdc")),
    Target("spice", ("rc_filter.cir", "amp.cir"), _spice, _spice_progressing),
)}


def _selftest(data: bytes, work: Path) -> None:
    """A reader that misbehaves on purpose (EDAPIPE_FUZZ_SELFTEST=memory|hang|crash|raise),
    on every case but its seed: the harness's own tests use it to see each limit work."""
    import os
    import signal

    if data == (SEEDS / "half_adder.aag").read_bytes():
        return
    how = os.environ.get("EDAPIPE_FUZZ_SELFTEST")
    if how == "memory":
        blocks = []
        while True:                       # touch the pages: a real allocation
            blocks.append(bytearray(64 << 20))
    elif how == "hang":                   # the alarm cannot reach this: the parent must
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        time.sleep(3600)
    elif how == "crash":
        os.abort()
    elif how == "raise":
        raise IndexError("selftest")


if __import__("os").environ.get("EDAPIPE_FUZZ_SELFTEST"):
    TARGETS["selftest"] = Target("selftest", ("half_adder.aag",), _selftest)


def corpus() -> list[bytes]:
    """Every seed of every reader: splices and foreign lines come from here."""
    names = sorted({s for t in TARGETS.values() for s in t.seeds} | set(FRAGMENTS))
    return [(SEEDS / s).read_bytes() for s in names]
