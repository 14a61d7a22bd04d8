"""Path reports against live Debian OpenSTA (`sta`): -fields columns, -from/-through/-to
selection, -endpoint_count with -unique_paths_to_endpoint, and times in the library's unit.
Each compares every row of every reported path (description, transition, numbers within
2e-6 of the library's time unit at 7 digits, or 1e-6 relative: OpenSTA computes in
floats) and the number of paths."""

from __future__ import annotations

import gzip
import re
import subprocess

import pytest

from edapipe.cli.main import run
from tests.conftest import require_tool
from tests.timing.conftest import LIB, design_files, need_shared, plain_liberty

_NUM = re.compile(r"-?\d+\.\d+|\d+")


def parse_paths(text: str) -> list[dict]:
    """Every path of a `report_checks` text: header lines and rows (description, edge
    mark, the numbers left of it)."""
    paths: list[dict] = []
    cur = None
    for line in text.splitlines():
        if line.startswith("Startpoint: "):
            cur = {"head": [line], "rows": []}
            paths.append(cur)
        elif cur is None or not line.strip() or line.startswith("---"):
            continue
        elif line.startswith(("Endpoint: ", "Path Group: ", "Path Type: ", "Corner: ")):
            cur["head"].append(line)
        elif "Description" in line:
            cur["columns"] = line.split()
        else:
            m = re.match(r"^([\s\d.\-]*)\s([v^ ])\s(\S.*)$", line)
            assert m, line
            nums = [float(x) for x in _NUM.findall(m.group(1))]
            # the column each number sits in: its right edge
            ends = [k.end() for k in _NUM.finditer(m.group(1))]
            cur["rows"].append((m.group(3), m.group(2), tuple(zip(ends, nums))))
    return paths


def assert_same_paths(ours: str, theirs: str, tol: float = 2e-6) -> int:
    a, b = parse_paths(ours), parse_paths(theirs)
    assert len(a) == len(b), (len(a), len(b))
    for pa, pb in zip(a, b):
        assert pa["head"] == pb["head"]
        assert pa["columns"] == pb["columns"]
        assert [r[:2] for r in pa["rows"]] == [r[:2] for r in pb["rows"]], pa["head"]
        for ra, rb in zip(pa["rows"], pb["rows"]):
            assert [e for e, _ in ra[2]] == [e for e, _ in rb[2]], (ra, rb)
            for (_, x), (_, y) in zip(ra[2], rb[2]):
                assert x == pytest.approx(y, rel=1e-6, abs=tol), (ra, rb)
    return len(a)


def sta_report(tmp_path, v, top, lib, sdc, commands: str, hierarchical: bool = False,
               spef=None) -> str:
    """`sta`'s output for `commands` on a design with zero wire load on every net (as
    edapipe's default; -hierarchical for designs with submodules), or with its SPEF."""
    sta = require_tool("sta")
    script = tmp_path / "r.tcl"
    nets = "-hierarchical *" if hierarchical else "*"
    script.write_text(f"read_liberty {lib}\nread_verilog {v}\nlink_design {top}\n"
                      + (f"set_load 0 [get_nets {nets}]\n" if spef is None else "")
                      + f"read_sdc {sdc}\n"
                      + ("" if spef is None else f"read_spef {spef}\n") + f"{commands}\n")
    proc = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Error" not in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


def gcd_reports(tmp_path, capsys, extra_sdc: str, theirs_opts: str, our_opts: list[str]
                ) -> tuple[str, str]:
    """(edapipe's, sta's) report at 7 digits on gcd with its SDC plus `extra_sdc`."""
    need_shared()
    v, base = design_files("gcd_sky130hd")
    sdc = tmp_path / "extra.sdc"
    sdc.write_text(base.read_text() + extra_sdc)
    theirs = sta_report(tmp_path, v, "gcd", plain_liberty(), sdc,
                        f"report_checks -digits 7 {theirs_opts}")
    got = ours(capsys, ["sta", str(v), "-l", str(LIB), "--sdc", str(sdc), "--digits", "7",
                        *our_opts])
    return got, theirs


def ours(capsys, argv) -> str:
    with pytest.raises(SystemExit) as exc:
        run(argv)
    out = capsys.readouterr().out
    assert exc.value.code in (0, None), out
    return out


