"""Numba kernels that evaluate the nonlinear devices and stamp them into the MNA arrays.

Every device type has k terminals. For one device the kernel computes, at its (limited)
junction voltages, the terminal currents I[k], their Jacobian G[k,k], the terminal charges
Q[k] and their Jacobian C[k,k], and adds them as a companion model:
    gdata[pos] += G, cdata[pos] += C,
    ieq[node]  += I - G.v,   qeq[node] += Q - C.v,   qact[node] += Q
and keeps the terminal charges in qdev[device, terminal] for the truncation-error control.
where v are terminal voltages consistent with the limited junction voltages. The Newton step
then solves (G_lin + G + a0 (C_lin + C)) x = b - ieq - a0 qeq - history.

`mode`: 0 normal Newton iteration (with junction limiting), 1 first iteration of an operating
point (junctions start at their critical voltages, as ngspice's MODEINITJCT), 2 evaluate
exactly at x without limiting (AC linearisation, final bookkeeping).
Formulas follow the SPICE3 models as ngspice implements them (dioload.c, bjtload.c,
mos1load.c, devsup.c); the code is ours.
"""

from __future__ import annotations

import math

import numpy as np
from edapipe.analog.jit import njit

MAX_EXP_ARG = 709.0
SQRT2 = math.sqrt(2.0)

# ---- parameter column indices -----------------------------------------------------------
# diode
D_IS, D_N, D_TT, D_CJ, D_VJ, D_M, D_FC, D_BV, D_IBVX, D_VT, D_VCRIT, D_AREA_UNUSED = range(12)
D_NPAR = 12
# bjt
(B_TYPE, B_IS, B_BF, B_NF, B_BR, B_NR, B_IVAF, B_IVAR, B_IIKF, B_IIKR, B_ISE, B_NE, B_ISC,
 B_NC, B_RB, B_RBM, B_IRB, B_CJE, B_VJE, B_MJE, B_CJC, B_VJC, B_MJC, B_XCJC, B_CJS, B_VJS,
 B_MJS, B_FC, B_TF, B_XTF, B_VTF, B_ITF, B_TR, B_VT, B_VCRIT, B_NKF, B_SUBLAT) = range(37)
B_NPAR = 37
# mos level 1
(M_TYPE, M_VBI, M_BETA, M_GAMMA, M_PHI, M_LAMBDA, M_ISS, M_ISD, M_CBD, M_CBS, M_PB, M_MJ,
 M_FC, M_VT, M_VCRITS, M_VCRITD, M_COX, M_CGSO, M_CGDO, M_CGBO) = range(20)
# MOS level 2 rows share the group: M_LEVEL (0/1 = level 1, 2 = level 2) and the level-2
# columns M2_FIRST.. (named in mos2_kernels.py; level-1 rows leave them zero)
M_LEVEL = 20
M2_FIRST = 21
M_NPAR = M2_FIRST + 17


@njit(cache=True)
def pnjlim(vnew, vold, vt, vcrit):
    """Limit a pn-junction voltage step (SPICE's DEVpnjlim); returns (v, limited)."""
    if vnew > vcrit and abs(vnew - vold) > vt + vt:
        if vold > 0.0:
            arg = 1.0 + (vnew - vold) / vt
            if arg > 0.0:
                vnew = vold + vt * math.log(arg)
            else:
                vnew = vcrit
        else:
            vnew = vt * math.log(vnew / vt)
        return vnew, True
    if vnew < 0.0:
        if vold > 0.0:
            arg = -vold - 1.0
        else:
            arg = 2.0 * vold - 1.0
        if vnew < arg:
            return arg, True
    return vnew, False


@njit(cache=True)
def fetlim(vnew, vold, vto):
    """Limit a gate voltage step around threshold (SPICE's DEVfetlim)."""
    vtsthi = abs(2.0 * (vold - vto)) + 2.0
    vtstlo = abs(vold - vto) + 1.0
    vtox = vto + 3.5
    delv = vnew - vold
    if vold >= vto:
        if vold >= vtox:
            if delv <= 0.0:
                if vnew >= vtox:
                    if -delv > vtstlo:
                        vnew = vold - vtstlo
                else:
                    vnew = max(vnew, vto + 2.0)
            elif delv >= vtsthi:
                vnew = vold + vtsthi
        else:
            if delv <= 0.0:
                vnew = max(vnew, vto - 0.5)
            else:
                vnew = min(vnew, vto + 4.0)
    else:
        if delv <= 0.0:
            if -delv > vtsthi:
                vnew = vold - vtsthi
        else:
            vtemp = vto + 0.5
            if vnew <= vtemp:
                if delv > vtstlo:
                    vnew = vold + vtstlo
            else:
                vnew = vtemp
    return vnew


