"""`edapipe opt` through the command line."""

import json
import subprocess
import sys

from edapipe.aig.io import read
from tests.conftest import BENCHMARKS, need
from tests.equivalence import assert_equivalent

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]
CTRL = BENCHMARKS / "epfl" / "ctrl.aig"


def test_opt_writes_aiger_and_json(tmp_path):
    out = tmp_path / "o.aig"
    proc = subprocess.run(EDAPIPE + ["opt", "st", str(need(CTRL)), "-o", str(out), "--json",
                                     "-v"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert figures["input"]["ands"] == 174 and figures["steps"][0]["pass"] == "st"
    assert "and =" in proc.stderr
    assert_equivalent(read(need(CTRL)), read(out))


def test_opt_usage_errors():
    proc = subprocess.run(EDAPIPE + ["opt", "st", str(need(CTRL)), "--json"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2 and "give -o FILE" in proc.stderr
    proc = subprocess.run(EDAPIPE + ["opt", "nonsense", str(need(CTRL))], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2 and "unknown pass" in proc.stderr
