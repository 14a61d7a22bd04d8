"""Analyses: operating point, DC sweep, AC small-signal and transient.

Newton-Raphson follows ngspice: junction limiting in the device kernels, convergence when every
unknown moves by less than RELTOL*max(|new|,|old|) + VNTOL (ABSTOL for currents) and no device
limited its voltages; dynamic gmin stepping and then source stepping when plain Newton fails.
Transient: backward Euler after breakpoints, then trapezoidal (or Gear-2 with method=gear),
step size from the local truncation error of the charges (ngspice's cktterr.c), breakpoints
at source corners.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from edapipe.analog import limits
from edapipe.analog import newton_kernels as NK
from edapipe.analog.circuit import Circuit
from edapipe.analog.devices import NONLINEAR, switch
from edapipe.analog.devices.behavioural import stamp_behavioural
from edapipe.analog.devices.common_kernels import Group, Stamps
from edapipe.analog.devices.mos1_kernels import MS_N
from edapipe.analog.devices.mos_common_kernels import BYPASS_AT, BYPASS_OK, M_LEVEL
from edapipe.analog.expr import parse_number
from edapipe.analog.lu_kernels import StaticLU
from edapipe.analog.mna import System, build, rhs_ac, rhs_sources
from edapipe.analog.results import Result  # noqa: F401  (also imported from here)
from edapipe.analog.results import Singular as _Singular
from edapipe.analog.results import ac_frequencies
from edapipe.analog.parser import Card, split_tokens
from edapipe.errors import InputError, ResourceLimit, excerpt


# ngspice's NIiter raises every iteration limit below 100 to 100 (niiter.c: "some convergence
# issues that get resolved by increasing max iter"), so ITL1, ITL2 and ITL4 (10 by default)
# never stop a Newton solve before 100 iterations; the callers' own heuristics (gmin
# stepping's quick/slow steps) still use ITL2 as given.
NIITER_MIN = 100


# Linear circuits of at most this many unknowns are solved with numpy's dense LU (LAPACK):
# a compiled sparse LU would cost numba's import and kernel loads (~0.15 s of CPU), far
# more than such a solve; nonlinear circuits always take the Newton kernels.
DENSE_MAX = 32


class _DenseLU:
    """A small real system by LAPACK's LU with partial pivoting (numpy.linalg.solve)."""

    def __init__(self, data, indptr, indices, n):
        a = np.zeros((n, n))
        a[indices, np.repeat(np.arange(n), np.diff(indptr))] = data
        try:
            np.linalg.solve(a, np.zeros(n))     # LAPACK raises on an exactly zero pivot
        except np.linalg.LinAlgError:
            raise _Singular() from None
        self.a = a

    def solve(self, rhs):
        return np.linalg.solve(self.a, rhs)


@dataclass
class Options:
    reltol: float = 1e-3
    abstol: float = 1e-12
    vntol: float = 1e-6
    chgtol: float = 1e-14
    trtol: float = 7.0
    gmin: float = 1e-12
    itl1: int = 100
    itl2: int = 50
    itl4: int = 10
    gminsteps: int = 1     # 0 disables gmin stepping (ngspice option)
    gminfactor: float = 10.0   # ngspice's dynamic gmin stepping factor
    srcsteps: int = 1      # 0 disables source stepping
    method: str = "trap"
    maxord: int = 2

    @classmethod
    def from_circuit(cls, circ: Circuit) -> "Options":
        o = cls()
        for key, val in circ.options.items():
            if key == "method" and isinstance(val, str):
                o.method = "gear" if val.startswith("gear") else "trap"
            elif hasattr(o, key) and not isinstance(val, str):
                cur = getattr(o, key)
                setattr(o, key, type(cur)(val))
        return o


def _listing(rows: np.ndarray, n_rows: int):
    """CSR over rows of the (device, column) pairs of a (devices, width) array of row
    indices (-1: none), each row's pairs in device, then column order."""
    ndev, width = rows.shape
    dev = np.repeat(np.arange(ndev, dtype=np.int64), width)
    col = np.tile(np.arange(width, dtype=np.int64), ndev)
    r = rows.ravel()
    keep = r >= 0
    dev, col, r = dev[keep], col[keep], r[keep]
    order = np.lexsort((col, dev, r))
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(r, minlength=n_rows), out=ptr[1:])
    return ptr, dev[order], col[order]


