"""MOS level 1 (Shichman-Hodges, ngspice's mos1load.c): one load loop with ngspice's bypass
(_mos1_inc), run as the plain load (mos1_load) and for the incremental assembly of
newton_kernels.newton_loop, which keeps each device's contributions.
"""

from __future__ import annotations

import math

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import _depletion, _flip, _scratch, _stamp_at
from edapipe.analog.devices.mos_common_kernels import (
    BYPASS_AT, BYPASS_OK, M_BETA, M_CBD, M_CBS, M_CGBO, M_CGDO, M_CGSO, M_COX, M_FC, M_GAMMA,
    M_ISD, M_ISS, M_LAMBDA, M_LEVEL, M_MJ, M_PB, M_PHI, M_TYPE, M_VBI, M_VCRITD, M_VCRITS,
    M_VT, _meyer_charges, _meyer_oriented, _mos_bulk_charges, _mos_companion, _mos_junction,
    _mos_limit, _mos_start, _mos_terminals)


@njit(cache=True)
def _mos1_ids(vgs, vds, vbs, par, d):
    """Shichman-Hodges drain current in normal mode (vds >= 0): (ids, gm, gds, gmbs, von)."""
    phi = par[d, M_PHI]
    gamma = par[d, M_GAMMA]
    if vbs <= 0.0:
        sarg = math.sqrt(phi - vbs)
    else:
        sarg = math.sqrt(phi)
        sarg = sarg - vbs / (sarg + sarg)
        sarg = max(0.0, sarg)
    von = par[d, M_VBI] * par[d, M_TYPE] + gamma * sarg
    vgst = vgs - von
    if vgst <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, von
    arg = gamma / (sarg + sarg) if sarg > 0.0 else 0.0
    beta = par[d, M_BETA]
    lam = par[d, M_LAMBDA]
    betap = beta * (1.0 + lam * vds)
    if vgst <= vds:
        ids = betap * vgst * vgst * 0.5
        gm = betap * vgst
        gds = lam * beta * vgst * vgst * 0.5
    else:
        ids = betap * vds * (vgst - 0.5 * vds)
        gm = betap * vds
        gds = betap * (vgst - vds) + lam * beta * vds * (vgst - 0.5 * vds)
    return ids, gm, gds, gm * arg, von


@njit(cache=True)
def _remember_at(k, st, d, G, C, I, Q, v):
    """Keep device d's companion model for the bypass (2-D indexing, no row view)."""
    o = BYPASS_AT
    for a in range(k):
        for b in range(k):
            st[d, o + a * k + b] = G[a, b]
            st[d, o + k * k + a * k + b] = C[a, b]
        st[d, o + 2 * k * k + a] = I[a]
        st[d, o + 2 * k * k + k + a] = Q[a]
        st[d, o + 2 * k * k + 2 * k + a] = v[a]
    st[d, BYPASS_OK] = 1.0


@njit(cache=True)
def _bypass_stamp(k, grp, d, out, vds, vgs, vbs):
    """Stamp device d's remembered companion model, for a device that passed both bypass
    tests (_unchanged, _bypass_test): its charges follow that linearisation to the present
    voltages (the transient integrates them). Indexes the 2-D state directly (no row views
    in the hot loop)."""
    nodes, pos, st = grp.nodes, grp.pos, grp.state
    gdata, cdata, ieq, qeq, qact = out
    o = BYPASS_AT
    kk = k * k
    ov = o + 2 * kk + 2 * k
    hasc = _has_charge(k, st, d)
    for a in range(k):
        na = nodes[d, a]
        if na >= 0:
            s = st[d, o + 2 * kk + a]
            for b in range(k):
                s -= st[d, o + a * k + b] * st[d, ov + b]
            ieq[na] += s
            if hasc:
                sq = st[d, o + 2 * kk + k + a]
                qa = sq
                for b in range(k):
                    vb = st[d, ov + b]
                    cab = st[d, o + kk + a * k + b]
                    sq -= cab * vb
                    vn = vds if b == 0 else (vgs if b == 1 else (0.0 if b == 2 else vbs))
                    qa += cab * (vn - vb)
                qeq[na] += sq
                qact[na] += qa
            else:
                q = st[d, o + 2 * kk + k + a]
                qeq[na] += q
                qact[na] += q
        for b in range(k):
            p = pos[d, a * k + b]
            if p >= 0:
                gdata[p] += st[d, o + a * k + b]
                if hasc:
                    cdata[p] += st[d, o + kk + a * k + b]


