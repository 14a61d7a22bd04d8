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
    script.write_text(f"load\n.control\nload {raw}\nprint v(out)[2]\nsetplot\n.endc\n.end\n")
    proc = subprocess.run(["ngspice", "-b", str(script)], capture_output=True, text=True,
                          timeout=60)
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
    assert "folder does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_spice_op_and_tran_start_light(deck):
    """Start-up: an op/tran run needs neither scipy.sparse (SuperLU's extension is loaded
    by itself), nor rich (stderr is not a terminal), nor matplotlib (no --plot); cached
    kernels load without numba's full registry refresh."""
    import sys

    code = ("import sys\nfrom edapipe.cli.main import main\n"
            f"main.main(args=['spice', {str(deck)!r}, '--tran', '1u 10u'], "
            "standalone_mode=False)\n"
            "from numba.core import caching\n"
            "assert getattr(caching.Cache.load_overload, '_edapipe_light', False)\n"
            "bad = [m for m in ('scipy.sparse', 'rich', 'matplotlib') if m in sys.modules]\n"
            "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
