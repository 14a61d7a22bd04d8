"""The MOS group's load kernel: levels 1, 2 and 3 share one group (one parameter-row layout,
one state layout), each row evaluated by its level's kernel. Levels 2 and 3 share one load
loop (`mos23_load`): their per-device steps (bias with limiting, bulk junctions and depletion
charges, Meyer charges, the stamps) are the same; only the drain current and the reverse
bulk diode differ, chosen per row by the level."""

from __future__ import annotations

from edapipe.util.jit import njit

from edapipe.analog.devices.common_kernels import _flip, _scratch, _stamp_at
from edapipe.analog.devices.mos1_kernels import _mos1_inc
from edapipe.analog.devices.mos2_kernels import (
    MAGIC_VDS, _bulk_depletion, has_level2, mos2_ids)
from edapipe.analog.devices.mos3_kernels import _mos3_junction, has_level3, mos3_ids
from edapipe.analog.devices.mos_common_kernels import (
    BYPASS_OK, M2_FIRST, M_CBD, M_CBS, M_CGBO, M_CGDO, M_CGSO, M_COX, M_FC, M_ISD, M_ISS,
    M_LEVEL, M_MJ, M_PB, M_PHI, M_TYPE, M_VCRITD, M_VCRITS, M_VT, _meyer_charges,
    _meyer_oriented, _mos_bulk_charges, _mos_companion, _mos_junction, _mos_limit,
    _mos_start, _mos_terminals)

# the level-2 and level-3 columns the shared loop reads sit at the same places in both
# layouts (mos2_kernels.M2_*, mos3_kernels.M3_*; tests/analog/devices/test_mos_kernels.py)
M23_VTO = M2_FIRST
M23_CBSSW = M2_FIRST + 14
M23_CBDSW = M2_FIRST + 15
M23_MJSW = M2_FIRST + 16


@njit(cache=True)
def _junction23(level, v, vt, isat, gmin):
    """A bulk diode of a level-2 or level-3 row (conductance, current): level 3 has its
    own reverse branch (mos3load.c)."""
    if level == 2.0:
        return _mos_junction(v, vt, isat, gmin)
    return _mos3_junction(v, vt, isat, gmin)


@njit(cache=True)
def _far(vgs, vgs_x, vds, vds_x):
    """Whether fetlim/limvds moved vgs or vds (from vgs_x, vds_x) beyond the Newton
    tolerance: ngspice does not count those steps as limiting, but its device current test
    (MOS2convTest/MOS3convTest) then rejects the iterate; we have no such test, so the
    level-2/3 loop counts the device as limited."""
    return (abs(vgs - vgs_x) > 1e-3 * max(abs(vgs), abs(vgs_x)) + 1e-6
            or abs(vds - vds_x) > 1e-3 * max(abs(vds), abs(vds_x)) + 1e-6)