MS_G, MS_C, MS_I, MS_Q, MS_QA = 0, 16, 32, 36, 40


MS_N = 44


@njit(cache=True)
def _unchanged(state, par, d, vbs, vgs, vds):
    """ngspice's first bypass test: device d's (limited-frame) voltages moved by less than
    the Newton tolerance since its last evaluation, which left a companion model to reuse.
    Never with Meyer charges, whose integration state changes every point."""
    vbs_o = state[d, 0]
    vgs_o = state[d, 1]
    vds_o = state[d, 2]
    return (state[d, BYPASS_OK] != 0.0 and par[d, M_COX] == 0.0
            and abs(vbs - vbs_o) <= 1e-3 * max(abs(vbs), abs(vbs_o)) + 1e-6
            and abs(vgs - vgs_o) <= 1e-3 * max(abs(vgs), abs(vgs_o)) + 1e-6
            and abs(vds - vds_o) <= 1e-3 * max(abs(vds), abs(vds_o)) + 1e-6)


@njit(cache=True)
def _has_charge(k, st, d):
    """Whether device d's remembered companion model has charges: its capacitances are
    non-negative, so an all-zero diagonal means none at all."""
    o = BYPASS_AT + k * k
    return (st[d, o] + st[d, o + k + 1] + st[d, o + 2 * k + 2] + st[d, o + 3 * k + 3]) != 0.0


@njit(cache=True)
def _bypass_test(k, st, d, vds, vgs, vbs):
    """ngspice's second bypass test alone (nothing stamped): the currents the remembered
    linearisation predicts at the present terminal voltages differ from the remembered
    ones by less than RELTOL (+ ABSTOL)."""
    o = BYPASS_AT
    kk = k * k
    ov = o + 2 * kk + 2 * k
    dv0 = vds - st[d, ov]
    dv1 = vgs - st[d, ov + 1]
    dv3 = vbs - st[d, ov + 3]
    for a in range(k):
        di = (st[d, o + a * k] * dv0 + st[d, o + a * k + 1] * dv1
              + st[d, o + a * k + 3] * dv3)
        if abs(di) > 1e-3 * abs(st[d, o + 2 * kk + a]) + 1e-12:
            return False
    return True


@njit(cache=True)
def _bypass_slack(k, st, d, vds, vgs, vbs, vbs_n, vgs_n, vds_n, vbs_o, vgs_o, vds_o):
    """For a device that passed both bypass tests: half the largest move of any terminal
    voltage that cannot make either test fail (see _mos1_inc), or -1 when there is none.
    A terminal move m moves a relative voltage by up to 2m, its tolerance by 1e-3 times
    that, and row a's predicted current by up to 2m times the sum of |G[a, b]|."""
    o = BYPASS_AT
    kk = k * k
    ov = o + 2 * kk + 2 * k
    sv = 1e-3 * max(abs(vbs_n), abs(vbs_o)) + 1e-6 - abs(vbs_n - vbs_o)
    sv = min(sv, 1e-3 * max(abs(vgs_n), abs(vgs_o)) + 1e-6 - abs(vgs_n - vgs_o))
    sv = min(sv, 1e-3 * max(abs(vds_n), abs(vds_o)) + 1e-6 - abs(vds_n - vds_o))
    s = sv / (2.0 * (1.0 + 1e-3))
    dv0 = vds - st[d, ov]
    dv1 = vgs - st[d, ov + 1]
    dv3 = vbs - st[d, ov + 3]
    for a in range(k):
        g0 = st[d, o + a * k]
        g1 = st[d, o + a * k + 1]
        g3 = st[d, o + a * k + 3]
        di = g0 * dv0 + g1 * dv1 + g3 * dv3
        si = 1e-3 * abs(st[d, o + 2 * kk + a]) + 1e-12 - abs(di)
        gs = abs(g0) + abs(g1) + abs(g3)
        if gs > 0.0:
            s = min(s, si / (2.0 * gs))
    # a safety factor, and no slack so thin that rounding in the tests could matter (a
    # relative voltage can jump by an ulp of itself when a terminal moves by far less)
    vmax = max(max(abs(vbs_n), abs(vgs_n), abs(vds_n)), max(abs(vbs_o), abs(vgs_o),
               abs(vds_o)))
    return 0.5 * s if s > 1e-12 + 1e-14 * vmax else -1.0


