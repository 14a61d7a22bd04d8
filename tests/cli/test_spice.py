"""`edapipe spice`: help, the op table on stdout, CSV/raw/JSON/PNG outputs, analyses from the
command line, and raw files that ngspice itself reads back."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from edapipe.cli.spice import spice_cmd

DIVIDER = """divider
V1 in 0 DC 2 AC 1 PULSE(0 2 1n 1n 1n 10n 20n)
R1 in out 1k
R2 out 0 1k
C1 out 0 1p
.op
.end
"""


@pytest.fixture
def deck(tmp_path):
    path = tmp_path / "div.cir"
    path.write_text(DIVIDER)
    return path


def invoke(*args):
    return CliRunner().invoke(spice_cmd, [str(a) for a in args], catch_exceptions=False)


def test_help():
    res = invoke("--help")
    assert res.exit_code == 0
    assert "--tran" in res.output and "ngspice" in res.output


def test_op_table_on_stdout(deck):
    res = invoke(deck)
    assert res.exit_code == 0
    rows = dict(line.split() for line in res.stdout.strip().splitlines()[1:])
    assert float(rows["v(out)"]) == pytest.approx(1.0)
    assert float(rows["i(v1)"]) == pytest.approx(-1e-3)


def test_csv_one_file_per_analysis(deck, tmp_path):
    out = tmp_path / "r.csv"
    res = invoke(deck, "--op", "--ac", "dec 5 1k 1g", "--tran", "1n 40n", "--csv", out)
    assert res.exit_code == 0
    op = (tmp_path / "r__op.csv").read_text().splitlines()
    assert op[0] == "variable,value"
    ac = (tmp_path / "r__ac.csv").read_text().splitlines()
    assert ac[0].startswith("frequency,re(v(in)),im(v(in))")
    assert len(ac) == 1 + 31
    tran = np.loadtxt(tmp_path / "r__tran.csv", delimiter=",", skiprows=1)
    head = (tmp_path / "r__tran.csv").read_text().splitlines()[0].split(",")
    assert head[0] == "time" and tran[-1, 0] == pytest.approx(40e-9)
    # the RC node follows the pulse: at 10 ns it sits near the 1 V plateau
    out_col = head.index("v(out)")
    assert np.interp(10e-9, tran[:, 0], tran[:, out_col]) == pytest.approx(1.0, abs=0.01)


def test_json(deck):
    res = invoke(deck, "--dc", "v1 0 2 0.5", "--json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    dc = data["analyses"][0]
    assert dc["analysis"] == "dc"
    assert dc["vectors"]["v(out)"] == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])


@pytest.mark.parametrize("fmt", ["binary", "ascii"])
def test_raw_file_read_by_ngspice(deck, tmp_path, fmt):
    raw = tmp_path / f"out-{fmt}.raw"
    res = invoke(deck, "--op", "--ac", "dec 2 1k 1meg", "--raw", raw, "--raw-format", fmt)
    assert res.exit_code == 0
    head = raw.read_bytes()[:400].decode(errors="replace")
    assert "Plotname: Operating Point" in head and "No. Variables: 3" in head
    if shutil.which("ngspice") is None:
        pytest.skip("ngspice is not installed")
    script = tmp_path / "load.cir"
    # `quit 0`: ngspice -b exits 1 after a control section that runs no analysis; a clean
    # run now exits 0, so a crash or a refusal still shows in the exit code
    script.write_text(f"load\n.control\nload {raw}\nprint v(out)[2]\nsetplot\nquit 0\n"
                      ".endc\n.end\n")
    proc = subprocess.run(["ngspice", "-b", str(script)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "v(out)[2] = " in proc.stdout
    # 1 kHz..1 MHz, the second point is 31.6 kHz: still the resistive divider
    val = proc.stdout.split("v(out)[2] = ")[1].split()[0].split(",")[0]   # re,im
    assert float(val) == pytest.approx(0.5, rel=1e-3)


def test_plot_png(deck, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "w.png"
    res = invoke(deck, "--tran", "1n 20n", "--plot", png)
    assert res.exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stdin(deck):
    res = CliRunner().invoke(spice_cmd, ["-"], input=DIVIDER)
    assert res.exit_code == 0 and "v(out)" in res.stdout


def test_spice_help_does_not_import_numba():
    code = ("import sys; from edapipe.cli.main import run\n"
            "try:\n    run(['spice', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'numba' not in sys.modules, 'numba imported'\n")
    import sys
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_missing_output_folder_is_a_usage_error_before_simulating(deck, tmp_path):
    import sys

    proc = subprocess.run([sys.executable, "-m", "edapipe.cli.main", "spice", str(deck),
                           "--csv", str(tmp_path / "no" / "x.csv")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_spice_op_and_tran_start_light(deck):
    """Start-up: an op/tran run needs neither scipy.sparse (SuperLU's extension is loaded
    by itself), nor rich (stderr is not a terminal), nor matplotlib (no --plot); cached
    kernels load through analog/fastload.py (installed, no fallback taken)."""
    import sys

    code = ("import sys\nfrom edapipe.cli.main import main\n"
            f"main.main(args=['spice', {str(deck)!r}, '--tran', '1u 10u'], "
            "standalone_mode=False)\n"
            "from edapipe.analog import fastload\n"
            "assert fastload.status['installed'] and not fastload.status.get('fallback'), "
            "fastload.status\n"
            "bad = [m for m in ('scipy.sparse', 'rich', 'matplotlib') if m in sys.modules]\n"
            "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr


# --- .save / .probe / .print -----------------------------------------------------------------

SAVED = """saved vectors
.subckt half a b
R1 a n2 1k
R2 n2 b 1k
.ends
V1 in 0 DC 2 AC 1 PULSE(0 2 1n 1n 1n 10n 20n)
X1 in 0 half
R3 in out 1k
C1 out 0 1p
L1 out 0 1m
.tran 1n 20n
.ac dec 2 1k 1meg
{cards}
.end
"""


def saved_deck(tmp_path, *cards):
    path = tmp_path / "saved.cir"
    path.write_text(SAVED.format(cards="\n".join(cards)))
    return path


def csv_head(path):
    return path.read_text().splitlines()[0].split(",")


def test_save_selects_csv_columns_in_order(tmp_path):
    deck = saved_deck(tmp_path, ".SAVE V(out), x1.n2", ".save I(V1) v(zz)", ".probe alli")
    out = tmp_path / "r.csv"
    res = invoke(deck, "--csv", out)
    assert res.exit_code == 0
    assert csv_head(tmp_path / "r__tran.csv") == ["time", "v(out)", "v(x1.n2)", "i(v1)"]
    assert csv_head(tmp_path / "r__ac.csv") == ["frequency", "re(v(out))", "im(v(out))",
                                               "re(v(x1.n2))", "im(v(x1.n2))", "re(i(v1))",
                                               "im(i(v1))"]
    warnings = [line for line in res.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2
    assert any("v(zz)" in w and "saved.cir:14" in w for w in warnings)
    assert any("alli" in w and "saved.cir:15" in w for w in warnings)
    assert res.stdout == ""          # no .print, no .op: nothing on stdout


def test_save_selects_json_and_raw(tmp_path):
    deck = saved_deck(tmp_path, ".save out i(l1)")
    res = invoke(deck, "--json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    for item in data["analyses"]:
        assert list(item["vectors"]) == ["v(out)", "i(l1)"]
    raw = tmp_path / "r.raw"
    assert invoke(deck, "--raw", raw, "--raw-format", "ascii", "--op").exit_code == 0
    text = raw.read_text()
    assert "No. Variables: 2" in text
    assert "\t0\tv(out)\tvoltage\n\t1\ti(l1)\tcurrent\n" in text


def test_save_all_and_only_unknown_names_keep_everything(tmp_path):
    full = None
    for cards in ((), (".save v(out)", ".save all"), (".save v(nothing)",)):
        deck = saved_deck(tmp_path, *cards)
        out = tmp_path / "r.csv"
        assert invoke(deck, "--tran", "1n 5n", "--csv", out).exit_code == 0
        head = csv_head(out)
        full = full or head
        assert head == full and "v(x1.n2)" in head and "i(v1)" in head


def test_print_table_on_stdout_equals_csv(tmp_path):
    deck = saved_deck(tmp_path, ".save v(out)", ".print tran v(out) v(in,out)",
                      ".print tran i(v1) v(x1.n2)")
    out = tmp_path / "r.csv"
    res = invoke(deck, "--csv", out, "--json")
    full = json.loads(res.stdout)["analyses"][0]["vectors"]    # .save: only v(out)
    assert list(full) == ["v(out)"]
    res = invoke(deck, "--tran", "1n 20n")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["Index", "time", "v(out)", "v(in)-v(out)", "i(v1)", "v(x1.n2)"]
    table = np.array([[float(x) for x in line.split("\t")] for line in lines[1:]])
    csv = np.loadtxt(out.with_name("r__tran.csv"), delimiter=",", skiprows=1)
    assert len(table) == len(csv)
    assert np.array_equal(table[:, 0], np.arange(len(csv)))
    assert np.allclose(table[:, 1], csv[:, 0], rtol=1e-6, atol=0)
    assert np.allclose(table[:, 2], csv[:, 1], rtol=1e-5, atol=1e-15)
    assert "warning" not in res.stderr
    # the others come from every vector, whatever .save says
    every = json.loads(invoke(saved_deck(tmp_path), "--tran", "1n 20n", "--json").stdout)
    vec = {k: np.array(v) for k, v in every["analyses"][0]["vectors"].items()}
    for col, want in ((3, vec["v(in)"] - vec["v(out)"]), (4, vec["i(v1)"]),
                      (5, vec["v(x1.n2)"])):
        assert np.allclose(table[:, col], want, rtol=1e-5, atol=1e-12)


def test_print_ac_vdb_vp(tmp_path):
    deck = saved_deck(tmp_path, ".print ac vdb(out) vp(out)", ".print ac v(out) vm(nope)")
    res = invoke(deck, "--json")
    z = [complex(a, b) for a, b in zip(*json.loads(res.stdout)["analyses"][1]["vectors"]
                                       ["v(out)"].values())]
    res = invoke(deck, "--ac", "dec 2 1k 1meg")
    assert res.exit_code == 0
    head, *rows = res.stdout.splitlines()
    assert head.split() == ["Index", "frequency", "vdb(out)", "vp(out)", "v(out)"]
    assert len(rows) == len(z) == 7
    for row, zz in zip(rows, z):
        cells = row.split("\t")
        assert float(cells[2]) == pytest.approx(20 * np.log10(abs(zz)), rel=1e-5, abs=1e-5)
        assert float(cells[3]) == pytest.approx(np.angle(zz), rel=1e-5, abs=1e-6)
        assert cells[4].endswith(",")                         # re,<tab>im as ngspice
        assert float(cells[4][:-1]) == pytest.approx(zz.real, rel=1e-5, abs=1e-12)
        assert float(cells[5]) == pytest.approx(zz.imag, rel=1e-5, abs=1e-12)
    assert "vm(nope)" in res.stderr and "saved.cir:14" in res.stderr


def test_op_table_stays_and_print_op_follows(deck, tmp_path):
    path = tmp_path / "p.cir"
    path.write_text(DIVIDER.replace(".op", ".op\n.print op v(out)\n.save v(in)"))
    res = invoke(path)
    assert res.exit_code == 0
    op, printed = res.stdout.split("\n\n")
    assert op == invoke(deck).stdout.rstrip("\n")          # all vectors, unchanged
    assert printed == "Index   v(out)\n0\t1.000000e+00\n"


def test_malformed_output_card_is_exit_3(tmp_path):
    import sys

    deck = saved_deck(tmp_path, ".save v(out) v(in")
    proc = subprocess.run([sys.executable, "-m", "edapipe.cli.main", "spice", str(deck)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    assert "saved.cir:13:" in proc.stderr and "')'" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
