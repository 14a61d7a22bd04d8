"""What BSIM3 (b3ld.c) and BSIM4 (b4ld.c) compute with the same equations, written once.

BSIM4's charge model grew out of BSIM3's: its capMod 0 is BSIM3's capMod 0, its capMod 1 and
2 take BSIM3's capMod 2 and 3 smoothing (flat-band limiting, depletion charge, charge
centroids, the gate-bias dependent surface potential shift, the XPART partitions), and the
junction depletion charge and the bias-dependent overlap charge are the same in both. The
two load kernels (bsim3_kernels.py, bsim4_kernels.py) call these with their own parameter
columns; each function takes the plain values it needs, never a parameter row, so one
compiled version serves both. All run on complex voltages (complex-step derivatives, see
bsim3_kernels.py) and test real parts only.

The small ones are inline="always": they sit inside `_terminal`'s charge evaluation, once
per device and complex-step evaluation, where a call would cost more than the arithmetic.
"""

from __future__ import annotations

import cmath

import numpy as np

from edapipe.util.jit import njit

MAX_EXP = 5.834617425e14
MIN_EXP = 1.713908431e-15
EXP_THRESHOLD = 34.0
EPSSI = 1.03594e-10
DELTA_1 = 0.02
DELTA_3 = 0.02
DELTA_4 = 0.02


@njit(cache=True, inline="always")
def _vgsteff_cv(vgst, n, noff, vtm, voffcv):
    """The capacitance model's smoothed gate overdrive (BSIM3 capMod 1-3, BSIM4 capMod 1-2
    with cvchargeMod 0): its own subthreshold slope n * NOFF and offset VOFFCV."""
    noff = n * noff
    t0 = vtm * noff
    vgstnvt = (vgst - voffcv) / t0
    if vgstnvt.real > EXP_THRESHOLD:
        return vgst - voffcv
    if vgstnvt.real < -EXP_THRESHOLD:
        return t0 * np.log(1.0 + MIN_EXP)
    return t0 * cmath.log(1.0 + cmath.exp(vgstnvt))


@njit(cache=True, inline="always")
def _abulk_limits(abulk0, abulk, keta_vbseff):
    """(Abulk, Abulk0) kept above ~0.1 by the smooth limits of b3ld.c/b4ld.c, times the
    KETA body-bias factor 1 / (1 + KETA Vbseff), itself limited near zero."""
    if abulk0.real < 0.1:
        abulk0 = (0.2 - abulk0) / (3.0 - 20.0 * abulk0)
    if abulk.real < 0.1:
        abulk = (0.2 - abulk) / (3.0 - 20.0 * abulk)
    t2 = keta_vbseff
    if t2.real >= -0.9:
        t0 = 1.0 / (1.0 + t2)
    else:
        t0 = (17.0 + 20.0 * t2) / (0.8 + t2)
    return abulk * t0, abulk0 * t0


@njit(cache=True, inline="always")
def _mobility_denominator(t5):
    """The mobility's degradation 1 + t5, smoothly kept positive below t5 = -0.8."""
    if t5.real >= -0.8:
        return 1.0 + t5
    return (0.6 + t5) / (7.0 + 10.0 * t5)


@njit(cache=True, inline="always")
def _vascbe(pscbe1, pscbe2, litl, leff, diffvds):
    """The Early voltage of the substrate-current-induced body effect (PSCBE1, PSCBE2;
    the callers take MAX_EXP where their model switches it off)."""
    if diffvds.real > pscbe1 * litl / EXP_THRESHOLD:
        return leff * cmath.exp(pscbe1 * litl / diffvds) / pscbe2
    return MAX_EXP * leff / pscbe2 + 0j


