"""MOS level 2 (Grove-Frohman, ngspice's mos2): the device against live ngspice, the stamps
against finite differences, and the shared mosamp amplifier (op, ac, tran) against ngspice.

ngspice-dependent tests are skipped when ngspice is not installed; the finite-difference and
parameter tests need nothing but the package."""

from __future__ import annotations

import re

import numpy as np
import pytest

from edapipe.analog.devices import mos as D
from edapipe.analog.devices import mos2_kernels as K2
from edapipe.analog.devices import mos_common_kernels as K
from edapipe.analog.devices.common_kernels import Group, Stamps
from edapipe.analog.devices.mos_kernels import mos_load
from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError
from tests.analog.test_live_ngspice import ngspice_run, only, read_ascii_raw
from tests.conftest import BENCHMARKS, PEERS, need

DECKS = PEERS / "analog" / "ref" / "decks"
MOSAMP = BENCHMARKS / "spice" / "mosamp.cir"

# the mosamp model card, and variants that reach the other branches of the model
MOSAMP_MODEL = dict(level=2, nsub=2.2e15, uo=575, ucrit=49e3, uexp=0.1, tox=0.11e-6,
                    xj=2.95e-6, cgso=1.5e-9, cgdo=1.5e-9, cbd=4.5e-15, cbs=4.5e-15,
                    ld=2.4485e-6, nss=3.2e10, kp=2e-5, phi=0.6)
MODELS = {
    # short channel (XJ), mobility degradation, channel-length modulation from NSUB
    "mosamp": ("nmos", MOSAMP_MODEL),
    # no XJ and a narrow-width DELTA: ngspice's conductances are then exact derivatives
    "plain": ("nmos", {"level": 2, "vto": 0.8, "kp": 4e-5, "gamma": 0.5, "phi": 0.7,
                       "lambda": 0.02, "delta": 0.8, "tox": 50e-9, "ucrit": 2e4, "uexp": 0.15}),
    # velocity saturation (VMAX, NEFF) with NSUB
    "vmax": ("nmos", dict(level=2, nsub=1e16, tox=40e-9, uo=600, vmax=5e4, neff=2.0,
                          xj=0.3e-6, ld=0.1e-6)),
    # PMOS, weak inversion (NFS), gate type -1
    "pweak": ("pmos", {"level": 2, "nsub": 5e15, "tox": 60e-9, "uo": 250, "nfs": 1e11,
                       "tpg": -1, "nss": 1e10, "lambda": 0.03, "delta": 0.5}),
}


def model_card(name: str) -> str:
    kind, params = MODELS[name]
    body = " ".join(f"{k}={v:.12g}" for k, v in params.items())
    return f".model {name} {kind}({body})"


def row_of(name: str, w=20e-6, l=10e-6, temp=27.0):
    kind, params = MODELS[name]
    return D.mos2_row(dict(params), kind, {"w": w, "l": l}, temp, 27.0, {})[0]


# ---- reference-free: the stamps are the derivatives of the currents --------------------------

def _evaluate(row, x):
    """Stamp one device (nodes d, g, s, b = unknowns 0..3) at x without limiting: returns the
    terminal currents I and their Jacobian G."""
    nodes = np.array([[0, 1, 2, 3]], dtype=np.int64)
    pos = np.arange(16, dtype=np.int64).reshape(1, 16)   # G[a, b] -> data[a*4 + b]
    par = row.reshape(1, -1).copy()
    state = np.zeros((1, K.M_NSTATE))
    gdata = np.zeros(16)
    cdata = np.zeros(16)
    ieq, qeq, qact = np.zeros(4), np.zeros(4), np.zeros(4)
    mos_load(x, Group(nodes, pos, par, state, np.zeros((1, 4))), 2, 1e-12,
             Stamps(gdata, cdata, ieq, qeq, qact))
    G = gdata.reshape(4, 4)
    return ieq + G @ x, G     # the companion model's currents at x: I = ieq + G x