GCD_CASES = [
    # (report_checks options, edapipe options)
    ("-fields {slew cap input_pins nets fanout}", ["--fields", "slew,cap,input_pins,nets,fanout"]),
    ("-fields {cap}", ["--fields", "cap"]),
    ("-fields {slew nets}", ["--fields", "slew nets"]),
    ("-from [get_ports req_msg[3]]", ["--from", "req_msg[3]"]),
    ("-rise_from [get_ports req_msg[3]] -fields {input_pins}",
     ["--rise-from", "req_msg[3]", "--fields", "input_pins"]),
    ("-to [get_ports resp_msg[3]] -group_count 4 -endpoint_count 4",
     ["--to", "resp_msg[3]", "-n", "4", "--endpoint-count", "4"]),
    ("-fall_to [get_ports resp_msg[3]]", ["--fall-to", "resp_msg[3]"]),
    ("-from [get_cells _414_] -through [get_pins _222_/Y] -to [get_ports resp_msg[15]]",
     ["--from", "_414_", "--through", "_222_/Y", "--to", "resp_msg[15]"]),
    ("-through [get_nets _057_] -through [get_pins _231_/Y]",
     ["--through", "_057_", "--through", "_231_/Y"]),
    ("-through [get_pins _222_/Y] -group_count 6 -endpoint_count 3",
     ["--through", "_222_/Y", "-n", "6", "--endpoint-count", "3"]),
    ("-group_count 12 -endpoint_count 4", ["-n", "12", "--endpoint-count", "4"]),
    ("-group_count 12 -endpoint_count 4 -unique_paths_to_endpoint",
     ["-n", "12", "--endpoint-count", "4", "--unique-paths"]),
    ("-fall_through [get_pins _222_/Y] -through [get_pins _228_/Y] "
     "-fall_through [get_pins _232_/Y] -group_count 3",
     ["--through", "fall:_222_/Y", "--through", "_228_/Y", "--through", "fall:_232_/Y",
      "-n", "3"]),
    ("-rise_through [get_nets _057_] -group_count 2 -endpoint_count 2",
     ["--rise-through", "_057_", "-n", "2", "--endpoint-count", "2"]),
]


# the default suite runs one case per feature (each runs `sta`, ~1.5 s), the rest are slow
_DEFAULT = {("max", 0), ("min", 4), ("max", 7), ("min", 9), ("min", 11), ("max", 12)}


def _cases():
    for delay in ("max", "min"):
        for k, (theirs, mine) in enumerate(GCD_CASES):
            marks = () if (delay, k) in _DEFAULT else (pytest.mark.slow,)
            yield pytest.param(delay, theirs, mine, marks=marks, id=f"{delay}-{theirs[:40]}")


@pytest.mark.parametrize("delay,theirs_opts,our_opts", list(_cases()))
def test_gcd_path_reports_against_opensta(tmp_path, capsys, delay, theirs_opts, our_opts):
    got, theirs = gcd_reports(tmp_path, capsys, "", f"-path_delay {delay} {theirs_opts}",
                              ["--path-delay", delay, *our_opts])
    assert assert_same_paths(got, theirs) >= 1


EXCEPTION_SDC = ("set_false_path -through [get_pins _222_/Y]\n"
                 "set_multicycle_path 2 -setup -through [get_pins _225_/Y]\n")


@pytest.mark.parametrize("theirs_opts,our_opts,found", [
    pytest.param("-through [get_pins _222_/Y]", ["--through", "_222_/Y"], False,
                 marks=pytest.mark.slow),
    ("-through [get_pins _225_/Y] -group_count 5 -endpoint_count 3",
     ["--through", "_225_/Y", "-n", "5", "--endpoint-count", "3"], True),
    pytest.param("-group_count 30 -endpoint_count 8 -unique_paths_to_endpoint",
                 ["-n", "30", "--endpoint-count", "8", "--unique-paths"], True,
                 marks=pytest.mark.slow),
    ("-from [get_ports req_msg[3]] -to [get_ports resp_msg[0]]",
     ["--from", "req_msg[3]", "--to", "resp_msg[0]"], False),
])
def test_selection_under_sdc_exceptions_against_opensta(tmp_path, capsys, theirs_opts,
                                                        our_opts, found):
    """The SDC's false path and -through multicycle path still apply to selected paths
    (-through states of the SDC and of the selection together); no path: OpenSTA's
    'No paths found.'"""
    got, theirs = gcd_reports(tmp_path, capsys, EXCEPTION_SDC, theirs_opts, our_opts)
    if found:
        assert assert_same_paths(got, theirs) >= 1
    else:
        assert "No paths found." in theirs and "No paths found." in got
        assert not parse_paths(got)