def _incremental(s):
    """The arguments of newton_loop's incremental assembly: used when the only nonlinear
    devices are level-1 MOSFETs (no diodes, BJTs, level-2/3 rows or behavioural sources);
    otherwise empty arrays and inc off. Lists, for every matrix entry, the (device, G slot)
    pairs that stamp it and, for every node, the (device, terminal) pairs, in device order."""
    n, nnz = s.size, len(s.gdata)
    kinds = {g.kind for g in s.groups}
    m = next((g for g in s.groups if g.kind == "m"), None)
    i64 = np.int64
    if (kinds != {"m"} or s.bsrc or m is None or len(m.nodes) == 0
            or np.any(m.par[:, M_LEVEL] >= 2.0)):
        e = np.zeros(0, i64)
        return NK.Incremental(
            False, np.zeros((0, MS_N)), e, e, np.zeros(1, i64), e, e, np.zeros(1, i64),
            e, e, e, np.zeros(0, np.bool_), e, np.zeros(0, np.bool_), e, e,
            np.zeros(0, np.bool_), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    ndev = len(m.nodes)
    pptr, pdev, pslot = _listing(np.asarray(m.pos, dtype=i64).reshape(ndev, -1), nnz)
    nptr, ndv, nterm = _listing(np.asarray(m.nodes, dtype=i64).reshape(ndev, -1), n)
    isdiag = np.zeros(nnz, i64)      # gshunt lands on diag_pos (once per listing)
    np.add.at(isdiag, np.asarray(s.diag_pos, dtype=i64), 1)
    return NK.Incremental(
        True, np.zeros((ndev, MS_N)), np.zeros(ndev, i64), np.zeros(ndev, i64),
        pptr, pdev, pslot, nptr, ndv, nterm, isdiag,
        np.zeros(nnz, np.bool_), np.zeros(nnz, i64), np.zeros(n, np.bool_),
        np.zeros(n, i64), np.repeat(np.arange(n, dtype=i64), np.diff(s.indptr)),
        np.zeros(n, np.bool_), np.zeros(nnz), np.full(ndev, -1.0), np.zeros(n),
        np.zeros(n))


def _devices(s: System) -> NK.Devices:
    """The nonlinear groups as newton_loop takes them: one Group per family with a load
    kernel, empty (no rows) for a family the circuit does not use."""
    groups = {g.kind: g.arrays() for g in s.groups}
    empty = {}
    for fam in NONLINEAR:
        k = fam.terminals
        empty[fam.kind] = Group(np.zeros((0, k), np.int64), np.zeros((0, k * k), np.int64),
                                np.zeros((0, fam.npar)), np.zeros((0, fam.nstate)),
                                np.zeros((0, k)))
    return NK.Devices(*(groups.get(kind, empty[kind]) for kind in NK.Devices._fields))


class Simulator:
    """Holds the MNA system of one circuit and runs analyses on it."""

    def __init__(self, circ: Circuit):
        self.circ = circ
        self.opts = Options.from_circuit(circ)
        self.sys: System = build(circ)
        n = self.sys.size
        self.shape = (n, n)
        self._ieq = np.zeros(n)
        self._qeq = np.zeros(n)
        self._qact = np.zeros(n)
        self.visible = np.array([i for i, name in enumerate(self.sys.unknowns)
                                 if "#" not in name], dtype=np.int64)
        self.gshunt = 0.0
        self.last_iters = 0   # Newton iterations of the last converged solve
        self.tran_scale = (0.0, 0.0)    # tstep, tstop for source defaults
        self.gbase = self.sys.gdata    # G of the linear part (+ .ic/.nodeset clamps)
        self.time = 0.0                 # TIME seen by behavioural sources
        self._static = None
        self._nk = None
        self._inc_warm = None     # see _newton_fused
        self._zero = np.zeros(self.sys.size)
        self._lin_key = None
        self._lin_lu = None
        self._tol = None
        self.singular = False

    # ---- linear algebra ------------------------------------------------------------------
    def _factor(self, data, dtype=float):
        """Sparse LU; raises _Singular (caught by Newton, which then fails normally so the
        gmin and source stepping fallbacks get their turn)."""
        if not np.all(np.isfinite(data)):
            raise _Singular()
        if dtype is float and self.sys.size <= DENSE_MAX and self.sys.linear:
            return _DenseLU(data, self.sys.indptr, self.sys.indices, self.sys.size)
        if dtype is float:
            # real matrices: SuperLU once for the pivot order, then numba refactorisation
            try:
                if self._static is None:
                    self._static = StaticLU(self.sys.indptr, self.sys.indices, data,
                                            self.sys.size)
                    return self._static
                return self._static.factor(data)
            except RuntimeError:
                self._static = None
                raise _Singular() from None
        import scipy.sparse as sp   # AC only: scipy.sparse costs ~0.15 s of start-up
        from scipy.sparse.linalg import splu

        mat = sp.csc_matrix((data, self.sys.indices, self.sys.indptr), shape=self.shape,
                            dtype=dtype)
        try:
            return splu(mat, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.01,
                        options={"SymmetricMode": True})
        except RuntimeError:
            raise _Singular() from None

    def _singular(self) -> InputError:
        from edapipe.analog.diagnose import singular_card, singular_reason

        reason = f"singular matrix: {singular_reason(self.sys)}"
        card = singular_card(self.sys)
        if card is not None:
            return card.error(reason)
        return InputError(reason, file=self.circ.path)

    # ---- device evaluation -----------------------------------------------------------------
    def load(self, x, mode, a0=0.0):
        """Evaluate every device at x (Python-side assembly, used for AC linearisation and
        set-up): returns (matrix data, device capacitance data, number of limited devices);
        the companion vectors land in self._ieq, self._qeq and self._qact."""
        self._inc_warm = None
        s = self.sys
        data = self.gbase.copy()
        cdev = np.zeros_like(data)
        ieq, qeq, qact = self._ieq, self._qeq, self._qact
        ieq[:] = 0.0
        qeq[:] = 0.0
        qact[:] = 0.0
        nlim = 0
        for g in s.groups:
            nlim += g.kernel(x, g.arrays(), mode, self.opts.gmin,
                             Stamps(data, cdev, ieq, qeq, qact))
        if self.gshunt:
            data[s.diag_pos] += self.gshunt
        return data, cdev, nlim

    def device_failure(self) -> InputError:
        """The error for a device kernel's division by zero: each device is evaluated alone
        (at the last Newton iterate, then at zero) to find the one whose parameters did it."""
        s = self.sys
        n = s.size
        points = [np.zeros(n)]
        last = getattr(self, "_last_x", None)
        if last is not None and len(last) == n:
            points.insert(0, last.copy())
        by_name = {e.name: e for e in self.circ.elements}
        for x in points:
            for mode in (1, 0, 2):
                for g in s.groups:
                    for i in range(len(g.nodes)):
                        data = np.zeros(len(s.gdata))
                        vecs = [np.zeros(n) for _ in range(3)]
                        try:
                            one = Group(g.nodes[i:i + 1], g.pos[i:i + 1], g.par[i:i + 1],
                                        g.state[i:i + 1].copy(), g.qdev[i:i + 1].copy())
                            g.kernel(x, one, mode, self.opts.gmin,
                                     Stamps(data, np.zeros_like(data), *vecs))
                        except ZeroDivisionError:
                            e = by_name.get(g.names[i])
                            if e is not None:
                                model = f" (model {e.model.name})" if e.model else ""
                                return e.card.error(f"element {e.name}{model}: a model "
                                                    f"parameter that divides is zero")
        return InputError("division by zero while evaluating the devices: a model parameter "
                          "that divides is zero", file=self.circ.path)

    def newton(self, x0, b, maxiter, first_mode=0, a0=0.0, hist=None, polish=False):
        """Solve at one point; returns x or None when it does not converge. `polish` adds
        one Newton step after convergence: ngspice's device current tests make its converged
        op/dc points tighter than the voltage test alone, one more quadratic step matches
        that."""
        s = self.sys
        maxiter = max(maxiter, NIITER_MIN)
        x = x0.copy()
        self._last_x = x             # (updated in place: see device_failure)
        o = self.opts
        key = (o.vntol, o.abstol)
        if self._tol is None or self._tol[0] != key:
            self._tol = (key, np.where(s.is_node, o.vntol, o.abstol))
        tol = self._tol[1]
        if s.linear:
            data = self.gbase + (a0 * s.cdata if a0 else 0.0)
            if self.gshunt:
                data = data.copy()
                data[s.diag_pos] += self.gshunt
            rhs = b if hist is None else b - hist
            # a linear circuit's matrix depends only on the step: refactor when it changes
            key = (a0, self.gshunt, id(self.gbase))
            if key != self._lin_key:
                try:
                    self._lin_lu = self._factor(data)
                except _Singular:
                    self.singular = True
                    self._lin_key = None
                    return None
                self._lin_key = key
            self.last_iters = 1
            return self._lin_lu.solve(rhs)
        return self._newton_fused(x, b, maxiter, first_mode, a0, hist, polish, tol)

    def _newton_fused(self, x, b, maxiter, first_mode, a0, hist, polish, tol):
        """Nonlinear circuits: the whole iteration runs in newton_kernels.newton_loop."""
        s = self.sys
        o = self.opts
        if self._nk is None:
            n = s.size
            nnz = len(s.gdata)
            work = (np.empty(nnz), np.empty(nnz), np.empty(n), np.empty(n))
            inc = _incremental(s)
            # plain tuples for the kernel (see newton_kernels' docstring)
            self._nk = {"work": work, "inc": inc, "inc_t": tuple(inc),
                        "devices": tuple(tuple(g) for g in _devices(s)),
                        "out": (work[0], work[1], self._ieq, self._qeq, self._qact)}
        if self._static is None:
            # first call, or the last set-up failed (a singular matrix: a later call, with
            # gmin stepping's shunt, may succeed)
            n = s.size
            data, _, _ = self.load(x, first_mode)
            if s.bsrc:
                stamp_behavioural(s, x, self.time, data, np.zeros(n))
            try:
                # the incremental assembly refactors only the columns changes reach:
                # worth an order with a shallow elimination tree
                self._static = StaticLU(s.indptr, s.indices, data, n,
                                        local=bool(self._nk["inc"].on))
            except RuntimeError:
                self.singular = True
                return None
        data, cdev, rhs, xn = self._nk["work"]
        zero_hist = hist is None
        hist_v = self._zero if zero_hist else hist
        xdata, xrhs = self._nk.setdefault("extra", (np.zeros(len(s.gdata)), np.zeros(s.size)))
        it = 0
        while True:
            lu = self._static
            stop = maxiter
            if s.bsrc:
                # behavioural sources are linearised here, one iteration per call
                xdata[:] = 0.0
                xrhs[:] = 0.0
                stamp_behavioural(s, x, self.time, xdata, xrhs)
                stop = min(it + 1, maxiter)
            inc = self._nk["inc"]
            w = self._inc_warm
            warm = bool(inc.on and it == 0 and first_mode == 0 and w is not None
                        and w[0] is self.gbase and w[1] == self.gshunt)
            self._inc_warm = None
            step = (float(a0), it, stop, first_mode, bool(polish), float(self.gshunt),
                    o.gmin, o.reltol, warm)                      # NK.Step
            lin = (b, hist_v, xdata, xrhs, tol, self.gbase, s.cdata, s.diag_pos)  # NK.Linear
            status, it = NK.newton_loop(x, step, lin, self._nk["out"], rhs, xn,
                                        self._nk["devices"], lu.factors(), self._nk["inc_t"])
            if status == NK.CONVERGED:
                # the next call may start from these sums (until a state is restored or
                # the Python-side load writes the companion vectors)
                self._inc_warm = (self.gbase, self.gshunt)
                self._cdev_last = cdev
                self.last_iters = it + 1
                return x
            if status == NK.NOT_CONVERGED and s.bsrc and it < maxiter:
                continue
            if status == NK.REPIVOT:
                # the values outgrew the pivot order: SuperLU pivots again, this iteration's
                # step is solved with its factors, and the loop carries on
                try:
                    lu.factor(data.copy())
                except RuntimeError:
                    self.singular = True
                    return None
                step = lu.solve(rhs)
                if not np.all(np.isfinite(step)):
                    return None
                x[:] = step
                it += 1
                continue
            if status == NK.NOT_FINITE and not np.all(np.isfinite(data)):
                self.singular = True
            return None

    def save_state(self, into=None):
        """Copies of the device states; `into` (an earlier result) is refilled in place,
        which spares a transient a large allocation per time point. Of a MOS group only
        the state proper is kept, not what its bypass remembers of the last evaluation
        (44 of its 69 columns): restore_state turns the bypass off instead, so a restored
        device is evaluated again (ngspice keeps no copy at all)."""
        if into is None:
            return [g.state[:, :BYPASS_AT].copy() if g.kind == "m" else g.state.copy()
                    for g in self.sys.groups]
        for buf, g in zip(into, self.sys.groups):
            np.copyto(buf, g.state[:, :BYPASS_AT] if g.kind == "m" else g.state)
        return into

    def restore_state(self, saved):
        self._inc_warm = None
        for g, st in zip(self.sys.groups, saved):
            if g.kind == "m":
                g.state[:, :BYPASS_AT] = st
                g.state[:, BYPASS_OK] = 0.0
            else:
                g.state[:] = st

    # ---- operating point -----------------------------------------------------------------
    def operating_point(self, t=None, x0=None, ic=False) -> np.ndarray:
        """Operating point. `ic`: hold the .ic node voltages (the initial point of a
        transient without UIC). .nodeset values hold the first solve and are then
        released, as ngspice does (a 1e10 S conductance to the value, like its CKTload)."""
        s = self.sys
        tstep, tstop = self.tran_scale
        b = rhs_sources(s, t, tstep, tstop)
        circ = self.circ
        if ic and circ.ics:
            return self._clamped(circ.ics, b, lambda bb: self._op_core(bb, x0))
        if circ.nodesets and x0 is None:
            x1 = self._clamped(circ.nodesets, b, lambda bb: self._op_core(bb, None))
            return self._op_core(b, x1)
        return self._op_core(b, x0)

    def _clamped(self, values: dict, b, solve):
        s = self.sys
        g = s.gdata.copy()
        bb = b.copy()
        for node, val in values.items():
            g[s.diag_pos[node - 1]] += 1e10
            bb[node - 1] += 1e10 * val
        self.gbase = g
        try:
            return solve(bb)
        finally:
            self.gbase = s.gdata

    def _op_core(self, b, x0) -> np.ndarray:
        """ngspice's op strategy: Newton, then gmin stepping, then source stepping."""
        s = self.sys
        start = np.zeros(s.size) if x0 is None else x0
        saved = self.save_state()
        self.singular = False
        x = self.newton(start, b, self.opts.itl1, first_mode=1 if x0 is None else 0,
                        polish=True)
        if x is not None:
            return x
        # dynamic gmin stepping as ngspice's dynamic_gmin (cktop.c): a conductance on every
        # diagonal, first 1e-2/GMINFACTOR (1e-3), then lowered by a factor that grows after
        # quick steps (<= ITL2/4 iterations, up to GMINFACTOR), shrinks after slow ones
        # (> 3/4 ITL2) and drops to its fourth root after a failure (which retries from the
        # last converged point, nearer to it); the last step lands on GMIN exactly. Each step
        # has ITL2 iterations; then one Newton without the extra conductance (ITL1).
        self.restore_state(saved)
        x = np.zeros(s.size)
        if self.opts.gminsteps > 0:
            gfactor = self.opts.gminfactor if self.opts.gminfactor > 1.0 else 10.0
            maxit = self.opts.itl2
            gtarget = self.opts.gmin
            factor = gfactor
            old_gs = 1e-2
            gs = old_gs / factor
            first = 1
            good_state = self.save_state()
            for _ in range(1000):   # ngspice has no cap; slow steps can shrink the factor to 1
                self.gshunt = gs
                xn = self.newton(x, b, maxit, first_mode=first)
                first = 0
                if xn is not None:
                    x = xn
                    if gs <= gtarget:
                        break
                    good_state = self.save_state()
                    if self.last_iters <= maxit // 4:
                        factor = min(factor * math.sqrt(factor), gfactor)
                    if self.last_iters > 3 * maxit // 4:
                        factor = math.sqrt(factor)
                    old_gs = gs
                    if gs < factor * gtarget:
                        factor = gs / gtarget
                        gs = gtarget
                    else:
                        gs /= factor
                else:
                    if factor < 1.00005:
                        break
                    factor = math.sqrt(math.sqrt(factor))
                    gs = old_gs / factor
                    self.restore_state(good_state)
            self.gshunt = 0.0
            xn = self.newton(x, b, self.opts.itl1, polish=True)
            if xn is not None:
                return xn
        # source stepping
        self.restore_state(saved)
        x = np.zeros(s.size)
        first = 1
        if self.opts.srcsteps > 0:
            for k in range(1, 21):
                xn = self.newton(x, b * (k / 20.0), self.opts.itl1, first_mode=first)
                first = 0
                if xn is None:
                    break
                x = xn
            else:
                return x
        if self.singular:
            raise self._singular()
        raise ResourceLimit(f"{self.circ.path}: operating point did not converge "
                            f"(Newton, gmin stepping and source stepping all failed)")

    # ---- analyses ----------------------------------------------------------------------------
    def op(self) -> Result:
        x = self.operating_point()
        self.x_op = x
        return Result("op", "", np.zeros(1), self.names(), x[self.visible][None, :],
                      "Operating Point")

    def names(self):
        return [self.sys.unknowns[i] for i in self.visible]

    def dc(self, sweeps: list[tuple[str, float, float, float]]) -> Result:
        """DC sweep (nested when two are given; the first varies fastest). A sweep variable
        is an independent source, TEMP, an R/C/L element's value or a .param; the last
        three rebuild the circuit at each value, starting Newton from the previous point."""
        variables = []
        where = f"{self.circ.path}: "
        card = getattr(self, "card", None)
        if card is not None:
            where = f"{card.file}:{card.line}: "
        # size the sweep before allocating: nested sweeps multiply
        count = 1.0
        for name, start, stop, step in sweeps[:2]:
            label = excerpt(name, 40)
            if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(step)):
                raise self._dc_error(f".dc {label}: start, stop and step must be finite "
                                     f"numbers")
            if step == 0 or (stop - start) / step < 0:
                raise self._dc_error(f".dc {label}: step {step} does not go from {start} to "
                                     f"{stop}")
            n = abs(stop - start) / abs(step) + 1.0
            count *= math.floor(n + 1e-9) if n < 1e18 else n
        limits.check_points(count, len(self.visible), ".dc sweep", where)
        for name, start, stop, step in sweeps[:2]:
            if (start + step == start or stop + step == stop) and start != stop:
                # v += step would never get anywhere
                raise self._dc_error(f".dc {excerpt(name, 40)}: step {step:g} is too small "
                                     f"to change a value of {max(abs(start), abs(stop)):g}")
        budget = limits.max_points()
        for name, start, stop, step in sweeps:
            # accumulate like ngspice does (its sweep values carry the rounding of +=)
            vals = []
            v = start
            while (step > 0 and v <= stop + 1e-9 * abs(step)) or (
                    step < 0 and v >= stop - 1e-9 * abs(step)):
                vals.append(v)
                v += step
                if len(vals) > budget:        # (sized above: only a safety net)
                    limits.check_points(len(vals), 1, ".dc sweep", where)
            variables.append((self._sweep_variable(name), vals))
        inner_var, inner_vals = variables[0]
        outer_var, outer_vals = variables[1] if len(variables) > 1 else (None, [None])
        # a sweep with more than two variables runs the first two (as before)
        rows = np.empty((len(inner_vals) * len(outer_vals), len(self.visible)))
        scale = []
        sim = self
        x = None
        try:
            for ov in outer_vals:
                if ov is not None:
                    sim = outer_var.apply(ov, sim)
                x_old = None
                for v in inner_vals:
                    sim = inner_var.apply(v, sim)
                    # ngspice's devices start each sweep point from their voltages
                    # extrapolated linearly from the last two points (MODEINITPRED with
                    # the step as delta: 2 v1 - v2); the same on the unknowns
                    pred = None
                    if x_old is not None and len(x_old) == len(x) == sim.sys.size:
                        pred = 2.0 * x - x_old
                    xn = sim._dc_point(x, pred)
                    x_old, x = x, xn
                    rows[len(scale)] = x[sim.visible]
                    scale.append(v)
        finally:
            for var, _ in variables:
                var.restore()
        return Result("dc", inner_var.scale_name, np.array(scale), self.names(),
                      rows[:len(scale)], "DC transfer characteristic")

    def _dc_error(self, reason: str) -> InputError:
        card = getattr(self, "card", None)
        if card is not None:
            return card.error(reason)
        return InputError(reason, file=self.circ.path)

    def _dc_point(self, x, pred=None):
        b = rhs_sources(self.sys, None, 0.0, 0.0)
        xn = None
        if x is not None and len(x) == self.sys.size:
            saved = self.save_state()
            switch.sweep_point(self.sys.groups, False)
            xn = self.newton(x if pred is None else pred, b, self.opts.itl2, polish=True)
            if xn is None:
                self.restore_state(saved)
        if xn is None:
            xn = self.operating_point(x0=None)
        switch.sweep_point(self.sys.groups, True)
        return xn

    def _sweep_variable(self, name):
        name = name.lower()
        circ = self.circ
        for e in circ.elements:
            if e.name == name and e.letter in "VI":
                return _SourceSweep(e, name)
        if name == "temp":
            return _RebuildSweep(circ, "temp-sweep", lambda c, v: setattr(c, "temp", v),
                                 lambda c: c.temp)
        for e in circ.elements:
            if e.name == name and e.letter in "RCL":
                label = {"R": "res-sweep", "C": "cap-sweep", "L": "ind-sweep"}[e.letter]
                return _RebuildSweep(circ, label, lambda c, v, e=e: setattr(e, "value", v),
                                     lambda c, e=e: e.value)
        if name in getattr(circ, "params", {}) and getattr(circ, "deck", None) is not None:
            return _ParamSweep(circ, name)
        raise self._dc_error(f".dc: cannot sweep '{excerpt(name, 40)}' (an independent "
                             f"source, TEMP, an R, C or L element, or a .param)")

    def ac(self, kind: str, n: int, fstart: float, fstop: float) -> Result:
        s = self.sys
        card = getattr(self, "card", None)
        where = f"{card.file}:{card.line}: " if card is not None else f"{self.circ.path}: "
        try:
            freqs = ac_frequencies(kind, n, fstart, fstop, len(self.visible) * 2, where,
                                   land=True, reltol=self.opts.reltol)
        except InputError as exc:
            if card is not None and exc.file is None:
                raise card.error(exc.reason) from None
            raise
        x = self.operating_point()
        self._inc_warm = None      # the device kernels below rewrite states and vectors
        self.x_op = x
        g = s.gdata_ac.copy()
        cdev = np.zeros_like(g)
        ieq, qeq, qact = self._ieq, self._qeq, self._qact
        for grp in s.groups:
            grp.kernel(x, grp.arrays(), 2, self.opts.gmin, Stamps(g, cdev, ieq, qeq, qact))
        if s.bsrc:
            stamp_behavioural(s, x, 0.0, g, np.zeros(s.size))
        c = s.cdata + cdev
        b = rhs_ac(s)
        out = np.empty((len(freqs), len(self.visible)), dtype=complex)
        for i, f in enumerate(freqs):
            data = g + 2j * math.pi * f * c
            if s.tlines:
                data += s.tlines.ac_data(len(g), f)      # the lines' delays, exp(-jwTD)
            try:
                lu = self._factor(data, dtype=complex)
            except _Singular:
                raise self._singular() from None
            out[i] = lu.solve(b)[self.visible]
        return Result("ac", "frequency", freqs, self.names(), out, "AC Analysis")

    def tran(self, tstep, tstop, tstart=0.0, tmax=None, uic=False, progress=None) -> Result:
        from edapipe.analog.transient import run_transient

        return run_transient(self, tstep, tstop, tstart, tmax, uic, progress)


