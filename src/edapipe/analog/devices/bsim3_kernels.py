"""BSIM3v3.3.0 (ngspice levels 8 and 49): the load kernel.

The model equations are those of the BSIM3v3.3 manual as ngspice's b3ld.c evaluates them
(the code is ours). One function, `_terminal`, computes a device's terminal currents and
charges from its three terminal voltages (vds, vgs, vbs, N-type frame, source reference):
the channel current with its substrate current, the bulk junction diodes, the intrinsic
charges of the capacitance model (capMod 0..3, charge partition XPART), the overlap and
junction charges. Its conductances and capacitances come from complex-step
differentiation: `_terminal` runs on complex voltages, once per controlling voltage with a
tiny imaginary step, and the imaginary parts are the exact derivatives (to rounding; no
difference is taken, so there is no cancellation). Branches test real parts, so every
region is differentiated as ngspice's hand-written derivatives do, without re-deriving the
few hundred of them b3ld.c carries (three evaluations per device and iteration: slower
than hand-written derivatives, see docs/analog.md). Where ngspice's derivatives are not
those of its own equations we differ from it slightly: capMod 3's charges (up to 0.25 %,
measured against finite differences of ngspice's own charges), and above VBS ~ 1 uV, where
Vbseff is clamped to VBS but b3ld.c keeps the smoothing function's slope (3e-4 of gmb).

Parameter columns (B3_*) are filled by devices/bsim3.py from the model card, the binning
and the temperature (ngspice's b3set.c/b3temp.c); state columns: vbs, vgs, vds, von, OFF.
"""

from __future__ import annotations

import cmath
from typing import NamedTuple

import numpy as np

from edapipe.util.jit import njit

from edapipe.analog.devices.bsim_common_kernels import (
    DELTA_4, EPSSI, EXP_THRESHOLD, MAX_EXP, MIN_EXP, _abulk_limits, _acc_centroid,
    _bsim_start, _centroid_charges, _centroid_cox, _depletion, _depletion_charge,
    _long_channel_charges, _mobility_denominator, _overlap_smooth, _partition_lin,
    _smooth_charges, _vascbe, _vdseffcv, _vfbeff, _vgdp, _vgsteff_cv)
from edapipe.analog.devices.common_kernels import _flip, _stamp_at
from edapipe.analog.devices.complex_step_kernels import (
    finish_companion, set_step, start_companion, step_work, take_column)
from edapipe.analog.devices.mos_common_kernels import _mos_limit, _mos_terminals

COLUMNS = """TYPE VTH0 VFB VFBZB U0TEMP MOBMOD CAPMOD XPART COX TOX FACTOR1 VTM TRATIO
LEFF WEFF LEFFCV WEFFCV VBSC PHI PHIS3 SQRTPHI XDEP0 VBI DVT0 DVT1 DVT2 DVT0W DVT1W
DVT2W NLX K1 K1OX K2OX KT1 KT1L KT2 W0 ETA0 ETAB THETA0VB0 K3 K3B NFACTOR CDSC CDSCB
CDSCD CIT NGATE VOFF CDEP0 DWG DWB PRWG PRWB RDS0 XJ A0 B0 B1 AGS KETA UA UB UC VSAT
A1 A2 DELTA PCLM LITL THETAROUT PDIBLB PVAG PSCBE1 PSCBE2 ALPHA0 ALPHA1 BETA0 VFBCV
ABULKCV NOFF VOFFCV ACDE LDEB MOIN CGSO CGDO CGBO CGSL CGDL CKAPPA NVTM ISS ISD IJTH
VJSM ISEVJSM VJDM ISEVJDM CZBS CZBSSW CZBSSWG CZBD CZBDSW CZBDSWG PHIB PHIBSW PHIBSWG
MJ MJSW MJSWG VCRIT MULT VTMCONST""".split()

