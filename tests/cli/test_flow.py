"""`edapipe flow`: read, optimize, map, prove and time in one process; the goals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BENCHMARKS, need

EDAPIPE = str(Path(sys.executable).with_name("edapipe"))
ROOT = Path(__file__).resolve().parents[2]
ADDER8 = ROOT / "examples" / "adder8.v"
SKY130 = BENCHMARKS / "timing" / "liberty" / "sky130hd_tt.lib.gz"
ADDER_SDC = ("create_clock -name clk -period {period}\n"
             "set_input_delay 0.1 -clock clk [all_inputs]\n"
             "set_output_delay 0.1 -clock clk [all_outputs]\n")


def _flow(*args: str) -> tuple[int, dict, str]:
    proc = subprocess.run([EDAPIPE, "flow", str(ADDER8), "-l", str(need(SKY130)), "--json",
                           *args], capture_output=True, text=True, timeout=900)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


@pytest.mark.parametrize("period, code", [(10.0, 0), (0.2, 1)])
def test_flow_reads_maps_proves_and_times(tmp_path, period, code):
    from edapipe.synth.map.explore import settings_for

    sdc = tmp_path / "adder8.sdc"
    sdc.write_text(ADDER_SDC.format(period=period))
    out = tmp_path / "mapped.v"
    rc, report, err = _flow("--sdc", str(sdc), "-o", str(out), "--max-violations", "0")
    assert rc == code, err
    assert [s["stage"] for s in report["stages"]] == ["read", "liberty", "opt", "map", "cec",
                                                      "sta"]
    assert report["stages"][4]["mapping"] is True
    assert report["stages"][4]["optimization"] is True
    assert (report["setup_violations"] > 0) == (code == 1)
    assert all(s["cpu_seconds"] >= 0.0 for s in report["stages"])
    # the area mapping meets the loose clock, so nothing else is mapped; under the tight
    # one every setting of goal auto is tried, and the kept one is among them
    tried = report["stages"][3]["tried"]
    auto = [s.name for s in settings_for("auto", constrained=True)]
    # the area mapping with full adders first (the adder's eight): the smallest, and it
    # meets the loose clock
    assert auto[0] == "area+adders"
    assert [t["setting"] for t in tried] == (auto[:1] if code == 0 else auto)
    if code == 0:
        assert report["cell_types"].get("sky130_fd_sc_hd__fa_1") == 8, report["cell_types"]
    kept = next(t for t in tried if t["setting"] == report["setting"])
    assert kept["area"] == pytest.approx(report["area"], abs=1e-3)
    assert kept["arrival"] == pytest.approx(report["arrival"], abs=1e-5)
    if code == 1:       # nothing meets timing: the best worst slack
        assert kept["arrival"] == pytest.approx(min(t["arrival"] for t in tried), abs=1e-5)
    # the written netlist is what `edapipe sta` times to the same numbers
    proc = subprocess.run([EDAPIPE, "sta", str(out), "-l", str(need(SKY130)), "--sdc", str(sdc),
                           "--json"], capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    sta = json.loads(proc.stdout)
    assert sta["setup"]["wns"] == pytest.approx(report["wns"], abs=1e-5)
    assert sta["setup"]["tns"] == pytest.approx(report["tns"], abs=1e-5)
    assert sta["setup"]["violations"] == report["setup_violations"]


def test_goals_keep_the_smallest_the_fastest_and_a_trade(tmp_path):
    from edapipe.synth.map.explore import AREA_MARGIN, DELAY_WEIGHT, settings_for

    rc, area, err = _flow("--goal", "area")
    assert rc == 0, err
    assert [t["setting"] for t in area["stages"][3]["tried"]] == ["area"]
    rc, delay, err = _flow("--goal", "delay")
    assert rc == 0, err
    tried = delay["stages"][3]["tried"]
    assert delay["arrival"] == pytest.approx(min(t["arrival"] for t in tried), abs=1e-5)
    assert delay["arrival"] <= area["arrival"] + 1e-5
    rc, auto, err = _flow()
    assert rc == 0, err
    tried = auto["stages"][3]["tried"]
    # a setting is either tried or, above the area margin before sizing, not sized
    names = [t["setting"] for t in tried] + [t["setting"] for t in
                                              auto["stages"][3]["not_sized"]]
    assert sorted(names) == sorted(s.name for s in settings_for("auto"))
    cap = min(t["area"] for t in tried) * (1 + AREA_MARGIN)
    cost = [t["area"] * t["arrival"] ** DELAY_WEIGHT for t in tried if t["area"] <= cap]
    kept = auto["area"] * auto["arrival"] ** DELAY_WEIGHT
    assert kept == pytest.approx(min(cost), rel=1e-4)
    assert area["area"] <= auto["area"] + 1e-3
    # every goal's netlist was proven against the design
    for report in (area, delay, auto):
        assert report["stages"][4] == {**report["stages"][4], "mapping": True,
                                       "optimization": True}


def _two_outputs(second: str):
    from edapipe.aig.builder import AigBuilder

    b = AigBuilder("t")
    x, y, z = b.add_input("x"), b.add_input("y"), b.add_input("z")
    b.add_output(b.and_(x, b.or_(y, z)), "f")
    b.add_output({"or": b.or_(x, y), "xor": b.xor_(x, y)}[second], "g")
    return b.build()


@pytest.mark.parametrize("wrong", ["mapping", "optimization"])
def test_the_split_proof_catches_a_wrong_mapping_or_optimization(wrong):
    # the flow proves netlist == optimized AIG and optimized AIG == design: a mistake on
    # either side of the chain stops it, and --prove mapping checks the first link alone
    from edapipe.cli.flow import _prove
    from edapipe.errors import CheckFailed

    good, bad = _two_outputs("or"), _two_outputs("xor")
    design, opt, back = (good, good, bad) if wrong == "mapping" else (good, bad, bad)
    seen = []
    with pytest.raises(CheckFailed, match=wrong):
        _prove(design, opt, back, "full", lambda name, **v: seen.append(v))
    assert seen[-1][wrong] is False
    if wrong == "optimization":
        assert seen[-1]["mapping"] is True
        assert _prove(design, opt, back, "mapping", None) == {"mapping": True}
    assert _prove(good, good, good, "full", None) == {"mapping": True, "optimization": True}
