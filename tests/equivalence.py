"""Equivalence checks every pass and checker test shares.

The shared circuits by size, and the judge of "same circuit": the same interface, exact truth
tables for small input counts; beyond, random simulation (a quick, readable refutation) and
then a proof, never simulation alone: ABC's `cec` when it is installed and a folder is given,
otherwise the project's own `cec` (edapipe.verify.cec), whose answer must be "equivalent".
"""

from __future__ import annotations

import numpy as np

from edapipe.aig import io
from edapipe.aig.analysis import depth
from edapipe.aig.core import Aig
from edapipe.aig.sim import signatures, truth_tables
from tests.conftest import BENCHMARKS, need, run_abc, tool

EPFL_SMALL = ["ctrl", "int2float", "router", "cavlc", "dec", "i2c", "priority", "adder", "bar"]
EPFL_ALL = ["adder", "arbiter", "bar", "cavlc", "ctrl", "dec", "i2c", "int2float", "log2",
            "max", "multiplier", "priority", "router", "sin", "sqrt", "square", "voter"]
ISCAS_SMALL = ["c17", "c432", "c499", "c880", "c1355", "c1908"]
ISCAS_ALL = ISCAS_SMALL + ["c2670", "c3540", "c5315", "c7552"]
TRUTH_TABLE_INPUTS = 14
"""Up to this many combinational inputs the check is exhaustive (2^14 patterns, cheap)."""


def source(name: str):
    """A shared circuit by name (EPFL AIGER, else ISCAS-85 BENCH); skips the test without
    the shared benchmarks."""
    path = BENCHMARKS / "epfl" / f"{name}.aig"
    return need(path if path.exists() else BENCHMARKS / "iscas85" / f"{name}.bench")


def strashed(path) -> Aig:
    from edapipe.aig.builder import strash

    return strash(io.read(path))


def assert_same_interface(before: Aig, after: Aig) -> None:
    assert after.num_inputs == before.num_inputs
    assert after.num_latches == before.num_latches
    assert after.num_outputs == before.num_outputs
    assert after.input_names == before.input_names
    assert after.output_names == before.output_names
    assert after.latch_names == before.latch_names
    assert np.array_equal(after.latch_init, before.latch_init)


def assert_equivalent(before: Aig, after: Aig, tmp_path=None, words: int = 16) -> None:
    """Same interface and same combinational function: exhaustive up to TRUTH_TABLE_INPUTS
    inputs; otherwise random simulation, then a proof (abc_cec: ABC when installed, else our
    own cec; in tmp_path or a temporary folder)."""
    assert_same_interface(before, after)
    if before.num_cis <= TRUTH_TABLE_INPUTS:
        assert np.array_equal(truth_tables(before), truth_tables(after))
        return
    for seed in (1, 2):
        assert np.array_equal(signatures(before, words, seed), signatures(after, words, seed))
    if tmp_path is not None:
        abc_cec(before, after, tmp_path)
        return
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        abc_cec(before, after, Path(folder))


def own_cec(before: Aig, after: Aig) -> None:
    """The project's own `cec` proves the two equivalent (undecided fails the test)."""
    from edapipe.verify.cec import check_equivalence

    res = check_equivalence(before, after)
    assert res.equivalent is True, (res.equivalent, res.failing[:5], res.undecided[:5])


def abc_cec(before: Aig, after: Aig, folder) -> None:
    """ABC's `cec` proves the two equivalent; without ABC, our own cec must (never a silent
    pass)."""
    abc = tool("berkeley-abc")
    if abc is None:
        own_cec(before, after)
        return
    a, b = folder / "before.aig", folder / "after.aig"
    io.write(before, a)
    io.write(after, b)
    out = run_abc(abc, f"cec {a} {b}")
    assert "Networks are equivalent" in out, out


def checked_levels(before: Aig, after: Aig, preserve: bool) -> None:
    if preserve:
        assert depth(after) <= depth(before)


