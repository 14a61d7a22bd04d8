"""MOS level 2 (Grove-Frohman, SPICE2's MOSEQ2) device kernel.

The equations follow ngspice's MOS2 model (mos2load.c, mos2temp.c): threshold with the
short-channel (XJ) and narrow-width (DELTA) corrections, mobility degradation above the
critical field (UCRIT, UEXP), the Grove-Frohman saturation voltage or Baum's velocity
saturation (VMAX), channel-length modulation from the depletion width when LAMBDA is not
given (NSUB), the punch-through limit, weak inversion (NFS), and Meyer's gate capacitances
(ngspice's DEVqmeyer). The conductances are ngspice's formulas, so AC analyses see the same
gm/gds/gmbs as ngspice; they are the exact derivatives of the current only without XJ, VMAX
and NFS and with reverse-biased bulk junctions (tests/analog/test_mos2.py).

Level-2 devices share the "m" device group, its parameter rows (the level-1 columns plus the
M2_* columns below) and its state layout with level 1: mos_kernels.mos_load hands rows
with M_LEVEL == 2 to mos_kernels.mos23_load, the load loop levels 2 and 3 share, which calls
mos2_ids. The code is ours; the structure mirrors mos1_load.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import _depletion, param_row
from edapipe.analog.devices.mos_common_kernels import (
    M2_FIRST, M_BETA, M_COX, M_GAMMA, M_LAMBDA, M_LEVEL, M_NPAR, M_PHI, M_TYPE, M_VBI, M_VT)

# level-2 parameter columns (after the level-1 ones)
(M2_VTO, M2_FACTOR, M2_XD, M2_XJ, M2_LEFF, M2_UCRITV, M2_UEXP, M2_UO, M2_VMAX, M2_NEFF,
 M2_CFS, M2_NFS, M2_NSUB, M2_SBIARG, M2_CBSSW, M2_CBDSW, M2_MJSW) = range(M2_FIRST, M2_FIRST + 17)
assert M2_MJSW + 1 == M_NPAR, "mos_common_kernels.M_NPAR must cover the level-2 columns"

MAGIC_VDS = 0.025   # DEVqmeyer's floor on vdsat (levels 2 and 3, mos_kernels.mos23_load)


@njit(cache=True, error_model="numpy")
def _cbrt_abs(v):
    return math.exp(math.log(abs(v)) / 3.0)


@njit(cache=True, error_model="numpy")
def _baum_vdsat(vgsx, vbin, eta, phimv, gammad, sarg3, xv, vdsat):
    """Saturation voltage with velocity saturation (Baum): the smallest positive root of a
    quartic in sqrt(vdsat + phi - vbs), solved in closed form as SPICE2 does. Returns the
    Grove-Frohman value `vdsat` when no valid root exists."""
    v1 = (vgsx - vbin) / eta + phimv
    v2 = phimv
    a1 = gammad / 0.75
    b1 = -2.0 * (v1 + xv)
    c1 = -2.0 * gammad * xv
    d1 = 2.0 * v1 * (v2 + xv) - v2 * v2 - 4.0 / 3.0 * gammad * sarg3
    a = -b1
    b = a1 * c1 - 4.0 * d1
    c = -d1 * (a1 * a1 - 4.0 * b1) - c1 * c1
    r = -a * a / 3.0 + b
    s = 2.0 * a * a * a / 27.0 - a * b / 3.0 + c
    r3 = r * r * r
    s2 = s * s
    pp = s2 / 4.0 + r3 / 27.0
    p0 = abs(pp)
    p2 = math.sqrt(p0)
    if pp < 0.0:
        ro = math.exp(math.log(math.sqrt(s2 / 4.0 + p0)) / 3.0)
        fi = math.atan(-2.0 * p2 / s)
        y3 = 2.0 * ro * math.cos(fi / 3.0) - a / 3.0
    else:
        y3 = _cbrt_abs(-s / 2.0 + p2) + _cbrt_abs(-s / 2.0 - p2) - a / 3.0
    a3 = math.sqrt(a1 * a1 / 4.0 - b1 + y3)
    b3 = math.sqrt(y3 * y3 / 4.0 - d1)
    found = False
    xvalid = 0.0
    for i in range(4):
        sg1 = 1.0 if i % 2 == 0 else -1.0
        sg2 = 1.0 if i < 2 else -1.0
        a4 = a1 / 2.0 + sg1 * a3
        b4 = y3 / 2.0 + sg2 * b3
        delta4 = a4 * a4 / 4.0 - b4
        if delta4 < 0.0:
            continue
        tmp = math.sqrt(delta4)
        for sgn in (1.0, -1.0):
            xr = -a4 / 2.0 + sgn * tmp
            if xr <= 0.0:
                continue
            poly = xr * xr * xr * xr + a1 * xr * xr * xr + b1 * xr * xr + c1 * xr + d1
            if abs(poly) > 1.0e-6:
                continue
            if not found or xr < xvalid:
                xvalid = xr
            found = True
    if found:
        return xvalid * xvalid - phimv
    return vdsat


class Roots(NamedTuple):
    """sqrt(phi - vbs) and sqrt(phi - vbd) with their first and second derivatives in
    vbs, continued smoothly for a forward-biased junction."""

    sarg: float
    dsrgdb: float
    d2sdb2: float
    barg: float
    dbrgdb: float
    d2bdb2: float


class Gamma(NamedTuple):
    """The body factor reduced by the source and drain depletion regions (XJ), and its
    derivatives."""

    gamasd: float
    dgdvds: float
    dgddb2: float
    dgddvb: float


class Threshold(NamedTuple):
    """The threshold terms: von (with the weak-inversion shift n vt when NFS is given)."""

    vbin: float
    eta: float       # 1 + the narrow-width factor
    factor: float
    von: float
    xn: float        # the weak-inversion slope factor n
    argg: float      # 1 / (n vt)
    weak: bool


class Body(NamedTuple):
    """The bulk charge terms of the current and the derivatives of von."""

    body: float
    gdbdv: float
    dodvbs: float
    dodvds: float
    dxndvd: float
    dxndvb: float


class Mobility(NamedTuple):
    """The effective mobility's factor above the critical field (UCRIT, UEXP)."""

    ufact: float
    ueff: float
    dudvgs: float
    dudvbs: float


