"""Shared by the format tests: benchmark lists, function comparison by names, random AIGs,
random corruptions, and ABC confirmation of written files."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

from edapipe.aig import sim
from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.aig.io import FORMATS, dump, parse, read
from edapipe.errors import InputError
from tests.conftest import BENCHMARKS, need

EPFL = BENCHMARKS / "epfl"
ISCAS85 = BENCHMARKS / "iscas85"
ISCAS89 = BENCHMARKS / "iscas89"

SMALL_EPFL = ["ctrl", "cavlc", "int2float", "router", "dec", "i2c", "adder", "priority"]
SMALL_ISCAS85 = ["c17", "c432", "c499", "c880", "c1355"]
SMALL_ISCAS89 = ["s27", "s298", "s400", "s526", "s1196", "s5378"]


def _paths(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def default_circuits() -> list[Path]:
    return ([EPFL / f"{n}.aig" for n in SMALL_EPFL] + [EPFL / "ctrl.v", EPFL / "i2c.v"]
            + [ISCAS85 / f"{n}.bench" for n in SMALL_ISCAS85]
            + [ISCAS89 / f"{n}.bench" for n in SMALL_ISCAS89])


def all_circuits() -> list[Path]:
    return (_paths(EPFL, "*.aig") + _paths(EPFL, "*.v") + _paths(ISCAS85, "*.bench")
            + _paths(ISCAS89, "*.bench"))


def circuit_params(slow_rest: bool = True):
    """Default circuits as plain params, every other one marked slow."""
    default = default_circuits()
    params = [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in default]
    if slow_rest:
        params += [pytest.param(p, id=f"{p.parent.name}/{p.name}", marks=pytest.mark.slow)
                   for p in all_circuits() if p not in default]
    return params


def load(path: Path) -> Aig:
    return read(need(path))


# ---- comparing ---------------------------------------------------------------------------

def ci_names(aig: Aig) -> list[str]:
    return ([aig.input_name(k) for k in range(aig.num_inputs)]
            + [aig.latch_name(k) for k in range(aig.num_latches)])


def co_values(aig: Aig, patterns: dict[str, np.ndarray], n_words: int, seed: int) -> dict:
    """Values of outputs (by name) and latch next states (by latch name) under `patterns`
    (CI name -> words); CIs missing from `patterns` get random words of their own."""
    rng = np.random.default_rng(seed + 1)
    rows = []
    for name in ci_names(aig):
        row = patterns.get(name)
        if row is None:
            row = rng.integers(0, 2**64 - 1, size=n_words, dtype=np.uint64, endpoint=True)
        rows.append(row)
    words = np.array(rows, dtype=np.uint64).reshape(aig.num_cis, n_words)
    values = sim.simulate_words(aig, words)
    outs = sim.literal_words(aig, values, aig.outputs)
    nxt = sim.literal_words(aig, values, aig.latch_next)
    result = {("o", aig.output_name(k)): outs[k] for k in range(aig.num_outputs)}
    result.update({("l", aig.latch_name(k)): nxt[k] for k in range(aig.num_latches)})
    return result


def assert_same_function(ref: Aig, other: Aig, *, n_words: int = 8, seed: int = 7,
                         inits: bool = True) -> None:
    """Same outputs and latch next-state functions, matched by name, over random patterns
    given to the CIs by name; also the same latch reset values (when `inits`)."""
    rng = np.random.default_rng(seed)
    patterns = {name: rng.integers(0, 2**64 - 1, size=n_words, dtype=np.uint64,
                                   endpoint=True) for name in ci_names(ref)}
    a = co_values(ref, patterns, n_words, seed)
    b = co_values(other, patterns, n_words, seed)
    assert set(a) == set(b), "outputs/latches differ by name"
    bad = [key for key in a if not np.array_equal(a[key], b[key])]
    assert not bad, f"functions differ at {bad[:5]}"
    if inits:
        ref_init = {ref.latch_name(k): int(x) for k, x in enumerate(ref.latch_init)}
        oth_init = {other.latch_name(k): int(x) for k, x in enumerate(other.latch_init)}
        assert ref_init == oth_init


def assert_same_interface(ref: Aig, other: Aig) -> None:
    assert (other.num_inputs, other.num_outputs, other.num_latches) == \
        (ref.num_inputs, ref.num_outputs, ref.num_latches)
    assert [other.input_name(k) for k in range(other.num_inputs)] == \
        [ref.input_name(k) for k in range(ref.num_inputs)]
    assert [other.output_name(k) for k in range(other.num_outputs)] == \
        [ref.output_name(k) for k in range(ref.num_outputs)]
    assert [other.latch_name(k) for k in range(other.num_latches)] == \
        [ref.latch_name(k) for k in range(ref.num_latches)]


def assert_same_truth(ref: Aig, other: Aig) -> None:
    """Exact check for small AIGs with the same CI order (random AIG round trips)."""
    assert_same_interface(ref, other)
    assert np.array_equal(sim.truth_tables(ref), sim.truth_tables(other))
    assert other.latch_init.tolist() == ref.latch_init.tolist()


def round_trip(aig: Aig, fmt: str) -> Aig:
    data = dump(aig, fmt)
    assert isinstance(data, bytes)
    return parse(data, f"written.{fmt}", fmt)


# ---- proofs ------------------------------------------------------------------------------

def cec_confirms(ref: Aig, other: Aig) -> None:
    """The project's own `cec` proves the two the same (matched by name, combinational over
    matched latches, as ABC's `cec`): the judge when ABC is not installed."""
    from edapipe.verify.cec import check_equivalence

    res = check_equivalence(ref, other)
    assert res.equivalent is True, (res.equivalent, res.failing[:5], res.undecided[:5])


