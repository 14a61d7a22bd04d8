"""The pass registry and the script runner."""

import pytest

from edapipe.aig.io import read
from edapipe.errors import UsageError
from edapipe.synth import passes
from edapipe.synth.script import expand, run_script
from tests.conftest import bench
from tests.equivalence import assert_equivalent


def test_aliases_and_presets_resolve():
    assert passes.lookup("st")[0].name == "strash"
    assert passes.lookup("rwz") == (passes.lookup("rewrite")[0], ("-z",))


def test_named_scripts_use_only_known_passes():
    for name, text in passes.SCRIPTS.items():
        for part in text.split(";"):
            word = part.split()[0]
            assert word in passes.SCRIPTS or passes.lookup(word), (name, word)


@pytest.mark.parametrize("script,why", [("", "empty script"), ("st; bogus", "unknown pass"),
                                        ("st -Q", "unknown option"),
                                        ("resyn2 -z", "takes no options")])
def test_bad_scripts_are_usage_errors(script, why):
    with pytest.raises(UsageError, match=why):
        expand(script)


def test_strash_script_runs_and_reports():
    aig = read(bench("epfl", "ctrl.aig"))
    out, steps = run_script(aig, "st; strash")
    assert [s.text for s in steps] == ["st", "strash"]
    assert steps[-1].ands == out.num_ands <= aig.num_ands
    assert_equivalent(aig, out)
