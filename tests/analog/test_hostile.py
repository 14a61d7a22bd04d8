"""Hostile netlists (issue 13): every one is a located InputError (exit 3) or, for a budget, a
ResourceLimit (exit 4) naming the card, the limit and the variable that raises it. Never a
traceback, a hang or gigabytes of memory. Through the Python API, so each case is fast."""

from __future__ import annotations

import math

import pytest

from edapipe.analog.expr import ExprError, eval_text, parse_expr
from edapipe.analog.parser import parse_deck
from edapipe.analog.spice import load_circuit, simulate
from edapipe.errors import InputError, ResourceLimit

TAIL = "V1 1 0 1\nR1 1 0 1k\n.op\n.end\n"


def _run(text: str, path: str = "h.cir", tmp_path=None):
    if tmp_path is not None:
        target = tmp_path / path
        target.write_text(text)
        path = str(target)
    circ = load_circuit(path, text)
    return simulate(circ)


def _input_error(text: str, line: int | None, *words: str, tmp_path=None) -> InputError:
    with pytest.raises(InputError) as info:
        _run(text, tmp_path=tmp_path)
    err = info.value
    if line is not None:
        assert err.line == line, str(err)
    for w in words:
        assert w in str(err), str(err)
    assert len(str(err)) < 400
    return err


def _limit(text: str, *words: str, path: str = "h.cir", tmp_path=None) -> ResourceLimit:
    with pytest.raises(ResourceLimit) as info:
        _run(text, path, tmp_path=tmp_path)
    for w in words:
        assert w in str(info.value), str(info.value)
    return info.value


# --- expressions ------------------------------------------------------------------------------

def test_recursive_func_names_the_cycle():
    _input_error("t\n.func f(x)={f(x)+1}\n.param a={f(1)}\n" + TAIL, 2,
                 "recursive function: f -> f")


def test_mutually_recursive_funcs_name_the_cycle():
    _input_error("t\n.func f(x)={g(x)+1}\n.func g(x)={f(x)*2}\n.param a={f(1)}\n" + TAIL, 2,
                 "f -> g -> f")


def test_recursion_without_deck_is_an_expression_error():
    funcs = {"f": (["x"], parse_expr("g(x)")), "g": (["x"], parse_expr("f(x)"))}
    with pytest.raises(ExprError, match="recursive function: f -> g -> f"):
        eval_text("f(1)", {}, funcs)


def test_exponential_func_chain_is_bounded():
    lines = ["t", ".func f0(x)={x+1}"]
    lines += [f".func f{i}(x)={{f{i - 1}(x)+f{i - 1}(x)}}" for i in range(1, 61)]
    lines += [".param a={f60(1)}", TAIL]
    _input_error("\n".join(lines), 63, "too costly")


def test_short_func_chain_still_evaluates():
    lines = ["t", ".func f0(x)={x+1}"]
    lines += [f".func f{i}(x)={{f{i - 1}(x)+f{i - 1}(x)}}" for i in range(1, 8)]
    lines += [".param a={f7(1)}", "V1 1 0 {a}", "R1 1 0 1k", ".op", ".end"]
    circ = load_circuit("h.cir", "\n".join(lines) + "\n")
    assert circ.params["a"] == 2 ** 7 * 2


@pytest.mark.parametrize("expr", ["(" * 20000 + "1" + ")" * 20000, "-" * 20000 + "1",
                                  "!" * 20000 + "1", "2^" * 20000 + "2",
                                  "1?" * 20000 + "1" + ":1" * 20000])
def test_deep_nesting_is_a_located_error(expr):
    _input_error("t\n.param a={" + expr + "}\n" + TAIL, 2, "nested more than")


def test_long_flat_expression_is_fine():
    # left-associative: a long sum is a deep tree but no deep nesting
    value = eval_text("+".join(["1"] * 20000), {})
    assert value == 20000


