"""Warm workers: one input's timeout, crash or memory limit never touches the next input."""

import os
import signal
import threading

import pytest

from edapipe.batch.pool import LocalPool, WorkerProcess, estimated_gates, longest_first
from tests.conftest import BENCHMARKS

SLOW = BENCHMARKS / "epfl" / "multiplier.aig"
needs_benchmarks = pytest.mark.skipif(not SLOW.exists(), reason="no shared benchmarks")

C17 = """INPUT(1)\nINPUT(2)\nINPUT(3)\nINPUT(6)\nINPUT(7)\nOUTPUT(22)\nOUTPUT(23)
10 = NAND(1, 3)\n11 = NAND(3, 6)\n16 = NAND(2, 11)\n19 = NAND(11, 7)
22 = NAND(10, 16)\n23 = NAND(16, 19)\n"""


def task(k, path, script, cwd):
    return {"id": k, "input": str(path), "script": script, "cwd": str(cwd)}


@pytest.fixture
def c17(tmp_path):
    path = tmp_path / "c17.bench"
    path.write_text(C17)
    return path


@needs_benchmarks
def test_timeout_and_crash_are_rows_and_the_worker_comes_back(c17, tmp_path):
    w = WorkerProcess("opt resyn2rs; cec")
    try:
        row = w.run(task(0, SLOW, "opt resyn2rs; opt resyn2rs; cec", tmp_path), timeout=1.0)
        assert (row["status"], row["exit"], row["error"]) == ("timeout", 4,
                                                              "timed out after 1 s")
        assert row["id"] == 0 and row["input"] == str(SLOW)
        row = w.run(task(1, c17, "opt resyn2rs; cec", tmp_path), timeout=60)
        assert row["status"] == "ok" and row["equivalent"] is True
        pid = w.proc.pid
        # a worker killed by a signal while it works on an input (as a native crash would)
        threading.Timer(0.5, os.kill, (pid, signal.SIGSEGV)).start()
        row = w.run(task(2, SLOW, "opt resyn2rs; opt resyn2rs; cec", tmp_path), timeout=60)
        assert row["status"] == "crash" and row["exit"] == 4
        assert row["error"].startswith("worker killed by signal SIGSEGV")
        row = w.run(task(3, c17, "opt; cec", tmp_path), timeout=60)
        assert row["status"] == "ok" and w.proc.pid != pid
    finally:
        w.close()


def test_memory_limit_is_per_input(c17, tmp_path):
    with LocalPool("opt; cec", jobs=1, memory=64) as pool:
        rows = []
        pool.run([task(0, c17, "sim {input} --words 1048576; stats", tmp_path),
                  task(1, c17, "opt; cec", tmp_path)], None, rows.append)
    big, small = sorted(rows, key=lambda r: r["id"])
    assert (big["status"], big["exit"]) == ("memory", 4)
    assert big["error"].endswith("out of memory") and big["ands_in"] == 6
    assert small["status"] == "ok" and small["equivalent"] is True


def test_inputs_are_ordered_by_estimated_gates_across_formats(c17, tmp_path):
    big_aig = tmp_path / "big.aig"
    big_aig.write_bytes(b"aig 5000 10 2 3 4988\n" + b"\0" * 100)   # small file, many ANDs
    bench = tmp_path / "wide.bench"
    bench.write_text("INPUT(a)\nOUTPUT(y)\n" + "".join(f"g{k} = NOT(a)\n" for k in range(300))
                     + "y = BUFF(g0)\n")
    assert estimated_gates(str(big_aig)) == 4990
    assert estimated_gates(str(bench)) == pytest.approx(301)
    assert estimated_gates(str(c17)) == pytest.approx(6)
    assert estimated_gates(str(tmp_path / "missing.aig")) == 0
    tasks = [task(k, p.name, "opt", tmp_path) for k, p in enumerate([c17, big_aig, bench])]
    assert [t["id"] for t in longest_first(tasks)] == [1, 2, 0]