@njit(cache=True)
def _bypass_contrib(k, st, d, ms):
    """What _bypass_stamp stamps, into the device's row of ms (the same arithmetic, so the
    assembled sums equal the direct stamps bit for bit); qact is left to _inc_qact."""
    o = BYPASS_AT
    kk = k * k
    ov = o + 2 * kk + 2 * k
    hasc = _has_charge(k, st, d)
    for a in range(k):
        s = st[d, o + 2 * kk + a]
        for b in range(k):
            s -= st[d, o + a * k + b] * st[d, ov + b]
        ms[d, MS_I + a] = s
        if hasc:
            sq = st[d, o + 2 * kk + k + a]
            for b in range(k):
                sq -= st[d, o + kk + a * k + b] * st[d, ov + b]
            ms[d, MS_Q + a] = sq
        else:
            ms[d, MS_Q + a] = st[d, o + 2 * kk + k + a]
        for b in range(k):
            ms[d, MS_G + a * k + b] = st[d, o + a * k + b]
            ms[d, MS_C + a * k + b] = st[d, o + kk + a * k + b] if hasc else 0.0


@njit(cache=True)
def _store_at(k, d, G, C, I, Q, v, ms):
    """What _stamp_at adds, into the device's row of ms (the same arithmetic)."""
    for a in range(k):
        s = I[a]
        sq = Q[a]
        for b in range(k):
            s -= G[a, b] * v[b]
            sq -= C[a, b] * v[b]
        ms[d, MS_I + a] = s
        ms[d, MS_Q + a] = sq
        ms[d, MS_QA + a] = Q[a]
        for b in range(k):
            ms[d, MS_G + a * k + b] = G[a, b]
            ms[d, MS_C + a * k + b] = C[a, b]