def with_clock_input(aig: Aig, clock: str) -> Aig:
    """`aig` with an unused first input named `clock`: the interface of its mapped netlist,
    whose flip-flops hang on that added port. Every variable moves up by one."""

    def shift(lits) -> np.ndarray:
        lits = np.asarray(lits, dtype=np.int64)
        return np.where(lits >= 2, lits + 2, lits)

    return aig.replace(num_inputs=aig.num_inputs + 1, fanin0=shift(aig.fanin0),
                       fanin1=shift(aig.fanin1), outputs=shift(aig.outputs),
                       latch_next=shift(aig.latch_next), bad=shift(aig.bad),
                       constraints=shift(aig.constraints),
                       input_names=(clock,) + tuple(aig.input_names))


def yosys_abc_verdict(design: Aig, verilog: str, liberty, folder, top: str = "top",
                      clock: str = "clock") -> str | None:
    """A mapped netlist against its design by tools that share no code with edapipe: Yosys
    reads the cells' Liberty functions (multi-output cells and flip-flops included) and
    flattens the netlist to BLIF, ABC proves it: `cec` by position (an output renamed
    beside an input of the same name still lines up), or for flops `dsec` (no retiming)
    from all-zero flops on both sides (the design's latches start at 0; the library's flops have no
    reset). `liberty` is a plain-text file. Returns ABC's output, or None without the
    tools."""
    import subprocess

    yosys, abc = tool("yosys"), tool("berkeley-abc")
    if yosys is None or abc is None:
        return None
    mapped, blif = folder / "judge_mapped.v", folder / "judge_mapped.blif"
    mapped.write_text(verilog)
    subprocess.run([yosys, "-q", "-p", f"read_liberty -ignore_miss_func -ignore_miss_dir "
                    f"{liberty}; read_verilog {mapped}; hierarchy -top {top}; flatten; "
                    f"opt_clean; techmap; aigmap; write_blif {blif}"],
                   check=True, capture_output=True, timeout=600)
    ref = folder / "judge_design.aig"
    if design.num_latches:
        assert not design.latch_init.any(), "the judge starts both sides at zero"
        io.write(with_clock_input(design, clock), ref)
        zeroed = folder / "judge_mapped.aig"
        run_abc(abc, f"read {blif}; init -z; strash; write_aiger -s {zeroed}")
        # no retiming: the flops are the latches, one for one (with it s38417 took
        # more than 600 s; without, 3 s)
        return run_abc(abc, f"dsec -r -m {ref} {zeroed}", timeout=600)
    io.write(design, ref)
    return run_abc(abc, f"cec -n {ref} {blif}", timeout=600)


def abc_liberty_verdict(design: Aig, verilog: str, liberty, folder, tie=None) -> str | None:
    """A combinational mapped netlist against its design by ABC alone: `read_lib`, `read -m`
    (its mapped-Verilog reader, which takes the two-output full adders too), `cec` by
    position. ABC reads a tie cell as a black box (an extra input): `tie` = (cell, its 1
    pin, its 0 pin) turns its instances into constant assigns first. Returns ABC's output,
    or None without ABC. (ABC reads flip-flops as black boxes too: sequential netlists go
    through yosys_abc_verdict.)"""
    import re

    abc = tool("berkeley-abc")
    if abc is None:
        return None
    assert design.num_latches == 0
    if tie is not None:
        cell, one, zero = tie

        def constants(m: re.Match) -> str:
            pins = dict(re.findall(r"\.(\w+)\(([^()]*)\)", m.group(1)))
            return "\n".join(f"  assign {pins[p].strip()} = 1'b{v};"
                              for p, v in ((one, 1), (zero, 0)) if p in pins)

        verilog = re.sub(rf"^\s*{re.escape(cell)}\s+\S+\s*\((.*)\);$", constants, verilog,
                         flags=re.M)
    mapped, ref = folder / "abc_mapped.v", folder / "abc_design.aig"
    mapped.write_text(verilog)
    io.write(design, ref)
    return run_abc(abc, f"read_lib {liberty}; read -m {mapped}; cec -n {ref}", timeout=600)
