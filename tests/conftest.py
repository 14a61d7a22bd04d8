"""Shared fixtures: where the shared benchmarks are, which reference tools are installed.

The shared folder (benchmarks and the peers' reference figures) is found in one place,
`shared_dir()`: $EDAPIPE_SHARED, else `../shared` beside the repository. A test that needs a
file there asks for it through `need()` (or `bench()`, or the `benchmarks` fixture), which
skips the test cleanly when it is absent; nothing else in the tests spells the location.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder: $EDAPIPE_SHARED when set, else ../shared beside the repository."""
    given = os.environ.get("EDAPIPE_SHARED")
    return Path(given).expanduser().resolve() if given else ROOT.parent / "shared"


SHARED = shared_dir()
BENCHMARKS = SHARED / "benchmarks"
PEERS = SHARED / "peers"


def need(path: str | os.PathLike) -> Path:
    """`path`, a file or folder of the shared folder, when it is there; else skip the test.

    Only shared paths skip: any other path is returned as is, so a test's own missing file
    still fails it (a skip there would hide a bug)."""
    p = Path(path)
    if not p.exists() and (p == SHARED or SHARED in p.parents):
        pytest.skip(f"{p} is not there (the shared benchmarks: set EDAPIPE_SHARED)")
    return p


def bench(*parts: str) -> Path:
    """A file of the shared benchmarks (`bench("epfl", "ctrl.aig")`), or skip the test."""
    return need(BENCHMARKS.joinpath(*parts))


def tool(name: str) -> str | None:
    return shutil.which(name)


def require_tool(name: str) -> str:
    path = tool(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture(scope="session")
def benchmarks() -> Path:
    return need(BENCHMARKS)


@pytest.fixture(scope="session")
def abc_bin() -> str:
    return require_tool("berkeley-abc")


def run_abc(abc: str, script: str, timeout: float = 300) -> str:
    """Run an ABC command string; return its standard output. ABC runs in a scratch folder:
    some of its commands (dsec) drop files such as sm01.aig into the working folder."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        proc = subprocess.run([abc, "-c", script], capture_output=True, text=True,
                              timeout=timeout, cwd=scratch)
    if proc.returncode != 0:
        raise AssertionError(f"abc failed on {script!r}: {proc.stderr}{proc.stdout}")
    return proc.stdout