@njit(cache=True)
def _mos1_inc(x, grp, mode, gmin, out, first, inc):
    """The level-1 rows of a MOS group (d', g, s', b; state vbs vgs vds von off | Meyer |
    bypass), for mos1_load (`inc` None, `first` True) and newton_loop's incremental assembly
    (`inc` its arrays) in one loop. The bookkeeping hangs on `keep`, a loop constant (numba
    does not prune `inc is not None` for a NamedTuple, and that test in the loop cost 14 %
    on a 50-stage chain). Returns (pnjlim count, number evaluated).

    With inc: each device's contributions are kept in ms, stamped only when `first` (a
    bypassed device's are unchanged since the last load); byp[d] = 1 for a bypassed device,
    evl lists the evaluated ones. slack[d] (later iterations): how far, in volts, every
    terminal of a device that passed both bypass tests may still move before either test
    could fail (relative voltages move by at most twice the largest terminal move,
    tolerances by RELTOL times that, predicted currents by the row sums of |G| times that);
    absdx[i]: how far node i moved since the last load. A device whose terminals moved less
    than half its slack is bypassed without reading its state (~6 cache lines): most of a
    large circuit sits still. An evaluated device's slack is -1."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    keep = inc is not None      # tested once: numba's test increfs every array of inc
    if keep:                    # fields read once: an access in the loop costs refcounts
        ms, byp, evl, slack, absdx = inc.ms, inc.byp, inc.evl, inc.slack, inc.absdx
    else:                       # never written: the plain load's stand-ins of those types
        ms, byp, evl, slack, absdx = state, nodes.ravel(), nodes.ravel(), x, x
    k = 4
    G, C, I, Q, v = _scratch(k)
    nlim = nev = 0
    for d in range(nodes.shape[0]):
        if keep and not first:
            sl = slack[d]
            if sl > 0.0:
                mv = 0.0
                for a in range(4):
                    na = nodes[d, a]
                    if na >= 0 and absdx[na] > mv:
                        mv = absdx[na]
                if mv + mv <= sl:
                    slack[d] = sl - mv
                    byp[d] = 1
                    continue
        if par[d, M_LEVEL] >= 2.0:   # levels 2 and 3: mos_kernels.mos23_load
            continue
        typ = par[d, M_TYPE]
        vt = par[d, M_VT]
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        # MODEINITJCT: ngspice starts at the threshold
        vbs, vgs, vds = _mos_start(typ, vdx, vgx, vbx, mode, state[d, 4], par[d, M_VBI])
        if mode == 0:
            # bypass (as ngspice's MOS1 does by default): a device whose terminal
            # voltages moved by less than the Newton tolerance is not re-evaluated; its
            # last companion model is stamped again
            if (_unchanged(state, par, d, vbs, vgs, vds)
                    and _bypass_test(k, state, d, vdx, vgx, vbx)):
                if first:
                    _bypass_stamp(k, grp, d, out, vdx, vgx, vbx)
                if keep:
                    if first:
                        _bypass_contrib(k, state, d, ms)
                    slack[d] = _bypass_slack(k, state, d, vdx, vgx, vbx, vbs, vgs, vds,
                                             state[d, 0], state[d, 1], state[d, 2])
                    byp[d] = 1
                continue
            vgs, vds, vbs, lim = _mos_limit(vgs, vds, vbs, state, d, vt, par[d, M_VCRITS],
                                            par[d, M_VCRITD])
            if lim:  # fetlim/limvds changes do not count (as in ngspice)
                nlim += 1
        vbd = vbs - vds
        state[d, 0] = vbs
        state[d, 1] = vgs
        state[d, 2] = vds
        # bulk junctions
        gbs, cbs = _mos_junction(vbs, vt, par[d, M_ISS], gmin)
        gbd, cbd = _mos_junction(vbd, vt, par[d, M_ISD], gmin)
        if vds >= 0.0:
            ids, gm, gds, gmbs, von = _mos1_ids(vgs, vds, vbs, par, d)
            mode_n = 1.0
        else:
            ids, gm, gds, gmbs, von = _mos1_ids(vgs - vds, -vds, vbd, par, d)
            mode_n = -1.0
        state[d, 3] = von
        _mos_companion(mode_n > 0.0, (ids, gm, gds, gmbs), (gbs, cbs, gbd, cbd),
                       (vds, vgs, vbs), G, C, I, v)
        # bulk junction charges
        qbs, cbs_c = _depletion(par[d, M_CBS], par[d, M_PB], par[d, M_MJ], par[d, M_FC], vbs)
        qbd, cbd_c = _depletion(par[d, M_CBD], par[d, M_PB], par[d, M_MJ], par[d, M_FC], vbd)
        _mos_bulk_charges(qbs, cbs_c, qbd, cbd_c, Q, C)
        qgs = 0.0
        qgd = 0.0
        qgb = 0.0
        if par[d, M_COX] > 0.0:
            # Meyer gate capacitances (only with TOX), integrated as ngspice does: half
            # capacitances now and at the last accepted point, charge = q1 + C*(v - v1)
            vgd = vgs - vds
            vgb = vgs - vbs
            vdsat = max(vgs - von if mode_n > 0.0 else vgs - vds - von, 0.0)
            cgs_h, cgd_h, cgb_h = _meyer_oriented(mode_n > 0.0, vgs, vgd, von, vdsat,
                                                  par[d, M_PHI], par[d, M_COX], False)
            qgs, qgd, qgb = _meyer_charges(state, d, cgs_h, cgd_h, cgb_h, vgs, vgd, vgb, Q, C)
        _flip(k, typ, I, Q, v)
        if keep:
            _store_at(k, d, G, C, I, Q, v, ms)
            byp[d] = 0
            slack[d] = -1.0
            evl[nev] = d
            nev += 1
        if first:
            _stamp_at(k, grp, d, G, C, I, Q, v, out)
        if mode == 0:
            _remember_at(k, state, d, G, C, I, Q, v)
        else:
            state[d, BYPASS_OK] = 0.0
        # the gate charges ngspice checks for truncation error (MOS1trunc): Meyer plus
        # overlap (the overlap capacitors themselves are stamped as linear ones)
        if par[d, M_COX] > 0.0:
            qgs += par[d, M_CGSO] * vgs
            qgd += par[d, M_CGDO] * (vgs - vds)
            qgb += par[d, M_CGBO] * (vgs - vbs)
        qdev[d, 0] = typ * qgs
        qdev[d, 1] = typ * qgd
        qdev[d, 2] = typ * qgb
        qdev[d, 3] = 0.0
    return nlim, nev


@njit(cache=True)
def mos1_load(x, grp, mode, gmin, out):
    """MOS level 1 under the load-kernel contract: every level-1 row evaluated or bypassed,
    and stamped. Returns the pnjlim count. (mos_kernels.mos_load calls _mos1_inc itself:
    a call level less per load.)"""
    return _mos1_inc(x, grp, mode, gmin, out, True, None)[0]
