"""Tri-state nets: continuous assignments that give `z` (`assign y = en ? d : 'bz;`).

Each such driver gives every bit an enable and a value. A net's bit resolves to the OR of
`enable & value` over its drivers, which is the multiplexer that several drivers of a bus
make when their enables are exclusive (Yosys's `tribuf -logic`); where no driver is enabled
the bus floats (z) and reads 0, as every x/z of this frontend does. An `inout` port of the
top module also sees the outside: its bits read `enable ? value : <the pad input>`, and the
port becomes an input (the pad) plus the outputs `<name>$o` and `<name>$oe` (what the module
drives and when), as a pad cell would need them.
"""

from __future__ import annotations

from edapipe.errors import excerpt
from edapipe.synth.rtl import bitvec as bv
from edapipe.synth.rtl.elaborate import Bad, Driver, Signal


def has_z(el, e) -> bool:
    """Whether an expression gives z bits on some path (in the forms a tri-state takes:
    z constants under conditionals, concatenations, replications and conversions)."""
    EK = el.A.ExpressionKind
    k = e.kind
    if k in (EK.IntegerLiteral, EK.UnbasedUnsizedIntegerLiteral):
        v = e.value
        return isinstance(v, el.ps.SVInt) and v.hasUnknown and "z" in _bits_text(el, v)
    if k == EK.Conversion:
        return has_z(el, e.operand)
    if k == EK.ConditionalOp:
        return has_z(el, e.left) or has_z(el, e.right)
    if k == EK.Concatenation:
        return any(has_z(el, o) for o in e.operands)
    if k == EK.Replication:
        return has_z(el, e.concat)
    return False


def _bits_text(el, sv) -> str:
    """An SVInt's bits as text, MSB first, lower-case (0, 1, x, z)."""
    s = sv.toString(el.ps.LiteralBase.Binary, False).lstrip("-").lower()
    return s.rjust(sv.bitWidth, "0")


def tri_ev(el, e, fr):
    """(enables, values) of an expression, LSB first, of the expression's width."""
    A = el.A
    EK = A.ExpressionKind
    width = e.type.bitWidth
    if not has_z(el, e):
        return [1] * width, bv.extend(el.ev(e, fr), width, e.type.isSigned)
    k = e.kind
    if k in (EK.IntegerLiteral, EK.UnbasedUnsizedIntegerLiteral):
        text = _bits_text(el, e.value)[::-1]
        fill = text[-1] if text[-1] in "xz" else "0"
        text = (text + fill * width)[:width]
        return [0 if ch == "z" else 1 for ch in text], [1 if ch == "1" else 0 for ch in text]
    if k == EK.Conversion:
        en, val = tri_ev(el, e.operand, fr)
        val = bv.extend(val, width, e.operand.type.isSigned)
        # wider: the extension bits float with the top bit (an unsized 'bz fills with z)
        en = (en + [en[-1]] * width)[:width]
        return en, val
    if k == EK.ConditionalOp:
        conds = list(e.conditions)
        if len(conds) != 1 or conds[0].pattern is not None:
            raise el.error("pattern-matching ?: is not supported", e)
        c = el.truth(el.ev(conds[0].expr, fr))
        te, tv = tri_ev(el, e.left, fr)
        fe, fv = tri_ev(el, e.right, fr)
        return bv.mux(el.b, c, te, fe), bv.mux(el.b, c, tv, fv)
    if k == EK.Concatenation:
        en, val = [], []
        for o in reversed(list(e.operands)):      # operands are MSB first
            oe, ov = tri_ev(el, o, fr)
            en += oe
            val += ov
        return en, val
    if k == EK.Replication:
        n = el.const_int(e.count, fr)
        oe, ov = tri_ev(el, e.concat, fr)
        el.check_width(n * len(ov), e)
        return oe * n, ov * n
    raise el.error("unsupported tri-state expression", e)


class TriAssignDriver(Driver):
    """A continuous assignment that gives z: it drives the enable and value proxies of its
    targets (each target bit's TriNet combines them with the other drivers')."""

    __slots__ = ("ctx", "rhs", "enables", "values")

    def __init__(self, where, ctx, rhs, width):
        super().__init__(where)
        self.ctx, self.rhs = ctx, rhs
        self.enables = Signal("<tri enable>", width, False, None, None, local=True)
        self.values = Signal("<tri value>", width, False, None, None, local=True)
        self.enables.bits = [self] * width
        self.values.bits = [self] * width

    def run(self, el):
        en, val = tri_ev(el, self.rhs, el.static_frame(self.ctx))
        n = self.values.width
        signed = self.rhs.type.isSigned
        self.values.bits = bv.extend(val, n, signed)
        self.enables.bits = (en + [en[-1] if en else 1] * n)[:n]


class TriNet(Driver):
    """One bit of a net with tri-state drivers: OR of enable & value over the drivers, or,
    for a top-level inout, the pad's value where no driver is enabled."""

    __slots__ = ("sig", "i", "inputs", "pad", "enable", "value")

    def __init__(self, where, sig, i):
        super().__init__(where)
        self.sig, self.i, self.inputs = sig, i, []
        self.pad = None            # the input literal of a top-level inout bit
        self.enable = self.value = None

    def run(self, el):
        b = el.b
        ens = [el.bit(d.enables, k) for d, k in self.inputs]
        terms = [b.and_(e, el.bit(d.values, k)) for e, (d, k) in zip(ens, self.inputs)]
        self.enable = b.or_n(ens)
        self.value = b.or_n(terms)
        if len(self.inputs) > 1:
            el.warn(f"tri-state net '{excerpt(self.sig.name)}' with {len(self.inputs)} drivers "
                    "becomes logic: their enables are taken as exclusive (OR of the enabled "
                    "values), and an undriven bus reads 0", self.where)
        bit = self.value
        if self.pad is not None:
            bit = el.mux_bit(self.enable, self.value, self.pad)
        self.sig.bits[self.i] = bit


def add_tri_assign(el, ctx, targets, rhs, where):
    """Claim the targets of a continuous assignment that gives z through their TriNets."""
    d = TriAssignDriver(where, ctx, rhs, len(targets))
    el.drivers.append(d)
    for k, (sig, i) in enumerate(targets):
        cur = sig.bits[i]
        if cur is None:
            cur = sig.bits[i] = TriNet(where, sig, i)
        if isinstance(cur, TriNet):
            cur.inputs.append((d, k))
        elif not isinstance(cur, Bad):
            sig.bits[i] = Bad(f"'{excerpt(sig.name)}' has a tri-state driver and another "
                              "driver", where)
