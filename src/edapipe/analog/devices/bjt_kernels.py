"""Gummel-Poon BJT (ngspice's bjtload.c): the load kernel and its parameter columns.
"""

from __future__ import annotations

import math

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import (
    _branch, _depletion, _flip, _junction, _scratch, _stamp_at, _volt, pnjlim)

(B_TYPE, B_IS, B_BF, B_NF, B_BR, B_NR, B_IVAF, B_IVAR, B_IIKF, B_IIKR, B_ISE, B_NE, B_ISC,
 B_NC, B_RB, B_RBM, B_IRB, B_CJE, B_VJE, B_MJE, B_CJC, B_VJC, B_MJC, B_XCJC, B_CJS, B_VJS,
 B_MJS, B_FC, B_TF, B_XTF, B_VTF, B_ITF, B_TR, B_VT, B_VCRIT, B_NKF, B_SUBLAT,
 B_ISBC) = range(38)


B_NPAR = 38
B_NSTATE = 3     # vbe, vbc, off flag
B_OFF = 2


@njit(cache=True)
def _leakage(isat, v, vte, gmin):
    """A base leakage junction (ISE/NE or ISC/NC; none when isat is 0) with gmin across
    it: (i, g)."""
    if isat != 0.0:
        i, g = _junction(isat, v, vte, 0.0)
    else:
        i, g = 0.0, 0.0
    return i + gmin * v, g + gmin