@pytest.mark.parametrize("expr,words", [
    ("10^400", "too large"), ("10**400", "too large"), ("5%0", "modulo by zero"),
    ("5/0", "division by zero"), ("0^-1", "division by zero"), ("exp(1000)", "exp()"),
    ("ln(0)", "ln()"), ("pow(10, 400)", "pow()"), ("1e200*1e200", "not a finite"),
    ("int(1e400)", "int()"), ("acos(2)", "acos()"), ("(-2)^1e400", "not a finite")])
def test_arithmetic_failures_are_located(expr, words):
    _input_error("t\n.param a={" + expr + "}\n" + TAIL, 2, words)


def test_expression_errors_quote_little_of_a_long_line():
    err = _input_error("t\n.param a={" + "1+" * 500_000 + "}\n" + TAIL, 2)
    assert len(str(err)) < 300


def test_reverse_parameter_chain_is_linear():
    n = 20000
    lines = ["t"] + [f".param p{i}={{p{i + 1}+1}}" for i in range(n)] + [f".param p{n}=1"]
    lines += ["V1 1 0 {p0}", "R1 1 0 1k", ".op", ".end"]
    circ = load_circuit("h.cir", "\n".join(lines) + "\n")
    assert circ.params["p0"] == n + 1


def test_forward_references_keep_ngspice_order():
    # a is redefined after b reads it: b sees the value of its pass, as before
    deck = "t\n.param b={a} a=1\n.param c={d*2}\n.param d=3\n.param a=5\n" + TAIL
    circ = load_circuit("h.cir", deck)
    assert circ.params["b"] == 5 and circ.params["c"] == 6 and circ.params["a"] == 5


# --- includes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_include_of_a_device_is_refused(device):
    _input_error(f"t\n.include {device}\n" + TAIL, 2, "not a regular file", device)


def test_lib_of_a_device_is_refused():
    _input_error("t\n.lib /dev/zero tt\n" + TAIL, 2, "not a regular file")


def test_self_include_is_a_named_loop(tmp_path):
    deck = tmp_path / "self.cir"
    text = "t\n.include self.cir\n" + TAIL
    deck.write_text(text)
    with pytest.raises(InputError) as info:
        load_circuit(str(deck), text)
    assert info.value.line == 2 and "include loop: self.cir -> self.cir" in str(info.value)


def test_include_depth_is_limited(tmp_path):
    for i in range(100):
        (tmp_path / f"i{i}.inc").write_text(f".include i{i + 1}.inc\n")
    (tmp_path / "i100.inc").write_text("R9 1 0 1\n")
    text = "t\n.include i0.inc\n" + TAIL
    with pytest.raises(InputError, match="included more than"):
        load_circuit(str(tmp_path / "top.cir"), text)


def test_include_bomb_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_INPUT_MB", "1")
    (tmp_path / "l0.inc").write_text("R1 1 0 1k\n" * 1000)
    for i in range(1, 20):
        (tmp_path / f"l{i}.inc").write_text(f".include l{i - 1}.inc\n.include l{i - 1}.inc\n")
    with pytest.raises(ResourceLimit, match="EDAPIPE_MAX_INPUT_MB"):
        load_circuit(str(tmp_path / "top.cir"), "t\n.include l19.inc\n" + TAIL)


def test_included_non_netlist_is_not_echoed(tmp_path):
    secret = "root:$6$saltsalt$" + "S" * 86 + ":19000:0:99999:7:::"
    (tmp_path / "shadow").write_text(secret + "\n")
    with pytest.raises(InputError) as info:
        load_circuit(str(tmp_path / "top.cir"), f"t\n.include {tmp_path / 'shadow'}\n" + TAIL)
    msg = str(info.value)
    assert "SSSSSSSS" not in msg and len(msg.split(": ", 1)[1]) < 120
    assert info.value.file.endswith("shadow") and info.value.line == 1


def test_long_line_is_not_echoed():
    with pytest.raises(InputError) as info:
        _run("t\nZ" + "z" * 5_000_000 + " 1 0\n" + TAIL)
    assert len(str(info.value)) < 300