@njit(cache=True, inline="always")
def _smooth_charges(xpart, coxwl, vgsteff, abulkcv, vdseffcv, t0, t1, t3, qac0, qsub0):
    """The smooth capacitance model's inversion charges without the centroid correction
    (BSIM3 capMod 2, BSIM4 capMod 1) with XPART's partition, plus the accumulation and
    depletion charges Qac0, Qsub0: (qgate, qbulk, qdrn). t0 = Abulkcv Vdseffcv,
    t1 = 12 (Vgsteff - t0 / 2 + 1e-20), t3 = t0 Vdseffcv / t1 as each model groups it."""
    qgate = coxwl * (vgsteff - 0.5 * vdseffcv + t3)
    qbulk = coxwl * (1.0 - abulkcv) * (0.5 * vdseffcv - t3)
    qsrc = _partition_lin(xpart, coxwl, vgsteff, t0, t1, qgate + qbulk)
    qgate = qgate + qac0 + qsub0
    qbulk = qbulk - (qac0 + qsub0)
    return qgate, qbulk, -(qgate + qbulk + qsrc)


@njit(cache=True, inline="always")
def _vfbeff(vfb, vgs_eff, vbseffcv):
    """The flat-band voltage smoothly limited by Vgs - Vbs (BSIM3 capMod 2/3, BSIM4 1/2)."""
    v3 = vfb - vgs_eff + vbseffcv - DELTA_3
    if vfb <= 0.0:
        t0 = cmath.sqrt(v3 * v3 - 4.0 * DELTA_3 * vfb)
    else:
        t0 = cmath.sqrt(v3 * v3 + 4.0 * DELTA_3 * vfb)
    return vfb - 0.5 * (v3 + t0)


@njit(cache=True, inline="always")
def _depletion_charge(coxwl, k1ox, vgs_eff, vfbeff, vbseffcv, vgsteff):
    """Qsub0, the depletion charge of the smooth capacitance models (coxwl: theirs, the
    centroid-corrected one for the charge-thickness model)."""
    t0 = 0.5 * k1ox
    t3 = vgs_eff - vfbeff - vbseffcv - vgsteff
    if k1ox == 0.0:
        t1 = 0j
    elif t3.real < 0.0:
        t1 = t0 + t3 / k1ox
    else:
        t1 = cmath.sqrt(t0 * t0 + t3)
    return coxwl * k1ox * (t1 - t0)


@njit(cache=True, inline="always")
def _centroid_cox(cox, tcen):
    """The oxide capacitance in series with the inversion/accumulation layer at depth
    tcen (the charge centroid)."""
    ccen = EPSSI / tcen
    return cox / (cox + ccen) * ccen


@njit(cache=True, inline="always")
def _acc_centroid(vgs_eff, vbseffcv, vfbzb, tox, ldeb, acde):
    """The accumulation/depletion charge centroid's depth from LDEB and ACDE, smoothly
    limited below LDEB (tox: BSIM3's TOX, BSIM4's TOXP)."""
    t0 = (vgs_eff - vbseffcv - vfbzb) / (1.0e8 * tox)
    tmp = t0 * acde
    if -EXP_THRESHOLD < tmp.real < EXP_THRESHOLD:
        tcen = ldeb * cmath.exp(tmp)
    elif tmp.real <= -EXP_THRESHOLD:
        tcen = ldeb * MIN_EXP + 0j
    else:
        tcen = ldeb * MAX_EXP + 0j
    link = 1.0e-3 * tox
    v3 = ldeb - tcen - link
    v4 = cmath.sqrt(v3 * v3 + 4.0 * link * ldeb)
    return ldeb - 0.5 * (v3 + v4)


@njit(cache=True, inline="always")
def _vgdp(k1ox, moin, sqrtphi, vtm, vgsteff):
    """The inversion charge's overdrive less the gate-bias dependent surface potential
    shift delta phi_s (MOIN), smoothly kept above zero."""
    if k1ox <= 0.0:
        denomi = 0.25 * moin * vtm
        t0 = 0.5 * sqrtphi
    else:
        denomi = moin * vtm * k1ox * k1ox
        t0 = k1ox * sqrtphi
    t1 = 2.0 * t0 + vgsteff
    deltaphi = vtm * cmath.log(1.0 + t1 * vgsteff / denomi)
    t0 = vgsteff - deltaphi - 0.001
    t1 = cmath.sqrt(t0 * t0 + vgsteff * 0.004)
    return 0.5 * (t0 + t1)


