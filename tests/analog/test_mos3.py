"""MOS level 3 (ngspice's mos3, SPICE2's semi-empirical short-channel model): the stamps
against finite differences, the parameters by hand, bad cards, and against live ngspice
(op, DC sweeps of Id(Vds, Vgs) and the bulk current for NMOS/PMOS and several cards, AC with
junction and overlap capacitances, a transient inverter and a ring oscillator, noise).

ngspice-dependent tests are skipped when ngspice is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.devices import mos as D
from edapipe.analog.devices import mos3_kernels as K3
from edapipe.analog.devices import mos_common_kernels as K
from edapipe.analog.analyses import Simulator
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
from tests.analog.test_decks16 import test_noise_matches_ngspice as noise_matches
from tests.analog.test_live_ngspice import ngspice_run, read_ascii_raw
from tests.analog.test_mos2 import _evaluate, _ours

MODELS = {
    # ngspice's defaults (TOX 1e-7, UO 600, KAPPA 0.2)
    "default": ("nmos", {"level": 3}),
    # given VTO/GAMMA/PHI with mobility modulation, static feedback and narrow width
    "plain": ("nmos", {"level": 3, "vto": 0.8, "kp": 4e-5, "gamma": 0.5, "phi": 0.7,
                       "tox": 50e-9, "theta": 0.1, "eta": 0.5, "delta": 0.8}),
    # NSUB-derived threshold, junction-depth short-channel factor, KAPPA's length modulation
    "nsub": ("nmos", dict(level=3, nsub=1e16, tox=40e-9, uo=600, xj=0.3e-6, ld=0.1e-6,
                          theta=0.05, eta=0.3, kappa=0.5, nss=1e10)),
    # velocity saturation (VMAX) with the field-dependent length modulation
    "vmax": ("nmos", dict(level=3, nsub=2e16, tox=30e-9, uo=500, vmax=1.5e5, xj=0.2e-6,
                          ld=0.05e-6, theta=0.08, eta=0.2, kappa=0.3, delta=0.5, xl=0.02e-6,
                          wd=0.1e-6, xw=0.05e-6)),
    # PMOS, weak inversion (NFS), gate type -1, DELVTO
    "pweak": ("pmos", dict(level=3, nsub=5e15, tox=60e-9, uo=250, nfs=1e11, tpg=-1,
                           nss=1e10, theta=0.06, eta=0.1, xj=0.4e-6, delvto=-0.1)),
}


def model_card(name: str) -> str:
    kind, params = MODELS[name]
    body = " ".join(f"{k}={v:.12g}" for k, v in params.items())
    return f".model {name} {kind}({body})"


def row_of(name: str, w=20e-6, l=2e-6, temp=27.0):
    kind, params = MODELS[name]
    return D.mos3_row(dict(params), kind, {"w": w, "l": l}, temp, 27.0, {})[0]


def _ids(row, x):
    typ = row[K.M_TYPE]
    vds, vgs, vbs = typ * (x[0] - x[2]), typ * (x[1] - x[2]), typ * (x[3] - x[2])
    par = row.reshape(1, -1)
    if vds >= 0:
        return K3.mos3_ids(vgs, vds, vbs, par, 0)[0]
    return K3.mos3_ids(vgs - vds, -vds, vbs - vds, par, 0)[0]


# ---- reference-free ------------------------------------------------------------------------

@pytest.mark.parametrize("name,rtol", [("plain", 1e-6), ("default", 1e-6), ("nsub", 0.1)])
def test_stamps_are_the_derivatives_of_the_currents(name, rtol):
    """Central differences of the terminal currents against the stamped Jacobian at random
    bias points (bulk reverse biased), both channel directions. Without XJ, VMAX, NFS and
    NSUB (no length modulation) ngspice's conductances are the exact derivatives; with
    NSUB its continuous length modulation below saturation and XJ's short-channel factor
    are only approximated by its gm/gds (within ~5 %: checked loosely; its DC currents are
    compared below)."""
    row = row_of(name)
    typ = row[K.M_TYPE]
    rng = np.random.default_rng(11)
    h = 1e-6
    checked = 0
    for _ in range(300):
        x = typ * np.array([rng.uniform(-3, 8), rng.uniform(-1, 8), rng.uniform(-3, 3),
                            rng.uniform(-6, 0) - 3.0])
        if _ids(row, x) == 0.0 or abs(x[0] - x[2]) < 1e-3:
            continue
        _, G = _evaluate(row, x)
        fd = np.zeros((4, 4))
        for b in range(4):
            xp, xm = x.copy(), x.copy()
            xp[b] += h
            xm[b] -= h
            fd[:, b] = (_evaluate(row, xp)[0] - _evaluate(row, xm)[0]) / (2 * h)
        scale = np.abs(G).max()
        assert np.abs(fd - G).max() <= rtol * scale + 1e-15, (x, G, fd)
        checked += 1
    assert checked > 100


def test_reverse_mode_is_the_mirror_image():
    row = row_of("vmax")
    x = np.array([4.0, 5.0, 0.5, -2.0])
    xr = np.array([0.5, 5.0, 4.0, -2.0])
    i, _ = _evaluate(row, x)
    ir, _ = _evaluate(row, xr)
    assert i[0] > 1e-6
    assert np.allclose(ir[[2, 1, 0, 3]], i, rtol=1e-12, atol=1e-18)


def test_parameters_as_mos3temp():
    """Defaults and derived values by hand: KP from UO and TOX, the effective sizes, ETA's
    and DELTA's scaling, the depletion coefficient from NSUB."""
    row = D.mos3_row({"level": 3}, "nmos", {"w": 10e-6, "l": 2e-6}, 27.0, 27.0, {})[0]
    cox = 3.9 * 8.854214871e-12 / 1e-7
    assert row[K.M_BETA] == pytest.approx(600e-4 * cox * 10 / 2, rel=1e-12)
    assert row[K3.M3_KAPPA] == 0.2 and row[K3.M3_XD] == 0.0
    assert row[K.M_COX] == pytest.approx(cox * 2e-6 * 10e-6, rel=1e-12)
    row = row_of("vmax", w=10e-6, l=2e-6)
    leff, weff = 2e-6 - 0.1e-6 + 0.02e-6, 10e-6 - 0.2e-6 + 0.05e-6
    cox = 3.9 * 8.854214871e-12 / 30e-9
    assert row[K3.M3_LEFF] == pytest.approx(leff) and row[K3.M3_WEFF] == pytest.approx(weff)
    assert row[K3.M3_ETA] == pytest.approx(0.2 * 8.15e-22 / (cox * leff ** 3), rel=1e-12)
    eps_si = 11.7 * 8.854214871e-12
    assert row[K3.M3_NARROW] == pytest.approx(0.5 * 0.5 * np.pi * eps_si / cox / weff,
                                              rel=1e-12)
    assert row[K3.M3_ALPHA] == pytest.approx(2 * eps_si / (1.6021766208e-19 * 2e22),
                                             rel=1e-12)


