"""Shared helpers for the timing tests: the shared designs, OpenSTA's stored results."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from tests.conftest import BENCHMARKS, PEERS

TIMING = BENCHMARKS / "timing"
LIB = TIMING / "liberty" / "sky130hd_tt.lib.gz"
PEER = PEERS / "timing"
DATA = Path(__file__).parent / "data"
# design name -> (netlist, sdc); every shared design with a stored OpenSTA report
DESIGNS = {
    "gcd_sky130hd": ("gcd_sky130hd", "gcd_sky130hd"),
    "multiplier": ("multiplier", "multiplier"),
    "arbiter": ("arbiter", "arbiter"),
}


def design_files(name: str) -> tuple[Path, Path]:
    folder = TIMING / "designs" / name
    return folder / f"{name}.v", folder / f"{name}.sdc"


def need_shared() -> None:
    if not LIB.exists():
        pytest.skip("../shared/benchmarks/timing is not there")


@functools.lru_cache(maxsize=None)
def analysis(name: str, wire_load: bool = False):
    """Our analysis of a shared design (cached for the session: it is read-only)."""
    from edapipe.timing.sta import StaParams, run_sta

    v, sdc = design_files(name)
    return run_sta(StaParams(str(v), (str(LIB),), str(sdc), wire_load=wire_load))


_ENDPOINT = re.compile(r"^(\S+) \(.*?\)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)"
                       r" \((MET|VIOLATED)\)")


def parse_endpoints(text: str) -> dict[str, float]:
    """`report_checks -format end` text -> {endpoint: slack in ns}."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = _ENDPOINT.match(line)
        if m:
            out[m.group(1)] = float(m.group(4))
    return out


def parse_summary(text: str) -> dict[str, float]:
    """summary.txt (`sta::worst_slack_cmd` etc., seconds) -> {key: value in ns or count}."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            val = float(parts[1])
            out[parts[0]] = val * 1e9 if parts[0].startswith(("worst", "tns")) else val
    return out


def close(ours: float, theirs: float) -> bool:
    """The agreement the issue asks for: within 0.1 % or 1 ps, whichever is larger (ns)."""
    return abs(ours - theirs) <= max(1e-3 * abs(theirs), 1e-3)
