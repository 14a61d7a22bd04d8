"""Checking the safety properties of an AIG: engine choice, portfolio, and validation.

Every answer is checked before it is reported: a failing property's trace is replayed by
simulation (constraints held in every frame, bad in the last), and a PDR invariant is given
to the certificate checker (three SAT calls). An answer that does not check out is an
internal error, never a verdict.

Engines run in child processes (fork) when there is a time limit or more than one engine:
a SAT call inside CaDiCaL cannot be interrupted from Python, so a limit is enforced by
killing the process that holds it. `auto` races PDR, BMC and k-induction and takes the first
holds/fails answer (an undecided one from a bounded engine does not end the race).
"""

from __future__ import annotations

import os
import signal
import time
import traceback
from dataclasses import dataclass

from edapipe.aig.core import Aig
from edapipe.util.budgets import Budget
from edapipe.verify.seq.model import problem, property_literals, property_names
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, Result

PORTFOLIO = ("pdr", "bmc", "kind")
# CPU shares of a --cpu-limit: PDR answers most problems that hold and is the slow one
SHARE = {"pdr": 0.5, "bmc": 0.3, "kind": 0.2, "reach": 0.3, "reach-first": 1.0}
# explicit reachability joins `auto` only where the cone's inputs are few
# (reach.applicable). Under limits the other engines first race for QUICK_RACE wall
# seconds (at most REACH_FIRST of the limits): they answer the easy problems in a fraction
# of reach's search (a deep counter, a wide state set, a costly certificate of many
# states; docs/verification.md). Then reach runs alone: its search for at most
# REACH_SEARCH_CPU seconds (deep counters and wide state sets, which PDR or BMC answer,
# give up there), then the check of its answer, within REACH_FIRST of the limits.
QUICK_RACE = 0.4
REACH_FIRST = 0.25
REACH_SEARCH_CPU = 4.0


@dataclass(frozen=True)
class ProveParams:
    engine: str = "auto"              # pdr | bmc | kind | auto
    time_limit: float = 0.0           # seconds per property (0: none)
    cpu_limit: float = 0.0            # CPU seconds per property, shared by its engines
    max_frames: int = 0               # BMC/induction depth, PDR frames (0: none)
    need_invariant: bool = False      # holds answers must carry an invariant (certificate)
    properties: tuple = ()            # property indices to check (empty: all)


@dataclass
class PropertyResult:
    index: int
    name: str
    result: Result
    wall: float = 0.0

    @property
    def status(self) -> str:
        return self.result.status

    def as_dict(self) -> dict:
        r = self.result
        out = {"property": self.name, "index": self.index, "status": r.status,
               "engine": r.engine, "depth": r.depth, "seconds": round(self.wall, 3)}
        if r.trace is not None:
            out["witness_frames"] = r.trace.length
        if isinstance(r.invariant, list):
            out["invariant_clauses"] = len(r.invariant)
        elif r.invariant is not None:
            out["invariant_states"] = len(r.invariant.rows)
        if r.stats:
            out["stats"] = r.stats
        return out


class EngineError(RuntimeError):
    """An engine gave an answer that does not check out (a bug, reported as such)."""


def _run_engine(name: str, aig: Aig, index: int, max_frames: int, deadline: float,
                progress=None) -> Result:
    """`progress(depth)`: BMC reports each depth it has checked (see bmc.bmc)."""
    from edapipe.verify.seq import bmc, kind, pdr, reach

    if name == "reach-first":
        limits = reach.ReachLimits(search_cpu=REACH_SEARCH_CPU)
        return reach.reach(problem(aig, index), max_frames, deadline, limits)
    if name == "bmc":
        return bmc.bmc(problem(aig, index), max_frames=max_frames, deadline=deadline,
                       progress=progress)
    fn = {"kind": kind.kind, "pdr": pdr.pdr, "reach": reach.reach}[name]
    return fn(problem(aig, index), max_frames=max_frames, deadline=deadline)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this engine when the parent dies (the CLI's SIGTERM handler
    leaves with os._exit, which runs no cleanup that could kill us)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:                  # the parent died before prctl took effect
        os._exit(1)


def _child(conn, name, aig, index, max_frames, deadline, cpu: float, parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if cpu:
        import math
        import resource

        # the kernel stops the process at its CPU share (SIGXCPU), even inside a SAT call
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(cpu), math.ceil(cpu) + 1))
    try:
        res = _run_engine(name, aig, index, max_frames, deadline,
                          lambda depth: conn.send(("depth", depth)))
        # checked here, so the engine's CPU share bounds the check of its answer too (the
        # reachable set of a deep machine can be a hard certificate)
        validate(aig, index, res)
        conn.send(("ok", res))
    except EngineError as e:
        conn.send(("error", str(e)))
    except BaseException:            # the parent re-raises it as an internal error
        conn.send(("error", f"{name}: {traceback.format_exc()}"))
    conn.close()


