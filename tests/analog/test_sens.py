""".sens (DC sensitivities) against live ngspice: the parameter list (names and order, as in
ngspice's raw file), the values, the printed table; the located errors."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest

from edapipe.analog.analyses import Simulator, parse_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.analog.sens import sens_table
from edapipe.errors import InputError
from tests.analog.test_live_ngspice import ngspice_run
from tests.analog.test_mos2 import _ours
from tests.conftest import require_tool

LADDER = """sens of a resistor ladder
v1 in 0 dc 5
i1 0 b dc 1m
r1 in a 1k
r2 a 0 2k
r3 a b 500
r4 b out 3k
r5 out 0 1k
.sens {out}
.end
"""

# every covered device type: C and L (no effect at DC), m= and scale= on resistors, the
# four controlled sources, a zero-volt source as the current output
MIXED = """sens of every covered element
v1 in 0 dc 5 ac 1
vz z 0 0
i1 0 b dc 1m
r1 in a 1k
r2 a 0 2k m=2
r3 a b 500 scale=2
r4 b out 3k
r5 out z 1k
c1 a 0 1p
l1 b c 1u
r6 c 0 10k
e1 e 0 a 0 2
re e 0 1k
g1 0 out a 0 1m
f1 0 out vz 0.5
h1 h 0 vz 100
rh h out 5k
.sens {out}
.end
"""

SUBCKT = """sens through subcircuits
.subckt div a b rt=1k
r1 a b {rt}
r2 b 0 2k
i1 0 b 10u
.ends
v1 in 0 dc 3
x1 in mid div rt=3k
x2 mid out div
e1 e 0 out 0 3
rl e 0 1k
.sens {out}
.end
"""


def _against(tmp_path, deck):
    ref = {k[2:-1]: v[0] for k, v in ngspice_run(tmp_path, deck).items()}
    res = _ours(deck, "sens")
    # the same parameters in ngspice's order (device types, instances last to first, model
    # parameters before instance parameters)
    assert res.names == list(ref)
    for name, val in zip(res.names, res.data[0]):
        r = ref[name]
        assert abs(val - r) <= 1e-9 * abs(r), name
        if r == 0.0:
            assert np.signbit(val) == np.signbit(r), name     # printed -0.000000e+00
    return res


@pytest.mark.parametrize("out", ["v(out)", "v(out,b)", "v(b,out)", "v(out,0)"])
def test_ladder_sensitivities(tmp_path, out):
    res = _against(tmp_path, LADDER.format(out=out))
    got = dict(zip(res.names, res.data[0]))
    # a one-sided difference as ngspice's: r1_m and -r1_scale differ by ~1e-6 relative
    assert got["r1_m"] == pytest.approx(-got["r1_scale"], rel=1e-5)
    assert got["r1_m"] != -got["r1_scale"]


@pytest.mark.parametrize("out", ["v(out)", "i(vz)", "v(out,b)"])
def test_every_covered_element(tmp_path, out):
    _against(tmp_path, MIXED.format(out=out))


def test_subcircuit_element_names(tmp_path):
    res = _against(tmp_path, SUBCKT.replace("{out}", "v(e)"))
    assert "r.x1.r1" in res.names and "i.x2.i1_m" in res.names


def test_printed_table_matches_ngspice(tmp_path):
    """`.print sens all` in ngspice prints pages of four columns; the numbers (and their
    -0.000000e+00) are the same as our table's, name by name."""
    deck = LADDER.format(out="v(out)").replace(".end", ".print sens all\n.end")
    ng = require_tool("ngspice")
    (tmp_path / "d.cir").write_text(deck)
    text = subprocess.run([ng, "-b", str(tmp_path / "d.cir")], capture_output=True,
                          text=True, timeout=120, check=True).stdout
    theirs = {}
    lines = text.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("Index"):
            names = line.split()[1:]
            vals = lines[k + 2].split()[1:]
            theirs.update(zip(names, vals))
    res = _ours(deck, "sens")
    table = sens_table(res).splitlines()
    ours = dict(zip(table[0].split()[1:], table[1].split()[1:]))
    assert theirs and ours == theirs


@pytest.mark.parametrize("card,message", [
    (".sens v(out) ac dec 10 1 1k", "ac sensitivities are not supported"),
    (".sens out", "needs an output"),
    (".sens i(r1)", "no voltage source 'r1'"),
    (".sens v(nowhere)", "no node 'nowhere'"),
    (".sens v(out,a,b)", "cannot read the output"),
])
def test_bad_sens_cards_are_located_errors(card, message):
    deck = LADDER.format(out="v(out)").replace(".sens v(out)", card)
    circ = flatten(parse_deck(deck, "s.cir"))
    with pytest.raises(InputError) as info:
        spec = parse_analysis(circ.analyses[0])
        from edapipe.analog.analyses import run_analysis

        run_analysis(Simulator(circ), spec)
    assert message in str(info.value).lower()
    assert info.value.line == 9


@pytest.mark.parametrize("element", ["q1 out b 0 qm", "rm out 0 rmod 1k", "k1 l1 l2 0.5",
                                     "r9 out 0 1k tc1=1e-3"])
def test_uncovered_devices_are_located_errors(element):
    deck = LADDER.format(out="v(out)").replace(
        ".sens", f"{element}\nl1 out 0 1u\nl2 b 0 1u\n.model qm npn\n.model rmod r\n.sens")
    circ = flatten(parse_deck(deck, "s.cir"))
    from edapipe.analog.analyses import run_analysis

    with pytest.raises(InputError) as info:
        run_analysis(Simulator(circ), parse_analysis(circ.analyses[0]))
    assert info.value.line == 9                   # the element's card, naming .sens
    assert re.search(r"\.sens", str(info.value))