def test_many_continuation_lines_are_linear():
    deck = "t\nV1 1 0 1\nR1 1 0\n" + "+ 1k\n" * 200_000 + ".op\n.end\n"
    parsed = parse_deck(deck)
    assert parsed.top.elements[1].text.count("1k") == 200_000


# --- sweeps and time grids --------------------------------------------------------------------

def test_huge_dc_sweep_is_refused_before_allocating():
    _limit("t\nV1 1 0 1\nR1 1 0 1\n.dc V1 0 1e9 1e-9\n.end\n", "h.cir:4:", ".dc",
           "EDAPIPE_MAX_POINTS")


def test_nested_dc_sweeps_multiply():
    deck = "t\nV1 1 0 1\nV2 2 0 1\nR1 1 2 1\n.dc V1 0 1 1e-4 V2 0 1 1e-4\n.end\n"
    _limit(deck, "1e+08 points", "EDAPIPE_MAX_POINTS")


def test_dc_step_that_cannot_move_is_an_error():
    _input_error("t\nV1 1 0 1\nR1 1 0 1\n.dc V1 1e20 1.000000000000001e20 1\n.end\n", 4,
                 "too small")


@pytest.mark.parametrize("card", [".dc V1 0 1 nan", ".dc V1 0 inf 1", ".dc V1 0 1 0"])
def test_bad_dc_values(card):
    _input_error(f"t\nV1 1 0 1\nR1 1 0 1\n{card}\n.end\n", 4)


@pytest.mark.parametrize("card", [".ac dec 1e30 1 10", ".ac lin 1e12 1 10",
                                  ".ac oct 1e9 1 1e9"])
def test_huge_ac_sweep_is_refused(card):
    _limit(f"t\nV1 1 0 ac 1\nR1 1 0 1\n{card}\n.end\n", "h.cir:4:", ".ac",
           "EDAPIPE_MAX_POINTS")


@pytest.mark.parametrize("card", [".ac dec 0 1 10", ".ac dec -5 1 10", ".ac dec 10 0 10",
                                  ".ac dec 10 1 1e400", ".ac lin 1e400 1 10"])
def test_bad_ac_values(card):
    _input_error(f"t\nV1 1 0 ac 1\nR1 1 0 1\n{card}\n.end\n", 4)


def test_tiny_tstep_is_refused_before_running():
    _limit("t\nV1 1 0 1\nR1 1 0 1\nC1 1 0 1p\n.tran 1e-30 1\n.end\n", "h.cir:5:", ".tran",
           "EDAPIPE_MAX_POINTS")


def test_tiny_tmax_is_refused_before_running():
    _limit("t\nV1 1 0 1\nR1 1 0 1\nC1 1 0 1p\n.tran 1n 1 0 1e-25\n.end\n", ".tran",
           "EDAPIPE_MAX_POINTS")


def test_transient_stops_at_the_point_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_POINTS", "200")
    # 100 points by TSTOP/TMAX, but the pulse edges need many more
    deck = ("t\nV1 1 0 pulse(0 1 0 1p 1p 1n 2n)\nR1 1 2 1k\nC1 2 0 1p\n"
            ".tran 10n 1u\n.end\n")
    _limit(deck, "h.cir:5:", "EDAPIPE_MAX_POINTS")


@pytest.mark.parametrize("card", [".tran 1 inf", ".tran nan 1", ".tran 1n 1u 0 -1"])
def test_bad_tran_values(card):
    _input_error(f"t\nV1 1 0 1\nR1 1 0 1\nC1 1 0 1p\n{card}\n.end\n", 5)


def test_values_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_VALUES", "1000")
    _limit("t\nV1 1 0 1\nR1 1 0 1\n.dc V1 0 1 1e-3\n.end\n", "EDAPIPE_MAX_VALUES")


# --- subcircuits ------------------------------------------------------------------------------

