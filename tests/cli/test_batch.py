"""`edapipe batch`: rows per input, summary exit codes, resume, jobs and Dask agree."""

import csv
import importlib.util
import json
import subprocess
import sys

import pytest

from edapipe.batch.rows import without_times
from tests.batch.test_runner import C17

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]


def edapipe(*args, cwd=None):
    return subprocess.run(EDAPIPE + list(args), capture_output=True, text=True, timeout=600,
                          cwd=cwd)


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "c17.bench").write_text(C17)
    (tmp_path / "c17x.bench").write_text(C17.replace("10 = NAND(1, 3)", "10 = NAND(3, 1)"))
    (tmp_path / "mut.bench").write_text(C17.replace("22 = NAND", "22 = NOR"))
    (tmp_path / "bad.bench").write_text("INPUT(a)\nOUTPUT(y)\ny = FROB(a)\n")
    (tmp_path / "out").mkdir()
    return ["c17.bench", "c17x.bench", "mut.bench", "bad.bench"]


SCRIPT = "opt resyn2; cec c17.bench; write out/{stem}.aig"


def jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_batch_rows_summary_and_resume(tmp_path, inputs):
    proc = edapipe("batch", "-j", "2", "--csv", "rows.csv", "--jsonl", "rows.jsonl", "--",
                   SCRIPT, *inputs, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr                 # a check failed
    assert "batch: 4 inputs: 1 error, 1 failed, 2 ok" in proc.stderr
    rows = jsonl(tmp_path / "rows.jsonl")
    assert [r["input"] for r in rows] == inputs               # input order
    assert [(r["status"], r["exit"]) for r in rows] == [("ok", 0), ("ok", 0), ("failed", 1),
                                                        ("error", 3)]
    assert rows[0]["outputs"] == ["out/c17.aig"] and (tmp_path / "out/c17.aig").exists()
    assert rows[2]["equivalent"] is False and rows[2]["outputs"] == []
    assert "unknown gate type 'FROB'" in rows[3]["error"]
    assert rows[0]["ands_in"] == 6 and rows[0]["levels"] == 3
    table = list(csv.DictReader((tmp_path / "rows.csv").open()))
    assert [t["status"] for t in table] == ["ok", "ok", "failed", "error"]
    # resume: a journal with two rows done; only the others run again
    journal = tmp_path / "journal.jsonl"
    journal.write_text("".join(json.dumps(r) + "\n" for r in rows[:2]) + '{"input": "trunc')
    proc = edapipe("batch", "-j", "1", "--resume", "journal.jsonl", "--", SCRIPT, *inputs,
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert "2 from the journal" in proc.stderr
    again = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [without_times(r) for r in again] == [without_times(r) for r in rows]
    lines = journal.read_text().splitlines()
    assert len(lines) == 5 and lines[2] == '{"input": "trunc'       # 2 + torn + 2 new
    assert {json.loads(line)["input"] for line in lines[3:]} == {"mut.bench", "bad.bench"}


def test_batch_usage_errors(tmp_path, inputs):
    proc = edapipe("batch", "--", "opt; frob", *inputs, cwd=tmp_path)
    assert proc.returncode == 2 and "stage 3 (frob): unknown stage" in proc.stderr
    proc = edapipe("batch", "--csv", "c17.bench", "--", "opt", *inputs, cwd=tmp_path)
    assert proc.returncode == 2 and "is an input" in proc.stderr


@pytest.mark.slow          # a LocalCluster starts in seconds of CPU
@pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                    reason="dask.distributed is not installed (pip install edapipe[dask])")
def test_dask_local_cluster_gives_the_same_rows(tmp_path, inputs):
    local = edapipe("batch", "-j", "2", "--", "opt resyn2; cec c17.bench", *inputs,
                    cwd=tmp_path)
    dask = edapipe("batch", "--dask", "local:2", "--", "opt resyn2; cec c17.bench", *inputs,
                   cwd=tmp_path)
    assert dask.returncode == local.returncode == 1, dask.stderr
    a = [without_times(json.loads(line)) for line in local.stdout.splitlines()]
    b = [without_times(json.loads(line)) for line in dask.stdout.splitlines()]
    assert len(a) == 4 and a == b
