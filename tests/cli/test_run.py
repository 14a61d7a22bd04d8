"""`edapipe run` as a process: exit codes of the commands, --json rows, -f FILE."""

import json
import subprocess
import sys

from edapipe.aig.io import read
from edapipe.aig.sim import signatures
from tests.batch.test_runner import C17

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]


def edapipe(*args, cwd=None):
    return subprocess.run(EDAPIPE + list(args), capture_output=True, text=True, timeout=300,
                          cwd=cwd)


def test_run_script_json_rows_and_exit_codes(tmp_path):
    (tmp_path / "c17.bench").write_text(C17)
    (tmp_path / "bad.bench").write_text(C17.replace("22 = NAND", "22 = NOR"))
    proc = edapipe("run", "read c17.bench; opt resyn2; cec; write c17_opt.blif", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("equivalent: 2 outputs of c17.bench after stage 2 (opt)")
    assert (signatures(read(tmp_path / "c17_opt.blif")) ==
            signatures(read(tmp_path / "c17.bench"))).all()
    proc = edapipe("run", "--json", "read c17.bench; b; rw; cec bad.bench; stats", cwd=tmp_path)
    assert proc.returncode == 1
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["command"], r["exit"]) for r in rows] == [("read", 0), ("opt", 0), ("opt", 0),
                                                         ("cec", 1)]
    assert rows[-1]["equivalent"] is False and rows[-1]["stdout"].startswith("not equivalent")
    assert proc.stderr.startswith("edapipe: error: stage 4 (cec bad.bench): not equivalent")


def test_run_file_errors_are_located(tmp_path):
    (tmp_path / "c17.bench").write_text(C17)
    (tmp_path / "flow.eda").write_text("# flow\nread c17.bench\nopt 'b; rw'\n  map -K 12\n")
    proc = edapipe("run", "-f", "flow.eda", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("edapipe: error: flow.eda:4:3: stage 3 (map -K 12): ")
    proc = edapipe("run", "read nothing.aig; opt", cwd=tmp_path)
    assert proc.returncode == 3 and "stage 1 (read nothing.aig): nothing.aig: no such file" \
        in proc.stderr
    proc = edapipe("run", cwd=tmp_path)
    assert proc.returncode == 2 and "give a SCRIPT or -f FILE" in proc.stderr
