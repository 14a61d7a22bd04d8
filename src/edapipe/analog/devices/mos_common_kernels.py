"""What MOS levels 1, 2 and 3 share: parameter columns, state layout and the helpers of
their load kernels (ngspice's mos1load.c / mos2load.c structure, DEVqmeyer integration).
"""

from __future__ import annotations

import math

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import (
    MAX_EXP_ARG, _branch, _volt, fetlim, limvds, pnjlim)

(M_TYPE, M_VBI, M_BETA, M_GAMMA, M_PHI, M_LAMBDA, M_ISS, M_ISD, M_CBD, M_CBS, M_PB, M_MJ,
 M_FC, M_VT, M_VCRITS, M_VCRITD, M_COX, M_CGSO, M_CGDO, M_CGBO) = range(20)


M_LEVEL = 20


M2_FIRST = 21


M_NPAR = M2_FIRST + 17

MEYER_PHASE = 17


BYPASS_OK = 24


BYPASS_AT = 25   # G (16), C (16), I (4), Q (4), v (4) of the last evaluation


M_NSTATE = 25 + 44
M_OFF = 4


@njit(cache=True)
def _meyer_split(vds, vdsat):
    """The shares of the gate-channel capacitance that go to cgs and to cgd below
    saturation (vds < vdsat)."""
    vddif = 2.0 * vdsat - vds
    vddif1 = vdsat - vds
    vddif2 = vddif * vddif
    return 1.0 - vddif1 * vddif1 / vddif2, 1.0 - vdsat * vdsat / vddif2


@njit(cache=True)
def _meyer(vgs, vgd, von, vdsat, phi, cox, split):
    """Meyer's half gate capacitances (cgs, cgd, cgb) as SPICE's DEVqmeyer. `split`: the
    capacitance of the transition region below threshold is shared between cgs and cgd
    as above threshold (ngspice's DEVqmeyer, levels 2 and 3: mos_kernels.mos23_load);
    without it (level 1 here) all of it is cgs."""
    vgst = vgs - von
    if vgst <= -phi:
        return 0.0, 0.0, cox / 2.0
    if vgst <= -phi / 2.0:
        return 0.0, 0.0, -vgst * cox / (2.0 * phi)
    vds = vgs - vgd
    if vgst <= 0.0:
        cgs = vgst * cox / (1.5 * phi) + cox / 3.0
        cgb = -vgst * cox / (2.0 * phi)
        if not split or vds >= vdsat:
            return cgs, 0.0, cgb
        fs, fd = _meyer_split(vds, vdsat)
        return cgs * fs, cgs * fd, cgb
    if vdsat <= vds:
        return cox / 3.0, 0.0, 0.0
    fs, fd = _meyer_split(vds, vdsat)
    return cox * fs / 3.0, cox * fd / 3.0, 0.0


@njit(cache=True, inline="always")
def _meyer_oriented(normal, vgs, vgd, von, vdsat, phi, cox, split):
    """_meyer's (cgs, cgd, cgb) of a device in normal mode (vds >= 0) or reversed (the
    source and drain swap roles). Scalars only, so inlining it costs no reference counts;
    inlined because as a call it made the level-1 load 10 % slower on a chain with TOX."""
    if normal:
        return _meyer(vgs, vgd, von, vdsat, phi, cox, split)
    cgd, cgs, cgb = _meyer(vgd, vgs, von, vdsat, phi, cox, split)
    return cgs, cgd, cgb


@njit(cache=True)
def _mos_terminals(x, nodes, d):
    """Drain, gate and bulk voltages of MOS row d relative to its source."""
    vs = _volt(x, nodes[d, 2])
    return _volt(x, nodes[d, 0]) - vs, _volt(x, nodes[d, 1]) - vs, _volt(x, nodes[d, 3]) - vs


@njit(cache=True)
def _mos_start(typ, vdx, vgx, vbx, mode, off, vgs_init):
    """(vbs, vgs, vds) in the N-type frame; in mode 1 (MODEINITJCT) ngspice's starting
    values instead: zero for an OFF device, else vbs = -1, vgs = vgs_init, vds = 0."""
    if mode == 1:
        if off != 0.0:
            return 0.0, 0.0, 0.0
        return -1.0, typ * vgs_init, 0.0
    return typ * vbx, typ * vgx, typ * vdx


@njit(cache=True)
def _mos_limit(vgs, vds, vbs, state, d, vt, vcrits, vcritd):
    """ngspice's MOS limiting from the last iterate (state[d, 0:4] = vbs vgs vds von):
    fetlim on the controlling gate voltage, limvds, pnjlim on the forward junction.
    Returns (vgs, vds, vbs, pnjlim limited)."""
    vbs_o = state[d, 0]
    vgs_o = state[d, 1]
    vds_o = state[d, 2]
    von = state[d, 3]
    vgd = vgs - vds
    if vds_o >= 0.0:
        vgs = fetlim(vgs, vgs_o, von)
        vds = vgs - vgd
        vds = limvds(vds, vds_o)
    else:
        vgd = fetlim(vgd, vgs_o - vds_o, von)
        vds = vgs - vgd
        vds = -limvds(-vds, -vds_o)
        vgs = vgd + vds
    lim = False
    if vds >= 0.0:
        vbs, lim = pnjlim(vbs, vbs_o, vt, vcrits)
    else:
        vbd, lim = pnjlim(vbs - vds, vbs_o - vds_o, vt, vcritd)
        vbs = vbd + vds
    return vgs, vds, vbs, lim