@njit(cache=True)
def limvds(vnew, vold):
    """Limit a drain-source voltage step (SPICE's DEVlimvds)."""
    if vold >= 3.5:
        if vnew > vold:
            vnew = min(vnew, 3.0 * vold + 2.0)
        elif vnew < 3.5:
            vnew = max(vnew, 2.0)
    else:
        if vnew > vold:
            vnew = min(vnew, 4.0)
        else:
            vnew = max(vnew, -0.5)
    return vnew


@njit(cache=True)
def _junction(is_, v, vte, gmin):
    """Shockley junction with SPICE's reverse-bias smoothing; returns (i, g)."""
    if v >= -3.0 * vte:
        ev = math.exp(min(v / vte, MAX_EXP_ARG))
        return is_ * (ev - 1.0) + gmin * v, is_ * ev / vte + gmin
    arg = 3.0 * vte / (v * math.e)
    arg = arg * arg * arg
    return -is_ * (1.0 + arg) + gmin * v, is_ * 3.0 * arg / v + gmin


@njit(cache=True)
def _depletion(cj, vj, m, fc, v):
    """Depletion charge and capacitance of a junction (linearised above fc*vj)."""
    if cj == 0.0:
        return 0.0, 0.0
    if v < fc * vj:
        arg = 1.0 - v / vj
        sarg = math.exp(-m * math.log(arg))
        return vj * cj * (1.0 - arg * sarg) / (1.0 - m), cj * sarg
    f1 = vj * (1.0 - math.exp((1.0 - m) * math.log(1.0 - fc))) / (1.0 - m)
    f2 = math.exp((1.0 + m) * math.log(1.0 - fc))
    f3 = 1.0 - fc * (1.0 + m)
    fcv = fc * vj
    q = cj * f1 + cj / f2 * (f3 * (v - fcv) + m / (2.0 * vj) * (v * v - fcv * fcv))
    c = cj / f2 * (f3 + m * v / vj)
    return q, c


@njit(cache=True)
def _stamp_at(k, nodes, pos, d, G, C, I, Q, v, gdata, cdata, ieq, qeq, qact):
    """Stamp device row d's companion model (G, C, I, Q at terminal voltages v), indexing
    the 2-D node and position arrays directly: a row view per device costs two atomic
    reference-count updates in the hot loop."""
    for a in range(k):
        na = nodes[d, a]
        if na >= 0:
            s = I[a]
            sq = Q[a]
            for b in range(k):
                s -= G[a, b] * v[b]
                sq -= C[a, b] * v[b]
            ieq[na] += s
            qeq[na] += sq
            qact[na] += Q[a]
        for b in range(k):
            p = pos[d, a * k + b]
            if p >= 0:
                gdata[p] += G[a, b]
                cdata[p] += C[a, b]


@njit(cache=True)
def _volt(x, n):
    return x[n] if n >= 0 else 0.0


@njit(cache=True)
def diode_load(x, nodes, pos, par, state, mode, gmin, gdata, cdata, ieq, qeq, qact, qdev):
    """Diodes: terminals (anode', cathode). state[:,0] holds the last junction voltage."""
    ndev = nodes.shape[0]
    G = np.zeros((2, 2))
    C = np.zeros((2, 2))
    I = np.zeros(2)
    Q = np.zeros(2)
    v = np.zeros(2)
    nlim = 0
    for d in range(ndev):
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
        G[0, 0] = gd
        G[0, 1] = -gd
        G[1, 0] = -gd
        G[1, 1] = gd
        Q[0] = qd
        Q[1] = -qd
        C[0, 0] = cj
        C[0, 1] = -cj
        C[1, 0] = -cj
        C[1, 1] = cj
        v[0] = vd
        v[1] = 0.0
        _stamp_at(2, nodes, pos, d, G, C, I, Q, v, gdata, cdata, ieq, qeq, qact)
        qdev[d, 0] = qd
    return nlim


