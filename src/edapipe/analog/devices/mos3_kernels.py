"""MOS level 3 (SPICE2's semi-empirical short-channel model, MOSEQ3) device kernel.

The equations follow ngspice's MOS3 model (mos3load.c, mos3temp.c): threshold with the
junction-depth short-channel factor (XJ, LD), the narrow-width term (DELTA) and static
feedback (ETA), mobility modulation by the gate field (THETA), velocity saturation (VMAX),
channel-length modulation (KAPPA, with ngspice's default continuous form, i.e. without
option badmos3), punch-through, weak inversion (NFS), and Meyer's gate capacitances
(ngspice's DEVqmeyer, as level 2). The conductances are ngspice's formulas, so AC analyses
see the same gm/gds/gmbs as ngspice.

Level-3 rows share the "m" device group and its state layout with levels 1 and 2. Their
parameter row holds the level-1 columns, then the level-3 columns below, which take the
places level-2 rows use for theirs (a row is of one level only): mos_kernels.mos_load hands
rows with M_LEVEL == 3 to mos_kernels.mos23_load, the load loop levels 2 and 3 share, which
calls mos3_ids and _mos3_junction. The code is ours.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import MAX_EXP_ARG, param_row
from edapipe.analog.devices.mos_common_kernels import (
    M2_FIRST, M_BETA, M_GAMMA, M_LEVEL, M_NPAR, M_PHI, M_TYPE, M_VBI, M_VT)

# level-3 parameter columns (after the level-1 ones, where level-2 rows keep theirs)
(M3_VTO, M3_LEFF, M3_WEFF, M3_XD, M3_XJ, M3_LD, M3_ETA, M3_NARROW, M3_THETA, M3_US,
 M3_VMAX, M3_CSONCO, M3_ALPHA, M3_KAPPA, M3_CBSSW, M3_CBDSW, M3_MJSW) = range(
    M2_FIRST, M2_FIRST + 17)
assert M3_MJSW < M_NPAR, "mos_common_kernels.M_NPAR must cover the level-3 columns"

# MOSEQ3's fit of the depletion width at the drain corner
_COEFF0 = 0.0631353
_COEFF1 = 0.8013292
_COEFF2 = -0.01110777


class Body(NamedTuple):
    """The square-root term sqrt(phi - vbs) (continued smoothly for forward bias) and the
    body charge with the short-channel and narrow-width factors."""

    phibs: float
    sqphbs: float
    dsqdvb: float
    fbody: float
    onfbdy: float
    dfbdvb: float
    qbonco: float
    dqbdvb: float


class Threshold(NamedTuple):
    """The threshold with static feedback (ETA), and von with the weak-inversion shift."""

    vth: float
    dvtdvd: float
    dvtdvb: float
    von: float
    xn: float
    dxndvb: float
    dvodvd: float
    dvodvb: float
    weak: bool


class Gate(NamedTuple):
    """The mobility modulation by the gate field (THETA): fgate = 1 / onfg."""

    vgsx: float
    onfg: float
    fgate: float
    us: float
    dfgdvg: float
    dfgdvd: float
    dfgdvb: float


class Saturation(NamedTuple):
    """The saturation voltage (with VMAX's velocity saturation) and its derivatives."""

    vdsat: float
    onvdsc: float
    dvsdvg: float
    dvsdvd: float
    dvsdvb: float


class Drain(NamedTuple):
    """The drain current before channel-length modulation, with the velocity-saturation
    factor fdrain and its derivatives."""

    cdrain: float
    gm: float
    gds: float
    gmbs: float
    fdrain: float
    dfddvg: float
    dfddvd: float
    dfddvb: float


@njit(cache=True, inline="always", error_model="numpy")
def _short_channel(p, sqphbs, dsqdvb):
    """(fshort, d fshort / d vbs): the reduction of the body charge by the source and
    drain junctions of depth XJ (1, 0 without XJ or NSUB)."""
    xd = p[M3_XD]
    xj = p[M3_XJ]
    if xj == 0.0 or xd == 0.0:
        return 1.0, 0.0
    leff = p[M3_LEFF]
    wps = xd * sqphbs
    oneoverxj = 1.0 / xj
    xjonxl = xj / leff
    djonxj = p[M3_LD] * oneoverxj
    wponxj = wps * oneoverxj
    wconxj = _COEFF0 + _COEFF1 * wponxj + _COEFF2 * wponxj * wponxj
    arga = wconxj + djonxj
    argc = wponxj / (1.0 + wponxj)
    argb = math.sqrt(1.0 - argc * argc)
    fshort = 1.0 - xjonxl * (arga * argb - djonxj)
    dwpdvb = xd * dsqdvb
    dadvb = (_COEFF1 + _COEFF2 * (wponxj + wponxj)) * dwpdvb * oneoverxj
    dbdvb = -argc * argc * (1.0 - argc) * dwpdvb / (argb * wps)
    return fshort, -xjonxl * (dadvb * argb + arga * dbdvb)


@njit(cache=True, inline="always", error_model="numpy")
def _body(p, lvbs):
    """mos3load.c's square-root term and body effect (with the narrow-width term)."""
    phi = p[M_PHI]
    if lvbs <= 0.0:
        phibs = phi - lvbs
        sqphbs = math.sqrt(phibs)
        dsqdvb = -0.5 / sqphbs
    else:
        sqphis = math.sqrt(phi)
        sqphs3 = phi * sqphis
        sqphbs = sqphis / (1.0 + lvbs / (phi + phi))
        phibs = sqphbs * sqphbs
        dsqdvb = -phibs / (sqphs3 + sqphs3)
    fshort, dfsdvb = _short_channel(p, sqphbs, dsqdvb)
    gamma = p[M_GAMMA]
    narrow = p[M3_NARROW]
    gammas = gamma * fshort
    fbodys = 0.5 * gammas / (sqphbs + sqphbs)
    fbody = fbodys + narrow
    onfbdy = 1.0 / (1.0 + fbody)
    dfbdvb = -fbodys * dsqdvb / sqphbs + fbodys * dfsdvb / fshort
    qbonco = gammas * sqphbs + narrow * phibs
    dqbdvb = gammas * dsqdvb + gamma * dfsdvb * sqphbs - narrow
    return Body(phibs, sqphbs, dsqdvb, fbody, onfbdy, dfbdvb, qbonco, dqbdvb)


@njit(cache=True, inline="always", error_model="numpy")
def _threshold(p, lvds, b):
    """The threshold with static feedback, and von: joint weak and strong inversion
    when NFS is given."""
    eta = p[M3_ETA]
    vbix = p[M_VBI] * p[M_TYPE] - eta * lvds
    vth = vbix + b.qbonco
    dvtdvd = -eta
    dvtdvb = b.dqbdvb
    csonco = p[M3_CSONCO]
    weak = csonco != 0.0
    if not weak:
        return Threshold(vth, dvtdvd, dvtdvb, vth, 0.0, 0.0, 0.0, 0.0, weak)
    vt = p[M_VT]
    cdonco = b.qbonco / (b.phibs + b.phibs)
    xn = 1.0 + csonco + cdonco
    dxndvb = b.dqbdvb / (b.phibs + b.phibs) - b.qbonco * b.dsqdvb / (b.phibs * b.sqphbs)
    return Threshold(vth, dvtdvd, dvtdvb, vth + vt * xn, xn, dxndvb, dvtdvd,
                     dvtdvb + vt * dxndvb, weak)


@njit(cache=True, inline="always", error_model="numpy")
def _gate(p, lvgs, th):
    """Mobility modulation by the gate voltage (THETA)."""
    vgsx = max(lvgs, th.von)
    theta = p[M3_THETA]
    onfg = 1.0 + theta * (vgsx - th.vth)
    fgate = 1.0 / onfg
    dfgdvg = -theta * fgate * fgate
    return Gate(vgsx, onfg, fgate, p[M3_US] * fgate, dfgdvg, -dfgdvg * th.dvtdvd,
                -dfgdvg * th.dvtdvb)


@njit(cache=True, inline="always", error_model="numpy")
def _saturation(p, th, b, gt):
    """The saturation voltage, with velocity saturation when VMAX is given."""
    vmax = p[M3_VMAX]
    onfbdy = b.onfbdy
    vdsat = (gt.vgsx - th.vth) * onfbdy
    if vmax <= 0.0:
        dvsdvg = onfbdy
        return Saturation(vdsat, 0.0, dvsdvg, -dvsdvg * th.dvtdvd,
                          -dvsdvg * th.dvtdvb - vdsat * b.dfbdvb * onfbdy)
    vdsc = p[M3_LEFF] * vmax / gt.us
    onvdsc = 1.0 / vdsc
    arga = (gt.vgsx - th.vth) * onfbdy
    argb = math.sqrt(arga * arga + vdsc * vdsc)
    vdsat = arga + vdsc - argb
    dvsdga = (1.0 - arga / argb) * onfbdy
    dvsdvg = dvsdga - (1.0 - vdsc / argb) * vdsc * gt.dfgdvg * gt.onfg
    return Saturation(vdsat, onvdsc, dvsdvg, -dvsdvg * th.dvtdvd,
                      -dvsdvg * th.dvtdvb - arga * dvsdga * b.dfbdvb)


@njit(cache=True, inline="always", error_model="numpy")
def _drain(p, lvds, vdsx, th, b, gt, sat):
    """The current in the linear-region form at vdsx = min(vds, vdsat), with the gate
    field's mobility factor, then the velocity-saturation factor fdrain."""
    vdsat = sat.vdsat
    cdo = gt.vgsx - th.vth - 0.5 * (1.0 + b.fbody) * vdsx
    dcodvb = -th.dvtdvb - 0.5 * b.dfbdvb * vdsx
    cdnorm = cdo * vdsx
    gm = vdsx
    if lvds > vdsat:
        gds = -th.dvtdvd * vdsx
    else:
        gds = gt.vgsx - th.vth - (1.0 + b.fbody + th.dvtdvd) * vdsx
    gmbs = dcodvb * vdsx
    # drain current without velocity saturation
    beta = p[M_BETA]
    cd1 = beta * cdnorm
    beta = beta * gt.fgate
    cdrain = beta * cdnorm
    gm = beta * gm + gt.dfgdvg * cd1
    gds = beta * gds + gt.dfgdvd * cd1
    gmbs = beta * gmbs + gt.dfgdvb * cd1
    if p[M3_VMAX] <= 0.0:
        return Drain(cdrain, gm, gds, gmbs, 0.0, 0.0, 0.0, 0.0)
    onvdsc = sat.onvdsc
    fdrain = 1.0 / (1.0 + vdsx * onvdsc)
    fd2 = fdrain * fdrain
    arga = fd2 * vdsx * onvdsc * gt.onfg
    dfddvg = -gt.dfgdvg * arga
    if lvds > vdsat:
        dfddvd = -gt.dfgdvd * arga
    else:
        dfddvd = -gt.dfgdvd * arga - fd2 * onvdsc
    dfddvb = -gt.dfgdvb * arga
    return Drain(fdrain * cdrain, fdrain * gm + dfddvg * cdrain,
                 fdrain * gds + dfddvd * cdrain, fdrain * gmbs + dfddvb * cdrain,
                 fdrain, dfddvg, dfddvd, dfddvb)


@njit(cache=True, inline="always", error_model="numpy")
def _field_length(p, lvds, vdsat, gt, sat, dr):
    """With VMAX above vdsat: the length of the velocity-saturated region from the
    maximum field at the drain end: (delxl, dldvd, ddldvg, ddldvd, ddldvb)."""
    kappa = p[M3_KAPPA]
    alpha = p[M3_ALPHA]
    cdsat = dr.cdrain
    fdrain = dr.fdrain
    gdsat = max(1.0e-12, cdsat * (1.0 - fdrain) * sat.onvdsc)
    gdoncd = gdsat / cdsat
    gdonfd = gdsat / (1.0 - fdrain)
    gdonfg = gdsat * gt.onfg
    dgdvg = gdoncd * dr.gm - gdonfd * dr.dfddvg + gdonfg * gt.dfgdvg
    dgdvd = gdoncd * dr.gds - gdonfd * dr.dfddvd + gdonfg * gt.dfgdvd
    dgdvb = gdoncd * dr.gmbs - gdonfd * dr.dfddvb + gdonfg * gt.dfgdvb
    emax = kappa * cdsat * (1.0 / p[M3_LEFF]) / gdsat
    emoncd = emax / cdsat
    emongd = emax / gdsat
    demdvg = emoncd * dr.gm - emongd * dgdvg
    demdvd = emoncd * dr.gds - emongd * dgdvd
    demdvb = emoncd * dr.gmbs - emongd * dgdvb
    arga = 0.5 * emax * alpha
    argc = kappa * alpha
    argb = math.sqrt(arga * arga + argc * (lvds - vdsat))
    delxl = argb - arga
    dldvd = 0.0
    dldem = 0.0
    if argb != 0.0:
        dldvd = argc / (argb + argb)
        dldem = 0.5 * (arga / argb - 1.0) * alpha
    return delxl, dldvd, dldem * demdvg, dldem * demdvd - dldvd, dldem * demdvb


@njit(cache=True, inline="always", error_model="numpy")
def _length_modulation(p, lvds, gt, sat, dr):
    """Channel-length modulation (KAPPA; ngspice's continuous form below saturation,
    without option badmos3) limited at punch-through: (cdrain, gm, gds, gmbs, gds0)."""
    vdsat = sat.vdsat
    vmax = p[M3_VMAX]
    kappa = p[M3_KAPPA]
    alpha = p[M3_ALPHA]
    delxl = 0.0
    dldvd = 0.0
    ddldvg = 0.0
    ddldvd = 0.0
    ddldvb = 0.0
    if lvds <= vdsat:
        if vmax > 0.0 or alpha == 0.0:
            return dr.cdrain, dr.gm, dr.gds, dr.gmbs, 0.0
        # ngspice's continuous form below saturation (ckt->CKTbadMos3 off)
        arga = lvds / vdsat
        delxl = math.sqrt(kappa * alpha * vdsat / 8.0)
        dldvd = 4.0 * delxl * arga * arga * arga / vdsat
        arga *= arga
        arga *= arga
        delxl *= arga
        ddldvd = -dldvd
    elif vmax <= 0.0:
        delxl = math.sqrt(kappa * alpha * (lvds - vdsat + vdsat / 8.0))
        dldvd = 0.5 * delxl / (lvds - vdsat + vdsat / 8.0)
        ddldvd = -dldvd
    elif alpha == 0.0:
        return dr.cdrain, dr.gm, dr.gds, dr.gmbs, 0.0
    else:
        delxl, dldvd, ddldvg, ddldvd, ddldvb = _field_length(p, lvds, vdsat, gt, sat, dr)
    # punch-through approximation
    leff = p[M3_LEFF]
    if delxl > 0.5 * leff:
        delxl = leff - leff * leff / (4.0 * delxl)
        arga = 4.0 * (leff - delxl) * (leff - delxl) / (leff * leff)
        ddldvg *= arga
        ddldvd *= arga
        ddldvb *= arga
        dldvd *= arga
    dlonxl = delxl * (1.0 / leff)
    xlfact = 1.0 / (1.0 - dlonxl)
    cdrain = dr.cdrain * xlfact
    diddl = cdrain / (leff - delxl)
    gm = dr.gm * xlfact + diddl * ddldvg
    gmbs = dr.gmbs * xlfact + diddl * ddldvb
    gds0 = diddl * ddldvd
    gm = gm + gds0 * sat.dvsdvg
    gmbs = gmbs + gds0 * sat.dvsdvb
    gds = dr.gds * xlfact + diddl * dldvd + gds0 * sat.dvsdvd
    return cdrain, gm, gds, gmbs, gds0


@njit(cache=True, error_model="numpy")
def mos3_ids(lvgs, lvds, lvbs, par, d):
    """Level-3 drain current of row d in normal mode (lvds >= 0), voltages already
    multiplied by the type (the row indexed directly, as docs/analog.md's maintenance note
    asks of the device loops): returns (ids, gm, gds, gmbs, von, vdsat). The steps follow
    mos3load.c's sections. Floating-point exceptions give inf/nan as in C
    (error_model="numpy"); the Newton loop rejects non-finite iterates."""
    p = param_row(par, d)
    vt = p[M_VT]
    b = _body(p, lvbs)
    th = _threshold(p, lvds, b)
    von = th.von
    if not th.weak and lvgs <= von:     # cut off
        return 0.0, 0.0, 0.0, 0.0, von, 0.0
    gt = _gate(p, lvgs, th)
    sat = _saturation(p, th, b, gt)
    vdsat = sat.vdsat
    vdsx = min(lvds, vdsat)
    if vdsx == 0.0:
        # vds = 0: no current, the channel conductance only
        gds = p[M_BETA] * gt.fgate * (gt.vgsx - th.vth)
        if th.weak and lvgs < von:
            gds *= math.exp((lvgs - von) / (vt * th.xn))
        return 0.0, 0.0, gds, 0.0, von, vdsat
    dr = _drain(p, lvds, vdsx, th, b, gt, sat)
    cdrain, gm, gds, gmbs, gds0 = _length_modulation(p, lvds, gt, sat, dr)
    if lvgs < von:
        # weak inversion
        onxn = 1.0 / th.xn
        ondvt = onxn / vt
        wfact = math.exp((lvgs - von) * ondvt)
        cdrain = cdrain * wfact
        gms = gm * wfact
        gmw = cdrain * ondvt
        gm = gmw
        if lvds > vdsat:
            gm = gm + gds0 * sat.dvsdvg * wfact
        gds = gds * wfact + (gms - gmw) * th.dvodvd
        gmbs = (gmbs * wfact + (gms - gmw) * th.dvodvb
                - gmw * (lvgs - von) * onxn * th.dxndvb)
    return cdrain, gm, gds, gmbs, von, vdsat


@njit(cache=True)
def has_level3(par):
    for d in range(par.shape[0]):
        if par[d, M_LEVEL] == 3.0:
            return True
    return False


@njit(cache=True, error_model="numpy")
def _mos3_junction(v, vt, isat, gmin):
    """A bulk diode of a level-3 MOSFET (conductance, current): mos3load.c's reverse
    branch follows -isat (1 + (3 vt / (e v))^3) instead of level 1's flat -isat."""
    if v <= -3.0 * vt:
        arg = 3.0 * vt / (v * math.e)
        arg = arg * arg * arg
        return isat * 3.0 * arg / v + gmin, -isat * (1.0 + arg) + gmin * v
    ev = math.exp(min(MAX_EXP_ARG, v / vt))
    return isat * ev / vt + gmin, isat * (ev - 1.0) + gmin * v
