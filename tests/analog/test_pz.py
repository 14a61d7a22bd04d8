""".pz (pole-zero analysis) against live ngspice: the roots as sets within 1e-6 relative
(ngspice's Muller search and our eigenvalues agree to ~1e-9 once both operating points are
converged tightly), ngspice's order where it is defined (ascending real part, each complex
root followed by its conjugate), the writers, the CLI's JSON, and the located errors."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from edapipe.analog.output import to_csv, to_raw
from edapipe.analog import pz
from edapipe.analog.pz import merge_multiple, ngspice_order, pencil_roots, pz_table
from edapipe.analog.spice import load_circuit, simulate
from edapipe.errors import InputError
from tests.analog.test_live_ngspice import ngspice_run
from tests.conftest import require_tool

RC = """rc low-pass
v1 in 0 dc 0 ac 1
r1 in out 1k
c1 out 0 1u
.pz in 0 out 0 vol {which}
.end
"""

# a series RLC band-pass: one complex pole pair, zeros at 0 and -1e4
RLC = """rlc band-pass
v1 1 0 dc 0 ac 1
c1 1 2 1u
r1 2 3 100
l1 3 0 10m
r2 2 0 1k
c2 2 0 10n
.pz 1 0 2 0 vol pz
.end
"""

# two RC sections, a differential output (OUT- not ground): a right-half-plane zero
TWO_STAGE = """two-stage rc, differential output
v1 1 0 dc 0 ac 1
r1 1 2 1k
c1 2 3 1u
r3 3 0 3k
c3 3 0 1n
r4 1 4 2k
c4 4 0 3n
.pz 1 0 2 4 vol pz
.end
"""

# transimpedance v(2)/i(in): the input is driven by a current (I1 is open in .pz)
CUR = """rc ladder transimpedance
i1 0 1 dc 0 ac 1
r1 1 0 1k
c1 1 0 1u
r2 1 2 500
c2 2 0 2u
.pz 1 0 2 0 cur pz
.end
"""

# tight tolerances on both sides: with ngspice's default RELTOL the two operating points
# differ by ~1e-5 and the BJT's poles by up to 3e-4 (as .ac does); converged, ~1e-9
BJT = """common-emitter amplifier
vcc 5 0 dc 12
vin 1 0 dc 0 ac 1
rs 1 2 1k
c1 2 3 10u
r1 5 3 47k
r2 3 0 10k
rc 5 4 4.7k
re 6 0 1k
ce 6 0 100u
q1 4 3 6 qn
cl 4 0 10p
.model qn npn(bf=150 is=1e-14 vaf=80 cje=2p cjc=1p tf=0.3n rb=100)
.options reltol=1e-9 abstol=1e-18 vntol=1e-15
.pz 1 0 4 0 vol pz
.end
"""

MOS = """common-source amplifier
vdd 5 0 dc 5
vin 1 0 dc 1.5 ac 1
rg 1 2 10k
m1 3 2 0 0 nm w=20u l=1u
rd 5 3 10k
cl 3 0 1p
.model nm nmos(level=1 vto=0.7 kp=50u lambda=0.02 cgso=0.2n cgdo=0.2n cbd=10f cbs=10f)
.options reltol=1e-9 abstol=1e-18 vntol=1e-15
.pz 1 0 3 0 vol pz
.end
"""

# three identical buffered sections: a triple pole at -1000 (split ~6e-6 by rounding and
# merged back); the supply's capacitor makes an index-two block at infinity
TRIPLE = """three buffered rc sections
vcc 9 0 dc 5
cbig 9 0 1u
v1 1 0 dc 0 ac 1
r1 1 2 1k
c1 2 0 1u
e1 3 0 2 0 1
r2 3 4 1k
c2 4 0 1u
e2 5 0 4 0 1
r3 5 6 1k
c3 6 gnd 1u
rl 9 6 1meg
.pz 1 gnd 6 0 vol pz
.end
"""

# coupled inductors and every linear controlled source but H: a one-way chain, whose only
# zero is the transformer's at 0 (rounding once made a +-6e10 pair of it). With C9 from
# node 9 to node 4 instead, ngspice 39's search gives up on the poles ("iteration limit
# reached") and reports none
LINEAR = """k, e, f, g
v1 1 0 dc 0 ac 1
r1 1 2 100
l1 2 0 1m
l2 3 0 4m
k1 l1 l2 0.9
r2 3 4 50
c2 4 0 1u
e1 5 0 4 0 5
r5 5 6 1k
c6 6 0 10n
g1 0 7 6 0 1m
r7 7 0 2k
vs 7 8 0
r8 8 0 1e6
f1 0 9 vs 2
r9 9 0 1k
c9 9 0 1n
.pz 1 0 9 0 vol pz
.end
"""


def _ours(deck: str) -> dict[str, complex]:
    run = simulate(load_circuit("pz.cir", deck))
    res = run.results[-1]
    assert res.kind == "pz"
    return dict(zip(res.names, res.data[0]))


def _theirs(tmp_path, deck: str) -> dict[str, complex]:
    raw = ngspice_run(tmp_path, deck, complex_values=True)
    return {k[2:-1]: complex(v[0]) for k, v in raw.items()}     # v(pole(1)) -> pole(1)


def _roots(values: dict[str, complex], kind: str) -> list[complex]:
    return [v for k, v in values.items() if k.startswith(kind)]


def _same_set(ours: list[complex], theirs: list[complex], rel: float = 1e-6,
              floor: float = 0.0) -> None:
    """Each ngspice root matched by one of ours within `rel` of its size (roots at the
    origin, which ngspice finds exactly, within 1e-9 of the largest root, or `floor`)."""
    assert len(ours) == len(theirs), (ours, theirs)
    left = list(ours)
    scale = max((abs(z) for z in theirs), default=1.0)
    for z in theirs:
        k = int(np.argmin([abs(z - o) for o in left]))
        assert abs(z - left[k]) <= rel * abs(z) + max(1e-9 * scale, floor), (z, left[k], ours)
        left.pop(k)


def _against(tmp_path, deck: str) -> dict[str, complex]:
    ours = _ours(deck)
    theirs = _theirs(tmp_path, deck)
    for kind in ("pole", "zero"):
        _same_set(_roots(ours, kind), _roots(theirs, kind))
    return ours


def _is_ngspice_order(roots: list[complex]) -> bool:
    """ascending (real, imaginary) over the upper half plane, conjugates right after"""
    upper, k = [], 0
    while k < len(roots):
        z = roots[k]
        if z.imag < 0:
            return False
        upper.append(z)
        if z.imag > 0:
            if k + 1 >= len(roots) or roots[k + 1] != z.conjugate():
                return False
            k += 1
        k += 1
    return upper == sorted(upper, key=lambda z: (z.real, z.imag))


def test_rc_low_pass_has_one_pole_and_no_zero(tmp_path):
    ours = _against(tmp_path, RC.format(which="pz"))
    assert list(ours) == ["pole(1)"]
    assert ours["pole(1)"] == pytest.approx(-1000.0, rel=1e-12)


def test_no_zeros_gives_an_empty_result(tmp_path):
    deck = RC.format(which="zer")
    assert _ours(deck) == {} == _theirs(tmp_path, deck)


def test_rlc_band_pass_complex_pair(tmp_path):
    ours = _against(tmp_path, RLC)
    assert list(ours) == ["pole(1)", "pole(2)", "zero(1)", "zero(2)"]
    assert ours["pole(1)"].imag > 0 and ours["pole(2)"] == ours["pole(1)"].conjugate()
    assert ours["zero(1)"] == pytest.approx(-1e4) and ours["zero(2)"] == 0


def test_two_stage_differential_output_in_ngspice_order(tmp_path):
    ours = _against(tmp_path, TWO_STAGE)
    theirs = _theirs(tmp_path, TWO_STAGE)
    assert list(ours) == list(theirs)
    # distinct real roots: ngspice's order is defined and ours is the same, root by root
    for name, z in theirs.items():
        assert ours[name] == pytest.approx(z, rel=1e-6, abs=1e-9)
    assert any(z.real > 0 for z in _roots(ours, "zero"))


def test_current_input_transimpedance(tmp_path):
    ours = _against(tmp_path, CUR)
    assert len(_roots(ours, "pole")) == 2 and not _roots(ours, "zero")


def test_bjt_amplifier_at_its_operating_point(tmp_path):
    ours = _against(tmp_path, BJT)
    assert len(_roots(ours, "pole")) == 4 and len(_roots(ours, "zero")) == 3
    assert _is_ngspice_order(_roots(ours, "pole"))


def test_mos_level1_amplifier(tmp_path):
    ours = _against(tmp_path, MOS)
    assert _roots(ours, "zero")[0].real > 0         # the feed-forward zero through Cgd


def test_triple_pole_and_index_two_block(tmp_path):
    ours = _against(tmp_path, TRIPLE)
    assert len(ours) == 3 and not _roots(ours, "zero")


def test_coupled_inductors_and_controlled_sources(tmp_path):
    ours = _against(tmp_path, LINEAR)
    assert _is_ngspice_order(_roots(ours, "pole"))
    assert any(z.imag != 0 for z in ours.values())
    assert _roots(ours, "zero") == [0]


def test_poles_only_and_zeros_only():
    both = _ours(RLC)
    poles = _ours(RLC.replace("vol pz", "vol pol"))
    zeros = _ours(RLC.replace("vol pz", "zer vol"))          # the words in either order
    assert poles == {k: v for k, v in both.items() if k.startswith("pole")}
    assert zeros == {k: v for k, v in both.items() if k.startswith("zero")}


def test_ngspice_order_and_multiple_roots():
    vals = np.array([-3 + 0j, -1 + 2j, -1 - 2j, -5 + 1e-12j, -5 - 1e-12j, 0.5])
    assert ngspice_order(vals) == [-5, -5, -3, -1 + 2j, -1 - 2j, 0.5]
    split = np.array([-1000.0026859 + 0.0046522j, -1000.0026859 - 0.0046522j, -999.9946282])
    assert merge_multiple(split) == pytest.approx(np.full(3, -1000.0), rel=1e-9)
    # two distinct roots 3e-6 apart (an RC ladder's) are not a split double root
    close = np.array([-2439086.8878022665, -2439079.499936455])
    assert list(merge_multiple(close)) == list(close)


def test_singular_pencil_is_none():
    # det(a + s e) = 0 for every s: the second row is twice the first
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    e = np.array([[1.0, 0.0], [2.0, 0.0]])
    assert pencil_roots(a, e) is None
    roots = pencil_roots(np.array([[2.0, 0.0], [0.0, 3.0]]), np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert roots == pytest.approx([-2.0])


def test_writers():
    res = simulate(load_circuit("pz.cir", RLC)).results[0]
    csv = to_csv(res).splitlines()
    assert csv[0] == "variable,re,im" and csv[3].startswith("zero(1),-10000.0")
    raw = to_raw([res], "t", binary=False).decode()
    assert "Plotname: Pole-Zero Analysis" in raw and "Flags: complex" in raw
    assert "\tv(pole(1))\tvoltage" in raw and "No. Points: 1" in raw
    empty = simulate(load_circuit("pz.cir", RC.format(which="zer"))).results[0]
    raw = to_raw([empty], "t", binary=False).decode()
    assert "Flags: real" in raw and "No. Variables: 0" in raw


def test_plot_is_an_s_plane_map(tmp_path):
    from edapipe.analog.output import plot_png

    res = simulate(load_circuit("pz.cir", RLC)).results[0]
    plot_png(res, str(tmp_path / "pz.png"), "rlc")
    assert (tmp_path / "pz.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_json(tmp_path):
    from edapipe.cli.spice import spice_cmd

    path = tmp_path / "rlc.cir"
    path.write_text(RLC)
    res = CliRunner().invoke(spice_cmd, [str(path), "--json"], catch_exceptions=False)
    assert res.exit_code == 0
    item = json.loads(res.stdout)["analyses"][0]
    assert item["analysis"] == "pz" and item["points"] == 1
    pole = item["values"]["pole(1)"]
    assert pole["im"] > 0 and item["values"]["pole(2)"]["im"] == -pole["im"]
    assert item["values"]["zero(1)"]["re"] == pytest.approx(-1e4)


@pytest.mark.parametrize("card,message", [
    (".pz in 0 out vol pz", "needs the input nodes, the output nodes"),
    (".pz in 0 out 0 0 vol pz", "needs the input nodes, the output nodes"),
    (".pz in 0 out 0 volt pz", "'volt' is neither cur/vol"),
    (".pz in 0 out 0 vol both", "'both' is neither cur/vol"),
    (".pz in 0 out 0 vol cur", "needs the input nodes"),
    (".pz gnd 0 out 0 cur pz", "the input is shorted"),
    (".pz in 0 out out vol pz", "the output is shorted"),
    (".pz in 0 in 0 vol pz", "the transfer function is unity"),
    (".pz in 0 0 in vol pz", "the transfer function is -1"),
    (".pz in 0 nowhere 0 vol pz", "no node 'nowhere'"),
])
def test_bad_cards_are_located_errors(card, message):
    deck = RC.replace(".pz in 0 out 0 vol {which}", card)
    with pytest.raises(InputError) as info:
        simulate(load_circuit("pz.cir", deck))
    assert message in info.value.reason
    assert info.value.file == "pz.cir" and info.value.line == 5


@pytest.mark.parametrize("extra,message", [
    ("h1 x 0 v1 1k\nrx x 0 1k", "H sources are not supported"),
    ("t1 out 0 y 0 z0=50 td=1n\nry y 0 50", "transmission lines are not supported"),
    ("b1 y 0 v=v(out)*v(out)\nry y 0 1k", "B sources are not supported"),
])
def test_unsupported_elements_are_located_errors(extra, message):
    deck = RC.format(which="pz").replace(".pz", extra + "\n.pz")
    with pytest.raises(InputError) as info:
        simulate(load_circuit("pz.cir", deck))
    assert message in info.value.reason and info.value.line is not None


def test_input_shorted_by_a_dc_source(tmp_path):
    """V1 without an AC value shorts the input port: V(out)/I(in) vanishes for every s,
    ngspice's 'input signal is shorted on the way to the output'."""
    deck = RC.format(which="pz").replace("dc 0 ac 1", "dc 1")
    with pytest.raises(InputError) as info:
        simulate(load_circuit("pz.cir", deck))
    assert "shorted on the way to the output" in info.value.reason
    assert info.value.line == 5