@njit(cache=True)
def bjt_load(x, nodes, pos, par, state, mode, gmin, gdata, cdata, ieq, qeq, qact, qdev):
    """Gummel-Poon BJTs: terminals (c', b, b', e', s). state: vbe, vbc, off-flag."""
    ndev = nodes.shape[0]
    k = 5
    G = np.zeros((k, k))
    C = np.zeros((k, k))
    I = np.zeros(k)
    Q = np.zeros(k)
    v = np.zeros(k)
    nlim = 0
    for d in range(ndev):
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
        if par[d, B_ISE] != 0.0:
            cben, gben = _junction(par[d, B_ISE], vbe, par[d, B_NE] * vt, 0.0)
        else:
            cben, gben = 0.0, 0.0
        cben += gmin * vbe
        gben += gmin
        cbc, gbc = _junction(csat, vbc, par[d, B_NR] * vt, 0.0)
        if par[d, B_ISC] != 0.0:
            cbcn, gbcn = _junction(par[d, B_ISC], vbc, par[d, B_NC] * vt, 0.0)
        else:
            cbcn, gbcn = 0.0, 0.0
        cbcn += gmin * vbc
        gbcn += gmin
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
        G[1, 1] += gx
        G[1, 2] -= gx
        G[2, 1] -= gx
        G[2, 2] += gx
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
        C[2, 2] += capbc
        C[2, 0] -= capbc
        C[0, 2] -= capbc
        C[0, 0] += capbc
        C[1, 1] += capbx
        C[1, 0] -= capbx
        C[0, 1] -= capbx
        C[0, 0] += capbx
        other = 2 if sublat else 0
        Q[4] += qsub
        Q[other] -= qsub
        C[4, 4] += capsub
        C[4, other] -= capsub
        C[other, 4] -= capsub
        C[other, other] += capsub
        if typ < 0.0:
            for a in range(k):
                I[a] = -I[a]
                Q[a] = -Q[a]
                v[a] = -v[a]
        _stamp_at(k, nodes, pos, d, G, C, I, Q, v, gdata, cdata, ieq, qeq, qact)
        # the junction charges ngspice checks for truncation error (BJTtrunc)
        qdev[d, 0] = qbe
        qdev[d, 1] = qbc
        qdev[d, 2] = qsub
    return nlim


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


MEYER_PHASE = 17
BYPASS_OK = 24
BYPASS_AT = 25   # G (16), C (16), I (4), Q (4), v (4) of the last evaluation
M_NSTATE = 25 + 44
# vbs vgs vds von off | half caps | q1 v1 c1 (last point) | phase | q v now | bypass


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
def _bypass(k, nodes, pos, st, d, gdata, cdata, ieq, qeq, qact, vds, vgs, vbs):
    """ngspice's second bypass test: the currents the remembered linearisation predicts
    at the new voltages differ from the remembered ones by less than RELTOL (+ ABSTOL).
    When it passes, the remembered companion model is stamped (its charges follow that
    linearisation to the present voltages; the transient integrates them) and True is
    returned; False means nothing was stamped and the device must be evaluated. Indexes
    the 2-D state directly (no row views in the hot loop)."""
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
    # capacitances are non-negative: an all-zero diagonal means no charge at all
    hasc = (st[d, o + kk] + st[d, o + kk + k + 1] + st[d, o + kk + 2 * k + 2]
            + st[d, o + kk + 3 * k + 3]) != 0.0
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
    return True


@njit(cache=True)
def _meyer(vgs, vgd, von, vdsat, phi, cox):
    """Meyer's half gate capacitances (cgs, cgd, cgb) as SPICE's DEVqmeyer."""
    vgst = vgs - von
    if vgst <= -phi:
        return 0.0, 0.0, cox / 2.0
    if vgst <= -phi / 2.0:
        return 0.0, 0.0, -vgst * cox / (2.0 * phi)
    if vgst <= 0.0:
        return vgst * cox / (1.5 * phi) + cox / 3.0, 0.0, -vgst * cox / (2.0 * phi)
    vds = vgs - vgd
    if vdsat <= vds:
        return cox / 3.0, 0.0, 0.0
    vddif = 2.0 * vdsat - vds
    vddif1 = vdsat - vds
    vddif2 = vddif * vddif
    return (cox * (1.0 - vddif1 * vddif1 / vddif2) / 3.0,
            cox * (1.0 - vdsat * vdsat / vddif2) / 3.0, 0.0)


# ---- MOS pieces shared by level 1 (below) and level 2 (mos2_kernels.py) -------------------

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
def _mos_companion(normal, ids, gm, gds, gmbs, gbs, cbs, gbd, cbd, vds, vgs, vbs, G, C, I, v):
    """Terminal voltages v (s' reference: d, g, s, b), currents I and conductances G of the
    channel and the bulk diodes; C cleared. The channel current flows d -> s in normal
    mode (ids(vgs, vds, vbs)), s -> d reversed (ids(vgd, vsd, vbd))."""
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
    """The bulk depletion charges and capacitances into Q (set) and C (added)."""
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
    C[1, 1] += capgs + capgd + capgb
    C[1, 2] -= capgs
    C[2, 1] -= capgs
    C[2, 2] += capgs
    C[1, 0] -= capgd
    C[0, 1] -= capgd
    C[0, 0] += capgd
    C[1, 3] -= capgb
    C[3, 1] -= capgb
    C[3, 3] += capgb
    return qgs, qgd, qgb


@njit(cache=True)
def _flip(k, typ, I, Q, v):
    """PMOS: the N-type equations in negated voltages, currents and charges."""
    if typ < 0.0:
        for a in range(k):
            I[a] = -I[a]
            Q[a] = -Q[a]
            v[a] = -v[a]