(B3_TYPE, B3_VTH0, B3_VFB, B3_VFBZB, B3_U0TEMP, B3_MOBMOD, B3_CAPMOD, B3_XPART, B3_COX,
 B3_TOX, B3_FACTOR1, B3_VTM, B3_TRATIO, B3_LEFF, B3_WEFF, B3_LEFFCV, B3_WEFFCV, B3_VBSC,
 B3_PHI, B3_PHIS3, B3_SQRTPHI, B3_XDEP0, B3_VBI, B3_DVT0, B3_DVT1, B3_DVT2, B3_DVT0W,
 B3_DVT1W, B3_DVT2W, B3_NLX, B3_K1, B3_K1OX, B3_K2OX, B3_KT1, B3_KT1L, B3_KT2, B3_W0,
 B3_ETA0, B3_ETAB, B3_THETA0VB0, B3_K3, B3_K3B, B3_NFACTOR, B3_CDSC, B3_CDSCB, B3_CDSCD,
 B3_CIT, B3_NGATE, B3_VOFF, B3_CDEP0, B3_DWG, B3_DWB, B3_PRWG, B3_PRWB, B3_RDS0, B3_XJ,
 B3_A0, B3_B0, B3_B1, B3_AGS, B3_KETA, B3_UA, B3_UB, B3_UC, B3_VSAT, B3_A1, B3_A2,
 B3_DELTA, B3_PCLM, B3_LITL, B3_THETAROUT, B3_PDIBLB, B3_PVAG, B3_PSCBE1, B3_PSCBE2,
 B3_ALPHA0, B3_ALPHA1, B3_BETA0, B3_VFBCV, B3_ABULKCV, B3_NOFF, B3_VOFFCV, B3_ACDE,
 B3_LDEB, B3_MOIN, B3_CGSO, B3_CGDO, B3_CGBO, B3_CGSL, B3_CGDL, B3_CKAPPA, B3_NVTM,
 B3_ISS, B3_ISD, B3_IJTH, B3_VJSM, B3_ISEVJSM, B3_VJDM, B3_ISEVJDM, B3_CZBS, B3_CZBSSW,
 B3_CZBSSWG, B3_CZBD, B3_CZBDSW, B3_CZBDSWG, B3_PHIB, B3_PHIBSW, B3_PHIBSWG, B3_MJ,
 B3_MJSW, B3_MJSWG, B3_VCRIT, B3_MULT, B3_VTMCONST) = range(len(COLUMNS))
B3_NPAR = len(COLUMNS)
B3_NSTATE = 5
B3_OFF = 4

CHARGE_Q = 1.60219e-19


@njit(cache=True)
def _smooth_lo(t0, lo_a, lo_b, lo_c, lo_d):
    """BSIM3's guard against a factor 1 + t0 going through zero: below its threshold the
    factor is (lo_a + lo_b t0) / (lo_c + lo_d t0), which continues it smoothly."""
    return (lo_a + lo_b * t0) / (lo_c + lo_d * t0)


@njit(cache=True)
def _vth(p, d, vbseff, vds, xdep, sqrtphis, leff):
    """Threshold voltage (short channel, narrow width, DIBL, temperature) and Theta0."""
    t3 = cmath.sqrt(xdep)
    v0 = p[d, B3_VBI] - p[d, B3_PHI]
    t0 = p[d, B3_DVT2] * vbseff
    t1 = 1.0 + t0 if t0.real >= -0.5 else _smooth_lo(t0, 1.0, 3.0, 3.0, 8.0)
    lt1 = p[d, B3_FACTOR1] * t3 * t1
    t0 = p[d, B3_DVT2W] * vbseff
    t1 = 1.0 + t0 if t0.real >= -0.5 else _smooth_lo(t0, 1.0, 3.0, 3.0, 8.0)
    ltw = p[d, B3_FACTOR1] * t3 * t1
    t0 = -0.5 * p[d, B3_DVT1] * leff / lt1
    if t0.real > -EXP_THRESHOLD:
        t1 = cmath.exp(t0)
        theta0 = t1 * (1.0 + 2.0 * t1)
    else:
        theta0 = MIN_EXP * (1.0 + 2.0 * MIN_EXP) + 0j
    delt_vth = p[d, B3_DVT0] * theta0 * v0
    t0 = -0.5 * p[d, B3_DVT1W] * p[d, B3_WEFF] * leff / ltw
    if t0.real > -EXP_THRESHOLD:
        t1 = cmath.exp(t0)
        t2 = t1 * (1.0 + 2.0 * t1)
    else:
        t2 = MIN_EXP * (1.0 + 2.0 * MIN_EXP) + 0j
    t2 = p[d, B3_DVT0W] * t2 * v0
    tr = p[d, B3_TRATIO]
    t0 = np.sqrt(1.0 + p[d, B3_NLX] / leff)
    t1 = (p[d, B3_K1OX] * (t0 - 1.0) * p[d, B3_SQRTPHI]
          + (p[d, B3_KT1] + p[d, B3_KT1L] / leff + p[d, B3_KT2] * vbseff) * tr)
    tmp2 = p[d, B3_TOX] * p[d, B3_PHI] / (p[d, B3_WEFF] + p[d, B3_W0])
    t3 = p[d, B3_ETA0] + p[d, B3_ETAB] * vbseff
    if t3.real < 1.0e-4:
        t3 = (2.0e-4 - t3) / (3.0 - 2.0e4 * t3)
    dibl = t3 * p[d, B3_THETA0VB0] * vds
    vth = (p[d, B3_TYPE] * p[d, B3_VTH0] - p[d, B3_K1] * p[d, B3_SQRTPHI]
           + p[d, B3_K1OX] * sqrtphis - p[d, B3_K2OX] * vbseff - delt_vth - t2
           + (p[d, B3_K3] + p[d, B3_K3B] * vbseff) * tmp2 + t1 - dibl)
    return vth, theta0