class Saturation(NamedTuple):
    """The saturation voltage, its derivatives and the body terms at it."""

    vgsx: float
    vdsat: float
    dsdvgs: float
    dsdvbs: float
    bsarg: float
    dbsrdb: float
    bodys: float
    gdbdvs: float


class Length(NamedTuple):
    """The channel shortening factor (LAMBDA, or from the depletion width) and its
    derivatives, limited at punch-through."""

    clfact: float
    dldvgs: float
    dldvds: float
    dldvbs: float


@njit(cache=True, inline="always", error_model="numpy")
def _roots(phi, lvbs, lvds):
    phimv = phi - lvbs
    sphi = math.sqrt(phi)
    sphi3 = phi * sphi
    if lvbs <= 0.0:
        sarg = math.sqrt(phimv)
        dsrgdb = -0.5 / sarg
        d2sdb2 = 0.5 * dsrgdb / phimv
    else:
        sarg = sphi / (1.0 + 0.5 * lvbs / phi)
        tmp = sarg / sphi3
        dsrgdb = -0.5 * sarg * tmp
        d2sdb2 = -dsrgdb * tmp
    if lvbs - lvds <= 0.0:
        barg = math.sqrt(phimv + lvds)
        dbrgdb = -0.5 / barg
        d2bdb2 = 0.5 * dbrgdb / (phimv + lvds)
    else:
        barg = sphi / (1.0 + 0.5 * (lvbs - lvds) / phi)
        tmp = barg / sphi3
        dbrgdb = -0.5 * barg * tmp
        d2bdb2 = -dbrgdb * tmp
    return Roots(sarg, dsrgdb, d2sdb2, barg, dbrgdb, d2bdb2)