def meyer_commit(state):
    """After an accepted time point: the present becomes the 'last point' of Meyer's
    incremental charges."""
    state[:, 8:11] = state[:, 18:21]
    state[:, 11:14] = state[:, 21:24]
    state[:, 14:17] = state[:, 5:8]
    state[:, MEYER_PHASE] = 1.0


# per-device stamp contributions of the incremental assembly (newton_loop with inc):
# G (16), C (16), ieq (4), qeq (4), qact (4) of the last load
MS_G, MS_C, MS_I, MS_Q, MS_QA = 0, 16, 32, 36, 40
MS_N = 44


@njit(cache=True)
def _bypass_test(k, st, d, vds, vgs, vbs):
    """The current test of _bypass alone (nothing stamped)."""
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
    """What _bypass stamps, into the device's row of ms (the same arithmetic, so the
    assembled sums equal the direct stamps bit for bit); qact is left to _inc_qact."""
    o = BYPASS_AT
    kk = k * k
    ov = o + 2 * kk + 2 * k
    hasc = (st[d, o + kk] + st[d, o + kk + k + 1] + st[d, o + kk + 2 * k + 2]
            + st[d, o + kk + 3 * k + 3]) != 0.0
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
def mos1_load(x, nodes, pos, par, state, mode, gmin, gdata, cdata, ieq, qeq, qact, qdev):
    """MOS level 1: terminals (d', g, s', b). state: vbs, vgs, vds, von, off-flag."""
    ndev = nodes.shape[0]
    k = 4
    G = np.zeros((k, k))
    C = np.zeros((k, k))
    I = np.zeros(k)
    Q = np.zeros(k)
    v = np.zeros(k)
    nlim = 0
    if _mos2.has_level2(par):  # level-2 rows (mos2_kernels.py) share this group
        nlim += _mos2.mos2_load(x, nodes, pos, par, state, mode, gmin, gdata, cdata, ieq,
                                qeq, qact, qdev)
    for d in range(ndev):
        if par[d, M_LEVEL] == 2.0:
            continue
        typ = par[d, M_TYPE]
        vt = par[d, M_VT]
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        # MODEINITJCT: ngspice starts at the threshold
        vbs, vgs, vds = _mos_start(typ, vdx, vgx, vbx, mode, state[d, 4], par[d, M_VBI])
        if mode == 0:
            vbs_o = state[d, 0]
            vgs_o = state[d, 1]
            vds_o = state[d, 2]
            # bypass (as ngspice's MOS1 does by default): a device whose terminal
            # voltages moved by less than the Newton tolerance is not re-evaluated; its
            # last companion model is stamped again. Never with Meyer charges, whose
            # integration state changes every point.
            if (state[d, BYPASS_OK] != 0.0 and par[d, M_COX] == 0.0
                    and abs(vbs - vbs_o) <= 1e-3 * max(abs(vbs), abs(vbs_o)) + 1e-6
                    and abs(vgs - vgs_o) <= 1e-3 * max(abs(vgs), abs(vgs_o)) + 1e-6
                    and abs(vds - vds_o) <= 1e-3 * max(abs(vds), abs(vds_o)) + 1e-6
                    and _bypass(k, nodes, pos, state, d, gdata, cdata, ieq, qeq, qact,
                                vdx, vgx, vbx)):
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
        _mos_companion(mode_n > 0.0, ids, gm, gds, gmbs, gbs, cbs, gbd, cbd, vds, vgs, vbs,
                       G, C, I, v)
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
            if mode_n > 0.0:
                cgs_h, cgd_h, cgb_h = _meyer(vgs, vgd, von, vdsat, par[d, M_PHI], par[d, M_COX])
            else:
                cgd_h, cgs_h, cgb_h = _meyer(vgd, vgs, von, vdsat, par[d, M_PHI], par[d, M_COX])
            qgs, qgd, qgb = _meyer_charges(state, d, cgs_h, cgd_h, cgb_h, vgs, vgd, vgb, Q, C)
        _flip(k, typ, I, Q, v)
        _stamp_at(k, nodes, pos, d, G, C, I, Q, v, gdata, cdata, ieq, qeq, qact)
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
    return nlim


