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
rows with M_LEVEL == 3 to mos3_load. The code is ours; the structure mirrors mos2_load.
"""

from __future__ import annotations

import math

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import MAX_EXP_ARG, _flip, _scratch, _stamp_at
from edapipe.analog.devices.mos2_kernels import _bulk_depletion, qmeyer
from edapipe.analog.devices.mos_common_kernels import (
    BYPASS_OK, M2_FIRST, M_CBD, M_CBS, M_CGBO, M_CGDO, M_CGSO, M_COX, M_FC, M_GAMMA, M_ISD,
    M_ISS, M_LEVEL, M_MJ, M_NPAR, M_PB, M_PHI, M_TYPE, M_VBI, M_VCRITD, M_VCRITS, M_VT,
    M_BETA, _meyer_charges, _mos_bulk_charges, _mos_companion, _mos_limit, _mos_start,
    _mos_terminals)

# level-3 parameter columns (after the level-1 ones, where level-2 rows keep theirs)
(M3_VTO, M3_LEFF, M3_WEFF, M3_XD, M3_XJ, M3_LD, M3_ETA, M3_NARROW, M3_THETA, M3_US,
 M3_VMAX, M3_CSONCO, M3_ALPHA, M3_KAPPA, M3_CBSSW, M3_CBDSW, M3_MJSW) = range(
    M2_FIRST, M2_FIRST + 17)
assert M3_MJSW < M_NPAR, "mos_common_kernels.M_NPAR must cover the level-3 columns"

# MOSEQ3's fit of the depletion width at the drain corner
_COEFF0 = 0.0631353
_COEFF1 = 0.8013292
_COEFF2 = -0.01110777


@njit(cache=True, error_model="numpy")
def _short_channel(sqphbs, dsqdvb, par, d):
    """(fshort, d fshort / d vbs): the reduction of the body charge by the source and
    drain junctions of depth XJ (1, 0 without XJ or NSUB)."""
    xd = par[d, M3_XD]
    xj = par[d, M3_XJ]
    if xj == 0.0 or xd == 0.0:
        return 1.0, 0.0
    leff = par[d, M3_LEFF]
    wps = xd * sqphbs
    oneoverxj = 1.0 / xj
    xjonxl = xj / leff
    djonxj = par[d, M3_LD] * oneoverxj
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


@njit(cache=True, error_model="numpy")
def mos3_ids(lvgs, lvds, lvbs, par, d):
    """Level-3 drain current of row d in normal mode (lvds >= 0), voltages already
    multiplied by the type (the row indexed directly, as docs/analog.md's maintenance note
    asks of the device loops): returns (ids, gm, gds, gmbs, von, vdsat). Floating-point
    exceptions give inf/nan as in C (error_model="numpy"); the Newton loop rejects
    non-finite iterates."""
    typ = par[d, M_TYPE]
    vt = par[d, M_VT]
    phi = par[d, M_PHI]
    leff = par[d, M3_LEFF]
    oneoverxl = 1.0 / leff
    eta = par[d, M3_ETA]
    # square root term, continued smoothly for a forward-biased source junction
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
    fshort, dfsdvb = _short_channel(sqphbs, dsqdvb, par, d)
    # body effect (with the narrow-width term)
    gamma = par[d, M_GAMMA]
    narrow = par[d, M3_NARROW]
    gammas = gamma * fshort
    fbodys = 0.5 * gammas / (sqphbs + sqphbs)
    fbody = fbodys + narrow
    onfbdy = 1.0 / (1.0 + fbody)
    dfbdvb = -fbodys * dsqdvb / sqphbs + fbodys * dfsdvb / fshort
    qbonco = gammas * sqphbs + narrow * phibs
    dqbdvb = gammas * dsqdvb + gamma * dfsdvb * sqphbs - narrow
    # threshold with static feedback
    vbix = par[d, M_VBI] * typ - eta * lvds
    vth = vbix + qbonco
    dvtdvd = -eta
    dvtdvb = dqbdvb
    # joint weak and strong inversion
    von = vth
    xn = 0.0
    dxndvb = 0.0
    dvodvd = 0.0
    dvodvb = 0.0
    csonco = par[d, M3_CSONCO]
    weak = csonco != 0.0
    if weak:
        cdonco = qbonco / (phibs + phibs)
        xn = 1.0 + csonco + cdonco
        von = vth + vt * xn
        dxndvb = dqbdvb / (phibs + phibs) - qbonco * dsqdvb / (phibs * sqphbs)
        dvodvd = dvtdvd
        dvodvb = dvtdvb + vt * dxndvb
    elif lvgs <= von:                 # cut off
        return 0.0, 0.0, 0.0, 0.0, von, 0.0
    vgsx = max(lvgs, von)
    # mobility modulation by the gate voltage
    theta = par[d, M3_THETA]
    onfg = 1.0 + theta * (vgsx - vth)
    fgate = 1.0 / onfg
    us = par[d, M3_US] * fgate
    dfgdvg = -theta * fgate * fgate
    dfgdvd = -dfgdvg * dvtdvd
    dfgdvb = -dfgdvg * dvtdvb
    # saturation voltage
    vmax = par[d, M3_VMAX]
    vdsat = (vgsx - vth) * onfbdy
    onvdsc = 0.0
    if vmax <= 0.0:
        dvsdvg = onfbdy
        dvsdvd = -dvsdvg * dvtdvd
        dvsdvb = -dvsdvg * dvtdvb - vdsat * dfbdvb * onfbdy
    else:
        vdsc = leff * vmax / us
        onvdsc = 1.0 / vdsc
        arga = (vgsx - vth) * onfbdy
        argb = math.sqrt(arga * arga + vdsc * vdsc)
        vdsat = arga + vdsc - argb
        dvsdga = (1.0 - arga / argb) * onfbdy
        dvsdvg = dvsdga - (1.0 - vdsc / argb) * vdsc * dfgdvg * onfg
        dvsdvd = -dvsdvg * dvtdvd
        dvsdvb = -dvsdvg * dvtdvb - arga * dvsdga * dfbdvb
    beta = par[d, M_BETA]
    vdsx = min(lvds, vdsat)
    if vdsx == 0.0:
        # vds = 0: no current, the channel conductance only
        gds = beta * fgate * (vgsx - vth)
        if weak and lvgs < von:
            gds *= math.exp((lvgs - von) / (vt * xn))
        return 0.0, 0.0, gds, 0.0, von, vdsat
    # current factors in the linear region
    cdo = vgsx - vth - 0.5 * (1.0 + fbody) * vdsx
    dcodvb = -dvtdvb - 0.5 * dfbdvb * vdsx
    cdnorm = cdo * vdsx
    gm = vdsx
    if lvds > vdsat:
        gds = -dvtdvd * vdsx
    else:
        gds = vgsx - vth - (1.0 + fbody + dvtdvd) * vdsx
    gmbs = dcodvb * vdsx
    # drain current without velocity saturation
    cd1 = beta * cdnorm
    beta = beta * fgate
    cdrain = beta * cdnorm
    gm = beta * gm + dfgdvg * cd1
    gds = beta * gds + dfgdvd * cd1
    gmbs = beta * gmbs + dfgdvb * cd1
    # velocity saturation factor
    fdrain = 0.0
    dfddvg = 0.0
    dfddvd = 0.0
    dfddvb = 0.0
    if vmax > 0.0:
        fdrain = 1.0 / (1.0 + vdsx * onvdsc)
        fd2 = fdrain * fdrain
        arga = fd2 * vdsx * onvdsc * onfg
        dfddvg = -dfgdvg * arga
        if lvds > vdsat:
            dfddvd = -dfgdvd * arga
        else:
            dfddvd = -dfgdvd * arga - fd2 * onvdsc
        dfddvb = -dfgdvb * arga
        gm = fdrain * gm + dfddvg * cdrain
        gds = fdrain * gds + dfddvd * cdrain
        gmbs = fdrain * gmbs + dfddvb * cdrain
        cdrain = fdrain * cdrain
    # channel-length modulation
    gds0 = 0.0
    kappa = par[d, M3_KAPPA]
    alpha = par[d, M3_ALPHA]
    clm = True
    delxl = 0.0
    dldvd = 0.0
    ddldvg = 0.0
    ddldvd = 0.0
    ddldvb = 0.0
    if lvds <= vdsat:
        if vmax > 0.0 or alpha == 0.0:
            clm = False
        else:
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
        clm = False
    else:
        cdsat = cdrain
        gdsat = max(1.0e-12, cdsat * (1.0 - fdrain) * onvdsc)
        gdoncd = gdsat / cdsat
        gdonfd = gdsat / (1.0 - fdrain)
        gdonfg = gdsat * onfg
        dgdvg = gdoncd * gm - gdonfd * dfddvg + gdonfg * dfgdvg
        dgdvd = gdoncd * gds - gdonfd * dfddvd + gdonfg * dfgdvd
        dgdvb = gdoncd * gmbs - gdonfd * dfddvb + gdonfg * dfgdvb
        emax = kappa * cdsat * oneoverxl / gdsat
        emoncd = emax / cdsat
        emongd = emax / gdsat
        demdvg = emoncd * gm - emongd * dgdvg
        demdvd = emoncd * gds - emongd * dgdvd
        demdvb = emoncd * gmbs - emongd * dgdvb
        arga = 0.5 * emax * alpha
        argc = kappa * alpha
        argb = math.sqrt(arga * arga + argc * (lvds - vdsat))
        delxl = argb - arga
        dldem = 0.0
        if argb != 0.0:
            dldvd = argc / (argb + argb)
            dldem = 0.5 * (arga / argb - 1.0) * alpha
        ddldvg = dldem * demdvg
        ddldvd = dldem * demdvd - dldvd
        ddldvb = dldem * demdvb
    if clm:
        # punch-through approximation
        if delxl > 0.5 * leff:
            delxl = leff - leff * leff / (4.0 * delxl)
            arga = 4.0 * (leff - delxl) * (leff - delxl) / (leff * leff)
            ddldvg *= arga
            ddldvd *= arga
            ddldvb *= arga
            dldvd *= arga
        dlonxl = delxl * oneoverxl
        xlfact = 1.0 / (1.0 - dlonxl)
        cdrain = cdrain * xlfact
        diddl = cdrain / (leff - delxl)
        gm = gm * xlfact + diddl * ddldvg
        gmbs = gmbs * xlfact + diddl * ddldvb
        gds0 = diddl * ddldvd
        gm = gm + gds0 * dvsdvg
        gmbs = gmbs + gds0 * dvsdvb
        gds = gds * xlfact + diddl * dldvd + gds0 * dvsdvd
    if lvgs < von:
        # weak inversion
        onxn = 1.0 / xn
        ondvt = onxn / vt
        wfact = math.exp((lvgs - von) * ondvt)
        cdrain = cdrain * wfact
        gms = gm * wfact
        gmw = cdrain * ondvt
        gm = gmw
        if lvds > vdsat:
            gm = gm + gds0 * dvsdvg * wfact
        gds = gds * wfact + (gms - gmw) * dvodvd
        gmbs = gmbs * wfact + (gms - gmw) * dvodvb - gmw * (lvgs - von) * onxn * dxndvb
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


@njit(cache=True)
def mos3_load(x, grp, mode, gmin, out):
    """The level-3 rows of a MOS group: terminals (d', g, s', b), the state layout of
    mos1_load (vbs vgs vds von off | Meyer half capacitances, last point, phase). Returns
    the number of devices whose junction voltage was limited."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = 4
    G, C, I, Q, v = _scratch(k)
    nlim = 0
    for d in range(nodes.shape[0]):
        if par[d, M_LEVEL] != 3.0:
            continue
        typ = par[d, M_TYPE]
        vt = par[d, M_VT]
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        vbs, vgs, vds = _mos_start(typ, vdx, vgx, vbx, mode, state[d, 4], par[d, M3_VTO])
        if mode == 0:
            vgs_x = vgs
            vds_x = vds
            vgs, vds, vbs, lim = _mos_limit(vgs, vds, vbs, state, d, vt, par[d, M_VCRITS],
                                            par[d, M_VCRITD])
            # as mos2_load: without ngspice's device current test, a fetlim/limvds step
            # far from the iterate counts as limited
            if (abs(vgs - vgs_x) > 1e-3 * max(abs(vgs), abs(vgs_x)) + 1e-6
                    or abs(vds - vds_x) > 1e-3 * max(abs(vds), abs(vds_x)) + 1e-6):
                lim = True
            if lim:
                nlim += 1
        vbd = vbs - vds
        vgd = vgs - vds
        vgb = vgs - vbs
        state[d, 0] = vbs
        state[d, 1] = vgs
        state[d, 2] = vds
        state[d, BYPASS_OK] = 0.0
        gbs, cbs = _mos3_junction(vbs, vt, par[d, M_ISS], gmin)
        gbd, cbd = _mos3_junction(vbd, vt, par[d, M_ISD], gmin)
        if vds >= 0.0:
            ids, gm, gds, gmbs, von, vdsat = mos3_ids(vgs, vds, vbs, par, d)
            normal = True
        else:
            ids, gm, gds, gmbs, von, vdsat = mos3_ids(vgd, -vds, vbd, par, d)
            normal = False
        state[d, 3] = von
        _mos_companion(normal, (ids, gm, gds, gmbs), (gbs, cbs, gbd, cbd),
                       (vds, vgs, vbs), G, C, I, v)
        pb, mj, mjsw, fc = par[d, M_PB], par[d, M_MJ], par[d, M3_MJSW], par[d, M_FC]
        qbs, cbs_c = _bulk_depletion(par[d, M_CBS], par[d, M3_CBSSW], pb, mj, mjsw, fc, vbs)
        qbd, cbd_c = _bulk_depletion(par[d, M_CBD], par[d, M3_CBDSW], pb, mj, mjsw, fc, vbd)
        _mos_bulk_charges(qbs, cbs_c, qbd, cbd_c, Q, C)
        if normal:
            cgs_h, cgd_h, cgb_h = qmeyer(vgs, vgd, von, vdsat, par[d, M_PHI], par[d, M_COX])
        else:
            cgd_h, cgs_h, cgb_h = qmeyer(vgd, vgs, von, vdsat, par[d, M_PHI], par[d, M_COX])
        qgs, qgd, qgb = _meyer_charges(state, d, cgs_h, cgd_h, cgb_h, vgs, vgd, vgb, Q, C)
        _flip(k, typ, I, Q, v)
        _stamp_at(k, grp, d, G, C, I, Q, v, out)
        qdev[d, 0] = typ * (qgs + par[d, M_CGSO] * vgs)
        qdev[d, 1] = typ * (qgd + par[d, M_CGDO] * vgd)
        qdev[d, 2] = typ * (qgb + par[d, M_CGBO] * vgb)
        qdev[d, 3] = 0.0
    return nlim