@njit(cache=True)
def _vgsteff(vgst, n, vtm, voff, cdep0, cox):
    """The effective gate overdrive, smooth from subthreshold to strong inversion."""
    t10 = 2.0 * n * vtm
    vgstnvt = vgst / t10
    exparg = (2.0 * voff - vgst) / t10
    if vgstnvt.real > EXP_THRESHOLD:
        return vgst
    if exparg.real > EXP_THRESHOLD:
        t0 = (vgst - voff) / (n * vtm)
        return vtm * cdep0 / cox * cmath.exp(t0)
    t1 = t10 * cmath.log(1.0 + cmath.exp(vgstnvt))
    t2 = 1.0 + t10 * cox / (vtm * cdep0) * cmath.exp(exparg)
    return t1 / t2


class _Body(NamedTuple):
    """The body-bias quantities (b3ld.c's Vbseff section)."""
    vbseff: complex     # Vbs, smoothly kept above VBSC
    phis: complex       # surface potential phi - Vbseff (its smooth limit forward)
    sqrtphis: complex
    xdep: complex       # depletion width at phis


class _Threshold(NamedTuple):
    vth: complex
    theta0: complex     # the short-channel factor (also in the swing n)
    n: complex          # the subthreshold swing factor


class _Series(NamedTuple):
    """The bias-dependent effective width and source/drain resistance."""
    weff: complex
    rds: complex


class _Saturation(NamedTuple):
    """The saturation section: Vdsat and the terms the output resistance reuses."""
    esatl: complex      # 2 vsat / ueff * Leff
    lam: complex        # Lambda (A1/A2's non-saturation factor)
    vgst2vtm: complex   # Vgsteff + 2 Vtm
    wvcoxrds: complex   # Weff vsat Cox Rds
    vdsat: complex


class _EarlyVoltages(NamedTuple):
    va: complex         # Vasat plus CLM and DIBL combined
    vascbe: complex     # the substrate-current-induced body effect's


@njit(cache=True, inline="always")
def _body_bias(p, d, Vbs):
    """Vbseff, phis, sqrt(phis) and Xdep (b3ld.c: Vbseff never below VBSC, clamped to Vbs
    where the smoothing would exceed it)."""
    vbsc = p[d, B3_VBSC]
    t0 = Vbs - vbsc - 0.001
    t1 = cmath.sqrt(t0 * t0 - 0.004 * vbsc)
    vbseff = vbsc + 0.5 * (t0 + t1)
    if vbseff.real < Vbs.real:
        vbseff = Vbs
    phi = p[d, B3_PHI]
    if vbseff.real > 0.0:
        phis = phi * phi / (phi + vbseff)
        sqrtphis = p[d, B3_PHIS3] / (phi + 0.5 * vbseff)
    else:
        phis = phi - vbseff
        sqrtphis = cmath.sqrt(phis)
    xdep = p[d, B3_XDEP0] * sqrtphis / p[d, B3_SQRTPHI]
    return _Body(vbseff, phis, sqrtphis, xdep)


@njit(cache=True, inline="always")
def _threshold(p, d, body, Vds):
    """Vth and the subthreshold swing n."""
    vth, theta0 = _vth(p, d, body.vbseff, Vds, body.xdep, body.sqrtphis, p[d, B3_LEFF])
    tmp2 = p[d, B3_NFACTOR] * EPSSI / body.xdep
    tmp3 = p[d, B3_CDSC] + p[d, B3_CDSCB] * body.vbseff + p[d, B3_CDSCD] * Vds
    tmp4 = (tmp2 + tmp3 * theta0 + p[d, B3_CIT]) / p[d, B3_COX]
    n = 1.0 + tmp4 if tmp4.real >= -0.5 else _smooth_lo(tmp4, 1.0, 3.0, 3.0, 8.0)
    return _Threshold(vth, theta0, n)


@njit(cache=True, inline="always")
def _poly_gate(p, d, Vgs):
    """The gate voltage across the oxide after the poly-gate depletion drop (NGATE)."""
    ngate = p[d, B3_NGATE]
    cox = p[d, B3_COX]
    t0 = p[d, B3_VFB] + p[d, B3_PHI]
    if ngate > 1.0e18 and ngate < 1.0e25 and Vgs.real > t0:
        t1 = 1.0e6 * CHARGE_Q * EPSSI * ngate / (cox * cox)
        t4 = cmath.sqrt(1.0 + 2.0 * (Vgs - t0) / t1)
        t2 = t1 * (t4 - 1.0)
        t3 = 0.5 * t2 * t2 / t1
        t7 = 1.12 - t3 - 0.05
        t6 = cmath.sqrt(t7 * t7 + 0.224)
        t5 = 1.12 - 0.5 * (t7 + t6)
        return Vgs - t5
    return Vgs