@pytest.mark.parametrize("name,rtol", [("plain", 1e-6), ("mosamp", 5e-3)])
def test_stamps_are_the_derivatives_of_the_currents(name, rtol):
    """Central differences of the terminal currents against the stamped Jacobian, at random
    bias points (bulk reverse biased) in every region and both channel directions.

    ngspice's conductances are exact derivatives of its current only in part of the model,
    and we keep its formulas so that AC analyses agree with it: with XJ the short-channel
    gamma depends on vds and gds/gm leave that term out (mosamp's card: checked to 0.5 %);
    with VMAX the linear region carries a channel-shortening term that only exists in
    saturation; in weak inversion (NFS) and with forward-biased bulk junctions the
    conductances are approximations too. Those cards are checked against ngspice's DC
    currents below instead. The 'plain' card (gamma, narrow width, mobility degradation,
    LAMBDA) must be exact."""
    row = row_of(name)
    typ = row[K.M_TYPE]
    rng = np.random.default_rng(7)
    h = 1e-6
    checked = 0
    for _ in range(400):
        x = typ * np.array([rng.uniform(-3, 8), rng.uniform(-1, 8), rng.uniform(-3, 3),
                            rng.uniform(-6, 0) - 3.0])
        vds, vgs, vbs = typ * (x[0] - x[2]), typ * (x[1] - x[2]), typ * (x[3] - x[2])
        if vds >= 0:
            ids = K2.mos2_ids(vgs, vds, vbs, row[None, :], 0)[0]
        else:
            ids = K2.mos2_ids(vgs - vds, -vds, vbs - vds, row[None, :], 0)[0]
        if ids == 0.0:
            # cut off, or between vbin and von where ngspice's gm/gmbs are not the slope of
            # its (zero) current: nothing to compare
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
    """Swapping drain and source reverses the current exactly (the device is symmetric)."""
    row = row_of("mosamp")
    x = np.array([4.0, 5.0, 0.5, -2.0])
    xr = np.array([0.5, 5.0, 4.0, -2.0])
    i, _ = _evaluate(row, x)
    ir, _ = _evaluate(row, xr)
    assert i[0] > 1e-6
    assert np.allclose(ir[[2, 1, 0, 3]], i, rtol=1e-12, atol=1e-18)


def test_parameters_derived_from_nsub_as_ngspice():
    """VTO, GAMMA and the depletion width from NSUB/NSS/TOX (mos2temp.c), by hand."""
    row = row_of("mosamp", w=88.9e-6, l=25.4e-6)
    cox = 3.9 * 8.854214871e-12 / 0.11e-6
    gamma = np.sqrt(2 * 11.7 * 8.854214871e-12 * 1.6021766208e-19 * 2.2e21) / cox
    assert row[K.M_GAMMA] == pytest.approx(gamma, rel=1e-12)
    eg = 1.16 - 7.02e-4 * 300.15 ** 2 / (300.15 + 1108)
    # n-channel, n+ poly gate (TPG=1): vfb = -eg/2 - phi/2 - NSS q / cox
    vfb = -0.5 * eg - 0.3 - 3.2e14 * 1.6021766208e-19 / cox
    assert row[K2.M2_VTO] == pytest.approx(vfb + gamma * np.sqrt(0.6) + 0.6, rel=1e-12)
    assert row[K.M_BETA] == pytest.approx(2e-5 * 88.9 / (25.4 - 2 * 2.4485), rel=1e-12)
    assert row[K2.M2_XD] == pytest.approx(
        np.sqrt(2 * 11.7 * 8.854214871e-12 / (1.6021766208e-19 * 2.2e21)), rel=1e-12)


@pytest.mark.parametrize("card,message", [
    ("M1 d g 0 0 bad W=1u L=1u\n.model bad NMOS(LEVEL=2 LD=0.6u)", "effective channel length"),
    ("M1 d g 0 0 bad W=1u L=1u\n.model bad NMOS(LEVEL=2 NSUB=1e9)", "nsub"),
    ("M1 d g 0 0 bad W=1u L=1u\n.model bad NMOS(LEVEL=4)", "level 4"),
])
def test_bad_level2_cards_are_input_errors(card, message):
    deck = f"bad\nVD d 0 1\nVG g 0 1\n{card}\n.op\n.end\n"
    with pytest.raises(InputError) as info:
        Simulator(flatten(parse_deck(deck, "bad.cir")))
    assert message in str(info.value).lower()
    assert "m1" in str(info.value).lower()


# ---- against ngspice ----------------------------------------------------------------------------

def _ours(deck: str, kind: str):
    circ = flatten(parse_deck(deck, "deck.cir"))
    spec = next(parse_analysis(c) for c in circ.analyses if parse_analysis(c).kind == kind)
    return run_analysis(Simulator(circ), spec)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("temp", [27.0, 85.0])
