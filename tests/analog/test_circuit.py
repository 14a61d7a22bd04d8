"""Element cards as circuit.py reads them: R/C/L values and models (passive), the
semiconductor cards' models, optional nodes and flags (semiconductor)."""

from __future__ import annotations

import pytest

from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from edapipe.errors import InputError

MODELS = (".model qn npn(is=1e-15 bf=100)\n.model dm d(is=1e-14)\n"
          ".model rm r(rsh=100)\n.model nm nmos(level=1 vto=0.7 kp=1e-4)\n")


def _elements(body: str) -> dict:
    circ = flatten(parse_deck(f"t\n{body}\n{MODELS}.op\n.end\n", "t.cir"))
    return {e.name: e for e in circ.elements}


def test_bjt_substrate_node_is_read_unless_the_fourth_token_names_a_model():
    els = _elements("Q1 c b e s qn\nQ2 c b e qn\nQ3 c b e qn 2.5\nQ4 c b e s qn off\n"
                    "V1 c 0 1\nV2 b 0 1\nV3 s 0 0\nR1 e 0 1k")
    assert len(els["q1"].nodes) == 4 and els["q1"].model.name == "qn"
    assert len(els["q2"].nodes) == 3 and els["q2"].params == {}
    assert len(els["q3"].nodes) == 3 and els["q3"].params == {"area": 2.5}
    assert len(els["q4"].nodes) == 4 and els["q4"].params == {"off": 1.0}


def test_semiconductor_cards_check_the_model_kind():
    with pytest.raises(InputError, match="not npn/pnp"):
        _elements("Q1 c b e dm\nV1 c 0 1\nV2 b 0 1\nR1 e 0 1k")
    with pytest.raises(InputError, match="unknown model 'nope'"):
        _elements("D1 a 0 nope\nV1 a 0 1")
    with pytest.raises(InputError, match="names no model"):
        _elements("M1 d g 0 0\nV1 d 0 1\nV2 g 0 1")


def test_passive_value_model_in_either_order_and_multipliers():
    els = _elements("R1 a 0 1k m=2 scale=3\nR2 a 0 rm l=10u w=1u\nR3 a 0 2k rm\n"
                    "C1 a 0 1p m=2 scale=3\nL1 a b 1u m=4\nR4 b 0 0\nV1 a 0 1")
    assert els["r1"].value == pytest.approx(1e3 * 3 / 2)
    assert els["r2"].model.name == "rm" and els["r2"].value == pytest.approx(1000.0)
    assert els["r3"].model.name == "rm" and els["r3"].value == 2e3
    assert els["c1"].value == pytest.approx(6e-12)
    assert els["l1"].value == pytest.approx(0.25e-6)
    assert els["r4"].value == 1e-3          # a zero resistance becomes 1 mOhm, as ngspice


@pytest.mark.parametrize("card, message", [
    ("R1 a 0 1k 2k", "is not a model name"),
    ("C1 a 0", "has no value"),
    ("R1 a 0 rm 1k 2k", "unexpected '2k'"),
])
def test_bad_passive_cards(card, message):
    with pytest.raises(InputError, match=message):
        _elements(f"{card}\nV1 a 0 1")
