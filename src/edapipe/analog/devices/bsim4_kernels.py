"""BSIM4.8 (ngspice levels 14 and 54): the load kernel.

The model equations are those of the BSIM4.8 manual as ngspice's b4ld.c evaluates them (the
code is ours). As for BSIM3 (bsim3_kernels.py), one function, `_terminal`, computes a
device's terminal currents and charges from its terminal voltages (vds, vgs, vbs and the
junction ends vdbs, vsbs; N-type frame, source reference): the channel current (threshold with short-channel, narrow
width, DIBL and pocket-implant terms, mobility models 0-2, velocity saturation, internal
Rds, CLM/DIBL/DITS/SCBE output conductance, velocity overshoot and source-end velocity
limit) with its substrate current, GIDL/GISL, gate tunnelling (igcMod 1/2, igbMod 1), the
bulk diodes (dioMod 0-2 with the trap-assisted tunnelling terms) on the junction ends of the
substrate network (rbodyMod 1; b' itself without it), the intrinsic charges of capMod 0-2
with the XPART partition, the overlap and junction charges. Conductances and capacitances are complex-step
derivatives: `_terminal` runs on complex voltages, once per controlling voltage with a tiny
imaginary step, and the imaginary parts are the derivatives of the very expressions
evaluated, exact to rounding (forward-mode differentiation; no difference is taken). The
Newton matrix therefore holds the Jacobian of the currents we compute, branch by branch,
as b4ld.c's hand-written derivatives intend.

Parameter columns (B4_*) are filled by devices/bsim4.py from the model card, the binning,
the temperature and the layout (b4set.c/b4temp.c); state columns: vbs, vgs, vds, von, OFF,
vdbs, vsbs.
"""

from __future__ import annotations

import cmath
from typing import NamedTuple

import numpy as np

from edapipe.util.jit import njit

from edapipe.analog.devices.bsim_common_kernels import (
    EPSSI, EXP_THRESHOLD, MAX_EXP, MIN_EXP, _abulk_limits, _acc_centroid, _bsim_start,
    _centroid_charges, _centroid_cox, _depletion, _depletion_charge, _long_channel_charges,
    _mobility_denominator, _overlap_smooth, _smooth_charges, _vascbe,
    _vdseffcv, _vfbeff, _vgdp, _vgsteff_cv)
from edapipe.analog.devices.common_kernels import _flip, _stamp_at, _volt, pnjlim
from edapipe.analog.devices.complex_step_kernels import (
    finish_companion, set_step, start_companion, step_work, take_column)
from edapipe.analog.devices.mos_common_kernels import _mos_limit, _mos_terminals

COLUMNS = """TYPE VTH0 VFB VFBZB K1 K1OX K2OX PHI SQRTPHI XDEP0 VBI VBSC FACTOR1 LEFF WEFF
LEFFCV WEFFCV WEFFCJ NF DVT0 DVT1 DVT2 DVT0W DVT1W DVT2W LPE0 LPEB KT1 KT1L KT2 TRATIO TOXE
W0 K3 K3B ETA0 ETAB THETA0VB0 NFACTOR CDSC CDSCB CDSCD CIT COXE DVTP0 DVTP1 DVTP2F DVTP4
VTM VTM0 NGATE MSTAR VOFFCBN CDEP0 DWG DWB RDSWMIN RDS0 PRWG PRWB XJ A0 B0 B1 AGS KETA
MOBMOD UA UB UC UD EU VTFBPHI1 VTFBPHI2 U0TEMP VSAT A1 A2 DELTA LAMBDA LITL TOXP COXP ADOS
BDOS FPROUT PVAG PCLM THETAROUT PDIBLB PDITSD PDITS PDITSL PSCBE1 PSCBE2 ALPHA0 ALPHA1
BETA0 VTL TFACTOR GIDLMOD AGIDL BGIDL CGIDL EGIDL RGIDL KGIDL FGIDL AGISL BGISL CGISL EGISL
RGISL KGISL FGISL CAPMOD XPART CVCHARGEMOD MSTARCV VOFFCBNCV NOFF VOFFCV ABULKCVF VFBCV
ACDE LDEB MOIN CGSO CGDO CGBO CGSL CGDL CKAPPAS CKAPPAD DIOMOD NVTMS NVTMD ISBS ISBD
VJSMFWD IVJSMFWD VJDMFWD IVJDMFWD XEXPBVS XEXPBVD BVS BVD XJBVS XJBVD SSLPFWD SSLPREV
VJSMREV IVJSMREV DSLPFWD DSLPREV VJDMREV IVJDMREV NVTMRSS NVTMRSD NVTMRSSWS NVTMRSSWD
NVTMRSSWGS NVTMRSSWGD VTSS VTSD VTSSWS VTSSWD VTSSWGS VTSSWGD SJREV DJREV SSWREV DSWREV
SSWGREV DSWGREV CZBS CZBSSW CZBSSWG CZBD CZBDSW CZBDSWG PHIBS PHIBSWS PHIBSWGS PHIBD
PHIBSWD PHIBSWGD MJS MJSWS MJSWGS MJD MJSWD MJSWGD MULT VTMCONST VCRIT IGCMOD IGBMOD AIGC
BIGC CIGC AIGS BIGS CIGS AIGD BIGD CIGD NIGC PIGCD PIGCDGIVEN AECHVB BECHVB AECHVBEDGES
AECHVBEDGED BECHVBEDGE VFBSDT AIGBACC BIGBACC CIGBACC AIGBINV BIGBINV CIGBINV NIGBACC
NIGBINV EIGBINV IGBA RBODYMOD""".split()