def _race(engines: tuple, aig: Aig, index: int, max_frames: int, limit: float,
          cpu: float = 0.0, grace: float = 0.5) -> Result:
    """Run the engines in child processes; the first holds/fails answer wins. `limit`:
    wall seconds, after which the engines get `grace` seconds to answer before they are
    killed; `cpu`: CPU seconds shared evenly by the engines."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork")
    deadline = time.monotonic() + limit if limit else 0.0
    running, procs = {}, []
    for name in engines:
        recv, send = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_child, daemon=True,
                        args=(send, name, aig, index, max_frames, deadline,
                              cpu * SHARE[name] / sum(SHARE[e] for e in engines), os.getpid()))
        p.start()
        send.close()
        running[recv] = (name, p)
        procs.append(p)
    best = Result(UNDECIDED, ",".join(engines))
    reported: dict[str, int] = {}     # the depth each engine said it checked, as it went

    def stopped(name: str) -> None:
        # an engine stopped before its answer: undecided at the depth it reported
        nonlocal best
        if reported.get(name, 0) > best.depth:
            best = Result(UNDECIDED, name, reported[name])

    try:
        while running:
            timeout = None if not limit else max(0.0, deadline + grace - time.monotonic())
            ready = wait(list(running), timeout=timeout)
            if not ready:
                break
            for conn in ready:
                name, p = running.pop(conn)
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    p.join(1)
                    if cpu and p.exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
                        stopped(name)                 # its CPU share ran out: undecided
                        continue
                    kind, payload = "error", f"{name}: the engine process died ({p.exitcode})"
                if kind == "depth":
                    reported[name] = payload
                    running[conn] = (name, p)
                    continue
                if kind == "error":
                    raise EngineError(payload)
                if payload.status != UNDECIDED:
                    return payload
                if payload.depth > best.depth:
                    best = payload
        for name, _ in running.values():              # out of time: killed below
            stopped(name)
    finally:
        for conn in running:
            conn.close()
        for p in procs:
            if p.is_alive():
                p.kill()             # our own child: a SAT call does not return to Python
            p.join()                 # reaped, so its CPU time counts as ours
    return best


def check_property(aig: Aig, index: int, params: ProveParams) -> Result:
    from edapipe.verify.seq.reach import applicable

    engines = PORTFOLIO if params.engine == "auto" else (params.engine,)
    if params.need_invariant:
        engines = tuple(e for e in engines if e != "kind") or ("pdr",)
    if params.engine == "auto" and applicable(problem(aig, index)):
        if params.time_limit or params.cpu_limit:
            return _reach_first(engines, aig, index, params)
        engines = ("reach",) + engines
    if len(engines) == 1 and not params.time_limit and not params.cpu_limit:
        return _run_engine(engines[0], aig, index, params.max_frames, 0.0)
    return _race(engines, aig, index, params.max_frames, params.time_limit, params.cpu_limit)


def _reach_first(engines: tuple, aig: Aig, index: int, params: ProveParams) -> Result:
    """Under limits: the other engines race QUICK_RACE wall seconds (the CPU limit stands
    in for a wall limit when there is none: 3 engines on this machine's 2 cores spend at
    most twice that), then explicit reachability runs alone on REACH_FIRST of the limits
    (it answers its problems in a second or two, where racing it would spend the other
    engines' share too), then the others race on what is left. Each stage gets at most
    what the stages before it left."""
    budget = Budget(params.time_limit, params.cpu_limit, children_only=True)
    quick = _race(engines, aig, index, params.max_frames,
                  min(QUICK_RACE, REACH_FIRST * (params.time_limit or params.cpu_limit)),
                  grace=0.0)
    if quick.status != UNDECIDED:
        return quick
    wall, cpu = budget.left()
    first = _race(("reach-first",), aig, index, params.max_frames,
                  min(wall, params.time_limit * REACH_FIRST),
                  min(cpu, params.cpu_limit * REACH_FIRST))
    if first.status != UNDECIDED:
        return first
    wall, cpu = budget.left()
    return _race(engines, aig, index, params.max_frames, wall, cpu)


def validate(aig: Aig, index: int, res: Result) -> None:
    """Raise EngineError unless the answer checks out (trace replays, invariant proves)."""
    from edapipe.verify.seq.certificate import build_certificate, check_certificate
    from edapipe.verify.seq.simulate import replay

    if res.checked:
        return
    bad = int(property_literals(aig)[index])
    if res.status == FAILS:
        ok, why = replay(aig, bad, res.trace.init, res.trace.inputs)
        if not ok:
            raise EngineError(f"{res.engine}: its counter-example does not replay: {why}")
    elif res.status == HOLDS and res.invariant is not None:
        names = property_names(aig)
        cert = build_certificate(aig, {index: res.invariant}, names)
        (chk,) = check_certificate(aig, cert)
        if not chk.ok:
            raise EngineError(f"{res.engine}: its invariant fails the {chk.failed} check")
    res.checked = True


def prove(aig: Aig, params: ProveParams = ProveParams()) -> list[PropertyResult]:
    names = property_names(aig)
    which = params.properties or tuple(range(len(names)))
    out = []
    for j in which:
        t0 = time.monotonic()
        res = check_property(aig, j, params)
        validate(aig, j, res)
        out.append(PropertyResult(j, names[j], res, time.monotonic() - t0))
    return out
