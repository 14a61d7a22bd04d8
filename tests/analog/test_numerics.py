"""Analytic checks of the engine: RC step (trapezoidal and Gear), RC low-pass AC, coupled
inductors, the diode equation and the BJT in forward active mode."""

from __future__ import annotations

import math

import numpy as np
import pytest

from edapipe.analog.circuit import flatten
from edapipe.analog.devices.physics import vt_of
from edapipe.analog.parser import parse_deck
from edapipe.analog.spice import simulate


def run(text):
    res = simulate(flatten(parse_deck(text, "t.cir"))).results
    return res[0] if len(res) == 1 else res


@pytest.mark.parametrize("method", ["trap", "gear"])
def test_rc_step_response(method):
    res = run(f"rc\n.options method={method}\nV1 in 0 PWL(0 0 1n 1)\nR1 in out 1k\n"
              "C1 out 0 1n\n.tran 0.1u 10u\n.end\n")
    t = res.scale
    v = res.data[:, res.names.index("v(out)")]
    tau = 1e-6
    # ramp of 1 ns then a step: exact solution after the ramp is close to 1 - exp(-t/tau)
    exact = 1 - np.exp(-(t - 0.5e-9) / tau)
    late = t > 0.1e-6
    assert np.max(np.abs(v[late] - exact[late])) < 2e-3


def test_rc_lowpass_ac_matches_formula():
    res = run("lp\nV1 in 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n.ac dec 10 10 100k\n.end\n")
    f = res.scale
    h = res.data[:, res.names.index("v(out)")]
    assert np.allclose(h, 1 / (1 + 2j * np.pi * f * 1e-3), rtol=1e-9)


def test_coupled_inductors_ac():
    res = run("k\nV1 s 0 AC 1\nR1 s a 1\nL1 a 0 1m\nL2 b 0 4m\nK1 L1 L2 0.5\nR2 b 0 1meg\n"
              ".ac lin 1 1k 1k\n.end\n")
    # nearly open secondary: v(b)/v(a) = M/L1 = k*sqrt(L2/L1) = 1
    ratio = res.data[0, res.names.index("v(b)")] / res.data[0, res.names.index("v(a)")]
    assert abs(ratio) == pytest.approx(1.0, rel=1e-3)


def test_diode_equation():
    res = run("d\nI1 0 a 1m\nD1 a 0 dm\n.model dm D(IS=1e-14 N=1.5)\n.op\n.end\n")
    v = res.data[0, res.names.index("v(a)")]
    vt = vt_of(27.0)
    assert v == pytest.approx(1.5 * vt * math.log(1e-3 / 1e-14 + 1), rel=1e-6)


def test_bjt_forward_active_beta():
    res = run("q\nVCC c 0 5\nIB 0 b 10u\nQ1 c b 0 qm\n.model qm NPN(BF=120 IS=1e-15)\n"
              ".op\n.end\n")
    ic = -res.data[0, res.names.index("i(vcc)")]
    assert ic == pytest.approx(120 * 10e-6, rel=1e-6)


def test_mos_square_law_saturation():
    res = run("m\nVD d 0 5\nVG g 0 2\nM1 d g 0 0 nm W=10u L=1u\n"
              ".model nm NMOS(LEVEL=1 VTO=1 KP=100u)\n.op\n.end\n")
    idrain = -res.data[0, res.names.index("i(vd)")]
    # (plus GMIN across the reverse-biased drain junction, as ngspice)
    assert idrain == pytest.approx(0.5 * 100e-6 * 10 * (2 - 1) ** 2 + 5e-12, rel=1e-9)


def test_ic_holds_node_in_initial_point_and_nodeset_selects_state():
    res = run("ic\nV1 in 0 0\nR1 in out 1k\nC1 out 0 1u\n.ic v(out)=2\n.tran 10u 1m\n.end\n")
    v = res.data[:, res.names.index("v(out)")]
    assert v[0] == pytest.approx(2.0, rel=1e-6)
    # and it then discharges with tau = 1 ms
    t = res.scale
    assert np.interp(1e-3, t, v) == pytest.approx(2 * math.exp(-1), rel=2e-3)


def test_uic_starts_from_capacitor_ic():
    res = run("uic\nV1 in 0 0\nR1 in out 1k\nC1 out 0 1u IC=3\n.tran 10u 1m uic\n.end\n")
    v = res.data[:, res.names.index("v(out)")]
    assert np.interp(1e-3, res.scale, v) == pytest.approx(3 * math.exp(-1), rel=2e-3)