@njit(cache=True, inline="always", error_model="numpy")
def _gamma(p, r):
    """The short-channel reduction of gamma by the junction depth XJ."""
    gamma = p[M_GAMMA]
    xd = p[M2_XD]
    xj = p[M2_XJ]
    leff = p[M2_LEFF]
    if not (gamma > 0.0 or p[M2_NSUB] > 0.0):
        return Gamma(gamma, 0.0, 0.0, 0.0)
    dgdvds = 0.0
    dgddb2 = 0.0
    argss = 0.0
    argsd = 0.0
    dbargs = 0.0
    dbargd = 0.0
    args = 1.0
    argd = 1.0
    argxs = 1.0
    argxd = 1.0
    if xj > 0.0:
        tmp = 2.0 / xj
        argxs = 1.0 + xd * r.sarg * tmp
        argxd = 1.0 + xd * r.barg * tmp
        args = math.sqrt(argxs)
        argd = math.sqrt(argxd)
        tmp = 0.5 * xj / leff
        argss = tmp * (args - 1.0)
        argsd = tmp * (argd - 1.0)
    gamasd = gamma * (1.0 - argss - argsd)
    dbxwd = xd * r.dbrgdb
    dbxws = xd * r.dsrgdb
    if xj > 0.0:
        tmp = 0.5 / leff
        dbargs = tmp * dbxws / args
        dbargd = tmp * dbxwd / argd
        dasdb2 = -xd * (r.d2sdb2 + r.dsrgdb * r.dsrgdb * xd / (xj * argxs)) / (leff * args)
        daddb2 = -xd * (r.d2bdb2 + r.dbrgdb * r.dbrgdb * xd / (xj * argxd)) / (leff * argd)
        dgddb2 = -0.5 * gamma * (dasdb2 + daddb2)
        dgdvds = gamma * 0.5 * dbxwd / (leff * argd)
    return Gamma(gamasd, dgdvds, dgddb2, -gamma * (dbargs + dbargd))


@njit(cache=True, inline="always", error_model="numpy")
def _body(p, r, g, th):
    """The bulk charge term (barg^3 - sarg^3) and the derivatives of von."""
    sarg = r.sarg
    gammad = g.gamasd
    dgdvbs = g.dgddvb
    body = r.barg * r.barg * r.barg - sarg * sarg * sarg
    gdbdv = 2.0 * gammad * (r.barg * r.barg * r.dbrgdb - sarg * sarg * r.dsrgdb)
    dodvbs = -th.factor + dgdvbs * sarg + gammad * r.dsrgdb
    dodvds = 0.0
    dxndvd = 0.0
    dxndvb = 0.0
    if th.weak:
        vt = p[M_VT]
        dxndvb = 2.0 * dgdvbs * r.dsrgdb + gammad * r.d2sdb2 + g.dgddb2 * sarg
        dodvbs = dodvbs + vt * dxndvb
        dxndvd = g.dgdvds * r.dsrgdb
        dodvds = g.dgdvds * sarg + vt * dxndvd
    return Body(body, gdbdv, dodvbs, dodvds, dxndvd, dxndvb)


