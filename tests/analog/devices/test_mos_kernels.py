"""The MOS load loops written once: levels 2 and 3 share mos_kernels.mos23_load (the level
picks the drain current and the bulk diode), and mos1_load and the incremental assembly's
_mos1_inc are one loop (mos1_kernels._mos1_inc, `inc` None or not) compiled for each."""

from __future__ import annotations

import numpy as np

from edapipe.analog.analyses import Simulator, _incremental
from edapipe.analog.circuit import flatten
from edapipe.analog.devices import mos1_kernels as K1
from edapipe.analog.devices import mos2_kernels as K2
from edapipe.analog.devices import mos3_kernels as K3
from edapipe.analog.devices import mos_common_kernels as K
from edapipe.analog.devices import mos_kernels as KM
from edapipe.analog.devices.common_kernels import Stamps
from edapipe.analog.parser import parse_deck

_MODELS = {
    "n1": "NMOS (LEVEL=1 VTO=0.7 KP=110u GAMMA=0.4 PHI=0.7 LAMBDA=0.04 CJ=0.2m PB=0.8)",
    "p1": "PMOS (LEVEL=1 TOX=20n VTO=-0.7 KP=50u GAMMA=0.5 PHI=0.7 LAMBDA=0.05 CGSO=0.3n "
          "CGDO=0.3n CGBO=0.1n CJ=0.3m PB=0.8)",
    "n2": "NMOS (LEVEL=2 TOX=20n NSUB=1e16 NFS=1e11 UO=600 VMAX=1e5 XJ=0.2u VTO=0.7 "
          "CGSO=0.3n CJ=0.2m CJSW=1n MJSW=0.3)",
    "p2": "PMOS (LEVEL=2 TOX=20n NSUB=1e16 UO=250 VTO=-0.7 LAMBDA=0.05 CJ=0.3m)",
    "n3": "NMOS (LEVEL=3 TOX=20n NSUB=1e16 NFS=1e11 UO=600 VMAX=1e5 XJ=0.2u ETA=0.05 "
          "THETA=0.1 KAPPA=0.5 VTO=0.7 CGSO=0.3n CJ=0.2m CJSW=1n MJSW=0.3)",
    "p3": "PMOS (LEVEL=3 TOX=20n NSUB=1e16 UO=250 XJ=0.2u THETA=0.05 VTO=-0.7 CJ=0.3m)",
}


def _chain(levels: str, stages: int = 6):
    """An inverter chain whose stage i uses the models of levels[i % len(levels)]: the MNA
    system's MOS group (rows in netlist order) and the system."""
    lines = ["* chain", "vdd vdd 0 3.3", "vin n0 0 0"]
    for i in range(1, stages + 1):
        lv = levels[(i - 1) % len(levels)]
        lines += [f"mp{i} n{i} n{i - 1} vdd vdd p{lv} w=4u l=1u",
                  f"mn{i} n{i} n{i - 1} 0 0 n{lv} w=2u l=1u", f"c{i} n{i} 0 20f"]
    lines += [f".model {name} {card}" for name, card in _MODELS.items()]
    lines += [".op", ".end"]
    sys_ = Simulator(flatten(parse_deck("\n".join(lines) + "\n", "chain.cir"))).sys
    return next(g for g in sys_.groups if g.kind == "m").arrays(), sys_


def _copy(grp):
    return type(grp)(*[a.copy() for a in grp])


def _stamps(sys_):
    nnz, n = len(sys_.gdata), sys_.size
    return Stamps(np.zeros(nnz), np.zeros(nnz), np.zeros(n), np.zeros(n), np.zeros(n))


