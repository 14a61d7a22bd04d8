"""The edapipe group: help for every command, lazy imports, exit codes, pipes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edapipe.cli import COMMANDS
from edapipe.cli.main import main
from tests.conftest import bench

EDAPIPE = [sys.executable, "-m", "edapipe.cli.main"]


def test_group_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def imported_modules(*argv: str, code: int = 0) -> set[str]:
    """The modules a fresh process has imported after `edapipe argv`, which must end with
    exit `code` (a crash must not pass for "numba was not imported")."""
    return modules_and_stderr(*argv, code=code)[0]


def modules_and_stderr(*argv: str, code: int = 0, cwd=None) -> tuple[set[str], str]:
    """imported_modules, and what the command wrote on standard error (without the list)."""
    script = ("import sys\nfrom edapipe.cli.main import run\ntry:\n    run(%r)\n"
              "except SystemExit as exc:\n    status = exc.code\nelse:\n    status = 0\n"
              "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
              "sys.exit(status)" % (list(argv),))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=cwd)
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.splitlines(keepends=True)
    listed = [line for line in lines if line.startswith("MODULES ")]
    assert len(listed) == 1, proc.stderr
    return set(listed[0].split()[1:]), "".join(line for line in lines if line not in listed)


@pytest.mark.parametrize("argv, code", [(["--help"], 0), (["stats", "--help"], 0),
                                        (["sim", "--bogus"], 2),
                                        (["stats", "epfl/ctrl.aig"], 0)])
def test_help_errors_and_stats_do_not_import_numba(argv, code):
    if argv[-1].endswith(".aig"):
        argv = [*argv[:-1], str(bench(argv[-1]))]
    modules = imported_modules(*argv, code=code)
    assert "click" in modules and "edapipe.cli.main" in modules   # the list is real
    assert "numba" not in modules


ADDER8 = Path(__file__).resolve().parents[2] / "examples" / "adder8.v"
RC_DECK = """rc ladder
V1 in 0 DC 0 PULSE(0 1 0 1n 1n 5u 10u)
R1 in mid 1k
C1 mid 0 1n
R2 mid out 1k
C2 out 0 1n
.tran 0.1u 20u
.end
"""


@pytest.mark.parametrize("argv, said", [
    (["stats", "adder8.v"], None),
    (["read", "undriven.bench", "-o", "u.aig"],
     "edapipe: warning: undriven.bench:3: constant-0 drivers added to 1 undriven net(s): 'b'\n"),
    (["opt", "resyn2", "adder8.v", "-o", "o.aig"], None),
    (["opt", "-v", "resyn2", "adder8.v", "-o", "o.aig"], "[10/10] b  "),
    (["cec", "adder8.v", "adder8.v"], None),
    (["cec", "-v", "adder8.v", "adder8.v"], "cec: {'rounds': "),
    (["sta", "{gcd}.v", "--liberty", "{lib}", "--sdc", "{gcd}.sdc"],
     "are black boxes with no timing\n"),
    (["spice", "rc.cir", "--csv", "rc.csv"], "edapipe: Transient Analysis: "),
    (["batch", "-j", "1", "--", "opt; cec", "adder8.v"], "batch: 1 inputs: 1 ok ("),
], ids=["stats", "read-warning", "opt", "opt-v", "cec", "cec-v", "sta-gcd", "spice", "batch"])
def test_plain_runs_do_not_import_rich(tmp_path, argv, said):
    """Issue #18: rich costs 0.03-0.05 s CPU to import, so tiny successful runs, their
    warnings and their -v lines (stderr is not a terminal) are written without it."""
    (tmp_path / "adder8.v").write_bytes(ADDER8.read_bytes())
    (tmp_path / "undriven.bench").write_text("INPUT(a)\nOUTPUT(y)\ny = AND(a, b)\n")
    (tmp_path / "rc.cir").write_text(RC_DECK)
    if argv[0] == "sta":
        gcd = bench("timing", "designs", "gcd_sky130hd", "gcd_sky130hd.v").with_suffix("")
        lib = bench("timing", "liberty", "sky130hd_tt.lib.gz")
        argv = [a.format(gcd=gcd, lib=lib) for a in argv]
    modules, stderr = modules_and_stderr(*argv, cwd=tmp_path)
    assert "click" in modules and "edapipe.cli.main" in modules   # the list is real
    assert not [m for m in modules if m == "rich" or m.startswith("rich.")]
    if said is not None:
        assert said in stderr, stderr
    if "-v" in argv and argv[0] == "cec":
        # one line however long: rich broke it at column 80
        assert len([line for line in stderr.splitlines() if line.startswith("cec: ")]) == 1
        assert stderr.split("cec: ", 1)[1].split("\n", 1)[0].endswith("}")


def test_unknown_command_is_a_usage_error():
    proc = subprocess.run(EDAPIPE + ["frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "No such command" in proc.stderr


def test_broken_pipe_is_quiet():
    src = bench("epfl", "multiplier.aig")
    proc = subprocess.run(" ".join(EDAPIPE) + f" sim {src} --words 2000 | head -c 10",
                          shell=True, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr


def test_program_exit_skips_teardown_but_loses_no_output(tmp_path):
    # the program leaves with os._exit after flushing: a large text output on a pipe must
    # arrive whole, and exit codes must be those of `run`
    src = bench("epfl", "square.aig")
    ref = tmp_path / "square.aag"
    assert subprocess.run(EDAPIPE + ["convert", str(src), str(ref)], timeout=120).returncode == 0
    proc = subprocess.run(EDAPIPE + ["convert", str(src), "-", "--format", "aag"],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ref.read_bytes() and len(proc.stdout) > 100_000
    missing = subprocess.run(EDAPIPE + ["stats", str(tmp_path / "none.aig")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 3 and "none.aig" in missing.stderr


_LIGHT = """import json, sys
from edapipe.cli.main import configure_process, run
configure_process()
try:
    run(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
fastload = sys.modules.get("edapipe.analog.fastload")
print(json.dumps({"numba": "numba" in sys.modules,
                  "light": bool(fastload and fastload.status["installed"]),
                  "fallback": fastload.status["fallback"] if fastload else None}),
      file=sys.stderr)
"""


def _light_run(argv: list[str], **env) -> tuple[bytes, dict]:
    import json
    import os

    full = {k: v for k, v in os.environ.items() if k != "EDAPIPE_NUMBA_FASTLOAD"}
    proc = subprocess.run([sys.executable, "-c", _LIGHT, *argv], capture_output=True,
                          env=dict(full, **env), timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout, json.loads(proc.stderr.decode().strip().splitlines()[-1])


def test_light_kernel_load_only_where_kernels_run_and_same_answers():
    c432 = str(bench("iscas85", "c432.bench"))
    out, light = _light_run(["strash", c432])
    assert light == {"numba": True, "light": True, "fallback": None}
    plain, off = _light_run(["strash", c432], EDAPIPE_NUMBA_FASTLOAD="0")
    assert off["numba"] and not off["light"]
    assert out == plain and out.startswith(b"aig ")
    _, stats = _light_run(["stats", c432])
    assert stats == {"numba": False, "light": False, "fallback": None}


def test_a_small_linear_deck_runs_without_numba(tmp_path):
    # kernels are defined on first use (util/jit.py) and small linear systems take numpy's
    # dense LU (analog/analyses.py): a trivial deck never imports numba
    deck = tmp_path / "tiny.cir"
    deck.write_text("tiny\nv1 in 0 dc 1\nr1 in mid 1k\nr2 mid out 1k\nc1 out 0 1n\n"
                    "r3 out 0 2k\n.op\n.end\n")
    modules = imported_modules("spice", str(deck))
    assert "edapipe.analog.analyses" in modules and "numba" not in modules
    deck.write_text("d\nv1 1 0 1\nr1 1 2 1k\nd1 2 0 dm\n.model dm d\n.op\n.end\n")
    assert "numba" in imported_modules("spice", str(deck))     # a diode needs its kernel