class _SourceSweep:
    """Sweeps the DC value of an independent source in place."""

    def __init__(self, elem, name):
        self.src = elem.source
        self.saved = self.src.dc
        self.scale_name = "v(v-sweep)" if elem.letter == "V" else "i(i-sweep)"

    def apply(self, value, sim):
        self.src.dc = float(value)
        return sim

    def restore(self):
        self.src.dc = self.saved


class _RebuildSweep:
    """Changes the circuit (temperature, an element value) and rebuilds the simulator."""

    def __init__(self, circ, scale_name, setter, getter):
        self.circ, self.scale_name, self.setter = circ, scale_name, setter
        self.saved = getter(circ)

    def apply(self, value, sim):
        self.setter(self.circ, float(value))
        return Simulator(self.circ)

    def restore(self):
        self.setter(self.circ, self.saved)


class _ParamSweep:
    """Re-flattens the deck with one .param overridden (dependent values follow)."""

    def __init__(self, circ, name):
        self.circ, self.name, self.scale_name = circ, name, f"{name}-sweep"

    def apply(self, value, sim):
        from edapipe.analog.circuit import flatten

        circ = flatten(self.circ.deck, overrides={self.name: float(value)})
        return Simulator(circ)

    def restore(self):
        pass


@dataclass
class AnalysisSpec:
    kind: str
    args: dict
    card: Card | None = None


