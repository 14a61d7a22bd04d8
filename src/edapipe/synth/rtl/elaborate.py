"""Walk slang's elaborated design into an AIG: flattened hierarchy, signals as literal vectors.

Model (docs/rtl.md has the user-facing version):
- Every net and variable of every instance is a `Signal`: a list of per-bit entries, each a
  literal once known, or the `Driver` that will compute it. Reading a bit runs its driver on
  demand, so source order does not matter and a combinational loop is found as a driver that
  is reached again while it runs.
- Continuous assignments, port connections and combinational always blocks are drivers.
  Always blocks are executed symbolically: if/case branches are merged with multiplexers,
  loops with constant bounds are unrolled, functions are inlined.
- Clocked always blocks make AIGER latches (one global clock). Latches are created only for
  variables that something reads, and their next states are computed at the end, so flop
  feedback never looks like a loop. An asynchronous reset is modelled as Yosys's
  `async2sync`: next = reset ? value : d, and the visible output = reset ? value : q.
"""

from __future__ import annotations

import sys

from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import limits
from edapipe.errors import InputError, excerpt
from edapipe.synth.rtl import bitvec as bv
from edapipe.synth.rtl import properties as props
from edapipe.synth.rtl import readmem as memfile

LATCH = -1          # an env bit kept from an earlier run of a combinational block
CONST_MODES = ("init", "probe")  # frames that read no module signal (probe: nor its init)
SKIP = -2           # a bit of an assigned value that lands outside its target: not written
MAX_LOOP = 1 << 16  # iterations of one loop before it is called unbounded
MAX_CALL_DEPTH = 64
MAX_WIDTH = 1 << 16  # bits of one value or packed signal (as the structural reader)
MAX_DRIVER_DEPTH = 200_000  # drivers waiting on each other (the logic depth in assignments)
INSTANCE_WEIGHT = 32  # elements one module instance counts for (signal bits count 1)
MAX_POWER_WORK = 1 << 24  # result bits x exponent bits of a constant `**` (about 1 s)
PARALLEL_CASE_ARMS = 3  # a case with distinct constant labels and this many arms: a $pmux
WORK_PER_NODE = 8   # bit operations (gates tried, folded or not) per AIG node of the budget


class _TooDeep(Exception):
    """Python's recursion limit was hit below the driver at `args[0]`."""


class _Builder(AigBuilder):
    """AigBuilder with a budget on the objects it makes (EDAPIPE_MAX_NODES): elaboration
    can turn a few lines (`a * b` on 65536 bits) into billions of gates."""

    def __init__(self, el, limit):
        super().__init__()
        self._el = el
        self._limit = limit
        self.work = 0                       # bit operations (bitvec charges them)
        self._work_limit = WORK_PER_NODE * limit

    def charge(self, n):
        self.work += n
        if self.work > self._work_limit:
            el = self._el
            raise limits.over_budget(el.at(el.current), "the design takes too many bit "
                                     f"operations to elaborate ({WORK_PER_NODE} per AIG node "
                                     "of the budget)", self._work_limit, limits.NODES_VARIABLE)

    def _over(self):
        el = self._el
        return limits.over_budget(el.at(el.current), "the design elaborates to too many AIG "
                                  "nodes", self._limit, limits.NODES_VARIABLE)

    def _new_var(self, kind, f0=0, f1=0):
        if len(self._kind) > self._limit:
            raise self._over()
        return super()._new_var(kind, f0, f1)

    def and_(self, a, b):
        if a < b:
            a, b = b, a
        if b <= 1:
            return a if b == 1 else 0
        if a == b:
            return a
        if a == b ^ 1:
            return 0
        key = (a, b)
        lit = self._hash.get(key)
        if lit is None:
            if len(self._kind) > self._limit:
                raise self._over()
            lit = 2 * len(self._kind)
            self._kind.append(3)
            self._f0.append(a)
            self._f1.append(b)
            self._hash[key] = lit
        return lit


class Bad:
    """A signal bit that must not be read (inferred latch, several drivers)."""

    __slots__ = ("reason", "where")

    def __init__(self, reason, where):
        self.reason = reason
        self.where = where


class Signal:
    __slots__ = ("name", "width", "signed", "type", "bits", "sym", "local", "wired")

    def __init__(self, name, width, signed, typ, sym, local=False):
        self.name = name
        self.width = width
        self.signed = signed
        self.type = typ
        self.bits = [None] * width
        self.sym = sym
        self.local = local
        self.wired = None     # "or" (wor, trior) or "and" (wand, triand): drivers combine

    def __repr__(self):
        return f"Signal({self.name}, {self.width})"


class Ctx:
    """One instance of a module: its hierarchical prefix and its signals."""

    __slots__ = ("prefix", "sigs", "static")

    def __init__(self, prefix):
        self.prefix = prefix
        self.sigs = {}
        self.static = None


class Driver:
    __slots__ = ("state", "where")

    def __init__(self, where):
        self.state = 0
        self.where = where

    def resolve(self, el, sig, i):
        if self.state == 1:
            raise el.error(f"combinational loop through '{excerpt(sig.name)}'", self.where)
        if self.state == 0:
            self.state = 1
            el.depth += 1
            if el.depth > MAX_DRIVER_DEPTH:
                raise el.error(f"logic more than {MAX_DRIVER_DEPTH} assignments deep (each "
                               "waits on the next): too deep to elaborate", self.where)
            outer, el.current = el.current, self.where
            try:
                self.run(el)
            except RecursionError:
                raise _TooDeep(self.where) from None
            el.current = outer
            el.depth -= 1
            self.state = 2
        v = sig.bits[i]
        if type(v) is not int:
            return el.bit(sig, i) if v is not self else 0
        return v


class AssignDriver(Driver):
    __slots__ = ("ctx", "targets", "rhs")

    def __init__(self, where, ctx, targets, rhs):
        super().__init__(where)
        self.ctx, self.targets, self.rhs = ctx, targets, rhs

    def run(self, el):
        fr = el.static_frame(self.ctx)
        val = el.ev(self.rhs, fr)
        val = bv.extend(val, len(self.targets), self.rhs.type.isSigned)
        for (sig, i), lit in zip(self.targets, val):
            if sig.bits[i] is self:
                sig.bits[i] = lit


class WiredDriver(Driver):
    """One bit of a wor/wand net: the OR (AND) of what each of its drivers gives it."""

    __slots__ = ("sig", "i", "inputs")

    def __init__(self, where, sig, i):
        super().__init__(where)
        self.sig, self.i, self.inputs = sig, i, []

    def run(self, el):
        vals = [el.bit(p, k) for p, k in self.inputs]
        b = el.b
        self.sig.bits[self.i] = b.or_n(vals) if self.sig.wired == "or" else b.and_n(vals)


class PortOutDriver(Driver):
    __slots__ = ("child", "targets")

    def __init__(self, where, child, targets):
        super().__init__(where)
        self.child, self.targets = child, targets

    def run(self, el):
        val = bv.extend(el.value(self.child), len(self.targets), self.child.signed)
        for (sig, i), lit in zip(self.targets, val):
            if sig.bits[i] is self:
                sig.bits[i] = lit


class PrimDriver(Driver):
    __slots__ = ("ctx", "fn", "inputs", "targets")

    def __init__(self, where, ctx, fn, inputs, targets):
        super().__init__(where)
        self.ctx, self.fn, self.inputs, self.targets = ctx, fn, inputs, targets

    def run(self, el):
        fr = Frame(el, self.ctx, "static")
        ins = [el.truth(el.ev(e, fr)) for e in self.inputs]
        lit = self.fn(el.b, ins)
        for sig, i in self.targets:
            if sig.bits[i] is self:
                sig.bits[i] = lit


class CombDriver(Driver):
    __slots__ = ("ctx", "stmt", "targets")

    def __init__(self, where, ctx, stmt, targets):
        super().__init__(where)
        self.ctx, self.stmt, self.targets = ctx, stmt, targets

    def run(self, el):
        fr = Frame(el, self.ctx, "comb")
        fr.owner = self
        el.exec(self.stmt, fr)
        for sig in self.targets:
            vals = fr.cur.get(sig)
            for i in range(sig.width):
                if sig.bits[i] is not self:
                    continue
                v = vals[i] if vals is not None else None
                if v is None or v == LATCH:
                    sig.bits[i] = Bad(f"'{excerpt(sig.name)}' is not assigned on every path "
                                      "of the "
                                      "combinational always block (a latch would be inferred)",
                                      self.where)
                else:
                    sig.bits[i] = v


class FlopBlock(Driver):
    """A clocked always block. Its targets' bits point here; reading one makes latches."""

    __slots__ = ("ctx", "asyncs", "sync", "targets", "raw", "latch_idx", "conds", "async_envs",
                 "next_env", "phase_a", "owned")

    def __init__(self, where, ctx, asyncs, sync, targets):
        super().__init__(where)
        self.ctx, self.asyncs, self.sync, self.targets = ctx, asyncs, sync, targets
        self.raw = {}          # Signal -> latch literals
        self.latch_idx = {}    # Signal -> latch indices
        self.conds = None
        self.async_envs = None
        self.next_env = None
        self.phase_a = 0
        self.owned = None      # Signal -> the bits this block drives (None: all of each)

    def raw_latches(self, el, sig):
        lits = self.raw.get(sig)
        if lits is None:
            init = el.init_values.get(sig)
            idx, lits = [], []
            for i in range(sig.width):
                if self.owned is not None and i not in self.owned.get(sig, ()):
                    idx.append(None)            # a bit another block drives
                    lits.append(None)
                    continue
                v = init[i] if init is not None else None
                name = f"{sig.name}_reg{el.bit_suffix(sig, i)}"
                k = el.b.add_latch(name, 0 if v is None else v)
                idx.append(k)
                lits.append(el.b.latch_lit(k))
            self.raw[sig] = lits
            self.latch_idx[sig] = idx
            el.pending_latches.append((self, sig))
        return lits

    def resolve(self, el, sig, i):
        raw = self.raw_latches(el, sig)
        if not self.asyncs:
            vis = raw
        else:
            self.run_async(el)
            vis = list(raw)
            for c, env in reversed(list(zip(self.conds, self.async_envs))):
                vals = env.get(sig)
                if vals is None:
                    continue
                vis = [v if a is None or v is None else el.b.mux(c, a, v)
                       for a, v in zip(vals, vis)]
        for k in range(sig.width):
            if sig.bits[k] is self:
                sig.bits[k] = vis[k]
        return sig.bits[i]

    def run_async(self, el):
        if self.phase_a == 2:
            return
        if self.phase_a == 1:
            raise el.error("the reset branch of this clocked block depends on its own outputs",
                           self.where)
        self.phase_a = 1
        self.conds, self.async_envs = [], []
        for cond, stmt in self.asyncs:
            fr = Frame(el, self.ctx, "ff")
            fr.owner = self
            fr.guard = None                 # assertions here are not supported
            self.conds.append(el.truth(el.ev(cond, fr)))
            if stmt is not None:
                el.exec(stmt, fr)
            self.async_envs.append(fr.nxt)
        self.phase_a = 2

    def run_sync(self, el):
        """Execute the clocked branch once (its next-state values)."""
        if self.next_env is not None:
            return
        if self.state == 1:
            raise el.error("clocked block re-entered", self.where)
        self.state = 1
        self.run_async(el)
        fr = Frame(el, self.ctx, "ff")
        fr.owner = self
        if el.track_guards:
            fr.guard = el.b.and_n([c ^ 1 for c in self.conds])    # no reset active
        if self.sync is not None:
            el.exec(self.sync, fr)
        self.next_env = fr.nxt
        self.state = 2

    def next_state(self, el, sig):
        self.run_sync(el)
        raw = self.raw[sig]
        vals = self.next_env.get(sig)
        nxt = list(raw) if vals is None else [r if v is None else v for v, r in zip(vals, raw)]
        if self.asyncs:
            # While a reset is active the clocked branch does not run: bits the reset branch
            # leaves alone hold their value.
            for c, env in reversed(list(zip(self.conds, self.async_envs))):
                a = env.get(sig)
                if a is None:
                    a = [None] * sig.width
                nxt = [None if r is None else el.b.mux(c, r if x is None else x, n)
                       for x, r, n in zip(a, raw, nxt)]
        return nxt


class Frame:
    """The state of one symbolic execution: blocking values (cur), non-blocking (nxt)."""

    __slots__ = ("el", "ctx", "mode", "cur", "nxt", "locals", "owner", "depth", "ret", "guard")

    def __init__(self, el, ctx, mode):
        self.el = el
        self.ctx = ctx
        self.mode = mode      # static | comb | ff | func | init | probe
        self.cur = {}
        self.nxt = {} if mode == "ff" else None
        self.locals = {}
        self.owner = None
        self.depth = 0
        self.ret = None       # the result of a function inlined into this frame
        self.guard = 1        # path condition of the if/case branches (for assertions)


class _NotConstant(Exception):
    pass