(B4_TYPE, B4_VTH0, B4_VFB, B4_VFBZB, B4_K1, B4_K1OX, B4_K2OX, B4_PHI, B4_SQRTPHI, B4_XDEP0,
 B4_VBI, B4_VBSC, B4_FACTOR1, B4_LEFF, B4_WEFF, B4_LEFFCV, B4_WEFFCV, B4_WEFFCJ, B4_NF,
 B4_DVT0, B4_DVT1, B4_DVT2, B4_DVT0W, B4_DVT1W, B4_DVT2W, B4_LPE0, B4_LPEB, B4_KT1,
 B4_KT1L, B4_KT2, B4_TRATIO, B4_TOXE, B4_W0, B4_K3, B4_K3B, B4_ETA0, B4_ETAB,
 B4_THETA0VB0, B4_NFACTOR, B4_CDSC, B4_CDSCB, B4_CDSCD, B4_CIT, B4_COXE, B4_DVTP0,
 B4_DVTP1, B4_DVTP2F, B4_DVTP4, B4_VTM, B4_VTM0, B4_NGATE, B4_MSTAR, B4_VOFFCBN,
 B4_CDEP0, B4_DWG, B4_DWB, B4_RDSWMIN, B4_RDS0, B4_PRWG, B4_PRWB, B4_XJ, B4_A0, B4_B0,
 B4_B1, B4_AGS, B4_KETA, B4_MOBMOD, B4_UA, B4_UB, B4_UC, B4_UD, B4_EU, B4_VTFBPHI1,
 B4_VTFBPHI2, B4_U0TEMP, B4_VSAT, B4_A1, B4_A2, B4_DELTA, B4_LAMBDA, B4_LITL, B4_TOXP,
 B4_COXP, B4_ADOS, B4_BDOS, B4_FPROUT, B4_PVAG, B4_PCLM, B4_THETAROUT, B4_PDIBLB,
 B4_PDITSD, B4_PDITS, B4_PDITSL, B4_PSCBE1, B4_PSCBE2, B4_ALPHA0, B4_ALPHA1, B4_BETA0,
 B4_VTL, B4_TFACTOR, B4_GIDLMOD, B4_AGIDL, B4_BGIDL, B4_CGIDL, B4_EGIDL, B4_RGIDL,
 B4_KGIDL, B4_FGIDL, B4_AGISL, B4_BGISL, B4_CGISL, B4_EGISL, B4_RGISL, B4_KGISL,
 B4_FGISL, B4_CAPMOD, B4_XPART, B4_CVCHARGEMOD, B4_MSTARCV, B4_VOFFCBNCV, B4_NOFF,
 B4_VOFFCV, B4_ABULKCVF, B4_VFBCV, B4_ACDE, B4_LDEB, B4_MOIN, B4_CGSO, B4_CGDO, B4_CGBO,
 B4_CGSL, B4_CGDL, B4_CKAPPAS, B4_CKAPPAD, B4_DIOMOD, B4_NVTMS, B4_NVTMD, B4_ISBS,
 B4_ISBD, B4_VJSMFWD, B4_IVJSMFWD, B4_VJDMFWD, B4_IVJDMFWD, B4_XEXPBVS, B4_XEXPBVD,
 B4_BVS, B4_BVD, B4_XJBVS, B4_XJBVD, B4_SSLPFWD, B4_SSLPREV, B4_VJSMREV, B4_IVJSMREV,
 B4_DSLPFWD, B4_DSLPREV, B4_VJDMREV, B4_IVJDMREV, B4_NVTMRSS, B4_NVTMRSD, B4_NVTMRSSWS,
 B4_NVTMRSSWD, B4_NVTMRSSWGS, B4_NVTMRSSWGD, B4_VTSS, B4_VTSD, B4_VTSSWS, B4_VTSSWD,
 B4_VTSSWGS, B4_VTSSWGD, B4_SJREV, B4_DJREV, B4_SSWREV, B4_DSWREV, B4_SSWGREV,
 B4_DSWGREV, B4_CZBS, B4_CZBSSW, B4_CZBSSWG, B4_CZBD, B4_CZBDSW, B4_CZBDSWG, B4_PHIBS,
 B4_PHIBSWS, B4_PHIBSWGS, B4_PHIBD, B4_PHIBSWD, B4_PHIBSWGD, B4_MJS, B4_MJSWS, B4_MJSWGS,
 B4_MJD, B4_MJSWD, B4_MJSWGD, B4_MULT, B4_VTMCONST, B4_VCRIT, B4_IGCMOD, B4_IGBMOD,
 B4_AIGC, B4_BIGC, B4_CIGC, B4_AIGS, B4_BIGS, B4_CIGS, B4_AIGD, B4_BIGD, B4_CIGD, B4_NIGC,
 B4_PIGCD, B4_PIGCDGIVEN, B4_AECHVB, B4_BECHVB, B4_AECHVBEDGES, B4_AECHVBEDGED,
 B4_BECHVBEDGE, B4_VFBSDT, B4_AIGBACC, B4_BIGBACC, B4_CIGBACC, B4_AIGBINV, B4_BIGBINV,
 B4_CIGBINV, B4_NIGBACC, B4_NIGBINV, B4_EIGBINV, B4_IGBA, B4_RBODYMOD) = range(len(COLUMNS))
B4_NPAR = len(COLUMNS)
B4_NSTATE = 7
B4_OFF = 4
B4_K = 6           # terminals d', g', s', b', db, sb (db = sb = b' without RBODYMOD)

MAX_EXPL = 2.688117142e+43
MIN_EXPL = 3.720075976e-44
EXPL_THRESHOLD = 100.0
CHARGE = 1.6021918e-19


@njit(cache=True)
def _lo(t0):
    """b4ld.c's guard for a factor 1 + t0 that would go below 0.5: (1 + 3 t0)/(3 + 8 t0)."""
    return 1.0 + t0 if t0.real >= -0.5 else (1.0 + 3.0 * t0) / (3.0 + 8.0 * t0)


@njit(cache=True)
def _theta(t0):
    """exp(t0)/((exp(t0) - 1)^2 + 2 exp(t0) MIN_EXP): BSIM4's short-channel factor."""
    if t0.real < EXP_THRESHOLD:
        t1 = cmath.exp(t0)
        t2 = t1 - 1.0
        return t1 / (t2 * t2 + 2.0 * t1 * MIN_EXP)
    return 1.0 / (MAX_EXP - 2.0) + 0j


@njit(cache=True)
def _dexp(a):
    """ngspice's DEXP: exp with a linear continuation above EXP_THRESHOLD."""
    if a.real > EXP_THRESHOLD:
        return MAX_EXP * (1.0 + a - EXP_THRESHOLD)
    if a.real < -EXP_THRESHOLD:
        return MIN_EXP + 0j
    return cmath.exp(a)


@njit(cache=True)
def poly_depletion(phi, ngate, coxe, vgs):
    """The gate voltage across the oxide after the poly-gate depletion drop."""
    if ngate > 1.0e18 and ngate < 1.0e25 and vgs.real > phi:
        t1 = 1.0e6 * CHARGE * EPSSI * ngate / (coxe * coxe)
        t8 = vgs - phi
        t4 = cmath.sqrt(1.0 + 2.0 * t8 / t1)
        t2 = 2.0 * t8 / (t4 + 1.0)
        t3 = 0.5 * t2 * t2 / t1
        t7 = 1.12 - t3 - 0.05
        t6 = cmath.sqrt(t7 * t7 + 0.224)
        t5 = 1.12 - 0.5 * (t7 + t6)
        return vgs - t5
    return vgs


@njit(cache=True)
def _vgsteff(vgst, n, vtm, mstar, voffcbn, coxe, cdep0):
    """The effective gate overdrive with MINV's mid-range fit, smooth from weak to strong
    inversion."""
    t0 = n * vtm
    t1 = mstar * vgst
    t2 = t1 / t0
    if t2.real > EXP_THRESHOLD:
        t10 = t1
    elif t2.real < -EXP_THRESHOLD:
        t10 = vtm * np.log(1.0 + MIN_EXP) * n
    else:
        t10 = n * (vtm * cmath.log(1.0 + cmath.exp(t2)))
    t1 = voffcbn - (1.0 - mstar) * vgst
    t2 = t1 / t0
    if t2.real < -EXP_THRESHOLD:
        t9 = mstar + coxe * MIN_EXP / cdep0 * n
    elif t2.real > EXP_THRESHOLD:
        t9 = mstar + coxe * MAX_EXP / cdep0 * n
    else:
        t9 = mstar + n * (coxe / cdep0 * cmath.exp(t2))
    return t10 / t9


class _Body(NamedTuple):
    """The body-bias quantities (b4ld.c's Vbseff section)."""
    vbseff: complex     # Vbs smoothly kept above VBSC and below 0.95 phi
    phis: complex
    sqrtphis: complex
    xdep: complex


class _Threshold(NamedTuple):
    vth: complex
    theta0: complex     # the short-channel factor (also in the swing n)
    n: complex          # the subthreshold swing factor
    lpe_vb: float       # the lateral non-uniform doping factor of the body effect
    vth_narroww: float  # the narrow-width term's factor (also in Abulk)


class _Series(NamedTuple):
    """The bias-dependent effective width and internal source/drain resistance."""
    weff: complex
    rds: complex


class _Saturation(NamedTuple):
    """The saturation section: Vdsat and the terms the output resistance reuses."""
    esat: complex       # 2 vsat / ueff (after velocity overshoot when LAMBDA)
    esatl: complex      # esat Leff
    lam: complex        # Lambda (A1/A2's non-saturation factor)
    vgst2vtm: complex   # Vgsteff + 2 Vtm
    wvcoxrds: complex   # Weff vsat Coxe Rds
    vdsat: complex


