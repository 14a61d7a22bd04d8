"""Mutation fuzzing of every reader (issue 13), through tests/fuzz/harness.py.

Quick slice (`make test`): EDAPIPE_FUZZ_QUICK_CASES cases per reader (default 200), fixed
seeds, so the run is the same every time. Long run (`make test-slow`, marked slow):
EDAPIPE_FUZZ_CASES per reader (default 10,000), seed EDAPIPE_FUZZ_SEED (an integer, `random`,
or unset for a fixed one per reader), EDAPIPE_FUZZ_JOBS readers at a time (default 2). Each case runs under EDAPIPE_FUZZ_TIMEOUT seconds
(default 30) and EDAPIPE_FUZZ_MEMORY_MB MiB (default 2048) in a worker process; failing cases
are written to EDAPIPE_FUZZ_OUT (default: pytest's temporary folder) and named in the
failure message with the command that replays them.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fuzz.harness import Campaign, CaseTimeout, check_case, default_seed, run_campaign
from tests.fuzz.targets import TARGETS, Target

READERS = sorted(TARGETS)


def _out(tmp_path_factory, reader: str) -> Path:
    base = os.environ.get("EDAPIPE_FUZZ_OUT")
    if base:
        path = Path(base)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp(f"fuzz-{reader}")


def _check(camp: Campaign, cases: int, out: Path) -> None:
    print(camp.summary())
    assert camp.cases >= cases or camp.failures, camp.report()
    assert not camp.failures, f"failing cases are in {out}\n\n{camp.report()}"


@pytest.mark.parametrize("reader", READERS)
def test_fuzz_quick(reader, tmp_path_factory):
    cases = int(os.environ.get("EDAPIPE_FUZZ_QUICK_CASES", "200"))
    out = _out(tmp_path_factory, reader)
    _check(run_campaign(reader, cases, default_seed(reader, "quick"), out), cases, out)


# The long campaigns run EDAPIPE_FUZZ_JOBS at a time (default 2: CI machines have two cores
# or more); the first long test starts those of every selected reader, each test waits
# for its own.
_long: dict[str, tuple[Future, int, Path]] = {}


def _start_long(request, tmp_path_factory) -> None:
    cases = int(os.environ.get("EDAPIPE_FUZZ_CASES", "10000"))
    raw = os.environ.get("EDAPIPE_FUZZ_SEED", "")
    readers = [item.callspec.params["reader"] for item in request.session.items
               if getattr(item, "originalname", None) == "test_fuzz_long"]
    pool = ThreadPoolExecutor(max_workers=max(1, int(os.environ.get("EDAPIPE_FUZZ_JOBS",
                                                                    "2"))))
    for reader in readers:
        if raw == "random":
            seed = int.from_bytes(os.urandom(4), "big")
        else:
            seed = int(raw) if raw else default_seed(reader, "slow")
        out = _out(tmp_path_factory, reader)
        print(f"{reader}: {cases} cases, seed {seed}, failing cases to {out}")
        _long[reader] = (pool.submit(run_campaign, reader, cases, seed, out), cases, out)
    pool.shutdown(wait=False)


@pytest.mark.slow
@pytest.mark.timeout(6 * 3600)
@pytest.mark.parametrize("reader", READERS)
def test_fuzz_long(reader, request, tmp_path_factory):
    if reader not in _long:
        _start_long(request, tmp_path_factory)
    future, cases, out = _long[reader]
    _check(future.result(), cases, out)


@pytest.mark.parametrize("reader", READERS)
def test_seeds_are_valid_inputs(reader, tmp_path):
    """Every seed goes through its reader cleanly: mutations start from accepted input."""
    target = TARGETS[reader]
    for data in target.seed_bytes():
        target.run(data, tmp_path)


# --- the oracle itself ------------------------------------------------------------------

def _fake(fn) -> Target:
    return Target("fake", (), lambda data, work: fn(data))


def test_oracle_accepts_edapipe_errors(tmp_path):
    from edapipe.errors import InputError, ResourceLimit

    def bad_input(data):
        raise InputError("x.v:1:1: no", file="x.v", line=1)

    def limit(data):
        raise ResourceLimit("too big")

    assert check_case(_fake(bad_input), b"", tmp_path, 5) is None
    assert check_case(_fake(limit), b"", tmp_path, 5) is None
    assert check_case(_fake(lambda d: None), b"", tmp_path, 5) is None


@pytest.mark.parametrize("exc", [RecursionError, IndexError, OverflowError, MemoryError,
                                 KeyError, SystemExit])
def test_oracle_rejects_other_exceptions(exc, tmp_path):
    def boom(data):
        raise exc("boom")

    rec = check_case(_fake(boom), b"abc", tmp_path, 5)
    assert rec is not None and rec["type"] == exc.__name__
    assert rec["kind"] == ("memory" if exc is MemoryError else "exception")


def test_oracle_rejects_long_messages(tmp_path):
    from edapipe.errors import UsageError

    def chatty(data):
        raise UsageError("x" * 100_000)

    assert check_case(_fake(chatty), b"", tmp_path, 5)["kind"] == "long-message"


def test_oracle_times_out(tmp_path):
    def spin(data):
        try:
            while True:
                pass
        except Exception:   # a reader's broad except must not swallow the limit
            pass

    t0 = time.monotonic()
    rec = check_case(_fake(spin), b"", tmp_path, 0.3)
    assert rec["kind"] == "timeout" and rec["type"] == CaseTimeout.__name__
    assert time.monotonic() - t0 < 5
    time.sleep(0.4)     # the timer is disarmed afterwards: nothing fires here


# --- the limits, end to end through worker processes -----------------------------------

@pytest.mark.parametrize("how, kind", [("raise", "exception"), ("memory", "memory"),
                                       ("hang", "hang"), ("crash", "crash")])
def test_harness_catches_and_saves(how, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("EDAPIPE_FUZZ_SELFTEST", how)
    monkeypatch.setenv("EDAPIPE_FUZZ_GRACE", "1")
    camp = run_campaign("selftest", 3, 1, tmp_path, timeout=1.0, memory_mb=256)
    kinds = {rec["kind"] for rec in camp.failures.values()}
    assert kinds == {kind}, camp.report()
    (rec,) = camp.failures.values()
    saved = Path(rec["file"])
    assert saved.exists() and saved.with_suffix(".txt").exists()
    if kind == "exception":
        assert camp.cases == 3 and camp.counts[rec["signature"]] == 3
    else:
        assert camp.workers >= 2, camp.report()     # a new worker after each stop
