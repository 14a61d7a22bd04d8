"""Issue 13's hand-made hostile cases, each through the real program.

Every case runs `python -m edapipe.cli.main` in its own process with a wall-clock limit
(`LIMIT_S`, 30 s) and a data-size limit; the peak resident size comes from wait4. What every
case must show, besides its own expectation: no traceback, no run over 30 s or 2 GiB, a
bounded standard error. Inputs that are legitimate but extreme (deep but finite nesting) may
succeed (exit 0) or be refused with a located error (exit 3/4); malformed or oversized input
must be refused (exit 3 bad input, 4 resource limit).

Output paths: nothing here touches the real /dev/null or /dev/stdout (the bug would replace
them for the whole machine); the same mechanism is exercised on a FIFO, a character device made
in the test folder (as root), symlinks and /dev/fd/1.
"""

from __future__ import annotations

import gzip
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fuzz.targets import SEEDS

LIMIT_S = 30.0
MAX_RSS_MIB = 2048
DATA_LIMIT = 3 << 30        # hard stop for a runaway case; RSS over 2 GiB already fails
STDERR_LIMIT = 4096         # bytes of standard error for any one failure
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int | None
    out: bytes
    err: str
    seconds: float
    maxrss_mib: float
    timed_out: bool

    def where(self) -> str:
        tail = self.err if len(self.err) < 3000 else self.err[:1500] + " [...] " + self.err[-1500:]
        return (f"exit {self.code} in {self.seconds:.1f} s, peak {self.maxrss_mib:.0f} MiB, "
                f"stderr {len(self.err)} chars:\n{tail}")


def _limit_data():
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (DATA_LIMIT, DATA_LIMIT))


@dataclass
class Started:
    proc: subprocess.Popen
    t0: float
    timeout: float
    chunks: dict
    threads: list


def start(*args, cwd: Path, stdin: bytes | None = None, env: dict | None = None,
          unset: tuple = (), stdout=None, timeout: float = LIMIT_S) -> Started:
    """Start the program with its standard error (and output, unless given) collected."""
    cmd = [sys.executable, "-m", "edapipe.cli.main", *map(str, args)]
    full_env = dict(os.environ)
    for name in ("EDAPIPE_MAX_INPUT_MB", *unset):
        full_env.pop(name, None)
    full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, start_new_session=True,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=stdout if stdout is not None else subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_limit_data)
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def pump(stream, key):
        for block in iter(lambda: stream.read(1 << 16), b""):
            chunks[key].append(block)

    threads = [threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True)]
    if stdout is None:
        threads.append(threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True))
    if stdin is not None:
        def feed():
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        threads.append(threading.Thread(target=feed, daemon=True))
    for t in threads:
        t.start()
    return Started(proc, time.monotonic(), timeout, chunks, threads)