def parse_analysis(card: Card, params: dict | None = None) -> AnalysisSpec:
    toks = split_tokens(card.text)
    word = toks[0].lower()

    def num(tok, what):
        v = parse_number(tok)
        if v is None:
            from edapipe.analog.expr import ExprError, eval_text

            t = tok[1:-1] if tok[:1] in "{'" else tok
            try:
                return eval_text(t, params or {})
            except ExprError:
                raise card.error(f"{word}: bad {what} '{tok}'") from None
        return v

    if word == ".op":
        return AnalysisSpec("op", {}, card)
    if word == ".dc":
        rest = toks[1:]
        sweeps = []
        while rest:
            if len(rest) < 4:
                raise card.error(".dc needs source start stop step")
            sweeps.append((rest[0].lower(), num(rest[1], "start"), num(rest[2], "stop"),
                           num(rest[3], "step")))
            rest = rest[4:]
        return AnalysisSpec("dc", {"sweeps": sweeps}, card)
    if word == ".ac":
        if len(toks) < 5:
            raise card.error(".ac needs dec|oct|lin points fstart fstop")
        points = num(toks[2], "points")
        if not math.isfinite(points) or points < 1:
            raise card.error(f".ac: bad number of points '{toks[2]}' (needs at least 1)")
        return AnalysisSpec("ac", {"kind": toks[1].lower(), "n": int(points),
                                   "fstart": num(toks[3], "fstart"),
                                   "fstop": num(toks[4], "fstop")}, card)
    if word == ".tran":
        vals = [t for t in toks[1:] if t.lower() != "uic"]
        uic = any(t.lower() == "uic" for t in toks[1:])
        if len(vals) < 2:
            raise card.error(".tran needs tstep and tstop")
        args = {"tstep": num(vals[0], "tstep"), "tstop": num(vals[1], "tstop"),
                "tstart": num(vals[2], "tstart") if len(vals) > 2 else 0.0,
                "tmax": num(vals[3], "tmax") if len(vals) > 3 else None, "uic": uic}
        return AnalysisSpec("tran", args, card)
    if word == ".tf":
        from edapipe.analog.smallsignal import parse_tf

        return AnalysisSpec("tf", parse_tf(card, toks), card)
    if word == ".noise":
        from edapipe.analog.smallsignal import parse_noise

        return AnalysisSpec("noise", parse_noise(card, toks, num), card)
    if word == ".sens":
        from edapipe.analog.sens import parse_sens

        return AnalysisSpec("sens", parse_sens(card, toks), card)
    raise card.error(f"unknown analysis {word}")


