"""The JFET load kernel (letter J, level 1): Shichman-Hodges with the Sydney University
doping-tail parameter B, as ngspice's jfetload.c; gate junctions as diodes, depletion
charges with grading 1/2. Terminals (d', g, s'); the parameter row is built in jfet.py."""

from __future__ import annotations

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import (
    _branch, _depletion, _flip, _junction, _scratch, _stamp_at, _volt, fetlim, pnjlim)

(J_TYPE, J_VTO, J_BETA, J_LAMBDA, J_B, J_BFAC, J_IS, J_VT, J_VCRIT, J_CGS, J_CGD, J_PB,
 J_FC) = range(13)
J_NPAR = 13
J_NSTATE = 3     # vgs, vgd, off flag
J_OFF = 2


@njit(cache=True)
def _normal_current(vgst, vds, beta, lam, b, bfac):
    """Drain current and its derivatives (gm = d/dvgs, gds = d/dvds) with vds >= 0."""
    if vgst <= 0.0:
        return 0.0, 0.0, 0.0
    betap = beta * (1.0 + lam * vds)
    if vgst >= vds:                                   # linear region
        apart = 2.0 * b + 3.0 * bfac * (vgst - vds)
        cpart = vds * (vds * (bfac * vds - b) + vgst * apart)
        return (betap * cpart, betap * vds * (apart + 3.0 * bfac * vgst),
                betap * (vgst - vds) * apart + beta * lam * cpart)
    bf = vgst * bfac                                  # saturation
    cpart = vgst * vgst * (b + bf)
    return betap * cpart, betap * vgst * (2.0 * b + 3.0 * bf), lam * beta * cpart


@njit(cache=True)
def _inverse_current(vgdt, vds, beta, lam, b, bfac):
    """The same with vds < 0 (drain and source swapped), derivatives still against vgs
    and vds."""
    if vgdt <= 0.0:
        return 0.0, 0.0, 0.0
    betap = beta * (1.0 - lam * vds)
    if vgdt + vds >= 0.0:                             # linear region
        apart = 2.0 * b + 3.0 * bfac * (vgdt + vds)
        cpart = vds * (-vds * (-bfac * vds - b) + vgdt * apart)
        gm = betap * vds * (apart + 3.0 * bfac * vgdt)
        return betap * cpart, gm, betap * (vgdt + vds) * apart - beta * lam * cpart - gm
    bf = vgdt * bfac                                  # saturation
    gm = -betap * vgdt * (2.0 * b + 3.0 * bf)
    cpart = vgdt * vgdt * (b + bf)
    return -betap * cpart, gm, lam * beta * cpart - gm


@njit(cache=True)
def _gate_voltages(x, nodes, par, state, d, typ, mode):
    """(vgs, vgd, limited) for row d: ngspice's start values at MODEINITJCT (mode 1),
    pnjlim then fetlim on both junctions in a Newton iteration (mode 0)."""
    vs = _volt(x, nodes[d, 2])
    vg = _volt(x, nodes[d, 1])
    vd = _volt(x, nodes[d, 0])
    vgs = typ * (vg - vs)
    vgd = typ * (vg - vd)
    if mode == 1:
        v0 = 0.0 if state[d, J_OFF] != 0.0 else -1.0
        return v0, v0, False
    if mode != 0:
        return vgs, vgd, False
    vt = par[d, J_VT]
    vcrit = par[d, J_VCRIT]
    vto = par[d, J_VTO]
    vgs, l1 = pnjlim(vgs, state[d, 0], vt, vcrit)
    vgd, l2 = pnjlim(vgd, state[d, 1], vt, vcrit)
    vgs = fetlim(vgs, state[d, 0], vto)
    vgd = fetlim(vgd, state[d, 1], vto)
    return vgs, vgd, l1 or l2


@njit(cache=True)
def jfet_load(x, grp, mode, gmin, out):
    """JFETs: terminals (d', g, s'). state: vgs, vgd, off flag."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = 3
    G, C, I, Q, v = _scratch(k)
    nlim = 0
    for d in range(nodes.shape[0]):
        typ = par[d, J_TYPE]
        vgs, vgd, lim = _gate_voltages(x, nodes, par, state, d, typ, mode)
        if lim:
            nlim += 1
        state[d, 0] = vgs
        state[d, 1] = vgd
        vds = vgs - vgd
        vt = par[d, J_VT]
        cgs_j, ggs = _junction(par[d, J_IS], vgs, vt, gmin)
        cgd_j, ggd = _junction(par[d, J_IS], vgd, vt, gmin)
        beta, lam, b, bfac = par[d, J_BETA], par[d, J_LAMBDA], par[d, J_B], par[d, J_BFAC]
        if vds >= 0.0:
            cdrain, gm, gds = _normal_current(vgs - par[d, J_VTO], vds, beta, lam, b, bfac)
        else:
            cdrain, gm, gds = _inverse_current(vgd - par[d, J_VTO], vds, beta, lam, b, bfac)
        # currents into d', g, s' (N-type frame)
        I[0] = cdrain - cgd_j
        I[1] = cgs_j + cgd_j
        I[2] = -cdrain - cgs_j
        G[:, :] = 0.0
        _branch(G, 1, 2, ggs)
        _branch(G, 1, 0, ggd)
        # the channel: d cdrain = gm d vgs + gds d vds, from d' to s'
        G[0, 0] += gds
        G[0, 1] += gm
        G[0, 2] -= gds + gm
        G[2, 0] -= gds
        G[2, 1] -= gm
        G[2, 2] += gds + gm
        qgs, capgs = _depletion(par[d, J_CGS], par[d, J_PB], 0.5, par[d, J_FC], vgs)
        qgd, capgd = _depletion(par[d, J_CGD], par[d, J_PB], 0.5, par[d, J_FC], vgd)
        Q[0] = -qgd
        Q[1] = qgs + qgd
        Q[2] = -qgs
        C[:, :] = 0.0
        _branch(C, 1, 2, capgs)
        _branch(C, 1, 0, capgd)
        vsn = typ * _volt(x, nodes[d, 2])
        v[2] = vsn
        v[1] = vsn + vgs
        v[0] = v[1] - vgd
        _flip(k, typ, I, Q, v)
        _stamp_at(k, grp, d, G, C, I, Q, v, out)
        # the junction charges ngspice checks for truncation error (JFETtrunc)
        qdev[d, 0] = qgs
        qdev[d, 1] = qgd
    return nlim