@njit(cache=True)
def _mos_junction(v, vt, isat, gmin):
    """A bulk diode of a MOSFET (conductance, current), as mos1load/mos2load."""
    if v <= -3.0 * vt:
        return gmin, gmin * v - isat
    ev = math.exp(min(MAX_EXP_ARG, v / vt))
    return isat * ev / vt + gmin, isat * (ev - 1.0) + gmin * v


@njit(cache=True)
def _mos_companion(normal, dc, bulk, volts, G, C, I, v):
    """Terminal voltages v (s' reference: d, g, s, b), currents I and conductances G of the
    channel and the bulk diodes; C cleared. The channel current flows d -> s in normal
    mode (ids(vgs, vds, vbs)), s -> d reversed (ids(vgd, vsd, vbd)). dc: the channel's
    (ids, gm, gds, gmbs), bulk: the junctions' (gbs, cbs, gbd, cbd), volts: (vds, vgs, vbs)."""
    ids, gm, gds, gmbs = dc
    gbs, cbs, gbd, cbd = bulk
    vds, vgs, vbs = volts
    v[0] = vds
    v[1] = vgs
    v[2] = 0.0
    v[3] = vbs
    G[:, :] = 0.0
    C[:, :] = 0.0
    if normal:
        idrain = ids
        # d ids / d(vd, vg, vs, vb)
        dd = gds
        dg = gm
        db = gmbs
        ds = -(gds + gm + gmbs)
    else:
        idrain = -ids
        # ids(vgd, vsd, vbd): d/dvs = gds, d/dvg = gm, d/dvb = gmbs, d/dvd = -(sum)
        dd = gds + gm + gmbs
        dg = -gm
        db = -gmbs
        ds = -gds
    I[0] = idrain - cbd
    I[1] = 0.0
    I[2] = -idrain - cbs
    I[3] = cbd + cbs
    G[0, 0] += dd + gbd
    G[0, 1] += dg
    G[0, 2] += ds
    G[0, 3] += db - gbd
    G[2, 0] -= dd
    G[2, 1] -= dg
    G[2, 2] -= ds - gbs
    G[2, 3] -= db + gbs
    G[3, 0] -= gbd
    G[3, 2] -= gbs
    G[3, 3] += gbd + gbs


@njit(cache=True)
def _mos_bulk_charges(qbs, cbs_c, qbd, cbd_c, Q, C):
    """The bulk depletion charges and capacitances into Q (set) and C (added to the C
    that _mos_companion cleared)."""
    Q[0] = -qbd
    Q[1] = 0.0
    Q[2] = -qbs
    Q[3] = qbd + qbs
    C[3, 3] += cbs_c + cbd_c
    C[3, 2] -= cbs_c
    C[2, 3] -= cbs_c
    C[2, 2] += cbs_c
    C[3, 0] -= cbd_c
    C[0, 3] -= cbd_c
    C[0, 0] += cbd_c


@njit(cache=True)
def _meyer_charges(state, d, cgs_h, cgd_h, cgb_h, vgs, vgd, vgb, Q, C):
    """Meyer gate charges integrated as ngspice does: half capacitances now and at the
    last accepted point, charge = q1 + C*(v - v1) (q = C v at the op / first point).
    Stamps Q and C, keeps the present in state; returns (qgs, qgd, qgb)."""
    state[d, 5] = cgs_h
    state[d, 6] = cgd_h
    state[d, 7] = cgb_h
    if state[d, MEYER_PHASE] == 0.0:       # op / first point: q = C v
        capgs = 2.0 * cgs_h
        capgd = 2.0 * cgd_h
        capgb = 2.0 * cgb_h
        qgs = capgs * vgs
        qgd = capgd * vgd
        qgb = capgb * vgb
    else:
        capgs = cgs_h + state[d, 14]
        capgd = cgd_h + state[d, 15]
        capgb = cgb_h + state[d, 16]
        qgs = state[d, 8] + capgs * (vgs - state[d, 11])
        qgd = state[d, 9] + capgd * (vgd - state[d, 12])
        qgb = state[d, 10] + capgb * (vgb - state[d, 13])
    state[d, 18] = qgs
    state[d, 19] = qgd
    state[d, 20] = qgb
    state[d, 21] = vgs
    state[d, 22] = vgd
    state[d, 23] = vgb
    Q[1] += qgs + qgd + qgb
    Q[2] -= qgs
    Q[0] -= qgd
    Q[3] -= qgb
    _branch(C, 1, 2, capgs)
    _branch(C, 1, 0, capgd)
    _branch(C, 1, 3, capgb)
    return qgs, qgd, qgb


def meyer_commit(state):
    """After an accepted time point: the present becomes the 'last point' of Meyer's
    incremental charges."""
    state[:, 8:11] = state[:, 18:21]
    state[:, 11:14] = state[:, 21:24]
    state[:, 14:17] = state[:, 5:8]
    state[:, MEYER_PHASE] = 1.0