class Elaborator:
    def __init__(self, parsed, filename, warn=None, bit_names="declared", include_dirs=()):
        import pyslang

        self.ps = pyslang
        self.A = pyslang.ast
        # Symbol wrappers must never outlive the compilation that owns their C++ objects
        # (nanobind would meet a reused address): holding it here ties their lifetimes.
        self.parsed = parsed
        self.sm = parsed.source_manager
        self.filename = filename
        self.warn_fn = warn
        self.warned = set()
        self.b = _Builder(self, limits.max_nodes())
        self.depth = 0              # drivers running, one inside the other
        self.current = None         # where the innermost running driver is
        self.elements = 0           # instances (weighted) and signal bits so far
        self.max_elements = limits.max_elements()
        self.steps = 0              # loop iterations and function calls so far
        self.max_steps = limits.max_steps()
        self.init_values = {}
        self.pending_latches = []
        self.drivers = []
        self.initials = []
        self.init_driven = set()
        self.sym_sigs = {}
        self.deferred = []
        self.clocks = []
        self.flop_sigs = set()
        self.lvref = []
        self.type_cache = {}
        self.bit_names = bit_names
        self.include_dirs = tuple(include_dirs)
        self.fn_writes = {}
        self.has_functions = False  # a module declares a function (see proc_targets)
        self.sink = Signal("<out of range>", 1, False, None, None, local=True)
        self.call_depth = 0
        self.properties = []        # (file, line, column, order, is assume, literal)
        self.assertion_blocks = []  # blocks and properties to run at the end (properties.py)
        self.track_guards = False   # some procedural block holds an assertion
        self._setup_dispatch()

    # ---- diagnostics ---------------------------------------------------------------------
    def loc(self, where):
        if where is None:
            return self.filename, None, None
        try:
            if hasattr(where, "sourceRange"):
                loc = where.sourceRange.start
            elif hasattr(where, "location"):
                loc = where.location
            else:
                loc = where
            return (str(self.sm.getFileName(loc)) or self.filename,
                    int(self.sm.getLineNumber(loc)), int(self.sm.getColumnNumber(loc)))
        except Exception:  # noqa: BLE001
            return self.filename, None, None

    def error(self, reason, where=None):
        f, line, col = self.loc(where)
        return InputError(reason, file=f, line=line, column=col)

    def at(self, where):
        """'file:line: ' (or 'file: ') for the messages of limits (ResourceLimit)."""
        f, line, _ = self.loc(where)
        return f"{f}:{line}: " if line else f"{f}: "

    def warn(self, msg, where=None):
        f, line, _ = self.loc(where)
        key = (msg, f, line)
        if key in self.warned or self.warn_fn is None:
            return
        self.warned.add(key)
        msg = excerpt(msg, 200)
        self.warn_fn(f"{f}:{line}: warning: {msg}" if line else f"{f}: warning: {msg}")

    # ---- top level -----------------------------------------------------------------------
    def run(self, top):
        A = self.A
        body = top.body
        ctx = Ctx("")
        self.b.name = top.name
        ports = [m for m in body if m.kind == A.SymbolKind.Port]
        for m in body:
            if m.kind == A.SymbolKind.InterfacePort:
                raise self.error(f"interface port '{excerpt(m.name)}' on the top module: "
                                 "instantiate the design in a wrapper that holds the "
                                 "interface", m)
            if m.kind == A.SymbolKind.MultiPort:
                raise self.error("multi-ports are not supported", m)
        self.walk_scope(ctx, body, "")
        # Procedural blocks and assignments to hierarchical names once every scope is known.
        for fn in self.deferred:
            fn()
        self.deferred = []
        outs = []
        inouts = []
        for p in ports:
            sym = p.internalSymbol
            sig = ctx.sigs.get(sym) if sym is not None else None
            if sig is None:
                raise self.error(f"port '{excerpt(p.name)}' has no net", p)
            d = p.direction
            if d == A.ArgumentDirection.In:
                for i in range(sig.width):
                    if sig.bits[i] is not None:
                        raise self.error(f"input port '{excerpt(p.name)}' is driven inside "
                                         "the module", p)
                    sig.bits[i] = self.b.add_input(f"{p.name}{self.bit_suffix(sig, i)}")
            elif d == A.ArgumentDirection.Out:
                outs.append((p, sig))
            elif d == A.ArgumentDirection.InOut:
                inouts.append((p, sig, self.add_pad(p, sig)))
            else:
                raise self.error(f"port '{excerpt(p.name)}': {str(d).split('.')[-1]} ports "
                                 "are not supported", p)
        self.run_initials()
        self.apply_initials()
        for p, sig in outs:
            for i, lit in enumerate(self.value(sig)):
                self.b.add_output(lit, f"{p.name}{self.bit_suffix(sig, i)}")
        for p, sig, nets in inouts:
            self.add_pad_outputs(p, sig, nets)
        self.finish_latches()
        # Logic nobody reads is still elaborated so that its errors are reported.
        for d in self.drivers:
            if d.state == 0 and not isinstance(d, FlopBlock):
                d.state = 1
                d.run(self)
                d.state = 2
        props.run_blocks(self)
        self.finish_latches()
        props.emit(self)
        for sig in self.init_values:
            if sig not in self.flop_sigs and not sig.local and sig not in self.init_driven:
                self.warn(f"initial value of '{excerpt(sig.name)}' ignored: it is not a flop",
                          sig.sym)
        self.check_clocks()
        return self.b.build()

    def add_pad(self, p, sig):
        """A top-level inout: an input per bit (what the outside drives); bits that tri-state
        drivers drive read it where no driver is enabled. Returns each bit's TriNet (or
        None: undriven inside, or driven by an ordinary driver)."""
        from edapipe.synth.rtl.tristate import TriNet

        nets = []
        for i in range(sig.width):
            cur = sig.bits[i]
            pad = self.b.add_input(f"{p.name}{self.bit_suffix(sig, i)}")
            if cur is None:
                sig.bits[i] = pad
            elif isinstance(cur, TriNet):
                cur.pad = pad
            else:
                self.warn(f"inout port '{excerpt(p.name)}' is driven by an ordinary driver: "
                          "it acts as an output", p)
            nets.append(cur)
        return nets

    def add_pad_outputs(self, p, sig, nets):
        """`<name>$o` and `<name>$oe` per bit of an inout: the value the module drives and
        when it drives it."""
        from edapipe.synth.rtl.tristate import TriNet

        vals, ens = [], []
        for i, net in enumerate(nets):
            bit = self.bit(sig, i)
            if isinstance(net, TriNet):
                vals.append(net.value)
                ens.append(net.enable)
            elif net is None:
                vals.append(0)
                ens.append(0)
            else:
                vals.append(bit)
                ens.append(1)
        for suffix, lits in (("$o", vals), ("$oe", ens)):
            for i, lit in enumerate(lits):
                self.b.add_output(lit, f"{p.name}{suffix}{self.bit_suffix(sig, i)}")

    def check_clocks(self):
        """Warn when the flops hang on more than one clock net (AIGER has one clock)."""
        seen = {}
        for ctx, sym, where in self.clocks:
            sig = ctx.sigs.get(sym)
            if sig is None or sig.width != 1:
                continue
            lit = self.bit(sig, 0) >> 1
            seen.setdefault(lit, sig.name)
        if len(seen) > 1:
            self.warn(f"{len(seen)} clocks ({', '.join(sorted(seen.values()))}): all flops are "
                      "modelled on one global clock")

    def finish_latches(self):
        while self.pending_latches:
            todo, self.pending_latches = self.pending_latches, []
            for block, sig in todo:
                nxt = block.next_state(self, sig)
                for k, lit in zip(block.latch_idx[sig], nxt):
                    if k is None:
                        continue
                    if type(lit) is not int or lit < 0:
                        raise self.error(f"next state of '{excerpt(sig.name)}' is undefined",
                                         block.where)
                    self.b.set_latch_next(k, lit)

    def bit_suffix(self, sig, i):
        """`[k]` for bit i (from the LSB) of a vector: k is the declared index (as the
        structural reader names bits), or i itself with bit_names="yosys" (Yosys's
        `write_aiger -symbols`). Scalars get no suffix."""
        if sig.width == 1 and (self.bit_names == "yosys" or sig.type is None or
                               not sig.type.isIntegral or
                               sig.type.kind != self.A.SymbolKind.PackedArrayType):
            return ""
        t = sig.type
        if self.bit_names == "yosys" or sig.local or t is None or t.isUnpackedArray or \
                t.kind != self.A.SymbolKind.PackedArrayType or sig.width != t.bitWidth:
            return f"[{i}]"
        r = t.fixedRange
        nelem = abs(r.left - r.right) + 1
        if nelem != sig.width:          # packed arrays of multi-bit elements: flat offsets
            return f"[{i}]"
        return f"[{r.right + i if r.left >= r.right else r.right - i}]"

    # ---- scopes --------------------------------------------------------------------------
    def make_signal(self, ctx, sym, prefix, local=False):
        t = sym.type
        ws = self.type_cache.get(t)
        if ws is None:
            ws = self.type_cache[t] = self.type_width(t, sym)
        width, signed = ws
        if not local:
            self.count_elements(width, sym)
        sig = Signal(prefix + sym.name, width, signed, t, sym, local)
        if not local:
            # hierarchical names (`STAGE[i-1].C`, `u1.q`, `top.x`) resolve to symbols of
            # other scopes: found here (None when one symbol stands for several signals)
            self.sym_sigs[sym] = None if sym in self.sym_sigs else sig
        return sig

    def count_elements(self, n, where):
        self.elements += n
        if self.elements > self.max_elements:
            raise limits.over_budget(
                self.at(where),
                f"the design has too many elements after elaboration (a module instance "
                f"counts {INSTANCE_WEIGHT}, a signal bit 1)", self.max_elements,
                limits.ELEMENTS_VARIABLE)

    def check_width(self, width, where):
        """Refuse a value wider than MAX_WIDTH before it is made."""
        if width > MAX_WIDTH:
            raise self.error(f"value of {width} bits is too wide (limit {MAX_WIDTH} bits)",
                             where)

    def type_width(self, t, where):
        if t.isUnpackedArray:
            if not t.hasFixedRange:
                raise self.error(f"type '{excerpt(t, 60)}' is not supported", where)
            inner, _ = self.type_width(t.elementType, where)
            r = t.fixedRange
            total = inner * (abs(r.left - r.right) + 1)
            if total > self.max_elements:
                raise limits.over_budget(
                    self.at(where), f"an array of {total:,} bits", self.max_elements,
                    limits.ELEMENTS_VARIABLE)
            return total, False
        if not t.isIntegral:
            raise self.error(f"type '{excerpt(t, 60)}' is not supported (only integral types "
                             "synthesize)", where)
        self.check_width(t.bitWidth, where)
        return t.bitWidth, t.isSigned

    def walk_scope(self, ctx, scope, prefix):
        A = self.A
        SK = A.SymbolKind
        skip = self._skip_kinds
        later = []
        for m in scope:
            k = m.kind
            if k == SK.Net or k == SK.Variable:
                sig = self.make_signal(ctx, m, prefix)
                ctx.sigs[m] = sig
                if k == SK.Net:
                    nt = m.netType.name
                    if nt in ("supply0", "supply1"):
                        sig.bits = [1 if nt == "supply1" else 0] * sig.width
                    elif nt in ("wor", "trior", "wand", "triand"):
                        sig.wired = "or" if nt in ("wor", "trior") else "and"
                    elif nt not in ("wire", "tri", "uwire", ""):
                        raise self.error(f"'{excerpt(nt)}' nets are not supported", m)
                init = m.initializer
                if init is not None:
                    if k == SK.Net:
                        later.append(("netinit", m, sig))
                    else:
                        later.append(("varinit", m, sig))
            elif k in skip:
                if k == SK.Subroutine:
                    self.has_functions = True    # calls may write module signals
                continue
            elif k == SK.ElabSystemTask:
                self.warn("elaboration system task ignored", m)
            elif k == SK.SpecifyBlock or k == SK.TimingPath or k == SK.SystemTimingCheck:
                self.warn("specify block ignored", m)
            else:
                later.append((k, m, None))
        for k, m, sig in later:
            if k == "netinit":
                self.add_assign(ctx, [(sig, i) for i in range(sig.width)], m.initializer, m)
            elif k == "varinit":
                try:
                    val = self.ev(m.initializer, Frame(self, ctx, "init"))
                    val = bv.extend(val, sig.width, m.initializer.type.isSigned)
                    self.init_values[sig] = [v if v in (0, 1) else None for v in val]
                except _NotConstant:
                    self.warn(f"non-constant initial value of '{excerpt(sig.name)}' ignored", m)
            elif k == SK.ContinuousAssign:
                asg = m.assignment
                if m.delay is not None:
                    self.warn("delay ignored", m)
                if asg.kind != A.ExpressionKind.Assignment:
                    raise self.error("unsupported continuous assignment", m)
                if _has_hierarchical(A, asg.left):
                    self.deferred.append(lambda ctx=ctx, m=m: self.add_assign(
                        ctx, self.static_targets(ctx, m.assignment.left, m),
                        m.assignment.right, m))
                else:
                    targets = self.static_targets(ctx, asg.left, m)
                    self.add_assign(ctx, targets, asg.right, m)
            elif k == SK.ProceduralBlock:
                self.deferred.append(lambda ctx=ctx, m=m: self.add_procedural(ctx, m))
            elif k == SK.Instance:
                self.add_instance(ctx, m, prefix)
            elif k == SK.GenerateBlock:
                if not m.isUninstantiated:
                    name = m.name or m.externalName if hasattr(m, "externalName") else m.name
                    self.walk_scope(ctx, m, f"{prefix}{name}." if name else prefix)
            elif k == SK.GenerateBlockArray:
                for e in m.entries:
                    if not e.isUninstantiated:
                        self.walk_scope(ctx, e, f"{prefix}{m.name}[{e.arrayIndex}].")
            elif k == SK.PrimitiveInstance:
                self.add_primitive(ctx, m)
            elif k == SK.InstanceArray:
                self.add_instance_array(ctx, m, prefix, m.name)
            elif k == SK.UninstantiatedDef:
                raise self.error(f"unknown module '{m.definitionName}'"
                                 if hasattr(m, "definitionName") else "unknown module", m)
            else:
                raise self.error(f"unsupported construct: {str(k).split('.')[-1]}", m)

    def add_assign(self, ctx, targets, rhs, where):
        from edapipe.synth.rtl import tristate

        if tristate.has_z(self, rhs):
            tristate.add_tri_assign(self, ctx, targets, rhs, where)
            return
        d = AssignDriver(where, ctx, targets, rhs)
        self.claim(targets, d, where)

    def claim(self, targets, d, where):
        self.drivers.append(d)
        if any(sig.wired for sig, _ in targets) and getattr(d, "targets", None) is targets:
            targets[:] = self.wire_proxies(targets, d, where)
        for sig, i in targets:
            cur = sig.bits[i]
            if cur is not None:
                if isinstance(cur, Bad):
                    continue
                sig.bits[i] = Bad(f"'{excerpt(sig.name)}' has more than one driver", where)
                continue
            sig.bits[i] = d

    def wire_proxies(self, targets, d, where):
        """Targets of a driver of wor/wand bits, moved to a private copy of the net whose
        bits the net's WiredDriver combines with its other drivers'."""
        proxies = {}
        out = []
        for sig, i in targets:
            if not sig.wired:
                out.append((sig, i))
                continue
            proxy = proxies.get(sig)
            if proxy is None:
                proxy = proxies[sig] = Signal(f"{sig.name}<driver>", sig.width, sig.signed,
                                              sig.type, sig.sym, local=True)
            cur = sig.bits[i]
            if cur is None:
                cur = sig.bits[i] = WiredDriver(where, sig, i)
            if isinstance(cur, WiredDriver):
                cur.inputs.append((proxy, i))
                out.append((proxy, i))
            else:
                out.append((sig, i))
        return out

    def static_targets(self, ctx, lhs, where):
        if lhs.kind is self._EK_named:
            sig = ctx.sigs.get(lhs.symbol)
            if sig is not None:
                return [(sig, i) for i in range(sig.width)]
        fr = Frame(self, ctx, "static")
        out = []
        for sig, off, width, dyn, lo, hi, klo, khi in reversed(self.lv_pieces(lhs, fr)):
            if dyn is not None:
                raise self.error("variable index in a continuous assignment target", lhs)
            for j in range(width):
                if lo <= off + j < hi and klo <= j < khi:
                    out.append((sig, off + j))
                else:
                    out.append((self.sink, 0))   # bits past the end go nowhere
        return out

    # ---- instances -----------------------------------------------------------------------
    def add_instance_array(self, ctx, arr, prefix, name):
        """`fa u[3:0] (...)`: slang hands each element its slice of the connections."""
        for e in arr.elements:
            if e.kind == self.A.SymbolKind.InstanceArray:
                self.add_instance_array(ctx, e, prefix, name)
            elif e.kind == self.A.SymbolKind.Instance:
                path = "".join(f"[{k}]" for k in e.arrayPath)
                self.add_instance(ctx, e, prefix, f"{name}{path}")
            elif e.kind == self.A.SymbolKind.PrimitiveInstance:
                self.add_primitive(ctx, e)
            else:
                raise self.error("unsupported element in an array of instances", arr)

    def add_instance(self, ctx, inst, prefix, name=None):
        A = self.A
        if inst.isInterface:
            # An interface instance is flattened into its parent: its variables are the
            # parent's signals `name.var`; modules that take it as a port reach them by
            # hierarchical reference (slang binds `b.data` to the instance's symbols).
            self.count_elements(INSTANCE_WEIGHT, inst)
            iname = inst.name if name is None else name
            self.walk_scope(ctx, inst.body, f"{prefix}{iname}.")
            return
        if not inst.isModule:
            raise self.error("only module and interface instances are supported", inst)
        self.count_elements(INSTANCE_WEIGHT, inst)
        child = Ctx(f"{prefix}{inst.name if name is None else name}.")
        self.walk_scope(child, inst.body, child.prefix)
        for pc in inst.portConnections:
            port = pc.port
            if port.kind == A.SymbolKind.InterfacePort:
                continue                   # its signals are the interface instance's
            if port.kind != A.SymbolKind.Port:
                raise self.error("multi-ports are not supported", inst)
            sym = port.internalSymbol
            csig = child.sigs.get(sym)
            if csig is None:
                raise self.error(f"port '{excerpt(port.name)}' has no net", inst)
            e = pc.expression
            d = port.direction
            if d == A.ArgumentDirection.In:
                if e is None or e.kind == A.ExpressionKind.EmptyArgument:
                    self.warn(f"input port '{excerpt(port.name)}' of '{excerpt(inst.name)}' "
                              "is unconnected: "
                              "tied to 0", inst)
                    for i in range(csig.width):
                        if csig.bits[i] is None:
                            csig.bits[i] = 0
                    continue
                self.add_assign(ctx, [(csig, i) for i in range(csig.width)], e, inst)
            elif d == A.ArgumentDirection.Out:
                if e is None or e.kind == A.ExpressionKind.EmptyArgument:
                    continue
                lhs = e.left if e.kind == A.ExpressionKind.Assignment else e
                targets = self.static_targets(ctx, lhs, inst)
                self.claim(targets, PortOutDriver(inst, csig, targets), inst)
            else:
                raise self.error(f"port '{excerpt(port.name)}': inout ports are not "
                                 "supported", inst)

    def add_primitive(self, ctx, prim):
        name = prim.primitiveType.name
        conns = list(prim.portConnections)
        A = self.A

        def lhs_of(e):
            return e.left if e.kind == A.ExpressionKind.Assignment else e

        if name in ("buf", "not"):
            outs, ins = conns[:-1], conns[-1:]
            inv = name == "not"
            fn = (lambda b, xs, inv=inv: xs[0] ^ inv)
        elif name in ("and", "or", "xor", "nand", "nor", "xnor"):
            outs, ins = conns[:1], conns[1:]
            op = {"and": AigBuilder.and_n, "nand": AigBuilder.and_n, "or": AigBuilder.or_n,
                  "nor": AigBuilder.or_n, "xor": AigBuilder.xor_n, "xnor": AigBuilder.xor_n}[name]
            inv = 1 if name in ("nand", "nor", "xnor") else 0
            fn = (lambda b, xs, op=op, inv=inv: op(b, xs) ^ inv)
        else:
            raise self.error(f"gate primitive '{excerpt(name)}' is not supported", prim)
        for out in outs:
            targets = self.static_targets(ctx, lhs_of(out), prim)
            self.claim(targets, PrimDriver(prim, ctx, fn, ins, targets), prim)

    # ---- procedural blocks -----------------------------------------------------------------
    def add_procedural(self, ctx, pb):
        A = self.A
        PK = A.ProceduralBlockKind
        kind = pb.procedureKind
        body = pb.body
        if not self.track_guards:
            # path conditions cost gates: only designs with assertions keep them
            self.track_guards = props.has_assertion(body)
        if kind == PK.Initial:
            self.initials.append((ctx, body, pb))
            return
        if kind == PK.Final:
            self.warn("final block ignored", pb)
            return
        if kind == PK.AlwaysLatch:
            raise self.error("always_latch: level-sensitive latches are not supported", pb)
        if kind == PK.AlwaysComb:
            return self.add_comb(ctx, body, pb)
        TK = A.TimingControlKind
        if body.kind == A.StatementKind.ConcurrentAssertion:
            return props.add_concurrent(self, ctx, pb)
        if body.kind != A.StatementKind.Timed:
            raise self.error("always block without an event control is not synthesizable", pb)
        timing = body.timing
        stmt = body.stmt
        if timing.kind == TK.ImplicitEvent:
            return self.add_comb(ctx, stmt, pb)
        if timing.kind == TK.SignalEvent:
            events = [timing]
        elif timing.kind == TK.EventList:
            events = list(timing.events)
        elif timing.kind in (TK.Delay, TK.Delay3, TK.CycleDelay):
            self.warn("always block with a delay (testbench code) ignored", pb)
            return
        else:
            raise self.error("unsupported event control in always block", pb)
        for ev in events:
            if ev.kind != TK.SignalEvent:
                raise self.error("unsupported event in sensitivity list", pb)
            if ev.iffCondition is not None:
                raise self.error("'iff' in a sensitivity list is not supported", pb)
        edges = [ev.edge != A.EdgeKind.None_ for ev in events]
        if not any(edges):
            return self.add_comb(ctx, stmt, pb)
        if not all(edges):
            raise self.error("sensitivity list mixes edges and levels", pb)
        self.add_flop(ctx, events, stmt, pb)

    def add_comb(self, ctx, stmt, where):
        bits = {}
        targets = self.proc_targets(ctx, stmt, bits)
        d = CombDriver(where, ctx, stmt, targets)
        self.claim(_claimed(targets, bits), d, where)

    def add_flop(self, ctx, events, stmt, where):
        A = self.A
        syms = []
        for ev in events:
            e = ev.expr
            if e.kind != A.ExpressionKind.NamedValue:
                raise self.error("clock and reset events must name a signal", where)
            syms.append(e.symbol)
        asyncs = []
        if len(events) > 1:
            remaining = set(range(len(events)))
            s = _unwrap(A, stmt)
            while s is not None and s.kind == A.StatementKind.Conditional and len(remaining) > 1:
                conds = list(s.conditions)
                if len(conds) != 1:
                    break
                used = _named_symbols(A, conds[0].expr)
                hit = [k for k in remaining if syms[k] in used]
                if not hit:
                    break
                remaining -= set(hit)
                asyncs.append((conds[0].expr, s.ifTrue))
                s = _unwrap(A, s.ifFalse) if s.ifFalse is not None else None
            if len(remaining) != 1:
                raise self.error("cannot tell the clock from the asynchronous resets: write "
                                 "'if (reset) ... else ...' with one branch per reset event",
                                 where)
            clock = remaining.pop()
            sync = s
        else:
            clock = 0
            sync = stmt
        if events[clock].edge == A.EdgeKind.NegEdge:
            self.warn("negedge clock: modelled on the one global clock", where)
        elif events[clock].edge == A.EdgeKind.BothEdges:
            raise self.error("'edge' (both edges) clocks are not supported", where)
        self.clocks.append((ctx, syms[clock], where))
        bits = {}
        targets = self.proc_targets(ctx, stmt, bits)
        blk = FlopBlock(where, ctx, asyncs, sync, targets)
        props.add_block(self, blk, stmt)
        self.flop_sigs.update(targets)
        claimed = _claimed(targets, bits)
        blk.owned = {}
        for sig, i in claimed:
            blk.owned.setdefault(sig, set()).add(i)
        self.claim(claimed, blk, where)

    def target_bits(self, ctx, lhs, out):
        """Record in out[sig] the bits of module signals an assignment target can write:
        the bits of constant selects (`mem[g] <= d` in a generate loop owns one entry), all
        bits (None) of a signal written through a variable index."""
        try:
            pieces = self.lv_pieces(lhs, Frame(self, ctx, "probe"))
        except (_NotConstant, InputError):
            pieces = None
        if pieces is None:
            return False
        for sig, off, width, dyn, lo, hi, klo, khi in pieces:
            if sig.local:
                continue
            have = out.get(sig, set())
            if have is None:
                continue
            if dyn is not None:
                out[sig] = None
                continue
            have.update(off + j for j in range(klo, khi) if lo <= off + j < hi)
            out[sig] = have
        return True

    def proc_targets(self, ctx, stmt, bits=None):
        """Module signals assigned anywhere in a statement; with a dict `bits`, also the
        bits each may write there (None: all)."""
        out = {}
        A = self.A

        def whole(sig):
            out[sig] = None
            if bits is not None:
                bits[sig] = None

        def root(e):
            while True:
                k = e.kind
                if k == A.ExpressionKind.NamedValue or k == A.ExpressionKind.HierarchicalValue:
                    return e.symbol
                if k in (A.ExpressionKind.ElementSelect, A.ExpressionKind.RangeSelect,
                         A.ExpressionKind.MemberAccess):
                    e = e.value
                elif k == A.ExpressionKind.Concatenation:
                    for o in e.operands:
                        r = root(o)
                        if r is not None:
                            sig = self.module_sig(ctx, r)
                            if sig is not None:
                                whole(sig)
                    return None
                else:
                    return None

        seen_tasks = set()

        def visit(s):
            if s is None:
                return
            k = s.kind
            SK = A.StatementKind
            if k == SK.List:
                for x in s.list:
                    visit(x)
            elif k == SK.Block:
                visit(s.body)
            elif k == SK.ExpressionStatement:
                e = s.expr
                lhs = None
                if e.kind == A.ExpressionKind.Assignment:
                    r = root(lhs := e.left)
                elif e.kind == A.ExpressionKind.UnaryOp:
                    r = root(lhs := e.operand)
                elif e.kind == A.ExpressionKind.Call and not e.isSystemCall and \
                        e.subroutine.subroutineKind == A.SubroutineKind.Task:
                    for arg in e.arguments:
                        if arg.kind == A.ExpressionKind.Assignment:
                            r = root(arg.left)
                            sig = self.module_sig(ctx, r) if r is not None else None
                            if sig is not None:
                                whole(sig)
                    if e.subroutine not in seen_tasks:
                        seen_tasks.add(e.subroutine)
                        visit(e.subroutine.body)
                    r = None
                else:
                    r = None
                if r is not None:
                    sig = self.module_sig(ctx, r)
                    if sig is not None:
                        out[sig] = None
                        if bits is not None and bits.get(sig, ()) is not None:
                            if lhs is None or not self.target_bits(ctx, lhs, bits):
                                bits[sig] = None
            elif k == SK.Conditional:
                visit(s.ifTrue)
                visit(s.ifFalse)
            elif k == SK.Case:
                for it in s.items:
                    visit(it.stmt)
                visit(s.defaultCase)
            elif k in (SK.ForLoop, SK.WhileLoop, SK.RepeatLoop, SK.DoWhileLoop, SK.ForeverLoop):
                if k == SK.ForLoop:
                    for e in s.initializers:
                        if e.kind == A.ExpressionKind.Assignment:
                            r = root(e.left)
                            sig = self.module_sig(ctx, r) if r is not None else None
                            if sig is not None:
                                whole(sig)
                visit(s.body)
            elif k == SK.Timed:
                visit(s.stmt)

        visit(stmt)
        if self.has_functions:
            for sig in self.called_function_writes(ctx, stmt):
                whole(sig)
        return list(out)

    def run_initials(self):
        for ctx, body, pb in self.initials:
            fr = Frame(self, ctx, "init")
            try:
                self.exec(body, fr)
            except _NotConstant:
                self.warn("initial block with non-constant values ignored (initial blocks only "
                          "set flop initial values)", pb)
                continue
            for sig, vals in fr.cur.items():
                if sig.local:
                    continue
                old = self.init_values.get(sig, [None] * sig.width)
                self.init_values[sig] = [v if v in (0, 1) else o for v, o in zip(vals, old)]

    def apply_initials(self):
        """A variable that nothing but initial blocks (or its declaration) drives is the
        constant they leave it at (lookup tables): its undriven bits take those values, as
        in Yosys, where the init value of an undriven wire is its value."""
        self.init_driven = set()
        for sig, vals in self.init_values.items():
            if sig.local or sig in self.flop_sigs:
                continue
            bits = sig.bits
            overridden = False
            for i, v in enumerate(vals):
                if v is None:
                    continue
                if bits[i] is None:
                    bits[i] = v
                elif not (type(bits[i]) is int and bits[i] == v):
                    overridden = True       # a driver wins over the initial value
            if not overridden:
                self.init_driven.add(sig)

    # ---- signal values ---------------------------------------------------------------------
    def bit(self, sig, i):
        v = sig.bits[i]
        if type(v) is int:
            return v
        if v is None:
            self.warn(f"'{excerpt(sig.name)}' is read but never assigned: taken as 0", sig.sym)
            sig.bits[i] = 0
            return 0
        if isinstance(v, Bad):
            raise self.error(v.reason, v.where)
        return v.resolve(self, sig, i)

    def value(self, sig):
        bits = sig.bits
        for v in bits:
            if type(v) is not int:
                break
        else:
            return list(bits)
        return [self.bit(sig, i) for i in range(sig.width)]

    def truth(self, vec):
        if len(vec) == 1:
            return vec[0]
        self.b.charge(len(vec))
        return self.b.or_n(vec)

    # ---- frames ---------------------------------------------------------------------------
    def static_frame(self, ctx):
        """The frame continuous assignments of ctx evaluate in (one per module instance)."""
        if ctx.static is None:
            ctx.static = Frame(self, ctx, "static")
        return ctx.static

    def module_sig(self, ctx, sym):
        """The signal of a module-level symbol seen from ctx (hierarchical names too)."""
        if sym.kind == self.A.SymbolKind.ModportPort:
            sym = sym.internalSymbol            # `b.data` through a modport: the variable
        sig = ctx.sigs.get(sym)
        if sig is not None:
            return sig
        if sym in self.sym_sigs:
            sig = self.sym_sigs[sym]
            if sig is None:
                raise self.error(f"hierarchical reference to '{excerpt(sym.name)}' is "
                                 "ambiguous (its module's elaboration is shared)", sym)
        return sig

    def lookup(self, sym, fr, where):
        if sym.kind == self.A.SymbolKind.ModportPort:
            sym = sym.internalSymbol
        sig = fr.ctx.sigs.get(sym)
        if sig is not None:
            return sig
        sig = fr.locals.get(sym)
        if sig is None and sym in self.sym_sigs:
            return self.module_sig(fr.ctx, sym)
        if sig is None:
            k = sym.kind
            if k not in (self.A.SymbolKind.Variable, self.A.SymbolKind.FormalArgument):
                raise self.error(f"'{excerpt(sym.name)}' cannot be used here "
                                 f"({str(k).split('.')[-1]})",
                                 where)
            sig = self.make_signal(fr.ctx, sym, "", local=True)
            fr.locals[sym] = sig
        return sig

    def read_sig(self, sig, fr, where, lo=0, hi=None):
        if hi is None:
            hi = sig.width
        vals = fr.cur.get(sig)
        if fr.mode == "init" and not sig.local:
            # initial blocks run in source order: earlier ones (and declarations) count
            init = self.init_values.get(sig)
            if init is not None:
                vals = init if vals is None else \
                    [v if v is not None else o for v, o in zip(vals, init)]
        if vals is None:
            if sig.local:
                if fr.mode in CONST_MODES:
                    raise _NotConstant()
                self.warn(f"'{excerpt(sig.name)}' is read before it is assigned: taken as 0",
                          where)
                return [0] * (hi - lo)
            if fr.mode in CONST_MODES:
                raise _NotConstant()
            if lo == 0 and hi == sig.width:
                return self.value(sig)
            return [self.bit(sig, i) for i in range(lo, hi)]
        out = list(vals[lo:hi])
        for j, v in enumerate(out):
            i = lo + j
            if v is None or v == LATCH:
                if v == LATCH:
                    raise self.error(f"'{excerpt(sig.name)}' is read where it is not assigned "
                                     "on every "
                                     "path (a latch would be inferred)", where)
                if sig.local:
                    if fr.mode in CONST_MODES:
                        raise _NotConstant()
                    out[j] = 0
                    continue
                if fr.mode in CONST_MODES:
                    raise _NotConstant()
                out[j] = self.bit(sig, i)
        return out

    def hold(self, fr, sig, i):
        """The value of an unassigned bit when a branch merges (None: still unassigned).

        In a clocked block that is the block's own latch (a loop variable shared with other
        blocks gets latches too; nothing reads them, so they are pruned at the end)."""
        if fr.mode == "ff" and not sig.local:
            return fr.owner.raw_latches(self, sig)[i]
        return None

    def _envs(self, fr, sig, nonblocking, where):
        """The environments a write goes to, after checking that this block may write."""
        if not sig.local and fr.mode == "func":
            raise self.error(f"function writes module signal '{excerpt(sig.name)}'", where)
        if not sig.local and fr.mode in ("comb", "ff") and fr.owner is not None and \
                sig not in fr.owner.targets:
            raise self.error(f"'{excerpt(sig.name)}' assigned here is driven elsewhere", where)
        if nonblocking and fr.mode == "ff":
            return (fr.nxt,)
        if fr.mode == "ff":
            return (fr.cur, fr.nxt)
        if nonblocking and fr.mode not in CONST_MODES:
            self.warn("non-blocking assignment in a combinational block", where)
        return (fr.cur,)

    def write(self, fr, sig, off, vals, nonblocking, where, lo=0, hi=None):
        """Write constant-offset bits (vals may be shorter than the signal): only those
        landing in [lo, hi) (default the whole signal) and not SKIP."""
        if hi is None:
            hi = sig.width
        lo, hi = max(lo, 0), min(hi, sig.width)
        for env in self._envs(fr, sig, nonblocking, where):
            old = env.get(sig)
            new = list(old) if old is not None else [None] * sig.width
            for j, v in enumerate(vals):
                p = off + j
                if lo <= p < hi and v is not SKIP:
                    new[p] = v
            env[sig] = new

    def write_dyn(self, fr, sig, off, width, dyn, vals, nonblocking, where, lo=0, hi=None):
        """Write `width` bits at off + stride * index: each bit that lands in [lo, hi) is
        written under the condition that the index has that value (a part-select partly
        out of range writes its in-range bits, as Verilog says)."""
        idx, valid, stride = dyn
        if hi is None:
            hi = sig.width
        lo, hi = max(lo, 0), min(hi, sig.width)
        b = self.b
        # index values k whose bits [off + stride*k, off + stride*k + width) meet [lo, hi)
        kmax = (hi - 1 - off) // stride if stride else 0
        if valid is None:
            # idx is a two's complement offset (its top bit the sign): it may hang out below
            kmin = -((off + width - 1 - lo) // stride) if stride else 0
            bias = max(0, -kmin)
            n = len(idx) + 1
            u = bv.add(b, bv.extend(idx, n, True), bv.const(bias, n))
            idx, valid = u[:-1], u[-1] ^ 1          # negative after the bias: nothing lands
        else:
            bias = 0
        count = max(0, kmax + bias + 1)
        if len(idx) < 62:
            count = min(count, 1 << len(idx))
        lines = bv.decode(b, idx, count) if count else []
        envs = self._envs(fr, sig, nonblocking, where)
        for env in envs:
            old = env.get(sig)
            new = list(old) if old is not None else [None] * sig.width
            for k, line in enumerate(lines):
                c = b.and_(line, valid)
                if c == 0:
                    continue
                base = off + (k - bias) * stride
                for j in range(width):
                    p = base + j
                    if p >= hi:
                        break
                    v = vals[j]
                    if p < lo or v is SKIP:
                        continue
                    o = new[p]
                    if o is None:
                        o = self.hold(fr, sig, p)
                    new[p] = self.mux_bit(c, v, o)
            env[sig] = new

    def mux_bit(self, c, t, e):
        if c == 1:
            return t
        if c == 0:
            return e
        if t == e:
            return t
        if t is None or e is None or t == LATCH or e == LATCH:
            return LATCH
        return self.b.mux(c, t, e)

    def merge(self, fr, c, branches_cur, branches_nxt):
        """Merge then/else environments under condition c."""
        (tc, ec), (tn, en) = branches_cur, branches_nxt
        fr.cur = self._merge_env(fr, c, tc, ec)
        if fr.nxt is not None:
            fr.nxt = self._merge_env(fr, c, tn, en)

    def _merge_env(self, fr, c, t, e):
        if c == 1:
            return t
        if c == 0:
            return e
        out = dict(e)
        for sig, tv in t.items():
            ev = e.get(sig)
            if ev is tv:
                continue
            if ev is None:
                ev = [None] * sig.width
            new = []
            for i, (x, y) in enumerate(zip(tv, ev)):
                if x is y or x == y:
                    new.append(x)
                    continue
                if x is None:
                    x = self.hold(fr, sig, i)
                if y is None:
                    y = self.hold(fr, sig, i)
                new.append(self.mux_bit(c, x, y))
            out[sig] = new
        for sig, ev in e.items():
            if sig in t:
                continue
            new = []
            for i, y in enumerate(ev):
                x = self.hold(fr, sig, i)
                new.append(y if x == y else self.mux_bit(c, x, y) if y is not None else None)
            out[sig] = new
        return out

    # ---- statements ------------------------------------------------------------------------
    def exec(self, s, fr):
        if s is None:
            return
        self.steps += 1                     # statements count against EDAPIPE_MAX_STEPS
        if self.steps > self.max_steps:
            self.step(0, s)
        fn = self._stmt.get(s.kind)
        if fn is None:
            raise self.error(f"unsupported statement: {str(s.kind).split('.')[-1]}", s)
        fn(s, fr)

    def _setup_dispatch(self):
        A = self.A
        SK = A.StatementKind
        self._stmt = {
            SK.List: self.s_list, SK.Block: self.s_block, SK.Empty: lambda s, fr: None,
            SK.ExpressionStatement: self.s_expr, SK.Conditional: self.s_if, SK.Case: self.s_case,
            SK.ForLoop: self.s_for, SK.WhileLoop: self.s_while, SK.RepeatLoop: self.s_repeat,
            SK.VariableDeclaration: self.s_vardecl, SK.Timed: self.s_timed,
            SK.Return: self.s_return,
            SK.ImmediateAssertion: lambda s, fr: props.immediate(self, s, fr),
            SK.ConcurrentAssertion: lambda s, fr: props.concurrent(self, s, fr),
        }
        EK = A.ExpressionKind
        self._EK_named, self._EK_binary, self._EK_unary = EK.NamedValue, EK.BinaryOp, EK.UnaryOp
        self._EK_conv, self._EK_concat, self._EK_cond = EK.Conversion, EK.Concatenation, \
            EK.ConditionalOp
        self._SK_param, self._SK_enumval = A.SymbolKind.Parameter, A.SymbolKind.EnumValue
        SK = A.SymbolKind
        self._skip_kinds = (SK.Port, SK.Parameter, SK.TypeParameter, SK.Genvar, SK.Subroutine,
                            SK.TypeAlias, SK.EmptyMember, SK.TransparentMember,
                            SK.ForwardingTypedef, SK.ExplicitImport, SK.WildcardImport,
                            SK.EnumValue, SK.Specparam, SK.DefParam, SK.StatementBlock,
                            SK.Attribute, SK.NetType, SK.Modport,
                            SK.InterfacePort)
        self._expr = {
            EK.IntegerLiteral: self.e_const, EK.UnbasedUnsizedIntegerLiteral: self.e_unbased,
            EK.NamedValue: self.e_named, EK.HierarchicalValue: self.e_named,
            EK.UnaryOp: self.e_unary, EK.BinaryOp: self.e_binary,
            EK.ConditionalOp: self.e_cond, EK.Concatenation: self.e_concat,
            EK.Replication: self.e_repl, EK.ElementSelect: self.e_select,
            EK.RangeSelect: self.e_range, EK.Conversion: self.e_conv, EK.Call: self.e_call,
            EK.Assignment: self.e_assign_expr, EK.LValueReference: self.e_lvref,
            EK.MemberAccess: self.e_member,
        }
        BO = A.BinaryOperator
        self._cmp = {BO.Equality, BO.Inequality, BO.CaseEquality, BO.CaseInequality,
                     BO.LessThan, BO.LessThanEqual, BO.GreaterThan, BO.GreaterThanEqual,
                     BO.WildcardEquality, BO.WildcardInequality}
        self._bitwise = {id(BO.BinaryAnd): bv.band, id(BO.BinaryOr): bv.bor,
                         id(BO.BinaryXor): bv.bxor,
                         id(BO.BinaryXnor): lambda b, x, y: bv.bnot(bv.bxor(b, x, y))}
        self._logic = {BO.LogicalAnd, BO.LogicalOr, BO.LogicalImplication,
                       BO.LogicalEquivalence}

    def s_list(self, s, fr):
        for x in s.list:
            self.exec(x, fr)
            if fr.depth < 0:
                return

    def s_block(self, s, fr):
        if s.blockKind != self.A.StatementBlockKind.Sequential:
            raise self.error("fork/join blocks are not synthesizable", s)
        self.exec(s.body, fr)

    def s_vardecl(self, s, fr):
        sym = s.symbol
        sig = self.lookup(sym, fr, s)
        init = sym.initializer
        if init is not None:
            val = bv.extend(self.ev(init, fr), sig.width, init.type.isSigned)
            fr.cur[sig] = val
            if fr.nxt is not None:
                fr.nxt[sig] = val

    def s_timed(self, s, fr):
        TK = self.A.TimingControlKind
        if s.timing.kind not in (TK.Delay, TK.Delay3, TK.CycleDelay):
            raise self.error("event control inside a procedural block is not synthesizable", s)
        self.warn("delay inside a procedural block ignored", s)
        self.exec(s.stmt, fr)

    def s_return(self, s, fr):
        ret = fr.ret if fr.ret is not None else fr.owner if fr.mode == "func" else None
        if ret is None:
            raise self.error("return outside a function", s)
        if fr.depth != 0:
            raise self.error("'return' inside a condition or loop is not supported; assign the "
                             "function name instead", s)
        if s.expr is not None:
            val = bv.extend(self.ev(s.expr, fr), ret.width, s.expr.type.isSigned)
            fr.cur[ret] = val
        fr.depth = -1

    def s_expr(self, s, fr):
        A = self.A
        e = s.expr
        k = e.kind
        if k == A.ExpressionKind.Assignment:
            self.do_assign(e, fr)
        elif k == A.ExpressionKind.Call:
            if e.isSystemCall:
                name = e.subroutineName
                if name in ("$readmemh", "$readmemb"):
                    self.readmem(e, fr, name)
                    return
                self.warn(f"system task {name} ignored", e)
                return
            sub = e.subroutine
            if sub.subroutineKind == A.SubroutineKind.Task:
                self.call_task(e, sub, fr)
                return
            self.ev(e, fr)
        elif k == A.ExpressionKind.UnaryOp:
            self.increment(e, fr)
        else:
            raise self.error("unsupported expression statement", s)

    def readmem(self, e, fr, name):
        """`$readmemh/b("file", mem [, start [, finish]])` in an initial block: the data
        file's words become the memory's initial values (IEEE 1800-2017 21.4)."""
        if fr.mode != "init":
            raise self.error(f"{name} outside an initial block is not supported", e)
        args = list(e.arguments)
        if not 2 <= len(args) <= 4:
            raise self.error(f"{name} takes a file name, a memory and an optional start and "
                             "finish address", e)
        fname = self.string_arg(args[0])
        mem = args[1].left if args[1].kind == self.A.ExpressionKind.Assignment else args[1]
        t = mem.type
        if not t.isUnpackedArray or not t.hasFixedRange:
            raise self.error(f"{name}: the second argument must be an unpacked array", mem)
        pieces = self.lv_pieces(mem, fr)
        if len(pieces) != 1 or pieces[0][3] is not None:
            raise self.error(f"{name}: the memory must be a whole array", mem)
        sig, off, width = pieces[0][:3]
        left, right = t.fixedRange.left, t.fixedRange.right
        low, high = min(left, right), max(left, right)
        ew = width // (high - low + 1)
        bounds = [self.const_int(a, fr) for a in args[2:]]
        for a, v in zip(args[2:], bounds):
            if not low <= v <= high:
                raise self.error(f"{name}: address {v} is outside the memory [{left}:{right}]",
                                 a)
        start = bounds[0] if bounds else low
        stop = bounds[1] if len(bounds) > 1 else high
        step = 1 if stop >= start else -1
        src = self.loc(e)[0]
        try:
            path, items = memfile.load(fname, src, self.include_dirs,
                                       16 if name == "$readmemh" else 2, high - low + 1)
        except InputError as exc:
            if exc.file is not None:
                raise
            raise self.error(f"{name}: {exc.reason}", args[0]) from None
        self.place_words(fr, sig, e, items, path,
                         (off, ew, left, right, start, stop, step))

    def place_words(self, fr, sig, where, items, path, layout):
        off, ew, left, right, start, stop, step = layout
        lo, hi = min(start, stop), max(start, stop)
        envs = self._envs(fr, sig, False, where)
        news = [list(env[sig]) if env.get(sig) is not None else [None] * sig.width
                for env in envs]
        addr = start
        for item in items:
            if isinstance(item, memfile.Address):
                addr = item.value
                continue
            if not lo <= addr <= hi:
                self.warn_at(path, item, f"data past the memory's addresses {lo}..{hi} "
                             "ignored (the rest of the file is not read)")
                break
            bits = item.bits
            if any(b for b in bits[ew:]):
                self.warn_at(path, item, f"word wider than the memory's {ew} bits: its "
                             "upper bits are dropped")
            vals = [bits[j] if j < len(bits) else 0 for j in range(ew)]
            base = off + ((addr - right) if left >= right else (right - addr)) * ew
            for new in news:
                for j, v in enumerate(vals):
                    if v is not None:
                        new[base + j] = v
            addr += step
        for env, new in zip(envs, news):
            env[sig] = new

    def warn_at(self, path, item, msg):
        """A warning located in a data file (not in the Verilog source)."""
        key = (msg, path, item.line)
        if key in self.warned or self.warn_fn is None:
            return
        self.warned.add(key)
        self.warn_fn(f"{path}:{item.line}:{item.column}: warning: {msg}")

    def string_arg(self, a):
        """The text of a string literal or of a constant (parameter) holding one."""
        if a.kind == self.A.ExpressionKind.StringLiteral:
            return a.value
        sv = self.const_sv(a)
        if sv is None or sv.hasUnknown:
            raise self.error("expected a file name: a string literal or string parameter", a)
        n = int(sv)
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big").lstrip(b"\0")
        return raw.decode("latin-1")

    def increment(self, e, fr):
        """`i++`, `--i` and friends as statements."""
        UO = self.A.UnaryOperator
        if e.op not in (UO.Postincrement, UO.Preincrement, UO.Postdecrement, UO.Predecrement):
            raise self.error("unsupported expression statement", e)
        val = self.ev(e.operand, fr)
        one = bv.const(1, len(val))
        inc = e.op in (UO.Postincrement, UO.Preincrement)
        new = bv.add(self.b, val, one) if inc else bv.sub(self.b, val, one)
        self.assign_lv(e.operand, new, fr, False)

    def call_task(self, e, sub, fr):
        """Inline a task (no timing) into the caller's frame: its arguments are locals, its
        writes to module signals are the caller's writes, outputs are copied back."""
        A = self.A
        self.call_depth += 1
        if self.call_depth > MAX_CALL_DEPTH:
            raise self.error("task recursion too deep", e)
        outs = []
        for formal, actual in zip(sub.arguments, e.arguments):
            fsig = Signal(formal.name, *self.type_width(formal.type, e), formal.type, formal,
                          local=True)
            fr.locals[formal] = fsig
            d = formal.direction
            if d == A.ArgumentDirection.In:
                val = bv.extend(self.ev(actual, fr), fsig.width, actual.type.isSigned)
                self.write(fr, fsig, 0, val, False, e)
            elif d == A.ArgumentDirection.Out:
                lhs = actual.left if actual.kind == A.ExpressionKind.Assignment else actual
                outs.append((fsig, lhs))
            else:
                raise self.error("task inout arguments are not supported", e)
        depth = fr.depth
        self.exec(sub.body, fr)
        fr.depth = depth
        for fsig, lhs in outs:
            val = self.read_sig(fsig, fr, e)
            width = lhs.type.bitWidth
            self.assign_lv(lhs, bv.extend(val, width, fsig.signed), fr, False)
        for formal in sub.arguments:
            fr.locals.pop(formal, None)
        self.call_depth -= 1

    def inline_function(self, e, sub, fr):
        """A function that writes module signals runs in its caller's frame, as a task does:
        those writes are the caller's (IEEE 1800-2017 13.4 allows them; Yosys inlines too),
        and it reads the caller's current values."""
        A = self.A
        saved = {}
        for formal, actual in zip(sub.arguments, e.arguments):
            if formal.direction != A.ArgumentDirection.In:
                raise self.error("function arguments must be inputs", e)
            fsig = Signal(formal.name, *self.type_width(formal.type, e), formal.type, formal,
                          local=True)
            val = bv.extend(self.ev(actual, fr), fsig.width, actual.type.isSigned)
            saved[formal] = fr.locals.get(formal)
            fr.locals[formal] = fsig
            self.write(fr, fsig, 0, val, False, e)
        rv = sub.returnValVar
        ret = None
        if rv is not None:
            ret = Signal(rv.name, *self.type_width(rv.type, e), rv.type, rv, local=True)
            saved[rv] = fr.locals.get(rv)
            fr.locals[rv] = ret
        self.step(1, e)
        depth, outer_ret = fr.depth, fr.ret
        fr.depth, fr.ret = 0, ret
        try:
            self.exec(sub.body, fr)
        finally:
            fr.depth, fr.ret = depth, outer_ret
        val = self.read_sig(ret, fr, e) if ret is not None else []
        for sym, old in saved.items():
            if old is None:
                fr.locals.pop(sym, None)
            else:
                fr.locals[sym] = old
        return val

    def function_writes(self, ctx, sub):
        """The module signals a function (or the functions it calls) assigns: cached."""
        key = (id(ctx), sub)
        if key in self.fn_writes:
            return self.fn_writes[key]
        self.fn_writes[key] = ()                 # a recursive call adds nothing new
        A = self.A
        EK = A.ExpressionKind
        found = {}

        def visit(x):
            if not isinstance(x, A.Expression):
                return
            if x.kind == EK.Assignment:
                target = x.left
            elif x.kind == EK.UnaryOp:
                target = x.operand
            else:
                return
            for sym in _lvalue_roots(A, target):
                sig = self.module_sig(ctx, sym)
                if sig is not None and not sig.local:
                    found[sig] = None

        sub.body.visit(visit)
        found.update(dict.fromkeys(self.called_function_writes(ctx, sub.body)))
        self.fn_writes[key] = tuple(found)
        return self.fn_writes[key]

    def called_function_writes(self, ctx, node):
        """Module signals written by the functions a statement (or body) calls."""
        A = self.A
        found = {}

        def visit(x):
            if isinstance(x, A.Expression) and x.kind == A.ExpressionKind.Call and \
                    not x.isSystemCall and \
                    x.subroutine.subroutineKind == A.SubroutineKind.Function:
                found.update(dict.fromkeys(self.function_writes(ctx, x.subroutine)))

        node.visit(visit)
        return list(found)

    def do_assign(self, e, fr):
        if e.timingControl is not None:
            self.warn("intra-assignment delay ignored", e)
        lhs = e.left
        width = lhs.type.bitWidth if lhs.type.isIntegral else None
        rhs = e.right
        if e.isCompound:
            # slang binds `a += b` as a = (LValueReference + b): the reference reads the target.
            self.lvref.append(self.ev(lhs, fr))
            try:
                val = self.ev(rhs, fr)
            finally:
                self.lvref.pop()
        else:
            val = self.ev(rhs, fr)
        if width is not None:
            val = bv.extend(val, width, rhs.type.isSigned)
        self.assign_lv(lhs, val, fr, e.isNonBlocking)

    def e_lvref(self, e, fr):
        if not self.lvref:
            raise self.error("unsupported expression: LValueReference", e)
        return bv.extend(self.lvref[-1], e.type.bitWidth, e.type.isSigned)

    def e_assign_expr(self, e, fr):
        raise self.error("assignment inside an expression is not supported", e)

    def assign_lv(self, lhs, val, fr, nonblocking):
        pieces = self.lv_pieces(lhs, fr)
        pos = len(val)
        for sig, off, width, dyn, lo, hi, klo, khi in pieces:       # MSB first
            part = val[pos - width:pos]
            pos -= width
            if klo != 0 or khi != width:
                part = [v if klo <= j < khi else SKIP for j, v in enumerate(part)]
            if dyn is None:
                self.write(fr, sig, off, part, nonblocking, lhs, lo, hi)
            else:
                self.write_dyn(fr, sig, off, width, dyn, part, nonblocking, lhs, lo, hi)

    def s_if(self, s, fr):
        conds = list(s.conditions)
        if len(conds) != 1 or conds[0].pattern is not None:
            raise self.error("pattern-matching if is not supported", s)
        c = self.truth(self.ev(conds[0].expr, fr))
        self.branch(fr, c, s.ifTrue, s.ifFalse)

    def branch(self, fr, c, then, other):
        if c == 1:
            return self.exec(then, fr)
        if c == 0:
            return self.exec(other, fr)
        base_cur, base_nxt = fr.cur, fr.nxt
        fr.depth += 1
        fr.cur = dict(base_cur)
        fr.nxt = dict(base_nxt) if base_nxt is not None else None
        guard = self.enter(fr, c)
        self.exec(then, fr)
        tc, tn = fr.cur, fr.nxt
        fr.cur = dict(base_cur)
        fr.nxt = dict(base_nxt) if base_nxt is not None else None
        self.enter(fr, c ^ 1, guard)
        if other is not None:
            self.exec(other, fr)
        fr.guard = guard
        ec, en = fr.cur, fr.nxt
        fr.depth -= 1
        self.merge(fr, c, (tc, ec), (tn, en))

    def enter(self, fr, c, guard=None):
        """Narrow the frame's path condition to branch condition `c` (of the path condition
        `guard`, default the current one); returns the one before."""
        before = fr.guard if guard is None else guard
        if before is not None and self.track_guards:
            fr.guard = self.b.and_(before, c)
        return before

    def s_case(self, s, fr):
        A = self.A
        CK = A.CaseStatementCondition
        if s.condition == CK.Inside:
            raise self.error("case inside is not supported", s)
        wild = s.condition
        sel_e = s.expr
        sel = self.ev(sel_e, fr)
        arms = []
        consts = set()
        all_const = wild == CK.Normal
        exclusive = all_const          # distinct constant labels: at most one arm matches
        mask = (1 << len(sel)) - 1
        for item in s.items:
            terms = []
            for ie in item.expressions:
                c = self.case_match(sel, sel_e, ie, wild, fr)
                terms.append(c)
                if all_const:
                    sv = self.const_sv(ie)
                    if sv is not None:
                        v = int(sv) if not sv.hasUnknown else None
                    else:           # `-2`: constant, but not folded by slang
                        v = bv.to_int(bv.extend(self.ev(ie, fr), len(sel), ie.type.isSigned))
                    if v is None:
                        all_const = exclusive = False
                    else:
                        exclusive = exclusive and (v & mask) not in consts
                        consts.add(v & mask)
            arms.append((self.b.or_n(terms), item.stmt))
        default = s.defaultCase
        full = all_const and arms and _covers_all(sel, consts)
        if exclusive and len(arms) >= PARALLEL_CASE_ARMS:
            self.case_parallel(fr, arms, default, full)
            return
        if default is None and full:
            # A full case without default: the last arm needs no condition.
            arms[-1] = (1, arms[-1][1])
        self.case_chain(fr, arms, 0, default)

    def case_parallel(self, fr, arms, default, full):
        """A case whose labels are distinct constants as a parallel multiplexer (Yosys's
        $pmux): each bit is the OR over its distinct values of (OR of the conditions of the
        arms that give it) AND value, instead of a priority chain as deep as the case."""
        base_cur, base_nxt = fr.cur, fr.nxt
        branches = list(arms)
        if not full:
            branches.append((self.b.and_n([c ^ 1 for c, _ in arms]), default))
        envs_cur, envs_nxt = [], []
        fr.depth += 1
        guard = fr.guard
        for c, stmt in branches:
            fr.cur = dict(base_cur)
            fr.nxt = dict(base_nxt) if base_nxt is not None else None
            self.enter(fr, c, guard)
            self.exec(stmt, fr)
            envs_cur.append(fr.cur)
            envs_nxt.append(fr.nxt)
        fr.guard = guard
        fr.depth -= 1
        conds = [c for c, _ in branches]
        fr.cur = self._merge_parallel(fr, conds, envs_cur)
        fr.nxt = self._merge_parallel(fr, conds, envs_nxt) if base_nxt is not None else None

    def _merge_parallel(self, fr, conds, envs):
        b = self.b
        sigs = {}
        for env in envs:
            sigs.update(dict.fromkeys(env))
        out = {}
        for sig in sigs:
            vecs = [env.get(sig) for env in envs]
            if all(v is vecs[0] for v in vecs):
                out[sig] = vecs[0]
                continue
            new = []
            for i in range(sig.width):
                bits = [v[i] if v is not None else None for v in vecs]
                if all(x is bits[0] or x == bits[0] for x in bits):
                    new.append(bits[0])
                    continue
                bits = [self.hold(fr, sig, i) if x is None else x for x in bits]
                live = [(c, x) for c, x in zip(conds, bits) if c != 0]
                if any(x is None or x == LATCH for _, x in live):
                    new.append(LATCH)
                    continue
                groups = {}
                for c, x in live:
                    groups.setdefault(x, []).append(c)
                terms = []
                for x, cs in groups.items():
                    if x == 0:
                        continue
                    cc = b.or_n(cs)
                    terms.append(cc if x == 1 else b.and_(cc, x))
                new.append(b.or_n(terms))
            out[sig] = new
        return out

    def case_chain(self, fr, arms, k, default):
        if k == len(arms):
            self.exec(default, fr)
            return
        c, stmt = arms[k]
        if c == 1:
            self.exec(stmt, fr)
            return
        base_cur, base_nxt = fr.cur, fr.nxt
        fr.depth += 1
        fr.cur = dict(base_cur)
        fr.nxt = dict(base_nxt) if base_nxt is not None else None
        guard = self.enter(fr, c)
        self.exec(stmt, fr)
        tc, tn = fr.cur, fr.nxt
        fr.cur = dict(base_cur)
        fr.nxt = dict(base_nxt) if base_nxt is not None else None
        self.enter(fr, c ^ 1, guard)
        self.case_chain(fr, arms, k + 1, default)
        fr.guard = guard
        ec, en = fr.cur, fr.nxt
        fr.depth -= 1
        self.merge(fr, c, (tc, ec), (tn, en))

    def case_match(self, sel, sel_e, ie, wild, fr):
        CK = self.A.CaseStatementCondition
        width = len(sel)
        mask = None
        sv = self.const_sv(ie) if wild != CK.Normal else None
        if sv is not None:
            if sv.hasUnknown:
                s = sv.toString(self.ps.LiteralBase.Binary, False).rjust(sv.bitWidth, "0")
                s = s[::-1]
                vals, mask = [], []
                for i in range(width):
                    ch = s[i] if i < len(s) else s[-1] if s[-1] in "xz" else "0"
                    dont = ch == "z" or (ch == "x" and wild == CK.WildcardXOrZ)
                    if ch == "x" and wild == CK.WildcardJustZ:
                        self.warn("x in a casez item never matches in simulation; treated "
                                  "as don't-care", ie)
                        dont = True
                    mask.append(not dont)
                    vals.append(1 if ch == "1" else 0)
                return self.b.and_n([(l if v else l ^ 1) for l, v, m in zip(sel, vals, mask)
                                     if m])
        val = bv.extend(self.ev(ie, fr), width, ie.type.isSigned)
        return bv.eq(self.b, sel, val)

    def loop_guard(self, count, s):
        if count > MAX_LOOP:
            raise self.error(f"loop runs more than {MAX_LOOP} iterations", s)
        self.step(1 if count > 0 else 0, s)

    def step(self, n, where):
        """Count statements, loop iterations and calls against EDAPIPE_MAX_STEPS (nested
        loops, long loop bodies)."""
        self.steps += n
        if self.steps > self.max_steps:
            raise limits.over_budget(self.at(where),
                                     "elaboration executes too many statements, loop "
                                     "iterations and function calls in total",
                                     self.max_steps, limits.STEPS_VARIABLE)

    def cond_const(self, e, fr, s):
        c = self.truth(self.ev(e, fr))
        if c > 1:
            raise self.error("loop condition does not have a constant value at elaboration "
                             "(loops need constant bounds)", s)
        return c

    def s_for(self, s, fr):
        for v in s.loopVars:
            sig = self.lookup(v, fr, s)
            if v.initializer is not None:
                val = bv.extend(self.ev(v.initializer, fr), sig.width,
                                v.initializer.type.isSigned)
                self.write(fr, sig, 0, val, False, s)
        for e in s.initializers:
            self.ev_effect(e, fr)
        n = 0
        while s.stopExpr is None or self.cond_const(s.stopExpr, fr, s):
            n += 1
            self.loop_guard(n, s)
            self.exec(s.body, fr)
            if fr.depth < 0:
                break
            for e in s.steps:
                self.ev_effect(e, fr)

    def ev_effect(self, e, fr):
        A = self.A
        if e.kind == A.ExpressionKind.Assignment:
            self.do_assign(e, fr)
        elif e.kind == A.ExpressionKind.UnaryOp:
            self.increment(e, fr)
        else:
            raise self.error("unsupported loop step", e)

    def s_while(self, s, fr):
        n = 0
        while self.cond_const(s.cond, fr, s):
            n += 1
            self.loop_guard(n, s)
            self.exec(s.body, fr)

    def s_repeat(self, s, fr):
        count = bv.to_int(self.ev(s.count, fr))
        if count is None:
            raise self.error("repeat count is not constant", s)
        if count > MAX_LOOP:
            raise self.error(f"loop runs more than {MAX_LOOP} iterations", s)
        for _ in range(count):
            self.step(1, s)
            self.exec(s.body, fr)

    # ---- lvalues ---------------------------------------------------------------------------
    def lv_pieces(self, e, fr):
        """Pieces of an lvalue, MSB first: (signal, offset, width, dyn, lo, hi, klo, khi).

        The piece's bits go to offset (+ stride * index when dyn) onwards; only bits that land
        in [lo, hi) of the signal are written (the range of the value the select is taken
        from: a partly out-of-range part-select writes its in-range bits), and only bits j of
        the piece with klo <= j < khi (a constant select inside a variable-indexed element).
        """
        A = self.A
        EK = A.ExpressionKind
        k = e.kind
        if k == EK.NamedValue or k == EK.HierarchicalValue:
            sig = self.lookup(e.symbol, fr, e)
            return [(sig, 0, sig.width, None, 0, sig.width, 0, sig.width)]
        if k == EK.Concatenation:
            out = []
            for o in e.operands:
                out.extend(self.lv_pieces(o, fr))
            return out
        if k == EK.ElementSelect or k == EK.RangeSelect:
            inner = self.lv_pieces(e.value, fr)
            if len(inner) != 1:
                raise self.error("select of a concatenation as a target", e)
            sig, off, width, dyn, lo, hi, klo, khi = inner[0]
            if klo != 0 or khi != width:
                raise self.error("select of a partly out-of-range select as a target", e)
            sub_off, sub_dyn, w = self.select_offset(e, fr)
            if sub_dyn is None:
                if dyn is None:
                    # the container is bits [off, off + width) of the signal
                    return [(sig, off + sub_off, w, None, max(lo, off),
                             min(hi, off + width), 0, w)]
                return [(sig, off + sub_off, w, dyn, lo, hi, max(0, -sub_off),
                         max(0, min(w, width - sub_off)))]
            if dyn is None:
                return [(sig, off + sub_off, w, sub_dyn, max(lo, off), min(hi, off + width),
                         0, w)]
            # m[i][j]: offset = off + s1*i + s2*j with s1 a multiple of s2.
            (i1, v1, s1), (i2, v2, s2) = dyn, sub_dyn
            if v1 is None or v2 is None or s1 % s2 or w != s2:
                raise self.error("a variable part-select inside a variable-indexed element "
                                 "as an assignment target is not supported", e)
            # j must stay inside element i (its bits would land in element i+1)
            nsub = width // s2
            if (1 << len(i2)) > nsub:
                v2 = self.b.and_(v2, bv.ult(self.b, bv.extend(i2, len(i2) + 1, False),
                                            bv.const(nsub, len(i2) + 1)))
            n = max(len(i1) + (s1 // s2).bit_length(), len(i2)) + 1
            i1 = bv.mul(self.b, bv.extend(i1, n, False), bv.const(s1 // s2, n))
            idx = bv.add(self.b, i1, bv.extend(i2, n, False))
            return [(sig, off + sub_off, w, (idx, self.b.and_(v1, v2), s2), lo, hi, 0, w)]
        if k == EK.MemberAccess:
            inner = self.lv_pieces(e.value, fr)
            if len(inner) != 1:
                raise self.error("member of a concatenation as a target", e)
            sig, off, width, dyn, lo, hi, klo, khi = inner[0]
            fo, fw = self.member_field(e)
            if klo != 0 or khi != width:
                raise self.error("member of a partly out-of-range select as a target", e)
            if dyn is None:
                return [(sig, off + fo, fw, None, max(lo, off), min(hi, off + width), 0, fw)]
            return [(sig, off + fo, fw, dyn, lo, hi, 0, fw)]
        if k == EK.Conversion:
            return self.lv_pieces(e.operand, fr)
        raise self.error(f"unsupported assignment target ({str(k).split('.')[-1]})", e)

    def select_offset(self, e, fr):
        """Offset (LSB, in bits within the selected value) of an element or range select.

        Returns (const_offset, dyn, width): dyn is None or (index vector, valid, stride) with
        offset = const_offset + stride * index.
        """
        A = self.A
        vt = e.value.type
        width = e.type.bitWidth if not e.type.isUnpackedArray else \
            self.type_width(e.type, e)[0]
        r = vt.fixedRange
        left, right = r.left, r.right
        desc = left >= right
        nelem = abs(left - right) + 1
        total = self.type_width(vt, e)[0]
        ew = total // nelem
        if e.kind == A.ExpressionKind.ElementSelect:
            sel_e = e.selector
            lo_delta = 0
            count = 1
        else:
            RK = A.RangeSelectionKind
            sk = e.selectionKind
            if sk == RK.Simple:
                self.const_int(e.left, fr)       # must be constant too
                n = self.const_int(e.right, fr)
                lsb_idx = n
                off = (lsb_idx - right) if desc else (right - lsb_idx)
                return off * ew, None, width
            count = self.const_int(e.right, fr)
            sel_e = e.left
            if sk == RK.IndexedUp:
                lo_delta = 0 if desc else count - 1
            else:
                lo_delta = -(count - 1) if desc else 0
        sel = self.ev(sel_e, fr)
        signed = sel_e.type.isSigned
        k = bv.to_int(sel, signed)
        if k is not None:
            idx = k + lo_delta
            off = (idx - right) if desc else (right - idx)
            return off * ew, None, width
        # Variable index: offset = ew * (sel + lo_delta - right) or ew * (right - sel - lo_delta)
        c = lo_delta - right if desc else right - lo_delta
        if desc and c == 0 and not signed:
            return 0, (sel, 1, ew), width
        w = max(len(sel), abs(c).bit_length(), (nelem).bit_length()) + 2
        x = bv.extend(sel, w, signed)
        if not desc:
            x = bv.neg(self.b, x)
        d = bv.add(self.b, x, bv.const(c & ((1 << w) - 1), w))
        if e.kind == A.ExpressionKind.ElementSelect:
            return 0, (d[:-1], d[-1] ^ 1, ew), width
        return 0, (d, None, ew), width     # two's complement offset: may hang out below

    def const_sv(self, e):
        """The SVInt of a constant expression (x/z kept), or None."""
        EK = self.A.ExpressionKind
        while True:
            cv = e.constant
            if cv is not None:
                v = cv.value
                return v if isinstance(v, self.ps.SVInt) else None
            if e.kind in (EK.IntegerLiteral, EK.UnbasedUnsizedIntegerLiteral):
                return e.value
            if e.kind == EK.Conversion:
                e = e.operand
                continue
            return None

    def const_int(self, e, fr):
        v = bv.to_int(self.ev(e, fr), e.type.isSigned)
        if v is None:
            raise self.error("expression must be constant", e)
        return v

    # ---- expressions -----------------------------------------------------------------------
    def const_bits(self, cv, width, where):
        self.check_width(width, where)
        self.b.charge(width // 4)
        sv = cv.value if not isinstance(cv, self.ps.SVInt) else cv
        if not isinstance(sv, self.ps.SVInt):
            raise self.error(f"non-integer constant '{cv}' is not supported", where)
        if not sv.hasUnknown:
            return bv.const(int(sv) & ((1 << width) - 1) if width else 0, width)
        s = sv.toString(self.ps.LiteralBase.Binary, False).lstrip("-")
        n = sv.bitWidth
        s = s.rjust(n, "0")[::-1]
        self.warn("x/z bits in a constant are taken as 0", where)
        bits = [1 if ch == "1" else 0 for ch in s[:width]]
        fill = 1 if (sv.isSigned and s and s[-1] == "1") else 0
        return bits + [fill] * (width - len(bits))

    def ev(self, e, fr):
        # Identity tests first: enum hashing is Python code and this is the hot path.
        k = e.kind
        if k is self._EK_named:
            return self.e_named(e, fr)
        if k is self._EK_binary:
            return self.e_binary(e, fr)
        if k is self._EK_unary:
            return self.e_unary(e, fr)
        if k is self._EK_conv:
            return self.e_conv(e, fr)
        if k is not self._EK_concat and k is not self._EK_cond:
            cv = e.constant
            if cv is not None:
                t = e.type
                if t.isIntegral:
                    return self.const_bits(cv, t.bitWidth, e)
        fn = self._expr.get(k)
        if fn is None:
            raise self.error(f"unsupported expression: {str(e.kind).split('.')[-1]}", e)
        return fn(e, fr)

    def e_const(self, e, fr):
        return self.const_bits(e.value, e.type.bitWidth, e)

    def e_unbased(self, e, fr):
        return self.const_bits(e.value, e.type.bitWidth, e)

    def e_named(self, e, fr):
        sym = e.symbol
        sig = fr.ctx.sigs.get(sym)
        if sig is not None and not fr.cur and fr.mode not in CONST_MODES:
            bits = sig.bits
            for v in bits:
                if type(v) is not int:
                    return self.value(sig)
            return list(bits)
        if sig is None:
            k = sym.kind
            if k is self._SK_param or k is self._SK_enumval:
                return self.const_bits(sym.value, e.type.bitWidth, e)
            sig = self.lookup(sym, fr, e)
        return self.read_sig(sig, fr, e)

    def e_unary(self, e, fr):
        UO = self.A.UnaryOperator
        op = e.op
        x = self.ev(e.operand, fr)
        b = self.b
        if op is UO.BitwiseNot:
            return [lit ^ 1 for lit in x]
        b.charge(len(x))
        if op == UO.Minus:
            return bv.neg(b, x)
        if op == UO.Plus:
            return x
        if op == UO.LogicalNot:
            return [self.truth(x) ^ 1]
        if op == UO.BitwiseAnd:
            return [b.and_n(x)]
        if op == UO.BitwiseOr:
            return [b.or_n(x)]
        if op == UO.BitwiseXor:
            return [b.xor_n(x)]
        if op == UO.BitwiseNand:
            return [b.and_n(x) ^ 1]
        if op == UO.BitwiseNor:
            return [b.or_n(x) ^ 1]
        if op == UO.BitwiseXnor:
            return [b.xor_n(x) ^ 1]
        raise self.error(f"operator {str(op).split('.')[-1]} in an expression is not supported", e)

    def e_binary(self, e, fr):
        BO = self.A.BinaryOperator
        op = e.op
        b = self.b
        fast = self._bitwise.get(id(op))
        if fast is not None:
            x = self.ev(e.left, fr)
            y = self.ev(e.right, fr)
            if len(x) != len(y):
                width = e.type.bitWidth
                signed = e.type.isSigned
                x = bv.extend(x, width, signed)
                y = bv.extend(y, width, signed)
            return fast(b, x, y)
        if op in self._logic:
            x = self.truth(self.ev(e.left, fr))
            if op == BO.LogicalAnd and x == 0:
                return [0]
            if op == BO.LogicalOr and x == 1:
                return [1]
            y = self.truth(self.ev(e.right, fr))
            if op == BO.LogicalAnd:
                r = b.and_(x, y)
            elif op == BO.LogicalOr:
                r = b.or_(x, y)
            elif op == BO.LogicalImplication:
                r = b.or_(x ^ 1, y)
            else:
                r = b.xnor_(x, y)
            return bv.extend([r], e.type.bitWidth, False)
        x = self.ev(e.left, fr)
        y = self.ev(e.right, fr)
        if op in self._cmp:
            n = max(len(x), len(y))
            signed = e.left.type.isSigned and e.right.type.isSigned
            x = bv.extend(x, n, signed)
            y = bv.extend(y, n, signed)
            if op in (BO.Equality, BO.CaseEquality, BO.WildcardEquality):
                r = bv.eq(b, x, y)
            elif op in (BO.Inequality, BO.CaseInequality, BO.WildcardInequality):
                r = bv.eq(b, x, y) ^ 1
            else:
                lt = bv.slt if signed else bv.ult
                if op == BO.LessThan:
                    r = lt(b, x, y)
                elif op == BO.GreaterThan:
                    r = lt(b, y, x)
                elif op == BO.LessThanEqual:
                    r = lt(b, y, x) ^ 1
                else:
                    r = lt(b, x, y) ^ 1
            return bv.extend([r], e.type.bitWidth, False)
        width = e.type.bitWidth
        signed = e.type.isSigned
        if op in (BO.LogicalShiftLeft, BO.ArithmeticShiftLeft):
            return bv.shift(b, bv.extend(x, width, signed), y, True)
        if op == BO.LogicalShiftRight:
            return bv.shift(b, bv.extend(x, width, signed), y, False)
        if op == BO.ArithmeticShiftRight:
            x = bv.extend(x, width, signed)
            return bv.shift(b, x, y, False, x[-1] if (signed and x) else 0)
        if op == BO.Power:
            base = bv.to_int(x, e.left.type.isSigned)
            ex = bv.to_int(y, e.right.type.isSigned)
            if base is not None and ex is not None and ex >= 0:
                # modular: 3 ** 4294967295 needs only its low `width` bits
                if base % 2 == 0 and ex >= width:
                    return bv.const(0, width)       # 2**width divides it
                if width * ex.bit_length() > MAX_POWER_WORK:
                    raise self.error(f"'**' of constants too large to compute ({width}-bit "
                                     f"result, {ex.bit_length()}-bit exponent)", e)
                return bv.const(pow(base, ex, 1 << width) if width else 0, width)
            if base == 2 and not e.right.type.isSigned:
                return bv.shift(b, bv.const(1, width), y, True)
            return self.power(bv.extend(x, width, e.left.type.isSigned), y,
                              e.left.type.isSigned, e.right.type.isSigned)
        x = bv.extend(x, width, signed)
        y = bv.extend(y, width, signed)
        if op == BO.Add:
            return bv.add(b, x, y)
        if op == BO.Subtract:
            return bv.sub(b, x, y)
        if op == BO.Multiply:
            return bv.mul(b, x, y)
        if op == BO.BinaryAnd:
            return bv.band(b, x, y)
        if op == BO.BinaryOr:
            return bv.bor(b, x, y)
        if op == BO.BinaryXor:
            return bv.bxor(b, x, y)
        if op == BO.BinaryXnor:
            return bv.bnot(bv.bxor(b, x, y))
        if op in (BO.Divide, BO.Mod):
            if bv.to_int(y) is None:
                self.warn("division by a non-constant builds a large divider", e)
            q, r = bv.divmod_(b, x, y, signed)
            return q if op == BO.Divide else r
        raise self.error(f"operator {str(op).split('.')[-1]} is not supported", e)

    def power(self, x, y, x_signed, y_signed):
        """x ** y on len(x) bits by square-and-multiply over the bits of y. A negative y
        (signed) gives 1 for x == 1, +-1 for x == -1 (signed), 0 otherwise (x for x == 0,
        taken as 0), as IEEE 1364 11.4.3 says."""
        b = self.b
        width = len(x)
        ebits = y[:-1] if y_signed else y
        acc = bv.const(1, width)
        sq = list(x)
        for k, bit in enumerate(ebits):
            if bit != 0:
                acc = bv.mux(b, bit, bv.mul(b, acc, sq), acc)
            if k + 1 < len(ebits) and any(v != 0 for v in ebits[k + 1:]):
                sq = bv.mul(b, sq, sq)
        if not y_signed or not y or y[-1] == 0:
            return acc
        one = bv.const(1, width)
        is_one = bv.eq(b, x, one)
        neg = one if not x_signed else bv.mux(b, y[0], bv.const(-1 & ((1 << width) - 1),
                                                                  width), one)
        is_m1 = bv.eq(b, x, bv.const((1 << width) - 1, width)) if x_signed else 0
        small = bv.mux(b, is_one, one, bv.mux(b, is_m1, neg, bv.const(0, width)))
        return bv.mux(b, y[-1], small, acc)

    def e_cond(self, e, fr):
        conds = list(e.conditions)
        if len(conds) != 1 or conds[0].pattern is not None:
            raise self.error("pattern-matching ?: is not supported", e)
        c = self.truth(self.ev(conds[0].expr, fr))
        width = e.type.bitWidth
        if c == 1:
            return bv.extend(self.ev(e.left, fr), width, e.left.type.isSigned)
        if c == 0:
            return bv.extend(self.ev(e.right, fr), width, e.right.type.isSigned)
        t = bv.extend(self.ev(e.left, fr), width, e.left.type.isSigned)
        f = bv.extend(self.ev(e.right, fr), width, e.right.type.isSigned)
        return bv.mux(self.b, c, t, f)

    def e_concat(self, e, fr):
        out = []
        for o in reversed(list(e.operands)):
            if o.type.isIntegral or o.type.isUnpackedArray:
                out.extend(self.ev(o, fr))
                if len(out) > MAX_WIDTH and not e.type.isUnpackedArray:
                    self.check_width(len(out), e)
            else:
                raise self.error("unsupported operand in concatenation", o)
        return out

    def e_repl(self, e, fr):
        n = self.const_int(e.count, fr)
        inner = self.ev(e.concat, fr)
        if n < 0:
            raise self.error(f"replication count {n} is negative", e)
        self.check_width(n * len(inner), e)
        return inner * n

    def e_select(self, e, fr):
        if not (e.value.type.isIntegral or e.value.type.isUnpackedArray):
            raise self.error("select of a non-integral value", e)
        off, dyn, width = self.select_offset(e, fr)
        v = e.value
        if dyn is None and v.kind in (self.A.ExpressionKind.NamedValue,
                                      self.A.ExpressionKind.HierarchicalValue) and \
                v.symbol.kind != self.A.SymbolKind.Parameter:
            # Read only the selected bits: `assign p[i] = p[i-1] ^ x` is not a loop.
            sig = self.lookup(v.symbol, fr, v)
            lo, hi = max(off, 0), min(off + width, sig.width)
            vals = self.read_sig(sig, fr, v, lo, hi) if hi > lo else []
            out = [0] * min(max(-off, 0), width) + vals
            return out + [0] * (width - len(out))
        if dyn is None and v.kind in (self.A.ExpressionKind.ElementSelect,
                                      self.A.ExpressionKind.RangeSelect,
                                      self.A.ExpressionKind.MemberAccess):
            # `c[3:0][0]` (a slice of an array-of-instances connection): only those bits
            root = _static_root(self.A, v)
            if root is not None and self.module_sig(fr.ctx, root) is not None:
                try:
                    pieces = self.lv_pieces(v, fr)
                except InputError:
                    pieces = ()
                if len(pieces) == 1 and pieces[0][3] is None:
                    sig, poff, pw, _, plo, phi, klo, khi = pieces[0]
                    if klo == 0 and khi == pw:
                        lo = max(off, 0, plo - poff)
                        hi = min(off + width, pw, phi - poff)
                        vals = self.read_sig(sig, fr, v, poff + lo, poff + hi) \
                            if hi > lo else []
                        out = [0] * (lo - off) + vals if hi > lo else []
                        return out + [0] * (width - len(out))
        val = self.ev(v, fr)
        return self.read_at(val, off, dyn, width)

    def e_range(self, e, fr):
        return self.e_select(e, fr)

    def member_field(self, e):
        """(bit offset from the LSB, width) of a member of a packed struct or union."""
        if not e.value.type.isIntegral or not e.type.isIntegral:
            raise self.error("member access of an unpacked struct or union is not supported",
                             e)
        return e.member.bitOffset, e.type.bitWidth

    def e_member(self, e, fr):
        off, width = self.member_field(e)
        val = self.ev(e.value, fr)
        return bv.extend(val[off:off + width], width, False)

    def read_at(self, val, off, dyn, width):
        if dyn is None:
            out = val[max(off, 0):off + width] if off + width > 0 else []
            if off < 0:
                out = [0] * min(-off, width) + out
            return out + [0] * (width - len(out))
        idx, valid, stride = dyn
        b = self.b
        if valid is None:
            # Signed element offset: pad below so partly-out-of-range selects keep their
            # in-range bits (the others read as 0, like Yosys's x after setundef).
            bias = width
            pad = [0] * bias + (val[off:] if off >= 0 else [0] * -off + val) + [0] * width
            n = len(idx) + max(stride, bias).bit_length() + 2
            amount = bv.mul(b, bv.extend(idx, n, True), bv.const(stride, n)) if stride != 1 \
                else bv.extend(idx, n, True)
            amount = bv.add(b, amount, bv.const(bias, n))
            ok = amount[-1] ^ 1
            out = bv.shift(b, pad, amount[:-1], False)[:width]
            return [b.and_(x, ok) for x in out]
        if stride == width and off == 0:
            words = [val[k:k + width] for k in range(0, len(val) - width + 1, stride)]
            out = bv.select_word(b, words, idx, width)
        else:
            sh = bv.mul(b, bv.extend(idx, len(idx) + stride.bit_length(), False),
                        bv.const(stride, len(idx) + stride.bit_length())) if stride != 1 else idx
            vec = val[off:] if off >= 0 else [0] * -off + val
            out = bv.shift(b, vec + [0] * width, sh, False)[:width]
        if valid != 1:
            out = [b.and_(x, valid) for x in out]
        return out

    def e_conv(self, e, fr):
        op = e.operand
        t = e.type
        if not t.isIntegral:
            raise self.error(f"conversion to '{t}' is not supported", e)
        if not op.type.isIntegral:
            raise self.error(f"'{op.type}' values are not supported", e)
        signed = op.type.isSigned
        if e.conversionKind == self.A.ConversionKind.Propagated:
            signed = signed and t.isSigned
        self.check_width(t.bitWidth, e)
        return bv.extend(self.ev(op, fr), t.bitWidth, signed)

    def e_call(self, e, fr):
        A = self.A
        args = list(e.arguments)
        width = e.type.bitWidth if e.type.isIntegral else 0
        if e.isSystemCall:
            name = e.subroutineName
            if name in ("$signed", "$unsigned"):
                return bv.extend(self.ev(args[0], fr), width, args[0].type.isSigned)
            raise self.error(f"system function {name} is not supported here", e)
        sub = e.subroutine
        if sub.subroutineKind == A.SubroutineKind.Task:
            raise self.error("task calls are not supported; use a function", e)
        self.call_depth += 1
        if self.call_depth > MAX_CALL_DEPTH:
            raise self.error("function recursion too deep", e)
        if self.function_writes(fr.ctx, sub):
            if fr.mode not in ("comb", "ff", "init"):
                raise self.error(f"function '{excerpt(sub.name)}' writes module signals: it "
                                 "can only be called from an always or initial block", e)
            val = self.inline_function(e, sub, fr)
            self.call_depth -= 1
            return val
        call = Frame(self, fr.ctx, "func")
        call.depth = 0
        ret = None
        rv = sub.returnValVar
        if rv is not None:
            ret = self.lookup(rv, call, e)
        call.owner = ret
        for formal, actual in zip(sub.arguments, args):
            d = formal.direction
            if d != A.ArgumentDirection.In:
                raise self.error("function arguments must be inputs", e)
            fsig = self.lookup(formal, call, e)
            val = bv.extend(self.ev(actual, fr), fsig.width, actual.type.isSigned)
            call.cur[fsig] = val
        self.step(1, e)
        start = dict(call.cur)
        self.exec(sub.body, call)
        if ret is not None:
            vals = call.cur.get(ret)
            if vals is None or any(v is None or v == LATCH for v in vals):
                # x on the paths that leave it unassigned: taken as 0 (as x constants are)
                self.warn(f"function '{excerpt(sub.name)}' does not assign its result on "
                          "every path: taken as 0 there", e)
                call.cur = dict(start)
                call.cur[ret] = [0] * ret.width
                call.depth = 0
                self.step(1, e)
                self.exec(sub.body, call)
        self.call_depth -= 1
        if ret is None:
            return []
        return call.cur.get(ret)




def _claimed(targets, bits):
    """(signal, bit) pairs a block drives: the bits it may write (all of a signal written
    through a variable index)."""
    out = []
    for s in targets:
        b = bits.get(s)
        out.extend((s, i) for i in (range(s.width) if b is None else sorted(b)))
    return out


def _unwrap(A, s):
    while s is not None:
        if s.kind == A.StatementKind.Block:
            s = s.body
        elif s.kind == A.StatementKind.List and len(s.list) == 1:
            s = s.list[0]
        else:
            return s
    return s


def _covers_all(sel, labels, limit=16):
    """Whether constant case labels cover every value the selector vector can take. The
    selector is widened to the labels' width (`case (s) 0: .. 3:` on a 2-bit s compares 32
    bits): only its non-constant bits vary, and a bit that repeats another (a sign
    extension) must agree with it."""
    var_of = {}
    for lit in sel:
        if lit > 1:
            var_of.setdefault(lit >> 1, len(var_of))
    n = len(var_of)
    if n > limit:
        return False
    seen = set()
    for v in labels:
        v &= (1 << len(sel)) - 1
        assign = [None] * n
        ok = True
        for i, lit in enumerate(sel):
            bit = (v >> i) & 1
            if lit <= 1:
                ok = bit == lit
            else:
                k = var_of[lit >> 1]
                x = bit ^ (lit & 1)
                ok = assign[k] is None or assign[k] == x
                assign[k] = x
            if not ok:
                break
        if ok:
            seen.add(tuple(assign))
    return len(seen) == 1 << n


def _static_root(A, e):
    """The symbol under a chain of selects and member accesses (None for anything else)."""
    EK = A.ExpressionKind
    while e.kind in (EK.ElementSelect, EK.RangeSelect, EK.MemberAccess):
        e = e.value
    return e.symbol if e.kind in (EK.NamedValue, EK.HierarchicalValue) else None


def _has_hierarchical(A, e):
    """Whether an assignment target names a signal hierarchically."""
    k = e.kind
    if k == A.ExpressionKind.HierarchicalValue:
        return True
    if k == A.ExpressionKind.Concatenation:
        return any(_has_hierarchical(A, o) for o in e.operands)
    if k in (A.ExpressionKind.ElementSelect, A.ExpressionKind.RangeSelect,
             A.ExpressionKind.MemberAccess):
        return _has_hierarchical(A, e.value)
    if k == A.ExpressionKind.Conversion:
        return _has_hierarchical(A, e.operand)
    return False


def _lvalue_roots(A, e):
    """The variables an assignment target writes (`m[i][3:0]` writes m, not i)."""
    EK = A.ExpressionKind
    k = e.kind
    if k in (EK.NamedValue, EK.HierarchicalValue):
        return [e.symbol]
    if k in (EK.ElementSelect, EK.RangeSelect, EK.MemberAccess):
        return _lvalue_roots(A, e.value)
    if k == EK.Conversion:
        return _lvalue_roots(A, e.operand)
    if k == EK.Concatenation:
        return [s for o in e.operands for s in _lvalue_roots(A, o)]
    return []


def _named_symbols(A, e):
    out = set()

    def visit(x):
        k = x.kind
        if k == A.ExpressionKind.NamedValue:
            out.add(x.symbol)
        for attr in ("operand", "left", "right", "value", "selector"):
            y = getattr(x, attr, None)
            if y is not None and hasattr(y, "kind") and isinstance(y.kind, A.ExpressionKind):
                visit(y)
        if k == A.ExpressionKind.Concatenation:
            for o in x.operands:
                visit(o)

    visit(e)
    return out


def elaborate(parsed, filename, top=None, warn=None, bit_names="declared", include_dirs=()):
    """The AIG of the top module of a compiled design (see edapipe.synth.rtl.frontend).

    include_dirs: where `$readmemh/b` data files are looked for after the source's folder."""
    el = Elaborator(parsed, filename, warn, bit_names, include_dirs)
    tops = parsed.tops
    if top is not None:
        tops = [t for t in tops if t.name == top]
    if len(tops) != 1:
        names = ", ".join(t.name for t in parsed.tops)
        raise InputError(f"several top-level modules ({names}): choose one with --top",
                         file=filename)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 1_000_000))
    try:
        aig = el.run(tops[0])
    except (_TooDeep, RecursionError) as deep:
        where = deep.args[0] if isinstance(deep, _TooDeep) else el.current
        raise el.error("logic too deep to elaborate (Python's recursion limit, about "
                       f"{sys.getrecursionlimit():,} calls, was reached below this "
                       "point)", where) from None
    finally:
        sys.setrecursionlimit(old)
    return aig
