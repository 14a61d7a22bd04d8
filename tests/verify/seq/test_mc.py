"""The shared model-checking set (../shared/benchmarks/mc): the verdict of the problem's
authors and of ABC, every witness replayed by the independent replayer, every proof checked
as a certificate. The quick instances run by default, all of them under `slow`."""

from __future__ import annotations

import csv

import pytest

from edapipe.aig.io import read
from edapipe.verify.seq.certificate import build_certificate, check_certificate
from edapipe.verify.seq.model import property_names
from edapipe.verify.seq.prove import ProveParams, prove
from edapipe.verify.seq.result import FAILS, HOLDS, UNDECIDED, witness_text
from tests.conftest import BENCHMARKS, PEERS, need
from tests.verify.seq.oracle import replay_witness

MC = BENCHMARKS / "mc"
QUICK = ["latch", "false", "cnt1e", "shift-10101010", "unary-counter-maximum-8",
         "traffic-light-cycle-prescale-bits-8", "multiplication-commutativity-4",
         "petersons-algorithm-2-threads-2-cores", "tic-tac-toe-3x3-at-most-one-winner",
         "root-of-x2minus50xplus625-8", "prime-factorization-60466176"]
ALL = sorted(p.stem for p in MC.glob("*.aig")) if MC.is_dir() else QUICK


def expected() -> dict[str, str]:
    table = need(PEERS / "seq" / "abc_mc.csv")
    with open(table) as fh:
        return {row["name"]: row["expected"] for row in csv.DictReader(fh)}


def judge(name: str, params: ProveParams) -> str:
    aig = read(need(MC / f"{name}.aig"))
    want = expected()[name]
    (r,) = prove(aig, params)
    if r.status == UNDECIDED:
        return r.status
    assert r.status == {"SAT": FAILS, "UNSAT": HOLDS}[want], (name, r.result)
    if r.status == FAILS:
        assert replay_witness(aig, witness_text(r.result.trace, 0)) == [0]
    elif r.result.invariant is not None:
        cert = build_certificate(aig, {0: r.result.invariant}, property_names(aig))
        assert all(c.ok for c in check_certificate(aig, cert))
    return r.status


@pytest.mark.parametrize("name", QUICK)
@pytest.mark.parametrize("engine", ["pdr", "auto"])
def test_quick_instances(name, engine):
    status = judge(name, ProveParams(engine=engine, need_invariant=True))
    assert status != UNDECIDED


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_whole_set_within_limits(name):
    """Same verdict as the authors (and ABC) whenever we answer, 5 CPU seconds each."""
    judge(name, ProveParams(engine="auto", cpu_limit=5.0, need_invariant=True))