def finish(h: Started) -> Run:
    """Wait (killing the process group past the limit); exit code, output, time, peak RSS."""
    timed_out = False
    while True:
        pid, status, usage = os.wait4(h.proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - h.t0 > h.timeout:
            timed_out = True
            os.killpg(h.proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(h.proc.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.monotonic() - h.t0
    h.proc.returncode = os.waitstatus_to_exitcode(status)
    for t in h.threads:
        t.join(5)
    return Run(None if timed_out else h.proc.returncode, b"".join(h.chunks["out"]),
               b"".join(h.chunks["err"]).decode("utf-8", "replace"), seconds,
               usage.ru_maxrss / 1024, timed_out)


def edapipe(*args, **kwargs) -> Run:
    return finish(start(*args, **kwargs))


def check(run: Run, codes=(3, 4), stderr_limit: int = STDERR_LIMIT) -> Run:
    assert not run.timed_out, f"still running after {LIMIT_S:.0f} s: " + run.where()
    assert "Traceback" not in run.err, run.where()
    assert run.maxrss_mib < MAX_RSS_MIB, run.where()
    assert "out of memory" not in run.err, run.where()
    assert run.code in codes, run.where()
    assert len(run.err.encode()) <= stderr_limit, run.where()
    return run


def seed(name: str, tmp: Path) -> Path:
    path = tmp / name
    path.write_bytes((SEEDS / name).read_bytes())
    return path


def write(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def sta_with(tmp: Path, *, netlist: bytes | str | None = None, lib: bytes | str | None = None,
             sdc: bytes | str | None = None, lib_name: str = "case.lib") -> list:
    """Arguments of `edapipe sta` over the seed design with one file replaced."""
    v = write(tmp, "case.vg", netlist) if netlist is not None else seed("design.vg", tmp)
    lb = write(tmp, lib_name, lib) if lib is not None else seed("cells.lib", tmp)
    s = write(tmp, "case.sdc", sdc) if sdc is not None else seed("design.sdc", tmp)
    return ["sta", v, "-l", lb, "--sdc", s, "--no-cache"]


def spice_deck(tmp: Path, body: str, name: str = "case.cir") -> Path:
    seed("models.inc", tmp)
    return write(tmp, name, "hostile deck\n" + body + ("" if body.endswith("\n") else "\n")
                 + ".end\n")


# ======================================================================================
# messages: a 5 MB line is never echoed whole
# ======================================================================================

BIG = 5_000_000


def _big_line_case(kind: str, tmp: Path) -> list:
    x = "q" * BIG
    if kind == "verilog":
        return ["read", write(tmp, "big.v", f"module m(a, y);\ninput a; output y;\n"
                                             f"assign y = a & {x};\nendmodule\n")]
    if kind == "blif":
        return ["read", write(tmp, "big.blif", f".model t\n.inputs a\n.outputs y\n"
                                                f".names a {x} y\n11 1\n.end\n")]
    if kind == "bench":
        return ["read", write(tmp, "big.bench", f"INPUT(a)\nOUTPUT(y)\ny = AND(a, {x})\n")]
    if kind == "aag":
        return ["read", write(tmp, "big.aag", "aag 1 1 0 1 0\n2\n" + "9" * BIG + "\n")]
    if kind == "undetected":
        return ["stats", write(tmp, "big.txt", "@" + x + "\n")]
    if kind == "liberty":
        return sta_with(tmp, lib=f"library (l) {{\n  time_unit : \"1ns\";\n  {x} ;\n}}\n")
    if kind == "netlist":
        return sta_with(tmp, netlist=f"module top(a, y);\ninput a; output y;\n"
                                     f"{x} u1 (.A(a), .Y(y));\nendmodule\n")
    if kind == "sdc":
        return sta_with(tmp, sdc=f"create_clock -name c -period {x}\n")
    if kind == "spice":
        return ["spice", spice_deck(tmp, f"V1 1 0 1\nR1 1 0 {x}\n.op\n")]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["verilog", "blif", "bench", "aag", "undetected", "liberty",
                                  "netlist", "sdc", "spice"])
def test_five_megabyte_line_is_not_echoed(kind, tmp_path):
    run = edapipe(*_big_line_case(kind, tmp_path), cwd=tmp_path)
    # BENCH reads an undriven net as constant 0 with a warning; everything else is refused
    check(run, codes=(0, 3, 4) if kind == "bench" else (3, 4), stderr_limit=1024)
    # excerpts are about 120 characters; 240 is the safety net of any message line
    assert "q" * 250 not in run.err and "9" * 250 not in run.err, run.where()


def test_included_file_is_not_echoed(tmp_path):
    secret = "SECRET" + "".join(random.Random(1).choice("abcdef0123") for _ in range(400))
    write(tmp_path, "secret.txt", secret + "\nsecond line\n")
    run = check(edapipe("spice", spice_deck(tmp_path, ".include secret.txt\nV1 1 0 1\n"
                                                      "R1 1 0 1k\n.op\n"), cwd=tmp_path))
    assert secret[:130] not in run.err, run.where()


def test_sdc_of_random_bytes_is_bad_input(tmp_path):
    junk = random.Random(13).randbytes(4000)
    check(edapipe(*sta_with(tmp_path, sdc=junk), cwd=tmp_path), codes=(3,))


# ======================================================================================
# bounded reading: special files, gzip bombs, streams
# ======================================================================================

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("where", ["read", "stats", "cec", "sta-netlist", "sta-liberty",
                                   "sta-sdc", "spice"])
def test_device_as_input(where, device, tmp_path):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    args = {
        "read": ["read", device],
        "stats": ["stats", device],
        "cec": ["cec", device, seed("c17.bench", tmp_path)],
        "sta-netlist": ["sta", device, "-l", seed("cells.lib", tmp_path), "--no-cache"],
        "sta-liberty": ["sta", seed("design.vg", tmp_path), "-l", device, "--no-cache"],
        "sta-sdc": ["sta", seed("design.vg", tmp_path), "-l", seed("cells.lib", tmp_path),
                    "--sdc", device, "--no-cache"],
        "spice": ["spice", device],
    }[where]
    check(edapipe(*args, cwd=tmp_path, env={"EDAPIPE_MAX_INPUT_MB": "8"}))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_spice_include_of_a_device(device, tmp_path):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    deck = spice_deck(tmp_path, f".include {device}\nV1 1 0 1\nR1 1 0 1k\n.op\n")
    run = check(edapipe("spice", deck, cwd=tmp_path), codes=(3,))
    assert device in run.err, run.where()


def _gzip_bomb(path: Path, head: bytes, filler: bytes, size: int, tail: bytes = b"") -> Path:
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(head)
        block = filler * ((1 << 20) // len(filler))
        for _ in range(size // len(block)):
            fh.write(block)
        fh.write(tail)
    return path


BOMB_ENV = {"EDAPIPE_MAX_INPUT_MB": "1"}
BOMB_SIZE = 8 << 20      # unpacks to 8 MiB, eight times the budget set above


def test_gzip_bomb_aiger(tmp_path):
    # a valid AIGER file whose comment section is most of the bytes
    bomb = _gzip_bomb(tmp_path / "bomb.aig.gz", b"aig 0 0 0 0 0\nc\n", b"\0", BOMB_SIZE)
    assert bomb.stat().st_size < 100_000
    for cmd in ("stats", "read"):
        run = check(edapipe(cmd, bomb, cwd=tmp_path, env=BOMB_ENV), codes=(4,))
        assert "EDAPIPE_MAX_INPUT_MB" in run.err, run.where()


def test_gzip_bomb_liberty(tmp_path):
    bomb = _gzip_bomb(tmp_path / "bomb.lib.gz", b"library (bomb) {\n", b" ", BOMB_SIZE, b"}\n")
    run = check(edapipe(*sta_with(tmp_path), "-l", bomb, cwd=tmp_path, env=BOMB_ENV),
                codes=(4,))
    assert "EDAPIPE_MAX_INPUT_MB" in run.err, run.where()


def test_stream_over_the_budget(tmp_path):
    data = b"aag 0 0 0 0 0\nc\n" + b"x" * (3 << 20)
    run = check(edapipe("stats", "-", cwd=tmp_path, stdin=data, env=BOMB_ENV), codes=(4,))
    assert "EDAPIPE_MAX_INPUT_MB" in run.err, run.where()


def test_netlist_huge_bus(tmp_path):
    net = "module top(a, y);\n  input [999999999:0] a;\n  output y;\n" \
          "  INV u (.A(a[0]), .Y(y));\nendmodule\n"
    check(edapipe(*sta_with(tmp_path, netlist=net, sdc=""), cwd=tmp_path))


def test_logic_reader_huge_bus(tmp_path):
    v = write(tmp_path, "wide.v", "module m(a, y);\n  input [999999999:0] a;\n  output y;\n"
                                  "  assign y = a[0];\nendmodule\n")
    check(edapipe("stats", v, cwd=tmp_path))


# ======================================================================================
# recursion and nesting, per reader
# ======================================================================================

def _blif_chain(depth: int) -> str:
    parts = [".model top\n.inputs a\n.outputs y\n.subckt m0 i=a o=y\n.end\n"]
    for k in range(depth):
        inner = f".subckt m{k + 1} i=i o=o\n" if k + 1 < depth else ".names i o\n1 1\n"
        parts.append(f".model m{k}\n.inputs i\n.outputs o\n{inner}.end\n")
    return "".join(parts)


def _reverse_chain_bench(n: int) -> str:
    lines = ["INPUT(a)", "INPUT(b)", "OUTPUT(n0)"]
    lines += [f"n{k} = AND(n{k + 1}, b)" for k in range(n)]
    lines.append(f"n{n} = NOT(a)")
    return "\n".join(lines) + "\n"


def _reverse_chain_aag(n: int) -> str:
    # AND k (var 2+k) uses AND k+1: every node refers forward
    m = 1 + n
    lines = [f"aag {m} 1 0 1 {n}", "2", "4"]
    for k in range(n):
        lhs = 2 * (2 + k)
        rhs = 2 * (3 + k) if k + 1 < n else 2
        lines.append(f"{lhs} {rhs} 2")
    return "\n".join(lines) + "\n"


def _nested_verilog(opening: str, closing: str, depth: int) -> str:
    return (f"module m(a, b, y);\n  input a, b;\n  output y;\n"
            f"  assign y = {opening * depth}a{closing * depth} & b;\nendmodule\n")


def _hier_netlist(depth: int) -> str:
    mods = ["module top(a, y);\n  input a; output y;\n  h0 u (.i(a), .o(y));\nendmodule\n"]
    for k in range(depth):
        body = (f"  h{k + 1} u (.i(i), .o(o));\n" if k + 1 < depth
                else "  INV g (.A(i), .Y(o));\n")
        mods.append(f"module h{k}(i, o);\n  input i; output o;\n{body}endmodule\n")
    return "".join(mods)


def _liberty_function(depth: int) -> str:
    text = (SEEDS / "cells.lib").read_text()
    return text.replace('function : "!A";',
                        'function : "' + "!(" * depth + "A" + ")" * depth + '";', 1)


def _liberty_groups(depth: int) -> str:
    text = (SEEDS / "cells.lib").read_text()
    return text.replace("library (fuzzlib) {",
                        "library (fuzzlib) {\n" + "g () { " * depth + "}" * depth, 1)


NESTING = {
    # name: (builder(tmp) -> args, codes)
    "blif-subckt-500": (lambda t: ["read", write(t, "c.blif", _blif_chain(500))], (0, 3)),
    "blif-subckt-5000": (lambda t: ["read", write(t, "c.blif", _blif_chain(5000))], (0, 3, 4)),
    "bench-forward-chain-100000": (
        lambda t: ["stats", write(t, "c.bench", _reverse_chain_bench(100_000))], (0, 3, 4)),
    "aag-forward-chain-100000": (
        lambda t: ["stats", write(t, "c.aag", _reverse_chain_aag(100_000))], (0, 3, 4)),
    "verilog-parens-20000": (
        lambda t: ["stats", write(t, "p.v", _nested_verilog("(", ")", 20000))], (0, 3, 4)),
    "verilog-not-20000": (
        lambda t: ["stats", write(t, "n.v", _nested_verilog("~", "", 20000))], (0, 3, 4)),
    "verilog-concat-20000": (
        lambda t: ["stats", write(t, "c.v", _nested_verilog("{", "}", 20000))], (0, 3, 4)),
    "rtl-parens-20000": (
        lambda t: ["stats", "-D", "X", write(t, "p.v", _nested_verilog("(", ")", 20000))],
        (0, 3, 4)),
    "rtl-minus-20000": (
        lambda t: ["stats", "-D", "X", write(t, "m.v", _nested_verilog("-", "", 20000))],
        (0, 3, 4)),
    "liberty-function-300": (lambda t: sta_with(t, lib=_liberty_function(300)), (0, 3, 4)),
    "liberty-function-20000": (lambda t: sta_with(t, lib=_liberty_function(20000)), (0, 3, 4)),
    "liberty-groups-20000": (lambda t: sta_with(t, lib=_liberty_groups(20000)), (0, 3, 4)),
    "netlist-hierarchy-2000": (
        lambda t: sta_with(t, netlist=_hier_netlist(2000), sdc=""), (0, 3, 4)),
    "netlist-concat-20000": (
        lambda t: sta_with(t, netlist="module top(a, y);\n input a; output y;\n INV u (.A("
                           + "{" * 20000 + "a" + "}" * 20000 + "), .Y(y));\nendmodule\n",
                           sdc=""), (0, 3, 4)),
    "sdc-nested-set-5000": (
        lambda t: sta_with(t, sdc="set x " + "[set a " * 5000 + "1" + "]" * 5000 + "\n"),
        (0, 3, 4)),
    "sdc-expr-parens-20000": (
        lambda t: sta_with(t, sdc="set x [expr {" + "(" * 20000 + "1" + ")" * 20000 + "}]\n"),
        (0, 3, 4)),
    "sdc-expr-minus-20000": (
        lambda t: sta_with(t, sdc="set x [expr {" + "-" * 20000 + "1}]\n"), (0, 3, 4)),
    "spice-param-parens-20000": (
        lambda t: ["spice", spice_deck(t, ".param p={" + "(" * 20000 + "1" + ")" * 20000
                                       + "}\nV1 1 0 1\nR1 1 0 {p}\n.op\n")], (0, 3, 4)),
    "spice-param-minus-20000": (
        lambda t: ["spice", spice_deck(t, ".param p={" + "-" * 20000 + "1}\n"
                                       "V1 1 0 1\nR1 1 0 {abs(p)+1}\n.op\n")], (0, 3, 4)),
}


@pytest.mark.parametrize("case", sorted(NESTING))
def test_deep_nesting(case, tmp_path):
    build, codes = NESTING[case]
    check(edapipe(*build(tmp_path), cwd=tmp_path), codes=codes)


# ======================================================================================
# SDC / Tcl arithmetic, substitution and globbing
# ======================================================================================

SDC_CASES = {
    "expr-2**20000": "set x [expr {2**20000}]\n",
    "expr-10.0**400": "set x [expr {10.0**400}]\n",
    "expr-9**9**9**9": "set x [expr {9**9**9**9}]\n",
    "expr-huge-literal": "set x [expr {1" + "0" * 5000 + " + 1}]\n",
    "expr-mod-zero": "set x [expr {5 % 0}]\n",
    "expr-div-zero": "set x [expr {5 / 0}]\n",
    "set-doubling-40": "set a x\n" + "set a $a$a\n" * 40,
    "clock-period-nan": "create_clock -name c -period nan [get_ports clk]\n",
    "clock-period-1e400": "create_clock -name c -period 1e400 [get_ports clk]\n",
}


@pytest.mark.parametrize("case", sorted(SDC_CASES))
def test_sdc_arithmetic_is_bad_input(case, tmp_path):
    check(edapipe(*sta_with(tmp_path, sdc=SDC_CASES[case]), cwd=tmp_path), codes=(3, 4))


@pytest.mark.parametrize("stars", [16, 5000])
def test_sdc_glob_is_linear(stars, tmp_path):
    name = "a" * 60
    net = (f"module top({name}, y);\n  input {name}; output y;\n"
           f"  INV u (.A({name}), .Y(y));\nendmodule\n")
    sdc = ("create_clock -name v -period 1\n"
           f"set_input_delay 0.1 -clock v [get_ports {{{'*a' * stars}*b}}]\n")
    t0 = time.monotonic()
    check(edapipe(*sta_with(tmp_path, netlist=net, sdc=sdc), cwd=tmp_path), codes=(0, 3))
    assert time.monotonic() - t0 < LIMIT_S


# ======================================================================================
# SPICE: expressions, functions, subcircuits, sweeps
# ======================================================================================

SPICE_CASES = {
    "param-10^400": (".param x={10^400}\nV1 1 0 1\nR1 1 0 {x}\n.op\n", (3,)),
    "param-5%0": (".param x={5%0}\nV1 1 0 1\nR1 1 0 {x+1}\n.op\n", (3,)),
    "param-5/0": (".param x={5/0}\nV1 1 0 1\nR1 1 0 {x+1}\n.op\n", (3,)),
    "func-recursive": (".func f(x) {f(x)+1}\nV1 1 0 1\nR1 1 0 {f(1)}\n.op\n", (3,)),
    "func-mutual": (".func f(x) {g(x)}\n.func g(x) {f(x)}\nV1 1 0 1\nR1 1 0 {f(1)}\n.op\n",
                    (3,)),
    "func-doubling-60": ("".join([".func f0(x) {x+1}\n"] +
                                 [f".func f{k}(x) {{f{k - 1}(x)+f{k - 1}(x)}}\n"
                                  for k in range(1, 61)])
                         + "V1 1 0 1\nR1 1 0 {f60(1)}\n.op\n", (3, 4)),
    "subckt-doubling-30": ("".join([".subckt s0 a b\nR1 a b 1k\n.ends\n"] +
                                   [f".subckt s{k} a b\nX1 a b s{k - 1}\nX2 a b s{k - 1}\n.ends\n"
                                    for k in range(1, 31)])
                           + "V1 1 0 1\nX0 1 0 s30\n.op\n", (3, 4)),
    "dc-1e18-points": ("V1 1 0 1\nR1 1 0 1k\n.dc V1 0 1e9 1e-9\n", (3, 4)),
    "ac-huge-points": ("V1 1 0 AC 1\nR1 1 0 1k\n.ac lin 1e15 1 1meg\n", (3, 4)),
    "tran-1e-30": ("V1 1 0 1\nR1 1 2 1k\nC1 2 0 1n\n.tran 1e-30 1\n", (3, 4)),
    "bsource-unknown-node": ("V1 1 0 1\nR1 1 0 1k\nB1 out 0 V={v(nosuch)}\nR2 out 0 1k\n.op\n",
                             (3,)),
    "value-nan": ("V1 1 0 1\nR1 1 0 nan\n.op\n", (3,)),
    "value-1e400": ("V1 1 0 1\nR1 1 0 1e400\n.op\n", (0, 3)),   # an open circuit, or refused
}


@pytest.mark.parametrize("case", sorted(SPICE_CASES))
def test_spice_hostile_deck(case, tmp_path):
    body, codes = SPICE_CASES[case]
    run = check(edapipe("spice", spice_deck(tmp_path, body), cwd=tmp_path), codes=codes)
    if case == "bsource-unknown-node":
        assert "nosuch" in run.err, run.where()


# ======================================================================================
# Liberty values
# ======================================================================================

LIBERTY_VALUES = {
    "rise-capacitance-nan": ("rise_capacitance : 0.003;", "rise_capacitance : nan;"),
    "capacitance-inf": ("capacitance : 0.001;", "capacitance : inf;"),
    "table-value-nan": ('values ("0.10, 0.20", \\', 'values ("nan, 0.20", \\'),
    "index-1e400": ('index_1 ("0.1, 0.5");', 'index_1 ("0.1, 1e400");'),
    "index-descending": ('index_1 ("0.1, 0.5");', 'index_1 ("0.5, 0.1");'),
    "time-unit-0": ('time_unit : "1ns";', 'time_unit : "0ns";'),
}


@pytest.mark.parametrize("case", sorted(LIBERTY_VALUES))
def test_liberty_bad_values(case, tmp_path):
    old, new = LIBERTY_VALUES[case]
    text = (SEEDS / "cells.lib").read_text()
    assert old in text
    check(edapipe(*sta_with(tmp_path, lib=text.replace(old, new)), cwd=tmp_path),
          codes=(0, 3))


# ======================================================================================
# one exit code per kind of failure: directories and unreadable inputs
# ======================================================================================

def _input_commands(tmp: Path, bad: Path) -> dict[str, list]:
    return {
        "read": ["read", bad],
        "stats": ["stats", bad],
        "cec": ["cec", bad, seed("c17.bench", tmp)],
        "sim": ["sim", bad],
        "sta-netlist": ["sta", bad, "-l", seed("cells.lib", tmp), "--no-cache"],
        "sta-liberty": ["sta", seed("design.vg", tmp), "-l", bad, "--no-cache"],
        "sta-sdc": ["sta", seed("design.vg", tmp), "-l", seed("cells.lib", tmp), "--sdc", bad,
                    "--no-cache"],
        "spice": ["spice", bad],
    }


@pytest.mark.parametrize("cmd", ["read", "stats", "cec", "sim", "sta-netlist", "sta-liberty",
                                 "sta-sdc", "spice"])
def test_directory_as_input_is_bad_input(cmd, tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    check(edapipe(*_input_commands(tmp_path, folder)[cmd], cwd=tmp_path), codes=(3,))


@pytest.mark.parametrize("cmd", ["read", "sta-netlist", "spice"])
def test_unreadable_input_is_bad_input(cmd, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = write(tmp_path, "locked.txt", "x\n")
    path.chmod(0)
    check(edapipe(*_input_commands(tmp_path, path)[cmd], cwd=tmp_path), codes=(3,))


def test_cec_both_from_stdin_is_usage_error(tmp_path):
    data = (SEEDS / "c17.bench").read_bytes()
    run = check(edapipe("cec", "-", "-", cwd=tmp_path, stdin=data), codes=(2,))
    assert "empty" not in run.err, run.where()


# ======================================================================================
# outputs: special files are written through, never replaced; inputs are never overwritten
# ======================================================================================

def _fifo_reader(path: Path, got: list):
    def read():
        with open(path, "rb") as fh:
            got.append(fh.read())
    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t


def test_output_to_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _fifo_reader(fifo, got)
    run = check(edapipe("read", seed("half_adder.aag", tmp_path), "-o", fifo, cwd=tmp_path),
                codes=(0,))
    reader.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced: " + run.where()
    assert got and got[0].startswith(b"aig "), run.where()


def test_output_to_symlink_to_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.aig"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = _fifo_reader(fifo, got)
    run = check(edapipe("read", seed("half_adder.aag", tmp_path), "-o", link, cwd=tmp_path),
                codes=(0,))
    reader.join(10)
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode), run.where()
    assert got and got[0].startswith(b"aig "), run.where()


def test_output_to_character_device(tmp_path):
    dev = tmp_path / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    for args in (["read", seed("half_adder.aag", tmp_path), "-o", dev],
                 ["sta", seed("design.vg", tmp_path), "-l", seed("cells.lib", tmp_path),
                  "--no-cache", "-o", dev]):
        run = check(edapipe(*args, cwd=tmp_path), codes=(0,))
        assert stat.S_ISCHR(os.lstat(dev).st_mode), "the device was replaced: " + run.where()


def test_output_to_symlink_to_regular_file_writes_the_target(tmp_path):
    target = write(tmp_path, "target.aig", b"old")
    link = tmp_path / "link.aig"
    link.symlink_to(target)
    run = check(edapipe("read", seed("half_adder.aag", tmp_path), "-o", link, cwd=tmp_path),
                codes=(0,))
    assert link.is_symlink(), "the symlink was replaced: " + run.where()
    assert target.read_bytes().startswith(b"aig "), run.where()


def test_output_to_dev_fd_1(tmp_path):
    run = check(edapipe("read", seed("half_adder.aag", tmp_path), "-o", "/dev/fd/1",
                        cwd=tmp_path), codes=(0,))
    assert run.out.startswith(b"aig "), run.where()


@pytest.mark.parametrize("target", ["newdir/", "existing", "existing/"])
def test_output_to_a_directory_is_usage_error(target, tmp_path):
    (tmp_path / "existing").mkdir()
    out = f"{tmp_path}/{target}"     # a str: pathlib would drop the trailing slash
    run = check(edapipe("read", seed("half_adder.aag", tmp_path), "-o", out, cwd=tmp_path),
                codes=(2,))
    assert run.err.strip().count("\n") < 3, run.where()


def _same_file_cases(tmp: Path) -> dict[str, tuple[list, Path]]:
    deck = seed("rc_filter.cir", tmp)
    inc = seed("models.inc", tmp)
    # one analysis, so --csv names the file itself (not FILE-stem__op.csv)
    op_deck = write(tmp, "op.cir", "op deck\n.include models.inc\nV1 1 0 1\nR1 1 2 1k\n"
                                   "D1 2 0 dmod\n.op\n.end\n")
    net = seed("design.vg", tmp)
    lib = seed("cells.lib", tmp)
    a = seed("c17.bench", tmp)
    b = write(tmp, "b.bench", a.read_text().replace("G23 = NAND(G16, G19)",
                                                    "G23 = AND(G16, G19)"))
    aag = seed("half_adder.aag", tmp)
    alias = tmp / "alias.aag"
    os.link(aag, alias)
    return {
        "spice-csv-deck": (["spice", deck, "--csv", deck], deck),
        "spice-csv-include": (["spice", op_deck, "--csv", inc], inc),
        "spice-raw-deck": (["spice", deck, "--raw", deck], deck),
        "sta-output-netlist": (["sta", net, "-l", lib, "--no-cache", "-o", net], net),
        "sta-plot-liberty": (["sta", net, "-l", lib, "--no-cache", "-o", tmp / "r.txt",
                              "--plot", lib], lib),
        "cec-cex-input": (["cec", a, b, "--cex", a], a),
        "read-output-input": (["read", aag, "-o", aag], aag),
        "read-output-hardlink": (["read", aag, "-o", alias], aag),
    }


@pytest.mark.parametrize("case", ["spice-csv-deck", "spice-csv-include", "spice-raw-deck",
                                  "sta-output-netlist", "sta-plot-liberty", "cec-cex-input",
                                  "read-output-input", "read-output-hardlink"])
def test_output_that_is_an_input_is_refused(case, tmp_path):
    args, victim = _same_file_cases(tmp_path)[case]
    before = victim.read_bytes()
    run = check(edapipe(*args, cwd=tmp_path), codes=(2,))
    assert victim.read_bytes() == before, "the input was overwritten: " + run.where()


@pytest.mark.parametrize("case", ["spice-csv", "spice-raw", "spice-plot", "cec-cex"])
def test_dash_is_standard_output(case, tmp_path):
    deck = spice_deck(tmp_path, "V1 1 0 PULSE(0 1 1n 1n 1n 5n 10n)\nR1 1 2 1k\nC1 2 0 1p\n"
                                ".tran 1n 10n\n")
    a = seed("c17.bench", tmp_path)
    b = write(tmp_path, "b.bench", a.read_text().replace("G23 = NAND(G16, G19)",
                                                         "G23 = AND(G16, G19)"))
    args, codes = {
        "spice-csv": (["spice", deck, "--csv", "-"], (0,)),
        "spice-raw": (["spice", deck, "--raw", "-"], (0,)),
        "spice-plot": (["spice", deck, "--plot", "-"], (0,)),
        "cec-cex": (["cec", a, b, "--cex", "-"], (1,)),
    }[case]
    run = check(edapipe(*args, cwd=tmp_path), codes=codes)
    assert not (tmp_path / "-").exists(), "a file named '-' was created: " + run.where()
    assert run.out, run.where()


# ======================================================================================
# pipes and full disks
# ======================================================================================

def test_closed_pipe_is_quiet_success(tmp_path):
    n = 100_000
    aag = write(tmp_path, "wide.aag", f"aag 1 1 0 {n} 0\n2\n" + "2\n" * n)
    for args in (["sim", aag], ["read", aag, "-o", "-"]):
        r, w = os.pipe()
        with os.fdopen(w, "wb") as writer:
            h = start(*args, cwd=tmp_path, stdout=writer)
        with os.fdopen(r, "rb") as reader:   # `| head -1`: one line, then the pipe closes
            reader.readline()
        check(finish(h), codes=(0,))


@pytest.mark.parametrize("how", ["option", "stdout"])
def test_full_disk_is_resource_error(how, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    aag = seed("half_adder.aag", tmp_path)
    if how == "option":
        run = edapipe("read", aag, "-o", "/dev/full", cwd=tmp_path)
    else:
        with open("/dev/full", "wb") as full:
            run = edapipe("stats", aag, cwd=tmp_path, stdout=full)
    check(run, codes=(4,))
    assert run.err.strip().count("\n") == 0, run.where()


# ======================================================================================
# numba cache: an unwritable cache folder never sends the cache into the source tree
# ======================================================================================

@pytest.mark.slow
def test_unwritable_numba_cache_stays_out_of_the_package(tmp_path):
    blocker = write(tmp_path, "not-a-folder", "x")
    src = ROOT / "src" / "edapipe"

    def cache_files():
        return {p for p in src.rglob("__pycache__/*") if p.suffix in (".nbi", ".nbc")}

    before = cache_files()
    run = edapipe("opt", "b; rw", seed("c17.bench", tmp_path), "-o", tmp_path / "o.aig",
                  cwd=tmp_path, env={"XDG_CACHE_HOME": str(blocker / "cache")},
                  unset=("NUMBA_CACHE_DIR",), timeout=300)
    assert run.code == 0 and "Traceback" not in run.err, run.where()
    assert cache_files() == before, "numba cache files appeared under src/edapipe"
    warned = [line for line in run.err.splitlines() if "cache" in line.lower()]
    assert len(warned) == 1, "warn once: " + run.where()
