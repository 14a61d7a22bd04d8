"""`edapipe explore`: the recipe it prints reproduces the circuit it writes, which is proven
equal to the design and no larger than any named script of its first round."""

import json
import subprocess
import sys

import pytest

from edapipe.aig.io import read
from edapipe.aig.sim import signatures
from edapipe.synth.script import run_script
from edapipe.verify.cec import check_equivalence
from tests.conftest import BENCHMARKS

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]
C432 = BENCHMARKS / "iscas85" / "c432.bench"


@pytest.mark.skipif(not C432.exists(), reason="no shared benchmarks")
def test_explore_writes_a_proven_circuit_and_its_recipe(tmp_path):
    out, recipe = tmp_path / "best.aig", tmp_path / "recipe.txt"
    proc = subprocess.run(EDAPIPE + ["explore", str(C432), "--budget", "8", "-j", "1",
                                     "-o", str(out), "--script", str(recipe), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["evaluated"] == 8 and res["failed"] == 0 and res["equivalent"] is True
    design, best = read(C432), read(out)
    assert best.num_ands == res["ands"] < design.num_ands
    # the first round runs the named scripts; the search keeps the best of them or better
    named = {m["move"]: m["ands"] for m in res["moves"][:4]}
    assert set(named) == {"resyn2", "resyn2rs", "compress2rs", "dc2"}
    assert res["ands"] <= min(named.values())
    script = recipe.read_text().strip()
    assert script == res["script"]
    again, _ = run_script(design, script)
    assert again.num_ands == best.num_ands
    assert check_equivalence(design, best).equivalent is True
    assert (signatures(best) == signatures(design)).all()


def test_explore_usage(tmp_path):
    proc = subprocess.run(EDAPIPE + ["explore", "x.aig", "--objective", "depth"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2 and "Invalid value for '--objective'" in proc.stderr
