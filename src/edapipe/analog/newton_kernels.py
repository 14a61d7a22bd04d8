"""The fused Newton loop: one call runs every iteration of one operating or time point.

Each iteration evaluates every device (the device table's load kernels), assembles the
matrix values and the right-hand side, refactors the LU over its fixed pattern
(lu_kernels), solves, and tests convergence as ngspice does (every unknown within
RELTOL*max(|new|,|old|) + VNTOL or ABSTOL, and no device limited its junctions).

The kernels take NamedTuples of arrays: Step (the scalars of one call), Linear (the linear part and this point's
right-hand side), Stamps (what the devices add), Devices (one Group per device family),
LUFactors and Incremental (the bookkeeping of the incremental assembly, used when level-1
MOSFETs are the only nonlinear devices). Python passes them to newton_loop as plain
tuples, which newton_loop names again: numba's dispatcher types a plain tuple of arrays in
C, a NamedTuple through Python-level typeof, which made a call cost ~100 us more (the
500-stage inverter chain, ~1000 calls, ran 8% slower). Adding a device family means a field of
Devices, a line in _named_devices and a call in _assemble_full (docs/architecture.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from edapipe.util.jit import njit

from edapipe.analog.devices.bjt_kernels import bjt_load
from edapipe.analog.devices.bsim3_kernels import bsim3_load
from edapipe.analog.devices.bsim4_kernels import bsim4_load
from edapipe.analog.devices.common_kernels import Group, Stamps
from edapipe.analog.devices.diode_kernels import diode_load
from edapipe.analog.devices.jfet_kernels import jfet_load
from edapipe.analog.devices.mos1_kernels import (
    MS_C, MS_G, MS_I, MS_Q, MS_QA, _has_charge, _mos1_inc)
from edapipe.analog.devices.mos_common_kernels import BYPASS_AT, _mos_terminals
from edapipe.analog.devices.mos_kernels import mos_load
from edapipe.analog.devices.switch_kernels import switch_load
from edapipe.analog.lu_kernels import LUFactors, lu_solve, refactor, refactor_cols

CONVERGED, NOT_CONVERGED, REPIVOT, NOT_FINITE = 0, 1, 2, 3


class Step(NamedTuple):
    """The scalars of one call."""

    a0: float          # integration coefficient of the charges (0: DC)
    it0: int           # first iteration number (a call may resume a point)
    maxiter: int
    first_mode: int    # device mode of iteration 0 (see common_kernels)
    polish: bool       # one more step after convergence (see Simulator.newton)
    gshunt: float      # gmin stepping's conductance on every diagonal
    gmin: float
    reltol: float
    warm: bool         # the incremental sums of the last converged call still hold


class Linear(NamedTuple):
    """The linear part of the system and this point's right-hand side."""

    b: np.ndarray        # sources
    hist: np.ndarray     # integration history of the charges
    xdata: np.ndarray    # extra matrix values (behavioural sources, linearised outside)
    xrhs: np.ndarray     # their right-hand side
    tol: np.ndarray      # VNTOL or ABSTOL per unknown
    gdata: np.ndarray    # linear G over the CSC pattern
    cdata: np.ndarray    # linear C over the CSC pattern
    diag_pos: np.ndarray  # where gshunt goes


class Devices(NamedTuple):
    """One Group per device family with a load kernel (empty groups have no rows)."""

    d: Group     # diodes
    q: Group     # BJTs
    m: Group     # MOSFETs, levels 1-3
    j: Group     # JFETs
    b3: Group    # BSIM3 MOSFETs (levels 8, 49)
    b4: Group    # BSIM4 MOSFETs (levels 14, 54)
    s: Group     # switches (S, W)


class Incremental(NamedTuple):
    """The incremental assembly (see newton_loop). pptr/pdev/pslot list the (device, G
    slot) of each matrix entry, nptr/ndev/nterm the (device, terminal) of each node."""

    on: bool
    ms: np.ndarray       # per device: the stamps of its last load (mos1_kernels.MS_*)
    byp: np.ndarray      # 1 for a device bypassed in this load
    evl: np.ndarray      # the devices evaluated in this load
    pptr: np.ndarray
    pdev: np.ndarray
    pslot: np.ndarray
    nptr: np.ndarray
    ndev: np.ndarray
    nterm: np.ndarray
    isdiag: np.ndarray   # times gshunt lands on each entry
    pmark: np.ndarray    # scratch: entries / nodes already listed
    plist: np.ndarray
    nmark: np.ndarray
    nlist: np.ndarray
    acol: np.ndarray     # the column of each entry
    cmark: np.ndarray    # LU columns to refactor
    gsum: np.ndarray     # each entry before its a0 term
    slack: np.ndarray    # per device, see _mos1_inc
    absdx: np.ndarray    # per node: its move since the last load
    xin: np.ndarray      # the iterate of the last load


@njit(cache=True)
def _named_devices(dev):
    return Devices(Group(*dev[0]), Group(*dev[1]), Group(*dev[2]), Group(*dev[3]),
                   Group(*dev[4]), Group(*dev[5]), Group(*dev[6]))