@njit(cache=True, inline="always")
def _series(p, d, vgsteff, sqrtphis):
    """Weff (DWG, DWB) and Rds (PRWG, PRWB), each kept positive smoothly."""
    t9 = sqrtphis - p[d, B3_SQRTPHI]
    weff = p[d, B3_WEFF] - 2.0 * (p[d, B3_DWG] * vgsteff + p[d, B3_DWB] * t9)
    if weff.real < 2.0e-8:
        weff = 2.0e-8 * (4.0e-8 - weff) / (6.0e-8 - 2.0 * weff)
    t0 = p[d, B3_PRWG] * vgsteff + p[d, B3_PRWB] * t9
    rds0 = p[d, B3_RDS0]
    if t0.real >= -0.9:
        rds = rds0 * (1.0 + t0)
    else:
        rds = rds0 * (0.8 + t0) / (17.0 + 20.0 * t0)
    return _Series(weff, rds)


@njit(cache=True, inline="always")
def _bulk_factor(p, d, vgsteff, body):
    """(Abulk, Abulk0): the bulk charge factor with and without its Vgsteff term."""
    leff = p[d, B3_LEFF]
    t1 = 0.5 * p[d, B3_K1OX] / body.sqrtphis
    t9 = cmath.sqrt(p[d, B3_XJ] * body.xdep)
    t5 = leff / (leff + 2.0 * t9)
    t2 = p[d, B3_A0] * t5 + p[d, B3_B0] / (p[d, B3_WEFF] + p[d, B3_B1])
    abulk0 = 1.0 + t1 * t2
    abulk = abulk0 - t1 * p[d, B3_AGS] * p[d, B3_A0] * t5 * t5 * t5 * vgsteff
    return _abulk_limits(abulk0, abulk, p[d, B3_KETA] * body.vbseff)


@njit(cache=True, inline="always")
def _mobility(p, d, vgsteff, vth, vbseff):
    """Ueff of mobMod 1, 2 or 3."""
    ua = p[d, B3_UA]
    ub = p[d, B3_UB]
    uc = p[d, B3_UC]
    tox = p[d, B3_TOX]
    mobmod = p[d, B3_MOBMOD]
    if mobmod == 1.0:
        t3 = (vgsteff + vth + vth) / tox
        t5 = t3 * (ua + uc * vbseff + ub * t3)
    elif mobmod == 2.0:
        t5 = vgsteff / tox * (ua + uc * vbseff + ub * vgsteff / tox)
    else:
        t3 = (vgsteff + vth + vth) / tox
        t5 = t3 * (ua + ub * t3) * (1.0 + uc * vbseff)
    return p[d, B3_U0TEMP] / _mobility_denominator(t5)


@njit(cache=True, inline="always")
def _saturation(p, d, vgsteff, abulk, series, ueff):
    """Vdsat with the source/drain resistance and A1/A2's Lambda."""
    vsat = p[d, B3_VSAT]
    wvcox = series.weff * vsat * p[d, B3_COX]
    wvcoxrds = wvcox * series.rds
    esatl = 2.0 * vsat / ueff * p[d, B3_LEFF]
    a1 = p[d, B3_A1]
    a2 = p[d, B3_A2]
    if a1 == 0.0:
        lam = a2 + 0j
    elif a1 > 0.0:
        t0 = 1.0 - a2
        t1 = t0 - a1 * vgsteff - 0.0001
        t2 = cmath.sqrt(t1 * t1 + 0.0004 * t0)
        lam = a2 + t0 - 0.5 * (t1 + t2)
    else:
        t1 = a2 + a1 * vgsteff - 0.0001
        t2 = cmath.sqrt(t1 * t1 + 0.0004 * a2)
        lam = 0.5 * (t1 + t2)
    vgst2vtm = vgsteff + 2.0 * p[d, B3_VTM]
    if p[d, B3_RDS0] == 0.0 and a1 == 0.0 and a2 == 1.0:
        vdsat = esatl * vgst2vtm / (abulk * esatl + vgst2vtm)
    else:
        t9 = abulk * wvcoxrds
        t7 = vgst2vtm * t9
        t6 = vgst2vtm * wvcoxrds
        t0 = 2.0 * abulk * (t9 - 1.0 + 1.0 / lam)
        t1 = vgst2vtm * (2.0 / lam - 1.0) + abulk * esatl + 3.0 * t7
        t2 = vgst2vtm * (esatl + 2.0 * t6)
        t3 = cmath.sqrt(t1 * t1 - 2.0 * t0 * t2)
        vdsat = (t1 - t3) / t0
    return _Saturation(esatl, lam, vgst2vtm, wvcoxrds, vdsat)


@njit(cache=True, inline="always")
def _vdseff(p, d, vdsat, Vds):
    """The effective drain voltage: Vds smoothly limited to Vdsat (not yet clamped to Vds)."""
    delta = p[d, B3_DELTA]
    t1 = vdsat - Vds - delta
    t2 = cmath.sqrt(t1 * t1 + 4.0 * delta * vdsat)
    vdseff = vdsat - 0.5 * (t1 + t2)
    if Vds.real == 0.0:
        # exactly zero at Vds = 0 (the smoothing leaves a rounding residue); the step's
        # imaginary part is the derivative, which the formula gives right
        vdseff = complex(0.0, vdseff.imag)
    return vdseff