def test_a_source_with_ac_0_is_opened_too(tmp_path):
    """ngspice opens a V source whenever its card gives an AC value, even `ac 0`."""
    ours = _against(tmp_path, RC.format(which="pz").replace("ac 1", "ac 0"))
    assert ours == {"pole(1)": pytest.approx(-1000.0, rel=1e-12)}


def test_print_pz_is_a_warning_and_save_keeps_the_roots():
    from edapipe.analog.output import parse_outputs, select_saved
    from edapipe.analog.parser import parse_deck

    deck = RLC.replace(".end", ".print pz all\n.save v(2)\n.end")
    outs = parse_outputs(parse_deck(deck, "pz.cir").outputs)
    assert any(".print pz: not printed as a table" in w for w in outs.warnings)
    run = simulate(load_circuit("pz.cir", deck))
    kept, _ = select_saved(run.results, outs)
    assert kept[0].names == run.results[0].names


def test_printed_roots_match_ngspice_print_all(tmp_path):
    """The table is ngspice's `print all` after an interactive `pz`, line for line."""
    ng = require_tool("ngspice")
    card = next(line for line in RLC.splitlines() if line.startswith(".pz"))
    control = RLC.replace(card, f".control\n{card[1:]}\nprint all\n.endc")
    (tmp_path / "c.cir").write_text(control)
    # (ngspice -b exits 1 here: no .print line; the control block's output is all there)
    out = subprocess.run([ng, "-b", str(tmp_path / "c.cir")], capture_output=True, text=True,
                         timeout=120).stdout
    theirs = [line for line in out.splitlines() if line.startswith(("pole(", "zero("))]
    res = simulate(load_circuit("pz.cir", RLC)).results[0]
    assert theirs and pz_table(res).splitlines() == theirs


