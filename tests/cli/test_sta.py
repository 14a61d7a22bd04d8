"""`edapipe sta` end to end: reports, JSON, CI gating, plot, and bad input with locations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edapipe.cli.main import run
from tests.timing.conftest import DATA, LIB, PEER, close, design_files, need_shared

EDAPIPE = Path(sys.executable).with_name("edapipe")

GOOD_V = "module top(a, y);\n  input a; output y; wire n;\n  INV u1 (.A(a), .Y(n));\n" \
         "  INV u2 (.A(n), .Y(y));\nendmodule\n"
GOOD_SDC = "create_clock -name v -period 1\nset_input_delay 0.1 -clock v [all_inputs]\n" \
           "set_output_delay 0.2 -clock v [all_outputs]\n"


def call(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        run(argv)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.fixture
def small(tmp_path):
    v = tmp_path / "top.v"
    v.write_text(GOOD_V)
    sdc = tmp_path / "top.sdc"
    sdc.write_text(GOOD_SDC)
    return tmp_path, v, sdc


def test_help(capsys):
    code, out, _ = call(["sta", "--help"], capsys)
    assert code == 0 and "--liberty" in out and "--max-violations" in out


def test_help_does_not_import_numba():
    proc = subprocess.run([sys.executable, "-c",
                           "import sys; from edapipe.cli.main import run\n"
                           "try: run(['sta', '--help'])\nexcept SystemExit: pass\n"
                           "assert 'numba' not in sys.modules, 'numba imported'"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_text_report_and_json(small, capsys):
    tmp, v, sdc = small
    code, out, _ = call(["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(sdc)],
                        capsys)
    assert code == 0
    assert "WNS" in out and "Startpoint: a (input port clocked by v)" in out
    assert "u2/Y (INV)" in out and "slack (MET)" in out
    code, out, _ = call(["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(sdc),
                         "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["setup"]["violations"] == 0
    assert [e["name"] for e in data["endpoints"]] == ["y"]
    e = data["endpoints"][0]
    assert e["hold_slack"] == pytest.approx(e["hold_arrival"] - e["hold_required"], abs=1e-9)
    assert [p["check"] for p in data["paths"]] == ["setup", "hold"]   # -n 1 by default
    path = data["paths"][0]
    assert path["data"][-1]["time"] == pytest.approx(path["arrival"], abs=1e-9)
    assert [s["point"].split()[0] for s in path["data"]].count("u2/Y") == 1


def test_max_violations_gates(small, capsys):
    tmp, v, sdc = small
    tight = tmp / "tight.sdc"
    tight.write_text(GOOD_SDC.replace("-period 1", "-period 0.2"))
    args = ["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(tight)]
    code, _, err = call(args + ["--max-violations", "0"], capsys)
    assert code == 1 and "setup" in err
    code, _, _ = call(args + ["--max-violations", "5"], capsys)
    assert code == 0


def test_max_transition_report_json_and_gate(small, capsys):
    """set_max_transition: counted in the summary, listed with --drc, in the JSON, and
    gated by --max-drc-violations (exit 1); `puts` output goes to standard error."""
    tmp, v, sdc = small
    rules = tmp / "rules.sdc"
    rules.write_text(GOOD_SDC + "set_max_transition 0.0001 [current_design]\n"
                     "puts {constraints read}\n")
    args = ["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(rules)]
    code, out, err = call(args + ["--drc"], capsys)
    assert code == 0 and "max_transition:" in out and "(VIOLATED)" in out
    assert "constraints read" in err and "constraints read" not in out
    line = next(x for x in out.splitlines() if x.startswith("drc    max_transition:"))
    bad = int(line.split("violations ")[1].split()[0])
    assert bad > 0
    code, out, _ = call(args + ["--json"], capsys)
    assert json.loads(out)["drc"]["max_transition"]["violations"] == bad
    code, _, err = call(args + [f"--max-drc-violations={bad - 1}"], capsys)
    assert code == 1 and "max_transition" in err
    code, _, _ = call(args + [f"--max-drc-violations={bad}"], capsys)
    assert code == 0


def test_max_capacitance_report_json_and_gate(small, capsys):
    """set_max_capacitance: u1/Y drives u2/A (0.001 pF in mini.lib) against 0.0005 pF; the
    gate counts it with the other rules."""
    tmp, v, sdc = small
    rules = tmp / "rules.sdc"
    rules.write_text(GOOD_SDC + "set_max_capacitance 0.0005 [current_design]\n"
                     "set_max_fanout 0 [current_design]\n")
    args = ["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(rules)]
    code, out, _ = call(args + ["--drc", "--digits", "4"], capsys)
    assert code == 0
    assert "drc    max_capacitance: 3 pins checked, violations 1  worst slack -0.0005 pF" in out
    assert "drc    max_fanout: 3 pins checked, violations 0" in out
    row = next(x for x in out.splitlines() if x.startswith("u1/Y"))
    assert row.split() == ["u1/Y", "0.0005", "0.0010", "-0.0005", "(VIOLATED)"]
    code, out, _ = call(args + ["--json"], capsys)
    cap = json.loads(out)["drc"]["max_capacitance"]
    assert cap["unit"] == "pF" and cap["violators"][0]["pin"] == "u1/Y"
    assert cap["violators"][0]["capacitance"] == pytest.approx(0.001)
    code, _, err = call(args + ["--max-drc-violations=0"], capsys)
    assert code == 1 and "1 max_capacitance violations" in err


def test_plot(small, capsys):
    tmp, v, sdc = small
    png = tmp / "slack.png"
    code, _, _ = call(["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(sdc),
                       "--plot", str(png), "-o", str(tmp / "r.txt")], capsys)
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "WNS" in (tmp / "r.txt").read_text()


@pytest.mark.parametrize("case, where, words", [
    ("lib", "broken.lib:4", "expected"),
    ("pin", "top.v:3:19", "no pin 'Q'"),
    ("port", "top.sdc:2", "no port"),
    ("loop", "top.v:", "combinational loop"),
])
def test_bad_input_exit_3(small, capsys, case, where, words):
    tmp, v, sdc = small
    lib = DATA / "mini.lib"
    if case == "lib":
        lib = tmp / "broken.lib"
        lib.write_text("library (b) {\n  time_unit : \"1ns\";\n  cell (X) {\n    pin (A) : x;\n"
                       "  }\n}\n")
    elif case == "pin":
        v.write_text(GOOD_V.replace("u1 (.A(a), .Y(n))", "u1 (.A(a), .Q(n))"))
    elif case == "port":
        sdc.write_text("create_clock -name v -period 1\nset_input_delay 0 -clock v b\n")
    else:
        v.write_text("module top(a, y);\n  input a; output y; wire n;\n"
                     "  INV u1 (.A(n), .Y(y));\n  INV u2 (.A(y), .Y(n));\nendmodule\n")
    code, _, err = call(["sta", str(v), "-l", str(lib), "--sdc", str(sdc), "--no-cache"],
                        capsys)
    assert code == 3, err
    assert where in err and words in err and "Traceback" not in err


def test_missing_file_and_usage(small, capsys):
    tmp, v, sdc = small
    code, _, err = call(["sta", str(tmp / "none.v"), "-l", str(DATA / "mini.lib")], capsys)
    assert code == 3 and "none.v" in err
    code, _, err = call(["sta", str(v)], capsys)
    assert code == 2


def test_process_on_shared_design(tmp_path):
    """The installed command on gcd: exit codes, stderr warning, JSON equal to OpenSTA's."""
    need_shared()
    if not EDAPIPE.exists():
        pytest.skip("edapipe console script is not installed")
    v, sdc = design_files("gcd_sky130hd")
    out = tmp_path / "gcd.json"
    proc = subprocess.run([str(EDAPIPE), "sta", str(v), "-l", str(LIB), "--sdc", str(sdc),
                           "--json", "-o", str(out), "--max-violations", "0"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "tapvpwrvgnd_1" in proc.stderr and proc.stdout == ""
    data = json.loads(out.read_text())
    summary = (PEER / "reports" / "gcd_sky130hd" / "nowlm" / "summary.txt").read_text()
    worst = float(summary.split("worst_slack_max ")[1].split()[0]) * 1e9
    assert close(data["setup"]["worst_slack"], worst)
    assert len(data["endpoints"]) == 53


def test_spef_option(capsys, tmp_path):
    """--spef on gcd: the worst setup and hold slack of Debian's `sta` with read_spef
    (0.026540 at _418_/D, 0.455826 at _412_/D, benchmarks README); a broken SPEF is bad
    input with its location."""
    need_shared()
    v, sdc = design_files("gcd_sky130hd")
    spef = v.with_suffix(".spef")
    code, out, _ = call(["sta", str(v), "-l", str(LIB), "--sdc", str(sdc), "--spef", str(spef),
                         "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert abs(data["setup"]["worst_slack"] - 0.026540) < 2e-6
    assert abs(data["hold"]["worst_slack"] - 0.455826) < 2e-6
    bad = tmp_path / "bad.spef"
    bad.write_text(spef.read_text().replace("*RES\n1 ", "*RES\n1 *1:1 ", 1))
    code, _, err = call(["sta", str(v), "-l", str(LIB), "--sdc", str(sdc), "--spef", str(bad)],
                        capsys)
    assert code == 3 and "bad.spef:" in err and "Traceback" not in err


def test_corner_options(small, capsys):
    """--corner NAME=LIB: one report per corner and the worst paths over them; usage
    errors (exit 2) for a malformed or repeated corner, or -l with --corner."""
    tmp, v, sdc = small
    lib = str(DATA / "mini.lib")
    code, out, _ = call(["sta", str(v), "--sdc", str(sdc), "--corner", f"a={lib}",
                         "--corner", f"b={lib},{lib}"], capsys)
    assert code == 0 and "corner a" in out and "corner b" in out and "Corner: a" in out
    for bad in (["--corner", "a"], ["--corner", f"a={lib}", "--corner", f"a={lib}"],
                ["--corner", f"a={lib}", "-l", lib], [],
                ["--corner", f"a={lib}", "--report-corner", "b"],
                ["--corner", f"a={lib}", "--plot", str(tmp / "h.png")]):
        code, _, err = call(["sta", str(v), "--sdc", str(sdc)] + bad, capsys)
        assert code == 2, bad


def test_corner_path_options(small, capsys):
    """With --corner: --format end tables, --endpoint-count over both corners (the same
    worst path in each), --report-corner's paths only, the JSON's paths per corner."""
    tmp, v, sdc = small
    lib = str(DATA / "mini.lib")
    args = ["sta", str(v), "--sdc", str(sdc), "--corner", f"a={lib}", "--corner", f"b={lib}"]
    code, out, _ = call(args + ["--format", "end", "--endpoint-count", "2"], capsys)
    assert code == 0 and "max_delay/setup group v" in out and "Startpoint" not in out
    code, out, _ = call(args + ["--endpoint-count", "2", "-n", "2"], capsys)
    assert out.count("Corner: a") == 1 and out.count("Corner: b") == 1
    code, out, _ = call(args + ["--report-corner", "b", "--to", "y"], capsys)
    assert code == 0 and "Corner: b" in out and "Corner: a" not in out
    code, out, _ = call(args + ["--json", "--to", "y"], capsys)
    data = json.loads(out)["corners"]
    assert [p["endpoint"] for p in data["a"]["paths"]] == ["y", "y"]
    assert data["a"]["paths"][0]["group"] == "v"


def test_format_end_and_summary(small, capsys):
    tmp, v, sdc = small
    args = ["sta", str(v), "-l", str(DATA / "mini.lib"), "--sdc", str(sdc)]
    code, out, _ = call(args + ["--format", "end", "--group-count", "5"], capsys)
    assert code == 0 and "max_delay/setup group v" in out and "y (output)" in out
    assert "Startpoint" not in out
    code, out, _ = call(args + ["--format", "summary", "--path-delay", "min_max"], capsys)
    assert code == 0 and "WNS" in out and "Startpoint" not in out and "endpoints\n" not in out


RECONVERGE_V = ("module top(a, b, y);\n  input a, b; output y; wire n, m;\n"
                "  INV u1 (.A(a), .Y(n));\n  NAND2 u2 (.A(n), .B(b), .Y(m));\n"
                "  NAND2 u3 (.A(m), .B(a), .Y(y));\nendmodule\n")


@pytest.fixture
def reconverge(small):
    tmp, v, sdc = small
    lib = DATA / "mini.lib"
    if "NAND2" not in lib.read_text():
        pytest.skip("mini.lib has no NAND2")
    v.write_text(RECONVERGE_V)
    return ["sta", str(v), "-l", str(lib), "--sdc", str(sdc)]


def test_path_selection_options(reconverge, capsys):
    """--from/--through/--to pick the worst path through the points; the JSON's paths and
    --format end follow them; --endpoint-count gives several paths to one endpoint."""
    code, out, _ = call(reconverge + ["--through", "u1/Y", "--path-delay", "min"], capsys)
    assert code == 0 and "u1/Y (INV)" in out and out.count("Startpoint:") == 1
    code, out, _ = call(reconverge + ["--from", "b", "--json"], capsys)
    data = json.loads(out)
    assert [p["startpoint"] for p in data["paths"]] == ["b (input port clocked by v)"] * 2
    code, out, _ = call(reconverge + ["--endpoint-count", "4", "-n", "9", "--json"], capsys)
    setup = [p for p in json.loads(out)["paths"] if p["check"] == "setup"]
    slacks = [p["slack"] for p in setup]
    assert len(setup) == 4 and slacks == sorted(slacks)   # a->u3, a->u1->u2->u3, b->u2->u3
    code, out, _ = call(reconverge + ["--endpoint-count", "4", "-n", "9", "--unique-paths",
                                      "--format", "end"], capsys)
    assert code == 0 and out.count("y (output)") == 3
    code, out, _ = call(reconverge + ["--to", "y", "--fields", "nets,cap,slew",
                                      "--from", "a", "--through", "u1"], capsys)
    assert "Fanout" in out and "n (net)" in out and "u1/Y (INV)" in out


def test_through_transitions_keep_their_order(reconverge, capsys):
    """'rise:'/'fall:' values of --through keep their place among plain points: a falls
    at u1/Y only when a rises, and then y falls at u3 (NAND2 of m and a rising)."""
    code, out, _ = call(reconverge + ["--from", "a", "--through", "fall:u1/Y",
                                      "--through", "u2/Y", "--to", "y"], capsys)
    assert code == 0 and "^ a (in)" in out and "v u1/Y (INV)" in out
    code, out, _ = call(reconverge + ["--through", "rise:u1/Y", "--through", "rise:u2/Y"],
                        capsys)
    assert code == 0 and "No paths found." in out   # rising n makes m fall (NAND2)
    code, alone, _ = call(reconverge + ["--rise-through", "u1/Y"], capsys)
    code, prefixed, _ = call(reconverge + ["--through", "rise:u1/Y"], capsys)
    assert "^ u1/Y (INV)" in alone and alone == prefixed


@pytest.mark.parametrize("args,words", [
    (["--fields", "slew,slwe"], "--fields: unknown field 'slwe'"),
    (["--from", "nosuch"], "--from nosuch: no port, pin, instance or clock"),
    (["--through", "u9/Y"], "--through u9/Y: no port, pin, instance or net"),
    (["--to", "y*", "--to", "zz?"], "--to zz?: no port, pin, instance or clock"),
    (["--from", "a", "--rise-from", "b"], "give one of --from, --rise-from and --fall-from"),
    (["--endpoint-count", "0"], "--endpoint-count"),
    (["--through", "u1/Y", "--rise-through", "u2/Y"], "cannot be mixed"),
    (["--through", "fall:"], "no points after fall:"),
])
def test_bad_selection_is_a_usage_error(reconverge, capsys, args, words):
    code, _, err = call(reconverge + args, capsys)
    assert code == 2 and words in err and "Traceback" not in err
