"""The MOS bypass slack of device_kernels: a device skipped by its slack would have passed
both of ngspice's bypass tests."""

from __future__ import annotations

import numpy as np

from edapipe.analog.devices import mos1_kernels as K
from edapipe.analog.devices.mos_common_kernels import BYPASS_AT, M_NSTATE

_O = BYPASS_AT
_OV = _O + 2 * 16 + 2 * 4          # the remembered terminal voltages (vds, vgs, -, vbs)


def _voltage_test(vn, vo):
    return abs(vn - vo) <= 1e-3 * max(abs(vn), abs(vo)) + 1e-6


def _device(rng):
    """A remembered linearisation (G rows, currents, voltages) and voltages that pass."""
    st = np.zeros((1, M_NSTATE))
    g = rng.standard_normal((4, 4)) * 10.0 ** rng.uniform(-7, -3)
    st[0, _O:_O + 16] = g.ravel()
    st[0, _O + 32:_O + 36] = rng.standard_normal(4) * 10.0 ** rng.uniform(-6, -3)
    v = rng.uniform(-3.3, 3.3, 3)
    st[0, _OV], st[0, _OV + 1], st[0, _OV + 3] = v
    return st


def _passes(st, xd, xg, xs, xb, vo):
    vds, vgs, vbs = xd - xs, xg - xs, xb - xs
    if not all(_voltage_test(a, b) for a, b in zip((vbs, vgs, vds), vo)):
        return False
    return K._bypass_test.py_func(4, st, 0, vds, vgs, vbs)


def test_moves_within_the_slack_keep_both_bypass_tests_passing():
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(3000):
        st = _device(rng)
        xs = rng.uniform(-1, 1)
        vds, vgs, vbs = st[0, _OV], st[0, _OV + 1], st[0, _OV + 3]
        # the present voltages: near the remembered ones, within the tolerances or not
        scale = 10.0 ** rng.uniform(-9, -5)
        xd, xg, xb = (xs + vds + rng.standard_normal() * scale,
                      xs + vgs + rng.standard_normal() * scale,
                      xs + vbs + rng.standard_normal() * scale)
        vo = (vbs, vgs, vds)          # the state's voltages of the last evaluation
        if not _passes(st, xd, xg, xs, xb, vo):
            continue
        s = K._bypass_slack.py_func(4, st, 0, xd - xs, xg - xs, xb - xs, xb - xs, xg - xs,
                                    xd - xs, *vo)
        if s <= 0:
            continue
        # a sequence of moves as _mos1_inc takes them: each at most half what is left
        left = s
        x = np.array([xd, xg, xs, xb])
        for _ in range(4):
            mv = left * rng.uniform(0, 0.5)
            x = x + rng.uniform(-1, 1, 4) * mv
            left -= mv
            assert _passes(st, x[0], x[1], x[2], x[3], vo)
            checked += 1
    assert checked > 2000


def test_no_slack_where_rounding_decides():
    """A voltage test passed by less than an ulp (the drain node on a rounding tie) gives
    no slack: a move of 1e-32 V can change the computed vds by an ulp of it."""
    xs, xg, xb = -1.0, 0.5, -1.0
    xd = 2.0 ** -53
    vds, vgs, vbs = xd - xs, xg - xs, xb - xs
    vds_o = 0.9989990000000002
    st = np.zeros((1, M_NSTATE))
    st[0, _OV], st[0, _OV + 1], st[0, _OV + 3] = vds, vgs, vbs
    assert _voltage_test(vds, vds_o)
    assert K._bypass_slack.py_func(4, st, 0, vds, vgs, vbs, vbs, vgs, vds, vbs, vgs,
                                   vds_o) == -1.0