def test_single_transistor_dc_sweep_against_ngspice(tmp_path, name, temp):
    """Output characteristics (both channel directions, bulk reverse biased) of one device
    (M=2: the narrow-width factor scales with it as in ngspice): the terminal voltages are
    fixed by sources, so the drain and bulk currents are the model itself and must agree to
    1e-6 relative."""
    kind = MODELS[name][0]
    s = 1 if kind == "nmos" else -1
    deck = (f"level 2 {name}\nVD d 0 0\nVG g 0 0\nVB b 0 {-1.5 * s}\n"
            f"M1 d g 0 b {name} W=20u L=10u AD=40p AS=40p M=2\n{model_card(name)}\n"
            f".temp {temp}\n.dc VD {-2 * s} {6 * s} {0.25 * s} VG 0 {6 * s} {0.75 * s}\n.end\n")
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "dc")
    for vec in ("i(vd)", "i(vb)"):
        r = ref[vec]
        g = res.data[:, res.names.index(vec)]
        assert np.all(np.abs(g - r) <= 1e-6 * np.abs(r) + 1e-15), (vec, np.abs(g - r).max())
    assert np.abs(ref["i(vd)"]).max() > 1e-5     # the sweep does reach strong inversion


def _mosamp(extra: str = "", ac: bool = False) -> str:
    text = DECKS.joinpath("mosamp.cir").read_text() if DECKS.is_dir() else \
        need(MOSAMP).read_text()
    if ac:
        text = re.sub(r"(?im)^vin 21 0 ", "vin 21 0 dc 0 ac 1 ", text)
    return text if not extra else re.sub(r"(?im)^\.end\s*$", extra + "\n.end", text)


@pytest.mark.parametrize("options", ["", ".options reltol=1e-4"])
def test_mosamp_op_against_ngspice(tmp_path, options):
    """Plain Newton fails on mosamp: the op comes from gmin stepping. With reltol=1e-4 it
    converges only with ngspice's schedule (first step 1e-3, ITL2 iterations per step,
    the factor adapted to the iteration count)."""
    deck = only(_mosamp(), ".op", ".op\n" + options)
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "op")
    for k, vname in enumerate(res.names):
        r = ref[vname][0]
        floor = 1e-5 if vname.startswith("v(") else 1e-9
        assert abs(res.data[0, k] - r) <= max(1e-4 * abs(r), floor), vname


def test_mosamp_ac_against_ngspice(tmp_path):
    """Small signal: gm/gds/gmbs, the Meyer capacitances at the operating point and the
    bulk junction capacitances, over 1 Hz .. 1 GHz, within 1e-3 relative."""
    deck = only(_mosamp(ac=True), ".ac", ".ac dec 10 1 1g")
    ngspice_run(tmp_path, deck)
    ref = read_ascii_raw(tmp_path / "out.raw", complex_values=True)
    res = _ours(deck, "ac")
    assert np.allclose(res.scale, ref["frequency"].real)
    checked = 0
    for k, vname in enumerate(res.names):
        if vname not in ref or not vname.startswith("v("):
            continue
        r = ref[vname]
        g = res.data[:, k]
        tol = 1e-3 * np.maximum(np.abs(r), 1e-3 * np.abs(r).max()) + 1e-15
        assert np.all(np.abs(g - r) <= tol), vname
        checked += 1
    assert checked >= 18


def test_mosamp_tran_fine_grid_against_ngspice(tmp_path):
    """With TMAX = 2 ns on both sides every node voltage agrees to 1 % of its swing (floor:
    1e-3 of its magnitude, ngspice's RELTOL, as tests/analog/refcompare.py) after PCHIP
    interpolation onto ngspice's time points; the supply currents too, away from the input
    edges where they spike and the time points of the two simulators differ."""
    from scipy.interpolate import PchipInterpolator

    deck = re.sub(r"(?im)^\.tran .*$", ".tran 0.1us 10us 0 2ns", only(_mosamp(), ".tran"))
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "tran")
    t = ref["time"]
    edge = ((t > 0.9e-9) & (t < 5e-9)) | ((t > 5.0019e-6) & (t < 5.006e-6))
    checked = 0
    for k, vname in enumerate(res.names):
        if vname not in ref or vname == "v(21)":      # v(21) is the input pulse itself
            continue
        r = ref[vname]
        g = PchipInterpolator(res.scale, res.data[:, k])(t)
        floor = 1e-5 if vname.startswith("v(") else 1e-9
        tol = max(0.01 * (r.max() - r.min()), 1e-3 * np.abs(r).max(), floor)
        err = np.abs(g - r)
        if vname.startswith("i("):
            err = err[~edge]
        assert err.max() <= tol, (vname, err.max() / tol)
        checked += 1
    assert checked >= 22


