"""Sequential AIGER with its outputs in the bad-state field (ABC's `write_aiger` after
`read_bench` of a design with unknown latch initial values): read as bad states, taken as
outputs by the equivalence paths (as ABC reads such files back)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from edapipe.aig import LATCH_INIT_X
from edapipe.aig.io import parse, read
from edapipe.aig.io.aiger import bad_as_outputs, equivalence_views
from edapipe.verify.cec import CecParams, check_equivalence
from tests.conftest import BENCHMARKS, need, run_abc

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]
S27 = BENCHMARKS / "iscas89" / "s27.bench"

# Written by berkeley-abc 1.01: `read_bench s27.bench; strash; write_aiger x.aig` (header
# `aig 15 4 3 0 8 1 0`: no outputs, one bad state, latches uninitialized); ABC's comment
# section dropped.
S27_ABC = (b"aig 15 4 3 0 8 1 0\n28 10\n26 12\n30 14\n27\n"
           b"\x04\t\x01\x08\x05\n\x01\x04\x01\x04\x02\r\x01\x19\t\x0e")


def test_read_keeps_bad_states_and_equivalence_sees_outputs():
    aig = parse(S27_ABC, "s27_abc.aig")
    # as read, the property stays a bad state (model checking needs it so)
    assert aig.num_outputs == 0 and aig.bad.tolist() == [27]
    assert aig.latch_init.tolist() == [LATCH_INIT_X] * 3
    seen = bad_as_outputs(aig)
    assert seen.outputs.tolist() == [27] and seen.bad.size == 0
    assert seen.num_ands == aig.num_ands and seen.num_latches == 3
    # a design with outputs, or with no bad states, is left as it is
    assert bad_as_outputs(seen) is None


def test_equivalence_views_only_when_the_other_side_has_outputs():
    aig = parse(S27_ABC, "s27_abc.aig")
    notes = []
    a, b = equivalence_views(aig, aig, notes.append)
    assert a is aig and b is aig and not notes  # bad against bad: compared as bad states
    other = bad_as_outputs(aig)
    a, b = equivalence_views(other, aig, notes.append)
    assert a is other and b.num_outputs == 1 and b.bad.size == 0
    assert len(notes) == 1 and "design B" in notes[0] and "bad-state" in notes[0]


def test_cec_proves_abc_file_against_bench(benchmarks):
    golden = read(need(S27))
    a, b = equivalence_views(golden, parse(S27_ABC, "s27_abc.aig"))
    res = check_equivalence(a, b, CecParams(by_position=True))
    assert res.equivalent is True
    # and a wrong one is refuted: the output complemented
    b_bad = b.replace(outputs=np.asarray(b.outputs) ^ 1)
    assert check_equivalence(a, b_bad, CecParams(by_position=True)).equivalent is False


@pytest.mark.parametrize("name", ["s27", "s1196"])
def test_cli_cec_on_file_made_by_abc(benchmarks, abc_bin, tmp_path, name):
    src = benchmarks / "iscas89" / f"{name}.bench"
    made = tmp_path / f"{name}_abc.aig"
    run_abc(abc_bin, f"read_bench {src}; strash; write_aiger {made}")
    assert made.read_bytes().split(b"\n", 1)[0].split()[4] == b"0"  # outputs field empty
    for pair in ((src, made), (made, src)):
        proc = subprocess.run(EDAPIPE + ["cec", "--by-position", *map(str, pair)],
                              capture_output=True, timeout=300)
        assert proc.returncode == 0, proc.stderr.decode() + proc.stdout.decode()
        assert b"bad-state properties: taking them as its outputs" in proc.stderr


def test_unnamed_design_takes_the_named_ones_names_by_position(benchmarks):
    golden = read(need(S27))
    abc = parse(S27_ABC, "s27_abc.aig")  # no symbol table
    notes = []
    a, b = equivalence_views(golden, abc, notes.append)
    assert b.input_names == golden.input_names and b.latch_names == golden.latch_names
    assert b.output_names == golden.output_names
    assert any("design B has no names for its inputs, latches, outputs" in n for n in notes)
    assert check_equivalence(a, b).equivalent is True
    # a design with its own names keeps them; --by-position needs no renaming
    a2, b2 = equivalence_views(abc, abc)
    assert b2.input_names == abc.input_names
    notes.clear()
    _, b3 = equivalence_views(golden, abc, notes.append, by_position=True)
    assert all(n is None for n in b3.input_names)
    assert not any("no names" in n for n in notes)


@pytest.mark.parametrize("name", ["s27", "s298"])
def test_cli_cec_by_name_on_unnamed_file_made_by_abc(benchmarks, abc_bin, tmp_path, name):
    src = benchmarks / "iscas89" / f"{name}.bench"
    made = tmp_path / f"{name}_abc.aig"
    run_abc(abc_bin, f"read_bench {src}; strash; write_aiger {made}")
    proc = subprocess.run(EDAPIPE + ["cec", str(src), str(made)], capture_output=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr.decode() + proc.stdout.decode()
    assert b"matched to design A's by position" in proc.stderr
    # sequential equivalence needs ABC's latches zero-initialized, as the bench's are
    zeroed = tmp_path / f"{name}_abc_zero.aig"
    run_abc(abc_bin, f"read_bench {src}; strash; zero; write_aiger {zeroed}")
    proc = subprocess.run(EDAPIPE + ["sec", str(src), str(zeroed)], capture_output=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr.decode() + proc.stdout.decode()
    assert b"design B has no names for its inputs, outputs:" in proc.stderr