class _Output(NamedTuple):
    """The saturation-region current and what the substrate current and SCBE need."""
    idsa: complex       # Idl with DIBL, DITS and CLM
    vascbe: complex     # the substrate-current-induced body effect's Early voltage


@njit(cache=True, inline="always")
def _body_bias(p, d, Vbs):
    """Vbseff, phis, sqrt(phis) and Xdep."""
    phi = p[d, B4_PHI]
    vbsc = p[d, B4_VBSC]
    t0 = Vbs - vbsc - 0.001
    t1 = cmath.sqrt(t0 * t0 - 0.004 * vbsc)
    if t0.real >= 0.0:
        vbseff = vbsc + 0.5 * (t0 + t1)
    else:
        vbseff = vbsc * (1.0 - 0.002 / (t1 - t0))
    # forward body bias: Vbseff stays below 0.95 phi
    t9 = 0.95 * phi
    t0 = t9 - vbseff - 0.001
    t1 = cmath.sqrt(t0 * t0 + 0.004 * t9)
    vbseff = t9 - 0.5 * (t0 + t1)
    phis = phi - vbseff
    sqrtphis = cmath.sqrt(phis)
    xdep = p[d, B4_XDEP0] * sqrtphis / p[d, B4_SQRTPHI]
    return _Body(vbseff, phis, sqrtphis, xdep)


@njit(cache=True, inline="always")
def _threshold(p, d, body, Vds):
    """Vth (short channel, narrow width, lateral doping, temperature, DIBL, pocket
    implant) and the subthreshold swing n."""
    zero = 0j
    phi = p[d, B4_PHI]
    sqrtphi = p[d, B4_SQRTPHI]
    vbseff = body.vbseff
    leff = p[d, B4_LEFF]
    vtm = p[d, B4_VTM]
    t3 = cmath.sqrt(body.xdep)
    v0 = p[d, B4_VBI] - phi
    lt1 = p[d, B4_FACTOR1] * t3 * _lo(p[d, B4_DVT2] * vbseff)
    ltw = p[d, B4_FACTOR1] * t3 * _lo(p[d, B4_DVT2W] * vbseff)
    theta0 = _theta(p[d, B4_DVT1] * leff / lt1)
    delt_vth = p[d, B4_DVT0] * theta0 * v0
    t2 = p[d, B4_DVT0W] * _theta(p[d, B4_DVT1W] * p[d, B4_WEFF] * leff / ltw) * v0
    t0 = np.sqrt(1.0 + p[d, B4_LPE0] / leff)
    t1 = (p[d, B4_K1OX] * (t0 - 1.0) * sqrtphi
          + (p[d, B4_KT1] + p[d, B4_KT1L] / leff + p[d, B4_KT2] * vbseff) * p[d, B4_TRATIO])
    vth_narroww = p[d, B4_TOXE] * phi / (p[d, B4_WEFF] + p[d, B4_W0])
    t3 = p[d, B4_ETA0] + p[d, B4_ETAB] * vbseff
    if t3.real < 1.0e-4:
        t3 = (2.0e-4 - t3) / (3.0 - 2.0e4 * t3)
    dibl_sft = t3 * p[d, B4_THETA0VB0] * Vds
    lpe_vb = np.sqrt(1.0 + p[d, B4_LPEB] / leff)
    vth = (p[d, B4_TYPE] * p[d, B4_VTH0]
           + (p[d, B4_K1OX] * body.sqrtphis - p[d, B4_K1] * sqrtphi) * lpe_vb
           - p[d, B4_K2OX] * vbseff - delt_vth - t2
           + (p[d, B4_K3] + p[d, B4_K3B] * vbseff) * vth_narroww + t1 - dibl_sft)
    # subthreshold swing
    tmp1 = EPSSI / body.xdep
    tmp2 = p[d, B4_NFACTOR] * tmp1
    tmp3 = p[d, B4_CDSC] + p[d, B4_CDSCB] * vbseff + p[d, B4_CDSCD] * Vds
    n = _lo((tmp2 + tmp3 * theta0 + p[d, B4_CIT]) / p[d, B4_COXE])
    # pocket implant (DITS)
    dvtp0 = p[d, B4_DVTP0]
    if dvtp0 > 0.0:
        t0 = -p[d, B4_DVTP1] * Vds
        t2 = MIN_EXP + zero if t0.real < -EXP_THRESHOLD else cmath.exp(t0)
        t3 = leff + dvtp0 * (1.0 + t2)
        vth = vth - n * (vtm * cmath.log(leff / t3))
    if p[d, B4_DVTP4] != 0.0 and p[d, B4_DVTP2F] != 0.0:
        t0 = _dexp(2.0 * p[d, B4_DVTP4] * Vds)
        vth = vth - p[d, B4_DVTP2F] * (t0 - 1.0) / (t0 + 1.0)
    return _Threshold(vth, theta0, n, lpe_vb, vth_narroww)


@njit(cache=True, inline="always")
def _series(p, d, vgsteff, sqrtphis):
    """Weff (DWG, DWB) and the internal Rds of rdsMod 0 (PRWG, PRWB, RDSWMIN)."""
    t9 = sqrtphis - p[d, B4_SQRTPHI]
    weff = p[d, B4_WEFF] - 2.0 * (p[d, B4_DWG] * vgsteff + p[d, B4_DWB] * t9)
    if weff.real < 2.0e-8:
        weff = 2.0e-8 * (4.0e-8 - weff) / (6.0e-8 - 2.0 * weff)
    t0 = 1.0 + p[d, B4_PRWG] * vgsteff
    t2 = 1.0 / t0 + p[d, B4_PRWB] * t9
    t3 = t2 + cmath.sqrt(t2 * t2 + 0.01)
    rds = p[d, B4_RDSWMIN] + t3 * (p[d, B4_RDS0] * 0.5)
    return _Series(weff, rds)


@njit(cache=True, inline="always")
def _bulk_factor(p, d, vgsteff, body, th):
    """(Abulk, Abulk0): the bulk charge factor with and without its Vgsteff term."""
    leff = p[d, B4_LEFF]
    t9 = 0.5 * p[d, B4_K1OX] * th.lpe_vb / body.sqrtphis
    t1 = t9 + p[d, B4_K2OX] - p[d, B4_K3B] * th.vth_narroww
    t9 = cmath.sqrt(p[d, B4_XJ] * body.xdep)
    t5 = leff / (leff + 2.0 * t9)
    t2 = p[d, B4_A0] * t5 + p[d, B4_B0] / (p[d, B4_WEFF] + p[d, B4_B1])
    abulk0 = 1.0 + t1 * t2
    abulk = abulk0 - t1 * (p[d, B4_AGS] * p[d, B4_A0] * t5 * t5 * t5) * vgsteff
    return _abulk_limits(abulk0, abulk, p[d, B4_KETA] * body.vbseff)


@njit(cache=True, inline="always")
def _mobility(p, d, vgsteff, vth, vbseff):
    """Ueff of mobMod 0, 1 or 2 (with UD's Coulomb scattering term)."""
    toxe = p[d, B4_TOXE]
    mobmod = p[d, B4_MOBMOD]
    ua = p[d, B4_UA]
    ub = p[d, B4_UB]
    uc = p[d, B4_UC]
    ud = p[d, B4_UD]
    t12 = cmath.sqrt(vth * vth + 0.0001)
    t9 = 1.0 / (vgsteff + 2.0 * t12)
    t10 = t9 * toxe
    t6 = ud * t10 * t10 * vth * vth
    if mobmod == 0.0:
        t3 = (vgsteff + vth + vth) / toxe
        t5 = t3 * (ua + uc * vbseff + ub * t3) + t6
    elif mobmod == 1.0:
        t3 = (vgsteff + vth + vth) / toxe
        t5 = t3 * (ua + ub * t3) * (1.0 + uc * vbseff) + t6
    else:
        t0 = (vgsteff + p[d, B4_VTFBPHI1]) / toxe
        t5 = cmath.exp(p[d, B4_EU] * cmath.log(t0)) * (ua + uc * vbseff) + t6
    return p[d, B4_U0TEMP] / _mobility_denominator(t5)


