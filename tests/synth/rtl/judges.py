"""Independent judges of the RTL frontend: Yosys + ABC (cec/dsec, ports by name) and iverilog
simulation on random vectors (x in iverilog's outputs is a don't-care).

    aig = ours(files, top)                      # our AIG, bits named as Yosys names them
    assert_yosys_equivalent(aig, files, top, tmp_path)
    assert_iverilog_agrees(aig, files, top, tmp_path)
"""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import numpy as np

from edapipe.aig import io
from edapipe.aig.sim import simulate_vectors
from edapipe.synth.rtl import read_sources
from tests.conftest import require_tool
from tests.synth.rtl.reference import abc_equivalent, yosys_aig

CLOCKS = ("clk", "clock", "CLK", "clk_i", "i_clk")
_BIT = re.compile(r"^(.*)\[(\d+)\]$")


def ours(files, top="top", include_dirs=(), defines=None, warn=None):
    files = [Path(f) for f in files]
    return read_sources([(f.read_text(), str(f)) for f in files], top=top,
                        include_dirs=[str(d) for d in include_dirs], defines=defines,
                        warn=warn, bit_names="yosys")


def ports(names) -> dict[str, int]:
    """Port widths from bit names (`a[3]` → a has at least 4 bits; `a` is a scalar)."""
    out: dict[str, int] = {}
    for n in names:
        m = _BIT.match(n)
        if m:
            out[m.group(1)] = max(out.get(m.group(1), 0), int(m.group(2)) + 1)
        else:
            out.setdefault(n, 1)
    return out


def assert_yosys_equivalent(aig, files, top, tmp: Path, include_dirs=(), defines=None,
                            early_setundef=False, tag="y"):
    yosys = require_tool("yosys")
    abc = require_tool("berkeley-abc")
    mine, ref = tmp / f"{tag}_ours.aig", tmp / f"{tag}_ref.aig"
    io.write(aig, mine)
    yosys_aig(yosys, [Path(f) for f in files], top, ref, include_dirs=include_dirs,
              defines=defines, early_setundef=early_setundef)
    refaig = io.read(ref)
    assert sorted(aig.input_names) == sorted(refaig.input_names)
    assert sorted(aig.output_names) == sorted(refaig.output_names)
    ok, text = abc_equivalent(abc, mine, ref,
                              sequential=aig.num_latches + refaig.num_latches > 0)
    assert ok, text[-2000:]


def iverilog_outputs(files, top, inputs: dict[str, int], outputs: dict[str, int],
                     vectors: list[dict[str, int]], tmp: Path, clock=None, include_dirs=(),
                     defines=None, tag="iv") -> list[dict[str, str]]:
    """Per vector, the output values as iverilog prints them (MSB first, x and z kept)."""
    iverilog = require_tool("iverilog")
    lines = ["`timescale 1ns/1ns", "module edapipe_tb;"]
    for n, w in inputs.items():
        lines.append(f"  reg [{w - 1}:0] {n};")
    for n, w in outputs.items():
        lines.append(f"  wire [{w - 1}:0] {n};")
    conn = ", ".join(f".{n}({n})" for n in list(inputs) + list(outputs))
    lines.append(f"  {top} dut({conn});")
    lines.append("  initial begin")
    fmt = " ".join("%b" for _ in outputs)
    args = ", ".join(outputs)
    if clock:
        lines.append(f"    {clock} = 0;")
    for vec in vectors:
        for n, w in inputs.items():
            if n != clock:
                lines.append(f"    {n} = {w}'d{vec.get(n, 0)};")
        lines.append("    #100;")                   # past any `#` delay of the design
        lines.append(f'    $display("{fmt}", {args});')
        if clock:
            lines.append(f"    {clock} = 1; #100; {clock} = 0;")
    lines.append("    $finish;")
    lines.append("  end")
    lines.append("endmodule")
    tb = tmp / f"{tag}_tb.v"
    tb.write_text("\n".join(lines) + "\n")
    exe = tmp / f"{tag}.vvp"
    cmd = [iverilog, "-g2012", "-o", str(exe), "-s", "edapipe_tb"]
    cmd += [f"-I{d}" for d in include_dirs]
    cmd += [f"-D{k}={v}" for k, v in (defines or {}).items()]
    cmd += [str(f) for f in files] + [str(tb)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"iverilog failed: {proc.stderr[-2000:]}"
    proc = subprocess.run([str(Path(iverilog).with_name("vvp")), "-n", str(exe)],
                          capture_output=True, text=True, timeout=300, cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [ln.split() for ln in proc.stdout.splitlines() if ln and ln[0] in "01xzXZ"]
    assert len(rows) == len(vectors), proc.stdout[-2000:]
    return [dict(zip(outputs, r)) for r in rows]


def assert_iverilog_agrees(aig, files, top, tmp: Path, n_vectors=200, seed=1, clock=None,
                           include_dirs=(), defines=None, vectors=None, tag="iv"):
    """Our AIG's outputs equal iverilog's on random vectors (cycles when it has latches),
    wherever iverilog's bit is 0 or 1."""
    ins = ports(aig.input_names)
    outs = ports(aig.output_names)
    if aig.num_latches and clock is None:
        clock = next((c for c in CLOCKS if c in ins), None)
        assert clock is not None, "a sequential design needs its clock named"
    rng = random.Random(seed)
    if vectors is None:
        vectors = [{n: rng.getrandbits(w) for n, w in ins.items()} for _ in range(n_vectors)]
    got = iverilog_outputs(files, top, ins, outs, vectors, tmp, clock=clock,
                           include_dirs=include_dirs, defines=defines, tag=tag)
    bits = np.zeros((len(vectors), aig.num_inputs), dtype=np.uint8)
    for i, name in enumerate(aig.input_names):
        m = _BIT.match(name)
        port, k = (m.group(1), int(m.group(2))) if m else (name, 0)
        for t, vec in enumerate(vectors):
            bits[t, i] = 0 if port == clock else (vec.get(port, 0) >> k) & 1
    sim, _ = simulate_vectors(aig, bits)
    compared = 0
    for j, name in enumerate(aig.output_names):
        m = _BIT.match(name)
        port, k = (m.group(1), int(m.group(2))) if m else (name, 0)
        for t in range(len(vectors)):
            s = got[t][port]
            ch = s[len(s) - 1 - k] if k < len(s) else "0"
            if ch in "01":
                compared += 1
                assert int(ch) == int(sim[t, j]), (
                    f"{name} at vector {t} ({vectors[t]}): iverilog {ch}, ours {sim[t, j]}")
    return compared