@njit(cache=True)
def bjt_load(x, grp, mode, gmin, out):
    """Gummel-Poon BJTs: terminals (c', b, b', e', s). state: vbe, vbc, off-flag."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = 5
    G, C, I, Q, v = _scratch(k)
    nlim = 0
    for d in range(nodes.shape[0]):
        typ = par[d, B_TYPE]
        vt = par[d, B_VT]
        vcrit = par[d, B_VCRIT]
        vc = _volt(x, nodes[d, 0])
        vbx = _volt(x, nodes[d, 1])
        vb = _volt(x, nodes[d, 2])
        ve = _volt(x, nodes[d, 3])
        vs = _volt(x, nodes[d, 4])
        vbe = typ * (vb - ve)
        vbc = typ * (vb - vc)
        if mode == 1:
            if state[d, 2] != 0.0:
                vbe = 0.0
            else:
                vbe = vcrit
            vbc = 0.0
        elif mode == 0:
            vbe, l1 = pnjlim(vbe, state[d, 0], vt, vcrit)
            vbc, l2 = pnjlim(vbc, state[d, 1], vt, vcrit)
            if l1 or l2:
                nlim += 1
        state[d, 0] = vbe
        state[d, 1] = vbc
        # junction voltages of the external-base and substrate junctions (not limited)
        vbxc = typ * (vbx - vc) if mode != 1 else vbc
        sublat = par[d, B_SUBLAT] != 0.0
        if sublat:
            vsub = typ * (vs - vb) if mode != 1 else 0.0
        else:
            vsub = typ * (vs - vc) if mode != 1 else 0.0
        csat = par[d, B_IS]
        vtn = par[d, B_NF] * vt
        cbe, gbe = _junction(csat, vbe, vtn, 0.0)
        cben, gben = _leakage(par[d, B_ISE], vbe, par[d, B_NE] * vt, gmin)
        # the base-collector junction has its own saturation current: the area rule
        # differs from the base-emitter one (bjt.bjt_row)
        cbc, gbc = _junction(par[d, B_ISBC], vbc, par[d, B_NR] * vt, 0.0)
        cbcn, gbcn = _leakage(par[d, B_ISC], vbc, par[d, B_NC] * vt, gmin)
        # base charge qb (Early effect and high injection)
        q1 = 1.0 / (1.0 - par[d, B_IVAF] * vbc - par[d, B_IVAR] * vbe)
        oik = par[d, B_IIKF]
        oikr = par[d, B_IIKR]
        if oik == 0.0 and oikr == 0.0:
            qb = q1
            dqbdve = q1 * qb * par[d, B_IVAR]
            dqbdvc = q1 * qb * par[d, B_IVAF]
        else:
            q2 = oik * cbe + oikr * cbc
            arg = max(0.0, 1.0 + 4.0 * q2)
            sqarg = 1.0
            nkf = par[d, B_NKF]
            if arg != 0.0:
                sqarg = math.sqrt(arg) if nkf == 0.5 else math.pow(arg, nkf)
            qb = q1 * (1.0 + sqarg) / 2.0
            if nkf == 0.5:
                dqbdve = q1 * (qb * par[d, B_IVAR] + oik * gbe / sqarg)
                dqbdvc = q1 * (qb * par[d, B_IVAF] + oikr * gbc / sqarg)
            else:
                dqbdve = q1 * (qb * par[d, B_IVAR] + oik * gbe * 2.0 * nkf * sqarg / arg)
                dqbdvc = q1 * (qb * par[d, B_IVAF] + oikr * gbc * 2.0 * nkf * sqarg / arg)
        cex = cbe
        gex = gbe
        cc = (cex - cbc) / qb - cbc / par[d, B_BR] - cbcn
        cb = cbe / par[d, B_BF] + cben + cbc / par[d, B_BR] + cbcn
        gpi = gbe / par[d, B_BF] + gben
        gmu = gbc / par[d, B_BR] + gbcn
        go = (gbc + (cex - cbc) * dqbdvc / qb) / qb
        gm = (gex - (cex - cbc) * dqbdve / qb) / qb - go
        # base resistance, modulated by qb (or by IRB)
        gx = 0.0
        rb = par[d, B_RB]
        if rb != 0.0:
            rbm = par[d, B_RBM]
            if par[d, B_IRB] != 0.0:
                arg1 = max(cb / par[d, B_IRB], 1e-9)
                arg2 = (-1.0 + math.sqrt(1.0 + 14.59025 * arg1)) / 2.4317 / math.sqrt(arg1)
                arg1 = math.tan(arg2)
                rbb = rbm + 3.0 * (rb - rbm) * (arg1 - arg2) / (arg2 * arg1 * arg1)
            else:
                rbb = rbm + (rb - rbm) / qb
            gx = 1.0 / rbb if rbb != 0.0 else 0.0
        # charges
        tf = par[d, B_TF]
        geqcb = 0.0
        cbe_q = cbe
        gbe_q = gbe
        if tf != 0.0 and vbe > 0.0:
            argtf = 0.0
            arg2 = 0.0
            arg3 = 0.0
            if par[d, B_XTF] != 0.0:
                argtf = par[d, B_XTF]
                if par[d, B_VTF] != 0.0:
                    argtf = argtf * math.exp(vbc / (1.44 * par[d, B_VTF]))
                arg2 = argtf
                if par[d, B_ITF] != 0.0:
                    temp = cbe / (cbe + par[d, B_ITF])
                    argtf = argtf * temp * temp
                    arg2 = argtf * (3.0 - temp - temp)
                if par[d, B_VTF] != 0.0:
                    arg3 = cbe * argtf / (1.44 * par[d, B_VTF])
            cbe_q = cbe * (1.0 + argtf) / qb
            gbe_q = (gbe * (1.0 + arg2) - cbe_q * dqbdve) / qb
            geqcb = tf * (arg3 - cbe_q * dqbdvc) / qb
        qbe, capbe = _depletion(par[d, B_CJE], par[d, B_VJE], par[d, B_MJE], par[d, B_FC], vbe)
        qbe += tf * cbe_q
        capbe += tf * gbe_q
        xcjc = par[d, B_XCJC]
        qbc, capbc = _depletion(par[d, B_CJC] * xcjc, par[d, B_VJC], par[d, B_MJC],
                                par[d, B_FC], vbc)
        qbc += par[d, B_TR] * cbc
        capbc += par[d, B_TR] * gbc
        qbx, capbx = _depletion(par[d, B_CJC] * (1.0 - xcjc), par[d, B_VJC], par[d, B_MJC],
                                par[d, B_FC], vbxc)
        cjs = par[d, B_CJS]
        qsub = 0.0
        capsub = 0.0
        if cjs != 0.0:
            if vsub < 0.0:
                arg = 1.0 - vsub / par[d, B_VJS]
                sarg = math.exp(-par[d, B_MJS] * math.log(arg))
                if par[d, B_MJS] == 0.0:
                    qsub = cjs * vsub
                else:
                    qsub = par[d, B_VJS] * cjs * (1.0 - arg * sarg) / (1.0 - par[d, B_MJS])
                capsub = cjs * sarg
            else:
                qsub = vsub * cjs * (1.0 + par[d, B_MJS] * vsub / (2.0 * par[d, B_VJS]))
                capsub = cjs * (1.0 + par[d, B_MJS] * vsub / par[d, B_VJS])
        # assemble in the type-normalised frame: terminals 0 c', 1 b, 2 b', 3 e', 4 s
        G[:, :] = 0.0
        C[:, :] = 0.0
        # voltages consistent with the limited junctions (e' as reference)
        v[3] = 0.0
        v[2] = vbe
        v[0] = vbe - vbc
        v[1] = v[0] + vbxc
        if sublat:
            v[4] = v[2] + vsub
        else:
            v[4] = v[0] + vsub
        # currents into the device at each terminal
        ibx = gx * (v[1] - v[2])
        I[0] = cc
        I[1] = ibx
        I[2] = cb - ibx
        I[3] = -(cc + cb)
        I[4] = 0.0
        # d/dvbe and d/dvbc of cc and cb; vbe = v2 - v3, vbc = v2 - v0
        dcc_be = gm + go
        dcc_bc = -go - gmu
        dcb_be = gpi
        dcb_bc = gmu
        G[0, 2] += dcc_be + dcc_bc
        G[0, 3] -= dcc_be
        G[0, 0] -= dcc_bc
        G[2, 2] += dcb_be + dcb_bc
        G[2, 3] -= dcb_be
        G[2, 0] -= dcb_bc
        G[3, 2] -= dcc_be + dcc_bc + dcb_be + dcb_bc
        G[3, 3] += dcc_be + dcb_be
        G[3, 0] += dcc_bc + dcb_bc
        _branch(G, 1, 2, gx)
        # charges: qbe between b'-e' (with cross term d qbe/d vbc), qbc b'-c',
        # qbx b-c', qsub s-c' (vertical) or s-b' (lateral)
        Q[0] = -qbc - qbx
        Q[1] = qbx
        Q[2] = qbe + qbc
        Q[3] = -qbe
        Q[4] = 0.0
        C[2, 2] += capbe + geqcb
        C[2, 3] -= capbe
        C[2, 0] -= geqcb
        C[3, 2] -= capbe + geqcb
        C[3, 3] += capbe
        C[3, 0] += geqcb
        _branch(C, 2, 0, capbc)
        _branch(C, 1, 0, capbx)
        other = 2 if sublat else 0
        Q[4] += qsub
        Q[other] -= qsub
        _branch(C, 4, other, capsub)
        _flip(k, typ, I, Q, v)
        _stamp_at(k, grp, d, G, C, I, Q, v, out)
        # the junction charges ngspice checks for truncation error (BJTtrunc)
        qdev[d, 0] = qbe
        qdev[d, 1] = qbc
        qdev[d, 2] = qsub
    return nlim
