"""Batch rows: the summary exit code, CSV, the journal, comparing runs without times."""

import csv
import io

from edapipe.batch import rows


def row(path, code, status=None, **kw):
    r = rows.failed_row(path, status or rows.status_of(code), code, None if code == 0 else "x")
    r.update(kw)
    return r


def test_summary_exit_code():
    assert rows.summary_exit([]) == 0
    assert rows.summary_exit([row("a", 0), row("b", 0)]) == 0
    assert rows.summary_exit([row("a", 0), row("b", 4, "timeout"), row("c", 1)]) == 1
    assert rows.summary_exit([row("a", 3), row("b", 4, "crash")]) == 4
    assert rows.summary_exit([row("a", 2), row("b", 3)]) == 3
    assert rows.summary_exit([row("a", 0), row("b", rows.EXIT_BUG)]) == rows.EXIT_BUG
    assert rows.status_of(rows.EXIT_BUG) == "bug" and rows.status_of(1) == "failed"


def test_csv_has_the_flat_fields():
    text = rows.csv_bytes([row("a b.aig", 0, ands=3, outputs=["x.aig", "y.blif"],
                               equivalent=True)]).decode()
    (only,) = list(csv.DictReader(io.StringIO(text)))
    assert list(only) == list(rows.FIELDS)
    assert only["input"] == "a b.aig" and only["outputs"] == "x.aig;y.blif"
    assert only["ands"] == "3" and only["levels"] == "" and only["equivalent"] == "True"


def test_journal_skips_torn_and_foreign_lines(tmp_path):
    path = tmp_path / "j.jsonl"
    assert rows.read_journal(str(path)) == {}
    path.write_text('{"input": "a", "exit": 0}\nnot json\n[1]\n{"input": "b", "exit": 1}\n'
                    '{"input": "c", "ex')
    assert set(rows.read_journal(str(path))) == {"a", "b"}


def test_without_times_drops_only_times():
    a = row("a", 0, seconds=1.0, cpu=0.5, stages=[
        {"stage": 1, "seconds": 0.1, "log": "w", "stdout": "equivalent: 2 outputs (0.12 s)",
         "result": {"result": "equivalent", "seconds": 0.1, "stats": {}}}])
    b = row("a", 0, seconds=2.0, cpu=0.7, stages=[
        {"stage": 1, "seconds": 0.3, "stdout": "equivalent: 2 outputs (0.03 s)",
         "result": {"result": "equivalent", "seconds": 0.2, "stats": {"x": 1}}}])
    assert rows.without_times(a) == rows.without_times(b)
    b["ands"] = 7
    assert rows.without_times(a) != rows.without_times(b)