@njit(cache=True)
def mos23_load(x, grp, mode, gmin, out, level):
    """The rows of one level (2.0 or 3.0) of a MOS group: terminals (d', g, s', b), the
    state layout of mos1_load (vbs vgs vds von off | Meyer half capacitances, last point,
    phase). Returns the number of devices whose junction voltage was limited. One loop for
    both levels: the level picks the drain current and the bulk diode per row (a branch
    on a loop constant; a loop per level would write these steps twice). The steps it calls
    per device take scalars or the arrays the loop itself holds (no wrapper that passes an
    array on: that cost 20-25 % on the 50-stage chains)."""
    nodes, par, state, qdev = grp.nodes, grp.par, grp.state, grp.qdev
    k = 4
    G, C, I, Q, v = _scratch(k)
    nlim = 0
    for d in range(nodes.shape[0]):
        if par[d, M_LEVEL] != level:
            continue
        typ = par[d, M_TYPE]
        vt = par[d, M_VT]
        vdx, vgx, vbx = _mos_terminals(x, nodes, d)
        vbs, vgs, vds = _mos_start(typ, vdx, vgx, vbx, mode, state[d, 4], par[d, M23_VTO])
        if mode == 0:
            vgs_x = vgs
            vds_x = vds
            vgs, vds, vbs, lim = _mos_limit(vgs, vds, vbs, state, d, vt, par[d, M_VCRITS],
                                            par[d, M_VCRITD])
            if lim or _far(vgs, vgs_x, vds, vds_x):
                nlim += 1
        vbd = vbs - vds
        vgd = vgs - vds
        vgb = vgs - vbs
        state[d, 0] = vbs
        state[d, 1] = vgs
        state[d, 2] = vds
        state[d, BYPASS_OK] = 0.0
        # bulk junctions
        gbs, cbs = _junction23(level, vbs, vt, par[d, M_ISS], gmin)
        gbd, cbd = _junction23(level, vbd, vt, par[d, M_ISD], gmin)
        # the drain current in normal mode, or reversed: ids(vgd, vsd, vbd)
        normal = vds >= 0.0
        lvgs, lvds, lvbs = (vgs, vds, vbs) if normal else (vgd, -vds, vbd)
        if level == 2.0:
            ids, gm, gds, gmbs, von, vdsat = mos2_ids(lvgs, lvds, lvbs, par, d)
        else:
            ids, gm, gds, gmbs, von, vdsat = mos3_ids(lvgs, lvds, lvbs, par, d)
        state[d, 3] = von
        _mos_companion(normal, (ids, gm, gds, gmbs), (gbs, cbs, gbd, cbd),
                       (vds, vgs, vbs), G, C, I, v)
        # bulk depletion charges: bottom (MJ) and sidewall (MJSW)
        pb, mj, mjsw, fc = par[d, M_PB], par[d, M_MJ], par[d, M23_MJSW], par[d, M_FC]
        qbs, cbs_c = _bulk_depletion(par[d, M_CBS], par[d, M23_CBSSW], pb, mj, mjsw, fc, vbs)
        qbd, cbd_c = _bulk_depletion(par[d, M_CBD], par[d, M23_CBDSW], pb, mj, mjsw, fc, vbd)
        _mos_bulk_charges(qbs, cbs_c, qbd, cbd_c, Q, C)
        # Meyer gate capacitances (DEVqmeyer: vdsat floored, the transition region
        # split), integrated incrementally as ngspice does
        cgs_h, cgd_h, cgb_h = _meyer_oriented(normal, vgs, vgd, von, max(vdsat, MAGIC_VDS),
                                              par[d, M_PHI], par[d, M_COX], True)
        qgs, qgd, qgb = _meyer_charges(state, d, cgs_h, cgd_h, cgb_h, vgs, vgd, vgb, Q, C)
        _flip(k, typ, I, Q, v)
        _stamp_at(k, grp, d, G, C, I, Q, v, out)
        # gate charges for the truncation-error control: Meyer plus overlap (the overlap
        # capacitors themselves are stamped as linear ones)
        qdev[d, 0] = typ * (qgs + par[d, M_CGSO] * vgs)
        qdev[d, 1] = typ * (qgd + par[d, M_CGDO] * vgd)
        qdev[d, 2] = typ * (qgb + par[d, M_CGBO] * vgb)
        qdev[d, 3] = 0.0
    return nlim


@njit(cache=True)
def mos_load(x, grp, mode, gmin, out):
    """Level-2 rows first, then level-3, then level-1 rows (the order of the stamps'
    sums)."""
    nlim = 0
    if has_level2(grp.par):
        nlim += mos23_load(x, grp, mode, gmin, out, 2.0)
    if has_level3(grp.par):
        nlim += mos23_load(x, grp, mode, gmin, out, 3.0)
    nlim += _mos1_inc(x, grp, mode, gmin, out, True, None)[0]     # mos1_load, inlined
    return nlim
