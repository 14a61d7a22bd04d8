"""The MOS group's load kernel: levels 1, 2 and 3 share one group (one parameter-row layout,
one state layout), each row evaluated by its level's kernel."""

from __future__ import annotations

from edapipe.util.jit import njit

from edapipe.analog.devices.mos1_kernels import mos1_load
from edapipe.analog.devices.mos2_kernels import has_level2, mos2_load
from edapipe.analog.devices.mos3_kernels import has_level3, mos3_load


@njit(cache=True)
def mos_load(x, grp, mode, gmin, out):
    """Level-2 rows first, then level-3, then level-1 rows (the order of the stamps'
    sums)."""
    nlim = 0
    if has_level2(grp.par):
        nlim += mos2_load(x, grp, mode, gmin, out)
    if has_level3(grp.par):
        nlim += mos3_load(x, grp, mode, gmin, out)
    nlim += mos1_load(x, grp, mode, gmin, out)
    return nlim
