"""Operators on bit-vectors of AIG literals (LSB first), with Verilog's width and sign rules.

A vector is a Python list of literals of an `AigBuilder`; bit 0 is the least significant.
Callers extend operands to the width the expression context determines (slang's bound tree
already says which: see elaborate.py), so the arithmetic here works on equal widths and
truncates to the result width, as Verilog does. Constant operands fold in the builder.
"""

from __future__ import annotations

from edapipe.aig.builder import AigBuilder

Vec = list  # list[int]


def _charge(b, n: int) -> None:
    """Count n calls of the builder's and_ (about what the gates of an operation take)
    against its work budget, if it keeps one (the RTL elaborator's does: folded constants
    make no node but still take time)."""
    charge = getattr(b, "charge", None)
    if charge is not None:
        charge(n)


def const(value: int, width: int) -> Vec:
    return [(value >> i) & 1 for i in range(width)]


def to_int(vec: Vec, signed: bool = False) -> int | None:
    """The value of an all-constant vector, else None."""
    value = 0
    for i, lit in enumerate(vec):
        if lit > 1:
            return None
        value |= lit << i
    if signed and vec and vec[-1] == 1:
        value -= 1 << len(vec)
    return value


def extend(vec: Vec, width: int, signed: bool) -> Vec:
    n = len(vec)
    if n >= width:
        return vec[:width]
    fill = vec[-1] if (signed and n) else 0
    return vec + [fill] * (width - n)


def truth(b: AigBuilder, vec: Vec) -> int:
    """A vector as a condition: nonzero."""
    return b.or_n(vec)


def bnot(vec: Vec) -> Vec:
    return [lit ^ 1 for lit in vec]


def band(b, x: Vec, y: Vec) -> Vec:
    _charge(b, len(x))
    and_ = b.and_
    return [and_(p, q) for p, q in zip(x, y)]


def bor(b, x: Vec, y: Vec) -> Vec:
    _charge(b, 2 * len(x))
    or_ = b.or_
    return [or_(p, q) for p, q in zip(x, y)]


def bxor(b, x: Vec, y: Vec) -> Vec:
    _charge(b, 4 * len(x))
    xor_ = b.xor_
    return [xor_(p, q) for p, q in zip(x, y)]


def mux(b, sel: int, then: Vec, other: Vec) -> Vec:
    if sel <= 1:
        return list(then) if sel == 1 else list(other)
    _charge(b, 4 * len(then))
    m = b.mux
    return [t if t == e else m(sel, t, e) for t, e in zip(then, other)]


