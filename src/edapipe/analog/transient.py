"""Transient analysis with ngspice's step control (dctran.c / cktterr.c, re-derived).

State: x (unknowns) and the node-charge vector Q = C_lin x + q_dev(x) (inductor branch rows
hold minus the flux). d/dt Q is approximated by backward Euler (order 1), the trapezoidal rule
or Gear-2 (order 2). The local truncation error of Q picks the next step; breakpoints at
source corners are landed on exactly and restart the integration at order 1.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from edapipe.analog.devices import mos_common_kernels as K
from edapipe.analog.devices import switch as SW
from edapipe.analog.devices.tline import insert_break
from edapipe.analog import limits
from edapipe.analog import transient_kernels as TK
from edapipe.analog.mna import rhs_sources, source_breakpoints
from edapipe.analog.results import Result
from edapipe.errors import InputError, ResourceLimit

_TRAP_FACTOR = (0.5, 1.0 / 12.0)
_GEAR_FACTOR = (0.5, 2.0 / 9.0)


def run_transient(sim, tstep, tstop, tstart=0.0, tmax=None, uic=False, progress=None):
    try:
        return _run_transient(sim, tstep, tstop, tstart, tmax, uic, progress)
    finally:
        sim.gbase = sim.sys.gdata      # transmission lines swap in their transient G


def _run_transient(sim, tstep, tstop, tstart, tmax, uic, progress):
    plan = _plan(sim, tstep, tstop, tstart, tmax)
    sim.tran_scale = (tstep, tstop)
    charges = _charges(sim)
    # switches keep their state from one accepted point to the next (switch.py)
    sw = next((g for g in sim.sys.groups if g.kind == "s"), None)
    x, q, tl = _initial_point(sim, uic, charges, sw)
    st = charges.states(x)
    breaks = _breakpoints(sim.sys, uic, plan)
    return _integrate(sim, plan, charges, sw, tl, x, q, st, breaks, progress)


class _Plan(NamedTuple):
    """A run's fixed figures (dctran.c's set-up): step limits and output budgets."""

    tstep: float
    tstop: float
    tstart: float
    tmax: float          # the largest step: TMAX, or the default from TSTEP and the span
    delmin: float        # the smallest step before "timestep too small"
    minbreak: float      # breakpoints closer than this are one
    where: str           # "file:line: " of the .tran card, for budget messages
    width: int           # values stored per point
    budget: int          # accepted steps before the run is stopped
    vbudget: int         # stored points past which the value budget is checked


def _plan(sim, tstep, tstop, tstart, tmax) -> _Plan:
    """Check the .tran arguments and size the run before it starts."""
    card = getattr(sim, "card", None)

    def bad(reason):
        return card.error(reason) if card is not None else InputError(reason,
                                                                      file=sim.circ.path)

    if not all(math.isfinite(v) for v in (tstep, tstop, tstart, tmax or 0.0)):
        raise bad(".tran: tstep, tstop, tstart and tmax must be finite numbers")
    if tstep <= 0 or tstop <= 0 or tstart < 0 or tstart >= tstop:
        raise bad(f".tran {tstep:g} {tstop:g}: needs 0 < tstep, 0 <= tstart < tstop")
    if tmax is not None and tmax < 0:
        raise bad(f".tran: tmax {tmax:g} must not be negative")
    tmax_eff = tmax if tmax else min(tstep, (tstop - tstart) / 50.0)
    tmax_eff = min(tmax_eff, (tstop - tstart) / 50.0) if not tmax else tmax_eff
    # no step is longer than tmax_eff: at least tstop / tmax_eff of them, each stored from
    # tstart on. Sized before the run, as ngspice does not: `.tran 1e-30 1` is 1e30 steps
    where = f"{card.file}:{card.line}: " if card is not None else f"{sim.circ.path}: "
    width = len(sim.visible)
    steps = tstop / tmax_eff
    limits.check_points(steps, 1, f".tran (TSTOP/TMAX = {tstop:g}/{tmax_eff:g})", where)
    limits.check_points((tstop - tstart) / tmax_eff, width,
                        f".tran (TSTOP/TMAX = {tstop:g}/{tmax_eff:g})", where)
    return _Plan(tstep, tstop, tstart, tmax_eff, 1e-11 * tmax_eff, tmax_eff * 5e-5, where,
                 width, limits.max_points(), limits.max_values() // max(width, 1))


class _Charges(NamedTuple):
    """What the integration works on (closures over the system, called per time point):
    the node charges Q = C_lin x (+ the device charges of the last evaluation), and the
    charge states whose truncation error picks the step, judged element by element as
    ngspice does (not per node): linear capacitors, inductor fluxes, diode and BJT
    junction charges, MOS1-3 Meyer gate charges (when TOX is given; the overlap capacitors
    are linear), BSIM3 and BSIM4 gate, drain and bulk charges (as ngspice's
    b3trunc.c/b4trunc.c)."""

    nodes: object         # nodes(x, with_devices) -> Q
    states: object        # states(x) -> charge states, after nodes(x)
    lte: object           # lte(states, deltas, order, sdot, sdot_prev) -> step (CKTterr)
    nstate: int
    mos_groups: list      # MOS groups with Meyer capacitances (committed per point)


def _charges(sim) -> _Charges:
    s = sim.sys
    o = sim.opts
    indptr, indices, cdata = s.indptr, s.indices, s.cdata
    qlin = np.empty(s.size)
    dev_groups = [g for g in s.groups if g.kind in ("d", "q", "b3", "b4") or (
        g.kind == "m" and np.any(g.par[:, K.M_COX] > 0))]
    mos_groups = [g for g in s.groups if g.kind == "m" and np.any(g.par[:, K.M_COX] > 0)]
    nfixed = len(s.cap_c) + len(s.inductor_rows)
    nstate = nfixed + sum(g.qdev.size for g in dev_groups)
    tols = TK.lte_tolerances(o.reltol, o.abstol, o.chgtol, o.trtol)
    factors = _GEAR_FACTOR if o.method == "gear" else _TRAP_FACTOR

    def nodes(xv, with_devices):
        TK.csc_matvec(indptr, indices, cdata, xv, qlin)
        return qlin + sim._qact if with_devices else qlin.copy()

    def states(xv):
        # the inductor fluxes are read from C_lin x, left in qlin by nodes(xv)
        out = np.empty(nstate)
        TK.element_charges(xv, qlin, s.cap_a, s.cap_b, s.cap_c, s.inductor_rows, out)
        k = nfixed
        for g in dev_groups:
            m = g.qdev.size
            out[k:k + m] = g.qdev.ravel()
            k += m
        return out

    def lte(sl, dl, order, sdot, sdot_prev):
        if nstate == 0:
            return math.inf
        return TK.lte_step(sl[0], sl[1], sl[2], sl[3], sdot, sdot_prev, dl[0], dl[1], dl[2],
                           order, tols, factors[order - 1])

    return _Charges(nodes, states, lte, nstate, mos_groups)


def _commit(charges, sw):
    """An accepted point: the Meyer capacitances integrate from it, switches keep their
    state (ngspice's CKTaccept)."""
    for g in charges.mos_groups:
        K.meyer_commit(g.state)
    if sw is not None:
        SW.commit(sw.state)


def _initial_point(sim, uic, charges, sw):
    """The point at t = 0: the operating point with the sources at t = 0 (ngspice
    evaluates the transient functions there; an explicit DC value only matters for .op
    and .dc), or with UIC the initial conditions as they are. Returns (x, Q, tlines)."""
    s = sim.sys
    if uic:
        x = np.zeros(s.size)
        for node, val in sim.circ.ics.items():
            x[node - 1] = val
        for br, val in s.ind_ic.items():
            x[br] = val
        sim.load(x, 1)
    else:
        x = sim.operating_point(t=0.0, ic=True)
    sim.load(x, 2)
    tl = s.tlines if s.tlines else None
    if tl is not None:
        # from here on the lines' ports see the delayed waves, not each other (tline.py)
        tl.start(x, uic)
        sim.gbase = s.gdata_tran
    _commit(charges, sw)
    q = charges.nodes(x, True)
    if uic:
        for a, b, ic, c in s.cap_ic:
            va = x[a] if a >= 0 else 0.0
            vb = x[b] if b >= 0 else 0.0
            dq = c * (ic - (va - vb))
            if a >= 0:
                q[a] += dq
            if b >= 0:
                q[b] -= dq
    return x, q, tl


def _breakpoints(s, uic, plan):
    """The source corners and the end as a stack, the next one last (ngspice's CKTbreaks);
    breakpoints closer than minbreak are one."""
    tstep, tstop, minbreak = plan.tstep, plan.tstop, plan.minbreak
    bps = {0.0, tstop}
    if uic and tstep < tstop:
        # ngspice (dctran.c) sets a breakpoint at TSTEP on the first time point of a UIC
        # run, "to reduce ringing of current in devices"
        bps.add(tstep)
    for _, src, _ in s.vsrc:
        bps.update(source_breakpoints(src, tstep, tstop))
    for _, _, src, _ in s.isrc:
        bps.update(source_breakpoints(src, tstep, tstop))
    breaks: list[float] = []
    for bp in sorted(bps):
        if not breaks or bp - breaks[-1] > minbreak:
            breaks.append(bp)
    breaks.reverse()
    return breaks


def _land_on_break(breaks, t, delta, save_delta, order, first, plan):
    """The step of a new time point at a breakpoint (dctran.c's "resume"): backward Euler
    and a small step just after one, and a step cut to land on the next. Returns (delta,
    save_delta, order); delta is already at most TMAX. The loop calls it only near a
    breakpoint."""
    if breaks and (t == breaks[-1] or breaks[-1] - t <= plan.delmin):
        order = 1
        gap = breaks[-2] - breaks[-1] if len(breaks) > 1 else math.inf
        delta = min(delta, 0.1 * min(save_delta, gap))
        if first:
            delta /= 10.0
    while breaks and breaks[-1] <= t + plan.minbreak:
        breaks.pop()
    if breaks and t + delta > breaks[-1]:
        save_delta = delta
        delta = breaks[-1] - t
    return delta, save_delta, order


def _point_steps(sim, plan, charges, sw, tl):
    """The two steps of one attempted time point, as closures over the run (they run once
    per attempt, where attribute look-ups would show): solve and truncation."""
    s = sim.sys
    tstep, tstop, itl4 = plan.tstep, plan.tstop, sim.opts.itl4
    maxord = 2 if sim.opts.maxord >= 2 else 1
    lte = charges.lte
    linear = s.linear
    gear = sim.opts.method == "gear"
    hist = np.empty(s.size)
    state_buf = sim.save_state()

    def solve(tn, delta, h1, order, qs, qdot, x, x_old):
        """Newton at time tn (ngspice's NIiter in MODETRAN) with the integration formula
        of the order over the steps delta (newest) and h1: d/dt Q = a0 Q + a1 Q_1 + a2 Q_2
        (+ the trapezoidal rule's last derivative), the history part in hist. Returns
        (x or None, the device states saved before it, (a0, a1, a2, trap))."""
        if order == 1:
            a0, a1, a2, trap = 1.0 / delta, -1.0 / delta, 0.0, False
        elif not gear:
            a0, a1, a2, trap = 2.0 / delta, -2.0 / delta, 0.0, True
        else:
            h0 = delta
            a0 = (2 * h0 + h1) / (h0 * (h0 + h1))
            a1 = -(h0 + h1) / (h0 * h1)
            a2 = h0 / (h1 * (h0 + h1))
            trap = False
        TK.history(a1, a2, trap, qs[0], qs[1], qdot, hist)
        b = rhs_sources(s, tn, tstep, tstop)
        if tl is not None:
            tl.add_inputs(tn, b)
        sim.time = tn
        saved = sim.save_state(state_buf)
        # ngspice's devices start each time point from voltages extrapolated linearly
        # from the last two accepted points (MODEINITPRED); the same on the unknowns
        if x_old is not None and not linear:
            xfact = delta / h1
            x0 = x + xfact * (x - x_old)
        else:
            x0 = x
        if sw is not None:
            SW.begin_point(sw.state)
        return sim.newton(x0, b, itl4, 0, a0, hist), saved, (a0, a1, a2, trap)

    def truncation(xn, tn, deltas, order, new_sts, stdot_n, stdot):
        """The step the converged point allows (ngspice's CKTtrunc: truncation error,
        switches near their threshold, bending line waves) and the order for the next
        one: (accept, next step, order)."""
        delta = deltas[0]
        # a switch near its switching level limits the step (ngspice's SWtrunc)
        swmax = SW.max_step(sw.par, sw.state, delta) if sw is not None else math.inf
        if tl is not None:
            # a wave whose slope bends: not past one delay after the last point
            swmax = min(swmax, tl.step_limit(xn, tn, deltas[1], deltas[2]))
        new = min(2.0 * delta, lte(new_sts, deltas, order, stdot_n, stdot), swmax)
        if new <= 0.9 * delta:
            return False, new, order
        if order == 1 and maxord >= 2:
            order = 2
            new = min(2.0 * delta, lte(new_sts, deltas, 2, stdot_n, stdot), swmax)
            if new <= 1.05 * delta:
                order = 1
        return True, new, order

    return solve, truncation, hist


def _integrate(sim, plan, charges, sw, tl, x, q, st, breaks, progress):
    """Step from t = 0 to TSTOP (dctran.c's "nextTime" loop); returns the Result."""
    solve, truncation, hist = _point_steps(sim, plan, charges, sw, tl)
    node_charges, charge_states = charges.nodes, charges.states
    tstop, minbreak, delmin, tmax = plan.tstop, plan.minbreak, plan.delmin, plan.tmax
    linear = sim.sys.linear
    sthist = np.empty(charges.nstate)
    times = [0.0]
    rows = _Rows(sim.visible)
    rows.append(x)
    tfirst = plan.tstart - delmin
    qs = [q, q, q, q]          # newest first
    sts = [st, st, st, st]
    stdot = np.zeros(charges.nstate)
    qdot = np.zeros(len(x))
    x_old = None
    t = 0.0
    delta = min(tstop / 100.0, plan.tstep) / 10.0
    save_delta = tstop / 50.0
    first = True
    order = 1
    accepted = rejected = 0
    deltas = [tmax] * 3
    while abs(t - tstop) >= minbreak and t < tstop:
        delta = min(delta, tmax)
        if breaks and (breaks[-1] - t <= delmin or breaks[-1] <= t + minbreak
                       or t + delta > breaks[-1]):
            delta, save_delta, order = _land_on_break(breaks, t, delta, save_delta, order,
                                                      first, plan)
        deltas = [delta] + deltas[:2]
        while True:
            olddelta = delta
            deltas[0] = delta
            xn, saved, (a0, a1, a2, trap) = solve(t + delta, delta, deltas[1], order, qs, qdot,
                                                  x, x_old)
            if xn is None:
                sim.restore_state(saved)
                rejected += 1
                delta /= 8.0
                order = 1
            else:
                qn = node_charges(xn, not linear)
                st_n = charge_states(xn)
                TK.history(a1, a2, trap, sts[0], sts[1], stdot, sthist)
                stdot_n = a0 * st_n + sthist
                if first:
                    # no truncation check on the first point; older states copy the
                    # initial ones
                    first = False
                    new_sts = [st_n, sts[0], sts[0], sts[0]]
                    break
                new_sts = [st_n] + sts[:3]
                ok, new, order = truncation(xn, t + delta, deltas, order, new_sts, stdot_n,
                                            stdot)
                if ok:
                    delta_next = new
                    break
                sim.restore_state(saved)
                rejected += 1
                delta = new
            if delta <= delmin:
                if olddelta > delmin:
                    delta = delmin
                else:
                    raise ResourceLimit(f"{sim.circ.path}: transient: timestep too small at "
                                        f"t={t:.6g} s")
        # accepted (ngspice's CKTaccept)
        t = t + delta
        if breaks and abs(breaks[-1] - t) <= minbreak:
            t = breaks[-1]
        x_old = x
        x = xn
        if tl is not None:
            tl.accept(x, t, deltas[0], deltas[1], minbreak,
                      lambda tb: insert_break(breaks, tb, t, minbreak))
        qs = [qn] + qs[:3]
        qdot = a0 * qn + hist
        sts = new_sts
        stdot = stdot_n
        accepted += 1
        _commit(charges, sw)
        if accepted > 1:
            delta = delta_next
        # stored from TSTART on (ngspice's CKTdump), within the budgets
        if t >= tfirst:
            times.append(t)
            rows.append(x)
            if len(times) > plan.vbudget:
                limits.check_points(len(times), plan.width, ".tran", plan.where)
        if accepted > plan.budget:
            # more steps than the budget (the truncation error keeps the step far below
            # TMAX): a clear stop instead of memory growing without bound
            limits.check_points(accepted, 1, f".tran (at t={t:.6g} s)", plan.where)
        if progress is not None:
            progress(t / tstop)
    return _result(sim, plan, times, rows, accepted, rejected)


def _result(sim, plan, times, rows, accepted, rejected):
    """The stored points from TSTART on as the Result."""
    times_a = np.array(times)
    data = rows.array()
    if plan.tstart > 0:
        keep = times_a >= plan.tstart - plan.delmin
        keep[0] = False
        times_a, data = times_a[keep], data[keep]
    return Result("tran", "time", times_a, sim.names(), data, "Transient Analysis",
                  {"accepted": accepted, "rejected": rejected})


class _Rows:
    """The stored points' visible unknowns, in blocks of a growing numpy array (a Python
    list of small arrays costs ~100 bytes a point more than the numbers)."""

    def __init__(self, visible):
        self.visible = visible
        self.width = len(visible)
        self.blocks: list[np.ndarray] = []
        self.cur = np.empty((256, self.width))
        self.k = 0

    def append(self, x) -> None:
        if self.k == len(self.cur):
            self.blocks.append(self.cur)
            self.cur = np.empty((min(2 * len(self.cur), 1 << 16), self.width))
            self.k = 0
        # the method, not np.take: its Python wrapper cost ~0.3 us a stored point
        x.take(self.visible, out=self.cur[self.k])
        self.k += 1

    def array(self) -> np.ndarray:
        return np.concatenate(self.blocks + [self.cur[:self.k]])