def refuse_dc_only(circ, kind: str) -> None:
    """A model parameter accepted for DC analyses only (model_cards: a BJT's PTF, ...)
    stops an analysis it would change, at its model card."""
    if kind in ("op", "dc", "tf", "sens"):
        return
    for e in circ.elements:
        m = e.model
        if m is not None and m.dc_only:
            key = next(iter(m.dc_only))
            raise m.card.error(f"model {m.name}: parameter '{key}' is not supported in "
                               f".{kind} (only DC analyses, where it changes nothing, run "
                               f"with it)")


def run_analysis(sim: Simulator, spec: AnalysisSpec, progress=None) -> Result:
    sim.card = spec.card          # errors and limits name the analysis card
    refuse_dc_only(sim.circ, spec.kind)
    try:
        return _run_analysis(sim, spec, progress)
    except ZeroDivisionError:
        # a device kernel divided by a model parameter that is zero (ngspice computes inf)
        raise sim.device_failure() from None


def _run_analysis(sim: Simulator, spec: AnalysisSpec, progress=None) -> Result:
    a = spec.args
    if spec.kind == "op":
        return sim.op()
    if spec.kind == "dc":
        return sim.dc(a["sweeps"])
    if spec.kind == "ac":
        return sim.ac(a["kind"], a["n"], a["fstart"], a["fstop"])
    if spec.kind == "tf":
        from edapipe.analog.smallsignal import run_tf

        return run_tf(sim, a, spec.card)
    if spec.kind == "noise":
        from edapipe.analog.smallsignal import run_noise

        return run_noise(sim, a, spec.card)
    if spec.kind == "sens":
        from edapipe.analog.sens import run_sens

        return run_sens(sim, a, spec.card)
    return sim.tran(a["tstep"], a["tstop"], a["tstart"], a["tmax"], a["uic"], progress)
