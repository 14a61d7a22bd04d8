"""Stage scripts in one process: parsing by the commands' own options, the circuit handed
from stage to stage, rows, and errors that name the stage with the command's exit code."""

import click
import pytest

from edapipe.aig.io import read
from edapipe.aig.sim import signatures
from edapipe.batch import stages as stg
from edapipe.batch.runner import StageError, parse_script, run_stages
from tests.conftest import BENCHMARKS

C17 = """INPUT(1)\nINPUT(2)\nINPUT(3)\nINPUT(6)\nINPUT(7)\nOUTPUT(22)\nOUTPUT(23)
10 = NAND(1, 3)\n11 = NAND(3, 6)\n16 = NAND(2, 11)\n19 = NAND(11, 7)
22 = NAND(10, 16)\n23 = NAND(16, 19)\n"""


@pytest.fixture
def c17(tmp_path):
    path = tmp_path / "c17.bench"
    path.write_text(C17)
    return path


def run(text, capture=True):
    return run_stages(parse_script(text), capture=capture)


@pytest.mark.parametrize("name", sorted(stg.HANDLED))
def test_circuit_stages_handle_every_option_of_their_command(name):
    # an option added to a command must be handled by its stage (or this fails)
    real = stg.real_command(name)
    options = {p.name for p in real.params
               if not isinstance(p, click.Argument) and p.expose_value}
    assert options == stg.HANDLED[name]


def test_the_circuit_flows_from_stage_to_stage(c17, tmp_path):
    out = tmp_path / "o.blif"
    rows = run(f"read {c17}; strash; opt 'b; rw'; cec; cec {c17}; stats --json; write {out}")
    assert [r["command"] for r in rows] == ["read", "strash", "opt", "cec", "cec", "stats",
                                            "write"]
    assert all(r["exit"] == 0 and r["error"] is None for r in rows)
    assert rows[0]["ands"] == 6 and rows[0]["inputs"] == 5
    assert rows[3]["equivalent"] is True and rows[4]["cec"] == "equivalent"
    assert rows[5]["result"]["ands"] == rows[2]["ands"]
    assert (signatures(read(out)) == signatures(read(c17))).all()


def test_pass_and_script_names_are_opt_stages(c17):
    rows = run(f"read {c17}; b; rw -z; resyn2; rs -K 6 -N 2")
    assert [(r["command"], r["script"]) for r in rows[1:]] == [
        ("opt", "b"), ("opt", "rw -z"), ("opt", "resyn2"), ("opt", "rs -K 6 -N 2")]


def test_explicit_output_writes_the_current_circuit(c17, tmp_path):
    a, b = tmp_path / "a.aag", tmp_path / "b.aig"
    run(f"read {c17} -o {a}; opt resyn2 -o {b}")
    assert a.read_bytes().startswith(b"aag ") and b.read_bytes().startswith(b"aig ")
    assert (signatures(read(b)) == signatures(read(c17))).all()


def test_a_failing_check_stops_the_script_with_exit_1(c17, tmp_path):
    bad = tmp_path / "bad.bench"
    bad.write_text(C17.replace("23 = NAND(16, 19)", "23 = AND(16, 19)"))
    out = tmp_path / "never.aig"
    with pytest.raises(StageError) as err:
        run(f"read {c17}; opt; cec {bad}; write {out}")
    assert err.value.exit_code == 1
    assert str(err.value).startswith("stage 3 (cec ") and ": not equivalent" in str(err.value)
    assert err.value.rows[-1]["equivalent"] is False and err.value.rows[-1]["exit"] == 1
    assert "counter-example" in err.value.rows[-1]["stdout"]
    assert not out.exists()


def test_bad_input_is_exit_3_naming_the_stage(tmp_path):
    bad = tmp_path / "bad.bench"
    bad.write_text("INPUT(a)\nOUTPUT(y)\ny = FROB(a)\n")
    with pytest.raises(StageError) as err:
        run(f"read {bad}; opt")
    assert err.value.exit_code == 3 and str(err.value).startswith("stage 1 (read ")
    assert str(err.value).endswith("bad.bench:3:5: unknown gate type 'FROB' (expected AND NAND "
                                   "OR NOR XOR XNOR NOT BUF BUFF DFF)")


@pytest.mark.parametrize("text,message", [
    ("read x.aig; frobnicate", "stage 2 (frobnicate): unknown stage 'frobnicate'"),
    ("opt; read x.aig", "stage 1 (opt): no circuit yet"),
    ("read x.aig; opt nonsense", "unknown pass or script 'nonsense'"),
    ("read x.aig; cec --bogus", "stage 2 (cec --bogus): No such option '--bogus'"),
    ("read x.aig; stats --top t", "--top: stats reads no file here"),
    ("read x.aig; stats y.aig", "stats takes no file"),
    ("read x.aig; write a.aig -o b.aig", "give the output once"),
    ("read x.aig; map -K 9", "stage 2 (map -K 9): Invalid value for '-K'"),
    ("read x.aig; run 'stats'", "'run' cannot be a stage"),
])
def test_usage_errors_before_any_work_name_the_stage(text, message):
    with pytest.raises(StageError) as err:
        parse_script(text)
    assert err.value.exit_code == 2 and message in str(err.value)


def test_script_file_errors_are_located():
    with pytest.raises(StageError) as err:
        parse_script("read x.aig\n\n  opt -q\n", "flow.eda")
    assert str(err.value).startswith("flow.eda:3:3: stage 2 (opt -q): ")


def test_outputs_never_replace_an_input(c17):
    with pytest.raises(StageError) as err:
        run(f"read {c17}; opt; write {c17}")
    assert err.value.exit_code == 2 and "is an input" in str(err.value)
    assert c17.read_text() == C17


def test_file_stages_run_the_command(c17, tmp_path):
    out = tmp_path / "c17.blif"
    rows = run(f"convert {c17} {out}; read {out}; cec {c17}")
    assert rows[0]["command"] == "convert" and out.exists()
    assert rows[2]["equivalent"] is True


@pytest.mark.skipif(not (BENCHMARKS / "epfl").is_dir(), reason="no shared benchmarks")
def test_lut_mapping_stage_is_proven(tmp_path):
    out = tmp_path / "ctrl.blif"
    src = BENCHMARKS / "epfl" / "ctrl.aig"
    rows = run(f"read {src}; opt; map -K 4 -o {out} --json; cec {out}")
    assert rows[2]["result"]["luts"] == rows[2]["luts"] > 0
    assert rows[3]["equivalent"] is True


@pytest.mark.skipif(not (BENCHMARKS / "epfl").is_dir(), reason="no shared benchmarks")
def test_cell_mapping_stage_takes_the_commands_options_and_is_proven(tmp_path):
    lib = BENCHMARKS / "timing" / "liberty" / "sky130hd_tt.lib.gz"
    out = tmp_path / "ctrl.v"
    src = BENCHMARKS / "epfl" / "ctrl.aig"
    rows = run(f"read {src}; map -l {lib} --choices off --area -o {out} --json; "
               f"cec {out} -l {lib}")
    assert rows[1]["result"]["area"] > 0 and rows[1]["result"]["cells"] > 0
    assert rows[2]["equivalent"] is True