@pytest.mark.parametrize("card,message", [
    (".model bad NMOS(LEVEL=3 LD=0.6u)", "effective channel length"),
    (".model bad NMOS(LEVEL=3 WD=0.6u)", "effective channel width"),
    (".model bad NMOS(LEVEL=3 NSUB=1e9)", "nsub"),
    (".model bad NMOS(LEVEL=3 UCRIT=1e4)", "'ucrit' is not supported"),
    (".model bad NMOS(LEVEL=3 XD=1e-7)", "'xd' is not supported"),
    (".model bad NMOS(LEVEL=3 TOX=0)", "tox"),
    (".model bad NMOS(LEVEL=3 KAPPA=-1)", "kappa"),
    (".model bad NMOS(LEVEL=3)\n.options badmos3", "badmos3"),
])
def test_bad_level3_cards_are_input_errors(card, message):
    deck = f"bad\nVD d 0 1\nVG g 0 1\nM1 d g 0 0 bad W=1u L=1u\n{card}\n.op\n.end\n"
    with pytest.raises(InputError) as info:
        Simulator(flatten(parse_deck(deck, "bad.cir")))
    assert message in str(info.value).lower()
    assert "m1" in str(info.value).lower() and info.value.line == 4


# ---- against ngspice ------------------------------------------------------------------------