def _doubling(levels: int) -> str:
    sub = ["t", ".subckt s0 a b", "R1 a b 1", ".ends"]
    for i in range(1, levels + 1):
        sub += [f".subckt s{i} a b", f"X1 a m s{i - 1}", f"X2 m b s{i - 1}", ".ends"]
    sub += ["V1 1 0 1", f"X0 1 0 s{levels}", ".op", ".end"]
    return "\n".join(sub) + "\n"


def test_doubling_subcircuit_is_refused_before_expanding():
    err = _limit(_doubling(30), "h.cir:", "x0", "EDAPIPE_MAX_ELEMENTS")
    assert str(err).startswith(f"h.cir:{4 + 4 * 30 + 2}:")


def test_element_budget_can_be_raised(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "100")
    _limit(_doubling(7), "x0", "EDAPIPE_MAX_ELEMENTS")
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "1000")
    circ = load_circuit("h.cir", _doubling(7))
    assert len(circ.elements) == 129


def test_flat_netlist_over_the_budget(monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_ELEMENTS", "10")
    deck = "t\nV1 1 0 1\n" + "".join(f"R{i} 1 0 1k\n" for i in range(20)) + ".op\n.end\n"
    _limit(deck, "h.cir:12:", "EDAPIPE_MAX_ELEMENTS")


def test_deep_subcircuit_chain_is_no_recursion_error():
    n = 600
    lines = ["t", ".subckt c0 a b", "R1 a b 1", ".ends"]
    for i in range(1, n):
        lines += [f".subckt c{i} a b", f"X1 a b c{i - 1}", ".ends"]
    lines += ["V1 1 0 1", f"X0 1 0 c{n - 1}", ".op", ".end"]
    circ = load_circuit("h.cir", "\n".join(lines) + "\n")
    assert len(circ.elements) == 2


def test_too_deep_subcircuit_chain_is_located():
    n = 1200
    lines = ["t", ".subckt c0 a b", "R1 a b 1", ".ends"]
    for i in range(1, n):
        lines += [f".subckt c{i} a b", f"X1 a b c{i - 1}", ".ends"]
    lines += ["V1 1 0 1", f"X0 1 0 c{n - 1}", ".op", ".end"]
    with pytest.raises(InputError, match="nested more than"):
        load_circuit("h.cir", "\n".join(lines) + "\n")


def test_recursive_subcircuit_names_the_cycle():
    deck = ("t\n.subckt a in out\nX1 in out b\n.ends\n.subckt b in out\nX2 in out a\n.ends\n"
            "V1 1 0 1\nX0 1 0 a\n.op\n.end\n")
    _input_error(deck, 6, "a -> b -> a")


# --- values met while simulating --------------------------------------------------------------

def test_b_source_reading_a_floating_node():
    _input_error("t\nV1 1 0 1\nR1 1 0 1\nB1 2 0 V=v(nosuch)\nR2 2 0 1\n.op\n.end\n", 4,
                 "singular matrix", "nosuch")


def test_floating_node_names_an_element_card():
    _input_error("t\nV1 1 0 1\nR1 1 0 1k\nC1 1 2 1p\nC2 2 0 1p\n.op\n.end\n", 4,
                 "node '2'", "no DC path")


def test_nothing_else_escapes_on_nan_values():
    with pytest.raises(InputError):
        _run("t\n.param a={0*1e400}\nV1 1 0 {a}\nR1 1 0 1\n.op\n.end\n")
    assert math.isnan(eval_text("(-8)^(1/3)", {}))


# --- found by mutating the benchmark decks ---------------------------------------------------

BJT = ("t\nVCC 1 0 5\nRC 1 2 1k\nRB 1 3 100k\nQ1 2 3 0 qm\n.model qm NPN({params})\n"
       ".op\n.end\n")


@pytest.mark.parametrize("params", ["BF=0", "NR=0", "NF=0"])
def test_bjt_parameter_that_divides_is_zero(params):
    _input_error(BJT.format(params=params), 5, "q1", "qm")


@pytest.mark.parametrize("model", ["D(IS=1e400n)", "D(IS=-1e-14)", "D(N=0)"])
def test_diode_parameters_out_of_range(model):
    _input_error(f"t\nV1 1 0 1\nR1 1 2 1k\nD1 2 0 dm\n.model dm {model}\n.op\n.end\n", None)


def test_mos_zero_channel_length():
    deck = ("t\nVD d 0 1\nVG g 0 1\nM1 d g 0 0 nch W=10u L=0u\n.model nch NMOS(KP=1e-4)\n"
            ".op\n.end\n")
    _input_error(deck, 4, "m1", "channel length")


@pytest.mark.parametrize("option", ["reltol=abc", "itl1=1e400", "tnom=x"])
def test_numeric_options_must_be_numbers(option):
    _input_error(f"t\n.options {option}\n" + TAIL, 2, option.split("=")[0])


@pytest.mark.parametrize("card", [".ac dec 10 1 0", ".ac dec 10 1 -5", ".ac oct 10 1 0"])
def test_ac_stop_frequency_must_be_positive(card):
    _input_error(f"t\nV1 1 0 ac 1\nR1 1 0 1\n{card}\n.end\n", 4, "positive")


@pytest.mark.parametrize("src", ["sin(0 1 1e308)", "exp(0 1 0 1n 2n -1e-30)"])
def test_source_waveform_that_cannot_be_computed(src):
    deck = f"t\nV1 1 0 {src}\nR1 1 2 1k\nC1 2 0 1p\n.tran 1n 1u\n.end\n"
    with pytest.raises((InputError, ResourceLimit)) as info:
        _run(deck)
    if isinstance(info.value, InputError):
        assert info.value.line == 2 and "v1" in str(info.value)


def test_empty_element_card():
    _input_error("t\nV1 1 0 1\nR1 1 0 1\n( , )\n.op\n.end\n", 4, "cannot read")


# --- through the command line: exit codes ----------------------------------------------------

@pytest.mark.parametrize("deck,code,words", [
    ("t\n.include /dev/zero\n" + TAIL, 3, ["bad.cir:2:", "not a regular file"]),
    ("t\nV1 1 0 1\nR1 1 0 1\nC1 1 0 1p\n.tran 1e-30 1\n.end\n", 4,
     ["bad.cir:5:", "EDAPIPE_MAX_POINTS"]),
    ("t\n.func f(x)={f(x)}\n.param a={f(1)}\n" + TAIL, 3, ["bad.cir:2:", "f -> f"]),
])
def test_cli_exit_codes(tmp_path, deck, code, words):
    import subprocess
    import sys

    path = tmp_path / "bad.cir"
    path.write_text(deck)
    proc = subprocess.run([sys.executable, "-m", "edapipe.cli.main", "spice", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr


def test_include_name_with_a_nul_byte():
    _input_error("t\n.include models\x00inc\n" + TAIL, 2, "NUL")


def test_warnings_are_bounded():
    # one warning per instance of a doubling subcircuit: the first 100, then a note
    lines = ["t", ".subckt s0 a b", "R1 a b 0", ".ends"]
    for i in range(1, 11):
        lines += [f".subckt s{i} a b", f"X1 a m s{i - 1}", f"X2 m b s{i - 1}", ".ends"]
    lines += ["V1 1 0 1", "X0 1 0 s10", ".op", ".end"]
    circ = load_circuit("h.cir", "\n".join(lines) + "\n")
    assert len(circ.elements) == 1025
    assert len(circ.warnings) == 101 and "left out" in circ.warnings[-1]


def test_print_card_quotes_little():
    from edapipe.analog import output

    deck = "t\nV1 1 0 1\nR1 1 0 1\n.op\n.print op " + "v(a " * 100_000 + ")\n.end\n"
    circ = load_circuit("h.cir", deck)
    with pytest.raises(InputError) as info:
        output.parse_outputs(circ.deck.outputs)
    assert len(str(info.value)) < 200