@njit(cache=True, inline="always")
def _saturation(p, d, vgsteff, abulk, series, ueff):
    """Vdsat with the internal Rds and A1/A2's Lambda."""
    vsat = p[d, B4_VSAT]
    rds = series.rds
    wvcoxrds = series.weff * vsat * p[d, B4_COXE] * rds
    esat = 2.0 * vsat / ueff
    esatl = esat * p[d, B4_LEFF]
    a1 = p[d, B4_A1]
    a2 = p[d, B4_A2]
    if a1 == 0.0:
        lam = a2 + 0j
    elif a1 > 0.0:
        t0 = 1.0 - a2
        t1 = t0 - a1 * vgsteff - 0.0001
        lam = a2 + t0 - 0.5 * (t1 + cmath.sqrt(t1 * t1 + 0.0004 * t0))
    else:
        t1 = a2 + a1 * vgsteff - 0.0001
        lam = 0.5 * (t1 + cmath.sqrt(t1 * t1 + 0.0004 * a2))
    vgst2vtm = vgsteff + 2.0 * p[d, B4_VTM]
    if rds.real == 0.0 and lam.real == 1.0:
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
    return _Saturation(esat, esatl, lam, vgst2vtm, wvcoxrds, vdsat)


@njit(cache=True, inline="always")
def _vdseff(p, d, vdsat, Vds):
    """The effective drain voltage: Vds smoothly limited to Vdsat and then to Vds."""
    delta = p[d, B4_DELTA]
    t1 = vdsat - Vds - delta
    t2 = cmath.sqrt(t1 * t1 + 4.0 * delta * vdsat)
    if t1.real >= 0.0:
        vdseff = vdsat - 0.5 * (t1 + t2)
    else:
        vdseff = vdsat * (1.0 - 2.0 * delta / (t2 - t1))
    if Vds.real == 0.0:
        # exactly zero at Vds = 0 (b4ld.c); the imaginary part carries the derivative
        vdseff = complex(0.0, vdseff.imag)
    if vdseff.real > Vds.real:
        vdseff = Vds
    return vdseff


@njit(cache=True, inline="always")
def _overshoot(p, d, sat, ueff, diffvds):
    """Velocity overshoot (LAMBDA): Esat and EsatL raised beyond saturation."""
    lam_vo = p[d, B4_LAMBDA]
    if lam_vo <= 0.0:
        return sat
    leff = p[d, B4_LEFF]
    t2 = lam_vo / (leff * ueff)
    t6 = 1.0 + diffvds / (sat.esat * p[d, B4_LITL])
    t8 = 1.0 - 2.0 / (t6 * t6 + 1.0)
    esatl = sat.esatl * (1.0 + t2 * t8)
    return _Saturation(esatl / leff, esatl, sat.lam, sat.vgst2vtm, sat.wvcoxrds, sat.vdsat)


@njit(cache=True, inline="always")
def _linear_current(p, d, vgsteff, vdseff, abulk, sat, series, ueff):
    """(Idl over Vdseff, Coxeff Weff / Leff): the linear-region current with the charge
    centroid's Coxeff and the internal Rds."""
    t0 = (vgsteff + p[d, B4_VTFBPHI2]) / (2.0e8 * p[d, B4_TOXP])
    tmp3 = cmath.exp(p[d, B4_BDOS] * 0.7 * cmath.log(t0))
    tcen = p[d, B4_ADOS] * 1.9e-9 / (1.0 + tmp3)
    coxp = p[d, B4_COXP]
    coxeff = EPSSI * coxp / (EPSSI + coxp * tcen)
    coxeffwovl = coxeff * series.weff / p[d, B4_LEFF]
    beta = ueff * coxeffwovl
    fgche1 = vgsteff * (1.0 - 0.5 * vdseff * abulk / sat.vgst2vtm)
    fgche2 = 1.0 + vdseff / sat.esatl
    gche = beta * fgche1 / fgche2
    return gche / (1.0 + gche * series.rds), coxeffwovl


@njit(cache=True, inline="always")
def _output(p, d, idl, sat, abulk, vgsteff, rds, diffvds, Vds, vbseff):
    """The output conductance terms (b4ld.c): channel-length modulation with the pocket
    implant's FPROUT and PVAG, DIBL, the drain-induced threshold shift (DITS) and the
    substrate-current-induced body effect (SCBE)."""
    zero = 0j
    leff = p[d, B4_LEFF]
    litl = p[d, B4_LITL]
    vgst2vtm = sat.vgst2vtm
    vdsat = sat.vdsat
    tmp4 = 1.0 - 0.5 * abulk * vdsat / vgst2vtm
    t0 = sat.esatl + vdsat + 2.0 * sat.wvcoxrds * vgsteff * tmp4
    t1 = 2.0 / sat.lam - 1.0 + sat.wvcoxrds * abulk
    vasat = t0 / t1
    fprout = p[d, B4_FPROUT]
    if fprout <= 0.0:
        fp = 1.0 + zero
    else:
        fp = 1.0 / (1.0 + fprout * np.sqrt(leff) / vgst2vtm)
    t9 = p[d, B4_PVAG] / sat.esatl * vgsteff
    if t9.real > -0.9:
        pvagterm = 1.0 + t9
    else:
        pvagterm = (0.8 + t9) / (17.0 + 20.0 * t9)
    pclm = p[d, B4_PCLM]
    if pclm > MIN_EXP and diffvds.real > 1.0e-10:
        t0 = 1.0 + rds * idl
        t1 = leff + vdsat / sat.esat
        cclm = fp * pvagterm * t0 * t1 / (pclm * litl)
        vaclm = cclm * diffvds
    else:
        vaclm = MAX_EXP + zero
        cclm = MAX_EXP + zero
    thetarout = p[d, B4_THETAROUT]
    if thetarout > MIN_EXP:
        t8 = abulk * vdsat
        vadibl = (vgst2vtm - vgst2vtm * t8 / (vgst2vtm + t8)) / thetarout
        t7 = p[d, B4_PDIBLB] * vbseff
        if t7.real >= -0.9:
            vadibl = vadibl / (1.0 + t7)
        else:
            vadibl = vadibl * (17.0 + 20.0 * t7) / (0.8 + t7)
        vadibl = vadibl * pvagterm
    else:
        vadibl = MAX_EXP + zero
    va = vasat + vaclm
    t0 = p[d, B4_PDITSD] * Vds
    t1 = MAX_EXP + zero if t0.real > EXP_THRESHOLD else cmath.exp(t0)
    pdits = p[d, B4_PDITS]
    if pdits > MIN_EXP:
        vadits = (1.0 + (1.0 + p[d, B4_PDITSL] * leff) * t1) / pdits * fp
    else:
        vadits = MAX_EXP + zero
    vascbe = MAX_EXP + zero
    if p[d, B4_PSCBE2] > 0.0 and p[d, B4_PSCBE1] >= 0.0:
        vascbe = _vascbe(p[d, B4_PSCBE1], p[d, B4_PSCBE2], litl, leff, diffvds)
    idsa = idl * (1.0 + diffvds / vadibl)
    idsa = idsa * (1.0 + diffvds / vadits)
    idsa = idsa * (1.0 + cmath.log(va / vasat) / cclm)
    return _Output(idsa, vascbe)