@pytest.mark.parametrize("name,temp", [("default", 27.0), ("plain", 27.0), ("nsub", 27.0),
                                       ("vmax", 27.0), ("pweak", 27.0), ("nsub", 85.0),
                                       ("pweak", 85.0)])
def test_single_transistor_dc_sweep_against_ngspice(tmp_path, name, temp):
    """Output characteristics in both channel directions, bulk reverse biased, M=2: the
    terminal voltages are fixed by sources, so the drain and bulk currents are the model
    itself (they agree to ~1e-13; asserted to 1e-6)."""
    kind = MODELS[name][0]
    s = 1 if kind == "nmos" else -1
    deck = (f"level 3 {name}\nVD d 0 0\nVG g 0 0\nVB b 0 {-1.5 * s}\n"
            f"M1 d g 0 b {name} W=20u L=2u AD=40p AS=40p M=2\n{model_card(name)}\n"
            f".temp {temp}\n.dc VD {-2 * s} {6 * s} {0.25 * s} VG 0 {6 * s} {0.75 * s}\n.end\n")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "dc")
    for vec in ("i(vd)", "i(vb)"):
        r = ref[vec]
        g = res.data[:, res.names.index(vec)]
        assert np.all(np.abs(g - r) <= 1e-6 * np.abs(r) + 1e-15), (vec, np.abs(g - r).max())
    assert np.abs(ref["i(vd)"]).max() > 1e-4


@pytest.mark.parametrize("name", ["nsub", "vmax"])
def test_body_effect_sweep_against_ngspice(tmp_path, name):
    """Id(Vbs) at fixed Vgs and Vds: the short-channel body factor and its sqrt
    continuation for a forward-biased source junction (up to 0.4 V). Both simulators
    converge tightly: at the first points of each VG value the sweep's predictor leaves
    both within their RELTOL window (5e-4) of the model with the default options."""
    deck = (f"vbs\nVD d 0 3\nVG g 0 2\nVB b 0 0\nM1 d g 0 b {name} W=20u L=2u\n"
            f"{model_card(name)}\n.options reltol=1e-7 vntol=1e-12 abstol=1e-18\n"
            f".dc VB -4 0.4 0.05 VG 1 3 1\n.end\n")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "dc")
    for vec in ("i(vd)", "i(vb)"):
        r = ref[vec]
        g = res.data[:, res.names.index(vec)]
        assert np.all(np.abs(g - r) <= 1e-6 * np.abs(r) + 1e-15), vec


AMP = """level 3 amplifier with junction and overlap capacitances, series resistances
VDD vdd 0 5
VIN in 0 dc 1.4 ac 1
RL vdd out 20k
M1 out in 0 sub nj W=30u L=3u AD=90p AS=90p PD=36u PS=36u NRD=2 NRS=2
VSUB sub 0 -2
CL out 0 0.2p
.model nj nmos(level=3 vto=0.7 kp=3e-5 gamma=0.6 phi=0.65 tox=40n nsub=1e16 xj=0.3u
+ ld=0.2u theta=0.07 eta=0.4 kappa=0.4 vmax=1e5 delta=0.3
+ cj=3e-4 mj=0.45 cjsw=4e-10 mjsw=0.3 pb=0.75 fc=0.4 cgso=3e-10 cgdo=3e-10 cgbo=2e-10
+ rsh=15 is=1e-15 js=1e-5)
.temp {temp}
.ac dec 10 1k 10g
.end
"""