@njit(cache=True, inline="always")
def _early_voltages(p, d, sat, abulk, vgsteff, diffvds, vbseff):
    """The output resistance terms: Vasat, channel-length modulation, DIBL and PVAG
    combined into Va; the substrate-current-induced body effect's Vascbe."""
    zero = 0j
    esatl = sat.esatl
    vgst2vtm = sat.vgst2vtm
    leff = p[d, B3_LEFF]
    tmp4 = 1.0 - 0.5 * abulk * sat.vdsat / vgst2vtm
    t9 = sat.wvcoxrds * vgsteff
    t0 = esatl + sat.vdsat + 2.0 * t9 * tmp4
    t1 = 2.0 / sat.lam - 1.0 + sat.wvcoxrds * abulk
    vasat = t0 / t1
    pclm = p[d, B3_PCLM]
    litl = p[d, B3_LITL]
    if pclm > 0.0 and diffvds.real > 1.0e-10:
        t0 = 1.0 / (pclm * abulk * litl)
        t1 = leff * (abulk + vgsteff / esatl)
        vaclm = t0 * t1 * diffvds
    else:
        vaclm = MAX_EXP + zero
    thetarout = p[d, B3_THETAROUT]
    if thetarout > 0.0:
        t8 = abulk * sat.vdsat
        t0 = vgst2vtm * t8
        t1 = vgst2vtm + t8
        vadibl = (vgst2vtm - t0 / t1) / thetarout
        t7 = p[d, B3_PDIBLB] * vbseff
        if t7.real >= -0.9:
            vadibl = vadibl / (1.0 + t7)
        else:
            vadibl = vadibl * (17.0 + 20.0 * t7) / (0.8 + t7)
    else:
        vadibl = MAX_EXP + zero
    t9 = p[d, B3_PVAG] / esatl * vgsteff
    if t9.real > -0.9:
        t0 = 1.0 + t9
    else:
        t0 = (0.8 + t9) / (17.0 + 20.0 * t9)
    va = vasat + t0 * vaclm * vadibl / (vaclm + vadibl)
    vascbe = MAX_EXP + zero
    if p[d, B3_PSCBE2] > 0.0:
        vascbe = _vascbe(p[d, B3_PSCBE1], p[d, B3_PSCBE2], litl, leff, diffvds)
    return _EarlyVoltages(va, vascbe)


@njit(cache=True, inline="always")
def _substrate_current(p, d, diffvds, idsa):
    """Impact ionisation (ALPHA0, ALPHA1, BETA0)."""
    leff = p[d, B3_LEFF]
    tmp = p[d, B3_ALPHA0] + p[d, B3_ALPHA1] * leff
    beta0 = p[d, B3_BETA0]
    if tmp <= 0.0 or beta0 <= 0.0:
        return 0j
    t2 = tmp / leff
    if diffvds.real > beta0 / EXP_THRESHOLD:
        return t2 * diffvds * cmath.exp(-beta0 / diffvds) * idsa
    return t2 * MIN_EXP * diffvds * idsa


@njit(cache=True)
def _channel(p, d, Vds, Vgs, Vbs, charges):
    """The intrinsic device in its normal orientation (Vds >= 0): (Ids, Isub, qgate, qbulk,
    qdrn, Vth); charges only when `charges`. The steps follow b3ld.c's sections."""
    zero = 0j
    leff = p[d, B3_LEFF]
    cox = p[d, B3_COX]
    body = _body_bias(p, d, Vbs)
    th = _threshold(p, d, body, Vds)
    vgs_eff = _poly_gate(p, d, Vgs)
    vgsteff = _vgsteff(vgs_eff - th.vth, th.n, p[d, B3_VTM], p[d, B3_VOFF], p[d, B3_CDEP0],
                       cox)
    series = _series(p, d, vgsteff, body.sqrtphis)
    abulk, abulk0 = _bulk_factor(p, d, vgsteff, body)
    ueff = _mobility(p, d, vgsteff, th.vth, body.vbseff)
    sat = _saturation(p, d, vgsteff, abulk, series, ueff)
    vdseff = _vdseff(p, d, sat.vdsat, Vds)
    if vdseff.real > Vds.real:
        vdseff = Vds
    diffvds = Vds - vdseff
    early = _early_voltages(p, d, sat, abulk, vgsteff, diffvds, body.vbseff)
    # drain current
    beta = ueff * cox * series.weff / leff
    fgche1 = vgsteff * (1.0 - 0.5 * abulk * vdseff / sat.vgst2vtm)
    fgche2 = 1.0 + vdseff / sat.esatl
    gche = beta * fgche1 / fgche2
    idl = gche * vdseff / (1.0 + gche * series.rds)
    idsa = idl * (1.0 + diffvds / early.va)
    ids = idsa * (1.0 + diffvds / early.vascbe)
    isub = _substrate_current(p, d, diffvds, idsa)
    if not charges or p[d, B3_XPART] < 0.0:
        return ids, isub, zero, zero, zero, th.vth
    qg, qb, qd = _charges(p, d, Vds, Vbs, body, vgs_eff, th.vth, th.n, abulk0)
    return ids, isub, qg, qb, qd, th.vth


