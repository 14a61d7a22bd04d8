"""Parasitics per analysis (`--spef-max` / `--spef-min`, `--corner-spef NAME:min=FILE`,
timing/spef_minmax.py) against live OpenSTA's `read_spef -max` / `read_spef -min` on gcd
with its SPEF and a second SPEF of the same nets with other values (every endpoint's setup
and hold slack within 1e-5 ns)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import tool
from tests.timing.conftest import (LIB, TIMING, design_files, endpoint_slacks, need_shared,
                                   parse_endpoints, plain_liberty)

TOL = 1e-5
SPEF = TIMING / "designs" / "gcd_sky130hd" / "gcd_sky130hd.spef"


def _scaled(path, cap: float, res: float):
    """The gcd SPEF with every capacitance times `cap` and resistance times `res`."""
    out, mode = [], None
    for line in SPEF.read_text().splitlines():
        t = line.split()
        if t and t[0].startswith("*"):
            mode = t[0]
            if t[0] == "*D_NET":
                t[2] = repr(float(t[2]) * cap)
                line = " ".join(t)
        elif mode == "*CAP" and len(t) in (3, 4):
            line = " ".join(t[:-1] + [repr(float(t[-1]) * cap)])
        elif mode == "*RES" and len(t) == 4:
            line = " ".join(t[:-1] + [repr(float(t[-1]) * res)])
        out.append(line)
    path.write_text("\n".join(out) + "\n")
    return path


def _theirs(tmp, reads: str):
    v, sdc = design_files("gcd_sky130hd")
    out = {k: tmp / f"{k}.txt" for k in ("max", "min")}
    script = tmp / "s.tcl"
    script.write_text(f"read_liberty {plain_liberty()}\nread_verilog {v}\nlink_design gcd\n"
                      f"read_sdc {sdc}\n{reads}"
                      + "".join(f"report_checks -path_delay {k} -format end -group_count "
                                f"100000 -endpoint_count 1 -unique_paths_to_endpoint "
                                f"-digits 7 > {out[k]}\n" for k in ("max", "min")))
    proc = subprocess.run([tool("sta"), "-no_init", "-no_splash", "-exit", str(script)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and "Error" not in proc.stdout, proc.stdout + proc.stderr
    return parse_endpoints(out["max"].read_text()), parse_endpoints(out["min"].read_text())


def _ours(**spefs):
    from edapipe.timing.sta import StaParams, run_sta

    v, sdc = design_files("gcd_sky130hd")
    return endpoint_slacks(run_sta(StaParams(str(v), (str(LIB),), str(sdc), **spefs)))


def _worst(a, b) -> float:
    assert set(a[0]) == set(b[0]) and set(a[1]) == set(b[1])
    return max(abs(a[c][k] - b[c][k]) for c in (0, 1) for k in a[c])


def test_min_max_spef_against_opensta(tmp_path):
    """--spef-max A --spef-min B: every setup slack as OpenSTA's with A (read_spef A) and
    every hold slack as OpenSTA's with B, within 1e-5 ns (gcd's clock is ideal: a setup
    check reads max delays only, a hold check min ones). Debian's `sta` with `read_spef -max
    A; read_spef -min B` in one session is no reference: see the next test."""
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")
    small = _scaled(tmp_path / "small.spef", 0.55, 0.7)
    with_a = _theirs(tmp_path, f"read_spef {SPEF}\n")
    with_b = _theirs(tmp_path, f"read_spef {small}\n")
    ours = _ours(spef_max=str(SPEF), spef_min=str(small))
    assert _worst((ours[0], {}), (with_a[0], {})) <= TOL
    assert _worst(({}, ours[1]), ({}, with_b[1])) <= TOL
    # the two files time differently (else the comparison would prove nothing)
    assert max(abs(with_a[1][k] - with_b[1][k]) for k in with_a[1]) > 0.05
    # --spef A --spef-min B is the same (read_spef A, then -min B replaces the min one's)
    assert _ours(spef=str(SPEF), spef_min=str(small)) == ours
    # one file for both analyses is --spef
    assert _ours(spef_max=str(SPEF), spef_min=str(SPEF)) == _ours(spef=str(SPEF))


def test_debian_min_max_spef_reports_a_path_as_ours(tmp_path):
    """Debian's `sta` after `read_spef -max A; read_spef -min B` reports a worst setup path
    to _418_/D that is not its worst: in the same session `report_checks -through _214_/Y
    -to _418_/D` shows a later arrival, the one edapipe finds (and OpenSTA's with A alone).
    The path it reports is checked too: same arrival as ours for that path."""
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")
    small = _scaled(tmp_path / "small.spef", 0.55, 0.7)
    v, sdc = design_files("gcd_sky130hd")
    script = tmp_path / "p.tcl"
    script.write_text(f"read_liberty {plain_liberty()}\nread_verilog {v}\nlink_design gcd\n"
                      f"read_sdc {sdc}\nread_spef -max {SPEF}\nread_spef -min {small}\n"
                      "report_checks -path_delay max -to _418_/D -digits 7\n"
                      "report_checks -path_delay max -through _214_/Y -to _418_/D -digits 7\n")
    out = subprocess.run([tool("sta"), "-no_init", "-no_splash", "-exit", str(script)],
                         capture_output=True, text=True, timeout=300).stdout
    arrivals = [float(line.split()[0]) for line in out.splitlines()
                if line.strip().endswith("data arrival time") and "-" not in line.split()[0]]
    reported, through = arrivals[0], arrivals[1]
    assert through > reported + 5e-3   # sta's "worst" path is not its worst
    from edapipe.timing.sta import StaParams, run_sta
    an = run_sta(StaParams(str(v), (str(LIB),), str(sdc), spef_max=str(SPEF),
                           spef_min=str(small)))
    ep = next(e for e in an.endpoints if e.name == "_418_/D")
    assert abs(ep.arrival[0] * 1e9 - through) < TOL


def _call(argv, capsys) -> tuple[int, str, str]:
    from edapipe.cli.main import run

    with pytest.raises(SystemExit) as exc:
        run(argv)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_min_max_spef_per_corner(tmp_path, capsys):
    """--corner-spef NAME:min=FILE: that corner's min analysis alone; the other corner and
    the max analysis keep --spef."""
    need_shared()
    small = _scaled(tmp_path / "small.spef", 0.55, 0.7)
    v, sdc = design_files("gcd_sky130hd")
    out = {}
    for name, extra in (("split", ["--corner-spef", f"b:min={small}"]), ("same", [])):
        code, text, err = _call(["sta", str(v), "--corner", f"a={LIB}", "--corner",
                                 f"b={LIB}", "--sdc", str(sdc), "--spef", str(SPEF),
                                 "--format", "summary", "--json"] + extra, capsys)
        assert code == 0, err
        out[name] = json.loads(text)
    ours = _ours(spef=str(SPEF), spef_min=str(small))
    plain = _ours(spef=str(SPEF))
    for name, corner in out["split"]["corners"].items():
        got = {e["name"]: e for e in corner["endpoints"]}
        hold = ours[1] if name == "b" else plain[1]
        assert all(abs(got[k]["hold_slack"] - s) < 1e-6 for k, s in hold.items())
        assert all(abs(got[k]["setup_slack"] - s) < 1e-6 for k, s in ours[0].items())
    assert out["split"]["corners"]["a"] == out["same"]["corners"]["a"]
    assert out["split"]["corners"]["b"] != out["same"]["corners"]["b"]


@pytest.mark.parametrize("side", ["min", "max"])
def test_one_analysis_with_parasitics_against_opensta(side, tmp_path):
    """--spef-min B alone: setup as OpenSTA without parasitics (lumped, no wire load),
    hold as OpenSTA with B; --spef-max A alone the other way round (OpenSTA's
    `read_spef -min` / `-max` alone leaves the other analysis lumped)."""
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")
    small = _scaled(tmp_path / "small.spef", 0.55, 0.7)
    none = _theirs(tmp_path, "set_load 0 [get_nets *]\n")
    if side == "min":
        ours, setup_ref = _ours(spef_min=str(small)), none
        hold_ref = _theirs(tmp_path, f"read_spef {small}\n")
    else:
        ours, hold_ref = _ours(spef_max=str(SPEF)), none
        setup_ref = _theirs(tmp_path, f"read_spef {SPEF}\n")
    assert _worst((ours[0], {}), (setup_ref[0], {})) <= TOL
    assert _worst(({}, ours[1]), ({}, hold_ref[1])) <= TOL


def test_net_missing_from_one_file_is_lumped_there(tmp_path):
    """A net the min file lacks is timed lumped in the hold analysis (its pins' load, no
    wire), the other nets with the file: as OpenSTA with that file and the net's wire
    load set to zero (Debian's `sta` would give it the library's wire-load model)."""
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")
    small = _scaled(tmp_path / "small.spef", 0.55, 0.7)
    text = small.read_text()
    start = text.index("*D_NET *2 ")
    text = text[:start] + text[text.index("*END", start) + 5:]
    small.write_text(text)
    ours = _ours(spef_max=str(SPEF), spef_min=str(small))
    hold_ref = _theirs(tmp_path, f"read_spef {small}\nset_load 0 [get_nets _001_]\n")
    assert _worst(({}, ours[1]), ({}, hold_ref[1])) <= TOL
    assert _worst((ours[0], {}), (_ours(spef=str(SPEF))[0], {})) == 0.0
    full = _ours(spef_max=str(SPEF), spef_min=str(_scaled(tmp_path / "b.spef", 0.55, 0.7)))
    assert ours[1] != full[1]   # the lumped net changed something


def test_different_loads_in_the_two_files_is_a_located_error(tmp_path):
    need_shared()
    from edapipe.errors import InputError

    small = _scaled(tmp_path / "small.spef", 0.55, 0.7)
    text = small.read_text()
    start = text.index("*D_NET *2 ")
    end = text.index("*END", start)
    net = text[start:end].replace("*I *506:D I *D sky130_fd_sc_hd__dfxtp_1\n", "")
    net = "\n".join(line for line in net.splitlines() if "*506:D" not in line) + "\n"
    small.write_text(text[:start] + net + text[end:])
    with pytest.raises(InputError) as err:
        _ours(spef_max=str(SPEF), spef_min=str(small))
    text = str(err.value)
    assert "gcd_sky130hd.spef:10976:" in text and "net _001_" in text and "differ" in text
