"""Netlist reading: numbers, expressions, continuations, comments, subcircuits, libraries."""

from __future__ import annotations

import math

import pytest

from edapipe.analog.circuit import flatten
from edapipe.analog.expr import ExprError, eval_text, parse_number
from edapipe.analog.parser import parse_deck, split_tokens
from edapipe.analog.spice import simulate
from edapipe.errors import InputError


@pytest.mark.parametrize("text,value", [
    ("1k", 1e3), ("10meg", 1e7), ("1M", 1e-3), ("2.5e-3", 2.5e-3), ("10V", 10.0),
    ("100fA", 1e-13), ("1mil", 25.4e-6), ("3.3u", 3.3e-6), ("1ohm", 1.0), (".5", 0.5),
    ("2mW", 2e-3), ("1T", 1e12), ("4G", 4e9), ("7p", 7e-12), ("1n", 1e-9)])
def test_numbers(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_not_numbers():
    assert parse_number("abc") is None
    assert parse_number("1k2") is None


@pytest.mark.parametrize("text,value", [
    ("1+2*3", 7), ("2^3^2", 512), ("-2^2", -4), ("(1+2)*3", 9), ("1 ? 4 : 5", 4),
    ("0 ? 4 : 5", 5), ("max(1, 2k)", 2000), ("sqrt(16)+abs(-1)", 5), ("10 % 3", 1),
    ("1 < 2 && 2 < 3", 1), ("!0", 1), ("pi", math.pi), ("2**3", 8)])
def test_expressions(text, value):
    assert eval_text(text, {}) == pytest.approx(value)


def test_expression_errors_are_clean():
    with pytest.raises(ExprError):
        eval_text("1 +", {})
    with pytest.raises(ExprError):
        eval_text("__import__('os')", {})
    with pytest.raises(ExprError):
        eval_text("foo + 1", {})


def test_tokens():
    assert split_tokens("V1 1 0 sin(0 1 1k) ac 1") == ["V1", "1", "0", "sin", "0", "1", "1k",
                                                      "ac", "1"]
    assert split_tokens("X1 a b s p = {1 + 2} q='a*b'") == ["X1", "a", "b", "s", "p", "=",
                                                          "{1 + 2}", "q", "=", "'a*b'"]


DECK = """title line is ignored
* a comment
.param rv = 2k  cv={1n*2}
.func twice(x) = {2*x}
.subckt half in out r={rv}
R1 in out {r}
R2 out 0 {r} ; inline comment
.ends half
V1 top 0 DC {twice(1.5)}
X1 top mid half r=1k
X2 mid
+ low half $ continuation and a $ comment
.op
.end
ignored after .end
"""


def test_deck_flattening():
    circ = flatten(parse_deck(DECK, "t.cir"))
    names = sorted(e.name for e in circ.elements)
    assert names == ["v1", "x1.r1", "x1.r2", "x2.r1", "x2.r2"]
    values = {e.name: e.value for e in circ.elements}
    assert values["x1.r1"] == 1e3 and values["x2.r1"] == 2e3
    assert values["v1"] == 0.0 and circ.elements[0].source.dc == 3.0
    run = simulate(circ)
    op = dict(zip(run.results[0].names, run.results[0].data[0]))
    # top=3 V; X1: 1k/1k with X2 (2k+2k) loading mid
    r_low = 1e3 * 4e3 / 5e3
    assert op["v(mid)"] == pytest.approx(3.0 * r_low / (1e3 + r_low))


def test_gnd_is_ground_and_names_are_case_insensitive():
    circ = flatten(parse_deck("t\nV1 IN gnd 1\nR1 in 0 1k\n.op\n.end\n", "t.cir"))
    assert circ.nodes == ["0", "in"]


def test_control_block_skipped_with_warning():
    deck = parse_deck("t\nV1 1 0 1\nR1 1 0 1\n.control\nrun\nplot v(1)\n.endc\n.op\n.end\n")
    assert any(".control" in w for w in deck.warnings)
    assert len(deck.top.elements) == 2


def test_lib_section(tmp_path):
    (tmp_path / "m.lib").write_text(".lib fast\n.model d1 D(IS=1e-12)\n.endl fast\n"
                                    ".lib slow\n.model d1 D(IS=1e-15)\n.endl slow\n")
    top = tmp_path / "top.cir"
    top.write_text("t\n.lib 'm.lib' slow\nI1 0 1 1m\nD1 1 0 d1\n.op\n.end\n")
    from edapipe.analog.circuit import load

    circ = load(str(top))
    assert circ.elements[1].model.params["is"] == 1e-15


def test_global_nodes_inside_subcircuits():
    deck = ("t\n.global vdd\n.subckt load a\nR1 a vdd 1k\n.ends\nV1 vdd 0 1\nX1 n load\n"
            "R2 n 0 1k\n.op\n.end\n")
    circ = flatten(parse_deck(deck))
    assert "vdd" in circ.nodes and "x1.vdd" not in circ.nodes


def test_element_error_names_file_line_and_element():
    with pytest.raises(InputError) as info:
        flatten(parse_deck("t\nV1 1 0 1\nR1 1 0 {nope}\n.op\n.end\n", "x.cir"))
    assert str(info.value).startswith("x.cir:3:") and "r1" in str(info.value)
