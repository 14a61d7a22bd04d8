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
    """`report_checks -format end` text -> {endpoint: slack in ns}, the worst over path
    groups (a set_max_delay path is reported in group **default**, apart from its clock's)."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = _ENDPOINT.match(line)
        if m:
            out[m.group(1)] = min(float(m.group(4)), out.get(m.group(1), float("inf")))
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


# -- live OpenSTA comparisons ---------------------------------------------------------------
TOPS = {"gcd_sky130hd": "gcd"}


@functools.lru_cache(maxsize=None)
def plain_liberty() -> Path:
    """Debian's 2019 sta cannot read .gz Liberty: the library unpacked once per session into
    a private temporary folder."""
    import gzip
    import tempfile

    need_shared()
    folder = Path(tempfile.mkdtemp(prefix="edapipe-sta-"))
    path = folder / "sky130hd_tt.lib"
    path.write_bytes(gzip.decompress(LIB.read_bytes()))
    return path


def opensta_slacks(name: str, sdc_text: str, tmp: Path, spef: Path | None = None,
                   before_sdc: str = "") -> tuple[dict[str, float], dict[str, float]]:
    """Every endpoint's setup and hold slack (ns) from a live Debian `sta` run on a shared
    design with the given SDC text (and SPEF). Without SPEF every net gets an explicit zero
    wire load (`set_load 0 [get_nets *]`), as edapipe's default of no wire-load model."""
    import subprocess

    from tests.conftest import require_tool

    sta = require_tool("sta")
    v, _ = design_files(name)
    sdc = tmp / "live.sdc"
    sdc.write_text(sdc_text)
    out = {k: tmp / f"end_{k}.txt" for k in ("max", "min")}
    script = tmp / "live.tcl"
    script.write_text(
        f"read_liberty {plain_liberty()}\nread_verilog {v}\n"
        f"link_design {TOPS.get(name, name)}\n"
        + ("set_load 0 [get_nets *]\n" if spef is None else "")
        + f"{before_sdc}read_sdc {sdc}\n"
        + (f"read_spef {spef}\n" if spef is not None else "")
        + "".join(f"report_checks -path_delay {k} -format end -group_count 1000000 "
                  f"-endpoint_count 1 -unique_paths_to_endpoint -digits 7 > {out[k]}\n"
                  for k in ("max", "min")))
    proc = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and "Error" not in proc.stdout, proc.stderr + proc.stdout
    return (parse_endpoints(out["max"].read_text()), parse_endpoints(out["min"].read_text()))


def edapipe_slacks(name: str, sdc_text: str, tmp: Path, spef: Path | None = None,
                   ) -> tuple[dict[str, float], dict[str, float]]:
    """The same as opensta_slacks, from edapipe (ns)."""
    import math

    from edapipe.timing.sta import StaParams, run_sta

    v, _ = design_files(name)
    sdc = tmp / "ours.sdc"
    sdc.write_text(sdc_text)
    an = run_sta(StaParams(str(v), (str(LIB),), str(sdc),
                           spef=None if spef is None else str(spef)))
    return endpoint_slacks(an)


def endpoint_slacks(an) -> tuple[dict[str, float], dict[str, float]]:
    """An analysis's worst setup and hold slack per endpoint name (ns), as `sta` lists them."""
    import math

    out: tuple[dict[str, float], dict[str, float]] = ({}, {})
    for e in an.endpoints:
        for check in (0, 1):
            if e.slack[check] < math.inf:
                s = e.slack[check] * 1e9
                out[check][e.name] = min(s, out[check].get(e.name, math.inf))
    return out


def max_slack_difference(name: str, sdc_text: str, tmp: Path, spef: Path | None = None,
                         before_sdc: str = "") -> float:
    """Largest |edapipe - OpenSTA| endpoint slack (ns) over setup and hold; the endpoint sets
    must be equal."""
    theirs = opensta_slacks(name, sdc_text, tmp, spef, before_sdc)
    ours = edapipe_slacks(name, sdc_text, tmp, spef)
    worst = 0.0
    for what, a, b in (("setup", ours[0], theirs[0]), ("hold", ours[1], theirs[1])):
        assert set(a) == set(b), (
            f"{what}: endpoints differ; only ours: {sorted(set(a) - set(b))[:5]}, "
            f"only OpenSTA: {sorted(set(b) - set(a))[:5]}")
        for k in b:
            worst = max(worst, abs(a[k] - b[k]))
    return worst


def asap7_corners(tmp_path: Path, sdc: Path) -> tuple[Path, dict[str, Path], str]:
    """reg1 at the two shared ASAP7 corners: (netlist, {corner: gzipped library}, the head
    of an `sta` script that defines the corners ff and ss and reads the design and `sdc`
    with zero wire load)."""
    import gzip

    v = TIMING / "designs" / "reg1_asap7" / "reg1_asap7.v"
    libs = {c: TIMING / "liberty" / f"asap7_small_{c}.lib.gz" for c in ("ff", "ss")}
    script = "define_corners ff ss\n"
    for c, path in libs.items():
        plain = tmp_path / f"{c}.lib"
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        script += f"read_liberty -corner {c} {plain}\n"
    script += f"read_verilog {v}\nlink_design top\nset_load 0 [get_nets *]\nread_sdc {sdc}\n"
    return v, libs, script
