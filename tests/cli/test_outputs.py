"""Every file option of every command through the one output layer, end to end: outputs never
replace an input or a special file, `-` is standard output, closed pipes and full disks."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bench
from tests.timing.conftest import DATA

EDAPIPE = str(Path(sys.executable).with_name("edapipe"))

BENCH = "INPUT(a)\nINPUT(b)\nOUTPUT(y)\nOUTPUT(z)\ny = NAND(a, b)\nz = AND(a, b)\n"
BENCH_OTHER = "INPUT(a)\nINPUT(b)\nOUTPUT(y)\nOUTPUT(z)\ny = NAND(a, b)\nz = OR(a, b)\n"
DECK = "rc\nv1 in 0 dc 1\nr1 in out 1k\nc1 out 0 1n\n.op\n.end\n"
DECK_TWO = "rc\nv1 in 0 dc 1\nr1 in out 1k\nc1 out 0 1n\n.op\n.tran 1u 10u\n.end\n"
NETLIST = "module top(a, y);\n  input a; output y; wire n;\n  INV u1 (.A(a), .Y(n));\n" \
          "  INV u2 (.A(n), .Y(y));\nendmodule\n"
SDC = "create_clock -name v -period 1\nset_input_delay 0.1 -clock v [all_inputs]\n" \
      "set_output_delay 0.2 -clock v [all_outputs]\n"


def edapipe(*args, cwd=None, stdin=None, stdout=subprocess.PIPE):
    return subprocess.run([EDAPIPE, *map(str, args)], cwd=cwd, input=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=300)


@pytest.fixture
def work(tmp_path):
    (tmp_path / "a.bench").write_text(BENCH)
    (tmp_path / "b.bench").write_text(BENCH_OTHER)
    (tmp_path / "deck.cir").write_text(DECK)
    (tmp_path / "two.cir").write_text(DECK_TWO)
    (tmp_path / "top.v").write_text(NETLIST)
    (tmp_path / "top.sdc").write_text(SDC)
    (tmp_path / "cells.lib").write_bytes((DATA / "mini.lib").read_bytes())
    return tmp_path


STA = ["sta", "top.v", "-l", "cells.lib", "--sdc", "top.sdc"]
OVER_INPUT = [
    (["read", "a.bench", "-o", "a.bench"], "a.bench"),
    (["write", "a.bench", "-o", "a.bench"], "a.bench"),
    (["convert", "a.bench", "a.bench"], "a.bench"),
    (["strash", "a.bench", "-o", "a.bench"], "a.bench"),
    (["opt", "b", "a.bench", "-o", "a.bench"], "a.bench"),
    (["cec", "a.bench", "b.bench", "--cex", "a.bench"], "a.bench"),
    (["cec", "a.bench", "b.bench", "--cex-b", "b.bench"], "b.bench"),
    (STA + ["-o", "top.v"], "top.v"),
    (STA + ["-o", "top.sdc"], "top.sdc"),
    (STA + ["--plot", "cells.lib"], "cells.lib"),
    (["spice", "deck.cir", "--csv", "deck.cir"], "deck.cir"),
    (["spice", "deck.cir", "--raw", "deck.cir"], "deck.cir"),
    (["spice", "deck.cir", "--plot", "deck.cir"], "deck.cir"),
]


@pytest.mark.parametrize("argv, victim", OVER_INPUT, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else v)
def test_output_over_an_input_is_refused_before_any_work(work, argv, victim):
    before = (work / victim).read_bytes()
    proc = edapipe(*argv, cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert b"input" in proc.stderr and b"Traceback" not in proc.stderr
    assert (work / victim).read_bytes() == before


def test_output_through_a_symlink_or_hard_link_to_an_input_is_refused(work):
    (work / "alias.bench").symlink_to(work / "a.bench")
    os.link(work / "a.bench", work / "hard.bench")
    for out in ("alias.bench", "hard.bench", "./sub/../a.bench"):
        (work / "sub").mkdir(exist_ok=True)
        proc = edapipe("read", "a.bench", "-o", out, cwd=work)
        assert proc.returncode == 2, (out, proc.stderr)
    assert (work / "a.bench").read_text() == BENCH


def test_output_over_an_included_file_is_refused(work):
    (work / "models.inc").write_text("r2 out 0 1k\n")
    (work / "inc.cir").write_text("rc\n.include models.inc\nv1 in 0 dc 1\nr1 in out 1k\n"
                                  ".op\n.end\n")
    proc = edapipe("spice", "inc.cir", "--csv", "models.inc", cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert (work / "models.inc").read_text() == "r2 out 0 1k\n"


@pytest.mark.parametrize("argv, magic", [
    (["spice", "deck.cir", "--csv", "-"], b"v(in)"),
    (["spice", "deck.cir", "--raw", "-"], b"Title:"),
    (["spice", "deck.cir", "--plot", "-"], b"\x89PNG"),
    (STA + ["--plot", "-", "-o", "report.txt"], b"\x89PNG"),
    (["cec", "a.bench", "b.bench", "--cex", "-"], b"1\nb0\n"),
])
def test_dash_is_standard_output_and_never_a_file_named_dash(work, argv, magic):
    proc = edapipe(*argv, cwd=work)
    assert proc.returncode in (0, 1), proc.stderr
    assert magic in proc.stdout[:200]
    assert not (work / "-").exists()


def test_dash_with_several_analyses_or_two_streams_is_a_usage_error(work):
    assert edapipe("spice", "two.cir", "--csv", "-", cwd=work).returncode == 2
    assert edapipe("spice", "deck.cir", "--csv", "-", "--json", cwd=work).returncode == 2
    assert edapipe("spice", "deck.cir", "--csv", "-", "--raw", "-", cwd=work).returncode == 2
    assert edapipe(*STA, "--plot", "-", cwd=work).returncode == 2
    assert edapipe("cec", "a.bench", "b.bench", "--cex", "-", "--cex-b", "-",
                   cwd=work).returncode == 2


def test_dev_null_and_dev_stdout_are_written_through(work):
    before = os.stat("/dev/null")
    proc = edapipe("read", "a.bench", "-o", "/dev/null", cwd=work)
    assert proc.returncode == 0, proc.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    proc = edapipe("write", "a.bench", "--format", "aag", "-o", "/dev/stdout", cwd=work)
    assert proc.returncode == 0 and proc.stdout.startswith(b"aag ")
    assert os.path.islink("/dev/stdout")
    with open(work / "captured", "wb") as fh:
        proc = edapipe("write", "a.bench", "--format", "aag", "-o", "/dev/fd/1", cwd=work,
                       stdout=fh)
    assert proc.returncode == 0 and (work / "captured").read_bytes().startswith(b"aag ")


def test_process_substitution_is_written_through(work):
    proc = subprocess.run(["bash", "-c", f"{EDAPIPE} write a.bench --format aag "
                           f"-o >(cat > sub.aag); wait; sleep 0.2"], cwd=work,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (work / "sub.aag").read_bytes().startswith(b"aag ")


@pytest.mark.parametrize("out", ["adir", "adir/", "missing/x.aig"])
def test_folder_outputs_are_clear_usage_errors(work, out):
    (work / "adir").mkdir()
    proc = edapipe("read", "a.bench", "-o", out, cwd=work)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.count(b"\n") == 1


@pytest.mark.parametrize("argv", [["read", "adir"], ["stats", "adir"],
                                  ["sta", "adir", "-l", "cells.lib"],
                                  ["sta", "top.v", "-l", "adir"], ["spice", "adir"],
                                  ["cec", "adir", "a.bench"]])
def test_directory_input_is_bad_input_for_every_command(work, argv):
    (work / "adir").mkdir()
    proc = edapipe(*argv, cwd=work)
    assert proc.returncode == 3, proc.stderr
    assert b"directory" in proc.stderr


def test_standard_input_twice_is_a_usage_error(work):
    proc = edapipe("cec", "-", "-", cwd=work, stdin=BENCH.encode())
    assert proc.returncode == 2 and b"only once" in proc.stderr


@pytest.mark.parametrize("cmd", ["sim {} --words 4000", "read {}", "write {} --format aag",
                                 "stats {} --json"])
def test_closed_pipe_is_a_quiet_exit_0(cmd):
    src = bench("epfl", "multiplier.aig")
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {EDAPIPE} {cmd.format(src)} "
                           "| head -c 1 > /dev/null"], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""


@pytest.mark.parametrize("argv", [["read", "a.bench"], ["sim", "a.bench"],
                                  ["read", "a.bench", "-o", "/dev/full"],
                                  ["spice", "deck.cir", "--csv", "/dev/full"]])
def test_full_disk_is_one_line_and_exit_4(work, argv):
    with open("/dev/full", "wb") as full:
        proc = edapipe(*argv, cwd=work, stdout=full)
    assert proc.returncode == 4, proc.stderr
    assert b"No space left" in proc.stderr and proc.stderr.count(b"\n") == 1


def test_unwritable_numba_cache_falls_back_to_a_private_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(blocker / "cache"))
    proc = subprocess.run([sys.executable, "-c", "import os; from edapipe.cli.main import "
                           "configure_process; configure_process(); "
                           "print(os.environ['NUMBA_CACHE_DIR'])"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    chosen = proc.stdout.strip()
    assert "cannot be written" in proc.stderr and proc.stderr.count("\n") == 1
    assert not chosen.startswith(str(blocker)) and os.access(chosen, os.W_OK)
    assert "site-packages" not in chosen and "src/edapipe" not in chosen
    assert stat.S_IMODE(os.stat(os.path.dirname(chosen)).st_mode) == 0o700
