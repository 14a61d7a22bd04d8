"""The contract every nonlinear device kernel keeps, and the helpers they share.

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

Every family's load kernel has the signature `load(x, grp, mode, gmin, out)`: x the
present iterate, grp the family's Group, out the Stamps it adds to; it returns the number
of devices whose junction voltages were limited (ngspice's noncon).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from edapipe.util.jit import njit

MAX_EXP_ARG = 709.0


class Group(NamedTuple):
    """The devices of one family, one row each (numba takes it as one argument)."""

    nodes: np.ndarray    # (n, k) unknown index of each terminal, -1 = ground
    pos: np.ndarray      # (n, k*k) positions of the terminal pairs in the CSC data, -1 none
    par: np.ndarray      # (n, npar) parameter rows (the family's *_kernels.py columns)
    state: np.ndarray    # (n, nstate) junction voltages and integration state
    qdev: np.ndarray     # (n, 4 or fewer) charges checked for truncation error


class Stamps(NamedTuple):
    """What the load kernels add to: matrix values and the companion vectors."""

    data: np.ndarray     # G values over the CSC pattern
    cdev: np.ndarray     # device capacitances over the CSC pattern
    ieq: np.ndarray      # I - G v per unknown
    qeq: np.ndarray      # Q - C v per unknown
    qact: np.ndarray     # Q per unknown


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
def _scratch(k):
    """A load kernel's per-device work arrays for k terminals: (G, C, I, Q, v)."""
    return np.zeros((k, k)), np.zeros((k, k)), np.zeros(k), np.zeros(k), np.zeros(k)


@njit(cache=True)
def _branch(A, a, b, x):
    """Add x between terminals a and b: +x on the diagonal entries, -x across."""
    A[a, a] += x
    A[a, b] -= x
    A[b, a] -= x
    A[b, b] += x


@njit(cache=True)
def _flip(k, typ, I, Q, v):
    """A P-type device (typ < 0): its equations were written for the N type in negated
    voltages; negate the currents, charges and voltages back."""
    if typ < 0.0:
        for a in range(k):
            I[a] = -I[a]
            Q[a] = -Q[a]
            v[a] = -v[a]


@njit(cache=True)
def _stamp_at(k, grp, d, G, C, I, Q, v, out):
    """Stamp device row d's companion model (G, C, I, Q at terminal voltages v), indexing
    the 2-D node and position arrays directly: a row view per device costs two atomic
    reference-count updates in the hot loop."""
    nodes, pos = grp.nodes, grp.pos
    gdata, cdata, ieq, qeq, qact = out
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
def param_row(par, d):
    """Row d of a device parameter table (its first 38 columns) as a tuple of scalars, which
    the inlined model steps of BJT and MOS levels 2/3 take by value (an array handed to an
    inlined step costs reference-count updates per device)."""
    return (par[d, 0], par[d, 1], par[d, 2], par[d, 3], par[d, 4], par[d, 5], par[d, 6],
            par[d, 7], par[d, 8], par[d, 9], par[d, 10], par[d, 11], par[d, 12], par[d, 13],
            par[d, 14], par[d, 15], par[d, 16], par[d, 17], par[d, 18], par[d, 19],
            par[d, 20], par[d, 21], par[d, 22], par[d, 23], par[d, 24], par[d, 25],
            par[d, 26], par[d, 27], par[d, 28], par[d, 29], par[d, 30], par[d, 31],
            par[d, 32], par[d, 33], par[d, 34], par[d, 35], par[d, 36], par[d, 37])