def _ladder(n: int) -> str:
    lines = ["rc ladder", "v1 n0 0 dc 0 ac 1"]
    for i in range(n):
        lines += [f"r{i} n{i} n{i + 1} 1k", f"c{i} n{i + 1} 0 {1 + i % 7}n"]
    # (without it the 20-stage ladder has poles 3e-6 apart, and ngspice misses two roots)
    lines += [f"cx n{n // 2} 0 3p", f".pz n0 0 n{n} 0 vol pz", ".end"]
    return "\n".join(lines) + "\n"


def test_rc_ladders_have_no_spurious_zeros(tmp_path):
    """An n-stage ladder's numerator is a constant: its infinite eigenvalues form one chain
    of length ~n, which rounding would turn into n finite roots near the circuit's scale;
    the exact singleton elimination removes the chain. (ngspice's own search breaks down
    on long ladders: at 40 stages it reports 43 poles and 27 zeros.)"""
    _against(tmp_path, _ladder(20))
    ours = _ours(_ladder(150))
    poles = _roots(ours, "pole")
    assert len(poles) == 150 and not _roots(ours, "zero")
    assert all(z.imag == 0 and z.real < 0 for z in poles)


def test_rotated_pencils_keep_their_roots(monkeypatch):
    """The same pencils turned by orthogonal matrices (no exact singletons left, every
    entry rounded): the staircase alone must find the same roots, and no more (the
    rotated LINEAR numerator needs the rank tolerance that grows with each compression's
    condition; without it a 2e14 root appears)."""
    import edapipe.analog.pz as pz

    caught = []
    original = pz.pencil_roots

    def grab(a, e):
        caught.append((a.copy(), e.copy()))
        return original(a, e)

    monkeypatch.setattr(pz, "pencil_roots", grab)
    # (not TRIPLE: a turned triple root splits by ~1e-3, its mean still right to 1e-9)
    for deck in (LINEAR, BJT, TWO_STAGE, RLC):
        simulate(load_circuit("pz.cir", deck))
    assert len(caught) == 8
    rng = np.random.default_rng(1)
    for a, e in caught:
        n = a.shape[0]
        p, _ = np.linalg.qr(rng.standard_normal((n, n)))
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        plain = ngspice_order(original(a, e))
        turned = ngspice_order(original(p @ a @ q, p @ e @ q))
        # (a root at the origin comes back as ~1e-6 rad/s: rounding at the pencil's
        # scale, ~1e5 rad/s here)
        _same_set(turned, plain, rel=1e-6, floor=1e-4)