@njit(cache=True)
def _inc_assemble(np_, nn_, lin, out, inc, step):
    """The matrix entries plist[:np_] and nodes nlist[:nn_] from the kept contributions, in
    the order of the direct stamps: linear part, devices in row order, gshunt, a0 times the
    charges. (One call per iteration: the loops stay in here.)"""
    ms, pptr, pdev, pslot = inc.ms, inc.pptr, inc.pdev, inc.pslot
    data, cdev = out.data, out.cdev
    for r0 in range(np_):
        p = inc.plist[r0]
        v = lin.gdata[p] + lin.xdata[p]
        c = 0.0
        for r in range(pptr[p], pptr[p + 1]):
            v += ms[pdev[r], MS_G + pslot[r]]
            c += ms[pdev[r], MS_C + pslot[r]]
        if step.gshunt != 0.0:
            for _ in range(inc.isdiag[p]):
                v += step.gshunt
        cdev[p] = c
        inc.gsum[p] = v
        if step.a0 != 0.0:
            v += step.a0 * (lin.cdata[p] + c)
        data[p] = v
    for r0 in range(nn_):
        i = inc.nlist[r0]
        si = 0.0
        sq = 0.0
        for r in range(inc.nptr[i], inc.nptr[i + 1]):
            si += ms[inc.ndev[r], MS_I + inc.nterm[r]]
            sq += ms[inc.ndev[r], MS_Q + inc.nterm[r]]
        out.ieq[i] = si
        out.qeq[i] = sq


@njit(cache=True)
def _inc_qact(qact, inc, grp):
    """qact as the direct stamps leave it: a bypassed device's charges follow its remembered
    linearisation to the voltages of the last load, xin (_bypass's arithmetic)."""
    st = grp.state
    o = BYPASS_AT
    k = 4
    kk = k * k
    ov = o + 2 * kk + 2 * k
    for i in range(qact.shape[0]):
        q = 0.0
        for r in range(inc.nptr[i], inc.nptr[i + 1]):
            d = inc.ndev[r]
            a = inc.nterm[r]
            if inc.byp[d]:
                qa = st[d, o + 2 * kk + k + a]
                if _has_charge(k, st, d):
                    vdx, vgx, vbx = _mos_terminals(inc.xin, grp.nodes, d)
                    for b in range(k):
                        vb = st[d, ov + b]
                        cab = st[d, o + kk + a * k + b]
                        vn = vdx if b == 0 else (vgx if b == 1 else (0.0 if b == 2 else vbx))
                        qa += cab * (vn - vb)
                q += qa
            else:
                q += inc.ms[d, MS_QA + a]
        qact[i] = q


@njit(cache=True)
def _assemble_full(x, step, lin, out, dev, inc, mode):
    """Every device evaluated and stamped directly: the first iteration of a call, or
    every iteration without the incremental assembly (which then keeps every device's
    contributions). Returns the number of limited devices."""
    data, cdev, ieq, qeq, qact = out
    nnz = lin.gdata.shape[0]
    for k in range(nnz):
        data[k] = lin.gdata[k] + lin.xdata[k]
        cdev[k] = 0.0
    ieq[:] = 0.0
    qeq[:] = 0.0
    qact[:] = 0.0
    nlim = 0
    if dev.d.nodes.shape[0]:
        nlim += diode_load(x, dev.d, mode, step.gmin, out)
    if dev.q.nodes.shape[0]:
        nlim += bjt_load(x, dev.q, mode, step.gmin, out)
    if dev.j.nodes.shape[0]:
        nlim += jfet_load(x, dev.j, mode, step.gmin, out)
    if inc.on:
        for i in range(x.shape[0]):
            inc.xin[i] = x[i]
        nl, _ = _mos1_inc(x, dev.m, mode, step.gmin, out, True, inc)
        nlim += nl
    elif dev.m.nodes.shape[0]:
        nlim += mos_load(x, dev.m, mode, step.gmin, out)
    if dev.b3.nodes.shape[0]:
        nlim += bsim3_load(x, dev.b3, mode, step.gmin, out)
    if dev.b4.nodes.shape[0]:
        nlim += bsim4_load(x, dev.b4, mode, step.gmin, out)
    if dev.s.nodes.shape[0]:
        nlim += switch_load(x, dev.s, mode, step.gmin, out)
    if step.gshunt != 0.0:
        for i in range(lin.diag_pos.shape[0]):
            data[lin.diag_pos[i]] += step.gshunt
    if inc.on:
        for k in range(nnz):
            inc.gsum[k] = data[k]
    if step.a0 != 0.0:
        for k in range(nnz):
            data[k] += step.a0 * (lin.cdata[k] + cdev[k])
    return nlim


