"""Voltage- and current-controlled switches (S, W) with hysteresis: ngspice's swload.c and
cswload.c state machine, and swtrunc.c's limit on the time step.

A switch is a conductance between its two terminals, GON or GOFF by its state. The state
is one of REALLY_OFF, REALLY_ON (control beyond the hysteresis band) and HYST_OFF, HYST_ON
(inside it), decided from the control value (S: v(nc+) - v(nc-), W: the controlling
source's branch current) and remembered: within the band the switch keeps the state of the
last Newton iterate (S) or of the last accepted time point (W, as cswload.c), and the
first iteration of a time point starts from the state of the last accepted point. A change
of state counts as a limited device (ngspice's noncon), so Newton iterates once more.

Rows: par columns below; terminals (n+, n-); state columns below. The code is ours.
"""

from __future__ import annotations

import numpy as np

from edapipe.util.jit import njit

# parameter columns
(SW_KIND, SW_VT, SW_VH, SW_GON, SW_GOFF, SW_CP, SW_CN, SW_ON) = range(8)
SW_NPAR = 8
KIND_S, KIND_W = 0.0, 1.0
# state columns: the state and the control value of the present iterate (0, 1), of the
# last accepted point (2, 3); FRESH: the next evaluation is a time point's first
(ST_STATE, ST_CTRL, ST_STATE1, ST_CTRL1, ST_FRESH) = range(5)
SW_NSTATE = 5

REALLY_OFF, REALLY_ON, HYST_OFF, HYST_ON = 0.0, 1.0, 2.0, 3.0


@njit(cache=True)
def _initial(ctrl, vt, vh, on):
    """MODEINITJCT: the ON flag decides, the band counts as the flag's side."""
    if on != 0.0:
        if (vh >= 0.0 and ctrl > vt + vh) or (vh < 0.0 and ctrl > vt - vh):
            return REALLY_ON
        return HYST_ON
    if (vh >= 0.0 and ctrl < vt - vh) or (vh < 0.0 and ctrl < vt + vh):
        return REALLY_OFF
    return HYST_OFF


@njit(cache=True)
def _decide(ctrl, vt, vh, keep, previous, negative_from_on):
    """The state for control value ctrl: beyond the band ON or OFF; inside it, with a
    positive hysteresis `keep`; with a negative one, from `previous` (the last accepted
    state): kept if it was in the band, else the state `negative_from_on` /
    its opposite for a switch coming from REALLY_ON / REALLY_OFF."""
    if vh > 0.0:
        if ctrl > vt + vh:
            return REALLY_ON
        if ctrl < vt - vh:
            return REALLY_OFF
        return keep
    if ctrl > vt - vh:
        return REALLY_ON
    if ctrl < vt + vh:
        return REALLY_OFF
    if previous == HYST_OFF or previous == HYST_ON:
        return previous
    if previous == REALLY_ON:
        return negative_from_on
    return HYST_ON if negative_from_on == HYST_OFF else REALLY_ON


@njit(cache=True)
def switch_load(x, grp, mode, gmin, out):
    """Stamp every switch's conductance after deciding its state (mode 1: the ON/OFF flag
    at the first iteration of an operating point; mode 2: the last accepted state, as
    ngspice's MODEINITSMSIG; mode 0: the hysteresis rules). Returns the number of switches
    whose state changed in this iteration."""
    nodes, par, state, pos = grp.nodes, grp.par, grp.state, grp.pos
    gdata = out.data
    nchanged = 0
    for d in range(nodes.shape[0]):
        cp = int(par[d, SW_CP])
        cn = int(par[d, SW_CN])
        ctrl = (x[cp] if cp >= 0 else 0.0) - (x[cn] if cn >= 0 else 0.0)
        vt = par[d, SW_VT]
        vh = par[d, SW_VH]
        is_s = par[d, SW_KIND] == KIND_S
        old = state[d, ST_STATE]
        previous = state[d, ST_STATE1]
        if mode == 1:
            cur = _initial(ctrl, vt, vh, par[d, SW_ON])
        elif mode == 2:
            # MODEINITSMSIG (AC, noise): ngspice takes the state of the last accepted point
            # (time or sweep point), which an operating point leaves at REALLY_OFF
            g = par[d, SW_GON] if previous == REALLY_ON or previous == HYST_ON \
                else par[d, SW_GOFF]
            _stamp(pos, d, g, gdata)
            continue
        elif state[d, ST_FRESH] != 0.0:
            # MODEINITPRED: ngspice reads the control of the last accepted point (and
            # swload.c sends a negative-hysteresis switch from REALLY_ON to REALLY_OFF)
            state[d, ST_FRESH] = 0.0
            ctrl = state[d, ST_CTRL1]
            cur = _decide(ctrl, vt, vh, previous, previous,
                          REALLY_OFF if is_s else HYST_OFF)
        else:
            keep = old if is_s else previous
            cur = _decide(ctrl, vt, vh, keep, previous, HYST_OFF)
            if cur != old:
                nchanged += 1
        state[d, ST_STATE] = cur
        state[d, ST_CTRL] = ctrl
        g = par[d, SW_GON] if cur == REALLY_ON or cur == HYST_ON else par[d, SW_GOFF]
        _stamp(pos, d, g, gdata)
    return nchanged


@njit(cache=True)
def _stamp(pos, d, g, gdata):
    for k in range(4):
        p = pos[d, k]
        if p >= 0:
            gdata[p] += g if k == 0 or k == 3 else -g


@njit(cache=True)
def switch_begin_point(state):
    """Before the Newton iterations of a time point: they start from the state of the last
    accepted point, and the first reads its control value (MODEINITPRED)."""
    for d in range(state.shape[0]):
        state[d, ST_STATE] = state[d, ST_STATE1]
        state[d, ST_FRESH] = 1.0


@njit(cache=True)
def switch_commit(state):
    """An accepted point (or the initial operating point) becomes the last accepted one."""
    for d in range(state.shape[0]):
        state[d, ST_STATE1] = state[d, ST_STATE]
        state[d, ST_CTRL1] = state[d, ST_CTRL]
        state[d, ST_FRESH] = 0.0


@njit(cache=True)
def switch_max_step(par, state, delta):
    """swtrunc.c: a voltage-controlled switch whose control moved towards its switching
    level in the last step (delta) limits the next step so that the control covers at most
    3/4 of the remaining distance (plus 50 mV). The state is tested against REALLY_OFF
    only, as swtrunc.c does (a HYST_OFF switch is treated as closed). Current-controlled
    switches do not limit the step (cswload.c keeps no control value for it)."""
    best = np.inf
    for d in range(par.shape[0]):
        if par[d, SW_KIND] != KIND_S:
            continue
        c0 = state[d, ST_CTRL]
        change = c0 - state[d, ST_CTRL1]
        if state[d, ST_STATE] == REALLY_OFF:
            ref = par[d, SW_VT] + par[d, SW_VH]
            if c0 < ref and change > 0.0:
                best = min(best, ((ref - c0) * 0.75 + 0.05) / change * delta)
        else:
            ref = par[d, SW_VT] - par[d, SW_VH]
            if c0 > ref and change < 0.0:
                best = min(best, ((ref - c0) * 0.75 - 0.05) / change * delta)
    return best