@njit(cache=True)
def _mos1_inc(x, nodes, pos, par, state, mode, gmin, gdata, cdata, ieq, qeq, qact, qdev,
              first, ms, byp, evl, slack, absdx):
    """mos1_load for newton_loop's incremental assembly: keep each device's contributions
    in ms, and (only when `first`) stamp them as mos1_load does; a bypassed device's are
    unchanged since the last load, so they are kept (and stamped) only when `first`;
    byp[d] = 1 for a bypassed device, evl lists the evaluated ones. Returns (pnjlim
    count, number evaluated).

    slack[d] (later iterations only): how far, in volts, every terminal of a device that
    passed both bypass tests may still move before either test could fail; absdx[i]: how
    far node i moved since the last load. A device whose terminals moved less than half
    its slack is bypassed without reading its state - the tests would pass (the slack is
    taken conservatively: relative voltages move by at most twice the largest terminal
    move, tolerances by RELTOL times that, predicted currents by the row sums of |G|
    times that). Most of a large circuit sits still, and this skips ~6 cache lines of
    state per device. A device that is evaluated gets no slack until it passes again.

    The device evaluation repeats mos1_load's on purpose: as one shared helper (plain or
    inline="always") the 500-stage inverter chain simulated in 0.70 s or 0.62 s instead of
    0.55 s (median of 5, in-process), and that circuit is where we race ngspice."""
    ndev = nodes.shape[0]
    k = 4
    G = np.zeros((k, k))
    C = np.zeros((k, k))
    I = np.zeros(k)
    Q = np.zeros(k)
    v = np.zeros(k)
    nlim = 0
    nev = 0
    for d in range(ndev):
        if not first:
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
        if par[d, M_LEVEL] == 2.0:
            continue
        typ = par[d, M_TYPE]
        vt = par[d, M_VT]
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        # MODEINITJCT: ngspice starts at the threshold
        vbs, vgs, vds = _mos_start(typ, vdx, vgx, vbx, mode, state[d, 4], par[d, M_VBI])
        if mode == 0:
            vbs_o = state[d, 0]
            vgs_o = state[d, 1]
            vds_o = state[d, 2]
            # bypass (as ngspice's MOS1 does by default): a device whose terminal
            # voltages moved by less than the Newton tolerance is not re-evaluated; its
            # last companion model is stamped again. Never with Meyer charges, whose
            # integration state changes every point.
            if (state[d, BYPASS_OK] != 0.0 and par[d, M_COX] == 0.0
                    and abs(vbs - vbs_o) <= 1e-3 * max(abs(vbs), abs(vbs_o)) + 1e-6
                    and abs(vgs - vgs_o) <= 1e-3 * max(abs(vgs), abs(vgs_o)) + 1e-6
                    and abs(vds - vds_o) <= 1e-3 * max(abs(vds), abs(vds_o)) + 1e-6):
                if _bypass_test(k, state, d, vdx, vgx, vbx):
                    if first:
                        _bypass(k, nodes, pos, state, d, gdata, cdata, ieq, qeq, qact,
                                vdx, vgx, vbx)
                        _bypass_contrib(k, state, d, ms)
                    slack[d] = _bypass_slack(k, state, d, vdx, vgx, vbx, vbs, vgs, vds,
                                             vbs_o, vgs_o, vds_o)
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
        _mos_companion(mode_n > 0.0, ids, gm, gds, gmbs, gbs, cbs, gbd, cbd, vds, vgs, vbs,
                       G, C, I, v)
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
            if mode_n > 0.0:
                cgs_h, cgd_h, cgb_h = _meyer(vgs, vgd, von, vdsat, par[d, M_PHI], par[d, M_COX])
            else:
                cgd_h, cgs_h, cgb_h = _meyer(vgd, vgs, von, vdsat, par[d, M_PHI], par[d, M_COX])
            qgs, qgd, qgb = _meyer_charges(state, d, cgs_h, cgd_h, cgb_h, vgs, vgd, vgb, Q, C)
        _flip(k, typ, I, Q, v)
        _store_at(k, d, G, C, I, Q, v, ms)
        if first:
            _stamp_at(k, nodes, pos, d, G, C, I, Q, v, gdata, cdata, ieq, qeq, qact)
        byp[d] = 0
        slack[d] = -1.0
        evl[nev] = d
        nev += 1
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


# ---- sparse LU over fixed patterns (see lu_kernels.StaticLU) ------------------------------

PIVREL = 1e-5   # relative pivot floor before we re-pivot (Sparse re-orders only near zero)