@njit(cache=True, inline="always", error_model="numpy")
def _mobility(p, vgst, dodvbs):
    """Mobility degradation above the critical field UCRIT (exponent UEXP)."""
    if p[M_COX] > 0.0:
        ucv = p[M2_UCRITV]
        if vgst > ucv:
            uexp = p[M2_UEXP]
            ufact = math.exp(uexp * math.log(ucv / vgst))
            return Mobility(ufact, p[M2_UO] * ufact, -ufact * uexp / vgst,
                            uexp * ufact * dodvbs / vgst)
    return Mobility(1.0, p[M2_UO], 0.0, 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def _vdsat(p, lvgs, lvbs, th, r, g, ueff):
    """The Grove-Frohman saturation voltage, or Baum's with velocity saturation (VMAX):
    (vgsx, vdsat, d vdsat / d vgs, d vdsat / d vbs)."""
    phimv = p[M_PHI] - lvbs
    vbin, eta = th.vbin, th.eta
    vgsx = lvgs
    gammad = g.gamasd / eta
    if th.weak:
        vgsx = max(lvgs, th.von)
    if gammad > 0.0:
        gammd2 = gammad * gammad
        argv = (vgsx - vbin) / eta + phimv
        if argv <= 0.0:
            vdsat = 0.0
            dsdvgs = 0.0
            dsdvbs = 0.0
        else:
            arg = math.sqrt(1.0 + 4.0 * argv / gammd2)
            vdsat = max((vgsx - vbin) / eta + gammd2 * (1.0 - arg) / 2.0, 0.0)
            dsdvgs = (1.0 - 1.0 / arg) / eta
            dsdvbs = ((gammad * (1.0 - arg) + 2.0 * argv / (gammad * arg)) / eta * g.dgddvb
                      + 1.0 / arg + th.factor * dsdvgs)
    else:
        vdsat = max((vgsx - vbin) / eta, 0.0)
        dsdvgs = 1.0
        dsdvbs = 0.0
    vmax = p[M2_VMAX]
    if vmax > 0.0:
        sarg = r.sarg
        vdsat = _baum_vdsat(vgsx, vbin, eta, phimv, gammad, sarg * sarg * sarg,
                            vmax * p[M2_LEFF] / ueff, vdsat)
    return vgsx, vdsat, dsdvgs, dsdvbs


@njit(cache=True, inline="always", error_model="numpy")
def _saturation(p, lvgs, lvds, lvbs, th, r, g, ueff):
    """mos2load.c's saturation voltage and the body terms at it; with VMAX the
    derivatives of vdsat come from the velocity-saturation condition."""
    vgsx, vdsat, dsdvgs, dsdvbs = _vdsat(p, lvgs, lvbs, th, r, g, ueff)
    if lvds == 0.0:
        return Saturation(vgsx, vdsat, dsdvgs, dsdvbs, 0.0, 0.0, 0.0, 0.0)
    phi = p[M_PHI]
    sphi = math.sqrt(phi)
    sphi3 = phi * sphi
    sarg = r.sarg
    gammad = g.gamasd
    if lvbs - vdsat <= 0.0:
        bsarg = math.sqrt(vdsat + (phi - lvbs))
        dbsrdb = -0.5 / bsarg
    else:
        bsarg = sphi / (1.0 + 0.5 * (lvbs - vdsat) / phi)
        dbsrdb = -0.5 * bsarg * bsarg / sphi3
    bodys = bsarg * bsarg * bsarg - sarg * sarg * sarg
    gdbdvs = 2.0 * gammad * (bsarg * bsarg * dbsrdb - sarg * sarg * r.dsrgdb)
    vmax = p[M2_VMAX]
    if vmax > 0.0:
        eta = th.eta
        argv = (vgsx - th.vbin) / eta - vdsat
        vqchan = argv - gammad * bsarg
        dqdsat = -1.0 + gammad * dbsrdb
        vl = vmax * p[M2_LEFF]
        dfunds = vl * dqdsat - ueff * vqchan
        dfundg = (vl - ueff * vdsat) / eta
        dfundb = (-vl * (1.0 + dqdsat - th.factor / eta)
                  + ueff * (gdbdvs - g.dgddvb * bodys / 1.5) / eta)
        dsdvgs = -dfundg / dfunds
        dsdvbs = -dfundb / dfunds
    return Saturation(vgsx, vdsat, dsdvgs, dsdvbs, bsarg, dbsrdb, bodys, gdbdvs)


@njit(cache=True, inline="always", error_model="numpy")
def _length(p, lvds, ueff, sat):
    """Channel-length modulation: LAMBDA, or from the depletion width beyond vdsat when
    only NSUB is given, then the channel shortening limited at punch-through."""
    xd = p[M2_XD]
    leff = p[M2_LEFF]
    nsub = p[M2_NSUB]
    vmax = p[M2_VMAX]
    vdsat = sat.vdsat
    xlamda = p[M_LAMBDA]
    dldvgs = 0.0
    dldvds = 0.0
    dldvbs = 0.0
    if lvds != 0.0 and nsub != 0.0 and xlamda <= 0.0:
        if vmax <= 0.0:
            argv = (lvds - vdsat) / 4.0
            sargv = math.sqrt(1.0 + argv * argv)
            arg = math.sqrt(argv + sargv)
            xlamda = xd / (leff * lvds) * arg
            dldsat = lvds * xlamda / (8.0 * sargv)
        else:
            xdv = xd / math.sqrt(p[M2_NEFF])
            xlv = vmax * xdv / (2.0 * ueff)
            argv = max(lvds - vdsat, 0.0)
            xls = math.sqrt(xlv * xlv + argv)
            xlamda = xdv / (leff * lvds) * (xls - xlv)
            dldsat = xdv / (2.0 * xls) / leff
        dldvgs = dldsat * sat.dsdvgs
        dldvds = -xlamda + dldsat
        dldvbs = dldsat * sat.dsdvbs
    # channel shortening, limited at punch-through
    xwb = xd * p[M2_SBIARG]
    xld = leff - xwb
    clfact = 1.0 - xlamda * lvds
    dldvds = -xlamda - dldvds
    xleff = leff * clfact
    deltal = xlamda * lvds * leff
    if nsub == 0.0:
        xwb = 0.25e-6
    if xleff < xwb:
        xleff = xwb / (1.0 + (deltal - xld) / xwb)
        clfact = xleff / leff
        dfact = xleff * xleff / (xwb * xwb)
        dldvgs = dfact * dldvgs
        dldvds = dfact * dldvds
        dldvbs = dfact * dldvbs
    return Length(clfact, dldvgs, dldvds, dldvbs)


@njit(cache=True, inline="always", error_model="numpy")
def _weak_current(lvgs, lvds, beta1, th, r, g, bd, sat, ln):
    """Below von with NFS: the current at von scaled by exp((vgs - von) / (n vt)):
    (ids, gm, gds, gmbs)."""
    von, vbin, eta, vdsat = th.von, th.vbin, th.eta, sat.vdsat
    gammad = g.gamasd
    vdson = min(vdsat, lvds)
    barg, body, gdbdv = r.barg, bd.body, bd.gdbdv
    if lvds > vdsat:
        barg = sat.bsarg
        body = sat.bodys
        gdbdv = sat.gdbdvs
    cdson = beta1 * ((von - vbin - eta * vdson * 0.5) * vdson - gammad * body / 1.5)
    didvds = beta1 * (von - vbin - eta * vdson - gammad * barg)
    gdson = -cdson * ln.dldvds / ln.clfact - beta1 * g.dgdvds * body / 1.5
    if lvds < vdsat:
        gdson = gdson + didvds
    gbson = (-cdson * ln.dldvbs / ln.clfact
             + beta1 * (bd.dodvbs * vdson + th.factor * vdson - g.dgddvb * body / 1.5 - gdbdv))
    if lvds > vdsat:
        gbson = gbson + didvds * sat.dsdvbs
    expg = math.exp(th.argg * (lvgs - von))
    ids = cdson * expg
    gmw = ids * th.argg
    gm = gmw
    if lvds > vdsat:
        gm = gmw + didvds * sat.dsdvgs * expg
    tmp = gmw * (lvgs - von) / th.xn
    gds = gdson * expg - gm * bd.dodvds - tmp * bd.dxndvd
    gmbs = gbson * expg - gm * bd.dodvbs - tmp * bd.dxndvb
    return ids, gm, gds, gmbs


@njit(cache=True, inline="always", error_model="numpy")
def _strong_current(lvgs, lvds, beta1, th, r, g, bd, sat, mob, ln):
    """The linear region (vds <= vdsat) and saturation: (ids, gm, gds, gmbs)."""
    vbin, eta, factor, vdsat = th.vbin, th.eta, th.factor, sat.vdsat
    gammad = g.gamasd
    dgdvbs = g.dgddvb
    dgdvds = g.dgdvds
    ufact, clfact = mob.ufact, ln.clfact
    if lvds <= vdsat:
        body = bd.body
        ids = beta1 * ((lvgs - vbin - eta * lvds / 2.0) * lvds - gammad * body / 1.5)
        gm = ids * (mob.dudvgs / ufact - ln.dldvgs / clfact) + beta1 * lvds
        gds = (ids * (-ln.dldvds / clfact)
               + beta1 * (lvgs - vbin - eta * lvds - gammad * r.barg - dgdvds * body / 1.5))
        gmbs = (ids * (mob.dudvbs / ufact - ln.dldvbs / clfact)
                - beta1 * (bd.gdbdv + dgdvbs * body / 1.5 - factor * lvds))
        return ids, gm, gds, gmbs
    bodys = sat.bodys
    ids = beta1 * ((lvgs - vbin - eta * vdsat / 2.0) * vdsat - gammad * bodys / 1.5)
    dsat = lvgs - vbin - eta * vdsat - gammad * sat.bsarg
    gm = (ids * (mob.dudvgs / ufact - ln.dldvgs / clfact) + beta1 * vdsat
          + beta1 * dsat * sat.dsdvgs)
    gds = -ids * ln.dldvds / clfact - beta1 * dgdvds * bodys / 1.5
    gmbs = (ids * (mob.dudvbs / ufact - ln.dldvbs / clfact)
            - beta1 * (sat.gdbdvs + dgdvbs * bodys / 1.5 - factor * vdsat)
            + beta1 * dsat * sat.dsdvbs)
    return ids, gm, gds, gmbs


@njit(cache=True, error_model="numpy")
def mos2_ids(lvgs, lvds, lvbs, par, d):
    """Level-2 drain current of row d in normal mode (lvds >= 0), voltages already
    multiplied by the type: returns (ids, gm, gds, gmbs, von, vdsat). The steps follow
    mos2load.c's sections. Floating-point exceptions give inf/nan as in C
    (error_model="numpy"); the Newton loop rejects non-finite iterates."""
    p = param_row(par, d)
    cox = p[M_COX]
    weak = p[M2_NFS] != 0.0 and cox != 0.0
    phimv = p[M_PHI] - lvbs
    r = _roots(p[M_PHI], lvbs, lvds)
    # threshold: narrow-width factor and short-channel reduction of gamma
    factor = p[M2_FACTOR]
    eta = 1.0 + factor
    vbin = p[M_VBI] * p[M_TYPE] + factor * phimv
    g = _gamma(p, r)
    von = vbin + g.gamasd * r.sarg
    xn = 1.0
    argg = 0.0
    if weak:
        cdonco = -(g.gamasd * r.dsrgdb + g.dgddvb * r.sarg) + factor
        xn = 1.0 + p[M2_CFS] + cdonco
        tmp = p[M_VT] * xn
        von = von + tmp
        argg = 1.0 / tmp
    elif lvgs <= vbin:          # cut off
        return 0.0, 0.0, 0.0, 0.0, von, 0.0
    vgst = lvgs - von
    th = Threshold(vbin, eta, factor, von, xn, argg, weak)
    bd = _body(p, r, g, th)
    mob = _mobility(p, vgst, bd.dodvbs)
    sat = _saturation(p, lvgs, lvds, lvbs, th, r, g, mob.ueff)
    vdsat = sat.vdsat
    ln = _length(p, lvds, mob.ueff, sat)
    beta1 = p[M_BETA] * mob.ufact / ln.clfact
    if lvds <= 1.0e-10:
        if lvgs <= von:
            if not weak:
                return 0.0, 0.0, 0.0, 0.0, von, vdsat
            gds = beta1 * (von - vbin - g.gamasd * r.sarg) * math.exp(argg * (lvgs - von))
            return 0.0, 0.0, gds, 0.0, von, vdsat
        return 0.0, 0.0, beta1 * (lvgs - vbin - g.gamasd * r.sarg), 0.0, von, vdsat
    if weak and lvgs <= von:
        if vdsat <= 0.0:
            # (ngspice keeps the previous evaluation's values when vgs > vth here)
            return 0.0, 0.0, 0.0, 0.0, von, vdsat
        ids, gm, gds, gmbs = _weak_current(lvgs, lvds, beta1, th, r, g, bd, sat, ln)
    else:
        ids, gm, gds, gmbs = _strong_current(lvgs, lvds, beta1, th, r, g, bd, sat, mob, ln)
    return ids, gm, gds, gmbs, von, vdsat


@njit(cache=True)
def has_level2(par):
    for d in range(par.shape[0]):
        if par[d, M_LEVEL] == 2.0:
            return True
    return False


@njit(cache=True)
def _bulk_depletion(cj, cjsw, pb, mj, mjsw, fc, v):
    """Bulk junction depletion charge and capacitance: bottom (MJ) plus sidewall (MJSW)."""
    q, c = _depletion(cj, pb, mj, fc, v)
    if cjsw != 0.0:
        qsw, csw = _depletion(cjsw, pb, mjsw, fc, v)
        q += qsw
        c += csw
    return q, c
