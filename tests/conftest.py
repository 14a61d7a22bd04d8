"""Shared fixtures: where the shared benchmarks are, which reference tools are installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCHMARKS = SHARED / "benchmarks"
PEERS = SHARED / "peers"


def tool(name: str) -> str | None:
    return shutil.which(name)


def require_tool(name: str) -> str:
    path = tool(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture(scope="session")
def benchmarks() -> Path:
    if not BENCHMARKS.is_dir():
        pytest.skip("../shared/benchmarks is not there")
    return BENCHMARKS


@pytest.fixture(scope="session")
def abc_bin() -> str:
    return require_tool("berkeley-abc")


def run_abc(abc: str, script: str, timeout: float = 300) -> str:
    """Run an ABC command string; return its standard output."""
    proc = subprocess.run([abc, "-c", script], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"abc failed on {script!r}: {proc.stderr}{proc.stdout}")
    return proc.stdout
