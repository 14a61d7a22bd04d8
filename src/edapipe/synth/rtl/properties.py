"""Assertions of the RTL as AIGER 1.9 properties (what `read_verilog -formal` gives Yosys).

- An immediate `assert (e)` / `assume (e)` inside an always block (also `assert final` and
  `assert #0`) is checked in every cycle in which the statement is reached: it becomes the
  bad state `reached & !e` (assert) or the invariant constraint `!reached | e` (assume),
  where `reached` is the path condition of its if/case branches. Expressions read what the
  block sees there: the flops' current values and the block's earlier blocking writes.
- `assert property (e)` / `assume property (e)`, with an optional `@(posedge clk)`, of a
  same-cycle boolean expression, at module level or inside an always block, is the same.
- `restrict property` is an assumption, as in Yosys.
- `cover` is ignored with a warning (it cannot change an assertion's verdict). Sequences,
  implications, `disable iff` and anything else are located errors, as are assertions in
  initial blocks, functions and asynchronous reset branches, and action blocks other than
  $display-like system tasks.

Bad states and constraints are added in source order, so `prove`'s property b<j> is the
j-th assertion of the design.
"""

from __future__ import annotations


def add_concurrent(el, ctx, pb) -> None:
    """A module-level `assert property`: evaluated once every scope is known."""
    el.assertion_blocks.append(("concurrent", ctx, pb))


def has_assertion(stmt) -> bool:
    found = []
    stmt.visit(lambda n: found.append(1) if "Assertion" in str(getattr(n, "kind", "")) else None)
    return bool(found)


def add_block(el, blk, stmt) -> None:
    """Remember a clocked block that holds assertions: it must run even when nobody reads
    what it assigns."""
    if el.track_guards and has_assertion(stmt):
        el.assertion_blocks.append(("flop", blk, None))


def immediate(el, s, fr) -> None:
    """An ImmediateAssertion statement executed in frame `fr`."""
    _statement(el, s, fr, lambda: s.cond)


def concurrent(el, s, fr) -> None:
    """A ConcurrentAssertion statement (procedural, or a module-level one in `fr`)."""
    _statement(el, s, fr, lambda: _same_cycle(el, s.propertySpec, s))


def _statement(el, s, fr, cond) -> None:
    AK = el.A.AssertionKind
    _where_ok(el, s, fr)
    if s.assertionKind in (AK.CoverProperty, AK.CoverSequence):
        el.warn("cover statement ignored (edapipe checks assert and assume)", s)
        return
    if s.assertionKind not in (AK.Assert, AK.Assume, AK.Restrict):
        raise el.error(f"unsupported assertion kind {str(s.assertionKind).split('.')[-1]}", s)
    for action in (s.ifTrue, s.ifFalse):
        _check_action(el, action)
    ok = el.truth(el.ev(cond(), fr))
    _record(el, s.assertionKind != AK.Assert, fr.guard, ok, s)


def _same_cycle(el, spec, s):
    """The boolean expression of a property `[@(posedge clk)] e`."""
    XK = el.A.AssertionExprKind
    TK = el.A.TimingControlKind
    if spec.kind == XK.Clocking:
        clk = spec.clocking
        if clk.kind != TK.SignalEvent or clk.edge != el.A.EdgeKind.PosEdge:
            raise el.error("a property's clock must be @(posedge signal)", s)
        spec = spec.expr
    if spec.kind != XK.Simple or spec.repetition is not None:
        raise el.error("only same-cycle boolean properties are supported (no sequences, "
                       "implications or disable iff)", s)
    return spec.expr


def _where_ok(el, s, fr) -> None:
    if fr.mode not in ("comb", "ff"):
        raise el.error("an assertion outside an always block or module-level assert "
                       "property is not supported", s)
    if fr.guard is None:
        raise el.error("an assertion inside an asynchronous reset branch is not supported", s)


def _check_action(el, stmt) -> None:
    """Action blocks may only report ($error, $display, ...): they change no state."""
    A = el.A
    SK = A.StatementKind
    if stmt is None or stmt.kind == SK.Empty:
        return
    if stmt.kind == SK.Block:
        return _check_action(el, stmt.body)
    if stmt.kind == SK.List:
        for x in stmt.list:
            _check_action(el, x)
        return
    e = getattr(stmt, "expr", None)
    if (stmt.kind == SK.ExpressionStatement and e.kind == A.ExpressionKind.Call
            and e.isSystemCall):
        return
    raise el.error("an assertion's action block may only call system tasks ($error, "
                   "$display, ...)", stmt)


def _record(el, assume: bool, guard: int, ok: int, s) -> None:
    b = el.b
    lit = b.or_(guard ^ 1, ok) if assume else b.and_(guard, ok ^ 1)
    f, line, col = el.loc(s)
    el.properties.append((f, line or 0, col or 0, len(el.properties), assume, lit))


def run_blocks(el) -> None:
    """Run the clocked blocks with assertions and evaluate module-level properties."""
    from edapipe.synth.rtl.elaborate import Frame

    for kind, x, pb in el.assertion_blocks:
        if kind == "flop":
            x.run_sync(el)
        else:
            fr = Frame(el, x, "comb")
            concurrent(el, pb.body, fr)
    el.assertion_blocks = []


def emit(el) -> None:
    """Bad states and constraints, in source order."""
    for *_, assume, lit in sorted(el.properties):
        (el.b.add_constraint if assume else el.b.add_bad)(lit)
