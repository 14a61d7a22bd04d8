"""MOS levels 1-3 flicker noise (KF, AF) against live ngspice 39 (mos1noi.c, mos2noi.c,
mos3noi.c): output and input noise densities and their integrated totals, N and P channel,
with and without TOX, LD/WD/XL/XW, RD/RS and M; a common-source amplifier; the cards
ngspice 39 does not read for these levels (NLEV, GDSNOI) are located errors."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.errors import InputError
from tests.analog.test_decks16 import _ngspice_noise, ours

STAGE = """mos flicker stage
vdd vdd 0 {vdd}
vin in 0 dc {vg} ac 1
rd vdd d 10k
m1 d in 0 0 mm {geom}
.model mm {kind}(level={level} vto={vto} kp=100u {extra} kf={kf} af={af})
.noise v(d) vin {sweep}
.print noise all
.end
"""

SWEEPS = ["dec 3 1 1meg", "lin 6 10 100k"]


def _compare(tmp_path, text, rtol=2e-6):
    (itot, otot), rows = _ngspice_noise(tmp_path, text)
    res = ours(text).results[0]
    assert np.allclose(res.scale, rows[:, 0], rtol=1e-6)
    for k, name in ((1, "inoise_spectrum"), (2, "onoise_spectrum")):
        got = res.data[:, res.names.index(name)]
        assert np.allclose(got, rows[:, k], rtol=rtol, atol=0), name
    assert res.extra["inoise_total"] == pytest.approx(itot, rel=rtol)
    assert res.extra["onoise_total"] == pytest.approx(otot, rel=rtol)


def _stage(level, kind, extra, kf="1e-25", af="1.3", geom="w=20u l=2u", sweep=SWEEPS[0]):
    n = kind == "nmos"
    return STAGE.format(level=level, kind=kind, extra=extra, kf=kf, af=af, geom=geom,
                        sweep=sweep, vdd=5 if n else -5, vg=1.5 if n else -1.5,
                        vto=0.8 if n else -0.8)


EXTRAS = {1: ["tox=20n ld=0.1u", "ld=0.2u rd=20 rs=10"],
          2: ["tox=30n ld=0.2u rd=20 rs=10", "nsub=1e16 tox=25n"],
          3: ["tox=20n ld=0.1u", "tox=30n ld=0.2u wd=0.3u xl=0.05u xw=0.1u rd=20 rs=10"]}


@pytest.mark.parametrize("sweep", SWEEPS)
@pytest.mark.parametrize("kf, af", [("1e-25", "1.3"), ("3e-24", "0.8"), ("1e-26", "2")])
@pytest.mark.parametrize("kind", ["nmos", "pmos"])
@pytest.mark.parametrize("level, extra", [(lv, ex) for lv, exs in EXTRAS.items()
                                          for ex in exs])
def test_flicker_matches_ngspice(tmp_path, level, extra, kind, kf, af, sweep):
    _compare(tmp_path, _stage(level, kind, extra, kf, af, sweep=sweep))


@pytest.mark.parametrize("level", [1, 2, 3])
def test_flicker_with_m(tmp_path, level):
    """M multiplies the drain current; levels 1 and 2 also divide the flicker term by M,
    level 3 does not. This bias point (triode) is where ngspice's default tolerances stop
    its Newton 2e-4 short of the solution, so both sides converge tightly."""
    text = _stage(level, "nmos", EXTRAS[level][0], geom="w=20u l=2u m=2")
    text = text.replace(".noise", ".options reltol=1e-9 abstol=1e-15 vntol=1e-12\n.noise")
    _compare(tmp_path, text)


def test_level1_without_tox_takes_its_geometry_from_the_model(tmp_path):
    _compare(tmp_path, _stage(1, "nmos", "ld=0.1u w=20u l=3u", geom=""))
    _compare(tmp_path, _stage(1, "nmos", "ld=0.1u", geom="w=8u"))


CS_AMP = """common-source amplifier with a PMOS current-source load
vdd vdd 0 5
vin in 0 dc 0 ac 1
cin in g 1u
rg1 vdd g 300k
rg2 g 0 100k
m1 d g s 0 nm w=40u l=2u
rs s 0 200
cs s 0 100u
m2 d b vdd vdd pm w=80u l=4u
m3 b b vdd vdd pm w=80u l=4u
rb b 0 50k
cl d 0 2p
.model nm nmos(level=2 vto=0.7 kp=60u tox=20n nsub=1e16 lambda=0.02 rd=15 rs=15
+ kf=2e-25 af=1.2)
.model pm pmos(level=1 vto=-0.8 kp=25u tox=20n lambda=0.03 ld=0.2u kf=5e-26 af=1)
.noise v(d) vin {sweep}
.print noise all
.end
"""


@pytest.mark.parametrize("sweep", ["dec 5 1 100meg", "oct 2 10 10meg"])
def test_common_source_amplifier(tmp_path, sweep):
    _compare(tmp_path, CS_AMP.format(sweep=sweep))


def test_flicker_is_one_over_f_and_linear_in_kf():
    """Without ngspice: the KF part of the output density falls as 1/f and scales with
    KF (the white part is taken away by a KF = 0 run)."""
    def density(kf):
        res = ours(_stage(1, "nmos", "tox=20n", kf=kf, sweep="dec 1 1 1k")).results[0]
        return res.scale, res.data[:, res.names.index("onoise_spectrum")] ** 2

    freqs, white = density("0")
    _, one = density("1e-25")
    _, two = density("2e-25")
    fl1, fl2 = (one - white) * freqs, (two - white) * freqs
    assert np.all(fl1 > 0)
    assert np.allclose(fl1, fl1[0], rtol=1e-6)
    assert np.allclose(fl2, 2 * fl1, rtol=1e-6)


@pytest.mark.parametrize("level", [1, 2, 3])
@pytest.mark.parametrize("card", ["nlev=1", "gdsnoi=2"])
def test_noise_levels_are_located_errors(card, level):
    """ngspice 39 ignores NLEV and GDSNOI on these levels (later versions do not); level 3
    refuses every parameter mos3 does not have when it is set up."""
    with pytest.raises(InputError) as err:
        ours(_stage(level, "nmos", f"tox=20n {card}"))
    # level 3 names the element that uses the model, as all its set-up errors do
    assert err.value.line == (5 if level == 3 else 6)
    assert card.split("=")[0] in str(err.value).lower()


def test_level1_flicker_without_tox_or_geometry_is_a_located_error():
    with pytest.raises(InputError) as err:
        ours(_stage(1, "nmos", "ld=0.1u", geom=""))
    assert err.value.line == 5 and "without TOX needs L or W" in str(err.value)
