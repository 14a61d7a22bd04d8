"""Gummel-Poon BJT (ngspice's bjtload.c): the load kernel and its parameter columns.

The load kernel is bjtload.c's sections as named steps: junction voltages and limiting
(_voltages), dc currents (_currents), base charge (_base_charge), incremental conductances
and base resistance (_conductances), charge storage (_charges), and the companion model in
the type-normalised frame (_companion), which the shared _stamp_at adds to the matrix.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import (
    _branch, _depletion, _flip, _junction, _scratch, _stamp_at, _volt, param_row, pnjlim)

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


class Voltages(NamedTuple):
    """The junction voltages of one evaluation, in the type-normalised frame."""

    vbe: float       # b'-e' (limited)
    vbc: float       # b'-c' (limited)
    vbxc: float      # b-c': the external-base junction (not limited)
    vsub: float      # s-c' (vertical) or s-b' (lateral): the substrate junction
    limited: bool    # pnjlim changed vbe or vbc


class Currents(NamedTuple):
    """The junction currents and their conductances (bjtload.c: "determine dc current and
    derivatives")."""

    cbe: float
    gbe: float
    cben: float      # base-emitter leakage (ISE/NE) with gmin
    gben: float
    cbc: float
    gbc: float
    cbcn: float      # base-collector leakage (ISC/NC) with gmin
    gbcn: float


class BaseCharge(NamedTuple):
    """The normalised base charge qb (Early effect and high injection) and its
    derivatives."""

    qb: float
    dqbdve: float
    dqbdvc: float


class Conductances(NamedTuple):
    """The terminal currents and the incremental conductances of the DC model, with the
    base resistance."""

    cc: float
    cb: float
    gpi: float
    gmu: float
    go: float
    gm: float
    gx: float


class Charges(NamedTuple):
    """The junction charges and capacitances (bjtload.c: "charge storage elements");
    geqcb is d qbe / d vbc of the transit-time charge."""

    qbe: float
    capbe: float
    qbc: float
    capbc: float
    qbx: float
    capbx: float
    qsub: float
    capsub: float
    geqcb: float


@njit(cache=True, inline="always")
def _voltages(p, mode, vc, vbx, vb, ve, vs, vbe_old, vbc_old, off):
    """bjtload.c's "compute new nonlinear branch voltages" from the terminal voltages:
    limited against the last ones (vbe_old, vbc_old) in a normal Newton iteration (mode 0),
    at their critical or OFF values on an operating point's first iteration (mode 1)."""
    typ = p[B_TYPE]
    vt = p[B_VT]
    vcrit = p[B_VCRIT]
    vbe = typ * (vb - ve)
    vbc = typ * (vb - vc)
    limited = False
    if mode == 1:
        if off != 0.0:
            vbe = 0.0
        else:
            vbe = vcrit
        vbc = 0.0
    elif mode == 0:
        vbe, l1 = pnjlim(vbe, vbe_old, vt, vcrit)
        vbc, l2 = pnjlim(vbc, vbc_old, vt, vcrit)
        limited = l1 or l2
    # the external-base and substrate junctions are not limited
    vbxc = typ * (vbx - vc) if mode != 1 else vbc
    if p[B_SUBLAT] != 0.0:
        vsub = typ * (vs - vb) if mode != 1 else 0.0
    else:
        vsub = typ * (vs - vc) if mode != 1 else 0.0
    return Voltages(vbe, vbc, vbxc, vsub, limited)


@njit(cache=True, inline="always")
def _currents(p, vbe, vbc, gmin):
    """The ideal and leakage currents of both junctions."""
    vt = p[B_VT]
    cbe, gbe = _junction(p[B_IS], vbe, p[B_NF] * vt, 0.0)
    cben, gben = _leakage(p[B_ISE], vbe, p[B_NE] * vt, gmin)
    # the base-collector junction has its own saturation current: the area rule
    # differs from the base-emitter one (bjt.bjt_row)
    cbc, gbc = _junction(p[B_ISBC], vbc, p[B_NR] * vt, 0.0)
    cbcn, gbcn = _leakage(p[B_ISC], vbc, p[B_NC] * vt, gmin)
    return Currents(cbe, gbe, cben, gben, cbc, gbc, cbcn, gbcn)


@njit(cache=True, inline="always")
def _base_charge(p, vbe, vbc, j):
    """bjtload.c's "determine base charge terms": qb = q1 (1 + sqrt(1 + 4 q2)) / 2, the
    square root generalised to the power NKF."""
    q1 = 1.0 / (1.0 - p[B_IVAF] * vbc - p[B_IVAR] * vbe)
    oik = p[B_IIKF]
    oikr = p[B_IIKR]
    if oik == 0.0 and oikr == 0.0:
        qb = q1
        return BaseCharge(qb, q1 * qb * p[B_IVAR], q1 * qb * p[B_IVAF])
    q2 = oik * j.cbe + oikr * j.cbc
    arg = max(0.0, 1.0 + 4.0 * q2)
    sqarg = 1.0
    nkf = p[B_NKF]
    if arg != 0.0:
        sqarg = math.sqrt(arg) if nkf == 0.5 else math.pow(arg, nkf)
    qb = q1 * (1.0 + sqarg) / 2.0
    if nkf == 0.5:
        dqbdve = q1 * (qb * p[B_IVAR] + oik * j.gbe / sqarg)
        dqbdvc = q1 * (qb * p[B_IVAF] + oikr * j.gbc / sqarg)
    else:
        dqbdve = q1 * (qb * p[B_IVAR] + oik * j.gbe * 2.0 * nkf * sqarg / arg)
        dqbdvc = q1 * (qb * p[B_IVAF] + oikr * j.gbc * 2.0 * nkf * sqarg / arg)
    return BaseCharge(qb, dqbdve, dqbdvc)


@njit(cache=True, inline="always")
def _conductances(p, j, bq):
    """bjtload.c's "determine dc incremental conductances", and the base resistance
    modulated by qb (or by IRB)."""
    qb = bq.qb
    cex = j.cbe
    gex = j.gbe
    cc = (cex - j.cbc) / qb - j.cbc / p[B_BR] - j.cbcn
    cb = j.cbe / p[B_BF] + j.cben + j.cbc / p[B_BR] + j.cbcn
    gpi = j.gbe / p[B_BF] + j.gben
    gmu = j.gbc / p[B_BR] + j.gbcn
    go = (j.gbc + (cex - j.cbc) * bq.dqbdvc / qb) / qb
    gm = (gex - (cex - j.cbc) * bq.dqbdve / qb) / qb - go
    gx = 0.0
    rb = p[B_RB]
    if rb != 0.0:
        rbm = p[B_RBM]
        if p[B_IRB] != 0.0:
            arg1 = max(cb / p[B_IRB], 1e-9)
            arg2 = (-1.0 + math.sqrt(1.0 + 14.59025 * arg1)) / 2.4317 / math.sqrt(arg1)
            arg1 = math.tan(arg2)
            rbb = rbm + 3.0 * (rb - rbm) * (arg1 - arg2) / (arg2 * arg1 * arg1)
        else:
            rbb = rbm + (rb - rbm) / qb
        gx = 1.0 / rbb if rbb != 0.0 else 0.0
    return Conductances(cc, cb, gpi, gmu, go, gm, gx)


@njit(cache=True, inline="always")
def _transit_time(p, vbe, vbc, j, bq):
    """The forward transit-time charge's current terms (TF modulated by XTF, VTF, ITF):
    (cbe_q, gbe_q, geqcb)."""
    tf = p[B_TF]
    if not (tf != 0.0 and vbe > 0.0):     # (as written, so that a NaN vbe skips it)
        return j.cbe, j.gbe, 0.0
    cbe = j.cbe
    argtf = 0.0
    arg2 = 0.0
    arg3 = 0.0
    if p[B_XTF] != 0.0:
        argtf = p[B_XTF]
        if p[B_VTF] != 0.0:
            argtf = argtf * math.exp(vbc / (1.44 * p[B_VTF]))
        arg2 = argtf
        if p[B_ITF] != 0.0:
            temp = cbe / (cbe + p[B_ITF])
            argtf = argtf * temp * temp
            arg2 = argtf * (3.0 - temp - temp)
        if p[B_VTF] != 0.0:
            arg3 = cbe * argtf / (1.44 * p[B_VTF])
    cbe_q = cbe * (1.0 + argtf) / bq.qb
    gbe_q = (j.gbe * (1.0 + arg2) - cbe_q * bq.dqbdve) / bq.qb
    return cbe_q, gbe_q, tf * (arg3 - cbe_q * bq.dqbdvc) / bq.qb


@njit(cache=True, inline="always")
def _substrate(p, vsub):
    """The substrate junction's depletion charge and capacitance (CJS, VJS, MJS)."""
    cjs = p[B_CJS]
    if cjs == 0.0:
        return 0.0, 0.0
    if vsub < 0.0:
        arg = 1.0 - vsub / p[B_VJS]
        sarg = math.exp(-p[B_MJS] * math.log(arg))
        if p[B_MJS] == 0.0:
            qsub = cjs * vsub
        else:
            qsub = p[B_VJS] * cjs * (1.0 - arg * sarg) / (1.0 - p[B_MJS])
        return qsub, cjs * sarg
    qsub = vsub * cjs * (1.0 + p[B_MJS] * vsub / (2.0 * p[B_VJS]))
    return qsub, cjs * (1.0 + p[B_MJS] * vsub / p[B_VJS])


@njit(cache=True, inline="always")
def _charges(p, v, j, bq):
    """bjtload.c's "charge storage elements": depletion plus transit-time charges of the
    base-emitter and base-collector junctions, the external base-collector part (1 - XCJC)
    and the substrate junction."""
    tf = p[B_TF]
    cbe_q, gbe_q, geqcb = _transit_time(p, v.vbe, v.vbc, j, bq)
    qbe, capbe = _depletion(p[B_CJE], p[B_VJE], p[B_MJE], p[B_FC], v.vbe)
    qbe += tf * cbe_q
    capbe += tf * gbe_q
    xcjc = p[B_XCJC]
    qbc, capbc = _depletion(p[B_CJC] * xcjc, p[B_VJC], p[B_MJC],
                            p[B_FC], v.vbc)
    qbc += p[B_TR] * j.cbc
    capbc += p[B_TR] * j.gbc
    qbx, capbx = _depletion(p[B_CJC] * (1.0 - xcjc), p[B_VJC], p[B_MJC],
                            p[B_FC], v.vbxc)
    qsub, capsub = _substrate(p, v.vsub)
    return Charges(qbe, capbe, qbc, capbc, qbx, capbx, qsub, capsub, geqcb)


@njit(cache=True, inline="always")
def _companion(v, gc, ch, sublat, G, C, I, Q, vt):
    """The terminal currents, charges and their Jacobians in the type-normalised frame:
    terminals 0 c', 1 b, 2 b', 3 e', 4 s; vt the terminal voltages consistent with the
    limited junctions (e' as reference)."""
    G[:, :] = 0.0
    C[:, :] = 0.0
    vt[3] = 0.0
    vt[2] = v.vbe
    vt[0] = v.vbe - v.vbc
    vt[1] = vt[0] + v.vbxc
    if sublat:
        vt[4] = vt[2] + v.vsub
    else:
        vt[4] = vt[0] + v.vsub
    # currents into the device at each terminal
    ibx = gc.gx * (vt[1] - vt[2])
    I[0] = gc.cc
    I[1] = ibx
    I[2] = gc.cb - ibx
    I[3] = -(gc.cc + gc.cb)
    I[4] = 0.0
    # d/dvbe and d/dvbc of cc and cb; vbe = v2 - v3, vbc = v2 - v0
    dcc_be = gc.gm + gc.go
    dcc_bc = -gc.go - gc.gmu
    dcb_be = gc.gpi
    dcb_bc = gc.gmu
    G[0, 2] += dcc_be + dcc_bc
    G[0, 3] -= dcc_be
    G[0, 0] -= dcc_bc
    G[2, 2] += dcb_be + dcb_bc
    G[2, 3] -= dcb_be
    G[2, 0] -= dcb_bc
    G[3, 2] -= dcc_be + dcc_bc + dcb_be + dcb_bc
    G[3, 3] += dcc_be + dcb_be
    G[3, 0] += dcc_bc + dcb_bc
    _branch(G, 1, 2, gc.gx)
    # charges: qbe between b'-e' (with cross term d qbe/d vbc), qbc b'-c',
    # qbx b-c', qsub s-c' (vertical) or s-b' (lateral)
    Q[0] = -ch.qbc - ch.qbx
    Q[1] = ch.qbx
    Q[2] = ch.qbe + ch.qbc
    Q[3] = -ch.qbe
    Q[4] = 0.0
    C[2, 2] += ch.capbe + ch.geqcb
    C[2, 3] -= ch.capbe
    C[2, 0] -= ch.geqcb
    C[3, 2] -= ch.capbe + ch.geqcb
    C[3, 3] += ch.capbe
    C[3, 0] += ch.geqcb
    _branch(C, 2, 0, ch.capbc)
    _branch(C, 1, 0, ch.capbx)
    other = 2 if sublat else 0
    Q[4] += ch.qsub
    Q[other] -= ch.qsub
    _branch(C, 4, other, ch.capsub)


@njit(cache=True)
def bjt_load(x, grp, mode, gmin, out):
    """Gummel-Poon BJTs: terminals (c', b, b', e', s). state: vbe, vbc, off-flag.

    The steps follow bjtload.c's sections and are inlined (as calls they cost 60 % on
    1,000 devices); each returns a small NamedTuple of scalars. They take the row's
    parameters as a tuple of scalars, not the array: numba inlines a step with an array
    argument together with reference-count updates of it (docs/decisions.md)."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = 5
    G, C, I, Q, v = _scratch(k)
    nlim = 0
    for d in range(nodes.shape[0]):
        p = param_row(par, d)
        volts = _voltages(p, mode, _volt(x, nodes[d, 0]), _volt(x, nodes[d, 1]),
                          _volt(x, nodes[d, 2]), _volt(x, nodes[d, 3]), _volt(x, nodes[d, 4]),
                          state[d, 0], state[d, 1], state[d, 2])
        if volts.limited:
            nlim += 1
        state[d, 0] = volts.vbe
        state[d, 1] = volts.vbc
        j = _currents(p, volts.vbe, volts.vbc, gmin)
        bq = _base_charge(p, volts.vbe, volts.vbc, j)
        gc = _conductances(p, j, bq)
        ch = _charges(p, volts, j, bq)
        _companion(volts, gc, ch, p[B_SUBLAT] != 0.0, G, C, I, Q, v)
        _flip(k, p[B_TYPE], I, Q, v)
        _stamp_at(k, grp, d, G, C, I, Q, v, out)
        # the junction charges ngspice checks for truncation error (BJTtrunc)
        qdev[d, 0] = ch.qbe
        qdev[d, 1] = ch.qbc
        qdev[d, 2] = ch.qsub
    return nlim