@pytest.mark.slow
@pytest.mark.parametrize("unique", [False, True])
def test_multiplier_paths_per_endpoint_against_opensta(tmp_path, capsys, unique):
    """The 20k-cell multiplier (156 levels): 20 paths, at most 5 per endpoint, every row
    within 1e-5 ns (float sums over 156 stages)."""
    need_shared()
    v, sdc = design_files("multiplier")
    extra = " -unique_paths_to_endpoint" if unique else ""
    theirs = sta_report(tmp_path, v, "multiplier", plain_liberty(), sdc,
                        "report_checks -group_count 20 -endpoint_count 5 -digits 7 "
                        f"-fields {{slew cap}}{extra}", hierarchical=True)
    got = ours(capsys, ["sta", str(v), "-l", str(LIB), "--sdc", str(sdc), "--digits", "7",
                        "-n", "20", "--endpoint-count", "5", "--fields", "slew,cap"]
               + ["--unique-paths"] * unique)
    assert assert_same_paths(got, theirs, tol=1e-5) == 20


@pytest.mark.parametrize("fields", ["", "input_pins slew"])
def test_wire_delays_with_spef_against_opensta(tmp_path, capsys, fields):
    """With parasitics the wire delay to each load pin is its input pin row's delay, or,
    without input_pins, part of the next row's."""
    from tests.timing.conftest import TIMING

    need_shared()
    v, sdc = design_files("gcd_sky130hd")
    spef = TIMING / "designs" / "gcd_sky130hd" / "gcd_sky130hd.spef"
    theirs = sta_report(tmp_path, v, "gcd", plain_liberty(), sdc,
                        f"report_checks -digits 7 -group_count 3 -fields {{{fields}}}",
                        spef=spef)
    got = ours(capsys, ["sta", str(v), "-l", str(LIB), "--sdc", str(sdc), "--digits", "7",
                        "--spef", str(spef), "-n", "3", "--fields", fields.replace(" ", ",")])
    assert assert_same_paths(got, theirs, tol=2e-6) == 3


# set_load on output ports overrides the parasitics in OpenSTA's load (has_set_load):
# resp_msg[3] in both analyses, resp_msg[4] in the min analysis only
SPEF_PORT_LOADS = ("set_load 0.004 [get_ports resp_msg[3]]\n"
                   "set_load -min 0.002 [get_ports resp_msg[4]]\n")


@pytest.mark.parametrize("delay", ["max", "min"])
def test_cap_column_with_spef_against_opensta(tmp_path, capsys, delay):
    """gcd with its SPEF: every row's Cap (driver rows and net rows) and Slew as OpenSTA's,
    the net's wire capacitance plus its pins' (0.0105570 pF on _414_/Q, not the 0.0054110
    of its pins alone), and the lumped pins + set_load where a port of the net has one."""
    from tests.timing.conftest import TIMING

    need_shared()
    v, base = design_files("gcd_sky130hd")
    sdc = tmp_path / "loads.sdc"
    sdc.write_text(base.read_text() + SPEF_PORT_LOADS)
    spef = TIMING / "designs" / "gcd_sky130hd" / "gcd_sky130hd.spef"
    ports = "resp_msg[3] resp_msg[4]"
    theirs = sta_report(tmp_path, v, "gcd", plain_liberty(), sdc,
                        f"report_checks -digits 7 -path_delay {delay} -group_count 3 "
                        "-fields {cap slew}\n"
                        f"report_checks -digits 7 -path_delay {delay} -group_count 2 "
                        f"-to [get_ports {{{ports}}}] -fields {{cap slew nets input_pins}}",
                        spef=spef)
    common = ["sta", str(v), "-l", str(LIB), "--sdc", str(sdc), "--digits", "7",
              "--spef", str(spef), "--path-delay", delay]
    got = ours(capsys, common + ["-n", "3", "--fields", "cap,slew"])
    more = ours(capsys, common + ["-n", "2", "--to", "resp_msg[3]", "--to", "resp_msg[4]",
                                  "--fields", "cap,slew,nets,input_pins"])
    got += more[more.index("Startpoint: "):]   # its paths, without its summary
    assert assert_same_paths(got, theirs, tol=2e-6) == 5
    if delay == "max":
        assert "0.0105570    0.0396127" in got   # _414_/Q with its net's wire