@njit(cache=True, inline="always")
def _substrate_current(p, d, diffvds, idsa, vdseff):
    """Impact ionisation (ALPHA0, ALPHA1, BETA0) of one finger."""
    leff = p[d, B4_LEFF]
    tmp = p[d, B4_ALPHA0] + p[d, B4_ALPHA1] * leff
    beta0 = p[d, B4_BETA0]
    if tmp <= 0.0 or beta0 <= 0.0:
        return 0j
    t2 = tmp / leff
    if diffvds.real > beta0 / EXP_THRESHOLD:
        t1 = t2 * diffvds * cmath.exp(-beta0 / diffvds)
    else:
        t1 = t2 * MIN_EXP * diffvds
    return t1 * idsa * vdseff


@njit(cache=True, inline="always")
def _velocity_limit(p, d, cdrain, coxeffwovl, vgsteff):
    """The source-end velocity limit (VTL) on the drain current of one finger."""
    vtl = p[d, B4_VTL]
    if vtl > 0.0:
        vs = cdrain / (p[d, B4_LEFF] * coxeffwovl * vgsteff)
        t1 = vs / (vtl * p[d, B4_TFACTOR])
        if t1.real > 0.0:
            t2 = 1.0 + cmath.exp(6.0 * cmath.log(t1))
            return cdrain / cmath.exp(cmath.log(t2) / 6.0)
    return cdrain


@njit(cache=True)
def _channel(p, d, Vds, Vbs, Vgs_eff, charges):
    """The intrinsic device in its normal orientation (Vds >= 0), Vgs_eff the gate voltage
    after poly depletion: (Ids, Isub, qgate, qbulk, qdrn, Vth, Igcs, Igcd, Igb), currents
    and charges of all NF fingers; charges only when `charges`. The steps follow b4ld.c's
    sections."""
    zero = 0j
    vtm = p[d, B4_VTM]
    body = _body_bias(p, d, Vbs)
    th = _threshold(p, d, body, Vds)
    vgst = Vgs_eff - th.vth
    vgsteff = _vgsteff(vgst, th.n, vtm, p[d, B4_MSTAR], p[d, B4_VOFFCBN], p[d, B4_COXE],
                       p[d, B4_CDEP0])
    series = _series(p, d, vgsteff, body.sqrtphis)
    abulk, abulk0 = _bulk_factor(p, d, vgsteff, body, th)
    ueff = _mobility(p, d, vgsteff, th.vth, body.vbseff)
    sat = _saturation(p, d, vgsteff, abulk, series, ueff)
    vdseff = _vdseff(p, d, sat.vdsat, Vds)
    diffvds = Vds - vdseff
    sat = _overshoot(p, d, sat, ueff, diffvds)
    idl, coxeffwovl = _linear_current(p, d, vgsteff, vdseff, abulk, sat, series, ueff)
    out = _output(p, d, idl, sat, abulk, vgsteff, series.rds, diffvds, Vds, body.vbseff)
    isub = _substrate_current(p, d, diffvds, out.idsa, vdseff)
    ids = out.idsa * (1.0 + diffvds / out.vascbe)
    cdrain = _velocity_limit(p, d, ids * vdseff, coxeffwovl, vgsteff)
    nf = p[d, B4_NF]
    cdrain = cdrain * nf
    isub = isub * nf
    igcs = zero
    igcd = zero
    igb = zero
    if p[d, B4_IGCMOD] != 0.0 or p[d, B4_IGBMOD] != 0.0:
        igcs, igcd, igb = _tunnelling(p, d, Vgs_eff, body.vbseff, vgsteff, th.vth, vdseff,
                                      vtm)
    if not charges or p[d, B4_XPART] < 0.0:
        return cdrain, isub, zero, zero, zero, th.vth, igcs, igcd, igb
    qg, qb, qd = _charges(p, d, Vds, Vbs, body, Vgs_eff, vgst, th.n, abulk0)
    return cdrain, isub, qg, qb, qd, th.vth, igcs, igcd, igb


@njit(cache=True)
def _clamped_exp(a):
    if a.real > EXP_THRESHOLD:
        return MAX_EXP + 0j
    if a.real < -EXP_THRESHOLD:
        return MIN_EXP + 0j
    return cmath.exp(a)


@njit(cache=True)
def _softplus(x, t0):
    """t0 log(1 + exp(x / t0)), linear above and floored below EXP_THRESHOLD (b4ld.c's
    Vaux)."""
    vx = x / t0
    if vx.real > EXP_THRESHOLD:
        return x
    if vx.real < -EXP_THRESHOLD:
        return t0 * np.log(1.0 + MIN_EXP) + 0j
    return t0 * cmath.log(1.0 + cmath.exp(vx))


@njit(cache=True)
def _tunnelling(p, d, vgs_eff, vbseff, vgsteff, vth, vdseff, vtm):
    """Gate-to-channel tunnelling split to the channel-frame source and drain (igcMod 1,
    2), and gate-to-body tunnelling in accumulation and inversion (igbMod 1); all NF
    fingers: (Igcs, Igcd, Igb)."""
    zero = 0j
    vfb = p[d, B4_VFBZB]
    vfbeff = _vfbeff(vfb, vgs_eff, vbseff)
    voxacc = vfb - vfbeff
    if voxacc.real < 0.0:
        voxacc = zero
    k1ox = p[d, B4_K1OX]
    t0 = 0.5 * k1ox
    t3 = vgs_eff - vfbeff - vbseff - vgsteff
    if k1ox == 0.0:
        voxdepinv = zero
    elif t3.real < 0.0:
        voxdepinv = -t3
    else:
        voxdepinv = k1ox * (cmath.sqrt(t0 * t0 + t3) - t0)
    voxdepinv = voxdepinv + vgsteff
    nf = p[d, B4_NF]
    igcs = zero
    igcd = zero
    igb = zero
    if p[d, B4_IGCMOD] != 0.0:
        t0 = vtm * p[d, B4_NIGC]
        if p[d, B4_IGCMOD] == 1.0:
            vaux = _softplus(vgs_eff - p[d, B4_TYPE] * p[d, B4_VTH0], t0)
        else:
            vaux = _softplus(vgs_eff - vth, t0)
        t2 = vgs_eff * vaux
        aigc = p[d, B4_AIGC]
        bigc = p[d, B4_BIGC]
        cigc = p[d, B4_CIGC]
        t3 = aigc * cigc - bigc
        t4 = bigc * cigc
        t6 = _clamped_exp(p[d, B4_BECHVB] * (aigc + t3 * voxdepinv - t4 * voxdepinv * voxdepinv))
        igc = p[d, B4_AECHVB] * t2 * t6
        if p[d, B4_PIGCDGIVEN] != 0.0:
            pigcd = p[d, B4_PIGCD] + zero
        else:
            t12 = vgsteff + 1.0e-20
            pigcd = -p[d, B4_BECHVB] / t12 / t12 * (1.0 - 0.5 * vdseff / t12)
        t7 = -pigcd * vdseff
        t8 = t7 * t7 + 2.0e-4
        t9 = _clamped_exp(t7)
        igcs = igc * ((t9 - 1.0 + 1.0e-4 - t7) / t8) * nf
        igcd = igc * ((t7 * t9 - (t9 - 1.0 - 1.0e-4)) / t8) * nf
    if p[d, B4_IGBMOD] != 0.0:
        t0 = vtm * p[d, B4_NIGBACC]
        vaux = _softplus(-vgs_eff + vbseff + vfb, t0)
        t2 = (vgs_eff - vbseff) * vaux
        t11 = p[d, B4_IGBA]
        t12 = -7.45669e11 * p[d, B4_TOXE]
        a = p[d, B4_AIGBACC]
        b = p[d, B4_BIGBACC]
        c = p[d, B4_CIGBACC]
        t6 = _clamped_exp(t12 * (a + (a * c - b) * voxacc - b * c * voxacc * voxacc))
        igbacc = t11 * t2 * t6
        t0 = vtm * p[d, B4_NIGBINV]
        vaux = _softplus(voxdepinv - p[d, B4_EIGBINV], t0)
        t2 = (vgs_eff - vbseff) * vaux
        t11 = t11 * 0.75610
        t12 = t12 * 1.31724
        a = p[d, B4_AIGBINV]
        b = p[d, B4_BIGBINV]
        c = p[d, B4_CIGBINV]
        t6 = _clamped_exp(t12 * (a + (a * c - b) * voxdepinv - b * c * voxdepinv * voxdepinv))
        igb = (igbacc + t11 * t2 * t6) * nf
    return igcs, igcd, igb