@njit(cache=True)
def _vdseffcv(vdsatcv, Vds):
    """The charge model's effective Vds: Vds smoothly limited by Vdsat (DELTA_4), exactly
    zero (real part) at Vds = 0."""
    t0 = vdsatcv - Vds - DELTA_4
    t1 = cmath.sqrt(t0 * t0 + 4.0 * DELTA_4 * vdsatcv)
    if t0.real >= 0.0:
        v = vdsatcv - 0.5 * (t0 + t1)
    else:
        v = vdsatcv * (1.0 - (DELTA_4 + DELTA_4) / (t1 - t0))
    if Vds.real == 0.0:
        v = complex(0.0, v.imag)
    return v


@njit(cache=True, inline="always")
def _centroid_charges(xpart, coxwlcen, abulkcv, vgdp, vdseffcv, qac0, qsub0):
    """The charge-thickness model's inversion charges with XPART's partition, plus
    accumulation and depletion: (qgate, qbulk, qdrn)."""
    t0 = abulkcv * vdseffcv
    t1 = vgdp
    t2 = 12.0 * (t1 - 0.5 * t0 + 1.0e-20)
    t3 = t0 / t2
    qgate = coxwlcen * (t1 - t0 * (0.5 - t3))
    qbulk = coxwlcen * (1.0 - abulkcv) * (0.5 * vdseffcv - t0 * vdseffcv / t2)
    if xpart > 0.5:
        qsrc = -coxwlcen * (t1 / 2.0 + t0 / 4.0 - 0.5 * t0 * t0 / t2)
    elif xpart < 0.5:
        t2 = t2 / 12.0
        t3 = 0.5 * coxwlcen / (t2 * t2)
        t4 = (t1 * (2.0 * t0 * t0 / 3.0 + t1 * (t1 - 4.0 * t0 / 3.0))
              - 2.0 * t0 * t0 * t0 / 15.0)
        qsrc = -t3 * t4
    else:
        qsrc = -0.5 * qgate
    qgate = qgate + qac0 + qsub0 - qbulk
    qbulk = qbulk - (qac0 + qsub0)
    return qgate, qbulk, -(qgate + qbulk + qsrc)


@njit(cache=True)
def _partition_lin(xpart, coxwl, vgsteff, t0, t1, q_gb):
    """The source charge of the smooth capacitance models below saturation: 0/100, 40/60
    or 50/50 (q_gb: the inversion part of gate plus bulk charge, for 50/50)."""
    if xpart > 0.5:
        t1 = t1 + t1
        return -coxwl * (0.5 * vgsteff + 0.25 * t0 - t0 * t0 / t1)
    if xpart < 0.5:
        t1 = t1 / 12.0
        t2 = 0.5 * coxwl / (t1 * t1)
        t3 = (vgsteff * (2.0 * t0 * t0 / 3.0 + vgsteff * (vgsteff - 4.0 * t0 / 3.0))
              - 2.0 * t0 * t0 * t0 / 15.0)
        return -t2 * t3
    return -0.5 * q_gb


@njit(cache=True)
def _long_channel_charges(coxwl, k1ox, phi, vfb, xpart, vbseffcv, sqrtphis, vgs_eff,
                          abulkcv, Vds):
    """capMod 0 (both models): the piecewise long-channel charges in accumulation,
    depletion, saturation and the linear region with XPART's partition (qgate, qbulk,
    qdrn)."""
    vth = vfb + phi + k1ox * sqrtphis
    vgst = vgs_eff - vth
    arg1 = vgs_eff - vbseffcv - vfb
    if arg1.real <= 0.0:
        qgate = coxwl * arg1
        return qgate, -qgate, 0j
    if vgst.real <= 0.0:
        t1 = 0.5 * k1ox
        qgate = coxwl * k1ox * (cmath.sqrt(t1 * t1 + arg1) - t1)
        return qgate, -qgate, 0j
    vdsat = vgst / abulkcv
    if vdsat.real <= Vds.real:
        qgate = coxwl * (vgs_eff - vfb - phi - vdsat / 3.0)
        t2 = -2.0 / 3.0 * coxwl * vgst
        qbulk = -(qgate + t2)
        if xpart > 0.5:
            qdrn = 0j
        elif xpart < 0.5:
            qdrn = 0.4 * t2
        else:
            qdrn = 0.5 * t2
        return qgate, qbulk, qdrn
    return _long_channel_linear(coxwl, phi, vfb, xpart, vgs_eff, vgst, vdsat, Vds)