@pytest.mark.parametrize("corner", ["ff", "ss"])
def test_cap_column_per_corner_with_spef_against_opensta(tmp_path, capsys, corner):
    """reg1 at two ASAP7 corners with its SPEF: each corner's net rows carry the wire plus
    that corner's own pin capacitances, as `report_checks -corner`. Only the Cap column
    and the paths' order: Debian's `define_corners` reduces every corner's nets with the
    first corner's pin capacitances, so ss times are 1.1 ps away (docs/timing.md)."""
    from tests.timing.conftest import TIMING

    need_shared()
    sta = require_tool("sta")
    folder = TIMING / "designs" / "reg1_asap7"
    v, spef = folder / "reg1_asap7.v", folder / "reg1_asap7.spef"
    sdc = tmp_path / "c.sdc"
    sdc.write_text(CORNER_SDC)
    libs = {c: TIMING / "liberty" / f"asap7_small_{c}.lib.gz" for c in ("ff", "ss")}
    script = "define_corners ff ss\n"
    for c, path in libs.items():
        plain = tmp_path / f"{c}.lib"
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        script += f"read_liberty -corner {c} {plain}\n"
    script += (f"read_verilog {v}\nlink_design top\nread_sdc {sdc}\nread_spef {spef}\n"
               f"report_checks -digits 7 -corner {corner} -group_count 5 "
               "-fields {cap slew nets}\n")
    (tmp_path / "r.tcl").write_text(script)
    proc = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(tmp_path / "r.tcl")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Error" not in proc.stdout, proc.stdout + proc.stderr
    got = ours(capsys, ["sta", str(v), "--sdc", str(sdc), "--spef", str(spef), "--digits",
                        "7", "-n", "5", "--fields", "cap,slew,nets", "--report-corner", corner]
               + [f"--corner={c}={p}" for c, p in libs.items()])

    def net_caps(text: str) -> list[tuple[str, float]]:
        return [(m.group(2), float(m.group(1))) for m in
                re.finditer(r"^ +\d+ +(\d+\.\d+) +(\S+) \(net\)$", text, re.M)]

    theirs = net_caps(proc.stdout)
    assert len(theirs) == 6 and [n for n, _ in net_caps(got)] == [n for n, _ in theirs]
    for (_, a), (_, b) in zip(net_caps(got), theirs):
        assert a == pytest.approx(b, rel=1e-6)


GROUPS_SDC = ("create_clock -name aclk2 -period 3 -waveform {0.5 2} -add [get_ports clk]\n"
              "set_input_delay 0.3 -clock aclk2 -add_delay [get_ports req_val]\n"
              "set_max_delay 2 -to [get_ports resp_msg[15]]\n"
              "set_max_delay 0.5 -from [get_ports req_msg[3]]\n"
              "set_min_delay 0.2 -from [get_ports req_msg[4]]\n")


@pytest.mark.parametrize("theirs_opts,our_opts", [
    ("-path_delay max", []),
    ("-path_delay min", ["--path-delay", "min"]),
    ("-group_count 2 -endpoint_count 2 -from [get_ports req_val]",
     ["-n", "2", "--endpoint-count", "2", "--from", "req_val"]),
    ("-path_delay min -group_count 2 -from [get_ports req_val] -to [get_cells _413_]",
     ["--path-delay", "min", "-n", "2", "--from", "req_val", "--to", "_413_"]),
    ("-from [get_ports req_msg[3]] -group_count 3", ["--from", "req_msg[3]", "-n", "3"]),
    ("-from [get_ports req_msg[4]] -path_delay min", ["--from", "req_msg[4]",
                                                      "--path-delay", "min"]),
])
def test_path_groups_against_opensta(tmp_path, capsys, theirs_opts, our_opts):
    """Two clocks on one port and path delays: -n paths per path group (each clock, and
    **default** for a path delay to an output), groups by name; paths between the clocks
    shown at their critical cycle's edges; path delays without clock lines, as OpenSTA."""
    got, theirs = gcd_reports(tmp_path, capsys, GROUPS_SDC, theirs_opts, our_opts)
    assert assert_same_paths(got, theirs) >= 2