def _both_const(x: Vec, y: Vec, b=None) -> tuple[int, int] | None:
    """Both vectors' values when both are all-constant (the builder would fold every gate
    to the same constants, one Python call at a time: loop counters are this case)."""
    a = to_int(x)
    if a is None:
        return None
    c = to_int(y)
    if c is None:
        return None
    if b is not None:
        _charge(b, (len(x) + len(y)) // 4)      # Python int work, cheaper than gates
    return a, c


def add(b, x: Vec, y: Vec, cin: int = 0) -> Vec:
    if cin <= 1:
        both = _both_const(x, y, b)
        if both is not None:
            n = min(len(x), len(y))
            return const(both[0] + both[1] + cin, n)
    _charge(b, 12 * len(x))
    out = []
    carry = cin
    xor_, and_, or_ = b.xor_, b.and_, b.or_
    for p, q in zip(x, y):
        t = xor_(p, q)
        out.append(xor_(t, carry))
        carry = or_(and_(p, q), and_(t, carry))
    return out


def add_carry(b, x: Vec, y: Vec, cin: int = 0) -> tuple[Vec, int]:
    if cin <= 1:
        both = _both_const(x, y, b)
        if both is not None:
            n = min(len(x), len(y))
            mask = (1 << n) - 1
            total = (both[0] & mask) + (both[1] & mask) + cin
            return const(total, n), (total >> n) & 1
    _charge(b, 12 * len(x))
    out = []
    carry = cin
    xor_, and_, or_ = b.xor_, b.and_, b.or_
    for p, q in zip(x, y):
        t = xor_(p, q)
        out.append(xor_(t, carry))
        carry = or_(and_(p, q), and_(t, carry))
    return out, carry


def sub(b, x: Vec, y: Vec) -> Vec:
    return add(b, x, bnot(y), 1)


def neg(b, x: Vec) -> Vec:
    return add(b, [0] * len(x), bnot(x), 1)


def mul(b, x: Vec, y: Vec) -> Vec:
    """x * y truncated to len(x) (operands already at the result width)."""
    width = len(x)
    both = _both_const(x, y, b)
    if both is not None:
        return const(both[0] * both[1], width)
    if to_int(x) is not None and to_int(y) is None:
        x, y = y, x
    acc = [0] * width
    for i, q in enumerate(y[:width]):
        if q == 0:
            continue
        part = [0] * i + [b.and_(p, q) for p in x[:width - i]]
        acc = add(b, acc, part)
    return acc


def ult(b, x: Vec, y: Vec) -> int:
    """x < y, unsigned: the borrow of x - y."""
    _, carry = add_carry(b, x, bnot(y), 1)
    return carry ^ 1


def slt(b, x: Vec, y: Vec) -> int:
    if not x:
        return 0
    # Flip the sign bits and compare unsigned.
    return ult(b, x[:-1] + [x[-1] ^ 1], y[:-1] + [y[-1] ^ 1])


def eq(b, x: Vec, y: Vec) -> int:
    both = _both_const(x, y, b)
    if both is not None:
        n = min(len(x), len(y))
        mask = (1 << n) - 1
        return int(both[0] & mask == both[1] & mask)
    _charge(b, 6 * len(x))
    return b.and_n([b.xnor_(p, q) for p, q in zip(x, y)])


def eq_const(b, x: Vec, value: int) -> int:
    _charge(b, len(x))
    return b.and_n([lit if (value >> i) & 1 else lit ^ 1 for i, lit in enumerate(x)]) \
        if value >> len(x) == 0 else 0


def _udivmod_wide(b, x: Vec, y: Vec) -> tuple[Vec, Vec]:
    # Keep one extra bit for the partial remainder so the shift never loses a bit.
    width = len(x)
    xe, ye = x + [0], y + [0]
    rem = [0] * (width + 1)
    quot = [0] * width
    for i in range(width - 1, -1, -1):
        rem = [xe[i]] + rem[:-1]
        diff, carry = add_carry(b, rem, bnot(ye), 1)
        quot[i] = carry
        rem = mux(b, carry, diff, rem)
    return quot, rem[:width]


def _divmod_const(xv: int, yv: int, n: int, signed: bool) -> tuple[Vec, Vec]:
    """divmod_ of constants: what its gates fold to, without n*n folded gates (including
    division by zero: an all-ones quotient and the dividend as the remainder)."""
    mask = (1 << n) - 1
    xv &= mask
    yv &= mask
    sx = sy = 0
    if signed and n:
        sx, sy = xv >> (n - 1), yv >> (n - 1)
        if sx:
            xv = -xv & mask
        if sy:
            yv = -yv & mask
    q, r = (xv // yv, xv % yv) if yv else (mask, xv)
    if sx ^ sy:
        q = -q & mask
    if sx:
        r = -r & mask
    return const(q, n), const(r, n)


def divmod_(b, x: Vec, y: Vec, signed: bool) -> tuple[Vec, Vec]:
    """Verilog / and % (truncating towards zero; the remainder takes the dividend's sign)."""
    if len(x) == len(y):
        both = _both_const(x, y, b)
        if both is not None:
            return _divmod_const(both[0], both[1], len(x), signed)
    if not signed:
        return _udivmod_wide(b, x, y)
    sx, sy = x[-1], y[-1]
    ax = mux(b, sx, neg(b, x), x)
    ay = mux(b, sy, neg(b, y), y)
    q, r = _udivmod_wide(b, ax, ay)
    qs = b.xor_(sx, sy)
    return mux(b, qs, neg(b, q), q), mux(b, sx, neg(b, r), r)


def shift(b, x: Vec, amount: Vec, left: bool, fill: int = 0) -> Vec:
    """Barrel shift of x by an unsigned amount; shifting by width or more gives all `fill`."""
    width = len(x)
    k = to_int(amount)
    if k is not None:
        if k >= width:
            return [fill] * width
        return ([0] * k + x[:width - k]) if left else (x[k:] + [fill] * k)
    out = list(x)
    big = 0
    for i, s in enumerate(amount):
        step = 1 << i
        if step >= width:
            big = b.or_(big, s)
            continue
        if left:
            moved = [0] * step + out[:width - step]
        else:
            moved = out[step:] + [fill] * step
        out = mux(b, s, moved, out)
    if big:
        out = mux(b, big, [fill] * width, out)
    return out


def decode(b, index: Vec, count: int) -> list[int]:
    """One-hot decode of an unsigned index into `count` select lines (shared prefixes)."""
    lines = [1]
    for i, s in enumerate(index):
        if (1 << i) >= count:
            # Higher index bits must be zero for any line to be selected.
            rest = b.or_n(index[i:])
            return [b.and_(line, rest ^ 1) for line in lines[:count]]
        _charge(b, 2 * len(lines))
        nxt = []
        for line in lines:
            nxt.append(b.and_(line, s ^ 1))
        for line in lines:
            nxt.append(b.and_(line, s))
        lines = nxt
    return (lines + [0] * count)[:count]


def select_word(b, words: list[Vec], index: Vec, width: int) -> Vec:
    """words[index] by a mux tree over the index bits; out of range gives zeros."""
    k = to_int(index)
    if k is not None:
        return list(words[k]) if k < len(words) else [0] * width
    level = list(words)
    for i, s in enumerate(index):
        if len(level) == 1 and (1 << i) >= len(words):
            rest = b.or_n(index[i:])
            return [b.and_(lit, rest ^ 1) for lit in level[0]]
        if len(level) % 2:
            level.append([0] * width)
        level = [mux(b, s, level[j + 1], level[j]) for j in range(0, len(level), 2)]
    return level[0] if len(words) else [0] * width
