"""Fuzzing harness: mutated seeds through every reader, each case under a time and memory limit.

How a campaign runs
-------------------
A campaign is one reader (see targets.py) and a number of cases. The test process (pytest,
or `python -m tests.fuzz.harness run`) starts a *worker*: a fresh Python process
(`python -m tests.fuzz.harness worker READER ...`) that imports edapipe, runs the reader's
seeds once unmutated (they must pass; this also loads the numba kernels), then sets its
memory limit and lets Hypothesis generate the cases (tests/fuzz/mutate.py), calling the
reader in process for each one.

Why a separate process, and how the limits work
-----------------------------------------------
- Memory: `RLIMIT_DATA` is set in the worker to its size after warm-up plus
  `EDAPIPE_FUZZ_MEMORY_MB` (default 2048). RLIMIT_DATA counts private writable memory (heap,
  numpy buffers, thread stacks), not the address space numba and LLVM reserve without using,
  so unlike RLIMIT_AS it does not break the kernels. A case that needs more gets a
  MemoryError (a failure), or dies in C code (a crash, reported by the parent). Limiting a
  separate process keeps the limit away from pytest, and a fresh process (not a fork of
  pytest) never inherits threads from other tests.
- Time: each case runs under `setitimer(ITIMER_REAL, EDAPIPE_FUZZ_TIMEOUT)` (default 30 s,
  the issue's bar),
  whose handler raises `CaseTimeout` (a BaseException, so readers' `except Exception` do not
  swallow it). Code that never returns to the interpreter (a regex, a numba kernel, pyslang)
  cannot be interrupted that way, so the parent also watches: the worker prints one line per
  case, and after `timeout + 20 s` of silence the parent kills it and records a *hang*.
- Notes, not failures: a case over EDAPIPE_FUZZ_LONG_S seconds (default 5) or over
  EDAPIPE_FUZZ_HEAVY_MB MiB of peak RSS (default 1024; measured per case by resetting
  VmHWM) passes, but the first three of each are saved as `<reader>-long-*.bin` and
  `<reader>-heavy-*.bin` and named in the summary: within the limits, yet worth a look.
- After a timeout or a MemoryError the worker saves the case and exits (a thread or a
  half-unwound state might be left behind); the parent starts a new worker for the remaining
  cases with the next seed. A crash (a signal, an abort) or a hang is recorded by the parent
  from `current.bin`, which the worker writes before every case.

The oracle
----------
A case passes when the reader returns, or raises an `edapipe.errors.EdapipeError`
(InputError, UsageError, ResourceLimit, ...) whose message is at most `MESSAGE_LIMIT`
characters. Everything else is a failure: any other exception (RecursionError, MemoryError,
OverflowError, IndexError, ...), a timeout, a hang, a crash, or an over-long message.
One exception to "a timeout is a failure", from the issue's own definition: a case still
making progress at its time limit (a SPICE transient that reported progress in the last
2 s) is a long but legitimate simulation, counted as *slow* and kept for a look (the first
three are saved as `<reader>-slow-*.bin`), not a failure. Sweeps without progress reports
(.dc, .ac) and everything else get no such allowance.

Failures are deduplicated by a signature (kind, exception type, innermost edapipe frame); the
smallest case of each is saved as `<out>/<reader>-<hash>.bin` with a `.txt` beside it (the
traceback and the command that replays it):

    .venv/bin/python -m tests.fuzz.harness replay READER FILE
    .venv/bin/python -m tests.fuzz.harness reduce READER FILE     # shrink it, same signature

Reproducibility: Hypothesis draws from a fixed seed (`@hypothesis.seed`, `database=None`,
the generate phase only, no deadline), so a campaign with the same seed and count makes the
same cases (derandomized, as `make test` needs). Failures are collected rather than raised,
so one campaign reports every distinct failure instead of stopping at the first.

A campaign stops early after EDAPIPE_FUZZ_MAX_STOPS (default 10) cases that ended a worker
(timeouts, memory, hangs, crashes): each costs a time limit, and a reader failing that often
needs fixing more than it needs more cases.

Settings (environment): EDAPIPE_FUZZ_QUICK_CASES (quick slice, default 200 per reader),
EDAPIPE_FUZZ_CASES (long run, default 10000; `run` default 1000), EDAPIPE_FUZZ_SEED (an
integer or `random`), EDAPIPE_FUZZ_TIMEOUT (seconds per case, 30), EDAPIPE_FUZZ_MEMORY_MB
(2048), EDAPIPE_FUZZ_OUT (where failing cases go), EDAPIPE_FUZZ_MAX_STOPS (10),
EDAPIPE_FUZZ_GRACE (20 s of silence past the time limit before a worker is killed),
EDAPIPE_FUZZ_LONG_S (5) and EDAPIPE_FUZZ_HEAVY_MB (1024) for the notes.

Runs:

    .venv/bin/python -m tests.fuzz.harness run --cases 1000                # every reader
    .venv/bin/python -m tests.fuzz.harness run sdc spice --cases 200 --out /tmp/fuzz
    make fuzz FUZZ_CASES=1000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DEFAULT_TIMEOUT = 30.0          # seconds per case: issue 13's bar ("0 runs over 30 s")
DEFAULT_MEMORY_MB = 2048        # MiB above the warmed-up worker
MESSAGE_LIMIT = 2000            # characters of an error message
GRACE = 20.0                    # seconds past the per-case limit before a worker is killed
STARTUP_LIMIT = 600.0           # imports and warm-up (a cold numba cache compiles)
MAX_RESTARTS = 200
DEFAULT_HEAVY_MB = 1024         # a case whose peak RSS passes this is noted (not a failure)
DEFAULT_LONG_S = 5.0            # a case that takes longer than this is noted (not a failure)
# a campaign stops after this many cases that end its worker (timeout, memory, hang, crash):
# each costs up to a time limit, and a reader that fails this often needs fixing, not more
# cases (EDAPIPE_FUZZ_MAX_STOPS)
DEFAULT_MAX_STOPS = 10
_STOPPING = ("timeout", "memory", "hang", "crash")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


class CaseTimeout(BaseException):
    """The per-case time limit expired (raised by the SIGALRM handler)."""


# --------------------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------------------

def _vmdata() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def set_memory_limit(mb: float) -> int:
    """Limit this process's data to its current size plus `mb` MiB; returns the base."""
    base = _vmdata()
    soft = base + int(mb * (1 << 20))
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    return base