class _CvBias(NamedTuple):
    """What capMod 1..3 share: the oxide capacitance, the body bias and the gate overdrive
    of the capacitance model (VOFFCV, NOFF) and its bulk charge factor."""
    coxwl: float
    vbseffcv: complex
    vgsteff: complex
    abulkcv: complex


@njit(cache=True)
def _charges(p, d, Vds, Vbs, body, vgs_eff, vth, n, abulk0):
    """The intrinsic (gate, bulk, drain) charges of capMod 0..3 with XPART's partition."""
    capmod = p[d, B3_CAPMOD]
    if capmod == 0.0:
        return _charges0(p, d, Vds, Vbs, body, vgs_eff, abulk0)
    coxwl = p[d, B3_COX] * p[d, B3_WEFFCV] * p[d, B3_LEFFCV]
    vbseff = body.vbseff
    vbseffcv = vbseff if vbseff.real < 0.0 else p[d, B3_PHI] - body.phis
    vgsteff = _vgsteff_cv(vgs_eff - vth, n, p[d, B3_NOFF], p[d, B3_VTM], p[d, B3_VOFFCV])
    cv = _CvBias(coxwl, vbseffcv, vgsteff, abulk0 * p[d, B3_ABULKCV])
    if capmod == 1.0:
        return _charges1(p, d, Vds, vgs_eff, cv)
    if capmod == 2.0:
        return _charges2(p, d, Vds, vgs_eff, cv)
    return _charges3(p, d, Vds, vgs_eff, vth, cv)


@njit(cache=True, inline="always")
def _charges1(p, d, Vds, vgs_eff, cv):
    """capMod 1: piecewise in accumulation/depletion, linear and saturation."""
    coxwl = cv.coxwl
    vgsteff = cv.vgsteff
    abulkcv = cv.abulkcv
    xpart = p[d, B3_XPART]
    k1ox = p[d, B3_K1OX]
    vfb = p[d, B3_VFBZB]
    arg1 = vgs_eff - cv.vbseffcv - vfb - vgsteff
    if arg1.real <= 0.0:
        qgate = coxwl * arg1
    else:
        t0 = 0.5 * k1ox
        qgate = coxwl * k1ox * (cmath.sqrt(t0 * t0 + arg1) - t0)
    qbulk = -qgate
    vdsatcv = vgsteff / abulkcv
    if vdsatcv.real < Vds.real:
        qgate = qgate + coxwl * (vgsteff - vdsatcv / 3.0)
        qbulk = qbulk + coxwl / 3.0 * (vdsatcv - vgsteff)
        if xpart > 0.5:
            t0 = -2.0 / 3.0 * coxwl
        elif xpart < 0.5:
            t0 = -0.4 * coxwl
        else:
            t0 = -coxwl / 3.0
        qsrc = t0 * vgsteff
    else:
        t0 = abulkcv * Vds
        t1 = 12.0 * (vgsteff - 0.5 * t0 + 1.e-20)
        t3 = t0 * Vds / t1
        qg1 = coxwl * (vgsteff - 0.5 * Vds + t3)
        qb1 = coxwl * (1.0 - abulkcv) * (0.5 * Vds - t3)
        qgate = qgate + qg1
        qbulk = qbulk + qb1
        qsrc = _partition_lin(xpart, coxwl, vgsteff, t0, t1, qg1 + qb1)
    return qgate, qbulk, -(qgate + qbulk + qsrc)


@njit(cache=True, inline="always")
def _charges2(p, d, Vds, vgs_eff, cv):
    """capMod 2: smooth over all regions."""
    coxwl = cv.coxwl
    vgsteff = cv.vgsteff
    abulkcv = cv.abulkcv
    vfb = p[d, B3_VFBZB]
    vfbeff = _vfbeff(vfb, vgs_eff, cv.vbseffcv)
    qac0 = coxwl * (vfbeff - vfb)
    qsub0 = _depletion_charge(coxwl, p[d, B3_K1OX], vgs_eff, vfbeff, cv.vbseffcv, vgsteff)
    # b3ld.c's capMod 2 limits Vds by Vdsat without capMod 3's (and BSIM4's) branch for
    # Vds beyond Vdsat + DELTA_4: a different function from `_vdseffcv`, kept as it is
    vdsatcv = vgsteff / abulkcv
    v4 = vdsatcv - Vds - DELTA_4
    t0 = cmath.sqrt(v4 * v4 + 4.0 * DELTA_4 * vdsatcv)
    vdseffcv = vdsatcv - 0.5 * (v4 + t0)
    if Vds.real == 0.0:
        vdseffcv = complex(0.0, vdseffcv.imag)
    t0 = abulkcv * vdseffcv
    t1 = 12.0 * (vgsteff - 0.5 * t0 + 1e-20)
    # b3ld.c: t3 = t0 * VdseffCV / t1 (BSIM4 groups it the other way)
    t3 = t0 * vdseffcv / t1
    return _smooth_charges(p[d, B3_XPART], coxwl, vgsteff, abulkcv, vdseffcv, t0, t1, t3,
                           qac0, qsub0)