@njit(cache=True)
def _edge(p, d, v, a, b, c, aechvb):
    """Gate-to-source/drain overlap tunnelling (igcMod) at one edge, all NF fingers."""
    t0 = v - p[d, B4_VFBSDT]
    veff = cmath.sqrt(t0 * t0 + 1.0e-4)
    t6 = _clamped_exp(p[d, B4_BECHVBEDGE] * (a + (a * c - b) * veff - b * c * veff * veff))
    return aechvb * (v * veff) * t6 * p[d, B4_NF]


class _CvBias(NamedTuple):
    """What capMod 1 and 2 share: the oxide capacitance of all fingers, the body bias, the
    gate overdrive of the capacitance model (cvchargeMod 0 or 1), its bulk charge factor
    and the effective flat-band voltage."""
    coxwl: float
    vbseffcv: complex
    vgsteff: complex
    abulkcv: complex
    vfbeff: complex


@njit(cache=True)
def _charges(p, d, Vds, Vbs, body, vgs_eff, vgst, n, abulk0):
    """The intrinsic (gate, bulk, drain) charges of capMod 0..2 with XPART's partition."""
    capmod = p[d, B4_CAPMOD]
    coxe = p[d, B4_COXE]
    coxwl = coxe * p[d, B4_WEFFCV] * p[d, B4_LEFFCV] * p[d, B4_NF]
    vbseff = body.vbseff
    if capmod == 0.0:
        return _charges0(p, d, Vds, Vbs, vbseff, body.sqrtphis, vgs_eff, abulk0, coxwl)
    vtm = p[d, B4_VTM]
    vbseffcv = vbseff if vbseff.real < 0.0 else p[d, B4_PHI] - body.phis
    if p[d, B4_CVCHARGEMOD] == 0.0:
        vgsteff = _vgsteff_cv(vgst, n, p[d, B4_NOFF], vtm, p[d, B4_VOFFCV])
    else:
        vgsteff = _vgsteff(vgst, n, vtm, p[d, B4_MSTARCV], p[d, B4_VOFFCBNCV], coxe,
                           p[d, B4_CDEP0])
    abulkcv = abulk0 * p[d, B4_ABULKCVF]
    vfbeff = _vfbeff(p[d, B4_VFBZB], vgs_eff, vbseffcv)
    cv = _CvBias(coxwl, vbseffcv, vgsteff, abulkcv, vfbeff)
    if capmod == 1.0:
        return _charges1(p, d, Vds, vgs_eff, cv)
    return _charges2(p, d, Vds, vgs_eff, cv)


@njit(cache=True, inline="always")
def _charges1(p, d, Vds, vgs_eff, cv):
    """capMod 1: smooth over all regions."""
    coxwl = cv.coxwl
    vgsteff = cv.vgsteff
    abulkcv = cv.abulkcv
    qac0 = coxwl * (cv.vfbeff - p[d, B4_VFBZB])
    qsub0 = _depletion_charge(coxwl, p[d, B4_K1OX], vgs_eff, cv.vfbeff, cv.vbseffcv,
                              vgsteff)
    vdseffcv = _vdseffcv(vgsteff / abulkcv, Vds)
    t0 = abulkcv * vdseffcv
    t1 = 12.0 * (vgsteff - 0.5 * t0 + 1.0e-20)
    t3 = t0 * (vdseffcv / t1)
    return _smooth_charges(p[d, B4_XPART], coxwl, vgsteff, abulkcv, vdseffcv, t0, t1, t3,
                           qac0, qsub0)


@njit(cache=True, inline="always")
def _charges2(p, d, Vds, vgs_eff, cv):
    """capMod 2: the charge-thickness model (accumulation/depletion centroid from LDEB and
    ACDE, inversion centroid and the gate-bias dependent surface potential shift)."""
    coxwl = cv.coxwl
    vgsteff = cv.vgsteff
    vfbzb = p[d, B4_VFBZB]
    k1ox = p[d, B4_K1OX]
    vtm = p[d, B4_VTM]
    coxe = p[d, B4_COXE]
    cox = p[d, B4_COXP]
    tcen = _acc_centroid(vgs_eff, cv.vbseffcv, vfbzb, p[d, B4_TOXP], p[d, B4_LDEB],
                         p[d, B4_ACDE])
    coxwlcen = coxwl * _centroid_cox(cox, tcen) / coxe
    qac0 = coxwlcen * (cv.vfbeff - vfbzb)
    qsub0 = _depletion_charge(coxwlcen, k1ox, vgs_eff, cv.vfbeff, cv.vbseffcv, vgsteff)
    vgdp = _vgdp(k1ox, p[d, B4_MOIN], p[d, B4_SQRTPHI], vtm, vgsteff)
    # the inversion charge's centroid (BSIM3's without ADOS and BDOS)
    tox = 2.0 * (1.0e8 * p[d, B4_TOXP])
    t0 = (vgsteff + p[d, B4_VTFBPHI2]) / tox
    tmp = cmath.exp(p[d, B4_BDOS] * 0.7 * cmath.log(t0))
    tcen = p[d, B4_ADOS] * 1.9e-9 / (1.0 + tmp)
    coxwlcen = coxwl * _centroid_cox(cox, tcen) / coxe
    vdseffcv = _vdseffcv(vgdp / cv.abulkcv, Vds)
    return _centroid_charges(p[d, B4_XPART], coxwlcen, cv.abulkcv, vgdp, vdseffcv,
                             qac0, qsub0)


@njit(cache=True)
def _charges0(p, d, Vds, Vbs, vbseff, sqrtphis, vgs_eff, abulk0, coxwl):
    """capMod 0: BSIM4's piecewise long-channel charges (BSIM3's)."""
    phi = p[d, B4_PHI]
    vbseffcv = Vbs if vbseff.real < 0.0 else phi - (phi - vbseff)
    return _long_channel_charges(coxwl, p[d, B4_K1OX], phi, p[d, B4_VFBCV], p[d, B4_XPART],
                                 vbseffcv, sqrtphis, vgs_eff, abulk0 * p[d, B4_ABULKCVF],
                                 Vds)


# the parameter columns of a bulk junction's diode, source side and drain side: (Isat,
# NVTM, VJMFWD, IVJMFWD, XEXPBV, BV, XJBV, SLPFWD, SLPREV, VJMREV, IVJMREV)
SOURCE_DIODE = (B4_ISBS, B4_NVTMS, B4_VJSMFWD, B4_IVJSMFWD, B4_XEXPBVS, B4_BVS, B4_XJBVS,
                B4_SSLPFWD, B4_SSLPREV, B4_VJSMREV, B4_IVJSMREV)