JUNCTIONS = """level 2 amplifier with junction and overlap capacitances, series resistances
VDD vdd 0 5
VIN in 0 dc 1.6 ac 1
RL vdd out 20k
M1 out in 0 sub nj W=30u L=5u AD=90p AS=90p PD=36u PS=36u NRD=2 NRS=2
VSUB sub 0 -2
CL out 0 0.2p
.model nj nmos(level=2 vto=0.7 kp=3e-5 gamma=0.6 phi=0.65 lambda=0.03 tox=40n
+ cj=3e-4 mj=0.45 cjsw=4e-10 mjsw=0.3 pb=0.75 fc=0.4 cgso=3e-10 cgdo=3e-10 cgbo=2e-10
+ rsh=15 is=1e-15 js=1e-5 ucrit=3e4 uexp=0.12 delta=0.4)
.temp {temp}
.ac dec 10 1k 10g
.end
"""


@pytest.mark.parametrize("temp", [27.0, 85.0])
def test_junction_and_overlap_capacitances_ac_against_ngspice(tmp_path, temp):
    """Bottom and sidewall junction capacitances (CJ/MJ with AD/AS, CJSW/MJSW with PD/PS,
    scaled with temperature as mos2temp.c), overlap capacitances, RSH*NRD/NRS series
    resistances and the Meyer capacitances at the operating point: gain, gate and bulk
    currents from 1 kHz to 10 GHz within 1e-3 (they agree to ~1e-12)."""
    deck = JUNCTIONS.replace("{temp}", str(temp))
    ngspice_run(tmp_path, deck)
    ref = read_ascii_raw(tmp_path / "out.raw", complex_values=True)
    res = _ours(deck, "ac")
    # i(vsub) is the bulk current (junction capacitances), i(vin) the gate current
    for vname in ("v(out)", "i(vdd)", "i(vin)", "i(vsub)"):
        r = ref[vname]
        g = res.data[:, res.names.index(vname)]
        tol = 1e-3 * np.maximum(np.abs(r), 1e-3 * np.abs(r).max())
        assert np.all(np.abs(g - r) <= tol), (vname, np.max(np.abs(g - r) / tol))
    out = ref["v(out)"]
    assert np.abs(out[0]) > 2 * np.abs(out[-1])     # the capacitances do matter


def test_junction_capacitances_transient_against_ngspice(tmp_path):
    """The same amplifier driven by a pulse at 60 C: bulk depletion charges (bottom and
    sidewall), Meyer and overlap gate charges integrated over the edges. Both simulators take
    the same time points here; output, gate and bulk currents agree to 1e-3 of their swing."""
    from scipy.interpolate import PchipInterpolator

    deck = (JUNCTIONS.replace("{temp}", "60")
            .replace("VIN in 0 dc 1.6 ac 1", "VIN in 0 pulse(0.5 3 1n 2n 2n 20n 50n)")
            .replace(".ac dec 10 1k 10g", ".tran 0.1n 100n 0 0.1n"))
    ref = ngspice_run(tmp_path, deck)
    res = _ours(deck, "tran")
    for vname in ("v(out)", "i(vdd)", "i(vin)", "i(vsub)"):
        r = ref[vname]
        g = PchipInterpolator(res.scale, res.data[:, res.names.index(vname)])(ref["time"])
        assert np.max(np.abs(g - r)) <= 1e-3 * (r.max() - r.min()), vname


@pytest.mark.parametrize("level", [1, 2])
@pytest.mark.parametrize("kind,card", [
    ("nmos", "nsub=1e16 tox=50n kp=5e-5"),
    ("pmos", "nsub=3e15 tox=40n nss=2e10 tpg=-1"),
    ("nmos", "nsub=2e15 tox=80n tpg=0 uo=500"),
])
def test_threshold_from_nsub_against_ngspice(tmp_path, level, kind, card):
    """PHI, GAMMA and VTO derived from NSUB, NSS, TPG and TOX (mos1temp.c / mos2temp.c use
    the same work-function formulas): the drain current of a biased device."""
    s = 1 if kind == "nmos" else -1
    deck = (f"nsub\nVD d 0 {5 * s}\nVG g 0 {3 * s}\nM1 d g 0 0 mm W=20u L=5u\n"
            f".model mm {kind}(level={level} {card})\n.op\n.end\n")
    ref = ngspice_run(tmp_path, deck)["i(vd)"][0]
    res = _ours(deck, "op")
    got = res.data[0, res.names.index("i(vd)")]
    assert abs(ref) > 1e-6
    assert abs(got - ref) <= 1e-6 * abs(ref)