@njit(cache=True)
def refactor(n, bmap, adata, bp, bi, lp, li, lx, up, ui, ux, work, pivtol, lo, hi):
    """Numeric LU of B (= Pr A Pc, values gathered from adata through bmap) over the fixed
    patterns of L (unit lower, diagonal first in each column) and U (diagonal last).
    Returns False when a pivot is zero or, in columns lo..hi-1, below pivtol times the
    largest entry under it in rows before hi (StaticLU's singletons sit outside: their
    pivots are exact and their rows are no candidates)."""
    for j in range(n):
        # scatter column j of B
        for p in range(bp[j], bp[j + 1]):
            work[bi[p]] = adata[bmap[p]]
        # U(:, j) rows above the diagonal in increasing order: left-looking update
        for p in range(up[j], up[j + 1] - 1):
            k = ui[p]
            ukj = work[k]
            ux[p] = ukj
            if ukj != 0.0:
                for q in range(lp[k] + 1, lp[k + 1]):
                    work[li[q]] -= lx[q] * ukj
        pivot = work[j]
        ux[up[j + 1] - 1] = pivot
        # partial-pivoting test against the candidates below the diagonal (ngspice's
        # PIVREL idea): too small a pivot means the old order no longer suits the values
        cmax = 0.0
        if j >= lo and j < hi:
            for p in range(lp[j] + 1, lp[j + 1]):
                if li[p] < hi and abs(work[li[p]]) > cmax:
                    cmax = abs(work[li[p]])
        if abs(pivot) < pivtol * cmax or pivot == 0.0:
            for p in range(up[j], up[j + 1]):
                work[ui[p]] = 0.0
            for p in range(lp[j], lp[j + 1]):
                work[li[p]] = 0.0
            return False
        lx[lp[j]] = 1.0
        for p in range(lp[j] + 1, lp[j + 1]):
            lx[p] = work[li[p]] / pivot
        for p in range(up[j], up[j + 1]):
            work[ui[p]] = 0.0
        for p in range(lp[j], lp[j + 1]):
            work[li[p]] = 0.0
    return True


@njit(cache=True)
def refactor_cols(n, bmap, adata, bp, bi, lp, li, lx, up, ui, ux, work, pivtol, lo, hi,
                  dirty):
    """refactor() of only the columns whose values can have changed since the last
    refactor over the same pivot order: those of B marked in dirty (cleared on return) and
    every column whose U pattern reaches one of them (left-looking: column j reads B(:, j)
    and the L columns of U(:, j)). The others would be recomputed from identical inputs."""
    ok = True
    for j in range(n):
        if not dirty[j]:
            for p in range(up[j], up[j + 1] - 1):
                if dirty[ui[p]]:
                    dirty[j] = True
                    break
            if not dirty[j]:
                continue
        for p in range(bp[j], bp[j + 1]):
            work[bi[p]] = adata[bmap[p]]
        for p in range(up[j], up[j + 1] - 1):
            k = ui[p]
            ukj = work[k]
            ux[p] = ukj
            if ukj != 0.0:
                for q in range(lp[k] + 1, lp[k + 1]):
                    work[li[q]] -= lx[q] * ukj
        pivot = work[j]
        ux[up[j + 1] - 1] = pivot
        cmax = 0.0
        if j >= lo and j < hi:
            for p in range(lp[j] + 1, lp[j + 1]):
                if li[p] < hi and abs(work[li[p]]) > cmax:
                    cmax = abs(work[li[p]])
        if abs(pivot) < pivtol * cmax or pivot == 0.0:
            for p in range(up[j], up[j + 1]):
                work[ui[p]] = 0.0
            for p in range(lp[j], lp[j + 1]):
                work[li[p]] = 0.0
            ok = False
            break
        lx[lp[j]] = 1.0
        for p in range(lp[j] + 1, lp[j + 1]):
            lx[p] = work[li[p]] / pivot
        for p in range(up[j], up[j + 1]):
            work[ui[p]] = 0.0
        for p in range(lp[j], lp[j + 1]):
            work[li[p]] = 0.0
    for j in range(n):
        dirty[j] = False
    return ok


@njit(cache=True)
def lu_solve(n, perm_r, perm_c, lp, li, lx, up, ui, ux, b, out, work):
    """Solve A x = b with Pr A Pc = L U."""
    for i in range(n):
        work[perm_r[i]] = b[i]
    for j in range(n):            # L y = Pr b (unit diagonal)
        yj = work[j]
        if yj != 0.0:
            for p in range(lp[j] + 1, lp[j + 1]):
                work[li[p]] -= lx[p] * yj
    for j in range(n - 1, -1, -1):  # U z = y
        d = up[j + 1] - 1
        zj = work[j] / ux[d]
        work[j] = zj
        if zj != 0.0:
            for p in range(up[j], d):
                work[ui[p]] -= ux[p] * zj
    for i in range(n):            # x = Pc z
        out[i] = work[perm_c[i]]


# ---- the fused Newton loop ---------------------------------------------------------------
# One call runs every iteration of one operating/time point: evaluate every device, assemble,
# refactor the LU over the fixed pattern, solve, test convergence. It sits in this file so
# that numba's cache recompiles it whenever the device code it inlines changes.

CONVERGED, NOT_CONVERGED, REPIVOT, NOT_FINITE = 0, 1, 2, 3