@pytest.mark.parametrize("temp", [27.0, 85.0])
def test_amplifier_op_and_ac_against_ngspice(tmp_path, temp):
    """gm/gds/gmbs, the Meyer capacitances at the operating point, bottom and sidewall
    junction capacitances, overlaps and RSH series resistances: gain, gate and bulk
    currents from 1 kHz to 10 GHz within 1e-3."""
    deck = AMP.replace("{temp}", str(temp))
    ngspice_run(tmp_path, deck)
    ref = read_ascii_raw(tmp_path / "out.raw", complex_values=True)
    res = _ours(deck, "ac")
    for vname in ("v(out)", "i(vdd)", "i(vin)", "i(vsub)"):
        r = ref[vname]
        g = res.data[:, res.names.index(vname)]
        tol = 1e-3 * np.maximum(np.abs(r), 1e-3 * np.abs(r).max())
        assert np.all(np.abs(g - r) <= tol), (vname, np.max(np.abs(g - r) / tol))
    out = ref["v(out)"]
    assert np.abs(out[0]) > 2 * np.abs(out[-1])
    op = AMP.replace("{temp}", str(temp)).replace(".ac dec 10 1k 10g", ".op")
    ref = ngspice_run(tmp_path, op)
    res = _ours(op, "op")
    for k, vname in enumerate(res.names):
        r = ref[vname][0]
        assert abs(res.data[0, k] - r) <= max(1e-4 * abs(r), 1e-5 if vname[0] == "v"
                                              else 1e-9), vname


CMOS = """level 3 cmos {what}
VDD vdd 0 3.3
{stages}
.model n3 nmos(level=3 vto=0.6 kp=80u gamma=0.5 phi=0.7 tox=15n nsub=3e16 xj=0.2u ld=0.05u
+ theta=0.1 eta=0.05 kappa=0.3 vmax=1.5e5 cgso=2e-10 cgdo=2e-10 cj=5e-4 cjsw=3e-10)
.model p3 pmos(level=3 vto=-0.7 kp=30u gamma=0.45 phi=0.7 tox=15n nsub=2e16 xj=0.2u
+ ld=0.05u theta=0.12 eta=0.05 kappa=0.3 vmax=1e5 nfs=5e10 cgso=2e-10 cgdo=2e-10 cj=6e-4
+ cjsw=3e-10)
{analysis}
.end
"""


def _inverter(a: str, y: str, k: int) -> str:
    return (f"MP{k} {y} {a} vdd vdd p3 W=6u L=1.2u AD=12p AS=12p PD=16u PS=16u\n"
            f"MN{k} {y} {a} 0 0 n3 W=3u L=1.2u AD=6p AS=6p PD=10u PS=10u\n"
            f"C{k} {y} 0 20f")


def test_inverter_transient_against_ngspice(tmp_path):
    """Two inverters driven by a pulse: every node within 1 % of its swing after PCHIP
    interpolation onto ngspice's time points (the supply current too, away from the
    edges)."""
    from scipy.interpolate import PchipInterpolator

    stages = "VIN a 0 pulse(0 3.3 1n 0.5n 0.5n 4n 10n)\n" + "\n".join(
        _inverter(a, y, k) for k, (a, y) in enumerate((("a", "b"), ("b", "c"))))
    deck = CMOS.format(what="inverters", stages=stages, analysis=".tran 0.01n 20n")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "tran")
    for vname in ("v(b)", "v(c)"):
        r = ref[vname]
        g = PchipInterpolator(res.scale, res.data[:, res.names.index(vname)])(ref["time"])
        assert np.max(np.abs(g - r)) <= 0.01 * (r.max() - r.min()), vname


def _period(t, v, level):
    up = np.nonzero((v[:-1] < level) & (v[1:] >= level))[0]
    cross = t[up] + (level - v[up]) * (t[up + 1] - t[up]) / (v[up + 1] - v[up])
    return np.diff(cross)