DRAIN_DIODE = (B4_ISBD, B4_NVTMD, B4_VJDMFWD, B4_IVJDMFWD, B4_XEXPBVD, B4_BVD, B4_XJBVD,
               B4_DSLPFWD, B4_DSLPREV, B4_VJDMREV, B4_IVJDMREV)


@njit(cache=True)
def _diode(p, d, v, cols, gmin):
    """A bulk junction's current (dioMod 0 with breakdown, 1 with the IJTH knee, 2 both);
    cols: SOURCE_DIODE or DRAIN_DIODE."""
    (c_isat, c_nvtm, c_vjmfwd, c_ivjmfwd, c_xexpbv, c_bv, c_xjbv, c_slpfwd, c_slprev,
     c_vjmrev, c_ivjmrev) = cols
    isat = p[d, c_isat]
    nvtm = p[d, c_nvtm]
    diomod = p[d, B4_DIOMOD]
    vjmfwd = p[d, c_vjmfwd]
    ivjmfwd = p[d, c_ivjmfwd]
    xexpbv = p[d, c_xexpbv]
    bv = p[d, c_bv]
    xjbv = p[d, c_xjbv]
    slpfwd = p[d, c_slpfwd]
    slprev = p[d, c_slprev]
    vjmrev = p[d, c_vjmrev]
    ivjmrev = p[d, c_ivjmrev]
    if isat <= 0.0:
        return gmin * v
    if diomod == 0.0:
        evb = cmath.exp(v / nvtm)
        t1 = xjbv * cmath.exp(-(bv + v) / nvtm)
        return isat * (evb + xexpbv - t1 - 1.0) + gmin * v
    if diomod == 1.0:
        t2 = v / nvtm
        if t2.real < -EXP_THRESHOLD:
            return isat * (MIN_EXP - 1.0) + gmin * v
        if v.real <= vjmfwd:
            return isat * (cmath.exp(t2) - 1.0) + gmin * v
        return ivjmfwd - isat + ivjmfwd / nvtm * (v - vjmfwd) + gmin * v
    if v.real < vjmrev:
        t0 = v / nvtm
        evb = MIN_EXP + 0j if t0.real < -EXP_THRESHOLD else cmath.exp(t0)
        return (evb - 1.0) * (ivjmrev + slprev * (v - vjmrev)) + gmin * v
    if v.real <= vjmfwd:
        t0 = v / nvtm
        evb = MIN_EXP + 0j if t0.real < -EXP_THRESHOLD else cmath.exp(t0)
        t1 = (bv + v) / nvtm
        t2 = MIN_EXP + 0j if t1.real > EXP_THRESHOLD else cmath.exp(-t1)
        return isat * (evb + xexpbv - 1.0 - xjbv * t2) + gmin * v
    return ivjmfwd + slpfwd * (v - vjmfwd) + gmin * v


@njit(cache=True)
def _tat(v, vts, nvtmr):
    """The trap-assisted tunnelling factor of a reverse-biased junction (minus one)."""
    if vts - v.real < vts * 1e-3:
        t0 = -v / nvtmr * 1.0e3
    else:
        t0 = -v / nvtmr * vts / (vts - v)
    return _dexp(t0) - 1.0


@njit(cache=True)
def _overlap(v, cgo, cgl, weffcv, ckappa, capmod):
    """Gate overlap charge on one side (capMod 0 linear, 1 and 2 bias dependent)."""
    if capmod == 0.0:
        return cgo * v
    return _overlap_smooth(v, cgo, cgl, weffcv, ckappa)


@njit(cache=True)
def _gidl(p, d, vds, vgs_eff, vbd, a, b, c, e, r, k, f):
    """Gate-induced drain leakage at one end (gidlMod 0 or 1), for the GISL the source
    end's voltages; all NF fingers."""
    t0 = 3.0 * p[d, B4_TOXE]
    weffcj = p[d, B4_WEFFCJ] * p[d, B4_NF]
    if p[d, B4_GIDLMOD] == 0.0:
        t1 = (vds - vgs_eff - e) / t0
        if a <= 0.0 or b <= 0.0 or t1.real <= 0.0 or c <= 0.0 or vbd.real > 0.0:
            return 0j
        t2 = b / t1
        if t2.real < 100.0:
            ig = a * weffcj * t1 * cmath.exp(-t2)
        else:
            ig = a * weffcj * MIN_EXPL * t1
        t5 = -vbd * vbd * vbd
        return ig * t5 / (c + t5)
    t1 = (vds - r * vgs_eff - e) / t0
    if a <= 0.0 or b <= 0.0 or t1.real <= 0.0 or c < 0.0:
        return 0j
    t2 = b / t1
    if t2.real < EXPL_THRESHOLD:
        ig = weffcj * a * t1 * cmath.exp(-t2)
    else:
        ig = weffcj * a * MIN_EXPL * t1
    t4 = vbd - f
    if t4.real == 0.0:
        return ig * MAX_EXPL
    t5 = k / t4
    if t5.real < EXPL_THRESHOLD:
        return ig * cmath.exp(t5)
    return ig * MAX_EXPL