@njit(cache=True)
def _inc_assemble(plist, np_, nlist, nn_, gdata, xdata, cdata, data, cdev, ieq, qeq,
                  ms, pptr, pdev, pslot, nptr, ndev, nterm, isdiag, gshunt, a0, gsum):
    """The matrix entries plist[:np_] and nodes nlist[:nn_] from the kept contributions, in
    the order of the direct stamps: linear part, devices in row order, gshunt, a0 times the
    charges. (One call per iteration: the loops stay in here.)"""
    for r0 in range(np_):
        p = plist[r0]
        v = gdata[p] + xdata[p]
        c = 0.0
        for r in range(pptr[p], pptr[p + 1]):
            v += ms[pdev[r], MS_G + pslot[r]]
            c += ms[pdev[r], MS_C + pslot[r]]
        if gshunt != 0.0:
            for _ in range(isdiag[p]):
                v += gshunt
        cdev[p] = c
        gsum[p] = v
        if a0 != 0.0:
            v += a0 * (cdata[p] + c)
        data[p] = v
    for r0 in range(nn_):
        i = nlist[r0]
        si = 0.0
        sq = 0.0
        for r in range(nptr[i], nptr[i + 1]):
            si += ms[ndev[r], MS_I + nterm[r]]
            sq += ms[ndev[r], MS_Q + nterm[r]]
        ieq[i] = si
        qeq[i] = sq


@njit(cache=True)
def _inc_qact(n, qact, ms, byp, st, nptr, ndev, nterm, xin, m_nodes):
    """qact as the direct stamps leave it: a bypassed device's charges follow its remembered
    linearisation to the voltages of the last load, xin (_bypass's arithmetic)."""
    o = BYPASS_AT
    k = 4
    kk = k * k
    ov = o + 2 * kk + 2 * k
    for i in range(n):
        q = 0.0
        for r in range(nptr[i], nptr[i + 1]):
            d = ndev[r]
            a = nterm[r]
            if byp[d]:
                hasc = (st[d, o + kk] + st[d, o + kk + k + 1] + st[d, o + kk + 2 * k + 2]
                        + st[d, o + kk + 3 * k + 3]) != 0.0
                qa = st[d, o + 2 * kk + k + a]
                if hasc:
                    vdx, vgx, vbx = _mos_terminals(xin, m_nodes, d)
                    for b in range(k):
                        vb = st[d, ov + b]
                        cab = st[d, o + kk + a * k + b]
                        vn = vdx if b == 0 else (vgx if b == 1 else (0.0 if b == 2 else vbx))
                        qa += cab * (vn - vb)
                q += qa
            else:
                q += ms[d, MS_QA + a]
        qact[i] = q