@njit(cache=True, inline="always")
def _charges3(p, d, Vds, vgs_eff, vth, cv):
    """capMod 3: the charge-thickness model (accumulation/depletion centroid from LDEB
    and ACDE, inversion centroid and the gate-bias dependent surface potential shift)."""
    coxwl = cv.coxwl
    vgsteff = cv.vgsteff
    vbseffcv = cv.vbseffcv
    vtm = p[d, B3_VTM]
    k1ox = p[d, B3_K1OX]
    vfbzb = p[d, B3_VFBZB]
    cox = p[d, B3_COX]
    vfbeff = _vfbeff(vfbzb, vgs_eff, vbseffcv)
    tcen = _acc_centroid(vgs_eff, vbseffcv, vfbzb, p[d, B3_TOX], p[d, B3_LDEB], p[d, B3_ACDE])
    coxwlcen = coxwl * _centroid_cox(cox, tcen) / cox
    qac0 = coxwlcen * (vfbeff - vfbzb)
    qsub0 = _depletion_charge(coxwlcen, k1ox, vgs_eff, vfbeff, vbseffcv, vgsteff)
    vgdp = _vgdp(k1ox, p[d, B3_MOIN], p[d, B3_SQRTPHI], vtm, vgsteff)
    # the inversion charge's centroid (BSIM4's scales it by ADOS and BDOS)
    t3 = 4.0 * (vth - vfbzb - p[d, B3_PHI])
    tox2 = 2.0 * (1.0e8 * p[d, B3_TOX])
    if t3.real >= 0.0:
        t0 = (vgsteff + t3) / tox2
    else:
        t0 = (vgsteff + 1.0e-20) / tox2
    tmp = cmath.exp(0.7 * cmath.log(t0))
    tcen = 1.9e-9 / (1.0 + tmp)
    coxwlcen = coxwl * _centroid_cox(cox, tcen) / cox
    vdseffcv = _vdseffcv(vgdp / cv.abulkcv, Vds)
    return _centroid_charges(p[d, B3_XPART], coxwlcen, cv.abulkcv, vgdp, vdseffcv,
                             qac0, qsub0)


@njit(cache=True)
def _charges0(p, d, Vds, Vbs, body, vgs_eff, abulk0):
    """capMod 0: the piecewise long-channel charges of BSIM3's simplest model."""
    phi = p[d, B3_PHI]
    vbseff = Vbs if body.vbseff.real < 0.0 else phi - body.phis
    coxwl = p[d, B3_COX] * p[d, B3_WEFFCV] * p[d, B3_LEFFCV]
    return _long_channel_charges(coxwl, p[d, B3_K1OX], phi, p[d, B3_VFBCV], p[d, B3_XPART],
                                 vbseff, body.sqrtphis, vgs_eff, abulk0 * p[d, B3_ABULKCV],
                                 Vds)


@njit(cache=True)
def _junction(v, isat, nvtm, ijth, vjm, isevjm, gmin):
    """A bulk diode's current (b3ld.c): exponential, linear above the IJTH knee."""
    if isat <= 0.0:
        return gmin * v
    if ijth == 0.0 or v.real < vjm:
        return isat * (cmath.exp(v / nvtm) - 1.0) + gmin * v
    return isevjm - isat + isevjm / nvtm * (v - vjm) + gmin * v


@njit(cache=True)
def _overlap(v, cgo, cgl, weffcv, ckappa, capmod):
    """Gate overlap charge on one side (capMod 0 linear, 1 and 2/3 bias dependent)."""
    if capmod == 0.0:
        return cgo * v
    if capmod == 1.0:
        if v.real < 0.0:
            t1 = cmath.sqrt(1.0 - 4.0 * v / ckappa)
            return cgo * v - weffcv * 0.5 * cgl * ckappa * (t1 - 1.0)
        return (weffcv * cgl + cgo) * v
    return _overlap_smooth(v, cgo, cgl, weffcv, ckappa)