@njit(cache=True)
def _terminal(p, d, vds, vgs, vbs, vdbs, vsbs, gmin, out):
    """Terminal currents (d', g', s', b', db, sb) and charges (same order) of device d at
    the N-frame voltages (source reference; vdbs, vsbs: the junction ends of the body
    network, equal to vbs without RBODYMOD), into out[0:6] and out[6:12]; returns Vth
    (for the gate limiting)."""
    vbd = vbs - vds
    vgd = vgs - vds
    vbs_j = vsbs
    vbd_j = vdbs - vds
    cbs = _diode(p, d, vbs_j, SOURCE_DIODE, gmin)
    cbd = _diode(p, d, vbd_j, DRAIN_DIODE, gmin)
    if p[d, B4_SJREV] != 0.0:
        cbs = cbs - p[d, B4_SJREV] * _tat(vbs_j, p[d, B4_VTSS], p[d, B4_NVTMRSS])
    if p[d, B4_SSWREV] != 0.0:
        cbs = cbs - p[d, B4_SSWREV] * _tat(vbs_j, p[d, B4_VTSSWS], p[d, B4_NVTMRSSWS])
    if p[d, B4_SSWGREV] != 0.0:
        cbs = cbs - p[d, B4_SSWGREV] * _tat(vbs_j, p[d, B4_VTSSWGS], p[d, B4_NVTMRSSWGS])
    if p[d, B4_DJREV] != 0.0:
        cbd = cbd - p[d, B4_DJREV] * _tat(vbd_j, p[d, B4_VTSD], p[d, B4_NVTMRSD])
    if p[d, B4_DSWREV] != 0.0:
        cbd = cbd - p[d, B4_DSWREV] * _tat(vbd_j, p[d, B4_VTSSWD], p[d, B4_NVTMRSSWD])
    if p[d, B4_DSWGREV] != 0.0:
        cbd = cbd - p[d, B4_DSWGREV] * _tat(vbd_j, p[d, B4_VTSSWGD], p[d, B4_NVTMRSSWGD])
    # poly depletion of the actual gate-source and gate-drain voltages
    phi_pd = p[d, B4_VFB] + p[d, B4_PHI]
    vgs_eff = poly_depletion(phi_pd, p[d, B4_NGATE], p[d, B4_COXE], vgs)
    vgd_eff = poly_depletion(phi_pd, p[d, B4_NGATE], p[d, B4_COXE], vgd)
    normal = vds.real >= 0.0
    if normal:
        ids, isub, qgate, qbulk, qch, vth, igcs, igcd, igb = _channel(p, d, vds, vbs,
                                                                       vgs_eff, True)
    else:
        ids, isub, qgate, qbulk, qch, vth, igcd, igcs, igb = _channel(p, d, -vds, vbd,
                                                                       vgd_eff, True)
    # gate tunnelling: channel parts (to the actual source and drain) and the edges
    ig_s = igcs
    ig_d = igcd
    if p[d, B4_IGCMOD] != 0.0:
        ig_s = ig_s + _edge(p, d, vgs, p[d, B4_AIGS], p[d, B4_BIGS], p[d, B4_CIGS],
                            p[d, B4_AECHVBEDGES])
        ig_d = ig_d + _edge(p, d, vgd, p[d, B4_AIGD], p[d, B4_BIGD], p[d, B4_CIGD],
                            p[d, B4_AECHVBEDGED])
    igidl = _gidl(p, d, vds, vgs_eff, vbd, p[d, B4_AGIDL], p[d, B4_BGIDL], p[d, B4_CGIDL],
                  p[d, B4_EGIDL], p[d, B4_RGIDL], p[d, B4_KGIDL], p[d, B4_FGIDL])
    igisl = _gidl(p, d, -vds, vgd_eff, vbs, p[d, B4_AGISL], p[d, B4_BGISL], p[d, B4_CGISL],
                  p[d, B4_EGISL], p[d, B4_RGISL], p[d, B4_KGISL], p[d, B4_FGISL])
    m = p[d, B4_MULT]
    if normal:
        i_d = ids + isub + igidl - cbd - ig_d
        i_s = -ids + igisl - cbs - ig_s
    else:
        i_d = -ids + igidl - cbd - ig_d
        i_s = ids + isub + igisl - cbs - ig_s
    i_b = -isub - igidl - igisl - igb
    i_g = ig_s + ig_d + igb
    capmod = p[d, B4_CAPMOD]
    weffcv = p[d, B4_WEFFCV]
    nf = p[d, B4_NF]
    qgdo = nf * _overlap(vgd, p[d, B4_CGDO], p[d, B4_CGDL], weffcv, p[d, B4_CKAPPAD], capmod)
    qgso = nf * _overlap(vgs, p[d, B4_CGSO], p[d, B4_CGSL], weffcv, p[d, B4_CKAPPAS], capmod)
    qgbo = p[d, B4_CGBO] * (vgs - vbs)
    qbs = _depletion(vbs_j, p[d, B4_CZBS], p[d, B4_CZBSSW], p[d, B4_CZBSSWG], p[d, B4_PHIBS],
                     p[d, B4_PHIBSWS], p[d, B4_PHIBSWGS], p[d, B4_MJS], p[d, B4_MJSWS],
                     p[d, B4_MJSWGS])
    qbd = _depletion(vbd_j, p[d, B4_CZBD], p[d, B4_CZBDSW], p[d, B4_CZBDSWG], p[d, B4_PHIBD],
                     p[d, B4_PHIBSWD], p[d, B4_PHIBSWGD], p[d, B4_MJD], p[d, B4_MJSWD],
                     p[d, B4_MJSWGD])
    q_g = qgate + qgdo + qgso + qgbo
    q_b = qbulk - qgbo
    if normal:
        q_d = qch - qgdo - qbd
        q_s = -(q_g + q_b + q_d + qbd + qbs)
    else:
        q_s = qch - qgso - qbs
        q_d = -(q_g + q_b + q_s + qbd + qbs)
    out[0] = m * i_d
    out[1] = m * i_g
    out[2] = m * i_s
    out[3] = m * i_b
    out[4] = m * cbd
    out[5] = m * cbs
    out[6] = m * q_d
    out[7] = m * q_g
    out[8] = m * q_s
    out[9] = m * q_b
    out[10] = m * qbd
    out[11] = m * qbs
    return vth.real


@njit(cache=True, inline="always")
def _terminal_at(p, d, v, gmin, out):
    """`_terminal` at v = (vds, vgs, vbs, vdbs, vsbs), the complex-step voltages."""
    return _terminal(p, d, v[0], v[1], v[2], v[3], v[4], gmin, out)


@njit(cache=True)
def bsim4_load(x, grp, mode, gmin, out):
    """BSIM4 rows: terminals (d', g', s', b', db, sb); limiting as ngspice's BSIM4 (fetlim
    around the last Vth, limvds, pnjlim on the forward junctions with its fixed critical
    voltage)."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = B4_K
    work = step_work(k, 5)
    I, Q = work.I, work.Q
    v = np.zeros(k)
    volts = np.zeros(5)
    # bit i: voltage i (vds, vgs, vbs, vdbs, vsbs) steps
    moves_rbody = np.array([1, 2, 4, 8, 16])
    cols_rbody = np.array([0, 1, 3, 4, 5])
    moves_tied = np.array([1, 2, 4 | 8 | 16])
    cols_tied = np.array([0, 1, 3])
    nlim = 0
    for d in range(nodes.shape[0]):
        typ = par[d, B4_TYPE]
        rbody = par[d, B4_RBODYMOD] != 0.0
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        vsx = _volt(x, nodes[d, 2])
        vbs, vgs, vds = _bsim_start(typ, par[d, B4_VTH0], state[d, B4_OFF], vdx, vgx, vbx,
                                     mode)
        vdbs = vbs
        vsbs = vbs
        if rbody and mode != 1:
            vdbs = typ * (_volt(x, nodes[d, 4]) - vsx)
            vsbs = typ * (_volt(x, nodes[d, 5]) - vsx)
        if mode == 0:
            vds_o = state[d, 2]
            vgs, vds, vbs, lim = _mos_limit(vgs, vds, vbs, state, d, par[d, B4_VTMCONST],
                                            par[d, B4_VCRIT], par[d, B4_VCRIT])
            if rbody:
                vt = par[d, B4_VTMCONST]
                vc = par[d, B4_VCRIT]
                if vds >= 0.0:
                    vdbs, l1 = pnjlim(vdbs, state[d, 5], vt, vc)
                    vsbs, l2 = pnjlim(vsbs, state[d, 6], vt, vc)
                else:
                    vdbd, l1 = pnjlim(vdbs - vds, state[d, 5] - vds_o, vt, vc)
                    vdbs = vdbd + vds
                    vsbd, l2 = pnjlim(vsbs - vds, state[d, 6] - vds_o, vt, vc)
                    vsbs = vsbd + vds
                lim = l1 or l2
            else:
                vdbs = vbs
                vsbs = vbs
            if lim:
                nlim += 1
        state[d, 0] = vbs
        state[d, 1] = vgs
        state[d, 2] = vds
        state[d, 5] = vdbs
        state[d, 6] = vsbs
        volts[0] = vds
        volts[1] = vgs
        volts[2] = vbs
        volts[3] = vdbs
        volts[4] = vsbs
        # one evaluation per direction vds, vgs, vbs, vdbs, vsbs (the columns of d', g',
        # b', db, sb; s' from them); without the body network the junction ends move with
        # b' (one direction for the three; the db, sb columns stay zero)
        moves, cols = (moves_rbody, cols_rbody) if rbody else (moves_tied, cols_tied)
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
        v[4] = vdbs
        v[5] = vsbs
        _flip(k, typ, I, Q, v)
        _stamp_at(k, grp, d, work.G, work.C, I, Q, v, out)
        # the charges ngspice's b4trunc.c checks for truncation error: drain, gate, bulk
        # (and the junction charges at the body-network nodes)
        qdev[d, 0] = Q[0]
        qdev[d, 1] = Q[1]
        if rbody:
            qdev[d, 2] = Q[3]
            qdev[d, 3] = Q[4]
            qdev[d, 4] = Q[5]
        else:
            qdev[d, 2] = Q[3] + Q[4] + Q[5]
            qdev[d, 3] = 0.0
            qdev[d, 4] = 0.0
        qdev[d, 5] = 0.0
    return nlim