@njit(cache=True)
def newton_loop(x, b, hist, xdata, xrhs, a0, it0, maxiter, first_mode, polish, gshunt, gmin, reltol,
                tol, gdata, cdata, diag_pos, data, cdev, rhs, xn, ieq, qeq, qact,
                d_nodes, d_pos, d_par, d_state, d_qdev,
                q_nodes, q_pos, q_par, q_state, q_qdev,
                m_nodes, m_pos, m_par, m_state, m_qdev,
                n, bmap, bp, bi, lp, li, lx, up, ui, ux, work, swork, perm_r, perm_c, pivrel,
                lu_lo, lu_hi, inc, ms, byp, evl, pptr, pdev, pslot, nptr, ndev, nterm, isdiag, pmark, plist,
                nmark, nlist, acol, cmark, gsum, slack, absdx, xin, warm):
    """Iterate from x (updated in place); xdata/xrhs are extra stamps (behavioural sources,
    linearised by the caller). Returns (status, iteration). On REPIVOT, `data`
    and `rhs` hold the system the old pivot order could not factor.

    inc (circuits whose only nonlinear devices are level-1 MOSFETs): the devices keep their
    stamp contributions (ms) and only the matrix entries and nodes of evaluated devices
    are summed again - most devices are bypassed in most iterations. Each entry is summed
    in the same order as the direct stamps, so the values are the same bit for bit.
    pptr/pdev/pslot list the (device, G slot) of each matrix entry, nptr/ndev/nterm the
    (device, terminal) of each node, both in device order. Only the LU columns those
    entries reach are factored again (refactor_cols; acol: the column of each entry).
    gsum keeps each entry before its a0 term; `warm` (the caller vouches that data, cdev,
    gsum, ieq, qeq, ms and the device states are those of the last converged call, with
    the same linear part) makes the first iteration incremental too: only the a0 terms
    of all entries are added again."""
    nnz = gdata.shape[0]
    status = NOT_CONVERGED
    it_out = maxiter
    ran = False
    first = True
    np_ = 0
    for it in range(it0, maxiter):
        ran = True
        mode = first_mode if it == 0 else 0
        nlim = 0
        if inc and (it > it0 or warm):
            # later iterations: only the entries and nodes of evaluated devices change
            first = False
            if it == it0:
                # a new time point (warm): a0 and the history moved, the stamps did not
                for p in range(nnz):
                    if a0 != 0.0:
                        data[p] = gsum[p] + a0 * (cdata[p] + cdev[p])
                    else:
                        data[p] = gsum[p]
            for i in range(n):
                absdx[i] = abs(x[i] - xin[i])
                xin[i] = x[i]
            nl, nev = _mos1_inc(x, m_nodes, m_pos, m_par, m_state, mode, gmin, data, cdev,
                                ieq, qeq, qact, m_qdev, False, ms, byp, evl, slack, absdx)
            nlim += nl
            np_ = 0
            nn_ = 0
            for e in range(nev):
                d = evl[e]
                for sl in range(16):
                    p = m_pos[d, sl]
                    if p >= 0 and not pmark[p]:
                        pmark[p] = True
                        plist[np_] = p
                        np_ += 1
                for a in range(4):
                    na = m_nodes[d, a]
                    if na >= 0 and not nmark[na]:
                        nmark[na] = True
                        nlist[nn_] = na
                        nn_ += 1
            for r in range(np_):
                pmark[plist[r]] = False
                if it > it0:
                    cmark[perm_c[acol[plist[r]]]] = True
            for r in range(nn_):
                nmark[nlist[r]] = False
            _inc_assemble(plist, np_, nlist, nn_, gdata, xdata, cdata, data, cdev, ieq,
                          qeq, ms, pptr, pdev, pslot, nptr, ndev, nterm, isdiag, gshunt, a0,
                          gsum)
        else:
            for k in range(nnz):
                data[k] = gdata[k] + xdata[k]
                cdev[k] = 0.0
            ieq[:] = 0.0
            qeq[:] = 0.0
            qact[:] = 0.0
            if d_nodes.shape[0]:
                nlim += diode_load(x, d_nodes, d_pos, d_par, d_state, mode, gmin, data, cdev,
                                   ieq, qeq, qact, d_qdev)
            if q_nodes.shape[0]:
                nlim += bjt_load(x, q_nodes, q_pos, q_par, q_state, mode, gmin, data, cdev,
                                 ieq, qeq, qact, q_qdev)
            if inc:
                # the first iteration stamps directly and keeps every contribution
                for i in range(n):
                    xin[i] = x[i]
                nl, nev = _mos1_inc(x, m_nodes, m_pos, m_par, m_state, mode, gmin, data, cdev,
                                    ieq, qeq, qact, m_qdev, True, ms, byp, evl, slack, absdx)
                nlim += nl
            elif m_nodes.shape[0]:
                nlim += mos1_load(x, m_nodes, m_pos, m_par, m_state, mode, gmin, data, cdev,
                                  ieq, qeq, qact, m_qdev)
            if gshunt != 0.0:
                for i in range(diag_pos.shape[0]):
                    data[diag_pos[i]] += gshunt
            if inc:
                for k in range(nnz):
                    gsum[k] = data[k]
            if a0 != 0.0:
                for k in range(nnz):
                    data[k] += a0 * (cdata[k] + cdev[k])
        for i in range(n):
            rhs[i] = b[i] + xrhs[i] - ieq[i] - a0 * qeq[i] - hist[i]
        bad = False
        if inc and it > it0:
            # the other entries are those of the last iteration, found finite then
            for r in range(np_):
                if not np.isfinite(data[plist[r]]):
                    bad = True
                    break
        else:
            for k in range(nnz):
                if not np.isfinite(data[k]):
                    bad = True
                    break
        if bad:
            status = NOT_FINITE
            it_out = it
            break
        if inc and it > it0:
            okf = refactor_cols(n, bmap, data, bp, bi, lp, li, lx, up, ui, ux, work, pivrel,
                                lu_lo, lu_hi, cmark)
        else:
            okf = refactor(n, bmap, data, bp, bi, lp, li, lx, up, ui, ux, work, pivrel, lu_lo,
                           lu_hi)
        if not okf:
            status = REPIVOT
            it_out = it
            break
        lu_solve(n, perm_r, perm_c, lp, li, lx, up, ui, ux, rhs, xn, swork)
        conv = nlim == 0 and it > 0
        for i in range(n):
            v = xn[i]
            if not np.isfinite(v):
                bad = True
                break
            if conv and abs(v - x[i]) > reltol * max(abs(v), abs(x[i])) + tol[i]:
                conv = False
        if bad:
            status = NOT_FINITE
            it_out = it
            break
        for i in range(n):
            x[i] = xn[i]
        if conv:
            if polish:
                polish = False
                continue
            status = CONVERGED
            it_out = it
            break
    if inc:
        for j in range(cmark.shape[0]):   # left set when a NaN stopped the iteration
            cmark[j] = False
    if inc and ran and not first:
        _inc_qact(n, qact, ms, byp, m_state, nptr, ndev, nterm, xin, m_nodes)
    return status, it_out


# the level-2 MOS kernel uses the helpers above: imported last, as a module (either file may
# be imported first)
from edapipe.analog import mos2_kernels as _mos2  # noqa: E402