# ---- ABC ---------------------------------------------------------------------------------

def abc_confirms(abc: str, original: Path, written: Path, sequential: bool) -> None:
    """ABC `cec` of the written file against the original (for sequential circuits ABC
    compares the combinational parts over matched latches)."""
    proc = subprocess.run([abc, "-c", f"cec {original} {written}"], capture_output=True,
                          text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-2000:]
    assert "are equivalent" in out, out[-2000:]
    assert "NOT EQUIVALENT" not in out.upper() or "are equivalent" in out


def abc_reads(abc: str, path: Path, tmp: Path) -> Aig:
    """ABC's reading of `path`, strashed and written as AIGER with names, read back here."""
    target = tmp / (path.stem + ".abc.aig")
    proc = subprocess.run([abc, "-c", f"read {path}; strash; write_aiger -s {target}"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and target.exists(), proc.stdout + proc.stderr
    return read(target)


# ---- random AIGs -------------------------------------------------------------------------

@st.composite
def random_aigs(draw, max_inputs: int = 6, max_latches: int = 3, max_gates: int = 30,
                inits=(0, 1, LATCH_INIT_X), named: bool | None = None) -> Aig:
    n_in = draw(st.integers(0, max_inputs))
    n_lat = draw(st.integers(0, max_latches))
    use_names = draw(st.booleans()) if named is None else named
    b = AigBuilder(name=draw(st.sampled_from([None, "top", "my_circuit"])))
    lits = [0, 1]
    for k in range(n_in):
        lits.append(b.add_input(f"x{k}" if use_names else None))
    latches = []
    for k in range(n_lat):
        idx = b.add_latch(f"q{k}" if use_names else None, init=draw(st.sampled_from(inits)))
        latches.append(idx)
        lits.append(b.latch_lit(idx))
    n_gates = draw(st.integers(0, max_gates))
    for _ in range(n_gates):
        op = draw(st.sampled_from(["and", "or", "xor", "mux"]))
        pick = st.sampled_from(lits)
        a, c = draw(pick) ^ draw(st.integers(0, 1)), draw(pick) ^ draw(st.integers(0, 1))
        if op == "and":
            lits.append(b.and_(a, c))
        elif op == "or":
            lits.append(b.or_(a, c))
        elif op == "xor":
            lits.append(b.xor_(a, c))
        else:
            lits.append(b.mux(draw(pick), a, c))
    n_out = draw(st.integers(0 if (n_lat or n_in) else 1, 5))
    for k in range(n_out):
        b.add_output(draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)),
                     f"y{k}" if use_names else None)
    for idx in latches:
        b.set_latch_next(idx, draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)))
    return b.build()


# ---- corruptions -------------------------------------------------------------------------

@st.composite
def corruptions(draw, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "flip", "delete_line", "duplicate_line",
                                 "insert", "swap_lines"]))
    if not data:
        return data
    if kind == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    if kind == "flip":
        pos = draw(st.integers(0, len(data) - 1))
        return data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1:]
    if kind == "insert":
        pos = draw(st.integers(0, len(data)))
        return data[:pos] + draw(st.binary(min_size=1, max_size=8)) + data[pos:]
    lines = data.split(b"\n")
    k = draw(st.integers(0, len(lines) - 1))
    if kind == "delete_line":
        del lines[k]
    elif kind == "duplicate_line":
        lines.insert(k, lines[k])
    else:
        j = draw(st.integers(0, len(lines) - 1))
        lines[k], lines[j] = lines[j], lines[k]
    return b"\n".join(lines)


def parse_or_input_error(data: bytes, fmt: str) -> None:
    """Parsing may succeed or raise InputError, nothing else."""
    try:
        parse(data, f"corrupt.{fmt}", fmt)
    except InputError as exc:
        assert exc.exit_code == 3
        assert "\n" not in str(exc), str(exc)


def assert_input_error(data: bytes | str, fmt: str, *words: str, line: int | None = None):
    """The format's own reader refuses `data` with an InputError (exit 3) whose message has
    file:line and words. (io.parse would hand Verilog it refuses to the RTL frontend.)"""
    if isinstance(data, str):
        data = data.encode()
    spec = FORMATS[fmt]
    reader = getattr(importlib.import_module(spec.module), spec.parse)
    with pytest.raises(InputError) as info:
        reader(data, f"bad.{fmt}")
    exc = info.value
    msg = str(exc)
    assert exc.exit_code == 3
    assert exc.line is not None, msg
    assert msg.startswith(f"bad.{fmt}:{exc.line}"), msg
    if line is not None:
        assert exc.line == line, msg
    assert "\n" not in msg
    for w in words:
        assert w in msg, msg
    return exc