@njit(cache=True)
def _assemble_inc(x, step, lin, out, dev, inc, it, perm_c):
    """Later iterations (and the first of a warm call): only the entries and nodes of the
    devices evaluated again are summed again. Returns (limited devices, entries changed);
    marks the LU columns the changed entries reach."""
    data, cdev = out.data, out.cdev
    mode = step.first_mode if it == 0 else 0
    if it == step.it0:
        # a new time point (warm): a0 and the history moved, the stamps did not
        for p in range(lin.gdata.shape[0]):
            if step.a0 != 0.0:
                data[p] = inc.gsum[p] + step.a0 * (lin.cdata[p] + cdev[p])
            else:
                data[p] = inc.gsum[p]
    for i in range(x.shape[0]):
        inc.absdx[i] = abs(x[i] - inc.xin[i])
        inc.xin[i] = x[i]
    nlim, nev = _mos1_inc(x, dev.m, mode, step.gmin, out, False, inc)
    m_pos, m_nodes = dev.m.pos, dev.m.nodes
    np_ = 0
    nn_ = 0
    for e in range(nev):
        d = inc.evl[e]
        for sl in range(16):
            p = m_pos[d, sl]
            if p >= 0 and not inc.pmark[p]:
                inc.pmark[p] = True
                inc.plist[np_] = p
                np_ += 1
        for a in range(4):
            na = m_nodes[d, a]
            if na >= 0 and not inc.nmark[na]:
                inc.nmark[na] = True
                inc.nlist[nn_] = na
                nn_ += 1
    for r in range(np_):
        inc.pmark[inc.plist[r]] = False
        if it > step.it0:
            inc.cmark[perm_c[inc.acol[inc.plist[r]]]] = True
    for r in range(nn_):
        inc.nmark[inc.nlist[r]] = False
    _inc_assemble(np_, nn_, lin, out, inc, step)
    return nlim, np_


@njit(cache=True)
def _finite(data, inc, np_, partial):
    """The matrix values are finite (after a partial assembly only the entries it changed
    are tested: the others were found finite in the last iteration)."""
    if partial:
        for r in range(np_):
            if not np.isfinite(data[inc.plist[r]]):
                return False
        return True
    for k in range(data.shape[0]):
        if not np.isfinite(data[k]):
            return False
    return True


@njit(cache=True)
def _take_step(x, xn, lin, reltol, conv):
    """x = xn; returns (converged, finite): converged when `conv` (no device limited)
    and every unknown moved within tolerance. x is left alone when xn is not finite."""
    for i in range(x.shape[0]):
        v = xn[i]
        if not np.isfinite(v):
            return False, False
        if conv and abs(v - x[i]) > reltol * max(abs(v), abs(x[i])) + lin.tol[i]:
            conv = False
    for i in range(x.shape[0]):
        x[i] = xn[i]
    return conv, True


@njit(cache=True)
def newton_loop(x, step, lin, out, rhs, xn, dev, lu, inc):
    """Iterate from x (updated in place); step, lin, out, dev, lu and inc are the fields of
    Step, Linear, Stamps, Devices (of Groups), LUFactors and Incremental, as plain tuples
    or NamedTuples. Returns (status, iteration). On REPIVOT, out.data
    and rhs hold the system the old pivot order could not factor.

    With inc.on (circuits whose only nonlinear devices are level-1 MOSFETs) the devices
    keep their stamp contributions (inc.ms) and only the matrix entries and nodes of
    evaluated devices are summed again - most devices are bypassed in most iterations.
    Each entry is summed in the same order as the direct stamps, so the values are the
    same bit for bit. Only the LU columns those entries reach are factored again
    (refactor_cols). step.warm (the caller vouches that out, inc.gsum, inc.ms and the
    device states are those of the last converged call, with the same linear part) makes
    the first iteration incremental too: only the a0 terms are added again."""
    step, lin, out, lu, inc = Step(*step), Linear(*lin), Stamps(*out), LUFactors(*lu), \
        Incremental(*inc)
    dev = _named_devices(dev)
    n = x.shape[0]
    status = NOT_CONVERGED
    it_out = step.maxiter
    ran = False
    first = True
    np_ = 0
    polish = step.polish
    for it in range(step.it0, step.maxiter):
        ran = True
        partial = inc.on and it > step.it0
        if inc.on and (it > step.it0 or step.warm):
            first = False
            nlim, np_ = _assemble_inc(x, step, lin, out, dev, inc, it, lu.perm_c)
        else:
            nlim = _assemble_full(x, step, lin, out, dev, inc,
                                  step.first_mode if it == 0 else 0)
        for i in range(n):
            rhs[i] = lin.b[i] + lin.xrhs[i] - out.ieq[i] - step.a0 * out.qeq[i] - lin.hist[i]
        if not _finite(out.data, inc, np_, partial):
            status = NOT_FINITE
            it_out = it
            break
        okf = refactor_cols(lu, out.data, inc.cmark) if partial else refactor(lu, out.data)
        if not okf:
            status = REPIVOT
            it_out = it
            break
        lu_solve(lu, rhs, xn)
        conv, finite = _take_step(x, xn, lin, step.reltol, nlim == 0 and it > 0)
        if not finite:
            status = NOT_FINITE
            it_out = it
            break
        if conv:
            if polish:
                polish = False
                continue
            status = CONVERGED
            it_out = it
            break
    if inc.on:
        for j in range(inc.cmark.shape[0]):   # left set when a NaN stopped the iteration
            inc.cmark[j] = False
    if inc.on and ran and not first:
        _inc_qact(out.qact, inc, dev.m)
    return status, it_out