def test_ring_oscillator_against_ngspice(tmp_path):
    """A five-stage ring oscillator (started by an initial condition): period and amplitude
    within 1 % of ngspice's over the last cycles."""
    stages = "\n".join(_inverter(f"n{k}", f"n{(k + 1) % 5}", k) for k in range(5))
    deck = CMOS.format(what="ring oscillator", stages=stages,
                       analysis=".ic v(n0)=0\n.tran 0.02n 40n")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "tran")
    t_ref, v_ref = ref["time"], ref["v(n0)"]
    t, v = res.scale, res.data[:, res.names.index("v(n0)")]
    p_ref = _period(t_ref[t_ref > 10e-9], v_ref[t_ref > 10e-9], 1.65)
    p = _period(t[t > 10e-9], v[t > 10e-9], 1.65)
    assert len(p_ref) >= 3
    assert np.median(p) == pytest.approx(np.median(p_ref), rel=0.01)
    swing_ref = v_ref[t_ref > 10e-9].max() - v_ref[t_ref > 10e-9].min()
    swing = v[t > 10e-9].max() - v[t > 10e-9].min()
    assert swing == pytest.approx(swing_ref, rel=0.01)


NOISE = """level 3 noise
vdd vdd 0 5
vin in 0 dc 1.4 ac 1
rl vdd out 20k
m1 out in 0 0 nj W=30u L=3u NRD=2 NRS=2
.model nj nmos(level=3 vto=0.7 kp=3e-5 gamma=0.6 tox=40n nsub=1e16 xj=0.3u theta=0.07
+ eta=0.4 vmax=1e5 rsh=15)
.noise v(out) vin {sweep}
.print noise all
.end
"""


def test_noise_against_ngspice(tmp_path):
    """RD/RS thermal noise and channel thermal noise 4kT (2/3) gm (mos3noi.c)."""
    noise_matches(tmp_path, NOISE, "dec 5 10 100meg")


def _random_card(rng) -> tuple[str, str]:
    """A level-3 card with a random subset of the model's effects switched on."""
    kind = "nmos" if rng.random() < 0.5 else "pmos"
    p = {"level": 3, "tox": rng.uniform(15e-9, 80e-9), "uo": rng.uniform(200, 700),
         "theta": rng.uniform(0, 0.2), "eta": rng.uniform(0, 1.0),
         "kappa": rng.uniform(0.05, 1.0)}
    if rng.random() < 0.7:
        p.update(nsub=10 ** rng.uniform(14.5, 17), nss=rng.uniform(0, 5e10),
                 tpg=float(rng.choice([-1, 0, 1])))
    else:
        p.update(vto=(1 if kind == "nmos" else -1) * rng.uniform(0.3, 1.2),
                 gamma=rng.uniform(0, 1), phi=rng.uniform(0.5, 0.9))
    if rng.random() < 0.6:
        p.update(xj=rng.uniform(0.1e-6, 0.6e-6), ld=rng.uniform(0, 0.2e-6))
    if rng.random() < 0.5:
        p["vmax"] = rng.uniform(5e4, 3e5)
    if rng.random() < 0.5:
        p["nfs"] = 10 ** rng.uniform(10, 12)
    if rng.random() < 0.5:
        p["delta"] = rng.uniform(0, 2)
    body = " ".join(f"{k}={v:.12g}" for k, v in p.items())
    return kind, f".model rnd {kind}({body})"


@pytest.mark.parametrize("seed", range(4))
def test_random_cards_dc_against_ngspice(tmp_path, seed):
    """Random combinations of NSUB/VTO, XJ, VMAX, NFS, DELTA, THETA, ETA, KAPPA (seeded):
    drain and bulk currents over Vds and Vgs, both channel directions, as the fixed cards
    above (1e-6 relative)."""
    rng = np.random.default_rng(100 + seed)
    kind, card = _random_card(rng)
    s = 1 if kind == "nmos" else -1
    length = rng.uniform(1.2e-6, 6e-6)
    deck = (f"random level 3\nVD d 0 0\nVG g 0 0\nVB b 0 {-1.0 * s}\n"
            f"M1 d g 0 b rnd W=10u L={length:.6g}\n{card}\n"
            f".dc VD {-2 * s} {5 * s} {0.25 * s} VG 0 {5 * s} {1.0 * s}\n.end\n")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "dc")
    for vec in ("i(vd)", "i(vb)"):
        r = ref[vec]
        g = res.data[:, res.names.index(vec)]
        assert np.all(np.abs(g - r) <= 1e-6 * np.abs(r) + 1e-15), (card, vec)
