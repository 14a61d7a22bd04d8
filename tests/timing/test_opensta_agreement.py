"""Every shared design against OpenSTA (nowlm mode): worst slack, TNS, every endpoint's setup
and hold slack within max(0.1 %, 1 ps). Stored reports always; a live `sta` run when the tool
is installed (same Tcl as the peer's run.tcl)."""

from __future__ import annotations

import gzip
import math
import subprocess

import pytest

from tests.conftest import tool
from tests.timing.conftest import (DESIGNS, LIB, PEER, analysis, close, design_files,
                                   need_shared, parse_endpoints, parse_summary)

SETUP, HOLD = 0, 1


def _ours(name: str, wire_load: bool = False) -> tuple[dict[str, float], dict[str, float]]:
    an = analysis(name, wire_load)
    setup = {e.name: e.slack[SETUP] * 1e9 for e in an.endpoints if e.slack[SETUP] < math.inf}
    hold = {e.name: e.slack[HOLD] * 1e9 for e in an.endpoints if e.slack[HOLD] < math.inf}
    return setup, hold


def _compare_endpoints(ours: dict[str, float], theirs: dict[str, float], what: str) -> None:
    assert theirs, f"no endpoints parsed from OpenSTA's {what} report"
    assert set(ours) == set(theirs), (
        f"{what}: endpoints differ; only ours: {sorted(set(ours) - set(theirs))[:5]}, "
        f"only OpenSTA: {sorted(set(theirs) - set(ours))[:5]}")
    bad = [(k, ours[k], theirs[k]) for k in theirs if not close(ours[k], theirs[k])]
    assert not bad, f"{what}: {len(bad)} endpoint slacks differ, e.g. {bad[:5]}"


# nowlm: no wire load (current OpenSTA's default and ours); wlm_lumped: the library's default
# wire-load model with lumped capacitance (`--wire-load`).
@pytest.mark.parametrize("mode", ["nowlm", "wlm_lumped"])
@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_stored_reports(name, mode):
    need_shared()
    folder = PEER / "reports" / name / mode
    if not folder.is_dir():
        pytest.skip(f"no stored OpenSTA report for {name} ({mode})")
    wire_load = mode == "wlm_lumped"
    an = analysis(name, wire_load)
    summary = parse_summary((folder / "summary.txt").read_text())
    assert close(an.worst_slack(SETUP) * 1e9, summary["worst_slack_max"])
    assert close(an.tns(SETUP) * 1e9, summary["tns_max"])
    assert close(an.worst_slack(HOLD) * 1e9, summary["worst_slack_min"])
    assert close(an.tns(HOLD) * 1e9, summary["tns_min"])
    setup, hold = _ours(name, wire_load)
    _compare_endpoints(setup, parse_endpoints((folder / "endpoints_max.txt").read_text()),
                       f"{name} {mode} setup")
    _compare_endpoints(hold, parse_endpoints((folder / "endpoints_min.txt").read_text()),
                       f"{name} {mode} hold")


@pytest.fixture(scope="session")
def plain_lib(tmp_path_factory):
    """Debian's 2019 sta cannot read .gz Liberty: unpack once."""
    need_shared()
    path = tmp_path_factory.mktemp("lib") / "sky130hd_tt.lib"
    path.write_bytes(gzip.decompress(LIB.read_bytes()))
    return path


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_live_opensta(name, plain_lib, tmp_path):
    sta = tool("sta")
    if sta is None:
        pytest.skip("sta is not installed")
    v, sdc = design_files(name)
    top = {"gcd_sky130hd": "gcd"}.get(name, name)
    out = {k: tmp_path / f"{k}.txt" for k in ("max", "min", "summary")}
    script = tmp_path / "run.tcl"
    script.write_text(
        f"read_liberty {plain_lib}\nread_verilog {v}\nlink_design {top}\nread_sdc {sdc}\n"
        "set_load 0 [get_nets *]\n"
        + "".join(f"report_checks -path_delay {k} -format end -group_count 1000000 "
                  f"-endpoint_count 1 -unique_paths_to_endpoint -digits 6 > {out[k]}\n"
                  for k in ("max", "min"))
        + f"set f [open {out['summary']} w]\n"
          "puts $f \"worst_slack_max [sta::worst_slack_cmd max]\"\n"
          "puts $f \"tns_max [sta::total_negative_slack_cmd max]\"\n"
          "puts $f \"worst_slack_min [sta::worst_slack_cmd min]\"\n"
          "close $f\n")
    proc = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    summary = parse_summary(out["summary"].read_text())
    an = analysis(name)
    assert close(an.worst_slack(SETUP) * 1e9, summary["worst_slack_max"])
    assert close(an.tns(SETUP) * 1e9, summary["tns_max"])
    assert close(an.worst_slack(HOLD) * 1e9, summary["worst_slack_min"])
    setup, hold = _ours(name)
    _compare_endpoints(setup, parse_endpoints(out["max"].read_text()), f"{name} setup (live)")
    _compare_endpoints(hold, parse_endpoints(out["min"].read_text()), f"{name} hold (live)")


def test_worst_path_matches_stored_report():
    """The worst setup path of multiplier: same start, end and per-stage arrivals."""
    need_shared()
    from edapipe.timing import report

    an = analysis("multiplier")
    ep = report.sorted_endpoints(an, SETUP)[0]
    pts, _, info = report.trace(an, ep, SETUP)
    text = (PEER / "reports" / "multiplier" / "nowlm" / "checks_max_full.txt").read_text()
    assert info["startpoint"].split()[0] == "b[1]" and ep.name == "f[127]"
    theirs = [float(line.split()[-4]) for line in text.splitlines()
              if "/" in line and line.rstrip().endswith(")") and line.split()[-3] in "^v"
              and len(line.split()) >= 6]
    ours = [p.time * 1e9 for p in pts if p.incr is not None and "/" in p.name]
    assert len(ours) == len(theirs) and all(close(a, b) for a, b in zip(ours, theirs))