def _iterates(n, count, seed):
    """Newton-like iterates: random jumps, then small moves (some within the bypass
    tolerances, so that bypassed devices occur)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 3.3, n)
    out = []
    for i in range(count):
        if i % 5 == 0:
            x = rng.uniform(0.0, 3.3, n)
        else:
            x = x + rng.standard_normal(n) * 10.0 ** rng.uniform(-9, -3)
        out.append(x.copy())
    return out


def test_level23_columns_coincide():
    """mos23_load reads VTO and the sidewall columns at one place for both levels."""
    assert KM.M23_VTO == K2.M2_VTO == K3.M3_VTO
    assert KM.M23_CBSSW == K2.M2_CBSSW == K3.M3_CBSSW
    assert KM.M23_CBDSW == K2.M2_CBDSW == K3.M3_CBDSW
    assert KM.M23_MJSW == K2.M2_MJSW == K3.M3_MJSW


def test_meyer_oriented_swaps_source_and_drain():
    rng = np.random.default_rng(3)
    for _ in range(500):
        vgs, vgd, von = rng.uniform(-2, 3, 3)
        vdsat = rng.uniform(0, 2)
        phi, cox = rng.uniform(0.5, 0.9), rng.uniform(1e-15, 1e-13)
        split = bool(rng.integers(2))
        assert (K._meyer_oriented(True, vgs, vgd, von, vdsat, phi, cox, split)
                == K._meyer(vgs, vgd, von, vdsat, phi, cox, split))
        cgd, cgs, cgb = K._meyer(vgd, vgs, von, vdsat, phi, cox, split)
        assert K._meyer_oriented(False, vgs, vgd, von, vdsat, phi, cox, split) == (cgs, cgd,
                                                                                   cgb)


def test_far_is_the_newton_tolerance_on_vgs_and_vds():
    """mos23_load counts a device as limited when fetlim/limvds moved vgs or vds beyond
    RELTOL * max(|new|, |old|) + VNTOL (1e-3, 1e-6 V)."""
    assert not KM._far(1.0, 1.0, 2.0, 2.0)
    assert not KM._far(1.0 + 1.0009e-3, 1.0, 2.0, 2.0)
    assert KM._far(1.0 + 1.0025e-3, 1.0, 2.0, 2.0)
    assert not KM._far(0.0, 0.9e-6, -1.0, -1.0)
    assert KM._far(0.0, 1.1e-6, -1.0, -1.0)
    assert KM._far(1.0, 1.0, 2.0, 2.0 - 2.5e-3)
    assert not KM._far(1.0, 1.0, 2.0, 2.0 - 1.9e-3)


def test_mos23_load_evaluates_only_its_level():
    grp, sys_ = _chain("123", 6)
    level = grp.par[:, K.M_LEVEL]
    x = np.linspace(0.1, 3.2, sys_.size)
    for lv in (2.0, 3.0):
        g = _copy(grp)
        out = _stamps(sys_)
        KM.mos23_load(x, g, 0, 1e-12, out, lv)
        mine = level == lv
        assert mine.sum() == 4
        assert np.array_equal(g.state[~mine], grp.state[~mine])
        assert np.all(g.state[mine, 1] != 0.0)             # vgs kept for the rows evaluated
        assert np.any(out.data != 0.0) and np.any(out.qact != 0.0)


def test_mos_load_is_the_three_loops_in_order():
    grp, sys_ = _chain("123", 6)
    for x in _iterates(sys_.size, 6, 1):
        a, b = _copy(grp), _copy(grp)
        oa, ob = _stamps(sys_), _stamps(sys_)
        na = KM.mos_load(x, a, 0, 1e-12, oa)
        nb = (KM.mos23_load(x, b, 0, 1e-12, ob, 2.0) + KM.mos23_load(x, b, 0, 1e-12, ob, 3.0)
              + K1.mos1_load(x, b, 0, 1e-12, ob))
        assert na == nb
        for u, v in zip(oa, ob):
            assert np.array_equal(u, v)
        assert np.array_equal(a.state, b.state)


def test_mos1_inc_first_stamps_as_mos1_load():
    """_mos1_inc with `first` stamps what mos1_load stamps, bit for bit, and leaves the same
    state over a run of iterates with bypassed devices; without `first` it stamps nothing,
    and it lists the devices it evaluated."""
    grp, sys_ = _chain("1", 12)
    a, b = _copy(grp), _copy(grp)
    inc = _incremental(sys_)
    assert inc.on
    bypassed = 0
    for i, x in enumerate(_iterates(sys_.size, 40, 2)):
        mode = 1 if i == 0 else 0
        oa, ob = _stamps(sys_), _stamps(sys_)
        na = K1.mos1_load(x, a, mode, 1e-12, oa)
        nb, nev = K1._mos1_inc(x, b, mode, 1e-12, ob, True, inc)
        assert na == nb
        for u, v in zip(oa, ob):
            assert np.array_equal(u, v)
        assert np.array_equal(a.state, b.state) and np.array_equal(a.qdev, b.qdev)
        assert sorted(inc.evl[:nev]) == [d for d in range(len(grp.nodes)) if not inc.byp[d]]
        bypassed += len(grp.nodes) - nev
        oc = _stamps(sys_)
        K1._mos1_inc(x, _copy(b), 0, 1e-12, oc, False, _incremental(sys_))
        assert not any(np.any(u) for u in oc)
    assert bypassed > 0
