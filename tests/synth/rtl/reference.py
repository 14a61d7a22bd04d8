"""Yosys + ABC as the judge: elaborate with Yosys, compare with ABC's cec (or dsec)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from edapipe.aig import io
from edapipe.aig.core import LATCH_INIT_X

# -noabc: ABC's mapping inside synth only re-optimizes; -nofsm: FSM recoding assumes a reset
# state, which an all-zero initial state (below) may not be.
YOSYS_FLOW = ("read_verilog -sv {defs}{incs}{files}; {early}"
              "synth -flatten -noabc -nofsm -top {top}; "
              "async2sync; dffunmap; setundef -zero; aigmap; write_aiger -symbols {out}")


def yosys_aig(yosys: str, files: list[Path], top: str, out: Path, include_dirs=(),
              defines=None, early_setundef=False) -> None:
    """Yosys's AIG of a design; latches without an init value get 0 (our convention).

    `early_setundef` turns x constants into 0 before Yosys's optimizations treat them as
    don't-cares (our frontend's rule); it trips a Yosys 0.23 assertion on memories, so it
    is asked for per design.
    """
    defs = "".join(f"-D{k}={v} " for k, v in (defines or {}).items())
    incs = "".join(f"-I{d} " for d in include_dirs)
    script = YOSYS_FLOW.format(defs=defs, incs=incs, files=" ".join(str(f) for f in files),
                               top=top, out=out,
                                early="proc; setundef -zero; " if early_setundef else "")
    proc = subprocess.run([yosys, "-q", "-p", script], capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"yosys failed: {proc.stderr}{proc.stdout}"[-2000:])
    aig = io.read(out)
    if aig.num_latches and np.any(aig.latch_init == LATCH_INIT_X):
        init = np.where(aig.latch_init == LATCH_INIT_X, 0, aig.latch_init)
        # Rewritten in place: not through io.write, which refuses to overwrite a file this
        # process has read (an input of the command).
        fmt = io.format_from_extension(out) or "aig"
        Path(out).write_bytes(io.dump(aig.replace(latch_init=init), fmt))


def abc_equivalent(abc: str, ours: Path, ref: Path, sequential: bool,
                   timeout: float = 600) -> tuple[bool, str]:
    cmd = f"dsec {ours} {ref}" if sequential else f"cec {ours} {ref}"
    proc = subprocess.run([abc, "-c", cmd], capture_output=True, text=True, timeout=timeout)
    text = proc.stdout + proc.stderr
    return (proc.returncode == 0 and "Networks are equivalent" in text
            and "NOT" not in text.split("Networks are equivalent")[0][-40:]), text