# ngspice's own tests/polezero decks (BSD): pz2's gm chain has G entries of 1e-9 beside
# couplings of 1, which one pencil cannot resolve; the block-triangular split must
NGSPICE_POLEZERO = {
    "pz2": ("test pz\niin 1 0 ac\nr1 1 0 1.019524e+9\nl1 1 0 1H\ngm2 2 0 1 0 1\n"
            "r2 2 0 8.296965e+08\nl2 2 0 1H\ngm3 3 0 2 0 1\nr3 3 0 8.652054e+07\nl3 3 0 1H\n"
            "gm4 4 0 3 0 1\nr4 4 0 1.060594e+07\nl4 4 0 1H\n.pz 1 0 4 0 cur pol\n.end\n"),
    "pzt": ("test pz\niin 1 0 ac\nr1 1 0 1\nl1 1 0 0.05H\ngm2 2 0 1 0 1\nr2 2 0 1\n"
            "l2 2 0 0.05H\ngm3 3 0 2 0 1\nr3 3 0 1\nl3 3 0 0.05H\n.pz 1 0 3 0 cur pol\n.end\n"),
    "filt_multistage": ("Multistage filter\nv1 1 0 0 ac 1.0\nr1 1 2 1k\nc1 2 0 10p\n"
                        "e2 3 0 2 0 10\nr2 3 4 1k\nc2 4 0 1.25p\ne3 5 0 4 0 10\nr3 5 6 1k\n"
                        "c3 6 0 .02p\n.pz 1 0 6 0 vol pz\n.end\n"),
    "simplepz": ("test circuit #1 for pz analysis:high pass filter\nr1 1 0 1k\nr2 2 0 1k\n"
                 "c1 1 2 1.0e-12\n.pz 1 0 2 0 cur pz\n.end\n"),
}


@pytest.mark.parametrize("name", list(NGSPICE_POLEZERO))
def test_ngspice_polezero_decks(tmp_path, name):
    _against(tmp_path, NGSPICE_POLEZERO[name])


def test_block_triangular_split_keeps_every_root():
    a = np.array([[1e-9, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0],
                  [1.0, 0.0, 2e-9, 1.0], [0.0, 0.0, 1.0, 0.0]])
    e = np.zeros((4, 4))
    e[1, 1] = e[3, 3] = -1.0
    blocks = pz.diagonal_blocks(a, e)
    assert sorted(len(r) for r, _ in blocks) == [2, 2]
    roots = sorted(pz.pencil_roots(a, e).real)
    assert roots == pytest.approx([-1e9, -5e8], rel=1e-6)
