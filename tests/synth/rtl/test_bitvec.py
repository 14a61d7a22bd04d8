"""bitvec operators against Python integers, exhaustively at small widths."""

from __future__ import annotations

import itertools

import pytest

from edapipe.aig.builder import AigBuilder
from edapipe.synth.rtl import bitvec as bv
from tests.synth.rtl.simulate import evaluate

W = 4
MASK = (1 << W) - 1


def signed(v: int) -> int:
    return v - (1 << W) if v >> (W - 1) else v


def trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def build(fn):
    """An AIG with inputs x[W], y[W] and the vector fn(b, x, y) as outputs o[i]."""
    b = AigBuilder()
    x = [b.add_input(f"x[{i}]") for i in range(W)]
    y = [b.add_input(f"y[{i}]") for i in range(W)]
    out = fn(b, x, y)
    if isinstance(out, int):
        out = [out]
    for i, lit in enumerate(out):
        b.add_output(lit, f"o[{i}]")
    return b.build(), len(out)


def run(aig, n, xv, yv):
    ins = {f"x[{i}]": (xv >> i) & 1 for i in range(W)}
    ins.update({f"y[{i}]": (yv >> i) & 1 for i in range(W)})
    out = evaluate(aig, ins)
    return sum(out[f"o[{i}]"] << i for i in range(n))


CASES = {
    "add": (lambda b, x, y: bv.add(b, x, y), lambda a, c: (a + c) & MASK),
    "sub": (lambda b, x, y: bv.sub(b, x, y), lambda a, c: (a - c) & MASK),
    "mul": (lambda b, x, y: bv.mul(b, x, y), lambda a, c: (a * c) & MASK),
    "neg": (lambda b, x, y: bv.neg(b, x), lambda a, c: -a & MASK),
    "ult": (lambda b, x, y: bv.ult(b, x, y), lambda a, c: int(a < c)),
    "slt": (lambda b, x, y: bv.slt(b, x, y), lambda a, c: int(signed(a) < signed(c))),
    "eq": (lambda b, x, y: bv.eq(b, x, y), lambda a, c: int(a == c)),
    "udiv": (lambda b, x, y: bv.divmod_(b, x, y, False)[0],
             lambda a, c: a // c if c else MASK),
    "umod": (lambda b, x, y: bv.divmod_(b, x, y, False)[1], lambda a, c: a % c if c else a),
    "sdiv": (lambda b, x, y: bv.divmod_(b, x, y, True)[0],
             lambda a, c: trunc_div(signed(a), signed(c)) & MASK if c else None),
    "smod": (lambda b, x, y: bv.divmod_(b, x, y, True)[1],
             lambda a, c: (signed(a) - trunc_div(signed(a), signed(c)) * signed(c)) & MASK
             if c else None),
    "shl": (lambda b, x, y: bv.shift(b, x, y, True), lambda a, c: (a << c) & MASK),
    "shr": (lambda b, x, y: bv.shift(b, x, y, False), lambda a, c: a >> c),
    "sar": (lambda b, x, y: bv.shift(b, x, y, False, x[-1]),
            lambda a, c: (signed(a) >> c) & MASK),
    "select": (lambda b, x, y: bv.select_word(b, [[b_] for b_ in x], y, 1),
               lambda a, c: (a >> c) & 1 if c < W else 0),
    "decode": (lambda b, x, y: bv.decode(b, y, W), lambda a, c: (1 << c) if c < W else 0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_operator_exhaustive(name):
    fn, ref = CASES[name]
    aig, n = build(fn)
    for a, c in itertools.product(range(1 << W), repeat=2):
        want = ref(a, c)
        if want is None:
            continue
        assert run(aig, n, a, c) == want, (name, a, c)


def test_constants_fold():
    b = AigBuilder()
    assert bv.add(b, bv.const(5, 4), bv.const(7, 4)) == bv.const(12, 4)
    assert bv.to_int(bv.mul(b, bv.const(3, 6), bv.const(9, 6))) == 27
    assert bv.to_int(bv.const(0b1010, 4), signed=True) == -6
    assert b.build().num_ands == 0