@njit(cache=True, inline="always")
def _long_channel_linear(coxwl, phi, vfb, xpart, vgs_eff, vgst, vdsat, Vds):
    """capMod 0 below saturation (Vds < Vdsat): (qgate, qbulk, qdrn)."""
    alphaz = vgst / vdsat
    t1 = 2.0 * vdsat - Vds
    t2 = Vds / (3.0 * t1)
    t3 = t2 * Vds
    t4 = 0.25 * coxwl * alphaz
    qgate = coxwl * (vgs_eff - vfb - phi - 0.5 * (Vds - t3))
    if xpart > 0.5:
        t7 = 2.0 * Vds - t1 - 3.0 * t3
        t8 = t3 - t1 - 2.0 * Vds
        qdrn = t4 * t7
        return qgate, -(qgate + qdrn + t4 * t8), qdrn
    if xpart < 0.5:
        t6 = 8.0 * vdsat * vdsat - 6.0 * vdsat * Vds + 1.2 * Vds * Vds
        t8 = t2 / t1
        qdrn = t4 * (Vds - t1 - t8 * t6)
        return qgate, -(qgate - t4 * 2.0 * (t1 + t3)), qdrn
    qdrn = -t4 * (t1 + t3)
    return qgate, -(qgate + qdrn + qdrn), qdrn


@njit(cache=True, inline="always")
def _overlap_smooth(v, cgo, cgl, weffcv, ckappa):
    """The bias-dependent gate overlap charge on one side (BSIM3 capMod 2/3, BSIM4 capMod
    1/2): CGO linear plus CGL's smooth depletion of the overlap region."""
    t0 = v + DELTA_1
    t1 = cmath.sqrt(t0 * t0 + 4.0 * DELTA_1)
    t2 = 0.5 * (t0 - t1)
    t3 = weffcv * cgl
    t4 = cmath.sqrt(1.0 - 4.0 * t2 / ckappa)
    return (cgo + t3) * v - t3 * (t2 + 0.5 * ckappa * (t4 - 1.0))


@njit(cache=True)
def _depletion(v, cz, czsw, czswg, pb, pbsw, pbswg, mj, mjsw, mjswg):
    """A junction's depletion charge: bottom, field-oxide and gate sidewalls; linear in
    forward bias (b3ld.c, b4ld.c)."""
    if v.real < 0.0:
        q = 0j
        if cz > 0.0:
            arg = 1.0 - v / pb
            q += pb * cz * (1.0 - cmath.exp((1.0 - mj) * cmath.log(arg))) / (1.0 - mj)
        if czsw > 0.0:
            arg = 1.0 - v / pbsw
            q += pbsw * czsw * (1.0 - cmath.exp((1.0 - mjsw) * cmath.log(arg))) / (1.0 - mjsw)
        if czswg > 0.0:
            arg = 1.0 - v / pbswg
            q += (pbswg * czswg * (1.0 - cmath.exp((1.0 - mjswg) * cmath.log(arg)))
                  / (1.0 - mjswg))
        return q
    t0 = cz + czsw + czswg
    t1 = v * (cz * mj / pb + czsw * mjsw / pbsw + czswg * mjswg / pbswg)
    return v * (t0 + 0.5 * t1)


@njit(cache=True)
def _bsim_start(typ, vth0, off, vdx, vgx, vbx, mode):
    """(vbs, vgs, vds) in the N frame: the iterate's, or ngspice's BSIM MODEINITJCT start
    (vds 0.1, vgs Vth0 + 0.1, vbs 0; zero for an OFF device)."""
    if mode == 1:
        if off != 0.0:
            return 0.0, 0.0, 0.0
        return 0.0, typ * vth0 + 0.1, 0.1
    return typ * vbx, typ * vgx, typ * vdx
