"""Diode (ngspice's dioload.c): the load kernel and its parameter columns.
"""

from __future__ import annotations

import math

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import (
    MAX_EXP_ARG, _branch, _depletion, _junction, _scratch, _stamp_at, _volt, pnjlim)

D_IS, D_N, D_TT, D_CJ, D_VJ, D_M, D_FC, D_BV, D_IBVX, D_VT, D_VCRIT, D_AREA_UNUSED = range(12)


D_NPAR = 12
D_NSTATE = 2     # last junction voltage, off flag
D_OFF = 1


@njit(cache=True)
def diode_load(x, grp, mode, gmin, out):
    """Diodes: terminals (anode', cathode). state[:,0] holds the last junction voltage."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    G, C, I, Q, v = _scratch(2)
    nlim = 0
    for d in range(nodes.shape[0]):
        is_ = par[d, D_IS]
        vte = par[d, D_N] * par[d, D_VT]
        bv = par[d, D_BV]
        vcrit = par[d, D_VCRIT]
        vd = _volt(x, nodes[d, 0]) - _volt(x, nodes[d, 1])
        if mode == 1:
            vd = vcrit if state[d, 1] == 0.0 else 0.0
        elif mode == 0:
            vold = state[d, 0]
            if bv > 0.0 and vd < min(0.0, -bv + 10.0 * vte):
                vt2, lim = pnjlim(-(vd + bv), -(vold + bv), vte, vcrit)
                vd = -(vt2 + bv)
            else:
                vd, lim = pnjlim(vd, vold, vte, vcrit)
            if lim:
                nlim += 1
        state[d, 0] = vd
        if vd >= -3.0 * vte or bv <= 0.0 or vd >= -bv:
            cd, gd = _junction(is_, vd, vte, gmin)
        else:
            ev = math.exp(min(-(bv + vd) / vte, MAX_EXP_ARG))
            cd = -is_ * ev + gmin * vd
            gd = is_ * ev / vte + gmin
        qd, cj = _depletion(par[d, D_CJ], par[d, D_VJ], par[d, D_M], par[d, D_FC], vd)
        tt = par[d, D_TT]
        qd += tt * cd
        cj += tt * gd
        I[0] = cd
        I[1] = -cd
        Q[0] = qd
        Q[1] = -qd
        G[:, :] = 0.0
        C[:, :] = 0.0
        _branch(G, 0, 1, gd)
        _branch(C, 0, 1, cj)
        v[0] = vd
        v[1] = 0.0
        _stamp_at(2, grp, d, G, C, I, Q, v, out)
        qdev[d, 0] = qd
    return nlim