@njit(cache=True)
def _terminal(p, d, vds, vgs, vbs, gmin, out):
    """Terminal currents (d, g, s, b) and charges (d, g, s, b) of device d at the N-frame
    voltages, into out[0:4] and out[4:8]; returns Vth (for the gate limiting)."""
    vbd = vbs - vds
    vgd = vgs - vds
    nvtm = p[d, B3_NVTM]
    ijth = p[d, B3_IJTH]
    cbs = _junction(vbs, p[d, B3_ISS], nvtm, ijth, p[d, B3_VJSM], p[d, B3_ISEVJSM], gmin)
    cbd = _junction(vbd, p[d, B3_ISD], nvtm, ijth, p[d, B3_VJDM], p[d, B3_ISEVJDM], gmin)
    normal = vds.real >= 0.0
    if normal:
        ids, isub, qgate, qbulk, qch, vth = _channel(p, d, vds, vgs, vbs, True)
    else:
        ids, isub, qgate, qbulk, qch, vth = _channel(p, d, -vds, vgd, vbd, True)
    m = p[d, B3_MULT]
    if normal:
        i_d = ids + isub - cbd
        i_s = -ids - cbs
    else:
        i_d = -ids - cbd
        i_s = ids + isub - cbs
    i_b = cbs + cbd - isub
    capmod = p[d, B3_CAPMOD]
    weffcv = p[d, B3_WEFFCV]
    ck = p[d, B3_CKAPPA]
    qgdo = _overlap(vgd, p[d, B3_CGDO], p[d, B3_CGDL], weffcv, ck, capmod)
    qgso = _overlap(vgs, p[d, B3_CGSO], p[d, B3_CGSL], weffcv, ck, capmod)
    qgbo = p[d, B3_CGBO] * (vgs - vbs)
    qbs = _depletion(vbs, p[d, B3_CZBS], p[d, B3_CZBSSW], p[d, B3_CZBSSWG], p[d, B3_PHIB],
                     p[d, B3_PHIBSW], p[d, B3_PHIBSWG], p[d, B3_MJ], p[d, B3_MJSW],
                     p[d, B3_MJSWG])
    qbd = _depletion(vbd, p[d, B3_CZBD], p[d, B3_CZBDSW], p[d, B3_CZBDSWG], p[d, B3_PHIB],
                     p[d, B3_PHIBSW], p[d, B3_PHIBSWG], p[d, B3_MJ], p[d, B3_MJSW],
                     p[d, B3_MJSWG])
    q_g = qgate + qgdo + qgso + qgbo
    q_b = qbulk - qgbo + qbs + qbd
    if normal:
        q_d = qch - qgdo - qbd
        q_s = -(q_g + q_b + q_d)
    else:
        q_s = qch - qgso - qbs
        q_d = -(q_g + q_b + q_s)
    out[0] = m * i_d
    out[1] = 0j
    out[2] = m * i_s
    out[3] = m * i_b
    out[4] = m * q_d
    out[5] = m * q_g
    out[6] = m * q_s
    out[7] = m * q_b
    return vth.real


@njit(cache=True, inline="always")
def _terminal_at(p, d, v, gmin, out):
    """`_terminal` at v = (vds, vgs, vbs), the complex-step voltages."""
    return _terminal(p, d, v[0], v[1], v[2], gmin, out)


@njit(cache=True)
def bsim3_load(x, grp, mode, gmin, out):
    """BSIM3 rows: terminals (d', g, s', b); limiting as ngspice's BSIM3 (fetlim around the
    last Vth, limvds, pnjlim on the forward junction with its fixed critical voltage)."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = 4
    work = step_work(k, 3)
    G, C, I, Q = work.G, work.C, work.I, work.Q
    v = np.zeros(k)
    volts = np.zeros(3)
    moves = np.array([1, 2, 4])     # bit i: voltage i (vds, vgs, vbs) steps
    cols = np.array([0, 1, 3])
    nlim = 0
    for d in range(nodes.shape[0]):
        typ = par[d, B3_TYPE]
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        vbs, vgs, vds = _bsim_start(typ, par[d, B3_VTH0], state[d, B3_OFF], vdx, vgx, vbx,
                                     mode)
        if mode == 0:
            vgs, vds, vbs, lim = _mos_limit(vgs, vds, vbs, state, d, par[d, B3_VTMCONST],
                                            par[d, B3_VCRIT], par[d, B3_VCRIT])
            if lim:
                nlim += 1
        state[d, 0] = vbs
        state[d, 1] = vgs
        state[d, 2] = vds
        volts[0] = vds
        volts[1] = vgs
        volts[2] = vbs
        # one evaluation per direction vds, vgs, vbs (the columns of d', g and b; s' from
        # them)
        start_companion(work)
        vth = 0.0
        for b in range(moves.shape[0]):
            set_step(work, volts, moves[b])
            vth = _terminal_at(par, d, work.vc, gmin, work.buf)
            take_column(work, cols[b])
        finish_companion(work, 2)
        state[d, 3] = vth
        v[0] = vds
        v[1] = vgs
        v[2] = 0.0
        v[3] = vbs
        _flip(k, typ, I, Q, v)
        _stamp_at(k, grp, d, G, C, I, Q, v, out)
        # the charges ngspice's b3trunc.c checks for truncation error: drain, gate, bulk
        qdev[d, 0] = Q[0]
        qdev[d, 1] = Q[1]
        qdev[d, 2] = Q[3]
        qdev[d, 3] = 0.0
    return nlim