def _reset_peak() -> bool:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    """Peak resident size since the last reset (VmHWM), MiB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_armed = False


def _on_alarm(signum, frame):
    if _armed:
        raise CaseTimeout()


def _short(text: str, limit: int = 300) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _where(tb, with_line: bool) -> str:
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/edapipe/" in f.filename.replace(os.sep, "/")]
    frame = ours[-1] if ours else (frames[-1] if frames else None)
    if frame is None:
        return "?"
    name = frame.filename.replace(os.sep, "/")
    name = name.split("/edapipe/", 1)[1] if "/edapipe/" in name else os.path.basename(name)
    return f"{name}:{frame.name}" + (f":{frame.lineno}" if with_line else "")


def _format_tb(exc: BaseException, frames: int = 10) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-frames)
    return "".join(_short(line.rstrip("\n"), 400) + "\n" for line in "".join(lines).splitlines())


def check_case(target, data: bytes, work: Path, timeout: float) -> dict | None:
    """Run one case; None if it passed, else a failure record (without file)."""
    global _armed
    exc_seen: BaseException | None = None
    kind = None
    # keep whatever else uses SIGALRM (pytest-timeout) working around the case
    old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    old_timer, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        target.run(data, work)
    except CaseTimeout as exc:
        progressing = getattr(target, "progressing", None)
        kind = "slow" if progressing is not None and progressing() else "timeout"
        exc_seen = exc
    except MemoryError as exc:
        kind, exc_seen = "memory", exc
    except BaseException as exc:  # noqa: BLE001 - the oracle judges everything
        from edapipe.errors import EdapipeError

        if isinstance(exc, EdapipeError):
            if len(str(exc)) <= MESSAGE_LIMIT:
                return None
            kind = "long-message"
        elif isinstance(exc, KeyboardInterrupt):
            raise
        else:
            kind = "exception"
        exc_seen = exc
    else:
        return None
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler if old_handler is not None else signal.SIG_DFL)
        if old_timer > 0:
            signal.setitimer(signal.ITIMER_REAL,
                             max(old_timer - (time.monotonic() - started), 0.001))
    exc = exc_seen
    with_line = kind in ("exception", "long-message")
    where = _where(exc.__traceback__, with_line)
    etype = type(exc).__name__
    message = str(exc)
    if kind in ("timeout", "slow"):
        message = f"no answer in {timeout:g} s" + (", still making progress" if kind == "slow"
                                                     else "")
    if kind == "long-message":
        message = f"{len(message)} characters: {message[:200]}"
    return {
        "kind": kind,
        "type": etype,
        "where": where,
        "signature": f"{kind}:{etype}:{where}",
        "message": _short(message),
        "traceback": _format_tb(exc),
        "size": len(data),
        "preview": repr(data[:160]) + (" ..." if len(data) > 160 else ""),
    }


def _sig_hash(signature: str) -> str:
    return hashlib.sha1(signature.encode()).hexdigest()[:10]


def save_failure(out: Path, reader: str, record: dict, data: bytes) -> dict:
    """Write the case (if it is the first or smallest of its signature) and its note."""
    stem = out / f"{reader}-{_sig_hash(record['signature'])}"
    path = stem.with_suffix(".bin")
    if path.exists() and path.stat().st_size <= len(data):
        record["file"] = str(path)
        return record
    path.write_bytes(data)
    record["file"] = str(path)
    note = [f"reader: {reader}", f"signature: {record['signature']}",
            f"size: {len(data)} bytes", f"message: {record['message']}",
            f"bytes: {record.get('preview', repr(data[:160]))}",
            f"replay: cd {ROOT} && .venv/bin/python -m tests.fuzz.harness replay "
            f"{reader} {path}", "", record.get("traceback", "")]
    stem.with_suffix(".txt").write_text("\n".join(note))
    return record


def worker_main(args) -> int:
    # The protocol goes to the original stdout; anything the code under test prints goes to
    # stderr (the parent's log).
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)

    def emit(**event):
        proto.write(json.dumps(event) + "\n")

    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hyp_seed

    from tests.fuzz.mutate import mutants
    from tests.fuzz.targets import TARGETS, corpus

    target = TARGETS[args.reader]
    out = Path(args.out)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    current = out / f"{args.reader}.current.bin"
    seeds = target.seed_bytes()
    everything = corpus()

    t0 = time.monotonic()
    for k, data in enumerate(seeds):     # imports, kernels; the seeds must pass
        record = check_case(target, data, work, max(args.timeout, 120.0))
        if record is not None:
            record["kind"] = "seed-" + record["kind"]
            record["signature"] = "seed-" + record["signature"]
            emit(ev="failure", case=-1 - k, **save_failure(out, args.reader, record, data))
    base = set_memory_limit(args.memory_mb)
    emit(ev="ready", startup=time.monotonic() - t0, base_mb=base / (1 << 20))

    counter = [0]
    slow = [0]
    heavy = [0]
    heavy_mb = env_float("EDAPIPE_FUZZ_HEAVY_MB", DEFAULT_HEAVY_MB)
    long_cases = [0]
    long_s = env_float("EDAPIPE_FUZZ_LONG_S", DEFAULT_LONG_S)
    per_case_peak = _reset_peak()

    @settings(max_examples=args.cases, database=None, deadline=None, derandomize=False,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet, report_multiple_bugs=False)
    @hyp_seed(args.seed)
    @given(mutants(seeds, everything))
    def campaign(data: bytes) -> None:
        i = counter[0]
        counter[0] += 1
        current.write_bytes(data)
        emit(ev="case", i=i)
        if per_case_peak:
            _reset_peak()
        started = time.monotonic()
        record = check_case(target, data, work, args.timeout)
        took = time.monotonic() - started

        def note(kind: str, count: list, value: float, text: str) -> None:
            # within the limits, but a lot for an input this size: keep a few to look at
            if count[0] < 3:
                rec = {"kind": kind, "type": "-", "where": "-",
                       "signature": f"{kind}:{count[0]}", "size": len(data), "message": text,
                       "traceback": "", "preview": repr(data[:160])}
                save_failure(out, f"{args.reader}-{kind}", rec, data)
                emit(ev="note", kind=kind, case=i, value=value, file=rec["file"])
            count[0] += 1

        if per_case_peak:
            peak = _peak_mb()
            if peak > heavy_mb:
                note("heavy", heavy, peak, f"peak RSS {peak:.0f} MiB")
        if took > long_s and (record is None or record["kind"] == "exception"):
            note("long", long_cases, took, f"{took:.1f} s")
        if record is None:
            return
        if record["kind"] == "slow":
            # long but visibly working (a big simulation): not a hang; keep a few to look at
            if slow[0] < 3:
                record["signature"] += f":{slow[0]}"
                save_failure(out, args.reader + "-slow", record, data)
            slow[0] += 1
            emit(ev="slow", case=i, file=record.get("file"))
            return
        emit(ev="failure", case=i, **save_failure(out, args.reader, record, data))
        if record["kind"] in ("timeout", "memory"):
            # the process may carry a stuck thread or a fragmented heap: start afresh
            emit(ev="restart", cases=i + 1, seconds=time.monotonic() - t0,
                 maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            proto.flush()
            os._exit(0)

    t1 = time.monotonic()
    campaign()
    emit(ev="done", cases=counter[0], seconds=time.monotonic() - t1,
         maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    proto.flush()
    current.unlink(missing_ok=True)
    return 0


# --------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------

@dataclass
class Campaign:
    reader: str
    cases: int = 0                  # cases run (hung and crashed ones included)
    seconds: float = 0.0            # time spent running cases (not starting workers)
    startup: float = 0.0
    workers: int = 0
    maxrss_mb: float = 0.0
    failures: dict[str, dict] = field(default_factory=dict)   # signature -> record
    counts: dict[str, int] = field(default_factory=dict)      # signature -> occurrences
    log: str = ""
    stops: int = 0                  # cases that ended a worker
    slow: int = 0                   # over the time limit but still making progress (no failure)
    slow_files: list = field(default_factory=list)
    notes: list = field(default_factory=list)   # (kind, value, file): heavy or long cases
    stopped_early: bool = False

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds > 0 else 0.0

    def add(self, record: dict) -> None:
        sig = record["signature"]
        if record.get("kind") in _STOPPING:
            self.stops += 1
        self.counts[sig] = self.counts.get(sig, 0) + 1
        old = self.failures.get(sig)
        if old is None or record.get("size", 0) < old.get("size", 1 << 62):
            self.failures[sig] = record

    def summary(self) -> str:
        lines = [f"{self.reader}: {self.cases} cases in {self.seconds:.1f} s "
                 f"({self.rate:.1f}/s; {self.workers} worker(s), start-up {self.startup:.1f} s, "
                 f"peak RSS {self.maxrss_mb:.0f} MiB), {len(self.failures)} distinct failure(s)"
                 + (f"; stopped early after {self.stops} timeouts/crashes"
                    if self.stopped_early else "")
                 + (f"; {self.slow} slow case(s) still making progress at the time limit "
                    f"(not failures; e.g. {self.slow_files[0]})" if self.slow else "")]
        for kind, value, path in self.notes:
            what = (f"peaked at {value:.0f} MiB of RSS" if kind == "heavy"
                    else f"took {value:.1f} s")
            lines.append(f"  note: a case {what} (within the limits, not a failure): {path}")
        for sig, rec in sorted(self.failures.items()):
            lines.append(f"  [{self.counts[sig]}x] {sig}\n      {rec.get('message', '')}\n"
                         f"      case: {rec.get('file')} ({rec.get('size')} bytes): "
                         f"{rec.get('preview', '')}")
        return "\n".join(lines)

    def report(self) -> str:
        """Everything needed to reproduce: summary, then each traceback."""
        parts = [self.summary()]
        for sig, rec in sorted(self.failures.items()):
            parts.append(f"\n--- {sig}\nreplay: cd {ROOT} && .venv/bin/python -m "
                         f"tests.fuzz.harness replay {self.reader} {rec.get('file')}\n"
                         f"{rec.get('traceback', '')}")
        if self.log:
            parts.append(f"\nworker log: {self.log}")
        return "\n".join(parts)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_campaign(reader: str, cases: int, seed: int, out: str | os.PathLike,
                 timeout: float | None = None, memory_mb: float | None = None,
                 progress=None) -> Campaign:
    """Run `cases` mutated inputs through `reader` in worker processes; collect failures."""
    timeout = timeout if timeout is not None else env_float("EDAPIPE_FUZZ_TIMEOUT",
                                                            DEFAULT_TIMEOUT)
    memory_mb = memory_mb if memory_mb is not None else env_float("EDAPIPE_FUZZ_MEMORY_MB",
                                                                  DEFAULT_MEMORY_MB)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"work-{reader}-", dir=out))
    log_path = out / f"{reader}.log"
    camp = Campaign(reader, log=str(log_path))
    current = out / f"{reader}.current.bin"
    env = dict(os.environ, PYTHONHASHSEED="0")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    remaining = cases
    attempt = 0
    max_stops = int(env_float("EDAPIPE_FUZZ_MAX_STOPS", DEFAULT_MAX_STOPS))
    try:
        with open(log_path, "ab") as log:
            while remaining > 0 and camp.workers <= MAX_RESTARTS:
                worker_seed = seed + 7919 * attempt
                attempt += 1
                camp.workers += 1
                current.unlink(missing_ok=True)
                cmd = [sys.executable, "-m", "tests.fuzz.harness", "worker", reader,
                       "--cases", str(remaining), "--seed", str(worker_seed), "--out", str(out),
                       "--work", str(work), "--timeout", str(timeout),
                       "--memory-mb", str(memory_mb)]
                log.write(f"\n=== {' '.join(cmd)}\n".encode())
                log.flush()
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=log, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
                done_here, finished, ready_at = _drive(proc, camp, timeout, current, out,
                                                       reader, progress)
                remaining -= done_here
                if finished:
                    break
                if camp.stops >= max_stops:
                    camp.stopped_early = remaining > 0
                    break
                if done_here == 0 and ready_at is None:
                    # the worker died before running any case: do not loop forever
                    camp.add({"kind": "worker", "type": "startup", "where": "-",
                              "signature": "worker:startup", "size": 0,
                              "message": f"worker exited with {proc.returncode} before "
                                         f"running a case; see {log_path}"})
                    break
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return camp


def _drive(proc, camp: Campaign, timeout: float, current: Path, out: Path, reader: str,
           progress) -> tuple[int, bool, float | None]:
    """Follow one worker. Returns (cases it ran, whether the campaign finished, ready time)."""
    buf = b""
    fd = proc.stdout.fileno()
    ready_at = None
    last_case = -1
    last_line = time.monotonic()
    case_started = None
    while True:
        limit = STARTUP_LIMIT if ready_at is None else \
            timeout + env_float("EDAPIPE_FUZZ_GRACE", GRACE)
        wait = max(0.0, last_line + limit - time.monotonic())
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            # silent too long: hung where the alarm cannot reach (C code) or stuck starting
            _kill(proc)
            if ready_at is None:
                camp.add({"kind": "worker", "type": "startup-hang", "where": "-",
                          "signature": "worker:startup-hang", "size": 0,
                          "message": f"no ready line in {STARTUP_LIMIT:.0f} s"})
                return 0, True, None
            camp.seconds += time.monotonic() - ready_at
            _record_dead(camp, out, reader, current, "hang",
                         f"no progress for {limit:.0f} s (killed)", last_case)
            return last_case + 1, False, ready_at
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            proc.wait()
            if ready_at is not None:
                camp.seconds += time.monotonic() - ready_at
            if last_case >= 0 or ready_at is not None:
                sig = -proc.returncode if proc.returncode and proc.returncode < 0 else None
                what = (f"killed by signal {signal.Signals(sig).name}" if sig
                        else f"exited with {proc.returncode}")
                _record_dead(camp, out, reader, current, "crash", f"worker {what}", last_case)
                return last_case + 1, False, ready_at
            return 0, False, None
        last_line = time.monotonic()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            ev = json.loads(line)
            kind = ev.pop("ev")
            if kind == "ready":
                ready_at = time.monotonic()
                camp.startup += ev["startup"]
            elif kind == "case":
                last_case = ev["i"]
                camp.cases += 1
                if progress is not None and camp.cases % 500 == 0:
                    progress(camp)
            elif kind == "failure":
                ev.pop("case", None)
                camp.add(ev)
            elif kind == "note":
                camp.notes.append((ev["kind"], ev["value"], ev.get("file")))
            elif kind == "slow":
                camp.slow += 1
                if ev.get("file"):
                    camp.slow_files.append(ev["file"])
            elif kind in ("restart", "done"):
                camp.seconds += time.monotonic() - ready_at
                camp.maxrss_mb = max(camp.maxrss_mb, ev.get("maxrss_mb", 0.0))
                proc.wait()
                return ev["cases"], kind == "done", ready_at


def _record_dead(camp, out, reader, current, kind, message, last_case) -> None:
    data = current.read_bytes() if current.exists() else b""
    record = {"kind": kind, "type": kind, "where": "-", "signature": f"{kind}:{kind}:-",
              "message": f"{message} at case {last_case}", "traceback": "", "size": len(data),
              "preview": repr(data[:160]) + (" ..." if len(data) > 160 else "")}
    if data or last_case >= 0:
        save_failure(out, reader, record, data)
    camp.add(record)


# --------------------------------------------------------------------------------------
# replay and reduce (in this process, under the same limits)
# --------------------------------------------------------------------------------------

def replay(reader: str, path: str, timeout: float, memory_mb: float) -> dict | None:
    from tests.fuzz.targets import TARGETS

    target = TARGETS[reader]
    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as work:
        for seed in target.seed_bytes()[:1]:     # warm up before limiting memory
            check_case(target, seed, Path(work), 120.0)
        set_memory_limit(memory_mb)
        return check_case(target, data, Path(work), timeout)


def reduce(reader: str, path: str, timeout: float, memory_mb: float, budget: float = 300.0,
           out_path: str | None = None) -> tuple[bytes, dict | None]:
    """Shrink a failing case while it keeps its signature: chunks of lines, then of bytes."""
    from tests.fuzz.targets import TARGETS

    target = TARGETS[reader]
    data = Path(path).read_bytes()
    work_dir = tempfile.mkdtemp()
    work = Path(work_dir)
    try:
        for seed in target.seed_bytes()[:1]:
            check_case(target, seed, work, 120.0)
        set_memory_limit(memory_mb)
        first = check_case(target, data, work, timeout)
        if first is None:
            return data, None
        want = first["signature"]
        deadline = time.monotonic() + budget

        def still(candidate: bytes) -> bool:
            rec = check_case(target, candidate, work, timeout)
            return rec is not None and rec["signature"] == want

        for unit in ("lines", "bytes"):
            parts = data.splitlines(keepends=True) if unit == "lines" else \
                [data[i:i + 1] for i in range(len(data))]
            if unit == "bytes" and len(parts) > 4000:
                break
            n = 2
            while len(parts) >= 2 and time.monotonic() < deadline:
                size = max(1, len(parts) // n)
                progressed = False
                for start in range(0, len(parts), size):
                    if time.monotonic() >= deadline:
                        break
                    cand = parts[:start] + parts[start + size:]
                    if still(b"".join(cand)):
                        parts = cand
                        n = max(n - 1, 2)
                        progressed = True
                        break
                if not progressed:
                    if size == 1:
                        break
                    n = min(len(parts), n * 2)
            data = b"".join(parts)
        final = check_case(target, data, work, timeout)
        if out_path:
            Path(out_path).write_bytes(data)
        return data, final
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

def default_seed(reader: str, salt: str = "") -> int:
    return int(hashlib.sha1(f"edapipe-fuzz:{salt}:{reader}".encode()).hexdigest()[:8], 16)


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.targets import TARGETS

    ap = argparse.ArgumentParser(prog="python -m tests.fuzz.harness",
                                 description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker", help="(internal) run cases for the parent")
    w.add_argument("reader", choices=sorted(TARGETS))
    w.add_argument("--cases", type=int, required=True)
    w.add_argument("--seed", type=int, required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--work", required=True)
    w.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    w.add_argument("--memory-mb", type=float, default=DEFAULT_MEMORY_MB)

    r = sub.add_parser("run", help="fuzz readers and print rates and failures")
    r.add_argument("readers", nargs="*", help=f"default: all of {', '.join(TARGETS)}")
    r.add_argument("--cases", type=int,
                   default=int(os.environ.get("EDAPIPE_FUZZ_CASES", "1000")))
    r.add_argument("--seed", default=os.environ.get("EDAPIPE_FUZZ_SEED", ""),
                   help="an integer, or 'random'; default: fixed per reader")
    r.add_argument("--out", default=os.environ.get("EDAPIPE_FUZZ_OUT") or None)
    r.add_argument("--timeout", type=float, default=None)
    r.add_argument("--memory-mb", type=float, default=None)

    for name, helptext in (("replay", "run one saved case and show the outcome"),
                           ("reduce", "shrink a saved case keeping its failure")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("reader", choices=sorted(TARGETS))
        p.add_argument("file")
        p.add_argument("--timeout", type=float,
                       default=env_float("EDAPIPE_FUZZ_TIMEOUT", DEFAULT_TIMEOUT))
        p.add_argument("--memory-mb", type=float,
                       default=env_float("EDAPIPE_FUZZ_MEMORY_MB", DEFAULT_MEMORY_MB))
        if name == "reduce":
            p.add_argument("-o", "--output", help="default: FILE with .min before the suffix")
            p.add_argument("--budget", type=float, default=300.0, help="seconds")
    args = ap.parse_args(argv)

    if args.cmd == "worker":
        return worker_main(args)
    if args.cmd == "replay":
        rec = replay(args.reader, args.file, args.timeout, args.memory_mb)
        if rec is None:
            print("passes: the reader returned or raised an EdapipeError with a short message")
            return 0
        print(f"{rec['signature']}\n{rec['message']}\n\n{rec['traceback']}")
        return 1
    if args.cmd == "reduce":
        target = args.output or str(Path(args.file).with_suffix(".min" +
                                                                 Path(args.file).suffix))
        data, rec = reduce(args.reader, args.file, args.timeout, args.memory_mb, args.budget,
                           target)
        if rec is None:
            print("the case passes; nothing to reduce")
            return 0
        print(f"{len(data)} bytes -> {target}\n{data[:600]!r}\n{rec['signature']}\n"
              f"{rec['message']}\n\n{rec['traceback']}")
        return 1
    readers = args.readers or list(TARGETS)
    for name in readers:
        if name not in TARGETS:
            ap.error(f"unknown reader {name!r}; readers: {', '.join(TARGETS)}")
    out = args.out or tempfile.mkdtemp(prefix="edapipe-fuzz-")
    print(f"failing cases go to {out}", flush=True)
    total = 0
    camps = []
    for name in readers:
        if args.seed == "random":
            s = int.from_bytes(os.urandom(4), "big")
        elif args.seed:
            s = int(args.seed)
        else:
            s = default_seed(name, "run")
        print(f"{name}: {args.cases} cases, seed {s}", flush=True)
        camp = run_campaign(name, args.cases, s, out, args.timeout, args.memory_mb,
                            progress=lambda c: print(f"  {c.reader}: {c.cases} cases, "
                                                     f"{len(c.failures)} failure(s)",
                                                     flush=True))
        camps.append(camp)
        print(camp.summary(), flush=True)
        total += len(camp.failures)
    print("\n=== rates")
    for camp in camps:
        print(f"{camp.reader:8s} {camp.cases:7d} cases {camp.seconds:8.1f} s "
              f"{camp.rate:8.1f}/s  {len(camp.failures)} failure(s)")
    for camp in camps:
        if camp.failures:
            print("\n" + camp.report())
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