GROUP_PATH_SDC = ("group_path -name zin -from [get_ports req_msg*]\n"
                  "group_path -name aout -weight 2 -to [get_ports resp_msg[3]]\n"
                  "group_path -name thr -through [get_pins _222_/Y]\n"
                  # same priority as zin, later: zin takes its paths (OpenSTA)
                  "group_path -name rise_a -rise_from [get_ports {req_msg[1*]}]\n"
                  "group_path -name tocell -to [get_cells _43*_]\n"
                  "group_path -name fallto -fall_to [get_ports {resp_msg[1*]}]\n"
                  "group_path -default -to [get_ports resp_msg[5]]\n"
                  "set_max_delay 2 -to [get_ports resp_msg[1]]\n")


@pytest.mark.parametrize("theirs_opts,our_opts", [
    ("-group_count 3", ["-n", "3"]),
    ("-path_delay min -group_count 2", ["--path-delay", "min", "-n", "2"]),
    pytest.param("-group_count 4 -endpoint_count 2", ["-n", "4", "--endpoint-count", "2"],
                 marks=pytest.mark.slow),
    pytest.param("-through [get_pins _222_/Y] -group_count 2",
                 ["--through", "_222_/Y", "-n", "2"], marks=pytest.mark.slow),
])
def test_group_path_against_opensta(tmp_path, capsys, theirs_opts, our_opts):
    """group_path: the paths each matches (-from/-through/-to, rise/fall forms) reported in
    its group, -default ones in **default**, the named groups first (by name), then
    **default** and the clocks; the other paths to the same endpoints stay in their clock's
    group."""
    got, theirs = gcd_reports(tmp_path, capsys, GROUP_PATH_SDC, theirs_opts, our_opts)
    assert "Path Group: fallto" in theirs and "Path Group: rise_a" not in theirs
    assert assert_same_paths(got, theirs) >= 6


CORNER_SDC = ("create_clock -name clk -period 500 {clk1 clk2 clk3}\n"
              "set_input_delay -clock clk 10 {in1 in2}\n"
              "set_output_delay -clock clk 20 out\nset_input_transition 10 {in1 in2}\n"
              "group_path -name gin -from [get_ports in1]\n")


@pytest.mark.parametrize("theirs_opts,our_opts", [
    ("-group_count 3 -endpoint_count 2", ["-n", "3", "--endpoint-count", "2"]),
    ("-path_delay min -group_count 2 -fields {slew cap}",
     ["--path-delay", "min", "-n", "2", "--fields", "slew,cap"]),
    ("-corner ss -through [get_pins u1/Y]", ["--report-corner", "ss", "--through", "u1/Y"]),
    pytest.param("-corner ff -path_delay min -group_count 3 -endpoint_count 2 "
                 "-unique_paths_to_endpoint",
                 ["--report-corner", "ff", "--path-delay", "min", "-n", "3",
                  "--endpoint-count", "2", "--unique-paths"], marks=pytest.mark.slow),
    pytest.param("-rise_to [get_pins r3/D] -group_count 2 -endpoint_count 2",
                 ["--rise-to", "r3/D", "-n", "2", "--endpoint-count", "2"],
                 marks=pytest.mark.slow),
])
def test_corner_paths_against_opensta(tmp_path, capsys, theirs_opts, our_opts):
    """Two ASAP7 corners (define_corners ff ss): the path ends of both corners compete in
    each group (the -n worst, at most --endpoint-count per endpoint over the corners),
    each path marked with its corner; --report-corner as -corner."""
    from tests.timing.conftest import asap7_corners

    need_shared()
    sta = require_tool("sta")
    sdc = tmp_path / "c.sdc"
    sdc.write_text(CORNER_SDC)
    v, libs, head = asap7_corners(tmp_path, sdc)
    script = tmp_path / "r.tcl"
    script.write_text(head + f"report_checks -digits 7 {theirs_opts}\n")
    proc = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Error" not in proc.stdout, proc.stdout + proc.stderr
    got = ours(capsys, ["sta", str(v), "--sdc", str(sdc), "--digits", "7", *our_opts]
               + [f"--corner={c}={p}" for c, p in libs.items()])
    assert assert_same_paths(got, proc.stdout) >= 1
