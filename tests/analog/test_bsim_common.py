"""The pieces BSIM3 and BSIM4 share (devices/bsim_common_kernels.py, bsim_common_params.py):
their contracts on their own; the models' use of them is covered by test_bsim3/test_bsim4."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.devices import bsim_common_kernels as C
from edapipe.analog.devices import bsim_common_params as P


def test_vdseffcv_follows_vds_below_vdsat_and_vdsat_above():
    vdsat = 1.0 + 0j
    assert abs(C._vdseffcv(vdsat, 0.1 + 0j) - 0.1) < 0.01       # smoothing DELTA_4 = 0.02
    assert abs(C._vdseffcv(vdsat, 3.0 + 0j) - 1.0) < 0.01
    assert C._vdseffcv(vdsat, 0.5 + 0j).real < C._vdseffcv(vdsat, 0.6 + 0j).real
    # exactly zero (real part) at Vds = 0, the complex step's part kept
    v = C._vdseffcv(vdsat, 1e-20j)
    assert v.real == 0.0 and v.imag != 0.0


def test_vfbeff_limits_the_flat_band_voltage_by_vgs_minus_vbs():
    vfb = -0.9
    assert abs(C._vfbeff(vfb, -3.0 + 0j, 0j) - (-3.0)) < 0.05    # accumulation: Vgs - Vbs
    assert abs(C._vfbeff(vfb, 2.0 + 0j, 0j) - vfb) < 0.01        # depletion: Vfb


def test_centroid_cox_is_the_oxide_in_series_with_the_layer():
    cox = 3.45e-3
    assert abs(C._centroid_cox(cox, 1e-15 + 0j) - cox) < 1e-6 * cox
    ccen = C.EPSSI / 1e-9
    assert abs(C._centroid_cox(cox, 1e-9 + 0j) - cox * ccen / (cox + ccen)) < 1e-12 * cox


def test_limits_are_continuous_at_their_knees():
    for t5 in (-0.8 + 1e-12, -0.8 - 1e-12):
        assert abs(C._mobility_denominator(t5 + 0j) - 0.2) < 1e-9
    a, a0 = C._abulk_limits(0.1 + 1e-12 + 0j, 0.1 - 1e-12 + 0j, 0j)
    assert abs(a - a0) < 1e-9 and abs(a - 0.1) < 1e-9


@pytest.mark.parametrize("xpart", [0.0, 0.4, 0.5, 1.0])
def test_long_channel_charges_are_neutral_and_partitioned(xpart):
    """capMod 0: the source charge is the rest; at saturation the drain takes 0 %, 40 % or
    50 % of the inversion charge by XPART."""
    args = dict(coxwl=1e-15, k1ox=0.5, phi=0.8, vfb=-0.9, xpart=xpart, vbseffcv=0j,
                sqrtphis=np.sqrt(0.8) + 0j, vgs_eff=1.5 + 0j, abulkcv=1.2 + 0j)
    qg, qb, qd = C._long_channel_charges(*args.values(), 2.0 + 0j)
    vth = -0.9 + 0.8 + 0.5 * np.sqrt(0.8)
    t2 = -2.0 / 3.0 * 1e-15 * (1.5 - vth)
    share = 0.0 if xpart > 0.5 else (0.4 if xpart < 0.5 else 0.5)
    assert abs(qd - share * t2) < 1e-9 * abs(t2)
    assert abs(qg + qb - (-t2)) < 1e-9 * abs(t2)
    # the linear-region charges meet the saturated ones at Vds = Vdsat
    vdsat = (1.5 - vth) / 1.2
    sat = C._long_channel_charges(*args.values(), vdsat + 1e-9 + 0j)
    lin = C._long_channel_charges(*args.values(), vdsat - 1e-9 + 0j)
    for a, b in zip(sat, lin):
        assert abs(a - b) < 1e-6 * abs(t2)


def test_card_helpers():
    with pytest.raises(ValueError, match=r"BSIM4 CAPMOD = 3 \(why\) is not implemented"):
        P.check_modes("BSIM4", {"capmod": 3.0}, {"capmod": (0.0, 1.0)}, {"capmod": "why"})
    P.check_modes("BSIM3", {"capmod": 1.0}, {"capmod": (0.0, 1.0)}, {})
    assert P.canonical_key("lvth0", {}, {"vth0": 0.7}, {}, set(), "BSIM3") == "lvth0"
    with pytest.raises(ValueError, match="BSIM3 model parameter 'zz' is not supported"):
        P.canonical_key("zz", {}, {"vth0": 0.7}, {}, set(), "BSIM3")
    p = {k: 0.0 for k in ("ll", "lw", "lwl", "llc", "lwc", "lwlc", "wl", "ww", "wwl")}
    p.update(lint=1e-8, dlc=2e-8, wint=3e-8, lln=1.0, lwn=1.0, wln=1.0, wwn=1.0)
    dl, dlc, dw, _, _ = P.length_width_offsets(p, 1e-6, 2e-6)
    assert (dl, dlc, dw) == (1e-8, 2e-8, 3e-8)
    s = {"nsub": 1e17, "ngate": 0.0, "xj": 1e-7, "dvt1": 0.5, "dvt1w": 1.0, "w0": 1e-6,
         "weff": 1e-6, "dsub": 0.5, "b1": 0.0, "u0temp": 0.04, "delta": 0.01,
         "vsattemp": 8e4, "pclm": 1.3, "drout": 0.56}
    P.raise_fatal("BSIM3", P.common_fatal(s))
    s["xj"] = 0.0
    with pytest.raises(ValueError, match="BSIM4 parameter check: XJ = 0 is not positive"):
        P.raise_fatal("BSIM4", P.common_fatal(s))