def test_behavioural_sources_with_node_dependence():
    # B1 mirrors twice the current of V2's branch into a 1k load; B2 is a squaring VCVS
    res = run("b\nV1 a 0 2\nR1 a 0 1k\nV2 a c 0\nR2 c 0 2k\nB1 0 m I=2*i(v2)\nRM m 0 1k\n"
              "B2 s 0 V=v(a)*v(a)+v(a,c)\nRS s 0 1k\n.op\n.end\n")
    op = dict(zip(res.names, res.data[0]))
    assert op["v(m)"] == pytest.approx(2 * (2 / 2e3) * 1e3)
    assert op["v(s)"] == pytest.approx(4.0)


def test_behavioural_source_small_signal():
    res = run("b\nV1 a 0 DC 1 AC 1\nB1 o 0 V=3*v(a)*v(a)\nR1 o 0 1k\n.ac lin 1 1k 1k\n.end\n")
    assert res.data[0, res.names.index("v(o)")].real == pytest.approx(6.0, rel=1e-6)


def test_dc_sweep_of_resistor_and_param():
    res = run("r\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\n.dc R2 1k 3k 1k\n.end\n")
    assert res.scale_name == "res-sweep"
    assert res.data[:, res.names.index("v(b)")] == pytest.approx([0.5, 2 / 3, 0.75])
    res = run("p\n.param rl=1k rt={2*rl}\nV1 a 0 1\nR1 a b {rt}\nR2 b 0 {rl}\n"
              ".dc rl 1k 2k 1k\n.end\n")
    # R1 follows rl through rt = 2*rl: the divider ratio stays 1/3
    assert res.data[:, res.names.index("v(b)")] == pytest.approx([1 / 3, 1 / 3])


def test_nested_dc_sweep_order():
    res = run("n\nV1 a 0 0\nV2 b 0 0\nR1 a c 1k\nR2 b c 1k\nR3 c 0 1meg\n"
              ".dc V1 0 1 1 V2 0 2 1\n.end\n")
    assert list(res.scale) == [0, 1, 0, 1, 0, 1]
    assert len(res.data) == 6


def test_static_lu_matches_scipy_splu():
    """StaticLU (SuperLU's gstrf called directly, patterns permuted with numpy, numba
    refactorisation) solves as scipy's splu does, before and after a refactor."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    from edapipe.analog.lu_kernels import StaticLU

    rng = np.random.default_rng(7)
    n = 60
    a = sp.random(n, n, density=0.08, random_state=3, format="csc") + sp.eye(n) * 4.0
    a = sp.csc_matrix(a)
    a.sort_indices()
    lu = StaticLU(a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data.copy(), n)
    b = rng.random(n)
    assert np.allclose(lu.solve(b), splu(a).solve(b), rtol=1e-10, atol=1e-12)
    a2 = a.copy()
    a2.data = a.data * (1.0 + 0.1 * rng.random(len(a.data)))
    lu.factor(a2.data.copy())
    assert np.allclose(lu.solve(b), splu(a2).solve(b), rtol=1e-10, atol=1e-12)


_CHAIN = """chain
VDD vdd 0 DC 3.3
VIN n0 0 DC 0 PULSE(0 3.3 1n 0.2n 0.2n 10n 20n)
{stages}
.model nch NMOS(LEVEL=1 VTO=0.7 KP=110u GAMMA=0.4 LAMBDA=0.04 PHI=0.7 CBD=5f CBS=5f)
.model pch PMOS(LEVEL=1 VTO=-0.7 KP=50u GAMMA=0.57 LAMBDA=0.05 PHI=0.8 CBD=5f CBS=5f)
{analysis}
.end
"""


@pytest.mark.parametrize("analysis", [".tran 0.1n 30n", ".dc VIN 0 3.3 0.05"])
def test_incremental_mos_assembly_is_bit_identical(monkeypatch, analysis):
    """newton_loop's incremental assembly (MOS-only circuits: re-sum only the entries of
    re-evaluated devices, warm first iterations, column-wise refactorisation) gives the same
    numbers bit for bit as stamping every device every iteration."""
    from edapipe.analog import analyses

    stages = "\n".join(f"MP{i} n{i} n{i - 1} vdd vdd pch W=4u L=1u\n"
                       f"MN{i} n{i} n{i - 1} 0 0 nch W=2u L=1u\nC{i} n{i} 0 20f"
                       for i in range(1, 21))
    text = _CHAIN.format(stages=stages, analysis=analysis)
    inc = run(text)
    orig = analyses._incremental
    calls = []

    def off(s):
        calls.append(1)
        return orig(s)._replace(on=False)

    monkeypatch.setattr(analyses, "_incremental", off)
    direct = run(text)
    assert calls and orig(analyses.Simulator(flatten(parse_deck(text, "t.cir"))).sys).on
    assert np.array_equal(inc.scale, direct.scale)
    assert np.array_equal(inc.data, direct.data)
