"""Switches (letters S and W, ngspice's sw and csw models): model parameters, set-up, the
time-step limit at a switching point, noise and the family entry of the device table. The
load kernel (the hysteresis state machine) is switch_kernels.switch_load.

    S1 n+ n- nc+ nc- model [ON|OFF]      .model model SW(VT= VH= RON= ROFF=)
    W1 n+ n- vcontrol model [ON|OFF]     .model model CSW(IT= IH= RON= ROFF=)

Defaults as ngspice: threshold and hysteresis 0, RON 1 ohm, ROFF 1/GMIN.
"""

from __future__ import annotations

import numpy as np

from edapipe.analog.devices import switch_kernels as K
from edapipe.analog.devices.noise import thermal
from edapipe.analog.devices.passive import control
from edapipe.analog.devices.switch_kernels import switch_load
from edapipe.analog.devices.table import DeviceGroup, Family, no_branch

# the model parameters of sw.c / csw.c (the threshold and hysteresis under their names)
_PARAMS = {"sw": ("vt", "vh"), "csw": ("it", "ih")}


def _row(e, gmin: float) -> np.ndarray:
    kind = e.model.kind
    thr, hyst = _PARAMS[kind]
    p = dict(e.model.params)
    for key in p:
        if key not in (thr, hyst, "ron", "roff"):
            raise e.card.error(f"element {e.name} (model {e.model.name}): {kind.upper()} "
                               f"model parameter '{key}' is not supported (it reads "
                               f"{thr.upper()} {hyst.upper()} RON ROFF)")
    for key in ("ron", "roff"):
        if key in p and not p[key] > 0.0:
            raise e.card.error(f"element {e.name} (model {e.model.name}): {key.upper()} = "
                               f"{p[key]:g} must be positive")
    row = np.zeros(K.SW_NPAR)
    row[K.SW_KIND] = K.KIND_S if e.letter == "S" else K.KIND_W
    row[K.SW_VT] = p.get(thr, 0.0)
    row[K.SW_VH] = p.get(hyst, 0.0)
    row[K.SW_GON] = 1.0 / p["ron"] if "ron" in p else 1.0
    row[K.SW_GOFF] = 1.0 / p["roff"] if "roff" in p else gmin
    row[K.SW_ON] = e.params.get("on", 0.0)
    return row


def setup(e, bld, ctx):
    gmin = float(ctx.options.get("gmin", 1e-12))
    row = _row(e, gmin)
    nodes = [bld.node(n) for n in e.nodes]
    return (e, nodes[:2], row, nodes[2:], nodes[:2])


def stamp(items, bld, sysm):
    """The switches' group: terminals (n+, n-) with their 2x2 entries; the control (S: its
    two nodes, W: the controlling source's branch row) in the parameter row."""
    if not items:
        return None
    for e, term, row, ctrl, _ in items:
        for a in term:
            for b in term:
                bld.entry(a, b)
        if e.letter == "S":
            row[K.SW_CP], row[K.SW_CN] = ctrl
        else:
            row[K.SW_CP], row[K.SW_CN] = control(e, sysm.branch, bld.by_name), -1
    nodes = np.array([it[1] for it in items], dtype=np.int64)
    par = np.array([it[2] for it in items])
    state = np.zeros((len(items), K.SW_NSTATE))
    return DeviceGroup(FAMILY.kind, switch_load, [it[0].name for it in items], nodes, par,
                       state, qdev=np.zeros((len(items), 2)), items=items)


# per time point: numba kernels (numpy's per-call overhead on these few rows made the
# step limit alone ~40 % of a relaxation oscillator's run)
begin_point = K.switch_begin_point
commit = K.switch_commit
max_step = K.switch_max_step


def sweep_point(groups, done: bool) -> None:
    """A DC sweep point of a circuit with switches: before its Newton iterations
    (done=False) they start from the last point's state; once it has converged (done=True)
    it becomes the last point (ngspice's dctrcurv.c rotates the states after every point,
    so a switch in its hysteresis band keeps the state the sweep brought it in with)."""
    for g in groups:
        if g.kind == FAMILY.kind:
            (commit if done else begin_point)(g.state)


def noise(grp, x, temp_k, gmin):
    """swnoise.c: the thermal noise of the conductance the small-signal load stamps (the
    state of the last accepted time point, see switch_load's mode 2)."""
    out = []
    for d, (e, term, _, _, _) in enumerate(grp.items):
        on = grp.state[d, K.ST_STATE1] in (K.REALLY_ON, K.HYST_ON)
        g = grp.par[d, K.SW_GON] if on else grp.par[d, K.SW_GOFF]
        out.append(thermal(e.name, term[0], term[1], g, temp_k))
    return out


FAMILY = Family("switch", "SW", setup, no_branch, stamp, kind="s", load=switch_load,
                terminals=2, npar=K.SW_NPAR, nstate=K.SW_NSTATE, noise=noise)
